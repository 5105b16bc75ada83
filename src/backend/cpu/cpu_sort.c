/* SPDX-License-Identifier: MIT */
/*
** The sort family on the CPU: stable sorts of rows (argsort too), gather
** and scatter, runs of sorted keys, and the order-statistics entry
** (quantile). Scans, searching and binning are in cpu_scan.c.
**
** Every dtype is first mapped to an unsigned integer key of its width that
** orders as NumPy does (keys below): signed integers with the sign bit
** flipped, floats by their bits made monotonic, with -0.0 mapped to 0.0 and
** every NaN to the largest key (NaN after +inf). Sorting is then a stable
** LSD radix sort on those keys, 8 bits a pass, passes whose digit is the
** same for every key skipped; a long row is sorted by several threads (one
** block of the row each, per-block offsets, so it stays stable); many rows
** are shared out between threads. Short rows use an insertion sort.
** Sorted values are written back through the inverse map; since -0.0 and
** NaN payloads do not survive the map, a row that had them gets their bits
** back in input order (its zeros and its NaNs are each one run of equal
** keys, and the sort is stable).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cpu_internal.h"
#include "cpu_pool.h"
#include "lu_quant.h"
#include "lu_hostmem.h"

#define U_1 uint8_t
#define U_2 uint16_t
#define U_4 uint32_t
#define U_8 uint64_t
#define ISNAN(x) ((x) != (x))

/* {===== keys
** The radix sort's keys (rkey_*, rval_* below) flag what they cannot give
** back: 1 a NaN was seen (its payload), 2 a -0.0 (its sign). */
#define KF_NAN 1
#define KF_NEGZERO 2

/* After a stable sort of a float row whose keys lost the sign of -0.0 or
** the payload of NaNs: put the input's bits back, in input order, into the
** run of zeros and the run of NaNs of the sorted output. */
static void restore_specials(int size, const char *in, char *out, int64_t n, int flags) {
  int64_t i, j;
  if (size == 4) {
    const float *x = (const float *)in;
    float *y = (float *)out;
    if (flags & KF_NAN) {
      for (j = n; j > 0 && ISNAN(y[j - 1]); j--) {}
      for (i = 0; i < n; i++) if (ISNAN(x[i])) y[j++] = x[i];
    }
    if (flags & KF_NEGZERO) {
      for (j = 0; j < n && y[j] != 0.0f; j++) {}
      for (i = 0; i < n; i++) if (x[i] == 0.0f) y[j++] = x[i];
    }
  } else if (size == 8) {
    const double *x = (const double *)in;
    double *y = (double *)out;
    if (flags & KF_NAN) {
      for (j = n; j > 0 && ISNAN(y[j - 1]); j--) {}
      for (i = 0; i < n; i++) if (ISNAN(x[i])) y[j++] = x[i];
    }
    if (flags & KF_NEGZERO) {
      for (j = 0; j < n && y[j] != 0.0; j++) {}
      for (i = 0; i < n; i++) if (x[i] == 0.0) y[j++] = x[i];
    }
  }
}
/* }===== */

/* {===== radix sort
** LSD, with 11-bit digits for long rows of keys of 4 or 8 bytes (3 or 6
** passes) and 8-bit digits otherwise (2048 counters cost more than a pass
** saves on a short row). One read first counts every pass's digits
** (and notes NaN and -0.0); passes whose digit is the same for every key
** are skipped. The first pass maps the input to keys as it scatters them,
** and the last writes the values back (and the positions, as int64 plus
** base) straight into the outputs, so no pass only converts. A long row is
** split into nb blocks sorted by the pool's threads: each block's counts
** give it its own offsets, so the result is the same stable order. */
#define RADIX_SMALL 24

/* The passes: digit width, how many, their counts. */
typedef struct rplan {
  int bits, npass, pass[8];     /* the passes that are not skipped */
  int64_t (*cnt)[2048];         /* nb * 8 rows: block b, pass p at [b * 8 + p] */
  int nb;
  int64_t n;
} rplan;

/* The job of one block of one pass, for the pool. */
typedef struct rjob {
  rplan *pl;
  const void *in;               /* typed input (first pass) */
  void *ksrc, *kdst;            /* key buffers */
  uint32_t *psrc, *pdst;        /* position buffers (NULL: none) */
  void *out;                    /* typed output (last pass), may be NULL */
  int64_t *idx, base;           /* positions out (last pass), may be NULL */
  int p, first, last, want_pos, desc;
  int flags[64];                /* per block (count job) */
} rjob;

