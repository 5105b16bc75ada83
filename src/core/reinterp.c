/* SPDX-License-Identifier: MIT */
/*
** Reinterpreting an array's bytes as another dtype: NumPy's
** ndarray.view(dtype) and ndarray.getfield(dtype, offset). Both are views
** (metadata only, on every device). lunar keeps every element aligned to
** its size (the backends' loads assume it, and a GPU faults on a
** misaligned one), so a view that NumPy would flag unaligned is an error.
*/
#include <string.h>
#include "lu_internal.h"

/* The view v of a made final: a buffer reference taken, v not an owner. */
static int finish(lu_array *out, lu_array *v) {
  lu_array_update(v);
  v->owner = 0;
  v->buf->refcount++;
  lu_check_made(v);
  *out = *v;
  return LU_OK;
}

/* LU_OK when v's first element and every step between its elements are
** multiples of its item size, else an error naming fn and the dtypes. */
static int aligned(lu_ctx *ctx, const char *fn, const lu_array *a, const lu_array *v) {
  int64_t n = lu_array_itemsize(v);
  char sb[LU_MAXDIM * 24];
  int i;
  if (v->size == 0) return LU_OK;
  if (v->offset % n != 0)
    return lu_seterr(ctx, LU_EARG,
                     "%s: cannot view %s array of shape %s as %s: its elements would start at "
                     "byte %lld of the buffer, not a multiple of %lld (lunar keeps elements aligned)",
                     fn, lu_dtype_name(a->dtype), lu_shape_str(a->ndim, a->shape, sb, sizeof sb),
                     lu_dtype_name(v->dtype), (long long)v->offset, (long long)n);
  for (i = 0; i < v->ndim; i++)
    if (v->shape[i] > 1 && v->strides[i] % n != 0)
      return lu_seterr(ctx, LU_EARG,
                       "%s: cannot view %s array of shape %s as %s: the stride of axis %d is %lld "
                       "bytes, not a multiple of %lld (lunar keeps elements aligned)",
                       fn, lu_dtype_name(a->dtype), lu_shape_str(a->ndim, a->shape, sb, sizeof sb),
                       lu_dtype_name(v->dtype), i + 1, (long long)v->strides[i], (long long)n);
  return LU_OK;
}

/* The same item size: any layout. Another one: the last axis must be
** contiguous (or of length 0 or 1) and its bytes a multiple of the new
** size; its length changes, as NumPy's. */
int lu_view_dtype(lu_ctx *ctx, lu_array *out, const lu_array *a, lu_dtype dt) {
  lu_array v;
  int64_t o = lu_array_itemsize(a), n = lu_dtype_size(dt), bytes;
  int last = a->ndim - 1;
  char sb[LU_MAXDIM * 24];
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  v = *a;
  v.dtype = dt;
  if (n != o) {
    const char *an = lu_dtype_name(a->dtype), *dn = lu_dtype_name(dt);
    lu_shape_str(a->ndim, a->shape, sb, sizeof sb);
    if (a->ndim == 0)
      return lu_seterr(ctx, LU_EARG,
                       "view: cannot view a 0-d %s array as %s: a 0-d array changes dtype only "
                       "to one of the same itemsize (%lld, not %lld bytes)",
                       an, dn, (long long)o, (long long)n);
    if (a->shape[last] > 1 && a->strides[last] != o)
      return lu_seterr(ctx, LU_EARG,
                       "view: cannot view %s array of shape %s as %s: to change to a dtype of a "
                       "different itemsize the last axis must be contiguous (its stride is %lld, "
                       "not %lld)", an, sb, dn, (long long)a->strides[last], (long long)o);
    bytes = a->shape[last] * o;
    if (bytes % n != 0)
      return lu_seterr(ctx, LU_EARG,
                       "view: cannot view %s array of shape %s as %s: the last axis holds %lld "
                       "bytes, not a multiple of %s's itemsize %lld", an, sb, dn,
                       (long long)bytes, dn, (long long)n);
    v.shape[last] = bytes / n;
    v.strides[last] = n;
    lu_array_update(&v);
  }
  return aligned(ctx, "view", a, &v) == LU_OK ? finish(out, &v) : LU_EARG;
}

int lu_getfield(lu_ctx *ctx, lu_array *out, const lu_array *a, lu_dtype dt, int64_t offset) {
  lu_array v;
  int64_t o = lu_array_itemsize(a), n = lu_dtype_size(dt);
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (offset < 0)
    return lu_seterr(ctx, LU_EARG, "getfield: offset must be non-negative, got %lld", (long long)offset);
  if (n > o)
    return lu_seterr(ctx, LU_EARG, "getfield: %s (%lld bytes) is larger than the element (%s, %lld bytes)",
                     lu_dtype_name(dt), (long long)n, lu_dtype_name(a->dtype), (long long)o);
  if (offset > o - n)
    return lu_seterr(ctx, LU_EARG,
                     "getfield: %s (%lld bytes) at offset %lld goes past the end of the element "
                     "(%s, %lld bytes)", lu_dtype_name(dt), (long long)n, (long long)offset,
                     lu_dtype_name(a->dtype), (long long)o);
  v = *a;
  v.dtype = dt;
  v.offset += offset;
  return aligned(ctx, "getfield", a, &v) == LU_OK ? finish(out, &v) : LU_EARG;
}

/* The array a's buffer was made for (C-contiguous, its dtype and shape,
** an owner), over the whole buffer: lunar's a.base. A buffer lunar did
** not lay out (wrapped memory) is given as its bytes, uint8. */
int lu_array_base(lu_ctx *ctx, lu_array *out, const lu_array *a) {
  const lu_buffer *b = a->buf;
  lu_array v;
  lu_check_in(a);
  out->buf = NULL;
  if (b == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  memset(&v, 0, sizeof v);
  if (b->made_ndim >= 0) {
    v.dtype = b->made_dt;
    v.ndim = b->made_ndim;
    memcpy(v.shape, b->made_shape, sizeof(int64_t) * (size_t)v.ndim);
  } else {
    v.dtype = LU_UINT8;
    v.ndim = 1;
    v.shape[0] = (int64_t)b->nbytes;
  }
  lu_contig_strides(v.ndim, v.shape, lu_dtype_size(v.dtype), v.strides);
  v.buf = a->buf;
  finish(out, &v);
  out->owner = 1;
  return LU_OK;
}
