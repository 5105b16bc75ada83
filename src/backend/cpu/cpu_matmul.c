/* SPDX-License-Identifier: MIT */
/*
** Matrix products on the CPU: float32/float64 through OpenBLAS (one gemm per
** batch entry; OpenBLAS threads inside), every other dtype through a plain
** i-k-j loop (rows of B and C are walked in order), bool as or/and.
*/
#include <string.h>
#include <limits.h>
#include <cblas.h>
#include "cpu_internal.h"

/* C[i, :] = sum_k A[i, k] * B[k, :] for one matrix of type T_. Integers
** wrap (the build uses -fwrapv); bool computes "any k with a and b". */
#define MM_INT(E, name, T, size, kind, sh) \
  static void mm_##sh(const lu_matmul_call *c, const char *ap, const char *bp, char *cp) { \
    typedef T T_; \
    const T_ *A = (const T_ *)ap, *B = (const T_ *)bp; \
    T_ *C = (T_ *)cp; \
    int64_t M = c->M, N = c->N, K = c->K, lda = c->lda, ldb = c->ldb; \
    int par = M > 1 && M * N * K >= (int64_t)1 << 18; \
    _Pragma("omp parallel for schedule(static) if (par)") \
    for (int64_t i = 0; i < M; i++) { \
      T_ *restrict crow = C + i * N; \
      for (int64_t j = 0; j < N; j++) crow[j] = 0; \
      for (int64_t k = 0; k < K; k++) { \
        T_ a = c->trans_a ? A[k * lda + i] : A[i * lda + k]; \
        if (a == 0) continue; \
        if (!c->trans_b) { \
          const T_ *restrict brow = B + k * ldb; \
          if (kind == 'b') { for (int64_t j = 0; j < N; j++) crow[j] = (T_)(crow[j] != 0 || brow[j] != 0); } \
          else { _Pragma("omp simd") for (int64_t j = 0; j < N; j++) crow[j] = (T_)(crow[j] + a * brow[j]); } \
        } else { \
          if (kind == 'b') { for (int64_t j = 0; j < N; j++) crow[j] = (T_)(crow[j] != 0 || B[j * ldb + k] != 0); } \
          else { for (int64_t j = 0; j < N; j++) crow[j] = (T_)(crow[j] + a * B[j * ldb + k]); } \
        } \
      } \
    } \
  }
LU_DTYPES(MM_INT)

typedef void (*mmfn)(const lu_matmul_call *, const char *, const char *, char *);
#define MM_PTR(E, name, T, size, kind, sh) mm_##sh,
static const mmfn mmfns[LU_NDTYPES] = { LU_DTYPES(MM_PTR) };

/* BLAS wants a leading dimension of at least the stored row length even
** when there is a single row (whose stride the core may leave as anything) */
static int64_t fix_ld(int64_t ld, int64_t rows, int64_t cols) {
  if (cols < 1) cols = 1;
  return (rows <= 1 && ld < cols) ? cols : ld;
}

int lu_cpu_matmul(lu_ctx *ctx, const lu_matmul_call *c) {
  int sz;
  if ((unsigned)c->dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu matmul: bad dtype %d", (int)c->dt);
  if (c->batch < 0 || c->M < 0 || c->N < 0 || c->K < 0)
    return lu_seterr(ctx, LU_EARG, "cpu matmul: negative extent (batch %lld, M %lld, N %lld, K %lld)",
                     (long long)c->batch, (long long)c->M, (long long)c->N, (long long)c->K);
  sz = lu_cpu_dsize[c->dt];
  if (c->batch == 0 || c->M == 0 || c->N == 0) return LU_OK;
  if (c->K == 0) {
    /* an empty sum: zeros (also avoids handing BLAS a 0 leading dimension) */
    for (int64_t b = 0; b < c->batch; b++)
      memset(c->c_ptr + b * c->bstride_c * sz, 0, (size_t)(c->M * c->N) * (size_t)sz);
    return LU_OK;
  }
  if (c->dt == LU_FLOAT32 || c->dt == LU_FLOAT64) {
    int64_t lda = c->trans_a ? fix_ld(c->lda, c->K, c->M) : fix_ld(c->lda, c->M, c->K);
    int64_t ldb = c->trans_b ? fix_ld(c->ldb, c->N, c->K) : fix_ld(c->ldb, c->K, c->N);
    enum CBLAS_TRANSPOSE ta = c->trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = c->trans_b ? CblasTrans : CblasNoTrans;
    if (c->M > INT_MAX || c->N > INT_MAX || c->K > INT_MAX || lda > INT_MAX ||
        ldb > INT_MAX || c->ldc > INT_MAX)
      return lu_seterr(ctx, LU_EARG, "cpu matmul: matrix extent over BLAS's int range (M %lld, N %lld, K %lld)",
                       (long long)c->M, (long long)c->N, (long long)c->K);
    for (int64_t b = 0; b < c->batch; b++) {
      const char *A = c->a_ptr + b * c->bstride_a * sz;
      const char *B = c->b_ptr + b * c->bstride_b * sz;
      char *C = c->c_ptr + b * c->bstride_c * sz;
      if (c->dt == LU_FLOAT32)
        cblas_sgemm(CblasRowMajor, ta, tb, (int)c->M, (int)c->N, (int)c->K, 1.0f,
                    (const float *)A, (int)lda, (const float *)B, (int)ldb, 0.0f,
                    (float *)C, (int)c->ldc);
      else
        cblas_dgemm(CblasRowMajor, ta, tb, (int)c->M, (int)c->N, (int)c->K, 1.0,
                    (const double *)A, (int)lda, (const double *)B, (int)ldb, 0.0,
                    (double *)C, (int)c->ldc);
    }
    return LU_OK;
  }
  for (int64_t b = 0; b < c->batch; b++)
    mmfns[c->dt](c, c->a_ptr + b * c->bstride_a * sz, c->b_ptr + b * c->bstride_b * sz,
                 c->c_ptr + b * c->bstride_c * sz);
  return LU_OK;
}

const lu_linalg_family lu_cpu_linalg_family = {
  .matmul = lu_cpu_matmul,
};
