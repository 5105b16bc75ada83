/* SPDX-License-Identifier: MIT */
/*
** Scans along one axis (lu_scan_call): cumsum, cumprod, their NaN-skipping
** forms, and cummax/cummin with positions.
**
** Rows (inner == 1, each row contiguous, rows back to back) are one CUB
** scan over all the elements: DeviceScan::InclusiveScan for a single row,
** InclusiveScanByKey with the row number as the key for many, so any
** number and length of rows is one decoupled-look-back pass. Other layouts
** with a wide inner axis walk the scanned axis with one thread per column
** (coalesced across the columns); the rest are packed into rows first and
** unpacked after.
**
** cummax/cummin scan (value, position) pairs with PyTorch's rule: a NaN or
** a value >= (<=) the running one takes over, so ties and NaNs give the
** later position; the operator is associative (the right operand wins
** exactly when it holds a NaN, or neither does and it is not worse).
*/
#include <cub/cub.cuh>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include "lu_kcommon.cuh"

namespace lu_k {
namespace sortfam {   /* this family's kernels: no clash with other files' */

template <class T> struct ScanOp {
  int op;
  __host__ __device__ __forceinline__ T operator()(const T &a, const T &b) const {
    switch (op) {
      case LU_SCAN_SUM: return (T)(a + b);
      case LU_SCAN_PROD: return (T)(a * b);
      case LU_SCAN_MAX: return (b > a || isnan_(b)) && !isnan_(a) ? b : a;
      default: return (b < a || isnan_(b)) && !isnan_(a) ? b : a;
    }
  }
};

/* NaN as the identity of the op (nancumsum, nancumprod) */
template <class T> struct NanSkip {
  T id;
  __host__ __device__ __forceinline__ T operator()(const T &x) const { return isnan_(x) ? id : x; }
};

template <class T> struct VP { T v; int64_t p; };

template <class T> struct ArgOp {
  int ismax;
  __host__ __device__ __forceinline__ VP<T> operator()(const VP<T> &a, const VP<T> &b) const {
    if (isnan_(b.v)) return b;
    if (isnan_(a.v)) return a;
    return (ismax ? b.v >= a.v : b.v <= a.v) ? b : a;
  }
};

template <class T> struct MakeVP {
  const T *x; int64_t len;
  __host__ __device__ __forceinline__ VP<T> operator()(int64_t i) const {
    VP<T> r; r.v = x[i]; r.p = len == 0 ? i : i % len; return r;
  }
};

struct RowOf {
  int64_t len;
  __host__ __device__ __forceinline__ int64_t operator()(int64_t i) const { return i / len; }
};

template <class T>
__global__ void split_kernel(const VP<T> *s, T *v, int64_t *p, int64_t n, int64_t base) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    v[i] = s[i].v;
    if (p) p[i] = s[i].p + base;
  }
}

/* one thread per (o, j) column, walking the scanned axis */
template <class T>
__global__ void column_kernel(const char *in, int64_t outer, int64_t len, int64_t inner, int64_t so,
                              int64_t sl, int64_t si, T *out, int64_t *idx, int op, int nan_skip,
                              int64_t base) {
  T id = op == LU_SCAN_PROD ? (T)1 : (T)0;
  ScanOp<T> f{op};
  for (int64_t c = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; c < outer * inner;
       c += (int64_t)gridDim.x * blockDim.x) {
    int64_t o = c / inner, j = c - o * inner;
    const char *p = in + o * so + j * si;
    T *q = out + o * len * inner + j;
    T acc = *(const T *)p;
    int64_t bi = 0;
    if (nan_skip && isnan_(acc)) acc = id;
    q[0] = acc;
    if (idx) idx[o * len * inner + j] = base;
    for (int64_t r = 1; r < len; r++) {
      T x = *(const T *)(p + r * sl);
      if (nan_skip && isnan_(x)) x = id;
      if (idx) {
        if (isnan_(x) || (!isnan_(acc) && (op == LU_SCAN_MAX ? x >= acc : x <= acc))) { acc = x; bi = r; }
        idx[o * len * inner + r * inner + j] = bi + base;
      } else {
        acc = f(acc, x);
      }
      q[r * inner] = acc;
    }
  }
}

