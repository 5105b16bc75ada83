/* SPDX-License-Identifier: MIT */
/*
** Generators and compaction on the CPU: iota (arange/linspace), counter-based
** random numbers (Philox4x32-10), and boolean-mask select/scatter.
*/
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <omp.h>
#include "cpu_internal.h"

/* {===== iota: computed in double, converted with the cast matrix */
int lu_cpu_iota(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                double start, double step) {
  int sz;
  (void)dev;
  if ((unsigned)dt >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "cpu iota: bad dtype %d", (int)dt);
  sz = lu_cpu_dsize[dt];
  int64_t nch = (n + CPU_CHUNK - 1) / CPU_CHUNK;
  #pragma omp parallel for schedule(static) if (n >= CPU_PAR_MIN)
  for (int64_t b = 0; b < nch; b++) {
    double v[CPU_CHUNK];
    int64_t i0 = b * CPU_CHUNK, m = n - i0 < CPU_CHUNK ? n - i0 : CPU_CHUNK;
    for (int64_t i = 0; i < m; i++) v[i] = start + (double)(i0 + i) * step;
    lu_cpu_cast(LU_FLOAT64, (const char *)v, 8, dt, (char *)out + i0 * sz, sz, m);
  }
  return LU_OK;
}
/* }===== */

/* {===== Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
** 1, 2, 3", SC 2011): a 128-bit counter and a 64-bit key, ten rounds of two
** 32x32->64 multiplications, the key bumped by Weyl constants each round. */
#define PH_M0 0xD2511F53u
#define PH_M1 0xCD9E8D57u
#define PH_W0 0x9E3779B9u
#define PH_W1 0xBB67AE85u

void lu_cpu_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3], k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; r++) {
    uint64_t p0 = (uint64_t)PH_M0 * c0, p1 = (uint64_t)PH_M1 * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1; c3 = (uint32_t)p0; c0 = n0; c2 = n2;
    k0 += PH_W0; k1 += PH_W1;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/* the block for a 64-bit counter (high words 0) and a 64-bit key */
static void philox64(uint64_t ctr, uint64_t key, uint32_t out[4]) {
  const uint32_t c[4] = { (uint32_t)ctr, (uint32_t)(ctr >> 32), 0, 0 };
  const uint32_t k[2] = { (uint32_t)key, (uint32_t)(key >> 32) };
  lu_cpu_philox4x32(c, k, out);
}

/* uniform in [0, 1) from 53 bits, and in (0, 1) for the logarithm */
static double u53(uint32_t hi, uint32_t lo) {
  return (double)((((uint64_t)hi << 32) | lo) >> 11) * 0x1.0p-53;
}
static double u53_open(uint32_t hi, uint32_t lo) {
  return ((double)((((uint64_t)hi << 32) | lo) >> 11) + 0.5) * 0x1.0p-53;
}

/* Element i is a function of (seed, offset + i) alone, so any split over
** threads (or devices) gives the same stream. Normal: Box-Muller on the two
** uniforms of element i's block (cosine branch). */
int lu_cpu_random(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *out, int64_t n,
                  lu_randdist dist, uint64_t seed, uint64_t offset) {
  (void)dev;
  if (dt != LU_FLOAT32 && dt != LU_FLOAT64)
    return lu_seterr(ctx, LU_ETYPE, "cpu random: dtype must be float32 or float64 (got %d)", (int)dt);
  if (dist != LU_RAND_UNIFORM && dist != LU_RAND_NORMAL)
    return lu_seterr(ctx, LU_EARG, "cpu random: bad distribution %d", (int)dist);
  const double two_pi = 6.283185307179586476925286766559;
  #pragma omp parallel for schedule(static, 4096) if (n >= CPU_PAR_MIN)
  for (int64_t i = 0; i < n; i++) {
    uint32_t r[4];
    double v;
    philox64(offset + (uint64_t)i, seed, r);
    if (dist == LU_RAND_UNIFORM) {
      if (dt == LU_FLOAT32) { ((float *)out)[i] = (float)(r[0] >> 8) * 0x1.0p-24f; continue; }
      v = u53(r[0], r[1]);
    } else {
      v = sqrt(-2.0 * log(u53_open(r[0], r[1]))) * cos(two_pi * u53(r[2], r[3]));
    }
    if (dt == LU_FLOAT32) ((float *)out)[i] = (float)v;
    else ((double *)out)[i] = v;
  }
  return LU_OK;
}
/* }===== */

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
