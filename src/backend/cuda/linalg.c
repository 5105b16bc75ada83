/* SPDX-License-Identifier: MIT */
/*
** The linalg family's LAPACK entry on the GPU (lu_la_call: dense,
** column-major stacks prepared by the core). cuSOLVER's 64-bit generic API
** (cusolverDnX*: one entry for every dtype, the data type as an argument),
** its typed routines where no generic one exists (orgqr, Jacobi SVD), and
** for stacks of small matrices the batched routines of cuBLAS (getrf,
** getrs, matinv) and cuSOLVER (potrf, Jacobi SVD, syev), which take one
** call for the whole stack instead of one per matrix.
**
** Work is enqueued on the device's stream; device workspace comes from the
** stream-ordered allocator and is freed in stream order right after the
** calls that use it. The one wait: info (one int per matrix) is copied back
** to the host at the end, where the core reads it; that synchronises the
** stream, which a factorization that can fail must do to say so.
**
** Every routine takes float32, float64, complex64 and complex128: the
** generic ones through cuda_type(), the typed ones (orgqr/ungqr, gesvdj,
** potrfBatched, cuBLAS's batched LU) through a switch with S, D, C, Z.
*/
#include <stdlib.h>
#include <string.h>
#include "cuda_internal.h"
#include "lu_hostmem.h"
#include "dynlib.h"

/* Matrices up to this order use the batched small-matrix routines when
** there are several (cuSOLVER's Jacobi batched routines take n <= 32,
** cuBLAS's matinvBatched n < 32). */
#define SMALL_N 32

/* From this many matrices on, info is counted on the device and read back
** as one int where every matrix succeeded (lu_cuda_lapack): 100000 ints
** through pageable memory and the wait for them cost more than the count. */
#define LONG_STACK 1024

typedef struct lu_cuda_solver {
  cusolverDnHandle_t h;
  cusolverDnParams_t params;
} lu_cuda_solver;

/* {====================================================== errors, handle */
static const char *status_name(cusolverStatus_t s) {
  switch (s) {
  case CUSOLVER_STATUS_SUCCESS: return "CUSOLVER_STATUS_SUCCESS";
  case CUSOLVER_STATUS_NOT_INITIALIZED: return "CUSOLVER_STATUS_NOT_INITIALIZED";
  case CUSOLVER_STATUS_ALLOC_FAILED: return "CUSOLVER_STATUS_ALLOC_FAILED";
  case CUSOLVER_STATUS_INVALID_VALUE: return "CUSOLVER_STATUS_INVALID_VALUE";
  case CUSOLVER_STATUS_ARCH_MISMATCH: return "CUSOLVER_STATUS_ARCH_MISMATCH";
  case CUSOLVER_STATUS_EXECUTION_FAILED: return "CUSOLVER_STATUS_EXECUTION_FAILED";
  case CUSOLVER_STATUS_INTERNAL_ERROR: return "CUSOLVER_STATUS_INTERNAL_ERROR";
  case CUSOLVER_STATUS_NOT_SUPPORTED: return "CUSOLVER_STATUS_NOT_SUPPORTED";
  default: return "cuSOLVER error";
  }
}

static int fail_solver(lu_ctx *ctx, cusolverStatus_t e, const char *call, int line) {
  cudaGetLastError();
  if (e == CUSOLVER_STATUS_ALLOC_FAILED)
    return lu_cuda_seterr(ctx, LU_EMEM, "%s failed: out of memory (cuSOLVER workspace) (linalg.c:%d)",
                          call, line);
  return lu_cuda_seterr(ctx, LU_EBACKEND, "%s failed: %s (%d) (linalg.c:%d)", call,
                        status_name(e), (int)e, line);
}

