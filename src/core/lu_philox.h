/* SPDX-License-Identifier: MIT */
/*
** The random number stream of lunar, written once for both backends: the
** Philox4x32-10 counter-based generator (Salmon, Moraes, Dror, Shaw,
** "Parallel random numbers: as easy as 1, 2, 3", SC 2011) and the map from
** (seed, offset, element index, dtype, distribution) to a value. Valid C99
** and CUDA C (nvcc and NVRTC, where it includes nothing), like lu_prelude.h.
** The CPU backend (src/backend/cpu/cpu_random.c) and the CUDA kernel
** (kernels/random.cu) both call it, so the devices agree bit for bit on
** uniforms and to a few ulp on normals (lunar's own log, sin and cos below:
** in double on the CPU, in float for the GPU's float32 normals, CUDA's for
** its float64 normals).
**
** The stream. key = {lo32(seed), hi32(seed)}; block b of a stream has the
** counter {lo32(b), hi32(b), tag, 0} with tag = dist*2 + (dtype is float64)
** (dist as lu_randdist: 0 uniform, 1 normal), so the four streams never
** share a counter. A block gives LU_PHILOX_PER_BLOCK(f64) values:
**   float32 uniform: 4, u = (x >> 8) * 2^-24 from the top 24 bits of each word;
**   float64 uniform: 2, u = (y >> 11) * 2^-53, y = x[2k] | x[2k+1] << 32;
**   normal: Box-Muller on each pair (u0, u1) of those uniforms, u0 taken in
**   (0, 1] instead ((top bits + 1) * 2^-k, so log never sees 0):
**   r = sqrt(-2 log u0), values r cos(2 pi u1) then r sin(2 pi u1);
**   float32: 4 values per block (two pairs), float64: 2 (one pair).
** Element e = offset + i of a call is lane e % per_block of block
** e / per_block. A value depends on (seed, e) alone, so any split of the
** work over threads, blocks or devices gives the same array.
**
** Tails: the smallest u0 bounds |z|: 5.77 for float32 (u0 >= 2^-24), 8.57
** for float64 (u0 >= 2^-53), as in the libraries that map 24/53 bits.
*/
#ifndef lu_philox_h
#define lu_philox_h

#if defined(__CUDACC_RTC__)
#ifndef lu_prelude_h
typedef int int32_t;
typedef long long int64_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
#endif
#elif defined(__CUDACC__)
#include <stdint.h>
#else
#include <stdint.h>
#include <math.h>
#endif

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define LU_PHILOX_GPU 1
#endif

/* lu_prelude.h's LU_FN, with inlining forced in C: the generator must be
** inlined into the loop over blocks for the compiler to vectorise it. */
#ifdef LU_PHILOX_GPU
#define LU_PHILOX_FN static __device__ __forceinline__
#elif defined(__GNUC__)
#define LU_PHILOX_FN static inline __attribute__((always_inline))
#else
#define LU_PHILOX_FN static inline
#endif

#define LU_PHILOX_M0 0xD2511F53u
#define LU_PHILOX_M1 0xCD9E8D57u
#define LU_PHILOX_W0 0x9E3779B9u
#define LU_PHILOX_W1 0xBB67AE85u

/* values per block and stream tag */
#define LU_PHILOX_PER_BLOCK(is_f64) ((is_f64) ? 2 : 4)
#define LU_PHILOX_TAG(dist, is_f64) ((uint32_t)(dist) * 2u + ((is_f64) ? 1u : 0u))

/* 2^-24, 2^-31 and 2^-53, written in decimal (exact) for every compiler */
#define LU_PHILOX_2M24F 5.9604644775390625e-08f
#define LU_PHILOX_2M31 4.656612873077392578125e-10
#define LU_PHILOX_2M53 1.1102230246251565404236316680908203125e-16

/* {===== the generator */
LU_PHILOX_FN uint32_t lu_philox_mulhi(uint32_t a, uint32_t b) {
#ifdef LU_PHILOX_GPU
  return __umulhi(a, b);
#else
  return (uint32_t)(((uint64_t)a * b) >> 32);
#endif
}

