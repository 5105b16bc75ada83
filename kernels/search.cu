/* SPDX-License-Identifier: MIT */
/*
** Searching and moving by position: binary search (searchsorted, isin),
** gather/scatter of rows by positions, and the runs of sorted keys
** (unique's values, first positions, counts and run numbers).
*/
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <cub/cub.cuh>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include "lu_kcommon.cuh"

namespace lu_k {
namespace sortfam {   /* this family's kernels: no clash with other files' */

/* Binary search of each v[i] in s (NumPy's order, NaNs last). The NaN
** tail is found once per block (thread 0), so the search proper compares
** with plain < over the numbers only: a NaN query goes to the tail's start
** (left) or the end (right), as NaN-aware comparisons would put it. I is
** the index type: 32 bits when n allows, fewer registers and cheaper
** arithmetic in the loop.
**
** A long s is searched in up to three levels (`levels`), each narrowing
** the next one's range, so that fewer of a search's loads reach the L2:
**   1. the samples smp[j] = t[j * step] of the level below (t = aux or s),
**      SMP of them in each block's shared memory: the first ten steps,
**      which every query takes through the same few elements, cost no
**      trip to memory;
**   2. aux[j] = s[j * CH] (level 3 only, built by the launcher before the
**      search): 4 bytes of every 128 of s, small enough to stay in the
**      SMs' L1 (125 KB for 10^6 float32);
**   3. s itself, in the one stretch of CH elements that aux leaves: the
**      last five steps, in at most four sectors.
** 10^7 queries into 10^6 float32 on an H100 (2026-12-06): 0.788 ms
** searching s alone, 0.787 with the samples, 0.735 with all three levels,
** CuPy 0.678; the loads that reach the L2 are not all of the time. Where
** the samples of aux fit in SMP (s up to SMP * CH^2), the default is
** search_coop_kernel, levels 2 and 3 a warp at a time: 0.708-0.720 ms
** against 0.736-0.739 (session 14, H100). Since session 15 the default is
** search_vec_kernel (levels 5): each lane reads its whole block of aux,
** then of s, by independent 16-byte loads and counts it in registers,
** 0.671-0.673 ms against the warp's 0.710-0.713 and CuPy's 0.676-0.677
** (H100, one run; ncu: 32 registers, 97% occupancy, memory 98% busy).
** LUNAR_SEARCH_LEVELS=1 to 4 gives the older forms (s not 16-byte
** aligned: levels 4). */
constexpr int SMP = 1024, CH = 32;

/* The position in [lo, hi] of x in the sorted p[lo..hi): the first of its
** elements not below x (left: e < x), or not at most x (right) */
template <class T, class I>
__device__ __forceinline__ I bound(const T *p, I lo, I hi, T x, int right) {
  I len = hi - lo;
  if (right) {
    /* branch-free upper bound: the comparison picks the next base */
    while (len > 1) { I h = len >> 1; lo = !(x < p[lo + h]) ? lo + h : lo; len -= h; }
    if (hi > lo) lo += !(x < p[lo]);
  } else {
    while (len > 1) { I h = len >> 1; lo = p[lo + h] < x ? lo + h : lo; len -= h; }
    if (hi > lo) lo += p[lo] < x;
  }
  return lo;
}

/* Given k, the position of x among the samples t[j * step] of t[0..len),
** the range [lo, hi] that holds its position in t */
template <class I>
__device__ __forceinline__ void narrow(I k, I step, I len, I *lo, I *hi) {
  if (k == 0) { *lo = 0; *hi = 0; return; }
  *lo = (k - 1) * step + 1;
  *hi = k * step < len ? k * step : len;
}

/* How many of s[0..n) come before its NaN tail: found once per block
** (thread 0, through *tail in shared memory), every thread gets it */
template <class T, class I>
__device__ __forceinline__ I numbers(const T *s, I n, I *tail) {
  if constexpr (std::is_integral<T>::value) {
    return n;
  } else {
    if (threadIdx.x == 0) {
      I lo = 0, len = n;   /* the first NaN: s[lo..] are NaN, the rest not */
      while (len > 0) {
        I h = len >> 1;
        if (!isnan_(s[lo + h])) { lo += h + 1; len -= h + 1; } else len = h;
      }
      *tail = lo;
    }
    __syncthreads();
    return *tail;
  }
}

template <class T, class I>
__global__ void search_kernel(const T *s, I n, const T *aux, const T *v, int64_t m, int right,
                              int found, int invert, void *out, int64_t base, int sampled) {
  __shared__ I tail;
  __shared__ alignas(16) unsigned char raw[SMP * sizeof(T)];
  T *smp = reinterpret_cast<T *>(raw);
  const I nv = numbers<T, I>(s, n, &tail);
  /* the level the samples are taken from: aux (its na entries are all
  ** numbers) or s; each stretch between two samples holds step - 1 */
  const I na = aux ? (nv + CH - 1) / CH : 0;
  const T *t = aux ? aux : s;
  const I nt = aux ? na : nv;
  const I step = sampled && nt >= 4 * SMP ? (nt + SMP - 1) / SMP : 0;
  const int ns = step ? (int)((nt + step - 1) / step) : 0;
  for (int j = threadIdx.x; j < ns; j += blockDim.x) smp[j] = t[(I)j * step];
  if (ns) __syncthreads();
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < m;
       i += (int64_t)gridDim.x * blockDim.x) {
    T x = v[i];
    I lo = 0, hi = nv;   /* the answer lies in [lo, hi] */
    if (isnan_(x)) {
      lo = right ? n : nv;
    } else {
      I tlo = 0, thi = nt;
      if (ns) narrow<I>((I)bound<T, int>(smp, 0, ns, x, right), step, nt, &tlo, &thi);
      if (aux) narrow<I>(bound<T, I>(aux, tlo, thi, x, right), (I)CH, nv, &lo, &hi);
      else { lo = tlo; hi = thi; }
      lo = bound<T, I>(s, lo, hi, x, right);
    }
    if (found) ((uint8_t *)out)[i] = (uint8_t)((lo < n && s[lo] == x) != (invert != 0));
    else ((int64_t *)out)[i] = (int64_t)lo + base;
  }
}

/* Any element type through a warp shuffle, as its bits */
template <class T>
__device__ __forceinline__ T shfl_bits(T v, int src) {
  if constexpr (sizeof(T) <= 4) {
    unsigned u = 0;
    memcpy(&u, &v, sizeof(T));
    u = __shfl_sync(0xffffffffu, u, src);
    memcpy(&v, &u, sizeof(T));
  } else {
    unsigned long long u;
    memcpy(&u, &v, sizeof(T));
    u = __shfl_sync(0xffffffffu, u, src);
    memcpy(&v, &u, sizeof(T));
  }
  return v;
}

/* For each lane with need: how many of the CH elements of block b
** (p[b * CH ..], up to len) come before x (left: e < x; right: e <= x).
** The warp reads one block per query, the 32 lanes side by side: one
** aligned 128-byte line of float32 (one L1 wavefront) where a lane's own
** binary search of the block took five loads from lines of its own. */
template <class T>
__device__ __forceinline__ int block_count(const T *p, int b, int len, T x, int right, bool need,
                                           int lane) {
  unsigned todo = __ballot_sync(0xffffffffu, need);
  int res = 0;
  while (todo) {
    const int q = __ffs(todo) - 1;
    todo &= todo - 1;
    const int bq = __shfl_sync(0xffffffffu, b, q);
    const T xq = shfl_bits(x, q);
    const int j = bq * CH + lane;
    bool before = false;
    if (j < len) {
      const T e = p[j];
      before = right ? !(xq < e) : e < xq;
    }
    const unsigned bal = __ballot_sync(0xffffffffu, before);
    if (lane == q) res = __popc(bal);
  }
  return res;
}

/* The start of levels 4 and 5: nv numbers before s's NaN tail, na
** entries of aux, and smp[0..ns) every CH-th of them, in shared memory */
template <class T>
__device__ __forceinline__ void aux_samples(const T *s, int n, const T *aux, T *smp, int *tail,
                                            int *nv, int *na, int *ns) {
  *nv = numbers<T, int>(s, n, tail);
  *na = (*nv + CH - 1) / CH;
  *ns = (*na + CH - 1) / CH;
  for (int j = threadIdx.x; j < *ns; j += blockDim.x) smp[j] = aux[j * CH];
  __syncthreads();
}

/* search_kernel's levels 2 and 3 a warp at a time (levels 4):
** smp holds every CH-th element of aux (every CH^2-th of s; n up to CH^2 *
** SMP), a lane's binary search there gives its block of aux, the warp
** counts in that block (block_count), then in the block of s it names.
** 32-bit positions; the warp stays whole through the grid-stride loop. */
template <class T>
__global__ void search_coop_kernel(const T *s, int n, const T *aux, const T *v, int64_t m,
                                   int right, int found, int invert, void *out, int64_t base) {
  __shared__ int tail;
  __shared__ alignas(16) unsigned char raw[SMP * sizeof(T)];
  T *smp = reinterpret_cast<T *>(raw);
  const int lane = threadIdx.x & 31;
  int nv, na, ns;
  aux_samples<T>(s, n, aux, smp, &tail, &nv, &na, &ns);
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  for (int64_t w0 = (int64_t)blockIdx.x * blockDim.x + (threadIdx.x - lane); w0 < m; w0 += stride) {
    const int64_t i = w0 + lane;
    const bool live = i < m;
    const T x = live ? v[i] : T(0);
    const bool nan = live && isnan_(x);
    /* how many samples come before x: its block of aux is the one before */
    const int k1 = live && !nan ? bound<T, int>(smp, 0, ns, x, right) : 0;
    const int b1 = k1 - 1, k2 = b1 * CH + block_count<T>(aux, b1, na, x, right, k1 > 0, lane);
    const int b2 = k2 - 1, k3 = b2 * CH + block_count<T>(s, b2, nv, x, right, k1 > 0, lane);
    if (!live) continue;
    const int lo = nan ? (right ? n : nv) : k1 > 0 ? k3 : 0;
    if (found) ((uint8_t *)out)[i] = (uint8_t)((lo < n && s[lo] == x) != (invert != 0));
    else ((int64_t *)out)[i] = (int64_t)lo + base;
  }
}

/* How many of the CH elements of block b of p (p[b * CH ..], up to len)
** come before x (left: e < x; right: e <= x), by one lane: a whole block
** (p 16-byte aligned) is read by independent 16-byte loads, one trip to
** memory, and counted in registers; the partial last block element by
** element. */
template <class T>
__device__ __forceinline__ int block_rank(const T *p, int b, int len, T x, int right) {
  constexpr int PER = 16 / (int)sizeof(T), HALF = CH * (int)sizeof(T) / 16 / 2;
  const int j0 = b * CH;
  int c = 0;
  if (j0 + CH <= len) {
    const uint4 *q = reinterpret_cast<const uint4 *>(p + j0);
#pragma unroll
    for (int h = 0; h < 2; h++) {   /* in halves: 8-byte types held 64 registers whole */
      uint4 w[HALF];
#pragma unroll
      for (int k = 0; k < HALF; k++) w[k] = __ldg(q + h * HALF + k);
#pragma unroll
      for (int k = 0; k < HALF; k++) {
        T e[PER];
        memcpy(e, &w[k], 16);
#pragma unroll
        for (int l = 0; l < PER; l++) c += right ? !(x < e[l]) : e[l] < x;
      }
    }
  } else {
    for (int j = j0; j < len; j++) c += right ? !(x < p[j]) : p[j] < x;
  }
  return c;
}

/* search_coop_kernel's levels with each lane on its own query
** (block_rank): no shuffles or votes, and a block's loads in flight at
** once (levels 5, the default; s 16-byte aligned) */
template <class T>
__global__ void search_vec_kernel(const T *s, int n, const T *aux, const T *v, int64_t m,
                                  int right, int found, int invert, void *out, int64_t base) {
  __shared__ int tail;
  __shared__ alignas(16) unsigned char raw[SMP * sizeof(T)];
  T *smp = reinterpret_cast<T *>(raw);
  int nv, na, ns;
  aux_samples<T>(s, n, aux, smp, &tail, &nv, &na, &ns);
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < m;
       i += (int64_t)gridDim.x * blockDim.x) {
    const T x = v[i];
    int lo;
    if (isnan_(x)) {
      lo = right ? n : nv;
    } else {
      const int k1 = bound<T, int>(smp, 0, ns, x, right);
      if (k1 == 0) {
        lo = 0;
      } else {
        const int k2 = (k1 - 1) * CH + block_rank<T>(aux, k1 - 1, na, x, right);
        lo = k2 == 0 ? 0 : (k2 - 1) * CH + block_rank<T>(s, k2 - 1, nv, x, right);
      }
    }
    if (found) ((uint8_t *)out)[i] = (uint8_t)((lo < n && s[lo] == x) != (invert != 0));
    else ((int64_t *)out)[i] = (int64_t)lo + base;
  }
}

