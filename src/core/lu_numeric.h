/* SPDX-License-Identifier: MIT */
/*
** The storage types of float16, bfloat16, complex64 and complex128, their
** conversions, and complex arithmetic. Like lu_prelude.h this one file is
** valid C99, CUDA C (nvcc) and NVRTC source: the core and the CPU backend
** include it, and the CUDA kernel generator pastes its text in front of
** every generated kernel, so both backends compute the same function.
**
** float16 and bfloat16 are stored as 16-bit words (C has no portable half
** type, CUDA's __half needs a header NVRTC does not always find) and
** computed in float, as NumPy computes its float16 loops: inputs are
** widened exactly, the float32 result is rounded once. Conversions round
** to nearest even. On the GPU they are the hardware's cvt instructions
** (inline PTX); on the CPU they are integer and float code that gives the
** same bits and vectorises. float64 -> float16 rounds once (NumPy's
** npy_double_to_half); float64 -> bfloat16 goes through float32, as
** ml_dtypes and PyTorch convert.
**
** Complex values are {re, im} pairs; C has no operator overloading, so
** arithmetic is functions: lu_cadd(a, b) ... In C a name selects the c64 or
** c128 version with _Generic; in CUDA C the two are overloads. Semantics
** follow NumPy: Smith's division, abs as hypot, C99 Annex G special values
** for the elementary functions, and lexicographic order (NumPy's CLT...) in
** which a NaN part makes < and > false.
*/
#ifndef lu_numeric_h
#define lu_numeric_h

#if defined(__CUDACC_RTC__)
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
#else
#include <stdint.h>
#include <string.h>
#include <math.h>
#endif

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define LU_NFN static __host__ __device__ __forceinline__
#define LU_NNAME(n, sfx) n
#else
#define LU_NFN static inline
#define LU_NNAME(n, sfx) n##_##sfx
#endif

typedef struct lu_half { uint16_t bits; } lu_half;
typedef struct lu_bf16 { uint16_t bits; } lu_bf16;
typedef struct lu_c64 { float re, im; } lu_c64;
typedef struct lu_c128 { double re, im; } lu_c128;

/* {===== bit casts */
LU_NFN uint32_t lu_fbits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  uint32_t u; memcpy(&u, &x, 4); return u;
#endif
}
LU_NFN float lu_bitsf(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float x; memcpy(&x, &u, 4); return x;
#endif
}
/* }===== */

/* {===== float16 and bfloat16 <-> float, double */
/* half -> float, exact. The 15 bits of exponent and mantissa moved to
** float's positions make 2^-112 times the value (normals and subnormals
** alike); one multiply corrects the exponent. Inf and NaN keep theirs. */
LU_NFN float lu_h2f(lu_half h) {
#if defined(__CUDA_ARCH__)
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h.bits));
  /* cvt makes every NaN the canonical one (sign clear); NumPy and the CPU
  ** keep the sign and the payload, which signbit and copysign read */
  if (f != f) f = lu_bitsf(((uint32_t)(h.bits & 0x8000u) << 16) | 0x7f800000u |
                           ((uint32_t)(h.bits & 0x3ffu) << 13));
  return f;
#else
  uint32_t em = (uint32_t)(h.bits & 0x7fffu), sign = (uint32_t)(h.bits & 0x8000u) << 16;
  float f = lu_bitsf(em << 13) * 5.192296858534828e+33f;   /* 2^112 */
  uint32_t u = em >= 0x7c00u ? ((em << 13) | 0x7f800000u) : lu_fbits(f);
  return lu_bitsf(u | sign);
#endif
}

/* float -> half, round to nearest even. Subnormal results come from one
** float addition that leaves the rounded bits at the bottom of the word;
** normal ones from adding the rounding bias to the bits. NaN stays NaN
** (quiet, sign kept), overflow gives inf. */
LU_NFN lu_half lu_f2h(float f) {
  lu_half h;
#if defined(__CUDA_ARCH__)
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h.bits) : "f"(f));
  if (f != f) h.bits = (uint16_t)(((lu_fbits(f) >> 16) & 0x8000u) | 0x7e00u);   /* as the CPU's */
#else
  uint32_t x = lu_fbits(f), sign = (x >> 16) & 0x8000u, o;
  x &= 0x7fffffffu;
  if (x >= 0x47800000u) {                 /* >= 65536 (rounds to inf), inf, NaN */
    o = x > 0x7f800000u ? 0x7e00u : 0x7c00u;
  } else if (x < 0x38800000u) {           /* below 2^-14: subnormal or zero */
    o = lu_fbits(lu_bitsf(x) + 0.5f) - 0x3f000000u;
  } else {
    uint32_t odd = (x >> 13) & 1u;
    o = (x + 0xc8000fffu + odd) >> 13;    /* rebias (-112 << 23), round */
  }
  h.bits = (uint16_t)(o | sign);
