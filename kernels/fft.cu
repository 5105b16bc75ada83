/* SPDX-License-Identifier: MIT */
/*
** lu_k_fft_scale: p[i] *= scale for the n real numbers (float or double)
** of an FFT's dense output, for the "ortho" and "forward" norms (cuFFT
** computes unscaled transforms; "backward" forward transforms never come
** here). Vector loads of two values where the block allows.
*/
#include "lu_kcommon.cuh"

namespace lu_k {

template <class T, class V, class I>
__global__ void fft_scale_kernel(T *p, I n, T scale) {
  I nv = n / 2;
  V *v = (V *)p;
  for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < nv; i += (I)gridDim.x * blockDim.x) {
    V x = v[i];
    x.x *= scale;
    x.y *= scale;
    v[i] = x;
  }
  if (n % 2 && blockIdx.x == 0 && threadIdx.x == 0) p[n - 1] *= scale;
}

template <class T, class V>
static int launch(void *p, int64_t n, double scale, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  unsigned g = grid_for(env, n / 2 + 1, 256);
  if (n <= INT32_MAX)
    fft_scale_kernel<T, V, int32_t><<<g, 256, 0, st>>>((T *)p, (int32_t)n, (T)scale);
  else
    fft_scale_kernel<T, V, int64_t><<<g, 256, 0, st>>>((T *)p, n, (T)scale);
  return (int)cudaGetLastError();
}

}  // namespace lu_k

/* p: 8-byte aligned for float (16 for double): an array's buffer start */
extern "C" int lu_k_fft_scale(lu_dtype real_dt, void *p, int64_t n, double scale,
                              const lu_k_env *env) {
  if (n <= 0) return 0;
  if (real_dt == LU_FLOAT32) return lu_k::launch<float, float2>(p, n, scale, env);
  if (real_dt == LU_FLOAT64) return lu_k::launch<double, double2>(p, n, scale, env);
  return (int)cudaErrorInvalidValue;
}
