/* SPDX-License-Identifier: MIT */
/*
** lu_k_copy_rows: several row copies (a concatenate's pieces) in one
** launch. Each block belongs to one piece (blocks [block0, next block0));
** each thread moves COPY_U accesses of the piece's width, strided by the
** block, loads first. One pass over the grid: on an H200, 4 x 10^8 bytes
** in four pieces took 0.196 ms this way against 0.209 for four
** cudaMemcpyAsync calls and 0.192 for one (bench/RESULTS.md).
*/
#include "lu_kcommon.cuh"

namespace lu_k {

#define COPY_T 256     /* threads a block */
#define COPY_U 2       /* accesses a thread */

template <class V>
__device__ __forceinline__ void copy_piece(const lu_k_copy_piece &p, int64_t b) {
  const int64_t n = p.rowv * p.rows;
  const int64_t i0 = b * (COPY_T * COPY_U) + threadIdx.x;
  V x[COPY_U];
  if (p.rows == 1) {
#pragma unroll
    for (int u = 0; u < COPY_U; u++) {
      int64_t i = i0 + u * COPY_T;
      if (i < n) x[u] = ((const V *)p.src)[i];
    }
#pragma unroll
    for (int u = 0; u < COPY_U; u++) {
      int64_t i = i0 + u * COPY_T;
      if (i < n) ((V *)p.dst)[i] = x[u];
    }
    return;
  }
  int64_t r[COPY_U], c[COPY_U];
#pragma unroll
  for (int u = 0; u < COPY_U; u++) {
    int64_t i = i0 + u * COPY_T;
    r[u] = i / p.rowv;
    c[u] = i - r[u] * p.rowv;
    if (i < n) x[u] = *(const V *)(p.src + r[u] * p.spitch + c[u] * (int64_t)sizeof(V));
  }
#pragma unroll
  for (int u = 0; u < COPY_U; u++)
    if (i0 + u * COPY_T < n) *(V *)(p.dst + r[u] * p.dpitch + c[u] * (int64_t)sizeof(V)) = x[u];
}

/* the call stays in parameter space (__grid_constant__), so indexing its
** pieces by a run-time k makes no local copy */
__global__ void __launch_bounds__(COPY_T) k_copy_rows(const __grid_constant__ lu_k_copy_call c) {
  int k = 0;
  while (k + 1 < c.n && (int64_t)blockIdx.x >= c.p[k + 1].block0) k++;
  const lu_k_copy_piece &p = c.p[k];
  const int64_t b = (int64_t)blockIdx.x - p.block0;
  switch (p.vshift) {
    case 4: copy_piece<uint4>(p, b); break;
    case 3: copy_piece<uint2>(p, b); break;
    case 2: copy_piece<unsigned>(p, b); break;
    case 1: copy_piece<unsigned short>(p, b); break;
    default: copy_piece<unsigned char>(p, b); break;
  }
}

}  // namespace lu_k

extern "C" int64_t lu_k_copy_blocks(int64_t accesses) {
  return (accesses + COPY_T * COPY_U - 1) / (COPY_T * COPY_U);
}

extern "C" int lu_k_copy_rows(const lu_k_copy_call *c, int64_t blocks, const lu_k_env *env) {
  using namespace lu_k;
  if (c->n <= 0 || blocks <= 0) return 0;
  if (blocks > 0x7fffffff) return (int)cudaErrorInvalidConfiguration;
  k_copy_rows<<<(unsigned)blocks, COPY_T, 0, (cudaStream_t)env->stream>>>(*c);
  return last_err();
}
