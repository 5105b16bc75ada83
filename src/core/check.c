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

/* {====================================================== raw-pointer calls */
/* [p, p + nbytes) lies within a's buffer (nothing to check when empty). */
static int span_ok(const lu_array *a, const void *p, int64_t nbytes) {
  int64_t off;
  if (nbytes <= 0) return 1;
  if (a == NULL || a->buf == NULL || p == NULL) return 0;
  off = (int64_t)((const char *)p - (const char *)a->buf->ptr);
  return off >= 0 && off + nbytes <= (int64_t)a->buf->nbytes;
}

/* An array behind a pointer of a call: when the pointer is set, the array
** is given, complete, on the call's device, of the call's context, of
** dtype dt (-1: any), and the n elements (of dt, or n bytes when dt is -1)
** from p lie within its buffer. */
static void behind(const lu_ctx *ctx, const lu_array *a, const void *p, int64_t n, int dt,
                   lu_device dev, const char *what, const char *file, int line) {
  if (p == NULL) return;
  CHECK(a != NULL, "a family call's pointer comes with its array");
  operand(ctx, a, dev, file, line);
  CHECK(dt < 0 || (int)a->dtype == dt, "a family call's array has the call's dtype");
  CHECK(span_ok(a, p, dt < 0 ? n : n * (int64_t)lu_dtype_size(dt)), what);
}

/* The array's elements as int64 when the core can read them (CPU memory),
** else NULL. */
static const int64_t *host_i64(const lu_array *a, const void *p) {
  return a != NULL && a->buf != NULL && a->buf->dev.type == LU_DEV_CPU ? (const int64_t *)p : NULL;
}

void lu_check_sort_(const lu_ctx *ctx, const lu_sort_call *c, const lu_array *in,
                    const lu_array *out, const lu_array *idx, const char *file, int line) {
  int64_t n;
  CHECK(dtype_ok(c->dt), "sort dtype code is valid");
  CHECK(device_ok(ctx, c->dev), "sort device is valid");
  CHECK(c->nrow > 0 && c->len > 0, "sort extents are positive");
  CHECK(c->in != NULL, "sort has an input");
  n = c->nrow * c->len;
  behind(ctx, in, c->in, n, (int)c->dt, c->dev, "sort input lies within its buffer", file, line);
  behind(ctx, out, c->out, n, (int)c->dt, c->dev, "sort output lies within its buffer", file, line);
  behind(ctx, idx, c->idx, n, LU_INT64, c->dev, "sort positions lie within their buffer", file, line);
}

void lu_check_scan_(const lu_ctx *ctx, const lu_scan_call *c, const lu_array *in,
                    const lu_array *out, const lu_array *idx, const char *file, int line) {
  int64_t shape[3], strides[3], n;
  CHECK(c->op >= LU_SCAN_SUM && c->op <= LU_SCAN_MIN, "scan op code is valid");
  CHECK(dtype_ok(c->dt), "scan dtype code is valid");
  CHECK(device_ok(ctx, c->dev), "scan device is valid");
  CHECK(c->outer > 0 && c->len > 0 && c->inner > 0, "scan extents are positive");
  CHECK(c->idx == NULL || c->op == LU_SCAN_MAX || c->op == LU_SCAN_MIN,
        "only a running max or min gives positions");
  operand(ctx, in, c->dev, file, line);
  CHECK((int)in->dtype == (int)c->dt, "scan input dtype is the call's");
  shape[0] = c->outer; shape[1] = c->len; shape[2] = c->inner;
  strides[0] = c->s_outer; strides[1] = c->s_len; strides[2] = c->s_inner;
  CHECK(within(in->buf, c->in, 3, shape, strides, lu_dtype_size(c->dt)),
        "scan input lies within its buffer");
  n = c->outer * c->len * c->inner;
  CHECK(c->out != NULL, "scan has an output");
  behind(ctx, out, c->out, n, (int)c->dt, c->dev, "scan output lies within its buffer", file, line);
  behind(ctx, idx, c->idx, n, LU_INT64, c->dev, "scan positions lie within their buffer", file, line);
}

