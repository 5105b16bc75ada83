/* SPDX-License-Identifier: MIT */
/*
** The index family on the CPU: boolean-mask select, scatter and fill,
** nonzero, and the gathers and scatters of lu_gather_call. Gathers move
** raw elements (by element size), so they serve every dtype; scatters with
** accumulation combine typed values. A scatter runs serially in C order,
** which gives NumPy's "last write wins" for repeated positions.
*/
#include <stdatomic.h>
#include <string.h>
#include <stdlib.h>
#include "cpu_internal.h"
#include "cpu_pool.h"
#include "lu_hostmem.h"

/* {===== mask select / scatter
** Two passes over the pool's threads when large: count the true entries
** of each block, then copy each block starting at the prefix sum of the
** counts. Blocks of at least MIN_BLOCK elements, at most MAXB of them. */
#define MAXB 1024
#define MIN_BLOCK ((int64_t)1 << 16)

static void copy_el(char *dst, const char *src, int sz) {
  switch (sz) {
  case 1: *dst = *src; break;
  case 2: memcpy(dst, src, 2); break;
  case 4: memcpy(dst, src, 4); break;
  case 8: memcpy(dst, src, 8); break;
  default: memcpy(dst, src, (size_t)sz);
  }
}

static int64_t count_true(const uint8_t *m, int64_t lo, int64_t hi) {
  int64_t k = 0;
  _Pragma("omp simd reduction(+:k)")
  for (int64_t i = lo; i < hi; i++) k += m[i] != 0;
  return k;
}

/* scatter == 0: out[j++] = in[i]; scatter == 1: arr[i] = vals[j++] */
static void compact_range(int sz, char *arr, const uint8_t *m, int64_t lo, int64_t hi,
                          char *seq, int64_t j, int scatter) {
  for (int64_t i = lo; i < hi; i++)
    if (m[i]) {
      if (scatter) copy_el(arr + i * sz, seq + j * sz, sz);
      else copy_el(seq + j * sz, arr + i * sz, sz);
      j++;
    }
}

typedef struct cjob {
  int sz, scatter;
  char *arr, *seq;
  const uint8_t *m;
  int64_t n, nblk;
  int64_t start[MAXB + 1];      /* counts, then their prefix sums */
} cjob;

static int64_t blk_lo(const cjob *j, int64_t b) { return j->n * b / j->nblk; }

static void count_block(void *arg, int64_t b) {
  cjob *j = arg;
  j->start[b + 1] = count_true(j->m, blk_lo(j, b), blk_lo(j, b + 1));
}

static void copy_block(void *arg, int64_t b) {
  const cjob *j = arg;
  compact_range(j->sz, j->arr, j->m, blk_lo(j, b), blk_lo(j, b + 1), j->seq, j->start[b],
                j->scatter);
}

static void compact(int sz, char *arr, const uint8_t *m, int64_t n, char *seq, int scatter) {
  cjob j;
  int64_t nblk = n / MIN_BLOCK;
  if (nblk > MAXB) nblk = MAXB;
  if (n < lu_cpu_par_min(CPU_PAR_INDEX) || nblk < 2 || lu_cpu_pool_threads() < 2) {
    compact_range(sz, arr, m, 0, n, seq, 0, scatter);
    return;
  }
  j.sz = sz; j.scatter = scatter; j.arr = arr; j.seq = seq; j.m = m; j.n = n; j.nblk = nblk;
  j.start[0] = 0;
  lu_cpu_parallel(nblk, count_block, &j);
  for (int64_t b = 1; b <= nblk; b++) j.start[b] += j.start[b - 1];
  lu_cpu_parallel(nblk, copy_block, &j);
}

