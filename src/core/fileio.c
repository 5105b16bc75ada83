/* SPDX-License-Identifier: MIT */
/*
** Binary files: NumPy's .npy format (versions 1.0, 2.0 and 3.0 read; 1.0
** written, 2.0 when a header needs it, as NumPy does), raw bytes (tofile,
** fromfile) and what the .npz reader (npz.c) shares with them. Everything
** here works on host memory; arrays of another device move through the
** core's transfers (lu_from_host, lu_to_host).
**
** A file is never trusted: the header is parsed by a small reader of the
** Python literal NumPy writes (a dict of three keys), limited to NumPy's
** 10000 bytes, and the byte count its shape implies is checked for
** overflow (lu_shape_check) and against the bytes the file holds before
** anything is allocated. Object arrays would need unpickling, which lunar
** never does.
*/
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include "lu_fileio.h"
#include "lu_hostmem.h"

#define NPY_MAX_HEADER 10000   /* NumPy's max_header_size */

static int little_endian(void) {
  const uint16_t one = 1;
  uint8_t b;
  memcpy(&b, &one, 1);
  return b == 1;
}

/* {===== readers */
static int64_t file_read(void *ud, void *dst, size_t n) {
  FILE *f = (FILE *)ud;
  size_t got = 0;
  while (got < n) {
    size_t k = fread((char *)dst + got, 1, n - got, f);
    if (k == 0) break;
    got += k;
  }
  if (got < n && ferror(f)) return -1;
  return (int64_t)got;
}

