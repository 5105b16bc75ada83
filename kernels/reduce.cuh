/* SPDX-License-Identifier: MIT */
/*
** The reduction machinery behind lu_k_reduce, generic over a "reducer":
**
**   struct R { using In, Acc, Out; static constexpr bool is_arg;
**              Acc init(); Acc load(In x, int64_t r); Acc combine(Acc, Acc);
**              Out fin(Acc); }
**
** load gets the position r along the reduced axis (the arg-reductions keep
** it). combine must be associative and commutative (CUB and the split
** passes combine in no fixed order), which is why argmin/argmax break ties
** on the index instead of relying on order.
**
** Three paths, chosen by run_reduce():
**   (a) one output, contiguous input, fewer than 2^31 items: CUB DeviceReduce
**       (TransformReduce on the raw pointer, so CUB vectorises the loads);
**   (b) inner == 1: a warp (short rows) or a block (long rows) per row, with
**       16-byte loads when the row is contiguous;
**   (c) inner > 1: a 32 x 8 block per tile of 32 inner positions, each
**       column of threads walking the reduced axis (coalesced across j).
** When (b) or (c) has too few rows/tiles to fill the GPU, the reduced axis
** is split into segments whose partial results (Acc) go to scratch, and a
** second kernel (a warp per output) combines them.
**
** Each .cu file that includes this instantiates a few reducers, so that the
** files compile in parallel.
*/
#ifndef lu_reduce_cuh
#define lu_reduce_cuh

#include <cub/cub.cuh>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/iterator/transform_output_iterator.h>
#include "lu_kcommon.cuh"

