/* SPDX-License-Identifier: MIT */
/*
** Weighted means, covariance and correlation coefficients: average, cov,
** corrcoef. Composed from reductions, elementwise ops and matmul, in
** NumPy's order of operations (so the dtypes and the rounding follow
** NumPy's). correlate and convolve are in convolve.c.
*/
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "lu_sortfam.h"

#define TRY(x) do { if ((st = (x)) != LU_OK) goto done; } while (0)

#define A(x) lu_arg_array(x)

/* sum over the axes (naxes 0: all), keeping them as length 1 when
** keepdims, in dtype dt (-1: the sum's) */
static int sum_axes(lu_ctx *ctx, const char *name, const lu_array *x, int naxes, const int *axes,
                    int keepdims, lu_array *out) {
  lu_rows r;
  lu_array m, s;
  int64_t sh[2], shape[LU_MAXDIM];
  int red[LU_MAXDIM], nd = 0, i, st;
  out->buf = NULL;
  m.buf = s.buf = NULL;
  if ((st = lu_rows_make(ctx, name, x, naxes, axes, naxes == 0, &r)) != LU_OK) return st;
  sh[0] = r.nrow;
  sh[1] = r.len;
  TRY(lu_reshape(ctx, &m, &r.data, 2, sh));
  TRY(lu_reduce(ctx, &s, LU_RED_sum, &m, 1, 0, 0));
  memset(red, 0, sizeof red);
  for (i = 0; i < naxes; i++) red[axes[i]] = 1;
  for (i = 0; i < x->ndim; i++) {
    if (naxes == 0 || red[i]) { if (keepdims) shape[nd++] = 1; }
    else shape[nd++] = x->shape[i];
  }
  st = lu_reshape(ctx, out, &s, nd, shape);
done:
  lu_array_release(&m);
  lu_array_release(&s);
  lu_rows_free(&r);
  return st;
}

/* weights of a's shape, or of the reduced axes' shape (in the order
** given) made to broadcast against a: NumPy's _weights_are_valid */
static int weights_like(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *w,
                        int naxes, const int *axes, lu_array *out) {
  int same = w->ndim == a->ndim, i, j, st, order[LU_MAXDIM];
  int64_t bsh[LU_MAXDIM];
  lu_array tv, c2;
  out->buf = NULL;
  for (i = 0; same && i < a->ndim; i++) same = w->shape[i] == a->shape[i];
  if (same) { lu_array_share(out, w); return LU_OK; }
  if (naxes == 0)
    return lu_seterr(ctx, LU_ETYPE, "%s: axis must be specified when shapes of a and weights differ", name);
  same = w->ndim == naxes;
  for (i = 0; same && i < naxes; i++) same = w->shape[i] == a->shape[axes[i]];
  if (!same)
    return lu_seterr(ctx, LU_ESHAPE, "%s: shape of weights must be consistent with shape of a along specified axis", name);
  for (i = 0; i < naxes; i++) order[i] = i;
  for (i = 1; i < naxes; i++)
    for (j = i; j > 0 && axes[order[j - 1]] > axes[order[j]]; j--) {
      int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
    }
  if ((st = lu_transpose(ctx, &tv, w, order)) != LU_OK) return st;
  st = lu_ascontig(ctx, &c2, &tv);
  lu_array_release(&tv);
  if (st != LU_OK) return st;
  for (i = 0; i < a->ndim; i++) bsh[i] = 1;
  for (i = 0; i < naxes; i++) bsh[axes[i]] = a->shape[axes[i]];
  st = lu_reshape(ctx, out, &c2, a->ndim, bsh);
  lu_array_release(&c2);
  return st;
}

/* NumPy's np.inexact: the float and complex dtypes */
static int inexact(lu_dtype dt) {
  return lu_dtype_kind(dt) == 'f' || lu_dtype_kind(dt) == 'c';
}

