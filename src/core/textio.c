/* SPDX-License-Identifier: MIT */
/*
** Text files: loadtxt and genfromtxt (a hand-written parser of delimited
** numbers), savetxt, and the text modes of fromfile and tofile. Files are
** read through zlib's gzopen, which reads gzip files and plain files alike,
** and written gzipped when the name ends in ".gz" (NumPy's savetxt does).
**
** Speed: a field of decimal digits is parsed in one pass into a 64-bit
** mantissa of at most 19 significant digits and a power of ten; when both
** are small enough the double is exact with one multiplication or division
** (Clinger's fast path), which is correctly rounded, as strtod is. Other
** mantissas of up to 19 digits (NumPy's %.18e, %.17g) go through
** lu_decimal_to_double (lu_decimal.c, Eisel-Lemire), which gives strtod's
** double bit for bit or declines. Anything else (more digits, exponents
** outside the table, subnormal or overflowing results, the rare undecided
** roundings, nan, inf, hex) goes to strtod.
*/
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lu_decimal.h"
#include "lu_fileio.h"
#include "lu_textio.h"
#include "lu_hostmem.h"

/* {===== reading a whole file: mapped, or read into memory with a NUL
** after it; text_free gives either back */
void lu_text_free(char *p, size_t len, int mapped) {
  if (p == NULL) return;
  if (mapped) munmap(p, len);
  else free(p);
}
int lu_text_read(lu_ctx *ctx, const char *name, const char *path, char **buf, size_t *len,
                 int *mapped) {
  gzFile g;
  size_t cap = 1 << 16, n = 0;
  char *b = NULL;
  *buf = NULL;
  *len = 0;
  *mapped = 0;
  {
    FILE *f = fopen(path, "rb");   /* a clear message for a missing file or a directory */
    if (f == NULL)
      return lu_seterr(ctx, LU_EARG, "%s: cannot open '%s': %s", name, path, strerror(errno));
    fclose(f);
  }
  {
    /* a plain file in one read, without zlib's copy */
    FILE *f = fopen(path, "rb");
    unsigned char m[2] = {0, 0};
    size_t got = f ? fread(m, 1, 2, f) : 0;
    if (f && !(got == 2 && m[0] == 0x1f && m[1] == 0x8b)) {
      struct stat st;
      long pg = sysconf(_SC_PAGESIZE);
      if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && pg > 0 &&
          st.st_size % pg != 0 && (uint64_t)st.st_size < SIZE_MAX / 2) {
        /* mapped: no copy and no fresh pages; the rest of the last page
        ** reads as zeros, the NUL that ends the text */
        void *q = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(f), 0);
        if (q != MAP_FAILED) {
          fclose(f);
          *buf = q;
          *len = (size_t)st.st_size;
          *mapped = 1;
          return LU_OK;
        }
      }
      if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
          (uint64_t)st.st_size < SIZE_MAX / 2) {
        size_t want = (size_t)st.st_size;
        b = lu_malloc(want + 1);
        if (b == NULL) {
          fclose(f);
          return lu_seterr(ctx, LU_EMEM, "%s: out of memory reading '%s' (%zu bytes)", name, path, want);
        }
        rewind(f);
        n = fread(b, 1, want, f);
        if (ferror(f)) {
          int e = errno;
          free(b);
          fclose(f);
          return lu_seterr(ctx, LU_EARG, "%s: cannot read '%s': %s", name, path, strerror(e));
        }
        fclose(f);
        b[n] = '\0';
        *buf = b;
        *len = n;
        return LU_OK;
      }
    }
    if (f) fclose(f);
  }
  g = gzopen(path, "rb");
  if (g == NULL)
    return lu_seterr(ctx, LU_EARG, "%s: cannot open '%s': %s", name, path, strerror(errno));
  gzbuffer(g, 1 << 17);
  b = lu_malloc(cap + 1);
  for (;;) {
    int k;
    if (b == NULL) {
      gzclose(g);
      return lu_seterr(ctx, LU_EMEM, "%s: out of memory reading '%s'", name, path);
    }
    if (n == cap) {
      char *nb = cap > SIZE_MAX / 4 ? NULL : lu_realloc(b, 2 * cap + 1);
      if (nb == NULL) { free(b); b = NULL; continue; }
      b = nb;
      cap *= 2;
    }
    k = gzread(g, b + n, (unsigned)(cap - n > (1u << 30) ? (1u << 30) : cap - n));
    if (k < 0) {
      int e;
      const char *m = gzerror(g, &e);
      int st = lu_seterr(ctx, LU_EARG, "%s: cannot read '%s': %s", name, path,
                         e == Z_ERRNO ? strerror(errno) : m);
      free(b);
      gzclose(g);
      return st;
    }
    if (k == 0) break;
    n += (size_t)k;
  }
  gzclose(g);
  b[n] = '\0';
  *buf = b;
  *len = n;
  return LU_OK;
}
/* }===== */

/* {===== numbers */
static const double pow10_tab[23] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* fast_value's rarer half: trailing zeros off ("5.000000000000000000e-01"
** keeps exactly representable values on the exact path), then Clinger's
** path or Eisel-Lemire; kept out of the loader's loop */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int fast_value_long(uint64_t m, int64_t ex, int neg, double *out) {
  while (m != 0 && m % 10 == 0) { m /= 10; ex++; }
  if (m <= ((uint64_t)1 << 53) && ex >= -22 && ex <= 22) {
    double v = (double)m;
    v = ex < 0 ? v / pow10_tab[-ex] : v * pow10_tab[ex];
    *out = neg ? -v : v;
    return 1;
  }
  return lu_decimal_to_double(m, ex, neg, out);
}

/* (-1)^neg * m * 10^ex without strtod; 1 when done, 0 when strtod must
** decide. Short mantissas and small exponents: Clinger's fast path. */
static inline int fast_value(uint64_t m, int64_t ex, int neg, double *out) {
  if (m <= ((uint64_t)1 << 53) && ex >= -22 && ex <= 22) {
    double v = (double)m;
    v = ex < 0 ? v / pow10_tab[-ex] : v * pow10_tab[ex];
    *out = neg ? -v : v;
    return 1;
  }
  return fast_value_long(m, ex, neg, out);
}