int lu_cpu_mask_select(lu_ctx *ctx, lu_device dev, lu_dtype dt, const void *in,
                       const void *mask, int64_t n, void *out) {
  (void)dev;
  if ((unsigned)dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu mask_select: bad dtype %d", (int)dt);
  compact(lu_cpu_dsize[dt], (char *)in, mask, n, out, 0);
  return LU_OK;
}

int lu_cpu_mask_scatter(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr,
                        const void *mask, int64_t n, const void *vals) {
  (void)dev;
  if ((unsigned)dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu mask_scatter: bad dtype %d", (int)dt);
  compact(lu_cpu_dsize[dt], arr, mask, n, (char *)vals, 1);
  return LU_OK;
}
/* }===== */


/* {===== mask fill: a select, not a branch (random masks mispredict), in
** chunks over the pool */
#define FILL_CHUNK ((int64_t)1 << 16)

typedef struct fjob {
  char *arr;
  const uint8_t *m;
  int64_t n;
  int sz;
  unsigned char h[16];
} fjob;

#define FILL_LOOP(T) do { \
    T *d_ = (T *)j->arr; T v_; memcpy(&v_, j->h, sizeof v_); \
    _Pragma("omp simd") \
    for (int64_t i = lo; i < hi; i++) d_[i] = j->m[i] ? v_ : d_[i]; \
  } while (0)

static void fill_chunk(void *arg, int64_t k) {
  const fjob *j = arg;
  int64_t lo = k * FILL_CHUNK, hi = lo + FILL_CHUNK < j->n ? lo + FILL_CHUNK : j->n;
  switch (j->sz) {
    case 1: FILL_LOOP(uint8_t); break;
    case 2: FILL_LOOP(uint16_t); break;
    case 4: FILL_LOOP(uint32_t); break;
    case 8: FILL_LOOP(uint64_t); break;
    default:
      for (int64_t i = lo; i < hi; i++)
        if (j->m[i]) memcpy(j->arr + i * j->sz, j->h, (size_t)j->sz);
  }
}

static int cpu_mask_fill(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr, const void *mask,
                         int64_t n, lu_value v) {
  fjob j;
  int64_t nchunks = (n + FILL_CHUNK - 1) / FILL_CHUNK;
  (void)dev;
  if ((unsigned)dt >= LU_NDTYPES) return lu_seterr(ctx, LU_EARG, "cpu mask_fill: bad dtype %d", (int)dt);
  memset(&j, 0, sizeof j);
  lu_cpu_store_value(dt, v, j.h);
  j.arr = (char *)arr; j.m = (const uint8_t *)mask; j.n = n; j.sz = lu_cpu_dsize[dt];
  if (nchunks <= 1 || lu_cpu_pool_threads() < 2) {
    for (int64_t k = 0; k < nchunks; k++) fill_chunk(&j, k);
  } else {
    lu_cpu_parallel(nchunks, fill_chunk, &j);
  }
  return LU_OK;
}
/* }===== */

/* {===== nonzero: per-thread counts, then each thread writes its block's
** coordinates from the prefix sum (the same two passes as compact) */
static void unravel(int64_t i, int ndim, const int64_t *shape, int64_t *co) {
  for (int d = ndim - 1; d >= 0; d--) { co[d] = shape[d] ? i % shape[d] : 0; i = shape[d] ? i / shape[d] : 0; }
}

static void nz_block(const uint8_t *m, int64_t lo, int64_t hi, int ndim, const int64_t *shape,
                     int64_t count, int64_t *out, int64_t j, int base) {
  int64_t co[LU_MAXDIM];
  unravel(lo, ndim, shape, co);
  for (int64_t i = lo; i < hi; i++) {
    if (m[i]) {
      for (int d = 0; d < ndim; d++) out[(int64_t)d * count + j] = co[d] + base;
      j++;
    }
    for (int d = ndim - 1; d >= 0; d--) {   /* the next coordinate */
      if (++co[d] < shape[d]) break;
      co[d] = 0;
    }
  }
}

typedef struct nzjob {
  const uint8_t *m;
  int64_t n, nblk, count;
  int ndim, base;
  const int64_t *shape;
  int64_t *out;
  int64_t start[MAXB + 1];
} nzjob;

static int64_t nz_lo(const nzjob *j, int64_t b) { return j->n * b / j->nblk; }

static void nz_count(void *arg, int64_t b) {
  nzjob *j = arg;
  j->start[b + 1] = count_true(j->m, nz_lo(j, b), nz_lo(j, b + 1));
}

static void nz_write(void *arg, int64_t b) {
  const nzjob *j = arg;
  nz_block(j->m, nz_lo(j, b), nz_lo(j, b + 1), j->ndim, j->shape, j->count, j->out,
           j->start[b], j->base);
}

static int cpu_nonzero(lu_ctx *ctx, lu_device dev, const void *mask, int64_t n, int ndim,
                       const int64_t *shape, int64_t count, int64_t *out, int base) {
  nzjob *j;
  int64_t nblk = n / MIN_BLOCK;
  (void)dev;
  if (nblk > MAXB) nblk = MAXB;
  if (n < lu_cpu_par_min(CPU_PAR_INDEX) || nblk < 2 || lu_cpu_pool_threads() < 2) {
    nz_block((const uint8_t *)mask, 0, n, ndim, shape, count, out, 0, base);
    return LU_OK;
  }
  if ((j = lu_malloc(sizeof *j)) == NULL)
    return lu_seterr(ctx, LU_EMEM, "nonzero: out of host memory");
  j->m = (const uint8_t *)mask; j->n = n; j->nblk = nblk; j->count = count;
  j->ndim = ndim; j->base = base; j->shape = shape; j->out = out;
  j->start[0] = 0;
  lu_cpu_parallel(nblk, nz_count, j);
  for (int64_t b = 1; b <= nblk; b++) j->start[b] += j->start[b - 1];
  lu_cpu_parallel(nblk, nz_write, j);
  free(j);
  return LU_OK;
}
/* }===== */

/* {===== gather and scatter */
/* An index value as int64 (uint64 past INT64_MAX saturates: out of range). */
static int64_t read_index(lu_dtype dt, const char *p) {
  switch (dt) {
    case LU_INT8: return *(const int8_t *)p;
    case LU_INT16: return *(const int16_t *)p;
    case LU_INT32: return *(const int32_t *)p;
    case LU_INT64: return *(const int64_t *)p;
    case LU_UINT8: return *(const uint8_t *)p;
    case LU_UINT16: return *(const uint16_t *)p;
    case LU_UINT32: return *(const uint32_t *)p;
    case LU_UINT64: {
      uint64_t u = *(const uint64_t *)p;
      return u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u;
    }
    default: return INT64_MAX;
  }
}

/* The 0-based position of index value v on an axis of n elements, or -1
** when it is out of range (lu_gather_call's rules). */
static int64_t position(int64_t v, int64_t n, int base, int mode) {
  int64_t p;
  if (mode == LU_IX_RAISE) {
    p = v < 0 ? v + n : v - base;
    return p >= 0 && p < n ? p : -1;
  }
  if (n <= 0) return -1;
  p = v < 0 ? v : v - base;
  if (mode == LU_IX_WRAP) { p %= n; return p < 0 ? p + n : p; }
  return p < 0 ? 0 : p >= n ? n - 1 : p;
}

static int index_error(lu_ctx *ctx, const lu_gather_call *c, int k, int64_t v) {
  const char *nm = c->name ? c->name : "";
  int64_t shown = v < 0 ? v : v - c->idx_base[k] + 1;
  if (c->idx_axis[k] > 0)
    return lu_seterr(ctx, LU_EINDEX, "%s%sindex %lld is out of bounds for axis %d with size %lld",
                     nm, *nm ? ": " : "", (long long)shown, c->idx_axis[k],
                     (long long)c->idx_size[k]);
  return lu_seterr(ctx, LU_EINDEX, "%s%sindex %lld is out of bounds for size %lld", nm,
                   *nm ? ": " : "", (long long)shown, (long long)c->idx_size[k]);
}

/* A walk over the iteration space in C order with every operand's offset. */
typedef struct walk {
  int64_t co[LU_MAXDIM];
  int64_t a, o, x[LU_MAXIDX];    /* bytes: arr (without the indexed part), other, indices */
} walk;

static void walk_init(const lu_gather_call *c, walk *w, int64_t lin) {
  int d, k;
  unravel(lin, c->ndim, c->shape, w->co);
  w->a = w->o = 0;
  for (k = 0; k < c->nidx; k++) w->x[k] = 0;
  for (d = 0; d < c->ndim; d++) {
    w->a += w->co[d] * c->arr_strides[d];
    w->o += w->co[d] * c->other_strides[d];
    for (k = 0; k < c->nidx; k++) w->x[k] += w->co[d] * c->idx_strides[k][d];
  }
}

static void walk_next(const lu_gather_call *c, walk *w) {
  int d, k;
  for (d = c->ndim - 1; d >= 0; d--) {
    w->a += c->arr_strides[d];
    w->o += c->other_strides[d];
    for (k = 0; k < c->nidx; k++) w->x[k] += c->idx_strides[k][d];
    if (++w->co[d] < c->shape[d]) return;
    w->a -= c->arr_strides[d] * c->shape[d];
    w->o -= c->other_strides[d] * c->shape[d];
    for (k = 0; k < c->nidx; k++) w->x[k] -= c->idx_strides[k][d] * c->shape[d];
    w->co[d] = 0;
  }
}

/* The byte offset in arr of the walk's element in *off; returns -1, or
** the number of the index array whose value (*bad) is out of range. */
static int target(const lu_gather_call *c, const walk *w, int64_t *off, int64_t *bad) {
  int64_t o = w->a;
  for (int k = 0; k < c->nidx; k++) {
    int64_t v = read_index(c->idx_dt[k], c->idx_ptr[k] + w->x[k]);
    int64_t p = position(v, c->idx_size[k], c->idx_base[k], c->mode);
    if (p < 0) { *bad = v; return k; }
    o += p * c->ax_stride[k];
  }
  *off = o;
  return -1;
}

/* Chunks of the iteration space over the pool; the first bad index that a
** chunk meets is kept (any one of them is reported, as NumPy reports one). */
#define GATHER_CHUNK ((int64_t)1 << 15)

typedef struct gjob {
  const lu_gather_call *c;
  int sz;
  atomic_int bad;                 /* 0, then 1 once errk/errv are set */
  int errk;
  int64_t errv;
} gjob;

/* Record index array kk's bad value v (the first a thread meets wins). */
static void gather_bad(gjob *j, int kk, int64_t v) {
  int zero = 0;
  if (atomic_compare_exchange_strong(&j->bad, &zero, 2)) {
    j->errk = kk;
    j->errv = v;
    atomic_store(&j->bad, 1);
  }
}

/* One int64 index array, raise mode: r elements along the walk's last
** axis in one loop of T (a[idx] and take of 1-d indices: 4.7 ns an
** element for 10^6 into 10^7 float32 where the walk took 27). Returns 0,
** or 1 after recording a bad index. */
#define GATHER_RUN(T) do { \
    const char *xp = c->idx_ptr[0] + w->x[0]; \
    const char *ap = c->arr + w->a; \
    char *op = c->other + w->o; \
    for (int64_t i = 0; i < r; i++) { \
      int64_t v = *(const int64_t *)(const void *)(xp + i * xs); \
      int64_t p = v < 0 ? v + n : v - base; \
      if ((uint64_t)p >= (uint64_t)n) { gather_bad(j, 0, v); return 1; } \
      *(T *)(void *)(op + i * os) = *(const T *)(const void *)(ap + i * as + p * ps); \
    } \
  } while (0)

