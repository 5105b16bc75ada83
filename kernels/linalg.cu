/* SPDX-License-Identifier: MIT */
/*
** Helpers of the batched small-matrix routines of cuBLAS and cuSOLVER
** (src/backend/cuda/linalg.c): the arrays of matrix pointers they take, and
** their int32 pivots widened to the int64 the core reads.
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
