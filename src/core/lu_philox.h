/* SPDX-License-Identifier: MIT */
/*
** The random number stream of lunar, written once for both backends: the
** Philox4x32-10 counter-based generator (Salmon, Moraes, Dror, Shaw,
** "Parallel random numbers: as easy as 1, 2, 3", SC 2011) and the map from
** (seed, offset, element index, dtype, distribution) to a value. Valid C99
** and CUDA C (nvcc and NVRTC, where it includes nothing), like lu_prelude.h.
** The CPU backend (src/backend/cpu/cpu_random.c) and the CUDA kernel
** (kernels/random.cu) both call it, so the devices agree bit for bit on
** uniforms and float32 normals, and to a few ulp on float64 normals (log,
** sin and cos are CUDA's on the GPU, lunar's own below on the CPU).
**
** The stream. key = {lo32(seed), hi32(seed)}; block b of a stream has the
** counter {lo32(b), hi32(b), tag, 0} with tag = dist*2 + (dtype is float64)
** (dist as lu_randdist: 0 uniform, 1 normal), so the four streams never
** share a counter. A block gives LU_PHILOX_PER_BLOCK(f64) values:
**   float32 uniform: 4, u = (x >> 8) * 2^-24 from the top 24 bits of each word;
**   float64 uniform: 2, u = (y >> 11) * 2^-53, y = x[2k] | x[2k+1] << 32;
**   float32 normal: 4, one a word, by the ziggurat below (lu_zig_f32);
**   float64 normal: 2, Box-Muller on the pair (u0, u1) of those uniforms,
**   u0 taken in (0, 1] instead ((top bits + 1) * 2^-53, so log never sees
**   0): r = sqrt(-2 log u0), values r cos(2 pi u1) then r sin(2 pi u1).
** Element e = offset + i of a call is lane e % per_block of block
** e / per_block. A value depends on (seed, e) alone, so any split of the
** work over threads, blocks or devices gives the same array.
**
** Tails: float32 normals have the exact tail beyond r = 3.654 (the
** ziggurat's); for float64 the smallest u0 bounds |z| at 8.57 (u0 >= 2^-53).
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
** On the GPU: the CUDA maths library (logf/log, sqrt, sincospi: sin and cos
** of pi*x with no rounding of pi*x). On the CPU: log, sin and cos of our
** own in double (below), with an exact reduction of sincospi to |t| <= 1/4;
** both sides evaluate the same function of the same arguments and agree
** to a few ulp. float32 rounds the double results to float first, then
** multiplies in float as the GPU does.
** The CPU's functions are plain arithmetic with no branch and no table, so
** the vector pass of src/backend/cpu/cpu_random.c (four or eight lanes at
** once), the partial blocks at a call's ends and the fused kernels (the
** same text, compiled at run time) give the same bits: a value never
** depends on how it was computed. libm's log and sin, called once per
** value, took about three quarters of randn's time on the CPU. */
/* Products and sums that no compiler contracts into an FMA: the CUDA
** compilers would, and the CPU's files are built with -ffp-contract=off */
#ifdef LU_PHILOX_GPU
#define LU_PHILOX_DMUL(a, b) __dmul_rn((a), (b))
#define LU_PHILOX_DADD(a, b) __dadd_rn((a), (b))
#else
#define LU_PHILOX_DMUL(a, b) ((a) * (b))
#define LU_PHILOX_DADD(a, b) ((a) + (b))
#endif

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
  z = LU_PHILOX_DMUL(s, s);
  p = 2.0 / 19.0;
  p = LU_PHILOX_DADD(LU_PHILOX_DMUL(p, z), 2.0 / 17.0);
  p = LU_PHILOX_DADD(LU_PHILOX_DMUL(p, z), 2.0 / 15.0);
  p = LU_PHILOX_DADD(LU_PHILOX_DMUL(p, z), 2.0 / 13.0);
  p = LU_PHILOX_DADD(LU_PHILOX_DMUL(p, z), 2.0 / 11.0);
  p = LU_PHILOX_DADD(LU_PHILOX_DMUL(p, z), 2.0 / 9.0);
  p = LU_PHILOX_DADD(LU_PHILOX_DMUL(p, z), 2.0 / 7.0);
  p = LU_PHILOX_DADD(LU_PHILOX_DMUL(p, z), 2.0 / 5.0);
  p = LU_PHILOX_DADD(LU_PHILOX_DMUL(p, z), 2.0 / 3.0);
  return LU_PHILOX_DADD(LU_PHILOX_DMUL(e, 6.93147180369123816490e-01),
                        LU_PHILOX_DADD(LU_PHILOX_DMUL(e, 1.90821492927058770002e-10),
                                       LU_PHILOX_DADD(LU_PHILOX_DMUL(2.0, s),
                                                      LU_PHILOX_DMUL(LU_PHILOX_DMUL(s, z), p))));
}

