/* SPDX-License-Identifier: MIT */
/*
** Order statistics: quantile (percentile is the binding's q / 100),
** median and their NaN-skipping forms, over one axis, several, or all.
** The axes are moved last and merged into one (lu_rows), and the backend's
** quantile entry picks order statistics per row (a selection on the CPU,
** a sort on the GPU) with NumPy's method formulas (lu_quant.h).
**
** Result dtypes are NumPy 2's: the discontinuous methods keep the input's
** dtype; the others give float64, except that a float input keeps its
** dtype when q was a plain number (NumPy's "weak" q); median keeps a float
** input's dtype and gives float64 otherwise.
*/
#include <math.h>
#include <string.h>
#include "lu_sortfam.h"

static int takes_value(int method) {
  return method == LU_Q_INVERTED_CDF || method == LU_Q_CLOSEST_OBSERVATION ||
         method == LU_Q_LOWER || method == LU_Q_HIGHER || method == LU_Q_NEAREST;
}

/* The result's shape: q's, then the axes not reduced (length 1 with
** keepdims); returns its ndim, or -1 when that is too many. */
static int result_shape(const lu_array *a, int qndim, const int64_t *qshape, int naxes,
                        const int *axes, int keepdims, int64_t *shape) {
  int red[LU_MAXDIM], nd = 0, i;
  memset(red, 0, sizeof red);
  for (i = 0; i < naxes; i++) red[axes[i]] = 1;
  for (i = 0; i < qndim; i++) shape[nd++] = qshape[i];
  for (i = 0; i < a->ndim; i++) {
    int64_t len = naxes == 0 || red[i] ? 1 : a->shape[i];
    if ((naxes == 0 || red[i]) && !keepdims) continue;
    if (nd >= LU_MAXDIM) return -1;
    shape[nd++] = len;
  }
  return nd;
}

static int quantile_core(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                         int qndim, const int64_t *qshape, int nq, const double *q, int method,
                         int nan_skip, lu_dtype odt, int naxes, const int *axes, int keepdims) {
  const lu_sort_family *fam;
  lu_quantile_call c;
  lu_rows r;
  lu_array res;
  int64_t shape[LU_MAXDIM], rs[2];
  int nd, st;
  lu_device dev = lu_array_device(a);
  out->buf = NULL;
  res.buf = NULL;
  if (a->dtype == LU_FLOAT16 || a->dtype == LU_BFLOAT16) {
    /* picked in float32 (exact), an interpolation rounded once */
    lu_array f, r32;
    lu_dtype o32 = odt == a->dtype ? LU_FLOAT32 : odt;
    if ((st = lu_astype(ctx, &f, a, LU_FLOAT32)) != LU_OK) return st;
    st = quantile_core(ctx, name, &r32, &f, qndim, qshape, nq, q, method, nan_skip, o32, naxes,
                       axes, keepdims);
    lu_array_release(&f);
    if (st != LU_OK) return st;
    if (o32 == odt) { *out = r32; return LU_OK; }
    st = lu_astype(ctx, out, &r32, odt);
    lu_array_release(&r32);
    return st;
  }
  if ((st = lu_rows_make(ctx, name, a, naxes, axes, naxes == 0, &r)) != LU_OK) return st;
  nd = result_shape(a, qndim, qshape, naxes, axes, keepdims, shape);
  if (nd < 0) { st = lu_seterr(ctx, LU_EARG, "%s: too many dimensions", name); goto done; }
  rs[0] = nq;
  rs[1] = r.nrow;
  if (r.len == 0 && r.nrow > 0) {
    if (method != LU_Q_MEDIAN) {
      st = lu_seterr(ctx, LU_EINDEX, "%s: cannot take a quantile of an empty axis", name);
      goto done;
    }
    /* NumPy: the mean of nothing, NaN */
    st = lu_full(ctx, out, odt, nd, shape, dev, lu_arg_float(NAN).s);
    goto done;
  }
  if ((st = lu_empty(ctx, &res, odt, 2, rs, dev)) != LU_OK) goto done;
  if (res.size > 0) {
    if ((st = LU_SF_ENTRY(ctx, name, dev, fam, quantile)) != LU_OK) goto done;
    memset(&c, 0, sizeof c);
    c.dt = a->dtype;
    c.nrow = r.nrow;
    c.len = r.len;
    c.in = lu_array_data(&r.data);
    c.nan_skip = nan_skip && lu_dtype_kind(a->dtype) == 'f';
    c.nq = nq;
    c.q = q;
    c.method = (lu_qmethod)method;
    c.out_dt = odt;
    c.out = lu_array_data(&res);
    c.dev = dev;
    lu_check_quantile(ctx, &c, &r.data, &res);
    if ((st = fam->quantile(ctx, &c)) != LU_OK) goto done;
    if ((st = lu_after_op(ctx, dev)) != LU_OK) goto done;
  }
  st = lu_reshape(ctx, out, &res, nd, shape);
done:
  lu_array_release(&res);
  lu_rows_free(&r);
  return st;
}

