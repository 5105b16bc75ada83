// SPDX-License-Identifier: MIT
// bench/svd_routes.cu: cuSOLVER's SVD routes on one matrix, side by side: time, error of
// the values against a float64 gesvd of the same data, residual max|U S V^T - A| / max|A|
// (64 x 64 sampled entries) and gesvdp's h_err_sigma; the bench's 2048 matrix, rank-256
// products at three scales, graded columns (design-notes "SVD on the GPU").
//   nvcc -O2 -arch=sm_90 -std=c++17 bench/svd_routes.cu -o svd_routes -lcusolver
//   ./svd_routes [n]
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#define CK(x) do { auto e_ = (x); if ((int)e_ != 0) { printf("ERR %s line %d: %d\n", #x, __LINE__, (int)e_); exit(1);} } while (0)

template <class T> cudaDataType dt();
template <> cudaDataType dt<float>() { return CUDA_R_32F; }
template <> cudaDataType dt<double>() { return CUDA_R_64F; }

static cusolverDnHandle_t h; static cusolverDnParams_t prm;

template <class T> struct Res { double ms, err, res, herr; };

// A col-major m x n (m >= n). mode: 0 gesvd A,A; 1 gesvd A,O (CuPy's legacy S/Dgesvd); 2 gesvdp econ 0; 3 gesvdj; 4 gesvd N,N; 5 legacy gesvd A,A
template <class T>
Res<T> run(const std::vector<T> &A, int m, int n, int mode, const std::vector<double> &s64, int reps) {
  T *dA, *dA0, *dS, *dU, *dV; int *info;
  size_t mn = (size_t)m * n;
  CK(cudaMalloc(&dA, mn * sizeof(T))); CK(cudaMalloc(&dA0, mn * sizeof(T)));
  CK(cudaMalloc(&dS, n * sizeof(T))); CK(cudaMalloc(&dU, (size_t)m * m * sizeof(T)));
  CK(cudaMalloc(&dV, (size_t)n * n * sizeof(T))); CK(cudaMalloc(&info, sizeof(int)));
  CK(cudaMemcpy(dA0, A.data(), mn * sizeof(T), cudaMemcpyHostToDevice));
  size_t db = 0, hb = 0; void *dw = nullptr; std::vector<char> hw;
  double herr = -1;
  cudaDataType t = dt<T>();
  gesvdjInfo_t ji; CK(cusolverDnCreateGesvdjInfo(&ji));
  int lwork = 0;
  if (mode == 0 || mode == 1 || mode == 4) {
    signed char ju = mode == 4 ? 'N' : 'A', jv = mode == 0 ? 'A' : mode == 1 ? 'O' : 'N';
    CK(cusolverDnXgesvd_bufferSize(h, prm, ju, jv, m, n, t, dA, m, t, dS, t, dU, m, t, dV, n, t, &db, &hb));
  } else if (mode == 2) {
    CK(cusolverDnXgesvdp_bufferSize(h, prm, CUSOLVER_EIG_MODE_VECTOR, 0, m, n, t, dA, m, t, dS, t, dU, m, t, dV, n, t, &db, &hb));
  } else if (mode == 3) {
    if constexpr (sizeof(T) == 4) CK(cusolverDnSgesvdj_bufferSize(h, CUSOLVER_EIG_MODE_VECTOR, 0, m, n, (float*)dA, m, (float*)dS, (float*)dU, m, (float*)dV, n, &lwork, ji));
    else CK(cusolverDnDgesvdj_bufferSize(h, CUSOLVER_EIG_MODE_VECTOR, 0, m, n, (double*)dA, m, (double*)dS, (double*)dU, m, (double*)dV, n, &lwork, ji));
    db = (size_t)lwork * sizeof(T);
  } else if (mode == 5) {
    if constexpr (sizeof(T) == 4) CK(cusolverDnSgesvd_bufferSize(h, m, n, &lwork)); else CK(cusolverDnDgesvd_bufferSize(h, m, n, &lwork));
    db = (size_t)lwork * sizeof(T);
  }
  CK(cudaMalloc(&dw, db + 16)); hw.resize(hb + 16);
  cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
  float best = 1e30f;
  for (int r = 0; r < reps; r++) {
    CK(cudaMemcpy(dA, dA0, mn * sizeof(T), cudaMemcpyDeviceToDevice));
    CK(cudaDeviceSynchronize());
    cudaEventRecord(e0);
    if (mode == 0 || mode == 1 || mode == 4) {
      signed char ju = mode == 4 ? 'N' : 'A', jv = mode == 0 ? 'A' : mode == 1 ? 'O' : 'N';
      CK(cusolverDnXgesvd(h, prm, ju, jv, m, n, t, dA, m, t, dS, t, dU, m, t, dV, n, t, dw, db, hw.data(), hb, info));
    } else if (mode == 2) {
      CK(cusolverDnXgesvdp(h, prm, CUSOLVER_EIG_MODE_VECTOR, 0, m, n, t, dA, m, t, dS, t, dU, m, t, dV, n, t, dw, db, hw.data(), hb, info, &herr));
    } else if (mode == 3) {
      if constexpr (sizeof(T) == 4) CK(cusolverDnSgesvdj(h, CUSOLVER_EIG_MODE_VECTOR, 0, m, n, (float*)dA, m, (float*)dS, (float*)dU, m, (float*)dV, n, (float*)dw, lwork, info, ji));
      else CK(cusolverDnDgesvdj(h, CUSOLVER_EIG_MODE_VECTOR, 0, m, n, (double*)dA, m, (double*)dS, (double*)dU, m, (double*)dV, n, (double*)dw, lwork, info, ji));
    } else if (mode == 5) {
      if constexpr (sizeof(T) == 4) CK(cusolverDnSgesvd(h, 'A', 'A', m, n, (float*)dA, m, (float*)dS, (float*)dU, m, (float*)dV, n, (float*)dw, lwork, nullptr, info));
      else CK(cusolverDnDgesvd(h, 'A', 'A', m, n, (double*)dA, m, (double*)dS, (double*)dU, m, (double*)dV, n, (double*)dw, lwork, nullptr, info));
    }
    cudaEventRecord(e1); CK(cudaEventSynchronize(e1));
    float ms; cudaEventElapsedTime(&ms, e0, e1); if (ms < best) best = ms;
  }
  int hinfo; CK(cudaMemcpy(&hinfo, info, sizeof(int), cudaMemcpyDeviceToHost));
  std::vector<T> S(n); CK(cudaMemcpy(S.data(), dS, n * sizeof(T), cudaMemcpyDeviceToHost));
  double err = 0, smax = s64.empty() ? 1 : s64[0];
  for (int i = 0; i < n && !s64.empty(); i++) err = fmax(err, fabs((double)S[i] - s64[i]) / smax);
  double res = -1;
  if (mode != 4) {
    // B = U[:, :n] * diag(S) * W where W = V^T (modes 0, 5), the first n rows of A (mode 1: VT in A), V^T (2, 3: V given)
    std::vector<T> U((size_t)m * m), V((size_t)n * n), B(mn);
    CK(cudaMemcpy(U.data(), dU, (size_t)m * m * sizeof(T), cudaMemcpyDeviceToHost));
    if (mode == 1) {
      std::vector<T> a(mn); CK(cudaMemcpy(a.data(), dA, mn * sizeof(T), cudaMemcpyDeviceToHost));
      for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) V[i + (size_t)j * n] = a[i + (size_t)j * m];   // VT (n x n) in A's first n rows
    } else CK(cudaMemcpy(V.data(), dV, (size_t)n * n * sizeof(T), cudaMemcpyDeviceToHost));
    bool vt = mode == 0 || mode == 1 || mode == 5;
    // residual by sampling 64 x 64 entries (host, double)
    double amax = 0, rmax = 0;
    for (size_t k = 0; k < mn; k++) amax = fmax(amax, fabs((double)A[k]));
    for (int ii = 0; ii < 64; ii++) for (int jj = 0; jj < 64; jj++) {
      int i = (int)((long)ii * m / 64), j = (int)((long)jj * n / 64);
      double acc = 0;
      for (int k = 0; k < n; k++) {
        double w = vt ? V[k + (size_t)j * n] : V[j + (size_t)k * n];
        acc += (double)U[i + (size_t)k * m] * S[k] * w;
      }
      rmax = fmax(rmax, fabs(acc - A[i + (size_t)j * m]));
    }
    res = rmax / amax;
  }
  cudaFree(dA); cudaFree(dA0); cudaFree(dS); cudaFree(dU); cudaFree(dV); cudaFree(info); cudaFree(dw);
  cusolverDnDestroyGesvdjInfo(ji);
  if (hinfo != 0) printf("  (info %d)\n", hinfo);
  return {best, err, res, herr};
}

