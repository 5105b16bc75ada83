/* SPDX-License-Identifier: MIT */
/*
** Helpers of the routines of cuBLAS and cuSOLVER that linalg calls
** (src/backend/cuda/linalg.c): the arrays of matrix pointers the batched
** ones take, their int32 pivots widened to the int64 the core reads, the
** conjugation of a complex Jacobi SVD's V, and a real general
** eigensolver's results put in complex form.
*/
#include "lu_kcommon.cuh"

namespace lu_k {

__global__ void ptrs_kernel(void **ptrs, char *base, int64_t stride, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    ptrs[k] = base + k * stride;
}

__global__ void widen_kernel(int64_t *out, const int *in, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    out[k] = in[k];
}

template <class T>
__global__ void conj_kernel(T *p, int64_t n) {
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n;
       k += (int64_t)gridDim.x * blockDim.x)
    p[2 * k + 1] = -p[2 * k + 1];
}

/* A real geev's results (per matrix: wr then wi, n each; vr n x n,
** column-major) in complex form. A complex pair of eigenvalues is stored
** with its positive imaginary part first, and vr holds the real and the
** imaginary part of that one's vector in its two columns; the second
** vector is the conjugate. So each output column is known from its own
** wi's sign: 0 real, > 0 first of a pair, < 0 second. */
template <class T>
__global__ void unpack_eig_kernel(T *w, T *v, const T *wri, const T *vr, int64_t n, int64_t batch) {
  int64_t nw = batch * n, total = nw + (v != NULL ? batch * n * n : 0);
  for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < total;
       k += (int64_t)gridDim.x * blockDim.x) {
    if (k < nw) {
      int64_t b = k / n, j = k % n;
      w[2 * k] = wri[b * 2 * n + j];
      w[2 * k + 1] = wri[b * 2 * n + n + j];
      continue;
    }
    int64_t e = k - nw, b = e / (n * n), r = e % (n * n), j = r / n, i = r % n;
    T wi = wri[b * 2 * n + n + j];
    const T *m = vr + b * n * n;
    T re, im;
    if (wi > 0 && j + 1 < n) { re = m[j * n + i]; im = m[(j + 1) * n + i]; }
    else if (wi < 0 && j > 0) { re = m[(j - 1) * n + i]; im = -m[j * n + i]; }
    else { re = m[j * n + i]; im = 0; }
    v[2 * e] = re;
    v[2 * e + 1] = im;
  }
}

}  // namespace lu_k

extern "C" int lu_k_linalg_ptrs(void **ptrs, char *base, int64_t stride, int64_t n,
                                const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  ptrs_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>(ptrs, base, stride, n);
  return last_err();
}

extern "C" int lu_k_linalg_widen(int64_t *out, const int *in, int64_t n, const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  widen_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>(out, in, n);
  return last_err();
}

extern "C" int lu_k_linalg_conj(void *p, int64_t n, int dbl, const lu_k_env *env) {
  using namespace lu_k;
  if (n <= 0) return 0;
  if (dbl)
    conj_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>((double *)p, n);
  else
    conj_kernel<<<grid_for(env, n, 256), 256, 0, (cudaStream_t)env->stream>>>((float *)p, n);
  return last_err();
}

extern "C" int lu_k_linalg_unpack_eig(void *w, void *v, const void *wri, const void *vr, int64_t n,
                                      int64_t batch, int dbl, const lu_k_env *env) {
  using namespace lu_k;
  int64_t total = batch * n + (v != NULL ? batch * n * n : 0);
  if (total <= 0) return 0;
  if (dbl)
    unpack_eig_kernel<<<grid_for(env, total, 256), 256, 0, (cudaStream_t)env->stream>>>(
        (double *)w, (double *)v, (const double *)wri, (const double *)vr, n, batch);
  else
    unpack_eig_kernel<<<grid_for(env, total, 256), 256, 0, (cudaStream_t)env->stream>>>(
        (float *)w, (float *)v, (const float *)wri, (const float *)vr, n, batch);
  return last_err();
}
