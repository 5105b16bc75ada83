/* SPDX-License-Identifier: MIT */
/*
** NumPy's quantile methods as one function valid in C and CUDA C, so that
** the CPU backend and the CUDA kernels pick the same order statistics and
** weights. lu_q_plan() maps (method, n valid values, q) to the positions of
** one or two order statistics (0-based, in [0, n)) and how to combine
** them:
**   LU_QK_TAKE  the value x[i0] itself (the discontinuous methods: their
**               result keeps the input's dtype in NumPy)
**   LU_QK_LERP  NumPy's _lerp(x[i0], x[i1], g)
**   LU_QK_MEAN  (x[i0] + x[i1]) / 2 (np.median's mean of the middle two)
** The formulas follow numpy/lib/_function_base_impl.py (_QuantileMethods,
** _get_indexes, _get_gamma, _discrete_interpolation_to_boundaries),
** including its clamping: a virtual index at or past the last value takes
** the last, one before the first takes the first.
*/
#ifndef lu_quant_h
#define lu_quant_h

/* LU_QMUL: a product rounded on its own, as NumPy rounds it. nvcc fuses
** a*b + c into one FMA by default, which moves a virtual index such as
** 5 * 0.3 - 1.5 from 0 to -5.6e-17 and so to another order statistic
** (seen on an H200: closest_observation took the wrong element). */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define LU_QFN static __host__ __device__ __forceinline__
#if defined(__CUDA_ARCH__)
#define LU_QMUL(a, b) __dmul_rn((a), (b))
#else
#define LU_QMUL(a, b) ((a) * (b))
#endif
#else
#include <math.h>
#include <stdint.h>
#define LU_QFN static inline
#define LU_QMUL(a, b) ((a) * (b))
#endif

enum { LU_QK_TAKE, LU_QK_LERP, LU_QK_MEAN };

/* H&F's continuous methods: virtual index n*q + (alpha + q*(1-alpha-beta)) - 1 */
LU_QFN double lu_q_virtual(double n, double q, double alpha, double beta) {
  return LU_QMUL(n, q) + (alpha + LU_QMUL(q, 1.0 - alpha - beta)) - 1.0;
}

/* _discrete_interpolation_to_boundaries: previous where cond, else next,
** clipped at 0. cond_odd: closest_observation's extra test. */
LU_QFN int64_t lu_q_boundary(double idx, int cond_odd) {
  double prev = floor(idx), g = idx - prev;
  int cond = g == 0.0;
  int64_t r;
  if (cond_odd) cond = cond && fmod(prev, 2.0) != 0.0 && (((int64_t)prev) & 1);
  r = (int64_t)(cond ? prev : prev + 1.0);
  return r < 0 ? 0 : r;
}

/* method: an lu_qmethod (lu_backend.h); n >= 1. Returns the kind. */
LU_QFN int lu_q_plan(int method, int64_t n, double q, int64_t *i0, int64_t *i1, double *g) {
  double dn = (double)n, vi, prev;
  int64_t k;
  *g = 0.0;
  switch (method) {
    case 0: /* inverted_cdf */
      k = lu_q_boundary(LU_QMUL(dn, q) - 1.0, 0);
      goto take;
    case 2: /* closest_observation */
      k = lu_q_boundary(LU_QMUL(dn, q) - 1.0 - 0.5, 1);
      goto take;
    case 9: /* lower */
      k = (int64_t)floor(LU_QMUL(dn - 1.0, q));
      goto take;
    case 10: /* higher */
      k = (int64_t)ceil(LU_QMUL(dn - 1.0, q));
      goto take;
    case 12: /* nearest: np.around, half to even */
      k = (int64_t)rint(LU_QMUL(dn - 1.0, q));
      goto take;
    case 13: /* median */
      *i0 = (n - 1) / 2;
      *i1 = n / 2;
      return LU_QK_MEAN;
    case 1: vi = LU_QMUL(dn, q) - 1.0; break;                               /* averaged_inverted_cdf */
    case 3: vi = lu_q_virtual(dn, q, 0.0, 1.0); break;              /* interpolated_inverted_cdf */
    case 4: vi = lu_q_virtual(dn, q, 0.5, 0.5); break;              /* hazen */
    case 5: vi = lu_q_virtual(dn, q, 0.0, 0.0); break;              /* weibull */
    case 7: vi = lu_q_virtual(dn, q, 1.0 / 3.0, 1.0 / 3.0); break;  /* median_unbiased */
    case 8: vi = lu_q_virtual(dn, q, 3.0 / 8.0, 3.0 / 8.0); break;  /* normal_unbiased */
    case 11: vi = 0.5 * (floor(LU_QMUL(dn - 1.0, q)) + ceil(LU_QMUL(dn - 1.0, q))); break;  /* midpoint */
    default: vi = LU_QMUL(dn - 1.0, q); break;                            /* linear */
  }
  /* _get_indexes: the neighbours, clamped; gamma from the clamped one */
  prev = floor(vi);
  if (vi >= dn - 1.0) { *i0 = *i1 = n - 1; prev = -1.0; }
  else if (vi < 0.0) { *i0 = *i1 = 0; prev = 0.0; }
  else { *i0 = (int64_t)prev; *i1 = *i0 + 1; }
  *g = vi - prev;
  if (method == 1) *g = *g == 0.0 ? 0.5 : 1.0;                 /* averaged_inverted_cdf */
  else if (method == 11) *g = fmod(vi, 1.0) == 0.0 ? 0.0 : 0.5;  /* midpoint */
  return LU_QK_LERP;
take:
  if (k < 0) k = 0;
  if (k > n - 1) k = n - 1;
  *i0 = *i1 = k;
  return LU_QK_TAKE;
}

/* NumPy's _lerp: exact at both ends and monotonic. */
LU_QFN double lu_q_lerp(double a, double b, double t) {
  double d = b - a;
  return t >= 0.5 ? b - LU_QMUL(d, 1.0 - t) : a + LU_QMUL(d, t);
}

#endif