static int gather_run(gjob *j, const walk *w, int64_t r) {
  const lu_gather_call *c = j->c;
  const int last = c->ndim - 1, base = c->idx_base[0];
  const int64_t n = c->idx_size[0], ps = c->ax_stride[0], xs = c->idx_strides[0][last];
  const int64_t os = c->other_strides[last], as = c->arr_strides[last];
  switch (j->sz) {
  case 1: GATHER_RUN(uint8_t); break;
  case 2: GATHER_RUN(uint16_t); break;
  case 4: GATHER_RUN(uint32_t); break;
  default: GATHER_RUN(uint64_t); break;
  }
  return 0;
}
#undef GATHER_RUN

/* The walk moved r elements on along its last axis (r up to the axis' end). */
static void walk_skip(const lu_gather_call *c, walk *w, int64_t r) {
  int last = c->ndim - 1;
  if (r <= 0) return;
  w->co[last] += r - 1;
  w->a += (r - 1) * c->arr_strides[last];
  w->o += (r - 1) * c->other_strides[last];
  for (int k = 0; k < c->nidx; k++) w->x[k] += (r - 1) * c->idx_strides[k][last];
  walk_next(c, w);
}

static void gather_chunk(void *arg, int64_t k) {
  gjob *j = arg;
  const lu_gather_call *c = j->c;
  int64_t lo = k * GATHER_CHUNK, hi = lo + GATHER_CHUNK < c->n ? lo + GATHER_CHUNK : c->n;
  int64_t off = 0, bad = 0;
  int fast = c->nidx == 1 && c->idx_dt[0] == LU_INT64 && c->mode == LU_IX_RAISE &&
             (j->sz == 1 || j->sz == 2 || j->sz == 4 || j->sz == 8);
  walk w;
  walk_init(c, &w, lo);
  if (fast) {
    int64_t len = c->shape[c->ndim - 1];
    for (int64_t i = lo; i < hi;) {
      int64_t r = len - w.co[c->ndim - 1];
      if (r > hi - i) r = hi - i;
      if (gather_run(j, &w, r)) return;
      i += r;
      if (i < hi) walk_skip(c, &w, r);
    }
    return;
  }
  for (int64_t i = lo; i < hi; i++) {
    int kk = target(c, &w, &off, &bad);
    if (kk >= 0) {
      gather_bad(j, kk, bad);
      return;
    }
    copy_el(c->other + w.o, c->arr + off, j->sz);
    walk_next(c, &w);
  }
}