static int check_axes(lu_ctx *ctx, const char *name, const lu_array *a, int naxes,
                      const int *axes) {
  int i, st = lu_sf_open(ctx, a);
  if (st != LU_OK) return st;
  for (i = 0; i < naxes; i++)
    if (axes[i] < 0 || axes[i] >= a->ndim)
      return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                       name, axes[i] + 1, a->ndim);
  return LU_OK;
}

/* {====================================================== complex median
** NumPy's median of complex values: the rows sorted in NumPy's order, the
** mean of the middle one or two; a row whose largest value holds a NaN
** gives that value (NumPy's NaN check looks at the largest). The nan form
** takes the middle of the values without a NaN (a row of NaNs gives NaN). */
#define TRYM(x) do { if ((st = (x)) != LU_OK) goto done; } while (0)

static int cx_median(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                     int nan_skip, int naxes, const int *axes, int keepdims) {
  lu_rows r;
  lu_array sv, isn, isn2, cnt, nv, lo, hi, ilo, ihi, vlo, vhi, sum, med, t, last, fix;
  int64_t shape[LU_MAXDIM], sh2[2], one = 1;
  lu_device dev = lu_array_device(a);
  lu_arg y, g[3];
  int nd, st;
  out->buf = NULL;
  sv.buf = isn.buf = isn2.buf = cnt.buf = nv.buf = lo.buf = hi.buf = ilo.buf = ihi.buf = NULL;
  vlo.buf = vhi.buf = sum.buf = med.buf = t.buf = last.buf = fix.buf = NULL;
  memset(&r, 0, sizeof r);
  if ((st = lu_rows_make(ctx, name, a, naxes, axes, naxes == 0, &r)) != LU_OK) return st;
  nd = result_shape(a, 0, NULL, naxes, axes, keepdims, shape);
  if (nd < 0) { st = lu_seterr(ctx, LU_EARG, "%s: too many dimensions", name); goto done; }
  if (r.len == 0 || r.nrow == 0) {
    st = lu_full(ctx, out, a->dtype, nd, shape, dev, lu_arg_float(NAN).s);
    goto done;
  }
  sh2[0] = r.nrow; sh2[1] = r.len;
  TRYM(lu_empty(ctx, &t, a->dtype, 2, sh2, dev));
  TRYM(lu_sf_rowsort(ctx, name, &r.data, r.nrow, r.len, &t, NULL, 0, 0));
  sv = t; t.buf = NULL;
  /* nv: the values counted per row (nrow, 1) */
  if (nan_skip) {
    y = lu_arg_array(&sv);
    TRYM(lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(&sv), &y, &isn));
    TRYM(lu_reduce(ctx, &cnt, LU_RED_sum, &isn, 1, 1, 0));
    y = lu_arg_array(&cnt);
    TRYM(lu_sf_ew(ctx, name, LU_OP_subtract, lu_arg_int(r.len), &y, &nv));
  } else {
    int64_t s1[2];
    s1[0] = r.nrow; s1[1] = 1;
    TRYM(lu_full(ctx, &nv, LU_INT64, 2, s1, dev, lu_arg_int(r.len).s));
  }
  /* positions (nv - 1) // 2 and nv // 2, at least 0 */
  y = lu_arg_int(1);
  TRYM(lu_sf_ew(ctx, name, LU_OP_subtract, lu_arg_array(&nv), &y, &t));
  y = lu_arg_int(2);
  TRYM(lu_sf_ew(ctx, name, LU_OP_floor_divide, lu_arg_array(&t), &y, &lo));
  lu_array_release(&t);
  TRYM(lu_sf_ew(ctx, name, LU_OP_floor_divide, lu_arg_array(&nv), &y, &hi));
  y = lu_arg_int(0);
  TRYM(lu_sf_ew(ctx, name, LU_OP_maximum, lu_arg_array(&lo), &y, &t));
  TRYM(lu_astype(ctx, &ilo, &t, LU_INT64));
  lu_array_release(&t);
  TRYM(lu_astype(ctx, &ihi, &hi, LU_INT64));
  {
    const lu_sort_family *fam;
    int64_t s1[2];
    s1[0] = r.nrow; s1[1] = 1;
    TRYM(LU_SF_ENTRY(ctx, name, dev, fam, gather));
    TRYM(lu_empty(ctx, &vlo, a->dtype, 2, s1, dev));
    TRYM(lu_empty(ctx, &vhi, a->dtype, 2, s1, dev));
    TRYM(lu_sf_gather(ctx, fam, dev, lu_array_itemsize(&sv), r.nrow, &sv, r.len, &ilo, 1, 1, 0, &vlo));
    TRYM(lu_sf_gather(ctx, fam, dev, lu_array_itemsize(&sv), r.nrow, &sv, r.len, &ihi, 1, 1, 0, &vhi));
    TRYM(lu_after_op(ctx, dev));
  }
  y = lu_arg_array(&vhi);
  TRYM(lu_sf_ew(ctx, name, LU_OP_add, lu_arg_array(&vlo), &y, &sum));
  y = lu_arg_float(2.0);
  TRYM(lu_sf_ew(ctx, name, LU_OP_divide, lu_arg_array(&sum), &y, &med));
  if (nan_skip) {
    /* rows without a value: NaN */
    y = lu_arg_int(0);
    TRYM(lu_sf_ew(ctx, name, LU_OP_equal, lu_arg_array(&nv), &y, &t));
    g[0] = lu_arg_array(&t); g[1] = lu_arg_float(NAN); g[2] = lu_arg_array(&med);
    TRYM(lu_ewise_named(ctx, LU_OP_where, 3, g, &fix, name, -1));
  } else {
    TRYM(lu_slice(ctx, &last, &sv, 1, r.len - 1, r.len, 1));
    y = lu_arg_array(&last);
    TRYM(lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(&last), &y, &isn2));
    g[0] = lu_arg_array(&isn2); g[1] = lu_arg_array(&last); g[2] = lu_arg_array(&med);
    TRYM(lu_ewise_named(ctx, LU_OP_where, 3, g, &fix, name, -1));
  }
  (void)one;
  {
    lu_array c2;
    TRYM(lu_ascontig(ctx, &c2, &fix));
    st = lu_reshape(ctx, out, &c2, nd, shape);
    lu_array_release(&c2);
  }
