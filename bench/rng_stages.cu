// SPDX-License-Identifier: MIT
// bench/rng_stages.cu: the kernels behind issue 9's Generator rows (normal float32 and
// integers [0, 1000), 10^8 values), each timed alone with events (median of 20), beside
// the stream's plain uniform kernel, which only computes Philox blocks and stores them:
// the float32 normals' first kernel (fast test, NaNs, ballots) and second (the failed
// words), the fast test alone (values stored, failures not recorded), and the integers
// kernels for a range below 2^32 and for 2^40. It builds on kernels/random.cu itself, so
// it times the kernels lunar launches, with lunar's grid (every block resident).
//   nvcc -O3 -arch=sm_90 -std=c++17 -Ikernels -Isrc/core -Isrc -I. bench/rng_stages.cu -o rng_stages
//   ./rng_stages [n]
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>
#include <cstring>
#include "../kernels/random.cu"

#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { \
  printf("ERR %s line %d: %s\n", #x, __LINE__, cudaGetErrorString(e_)); exit(1); } } while (0)

static cudaEvent_t e0, e1;
static int sms;

template <class F> static float median(F f) {
  std::vector<float> t;
  for (int r = 0; r < 23; r++) {
    CK(cudaDeviceSynchronize());
    cudaEventRecord(e0);
    f();
    cudaEventRecord(e1);
    CK(cudaEventSynchronize(e1));
    float ms;
    cudaEventElapsedTime(&ms, e0, e1);
    if (r >= 3) t.push_back(ms);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <class K> static unsigned grid(K k, int64_t items) {
  int per = 0;
  CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per, k, 256, 0));
  int64_t need = (items + 255) / 256, g = (int64_t)sms * per;
  return (unsigned)(need < g ? need : g);
}

// the fast test alone: every word's value stored, failures not recorded
__global__ void __launch_bounds__(256) fast_only(float *__restrict__ out, int nblk, uint64_t seed) {
  __shared__ uint2 tab[256];
  tab[threadIdx.x] = make_uint2(LU_ZIG_K[threadIdx.x], __float_as_uint(LU_ZIG_W[threadIdx.x]));
  __syncthreads();
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < nblk; i += gridDim.x * blockDim.x) {
    float v[4];
    (void)lu_k::zig_fast_block<false>(tab, seed, (uint64_t)i, v);
    reinterpret_cast<float4 *>(out)[i] = make_float4(v[0], v[1], v[2], v[3]);
  }
}

// a candidate second kernel: each warp takes 128 ballots, queues their set
// bits in shared memory (a warp's scan of the counts) and finishes them 32
// at a time, every lane busy; the shipped kernel gives each ballot a thread,
// whose lanes idle where their ballot is empty
template <class I>
__global__ void __launch_bounds__(256)
maskfix_compact(float *__restrict__ out, I n, I nblk, uint64_t seed, uint64_t first, int lead,
                const uint32_t *__restrict__ masks) {
  constexpr int C = 4, Q = 32 * 32 + 32;
  __shared__ uint16_t queue[8][Q];
  const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5;
  uint16_t *q = queue[wid];
  const I nb = (nblk + 31) / 32 * 4;
  const I warps = (I)gridDim.x * 8;
  for (I chunk = ((I)blockIdx.x * 8 + wid) * 32 * C; chunk < nb; chunk += warps * 32 * C) {
    uint32_t m[C];
#pragma unroll
    for (int c = 0; c < C; c++) {
      const I u = chunk + c * 32 + lane;
      m[c] = u < nb ? masks[u] : 0u;
    }
    int fill = 0;
    auto finish = [&](int at) {
      const int r = q[at];
      const I u = chunk + (r >> 5);
      const uint64_t i = (uint64_t)(u / 4) * 32 + (uint64_t)(r & 31);
      lu_k::normal_f32_finish(out, (int64_t)n, seed, first, lead, 4 * i + (uint64_t)(u % 4));
    };
#pragma unroll
    for (int c = 0; c < C; c++) {
      const int cnt = __popc(m[c]);
      int x = cnt;
#pragma unroll
      for (int d = 1; d < 32; d <<= 1) {
        const int y = __shfl_up_sync(0xffffffffu, x, d);
        if (lane >= d) x += y;
      }
      const int tot = __shfl_sync(0xffffffffu, x, 31);
      int at = fill + x - cnt;
      uint32_t mm = m[c];
      while (mm) {
        const int b = __ffs((int)mm) - 1;
        mm &= mm - 1u;
        q[at++] = (uint16_t)(((c * 32 + lane) << 5) | b);
      }
      fill += tot;
      __syncwarp();
      while (fill >= 32) {
        fill -= 32;
        finish(fill + lane);
      }
      __syncwarp();
    }
    if (lane < fill) finish(lane);
    __syncwarp();
  }
}

