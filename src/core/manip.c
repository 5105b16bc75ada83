/* SPDX-License-Identifier: MIT */
/*
** Joining, tiling, repeating, rolling, inserting and deleting: the copying
** half of NumPy's array manipulation routines (the views are in array.c,
** padding in pad.c). Every copy here is one assignment of a view of an
** input (sliced, reversed or broadcast with zero strides) into a slice of
** the output, so each input piece costs one elementwise launch, whatever
** the layouts, and every dtype that the copy op knows works here.
*/
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_hostmem.h"

/* {====================================================== helpers */
static int closed(lu_ctx *ctx) {
  return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
}

/* A borrowed view of a along axis: elements [start, stop). It holds no
** reference on the buffer: never release it, and do not keep it past a. */
lu_array lu_subview(const lu_array *a, int axis, int64_t start, int64_t stop) {
  lu_array v = *a;
  if (stop > start) v.offset += start * a->strides[axis];
  v.shape[axis] = stop > start ? stop - start : 0;
  lu_array_update(&v);
  return v;
}

/* Byte range [lo, hi) that a view can touch. */
static void extent(const lu_array *a, int64_t *lo, int64_t *hi) {
  int i;
  *lo = *hi = a->offset;
  for (i = 0; i < a->ndim; i++) {
    int64_t d = (a->shape[i] - 1) * a->strides[i];
    if (d < 0) *lo += d; else *hi += d;
  }
  *hi += lu_array_itemsize(a);
}

/* Axes [k, ndim) as one contiguous block: 1, or 0 when they are not. */
static int inner_contig(const lu_array *a, int k) {
  int64_t n, s;
  return lu_merge_run(a, k, a->ndim, &n, &s) && (n == 1 || s == lu_array_itemsize(a));
}

#define COPY2D_MIN_WIDTH 512   /* narrower rows copy faster elementwise */

/* dst = src of the same shape and dtype, both made of rows of contiguous
** bytes at non-negative pitches, in memory that does not overlap, as one
** row copy (*r) for the backend's copy2d. Returns the backend, or NULL when
** the elementwise copy must do it. */
static const lu_backend *row_plan(lu_ctx *ctx, lu_array *dst, const lu_array *src,
                                  lu_copy_rows *r) {
  const lu_backend *be;
  int64_t rows, dp, sp, r2, inner = 1, l1, h1, l2, h2;
  int k, i, item = lu_array_itemsize(dst);
  if (src->dtype != dst->dtype || src->ndim != dst->ndim ||
      !lu_device_eq(lu_array_device(src), lu_array_device(dst)))
    return NULL;
  for (i = 0; i < dst->ndim; i++) if (src->shape[i] != dst->shape[i]) return NULL;
  be = lu_backend_for(ctx, lu_array_device(dst));
  if (be == NULL || be->dev->copy2d == NULL) return NULL;
  if (src->buf == dst->buf) {
    extent(src, &l1, &h1);
    extent(dst, &l2, &h2);
    if (h1 > l2 && h2 > l1) return NULL;
  }
  for (k = 0; k <= dst->ndim; k++)
    if (inner_contig(dst, k) && inner_contig(src, k)) break;
  for (; k <= dst->ndim; k++) {
    inner = 1;
    for (i = k; i < dst->ndim; i++) inner *= dst->shape[i];
    if (inner * item < COPY2D_MIN_WIDTH && inner < dst->size) return NULL;
    if (lu_merge_run(dst, 0, k, &rows, &dp) && lu_merge_run(src, 0, k, &r2, &sp) &&
        (rows == 1 || (dp >= inner * item && sp >= inner * item)))
      break;
  }
  if (k > dst->ndim) return NULL;
  if (rows == 1) dp = sp = inner * item;
  r->dst = lu_array_data(dst);
  r->src = lu_array_data(src);
  r->dpitch = (size_t)dp;
  r->spitch = (size_t)sp;
  r->width = (size_t)(inner * item);
  r->height = (size_t)rows;
  return be;
}

/* row_plan's copy through copy2d; -1, having done nothing, when the
** elementwise copy must do it. */
static int row_copy(lu_ctx *ctx, lu_array *dst, const lu_array *src) {
  lu_copy_rows r;
  const lu_backend *be = row_plan(ctx, dst, src, &r);
  if (be == NULL) return -1;
  if (be->dev->copy2d(ctx, lu_array_device(dst).index, r.dst, r.dpitch, r.src, r.spitch, r.width,
                      r.height) != LU_OK)
    return ctx->err;
  return lu_after_op(ctx, lu_array_device(dst));
}

/* The pieces of a concatenate (out's slices dst[k] = arrs[k]) as one
** copy2d_batch, when the backend has it and every non-empty piece is a row
** copy; -1, having done nothing, otherwise. */
static int batch_put(lu_ctx *ctx, lu_array *dst, const lu_array *const *arrs, int n) {
  const lu_backend *be = lu_backend_for(ctx, lu_array_device(dst));
  lu_copy_rows *r;
  int k, m = 0, st;
  if (be == NULL || !lu_has_service(be, copy2d_batch, 3) || n < 2) return -1;
  if ((r = (lu_copy_rows *)lu_calloc((size_t)n, sizeof *r)) == NULL) return -1;
  for (k = 0; k < n; k++) {
    if (arrs[k]->size == 0) continue;
    if (row_plan(ctx, &dst[k], arrs[k], &r[m]) == NULL) { free(r); return -1; }
    m++;
  }
  st = be->dev->copy2d_batch(ctx, lu_array_device(dst).index, m, r);
  free(r);
  if (st == LU_OK) st = lu_after_op(ctx, lu_array_device(dst));
  return st;
}

