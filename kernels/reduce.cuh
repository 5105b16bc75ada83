/* SPDX-License-Identifier: MIT */
/*
** The reduction kernels, generic over a row of the reduction table
** (reduce_rows.cuh makes one struct per row):
**
**   struct Row { using T, A, R; A init(); A load(T x, int64_t i);
**                A combine(A, A); R fin(A, int64_t n); }
**
** load gets the position i along the reduced axis (the arg-reductions keep
** it). combine is associative and commutative (CUB and the split passes
** combine in no fixed order). step(r, a, x, i) folds one element into a
** thread's own accumulator: combine(a, load(x, i)) unless a row has a
** cheaper specialisation (reduce_rows.cuh).
**
** The paths (lu_k_reduce_plan in lu_kernels.h; the backend plans them):
**   CUB   one output, contiguous input: cub::DeviceReduce::TransformReduce
**         on the raw pointer, so CUB vectorises the loads;
**   ROWS  inner == 1: a thread, a warp or the block per row, with 16-byte
**         loads when the row is contiguous;
**   COLS  inner > 1: a 32 x 8 block per tile of 32 inner positions, each
**         column of threads walking the reduced axis (coalesced across j).
** ROWS and COLS may split the reduced axis into segments whose partial
** accumulators a second kernel combines.
*/
#ifndef lu_reduce_cuh
#define lu_reduce_cuh

#include <type_traits>
#include <cub/cub.cuh>
#include <thrust/iterator/transform_output_iterator.h>
#include "lu_kcommon.cuh"
#include "lu_reducers.h"

