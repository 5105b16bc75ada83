/* SPDX-License-Identifier: MIT */
/*
** The index family on the CPU: boolean-mask select and scatter.
*/
#include <string.h>
#include <stdlib.h>
#include <omp.h>
#include "cpu_internal.h"

/* {===== mask select / scatter
** Two passes when large: count the true entries per thread's block, then
** each thread copies its block starting at the prefix sum of the counts. */
#define MAXT 256

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
static void compact(int sz, char *arr, const uint8_t *m, int64_t n, char *seq, int scatter) {
  int64_t start[MAXT + 1];
  int nth = omp_get_max_threads();
  if (nth > MAXT) nth = MAXT;
  if (n < CPU_PAR_MIN || nth < 2) {
    int64_t j = 0;
    for (int64_t i = 0; i < n; i++)
      if (m[i]) {
        if (scatter) copy_el(arr + i * sz, seq + j * sz, sz);
        else copy_el(seq + j * sz, arr + i * sz, sz);
        j++;
      }
    return;
  }
  #pragma omp parallel num_threads(nth)
  {
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
    int64_t lo = n * t / nt, hi = n * (t + 1) / nt;
    start[t + 1] = count_true(m, lo, hi);
    #pragma omp barrier
    #pragma omp single
    {
      start[0] = 0;
      for (int u = 1; u <= nt; u++) start[u] += start[u - 1];
    }
    int64_t j = start[t];
    for (int64_t i = lo; i < hi; i++)
      if (m[i]) {
        if (scatter) copy_el(arr + i * sz, seq + j * sz, sz);
        else copy_el(seq + j * sz, arr + i * sz, sz);
        j++;
      }
  }
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
