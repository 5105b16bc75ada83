/* SPDX-License-Identifier: MIT */
/*
** The CUDA backend: devices, per-device state (stream, memory pool, cuBLAS
** handle, pinned staging), memory, transfers, synchronisation,
** events, and the backend table. Elementwise launches are in ewise.c and
** kcache.c, the library-backed ops in ops.c.
**
** Starting without a GPU or without a driver must stay silent: device_count
** returns 0 and nothing else is ever called.
*/
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cuda_internal.h"
#include "lu_hostmem.h"
#include "dynlib.h"
#include "pinned.h"

/* {====================================================== errors */
static const char *base(const char *file) {
  const char *s = strrchr(file, '/');
  return s ? s + 1 : file;
}

/* Every message of this backend goes through here: "OP: cuda: TEXT", the
** op being the one the core is running (lu_ctx_op), so that a failure
** deep in a launch still names what the user called (DESIGN §3). */
int lu_cuda_seterr(lu_ctx *ctx, int code, const char *fmt, ...) {
  char text[LU_ERRLEN];
  const char *op = lu_ctx_op(ctx);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (op != NULL) return lu_seterr(ctx, (lu_status)code, "%s: cuda: %s", op, text);
  return lu_seterr(ctx, (lu_status)code, "cuda: %s", text);
}

/* The errors after which CUDA refuses every further call in the process
** (a kernel faulted: an earlier one, not necessarily the call that
** reports it) */
int lu_cuda_sticky(int code) {
  cudaError_t e = (cudaError_t)code;   /* the driver's codes are the same numbers */
  return e == cudaErrorIllegalAddress || e == cudaErrorLaunchFailure ||
         e == cudaErrorIllegalInstruction || e == cudaErrorMisalignedAddress ||
         e == cudaErrorInvalidAddressSpace || e == cudaErrorInvalidPc ||
         e == cudaErrorHardwareStackError || e == cudaErrorAssert || e == cudaErrorLaunchTimeout;
}

/* cudaErrorStreamCaptureUnsupported .. cudaErrorStreamCaptureWrongThread:
** an op that a stream capture cannot record (it waits for the GPU) */
static int capture_error(cudaError_t e) {
  return e >= cudaErrorStreamCaptureUnsupported && e <= cudaErrorStreamCaptureWrongThread;
}

int lu_cuda_fail(lu_ctx *ctx, cudaError_t e, const char *call, const char *file, int line) {
  cudaGetLastError();   /* clear it, so that a later check does not see it again */
  if (capture_error(e))
    return lu_cuda_seterr(ctx, LU_EDEVICE, "cannot run while lunar.cuda.graph captures: it waits "
                          "for the GPU (%s: %s, reported by %s at %s:%d); the capture is discarded",
                          cudaGetErrorName(e), cudaGetErrorString(e), call, base(file), line);
  if (e == cudaErrorMemoryAllocation)
    return lu_cuda_seterr(ctx, LU_EMEM, "%s failed: out of memory (%s:%d)", call, base(file), line);
  if (lu_cuda_sticky(e))
    return lu_cuda_seterr(ctx, LU_EBACKEND, "a kernel faulted (%s: %s, reported by %s at %s:%d); "
                          "CUDA refuses every further GPU call in this process: save what is on "
                          "the CPU and restart lunar", cudaGetErrorName(e), cudaGetErrorString(e),
                          call, base(file), line);
  return lu_cuda_seterr(ctx, LU_EBACKEND, "%s failed: %s: %s (%s:%d)", call,
                        cudaGetErrorName(e), cudaGetErrorString(e), base(file), line);
}

int lu_cuda_fail_blas(lu_ctx *ctx, cublasStatus_t e, const char *call, const char *file, int line) {
  cudaGetLastError();
  if (e == CUBLAS_STATUS_ALLOC_FAILED)
    return lu_cuda_seterr(ctx, LU_EMEM, "%s failed: out of memory (cuBLAS workspace) (%s:%d)",
                          call, base(file), line);
  return lu_cuda_seterr(ctx, LU_EBACKEND, "%s failed: %s (%s:%d)", call,
                        lu_cuda_cublas_loaded() ? lu_cuda_cublas_loaded()->GetStatusString(e) : "?",
                        base(file), line);
}

