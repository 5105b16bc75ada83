/* SPDX-License-Identifier: MIT */
/*
** The CPU cast matrix: every dtype to every dtype, generated from LU_DTYPES.
** The buffered elementwise loops use it to gather mixed-dtype or strided
** operands into chunks of the compute type and to scatter results to the
** output dtype; the reductions use it to store their accumulators.
*/
#include <string.h>
#include "cpu_internal.h"

#define SIZE_ROW(E, name, T, size, kind, sh) size,
#define KIND_ROW(E, name, T, size, kind, sh) kind,
const int lu_cpu_dsize[LU_NDTYPES] = { LU_DTYPES(SIZE_ROW) };
const char lu_cpu_dkind[LU_NDTYPES] = { LU_DTYPES(KIND_ROW) };

/* C's conversion, except that a bool destination means "!= 0" (so 0.5 is
** true, as in NumPy, not truncated to 0). The kind test folds away. */
#define CONV(KD, TD, x) ((KD) == 'b' ? (TD)((x) != 0) : (TD)(x))

/* One case of the inner switch: from S_t (the enclosing function's source
** type) to T. The contiguous loop is the one that vectorises. */
#define CAST_CASE(E, name, T, size, kind, sh) \
  case E: \
    if (ss == (int64_t)sizeof(S_t) && ds == size) { \
      const S_t *restrict s = (const S_t *)src; T *restrict d = (T *)dst; \
      _Pragma("omp simd") \
      for (int64_t i = 0; i < n; i++) d[i] = CONV(kind, T, s[i]); \
    } else if (ss == 0) { \
      T v = CONV(kind, T, *(const S_t *)src); \
      for (int64_t i = 0; i < n; i++) *(T *)(dst + i * ds) = v; \
    } else { \
      for (int64_t i = 0; i < n; i++) \
        *(T *)(dst + i * ds) = CONV(kind, T, *(const S_t *)(src + i * ss)); \
    } \
    break;

#define CAST_FROM(E, name, T, size, kind, sh) \
  static void cast_from_##sh(lu_dtype to, const char *src, int64_t ss, \
                             char *dst, int64_t ds, int64_t n) { \
    typedef T S_t; \
    switch (to) { CPU_DEFER(CPU_DTYPES_I)()(CAST_CASE) default: break; } \
  }
CPU_EXPAND(LU_DTYPES(CAST_FROM))

typedef void (*castfn)(lu_dtype, const char *, int64_t, char *, int64_t, int64_t);
#define CAST_PTR(E, name, T, size, kind, sh) cast_from_##sh,
static const castfn cast_from[LU_NDTYPES] = { LU_DTYPES(CAST_PTR) };

void lu_cpu_cast(lu_dtype from, const char *src, int64_t ss,
                 lu_dtype to, char *dst, int64_t ds, int64_t n) {
  int sz = lu_cpu_dsize[from];
  if (n <= 0) return;
  if (from == to && ss == sz && ds == sz) {
    if (src != dst) memcpy(dst, src, (size_t)n * (size_t)sz);
    return;
  }
  cast_from[from](to, src, ss, dst, ds, n);
}

#define STORE_CASE(E, name, T, size, kind, sh) \
  case E: \
    if (kind == 'f') *(T *)dst = (T)v.f; \
    else if (kind == 'u') *(T *)dst = (T)v.u; \
    else *(T *)dst = CONV(kind, T, v.i); \
    break;

void lu_cpu_store_value(lu_dtype dt, lu_value v, void *dst) {
  switch (dt) { LU_DTYPES(STORE_CASE) default: break; }
}
