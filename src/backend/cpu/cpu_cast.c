/* SPDX-License-Identifier: MIT */
/*
** The CPU cast matrix: every dtype to every dtype. Between the rows of C
** arithmetic types (LU_DTYPES_NATIVE) it is generated: C's conversions.
** float16, bfloat16 and the complex types go through those in steps of a
** block at a time (ext_block): a 16-bit float is widened to float32
** exactly, rounded from float32 or float64 (lu_numeric.h); a complex
** value's real part is taken (NumPy's astype; bool tests both parts), a
** real value gets a zero imaginary part.
** The buffered elementwise loops use it to gather mixed-dtype or strided
** operands into chunks of the compute type and to scatter results to the
** output dtype; the reductions use it to store their accumulators.
*/
#include <string.h>
#include "cpu_internal.h"
#include "lu_prelude.h"

#define SIZE_ROW(E, name, T, size, kind, sh) size,
#define KIND_ROW(E, name, T, size, kind, sh) kind,
const int lu_cpu_dsize[LU_NDTYPES] = { LU_DTYPES(SIZE_ROW) };
const char lu_cpu_dkind[LU_NDTYPES] = { LU_DTYPES(KIND_ROW) };

/* C's conversion, except that a bool destination means "!= 0" (so 0.5 is
** true, as in NumPy, not truncated to 0), and float to integer is
** lu_d2int (lu_prelude.h: defined for NaN, inf and out-of-range values,
** as on the GPU). SK_ is the source kind; the kind tests fold away. */
#define CONV(KD, SZ, TD, x) ((KD) == 'b' ? (TD)((x) != 0) \
  : (SK_ == 'f' && (KD) != 'f') ? (TD)lu_d2int((double)(x), (SZ), (KD)) : (TD)(x))

/* One case of the inner switch: from S_t (the enclosing function's source
** type) to T. The contiguous loop is the one that vectorises. */
#define CAST_CASE(E, name, T, size, kind, sh) \
  case E: \
    if (ss == (int64_t)sizeof(S_t) && ds == size) { \
      const S_t *restrict s = (const S_t *)src; T *restrict d = (T *)dst; \
      _Pragma("omp simd") \
      for (int64_t i = 0; i < n; i++) d[i] = CONV(kind, size, T, s[i]); \
    } else if (ss == 0) { \
      T v = CONV(kind, size, T, *(const S_t *)src); \
      for (int64_t i = 0; i < n; i++) *(T *)(dst + i * ds) = v; \
    } else { \
      for (int64_t i = 0; i < n; i++) \
        *(T *)(dst + i * ds) = CONV(kind, size, T, *(const S_t *)(src + i * ss)); \
    } \
    break;

#define CAST_FROM(E, name, T, size, kind, sh) \
  static void cast_from_##sh(lu_dtype to, const char *src, int64_t ss, \
                             char *dst, int64_t ds, int64_t n) { \
    typedef T S_t; \
    enum { SK_ = kind }; \
    switch (to) { CPU_DEFER(CPU_NATIVE_I)()(CAST_CASE) default: break; } \
  }
CPU_EXPAND(LU_DTYPES_NATIVE(CAST_FROM))

typedef void (*castfn)(lu_dtype, const char *, int64_t, char *, int64_t, int64_t);
#define CAST_PTR(E, name, T, size, kind, sh) cast_from_##sh,
static const castfn cast_from[LU_NDTYPES] = { LU_DTYPES_NATIVE(CAST_PTR) };

/* {===== float16, bfloat16 and complex, through the native matrix */
#define EXT_BLOCK CPU_CHUNK
#define isnative(dt) (cast_from[dt] != NULL)

/* n elements of `size` bytes from strided src to strided dst */
static void copy_elems(int size, const char *src, int64_t ss, char *dst, int64_t ds,
                       int64_t n) {
  for (int64_t i = 0; i < n; i++) memcpy(dst + i * ds, src + i * ss, (size_t)size);
}

