/* SPDX-License-Identifier: MIT */
/*
** Page-locked host memory for large CPU arrays. When a GPU is present the
** CPU backend takes its big buffers from here (lu_host_alloc), so that
** `a:to("cuda")` and `d:to("cpu")` are one DMA straight from or into the
** array, at the bus's full rate, with no staging copy and no page faults.
**
** Pinning is slow (the driver zeroes, locks and maps every page: tens of
** milliseconds per 100 MB) and cudaFreeHost may wait for the device, so
** freed blocks are kept by size class and handed out again; the cache is
** bounded and its oldest blocks go first. Nothing is pinned before the
** program has used a GPU, so a CPU-only program pays no CUDA context. The
** pool belongs to one context (its CUDA state). Live blocks are kept in an
** address-sorted table: host_free must recognise its own pointers, and
** upload/download ask whether an address (a view's data, anywhere inside a
** block) is pinned.
*/
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cuda_internal.h"
#include "pinned.h"

#define MiB ((size_t)1 << 20)
#define CACHE_LIMIT ((size_t)2048 * MiB)   /* most bytes kept for reuse */

typedef struct pblock { char *p; size_t size; } pblock;

typedef struct lu_pinned lu_pinned;

struct lu_pinned {
  pblock *live;                 /* handed out, sorted by address */
  size_t nlive, caplive;
  pblock *cache;                /* freed, kept for reuse: oldest first */
  size_t ncache, capcache;
  size_t live_bytes, cache_bytes;
  size_t total_limit;           /* most bytes pinned at once (live + cached) */
  int broken;                   /* cudaHostAlloc failed other than for memory */
};

static lu_pinned *pool_of(lu_ctx *ctx, int create) {
  lu_cuda_state *st = (lu_cuda_state *)lu_ctx_backend_state(ctx, LU_DEV_CUDA);
  if (st == NULL) return NULL;
  if (st->pinned == NULL && create) {
    lu_pinned *pl = (lu_pinned *)calloc(1, sizeof *pl);
    long pg = sysconf(_SC_PAGESIZE), np = sysconf(_SC_PHYS_PAGES);
    if (pl == NULL) return NULL;
    /* a quarter of the machine's memory at most: pinned pages cannot be
    ** swapped, and the rest of the system needs room */
    pl->total_limit = (pg > 0 && np > 0) ? (size_t)np / 4 * (size_t)pg : (size_t)4096 * MiB;
    st->pinned = pl;
  }
  return st->pinned;
}

/* Eight classes per power of two (at most 12.5% unused), so that arrays of
** nearly the same size share blocks. */
static size_t size_class(size_t n) {
  size_t top = 1, step;
  while (top <= n / 2) top <<= 1;           /* highest power of two <= n */
  step = top / 8 > 4096 ? top / 8 : 4096;
  return (n + step - 1) / step * step;
}

static int reserve(pblock **a, size_t *cap, size_t need) {
  pblock *q;
  size_t c;
  if (need <= *cap) return 1;
  c = *cap ? *cap * 2 : 16;
  while (c < need) c *= 2;
  q = (pblock *)realloc(*a, c * sizeof *q);
  if (q == NULL) return 0;
  *a = q;
  *cap = c;
  return 1;
}

/* Index of the live block with the greatest address <= p, or nlive. */
static size_t live_floor(const lu_pinned *pl, const char *p) {
  size_t lo = 0, hi = pl->nlive;          /* answer in [lo-1, hi) */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (pl->live[mid].p <= p) lo = mid + 1; else hi = mid;
  }
  return lo == 0 ? pl->nlive : lo - 1;
}

static int live_add(lu_pinned *pl, pblock b) {
  size_t i;
  if (!reserve(&pl->live, &pl->caplive, pl->nlive + 1)) return 0;
  i = live_floor(pl, b.p);
  i = i == pl->nlive ? 0 : i + 1;         /* insert after the floor */
  memmove(pl->live + i + 1, pl->live + i, (pl->nlive - i) * sizeof *pl->live);
  pl->live[i] = b;
  pl->nlive++;
  pl->live_bytes += b.size;
  return 1;
}

static void cache_drop_oldest(lu_pinned *pl) {
  cudaFreeHost(pl->cache[0].p);
  cudaGetLastError();
  pl->cache_bytes -= pl->cache[0].size;
  memmove(pl->cache, pl->cache + 1, (pl->ncache - 1) * sizeof *pl->cache);
  pl->ncache--;
}

