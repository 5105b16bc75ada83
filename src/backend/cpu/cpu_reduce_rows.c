/* SPDX-License-Identifier: MIT */
/*
** The rows of the reduction table (src/core/lu_reduce.def) instantiated for
** every dtype: the generic loops that cpu_reduce.c drives. For each storage
** type T one function per kind of work, each a `switch` over the rows whose
** cases paste the row's expressions (see the column names there):
**   fold   acc = IDENT, then every element of a run folded in;
**   ident  a vector of accumulators set to IDENT;
**   cstep  one row of a column block folded into a vector of accumulators;
**   merge  dst[j] = COMBINE(dst[j], src[j]);
**   fin    out[j] = FIN(acc[j], n), stored as the row's result type;
**   sizes  sizeof the accumulator and of the result.
** A run is folded into LANES accumulators that take every LANES-th element,
** combined at the end: independent chains that the compiler can vectorise,
** which the row's associative, commutative COMBINE allows.
** On the CPU, F is double (float32 sums and means accumulate in double).
*/
#include <math.h>
#include <string.h>
#include "lu_reducers.h"
#include "cpu_internal.h"

#define LANES 8

/* {===== types of a row for storage type T
** The result type R by rule; int64 and uint64 results share their bits, so
** a bool sum (int64) may be stored through uint64. */
#define RT_LU_RR_SAME(T) T
#define RT_LU_RR_INT64(T) int64_t
#define RT_LU_RR_BOOL(T) uint8_t
#define RT_LU_RR_FLOAT(T) LU_TYPEOF(_Generic((T)0, float: (float)0, default: (double)0))
#define RT_LU_RR_SUM(T) LU_TYPEOF(_Generic((T)0, float: (float)0, double: (double)0, \
  int8_t: (int64_t)0, int16_t: (int64_t)0, int32_t: (int64_t)0, int64_t: (int64_t)0, \
  default: (uint64_t)0))
#define SUM_T(T) LU_TYPEOF(_Generic((T)0, float: (double)0, double: (double)0, default: (uint64_t)0))
/* }===== */

/* {===== the row's expressions as statements; T, F, S, A are typedefs in
** scope. FOLD_IN: dst = COMBINE(dst, MAP(xv, iv)). */
#define FOLD_IN(MAP, COMBINE, dst, xv, iv) { \
    const T x = (xv); const int64_t i = (iv); A b = MAP; (void)x; (void)i; \
    { const A a = (dst); (dst) = COMBINE; } }

#define FOLD_CASE(NAME, RULE, FLAGS, NONFLOAT, PARAMS, ACC, IDENT, MAP, COMBINE, FIN) \
  case LU_RED_##NAME: { \
    typedef ACC A; \
    A l[LANES]; \
    int64_t k = 0; \
    for (int j = 0; j < LANES; j++) l[j] = IDENT; \
    if (s == (int64_t)sizeof(T)) { \
      const T *q = (const T *)p; \
      for (; k + LANES <= n; k += LANES) { \
        _Pragma("GCC unroll 8") for (int j = 0; j < LANES; j++) FOLD_IN(MAP, COMBINE, l[j], q[k + j], r0 + k + j) \
      } \
      for (; k < n; k++) FOLD_IN(MAP, COMBINE, l[0], q[k], r0 + k) \
    } else { \
      for (; k + LANES <= n; k += LANES) { \
        _Pragma("GCC unroll 8") for (int j = 0; j < LANES; j++) \
          FOLD_IN(MAP, COMBINE, l[j], *(const T *)(p + (k + j) * s), r0 + k + j) \
      } \
      for (; k < n; k++) FOLD_IN(MAP, COMBINE, l[0], *(const T *)(p + k * s), r0 + k) \
    } \
    for (int j = 1; j < LANES; j++) { const A a = l[0], b = l[j]; l[0] = COMBINE; } \
    *(A *)acc = l[0]; \
    return; }

#define IDENT_CASE(NAME, RULE, FLAGS, NONFLOAT, PARAMS, ACC, IDENT, MAP, COMBINE, FIN) \
  case LU_RED_##NAME: { \
    typedef ACC A; \
    A *v = (A *)acc, id = IDENT; \
    for (int64_t j = 0; j < m; j++) v[j] = id; \
    return; }

