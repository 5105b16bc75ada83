/* SPDX-License-Identifier: MIT */
/*
** lu_k_random: uniform and normal float32/float64 numbers from the stream
** defined in src/core/lu_philox.h, the same function the CPU backend calls,
** so both devices give the same array for the same (seed, offset).
**
** One pass: each thread computes whole Philox blocks (4 float32 or 2
** float64 values, 16 bytes) and writes each with one vector store when the
** output is aligned to the stream's blocks; the first and last blocks of an
** unaligned call go lane by lane. Grid-stride, sized from the kernel's
** occupancy (the backend's figure, lu_k_env) so that every block of
** threads is resident at once.
*/
#include "lu_kcommon.cuh"
#include "lu_philox.h"
#include "lu_samplers.h"

namespace lu_k {

template <class T> struct vec16;
template <> struct vec16<float> { using type = float4; };
template <> struct vec16<double> { using type = double2; };

template <class T, int DIST>
__device__ __forceinline__ void block_values(uint64_t seed, uint64_t b, T *v) {
  if constexpr (sizeof(T) == 4) lu_philox_values_f32(seed, b, DIST, v);
  else lu_philox_values_f64(seed, b, DIST, v);
}

/* Block first + i holds out elements i*V - lead .. i*V - lead + V - 1
** (lead = offset % V). VEC (lead is 0 and out is 16-byte aligned): every
** block but a partial last one is one aligned 16-byte store. */
template <class T, int DIST, bool VEC, class I>
__global__ void __launch_bounds__(256)
random_kernel(T *__restrict__ out, I n, I nblk, uint64_t seed, uint64_t first, int lead) {
  constexpr int V = 16 / (int)sizeof(T);
  using VT = typename vec16<T>::type;
  const I nfull = VEC ? n / V : 0;
  for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < nblk; i += (I)gridDim.x * blockDim.x) {
    T v[V];
    block_values<T, DIST>(seed, first + (uint64_t)i, v);
    if (VEC && i < nfull) {
      VT w;
      if constexpr (V == 4) { w.x = v[0]; w.y = v[1]; w.z = v[2]; w.w = v[3]; }
      else { w.x = v[0]; w.y = v[1]; }
      reinterpret_cast<VT *>(out)[i] = w;
    } else {
      I j = i * V - lead;
#pragma unroll
      for (int l = 0; l < V; l++)
        if (j + l >= 0 && j + l < n) out[j + l] = v[l];
    }
  }
}

template <class T, int DIST, bool VEC, class I>
static int launch(T *out, int64_t n, uint64_t seed, uint64_t offset, const lu_k_env *env) {
  constexpr int V = 16 / (int)sizeof(T), THREADS = 256;
  uint64_t first = offset / V;
  int lead = (int)(offset % V);
  int64_t nblk = (int64_t)((offset + (uint64_t)n - 1) / V - first + 1);
  auto kernel = random_kernel<T, DIST, VEC, I>;
  int per_sm = env->occupancy(env->ud, (const void *)kernel, THREADS);
  unsigned g = grid_for(env, nblk, THREADS, per_sm);
  kernel<<<g, THREADS, 0, (cudaStream_t)env->stream>>>(out, (I)n, (I)nblk, seed, first, lead);
  return last_err();
}

template <class T, int DIST>
static int launch_i(T *out, int64_t n, uint64_t seed, uint64_t offset, const lu_k_env *env) {
  /* 32-bit indices while i*V + V and n stay below 2^31 */
  bool vec = offset % (16 / sizeof(T)) == 0 && (uintptr_t)out % 16 == 0;
  if (n <= INT32_MAX - 16)
    return vec ? launch<T, DIST, true, int32_t>(out, n, seed, offset, env)
               : launch<T, DIST, false, int32_t>(out, n, seed, offset, env);
  return vec ? launch<T, DIST, true, int64_t>(out, n, seed, offset, env)
             : launch<T, DIST, false, int64_t>(out, n, seed, offset, env);
}

/* {===== the per-element samplers (lu_samplers.def): one thread per
** element, grid-stride; a kernel per row and output type. */
struct sample_args {
  void *out;
  int64_t n;
  uint64_t seed, offset;
  double par[3];
  const double *d_par[3];
  int64_t ilow;
  uint64_t irange;
};

#define LU_K_SMP_PAR(a, k, i) ((a).d_par[k] ? (a).d_par[k][i] : (a).par[k])

