/* SPDX-License-Identifier: MIT */
/*
** The library-backed backend entries: iota and mask compaction (kernels/
** launchers, CUB inside), matrix products (cuBLAS for the float and complex
** types, a generic kernel for bool and integers) and random numbers (our
** Philox kernel). All are enqueued on the device's stream; none waits.
*/
#include "cuda_internal.h"
#include "dynlib.h"

int lu_cuda_iota(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                 double start, double step) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = lu_cuda_device(ctx, dev.index, &d);
  if (rc != LU_OK || n <= 0) return rc;
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_iota(dt, out, n, start, step, &env));
  return LU_OK;
}

/* {====================================================== matmul */
/* cuBLAS is column-major: a row-major M x N product C = A B is the
** column-major N x M product C^T = B^T A^T, and a row-major matrix with row
** stride ld is its own transpose in column-major with leading dimension ld.
** So B goes first, and each operand's op is T exactly when the core says
** the operand is stored transposed. A leading dimension only matters when
** the matrix has more than one column in cuBLAS's view; otherwise any
** value the core passes is replaced by the smallest cuBLAS accepts; rows
** that overlap (a stride smaller than a row) go to the generic kernel. */
/* float16 and bfloat16 (float32 accumulation, one rounding of each
** result), complex64 and complex128: cublasGemmEx, with the operands in
** the order and ops of the float32 path below. */
static int gemm_ex(lu_ctx *ctx, lu_cuda_dev *d, const lu_matmul_call *c, cublasOperation_t opa,
                   cublasOperation_t opb, int64_t lda, int64_t ldb, int64_t ldc) {
  const lu_cublas_fns *B = lu_cuda_cublas_loaded();
  static const float one_f = 1.0f, zero_f = 0.0f;
  static const cuComplex one_c = {1.0f, 0.0f}, zero_c = {0.0f, 0.0f};
  static const cuDoubleComplex one_z = {1.0, 0.0}, zero_z = {0.0, 0.0};
  cudaDataType_t t;
  cublasComputeType_t ct = CUBLAS_COMPUTE_32F;
  const void *alpha = &one_f, *beta = &zero_f;
  switch (c->dt) {
    case LU_FLOAT16: t = CUDA_R_16F; break;
    case LU_BFLOAT16: t = CUDA_R_16BF; break;
    case LU_COMPLEX64: t = CUDA_C_32F; alpha = &one_c; beta = &zero_c; break;
    case LU_COMPLEX128:
      t = CUDA_C_64F; ct = CUBLAS_COMPUTE_64F; alpha = &one_z; beta = &zero_z;
      break;
    default:
      return lu_seterr(ctx, LU_ETYPE, "matmul: no cuBLAS path for %s", lu_dtype_name(c->dt));
  }
  if (c->batch == 1)
    BLAS_CHECK(ctx, B->GemmEx_64(d->blas, opb, opa, c->N, c->M, c->K, alpha, c->b_ptr, t, ldb,
                                 c->a_ptr, t, lda, beta, c->c_ptr, t, ldc, ct, CUBLAS_GEMM_DEFAULT));
  else
    BLAS_CHECK(ctx, B->GemmStridedBatchedEx_64(d->blas, opb, opa, c->N, c->M, c->K, alpha,
        c->b_ptr, t, ldb, c->bstride_b, c->a_ptr, t, lda, c->bstride_a, beta, c->c_ptr, t, ldc,
        c->M * c->N, c->batch, ct, CUBLAS_GEMM_DEFAULT));
  return LU_OK;
}

