/* SPDX-License-Identifier: MIT */
/*
** A stream-ordered caching allocator for small device blocks. A loop of
** small ops (c = a + b, 20,000 times) would otherwise pay a
** cudaMallocAsync and a cudaFreeAsync per op, each a driver call that
** takes a lock and records stream dependencies. Here a freed block goes to
** a free list of its size class and the next request of that class takes
** it back with no CUDA call at all.
**
** Why reuse at once is safe: every allocation, every kernel and every copy
** of a device is enqueued on its one stream (d->stream). A block freed
** after some work was queued that reads it is handed to work queued later
** on the same stream, which runs after that reader. This is the same
** argument cudaFreeAsync relies on; it would be wrong the day lunar queues
** device work on a second stream without an event between the two.
**
** Classes: powers of two from 512 B to 4 MiB (a request is rounded up to
** its class). Larger requests go straight to cudaMallocAsync on the pool,
** which already keeps them (release threshold UINT64_MAX). The free
** signature carries no size, so the allocator remembers the class of each
** small block it handed out in a table keyed by address (lu_htab.h); an
** address not in the table is a large block.
**
** Cached blocks are given back (cudaFreeAsync) when an allocation runs out
** of memory, before it retries, and at shutdown. The core's live_bytes
** counts what arrays hold, not this cache; memory_info adds the cache to
** the free figure.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cuda_internal.h"

#define MIN_SHIFT 9               /* 512 B */
#define MAX_SHIFT 22              /* 4 MiB */
#define NCLASS (MAX_SHIFT - MIN_SHIFT + 1)

typedef struct live_ent { uint64_t p; int64_t cls; } live_ent;   /* an lu_htab entry */

typedef struct stack { void **v; size_t n, cap; } stack;

struct lu_cuda_alloc {
  stack cache[NCLASS];            /* free blocks per class, reused LIFO */
  lu_htab live;                   /* small blocks handed out: address -> class */
  size_t cached_bytes;
};

/* The class of a request of n bytes, or -1 when it is too large. */
static int class_of(size_t n) {
  int c = 0;
  size_t s = (size_t)1 << MIN_SHIFT;
  if (n > ((size_t)1 << MAX_SHIFT)) return -1;
  while (s < n) { s <<= 1; c++; }
  return c;
}

static size_t class_bytes(int c) { return (size_t)1 << (MIN_SHIFT + c); }

static int live_put(struct lu_cuda_alloc *a, void *ptr, int cls) {
  live_ent *e = (live_ent *)lu_htab_put(&a->live, (uint64_t)(uintptr_t)ptr);
  if (e == NULL) return 0;
  e->cls = cls;
  return 1;
}

/* Remove ptr; returns its class, or -1 when it is not a small block. */
static int live_take(struct lu_cuda_alloc *a, void *ptr) {
  live_ent e;
  return lu_htab_remove(&a->live, (uint64_t)(uintptr_t)ptr, &e) ? (int)e.cls : -1;
}

static int push(stack *s, void *p) {
  if (s->n == s->cap) {
    size_t ncap = s->cap ? 2 * s->cap : 16;
    void **nv = (void **)realloc(s->v, ncap * sizeof *nv);
    if (nv == NULL) return 0;
    s->v = nv;
    s->cap = ncap;
  }
  s->v[s->n++] = p;
  return 1;
}

static cudaError_t raw_alloc(lu_cuda_dev *d, size_t n, void **p) {
  cudaError_t e;
  *p = NULL;
  e = d->use_pool ? cudaMallocAsync(p, n ? n : 1, d->stream) : cudaMalloc(p, n ? n : 1);
  if (e != cudaSuccess) { cudaGetLastError(); *p = NULL; }
  return e;
}

static void raw_free(lu_cuda_dev *d, void *p) {
  if (d->use_pool) cudaFreeAsync(p, d->stream);
  else cudaFree(p);
  cudaGetLastError();
}

static struct lu_cuda_alloc *state(lu_cuda_dev *d) {
  if (d->alloc == NULL) {
    d->alloc = (struct lu_cuda_alloc *)calloc(1, sizeof *d->alloc);
    if (d->alloc != NULL) lu_htab_init(&d->alloc->live, sizeof(live_ent));
  }
  return d->alloc;
}

static void release_cached(lu_cuda_dev *d) {
  struct lu_cuda_alloc *a = d->alloc;
  int c;
  if (a == NULL) return;
  for (c = 0; c < NCLASS; c++) {
    stack *s = &a->cache[c];
    while (s->n > 0) raw_free(d, s->v[--s->n]);
  }
  a->cached_bytes = 0;
}

/* On out-of-memory: give the cache back, let the pool return what no one
** uses (that needs the stream to drain first), and try once more. */
static cudaError_t alloc_retry(lu_cuda_dev *d, size_t n, void **p) {
  cudaError_t e = raw_alloc(d, n, p);
  if (e != cudaErrorMemoryAllocation) return e;
  release_cached(d);
  cudaStreamSynchronize(d->stream);
  if (d->use_pool) cudaMemPoolTrimTo(d->pool, 0);
  cudaGetLastError();
  return raw_alloc(d, n, p);
}

cudaError_t lu_cuda_malloc(lu_cuda_dev *d, size_t n, void **p) {
  struct lu_cuda_alloc *a;
  int c = class_of(n);
  cudaError_t e;
  *p = NULL;
  if (c < 0 || (a = state(d)) == NULL) return alloc_retry(d, n, p);
  if (a->cache[c].n > 0) {
    void *q = a->cache[c].v[--a->cache[c].n];
    if (!live_put(a, q, c)) { a->cache[c].n++; return cudaErrorMemoryAllocation; }
    a->cached_bytes -= class_bytes(c);
    *p = q;
    return cudaSuccess;
  }
  e = alloc_retry(d, class_bytes(c), p);
  if (e != cudaSuccess) return e;
  if (!live_put(a, *p, c)) {   /* no host memory to remember it: do without caching */
    raw_free(d, *p);
    *p = NULL;
    return cudaErrorMemoryAllocation;
  }
  return cudaSuccess;
}

void lu_cuda_mfree(lu_cuda_dev *d, void *p) {
  struct lu_cuda_alloc *a = d->alloc;
  int c;
  if (p == NULL) return;
  c = a ? live_take(a, p) : -1;
  if (c < 0) { raw_free(d, p); return; }
  if (!push(&a->cache[c], p)) { raw_free(d, p); return; }
  a->cached_bytes += class_bytes(c);
}

size_t lu_cuda_alloc_cached(const lu_cuda_dev *d) {
  return d->alloc ? d->alloc->cached_bytes : 0;
}

/* At shutdown (the context goes only after its last buffer): the cache goes
** back while the stream still exists. */
void lu_cuda_alloc_destroy(lu_cuda_dev *d) {
  struct lu_cuda_alloc *a = d->alloc;
  int c;
  if (a == NULL) return;
  release_cached(d);
  for (c = 0; c < NCLASS; c++) free(a->cache[c].v);
  lu_htab_free(&a->live);
  free(a);
  d->alloc = NULL;
}
