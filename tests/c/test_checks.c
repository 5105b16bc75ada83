/* SPDX-License-Identifier: MIT */
/*
** The debug build's internal checks (src/core/lu_check.h): each case breaks
** one invariant by hand in a child process, calls the core, and expects the
** child to abort with the invariant named on stderr; an intact array must
** pass. Without LUNAR_DEBUG the checks do not exist: the test reports itself
** skipped (exit 77, ctest's SKIP_RETURN_CODE).
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lu_api.h"
#include "lu_ctx.h"
#include "lu_internal.h"
#include "lu_check.h"

#ifndef LUNAR_DEBUG
int main(void) {
  printf("skipped: built without LUNAR_DEBUG\n");
  return 77;
}
#else

static int failures, checks;
static lu_ctx *ctx;
static const lu_device CPU = {LU_DEV_CPU, 0};

/* Run fn in a child with stderr captured. want NULL: the child must exit
** normally; else it must abort with `want` in its stderr. */
static void expect(const char *name, void (*fn)(void), const char *want) {
  int fd[2], status;
  char err[4096];
  ssize_t n, got = 0;
  pid_t pid;
  checks++;
  fflush(stdout);
  if (pipe(fd) != 0) { perror("pipe"); exit(2); }
  pid = fork();
  if (pid == 0) {
    dup2(fd[1], 2);
    close(fd[0]);
    fn();
    _exit(0);
  }
  close(fd[1]);
  while ((n = read(fd[0], err + got, sizeof err - 1 - (size_t)got)) > 0) got += n;
  err[got] = '\0';
  close(fd[0]);
  waitpid(pid, &status, 0);
  if (want == NULL) {
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      failures++;
      printf("FAIL %s: the intact case did not pass (stderr: %s)\n", name, err);
    }
    return;
  }
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || strstr(err, want) == NULL ||
      strstr(err, "internal check failed") == NULL) {
    failures++;
    printf("FAIL %s: expected an abort naming '%s'; stderr: %s\n", name, want, err);
  }
}

/* A fresh 3x4 float64 array of zeros. */
static lu_array fresh(void) {
  lu_array a;
  int64_t shape[2] = {3, 4};
  lu_scalar zero = {'i', 0, 0};
  if (lu_full(ctx, &a, LU_FLOAT64, 2, shape, CPU, zero) != LU_OK) {
    printf("FAIL: lu_full: %s\n", lu_ctx_errmsg(ctx));
    exit(1);
  }
  return a;
}

/* A fresh 1-d int64 array of the n values v. */
static lu_array ints(int n, const int64_t *v) {
  lu_array a;
  int64_t sh = n;
  if (lu_empty(ctx, &a, LU_INT64, 1, &sh, CPU) != LU_OK) {
    printf("FAIL: lu_empty: %s\n", lu_ctx_errmsg(ctx));
    exit(1);
  }
  if (n > 0) memcpy(a.buf->ptr, v, sizeof(int64_t) * (size_t)n);
  return a;
}

#define OK(call) do { if ((call) != LU_OK) { fprintf(stderr, "%s: %s\n", #call, lu_ctx_errmsg(ctx)); exit(1); } } while (0)

static void intact(void) {
  lu_array a = fresh(), t, c;
  lu_arg g[2];
  if (lu_transpose(ctx, &t, &a, NULL) != LU_OK) exit(1);
  memset(g, 0, sizeof g);
  g[0].arr = &t;
  g[1].s.kind = 'i'; g[1].s.i = 1;
  c.buf = NULL;
  if (lu_ewise(ctx, LU_OP_add, 2, g, &c) != LU_OK) exit(1);
  lu_array_release(&c);
  if (lu_reduce(ctx, &c, LU_RED_sum, &t, 0, 0, 0) != LU_OK) exit(1);
  lu_array_release(&c);
  if (lu_matmul(ctx, &c, &a, &t) != LU_OK) exit(1);
  lu_array_release(&c);
  lu_array_release(&t);
  lu_array_release(&a);
}

