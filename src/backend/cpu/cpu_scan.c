/* SPDX-License-Identifier: MIT */
/*
** The rest of the sort family on the CPU: scans (cumsum and its kin,
** cummax/cummin), binary search (searchsorted, isin), and binning
** (bincount, uniform histograms). See lu_backend.h for each call.
*/
#include <stdlib.h>
#include <string.h>
#include "cpu_internal.h"
#include "cpu_pool.h"

#define ISNAN(x) ((x) != (x))

/* {===== scans
** The scan runs in the dtype itself and in order, as NumPy's accumulate
** does: a float32 cumsum rounds after every addition, like NumPy's. One
** line of the scanned axis (inner == 1) is a loop over it; otherwise the
** loop walks the axis and updates a row of `inner` running values at a
** time, reading memory in order. Work is shared out over `outer`. */
#define SCAN_STEP(T, acc, x, op, nan_skip) do { \
    T x_ = (x); \
    if ((nan_skip) && ISNAN(x_)) x_ = (op) == LU_SCAN_PROD ? (T)1 : (T)0; \
    switch (op) { \
      case LU_SCAN_SUM: acc = (T)(acc + x_); break; \
      case LU_SCAN_PROD: acc = (T)(acc * x_); break; \
      case LU_SCAN_MAX: if (x_ > acc || ISNAN(x_)) acc = x_; break; \
      default: if (x_ < acc || ISNAN(x_)) acc = x_; break; \
    } \
  } while (0)

#define SCAN_CASE(E, name, T, size, kind, sh) \
  case E: { \
    for (int64_t o = o0; o < o1; o++) { \
      const char *ib = c->in + o * c->s_outer; \
      T *ob = (T *)c->out + o * c->len * c->inner; \
      int64_t *xb = c->idx ? c->idx + o * c->len * c->inner : NULL; \
      if (xb) { \
        /* PyTorch's cummax/cummin: >= (<=) and NaN take the later position */ \
        int ismax = c->op == LU_SCAN_MAX; \
        for (int64_t j = 0; j < c->inner; j++) { \
          T best = *(const T *)(ib + j * c->s_inner); int64_t bi = 0; \
          for (int64_t r = 0; r < c->len; r++) { \
            T x = *(const T *)(ib + r * c->s_len + j * c->s_inner); \
            if (ISNAN(x) || (!ISNAN(best) && (ismax ? x >= best : x <= best))) { best = x; bi = r; } \
            ob[r * c->inner + j] = best; \
            xb[r * c->inner + j] = bi + c->base; \
          } \
        } \
      } else if (c->inner == 1) { \
        T acc = *(const T *)ib; \
        if (c->nan_skip && ISNAN(acc)) acc = c->op == LU_SCAN_PROD ? (T)1 : (T)0; \
        ob[0] = acc; \
        if (c->s_len == (int64_t)sizeof(T) && !c->nan_skip && c->op == LU_SCAN_SUM) { \
          const T *ip = (const T *)ib; \
          for (int64_t r = 1; r < c->len; r++) { acc = (T)(acc + ip[r]); ob[r] = acc; } \
        } else { \
          for (int64_t r = 1; r < c->len; r++) { \
            SCAN_STEP(T, acc, *(const T *)(ib + r * c->s_len), c->op, c->nan_skip); \
            ob[r] = acc; \
          } \
        } \
      } else { \
        int64_t m = c->inner; \
        for (int64_t j = 0; j < m; j++) { \
          T x = *(const T *)(ib + j * c->s_inner); \
          if (c->nan_skip && ISNAN(x)) x = c->op == LU_SCAN_PROD ? (T)1 : (T)0; \
          ob[j] = x; \
        } \
        for (int64_t r = 1; r < c->len; r++) { \
          const char *ir = ib + r * c->s_len; \
          const T *prev = ob + (r - 1) * m; T *cur = ob + r * m; \
          for (int64_t j = 0; j < m; j++) { \
            T acc = prev[j]; \
            SCAN_STEP(T, acc, *(const T *)(ir + j * c->s_inner), c->op, c->nan_skip); \
            cur[j] = acc; \
          } \
        } \
      } \
    } \
    break; }

typedef struct scanjob { const lu_scan_call *c; int64_t per; } scanjob;

static void scan_chunk(void *arg, int64_t ch) {
  scanjob *s = arg;
  const lu_scan_call *c = s->c;
  int64_t o0 = ch * s->per, o1 = o0 + s->per;
  if (o1 > c->outer) o1 = c->outer;
  switch (c->dt) {
    LU_DTYPES_NATIVE(SCAN_CASE)
    default: break;
  }
}

int lu_cpu_scan(lu_ctx *ctx, const lu_scan_call *c) {
  scanjob s;
  int64_t per_line;
  if ((unsigned)c->dt > LU_FLOAT64)   /* the native dtypes only */
    return lu_seterr(ctx, LU_ETYPE, "cpu scan: no loop for dtype %d", (int)c->dt);
  if (c->outer <= 0 || c->len <= 0 || c->inner <= 0) return LU_OK;
  s.c = c;
  per_line = c->len * c->inner;
  s.per = per_line >= CPU_PAR_MIN ? 1 : (CPU_PAR_MIN + per_line - 1) / per_line;
  lu_cpu_parallel((c->outer + s.per - 1) / s.per, scan_chunk, &s);
  return LU_OK;
}
/* }===== */

