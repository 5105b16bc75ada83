/* SPDX-License-Identifier: MIT */
/*
** Reductions on the CPU: out[o, j] = RED over r of in[o, r, j] (see
** lu_reduce_call). Two layouts:
**   row mode     each output reduces one run of `red` elements (inner == 1,
**                or the reduced axis has the smaller stride); a contiguous
**                run is a vectorised loop;
**   column mode  inner > 1 with the smaller stride on the inner axis: a
**                block of outputs is accumulated row by row into a vector,
**                so memory is read in order.
** Work is parallel over outputs (or output blocks); when there are fewer of
** them than threads and the reduced axis is long, over segments of the
** reduced axis with per-thread partial accumulators merged in order (so
** "first NaN" and "first index" stay first).
**
** Accumulators: sum/prod in double when the input or acc_dt is a float
** (float32 sums are rounded once at the end), else in 64-bit integers
** (wrapping, the same bits for int64 and uint64); min/max in the input
** dtype; argmin/argmax as (value, index); any/all as bytes.
*/
#include <stdlib.h>
#include <string.h>
#include "lu_prelude.h"
#include "cpu_internal.h"
#include "cpu_pool.h"

#define SIMD _Pragma("omp simd")
#define SUMBLOCK 4096   /* sum in blocks: the error grows with blocks, not n */
#define COLBLOCK 1024   /* outputs per column-mode block */

/* {===== typed primitives, one set per input dtype
** row:   reduce n elements at byte stride s (element 0 has index r0) into
**        one accumulator slot acc[0] (and idx[0]);
** cinit: set an accumulator vector from one row of m elements (stride si);
** cstep: fold row r into it;
** merge: fold the accumulator vector src into dst (dst comes first). */
#define ISNAN(x) ((x) != (x))

#define ROW_LOOPS(T, AT) \
  switch (op) { \
  case LU_RED_sum: \
    if (fm) { \
      double tot = 0; \
      for (int64_t b = 0; b < n; b += SUMBLOCK) { \
        int64_t e = n - b < SUMBLOCK ? n : b + SUMBLOCK; double sm = 0; \
        _Pragma("omp simd reduction(+:sm)") for (int64_t i = b; i < e; i++) sm += (double)AT(i); \
        tot += sm; \
      } \
      *(double *)acc = tot; \
    } else { \
      uint64_t sm = 0; \
      _Pragma("omp simd reduction(+:sm)") for (int64_t i = 0; i < n; i++) sm += (uint64_t)(int64_t)AT(i); \
      *(uint64_t *)acc = sm; \
    } \
    break; \
  case LU_RED_prod: \
    if (fm) { \
      double pr = 1; \
      _Pragma("omp simd reduction(*:pr)") for (int64_t i = 0; i < n; i++) pr *= (double)AT(i); \
      *(double *)acc = pr; \
    } else { \
      uint64_t pr = 1; \
      _Pragma("omp simd reduction(*:pr)") for (int64_t i = 0; i < n; i++) pr *= (uint64_t)(int64_t)AT(i); \
      *(uint64_t *)acc = pr; \
    } \
    break; \
  case LU_RED_min: case LU_RED_max: { \
    T m = AT(0); int nan = ISNAN(m); \
    if (op == LU_RED_max) { \
      _Pragma("omp simd reduction(max:m) reduction(|:nan)") \
      for (int64_t i = 1; i < n; i++) { T x = AT(i); m = x > m ? x : m; nan |= ISNAN(x); } \
    } else { \
      _Pragma("omp simd reduction(min:m) reduction(|:nan)") \
      for (int64_t i = 1; i < n; i++) { T x = AT(i); m = x < m ? x : m; nan |= ISNAN(x); } \
    } \
    if (nan) for (int64_t i = 0; i < n; i++) if (ISNAN(AT(i))) { m = AT(i); break; } \
    *(T *)acc = m; \
    break; } \
  case LU_RED_argmin: case LU_RED_argmax: { \
    T m = AT(0); int64_t bi = 0; \
    if (!ISNAN(m)) \
      for (int64_t i = 1; i < n; i++) { \
        T x = AT(i); \
        if (ISNAN(x)) { m = x; bi = i; break; } \
        if (op == LU_RED_argmax ? x > m : x < m) { m = x; bi = i; } \
      } \
    *(T *)acc = m; *idx = r0 + bi; \
    break; } \
  case LU_RED_any: { \
    uint8_t v = 0; \
    for (int64_t i = 0; i < n && !v; i++) v = AT(i) != 0; \
    *(uint8_t *)acc = v; break; } \
  case LU_RED_all: { \
    uint8_t v = 1; \
    for (int64_t i = 0; i < n && v; i++) v = AT(i) != 0; \
    *(uint8_t *)acc = v; break; } \
  default: break; \
  }

