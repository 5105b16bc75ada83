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

/* {=====================================================================
** The ufunc set: helpers of the rows in lu_ops.def's "ufunc set" section
** (NumPy's ufuncs beyond arithmetic, and the special functions). As above,
** one function per dtype in C, overloads of one name in CUDA C. The CPU
** backend compiles every expression of a row for every dtype (dead
** branches fold away), so in C each helper must accept any dtype: the
** _Generic selections below send the other kinds to a default that is
** never called. Semantics follow NumPy: shifts past the width give 0 (or
** -1 for a negative value shifted right), integer fmod by zero gives 0,
** fmax/fmin ignore NaN, spacing moves away from zero, bitwise_count counts
** the bits of |x|.
** ===================================================================== */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define LU_INF32 __int_as_float(0x7f800000)
#define LU_INF64 __longlong_as_double(0x7ff0000000000000LL)
#define LU_NAN32 __int_as_float(0x7fc00000)
#define LU_NAN64 __longlong_as_double(0x7ff8000000000000LL)
#else
#define LU_INF32 INFINITY
#define LU_INF64 ((double)INFINITY)
#define LU_NAN32 NAN
#define LU_NAN64 ((double)NAN)
#endif
#define LU_PI 3.14159265358979323846
#define LU_LN2 0.69314718055994530942
#define LU_LOG2E 1.44269504088896340736
#define LU_TWO_SQRTPI 1.12837916709551257390   /* 2 / sqrt(pi) */

/* |x| of a signed or unsigned integer as uint64 (INT64_MIN included) */
#define LU_UABS(x, SIGNED) ((SIGNED && (x) < 0) ? 0 - (uint64_t)(x) : (uint64_t)(x))

/* isnan, fmin and fmax for every dtype: ufunc rows here, and the
** reductions (lu_reducers.h), whose host code calls them too. fmin/fmax
** ignore NaN (NaN only when both are), as NumPy's. */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define LU_HDFN static __host__ __device__ __forceinline__
#else
#define LU_HDFN static inline
#endif
#define LU_DEF_NANOPS(T, SFX, ISNAN) \
  LU_HDFN int LU_NAME(lu_isnan, SFX)(T x) { (void)x; return ISNAN; } \
  LU_HDFN T LU_NAME(lu_fmin, SFX)(T a, T b) { \
    return (b < a || LU_NAME(lu_isnan, SFX)(a)) ? b : a; \
  } \
  LU_HDFN T LU_NAME(lu_fmax, SFX)(T a, T b) { \
    return (b > a || LU_NAME(lu_isnan, SFX)(a)) ? b : a; \
  }
/* (x != x on an integer would draw a self-comparison warning) */
LU_DEF_NANOPS(int8_t, i8, 0)
LU_DEF_NANOPS(int16_t, i16, 0)
LU_DEF_NANOPS(int32_t, i32, 0)
LU_DEF_NANOPS(int64_t, i64, 0)
LU_DEF_NANOPS(uint8_t, u8, 0)
LU_DEF_NANOPS(uint16_t, u16, 0)
LU_DEF_NANOPS(uint32_t, u32, 0)
LU_DEF_NANOPS(uint64_t, u64, 0)
LU_DEF_NANOPS(float, f32, x != x)
LU_DEF_NANOPS(double, f64, x != x)

LU_FN uint64_t lu_ugcd_(uint64_t a, uint64_t b) {
  while (b != 0) { uint64_t t = a % b; a = b; b = t; }
  return a;
}

