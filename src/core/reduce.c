/* SPDX-License-Identifier: MIT */
/*
** Reductions over one axis or all of them. The backend sees one merged
** axis (outer, red, inner); mean, var and std are composed here from sum and
** elementwise ops, computing in a float dtype.
*/
#include <string.h>
#include "lu_internal.h"

static const char *red_name(int op) {
  switch (op) {
    case LU_RX_MEAN: return "mean";
    case LU_RX_VAR: return "var";
    case LU_RX_STD: return "std";
    default: return (op >= 0 && op < LU_NREDS) ? lu_reds[op].name : "reduce";
  }
}

static int check_axis(lu_ctx *ctx, const char *name, const lu_array *a, int axis) {
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (axis == LU_ALLAXES || (axis >= 0 && axis < a->ndim)) return LU_OK;
  return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                   name, axis + 1, a->ndim);
}

static int map_axes(const lu_array *a, int axis, lu_reduce_call *c) {
  if (axis == LU_ALLAXES) {
    c->outer = c->inner = 1;
    c->s_outer = c->s_inner = 0;
    return lu_merge_run(a, 0, a->ndim, &c->red, &c->s_red);
  }
  c->red = a->shape[axis];
  c->s_red = a->strides[axis];
  return lu_merge_run(a, 0, axis, &c->outer, &c->s_outer) &&
         lu_merge_run(a, axis + 1, a->ndim, &c->inner, &c->s_inner);
}

static lu_dtype out_dtype(int op, lu_dtype in) {
  switch (lu_reds[op].rule) {
    case LU_RR_SUM:
      if (lu_dtype_kind(in) == 'u') return LU_UINT64;
      if (lu_dtype_kind(in) == 'f') return in;
      return LU_INT64;
    case LU_RR_INDEX: return LU_INT64;
    case LU_RR_BOOL: return LU_BOOL;
    default: return in;
  }
}

