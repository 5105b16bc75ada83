/* SPDX-License-Identifier: MIT */
/*
** Elementwise ops on the CPU: the op table's expressions instantiated once
** per compute dtype, and NumPy-style buffered loops around them.
**
** For each compute dtype T there is one kernel function with a `switch` over
** the ops; each case is a simple loop over a contiguous chunk of T values
** (input stride 1, or 0 for a scalar / broadcast operand) writing values of
** the expression's type (T, or bool for comparisons). Expressions that are
** LU_NONE for T's kind are not instantiated. Everything that is not that
** simple (strides, mixed dtypes, a different output dtype) is gathered into
** chunk buffers of T through the cast matrix and scattered back from them.
*/
#include <pthread.h>
#include <tgmath.h>
#include <string.h>
#include "lu_prelude.h"
#include "cpu_internal.h"
#include "cpu_pool.h"

/* {===== vector maths
** glibc's libmvec has vector versions of expf and logf (linked through
** libm.so's AS_NEEDED libmvec). <math.h> declares them only under
** -ffast-math; declaring them here lets the `omp simd` loops call them 8 or
** 4 at a time (1 ulp at most, as NumPy's own SIMD expf) instead of one call
** per element: 20x faster for float32 exp, which was compute bound. */
#if defined(__x86_64__) && defined(__GLIBC__) && !defined(__FAST_MATH__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 22))
#pragma omp declare simd notinbranch
float expf(float);
#pragma omp declare simd notinbranch
float logf(float);
#endif
/* The double versions of exp, log, sin and cos have been there as long
** (2 or 4 at a time; glibc's tables give them 1-2 ulp, against NumPy's 0.5
** to 4 ulp on its own SIMD paths): exp of 10^7 doubles was 70-80 ms of CPU
** time as a call per element, 2.5x NumPy's (bench/RESULTS.md). */
#if defined(__x86_64__) && defined(__GLIBC__) && !defined(__FAST_MATH__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 22))
#pragma omp declare simd notinbranch
double (exp)(double);
#pragma omp declare simd notinbranch
double (log)(double);
#pragma omp declare simd notinbranch
double (sin)(double);
#pragma omp declare simd notinbranch
double (cos)(double);
#endif
/* glibc 2.35 added the rest of the float functions the op table calls
** (4 ulp at most, well inside the float32 tolerance of the NumPy tests). */
#if defined(__x86_64__) && defined(__GLIBC__) && !defined(__FAST_MATH__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#define SIMD_F1(f) _Pragma("omp declare simd notinbranch") float f(float);
#define SIMD_F2(f) _Pragma("omp declare simd notinbranch") float f(float, float);
SIMD_F1(sinf) SIMD_F1(cosf) SIMD_F1(tanf) SIMD_F1(asinf) SIMD_F1(acosf) SIMD_F1(atanf)
SIMD_F1(sinhf) SIMD_F1(coshf) SIMD_F1(tanhf) SIMD_F1(asinhf) SIMD_F1(acoshf)
SIMD_F1(atanhf) SIMD_F1(exp2f) SIMD_F1(expm1f) SIMD_F1(log2f) SIMD_F1(log10f)
SIMD_F1(log1pf) SIMD_F1(cbrtf) SIMD_F1(erff) SIMD_F1(erfcf)
SIMD_F2(atan2f) SIMD_F2(hypotf)
/* and their double versions (4 ulp at most): float64 tanh of 10^6 took 12
** ms as a call per element on the 2-core machine */
#define SIMD_D1(f) _Pragma("omp declare simd notinbranch") double (f)(double);
#define SIMD_D2(f) _Pragma("omp declare simd notinbranch") double (f)(double, double);
SIMD_D1(tan) SIMD_D1(asin) SIMD_D1(acos) SIMD_D1(atan) SIMD_D1(sinh) SIMD_D1(cosh)
SIMD_D1(tanh) SIMD_D1(asinh) SIMD_D1(acosh) SIMD_D1(atanh) SIMD_D1(exp2) SIMD_D1(expm1)
SIMD_D1(log2) SIMD_D1(log10) SIMD_D1(log1p) SIMD_D1(cbrt) SIMD_D1(erf) SIMD_D1(erfc)
SIMD_D2(atan2) SIMD_D2(hypot)
#endif
/* The kernels are built twice (CPU_CLONES, cpu_internal.h): for AVX2 (8
** floats a step, and the AVX2 libmvec) and the x86-64 baseline. */
/* }===== */