/* dst[...] = src with the error, if any, renamed after the function the
** user called (the copy reports itself as "assign"). Same-dtype copies of
** contiguous rows go to the backend's row copy. */
int lu_put(lu_ctx *ctx, const char *name, lu_array *dst, const lu_array *src) {
  lu_arg g = lu_arg_array(src);
  int st;
  if (dst->size == 0) return LU_OK;
  if (dst->buf == NULL || src->buf == NULL) return closed(ctx);
  if ((st = row_copy(ctx, dst, src)) >= 0) return st;
  st = lu_assign(ctx, dst, &g);
  if (st != LU_OK && strncmp(ctx->errmsg, "assign:", 7) == 0) {
    char tmp[LU_ERRLEN];
    memcpy(tmp, ctx->errmsg, sizeof tmp);
    lu_seterr(ctx, (lu_status)st, "%s:%s", name, tmp + 7);
  }
  return st;
}

static int check_axis(lu_ctx *ctx, const char *name, int axis, int ndim) {
  if (axis < 0 || axis >= ndim)
    return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                     name, axis + 1, ndim);
  return LU_OK;
}

static int same_device(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *b) {
  char s1[16], s2[16];
  if (lu_device_eq(lu_array_device(a), lu_array_device(b))) return LU_OK;
  return lu_seterr(ctx, LU_EDEVICE, "%s: arrays on different devices: %s and %s", name,
                   lu_device_str(lu_array_device(a), s1), lu_device_str(lu_array_device(b), s2));
}

/* a with one more axis of length r and stride 0 inserted at position pos:
** the broadcast that repeat and tile copy from. Borrowed, as lu_subview(). */
static lu_array spread(const lu_array *a, int pos, int64_t r) {
  lu_array v = *a;
  int i;
  for (i = a->ndim; i > pos; i--) {
    v.shape[i] = a->shape[i - 1];
    v.strides[i] = a->strides[i - 1];
  }
  v.shape[pos] = r;
  v.strides[pos] = 0;
  v.ndim = a->ndim + 1;
  lu_array_update(&v);
  return v;
}

/* The contiguous array out seen with another shape of the same size
** (borrowed). */
static lu_array reshaped(const lu_array *out, int ndim, const int64_t *shape) {
  lu_array v = *out;
  v.ndim = ndim;
  memcpy(v.shape, shape, sizeof(int64_t) * (size_t)ndim);
  lu_contig_strides(ndim, shape, lu_array_itemsize(out), v.strides);
  lu_array_update(&v);
  return v;
}
/* }====================================================== */

/* {====================================================== concatenate, stack */
/* The flattened inputs of concatenate(axis=None): views where possible. */
static int concat_flat(lu_ctx *ctx, lu_array *out, const char *name, int n,
                       const lu_array *const *arrs, int dtype, lu_casting casting) {
  lu_array *flat = (lu_array *)lu_calloc((size_t)n, sizeof(lu_array));
  const lu_array **ptrs = (const lu_array **)lu_calloc((size_t)n, sizeof(lu_array *));
  int64_t m1 = -1;
  int k, st = LU_OK;
  if (flat == NULL || ptrs == NULL) {
    free(flat); free(ptrs);
    return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
  }
  for (k = 0; k < n && st == LU_OK; k++) {
    st = lu_reshape(ctx, &flat[k], arrs[k], 1, &m1);
    ptrs[k] = &flat[k];
  }
  if (st == LU_OK) st = lu_concatenate(ctx, out, name, n, ptrs, 0, dtype, casting);
  for (k = 0; k < n; k++) lu_array_release(&flat[k]);
  free(flat);
  free(ptrs);
  return st;
}

/* Checks as NumPy makes them, in its order, with lunar's 1-based numbers;
** then one assignment per input into its slice of the output. An input
** that shares memory with a given output is copied first, so that no
** piece is overwritten before it is read. */
int lu_concatenate(lu_ctx *ctx, lu_array *out, const char *name, int n,
                   const lu_array *const *arrs, int axis, int dtype, lu_casting casting) {
  int given = out->buf != NULL, nd, k, i, st = LU_OK;
  int64_t shape[LU_MAXDIM], off;
  char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
  lu_dtype rt;
  if (name == NULL) name = "concatenate";
  if (!given) out->buf = NULL;
  if (n <= 0) return lu_seterr(ctx, LU_EARG, "%s: need at least one array to concatenate", name);
  for (k = 0; k < n; k++) if (arrs[k]->buf == NULL) return closed(ctx);
  if (given && dtype >= 0)
    return lu_seterr(ctx, LU_EARG, "%s: only takes `out` or `dtype` as an argument, but both were provided",
                     name);
  if (axis == LU_ALLAXES) {
    if (given && out->ndim != 1)
      return lu_seterr(ctx, LU_ESHAPE, "%s: output array has wrong dimensionality", name);
    return concat_flat(ctx, out, name, n, arrs, dtype, casting);
  }
  nd = arrs[0]->ndim;
  if (nd == 0) return lu_seterr(ctx, LU_ESHAPE, "%s: zero-dimensional arrays cannot be concatenated", name);
  if ((st = check_axis(ctx, name, axis, nd)) != LU_OK) return st;
  memcpy(shape, arrs[0]->shape, sizeof(int64_t) * (size_t)nd);
  rt = dtype >= 0 ? (lu_dtype)dtype : arrs[0]->dtype;
  for (k = 1; k < n; k++) {
    const lu_array *a = arrs[k];
    if (a->ndim != nd)
      return lu_seterr(ctx, LU_ESHAPE,
                       "%s: all the input arrays must have the same number of dimensions, but array 1 has %d dimension%s and array %d has %d",
                       name, nd, nd == 1 ? "" : "s", k + 1, a->ndim);
    for (i = 0; i < nd; i++) {
      if (i == axis || a->shape[i] == shape[i]) continue;
      return lu_seterr(ctx, LU_ESHAPE,
                       "%s: all the input array dimensions except for the concatenation axis must match exactly, but along dimension %d, array 1 has size %lld and array %d has size %lld",
                       name, i + 1, (long long)shape[i], k + 1, (long long)a->shape[i]);
    }
    if (!lu_size_add(shape[axis], a->shape[axis], &shape[axis]))
      return lu_seterr(ctx, LU_EMEM, "%s: array is too big", name);
    if ((st = same_device(ctx, name, arrs[0], a)) != LU_OK) return st;
    if (dtype < 0) rt = lu_promote(rt, a->dtype);
  }
  if (given) {
    if (out->ndim != nd)
      return lu_seterr(ctx, LU_ESHAPE, "%s: output array has wrong dimensionality", name);
    for (i = 0; i < nd; i++)
      if (out->shape[i] != shape[i])
        return lu_seterr(ctx, LU_ESHAPE, "%s: output array is the wrong shape: %s, expected %s", name,
                         lu_shape_str(nd, out->shape, s1, sizeof s1),
                         lu_shape_str(nd, shape, s2, sizeof s2));
    if ((st = same_device(ctx, name, arrs[0], out)) != LU_OK) return st;
    rt = out->dtype;
  }
  for (k = 0; k < n; k++)
    if (!lu_can_cast(arrs[k]->dtype, rt, casting))
      return lu_seterr(ctx, LU_ETYPE, "%s: cannot cast array data from %s to %s according to the rule '%s'",
                       name, lu_dtype_name(arrs[k]->dtype), lu_dtype_name(rt), lu_casting_name(casting));
  if (!given && (st = lu_empty(ctx, out, rt, nd, shape, lu_array_device(arrs[0]))) != LU_OK)
    return st;
  {
    /* inputs that share memory with a given output are copied before any
    ** piece is written, so that none is overwritten before it is read */
    lu_array *cp = NULL, *dst;
    int shares = 0;
    for (k = 0; given && k < n; k++)
      if (arrs[k]->buf == out->buf && arrs[k]->size > 0) shares = 1;
    if (shares && (cp = (lu_array *)lu_calloc((size_t)n, sizeof(lu_array))) == NULL)
      st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
    for (k = 0; cp != NULL && k < n && st == LU_OK; k++)
      if (arrs[k]->buf == out->buf && arrs[k]->size > 0) st = lu_copy(ctx, &cp[k], arrs[k]);
    dst = st == LU_OK ? (lu_array *)lu_calloc((size_t)n, sizeof(lu_array)) : NULL;
    off = 0;
    for (k = 0; k < n && dst != NULL; k++) {
      dst[k] = lu_subview(out, axis, off, off + arrs[k]->shape[axis]);
      off += arrs[k]->shape[axis];
    }
    if (st == LU_OK && dst == NULL) st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
    /* one batch only into a new output: a given one may be a view whose
    ** pieces overlap (a stride-0 axis), which the batch does not allow */
    if (st == LU_OK && (given || (st = batch_put(ctx, dst, arrs, n)) < 0))
      for (k = 0, st = LU_OK; k < n && st == LU_OK; k++) {
        const lu_array *a = cp != NULL && cp[k].buf != NULL ? &cp[k] : arrs[k];
        if (a->size > 0) st = lu_put(ctx, name, &dst[k], a);
      }
    free(dst);
    if (cp != NULL) {
      for (k = 0; k < n; k++) lu_array_release(&cp[k]);
      free(cp);
    }
  }
  if (st != LU_OK && !given) lu_array_release(out);
  return st;
}

