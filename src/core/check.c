/* SPDX-License-Identifier: MIT */
/*
** The checks of lu_check.h (LUNAR_DEBUG builds only). Each one states the
** invariant it tests in the message, so that a failure reads as a sentence:
** "lunar: src/core/ewise.c:317: internal check failed: ewise input 2 lies
** within its buffer".
*/
#include <stdio.h>
#include <stdlib.h>
#include "lu_internal.h"

#ifdef LUNAR_DEBUG

void lu_check_fail_(const char *file, int line, const char *what) {
  fprintf(stderr, "lunar: %s:%d: internal check failed: %s\n", file, line, what);
  fflush(stderr);
  abort();
}

#define CHECK(cond, what) do { if (!(cond)) lu_check_fail_(file, line, what); } while (0)

static int dtype_ok(int dt) { return dt >= 0 && dt < LU_NDTYPES; }

/* The device names a backend this context has. */
static int device_ok(const lu_ctx *ctx, lu_device dev) {
  return dev.type >= 0 && dev.type < LU_NDEVTYPES && dev.index >= 0 &&
         dev.index < LU_MAXDEV && (ctx == NULL || ctx->backends[dev.type] != NULL);
}

/* 1 when the elements at p + sum(i_k * strides[k]), 0 <= i_k < shape[k],
** of `itemsize` bytes each, all lie within buffer b. An empty range always
** does. */
static int within(const lu_buffer *b, const void *p, int ndim, const int64_t *shape,
                  const int64_t *strides, int itemsize) {
  int64_t lo = 0, hi = 0, off;
  int k;
  for (k = 0; k < ndim; k++) {
    int64_t ext;
    if (shape[k] == 0) return 1;
    ext = (shape[k] - 1) * strides[k];
    if (ext < 0) lo += ext; else hi += ext;
  }
  if (b == NULL) return 0;
  off = (int64_t)((const char *)p - (const char *)b->ptr);
  return off + lo >= 0 && off + hi + itemsize <= (int64_t)b->nbytes;
}

void lu_check_array_(const lu_array *a, int need_buf, const char *file, int line) {
  int64_t n = 1;
  int k;
  CHECK(a != NULL, "an array argument is not NULL");
  if (a->buf == NULL) {
    CHECK(!need_buf, "the array has a buffer (it is not closed or empty)");
    return;
  }
  CHECK(a->buf->refcount > 0, "the array's buffer has a positive refcount");
  CHECK(a->buf->ctx != NULL && a->buf->ctx->refcount > 0,
        "the array's buffer belongs to a live context");
  CHECK(device_ok(a->buf->ctx, a->buf->dev), "the array's device is valid");
  CHECK(dtype_ok(a->dtype), "the array's dtype code is valid");
  CHECK(a->ndim >= 0 && a->ndim <= LU_MAXDIM, "the array's ndim is within [0, LU_MAXDIM]");
  for (k = 0; k < a->ndim; k++) {
    CHECK(a->shape[k] >= 0, "the array's dimensions are non-negative");
    n *= a->shape[k];
  }
  CHECK(a->size == n, "the array's size is the product of its shape");
  CHECK(within(a->buf, lu_array_data(a), a->ndim, a->shape, a->strides,
               lu_array_itemsize(a)),
        "the array's shape, strides and offset lie within its buffer");
}

void lu_check_contig_(const lu_array *a, int64_t n, int dt, lu_device dev,
                      const char *file, int line) {
  lu_check_array_(a, 1, file, line);
  CHECK(lu_array_is_contig(a), "a family entry's raw array is C-contiguous");
  CHECK(a->size == n, "a family entry's element count is its array's size");
  CHECK(dt < 0 || (int)a->dtype == dt, "a family entry's dtype is its array's dtype");
  CHECK(lu_device_eq(lu_array_device(a), dev), "a family entry runs on its array's device");
}

/* An array a family call reads or writes: complete, on the call's device,
** of the call's context. */
static void operand(const lu_ctx *ctx, const lu_array *a, lu_device dev, const char *file,
                    int line) {
  lu_check_array_(a, 1, file, line);
  CHECK(lu_device_eq(lu_array_device(a), dev), "a family call's operands are on its device");
  CHECK(a->buf->ctx == ctx, "a family call's operands belong to its context");
}