/* One round on (c0, c1, c2, c3) with round key (k0, k1); spelled out ten
** times below, no loop, so that nothing depends on the compiler unrolling. */
#define LU_PHILOX_ROUND(c0, c1, c2, c3, k0, k1) do { \
    uint32_t lo0_ = LU_PHILOX_M0 * (c0), hi0_ = lu_philox_mulhi(LU_PHILOX_M0, (c0)); \
    uint32_t lo1_ = LU_PHILOX_M1 * (c2), hi1_ = lu_philox_mulhi(LU_PHILOX_M1, (c2)); \
    (c0) = hi1_ ^ (c1) ^ (k0); (c1) = lo1_; \
    (c2) = hi0_ ^ (c3) ^ (k1); (c3) = lo0_; \
  } while (0)
#define LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, i) \
  LU_PHILOX_ROUND(c0, c1, c2, c3, (k0) + (uint32_t)(i) * LU_PHILOX_W0, \
                  (k1) + (uint32_t)(i) * LU_PHILOX_W1)

/* Philox4x32-10 in place on four uint32_t variables (the counter) with key
** (k0, k1). A macro as well as a function: inside an `omp simd` loop, C
** compilers vectorise only variables whose address is never taken. */
#define LU_PHILOX4X32_10(c0, c1, c2, c3, k0, k1) do { \
    LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 0); LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 1); \
    LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 2); LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 3); \
    LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 4); LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 5); \
    LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 6); LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 7); \
    LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 8); LU_PHILOX_ROUND_I(c0, c1, c2, c3, k0, k1, 9); \
  } while (0)

/* Philox4x32-10 of counter x with key (k0, k1), in place. */
LU_PHILOX_FN void lu_philox4x32_10(uint32_t x[4], uint32_t k0, uint32_t k1) {
  uint32_t c0 = x[0], c1 = x[1], c2 = x[2], c3 = x[3];
  LU_PHILOX4X32_10(c0, c1, c2, c3, k0, k1);
  x[0] = c0; x[1] = c1; x[2] = c2; x[3] = c3;
}

/* The four words of block `block` of stream `tag` under `seed`. */
LU_PHILOX_FN void lu_philox_block(uint64_t seed, uint64_t block, uint32_t tag, uint32_t x[4]) {
  x[0] = (uint32_t)block;
  x[1] = (uint32_t)(block >> 32);
  x[2] = tag;
  x[3] = 0;
  lu_philox4x32_10(x, (uint32_t)seed, (uint32_t)(seed >> 32));
}
/* }===== */

/* {===== words to uniforms: exact conversions, identical on every device
** (through signed types, which every vector unit converts to float) */
LU_PHILOX_FN float lu_philox_u01_f32(uint32_t w) {        /* [0, 1) */
  return (float)(int32_t)(w >> 8) * LU_PHILOX_2M24F;
}
LU_PHILOX_FN float lu_philox_u01c_f32(uint32_t w) {       /* (0, 1] */
  return (float)(int32_t)((w >> 8) + 1u) * LU_PHILOX_2M24F;
}
LU_PHILOX_FN double lu_philox_u01_f64(uint32_t lo, uint32_t hi) {        /* [0, 1) */
#ifdef LU_PHILOX_GPU
  return (double)(int64_t)((((uint64_t)hi << 32) | lo) >> 11) * LU_PHILOX_2M53;
#else
  /* the same number as two pieces with disjoint bits (2^-1..2^-31 and
  ** 2^-32..2^-53), so the sum is exact; x86-64's vector unit converts
  ** int32 to double but not int64 */
  return (double)(int32_t)(hi >> 1) * LU_PHILOX_2M31
       + (double)(int32_t)(((hi & 1u) << 21) | (lo >> 11)) * LU_PHILOX_2M53;
#endif
}
LU_PHILOX_FN double lu_philox_u01c_f64(uint32_t lo, uint32_t hi) {       /* (0, 1] */
  return (double)(int64_t)(((((uint64_t)hi << 32) | lo) >> 11) + 1u) * LU_PHILOX_2M53;
}
/* }===== */

