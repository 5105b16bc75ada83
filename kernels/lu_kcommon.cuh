/* SPDX-License-Identifier: MIT */
/*
** Shared helpers for the ahead-of-time kernels: the dtype switch (one per
** launcher, generated from lu_dtypes.def), conversions with NumPy's meaning,
** the grid of a grid-stride loop (from the device facts in lu_k_env) and a
** scratch guard. No backend state and no query of the device lives here.
*/
#ifndef lu_kcommon_cuh
#define lu_kcommon_cuh

#include <cuda_runtime.h>
#include <cuda/std/limits>
#include <stdint.h>
#include "lu_kernels.h"

namespace lu_k {

/* A type carried as a value so that generic lambdas can receive it. */
template <class T> struct tag { using type = T; };

/* Call f(tag<storage type>{}, is_bool) for dtype dt. bool and uint8 share
** the storage type uint8_t, so they share every instantiation; callers that
** care (conversions into bool) look at is_bool. Only the dtypes of C
** arithmetic types (LU_DTYPES_NATIVE): float16, bfloat16 and complex give
** cudaErrorInvalidValue, as unknown dtypes do; their launchers handle them
** on their own or the core composes them from native work. */
template <class F>
static inline int dispatch(lu_dtype dt, F &&f) {
  switch (dt) {
#define X(E, name, ctype, size, kind, sh) \
    case E: return f(tag<ctype>{}, E == LU_BOOL);
    LU_DTYPES_NATIVE(X)
#undef X
    default: return (int)cudaErrorInvalidValue;
  }
}

/* Size and kind of a dtype without the core's table (the kernels link on
** their own, e.g. into tests/c/test_kernels). */
static inline int dt_size(lu_dtype dt) {
  switch (dt) {
#define X(E, name, ctype, size, kind, sh) case E: return size;
    LU_DTYPES(X)
#undef X
    default: return 0;
  }
}
static inline char dt_kind(lu_dtype dt) {
  switch (dt) {
#define X(E, name, ctype, size, kind, sh) case E: return kind;
    LU_DTYPES(X)
#undef X
    default: return 0;
  }
}

template <class T> struct is_float { static constexpr bool value = false; };
template <> struct is_float<float> { static constexpr bool value = true; };
template <> struct is_float<double> { static constexpr bool value = true; };

/* NaN test that compiles away for integers. */
template <class T> __host__ __device__ __forceinline__ bool isnan_(T x) {
  if constexpr (is_float<T>::value) return x != x; else return false;
}

/* Smallest / largest value, with infinities for floats (max of an array of
** -inf must be -inf, not -FLT_MAX). */
template <class T> __host__ __device__ __forceinline__ T lowest_() {
  if constexpr (is_float<T>::value) return -cuda::std::numeric_limits<T>::infinity();
  else return cuda::std::numeric_limits<T>::lowest();
}
template <class T> __host__ __device__ __forceinline__ T highest_() {
  if constexpr (is_float<T>::value) return cuda::std::numeric_limits<T>::infinity();
  else return cuda::std::numeric_limits<T>::max();
}

/* Convert a value to storage type D. A float going to an unsigned type goes
** through int64 so that negative values wrap as in C on x86 (NumPy prints a
** warning there; we only avoid undefined behaviour). Into bool: != 0. */
template <class D, class S>
__host__ __device__ __forceinline__ D cvt(S x, bool to_bool) {
  if (to_bool) return (D)(x != (S)0);
  if constexpr (is_float<S>::value && !is_float<D>::value &&
                !cuda::std::numeric_limits<D>::is_signed) {
    if (x < (S)0) return (D)(int64_t)x;
  }
  return (D)x;
}

/* Blocks for a grid-stride loop over n items: per_sm_blocks on every
** multiprocessor (the GPU filled a few times over, or exactly once when
** per_sm_blocks is the kernel's occupancy), never more than the work. */
static inline unsigned grid_for(const lu_k_env *env, int64_t n, int threads,
                                int per_sm_blocks = 8) {
  int64_t want = (n + threads - 1) / threads;
  int64_t cap = (int64_t)(env->sm_count > 0 ? env->sm_count : 1) * per_sm_blocks;
  if (want > cap) want = cap;
  if (want < 1) want = 1;
  return (unsigned)want;
}

/* Scratch memory that goes back to the stream-ordered allocator when the
** launcher returns (work enqueued before the free still sees it). */
struct scratch_buf {
  const lu_k_scratch *s;
  void *p = nullptr;
  explicit scratch_buf(const lu_k_scratch *sc) : s(sc) {}
  scratch_buf(const scratch_buf &) = delete;
  scratch_buf &operator=(const scratch_buf &) = delete;
  bool get(size_t n) {
    if (n == 0) n = 1;
    p = s->alloc(s->ud, n);
    return p != nullptr;
  }
  ~scratch_buf() { if (p) s->free(s->ud, p); }
};

/* Status of the last launch as the launchers return it. */
static inline int last_err(void) { return (int)cudaGetLastError(); }

}  // namespace lu_k

#define LU_K_TRY(call) do { cudaError_t e_ = (call); if (e_ != cudaSuccess) return (int)e_; } while (0)

#endif