/* argmin/argmax step: keep a NaN once found; else take x if it is NaN or
** strictly better, so the first index wins ties */
#define ARG_STEP(dv, di, x, r, ismax) \
  if (!ISNAN(dv) && (ISNAN(x) || ((ismax) ? (x) > (dv) : (x) < (dv)))) { (dv) = (x); (di) = (r); }

#define COL_LOOPS(T, AT, INIT) \
  switch (op) { \
  case LU_RED_sum: \
    if (fm) { double *a = acc; \
      if (INIT) { SIMD for (int64_t j = 0; j < m; j++) a[j] = (double)AT(j); } \
      else { SIMD for (int64_t j = 0; j < m; j++) a[j] += (double)AT(j); } \
    } else { uint64_t *a = acc; \
      if (INIT) { SIMD for (int64_t j = 0; j < m; j++) a[j] = (uint64_t)(int64_t)AT(j); } \
      else { SIMD for (int64_t j = 0; j < m; j++) a[j] += (uint64_t)(int64_t)AT(j); } \
    } break; \
  case LU_RED_prod: \
    if (fm) { double *a = acc; \
      if (INIT) { SIMD for (int64_t j = 0; j < m; j++) a[j] = (double)AT(j); } \
      else { SIMD for (int64_t j = 0; j < m; j++) a[j] *= (double)AT(j); } \
    } else { uint64_t *a = acc; \
      if (INIT) { SIMD for (int64_t j = 0; j < m; j++) a[j] = (uint64_t)(int64_t)AT(j); } \
      else { SIMD for (int64_t j = 0; j < m; j++) a[j] *= (uint64_t)(int64_t)AT(j); } \
    } break; \
  case LU_RED_min: case LU_RED_max: { T *a = acc; \
    if (INIT) { for (int64_t j = 0; j < m; j++) a[j] = AT(j); } \
    else if (op == LU_RED_max) { SIMD for (int64_t j = 0; j < m; j++) a[j] = lu_max(a[j], AT(j)); } \
    else { SIMD for (int64_t j = 0; j < m; j++) a[j] = lu_min(a[j], AT(j)); } \
    break; } \
  case LU_RED_argmin: case LU_RED_argmax: { T *a = acc; \
    if (INIT) { for (int64_t j = 0; j < m; j++) { a[j] = AT(j); idx[j] = r; } } \
    else { int mx = op == LU_RED_argmax; \
      for (int64_t j = 0; j < m; j++) { T x = AT(j); ARG_STEP(a[j], idx[j], x, r, mx) } } \
    break; } \
  case LU_RED_any: { uint8_t *a = acc; \
    if (INIT) { for (int64_t j = 0; j < m; j++) a[j] = AT(j) != 0; } \
    else { for (int64_t j = 0; j < m; j++) a[j] |= AT(j) != 0; } \
    break; } \
  case LU_RED_all: { uint8_t *a = acc; \
    if (INIT) { for (int64_t j = 0; j < m; j++) a[j] = AT(j) != 0; } \
    else { for (int64_t j = 0; j < m; j++) a[j] &= AT(j) != 0; } \
    break; } \
  default: break; \
  }

/* {===== contiguous float32/float64 min, max, argmin, argmax
** The generic loops above keep one vector accumulator: each max waits for
** the one before it (4 cycles), which held a 10^7 max at a quarter of the
** memory rate, and argmax ran a compare-and-branch per element. Here: four
** independent SSE accumulators, NaN noted on the side (one NaN decides the
** result, and is then looked for); argmax finds the block with the best
** value and rescans only that block for its first index. */
#if defined(__SSE2__)
#include <immintrin.h>
#define XBLOCK 2048   /* argmin/argmax: elements per block */