static int cpu_gather(lu_ctx *ctx, const lu_gather_call *c) {
  gjob j;
  int64_t nchunks = (c->n + GATHER_CHUNK - 1) / GATHER_CHUNK;
  j.c = c;
  j.sz = lu_cpu_dsize[c->dt];
  atomic_init(&j.bad, 0);
  j.errk = -1;
  j.errv = 0;
  if (nchunks <= 1 || c->n < lu_cpu_par_min(CPU_PAR_INDEX) || lu_cpu_pool_threads() < 2) {
    for (int64_t k = 0; k < nchunks && atomic_load(&j.bad) == 0; k++) gather_chunk(&j, k);
  } else {
    lu_cpu_parallel(nchunks, gather_chunk, &j);
  }
  if (atomic_load(&j.bad) != 0) return index_error(ctx, c, j.errk, j.errv);
  return LU_OK;
}

/* d op= v for one element of a dtype; wrapping integer arithmetic (through
** the unsigned type), NumPy's NaN-propagating maximum and minimum, and bool
** as logic (add/max: or, multiply/min: and). */
#define ACC_INT(T, U) do { T *d_ = (T *)d; T v_ = *(const T *)v; \
    switch (op) { \
      case LU_SC_ADD: *d_ = (T)(U)((U)*d_ + (U)v_); break; \
      case LU_SC_SUBTRACT: *d_ = (T)(U)((U)*d_ - (U)v_); break; \
      case LU_SC_MULTIPLY: *d_ = (T)(U)((U)*d_ * (U)v_); break; \
      case LU_SC_MAXIMUM: if (v_ > *d_) *d_ = v_; break; \
      default: if (v_ < *d_) *d_ = v_; break; \
    } } while (0)