/* {===== the transcendental part of Box-Muller, per device
** On the CPU: log, sin and cos of our own in double (below), with an exact
** reduction of sincospi to |t| <= 1/4; float32 rounds the double results
** to float first, then multiplies in float. On the GPU: float32 by the
** float functions of the next section, float64 by the CUDA maths library
** (log, sqrt, sincospi: sin and cos of pi*x with no rounding of pi*x).
** Every side evaluates the same function of the same arguments, and the
** devices agree to a few ulp.
** The CPU's functions are plain arithmetic with no branch and no table, so
** the vector pass of src/backend/cpu/cpu_random.c (four or eight lanes at
** once), the partial blocks at a call's ends and the fused kernels (the
** same text, compiled at run time) give the same bits: a value never
** depends on how it was computed. libm's log and sin, called once per
** value, took about three quarters of randn's time on the CPU. */
#ifndef LU_PHILOX_GPU
/* log x for x in [2^-53, 1] (u0's range), within about 1 ulp: x = 2^e m
** with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s) with s = (m-1)/(m+1)
** (|s| <= 0.1716, so the odd series to s^19 is exact to double), and
** e log 2 in two parts (the high part has zero low bits: e*hi is exact) */
LU_PHILOX_FN double lu_philox_log(double x) {
  union { double d; uint64_t u; } v;
  uint64_t mant, up;
  double e, m, s, z, p;
  v.d = x;
  mant = v.u & 0x000fffffffffffffULL;
  up = mant > 0x6a09e667f3bcdULL;              /* 1.mant > sqrt(2): m = 1.mant / 2 */
  e = (double)(int32_t)(((v.u >> 52) & 0x7ff) + up) - 1023.0;
  v.u = mant | ((0x3ffULL - up) << 52);        /* integer selects: the loops stay vector */
  m = v.d;
  s = (m - 1.0) / (m + 1.0);                   /* m - 1 exact */
  z = s * s;
  p = 2.0 / 19.0;
  p = p * z + 2.0 / 17.0;
  p = p * z + 2.0 / 15.0;
  p = p * z + 2.0 / 13.0;
  p = p * z + 2.0 / 11.0;
  p = p * z + 2.0 / 9.0;
  p = p * z + 2.0 / 7.0;
  p = p * z + 2.0 / 5.0;
  p = p * z + 2.0 / 3.0;
  return e * 6.93147180369123816490e-01 + (e * 1.90821492927058770002e-10 + (2.0 * s + s * z * p));
}

/* sin x and cos x for |x| <= pi/4, within about 1 ulp: Taylor's series to
** x^17 and x^18, whose next terms are below 2^-60 there */
LU_PHILOX_FN double lu_philox_sin(double x) {
  double z = x * x, p;
  p = 1.0 / 355687428096000.0;
  p = p * z - 1.0 / 1307674368000.0;
  p = p * z + 1.0 / 6227020800.0;
  p = p * z - 1.0 / 39916800.0;
  p = p * z + 1.0 / 362880.0;
  p = p * z - 1.0 / 5040.0;
  p = p * z + 1.0 / 120.0;
  p = p * z - 1.0 / 6.0;
  return x + x * z * p;
}
LU_PHILOX_FN double lu_philox_cos(double x) {
  double z = x * x, p;
  p = 1.0 / 6402373705728000.0;
  p = 1.0 / 20922789888000.0 - p * z;
  p = p * z - 1.0 / 87178291200.0;
  p = p * z + 1.0 / 479001600.0;
  p = p * z - 1.0 / 3628800.0;
  p = p * z + 1.0 / 40320.0;
  p = p * z - 1.0 / 720.0;
  p = p * z + 1.0 / 24.0;
  return 1.0 - 0.5 * z + z * z * p;
}

/* sin(pi x), cos(pi x) for 0 <= x < 2 */
LU_PHILOX_FN void lu_philox_sincospi(double x, double *s, double *c) {
  const double pi = 3.141592653589793238462643383279502884;
  int k = (int)(x * 2.0 + 0.5);          /* nearest quarter turn, 0..4 */
  double t = x - 0.5 * (double)k;        /* exact: |t| <= 1/4 */
  double st = lu_philox_sin(pi * t), ct = lu_philox_cos(pi * t);
  switch (k & 3) {
  case 0: *s = st; *c = ct; break;
  case 1: *s = ct; *c = 0.0 - st; break;
  case 2: *s = 0.0 - st; *c = 0.0 - ct; break;
  default: *s = 0.0 - ct; *c = st; break;
  }
}
#endif

