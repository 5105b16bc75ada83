/* SPDX-License-Identifier: MIT */
/*
** Boolean masks: a[mask] (a new 1-d array) and a[mask] = v for a mask of
** a's shape, nonzero (the coordinates of the true elements, which index.c
** uses for every other mask) and the routines built on them: compress,
** extract, place, putmask.
*/
#include <string.h>
#include "lu_internal.h"

static int check_mask(lu_ctx *ctx, const lu_array *a, const lu_array *mask) {
  char s1[16], s2[16];
  int i;
  if (a->buf == NULL || mask->buf == NULL)
    return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (mask->dtype != LU_BOOL)
    return lu_seterr(ctx, LU_ETYPE, "index: a mask must be a bool array, got %s",
                     lu_dtype_name(mask->dtype));
  if (mask->ndim != a->ndim)
    return lu_seterr(ctx, LU_EINDEX, "index: boolean index has %d dimension%s but the indexed array has %d",
                     mask->ndim, mask->ndim == 1 ? "" : "s", a->ndim);
  for (i = 0; i < a->ndim; i++)
    if (mask->shape[i] != a->shape[i])
      return lu_seterr(ctx, LU_EINDEX,
                       "index: boolean index did not match indexed array along axis %d; size of axis is %lld but size of corresponding boolean axis is %lld",
                       i + 1, (long long)a->shape[i], (long long)mask->shape[i]);
  if (!lu_device_eq(lu_array_device(a), lu_array_device(mask)))
    return lu_seterr(ctx, LU_EDEVICE, "index: arrays on different devices: %s and %s",
                     lu_device_str(lu_array_device(a), s1),
                     lu_device_str(lu_array_device(mask), s2));
  return LU_OK;
}

/* Number of true elements: a sum on the device, read back. */
static int count_true(lu_ctx *ctx, const lu_array *mask, int64_t *n) {
  lu_array s;
  int64_t v = 0;
  int st = lu_reduce(ctx, &s, LU_RED_sum, mask, LU_ALLAXES, 0, 0);
  if (st != LU_OK) return st;
  st = lu_to_host(ctx, &s, &v);
  lu_array_release(&s);
  *n = v;
  return st;
}

