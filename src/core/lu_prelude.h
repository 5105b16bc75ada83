/* SPDX-License-Identifier: MIT */
/*
** Helpers that the op table's expressions call (lu_floordiv, lu_mod, lu_pow,
** lu_max, lu_min, lu_abs, lu_sign). This one file is valid C99 and CUDA C:
** the CPU backend includes it, and the CUDA kernel generator pastes its text
** in front of every generated kernel (NVRTC and the build-time nvcc pass), so
** both backends compute the same function.
**
** In C a helper is one function per dtype selected with _Generic; in CUDA C
** it is a set of overloads with the same name. Semantics follow NumPy:
** integer division and modulo by zero give 0, the modulo takes the sign of
** the divisor, maximum/minimum propagate NaN.
*/
#ifndef lu_prelude_h
#define lu_prelude_h

#if defined(__CUDACC_RTC__)
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
#elif defined(__CUDACC__)
#include <stdint.h>
#else
#include <stdint.h>
#include <math.h>
#endif

/* float16, bfloat16 and complex (NVRTC gets its text pasted in front), with
** the C generic names of its functions */
#if !defined(__CUDACC_RTC__)
#define LU_NUMERIC_GENERICS
#include "lu_numeric.h"
#endif

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define LU_FN static __device__ __forceinline__
#define LU_NAME(n, sfx) n
#else
#define LU_FN static inline
#define LU_NAME(n, sfx) n##_##sfx
#endif

#define LU_DEF_INT(T, SFX, SIGNED) \
  LU_FN T LU_NAME(lu_floordiv, SFX)(T a, T b) { \
    T q, r; \
    if (b == 0) return 0; \
    if (SIGNED && b == (T)-1) return (T)(0 - (uint64_t)a); \
    q = (T)(a / b); r = (T)(a % b); \
    if (r != 0 && ((r < 0) != (b < 0))) q = (T)(q - 1); \
    return q; \
  } \
  LU_FN T LU_NAME(lu_mod, SFX)(T a, T b) { \
    T r; \
    if (b == 0) return 0; \
    if (SIGNED && b == (T)-1) return 0; \
    r = (T)(a % b); \
    if (r != 0 && ((r < 0) != (b < 0))) r = (T)(r + b); \
    return r; \
  } \
  LU_FN T LU_NAME(lu_pow, SFX)(T a, T b) { \
    T r = 1; \
    if (b < 0) return (T)(a == 1 ? 1 : (a == (T)-1 ? ((b & 1) ? -1 : 1) : 0)); \
    while (b) { if (b & 1) r = (T)(r * a); a = (T)(a * a); b = (T)(b >> 1); } \
    return r; \
  } \
  LU_FN T LU_NAME(lu_max, SFX)(T a, T b) { return a > b ? a : b; } \
  LU_FN T LU_NAME(lu_min, SFX)(T a, T b) { return a < b ? a : b; } \
  LU_FN T LU_NAME(lu_abs, SFX)(T a) { return (T)(a < 0 ? 0 - a : a); } \
  LU_FN T LU_NAME(lu_sign, SFX)(T a) { return (T)((a > 0) - (a < 0)); }

#define LU_DEF_FLT(T, SFX, FMOD, FLOOR, COPYSIGN, POW, FABS) \
  LU_FN T LU_NAME(lu_floordiv, SFX)(T a, T b) { \
    T mod, div, fl; \
    if (b == 0) return a / b; \
    mod = FMOD(a, b); div = (a - mod) / b; \
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1; \
    if (div != 0) { fl = FLOOR(div); if (div - fl > (T)0.5) fl += 1; return fl; } \
    return COPYSIGN((T)0, a / b); \
  } \
  LU_FN T LU_NAME(lu_mod, SFX)(T a, T b) { \
    T mod; \
    if (b == 0) return FMOD(a, b); \
    mod = FMOD(a, b); \
    if (mod != 0) { if ((b < 0) != (mod < 0)) mod += b; } \
    else mod = COPYSIGN((T)0, b); \
    return mod; \
  } \
  LU_FN T LU_NAME(lu_pow, SFX)(T a, T b) { return POW(a, b); } \
  LU_FN T LU_NAME(lu_max, SFX)(T a, T b) { return (a > b || a != a) ? a : b; } \
  LU_FN T LU_NAME(lu_min, SFX)(T a, T b) { return (a < b || a != a) ? a : b; } \
  LU_FN T LU_NAME(lu_abs, SFX)(T a) { return FABS(a); } \
  LU_FN T LU_NAME(lu_sign, SFX)(T a) { \
    return a > 0 ? (T)1 : (a < 0 ? (T)-1 : (a == 0 ? (T)0 : a)); \
  }

LU_DEF_INT(int8_t, i8, 1)
LU_DEF_INT(int16_t, i16, 1)
LU_DEF_INT(int32_t, i32, 1)
LU_DEF_INT(int64_t, i64, 1)
LU_DEF_INT(uint8_t, u8, 0)
LU_DEF_INT(uint16_t, u16, 0)
LU_DEF_INT(uint32_t, u32, 0)
LU_DEF_INT(uint64_t, u64, 0)
LU_DEF_FLT(float, f32, fmodf, floorf, copysignf, powf, fabsf)
LU_DEF_FLT(double, f64, fmod, floor, copysign, pow, fabs)

#if !defined(__CUDACC__) && !defined(__CUDACC_RTC__)
/* C: pick the per-dtype helper by the type of the first argument. */
#define LU_GENERIC(n, x) _Generic((x), \
  int8_t: n##_i8, int16_t: n##_i16, int32_t: n##_i32, int64_t: n##_i64, \
  uint8_t: n##_u8, uint16_t: n##_u16, uint32_t: n##_u32, uint64_t: n##_u64, \
  float: n##_f32, double: n##_f64)
#define lu_floordiv(a, b) LU_GENERIC(lu_floordiv, a)(a, b)
#define lu_mod(a, b)      LU_GENERIC(lu_mod, a)(a, b)
#define lu_pow(a, b)      LU_GENERIC(lu_pow, a)(a, b)
#define lu_max(a, b)      LU_GENERIC(lu_max, a)(a, b)
#define lu_min(a, b)      LU_GENERIC(lu_min, a)(a, b)
#define lu_abs(a)         LU_GENERIC(lu_abs, a)(a)
#define lu_sign(a)        LU_GENERIC(lu_sign, a)(a)
#endif

#endif