/* aux[j] = s[j * CH], j < na */
template <class T, class I>
__global__ void every_kernel(const T *s, I na, T *aux) {
  for (I j = (I)blockIdx.x * blockDim.x + threadIdx.x; j < na; j += (I)gridDim.x * blockDim.x)
    aux[j] = s[(int64_t)j * CH];   /* j * CH passes 2^31 for n over 2^31 */
}

/* gather / scatter of elements of type U by positions, row by row */
template <class U>
__global__ void gather_kernel(int64_t nrow, const U *in, int64_t in_rs, const int64_t *idx, int64_t idx_rs,
                              int64_t nidx, int64_t base, U *out) {
  int64_t n = nrow * nidx;
  for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < n;
       t += (int64_t)gridDim.x * blockDim.x) {
    int64_t r = t / nidx, i = t - r * nidx;
    out[t] = in[r * in_rs + idx[r * idx_rs + i] - base];
  }
}

template <class U>
__global__ void scatter_kernel(int64_t nrow, const U *in, const int64_t *idx, int64_t nidx, int64_t base,
                               U *out, int64_t out_rs) {
  int64_t n = nrow * nidx;
  for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < n;
       t += (int64_t)gridDim.x * blockDim.x) {
    int64_t r = t / nidx;
    out[r * out_rs + idx[t] - base] = in[t];
  }
}

