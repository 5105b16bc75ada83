/* SPDX-License-Identifier: MIT */
/*
** Matrix products on the CPU: float32/float64 with at most 16 columns in
** lunar's own kernel (cpu_matmul_narrow.c), the other float32/float64 and
** complex64/complex128 through OpenBLAS (one gemm per batch entry; OpenBLAS
** threads inside, as many as lunar's pool has at most: see blas_threads),
** float16/bfloat16 through sgemm on operands widened to float32 (the
** products accumulate in float32 and each result is rounded once, as
** cuBLAS's float32 compute does), every other dtype through a plain i-k-j
** loop (rows of B and C are walked in order, groups of rows over the
** pool's threads), bool as or/and.
*/
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <stdio.h>
#include <stdatomic.h>
#include <time.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include "cpu_internal.h"
#include "cpu_blaslib.h"
#include "cpu_pool.h"
#include "lu_hostmem.h"

/* Rows [i0, i1) of C = A B for one matrix of type T_: C[i, :] = sum_k
** A[i, k] * B[k, :]. Integers wrap (the build uses -fwrapv); bool computes
** "any k with a and b". */
#define MM_INT(E, name, T, size, kind, sh) \
  static void mm_##sh(const lu_matmul_call *c, const char *ap, const char *bp, char *cp, \
                      int64_t i0, int64_t i1) { \
    typedef T T_; \
    const T_ *A = (const T_ *)ap, *B = (const T_ *)bp; \
    T_ *C = (T_ *)cp; \
    int64_t N = c->N, K = c->K, lda = c->lda, ldb = c->ldb; \
    for (int64_t i = i0; i < i1; i++) { \
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
LU_DTYPES_NATIVE(MM_INT)

typedef void (*mmfn)(const lu_matmul_call *, const char *, const char *, char *, int64_t, int64_t);
#define MM_PTR(E, name, T, size, kind, sh) mm_##sh,
static const mmfn mmfns[LU_NDTYPES] = { LU_DTYPES_NATIVE(MM_PTR) };

/* The loops over the pool: chunks of whole rows of one batch entry, each
** about MM_CHUNK multiply-adds (tens of microseconds). */
#define MM_CHUNK ((int64_t)1 << 16)
#define MM_PAR_MIN ((int64_t)1 << 18)   /* fewer multiply-adds: one thread */

typedef struct mmjob {
  const lu_matmul_call *c;
  mmfn fn;
  int sz;
  int64_t rows, per_batch;        /* rows per chunk, chunks per batch entry */
} mmjob;

static void mm_chunk(void *arg, int64_t k) {
  const mmjob *j = arg;
  const lu_matmul_call *c = j->c;
  int64_t b = k / j->per_batch, i0 = k % j->per_batch * j->rows;
  int64_t i1 = i0 + j->rows < c->M ? i0 + j->rows : c->M;
  j->fn(c, c->a_ptr + b * c->bstride_a * j->sz, c->b_ptr + b * c->bstride_b * j->sz,
        c->c_ptr + b * c->bstride_c * j->sz, i0, i1);
}

static void mm_generic(const lu_matmul_call *c, int sz) {
  int64_t work = c->N * (c->K > 0 ? c->K : 1), rows = MM_CHUNK / (work > 0 ? work : 1);
  mmjob j;
  if (rows < 1) rows = 1;
  if (rows > c->M) rows = c->M;
  j.c = c; j.fn = mmfns[c->dt]; j.sz = sz; j.rows = rows;
  j.per_batch = (c->M + rows - 1) / rows;
  if (c->batch * c->M * work < MM_PAR_MIN || c->batch * j.per_batch < 2) {
    for (int64_t b = 0; b < c->batch; b++)
      j.fn(c, c->a_ptr + b * c->bstride_a * sz, c->b_ptr + b * c->bstride_b * sz,
           c->c_ptr + b * c->bstride_c * sz, 0, c->M);
    return;
  }
  lu_cpu_parallel(c->batch * j.per_batch, mm_chunk, &j);
}

/* OpenBLAS keeps its own threads (the pthread build: no OpenMP) and its
** own rule for how many a call uses, as under NumPy. lunar sets its count
** seldom: once, to at most the threads lunar may use (LUNAR_NUM_THREADS,
** the affinity mask, a cgroup's quota, cpu_pool.c), which OpenBLAS does
** not know of, and afterwards only when the cores free of other processes
** change (lu_cpu_blas_follow, below). Each openblas_set_num_threads reallocates
** the per-thread buffers (adjust_thread_buffers), and changing the count
** around every call cost more than the threads gained: on the lent
** 16-core Xeon digits took 1.24-1.33 s with a count held per product,
** 1.56 s held at one between calls and raised per large product, 0.80 s at
** one thread throughout, and 0.64-0.66 s set once (NumPy 0.61-0.63; the
** same run, 2026-12-06, session 13). An application's or the user's count
** (OPENBLAS_NUM_THREADS) is never raised.
**
** Tried and withdrawn (session 13): products cut into tiles over lunar's
** pool, each an OpenBLAS call on one thread. On that host the tiles did
** not scale (1000 x 1000 float64: 100 ms on 16 threads, 65 on 4, where
** OpenBLAS's own 16 threads took 23), so products keep OpenBLAS's threads.
** Debian's OpenBLAS (0.3.21) is the limit there: NumPy's (0.3.34) took 3.1
** ms for that product and 31 us for digits' 1797 x 64 by 64 x 10 one,
** against 114 us on Debian's 16 threads and 136-171 on one. */
static int blas_max;           /* > 0: the most threads OpenBLAS may get */
static atomic_int blas_cur;    /* the count lunar last gave it */
static atomic_flag blas_setting = ATOMIC_FLAG_INIT;

static void blas_threads(void) {
  int n = lu_cpu_pool_threads(), have;
  if (openblas_get_num_threads == NULL || openblas_set_num_threads == NULL) return;
  have = openblas_get_num_threads();
  blas_max = have < n ? have : n;
  if (blas_max < 1) blas_max = 1;
  if (blas_max < have) openblas_set_num_threads(blas_max);
  atomic_store(&blas_cur, blas_max);
}
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

const char *lu_cpu_blas_ready(void) {
  const char *why = lu_cpu_blas_load();
  if (why == NULL) pthread_once(&blas_once, blas_threads);
  return why;
}

/* OpenBLAS threads every product past 2^18 multiply-adds, and its threads
** wait for each other by spinning and yielding: with another process busy
** on each of the 2 cores, the digits classifier's 64 x 1797 by 1797 x 10
** product took 111 ms (NumPy, same OpenBLAS: 66 ms) and 0.2 ms on one
** thread, csvstats' 13 x 356000 by 356000 x 13 product 2.5-7.8 s on two
** threads (NumPy's the same, 4.4 s typical) and 0.03 s on one; with one
** busy loop, 0.02 s on two. So OpenBLAS gets the cores nobody else is
** running on: the threads runnable on the machine now (/proc/loadavg's
** fourth field) less this process's own (state R in
** /proc/self/task/N/stat: the caller, OpenBLAS's threads still spinning
** after the last product) are busy elsewhere, and OpenBLAS's count is
** lunar's less those (at least one). The probe costs 8 us plus 3 per
** thread of the process (110 us with 33), so it is taken at most every
** PROBE_S seconds; the count is set only when the answer changes. */
#define PROBE_S 0.025

static double mono_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Threads of this process in state R (running or runnable). */
static int own_running(void) {
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  char path[64], buf[512];
  int n = 0;
  if (d == NULL) return 1;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/self/task/%.20s/stat", e->d_name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    ssize_t k = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (k <= 0) continue;
    buf[k] = '\0';
    char *r = strrchr(buf, ')');            /* the name may hold anything */
    if (r != NULL && r[1] == ' ' && r[2] == 'R') n++;
  }
  closedir(d);
  return n > 0 ? n : 1;
}

/* Runnable threads of other processes, or -1 when it cannot be known. */
static int busy_elsewhere(void) {
  char buf[128];
  int fd = open("/proc/loadavg", O_RDONLY), running;
  ssize_t k;
  if (fd < 0) return -1;
  k = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (k <= 0) return -1;
  buf[k] = '\0';
  if (sscanf(buf, "%*f %*f %*f %d/", &running) != 1) return -1;
  running -= own_running();
  return running > 0 ? running : 0;
}

static _Atomic double probe_t = -1;
static atomic_int probe_busy;

/* The threads OpenBLAS may use for a large product now: of lunar's n, the
** cores nobody else is running on (LUNAR_BLAS_PROBE=0: all n). The count
** of /proc/loadavg is the whole machine's (a container's too), so it says
** something about lunar's cores only when they are all of the machine's:
** with fewer (a cgroup quota, an affinity mask, LUNAR_NUM_THREADS), no
** probe, and OpenBLAS keeps n. */
static int blas_free_threads(int n) {
  static int off = -1;
  double t = mono_s();
  int busy;
  if (off < 0) {
    const char *v = getenv("LUNAR_BLAS_PROBE");
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    off = (v != NULL && strcmp(v, "0") == 0) || online <= 0 || online > n;
  }
  if (off || n <= 1) return n;
  if (t - atomic_load(&probe_t) >= PROBE_S) {
    busy = busy_elsewhere();
    atomic_store(&probe_busy, busy);
    atomic_store(&probe_t, t);
  } else {
    busy = atomic_load(&probe_busy);
  }
  if (busy < 0) return n;
  return n - busy >= 1 ? n - busy : 1;
}

/* On fewer than FEW_CORES threads, a call of fewer than SMALL_MACS
** multiply-adds (about half a millisecond on one core) runs on one of
** OpenBLAS's threads: on the 2-core build machine digits took 0.55-0.59
** s so and 0.61-0.64 with OpenBLAS's two threads (NumPy 0.65), while on
** the 16-core host its sixteen took digits' 1797 x 64 by 64 x 10 product
** from 136-171 us to 114. */
#define FEW_CORES 4
#define SMALL_MACS ((double)(1 << 22))

/* Before a call into OpenBLAS of about `macs` multiply-adds: its count
** follows the free cores (an idle machine with many cores: blas_max, set
** at start and left alone). One caller sets at a time; another that
** finds it setting goes on with the count as it is. */
void lu_cpu_blas_follow(double macs) {
  int want;
  if (blas_max <= 1 || openblas_set_num_threads == NULL) return;
  want = blas_max < FEW_CORES && macs < SMALL_MACS ? 1 : blas_free_threads(blas_max);
  if (want == atomic_load(&blas_cur) || atomic_flag_test_and_set(&blas_setting)) return;
  openblas_set_num_threads(want);
  atomic_store(&blas_cur, want);
  atomic_flag_clear(&blas_setting);
}

/* BLAS wants a leading dimension of at least the stored row length even
** when there is a single row (whose stride the core may leave as anything) */
static int64_t fix_ld(int64_t ld, int64_t rows, int64_t cols) {
  if (cols < 1) cols = 1;
  return (rows <= 1 && ld < cols) ? cols : ld;
}

/* A 1x1 result per batch entry (einsum's "ij,ij->i"): one BLAS dot per
** entry, which gemm is slow for, the entries spread over the pool. */
typedef struct dotjob { const lu_matmul_call *c; int sz; int64_t per, inca, incb; } dotjob;

static void dot_chunk(void *arg, int64_t k) {
  const dotjob *j = arg;
  const lu_matmul_call *c = j->c;
  int64_t b0 = k * j->per, b1 = b0 + j->per < c->batch ? b0 + j->per : c->batch;
  for (int64_t b = b0; b < b1; b++) {
    const char *A = c->a_ptr + b * c->bstride_a * j->sz, *B = c->b_ptr + b * c->bstride_b * j->sz;
    char *C = c->c_ptr + b * c->bstride_c * j->sz;
    if (c->dt == LU_FLOAT32)
      *(float *)C = cblas_sdot((int)c->K, (const float *)A, (int)j->inca, (const float *)B, (int)j->incb);
    else
      *(double *)C = cblas_ddot((int)c->K, (const double *)A, (int)j->inca, (const double *)B, (int)j->incb);
  }
}

static void dots(const lu_matmul_call *c, int sz) {
  dotjob j;
  j.c = c; j.sz = sz;
  j.inca = c->trans_a ? c->lda : 1;      /* A is 1 x K */
  j.incb = c->trans_b ? 1 : c->ldb;      /* B is K x 1 */
  j.per = MM_CHUNK / c->K;
  if (j.per < 1) j.per = 1;
  if (c->batch * c->K < MM_PAR_MIN) { j.per = c->batch; dot_chunk(&j, 0); return; }
  lu_cpu_parallel((c->batch + j.per - 1) / j.per, dot_chunk, &j);
}

/* y = op(M) x, one BLAS gemv of the call's dtype; M is rows x cols as
** stored (row-major, leading dimension ld), op its transpose when t. */
static void gemv(const lu_matmul_call *c, int t, int64_t rows, int64_t cols, const char *M,
                 int64_t ld, const char *x, int64_t incx, char *y, int64_t incy) {
  static const float one_c[2] = {1.0f, 0.0f}, zero_c[2] = {0.0f, 0.0f};
  static const double one_z[2] = {1.0, 0.0}, zero_z[2] = {0.0, 0.0};
  enum CBLAS_TRANSPOSE tr = t ? CblasTrans : CblasNoTrans;
  int r = (int)rows, n = (int)cols, l = (int)ld, ix = incx ? (int)incx : 1, iy = incy ? (int)incy : 1;
  if (c->dt == LU_FLOAT32)
    cblas_sgemv(CblasRowMajor, tr, r, n, 1.0f, (const float *)M, l, (const float *)x, ix, 0.0f,
                (float *)y, iy);
  else if (c->dt == LU_FLOAT64)
    cblas_dgemv(CblasRowMajor, tr, r, n, 1.0, (const double *)M, l, (const double *)x, ix, 0.0,
                (double *)y, iy);
  else if (c->dt == LU_COMPLEX64)
    cblas_cgemv(CblasRowMajor, tr, r, n, one_c, M, l, x, ix, zero_c, y, iy);
  else
    cblas_zgemv(CblasRowMajor, tr, r, n, one_z, M, l, x, ix, zero_z, y, iy);
}

/* Products with one row or one column (a matrix times a vector): BLAS's
** gemv, as NumPy's matmul takes them (a 1000 x 1000 float64 matrix times a
** vector: 0.12 ms, NumPy 0.11, on the 2-core machine). */
static void gemvs(const lu_matmul_call *c, int sz, int64_t lda, int64_t ldb) {
  for (int64_t b = 0; b < c->batch; b++) {
    const char *A = c->a_ptr + b * c->bstride_a * sz;
    const char *B = c->b_ptr + b * c->bstride_b * sz;
    char *C = c->c_ptr + b * c->bstride_c * sz;
    if (c->N == 1)   /* C's column = A B's column; A stored M x K, or K x M transposed */
      gemv(c, c->trans_a, c->trans_a ? c->K : c->M, c->trans_a ? c->M : c->K, A, lda, B,
           c->trans_b ? 1 : c->ldb, C, c->ldc);
    else             /* C's row = A's row B: B^T times it; B stored K x N, or N x K transposed */
      gemv(c, !c->trans_b, c->trans_b ? c->N : c->K, c->trans_b ? c->K : c->N, B, ldb, A,
           c->trans_a ? c->lda : 1, C, 1);
  }
}

/* One float16/bfloat16 product: A (M x K) and B (K x N) widened into
** dense float32 row-major copies, sgemm, C rounded back. */
static int mm_half(lu_ctx *ctx, const lu_matmul_call *c, const char *A, const char *B, char *C) {
  int64_t M = c->M, N = c->N, K = c->K, sz = 2;
  float *fa = lu_malloc(sizeof(float) * (size_t)(M * K)), *fb = lu_malloc(sizeof(float) * (size_t)(K * N));
  float *fc = lu_malloc(sizeof(float) * (size_t)(M * N));
  if (!fa || !fb || !fc) {
    free(fa); free(fb); free(fc);
    return lu_seterr(ctx, LU_EMEM, "matmul: out of memory for the float32 copies of %s operands",
                     c->dt == LU_FLOAT16 ? "float16" : "bfloat16");
  }
  /* row i of A: elements i*lda + k (or k*lda + i transposed) */
  for (int64_t i = 0; i < M; i++)
    lu_cpu_cast(c->dt, A + (c->trans_a ? i : i * c->lda) * sz, (c->trans_a ? c->lda : 1) * sz,
                LU_FLOAT32, (char *)(fa + i * K), 4, K);
  for (int64_t k = 0; k < K; k++)
    lu_cpu_cast(c->dt, B + (c->trans_b ? k : k * c->ldb) * sz, (c->trans_b ? c->ldb : 1) * sz,
                LU_FLOAT32, (char *)(fb + k * N), 4, N);
  {
    lu_cpu_blas_follow((double)M * (double)N * (double)K);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)N, (int)K, 1.0f, fa,
                (int)K, fb, (int)N, 0.0f, fc, (int)N);
  }
  lu_cpu_cast(LU_FLOAT32, (const char *)fc, 4, c->dt, C, sz, M * N);
  free(fa); free(fb); free(fc);
  return LU_OK;
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
    int st;
    if (lu_cpu_mm_narrow(ctx, c, sz, &st)) return st;   /* 2 to 16 columns, 2 rows or more */
  }
  if (c->dt == LU_FLOAT16 || c->dt == LU_BFLOAT16 || c->dt == LU_FLOAT32 || c->dt == LU_FLOAT64 ||
      c->dt == LU_COMPLEX64 || c->dt == LU_COMPLEX128) {
    const char *why = lu_cpu_blas_ready();
    if (why != NULL) return lu_seterr(ctx, LU_EBACKEND, "matmul: %s", why);
  }
  if (c->dt == LU_FLOAT16 || c->dt == LU_BFLOAT16) {
    if (c->M > INT_MAX || c->N > INT_MAX || c->K > INT_MAX)
      return lu_seterr(ctx, LU_EARG, "cpu matmul: matrix extent over BLAS's int range (M %lld, N %lld, K %lld)",
                       (long long)c->M, (long long)c->N, (long long)c->K);
    for (int64_t b = 0; b < c->batch; b++) {
      int st = mm_half(ctx, c, c->a_ptr + b * c->bstride_a * sz, c->b_ptr + b * c->bstride_b * sz,
                       c->c_ptr + b * c->bstride_c * sz);
      if (st != LU_OK) return st;
    }
    return LU_OK;
  }
  if (c->dt == LU_FLOAT32 || c->dt == LU_FLOAT64 || c->dt == LU_COMPLEX64 || c->dt == LU_COMPLEX128) {
    int64_t lda = c->trans_a ? fix_ld(c->lda, c->K, c->M) : fix_ld(c->lda, c->M, c->K);
    int64_t ldb = c->trans_b ? fix_ld(c->ldb, c->N, c->K) : fix_ld(c->ldb, c->K, c->N);
    enum CBLAS_TRANSPOSE ta = c->trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = c->trans_b ? CblasTrans : CblasNoTrans;
    if (c->M > INT_MAX || c->N > INT_MAX || c->K > INT_MAX || lda > INT_MAX ||
        ldb > INT_MAX || c->ldc > INT_MAX)
      return lu_seterr(ctx, LU_EARG, "cpu matmul: matrix extent over BLAS's int range (M %lld, N %lld, K %lld)",
                       (long long)c->M, (long long)c->N, (long long)c->K);
    if (c->M == 1 && c->N == 1 && c->batch > 1 && (c->dt == LU_FLOAT32 || c->dt == LU_FLOAT64)) {
      dots(c, sz);
      return LU_OK;
    }
    lu_cpu_blas_follow((double)c->M * (double)c->N * (double)c->K *
                       (c->dt == LU_COMPLEX64 || c->dt == LU_COMPLEX128 ? 4 : 1));
    if (c->M == 1 || c->N == 1) {
      gemvs(c, sz, lda, ldb);
      return LU_OK;
    }
    for (int64_t b = 0; b < c->batch; b++) {
      const char *A = c->a_ptr + b * c->bstride_a * sz;
      const char *B = c->b_ptr + b * c->bstride_b * sz;
      char *C = c->c_ptr + b * c->bstride_c * sz;
      static const float one_c[2] = {1.0f, 0.0f}, zero_c[2] = {0.0f, 0.0f};
      static const double one_z[2] = {1.0, 0.0}, zero_z[2] = {0.0, 0.0};
      if (c->dt == LU_FLOAT32)
        cblas_sgemm(CblasRowMajor, ta, tb, (int)c->M, (int)c->N, (int)c->K, 1.0f,
                    (const float *)A, (int)lda, (const float *)B, (int)ldb, 0.0f,
                    (float *)C, (int)c->ldc);
      else if (c->dt == LU_COMPLEX64)
        cblas_cgemm(CblasRowMajor, ta, tb, (int)c->M, (int)c->N, (int)c->K, one_c, A, (int)lda,
                    B, (int)ldb, zero_c, C, (int)c->ldc);
      else if (c->dt == LU_COMPLEX128)
        cblas_zgemm(CblasRowMajor, ta, tb, (int)c->M, (int)c->N, (int)c->K, one_z, A, (int)lda,
                    B, (int)ldb, zero_z, C, (int)c->ldc);
      else
        cblas_dgemm(CblasRowMajor, ta, tb, (int)c->M, (int)c->N, (int)c->K, 1.0,
                    (const double *)A, (int)lda, (const double *)B, (int)ldb, 0.0,
                    (double *)C, (int)c->ldc);
    }
    return LU_OK;
  }
  if (mmfns[c->dt] == NULL)
    return lu_seterr(ctx, LU_ETYPE, "cpu matmul: no loop for dtype %d", (int)c->dt);
  mm_generic(c, sz);
  return LU_OK;
}

const lu_linalg_family lu_cpu_linalg_family = {
  .matmul = lu_cpu_matmul,
  .lapack = lu_cpu_lapack,      /* cpu_linalg.c */
};
