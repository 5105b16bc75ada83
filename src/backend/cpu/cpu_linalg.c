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

/* {===== workspace: LAPACK's size query (lwork = -1), then one block */
static lapack_int query(const lu_la_call *c, lapack_int *liwork) {
  lapack_int m = (lapack_int)c->m, n = (lapack_int)c->n, k = (lapack_int)c->nrhs;
  lapack_int iw = 0, info = 0;
  double dq = 0;
  float fq = 0;
  int f32 = c->dt == LU_FLOAT32;
  char jobz = c->jobs == 0 ? 'N' : c->jobs == 1 ? 'S' : 'A';
  *liwork = 0;
  switch (c->op) {
  case LU_LA_QR:
    info = f32 ? LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, m, n, (float *)c->a, m, (float *)c->s, &fq, -1)
               : LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, (double *)c->a, m, (double *)c->s, &dq, -1);
    break;
  case LU_LA_ORGQR:
    info = f32 ? LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, m, n, k, (float *)c->a, m, (float *)c->s, &fq, -1)
               : LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, m, n, k, (double *)c->a, m, (double *)c->s, &dq, -1);
    break;
  case LU_LA_SVD:
    *liwork = 8 * (n > 0 ? n : 1);
    info = f32 ? LAPACKE_sgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (float *)c->a, m, (float *)c->s,
                                     (float *)c->u, m, (float *)c->v, n > 0 ? n : 1, &fq, -1, &iw)
               : LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (double *)c->a, m, (double *)c->s,
                                     (double *)c->u, m, (double *)c->v, n > 0 ? n : 1, &dq, -1, &iw);
    break;
  case LU_LA_EIGH:
    info = f32 ? LAPACKE_ssyevd_work(LAPACK_COL_MAJOR, c->jobs ? 'V' : 'N', c->upper ? 'U' : 'L', n,
                                     (float *)c->a, n, (float *)c->s, &fq, -1, &iw, -1)
               : LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, c->jobs ? 'V' : 'N', c->upper ? 'U' : 'L', n,
                                     (double *)c->a, n, (double *)c->s, &dq, -1, &iw, -1);
    *liwork = iw;
    break;
  default:
    return 0;
  }
  if (info != 0) return -1;
  return (lapack_int)(f32 ? fq : dq) + 1;
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

static lapack_int one(const lu_la_call *c, int64_t k, la_ws *ws) {
  lapack_int m = (lapack_int)c->m, n = (lapack_int)c->n, r = (lapack_int)c->nrhs, info, i;
  lapack_int mn = (lapack_int)min64(c->m, c->n);
  size_t es = esize(c->dt);
  char *a = c->a + (size_t)k * (size_t)(c->m * c->n) * es;
  int f32 = c->dt == LU_FLOAT32;
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
    return f32 ? LAPACKE_spotrf_work(LAPACK_COL_MAJOR, c->upper ? 'U' : 'L', n, (float *)a, n)
               : LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, c->upper ? 'U' : 'L', n, (double *)a, n);
  case LU_LA_QR: {
    char *tau = c->s + (size_t)k * (size_t)mn * es;
    return f32 ? LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, m, n, (float *)a, m, (float *)tau,
                                     (float *)ws->work, ws->lwork)
               : LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, (double *)a, m, (double *)tau,
                                     (double *)ws->work, ws->lwork);
  }
  case LU_LA_ORGQR: {
    char *tau = c->s + (size_t)k * (size_t)r * es;
    return f32 ? LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, m, n, r, (float *)a, m, (float *)tau,
                                     (float *)ws->work, ws->lwork)
               : LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, m, n, r, (double *)a, m, (double *)tau,
                                     (double *)ws->work, ws->lwork);
  }
  case LU_LA_SVD: {
    char jobz = c->jobs == 0 ? 'N' : c->jobs == 1 ? 'S' : 'A';
    int64_t ucols = c->jobs == 2 ? c->m : c->n, r, q;
    char *s = c->s + (size_t)k * (size_t)n * es;
    char *u = c->jobs ? c->u + (size_t)k * (size_t)(c->m * ucols) * es : NULL;
    char *v = c->jobs ? c->v + (size_t)k * (size_t)(c->n * c->n) * es : NULL;
    info = f32 ? LAPACKE_sgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (float *)a, m, (float *)s,
                                     (float *)u, m, (float *)ws->vt, n, (float *)ws->work,
                                     ws->lwork, ws->iwork)
               : LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (double *)a, m, (double *)s,
                                     (double *)u, m, (double *)ws->vt, n, (double *)ws->work,
                                     ws->lwork, ws->iwork);
    if (info == 0 && v != NULL)   /* V from V^T */
      for (q = 0; q < c->n; q++)
        for (r = 0; r < c->n; r++)
          memcpy(v + (size_t)(q * c->n + r) * es, (char *)ws->vt + (size_t)(r * c->n + q) * es, es);
    return info;
  }
  case LU_LA_EIGH: {
    char *w = c->s + (size_t)k * (size_t)n * es;
    return f32 ? LAPACKE_ssyevd_work(LAPACK_COL_MAJOR, c->jobs ? 'V' : 'N', c->upper ? 'U' : 'L', n,
                                     (float *)a, n, (float *)w, (float *)ws->work, ws->lwork,
                                     ws->iwork, ws->liwork)
               : LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, c->jobs ? 'V' : 'N', c->upper ? 'U' : 'L', n,
                                     (double *)a, n, (double *)w, (double *)ws->work, ws->lwork,
                                     ws->iwork, ws->liwork);
  }
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
