/* SPDX-License-Identifier: MIT */
/*
** Reference-counted buffers and the memory accounting that drives Lua's
** garbage collector: Lua does not see the bytes behind an array, so the core
** counts them. Every STEP_BYTES of new buffers it asks the binding for a
** collector step paid with those bytes (Lua then collects as if it had
** allocated them: a loop of 80 MB temporaries finds its garbage freed a
** few temporaries later, not after hundreds of MB); it asks for a full
** collection when the live bytes grow past a threshold, and once more
** (with a retry) before reporting out-of-memory. Both run before the
** allocation, so the memory they free can serve it.
*/
#include <stdlib.h>
#include "lu_internal.h"
#include "lu_hostmem.h"

#define MIN_THRESHOLD ((size_t)256 << 20)
#define STEP_BYTES ((size_t)256 << 10)

static void collect(lu_ctx *ctx) {
  if (ctx->gc_hook != NULL) ctx->gc_hook(ctx->gc_ud, 1);
}

/* Pace the collector by the bytes about to be allocated: a full collection
** past the threshold (which then doubles the live bytes), else a step once
** STEP_BYTES are owed. Host buffers owe their bytes; a device buffer owes
** at most DEV_DEBT: a cycle of the Lua heap costs about 150 us (1 MB
** heap), which a 400 MB GPU op owing its bytes paid every time (the bench's
** copy and a*b+c rows lost 40-60% to it), while owing nothing left small
** GPU temporaries uncollected for thousands of ops, so the device cache
** had no freed block to hand out and every op paid a cudaMallocAsync.
** Capped, the collector runs about once per few thousand device buffers
** whatever their size, and the threshold bounds their bytes. The hook may
** free other buffers (re-entering this file). DEV_DEBT is ctx->dev_debt,
** 8 KiB unless LUNAR_GC_DEVICE_DEBT says otherwise (doc/environment.md). */
static void pace(lu_ctx *ctx, size_t nbytes, lu_device dev) {
  if (ctx->gc_hook == NULL) return;
  ctx->gc_debt += dev.type == LU_DEV_CPU || nbytes < ctx->dev_debt ? nbytes : ctx->dev_debt;
  if (ctx->live_bytes + nbytes > ctx->gc_threshold) {
    size_t t;
    ctx->gc_debt = 0;
    collect(ctx);
    t = 2 * (ctx->live_bytes + nbytes);
    ctx->gc_threshold = t > MIN_THRESHOLD ? t : MIN_THRESHOLD;
  } else if (ctx->gc_debt >= STEP_BYTES) {
    ctx->gc_hook(ctx->gc_ud, 0);
  }
}

/* Zero-byte buffers (size-0 arrays) never reach the backend. */
static int backend_alloc(lu_ctx *ctx, const lu_backend *be, lu_device dev,
                         size_t nbytes, void **p) {
  *p = NULL;
  if (nbytes == 0) return LU_OK;
  return be->dev->alloc(ctx, dev.index, nbytes, p);
}

/* The fields every buffer starts with: one reference, and one on ctx. */
static void buffer_init(lu_buffer *b, lu_ctx *ctx, lu_device dev, void *p, size_t nbytes,
                        void (*release)(void *ud), void *ud) {
  b->refcount = 1;
  b->dev = dev;
  b->ptr = p;
  b->nbytes = nbytes;
  b->ctx = ctx;
  b->release = release;
  b->release_ud = ud;
  b->made_ndim = -1;
  ctx->refcount++;
}

int lu_buffer_new(lu_ctx *ctx, lu_buffer **out, lu_device dev, size_t nbytes) {
  const lu_backend *be = lu_backend_checked(ctx, "alloc", dev);
  lu_buffer *b;
  void *p = NULL;
  *out = NULL;
  if (be == NULL) return ctx->err;
  pace(ctx, nbytes, dev);
  b = lu_malloc(sizeof(*b));
  if (b == NULL)
    return lu_seterr(ctx, LU_EMEM, "out of memory: requested %zu bytes on the host",
                     sizeof(*b));
  if (backend_alloc(ctx, be, dev, nbytes, &p) != LU_OK) {
    /* a full collection may free arrays that are only garbage by now */
    collect(ctx);
    if (backend_alloc(ctx, be, dev, nbytes, &p) != LU_OK) {
      size_t fr = 0, tot = 0, used, held, lim = SIZE_MAX;
      char ds[16];
      free(b);
      if (be->dev->memory_info == NULL || be->dev->memory_info(ctx, dev.index, &fr, &tot) != LU_OK)
        fr = tot = 0;
      /* a bound set with pool:set_limit is the likelier cause */
      if (lu_pool_info(ctx, dev, LU_POOL_DEVICE, &used, &held, &lim) != LU_OK) lim = SIZE_MAX;
      if (lim != SIZE_MAX)
        return lu_seterr(ctx, LU_EMEM, "out of memory: requested %zu bytes on %s (the memory "
                         "pool's limit is %zu bytes, %zu in use)", nbytes,
                         lu_device_str(dev, ds), lim, used);
      return lu_seterr(ctx, LU_EMEM,
                       "out of memory: requested %zu bytes on %s (free %zu of %zu bytes)",
                       nbytes, lu_device_str(dev, ds), fr, tot);
    }
  }
  buffer_init(b, ctx, dev, p, nbytes, NULL, NULL);
  ctx->live_bytes += nbytes;
  ctx->counters.allocs++;
  ctx->counters.alloc_bytes += nbytes;
  *out = b;
  return LU_OK;
}

int lu_buffer_adopt(lu_ctx *ctx, lu_buffer **out, lu_device dev, void *p, size_t nbytes) {
  const lu_backend *be = lu_backend_checked(ctx, "alloc", dev);
  lu_buffer *b = be ? lu_malloc(sizeof(*b)) : NULL;
  *out = NULL;
  if (b == NULL) {
    if (be != NULL && be->dev->free != NULL) be->dev->free(ctx, dev.index, p);
    return be == NULL ? ctx->err : lu_seterr(ctx, LU_EMEM, "out of memory");
  }
  buffer_init(b, ctx, dev, p, nbytes, NULL, NULL);
  ctx->live_bytes += nbytes;
  *out = b;
  return LU_OK;
}

/* A buffer over memory that someone else owns: not counted in live_bytes
** (lunar cannot free it, so collecting for it would not help); release
** gives it back. On failure the caller still owns the memory. */
int lu_buffer_wrap(lu_ctx *ctx, lu_buffer **out, lu_device dev, void *p, size_t nbytes,
                   void (*release)(void *ud), void *ud) {
  lu_buffer *b;
  *out = NULL;
  if (lu_backend_checked(ctx, "wrap", dev) == NULL) return ctx->err;
  b = lu_malloc(sizeof(*b));
  if (b == NULL) return lu_seterr(ctx, LU_EMEM, "out of memory");
  buffer_init(b, ctx, dev, p, nbytes, release, ud);
  *out = b;
  return LU_OK;
}

void lu_buffer_unref(lu_buffer *b) {
  lu_ctx *ctx;
  if (b == NULL || --b->refcount > 0) return;
  ctx = b->ctx;
  if (b->release != NULL) {
    b->release(b->release_ud);
  } else {
    if (b->ptr != NULL) {
      const lu_backend *be = lu_backend_for(ctx, b->dev);
      if (be != NULL && be->dev->free != NULL) be->dev->free(ctx, b->dev.index, b->ptr);
    }
    ctx->live_bytes -= b->nbytes;
  }
  free(b);
  lu_ctx_unref(ctx);
}