/* {===== float32 Box-Muller in float, for the GPU
** CUDA's logf, sqrtf and sincospif gave 10^8 normals in 0.228 ms on an H100,
** where the uniforms alone take 0.133; these functions give them in 0.167
** (session 22, design-notes). They start from the raw words: log's
** exponent and the quarter turn of 2 pi u1 come out of integer operations,
** the rest is minimax polynomials (tools/fit_normal_f32.py), PTX's
** sqrt.approx, and the sqrt(2) of sqrt(-2 log u0) folded into sin and cos.
** Each operation is spelled (fmaf, LU_PHILOX_FMUL), so that nvcc's kernel
** and NVRTC's fused kernels compute the same bits. Plain C as well, where
** tests/c/test_philox_f32.c checks them over all 2^24 inputs: log within
** 1.4 ulp, sqrt(2) sin and sqrt(2) cos within 1.9; on an H100 r within 1.6
** and the normals within 3.6 ulp of a double Box-Muller (2^25 values). */
#ifdef LU_PHILOX_GPU
#define LU_PHILOX_FMUL(a, b) __fmul_rn(a, b)
#define LU_PHILOX_FADD(a, b) __fadd_rn(a, b)
#define LU_PHILOX_BITS(f) __float_as_int(f)
#define LU_PHILOX_FLOAT(i) __int_as_float(i)
#else
#define LU_PHILOX_FMUL(a, b) ((a) * (b))   /* built with -ffp-contract=off */
#define LU_PHILOX_FADD(a, b) ((a) + (b))
LU_PHILOX_FN int32_t lu_philox_bits(float f) { union { float f; int32_t i; } v; v.f = f; return v.i; }
LU_PHILOX_FN float lu_philox_float(int32_t i) { union { float f; int32_t i; } v; v.i = i; return v.f; }
#define LU_PHILOX_BITS(f) lu_philox_bits(f)
#define LU_PHILOX_FLOAT(i) lu_philox_float(i)
#endif

/* log u0 of u0 = k 2^-24, k = (w0 >> 8) + 1: k = 2^e m with m in [2/3, 4/3)
** (integer operations on k's bits, exact), log u0 = (e - 24) log 2 +
** log(1 + f), f = m - 1 (exact), log(1 + f) = f + f^2 p(f) */
LU_PHILOX_FN float lu_philox_log_f32(uint32_t w0) {
  int32_t ix = LU_PHILOX_BITS((float)(int32_t)((w0 >> 8) + 1u));
  int32_t d = (ix - 0x3f2aaaab) & (int32_t)0xff800000;        /* e 2^23 */
  float f = LU_PHILOX_FADD(LU_PHILOX_FLOAT(ix - d), -1.0f);
  float e = fmaf((float)d, 1.1920928955078125e-07f, -24.0f);
  float p = 1.408732831e-01f;
  p = fmaf(p, f, -1.576554775e-01f);
  p = fmaf(p, f, 1.399012655e-01f);
  p = fmaf(p, f, -1.634258032e-01f);
  p = fmaf(p, f, 2.001086324e-01f);
  p = fmaf(p, f, -2.501190603e-01f);
  p = fmaf(p, f, 3.333322406e-01f);
  p = fmaf(p, f, -4.999987781e-01f);
  return fmaf(e, 6.931471825e-01f, fmaf(LU_PHILOX_FMUL(p, f), f, f));
}

/* sqrt(2) sin(pi t) and sqrt(2) cos(pi t) of the reduced turn of u1 =
** (w1 >> 8) 2^-24: with j = w1 >> 8, 2 u1 = j 2^-23 = q/2 + t, q the
** nearest quarter turn ((j + 2^21) >> 22, 0..4), t = (j - q 2^22) 2^-23 in
** [-1/4, 1/4] (exact) */
LU_PHILOX_FN void lu_philox_sincos_f32(uint32_t w1, float *s, float *c) {
  uint32_t j = w1 >> 8;
  float t = LU_PHILOX_FMUL((float)(int32_t)(j - ((j + 0x200000u) & 0x1c00000u)),
                           1.1920928955078125e-07f);
  float z = LU_PHILOX_FMUL(t, t), p;
  p = fmaf(z, -8.329890370e-01f, 3.605906725e+00f);
  p = fmaf(z, p, -7.308242321e+00f);
  p = fmaf(z, p, 4.442883015e+00f);
  *s = LU_PHILOX_FMUL(t, p);
  p = fmaf(z, 3.271489739e-01f, -1.888046861e+00f);
  p = fmaf(z, p, 5.739879608e+00f);
  p = fmaf(z, p, -6.978864193e+00f);
  *c = fmaf(z, p, 1.414213538e+00f);
}