#define EXT_FN(sfx, T, V, W, LOAD, MAX, MIN, UNORD, OR, MASK, FIRST) \
  /* min or max of q[0..n), n >= 1; *nan set when any is NaN */ \
  static T ext_##sfx(const T *q, int64_t n, int ismax, int *nan) { \
    int64_t i = 0; T m = q[0]; int nn = 0; \
    if (n >= 4 * W) { \
      V a0 = LOAD(q), a1 = LOAD(q + W), a2 = LOAD(q + 2 * W), a3 = LOAD(q + 3 * W); \
      V u = OR(OR(UNORD(a0, a0), UNORD(a1, a1)), OR(UNORD(a2, a2), UNORD(a3, a3))); \
      for (i = 4 * W; i + 4 * W <= n; i += 4 * W) { \
        V x0 = LOAD(q + i), x1 = LOAD(q + i + W), x2 = LOAD(q + i + 2 * W), x3 = LOAD(q + i + 3 * W); \
        if (ismax) { a0 = MAX(a0, x0); a1 = MAX(a1, x1); a2 = MAX(a2, x2); a3 = MAX(a3, x3); } \
        else { a0 = MIN(a0, x0); a1 = MIN(a1, x1); a2 = MIN(a2, x2); a3 = MIN(a3, x3); } \
        u = OR(u, OR(OR(UNORD(x0, x0), UNORD(x1, x1)), OR(UNORD(x2, x2), UNORD(x3, x3)))); \
      } \
      a0 = ismax ? MAX(MAX(a0, a1), MAX(a2, a3)) : MIN(MIN(a0, a1), MIN(a2, a3)); \
      nn = MASK(u) != 0; \
      _Alignas(16) T lane[W]; \
      memcpy(lane, &a0, sizeof lane); \
      m = lane[0]; \
      for (int k = 1; k < W; k++) m = ismax ? (lane[k] > m ? lane[k] : m) : (lane[k] < m ? lane[k] : m); \
    } \
    for (; i < n; i++) { \
      T x = q[i]; nn |= ISNAN(x); \
      m = ismax ? (x > m ? x : m) : (x < m ? x : m); \
    } \
    *nan = nn; \
    return m; \
  } \
  /* fast_row for T: min/max/argmin/argmax of n contiguous values */ \
  static void fast_##sfx(int op, const T *q, int64_t n, int64_t r0, void *acc, int64_t *idx) { \
    int ismax = op == LU_RED_max || op == LU_RED_argmax, nan; \
    if (op == LU_RED_min || op == LU_RED_max) { \
      T m = ext_##sfx(q, n, ismax, &nan); \
      if (nan) for (int64_t i = 0; i < n; i++) if (ISNAN(q[i])) { m = q[i]; break; } \
      *(T *)acc = m; \
      return; \
    } \
    T best = 0; int64_t bb = 0; \
    for (int64_t b = 0; b < n; b += XBLOCK) { \
      int64_t len = n - b < XBLOCK ? n - b : XBLOCK; \
      T m = ext_##sfx(q + b, len, ismax, &nan); \
      if (nan) { \
        for (int64_t i = b; i < b + len; i++) \
          if (ISNAN(q[i])) { *(T *)acc = q[i]; *idx = r0 + i; return; } \
      } \
      if (b == 0 || (ismax ? m > best : m < best)) { best = m; bb = b; } \
    } \
    for (int64_t i = bb; i < n; i++) \
      if (q[i] == best) { *(T *)acc = q[i]; *idx = r0 + i; return; } \
    *(T *)acc = best; *idx = r0 + bb;   /* not reached */ \
  }

EXT_FN(f32, float, __m128, 4, _mm_loadu_ps, _mm_max_ps, _mm_min_ps, _mm_cmpunord_ps,
       _mm_or_ps, _mm_movemask_ps, _mm_cvtss_f32)
