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
** of a device is enqueued on its current stream (d->stream). A block freed
** after some work was queued that reads it is handed to work queued later
** on the same stream, which runs after that reader. This is the same
** argument cudaFreeAsync relies on. lunar.cuda.stream(s, fn) keeps it true
** across streams by fork and join (stream.c): s waits for the stream before
** it, and that stream waits for s when fn returns, so work on the two is
** never unordered and a block freed on one may go to work on the other.
**
** Graphs (stream.c): during a capture nothing runs, it is only recorded,
** and every replay writes the blocks the capture used again. So a block
** allocated during a capture, or freed during it, is held by the graph
** (struct lu_cuda_capture, the table d->gown) until the graph is
** destroyed, and is never handed to other work meanwhile; blocks allocated
** and freed within one capture are reused within that capture, which is
** safe in the graph's own order. The driver calls of the allocator go to
** the device's own stream during a capture (cudaMallocAsync on the
** capturing stream would become a node of the graph).
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
**
** For lunar.cuda.memory_pool (lu_workbench.h) large blocks are in the
** table too, with their size, so that `used` counts every byte handed out;
** an optional limit bounds used + cached.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cuda_internal.h"
#include "lu_workbench.h"
#include "lu_hostmem.h"

#define MIN_SHIFT 9               /* 512 B */
#define MAX_SHIFT 22              /* 4 MiB */
#define NCLASS (MAX_SHIFT - MIN_SHIFT + 1)

/* an lu_htab entry: cls >= 0 a class, < 0 a large block of -cls bytes */
typedef struct live_ent { uint64_t p; int64_t cls; } live_ent;

typedef struct stack { void **v; size_t n, cap; } stack;