int lu_cuda_fail_nvrtc(lu_ctx *ctx, nvrtcResult e, const char *call, const char *file, int line) {
  return lu_cuda_seterr(ctx, LU_EBACKEND, "%s failed: %s (%s:%d)", call,
                        lu_cuda_nvrtc_loaded() ? lu_cuda_nvrtc_loaded()->GetErrorString(e) : "?",
                        base(file), line);
}
/* }====================================================== */

/* {====================================================== devices */
static lu_cuda_state *state(lu_ctx *ctx) {
  lu_cuda_state *st = (lu_cuda_state *)lu_ctx_backend_state(ctx, LU_DEV_CUDA);
  if (st == NULL) {
    st = (lu_cuda_state *)lu_calloc(1, sizeof *st);
    lu_ctx_set_backend_state(ctx, LU_DEV_CUDA, st);
  }
  return st;
}

/* No driver, no GPU, a driver too old: all mean "no device", quietly. */
static int device_count(lu_ctx *ctx) {
  lu_cuda_state *st = state(ctx);
  if (st == NULL) return 0;
  if (!st->probed) {
    int n = 0;
    lu_cuda_prestart_wait(0);   /* the start-up thread initialises the driver */
    lu_cuda_trace("driver: probing (cudaGetDeviceCount)");
    if (cudaGetDeviceCount(&n) != cudaSuccess) n = 0;
    cudaGetLastError();
    st->ndev = n > LU_MAXDEV ? LU_MAXDEV : n;
    st->probed = 1;
    lu_cuda_trace("driver initialised: %d device%s", st->ndev, st->ndev == 1 ? "" : "s");
    /* large CPU arrays become page-locked: transfers skip the staging */
    if (st->ndev > 0) lu_cuda_pinned_install(ctx);
  }
  return st->ndev;
}

/* What the first op on a device needs, and nothing more: libraries and
** handles (cuBLAS, kernel groups, staging) come on first use. Since CUDA 12
** cudaSetDevice creates the primary context. */
static int dev_init(lu_ctx *ctx, lu_cuda_dev *d) {
  int k, pools = 0, gy = 0, gz = 0;
  uint64_t threshold = UINT64_MAX;
  CU_CHECK(ctx, cudaSetDevice(d->index));
  lu_cuda_trace("context created (cudaSetDevice %d)", d->index);
  CU_CHECK(ctx, cudaDeviceGetAttribute(&d->cc_major, cudaDevAttrComputeCapabilityMajor, d->index));
  CU_CHECK(ctx, cudaDeviceGetAttribute(&d->cc_minor, cudaDevAttrComputeCapabilityMinor, d->index));
  CU_CHECK(ctx, cudaDeviceGetAttribute(&d->sm_count, cudaDevAttrMultiProcessorCount, d->index));
  CU_CHECK(ctx, cudaDeviceGetAttribute(&gy, cudaDevAttrMaxGridDimY, d->index));
  CU_CHECK(ctx, cudaDeviceGetAttribute(&gz, cudaDevAttrMaxGridDimZ, d->index));
  d->max_grid_y = (unsigned)gy;
  d->max_grid_z = (unsigned)gz;
  CU_CHECK(ctx, cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, d->index));
  CU_CHECK(ctx, cudaStreamCreateWithFlags(&d->own, cudaStreamNonBlocking));
  d->stream = d->own;
  CU_CHECK(ctx, cudaEventCreateWithFlags(&d->fork_ev, cudaEventDisableTiming));
  if (pools) {
    CU_CHECK(ctx, cudaDeviceGetDefaultMemPool(&d->pool, d->index));
    CU_CHECK(ctx, cudaMemPoolSetAttribute(d->pool, cudaMemPoolAttrReleaseThreshold, &threshold));
    d->use_pool = 1;
  }
  for (k = 0; k < 2; k++)
    CU_CHECK(ctx, cudaEventCreateWithFlags(&d->stage_ev[k], cudaEventDisableTiming));
  lu_cuda_trace("device %d ready (stream, pool, events)", d->index);
  return LU_OK;
}