void lu_check_search_(const lu_ctx *ctx, const lu_search_call *c, const lu_array *sorted,
                      const lu_array *v, const lu_array *out, const char *file, int line) {
  CHECK(dtype_ok(c->dt), "search dtype code is valid");
  CHECK(device_ok(ctx, c->dev), "search device is valid");
  CHECK(c->n >= 0 && c->m > 0, "search extents are valid (queries, keys may be none)");
  CHECK(c->v != NULL && c->out != NULL && (c->n == 0 || c->sorted != NULL),
        "search has its keys, queries and output");
  behind(ctx, sorted, c->sorted, c->n, (int)c->dt, c->dev, "search keys lie within their buffer",
         file, line);
  behind(ctx, v, c->v, c->m, (int)c->dt, c->dev, "search queries lie within their buffer", file,
         line);
  behind(ctx, out, c->out, c->m, c->found ? LU_BOOL : LU_INT64, c->dev,
         "search output lies within its buffer", file, line);
}

void lu_check_runs_(const lu_ctx *ctx, const lu_runs_call *c, const lu_array *keys,
                    const lu_array *vals, const lu_array *start, const lu_array *count,
                    const lu_array *id, const char *file, int line) {
  CHECK(dtype_ok(c->dt), "runs dtype code is valid");
  CHECK(device_ok(ctx, c->dev), "runs device is valid");
  CHECK(c->n > 0 && c->keys != NULL && c->nruns != NULL, "runs has keys and a count to set");
  behind(ctx, keys, c->keys, c->n, (int)c->dt, c->dev, "runs keys lie within their buffer", file,
         line);
  behind(ctx, vals, c->vals, c->n, (int)c->dt, c->dev, "runs values lie within their buffer",
         file, line);
  behind(ctx, start, c->start, c->n, LU_INT64, c->dev, "runs starts lie within their buffer",
         file, line);
  behind(ctx, count, c->count, c->n, LU_INT64, c->dev, "runs counts lie within their buffer",
         file, line);
  behind(ctx, id, c->id, c->n, LU_INT64, c->dev, "runs ids lie within their buffer", file, line);
}

void lu_check_hist_(const lu_ctx *ctx, const lu_hist_call *c, int histogram, const lu_array *x,
                    const lu_array *w, const lu_array *edges, const lu_array *out,
                    const char *file, int line) {
  const int64_t *hx;
  int64_t i;
  CHECK(device_ok(ctx, c->dev), "histogram device is valid");
  CHECK(histogram ? c->dt == LU_FLOAT32 || c->dt == LU_FLOAT64 : c->dt == LU_INT64,
        "histogram values are float32 or float64, bincount's int64");
  CHECK(c->out_dt == LU_INT64 || c->out_dt == LU_FLOAT64, "histogram counts are int64 or float64");
  CHECK(c->n >= 0 && c->nbins > 0 && c->out != NULL, "histogram has bins to fill");
  CHECK(!histogram || (c->edges != NULL && c->lo <= c->hi), "histogram has its edges, lo <= hi");
  behind(ctx, x, c->x, c->n, (int)c->dt, c->dev, "histogram values lie within their buffer", file,
         line);
  behind(ctx, w, c->w, c->n, LU_FLOAT64, c->dev, "histogram weights lie within their buffer",
         file, line);
  if (histogram)
    behind(ctx, edges, c->edges, c->nbins + 1, (int)c->dt, c->dev,
           "histogram edges lie within their buffer", file, line);
  behind(ctx, out, c->out, c->nbins, (int)c->out_dt, c->dev, "histogram bins lie within their buffer",
         file, line);
  if (!histogram && (hx = host_i64(x, c->x)) != NULL)
    for (i = 0; i < c->n; i++)
      CHECK(hx[i] >= 0 && hx[i] < c->nbins, "bincount values lie within [0, nbins)");
}

void lu_check_quantile_(const lu_ctx *ctx, const lu_quantile_call *c, const lu_array *in,
                        const lu_array *out, const char *file, int line) {
  int k;
  CHECK(dtype_ok(c->dt) && dtype_ok(c->out_dt), "quantile dtype codes are valid");
  CHECK(device_ok(ctx, c->dev), "quantile device is valid");
  CHECK(c->nrow > 0 && c->len > 0 && c->nq > 0 && c->q != NULL, "quantile extents are positive");
  for (k = 0; k < c->nq; k++) CHECK(c->q[k] >= 0 && c->q[k] <= 1, "quantiles lie within [0, 1]");
  behind(ctx, in, c->in, c->nrow * c->len, (int)c->dt, c->dev,
         "quantile input lies within its buffer", file, line);
  behind(ctx, out, c->out, c->nrow * c->nq, (int)c->out_dt, c->dev,
         "quantile output lies within its buffer", file, line);
}