/* {====================================================== average */
int lu_average(lu_ctx *ctx, lu_array *avg, lu_array *scl, const lu_array *a, int naxes,
               const int *axes, const lu_array *weights, int keepdims) {
  const char *name = "average";
  lu_array wb, ac, wc, prod, num, sc, den;
  lu_dtype rt;
  int i, st = LU_OK;
  avg->buf = NULL;
  if (scl) scl->buf = NULL;
  wb.buf = ac.buf = wc.buf = prod.buf = num.buf = sc.buf = den.buf = NULL;
  if ((st = lu_sf_open(ctx, a)) != LU_OK) return st;
  for (i = 0; i < naxes; i++)
    if (axes[i] < 0 || axes[i] >= a->ndim)
      return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                       name, axes[i] + 1, a->ndim);
  if (weights == NULL) {
    /* the mean, and the number of values each holds */
    lu_array x, s;
    int64_t cnt = 1;
    x.buf = s.buf = NULL;
    if (inexact(a->dtype)) lu_array_share(&x, a);
    else TRY(lu_astype(ctx, &x, a, LU_FLOAT64));
    st = sum_axes(ctx, name, &x, naxes, axes, keepdims, &s);
    if (st == LU_OK) {
      if (naxes == 0) cnt = a->size;
      else for (i = 0; i < naxes; i++) cnt *= a->shape[axes[i]];
      st = lu_sf_ew2(ctx, name, LU_OP_divide, A(&s), lu_arg_float((double)cnt), avg);
    }
    lu_array_release(&x);
    lu_array_release(&s);
    if (st == LU_OK && scl) {
      lu_scalar v = {'f', 0, (double)cnt};
      st = lu_full(ctx, scl, avg->dtype, avg->ndim, avg->shape, lu_array_device(a), v);
    }
    goto done;
  }
  if ((st = lu_sf_same_dev(ctx, name, a, weights)) != LU_OK) return st;
  TRY(weights_like(ctx, name, a, weights, naxes, axes, &wb));
  rt = lu_promote(a->dtype, weights->dtype);
  if (!inexact(a->dtype)) rt = lu_promote(rt, LU_FLOAT64);
  TRY(lu_astype(ctx, &wc, &wb, rt));
  {
    /* scl = wgt.sum(axis): over the reduced axes of the broadcast weights */
    lu_array full;
    TRY(lu_broadcast_to(ctx, &full, &wc, a->ndim, a->shape));
    if (weights->ndim == a->ndim) {
      st = sum_axes(ctx, name, &full, naxes, axes, keepdims, &sc);
    } else {
      /* NumPy sums the reshaped weights, whose other axes have length 1 */
      lu_array w1;
      st = lu_ascontig(ctx, &w1, &wc);
      if (st == LU_OK) {
        lu_array s1;
        st = sum_axes(ctx, name, &w1, naxes, axes, 1, &s1);
        if (st == LU_OK) {
          /* the shape avg will have: broadcast s1 (ones elsewhere) to it */
          int64_t shape[LU_MAXDIM];
          int nd = 0, j, red[LU_MAXDIM];
          memset(red, 0, sizeof red);
          for (j = 0; j < naxes; j++) red[axes[j]] = 1;
          if (keepdims) {
            lu_array_share(&sc, &s1);
          } else {
            for (j = 0; j < a->ndim; j++) if (!red[j]) shape[nd++] = 1;
            st = lu_reshape(ctx, &sc, &s1, nd, shape);
          }
          lu_array_release(&s1);
        }
        lu_array_release(&w1);
      }
    }
    lu_array_release(&full);
    if (st != LU_OK) goto done;
  }
  {
    /* a zero sum of weights is an error (NumPy: ZeroDivisionError) */
    lu_array z, any;
    double v = 0;
    TRY(lu_sf_ew2(ctx, name, LU_OP_equal, A(&sc), lu_arg_float(0.0), &z));
    st = lu_reduce(ctx, &any, LU_RED_any, &z, LU_ALLAXES, 0, 0);
    lu_array_release(&z);
    if (st != LU_OK) goto done;
    st = lu_sf_get_f64(ctx, &any, 0, &v);
    lu_array_release(&any);
    if (st != LU_OK) goto done;
    if (v != 0) { st = lu_seterr(ctx, LU_EARG, "%s: weights sum to zero, can't be normalized", name); goto done; }
  }
  TRY(lu_astype(ctx, &ac, a, rt));
  TRY(lu_sf_ew2(ctx, name, LU_OP_multiply, A(&ac), A(&wc), &prod));
  TRY(sum_axes(ctx, name, &prod, naxes, axes, keepdims, &num));
  TRY(lu_sf_ew2(ctx, name, LU_OP_divide, A(&num), A(&sc), avg));
  if (scl) {
    if (sc.ndim == avg->ndim && memcmp(sc.shape, avg->shape, sizeof(int64_t) * (size_t)sc.ndim) == 0) {
      *scl = sc;
      sc.buf = NULL;
    } else {
      lu_array b;
      TRY(lu_broadcast_to(ctx, &b, &sc, avg->ndim, avg->shape));
      st = lu_copy(ctx, scl, &b);
      lu_array_release(&b);
    }
  }