/* {===== selecting defined expressions
** An expression in lu_ops.def is always parenthesised; "not defined" is the
** bare token LU_NONE. IS_EXPR(x) is 1 for the first and 0 for the second. */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define CHECK_N(x, n, ...) n
#define CHECK(...) CHECK_N(__VA_ARGS__, 0, )
#define PAREN_PROBE(...) ~, 1,
#define IS_EXPR(x) CHECK(PAREN_PROBE x)
#define IIF(c) CAT_(IIF_, c)
#define IIF_0(t, f) f
#define IIF_1(t, f) t
/* }===== */

/* The type an expression yields for compute type T under each rule. */
#define RT_LU_R_SAME(T) T
#define RT_LU_R_FLOAT(T) T
#define RT_LU_R_TDIV(T) T
#define RT_LU_R_CMP(T) uint8_t
#define RT_LU_R_INT8B(T) T
#define RT_LU_R_WHERE(T) T
#define RT_LU_R_FLOATI(T) int32_t
#define RT_LU_R_LDEXP(T) T
#define RT_LU_R_F64(T) T
#define RT_LU_R_COUNT(T) uint8_t

/* {===== loops; T_ (compute type) and R_ (result type) are typedefs in scope,
** the inputs are named a, b, c as the expressions expect */
#define SIMD _Pragma("omp simd")

#define LOOP1(EXPR) { \
    const T_ *restrict pa = in[0]; R_ *restrict po = out; \
    if (st[0]) { SIMD for (int64_t i = 0; i < n; i++) { T_ a = pa[i]; po[i] = (R_)EXPR; } } \
    else { T_ a = pa[0]; R_ v = (R_)EXPR; for (int64_t i = 0; i < n; i++) po[i] = v; } \
    return 0; }

#define LOOP2(EXPR) { \
    const T_ *restrict pa = in[0], *restrict pb = in[1]; R_ *restrict po = out; \
    if (st[0] && st[1]) { \
      SIMD for (int64_t i = 0; i < n; i++) { T_ a = pa[i], b = pb[i]; po[i] = (R_)EXPR; } \
    } else if (st[0]) { \
      const T_ b = pb[0]; \
      SIMD for (int64_t i = 0; i < n; i++) { T_ a = pa[i]; po[i] = (R_)EXPR; } \
    } else if (st[1]) { \
      const T_ a = pa[0]; \
      SIMD for (int64_t i = 0; i < n; i++) { T_ b = pb[i]; po[i] = (R_)EXPR; } \
    } else { \
      T_ a = pa[0], b = pb[0]; R_ v = (R_)EXPR; \
      for (int64_t i = 0; i < n; i++) po[i] = v; \
    } \
    return 0; }

#define LOOP3(EXPR) { \
    const T_ *restrict pa = in[0], *restrict pb = in[1], *restrict pc = in[2]; \
    R_ *restrict po = out; \
    if (st[0] && st[1] && st[2]) { \
      SIMD for (int64_t i = 0; i < n; i++) { \
        T_ a = pa[i], b = pb[i], c = pc[i]; po[i] = (R_)EXPR; } \
    } else if (st[0] && !st[1] && !st[2]) { \
      const T_ b = pb[0], c = pc[0]; \
      SIMD for (int64_t i = 0; i < n; i++) { T_ a = pa[i]; po[i] = (R_)EXPR; } \
    } else { \
      int64_t sa = st[0], sb = st[1], sc = st[2]; \
      for (int64_t i = 0; i < n; i++) { \
        T_ a = pa[i * sa], b = pb[i * sb], c = pc[i * sc]; po[i] = (R_)EXPR; } \
    } \
    return 0; }

