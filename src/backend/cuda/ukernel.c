/* SPDX-License-Identifier: MIT */
/*
** User kernels on the GPU: the core writes the whole CUDA source of an
** ElementwiseKernel or ReductionKernel (src/core/ukernel.c); here it is
** compiled (kcache.c: in memory, on disk, else NVRTC, with lunar's kernel
** prelude in front) and launched on the device's stream. The kernel takes
** the launch descriptor by value, packed with exactly as many pointers,
** stride rows and scalar slots as the kernel has parameters, so that a
** kernel of up to 25 parameters stays within the classic 4 KB of kernel
** parameters.
*/
#include <stdlib.h>
#include <string.h>
#include "cuda_internal.h"
#include "lu_hostmem.h"
#include "lu_ukernel.h"

/* The layout of the generated `struct lu_uk_launch` for np parameters:
** int64 nout, nred, n; int nk, nr; int64 shape[16]; char *ptr[np];
** int64 st[np][16]; uint64 sv[np][2] (the values of Lua numbers). Every
** field is naturally aligned at these offsets. */
#define PK_SHAPE 32
#define PK_PTR (PK_SHAPE + 16 * 8)

static size_t pack(char *buf, const lu_uk_launch *L, int np) {
  size_t st = PK_PTR + (size_t)np * 8, sv = st + (size_t)np * 16 * 8;
  int j;
  memcpy(buf + 0, &L->nout, 8);
  memcpy(buf + 8, &L->nred, 8);
  memcpy(buf + 16, &L->n, 8);
  memcpy(buf + 24, &L->nk, 4);
  memcpy(buf + 28, &L->nr, 4);
  memcpy(buf + PK_SHAPE, L->shape, 16 * 8);
  for (j = 0; j < np; j++) {
    memcpy(buf + PK_PTR + (size_t)j * 8, &L->ptr[j], 8);
    memcpy(buf + st + (size_t)j * 16 * 8, L->st[j], 16 * 8);
    /* a Lua number's value (its host address means nothing to the GPU) */
    if (L->scalars & (1u << j)) memcpy(buf + sv + (size_t)j * 16, L->ptr[j], 16);
    else memset(buf + sv + (size_t)j * 16, 0, 16);
  }
  return sv + (size_t)np * 16;
}

int lu_cuda_ukernel_run(lu_ctx *ctx, const char *what, const char *src, uint64_t src_hash,
                        const lu_uk_launch *L, int np, int reduction, int per_thread,
                        lu_device dev) {
  lu_cuda_dev *d;
  lu_kentry k;
  union { char c[PK_PTR + LU_UK_MAXP * (8 + 16 * 8 + 16)]; int64_t align_; double alignd_; } pk;
  char *buf;
  void *args[1];
  unsigned grid, block;
  int rc;
  if (np < 1 || np > LU_UK_MAXP)
    return lu_cuda_seterr(ctx, LU_EARG, "%s: %d parameters", what, np);
  if ((rc = lu_cuda_device(ctx, dev.index, &d)) != LU_OK) return rc;
  if ((rc = lu_cuda_user_kernel(ctx, d, src, src_hash, 1, NULL, 0, "lu_uk_main", what, &k)) != LU_OK)
    return rc;
  buf = pk.c;   /* on the stack: the launch copies it (a heap block a call before) */
  pack(buf, L, np);
  args[0] = buf;
  if (reduction) {
    /* a block per output, up to the grid's limit (the kernel strides) */
    block = LU_UK_CUDA_RBLOCK;
    grid = L->nout < 0x7fffffff ? (unsigned)L->nout : 0x7fffffffu;
  } else {
    /* one pass of the grid-stride loop (launch.c says why): the vector
    ** loop's elements a thread, or one where there is no vector loop */
    block = LU_CUDA_BLOCK;
    grid = lu_cuda_grid_pass(L->nout, L->nk == 1 ? per_thread : 1);
  }
  if (k.cf != NULL) {
    CUresult e = lu_cu_launch(k.cf, grid, 1, 1, block, 1, 1, 0, (CUstream)d->stream, args, NULL);
    DRV_CHECK(ctx, e);
  } else {
    cudaError_t e = cudaLaunchKernel((const void *)k.fn, dim3_of(grid), dim3_of(block), args, 0,
                                     d->stream);
    CU_CHECK(ctx, e);
  }
  CU_CHECK(ctx, cudaGetLastError());
  return LU_OK;
}

/* A RawKernel's launch. Dynamic shared memory past the default 48 KiB is
** allowed per kernel (cudaFuncAttributeMaxDynamicSharedMemorySize) up to
** the device's opt-in limit. */
int lu_cuda_raw_launch(lu_ctx *ctx, const char *what, const char *code, uint64_t code_hash, int nopts,
                       const char *const *opts, const char *name, const int64_t *grid,
                       const int64_t *block, int64_t shared_mem, void **argv, lu_device dev) {
  lu_cuda_dev *d;
  lu_kentry k;
  int rc, optin = 0;
  if ((rc = lu_cuda_device(ctx, dev.index, &d)) != LU_OK) return rc;
  rc = lu_cuda_user_kernel(ctx, d, code, code_hash, 0, opts, nopts, name, what, &k);
  if (rc != LU_OK) {
    /* the library loaded but has no such entry: C++ mangled its name */
    if (strstr(lu_ctx_errmsg(ctx), "cudaLibraryGetKernel") != NULL)
      return lu_cuda_seterr(ctx, LU_EARG, "%s: the compiled code has no kernel named '%s' "
                            "(declare it extern \"C\" so that C++ does not rename it)", what, name);
    return rc;
  }
  if (shared_mem > 48 * 1024) {
    CU_CHECK(ctx, cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, d->index));
    if (shared_mem > optin)
      return lu_cuda_seterr(ctx, LU_EARG, "%s: shared_mem %lld bytes is more than the device "
                            "allows a block (%d)", what, (long long)shared_mem, optin);
    CU_CHECK(ctx, cudaFuncSetAttribute((const void *)k.fn, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       (int)shared_mem));
  }
  if (k.cf != NULL && shared_mem <= 48 * 1024)
    DRV_CHECK(ctx, lu_cu_launch(k.cf, (unsigned)grid[0], (unsigned)grid[1], (unsigned)grid[2],
                                (unsigned)block[0], (unsigned)block[1], (unsigned)block[2],
                                (unsigned)shared_mem, (CUstream)d->stream, argv, NULL));
  else {
    dim3 g, b;
    g.x = (unsigned)grid[0]; g.y = (unsigned)grid[1]; g.z = (unsigned)grid[2];
    b.x = (unsigned)block[0]; b.y = (unsigned)block[1]; b.z = (unsigned)block[2];
    CU_CHECK(ctx, cudaLaunchKernel((const void *)k.fn, g, b, argv, (size_t)shared_mem, d->stream));
  }
  CU_CHECK(ctx, cudaGetLastError());
  return LU_OK;
}
