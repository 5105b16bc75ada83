/* SPDX-License-Identifier: MIT */
/*
** lu_k_iota: out[i] = start + i*step computed in double, then converted to
** the dtype (bool: != 0), as the CPU backend does, so arange/linspace agree
** bit for bit across devices.
*/
#include "lu_kcommon.cuh"

namespace lu_k {

template <class T, class I>
__global__ void iota_kernel(T *out, I n, double start, double step, bool to_bool) {
  for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (I)gridDim.x * blockDim.x)
    out[i] = cvt<T>(__dadd_rn(start, __dmul_rn((double)i, step)), to_bool);  /* no FMA: NumPy rounds twice */
}

}  // namespace lu_k

extern "C" int lu_k_iota(lu_dtype dt, void *out, int64_t n, double start, double step,
                         const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  cudaStream_t st = (cudaStream_t)env->stream;
  return dispatch(dt, [&](auto tg, bool to_bool) -> int {
    using T = typename decltype(tg)::type;
    unsigned g = grid_for(env, n, 256);
    if (n <= INT32_MAX)
      iota_kernel<T, int32_t><<<g, 256, 0, st>>>((T *)out, (int32_t)n, start, step, to_bool);
    else
      iota_kernel<T, int64_t><<<g, 256, 0, st>>>((T *)out, n, start, step, to_bool);
    return last_err();
  });
}
