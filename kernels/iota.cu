/* SPDX-License-Identifier: MIT */
/*
** lu_k_iota: out[i] = start + i*step computed in double, then converted to
** the dtype (bool: != 0), as the CPU backend does, so arange/linspace agree
** bit for bit across devices.
*/
#include <cuda/std/type_traits>
#include "lu_kcommon.cuh"

namespace lu_k {

template <class T, class I>
__global__ void iota_kernel(T *out, I n, double start, double step, bool to_bool) {
  for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (I)gridDim.x * blockDim.x)
    out[i] = cvt<T>(__dadd_rn(start, __dmul_rn((double)i, step)), to_bool);  /* no FMA: NumPy rounds twice */
}

/* float16, bfloat16, complex: the double value rounded as the CPU's casts
** round it (lu_numeric.h) */
template <class T, class I>
__global__ void iota_ext_kernel(T *out, I n, double start, double step) {
  for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (I)gridDim.x * blockDim.x) {
    double v = start + (double)i * step;
    if constexpr (sizeof(T) == 2) {
      if constexpr (cuda::std::is_same<T, lu_half>::value) out[i] = lu_d2h(v);
      else out[i] = lu_d2bf(v);
    } else if constexpr (sizeof(T) == 8) {
      out[i] = lu_cmake((float)v, 0.0f);
    } else {
      out[i] = lu_cmake(v, 0.0);
    }
  }
}

template <class T>
static int iota_ext(const lu_k_env *env, void *out, int64_t n, double start, double step,
                    cudaStream_t st) {
  unsigned g = grid_for(env, n, 256);
  if (n <= INT32_MAX)
    iota_ext_kernel<T, int32_t><<<g, 256, 0, st>>>((T *)out, (int32_t)n, start, step);
  else
    iota_ext_kernel<T, int64_t><<<g, 256, 0, st>>>((T *)out, n, start, step);
  return last_err();
}

}  // namespace lu_k

extern "C" int lu_k_iota(lu_dtype dt, void *out, int64_t n, double start, double step,
                         const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  cudaStream_t st = (cudaStream_t)env->stream;
  switch (dt) {
    case LU_FLOAT16: return iota_ext<lu_half>(env, out, n, start, step, st);
    case LU_BFLOAT16: return iota_ext<lu_bf16>(env, out, n, start, step, st);
    case LU_COMPLEX64: return iota_ext<lu_c64>(env, out, n, start, step, st);
    case LU_COMPLEX128: return iota_ext<lu_c128>(env, out, n, start, step, st);
    default: break;
  }
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
