/* SPDX-License-Identifier: MIT */
/*
** lu_k_matmul_generic: batched C = A @ B for the dtypes cuBLAS lacks (bool
** and the integers; floats work too, for testing). A 16 x 16 shared-memory
** tile kernel. Integers accumulate in uint64, whose wrap-around equals the
** dtype's own after truncation; bool counts the products of 0/1 values and
** stores count != 0, i.e. the or of ands.
*/
#include "lu_kcommon.cuh"

namespace lu_k {

constexpr int kT = 16;

template <class T> struct mm_acc { using type = uint64_t; };
template <> struct mm_acc<float> { using type = float; };
template <> struct mm_acc<double> { using type = double; };

struct mm_geom {
  int64_t batch, M, N, K, lda, ldb, bsa, bsb, bsc;
  int ta, tb;
};

template <class T>
__global__ void __launch_bounds__(kT * kT)
matmul_kernel(const T *a, const T *b, T *c, mm_geom g, bool is_bool) {
  using A = typename mm_acc<T>::type;
  __shared__ T sa[kT][kT + 1], sb[kT][kT + 1];
  int tx = threadIdx.x, ty = threadIdx.y;
  int64_t tn = (g.N + kT - 1) / kT, tm = (g.M + kT - 1) / kT;
  for (int64_t bt = blockIdx.z; bt < g.batch; bt += gridDim.z) {
    const T *pa = a + bt * g.bsa, *pb = b + bt * g.bsb;
    T *pc = c + bt * g.bsc;
    for (int64_t im = blockIdx.y; im < tm; im += gridDim.y)
      for (int64_t in = blockIdx.x; in < tn; in += gridDim.x) {
        int64_t m = im * kT + ty, n = in * kT + tx;
        A acc = 0;
        for (int64_t k0 = 0; k0 < g.K; k0 += kT) {
          /* sa[ty][tx] = A(m, k0+tx); sb[ty][tx] = B(k0+ty, n) */
          int64_t ka = k0 + tx, kb = k0 + ty;
          T va = 0, vb = 0;
          if (m < g.M && ka < g.K) va = g.ta ? pa[ka * g.lda + m] : pa[m * g.lda + ka];
          if (kb < g.K && n < g.N) vb = g.tb ? pb[n * g.ldb + kb] : pb[kb * g.ldb + n];
          sa[ty][tx] = va;
          sb[ty][tx] = vb;
          __syncthreads();
#pragma unroll
          for (int k = 0; k < kT; k++) acc += (A)sa[ty][k] * (A)sb[k][tx];
          __syncthreads();
        }
        if (m < g.M && n < g.N) pc[m * g.N + n] = is_bool ? (T)(acc != 0) : (T)acc;
      }
  }
}

}  // namespace lu_k

/* One block per output tile and batch entry, up to the device's grid
** limits (the kernel steps by the grid past them). */
static inline unsigned cap(int64_t n, int64_t lim) { return (unsigned)(n < lim ? n : lim); }

extern "C" int lu_k_matmul_generic(const lu_matmul_call *c, const lu_k_env *env) {
  using namespace lu_k;
  if (c->batch <= 0 || c->M <= 0 || c->N <= 0) return 0;
  cudaStream_t st = (cudaStream_t)env->stream;
  mm_geom g = {c->batch, c->M, c->N, c->K, c->lda, c->ldb,
               c->bstride_a, c->bstride_b, c->bstride_c, c->trans_a, c->trans_b};
  int64_t tn = (c->N + kT - 1) / kT, tm = (c->M + kT - 1) / kT;
  dim3 grid(cap(tn, 65535), cap(tm, env->max_grid_y), cap(c->batch, env->max_grid_z));
  return dispatch(c->dt, [&](auto tg, bool is_bool) -> int {
    using T = typename decltype(tg)::type;
    matmul_kernel<T><<<grid, dim3(kT, kT), 0, st>>>((const T *)c->a_ptr, (const T *)c->b_ptr,
                                                    (T *)c->c_ptr, g, is_bool);
    return last_err();
  });
}
