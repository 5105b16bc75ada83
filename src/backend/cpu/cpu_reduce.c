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
#include <omp.h>
#include "lu_prelude.h"
#include "cpu_internal.h"

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

/* {===== row mode */
static void row_mode(const redjob *j) {
  const lu_reduce_call *c = j->c;
  int64_t nout = c->outer * c->inner, total = nout * c->red;
  int nth = j->nth;
  if (nout < nth && total >= CPU_PAR_MIN && c->red >= 4 * (int64_t)nth) {
    /* few outputs, long runs: split each run over the threads */
    _Alignas(16) unsigned char pacc[LU_MAXDEV * 64][8];
    int64_t pidx[LU_MAXDEV * 64];
    if (nth > LU_MAXDEV * 64) nth = LU_MAXDEV * 64;
    for (int64_t o = 0; o < nout; o++) {
      const char *p = c->in_ptr + (o / c->inner) * c->s_outer + (o % c->inner) * c->s_inner;
      #pragma omp parallel num_threads(nth)
      {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        int64_t r0 = c->red * t / nt, r1 = c->red * (t + 1) / nt;
        j->row(j->op, j->fm, p + r0 * c->s_red, r1 - r0, c->s_red, r0, pacc[t], &pidx[t]);
        #pragma omp barrier
        #pragma omp single
        {
          for (int u = 1; u < nt; u++)
            j->merge(j->op, j->fm, pacc[0], pidx, pacc[u], &pidx[u], 1);
          store(j, pacc[0], pidx, o, 1);
        }
      }
    }
    return;
  }
  /* one run per output; outputs in blocks so the stores are batched, and
  ** at least one block per thread */
  int64_t bs = (nout + nth - 1) / nth;
  if (bs > COLBLOCK) bs = COLBLOCK;
  int64_t nblk = (nout + bs - 1) / bs;
  #pragma omp parallel for schedule(static) if (total >= CPU_PAR_MIN && nblk > 1)
  for (int64_t b = 0; b < nblk; b++) {
    _Alignas(16) unsigned char acc[COLBLOCK * 8];
    int64_t idx[COLBLOCK];
    int64_t o0 = b * bs, m = nout - o0 < bs ? nout - o0 : bs;
    for (int64_t k = 0; k < m; k++) {
      int64_t o = o0 + k;
      const char *p = c->in_ptr + (o / c->inner) * c->s_outer + (o % c->inner) * c->s_inner;
      j->row(j->op, j->fm, p, c->red, c->s_red, 0, acc + k * j->accsz, &idx[k]);
    }
    store(j, acc, idx, o0, m);
  }
}
/* }===== */

/* {===== column mode */
static void col_block(const redjob *j, int64_t oo, int64_t j0, int64_t m,
                      int64_t r0, int64_t r1, void *acc, int64_t *idx) {
  const lu_reduce_call *c = j->c;
  const char *base = c->in_ptr + oo * c->s_outer + j0 * c->s_inner;
  j->col(j->op, j->fm, 1, base + r0 * c->s_red, m, c->s_inner, r0, acc, idx);
  for (int64_t r = r0 + 1; r < r1; r++)
    j->col(j->op, j->fm, 0, base + r * c->s_red, m, c->s_inner, r, acc, idx);
}

static int col_mode(lu_ctx *ctx, const redjob *j) {
  const lu_reduce_call *c = j->c;
  int64_t nb = (c->inner + COLBLOCK - 1) / COLBLOCK, items = c->outer * nb;
  int64_t total = c->outer * c->inner * c->red;
  int nth = j->nth;
  if (items < nth && total >= CPU_PAR_MIN && c->red >= 4 * (int64_t)nth) {
    /* few blocks, long reduced axis: per-thread partial vectors */
    size_t per = (size_t)COLBLOCK * 8;
    unsigned char *pacc = malloc(per * (size_t)nth);
    int64_t *pidx = malloc(sizeof(int64_t) * COLBLOCK * (size_t)nth);
    if (!pacc || !pidx) {
      free(pacc); free(pidx);
      return lu_seterr(ctx, LU_EMEM, "cpu reduce %s: out of memory for partial sums", red_name[j->op]);
    }
    for (int64_t it = 0; it < items; it++) {
      int64_t oo = it / nb, j0 = (it % nb) * COLBLOCK;
      int64_t m = c->inner - j0 < COLBLOCK ? c->inner - j0 : COLBLOCK;
      #pragma omp parallel num_threads(nth)
      {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        int64_t r0 = c->red * t / nt, r1 = c->red * (t + 1) / nt;
        col_block(j, oo, j0, m, r0, r1, pacc + per * t, pidx + COLBLOCK * t);
        #pragma omp barrier
        #pragma omp single
        {
          for (int u = 1; u < nt; u++)
            j->merge(j->op, j->fm, pacc, pidx, pacc + per * u, pidx + COLBLOCK * u, m);
          store(j, pacc, pidx, oo * c->inner + j0, m);
        }
      }
    }
    free(pacc); free(pidx);
    return LU_OK;
  }
  #pragma omp parallel for schedule(static) if (total >= CPU_PAR_MIN && items > 1)
  for (int64_t it = 0; it < items; it++) {
    _Alignas(16) unsigned char acc[COLBLOCK * 8];
    int64_t idx[COLBLOCK];
    int64_t oo = it / nb, j0 = (it % nb) * COLBLOCK;
    int64_t m = c->inner - j0 < COLBLOCK ? c->inner - j0 : COLBLOCK;
    col_block(j, oo, j0, m, 0, c->red, acc, idx);
    store(j, acc, idx, oo * c->inner + j0, m);
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
  j.c = c; j.op = c->op; j.nth = omp_get_max_threads();
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
