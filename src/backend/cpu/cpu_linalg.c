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
** dtype in one switch: s, d, c and z routines.
*/
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cpu_internal.h"
#include "cpu_blaslib.h"
#include "cpu_pool.h"
#include "lu_hostmem.h"

/* Matrices up to this order are factored in parallel over the batch. */
#define PAR_MAX_N 64

typedef struct la_ws {          /* one task's workspace */
  void *work;                   /* lwork elements of the call's dtype */
  lapack_int lwork;
  lapack_int *iwork;
  lapack_int liwork;
  void *rwork;                  /* complex routines: lrwork reals */
  lapack_int lrwork;
  lapack_int *piv;
  void *vt;                     /* SVD: LAPACK's V^T, transposed into c->v */
} la_ws;

typedef lapack_complex_float cf;
typedef lapack_complex_double cd;

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
  case LU_COMPLEX64: return LAPACKE_cgetrf_work(LAPACK_COL_MAJOR, m, n, (cf *)a, m, piv);
  case LU_COMPLEX128: return LAPACKE_zgetrf_work(LAPACK_COL_MAJOR, m, n, (cd *)a, m, piv);
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
  case LU_COMPLEX64:
    return LAPACKE_cgetrs_work(LAPACK_COL_MAJOR, trans, n, nrhs, (const cf *)a, n, piv, (cf *)b, n);
  case LU_COMPLEX128:
    return LAPACKE_zgetrs_work(LAPACK_COL_MAJOR, trans, n, nrhs, (const cd *)a, n, piv, (cd *)b, n);
  default: return -1;
  }
}

static lapack_int potrf(lu_dtype dt, char uplo, lapack_int n, char *a) {
  switch (dt) {
  case LU_FLOAT32: return LAPACKE_spotrf_work(LAPACK_COL_MAJOR, uplo, n, (float *)a, n);
  case LU_FLOAT64: return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, uplo, n, (double *)a, n);
  case LU_COMPLEX64: return LAPACKE_cpotrf_work(LAPACK_COL_MAJOR, uplo, n, (cf *)a, n);
  case LU_COMPLEX128: return LAPACKE_zpotrf_work(LAPACK_COL_MAJOR, uplo, n, (cd *)a, n);
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
  case LU_COMPLEX64:
    return LAPACKE_cgeqrf_work(LAPACK_COL_MAJOR, m, n, (cf *)a, m, (cf *)tau, (cf *)work, lwork);
  case LU_COMPLEX128:
    return LAPACKE_zgeqrf_work(LAPACK_COL_MAJOR, m, n, (cd *)a, m, (cd *)tau, (cd *)work, lwork);
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
  case LU_COMPLEX64:
    return LAPACKE_cungqr_work(LAPACK_COL_MAJOR, m, n, k, (cf *)a, m, (const cf *)tau, (cf *)work,
                               lwork);
  case LU_COMPLEX128:
    return LAPACKE_zungqr_work(LAPACK_COL_MAJOR, m, n, k, (cd *)a, m, (const cd *)tau, (cd *)work,
                               lwork);
  default: return -1;
  }
}

/* u: m x m or m x n (ld m), vt: n x n; NULL without vectors; s real */
static lapack_int gesdd(lu_dtype dt, char jobz, lapack_int m, lapack_int n, char *a, char *s,
                        char *u, char *vt, void *work, lapack_int lwork, void *rwork,
                        lapack_int *iwork) {
  lapack_int ldvt = n > 0 ? n : 1;
  switch (dt) {
  case LU_COMPLEX64:
    return LAPACKE_cgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (cf *)a, m, (float *)s, (cf *)u, m,
                               (cf *)vt, ldvt, (cf *)work, lwork, (float *)rwork, iwork);
  case LU_COMPLEX128:
    return LAPACKE_zgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (cd *)a, m, (double *)s, (cd *)u, m,
                               (cd *)vt, ldvt, (cd *)work, lwork, (double *)rwork, iwork);
  case LU_FLOAT32:
    return LAPACKE_sgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (float *)a, m, (float *)s, (float *)u,
                               m, (float *)vt, ldvt, (float *)work, lwork, iwork);
  case LU_FLOAT64:
    return LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, (double *)a, m, (double *)s,
                               (double *)u, m, (double *)vt, ldvt, (double *)work, lwork, iwork);
  default: return -1;
  }
}

