/* SPDX-License-Identifier: MIT */
/*
** The index family on CUDA: host glue for kernels/select.cu (mask select
** and scatter) and kernels/index.cu (gather, scatter, accumulation,
** nonzero, mask fill), and the device's error record.
**
** An index kernel never faults on a bad position: it records the first
** one in a small record and skips the element. The record lives in
** page-locked host memory mapped into the device's address space, so the
** host reads it after any wait for the stream at no cost; where mapped
** memory cannot be had it lives on the device and is copied back, only
** after an index kernel has run. synchronize and download (device.c) call
** lu_cuda_index_check, which turns a record into the error "index V is out
** of bounds for axis AX with size N" and clears it: the results of that
** call are garbage, but the context goes on working.
*/
#include <stdint.h>
#include <string.h>
#include "cuda_internal.h"

/* {====================================================== error record */
static int errbuf(lu_ctx *ctx, lu_cuda_dev *d, lu_k_ixerr **dev_ptr) {
  if (d->d_ixerr == NULL) {
    void *h = NULL, *dp = NULL;
    cudaError_t e = cudaHostAlloc(&h, sizeof(lu_k_ixerr), cudaHostAllocMapped | cudaHostAllocPortable);
    if (e == cudaSuccess) e = cudaHostGetDevicePointer(&dp, h, 0);
    if (e == cudaSuccess) {
      memset(h, 0, sizeof(lu_k_ixerr));
      d->h_ixerr = (lu_k_ixerr *)h;
      d->d_ixerr = (lu_k_ixerr *)dp;
      d->ixerr_mapped = 1;
    } else {
      cudaGetLastError();
      if (h) cudaFreeHost(h);
      CU_CHECK(ctx, lu_cuda_malloc(d, sizeof(lu_k_ixerr), &dp));
      CU_CHECK(ctx, cudaMemsetAsync(dp, 0, sizeof(lu_k_ixerr), d->stream));
      d->d_ixerr = (lu_k_ixerr *)dp;
      d->ixerr_mapped = 0;
    }
  }
  d->ixpending = 1;
  *dev_ptr = d->d_ixerr;
  return LU_OK;
}

int lu_cuda_index_check(lu_ctx *ctx, lu_cuda_dev *d) {
  lu_k_ixerr r;
  const char *name;
  if (d == NULL || !d->ixpending || d->d_ixerr == NULL) return LU_OK;
  d->ixpending = 0;
  if (d->ixerr_mapped) {
    volatile lu_k_ixerr *h = d->h_ixerr;
    if (h->flag == 0) return LU_OK;
    r.axis = h->axis; r.index = h->index; r.size = h->size; r.name = h->name;
    h->flag = 0;
  } else {
    CU_CHECK(ctx, cudaMemcpy(&r, d->d_ixerr, sizeof r, cudaMemcpyDeviceToHost));
    if (r.flag == 0) return LU_OK;
    CU_CHECK(ctx, cudaMemset(d->d_ixerr, 0, sizeof r));
  }
  name = (const char *)(uintptr_t)r.name;
  if (name == NULL) name = "";
  if (r.axis > 0)
    return lu_seterr(ctx, LU_EINDEX, "%s%sindex %lld is out of bounds for axis %d with size %lld",
                     name, *name ? ": " : "", r.index, r.axis, r.size);
  return lu_seterr(ctx, LU_EINDEX, "%s%sindex %lld is out of bounds for size %lld", name,
                   *name ? ": " : "", r.index, r.size);
}

void lu_cuda_index_release(lu_cuda_dev *d) {
  if (d->d_ixerr == NULL) return;
  if (d->ixerr_mapped) cudaFreeHost(d->h_ixerr);
  else lu_cuda_mfree(d, d->d_ixerr);
  d->h_ixerr = d->d_ixerr = NULL;
  cudaGetLastError();
}
/* }====================================================== */

/* {====================================================== entries */
static int mask_select(lu_ctx *ctx, lu_device dev, lu_dtype dt, const void *in,
                       const void *mask, int64_t n, void *out) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = lu_cuda_device(ctx, dev.index, &d);
  if (rc != LU_OK || n <= 0) return rc;
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_mask_select(dt, in, mask, n, out, &env));
  return LU_OK;
}

static int mask_scatter(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr,
                        const void *mask, int64_t n, const void *vals) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = lu_cuda_device(ctx, dev.index, &d);
  if (rc != LU_OK || n <= 0) return rc;
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_mask_scatter(dt, arr, mask, n, vals, &env));
  return LU_OK;
}

static int gather(lu_ctx *ctx, const lu_gather_call *c) {
  lu_cuda_dev *d;
  lu_k_ixerr *err;
  lu_k_env env;
  int rc = lu_cuda_device(ctx, c->dev.index, &d);
  if (rc != LU_OK || c->n <= 0) return rc;
  if ((rc = errbuf(ctx, d, &err)) != LU_OK) return rc;
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_gather(c, err, &env));
  return LU_OK;
}

static int scatter(lu_ctx *ctx, const lu_gather_call *c) {
  lu_cuda_dev *d;
  lu_k_ixerr *err;
  lu_k_env env;
  int rc;
  if (c->op != LU_SC_ASSIGN && !lu_k_accum_supported(c->dt))
    return lu_seterr(ctx, LU_ETYPE, "%s: accumulation is not available for this dtype on cuda",
                     c->name && *c->name ? c->name : "index");
  rc = lu_cuda_device(ctx, c->dev.index, &d);
  if (rc != LU_OK || c->n <= 0) return rc;
  if ((rc = errbuf(ctx, d, &err)) != LU_OK) return rc;
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_scatter(c, err, &env));
  return LU_OK;
}

static int nonzero(lu_ctx *ctx, lu_device dev, const void *mask, int64_t n, int ndim,
                   const int64_t *shape, int64_t count, int64_t *out, int base) {
  lu_cuda_dev *d;
  lu_k_env env;
  int rc = lu_cuda_device(ctx, dev.index, &d);
  if (rc != LU_OK || n <= 0 || count <= 0) return rc;
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_nonzero(mask, n, ndim, shape, count, out, base, &env));
  return LU_OK;
}

static int mask_fill(lu_ctx *ctx, lu_device dev, lu_dtype dt, void *arr, const void *mask,
                     int64_t n, lu_value v) {
  lu_cuda_dev *d;
  lu_k_env env;
  unsigned char h[16];
  int rc = lu_cuda_device(ctx, dev.index, &d);
  if (rc != LU_OK || n <= 0) return rc;
  memset(h, 0, sizeof h);
  lu_value_store(h, dt, v);
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_mask_fill(dt, arr, mask, n, h, &env));
  return LU_OK;
}
/* }====================================================== */

const lu_index_family lu_cuda_index_family = {
  mask_select,
  mask_scatter,
  gather,
  scatter,
  nonzero,
  mask_fill,
};