/* an element of w words of U: gathers move w words per position */
template <class U>
__global__ void gather_words(int64_t nrow, const U *in, int64_t in_rs, const int64_t *idx, int64_t idx_rs,
                             int64_t nidx, int64_t base, U *out, int64_t w) {
  int64_t n = nrow * nidx * w;
  for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < n;
       t += (int64_t)gridDim.x * blockDim.x) {
    int64_t e = t / w, k = t - e * w, r = e / nidx, i = e - r * nidx;
    out[t] = in[(r * in_rs + idx[r * idx_rs + i] - base) * w + k];
  }
}

template <class U>
__global__ void scatter_words(int64_t nrow, const U *in, const int64_t *idx, int64_t nidx, int64_t base,
                              U *out, int64_t out_rs, int64_t w) {
  int64_t n = nrow * nidx * w;
  for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < n;
       t += (int64_t)gridDim.x * blockDim.x) {
    int64_t e = t / w, k = t - e * w, r = e / nidx;
    out[(r * out_rs + idx[e] - base) * w + k] = in[t];
  }
}

/* {===== runs */
template <class T>
__global__ void fresh_kernel(const T *k, int64_t n, int equal_nan, uint8_t *f) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    bool fr = true;
    if (i > 0) {
      T a = k[i], b = k[i - 1];
      fr = !(a == b || (equal_nan && isnan_(a) && isnan_(b)));
    }
    f[i] = fr;
  }
}