/* These record the failure and jump to the function's `done` with rc set,
** so that the workspace taken so far is given back. */
#define SOLVER_DO(call) do { cusolverStatus_t e_ = (call); \
  if (e_ != CUSOLVER_STATUS_SUCCESS) { rc = fail_solver(ctx, e_, #call, __LINE__); goto done; } } while (0)
#define BLAS_DO(call) do { cublasStatus_t e_ = (call); \
  if (e_ != CUBLAS_STATUS_SUCCESS) { rc = lu_cuda_fail_blas(ctx, e_, #call, __FILE__, __LINE__); goto done; } } while (0)
#define CU_DO(call) do { cudaError_t e_ = (cudaError_t)(call); \
  if (e_ == cudaSuccess) e_ = cudaGetLastError(); \
  if (e_ != cudaSuccess) { rc = lu_cuda_fail(ctx, e_, #call, __FILE__, __LINE__); goto done; } } while (0)

/* d's cuSOLVER handle (on d's stream) and its parameters, made on first use */
static int solver(lu_ctx *ctx, lu_cuda_dev *d, const lu_cusolver_fns **fns, lu_cuda_solver **out) {
  const lu_cusolver_fns *S = lu_cuda_cusolver(ctx);
  int rc = LU_OK;
  lu_cuda_solver *s;
  if (S == NULL) return LU_EBACKEND;
  *fns = S;
  if (d->solver != NULL) {   /* the handle follows the current stream (a host-side setting) */
    cusolverStatus_t e = S->SetStream(d->solver->h, d->stream);
    if (e != CUSOLVER_STATUS_SUCCESS) return fail_solver(ctx, e, "cusolverDnSetStream", __LINE__);
    *out = d->solver;
    return LU_OK;
  }
  if ((s = (lu_cuda_solver *)lu_calloc(1, sizeof *s)) == NULL)
    return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
  SOLVER_DO(S->Create(&s->h));
  SOLVER_DO(S->SetStream(s->h, d->stream));
  SOLVER_DO(S->CreateParams(&s->params));
  d->solver = s;
  *out = s;
  lu_cuda_trace("cuSOLVER handle created (device %d)", d->index);
  return LU_OK;
done:
  if (s->params) S->DestroyParams(s->params);
  if (s->h) S->Destroy(s->h);
  free(s);
  return rc;
}

void lu_cuda_solver_release(lu_cuda_dev *d) {
  const lu_cusolver_fns *S = lu_cuda_cusolver_loaded();
  lu_cuda_solver *s = d->solver;
  if (s == NULL) return;
  if (S != NULL) {   /* a handle implies the library */
    if (s->params) S->DestroyParams(s->params);
    if (s->h) S->Destroy(s->h);
  }
  free(s);
  d->solver = NULL;
}
/* }====================================================== */

/* {====================================================== workspace */
typedef struct job {
  lu_cuda_dev *d;
  void *dbuf[6];                /* device blocks, freed in stream order */
  int nd;
  void *hbuf;                   /* host workspace of the 64-bit API */
  size_t hbytes;
} job;

static int dalloc(lu_ctx *ctx, job *j, size_t n, void **p) {
  cudaError_t e;
  *p = NULL;
  if (j->nd == (int)(sizeof j->dbuf / sizeof j->dbuf[0]))
    return lu_cuda_seterr(ctx, LU_EBACKEND, "linalg: too many workspace blocks (a bug in lunar)");
  if (n == 0) n = 16;
  e = lu_cuda_malloc(j->d, n, p);
  if (e != cudaSuccess || *p == NULL)
    return lu_cuda_seterr(ctx, LU_EMEM, "out of memory allocating %zu bytes of linalg workspace", n);
  j->dbuf[j->nd++] = *p;
  return LU_OK;
}

static int halloc(lu_ctx *ctx, job *j, size_t n) {
  if (n <= j->hbytes) return LU_OK;
  free(j->hbuf);
  j->hbytes = 0;
  if ((j->hbuf = lu_malloc(n)) == NULL) return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
  j->hbytes = n;
  return LU_OK;
}

static void job_free(job *j) {
  int i;
  for (i = 0; i < j->nd; i++) lu_cuda_mfree(j->d, j->dbuf[i]);
  free(j->hbuf);
}

/* A device array of pointers to the matrices of a stack (batched routines). */
static int ptr_array(lu_ctx *ctx, job *j, char *base, int64_t stride, int64_t n, void ***out) {
  lu_k_env env;
  int rc = dalloc(ctx, j, (size_t)n * sizeof(void *), (void **)out);
  if (rc != LU_OK) return rc;
  lu_cuda_env(j->d, &env);
  LAUNCH_CHECK(ctx, lu_k_linalg_ptrs(*out, base, stride, n, &env));
  return LU_OK;
}
/* }====================================================== */

static cudaDataType cuda_type(lu_dtype dt) {
  switch (dt) {
  case LU_FLOAT32: return CUDA_R_32F;
  case LU_COMPLEX64: return CUDA_C_32F;
  case LU_COMPLEX128: return CUDA_C_64F;
  default: return CUDA_R_64F;
  }
}

/* the type of singular values and symmetric eigenvalues: real */
static cudaDataType real_type(lu_dtype dt) {
  return dt == LU_FLOAT32 || dt == LU_COMPLEX64 ? CUDA_R_32F : CUDA_R_64F;
}

static size_t real_size(lu_dtype dt) {
  return dt == LU_FLOAT32 || dt == LU_COMPLEX64 ? 4 : 8;
}

/* {====================================================== the routines */
/* A stack of small inverses that the one-pass kernel does not take
** (complex, or LUNAR_SMALL_SOLVE=0): cuBLAS's getrfBatched then
** getriBatched, as CuPy does, or with LUNAR_BATCHED_INV=matinv its
** matinvBatched (one call, n < 32). getri was the faster on an H200
** (100000 of 8x8 float32: 0.467 ms against 0.728, bench/la_stages.lua). */
static int inv_by_getri(void) {
  const char *e = getenv("LUNAR_BATCHED_INV");
  return e == NULL || strcmp(e, "matinv") != 0;
}

/* One right-hand side after getrf: cuBLAS's two trsv and lunar's
** row-swap kernel in place of getrs, whose triangular solves treat the
** vector as a matrix. cuSOLVER's Xgetrs took 1.26 ms on an H100 for order
** 4096 in float64 (trans), the two trsv 0.60 (bench/lu_routes.cu, session
** 18); the bench's solve rows went from 14.94 to 14.55 ms (float64) and
** 13.30 to 12.93 (float32) on an H100, PyTorch 14.63 and 13.03 (session
** 20). P A = L U in a; trans: A^T x = b is U^T L^T P x = b; else
** L U x = P b. Only for a b that fits the swap kernel's shared memory;
** otherwise getrs. */
static int vec_route(const lu_la_call *c) {
  return c->op == LU_LA_SOLVE && c->nrhs == 1 && c->n <= INT32_MAX &&
         c->n * (int64_t)lu_dtype_size(c->dt) <= LU_K_LASWP_SMEM;
}

static int trsv_solve(lu_ctx *ctx, lu_cuda_dev *d, const lu_cublas_fns *B, const lu_la_call *c, void *a,
                      const int64_t *pv, void *b) {
  int nn = (int)c->n, rc = LU_OK, step;
  lu_k_env env;
  lu_cuda_env(d, &env);
  if (!c->trans) LAUNCH_CHECK(ctx, lu_k_linalg_laswp_vec(b, pv, c->n, lu_dtype_size(c->dt), 0, &env));
  for (step = 0; step < 2; step++) {
    /* trans: U^T first, then L^T; else L, then U */
    int upper = c->trans ? step == 0 : step == 1;
    cublasFillMode_t fill = upper ? CUBLAS_FILL_MODE_UPPER : CUBLAS_FILL_MODE_LOWER;
    cublasDiagType_t diag = upper ? CUBLAS_DIAG_NON_UNIT : CUBLAS_DIAG_UNIT;
    cublasOperation_t op = c->trans ? CUBLAS_OP_T : CUBLAS_OP_N;
    switch (c->dt) {
    case LU_FLOAT32: BLAS_DO(B->Strsv(d->blas, fill, op, diag, nn, (const float *)a, nn, (float *)b, 1)); break;
    case LU_FLOAT64: BLAS_DO(B->Dtrsv(d->blas, fill, op, diag, nn, (const double *)a, nn, (double *)b, 1)); break;
    case LU_COMPLEX64:
      BLAS_DO(B->Ctrsv(d->blas, fill, op, diag, nn, (const cuComplex *)a, nn, (cuComplex *)b, 1));
      break;
    default:
      BLAS_DO(B->Ztrsv(d->blas, fill, op, diag, nn, (const cuDoubleComplex *)a, nn, (cuDoubleComplex *)b, 1));
      break;
    }
  }
  if (c->trans) LAUNCH_CHECK(ctx, lu_k_linalg_laswp_vec(b, pv, c->n, lu_dtype_size(c->dt), 1, &env));
done:
  return rc;
}

/* The inverse after getrf, in place of getrs on the identity (2 n^3
** multiply-adds in two trsm). With M the matrix as cuSOLVER sees it
** (column-major), M = P L U and M^-1 = U^-1 L^-1 P^T: L^-1 goes into b
** (the identity on entry) by halves (inv_lower); one trsm with U on all of
** b; then the columns go to their places in a, whose factors are spent,
** and back into b (P^T: getrf's interchanges applied to 0..n-1 by the
** row-swap kernel, on int32 indices moved as 4-byte words). Order 4096 on
** an H100 (session 22, bench/inv_stages.cu): getrs 5.39 ms float32 and
** 6.40 float64; these steps 4.42 and 5.25 (L^-1 1.68 / 1.93, the trsm
** 2.62 / 3.18, the permutation 0.07 / 0.10), and faster from order 512
** up (1024: 0.41 / 0.61 against 0.50 / 0.76). L^-1 by trmm in place of
** gemm took 2.54 / 3.04, by cuSOLVER's trtri 7.3 / 9.5, and by a trsm a
** block column of 256 at a time the whole inverse took 2.7 ms more than
** with getrs. The whole linalg.inv (bench/inv_routes.lua): 17.23 / 19.76
** ms against 18.91 / 21.53 with getrs, and faster from order 256 up.
** Orders INV_MIN_N up that the swap kernel takes (n int32 in its shared
** memory); LUNAR_INV=getrs keeps getrs. */
#define INV_NB 512
#define INV_MIN_N 256
static int inv_route(const lu_la_call *c) {
  const char *e;
  if (c->op != LU_LA_INV || c->trans || c->n < INV_MIN_N ||
      c->n * (int64_t)sizeof(int32_t) > LU_K_LASWP_SMEM)
    return 0;
  e = getenv("LUNAR_INV");
  return e == NULL || strcmp(e, "getrs") != 0;
}

/* b <- op^-1 b for the m x m lower (unit) or upper (non-unit) triangle of a,
** b with ncol columns */
static int trsm_left(lu_ctx *ctx, lu_cuda_dev *d, const lu_cublas_fns *B, lu_dtype dt, int upper,
                     int64_t m, int64_t ncol, const void *a, int64_t lda, void *b, int64_t ldb) {
  cublasFillMode_t fill = upper ? CUBLAS_FILL_MODE_UPPER : CUBLAS_FILL_MODE_LOWER;
  cublasDiagType_t diag = upper ? CUBLAS_DIAG_NON_UNIT : CUBLAS_DIAG_UNIT;
  const cublasSideMode_t L = CUBLAS_SIDE_LEFT;
  const cublasOperation_t N = CUBLAS_OP_N;
  const int im = (int)m, in = (int)ncol, ia = (int)lda, ib = (int)ldb;
  int rc = LU_OK;
  switch (dt) {
  case LU_FLOAT32: {
    const float one = 1.0f;
    BLAS_DO(B->Strsm(d->blas, L, fill, N, diag, im, in, &one, (const float *)a, ia, (float *)b, ib));
    break;
  }
  case LU_FLOAT64: {
    const double one = 1.0;
    BLAS_DO(B->Dtrsm(d->blas, L, fill, N, diag, im, in, &one, (const double *)a, ia, (double *)b, ib));
    break;
  }
  case LU_COMPLEX64: {
    const cuComplex one = { 1.0f, 0.0f };
    BLAS_DO(B->Ctrsm(d->blas, L, fill, N, diag, im, in, &one, (const cuComplex *)a, ia,
                     (cuComplex *)b, ib));
    break;
  }
  default: {
    const cuDoubleComplex one = { 1.0, 0.0 };
    BLAS_DO(B->Ztrsm(d->blas, L, fill, N, diag, im, in, &one, (const cuDoubleComplex *)a, ia,
                     (cuDoubleComplex *)b, ib));
    break;
  }
  }
done:
  return rc;
}

/* c <- sign * a b, a m x k, b k x n, column-major */
static int gemm_nn(lu_ctx *ctx, lu_cuda_dev *d, const lu_cublas_fns *B, lu_dtype dt, int sign,
                   int64_t m, int64_t n, int64_t k, const void *a, int64_t lda, const void *b,
                   int64_t ldb, void *c, int64_t ldc) {
  const cublasOperation_t N = CUBLAS_OP_N;
  int rc = LU_OK;
  switch (dt) {
  case LU_FLOAT32: {
    const float al = (float)sign, be = 0.0f;
    BLAS_DO(B->Sgemm_64(d->blas, N, N, m, n, k, &al, (const float *)a, lda, (const float *)b, ldb,
                        &be, (float *)c, ldc));
    break;
  }
  case LU_FLOAT64: {
    const double al = (double)sign, be = 0.0;
    BLAS_DO(B->Dgemm_64(d->blas, N, N, m, n, k, &al, (const double *)a, lda, (const double *)b, ldb,
                        &be, (double *)c, ldc));
    break;
  }
  case LU_COMPLEX64: {
    const cuComplex al = { (float)sign, 0.0f }, be = { 0.0f, 0.0f };
    BLAS_DO(B->GemmEx_64(d->blas, N, N, m, n, k, &al, a, CUDA_C_32F, lda, b, CUDA_C_32F, ldb, &be,
                         c, CUDA_C_32F, ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    break;
  }
  default: {
    const cuDoubleComplex al = { (double)sign, 0.0 }, be = { 0.0, 0.0 };
    BLAS_DO(B->GemmEx_64(d->blas, N, N, m, n, k, &al, a, CUDA_C_64F, lda, b, CUDA_C_64F, ldb, &be,
                         c, CUDA_C_64F, ldc, CUBLAS_COMPUTE_64F, CUBLAS_GEMM_DEFAULT));
    break;
  }
  }
done:
  return rc;
}

/* b's block (o, o) of order m (the identity on entry) <- the inverse of
** the unit lower triangle of a's: by halves, [[L11, 0], [L21, L22]]^-1 =
** [[W11, 0], [W21, W22]] with W21 = -W22 (L21 W11), the two products by
** gemm on the triangles with their zeros (2 n^3 / 3 multiply-adds where
** trmm does n^3 / 3, and faster); orders up to INV_NB by trsm on the
** identity. tmp holds the larger half's square. */
static int inv_lower(lu_ctx *ctx, lu_cuda_dev *d, const lu_cublas_fns *B, lu_dtype dt,
                     const char *a, char *b, int64_t n, int64_t o, int64_t m, char *tmp) {
  const size_t es = (size_t)lu_dtype_size(dt);
  int64_t m1, m2;
  int rc;
  if (m <= INV_NB)
    return trsm_left(ctx, d, B, dt, 0, m, m, a + (size_t)(o * n + o) * es, n,
                     b + (size_t)(o * n + o) * es, n);
  m1 = (m / 2 + INV_NB - 1) / INV_NB * INV_NB;
  m2 = m - m1;
  if ((rc = inv_lower(ctx, d, B, dt, a, b, n, o, m1, tmp)) != LU_OK ||
      (rc = inv_lower(ctx, d, B, dt, a, b, n, o + m1, m2, tmp)) != LU_OK)
    return rc;
  /* tmp = L21 W11 (m2 x m1, leading dimension m2); W21 = -W22 tmp */
  if ((rc = gemm_nn(ctx, d, B, dt, 1, m2, m1, m1, a + (size_t)(o * n + o + m1) * es, n,
                    b + (size_t)(o * n + o) * es, n, tmp, m2)) != LU_OK)
    return rc;
  return gemm_nn(ctx, d, B, dt, -1, m2, m1, m2, b + (size_t)((o + m1) * n + o + m1) * es, n, tmp,
                 m2, b + (size_t)(o * n + o + m1) * es, n);
}

static int inv_trsm(lu_ctx *ctx, lu_cuda_dev *d, const lu_la_call *c, void *a, const int64_t *pv,
                    void *b, int32_t *idx, void *tmp) {
  const lu_cublas_fns *B = lu_cuda_cublas_loaded();
  const int64_t n = c->n;
  const size_t es = (size_t)lu_dtype_size(c->dt);
  int rc;
  lu_k_env env;
  lu_cuda_env(d, &env);
  if ((rc = inv_lower(ctx, d, B, c->dt, (const char *)a, (char *)b, n, 0, n, (char *)tmp)) != LU_OK)
    return rc;
  if ((rc = trsm_left(ctx, d, B, c->dt, 1, n, n, a, n, b, n)) != LU_OK) return rc;
  LAUNCH_CHECK(ctx, lu_k_iota(LU_INT32, idx, n, 0.0, 1.0, &env));
  LAUNCH_CHECK(ctx, lu_k_linalg_laswp_vec(idx, pv, n, (int)sizeof(int32_t), 0, &env));
  LAUNCH_CHECK(ctx, lu_k_linalg_colperm(a, b, idx, n, (int)es, &env));
  CU_CHECK(ctx, cudaMemcpyAsync(b, a, (size_t)(n * n) * es, cudaMemcpyDeviceToDevice, d->stream));
  return LU_OK;
}

/* getrf (+ getrs): one matrix at a time through the 64-bit API, or the
** whole stack through cuBLAS's batched LU, solve and inverse. */
static int lu_solve(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
                    lu_cuda_solver *sv, int *d_info) {
  lu_cuda_dev *d = j->d;
  cudaDataType t = cuda_type(c->dt);
  int64_t n = c->n, mn = c->m < c->n ? c->m : c->n, k;
  size_t es = (size_t)lu_dtype_size(c->dt), dbytes = 0, hbytes = 0;
  int rc = LU_OK;
  int small = c->batch > 1 && c->m == c->n && n <= SMALL_N, vec = vec_route(c), inv = inv_route(c);
  void *dwork = NULL;
  if (small) {
    const lu_cublas_fns *B;
    void **pa, **pb = NULL;
    int *piv32 = NULL, hinfo = 0;
    if ((rc = lu_cuda_blas(ctx, d, &d->blas)) != LU_OK) return rc;
    B = lu_cuda_cublas_loaded();
    if ((rc = ptr_array(ctx, j, c->a, n * n * (int64_t)es, c->batch, &pa)) != LU_OK) return rc;
    int nn = (int)n, nb = (int)c->batch;
    int getri = c->op == LU_LA_INV && inv_by_getri();
    if (c->op == LU_LA_INV && n < SMALL_N && !getri) {
      /* out of place: b gets the inverse (its identity is not needed) */
      if ((rc = ptr_array(ctx, j, c->b, n * n * (int64_t)es, c->batch, &pb)) != LU_OK) return rc;
      switch (c->dt) {
      case LU_FLOAT32:
        BLAS_DO(B->SmatinvBatched(d->blas, nn, (const float *const *)pa, nn, (float *const *)pb, nn,
                                  d_info, nb));
        break;
      case LU_FLOAT64:
        BLAS_DO(B->DmatinvBatched(d->blas, nn, (const double *const *)pa, nn, (double *const *)pb, nn,
                                  d_info, nb));
        break;
      case LU_COMPLEX64:
        BLAS_DO(B->CmatinvBatched(d->blas, nn, (const cuComplex *const *)pa, nn,
                                  (cuComplex *const *)pb, nn, d_info, nb));
        break;
      default:
        BLAS_DO(B->ZmatinvBatched(d->blas, nn, (const cuDoubleComplex *const *)pa, nn,
                                  (cuDoubleComplex *const *)pb, nn, d_info, nb));
        break;
      }
      return LU_OK;
    }
    if ((rc = dalloc(ctx, j, (size_t)(c->batch * n) * sizeof(int), (void **)&piv32)) != LU_OK) return rc;
    switch (c->dt) {
    case LU_FLOAT32:
      BLAS_DO(B->SgetrfBatched(d->blas, nn, (float *const *)pa, nn, piv32, d_info, nb));
      break;
    case LU_FLOAT64:
      BLAS_DO(B->DgetrfBatched(d->blas, nn, (double *const *)pa, nn, piv32, d_info, nb));
      break;
    case LU_COMPLEX64:
      BLAS_DO(B->CgetrfBatched(d->blas, nn, (cuComplex *const *)pa, nn, piv32, d_info, nb));
      break;
    default:
      BLAS_DO(B->ZgetrfBatched(d->blas, nn, (cuDoubleComplex *const *)pa, nn, piv32, d_info, nb));
      break;
    }
    if (c->op == LU_LA_LU) {
      lu_k_env env;
      lu_cuda_env(d, &env);
      LAUNCH_CHECK(ctx, lu_k_linalg_widen(c->ipiv, piv32, c->batch * n, &env));
      return LU_OK;
    }
    if ((rc = ptr_array(ctx, j, c->b, n * c->nrhs * (int64_t)es, c->batch, &pb)) != LU_OK) return rc;
    if (getri) {   /* out of place into b; a singular matrix's info is getrf's */
      int *ri = NULL;
      if ((rc = dalloc(ctx, j, (size_t)c->batch * sizeof(int), (void **)&ri)) != LU_OK) return rc;
      switch (c->dt) {
      case LU_FLOAT32:
        BLAS_DO(B->SgetriBatched(d->blas, nn, (const float *const *)pa, nn, piv32,
                                 (float *const *)pb, nn, ri, nb));
        break;
      case LU_FLOAT64:
        BLAS_DO(B->DgetriBatched(d->blas, nn, (const double *const *)pa, nn, piv32,
                                 (double *const *)pb, nn, ri, nb));
        break;
      case LU_COMPLEX64:
        BLAS_DO(B->CgetriBatched(d->blas, nn, (const cuComplex *const *)pa, nn, piv32,
                                 (cuComplex *const *)pb, nn, ri, nb));
        break;
      default:
        BLAS_DO(B->ZgetriBatched(d->blas, nn, (const cuDoubleComplex *const *)pa, nn, piv32,
                                 (cuDoubleComplex *const *)pb, nn, ri, nb));
        break;
      }
      return LU_OK;
    }
    {
      cublasOperation_t op = c->trans ? CUBLAS_OP_T : CUBLAS_OP_N;
      int nr = (int)c->nrhs;
      switch (c->dt) {
      case LU_FLOAT32:
        BLAS_DO(B->SgetrsBatched(d->blas, op, nn, nr, (const float *const *)pa, nn, piv32,
                                 (float *const *)pb, nn, &hinfo, nb));
        break;
      case LU_FLOAT64:
        BLAS_DO(B->DgetrsBatched(d->blas, op, nn, nr, (const double *const *)pa, nn, piv32,
                                 (double *const *)pb, nn, &hinfo, nb));
        break;
      case LU_COMPLEX64:
        BLAS_DO(B->CgetrsBatched(d->blas, op, nn, nr, (const cuComplex *const *)pa, nn, piv32,
                                 (cuComplex *const *)pb, nn, &hinfo, nb));
        break;
      default:
        BLAS_DO(B->ZgetrsBatched(d->blas, op, nn, nr, (const cuDoubleComplex *const *)pa, nn, piv32,
                                 (cuDoubleComplex *const *)pb, nn, &hinfo, nb));
        break;
      }
    }
    if (hinfo != 0)
      return lu_cuda_seterr(ctx, LU_EBACKEND, "cublas getrsBatched rejected argument %d", -hinfo);
    return LU_OK;
  }
  {
    int64_t *ipiv = c->ipiv;
    int *d_rsinfo = NULL;   /* getrs's own info: it must not overwrite getrf's */
    int32_t *idx = NULL;    /* inv_trsm's column order and scratch */
    void *tmp = NULL;
    SOLVER_DO(S->Xgetrf_bufferSize(sv->h, sv->params, c->m, c->n, t, c->a, c->m, t, &dbytes, &hbytes));
    if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
    if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
    if (ipiv == NULL && (rc = dalloc(ctx, j, (size_t)mn * sizeof(int64_t), (void **)&ipiv)) != LU_OK)
      return rc;
    if (c->op != LU_LA_LU && (rc = dalloc(ctx, j, sizeof(int), (void **)&d_rsinfo)) != LU_OK)
      return rc;
    if ((vec || inv) && (rc = lu_cuda_blas(ctx, d, &d->blas)) != LU_OK) return rc;
    if (inv && ((rc = dalloc(ctx, j, (size_t)n * sizeof(int32_t), (void **)&idx)) != LU_OK ||
                (rc = dalloc(ctx, j, (size_t)((n / 2 + 1) * (n / 2 + 1)) * es, &tmp)) != LU_OK))
      return rc;
    for (k = 0; k < c->batch; k++) {
      char *a = c->a + (size_t)(k * c->m * c->n) * es;
      int64_t *pv = c->op == LU_LA_LU ? ipiv + k * mn : ipiv;
      SOLVER_DO(S->Xgetrf(sv->h, sv->params, c->m, c->n, t, a, c->m, pv, t, dwork, dbytes,
                          j->hbuf, hbytes, d_info + k));
      if (c->op == LU_LA_LU) continue;
      /* a singular matrix's getrs output is garbage, and the core reports
      ** the matrix anyway */
      if (vec) {
        if ((rc = trsv_solve(ctx, d, lu_cuda_cublas_loaded(), c, a, pv, c->b + (size_t)(k * n) * es)) != LU_OK)
          goto done;
        continue;
      }
      if (inv) {
        if ((rc = inv_trsm(ctx, d, c, a, pv, c->b + (size_t)(k * n * n) * es, idx, tmp)) != LU_OK)
          goto done;
        continue;
      }
      SOLVER_DO(S->Xgetrs(sv->h, sv->params, c->trans ? CUBLAS_OP_T : CUBLAS_OP_N, n, c->nrhs, t,
                          a, n, pv, t, c->b + (size_t)(k * n * c->nrhs) * es, n, d_rsinfo));
    }
  }
done:
  return rc;
}

static int cholesky(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
                    lu_cuda_solver *sv, int *d_info) {
  cudaDataType t = cuda_type(c->dt);
  cublasFillMode_t uplo = c->upper ? CUBLAS_FILL_MODE_UPPER : CUBLAS_FILL_MODE_LOWER;
  int64_t n = c->n, k;
  size_t es = (size_t)lu_dtype_size(c->dt), dbytes = 0, hbytes = 0;
  void *dwork = NULL;
  int rc = LU_OK;
  if (c->batch > 1 && n <= SMALL_N) {
    void **pa;
    if ((rc = ptr_array(ctx, j, c->a, n * n * (int64_t)es, c->batch, &pa)) != LU_OK) return rc;
    switch (c->dt) {
    case LU_FLOAT32:
      SOLVER_DO(S->SpotrfBatched(sv->h, uplo, (int)n, (float **)pa, (int)n, d_info, (int)c->batch));
      break;
    case LU_FLOAT64:
      SOLVER_DO(S->DpotrfBatched(sv->h, uplo, (int)n, (double **)pa, (int)n, d_info, (int)c->batch));
      break;
    case LU_COMPLEX64:
      SOLVER_DO(S->CpotrfBatched(sv->h, uplo, (int)n, (cuComplex **)pa, (int)n, d_info, (int)c->batch));
      break;
    default:
      SOLVER_DO(S->ZpotrfBatched(sv->h, uplo, (int)n, (cuDoubleComplex **)pa, (int)n, d_info,
                                 (int)c->batch));
      break;
    }
    return LU_OK;
  }
  SOLVER_DO(S->Xpotrf_bufferSize(sv->h, sv->params, uplo, n, t, c->a, n, t, &dbytes, &hbytes));
  if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
  if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
  for (k = 0; k < c->batch; k++)
    SOLVER_DO(S->Xpotrf(sv->h, sv->params, uplo, n, t, c->a + (size_t)(k * n * n) * es, n, t,
                        dwork, dbytes, j->hbuf, hbytes, d_info + k));
done:
  return rc;
}

static int qr(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
              lu_cuda_solver *sv, int *d_info) {
  cudaDataType t = cuda_type(c->dt);
  int64_t m = c->m, n = c->n, k, mn = m < n ? m : n;
  size_t es = (size_t)lu_dtype_size(c->dt), dbytes = 0, hbytes = 0;
  void *dwork = NULL;
  int rc = LU_OK, lwork = 0;
  if (c->op == LU_LA_QR) {
    SOLVER_DO(S->Xgeqrf_bufferSize(sv->h, sv->params, m, n, t, c->a, m, t, c->s, t, &dbytes, &hbytes));
    if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
    if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
    for (k = 0; k < c->batch; k++)
      SOLVER_DO(S->Xgeqrf(sv->h, sv->params, m, n, t, c->a + (size_t)(k * m * n) * es, m, t,
                          c->s + (size_t)(k * mn) * es, t, dwork, dbytes, j->hbuf, hbytes,
                          d_info + k));
    return LU_OK;
  }
  /* orgqr has no 64-bit form: int extents */
  if (m > 0x7fffffff || n > 0x7fffffff)
    return lu_cuda_seterr(ctx, LU_EARG, "qr of %lld x %lld is over cuSOLVER's int range",
                     (long long)m, (long long)n);
  {
    int im = (int)m, in = (int)n, ik = (int)c->nrhs;
    switch (c->dt) {
    case LU_FLOAT32:
      SOLVER_DO(S->Sorgqr_bufferSize(sv->h, im, in, ik, (const float *)c->a, im, (const float *)c->s,
                                     &lwork));
      break;
    case LU_FLOAT64:
      SOLVER_DO(S->Dorgqr_bufferSize(sv->h, im, in, ik, (const double *)c->a, im,
                                     (const double *)c->s, &lwork));
      break;
    case LU_COMPLEX64:
      SOLVER_DO(S->Cungqr_bufferSize(sv->h, im, in, ik, (const cuComplex *)c->a, im,
                                     (const cuComplex *)c->s, &lwork));
      break;
    default:
      SOLVER_DO(S->Zungqr_bufferSize(sv->h, im, in, ik, (const cuDoubleComplex *)c->a, im,
                                     (const cuDoubleComplex *)c->s, &lwork));
      break;
    }
    if ((rc = dalloc(ctx, j, (size_t)lwork * es, &dwork)) != LU_OK) return rc;
    for (k = 0; k < c->batch; k++) {
      char *a = c->a + (size_t)(k * m * n) * es, *tau = c->s + (size_t)(k * c->nrhs) * es;
      switch (c->dt) {
      case LU_FLOAT32:
        SOLVER_DO(S->Sorgqr(sv->h, im, in, ik, (float *)a, im, (const float *)tau, (float *)dwork,
                            lwork, d_info + k));
        break;
      case LU_FLOAT64:
        SOLVER_DO(S->Dorgqr(sv->h, im, in, ik, (double *)a, im, (const double *)tau, (double *)dwork,
                            lwork, d_info + k));
        break;
      case LU_COMPLEX64:
        SOLVER_DO(S->Cungqr(sv->h, im, in, ik, (cuComplex *)a, im, (const cuComplex *)tau,
                            (cuComplex *)dwork, lwork, d_info + k));
        break;
      default:
        SOLVER_DO(S->Zungqr(sv->h, im, in, ik, (cuDoubleComplex *)a, im, (const cuDoubleComplex *)tau,
                            (cuDoubleComplex *)dwork, lwork, d_info + k));
        break;
      }
    }
  }
done:
  return rc;
}

/* The SVD of tall matrices: Jacobi (gesvdj; gesvdjBatched for a stack of
** small ones), which gives V as the core wants it (conjugated afterwards
** for complex dtypes) and is the faster of cuSOLVER's drivers for vectors;
** singular values alone through gesvd. The typed Jacobi routines take
** each dtype's pointers: one switch per call below. */
#define GESVDJ_ARGS(T, R) jz, econ, im, in, (T *)a, im, (R *)sv_, (T *)u, im, (T *)v, in
static int gesvdj_size(const lu_cusolver_fns *S, cusolverDnHandle_t h, lu_dtype dt,
                       cusolverEigMode_t jz, int econ, int im, int in, void *a, void *sv_,
                       void *u, void *v, int *lwork, gesvdjInfo_t info) {
  switch (dt) {
  case LU_FLOAT32: return S->Sgesvdj_bufferSize(h, GESVDJ_ARGS(const float, const float), lwork, info);
  case LU_FLOAT64: return S->Dgesvdj_bufferSize(h, GESVDJ_ARGS(const double, const double), lwork, info);
  case LU_COMPLEX64:
    return S->Cgesvdj_bufferSize(h, GESVDJ_ARGS(const cuComplex, const float), lwork, info);
  default:
    return S->Zgesvdj_bufferSize(h, GESVDJ_ARGS(const cuDoubleComplex, const double), lwork, info);
  }
}

static int gesvdj(const lu_cusolver_fns *S, cusolverDnHandle_t h, lu_dtype dt,
                  cusolverEigMode_t jz, int econ, int im, int in, void *a, void *sv_, void *u,
                  void *v, void *work, int lwork, int *d_info, gesvdjInfo_t info) {
  switch (dt) {
  case LU_FLOAT32:
    return S->Sgesvdj(h, GESVDJ_ARGS(float, float), (float *)work, lwork, d_info, info);
  case LU_FLOAT64:
    return S->Dgesvdj(h, GESVDJ_ARGS(double, double), (double *)work, lwork, d_info, info);
  case LU_COMPLEX64:
    return S->Cgesvdj(h, GESVDJ_ARGS(cuComplex, float), (cuComplex *)work, lwork, d_info, info);
  default:
    return S->Zgesvdj(h, GESVDJ_ARGS(cuDoubleComplex, double), (cuDoubleComplex *)work, lwork,
                      d_info, info);
  }
}
#undef GESVDJ_ARGS

#define BATCHED_ARGS(T, R) jz, im, in, (T *)a, im, (R *)sv_, (T *)u, im, (T *)v, in
static int gesvdj_batched_size(const lu_cusolver_fns *S, cusolverDnHandle_t h, lu_dtype dt,
                               cusolverEigMode_t jz, int im, int in, void *a, void *sv_, void *u,
                               void *v, int *lwork, gesvdjInfo_t info, int nb) {
  switch (dt) {
  case LU_FLOAT32:
    return S->SgesvdjBatched_bufferSize(h, BATCHED_ARGS(const float, const float), lwork, info, nb);
  case LU_FLOAT64:
    return S->DgesvdjBatched_bufferSize(h, BATCHED_ARGS(const double, const double), lwork, info, nb);
  case LU_COMPLEX64:
    return S->CgesvdjBatched_bufferSize(h, BATCHED_ARGS(const cuComplex, const float), lwork, info, nb);
  default:
    return S->ZgesvdjBatched_bufferSize(h, BATCHED_ARGS(const cuDoubleComplex, const double), lwork,
                                        info, nb);
  }
}

static int gesvdj_batched(const lu_cusolver_fns *S, cusolverDnHandle_t h, lu_dtype dt,
                          cusolverEigMode_t jz, int im, int in, void *a, void *sv_, void *u, void *v,
                          void *work, int lwork, int *d_info, gesvdjInfo_t info, int nb) {
  switch (dt) {
  case LU_FLOAT32:
    return S->SgesvdjBatched(h, BATCHED_ARGS(float, float), (float *)work, lwork, d_info, info, nb);
  case LU_FLOAT64:
    return S->DgesvdjBatched(h, BATCHED_ARGS(double, double), (double *)work, lwork, d_info, info, nb);
  case LU_COMPLEX64:
    return S->CgesvdjBatched(h, BATCHED_ARGS(cuComplex, float), (cuComplex *)work, lwork, d_info,
                             info, nb);
  default:
    return S->ZgesvdjBatched(h, BATCHED_ARGS(cuDoubleComplex, double), (cuDoubleComplex *)work, lwork,
                             d_info, info, nb);
  }
}
#undef BATCHED_ARGS

/* The vectors of one large SVD (not a stack of small ones), by route
** (bench/svd_check.lua and the session 17 probe, 2048 x 2048 on an H100;
** errors of the values relative to the largest):
** - gesvdp (polar decomposition by QDWH, then syevd): double 104 ms, 7e-15.
**   Where A has singular values near zero it perturbs A to converge and
**   reports the perturbation (h_err_sigma); past eps * s_max (times
**   LUNAR_SVDP_TOL, default 1) the matrix is done again by gesvd from a
**   copy taken before, so that no value moves by more than rounding. In
**   float32 gesvdp's own arithmetic failed the bench's matrix (condition
**   3.6e4: h_err_sigma 704, values off by 27), so float32 matrices go
**   through it in double precision (widened, then U, S, V rounded), with
**   float32's eps in the test above: 2048 x 2048 in about 110 ms. That
**   route needs double precision at full speed: on GPUs of compute
**   capability 6.0, 7.0, 8.0, 9.0 and 10.0 (the data-centre parts) only.
** - gesvd (QR iteration, as LAPACK's gesvd and CuPy): float32 304 ms,
**   2.4e-5 (CuPy's 299); double 453 ms, 2e-14.
** - gesvdj (Jacobi): float32 224 ms but 3.0e-4 (residual 8.7e-4, as
**   PyTorch's in the bench's svd2048_f32 row); double 366 ms, 7e-13.
** Defaults: real matrices of SVDP_MIN_N columns or more take gesvdp (for
** float32 where double precision is fast, else gesvd), smaller real ones
** gesvd, complex ones gesvdj. LUNAR_SVD=gesvdp, gesvd or gesvdj takes one
** route wherever it serves (gesvdp: real dtypes). The values alone always
** take gesvd. */
enum { SVD_GESVD, SVD_GESVDJ, SVD_GESVDP };
#define SVDP_MIN_N 64
static int fast_f64(const lu_cuda_dev *d) {
  return d->cc_minor == 0 && (d->cc_major == 6 || d->cc_major == 7 || d->cc_major == 8 ||
                              d->cc_major == 9 || d->cc_major == 10);
}
static int svd_route(const lu_cuda_dev *d, lu_dtype dt, int64_t n) {
  static int pick = -1;   /* -1: not read yet, 3: by dtype */
  int real = dt == LU_FLOAT32 || dt == LU_FLOAT64;
  if (pick < 0) {
    const char *e = getenv("LUNAR_SVD");
    pick = e == NULL ? 3 : strcmp(e, "gesvd") == 0 ? SVD_GESVD : strcmp(e, "gesvdj") == 0 ? SVD_GESVDJ
         : strcmp(e, "gesvdp") == 0 ? SVD_GESVDP : 3;
  }
  if (pick == SVD_GESVDP) return real ? SVD_GESVDP : SVD_GESVDJ;
  if (pick != 3) return pick;
  if (!real) return SVD_GESVDJ;
  if (n < SVDP_MIN_N || (dt == LU_FLOAT32 && !fast_f64(d))) return SVD_GESVD;
  return SVD_GESVDP;
}

/* gesvd with vectors: U (m x n or m x m) in place, V^T into a temporary,
** transposed into v (conj(V) for complex: V^T of V^H). The workspace is
** taken once (gesvd_prep) for any number of matrices of the stack. */
typedef struct gesvd_ws {
  char *vt;
  void *dwork;
  size_t dbytes, hbytes;
} gesvd_ws;

static int gesvd_prep(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
                      lu_cuda_solver *sv, gesvd_ws *w) {
  cudaDataType t = cuda_type(c->dt), rt = real_type(c->dt);
  int64_t m = c->m, n = c->n;
  size_t es = (size_t)lu_dtype_size(c->dt);
  signed char ju = c->jobs == 2 ? 'A' : 'S';
  int rc = LU_OK;
  if ((rc = dalloc(ctx, j, (size_t)(n * n) * es, (void **)&w->vt)) != LU_OK) return rc;
  SOLVER_DO(S->Xgesvd_bufferSize(sv->h, sv->params, ju, 'A', m, n, t, c->a, m, rt, c->s, t, c->u,
                                 m, t, w->vt, n, t, &w->dbytes, &w->hbytes));
  if ((rc = dalloc(ctx, j, w->dbytes, &w->dwork)) != LU_OK) return rc;
  rc = halloc(ctx, j, w->hbytes);
done:
  return rc;
}

/* matrix k of the stack */
static int gesvd_one(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
                     lu_cuda_solver *sv, int *d_info, const gesvd_ws *w, int64_t k) {
  cudaDataType t = cuda_type(c->dt), rt = real_type(c->dt);
  int64_t m = c->m, n = c->n, ucols = c->jobs == 2 ? m : n;
  size_t es = (size_t)lu_dtype_size(c->dt), rs = real_size(c->dt);
  signed char ju = c->jobs == 2 ? 'A' : 'S';
  lu_k_env env;
  int rc = LU_OK;
  lu_cuda_env(j->d, &env);
  SOLVER_DO(S->Xgesvd(sv->h, sv->params, ju, 'A', m, n, t, c->a + (size_t)(k * m * n) * es, m,
                      rt, c->s + (size_t)(k * n) * rs, t, c->u + (size_t)(k * m * ucols) * es,
                      m, t, w->vt, n, t, w->dwork, w->dbytes, j->hbuf, w->hbytes, d_info + k));
  CU_DO(lu_k_linalg_transpose(c->v + (size_t)(k * n * n) * es, w->vt, n, (int)es, &env));
done:
  return rc;
}

/* LUNAR_SVDP_TOL: gesvdp's perturbation allowed, in eps * s_max */
static double svdp_tol(void) {
  static double tol = -1.0;
  if (tol < 0.0) {
    const char *e = getenv("LUNAR_SVDP_TOL");
    tol = e != NULL && atof(e) >= 0.0 ? atof(e) : 1.0;
  }
  return tol;
}

/* by gesvdp in double precision (a float32 stack widened, its U, S and V
** rounded back): U and V as the core wants them (V, not V^T) */
static int svd_gesvdp(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
                      lu_cuda_solver *sv, int *d_info) {
  const cudaDataType t = CUDA_R_64F;
  int64_t m = c->m, n = c->n, k, ucols = c->jobs == 2 ? m : n;
  size_t es = (size_t)lu_dtype_size(c->dt), dbytes = 0, hbytes = 0, abytes = (size_t)(m * n) * es;
  int econ = c->jobs == 1, rc = LU_OK, f32 = c->dt == LU_FLOAT32;
  double eps = f32 ? 1.1920928955078125e-07 : 2.220446049250313e-16;
  char *save = NULL, *w64 = NULL, *a64 = NULL, *u64 = NULL, *v64 = NULL, *s64 = NULL;
  void *dwork = NULL;
  gesvd_ws qr = { NULL, NULL, 0, 0 };   /* the fallback's, taken at its first use */
  lu_k_env env;
  lu_cuda_env(j->d, &env);
  /* gesvdp destroys its A: a double matrix is kept for the fallback; a
  ** float32 one stays as it was (gesvdp gets the widened copy) */
  if (!f32 && (rc = dalloc(ctx, j, abytes, (void **)&save)) != LU_OK) return rc;
  if (f32) {   /* one block: A, U, V and S in double */
    if ((rc = dalloc(ctx, j, (size_t)(m * n + m * ucols + n * n + n) * 8, (void **)&w64)) != LU_OK)
      return rc;
    a64 = w64;
    u64 = a64 + (size_t)(m * n) * 8;
    v64 = u64 + (size_t)(m * ucols) * 8;
    s64 = v64 + (size_t)(n * n) * 8;
  }
  SOLVER_DO(S->Xgesvdp_bufferSize(sv->h, sv->params, CUSOLVER_EIG_MODE_VECTOR, econ, m, n, t,
                                  f32 ? a64 : c->a, m, t, f32 ? s64 : c->s, t, f32 ? u64 : c->u, m, t,
                                  f32 ? v64 : c->v, n, t, &dbytes, &hbytes));
  if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
  if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
  for (k = 0; k < c->batch; k++) {
    char *a = c->a + (size_t)k * abytes, *s = c->s + (size_t)(k * n) * es;
    char *u = c->u + (size_t)(k * m * ucols) * es, *v = c->v + (size_t)(k * n * n) * es;
    double herr = 0.0, smax = 0.0;
    if (f32) CU_DO(lu_k_linalg_f32_f64(a64, a, m * n, 1, &env));
    else CU_DO(cudaMemcpyAsync(save, a, abytes, cudaMemcpyDeviceToDevice, j->d->stream));
    SOLVER_DO(S->Xgesvdp(sv->h, sv->params, CUSOLVER_EIG_MODE_VECTOR, econ, m, n, t, f32 ? a64 : a, m,
                         t, f32 ? s64 : s, t, f32 ? u64 : u, m, t, f32 ? v64 : v, n, t, dwork, dbytes,
                         j->hbuf, hbytes, d_info + k, &herr));
    CU_DO(cudaMemcpyAsync(&smax, f32 ? s64 : s, 8, cudaMemcpyDeviceToHost, j->d->stream));
    CU_DO(cudaStreamSynchronize(j->d->stream));
    if (herr <= svdp_tol() * eps * smax) {
      if (f32) {
        CU_DO(lu_k_linalg_f32_f64(s, s64, n, 0, &env));
        CU_DO(lu_k_linalg_f32_f64(u, u64, m * ucols, 0, &env));
        CU_DO(lu_k_linalg_f32_f64(v, v64, n * n, 0, &env));
      }
      continue;
    }
    lu_cuda_trace("svd: gesvdp perturbed matrix %lld by %g (s_max %g): gesvd", (long long)k, herr, smax);
    if (!f32) CU_DO(cudaMemcpyAsync(a, save, abytes, cudaMemcpyDeviceToDevice, j->d->stream));
    if (qr.vt == NULL && (rc = gesvd_prep(ctx, j, c, S, sv, &qr)) != LU_OK) return rc;
    if ((rc = gesvd_one(ctx, j, c, S, sv, d_info, &qr, k)) != LU_OK) return rc;
  }
done:
  return rc;
}

static int svd(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
               lu_cuda_solver *sv, int *d_info) {
  cudaDataType t = cuda_type(c->dt), rt = real_type(c->dt);
  int64_t m = c->m, n = c->n, k;
  size_t es = (size_t)lu_dtype_size(c->dt), rs = real_size(c->dt), dbytes = 0, hbytes = 0;
  int64_t ucols = c->jobs == 2 ? m : n;
  void *dwork = NULL;
  gesvdjInfo_t info = NULL;
  int rc = LU_OK, lwork = 0, im = (int)m, in = (int)n;
  int cplx = c->dt == LU_COMPLEX64 || c->dt == LU_COMPLEX128;
  if (c->jobs == 0 && !(c->batch > 1 && m <= SMALL_N)) {
    SOLVER_DO(S->Xgesvd_bufferSize(sv->h, sv->params, 'N', 'N', m, n, t, c->a, m, rt, c->s, t, NULL,
                                   1, t, NULL, 1, t, &dbytes, &hbytes));
    if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
    if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
    for (k = 0; k < c->batch; k++)
      SOLVER_DO(S->Xgesvd(sv->h, sv->params, 'N', 'N', m, n, t, c->a + (size_t)(k * m * n) * es, m,
                          rt, c->s + (size_t)(k * n) * rs, t, NULL, 1, t, NULL, 1, t, dwork, dbytes,
                          j->hbuf, hbytes, d_info + k));
    return LU_OK;
  }
  if (c->jobs != 0 && !(c->batch > 1 && m <= SMALL_N)) {
    int route = svd_route(j->d, c->dt, n);
    if (route == SVD_GESVDP) return svd_gesvdp(ctx, j, c, S, sv, d_info);
    if (route == SVD_GESVD) {
      gesvd_ws qr;
      if ((rc = gesvd_prep(ctx, j, c, S, sv, &qr)) != LU_OK) return rc;
      for (k = 0; k < c->batch; k++)
        if ((rc = gesvd_one(ctx, j, c, S, sv, d_info, &qr, k)) != LU_OK) return rc;
      return LU_OK;
    }
  }
  if (m > 0x7fffffff)
    return lu_cuda_seterr(ctx, LU_EARG, "svd of %lld x %lld is over cuSOLVER's int range",
                          (long long)m, (long long)n);
  SOLVER_DO(S->CreateGesvdjInfo(&info));
  if (c->batch > 1 && m <= SMALL_N) {
    /* batched Jacobi: full U (m x m) and V, one call for the stack */
    cusolverEigMode_t jz = c->jobs ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
    char *u = c->u, *v = c->v;
    int nb = (int)c->batch;
    if (c->jobs != 2 && (rc = dalloc(ctx, j, (size_t)(c->batch * m * m) * es, (void **)&u)) != LU_OK)
      goto done;
    if (c->jobs == 0 && (rc = dalloc(ctx, j, (size_t)(c->batch * n * n) * es, (void **)&v)) != LU_OK)
      goto done;
    SOLVER_DO(gesvdj_batched_size(S, sv->h, c->dt, jz, im, in, c->a, c->s, u, v, &lwork, info, nb));
    if ((rc = dalloc(ctx, j, (size_t)lwork * es, &dwork)) != LU_OK) goto done;
    SOLVER_DO(gesvdj_batched(S, sv->h, c->dt, jz, im, in, c->a, c->s, u, v, dwork, lwork, d_info,
                             info, nb));
    if (c->jobs == 1)   /* the first n columns of each U */
      CU_DO(cudaMemcpy2DAsync(c->u, (size_t)(m * n) * es, u, (size_t)(m * m) * es, (size_t)(m * n) * es,
                              (size_t)c->batch, cudaMemcpyDeviceToDevice, j->d->stream));
  } else {
    int econ = c->jobs == 1;
    SOLVER_DO(gesvdj_size(S, sv->h, c->dt, CUSOLVER_EIG_MODE_VECTOR, econ, im, in, c->a, c->s, c->u,
                          c->v, &lwork, info));
    if ((rc = dalloc(ctx, j, (size_t)lwork * es, &dwork)) != LU_OK) goto done;
    for (k = 0; k < c->batch; k++)
      SOLVER_DO(gesvdj(S, sv->h, c->dt, CUSOLVER_EIG_MODE_VECTOR, econ, im, in,
                       c->a + (size_t)(k * m * n) * es, c->s + (size_t)(k * n) * rs,
                       c->u + (size_t)(k * m * ucols) * es, c->v + (size_t)(k * n * n) * es, dwork,
                       lwork, d_info + k, info));
  }
  if (cplx && c->jobs) {   /* the core wants conj(V) */
    lu_k_env env;
    lu_cuda_env(j->d, &env);
    CU_DO(lu_k_linalg_conj(c->v, c->batch * n * n, c->dt == LU_COMPLEX128, &env));
  }
done:
  if (info) S->DestroyGesvdjInfo(info);
  return rc;
}

/* A stack of small Hermitian matrices (order <= 32) by batched Jacobi, as
** CuPy does: 100000 of 8x8 in 3.2 ms on an H200 where XsyevBatched took
** 5.3, and with no limit on the count per call (XsyevBatched fails past
** about 32k matrices). Eigenvalues ascending, vectors in the columns as
** syevd's. */
#define SYEVJ_ARGS(T, R) jz, uplo, n, (T *)a, n, (R *)w
static int eigh_jacobi_batched(lu_ctx *ctx, job *j, const lu_la_call *c,
                               const lu_cusolver_fns *S, lu_cuda_solver *sv, int *d_info) {
  cublasFillMode_t uplo = c->upper ? CUBLAS_FILL_MODE_UPPER : CUBLAS_FILL_MODE_LOWER;
  cusolverEigMode_t jz = c->jobs ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
  int n = (int)c->n, lwork = 0, rc = LU_OK;
  size_t es = (size_t)lu_dtype_size(c->dt), rs = real_size(c->dt);
  const int64_t CHUNK = (int64_t)1 << 20;   /* an int batch count, and a bounded workspace */
  int64_t first = c->batch < CHUNK ? c->batch : CHUNK, k;
  syevjInfo_t info = NULL;
  void *work = NULL, *a = c->a, *w = c->s;
  SOLVER_DO(S->CreateSyevjInfo(&info));
  switch (c->dt) {
    case LU_FLOAT32:
      SOLVER_DO(S->SsyevjBatched_bufferSize(sv->h, SYEVJ_ARGS(const float, const float), &lwork, info, (int)first));
      break;
    case LU_FLOAT64:
      SOLVER_DO(S->DsyevjBatched_bufferSize(sv->h, SYEVJ_ARGS(const double, const double), &lwork, info, (int)first));
      break;
    case LU_COMPLEX64:
      SOLVER_DO(S->CheevjBatched_bufferSize(sv->h, SYEVJ_ARGS(const cuComplex, const float), &lwork, info, (int)first));
      break;
    default:
      SOLVER_DO(S->ZheevjBatched_bufferSize(sv->h, SYEVJ_ARGS(const cuDoubleComplex, const double), &lwork, info,
                                            (int)first));
      break;
  }
  if ((rc = dalloc(ctx, j, (size_t)lwork * es, &work)) != LU_OK) goto done;
  for (k = 0; k < c->batch; k += CHUNK) {
    int nb = (int)(c->batch - k < CHUNK ? c->batch - k : CHUNK);
    a = c->a + (size_t)(k * c->n * c->n) * es;
    w = c->s + (size_t)(k * c->n) * rs;
    switch (c->dt) {
      case LU_FLOAT32:
        SOLVER_DO(S->SsyevjBatched(sv->h, SYEVJ_ARGS(float, float), (float *)work, lwork, d_info + k, info, nb));
        break;
      case LU_FLOAT64:
        SOLVER_DO(S->DsyevjBatched(sv->h, SYEVJ_ARGS(double, double), (double *)work, lwork, d_info + k, info, nb));
        break;
      case LU_COMPLEX64:
        SOLVER_DO(S->CheevjBatched(sv->h, SYEVJ_ARGS(cuComplex, float), (cuComplex *)work, lwork, d_info + k,
                                   info, nb));
        break;
      default:
        SOLVER_DO(S->ZheevjBatched(sv->h, SYEVJ_ARGS(cuDoubleComplex, double), (cuDoubleComplex *)work, lwork,
                                   d_info + k, info, nb));
        break;
    }
  }
done:
  if (info) S->DestroySyevjInfo(info);
  return rc;
}

/* Real symmetric matrices up to this order (LUNAR_SMALL_EIGH, default 8,
** at most 32; 0 turns it off) go to lunar's one-pass Jacobi kernel
** (lu_k_linalg_small_eigh), one stack or one matrix: it needs no workspace
** and no cuSOLVER call. eigh of 100000 matrices on an H100 (session 14,
** bench/la_stages.lua, ms, kernel against syevjBatched): order 4 float32
** 0.12 / 1.28, float64 0.17 / 1.83; order 8 0.58 / 2.51 and 1.16 / 3.95;
** order 16 7.6 / 5.4 and 14.2 / 6.2; order 32 124 / 25. One 8x8 float64
** 0.095 ms against syevd's 0.137, one 32x32 1.18 against 0.28. */
static int small_eigh_n(void) {
  const char *e = getenv("LUNAR_SMALL_EIGH");
  int v = e != NULL && e[0] != '\0' ? atoi(e) : 8;
  return v < 0 ? 0 : v > 32 ? 32 : v;
}

/* syevd one matrix at a time; a stack of small ones in one batched call
** (eigh_jacobi_batched); small real ones go to lunar's kernel before this
** (lu_cuda_lapack) */
static int eigh(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
                lu_cuda_solver *sv, int *d_info) {
  cudaDataType t = cuda_type(c->dt), rt = real_type(c->dt);
  size_t rs = real_size(c->dt);
  cublasFillMode_t uplo = c->upper ? CUBLAS_FILL_MODE_UPPER : CUBLAS_FILL_MODE_LOWER;
  cusolverEigMode_t jz = c->jobs ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
  int64_t n = c->n, k;
  size_t es = (size_t)lu_dtype_size(c->dt), dbytes = 0, hbytes = 0;
  void *dwork = NULL;
  int rc = LU_OK;
  if (c->batch > 1 && n <= SMALL_N) return eigh_jacobi_batched(ctx, j, c, S, sv, d_info);
  SOLVER_DO(S->Xsyevd_bufferSize(sv->h, sv->params, jz, uplo, n, t, c->a, n, rt, c->s, t, &dbytes,
                                 &hbytes));
  if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
  if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
  for (k = 0; k < c->batch; k++)
    SOLVER_DO(S->Xsyevd(sv->h, sv->params, jz, uplo, n, t, c->a + (size_t)(k * n * n) * es, n, rt,
                        c->s + (size_t)(k * n) * rs, t, dwork, dbytes, j->hbuf, hbytes, d_info + k));
done:
  return rc;
}

/* The general eigenproblem: Xgeev (CUDA 12.6), right eigenvectors only,
** one matrix at a time (there is no batched geev). A real stack is solved
** in real arithmetic, as the CPU's geev does: its eigenvalues come back as
** real and imaginary parts (wr, wi; a real one has wi exactly 0) and its
** vectors in LAPACK's packing of conjugate pairs, which one kernel turns
** into the complex w and v the core wants (lu_k_linalg_unpack_eig). */
static int eig(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
               lu_cuda_solver *sv, int *d_info) {
  int real = c->dt == LU_FLOAT32 || c->dt == LU_FLOAT64;
  cudaDataType t = cuda_type(c->dt);
  cusolverEigMode_t jr = c->jobs ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
  int64_t n = c->n, k;
  size_t es = (size_t)lu_dtype_size(c->dt), dbytes = 0, hbytes = 0;
  size_t wstep = (size_t)(real ? 2 * n : n) * es;   /* a real W: wr then wi */
  char *w = c->s, *v = c->v;
  void *dwork = NULL;
  int rc = LU_OK;
  if (real) {
    if ((rc = dalloc(ctx, j, (size_t)c->batch * wstep, (void **)&w)) != LU_OK) return rc;
    if (c->jobs && (rc = dalloc(ctx, j, (size_t)(c->batch * n * n) * es, (void **)&v)) != LU_OK)
      return rc;
  }
  SOLVER_DO(S->Xgeev_bufferSize(sv->h, sv->params, CUSOLVER_EIG_MODE_NOVECTOR, jr, n, t, c->a, n, t,
                                w, t, NULL, 1, t, v, n, t, &dbytes, &hbytes));
  if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
  if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
  for (k = 0; k < c->batch; k++)
    SOLVER_DO(S->Xgeev(sv->h, sv->params, CUSOLVER_EIG_MODE_NOVECTOR, jr, n, t,
                       c->a + (size_t)(k * n * n) * es, n, t, w + (size_t)k * wstep, t, NULL, 1,
                       t, c->jobs ? v + (size_t)(k * n * n) * es : NULL, n, t, dwork, dbytes,
                       j->hbuf, hbytes, d_info + k));
  if (real) {
    lu_k_env env;
    lu_cuda_env(j->d, &env);
    LAUNCH_CHECK(ctx, lu_k_linalg_unpack_eig(c->s, c->jobs ? c->v : NULL, w, v, n, c->batch,
                                             c->dt == LU_FLOAT64, &env));
  }
done:
  return rc;
}
/* }====================================================== */

/* info (batch ints on the device) into c->info: the call's one wait */
static int info_back(lu_ctx *ctx, lu_cuda_dev *d, const lu_la_call *c, const int *d_info) {
  cudaError_t e = cudaMemcpyAsync(c->info, d_info, (size_t)c->batch * sizeof(int),
                                  cudaMemcpyDeviceToHost, d->stream);
  if (e == cudaSuccess) e = cudaStreamSynchronize(d->stream);
  return e == cudaSuccess ? LU_OK : lu_cuda_fail(ctx, e, "reading linalg info", __FILE__, __LINE__);
}

/* A stack's info where info[batch] counts the entries that are not 0 (the
** small solver's kernel, or count_nz_kernel after a long stack's cuSOLVER
** routine): the count first (one int, the call's one wait), the batch's
** entries only where some failed. The
** core hands info over zeroed (lu_backend.h), so that nothing is read back
** for a stack that succeeded: 100000 ints were a pageable copy and the
** wait for it on every call. The count goes to c->info_nz, so that the
** core does not read the zeros either (0.1 ms for 100000 after a
** collection had trimmed the C heap: the bench's inv row measured 0.246 ms
** where la_stages, without the collections, measured 0.132). */
static int counted_info_back(lu_ctx *ctx, lu_cuda_dev *d, const lu_la_call *c, const int *d_info) {
  int bad = 0;
  cudaError_t e = cudaMemcpyAsync(&bad, d_info + c->batch, sizeof bad, cudaMemcpyDeviceToHost,
                                  d->stream);
  if (e == cudaSuccess) e = cudaStreamSynchronize(d->stream);
  if (e != cudaSuccess) return lu_cuda_fail(ctx, e, "reading linalg info", __FILE__, __LINE__);
  if (c->info_nz != NULL) *c->info_nz = bad;   /* 0: the core skips reading info */
  return bad > 0 ? info_back(ctx, d, c, d_info) : LU_OK;
}

/* The linalg family's `small` entry (lu_backend.h): solve and inv of a
** stack of real matrices of order <= 32 in one kernel (kernels/linalg.cu),
** in place of cuBLAS's batched LU, solve and inverse, the identity the
** core made for them and its NaN checks around them: 100000 inverses of
** 8x8 float32 took 0.69 ms so on an H100 (CuPy 0.19, its getri). */
int lu_cuda_la_small(lu_ctx *ctx, const lu_la_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  job j;
  int *d_info = NULL, rc;
  if (c->dt != LU_FLOAT32 && c->dt != LU_FLOAT64)
    return lu_cuda_seterr(ctx, LU_ETYPE, "dtype %s not supported", lu_dtype_name(c->dt));
  if ((c->op != LU_LA_SOLVE && c->op != LU_LA_INV) || c->n < 1 || c->n > LU_LA_SMALL_N ||
      c->m != c->n || c->nrhs < 0 || c->nrhs > c->n)
    return lu_cuda_seterr(ctx, LU_EARG, "small solver: routine %d of order %lld with %lld "
                          "right-hand sides is not one it takes", (int)c->op, (long long)c->n,
                          (long long)c->nrhs);
  if ((rc = lu_cuda_device(ctx, c->dev.index, &d)) != LU_OK) return rc;
  if (c->batch <= 0) return LU_OK;
  memset(&j, 0, sizeof j);
  j.d = d;
  /* info and, after it, the count of its nonzero entries */
  rc = dalloc(ctx, &j, (size_t)(c->batch + 1) * sizeof(int), (void **)&d_info);
  if (rc == LU_OK && cudaMemsetAsync(d_info + c->batch, 0, sizeof(int), d->stream) != cudaSuccess)
    rc = lu_cuda_fail(ctx, cudaGetLastError(), "cudaMemsetAsync(info)", __FILE__, __LINE__);
  if (rc == LU_OK) {
    lu_cuda_env(d, &env);
    cudaError_t e = (cudaError_t)lu_k_linalg_small_solve(c->a, c->b, d_info, c->batch, (int)c->n,
                                                         (int)c->nrhs, c->trans,
                                                         c->op == LU_LA_INV, c->dt == LU_FLOAT64,
                                                         &env);
    rc = e == cudaSuccess ? counted_info_back(ctx, d, c, d_info)
                          : lu_cuda_fail(ctx, e, "small_solve_kernel", __FILE__, __LINE__);
  }
  job_free(&j);
  return rc;
}

int lu_cuda_lapack(lu_ctx *ctx, const lu_la_call *c) {
  lu_cuda_dev *d;
  lu_cuda_solver *sv = NULL;
  const lu_cusolver_fns *S = NULL;
  job j;
  int *d_info = NULL, rc, count;
  if (c->dt != LU_FLOAT32 && c->dt != LU_FLOAT64 && c->dt != LU_COMPLEX64 && c->dt != LU_COMPLEX128)
    return lu_cuda_seterr(ctx, LU_ETYPE, "dtype %s not supported", lu_dtype_name(c->dt));
  if ((rc = lu_cuda_device(ctx, c->dev.index, &d)) != LU_OK) return rc;
  if (c->batch <= 0) return LU_OK;
  /* small real eigh: lunar's kernel, with no cuSOLVER handle (nor its
  ** library loaded) and no info: the core's matrices are finite and the
  ** kernel fails none, so the core's zeroed info stands unread (info_nz)
  ** and nothing waits for the device */
  if (c->op == LU_LA_EIGH && (c->dt == LU_FLOAT32 || c->dt == LU_FLOAT64) &&
      c->n <= small_eigh_n()) {
    lu_k_env env;
    cudaError_t e;
    lu_cuda_env(d, &env);
    e = (cudaError_t)lu_k_linalg_small_eigh(c->a, c->s, c->batch, (int)c->n, c->upper, c->jobs,
                                            c->dt == LU_FLOAT64, &env);
    if (e != cudaSuccess) return lu_cuda_fail(ctx, e, "small_eigh_kernel", __FILE__, __LINE__);
    if (c->info_nz != NULL) *c->info_nz = 0;
    return LU_OK;
  }
  if (c->batch > 0x7fffffff)
    return lu_cuda_seterr(ctx, LU_EARG, "a stack of %lld matrices is over cuSOLVER's int range",
                     (long long)c->batch);
  memset(&j, 0, sizeof j);
  j.d = d;
  if ((rc = solver(ctx, d, &S, &sv)) != LU_OK) return rc;
  /* a long stack's info has one more entry: the count of the others that
  ** are not 0 (counted_info_back) */
  count = c->batch >= LONG_STACK;
  rc = dalloc(ctx, &j, (size_t)(c->batch + count) * sizeof(int), (void **)&d_info);
  if (rc == LU_OK && cudaMemsetAsync(d_info, 0, (size_t)(c->batch + count) * sizeof(int),
                                     d->stream) != cudaSuccess)
    rc = lu_cuda_fail(ctx, cudaGetLastError(), "cudaMemsetAsync(info)", __FILE__, __LINE__);
  if (rc == LU_OK) {
    switch (c->op) {
    case LU_LA_LU: case LU_LA_SOLVE: case LU_LA_INV: rc = lu_solve(ctx, &j, c, S, sv, d_info); break;
    case LU_LA_CHOLESKY: rc = cholesky(ctx, &j, c, S, sv, d_info); break;
    case LU_LA_QR: case LU_LA_ORGQR: rc = qr(ctx, &j, c, S, sv, d_info); break;
    case LU_LA_SVD: rc = svd(ctx, &j, c, S, sv, d_info); break;
    case LU_LA_EIGH: rc = eigh(ctx, &j, c, S, sv, d_info); break;
    case LU_LA_EIG: rc = eig(ctx, &j, c, S, sv, d_info); break;
    default: rc = lu_cuda_seterr(ctx, LU_EARG, "unknown routine %d", (int)c->op); break;
    }
  }
  /* info back to the host: the one synchronisation */
  if (rc == LU_OK && count) {
    lu_k_env env;
    lu_cuda_env(d, &env);
    cudaError_t e = (cudaError_t)lu_k_linalg_count_nz(d_info, c->batch, &env);
    rc = e == cudaSuccess ? counted_info_back(ctx, d, c, d_info)
                          : lu_cuda_fail(ctx, e, "count_nz_kernel", __FILE__, __LINE__);
  } else if (rc == LU_OK) {
    rc = info_back(ctx, d, c, d_info);
  }
  job_free(&j);
  return rc;
}
