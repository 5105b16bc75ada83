/* SPDX-License-Identifier: MIT */
/*
** The index family on the CPU: boolean-mask select and scatter.
*/
#include <string.h>
#include <stdlib.h>
#include "cpu_internal.h"
#include "cpu_pool.h"

/* {===== mask select / scatter
** Two passes over the pool's threads when large: count the true entries
** of each block, then copy each block starting at the prefix sum of the
** counts. Blocks of at least MIN_BLOCK elements, at most MAXB of them. */
#define MAXB 1024
#define MIN_BLOCK ((int64_t)1 << 16)

static void copy_el(char *dst, const char *src, int sz) {
  switch (sz) {
  case 1: *dst = *src; break;
  case 2: memcpy(dst, src, 2); break;
  case 4: memcpy(dst, src, 4); break;
  case 8: memcpy(dst, src, 8); break;
  default: memcpy(dst, src, (size_t)sz);
  }
}

static int64_t count_true(const uint8_t *m, int64_t lo, int64_t hi) {
  int64_t k = 0;
  _Pragma("omp simd reduction(+:k)")
  for (int64_t i = lo; i < hi; i++) k += m[i] != 0;
  return k;
}

/* scatter == 0: out[j++] = in[i]; scatter == 1: arr[i] = vals[j++] */
static void compact_range(int sz, char *arr, const uint8_t *m, int64_t lo, int64_t hi,
                          char *seq, int64_t j, int scatter) {
  for (int64_t i = lo; i < hi; i++)
    if (m[i]) {
      if (scatter) copy_el(arr + i * sz, seq + j * sz, sz);
      else copy_el(seq + j * sz, arr + i * sz, sz);
      j++;
    }
}

typedef struct cjob {
  int sz, scatter;
  char *arr, *seq;
  const uint8_t *m;
  int64_t n, nblk;
  int64_t start[MAXB + 1];      /* counts, then their prefix sums */
} cjob;

static int64_t blk_lo(const cjob *j, int64_t b) { return j->n * b / j->nblk; }

static void count_block(void *arg, int64_t b) {
  cjob *j = arg;
  j->start[b + 1] = count_true(j->m, blk_lo(j, b), blk_lo(j, b + 1));
}

static void copy_block(void *arg, int64_t b) {
  const cjob *j = arg;
  compact_range(j->sz, j->arr, j->m, blk_lo(j, b), blk_lo(j, b + 1), j->seq, j->start[b],
                j->scatter);
}

static void compact(int sz, char *arr, const uint8_t *m, int64_t n, char *seq, int scatter) {
  cjob j;
  int64_t nblk = n / MIN_BLOCK;
  if (nblk > MAXB) nblk = MAXB;
  if (n < CPU_PAR_MIN || nblk < 2 || lu_cpu_pool_threads() < 2) {
    compact_range(sz, arr, m, 0, n, seq, 0, scatter);
    return;
  }
  j.sz = sz; j.scatter = scatter; j.arr = arr; j.seq = seq; j.m = m; j.n = n; j.nblk = nblk;
  j.start[0] = 0;
  lu_cpu_parallel(nblk, count_block, &j);
  for (int64_t b = 1; b <= nblk; b++) j.start[b] += j.start[b - 1];
  lu_cpu_parallel(nblk, copy_block, &j);
}

int lu_cpu_mask_select(lu_ctx *ctx, lu_device dev, lu_dtype dt, const void *in,
                       const void *mask, int64_t n, void *out) {
  (void)dev;
  if ((unsigned)dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu mask_select: bad dtype %d", (int)dt);
  compact(lu_cpu_dsize[dt], (char *)in, mask, n, out, 0);
  return LU_OK;
}

int lu_cpu_mask_scatter(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr,
                        const void *mask, int64_t n, const void *vals) {
  (void)dev;
  if ((unsigned)dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu mask_scatter: bad dtype %d", (int)dt);
  compact(lu_cpu_dsize[dt], arr, mask, n, (char *)vals, 1);
  return LU_OK;
}
/* }===== */

const lu_index_family lu_cpu_index_family = {
  .mask_select = lu_cpu_mask_select,
  .mask_scatter = lu_cpu_mask_scatter,
};
