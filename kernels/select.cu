/* SPDX-License-Identifier: MIT */
/*
** Boolean-mask compaction and its reverse. Both move raw elements, so they
** dispatch on the element size only (1, 2, 4, 8, 16 bytes).
**   mask_select:  out[j] = in[i] for the j-th i with mask[i] != 0 (CUB
**                 DeviceSelect::Flagged);
**   mask_scatter: arr[i] = vals[j] for the j-th such i: an exclusive scan of
**                 the mask gives j, then one pass scatters.
*/
#include <cub/cub.cuh>
#include <thrust/iterator/transform_iterator.h>
#include "lu_kcommon.cuh"

namespace lu_k {

template <int N> struct uint_of;
template <> struct uint_of<1> { using type = uint8_t; };
template <> struct uint_of<2> { using type = uint16_t; };
template <> struct uint_of<4> { using type = uint32_t; };
template <> struct uint_of<8> { using type = uint64_t; };

/* complex128's 16 bytes, moved whole */
struct bytes16 { uint64_t lo, hi; };

/* Call f(tag<unsigned type of that size>) for an element size. */
template <class F> static int by_size(int size, F &&f) {
  switch (size) {
    case 1: return f(tag<uint8_t>{});
    case 2: return f(tag<uint16_t>{});
    case 4: return f(tag<uint32_t>{});
    case 8: return f(tag<uint64_t>{});
    case 16: return f(tag<bytes16>{});
    default: return (int)cudaErrorInvalidValue;
  }
}

template <class I> struct Flag {
  __host__ __device__ __forceinline__ I operator()(uint8_t m) const { return m != 0; }
};

template <class U, class I>
__global__ void scatter_kernel(U *arr, const uint8_t *mask, const I *pos, I n, const U *vals) {
  for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (I)gridDim.x * blockDim.x)
    if (mask[i]) arr[i] = vals[pos[i]];
}

template <class U, class I>
static int scatter_typed(U *arr, const uint8_t *mask, I n, const U *vals, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  scratch_buf pos(&env->scratch), tmp(&env->scratch);
  if (!pos.get((size_t)n * sizeof(I))) return (int)cudaErrorMemoryAllocation;
  auto flags = thrust::make_transform_iterator(mask, Flag<I>{});
  size_t bytes = 0;
  LU_K_TRY(cub::DeviceScan::ExclusiveSum(nullptr, bytes, flags, (I *)pos.p, n, st));
  if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
  LU_K_TRY(cub::DeviceScan::ExclusiveSum(tmp.p, bytes, flags, (I *)pos.p, n, st));
  scatter_kernel<U, I><<<grid_for(env, n, 256), 256, 0, st>>>(arr, mask, (const I *)pos.p, n, vals);
  return last_err();
}

}  // namespace lu_k

using namespace lu_k;

extern "C" int lu_k_mask_select(lu_dtype dt, const void *in, const void *mask, int64_t n,
                                void *out, const lu_k_env *env) {
  if (n <= 0) return 0;
  cudaStream_t st = (cudaStream_t)env->stream;
  return by_size(dt_size(dt), [&](auto tg) -> int {
    using U = typename decltype(tg)::type;
    scratch_buf cnt(&env->scratch), tmp(&env->scratch);
    if (!cnt.get(sizeof(int64_t))) return (int)cudaErrorMemoryAllocation;
    size_t bytes = 0;
    LU_K_TRY(cub::DeviceSelect::Flagged(nullptr, bytes, (const U *)in, (const uint8_t *)mask,
                                        (U *)out, (int64_t *)cnt.p, n, st));
    if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
    LU_K_TRY(cub::DeviceSelect::Flagged(tmp.p, bytes, (const U *)in, (const uint8_t *)mask,
                                        (U *)out, (int64_t *)cnt.p, n, st));
    return last_err();
  });
}

extern "C" int lu_k_mask_scatter(lu_dtype dt, void *arr, const void *mask, int64_t n,
                                 const void *vals, const lu_k_env *env) {
  if (n <= 0) return 0;
  return by_size(dt_size(dt), [&](auto tg) -> int {
    using U = typename decltype(tg)::type;
    if (n <= INT32_MAX)
      return scatter_typed<U, int32_t>((U *)arr, (const uint8_t *)mask, (int32_t)n,
                                       (const U *)vals, env);
    return scatter_typed<U, int64_t>((U *)arr, (const uint8_t *)mask, n, (const U *)vals, env);
  });
}