/* The checked family calls of the sort, fft and index families, on
** operands that keep every invariant: none may abort. */
static void intact_families(void) {
  static const int64_t v[6] = {3, 1, 2, 3, 0, 1}, ix[3] = {2, 1, 6};
  lu_array x = ints(6, v), i = ints(3, ix), r, u, inv, cnt, f;
  lu_arg one = lu_arg_int(1), gv = lu_arg_array(&i);
  int ax = 0;
  OK(lu_sort(ctx, &r, &x, 0));                           lu_array_release(&r);
  OK(lu_argsort(ctx, &r, &x, 0, 1));                     lu_array_release(&r);
  OK(lu_cumulative(ctx, &r, &x, LU_SCAN_PROD, 0, 0, -1)); lu_array_release(&r);
  OK(lu_cumulative(ctx, &r, &x, LU_SCAN_SUM, 0, 0, -1)); lu_array_release(&r);
  OK(lu_sort(ctx, &u, &x, 0));
  OK(lu_searchsorted(ctx, &r, &u, &gv, 1, NULL, 0, 1));  lu_array_release(&r);
  lu_array_release(&u);
  OK(lu_unique(ctx, &x, LU_ALLAXES, 1, 1, &u, &r, &inv, &cnt));
  lu_array_release(&u); lu_array_release(&r); lu_array_release(&inv); lu_array_release(&cnt);
  OK(lu_bincount(ctx, &r, &x, NULL, 0));                 lu_array_release(&r);
  OK(lu_median(ctx, &r, &x, 0, 0, NULL, 0));             lu_array_release(&r);
  OK(lu_take(ctx, &r, &x, &i, 0, 0));                    lu_array_release(&r);
  OK(lu_put_flat(ctx, &x, &i, &one, 0));
  OK(lu_astype(ctx, &f, &x, LU_COMPLEX128));
  OK(lu_fft(ctx, &r, "fft", LU_FFT_FFT, &f, 1, &ax, NULL, LU_NORM_BACKWARD));
  lu_array_release(&r);
  lu_array_release(&f);
  OK(lu_astype(ctx, &f, &x, LU_FLOAT64));
  OK(lu_fft(ctx, &r, "rfft", LU_FFT_RFFT, &f, 1, &ax, NULL, LU_NORM_BACKWARD));
  lu_array_release(&f);
  OK(lu_fft(ctx, &f, "irfft", LU_FFT_IRFFT, &r, 1, &ax, NULL, LU_NORM_BACKWARD));
  lu_array_release(&f);
  lu_array_release(&r);
  lu_array_release(&i);
  lu_array_release(&x);
}

static void offset_past_end(void) {
  lu_array a = fresh(), v = a, out;
  v.offset = 8;                          /* the last element now lies past the end */
  lu_transpose(ctx, &out, &v, NULL);
}

static void shape_past_end(void) {
  lu_array a = fresh(), v = a, out;
  v.shape[0] = 4;
  lu_array_update(&v);
  lu_copy(ctx, &out, &v);
}

static void negative_stride_before_start(void) {
  lu_array a = fresh(), v = a, out;
  v.strides[1] = -8;                     /* walks before element 0 at offset 0 */
  lu_array_update(&v);
  lu_reshape(ctx, &out, &v, 1, (int64_t[1]){12});
}

static void zero_refcount(void) {
  lu_array a = fresh(), out;
  a.buf->refcount = 0;
  lu_squeeze(ctx, &out, &a, LU_ALLAXES);
}

static void bad_dtype(void) {
  lu_array a = fresh(), out;
  a.dtype = (lu_dtype)99;
  lu_reduce(ctx, &out, LU_RED_sum, &a, LU_ALLAXES, 0, 0);
}

static void bad_device(void) {
  lu_array a = fresh(), out;
  a.buf->dev.index = LU_MAXDEV + 3;
  lu_expand_dims(ctx, &out, &a, 0);
}

static void bad_size(void) {
  lu_array a = fresh(), out;
  a.size = 7;
  lu_astype(ctx, &out, &a, LU_FLOAT32);
}