#define RSORT_FNS(E, name, T, size, kind, sh) \
  static inline U_##size rkey_##sh(T v, int *fl) { \
    typedef U_##size U; \
    const U top = (U)((U)1 << (8 * size - 1)); \
    U u; \
    if (kind == 'f') { \
      memcpy(&u, &v, sizeof u); \
      if (ISNAN(v)) { *fl |= KF_NAN; return (U)~(U)0; } \
      if (u == top) { *fl |= KF_NEGZERO; u = 0; } \
      return (u & top) ? (U)~u : (U)(u | top); \
    } \
    if (kind == 'i') return (U)((U)v ^ top); \
    memcpy(&u, &v, sizeof u); \
    return u; \
  } \
  /* descending order (NaN still last): every other key complemented */ \
  static inline U_##size rdir_##sh(U_##size k, int desc) { \
    typedef U_##size U; \
    if (!desc) return k; \
    if (kind == 'f' && k == (U)~(U)0) return k; \
    return (U)~k; \
  } \
  static inline T rval_##sh(U_##size k) { \
    typedef U_##size U; \
    const U top = (U)((U)1 << (8 * size - 1)); \
    T v; U u; \
    if (kind == 'f') { u = (k & top) ? (U)(k ^ top) : (U)~k; memcpy(&v, &u, sizeof v); return v; } \
    if (kind == 'i') return (T)(U)(k ^ top); \
    memcpy(&v, &k, sizeof v); \
    return v; \
  } \
  /* counts of block b over every pass (the input's keys) */ \
  static void rcount0_##sh(void *arg, int64_t b) { \
    rjob *j = arg; rplan *pl = j->pl; \
    const T *in = j->in; \
    int64_t lo = pl->n * b / pl->nb, hi = pl->n * (b + 1) / pl->nb, i; \
    int np = (8 * size + pl->bits - 1) / pl->bits, p, fl = 0; \
    const unsigned mask = (1u << pl->bits) - 1; \
    int64_t (*c)[2048] = pl->cnt + b * 8; \
    for (p = 0; p < np; p++) memset(c[p], 0, sizeof(int64_t) << pl->bits); \
    for (i = lo; i < hi; i++) { \
      U_##size k = rdir_##sh(rkey_##sh(in[i], &fl), j->desc); \
      for (p = 0; p < np; p++) c[p][(unsigned)(k >> (p * pl->bits)) & mask]++; \
    } \
    j->flags[b] = fl; \
  } \
  /* counts of block b for pass p (the keys as they are now) */ \
  static void rcount_##sh(void *arg, int64_t b) { \
    rjob *j = arg; rplan *pl = j->pl; \
    const U_##size *k = j->ksrc; \
    int64_t lo = pl->n * b / pl->nb, hi = pl->n * (b + 1) / pl->nb, i; \
    const unsigned mask = (1u << pl->bits) - 1, sh = (unsigned)(j->p * pl->bits); \
    int64_t *c = pl->cnt[b * 8 + j->p]; \
    memset(c, 0, sizeof(int64_t) << pl->bits); \
    for (i = lo; i < hi; i++) c[(unsigned)(k[i] >> sh) & mask]++; \
  } \
  /* the scatter of block b in pass j->p: the loops for each pair of */ \
  /* source (input or keys) and destination (keys or outputs) */ \
  static void rscatter_##sh(void *arg, int64_t b) { \
    typedef U_##size U; \
    rjob *j = arg; rplan *pl = j->pl; \
    int64_t lo = pl->n * b / pl->nb, hi = pl->n * (b + 1) / pl->nb, i, q; \
    const unsigned mask = (1u << pl->bits) - 1, sh = (unsigned)(j->p * pl->bits); \
    int64_t *off = pl->cnt[b * 8 + j->p]; \
    int fl = 0; \
    const T *in = j->in; T *out = j->out; int64_t *idx = j->idx; \
    const U *ks = j->ksrc; U *kd = j->kdst; \
    const uint32_t *ps = j->psrc; uint32_t *pd = j->pdst; \
    if (j->first && j->last) { \
      for (i = lo; i < hi; i++) { \
        U k = rdir_##sh(rkey_##sh(in[i], &fl), j->desc); q = off[(unsigned)(k >> sh) & mask]++; \
        if (out) out[q] = in[i]; \
        if (idx) idx[q] = i + j->base; \
      } \
    } else if (j->first) { \
      if (pd) { for (i = lo; i < hi; i++) { U k = rdir_##sh(rkey_##sh(in[i], &fl), j->desc); q = off[(unsigned)(k >> sh) & mask]++; kd[q] = k; pd[q] = (uint32_t)i; } } \
      else { for (i = lo; i < hi; i++) { U k = rdir_##sh(rkey_##sh(in[i], &fl), j->desc); kd[off[(unsigned)(k >> sh) & mask]++] = k; } } \
    } else if (j->last) { \
      if (out && idx) { for (i = lo; i < hi; i++) { U k = ks[i]; q = off[(unsigned)(k >> sh) & mask]++; out[q] = rval_##sh(rdir_##sh(k, j->desc)); idx[q] = (int64_t)ps[i] + j->base; } } \
      else if (idx) { for (i = lo; i < hi; i++) { q = off[(unsigned)(ks[i] >> sh) & mask]++; idx[q] = (int64_t)ps[i] + j->base; } } \
      else { for (i = lo; i < hi; i++) { U k = ks[i]; out[off[(unsigned)(k >> sh) & mask]++] = rval_##sh(rdir_##sh(k, j->desc)); } } \
    } else { \
      if (pd) { for (i = lo; i < hi; i++) { U k = ks[i]; q = off[(unsigned)(k >> sh) & mask]++; kd[q] = k; pd[q] = ps[i]; } } \
      else { for (i = lo; i < hi; i++) { U k = ks[i]; kd[off[(unsigned)(k >> sh) & mask]++] = k; } } \
    } \
  } \
  /* insertion sort of a short row, in place on keys with positions */ \
  static void rsmall_##sh(const T *in, T *out, int64_t *idx, int64_t base, int64_t n, int desc) { \
    U_##size k[RADIX_SMALL]; int64_t pos[RADIX_SMALL]; int fl = 0; \
    for (int64_t i = 0; i < n; i++) { \
      U_##size x = rdir_##sh(rkey_##sh(in[i], &fl), desc); int64_t m = i; \
      while (m > 0 && k[m - 1] > x) { k[m] = k[m - 1]; pos[m] = pos[m - 1]; m--; } \
      k[m] = x; pos[m] = i; \
    } \
    for (int64_t i = 0; i < n; i++) { \
      if (out) out[i] = in[pos[i]]; \
      if (idx) idx[i] = pos[i] + base; \
    } \
  }
LU_DTYPES_NATIVE(RSORT_FNS)

typedef void (*rbody)(void *, int64_t);
#define RPTRS(E, name, T, size, kind, sh) {rcount0_##sh, rcount_##sh, rscatter_##sh},
static const rbody rfns[LU_NDTYPES][3] = { LU_DTYPES_NATIVE(RPTRS) };
typedef void (*rsmallfn)(const void *, void *, int64_t *, int64_t, int64_t, int);
#define RSMALL_PTR(E, name, T, size, kind, sh) (rsmallfn)rsmall_##sh,
static const rsmallfn rsmall[LU_NDTYPES] = { LU_DTYPES_NATIVE(RSMALL_PTR) };

/* Run fn over the nb blocks: on the pool, or here when there is one. */
static void blocks(int nb, rbody fn, rjob *j) {
  if (nb == 1) fn(j, 0);
  else lu_cpu_parallel(nb, fn, j);
}

/* Sort one row of n values (in) into out and/or idx. scratch: room for
** two key buffers and, with idx, two position buffers (radix_scratch).
** Returns the NaN/-0.0 flags of the row. */
static int radix_row(lu_dtype dt, const void *in, void *out, int64_t *idx, int64_t base,
                     int64_t n, int nb, char *scratch, int64_t (*cnt)[2048], int desc) {
  int w = lu_cpu_dsize[dt], fl = 0, b, k, which = 0;
  rplan pl;
  rjob j;
  size_t kb = ((size_t)n * (size_t)w + 63) & ~(size_t)63;
  if (n <= RADIX_SMALL) {
    rsmall[dt](in, out, idx, base, n, desc);
    for (int64_t i = 0; i < n && lu_cpu_dkind[dt] == 'f'; i++) {
      /* flags for restore_specials */
      if (w == 4) { float v = ((const float *)in)[i]; if (ISNAN(v)) fl |= KF_NAN; else if (v == 0 && signbit(v)) fl |= KF_NEGZERO; }
      else if (w == 8) { double v = ((const double *)in)[i]; if (ISNAN(v)) fl |= KF_NAN; else if (v == 0 && signbit(v)) fl |= KF_NEGZERO; }
    }
    return fl;
  }
  memset(&pl, 0, sizeof pl);
  memset(&j, 0, sizeof j);
  pl.bits = w >= 4 && n >= 65536 ? 11 : 8;   /* 2048 buckets only pay on long rows */
  pl.nb = nb;
  pl.n = n;
  pl.cnt = cnt;
  j.pl = &pl;
  j.in = in;
  j.desc = desc;
  blocks(nb, rfns[dt][0], &j);
  for (b = 0; b < nb; b++) fl |= j.flags[b];
  /* the passes to run: a digit shared by every key sorts nothing */
  {
    int np = (8 * w + pl.bits - 1) / pl.bits, p;
    for (p = 0; p < np; p++) {
      int64_t tot = 0;
      int d, skip = 0;
      for (d = 0; d < (1 << pl.bits) && !skip; d++) {
        tot = 0;
        for (b = 0; b < nb; b++) tot += cnt[b * 8 + p][d];
        skip = tot == n;
      }
      if (!skip) pl.pass[pl.npass++] = p;
    }
  }
  if (pl.npass == 0) {      /* every key equal: the input order */
    if (out) memcpy(out, in, (size_t)n * (size_t)w);
    if (idx) for (int64_t i = 0; i < n; i++) idx[i] = i + base;
    return fl;
  }
  for (k = 0; k < pl.npass; k++) {
    int p = pl.pass[k], d;
    int64_t run = 0;
    j.p = p;
    j.first = k == 0;
    j.last = k == pl.npass - 1;
    j.ksrc = which ? scratch + kb : scratch;
    j.kdst = which ? scratch : scratch + kb;
    j.psrc = j.pdst = NULL;
    if (idx) {
      uint32_t *p0 = (uint32_t *)(scratch + 2 * kb), *p1 = p0 + n;
      j.psrc = which ? p1 : p0;
      j.pdst = which ? p0 : p1;
    }
    j.out = out;
    j.idx = idx;
    j.base = base;
    if (k > 0 && nb > 1) blocks(nb, rfns[dt][1], &j);
    /* offsets: digit by digit, block by block (stable) */
    for (d = 0; d < (1 << pl.bits); d++)
      for (b = 0; b < nb; b++) {
        int64_t c = cnt[b * 8 + p][d];
        cnt[b * 8 + p][d] = run;
        run += c;
      }
    blocks(nb, rfns[dt][2], &j);
    if (k > 0 && nb == 1 && k + 1 < pl.npass) {
      /* nb == 1: the first count covered every pass, nothing to recount */
    }
    which ^= 1;
  }
  return fl;
}

/* scratch bytes radix_row needs for a row of n */
static size_t radix_scratch(int w, int64_t n, int with_idx) {
  size_t kb = ((size_t)n * (size_t)w + 63) & ~(size_t)63;
  return 2 * kb + (with_idx ? 2 * (size_t)n * sizeof(uint32_t) : 0) + 64;
}
/* }===== */

/* {===== sort entry */
/* Rows of at least this many keys are sorted by several threads. */
#define PAR_ROW (1 << 18)

typedef struct sjob {
  const lu_sort_call *c;
  int64_t rows_per;   /* rows per chunk */
  int fail;
} sjob;

/* Sort rows [r0, r1), one thread, one scratch area. */
static int sort_rows(const lu_sort_call *c, int64_t r0, int64_t r1, int nb) {
  int64_t len = c->len;
  int w = lu_cpu_dsize[c->dt];
  size_t rb = (size_t)len * (size_t)w;
  char *scratch = lu_cpu_scratch(radix_scratch(w, len, c->idx != NULL));
  int64_t (*cnt)[2048] = lu_malloc(sizeof(*cnt) * 8 * (size_t)nb);
  if (scratch == NULL || cnt == NULL) { lu_cpu_scratch_free(scratch); free(cnt); return 0; }
  for (int64_t r = r0; r < r1; r++) {
    const char *in = (const char *)c->in + (size_t)r * rb;
    char *out = c->out ? (char *)c->out + (size_t)r * rb : NULL;
    int fl = radix_row(c->dt, in, out, c->idx ? c->idx + r * len : NULL, c->base, len, nb,
                       scratch, cnt, c->descending);
    if (fl && out) restore_specials(w, in, out, len, fl);
  }
  lu_cpu_scratch_free(scratch);
  free(cnt);
  return 1;
}

static void sort_chunk(void *arg, int64_t ch) {
  sjob *s = arg;
  int64_t r0 = ch * s->rows_per, r1 = r0 + s->rows_per;
  if (r1 > s->c->nrow) r1 = s->c->nrow;
  if (!sort_rows(s->c, r0, r1, 1)) s->fail = 1;
}

static int cpu_sort(lu_ctx *ctx, const lu_sort_call *c) {
  sjob s;
  if ((unsigned)c->dt > LU_FLOAT64)   /* the native dtypes only (lu_dtypes.def) */
    return lu_seterr(ctx, LU_ETYPE, "cpu sort: no loop for dtype %d", (int)c->dt);
  if (c->nrow <= 0 || c->len <= 0) return LU_OK;
  if (c->len > (int64_t)UINT32_MAX)
    return lu_seterr(ctx, LU_EARG, "sort: rows of more than %lld elements are not supported on the cpu",
                     (long long)UINT32_MAX);
  memset(&s, 0, sizeof s);
  s.c = c;
  if (c->nrow == 1) {
    int th = lu_cpu_pool_threads(), nb = c->len >= PAR_ROW && th > 1 ? th : 1;
    if (nb > 64) nb = 64;
    if (!sort_rows(c, 0, 1, nb)) s.fail = 1;
  } else {
    /* chunks of about 64K keys */
    s.rows_per = (int64_t)65536 / c->len;
    if (s.rows_per < 1) s.rows_per = 1;
    lu_cpu_parallel((c->nrow + s.rows_per - 1) / s.rows_per, sort_chunk, &s);
  }
  if (s.fail) return lu_seterr(ctx, LU_EMEM, "sort: out of memory for scratch space");
  return LU_OK;
}
/* }===== */

/* {===== gather / scatter */
#define MOVE_LOOP(T) do { \
    for (int64_t r = 0; r < nrow; r++) { \
      const T *s = (const T *)in + r * in_rs; \
      const int64_t *ix = idx + r * idx_rs; \
      T *d = (T *)out + r * nidx; \
      for (int64_t i = 0; i < nidx; i++) d[i] = s[ix[i] - base]; \
    } \
  } while (0)

static int cpu_gather(lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow, const void *in,
                      int64_t in_rs, const int64_t *idx, int64_t idx_rs, int64_t nidx,
                      int64_t base, void *out) {
  (void)ctx; (void)dev;
  switch (elsize) {
    case 1: MOVE_LOOP(uint8_t); break;
    case 2: MOVE_LOOP(uint16_t); break;
    case 4: MOVE_LOOP(uint32_t); break;
    case 8: MOVE_LOOP(uint64_t); break;
    default:
      for (int64_t r = 0; r < nrow; r++)
        for (int64_t i = 0; i < nidx; i++)
          memcpy((char *)out + (size_t)(r * nidx + i) * (size_t)elsize,
                 (const char *)in + (size_t)(r * in_rs + idx[r * idx_rs + i] - base) * (size_t)elsize,
                 (size_t)elsize);
  }
  return LU_OK;
}

#define SCATTER_LOOP(T) do { \
    for (int64_t r = 0; r < nrow; r++) { \
      const T *s = (const T *)in + r * nidx; \
      const int64_t *ix = idx + r * nidx; \
      T *d = (T *)out + r * out_rs; \
      for (int64_t i = 0; i < nidx; i++) d[ix[i] - base] = s[i]; \
    } \
  } while (0)

static int cpu_scatter(lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow, const void *in,
                       const int64_t *idx, int64_t nidx, int64_t base, void *out,
                       int64_t out_rs) {
  (void)ctx; (void)dev;
  switch (elsize) {
    case 1: SCATTER_LOOP(uint8_t); break;
    case 2: SCATTER_LOOP(uint16_t); break;
    case 4: SCATTER_LOOP(uint32_t); break;
    case 8: SCATTER_LOOP(uint64_t); break;
    default:
      for (int64_t r = 0; r < nrow; r++)
        for (int64_t i = 0; i < nidx; i++)
          memcpy((char *)out + (size_t)(r * out_rs + idx[r * nidx + i] - base) * (size_t)elsize,
                 (const char *)in + (size_t)(r * nidx + i) * (size_t)elsize, (size_t)elsize);
  }
  return LU_OK;
}
/* }===== */

/* {===== runs of sorted keys
** Equal keys in NumPy's sense: ==, and with equal_nan every NaN equals
** every NaN. */
#define RUNS_CASE(E, name, T, size, kind, sh) \
  case E: { \
    const T *k = c->keys; \
    for (int64_t i = 0; i < n; i++) { \
      int fresh = i == 0 || !(k[i] == k[i - 1] || \
                              (c->equal_nan && ISNAN(k[i]) && ISNAN(k[i - 1]))); \
      if (fresh) { \
        if (r > 0 && c->count) c->count[r - 1] = i - last; \
        if (c->vals) ((T *)c->vals)[r] = k[i]; \
        if (c->start) c->start[r] = i + c->base; \
        last = i; \
        r++; \
      } \
      if (c->id) c->id[i] = r - 1 + c->base; \
    } \
    break; }

static int cpu_runs(lu_ctx *ctx, const lu_runs_call *c) {
  int64_t n = c->n, r = 0, last = 0;
  switch (c->dt) {
    LU_DTYPES_NATIVE(RUNS_CASE)
    default: return lu_seterr(ctx, LU_EARG, "cpu runs: bad dtype %d", (int)c->dt);
  }
  if (r > 0 && c->count) c->count[r - 1] = n - last;
  *c->nruns = r;
  return LU_OK;
}
/* }===== */

/* {===== quantiles
** Per row, only the order statistics that the quantiles need. A long row
** is read twice, never written: one pass counts the top 11 bits of its
** keys (and its NaNs, which decide how many values count), a second copies
** out the keys of the few buckets that hold a wanted position, and a
** quickselect with a list of wanted positions (NumPy partitions with
** several kth too) finishes inside them. A short row is copied as keys and
** quickselected whole. */
#define QSEL_FNS(W) \
  static void isort_##W(U_##W *k, int64_t n) { \
    for (int64_t i = 1; i < n; i++) { \
      U_##W x = k[i]; int64_t j = i; \
      while (j > 0 && k[j - 1] > x) { k[j] = k[j - 1]; j--; } \
      k[j] = x; \
    } \
  } \
  static void qsel_##W(U_##W *k, int64_t lo, int64_t hi, const int64_t *want, int nw) { \
    while (nw > 0 && hi - lo > 16) { \
      U_##W a = k[lo], b = k[lo + (hi - lo) / 2], c = k[hi - 1], p, t; \
      int64_t lt = lo, gt = hi, i = lo; \
      int l = 0, g; \
      p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b)); \
      /* three-way partition: [lo,lt) < p, [lt,gt) == p, [gt,hi) > p */ \
      while (i < gt) { \
        if (k[i] < p) { t = k[i]; k[i] = k[lt]; k[lt] = t; lt++; i++; } \
        else if (k[i] > p) { gt--; t = k[i]; k[i] = k[gt]; k[gt] = t; } \
        else i++; \
      } \
      while (l < nw && want[l] < lt) l++; \
      g = l; \
      while (g < nw && want[g] < gt) g++; \
      /* recurse into the smaller side with wanted positions, loop on the other */ \
      if (l > 0 && nw - g > 0) { \
        if (lt - lo < hi - gt) { qsel_##W(k, lo, lt, want, l); lo = gt; want += g; nw -= g; } \
        else { qsel_##W(k, gt, hi, want + g, nw - g); hi = lt; nw = l; } \
      } else if (l > 0) { hi = lt; nw = l; } \
      else { lo = gt; want += g; nw -= g; } \
    } \
    if (nw > 0) isort_##W(k + lo, hi - lo); \
  }
QSEL_FNS(1)
QSEL_FNS(2)
QSEL_FNS(4)
QSEL_FNS(8)

#define QSHORT 4096

/* the positions (sorted, distinct) that the quantiles of n values need */
static int wanted(const lu_quantile_call *c, int64_t n, int64_t *want) {
  int nw = 0, q, i, m = 0;
  for (q = 0; q < c->nq; q++) {
    int64_t i0, i1;
    double g;
    lu_q_plan(c->method, n, c->q[q], &i0, &i1, &g);
    want[nw++] = i0;
    want[nw++] = i1;
  }
  for (i = 1; i < nw; i++) {            /* insertion sort: nw is small */
    int64_t x = want[i];
    int j = i;
    while (j > 0 && want[j - 1] > x) { want[j] = want[j - 1]; j--; }
    want[j] = x;
  }
  for (i = 0; i < nw; i++) if (m == 0 || want[i] != want[m - 1]) want[m++] = want[i];
  return m;
}

/* the key at position p: got[i] holds position want[i] */
static int64_t at_pos(const int64_t *want, int nw, int64_t p) {
  int lo = 0, hi = nw - 1;
  while (lo < hi) { int m = (lo + hi) / 2; if (want[m] < p) lo = m + 1; else hi = m; }
  return lo;
}

#define QROW_FNS(E, name, T, size, kind, sh) \
  /* fills got[i] with the key at sorted position want[i]; returns nvalid */ \
  static int64_t qpick_##sh(const T *in, int64_t n, int nan_skip, const lu_quantile_call *c, \
                            int64_t *want, int *nw, U_##size *got, int *fail) { \
    typedef U_##size U; \
    const int bits = 8 * size < 11 ? 8 * size : 11, shift = 8 * size - bits; \
    int64_t nn = 0, nvalid, i; \
    int fl = 0; \
    if (n <= QSHORT) { \
      U *k = lu_malloc(sizeof(U) * (size_t)n + 8); \
      if (k == NULL) { *fail = 1; return 0; } \
      for (i = 0; i < n; i++) { k[i] = rkey_##sh(in[i], &fl); nn += ISNAN(in[i]); } \
      nvalid = nan_skip ? n - nn : (nn ? 0 : n); \
      if (nvalid > 0) { \
        *nw = wanted(c, nvalid, want); \
        qsel_##size(k, 0, n, want, *nw); \
        for (i = 0; i < *nw; i++) got[i] = k[want[i]]; \
      } \
      free(k); \
      return nvalid; \
    } \
    { \
      int64_t hist[2048], start[2049], total = 0, *bof; \
      int b, i2, nb = 1 << bits; \
      unsigned char mark[2048]; \
      U *tmp; \
      memset(hist, 0, sizeof hist); \
      for (i = 0; i < n; i++) { \
        U k = rkey_##sh(in[i], &fl); \
        hist[(unsigned)(k >> shift)]++; \
        nn += ISNAN(in[i]); \
      } \
      nvalid = nan_skip ? n - nn : (nn ? 0 : n); \
      if (nvalid == 0) return 0; \
      *nw = wanted(c, nvalid, want); \
      start[0] = 0; \
      for (b = 0; b < nb; b++) start[b + 1] = start[b] + hist[b]; \
      memset(mark, 0, sizeof mark); \
      for (i2 = 0; i2 < *nw; i2++) { \
        int lo = 0, hi = nb - 1; \
        while (lo < hi) { int m = (lo + hi) / 2; if (start[m + 1] <= want[i2]) lo = m + 1; else hi = m; } \
        mark[lo] = 1; \
      } \
      /* the keys of the marked buckets, bucket after bucket */ \
      bof = lu_malloc(sizeof(int64_t) * (size_t)nb); \
      for (b = 0; b < nb; b++) if (mark[b]) total += hist[b]; \
      tmp = lu_malloc(sizeof(U) * (size_t)total + 8); \
      if (bof == NULL || tmp == NULL) { free(bof); free(tmp); *fail = 1; return 0; } \
      { int64_t o = 0; for (b = 0; b < nb; b++) { bof[b] = o; if (mark[b]) o += hist[b]; } } \
      { \
        int64_t *fill = lu_malloc(sizeof(int64_t) * (size_t)nb); \
        if (fill == NULL) { free(bof); free(tmp); *fail = 1; return 0; } \
        memcpy(fill, bof, sizeof(int64_t) * (size_t)nb); \
        for (i = 0; i < n; i++) { \
          U k = rkey_##sh(in[i], &fl); \
          unsigned bk = (unsigned)(k >> shift); \
          if (mark[bk]) tmp[fill[bk]++] = k; \
        } \
        free(fill); \
      } \
      /* each marked bucket: select its wanted positions (made relative) */ \
      for (i2 = 0; i2 < *nw;) { \
        int64_t rel[64]; \
        int m = 0, first = i2, bk; \
        { int lo = 0, hi = nb - 1; \
          while (lo < hi) { int mm = (lo + hi) / 2; if (start[mm + 1] <= want[i2]) lo = mm + 1; else hi = mm; } \
          bk = lo; } \
        while (i2 < *nw && want[i2] < start[bk + 1] && m < 64) { rel[m++] = want[i2] - start[bk]; i2++; } \
        qsel_##size(tmp + bof[bk], 0, hist[bk], rel, m); \
        for (int t = 0; t < m; t++) got[first + t] = tmp[bof[bk] + rel[t]]; \
      } \
      free(bof); \
      free(tmp); \
      return nvalid; \
    } \
  } \
  static void qrow_##sh(const lu_quantile_call *c, int64_t r, int *fail) { \
    const T *in = (const T *)c->in + r * c->len; \
    int64_t want[2 * 64 + 2]; \
    U_##size got[2 * 64 + 2]; \
    int nw = 0, osz = lu_cpu_dsize[c->out_dt]; \
    int64_t nvalid = qpick_##sh(in, c->len, c->nan_skip, c, want, &nw, got, fail); \
    for (int q = 0; q < c->nq; q++) { \
      char *dst = (char *)c->out + (size_t)(q * c->nrow + r) * (size_t)osz; \
      int64_t i0, i1; \
      double g, v; \
      int k; \
      if (*fail) return; \
      if (nvalid == 0) { v = NAN; lu_cpu_cast(LU_FLOAT64, (const char *)&v, 0, c->out_dt, dst, 0, 1); continue; } \
      k = lu_q_plan(c->method, nvalid, c->q[q], &i0, &i1, &g); \
      { \
        T x0 = rval_##sh(got[at_pos(want, nw, i0)]), x1 = rval_##sh(got[at_pos(want, nw, i1)]); \
        if (k == LU_QK_TAKE) { lu_cpu_cast(E, (const char *)&x0, 0, c->out_dt, dst, 0, 1); continue; } \
        v = k == LU_QK_MEAN ? ((double)x0 + (double)x1) / 2.0 : lu_q_lerp((double)x0, (double)x1, g); \
        lu_cpu_cast(LU_FLOAT64, (const char *)&v, 0, c->out_dt, dst, 0, 1); \
      } \
    } \
  }
LU_DTYPES_NATIVE(QROW_FNS)

typedef void (*qrowfn)(const lu_quantile_call *, int64_t, int *);
#define QROW_PTR(E, name, T, size, kind, sh) qrow_##sh,
static const qrowfn qrow[LU_NDTYPES] = { LU_DTYPES_NATIVE(QROW_PTR) };

typedef struct qjob { const lu_quantile_call *c; int fail; } qjob;

static void quantile_row(void *arg, int64_t r) {
  qjob *j = arg;
  qrow[j->c->dt](j->c, r, &j->fail);
}

/* The quantiles of each row, in groups of 64 (the wanted positions are
** kept on the stack). */
static int cpu_quantile(lu_ctx *ctx, const lu_quantile_call *c) {
  qjob j;
  int q0;
  if ((unsigned)c->dt > LU_FLOAT64 || (unsigned)c->out_dt > LU_FLOAT64)
    return lu_seterr(ctx, LU_ETYPE, "cpu quantile: no loop for these dtypes");
  if (c->nrow <= 0 || c->nq <= 0) return LU_OK;
  for (q0 = 0; q0 < c->nq; q0 += 64) {
    lu_quantile_call part = *c;
    part.nq = c->nq - q0 < 64 ? c->nq - q0 : 64;
    part.q = c->q + q0;
    part.out = (char *)c->out + (size_t)q0 * (size_t)c->nrow * (size_t)lu_cpu_dsize[c->out_dt];
    j.c = &part;
    j.fail = 0;
    lu_cpu_parallel(c->nrow, quantile_row, &j);
    if (j.fail) return lu_seterr(ctx, LU_EMEM, "quantile: out of memory for scratch space");
  }
  return LU_OK;
}
/* }===== */

const lu_sort_family lu_cpu_sort_family = {
  .sort = cpu_sort,
  .scan = lu_cpu_scan,
  .search = lu_cpu_search,
  .gather = cpu_gather,
  .scatter = cpu_scatter,
  .runs = cpu_runs,
  .bincount = lu_cpu_bincount,
  .histogram = lu_cpu_histogram,
  .quantile = cpu_quantile,
};
