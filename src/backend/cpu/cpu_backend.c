/* SPDX-License-Identifier: MIT */
/*
** The CPU backend's interface struct and its device services: memory is
** host memory (64-byte aligned), transfers are memcpy, work is synchronous,
** events are host timestamps. The backend keeps no per-context state.
*/
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/mman.h>
#include <dirent.h>
#include <stdio.h>
#include "cpu_internal.h"
#include "cpu_pool.h"
#include "lu_workbench.h"
#include "lu_hostmem.h"

static int cpu_device_count(lu_ctx *ctx) { (void)ctx; return 1; }

/* {===== memory
** Buffers of PIN_MIN bytes and more come from lu_host_alloc when a GPU
** backend installed one (page-locked memory: host<->device copies then
** need no staging); else those of BIG_MIN bytes and more from a cache of
** big buffers; smaller ones from a cache of their own (cpu_small.c). (BIG_MIN is below glibc's
** mmap threshold once that has grown: 800 KB temporaries from malloc were
** each mapped afresh and faulted in, 1.5x slower than from the cache.)
**
** Why a cache: a fresh 40 MB buffer costs ten thousand page faults (the
** kernel zeroes, maps and charges every 4 KB page) before the op that
** fills it runs: for a copy or an `a + b` of 10^7 floats that is most of
** the time (measured with perf: page-fault work 3x the copy loop itself).
** So freed big buffers are kept and handed out again (lu_blockcache, shared
** with the CUDA backend's pinned blocks); fresh ones are advised to use
** huge pages (2 MB: 512x fewer faults), as NumPy does for its large
** arrays, but on a VM that hands free memory back to its host (see
** huge_pages). One cache for the process: a buffer may be freed by a context
** other than the one that made it.
**
** Memory that goes back: the cache keeps at most LUNAR_CPU_POOL_LIMIT
** bytes (default: an eighth of the machine's memory, at most 1 GiB); a
** kept buffer nobody took for MAX_AGE seconds goes back then (the
** cache's reaper thread, blockcache.c), calls or not; free_all_blocks (and collectgarbage(), lb_workbench.c) gives
** back all of it and trims the C library's heap. Big buffers are mapped
** with mmap, not malloc'd, so that going back means back to the system:
** glibc raises its mmap threshold after a big free, and the next big
** malloc would come from a heap that only malloc_trim shrinks. */
#define MiB ((size_t)1 << 20)
#define PIN_MIN MiB
#define BIG_MIN ((size_t)256 << 10)
#define KEEP_LIMIT ((size_t)1024 * MiB)
#define HUGE_MIN ((size_t)4 * MiB)         /* from here up: 2 MB aligned, huge pages */
#define HUGE_ALIGN ((size_t)2 * MiB)
#define MAX_AGE 1.0

static lu_blockcache *big;
static pthread_once_t big_once = PTHREAD_ONCE_INIT;

/* Whether fresh big blocks get huge pages (set by make_big).
**
** Not on a VM whose kernel reports free memory to the host (a virtio
** balloon with free page reporting, VIRTIO_BALLOON_F_REPORTING, feature
** bit 5: Firecracker's, this project's build machine): the kernel reports
** free blocks of 2 MB and more, the host takes their memory back, and the
** next touch waits for the host to fault it in again. A huge page always
** comes from such a block; 4 KB pages come first from the smaller free
** pieces that were never reported. Measured there (2 cores, a busy loop
** on each), montecarlo's 240 MB of fresh buffers: 0.37-1.1 s of system
** time with huge pages, 0.09-0.13 s without, wall 1.2-2.1 s against
** 1.2-1.5 s (NumPy, which also advises huge pages: 0.4-0.5 s system,
** 1.6-2.2 s wall). LUNAR_HUGEPAGES=0 or 1 decides instead. */
static int huge_pages = 1;

static int page_reporting_vm(void) {
  DIR *d = opendir("/sys/bus/virtio/devices");
  struct dirent *e;
  char path[300], buf[160];
  int found = 0;
  if (d == NULL) return 0;
  while (!found && (e = readdir(d)) != NULL) {
    FILE *f;
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/sys/bus/virtio/devices/%.200s/device", e->d_name);
    if ((f = fopen(path, "r")) == NULL) continue;
    int balloon = fgets(buf, sizeof buf, f) != NULL && strtol(buf, NULL, 0) == 5;
    fclose(f);
    if (!balloon) continue;
    snprintf(path, sizeof path, "/sys/bus/virtio/devices/%.200s/features", e->d_name);
    if ((f = fopen(path, "r")) == NULL) continue;
    /* one character per feature bit, bit 0 first */
    found = fgets(buf, sizeof buf, f) != NULL && strlen(buf) > 5 && buf[5] == '1';
    fclose(f);
  }
  closedir(d);
  return found;
}