/* The bytes of one row of a row gather's source or a row scatter's target
** (p is a's first element): stride rs elements when rs > 0; with rs == 0
** (one row) the whole array when it is contiguous, else what its buffer
** holds from p on. */
static int64_t row_bytes(const lu_array *a, const void *p, int64_t rs, int elsize) {
  if (rs > 0) return rs * elsize;
  if (lu_array_is_contig(a)) return a->size * lu_array_itemsize(a);
  return (int64_t)a->buf->nbytes - (int64_t)((const char *)p - (const char *)a->buf->ptr);
}

void lu_check_rowgather_(const lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow,
                         const lu_array *in, int64_t in_rs, const lu_array *idx, int64_t idx_rs,
                         int64_t nidx, int64_t base, const lu_array *out, const char *file,
                         int line) {
  const void *pin, *pidx;
  const int64_t *h;
  int64_t rb, r, i;
  CHECK(device_ok(ctx, dev), "row gather device is valid");
  CHECK(elsize > 0 && nrow > 0 && nidx > 0 && in_rs >= 0 && idx_rs >= 0,
        "row gather extents are positive");
  CHECK(nrow == 1 || in_rs > 0, "row gather rows of several have a stride");
  operand(ctx, in, dev, file, line);
  pin = lu_array_data(in);
  pidx = lu_array_data(idx);
  rb = row_bytes(in, pin, in_rs, elsize);
  CHECK(span_ok(in, pin, (nrow - 1) * in_rs * elsize + rb), "row gather source lies within its buffer");
  behind(ctx, idx, pidx, (nrow - 1) * idx_rs + nidx, LU_INT64, dev,
         "row gather positions lie within their buffer", file, line);
  behind(ctx, out, lu_array_data(out), nrow * nidx * elsize, -1, dev,
         "row gather output lies within its buffer", file, line);
  if ((h = host_i64(idx, pidx)) != NULL)
    for (r = 0; r < nrow; r++)
      for (i = 0; i < nidx; i++) {
        int64_t q = h[r * idx_rs + i] - base;
        CHECK(q >= 0 && (q + 1) * elsize <= rb, "row gather positions lie within their rows");
      }
}

void lu_check_rowscatter_(const lu_ctx *ctx, lu_device dev, int elsize, int64_t nrow,
                          const lu_array *in, const lu_array *idx, int64_t nidx, int64_t base,
                          const lu_array *out, int64_t out_rs, const char *file, int line) {
  const void *pout, *pidx;
  const int64_t *h;
  int64_t rb, r, i;
  CHECK(device_ok(ctx, dev), "row scatter device is valid");
  CHECK(elsize > 0 && nrow > 0 && nidx > 0 && out_rs >= 0, "row scatter extents are positive");
  CHECK(nrow == 1 || out_rs > 0, "row scatter rows of several have a stride");
  behind(ctx, in, lu_array_data(in), nrow * nidx * elsize, -1, dev,
         "row scatter values lie within their buffer", file, line);
  pidx = lu_array_data(idx);
  behind(ctx, idx, pidx, nrow * nidx, LU_INT64, dev, "row scatter positions lie within their buffer",
         file, line);
  operand(ctx, out, dev, file, line);
  pout = lu_array_data(out);
  rb = row_bytes(out, pout, out_rs, elsize);
  CHECK(span_ok(out, pout, (nrow - 1) * out_rs * elsize + rb), "row scatter target lies within its buffer");
  if ((h = host_i64(idx, pidx)) != NULL)
    for (r = 0; r < nrow; r++)
      for (i = 0; i < nidx; i++) {
        int64_t q = h[r * nidx + i] - base;
        CHECK(q >= 0 && (q + 1) * elsize <= rb, "row scatter positions lie within their rows");
      }
}

