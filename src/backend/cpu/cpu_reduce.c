/* SPDX-License-Identifier: MIT */
/*
** Reductions on the CPU: out[o, j] = FIN(COMBINE over r of MAP(in[o, r, j]))
** (see lu_reduce_call) for every row of the reduction table, through the
** loops generated from it in cpu_reduce_rows.c. Two layouts:
**   row mode     each output reduces one run of `red` elements (inner == 1,
**                or the reduced axis has the smaller stride);
**   column mode  inner > 1 with the smaller stride on the inner axis: a
**                block of outputs is accumulated row by row into a vector,
**                so memory is read in order.
** Work is parallel over outputs (or output blocks); when there are fewer of
** them than threads and the reduced axis is long, over segments of the
** reduced axis with per-thread partial accumulators, merged with the row's
** COMBINE.
**
** Hand-tuned specialisations of rows whose generic loop was measured
** slower: contiguous float32/float64 sum, min, max, argmin and argmax
** (SSE, below), column sums of floats, and any/all runs that stop at the
** first element that decides them. They give the generic loop's results
** (sums in double).
*/
#include <stdlib.h>
#include <string.h>
#include "lu_reducers.h"
#include "cpu_internal.h"
#include "cpu_pool.h"
#include "lu_hostmem.h"

#define SUMBLOCK 4096   /* sum in blocks: the error grows with blocks, not n */
#define COLBLOCK 1024   /* outputs per column-mode block */
#define ACCMAX 32       /* the largest accumulator of any row, in bytes */
#define ISNAN(x) ((x) != (x))

static const char *const red_name[LU_NREDS] = {
#define RNAME(name, rule, flags, nonfloat, params, acc, ident, map, combine, fin) #name,
  LU_REDUCTIONS(RNAME)
#undef RNAME
};

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
  /* fast_row for T: min/max (accumulator T) and argmin/argmax (lu_vi_sfx) \
  ** of n >= 1 contiguous values */ \
  static void fast_##sfx(int op, const T *q, int64_t n, int64_t r0, void *acc) { \
    int ismax = op == LU_RED_max || op == LU_RED_argmax, nan; \
    lu_vi_##sfx *va = acc; \
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
          if (ISNAN(q[i])) { va->v = q[i]; va->i = r0 + i; return; } \
      } \
      if (b == 0 || (ismax ? m > best : m < best)) { best = m; bb = b; } \
    } \
    for (int64_t i = bb; i < n; i++) \
      if (q[i] == best) { va->v = q[i]; va->i = r0 + i; return; } \
    va->v = best; va->i = r0 + bb;   /* not reached */ \
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

/* 1 when a specialisation handled this contiguous run of n >= 1 elements
** (the accumulator is the row's: double for float sums, T for min/max,
** lu_vi_T for argmin/argmax) */
static int fast_row(int op, lu_dtype dt, const char *p, int64_t n, int64_t r0, void *acc) {
  if (n < 1 || (dt != LU_FLOAT32 && dt != LU_FLOAT64)) return 0;
  if (op == LU_RED_sum) {
    *(double *)acc = dt == LU_FLOAT32 ? sum_f32((const float *)p, n) : sum_f64((const double *)p, n);
    return 1;
  }
  if (op != LU_RED_min && op != LU_RED_max && op != LU_RED_argmin && op != LU_RED_argmax) return 0;
  if (dt == LU_FLOAT32) fast_f32(op, (const float *)p, n, r0, acc);
  else fast_f64(op, (const double *)p, n, r0, acc);
  return 1;
}
#else
static int fast_row(int op, lu_dtype dt, const char *p, int64_t n, int64_t r0, void *acc) {
  (void)op; (void)dt; (void)p; (void)n; (void)r0; (void)acc;
  return 0;
}
#endif
/* }===== */

/* any and all stop at the first element that decides them (the generic
** loop reads every element): 1 when an element with (x != 0) == want is
** among the n at p (byte stride s) */
#define DECIDES(E, name, T, size, kind, sh) \
  static int decides_##sh(const char *p, int64_t n, int64_t s, int want) { \
    for (int64_t i = 0; i < n; i++) if ((*(const T *)(p + i * s) != 0) == want) return 1; \
    return 0; \
  }
LU_DTYPES_NATIVE(DECIDES)
#define DECIDES_PTR(E, name, T, size, kind, sh) decides_##sh,
static int (*const decides[LU_NDTYPES])(const char *, int64_t, int64_t, int) = {
  LU_DTYPES_NATIVE(DECIDES_PTR)
};