/* Open path for reading: a regular file (its size in *size) or another
** readable kind (*size -1); a directory is an error. */
static int open_read(lu_ctx *ctx, const char *name, const char *path, FILE **fp, int64_t *size) {
  struct stat st;
  FILE *f = fopen(path, "rb");
  *fp = NULL;
  if (f == NULL)
    return lu_seterr(ctx, LU_EARG, "%s: cannot open '%s': %s", name, path, strerror(errno));
  if (fstat(fileno(f), &st) != 0) {
    int e = errno;
    fclose(f);
    return lu_seterr(ctx, LU_EARG, "%s: cannot read '%s': %s", name, path, strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    fclose(f);
    return lu_seterr(ctx, LU_EARG, "%s: '%s' is a directory", name, path);
  }
  *size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
  *fp = f;
  return LU_OK;
}

int lu_file_reader(lu_ctx *ctx, const char *name, const char *path, lu_reader *r) {
  FILE *f;
  int64_t size = -1;
  int st = open_read(ctx, name, path, &f, &size);
  if (st != LU_OK) return st;
  r->read = file_read;
  r->ud = f;
  r->avail = size;
  r->pos = 0;
  return LU_OK;
}

void lu_file_reader_close(lu_reader *r) {
  if (r->ud) fclose((FILE *)r->ud);
  r->ud = NULL;
}

/* Exactly n bytes, or an error naming what was being read. */
static int read_exact(lu_ctx *ctx, const char *name, lu_reader *r, void *dst, size_t n,
                      const char *what) {
  int64_t got = r->read(r->ud, dst, n);
  if (got < 0)
    return lu_seterr(ctx, LU_EARG, "%s: read error in %s%s%s", name, what,
                     errno ? ": " : "", errno ? strerror(errno) : "");
  r->pos += got;
  if ((size_t)got < n)
    return lu_seterr(ctx, LU_EARG, "%s: truncated file: %s needs %zu bytes at byte %lld, only %lld left",
                     name, what, n, (long long)(r->pos - got), (long long)got);
  return LU_OK;
}
/* }===== */

/* {===== the .npy header */
typedef struct hparse { const char *s, *e; } hparse;

static void skip_ws(hparse *p) {
  while (p->s < p->e && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')) p->s++;
}

/* A quoted string (Python's ' or "); no escapes are needed in the three
** keys or a dtype descr, so a backslash is refused. */
static int hstring(hparse *p, char *out, size_t cap) {
  char q;
  size_t n = 0;
  if (p->s >= p->e || (*p->s != '\'' && *p->s != '"')) return 0;
  q = *p->s++;
  while (p->s < p->e && *p->s != q) {
    if (*p->s == '\\' || n + 1 >= cap) return 0;
    out[n++] = *p->s++;
  }
  if (p->s >= p->e) return 0;
  p->s++;
  out[n] = '\0';
  return 1;
}

static int hword(hparse *p, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(p->e - p->s) < n || memcmp(p->s, w, n) != 0) return 0;
  p->s += n;
  return 1;
}

static int herr(lu_ctx *ctx, const char *name, const char *what) {
  return lu_seterr(ctx, LU_EARG, "%s: bad .npy header: %s", name, what);
}

/* descr -> dtype, byte swap */
static int parse_descr(lu_ctx *ctx, const char *name, const char *d, lu_npy_header *h) {
  char order = d[0], kind;
  const char *q = d;
  long size = 0;
  int dt;
  if (order == '<' || order == '>' || order == '|' || order == '=') q++;
  else order = '=';
  if (*q == '\0') return lu_seterr(ctx, LU_ETYPE, "%s: unsupported dtype descr '%s'", name, d);
  kind = *q++;
  if (kind == 'O')
    return lu_seterr(ctx, LU_ETYPE,
                     "%s: the file holds Python objects (dtype '%s'), which only unpickling could load; lunar never unpickles (NumPy's allow_pickle)",
                     name, d);
  if (*q < '0' || *q > '9')
    return lu_seterr(ctx, LU_ETYPE, "%s: unsupported dtype descr '%s'", name, d);
  while (*q >= '0' && *q <= '9' && size < 1000) size = size * 10 + (*q++ - '0');
  if (*q != '\0') return lu_seterr(ctx, LU_ETYPE, "%s: unsupported dtype descr '%s'", name, d);
  dt = -1;
  switch (kind) {
    case 'b': if (size == 1) dt = LU_BOOL; break;
    case 'i': dt = size == 1 ? LU_INT8 : size == 2 ? LU_INT16 : size == 4 ? LU_INT32
                    : size == 8 ? LU_INT64 : -1; break;
    case 'u': dt = size == 1 ? LU_UINT8 : size == 2 ? LU_UINT16 : size == 4 ? LU_UINT32
                    : size == 8 ? LU_UINT64 : -1; break;
    case 'f': dt = size == 2 ? LU_FLOAT16 : size == 4 ? LU_FLOAT32 : size == 8 ? LU_FLOAT64
                    : -1; break;
    case 'c': dt = size == 8 ? LU_COMPLEX64 : size == 16 ? LU_COMPLEX128 : -1; break;
    default: break;
  }
  if (dt < 0)
    return lu_seterr(ctx, LU_ETYPE,
                     "%s: dtype '%s' is not supported (lunar has bool, int8..int64, uint8..uint64, float16/32/64 and complex64/128 arrays)",
                     name, d);
  h->dt = (lu_dtype)dt;
  h->swap = size > 1 && ((order == '>' && little_endian()) || (order == '<' && !little_endian()));
  return LU_OK;
}

static int parse_shape(lu_ctx *ctx, const char *name, hparse *p, lu_npy_header *h) {
  h->ndim = 0;
  if (!hword(p, "(")) return herr(ctx, name, "'shape' must be a tuple");
  for (;;) {
    int64_t v = 0;
    skip_ws(p);
    if (hword(p, ")")) break;
    if (p->s >= p->e || *p->s < '0' || *p->s > '9')
      return herr(ctx, name, "'shape' must be a tuple of non-negative integers");
    while (p->s < p->e && *p->s >= '0' && *p->s <= '9') {
      if (!lu_size_mul(v, 10, &v) || !lu_size_add(v, *p->s - '0', &v))
        return lu_seterr(ctx, LU_EMEM, "%s: a length in the shape is too big", name);
      p->s++;
    }
    if (h->ndim >= LU_MAXDIM)
      return lu_seterr(ctx, LU_EARG, "%s: the shape has more than %d dimensions (lunar's most)",
                       name, LU_MAXDIM);
    h->shape[h->ndim++] = v;
    skip_ws(p);
    if (hword(p, ",")) continue;
    skip_ws(p);
    if (hword(p, ")")) break;
    return herr(ctx, name, "'shape' must be a tuple of non-negative integers");
  }
  if (h->ndim == 1 && p->s[-1] == ')') {
    /* (3) is the integer 3 in Python, not a tuple: NumPy writes (3,) */
    const char *b = p->s - 2;
    while (*b == ' ') b--;
    if (*b != ',') return herr(ctx, name, "'shape' must be a tuple (a one-element tuple is written (n,))");
  }
  return LU_OK;
}

/* The dict literal NumPy writes: {'descr': '<f8', 'fortran_order': False,
** 'shape': (3, 4), } in any key order, each key once. */
static int parse_dict(lu_ctx *ctx, const char *name, const char *s, size_t n, lu_npy_header *h) {
  hparse p;
  int seen = 0, st;
  p.s = s;
  p.e = s + n;
  skip_ws(&p);
  if (!hword(&p, "{")) return herr(ctx, name, "it is not a dict");
  for (;;) {
    char key[32], val[64];
    skip_ws(&p);
    if (hword(&p, "}")) break;
    if (!hstring(&p, key, sizeof key)) return herr(ctx, name, "a key is not a short string");
    skip_ws(&p);
    if (!hword(&p, ":")) return herr(ctx, name, "':' expected after a key");
    skip_ws(&p);
    if (strcmp(key, "descr") == 0 && !(seen & 1)) {
      if (p.s < p.e && *p.s == '[')
        return lu_seterr(ctx, LU_ETYPE, "%s: structured dtypes (a list descr) are not supported", name);
      if (!hstring(&p, val, sizeof val)) return herr(ctx, name, "'descr' must be a dtype string");
      if ((st = parse_descr(ctx, name, val, h)) != LU_OK) return st;
      seen |= 1;
    } else if (strcmp(key, "fortran_order") == 0 && !(seen & 2)) {
      if (hword(&p, "True")) h->fortran = 1;
      else if (hword(&p, "False")) h->fortran = 0;
      else return herr(ctx, name, "'fortran_order' must be True or False");
      seen |= 2;
    } else if (strcmp(key, "shape") == 0 && !(seen & 4)) {
      if ((st = parse_shape(ctx, name, &p, h)) != LU_OK) return st;
      seen |= 4;
    } else {
      return lu_seterr(ctx, LU_EARG, "%s: bad .npy header: unexpected or repeated key '%s'", name, key);
    }
    skip_ws(&p);
    if (hword(&p, ",")) continue;
    skip_ws(&p);
    if (hword(&p, "}")) break;
    return herr(ctx, name, "',' or '}' expected");
  }
  skip_ws(&p);
  if (p.s != p.e) return herr(ctx, name, "text after the dict");
  if (seen != 7) return herr(ctx, name, "it must have the keys 'descr', 'fortran_order' and 'shape'");
  return LU_OK;
}

int lu_npy_read_header(lu_ctx *ctx, const char *name, lu_reader *r, lu_npy_header *h) {
  unsigned char pre[12];
  char text[NPY_MAX_HEADER + 1];
  size_t prefix, hlen;
  int64_t size, nbytes;
  int st;
  memset(h, 0, sizeof *h);
  if ((st = read_exact(ctx, name, r, pre, 8, "the .npy preamble")) != LU_OK) return st;
  if (memcmp(pre, "\x93NUMPY", 6) != 0)
    return lu_seterr(ctx, LU_EARG, "%s: not a .npy file (it does not start with \\x93NUMPY)", name);
  if ((pre[6] != 1 && pre[6] != 2 && pre[6] != 3) || pre[7] != 0)
    return lu_seterr(ctx, LU_EARG,
                     "%s: unsupported .npy format version %d.%d (lunar reads 1.0, 2.0 and 3.0)",
                     name, pre[6], pre[7]);
  h->version = pre[6];
  if (pre[6] == 1) {
    if ((st = read_exact(ctx, name, r, pre + 8, 2, "the header length")) != LU_OK) return st;
    hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    prefix = 10;
  } else {
    if ((st = read_exact(ctx, name, r, pre + 8, 4, "the header length")) != LU_OK) return st;
    hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    prefix = 12;
  }
  if (hlen > NPY_MAX_HEADER)
    return lu_seterr(ctx, LU_EARG,
                     "%s: the .npy header is %zu bytes, more than NumPy allows (%d): refused as unsafe",
                     name, hlen, NPY_MAX_HEADER);
  if ((st = read_exact(ctx, name, r, text, hlen, "the .npy header")) != LU_OK) return st;
  text[hlen] = '\0';
  if (memchr(text, '\0', hlen) != NULL) return herr(ctx, name, "it holds a zero byte");
  if ((st = parse_dict(ctx, name, text, hlen, h)) != LU_OK) return st;
  st = lu_shape_check(ctx, name, h->ndim, h->shape, lu_dtype_size(h->dt), &size);
  if (st != LU_OK) return st;
  if (!lu_size_mul(size, lu_dtype_size(h->dt), &nbytes))
    return lu_seterr(ctx, LU_EMEM, "%s: the array is too big", name);
  h->size = size;
  h->nbytes = nbytes;
  h->data_off = (int64_t)(prefix + hlen);
  if (r->avail >= 0 && nbytes > r->avail - h->data_off) {
    char sb[LU_MAXDIM * 24];
    return lu_seterr(ctx, LU_EARG,
                     "%s: truncated file: shape %s of %s needs %lld bytes of data, the file holds %lld",
                     name, lu_shape_str(h->ndim, h->shape, sb, sizeof sb), lu_dtype_name(h->dt),
                     (long long)nbytes, (long long)(r->avail - h->data_off));
  }
  return LU_OK;
}

/* Reverse the bytes of n items of k bytes each, in place. */
static void swap_bytes(char *p, int64_t n, int k) {
  int64_t i;
  int j;
  for (i = 0; i < n; i++, p += k)
    for (j = 0; j < k / 2; j++) {
      char t = p[j];
      p[j] = p[k - 1 - j];
      p[k - 1 - j] = t;
    }
}

/* The data's bytes, as the file holds them, turned into lunar's: byte
** order, and bools as 0/1. */
static void fix_data(const lu_npy_header *h, char *p) {
  if (h->swap) {
    int k = lu_dtype_size(h->dt);
    int64_t n = h->size;
    if (h->dt == LU_COMPLEX64 || h->dt == LU_COMPLEX128) { n *= 2; k /= 2; }
    swap_bytes(p, n, k);
  }
  if (h->dt == LU_BOOL) {
    int64_t i;
    for (i = 0; i < h->size; i++) p[i] = p[i] != 0;
  }
}

/* A C-contiguous array of shape (reversed for Fortran order) made a view
** of the file's layout. */
static int finish_order(lu_ctx *ctx, lu_array *out, const lu_npy_header *h) {
  lu_array t;
  int st;
  if (!h->fortran || h->ndim < 2) return LU_OK;
  st = lu_transpose(ctx, &t, out, NULL);
  lu_array_release(out);
  if (st != LU_OK) return st;
  *out = t;
  return LU_OK;
}

int lu_npy_read_data(lu_ctx *ctx, lu_array *out, const char *name, lu_reader *r,
                     const lu_npy_header *h, lu_device dev) {
  int64_t shape[LU_MAXDIM];
  int i, st;
  char *host;
  out->buf = NULL;
  for (i = 0; i < h->ndim; i++) shape[i] = h->fortran ? h->shape[h->ndim - 1 - i] : h->shape[i];
  if (dev.type == LU_DEV_CPU) {
    if ((st = lu_empty(ctx, out, h->dt, h->ndim, shape, dev)) != LU_OK) return st;
    if (h->nbytes > 0) {
      host = lu_array_data(out);
      if ((st = read_exact(ctx, name, r, host, (size_t)h->nbytes, "the array data")) != LU_OK) {
        lu_array_release(out);
        return st;
      }
      fix_data(h, host);
    }
  } else {
    host = lu_malloc(h->nbytes > 0 ? (size_t)h->nbytes : 1);
    if (host == NULL)
      return lu_seterr(ctx, LU_EMEM, "%s: out of memory: requested %lld bytes on the host", name,
                       (long long)h->nbytes);
    st = h->nbytes > 0 ? read_exact(ctx, name, r, host, (size_t)h->nbytes, "the array data") : LU_OK;
    if (st == LU_OK) {
      fix_data(h, host);
      st = lu_from_host(ctx, out, h->dt, h->ndim, shape, dev, host);
    }
    free(host);
    if (st != LU_OK) return st;
  }
  return finish_order(ctx, out, h);
}

/* The file's pages as the array's memory (the CPU backend's io family). */
static int npy_map(lu_ctx *ctx, lu_array *out, const char *name, FILE *f, const lu_npy_header *h) {
  lu_device cpu = {LU_DEV_CPU, 0};
  const lu_io_family *io = lu_family(ctx, name, cpu, io);
  void *p;
  lu_array a;
  int i, st;
  if (io == NULL) return ctx->err;
  if (io->map_file == NULL) return lu_unavailable(ctx, name, cpu);
  if (h->swap)
    return lu_seterr(ctx, LU_EARG,
                     "%s: mmap_mode: the file's data is in the other byte order; load it without mmap_mode (it is then swapped)",
                     name);
  if (h->data_off % lu_dtype_size(h->dt) != 0)
    return lu_seterr(ctx, LU_EARG,
                     "%s: mmap_mode: the data starts at byte %lld, not aligned for %s; load it without mmap_mode",
                     name, (long long)h->data_off, lu_dtype_name(h->dt));
  ctx->op = name;
  if ((st = io->map_file(ctx, fileno(f), (size_t)(h->data_off + h->nbytes), &p)) != LU_OK) return st;
  memset(&a, 0, sizeof a);
  a.dtype = h->dt;
  a.ndim = h->ndim;
  for (i = 0; i < h->ndim; i++) a.shape[i] = h->fortran ? h->shape[h->ndim - 1 - i] : h->shape[i];
  lu_contig_strides(a.ndim, a.shape, lu_dtype_size(a.dtype), a.strides);
  lu_array_update(&a);
  a.offset = h->data_off;
  if ((st = lu_buffer_adopt(ctx, &a.buf, cpu, p, (size_t)(h->data_off + h->nbytes))) != LU_OK)
    return st;
  *out = a;
  return finish_order(ctx, out, h);
}

int lu_npy_load(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_device dev,
                int mmap) {
  lu_reader r;
  lu_npy_header h;
  int st;
  out->buf = NULL;
  if (mmap && dev.type != LU_DEV_CPU) {
    char ds[16];
    return lu_seterr(ctx, LU_EARG,
                     "%s: mmap_mode maps the file into host memory: device must be 'cpu', got %s",
                     name, lu_device_str(dev, ds));
  }
  if ((st = lu_file_reader(ctx, name, path, &r)) != LU_OK) return st;
  st = lu_npy_read_header(ctx, name, &r, &h);
  if (st == LU_OK) {
    if (mmap && h.nbytes > 0 && r.avail >= 0) st = npy_map(ctx, out, name, (FILE *)r.ud, &h);
    else st = lu_npy_read_data(ctx, out, name, &r, &h, dev);
  }
  lu_file_reader_close(&r);
  return st;
}

int lu_file_kind(lu_ctx *ctx, const char *name, const char *path, int *kind) {
  lu_reader r;
  unsigned char m[6] = {0};
  int64_t got;
  int st;
  if ((st = lu_file_reader(ctx, name, path, &r)) != LU_OK) return st;
  got = r.read(r.ud, m, sizeof m);
  lu_file_reader_close(&r);
  /* a file cut inside the magic is a truncated file of that kind */
  if (got > 0 && memcmp(m, "\x93NUMPY", (size_t)(got < 6 ? got : 6)) == 0) {
    *kind = LU_FILE_NPY;
    return LU_OK;
  }
  if ((got >= 4 && m[0] == 'P' && m[1] == 'K' &&
       ((m[2] == 3 && m[3] == 4) || (m[2] == 5 && m[3] == 6))) ||
      (got > 0 && got < 4 && memcmp(m, "PK\3\4", (size_t)got) == 0)) {
    *kind = LU_FILE_NPZ;
    return LU_OK;
  }
  if (got >= 1 && m[0] == 0x80)
    return lu_seterr(ctx, LU_EARG,
                     "%s: '%s' holds pickled data, which lunar never unpickles (NumPy's allow_pickle)",
                     name, path);
  if (got <= 0) return lu_seterr(ctx, LU_EARG, "%s: '%s' is empty", name, path);
  return lu_seterr(ctx, LU_EARG, "%s: '%s' is not a .npy or .npz file (no NumPy or zip magic)",
                   name, path);
}
/* }===== */

/* {===== writing */
int lu_host_bytes(lu_ctx *ctx, const char *name, const lu_array *a, const char **p, char **tmp) {
  size_t n = (size_t)a->size * (size_t)lu_array_itemsize(a);
  int st;
  *tmp = NULL;
  *p = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (lu_array_device(a).type == LU_DEV_CPU && lu_array_is_contig(a)) {
    *p = a->size ? lu_array_data(a) : "";
    return LU_OK;
  }
  *tmp = malloc(n ? n : 1);
  if (*tmp == NULL)
    return lu_seterr(ctx, LU_EMEM, "%s: out of memory: requested %zu bytes on the host", name, n);
  if ((st = lu_to_host(ctx, a, *tmp)) != LU_OK) {
    free(*tmp);
    *tmp = NULL;
    return st;
  }
  *p = *tmp;
  return LU_OK;
}

/* F-contiguous and not C-contiguous, as NumPy's save decides it. */
static int is_fortran(const lu_array *a) {
  int64_t s = lu_array_itemsize(a);
  int i;
  if (a->ndim < 2 || lu_array_is_contig(a)) return 0;
  for (i = 0; i < a->ndim; i++) {
    if (a->shape[i] == 1) continue;
    if (a->strides[i] != s) return 0;
    s *= a->shape[i];
  }
  return 1;
}

static const char *descr_of(lu_dtype dt) {
  switch (dt) {
    case LU_BOOL: return "|b1";
    case LU_INT8: return "|i1";
    case LU_UINT8: return "|u1";
    case LU_INT16: return "<i2";
    case LU_UINT16: return "<u2";
    case LU_INT32: return "<i4";
    case LU_UINT32: return "<u4";
    case LU_INT64: return "<i8";
    case LU_UINT64: return "<u8";
    case LU_FLOAT16: return "<f2";
    case LU_FLOAT32: return "<f4";
    case LU_FLOAT64: return "<f8";
    case LU_COMPLEX64: return "<c8";
    case LU_COMPLEX128: return "<c16";
    default: return NULL;
  }
}

int lu_npy_prepare(lu_ctx *ctx, const char *name, const lu_array *a, lu_npy_out *o) {
  lu_array src;
  char dict[LU_MAXDIM * 24 + 128];
  size_t n, total, prefix;
  int i, st, fortran;
  lu_dtype dt;
  memset(o, 0, sizeof *o);
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (!little_endian())
    return lu_seterr(ctx, LU_EARG, "%s: writing .npy on a big-endian host is not supported", name);
  fortran = is_fortran(a);
  /* the bytes in file order: a Fortran array's transpose is C-contiguous */
  if (fortran) {
    if ((st = lu_transpose(ctx, &src, a, NULL)) != LU_OK) goto fail;
  } else {
    lu_array_share(&src, a);
  }
  /* NumPy has no bfloat16: its values are exact in float32, which it reads */
  if (a->dtype == LU_BFLOAT16) {
    st = lu_astype(ctx, &o->conv, &src, LU_FLOAT32);
    lu_array_release(&src);
    if (st != LU_OK) goto fail;
    lu_array_share(&src, &o->conv);
  }
  st = lu_host_bytes(ctx, name, &src, &o->data, &o->tmp);
  if (st == LU_OK && o->tmp == NULL) lu_array_share(&o->keep, &src);   /* o->data points into it */
  lu_array_release(&src);
  if (st != LU_OK) goto fail;
  dt = a->dtype == LU_BFLOAT16 ? LU_FLOAT32 : a->dtype;
  o->nbytes = (size_t)a->size * (size_t)lu_dtype_size(dt);
  n = (size_t)snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': (",
                       descr_of(dt), fortran ? "True" : "False");
  for (i = 0; i < a->ndim; i++)
    n += (size_t)snprintf(dict + n, sizeof dict - n, i == 0 ? "%lld," : " %lld,",
                          (long long)a->shape[i]);
  if (a->ndim > 1) n--;   /* (3, 4) but (3,) */
  n += (size_t)snprintf(dict + n, sizeof dict - n, "), }");
  /* magic, version, length, the dict, spaces and '\n' up to a multiple of 64 */
  prefix = n + 1 + 10 > 65535 ? 12 : 10;
  total = (prefix + n + 1 + 63) / 64 * 64;
  o->hlen = total;
  memcpy(o->head, "\x93NUMPY", 6);
  o->head[6] = prefix == 10 ? 1 : 2;
  o->head[7] = 0;
  {
    size_t hl = total - prefix;
    o->head[8] = (char)(hl & 0xff);
    o->head[9] = (char)(hl >> 8 & 0xff);
    if (prefix == 12) {
      o->head[10] = (char)(hl >> 16 & 0xff);
      o->head[11] = (char)(hl >> 24 & 0xff);
    }
  }
  memcpy(o->head + prefix, dict, n);
  memset(o->head + prefix + n, ' ', total - prefix - n - 1);
  o->head[total - 1] = '\n';
  return LU_OK;
fail:
  lu_npy_done(o);
  return st;
}