void lu_check_fft_(const lu_ctx *ctx, const lu_fft_call *c, int max_rank, const lu_array *in,
                   const lu_array *out, const char *file, int line) {
  int64_t shape[LU_MAXDIM + 3], strides[LU_MAXDIM + 3];
  int k, d, nd = 0, cin, cout, iitem, oitem;
  CHECK(c->kind == LU_FFT_C2C || c->kind == LU_FFT_R2C || c->kind == LU_FFT_C2R, "fft kind is valid");
  CHECK(dtype_ok(c->in_dt) && dtype_ok(c->out_dt), "fft dtype codes are valid");
  CHECK(device_ok(ctx, c->dev), "fft device is valid");
  cin = lu_dtype_kind(c->in_dt) == 'c';
  cout = lu_dtype_kind(c->out_dt) == 'c';
  CHECK((c->kind == LU_FFT_C2C && cin && cout) || (c->kind == LU_FFT_R2C && !cin && cout) ||
        (c->kind == LU_FFT_C2R && cin && !cout), "fft dtypes are those of its kind");
  CHECK(lu_real_of(c->in_dt) == lu_real_of(c->out_dt) &&
        (lu_real_of(c->in_dt) == LU_FLOAT32 || lu_real_of(c->in_dt) == LU_FLOAT64),
        "fft input and output are of one precision, single or double");
  CHECK(c->rank >= 1 && c->rank <= 3 && c->rank <= max_rank, "fft rank is within the family's");
  CHECK(c->kind == LU_FFT_C2C || c->rank == 1, "a real fft has one axis");
  CHECK(c->nbatch >= 0 && c->nbatch <= LU_MAXDIM, "fft batch dims are within LU_MAXDIM");
  for (k = 0; k < c->rank; k++) CHECK(c->n[k] > 0, "fft lengths are positive");
  for (d = 0; d < c->nbatch; d++) CHECK(c->bn[d] > 0, "fft batch extents are positive");
  CHECK(c->in != NULL && c->out != NULL && c->out_size > 0, "fft has its input and output");
  operand(ctx, in, c->dev, file, line);
  operand(ctx, out, c->dev, file, line);
  CHECK((int)in->dtype == (int)c->in_dt && (int)out->dtype == (int)c->out_dt,
        "fft dtypes are its arrays'");
  iitem = lu_dtype_size(c->in_dt);
  oitem = lu_dtype_size(c->out_dt);
  /* the input: batch dims, then the transform axes; a real transform's
  ** complex side holds n/2 + 1 values along the last axis */
  for (d = 0; d < c->nbatch; d++) { shape[nd] = c->bn[d]; strides[nd++] = c->ibs[d] * iitem; }
  for (k = 0; k < c->rank; k++) {
    shape[nd] = c->kind == LU_FFT_C2R && k == c->rank - 1 ? c->n[k] / 2 + 1 : c->n[k];
    strides[nd++] = c->is[k] * iitem;
  }
  CHECK(within(in->buf, c->in, nd, shape, strides, iitem), "fft input lies within its buffer");
  nd = 0;
  for (d = 0; d < c->nbatch; d++) { shape[nd] = c->bn[d]; strides[nd++] = c->obs[d] * oitem; }
  for (k = 0; k < c->rank; k++) {
    shape[nd] = c->kind == LU_FFT_R2C && k == c->rank - 1 ? c->n[k] / 2 + 1 : c->n[k];
    strides[nd++] = c->os[k] * oitem;
  }
  CHECK(within(out->buf, c->out, nd, shape, strides, oitem), "fft output lies within its buffer");
  CHECK(span_ok(out, c->out, c->out_size * oitem), "fft output block lies within its buffer");
}