typedef struct redjob {
  const lu_reduce_call *c;
  const lu_cpu_redfns *f;
  int op, nth, accsz, osz;
} redjob;

/* Fold one run (n elements from p, positions from r0) into acc. */
static void fold(const redjob *j, const char *p, int64_t n, int64_t s, int64_t r0, void *acc) {
  if (j->op == LU_RED_any || j->op == LU_RED_all) {
    int want = j->op == LU_RED_any;
    *(uint8_t *)acc = (uint8_t)(decides[j->c->in_dt](p, n, s, want) ? want : !want);
    return;
  }
  if (s == lu_cpu_dsize[j->c->in_dt] && fast_row(j->op, j->c->in_dt, p, n, r0, acc)) return;
  j->f->fold(j->op, p, n, s, r0, acc);
}

/* Finish m accumulators into out[o0..]. */
static void store(const redjob *j, const void *acc, int64_t o0, int64_t m) {
  const lu_reduce_call *c = j->c;
  j->f->fin(j->op, acc, m, c->red, c->ddof, c->out_ptr + o0 * j->osz);
}

/* Work is split into parts of about PART elements, run by the pool
** (cpu_pool.c). A reduced axis long enough to split is cut into at most
** MAXSPLIT segments, whose partial results are merged. */
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
  unsigned char *pacc;        /* split: nseg accumulators */
} rowjob;

static void row_segment(void *arg, int64_t t) {
  const rowjob *w = arg;
  const lu_reduce_call *c = w->j->c;
  int64_t r0 = c->red * t / w->nseg, r1 = c->red * (t + 1) / w->nseg;
  fold(w->j, w->p + r0 * c->s_red, r1 - r0, c->s_red, r0, w->pacc + t * w->j->accsz);
}

static void row_block(void *arg, int64_t b) {
  const rowjob *w = arg;
  const redjob *j = w->j;
  const lu_reduce_call *c = j->c;
  _Alignas(16) unsigned char acc[COLBLOCK * ACCMAX];
  int64_t o0 = b * w->bs, m = w->nout - o0 < w->bs ? w->nout - o0 : w->bs;
  for (int64_t k = 0; k < m; k++) {
    int64_t o = o0 + k;
    const char *p = c->in_ptr + (o / c->inner) * c->s_outer + (o % c->inner) * c->s_inner;
    fold(j, p, c->red, c->s_red, 0, acc + k * j->accsz);
  }
  store(j, acc, o0, m);
}