done:
  lu_array_release(&wb); lu_array_release(&ac); lu_array_release(&wc);
  lu_array_release(&prod); lu_array_release(&num); lu_array_release(&sc); lu_array_release(&den);
  if (st != LU_OK) {
    lu_array_release(avg);
    if (scl) lu_array_release(scl);
  }
  return st;
}
/* }====================================================== */

/* {====================================================== cov, corrcoef */
/* x as a 2-d matrix of dtype dt (a 1-d x is one row), transposed when
** rowvar is false (for a 2-d x) */
static int as_rows(lu_ctx *ctx, const lu_array *x, lu_dtype dt, int rowvar, lu_array *out) {
  lu_array c, v;
  int64_t sh[2];
  int st;
  out->buf = NULL;
  if ((st = lu_astype(ctx, &c, x, dt)) != LU_OK) return st;
  if (x->ndim < 2) {
    sh[0] = 1;
    sh[1] = x->size;
    st = lu_reshape(ctx, out, &c, 2, sh);
    lu_array_release(&c);
    return st;
  }
  if (rowvar) { *out = c; return LU_OK; }
  st = lu_transpose(ctx, &v, &c, NULL);
  lu_array_release(&c);
  if (st == LU_OK) { st = lu_copy(ctx, out, &v); lu_array_release(&v); }
  return st;
}

/* a 1-d weight vector of n entries, float64, checked */
static int sample_weights(lu_ctx *ctx, const char *name, const char *what, const lu_array *w,
                          int64_t n, int integral, lu_array *out) {
  lu_array t, r;
  double v = 0;
  int st;
  out->buf = NULL;
  if (w->ndim > 1) return lu_seterr(ctx, LU_ESHAPE, "%s: cannot handle multidimensional %s", name, what);
  if (w->size != n) return lu_seterr(ctx, LU_ESHAPE, "%s: incompatible numbers of samples and %s", name, what);
  if ((st = lu_astype(ctx, out, w, LU_FLOAT64)) != LU_OK) return st;
  if (n == 0) return LU_OK;
  if (integral) {
    lu_array fl;
    /* fweights == around(fweights): floor(x + 0.5) is enough for a test of integers */
    st = lu_sf_ew2(ctx, name, LU_OP_floor_divide, A(out), lu_arg_float(1.0), &fl);
    if (st == LU_OK) {
      st = lu_sf_ew2(ctx, name, LU_OP_not_equal, A(&fl), A(out), &t);
      lu_array_release(&fl);
    }
    if (st == LU_OK) st = lu_reduce(ctx, &r, LU_RED_any, &t, LU_ALLAXES, 0, 0);
    lu_array_release(&t);
    if (st == LU_OK) { st = lu_sf_get_f64(ctx, &r, 0, &v); lu_array_release(&r); }
    if (st == LU_OK && v != 0) st = lu_seterr(ctx, LU_ETYPE, "%s: fweights must be integer", name);
  }
  if (st == LU_OK) {
    st = lu_sf_ew2(ctx, name, LU_OP_less, A(out), lu_arg_float(0.0), &t);
    if (st == LU_OK) st = lu_reduce(ctx, &r, LU_RED_any, &t, LU_ALLAXES, 0, 0);
    lu_array_release(&t);
    if (st == LU_OK) { st = lu_sf_get_f64(ctx, &r, 0, &v); lu_array_release(&r); }
    if (st == LU_OK && v != 0) st = lu_seterr(ctx, LU_EARG, "%s: %s cannot be negative", name, what);
  }
  if (st != LU_OK) lu_array_release(out);
  return st;
}