void lu_check_gather_(const lu_ctx *ctx, const lu_gather_call *c, int scatter,
                      const lu_array *arr, const lu_array *idx, const lu_array *other,
                      const char *file, int line) {
  int64_t shape[LU_MAXDIM + LU_MAXIDX], strides[LU_MAXDIM + LU_MAXIDX], n = 1, key = 0;
  int d, k, item, nd, empty = 0;
  CHECK(dtype_ok(c->dt), "gather dtype code is valid");
  CHECK(device_ok(ctx, c->dev), "gather device is valid");
  CHECK(c->ndim >= 1 && c->ndim <= LU_MAXDIM, "gather ndim is within [1, LU_MAXDIM]");
  CHECK(c->nidx >= 1 && c->nidx <= LU_MAXIDX, "gather has 1 to LU_MAXIDX index arrays");
  for (d = 0; d < c->ndim; d++) {
    CHECK(c->shape[d] > 0, "gather dimensions are positive (empty calls are not made)");
    n *= c->shape[d];
  }
  CHECK(c->n == n, "gather element count is the product of its shape");
  item = lu_dtype_size(c->dt);
  operand(ctx, arr, c->dev, file, line);
  CHECK((int)arr->dtype == (int)c->dt, "gather's indexed array has the call's dtype");
  /* every element an index in range can reach */
  for (d = 0; d < c->ndim; d++) { shape[d] = c->shape[d]; strides[d] = c->arr_strides[d]; }
  nd = c->ndim;
  for (k = 0; k < c->nidx; k++) {
    CHECK(c->idx_size[k] >= 0, "gather index ranges are non-negative");
    if (c->idx_size[k] == 0) empty = 1;
    shape[nd] = c->idx_size[k];
    strides[nd++] = c->ax_stride[k];
  }
  CHECK(within(arr->buf, c->arr, nd, shape, strides, item),
        "gather's indexed array lies within its buffer for every index in range");
  operand(ctx, other, c->dev, file, line);
  CHECK((int)other->dtype == (int)c->dt, "gather's other operand has the call's dtype");
  CHECK(within(other->buf, c->other, c->ndim, c->shape, c->other_strides, item),
        scatter ? "scatter values lie within their buffer" : "gather output lies within its buffer");
  for (k = 0; k < c->nidx; k++) {
    CHECK(idx != NULL, "gather index arrays are given");
    CHECK(dtype_ok(c->idx_dt[k]) && (int)idx[k].dtype == (int)c->idx_dt[k],
          "a gather index dtype is its array's");
    operand(ctx, &idx[k], c->dev, file, line);
    CHECK(within(idx[k].buf, c->idx_ptr[k], c->ndim, c->shape, c->idx_strides[k],
                 lu_dtype_size(c->idx_dt[k])), "gather index arrays lie within their buffers");
  }
  if (scatter && !empty) {
    /* the targets' numbers are distinct and below nkey */
    for (d = 0; d < c->ndim; d++) {
      CHECK(c->key_strides[d] >= 0, "scatter key strides are non-negative");
      key += (c->shape[d] - 1) * c->key_strides[d];
    }
    for (k = 0; k < c->nidx; k++) {
      CHECK(c->key_ax[k] >= 0, "scatter key strides are non-negative");
      key += (c->idx_size[k] - 1) * c->key_ax[k];
    }
    CHECK(key < c->nkey, "scatter keys lie within [0, nkey)");
  }
}
/* }====================================================== */

/* {====================================================== stream ownership */
static int find(const void *const *v, int n, const void *s) {
  int i;
  for (i = n - 1; i >= 0; i--) if (v[i] == s) return i;
  return -1;
}

static void push(const void ***v, int *n, int *cap, const void *s, const char *file, int line) {
  if (*n == *cap) {
    int c2 = *cap ? 2 * *cap : 8;
    const void **t = realloc((void *)*v, sizeof *t * (size_t)c2);
    CHECK(t != NULL, "the debug build's stream list has memory");
    *v = t;
    *cap = c2;
  }
  (*v)[(*n)++] = s;
}

void lu_check_stream_(lu_ctx *ctx, const void *s, int what, const char *file, int line) {
  int i = find(ctx->dbg.made, ctx->dbg.nmade, s);
  if (what == LU_CHK_STREAM_MADE) {
    CHECK(s != NULL && i < 0, "a new stream is not one its context has already");
    push(&ctx->dbg.made, &ctx->dbg.nmade, &ctx->dbg.cmade, s, file, line);
    return;
  }
  CHECK(i >= 0, "a stream is used by the context that made it, before it is destroyed");
  switch (what) {
    case LU_CHK_STREAM_ENTER:
      push(&ctx->dbg.entered, &ctx->dbg.nentered, &ctx->dbg.centered, s, file, line);
      break;
    case LU_CHK_STREAM_LEAVE:
      CHECK(ctx->dbg.nentered > 0 && ctx->dbg.entered[ctx->dbg.nentered - 1] == s,
            "a stream left is the one entered last");
      ctx->dbg.nentered--;
      break;
    case LU_CHK_STREAM_GONE:
      CHECK(find(ctx->dbg.entered, ctx->dbg.nentered, s) < 0,
            "a stream is not destroyed while it is entered");
      ctx->dbg.made[i] = ctx->dbg.made[--ctx->dbg.nmade];
      break;
    default:
      break;
  }
}

void lu_check_ctx_end_(lu_ctx *ctx, const char *file, int line) {
  CHECK(ctx->dbg.nmade == 0 && ctx->dbg.nentered == 0, "a context ends with none of its streams alive");
  free((void *)ctx->dbg.made);
  free((void *)ctx->dbg.entered);
  ctx->dbg.made = ctx->dbg.entered = NULL;
  ctx->dbg.cmade = ctx->dbg.centered = 0;
}
/* }====================================================== */

#else
typedef int lu_check_unused;   /* ISO C wants something in a translation unit */
#endif
