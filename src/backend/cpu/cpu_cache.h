/* SPDX-License-Identifier: MIT */
/*
** The CPU backend's cache of large buffers (cpu_cache.c): cpu_alloc and
** cpu_free go through it for buffers of LU_CPU_CACHE_MIN bytes and more.
*/
#ifndef cpu_cache_h
#define cpu_cache_h

#include <stddef.h>

#define LU_CPU_CACHE_MIN ((size_t)1 << 20)

/* A block of at least nbytes, 64-byte aligned (2 MB from 4 MB up): LU_OK,
** or LU_EMEM with no message set. */
int lu_cpu_cache_alloc(size_t nbytes, void **p);
/* 1 when p came from lu_cpu_cache_alloc (taken back: kept or freed), else 0 */
int lu_cpu_cache_free(void *p);
/* Free the blocks kept for reuse (at shutdown). */
void lu_cpu_cache_release(void);
/* Bytes kept for reuse now. */
size_t lu_cpu_cache_bytes(void);

#endif