/* syevd, heevd for the complex dtypes (w real; rwork of lrwork reals) */
static lapack_int syevd(lu_dtype dt, char jobz, char uplo, lapack_int n, char *a, char *w,
                        void *work, lapack_int lwork, void *rwork, lapack_int lrwork,
                        lapack_int *iwork, lapack_int liwork) {
  switch (dt) {
  case LU_COMPLEX64:
    return LAPACKE_cheevd_work(LAPACK_COL_MAJOR, jobz, uplo, n, (cf *)a, n, (float *)w, (cf *)work,
                               lwork, (float *)rwork, lrwork, iwork, liwork);
  case LU_COMPLEX128:
    return LAPACKE_zheevd_work(LAPACK_COL_MAJOR, jobz, uplo, n, (cd *)a, n, (double *)w, (cd *)work,
                               lwork, (double *)rwork, lrwork, iwork, liwork);
  case LU_FLOAT32:
    return LAPACKE_ssyevd_work(LAPACK_COL_MAJOR, jobz, uplo, n, (float *)a, n, (float *)w,
                               (float *)work, lwork, iwork, liwork);
  case LU_FLOAT64:
    return LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, jobz, uplo, n, (double *)a, n, (double *)w,
                               (double *)work, lwork, iwork, liwork);
  default: return -1;
  }
}
/* the right eigenvectors of a general matrix (geev). Complex dtypes: w
** and vr complex, rwork of 2n reals. Real dtypes: w holds wr then wi (n
** each) and vr LAPACK's real form of the vectors (unpack_eig) */
static lapack_int geev(lu_dtype dt, char jobvr, lapack_int n, char *a, char *w, char *vr,
                       void *work, lapack_int lwork, void *rwork) {
  lapack_int ldv = n > 0 ? n : 1;
  switch (dt) {
  case LU_FLOAT32:
    return LAPACKE_sgeev_work(LAPACK_COL_MAJOR, 'N', jobvr, n, (float *)a, ldv, (float *)w,
                              (float *)w + n, NULL, 1, (float *)vr, ldv, (float *)work, lwork);
  case LU_FLOAT64:
    return LAPACKE_dgeev_work(LAPACK_COL_MAJOR, 'N', jobvr, n, (double *)a, ldv, (double *)w,
                              (double *)w + n, NULL, 1, (double *)vr, ldv, (double *)work, lwork);
  case LU_COMPLEX64:
    return LAPACKE_cgeev_work(LAPACK_COL_MAJOR, 'N', jobvr, n, (cf *)a, ldv, (cf *)w, NULL, 1,
                              (cf *)vr, ldv, (cf *)work, lwork, (float *)rwork);
  case LU_COMPLEX128:
    return LAPACKE_zgeev_work(LAPACK_COL_MAJOR, 'N', jobvr, n, (cd *)a, ldv, (cd *)w, NULL, 1,
                              (cd *)vr, ldv, (cd *)work, lwork, (double *)rwork);
  default: return -1;
  }
}

/* A real geev's results in complex form: w (n) from wr, wi; v (n x n,
** column-major) from vr, where a complex pair (wi > 0 first) holds the
** real and imaginary parts of the first vector in columns j and j + 1,
** the second vector being its conjugate. T is float or double. */
#define UNPACK_EIG(T) do { \
  const T *wr = (const T *)ws->vt, *wi = wr + n, *vr = wi + n; \
  T *w = (T *)wout, *v = (T *)vout; \
  for (j = 0; j < n; j++) { w[2 * j] = wr[j]; w[2 * j + 1] = wi[j]; } \
  for (j = 0; v != NULL && j < n; j++) { \
    const T *re = vr + j * n, *im = vr + (j + 1) * n; \
    if (wi[j] == 0 || j + 1 == n) { \
      for (i = 0; i < n; i++) { v[2 * (j * n + i)] = re[i]; v[2 * (j * n + i) + 1] = 0; } \
      continue; \
    } \
    for (i = 0; i < n; i++) { \
      v[2 * (j * n + i)] = re[i]; v[2 * (j * n + i) + 1] = im[i]; \
      v[2 * ((j + 1) * n + i)] = re[i]; v[2 * ((j + 1) * n + i) + 1] = -im[i]; \
    } \
    j++; \
  } \
} while (0)