/* the number of 1 bits (SWAR: no loop, no branch, vectorises) */
LU_FN unsigned lu_popc_(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

#define LU_DEF_UF_INT(T, SFX, SIGNED) \
  LU_FN T LU_NAME(lu_fmod, SFX)(T a, T b) { \
    if (b == 0 || (SIGNED && b == (T)-1)) return 0; \
    return (T)(a % b); \
  } \
  LU_FN T LU_NAME(lu_reciprocal, SFX)(T a) { return a == 0 ? (T)0 : (T)(1 / a); } \
  LU_FN T LU_NAME(lu_gcd, SFX)(T a, T b) { \
    return (T)lu_ugcd_(LU_UABS(a, SIGNED), LU_UABS(b, SIGNED)); \
  } \
  LU_FN T LU_NAME(lu_lcm, SFX)(T a, T b) { \
    uint64_t x = LU_UABS(a, SIGNED), y = LU_UABS(b, SIGNED), g = lu_ugcd_(x, y); \
    return g == 0 ? (T)0 : (T)(x / g * y); \
  } \
  LU_FN T LU_NAME(lu_band, SFX)(T a, T b) { return (T)(a & b); } \
  LU_FN T LU_NAME(lu_bor, SFX)(T a, T b) { return (T)(a | b); } \
  LU_FN T LU_NAME(lu_bxor, SFX)(T a, T b) { return (T)(a ^ b); } \
  LU_FN T LU_NAME(lu_invert, SFX)(T a) { return (T)~a; } \
  LU_FN uint8_t LU_NAME(lu_popcount, SFX)(T a) { return (uint8_t)lu_popc_(LU_UABS(a, SIGNED)); } \
  LU_FN T LU_NAME(lu_left_shift, SFX)(T a, T b) { \
    return (uint64_t)b < 8 * sizeof(T) ? (T)((uint64_t)a << (int)b) : (T)0; \
  } \
  LU_FN T LU_NAME(lu_right_shift, SFX)(T a, T b) { \
    if ((uint64_t)b < 8 * sizeof(T)) return (T)(a >> (int)b); \
    return (SIGNED && a < 0) ? (T)-1 : (T)0; \
  } \
  LU_FN uint8_t LU_NAME(lu_isinf, SFX)(T a) { (void)a; return 0; } \
  LU_FN uint8_t LU_NAME(lu_isfinite, SFX)(T a) { (void)a; return 1; } \
  LU_FN uint8_t LU_NAME(lu_isposinf, SFX)(T a) { (void)a; return 0; } \
  LU_FN uint8_t LU_NAME(lu_isneginf, SFX)(T a) { (void)a; return 0; } \
  LU_FN uint8_t LU_NAME(lu_signbit, SFX)(T a) { return SIGNED && a < 0; } \
  LU_FN uint8_t LU_NAME(lu_isreal, SFX)(T a) { (void)a; return 1; } \
  LU_FN uint8_t LU_NAME(lu_iscomplex, SFX)(T a) { (void)a; return 0; }

/* S is the suffix of T's C maths functions (f, or nothing for double),
** MAX the largest finite T. */
#define LU_DEF_UF_FLT(T, SFX, S, MAX, INF, QNAN) \
  LU_FN uint8_t LU_NAME(lu_isinf, SFX)(T a) { return a > MAX || a < -MAX; } \
  LU_FN uint8_t LU_NAME(lu_isfinite, SFX)(T a) { return a <= MAX && a >= -MAX; } \
  LU_FN uint8_t LU_NAME(lu_isposinf, SFX)(T a) { return a > MAX; } \
  LU_FN uint8_t LU_NAME(lu_isneginf, SFX)(T a) { return a < -MAX; } \
  LU_FN uint8_t LU_NAME(lu_signbit, SFX)(T a) { return copysign##S((T)1, a) < 0; } \
  LU_FN uint8_t LU_NAME(lu_isreal, SFX)(T a) { (void)a; return 1; } \
  LU_FN uint8_t LU_NAME(lu_iscomplex, SFX)(T a) { (void)a; return 0; } \
  LU_FN T LU_NAME(lu_heaviside, SFX)(T a, T b) { \
    return a < 0 ? (T)0 : a > 0 ? (T)1 : a == 0 ? b : a; \
  } \
  LU_FN T LU_NAME(lu_deg2rad, SFX)(T a) { return a * (T)(LU_PI / 180.0); } \
  LU_FN T LU_NAME(lu_rad2deg, SFX)(T a) { return a * (T)(180.0 / LU_PI); } \
  LU_FN T LU_NAME(lu_sinc, SFX)(T a) { \
    T y = (T)LU_PI * (a == 0 ? (T)1e-20 : a); \
    return sin##S(y) / y; \
  } \
  LU_FN T LU_NAME(lu_logaddexp, SFX)(T a, T b) { \
    T d; \
    if (a == b) return a + (T)LU_LN2; \
    d = a - b; \
    if (d > 0) return a + log1p##S(exp##S(-d)); \
    if (d <= 0) return b + log1p##S(exp##S(d)); \
    return d; \
  } \
  LU_FN T LU_NAME(lu_logaddexp2, SFX)(T a, T b) { \
    T d; \
    if (a == b) return a + 1; \
    d = a - b; \
    if (d > 0) return a + (T)LU_LOG2E * log1p##S(exp2##S(-d)); \
    if (d <= 0) return b + (T)LU_LOG2E * log1p##S(exp2##S(d)); \
    return d; \
  } \
  LU_FN T LU_NAME(lu_spacing, SFX)(T a) { \
    if (a != a) return a; \
    if (a > MAX || a < -MAX) return QNAN; \
    return (a >= 0 ? nextafter##S(a, INF) : nextafter##S(a, -INF)) - a; \
  } \
  LU_FN T LU_NAME(lu_ldexp, SFX)(T a, T b) { \
    int e = b > (T)100000 ? 100000 : b < (T)-100000 ? -100000 : (int)b; \
    return ldexp##S(a, e); \
  } \
  LU_FN T LU_NAME(lu_frexp_mantissa, SFX)(T a) { \
    int e; \
    if (!(a <= MAX && a >= -MAX)) return a; \
    return frexp##S(a, &e); \
  } \
  LU_FN int32_t LU_NAME(lu_frexp_exponent, SFX)(T a) { \
    int e = 0; \
    if (!(a <= MAX && a >= -MAX) || a == 0) return 0; \
    frexp##S(a, &e); \
    return (int32_t)e; \
  } \
  LU_FN T LU_NAME(lu_modf_fractional, SFX)(T a) { T i; return modf##S(a, &i); } \
  LU_FN T LU_NAME(lu_modf_integral, SFX)(T a) { T i; modf##S(a, &i); return i; } \
  LU_FN T LU_NAME(lu_round_scaled, SFX)(T a, T b) { \
    return b > 0 ? rint##S(a * b) / b : rint##S(a / -b) * -b; \
  } \
  LU_FN T LU_NAME(lu_nan_to_num, SFX)(T a, T b, T c) { return a != a ? b : a > MAX ? c : a; } \
  LU_FN T LU_NAME(lu_neginf_to_num, SFX)(T a, T b, T c) { return a < -MAX ? c : b; } \
  LU_FN T LU_NAME(lu_digamma, SFX)(T a) { return (T)lu_digamma_(a); }

/* The digamma function in double (CUDA has none): the reflection formula
** below 0 (with tan of the fractional part, which keeps its accuracy),
** the recurrence up to 10, then the asymptotic series. Poles: -inf at +0,
** +inf at -0, NaN at the negative integers (SciPy's choices). */
LU_FN double lu_digamma_(double x) {
  double r = 0, f;
  if (x != x) return x;
  if (x == 0) return -1 / x;
  if (x < 0) {
    double q = floor(x);
    if (q == x) return (x - x) / (x - x);
    r = -LU_PI / tan(LU_PI * (x - q));
    x = 1 - x;
  }
  while (x < 10) { r -= 1 / x; x += 1; }
  f = 1 / (x * x);
  return r + log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 -
         f * (1.0 / 132 - f * (691.0 / 32760 - f / 12))))));
}

LU_DEF_UF_INT(int8_t, i8, 1)
LU_DEF_UF_INT(int16_t, i16, 1)
LU_DEF_UF_INT(int32_t, i32, 1)
LU_DEF_UF_INT(int64_t, i64, 1)
LU_DEF_UF_INT(uint8_t, u8, 0)
LU_DEF_UF_INT(uint16_t, u16, 0)
LU_DEF_UF_INT(uint32_t, u32, 0)
LU_DEF_UF_INT(uint64_t, u64, 0)
LU_DEF_UF_FLT(float, f32, f, 3.40282346638528859812e+38F, LU_INF32, LU_NAN32)
LU_DEF_UF_FLT(double, f64, , 1.79769313486231570815e+308, LU_INF64, LU_NAN64)

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
/* CUDA has erfinv, erfcinv and a thread-safe lgamma */
LU_FN float lu_erfinv(float a) { return erfinvf(a); }
LU_FN double lu_erfinv(double a) { return erfinv(a); }
LU_FN float lu_erfcinv(float a) { return erfcinvf(a); }
LU_FN double lu_erfcinv(double a) { return erfcinv(a); }
LU_FN float lu_lgamma(float a) { return lgammaf(a); }
LU_FN double lu_lgamma(double a) { return lgamma(a); }
#else
/* x >= 0 with erfc(x) == q, for q in (0, 0.5]: a start from Abramowitz
** and Stegun's 26.2.23 (the normal tail at q / 2, 4.5e-4 absolute), then
** Halley's steps on erfc, which converge cubically; erfc keeps its
** relative accuracy in the tail, so the root does too. */
static inline double lu_erfcinv_tail_(double q) {
  double t = sqrt(-2 * (log(q) - LU_LN2)), x;
  int i;
  x = (t - (2.515517 + t * (0.802853 + t * 0.010328)) /
           (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)))) * 0.70710678118654752440;
  for (i = 0; i < 6; i++) {
    double s = (erfc(x) - q) / (-LU_TWO_SQRTPI * exp(-x * x)), dx = s / (1 + x * s);
    x -= dx;
    if (fabs(dx) <= 1e-16 * x) break;
  }
  return x;
}