#define ACC_FLT(T) do { T *d_ = (T *)d; T v_ = *(const T *)v; \
    switch (op) { \
      case LU_SC_ADD: *d_ = *d_ + v_; break; \
      case LU_SC_SUBTRACT: *d_ = *d_ - v_; break; \
      case LU_SC_MULTIPLY: *d_ = *d_ * v_; break; \
      case LU_SC_MAXIMUM: if (*d_ == *d_ && (v_ != v_ || v_ > *d_)) *d_ = v_; break; \
      default: if (*d_ == *d_ && (v_ != v_ || v_ < *d_)) *d_ = v_; break; \
    } } while (0)

static void accumulate(lu_dtype dt, int op, char *d, const char *v) {
  switch (dt) {
    case LU_BOOL: {
      uint8_t x = *(uint8_t *)d, y = *(const uint8_t *)v;
      *(uint8_t *)d = (op == LU_SC_ADD || op == LU_SC_MAXIMUM) ? (x || y) : (x && y);
      break;
    }
    case LU_INT8: ACC_INT(int8_t, uint32_t); break;
    case LU_INT16: ACC_INT(int16_t, uint32_t); break;
    case LU_INT32: ACC_INT(int32_t, uint32_t); break;
    case LU_INT64: ACC_INT(int64_t, uint64_t); break;
    case LU_UINT8: ACC_INT(uint8_t, uint32_t); break;
    case LU_UINT16: ACC_INT(uint16_t, uint32_t); break;
    case LU_UINT32: ACC_INT(uint32_t, uint32_t); break;
    case LU_UINT64: ACC_INT(uint64_t, uint64_t); break;
    case LU_FLOAT32: ACC_FLT(float); break;
    case LU_FLOAT64: ACC_FLT(double); break;
    default: break;
  }
}