/* count[r] = start[r+1] - start[r] (the last up to n); start += base */
__global__ void counts_kernel(int64_t *start, int64_t *count, const int64_t *nruns, int64_t n,
                              int64_t base) {
  int64_t m = *nruns;
  for (int64_t r = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; r < m;
       r += (int64_t)gridDim.x * blockDim.x)
    if (count) count[r] = (r + 1 < m ? start[r + 1] : n) - start[r];
}

__global__ void add_kernel(int64_t *x, const int64_t *nruns, int64_t n, int64_t k) {
  int64_t m = nruns ? *nruns : n;
  for (int64_t r = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; r < m;
       r += (int64_t)gridDim.x * blockDim.x)
    x[r] += k;
}

struct ToI64 {
  __host__ __device__ __forceinline__ int64_t operator()(uint8_t f) const { return f; }
};
/* }===== */

}  // namespace sortfam
}  // namespace lu_k

using namespace lu_k;
using namespace lu_k::sortfam;

extern "C" int lu_k_search(const lu_search_call *c, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  static int levels = -1;
  if (levels < 0) {
    const char *e = getenv("LUNAR_SEARCH_LEVELS");
    levels = e != NULL && e[0] >= '1' && e[0] <= '5' && e[1] == 0 ? e[0] - '0' : 5;
  }
  if (c->m <= 0) return 0;
  return dispatch(c->dt, [&](auto tg, bool) -> int {
    using T = typename decltype(tg)::type;
    const T *s = (const T *)c->sorted;
    /* aux where its samples fill the shared memory: s of 4 * SMP * CH */
    scratch_buf aux(&env->scratch);
    if (levels >= 3 && c->n >= 4 * SMP * CH) {
      const int64_t na = (c->n + CH - 1) / CH;
      if (!aux.get((size_t)na * sizeof(T))) return (int)cudaErrorMemoryAllocation;
      if (na < INT32_MAX)
        every_kernel<T, int32_t><<<grid_for(env, na, 256), 256, 0, st>>>(s, (int32_t)na, (T *)aux.p);
      else
        every_kernel<T, int64_t><<<grid_for(env, na, 256), 256, 0, st>>>(s, na, (T *)aux.p);
      LU_K_TRY(cudaGetLastError());
    }
    const int sampled = levels >= 2;
    if (levels == 5 && aux.p != NULL && c->n <= (int64_t)SMP * CH * CH &&
        (uintptr_t)s % 16 == 0)
      search_vec_kernel<T><<<grid_for(env, c->m, 256), 256, 0, st>>>(
          s, (int)c->n, (const T *)aux.p, (const T *)c->v, c->m, c->right, c->found, c->invert,
          c->out, c->base);
    else if (levels >= 4 && aux.p != NULL && c->n <= (int64_t)SMP * CH * CH)
      search_coop_kernel<T><<<grid_for(env, c->m, 256), 256, 0, st>>>(
          s, (int)c->n, (const T *)aux.p, (const T *)c->v, c->m, c->right, c->found, c->invert,
          c->out, c->base);
    else if (c->n < INT32_MAX)
      search_kernel<T, int32_t><<<grid_for(env, c->m, 256), 256, 0, st>>>(
          s, (int32_t)c->n, (const T *)aux.p, (const T *)c->v, c->m, c->right, c->found,
          c->invert, c->out, c->base, sampled);
    else
      search_kernel<T, int64_t><<<grid_for(env, c->m, 256), 256, 0, st>>>(
          s, c->n, (const T *)aux.p, (const T *)c->v, c->m, c->right, c->found, c->invert,
          c->out, c->base, sampled);
    return last_err();
  });
}