#endif
  return h;
}

/* double -> half rounded once. On the CPU: double to float rounded to odd
** (exact enough that the second rounding cannot err: 24 > 11 + 2 bits),
** then float to half. */
LU_NFN lu_half lu_d2h(double d) {
#if defined(__CUDA_ARCH__)
  lu_half h;
  asm("cvt.rn.f16.f64 %0, %1;" : "=h"(h.bits) : "d"(d));
  if (d != d) h.bits = (uint16_t)((__double_as_longlong(d) < 0 ? 0x8000u : 0u) | 0x7e00u);
  return h;
#else
  float f = (float)d;
  if ((double)f != d && d == d) {
    uint32_t u = lu_fbits(f);
    if (!(u & 1u)) u = fabs((double)f) > fabs(d) ? u - 1u : u + 1u;
    f = lu_bitsf(u);
  }
  return lu_f2h(f);
#endif
}

LU_NFN float lu_bf2f(lu_bf16 b) { return lu_bitsf((uint32_t)b.bits << 16); }

LU_NFN lu_bf16 lu_f2bf(float f) {
  lu_bf16 b;
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(b.bits) : "f"(f));
  if (f != f) b.bits = (uint16_t)((lu_fbits(f) >> 16) | 0x40u);   /* sign kept, as the CPU's */
#else
  uint32_t u = lu_fbits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) b.bits = (uint16_t)((u >> 16) | 0x40u);
  else b.bits = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
#endif
  return b;
}

LU_NFN lu_bf16 lu_d2bf(double d) { return lu_f2bf((float)d); }
/* }===== */

/* {===== complex arithmetic
** LU_DEF_CPLX(C, T, SFX, ...) defines the functions for complex type C of
** parts T. MUL/ADD/SUB are the part operations: on the GPU the _rn
** intrinsics, which the compiler never contracts into an FMA, so that a
** product gives the CPU's bits. */
#if defined(__CUDA_ARCH__)
#define LU_CMUL_f(x, y) __fmul_rn(x, y)
#define LU_CADD_f(x, y) __fadd_rn(x, y)
#define LU_CSUB_f(x, y) __fsub_rn(x, y)
#define LU_CMUL_d(x, y) __dmul_rn(x, y)
#define LU_CADD_d(x, y) __dadd_rn(x, y)
#define LU_CSUB_d(x, y) __dsub_rn(x, y)
#else
#define LU_CMUL_f(x, y) ((x) * (y))
#define LU_CADD_f(x, y) ((x) + (y))
#define LU_CSUB_f(x, y) ((x) - (y))
#define LU_CMUL_d(x, y) ((x) * (y))
#define LU_CADD_d(x, y) ((x) + (y))
#define LU_CSUB_d(x, y) ((x) - (y))
#endif