static int is_sp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

/* strtod on a copy of [s, e) (NUL-terminated); 1 when all of it is one number */
static int slow_double(const char *s, const char *e, double *out) {
  char local[128], *b = local, *end;
  size_t n = (size_t)(e - s);
  int ok;
  if (n >= sizeof local && (b = lu_malloc(n + 1)) == NULL) return 0;
  memcpy(b, s, n);
  b[n] = '\0';
  errno = 0;
  *out = strtod(b, &end);
  ok = end == b + n && n > 0;
  if (b != local) free(b);
  return ok;
}

/* A float in [s, e), surrounding blanks allowed; 1 on success. */
int lu_parse_double(const char *s, const char *e, double *out) {
  const char *p, *q;
  uint64_t m = 0;
  int neg = 0, nd = 0, dropped = 0;
  int64_t exp10 = 0;
  while (s < e && is_sp(*s)) s++;
  while (e > s && is_sp(e[-1])) e--;
  p = s;
  if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
  q = p;
  while (p < e && (unsigned)(*p - '0') < 10) {
    if (nd < 19) { m = m * 10 + (uint64_t)(*p - '0'); if (m) nd++; }
    else dropped = 1;   /* strtod decides: exp10 is no longer needed */
    p++;
  }
  if (p < e && *p == '.') {
    p++;
    while (p < e && (unsigned)(*p - '0') < 10) {
      if (nd < 19) { m = m * 10 + (uint64_t)(*p - '0'); if (m) nd++; exp10--; }
      else dropped = 1;
      p++;
    }
  }
  if (p == q || (p == q + 1 && *q == '.')) return slow_double(s, e, out);   /* nan, inf, .e5 */
  if (p < e && (*p == 'e' || *p == 'E')) {
    int64_t en = 0;
    int eneg = 0;
    p++;
    if (p < e && (*p == '-' || *p == '+')) eneg = *p++ == '-';
    if (p == e || (unsigned)(*p - '0') >= 10) return slow_double(s, e, out);
    while (p < e && (unsigned)(*p - '0') < 10) {
      if (en < 100000) en = en * 10 + (*p - '0');
      else dropped = 1;   /* a long exponent: strtod */
      p++;
    }
    exp10 += eneg ? -en : en;
  }
  if (p != e) return slow_double(s, e, out);
  if (!dropped && fast_value(m, exp10, neg, out)) return 1;
  return slow_double(s, e, out);
}

/* The digits and point in [s, e) as an integer into *m when it has at most
** 19 significant digits; 0 when it has more. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int significant_digits(const char *s, const char *e, uint64_t *m) {
  uint64_t v = 0;
  int nd = 0;
  for (; s < e; s++) {
    if (*s == '.' || (v == 0 && *s == '0')) continue;
    if (++nd > 19) return 0;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  *m = v;
  return 1;
}

/* The loaders' fast path: a number starting at p (blanks first allowed),
** not reaching past e, the text NUL-terminated at or after e; its end, or
** NULL when there is none (the caller then takes the general path, which
** explains the failure). */
#if defined(__GNUC__)
__attribute__((always_inline))   /* into the loader's loop, as before lu_scan_double */
#endif
static inline const char *scan_double(const char *p, const char *e, double *out) {
  const char *q, *d0;
  uint64_t m = 0;
  int neg = 0;
  int64_t ex = 0;
  while (p < e && (*p == ' ' || *p == '\t')) p++;
  q = p;
  if (q < e && (*q == '-' || *q == '+')) neg = *q++ == '-';
  d0 = q;
  /* every digit into m, the point skipped; leading zeros count as digits
  ** here, and past 19 of them m has wrapped: then count again from the
  ** first nonzero one */
  {
    const char *f;
    int64_t nd;
    while (q < e && (unsigned)(*q - '0') < 10) m = m * 10 + (uint64_t)(*q++ - '0');
    nd = q - d0;
    if (q < e && *q == '.') {
      f = ++q;
      while (q < e && (unsigned)(*q - '0') < 10) m = m * 10 + (uint64_t)(*q++ - '0');
      ex = -(int64_t)(q - f);
      nd += q - f;
    }
    if (nd > 19 && !significant_digits(d0, q, &m)) goto slow;
  }
  if (q == d0 || (q == d0 + 1 && *d0 == '.')) goto slow;   /* no digits */
  if (q < e && (*q == 'e' || *q == 'E')) {
    int64_t en = 0;
    int eneg = 0;
    q++;
    if (q < e && (*q == '-' || *q == '+')) eneg = *q++ == '-';
    if (q == e || (unsigned)(*q - '0') >= 10) goto slow;
    while (q < e && (unsigned)(*q - '0') < 10) {
      if (en >= 100000) goto slow;   /* a long exponent: strtod */
      en = en * 10 + (*q - '0');
      q++;
    }
    ex += eneg ? -en : en;
  }
  if (fast_value(m, ex, neg, out)) return q;
slow:
  {
    /* strtod in place (the text ends in a NUL), kept inside the line */
    char *end;
    if (p == e || !(((unsigned)(*p - '0') < 10) || *p == '.' || *p == '-' || *p == '+' ||
                    *p == 'n' || *p == 'N' || *p == 'i' || *p == 'I'))
      return NULL;
    *out = strtod(p, &end);
    if (end == p || end > e) return NULL;
    return end;
  }
}

/* scan_double for tests/c/test_parse_double.c (kept apart so that the
** loader's call stays inlined) */
const char *lu_scan_double(const char *p, const char *e, double *out) {
  return scan_double(p, e, out);
}

