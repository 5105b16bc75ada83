/* SPDX-License-Identifier: MIT */
/*
** A cache of large memory blocks, for the backends (lu_backend.h): the CPU
** backend keeps its big buffers in one (fresh pages cost a page fault
** each), the CUDA backend its page-locked host blocks (pinning costs tens
** of milliseconds per 100 MB). One design serves both:
**
** Blocks come in size classes, eight per power of two (at most 12.5%
** unused), so that arrays of nearly the same size share blocks. A freed
** block is kept for reuse; a request takes the newest kept block of its
** class (its pages are the most likely to be in the CPU's caches), else a
** fresh one from the owner's allocator. What is kept is bounded
** (cache_limit) and its oldest blocks go first; the owner may also bound
** everything it holds at once, live and kept (total_limit: pinned pages
** cannot be swapped). When a fresh block cannot be had, the kept ones are
** given back and the request tried once more.
**
** Live blocks are kept sorted by address, so that free recognises the
** cache's own pointers (the owner frees any other) and contains() can say
** whether an address range, a view anywhere in a block, lies in a live
** block. A mutex guards all of it: the CPU's cache is process-wide and
** blocks may be freed by a context other than the one that made them; the
** lock costs nothing next to the megabytes each call moves.
**
** Aging: with a maximum age set, a kept block unused that long goes back
** even when nobody calls the cache again (a script that has moved on to
** pure Lua work, or sits at the REPL's prompt). A reaper thread, started
** when the first block is kept, sleeps until the oldest kept block comes
** of age (on a condition variable, without waking while nothing is kept)
** and gives the aged blocks back under the lock. Without the thread (it
** could not be made, or this process is a fork of the one that made it)
** aged blocks go at the cache's next call, as they did before it.
*/
#include <pthread.h>
#include <unistd.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include "lu_backend.h"
#include "lu_workbench.h"
#include "lu_hostmem.h"

typedef struct block { char *p; size_t size; double t; } block;   /* t: when kept (s) */