/* The family-call checks, given calls that point outside their arrays. */
static void ewise_call_outside(void) {
  lu_array a = fresh(), out = fresh();
  lu_ewise_call c;
  const lu_array *in[3] = {&a, NULL, NULL};
  memset(&c, 0, sizeof c);
  c.op = LU_OP_copy; c.nin = 1;
  c.ct = c.rt = c.out_dt = c.in_dt[0] = LU_FLOAT64;
  c.dev = CPU; c.ndim = 1; c.n = c.shape[0] = 12;
  c.out_ptr = lu_array_data(&out); c.out_strides[0] = 8;
  c.in_ptr[0] = lu_array_data(&a) + 8; c.in_strides[0][0] = 8;
  lu_check_ewise(ctx, &c, &out, in);
}

static void reduce_call_outside(void) {
  lu_array a = fresh(), out;
  lu_reduce_call c;
  int64_t one = 1;
  lu_empty(ctx, &out, LU_FLOAT64, 1, &one, CPU);
  memset(&c, 0, sizeof c);
  c.op = LU_RED_sum;
  c.in_dt = c.acc_dt = c.out_dt = LU_FLOAT64;
  c.outer = c.inner = 1; c.red = 13; c.s_red = 8;
  c.in_ptr = lu_array_data(&a); c.out_ptr = lu_array_data(&out); c.dev = CPU;
  lu_check_reduce(ctx, &c, &out, &a);
}

static void matmul_call_outside(void) {
  lu_array a = fresh(), b = fresh(), out = fresh();
  lu_matmul_call c;
  memset(&c, 0, sizeof c);
  c.dt = LU_FLOAT64; c.batch = 1; c.M = 3; c.N = 4; c.K = 4;
  c.a_ptr = lu_array_data(&a); c.lda = 4;
  c.b_ptr = lu_array_data(&b); c.ldb = 4;   /* B is 4x4: one row more than b holds */
  c.c_ptr = lu_array_data(&out); c.ldc = 4; c.bstride_c = 12; c.dev = CPU;
  lu_check_matmul(ctx, &c, &out, &a, &b);
}

/* {===== the sort family */
static void sort_call_outside(void) {
  lu_array a = fresh(), out = fresh();
  lu_sort_call c;
  memset(&c, 0, sizeof c);
  c.dt = LU_FLOAT64; c.nrow = 2; c.len = 7;   /* 14 keys, the arrays hold 12 */
  c.in = lu_array_data(&a); c.out = lu_array_data(&out); c.dev = CPU;
  lu_check_sort(ctx, &c, &a, &out, NULL);
}

static void sort_positions_wrong_dtype(void) {
  lu_array a = fresh(), idx = fresh();        /* float64, not int64 */
  lu_sort_call c;
  memset(&c, 0, sizeof c);
  c.dt = LU_FLOAT64; c.nrow = 3; c.len = 4;
  c.in = lu_array_data(&a); c.idx = (int64_t *)lu_array_data(&idx); c.dev = CPU;
  lu_check_sort(ctx, &c, &a, NULL, &idx);
}

static void scan_call_outside(void) {
  lu_array a = fresh(), out = fresh();
  lu_scan_call c;
  memset(&c, 0, sizeof c);
  c.op = LU_SCAN_SUM; c.dt = LU_FLOAT64;
  c.outer = c.inner = 1; c.len = 12; c.s_len = 16;   /* every other element: 23 long */
  c.in = lu_array_data(&a); c.out = lu_array_data(&out); c.dev = CPU;
  lu_check_scan(ctx, &c, &a, &out, NULL);
}

static void search_call_outside(void) {
  lu_array a = fresh(), v = fresh(), out;
  int64_t n = 13;
  lu_search_call c;
  lu_empty(ctx, &out, LU_INT64, 1, &n, CPU);
  memset(&c, 0, sizeof c);
  c.dt = LU_FLOAT64; c.n = 12; c.m = 13;      /* 13 queries, v holds 12 */
  c.sorted = lu_array_data(&a); c.v = lu_array_data(&v); c.out = lu_array_data(&out); c.dev = CPU;
  lu_check_search(ctx, &c, &a, &v, &out);
}