/* An integer in [s, e): *neg and the magnitude; 1 on success (no overflow
** of 64 bits). */
static int parse_uint(const char *s, const char *e, int *neg, uint64_t *mag) {
  uint64_t m = 0;
  const char *q;
  while (s < e && is_sp(*s)) s++;
  while (e > s && is_sp(e[-1])) e--;
  *neg = 0;
  if (s < e && (*s == '-' || *s == '+')) *neg = *s++ == '-';
  q = s;
  while (s < e && (unsigned)(*s - '0') < 10) {
    uint64_t d = (uint64_t)(*s - '0');
    if (m > (UINT64_MAX - d) / 10) return 0;
    m = m * 10 + d;
    s++;
  }
  *mag = m;
  return s == e && s != q;
}

/* "1+2j", "-3.5j", "(1-2j)", "4": a complex number; 1 on success */
static int parse_complex(const char *s, const char *e, double *re, double *im) {
  const char *p;
  while (s < e && is_sp(*s)) s++;
  while (e > s && is_sp(e[-1])) e--;
  if (e - s >= 2 && *s == '(' && e[-1] == ')') { s++; e--; }
  if (e > s && (e[-1] == 'j' || e[-1] == 'J')) {
    for (p = e - 2; p > s; p--)
      if ((*p == '+' || *p == '-') && p[-1] != 'e' && p[-1] != 'E') break;
    if (p > s) return lu_parse_double(s, p, re) && lu_parse_double(p, e - 1, im);
    *re = 0;
    if (e - 1 == s || (e - 2 == s && (*s == '+' || *s == '-'))) {   /* "j", "-j" */
      *im = (e - 2 == s && *s == '-') ? -1 : 1;
      return 1;
    }
    return lu_parse_double(s, e - 1, im);
  }
  *im = 0;
  return lu_parse_double(s, e, re);
}

/* One field into dst as dtype dt; 1 on success. */
int lu_text_convert(const char *s, const char *e, lu_dtype dt, void *dst) {
  lu_value v;
  char k = lu_dtype_kind(dt);
  if (dt == LU_FLOAT64) return lu_parse_double(s, e, (double *)dst);
  if (k == 'f') {
    if (!lu_parse_double(s, e, &v.f)) return 0;
  } else if (k == 'c') {
    double re, im;
    if (!parse_complex(s, e, &re, &im)) return 0;
    v.c.re = re;
    v.c.im = im;
  } else {
    int neg;
    uint64_t mag;
    if (!parse_uint(s, e, &neg, &mag)) {
      /* "3.0" in an integer column: NumPy still takes an integral float */
      double d;
      if (!lu_parse_double(s, e, &d) || !(d == floor(d)) || fabs(d) >= 9.2e18) return 0;
      neg = d < 0;
      mag = (uint64_t)(neg ? -d : d);
    }
    if (k == 'u') {
      if (neg && mag != 0) return 0;
      v.u = mag;
      if (dt != LU_UINT64 && mag > (uint64_t)INT64_MAX) return 0;
      if (dt != LU_UINT64 && !lu_int_fits((int64_t)mag, dt)) return 0;
    } else {
      if (mag > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) return 0;
      v.i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
      if (k == 'b') v.i = v.i != 0;
      else if (!lu_int_fits(v.i, dt)) return 0;
    }
  }
  lu_value_store(dst, dt, v);
  return 1;
}
/* }===== */

/* {===== loadtxt and genfromtxt */
typedef struct outbuf { char *p; size_t n, cap; } outbuf;

static void *ob_room(outbuf *b, size_t k) {
  if (b->n + k > b->cap) {
    size_t nc = b->cap ? b->cap : 1 << 16;
    char *q;
    while (nc < b->n + k) {
      if (nc > SIZE_MAX / 2) return NULL;
      nc *= 2;
    }
    q = lu_realloc(b->p, nc);
    if (q == NULL) return NULL;
    b->p = q;
    b->cap = nc;
  }
  return b->p + b->n;
}

/* The end of the line's content: before the first comment marker. */
static const char *cut_comment(const lu_text_opts *o, const char *s, const char *e) {
  int k;
  for (k = 0; k < o->ncomments; k++) {
    const char *c = o->comments[k];
    size_t cl = strlen(c);
    const char *p = s;
    if (cl == 0) continue;
    while ((p = memchr(p, c[0], (size_t)(e - p))) != NULL) {
      if ((size_t)(e - p) >= cl && memcmp(p, c, cl) == 0) { e = p; break; }
      p++;
    }
  }
  return e;
}

/* The next field of [*s, e): its span; *s moves past its delimiter. 0 when
** the line has no more fields. */
static int next_field(const lu_text_opts *o, const char **s, const char *e, int *done,
                      const char **fs, const char **fe) {
  const char *p = *s;
  if (o->delim == 0) {
    while (p < e && (is_sp(*p))) p++;
    if (p == e) return 0;
    *fs = p;
    while (p < e && !is_sp(*p)) p++;
    *fe = p;
    *s = p;
    return 1;
  }
  /* after a delimiter there is always one more field, empty or not */
  if (*done) return 0;
  *fs = p;
  p = memchr(p, o->delim, (size_t)(e - p));
  if (p == NULL) { *fe = e; *s = e; *done = 1; }
  else { *fe = p; *s = p + 1; }
  return 1;
}

/* The loader's destination: a CPU array made at the first row, with room
** for as many rows as the rest of the text can hold (its lines, and its
** bytes: a field takes at least two), filled row by row; the result is a
** view of the rows filled. */
typedef struct dest { lu_array a; int64_t cap; char *base; size_t rowbytes; } dest;

