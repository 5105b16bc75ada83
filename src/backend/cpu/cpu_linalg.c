/* SPDX-License-Identifier: MIT */
/*
** The linalg family's LAPACK entry on the CPU: LAPACKE (Debian's, over
** OpenBLAS's LAPACK) in column-major order, the layout the core prepares
** (lu_backend.h, lu_la_call), so LAPACKE copies nothing. The _work
** variants are called: the plain ones scan every input for NaN and refuse
** it, while NumPy hands NaN to LAPACK and reports what comes back.
**
** A batch of small matrices is spread over the thread pool, a chunk of
** matrices per task with its own workspace; large matrices go one at a
** time and OpenBLAS threads inside each. Each routine dispatches on the
** dtype in one switch: complex64/complex128 are a case each (c/z
** routines) when those dtypes exist.
*/
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>
#include "cpu_internal.h"
#include "cpu_pool.h"

/* Matrices up to this order are factored in parallel over the batch. */
#define PAR_MAX_N 64
/* Matrices up to this many elements are factored with OpenBLAS on one
** thread: its threads gain nothing there, and when the cores are busy
** (other processes, our pool) every BLAS call inside a LAPACK routine
** waits for a worker to be scheduled: an 8 x 8 inverse took 20 ms, a
** 32 x 32 eigh 140 ms on a loaded 2-core machine, against 0.1 ms alone. */
#define ONE_THREAD_MAX (128 * 128)

typedef struct la_ws {          /* one task's workspace */
  void *work;                   /* lwork elements of the call's dtype */
  lapack_int lwork;
  lapack_int *iwork;
  lapack_int liwork;
  lapack_int *piv;
  void *vt;                     /* SVD: LAPACK's V^T, transposed into c->v */
} la_ws;

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static size_t esize(lu_dtype dt) { return (size_t)lu_cpu_dsize[dt]; }

/* {===== the routines
** One wrapper per LAPACK routine, a case per dtype lunar computes in (the
** complex dtypes add their c/z routines as cases). With lwork = -1 a
** wrapper is LAPACK's workspace query: the size lands in work[0] (and
** iwork[0]). */
static lapack_int getrf(lu_dtype dt, lapack_int m, lapack_int n, char *a, lapack_int *piv) {
  switch (dt) {
  case LU_FLOAT32: return LAPACKE_sgetrf_work(LAPACK_COL_MAJOR, m, n, (float *)a, m, piv);
  case LU_FLOAT64: return LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, m, n, (double *)a, m, piv);
  default: return -1;
  }
}

static lapack_int getrs(lu_dtype dt, char trans, lapack_int n, lapack_int nrhs, const char *a,
                        const lapack_int *piv, char *b) {
  switch (dt) {
  case LU_FLOAT32:
    return LAPACKE_sgetrs_work(LAPACK_COL_MAJOR, trans, n, nrhs, (const float *)a, n, piv,
                               (float *)b, n);
  case LU_FLOAT64:
    return LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, trans, n, nrhs, (const double *)a, n, piv,
                               (double *)b, n);
  default: return -1;
  }
}

static lapack_int potrf(lu_dtype dt, char uplo, lapack_int n, char *a) {
  switch (dt) {
  case LU_FLOAT32: return LAPACKE_spotrf_work(LAPACK_COL_MAJOR, uplo, n, (float *)a, n);
  case LU_FLOAT64: return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, uplo, n, (double *)a, n);
  default: return -1;
  }
}

static lapack_int geqrf(lu_dtype dt, lapack_int m, lapack_int n, char *a, char *tau, void *work,
                        lapack_int lwork) {
  switch (dt) {
  case LU_FLOAT32:
    return LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, m, n, (float *)a, m, (float *)tau, (float *)work,
                               lwork);
  case LU_FLOAT64:
    return LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, (double *)a, m, (double *)tau,
                               (double *)work, lwork);
  default: return -1;
  }
}

static lapack_int orgqr(lu_dtype dt, lapack_int m, lapack_int n, lapack_int k, char *a,
                        const char *tau, void *work, lapack_int lwork) {
  switch (dt) {
  case LU_FLOAT32:
    return LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, m, n, k, (float *)a, m, (const float *)tau,
                               (float *)work, lwork);
  case LU_FLOAT64:
    return LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, m, n, k, (double *)a, m, (const double *)tau,
                               (double *)work, lwork);
  default: return -1;
  }
}