/* One block of at most EXT_BLOCK elements where from or to is not native. */
static void ext_block(lu_dtype from, const char *src, int64_t ss,
                      lu_dtype to, char *dst, int64_t ds, int64_t n) {
  _Alignas(64) unsigned char tmp[EXT_BLOCK * 16];
  float *tf = (float *)tmp;
  double *td = (double *)tmp;
  if (from == to) { copy_elems(lu_cpu_dsize[from], src, ss, dst, ds, n); return; }
  switch (from) {
  case LU_FLOAT16:      /* widen exactly, then float32 -> to */
    for (int64_t i = 0; i < n; i++) tf[i] = lu_h2f(*(const lu_half *)(src + i * ss));
    lu_cpu_cast(LU_FLOAT32, (const char *)tf, 4, to, dst, ds, n);
    return;
  case LU_BFLOAT16:
    for (int64_t i = 0; i < n; i++) tf[i] = lu_bf2f(*(const lu_bf16 *)(src + i * ss));
    lu_cpu_cast(LU_FLOAT32, (const char *)tf, 4, to, dst, ds, n);
    return;
  case LU_COMPLEX64:
    if (to == LU_COMPLEX128) {
      for (int64_t i = 0; i < n; i++) {
        const lu_c64 *z = (const lu_c64 *)(src + i * ss);
        *(lu_c128 *)(dst + i * ds) = lu_cmake_c128(z->re, z->im);
      }
    } else if (to == LU_BOOL) {
      for (int64_t i = 0; i < n; i++) *(uint8_t *)(dst + i * ds) = (uint8_t)lu_cnz_c64(*(const lu_c64 *)(src + i * ss));
    } else {          /* the real part */
      for (int64_t i = 0; i < n; i++) tf[i] = ((const lu_c64 *)(src + i * ss))->re;
      lu_cpu_cast(LU_FLOAT32, (const char *)tf, 4, to, dst, ds, n);
    }
    return;
  case LU_COMPLEX128:
    if (to == LU_COMPLEX64) {
      for (int64_t i = 0; i < n; i++) {
        const lu_c128 *z = (const lu_c128 *)(src + i * ss);
        *(lu_c64 *)(dst + i * ds) = lu_cmake_c64((float)z->re, (float)z->im);
      }
    } else if (to == LU_BOOL) {
      for (int64_t i = 0; i < n; i++) *(uint8_t *)(dst + i * ds) = (uint8_t)lu_cnz_c128(*(const lu_c128 *)(src + i * ss));
    } else {
      for (int64_t i = 0; i < n; i++) td[i] = ((const lu_c128 *)(src + i * ss))->re;
      lu_cpu_cast(LU_FLOAT64, (const char *)td, 8, to, dst, ds, n);
    }
    return;
  default:
    break;
  }
  /* from is native here */
  switch (to) {
  case LU_FLOAT16:      /* float16 rounds once from float32 or float64 */
    if (from == LU_FLOAT32) {
      for (int64_t i = 0; i < n; i++) *(lu_half *)(dst + i * ds) = lu_f2h(*(const float *)(src + i * ss));
    } else {
      lu_cpu_cast(from, src, ss, LU_FLOAT64, (char *)td, 8, n);
      for (int64_t i = 0; i < n; i++) *(lu_half *)(dst + i * ds) = lu_d2h(td[i]);
    }
    return;
  case LU_BFLOAT16:     /* from float32, as ml_dtypes */
    lu_cpu_cast(from, src, ss, LU_FLOAT32, (char *)tf, 4, n);
    for (int64_t i = 0; i < n; i++) *(lu_bf16 *)(dst + i * ds) = lu_f2bf(tf[i]);
    return;
  case LU_COMPLEX64:
    lu_cpu_cast(from, src, ss, LU_FLOAT32, (char *)tf, 4, n);
    for (int64_t i = 0; i < n; i++) *(lu_c64 *)(dst + i * ds) = lu_cmake_c64(tf[i], 0.0f);
    return;
  case LU_COMPLEX128:
    lu_cpu_cast(from, src, ss, LU_FLOAT64, (char *)td, 8, n);
    for (int64_t i = 0; i < n; i++) *(lu_c128 *)(dst + i * ds) = lu_cmake_c128(td[i], 0.0);
    return;
  default:
    return;
  }
}
/* }===== */

void lu_cpu_cast(lu_dtype from, const char *src, int64_t ss,
                 lu_dtype to, char *dst, int64_t ds, int64_t n) {
  int sz = lu_cpu_dsize[from];
  if (n <= 0) return;
  if (from == to && ss == sz && ds == sz) {
    if (src != dst) memcpy(dst, src, (size_t)n * (size_t)sz);
    return;
  }
  if (isnative(from) && isnative(to)) {
    cast_from[from](to, src, ss, dst, ds, n);
    return;
  }
  for (int64_t i = 0; i < n; i += EXT_BLOCK)
    ext_block(from, src + i * ss, ss, to, dst + i * ds, ds, n - i < EXT_BLOCK ? n - i : EXT_BLOCK);
}

#define STORE_CASE(E, name, T, size, kind, sh) \
  case E: { \
    enum { SK_ = 'i' }; \
    T t_ = kind == 'f' ? (T)v.f : kind == 'u' ? (T)v.u : CONV(kind, size, T, v.i); \
    memcpy(dst, &t_, sizeof t_); \
    break; }

/* dst may be unaligned (a byte buffer of staged values): memcpy stores */
void lu_cpu_store_value(lu_dtype dt, lu_value v, void *dst) {
  switch (dt) {
    LU_DTYPES_NATIVE(STORE_CASE)
    case LU_FLOAT16: { lu_half t = lu_d2h(v.f); memcpy(dst, &t, sizeof t); break; }
    case LU_BFLOAT16: { lu_bf16 t = lu_d2bf(v.f); memcpy(dst, &t, sizeof t); break; }
    case LU_COMPLEX64: { lu_c64 t = lu_cmake_c64((float)v.c.re, (float)v.c.im); memcpy(dst, &t, sizeof t); break; }
    case LU_COMPLEX128: { lu_c128 t = lu_cmake_c128(v.c.re, v.c.im); memcpy(dst, &t, sizeof t); break; }
    default: break;
  }
}