static char *dest_row(lu_ctx *ctx, const char *name, dest *d, int64_t rows, int outcols,
                      lu_dtype dt, const char *s, const char *end, int64_t minrow) {
  if (d->a.buf == NULL) {
    lu_device cpu = {LU_DEV_CPU, 0};
    int64_t lines = 1, bytes = (int64_t)(end - s), shape[2];
    const char *p = s;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) { lines++; p++; }
    /* a row takes at least minrow bytes and its newline */
    shape[0] = bytes / (minrow + 1) + 1;
    if (shape[0] > lines) shape[0] = lines;
    shape[1] = outcols;
    if (lu_empty(ctx, &d->a, dt, 2, shape, cpu) != LU_OK) {
      char m[LU_ERRLEN];
      snprintf(m, sizeof m, "%s", lu_ctx_errmsg(ctx));
      lu_seterr(ctx, lu_ctx_errcode(ctx), "%s: %s", name, m);
      return NULL;
    }
    d->cap = shape[0];
    d->base = lu_array_data(&d->a);
    d->rowbytes = (size_t)outcols * (size_t)lu_dtype_size(dt);
  }
  if (rows >= d->cap) {
    lu_seterr(ctx, LU_EARG, "%s: more rows than lines", name);
    return NULL;
  }
  return d->base + (size_t)rows * d->rowbytes;
}

static int blank(const char *s, const char *e) {
  while (s < e && is_sp(*s)) s++;
  return s == e;
}

static int conv_error(lu_ctx *ctx, const char *name, const char *fs, const char *fe, lu_dtype dt,
                      int64_t line, int col) {
  while (fs < fe && is_sp(*fs)) fs++;
  while (fe > fs && is_sp(fe[-1])) fe--;
  return lu_seterr(ctx, LU_EARG, "%s: could not convert string '%.*s' to %s at line %lld, column %d",
                   name, (int)(fe - fs > 60 ? 60 : fe - fs), fs, lu_dtype_name(dt), (long long)line,
                   col);
}

int lu_loadtxt(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_text_opts *o,
               lu_device dev) {
  char *text;
  size_t len;
  int mapped;
  const char *s, *end;
  dest ob;
  const char **spans = NULL;
  size_t spans_n = 0;
  int64_t line = 0, rows = 0, shape[2], minrow = 1;
  int ncols = -1, item = lu_dtype_size(o->dt), st = LU_OK, nuse = o->nuse, i;
  int64_t use[LU_TEXT_MAXUSE];
  char kind = lu_dtype_kind(o->dt);
  lu_value fill;
  _Alignas(16) char fillb[16];
  out->buf = NULL;
  o->header = NULL;
  memset(&ob, 0, sizeof ob);
  if ((st = lu_text_read(ctx, name, path, &text, &len, &mapped)) != LU_OK) return st;
  /* genfromtxt's filling value: NaN for floats, -1 for integers (NumPy's) */
  memset(&fill, 0, sizeof fill);
  if (kind == 'f' || kind == 'c') fill.f = o->has_fill ? o->filling : NAN, fill.c.im = 0;
  else if (o->has_fill) {
    if (!isfinite(o->filling) || fabs(o->filling) >= 9.2e18) {
      lu_text_free(text, len, mapped);
      return lu_seterr(ctx, LU_EARG, "%s: filling_values %g cannot be stored in %s", name,
                       o->filling, lu_dtype_name(o->dt));
    }
    fill.i = (int64_t)o->filling;
    if (kind == 'u') fill.u = (uint64_t)fill.i;
  } else {
    fill.i = kind == 'b' ? 0 : -1;
  }
  lu_value_store(fillb, o->dt, fill);
  s = text;
  end = text + len;
  while (s < end && st == LU_OK) {
    const char *le = memchr(s, '\n', (size_t)(end - s)), *ce, *p, *fs, *fe;
    const char *next = le ? le + 1 : end;
    int started = 0, nf = 0;
    if (le == NULL) le = end;
    line++;
    if (line <= o->skip) { s = next; continue; }
    if (o->max_rows >= 0 && rows >= o->max_rows) break;
    if (o->names && o->header == NULL) {
      /* genfromtxt names=true: the first line after skip_header, a
      ** comment marker before the names allowed */
      const char *hs = s, *he = le;
      int k;
      if (blank(hs, he)) { s = next; continue; }
      while (hs < he && is_sp(*hs)) hs++;
      for (k = 0; k < o->ncomments; k++) {
        size_t cl = strlen(o->comments[k]);
        if (cl && (size_t)(he - hs) >= cl && memcmp(hs, o->comments[k], cl) == 0) { hs += cl; break; }
      }
      he = cut_comment(o, hs, he);
      o->header = lu_malloc((size_t)(he - hs) + 1);
      if (o->header == NULL) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); break; }
      memcpy(o->header, hs, (size_t)(he - hs));
      o->header[he - hs] = '\0';
      s = next;
      continue;
    }
    ce = cut_comment(o, s, le);
    if (blank(s, ce)) { s = next; continue; }
    if (ncols < 0) {
      /* the first row fixes the number of columns */
      p = s;
      ncols = 0;
      while (next_field(o, &p, ce, &started, &fs, &fe)) ncols++;
      started = 0;
      for (i = 0; i < nuse; i++) {
        int64_t u = o->use[i] < 0 ? o->use[i] + ncols : o->use[i];
        if (u < 0 || u >= ncols) {
          st = lu_seterr(ctx, LU_EINDEX,
                         "%s: usecols: column %lld is out of range for %d columns (line %lld)",
                         name, (long long)(o->use[i] < 0 ? o->use[i] : o->use[i] + 1), ncols,
                         (long long)line);
          break;
        }
        use[i] = u;
      }
      if (st != LU_OK) break;
      /* the fewest bytes a valid row can take: its fields (the ones usecols
      ** needs), a character each unless empty fields are allowed, and the
      ** delimiters between them */
      {
        int64_t need = ncols;
        if (nuse > 0) {
          need = 0;
          for (i = 0; i < nuse; i++) if (use[i] + 1 > need) need = use[i] + 1;
        }
        minrow = o->delim == 0 ? 2 * need - 1 : need - 1;
        if (minrow < 1) minrow = 1;
      }
    }
    if (nuse == 0 && o->dt == LU_FLOAT64 && ncols > 0) {
      /* the fast path: numbers read where they stand, each followed by a
      ** delimiter, the line's end or a comment; anything else goes to the
      ** general path below, which redoes the row */
      double *row = (double *)dest_row(ctx, name, &ob, rows, ncols, o->dt, s, end, minrow);
      const char *q = s;
      int c = 0, ok = 0;
      if (row == NULL) { st = ctx->err; break; }
      for (;;) {
        double v;
        q = scan_double(q, ce, &v);
        if (q == NULL || c >= ncols) break;
        row[c++] = v;
        while (q < ce && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
        if (q == ce) { ok = c == ncols; break; }
        if (o->delim ? *q == o->delim : q[-1] == ' ' || q[-1] == '\t') {
          if (o->delim) q++;
          continue;
        }
        break;
      }
      if (ok) {
        rows++;
        s = next;
        continue;
      }
    }
    if (nuse == 0) {
      /* every column, stored as it is parsed */
      char *row = dest_row(ctx, name, &ob, rows, ncols, o->dt, s, end, minrow);
      if (row == NULL) { st = ctx->err; break; }
      p = s;
      while (next_field(o, &p, ce, &started, &fs, &fe)) {
        if (nf < ncols && !lu_text_convert(fs, fe, o->dt, row + (size_t)nf * (size_t)item)) {
          if (!o->gen) { st = conv_error(ctx, name, fs, fe, o->dt, line, nf + 1); break; }
          memcpy(row + (size_t)nf * (size_t)item, fillb, (size_t)item);
        }
        nf++;
      }
      if (st != LU_OK) break;
      if (nf != ncols) {
        if (o->gen)
          st = lu_seterr(ctx, LU_EARG, "%s: line %lld has %d columns instead of %d", name,
                         (long long)line, nf, ncols);
        else
          st = lu_seterr(ctx, LU_EARG,
                         "%s: the number of columns changed from %d to %d at line %lld; use `usecols` to select a subset and avoid this error",
                         name, ncols, nf, (long long)line);
        break;
      }
    } else {
      /* usecols: the row's fields found first, the chosen ones parsed */
      char *row;
      p = s;
      while (next_field(o, &p, ce, &started, &fs, &fe)) {
        if ((size_t)nf >= spans_n) {
          size_t nn = spans_n ? 2 * spans_n : 64;
          const char **q = lu_realloc(spans, nn * 2 * sizeof *spans);
          if (q == NULL) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); break; }
          spans = q;
          spans_n = nn;
        }
        spans[2 * nf] = fs;
        spans[2 * nf + 1] = fe;
        nf++;
      }
      if (st != LU_OK) break;
      row = dest_row(ctx, name, &ob, rows, nuse, o->dt, s, end, minrow);
      if (row == NULL) { st = ctx->err; break; }
      for (i = 0; i < nuse; i++) {
        if (use[i] >= nf) {
          st = lu_seterr(ctx, LU_EINDEX, "%s: usecols: line %lld has %d columns, column %lld asked for",
                         name, (long long)line, nf, (long long)use[i] + 1);
          break;
        }
        if (!lu_text_convert(spans[2 * use[i]], spans[2 * use[i] + 1], o->dt, row + (size_t)i * (size_t)item)) {
          if (!o->gen) {
            st = conv_error(ctx, name, spans[2 * use[i]], spans[2 * use[i] + 1], o->dt, line,
                            (int)use[i] + 1);
            break;
          }
          memcpy(row + (size_t)i * (size_t)item, fillb, (size_t)item);
        }
      }
      if (st != LU_OK) break;
    }
    rows++;
    s = next;
  }
  lu_text_free(text, len, mapped);
  free(spans);
  if (st == LU_OK) {
    lu_device cpu = {LU_DEV_CPU, 0};
    shape[0] = rows;
    shape[1] = nuse > 0 ? nuse : ncols < 0 ? 0 : ncols;
    if (ob.a.buf == NULL) {
      /* no data: NumPy's empty result is 1-d unless columns are known */
      st = lu_empty(ctx, &ob.a, o->dt, ncols < 0 && nuse == 0 ? 1 : 2, shape, cpu);
    } else {
      ob.a.shape[0] = rows;
      lu_array_update(&ob.a);
    }
    if (st == LU_OK) {
      if (dev.type == LU_DEV_CPU) { *out = ob.a; ob.a.buf = NULL; }
      else st = lu_to_device(ctx, out, &ob.a, dev);
    }
  }
  if (ob.a.buf) lu_array_release(&ob.a);
  if (st != LU_OK) { free(o->header); o->header = NULL; }
  return st;
}
/* }===== */