int main(int argc, char **argv) {
  using namespace lu_k;
  int n = argc > 1 ? atoi(argv[1]) : 100000000;
  int nblk = (n + 3) / 4;
  uint64_t seed = 7;
  cudaDeviceProp p;
  CK(cudaGetDeviceProperties(&p, 0));
  sms = p.multiProcessorCount;
  printf("%s, %d SMs; n = %d\n", p.name, sms, n);
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  float *f;
  int64_t *iv;
  uint4 *masks;
  int nw = (nblk + 31) / 32;
  CK(cudaMalloc(&f, (size_t)nblk * 16));
  CK(cudaMalloc(&iv, (size_t)n * 8 + 64));
  CK(cudaMalloc(&masks, (size_t)nw * 16));

  auto ku = random_kernel<float, 0, true, int>;
  unsigned gu = grid(ku, nblk);
  printf("uniform float32 (Philox, store)      %8.4f ms\n",
         median([&] { ku<<<gu, 256>>>(f, n, nblk, seed, 0, 0); }));
  unsigned gf = grid(fast_only, nblk);
  printf("normal: fast test alone              %8.4f ms\n",
         median([&] { fast_only<<<gf, 256>>>(f, nblk, seed); }));
  auto k1 = normal_f32_mask<true, int>;
  auto k2 = normal_f32_maskfix<int>;
  unsigned g1 = grid(k1, nblk), g2 = grid(k2, (int64_t)nw * 4);
  printf("normal: first kernel (ballots)       %8.4f ms  (grid %u)\n",
         median([&] { k1<<<g1, 256>>>(f, n, nblk, seed, 0, 0, masks); }), g1);
  printf("normal: second kernel (failed words) %8.4f ms  (grid %u)\n",
         median([&] { k2<<<g2, 256>>>(f, n, nblk, seed, 0, 0, (const uint32_t *)masks); }), g2);
  printf("normal: both                         %8.4f ms\n", median([&] {
           k1<<<g1, 256>>>(f, n, nblk, seed, 0, 0, masks);
           k2<<<g2, 256>>>(f, n, nblk, seed, 0, 0, (const uint32_t *)masks);
         }));
  {
    std::vector<float> a((size_t)n), b((size_t)n);
    k1<<<g1, 256>>>(f, n, nblk, seed, 0, 0, masks);
    k2<<<g2, 256>>>(f, n, nblk, seed, 0, 0, (const uint32_t *)masks);
    CK(cudaMemcpy(a.data(), f, (size_t)n * 4, cudaMemcpyDeviceToHost));
    auto k3 = maskfix_compact<int>;
    unsigned g3 = grid(k3, (int64_t)nw * 4 / 4);
    printf("normal: second kernel, compacted     %8.4f ms  (grid %u)\n",
           median([&] { k3<<<g3, 256>>>(f, n, nblk, seed, 0, 0, (const uint32_t *)masks); }), g3);
    printf("normal: both, compacted              %8.4f ms\n", median([&] {
             k1<<<g1, 256>>>(f, n, nblk, seed, 0, 0, masks);
             k3<<<g3, 256>>>(f, n, nblk, seed, 0, 0, (const uint32_t *)masks);
           }));
    CK(cudaMemcpy(b.data(), f, (size_t)n * 4, cudaMemcpyDeviceToHost));
    long long diff = 0, nans = 0;
    for (size_t k = 0; k < a.size(); k++) {
      diff += memcmp(&a[k], &b[k], 4) != 0;
      nans += b[k] != b[k];
    }
    printf("normal: compacted vs shipped: %lld values differ, %lld NaN left\n", diff, nans);
  }
  {
    std::vector<uint32_t> h((size_t)nw * 4);
    CK(cudaMemcpy(h.data(), masks, h.size() * 4, cudaMemcpyDeviceToHost));
    long long bits = 0, nz = 0;
    for (uint32_t m : h) { bits += __builtin_popcount(m); nz += m != 0; }
    printf("normal: %lld failed words (%.3f%%), %lld of %zu ballots not empty\n", bits,
           100.0 * (double)bits / n, nz, h.size());
  }
  auto ki = integers32_kernel<int>;
  unsigned gi = grid(ki, nblk);
  uint32_t range = 1000;
  printf("integers [0, 1000) (4 a block)       %8.4f ms\n", median([&] {
           ki<<<gi, 256>>>(iv, n, nblk, seed, 0, 0, 0, range, (0u - range) % range, true);
         }));
  auto kw = integers_kernel<int>;
  int nb2 = (n + 1) / 2;
  unsigned gw = grid(kw, nb2);
  printf("integers [0, 2^40) (2 a block)       %8.4f ms\n", median([&] {
           kw<<<gw, 256>>>(iv, n, nb2, seed, 0, 0, 0, (uint64_t)1 << 40, true);
         }));
  CK(cudaGetLastError());
  CK(cudaDeviceSynchronize());
  return 0;
}