int lu_stack(lu_ctx *ctx, lu_array *out, const char *name, int n,
             const lu_array *const *arrs, int axis, int dtype, lu_casting casting) {
  lu_array *ex;
  const lu_array **ptrs;
  char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
  int k, i, nd, st = LU_OK;
  if (name == NULL) name = "stack";
  if (n <= 0) return lu_seterr(ctx, LU_EARG, "%s: need at least one array to stack", name);
  for (k = 0; k < n; k++) if (arrs[k]->buf == NULL) return closed(ctx);
  nd = arrs[0]->ndim;
  for (k = 1; k < n; k++) {
    int same = arrs[k]->ndim == nd;
    for (i = 0; same && i < nd; i++) same = arrs[k]->shape[i] == arrs[0]->shape[i];
    if (!same)
      return lu_seterr(ctx, LU_ESHAPE, "%s: all input arrays must have the same shape, but array 1 has shape %s and array %d has shape %s",
                       name, lu_shape_str(nd, arrs[0]->shape, s1, sizeof s1), k + 1,
                       lu_shape_str(arrs[k]->ndim, arrs[k]->shape, s2, sizeof s2));
  }
  if (axis < 0 || axis > nd)
    return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                     name, axis + 1, nd + 1);
  if (nd + 1 > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: the result would have more than %d dimensions", name, LU_MAXDIM);
  ex = (lu_array *)lu_calloc((size_t)n, sizeof(lu_array));
  ptrs = (const lu_array **)lu_calloc((size_t)n, sizeof(lu_array *));
  if (ex == NULL || ptrs == NULL) {
    free(ex); free(ptrs);
    return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
  }
  for (k = 0; k < n; k++) {
    ex[k] = spread(arrs[k], axis, 1);   /* borrowed views */
    ptrs[k] = &ex[k];
  }
  st = lu_concatenate(ctx, out, name, n, ptrs, axis, dtype, casting);
  free(ex);
  free(ptrs);
  return st;
}
/* }====================================================== */

/* {====================================================== gathers along an axis */
#define RUN_LIMIT 32

/* Runs of idx: a run continues while the next index is the same (a
** broadcast) or the next one up (a slice); a run of one element is both. */
static int64_t count_runs(int64_t m, const int64_t *idx) {
  int64_t runs = 0, k = 0;
  while (k < m) {
    int64_t j = k + 1, step;
    if (j < m && (idx[j] == idx[k] || idx[j] == idx[k] + 1)) {
      step = idx[j] - idx[k];
      while (j < m && idx[j] == idx[j - 1] + step) j++;
    }
    runs++;
    k = j;
  }
  return runs;
}

static int gather_runs(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                       int axis, int64_t m, const int64_t *idx) {
  int64_t k = 0;
  int st = LU_OK;
  while (k < m && st == LU_OK) {
    int64_t j = k + 1, step = 1;
    lu_array dst, src;
    if (j < m && (idx[j] == idx[k] || idx[j] == idx[k] + 1)) {
      step = idx[j] - idx[k];
      while (j < m && idx[j] == idx[j - 1] + step) j++;
    }
    dst = lu_subview(out, axis, k, j);
    src = lu_subview(a, axis, idx[k], step ? idx[k] + (j - k) : idx[k] + 1);
    st = lu_put(ctx, name, &dst, &src);
    k = j;
  }
  return st;
}