/* {===== formatting numbers (savetxt, tofile's text mode) */
/* Python's repr of a float: the shortest digits that read back as the
** same value (of float32 when single), fixed notation for exponents -4 to
** 15 with at least ".0", else d.ddde+XX. */
static void repr_float(char *out, size_t cap, double x, int single) {
  char buf[64], digits[32];
  int p, exp10, nd = 0, i, k = 0;
  const char *q;
  if (isnan(x)) { snprintf(out, cap, "nan"); return; }
  if (isinf(x)) { snprintf(out, cap, x < 0 ? "-inf" : "inf"); return; }
  for (p = 1; p <= 17; p++) {
    snprintf(buf, sizeof buf, "%.*e", p - 1, x);
    if (single ? (float)strtod(buf, NULL) == (float)x : strtod(buf, NULL) == x) break;
  }
  q = buf;
  if (*q == '-') { out[k++] = '-'; q++; }
  for (; *q && *q != 'e'; q++)
    if (*q != '.') digits[nd++] = *q;
  exp10 = atoi(q + 1);
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  if (exp10 >= -4 && exp10 < 16) {
    if (exp10 < 0) {
      out[k++] = '0'; out[k++] = '.';
      for (i = -1; i > exp10; i--) out[k++] = '0';
      for (i = 0; i < nd; i++) out[k++] = digits[i];
    } else {
      for (i = 0; i <= exp10; i++) out[k++] = i < nd ? digits[i] : '0';
      out[k++] = '.';
      if (nd > exp10 + 1) for (i = exp10 + 1; i < nd; i++) out[k++] = digits[i];
      else out[k++] = '0';
    }
    out[k] = '\0';
  } else {
    out[k++] = digits[0];
    if (nd > 1) {
      out[k++] = '.';
      for (i = 1; i < nd; i++) out[k++] = digits[i];
    }
    snprintf(out + k, cap - (size_t)k, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
  }
}

/* One conversion of a format: "%" flags width .prec conv, checked so that
** no user text ever reaches printf as a format. */
typedef struct fspec { char spec[24]; char conv; } fspec;

/* Parse the conversion at *f (just past '%'); 1 on success. */
static int parse_spec(const char **f, fspec *sp) {
  const char *p = *f;
  int k = 0, n;
  sp->spec[k++] = '%';
  while (*p && strchr("-+ #0", *p) && k < 8) sp->spec[k++] = *p++;
  for (n = 0; *p >= '0' && *p <= '9'; n++) { if (n >= 3) return 0; sp->spec[k++] = *p++; }
  if (*p == '.') {
    sp->spec[k++] = *p++;
    for (n = 0; *p >= '0' && *p <= '9'; n++) { if (n >= 2) return 0; sp->spec[k++] = *p++; }
  }
  while (*p == 'l' || *p == 'h' || *p == 'L') p++;   /* Python ignores them */
  if (!*p || !strchr("diouxXeEfFgGs", *p)) return 0;
  sp->conv = *p++;
  sp->spec[k] = '\0';
  *f = p;
  return 1;
}

int lu_format_count(const char *fmt, int *count) {
  int n = 0;
  while (*fmt) {
    if (*fmt++ != '%') continue;
    if (*fmt == '%') { fmt++; continue; }
    {
      fspec sp;
      if (!parse_spec(&fmt, &sp)) return 0;
    }
    n++;
  }
  *count = n;
  return 1;
}

typedef struct sbuf { char *p; size_t n, cap; int oom; } sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 4096;
    char *q;
    while (nc < b->n + n + 1) nc *= 2;
    q = lu_realloc(b->p, nc);
    if (q == NULL) { b->oom = 1; return; }
    b->p = q;
    b->cap = nc;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
}
static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* One value (dtype dt, at h) through one conversion, Python's % rules:
** integer conversions of a float truncate it (NaN and inf are errors),
** float conversions of an integer convert it, %s is str(). */
static int fmt_value(sbuf *b, const fspec *sp, lu_dtype dt, lu_value v, int part) {
  char out[512], spec[32];
  char kind = lu_dtype_kind(dt);
  double d = 0;
  int isint = kind == 'b' || kind == 'i' || kind == 'u';
  if (kind == 'c') d = part ? v.c.im : v.c.re;
  else if (kind == 'f') d = v.f;
  if (sp->conv == 's') {
    if (kind == 'b') snprintf(out, sizeof out, "%s", v.i ? "True" : "False");
    else if (kind == 'u') snprintf(out, sizeof out, "%llu", (unsigned long long)v.u);
    else if (isint) snprintf(out, sizeof out, "%lld", (long long)v.i);
    else repr_float(out, sizeof out, d, dt == LU_FLOAT32 || dt == LU_COMPLEX64 || lu_dtype_is_half(dt));
    snprintf(spec, sizeof spec, "%ss", sp->spec);
    {
      char o2[600];
      snprintf(o2, sizeof o2, spec, out);
      sb_str(b, o2);
    }
    return 1;
  }
  if (strchr("diouxX", sp->conv)) {
    int neg = 0;
    uint64_t mag;
    if (isint) {
      if (kind == 'u') mag = v.u;
      else { neg = v.i < 0; mag = neg ? 0 - (uint64_t)v.i : (uint64_t)v.i; }
    } else {
      if (!isfinite(d) || fabs(d) >= 1.8e19) return 0;
      d = trunc(d);
      neg = d < 0;
      mag = (uint64_t)(neg ? -d : d);
    }
    if (sp->conv == 'd' || sp->conv == 'i' || sp->conv == 'u') {
      if (!neg || mag <= (uint64_t)INT64_MAX) {
        long long sv = neg ? -(long long)mag : (long long)mag;
        snprintf(spec, sizeof spec, "%slld", sp->spec);
        if (!neg && mag > (uint64_t)INT64_MAX) {
          snprintf(spec, sizeof spec, "%sllu", sp->spec);
          snprintf(out, sizeof out, spec, (unsigned long long)mag);
        } else {
          snprintf(out, sizeof out, spec, sv);
        }
      } else {   /* -2^63 */
        snprintf(spec, sizeof spec, "%slld", sp->spec);
        snprintf(out, sizeof out, spec, (long long)INT64_MIN);
      }
    } else if (!neg) {
      snprintf(spec, sizeof spec, "%sll%c", sp->spec, sp->conv);
      snprintf(out, sizeof out, spec, (unsigned long long)mag);
    } else {
      /* Python writes -ff where C would write the two's complement: the
      ** digits of the magnitude, the sign, then the width */
      char digits[80], fl[16];
      int width = 0, left = 0, k = 0;
      const char *q = sp->spec + 1;
      while (*q && strchr("-+ #0", *q)) { if (*q == '-') left = 1; if (*q == '#') fl[k++] = '#'; q++; }
      while (*q >= '0' && *q <= '9') width = width * 10 + (*q++ - '0');
      fl[k] = '\0';
      snprintf(spec, sizeof spec, "-%%%s%sll%c", fl, q, sp->conv);
      snprintf(digits, sizeof digits, spec, (unsigned long long)mag);
      snprintf(out, sizeof out, left ? "%-*s" : "%*s", width, digits);
    }
    sb_str(b, out);
    return 1;
  }
  if (isint) d = kind == 'u' ? (double)v.u : (double)v.i;
  if (isnan(d)) d = fabs(d);
  snprintf(spec, sizeof spec, "%s%c", sp->spec, sp->conv);
  snprintf(out, sizeof out, spec, d);
  sb_str(b, out);
  return 1;
}