static void row_mode(const redjob *j) {
  const lu_reduce_call *c = j->c;
  int64_t nout = c->outer * c->inner, total = nout * c->red;
  rowjob w;
  memset(&w, 0, sizeof w);
  w.j = j; w.nout = nout;
  if (nout < j->nth && total >= lu_cpu_par_min(CPU_PAR_REDUCE) && c->red >= 2 * PART) {
    /* few outputs, long runs: split each run into segments */
    _Alignas(16) unsigned char pacc[MAXSPLIT * ACCMAX];
    w.nseg = clamp64(c->red / PART, 2, MAXSPLIT);
    w.pacc = pacc;
    for (int64_t o = 0; o < nout; o++) {
      w.p = c->in_ptr + (o / c->inner) * c->s_outer + (o % c->inner) * c->s_inner;
      lu_cpu_parallel(w.nseg, row_segment, &w);
      for (int64_t u = 1; u < w.nseg; u++) j->f->merge(j->op, pacc, pacc + u * j->accsz, 1);
      store(j, pacc, o, 1);
    }
    return;
  }
  /* one run per output; outputs in blocks of about PART elements, so the
  ** stores are batched and the threads share the work */
  w.bs = clamp64(PART / (c->red > 0 ? c->red : 1), 1, COLBLOCK);
  int64_t nblk = (nout + w.bs - 1) / w.bs;
  if (total < lu_cpu_par_min(CPU_PAR_REDUCE) || nblk < 2) {
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

/* Rows r0..r1 of a block of m outputs (inner positions j0..) into acc. */
static void col_block(const redjob *j, int64_t oo, int64_t j0, int64_t m,
                      int64_t r0, int64_t r1, void *acc) {
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
  j->f->ident(j->op, acc, m);
  for (int64_t r = r0; r < r1; r++)
    j->f->cstep(j->op, base + r * c->s_red, m, c->s_inner, r, acc);
}

typedef struct coljob {
  const redjob *j;
  int64_t nb;                 /* column blocks per outer index */
  int64_t oo, j0, m, nseg;    /* split: the block being reduced, segments */
  unsigned char *pacc;
} coljob;

static void col_segment(void *arg, int64_t t) {
  const coljob *w = arg;
  const lu_reduce_call *c = w->j->c;
  int64_t r0 = c->red * t / w->nseg, r1 = c->red * (t + 1) / w->nseg;
  col_block(w->j, w->oo, w->j0, w->m, r0, r1, w->pacc + (size_t)COLBLOCK * w->j->accsz * t);
}

static void col_item(void *arg, int64_t it) {
  const coljob *w = arg;
  const lu_reduce_call *c = w->j->c;
  _Alignas(16) unsigned char acc[COLBLOCK * ACCMAX];
  int64_t oo = it / w->nb, j0 = (it % w->nb) * COLBLOCK;
  int64_t m = c->inner - j0 < COLBLOCK ? c->inner - j0 : COLBLOCK;
  col_block(w->j, oo, j0, m, 0, c->red, acc);
  store(w->j, acc, oo * c->inner + j0, m);
}

static int col_mode(lu_ctx *ctx, const redjob *j) {
  const lu_reduce_call *c = j->c;
  int64_t nb = (c->inner + COLBLOCK - 1) / COLBLOCK, items = c->outer * nb;
  int64_t total = c->outer * c->inner * c->red;
  coljob w;
  memset(&w, 0, sizeof w);
  w.j = j; w.nb = nb;
  if (items < 4 * (int64_t)j->nth && total >= lu_cpu_par_min(CPU_PAR_REDUCE) && c->red >= 8) {
    /* few blocks, long reduced axis: segments with partial vectors */
    size_t per = (size_t)COLBLOCK * j->accsz;
    int64_t m0 = c->inner < COLBLOCK ? c->inner : COLBLOCK;
    w.nseg = clamp64(m0 * c->red / PART, 2, 64);
    if (w.nseg > c->red) w.nseg = c->red;
    w.pacc = lu_malloc(per * (size_t)w.nseg);
    if (!w.pacc)
      return lu_seterr(ctx, LU_EMEM, "cpu reduce %s: out of memory for partial results",
                       red_name[j->op]);
    for (int64_t it = 0; it < items; it++) {
      w.oo = it / nb; w.j0 = (it % nb) * COLBLOCK;
      w.m = c->inner - w.j0 < COLBLOCK ? c->inner - w.j0 : COLBLOCK;
      lu_cpu_parallel(w.nseg, col_segment, &w);
      for (int64_t u = 1; u < w.nseg; u++) j->f->merge(j->op, w.pacc, w.pacc + per * u, w.m);
      store(j, w.pacc, w.oo * c->inner + w.j0, w.m);
    }
    free(w.pacc);
    return LU_OK;
  }
  if (total < lu_cpu_par_min(CPU_PAR_REDUCE) || items < 2) {
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
  int ressz;
  if ((unsigned)c->op >= LU_NREDS || (unsigned)c->in_dt >= LU_NDTYPES ||
      (unsigned)c->out_dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu reduce: bad op %d or dtype", (int)c->op);
  if (c->outer < 0 || c->red < 0 || c->inner < 0)
    return lu_seterr(ctx, LU_EARG, "cpu reduce %s: negative extent", red_name[c->op]);
  if (lu_cpu_redfns_of[c->in_dt].fold == NULL)   /* float16, complex: the core composes */
    return lu_seterr(ctx, LU_ETYPE, "cpu reduce %s: no loop for dtype %d", red_name[c->op],
                     (int)c->in_dt);
  j.c = c; j.op = c->op; j.nth = lu_cpu_pool_threads();
  j.f = &lu_cpu_redfns_of[c->in_dt];
  j.f->sizes(c->op, &j.accsz, &ressz);
  j.osz = lu_cpu_dsize[c->out_dt];
  if (ressz != j.osz || j.accsz > ACCMAX)
    return lu_seterr(ctx, LU_EARG, "cpu reduce %s: output dtype %d is not the row's result",
                     red_name[c->op], (int)c->out_dt);
  if (c->outer * c->inner == 0) return LU_OK;
  if (c->inner > 1 && c->red > 0 && abs64(c->s_inner) <= abs64(c->s_red))
    return col_mode(ctx, &j);
  row_mode(&j);
  return LU_OK;
}

const lu_reduce_family lu_cpu_reduce_family = {
  .reduce = lu_cpu_reduce,
};
