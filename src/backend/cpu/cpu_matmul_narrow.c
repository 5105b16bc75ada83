/* SPDX-License-Identifier: MIT */
/*
** Narrow float32/float64 products on the CPU: C = A B where B has at most
** NB columns (a classifier's weights, a projection onto a few
** components). OpenBLAS's kernels are built for wide blocks; for digits'
** 1797 x 64 by 64 x 10 product Debian's OpenBLAS (0.3.21) took 115-171 us
** on one thread and 114 on sixteen on the lent 16-core Xeon, where NumPy's
** (0.3.34) took 31 on its threads.
**
** B is copied once into rows of NB values, zero-padded (its K rows stay in
** the L1/L2 cache), and each group of rows of A is multiplied against it
** with every output in a vector register: for float64 four rows of two
** 8-wide vectors (eight independent sums, enough to keep two FMA units
** busy through their latency), for float32 eight rows of one 16-wide
** vector. The loops are built for AVX-512, AVX2 and the baseline
** (target_clones), the best chosen at load time. Each output sums its K
** products in order, with fused multiply-adds where the machine has them,
** as BLAS kernels do. Groups of rows go over the thread pool when the
** product is large enough.
*/
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "cpu_internal.h"
#include "cpu_pool.h"
#include "lu_hostmem.h"

#define NB 16                          /* columns of the packed B */
#define NARROW_MAX_K 65536             /* the packed B: at most 8 MB */
/* One column (or one row) is BLAS's gemv (cpu_matmul.c gemvs) */
#define NARROW_MIN_N 2
/* Fewer multiply-adds run on one thread; below four threads, fewer than
** PAR_MACS_FEW (on 2 cores digits' products, 1.15 million multiply-adds,
** took 70-100 and 93-147 us on two threads, 81 and 84 on one; a 1000 x
** 1000 by 1000 x 2 float32 product, 2 million, reads memory at one core's
** rate on one). */
#define PAR_MACS ((double)(1 << 18))
#define PAR_MACS_FEW ((double)(1 << 21))
#define TASK_MACS ((int64_t)1 << 16)   /* a task's share, about 10-20 us */

typedef double vd __attribute__((vector_size(64)));
typedef float vf __attribute__((vector_size(64)));

/* the x86-64-v4 and v3 levels include FMA: a product may fuse, as BLAS does */
#define NARROW_CLONES CPU_CLONES_TO("arch=x86-64-v4", "arch=x86-64-v3", "default")

/* Rows [m0, m1) of C (row i at C + i * ldc, N columns) from A (element
** (i, k) at A[i * si + k * sk]) and the packed B (K rows of NB). */
NARROW_CLONES static void rows_f64(const double *A, int64_t si, int64_t sk, const double *Bp,
                                   double *C, int64_t ldc, int64_t m0, int64_t m1, int64_t K,
                                   int N) {
  int64_t i = m0, k;
  double out[NB];
  for (; i + 4 <= m1; i += 4) {
    vd c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0};
    const double *a = A + i * si;
    for (k = 0; k < K; k++) {
      const vd *b = (const vd *)(Bp + k * NB);
      vd b0 = b[0], b1 = b[1];
      double x0 = a[k * sk], x1 = a[si + k * sk], x2 = a[2 * si + k * sk], x3 = a[3 * si + k * sk];
      c00 += x0 * b0; c01 += x0 * b1;
      c10 += x1 * b0; c11 += x1 * b1;
      c20 += x2 * b0; c21 += x2 * b1;
      c30 += x3 * b0; c31 += x3 * b1;
    }
    memcpy(out, &c00, sizeof c00); memcpy(out + 8, &c01, sizeof c01);
    memcpy(C + i * ldc, out, (size_t)N * sizeof(double));
    memcpy(out, &c10, sizeof c10); memcpy(out + 8, &c11, sizeof c11);
    memcpy(C + (i + 1) * ldc, out, (size_t)N * sizeof(double));
    memcpy(out, &c20, sizeof c20); memcpy(out + 8, &c21, sizeof c21);
    memcpy(C + (i + 2) * ldc, out, (size_t)N * sizeof(double));
    memcpy(out, &c30, sizeof c30); memcpy(out + 8, &c31, sizeof c31);
    memcpy(C + (i + 3) * ldc, out, (size_t)N * sizeof(double));
  }
  for (; i < m1; i++) {
    vd c0 = {0}, c1 = {0};
    const double *a = A + i * si;
    for (k = 0; k < K; k++) {
      const vd *b = (const vd *)(Bp + k * NB);
      c0 += a[k * sk] * b[0];
      c1 += a[k * sk] * b[1];
    }
    memcpy(out, &c0, sizeof c0); memcpy(out + 8, &c1, sizeof c1);
    memcpy(C + i * ldc, out, (size_t)N * sizeof(double));
  }
}

NARROW_CLONES static void rows_f32(const float *A, int64_t si, int64_t sk, const float *Bp,
                                   float *C, int64_t ldc, int64_t m0, int64_t m1, int64_t K,
                                   int N) {
  int64_t i = m0, k;
  int r;
  float out[NB];
  for (; i + 8 <= m1; i += 8) {
    vf c[8] = {{0}};
    const float *a = A + i * si;
    for (k = 0; k < K; k++) {
      vf b = *(const vf *)(Bp + k * NB);
      c[0] += a[k * sk] * b;
      c[1] += a[si + k * sk] * b;
      c[2] += a[2 * si + k * sk] * b;
      c[3] += a[3 * si + k * sk] * b;
      c[4] += a[4 * si + k * sk] * b;
      c[5] += a[5 * si + k * sk] * b;
      c[6] += a[6 * si + k * sk] * b;
      c[7] += a[7 * si + k * sk] * b;
    }
    for (r = 0; r < 8; r++) {
      memcpy(out, &c[r], sizeof c[r]);
      memcpy(C + (i + r) * ldc, out, (size_t)N * sizeof(float));
    }
  }
  for (; i < m1; i++) {
    vf c0 = {0};
    const float *a = A + i * si;
    for (k = 0; k < K; k++) c0 += a[k * sk] * *(const vf *)(Bp + k * NB);
    memcpy(out, &c0, sizeof c0);
    memcpy(C + i * ldc, out, (size_t)N * sizeof(float));
  }
}