#define LU_DEF_CPLX(C, T, SFX, P, SQRT, EXP, LOG, LOG1P, HYPOT, ATAN2, SIN, COS, \
                    SINH, COSH, TAN, FABS, COPYSIGN, BIG, EXPMAX, TBIG, EXPM1, RINT, HUGE) \
  LU_NFN C LU_NNAME(lu_cmake, SFX)(T re, T im) { C z; z.re = re; z.im = im; return z; } \
  LU_NFN C LU_NNAME(lu_cadd, SFX)(C a, C b) { return LU_NNAME(lu_cmake, SFX)(a.re + b.re, a.im + b.im); } \
  LU_NFN C LU_NNAME(lu_csub, SFX)(C a, C b) { return LU_NNAME(lu_cmake, SFX)(a.re - b.re, a.im - b.im); } \
  LU_NFN C LU_NNAME(lu_cneg, SFX)(C a) { return LU_NNAME(lu_cmake, SFX)(-a.re, -a.im); } \
  LU_NFN C LU_NNAME(lu_cconj, SFX)(C a) { return LU_NNAME(lu_cmake, SFX)(a.re, -a.im); } \
  LU_NFN C LU_NNAME(lu_cmul, SFX)(C a, C b) { \
    return LU_NNAME(lu_cmake, SFX)(LU_CSUB_##P(LU_CMUL_##P(a.re, b.re), LU_CMUL_##P(a.im, b.im)), \
                                   LU_CADD_##P(LU_CMUL_##P(a.re, b.im), LU_CMUL_##P(a.im, b.re))); \
  } \
  /* Smith's algorithm, as NumPy: the ratio of the smaller part of b to the \
  ** larger keeps the intermediate terms in range; 0 / 0 gives inf or NaN */ \
  LU_NFN C LU_NNAME(lu_cdiv, SFX)(C a, C b) { \
    T ar = FABS(b.re), ai = FABS(b.im), rat, scl; \
    if (ar >= ai) { \
      if (ar == 0 && ai == 0) return LU_NNAME(lu_cmake, SFX)(a.re / ar, a.im / ai); \
      rat = b.im / b.re; \
      scl = (T)1 / LU_CADD_##P(b.re, LU_CMUL_##P(b.im, rat)); \
      return LU_NNAME(lu_cmake, SFX)(LU_CMUL_##P(LU_CADD_##P(a.re, LU_CMUL_##P(a.im, rat)), scl), \
                                     LU_CMUL_##P(LU_CSUB_##P(a.im, LU_CMUL_##P(a.re, rat)), scl)); \
    } \
    rat = b.re / b.im; \
    scl = (T)1 / LU_CADD_##P(b.im, LU_CMUL_##P(b.re, rat)); \
    return LU_NNAME(lu_cmake, SFX)(LU_CMUL_##P(LU_CADD_##P(LU_CMUL_##P(a.re, rat), a.im), scl), \
                                   LU_CMUL_##P(LU_CSUB_##P(LU_CMUL_##P(a.im, rat), a.re), scl)); \
  } \
  LU_NFN C LU_NNAME(lu_csquare, SFX)(C a) { return LU_NNAME(lu_cmul, SFX)(a, a); } \
  LU_NFN T LU_NNAME(lu_cabs, SFX)(C a) { return HYPOT(a.re, a.im); } \
  LU_NFN T LU_NNAME(lu_carg, SFX)(C a) { return ATAN2(a.im, a.re); } \
  LU_NFN int LU_NNAME(lu_cnz, SFX)(C a) { return a.re != 0 || a.im != 0; } \
  LU_NFN int LU_NNAME(lu_cisnan, SFX)(C a) { return a.re != a.re || a.im != a.im; } \
  LU_NFN int LU_NNAME(lu_cisinf, SFX)(C a) { \
    return (a.re - a.re != 0 && a.re == a.re) || (a.im - a.im != 0 && a.im == a.im); \
  } \
  LU_NFN int LU_NNAME(lu_cisfinite, SFX)(C a) { return a.re - a.re == 0 && a.im - a.im == 0; } \
  LU_NFN int LU_NNAME(lu_ceq, SFX)(C a, C b) { return a.re == b.re && a.im == b.im; } \
  LU_NFN int LU_NNAME(lu_cne, SFX)(C a, C b) { return a.re != b.re || a.im != b.im; } \
  LU_NFN int LU_NNAME(lu_clt, SFX)(C a, C b) { \
    return (a.re < b.re && a.im == a.im && b.im == b.im) || (a.re == b.re && a.im < b.im); \
  } \
  LU_NFN int LU_NNAME(lu_cle, SFX)(C a, C b) { \
    return (a.re < b.re && a.im == a.im && b.im == b.im) || (a.re == b.re && a.im <= b.im); \
  } \
  LU_NFN int LU_NNAME(lu_cgt, SFX)(C a, C b) { return LU_NNAME(lu_clt, SFX)(b, a); } \
  LU_NFN int LU_NNAME(lu_cge, SFX)(C a, C b) { return LU_NNAME(lu_cle, SFX)(b, a); } \
  /* maximum/minimum: a when a has a NaN part or wins, else b (NumPy) */ \
  LU_NFN C LU_NNAME(lu_cmax, SFX)(C a, C b) { \
    return (LU_NNAME(lu_cisnan, SFX)(a) || LU_NNAME(lu_cge, SFX)(a, b)) ? a : b; \
  } \
  LU_NFN C LU_NNAME(lu_cmin, SFX)(C a, C b) { \
    return (LU_NNAME(lu_cisnan, SFX)(a) || LU_NNAME(lu_cle, SFX)(a, b)) ? a : b; \
  } \
  /* NumPy 2's sign: z / |z|; 0 for 0; NaN for NaN; a unit along an \
  ** infinite part, NaN when both are infinite */ \
  LU_NFN C LU_NNAME(lu_csign, SFX)(C a) { \
    T m = HYPOT(a.re, a.im), nan = (T)NAN; \
    if (m != m) return LU_NNAME(lu_cmake, SFX)(nan, nan); \
    if (m - m != 0) { \
      int ir = a.re - a.re != 0, ii = a.im - a.im != 0; \
      if (ir && ii) return LU_NNAME(lu_cmake, SFX)(nan, nan); \
      if (ir) return LU_NNAME(lu_cmake, SFX)(a.re > 0 ? (T)1 : (T)-1, (T)0); \
      return LU_NNAME(lu_cmake, SFX)((T)0, a.im > 0 ? (T)1 : (T)-1); \
    } \
    if (m == 0) return LU_NNAME(lu_cmake, SFX)((T)0, (T)0); \
    return LU_NNAME(lu_cmake, SFX)(a.re / m, a.im / m); \
  } \
  LU_NFN C LU_NNAME(lu_creciprocal, SFX)(C a) { \
    return LU_NNAME(lu_cdiv, SFX)(LU_NNAME(lu_cmake, SFX)((T)1, (T)0), a); \
  } \
  /* sqrt: Kahan's; the branch cut follows the sign of the imaginary part */ \
  LU_NFN C LU_NNAME(lu_csqrt, SFX)(C z) { \
    T x = z.re, y = z.im, t, s = 1; \
    if (x == 0 && y == 0) return LU_NNAME(lu_cmake, SFX)((T)0, y); \
    if (y - y != 0 && y == y) return LU_NNAME(lu_cmake, SFX)((T)INFINITY, y); \
    if (x != x) return LU_NNAME(lu_cmake, SFX)(x, x); \
    if (x - x != 0) { \
      if (x > 0) return LU_NNAME(lu_cmake, SFX)(x, y != y ? y : COPYSIGN((T)0, y)); \
      return LU_NNAME(lu_cmake, SFX)(y != y ? y : (T)0, COPYSIGN(-x, y)); \
    } \
    if (y != y) return LU_NNAME(lu_cmake, SFX)(y, y); \
    if (FABS(x) > BIG || FABS(y) > BIG) { x *= (T)0.25; y *= (T)0.25; s = 2; } \
    t = SQRT((FABS(x) + HYPOT(x, y)) * (T)0.5); \
    if (x >= 0) return LU_NNAME(lu_cmake, SFX)(s * t, s * (y / (2 * t))); \
    return LU_NNAME(lu_cmake, SFX)(s * (FABS(y) / (2 * t)), COPYSIGN(s * t, y)); \
  } \
  LU_NFN C LU_NNAME(lu_cexp, SFX)(C z) { \
    T x = z.re, y = z.im, e; \
    if (y == 0) return LU_NNAME(lu_cmake, SFX)(EXP(x), y); \
    if (x - x == 0 && y - y == 0) { \
      if (x > EXPMAX) { \
        e = EXP(x * (T)0.5); \
        return LU_NNAME(lu_cmake, SFX)(e * COS(y) * e, e * SIN(y) * e); \
      } \
      e = EXP(x); \
      return LU_NNAME(lu_cmake, SFX)(e * COS(y), e * SIN(y)); \
    } \
    if (x - x != 0 && x == x) {                /* x = +-inf */ \
      if (y - y != 0) return x > 0 ? LU_NNAME(lu_cmake, SFX)(x, y - y) \
                                   : LU_NNAME(lu_cmake, SFX)((T)0, (T)0); \
      e = x > 0 ? x : (T)0; \
      return LU_NNAME(lu_cmake, SFX)(e * COS(y), e * SIN(y)); \
    } \
    return LU_NNAME(lu_cmake, SFX)((T)NAN, (T)NAN); \
  } \
  /* log: the real part as log1p near |z| = 1, where log(hypot) loses it */ \
  LU_NFN C LU_NNAME(lu_clog, SFX)(C z) { \
    T ax = FABS(z.re), ay = FABS(z.im), m, r; \
    if (ay > ax) { T t = ax; ax = ay; ay = t; } \
    m = HYPOT(ax, ay); \
    if (m > (T)0.7 && m < (T)1.4) r = LOG1P((ax - 1) * (ax + 1) + ay * ay) * (T)0.5; \
    else r = LOG(m); \
    return LU_NNAME(lu_cmake, SFX)(r, ATAN2(z.im, z.re)); \
  } \
  /* sinh and cosh with C99 Annex G's special values (FreeBSD's cases) */ \
  LU_NFN C LU_NNAME(lu_csinh, SFX)(C z) { \
    T x = z.re, y = z.im; \
    int fx = x - x == 0, fy = y - y == 0; \
    if (fx && fy) { \
      if (y == 0) return LU_NNAME(lu_cmake, SFX)(SINH(x), y); \
      return LU_NNAME(lu_cmake, SFX)(SINH(x) * COS(y), COSH(x) * SIN(y)); \
    } \
    if (x == 0 && !fy) return LU_NNAME(lu_cmake, SFX)(x, y - y); \
    if (y == 0 && !fx) return LU_NNAME(lu_cmake, SFX)(x, y); \
    if (fx) return LU_NNAME(lu_cmake, SFX)(y - y, y - y); \
    if (x == x) { \
      if (!fy) return LU_NNAME(lu_cmake, SFX)(x, y - y); \
      return LU_NNAME(lu_cmake, SFX)(x * COS(y), (T)INFINITY * SIN(y)); \
    } \
    return LU_NNAME(lu_cmake, SFX)(x * x * (y - y), (x + x) * (y - y)); \
  } \
  LU_NFN C LU_NNAME(lu_ccosh, SFX)(C z) { \
    T x = z.re, y = z.im; \
    int fx = x - x == 0, fy = y - y == 0; \
    if (fx && fy) { \
      if (y == 0) return LU_NNAME(lu_cmake, SFX)(COSH(x), x * y); \
      return LU_NNAME(lu_cmake, SFX)(COSH(x) * COS(y), SINH(x) * SIN(y)); \
    } \
    if (x == 0 && !fy) return LU_NNAME(lu_cmake, SFX)(y - y, x * COPYSIGN((T)0, y - y)); \
    if (y == 0 && !fx) return LU_NNAME(lu_cmake, SFX)(x * x, COPYSIGN((T)0, x) * y); \
    if (fx) return LU_NNAME(lu_cmake, SFX)(y - y, x * (y - y)); \
    if (x == x) { \
      if (!fy) return LU_NNAME(lu_cmake, SFX)(x * x, x * (y - y)); \
      return LU_NNAME(lu_cmake, SFX)((T)INFINITY * COS(y), x * SIN(y)); \
    } \
    return LU_NNAME(lu_cmake, SFX)(x * x * (y - y), (x + x) * (y - y)); \
  } \
  /* sin z = -i sinh(iz), cos z = cosh(iz) */ \
  LU_NFN C LU_NNAME(lu_csin, SFX)(C z) { \
    C w = LU_NNAME(lu_csinh, SFX)(LU_NNAME(lu_cmake, SFX)(-z.im, z.re)); \
    return LU_NNAME(lu_cmake, SFX)(w.im, -w.re); \
  } \
  LU_NFN C LU_NNAME(lu_ccos, SFX)(C z) { \
    return LU_NNAME(lu_ccosh, SFX)(LU_NNAME(lu_cmake, SFX)(-z.im, z.re)); \
  } \
  /* tanh: Kahan's formula; past |x| = 22 (9 in float) it is +-1 + a tiny \
  ** imaginary part */ \
  LU_NFN C LU_NNAME(lu_ctanh, SFX)(C z) { \
    T x = z.re, y = z.im, t, beta, s, rho, den; \
    if (x != x) return LU_NNAME(lu_cmake, SFX)(x, y == 0 ? y : x); \
    if (x - x != 0) \
      return LU_NNAME(lu_cmake, SFX)(COPYSIGN((T)1, x), \
                                     y - y == 0 ? COPYSIGN((T)0, SIN(y) * COS(y)) : COPYSIGN((T)0, y)); \
    if (y - y != 0) return LU_NNAME(lu_cmake, SFX)(y - y, y - y); \
    if (FABS(x) >= TBIG) { \
      T e = EXP(-FABS(x)); \
      return LU_NNAME(lu_cmake, SFX)(COPYSIGN((T)1, x), 4 * SIN(y) * COS(y) * e * e); \
    } \
    t = TAN(y); beta = 1 + t * t; s = SINH(x); rho = SQRT(1 + s * s); \
    den = 1 + beta * s * s; \
    return LU_NNAME(lu_cmake, SFX)((beta * rho * s) / den, t / den); \
  } \
  /* NumPy's power: 1 for b = 0; 0 or NaN for a = 0; repeated products for \
  ** small integer b; else exp(b log a) */ \
  LU_NFN C LU_NNAME(lu_cpow, SFX)(C a, C b) { \
    if (b.re == 0 && b.im == 0) return LU_NNAME(lu_cmake, SFX)((T)1, (T)0); \
    if (a.re == 0 && a.im == 0) { \
      if (b.re > 0) return LU_NNAME(lu_cmake, SFX)((T)0, (T)0); \
      return LU_NNAME(lu_cmake, SFX)((T)NAN, (T)NAN); \
    } \
    if (b.im == 0 && b.re > -100 && b.re < 100 && (T)(int)b.re == b.re) { \
      int n = (int)b.re, m = n < 0 ? -n : n; \
      C r = LU_NNAME(lu_cmake, SFX)((T)1, (T)0), p = a; \
      if (n == 1) return a; \
      if (n == 2) return LU_NNAME(lu_cmul, SFX)(a, a); \
      if (n == 3) return LU_NNAME(lu_cmul, SFX)(a, LU_NNAME(lu_cmul, SFX)(a, a)); \
      for (;;) { \
        if (m & 1) r = LU_NNAME(lu_cmul, SFX)(r, p); \
        m >>= 1; \
        if (!m) break; \
        p = LU_NNAME(lu_cmul, SFX)(p, p); \
      } \
      if (n < 0) r = LU_NNAME(lu_cdiv, SFX)(LU_NNAME(lu_cmake, SFX)((T)1, (T)0), r); \
      return r; \
    } \
    return LU_NNAME(lu_cexp, SFX)(LU_NNAME(lu_cmul, SFX)(b, LU_NNAME(lu_clog, SFX)(a))); \
  } \
  /* z * i and z * -i, exactly (the inverse functions go through them) */ \
  LU_NFN C LU_NNAME(lu_cmuli, SFX)(C z) { return LU_NNAME(lu_cmake, SFX)(-z.im, z.re); } \
  LU_NFN C LU_NNAME(lu_cmulmi, SFX)(C z) { return LU_NNAME(lu_cmake, SFX)(z.im, -z.re); } \
  /* tan z = -i tanh(iz) */ \
  LU_NFN C LU_NNAME(lu_ctan, SFX)(C z) { \
    return LU_NNAME(lu_cmulmi, SFX)(LU_NNAME(lu_ctanh, SFX)(LU_NNAME(lu_cmuli, SFX)(z))); \
  } \
  /* log(1 + z), the real part from log1p(2x + x^2 + y^2) = log|1 + z|^2 so \
  ** that small z keep their digits (NumPy's log1p takes log(hypot)) */ \
  LU_NFN C LU_NNAME(lu_clog1p, SFX)(C z) { \
    T x = z.re, y = z.im; \
    if (FABS(x) > HUGE || FABS(y) > HUGE || x != x || y != y) \
      return LU_NNAME(lu_clog, SFX)(LU_NNAME(lu_cmake, SFX)(x + 1, y)); \
    return LU_NNAME(lu_cmake, SFX)((T)0.5 * LOG1P(x * (2 + x) + y * y), ATAN2(y, x + 1)); \
  } \
  /* expm1: NumPy's form, the real part through expm1 and a half-angle sine */ \
  LU_NFN C LU_NNAME(lu_cexpm1, SFX)(C z) { \
    T x = z.re, y = z.im, h = SIN(y * (T)0.5); \
    if (y == 0) return LU_NNAME(lu_cmake, SFX)(EXPM1(x), y); \
    return LU_NNAME(lu_cmake, SFX)(EXPM1(x) * COS(y) - 2 * h * h, EXP(x) * SIN(y)); \
  } \
  LU_NFN C LU_NNAME(lu_cexp2, SFX)(C z) { \
    const T ln2 = (T)0.693147180559945309417232121458176568; \
    return LU_NNAME(lu_cexp, SFX)(LU_NNAME(lu_cmake, SFX)(z.re * ln2, z.im * ln2)); \
  } \
  LU_NFN C LU_NNAME(lu_clog2, SFX)(C z) { \
    const T l2e = (T)1.44269504088896340735992468100189214; \
    C w = LU_NNAME(lu_clog, SFX)(z); \
    return LU_NNAME(lu_cmake, SFX)(w.re * l2e, w.im * l2e); \
  } \
  LU_NFN C LU_NNAME(lu_clog10, SFX)(C z) { \
    const T l10e = (T)0.434294481903251827651128918916605082; \
    C w = LU_NNAME(lu_clog, SFX)(z); \
    return LU_NNAME(lu_cmake, SFX)(w.re * l10e, w.im * l10e); \
  } \
  LU_NFN C LU_NNAME(lu_crint, SFX)(C z) { return LU_NNAME(lu_cmake, SFX)(RINT(z.re), RINT(z.im)); } \
  /* asinh: odd, so the left half plane is -asinh(-z); on the right \
  ** log(1 + w) with w = z + z^2 / (1 + sqrt(1 + z^2)) loses nothing near \
  ** 0; far out asinh z = log 2z. The cuts (the imaginary axis past +-i) \
  ** follow the sign of the real part's zero, as C99's casinh. The odd \
  ** symmetry is a wrapper, not recursion: a recursive device function \
  ** gets a stack that NVRTC cannot size, and overflows it. */ \
  LU_NFN C LU_NNAME(lu_casinh_right, SFX)(C z) { \
    const T ln2 = (T)0.693147180559945309417232121458176568; \
    C z2, s, w; \
    if (z.re != z.re || z.im != z.im) { \
      if (z.im - z.im != 0 && z.im == z.im) return LU_NNAME(lu_cmake, SFX)(FABS(z.im), z.re); \
      if (z.re - z.re != 0 && z.re == z.re) return LU_NNAME(lu_cmake, SFX)(z.re, z.im); \
      return LU_NNAME(lu_cmake, SFX)(z.re + z.im, z.im == 0 ? z.im : z.re + z.im); \
    } \
    if (z.re > HUGE || FABS(z.im) > HUGE) { \
      w = LU_NNAME(lu_clog, SFX)(z); \
      return LU_NNAME(lu_cmake, SFX)(w.re + ln2, w.im); \
    } \
    z2 = LU_NNAME(lu_cmul, SFX)(z, z); \
    s = LU_NNAME(lu_csqrt, SFX)(LU_NNAME(lu_cmake, SFX)(z2.re + 1, z2.im)); \
    w = LU_NNAME(lu_cadd, SFX)(z, LU_NNAME(lu_cdiv, SFX)(z2, LU_NNAME(lu_cmake, SFX)(s.re + 1, s.im))); \
    return LU_NNAME(lu_clog1p, SFX)(w); \
  } \
  LU_NFN C LU_NNAME(lu_casinh, SFX)(C z) { \
    if (signbit(z.re)) \
      return LU_NNAME(lu_cneg, SFX)(LU_NNAME(lu_casinh_right, SFX)(LU_NNAME(lu_cneg, SFX)(z))); \
    return LU_NNAME(lu_casinh_right, SFX)(z); \
  } \
  /* asin z = -i asinh(iz); acos z = pi/2 - asin z (the same cuts) */ \
  LU_NFN C LU_NNAME(lu_casin, SFX)(C z) { \
    return LU_NNAME(lu_cmulmi, SFX)(LU_NNAME(lu_casinh, SFX)(LU_NNAME(lu_cmuli, SFX)(z))); \
  } \
  LU_NFN C LU_NNAME(lu_cacos, SFX)(C z) { \
    C a = LU_NNAME(lu_casin, SFX)(z); \
    return LU_NNAME(lu_cmake, SFX)((T)1.57079632679489661923132169163975144 - a.re, -a.im); \
  } \
  /* acosh z = log(z + sqrt(z + 1) sqrt(z - 1)): the product of the two \
  ** principal roots carries z's sign, so nothing cancels; far out log 2z */ \
  LU_NFN C LU_NNAME(lu_cacosh, SFX)(C z) { \
    const T ln2 = (T)0.693147180559945309417232121458176568; \
    C p, w; \
    if (FABS(z.re) > HUGE || FABS(z.im) > HUGE) { \
      w = LU_NNAME(lu_clog, SFX)(z); \
      return LU_NNAME(lu_cmake, SFX)(w.re + ln2, w.im); \
    } \
    p = LU_NNAME(lu_cmul, SFX)(LU_NNAME(lu_csqrt, SFX)(LU_NNAME(lu_cmake, SFX)(z.re + 1, z.im)), \
                               LU_NNAME(lu_csqrt, SFX)(LU_NNAME(lu_cmake, SFX)(z.re - 1, z.im))); \
    return LU_NNAME(lu_clog, SFX)(LU_NNAME(lu_cadd, SFX)(z, p)); \
  } \
  /* atanh z = (log1p(z) - log1p(-z)) / 2; atan z = -i atanh(iz) */ \
  LU_NFN C LU_NNAME(lu_catanh, SFX)(C z) { \
    C a = LU_NNAME(lu_clog1p, SFX)(z), b = LU_NNAME(lu_clog1p, SFX)(LU_NNAME(lu_cneg, SFX)(z)); \
    return LU_NNAME(lu_cmake, SFX)((a.re - b.re) * (T)0.5, (a.im - b.im) * (T)0.5); \
  } \
  LU_NFN C LU_NNAME(lu_catan, SFX)(C z) { \
    return LU_NNAME(lu_cmulmi, SFX)(LU_NNAME(lu_catanh, SFX)(LU_NNAME(lu_cmuli, SFX)(z))); \
  } \
  /* fmax/fmin: the non-NaN one when one has a NaN part (NumPy) */ \
  LU_NFN C LU_NNAME(lu_cfmax, SFX)(C a, C b) { \
    return (LU_NNAME(lu_cge, SFX)(a, b) || LU_NNAME(lu_cisnan, SFX)(b)) ? a : b; \
  } \
  LU_NFN C LU_NNAME(lu_cfmin, SFX)(C a, C b) { \
    return (LU_NNAME(lu_cle, SFX)(a, b) || LU_NNAME(lu_cisnan, SFX)(b)) ? a : b; \
  }

#ifndef INFINITY
#define INFINITY (__int_as_float(0x7f800000))
#endif
#ifndef NAN
#define NAN (__int_as_float(0x7fffffff))
#endif

LU_DEF_CPLX(lu_c64, float, c64, f, sqrtf, expf, logf, log1pf, hypotf, atan2f, sinf, cosf,
            sinhf, coshf, tanf, fabsf, copysignf, 8.5e37f, 88.0f, 9.0f, expm1f, rintf, 1e18f)
LU_DEF_CPLX(lu_c128, double, c128, d, sqrt, exp, log, log1p, hypot, atan2, sin, cos,
            sinh, cosh, tan, fabs, copysign, 4.4e307, 709.0, 22.0, expm1, rint, 1e150)

/* angle of a real number (NumPy's arctan2(0, x)): NaN for NaN, else pi
** when the sign bit is set (-0.0 and -inf too), else 0 */
LU_NFN float LU_NNAME(lu_angle, f32)(float a) {
  return a != a ? a : signbit(a) ? 3.14159265358979323846f : 0.0f;
}
LU_NFN double LU_NNAME(lu_angle, f64)(double a) {
  return a != a ? a : signbit(a) ? 3.14159265358979323846 : 0.0;
}

/* }===== */

#endif

/* {===== C: one name for the c64 and c128 (float and double) versions
** Only for the code that instantiates the op table's expressions (the
** prelude asks for them with LU_NUMERIC_GENERICS): elsewhere the macros
** would rewrite expression text that the core stringifies for NVRTC. */
#if defined(LU_NUMERIC_GENERICS) && !defined(lu_numeric_generics) && \
    !defined(__CUDACC__) && !defined(__CUDACC_RTC__)
#define lu_numeric_generics
/* (integer compute types never call it: they have no angle loop) */
#define lu_angle(a) _Generic((a), float: lu_angle_f32, default: lu_angle_f64)(a)
/* C: pick the c64 or c128 function by the type of the first argument. */
#define LU_CGENERIC(n, x) _Generic((x), lu_c64: n##_c64, lu_c128: n##_c128)
#define lu_cadd(a, b)     LU_CGENERIC(lu_cadd, a)(a, b)
#define lu_csub(a, b)     LU_CGENERIC(lu_csub, a)(a, b)
#define lu_cmul(a, b)     LU_CGENERIC(lu_cmul, a)(a, b)
#define lu_cdiv(a, b)     LU_CGENERIC(lu_cdiv, a)(a, b)
#define lu_cpow(a, b)     LU_CGENERIC(lu_cpow, a)(a, b)
#define lu_cneg(a)        LU_CGENERIC(lu_cneg, a)(a)
#define lu_cconj(a)       LU_CGENERIC(lu_cconj, a)(a)
#define lu_csquare(a)     LU_CGENERIC(lu_csquare, a)(a)
#define lu_creciprocal(a) LU_CGENERIC(lu_creciprocal, a)(a)
#define lu_cabs(a)        LU_CGENERIC(lu_cabs, a)(a)
#define lu_carg(a)        LU_CGENERIC(lu_carg, a)(a)
#define lu_cnz(a)         LU_CGENERIC(lu_cnz, a)(a)
#define lu_cisnan(a)      LU_CGENERIC(lu_cisnan, a)(a)
#define lu_cisinf(a)      LU_CGENERIC(lu_cisinf, a)(a)
#define lu_cisfinite(a)   LU_CGENERIC(lu_cisfinite, a)(a)
#define lu_ceq(a, b)      LU_CGENERIC(lu_ceq, a)(a, b)
#define lu_cne(a, b)      LU_CGENERIC(lu_cne, a)(a, b)
#define lu_clt(a, b)      LU_CGENERIC(lu_clt, a)(a, b)
#define lu_cle(a, b)      LU_CGENERIC(lu_cle, a)(a, b)
#define lu_cgt(a, b)      LU_CGENERIC(lu_cgt, a)(a, b)
#define lu_cge(a, b)      LU_CGENERIC(lu_cge, a)(a, b)
#define lu_cmax(a, b)     LU_CGENERIC(lu_cmax, a)(a, b)
#define lu_cmin(a, b)     LU_CGENERIC(lu_cmin, a)(a, b)
#define lu_csign(a)       LU_CGENERIC(lu_csign, a)(a)
#define lu_csqrt(a)       LU_CGENERIC(lu_csqrt, a)(a)
#define lu_cexp(a)        LU_CGENERIC(lu_cexp, a)(a)
#define lu_clog(a)        LU_CGENERIC(lu_clog, a)(a)
#define lu_csinh(a)       LU_CGENERIC(lu_csinh, a)(a)
#define lu_ccosh(a)       LU_CGENERIC(lu_ccosh, a)(a)
#define lu_csin(a)        LU_CGENERIC(lu_csin, a)(a)
#define lu_ccos(a)        LU_CGENERIC(lu_ccos, a)(a)
#define lu_ctanh(a)       LU_CGENERIC(lu_ctanh, a)(a)
#define lu_ctan(a)       LU_CGENERIC(lu_ctan, a)(a)
#define lu_clog1p(a)     LU_CGENERIC(lu_clog1p, a)(a)
#define lu_cexpm1(a)     LU_CGENERIC(lu_cexpm1, a)(a)
#define lu_cexp2(a)      LU_CGENERIC(lu_cexp2, a)(a)
#define lu_clog2(a)      LU_CGENERIC(lu_clog2, a)(a)
#define lu_clog10(a)     LU_CGENERIC(lu_clog10, a)(a)
#define lu_crint(a)      LU_CGENERIC(lu_crint, a)(a)
#define lu_casinh(a)     LU_CGENERIC(lu_casinh, a)(a)
#define lu_casin(a)      LU_CGENERIC(lu_casin, a)(a)
#define lu_cacos(a)      LU_CGENERIC(lu_cacos, a)(a)
#define lu_cacosh(a)     LU_CGENERIC(lu_cacosh, a)(a)
#define lu_catanh(a)     LU_CGENERIC(lu_catanh, a)(a)
#define lu_catan(a)      LU_CGENERIC(lu_catan, a)(a)
#define lu_cfmax(a, b)    LU_CGENERIC(lu_cfmax, a)(a, b)
#define lu_cfmin(a, b)    LU_CGENERIC(lu_cfmin, a)(a, b)
#endif
/* }===== */
