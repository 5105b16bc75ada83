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
  lu_ctx_unref(ctx);
  printf("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
#endif