/* strided (outer, len, inner) <-> rows (outer*inner, len) */
template <class T>
__global__ void pack_kernel(const char *in, int64_t outer, int64_t len, int64_t inner, int64_t so,
                            int64_t sl, int64_t si, T *rows) {
  int64_t n = outer * len * inner;
  for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < n;
       t += (int64_t)gridDim.x * blockDim.x) {
    int64_t row = t / len, r = t - row * len, o = row / inner, j = row - o * inner;
    rows[t] = *(const T *)(in + o * so + r * sl + j * si);
  }
}

template <class T>
__global__ void unpack_kernel(const T *rows, int64_t outer, int64_t len, int64_t inner, T *out) {
  int64_t n = outer * len * inner;
  for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < n;
       t += (int64_t)gridDim.x * blockDim.x) {
    int64_t row = t / len, r = t - row * len, o = row / inner, j = row - o * inner;
    out[(o * len + r) * inner + j] = rows[t];
  }
}

/* The cumsum of one float32 row with CUB's scan agent in a tile of 128
** threads of 32 items (tile 4): 10^8 float32 on an H100 in 0.318 ms, 85% of
** a copy's bandwidth, where CUB's own sm_90 tuning (128 threads of 24
** items, tile 0) took 0.354-0.356 and tiles 1-3 (256 of 24, 384 of 22 as
** CUB tunes Blackwell, 512 of 16) 0.345, 0.377-0.388, 0.337-0.341
** (bench/RESULTS.md, session 16). LUNAR_SCAN_TILE picks another
** (doc/environment.md). */
template <int Threads, int Items, class Delay>
struct scan_hub {
  struct Policy900 : cub::ChainedPolicy<900, Policy900, Policy900> {
    using ScanPolicyT =
      cub::AgentScanPolicy<Threads, Items, float, cub::BLOCK_LOAD_WARP_TRANSPOSE, cub::LOAD_DEFAULT,
                           cub::BLOCK_STORE_WARP_TRANSPOSE, cub::BLOCK_SCAN_WARP_SCANS,
                           cub::detail::MemBoundScaling<Threads, Items, float>, Delay>;
  };
  using MaxPolicy = Policy900;
};

template <class Hub>
static int sum_tiled(const float *x, float *out, uint32_t n, scratch_buf &tmp, cudaStream_t st) {
  using D = cub::DispatchScan<const float *, float *, ::cuda::std::plus<float>, cub::NullType, uint32_t,
                              float, cub::ForceInclusive::No, Hub>;
  size_t bytes = 0;
  LU_K_TRY(D::Dispatch(nullptr, bytes, x, out, ::cuda::std::plus<float>{}, cub::NullType{}, n, st));
  if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
  LU_K_TRY(D::Dispatch(tmp.p, bytes, x, out, ::cuda::std::plus<float>{}, cub::NullType{}, n, st));
  return 0;
}

static int scan_tile(void) {
  static int t = -1;
  if (t < 0) {
    const char *e = getenv("LUNAR_SCAN_TILE");
    t = e != NULL && e[0] >= '0' && e[0] <= '4' && e[1] == 0 ? e[0] - '0' : 4;
  }
  return t;
}

/* -1 for tile 0: CUB's own choice (the caller's call) */
static int sum_f32(const float *x, float *out, uint32_t n, scratch_buf &tmp, cudaStream_t st) {
  using fixed = cub::detail::fixed_delay_constructor_t<688, 1140>;
  switch (scan_tile()) {
  case 1: return sum_tiled<scan_hub<256, 24, fixed>>(x, out, n, tmp, st);
  case 2: return sum_tiled<scan_hub<384, 22, cub::detail::exponential_backon_jitter_constructor_t<1904, 830>>>(
            x, out, n, tmp, st);
  case 3: return sum_tiled<scan_hub<512, 16, fixed>>(x, out, n, tmp, st);
  case 4: return sum_tiled<scan_hub<128, 32, fixed>>(x, out, n, tmp, st);
  default: return -1;
  }
}