/* fmt applied to n values (a row), complex values taking two conversions;
** "+-" becomes "-" for complex rows, as NumPy does. */
static int fmt_row(lu_ctx *ctx, const char *name, sbuf *b, const char *fmt, lu_dtype dt,
                   const char *row, int64_t n) {
  int64_t k = 0;
  int part = 0, item = lu_dtype_size(dt);
  size_t start = b->n;
  const char *f = fmt;
  while (*f) {
    const char *pct = strchr(f, '%');
    fspec sp;
    lu_value v;
    if (pct == NULL) { sb_str(b, f); break; }
    sb_add(b, f, (size_t)(pct - f));
    f = pct + 1;
    if (*f == '%') { sb_add(b, "%", 1); f++; continue; }
    if (!parse_spec(&f, &sp))
      return lu_seterr(ctx, LU_EARG, "%s: bad format '%s'", name, fmt);
    if (k >= n) return lu_seterr(ctx, LU_EARG, "%s: the format '%s' has more conversions than the row has values", name, fmt);
    v = lu_value_load(row + k * item, dt);
    if (!fmt_value(b, &sp, dt, v, part)) {
      double d = lu_dtype_kind(dt) == 'c' ? (part ? v.c.im : v.c.re) : v.f;
      char ds[40];
      if (isnan(d)) snprintf(ds, sizeof ds, "nan");
      else snprintf(ds, sizeof ds, "%g", d);
      return lu_seterr(ctx, LU_EARG, "%s: cannot format %s with '%%%c' (not a finite number in range)",
                       name, ds, sp.conv);
    }
    if (lu_dtype_kind(dt) == 'c' && part == 0) part = 1;
    else { part = 0; k++; }
  }
  if (lu_dtype_kind(dt) == 'c' && !b->oom) {
    size_t i, j = start;
    for (i = start; i < b->n; i++) {
      if (b->p[i] == '+' && i + 1 < b->n && b->p[i + 1] == '-') continue;
      b->p[j++] = b->p[i];
    }
    b->n = j;
  }
  return LU_OK;
}