namespace lu_k {

#define LU_HD __host__ __device__ __forceinline__

/* {===== reducers */
template <class T, class A> struct SumProd {
  using In = T; using Acc = A; using Out = A;
  static constexpr bool is_arg = false;
  int prod;
  LU_HD A init() const { return prod ? (A)1 : (A)0; }
  LU_HD A load(T x, int64_t) const { return (A)x; }  /* int -> uint64 wraps */
  LU_HD A combine(A a, A b) const { return prod ? a * b : a + b; }
  LU_HD A step(A a, T x, int64_t) const { return prod ? a * (A)x : a + (A)x; }
  LU_HD A fin(A a) const { return a; }
};

/* min/max propagate NaN (NumPy's minimum/maximum semantics). */
template <class T> struct MinMax {
  using In = T; using Acc = T; using Out = T;
  static constexpr bool is_arg = false;
  int is_max;
  LU_HD T init() const { return is_max ? lowest_<T>() : highest_<T>(); }
  LU_HD T load(T x, int64_t) const { return x; }
  /* NaN in a: a; NaN in b: neither test holds, so b */
  LU_HD T combine(T a, T b) const {
    return is_max ? ((a > b || isnan_(a)) ? a : b) : ((a < b || isnan_(a)) ? a : b);
  }
  LU_HD T step(T a, T x, int64_t) const { return combine(a, x); }
  LU_HD T fin(T a) const { return a; }
};

template <class T> struct ValIdx { T v; int64_t i; };

/* argmin/argmax: the first NaN if there is one, else the first extreme.
** Preferring the smaller index on ties makes combine commutative. */
template <class T> struct Arg {
  using In = T; using Acc = ValIdx<T>; using Out = int64_t;
  static constexpr bool is_arg = true;
  int is_max;
  LU_HD Acc init() const {
    Acc a; a.v = is_max ? lowest_<T>() : highest_<T>(); a.i = INT64_MAX; return a;
  }
  LU_HD Acc load(T x, int64_t r) const { Acc a; a.v = x; a.i = r; return a; }
  LU_HD Acc combine(Acc a, Acc b) const {
    bool an = isnan_(a.v), bn = isnan_(b.v);
    if (an || bn) {
      if (an && bn) return a.i < b.i ? a : b;
      return an ? a : b;
    }
    if (a.v == b.v) return a.i < b.i ? a : b;
    if (is_max) return a.v > b.v ? a : b;
    return a.v < b.v ? a : b;
  }
  /* Fold x (at position r) into a thread's own accumulator, whose positions
  ** only grow: a later equal value never wins, so fewer tests than combine.
  ** An element equal to the init value is never taken; if nothing beats it
  ** anywhere, every element equals it and the answer is 0 (see fin). */
  LU_HD Acc step(Acc a, T x, int64_t r) const {
    bool take = is_max ? x > a.v : x < a.v;
    if constexpr (is_float<T>::value) take = take || (x != x && a.v == a.v);
    if (take) { a.v = x; a.i = r; }
    return a;
  }
  LU_HD int64_t fin(Acc a) const { return a.i == INT64_MAX ? 0 : a.i; }
};

/* any/all on "!= 0" (NaN counts as true, as in NumPy). */
template <class T> struct AnyAll {
  using In = T; using Acc = uint8_t; using Out = uint8_t;
  static constexpr bool is_arg = false;
  int is_any;
  LU_HD uint8_t init() const { return is_any ? 0 : 1; }
  LU_HD uint8_t load(T x, int64_t) const { return x != (T)0; }
  LU_HD uint8_t combine(uint8_t a, uint8_t b) const { return is_any ? (a | b) : (a & b); }
  LU_HD uint8_t step(uint8_t a, T x, int64_t) const { return combine(a, x != (T)0); }
  LU_HD uint8_t fin(uint8_t a) const { return a; }
};
/* }===== */

/* {===== functors handed to CUB */
template <class R> struct CombineOp {
  R r;
  LU_HD typename R::Acc operator()(const typename R::Acc &a, const typename R::Acc &b) const {
    return r.combine(a, b);
  }
};
template <class R> struct LoadOp {
  R r;
  LU_HD typename R::Acc operator()(const typename R::In &x) const { return r.load(x, 0); }
};
template <class R> struct ArgLoadOp {
  R r; const typename R::In *p;
  LU_HD typename R::Acc operator()(int64_t i) const { return r.load(p[i], i); }
};
template <class R> struct FinOp {
  R r;
  LU_HD typename R::Out operator()(const typename R::Acc &a) const { return r.fin(a); }
};
/* }===== */

/* {===== kernels */
constexpr int kThreads = 256;

template <class T> struct alignas(16) vec16 { T v[16 / sizeof(T)]; };

/* Store one result: the final value, or a partial one at [seg][k]. */
template <class R>
__device__ __forceinline__ void put(const R &r, void *dst, int partial, int64_t K,
                                    int64_t seg, int64_t k, typename R::Acc a) {
  if (partial) ((typename R::Acc *)dst)[seg * K + k] = a;
  else ((typename R::Out *)dst)[k] = r.fin(a);
}

/* Fold elements [lo, hi) of one row into acc, thread t of a group of G. */
template <class R, int G>
__device__ __forceinline__ typename R::Acc fold_row(const R &r, const char *row, int64_t s_red,
                                                    int64_t lo, int64_t hi, int t) {
  using T = typename R::In;
  using Acc = typename R::Acc;
  Acc acc = r.init();
  if (s_red == (int64_t)sizeof(T) && ((uintptr_t)row % sizeof(T)) == 0) {
    constexpr int V = 16 / sizeof(T);
    const T *p = (const T *)row;
    int64_t mis = (int64_t)(((uintptr_t)(p + lo)) % 16) / (int64_t)sizeof(T);
    int64_t head = mis ? V - mis : 0;
    if (head > hi - lo) head = hi - lo;
    for (int64_t i = lo + t; i < lo + head; i += G) acc = r.step(acc, p[i], i);
    int64_t b = lo + head;
    int64_t nv = (hi - b) / V;
    const vec16<T> *pv = (const vec16<T> *)(p + b);
    int64_t k = t;
    /* two vectors in flight per thread and iteration */
    for (; k + G < nv; k += 2 * G) {
      vec16<T> x0 = pv[k], x1 = pv[k + G];
#pragma unroll
      for (int e = 0; e < V; e++) acc = r.step(acc, x0.v[e], b + k * V + e);
#pragma unroll
      for (int e = 0; e < V; e++) acc = r.step(acc, x1.v[e], b + (k + G) * V + e);
    }
    if (k < nv) {
      vec16<T> x0 = pv[k];
#pragma unroll
      for (int e = 0; e < V; e++) acc = r.step(acc, x0.v[e], b + k * V + e);
    }
    for (int64_t i = b + nv * V + t; i < hi; i += G) acc = r.step(acc, p[i], i);
  } else {
    const char *q = row + (lo + t) * s_red;
#pragma unroll 4
    for (int64_t i = lo + t; i < hi; i += G, q += G * s_red)
      acc = r.step(acc, *(const T *)q, i);
  }
  return acc;
}

/* Path (b): groups of G threads (G = 1: a thread, for very short rows;
** G = 32: a warp; G = kThreads: the block)
** walk work items (row o, segment s) with a grid-stride loop. */
template <class R, int G>
__global__ void __launch_bounds__(kThreads)
rows_kernel(R r, const char *in, int64_t outer, int64_t red, int64_t s_outer, int64_t s_red,
            int64_t nsplit, int64_t seg_len, void *dst, int partial) {
  using Acc = typename R::Acc;
  constexpr int GPB = kThreads / G;
  using WR = cub::WarpReduce<Acc>;
  using BR = cub::BlockReduce<Acc, kThreads>;
  __shared__ union { typename WR::TempStorage w[GPB]; typename BR::TempStorage b; } tmp;
  int t = threadIdx.x % G, gi = threadIdx.x / G;
  int64_t items = outer * nsplit;
  for (int64_t w = (int64_t)blockIdx.x * GPB + gi; w < items; w += (int64_t)gridDim.x * GPB) {
    int64_t o = w / nsplit, s = w % nsplit;
    int64_t lo = s * seg_len, hi = lo + seg_len < red ? lo + seg_len : red;
    Acc acc = fold_row<R, G>(r, in + o * s_outer, s_red, lo, hi, t);
    if constexpr (G == 1) {
    } else if constexpr (G == 32) {
      acc = WR(tmp.w[gi]).Reduce(acc, CombineOp<R>{r});
    } else {
      acc = BR(tmp.b).Reduce(acc, CombineOp<R>{r});
      __syncthreads();  /* tmp is reused by the next item */
    }
    if (t == 0) put(r, dst, partial, outer, s, o, acc);
  }
}

constexpr int kTX = 32, kTY = 8;

/* Path (c): block (kTX, kTY); work item = (segment s, tile of kTX inner
** positions of one outer index). Adjacent blocks take adjacent tiles. */
template <class R>
__global__ void __launch_bounds__(kTX * kTY)
cols_kernel(R r, const char *in, int64_t outer, int64_t red, int64_t inner, int64_t s_outer,
            int64_t s_red, int64_t s_inner, int64_t nsplit, int64_t seg_len, void *dst,
            int partial) {
  using T = typename R::In;
  using Acc = typename R::Acc;
  __shared__ Acc sm[kTY][kTX + 1];
  int tx = threadIdx.x % kTX, ty = threadIdx.x / kTX;
  int64_t tiles_j = (inner + kTX - 1) / kTX, tiles = outer * tiles_j;
  for (int64_t w = blockIdx.x; w < tiles * nsplit; w += gridDim.x) {
    int64_t s = w / tiles, tl = w % tiles;
    int64_t o = tl / tiles_j, j = (tl % tiles_j) * kTX + tx;
    int64_t lo = s * seg_len, hi = lo + seg_len < red ? lo + seg_len : red;
    Acc acc = r.init();
    if (j < inner) {
      const char *q = in + o * s_outer + j * s_inner + (lo + ty) * s_red;
      int64_t step = kTY * s_red;
#pragma unroll 8
      for (int64_t i = lo + ty; i < hi; i += kTY, q += step)
        acc = r.step(acc, *(const T *)q, i);
    }
    sm[ty][tx] = acc;
    __syncthreads();
    if (ty == 0) {
#pragma unroll
      for (int y = 1; y < kTY; y++) acc = r.combine(acc, sm[y][tx]);
      if (j < inner) put(r, dst, partial, outer * inner, s, o * inner + j, acc);
    }
    __syncthreads();
  }
}

/* Second pass: out[k] = fin(combine over s of part[s*K + k]), a group of G
** threads (a warp, or the block when there are few outputs) per k. */
template <class R, int G>
__global__ void __launch_bounds__(kThreads)
combine_kernel(R r, const typename R::Acc *part, int64_t K, int64_t nsplit,
               typename R::Out *out) {
  using Acc = typename R::Acc;
  constexpr int GPB = kThreads / G;
  using WR = cub::WarpReduce<Acc>;
  using BR = cub::BlockReduce<Acc, kThreads>;
  __shared__ union { typename WR::TempStorage w[GPB]; typename BR::TempStorage b; } tmp;
  int t = threadIdx.x % G, gi = threadIdx.x / G;
  for (int64_t k = (int64_t)blockIdx.x * GPB + gi; k < K; k += (int64_t)gridDim.x * GPB) {
    Acc acc = r.init();
    for (int64_t s = t; s < nsplit; s += G) acc = r.combine(acc, part[s * K + k]);
    if constexpr (G == 32) {
      acc = WR(tmp.w[gi]).Reduce(acc, CombineOp<R>{r});
    } else {
      acc = BR(tmp.b).Reduce(acc, CombineOp<R>{r});
      __syncthreads();
    }
    if (t == 0) out[k] = r.fin(acc);
  }
}
/* }===== */

/* {===== driver */
template <class T> static inline int64_t cdiv(T a, T b) { return (a + b - 1) / b; }

/* Path (a). */
template <class R>
static int reduce_cub(const R &r, const typename R::In *in, int n, typename R::Out *out,
                      cudaStream_t st, const lu_k_scratch *sc) {
  size_t bytes = 0;
  scratch_buf tmp(sc);
  if constexpr (R::is_arg) {
    auto it = thrust::make_transform_iterator(thrust::counting_iterator<int64_t>(0),
                                              ArgLoadOp<R>{r, in});
    auto ot = thrust::make_transform_output_iterator(out, FinOp<R>{r});
    LU_K_TRY(cub::DeviceReduce::Reduce(nullptr, bytes, it, ot, n, CombineOp<R>{r}, r.init(), st));
    if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
    LU_K_TRY(cub::DeviceReduce::Reduce(tmp.p, bytes, it, ot, n, CombineOp<R>{r}, r.init(), st));
  } else {
    LU_K_TRY(cub::DeviceReduce::TransformReduce(nullptr, bytes, in, out, n, CombineOp<R>{r},
                                                LoadOp<R>{r}, r.init(), st));
    if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
    LU_K_TRY(cub::DeviceReduce::TransformReduce(tmp.p, bytes, in, out, n, CombineOp<R>{r},
                                                LoadOp<R>{r}, r.init(), st));
  }
  return last_err();
}

/* Run reducer r over the call's geometry, writing R::Out values to out
** (contiguous, outer*inner). */
template <class R>
static int run_reduce(const R &r, const lu_reduce_call *c, typename R::Out *out,
                      cudaStream_t st, const lu_k_scratch *sc) {
  using T = typename R::In;
  using Acc = typename R::Acc;
  int64_t outer = c->outer, red = c->red, inner = c->inner;
  if (outer <= 0 || inner <= 0) return 0;
  /* arg-reductions take path (b) even here: its per-thread step is cheaper
  ** than CUB's, which applies the full pair combine to every element */
  if (!R::is_arg && outer * inner == 1 && c->s_red == (int64_t)sizeof(T) && red <= INT32_MAX &&
      ((uintptr_t)c->in_ptr % sizeof(T)) == 0)
    return reduce_cub(r, (const T *)c->in_ptr, (int)red, out, st, sc);

  int sms = sm_count();
  int64_t resident = (int64_t)sms * (2048 / kThreads);  /* blocks that fit at once */
  int64_t K = outer * inner, nsplit = 1, seg_len = red, items;
  scratch_buf part(sc);
  if (inner == 1) {
    int G = red <= 16 ? 1 : red <= 1024 ? 32 : kThreads;
    bool warp = G < kThreads;
    if (!warp && outer < resident) {
      /* about one (row, segment) item per resident block, segments of at
      ** least 8192 items: few partials, so the second pass stays short */
      static int occ = 0;  /* blocks per SM of this instantiation */
      if (!occ && cudaOccupancyMaxActiveBlocksPerMultiprocessor(
                      &occ, rows_kernel<R, kThreads>, kThreads, 0) != cudaSuccess) {
        cudaGetLastError();  /* clear it: a launch status is read later */
        occ = 2048 / kThreads;
      }
      nsplit = cdiv<int64_t>((int64_t)sms * (occ > 0 ? occ : 1), outer);
      int64_t maxs = cdiv<int64_t>(red, 8192);
      if (nsplit > maxs) nsplit = maxs;
      if (nsplit > 1) {
        seg_len = cdiv<int64_t>(cdiv<int64_t>(red, nsplit), 64) * 64;
        nsplit = cdiv<int64_t>(red, seg_len);
      }
    }
    void *dst = out;
    if (nsplit > 1) {
      if (!part.get((size_t)(nsplit * K) * sizeof(Acc))) return (int)cudaErrorMemoryAllocation;
      dst = part.p;
    }
    items = outer * nsplit;
    int gpb = kThreads / G;
    int64_t blocks = cdiv<int64_t>(items, gpb);
    if (blocks > resident * 4) blocks = resident * 4;
    if (G == 1)
      rows_kernel<R, 1><<<(unsigned)blocks, kThreads, 0, st>>>(
          r, c->in_ptr, outer, red, c->s_outer, c->s_red, nsplit, seg_len, dst, nsplit > 1);
    else if (G == 32)
      rows_kernel<R, 32><<<(unsigned)blocks, kThreads, 0, st>>>(
          r, c->in_ptr, outer, red, c->s_outer, c->s_red, nsplit, seg_len, dst, nsplit > 1);
    else
      rows_kernel<R, kThreads><<<(unsigned)blocks, kThreads, 0, st>>>(
          r, c->in_ptr, outer, red, c->s_outer, c->s_red, nsplit, seg_len, dst, nsplit > 1);
  } else {
    int64_t tiles = outer * cdiv<int64_t>(inner, kTX);
    if (tiles < resident * 16) {
      /* ~16 work items per resident block so the last wave is short;
      ** segments of at least 64 rows */
      nsplit = cdiv<int64_t>(resident * 16, tiles);
      int64_t maxs = cdiv<int64_t>(red, 64);
      if (nsplit > maxs) nsplit = maxs;
      if (nsplit > 1) {
        seg_len = cdiv<int64_t>(red, nsplit);
        nsplit = cdiv<int64_t>(red, seg_len);
      }
    }
    void *dst = out;
    if (nsplit > 1) {
      if (!part.get((size_t)(nsplit * K) * sizeof(Acc))) return (int)cudaErrorMemoryAllocation;
      dst = part.p;
    }
    items = tiles * nsplit;
    int64_t blocks = items < resident ? items : resident;
    cols_kernel<R><<<(unsigned)blocks, kTX * kTY, 0, st>>>(
        r, c->in_ptr, outer, red, inner, c->s_outer, c->s_red, c->s_inner, nsplit, seg_len,
        dst, nsplit > 1);
  }
  LU_K_TRY(cudaGetLastError());
  if (nsplit > 1) {
    if (K < resident && nsplit > 256) {
      int64_t blocks = K;
      combine_kernel<R, kThreads><<<(unsigned)blocks, kThreads, 0, st>>>(
          r, (const Acc *)part.p, K, nsplit, out);
    } else {
      int64_t blocks = cdiv<int64_t>(K, kThreads / 32);
      if (blocks > resident * 4) blocks = resident * 4;
      combine_kernel<R, 32><<<(unsigned)blocks, kThreads, 0, st>>>(
          r, (const Acc *)part.p, K, nsplit, out);
    }
    LU_K_TRY(cudaGetLastError());
  }
  return 0;
}
/* }===== */

/* Entry points of the per-family files (reduce_sum.cu, reduce_minmax.cu,
** reduce_arg.cu), called by lu_k_reduce in reduce.cu. */
int reduce_sumprod(const lu_reduce_call *c, cudaStream_t st, const lu_k_scratch *sc);
int reduce_minmax(const lu_reduce_call *c, cudaStream_t st, const lu_k_scratch *sc);
int reduce_anyall(const lu_reduce_call *c, cudaStream_t st, const lu_k_scratch *sc);
int reduce_arg(const lu_reduce_call *c, cudaStream_t st, const lu_k_scratch *sc);

}  // namespace lu_k

#endif
