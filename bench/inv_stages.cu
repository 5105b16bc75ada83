// SPDX-License-Identifier: MIT
// bench/inv_stages.cu: the stages of a dense inverse after getrf, through cuSOLVER and cuBLAS
// called directly (src/backend/cuda/linalg.c, inv_trsm): getrs on the identity against L^-1 by
// halves (trmm, or gemm on the triangles with their zeros; trsm below the base order), one trsm
// with U and a column permutation: A = P L U, A^-1 = U^-1 L^-1 P^T. Each stage timed alone
// with events, median of 9; the largest difference from getrs's inverse checks the order.
//   nvcc -O2 -arch=sm_90 bench/inv_stages.cu -o inv_stages -lcusolver -lcublas
//   ./inv_stages
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>
#include <cusolverDn.h>
#include <cublas_v2.h>
#define CK(x) do { int e_ = (int)(x); if (e_) { printf("ERR %s line %d: %d\n", #x, __LINE__, e_); exit(1); } } while (0)
static cudaEvent_t e0, e1;
template <class F> static float timed(F f) { cudaEventRecord(e0); f(); cudaEventRecord(e1); cudaEventSynchronize(e1); float ms; cudaEventElapsedTime(&ms, e0, e1); return ms; }
static float med(std::vector<float> v) { std::sort(v.begin(), v.end()); return v[v.size() / 2]; }
template <class T> __global__ void fill(T *a, int n, unsigned s) { size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; if (i < (size_t)n * n) { unsigned h = (unsigned)i * 2654435761u ^ s; h ^= h >> 13; h *= 0x5bd1e995; h ^= h >> 15; a[i] = (T)((h & 0xffffff) / 16777216.0 - 0.5 + ((i % (n + 1)) == 0 ? n : 0)); } }
template <class T> __global__ void eye(T *a, int n) { size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; if (i < (size_t)n * n) a[i] = (i % (n + 1)) == 0; }
/* b = the unit lower triangle of lu (column-major), zeros above */
/* x[:, p[k]] = b[:, k] */
template <class T> __global__ void colperm(T *x, const T *b, const int *p, int n) { size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; if (i < (size_t)n * n) { int r = (int)(i % n), c = (int)(i / n); x[(size_t)p[c] * n + r] = b[i]; } }
template <class T> __global__ void maxdiff(const T *x, const T *y, size_t m, unsigned long long *out) { size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; if (i < m) { double d = fabs((double)x[i] - (double)y[i]); atomicMax(out, (unsigned long long)__double_as_longlong(d)); } }

/* b (identity on entry, ld n) <- L^-1 for the unit lower triangle of lu at (o, o), order m */
static int g_nb = 256, g_gemm = 0;
static void *g_tmp;
template <class T> static void inv_lower(cublasHandle_t bl, const T *lu, T *b, int n, int o, int m) {
  const bool f32 = sizeof(T) == 4;
  const T one = 1, mone = -1;
  if (m <= g_nb) {
    if (f32) cublasStrsm(bl, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, CUBLAS_DIAG_UNIT, m, m, (const float *)&one, (const float *)(lu + o + (size_t)o * n), n, (float *)(b + o + (size_t)o * n), n);
    else cublasDtrsm(bl, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, CUBLAS_DIAG_UNIT, m, m, (const double *)&one, (const double *)(lu + o + (size_t)o * n), n, (double *)(b + o + (size_t)o * n), n);
    return;
  }
  int m1 = (m / 2 + g_nb - 1) / g_nb * g_nb, m2 = m - m1;
  inv_lower(bl, lu, b, n, o, m1);
  inv_lower(bl, lu, b, n, o + m1, m2);
  /* W21 = L21 W11 (right, lower W11), then W21 = -W22 W21 (left, lower W22) */
  T *w11 = b + o + (size_t)o * n, *w22 = b + (o + m1) + (size_t)(o + m1) * n, *w21 = b + (o + m1) + (size_t)o * n;
  const T *l21 = lu + (o + m1) + (size_t)o * n;
  if (g_gemm) {   /* T = L21 W11 (temp, ld m2), W21 = -W22 T */
    const T zero = 0;
    if (f32) {
      cublasSgemm(bl, CUBLAS_OP_N, CUBLAS_OP_N, m2, m1, m1, (const float *)&one, (const float *)l21, n, (const float *)w11, n, (const float *)&zero, (float *)g_tmp, m2);
      cublasSgemm(bl, CUBLAS_OP_N, CUBLAS_OP_N, m2, m1, m2, (const float *)&mone, (const float *)w22, n, (const float *)g_tmp, m2, (const float *)&zero, (float *)w21, n);
    } else {
      cublasDgemm(bl, CUBLAS_OP_N, CUBLAS_OP_N, m2, m1, m1, (const double *)&one, (const double *)l21, n, (const double *)w11, n, (const double *)&zero, (double *)g_tmp, m2);
      cublasDgemm(bl, CUBLAS_OP_N, CUBLAS_OP_N, m2, m1, m2, (const double *)&mone, (const double *)w22, n, (const double *)g_tmp, m2, (const double *)&zero, (double *)w21, n);
    }
    return;
  }
  if (f32) {
    cublasStrmm(bl, CUBLAS_SIDE_RIGHT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, CUBLAS_DIAG_UNIT, m2, m1, (const float *)&one, (const float *)w11, n, (const float *)l21, n, (float *)w21, n);
    cublasStrmm(bl, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, CUBLAS_DIAG_UNIT, m2, m1, (const float *)&mone, (const float *)w22, n, (const float *)w21, n, (float *)w21, n);
  } else {
    cublasDtrmm(bl, CUBLAS_SIDE_RIGHT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, CUBLAS_DIAG_UNIT, m2, m1, (const double *)&one, (const double *)w11, n, (const double *)l21, n, (double *)w21, n);
    cublasDtrmm(bl, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, CUBLAS_DIAG_UNIT, m2, m1, (const double *)&mone, (const double *)w22, n, (const double *)w21, n, (double *)w21, n);
  }
}

