/* SPDX-License-Identifier: MIT */
/*
** Boolean-mask indexing: a[mask] (a new 1-d array) and a[mask] = v.
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
