/* SPDX-License-Identifier: MIT */
/*
** Helpers that the reduction table's expressions (lu_reduce.def) call, and
** the accumulator types they build. Valid C99 (with GNU __typeof__) and CUDA
** C, as lu_prelude.h, which it includes: the CPU backend instantiates the
** rows with it, and so do the CUDA reducers in kernels/.
**
** Per storage type T (suffixes i8 ... u64, f32, f64):
**   lu_top(x), lu_bot(x)    the largest and smallest T (+-inf for floats)
**   lu_isnan(x), lu_fmin(a, b), lu_fmax(a, b) come from lu_prelude.h
**   lu_nantop(x), lu_nanbot NaN for floats (the identity of fmin/fmax),
**                           else lu_top/lu_bot
**   lu_vi_T  {v, i}         a value and its position (argmin, argmax):
**                           lu_vi_mk(v, i), lu_vi_min(a, b), lu_vi_max(a, b)
**                           (a NaN wins, then the extreme; ties go to the
**                           smaller position, which keeps them commutative)
**   lu_vin_T {v, i, ok}     the same for nanargmin/nanargmax, whose values
**                           hold no NaN; ok: some element was not NaN
**   lu_mm_T  {lo, hi}       a range (ptp): lu_mm_mk(lo, hi)
** Per float type F (f32, f64):
**   lu_mom_F {n, mean, m2}  count, mean and sum of squared deviations:
**                           lu_mom_mk(mean, m2, n) (one element x is
**                           (x, x - x, 1): m2 is NaN for a NaN or inf, as
**                           NumPy's x - mean); lu_chan(a, b) merges two
**                           (Chan et al.'s pairwise update, which with one
**                           element is Welford's); lu_var(a, ddof) is NumPy's
**                           var (NaN when an element is NaN or infinite),
**                           lu_nanvar(a, ddof) nanvar (NaN, not inf, when
**                           n - ddof <= 0)
**   lu_sc_F  {s, n}         a sum and a count (nanmean): lu_sc_mk, lu_sc_add
** LU_VI(T), LU_VIN(T), LU_MM(T), LU_MOM(F), LU_SC(F) name those types.
**
** In C a helper is one function per type selected with _Generic; in CUDA C
** a set of overloads (host and device: the CUB path hands the identity over
** from the host).
*/
#ifndef lu_reducers_h
#define lu_reducers_h

#include "lu_prelude.h"

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define LU_RFN static __host__ __device__ __forceinline__
#define LU_TYPEOF(e) decltype(e)
#else
#define LU_RFN static inline
#define LU_TYPEOF(e) __typeof__(e)
#endif

/* the position of an accumulator that holds no element yet */
#define LU_NOPOS ((int64_t)0x7fffffffffffffffLL)

LU_RFN float lu_inf_f32(void) { union { uint32_t u; float f; } v; v.u = 0x7f800000u; return v.f; }
LU_RFN double lu_inf_f64(void) {
  union { uint64_t u; double f; } v; v.u = 0x7ff0000000000000ull; return v.f;
}
LU_RFN float lu_nan_f32(void) { union { uint32_t u; float f; } v; v.u = 0x7fc00000u; return v.f; }
LU_RFN double lu_nan_f64(void) {
  union { uint64_t u; double f; } v; v.u = 0x7ff8000000000000ull; return v.f;
}