/* {===== binary search
** NumPy's order: a NaN is greater than every number. The loop is the
** branch-free lower bound (the comparison picks the next base), which
** does not stall on mispredictions; queries are shared out in chunks. */
#define LT(T, a, b) ((a) < (b) || (ISNAN(b) && !ISNAN(a)))

#define SEARCH_CASE(E, name, T, size, kind, sh) \
  case E: { \
    const T *s = c->sorted, *v = c->v; \
    int64_t n = c->n; \
    for (int64_t i = i0; i < i1; i++) { \
      T x = v[i]; \
      int64_t p = 0; \
      if (n > 0) { \
        const T *b = s; int64_t len = n; \
        if (c->right) { \
          while (len > 1) { int64_t h = len / 2; b = !LT(T, x, b[h]) ? b + h : b; len -= h; } \
          p = (b - s) + !LT(T, x, *b); \
        } else { \
          while (len > 1) { int64_t h = len / 2; b = LT(T, b[h], x) ? b + h : b; len -= h; } \
          p = (b - s) + LT(T, *b, x); \
        } \
      } \
      if (c->found) \
        ((uint8_t *)c->out)[i] = (uint8_t)((p < n && s[p] == x) ^ (c->invert != 0)); \
      else \
        ((int64_t *)c->out)[i] = p + c->base; \
    } \
    break; }

typedef struct searchjob { const lu_search_call *c; } searchjob;
#define SEARCH_CHUNK 16384

static void search_chunk(void *arg, int64_t ch) {
  const lu_search_call *c = ((searchjob *)arg)->c;
  int64_t i0 = ch * SEARCH_CHUNK, i1 = i0 + SEARCH_CHUNK;
  if (i1 > c->m) i1 = c->m;
  switch (c->dt) {
    LU_DTYPES_NATIVE(SEARCH_CASE)
    default: break;
  }
}

int lu_cpu_search(lu_ctx *ctx, const lu_search_call *c) {
  searchjob s;
  if ((unsigned)c->dt > LU_FLOAT64)   /* the native dtypes only */
    return lu_seterr(ctx, LU_ETYPE, "cpu search: no loop for dtype %d", (int)c->dt);
  if (c->m <= 0) return LU_OK;
  s.c = c;
  lu_cpu_parallel((c->m + SEARCH_CHUNK - 1) / SEARCH_CHUNK, search_chunk, &s);
  return LU_OK;
}
/* }===== */

/* {===== binning */
int lu_cpu_bincount(lu_ctx *ctx, const lu_hist_call *c) {
  const int64_t *x = c->x;
  if (c->out_dt != LU_INT64 && c->out_dt != LU_FLOAT64)
    return lu_seterr(ctx, LU_EARG, "cpu bincount: bad output dtype");
  memset(c->out, 0, (size_t)c->nbins * 8);
  if (c->w == NULL) {
    int64_t *o = c->out;
    for (int64_t i = 0; i < c->n; i++) o[x[i]]++;
  } else if (c->out_dt == LU_FLOAT64) {
    double *o = c->out;
    for (int64_t i = 0; i < c->n; i++) o[x[i]] += c->w[i];
  } else {
    int64_t *o = c->out;
    for (int64_t i = 0; i < c->n; i++) o[x[i]] += (int64_t)c->w[i];
  }
  return LU_OK;
}

/* NumPy's uniform-bin histogram: an estimate from the bin width, then one
** step down or up where the estimate disagrees with the edges (they are
** computed separately and may differ by an ulp). */
#define HIST_LOOP(T) do { \
    const T *x = c->x, *e = c->edges; \
    const T lo = (T)c->lo, hi = (T)c->hi; \
    const double scale = (double)c->nbins / (c->hi - c->lo); \
    const int64_t nb = c->nbins; \
    for (int64_t i = 0; i < c->n; i++) { \
      T v = x[i]; \
      int64_t b; \
      if (!(v >= lo && v <= hi)) continue; \
      b = (int64_t)((double)(T)(v - lo) * scale); \
      if (b >= nb) b = nb - 1; \
      if (b < 0) b = 0; \
      if (v < e[b]) b--; \
      else if (b != nb - 1 && v >= e[b + 1]) b++; \
      if (c->w == NULL) ((int64_t *)c->out)[b]++; \
      else if (c->out_dt == LU_FLOAT64) ((double *)c->out)[b] += c->w[i]; \
      else ((int64_t *)c->out)[b] += (int64_t)c->w[i]; \
    } \
  } while (0)

int lu_cpu_histogram(lu_ctx *ctx, const lu_hist_call *c) {
  if (c->out_dt != LU_INT64 && c->out_dt != LU_FLOAT64)
    return lu_seterr(ctx, LU_EARG, "cpu histogram: bad output dtype");
  memset(c->out, 0, (size_t)c->nbins * 8);
  if (c->dt == LU_FLOAT32) HIST_LOOP(float);
  else if (c->dt == LU_FLOAT64) HIST_LOOP(double);
  else return lu_seterr(ctx, LU_EARG, "cpu histogram: bad dtype %d", (int)c->dt);
  return LU_OK;
}
/* }===== */