/* The library is loaded here too (dynlib.c): a failure to load is this
** op's error, and the next matmul tries nothing again but says the same. */
int lu_cuda_blas(lu_ctx *ctx, lu_cuda_dev *d, cublasHandle_t *h) {
  if (d->blas == NULL) {
    cublasHandle_t b = NULL;
    const lu_cublas_fns *B = lu_cuda_cublas(ctx);
    if (B == NULL) return LU_EBACKEND;
    BLAS_CHECK(ctx, B->Create(&b));
    d->blas = b;
    d->blas_stream = NULL;
    lu_cuda_trace("cuBLAS handle created (device %d)", d->index);
  }
  if (d->blas_stream != d->stream) {   /* the handle follows the current stream */
    BLAS_CHECK(ctx, lu_cuda_cublas_loaded()->SetStream(d->blas, d->stream));
    d->blas_stream = d->stream;
  }
  *h = d->blas;
  return LU_OK;
}

static void dev_release(lu_cuda_dev *d) {
  int k;
  size_t i;
  cudaSetDevice(d->index);
  d->stream = d->own;
  if (d->stream) cudaStreamSynchronize(d->stream);
  if (d->blas) lu_cuda_cublas_loaded()->Destroy(d->blas);   /* a handle implies the library */
  lu_cuda_solver_release(d);
  lu_cuda_index_release(d);
  lu_cuda_fft_free(d);
  lu_cuda_alloc_destroy(d);
  lu_cuda_kcache_free(d);
  lu_cuda_launch_free(d);
  for (k = 0; k < LU_CG_NGROUPS; k++) if (d->builtin[k]) cudaLibraryUnload(d->builtin[k]);
  for (i = 0; i < d->nlibs; i++) cudaLibraryUnload(d->libs[i]);
  free(d->libs);
  for (k = 0; k < 2; k++) {
    if (d->h_stage[k]) cudaFreeHost(d->h_stage[k]);
    if (d->stage_ev[k]) cudaEventDestroy(d->stage_ev[k]);
  }
  if (d->fork_ev) cudaEventDestroy(d->fork_ev);
  if (d->own) cudaStreamDestroy(d->own);
  lu_htab_free(&d->gown);
  if (d->use_pool) cudaMemPoolTrimTo(d->pool, 0);
  cudaGetLastError();
  free(d);
}

int lu_cuda_device(lu_ctx *ctx, int dev, lu_cuda_dev **out) {
  lu_cuda_state *st = state(ctx);
  lu_cuda_dev *d;
  if (st == NULL) return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
  if (dev < 0 || dev >= device_count(ctx))
    return lu_cuda_seterr(ctx, LU_EDEVICE, "no device cuda:%d (%d available)", dev, st->ndev);
  d = st->dev[dev];
  if (d == NULL) {
    int rc;
    d = (lu_cuda_dev *)lu_calloc(1, sizeof *d);
    if (d == NULL) return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
    d->index = dev;
    lu_htab_init(&d->ktab, sizeof(lu_kentry));
    lu_htab_init(&d->utab, sizeof(lu_kentry));
    lu_htab_init(&d->occ, 2 * sizeof(int64_t));
    lu_cuda_prestart_wait(1);   /* ... and may be making this context */
    if ((rc = dev_init(ctx, d)) != LU_OK) { dev_release(d); return rc; }
    st->dev[dev] = d;
  } else if (st->ndev > 1) {
    /* with one GPU the current device cannot be another; with several,
    ** reading it is cheaper than setting it on every op */
    int cur = -1;
    if (cudaGetDevice(&cur) != cudaSuccess || cur != dev) CU_CHECK(ctx, cudaSetDevice(dev));
  }
  *out = d;
  return LU_OK;
}