int lu_cov(lu_ctx *ctx, lu_array *out, const lu_array *m, const lu_array *y, int rowvar,
           int bias, int ddof, int has_ddof, const lu_array *fweights, const lu_array *aweights,
           int dtype, const char *name) {
  lu_array X, Y, XY, fw, aw, w, avg, wsum, xc, xw, xt, c;
  const lu_array *parts[2];
  lu_dtype dt;
  double fact, ws = 0;
  int st = LU_OK;
  if (name == NULL) name = "cov";
  out->buf = NULL;
  X.buf = Y.buf = XY.buf = fw.buf = aw.buf = w.buf = avg.buf = wsum.buf = NULL;
  xc.buf = xw.buf = xt.buf = c.buf = NULL;
  if ((st = lu_sf_open(ctx, m)) != LU_OK) return st;
  if (m->ndim > 2) return lu_seterr(ctx, LU_ESHAPE, "%s: m has more than 2 dimensions", name);
  if (y) {
    if ((st = lu_sf_same_dev(ctx, name, m, y)) != LU_OK) return st;
    if (y->ndim > 2) return lu_seterr(ctx, LU_ESHAPE, "%s: y has more than 2 dimensions", name);
  }
  if (dtype >= 0) dt = (lu_dtype)dtype;
  else {
    dt = lu_promote(m->dtype, LU_FLOAT64);
    if (y) dt = lu_promote(dt, y->dtype);
  }
  if (!inexact(dt))
    return lu_seterr(ctx, LU_ETYPE, "%s: dtype must be a float or complex dtype, got %s", name,
                     lu_dtype_name(dt));
  TRY(as_rows(ctx, m, dt, rowvar, &X));
  if (X.shape[0] == 0) {
    int64_t z[2] = {0, 0};
    st = lu_empty(ctx, out, LU_FLOAT64, 2, z, lu_array_device(m));
    goto done;
  }
  if (y) {
    TRY(as_rows(ctx, y, dt, rowvar || y->ndim < 2, &Y));
    if (Y.shape[1] != X.shape[1]) {
      st = lu_seterr(ctx, LU_ESHAPE, "%s: all the input array dimensions except for the concatenation axis must match exactly (%lld and %lld observations)",
                     name, (long long)X.shape[1], (long long)Y.shape[1]);
      goto done;
    }
    parts[0] = &X;
    parts[1] = &Y;
    {
      /* rows of X, then rows of Y */
      int64_t sh[2];
      lu_array flat;
      TRY(lu_sf_concat(ctx, name, 2, parts, dt, &flat));
      sh[0] = X.shape[0] + Y.shape[0];
      sh[1] = X.shape[1];
      st = lu_reshape(ctx, &XY, &flat, 2, sh);
      lu_array_release(&flat);
      if (st != LU_OK) goto done;
      lu_array_release(&X);
      X = XY;
      XY.buf = NULL;
    }
  }
  if (!has_ddof) ddof = bias ? 0 : 1;
  if (fweights) TRY(sample_weights(ctx, name, "fweights", fweights, X.shape[1], 1, &fw));
  if (aweights) TRY(sample_weights(ctx, name, "aweights", aweights, X.shape[1], 0, &aw));
  if (fw.buf && aw.buf) TRY(lu_sf_ew2(ctx, name, LU_OP_multiply, A(&fw), A(&aw), &w));
  else if (fw.buf) lu_array_share(&w, &fw);
  else if (aw.buf) lu_array_share(&w, &aw);
  {
    int ax = 1;
    TRY(lu_average(ctx, &avg, &wsum, &X, 1, &ax, w.buf ? &w : NULL, 0));
  }
  TRY(lu_sf_get_f64(ctx, &wsum, 0, &ws));
  if (w.buf == NULL) fact = (double)(X.shape[1] - ddof);
  else if (ddof == 0) fact = ws;
  else if (aw.buf == NULL) fact = ws - ddof;
  else {
    lu_array p, s;
    double sv = 0;
    TRY(lu_sf_ew2(ctx, name, LU_OP_multiply, A(&w), A(&aw), &p));
    st = lu_reduce(ctx, &s, LU_RED_sum, &p, LU_ALLAXES, 0, 0);
    lu_array_release(&p);
    if (st != LU_OK) goto done;
    st = lu_sf_get_f64(ctx, &s, 0, &sv);
    lu_array_release(&s);
    if (st != LU_OK) goto done;
    fact = ws - ddof * sv / ws;
  }
  if (fact <= 0) fact = 0.0;     /* NumPy warns and divides by zero */
  {
    /* X - avg[:, None] */
    lu_array col;
    int64_t sh[2];
    sh[0] = avg.shape[0];
    sh[1] = 1;
    TRY(lu_reshape(ctx, &col, &avg, 2, sh));
    st = lu_sf_ew2(ctx, name, LU_OP_subtract, A(&X), A(&col), &xc);
    lu_array_release(&col);
    if (st != LU_OK) goto done;
  }
  if (w.buf) TRY(lu_sf_ew2(ctx, name, LU_OP_multiply, A(&xc), A(&w), &xw));
  else lu_array_share(&xw, &xc);
  TRY(lu_transpose(ctx, &xt, &xw, NULL));
  if (lu_dtype_kind(dt) == 'c') {
    /* NumPy: dot(X, X_T.conj()) */
    lu_array cj;
    TRY(lu_sf_ew(ctx, name, LU_OP_conjugate, A(&xt), NULL, &cj));
    lu_array_release(&xt);
    xt = cj;
  }
  TRY(lu_matmul(ctx, &c, &xc, &xt));
  {
    lu_array sc;
    TRY(lu_sf_ew2(ctx, name, LU_OP_multiply, A(&c), lu_arg_float(1.0 / fact), &sc));
    /* squeeze: a 1 x 1 result is a 0-d array, as NumPy's */
    st = lu_squeeze(ctx, out, &sc, LU_ALLAXES);
    lu_array_release(&sc);
  }
done:
  lu_array_release(&X); lu_array_release(&Y); lu_array_release(&XY); lu_array_release(&fw);
  lu_array_release(&aw); lu_array_release(&w); lu_array_release(&avg); lu_array_release(&wsum);
  lu_array_release(&xc); lu_array_release(&xw); lu_array_release(&xt); lu_array_release(&c);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

int lu_corrcoef(lu_ctx *ctx, lu_array *out, const lu_array *x, const lu_array *y, int rowvar,
                int dtype) {
  const char *name = "corrcoef";
  lu_array c, d, sd, col, row, t1, t2, t3;
  int st;
  out->buf = NULL;
  c.buf = d.buf = sd.buf = col.buf = row.buf = t1.buf = t2.buf = t3.buf = NULL;
  TRY(lu_cov(ctx, &c, x, y, rowvar, 0, 0, 0, NULL, NULL, dtype, name));
  if (c.ndim != 2) {
    /* NumPy: c / c for a scalar covariance */
    st = lu_sf_ew2(ctx, name, LU_OP_divide, A(&c), A(&c), out);
    goto done;
  }
  {
    /* the diagonal as a strided view */
    lu_array dv = c;
    dv.ndim = 1;
    dv.shape[0] = c.shape[0] < c.shape[1] ? c.shape[0] : c.shape[1];
    dv.strides[0] = c.strides[0] + c.strides[1];
    lu_array_update(&dv);
    TRY(lu_copy(ctx, &d, &dv));
  }
  if (lu_dtype_kind(d.dtype) == 'c') {
    /* NumPy: the square roots of the diagonal's real parts */
    lu_array re;
    TRY(lu_complex_part(ctx, &re, &d, 0));
    st = lu_sf_ew(ctx, name, LU_OP_sqrt, A(&re), NULL, &sd);
    lu_array_release(&re);
    if (st != LU_OK) goto done;
  } else {
    TRY(lu_sf_ew(ctx, name, LU_OP_sqrt, A(&d), NULL, &sd));
  }
  {
    int64_t sh[2];
    sh[0] = sd.shape[0]; sh[1] = 1;
    TRY(lu_reshape(ctx, &col, &sd, 2, sh));
    sh[0] = 1; sh[1] = sd.shape[0];
    TRY(lu_reshape(ctx, &row, &sd, 2, sh));
  }
  TRY(lu_sf_ew2(ctx, name, LU_OP_divide, A(&c), A(&col), &t1));
  TRY(lu_sf_ew2(ctx, name, LU_OP_divide, A(&t1), A(&row), &t2));
  if (lu_dtype_kind(t2.dtype) == 'c') {
    /* NumPy clips the real and the imaginary parts to [-1, 1] */
    int k;
    for (k = 0; k < 2; k++) {
      lu_array part;
      lu_arg g[3];
      TRY(lu_complex_part(ctx, &part, &t2, k));
      g[0] = A(&part); g[1] = lu_arg_float(-1.0); g[2] = lu_arg_float(1.0);
      st = lu_ewise_named(ctx, LU_OP_clip, 3, g, &part, name, -1);
      lu_array_release(&part);
      if (st != LU_OK) goto done;
    }
    *out = t2;
    t2.buf = NULL;
  } else {
    lu_arg g[3];
    g[0] = A(&t2); g[1] = lu_arg_float(-1.0); g[2] = lu_arg_float(1.0);
    st = lu_ewise_named(ctx, LU_OP_clip, 3, g, out, name, -1);
  }
done:
  lu_array_release(&c); lu_array_release(&d); lu_array_release(&sd); lu_array_release(&col);
  lu_array_release(&row); lu_array_release(&t1); lu_array_release(&t2); lu_array_release(&t3);
  return st;
}
/* }====================================================== */
