/* SPDX-License-Identifier: MIT */
/*
** Tests of lunar.dist's core (src/core/dist.c, dist_mpi.c) through its C
** API, in one process: MPI missing gives a message naming the package; a
** group of one ("self", and "env" with a world of one) runs every
** collective as a copy, in place, into out= and asynchronously; init's
** mistakes are errors. Several processes: tests/dist/run.sh. Expected
** values are written by hand. Exits non-zero when any check failed.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_dist_engines.h"

static int failures, checks;

#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
  printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define OK(ctx, expr) do { int st_ = (expr); checks++; if (st_ != LU_OK) { failures++; \
  printf("FAIL %s:%d: %s -> %d: %s\n", __FILE__, __LINE__, #expr, st_, lu_ctx_errmsg(ctx)); } } while (0)
#define HAS(ctx, text) do { checks++; if (!strstr(lu_ctx_errmsg(ctx), text)) { failures++; \
  printf("FAIL %s:%d: message '%s' lacks '%s'\n", __FILE__, __LINE__, lu_ctx_errmsg(ctx), text); } } while (0)

static const lu_device CPU = {LU_DEV_CPU, 0};

static int values(lu_ctx *ctx, const lu_array *a, const double *want, int n) {
  double h[8];
  if (a->buf == NULL || a->size != n || a->dtype != LU_FLOAT64) return 0;
  if (lu_to_host(ctx, a, h) != LU_OK) return 0;
  return memcmp(h, want, (size_t)n * sizeof *h) == 0;
}

/* one call, waited for; the result in *res (released by the caller) */
static int call(lu_ctx *ctx, lu_dist_args *a, lu_array *res, int *has) {
  lu_dist_req *r = NULL;
  int st = lu_dist_call(ctx, a, &r);
  *has = 0;
  res->buf = NULL;
  if (st == LU_OK) st = lu_dist_wait(ctx, r, res, has);
  lu_dist_req_free(ctx, r);
  return st;
}