static void shutdown(lu_ctx *ctx) {
  lu_cuda_state *st = (lu_cuda_state *)lu_ctx_backend_state(ctx, LU_DEV_CUDA);
  int i;
  if (st == NULL) return;
  lu_cuda_pinned_shutdown(ctx);
  for (i = 0; i < LU_MAXDEV; i++) if (st->dev[i]) dev_release(st->dev[i]);
  free(st);
  lu_ctx_set_backend_state(ctx, LU_DEV_CUDA, NULL);
}
/* }====================================================== */

/* {====================================================== memory */
/* Arrays and scratch (launch.c) both come from the caching allocator
** (alloc.c). */
static int alloc(lu_ctx *ctx, int dev, size_t nbytes, void **p) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  /* out of memory: the core adds the figures, collects and retries */
  CU_CHECK(ctx, lu_cuda_malloc(d, nbytes, p));
  return LU_OK;
}

static void dfree(lu_ctx *ctx, int dev, void *p) {
  lu_cuda_dev *d;
  if (p == NULL || lu_cuda_device(ctx, dev, &d) != LU_OK) return;
  lu_cuda_mfree(d, p);
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
  *free_b += lu_cuda_alloc_cached(d);   /* cached blocks are used for the pool */
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== transfers */
/* Pageable memory goes through two pinned staging buffers in turn: while
** the copy engine reads (or fills) one, the host copies into (or out of)
** the other. The buffers grow with the transfers: 256 KB for the first
** small ones (a script's first print page-locked 8 MB before, two
** cudaMallocHost calls on its start-up path), 4 MB, then 32 MB for large
** ones, so that each DMA is long enough to run at the bus's rate.
** Memory from the pinned pool (pinned.c: large CPU arrays) skips all this:
** one cudaMemcpyAsync straight from or into it. */
#define STAGE_TINY ((size_t)256 << 10)
#define STAGE_SMALL LU_CUDA_STAGE_BYTES
#define STAGE_BIG ((size_t)32 << 20)
/* Downloads of at most this many bytes, while no staging pair exists, go
** through the driver's own staging (a copy into pageable memory, which
** returns when done): a script's first print page-locked 2 x 256 KB for a
** few bytes, 1.4 ms of its start on an H100 host (2026-12-06). Uploads stay
** staged: from pageable memory the driver first waits for the stream. */
#define DIRECT_MAX ((size_t)64 << 10)
#define PAR_COPY_MIN ((size_t)8 << 20)   /* host copies this big use threads */
#define PAR_COPY_MAX 4

static void free_staging(lu_cuda_dev *d) {
  int k;
  for (k = 0; k < 2; k++) {
    if (d->h_stage[k] == NULL) continue;
    cudaEventSynchronize(d->stage_ev[k]);   /* a queued copy may still read it */
    cudaFreeHost(d->h_stage[k]);
    d->h_stage[k] = NULL;
  }
  d->stage_bytes = 0;
  cudaGetLastError();
}

static cudaError_t stage_pair(lu_cuda_dev *d, size_t bytes) {
  cudaError_t e = cudaSuccess;
  int k;
  for (k = 0; k < 2 && e == cudaSuccess; k++) {
    e = cudaMallocHost(&d->h_stage[k], bytes);
    if (e != cudaSuccess) d->h_stage[k] = NULL;
  }
  if (e == cudaSuccess) d->stage_bytes = bytes;
  else { cudaGetLastError(); free_staging(d); }
  lu_cuda_trace("staging: 2 x %zu bytes page-locked%s", bytes, e == cudaSuccess ? "" : " (failed)");
  return e;
}

/* Staging for a transfer of n bytes; a large pair that cannot be had falls
** back to the small one. */
static int staging(lu_ctx *ctx, lu_cuda_dev *d, size_t n) {
  size_t want = n > 2 * STAGE_SMALL ? STAGE_BIG : n > STAGE_TINY ? STAGE_SMALL : STAGE_TINY;
  cudaError_t e;
  if (d->h_stage[0] != NULL && d->h_stage[1] != NULL) {
    if (d->stage_bytes >= want) return LU_OK;
    free_staging(d);
  }
  e = stage_pair(d, want);
  if (e != cudaSuccess && want > STAGE_SMALL) e = stage_pair(d, STAGE_SMALL);
  if (e != cudaSuccess && want > STAGE_TINY) e = stage_pair(d, STAGE_TINY);
  if (e != cudaSuccess) return lu_cuda_fail(ctx, e, "cudaMallocHost (staging)", __FILE__, __LINE__);
  return LU_OK;
}

/* {===== host copies of big chunks, split over a few threads: one core's
** memcpy (about 10 GB/s) is slower than the bus (25-50 GB/s) */
typedef struct copy_part { char *dst; const char *src; size_t n; } copy_part;

static void *copy_thread(void *ud) {
  copy_part *c = (copy_part *)ud;
  memcpy(c->dst, c->src, c->n);
  return NULL;
}

static int copy_threads(void) {
  long np = sysconf(_SC_NPROCESSORS_ONLN);
  return np < 2 ? 1 : np < PAR_COPY_MAX ? (int)np : PAR_COPY_MAX;
}

static void host_copy(void *dst, const void *src, size_t n) {
  pthread_t th[PAR_COPY_MAX];
  copy_part part[PAR_COPY_MAX];
  int nt = n >= PAR_COPY_MIN ? copy_threads() : 1, k, started[PAR_COPY_MAX];
  size_t each, off = 0;
  if (nt <= 1) { memcpy(dst, src, n); return; }
  each = (n / (size_t)nt + 4095) & ~(size_t)4095;
  for (k = 0; k < nt; k++) {
    size_t c = off < n ? (n - off < each ? n - off : each) : 0;
    part[k].dst = (char *)dst + off;
    part[k].src = (const char *)src + off;
    part[k].n = c;
    off += c;
  }
  /* threads take parts 1..nt-1, this one part 0; a thread that cannot be
  ** started has its part done here */
  for (k = 1; k < nt; k++) started[k] = pthread_create(&th[k], NULL, copy_thread, &part[k]) == 0;
  memcpy(part[0].dst, part[0].src, part[0].n);
  for (k = 1; k < nt; k++) {
    if (started[k]) pthread_join(th[k], NULL);
    else memcpy(part[k].dst, part[k].src, part[k].n);
  }
}
/* }===== */

/* From pinned memory: one DMA, waited for, since the source is a live CPU
** array that may be written or freed as soon as this returns. Otherwise
** staged; returns once the last chunk is in staging, so h_src may be reused;
** the copies themselves stay queued. */
static int upload(lu_ctx *ctx, int dev, void *d_dst, const void *h_src, size_t n) {
  lu_cuda_dev *d;
  size_t done = 0, C;
  int k = 0, rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK || n == 0) return rc;
  if ((rc = lu_cuda_no_capture(ctx, d, "a transfer to the GPU")) != LU_OK) return rc;
  if (lu_cuda_pinned_contains(ctx, h_src, n)) {
    CU_CHECK(ctx, cudaMemcpyAsync(d_dst, h_src, n, cudaMemcpyHostToDevice, d->stream));
    CU_CHECK(ctx, cudaStreamSynchronize(d->stream));
    return LU_OK;
  }
  if ((rc = staging(ctx, d, n)) != LU_OK) return rc;
  C = d->stage_bytes;
  while (done < n) {
    size_t c = n - done < C ? n - done : C;
    CU_CHECK(ctx, cudaEventSynchronize(d->stage_ev[k]));
    host_copy(d->h_stage[k], (const char *)h_src + done, c);
    CU_CHECK(ctx, cudaMemcpyAsync((char *)d_dst + done, d->h_stage[k], c,
                                  cudaMemcpyHostToDevice, d->stream));
    CU_CHECK(ctx, cudaEventRecord(d->stage_ev[k], d->stream));
    done += c;
    k ^= 1;
  }
  return LU_OK;
}