/* integers with scalar bounds: thread i computes block first + i, the
** elements 2 (first + i) and 2 (first + i) + 1 of the stream, and writes
** those of them that fall in the call (lead = offset % 2). */
template <class I>
__global__ void __launch_bounds__(256)
integers_kernel(int64_t *__restrict__ out, I n, I nblk, uint64_t seed, uint64_t first, int lead,
                int64_t low, uint64_t range, bool vec) {
  for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < nblk; i += (I)gridDim.x * blockDim.x) {
    uint64_t x0, x1;
    lu_smp_integers_block(seed, first + (uint64_t)i, &x0, &x1);
    I j = 2 * i - lead;
    if (vec && j + 1 < n) {
      longlong2 w;
      w.x = lu_smp_int_of(x0, low, range);
      w.y = lu_smp_int_of(x1, low, range);
      reinterpret_cast<longlong2 *>(out)[i] = w;
    } else {
      if (j >= 0 && j < n) out[j] = lu_smp_int_of(x0, low, range);
      if (j + 1 >= 0 && j + 1 < n) out[j + 1] = lu_smp_int_of(x1, low, range);
    }
  }
}

/* a range below 2^32: lane i of a warp computes block first + i, the
** elements 4 (first + i) .. 4 (first + i) + 3 (lu_smp_integers32_at),
** lead = offset % 4; a rejected word (rare) is finished by its lane, the
** slow path inlined (out of line, its call kept the loop's state live:
** 58-64 registers). The values less low fit 32 bits: a warp whose 128
** elements all lie in out puts them in shared memory and writes them as
** two 512-byte runs, one 16-byte store a lane each; each lane storing its
** own 32 bytes (two stores 32 bytes apart a lane) took 0.89 ms for 10^8
** on an H100, against 0.27 for the 64-bit kernel's 16 bytes a lane. */
template <class I>
__global__ void __launch_bounds__(256)
integers32_kernel(int64_t *__restrict__ out, I n, I nblk, uint64_t seed, uint64_t first, int lead,
                  int64_t low, uint32_t range, uint32_t t, bool vec) {
  __shared__ uint4 stage[8][32];
  const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5;
  const I nfull = vec ? n / 4 : 0;   /* blocks wholly in out (lead is 0) */
  for (I w0 = (I)blockIdx.x * blockDim.x + (I)(threadIdx.x & ~31u); w0 < nblk;
       w0 += (I)gridDim.x * blockDim.x) {
    const I i = w0 + lane;
    uint32_t r[4] = {0, 0, 0, 0};
    if (i < nblk) {
      uint32_t x[4];
      lu_philox_block(seed, first + (uint64_t)i, LU_SMP_ITAG32, x);
#pragma unroll
      for (int l = 0; l < 4; l++) {
        const uint64_t m = (uint64_t)x[l] * range;
        r[l] = (uint32_t)(m >> 32);
        if ((uint32_t)m < t)
          r[l] = (uint32_t)((uint64_t)lu_smp_int32_slow(seed, 4 * (first + (uint64_t)i) + (uint64_t)l, 0, range));
      }
    }
    if (w0 + 32 <= nfull) {          /* warp-uniform */
      stage[wid][lane] = make_uint4(r[0], r[1], r[2], r[3]);
      __syncwarp();
      const uint2 *s2 = reinterpret_cast<const uint2 *>(stage[wid]);
      longlong2 *o = reinterpret_cast<longlong2 *>(out + 4 * w0);
#pragma unroll
      for (int k = 0; k < 2; k++) {
        const uint2 p = s2[32 * k + lane];
        o[32 * k + lane] = make_longlong2((int64_t)((uint64_t)low + p.x), (int64_t)((uint64_t)low + p.y));
      }
      __syncwarp();
    } else if (i < nblk) {
      const I j = 4 * i - lead;
#pragma unroll
      for (int l = 0; l < 4; l++)
        if (j + l >= 0 && j + l < n) out[j + l] = (int64_t)((uint64_t)low + r[l]);
    }
  }
}

template <class I>
static int integers32_launch(const sample_args &a, const lu_k_env *env) {
  constexpr int THREADS = 256;
  uint64_t first = a.offset / 4;
  int lead = (int)(a.offset % 4);
  int64_t nblk = (int64_t)((a.offset + (uint64_t)a.n - 1) / 4 - first + 1);
  const uint32_t range = (uint32_t)a.irange;
  auto kernel = integers32_kernel<I>;
  int per_sm = env->occupancy(env->ud, (const void *)kernel, THREADS);
  unsigned g = grid_for(env, nblk, THREADS, per_sm);
  kernel<<<g, THREADS, 0, (cudaStream_t)env->stream>>>((int64_t *)a.out, (I)a.n, (I)nblk, a.seed,
                                                       first, lead, a.ilow, range,
                                                       (0u - range) % range,   /* lu_smp_int32_t */
                                                       lead == 0 && (uintptr_t)a.out % 16 == 0);
  return last_err();
}