#define NOLOOP(EXPR) return -1;
#define EMIT(nin, e) IIF(IS_EXPR(e))(CAT(LOOP, nin), NOLOOP)(e)

/* One op of the kernel of compute type T_ (kind K_): the expression for
** K_'s slot; the other slots' branches fold away. */
#define OP_CASE(name, nin, rule, eb, ei, ef) \
  case LU_OP_##name: { \
    typedef RT_##rule(T_) R_; \
    if (K_ == 'b') { EMIT(nin, eb) } \
    else if (K_ == 'f') { EMIT(nin, ef) } \
    else { EMIT(nin, ei) } \
  }
/* }===== */

/* kernel_<tag>(op, n, in, st, out): out[i] = EXPR(in0[i*st0], ...), for n
** values of compute type T; returns -1 if op is not defined for T. */
#define KERNEL(E, name, T, size, kind, sh) \
  CPU_CLONES static int kernel_##sh(int op, int64_t n, const void *const *in, \
                         const int64_t *st, void *out) { \
    typedef T T_; \
    enum { K_ = kind }; \
    switch (op) { CPU_DEFER(CPU_OPS_I)()(OP_CASE) default: break; } \
    return -1; \
  }
#define CPU_OPS_I() LU_OPS
CPU_EXPAND(LU_DTYPES_NATIVE(KERNEL))

/* float16 and bfloat16 have no kernel of their own: they compute with the
** float32 one on chunks widened to float32, rounded once on the way out
** (kernel_dtype); the complex kernels are cpu_ewise_complex.c's. */
typedef int (*kernfn)(int, int64_t, const void *const *, const int64_t *, void *);
#define KERNEL_PTR(E, name, T, size, kind, sh) kernel_##sh,
static const kernfn kernels[LU_NDTYPES] = {
  LU_DTYPES_NATIVE(KERNEL_PTR)
  [LU_COMPLEX64] = lu_cpu_kernel_c64,
  [LU_COMPLEX128] = lu_cpu_kernel_c128,
};

/* The dtype the kernel of compute dtype ct works in, and the dtype it
** yields for result dtype rt. */
static lu_dtype kernel_dtype(lu_dtype ct) {
  return (ct == LU_FLOAT16 || ct == LU_BFLOAT16) ? LU_FLOAT32 : ct;
}
static lu_dtype kernel_result(lu_dtype ct, lu_dtype rt) {
  return rt == ct ? kernel_dtype(ct) : rt;
}

/* which kind slots (bool, int, float) each op defines, and its rule */
#define DEF_ROW(name, nin, rule, eb, ei, ef) { IS_EXPR(eb), IS_EXPR(ei), IS_EXPR(ef) },
static const unsigned char op_defined[LU_NOPS][3] = { LU_OPS(DEF_ROW) };
#define RULE_ROW(name, nin, rule, eb, ei, ef) rule,
static const unsigned char op_rule[LU_NOPS] = { LU_OPS(RULE_ROW) };
#define NIN_ROW(name, nin, rule, eb, ei, ef) nin,
static const unsigned char op_nin[LU_NOPS] = { LU_OPS(NIN_ROW) };
#define NAME_ROW(name, nin, rule, eb, ei, ef) #name,
static const char *const op_name[LU_NOPS] = { LU_OPS(NAME_ROW) };

/* {===== sqrt
** Without -fno-math-errno, C's sqrt must set errno for negative input, so
** the compiler keeps it a scalar call with a branch: float32 sqrt ran at a
** third of memory speed. These loops use the SSE instruction (the same
** correctly rounded result; NaN for negative input, as sqrt returns). */
#if defined(__SSE2__)
#include <immintrin.h>
static int kernel_sqrt_f32(int op, int64_t n, const void *const *in, const int64_t *st,
                           void *out) {
  const float *a = in[0];
  float *o = out;
  int64_t i = 0;
  if (!st[0]) return kernels[LU_FLOAT32](op, n, in, st, out);
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_ps(o + i, _mm_sqrt_ps(_mm_loadu_ps(a + i)));
    _mm_storeu_ps(o + i + 4, _mm_sqrt_ps(_mm_loadu_ps(a + i + 4)));
  }
  for (; i < n; i++) o[i] = _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(a[i])));
  return 0;
}