static void unpack_eig(lu_dtype dt, int64_t n, const la_ws *ws, char *wout, char *vout) {
  int64_t i, j;
  if (dt == LU_FLOAT32) UNPACK_EIG(float);
  else UNPACK_EIG(double);
}
/* }===== */

/* {===== workspace: the query, then one block per task */
static char svd_jobz(const lu_la_call *c) { return c->jobs == 0 ? 'N' : c->jobs == 1 ? 'S' : 'A'; }

/* The optimal lwork (elements) and liwork of c's routine; -1 on failure. */
/* The optimal lwork (elements), liwork and lrwork of c's routine; -1 on
** failure. A query's sizes come back as the first element of work (its
** real part for complex dtypes) and of rwork, iwork. */
static lapack_int query(const lu_la_call *c, lapack_int *liwork, lapack_int *lrwork) {
  lapack_int m = (lapack_int)c->m, n = (lapack_int)c->n, k = (lapack_int)c->nrhs;
  lapack_int iw = 0, info, mn = m < n ? m : n, mx = m < n ? n : m;
  union { float f; double d; double pad[2]; } q, rq;   /* one element of any dtype */
  int single = c->dt == LU_FLOAT32 || c->dt == LU_COMPLEX64;
  int cplx = c->dt == LU_COMPLEX64 || c->dt == LU_COMPLEX128;
  memset(&q, 0, sizeof q);
  memset(&rq, 0, sizeof rq);
  *liwork = *lrwork = 0;
  switch (c->op) {
  case LU_LA_QR: info = geqrf(c->dt, m, n, c->a, c->s, &q, -1); break;
  case LU_LA_ORGQR: info = orgqr(c->dt, m, n, k, c->a, c->s, &q, -1); break;
  case LU_LA_SVD:
    info = gesdd(c->dt, svd_jobz(c), m, n, c->a, c->s, NULL, NULL, &q, -1, &rq, &iw);
    *liwork = 8 * (mn > 0 ? mn : 1);
    /* zgesdd's rwork (LAPACK 3.7's bound, which covers the older one) */
    if (cplx) *lrwork = c->jobs == 0 ? 7 * mn + 1 : mn * (5 * mn + 7 > 2 * mx + 2 * mn + 1 ?
                                                     5 * mn + 7 : 2 * mx + 2 * mn + 1) + 1;
    break;
  case LU_LA_EIGH:
    info = syevd(c->dt, c->jobs ? 'V' : 'N', c->upper ? 'U' : 'L', n, c->a, c->s, &q, -1, &rq,
                 -1, &iw, -1);
    *liwork = iw;
    if (cplx) *lrwork = (lapack_int)(single ? rq.f : rq.d) + 1;
    break;
  case LU_LA_EIG:
    info = geev(c->dt, c->jobs ? 'V' : 'N', n, c->a, c->s, c->v, &q, -1, &rq);
    if (cplx) *lrwork = 2 * (n > 0 ? n : 1);
    break;
  default:
    return 0;
  }
  if (info != 0) return -1;
  return (lapack_int)(single ? q.f : q.d) + 1;
}

static int ws_init(const lu_la_call *c, la_ws *ws) {
  memset(ws, 0, sizeof *ws);
  ws->lwork = query(c, &ws->liwork, &ws->lrwork);
  if (ws->lwork < 0) return -1;
  if (ws->lwork > 0 && (ws->work = lu_malloc((size_t)ws->lwork * esize(c->dt))) == NULL) return -1;
  if (ws->lrwork > 0 && (ws->rwork = lu_malloc((size_t)ws->lrwork * esize(c->dt) / 2)) == NULL)
    return -1;
  if (ws->liwork > 0 && (ws->iwork = lu_malloc((size_t)ws->liwork * sizeof(lapack_int))) == NULL)
    return -1;
  if ((ws->piv = lu_malloc((size_t)(min64(c->m, c->n) + 1) * sizeof(lapack_int))) == NULL) return -1;
  if (c->op == LU_LA_SVD && c->jobs &&
      (ws->vt = lu_malloc((size_t)(c->n * c->n) * esize(c->dt))) == NULL)
    return -1;
  /* a real geev: wr, wi and vr before they are unpacked */
  if (c->op == LU_LA_EIG && lu_cpu_dkind[c->dt] != 'c' &&
      (ws->vt = lu_malloc((size_t)(c->n * c->n + 2 * c->n + 1) * esize(c->dt))) == NULL)
    return -1;
  return 0;
}