static void runs_call_outside(void) {
  static const int64_t k[4] = {1, 1, 2, 3};
  lu_array keys = ints(4, k), id = ints(3, k);
  int64_t nr;
  lu_runs_call c;
  memset(&c, 0, sizeof c);
  c.dt = LU_INT64; c.n = 4; c.keys = lu_array_data(&keys);
  c.id = (int64_t *)lu_array_data(&id);       /* room for 3 ids of 4 */
  c.nruns = &nr; c.dev = CPU;
  lu_check_runs(ctx, &c, &keys, NULL, NULL, NULL, &id);
}

static void histogram_edges_short(void) {
  lu_array x = fresh(), edges = fresh(), out;
  int64_t nb = 12;
  lu_hist_call c;
  lu_empty(ctx, &out, LU_INT64, 1, &nb, CPU);
  memset(&c, 0, sizeof c);
  c.dt = LU_FLOAT64; c.x = lu_array_data(&x); c.n = 12;
  c.nbins = 12; c.edges = lu_array_data(&edges);   /* 12 edges for 12 bins: one short */
  c.lo = 0; c.hi = 1;
  c.out = lu_array_data(&out); c.out_dt = LU_INT64; c.dev = CPU;
  lu_check_hist(ctx, &c, 1, &x, NULL, &edges, &out);
}

static void bincount_value_outside(void) {
  static const int64_t v[3] = {0, 2, 3};
  lu_array x = ints(3, v), out;
  int64_t nb = 3;
  lu_hist_call c;
  lu_empty(ctx, &out, LU_INT64, 1, &nb, CPU);
  memset(&c, 0, sizeof c);
  c.dt = LU_INT64; c.x = lu_array_data(&x); c.n = 3;
  c.nbins = 3; c.out = lu_array_data(&out); c.out_dt = LU_INT64; c.dev = CPU;
  lu_check_hist(ctx, &c, 0, &x, NULL, NULL, &out);
}

static void quantile_q_outside(void) {
  lu_array a = fresh(), out = fresh();
  double q[2] = {0.5, 1.5};
  lu_quantile_call c;
  memset(&c, 0, sizeof c);
  c.dt = c.out_dt = LU_FLOAT64; c.nrow = 3; c.len = 4;
  c.in = lu_array_data(&a); c.nq = 2; c.q = q; c.out = lu_array_data(&out); c.dev = CPU;
  lu_check_quantile(ctx, &c, &a, &out);
}

static void row_gather_position_outside(void) {
  static const int64_t p[4] = {1, 4, 2, 3};   /* 1-based: 4 is past rows of 3 */
  lu_array a = fresh(), idx = ints(4, p), out = fresh();
  /* 4 rows of 3: one position per row */
  lu_check_rowgather(ctx, CPU, 8, 4, &a, 3, &idx, 1, 1, 1, &out);
}

static void row_scatter_position_outside(void) {
  static const int64_t p[3] = {0, 12, 5};
  lu_array vals = fresh(), idx = ints(3, p), out = fresh();
  lu_check_rowscatter(ctx, CPU, 8, 1, &vals, &idx, 3, 0, &out, 0);
}
/* }===== */

/* {===== fft and the index family */
static void fft_call_outside(void) {
  lu_array a = fresh(), in, out;
  lu_fft_call c;
  lu_astype(ctx, &in, &a, LU_COMPLEX128);
  lu_astype(ctx, &out, &a, LU_COMPLEX128);
  memset(&c, 0, sizeof c);
  c.kind = LU_FFT_C2C; c.forward = 1; c.in_dt = c.out_dt = LU_COMPLEX128;
  c.rank = 1; c.n[0] = 4; c.is[0] = 1; c.os[0] = 1;
  c.nbatch = 1; c.bn[0] = 4; c.ibs[0] = 4; c.obs[0] = 4;   /* 4 rows of 4: 16 of 12 */
  c.in = lu_array_data(&in); c.out = lu_array_data(&out); c.out_size = 12; c.scale = 1;
  c.dev = CPU;
  lu_check_fft(ctx, &c, 3, &in, &out);
}