/* erfinv: |y| <= 1/2 by Halley's steps on erf from its Maclaurin series;
** beyond, the tail of erfc at 1 - |y| (exact there). */
static inline double lu_erfinv_f64(double y) {
  double z, x;
  int i;
  if (y != y) return y;
  if (y > 1 || y < -1) return NAN;
  if (y == 1 || y == -1) return y * INFINITY;
  if (y > 0.5) return lu_erfcinv_tail_(1 - y);
  if (y < -0.5) return -lu_erfcinv_tail_(1 + y);
  z = 0.88622692545275801365 * y;   /* sqrt(pi) / 2 */
  x = z * (1 + z * z * (1.0 / 3 + z * z * (7.0 / 30 + z * z * (127.0 / 630))));
  for (i = 0; i < 6 && x != 0; i++) {
    double s = (erf(x) - y) / (LU_TWO_SQRTPI * exp(-x * x)), dx = s / (1 + x * s);
    x -= dx;
    if (fabs(dx) <= 1e-16 * fabs(x)) break;
  }
  return x;
}

/* erfcinv: near 1 through erfinv(1 - q) (exact for q in [1/2, 3/2]) */
static inline double lu_erfcinv_f64(double q) {
  if (q != q) return q;
  if (q < 0 || q > 2) return NAN;
  if (q == 0) return INFINITY;
  if (q == 2) return -INFINITY;
  if (q < 0.5) return lu_erfcinv_tail_(q);
  if (q > 1.5) return -lu_erfcinv_tail_(2 - q);
  return lu_erfinv_f64(1 - q);
}
static inline float lu_erfinv_f32(float a) { return (float)lu_erfinv_f64(a); }
static inline float lu_erfcinv_f32(float a) { return (float)lu_erfcinv_f64(a); }