static void ws_free(la_ws *ws) {
  free(ws->work);
  free(ws->rwork);
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
  size_t rs = lu_cpu_dkind[c->dt] == 'c' ? es / 2 : es;   /* s, w of SVD and eigh: real */
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
    char *s = c->s + (size_t)k * (size_t)n * rs;
    char *u = c->jobs ? c->u + (size_t)k * (size_t)(c->m * ucols) * es : NULL;
    char *v = c->jobs ? c->v + (size_t)k * (size_t)(c->n * c->n) * es : NULL;
    info = gesdd(c->dt, svd_jobz(c), m, n, a, s, u, c->jobs ? ws->vt : NULL, ws->work, ws->lwork,
                 ws->rwork, ws->iwork);
    /* V (conj(V) for complex) from LAPACK's V^T (V^H): a plain transpose */
    if (info == 0 && v != NULL)
      for (col = 0; col < c->n; col++)
        for (row = 0; row < c->n; row++)
          memcpy(v + (size_t)(col * c->n + row) * es, (char *)ws->vt + (size_t)(row * c->n + col) * es,
                 es);
    return info;
  }
  case LU_LA_EIGH:
    return syevd(c->dt, c->jobs ? 'V' : 'N', c->upper ? 'U' : 'L', n, a,
                 c->s + (size_t)k * (size_t)n * rs, ws->work, ws->lwork, ws->rwork, ws->lrwork,
                 ws->iwork, ws->liwork);
  case LU_LA_EIG: {
    /* w and v are complex: for a real dtype, twice its element size */
    size_t cs = lu_cpu_dkind[c->dt] == 'c' ? es : 2 * es;
    char *w = c->s + (size_t)k * (size_t)n * cs;
    char *v = c->jobs ? c->v + (size_t)k * (size_t)(c->n * c->n) * cs : NULL;
    if (lu_cpu_dkind[c->dt] == 'c')
      return geev(c->dt, c->jobs ? 'V' : 'N', n, a, w, v, ws->work, ws->lwork, ws->rwork);
    info = geev(c->dt, c->jobs ? 'V' : 'N', n, a, (char *)ws->vt,
                (char *)ws->vt + (size_t)(2 * n) * es, ws->work, ws->lwork, NULL);
    if (info == 0) unpack_eig(c->dt, n, ws, w, v);
    return info;
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
  if (c->dt != LU_FLOAT32 && c->dt != LU_FLOAT64 && c->dt != LU_COMPLEX64 &&
      c->dt != LU_COMPLEX128)
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
  {
    const char *why = lu_cpu_blas_ready();
    if (why != NULL) return lu_seterr(ctx, LU_EBACKEND, "linalg: %s", why);
  }
  {
    /* A stack spread over the pool calls OpenBLAS from pool jobs: on one
    ** thread each, set for the whole stack (once, not per matrix). Else
    ** OpenBLAS's count follows the free cores (cpu_matmul.c): with the
    ** cores busy, every BLAS call inside a LAPACK routine waited for a
    ** worker to be scheduled (an 8 x 8 inverse took 20 ms, a 32 x 32 eigh
    ** 140 ms on a loaded 2-core machine, against 0.1 ms alone). */
    int pooled = j.nchunks > 1 && openblas_get_num_threads != NULL && openblas_set_num_threads != NULL;
    int nt = pooled ? openblas_get_num_threads() : 1;
    if (nt > 1) openblas_set_num_threads(1);
    else if (!pooled) lu_cpu_blas_follow((double)c->m * (double)c->n * (double)(c->m < c->n ? c->m : c->n));
    if (j.nchunks == 1) chunk(&j, 0);
    else lu_cpu_parallel(j.nchunks, chunk, &j);
    if (nt > 1) openblas_set_num_threads(nt);
  }
  if (j.oom) return lu_seterr(ctx, LU_EMEM, "cpu linalg: out of memory for LAPACK's workspace");
  return LU_OK;
}
/* }===== */
