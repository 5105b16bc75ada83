/* SPDX-License-Identifier: MIT */
/*
** The sort family on CUDA: each entry finds the device, hands the call to
** its launcher in kernels/ (sort.cu, scan.cu, search.cu, hist.cu; CUB
** inside) with the stream and the scratch allocator, and checks the
** launch. All is enqueued on the device's stream; only `runs` waits, for
** the number of runs that the core needs on the host.
*/
#include <string.h>
#include "cuda_internal.h"

/* The device's state and the lu_k_env its launchers get. */
static int device_of(lu_ctx *ctx, lu_device dev, lu_cuda_dev **d, lu_k_env *env) {
  int rc = lu_cuda_device(ctx, dev.index, d);
  if (rc == LU_OK) lu_cuda_env(*d, env);
  return rc;
}

/* Radix sorts of one row of 2^22 or more 4- or 8-byte integers sort only
** the bits [*lo, *hi) where the keys differ (the AND and the OR of the
** keys, one pass and a wait for the stream): the bits outside are the same
** in every key, so the order is the full sort's, and CUB's onesweep runs a
** pass for every 8 bits fewer (10^8 int32 labels under 2^20: 3 passes of
** 4). *hi 0: every bit (fewer keys, other dtypes, or a graph capture,
** during which nothing can wait). */
#define KEYBITS_MIN ((int64_t)1 << 22)
static int key_bits(lu_ctx *ctx, lu_cuda_dev *d, const lu_k_env *env, const lu_sort_call *c,
                    int *lo, int *hi) {
  size_t w = lu_dtype_size(c->dt);
  unsigned char h[16];
  uint64_t a = 0, o = 0;
  void *r = NULL;
  int rc;
  char k = lu_dtype_kind(c->dt);
  *lo = *hi = 0;
  if (c->nrow != 1 || c->len < KEYBITS_MIN || (k != 'i' && k != 'u') || (w != 4 && w != 8) ||
      d->capture != NULL)
    return LU_OK;
  CU_CHECK(ctx, lu_cuda_malloc(d, 2 * w, &r));
  rc = (int)cudaMemsetAsync(r, 0xff, w, d->stream);
  if (rc == 0) rc = (int)cudaMemsetAsync((char *)r + w, 0, w, d->stream);
  if (rc == 0) rc = lu_k_andor(c->in, c->len, (int)w, r, env);
  if (rc == 0) rc = (int)cudaGetLastError();
  if (rc == 0) rc = (int)cudaMemcpyAsync(h, r, 2 * w, cudaMemcpyDeviceToHost, d->stream);
  if (rc == 0) rc = (int)cudaStreamSynchronize(d->stream);
  lu_cuda_mfree(d, r);
  if (rc != 0) return lu_cuda_fail(ctx, (cudaError_t)rc, "lu_k_andor", __FILE__, __LINE__);
  memcpy(&a, h, w);        /* little-endian: the low bytes of a uint64_t */
  memcpy(&o, h + w, w);
  if ((a ^ o) == 0) { *lo = 0; *hi = 1; return LU_OK; }   /* all keys equal: one pass */
  *lo = __builtin_ctzll(a ^ o);
  *hi = 64 - __builtin_clzll(a ^ o);
  return LU_OK;
}

static int cuda_sort(lu_ctx *ctx, const lu_sort_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  int lo, hi;
  int rc = device_of(ctx, c->dev, &d, &env);
  if (rc != LU_OK) return rc;
  if (c->idx && c->len > INT32_MAX)
    return lu_seterr(ctx, LU_EARG, "argsort: rows of 2^31 or more elements are not supported on CUDA");
  if ((rc = key_bits(ctx, d, &env, c, &lo, &hi)) != LU_OK) return rc;
  LAUNCH_CHECK(ctx, lu_k_sort(c, lo, hi, &env));
  return LU_OK;
}

static int cuda_scan(lu_ctx *ctx, const lu_scan_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = device_of(ctx, c->dev, &d, &env);
  if (rc != LU_OK) return rc;
  LAUNCH_CHECK(ctx, lu_k_scan(c, &env));
  return LU_OK;
}

static int cuda_search(lu_ctx *ctx, const lu_search_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = device_of(ctx, c->dev, &d, &env);
  if (rc != LU_OK) return rc;
  LAUNCH_CHECK(ctx, lu_k_search(c, &env));
  return LU_OK;
}

static int cuda_gather(lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow, const void *in,
                       int64_t in_rs, const int64_t *idx, int64_t idx_rs, int64_t nidx,
                       int64_t base, void *out) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = device_of(ctx, dev, &d, &env);
  if (rc != LU_OK) return rc;
  LAUNCH_CHECK(ctx, lu_k_sortgather(elsize, nrow, in, in_rs, idx, idx_rs, nidx, base, out, &env));
  return LU_OK;
}

