/* SPDX-License-Identifier: MIT */
/*
** The context's layout: private to src/core. The binding reaches it through
** lu_api.h, backends through the functions at the end of lu_backend.h.
*/
#ifndef lu_ctx_h
#define lu_ctx_h

#include "lu_backend.h"
#include "lu_api.h"

/* One per lua_State (kept in the registry by the binding). */
struct lu_ctx {
  int refcount;                 /* the binding's reference + one per live buffer */
  lu_status err;
  char errmsg[LU_ERRLEN];
  /* the op the core is running on a backend, for the backend's messages
  ** (lu_ctx_op): set where the core reaches a backend (lu_family_, the
  ** elementwise fast path, transfers and device services); a nested op
  ** (the copy inside a reduction) puts its caller's name back */
  const char *op;
  lu_device default_dev;
  int default_set;              /* default_dev decided (ctx.c, resolve_default) */
  const lu_backend *backends[LU_NDEVTYPES];   /* NULL where not built */
  void *bstate[LU_NDEVTYPES];   /* per-backend state, owned by the backend */
  /* device memory accounting, drives the Lua GC */
  size_t live_bytes;            /* bytes of all live buffers (every device) */
  size_t gc_threshold;          /* run gc_hook(ud, 1) when live_bytes exceeds it */
  size_t gc_debt;               /* bytes allocated since the last gc_hook(ud, 0) */
  size_t dev_debt;              /* the most a device buffer owes (buffer.c pace) */
  /* installed by the binding: full == 0 runs a GC step, 1 a full collection */
  void (*gc_hook)(void *ud, int full);
  void *gc_ud;
  /* random numbers */
  lu_rngpos rng;           /* the default random stream (lu_random) */
  int sync_each_op;             /* LUNAR_SYNC=1 */
  int captures;                 /* graph captures running (stream.c): no syncs meanwhile */
  /* page-locked host memory offered by a GPU backend (lu_backend.h) */
  lu_host_alloc_fn host_alloc;
  lu_host_free_fn host_free;
  /* the workbench (workbench.c): counters, strict mode, explicit transfers */
  lu_counters counters;
  int strict_sync;
  int explicit_depth;
  const char *host_what;   /* lu_to_host_as's caller, the op its download reports */
  /* automatic fusion (lazy.c): LU_FUSION_*, and the pending values */
  int fusion;
  struct lu_lazyst *lazy;
  /* linalg's info array (linalg.c, la_run): kept, and all zeros between
  ** calls */
  int *la_info;
  int64_t la_info_n;
#ifdef LUNAR_DEBUG
  /* stream ownership (lu_check.h, check.c): the streams this context made
  ** and has not destroyed, and those entered, innermost last */
  struct {
    const void **made, **entered;
    int nmade, nentered, cmade, centered;
  } dbg;
#endif
};

/* The backend of dev, or NULL when none is built for its type. */
const lu_backend *lu_backend_for(lu_ctx *ctx, lu_device dev);

/* Device memory accounting (used by buffers). */
int lu_buffer_new(lu_ctx *ctx, lu_buffer **out, lu_device dev, size_t nbytes);
void lu_buffer_unref(lu_buffer *b);
/* A buffer over memory that dev's backend handed out by other means (a
** mapped file, fileio.c): its `free` takes p back. On failure p is given
** back at once. */
int lu_buffer_adopt(lu_ctx *ctx, lu_buffer **out, lu_device dev, void *p, size_t nbytes);
int lu_buffer_wrap(lu_ctx *ctx, lu_buffer **out, lu_device dev, void *p, size_t nbytes,
                   void (*release)(void *ud), void *ud);

#endif