EXT_FN(f64, double, __m128d, 2, _mm_loadu_pd, _mm_max_pd, _mm_min_pd, _mm_cmpunord_pd,
       _mm_or_pd, _mm_movemask_pd, _mm_cvtsd_f64)

/* Sums in double with four independent accumulators (one waits on the
** add before it otherwise), in blocks of SUMBLOCK like the generic loop. */
static double sum_f32(const float *q, int64_t n) {
  double tot = 0;
  for (int64_t b = 0; b < n; b += SUMBLOCK) {
    int64_t e = n - b < SUMBLOCK ? n : b + SUMBLOCK, i = b;
    __m128d a0 = _mm_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 8 <= e; i += 8) {
      __m128 x = _mm_loadu_ps(q + i), y = _mm_loadu_ps(q + i + 4);
      a0 = _mm_add_pd(a0, _mm_cvtps_pd(x));
      a1 = _mm_add_pd(a1, _mm_cvtps_pd(_mm_movehl_ps(x, x)));
      a2 = _mm_add_pd(a2, _mm_cvtps_pd(y));
      a3 = _mm_add_pd(a3, _mm_cvtps_pd(_mm_movehl_ps(y, y)));
    }
    a0 = _mm_add_pd(_mm_add_pd(a0, a1), _mm_add_pd(a2, a3));
    double sm = _mm_cvtsd_f64(_mm_add_sd(a0, _mm_unpackhi_pd(a0, a0)));
    for (; i < e; i++) sm += (double)q[i];
    tot += sm;
  }
  return tot;
}

static double sum_f64(const double *q, int64_t n) {
  double tot = 0;
  for (int64_t b = 0; b < n; b += SUMBLOCK) {
    int64_t e = n - b < SUMBLOCK ? n : b + SUMBLOCK, i = b;
    __m128d a0 = _mm_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 8 <= e; i += 8) {
      a0 = _mm_add_pd(a0, _mm_loadu_pd(q + i));
      a1 = _mm_add_pd(a1, _mm_loadu_pd(q + i + 2));
      a2 = _mm_add_pd(a2, _mm_loadu_pd(q + i + 4));
      a3 = _mm_add_pd(a3, _mm_loadu_pd(q + i + 6));
    }
    a0 = _mm_add_pd(_mm_add_pd(a0, a1), _mm_add_pd(a2, a3));
    double sm = _mm_cvtsd_f64(_mm_add_sd(a0, _mm_unpackhi_pd(a0, a0)));
    for (; i < e; i++) sm += q[i];
    tot += sm;
  }
  return tot;
}

/* 1 when the fast path handled this contiguous run */
static int fast_row(int op, int kind, int size, const char *p, int64_t n, int64_t r0,
                    void *acc, int64_t *idx) {
  if (kind == 'f' && op == LU_RED_sum) {
    if (size == 4) { *(double *)acc = sum_f32((const float *)p, n); return 1; }
    if (size == 8) { *(double *)acc = sum_f64((const double *)p, n); return 1; }
    return 0;
  }
  if (kind != 'f' || n < 1 || op < LU_RED_min || op > LU_RED_argmax) return 0;
  if (size == 4) { fast_f32(op, (const float *)p, n, r0, acc, idx); return 1; }
  if (size == 8) { fast_f64(op, (const double *)p, n, r0, acc, idx); return 1; }
  return 0;
}
#else
static int fast_row(int op, int kind, int size, const char *p, int64_t n, int64_t r0,
                    void *acc, int64_t *idx) {
  (void)op; (void)kind; (void)size; (void)p; (void)n; (void)r0; (void)acc; (void)idx;
  return 0;
}
#endif
/* }===== */

#define AT_C(i) q[i]
#define AT_S(i) (*(const T_ *)(p + (i) * s))
#define AT_CC(j) q[j]
#define AT_CS(j) (*(const T_ *)(row + (j) * si))