/* u: m x m or m x n (ld m), vt: n x n; NULL without vectors */
static lapack_int gesdd(lu_dtype dt, char jobz, lapack_int m, lapack_int n, char *a, char *s,
                        char *u, char *vt, void *work, lapack_int lwork, lapack_int *iwork) {
  lapack_int ldvt = n > 0 ? n : 1;
  switch (dt) {
  case LU_FLOAT32:
    return LAPACKE_sgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (float *)a, m, (float *)s, (float *)u,
                               m, (float *)vt, ldvt, (float *)work, lwork, iwork);
  case LU_FLOAT64:
    return LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (double *)a, m, (double *)s,
                               (double *)u, m, (double *)vt, ldvt, (double *)work, lwork, iwork);
  default: return -1;
  }
}

static lapack_int syevd(lu_dtype dt, char jobz, char uplo, lapack_int n, char *a, char *w,
                        void *work, lapack_int lwork, lapack_int *iwork, lapack_int liwork) {
  switch (dt) {
  case LU_FLOAT32:
    return LAPACKE_ssyevd_work(LAPACK_COL_MAJOR, jobz, uplo, n, (float *)a, n, (float *)w,
                               (float *)work, lwork, iwork, liwork);
  case LU_FLOAT64:
    return LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, jobz, uplo, n, (double *)a, n, (double *)w,
                               (double *)work, lwork, iwork, liwork);
  default: return -1;
  }
}
/* }===== */

/* {===== workspace: the query, then one block per task */
static char svd_jobz(const lu_la_call *c) { return c->jobs == 0 ? 'N' : c->jobs == 1 ? 'S' : 'A'; }

/* The optimal lwork (elements) and liwork of c's routine; -1 on failure. */
static lapack_int query(const lu_la_call *c, lapack_int *liwork) {
  lapack_int m = (lapack_int)c->m, n = (lapack_int)c->n, k = (lapack_int)c->nrhs;
  lapack_int iw = 0, info;
  union { float f; double d; double pad[2]; } q;   /* one element of any dtype */
  memset(&q, 0, sizeof q);
  *liwork = 0;
  switch (c->op) {
  case LU_LA_QR: info = geqrf(c->dt, m, n, c->a, c->s, &q, -1); break;
  case LU_LA_ORGQR: info = orgqr(c->dt, m, n, k, c->a, c->s, &q, -1); break;
  case LU_LA_SVD:
    info = gesdd(c->dt, svd_jobz(c), m, n, c->a, c->s, NULL, NULL, &q, -1, &iw);
    *liwork = 8 * (n > 0 ? n : 1);
    break;
  case LU_LA_EIGH:
    info = syevd(c->dt, c->jobs ? 'V' : 'N', c->upper ? 'U' : 'L', n, c->a, c->s, &q, -1, &iw, -1);
    *liwork = iw;
    break;
  default:
    return 0;
  }
  if (info != 0) return -1;
  return (lapack_int)(c->dt == LU_FLOAT32 ? q.f : q.d) + 1;
}

static int ws_init(const lu_la_call *c, la_ws *ws) {
  memset(ws, 0, sizeof *ws);
  ws->lwork = query(c, &ws->liwork);
  if (ws->lwork < 0) return -1;
  if (ws->lwork > 0 && (ws->work = malloc((size_t)ws->lwork * esize(c->dt))) == NULL) return -1;
  if (ws->liwork > 0 && (ws->iwork = malloc((size_t)ws->liwork * sizeof(lapack_int))) == NULL)
    return -1;
  if ((ws->piv = malloc((size_t)(min64(c->m, c->n) + 1) * sizeof(lapack_int))) == NULL) return -1;
  if (c->op == LU_LA_SVD && c->jobs &&
      (ws->vt = malloc((size_t)(c->n * c->n) * esize(c->dt))) == NULL)
    return -1;
  return 0;
}

static void ws_free(la_ws *ws) {
  free(ws->work);
  free(ws->iwork);
  free(ws->piv);
  free(ws->vt);
}
/* }===== */