/* Open for writing, gzip when the name ends in ".gz". */
typedef struct tout { FILE *f; gzFile g; } tout;

static int tout_open(lu_ctx *ctx, const char *name, const char *path, tout *t) {
  size_t n = strlen(path);
  t->f = NULL;
  t->g = NULL;
  if (n > 3 && strcmp(path + n - 3, ".gz") == 0) t->g = gzopen(path, "wb");
  else t->f = fopen(path, "wb");
  if (t->f == NULL && t->g == NULL)
    return lu_seterr(ctx, LU_EARG, "%s: cannot open '%s' for writing: %s", name, path,
                     strerror(errno));
  return LU_OK;
}

static int tout_write(lu_ctx *ctx, const char *name, const char *path, tout *t, sbuf *b) {
  int ok = 1;
  if (b->oom) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
  if (b->n) {
    if (t->g) ok = gzwrite(t->g, b->p, (unsigned)b->n) == (int)b->n;
    else ok = fwrite(b->p, 1, b->n, t->f) == b->n;
  }
  b->n = 0;
  if (!ok) return lu_seterr(ctx, LU_EARG, "%s: cannot write '%s': %s", name, path, strerror(errno));
  return LU_OK;
}

static int tout_close(lu_ctx *ctx, const char *name, const char *path, tout *t, int st) {
  int bad = t->g ? gzclose(t->g) != Z_OK : fclose(t->f) != 0;
  if (bad && st == LU_OK)
    return lu_seterr(ctx, LU_EARG, "%s: cannot write '%s': %s", name, path, strerror(errno));
  return st;
}

/* header or footer: each line after `comments` */
static void add_commented(sbuf *b, const char *text, const char *comments, const char *newline) {
  const char *s = text;
  for (;;) {
    const char *nl = strchr(s, '\n');
    sb_str(b, comments);
    sb_add(b, s, nl ? (size_t)(nl - s) : strlen(s));
    sb_str(b, newline);
    if (!nl) break;
    s = nl + 1;
  }
}

