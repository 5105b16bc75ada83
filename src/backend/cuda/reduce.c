/* SPDX-License-Identifier: MIT */
/*
** Reductions on the GPU: the launch plan for the kernels of kernels/reduce*
** (lu_k_reduce_plan, lu_kernels.h), made here from the call's geometry and
** the device (its SM count, the rows kernel's occupancy: launch.c's facts
** and table), then one call of the launch stub.
**
** The plan:
**   - one output of a contiguous run under 2^31 elements: CUB, for the rows
**     that have it (not the arg-reductions: their one-compare step on the
**     ROWS path is cheaper than CUB's full pair combine per element);
**   - inner == 1 (ROWS): a thread per row up to 16 elements, a warp up to
**     1024, else the block; with fewer rows than blocks that fit on the GPU
**     at once, about one (row, segment) per resident block, segments of at
**     least 8192 elements (few partials: the second pass stays short);
**   - inner > 1 (COLS): tiles of 32 inner positions; with fewer than 16
**     tiles per resident block the reduced axis is split too (segments of
**     at least 64 rows), so the last wave is short;
**   - the second pass: the block per output when there are few outputs and
**     many segments, else a warp per output.
*/
#include "cuda_internal.h"

static int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* The plan for call c on a device of `sms` SMs where `occ` blocks of the
** rows kernel fit per SM; has_cub: the row has a CUB path. Exposed for the
** kernel test (tests/c/test_kernels.cu). */
void lu_cuda_reduce_plan(const lu_reduce_call *c, int sms, int occ, int has_cub,
                         lu_k_reduce_plan *p) {
  int64_t resident = (int64_t)sms * (2048 / LU_K_RED_THREADS);   /* blocks that fit at once */
  int64_t K = c->outer * c->inner, red = c->red, items, blocks;
  int isz = lu_dtype_size(c->in_dt);
  p->nsplit = 1;
  p->seg_len = red;
  p->group = 1;
  p->cgroup = 32;
  p->blocks = p->cblocks = 1;
  if (has_cub && K == 1 && red > 0 && c->s_red == isz && red <= INT32_MAX &&
      ((uintptr_t)c->in_ptr % (uintptr_t)isz) == 0) {
    p->path = LU_K_RED_CUB;
    return;
  }
  if (c->inner == 1) {
    int G = red <= 16 ? 1 : red <= 1024 ? 32 : LU_K_RED_THREADS;
    p->path = LU_K_RED_ROWS;
    p->group = G;
    if (G == LU_K_RED_THREADS && c->outer < resident) {
      int64_t maxs = cdiv(red, 8192);
      p->nsplit = cdiv((int64_t)sms * (occ > 0 ? occ : 1), c->outer);
      if (p->nsplit > maxs) p->nsplit = maxs;
      if (p->nsplit > 1) {
        p->seg_len = cdiv(cdiv(red, p->nsplit), 64) * 64;
        p->nsplit = cdiv(red, p->seg_len);
      } else {
        p->nsplit = 1;
      }
    }
    items = c->outer * p->nsplit;
    blocks = cdiv(items, LU_K_RED_THREADS / G);
    if (blocks > resident * 4) blocks = resident * 4;
  } else {
    int64_t tiles = c->outer * cdiv(c->inner, LU_K_RED_TX);
    p->path = LU_K_RED_COLS;
    if (tiles < resident * 16 && red > 0) {
      int64_t maxs = cdiv(red, 64);
      p->nsplit = cdiv(resident * 16, tiles);
      if (p->nsplit > maxs) p->nsplit = maxs;
      if (p->nsplit > 1) {
        p->seg_len = cdiv(red, p->nsplit);
        p->nsplit = cdiv(red, p->seg_len);
      } else {
        p->nsplit = 1;
      }
    }
    items = tiles * p->nsplit;
    blocks = items < resident ? items : resident;
  }
  p->blocks = (unsigned)(blocks > 0 ? blocks : 1);
  if (p->nsplit > 1) {
    if (K < resident && p->nsplit > 256) {
      p->cgroup = LU_K_RED_THREADS;
      blocks = K;
    } else {
      blocks = cdiv(K, LU_K_RED_THREADS / 32);
      if (blocks > resident * 4) blocks = resident * 4;
    }
    p->cblocks = (unsigned)(blocks > 0 ? blocks : 1);
  }
}

int lu_cuda_reduce(lu_ctx *ctx, const lu_reduce_call *c) {
  lu_cuda_dev *d;
  lu_k_env env;
  lu_k_reduce_info info;
  lu_k_reduce_plan p;
  int rc = lu_cuda_device(ctx, c->dev.index, &d);
  if (rc != LU_OK) return rc;
  if ((unsigned)c->op >= LU_NREDS || (unsigned)c->in_dt >= LU_NDTYPES)
    return lu_cuda_seterr(ctx, LU_EARG, "reduce: bad op %d or dtype %d", (int)c->op,
                          (int)c->in_dt);
  if (c->out_dt != lu_red_result(c->op, c->in_dt))
    return lu_cuda_seterr(ctx, LU_EARG, "reduce %s: output dtype %s is not the row's result",
                          lu_reds[c->op].name, lu_dtype_name(c->out_dt));
  if (c->outer * c->inner == 0) return LU_OK;
  if (lu_k_reduce_query(c->op, c->in_dt, &info) != 0)
    return lu_cuda_seterr(ctx, LU_EARG, "reduce %s: no kernel for dtype %s", lu_reds[c->op].name,
                          lu_dtype_name(c->in_dt));
  lu_cuda_env(d, &env);
  lu_cuda_reduce_plan(c, env.sm_count > 0 ? env.sm_count : 1,
                      env.occupancy(env.ud, info.rows_fn, LU_K_RED_THREADS), info.has_cub, &p);
  LAUNCH_CHECK(ctx, lu_k_reduce(c, &p, &env));
  return LU_OK;
}

const lu_reduce_family lu_cuda_reduce_family = { lu_cuda_reduce };