void lu_check_ewise_(const lu_ctx *ctx, const lu_ewise_call *c, const lu_array *out,
                     const lu_array *const *in, const char *file, int line) {
  static const char *const inmsg[3] = {
    "ewise input 1 lies within its buffer", "ewise input 2 lies within its buffer",
    "ewise input 3 lies within its buffer"};
  int64_t n = 1;
  int k;
  CHECK(c->op >= 0 && c->op < LU_NOPS, "ewise op code is valid");
  CHECK(c->nin == lu_ops[c->op].nin, "ewise operand count is the op's arity");
  CHECK(dtype_ok(c->ct) && dtype_ok(c->rt) && dtype_ok(c->out_dt), "ewise dtype codes are valid");
  CHECK(device_ok(ctx, c->dev), "ewise device is valid");
  CHECK(c->ndim >= 1 && c->ndim <= LU_MAXDIM, "ewise ndim is within [1, LU_MAXDIM]");
  for (k = 0; k < c->ndim; k++) {
    CHECK(c->shape[k] > 0, "ewise dimensions are positive (empty calls are not made)");
    n *= c->shape[k];
  }
  CHECK(c->n == n, "ewise element count is the product of its shape");
  operand(ctx, out, c->dev, file, line);
  CHECK((int)out->dtype == (int)c->out_dt, "ewise output dtype is the output array's");
  CHECK(within(out->buf, c->out_ptr, c->ndim, c->shape, c->out_strides, lu_dtype_size(c->out_dt)),
        "ewise output lies within its buffer");
  for (k = 0; k < c->nin; k++) {
    if (c->in_scalar[k]) {
      CHECK(in[k] == NULL || (int)c->in_dt[k] == (int)c->ct, "an ewise scalar input has the compute dtype");
      continue;
    }
    CHECK(in[k] != NULL, "an ewise array input has its array");
    CHECK(dtype_ok(c->in_dt[k]) && (int)c->in_dt[k] == (int)in[k]->dtype,
          "an ewise input dtype is its array's");
    operand(ctx, in[k], c->dev, file, line);
    CHECK(within(in[k]->buf, c->in_ptr[k], c->ndim, c->shape, c->in_strides[k],
                 lu_dtype_size(c->in_dt[k])), inmsg[k]);
  }
  if (c->contiguous) {
    CHECK(c->ndim == 1 && c->out_strides[0] == lu_dtype_size(c->out_dt),
          "a contiguous ewise call is flat");
    for (k = 0; k < c->nin; k++)
      CHECK(c->in_scalar[k] || c->in_strides[k][0] == lu_dtype_size(c->in_dt[k]),
            "a contiguous ewise call's inputs are flat");
  }
}

void lu_check_reduce_(const lu_ctx *ctx, const lu_reduce_call *c, const lu_array *out,
                      const lu_array *in, const char *file, int line) {
  int64_t shape[3], strides[3], oshape[1], ostride[1];
  CHECK(c->op >= 0 && c->op < LU_NREDS, "reduce op code is valid");
  CHECK(dtype_ok(c->in_dt) && dtype_ok(c->acc_dt) && dtype_ok(c->out_dt),
        "reduce dtype codes are valid");
  CHECK(device_ok(ctx, c->dev), "reduce device is valid");
  CHECK(c->outer > 0 && c->red >= 0 && c->inner > 0, "reduce extents are positive (red may be 0)");
  operand(ctx, in, c->dev, file, line);
  operand(ctx, out, c->dev, file, line);
  CHECK((int)in->dtype == (int)c->in_dt && (int)out->dtype == (int)c->out_dt,
        "reduce dtypes are its arrays'");
  CHECK(out->size == c->outer * c->inner && lu_array_is_contig(out),
        "reduce output is contiguous, outer x inner");
  shape[0] = c->outer; shape[1] = c->red; shape[2] = c->inner;
  strides[0] = c->s_outer; strides[1] = c->s_red; strides[2] = c->s_inner;
  CHECK(c->red == 0 || within(in->buf, c->in_ptr, 3, shape, strides, lu_dtype_size(c->in_dt)),
        "reduce input lies within its buffer");
  oshape[0] = c->outer * c->inner;
  ostride[0] = lu_dtype_size(c->out_dt);
  CHECK(within(out->buf, c->out_ptr, 1, oshape, ostride, lu_dtype_size(c->out_dt)),
        "reduce output lies within its buffer");
}

/* One operand of a matmul call: batch matrices of rows x cols, row stride
** ld (elements), or stored transposed (cols x rows) when trans. */
static int matrix_within(const lu_array *a, const char *p, int64_t batch, int64_t rows,
                         int64_t cols, int trans, int64_t ld, int64_t bstride, int item) {
  int64_t shape[3], strides[3];
  shape[0] = batch; shape[1] = rows; shape[2] = cols;
  strides[0] = bstride * item;
  strides[1] = (trans ? 1 : ld) * item;
  strides[2] = (trans ? ld : 1) * item;
  return within(a->buf, p, 3, shape, strides, item);
}

void lu_check_matmul_(const lu_ctx *ctx, const lu_matmul_call *c, const lu_array *out,
                      const lu_array *a, const lu_array *b, const char *file, int line) {
  int item;
  CHECK(dtype_ok(c->dt), "matmul dtype code is valid");
  CHECK(device_ok(ctx, c->dev), "matmul device is valid");
  CHECK(c->batch > 0 && c->M > 0 && c->N > 0 && c->K > 0, "matmul extents are positive");
  operand(ctx, a, c->dev, file, line);
  operand(ctx, b, c->dev, file, line);
  operand(ctx, out, c->dev, file, line);
  CHECK((int)a->dtype == (int)c->dt && (int)b->dtype == (int)c->dt && (int)out->dtype == (int)c->dt,
        "matmul operands have the call's dtype");
  item = lu_dtype_size(c->dt);
  CHECK(matrix_within(a, c->a_ptr, c->batch, c->M, c->K, c->trans_a, c->lda, c->bstride_a, item),
        "matmul operand A lies within its buffer");
  CHECK(matrix_within(b, c->b_ptr, c->batch, c->K, c->N, c->trans_b, c->ldb, c->bstride_b, item),
        "matmul operand B lies within its buffer");
  CHECK(c->ldc == c->N && c->bstride_c == c->M * c->N, "matmul output is dense");
  CHECK(matrix_within(out, c->c_ptr, c->batch, c->M, c->N, 0, c->ldc, c->bstride_c, item),
        "matmul output lies within its buffer");
}

#else
typedef int lu_check_unused;   /* ISO C wants something in a translation unit */
#endif