/* size is a multiple of 4096 (the cache's size classes). Huge-page blocks
** are cut out of a mapping HUGE_ALIGN larger, the ends unmapped. */
static void *fresh_big(void *ud, size_t size) {
  size_t extra = size >= HUGE_MIN ? HUGE_ALIGN : 0;
  char *q, *a;
  (void)ud;
  q = mmap(NULL, size + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (q == MAP_FAILED) return NULL;
  if (extra == 0) return q;
  a = (char *)(((uintptr_t)q + HUGE_ALIGN - 1) & ~(uintptr_t)(HUGE_ALIGN - 1));
  if (a > q) munmap(q, (size_t)(a - q));
  if (a + size < q + size + extra) munmap(a + size, (size_t)(q + size + extra - (a + size)));
#if defined(MADV_HUGEPAGE) && defined(MADV_NOHUGEPAGE)
  madvise(a, size, huge_pages ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);  /* advice only */
#endif
  return a;
}

static void release_big(void *ud, void *p, size_t size) { (void)ud; munmap(p, size); }

/* LUNAR_CPU_POOL_LIMIT: bytes, with an optional K, M or G (powers of
** 1024), or a percentage of the machine's memory ("10%"); 0 keeps
** nothing. Anything else leaves the default. */
static size_t keep_limit(size_t ram) {
  const char *v = getenv("LUNAR_CPU_POOL_LIMIT");
  char *end;
  double x;
  size_t def = ram / 8 < KEEP_LIMIT ? ram / 8 : KEEP_LIMIT;
  if (v == NULL || *v == '\0') return def;
  x = strtod(v, &end);
  if (end == v || !(x >= 0) || x > 1e18) return def;
  switch (*end) {
    case '%': x = x / 100 * (double)ram; end++; break;
    case 'k': case 'K': x *= 1024; end++; break;
    case 'm': case 'M': x *= 1024.0 * 1024; end++; break;
    case 'g': case 'G': x *= 1024.0 * 1024 * 1024; end++; break;
    default: break;
  }
  if (*end != '\0' || !(x <= 1e18)) return def;
  return (size_t)x;
}

static void make_big(void) {
  long pg = sysconf(_SC_PAGESIZE), np = sysconf(_SC_PHYS_PAGES);
  size_t ram = (pg > 0 && np > 0) ? (size_t)np * (size_t)pg : 8 * KEEP_LIMIT;
  const char *hp = getenv("LUNAR_HUGEPAGES");
  if (hp != NULL && (strcmp(hp, "0") == 0 || strcmp(hp, "1") == 0)) huge_pages = hp[0] == '1';
  else huge_pages = !page_reporting_vm();
  big = lu_blockcache_new(fresh_big, release_big, NULL, keep_limit(ram), SIZE_MAX);
  lu_blockcache_set_max_age(big, MAX_AGE);
}

/* A 0-byte request still returns a distinct valid pointer (as malloc may
** not), so callers never mistake an empty array for a failure. */
static int cpu_alloc(lu_ctx *ctx, int dev, size_t nbytes, void **p) {
  void *q = NULL;
  (void)dev;
  if (lu_fail_alloc(LU_FAIL_HOST)) {   /* the allocation-failure walk */
    *p = NULL;
    return lu_seterr(ctx, LU_EMEM, "cpu: out of memory allocating %zu bytes", nbytes);
  }
  if (nbytes >= BIG_MIN) {
    pthread_once(&big_once, make_big);
    /* pinned unless the pool is bounded (lunar.memory_pool("cpu"):set_limit):
    ** the limit is the cache's, which pinned blocks would go around */
    if (nbytes >= PIN_MIN && lu_blockcache_limit(big) == SIZE_MAX &&
        lu_host_alloc(ctx, nbytes, &q) == LU_OK && q != NULL) {
      *p = q;
      return LU_OK;
    }
    /* reused without page faults, or fresh on huge pages */
    if ((q = lu_blockcache_alloc(big, nbytes)) != NULL) { *p = q; return LU_OK; }
    /* the pool is bounded (lunar.memory_pool("cpu"):set_limit): no way around it */
    if (lu_blockcache_limit(big) != SIZE_MAX) {
      *p = NULL;
      return lu_seterr(ctx, LU_EMEM, "cpu: out of memory allocating %zu bytes: the CPU memory "
                       "pool's limit is %zu bytes", nbytes, lu_blockcache_limit(big));
    }
  }
  if ((q = lu_cpu_small_alloc(nbytes)) == NULL) {
    *p = NULL;
    return lu_seterr(ctx, LU_EMEM, "cpu: out of memory allocating %zu bytes", nbytes);
  }
  *p = q;
  return LU_OK;
}

/* Scratch memory of the backend's own loops (a sort's key buffers): big
** blocks from the same cache as arrays' (reused without page faults: a
** sort of 10^7 float32 spent 10% of its time faulting in fresh scratch),
** small ones from the C library. NULL when out of memory, or past the
** bound of a bounded pool. */
void *lu_cpu_scratch(size_t nbytes) {
  void *q = NULL;
  if (lu_fail_alloc(LU_FAIL_HOST)) return NULL;
  if (nbytes >= BIG_MIN) {
    pthread_once(&big_once, make_big);
    if ((q = lu_blockcache_alloc(big, nbytes)) != NULL) return q;
    if (lu_blockcache_limit(big) != SIZE_MAX) return NULL;
  }
  return lu_cpu_small_alloc(nbytes);
}

/* A block of the big cache or a small one (the C library's otherwise) */
void lu_cpu_scratch_free(void *p) {
  if (p == NULL) return;
  pthread_once(&big_once, make_big);
  if (!lu_blockcache_free(big, p) && !lu_cpu_small_free(p)) free(p);
}

static void cpu_free(lu_ctx *ctx, int dev, void *p) {
  (void)dev;
  if (p == NULL || lu_cpu_unmap(p) || lu_host_free(ctx, p)) return;
  lu_cpu_scratch_free(p);
}
/* }===== */

static int cpu_upload(lu_ctx *ctx, int dev, void *d_dst, const void *h_src, size_t n) {
  (void)ctx; (void)dev;
  if (n && d_dst != h_src) memmove(d_dst, h_src, n);
  return LU_OK;
}

static int cpu_download(lu_ctx *ctx, int dev, void *h_dst, const void *d_src, size_t n) {
  (void)ctx; (void)dev;
  if (n && h_dst != d_src) memmove(h_dst, d_src, n);
  return LU_OK;
}

/* Rows of contiguous bytes: memcpy in pieces of 256 KB shared by the pool's
** threads (one row of a large array is split too). */
typedef struct rowjob {
  char *dst;
  const char *src;
  size_t dpitch, spitch, width, height, per, nrows;
} rowjob;

#define ROW_PIECE ((size_t)256 << 10)

/* task t: piece t % per of row t / per when rows are wide (per > 1), else
** rows [t * nrows, (t + 1) * nrows) */
static void row_piece(void *arg, int64_t t) {
  const rowjob *j = arg;
  if (j->per > 1) {
    size_t r = (size_t)t / j->per, off = ((size_t)t % j->per) * ROW_PIECE;
    size_t n = j->width - off < ROW_PIECE ? j->width - off : ROW_PIECE;
    memcpy(j->dst + r * j->dpitch + off, j->src + r * j->spitch + off, n);
  } else {
    size_t r = (size_t)t * j->nrows, e = r + j->nrows < j->height ? r + j->nrows : j->height;
    for (; r < e; r++) memcpy(j->dst + r * j->dpitch, j->src + r * j->spitch, j->width);
  }
}

static int cpu_copy2d(lu_ctx *ctx, int dev, void *d_dst, size_t dpitch, const void *d_src,
                      size_t spitch, size_t width, size_t height) {
  rowjob j;
  (void)ctx; (void)dev;
  j.dst = (char *)d_dst;
  j.src = (const char *)d_src;
  j.dpitch = dpitch;
  j.spitch = spitch;
  j.width = width;
  j.height = height;
  j.per = width > ROW_PIECE ? (width + ROW_PIECE - 1) / ROW_PIECE : 1;
  j.nrows = width >= ROW_PIECE ? 1 : ROW_PIECE / (width ? width : 1);
  if (width * height < 2 * ROW_PIECE) {
    size_t r;
    for (r = 0; r < height; r++) memcpy(j.dst + r * dpitch, j.src + r * spitch, width);
  } else if (j.per > 1) {
    lu_cpu_parallel((int64_t)(j.per * height), row_piece, &j);
  } else {
    lu_cpu_parallel((int64_t)((height + j.nrows - 1) / j.nrows), row_piece, &j);
  }
  return LU_OK;
}

static int cpu_synchronize(lu_ctx *ctx, int dev) { (void)ctx; (void)dev; return LU_OK; }

static int cpu_memory_info(lu_ctx *ctx, int dev, size_t *free_b, size_t *total_b) {
  long pg = sysconf(_SC_PAGESIZE), tot = sysconf(_SC_PHYS_PAGES), av = sysconf(_SC_AVPHYS_PAGES);
  (void)dev;
  if (pg <= 0 || tot <= 0 || av < 0)
    return lu_seterr(ctx, LU_EBACKEND, "cpu memory_info: sysconf failed");
  *free_b = (size_t)av * (size_t)pg;
  *total_b = (size_t)tot * (size_t)pg;
  return LU_OK;
}

/* {===== events: the time at which event_record was called. Work on the
** CPU is synchronous, so that is when everything before it finished. */
typedef struct cpu_event { struct timespec t; int recorded; } cpu_event;

static int cpu_event_create(lu_ctx *ctx, int dev, lu_event **ev) {
  cpu_event *e = lu_calloc(1, sizeof *e);
  (void)dev;
  if (!e) return lu_seterr(ctx, LU_EMEM, "cpu event_create: out of memory");
  *ev = (lu_event *)e;
  return LU_OK;
}

static int cpu_event_record(lu_ctx *ctx, lu_event *ev) {
  cpu_event *e = (cpu_event *)ev;
  (void)ctx;
  clock_gettime(CLOCK_MONOTONIC, &e->t);
  e->recorded = 1;
  return LU_OK;
}

static int cpu_event_synchronize(lu_ctx *ctx, lu_event *ev) { (void)ctx; (void)ev; return LU_OK; }

static int cpu_event_elapsed(lu_ctx *ctx, lu_event *a, lu_event *b, float *ms) {
  cpu_event *x = (cpu_event *)a, *y = (cpu_event *)b;
  if (!x->recorded || !y->recorded)
    return lu_seterr(ctx, LU_EARG, "event elapsed_time: both events must be recorded first");
  *ms = (float)((double)(y->t.tv_sec - x->t.tv_sec) * 1e3 +
                (double)(y->t.tv_nsec - x->t.tv_nsec) * 1e-6);
  return LU_OK;
}

static void cpu_event_destroy(lu_ctx *ctx, lu_event *ev) { (void)ctx; free(ev); }
/* }===== */

/* The kept big buffers go back (live ones stay known: they are freed later
** as usual). */
static void cpu_shutdown(lu_ctx *ctx) {
  (void)ctx;
  pthread_once(&big_once, make_big);
  lu_blockcache_trim(big);
  lu_cpu_small_trim();
}

/* {===== the memory pool (lu_workbench.h): the cache of big buffers, and
** the kept small ones (cpu_small.c) in its total */
static int pool_info(lu_ctx *ctx, int dev, size_t *used, size_t *total, size_t *limit) {
  size_t live, kept;
  (void)ctx; (void)dev;
  pthread_once(&big_once, make_big);
  lu_blockcache_stats(big, &live, &kept);
  *used = live;
  *total = live + kept + lu_cpu_small_kept();
  *limit = lu_blockcache_limit(big);
  return LU_OK;
}

/* The C library's free memory goes back too (small arrays, work
** buffers). */
static int pool_free_all(lu_ctx *ctx, int dev) {
  (void)ctx; (void)dev;
  lu_cpu_pool_trim(0);
  return LU_OK;
}

static int pool_set_limit(lu_ctx *ctx, int dev, size_t limit) {
  (void)ctx; (void)dev;
  pthread_once(&big_once, make_big);
  lu_blockcache_set_limit(big, limit);
  return LU_OK;
}

const lu_pool_ops lu_cpu_pool_ops = {pool_info, pool_free_all, pool_set_limit};

void lu_cpu_pool_trim(size_t keep) {
  pthread_once(&big_once, make_big);
  lu_blockcache_trim_to(big, keep);
  lu_cpu_small_trim();
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}
/* }===== */

static const lu_device_services services = {
  .device_count = cpu_device_count,
  .alloc = cpu_alloc,
  .free = cpu_free,
  .upload = cpu_upload,
  .download = cpu_download,
  .synchronize = cpu_synchronize,
  .memory_info = cpu_memory_info,
  .event_create = cpu_event_create,
  .event_record = cpu_event_record,
  .event_synchronize = cpu_event_synchronize,
  .event_elapsed = cpu_event_elapsed,
  .event_destroy = cpu_event_destroy,
  .shutdown = cpu_shutdown,
  .copy2d = cpu_copy2d,
};

/* The families: each is defined beside its loops (cpu_ewise.c, ...). */
const lu_backend lu_cpu_backend = {
  .version = LU_BACKEND_VERSION,
  .name = "cpu",
  .dev = &services,
  .ewise = &lu_cpu_ewise_family,
  .reduce = &lu_cpu_reduce_family,
  .linalg = &lu_cpu_linalg_family,
  .random = &lu_cpu_random_family,
  .index = &lu_cpu_index_family,
  .fft = &lu_cpu_fft_family,
  .sort = &lu_cpu_sort_family,
  .io = &lu_cpu_io_family,
};