done:
  lu_rows_free(&r);
  lu_array_release(&sv); lu_array_release(&isn); lu_array_release(&isn2);
  lu_array_release(&cnt); lu_array_release(&nv); lu_array_release(&lo); lu_array_release(&hi);
  lu_array_release(&ilo); lu_array_release(&ihi); lu_array_release(&vlo);
  lu_array_release(&vhi); lu_array_release(&sum); lu_array_release(&med); lu_array_release(&t);
  lu_array_release(&last); lu_array_release(&fix);
  return st;
}
/* }====================================================== */

static int real_only(lu_ctx *ctx, const char *name, const lu_array *a) {
  if (lu_dtype_kind(a->dtype) == 'c')
    return lu_seterr(ctx, LU_ETYPE, "%s: a must be an array of real numbers, got %s", name,
                     lu_dtype_name(a->dtype));
  return LU_OK;
}

int lu_quantile(lu_ctx *ctx, lu_array *out, const lu_array *a, int qndim,
                const int64_t *qshape, const double *q, int method, int nan_skip,
                int weak_q, int naxes, const int *axes, int keepdims) {
  const char *name = nan_skip ? "nanquantile" : "quantile";
  int64_t nq = 1;
  lu_dtype odt;
  int i, st;
  out->buf = NULL;
  if ((st = check_axes(ctx, name, a, naxes, axes)) != LU_OK) return st;
  if ((st = real_only(ctx, name, a)) != LU_OK) return st;
  if (method < 0 || method >= LU_Q_MEDIAN)
    return lu_seterr(ctx, LU_EARG, "%s: unknown method %d", name, method);
  if (qndim < 0 || qndim > 2)
    return lu_seterr(ctx, LU_EARG, "%s: q must be a scalar or 1d", name);
  for (i = 0; i < qndim; i++) nq *= qshape[i];
  for (i = 0; i < nq; i++)
    if (!(q[i] >= 0.0 && q[i] <= 1.0))
      return lu_seterr(ctx, LU_EARG, "%s: quantiles must be in the range [0, 1]", name);
  if (takes_value(method)) {
    odt = a->dtype;
  } else {
    if (a->dtype == LU_BOOL)
      return lu_seterr(ctx, LU_ETYPE, "%s: boolean input is not supported by an interpolating method",
                       name);
    odt = lu_dtype_kind(a->dtype) == 'f' && (weak_q || a->dtype == LU_FLOAT64) ? a->dtype : LU_FLOAT64;
  }
  return quantile_core(ctx, name, out, a, qndim, qshape, (int)nq, q, method, nan_skip, odt,
                       naxes, axes, keepdims);
}