int lu_cuda_matmul(lu_ctx *ctx, const lu_matmul_call *c) {
  lu_cuda_dev *d;
  const lu_cublas_fns *B;
  cublasOperation_t opa = c->trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasOperation_t opb = c->trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  int64_t lda = c->lda, ldb = c->ldb, ldc = c->N;
  /* rows of each operand in cuBLAS's (column-major) storage view, and
  ** how many columns that view has */
  int64_t a_rows = c->trans_a ? c->M : c->K, a_cols = c->trans_a ? c->K : c->M;
  int64_t b_rows = c->trans_b ? c->K : c->N, b_cols = c->trans_b ? c->N : c->K;
  int rc = lu_cuda_device(ctx, c->dev.index, &d);
  if (rc != LU_OK) return rc;
  int ext = c->dt == LU_FLOAT16 || c->dt == LU_BFLOAT16 || lu_dtype_kind(c->dt) == 'c';
  if (c->batch <= 0 || c->M <= 0 || c->N <= 0) return LU_OK;
  if (c->dt != LU_FLOAT32 && c->dt != LU_FLOAT64 && !ext) {
    lu_k_env env;
    lu_cuda_env(d, &env);
    LAUNCH_CHECK(ctx, lu_k_matmul_generic(c, &env));
    return LU_OK;
  }
  if (c->K == 0) {   /* an empty sum: zeros */
    size_t bytes = (size_t)(c->batch * c->M * c->N) * (size_t)lu_dtype_size(c->dt);
    CU_CHECK(ctx, cudaMemsetAsync(c->c_ptr, 0, bytes, d->stream));
    return LU_OK;
  }
  if (a_cols <= 1) lda = a_rows > 1 ? a_rows : 1;
  if (b_cols <= 1) ldb = b_rows > 1 ? b_rows : 1;
  if (lda < a_rows || ldb < b_rows) {   /* overlapping rows (a broadcast): no cuBLAS layout */
    lu_k_env env;
    if (ext)
      return lu_seterr(ctx, LU_EARG, "matmul: %s operands with overlapping rows", lu_dtype_name(c->dt));
    lu_cuda_env(d, &env);
    LAUNCH_CHECK(ctx, lu_k_matmul_generic(c, &env));
    return LU_OK;
  }
  if ((rc = lu_cuda_blas(ctx, d, &d->blas)) != LU_OK) return rc;   /* created on first use */
  if (ext) return gemm_ex(ctx, d, c, opa, opb, lda, ldb, ldc);
  B = lu_cuda_cublas_loaded();
  /* One product takes the plain GEMM: cuBLAS's heuristics for the batched
  ** entry can pick another kernel even for a batch of one. The handle keeps
  ** CUBLAS_DEFAULT_MATH (no TF32), so float32 stays float32-accurate. */
  if (c->dt == LU_FLOAT32) {
    const float one = 1.0f, zero = 0.0f;
    if (c->batch == 1)
      BLAS_CHECK(ctx, B->Sgemm_64(d->blas, opb, opa, c->N, c->M, c->K, &one,
          (const float *)c->b_ptr, ldb, (const float *)c->a_ptr, lda,
          &zero, (float *)c->c_ptr, ldc));
    else
      BLAS_CHECK(ctx, B->SgemmStridedBatched_64(d->blas, opb, opa, c->N, c->M, c->K, &one,
          (const float *)c->b_ptr, ldb, c->bstride_b, (const float *)c->a_ptr, lda, c->bstride_a,
          &zero, (float *)c->c_ptr, ldc, c->M * c->N, c->batch));
  } else {
    const double one = 1.0, zero = 0.0;
    if (c->batch == 1)
      BLAS_CHECK(ctx, B->Dgemm_64(d->blas, opb, opa, c->N, c->M, c->K, &one,
          (const double *)c->b_ptr, ldb, (const double *)c->a_ptr, lda,
          &zero, (double *)c->c_ptr, ldc));
    else
      BLAS_CHECK(ctx, B->DgemmStridedBatched_64(d->blas, opb, opa, c->N, c->M, c->K, &one,
          (const double *)c->b_ptr, ldb, c->bstride_b, (const double *)c->a_ptr, lda, c->bstride_a,
          &zero, (double *)c->c_ptr, ldc, c->M * c->N, c->batch));
  }
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== random */
/* Our own Philox kernel (kernels/random.cu) on the stream of
** src/core/lu_philox.h, the CPU backend's: uniforms in [0, 1), the same
** numbers on both devices, one pass over the output. */
int lu_cuda_random(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                   lu_randdist dist, uint64_t seed, uint64_t offset) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = lu_cuda_device(ctx, dev.index, &d);
  if (rc != LU_OK || n <= 0) return rc;
  if (dt != LU_FLOAT32 && dt != LU_FLOAT64)
    return lu_seterr(ctx, LU_ETYPE, "random: dtype %s not supported (float32 or float64)",
                     lu_dtype_name(dt));
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_random(dt, out, n, (int)dist, seed, offset, &env));
  return LU_OK;
}

/* The per-element samplers (lu_samplers.def) in kernels/random.cu. */
static int lu_cuda_sample(lu_ctx *ctx, const lu_sample_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = lu_cuda_device(ctx, c->dev.index, &d);
  if (rc != LU_OK || c->n <= 0) return rc;
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_sample(c, &env));
  return LU_OK;
}
/* }====================================================== */

const lu_linalg_family lu_cuda_linalg_family = {
  lu_cuda_matmul, lu_cuda_lapack, lu_cuda_la_small /* linalg.c */
};
const lu_random_family lu_cuda_random_family = { lu_cuda_random, lu_cuda_sample };