/* glibc's lgamma writes the global signgam: the _r forms do not */
#if defined(__GLIBC__)
double lgamma_r(double, int *);
float lgammaf_r(float, int *);
static inline double lu_lgamma_f64(double a) { int s; return lgamma_r(a, &s); }
static inline float lu_lgamma_f32(float a) { int s; return lgammaf_r(a, &s); }
#else
static inline double lu_lgamma_f64(double a) { return lgamma(a); }
static inline float lu_lgamma_f32(float a) { return lgammaf(a); }
#endif

/* C: the per-dtype helper; other kinds go to a default that the dead
** branches of the CPU kernels name but never call. */
#define LU_GENERIC_I(n, x) _Generic((x), \
  int8_t: n##_i8, int16_t: n##_i16, int32_t: n##_i32, int64_t: n##_i64, \
  uint8_t: n##_u8, uint16_t: n##_u16, uint32_t: n##_u32, default: n##_u64)
#define LU_GENERIC_F(n, x) _Generic((x), float: n##_f32, default: n##_f64)
#define lu_fmod(a, b)          LU_GENERIC_I(lu_fmod, a)(a, b)
#define lu_reciprocal(a)       LU_GENERIC_I(lu_reciprocal, a)(a)
#define lu_gcd(a, b)           LU_GENERIC_I(lu_gcd, a)(a, b)
#define lu_lcm(a, b)           LU_GENERIC_I(lu_lcm, a)(a, b)
#define lu_band(a, b)          LU_GENERIC_I(lu_band, a)(a, b)
#define lu_bor(a, b)           LU_GENERIC_I(lu_bor, a)(a, b)
#define lu_bxor(a, b)          LU_GENERIC_I(lu_bxor, a)(a, b)
#define lu_invert(a)           LU_GENERIC_I(lu_invert, a)(a)
#define lu_popcount(a)         LU_GENERIC_I(lu_popcount, a)(a)
#define lu_left_shift(a, b)    LU_GENERIC_I(lu_left_shift, a)(a, b)
#define lu_right_shift(a, b)   LU_GENERIC_I(lu_right_shift, a)(a, b)
#define lu_isnan(a)            LU_GENERIC(lu_isnan, a)(a)
#define lu_isinf(a)            LU_GENERIC(lu_isinf, a)(a)
#define lu_isfinite(a)         LU_GENERIC(lu_isfinite, a)(a)
#define lu_isposinf(a)         LU_GENERIC(lu_isposinf, a)(a)
#define lu_isneginf(a)         LU_GENERIC(lu_isneginf, a)(a)
#define lu_signbit(a)          LU_GENERIC(lu_signbit, a)(a)
#define lu_isreal(a)           LU_GENERIC(lu_isreal, a)(a)
#define lu_iscomplex(a)        LU_GENERIC(lu_iscomplex, a)(a)
#define lu_fmax(a, b)          LU_GENERIC(lu_fmax, a)(a, b)
#define lu_fmin(a, b)          LU_GENERIC(lu_fmin, a)(a, b)
#define lu_heaviside(a, b)     LU_GENERIC_F(lu_heaviside, a)(a, b)
#define lu_deg2rad(a)          LU_GENERIC_F(lu_deg2rad, a)(a)
#define lu_rad2deg(a)          LU_GENERIC_F(lu_rad2deg, a)(a)
#define lu_sinc(a)             LU_GENERIC_F(lu_sinc, a)(a)
#define lu_logaddexp(a, b)     LU_GENERIC_F(lu_logaddexp, a)(a, b)
#define lu_logaddexp2(a, b)    LU_GENERIC_F(lu_logaddexp2, a)(a, b)
#define lu_spacing(a)          LU_GENERIC_F(lu_spacing, a)(a)
#define lu_ldexp(a, b)         LU_GENERIC_F(lu_ldexp, a)(a, b)
#define lu_frexp_mantissa(a)   LU_GENERIC_F(lu_frexp_mantissa, a)(a)
#define lu_frexp_exponent(a)   LU_GENERIC_F(lu_frexp_exponent, a)(a)
#define lu_modf_fractional(a)  LU_GENERIC_F(lu_modf_fractional, a)(a)
#define lu_modf_integral(a)    LU_GENERIC_F(lu_modf_integral, a)(a)
#define lu_round_scaled(a, b)  LU_GENERIC_F(lu_round_scaled, a)(a, b)
#define lu_nan_to_num(a, b, c) LU_GENERIC_F(lu_nan_to_num, a)(a, b, c)
#define lu_neginf_to_num(a, b, c) LU_GENERIC_F(lu_neginf_to_num, a)(a, b, c)
#define lu_digamma(a)          LU_GENERIC_F(lu_digamma, a)(a)
#define lu_erfinv(a)           LU_GENERIC_F(lu_erfinv, a)(a)
#define lu_erfcinv(a)          LU_GENERIC_F(lu_erfcinv, a)(a)
#define lu_lgamma(a)           LU_GENERIC_F(lu_lgamma, a)(a)
#endif
/* }===================================================================== */