/* {===== per storage type */
#define LU_DEF_RED(T, SFX, ISF, TOP, BOT, QNAN) \
  typedef struct { T v; int64_t i; } lu_vi_##SFX; \
  typedef struct { T v; int64_t i; int64_t ok; } lu_vin_##SFX; \
  typedef struct { T lo, hi; } lu_mm_##SFX; \
  LU_RFN T LU_NAME(lu_top, SFX)(T x) { (void)x; return TOP; } \
  LU_RFN T LU_NAME(lu_bot, SFX)(T x) { (void)x; return BOT; } \
  LU_RFN T LU_NAME(lu_nantop, SFX)(T x) { (void)x; return ISF ? QNAN : TOP; } \
  LU_RFN T LU_NAME(lu_nanbot, SFX)(T x) { (void)x; return ISF ? QNAN : BOT; } \
  LU_RFN lu_vi_##SFX LU_NAME(lu_vi_mk, SFX)(T v, int64_t i) { \
    lu_vi_##SFX r; r.v = v; r.i = i; return r; \
  } \
  /* 1 when a comes first: a NaN first, then the extreme, then the position */ \
  LU_RFN int LU_NAME(lu_vi_first, SFX)(lu_vi_##SFX a, lu_vi_##SFX b, int ismax) { \
    int an = LU_NAME(lu_isnan, SFX)(a.v), bn = LU_NAME(lu_isnan, SFX)(b.v); \
    if (an || bn) return an && bn ? a.i < b.i : an; \
    if (a.v == b.v) return a.i < b.i; \
    return ismax ? a.v > b.v : a.v < b.v; \
  } \
  LU_RFN lu_vi_##SFX LU_NAME(lu_vi_min, SFX)(lu_vi_##SFX a, lu_vi_##SFX b) { \
    return LU_NAME(lu_vi_first, SFX)(a, b, 0) ? a : b; \
  } \
  LU_RFN lu_vi_##SFX LU_NAME(lu_vi_max, SFX)(lu_vi_##SFX a, lu_vi_##SFX b) { \
    return LU_NAME(lu_vi_first, SFX)(a, b, 1) ? a : b; \
  } \
  LU_RFN lu_vin_##SFX LU_NAME(lu_vin_mk, SFX)(T v, int64_t i, int64_t ok) { \
    lu_vin_##SFX r; r.v = v; r.i = i; r.ok = ok; return r; \
  } \
  LU_RFN lu_vin_##SFX LU_NAME(lu_vin_min, SFX)(lu_vin_##SFX a, lu_vin_##SFX b) { \
    lu_vin_##SFX r = (b.v < a.v || (b.v == a.v && b.i < a.i)) ? b : a; \
    r.ok = a.ok | b.ok; return r; \
  } \
  LU_RFN lu_vin_##SFX LU_NAME(lu_vin_max, SFX)(lu_vin_##SFX a, lu_vin_##SFX b) { \
    lu_vin_##SFX r = (b.v > a.v || (b.v == a.v && b.i < a.i)) ? b : a; \
    r.ok = a.ok | b.ok; return r; \
  } \
  LU_RFN lu_mm_##SFX LU_NAME(lu_mm_mk, SFX)(T lo, T hi) { \
    lu_mm_##SFX r; r.lo = lo; r.hi = hi; return r; \
  }

LU_DEF_RED(int8_t, i8, 0, (int8_t)127, (int8_t)(-127 - 1), 0)
LU_DEF_RED(int16_t, i16, 0, (int16_t)32767, (int16_t)(-32767 - 1), 0)
LU_DEF_RED(int32_t, i32, 0, (int32_t)2147483647, (int32_t)(-2147483647 - 1), 0)
LU_DEF_RED(int64_t, i64, 0, (int64_t)0x7fffffffffffffffLL, (int64_t)(-0x7fffffffffffffffLL - 1), 0)
LU_DEF_RED(uint8_t, u8, 0, (uint8_t)0xff, (uint8_t)0, 0)
LU_DEF_RED(uint16_t, u16, 0, (uint16_t)0xffff, (uint16_t)0, 0)
LU_DEF_RED(uint32_t, u32, 0, (uint32_t)0xffffffffu, (uint32_t)0, 0)
LU_DEF_RED(uint64_t, u64, 0, (uint64_t)0xffffffffffffffffull, (uint64_t)0, 0)
LU_DEF_RED(float, f32, 1, lu_inf_f32(), -lu_inf_f32(), lu_nan_f32())
LU_DEF_RED(double, f64, 1, lu_inf_f64(), -lu_inf_f64(), lu_nan_f64())
/* }===== */

/* {===== per float type */
#define LU_DEF_MOM(F, SFX, QNAN) \
  typedef struct { int64_t n; F mean, m2; } lu_mom_##SFX; \
  typedef struct { F s; int64_t n; } lu_sc_##SFX; \
  LU_RFN lu_mom_##SFX LU_NAME(lu_mom_mk, SFX)(F mean, F m2, int64_t n) { \
    lu_mom_##SFX r; r.n = n; r.mean = mean; r.m2 = m2; return r; \
  } \
  LU_RFN lu_mom_##SFX LU_NAME(lu_chan, SFX)(lu_mom_##SFX a, lu_mom_##SFX b) { \
    lu_mom_##SFX r; \
    F d, fb; \
    if (a.n == 0) return b; \
    if (b.n == 0) return a; \
    r.n = a.n + b.n; \
    d = b.mean - a.mean; \
    fb = (F)b.n / (F)r.n; \
    r.mean = a.mean + d * fb; \
    r.m2 = a.m2 + b.m2 + d * d * (F)a.n * fb; \
    return r; \
  } \
  /* an infinite element makes NumPy's x - mean NaN: mean - mean adds it */ \
  LU_RFN F LU_NAME(lu_var, SFX)(lu_mom_##SFX a, double ddof) { \
    F d = (F)((double)a.n - ddof); \
    return a.m2 / (d > 0 ? d : (F)0) + (a.mean - a.mean); \
  } \
  LU_RFN F LU_NAME(lu_nanvar, SFX)(lu_mom_##SFX a, double ddof) { \
    F d = (F)((double)a.n - ddof); \
    return d > 0 ? a.m2 / d + (a.mean - a.mean) : QNAN; \
  } \
  LU_RFN lu_sc_##SFX LU_NAME(lu_sc_mk, SFX)(F s, int64_t n) { \
    lu_sc_##SFX r; r.s = s; r.n = n; return r; \
  } \
  LU_RFN lu_sc_##SFX LU_NAME(lu_sc_add, SFX)(lu_sc_##SFX a, lu_sc_##SFX b) { \
    lu_sc_##SFX r; r.s = a.s + b.s; r.n = a.n + b.n; return r; \
  }

