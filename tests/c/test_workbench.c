/* SPDX-License-Identifier: MIT */
/*
** Tests of the workbench's core (src/core/workbench.c) through the array
** API on the CPU: the counters (allocations, launches, transfers, reset),
** strict synchronisation (nothing changes on the CPU; an explicit depth
** never goes below 0), and the CPU memory pool (used and cached bytes, a
** limit that fails a big allocation with a message naming it, giving the
** cache back). Expected values are written by hand. Prints each failure;
** exits non-zero when any check failed.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lu_internal.h"

static int failures, checks;

#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
  printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define OK(ctx, expr) do { int st_ = (expr); checks++; if (st_ != LU_OK) { failures++; \
  printf("FAIL %s:%d: %s -> %d: %s\n", __FILE__, __LINE__, #expr, st_, (ctx)->errmsg); } } while (0)

static const lu_device CPU = {LU_DEV_CPU, 0};

int main(void) {
  lu_ctx *ctx = lu_ctx_new();
  static const double x4[] = {1, 2, 3, 4};
  double h[4];
  int64_t s4[1] = {4}, big[1] = {4 << 20};   /* 32 MiB of float64 */
  lu_array a, b, c;
  lu_arg g[2];
  lu_counters k;
  size_t used0, total0, lim, used, total;
  if (ctx == NULL) return 1;

  /* counters */
  lu_ctx_counters_reset(ctx);
  lu_ctx_counters(ctx, &k);
  CHECK(k.launches == 0 && k.allocs == 0 && k.alloc_bytes == 0 && k.syncs == 0);
  a.buf = b.buf = c.buf = NULL;
  OK(ctx, lu_from_host(ctx, &a, LU_FLOAT64, 1, s4, CPU, x4));
  g[0] = lu_arg_array(&a);
  g[1] = lu_arg_int(1);
  OK(ctx, lu_ewise(ctx, LU_OP_add, 2, g, &b));
  lu_ctx_counters(ctx, &k);
  CHECK(k.allocs == 2);
  CHECK(k.alloc_bytes == 64);
  CHECK(k.launches == 1);
  CHECK(k.h2d_bytes == 0 && k.d2h_bytes == 0);   /* the CPU is the host */

  /* strict mode: the CPU never waits */
  lu_ctx_set_strict_sync(ctx, 1);
  CHECK(lu_ctx_strict_sync(ctx) == 1);
  OK(ctx, lu_to_host_as(ctx, &b, h, "test"));
  CHECK(h[0] == 2 && h[3] == 5);
  OK(ctx, lu_host_wait(ctx, CPU, "test"));
  lu_ctx_explicit(ctx, -1);                     /* clamped at 0 */
  CHECK(ctx->explicit_depth == 0);
  lu_ctx_set_strict_sync(ctx, 0);
  lu_ctx_counters(ctx, &k);
  CHECK(k.syncs == 0);

  /* the CPU pool: big buffers are cached, the cache goes back */
  OK(ctx, lu_pool_free_all(ctx, CPU, LU_POOL_DEVICE));
  OK(ctx, lu_pool_info(ctx, CPU, LU_POOL_DEVICE, &used0, &total0, &lim));
  CHECK(used0 == total0);
  CHECK(lim == SIZE_MAX);
  OK(ctx, lu_empty(ctx, &c, LU_FLOAT64, 1, big, CPU));
  OK(ctx, lu_pool_info(ctx, CPU, LU_POOL_DEVICE, &used, &total, &lim));
  CHECK(used >= used0 + ((size_t)32 << 20));
  lu_array_release(&c);
  OK(ctx, lu_pool_info(ctx, CPU, LU_POOL_DEVICE, &used, &total, &lim));
  CHECK(used == used0);
  CHECK(total >= used0 + ((size_t)32 << 20));
  OK(ctx, lu_pool_free_all(ctx, CPU, LU_POOL_DEVICE));
  OK(ctx, lu_pool_info(ctx, CPU, LU_POOL_DEVICE, &used, &total, &lim));
  CHECK(total == used);

  /* a limit fails a big allocation, naming the limit */
  OK(ctx, lu_pool_set_limit(ctx, CPU, LU_POOL_DEVICE, used0 + ((size_t)8 << 20)));
  c.buf = NULL;
  CHECK(lu_empty(ctx, &c, LU_FLOAT64, 1, big, CPU) == LU_EMEM);
  CHECK(strstr(ctx->errmsg, "the memory pool's limit is") != NULL);
  CHECK(c.buf == NULL);
  OK(ctx, lu_pool_set_limit(ctx, CPU, LU_POOL_DEVICE, SIZE_MAX));
  OK(ctx, lu_empty(ctx, &c, LU_FLOAT64, 1, big, CPU));
  lu_array_release(&c);

  /* no pinned pool on the CPU */
  CHECK(lu_pool_info(ctx, CPU, LU_POOL_PINNED, &used, &total, &lim) == LU_EDEVICE);
  CHECK(strcmp(ctx->errmsg, "memory_pool: no pinned memory pool on cpu") == 0);

  lu_array_release(&a);
  lu_array_release(&b);
  lu_ctx_unref(ctx);
  printf("test_workbench: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