static int kernel_sqrt_f64(int op, int64_t n, const void *const *in, const int64_t *st,
                           void *out) {
  const double *a = in[0];
  double *o = out;
  int64_t i = 0;
  if (!st[0]) return kernels[LU_FLOAT64](op, n, in, st, out);
  for (; i + 4 <= n; i += 4) {
    _mm_storeu_pd(o + i, _mm_sqrt_pd(_mm_loadu_pd(a + i)));
    _mm_storeu_pd(o + i + 2, _mm_sqrt_pd(_mm_loadu_pd(a + i + 2)));
  }
  for (; i < n; i++) o[i] = _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(a[i])));
  return 0;
}
#endif

/* The kernel for op in compute type ct: the table's, or a special one. */
static kernfn pick_kernel(int op, lu_dtype ct) {
#if defined(__SSE2__)
  if (op == LU_OP_sqrt && ct == LU_FLOAT32) return kernel_sqrt_f32;
  if (op == LU_OP_sqrt && ct == LU_FLOAT64) return kernel_sqrt_f64;
#endif
  return kernels[ct];
}
/* }===== */

static int kind_slot(lu_dtype dt) {
  char k = lu_cpu_dkind[dt];
  return k == 'b' ? 0 : (k == 'f' ? 2 : 1);
}

/* Whether op has a loop for compute dtype ct, and the dtype it yields. */
static int op_has(int op, lu_dtype ct) {
  if (lu_cpu_dkind[ct] == 'c') return lu_cpu_cop[op] != 0;
  return op_defined[op][kind_slot(ct)];
}
static lu_dtype op_yields(int op, lu_dtype ct) {
  if (op_rule[op] != LU_R_CMP && lu_cpu_dkind[ct] == 'c' && lu_cpu_cop[op] == 1 + LU_CX_REAL)
    return ct == LU_COMPLEX64 ? LU_FLOAT32 : LU_FLOAT64;
  return (lu_dtype)LU_RULE_RT(op_rule[op], ct);
}

/* The op's class for the thread threshold: transcendental functions cost
** tens of cycles an element, so threads pay off on fewer elements than for
** arithmetic and comparisons (lu_cpu_par_min). */
static const char *const trans_names[] = {
  "power", "exp", "log", "sin", "cos", "tanh", "tan", "arcsin", "arccos", "arctan", "sinh",
  "cosh", "arcsinh", "arccosh", "arctanh", "arctan2", "hypot", "sinc", "exp2", "expm1", "log2",
  "log10", "log1p", "logaddexp", "logaddexp2", "cbrt", "float_power", "fmod", "erf", "erfc",
  NULL };
static unsigned char op_trans[LU_NOPS];
static pthread_once_t trans_once = PTHREAD_ONCE_INIT;
static void trans_init(void) {
  for (int o = 0; o < LU_NOPS; o++)
    for (int k = 0; trans_names[k] != NULL; k++)
      if (op_name[o] != NULL && strcmp(op_name[o], trans_names[k]) == 0) op_trans[o] = 1;
}
static int op_class(int op) {
  pthread_once(&trans_once, trans_init);
  return op >= 0 && op < LU_NOPS && op_trans[op] ? CPU_PAR_TRANS : CPU_PAR_EWISE;
}

/* {===== the contiguous fast path: the kernel straight on the arrays
** Blocks of DIRECT_BLOCK elements (a multiple of 16, so each starts
** aligned) claimed one by one by the pool's threads (cpu_pool.c): on a
** shared machine a thread that loses its core leaves its blocks to the
** others instead of making the op wait for it. */
#define DIRECT_BLOCK ((int64_t)1 << 16)

typedef struct directjob {
  const lu_ewise_call *c;
  int64_t blk;                  /* elements per block: DIRECT_BLOCK, less for small n */
  kernfn kf;
  const void *const *base;
  const int64_t *st;
} directjob;