/* out = (a seen through a zero-stride axis of length r after `axis`, made
** contiguous) [mask], reshaped: the selection of a strictly increasing
** index (r = 1) or of a non-decreasing one where each source element is
** used up to r times, in a constant number of launches. */
static int gather_masked(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis,
                         int64_t m, const int64_t *idx, int64_t r) {
  int64_t n = a->shape[axis], i, k, mshape[LU_MAXDIM], one[LU_MAXDIM];
  lu_array hm, mb, full, ec, sel;
  uint8_t *h;
  int st, nd = a->ndim + 1, j;
  lu_device dev = lu_array_device(a);
  lu_array ea = spread(a, axis + 1, r);
  h = (uint8_t *)lu_calloc((size_t)(n * r > 0 ? n * r : 1), 1);
  if (h == NULL) return lu_seterr(ctx, LU_EMEM, "out of memory");
  for (k = 0; k < m;) {
    int64_t j2 = k;
    while (j2 < m && idx[j2] == idx[k]) j2++;
    for (i = 0; i < j2 - k; i++) h[idx[k] * r + i] = 1;
    k = j2;
  }
  for (j = 0; j < nd; j++) one[j] = 1;
  memcpy(mshape, one, sizeof one);
  mshape[axis] = n;
  mshape[axis + 1] = r;
  hm.buf = mb.buf = full.buf = ec.buf = sel.buf = NULL;
  st = lu_from_host(ctx, &hm, LU_BOOL, nd, mshape, dev, h);
  free(h);
  if (st == LU_OK) st = lu_broadcast_to(ctx, &mb, &hm, nd, ea.shape);
  if (st == LU_OK) st = lu_copy(ctx, &full, &mb);
  if (st == LU_OK) st = lu_copy(ctx, &ec, &ea);
  if (st == LU_OK) st = lu_mask_select(ctx, &sel, &ec, &full);
  if (st == LU_OK) {
    int64_t shape[LU_MAXDIM];
    memcpy(shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
    shape[axis] = m;
    st = lu_reshape(ctx, out, &sel, a->ndim, shape);
  }
  lu_array_release(&hm);
  lu_array_release(&mb);
  lu_array_release(&full);
  lu_array_release(&ec);
  lu_array_release(&sel);
  return st;
}

/* out[..., k, ...] = a[..., idx[k], ...] for k < m, idx 0-based on the host
** and already checked. Few runs: one copy per run. Many runs of a strictly
** increasing index (delete) or a non-decreasing one (repeat with counts):
** a boolean selection, a constant number of launches, when the broadcast
** it selects from is not much larger than the result. Otherwise one copy
** per run. */
int lu_take_axis(lu_ctx *ctx, lu_array *out, const char *name, const lu_array *a,
                 int axis, int64_t m, const int64_t *idx) {
  int64_t shape[LU_MAXDIM], runs, k, maxr = 1, cur = 1, inner;
  int st, mono = 1;
  if (name == NULL) name = "take";
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if ((st = check_axis(ctx, name, axis, a->ndim)) != LU_OK) return st;
  for (k = 0; k < m; k++)
    if (idx[k] < 0 || idx[k] >= a->shape[axis])
      return lu_seterr(ctx, LU_EINDEX, "%s: index %lld is out of bounds for axis %d with size %lld",
                       name, (long long)idx[k] + 1, axis + 1, (long long)a->shape[axis]);
  memcpy(shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
  shape[axis] = m;
  runs = count_runs(m, idx);
  for (k = 1; k < m; k++) {
    if (idx[k] < idx[k - 1]) { mono = 0; break; }
    cur = idx[k] == idx[k - 1] ? cur + 1 : 1;
    if (cur > maxr) maxr = cur;
  }
  inner = a->shape[axis] > 0 ? a->size / a->shape[axis] : 0;
  if (runs > RUN_LIMIT && mono && a->ndim < LU_MAXDIM && inner > 0 &&
      a->shape[axis] * maxr * inner <= 4 * m * inner + ((int64_t)1 << 20))
    return gather_masked(ctx, out, a, axis, m, idx, maxr);
  if ((st = lu_empty(ctx, out, a->dtype, a->ndim, shape, lu_array_device(a))) != LU_OK) return st;
  if (out->size > 0 && (st = gather_runs(ctx, name, out, a, axis, m, idx)) != LU_OK)
    lu_array_release(out);
  return st;
}
/* }====================================================== */

/* {====================================================== tile, repeat */
/* Copy axis by axis (for the rare shapes whose broadcast view would have
** more than LU_MAXDIM axes): reps[i] copies of the current array along i. */
static int tile_slow(lu_ctx *ctx, lu_array *out, const lu_array *c, const int64_t *tup) {
  lu_array cur, next;
  int i, st = LU_OK;
  int64_t shape[LU_MAXDIM], k;
  lu_array_share(&cur, c);
  for (i = 0; i < c->ndim && st == LU_OK; i++) {
    if (tup[i] == 1) continue;
    memcpy(shape, cur.shape, sizeof(int64_t) * (size_t)cur.ndim);
    if (!lu_size_mul(shape[i], tup[i], &shape[i])) {
      st = lu_seterr(ctx, LU_EMEM, "tile: array is too big");
      break;
    }
    if ((st = lu_empty(ctx, &next, c->dtype, cur.ndim, shape, lu_array_device(c))) != LU_OK) break;
    for (k = 0; k < tup[i] && st == LU_OK; k++) {
      lu_array dst = lu_subview(&next, i, k * cur.shape[i], (k + 1) * cur.shape[i]);
      st = lu_put(ctx, "tile", &dst, &cur);
    }
    lu_array_release(&cur);
    cur = next;
  }
  if (st == LU_OK) *out = cur;
  else lu_array_release(&cur);
  return st;
}

/* NumPy's tile as one copy: the input seen as (r1, d1, r2, d2, ...) with
** zero strides on the r axes is exactly the output's layout. */
int lu_tile(lu_ctx *ctx, lu_array *out, const lu_array *a, int nreps, const int64_t *reps) {
  int64_t tup[LU_MAXDIM], shape[LU_MAXDIM], vsh[LU_MAXDIM], vst[LU_MAXDIM];
  lu_array c = *a, v, dst;
  int d, i, vn = 0, st;
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if (nreps > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "tile: at most %d repetitions, got %d", LU_MAXDIM, nreps);
  for (i = 0; i < nreps; i++)
    if (reps[i] < 0) return lu_seterr(ctx, LU_EARG, "tile: negative dimensions are not allowed");
  d = nreps > a->ndim ? nreps : a->ndim;
  /* c: a with leading axes of length 1, tup: reps with leading ones */
  c.ndim = d;
  for (i = 0; i < d; i++) {
    int ai = i - (d - a->ndim), ri = i - (d - nreps);
    c.shape[i] = ai >= 0 ? a->shape[ai] : 1;
    c.strides[i] = ai >= 0 ? a->strides[ai] : lu_array_itemsize(a);
    tup[i] = ri >= 0 ? reps[ri] : 1;
    if (!lu_size_mul(c.shape[i], tup[i], &shape[i]))
      return lu_seterr(ctx, LU_EMEM, "tile: array is too big");
  }
  lu_array_update(&c);
  if ((st = lu_empty(ctx, out, a->dtype, d, shape, lu_array_device(a))) != LU_OK) return st;
  if (out->size == 0) return LU_OK;
  for (i = 0; i < d; i++) {
    if (tup[i] != 1) {
      if (vn >= LU_MAXDIM) { vn = -1; break; }
      vsh[vn] = tup[i]; vst[vn] = 0; vn++;
    }
    if (vn >= LU_MAXDIM) { vn = -1; break; }
    vsh[vn] = c.shape[i]; vst[vn] = c.strides[i]; vn++;
  }
  if (vn < 0) {
    lu_array r;
    lu_array_release(out);
    if ((st = tile_slow(ctx, &r, &c, tup)) == LU_OK) *out = r;
    return st;
  }
  v = c;
  v.ndim = vn;
  memcpy(v.shape, vsh, sizeof(int64_t) * (size_t)vn);
  memcpy(v.strides, vst, sizeof(int64_t) * (size_t)vn);
  lu_array_update(&v);
  dst = reshaped(out, vn, vsh);
  if ((st = lu_put(ctx, "tile", &dst, &v)) != LU_OK) lu_array_release(out);
  return st;
}

/* repeat with one count r: the input seen with a zero-stride axis of r
** after `axis` is the output; with a count per element: a gather. */
int lu_repeat(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis, int64_t nrep,
              const int64_t *reps) {
  lu_array flat;
  int64_t n, k, total = 0, *idx, shape[LU_MAXDIM];
  int st;
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if (axis == LU_ALLAXES) {
    int64_t m1 = -1;
    if ((st = lu_reshape(ctx, &flat, a, 1, &m1)) != LU_OK) return st;
    st = lu_repeat(ctx, out, &flat, 0, nrep, reps);
    lu_array_release(&flat);
    return st;
  }
  if ((st = check_axis(ctx, "repeat", axis, a->ndim)) != LU_OK) return st;
  n = a->shape[axis];
  for (k = 0; k < nrep; k++)
    if (reps[k] < 0) return lu_seterr(ctx, LU_EARG, "repeat: repeats may not contain negative values");
  if (nrep != 1 && nrep != n)
    return lu_seterr(ctx, LU_ESHAPE, "repeat: operands could not be broadcast together with shape (%lld,) (%lld,)",
                     (long long)n, (long long)nrep);
  if (nrep == 1 && a->ndim < LU_MAXDIM) {
    lu_array v, dst;
    memcpy(shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
    if (!lu_size_mul(n, reps[0], &shape[axis]) ||
        lu_shape_check(ctx, "repeat", a->ndim, shape, lu_array_itemsize(a), NULL) != LU_OK)
      return lu_seterr(ctx, LU_EMEM, "repeat: array is too big");
    v = spread(a, axis + 1, reps[0]);
    if ((st = lu_empty(ctx, out, a->dtype, a->ndim, shape, lu_array_device(a))) != LU_OK) return st;
    dst = reshaped(out, v.ndim, v.shape);
    if ((st = lu_put(ctx, "repeat", &dst, &v)) != LU_OK) lu_array_release(out);
    return st;
  }
  for (k = 0; k < n; k++)
    if (!lu_size_add(total, reps[nrep == 1 ? 0 : k], &total) ||
        (uint64_t)total > SIZE_MAX / sizeof(int64_t))
      return lu_seterr(ctx, LU_EMEM, "repeat: array is too big");
  idx = (int64_t *)lu_malloc(sizeof(int64_t) * (size_t)(total > 0 ? total : 1));
  if (idx == NULL) return lu_seterr(ctx, LU_EMEM, "repeat: out of memory");
  total = 0;
  for (k = 0; k < n; k++) {
    int64_t r = reps[nrep == 1 ? 0 : k], j;
    for (j = 0; j < r; j++) idx[total++] = k;
  }
  st = lu_take_axis(ctx, out, "repeat", a, axis, total, idx);
  free(idx);
  return st;
}
/* }====================================================== */

/* {====================================================== roll */
/* Each rolled axis splits into two pieces (one when the shift is a
** multiple of its length); every combination of pieces is one copy. */
int lu_roll(lu_ctx *ctx, lu_array *out, const lu_array *a, const int64_t *shift) {
  int64_t src0[LU_MAXDIM][2], dst0[LU_MAXDIM][2], len[LU_MAXDIM][2];
  int np[LU_MAXDIM], pick[LU_MAXDIM], i, st;
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if ((st = lu_empty(ctx, out, a->dtype, a->ndim, a->shape, lu_array_device(a))) != LU_OK)
    return st;
  if (a->size == 0) return LU_OK;
  for (i = 0; i < a->ndim; i++) {
    int64_t n = a->shape[i], s = shift[i] % n;
    if (s < 0) s += n;
    pick[i] = 0;
    if (s == 0) {
      np[i] = 1;
      src0[i][0] = dst0[i][0] = 0; len[i][0] = n;
    } else {           /* out[s:] = a[:n-s], out[:s] = a[n-s:] */
      np[i] = 2;
      src0[i][0] = 0; dst0[i][0] = s; len[i][0] = n - s;
      src0[i][1] = n - s; dst0[i][1] = 0; len[i][1] = s;
    }
  }
  for (;;) {
    lu_array dst = *out, src = *a;
    for (i = 0; i < a->ndim; i++) {
      int p = pick[i];
      dst = lu_subview(&dst, i, dst0[i][p], dst0[i][p] + len[i][p]);
      src = lu_subview(&src, i, src0[i][p], src0[i][p] + len[i][p]);
    }
    if ((st = lu_put(ctx, "roll", &dst, &src)) != LU_OK) {
      lu_array_release(out);
      return st;
    }
    for (i = a->ndim - 1; i >= 0; i--) {   /* next combination */
      if (++pick[i] < np[i]) break;
      pick[i] = 0;
    }
    if (i < 0) break;
  }
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== delete, insert */
int lu_delete(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis, const uint8_t *h_del) {
  int64_t n, k, m = 0, *idx;
  int st;
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if ((st = check_axis(ctx, "delete", axis, a->ndim)) != LU_OK) return st;
  n = a->shape[axis];
  idx = (int64_t *)lu_malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
  if (idx == NULL) return lu_seterr(ctx, LU_EMEM, "delete: out of memory");
  for (k = 0; k < n; k++) if (!h_del[k]) idx[m++] = k;
  st = lu_take_axis(ctx, out, "delete", a, axis, m, idx);
  free(idx);
  return st;
}

/* A bool mask of out's shape that is true where the position along axis
** is flagged in h (length out->shape[axis]), as a new contiguous array. */
static int axis_mask(lu_ctx *ctx, lu_array *mask, const lu_array *out, int axis,
                     const uint8_t *h) {
  int64_t shape[LU_MAXDIM];
  lu_array hm, b;
  int i, st;
  for (i = 0; i < out->ndim; i++) shape[i] = 1;
  shape[axis] = out->shape[axis];
  if ((st = lu_from_host(ctx, &hm, LU_BOOL, out->ndim, shape, lu_array_device(out), h)) != LU_OK)
    return st;
  st = lu_broadcast_to(ctx, &b, &hm, out->ndim, out->shape);
  if (st == LU_OK) {
    st = lu_copy(ctx, mask, &b);
    lu_array_release(&b);
  }
  lu_array_release(&hm);
  return st;
}

/* Many values at sorted positions: out[old] = a and out[new] = v as two
** boolean scatters (each in C order, which is the order of a's and v's
** elements). */
static int insert_masked(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis,
                         const lu_array *v, const uint8_t *h_new) {
  int64_t L = out->shape[axis], k, m1 = -1;
  uint8_t *h_old = (uint8_t *)lu_malloc((size_t)(L > 0 ? L : 1));
  lu_array mo, mn, fa, fv;
  lu_arg g;
  int st;
  if (h_old == NULL) return lu_seterr(ctx, LU_EMEM, "insert: out of memory");
  for (k = 0; k < L; k++) h_old[k] = !h_new[k];
  mo.buf = mn.buf = fa.buf = fv.buf = NULL;
  st = axis_mask(ctx, &mo, out, axis, h_old);
  free(h_old);
  if (st == LU_OK) st = axis_mask(ctx, &mn, out, axis, h_new);
  if (st == LU_OK) st = lu_reshape(ctx, &fa, a, 1, &m1);
  if (st == LU_OK) st = lu_reshape(ctx, &fv, v, 1, &m1);
  if (st == LU_OK && fa.size > 0) { g = lu_arg_array(&fa); st = lu_mask_assign(ctx, out, &mo, &g); }
  if (st == LU_OK && fv.size > 0) { g = lu_arg_array(&fv); st = lu_mask_assign(ctx, out, &mn, &g); }
  lu_array_release(&mo);
  lu_array_release(&mn);
  lu_array_release(&fa);
  lu_array_release(&fv);
  return st;
}

static int cmp_pos(const void *x, const void *y) {
  const int64_t *p = (const int64_t *)x, *q = (const int64_t *)y;
  if (p[0] != q[0]) return p[0] < q[0] ? -1 : 1;
  return p[1] < q[1] ? -1 : p[1] > q[1];   /* stable: by original order */
}

/* NumPy's insert. block: obj was one integer (values, given at least a's
** number of dimensions, have their first axis moved to `axis` and go in as
** one block at pos[0]) or a one-element sequence (the same without the
** move). Otherwise value j goes before old position pos[j] (0-based,
** 0..n), values broadcast to the shape of the inserted slab. values are
** already of a's dtype and device. */
int lu_insert(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis, int64_t k,
              const int64_t *pos, int block, const lu_array *values) {
  int64_t n, shape[LU_MAXDIM], numnew, j;
  lu_array v = *values, vb, vc;
  int st, i;
  char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
  out->buf = NULL;
  if (a->buf == NULL || values->buf == NULL) return closed(ctx);
  if ((st = check_axis(ctx, "insert", axis, a->ndim)) != LU_OK) return st;
  if ((st = same_device(ctx, "insert", a, values)) != LU_OK) return st;
  n = a->shape[axis];
  for (j = 0; j < k; j++)
    if (pos[j] < 0 || pos[j] > n)
      return lu_seterr(ctx, LU_EINDEX, "insert: index %lld is out of bounds for axis %d with size %lld",
                       (long long)pos[j] + 1, axis + 1, (long long)n);
  memcpy(shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
  if (block) {
    int64_t p = pos[0];
    lu_array d1, d2, d3, s1v, s3v;
    if (v.ndim < a->ndim) {   /* ndmin: leading axes of length 1 */
      int add = a->ndim - v.ndim;
      for (i = a->ndim - 1; i >= 0; i--) {
        v.shape[i] = i >= add ? values->shape[i - add] : 1;
        v.strides[i] = i >= add ? values->strides[i - add] : lu_array_itemsize(values);
      }
      v.ndim = a->ndim;
      lu_array_update(&v);
    }
    if (block == 1 && axis != 0) {   /* moveaxis(values, 0, axis) */
      int64_t sh0 = v.shape[0], st0 = v.strides[0];
      for (i = 0; i < axis; i++) { v.shape[i] = v.shape[i + 1]; v.strides[i] = v.strides[i + 1]; }
      v.shape[axis] = sh0;
      v.strides[axis] = st0;
    }
    numnew = v.shape[axis];
    if (!lu_size_add(shape[axis], numnew, &shape[axis]))
      return lu_seterr(ctx, LU_EMEM, "insert: array is too big");
    if ((st = lu_empty(ctx, out, a->dtype, a->ndim, shape, lu_array_device(a))) != LU_OK) return st;
    d1 = lu_subview(out, axis, 0, p);
    s1v = lu_subview(a, axis, 0, p);
    d2 = lu_subview(out, axis, p, p + numnew);
    d3 = lu_subview(out, axis, p + numnew, shape[axis]);
    s3v = lu_subview(a, axis, p, n);
    st = lu_put(ctx, "insert", &d1, &s1v);
    if (st == LU_OK) st = lu_put(ctx, "insert", &d2, &v);
    if (st == LU_OK) st = lu_put(ctx, "insert", &d3, &s3v);
    if (st != LU_OK) lu_array_release(out);
    return st;
  }
  /* many positions: values broadcast to the inserted slab */
  shape[axis] = k;
  vb.buf = vc.buf = NULL;
  if ((st = lu_broadcast_to(ctx, &vb, values, a->ndim, shape)) != LU_OK) {
    lu_seterr(ctx, LU_ESHAPE, "insert: could not broadcast values from shape %s into shape %s",
              lu_shape_str(values->ndim, values->shape, s1, sizeof s1),
              lu_shape_str(a->ndim, shape, s2, sizeof s2));
    return st;
  }
  shape[axis] = n + k;
  {
    int64_t (*ord)[2] = (int64_t (*)[2])lu_malloc(sizeof(int64_t[2]) * (size_t)(k > 0 ? k : 1));
    int64_t L = n + k, *src = (int64_t *)lu_malloc(sizeof(int64_t) * (size_t)(L > 0 ? L : 1));
    uint8_t *isnew = (uint8_t *)lu_calloc((size_t)(L > 0 ? L : 1), 1);
    int64_t runs = 0, q, old = 0, sorted = 1;
    if (ord == NULL || src == NULL || isnew == NULL) {
      free(ord); free(src); free(isnew);
      lu_array_release(&vb);
      return lu_seterr(ctx, LU_EMEM, "insert: out of memory");
    }
    for (j = 0; j < k; j++) { ord[j][0] = pos[j]; ord[j][1] = j; }
    qsort(ord, (size_t)k, sizeof ord[0], cmp_pos);
    for (j = 0; j < k; j++) {
      int64_t fin = ord[j][0] + j;
      isnew[fin] = 1;
      src[fin] = ord[j][1];
      if (ord[j][1] != j) sorted = 0;
    }
    for (q = 0; q < L; q++) if (!isnew[q]) src[q] = old++;
    for (q = 0; q < L; q++)
      if (q == 0 || isnew[q] != isnew[q - 1] || src[q] != src[q - 1] + 1) runs++;
    st = lu_empty(ctx, out, a->dtype, a->ndim, shape, lu_array_device(a));
    if (st == LU_OK && out->size > 0) {
      if (runs > RUN_LIMIT && sorted) {
        st = lu_copy(ctx, &vc, &vb);
        if (st == LU_OK) st = insert_masked(ctx, out, a, axis, &vc, isnew);
      } else {
        for (q = 0; q < L && st == LU_OK;) {
          int64_t e = q + 1;
          lu_array dst, s;
          while (e < L && isnew[e] == isnew[q] && src[e] == src[e - 1] + 1) e++;
          dst = lu_subview(out, axis, q, e);
          s = lu_subview(isnew[q] ? &vb : a, axis, src[q], src[q] + (e - q));
          st = lu_put(ctx, "insert", &dst, &s);
          q = e;
        }
      }
      if (st != LU_OK) lu_array_release(out);
    }
    free(ord); free(src); free(isnew);
  }
  lu_array_release(&vb);
  lu_array_release(&vc);
  return st;
}
/* }====================================================== */

/* {====================================================== resize, trim_zeros */
/* NumPy's resize: the flattened input repeated to fill the new shape: the
** whole copies as one broadcast copy, then the remainder. */
int lu_resize(lu_ctx *ctx, lu_array *out, const lu_array *a, int ndim, const int64_t *shape) {
  lu_array flat, dst, src;
  int64_t m1 = -1, size = 1, full, rem, sh2[2];
  int i, st;
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  for (i = 0; i < ndim; i++) {
    if (shape[i] < 0)
      return lu_seterr(ctx, LU_EARG, "resize: all elements of `new_shape` must be non-negative");
    if (!lu_size_mul(size, shape[i], &size))
      return lu_seterr(ctx, LU_EMEM, "resize: array is too big");
  }
  if (size == 0 || a->size == 0) {
    lu_scalar zero = {'i', 0, 0};
    return lu_full(ctx, out, a->dtype, ndim, shape, lu_array_device(a), zero);
  }
  if ((st = lu_empty(ctx, out, a->dtype, ndim, shape, lu_array_device(a))) != LU_OK) return st;
  if ((st = lu_reshape(ctx, &flat, a, 1, &m1)) != LU_OK) { lu_array_release(out); return st; }
  full = size / a->size;
  rem = size % a->size;
  sh2[0] = full; sh2[1] = a->size;
  dst = reshaped(out, 2, sh2);
  if (full > 0) {
    src = spread(&flat, 0, full);
    st = lu_put(ctx, "resize", &dst, &src);
  }
  if (st == LU_OK && rem > 0) {
    int64_t one = size;
    lu_array o1 = reshaped(out, 1, &one);
    dst = lu_subview(&o1, 0, full * a->size, size);
    src = lu_subview(&flat, 0, 0, rem);
    st = lu_put(ctx, "resize", &dst, &src);
  }
  lu_array_release(&flat);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* NumPy's ndarray.resize: a (an owner) gets a new buffer of `shape`, its
** first elements in C order kept and the rest zero. Views of the old
** buffer (refcheck off) keep the old buffer, where NumPy's would dangle.
** The same size on a C-contiguous a is a reshape that keeps the buffer. */
int lu_resize_inplace(lu_ctx *ctx, lu_array *a, int ndim, const int64_t *shape, int refcheck) {
  lu_scalar zero = {'i', 0, 0};
  lu_array nw, flat, dst, src;
  int64_t n, k, m1 = -1;
  int i, st;
  if (a->buf == NULL) return closed(ctx);
  if ((st = lu_shape_check(ctx, "resize", ndim, shape, lu_array_itemsize(a), &n)) != LU_OK) return st;
  if (!lu_array_owns(a))
    return lu_seterr(ctx, LU_EARG, "resize: cannot resize this array: it does not own its data");
  if (refcheck && a->buf->refcount > 1)
    return lu_seterr(ctx, LU_EARG,
                     "resize: cannot resize an array that references or is referenced by another "
                     "array in this way; use lunar.resize or refcheck = false");
  if (n == a->size && lu_array_is_contig(a)) {
    a->ndim = ndim;
    for (i = 0; i < ndim; i++) a->shape[i] = shape[i];
    lu_contig_strides(ndim, shape, lu_array_itemsize(a), a->strides);
    lu_array_update(a);
    if (a->offset == 0) lu_buffer_made(a->buf, a);
    return LU_OK;
  }
  if ((st = lu_full(ctx, &nw, a->dtype, ndim, shape, lu_array_device(a), zero)) != LU_OK) return st;
  k = n < a->size ? n : a->size;
  if (k > 0) {
    if ((st = lu_reshape(ctx, &flat, a, 1, &m1)) != LU_OK) { lu_array_release(&nw); return st; }
    dst = reshaped(&nw, 1, &n);
    dst = lu_subview(&dst, 0, 0, k);
    src = lu_subview(&flat, 0, 0, k);
    st = lu_put(ctx, "resize", &dst, &src);
    lu_array_release(&flat);
    if (st != LU_OK) { lu_array_release(&nw); return st; }
  }
  lu_array_release(a);
  *a = nw;
  return LU_OK;
}

/* Index of the first true element of a 1-d bool array (n when none). */
static int first_true(lu_ctx *ctx, const lu_array *m, int64_t *pos) {
  lu_array r;
  int64_t v = 0;
  uint8_t any = 0;
  int st = lu_reduce(ctx, &r, LU_RED_any, m, LU_ALLAXES, 0, 0);
  if (st != LU_OK) return st;
  st = lu_to_host(ctx, &r, &any);
  lu_array_release(&r);
  if (st != LU_OK) return st;
  if (!any) { *pos = m->shape[0]; return LU_OK; }
  if ((st = lu_reduce(ctx, &r, LU_RED_argmax, m, LU_ALLAXES, 0, 0)) != LU_OK) return st;
  st = lu_to_host(ctx, &r, &v);
  lu_array_release(&r);
  *pos = v;
  return st;
}

/* [start, stop) of the nonzero elements of nz (bool) along axis k: the
** positions where any element of the other axes is true. */
static int nonzero_span(lu_ctx *ctx, const lu_array *nz, int k, int64_t *start, int64_t *stop) {
  lu_array line, rev;
  lu_reduce_opts o;
  int i, st;
  int64_t r;
  lu_reduce_opts_init(&o);
  o.naxes = 0;
  for (i = 0; i < nz->ndim; i++) if (i != k) o.axes[o.naxes++] = i;
  line.buf = rev.buf = NULL;
  if (o.naxes == 0) lu_array_share(&line, nz);
  else if ((st = lu_reduce_ex(ctx, &line, LU_RED_any, nz, &o)) != LU_OK) return st;
  st = first_true(ctx, &line, start);
  if (st == LU_OK && (st = lu_flip(ctx, &rev, &line, 1u)) == LU_OK) {
    st = first_true(ctx, &rev, &r);
    *stop = line.shape[0] - r;
  }
  lu_array_release(&rev);
  lu_array_release(&line);
  return st;
}

/* NumPy 2.2's trim_zeros: the smallest box (along every axis, or along
** `axis` only) that holds all nonzero elements, trimmed at the front, the
** back or both; all zeros give an empty box. A view. */
int lu_trim_zeros(lu_ctx *ctx, lu_array *out, const lu_array *a, int front, int back, int axis) {
  lu_array nz, v;
  lu_arg g[2];
  uint8_t any = 0;
  int k, st;
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if (axis != LU_ALLAXES && (st = check_axis(ctx, "trim_zeros", axis, a->ndim)) != LU_OK) return st;
  v = *a;
  if (a->ndim == 0 || a->size == 0 || !(front || back)) {
    lu_array_share(out, &v);
    return LU_OK;
  }
  g[0] = lu_arg_array(a);
  g[1] = lu_arg_int(0);
  nz.buf = NULL;
  if ((st = lu_ewise_named(ctx, LU_OP_not_equal, 2, g, &nz, "trim_zeros", -1)) != LU_OK) return st;
  {
    lu_array r;
    if ((st = lu_reduce(ctx, &r, LU_RED_any, &nz, LU_ALLAXES, 0, 0)) == LU_OK) {
      st = lu_to_host(ctx, &r, &any);
      lu_array_release(&r);
    }
  }
  for (k = 0; k < a->ndim && st == LU_OK; k++) {
    int64_t s = 0, e = 0;
    if (axis != LU_ALLAXES && k != axis) continue;
    if (any && (st = nonzero_span(ctx, &nz, k, &s, &e)) != LU_OK) break;
    if (any && !front) s = 0;
    if (any && !back) e = a->shape[k];
    v = lu_subview(&v, k, s, e);
  }
  lu_array_release(&nz);
  if (st == LU_OK) lu_array_share(out, &v);
  return st;
}
/* }====================================================== */