/* contiguous rows x (nrow rows of len) -> out, idx (both contiguous rows) */
template <class T>
static int scan_rows(const lu_scan_call *c, const T *x, int64_t nrow, int64_t len, T *out,
                     int64_t *idx, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  const lu_k_scratch *sc = &env->scratch;
  int64_t n = nrow * len;
  size_t bytes = 0;
  scratch_buf tmp(sc), pairs(sc);
  if (c->op == LU_SCAN_MAX || c->op == LU_SCAN_MIN) {
    if (idx) {
      ArgOp<T> f{c->op == LU_SCAN_MAX};
      auto in = thrust::make_transform_iterator(thrust::counting_iterator<int64_t>(0), MakeVP<T>{x, len});
      if (!pairs.get((size_t)n * sizeof(VP<T>))) return (int)cudaErrorMemoryAllocation;
      VP<T> *pv = (VP<T> *)pairs.p;
      if (nrow == 1) {
        LU_K_TRY(cub::DeviceScan::InclusiveScan(nullptr, bytes, in, pv, f, n, st));
        if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
        LU_K_TRY(cub::DeviceScan::InclusiveScan(tmp.p, bytes, in, pv, f, n, st));
      } else {
        auto keys = thrust::make_transform_iterator(thrust::counting_iterator<int64_t>(0), RowOf{len});
        LU_K_TRY(cub::DeviceScan::InclusiveScanByKey(nullptr, bytes, keys, in, pv, f, n,
                                                     cuda::std::equal_to<>(), st));
        if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
        LU_K_TRY(cub::DeviceScan::InclusiveScanByKey(tmp.p, bytes, keys, in, pv, f, n,
                                                     cuda::std::equal_to<>(), st));
      }
      split_kernel<T><<<grid_for(env, n, 256), 256, 0, st>>>(pv, out, idx, n, c->base);
      return last_err();
    }
  }
  ScanOp<T> f{(int)c->op};
  T id = c->op == LU_SCAN_PROD ? (T)1 : (T)0;
  auto in = thrust::make_transform_iterator(x, NanSkip<T>{id});
  bool skip = c->nan_skip && is_float<T>::value;
  if (nrow == 1 && !skip && c->op == LU_SCAN_SUM && n <= INT32_MAX) {
    /* the common cumsum: 32-bit offsets and cuda::std::plus, an op that
    ** CUB's scan knows as primitive and so runs with its sm_90 tuning (for
    ** float32 128 threads of 24 items and a tuned look-back delay); a
    ** functor of lunar's own got the default policy of 15 items. 10^8
    ** float32 on an H100: 81% of a copy's bandwidth, 77.5% before; float32
    ** now takes a larger tile (sum_f32). */
    const int n32 = (int)n;
    if constexpr (std::is_same<T, float>::value) {
      int e = sum_f32(x, out, (uint32_t)n, tmp, st);
      if (e >= 0) return e ? e : last_err();
    }
    LU_K_TRY(cub::DeviceScan::InclusiveScan(nullptr, bytes, x, out, ::cuda::std::plus<T>{}, n32, st));
    if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
    LU_K_TRY(cub::DeviceScan::InclusiveScan(tmp.p, bytes, x, out, ::cuda::std::plus<T>{}, n32, st));
  } else if (nrow == 1) {
    if (skip) {
      LU_K_TRY(cub::DeviceScan::InclusiveScan(nullptr, bytes, in, out, f, n, st));
      if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
      LU_K_TRY(cub::DeviceScan::InclusiveScan(tmp.p, bytes, in, out, f, n, st));
    } else {
      LU_K_TRY(cub::DeviceScan::InclusiveScan(nullptr, bytes, x, out, f, n, st));
      if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
      LU_K_TRY(cub::DeviceScan::InclusiveScan(tmp.p, bytes, x, out, f, n, st));
    }
  } else {
    auto keys = thrust::make_transform_iterator(thrust::counting_iterator<int64_t>(0), RowOf{len});
    if (skip) {
      LU_K_TRY(cub::DeviceScan::InclusiveScanByKey(nullptr, bytes, keys, in, out, f, n, cuda::std::equal_to<>(), st));
      if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
      LU_K_TRY(cub::DeviceScan::InclusiveScanByKey(tmp.p, bytes, keys, in, out, f, n, cuda::std::equal_to<>(), st));
    } else {
      LU_K_TRY(cub::DeviceScan::InclusiveScanByKey(nullptr, bytes, keys, x, out, f, n, cuda::std::equal_to<>(), st));
      if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
      LU_K_TRY(cub::DeviceScan::InclusiveScanByKey(tmp.p, bytes, keys, x, out, f, n, cuda::std::equal_to<>(), st));
    }
  }
  return last_err();
}