/* B (K x N; element (k, j) at B[k * sk + j * sj]) into K rows of NB,
** zero-padded: Bp must hold K * NB elements, 64-byte aligned. */
static void pack(const lu_matmul_call *c, const char *B, void *Bp) {
  int64_t K = c->K, N = c->N, k, j;
  int64_t sk = c->trans_b ? 1 : c->ldb, sj = c->trans_b ? c->ldb : 1;
  if (c->dt == LU_FLOAT64) {
    const double *b = (const double *)B;
    double *p = Bp;
    for (k = 0; k < K; k++, p += NB) {
      for (j = 0; j < N; j++) p[j] = b[k * sk + j * sj];
      for (; j < NB; j++) p[j] = 0;
    }
  } else {
    const float *b = (const float *)B;
    float *p = Bp;
    for (k = 0; k < K; k++, p += NB) {
      for (j = 0; j < N; j++) p[j] = b[k * sk + j * sj];
      for (; j < NB; j++) p[j] = 0;
    }
  }
}

typedef struct narrow_job {
  const lu_matmul_call *c;
  int sz;
  void *shared;                 /* the packed B of every entry, or NULL: each packs its own */
  int64_t rows, per;            /* rows per task, tasks per batch entry */
  atomic_int oom;               /* a task could not have its copy of B */
} narrow_job;

static void rows(const narrow_job *j, int64_t b, const void *Bp, int64_t m0, int64_t m1) {
  const lu_matmul_call *c = j->c;
  const char *A = c->a_ptr + b * c->bstride_a * j->sz;
  char *C = c->c_ptr + b * c->bstride_c * j->sz;
  int64_t si = c->trans_a ? 1 : c->lda, sk = c->trans_a ? c->lda : 1;
  if (c->dt == LU_FLOAT64)
    rows_f64((const double *)A, si, sk, Bp, (double *)C, c->ldc, m0, m1, c->K, (int)c->N);
  else
    rows_f32((const float *)A, si, sk, Bp, (float *)C, c->ldc, m0, m1, c->K, (int)c->N);
}

/* room for the packed B (through the allocation-failure seam) */
static void *pack_alloc(const lu_matmul_call *c, int sz) {
  return lu_fail_alloc(LU_FAIL_HOST) ? NULL : aligned_alloc(64, (size_t)c->K * NB * (size_t)sz);
}

static void task(void *arg, int64_t t) {
  narrow_job *j = arg;
  const lu_matmul_call *c = j->c;
  int64_t b = t / j->per, m0 = t % j->per * j->rows;
  int64_t m1 = m0 + j->rows < c->M ? m0 + j->rows : c->M;
  if (j->shared != NULL) {
    rows(j, b, j->shared, m0, m1);
    return;
  }
  void *Bp = pack_alloc(c, j->sz);   /* one task per entry: all its rows */
  if (Bp == NULL) {
    atomic_store(&j->oom, 1);
    return;
  }
  pack(c, c->b_ptr + b * c->bstride_b * j->sz, Bp);
  rows(j, b, Bp, 0, c->M);
  free(Bp);
}

static int parallel(double macs) {
  int P = lu_cpu_pool_threads();
  return P >= 2 && macs >= (P < 4 ? PAR_MACS_FEW : PAR_MACS);
}

int lu_cpu_mm_narrow(lu_ctx *ctx, const lu_matmul_call *c, int sz, int *st) {
  narrow_job j;
  int64_t ntask;
  double macs;
  if ((c->dt != LU_FLOAT32 && c->dt != LU_FLOAT64) || c->N > NB || c->N < NARROW_MIN_N ||
      c->K < 1 || c->K > NARROW_MAX_K || c->M < 2)
    return 0;
  *st = LU_OK;
  macs = (double)c->batch * (double)c->M * (double)c->N * (double)c->K;
  j.c = c; j.sz = sz; j.shared = NULL;
  atomic_init(&j.oom, 0);
  if (c->batch == 1 || c->bstride_b == 0) {
    j.shared = pack_alloc(c, sz);
    if (j.shared == NULL) {
      *st = lu_seterr(ctx, LU_EMEM, "matmul: out of memory for a copy of B (%lld x %d)",
                      (long long)c->K, NB);
      return 1;
    }
    pack(c, c->b_ptr, j.shared);
    /* tasks of whole groups of rows (a multiple of 8), about TASK_MACS each */
    j.rows = TASK_MACS / (c->K * NB);
    j.rows = j.rows < 8 ? 8 : (j.rows + 7) / 8 * 8;
    if (!parallel(macs)) j.rows = c->M;
    j.per = (c->M + j.rows - 1) / j.rows;
  } else {
    j.rows = c->M;
    j.per = 1;
  }
  ntask = c->batch * j.per;
  if (ntask < 2 || !parallel(macs)) {
    for (int64_t t = 0; t < ntask; t++) task(&j, t);
  } else {
    lu_cpu_parallel(ntask, task, &j);
  }
  free(j.shared);
  if (atomic_load(&j.oom))
    *st = lu_seterr(ctx, LU_EMEM, "matmul: out of memory for a copy of B (%lld x %d)",
                    (long long)c->K, NB);
  return 1;
}
