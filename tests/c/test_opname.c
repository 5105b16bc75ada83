/* SPDX-License-Identifier: MIT */
/*
** A backend's failure names the op the user called (DESIGN §3): the core
** records the op on the context (lu_ctx_op) wherever it reaches a backend,
** and the CUDA backend's messages start with it. Checked without a GPU: a
** fake backend on the "cpu" device fails on purpose inside sum, add, a
** transfer and a synchronize, and records what lu_ctx_op said. In a CUDA
** build it fails through the CUDA backend's own lu_cuda_fail, so the exact
** text users read is checked too. Prints each failure; exits non-zero when
** any check failed.
*/
#include <stdio.h>
#include <string.h>
#include "lu_api.h"
#include "lu_ctx.h"
#ifdef LUNAR_HAVE_CUDA
#include <cuda_runtime.h>
int lu_cuda_fail(lu_ctx *ctx, cudaError_t e, const char *call, const char *file, int line);
#endif

static int failures, checks;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
  printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static lu_device CPU = {LU_DEV_CPU, 0};

/* {====================================================== the fake backend */
/* The real CPU backend, except for the entries below: reduce always
** fails, ewise fails for `add` only (copies still work), and download and
** synchronize fail once `failing` is set. */
static const char *seen;        /* lu_ctx_op at the last failing entry */
static int failing, oom;

/* The failure as the CUDA backend reports it (a CPU-only build has no
** such backend: then only what the entry saw is checked). */
static int fail(lu_ctx *ctx) {
  seen = lu_ctx_op(ctx);
#ifdef LUNAR_HAVE_CUDA
  return lu_cuda_fail(ctx, oom ? cudaErrorMemoryAllocation : cudaErrorInvalidValue,
                      "cudaMemcpyAsync(...)", "src/backend/cuda/ewise.c", 123);
#else
  return lu_seterr(ctx, LU_EBACKEND, "fake failure");
#endif
}

static int fake_reduce(lu_ctx *ctx, const lu_reduce_call *c) { (void)c; return fail(ctx); }

static int fake_ewise(lu_ctx *ctx, const lu_ewise_call *c) {
  if (c->op == LU_OP_add) return fail(ctx);
  return lu_cpu_backend.ewise->ewise(ctx, c);
}

static int fake_download(lu_ctx *ctx, int dev, void *h_dst, const void *d_src, size_t n) {
  if (failing) return fail(ctx);
  return lu_cpu_backend.dev->download(ctx, dev, h_dst, d_src, n);
}

static int fake_synchronize(lu_ctx *ctx, int dev) {
  (void)dev;
  return failing ? fail(ctx) : LU_OK;
}

static lu_device_services services;
static lu_ewise_family ewise;
static lu_reduce_family reduce;
static lu_backend fake;

static void install(lu_ctx *ctx) {
  services = *lu_cpu_backend.dev;
  services.download = fake_download;
  services.synchronize = fake_synchronize;
  ewise = *lu_cpu_backend.ewise;
  ewise.ewise = fake_ewise;
  reduce.reduce = fake_reduce;
  fake = lu_cpu_backend;
  fake.dev = &services;
  fake.ewise = &ewise;
  fake.reduce = &reduce;
  ctx->backends[LU_DEV_CPU] = &fake;
}
/* }====================================================== */

/* The op seen by the backend, and in a CUDA build the whole message. */
static void expect(lu_ctx *ctx, int st, const char *op, const char *line) {
#ifdef LUNAR_HAVE_CUDA
  char want[256];
  if (oom)
    snprintf(want, sizeof want, "%s: cuda: cudaMemcpyAsync(...) failed: out of memory (ewise.c:123)", op);
  else
    snprintf(want, sizeof want, "%s: cuda: cudaMemcpyAsync(...) failed: cudaErrorInvalidValue: "
             "invalid argument (ewise.c:123)", op);
  CHECK(strcmp(ctx->errmsg, want) == 0, "%s: message '%s', want '%s'", line, ctx->errmsg, want);
  CHECK(st == (oom ? LU_EMEM : LU_EBACKEND), "%s: status %d", line, st);
#else
  CHECK(st == LU_EBACKEND, "%s: status %d", line, st);
#endif
  CHECK(seen != NULL && strcmp(seen, op) == 0, "%s: the backend saw op '%s', want '%s'", line,
        seen ? seen : "(null)", op);
  seen = NULL;
}

int main(void) {
  lu_ctx *ctx = lu_ctx_new();
  lu_array a, b, t, r;
  int64_t shape[4] = {2, 3, 4, 5}, row[1] = {5};
  int perm[4] = {2, 1, 0, 3};
  static double h[120];
  lu_arg g[2];
  int st;
  if (ctx == NULL) { printf("FAIL: lu_ctx_new\n"); return 1; }
  lu_ctx_set_default_device(ctx, CPU);
  install(ctx);
  a.buf = b.buf = t.buf = r.buf = NULL;
  if (lu_from_host(ctx, &a, LU_FLOAT64, 4, shape, CPU, h) != LU_OK ||
      lu_from_host(ctx, &b, LU_FLOAT64, 1, row, CPU, h) != LU_OK) {
    printf("FAIL: from_host: %s\n", ctx->errmsg);
    return 1;
  }

  /* a reduction, and one whose outer axes do not merge: the copy made
  ** first (an elementwise op of its own) must not take the name */
  st = lu_reduce(ctx, &r, LU_RED_sum, &a, LU_ALLAXES, 0, 0);
  expect(ctx, st, "sum", "sum");
  CHECK(lu_transpose(ctx, &t, &a, perm) == LU_OK, "transpose: %s", ctx->errmsg);
  st = lu_reduce(ctx, &r, LU_RED_sum, &t, 3, 0, 0);
  expect(ctx, st, "sum", "sum over a transposed view");
  st = lu_reduce(ctx, &r, LU_RED_max, &t, 3, 0, 0);
  expect(ctx, st, "max", "max");

  /* elementwise: the short path (same shapes) and the general one (a
  ** broadcast) */
  g[0] = (lu_arg){&a, {'i', 0, 0}};
  g[1] = (lu_arg){&a, {'i', 0, 0}};
  st = lu_ewise(ctx, LU_OP_add, 2, g, &r);
  expect(ctx, st, "add", "add");
  g[1] = (lu_arg){&b, {'i', 0, 0}};
  st = lu_ewise(ctx, LU_OP_add, 2, g, &r);
  expect(ctx, st, "add", "add with a broadcast");

  /* the same failures reported as out of memory */
  oom = 1;
  st = lu_reduce(ctx, &r, LU_RED_sum, &a, LU_ALLAXES, 0, 0);
  expect(ctx, st, "sum", "sum out of memory");
  oom = 0;

  /* transfers and device services */
  failing = 1;
  st = lu_to_host(ctx, &a, h);
  expect(ctx, st, "to_host", "to_host");
  st = lu_synchronize(ctx, CPU);
  expect(ctx, st, "synchronize", "synchronize");
  failing = 0;

  lu_array_release(&t);
  lu_array_release(&a);
  lu_array_release(&b);
  ctx->backends[LU_DEV_CPU] = &lu_cpu_backend;
  lu_ctx_unref(ctx);
  printf("test_opname: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