template <class T> static void run(cusolverDnHandle_t h, cublasHandle_t bl, int n) {
  const bool f32 = sizeof(T) == 4;
  cudaDataType t = f32 ? CUDA_R_32F : CUDA_R_64F;
  size_t nn = (size_t)n * n; unsigned g = (unsigned)((nn + 255) / 256);
  T *a0, *lu, *a, *b, *x, *ref; int *info, *piv32, *perm; int64_t *piv64;
  CK(cudaMalloc(&a0, nn * sizeof(T))); CK(cudaMalloc(&lu, nn * sizeof(T))); CK(cudaMalloc(&a, nn * sizeof(T)));
  CK(cudaMalloc(&b, nn * sizeof(T))); CK(cudaMalloc(&x, nn * sizeof(T))); CK(cudaMalloc(&ref, nn * sizeof(T)));
  CK(cudaMalloc(&info, 4)); CK(cudaMalloc(&piv32, n * 4)); CK(cudaMalloc(&piv64, n * 8)); CK(cudaMalloc(&perm, n * 4));
  fill<<<g, 256>>>(a0, n, 7);
  cusolverDnParams_t p; CK(cusolverDnCreateParams(&p));
  size_t db = 0, hb = 0; CK(cusolverDnXgetrf_bufferSize(h, p, n, n, t, a0, n, t, &db, &hb));
  void *dw, *hw = malloc(hb + 1); CK(cudaMalloc(&dw, db + 1));
  cudaMemcpy(lu, a0, nn * sizeof(T), cudaMemcpyDeviceToDevice);
  CK(cusolverDnXgetrf(h, p, n, n, t, lu, n, piv64, t, dw, db, hw, hb, info));
  std::vector<int64_t> hp(n); cudaMemcpy(hp.data(), piv64, n * 8, cudaMemcpyDeviceToHost);
  std::vector<int> h32(n), idx(n); for (int i = 0; i < n; i++) { h32[i] = (int)hp[i]; idx[i] = i; }
  cudaMemcpy(piv32, h32.data(), n * 4, cudaMemcpyHostToDevice);
  for (int i = 0; i < n; i++) std::swap(idx[i], idx[h32[i] - 1]);   /* (P^T A)[k] = A[idx[k]] */
  cudaMemcpy(perm, idx.data(), n * 4, cudaMemcpyHostToDevice);
  const T one = 1;
  CK(cudaMalloc(&g_tmp, nn / 4 * sizeof(T) + 64));
  std::vector<float> gs, tr, lo, ts, cp;
  for (int r = 0; r < 9; r++) {
    eye<T><<<g, 256>>>(ref, n);
    gs.push_back(timed([&] { if (f32) cusolverDnSgetrs(h, CUBLAS_OP_N, n, n, (float *)lu, n, piv32, (float *)ref, n, info); else cusolverDnDgetrs(h, CUBLAS_OP_N, n, n, (double *)lu, n, piv32, (double *)ref, n, info); }));
    lo.push_back(timed([&] { eye<T><<<g, 256>>>(b, n); }));
    tr.push_back(timed([&] { inv_lower<T>(bl, lu, b, n, 0, n); }));
    ts.push_back(timed([&] { if (f32) cublasStrsm(bl, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_N, CUBLAS_DIAG_NON_UNIT, n, n, (const float *)&one, (const float *)lu, n, (float *)b, n);
                             else cublasDtrsm(bl, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_N, CUBLAS_DIAG_NON_UNIT, n, n, (const double *)&one, (const double *)lu, n, (double *)b, n); }));
    cp.push_back(timed([&] { colperm<T><<<g, 256>>>(x, b, perm, n); }));
  }
  unsigned long long *md; CK(cudaMalloc(&md, 8)); cudaMemset(md, 0, 8);
  maxdiff<T><<<g, 256>>>(x, ref, nn, md); unsigned long long hmd; cudaMemcpy(&hmd, md, 8, cudaMemcpyDeviceToHost);
  double d; memcpy(&d, &hmd, 8);
  CK(cudaDeviceSynchronize());
  printf("%s n=%d nb=%d %s: getrs %.3f | L^-1 %.3f eye %.3f trsm %.3f colperm %.3f = %.3f ms | max |diff| %.3g (inverse's entries ~1/n = %.3g)\n",
         f32 ? "f32" : "f64", n, g_nb, g_gemm ? "gemm" : "trmm", med(gs), med(tr), med(lo), med(ts), med(cp), med(tr) + med(lo) + med(ts) + med(cp), d, 1.0 / n);
}
int main() {
  cudaDeviceProp pr; CK(cudaGetDeviceProperties(&pr, 0)); printf("%s\n", pr.name);
  cudaEventCreate(&e0); cudaEventCreate(&e1);
  cusolverDnHandle_t h; CK(cusolverDnCreate(&h)); cublasHandle_t bl; CK(cublasCreate(&bl));
  int nbs[3] = {128, 256, 512};
  for (g_gemm = 1; g_gemm >= 0; g_gemm--)
    for (int q = 0; q < 3; q++) { g_nb = nbs[q]; run<float>(h, bl, 4096); run<double>(h, bl, 4096); }
  g_gemm = 1;
  for (int q = 0; q < 3; q++) { g_nb = nbs[q]; run<float>(h, bl, 2048); run<double>(h, bl, 2048); run<float>(h, bl, 1024); run<double>(h, bl, 1024); run<float>(h, bl, 512); run<double>(h, bl, 512); }
  return 0;
}