static int accumulates(lu_dtype dt) {
  switch (dt) {
    case LU_BOOL: case LU_INT8: case LU_INT16: case LU_INT32: case LU_INT64: case LU_UINT8:
    case LU_UINT16: case LU_UINT32: case LU_UINT64: case LU_FLOAT32: case LU_FLOAT64: return 1;
    default: return 0;
  }
}

/* Every index is checked before anything is written (NumPy leaves the
** array unchanged when an index is out of range). */
static int cpu_scatter(lu_ctx *ctx, const lu_gather_call *c) {
  int sz = lu_cpu_dsize[c->dt], k;
  int64_t i, off = 0, bad = 0;
  walk w;
  if (c->op != LU_SC_ASSIGN && !accumulates(c->dt))
    return lu_seterr(ctx, LU_ETYPE, "%s: accumulation is not available for this dtype on cpu",
                     c->name && *c->name ? c->name : "index");
  if (c->nidx > 0 && c->mode == LU_IX_RAISE) {
    walk_init(c, &w, 0);
    for (i = 0; i < c->n; i++) {
      if ((k = target(c, &w, &off, &bad)) >= 0) return index_error(ctx, c, k, bad);
      walk_next(c, &w);
    }
  }
  walk_init(c, &w, 0);
  for (i = 0; i < c->n; i++) {
    if (target(c, &w, &off, &bad) < 0) {
      if (c->op == LU_SC_ASSIGN) copy_el(c->arr + off, c->other + w.o, sz);
      else accumulate(c->dt, c->op, c->arr + off, c->other + w.o);
    }
    walk_next(c, &w);
  }
  return LU_OK;
}
/* }===== */

const lu_index_family lu_cpu_index_family = {
  .mask_select = lu_cpu_mask_select,
  .mask_scatter = lu_cpu_mask_scatter,
  .gather = cpu_gather,
  .scatter = cpu_scatter,
  .nonzero = cpu_nonzero,
  .mask_fill = cpu_mask_fill,
};