template <class I>
static int integers_launch(const sample_args &a, const lu_k_env *env) {
  constexpr int THREADS = 256;
  if (a.irange != 0 && a.irange <= LU_SMP_IRANGE32) return integers32_launch<I>(a, env);
  uint64_t first = a.offset / 2;
  int lead = (int)(a.offset % 2);
  int64_t nblk = (int64_t)((a.offset + (uint64_t)a.n - 1) / 2 - first + 1);
  auto kernel = integers_kernel<I>;
  int per_sm = env->occupancy(env->ud, (const void *)kernel, THREADS);
  unsigned g = grid_for(env, nblk, THREADS, per_sm);
  kernel<<<g, THREADS, 0, (cudaStream_t)env->stream>>>((int64_t *)a.out, (I)a.n, (I)nblk, a.seed,
                                                       first, lead, a.ilow, a.irange,
                                                       lead == 0 && (uintptr_t)a.out % 16 == 0);
  return last_err();
}

template <int ROW, class T, class I>
__global__ void __launch_bounds__(256) sample_kernel(sample_args a) {
  for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < (I)a.n; i += (I)gridDim.x * blockDim.x) {
    lu_rs s;
    double p[3];
    p[0] = LU_K_SMP_PAR(a, 0, i);
    p[1] = LU_K_SMP_PAR(a, 1, i);
    p[2] = LU_K_SMP_PAR(a, 2, i);
    lu_rs_init(&s, a.seed, a.offset + (uint64_t)i);
    switch (ROW) {
#define LU_SAMPLER(name, np, kind) \
    case LU_SMP_##name: ((T *)a.out)[i] = (T)lu_smp_##name(&s, p); break;
#include "lu_samplers.def"
#undef LU_SAMPLER
    default: break;
    }
  }
}

template <int ROW, class T>
static int sample_launch(const sample_args &a, const lu_k_env *env) {
  constexpr int THREADS = 256;
  if (a.n <= INT32_MAX / 2) {   /* i + the grid stride stays below 2^31 */
    auto kernel = sample_kernel<ROW, T, int32_t>;
    int per_sm = env->occupancy(env->ud, (const void *)kernel, THREADS);
    unsigned g = grid_for(env, a.n, THREADS, per_sm);
    kernel<<<g, THREADS, 0, (cudaStream_t)env->stream>>>(a);
  } else {
    auto kernel = sample_kernel<ROW, T, int64_t>;
    int per_sm = env->occupancy(env->ud, (const void *)kernel, THREADS);
    unsigned g = grid_for(env, a.n, THREADS, per_sm);
    kernel<<<g, THREADS, 0, (cudaStream_t)env->stream>>>(a);
  }
  return last_err();
}

/* real rows for float32 and float64, integer rows for int64 */
template <int ROW, char KIND>
static int sample_row(const sample_args &a, lu_dtype dt, const lu_k_env *env) {
  if constexpr (KIND == 'i') {
    if (dt != LU_INT64) return (int)cudaErrorInvalidValue;
    return sample_launch<ROW, int64_t>(a, env);
  } else {
    if (dt == LU_FLOAT32) return sample_launch<ROW, float>(a, env);
    if (dt == LU_FLOAT64) return sample_launch<ROW, double>(a, env);
    return (int)cudaErrorInvalidValue;
  }
}
/* }===== */

}  // namespace lu_k

extern "C" int lu_k_sample(const lu_sample_call *c, const lu_k_env *env) {
  using namespace lu_k;
  sample_args a;
  if (c->n <= 0) return 0;
  a.out = c->out;
  a.n = c->n;
  a.seed = c->seed;
  a.offset = c->offset;
  for (int k = 0; k < 3; k++) { a.par[k] = c->par[k]; a.d_par[k] = c->d_par[k]; }
  a.ilow = c->ilow;
  a.irange = c->irange;
  if (c->row == LU_SMP_integers && !c->d_par[0] && !c->d_par[1]) {
    if (c->dt != LU_INT64) return (int)cudaErrorInvalidValue;
    return c->n <= INT32_MAX - 512 ? integers_launch<int32_t>(a, env) : integers_launch<int64_t>(a, env);
  }
  switch (c->row) {
#define LU_SAMPLER(name, np, kind) \
  case LU_SMP_##name: return sample_row<LU_SMP_##name, #kind[0]>(a, c->dt, env);
#include "lu_samplers.def"
#undef LU_SAMPLER
  default: return (int)cudaErrorInvalidValue;
  }
}

extern "C" int lu_k_random(lu_dtype dt, void *out, int64_t n, int dist, uint64_t seed,
                           uint64_t offset, const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  if (dist != 0 && dist != 1) return (int)cudaErrorInvalidValue;
  if (dt == LU_FLOAT32)
    return dist ? launch_i<float, 1>((float *)out, n, seed, offset, env)
                : launch_i<float, 0>((float *)out, n, seed, offset, env);
  if (dt == LU_FLOAT64)
    return dist ? launch_i<double, 1>((double *)out, n, seed, offset, env)
                : launch_i<double, 0>((double *)out, n, seed, offset, env);
  return (int)cudaErrorInvalidValue;
}