static const char *names[] = {"Xgesvd A,A", "Xgesvd A,O", "Xgesvdp", "gesvdj", "Xgesvd N,N", "S/Dgesvd A,A legacy"};

template <class T>
void matrix(const char *label, const std::vector<double> &A64, int m, int n, std::initializer_list<int> modes, int reps) {
  std::vector<T> A(A64.size()); for (size_t k = 0; k < A.size(); k++) A[k] = (T)A64[k];
  std::vector<double> Ad(A.begin(), A.end());
  std::vector<double> s64(n);
  { auto r = run<double>(Ad, m, n, 4, {}, 1); (void)r; }
  // the float64 values of the same (rounded) data
  {
    double *dA, *dS; int *info; size_t db, hb; void *dw; std::vector<char> hw;
    CK(cudaMalloc(&dA, Ad.size() * 8)); CK(cudaMalloc(&dS, n * 8)); CK(cudaMalloc(&info, 4));
    CK(cudaMemcpy(dA, Ad.data(), Ad.size() * 8, cudaMemcpyHostToDevice));
    CK(cusolverDnXgesvd_bufferSize(h, prm, 'N', 'N', m, n, CUDA_R_64F, dA, m, CUDA_R_64F, dS, CUDA_R_64F, nullptr, 1, CUDA_R_64F, nullptr, 1, CUDA_R_64F, &db, &hb));
    CK(cudaMalloc(&dw, db + 16)); hw.resize(hb + 16);
    CK(cusolverDnXgesvd(h, prm, 'N', 'N', m, n, CUDA_R_64F, dA, m, CUDA_R_64F, dS, CUDA_R_64F, nullptr, 1, CUDA_R_64F, nullptr, 1, CUDA_R_64F, dw, db, hw.data(), hb, info));
    CK(cudaMemcpy(s64.data(), dS, n * 8, cudaMemcpyDeviceToHost));
    cudaFree(dA); cudaFree(dS); cudaFree(info); cudaFree(dw);
  }
  printf("%s %s %dx%d: s_max %.6g s_min %.6g\n", label, sizeof(T) == 4 ? "f32" : "f64", m, n, s64[0], s64[n - 1]);
  for (int mode : modes) {
    auto r = run<T>(A, m, n, mode, s64, reps);
    printf("  %-20s %9.2f ms  err %.2e  res %.2e  h_err_sigma %.3e\n", names[mode], r.ms, r.err, r.res, r.herr);
  }
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2048;
  CK(cusolverDnCreate(&h)); CK(cusolverDnCreateParams(&prm));
  // the bench's matrix: frac(sin(k * 12.9898) * 43758.5453) - 0.5, row-major n x n (col-major: its transpose)
  std::vector<double> A((size_t)n * n);
  for (size_t k = 0; k < A.size(); k++) { double v = sin((double)k * 12.9898) * 43758.5453; A[k] = v - floor(v) - 0.5; }
  matrix<float>("bench", A, n, n, {5, 0, 1, 2, 3}, 2);
  matrix<double>("bench", A, n, n, {0, 2, 3}, 1);
  // rank-deficient: X (m x r) Y (r x n), r = n / 2, and scaled
  int k = 512, r = 256;
  std::vector<double> X((size_t)k * r), Y((size_t)r * k), B((size_t)k * k);
  for (size_t i = 0; i < X.size(); i++) { double v = sin((double)i * 7.77) * 1e4; X[i] = v - floor(v) - 0.5; }
  for (size_t i = 0; i < Y.size(); i++) { double v = sin((double)i * 3.33 + 1) * 1e4; Y[i] = v - floor(v) - 0.5; }
  for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) { double acc = 0; for (int t = 0; t < r; t++) acc += X[i + (size_t)t * k] * Y[t + (size_t)j * r]; B[i + (size_t)j * k] = acc; }
  for (double sc : {1.0, 1e3, 1e-3}) {
    std::vector<double> Bs(B); for (auto &v : Bs) v *= sc;
    char lab[64]; snprintf(lab, sizeof lab, "rank256 x%g", sc);
    matrix<float>(lab, Bs, k, k, {0, 2}, 1);
    matrix<double>(lab, Bs, k, k, {0, 2}, 1);
  }
  // a tall matrix and an ill-conditioned square one (graded columns)
  std::vector<double> G((size_t)k * k);
  for (int j = 0; j < k; j++) for (int i = 0; i < k; i++) { double v = sin((double)(i + j * k) * 5.55) * 1e4; G[i + (size_t)j * k] = (v - floor(v) - 0.5) * pow(10.0, -6.0 * j / k); }
  matrix<float>("graded 1e-6", G, k, k, {0, 2}, 1);
  matrix<double>("graded 1e-6", G, k, k, {0, 2}, 1);
  return 0;
}
