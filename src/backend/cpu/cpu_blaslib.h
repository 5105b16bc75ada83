/* SPDX-License-Identifier: MIT */
/*
** OpenBLAS (its CBLAS) and LAPACKE, reached through one function table
** filled by dlopen and dlsym on first use (cpu_blaslib.c), as the CUDA
** backend reaches cuBLAS (src/backend/cuda/dynlib.h). Linked, they cost
** every process their loading and OpenBLAS's constructor, which starts a
** thread per core that spins in sched_yield: 3.5 ms of a CPU-only start of
** 16 on the 2-core build machine, before any product.
**
** The headers give the types and, through __typeof__, each pointer's
** type. Files that include this header call the usual names
** (cblas_sgemm, LAPACKE_dgetrf_work, ...): the macros at the end turn them
** into the table's entries. Call lu_cpu_blas_load first.
*/
#ifndef lu_cpu_blaslib_h
#define lu_cpu_blaslib_h

#include <cblas.h>
#include <lapacke.h>

/* the entries a product or a factorization cannot do without */
#define LU_BLAS_FNS(X) \
  X(cblas_sgemm) X(cblas_dgemm) X(cblas_cgemm) X(cblas_zgemm) X(cblas_sdot) X(cblas_ddot) \
  X(cblas_sgemv) X(cblas_dgemv) X(cblas_cgemv) X(cblas_zgemv)
#define LU_LAPACKE_FNS(X) \
  X(LAPACKE_sgetrf_work) X(LAPACKE_dgetrf_work) X(LAPACKE_cgetrf_work) X(LAPACKE_zgetrf_work) \
  X(LAPACKE_sgetrs_work) X(LAPACKE_dgetrs_work) X(LAPACKE_cgetrs_work) X(LAPACKE_zgetrs_work) \
  X(LAPACKE_spotrf_work) X(LAPACKE_dpotrf_work) X(LAPACKE_cpotrf_work) X(LAPACKE_zpotrf_work) \
  X(LAPACKE_sgeqrf_work) X(LAPACKE_dgeqrf_work) X(LAPACKE_cgeqrf_work) X(LAPACKE_zgeqrf_work) \
  X(LAPACKE_sorgqr_work) X(LAPACKE_dorgqr_work) X(LAPACKE_cungqr_work) X(LAPACKE_zungqr_work) \
  X(LAPACKE_sgesdd_work) X(LAPACKE_dgesdd_work) X(LAPACKE_cgesdd_work) X(LAPACKE_zgesdd_work) \
  X(LAPACKE_ssyevd_work) X(LAPACKE_dsyevd_work) X(LAPACKE_cheevd_work) X(LAPACKE_zheevd_work) \
  X(LAPACKE_sgeev_work) X(LAPACKE_dgeev_work) X(LAPACKE_cgeev_work) X(LAPACKE_zgeev_work)
/* OpenBLAS's thread count: NULL where the BLAS library is another one */
#define LU_BLAS_OPT_FNS(X) X(openblas_set_num_threads) X(openblas_get_num_threads)

typedef struct lu_blas_fns {
#define LU_BLAS_FIELD(f) __typeof__(&f) f;
  LU_BLAS_FNS(LU_BLAS_FIELD)
  LU_LAPACKE_FNS(LU_BLAS_FIELD)
  LU_BLAS_OPT_FNS(LU_BLAS_FIELD)
#undef LU_BLAS_FIELD
} lu_blas_fns;

extern lu_blas_fns lu_blas;

/* Opens the libraries once (thread-safe). NULL when the table is filled;
** else why not, e.g. "cannot load liblapacke.so.3: ... (apt-get install
** liblapacke)", for the caller's message after its op's name.
** $LUNAR_BLAS_LIB and $LUNAR_LAPACKE_LIB name other files. */
const char *lu_cpu_blas_load(void);

#ifndef LU_CPU_BLASLIB_IMPL
#define cblas_sgemm lu_blas.cblas_sgemm
#define cblas_dgemm lu_blas.cblas_dgemm
#define cblas_cgemm lu_blas.cblas_cgemm
#define cblas_zgemm lu_blas.cblas_zgemm
#define cblas_sdot lu_blas.cblas_sdot
#define cblas_ddot lu_blas.cblas_ddot
#define cblas_sgemv lu_blas.cblas_sgemv
#define cblas_dgemv lu_blas.cblas_dgemv
#define cblas_cgemv lu_blas.cblas_cgemv
#define cblas_zgemv lu_blas.cblas_zgemv
#define LAPACKE_sgetrf_work lu_blas.LAPACKE_sgetrf_work
#define LAPACKE_dgetrf_work lu_blas.LAPACKE_dgetrf_work
#define LAPACKE_cgetrf_work lu_blas.LAPACKE_cgetrf_work
#define LAPACKE_zgetrf_work lu_blas.LAPACKE_zgetrf_work
#define LAPACKE_sgetrs_work lu_blas.LAPACKE_sgetrs_work
#define LAPACKE_dgetrs_work lu_blas.LAPACKE_dgetrs_work
#define LAPACKE_cgetrs_work lu_blas.LAPACKE_cgetrs_work
#define LAPACKE_zgetrs_work lu_blas.LAPACKE_zgetrs_work
#define LAPACKE_spotrf_work lu_blas.LAPACKE_spotrf_work
#define LAPACKE_dpotrf_work lu_blas.LAPACKE_dpotrf_work
#define LAPACKE_cpotrf_work lu_blas.LAPACKE_cpotrf_work
#define LAPACKE_zpotrf_work lu_blas.LAPACKE_zpotrf_work
#define LAPACKE_sgeqrf_work lu_blas.LAPACKE_sgeqrf_work
#define LAPACKE_dgeqrf_work lu_blas.LAPACKE_dgeqrf_work
#define LAPACKE_cgeqrf_work lu_blas.LAPACKE_cgeqrf_work
#define LAPACKE_zgeqrf_work lu_blas.LAPACKE_zgeqrf_work
#define LAPACKE_sorgqr_work lu_blas.LAPACKE_sorgqr_work
#define LAPACKE_dorgqr_work lu_blas.LAPACKE_dorgqr_work
#define LAPACKE_cungqr_work lu_blas.LAPACKE_cungqr_work
#define LAPACKE_zungqr_work lu_blas.LAPACKE_zungqr_work
#define LAPACKE_sgesdd_work lu_blas.LAPACKE_sgesdd_work
#define LAPACKE_dgesdd_work lu_blas.LAPACKE_dgesdd_work
#define LAPACKE_cgesdd_work lu_blas.LAPACKE_cgesdd_work
#define LAPACKE_zgesdd_work lu_blas.LAPACKE_zgesdd_work
#define LAPACKE_ssyevd_work lu_blas.LAPACKE_ssyevd_work
#define LAPACKE_dsyevd_work lu_blas.LAPACKE_dsyevd_work
#define LAPACKE_cheevd_work lu_blas.LAPACKE_cheevd_work
#define LAPACKE_zheevd_work lu_blas.LAPACKE_zheevd_work
#define LAPACKE_sgeev_work lu_blas.LAPACKE_sgeev_work
#define LAPACKE_dgeev_work lu_blas.LAPACKE_dgeev_work
#define LAPACKE_cgeev_work lu_blas.LAPACKE_cgeev_work
#define LAPACKE_zgeev_work lu_blas.LAPACKE_zgeev_work
#define openblas_set_num_threads lu_blas.openblas_set_num_threads
#define openblas_get_num_threads lu_blas.openblas_get_num_threads
#endif

#endif
