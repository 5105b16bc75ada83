/* SPDX-License-Identifier: MIT */
/*
** The reference for lunar.dist's all_reduce (issue 13): NCCL's own
** all_reduce in a loop, as nccl-tests' all_reduce_perf runs it, with all
** the GPUs of the machine (or -g N) driven by one process
** (ncclCommInitAll, one stream per GPU, ncclGroupStart/End around each
** call). Prints the same columns as examples/dist_allreduce.lua, so the
** two tables can be set side by side. With -p it also measures
** cudaMemcpyPeer from GPU 0 to GPU 1, the reference of a:to("cuda:1").
**   nccl_allreduce [-g ngpus] [-b min_bytes] [-e max_bytes] [-n iters] [-w warmup] [-p]
** Built only with CUDA (bench/CMakeLists.txt), linked to libnccl.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cuda_runtime.h>
#include <nccl.h>

#define CK(call) do { cudaError_t e_ = (call); if (e_ != cudaSuccess) { \
  fprintf(stderr, "%s failed: %s (%s:%d)\n", #call, cudaGetErrorString(e_), __FILE__, __LINE__); \
  exit(1); } } while (0)
#define NK(call) do { ncclResult_t r_ = (call); if (r_ != ncclSuccess) { \
  fprintf(stderr, "%s failed: %s (%s:%d)\n", #call, ncclGetErrorString(r_), __FILE__, __LINE__); \
  exit(1); } } while (0)

#define MAXG 16

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static size_t parse_size(const char *s) {
  char *end;
  double v = strtod(s, &end);
  if (*end == 'K' || *end == 'k') v *= 1024;
  else if (*end == 'M' || *end == 'm') v *= 1024.0 * 1024;
  else if (*end == 'G' || *end == 'g') v *= 1024.0 * 1024 * 1024;
  return (size_t)v;
}

static int ng;
static ncclComm_t comm[MAXG];
static cudaStream_t stream[MAXG];

static void all_reduce(float **send, float **recv, size_t count) {
  int g;
  NK(ncclGroupStart());
  for (g = 0; g < ng; g++)
    NK(ncclAllReduce(send[g], recv[g], count, ncclFloat32, ncclSum, comm[g], stream[g]));
  NK(ncclGroupEnd());
}

static void sync_all(void) {
  int g;
  for (g = 0; g < ng; g++) {
    CK(cudaSetDevice(g));
    CK(cudaStreamSynchronize(stream[g]));
  }
}

/* one size: time per call (s) of iters calls after warmup ones */
static double run(float **send, float **recv, size_t count, int warmup, int iters) {
  double t0;
  int i;
  for (i = 0; i < warmup; i++) all_reduce(send, recv, count);
  sync_all();
  t0 = now_s();
  for (i = 0; i < iters; i++) all_reduce(send, recv, count);
  sync_all();
  return (now_s() - t0) / iters;
}

static void peer(size_t lo, size_t hi, int iters) {
  void *a, *b;
  cudaStream_t s;
  size_t size;
  int can = 0;
  CK(cudaDeviceCanAccessPeer(&can, 1, 0));
  CK(cudaSetDevice(0));
  CK(cudaMalloc(&a, hi));
  if (can) { cudaError_t e = cudaDeviceEnablePeerAccess(1, 0); if (e != cudaErrorPeerAccessAlreadyEnabled) CK(e); }
  CK(cudaStreamCreate(&s));
  CK(cudaSetDevice(1));
  CK(cudaMalloc(&b, hi));
  if (can) { cudaError_t e = cudaDeviceEnablePeerAccess(0, 0); if (e != cudaErrorPeerAccessAlreadyEnabled) CK(e); }
  printf("# cudaMemcpyPeerAsync cuda:0 -> cuda:1 (peer access %s)\n", can ? "on" : "not possible");
  printf("#       size     time   GB/s\n#        (B)     (us)\n");
  for (size = lo; size <= hi; size *= 2) {
    double t0, t;
    int i;
    for (i = 0; i < 3; i++) CK(cudaMemcpyPeerAsync(b, 1, a, 0, size, s));
    CK(cudaStreamSynchronize(s));
    t0 = now_s();
    for (i = 0; i < iters; i++) CK(cudaMemcpyPeerAsync(b, 1, a, 0, size, s));
    CK(cudaStreamSynchronize(s));
    t = (now_s() - t0) / iters;
    printf("%12zu  %7.1f  %6.2f\n", size, t * 1e6, (double)size / t / 1e9);
  }
  CK(cudaFree(b));
  CK(cudaSetDevice(0));
  CK(cudaFree(a));
}

int main(int argc, char **argv) {
  size_t lo = 1024, hi = (size_t)1 << 30, size;
  int warmup = 5, iters = 20, do_peer = 0, i, g, ndev = 0, version = 0;
  int devs[MAXG];
  float *send[MAXG], *recv[MAXG];
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-g") && i + 1 < argc) ng = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-b") && i + 1 < argc) lo = parse_size(argv[++i]);
    else if (!strcmp(argv[i], "-e") && i + 1 < argc) hi = parse_size(argv[++i]);
    else if (!strcmp(argv[i], "-n") && i + 1 < argc) iters = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-w") && i + 1 < argc) warmup = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-p")) do_peer = 1;
    else {
      fprintf(stderr, "usage: %s [-g ngpus] [-b min] [-e max] [-n iters] [-w warmup] [-p]\n", argv[0]);
      return 2;
    }
  }
  CK(cudaGetDeviceCount(&ndev));
  if (ng <= 0 || ng > ndev) ng = ndev;
  if (ng > MAXG) ng = MAXG;
  if (ng < 1 || lo < 4 || hi < lo || iters < 1) {
    fprintf(stderr, "nccl_allreduce: needs a GPU and sizes 4 <= min <= max\n");
    return 1;
  }
  NK(ncclGetVersion(&version));
  for (g = 0; g < ng; g++) {
    devs[g] = g;
    CK(cudaSetDevice(g));
    CK(cudaStreamCreateWithFlags(&stream[g], cudaStreamNonBlocking));
    CK(cudaMalloc((void **)&send[g], hi));
    CK(cudaMalloc((void **)&recv[g], hi));
    CK(cudaMemset(send[g], 0, hi));
  }
  NK(ncclCommInitAll(comm, ng, devs));
  printf("# nccl_allreduce: %d GPUs in one process, NCCL %d, float32 sum, out-of-place\n", ng, version);
  printf("#       size         count      type   redop    root     time   algbw   busbw\n");
  printf("#        (B)    (elements)                               (us)  (GB/s)  (GB/s)\n");
  for (size = lo; size <= hi; size *= 2) {
    size_t count = size / 4;
    int it = size > ((size_t)256 << 20) ? (iters / 4 > 5 ? iters / 4 : 5) : iters;
    double t = run(send, recv, count, warmup, it), algbw = (double)size / t / 1e9;
    printf("%12zu  %12zu     float     sum      -1  %7.1f  %6.2f  %6.2f\n", size, count, t * 1e6,
           algbw, algbw * 2.0 * (ng - 1) / ng);
    fflush(stdout);
  }
  for (g = 0; g < ng; g++) {
    CK(cudaSetDevice(g));
    CK(cudaFree(send[g]));
    CK(cudaFree(recv[g]));
    ncclCommDestroy(comm[g]);
  }
  if (do_peer && ng >= 2) peer(lo, hi, iters);
  return 0;
}