LU_DEF_MOM(float, f32, lu_nan_f32())
LU_DEF_MOM(double, f64, lu_nan_f64())
/* }===== */

/* lu_vi_min's order makes the first position of an all-equal run win;
** a fast step may leave LU_NOPOS when every element equals the identity,
** whose answer is then the first position */
#define lu_vi_pos(a) ((a).i == LU_NOPOS ? 0 : (a).i)

#define LU_VI(T) LU_TYPEOF(lu_vi_mk((T)0, (int64_t)0))
#define LU_VIN(T) LU_TYPEOF(lu_vin_mk((T)0, (int64_t)0, (int64_t)0))
#define LU_MM(T) LU_TYPEOF(lu_mm_mk((T)0, (T)0))
#define LU_MOM(F) LU_TYPEOF(lu_mom_mk((F)0, (F)0, (int64_t)0))
#define LU_SC(F) LU_TYPEOF(lu_sc_mk((F)0, (int64_t)0))

#if !defined(__CUDACC__) && !defined(__CUDACC_RTC__)
/* C: pick the helper by the type of its first argument. */
#define LU_RGEN(n, x) _Generic((x), \
  int8_t: n##_i8, int16_t: n##_i16, int32_t: n##_i32, int64_t: n##_i64, \
  uint8_t: n##_u8, uint16_t: n##_u16, uint32_t: n##_u32, uint64_t: n##_u64, \
  float: n##_f32, double: n##_f64)
#define LU_RGEN_S(n, s, x) _Generic((x), \
  s##_i8: n##_i8, s##_i16: n##_i16, s##_i32: n##_i32, s##_i64: n##_i64, \
  s##_u8: n##_u8, s##_u16: n##_u16, s##_u32: n##_u32, s##_u64: n##_u64, \
  s##_f32: n##_f32, s##_f64: n##_f64)
#define LU_RGEN_F(n, s, x) _Generic((x), s##_f32: n##_f32, s##_f64: n##_f64)
#define lu_top(x)         LU_RGEN(lu_top, x)(x)
#define lu_bot(x)         LU_RGEN(lu_bot, x)(x)
#define lu_nantop(x)      LU_RGEN(lu_nantop, x)(x)
#define lu_nanbot(x)      LU_RGEN(lu_nanbot, x)(x)
#define lu_vi_mk(v, i)    LU_RGEN(lu_vi_mk, v)(v, i)
#define lu_vi_min(a, b)   LU_RGEN_S(lu_vi_min, lu_vi, a)(a, b)
#define lu_vi_max(a, b)   LU_RGEN_S(lu_vi_max, lu_vi, a)(a, b)
#define lu_vin_mk(v, i, ok) LU_RGEN(lu_vin_mk, v)(v, i, ok)
#define lu_vin_min(a, b)  LU_RGEN_S(lu_vin_min, lu_vin, a)(a, b)
#define lu_vin_max(a, b)  LU_RGEN_S(lu_vin_max, lu_vin, a)(a, b)
#define lu_mm_mk(lo, hi)  LU_RGEN(lu_mm_mk, lo)(lo, hi)
#define lu_mom_mk(m, q, n) _Generic((m), float: lu_mom_mk_f32, double: lu_mom_mk_f64)(m, q, n)
#define lu_chan(a, b)     LU_RGEN_F(lu_chan, lu_mom, a)(a, b)
#define lu_var(a, d)      LU_RGEN_F(lu_var, lu_mom, a)(a, d)
#define lu_nanvar(a, d)   LU_RGEN_F(lu_nanvar, lu_mom, a)(a, d)
#define lu_sc_mk(s, n)    _Generic((s), float: lu_sc_mk_f32, double: lu_sc_mk_f64)(s, n)
#define lu_sc_add(a, b)   LU_RGEN_F(lu_sc_add, lu_sc, a)(a, b)
#endif

#endif
