// SPDX-License-Identifier: MIT
// bench/lu_routes.cu: the stages of a dense solve A x = b (issue 9's solve 4096 row) through
// cuSOLVER's routes, each timed alone with events (median of 15): the work copy of A, the
// legacy getrf (CuPy's and PyTorch's) against the 64-bit Xgetrf with each algorithm, getrs
// both ways and with either transpose, one right-hand side. What lunar's linalg.solve adds
// around them is the rest of its bench time.
//   nvcc -O2 -arch=sm_90 -std=c++17 bench/lu_routes.cu -o lu_routes -lcusolver -lcublas
//   ./lu_routes [n]
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>
#include <cuda_runtime.h>
#include <cusolverDn.h>
#include <cublas_v2.h>

#define CK(x) do { auto e_ = (x); if ((int)e_ != 0) { printf("ERR %s line %d: %d\n", #x, __LINE__, (int)e_); exit(1);} } while (0)

static cusolverDnHandle_t h;
static cublasHandle_t bh;
static cudaEvent_t e0, e1;

template <class F> static float median(F f, void (*reset)(void *), void *arg) {
  std::vector<float> t;
  for (int r = 0; r < 18; r++) {
    if (reset) reset(arg);
    CK(cudaDeviceSynchronize());
    cudaEventRecord(e0);
    f();
    cudaEventRecord(e1);
    CK(cudaEventSynchronize(e1));
    float ms; cudaEventElapsedTime(&ms, e0, e1);
    if (r >= 3) t.push_back(ms);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Buf { void *a, *a0; size_t bytes; };
static void restore(void *p) {
  Buf *b = (Buf *)p;
  CK(cudaMemcpy(b->a, b->a0, b->bytes, cudaMemcpyDeviceToDevice));
}

template <class T> static cudaDataType dt();
template <> cudaDataType dt<float>() { return CUDA_R_32F; }
template <> cudaDataType dt<double>() { return CUDA_R_64F; }

template <class T> static void legacy_getrf(T *a, int n, T *w, int *piv, int *info);
template <> void legacy_getrf<float>(float *a, int n, float *w, int *piv, int *info) {
  CK(cusolverDnSgetrf(h, n, n, a, n, w, piv, info));
}
template <> void legacy_getrf<double>(double *a, int n, double *w, int *piv, int *info) {
  CK(cusolverDnDgetrf(h, n, n, a, n, w, piv, info));
}
template <class T> static void legacy_getrs(cublasOperation_t op, T *a, int n, int *piv, T *b, int *info);
template <> void legacy_getrs<float>(cublasOperation_t op, float *a, int n, int *piv, float *b, int *info) {
  CK(cusolverDnSgetrs(h, op, n, 1, a, n, piv, b, n, info));
}
template <> void legacy_getrs<double>(cublasOperation_t op, double *a, int n, int *piv, double *b, int *info) {
  CK(cusolverDnDgetrs(h, op, n, 1, a, n, piv, b, n, info));
}

template <class T> static void run(int n, const char *name) {
  size_t bytes = (size_t)n * n * sizeof(T);
  std::vector<T> A((size_t)n * n), B(n);
  unsigned s = 12345;
  for (auto &x : A) { s = s * 1664525u + 1013904223u; x = (T)((s >> 8) * (1.0 / 16777216.0)); }
  for (int i = 0; i < n; i++) A[(size_t)i * n + i] += (T)n;
  for (auto &x : B) { s = s * 1664525u + 1013904223u; x = (T)((s >> 8) * (1.0 / 16777216.0) - 0.5); }
  T *a, *a0, *b, *b0; int *info, *piv32; int64_t *piv64;
  CK(cudaMalloc(&a, bytes)); CK(cudaMalloc(&a0, bytes));
  CK(cudaMalloc(&b, n * sizeof(T))); CK(cudaMalloc(&b0, n * sizeof(T)));
  CK(cudaMalloc(&info, 2 * sizeof(int))); CK(cudaMalloc(&piv32, n * sizeof(int)));
  CK(cudaMalloc(&piv64, n * sizeof(int64_t)));
  CK(cudaMemcpy(a0, A.data(), bytes, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(b0, B.data(), n * sizeof(T), cudaMemcpyHostToDevice));
  Buf ab = {a, a0, bytes};
  int lw = 0;
  if constexpr (sizeof(T) == 4) CK(cusolverDnSgetrf_bufferSize(h, n, n, (float *)a, n, &lw));
  else CK(cusolverDnDgetrf_bufferSize(h, n, n, (double *)a, n, &lw));
  T *w; CK(cudaMalloc(&w, (size_t)lw * sizeof(T) + 16));
  printf("%s n=%d\n", name, n);
  printf("  %-44s %8.3f ms\n", "copy of A (device to device)",
         median([&] { CK(cudaMemcpyAsync(a, a0, bytes, cudaMemcpyDeviceToDevice)); }, nullptr, nullptr));
  printf("  %-44s %8.3f ms\n", "legacy getrf",
         median([&] { legacy_getrf<T>(a, n, w, piv32, info); }, restore, &ab));
  for (int alg = 0; alg < 2; alg++) {
    cusolverDnParams_t p; CK(cusolverDnCreateParams(&p));
    if (cusolverDnSetAdvOptions(p, CUSOLVERDN_GETRF, alg ? CUSOLVER_ALG_1 : CUSOLVER_ALG_0) != 0) {
      printf("  Xgetrf ALG_%d: not offered\n", alg);
      continue;
    }
    size_t db = 0, hb = 0;
    CK(cusolverDnXgetrf_bufferSize(h, p, n, n, dt<T>(), a, n, dt<T>(), &db, &hb));
    void *dw; CK(cudaMalloc(&dw, db + 16)); std::vector<char> hw(hb + 16);
    char label[64]; snprintf(label, sizeof label, "Xgetrf ALG_%d (work %zu B)", alg, db);
    printf("  %-44s %8.3f ms\n", label,
           median([&] { CK(cusolverDnXgetrf(h, p, n, n, dt<T>(), a, n, piv64, dt<T>(), dw, db, hw.data(),
                                            hb, info)); }, restore, &ab));
    cudaFree(dw); cusolverDnDestroyParams(p);
  }
  // LU factors for the solves
  cusolverDnParams_t p; CK(cusolverDnCreateParams(&p));
  size_t db = 0, hb = 0;
  CK(cusolverDnXgetrf_bufferSize(h, p, n, n, dt<T>(), a, n, dt<T>(), &db, &hb));
  void *dw; CK(cudaMalloc(&dw, db + 16)); std::vector<char> hw(hb + 16);
  restore(&ab);
  CK(cusolverDnXgetrf(h, p, n, n, dt<T>(), a, n, piv64, dt<T>(), dw, db, hw.data(), hb, info));
  legacy_getrf<T>(a0, n, w, piv32, info + 1);   // a0 now holds the same factors, legacy pivots
  Buf bb = {b, b0, n * sizeof(T)};
  for (int tr = 0; tr < 2; tr++) {
    cublasOperation_t op = tr ? CUBLAS_OP_T : CUBLAS_OP_N;
    char label[64];
    snprintf(label, sizeof label, "legacy getrs %s", tr ? "T" : "N");
    printf("  %-44s %8.3f ms\n", label, median([&] { legacy_getrs<T>(op, a0, n, piv32, b, info + 1); }, restore, &bb));
    snprintf(label, sizeof label, "Xgetrs %s", tr ? "T" : "N");
    printf("  %-44s %8.3f ms\n", label,
           median([&] { CK(cusolverDnXgetrs(h, p, op, n, 1, dt<T>(), a, n, piv64, dt<T>(), b, n, info + 1)); },
                  restore, &bb));
  }
  for (int tr = 0; tr < 2; tr++) {   // the two triangular solves alone (no pivots), cuBLAS's trsv
    cublasOperation_t op = tr ? CUBLAS_OP_T : CUBLAS_OP_N;
    char label[64];
    snprintf(label, sizeof label, "cuBLAS trsv L (unit) + U, %s", tr ? "T" : "N");
    printf("  %-44s %8.3f ms\n", label, median([&] {
      if constexpr (sizeof(T) == 4) {
        CK(cublasStrsv(bh, CUBLAS_FILL_MODE_LOWER, op, CUBLAS_DIAG_UNIT, n, (float *)a, n, (float *)b, 1));
        CK(cublasStrsv(bh, CUBLAS_FILL_MODE_UPPER, op, CUBLAS_DIAG_NON_UNIT, n, (float *)a, n, (float *)b, 1));
      } else {
        CK(cublasDtrsv(bh, CUBLAS_FILL_MODE_LOWER, op, CUBLAS_DIAG_UNIT, n, (double *)a, n, (double *)b, 1));
        CK(cublasDtrsv(bh, CUBLAS_FILL_MODE_UPPER, op, CUBLAS_DIAG_NON_UNIT, n, (double *)a, n, (double *)b, 1));
      }
    }, restore, &bb));
  }
  int hi[2]; CK(cudaMemcpy(hi, info, sizeof hi, cudaMemcpyDeviceToHost));
  printf("  info %d %d\n", hi[0], hi[1]);
  cudaFree(dw); cusolverDnDestroyParams(p);
  cudaFree(a); cudaFree(a0); cudaFree(b); cudaFree(b0); cudaFree(info); cudaFree(piv32); cudaFree(piv64);
  cudaFree(w);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 4096;
  CK(cusolverDnCreate(&h));
  CK(cublasCreate(&bh));
  cudaEventCreate(&e0); cudaEventCreate(&e1);
  run<double>(n, "float64");
  run<float>(n, "float32");
  return 0;
}