/* Into pinned memory, or a few bytes before staging exists: one DMA on the
** stream, then a wait for the stream. Otherwise two chunks in flight:
** chunk i+2 is queued as soon as chunk i has been copied out of its
** buffer. The event of the first chunk also waits for every op queued
** before, so this is a full wait from the caller's view. */
static int download(lu_ctx *ctx, int dev, void *h_dst, const void *d_src, size_t n) {
  lu_cuda_dev *d;
  size_t nchunks, i, C;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  if ((rc = lu_cuda_no_capture(ctx, d, "a transfer to the host")) != LU_OK) return rc;
  if (n == 0) {
    CU_CHECK(ctx, cudaStreamSynchronize(d->stream));
    return lu_cuda_index_check(ctx, d);
  }
  if ((d->h_stage[0] == NULL && n <= DIRECT_MAX) || lu_cuda_pinned_contains(ctx, h_dst, n)) {
    CU_CHECK(ctx, cudaMemcpyAsync(h_dst, d_src, n, cudaMemcpyDeviceToHost, d->stream));
    CU_CHECK(ctx, cudaStreamSynchronize(d->stream));
    return lu_cuda_index_check(ctx, d);
  }
  if ((rc = staging(ctx, d, n)) != LU_OK) return rc;
  C = d->stage_bytes;
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
    host_copy((char *)h_dst + i * C, d->h_stage[k], c);
    if (i + 2 < nchunks) {
      size_t c2 = n - (i + 2) * C < C ? n - (i + 2) * C : C;
      CU_CHECK(ctx, cudaMemcpyAsync(d->h_stage[k], (const char *)d_src + (i + 2) * C, c2,
                                    cudaMemcpyDeviceToHost, d->stream));
      CU_CHECK(ctx, cudaEventRecord(d->stage_ev[k], d->stream));
    }
  }
  return lu_cuda_index_check(ctx, d);
}