#define CSTEP_CASE(NAME, RULE, FLAGS, NONFLOAT, PARAMS, ACC, IDENT, MAP, COMBINE, FIN) \
  case LU_RED_##NAME: { \
    typedef ACC A; \
    A *restrict v = (A *)acc; \
    if (si == (int64_t)sizeof(T)) { \
      const T *restrict q = (const T *)row; \
      _Pragma("omp simd") for (int64_t j = 0; j < m; j++) FOLD_IN(MAP, COMBINE, v[j], q[j], r) \
    } else { \
      for (int64_t j = 0; j < m; j++) FOLD_IN(MAP, COMBINE, v[j], *(const T *)(row + j * si), r) \
    } \
    return; }

#define MERGE_CASE(NAME, RULE, FLAGS, NONFLOAT, PARAMS, ACC, IDENT, MAP, COMBINE, FIN) \
  case LU_RED_##NAME: { \
    typedef ACC A; \
    A *d = (A *)dst; \
    const A *x = (const A *)src; \
    for (int64_t j = 0; j < m; j++) { const A a = d[j], b = x[j]; d[j] = COMBINE; } \
    return; }

#define FIN_CASE(NAME, RULE, FLAGS, NONFLOAT, PARAMS, ACC, IDENT, MAP, COMBINE, FIN) \
  case LU_RED_##NAME: { \
    typedef ACC A; \
    typedef RT_##RULE(T) R; \
    const A *v = (const A *)acc; \
    R *o = (R *)out; \
    for (int64_t j = 0; j < m; j++) { const A a = v[j]; o[j] = (R)(FIN); } \
    return; }

#define SIZES_CASE(NAME, RULE, FLAGS, NONFLOAT, PARAMS, ACC, IDENT, MAP, COMBINE, FIN) \
  case LU_RED_##NAME: { \
    typedef ACC A; \
    typedef RT_##RULE(T) R; \
    *accsz = (int)sizeof(A); *ressz = (int)sizeof(R); \
    return; }
/* }===== */

#define CPU_REDS_I() LU_REDUCTIONS
#define TYPES(T_) typedef T_ T; typedef double F; typedef SUM_T(T) S; (void)sizeof(F); (void)sizeof(S);

/* One set of functions per dtype (tag sh). */
#define TYPED(E, name, T_, size, kind, sh) \
  CPU_CLONES static void fold_##sh(int op, const char *p, int64_t n, int64_t s, int64_t r0, \
                                   void *acc) { \
    TYPES(T_) \
    switch (op) { CPU_DEFER(CPU_REDS_I)()(FOLD_CASE) default: break; } \
  } \
  static void ident_##sh(int op, void *acc, int64_t m) { \
    TYPES(T_) \
    switch (op) { CPU_DEFER(CPU_REDS_I)()(IDENT_CASE) default: break; } \
  } \
  CPU_CLONES static void cstep_##sh(int op, const char *row, int64_t m, int64_t si, int64_t r, \
                                    void *acc) { \
    TYPES(T_) \
    switch (op) { CPU_DEFER(CPU_REDS_I)()(CSTEP_CASE) default: break; } \
  } \
  static void merge_##sh(int op, void *dst, const void *src, int64_t m) { \
    TYPES(T_) \
    switch (op) { CPU_DEFER(CPU_REDS_I)()(MERGE_CASE) default: break; } \
  } \
  static void fin_##sh(int op, const void *acc, int64_t m, int64_t n, double ddof, void *out) { \
    TYPES(T_) \
    (void)n; (void)ddof; \
    switch (op) { CPU_DEFER(CPU_REDS_I)()(FIN_CASE) default: break; } \
  } \
  static void sizes_##sh(int op, int *accsz, int *ressz) { \
    TYPES(T_) \
    *accsz = *ressz = 0; \
    switch (op) { CPU_DEFER(CPU_REDS_I)()(SIZES_CASE) default: break; } \
  }
CPU_EXPAND(LU_DTYPES_NATIVE(TYPED))

#define FNS(E, name, T, size, kind, sh) {fold_##sh, ident_##sh, cstep_##sh, merge_##sh, fin_##sh, sizes_##sh},
/* (float16, bfloat16 and complex have no entries: the core composes their
** reductions from native work, src/core/reduce_ext.c) */
const lu_cpu_redfns lu_cpu_redfns_of[LU_NDTYPES] = { LU_DTYPES_NATIVE(FNS) };