static void fft_rank_too_high(void) {
  lu_array a = fresh(), in;
  lu_fft_call c;
  lu_astype(ctx, &in, &a, LU_COMPLEX128);
  memset(&c, 0, sizeof c);
  c.kind = LU_FFT_C2C; c.in_dt = c.out_dt = LU_COMPLEX128;
  c.rank = 2; c.n[0] = 3; c.n[1] = 4; c.is[0] = 4; c.is[1] = 1; c.os[0] = 4; c.os[1] = 1;
  c.in = c.out = lu_array_data(&in); c.out_size = 12; c.scale = 1; c.dev = CPU;
  lu_check_fft(ctx, &c, 1, &in, &in);           /* a family of one axis per call */
}

/* a[i] for the 3x4 a and i of 3 positions along axis 0, as index.c makes
** it; `reach` is the number of positions an index may take */
static void gather_call(lu_gather_call *c, lu_array *a, lu_array *i, lu_array *out, int64_t reach) {
  memset(c, 0, sizeof *c);
  c->name = "take"; c->dt = LU_FLOAT64; c->dev = CPU;
  c->arr = lu_array_data(a);
  c->other = lu_array_data(out);
  c->ndim = 2; c->shape[0] = 3; c->shape[1] = 4; c->n = 12;
  c->arr_strides[1] = 8;                      /* axis 0 is the index's */
  c->other_strides[0] = 32; c->other_strides[1] = 8;
  c->key_strides[1] = 1; c->nkey = 12;
  c->nidx = 1; c->idx_dt[0] = LU_INT64; c->idx_ptr[0] = lu_array_data(i);
  c->idx_strides[0][0] = 8;
  c->idx_size[0] = reach; c->ax_stride[0] = 32; c->key_ax[0] = 4; c->idx_base[0] = 1;
}

static void gather_reach_outside(void) {
  static const int64_t p[3] = {1, 2, 3};
  lu_array a = fresh(), i = ints(3, p), out = fresh();
  lu_gather_call c;
  gather_call(&c, &a, &i, &out, 4);           /* a has 3 rows, not 4 */
  lu_check_gather(ctx, &c, 0, &a, &i, &out);
}

static void scatter_keys_outside(void) {
  static const int64_t p[3] = {1, 2, 3};
  lu_array a = fresh(), i = ints(3, p), vals = fresh();
  lu_gather_call c;
  gather_call(&c, &a, &i, &vals, 3);
  c.nkey = 11;                                /* the last target is number 11 */
  lu_check_gather(ctx, &c, 1, &a, &i, &vals);
}

static void gather_intact_call(void) {
  static const int64_t p[3] = {1, 2, 3};
  lu_array a = fresh(), i = ints(3, p), out = fresh();
  lu_gather_call c;
  gather_call(&c, &a, &i, &out, 3);
  lu_check_gather(ctx, &c, 0, &a, &i, &out);
  lu_check_gather(ctx, &c, 1, &a, &i, &out);
}
/* }===== */

/* {===== stream ownership: the checks themselves (a CPU-only build has no
** streams to make, so stand-in pointers play them) */
static int st1, st2;

static void streams_intact(void) {
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_MADE);
  lu_check_stream(ctx, &st2, LU_CHK_STREAM_MADE);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_ENTER);
  lu_check_stream(ctx, &st2, LU_CHK_STREAM_ENTER);
  lu_check_stream(ctx, &st2, LU_CHK_STREAM_USE);
  lu_check_stream(ctx, &st2, LU_CHK_STREAM_LEAVE);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_LEAVE);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_GONE);
  lu_check_stream(ctx, &st2, LU_CHK_STREAM_GONE);
  lu_check_ctx_end(ctx);
}

static void stream_of_another_context(void) {
  lu_ctx *other = lu_ctx_new();
  lu_check_stream(other, &st1, LU_CHK_STREAM_MADE);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_USE);
}