extern "C" int lu_k_sortgather(int elsize, int64_t nrow, const void *in, int64_t in_rs, const int64_t *idx,
                           int64_t idx_rs, int64_t nidx, int64_t base, void *out,
                           const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  int64_t n = nrow * nidx;
  if (n <= 0) return 0;
  unsigned g = grid_for(env, n, 256);
  switch (elsize) {
    case 1: gather_kernel<uint8_t><<<g, 256, 0, st>>>(nrow, (const uint8_t *)in, in_rs, idx, idx_rs, nidx, base, (uint8_t *)out); break;
    case 2: gather_kernel<uint16_t><<<g, 256, 0, st>>>(nrow, (const uint16_t *)in, in_rs, idx, idx_rs, nidx, base, (uint16_t *)out); break;
    case 4: gather_kernel<uint32_t><<<g, 256, 0, st>>>(nrow, (const uint32_t *)in, in_rs, idx, idx_rs, nidx, base, (uint32_t *)out); break;
    case 8: gather_kernel<uint64_t><<<g, 256, 0, st>>>(nrow, (const uint64_t *)in, in_rs, idx, idx_rs, nidx, base, (uint64_t *)out); break;
    default:
      if (elsize % 8 == 0)
        gather_words<uint64_t><<<grid_for(env, n * (elsize / 8), 256), 256, 0, st>>>(
            nrow, (const uint64_t *)in, in_rs, idx, idx_rs, nidx, base, (uint64_t *)out, elsize / 8);
      else if (elsize % 4 == 0)
        gather_words<uint32_t><<<grid_for(env, n * (elsize / 4), 256), 256, 0, st>>>(
            nrow, (const uint32_t *)in, in_rs, idx, idx_rs, nidx, base, (uint32_t *)out, elsize / 4);
      else
        gather_words<uint8_t><<<grid_for(env, n * elsize, 256), 256, 0, st>>>(
            nrow, (const uint8_t *)in, in_rs, idx, idx_rs, nidx, base, (uint8_t *)out, elsize);
  }
  return last_err();
}

