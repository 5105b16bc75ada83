/* SPDX-License-Identifier: MIT */
/*
** The CUDA backend: devices, per-device state (stream, memory pool, cuBLAS
** and cuRAND handles, pinned staging), memory, transfers, synchronisation,
** events, and the backend table. Elementwise launches are in ewise.c and
** kcache.c, the library-backed ops in ops.c.
**
** Starting without a GPU or without a driver must stay silent: device_count
** returns 0 and nothing else is ever called.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cuda_internal.h"

/* {====================================================== errors */
static const char *base(const char *file) {
  const char *s = strrchr(file, '/');
  return s ? s + 1 : file;
}

int lu_cuda_fail(lu_ctx *ctx, cudaError_t e, const char *call, const char *file, int line) {
  cudaGetLastError();   /* clear it, so that a later check does not see it again */
  if (e == cudaErrorMemoryAllocation)
    return lu_seterr(ctx, LU_EMEM, "cuda: out of memory");
  return lu_seterr(ctx, LU_EBACKEND, "cuda: %s failed: %s: %s (%s:%d)", call,
                   cudaGetErrorName(e), cudaGetErrorString(e), base(file), line);
}

int lu_cuda_fail_blas(lu_ctx *ctx, cublasStatus_t e, const char *call, const char *file, int line) {
  cudaGetLastError();
  if (e == CUBLAS_STATUS_ALLOC_FAILED)
    return lu_seterr(ctx, LU_EMEM, "cuda: out of memory (cuBLAS workspace)");
  return lu_seterr(ctx, LU_EBACKEND, "cuda: %s failed: %s (%s:%d)", call,
                   cublasGetStatusString(e), base(file), line);
}

static const char *rand_str(curandStatus_t e) {
  switch (e) {
    case CURAND_STATUS_VERSION_MISMATCH: return "CURAND_STATUS_VERSION_MISMATCH";
    case CURAND_STATUS_NOT_INITIALIZED: return "CURAND_STATUS_NOT_INITIALIZED";
    case CURAND_STATUS_ALLOCATION_FAILED: return "CURAND_STATUS_ALLOCATION_FAILED";
    case CURAND_STATUS_TYPE_ERROR: return "CURAND_STATUS_TYPE_ERROR";
    case CURAND_STATUS_OUT_OF_RANGE: return "CURAND_STATUS_OUT_OF_RANGE";
    case CURAND_STATUS_LENGTH_NOT_MULTIPLE: return "CURAND_STATUS_LENGTH_NOT_MULTIPLE";
    case CURAND_STATUS_DOUBLE_PRECISION_REQUIRED: return "CURAND_STATUS_DOUBLE_PRECISION_REQUIRED";
    case CURAND_STATUS_LAUNCH_FAILURE: return "CURAND_STATUS_LAUNCH_FAILURE";
    case CURAND_STATUS_PREEXISTING_FAILURE: return "CURAND_STATUS_PREEXISTING_FAILURE";
    case CURAND_STATUS_INITIALIZATION_FAILED: return "CURAND_STATUS_INITIALIZATION_FAILED";
    case CURAND_STATUS_ARCH_MISMATCH: return "CURAND_STATUS_ARCH_MISMATCH";
    case CURAND_STATUS_INTERNAL_ERROR: return "CURAND_STATUS_INTERNAL_ERROR";
    default: return "unknown cuRAND status";
  }
}

int lu_cuda_fail_rand(lu_ctx *ctx, curandStatus_t e, const char *call, const char *file, int line) {
  cudaGetLastError();
  if (e == CURAND_STATUS_ALLOCATION_FAILED)
    return lu_seterr(ctx, LU_EMEM, "cuda: out of memory (cuRAND)");
  return lu_seterr(ctx, LU_EBACKEND, "cuda: %s failed: %s (%s:%d)", call, rand_str(e),
                   base(file), line);
}

int lu_cuda_fail_nvrtc(lu_ctx *ctx, nvrtcResult e, const char *call, const char *file, int line) {
  return lu_seterr(ctx, LU_EBACKEND, "cuda: %s failed: %s (%s:%d)", call,
                   nvrtcGetErrorString(e), base(file), line);
}
/* }====================================================== */

/* {====================================================== devices */
static lu_cuda_state *state(lu_ctx *ctx) {
  lu_cuda_state *st = (lu_cuda_state *)ctx->bstate[LU_DEV_CUDA];
  if (st == NULL) {
    st = (lu_cuda_state *)calloc(1, sizeof *st);
    ctx->bstate[LU_DEV_CUDA] = st;
  }
  return st;
}