static int cuda_scatter(lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow, const void *in,
                        const int64_t *idx, int64_t nidx, int64_t base, void *out,
                        int64_t out_rs) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = device_of(ctx, dev, &d, &env);
  if (rc != LU_OK) return rc;
  LAUNCH_CHECK(ctx, lu_k_sortscatter(elsize, nrow, in, idx, nidx, base, out, out_rs, &env));
  return LU_OK;
}

/* The count of runs comes back to the host: one small download. */
static int cuda_runs(lu_ctx *ctx, const lu_runs_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  void *dn = NULL;
  int64_t h = 0;
  int rc = device_of(ctx, c->dev, &d, &env);
  if (rc != LU_OK) return rc;
  if (c->n <= 0) {   /* the core calls only with keys; no launch for none */
    *c->nruns = 0;
    return LU_OK;
  }
  CU_CHECK(ctx, lu_cuda_malloc(d, sizeof(int64_t), &dn));
  rc = lu_k_runs(c, (int64_t *)dn, &env);
  if (rc == 0) rc = (int)cudaGetLastError();
  if (rc == 0) rc = (int)cudaMemcpyAsync(&h, dn, sizeof h, cudaMemcpyDeviceToHost, d->stream);
  if (rc == 0) rc = (int)cudaStreamSynchronize(d->stream);
  lu_cuda_mfree(d, dn);
  if (rc != 0) return lu_cuda_fail(ctx, (cudaError_t)rc, "lu_k_runs", __FILE__, __LINE__);
  *c->nruns = h;
  return LU_OK;
}

/* The counting kernels (hist.cu) add into the bins: they start at zero,
** set here on the stream before the launch, so that kernels/ calls nothing
** but the launch. */
static cudaError_t zero_bins(const lu_hist_call *c, lu_cuda_dev *d) {
  if (c->nbins <= 0) return cudaSuccess;
  return cudaMemsetAsync(c->out, 0, (size_t)c->nbins * lu_dtype_size(c->out_dt), d->stream);
}

static int cuda_bincount(lu_ctx *ctx, const lu_hist_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = device_of(ctx, c->dev, &d, &env);
  if (rc != LU_OK) return rc;
  CU_CHECK(ctx, zero_bins(c, d));
  LAUNCH_CHECK(ctx, lu_k_bincount(c, &env));
  return LU_OK;
}

static int cuda_histogram(lu_ctx *ctx, const lu_hist_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = device_of(ctx, c->dev, &d, &env);
  if (rc != LU_OK) return rc;
  CU_CHECK(ctx, zero_bins(c, d));
  LAUNCH_CHECK(ctx, lu_k_histogram(c, &env));
  return LU_OK;
}

static int cuda_quantile(lu_ctx *ctx, const lu_quantile_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = device_of(ctx, c->dev, &d, &env);
  if (rc != LU_OK) return rc;
  if (c->len > INT32_MAX && c->nrow > 1)
    return lu_seterr(ctx, LU_EARG, "quantile: rows of 2^31 or more elements are not supported on CUDA");
  if (c->nrow <= 0 || c->len <= 0 || c->nq <= 0) return LU_OK;
  {
    /* the kernel reads the quantiles from device memory: copied here, so
    ** that kernels/ makes no runtime call but the launch */
    lu_quantile_call k = *c;
    void *qd = NULL;
    size_t qbytes = sizeof(double) * (size_t)c->nq;
    cudaError_t e = lu_cuda_malloc(d, qbytes, &qd);
    if (e != cudaSuccess)
      return lu_seterr(ctx, LU_EMEM, "quantile: out of device memory for %d quantiles", c->nq);
    e = cudaMemcpyAsync(qd, c->q, qbytes, cudaMemcpyHostToDevice, d->stream);
    if (e == cudaSuccess) {
      k.q = (const double *)qd;
      e = (cudaError_t)lu_k_quantile(&k, &env);
    }
    lu_cuda_mfree(d, qd);   /* stream-ordered: freed after the kernel ran */
    if (e != cudaSuccess) LAUNCH_CHECK(ctx, (int)e);
  }
  return LU_OK;
}

const lu_sort_family lu_cuda_sort_family = {
  .sort = cuda_sort,
  .scan = cuda_scan,
  .search = cuda_search,
  .gather = cuda_gather,
  .scatter = cuda_scatter,
  .runs = cuda_runs,
  .bincount = cuda_bincount,
  .histogram = cuda_histogram,
  .quantile = cuda_quantile,
};