static void stream_used_after_destroy(void) {
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_MADE);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_GONE);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_USE);
}

static void stream_left_out_of_order(void) {
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_MADE);
  lu_check_stream(ctx, &st2, LU_CHK_STREAM_MADE);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_ENTER);
  lu_check_stream(ctx, &st2, LU_CHK_STREAM_ENTER);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_LEAVE);
}

static void stream_destroyed_while_entered(void) {
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_MADE);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_ENTER);
  lu_check_stream(ctx, &st1, LU_CHK_STREAM_GONE);
}

static void context_ends_with_stream(void) {
  lu_ctx *other = lu_ctx_new();
  lu_check_stream(other, &st1, LU_CHK_STREAM_MADE);
  lu_ctx_unref(other);
}
/* }===== */

int main(void) {
  ctx = lu_ctx_new();
  if (ctx == NULL) { printf("FAIL: lu_ctx_new\n"); return 1; }
  ctx->default_dev = CPU;
  expect("intact arrays pass", intact, NULL);
  expect("offset past the end", offset_past_end, "lie within its buffer");
  expect("shape past the end", shape_past_end, "lie within its buffer");
  expect("negative stride before the start", negative_stride_before_start, "lie within its buffer");
  expect("refcount 0", zero_refcount, "positive refcount");
  expect("dtype code 99", bad_dtype, "dtype code is valid");
  expect("device index out of range", bad_device, "device is valid");
  expect("size not the product of the shape", bad_size, "size is the product of its shape");
  expect("ewise call outside its input", ewise_call_outside, "ewise input 1 lies within its buffer");
  expect("reduce call outside its input", reduce_call_outside, "reduce input lies within its buffer");
  expect("matmul call outside operand B", matmul_call_outside, "matmul operand B lies within its buffer");
  expect("sort, scan, search, unique, bincount, median, take, put, fft intact", intact_families, NULL);
  expect("sort call outside its input", sort_call_outside, "sort input lies within its buffer");
  expect("sort positions of float64", sort_positions_wrong_dtype, "has the call's dtype");
  expect("scan call outside its input", scan_call_outside, "scan input lies within its buffer");
  expect("search call outside its queries", search_call_outside, "search queries lie within their buffer");
  expect("runs call outside its ids", runs_call_outside, "runs ids lie within their buffer");
  expect("histogram with an edge short", histogram_edges_short, "histogram edges lie within their buffer");
  expect("bincount value past the bins", bincount_value_outside, "bincount values lie within [0, nbins)");
  expect("quantile 1.5", quantile_q_outside, "quantiles lie within [0, 1]");
  expect("row gather position past its row", row_gather_position_outside,
         "row gather positions lie within their rows");
  expect("row scatter position past the target", row_scatter_position_outside,
         "row scatter positions lie within their rows");
  expect("fft call outside its input", fft_call_outside, "fft input lies within its buffer");
  expect("fft of two axes on a one-axis family", fft_rank_too_high, "fft rank is within the family's");
  expect("intact gather and scatter calls", gather_intact_call, NULL);
  expect("gather reaching past the indexed array", gather_reach_outside,
         "indexed array lies within its buffer for every index in range");
  expect("scatter keys past nkey", scatter_keys_outside, "scatter keys lie within [0, nkey)");
  expect("streams made, entered, left and destroyed in order", streams_intact, NULL);
  expect("a stream of another context", stream_of_another_context,
         "a stream is used by the context that made it");
  expect("a stream used after it is destroyed", stream_used_after_destroy,
         "a stream is used by the context that made it, before it is destroyed");
  expect("streams left out of order", stream_left_out_of_order, "a stream left is the one entered last");
  expect("a stream destroyed while entered", stream_destroyed_while_entered,
         "a stream is not destroyed while it is entered");
  expect("a context ending with a stream alive", context_ends_with_stream,
         "a context ends with none of its streams alive");
  lu_ctx_unref(ctx);
  printf("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
#endif