#ifndef LU_PHILOX_GPU

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

/* (r cos(2 pi u1), r sin(2 pi u1)) with r = sqrt(-2 log u0), u0 in (0, 1] */
LU_PHILOX_FN void lu_philox_boxmuller_f32(float u0, float u1, float *z0, float *z1) {
  float r, s, c;
#ifdef LU_PHILOX_GPU
  r = sqrtf(-2.0f * logf(u0));
  sincospif(2.0f * u1, &s, &c);
#else
  double sd, cd;
  r = (float)sqrt(-2.0 * lu_philox_log((double)u0));
  lu_philox_sincospi(2.0 * (double)u1, &sd, &cd);
  s = (float)sd; c = (float)cd;
#endif
#ifdef LU_PHILOX_GPU
  /* rounded products: inlined into a fused kernel, r * c must not become
  ** an FMA with the op that reads the draw (`(z - 0.25) * 3`), which would
  ** give other bits than the stored draw that the unfused op reads */
  *z0 = __fmul_rn(r, c);
  *z1 = __fmul_rn(r, s);
#else
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

/* {===== float32 normals: the ziggurat (Marsaglia and Tsang 2000), 256 layers
** Each word w of a normal block is one value: the layer i = w & 255, the sign
** (w >> 8) & 1 and a 23-bit j = w >> 9 give x = j * W[i]; when j < K[i], x
** lies under the next layer's edge and is the value (98.5% of words: a table
** read, a product and a compare). Otherwise lu_zig_slow_f32 finishes it from
** the element's own blocks, counter {lo32(e), hi32(e), LU_ZIG_TAG, k} for
** k = 0, 1, ... (e the element's index in the stream; the tag keeps them
** apart from every other stream's), in double precision with lunar's own
** log and no contracted product, so the CPU and every GPU give the same
** bits: layer 0 with x >= r samples the tail beyond r (Marsaglia 1964:
** a = -log(u1) / r, b = -log(u2) until 2b > a^2, value r + a); a wedge keeps
** x when y = F[i] + u (F[i+1] - F[i]) is under the curve (log y < -x^2/2),
** else the next block's word w' starts over. NumPy's Generator draws its
** normals by a ziggurat too. On the GPU one word a value (and no log, sqrt,
** sin or cos) is about half of Box-Muller's instructions. */
#define LU_ZIG_TAG 4u
#define LU_ZIG_TRIES 64    /* tries before the last candidate stands (p < 1e-100) */
#ifdef LU_PHILOX_GPU
#define LU_ZIG_TABLE static __device__ const
#define LU_ZIG_SLOW static __device__ __noinline__
#elif defined(__GNUC__)
#define LU_ZIG_TABLE static const __attribute__((unused))
#define LU_ZIG_SLOW static __attribute__((noinline, unused))
#else
#define LU_ZIG_TABLE static const
#define LU_ZIG_SLOW static
#endif
/* {===== ziggurat tables */
/* ziggurat tables: generated by tools/gen_ziggurat.py, do not edit */
#define LU_ZIG_R 3.6541528853610088   /* r = x_1, the tail's start */
#define LU_ZIG_INV_R 0.27366123732975828
/* v = 0.0049286732339746554, the area of each layer */
LU_ZIG_TABLE uint32_t LU_ZIG_K[256] = {
  7838188u, 7918290u, 8074799u, 8146898u, 8189112u, 8217090u, 8237110u, 8252204u,
  8264025u, 8273555u, 8281414u, 8288016u, 8293645u, 8298506u, 8302749u, 8306487u,
  8309807u, 8312775u, 8315447u, 8317864u, 8320062u, 8322069u, 8323910u, 8325604u,
  8327168u, 8328616u, 8329961u, 8331213u, 8332382u, 8333475u, 8334499u, 8335460u,
  8336365u, 8337216u, 8338019u, 8338778u, 8339495u, 8340175u, 8340818u, 8341429u,
  8342010u, 8342561u, 8343086u, 8343586u, 8344062u, 8344516u, 8344949u, 8345362u,
  8345757u, 8346134u, 8346495u, 8346839u, 8347169u, 8347484u, 8347786u, 8348075u,
  8348351u, 8348616u, 8348869u, 8349112u, 8349344u, 8349566u, 8349779u, 8349983u,
  8350178u, 8350364u, 8350542u, 8350712u, 8350875u, 8351030u, 8351179u, 8351320u,
  8351455u, 8351583u, 8351705u, 8351821u, 8351930u, 8352035u, 8352133u, 8352226u,
  8352314u, 8352396u, 8352474u, 8352546u, 8352614u, 8352676u, 8352734u, 8352788u,
  8352837u, 8352882u, 8352922u, 8352958u, 8352989u, 8353017u, 8353040u, 8353060u,
  8353075u, 8353087u, 8353094u, 8353098u, 8353098u, 8353094u, 8353086u, 8353075u,
  8353060u, 8353041u, 8353018u, 8352992u, 8352962u, 8352929u, 8352891u, 8352851u,
  8352806u, 8352758u, 8352706u, 8352651u, 8352592u, 8352529u, 8352463u, 8352393u,
  8352319u, 8352241u, 8352160u, 8352075u, 8351986u, 8351894u, 8351797u, 8351696u,
  8351592u, 8351484u, 8351371u, 8351254u, 8351134u, 8351009u, 8350880u, 8350746u,
  8350608u, 8350466u, 8350319u, 8350168u, 8350012u, 8349851u, 8349686u, 8349515u,
  8349340u, 8349159u, 8348973u, 8348782u, 8348586u, 8348383u, 8348176u, 8347962u,
  8347743u, 8347517u, 8347285u, 8347047u, 8346802u, 8346551u, 8346293u, 8346028u,
  8345755u, 8345475u, 8345188u, 8344892u, 8344589u, 8344277u, 8343956u, 8343627u,
  8343289u, 8342941u, 8342583u, 8342216u, 8341838u, 8341449u, 8341050u, 8340638u,
  8340215u, 8339780u, 8339332u, 8338871u, 8338396u, 8337906u, 8337402u, 8336883u,
  8336347u, 8335795u, 8335225u, 8334638u, 8334031u, 8333405u, 8332758u, 8332090u,
  8331399u, 8330684u, 8329945u, 8329180u, 8328388u, 8327567u, 8326716u, 8325833u,
  8324918u, 8323967u, 8322979u, 8321952u, 8320883u, 8319771u, 8318612u, 8317404u,
  8316143u, 8314826u, 8313450u, 8312011u, 8310504u, 8308924u, 8307266u, 8305525u,
  8303694u, 8301765u, 8299732u, 8297586u, 8295317u, 8292914u, 8290365u, 8287658u,
  8284776u, 8281703u, 8278418u, 8274901u, 8271124u, 8267059u, 8262672u, 8257923u,
  8252764u, 8247143u, 8240993u, 8234236u, 8226779u, 8218507u, 8209278u, 8198919u,
  8187208u, 8173862u, 8158514u, 8140680u, 8119703u, 8094675u, 8064303u, 8026676u,
  7978859u, 7916088u, 7830108u, 7705263u, 7507891u, 7150247u, 6309364u, 0u,
};
LU_ZIG_TABLE float LU_ZIG_W[256] = {
  4.661986850e-07f, 4.356089676e-07f, 4.111860221e-07f, 3.958040224e-07f,
  3.843992999e-07f, 3.752576561e-07f, 3.675849598e-07f, 3.609463874e-07f,
  3.550771908e-07f, 3.498037984e-07f, 3.450061286e-07f, 3.405974667e-07f,
  3.365132102e-07f, 3.327037348e-07f, 3.291301596e-07f, 3.257614765e-07f,
  3.225724186e-07f, 3.195422380e-07f, 3.166536260e-07f, 3.138919453e-07f,
  3.112447757e-07f, 3.087015159e-07f, 3.062529004e-07f, 3.038908858e-07f,
  3.016084804e-07f, 2.993994315e-07f, 2.972582536e-07f, 2.951800866e-07f,
  2.931604968e-07f, 2.911955619e-07f, 2.892817292e-07f, 2.874157872e-07f,
  2.855948367e-07f, 2.838162061e-07f, 2.820774512e-07f, 2.803763550e-07f,
  2.787108713e-07f, 2.770790957e-07f, 2.754793513e-07f, 2.739099614e-07f,
  2.723694763e-07f, 2.708565034e-07f, 2.693697354e-07f, 2.679079785e-07f,
  2.664701242e-07f, 2.650550925e-07f, 2.636619456e-07f, 2.622897171e-07f,
  2.609375542e-07f, 2.596046329e-07f, 2.582901857e-07f, 2.569935020e-07f,
  2.557138998e-07f, 2.544506970e-07f, 2.532032966e-07f, 2.519711302e-07f,
  2.507536578e-07f, 2.495503111e-07f, 2.483606067e-07f, 2.471840617e-07f,
  2.460202495e-07f, 2.448687439e-07f, 2.437291187e-07f, 2.426009473e-07f,
  2.414839173e-07f, 2.403776307e-07f, 2.392817464e-07f, 2.381959519e-07f,
  2.371199201e-07f, 2.360533387e-07f, 2.349959232e-07f, 2.339474037e-07f,
  2.329074960e-07f, 2.318759584e-07f, 2.308525353e-07f, 2.298369850e-07f,
  2.288290659e-07f, 2.278285649e-07f, 2.268352688e-07f, 2.258489786e-07f,
  2.248694670e-07f, 2.238965635e-07f, 2.229300691e-07f, 2.219697990e-07f,
  2.210155827e-07f, 2.200672498e-07f, 2.191246296e-07f, 2.181875658e-07f,
  2.172559022e-07f, 2.163294823e-07f, 2.154081642e-07f, 2.144917914e-07f,
  2.135802504e-07f, 2.126733847e-07f, 2.117710665e-07f, 2.108731820e-07f,
  2.099795751e-07f, 2.090901461e-07f, 2.082047814e-07f, 2.073233389e-07f,
  2.064457334e-07f, 2.055718369e-07f, 2.047015357e-07f, 2.038347304e-07f,
  2.029713215e-07f, 2.021112095e-07f, 2.012542666e-07f, 2.004004358e-07f,
  1.995495893e-07f, 1.987016560e-07f, 1.978565223e-07f, 1.970141170e-07f,
  1.961743266e-07f, 1.953370798e-07f, 1.945022916e-07f, 1.936698624e-07f,
  1.928397211e-07f, 1.920117825e-07f, 1.911859755e-07f, 1.903621865e-07f,
  1.895403727e-07f, 1.887204348e-07f, 1.879023017e-07f, 1.870858881e-07f,
  1.862711230e-07f, 1.854579494e-07f, 1.846462538e-07f, 1.838360077e-07f,
  1.830270975e-07f, 1.822194662e-07f, 1.814130570e-07f, 1.806077705e-07f,
  1.798035640e-07f, 1.790003381e-07f, 1.781980359e-07f, 1.773966005e-07f,
  1.765959325e-07f, 1.757959751e-07f, 1.749966714e-07f, 1.741979361e-07f,
  1.733996982e-07f, 1.726019008e-07f, 1.718044587e-07f, 1.710073150e-07f,
  1.702103845e-07f, 1.694136103e-07f, 1.686169213e-07f, 1.678202466e-07f,
  1.670235150e-07f, 1.662266413e-07f, 1.654295687e-07f, 1.646322261e-07f,
  1.638345282e-07f, 1.630364181e-07f, 1.622378107e-07f, 1.614386207e-07f,
  1.606387912e-07f, 1.598382369e-07f, 1.590368868e-07f, 1.582346698e-07f,
  1.574314865e-07f, 1.566272516e-07f, 1.558219225e-07f, 1.550153712e-07f,
  1.542075552e-07f, 1.533983607e-07f, 1.525877025e-07f, 1.517755095e-07f,
  1.509616681e-07f, 1.501461071e-07f, 1.493287414e-07f, 1.485094430e-07f,
  1.476881408e-07f, 1.468647213e-07f, 1.460390848e-07f, 1.452111462e-07f,
  1.443807776e-07f, 1.435478794e-07f, 1.427123237e-07f, 1.418740112e-07f,
  1.410328281e-07f, 1.401886465e-07f, 1.393413385e-07f, 1.384907762e-07f,
  1.376368317e-07f, 1.367793629e-07f, 1.359182420e-07f, 1.350533125e-07f,
  1.341844182e-07f, 1.333114170e-07f, 1.324341383e-07f, 1.315524258e-07f,
  1.306660948e-07f, 1.297749748e-07f, 1.288788809e-07f, 1.279776143e-07f,
  1.270709902e-07f, 1.261587670e-07f, 1.252407600e-07f, 1.243167276e-07f,
  1.233864424e-07f, 1.224496344e-07f, 1.215060621e-07f, 1.205554554e-07f,
  1.195975159e-07f, 1.186319594e-07f, 1.176584661e-07f, 1.166767092e-07f,
  1.156863334e-07f, 1.146869835e-07f, 1.136782686e-07f, 1.126597766e-07f,
  1.116310742e-07f, 1.105917136e-07f, 1.095411974e-07f, 1.084790142e-07f,
  1.074046168e-07f, 1.063174082e-07f, 1.052167704e-07f, 1.041020212e-07f,
  1.029724501e-07f, 1.018272826e-07f, 1.006656802e-07f, 9.948674773e-08f,
  9.828951164e-08f, 9.707292037e-08f, 9.583581573e-08f, 9.457696137e-08f,
  9.329497885e-08f, 9.198837603e-08f, 9.065549733e-08f, 8.929450956e-08f,
  8.790340900e-08f, 8.647992189e-08f, 8.502153293e-08f, 8.352539993e-08f,
  8.198831836e-08f, 8.040664312e-08f, 7.877618913e-08f, 7.709213889e-08f,
  7.534887914e-08f, 7.353985154e-08f, 7.165725435e-08f, 6.969175104e-08f,
  6.763198712e-08f, 6.546398623e-08f, 6.317016243e-08f, 6.072799152e-08f,
  5.810784742e-08f, 5.526952052e-08f, 5.215625620e-08f, 4.868377701e-08f,
  4.471794668e-08f, 4.002303200e-08f, 3.411467020e-08f, 2.565883328e-08f,
};
LU_ZIG_TABLE double LU_ZIG_F[257] = {
  4.77467764609387552e-04, 1.26028593049859754e-03, 2.60907274610216317e-03,
  4.03797259336303050e-03, 5.52240329925099763e-03, 7.05087547137322676e-03,
  8.61658276939873159e-03, 1.02149714397014712e-02, 1.18427578579078895e-02,
  1.34974506017398795e-02, 1.51770883079353266e-02, 1.68800831525431697e-02,
  1.86051212757246467e-02, 2.03510962300445207e-02, 2.21170627073088676e-02,
  2.39022033057958820e-02, 2.57058040085488965e-02, 2.75272356696030854e-02,
  2.93659397581333172e-02, 3.12214171919202484e-02, 3.30932194585785225e-02,
  3.49809414617160835e-02, 3.68842156885672914e-02, 3.88027074045261197e-02,
  4.07361106559409325e-02, 4.26841449164744383e-02, 4.46465522512944496e-02,
  4.66230949019303675e-02, 4.86135532158685282e-02, 5.06177238609477678e-02,
  5.26354182767921827e-02, 5.46664613248889208e-02, 5.67106901062029017e-02,
  5.87679529209337650e-02, 6.08381083495398642e-02, 6.29210244377581274e-02,
  6.50165779712428560e-02, 6.71246538277884969e-02, 6.92451443970067693e-02,
  7.13779490588903748e-02, 7.35229737139812684e-02, 7.56801303589270807e-02,
  7.78493367020960531e-02, 8.00305158146630558e-02, 8.22235958132028627e-02,
  8.44285095703533744e-02, 8.66451944505579608e-02, 8.88735920682758029e-02,
  9.11136480663736342e-02, 9.33653119126908737e-02, 9.56285367130088326e-02,
  9.79032790388622981e-02, 1.00189498768809823e-01, 1.02487158941935094e-01,
  1.04796225622486902e-01, 1.07116667774683649e-01, 1.09448457146811645e-01,
  1.11791568163838007e-01, 1.14145977827838363e-01, 1.16511665625610814e-01,
  1.18888613442909991e-01, 1.21276805484790223e-01, 1.23676228201596558e-01,
  1.26086870220185859e-01, 1.28508722279999543e-01, 1.30941777173644330e-01,
  1.33386029691669128e-01, 1.35841476571253728e-01, 1.38308116448550733e-01,
  1.40785949814444700e-01, 1.43274978973513434e-01, 1.45775208005994056e-01,
  1.48286642732574553e-01, 1.50809290681845704e-01, 1.53343161060262856e-01,
  1.55888264724479225e-01, 1.58444614155924313e-01, 1.61012223437511093e-01,
  1.63591108232365723e-01, 1.66181285764482073e-01, 1.68782774801211510e-01,
  1.71395595637505949e-01, 1.74019770081838776e-01, 1.76655321443734997e-01,
  1.79302274522847666e-01, 1.81960655599522569e-01, 1.84630492426799270e-01,
  1.87311814223800277e-01, 1.90004651670464986e-01, 1.92709036903589148e-01,
  1.95425003514134277e-01, 1.98152586545775139e-01, 2.00891822494656591e-01,
  2.03642749310334881e-01, 2.06405406397880742e-01, 2.09179834621125021e-01,
  2.11966076307030182e-01, 2.14764175251173611e-01, 2.17574176724331159e-01,
  2.20396127480151971e-01, 2.23230075763917457e-01, 2.26076071322380223e-01,
  2.28934165414680257e-01, 2.31804410824338614e-01, 2.34686861872329927e-01,
  2.37581574431237980e-01, 2.40488605940500422e-01, 2.43408015422750146e-01,
  2.46339863501263662e-01, 2.49284212418528273e-01, 2.52241126055941955e-01,
  2.55210669954661684e-01, 2.58192911337618958e-01, 2.61187919132720880e-01,
  2.64195763997260802e-01, 2.67216518343561138e-01, 2.70250256365875241e-01,
  2.73297054068576906e-01, 2.76356989295668098e-01, 2.79430141761637774e-01,
  2.82516593083707468e-01, 2.85616426815501590e-01, 2.88729728482182757e-01,
  2.91856585617095043e-01, 2.94997087799961699e-01, 2.98151326696685370e-01,
  3.01319396100802939e-01, 3.04501391976649827e-01, 3.07697412504291945e-01,
  3.10907558126286343e-01, 3.14131931596337122e-01, 3.17370638029913499e-01,
  3.20623784956905356e-01, 3.23891482376391093e-01, 3.27173842813601345e-01,
  3.30470981379163420e-01, 3.33783015830718288e-01, 3.37110066637005934e-01,
  3.40452257044521700e-01, 3.43809713146850604e-01, 3.47182563956793533e-01,
  3.50570941481405940e-01, 3.53974980800076611e-01, 3.57394820145780279e-01,
  3.60830600989647809e-01, 3.64282468129003778e-01, 3.67750569779032310e-01,
  3.71235057668239277e-01, 3.74736087137890916e-01, 3.78253817245618962e-01,
  3.81788410873393436e-01, 3.85340034840077117e-01, 3.88908860018788605e-01,
  3.92495061459315397e-01, 3.96098818515832229e-01, 3.99720314980197056e-01,
  4.03359739221114344e-01, 4.07017284329473206e-01, 4.10693148270188046e-01,
  4.14387534040890959e-01, 4.18100649837848004e-01, 4.21832709229495784e-01,
  4.25583931338021859e-01, 4.29354541029441317e-01, 4.33144769112652150e-01,
  4.36954852547985384e-01, 4.40785034665803821e-01, 4.44635565395739174e-01,
  4.48506701507202787e-01, 4.52398706861848299e-01, 4.56311852678716157e-01,
  4.60246417812842534e-01, 4.64202689048174022e-01, 4.68180961405693263e-01,
  4.72181538467729811e-01, 4.76204732719505530e-01, 4.80250865909046476e-01,
  4.84320269426682937e-01, 4.88413284705457640e-01, 4.92530263643868205e-01,
  4.96671569052489381e-01, 5.00837575126148460e-01, 5.05028667943467902e-01,
  5.09245245995747609e-01, 5.13487720747326626e-01, 5.17756517229755908e-01,
  5.22052074672321509e-01, 5.26374847171684035e-01, 5.30725304403661613e-01,
  5.35103932380457170e-01, 5.39511234256951688e-01, 5.43947731190025818e-01,
  5.48413963255265480e-01, 5.52910490425831957e-01, 5.57437893618765612e-01,
  5.61996775814524008e-01, 5.66587763256164001e-01, 5.71211506735252783e-01,
  5.75868682972353274e-01, 5.80559996100790454e-01, 5.85286179263370898e-01,
  5.90047996332825564e-01, 5.94846243767987004e-01, 5.99681752619124930e-01,
  6.04555390697467443e-01, 6.09468064925773101e-01, 6.14420723888913556e-01,
  6.19414360605834102e-01, 6.24450015547026172e-01, 6.29528779924836357e-01,
  6.34651799287623275e-01, 6.39820277453056252e-01, 6.45035480820822071e-01,
  6.50298743110816480e-01, 6.55611470579697042e-01, 6.60975147776662886e-01,
  6.66391343908749878e-01, 6.71861719897081766e-01, 6.77388036218773082e-01,
  6.82972161644994413e-01, 6.88616083004671364e-01, 6.94321916126116379e-01,
  7.00091918136511282e-01, 7.05928501332753866e-01, 7.11834248878248088e-01,
  7.17811932630721627e-01, 7.23864533468629778e-01, 7.29995264561475787e-01,
  7.36207598126862317e-01, 7.42505296340150722e-01, 7.48892447219156487e-01,
  7.55373506507095782e-01, 7.61953346836794942e-01, 7.68637315798485821e-01,
  7.75431304981186731e-01, 7.82341832654802061e-01, 7.89376143566024147e-01,
  7.96542330422958633e-01, 8.03849483170963941e-01, 8.11307874312655941e-01,
  8.18929191603702034e-01, 8.26726833946221040e-01, 8.34716292986883213e-01,
  8.42915653112203955e-01, 8.51346258458677729e-01, 8.60033621196331199e-01,
  8.69008688036856713e-01, 8.78309655808917067e-01, 8.87984660755833044e-01,
  8.98095921898343086e-01, 9.08726440052130546e-01, 9.19991505039346680e-01,
  9.32060075959230128e-01, 9.45198953442299317e-01, 9.59879091800106332e-01,
  9.77101701267671263e-01, 1.00000000000000000e+00,
};
/* }===== ziggurat tables */

/* word w's value when it passes the fast test (*ok = 1); the test is all
** that a caller branches on */
LU_PHILOX_FN float lu_zig_fast_f32(uint32_t w, uint32_t k, float wi, int *ok) {
  uint32_t j = w >> 9;
#ifdef LU_PHILOX_GPU
  float x = __fmul_rn((float)(int32_t)j, wi);
#else
  float x = (float)(int32_t)j * wi;
#endif
  *ok = j < k;
  return (w & 0x100u) ? -x : x;
}

/* The element's (0, 1] and [0, 1) uniforms in double, exact */
#define LU_ZIG_UC(w) (((double)(w) + 1.0) * 2.3283064365386962890625e-10)
#define LU_ZIG_U(w) ((double)(w) * 2.3283064365386962890625e-10)

/* element e's value, its first word w having failed the fast test: inlined
** where a kernel does nothing else (the GPU's second kernel for float32
** normals, 44 registers where the call took 64), out of line below */
LU_PHILOX_FN float lu_zig_slow_f32_inline(uint64_t seed, uint64_t e, uint32_t w) {
  const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  uint32_t t = 0;
  float xf = 0.0f;
  int ok;
  while (t < LU_ZIG_TRIES) {
    uint32_t i = w & 255u, c0 = (uint32_t)e, c1 = (uint32_t)(e >> 32), c2 = LU_ZIG_TAG, c3 = t++;
    double xd, y;
    xf = lu_zig_fast_f32(w, LU_ZIG_K[i], LU_ZIG_W[i], &ok);
    if (ok) return xf;
    LU_PHILOX4X32_10(c0, c1, c2, c3, k0, k1);
    if (i == 0) {                  /* the tail beyond r */
      while (t < LU_ZIG_TRIES) {
        double a = LU_PHILOX_DMUL(-lu_philox_log(LU_ZIG_UC(c1)), LU_ZIG_INV_R);
        double b = -lu_philox_log(LU_ZIG_UC(c2));
        if (LU_PHILOX_DADD(b, b) > LU_PHILOX_DMUL(a, a)) {
          float z = (float)LU_PHILOX_DADD(LU_ZIG_R, a);
          return (w & 0x100u) ? -z : z;
        }
        c0 = (uint32_t)e; c1 = (uint32_t)(e >> 32); c2 = LU_ZIG_TAG; c3 = t++;
        LU_PHILOX4X32_10(c0, c1, c2, c3, k0, k1);
      }
      return xf;
    }
    xd = (double)xf;
    y = LU_PHILOX_DADD(LU_ZIG_F[i], LU_PHILOX_DMUL(LU_ZIG_U(c1), LU_ZIG_F[i + 1] - LU_ZIG_F[i]));
    if (lu_philox_log(y) < LU_PHILOX_DMUL(-0.5, LU_PHILOX_DMUL(xd, xd))) return xf;
    w = c0;                        /* rejected: start over from a new word */
  }
  return xf;
}

/* the same out of line, for the kernels and loops that run the fast test
** too: inlined there, its registers would be the whole loop's */
LU_ZIG_SLOW float lu_zig_slow_f32(uint64_t seed, uint64_t e, uint32_t w) {
  return lu_zig_slow_f32_inline(seed, e, w);
}

/* element e's float32 normal from its word w */
LU_PHILOX_FN float lu_zig_f32(uint64_t seed, uint64_t e, uint32_t w) {
  int ok;
  float x = lu_zig_fast_f32(w, LU_ZIG_K[w & 255u], LU_ZIG_W[w & 255u], &ok);
  return ok ? x : lu_zig_slow_f32(seed, e, w);
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
    v[0] = lu_zig_f32(seed, 4 * block, x[0]);
    v[1] = lu_zig_f32(seed, 4 * block + 1, x[1]);
    v[2] = lu_zig_f32(seed, 4 * block + 2, x[2]);
    v[3] = lu_zig_f32(seed, 4 * block + 3, x[3]);
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