/* No driver, no GPU, a driver too old: all mean "no device", quietly. */
static int device_count(lu_ctx *ctx) {
  lu_cuda_state *st = state(ctx);
  if (st == NULL) return 0;
  if (!st->probed) {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) n = 0;
    cudaGetLastError();
    st->ndev = n > LU_MAXDEV ? LU_MAXDEV : n;
    st->probed = 1;
  }
  return st->ndev;
}

static int dev_init(lu_ctx *ctx, lu_cuda_dev *d) {
  int k, pools = 0;
  uint64_t threshold = UINT64_MAX;
  CU_CHECK(ctx, cudaSetDevice(d->index));
  CU_CHECK(ctx, cudaDeviceGetAttribute(&d->cc_major, cudaDevAttrComputeCapabilityMajor, d->index));
  CU_CHECK(ctx, cudaDeviceGetAttribute(&d->cc_minor, cudaDevAttrComputeCapabilityMinor, d->index));
  CU_CHECK(ctx, cudaDeviceGetAttribute(&d->sm_count, cudaDevAttrMultiProcessorCount, d->index));
  CU_CHECK(ctx, cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, d->index));
  CU_CHECK(ctx, cudaStreamCreateWithFlags(&d->stream, cudaStreamNonBlocking));
  if (pools) {
    CU_CHECK(ctx, cudaDeviceGetDefaultMemPool(&d->pool, d->index));
    CU_CHECK(ctx, cudaMemPoolSetAttribute(d->pool, cudaMemPoolAttrReleaseThreshold, &threshold));
    d->use_pool = 1;
  }
  BLAS_CHECK(ctx, cublasCreate(&d->blas));
  BLAS_CHECK(ctx, cublasSetStream(d->blas, d->stream));
  RAND_CHECK(ctx, curandCreateGenerator(&d->rng, CURAND_RNG_PSEUDO_PHILOX4_32_10));
  RAND_CHECK(ctx, curandSetStream(d->rng, d->stream));
  for (k = 0; k < 2; k++)
    CU_CHECK(ctx, cudaEventCreateWithFlags(&d->stage_ev[k], cudaEventDisableTiming));
  return LU_OK;
}

static void dev_release(lu_cuda_dev *d) {
  int k;
  size_t i;
  cudaSetDevice(d->index);
  if (d->stream) cudaStreamSynchronize(d->stream);
  if (d->rng) curandDestroyGenerator(d->rng);
  if (d->blas) cublasDestroy(d->blas);
  lu_cuda_kcache_free(d);
  for (k = 0; k < LU_CG_NGROUPS; k++) if (d->builtin[k]) cudaLibraryUnload(d->builtin[k]);
  for (i = 0; i < d->nlibs; i++) cudaLibraryUnload(d->libs[i]);
  free(d->libs);
  for (k = 0; k < 2; k++) {
    if (d->h_stage[k]) cudaFreeHost(d->h_stage[k]);
    if (d->stage_ev[k]) cudaEventDestroy(d->stage_ev[k]);
  }
  if (d->stream) cudaStreamDestroy(d->stream);
  if (d->use_pool) cudaMemPoolTrimTo(d->pool, 0);
  cudaGetLastError();
  free(d);
}

int lu_cuda_device(lu_ctx *ctx, int dev, lu_cuda_dev **out) {
  lu_cuda_state *st = state(ctx);
  lu_cuda_dev *d;
  if (st == NULL) return lu_seterr(ctx, LU_EMEM, "cuda: out of host memory");
  if (dev < 0 || dev >= device_count(ctx))
    return lu_seterr(ctx, LU_EDEVICE, "cuda: no device cuda:%d (%d available)", dev, st->ndev);
  d = st->dev[dev];
  if (d == NULL) {
    int rc;
    d = (lu_cuda_dev *)calloc(1, sizeof *d);
    if (d == NULL) return lu_seterr(ctx, LU_EMEM, "cuda: out of host memory");
    d->index = dev;
    if ((rc = dev_init(ctx, d)) != LU_OK) { dev_release(d); return rc; }
    st->dev[dev] = d;
  } else {
    CU_CHECK(ctx, cudaSetDevice(dev));
  }
  *out = d;
  return LU_OK;
}

unsigned lu_cuda_grid(const lu_cuda_dev *d, int64_t n) {
  int64_t blocks = (n + LU_CUDA_BLOCK - 1) / LU_CUDA_BLOCK;
  int64_t cap = (int64_t)d->sm_count * 16;
  if (blocks > cap) blocks = cap;
  return blocks < 1 ? 1u : (unsigned)blocks;
}