template <class T>
static int scan_typed(const lu_scan_call *c, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  const lu_k_scratch *sc = &env->scratch;
  const int64_t item = sizeof(T), n = c->outer * c->len * c->inner;
  T *out = (T *)c->out;
  if (c->inner == 1 && (c->len == 1 || c->s_len == item) && (c->outer == 1 || c->s_outer == c->len * item))
    return scan_rows<T>(c, (const T *)c->in, c->outer, c->len, out, c->idx, env);
  if (c->inner >= 256 || c->len <= 16) {
    int64_t cols = c->outer * c->inner;
    column_kernel<T><<<grid_for(env, cols, 128), 128, 0, st>>>(c->in, c->outer, c->len, c->inner, c->s_outer,
                                                         c->s_len, c->s_inner, out, c->idx, (int)c->op,
                                                         c->nan_skip && is_float<T>::value, c->base);
    return last_err();
  }
  /* pack into rows, scan, unpack */
  scratch_buf rows(sc), rout(sc), ridx(sc);
  if (!rows.get((size_t)n * sizeof(T)) || !rout.get((size_t)n * sizeof(T)))
    return (int)cudaErrorMemoryAllocation;
  if (c->idx && !ridx.get((size_t)n * sizeof(int64_t))) return (int)cudaErrorMemoryAllocation;
  unsigned g = grid_for(env, n, 256);
  pack_kernel<T><<<g, 256, 0, st>>>(c->in, c->outer, c->len, c->inner, c->s_outer, c->s_len, c->s_inner,
                                    (T *)rows.p);
  LU_K_TRY(cudaGetLastError());
  int e = scan_rows<T>(c, (const T *)rows.p, c->outer * c->inner, c->len, (T *)rout.p,
                       c->idx ? (int64_t *)ridx.p : nullptr, env);
  if (e) return e;
  unpack_kernel<T><<<g, 256, 0, st>>>((const T *)rout.p, c->outer, c->len, c->inner, out);
  if (c->idx) unpack_kernel<int64_t><<<g, 256, 0, st>>>((const int64_t *)ridx.p, c->outer, c->len, c->inner, c->idx);
  return last_err();
}

}  // namespace sortfam
}  // namespace lu_k

using namespace lu_k;
using namespace lu_k::sortfam;

extern "C" int lu_k_scan(const lu_scan_call *c, const lu_k_env *env) {
  if (c->outer <= 0 || c->len <= 0 || c->inner <= 0) return 0;
  return dispatch(c->dt, [&](auto tg, bool is_bool) -> int {
    using T = typename decltype(tg)::type;
    if (is_bool && (c->op == LU_SCAN_SUM || c->op == LU_SCAN_PROD))
      return (int)cudaErrorInvalidValue;   /* the core scans sums in int64 */
    return scan_typed<T>(c, env);
  });
}
