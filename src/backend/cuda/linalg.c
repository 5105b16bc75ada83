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
** Adding a dtype (complex64/complex128): a case in cuda_type() for the
** generic routines, and the C/Z entries beside the S/D ones for the typed
** routines (ungqr, gesvdj, potrfBatched, the cuBLAS batched ones).
*/
#include <stdlib.h>
#include <string.h>
#include "cuda_internal.h"
#include "dynlib.h"

/* Matrices up to this order use the batched small-matrix routines when
** there are several (cuSOLVER's Jacobi batched routines take n <= 32,
** cuBLAS's matinvBatched n < 32). */
#define SMALL_N 32

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
  if (d->solver != NULL) { *out = d->solver; return LU_OK; }
  if ((s = (lu_cuda_solver *)calloc(1, sizeof *s)) == NULL)
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
  if ((j->hbuf = malloc(n)) == NULL) return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
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
  return dt == LU_FLOAT32 ? CUDA_R_32F : CUDA_R_64F;
}

/* {====================================================== the routines */
/* getrf (+ getrs): one matrix at a time through the 64-bit API, or the
** whole stack through cuBLAS's batched LU, solve and inverse. */
static int lu_solve(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
                    lu_cuda_solver *sv, int *d_info) {
  lu_cuda_dev *d = j->d;
  cudaDataType t = cuda_type(c->dt);
  int64_t n = c->n, mn = c->m < c->n ? c->m : c->n, k;
  size_t es = (size_t)lu_dtype_size(c->dt), dbytes = 0, hbytes = 0;
  int rc = LU_OK, f32 = c->dt == LU_FLOAT32;
  int small = c->batch > 1 && c->m == c->n && n <= SMALL_N;
  void *dwork = NULL;
  if (small) {
    const lu_cublas_fns *B;
    void **pa, **pb = NULL;
    int *piv32 = NULL, hinfo = 0;
    if ((rc = lu_cuda_blas(ctx, d, &d->blas)) != LU_OK) return rc;
    B = lu_cuda_cublas_loaded();
    if ((rc = ptr_array(ctx, j, c->a, n * n * (int64_t)es, c->batch, &pa)) != LU_OK) return rc;
    if (c->op == LU_LA_INV && n < SMALL_N) {
      /* out of place: b gets the inverse (its identity is not needed) */
      if ((rc = ptr_array(ctx, j, c->b, n * n * (int64_t)es, c->batch, &pb)) != LU_OK) return rc;
      if (f32) BLAS_DO(B->SmatinvBatched(d->blas, (int)n, (const float *const *)pa, (int)n,
                                         (float *const *)pb, (int)n, d_info, (int)c->batch));
      else BLAS_DO(B->DmatinvBatched(d->blas, (int)n, (const double *const *)pa, (int)n,
                                     (double *const *)pb, (int)n, d_info, (int)c->batch));
      return LU_OK;
    }
    if ((rc = dalloc(ctx, j, (size_t)(c->batch * n) * sizeof(int), (void **)&piv32)) != LU_OK) return rc;
    if (f32) BLAS_DO(B->SgetrfBatched(d->blas, (int)n, (float *const *)pa, (int)n, piv32, d_info,
                                      (int)c->batch));
    else BLAS_DO(B->DgetrfBatched(d->blas, (int)n, (double *const *)pa, (int)n, piv32, d_info,
                                  (int)c->batch));
    if (c->op == LU_LA_LU) {
      lu_k_env env;
      lu_cuda_env(d, &env);
      LAUNCH_CHECK(ctx, lu_k_linalg_widen(c->ipiv, piv32, c->batch * n, &env));
      return LU_OK;
    }
    if ((rc = ptr_array(ctx, j, c->b, n * c->nrhs * (int64_t)es, c->batch, &pb)) != LU_OK) return rc;
    if (f32) BLAS_DO(B->SgetrsBatched(d->blas, c->trans ? CUBLAS_OP_T : CUBLAS_OP_N, (int)n,
                                      (int)c->nrhs, (const float *const *)pa, (int)n, piv32,
                                      (float *const *)pb, (int)n, &hinfo, (int)c->batch));
    else BLAS_DO(B->DgetrsBatched(d->blas, c->trans ? CUBLAS_OP_T : CUBLAS_OP_N, (int)n,
                                  (int)c->nrhs, (const double *const *)pa, (int)n, piv32,
                                  (double *const *)pb, (int)n, &hinfo, (int)c->batch));
    if (hinfo != 0)
      return lu_cuda_seterr(ctx, LU_EBACKEND, "cublas getrsBatched rejected argument %d", -hinfo);
    return LU_OK;
  }
  {
    int64_t *ipiv = c->ipiv;
    int *d_rsinfo = NULL;   /* getrs's own info: it must not overwrite getrf's */
    SOLVER_DO(S->Xgetrf_bufferSize(sv->h, sv->params, c->m, c->n, t, c->a, c->m, t, &dbytes, &hbytes));
    if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
    if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
    if (ipiv == NULL && (rc = dalloc(ctx, j, (size_t)mn * sizeof(int64_t), (void **)&ipiv)) != LU_OK)
      return rc;
    if (c->op != LU_LA_LU && (rc = dalloc(ctx, j, sizeof(int), (void **)&d_rsinfo)) != LU_OK)
      return rc;
    for (k = 0; k < c->batch; k++) {
      char *a = c->a + (size_t)(k * c->m * c->n) * es;
      int64_t *pv = c->op == LU_LA_LU ? ipiv + k * mn : ipiv;
      SOLVER_DO(S->Xgetrf(sv->h, sv->params, c->m, c->n, t, a, c->m, pv, t, dwork, dbytes,
                          j->hbuf, hbytes, d_info + k));
      if (c->op == LU_LA_LU) continue;
      /* a singular matrix's getrs output is garbage, and the core reports
      ** the matrix anyway */
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
    if (c->dt == LU_FLOAT32)
      SOLVER_DO(S->SpotrfBatched(sv->h, uplo, (int)n, (float **)pa, (int)n, d_info, (int)c->batch));
    else
      SOLVER_DO(S->DpotrfBatched(sv->h, uplo, (int)n, (double **)pa, (int)n, d_info, (int)c->batch));
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
  if (c->dt == LU_FLOAT32)
    SOLVER_DO(S->Sorgqr_bufferSize(sv->h, (int)m, (int)n, (int)c->nrhs, (const float *)c->a, (int)m,
                                   (const float *)c->s, &lwork));
  else
    SOLVER_DO(S->Dorgqr_bufferSize(sv->h, (int)m, (int)n, (int)c->nrhs, (const double *)c->a, (int)m,
                                   (const double *)c->s, &lwork));
  if ((rc = dalloc(ctx, j, (size_t)lwork * es, &dwork)) != LU_OK) return rc;
  for (k = 0; k < c->batch; k++) {
    char *a = c->a + (size_t)(k * m * n) * es, *tau = c->s + (size_t)(k * c->nrhs) * es;
    if (c->dt == LU_FLOAT32)
      SOLVER_DO(S->Sorgqr(sv->h, (int)m, (int)n, (int)c->nrhs, (float *)a, (int)m, (const float *)tau,
                          (float *)dwork, lwork, d_info + k));
    else
      SOLVER_DO(S->Dorgqr(sv->h, (int)m, (int)n, (int)c->nrhs, (double *)a, (int)m,
                          (const double *)tau, (double *)dwork, lwork, d_info + k));
  }
done:
  return rc;
}

/* The SVD of tall matrices: Jacobi (gesvdj; gesvdjBatched for a stack of
** small ones), which gives V as the core wants it and is the faster of
** cuSOLVER's drivers for vectors; singular values alone through gesvd. */
static int svd(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
               lu_cuda_solver *sv, int *d_info) {
  cudaDataType t = cuda_type(c->dt);
  int64_t m = c->m, n = c->n, k;
  size_t es = (size_t)lu_dtype_size(c->dt), dbytes = 0, hbytes = 0;
  int64_t ucols = c->jobs == 2 ? m : n;
  void *dwork = NULL;
  gesvdjInfo_t info = NULL;
  int rc = LU_OK, lwork = 0, f32 = c->dt == LU_FLOAT32;
  if (c->jobs == 0 && !(c->batch > 1 && m <= SMALL_N)) {
    SOLVER_DO(S->Xgesvd_bufferSize(sv->h, sv->params, 'N', 'N', m, n, t, c->a, m, t, c->s, t, NULL, 1,
                                   t, NULL, 1, t, &dbytes, &hbytes));
    if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
    if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
    for (k = 0; k < c->batch; k++)
      SOLVER_DO(S->Xgesvd(sv->h, sv->params, 'N', 'N', m, n, t, c->a + (size_t)(k * m * n) * es, m, t,
                          c->s + (size_t)(k * n) * es, t, NULL, 1, t, NULL, 1, t, dwork, dbytes,
                          j->hbuf, hbytes, d_info + k));
    return LU_OK;
  }
  if (m > 0x7fffffff)
    return lu_cuda_seterr(ctx, LU_EARG, "svd of %lld x %lld is over cuSOLVER's int range",
                     (long long)m, (long long)n);
  SOLVER_DO(S->CreateGesvdjInfo(&info));
  if (c->batch > 1 && m <= SMALL_N) {
    /* batched Jacobi: full U (m x m) and V, one call for the stack */
    cusolverEigMode_t jz = c->jobs ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
    char *u = c->u, *v = c->v;
    if (c->jobs != 2 && (rc = dalloc(ctx, j, (size_t)(c->batch * m * m) * es, (void **)&u)) != LU_OK)
      goto done;
    if (c->jobs == 0 && (rc = dalloc(ctx, j, (size_t)(c->batch * n * n) * es, (void **)&v)) != LU_OK)
      goto done;
    if (f32) SOLVER_DO(S->SgesvdjBatched_bufferSize(sv->h, jz, (int)m, (int)n, (const float *)c->a, (int)m,
                                                   (const float *)c->s, (const float *)u, (int)m,
                                                   (const float *)v, (int)n, &lwork, info, (int)c->batch));
    else SOLVER_DO(S->DgesvdjBatched_bufferSize(sv->h, jz, (int)m, (int)n, (const double *)c->a, (int)m,
                                               (const double *)c->s, (const double *)u, (int)m,
                                               (const double *)v, (int)n, &lwork, info, (int)c->batch));
    if ((rc = dalloc(ctx, j, (size_t)lwork * es, &dwork)) != LU_OK) goto done;
    if (f32) SOLVER_DO(S->SgesvdjBatched(sv->h, jz, (int)m, (int)n, (float *)c->a, (int)m, (float *)c->s,
                                        (float *)u, (int)m, (float *)v, (int)n, (float *)dwork, lwork,
                                        d_info, info, (int)c->batch));
    else SOLVER_DO(S->DgesvdjBatched(sv->h, jz, (int)m, (int)n, (double *)c->a, (int)m, (double *)c->s,
                                    (double *)u, (int)m, (double *)v, (int)n, (double *)dwork, lwork,
                                    d_info, info, (int)c->batch));
    if (c->jobs == 1)   /* the first n columns of each U */
      CU_DO(cudaMemcpy2DAsync(c->u, (size_t)(m * n) * es, u, (size_t)(m * m) * es, (size_t)(m * n) * es,
                              (size_t)c->batch, cudaMemcpyDeviceToDevice, j->d->stream));
    goto done;
  }
  {
    int econ = c->jobs == 1;
    if (f32) SOLVER_DO(S->Sgesvdj_bufferSize(sv->h, CUSOLVER_EIG_MODE_VECTOR, econ, (int)m, (int)n,
                                            (const float *)c->a, (int)m, (const float *)c->s,
                                            (const float *)c->u, (int)m, (const float *)c->v, (int)n,
                                            &lwork, info));
    else SOLVER_DO(S->Dgesvdj_bufferSize(sv->h, CUSOLVER_EIG_MODE_VECTOR, econ, (int)m, (int)n,
                                        (const double *)c->a, (int)m, (const double *)c->s,
                                        (const double *)c->u, (int)m, (const double *)c->v, (int)n,
                                        &lwork, info));
    if ((rc = dalloc(ctx, j, (size_t)lwork * es, &dwork)) != LU_OK) goto done;
    for (k = 0; k < c->batch; k++) {
      char *a = c->a + (size_t)(k * m * n) * es, *s = c->s + (size_t)(k * n) * es;
      char *u = c->u + (size_t)(k * m * ucols) * es, *v = c->v + (size_t)(k * n * n) * es;
      if (f32) SOLVER_DO(S->Sgesvdj(sv->h, CUSOLVER_EIG_MODE_VECTOR, econ, (int)m, (int)n, (float *)a,
                                    (int)m, (float *)s, (float *)u, (int)m, (float *)v, (int)n,
                                    (float *)dwork, lwork, d_info + k, info));
      else SOLVER_DO(S->Dgesvdj(sv->h, CUSOLVER_EIG_MODE_VECTOR, econ, (int)m, (int)n, (double *)a,
                                (int)m, (double *)s, (double *)u, (int)m, (double *)v, (int)n,
                                (double *)dwork, lwork, d_info + k, info));
    }
  }
done:
  if (info) S->DestroyGesvdjInfo(info);
  return rc;
}

/* syevd one matrix at a time; a stack of small ones in one batched call */
static int eigh(lu_ctx *ctx, job *j, const lu_la_call *c, const lu_cusolver_fns *S,
                lu_cuda_solver *sv, int *d_info) {
  cudaDataType t = cuda_type(c->dt);
  cublasFillMode_t uplo = c->upper ? CUBLAS_FILL_MODE_UPPER : CUBLAS_FILL_MODE_LOWER;
  cusolverEigMode_t jz = c->jobs ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
  int64_t n = c->n, k;
  size_t es = (size_t)lu_dtype_size(c->dt), dbytes = 0, hbytes = 0;
  void *dwork = NULL;
  int rc = LU_OK;
  if (c->batch > 1 && n <= SMALL_N) {
    SOLVER_DO(S->XsyevBatched_bufferSize(sv->h, sv->params, jz, uplo, n, t, c->a, n, t, c->s, t,
                                         &dbytes, &hbytes, c->batch));
    if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
    if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
    SOLVER_DO(S->XsyevBatched(sv->h, sv->params, jz, uplo, n, t, c->a, n, t, c->s, t, dwork, dbytes,
                              j->hbuf, hbytes, d_info, c->batch));
    return LU_OK;
  }
  SOLVER_DO(S->Xsyevd_bufferSize(sv->h, sv->params, jz, uplo, n, t, c->a, n, t, c->s, t, &dbytes,
                                 &hbytes));
  if ((rc = dalloc(ctx, j, dbytes, &dwork)) != LU_OK) return rc;
  if ((rc = halloc(ctx, j, hbytes)) != LU_OK) return rc;
  for (k = 0; k < c->batch; k++)
    SOLVER_DO(S->Xsyevd(sv->h, sv->params, jz, uplo, n, t, c->a + (size_t)(k * n * n) * es, n, t,
                        c->s + (size_t)(k * n) * es, t, dwork, dbytes, j->hbuf, hbytes, d_info + k));
done:
  return rc;
}
/* }====================================================== */

int lu_cuda_lapack(lu_ctx *ctx, const lu_la_call *c) {
  lu_cuda_dev *d;
  lu_cuda_solver *sv = NULL;
  const lu_cusolver_fns *S = NULL;
  job j;
  int *d_info = NULL, rc;
  if (c->dt != LU_FLOAT32 && c->dt != LU_FLOAT64)
    return lu_cuda_seterr(ctx, LU_ETYPE, "dtype %s not supported", lu_dtype_name(c->dt));
  if ((rc = lu_cuda_device(ctx, c->dev.index, &d)) != LU_OK) return rc;
  if (c->batch <= 0) return LU_OK;
  if (c->batch > 0x7fffffff)
    return lu_cuda_seterr(ctx, LU_EARG, "a stack of %lld matrices is over cuSOLVER's int range",
                     (long long)c->batch);
  memset(&j, 0, sizeof j);
  j.d = d;
  if ((rc = solver(ctx, d, &S, &sv)) != LU_OK) return rc;
  rc = dalloc(ctx, &j, (size_t)c->batch * sizeof(int), (void **)&d_info);
  if (rc == LU_OK && cudaMemsetAsync(d_info, 0, (size_t)c->batch * sizeof(int), d->stream) != cudaSuccess)
    rc = lu_cuda_fail(ctx, cudaGetLastError(), "cudaMemsetAsync(info)", __FILE__, __LINE__);
  if (rc == LU_OK) {
    switch (c->op) {
    case LU_LA_LU: case LU_LA_SOLVE: case LU_LA_INV: rc = lu_solve(ctx, &j, c, S, sv, d_info); break;
    case LU_LA_CHOLESKY: rc = cholesky(ctx, &j, c, S, sv, d_info); break;
    case LU_LA_QR: case LU_LA_ORGQR: rc = qr(ctx, &j, c, S, sv, d_info); break;
    case LU_LA_SVD: rc = svd(ctx, &j, c, S, sv, d_info); break;
    case LU_LA_EIGH: rc = eigh(ctx, &j, c, S, sv, d_info); break;
    default: rc = lu_cuda_seterr(ctx, LU_EARG, "unknown routine %d", (int)c->op); break;
    }
  }
  /* info back to the host: the one synchronisation */
  if (rc == LU_OK) {
    cudaError_t e = cudaMemcpyAsync(c->info, d_info, (size_t)c->batch * sizeof(int),
                                    cudaMemcpyDeviceToHost, d->stream);
    if (e == cudaSuccess) e = cudaStreamSynchronize(d->stream);
    if (e != cudaSuccess) rc = lu_cuda_fail(ctx, e, "reading linalg info", __FILE__, __LINE__);
  }
  job_free(&j);
  return rc;
}