static void shutdown(lu_ctx *ctx) {
  lu_cuda_state *st = (lu_cuda_state *)ctx->bstate[LU_DEV_CUDA];
  int i;
  if (st == NULL) return;
  for (i = 0; i < LU_MAXDEV; i++) if (st->dev[i]) dev_release(st->dev[i]);
  free(st);
  ctx->bstate[LU_DEV_CUDA] = NULL;
}
/* }====================================================== */

/* {====================================================== memory */
static cudaError_t pool_alloc_e(lu_cuda_dev *d, size_t n, void **p) {
  cudaError_t e;
  *p = NULL;
  e = d->use_pool ? cudaMallocAsync(p, n ? n : 1, d->stream) : cudaMalloc(p, n ? n : 1);
  if (e != cudaSuccess) { cudaGetLastError(); *p = NULL; }
  return e;
}

static void *pool_alloc(lu_cuda_dev *d, size_t n) {
  void *p;
  return pool_alloc_e(d, n, &p) == cudaSuccess ? p : NULL;
}

static void pool_free(lu_cuda_dev *d, void *p) {
  if (p == NULL) return;
  if (d->use_pool) cudaFreeAsync(p, d->stream);
  else cudaFree(p);
  cudaGetLastError();
}

static int alloc(lu_ctx *ctx, int dev, size_t nbytes, void **p) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  /* out of memory: the core adds the figures, collects and retries */
  CU_CHECK(ctx, pool_alloc_e(d, nbytes, p));
  return LU_OK;
}

static void dfree(lu_ctx *ctx, int dev, void *p) {
  lu_cuda_dev *d;
  if (p == NULL || lu_cuda_device(ctx, dev, &d) != LU_OK) return;
  pool_free(d, p);
}

static void *scratch_alloc(void *ud, size_t n) { return pool_alloc((lu_cuda_dev *)ud, n); }
static void scratch_free(void *ud, void *p) { pool_free((lu_cuda_dev *)ud, p); }

void lu_cuda_scratch(lu_cuda_dev *d, lu_k_scratch *s) {
  s->alloc = scratch_alloc;
  s->free = scratch_free;
  s->ud = d;
}

static int memory_info(lu_ctx *ctx, int dev, size_t *free_b, size_t *total_b) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  CU_CHECK(ctx, cudaMemGetInfo(free_b, total_b));
  /* memory the pool holds but no array uses is free for our purposes */
  if (d->use_pool) {
    uint64_t reserved = 0, used = 0;
    CU_CHECK(ctx, cudaMemPoolGetAttribute(d->pool, cudaMemPoolAttrReservedMemCurrent, &reserved));
    CU_CHECK(ctx, cudaMemPoolGetAttribute(d->pool, cudaMemPoolAttrUsedMemCurrent, &used));
    if (reserved > used) *free_b += (size_t)(reserved - used);
  }
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== transfers */
static int staging(lu_ctx *ctx, lu_cuda_dev *d) {
  int k;
  for (k = 0; k < 2; k++)
    if (d->h_stage[k] == NULL) CU_CHECK(ctx, cudaMallocHost(&d->h_stage[k], LU_CUDA_STAGE_BYTES));
  return LU_OK;
}

/* Chunks go through two pinned buffers in turn: while the copy engine reads
** one, the host fills the other. Returns once the last chunk is in staging,
** so h_src may be reused; the copies themselves stay queued. */
static int upload(lu_ctx *ctx, int dev, void *d_dst, const void *h_src, size_t n) {
  lu_cuda_dev *d;
  size_t done = 0;
  int k = 0, rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK || n == 0) return rc;
  if ((rc = staging(ctx, d)) != LU_OK) return rc;
  while (done < n) {
    size_t c = n - done < LU_CUDA_STAGE_BYTES ? n - done : LU_CUDA_STAGE_BYTES;
    CU_CHECK(ctx, cudaEventSynchronize(d->stage_ev[k]));
    memcpy(d->h_stage[k], (const char *)h_src + done, c);
    CU_CHECK(ctx, cudaMemcpyAsync((char *)d_dst + done, d->h_stage[k], c,
                                  cudaMemcpyHostToDevice, d->stream));
    CU_CHECK(ctx, cudaEventRecord(d->stage_ev[k], d->stream));
    done += c;
    k ^= 1;
  }
  return LU_OK;
}