/* Device-to-device copies of contiguous rows (concatenate, slices): the
** copy engine's path, as fast as a copy kernel can be (PyTorch's copy_ of
** contiguous tensors is the same call). */
static int copy2d(lu_ctx *ctx, int dev, void *d_dst, size_t dpitch, const void *d_src,
                  size_t spitch, size_t width, size_t height) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK || width == 0 || height == 0) return rc;
  if (height == 1 || (dpitch == width && spitch == width))
    CU_CHECK(ctx, cudaMemcpyAsync(d_dst, d_src, width * height, cudaMemcpyDeviceToDevice, d->stream));
  else
    CU_CHECK(ctx, cudaMemcpy2DAsync(d_dst, dpitch, d_src, spitch, width, height,
                                    cudaMemcpyDeviceToDevice, d->stream));
  return LU_OK;
}

/* The pieces of one launch, flushed when full or when the grid would pass
** its limit. */
typedef struct copy_batch { lu_k_copy_call call; int64_t blocks; } copy_batch;

static int copy_flush(lu_ctx *ctx, lu_cuda_dev *d, copy_batch *b) {
  lu_k_env env;
  if (b->call.n == 0) return LU_OK;
  lu_cuda_env(d, &env);
  LAUNCH_CHECK(ctx, lu_k_copy_rows(&b->call, b->blocks, &env));
  b->call.n = 0;
  b->blocks = 0;
  return LU_OK;
}

