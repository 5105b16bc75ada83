/* SPDX-License-Identifier: MIT */
/*
** The CPU backend's interface struct and its device services: memory is
** host memory (64-byte aligned), transfers are memcpy, work is synchronous,
** events are host timestamps. The backend keeps no per-context state.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cpu_internal.h"
#include "cpu_cache.h"

static int cpu_device_count(lu_ctx *ctx) { (void)ctx; return 1; }

/* Buffers from this size up come from lu_host_alloc when a GPU backend
** installed one (page-locked memory: host<->device copies then need no
** staging); smaller ones, or when it declines, from the C library. */
#define HOST_ALLOC_MIN ((size_t)1 << 20)

/* A 0-byte request still returns a distinct valid pointer (as malloc may
** not), so callers never mistake an empty array for a failure. */
static int cpu_alloc(lu_ctx *ctx, int dev, size_t nbytes, void **p) {
  void *q = NULL;
  (void)dev;
  if (nbytes >= HOST_ALLOC_MIN && lu_host_alloc(ctx, nbytes, &q) == LU_OK && q != NULL) {
    *p = q;
    return LU_OK;
  }
  q = NULL;
  if (nbytes >= LU_CPU_CACHE_MIN && lu_cpu_cache_alloc(nbytes, &q) == LU_OK) {
    *p = q;     /* reused without page faults, or fresh on huge pages */
    return LU_OK;
  }
  if (posix_memalign(&q, 64, nbytes ? nbytes : 64) != 0 || !q) {
    *p = NULL;
    return lu_seterr(ctx, LU_EMEM, "cpu: out of memory allocating %zu bytes", nbytes);
  }
  *p = q;
  return LU_OK;
}

static void cpu_free(lu_ctx *ctx, int dev, void *p) {
  (void)dev;
  if (p != NULL && lu_host_free(ctx, p)) return;
  if (lu_cpu_cache_free(p)) return;
  free(p);
}

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
  cpu_event *e = calloc(1, sizeof *e);
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

static void cpu_shutdown(lu_ctx *ctx) { (void)ctx; lu_cpu_cache_release(); }

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
};