namespace lu_k {

#define LU_HD __host__ __device__ __forceinline__
#define LU_D __device__ __forceinline__

constexpr int kThreads = LU_K_RED_THREADS;
constexpr int kTX = LU_K_RED_TX, kTY = LU_K_RED_TY;

/* {===== the types of lu_reduce.def's columns for storage type T */
/* F: float for float32 (the GPU keeps float32 work in float), else double */
template <class T> using fwork_t = typename std::conditional<std::is_same<T, float>::value,
                                                             float, double>::type;
/* S: F for floats, uint64_t for integers (wrapping) */
template <class T> using sum_t = typename std::conditional<is_float<T>::value, fwork_t<T>,
                                                           uint64_t>::type;
/* R: the result's storage type by rule (int64 and uint64 share their bits) */
template <int RULE, class T> struct res {
  using type = T;
};
template <class T> struct res<LU_RR_SUM, T> {
  using type = typename std::conditional<is_float<T>::value, T,
      typename std::conditional<std::is_signed<T>::value, int64_t, uint64_t>::type>::type;
};
template <class T> struct res<LU_RR_INT64, T> { using type = int64_t; };
template <class T> struct res<LU_RR_BOOL, T> { using type = uint8_t; };
template <class T> struct res<LU_RR_FLOAT, T> {
  using type = typename std::conditional<is_float<T>::value, T, double>::type;
};
/* }===== */

/* The generic fold of one element; rows may overload it (reduce_rows.cuh). */
template <class Row>
LU_D typename Row::A step(const Row &r, typename Row::A a, typename Row::T x, int64_t i) {
  return r.combine(a, r.load(x, i));
}

/* {===== functors handed to CUB */
template <class Row> struct CombineOp {
  Row r;
  LU_D typename Row::A operator()(const typename Row::A &a, const typename Row::A &b) const {
    return r.combine(a, b);
  }
};
template <class Row> struct LoadOp {
  Row r;
  LU_D typename Row::A operator()(const typename Row::T &x) const { return r.load(x, 0); }
};
template <class Row> struct FinOp {
  Row r;
  int64_t n;
  LU_D typename Row::R operator()(const typename Row::A &a) const { return r.fin(a, n); }
};
/* }===== */

/* {===== kernels */
template <class T> struct alignas(16) vec16 { T v[16 / sizeof(T)]; };

/* Store one result: the final value, or a partial accumulator at [seg][k]. */
template <class Row>
LU_D void put(const Row &r, void *dst, int partial, int64_t K, int64_t seg, int64_t k,
              typename Row::A a, int64_t n) {
  if (partial) ((typename Row::A *)dst)[seg * K + k] = a;
  else ((typename Row::R *)dst)[k] = r.fin(a, n);
}

/* Fold elements [lo, hi) of one row into an accumulator: thread t of a
** group of G. Positions only grow within a thread (step may rely on it). */
template <class Row>
LU_D typename Row::A fold_row(const Row &r, const char *row, int64_t s_red, int64_t lo,
                              int64_t hi, int t, int G) {
  using T = typename Row::T;
  using A = typename Row::A;
  A acc = r.init();
  if (s_red == (int64_t)sizeof(T) && ((uintptr_t)row % sizeof(T)) == 0) {
    constexpr int V = 16 / sizeof(T);
    const T *p = (const T *)row;
    int64_t mis = (int64_t)(((uintptr_t)(p + lo)) % 16) / (int64_t)sizeof(T);
    int64_t head = mis ? V - mis : 0;
    if (head > hi - lo) head = hi - lo;
    for (int64_t i = lo + t; i < lo + head; i += G) acc = step(r, acc, p[i], i);
    int64_t b = lo + head;
    int64_t nv = (hi - b) / V;
    const vec16<T> *pv = (const vec16<T> *)(p + b);
    int64_t k = t;
    /* two vectors in flight per thread and iteration */
    for (; k + G < nv; k += 2 * G) {
      vec16<T> x0 = pv[k], x1 = pv[k + G];
#pragma unroll
      for (int e = 0; e < V; e++) acc = step(r, acc, x0.v[e], b + k * V + e);
#pragma unroll
      for (int e = 0; e < V; e++) acc = step(r, acc, x1.v[e], b + (k + G) * V + e);
    }
    if (k < nv) {
      vec16<T> x0 = pv[k];
#pragma unroll
      for (int e = 0; e < V; e++) acc = step(r, acc, x0.v[e], b + k * V + e);
    }
    for (int64_t i = b + nv * V + t; i < hi; i += G) acc = step(r, acc, p[i], i);
  } else {
    const char *q = row + (lo + t) * s_red;
#pragma unroll 4
    for (int64_t i = lo + t; i < hi; i += G, q += G * s_red)
      acc = step(r, acc, *(const T *)q, i);
  }
  return acc;
}

/* ROWS: groups of G threads (1: a thread per row, for very short rows;
** 32: a warp; kThreads: the block) walk work items (row o, segment s) with
** a grid-stride loop. */
template <class Row>
__global__ void __launch_bounds__(kThreads)
rows_kernel(Row r, int G, const char *in, int64_t outer, int64_t red, int64_t s_outer,
            int64_t s_red, int64_t nsplit, int64_t seg_len, void *dst, int partial) {
  using A = typename Row::A;
  using WR = cub::WarpReduce<A>;
  using BR = cub::BlockReduce<A, kThreads>;
  __shared__ union { typename WR::TempStorage w[kThreads / 32]; typename BR::TempStorage b; } tmp;
  int t = threadIdx.x % G, gi = threadIdx.x / G, gpb = kThreads / G;
  int64_t items = outer * nsplit;
  for (int64_t w = (int64_t)blockIdx.x * gpb + gi; w < items; w += (int64_t)gridDim.x * gpb) {
    int64_t o = w / nsplit, s = w % nsplit;
    int64_t lo = s * seg_len, hi = lo + seg_len < red ? lo + seg_len : red;
    A acc = fold_row(r, in + o * s_outer, s_red, lo, hi, t, G);
    if (G == 32) {
      acc = WR(tmp.w[gi]).Reduce(acc, CombineOp<Row>{r});
    } else if (G == kThreads) {
      acc = BR(tmp.b).Reduce(acc, CombineOp<Row>{r});
      __syncthreads();  /* tmp is reused by the next item */
    }
    if (t == 0) put(r, dst, partial, outer, s, o, acc, red);
  }
}

/* COLS: block (kTX, kTY); work item = (segment s, tile of kTX inner
** positions of one outer index). Adjacent blocks take adjacent tiles. */
template <class Row>
__global__ void __launch_bounds__(kTX * kTY)
cols_kernel(Row r, const char *in, int64_t outer, int64_t red, int64_t inner, int64_t s_outer,
            int64_t s_red, int64_t s_inner, int64_t nsplit, int64_t seg_len, void *dst,
            int partial) {
  using T = typename Row::T;
  using A = typename Row::A;
  __shared__ A sm[kTY][kTX + 1];
  int tx = threadIdx.x % kTX, ty = threadIdx.x / kTX;
  int64_t tiles_j = (inner + kTX - 1) / kTX, tiles = outer * tiles_j;
  for (int64_t w = blockIdx.x; w < tiles * nsplit; w += gridDim.x) {
    int64_t s = w / tiles, tl = w % tiles;
    int64_t o = tl / tiles_j, j = (tl % tiles_j) * kTX + tx;
    int64_t lo = s * seg_len, hi = lo + seg_len < red ? lo + seg_len : red;
    A acc = r.init();
    if (j < inner) {
      const char *q = in + o * s_outer + j * s_inner + (lo + ty) * s_red;
      int64_t st = kTY * s_red;
#pragma unroll 8
      for (int64_t i = lo + ty; i < hi; i += kTY, q += st)
        acc = step(r, acc, *(const T *)q, i);
    }
    sm[ty][tx] = acc;
    __syncthreads();
    if (ty == 0) {
#pragma unroll
      for (int y = 1; y < kTY; y++) acc = r.combine(acc, sm[y][tx]);
      if (j < inner) put(r, dst, partial, outer * inner, s, o * inner + j, acc, red);
    }
    __syncthreads();
  }
}

/* Second pass: out[k] = fin(combine over s of part[s*K + k], n), a group
** of G threads (a warp, or the block when there are few outputs) per k. */
template <class Row>
__global__ void __launch_bounds__(kThreads)
combine_kernel(Row r, int G, const typename Row::A *part, int64_t K, int64_t nsplit,
               typename Row::R *out, int64_t n) {
  using A = typename Row::A;
  using WR = cub::WarpReduce<A>;
  using BR = cub::BlockReduce<A, kThreads>;
  __shared__ union { typename WR::TempStorage w[kThreads / 32]; typename BR::TempStorage b; } tmp;
  int t = threadIdx.x % G, gi = threadIdx.x / G, gpb = kThreads / G;
  for (int64_t k = (int64_t)blockIdx.x * gpb + gi; k < K; k += (int64_t)gridDim.x * gpb) {
    A acc = r.init();
    for (int64_t s = t; s < nsplit; s += G) acc = r.combine(acc, part[s * K + k]);
    if (G == 32) {
      acc = WR(tmp.w[gi]).Reduce(acc, CombineOp<Row>{r});
    } else {
      acc = BR(tmp.b).Reduce(acc, CombineOp<Row>{r});
      __syncthreads();
    }
    if (t == 0) out[k] = r.fin(acc, n);
  }
}
/* }===== */

/* {===== launching a planned reduction */
/* CUB's full reduction, for rows that have it (see reduce_rows.cuh). */
template <class Row>
static int reduce_cub(const Row &r, const typename Row::T *in, int n, typename Row::R *out,
                      cudaStream_t st, const lu_k_scratch *sc) {
  size_t bytes = 0;
  scratch_buf tmp(sc);
  auto ot = thrust::make_transform_output_iterator(out, FinOp<Row>{r, n});
  LU_K_TRY(cub::DeviceReduce::TransformReduce(nullptr, bytes, in, ot, n, CombineOp<Row>{r},
                                              LoadOp<Row>{r}, r.init(), st));
  if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
  LU_K_TRY(cub::DeviceReduce::TransformReduce(tmp.p, bytes, in, ot, n, CombineOp<Row>{r},
                                              LoadOp<Row>{r}, r.init(), st));
  return last_err();
}

/* Run row r over c's geometry as p says. */
template <class Row, bool HasCub>
static int run_reduce(const Row &r, const lu_reduce_call *c, const lu_k_reduce_plan *p,
                      cudaStream_t st, const lu_k_scratch *sc) {
  using T = typename Row::T;
  using A = typename Row::A;
  using R = typename Row::R;
  int64_t K = c->outer * c->inner;
  R *out = (R *)c->out_ptr;
  scratch_buf part(sc);
  void *dst = out;
  if (K <= 0) return 0;
  if (p->path == LU_K_RED_CUB) {
    if constexpr (HasCub) return reduce_cub(r, (const T *)c->in_ptr, (int)c->red, out, st, sc);
    return (int)cudaErrorInvalidValue;
  }
  if (p->nsplit > 1) {
    if (!part.get((size_t)(p->nsplit * K) * sizeof(A))) return (int)cudaErrorMemoryAllocation;
    dst = part.p;
  }
  if (p->path == LU_K_RED_ROWS)
    rows_kernel<Row><<<p->blocks, kThreads, 0, st>>>(r, p->group, c->in_ptr, c->outer, c->red,
        c->s_outer, c->s_red, p->nsplit, p->seg_len, dst, p->nsplit > 1);
  else
    cols_kernel<Row><<<p->blocks, kTX * kTY, 0, st>>>(r, c->in_ptr, c->outer, c->red, c->inner,
        c->s_outer, c->s_red, c->s_inner, p->nsplit, p->seg_len, dst, p->nsplit > 1);
  LU_K_TRY(cudaGetLastError());
  if (p->nsplit > 1) {
    combine_kernel<Row><<<p->cblocks, kThreads, 0, st>>>(r, p->cgroup, (const A *)part.p, K,
                                                         p->nsplit, out, c->red);
    LU_K_TRY(cudaGetLastError());
  }
  return 0;
}
/* }===== */

/* The entry points of the group files (reduce_g*.cu), instantiated there
** for the rows whose index modulo LU_K_RGROUPS is GR; reduce.cu calls them. */
#define LU_K_RGROUPS 4
template <int GR>
int reduce_group(const lu_reduce_call *c, const lu_k_reduce_plan *p, cudaStream_t st,
                 const lu_k_scratch *sc);
template <int GR>
int reduce_group_info(lu_redop op, lu_dtype dt, lu_k_reduce_info *info);

}  // namespace lu_k

#endif