/* The newest cached block of exactly this class, taken out of the cache. */
static int cache_take(lu_pinned *pl, size_t size, pblock *out) {
  size_t i = pl->ncache;
  while (i-- > 0) {
    if (pl->cache[i].size == size) {
      *out = pl->cache[i];
      memmove(pl->cache + i, pl->cache + i + 1, (pl->ncache - i - 1) * sizeof *pl->cache);
      pl->ncache--;
      pl->cache_bytes -= size;
      return 1;
    }
  }
  return 0;
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
  lu_pinned *pl;
  pblock b;
  cudaError_t e;
  *p = NULL;
  if (nbytes == 0 || !gpu_in_use(ctx)) return LU_EMEM;
  pl = pool_of(ctx, 1);
  if (pl == NULL || pl->broken) return LU_EMEM;
  if (!reserve(&pl->live, &pl->caplive, pl->nlive + 1)) return LU_EMEM;
  b.size = size_class(nbytes);
  if (!cache_take(pl, b.size, &b)) {
    while (pl->ncache > 0 && pl->live_bytes + pl->cache_bytes + b.size > pl->total_limit)
      cache_drop_oldest(pl);
    if (pl->live_bytes + b.size > pl->total_limit) return LU_EMEM;
    e = cudaHostAlloc((void **)&b.p, b.size, cudaHostAllocPortable);
    if (e == cudaErrorMemoryAllocation && pl->ncache > 0) {
      cudaGetLastError();
      while (pl->ncache > 0) cache_drop_oldest(pl);
      e = cudaHostAlloc((void **)&b.p, b.size, cudaHostAllocPortable);
    }
    if (e != cudaSuccess) {
      cudaGetLastError();
      if (e != cudaErrorMemoryAllocation) pl->broken = 1;   /* no context: stop trying */
      return LU_EMEM;
    }
  }
  live_add(pl, b);   /* cannot fail: room reserved above */
  *p = b.p;
  return LU_OK;
}

static int host_free(lu_ctx *ctx, void *p) {
  lu_pinned *pl = pool_of(ctx, 0);
  size_t i;
  pblock b;
  if (pl == NULL || pl->nlive == 0) return 0;
  i = live_floor(pl, (const char *)p);
  if (i == pl->nlive || pl->live[i].p != (char *)p) return 0;
  b = pl->live[i];
  memmove(pl->live + i, pl->live + i + 1, (pl->nlive - i - 1) * sizeof *pl->live);
  pl->nlive--;
  pl->live_bytes -= b.size;
  if (b.size > CACHE_LIMIT || !reserve(&pl->cache, &pl->capcache, pl->ncache + 1)) {
    cudaFreeHost(b.p);
    cudaGetLastError();
    return 1;
  }
  while (pl->ncache > 0 && pl->cache_bytes + b.size > CACHE_LIMIT) cache_drop_oldest(pl);
  pl->cache[pl->ncache++] = b;
  pl->cache_bytes += b.size;
  return 1;
}

void lu_cuda_pinned_install(lu_ctx *ctx) {
  const char *env = getenv("LUNAR_PINNED");
  if (env != NULL && strcmp(env, "0") == 0) return;
  lu_ctx_set_host_allocator(ctx, host_alloc, host_free);
}

int lu_cuda_pinned_contains(lu_ctx *ctx, const void *p, size_t n) {
  lu_pinned *pl = pool_of(ctx, 0);
  const char *c = (const char *)p;
  size_t i;
  if (pl == NULL || pl->nlive == 0) return 0;
  i = live_floor(pl, c);
  if (i == pl->nlive) return 0;
  return (size_t)(c - pl->live[i].p) <= pl->live[i].size &&
         n <= pl->live[i].size - (size_t)(c - pl->live[i].p);
}

void lu_cuda_pinned_shutdown(lu_ctx *ctx) {
  lu_pinned *pl = pool_of(ctx, 0);
  size_t i;
  lu_ctx_set_host_allocator(ctx, NULL, NULL);
  if (pl == NULL) return;
  for (i = 0; i < pl->ncache; i++) cudaFreeHost(pl->cache[i].p);
  /* buffers hold a reference on the context, so none should be live here */
  for (i = 0; i < pl->nlive; i++) cudaFreeHost(pl->live[i].p);
  cudaGetLastError();
  free(pl->cache);
  free(pl->live);
  free(pl);
  ((lu_cuda_state *)lu_ctx_backend_state(ctx, LU_DEV_CUDA))->pinned = NULL;
}