void lu_npy_done(lu_npy_out *o) {
  free(o->tmp);
  o->tmp = NULL;
  if (o->keep.buf) lu_array_release(&o->keep);
  if (o->conv.buf) lu_array_release(&o->conv);
}

static int write_all(lu_ctx *ctx, const char *name, const char *path, FILE *f, const void *p,
                     size_t n) {
  if (n && fwrite(p, 1, n, f) != n)
    return lu_seterr(ctx, LU_EARG, "%s: cannot write '%s': %s", name, path, strerror(errno));
  return LU_OK;
}

static int open_write(lu_ctx *ctx, const char *name, const char *path, FILE **f) {
  *f = fopen(path, "wb");
  if (*f == NULL)
    return lu_seterr(ctx, LU_EARG, "%s: cannot open '%s' for writing: %s", name, path,
                     strerror(errno));
  return LU_OK;
}

static int close_write(lu_ctx *ctx, const char *name, const char *path, FILE *f, int st) {
  if (fclose(f) != 0 && st == LU_OK)
    return lu_seterr(ctx, LU_EARG, "%s: cannot write '%s': %s", name, path, strerror(errno));
  return st;
}

int lu_npy_save(lu_ctx *ctx, const char *name, const char *path, const lu_array *a) {
  lu_npy_out o;
  FILE *f;
  int st;
  if ((st = lu_npy_prepare(ctx, name, a, &o)) != LU_OK) return st;
  if ((st = open_write(ctx, name, path, &f)) == LU_OK) {
    st = write_all(ctx, name, path, f, o.head, o.hlen);
    if (st == LU_OK) st = write_all(ctx, name, path, f, o.data, o.nbytes);
    st = close_write(ctx, name, path, f, st);
  }
  lu_npy_done(&o);
  return st;
}
/* }===== */