/* (the direct path runs only when the kernel's dtypes are the call's) */
static void direct_block(void *arg, int64_t b) {
  const directjob *j = arg;
  const lu_ewise_call *c = j->c;
  int csz = lu_cpu_dsize[c->ct], rsz = lu_cpu_dsize[c->rt];
  int64_t lo = b * j->blk, m = c->n - lo < j->blk ? c->n - lo : j->blk;
  const void *p[3];
  for (int k = 0; k < 3; k++)
    p[k] = j->base[k] ? (const char *)j->base[k] + lo * j->st[k] * csz : NULL;
  j->kf(c->op, m, p, j->st, c->out_ptr + lo * rsz);
}

static void run_direct(const lu_ewise_call *c, kernfn kf, const void *const *base,
                       const int64_t *st) {
  int64_t n = c->n, blk = DIRECT_BLOCK, nblk;
  directjob j = { c, 0, kf, base, st };
  if (n < lu_cpu_par_min(op_class(c->op))) { kf(c->op, n, base, st, c->out_ptr); return; }
  /* below 4 blocks, smaller ones (down to 4096 elements) so the threads share */
  while (blk > 4096 && n < 4 * blk) blk /= 2;
  nblk = (n + blk - 1) / blk;
  if (nblk < 2) { kf(c->op, n, base, st, c->out_ptr); return; }
  j.blk = blk;
  lu_cpu_parallel(nblk, direct_block, &j);
}
/* }===== */

/* {===== the buffered N-d path
** Work is split into items: (row of the innermost dim, chunk of that row).
** A thread takes a contiguous range of items, finds its first row's
** offsets once, then advances an index counter row by row. */
typedef struct ewjob {
  const lu_ewise_call *c;
  kernfn kf;
  lu_dtype kt, krt;         /* the kernel's compute and result dtypes */
  const void *scal[3];      /* scalar inputs as ct values */
  int64_t len, cpr;         /* innermost length, chunks per row */
  int64_t items, per;       /* all items; items per parallel group */
} ewjob;

static void run_items(const ewjob *j, int64_t it0, int64_t it1) {
  const lu_ewise_call *c = j->c;
  int nin = c->nin, last = c->ndim - 1;
  lu_dtype kt = j->kt, krt = j->krt;
  int csz = lu_cpu_dsize[kt], rsz = lu_cpu_dsize[krt];
  int64_t idx[LU_MAXDIM], off[4];
  _Alignas(64) unsigned char buf[4][CPU_CHUNK * 16];
  int64_t row = it0 / j->cpr, ck = it0 % j->cpr;
  /* unravel the first row over dims 0..last-1 */
  off[0] = off[1] = off[2] = off[3] = 0;
  {
    int64_t rem = row;
    for (int d = last - 1; d >= 0; d--) { idx[d] = rem % c->shape[d]; rem /= c->shape[d]; }
  }
  for (int d = 0; d < last; d++) {
    for (int k = 0; k < nin; k++) off[k] += idx[d] * c->in_strides[k][d];
    off[3] += idx[d] * c->out_strides[d];
  }
  for (int64_t it = it0; it < it1; it++) {
    int64_t j0 = ck * CPU_CHUNK;
    int64_t cl = j->len - j0 < CPU_CHUNK ? j->len - j0 : CPU_CHUNK;
    const void *p[3] = { NULL, NULL, NULL };
    int64_t st[3] = { 0, 0, 0 };
    for (int k = 0; k < nin; k++) {
      if (c->in_scalar[k]) { p[k] = j->scal[k]; continue; }
      int64_t is = c->in_strides[k][last];
      const char *src = c->in_ptr[k] + off[k] + j0 * is;
      if (c->in_dt[k] == kt && (is == csz || is == 0)) {
        p[k] = src; st[k] = is != 0;
      } else if (is == 0) {
        lu_cpu_cast(c->in_dt[k], src, 0, kt, (char *)buf[k], csz, 1);
        p[k] = buf[k];
      } else {
        lu_cpu_cast(c->in_dt[k], src, is, kt, (char *)buf[k], csz, cl);
        p[k] = buf[k]; st[k] = 1;
      }
    }
    int64_t os = c->out_strides[last];
    char *dst = c->out_ptr + off[3] + j0 * os;
    if (c->out_dt == krt && os == rsz) {
      j->kf(c->op, cl, p, st, dst);
    } else {
      j->kf(c->op, cl, p, st, buf[3]);
      lu_cpu_cast(krt, (const char *)buf[3], rsz, c->out_dt, dst, os, cl);
    }
    /* next item: next chunk, or the first chunk of the next row */
    if (++ck == j->cpr) {
      ck = 0;
      for (int d = last - 1; d >= 0; d--) {
        if (++idx[d] < c->shape[d]) {
          for (int k = 0; k < nin; k++) off[k] += c->in_strides[k][d];
          off[3] += c->out_strides[d];
          break;
        }
        for (int k = 0; k < nin; k++) off[k] -= (idx[d] - 1) * c->in_strides[k][d];
        off[3] -= (idx[d] - 1) * c->out_strides[d];
        idx[d] = 0;
      }
    }
  }
}
/* }===== */

