/* SPDX-License-Identifier: MIT */
/*
** The workbench's core (doc/api/workbench.md): the context's counters,
** strict synchronisation and the memory pools.
**
** Counting is done where the core already passes: lu_family_ and the
** elementwise fast path (launches), lu_buffer_new (allocations), the host
** transfers of create.c (bytes each way, implicit waits). A backend adds
** what only it sees (kernels compiled) through lu_workbench.h.
**
** An implicit synchronisation is a wait for a GPU that the user did not
** ask for: item(), totable(), printing, a comparison answered with a Lua
** boolean, an op that reads a count back. Transfers asked for (a:to,
** lunar.synchronize) run with explicit_depth > 0 and are not counted.
*/
#include <stdint.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_workbench.h"

void lu_ctx_counters(const lu_ctx *ctx, lu_counters *out) { *out = ctx->counters; }

void lu_ctx_counters_reset(lu_ctx *ctx) { memset(&ctx->counters, 0, sizeof ctx->counters); }

void lu_ctx_set_strict_sync(lu_ctx *ctx, int on) { ctx->strict_sync = on != 0; }

int lu_ctx_strict_sync(const lu_ctx *ctx) { return ctx->strict_sync; }

void lu_ctx_explicit(lu_ctx *ctx, int delta) {
  ctx->explicit_depth += delta;
  if (ctx->explicit_depth < 0) ctx->explicit_depth = 0;
}

void lu_count_compiled(lu_ctx *ctx) { ctx->counters.compiled++; }
void lu_count_fused(lu_ctx *ctx, int hit) {
  ctx->counters.fused++;
  if (hit) ctx->counters.fused_hits++;
}

int lu_host_wait(lu_ctx *ctx, lu_device dev, const char *what) {
  char ds[16];
  if (dev.type == LU_DEV_CPU || ctx->explicit_depth > 0) return LU_OK;
  if (ctx->strict_sync)
    return lu_seterr(ctx, LU_EDEVICE,
                     "%s: implicit synchronisation with %s (strict mode is on: "
                     "copy the data with a:to('cpu') first, or "
                     "lunar.set_strict_sync(false))",
                     what ? what : "lunar", lu_device_str(dev, ds));
  ctx->counters.syncs++;
  return LU_OK;
}

int lu_to_host_as(lu_ctx *ctx, const lu_array *a, void *h_dst, const char *what) {
  int st;
  if (a->buf != NULL && (st = lu_host_wait(ctx, lu_array_device(a), what)) != LU_OK)
    return st;
  ctx->explicit_depth++;
  ctx->host_what = what;
  st = lu_to_host(ctx, a, h_dst);
  ctx->host_what = NULL;
  ctx->explicit_depth--;
  return st;
}

/* {===== memory pools */
static const lu_pool_ops *pool_ops(lu_ctx *ctx, lu_device dev, int kind, const char *name) {
  char ds[16];
  if (lu_backend_checked(ctx, name, dev) == NULL) return NULL;
  if (kind == LU_POOL_DEVICE && dev.type == LU_DEV_CPU) return &lu_cpu_pool_ops;
#ifdef LUNAR_HAVE_CUDA
  if (dev.type == LU_DEV_CUDA) {
    if (lu_device_count(ctx, LU_DEV_CUDA) <= dev.index) {
      lu_seterr(ctx, LU_EDEVICE, "%s: device %s is not available", name, lu_device_str(dev, ds));
      return NULL;
    }
    return kind == LU_POOL_PINNED ? &lu_cuda_pinned_pool_ops : &lu_cuda_pool_ops;
  }
#endif
  lu_seterr(ctx, LU_EDEVICE, "%s: no %s memory pool on %s", name,
            kind == LU_POOL_PINNED ? "pinned" : "device", lu_device_str(dev, ds));
  return NULL;
}

/* The CPU pool is all the memory of CPU arrays: on a machine whose GPU is
** in use, the big ones are page-locked blocks of the CUDA backend's pinned
** pool (src/backend/cuda/pinned.c), so the CPU pool's figures include that
** pool's and free_all_blocks empties it too. (A limit set on the CPU pool
** holds because a bounded CPU backend stops taking pinned blocks.) */
#ifdef LUNAR_HAVE_CUDA
static int is_cpu_pool(lu_device dev, int kind) {
  return kind == LU_POOL_DEVICE && dev.type == LU_DEV_CPU;
}
#endif

int lu_pool_info(lu_ctx *ctx, lu_device dev, int kind, size_t *used, size_t *total,
                 size_t *limit) {
  const lu_pool_ops *p = pool_ops(ctx, dev, kind, "memory_pool");
  int st;
  *used = *total = 0;
  *limit = SIZE_MAX;
  if (p == NULL) return ctx->err;
  ctx->op = "memory_pool";
  st = p->info(ctx, dev.index, used, total, limit);
#ifdef LUNAR_HAVE_CUDA
  if (st == LU_OK && is_cpu_pool(dev, kind)) {
    size_t u = 0, t = 0, l = 0;
    if ((st = lu_cuda_pinned_pool_ops.info(ctx, 0, &u, &t, &l)) == LU_OK) {
      *used += u;
      *total += t;
    }
  }
#endif
  return st;
}

int lu_pool_free_all(lu_ctx *ctx, lu_device dev, int kind) {
  const lu_pool_ops *p = pool_ops(ctx, dev, kind, "free_all_blocks");
  int st;
  if (p == NULL) return ctx->err;
  ctx->op = "free_all_blocks";
  st = p->free_all(ctx, dev.index);
#ifdef LUNAR_HAVE_CUDA
  if (st == LU_OK && is_cpu_pool(dev, kind)) st = lu_cuda_pinned_pool_ops.free_all(ctx, 0);
#endif
  return st;
}

/* A full collection keeps the newest 32 MiB of the CPU pool's kept
** buffers, as glibc keeps a freed block's worth of heap (its mmap
** threshold rises to the size of a freed mapping, up to 32 MiB on 64-bit
** systems, and the heap is trimmed past twice that): a loop that collects
** between calls then reuses its result's pages, as NumPy's does. The
** reaper gives them back after a second unused (cpu_backend.c's MAX_AGE);
** free_all_blocks gives back everything at once. Measured on the 2-core
** build machine, whose fresh pages are slow (cpu_backend.c): fft of 2^20
** complex64 points with a collection after each, 22.1-23.2 ms with
** nothing kept, 18.2-18.7 kept, 17.9-18.3 without the collections. */
#define HOST_KEEP ((size_t)32 << 20)
int lu_pool_trim_host(lu_ctx *ctx) {
  (void)ctx;
  lu_cpu_pool_trim(HOST_KEEP);
  return LU_OK;
}

int lu_pool_set_limit(lu_ctx *ctx, lu_device dev, int kind, size_t limit) {
  const lu_pool_ops *p = pool_ops(ctx, dev, kind, "set_limit");
  if (p == NULL) return ctx->err;
  ctx->op = "set_limit";
  return p->set_limit(ctx, dev.index, limit);
}
/* }===== */