struct lu_cuda_alloc {
  stack cache[NCLASS];            /* free blocks per class, reused LIFO */
  lu_htab live;                   /* blocks handed out: address -> class or size */
  size_t cached_bytes;
  size_t used;                    /* bytes handed out (known blocks) */
  size_t limit;                   /* on used + cached; 0: none */
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

static int live_put(struct lu_cuda_alloc *a, void *ptr, int64_t cls) {
  live_ent *e = (live_ent *)lu_htab_put(&a->live, (uint64_t)(uintptr_t)ptr);
  if (e == NULL) return 0;
  e->cls = cls;
  return 1;
}

/* Remove ptr; returns its entry (cls >= 0 a class, < 0 minus a large
** block's size), or INT64_MIN when the table does not know it. */
static int64_t live_take(struct lu_cuda_alloc *a, void *ptr) {
  live_ent e;
  return lu_htab_remove(&a->live, (uint64_t)(uintptr_t)ptr, &e) ? e.cls : INT64_MIN;
}

static int push(stack *s, void *p) {
  if (s->n == s->cap) {
    size_t ncap = s->cap ? 2 * s->cap : 16;
    void **nv = (void **)lu_realloc(s->v, ncap * sizeof *nv);
    if (nv == NULL) return 0;
    s->v = nv;
    s->cap = ncap;
  }
  s->v[s->n++] = p;
  return 1;
}

/* The stream of the allocator's own driver calls: not a capturing one */
static cudaStream_t astream(const lu_cuda_dev *d) {
  return d->capture != NULL ? d->own : d->stream;
}

static cudaError_t raw_alloc(lu_cuda_dev *d, size_t n, void **p) {
  cudaError_t e;
  *p = NULL;
  e = d->use_pool ? cudaMallocAsync(p, n ? n : 1, astream(d)) : cudaMalloc(p, n ? n : 1);
  if (e != cudaSuccess) { cudaGetLastError(); *p = NULL; }
  return e;
}

static void raw_free(lu_cuda_dev *d, void *p) {
  if (d->use_pool) cudaFreeAsync(p, astream(d));
  else cudaFree(p);
  cudaGetLastError();
}

static struct lu_cuda_alloc *state(lu_cuda_dev *d) {
  if (d->alloc == NULL) {
    d->alloc = (struct lu_cuda_alloc *)lu_calloc(1, sizeof *d->alloc);
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
  cudaStreamSynchronize(astream(d));
  if (d->use_pool) cudaMemPoolTrimTo(d->pool, 0);
  cudaGetLastError();
  return raw_alloc(d, n, p);
}

/* Within the pool's limit, if it has one: the cache goes back first. */
static int within_limit(lu_cuda_dev *d, struct lu_cuda_alloc *a, size_t n) {
  if (a == NULL || a->limit == 0) return 1;
  if (n > a->limit || a->used > a->limit - n) return 0;
  if (a->cached_bytes > a->limit - n - a->used) release_cached(d);
  return 1;
}

/* A large block, remembered with its size when the table has room. */
static cudaError_t alloc_large(lu_cuda_dev *d, struct lu_cuda_alloc *a, size_t n, void **p) {
  cudaError_t e;
  if (!within_limit(d, a, n)) return cudaErrorMemoryAllocation;
  e = alloc_retry(d, n, p);
  if (e != cudaSuccess || a == NULL || n > (size_t)INT64_MAX) return e;
  if (live_put(a, *p, -(int64_t)n)) a->used += n;
  return cudaSuccess;
}

/* {===== blocks held by graphs */
/* An entry of d->gown: the capture (graph) that holds the block, NULL when
** the graph is gone and only an array still has it; live: an array or a
** launcher has it now; reuse: allocated by the capture, so the capture may
** hand it out again; want: its class (>= 0) or minus its size in bytes. */
typedef struct gown_ent {
  uint64_t p;
  lu_cuda_capture *holder;
  int32_t live, reuse;
  int64_t want;
} gown_ent;

static gown_ent *gown_get(lu_cuda_dev *d, void *p) {
  return (gown_ent *)lu_htab_get(&d->gown, (uint64_t)(uintptr_t)p);
}

/* Adds p to capture c; 0 when host memory ran out. */
static int hold(lu_cuda_dev *d, lu_cuda_capture *c, void *p, int live, int reuse, int64_t want) {
  gown_ent *e;
  if (c->nheld == c->heldcap) {
    size_t ncap = c->heldcap ? 2 * c->heldcap : 16;
    void **nv = (void **)lu_realloc(c->held, ncap * sizeof *nv);
    if (nv == NULL) return 0;
    c->held = nv;
    c->heldcap = ncap;
  }
  if (d->gown.esize == 0) lu_htab_init(&d->gown, sizeof(gown_ent));
  if ((e = (gown_ent *)lu_htab_put(&d->gown, (uint64_t)(uintptr_t)p)) == NULL) return 0;
  e->holder = c;
  e->live = live;
  e->reuse = reuse;
  e->want = want;
  c->held[c->nheld++] = p;
  return 1;
}

/* A block this capture allocated and got back, of the same class (small)
** or size (large), or NULL. A linear walk: captures are short and done
** once. */
static void *capture_reuse(lu_cuda_dev *d, lu_cuda_capture *c, int64_t want) {
  size_t i;
  for (i = c->nheld; i-- > 0;) {
    gown_ent *e = gown_get(d, c->held[i]);
    if (e != NULL && e->holder == c && e->reuse && !e->live && e->want == want) {
      e->live = 1;
      return c->held[i];
    }
  }
  return NULL;
}

static cudaError_t malloc_plain(lu_cuda_dev *d, size_t n, void **p);

/* During a capture: reuse within the capture, else a block as usual,
** which the capture then holds. */
static cudaError_t malloc_captured(lu_cuda_dev *d, size_t n, void **p) {
  lu_cuda_capture *c = d->capture;
  int cls = class_of(n);
  int64_t want = cls >= 0 ? cls : -(int64_t)n;
  cudaError_t e;
  if (n > (size_t)INT64_MAX) return cudaErrorMemoryAllocation;
  if ((*p = capture_reuse(d, c, want)) != NULL) return cudaSuccess;
  if ((e = malloc_plain(d, n, p)) != cudaSuccess) return e;
  if (!hold(d, c, *p, 1, 1, want)) {
    lu_cuda_capture *keep = d->capture;
    d->capture = NULL;            /* a plain free: the block never reached the graph */
    lu_cuda_mfree(d, *p);
    d->capture = keep;
    *p = NULL;
    return cudaErrorMemoryAllocation;
  }
  return cudaSuccess;
}

void lu_cuda_capture_release(lu_cuda_dev *d, lu_cuda_capture *c) {
  size_t i;
  for (i = 0; i < c->nheld; i++) {
    void *p = c->held[i];
    gown_ent *e = gown_get(d, p);
    if (e == NULL || e->holder != c) continue;
    if (e->live) { e->holder = NULL; continue; }   /* freed when its array frees it */
    lu_htab_remove(&d->gown, (uint64_t)(uintptr_t)p, NULL);
    lu_cuda_mfree(d, p);
  }
  free(c->held);
  c->held = NULL;
  c->nheld = c->heldcap = 0;
}
/* }===== */

cudaError_t lu_cuda_malloc(lu_cuda_dev *d, size_t n, void **p) {
  *p = NULL;
  if (d->capture != NULL) return malloc_captured(d, n, p);
  return malloc_plain(d, n, p);
}

static cudaError_t malloc_plain(lu_cuda_dev *d, size_t n, void **p) {
  struct lu_cuda_alloc *a = state(d);
  int c = class_of(n);
  cudaError_t e;
  *p = NULL;
  if (lu_fail_alloc(LU_FAIL_DEVICE)) return cudaErrorMemoryAllocation;   /* tests/allocfail */
  if (c < 0 || a == NULL) return alloc_large(d, a, n, p);
  if (a->cache[c].n > 0) {
    void *q = a->cache[c].v[--a->cache[c].n];
    if (!live_put(a, q, c)) { a->cache[c].n++; return cudaErrorMemoryAllocation; }
    a->cached_bytes -= class_bytes(c);
    a->used += class_bytes(c);
    *p = q;
    return cudaSuccess;
  }
  if (!within_limit(d, a, class_bytes(c))) return cudaErrorMemoryAllocation;
  e = alloc_retry(d, class_bytes(c), p);
  if (e != cudaSuccess) return e;
  if (!live_put(a, *p, c)) {   /* no host memory to remember it: do without caching */
    raw_free(d, *p);
    *p = NULL;
    return cudaErrorMemoryAllocation;
  }
  a->used += class_bytes(c);
  return cudaSuccess;
}

void lu_cuda_mfree(lu_cuda_dev *d, void *p) {
  struct lu_cuda_alloc *a = d->alloc;
  int64_t c;
  gown_ent *g;
  if (p == NULL) return;
  if ((g = gown_get(d, p)) != NULL) {        /* a graph's block */
    g->live = 0;
    if (g->holder != NULL) return;           /* the graph keeps it */
    lu_htab_remove(&d->gown, (uint64_t)(uintptr_t)p, NULL);
  }
  if (d->capture != NULL) {
    /* freed during a capture: the graph may read it on every replay. With no
    ** host memory to remember it, it is kept out of every pool (a leak, not
    ** a corruption). */
    hold(d, d->capture, p, 0, 0, 0);
    return;
  }
  c = a ? live_take(a, p) : INT64_MIN;
  if (c == INT64_MIN) { raw_free(d, p); return; }
  if (c < 0) {                               /* a large block */
    a->used -= (size_t)-c;
    raw_free(d, p);
    return;
  }
  a->used -= class_bytes((int)c);
  if (!push(&a->cache[c], p)) { raw_free(d, p); return; }
  a->cached_bytes += class_bytes((int)c);
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

/* {===== lunar.cuda.memory_pool (lu_workbench.h) */
static int pool_info(lu_ctx *ctx, int dev, size_t *used, size_t *total, size_t *limit) {
  lu_cuda_dev *d;
  struct lu_cuda_alloc *a;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  a = state(d);
  *used = a ? a->used : 0;
  *total = *used + (a ? a->cached_bytes : 0);
  *limit = a && a->limit ? a->limit : SIZE_MAX;
  if (d->use_pool) {   /* the driver's pool also keeps freed large blocks */
    uint64_t reserved = 0;
    CU_CHECK(ctx, cudaMemPoolGetAttribute(d->pool, cudaMemPoolAttrReservedMemCurrent, &reserved));
    if ((size_t)reserved > *total) *total = (size_t)reserved;
  }
  return LU_OK;
}

/* The cache goes back, the stream drains, the driver's pool returns what
** no block uses. */
static int pool_free_all(lu_ctx *ctx, int dev) {
  lu_cuda_dev *d;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  if ((rc = lu_cuda_no_capture(ctx, d, "a wait for the memory pool")) != LU_OK) return rc;
  release_cached(d);
  CU_CHECK(ctx, cudaStreamSynchronize(d->stream));
  if (d->use_pool) CU_CHECK(ctx, cudaMemPoolTrimTo(d->pool, 0));
  return LU_OK;
}

static int pool_set_limit(lu_ctx *ctx, int dev, size_t limit) {
  lu_cuda_dev *d;
  struct lu_cuda_alloc *a;
  int rc = lu_cuda_device(ctx, dev, &d);
  if (rc != LU_OK) return rc;
  if ((a = state(d)) == NULL) return lu_seterr(ctx, LU_EMEM, "set_limit: out of host memory");
  a->limit = limit == SIZE_MAX ? 0 : (limit ? limit : 1);
  return LU_OK;
}

const lu_pool_ops lu_cuda_pool_ops = {pool_info, pool_free_all, pool_set_limit};
/* }===== */