int lu_mask_select(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *mask) {
  lu_array ac, mc;
  const lu_index_family *fam;
  lu_device dev;
  int64_t n;
  int st;
  lu_check_in(a);
  lu_check_in(mask);
  out->buf = NULL;
  if ((st = check_mask(ctx, a, mask)) != LU_OK) return st;
  if ((st = count_true(ctx, mask, &n)) != LU_OK) return st;
  dev = lu_array_device(a);
  if ((st = lu_empty(ctx, out, a->dtype, 1, &n, dev)) != LU_OK) return st;
  if (n == 0) return LU_OK;
  fam = lu_family(ctx, "index", dev, index);
  if (fam == NULL || fam->mask_select == NULL) {
    st = fam == NULL ? (int)ctx->err : lu_unavailable(ctx, "index", dev);
    lu_array_release(out);
    return st;
  }
  ac.buf = mc.buf = NULL;
  st = lu_ascontig(ctx, &ac, a);
  if (st == LU_OK) st = lu_ascontig(ctx, &mc, mask);
  if (st == LU_OK) {
    lu_check_contig(&ac, a->size, (int)a->dtype, dev);
    lu_check_contig(&mc, a->size, LU_BOOL, dev);
    lu_check_contig(out, n, (int)a->dtype, dev);
  }
  if (st == LU_OK)
    st = fam->mask_select(ctx, dev, a->dtype, lu_array_data(&ac), lu_array_data(&mc),
                         a->size, lu_array_data(out));
  if (st == LU_OK) st = lu_after_op(ctx, dev);
  lu_array_release(&ac);
  lu_array_release(&mc);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* One value per selected element: scatter them, through a contiguous
** temporary when a is strided. */
static int scatter(lu_ctx *ctx, lu_array *a, const lu_array *mask, const lu_array *vals) {
  lu_array vc, mc, ac;
  const lu_index_family *fam;
  lu_device dev = lu_array_device(a);
  int st, inplace = lu_array_is_contig(a);
  vc.buf = mc.buf = ac.buf = NULL;
  fam = lu_family(ctx, "index", dev, index);
  if (fam == NULL) return ctx->err;
  if (fam->mask_scatter == NULL) return lu_unavailable(ctx, "index", dev);
  if (vals->dtype != a->dtype) st = lu_astype(ctx, &vc, vals, a->dtype);
  else st = lu_copy(ctx, &vc, vals);   /* a copy also guards against overlap with a */
  if (st == LU_OK) st = lu_ascontig(ctx, &mc, mask);
  if (st == LU_OK) {
    if (inplace) lu_array_share(&ac, a);
    else st = lu_copy(ctx, &ac, a);
  }
  if (st == LU_OK) {
    lu_check_contig(&ac, a->size, (int)a->dtype, dev);
    lu_check_contig(&mc, a->size, LU_BOOL, dev);
    lu_check_contig(&vc, vc.size, (int)a->dtype, dev);
  }
  if (st == LU_OK)
    st = fam->mask_scatter(ctx, dev, a->dtype, lu_array_data(&ac), lu_array_data(&mc),
                          a->size, lu_array_data(&vc));
  if (st == LU_OK) st = lu_after_op(ctx, dev);
  if (st == LU_OK && !inplace) {
    lu_arg g = lu_arg_array(&ac);
    st = lu_assign(ctx, a, &g);
  }
  lu_array_release(&vc);
  lu_array_release(&mc);
  lu_array_release(&ac);
  return st;
}

int lu_mask_assign(lu_ctx *ctx, lu_array *a, const lu_array *mask, const lu_arg *value) {
  const lu_array *v = value->arr;
  int st;
  lu_check_in(a);
  lu_check_in(mask);
  if (v) lu_check_in(v);
  if ((st = check_mask(ctx, a, mask)) != LU_OK) return st;
  if (a->size == 0) return LU_OK;
  /* NumPy: the value broadcasts to the selected elements, shape (count,):
  ** one value for all, or one value per selected element. */
  if (v == NULL && lu_array_is_contig(a) && lu_array_is_contig(mask)) {
    const lu_backend *be = lu_backend_for(ctx, lu_array_device(a));
    const lu_index_family *fam = be && be->version >= 2 ? be->index : NULL;
    if (fam != NULL && fam->mask_fill != NULL) {
      lu_array one;
      lu_value hv;
      unsigned char h[16];
      /* the value as a's dtype, with assignment's checks (int8 = 1000) */
      if ((st = lu_empty(ctx, &one, a->dtype, 0, NULL, (lu_device){LU_DEV_CPU, 0})) != LU_OK)
        return st;
      st = lu_assign(ctx, &one, value);
      if (st == LU_OK) st = lu_to_host(ctx, &one, h);
      lu_array_release(&one);
      if (st != LU_OK) return st;
      hv = lu_value_load(h, a->dtype);
      st = fam->mask_fill(ctx, lu_array_device(a), a->dtype, lu_array_data(a),
                          lu_array_data(mask), a->size, hv);
      if (st == LU_OK) st = lu_after_op(ctx, lu_array_device(a));
      return st;
    }
  }
  if (v == NULL || v->size == 1) {
    lu_arg g[3];
    g[0] = lu_arg_array(mask);
    g[1] = *value;
    g[2] = lu_arg_array(a);
    return lu_ewise_named(ctx, LU_OP_where, 3, g, a, "index", v ? -1 : (int)a->dtype);
  }
  if (v->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (v->ndim == 1) {
    int64_t n;
    if ((st = count_true(ctx, mask, &n)) != LU_OK) return st;
    if (v->shape[0] == n) {
      char s1[16], s2[16];
      if (!lu_device_eq(lu_array_device(a), lu_array_device(v)))
        return lu_seterr(ctx, LU_EDEVICE, "index: arrays on different devices: %s and %s",
                         lu_device_str(lu_array_device(a), s1),
                         lu_device_str(lu_array_device(v), s2));
      if (n == 0) return LU_OK;
      return scatter(ctx, a, mask, v);
    }
    return lu_seterr(ctx, LU_ESHAPE,
                     "index: boolean array indexing assignment cannot assign %lld input values to the %lld output values where the mask is true",
                     (long long)v->shape[0], (long long)n);
  }
  {
    char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
    return lu_seterr(ctx, LU_ESHAPE, "index: could not broadcast input array from shape %s into shape %s",
                     lu_shape_str(v->ndim, v->shape, s1, sizeof(s1)),
                     lu_shape_str(a->ndim, a->shape, s2, sizeof(s2)));
  }
}

/* {====================================================== nonzero */
int lu_nonzero(lu_ctx *ctx, lu_array *out, const lu_array *a, int base) {
  const lu_index_family *fam;
  lu_array m, mc;
  lu_device dev;
  int64_t shape[2], n;
  int st;
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (a->ndim == 0)
    return lu_seterr(ctx, LU_EARG, "nonzero: calling nonzero on a 0-d array is not allowed; use atleast_1d first");
  dev = lu_array_device(a);
  m.buf = mc.buf = NULL;
  if (a->dtype == LU_BOOL) lu_array_share(&m, a);
  else {
    lu_arg g[2];
    g[0] = lu_arg_array(a);
    g[1] = lu_arg_int(0);
    if ((st = lu_ewise_named(ctx, LU_OP_not_equal, 2, g, &m, "nonzero", -1)) != LU_OK) return st;
  }
  st = count_true(ctx, &m, &n);
  shape[0] = a->ndim;
  shape[1] = n;
  if (st == LU_OK) st = lu_empty(ctx, out, LU_INT64, 2, shape, dev);
  if (st == LU_OK && n > 0) {
    fam = lu_family(ctx, "nonzero", dev, index);
    if (fam == NULL) st = ctx->err;
    else if (fam->nonzero == NULL) st = lu_unavailable(ctx, "nonzero", dev);
    if (st == LU_OK) st = lu_ascontig(ctx, &mc, &m);
    if (st == LU_OK)
      st = fam->nonzero(ctx, dev, lu_array_data(&mc), a->size, a->ndim, a->shape, n,
                        (int64_t *)lu_array_data(out), base);
    if (st == LU_OK) st = lu_after_op(ctx, dev);
    if (st != LU_OK) lu_array_release(out);
  }
  lu_array_release(&m);
  lu_array_release(&mc);
  return st;
}
/* }====================================================== */

/* {====================================================== routines */
static int flat_of(lu_ctx *ctx, lu_array *out, const lu_array *a) {
  int64_t m1 = -1;
  return lu_reshape(ctx, out, a, 1, &m1);
}

/* The positions (0-based) of the nonzero elements of a 1-d array. */
static int nonzero_1d(lu_ctx *ctx, lu_array *out, const lu_array *c) {
  lu_array nz;
  int st = lu_nonzero(ctx, &nz, c, 0);
  if (st != LU_OK) { out->buf = NULL; return st; }
  st = lu_take_index(ctx, out, &nz, 0, 0);
  lu_array_release(&nz);
  return st;
}

int lu_compress(lu_ctx *ctx, lu_array *out, const lu_array *cond, const lu_array *a, int axis) {
  lu_array pos;
  int st;
  out->buf = NULL;
  if (cond->buf == NULL || a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (cond->ndim != 1)
    return lu_seterr(ctx, LU_EARG, "compress: condition must be a 1-d array, got %d dimensions", cond->ndim);
  if (!lu_device_eq(lu_array_device(cond), lu_array_device(a))) {
    char s1[16], s2[16];
    return lu_seterr(ctx, LU_EDEVICE, "compress: arrays on different devices: %s and %s",
                     lu_device_str(lu_array_device(a), s1), lu_device_str(lu_array_device(cond), s2));
  }
  if ((st = nonzero_1d(ctx, &pos, cond)) != LU_OK) return st;
  st = lu_take_base(ctx, "compress", out, a, &pos, axis, LU_IX_RAISE, 0);
  lu_array_release(&pos);
  return st;
}

int lu_extract(lu_ctx *ctx, lu_array *out, const lu_array *cond, const lu_array *a) {
  lu_array cf, pos;
  int st;
  out->buf = NULL;
  if (cond->buf == NULL || a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (!lu_device_eq(lu_array_device(cond), lu_array_device(a))) {
    char s1[16], s2[16];
    return lu_seterr(ctx, LU_EDEVICE, "extract: arrays on different devices: %s and %s",
                     lu_device_str(lu_array_device(a), s1), lu_device_str(lu_array_device(cond), s2));
  }
  if ((st = flat_of(ctx, &cf, cond)) != LU_OK) return st;
  st = nonzero_1d(ctx, &pos, &cf);
  lu_array_release(&cf);
  if (st != LU_OK) return st;
  st = lu_take_base(ctx, "extract", out, a, &pos, LU_ALLAXES, LU_IX_RAISE, 0);
  lu_array_release(&pos);
  return st;
}

static int same_size(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *mask) {
  char s1[16], s2[16];
  if (a->buf == NULL || mask->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (mask->size != a->size)
    return lu_seterr(ctx, LU_ESHAPE, "%s: mask and data must be the same size (%lld and %lld)",
                     name, (long long)mask->size, (long long)a->size);
  if (!lu_device_eq(lu_array_device(a), lu_array_device(mask)))
    return lu_seterr(ctx, LU_EDEVICE, "%s: arrays on different devices: %s and %s", name,
                     lu_device_str(lu_array_device(a), s1), lu_device_str(lu_array_device(mask), s2));
  return LU_OK;
}

/* mask of a's shape and dtype bool: a view of mask when it already is. */
static int bool_like(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *mask,
                     const lu_array *a) {
  lu_array r;
  int st = lu_reshape(ctx, &r, mask, a->ndim, a->shape);
  if (st != LU_OK) return st;
  if (r.dtype == LU_BOOL) { *out = r; return LU_OK; }
  {
    lu_arg g[2];
    g[0] = lu_arg_array(&r);
    g[1] = lu_arg_int(0);
    out->buf = NULL;
    st = lu_ewise_named(ctx, LU_OP_not_equal, 2, g, out, name, -1);
  }
  lu_array_release(&r);
  return st;
}

/* arr.flat[mask.flat] = vals, the values taken in turn and repeated. */
int lu_place(lu_ctx *ctx, lu_array *a, const lu_array *mask, const lu_arg *vals) {
  const char *name = "place";
  lu_array m, vc;
  lu_arg g = *vals;
  int64_t n;
  int st;
  if ((st = same_size(ctx, name, a, mask)) != LU_OK) return st;
  if (a->size == 0) return LU_OK;
  if ((st = bool_like(ctx, name, &m, mask, a)) != LU_OK) return st;
  vc.buf = NULL;
  if ((st = count_true(ctx, &m, &n)) == LU_OK && n > 0 && vals->arr) {
    if (vals->arr->buf == NULL) st = lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
    else if (vals->arr->size == 0)
      st = lu_seterr(ctx, LU_EARG, "place: cannot insert from an empty array");
    else if (!lu_device_eq(lu_array_device(vals->arr), lu_array_device(a))) {
      char s1[16], s2[16];
      st = lu_seterr(ctx, LU_EDEVICE, "place: arrays on different devices: %s and %s",
                     lu_device_str(lu_array_device(a), s1), lu_device_str(lu_array_device(vals->arr), s2));
    } else {
      st = lu_cycle(ctx, name, &vc, vals->arr, n, 1, &n);
      if (st == LU_OK && vc.dtype != a->dtype) {
        lu_array t;
        st = lu_astype(ctx, &t, &vc, a->dtype);
        lu_array_release(&vc);
        vc = t;
      }
      g = lu_arg_array(&vc);
    }
  }
  if (st == LU_OK && n > 0) st = lu_mask_assign(ctx, a, &m, &g);
  lu_array_release(&vc);
  lu_array_release(&m);
  return st;
}

/* a.flat[i] = values.flat[i % values.size] where mask.flat[i]. Values of
** an array must convert to a's dtype safely (NumPy's rule). */
int lu_putmask(lu_ctx *ctx, lu_array *a, const lu_array *mask, const lu_arg *values) {
  const char *name = "putmask";
  lu_array m, vc;
  lu_arg g[3];
  int st;
  if ((st = same_size(ctx, name, a, mask)) != LU_OK) return st;
  vc.buf = NULL;
  g[1] = *values;
  if (values->arr) {
    const lu_array *v = values->arr;
    if (v->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
    if (v->size == 0 || a->size == 0) return LU_OK;
    if (lu_promote(v->dtype, a->dtype) != a->dtype)
      return lu_seterr(ctx, LU_ETYPE, "putmask: cannot cast array data from %s to %s according to the rule 'safe'",
                       lu_dtype_name(v->dtype), lu_dtype_name(a->dtype));
    if (!lu_device_eq(lu_array_device(v), lu_array_device(a))) {
      char s1[16], s2[16];
      return lu_seterr(ctx, LU_EDEVICE, "putmask: arrays on different devices: %s and %s",
                       lu_device_str(lu_array_device(a), s1), lu_device_str(lu_array_device(v), s2));
    }
    if ((st = lu_cycle(ctx, name, &vc, v, a->size, a->ndim, a->shape)) != LU_OK) return st;
    g[1] = lu_arg_array(&vc);
  }
  if (a->size == 0) return LU_OK;
  if ((st = bool_like(ctx, name, &m, mask, a)) == LU_OK) {
    g[0] = lu_arg_array(&m);
    g[2] = lu_arg_array(a);
    st = lu_ewise_named(ctx, LU_OP_where, 3, g, a, name, values->arr ? -1 : (int)a->dtype);
    lu_array_release(&m);
  }
  lu_array_release(&vc);
  return st;
}
/* }====================================================== */