/* the pair from words (w0, w1): sqrt(-log u0) times sqrt(2) sin and cos,
** swapped and signed by the quarter turn q (sin < 0 for q & 2, cos < 0 for
** (q + 1) & 2, the signs put on r as bits). A zero value may differ from
** the CPU's in its sign. */
LU_PHILOX_FN void lu_philox_bm_f32(uint32_t w0, uint32_t w1, float *z0, float *z1) {
  const uint32_t h = (w1 >> 8) + 0x200000u;   /* q = h >> 22 */
  float r, s, c, rs, rc;
  int32_t ri;
#ifdef LU_PHILOX_GPU
  asm("sqrt.approx.f32 %0, %1;" : "=f"(r) : "f"(0.0f - lu_philox_log_f32(w0)));
#else
  r = sqrtf(0.0f - lu_philox_log_f32(w0));
#endif
  lu_philox_sincos_f32(w1, &s, &c);
  ri = LU_PHILOX_BITS(r);
  rs = LU_PHILOX_FLOAT(ri ^ (int32_t)((h << 8) & 0x80000000u));
  rc = LU_PHILOX_FLOAT(ri ^ (int32_t)(((h + 0x400000u) << 8) & 0x80000000u));
  if (h & 0x400000u) { float x = s; s = c; c = x; }   /* q odd: selects */
  *z0 = LU_PHILOX_FMUL(rc, c);
  *z1 = LU_PHILOX_FMUL(rs, s);
}
/* }===== */

/* (r cos(2 pi u1), r sin(2 pi u1)) with r = sqrt(-2 log u0), u0 in (0, 1]
** the words' uniforms: u0 = lu_philox_u01c_f32(w0), u1 = lu_philox_u01_f32(w1) */
LU_PHILOX_FN void lu_philox_boxmuller_f32(uint32_t w0, uint32_t w1, float *z0, float *z1) {
#ifdef LU_PHILOX_GPU
  /* rounded products (LU_PHILOX_FMUL): inlined into a fused kernel, r * c
  ** must not become an FMA with the op that reads the draw
  ** (`(z - 0.25) * 3`), which would give other bits than the stored draw
  ** that the unfused op reads */
  lu_philox_bm_f32(w0, w1, z0, z1);
#else
  float r, s, c;
  double sd, cd;
  r = (float)sqrt(-2.0 * lu_philox_log((double)lu_philox_u01c_f32(w0)));
  lu_philox_sincospi(2.0 * (double)lu_philox_u01_f32(w1), &sd, &cd);
  s = (float)sd; c = (float)cd;
  *z0 = r * c;
  *z1 = r * s;
#endif
}

LU_PHILOX_FN void lu_philox_boxmuller_f64(double u0, double u1, double *z0, double *z1) {
  double s, c;
#ifdef LU_PHILOX_GPU
  double r = sqrt(-2.0 * log(u0));
  sincospi(2.0 * u1, &s, &c);
#else
  double r = sqrt(-2.0 * lu_philox_log(u0));
  lu_philox_sincospi(2.0 * u1, &s, &c);
#endif
#ifdef LU_PHILOX_GPU
  *z0 = __dmul_rn(r, c);   /* as the float32 pair's */
  *z1 = __dmul_rn(r, s);
#else
  *z0 = r * c;
  *z1 = r * s;
#endif
}
/* }===== */

/* {===== one block's values: dist 0 uniform, 1 normal (lu_randdist) */
LU_PHILOX_FN void lu_philox_values_f32(uint64_t seed, uint64_t block, int dist, float v[4]) {
  uint32_t x[4];
  lu_philox_block(seed, block, LU_PHILOX_TAG(dist, 0), x);
  if (dist == 0) {
    v[0] = lu_philox_u01_f32(x[0]);
    v[1] = lu_philox_u01_f32(x[1]);
    v[2] = lu_philox_u01_f32(x[2]);
    v[3] = lu_philox_u01_f32(x[3]);
  } else {
    lu_philox_boxmuller_f32(x[0], x[1], &v[0], &v[1]);
    lu_philox_boxmuller_f32(x[2], x[3], &v[2], &v[3]);
  }
}

LU_PHILOX_FN void lu_philox_values_f64(uint64_t seed, uint64_t block, int dist, double v[2]) {
  uint32_t x[4];
  lu_philox_block(seed, block, LU_PHILOX_TAG(dist, 1), x);
  if (dist == 0) {
    v[0] = lu_philox_u01_f64(x[0], x[1]);
    v[1] = lu_philox_u01_f64(x[2], x[3]);
  } else {
    lu_philox_boxmuller_f64(lu_philox_u01c_f64(x[0], x[1]), lu_philox_u01_f64(x[2], x[3]),
                            &v[0], &v[1]);
  }
}
/* }===== */

#endif
