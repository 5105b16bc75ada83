/* SPDX-License-Identifier: MIT */
/*
** Helpers of the routines of cuBLAS and cuSOLVER that linalg calls
** (src/backend/cuda/linalg.c): the arrays of matrix pointers the batched
** ones take, their int32 pivots widened to the int64 the core reads, the
** conjugation of a complex Jacobi SVD's V, and real matrices made complex
** for the complex general eigensolver.
*/
#include "lu_kcommon.cuh"

namespace lu_k {

__global__ void ptrs_kernel(void **ptrs, char *base, int64_t stride, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    ptrs[k] = base + k * stride;
}

__global__ void widen_kernel(int64_t *out, const int *in, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    out[k] = in[k];
}

template <class T>
__global__ void conj_kernel(T *p, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    p[2 * k + 1] = -p[2 * k + 1];
}

template <class T>
__global__ void tocomplex_kernel(T *out, const T *in, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x) {
    out[2 * k] = in[k];
    out[2 * k + 1] = 0;
  }
}

}  // namespace lu_k

extern "C" int lu_k_linalg_ptrs(void **ptrs, char *base, int64_t stride, int64_t n,
                                const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  ptrs_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>(ptrs, base, stride, n);
  return last_err();
}

extern "C" int lu_k_linalg_widen(int64_t *out, const int *in, int64_t n, const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  widen_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>(out, in, n);
  return last_err();
}

extern "C" int lu_k_linalg_conj(void *p, int64_t n, int dbl, const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  if (dbl)
    conj_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>((double *)p, n);
  else
    conj_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>((float *)p, n);
  return last_err();
}

extern "C" int lu_k_linalg_tocomplex(void *out, const void *in, int64_t n, int dbl,
                                     const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  if (dbl)
    tocomplex_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>(
        (double *)out, (const double *)in, n);
  else
    tocomplex_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>(
        (float *)out, (const float *)in, n);
  return last_err();
}