static int basic_reduce(lu_ctx *ctx, lu_array *out, int op, const lu_array *a,
                        int axis, int keepdims) {
  const char *name = red_name(op);
  int64_t oshape[LU_MAXDIM], nred;
  int ond = 0, i, st;
  lu_dtype odt = out_dtype(op, a->dtype);
  lu_reduce_call c;
  lu_array src;
  const lu_reduce_family *fam;

  for (i = 0; i < a->ndim; i++) {
    if (axis == LU_ALLAXES || axis == i) { if (keepdims) oshape[ond++] = 1; }
    else oshape[ond++] = a->shape[i];
  }
  nred = axis == LU_ALLAXES ? a->size : a->shape[axis];
  if (nred == 0) {
    lu_scalar id = {'i', 0, 0};
    if (lu_reds[op].rule == LU_RR_SAME || lu_reds[op].rule == LU_RR_INDEX)
      return lu_seterr(ctx, LU_EARG, "%s: zero-size array to reduction operation %s which has no identity",
                       name, name);
    if (op == LU_RED_prod || op == LU_RED_all) id.i = 1;
    return lu_full(ctx, out, odt, ond, oshape, lu_array_device(a), id);
  }
  if ((st = lu_empty(ctx, out, odt, ond, oshape, lu_array_device(a))) != LU_OK) return st;
  if (out->size == 0) return LU_OK;
  fam = lu_family(ctx, name, lu_array_device(a), reduce);
  if (fam == NULL || fam->reduce == NULL) {
    st = fam == NULL ? (int)ctx->err : lu_unavailable(ctx, name, lu_array_device(a));
    lu_array_release(out);
    return st;
  }

  memset(&c, 0, sizeof(c));
  src.buf = NULL;
  if (!map_axes(a, axis, &c)) {
    /* the axes around the reduced one do not merge: reduce a copy */
    if ((st = lu_copy(ctx, &src, a)) != LU_OK) { lu_array_release(out); return st; }
    map_axes(&src, axis, &c);
  }
  c.op = (lu_redop)op;
  c.in_dt = a->dtype;
  c.out_dt = odt;
  c.acc_dt = lu_reds[op].rule == LU_RR_SUM ? odt : a->dtype;
  c.in_ptr = lu_array_data(src.buf ? &src : a);
  c.out_ptr = lu_array_data(out);
  c.dev = lu_array_device(a);
  lu_check_reduce(ctx, &c, out, src.buf ? &src : a);
  st = fam->reduce(ctx, &c);
  if (st == LU_OK) st = lu_after_op(ctx, c.dev);
  lu_array_release(&src);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* x / n in place (x is a fresh float array) */
static int scale_inplace(lu_ctx *ctx, lu_array *x, double n, const char *name) {
  lu_arg g[2];
  g[0] = lu_arg_array(x);
  g[1] = lu_arg_float(n);
  return lu_ewise_named(ctx, LU_OP_divide, 2, g, x, name, -1);
}

/* The float array that mean/var/std compute on: a itself or a float64 copy. */
static int as_float(lu_ctx *ctx, lu_array *x, const lu_array *a) {
  if (lu_dtype_kind(a->dtype) == 'f') { lu_array_share(x, a); return LU_OK; }
  return lu_astype(ctx, x, a, LU_FLOAT64);
}

static int composite(lu_ctx *ctx, lu_array *out, int op, const lu_array *a,
                     int axis, int keepdims, int ddof) {
  const char *name = red_name(op);
  int64_t n = axis == LU_ALLAXES ? a->size : a->shape[axis];
  lu_array x, m, d;
  lu_arg g[2];
  int st;
  if ((st = as_float(ctx, &x, a)) != LU_OK) return st;
  if (op == LU_RX_MEAN) {
    st = basic_reduce(ctx, out, LU_RED_sum, &x, axis, keepdims);
    if (st == LU_OK && (st = scale_inplace(ctx, out, (double)n, name)) != LU_OK)
      lu_array_release(out);
    lu_array_release(&x);
    return st;
  }
  /* var = mean(|x - mean(x)|^2) with n - ddof as divisor */
  m.buf = d.buf = NULL;
  st = basic_reduce(ctx, &m, LU_RED_sum, &x, axis, 1);
  if (st == LU_OK) st = scale_inplace(ctx, &m, (double)n, name);
  if (st == LU_OK) {
    g[0] = lu_arg_array(&x);
    g[1] = lu_arg_array(&m);
    st = lu_ewise_named(ctx, LU_OP_subtract, 2, g, &d, name, -1);
  }
  if (st == LU_OK) {
    g[0] = lu_arg_array(&d);
    g[1] = lu_arg_array(&d);
    st = lu_ewise_named(ctx, LU_OP_multiply, 2, g, &d, name, -1);
  }
  if (st == LU_OK) {
    double div = (double)(n - ddof);
    st = basic_reduce(ctx, out, LU_RED_sum, &d, axis, keepdims);
    if (st == LU_OK) {
      st = scale_inplace(ctx, out, div > 0 ? div : 0.0, name);
      if (st == LU_OK && op == LU_RX_STD) {
        g[0] = lu_arg_array(out);
        st = lu_ewise_named(ctx, LU_OP_sqrt, 1, g, out, name, -1);
      }
      if (st != LU_OK) lu_array_release(out);
    }
  }
  lu_array_release(&d);
  lu_array_release(&m);
  lu_array_release(&x);
  return st;
}

int lu_reduce(lu_ctx *ctx, lu_array *out, int op, const lu_array *a, int axis,
              int keepdims, int ddof) {
  const char *name = red_name(op);
  int st;
  lu_check_in(a);
  out->buf = NULL;
  if (op < 0 || op > LU_RX_STD)
    return lu_seterr(ctx, LU_EARG, "reduce: unknown reduction %d", op);
  if ((st = check_axis(ctx, name, a, axis)) != LU_OK) return st;
  if (op >= LU_NREDS) return composite(ctx, out, op, a, axis, keepdims, ddof);
  return basic_reduce(ctx, out, op, a, axis, keepdims);
}
