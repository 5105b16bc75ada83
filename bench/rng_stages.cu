// SPDX-License-Identifier: MIT
// bench/rng_stages.cu: the kernels behind issue 9's Generator rows (normal float32 and
// integers [0, 1000), 10^8 values), each timed alone with events (median of 20), beside
// the stream's plain uniform kernel, which only computes Philox blocks and stores them:
// the float32 normals (Box-Muller on each block's two pairs) and the integers kernels
// for a range below 2^32 and for 2^40. It builds on kernels/random.cu itself, so it
// times the kernels lunar launches, with lunar's grid (every block resident).
//   nvcc -O3 -arch=sm_90 -std=c++17 -Ikernels -Isrc/core -Isrc -I. bench/rng_stages.cu -o rng_stages
//   ./rng_stages [n]
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>
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
  CK(cudaMalloc(&f, (size_t)nblk * 16));
  CK(cudaMalloc(&iv, (size_t)n * 8 + 64));

  auto ku = random_kernel<float, 0, true, int>;
  unsigned gu = grid(ku, nblk);
  printf("uniform float32 (Philox, store)      %8.4f ms\n",
         median([&] { ku<<<gu, 256>>>(f, n, nblk, seed, 0, 0); }));
  auto kn = random_kernel<float, 1, true, int>;
  unsigned gn = grid(kn, nblk);
  printf("normal float32 (Box-Muller)          %8.4f ms\n",
         median([&] { kn<<<gn, 256>>>(f, n, nblk, seed, 0, 0); }));
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
