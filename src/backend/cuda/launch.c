/* SPDX-License-Identifier: MIT */
/*
** Launch planning for the CUDA backend: the grid of the generated
** elementwise kernels, and the lu_k_env that the kernels/ launchers get
** (stream, the device's facts, kernel occupancy, scratch memory). The
** device's facts are read once, when its state is made (device.c); the
** occupancy of each ahead-of-time kernel is asked of the runtime at its
** first launch on a device and kept in a table by kernel address, so no
** launch after the first queries anything.
*/
#include <stdint.h>
#include "cuda_internal.h"

unsigned lu_cuda_grid(const lu_cuda_dev *d, int64_t n) {
  int64_t blocks = (n + LU_CUDA_BLOCK - 1) / LU_CUDA_BLOCK;
  int64_t cap = (int64_t)d->sm_count * 16;
  if (blocks > cap) blocks = cap;
  return blocks < 1 ? 1u : (unsigned)blocks;
}

/* One pass: enough blocks that each thread takes `per_thread` elements once
** (the grid-stride loop then runs once). For streaming kernels this beats a
** grid of one or two waves that strides: on an H200, 10^8 float32 copied in
** 0.192 ms against 0.209 (16 blocks per SM) and 0.209 (8 per SM), a
** complex64 product in 0.553 against 0.590 ms; more elements per thread
** (2 to 8 vectors) gained nothing (one run, bench/RESULTS.md). */
unsigned lu_cuda_grid_pass(int64_t n, int per_thread) {
  int64_t per_block = (int64_t)LU_CUDA_BLOCK * (per_thread > 1 ? per_thread : 1);
  int64_t blocks = (n + per_block - 1) / per_block;
  if (blocks > 0x7fffffff) blocks = 0x7fffffff;
  return blocks < 1 ? 1u : (unsigned)blocks;
}

/* {====================================================== occupancy */
typedef struct occ_entry { uint64_t key; int64_t blocks; } occ_entry;

/* Blocks per multiprocessor of `kernel` (a function or a cudaKernel_t) at
** `threads` threads; 0 when the runtime cannot say. A table that cannot
** grow only costs a query per launch. */
int lu_cuda_occupancy(lu_cuda_dev *d, const void *kernel, int threads) {
  uint64_t key = (uint64_t)(uintptr_t)kernel ^ ((uint64_t)(unsigned)threads << 48);
  occ_entry *e = (occ_entry *)lu_htab_get(&d->occ, key);
  int b = 0;
  if (e != NULL) return (int)e->blocks;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&b, kernel, threads, 0) != cudaSuccess ||
      b < 1) {
    cudaGetLastError();   /* not this op's error: the launch's status is read next */
    b = 0;
  }
  if (key != 0 && (e = (occ_entry *)lu_htab_put(&d->occ, key)) != NULL) e->blocks = b;
  return b;
}

/* The launchers' form: 1 when the runtime cannot say (the launch then
** reports what is wrong) */
static int occupancy(void *ud, const void *kernel, int threads) {
  int b = lu_cuda_occupancy((lu_cuda_dev *)ud, kernel, threads);
  return b < 1 ? 1 : b;
}
/* }====================================================== */

/* {====================================================== scratch */
/* Scratch for CUB and the launchers: the caching allocator, stream-ordered
** on d->stream, so a block freed as a launcher returns is reused only by
** work queued after it. */
static void *scratch_alloc(void *ud, size_t n) {
  void *p;
  return lu_cuda_malloc((lu_cuda_dev *)ud, n, &p) == cudaSuccess ? p : NULL;
}

static void scratch_free(void *ud, void *p) { lu_cuda_mfree((lu_cuda_dev *)ud, p); }

void lu_cuda_scratch(lu_cuda_dev *d, lu_k_scratch *s) {
  s->alloc = scratch_alloc;
  s->free = scratch_free;
  s->ud = d;
}
/* }====================================================== */

void lu_cuda_env(lu_cuda_dev *d, lu_k_env *env) {
  env->stream = d->stream;
  env->sm_count = d->sm_count;
  env->max_grid_y = d->max_grid_y;
  env->max_grid_z = d->max_grid_z;
  env->occupancy = occupancy;
  env->ud = d;
  lu_cuda_scratch(d, &env->scratch);
}

void lu_cuda_launch_free(lu_cuda_dev *d) {
  lu_htab_free(&d->occ);
}