int lu_median(lu_ctx *ctx, lu_array *out, const lu_array *a, int nan_skip, int naxes,
              const int *axes, int keepdims) {
  const char *name = nan_skip ? "nanmedian" : "median";
  double half = 0.5;
  lu_dtype odt;
  int st;
  out->buf = NULL;
  if ((st = check_axes(ctx, name, a, naxes, axes)) != LU_OK) return st;
  if (lu_dtype_kind(a->dtype) == 'c')
    return cx_median(ctx, name, out, a, nan_skip, naxes, axes, keepdims);
  odt = lu_dtype_kind(a->dtype) == 'f' ? a->dtype : LU_FLOAT64;
  return quantile_core(ctx, name, out, a, 0, NULL, 1, &half, LU_Q_MEDIAN, nan_skip, odt,
                       naxes, axes, keepdims);
}

/* {====================================================== weighted quantiles */
/* NumPy 2's weighted inverted_cdf: per row, the values sorted with their
** weights, the normalised cumulative weights (cdf; zeros made -1 when any
** row starts with a zero weight, so that zero-weight values are never
** picked), and the value at the first position whose cdf is not below q.
** The nan forms give NaN values no weight; otherwise a row holding a NaN
** gives NaN. */
#define TRYW(x) do { if ((st = (x)) != LU_OK) goto done; } while (0)