#define TYPED(E, name, T, size, kind, sh) \
  static void row_##sh(int op, int fm, const char *p, int64_t n, int64_t s, \
                       int64_t r0, void *acc, int64_t *idx) { \
    typedef T T_; \
    if (s == size) { \
      const T_ *q = (const T_ *)p; \
      if (fast_row(op, kind, size, p, n, r0, acc, idx)) return; \
      ROW_LOOPS(T_, AT_C) \
    } else { ROW_LOOPS(T_, AT_S) } \
  } \
  static void col_##sh(int op, int fm, int init, const char *row, int64_t m, \
                       int64_t si, int64_t r, void *acc, int64_t *idx) { \
    typedef T T_; \
    if (si == size) { const T_ *q = (const T_ *)row; \
      if (init) { COL_LOOPS(T_, AT_CC, 1) } else { COL_LOOPS(T_, AT_CC, 0) } \
    } else { \
      if (init) { COL_LOOPS(T_, AT_CS, 1) } else { COL_LOOPS(T_, AT_CS, 0) } \
    } \
  } \
  static void merge_##sh(int op, int fm, void *dst, int64_t *di, const void *src, \
                         const int64_t *sx, int64_t m) { \
    typedef T T_; \
    switch (op) { \
    case LU_RED_sum: case LU_RED_prod: \
      for (int64_t j = 0; j < m; j++) { \
        if (fm) { double *d = dst; const double *x = src; \
          d[j] = op == LU_RED_sum ? d[j] + x[j] : d[j] * x[j]; } \
        else { uint64_t *d = dst; const uint64_t *x = src; \
          d[j] = op == LU_RED_sum ? d[j] + x[j] : d[j] * x[j]; } \
      } break; \
    case LU_RED_min: case LU_RED_max: { T_ *d = dst; const T_ *x = src; \
      for (int64_t j = 0; j < m; j++) \
        d[j] = op == LU_RED_max ? lu_max(d[j], x[j]) : lu_min(d[j], x[j]); \
      break; } \
    case LU_RED_argmin: case LU_RED_argmax: { T_ *d = dst; const T_ *x = src; \
      int mx = op == LU_RED_argmax; \
      for (int64_t j = 0; j < m; j++) { T_ v = x[j]; ARG_STEP(d[j], di[j], v, sx[j], mx) } \
      break; } \
    case LU_RED_any: case LU_RED_all: { uint8_t *d = dst; const uint8_t *x = src; \
      for (int64_t j = 0; j < m; j++) d[j] = op == LU_RED_any ? (d[j] | x[j]) : (d[j] & x[j]); \
      break; } \
    default: break; \
    } \
  }

LU_DTYPES(TYPED)
/* }===== */

typedef void (*rowfn)(int, int, const char *, int64_t, int64_t, int64_t, void *, int64_t *);
typedef void (*colfn)(int, int, int, const char *, int64_t, int64_t, int64_t, void *, int64_t *);
typedef void (*mergefn)(int, int, void *, int64_t *, const void *, const int64_t *, int64_t);
#define ROW_PTR(E, name, T, size, kind, sh) row_##sh,
#define COL_PTR(E, name, T, size, kind, sh) col_##sh,
#define MERGE_PTR(E, name, T, size, kind, sh) merge_##sh,
static const rowfn rowfns[LU_NDTYPES] = { LU_DTYPES(ROW_PTR) };
static const colfn colfns[LU_NDTYPES] = { LU_DTYPES(COL_PTR) };
static const mergefn mergefns[LU_NDTYPES] = { LU_DTYPES(MERGE_PTR) };

static const char *const red_name[LU_NREDS] = {
#define RNAME(name, rule) #name,
  LU_REDUCTIONS(RNAME)
#undef RNAME
};

typedef struct redjob {
  const lu_reduce_call *c;
  int op, fm, isarg, nth;
  lu_dtype accdt;         /* dtype of the accumulator values */
  int accsz;
  rowfn row; colfn col; mergefn merge;
} redjob;

/* Store m accumulators (values, or indices for argmin/argmax) at out[o0..]. */
static void store(const redjob *j, const void *acc, const int64_t *idx,
                  int64_t o0, int64_t m) {
  const lu_reduce_call *c = j->c;
  int osz = lu_cpu_dsize[c->out_dt];
  if (j->isarg)
    lu_cpu_cast(LU_INT64, (const char *)idx, 8, c->out_dt, c->out_ptr + o0 * osz, osz, m);
  else
    lu_cpu_cast(j->accdt, acc, j->accsz, c->out_dt, c->out_ptr + o0 * osz, osz, m);
}

