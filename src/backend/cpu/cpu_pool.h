/* SPDX-License-Identifier: MIT */
/*
** The CPU backend's worker pool (cpu_pool.c): parallel loops whose caller
** never waits for a helper thread that has not started.
*/
#ifndef cpu_pool_h
#define cpu_pool_h

#include <stdint.h>

/* body(arg, k) for each k in [0, nchunks), on the calling thread and the
** pool's helpers, in any order; returns when all are done. Chunks are
** claimed one at a time, so make them a few tens of microseconds of work. */
typedef void (*lu_cpu_body)(void *arg, int64_t chunk);
void lu_cpu_parallel(int64_t nchunks, lu_cpu_body body, void *arg);

/* Threads that lu_cpu_parallel may use, the caller included (>= 1). */
int lu_cpu_pool_threads(void);

#endif