int main(void) {
  lu_ctx *ctx = lu_ctx_new();
  static const double x4[] = {1, 2, 3, 4};
  int64_t s4[1] = {4}, s14[2] = {1, 4};
  lu_array a, o, res, m;
  lu_dist_args args;
  lu_dist_opts opts;
  int rank = -1, size = -1, lr = -1, ls = -1, has;
  if (ctx == NULL) return 1;
  a.buf = o.buf = res.buf = m.buf = NULL;

  /* MPI missing: the message names the package (checked first: the
  ** library is opened once per process) */
  setenv("LUNAR_MPI_LIB", "/nonexistent/libmpi.so.40", 1);
  CHECK(lu_mpi_load(ctx) == NULL);
  HAS(ctx, "apt-get install openmpi-bin");
  HAS(ctx, "/nonexistent/libmpi.so.40");
  memset(&opts, 0, sizeof opts);
  opts.method = "mpi";
  CHECK(lu_dist_init(ctx, &opts) != LU_OK);
  HAS(ctx, "dist.init: cannot load MPI");
  CHECK(!lu_dist_is_init());

  /* names */
  CHECK(strcmp(lu_dist_opname(LU_DIST_REDUCE_SCATTER), "reduce_scatter") == 0);
  CHECK(lu_dist_red_from_name("avg") == LU_DRED_AVG && lu_dist_red_from_name("mean") == -1);

  /* before init, and init's mistakes */
  CHECK(lu_dist_info(ctx, "dist.rank", &rank, NULL, NULL, NULL) != LU_OK);
  HAS(ctx, "dist.rank: the process group is not initialised");
  opts.method = "tcp";
  CHECK(lu_dist_init(ctx, &opts) != LU_OK);
  HAS(ctx, "method must be 'mpi', 'env' or 'file://PATH', got 'tcp'");
  opts.method = "env";
  unsetenv("LUNAR_RANK");
  unsetenv("LUNAR_WORLD_SIZE");
  CHECK(lu_dist_init(ctx, &opts) != LU_OK);
  HAS(ctx, "needs LUNAR_RANK (0 .. size-1) and LUNAR_WORLD_SIZE");
  setenv("LUNAR_RANK", "1", 1);
  setenv("LUNAR_WORLD_SIZE", "2", 1);
  CHECK(lu_dist_init(ctx, &opts) != LU_OK);   /* no MPI, no GPU (or no rendezvous) */
  HAS(ctx, "dist.init: ");
  CHECK(!lu_dist_is_init());

  /* a world of one through the environment */
  setenv("LUNAR_RANK", "0", 1);
  setenv("LUNAR_WORLD_SIZE", "1", 1);
  OK(ctx, lu_dist_init(ctx, &opts));
  OK(ctx, lu_dist_info(ctx, "dist.rank", &rank, &size, &lr, &ls));
  CHECK(rank == 0 && size == 1 && lr == 0 && ls == 1);
  CHECK(strcmp(lu_dist_backend_name(), "self") == 0);
  CHECK(lu_dist_init(ctx, &opts) != LU_OK);
  HAS(ctx, "already initialised");

  OK(ctx, lu_from_host(ctx, &a, LU_FLOAT64, 1, s4, CPU, x4));
  memset(&args, 0, sizeof args);
  args.out = &o;
  /* all_reduce in place, into out, async */
  args.op = LU_DIST_ALL_REDUCE;
  args.in = &a;
  args.inplace = 1;
  OK(ctx, call(ctx, &args, &res, &has));
  CHECK(has && res.buf == a.buf && values(ctx, &a, x4, 4));
  lu_array_release(&res);
  OK(ctx, lu_empty(ctx, &o, LU_FLOAT64, 1, s4, CPU));
  args.inplace = 0;
  args.async = 1;
  args.red = LU_DRED_MAX;
  OK(ctx, call(ctx, &args, &res, &has));
  CHECK(has && res.buf == o.buf && values(ctx, &o, x4, 4));
  lu_array_release(&res);
  lu_array_release(&o);
  /* all_gather: (1, 4); scatter of it: (4,) */
  args.op = LU_DIST_ALL_GATHER;
  args.async = 0;
  OK(ctx, call(ctx, &args, &m, &has));
  CHECK(has && m.ndim == 2 && m.shape[0] == 1 && m.shape[1] == 4);
  args.op = LU_DIST_SCATTER;
  args.in = &m;
  OK(ctx, call(ctx, &args, &res, &has));
  CHECK(has && res.ndim == 1 && values(ctx, &res, x4, 4));
  lu_array_release(&res);
  /* reduce_scatter needs a first axis of size() */
  args.op = LU_DIST_REDUCE_SCATTER;
  args.in = &a;
  CHECK(call(ctx, &args, &res, &has) != LU_OK);
  HAS(ctx, "dist.reduce_scatter: the array must have a first axis of length size() = 1, got shape (4,)");
  args.in = &m;
  OK(ctx, call(ctx, &args, &res, &has));
  CHECK(has && values(ctx, &res, x4, 4));
  lu_array_release(&res);
  /* out= of another shape */
  OK(ctx, lu_empty(ctx, &o, LU_FLOAT64, 2, s14, CPU));
  args.op = LU_DIST_ALL_REDUCE;
  args.in = &a;
  CHECK(call(ctx, &args, &res, &has) != LU_OK);
  HAS(ctx, "dist.all_reduce: out has shape (1,4) but the result has shape (4,)");
  lu_array_release(&o);
  /* send to oneself */
  args.out = &o;
  args.op = LU_DIST_SEND;
  CHECK(call(ctx, &args, &res, &has) != LU_OK);
  HAS(ctx, "dist.send: peer 0 is this rank");
  OK(ctx, lu_dist_barrier(ctx));
  OK(ctx, lu_dist_finalize(ctx));
  CHECK(!lu_dist_is_init());
  CHECK(lu_dist_barrier(ctx) != LU_OK);

  lu_array_release(&a);
  lu_array_release(&m);
  lu_ctx_unref(ctx);
  printf("test_dist: %d checks, %d failed\n", checks, failures);
  return failures != 0;
}