/* Work is split into parts of about PART elements, run by the pool
** (cpu_pool.c). A reduced axis long enough to split is cut into at most
** MAXSPLIT segments, whose partial results are merged in order (so "first
** NaN" and "first index" stay first). */
#define PART ((int64_t)1 << 16)
#define MAXSPLIT 256

static int64_t clamp64(int64_t x, int64_t lo, int64_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/* {===== row mode */
typedef struct rowjob {
  const redjob *j;
  const char *p;              /* split: the run being reduced */
  int64_t nseg, bs, nout;     /* split: segments; blocks: outputs per block */
  unsigned char (*pacc)[8];
  int64_t *pidx;
} rowjob;

static void row_segment(void *arg, int64_t t) {
  const rowjob *w = arg;
  const lu_reduce_call *c = w->j->c;
  int64_t r0 = c->red * t / w->nseg, r1 = c->red * (t + 1) / w->nseg;
  w->j->row(w->j->op, w->j->fm, w->p + r0 * c->s_red, r1 - r0, c->s_red, r0,
            w->pacc[t], &w->pidx[t]);
}

static void row_block(void *arg, int64_t b) {
  const rowjob *w = arg;
  const redjob *j = w->j;
  const lu_reduce_call *c = j->c;
  _Alignas(16) unsigned char acc[COLBLOCK * 8];
  int64_t idx[COLBLOCK];
  int64_t o0 = b * w->bs, m = w->nout - o0 < w->bs ? w->nout - o0 : w->bs;
  for (int64_t k = 0; k < m; k++) {
    int64_t o = o0 + k;
    const char *p = c->in_ptr + (o / c->inner) * c->s_outer + (o % c->inner) * c->s_inner;
    j->row(j->op, j->fm, p, c->red, c->s_red, 0, acc + k * j->accsz, &idx[k]);
  }
  store(j, acc, idx, o0, m);
}

static void row_mode(const redjob *j) {
  const lu_reduce_call *c = j->c;
  int64_t nout = c->outer * c->inner, total = nout * c->red;
  int nth = j->nth;
  rowjob w;
  memset(&w, 0, sizeof w);
  w.j = j; w.nout = nout;
  if (nout < nth && total >= CPU_PAR_MIN && c->red >= 2 * PART) {
    /* few outputs, long runs: split each run into segments */
    _Alignas(16) unsigned char pacc[MAXSPLIT][8];
    int64_t pidx[MAXSPLIT];
    w.nseg = clamp64(c->red / PART, 2, MAXSPLIT);
    w.pacc = pacc; w.pidx = pidx;
    for (int64_t o = 0; o < nout; o++) {
      w.p = c->in_ptr + (o / c->inner) * c->s_outer + (o % c->inner) * c->s_inner;
      lu_cpu_parallel(w.nseg, row_segment, &w);
      for (int64_t u = 1; u < w.nseg; u++)
        j->merge(j->op, j->fm, pacc[0], pidx, pacc[u], &pidx[u], 1);
      store(j, pacc[0], pidx, o, 1);
    }
    return;
  }
  /* one run per output; outputs in blocks of about PART elements, so the
  ** stores are batched and the threads share the work */
  w.bs = clamp64(PART / (c->red > 0 ? c->red : 1), 1, COLBLOCK);
  int64_t nblk = (nout + w.bs - 1) / w.bs;
  if (total < CPU_PAR_MIN || nblk < 2) {
    for (int64_t b = 0; b < nblk; b++) row_block(&w, b);
  } else {
    lu_cpu_parallel(nblk, row_block, &w);
  }
}
/* }===== */

/* {===== column mode */
/* acc[0..m) = sum over rows r0..r1 of the float rows at base + r*sr, in
** double. Four rows are added in registers before the accumulator vector
** is loaded and stored: one row at a time spent most of its time moving
** the accumulators (8 bytes read and written per 4-byte input). */
#define COLSUM(sfx, T) \
  CPU_CLONES static void colsum_##sfx(const char *base, int64_t sr, int64_t m, \
                                      int64_t r0, int64_t r1, double *restrict acc) { \
    int64_t r = r0; \
    for (int64_t j = 0; j < m; j++) acc[j] = 0; \
    for (; r + 4 <= r1; r += 4) { \
      const T *restrict p0 = (const T *)(base + r * sr), *restrict p1 = (const T *)(base + (r + 1) * sr); \
      const T *restrict p2 = (const T *)(base + (r + 2) * sr), *restrict p3 = (const T *)(base + (r + 3) * sr); \
      _Pragma("omp simd") for (int64_t j = 0; j < m; j++) \
        acc[j] += ((double)p0[j] + (double)p1[j]) + ((double)p2[j] + (double)p3[j]); \
    } \
    for (; r < r1; r++) { \
      const T *restrict p0 = (const T *)(base + r * sr); \
      _Pragma("omp simd") for (int64_t j = 0; j < m; j++) acc[j] += (double)p0[j]; \
    } \
  }