/* {===== raw bytes */
int lu_tofile(lu_ctx *ctx, const char *name, const char *path, const lu_array *a) {
  const char *p;
  char *tmp;
  FILE *f;
  int st;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if ((st = lu_host_bytes(ctx, name, a, &p, &tmp)) != LU_OK) return st;
  if ((st = open_write(ctx, name, path, &f)) == LU_OK) {
    st = write_all(ctx, name, path, f, p, (size_t)a->size * (size_t)lu_array_itemsize(a));
    st = close_write(ctx, name, path, f, st);
  }
  free(tmp);
  return st;
}

int lu_fromfile(lu_ctx *ctx, lu_array *out, const char *name, const char *path, lu_dtype dt,
                int64_t count, int64_t offset, lu_device dev) {
  lu_reader r;
  lu_npy_header h;
  int64_t n, item = lu_dtype_size(dt);
  int st;
  out->buf = NULL;
  if (offset < 0) return lu_seterr(ctx, LU_EARG, "%s: offset must be non-negative, got %lld", name,
                                   (long long)offset);
  if ((st = lu_file_reader(ctx, name, path, &r)) != LU_OK) return st;
  if (r.avail < 0) {
    lu_file_reader_close(&r);
    return lu_seterr(ctx, LU_EARG, "%s: '%s' is not a regular file", name, path);
  }
  if (offset > r.avail) {
    lu_file_reader_close(&r);
    return lu_seterr(ctx, LU_EARG, "%s: offset %lld is past the end of '%s' (%lld bytes)", name,
                     (long long)offset, path, (long long)r.avail);
  }
  n = (r.avail - offset) / item;
  if (count >= 0 && count < n) n = count;
  if (fseeko((FILE *)r.ud, (off_t)offset, SEEK_SET) != 0) {
    lu_file_reader_close(&r);
    return lu_seterr(ctx, LU_EARG, "%s: cannot seek in '%s': %s", name, path, strerror(errno));
  }
  memset(&h, 0, sizeof h);
  h.dt = dt;
  h.ndim = 1;
  h.shape[0] = n;
  h.size = n;
  h.nbytes = n * item;
  st = lu_npy_read_data(ctx, out, name, &r, &h, dev);
  lu_file_reader_close(&r);
  return st;
}
/* }===== */
