/* SPDX-License-Identifier: MIT */
/*
** Private to the CUDA backend: the pool of page-locked host blocks that
** backs large CPU arrays (ctx->host_alloc / ctx->host_free), so that
** host<->device copies of them are one DMA with no staging.
*/
#ifndef lu_cuda_pinned_h
#define lu_cuda_pinned_h

#include <stddef.h>
#include "lu_backend.h"

/* Install ctx->host_alloc and ctx->host_free (called once a device has been
** found; LUNAR_PINNED=0 in the environment keeps them unset). */
void lu_cuda_pinned_install(lu_ctx *ctx);
/* Free every block (cached or, defensively, still live) and unset the hooks. */
void lu_cuda_pinned_shutdown(lu_ctx *ctx);
/* 1 when [p, p + n) lies inside one live block of the pool. */
int lu_cuda_pinned_contains(lu_ctx *ctx, const void *p, size_t n);

#endif