static void item_group(void *arg, int64_t g) {
  const ewjob *j = arg;
  int64_t lo = g * j->per, hi = lo + j->per < j->items ? lo + j->per : j->items;
  run_items(j, lo, hi);
}

/* {===== short rows against a repeated row or a column
** (1797, 10) + (10,), the bias of a small model: item by item, each of
** the 1797 rows was a kernel call of 10 elements, and the calls cost more
** than the sums (25 us against NumPy's 14). Where every operand is either
** C-contiguous over both dims in the kernel's dtype, the same row for every
** row (stride 0 along rows), one value per row (stride 0 along the row:
** `x - x:max(2, true)`) or a number, and the result is C-contiguous in the
** kernel's result dtype, a call covers many rows: the repeated row laid out
** once as rows of a tile, a column's values spread over their rows in a
** buffer per call. */
#define TILE_ROWS_MAX (CPU_CHUNK / 4)    /* rows of at most this many elements */
typedef struct tilejob {
  const lu_ewise_call *c;
  kernfn kf;
  const void *p[3];       /* the tile, the number, or the operand's start */
  int flat[3];            /* operand k walks with the rows */
  int col[3];             /* operand k holds one value per row */
  lu_dtype kt;
  int64_t len, rpi, rows, per;
  int csz, rsz;
} tilejob;

/* rows [r0, r0 + nr) of column operand k spread over their rows in b */
static void spread_col(const tilejob *j, int k, int64_t r0, int64_t nr, unsigned char *b) {
  const lu_ewise_call *c = j->c;
  const char *src = c->in_ptr[k] + r0 * c->in_strides[k][0];
  int64_t len = j->len, s0 = c->in_strides[k][0], r, e;
  if (c->in_dt[k] == j->kt && j->csz == 8) {        /* float64, int64: no cast */
    uint64_t *d = (uint64_t *)b, x;
    for (r = 0; r < nr; r++, d += len) {
      memcpy(&x, src + r * s0, 8);
      for (e = 0; e < len; e++) d[e] = x;
    }
    return;
  }
  if (c->in_dt[k] == j->kt && j->csz == 4) {        /* float32, int32 */
    uint32_t *d = (uint32_t *)b, x;
    for (r = 0; r < nr; r++, d += len) {
      memcpy(&x, src + r * s0, 4);
      for (e = 0; e < len; e++) d[e] = x;
    }
    return;
  }
  /* others: each row's value cast into the row's first place, then copied */
  lu_cpu_cast(c->in_dt[k], src, s0, j->kt, (char *)b, (int64_t)len * j->csz, nr);
  for (r = 0; r < nr; r++) {
    unsigned char *d = b + r * len * j->csz;
    for (e = 1; e < len; e++) memcpy(d + e * j->csz, d, (size_t)j->csz);
  }
}

