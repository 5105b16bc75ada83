/* SPDX-License-Identifier: MIT */
/*
** A cache of large CPU buffers. A fresh 40 MB buffer costs ten thousand page
** faults (the kernel zeroes, maps and charges every 4 KB page) before the op
** that fills it runs: for a copy or an `a + b` of 10^7 floats that is most
** of the time (measured with perf: page-fault work 3x the copy loop itself).
** So freed large buffers are kept, by size class, and handed out again;
** fresh ones are advised to use huge pages (2 MB: 512x fewer faults), as
** NumPy does for its large arrays.
**
** Process-wide, behind a mutex: buffers may be freed by a context other than
** the one that made them, and the lock costs nothing next to a 1 MB buffer.
** Blocks come from posix_memalign, so a block this cache does not know (one
** freed after lu_cpu_cache_release) can still go to free(). Live blocks are
** kept in an address-sorted table so cache_free recognises its own.
** The cache is bounded (CACHE_LIMIT, and an eighth of the machine's memory);
** when full, its oldest blocks go first.
*/
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/mman.h>
#include "cpu_internal.h"
#include "cpu_cache.h"

#define MiB ((size_t)1 << 20)
#define CACHE_LIMIT ((size_t)1024 * MiB)   /* most bytes kept for reuse */
#define HUGE_MIN ((size_t)4 * MiB)         /* from here up: 2 MB aligned, huge pages */
#define HUGE_ALIGN ((size_t)2 * MiB)

typedef struct cblock { char *p; size_t size; } cblock;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static cblock *live;            /* handed out, sorted by address */
static size_t nlive, caplive;
static cblock *cache;           /* freed, kept for reuse: oldest first */
static size_t ncache, capcache;
static size_t cache_bytes, cache_limit;

/* Eight classes per power of two (at most 12.5% unused), so that arrays of
** nearly the same size share blocks. */
static size_t size_class(size_t n) {
  size_t top = 1, step;
  while (top <= n / 2) top <<= 1;           /* highest power of two <= n */
  step = top / 8 > 4096 ? top / 8 : 4096;
  return (n + step - 1) / step * step;
}

static size_t limit_bytes(void) {
  if (cache_limit == 0) {
    long pg = sysconf(_SC_PAGESIZE), np = sysconf(_SC_PHYS_PAGES);
    size_t eighth = (pg > 0 && np > 0) ? (size_t)np / 8 * (size_t)pg : CACHE_LIMIT;
    cache_limit = eighth < CACHE_LIMIT ? eighth : CACHE_LIMIT;
  }
  return cache_limit;
}

static int grow(cblock **v, size_t *cap, size_t need) {
  if (need <= *cap) return 1;
  size_t nc = *cap ? *cap * 2 : 64;
  while (nc < need) nc *= 2;
  cblock *nv = realloc(*v, nc * sizeof **v);
  if (nv == NULL) return 0;
  *v = nv; *cap = nc;
  return 1;
}

/* index of the first live block with address >= p */
static size_t live_find(const char *p) {
  size_t lo = 0, hi = nlive;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (live[mid].p < p) lo = mid + 1; else hi = mid;
  }
  return lo;
}

static int live_add(char *p, size_t size) {
  size_t i;
  if (!grow(&live, &caplive, nlive + 1)) return 0;
  i = live_find(p);
  memmove(live + i + 1, live + i, (nlive - i) * sizeof *live);
  live[i].p = p; live[i].size = size;
  nlive++;
  return 1;
}

static void cache_drop_oldest(void) {
  free(cache[0].p);
  cache_bytes -= cache[0].size;
  memmove(cache, cache + 1, (ncache - 1) * sizeof *cache);
  ncache--;
}

/* A fresh block of `size` bytes (a size class), or NULL. */
static char *fresh(size_t size) {
  void *q = NULL;
  size_t align = size >= HUGE_MIN ? HUGE_ALIGN : 64;
  if (posix_memalign(&q, align, size) != 0) return NULL;
#ifdef MADV_HUGEPAGE
  if (size >= HUGE_MIN) madvise(q, size, MADV_HUGEPAGE);  /* advice only: failure is fine */
#endif
  return q;
}

/* A block of at least nbytes: a cached one of the same class (the newest,
** whose pages are most likely still in cache), else a fresh one. Returns
** LU_OK, or LU_EMEM with no message (the caller reports it). */
int lu_cpu_cache_alloc(size_t nbytes, void **p) {
  size_t size = size_class(nbytes);
  char *q = NULL;
  pthread_mutex_lock(&lock);
  for (size_t i = ncache; i-- > 0;) {
    if (cache[i].size == size) {
      q = cache[i].p;
      cache_bytes -= size;
      memmove(cache + i, cache + i + 1, (ncache - i - 1) * sizeof *cache);
      ncache--;
      break;
    }
  }
  if (q == NULL) {
    q = fresh(size);
    /* out of memory with blocks cached: give them back and try again */
    if (q == NULL && ncache > 0) {
      while (ncache > 0) cache_drop_oldest();
      q = fresh(size);
    }
  }
  if (q != NULL && !live_add(q, size)) { free(q); q = NULL; }
  pthread_mutex_unlock(&lock);
  *p = q;
  return q != NULL ? LU_OK : LU_EMEM;
}

/* Takes p back when it is one of this cache's live blocks (returns 1), and
** keeps it for reuse while the cache has room; returns 0 for any other
** pointer (the caller frees it). */
int lu_cpu_cache_free(void *p) {
  char *q = p;
  size_t i, size;
  if (q == NULL) return 0;
  pthread_mutex_lock(&lock);
  i = live_find(q);
  if (i >= nlive || live[i].p != q) { pthread_mutex_unlock(&lock); return 0; }
  size = live[i].size;
  memmove(live + i, live + i + 1, (nlive - i - 1) * sizeof *live);
  nlive--;
  if (size > limit_bytes() || !grow(&cache, &capcache, ncache + 1)) {
    free(q);
  } else {
    while (ncache > 0 && cache_bytes + size > limit_bytes()) cache_drop_oldest();
    cache[ncache].p = q; cache[ncache].size = size;
    ncache++;
    cache_bytes += size;
  }
  pthread_mutex_unlock(&lock);
  return 1;
}

/* Frees every cached (not live) block. Live blocks stay known, so freeing
** them later still works. */
void lu_cpu_cache_release(void) {
  pthread_mutex_lock(&lock);
  while (ncache > 0) cache_drop_oldest();
  free(cache); cache = NULL; capcache = 0;
  if (nlive == 0) { free(live); live = NULL; caplive = 0; }
  pthread_mutex_unlock(&lock);
}

/* Bytes held in the cache (freed, kept for reuse). */
size_t lu_cpu_cache_bytes(void) {
  size_t n;
  pthread_mutex_lock(&lock);
  n = cache_bytes;
  pthread_mutex_unlock(&lock);
  return n;
}
