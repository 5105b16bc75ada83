/* SPDX-License-Identifier: MIT */
/*
** Page-locked host memory for large CPU arrays. When a GPU is present the
** CPU backend takes its big buffers from here (lu_host_alloc), so that
** `a:to("cuda")` and `d:to("cpu")` are one DMA straight from or into the
** array, at the bus's full rate, with no staging copy and no page faults.
**
** Pinning is slow (the driver zeroes, locks and maps every page: tens of
** milliseconds per 100 MB) and cudaFreeHost may wait for the device, so
** the blocks live in a block cache (lu_blockcache, src/core/blockcache.c,
** the same design as the CPU backend's big buffers): freed blocks are kept
** by size class and handed out again, at most CACHE_LIMIT bytes of them,
** oldest dropped first, and at most a quarter of the machine's memory is
** pinned at once (pinned pages cannot be swapped). Nothing is pinned before
** the program has used a GPU, so a CPU-only program pays no CUDA context.
** The pool belongs to one context (its CUDA state). The cache also answers
** whether an address (a view's data, anywhere inside a block) is pinned,
** for upload/download.
**
** Fresh pinning is bounded: a request that finds no kept block of its size
** class pins a fresh one only while fewer than FRESH_LIVE blocks of that
** class are live; past that it gets no pinned memory, and the CPU backend
** gives it ordinary (pageable) memory, which transfers reach through the
** chunked pinned staging of device.c. The case is `h = d:to("cpu")` in a
** loop: each new h is made while the last one (or the last few, until the
** collector runs) still holds its block; pinning 400 MB afresh each call
** is what made one cost 238 ms on an H200 (issue 14; CuPy's asnumpy into
** new pageable memory: 121 ms), where the staged copy runs at the speed of
** a few threads' memcpy. Once the collector frees an
** old h its pinned block is kept and the next h takes it: one DMA again.
*/
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cuda_internal.h"
#include "lu_hostmem.h"
#include "pinned.h"
#include "lu_workbench.h"

#define MiB ((size_t)1 << 20)
#define CACHE_LIMIT ((size_t)2048 * MiB)   /* most bytes kept for reuse */
#define FRESH_LIVE 2                        /* live blocks of a class pinned afresh */

struct lu_pinned {
  lu_blockcache *blocks;
  int broken;                   /* cudaHostAlloc failed other than for memory */
};

static void *fresh(void *ud, size_t size) {
  struct lu_pinned *pl = (struct lu_pinned *)ud;
  void *p = NULL;
  cudaError_t e = cudaHostAlloc(&p, size, cudaHostAllocPortable);
  if (e == cudaSuccess) return p;
  cudaGetLastError();
  if (e != cudaErrorMemoryAllocation) pl->broken = 1;   /* no context: stop trying */
  return NULL;
}

static void release(void *ud, void *p, size_t size) {
  (void)ud; (void)size;
  cudaFreeHost(p);
  cudaGetLastError();
}

static struct lu_pinned *pool_of(lu_ctx *ctx, int create) {
  lu_cuda_state *st = (lu_cuda_state *)lu_ctx_backend_state(ctx, LU_DEV_CUDA);
  if (st == NULL) return NULL;
  if (st->pinned == NULL && create) {
    struct lu_pinned *pl = (struct lu_pinned *)lu_calloc(1, sizeof *pl);
    long pg = sysconf(_SC_PAGESIZE), np = sysconf(_SC_PHYS_PAGES);
    size_t quarter = (pg > 0 && np > 0) ? (size_t)np / 4 * (size_t)pg : (size_t)4096 * MiB;
    if (pl == NULL) return NULL;
    pl->blocks = lu_blockcache_new(fresh, release, pl, CACHE_LIMIT, quarter);
    if (pl->blocks == NULL) { free(pl); return NULL; }
    st->pinned = pl;
  }
  return st->pinned;
}

/* 1 once the program has used a GPU: until then a CPU-only program pays
** no CUDA context for its large arrays. */
static int gpu_in_use(lu_ctx *ctx) {
  lu_cuda_state *st = (lu_cuda_state *)lu_ctx_backend_state(ctx, LU_DEV_CUDA);
  int i;
  if (st == NULL) return 0;
  for (i = 0; i < st->ndev; i++) if (st->dev[i] != NULL) return 1;
  return 0;
}

/* Quiet on failure: the CPU backend then uses ordinary memory. */
static int host_alloc(lu_ctx *ctx, size_t nbytes, void **p) {
  struct lu_pinned *pl;
  *p = NULL;
  if (nbytes == 0 || !gpu_in_use(ctx)) return LU_EMEM;
  pl = pool_of(ctx, 1);
  if (pl == NULL || pl->broken) return LU_EMEM;
  *p = lu_blockcache_alloc_reuse(pl->blocks, nbytes, FRESH_LIVE);
  return *p != NULL ? LU_OK : LU_EMEM;
}

static int host_free(lu_ctx *ctx, void *p) {
  struct lu_pinned *pl = pool_of(ctx, 0);
  return pl != NULL && lu_blockcache_free(pl->blocks, p);
}

void lu_cuda_pinned_install(lu_ctx *ctx) {
  const char *env = getenv("LUNAR_PINNED");
  if (env != NULL && strcmp(env, "0") == 0) return;
  lu_ctx_set_host_allocator(ctx, host_alloc, host_free);
}

int lu_cuda_pinned_contains(lu_ctx *ctx, const void *p, size_t n) {
  struct lu_pinned *pl = pool_of(ctx, 0);
  return pl != NULL && lu_blockcache_contains(pl->blocks, p, n);
}

/* Buffers hold a reference on the context, so no block should be live
** here; any that is goes back too. */
void lu_cuda_pinned_shutdown(lu_ctx *ctx) {
  struct lu_pinned *pl = pool_of(ctx, 0);
  lu_ctx_set_host_allocator(ctx, NULL, NULL);
  if (pl == NULL) return;
  lu_blockcache_destroy(pl->blocks);
  free(pl);
  ((lu_cuda_state *)lu_ctx_backend_state(ctx, LU_DEV_CUDA))->pinned = NULL;
}

/* {===== lunar.cuda.pinned_memory_pool (lu_workbench.h): the pool is made
** here if the program has not pinned anything yet, so that a limit set
** first holds from the first block on */
static int pool_info(lu_ctx *ctx, int dev, size_t *used, size_t *total, size_t *limit) {
  struct lu_pinned *pl = pool_of(ctx, 0);
  size_t live = 0, kept = 0;
  (void)dev;
  if (pl != NULL) lu_blockcache_stats(pl->blocks, &live, &kept);
  *used = live;
  *total = live + kept;
  *limit = pl != NULL ? lu_blockcache_limit(pl->blocks) : SIZE_MAX;
  return LU_OK;
}

static int pool_free_all(lu_ctx *ctx, int dev) {
  struct lu_pinned *pl = pool_of(ctx, 0);
  (void)dev;
  if (pl != NULL) lu_blockcache_trim(pl->blocks);
  return LU_OK;
}

static int pool_set_limit(lu_ctx *ctx, int dev, size_t limit) {
  struct lu_pinned *pl = pool_of(ctx, 1);
  (void)dev;
  if (pl == NULL) return lu_seterr(ctx, LU_EMEM, "set_limit: no pinned memory pool (no GPU state)");
  lu_blockcache_set_limit(pl->blocks, limit);
  return LU_OK;
}

const lu_pool_ops lu_cuda_pinned_pool_ops = {pool_info, pool_free_all, pool_set_limit};
/* }===== */