extern "C" int lu_k_sortscatter(int elsize, int64_t nrow, const void *in, const int64_t *idx, int64_t nidx,
                            int64_t base, void *out, int64_t out_rs, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  int64_t n = nrow * nidx;
  if (n <= 0) return 0;
  unsigned g = grid_for(env, n, 256);
  switch (elsize) {
    case 1: scatter_kernel<uint8_t><<<g, 256, 0, st>>>(nrow, (const uint8_t *)in, idx, nidx, base, (uint8_t *)out, out_rs); break;
    case 2: scatter_kernel<uint16_t><<<g, 256, 0, st>>>(nrow, (const uint16_t *)in, idx, nidx, base, (uint16_t *)out, out_rs); break;
    case 4: scatter_kernel<uint32_t><<<g, 256, 0, st>>>(nrow, (const uint32_t *)in, idx, nidx, base, (uint32_t *)out, out_rs); break;
    case 8: scatter_kernel<uint64_t><<<g, 256, 0, st>>>(nrow, (const uint64_t *)in, idx, nidx, base, (uint64_t *)out, out_rs); break;
    default:
      if (elsize % 8 == 0)
        scatter_words<uint64_t><<<grid_for(env, n * (elsize / 8), 256), 256, 0, st>>>(
            nrow, (const uint64_t *)in, idx, nidx, base, (uint64_t *)out, out_rs, elsize / 8);
      else if (elsize % 4 == 0)
        scatter_words<uint32_t><<<grid_for(env, n * (elsize / 4), 256), 256, 0, st>>>(
            nrow, (const uint32_t *)in, idx, nidx, base, (uint32_t *)out, out_rs, elsize / 4);
      else
        scatter_words<uint8_t><<<grid_for(env, n * elsize, 256), 256, 0, st>>>(
            nrow, (const uint8_t *)in, idx, nidx, base, (uint8_t *)out, out_rs, elsize);
  }
  return last_err();
}