COLSUM(f32, float)
COLSUM(f64, double)

static void col_block(const redjob *j, int64_t oo, int64_t j0, int64_t m,
                      int64_t r0, int64_t r1, void *acc, int64_t *idx) {
  const lu_reduce_call *c = j->c;
  const char *base = c->in_ptr + oo * c->s_outer + j0 * c->s_inner;
  if (j->op == LU_RED_sum && c->in_dt == LU_FLOAT32 && c->s_inner == 4) {
    colsum_f32(base, c->s_red, m, r0, r1, acc);
    return;
  }
  if (j->op == LU_RED_sum && c->in_dt == LU_FLOAT64 && c->s_inner == 8) {
    colsum_f64(base, c->s_red, m, r0, r1, acc);
    return;
  }
  j->col(j->op, j->fm, 1, base + r0 * c->s_red, m, c->s_inner, r0, acc, idx);
  for (int64_t r = r0 + 1; r < r1; r++)
    j->col(j->op, j->fm, 0, base + r * c->s_red, m, c->s_inner, r, acc, idx);
}

typedef struct coljob {
  const redjob *j;
  int64_t nb;                 /* column blocks per outer index */
  int64_t oo, j0, m, nseg;    /* split: the block being reduced, segments */
  unsigned char *pacc;
  int64_t *pidx;
} coljob;

static void col_segment(void *arg, int64_t t) {
  const coljob *w = arg;
  const lu_reduce_call *c = w->j->c;
  int64_t r0 = c->red * t / w->nseg, r1 = c->red * (t + 1) / w->nseg;
  col_block(w->j, w->oo, w->j0, w->m, r0, r1, w->pacc + (size_t)COLBLOCK * 8 * t,
            w->pidx + COLBLOCK * t);
}

static void col_item(void *arg, int64_t it) {
  const coljob *w = arg;
  const lu_reduce_call *c = w->j->c;
  _Alignas(16) unsigned char acc[COLBLOCK * 8];
  int64_t idx[COLBLOCK];
  int64_t oo = it / w->nb, j0 = (it % w->nb) * COLBLOCK;
  int64_t m = c->inner - j0 < COLBLOCK ? c->inner - j0 : COLBLOCK;
  col_block(w->j, oo, j0, m, 0, c->red, acc, idx);
  store(w->j, acc, idx, oo * c->inner + j0, m);
}