/* {===================================================================== float to integer
** C leaves the conversion of NaN, infinity and out-of-range floats to an
** integer undefined (and CUDA saturates where x86 does not). lunar defines
** it once, for both backends, as NumPy computes it on x86-64: a value in
** range truncates toward zero; otherwise the hardware's "integer
** indefinite" value: INT64_MIN for 64-bit targets and uint32 (converted
** through int64), INT32_MIN for the narrower ones (converted through
** int32, then wrapped: int8 gets 0), and uint64 as C compilers do it (below
** 2^63 through int64, so -1.0 wraps to 2^64 - 1 and NaN gives 2^63; from
** 2^63 by offset; values from 2^64 give 0). lu_d2int returns the bits as int64; the
** caller narrows (a wrapping conversion). size/kind: the target's. */
LU_HDFN int64_t lu_d2i64_(double x) {
  return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? (int64_t)x
         : (int64_t)(-9223372036854775807LL - 1);
}
LU_HDFN int64_t lu_d2i32_(double x) {
  return (x > -2147483649.0 && x < 2147483648.0) ? (int64_t)(int32_t)x
         : (int64_t)(-2147483647 - 1);
}
LU_HDFN int64_t lu_d2int(double x, int size, char kind) {
  if (kind == 'u' && size == 8) {
    if (!(x >= 9223372036854775808.0)) return lu_d2i64_(x);   /* NaN: 2^63 */
    if (x < 18446744073709551616.0)
      return (int64_t)((uint64_t)(int64_t)(x - 9223372036854775808.0) ^ 0x8000000000000000ULL);
    return 0;
  }
  if (size == 8 || (kind == 'u' && size == 4)) return lu_d2i64_(x);
  return lu_d2i32_(x);
}
/* }===================================================================== */

#endif