/* The runs of c->keys; the number of runs goes to d_nruns (device). */
extern "C" int lu_k_runs(const lu_runs_call *c, int64_t *d_nruns, const lu_k_env *env) {
  cudaStream_t st = (cudaStream_t)env->stream;
  const lu_k_scratch *sc = &env->scratch;
  int64_t n = c->n;
  return dispatch(c->dt, [&](auto tg, bool) -> int {
    using T = typename decltype(tg)::type;
    scratch_buf fl(sc), tmp(sc), st0(sc), n2(sc);
    unsigned g = grid_for(env, n, 256);
    /* values and counts alone (unique(return_counts=true)): one pass of
    ** DeviceRunLengthEncode, where == is the runs' equality (integers and
    ** bool; floats unless NaNs must be equal) */
    if (c->vals && c->count && !c->start && !c->id &&
        (std::is_integral<T>::value || (std::is_floating_point<T>::value && !c->equal_nan))) {
      size_t rb = 0;
      LU_K_TRY(cub::DeviceRunLengthEncode::Encode(nullptr, rb, (const T *)c->keys, (T *)c->vals,
                                                  c->count, d_nruns, n, st));
      if (!tmp.get(rb)) return (int)cudaErrorMemoryAllocation;
      LU_K_TRY(cub::DeviceRunLengthEncode::Encode(tmp.p, rb, (const T *)c->keys, (T *)c->vals,
                                                  c->count, d_nruns, n, st));
      return last_err();
    }
    if (!fl.get((size_t)n) || !n2.get(sizeof(int64_t))) return (int)cudaErrorMemoryAllocation;
    uint8_t *f = (uint8_t *)fl.p;
    fresh_kernel<T><<<g, 256, 0, st>>>((const T *)c->keys, n, c->equal_nan, f);
    LU_K_TRY(cudaGetLastError());
    /* the run heads' positions: always, they give the count */
    int64_t *start = c->start;
    if (start == nullptr) {
      if (!st0.get((size_t)n * sizeof(int64_t))) return (int)cudaErrorMemoryAllocation;
      start = (int64_t *)st0.p;
    }
    size_t bytes = 0;
    thrust::counting_iterator<int64_t> iota(0);
    LU_K_TRY(cub::DeviceSelect::Flagged(nullptr, bytes, iota, f, start, d_nruns, n, st));
    if (!tmp.get(bytes)) return (int)cudaErrorMemoryAllocation;
    LU_K_TRY(cub::DeviceSelect::Flagged(tmp.p, bytes, iota, f, start, d_nruns, n, st));
    if (c->vals) {
      scratch_buf t2(sc);
      bytes = 0;
      LU_K_TRY(cub::DeviceSelect::Flagged(nullptr, bytes, (const T *)c->keys, f, (T *)c->vals,
                                          (int64_t *)n2.p, n, st));
      if (!t2.get(bytes)) return (int)cudaErrorMemoryAllocation;
      LU_K_TRY(cub::DeviceSelect::Flagged(t2.p, bytes, (const T *)c->keys, f, (T *)c->vals,
                                          (int64_t *)n2.p, n, st));
    }
    if (c->count) {
      counts_kernel<<<g, 256, 0, st>>>(start, c->count, d_nruns, n, c->base);
      LU_K_TRY(cudaGetLastError());
    }
    if (c->start && c->base != 0) {
      add_kernel<<<g, 256, 0, st>>>(c->start, d_nruns, n, c->base);
      LU_K_TRY(cudaGetLastError());
    }
    if (c->id) {
      scratch_buf t3(sc);
      auto f64 = thrust::make_transform_iterator(f, ToI64{});
      bytes = 0;
      LU_K_TRY(cub::DeviceScan::InclusiveSum(nullptr, bytes, f64, c->id, n, st));
      if (!t3.get(bytes)) return (int)cudaErrorMemoryAllocation;
      LU_K_TRY(cub::DeviceScan::InclusiveSum(t3.p, bytes, f64, c->id, n, st));
      add_kernel<<<g, 256, 0, st>>>(c->id, nullptr, n, c->base - 1);
    }
    return last_err();
  });
}