static int row_gather(lu_ctx *ctx, const char *name, const lu_array *src, int64_t nrow,
                      int64_t len, const lu_array *idx, int64_t nidx, lu_array *out) {
  const lu_sort_family *fam;
  int64_t shape[2];
  lu_device dev = lu_array_device(src);
  int st;
  shape[0] = nrow;
  shape[1] = nidx;
  out->buf = NULL;
  if ((st = lu_empty(ctx, out, src->dtype, 2, shape, dev)) != LU_OK) return st;
  if (nrow * nidx == 0) return LU_OK;
  if ((st = LU_SF_ENTRY(ctx, name, dev, fam, gather)) == LU_OK)
    st = lu_sf_gather(ctx, fam, dev, lu_array_itemsize(src), nrow, src, len, idx, nidx, nidx, 0, out);
  if (st == LU_OK) st = lu_after_op(ctx, dev);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

int lu_quantile_weighted(lu_ctx *ctx, lu_array *out, const lu_array *a, int qndim,
                         const int64_t *qshape, const double *q, int nan_skip, int naxes,
                         const int *axes, int keepdims, const lu_array *weights) {
  const char *name = nan_skip ? "nanquantile" : "quantile";
  lu_rows ra, rw;
  lu_array wb, w64, a2, w2, perm, sv, sw, cdf, last, t1, t2, res, lastv, hasnan;
  int64_t nq = 1, shape[LU_MAXDIM], sh2[2], nrow, len, k;
  int red[LU_MAXDIM], nd = 0, i, st = LU_OK, same;
  lu_device dev;
  out->buf = NULL;
  memset(&ra, 0, sizeof ra);
  memset(&rw, 0, sizeof rw);
  wb.buf = w64.buf = a2.buf = w2.buf = perm.buf = sv.buf = sw.buf = cdf.buf = NULL;
  last.buf = t1.buf = t2.buf = res.buf = lastv.buf = hasnan.buf = NULL;
  if ((st = check_axes(ctx, name, a, naxes, axes)) != LU_OK) return st;
  if ((st = real_only(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_sf_same_dev(ctx, name, a, weights)) != LU_OK) return st;
  dev = lu_array_device(a);
  for (i = 0; i < qndim; i++) nq *= qshape[i];
  for (i = 0; i < nq; i++)
    if (!(q[i] >= 0.0 && q[i] <= 1.0))
      return lu_seterr(ctx, LU_EARG, "%s: quantiles must be in the range [0, 1]", name);
  /* weights of a's shape, or of the reduced axes' shape (then broadcast) */
  same = weights->ndim == a->ndim;
  for (i = 0; same && i < a->ndim; i++) same = weights->shape[i] == a->shape[i];
  if (same) {
    lu_array_share(&wb, weights);
  } else {
    int order[LU_MAXDIM], j, perm2[LU_MAXDIM];
    lu_array tv;
    int64_t bsh[LU_MAXDIM];
    if (naxes == 0)
      return lu_seterr(ctx, LU_ETYPE, "%s: axis must be specified when shapes of a and weights differ", name);
    same = weights->ndim == naxes;
    for (i = 0; same && i < naxes; i++) same = weights->shape[i] == a->shape[axes[i]];
    if (!same)
      return lu_seterr(ctx, LU_ESHAPE, "%s: shape of weights must be consistent with shape of a along specified axis", name);
    /* the weights' axes in a's order, then length-1 axes for the others */
    for (i = 0; i < naxes; i++) order[i] = i;
    for (i = 1; i < naxes; i++)
      for (j = i; j > 0 && axes[order[j - 1]] > axes[order[j]]; j--) { int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t; }
    for (i = 0; i < naxes; i++) perm2[i] = order[i];
    if ((st = lu_transpose(ctx, &tv, weights, perm2)) != LU_OK) return st;
    for (i = 0; i < a->ndim; i++) bsh[i] = 1;
    for (i = 0; i < naxes; i++) bsh[axes[i]] = a->shape[axes[i]];
    {
      lu_array c2;
      st = lu_ascontig(ctx, &c2, &tv);
      lu_array_release(&tv);
      if (st != LU_OK) return st;
      st = lu_reshape(ctx, &tv, &c2, a->ndim, bsh);
      lu_array_release(&c2);
      if (st != LU_OK) return st;
    }
    st = lu_broadcast_to(ctx, &wb, &tv, a->ndim, a->shape);
    lu_array_release(&tv);
    if (st != LU_OK) return st;
  }
  if (wb.size > 0) {
    lu_array mn;
    double v = 0;
    TRYW(lu_reduce(ctx, &mn, LU_RED_min, &wb, LU_ALLAXES, 0, 0));
    st = lu_sf_get_f64(ctx, &mn, 0, &v);
    lu_array_release(&mn);
    if (st != LU_OK) goto done;
    if (v < 0) { st = lu_seterr(ctx, LU_EARG, "%s: weights must be non-negative", name); goto done; }
  }
  TRYW(lu_astype(ctx, &w64, &wb, LU_FLOAT64));
  TRYW(lu_rows_make(ctx, name, a, naxes, axes, naxes == 0, &ra));
  TRYW(lu_rows_make(ctx, name, &w64, naxes, axes, naxes == 0, &rw));
  nrow = ra.nrow;
  len = ra.len;
  if (len == 0) { st = lu_seterr(ctx, LU_EINDEX, "%s: cannot take a quantile of an empty axis", name); goto done; }
  sh2[0] = nrow; sh2[1] = len;
  TRYW(lu_reshape(ctx, &a2, &ra.data, 2, sh2));
  TRYW(lu_reshape(ctx, &w2, &rw.data, 2, sh2));
  TRYW(lu_argsort(ctx, &perm, &a2, 1, 0));
  {
    lu_array pc;
    TRYW(lu_ascontig(ctx, &pc, &perm));
    lu_array_release(&perm);
    perm = pc;
  }
  TRYW(row_gather(ctx, name, &a2, nrow, len, &perm, len, &sv));
  TRYW(row_gather(ctx, name, &w2, nrow, len, &perm, len, &sw));
  if (nan_skip && lu_dtype_kind(a->dtype) == 'f') {
    lu_arg g[3], y;
    y = lu_arg_array(&sv);
    TRYW(lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(&sv), &y, &t1));
    g[0] = lu_arg_array(&t1); g[1] = lu_arg_float(0.0); g[2] = lu_arg_array(&sw);
    TRYW(lu_ewise_named(ctx, LU_OP_where, 3, g, &t2, name, -1));
    lu_array_release(&sw); sw = t2; t2.buf = NULL;
    lu_array_release(&t1);
  }
  TRYW(lu_cumulative(ctx, &cdf, &sw, LU_SCAN_SUM, 0, 1, LU_FLOAT64));
  TRYW(lu_slice(ctx, &last, &cdf, 1, len - 1, len, 1));
  {
    lu_arg y = lu_arg_array(&last);
    TRYW(lu_sf_ew(ctx, name, LU_OP_divide, lu_arg_array(&cdf), &y, &t1));
    lu_array_release(&cdf); cdf = t1; t1.buf = NULL;
    lu_array_release(&last);
  }
  if (!nan_skip) {
    /* a NaN total (a NaN or infinite weight, or all zero) is an error */
    lu_array l2, any;
    double v = 0;
    lu_arg y;
    TRYW(lu_slice(ctx, &l2, &cdf, 1, len - 1, len, 1));
    y = lu_arg_array(&l2);
    st = lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(&l2), &y, &t1);
    lu_array_release(&l2);
    if (st != LU_OK) goto done;
    TRYW(lu_reduce(ctx, &any, LU_RED_any, &t1, LU_ALLAXES, 0, 0));
    st = lu_sf_get_f64(ctx, &any, 0, &v);
    lu_array_release(&any);
    lu_array_release(&t1);
    if (st != LU_OK) goto done;
    if (v != 0) { st = lu_seterr(ctx, LU_EARG, "%s: weights included NaN, inf or were all zero", name); goto done; }
  }
  {
    /* leading zero weights: their cdf zeros become -1 (all of them, as NumPy) */
    lu_array c0, z, any;
    double v = 0;
    lu_arg y = lu_arg_float(0.0);
    TRYW(lu_slice(ctx, &c0, &cdf, 1, 0, 1, 1));
    st = lu_sf_ew(ctx, name, LU_OP_equal, lu_arg_array(&c0), &y, &z);
    lu_array_release(&c0);
    if (st != LU_OK) goto done;
    st = lu_reduce(ctx, &any, LU_RED_any, &z, LU_ALLAXES, 0, 0);
    lu_array_release(&z);
    if (st != LU_OK) goto done;
    st = lu_sf_get_f64(ctx, &any, 0, &v);
    lu_array_release(&any);
    if (st != LU_OK) goto done;
    if (v != 0) {
      lu_arg g[3], y2 = lu_arg_float(0.0);
      TRYW(lu_sf_ew(ctx, name, LU_OP_equal, lu_arg_array(&cdf), &y2, &t1));
      g[0] = lu_arg_array(&t1); g[1] = lu_arg_float(-1.0); g[2] = lu_arg_array(&cdf);
      TRYW(lu_ewise_named(ctx, LU_OP_where, 3, g, &t2, name, -1));
      lu_array_release(&cdf); cdf = t2; t2.buf = NULL;
      lu_array_release(&t1);
    }
  }
  /* rows that hold a NaN give NaN: their last sorted value */
  TRYW(lu_slice(ctx, &lastv, &sv, 1, len - 1, len, 1));
  if (!nan_skip && lu_dtype_kind(a->dtype) == 'f') {
    lu_arg y = lu_arg_array(&lastv);
    TRYW(lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(&lastv), &y, &hasnan));
  }
  sh2[0] = nq; sh2[1] = nrow;
  TRYW(lu_empty(ctx, &res, a->dtype, 2, sh2, dev));
  for (k = 0; k < nq; k++) {
    lu_array lt, cnt, idx, val, dst, fix;
    lu_arg y = lu_arg_float(q[k]), g[3];
    lt.buf = cnt.buf = idx.buf = val.buf = dst.buf = fix.buf = NULL;
    st = lu_sf_ew(ctx, name, LU_OP_less, lu_arg_array(&cdf), &y, &lt);
    if (st == LU_OK) st = lu_reduce(ctx, &cnt, LU_RED_sum, &lt, 1, 1, 0);
    if (st == LU_OK) { y = lu_arg_int(len - 1); st = lu_sf_ew(ctx, name, LU_OP_minimum, lu_arg_array(&cnt), &y, &idx); }
    if (st == LU_OK) st = row_gather(ctx, name, &sv, nrow, len, &idx, 1, &val);
    if (st == LU_OK && hasnan.buf) {
      g[0] = lu_arg_array(&hasnan); g[1] = lu_arg_array(&lastv); g[2] = lu_arg_array(&val);
      st = lu_ewise_named(ctx, LU_OP_where, 3, g, &fix, name, -1);
      if (st == LU_OK) { lu_array_release(&val); val = fix; fix.buf = NULL; }
    }
    if (st == LU_OK) st = lu_take_index(ctx, &dst, &res, 0, k);
    if (st == LU_OK) {
      lu_array v1;
      int64_t m = nrow;
      st = lu_reshape(ctx, &v1, &val, 1, &m);
      if (st == LU_OK) { lu_arg g2 = lu_arg_array(&v1); st = lu_assign(ctx, &dst, &g2); lu_array_release(&v1); }
    }
    lu_array_release(&lt); lu_array_release(&cnt); lu_array_release(&idx);
    lu_array_release(&val); lu_array_release(&dst); lu_array_release(&fix);
    if (st != LU_OK) goto done;
  }
  /* shape: q's, then the axes not reduced (length 1 with keepdims) */
  memset(red, 0, sizeof red);
  for (i = 0; i < naxes; i++) red[axes[i]] = 1;
  for (i = 0; i < qndim; i++) shape[nd++] = qshape[i];
  for (i = 0; i < a->ndim; i++) {
    if (naxes == 0 || red[i]) { if (keepdims) shape[nd++] = 1; }
    else shape[nd++] = a->shape[i];
  }
  st = lu_reshape(ctx, out, &res, nd, shape);
done:
  lu_rows_free(&ra); lu_rows_free(&rw);
  lu_array_release(&wb); lu_array_release(&w64); lu_array_release(&a2); lu_array_release(&w2);
  lu_array_release(&perm); lu_array_release(&sv); lu_array_release(&sw); lu_array_release(&cdf);
  lu_array_release(&last); lu_array_release(&t1); lu_array_release(&t2); lu_array_release(&res);
  lu_array_release(&lastv); lu_array_release(&hasnan);
  return st;
}
/* }====================================================== */
