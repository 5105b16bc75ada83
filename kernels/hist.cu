/* SPDX-License-Identifier: MIT */
/*
** Binning (lu_hist_call): bincount, and NumPy's uniform-bin histogram (a
** bin estimated from the width, then corrected against the edges). When
** the bins fit in shared memory each block counts into its own copy
** (32-bit counters, or doubles for weights) and adds it to the result at
** the end, so the global atomics are one per bin and block; otherwise
** every element is one global atomic.
*/
#include "lu_kcommon.cuh"

namespace lu_k {
namespace sortfam {   /* this family's kernels: no clash with other files' */

constexpr int kSmemBins = 6144;      /* 6144 doubles: 48 KiB */

/* the bin of x (NumPy's histogram), or -1 when x is left out */
template <class T>
__device__ __forceinline__ int64_t ubin(T x, const T *e, T lo, T hi, double scale, int64_t nb) {
  if (!(x >= lo && x <= hi)) return -1;
  int64_t b = (int64_t)((double)(T)(x - lo) * scale);
  if (b >= nb) b = nb - 1;
  if (b < 0) b = 0;
  if (x < e[b]) b--;
  else if (b != nb - 1 && x >= e[b + 1]) b++;
  return b;
}

/* mode 0: bincount (x int64), 1: uniform histogram (x float T) */
template <class T, int MODE>
__device__ __forceinline__ int64_t bin_of(const T *x, int64_t i, const T *e, T lo, T hi, double scale,
                                          int64_t nb) {
  if constexpr (MODE == 0) return (int64_t)x[i];
  else return ubin<T>(x[i], e, lo, hi, scale, nb);
}

template <class T, int MODE>
__global__ void bins_smem(const T *x, int64_t n, const double *w, const T *e, T lo, T hi, double scale,
                          int64_t nb, void *out, int out_f64) {
  extern __shared__ double sh[];
  unsigned *cnt = (unsigned *)sh;
  for (int64_t b = threadIdx.x; b < nb; b += blockDim.x) { if (w) sh[b] = 0; else cnt[b] = 0; }
  __syncthreads();
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    int64_t b = bin_of<T, MODE>(x, i, e, lo, hi, scale, nb);
    if (b < 0) continue;
    if (w) atomicAdd(&sh[b], w[i]);
    else atomicAdd(&cnt[b], 1u);
  }
  __syncthreads();
  for (int64_t b = threadIdx.x; b < nb; b += blockDim.x) {
    if (w) {
      if (sh[b] == 0) continue;
      if (out_f64) atomicAdd((double *)out + b, sh[b]);
      else atomicAdd((unsigned long long *)out + b, (unsigned long long)(long long)sh[b]);
    } else if (cnt[b]) {
      atomicAdd((unsigned long long *)out + b, (unsigned long long)cnt[b]);
    }
  }
}

template <class T, int MODE>
__global__ void bins_global(const T *x, int64_t n, const double *w, const T *e, T lo, T hi, double scale,
                            int64_t nb, void *out, int out_f64) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    int64_t b = bin_of<T, MODE>(x, i, e, lo, hi, scale, nb);
    if (b < 0) continue;
    if (w == nullptr) atomicAdd((unsigned long long *)out + b, 1ull);
    else if (out_f64) atomicAdd((double *)out + b, w[i]);
    else atomicAdd((unsigned long long *)out + b, (unsigned long long)(long long)w[i]);
  }
}

template <class T, int MODE>
static int bins(const lu_hist_call *c, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  int out_f64 = c->out_dt == LU_FLOAT64;
  if (c->n <= 0) return 0;
  T lo = (T)c->lo, hi = (T)c->hi;
  double scale = MODE ? (double)c->nbins / (c->hi - c->lo) : 0.0;
  const T *x = (const T *)c->x, *e = (const T *)c->edges;
  if (c->nbins <= kSmemBins) {
    size_t smem = (size_t)c->nbins * (c->w ? sizeof(double) : sizeof(unsigned));
    unsigned g = grid_for(env, c->n, 512, 4);
    bins_smem<T, MODE><<<g, 512, smem, st>>>(x, c->n, c->w, e, lo, hi, scale, c->nbins, c->out, out_f64);
  } else {
    bins_global<T, MODE><<<grid_for(env, c->n, 256), 256, 0, st>>>(x, c->n, c->w, e, lo, hi, scale, c->nbins,
                                                              c->out, out_f64);
  }
  return last_err();
}

}  // namespace sortfam
}  // namespace lu_k

using namespace lu_k;
using namespace lu_k::sortfam;

extern "C" int lu_k_bincount(const lu_hist_call *c, const lu_k_env *env) {
  if (c->dt != LU_INT64) return (int)cudaErrorInvalidValue;
  return bins<int64_t, 0>(c, env);
}

extern "C" int lu_k_histogram(const lu_hist_call *c, const lu_k_env *env) {
  if (c->dt == LU_FLOAT32) return bins<float, 1>(c, env);
  if (c->dt == LU_FLOAT64) return bins<double, 1>(c, env);
  return (int)cudaErrorInvalidValue;
}
