/* SPDX-License-Identifier: MIT */
/*
** The workbench's side of the backend interface (src/core/workbench.c,
** doc/api/workbench.md): what a backend reports to the core's counters and
** the memory pools it lets users inspect and trim. Kept out of
** lu_backend.h on purpose: that header is compiled into every CUDA kernel
** (kernels/lu_kernels.h), so an entry added there rebuilds all of them;
** these tables are reached only from C files (design-notes: "Workbench").
*/
#ifndef lu_workbench_h
#define lu_workbench_h

#include <stddef.h>
#include "lu_backend.h"

/* A backend compiled a kernel at run time (NVRTC): counted for
** lunar.stats. */
void lu_count_compiled(lu_ctx *ctx);
/* A lunar.fuse call ran fused; hit: its kernel was made before (fuse.c) */
void lu_count_fused(lu_ctx *ctx, int hit);

/* A memory pool of a backend, on device index dev (CuPy's MemoryPool):
** info: bytes handed out to arrays (used), held in all, used plus cached
** for reuse (total), and the limit on total (SIZE_MAX: none);
** free_all: give every cached block back to the system (the driver);
** set_limit: bound what the pool holds (SIZE_MAX: no bound); an
** allocation that would pass the bound fails as out of memory. */
typedef struct lu_pool_ops {
  int (*info)(lu_ctx *ctx, int dev, size_t *used, size_t *total, size_t *limit);
  int (*free_all)(lu_ctx *ctx, int dev);
  int (*set_limit)(lu_ctx *ctx, int dev, size_t limit);
} lu_pool_ops;

/* The CPU backend's pool of big buffers (cpu_backend.c). */
extern const lu_pool_ops lu_cpu_pool_ops;
/* What a full collection gives back (lu_pool_trim_host): the CPU pool's
** kept big buffers but the newest keep bytes of them, the kept small ones,
** the C library's free memory. */
void lu_cpu_pool_trim(size_t keep);
#ifdef LUNAR_HAVE_CUDA
/* The CUDA backend's device memory (alloc.c) and page-locked host blocks
** (pinned.c). */
extern const lu_pool_ops lu_cuda_pool_ops;
extern const lu_pool_ops lu_cuda_pinned_pool_ops;
#endif

/* What a block cache (blockcache.c) holds: bytes live and kept; and its
** bound on both together (SIZE_MAX: none), read and set. */
void lu_blockcache_stats(lu_blockcache *bc, size_t *live, size_t *kept);
size_t lu_blockcache_limit(lu_blockcache *bc);
void lu_blockcache_set_limit(lu_blockcache *bc, size_t total_limit);
/* A kept block unused for `seconds` goes back then, given back by the
** cache's own thread (or at its next alloc or free where that thread could
** not be made); 0, the default: kept until trimmed or pushed out by the
** bound. */
void lu_blockcache_set_max_age(lu_blockcache *bc, double seconds);

#endif