/* Two chunks in flight: chunk i+2 is queued as soon as chunk i has been
** copied out of its buffer. The event of the first chunk also waits for
** every op queued before, so this is a full wait from the caller's view. */
static int download(lu_ctx *ctx, int dev, void *h_dst, const void *d_src, size_t n) {
  lu_cuda_dev *d;
  size_t nchunks, i, C = LU_CUDA_STAGE_BYTES;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  if (n == 0) { CU_CHECK(ctx, cudaStreamSynchronize(d->stream)); return LU_OK; }
  if ((rc = staging(ctx, d)) != LU_OK) return rc;
  nchunks = (n + C - 1) / C;
  for (i = 0; i < nchunks && i < 2; i++) {
    size_t c = n - i * C < C ? n - i * C : C;
    CU_CHECK(ctx, cudaMemcpyAsync(d->h_stage[i], (const char *)d_src + i * C, c,
                                  cudaMemcpyDeviceToHost, d->stream));
    CU_CHECK(ctx, cudaEventRecord(d->stage_ev[i], d->stream));
  }
  for (i = 0; i < nchunks; i++) {
    int k = (int)(i & 1);
    size_t c = n - i * C < C ? n - i * C : C;
    CU_CHECK(ctx, cudaEventSynchronize(d->stage_ev[k]));
    memcpy((char *)h_dst + i * C, d->h_stage[k], c);
    if (i + 2 < nchunks) {
      size_t c2 = n - (i + 2) * C < C ? n - (i + 2) * C : C;
      CU_CHECK(ctx, cudaMemcpyAsync(d->h_stage[k], (const char *)d_src + (i + 2) * C, c2,
                                    cudaMemcpyDeviceToHost, d->stream));
      CU_CHECK(ctx, cudaEventRecord(d->stage_ev[k], d->stream));
    }
  }
  return LU_OK;
}

/* Waits for the device's stream and reports any asynchronous error (a
** kernel fault surfaces here, or at the next download). */
static int synchronize(lu_ctx *ctx, int dev) {
  lu_cuda_state *st = (lu_cuda_state *)ctx->bstate[LU_DEV_CUDA];
  lu_cuda_dev *d;
  int rc;
  if (st == NULL || dev < 0 || dev >= LU_MAXDEV || st->dev[dev] == NULL) {
    if (dev >= 0 && dev < device_count(ctx)) return LU_OK;   /* nothing queued yet */
  }
  if ((rc = lu_cuda_device(ctx, dev, &d)) != LU_OK) return rc;
  CU_CHECK(ctx, cudaStreamSynchronize(d->stream));
  CU_CHECK(ctx, cudaGetLastError());
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== events */
static int event_create(lu_ctx *ctx, int dev, lu_event **ev) {
  lu_cuda_dev *d;
  lu_event *e;
  cudaError_t ce;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  e = (lu_event *)calloc(1, sizeof *e);
  if (e == NULL) return lu_seterr(ctx, LU_EMEM, "cuda: out of host memory");
  e->dev = dev;
  ce = cudaEventCreate(&e->ev);
  if (ce != cudaSuccess) { free(e); return lu_cuda_fail(ctx, ce, "cudaEventCreate(&e->ev)", __FILE__, __LINE__); }
  *ev = e;
  return LU_OK;
}

static int event_record(lu_ctx *ctx, lu_event *ev) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, ev->dev, &d);
  if (rc != LU_OK) return rc;
  CU_CHECK(ctx, cudaEventRecord(ev->ev, d->stream));
  return LU_OK;
}

static int event_synchronize(lu_ctx *ctx, lu_event *ev) {
  CU_CHECK(ctx, cudaEventSynchronize(ev->ev));
  return LU_OK;
}

static int event_elapsed(lu_ctx *ctx, lu_event *a, lu_event *b, float *ms) {
  CU_CHECK(ctx, cudaEventElapsedTime(ms, a->ev, b->ev));
  return LU_OK;
}

static void event_destroy(lu_ctx *ctx, lu_event *ev) {
  (void)ctx;
  if (ev == NULL) return;
  cudaEventDestroy(ev->ev);
  cudaGetLastError();
  free(ev);
}
/* }====================================================== */

const lu_backend lu_cuda_backend = {
  "cuda",
  device_count,
  alloc,
  dfree,
  upload,
  download,
  lu_cuda_ewise,
  lu_cuda_reduce,
  lu_cuda_matmul,
  lu_cuda_iota,
  lu_cuda_random,
  lu_cuda_mask_select,
  lu_cuda_mask_scatter,
  synchronize,
  memory_info,
  event_create,
  event_record,
  event_synchronize,
  event_elapsed,
  event_destroy,
  shutdown,
};