static void tile_group(void *arg, int64_t g) {
  const tilejob *j = arg;
  const lu_ewise_call *c = j->c;
  int64_t it0 = g * j->per, it1 = it0 + j->per, nit = (j->rows + j->rpi - 1) / j->rpi;
  _Alignas(64) unsigned char cb[3][CPU_CHUNK * 16];
  if (it1 > nit) it1 = nit;
  for (int64_t it = it0; it < it1; it++) {
    int64_t r0 = it * j->rpi, nr = j->rows - r0 < j->rpi ? j->rows - r0 : j->rpi;
    const void *p[3];
    int64_t st[3];
    for (int k = 0; k < c->nin; k++) {
      if (j->col[k]) {
        spread_col(j, k, r0, nr, cb[k]);
        p[k] = cb[k];
      } else {
        p[k] = j->flat[k] ? (const char *)j->p[k] + r0 * j->len * j->csz : j->p[k];
      }
      st[k] = !c->in_scalar[k];
    }
    j->kf(c->op, nr * j->len, p, st, c->out_ptr + r0 * j->len * j->rsz);
  }
}

/* 1 when it took the call */
static int run_tiled(const lu_ewise_call *c, kernfn kf, lu_dtype kt, lu_dtype krt,
                     const void *const *scal) {
  _Alignas(64) unsigned char tile[3][CPU_CHUNK * 16];
  int csz = lu_cpu_dsize[kt], rsz = lu_cpu_dsize[krt], any = 0;
  tilejob j;
  if (c->ndim != 2 || c->shape[1] > TILE_ROWS_MAX || c->shape[0] < 2 || c->out_dt != krt ||
      c->out_strides[1] != rsz || c->out_strides[0] != c->shape[1] * rsz)
    return 0;
  j.len = c->shape[1];
  j.rows = c->shape[0];
  j.rpi = CPU_CHUNK / j.len;
  for (int k = 0; k < c->nin; k++) {
    j.flat[k] = j.col[k] = 0;
    if (c->in_scalar[k]) { j.p[k] = scal[k]; continue; }
    if (c->in_dt[k] == kt && c->in_strides[k][1] == csz && c->in_strides[k][0] == j.len * csz) {
      j.flat[k] = 1;
      j.p[k] = c->in_ptr[k];
    } else if (c->in_strides[k][0] == 0) {
      for (int64_t r = 0; r < j.rpi; r++)
        lu_cpu_cast(c->in_dt[k], c->in_ptr[k], c->in_strides[k][1], kt,
                    (char *)tile[k] + r * j.len * csz, csz, j.len);
      j.p[k] = tile[k];
      any = 1;
    } else if (c->in_strides[k][1] == 0) {
      j.col[k] = 1;
      any = 1;
    } else {
      return 0;
    }
  }
  if (!any) return 0;
  j.c = c; j.kf = kf; j.csz = csz; j.rsz = rsz; j.kt = kt;
  {
    int64_t nit = (j.rows + j.rpi - 1) / j.rpi;
    j.per = nit;
    if (c->n < lu_cpu_par_min(op_class(c->op)) || nit < 2) {
      tile_group(&j, 0);
    } else {
      j.per = DIRECT_BLOCK / (j.rpi * j.len);
      if (j.per < 1) j.per = 1;
      lu_cpu_parallel((nit + j.per - 1) / j.per, tile_group, &j);
    }
  }
  return 1;
}
/* }===== */