/* The pieces of a concatenate in one kernel (kernels/copy.cu) instead of a
** cudaMemcpy(2D)Async each. A piece too big for one grid goes through
** copy2d alone. */
static int copy2d_batch(lu_ctx *ctx, int dev, int n, const lu_copy_rows *pc) {
  lu_cuda_dev *d;
  copy_batch b;
  int rc = lu_cuda_device(ctx, dev, &d), i;
  if (rc != LU_OK) return rc;
  b.call.n = 0;
  b.blocks = 0;
  for (i = 0; i < n && rc == LU_OK; i++) {
    const lu_copy_rows *q = &pc[i];
    int flat = q->height == 1 || (q->dpitch == q->width && q->spitch == q->width), vs = 4;
    size_t rows = flat ? 1 : q->height, width = flat ? q->width * q->height : q->width;
    uintptr_t bits;
    int64_t blocks;
    lu_k_copy_piece *p;
    if (q->width == 0 || q->height == 0) continue;
    bits = (uintptr_t)q->dst | (uintptr_t)q->src | (uintptr_t)width;
    if (!flat) bits |= (uintptr_t)q->dpitch | (uintptr_t)q->spitch;
    while (vs > 0 && (bits & (((uintptr_t)1 << vs) - 1)) != 0) vs--;
    blocks = lu_k_copy_blocks((int64_t)((width >> vs) * rows));
    if (blocks > 0x7fffffff) {
      rc = copy2d(ctx, dev, q->dst, q->dpitch, q->src, q->spitch, q->width, q->height);
      continue;
    }
    if (b.call.n == LU_K_COPY_MAXP || b.blocks + blocks > 0x7fffffff)
      if ((rc = copy_flush(ctx, d, &b)) != LU_OK) break;
    p = &b.call.p[b.call.n++];
    p->dst = (char *)q->dst;
    p->src = (const char *)q->src;
    p->dpitch = (int64_t)q->dpitch;
    p->spitch = (int64_t)q->spitch;
    p->rowv = (int64_t)(width >> vs);
    p->rows = (int64_t)rows;
    p->block0 = b.blocks;
    p->vshift = vs;
    p->pad_ = 0;
    b.blocks += blocks;
  }
  if (rc == LU_OK) rc = copy_flush(ctx, d, &b);
  return rc;
}

/* Waits for the device's stream and reports any asynchronous error (a
** kernel fault surfaces here, or at the next download). */
static int synchronize(lu_ctx *ctx, int dev) {
  lu_cuda_state *st = (lu_cuda_state *)lu_ctx_backend_state(ctx, LU_DEV_CUDA);
  lu_cuda_dev *d;
  int rc;
  if (st == NULL || dev < 0 || dev >= LU_MAXDEV || st->dev[dev] == NULL) {
    if (dev >= 0 && dev < device_count(ctx)) return LU_OK;   /* nothing queued yet */
  }
  if ((rc = lu_cuda_device(ctx, dev, &d)) != LU_OK) return rc;
  if ((rc = lu_cuda_no_capture(ctx, d, "a synchronisation")) != LU_OK) return rc;
  CU_CHECK(ctx, cudaStreamSynchronize(d->stream));
  CU_CHECK(ctx, cudaGetLastError());
  return lu_cuda_index_check(ctx, d);
}
/* }====================================================== */

/* {====================================================== events */
static int event_create(lu_ctx *ctx, int dev, lu_event **ev) {
  lu_cuda_dev *d;
  lu_event *e;
  cudaError_t ce;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  e = (lu_event *)lu_calloc(1, sizeof *e);
  if (e == NULL) return lu_cuda_seterr(ctx, LU_EMEM, "out of host memory");
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
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, ev->dev, &d);
  if (rc != LU_OK) return rc;
  if ((rc = lu_cuda_no_capture(ctx, d, "a wait for an event")) != LU_OK) return rc;
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

static const lu_device_services services = {
  device_count,
  alloc,
  dfree,
  upload,
  download,
  synchronize,
  memory_info,
  event_create,
  event_record,
  event_synchronize,
  event_elapsed,
  event_destroy,
  shutdown,
  copy2d,
  copy2d_batch,
};

/* The families, each defined beside its entries (ewise.c, ops.c, index.c). */
const lu_backend lu_cuda_backend = {
  LU_BACKEND_VERSION,
  "cuda",
  &services,
  &lu_cuda_ewise_family,
  &lu_cuda_reduce_family,
  &lu_cuda_linalg_family,
  &lu_cuda_fft_family,
  &lu_cuda_sort_family,        /* sort.c */
  &lu_cuda_random_family,
  &lu_cuda_index_family,
  NULL,                        /* io */
};
