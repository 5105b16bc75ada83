/* SPDX-License-Identifier: MIT */
/*
** The CPU backend's io family: a file's pages as an array's memory
** (lunar.load with mmap_mode, lunar.memmap). A private mapping is
** copy-on-write, so a write to the array changes the process's copy of a
** page and never the file, and it cannot fault on a page mapped read-only
** (lunar arrays have no read-only flag); a shared one (memmap's 'r+' and
** 'w+') writes through to the file. The mappings are kept in a short list
** so that the backend's `free` (cpu_free) recognises them and unmaps them,
** and `sync` finds a shared one.
*/
#define _DEFAULT_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "cpu_internal.h"
#include "lu_hostmem.h"

typedef struct mapping { void *p; size_t n; int shared; struct mapping *next; } mapping;
static mapping *maps;
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
/* how many mappings are in `maps`: every CPU buffer's free asks
** lu_cpu_unmap first, and without mappings it need not take the lock */
static atomic_long nmaps;

static int map_fd(lu_ctx *ctx, int fd, size_t nbytes, int shared, void **p) {
  mapping *m;
  void *q;
  *p = NULL;
  if (nbytes == 0) return lu_seterr(ctx, LU_EARG, "%s: cannot map an empty file", lu_ctx_op(ctx));
  m = lu_malloc(sizeof *m);
  if (m == NULL) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", lu_ctx_op(ctx));
  q = mmap(NULL, nbytes, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
  if (q == MAP_FAILED) {
    int e = errno;
    free(m);
    return lu_seterr(ctx, e == ENOMEM ? LU_EMEM : LU_EARG, "%s: cannot map the file: %s",
                     lu_ctx_op(ctx), strerror(e));
  }
  m->p = q;
  m->n = nbytes;
  m->shared = shared;
  pthread_mutex_lock(&maps_lock);
  m->next = maps;
  maps = m;
  atomic_fetch_add(&nmaps, 1);
  pthread_mutex_unlock(&maps_lock);
  *p = q;
  return LU_OK;
}

static int cpu_map_file(lu_ctx *ctx, int fd, size_t nbytes, void **p) {
  return map_fd(ctx, fd, nbytes, 0, p);
}

static int cpu_map_shared(lu_ctx *ctx, int fd, size_t nbytes, void **p) {
  return map_fd(ctx, fd, nbytes, 1, p);
}

static int cpu_sync(lu_ctx *ctx, void *p, int *mapped) {
  mapping *m;
  void *q = NULL;
  size_t n = 0;
  *mapped = 0;
  pthread_mutex_lock(&maps_lock);
  for (m = maps; m; m = m->next)
    if (m->p == p) {
      *mapped = m->shared ? 2 : 1;
      q = m->p;
      n = m->n;
      break;
    }
  pthread_mutex_unlock(&maps_lock);
  if (*mapped == 2 && msync(q, n, MS_SYNC) != 0)
    return lu_seterr(ctx, LU_EARG, "%s: cannot write the mapping to its file: %s", lu_ctx_op(ctx),
                     strerror(errno));
  return LU_OK;
}

int lu_cpu_unmap(void *p) {
  mapping **pm, *m = NULL;
  if (atomic_load(&nmaps) == 0) return 0;
  pthread_mutex_lock(&maps_lock);
  for (pm = &maps; *pm; pm = &(*pm)->next)
    if ((*pm)->p == p) { m = *pm; *pm = m->next; atomic_fetch_sub(&nmaps, 1); break; }
  pthread_mutex_unlock(&maps_lock);
  if (m == NULL) return 0;
  munmap(m->p, m->n);
  free(m);
  return 1;
}

const lu_io_family lu_cpu_io_family = {
  .map_file = cpu_map_file,
  .map_shared = cpu_map_shared,
  .sync = cpu_sync,
};