/* {===== one matrix: matrix k of every operand; returns LAPACK's info */
static lapack_int one(const lu_la_call *c, int64_t k, la_ws *ws) {
  lapack_int m = (lapack_int)c->m, n = (lapack_int)c->n, r = (lapack_int)c->nrhs, info, i;
  lapack_int mn = (lapack_int)min64(c->m, c->n);
  size_t es = esize(c->dt);
  char *a = c->a + (size_t)k * (size_t)(c->m * c->n) * es;
  switch (c->op) {
  case LU_LA_LU:
    info = getrf(c->dt, m, n, a, ws->piv);
    for (i = 0; i < mn; i++) c->ipiv[k * mn + i] = ws->piv[i];
    return info;
  case LU_LA_SOLVE:
  case LU_LA_INV: {
    char *b = c->b + (size_t)k * (size_t)(c->n * c->nrhs) * es;
    info = getrf(c->dt, n, n, a, ws->piv);
    if (info != 0) return info;
    return getrs(c->dt, c->trans ? 'T' : 'N', n, r, a, ws->piv, b);
  }
  case LU_LA_CHOLESKY:
    return potrf(c->dt, c->upper ? 'U' : 'L', n, a);
  case LU_LA_QR:
    return geqrf(c->dt, m, n, a, c->s + (size_t)k * (size_t)mn * es, ws->work, ws->lwork);
  case LU_LA_ORGQR:
    return orgqr(c->dt, m, n, r, a, c->s + (size_t)k * (size_t)r * es, ws->work, ws->lwork);
  case LU_LA_SVD: {
    int64_t ucols = c->jobs == 2 ? c->m : c->n, row, col;
    char *s = c->s + (size_t)k * (size_t)n * es;
    char *u = c->jobs ? c->u + (size_t)k * (size_t)(c->m * ucols) * es : NULL;
    char *v = c->jobs ? c->v + (size_t)k * (size_t)(c->n * c->n) * es : NULL;
    info = gesdd(c->dt, svd_jobz(c), m, n, a, s, u, c->jobs ? ws->vt : NULL, ws->work, ws->lwork,
                 ws->iwork);
    if (info == 0 && v != NULL)   /* V from V^T */
      for (col = 0; col < c->n; col++)
        for (row = 0; row < c->n; row++)
          memcpy(v + (size_t)(col * c->n + row) * es, (char *)ws->vt + (size_t)(row * c->n + col) * es,
                 es);
    return info;
  }
  case LU_LA_EIGH:
    return syevd(c->dt, c->jobs ? 'V' : 'N', c->upper ? 'U' : 'L', n, a,
                 c->s + (size_t)k * (size_t)n * es, ws->work, ws->lwork, ws->iwork, ws->liwork);
  default:
    return -1;
  }
}
/* }===== */

/* {===== the batch */
typedef struct la_job {
  const lu_la_call *c;
  int64_t nchunks;
  int oom;                      /* a task could not get its workspace */
} la_job;

static void chunk(void *arg, int64_t t) {
  la_job *j = (la_job *)arg;
  const lu_la_call *c = j->c;
  int64_t k0 = t * c->batch / j->nchunks, k1 = (t + 1) * c->batch / j->nchunks, k;
  la_ws ws;
  if (ws_init(c, &ws) != 0) {
    j->oom = 1;   /* benign race: every writer stores 1 */
    ws_free(&ws);
    return;
  }
  for (k = k0; k < k1; k++) c->info[k] = (int)one(c, k, &ws);
  ws_free(&ws);
}

int lu_cpu_lapack(lu_ctx *ctx, const lu_la_call *c) {
  la_job j;
  if (c->dt != LU_FLOAT32 && c->dt != LU_FLOAT64)
    return lu_seterr(ctx, LU_ETYPE, "cpu linalg: dtype %d not supported", (int)c->dt);
  if (c->m > INT_MAX || c->n > INT_MAX || c->nrhs > INT_MAX || c->m * c->n > (int64_t)INT_MAX * 8)
    return lu_seterr(ctx, LU_EARG, "cpu linalg: matrix of %lld x %lld over LAPACK's int range",
                     (long long)c->m, (long long)c->n);
  if (c->batch <= 0) return LU_OK;
  j.c = c;
  j.oom = 0;
  j.nchunks = 1;
  if (c->batch > 1 && c->m <= PAR_MAX_N && c->n <= PAR_MAX_N) {
    int64_t want = 8 * (int64_t)lu_cpu_pool_threads();
    j.nchunks = c->batch < want ? c->batch : want;
  }
  lu_cpu_blas_init();
  {
    int one = c->m * c->n <= ONE_THREAD_MAX && openblas_get_num_threads != NULL &&
              openblas_set_num_threads != NULL;
    int nt = one ? openblas_get_num_threads() : 1;
    if (nt > 1) openblas_set_num_threads(1);
    if (j.nchunks == 1) chunk(&j, 0);
    else lu_cpu_parallel(j.nchunks, chunk, &j);
    if (nt > 1) openblas_set_num_threads(nt);
  }
  if (j.oom) return lu_seterr(ctx, LU_EMEM, "cpu linalg: out of memory for LAPACK's workspace");
  return LU_OK;
}
/* }===== */