int lu_cpu_ewise(lu_ctx *ctx, const lu_ewise_call *c) {
  _Alignas(16) unsigned char scal[3][16];
  const void *base[3] = { NULL, NULL, NULL };
  int64_t st[3] = { 0, 0, 0 };
  int direct;
  if ((unsigned)c->op >= LU_NOPS || (unsigned)c->ct >= LU_NDTYPES ||
      (unsigned)c->out_dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu ewise: bad op %d or dtype", (int)c->op);
  if (!op_has(c->op, c->ct))
    return lu_seterr(ctx, LU_ETYPE, "cpu ewise: %s is not defined for compute dtype %d",
                     op_name[c->op], (int)c->ct);
  if (c->nin != op_nin[c->op] || c->rt != op_yields(c->op, c->ct))
    return lu_seterr(ctx, LU_EARG, "cpu ewise: %s called with %d inputs and result dtype %d",
                     op_name[c->op], c->nin, (int)c->rt);
  if (c->ndim < 1 || c->ndim > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "cpu ewise: %s with ndim %d", op_name[c->op], c->ndim);
  if (c->n <= 0) return LU_OK;
  lu_dtype kt = kernel_dtype(c->ct), krt = kernel_result(c->ct, c->rt);
  direct = c->contiguous && c->out_dt == krt && kt == c->ct;
  for (int k = 0; k < c->nin; k++) {
    if (c->in_scalar[k]) {
      /* a float16 scalar is already rounded to float16: exact in float32 */
      lu_cpu_store_value(kt, c->in_val[k], scal[k]);
      base[k] = scal[k];
    } else {
      if ((unsigned)c->in_dt[k] >= LU_NDTYPES)
        return lu_seterr(ctx, LU_EARG, "cpu ewise: %s input %d has bad dtype", op_name[c->op], k + 1);
      base[k] = c->in_ptr[k]; st[k] = 1;
      if (c->in_dt[k] != kt) direct = 0;
    }
  }
  if (direct) {
    run_direct(c, pick_kernel(c->op, kt), base, st);
    return LU_OK;
  }
  if (run_tiled(c, pick_kernel(c->op, kt), kt, krt, base)) return LU_OK;
  ewjob j;
  j.c = c; j.kf = pick_kernel(c->op, kt); j.kt = kt; j.krt = krt;
  for (int k = 0; k < 3; k++) j.scal[k] = scal[k];
  j.len = c->shape[c->ndim - 1];
  if (j.len <= 0) return LU_OK;
  j.cpr = (j.len + CPU_CHUNK - 1) / CPU_CHUNK;
  int64_t items = c->n / j.len * j.cpr;
  j.items = items; j.per = items;
  if (c->n < lu_cpu_par_min(op_class(c->op)) || items < 2) {
    run_items(&j, 0, items);
  } else {
    /* groups of items of about DIRECT_BLOCK elements each */
    int64_t per = DIRECT_BLOCK / (j.len < CPU_CHUNK ? j.len : CPU_CHUNK);
    if (per < 1) per = 1;
    j.per = per;
    lu_cpu_parallel((items + per - 1) / per, item_group, &j);
  }
  return LU_OK;
}

/* {===== iota: computed in double, converted with the cast matrix; blocks
** of DIRECT_BLOCK elements over the pool's threads */
typedef struct iotajob { lu_dtype dt; char *out; int64_t n; double start, step; } iotajob;

static void iota_block(void *arg, int64_t b) {
  const iotajob *j = arg;
  int sz = lu_cpu_dsize[j->dt];
  int64_t end = (b + 1) * DIRECT_BLOCK < j->n ? (b + 1) * DIRECT_BLOCK : j->n;
  for (int64_t i0 = b * DIRECT_BLOCK; i0 < end; i0 += CPU_CHUNK) {
    double v[CPU_CHUNK];
    int64_t m = end - i0 < CPU_CHUNK ? end - i0 : CPU_CHUNK;
    for (int64_t i = 0; i < m; i++) v[i] = j->start + (double)(i0 + i) * j->step;
    lu_cpu_cast(LU_FLOAT64, (const char *)v, 8, j->dt, j->out + i0 * sz, sz, m);
  }
}

int lu_cpu_iota(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                double start, double step) {
  iotajob j = { dt, out, n, start, step };
  int64_t nblk = (n + DIRECT_BLOCK - 1) / DIRECT_BLOCK;
  (void)dev;
  if ((unsigned)dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu iota: bad dtype %d", (int)dt);
  if (n <= 0) return LU_OK;
  if (n < lu_cpu_par_min(CPU_PAR_EWISE)) { for (int64_t b = 0; b < nblk; b++) iota_block(&j, b); }
  else lu_cpu_parallel(nblk, iota_block, &j);
  return LU_OK;
}
/* }===== */

const lu_ewise_family lu_cpu_ewise_family = {
  .ewise = lu_cpu_ewise,
  .iota = lu_cpu_iota,
};