static int col_mode(lu_ctx *ctx, const redjob *j) {
  const lu_reduce_call *c = j->c;
  int64_t nb = (c->inner + COLBLOCK - 1) / COLBLOCK, items = c->outer * nb;
  int64_t total = c->outer * c->inner * c->red;
  int nth = j->nth;
  coljob w;
  memset(&w, 0, sizeof w);
  w.j = j; w.nb = nb;
  if (items < 4 * (int64_t)nth && total >= CPU_PAR_MIN && c->red >= 8) {
    /* few blocks, long reduced axis: segments with partial vectors */
    size_t per = (size_t)COLBLOCK * 8;
    int64_t m0 = c->inner < COLBLOCK ? c->inner : COLBLOCK;
    w.nseg = clamp64(m0 * c->red / PART, 2, 64);
    if (w.nseg > c->red) w.nseg = c->red;
    w.pacc = malloc(per * (size_t)w.nseg);
    w.pidx = malloc(sizeof(int64_t) * COLBLOCK * (size_t)w.nseg);
    if (!w.pacc || !w.pidx) {
      free(w.pacc); free(w.pidx);
      return lu_seterr(ctx, LU_EMEM, "cpu reduce %s: out of memory for partial sums", red_name[j->op]);
    }
    for (int64_t it = 0; it < items; it++) {
      w.oo = it / nb; w.j0 = (it % nb) * COLBLOCK;
      w.m = c->inner - w.j0 < COLBLOCK ? c->inner - w.j0 : COLBLOCK;
      lu_cpu_parallel(w.nseg, col_segment, &w);
      for (int64_t u = 1; u < w.nseg; u++)
        j->merge(j->op, j->fm, w.pacc, w.pidx, w.pacc + per * u, w.pidx + COLBLOCK * u, w.m);
      store(j, w.pacc, w.pidx, w.oo * c->inner + w.j0, w.m);
    }
    free(w.pacc); free(w.pidx);
    return LU_OK;
  }
  if (total < CPU_PAR_MIN || items < 2) {
    for (int64_t it = 0; it < items; it++) col_item(&w, it);
  } else {
    lu_cpu_parallel(items, col_item, &w);
  }
  return LU_OK;
}
/* }===== */

static int64_t abs64(int64_t x) { return x < 0 ? -x : x; }

int lu_cpu_reduce(lu_ctx *ctx, const lu_reduce_call *c) {
  redjob j;
  int64_t nout;
  if ((unsigned)c->op >= LU_NREDS || (unsigned)c->in_dt >= LU_NDTYPES ||
      (unsigned)c->out_dt >= LU_NDTYPES || (unsigned)c->acc_dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu reduce: bad op %d or dtype", (int)c->op);
  if (c->outer < 0 || c->red < 0 || c->inner < 0)
    return lu_seterr(ctx, LU_EARG, "cpu reduce %s: negative extent", red_name[c->op]);
  nout = c->outer * c->inner;
  if (nout == 0) return LU_OK;
  j.c = c; j.op = c->op; j.nth = lu_cpu_pool_threads();
  j.fm = lu_cpu_dkind[c->in_dt] == 'f' || lu_cpu_dkind[c->acc_dt] == 'f';
  j.isarg = c->op == LU_RED_argmin || c->op == LU_RED_argmax;
  switch (c->op) {
  case LU_RED_sum: case LU_RED_prod:
    j.accdt = j.fm ? LU_FLOAT64 : (lu_cpu_dkind[c->acc_dt] == 'u' ? LU_UINT64 : LU_INT64);
    break;
  case LU_RED_any: case LU_RED_all: j.accdt = LU_BOOL; break;
  default: j.accdt = c->in_dt; break;
  }
  j.accsz = lu_cpu_dsize[j.accdt];
  j.row = rowfns[c->in_dt]; j.col = colfns[c->in_dt]; j.merge = mergefns[c->in_dt];
  if (c->red == 0) {
    /* the identity, where the reduction has one */
    lu_value v;
    _Alignas(8) unsigned char id[8];
    if (c->op != LU_RED_sum && c->op != LU_RED_prod && c->op != LU_RED_any && c->op != LU_RED_all)
      return lu_seterr(ctx, LU_EARG, "zero-size array to reduction operation %s which has no identity",
                       red_name[c->op]);
    v.u = 0; v.i = (c->op == LU_RED_prod || c->op == LU_RED_all);
    if (j.accdt == LU_FLOAT64) v.f = (double)v.i;
    lu_cpu_store_value(j.accdt, v, id);
    lu_cpu_cast(j.accdt, (const char *)id, 0, c->out_dt, c->out_ptr,
                lu_cpu_dsize[c->out_dt], nout);
    return LU_OK;
  }
  if (c->inner > 1 && abs64(c->s_inner) <= abs64(c->s_red))
    return col_mode(ctx, &j);
  row_mode(&j);
  return LU_OK;
}

const lu_reduce_family lu_cpu_reduce_family = {
  .reduce = lu_cpu_reduce,
};