int lu_savetxt(lu_ctx *ctx, const char *name, const char *path, const lu_array *a,
               const lu_savetxt_opts *o) {
  const char *data;
  char *tmp;
  int64_t rows, cols, r;
  int st, nconv, per = lu_dtype_kind(a->dtype) == 'c' ? 2 : 1;
  tout t;
  sbuf b = {NULL, 0, 0, 0};
  char *rowfmt = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (a->ndim == 0 || a->ndim > 2)
    return lu_seterr(ctx, LU_EARG, "%s: Expected 1D or 2D array, got %dD array instead", name,
                     a->ndim);
  rows = a->shape[0];
  cols = a->ndim == 2 ? a->shape[1] : 1;
  /* one format per column, or one for all: joined with the delimiter */
  {
    sbuf f = {NULL, 0, 0, 0};
    int64_t c;
    if (o->nfmt == 1) {
      if (!lu_format_count(o->fmt[0], &nconv))
        return lu_seterr(ctx, LU_EARG, "%s: invalid fmt: '%s'", name, o->fmt[0]);
      if (nconv == 1 || cols == 0) {
        for (c = 0; c < cols; c++) {
          if (c) sb_str(&f, o->delimiter);
          if (per == 2) { sb_str(&f, " ("); sb_str(&f, o->fmt[0]); sb_str(&f, "+"); sb_str(&f, o->fmt[0]); sb_str(&f, "j)"); }
          else sb_str(&f, o->fmt[0]);
        }
      } else if (nconv == cols * per) {
        sb_str(&f, o->fmt[0]);
      } else {
        return lu_seterr(ctx, LU_EARG, "%s: fmt has wrong number of %% formats: %s (%d for %lld columns)",
                         name, o->fmt[0], nconv, (long long)cols);
      }
    } else {
      if (o->nfmt != cols)
        return lu_seterr(ctx, LU_EARG, "%s: fmt has %d formats for %lld columns", name, o->nfmt,
                         (long long)cols);
      for (c = 0; c < cols; c++) {
        if (!lu_format_count(o->fmt[c], &nconv) || nconv != per) {
          free(f.p);
          return lu_seterr(ctx, LU_EARG, "%s: invalid fmt for column %lld: '%s'", name,
                           (long long)c + 1, o->fmt[c]);
        }
        if (c) sb_str(&f, o->delimiter);
        sb_str(&f, o->fmt[c]);
      }
    }
    sb_add(&f, "", 1);
    if (f.oom) { free(f.p); return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); }
    rowfmt = f.p ? f.p : lu_strdup("");
    if (rowfmt == NULL) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
    if (!lu_format_count(rowfmt, &nconv)) {
      free(rowfmt);
      return lu_seterr(ctx, LU_EARG, "%s: invalid fmt", name);
    }
  }
  if ((st = lu_host_bytes(ctx, name, a, &data, &tmp)) != LU_OK) { free(rowfmt); return st; }
  if ((st = tout_open(ctx, name, path, &t)) != LU_OK) { free(tmp); free(rowfmt); return st; }
  if (o->header && *o->header) add_commented(&b, o->header, o->comments, o->newline);
  for (r = 0; r < rows && st == LU_OK; r++) {
    st = fmt_row(ctx, name, &b, rowfmt, a->dtype, data + r * cols * lu_array_itemsize(a), cols);
    sb_str(&b, o->newline);
    if (st == LU_OK && b.n > (1 << 20)) st = tout_write(ctx, name, path, &t, &b);
  }
  if (st == LU_OK && o->footer && *o->footer) add_commented(&b, o->footer, o->comments, o->newline);
  if (st == LU_OK) st = tout_write(ctx, name, path, &t, &b);
  st = tout_close(ctx, name, path, &t, st);
  free(b.p);
  free(tmp);
  free(rowfmt);
  return st;
}

int lu_tofile_text(lu_ctx *ctx, const char *name, const char *path, const lu_array *a,
                   const char *sep, const char *format) {
  const char *data;
  char *tmp;
  int64_t i;
  int st = LU_OK, n;
  tout t;
  sbuf b = {NULL, 0, 0, 0};
  const char *fmt = *format ? format : "%s";
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (lu_dtype_kind(a->dtype) == 'c')
    return lu_seterr(ctx, LU_ETYPE, "%s: the text mode (sep) writes real arrays, not %s", name,
                     lu_dtype_name(a->dtype));
  if (!lu_format_count(fmt, &n) || n != 1)
    return lu_seterr(ctx, LU_EARG, "%s: format must hold one conversion (such as '%%.3f'), got '%s'",
                     name, format);
  if ((st = lu_host_bytes(ctx, name, a, &data, &tmp)) != LU_OK) return st;
  if ((st = tout_open(ctx, name, path, &t)) != LU_OK) { free(tmp); return st; }
  for (i = 0; i < a->size && st == LU_OK; i++) {
    if (i) sb_str(&b, sep);
    st = fmt_row(ctx, name, &b, fmt, a->dtype, data + i * lu_array_itemsize(a), 1);
    if (st == LU_OK && b.n > (1 << 20)) st = tout_write(ctx, name, path, &t, &b);
  }
  if (st == LU_OK) st = tout_write(ctx, name, path, &t, &b);
  st = tout_close(ctx, name, path, &t, st);
  free(b.p);
  free(tmp);
  return st;
}

/* numbers separated by sep (blanks around it allowed; a sep of blanks is
** any run of whitespace) */
int lu_fromfile_text(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_dtype dt,
                     int64_t count, const char *sep, int64_t offset, lu_device dev) {
  char *text;
  size_t len;
  int mapped;
  const char *s, *e;
  outbuf ob = {NULL, 0, 0};
  int64_t n = 0;
  int st, item = lu_dtype_size(dt), wsep;
  char sepc[64];
  size_t sl;
  out->buf = NULL;
  /* the separator less its blanks */
  {
    const char *a = sep, *z = sep + strlen(sep);
    while (a < z && (is_sp(*a) || *a == '\n')) a++;
    while (z > a && (is_sp(z[-1]) || z[-1] == '\n')) z--;
    sl = (size_t)(z - a);
    if (sl >= sizeof sepc) return lu_seterr(ctx, LU_EARG, "%s: sep is too long", name);
    memcpy(sepc, a, sl);
    sepc[sl] = '\0';
    wsep = sl == 0;
  }
  if ((st = lu_text_read(ctx, name, path, &text, &len, &mapped)) != LU_OK) return st;
  s = text + ((size_t)offset < len ? (size_t)offset : len);
  e = text + len;
  while (st == LU_OK && (count < 0 || n < count)) {
    const char *fs, *fe;
    void *dst;
    while (s < e && (is_sp(*s) || *s == '\n')) s++;
    if (s == e) break;
    fs = s;
    if (wsep) while (s < e && !is_sp(*s) && *s != '\n') s++;
    else {
      const char *q = strstr(s, sepc);
      s = q ? q : e;
    }
    fe = s;
    dst = ob_room(&ob, (size_t)item);
    if (dst == NULL) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); break; }
    if (!lu_text_convert(fs, fe, dt, dst)) {
      while (fe > fs && (is_sp(fe[-1]) || fe[-1] == '\n')) fe--;
      st = lu_seterr(ctx, LU_EARG, "%s: cannot read item %lld ('%.*s') as %s", name,
                     (long long)n + 1, (int)(fe - fs > 60 ? 60 : fe - fs), fs, lu_dtype_name(dt));
      break;
    }
    ob.n += (size_t)item;
    n++;
    if (!wsep && s < e) s += sl;
  }
  lu_text_free(text, len, mapped);
  if (st == LU_OK) st = lu_from_host(ctx, out, dt, 1, &n, dev, ob.p ? ob.p : "");
  free(ob.p);
  return st;
}
/* }===== */