struct lu_blockcache {
  pthread_mutex_t lock;
  void *(*fresh)(void *ud, size_t size);
  void (*release)(void *ud, void *p, size_t size);
  void *ud;
  size_t cache_limit, total_limit;
  block *live;                  /* handed out, sorted by address */
  size_t nlive, caplive;
  block *kept;                  /* freed, kept for reuse: oldest first */
  size_t nkept, capkept;
  size_t live_bytes, kept_bytes;
  double max_age;               /* seconds a block stays kept unused; 0: forever */
  pthread_cond_t wake;          /* the reaper's sleep (CLOCK_MONOTONIC) */
  pthread_t reaper;
  pid_t reaper_pid;             /* the process whose thread `reaper` is; 0: none */
  int stopping;                 /* destroy asks the reaper to end */
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

lu_blockcache *lu_blockcache_new(void *(*fresh)(void *ud, size_t size),
                                 void (*release)(void *ud, void *p, size_t size), void *ud,
                                 size_t cache_limit, size_t total_limit) {
  lu_blockcache *bc = (lu_blockcache *)lu_calloc(1, sizeof *bc);
  pthread_condattr_t ca;
  if (bc == NULL) return NULL;
  pthread_mutex_init(&bc->lock, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&bc->wake, &ca);
  pthread_condattr_destroy(&ca);
  bc->fresh = fresh;
  bc->release = release;
  bc->ud = ud;
  bc->cache_limit = cache_limit;
  bc->total_limit = total_limit;
  return bc;
}

static size_t size_class(size_t n) {
  size_t top = 1, step;
  while (top <= n / 2) top <<= 1;           /* highest power of two <= n */
  step = top / 8 > 4096 ? top / 8 : 4096;
  return (n + step - 1) / step * step;
}

static int reserve(block **a, size_t *cap, size_t need) {
  block *q;
  size_t c;
  if (need <= *cap) return 1;
  c = *cap ? *cap * 2 : 16;
  while (c < need) c *= 2;
  q = (block *)lu_realloc(*a, c * sizeof *q);
  if (q == NULL) return 0;
  *a = q;
  *cap = c;
  return 1;
}

/* Index of the first live block whose address is > p. */
static size_t live_upper(const lu_blockcache *bc, const char *p) {
  size_t lo = 0, hi = bc->nlive;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (bc->live[mid].p <= p) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/* Room must have been reserved. */
static void live_add(lu_blockcache *bc, block b) {
  size_t i = live_upper(bc, b.p);
  memmove(bc->live + i + 1, bc->live + i, (bc->nlive - i) * sizeof *bc->live);
  bc->live[i] = b;
  bc->nlive++;
  bc->live_bytes += b.size;
}

static void drop_oldest(lu_blockcache *bc) {
  block b = bc->kept[0];
  memmove(bc->kept, bc->kept + 1, (bc->nkept - 1) * sizeof *bc->kept);
  bc->nkept--;
  bc->kept_bytes -= b.size;
  bc->release(bc->ud, b.p, b.size);
}

/* Kept blocks older than max_age go back (kept is oldest first). */
static void drop_aged(lu_blockcache *bc) {
  double limit;
  if (bc->max_age <= 0 || bc->nkept == 0) return;
  limit = now_s() - bc->max_age;
  while (bc->nkept > 0 && bc->kept[0].t < limit) drop_oldest(bc);
}

/* The reaper (see the top of the file). It holds the lock except while it
** sleeps. */
static void *reap(void *arg) {
  lu_blockcache *bc = (lu_blockcache *)arg;
  pthread_mutex_lock(&bc->lock);
  while (!bc->stopping) {
    drop_aged(bc);
    if (bc->nkept == 0 || bc->max_age <= 0) {
      pthread_cond_wait(&bc->wake, &bc->lock);
    } else {
      double due = bc->kept[0].t + bc->max_age + 0.001;
      struct timespec ts;
      ts.tv_sec = (time_t)due;
      ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
      if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
      pthread_cond_timedwait(&bc->wake, &bc->lock, &ts);
    }
  }
  pthread_mutex_unlock(&bc->lock);
  return NULL;
}

/* A block was just kept (lock held): make sure a reaper will see it. */
static void wake_reaper(lu_blockcache *bc) {
  pid_t me;
  if (bc->max_age <= 0) return;
  me = getpid();
  if (bc->reaper_pid == me) {
    if (bc->nkept == 1) pthread_cond_signal(&bc->wake);   /* it sleeps without a deadline */
    return;
  }
  if (pthread_create(&bc->reaper, NULL, reap, bc) == 0) bc->reaper_pid = me;
}

/* A kept block for a request of this size class, taken out: the newest
** of exactly this size, else the smallest of the sizes up to SPARE_NUM /
** SPARE_DEN of it (the tail goes unused while it is live), which saves
** a fresh block and its page faults when the sizes drift. */
#define SPARE_NUM 5
#define SPARE_DEN 4
static int take_kept(lu_blockcache *bc, size_t size, block *out) {
  size_t i = bc->nkept, best = SIZE_MAX;
  while (i-- > 0) {
    size_t k = bc->kept[i].size;
    if (k == size) { best = i; break; }
    if (k > size && k / SPARE_NUM * SPARE_DEN <= size &&
        (best == SIZE_MAX || k < bc->kept[best].size))
      best = i;
  }
  if (best == SIZE_MAX) return 0;
  *out = bc->kept[best];
  memmove(bc->kept + best, bc->kept + best + 1, (bc->nkept - best - 1) * sizeof *bc->kept);
  bc->nkept--;
  bc->kept_bytes -= out->size;
  return 1;
}

static int fresh_block(lu_blockcache *bc, size_t size, block *out) {
  while (bc->nkept > 0 && bc->live_bytes + bc->kept_bytes + size > bc->total_limit)
    drop_oldest(bc);
  if (bc->live_bytes + size > bc->total_limit) return 0;
  out->size = size;
  out->t = 0;
  out->p = (char *)bc->fresh(bc->ud, size);
  if (out->p == NULL && bc->nkept > 0) {    /* give the kept blocks back, once */
    while (bc->nkept > 0) drop_oldest(bc);
    out->p = (char *)bc->fresh(bc->ud, size);
  }
  return out->p != NULL;
}

void *lu_blockcache_alloc(lu_blockcache *bc, size_t nbytes) {
  block b;
  void *p = NULL;
  if (bc == NULL || nbytes == 0) return NULL;
  pthread_mutex_lock(&bc->lock);
  drop_aged(bc);
  if (reserve(&bc->live, &bc->caplive, bc->nlive + 1) &&
      (take_kept(bc, size_class(nbytes), &b) || fresh_block(bc, size_class(nbytes), &b))) {
    live_add(bc, b);
    p = b.p;
  }
  pthread_mutex_unlock(&bc->lock);
  return p;
}

void *lu_blockcache_alloc_reuse(lu_blockcache *bc, size_t nbytes, size_t max_live) {
  block b;
  void *p = NULL;
  size_t size, i, n = 0;
  if (bc == NULL || nbytes == 0) return NULL;
  size = size_class(nbytes);
  pthread_mutex_lock(&bc->lock);
  drop_aged(bc);
  for (i = 0; i < bc->nlive && n < max_live; i++) n += bc->live[i].size == size;
  if (reserve(&bc->live, &bc->caplive, bc->nlive + 1) &&
      (take_kept(bc, size, &b) || (n < max_live && fresh_block(bc, size, &b)))) {
    live_add(bc, b);
    p = b.p;
  }
  pthread_mutex_unlock(&bc->lock);
  return p;
}

int lu_blockcache_free(lu_blockcache *bc, void *p) {
  size_t i;
  block b;
  if (bc == NULL || p == NULL) return 0;
  pthread_mutex_lock(&bc->lock);
  i = live_upper(bc, (const char *)p);
  if (i == 0 || bc->live[i - 1].p != (char *)p) {
    pthread_mutex_unlock(&bc->lock);
    return 0;
  }
  b = bc->live[--i];
  memmove(bc->live + i, bc->live + i + 1, (bc->nlive - i - 1) * sizeof *bc->live);
  bc->nlive--;
  bc->live_bytes -= b.size;
  if (b.size > bc->cache_limit || !reserve(&bc->kept, &bc->capkept, bc->nkept + 1)) {
    bc->release(bc->ud, b.p, b.size);
  } else {
    drop_aged(bc);
    while (bc->nkept > 0 && bc->kept_bytes + b.size > bc->cache_limit) drop_oldest(bc);
    b.t = bc->max_age > 0 ? now_s() : 0;
    bc->kept[bc->nkept++] = b;
    bc->kept_bytes += b.size;
    wake_reaper(bc);
  }
  pthread_mutex_unlock(&bc->lock);
  return 1;
}

int lu_blockcache_contains(lu_blockcache *bc, const void *p, size_t n) {
  const char *c = (const char *)p;
  size_t i;
  int in = 0;
  if (bc == NULL) return 0;
  pthread_mutex_lock(&bc->lock);
  i = live_upper(bc, c);
  if (i > 0) {
    const block *b = &bc->live[i - 1];
    size_t off = (size_t)(c - b->p);
    in = off <= b->size && n <= b->size - off;
  }
  pthread_mutex_unlock(&bc->lock);
  return in;
}

void lu_blockcache_trim(lu_blockcache *bc) { lu_blockcache_trim_to(bc, 0); }

void lu_blockcache_trim_to(lu_blockcache *bc, size_t keep) {
  if (bc == NULL) return;
  pthread_mutex_lock(&bc->lock);
  while (bc->nkept > 0 && bc->kept_bytes > keep) drop_oldest(bc);
  pthread_mutex_unlock(&bc->lock);
}

void lu_blockcache_destroy(lu_blockcache *bc) {
  size_t i;
  if (bc == NULL) return;
  pthread_mutex_lock(&bc->lock);
  bc->stopping = 1;
  pthread_cond_signal(&bc->wake);
  pthread_mutex_unlock(&bc->lock);
  if (bc->reaper_pid == getpid()) pthread_join(bc->reaper, NULL);
  lu_blockcache_trim(bc);
  for (i = 0; i < bc->nlive; i++) bc->release(bc->ud, bc->live[i].p, bc->live[i].size);
  free(bc->kept);
  free(bc->live);
  pthread_cond_destroy(&bc->wake);
  pthread_mutex_destroy(&bc->lock);
  free(bc);
}

/* {===== the workbench's view (lu_workbench.h): memory pools */
void lu_blockcache_stats(lu_blockcache *bc, size_t *live, size_t *kept) {
  *live = *kept = 0;
  if (bc == NULL) return;
  pthread_mutex_lock(&bc->lock);
  *live = bc->live_bytes;
  *kept = bc->kept_bytes;
  pthread_mutex_unlock(&bc->lock);
}

size_t lu_blockcache_limit(lu_blockcache *bc) {
  size_t l;
  if (bc == NULL) return SIZE_MAX;
  pthread_mutex_lock(&bc->lock);
  l = bc->total_limit;
  pthread_mutex_unlock(&bc->lock);
  return l;
}

void lu_blockcache_set_max_age(lu_blockcache *bc, double seconds) {
  if (bc == NULL) return;
  pthread_mutex_lock(&bc->lock);
  bc->max_age = seconds > 0 ? seconds : 0;
  if (bc->reaper_pid != 0) pthread_cond_signal(&bc->wake);   /* a new deadline */
  pthread_mutex_unlock(&bc->lock);
}

/* Kept blocks beyond the new bound go at once; live ones stay (they are
** freed as usual), so the cache may hold more than the bound until then. */
void lu_blockcache_set_limit(lu_blockcache *bc, size_t total_limit) {
  if (bc == NULL) return;
  pthread_mutex_lock(&bc->lock);
  bc->total_limit = total_limit;
  while (bc->nkept > 0 && bc->live_bytes + bc->kept_bytes > total_limit) drop_oldest(bc);
  pthread_mutex_unlock(&bc->lock);
}
/* }===== */
