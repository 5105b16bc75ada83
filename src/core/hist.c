/* SPDX-License-Identifier: MIT */
/*
** Histograms: histogram and histogram_bin_edges (bins as a count, edges or
** one of NumPy's estimators), histogramdd (histogram2d is the binding's),
** digitize. NumPy's numerics are kept where they decide a bin: uniform
** edges are computed as np.linspace does (in float32 for float32 data with
** the range taken from the data), the uniform path estimates a bin from
** the width and corrects it against the edges (the backend's histogram
** entry), and given edges use searchsorted with the last bin closed.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lu_sortfam.h"
#include "lu_hostmem.h"

/* {====================================================== edges */
/* x rounded to dtype dt (a float dtype), as a double: NumPy computes in
** that dtype, float16 and bfloat16 as float32 rounded each operation,
** which rounding a double gives too (a double holds any exact sum,
** difference, product or quotient of two of them well enough). */
static double rnd(lu_dtype dt, double x) {
  if (dt == LU_FLOAT32) return (double)(float)x;
  if (dt == LU_FLOAT16) return (double)lu_h2f(lu_d2h(x));
  if (dt == LU_BFLOAT16) return (double)lu_bf2f(lu_d2bf(x));
  return x;
}

/* the float dtypes narrower than float64, whose scalars keep their dtype
** in NumPy's arithmetic */
static int narrow(lu_dtype dt) {
  return dt == LU_FLOAT32 || dt == LU_FLOAT16 || dt == LU_BFLOAT16;
}

/* n + 1 uniform edges as np.linspace(first, last, n + 1) makes them:
** i * step + first in the linspace dtype ldt, the last one set to `last`;
** then converted to the bins' dtype dt. ldt is narrower than float64 when
** the ends were scalars of that dtype. */
static int uniform_edges(lu_ctx *ctx, const char *name, double first, double last, int64_t n,
                         lu_dtype ldt, lu_dtype dt, lu_device dev, lu_array *out) {
  int64_t m, i;
  double *h;
  double f0 = rnd(ldt, first), f1 = rnd(ldt, last), delta = rnd(ldt, f1 - f0);
  double step = rnd(ldt, delta / rnd(ldt, (double)n));
  lu_array t;
  int st;
  out->buf = NULL;
  if (!lu_size_add(n, 1, &m) || (uint64_t)m > SIZE_MAX / sizeof(double))
    return lu_seterr(ctx, LU_EMEM, "%s: too many bins (%lld)", name, (long long)n);
  h = lu_malloc(sizeof(double) * (size_t)m);
  if (h == NULL) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
  for (i = 0; i < m; i++) {
    double y = step == 0.0 ? rnd(ldt, rnd(ldt, rnd(ldt, (double)i) / rnd(ldt, (double)n)) * delta)
                           : rnd(ldt, rnd(ldt, (double)i) * step);
    h[i] = rnd(ldt, y + f0);
  }
  h[n] = f1;
  for (i = 0; i < m; i++) h[i] = rnd(dt, h[i]);
  /* NumPy: "Too many bins for data range" when two edges coincide */
  for (i = 0; i < n; i++)
    if (!(h[i] < h[i + 1])) {
      free(h);
      return lu_seterr(ctx, LU_EARG, "%s: too many bins for data range; cannot create %lld finite-sized bins",
                       name, (long long)n);
    }
  st = lu_from_host(ctx, &t, LU_FLOAT64, 1, &m, dev, h);
  free(h);
  if (st != LU_OK) return st;
  if (dt == LU_FLOAT64) { *out = t; return LU_OK; }
  st = lu_astype(ctx, out, &t, dt);
  lu_array_release(&t);
  return st;
}

/* Complex data has no bins: NumPy's histogram casts it to real with a
** warning (dropping the imaginary parts), NumPy 2's digitize refuses it. */
static int no_complex(lu_ctx *ctx, const char *name, const char *what, const lu_array *x) {
  return lu_seterr(ctx, LU_ETYPE, "%s: %s may not be complex (got %s)", name, what,
                   lu_dtype_name(x->dtype));
}

/* min and max of a (non-empty) read to the host, as doubles */
static int minmax(lu_ctx *ctx, const lu_array *a, double *lo, double *hi) {
  lu_array r;
  int st = lu_reduce(ctx, &r, LU_RED_min, a, LU_ALLAXES, 0, 0);
  if (st != LU_OK) return st;
  st = lu_sf_get_f64(ctx, &r, 0, lo);
  lu_array_release(&r);
  if (st != LU_OK) return st;
  if ((st = lu_reduce(ctx, &r, LU_RED_max, a, LU_ALLAXES, 0, 0)) != LU_OK) return st;
  st = lu_sf_get_f64(ctx, &r, 0, hi);
  lu_array_release(&r);
  return st;
}

/* NumPy's _get_outer_edges. *weak: the ends came from the user (Lua
** numbers, so linspace computes in float64). */
static int outer_edges(lu_ctx *ctx, const char *name, const lu_array *a, const double *range,
                       double *first, double *last, int *weak) {
  int st;
  *weak = range != NULL;
  if (range) {
    *first = range[0];
    *last = range[1];
    if (*first > *last)
      return lu_seterr(ctx, LU_EARG, "%s: max must be larger than min in range parameter", name);
    if (!isfinite(*first) || !isfinite(*last))
      return lu_seterr(ctx, LU_EARG, "%s: supplied range of [%g, %g] is not finite", name,
                       *first, *last);
  } else if (a->size == 0) {
    *first = 0;
    *last = 1;
    *weak = 1;
  } else {
    if ((st = minmax(ctx, a, first, last)) != LU_OK) return st;
    if (!isfinite(*first) || !isfinite(*last))
      return lu_seterr(ctx, LU_EARG, "%s: autodetected range of [%g, %g] is not finite", name,
                       *first, *last);
  }
  if (*first == *last) {
    if (narrow(a->dtype) && !*weak) {
      *first = rnd(a->dtype, *first - 0.5);
      *last = rnd(a->dtype, *last + 0.5);
    } else {
      *first -= 0.5;
      *last += 0.5;
    }
  }
  return LU_OK;
}

/* The dtype of uniform bins: the data's float dtype, float64 for others. */
static lu_dtype bin_dtype(lu_dtype dt) {
  return narrow(dt) ? dt : LU_FLOAT64;
}
/* }====================================================== */

/* {====================================================== estimators */
static int scalar_of(lu_ctx *ctx, int op, const lu_array *x, double *v) {
  lu_array r;
  int st = lu_reduce(ctx, &r, op, x, LU_ALLAXES, 0, 0);
  if (st != LU_OK) return st;
  st = lu_sf_get_f64(ctx, &r, 0, v);
  lu_array_release(&r);
  return st;
}

static int percentile2(lu_ctx *ctx, const lu_array *x, double q0, double q1, double *v0,
                       double *v1) {
  double q[2];
  int64_t qs = 2;
  lu_array r;
  int st;
  q[0] = q0; q[1] = q1;
  if ((st = lu_quantile(ctx, &r, x, 1, &qs, q, LU_Q_LINEAR, 0, 0, 0, NULL, 0)) != LU_OK) return st;
  st = lu_sf_get_f64(ctx, &r, 0, v0);
  if (st == LU_OK) st = lu_sf_get_f64(ctx, &r, 1, v1);
  lu_array_release(&r);
  return st;
}

static int uniform_counts(lu_ctx *ctx, const char *name, const lu_array *x, double first,
                          double last, int64_t n, int weak, const lu_array *w, lu_array *hist,
                          lu_array *edges);

/* The bin width of a named estimator on x (trimmed, non-empty): NumPy's
** _hist_bin_* functions. */
static int estimate(lu_ctx *ctx, const char *name, const char *est, const lu_array *x,
                    double first, double last, int weak, double *width) {
  double n = (double)x->size, lo, hi, ptp, v;
  int st;
  if ((st = minmax(ctx, x, &lo, &hi)) != LU_OK) return st;
  ptp = hi - lo;
  if (strcmp(est, "sqrt") == 0) { *width = ptp / sqrt(n); return LU_OK; }
  if (strcmp(est, "sturges") == 0) { *width = ptp / (log2(n) + 1.0); return LU_OK; }
  if (strcmp(est, "rice") == 0) { *width = ptp / (2.0 * pow(n, 1.0 / 3)); return LU_OK; }
  if (strcmp(est, "scott") == 0) {
    if ((st = scalar_of(ctx, LU_RX_STD, x, &v)) != LU_OK) return st;
    *width = pow(24.0 * sqrt(3.14159265358979323846) / n, 1.0 / 3.0) * v;
    return LU_OK;
  }
  if (strcmp(est, "doane") == 0) {
    *width = 0.0;
    if (n > 2) {
      double sg1 = sqrt(6.0 * (n - 2) / ((n + 1.0) * (n + 3))), sigma, mean, g1;
      if ((st = scalar_of(ctx, LU_RX_STD, x, &sigma)) != LU_OK) return st;
      if (sigma > 0.0) {
        lu_array t, u;
        lu_arg y;
        if ((st = scalar_of(ctx, LU_RX_MEAN, x, &mean)) != LU_OK) return st;
        y = lu_arg_float(mean);
        if ((st = lu_sf_ew(ctx, name, LU_OP_subtract, lu_arg_array(x), &y, &t)) != LU_OK) return st;
        y = lu_arg_float(sigma);
        st = lu_sf_ew(ctx, name, LU_OP_divide, lu_arg_array(&t), &y, &u);
        lu_array_release(&t);
        if (st != LU_OK) return st;
        y = lu_arg_int(3);
        st = lu_sf_ew(ctx, name, LU_OP_power, lu_arg_array(&u), &y, &t);
        lu_array_release(&u);
        if (st != LU_OK) return st;
        st = scalar_of(ctx, LU_RX_MEAN, &t, &g1);
        lu_array_release(&t);
        if (st != LU_OK) return st;
        *width = ptp / (1.0 + log2(n) + log2(1.0 + fabs(g1) / sg1));
      }
    }
    return LU_OK;
  }
  if (strcmp(est, "fd") == 0 || strcmp(est, "auto") == 0) {
    double q75, q25, fd;
    if ((st = percentile2(ctx, x, 0.75, 0.25, &q75, &q25)) != LU_OK) return st;
    fd = 2.0 * (q75 - q25) * pow(n, -1.0 / 3.0);
    if (est[0] == 'f') { *width = fd; return LU_OK; }
    {
      double sq = ptp / sqrt(n), stu = ptp / (log2(n) + 1.0);
      double fdc = fd > sq / 2 ? fd : sq / 2;
      *width = fdc < stu ? fdc : stu;
    }
    return LU_OK;
  }
  if (strcmp(est, "stone") == 0) {
    /* the bin count minimising the cross-validated ISE, from 1 to
    ** max(100, sqrt(n)) bins */
    int64_t nmax, nb, best = 1;
    double bestj = 0;
    *width = 0.0;
    if (n <= 1 || ptp == 0) return LU_OK;
    nmax = (int64_t)sqrt(n);
    if (nmax < 100) nmax = 100;
    for (nb = 1; nb <= nmax; nb++) {
      lu_array h, e, hf;
      double pp = 0, j;
      int64_t i;
      if ((st = uniform_counts(ctx, name, x, first, last, nb, weak, NULL, &h, &e)) != LU_OK) return st;
      lu_array_release(&e);
      st = lu_to_device(ctx, &hf, &h, (lu_device){LU_DEV_CPU, 0});
      lu_array_release(&h);
      if (st != LU_OK) return st;
      for (i = 0; i < nb; i++) {
        double p = (double)((const int64_t *)lu_array_data(&hf))[i] / n;
        pp += p * p;
      }
      lu_array_release(&hf);
      j = (2 - (n + 1) * pp) / (ptp / (double)nb);
      if (nb == 1 || j < bestj) { bestj = j; best = nb; }
    }
    *width = ptp / (double)best;
    return LU_OK;
  }
  return lu_seterr(ctx, LU_EARG, "%s: '%s' is not a valid estimator for bins", name, est);
}
/* }====================================================== */

/* {====================================================== counting */
/* The uniform-bin path: edges as linspace makes them, then the backend's
** estimate-and-correct loop. hist: int64 counts, or float64 sums of w. */
static int uniform_counts(lu_ctx *ctx, const char *name, const lu_array *x, double first,
                          double last, int64_t n, int weak, const lu_array *w, lu_array *hist,
                          lu_array *edges) {
  const lu_sort_family *fam;
  lu_hist_call c;
  lu_dtype bt = bin_dtype(x->dtype);
  lu_device dev = lu_array_device(x);
  lu_array xs, ws;
  int st;
  lu_dtype kt = lu_sf_native(bt) ? bt : LU_FLOAT32;   /* the backend's: float16 counts as float32 */
  lu_array es;
  hist->buf = NULL;
  xs.buf = ws.buf = es.buf = NULL;
  st = uniform_edges(ctx, name, first, last, n, weak ? LU_FLOAT64 : bt, bt, dev, edges);
  if (st != LU_OK) return st;
  if ((st = lu_empty(ctx, hist, w ? LU_FLOAT64 : LU_INT64, 1, &n, dev)) != LU_OK) goto done;
  if ((st = LU_SF_ENTRY(ctx, name, dev, fam, histogram)) != LU_OK) goto done;
  if (kt == bt) lu_array_share(&es, edges);
  else if ((st = lu_astype(ctx, &es, edges, kt)) != LU_OK) goto done;
  if (x->dtype == kt) st = lu_sf_flat(ctx, x, &xs);
  else {
    lu_array t;
    if ((st = lu_astype(ctx, &t, x, kt)) == LU_OK) { st = lu_sf_flat(ctx, &t, &xs); lu_array_release(&t); }
  }
  if (st == LU_OK && w) {
    lu_array t;
    if ((st = lu_astype(ctx, &t, w, LU_FLOAT64)) == LU_OK) { st = lu_sf_flat(ctx, &t, &ws); lu_array_release(&t); }
  }
  if (st != LU_OK) goto done;
  memset(&c, 0, sizeof c);
  c.dt = kt;
  c.x = lu_array_data(&xs);
  c.n = x->size;
  c.w = w ? (const double *)lu_array_data(&ws) : NULL;
  c.nbins = n;
  c.edges = lu_array_data(&es);
  if (narrow(bt) && weak) {   /* the range meets float32 data as float32 */
    c.lo = rnd(bt, first);
    c.hi = rnd(bt, last);
  } else {
    c.lo = first;
    c.hi = last;
  }
  c.out = lu_array_data(hist);
  c.out_dt = hist->dtype;
  c.dev = dev;
  lu_check_hist(ctx, &c, 1, &xs, w ? &ws : NULL, &es, hist);
  st = fam->histogram(ctx, &c);
  if (st == LU_OK) st = lu_after_op(ctx, dev);
done:
  lu_array_release(&xs);
  lu_array_release(&ws);
  lu_array_release(&es);
  if (st != LU_OK) { lu_array_release(hist); lu_array_release(edges); }
  return st;
}

/* Counts for given edges: the bin of x is searchsorted(edges, x, right) - 1,
** x equal to the last edge goes to the last bin, the rest is left out. */
static int edge_counts(lu_ctx *ctx, const char *name, const lu_array *x, const lu_array *edges,
                       const lu_array *w, lu_array *hist) {
  int64_t nb = edges->size - 1;
  lu_dtype dt = lu_promote(x->dtype, edges->dtype);
  lu_array xs, es, pos, last, on, fixed, keep, k2, sel, wsel, wf;
  lu_arg y, z;
  int st;
  hist->buf = NULL;
  xs.buf = es.buf = pos.buf = last.buf = on.buf = fixed.buf = keep.buf = k2.buf = NULL;
  sel.buf = wsel.buf = wf.buf = NULL;
  {
    lu_array t;
    if (x->dtype != dt) { if ((st = lu_astype(ctx, &t, x, dt)) != LU_OK) goto done; }
    else lu_array_share(&t, x);
    st = lu_sf_flat(ctx, &t, &xs);
    lu_array_release(&t);
    if (st != LU_OK) goto done;
    if (edges->dtype != dt) st = lu_astype(ctx, &es, edges, dt);
    else st = lu_ascontig(ctx, &es, edges);
    if (st != LU_OK) goto done;
  }
  if ((st = lu_sf_search(ctx, name, &es, &xs, 1, 0, 0, -1, &pos)) != LU_OK) goto done;
  if ((st = lu_take_index(ctx, &last, &es, 0, nb)) != LU_OK) goto done;
  y = lu_arg_array(&last);
  if ((st = lu_sf_ew(ctx, name, LU_OP_equal, lu_arg_array(&xs), &y, &on)) != LU_OK) goto done;
  {
    lu_arg g[3];
    g[0] = lu_arg_array(&on); g[1] = lu_arg_int(nb - 1); g[2] = lu_arg_array(&pos);
    if ((st = lu_ewise_named(ctx, LU_OP_where, 3, g, &fixed, name, -1)) != LU_OK) goto done;
  }
  y = lu_arg_int(0);
  if ((st = lu_sf_ew(ctx, name, LU_OP_greater_equal, lu_arg_array(&fixed), &y, &keep)) != LU_OK) goto done;
  y = lu_arg_int(nb);
  if ((st = lu_sf_ew(ctx, name, LU_OP_less, lu_arg_array(&fixed), &y, &k2)) != LU_OK) goto done;
  z = lu_arg_array(&k2);
  lu_array_release(&on);
  if ((st = lu_sf_ew(ctx, name, LU_OP_logical_and, lu_arg_array(&keep), &z, &on)) != LU_OK) goto done;
  if ((st = lu_sf_select(ctx, &fixed, &on, &sel)) != LU_OK) goto done;
  if (w) {
    if ((st = lu_sf_flat(ctx, w, &wf)) != LU_OK) goto done;
    if ((st = lu_sf_select(ctx, &wf, &on, &wsel)) != LU_OK) goto done;
  }
  st = lu_bincount(ctx, hist, &sel, w ? &wsel : NULL, nb);
done:
  lu_array_release(&xs); lu_array_release(&es); lu_array_release(&pos);
  lu_array_release(&last); lu_array_release(&on); lu_array_release(&fixed);
  lu_array_release(&keep); lu_array_release(&k2); lu_array_release(&sel);
  lu_array_release(&wsel); lu_array_release(&wf);
  return st;
}

/* 1 when edges (1-d) never decrease (strictly: never repeat either) */
static int monotonic(lu_ctx *ctx, const char *name, const lu_array *e, lu_op op, int *ok) {
  lu_array hi, lo, d, r;
  lu_arg y;
  int64_t n = e->shape[0];
  double v = 1;
  int st;
  *ok = 1;
  if (n < 2) return LU_OK;
  hi.buf = lo.buf = d.buf = NULL;
  st = lu_slice(ctx, &hi, e, 0, 1, n, 1);
  if (st == LU_OK) st = lu_slice(ctx, &lo, e, 0, 0, n - 1, 1);
  y = lu_arg_array(&lo);
  if (st == LU_OK) st = lu_sf_ew(ctx, name, op, lu_arg_array(&hi), &y, &d);
  if (st == LU_OK && (st = lu_reduce(ctx, &r, LU_RED_all, &d, LU_ALLAXES, 0, 0)) == LU_OK) {
    st = lu_sf_get_f64(ctx, &r, 0, &v);
    lu_array_release(&r);
  }
  lu_array_release(&hi); lu_array_release(&lo); lu_array_release(&d);
  *ok = v != 0;
  return st;
}

static int check_bins_array(lu_ctx *ctx, const char *name, const lu_array *x,
                            const lu_array *e) {
  int ok, st;
  if ((st = lu_sf_same_dev(ctx, name, x, e)) != LU_OK) return st;
  if (e->ndim != 1) return lu_seterr(ctx, LU_ESHAPE, "%s: bins must be 1d, when an array", name);
  if ((st = monotonic(ctx, name, e, LU_OP_greater_equal, &ok)) != LU_OK) return st;
  if (!ok) return lu_seterr(ctx, LU_EARG, "%s: bins must increase monotonically, when an array", name);
  return LU_OK;
}

/* hist / diff(edges) / sum(hist), in float64 */
static int to_density(lu_ctx *ctx, const char *name, lu_array *hist, const lu_array *edges) {
  lu_array h, e, d, q, s;
  lu_arg y;
  int64_t n = edges->size;
  int st;
  h.buf = e.buf = d.buf = q.buf = s.buf = NULL;
  st = lu_astype(ctx, &h, hist, LU_FLOAT64);
  if (st == LU_OK) st = lu_astype(ctx, &e, edges, LU_FLOAT64);
  if (st == LU_OK) {
    lu_array hi, lo;
    hi.buf = lo.buf = NULL;
    st = lu_slice(ctx, &hi, &e, 0, 1, n, 1);
    if (st == LU_OK) st = lu_slice(ctx, &lo, &e, 0, 0, n - 1, 1);
    y = lu_arg_array(&lo);
    if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_subtract, lu_arg_array(&hi), &y, &d);
    lu_array_release(&hi); lu_array_release(&lo);
  }
  y = lu_arg_array(&d);
  if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_divide, lu_arg_array(&h), &y, &q);
  if (st == LU_OK) st = lu_reduce(ctx, &s, LU_RED_sum, &h, LU_ALLAXES, 0, 0);
  if (st == LU_OK) {
    lu_array r;
    y = lu_arg_array(&s);
    st = lu_sf_ew(ctx, name, LU_OP_divide, lu_arg_array(&q), &y, &r);
    if (st == LU_OK) { lu_array_release(hist); *hist = r; }
  }
  lu_array_release(&h); lu_array_release(&e); lu_array_release(&d);
  lu_array_release(&q); lu_array_release(&s);
  return st;
}
/* }====================================================== */

int lu_histogram(lu_ctx *ctx, lu_array *hist, lu_array *edges, const lu_array *a0,
                 const lu_bins *bins, const double *range, int density,
                 const lu_array *weights) {
  const char *name = hist ? "histogram" : "histogram_bin_edges";
  lu_array a, trimmed, h;
  double first = 0, last = 1;
  int64_t n = 0;
  int weak = 0, st;
  if (hist) hist->buf = NULL;
  edges->buf = NULL;
  a.buf = trimmed.buf = h.buf = NULL;
  if ((st = lu_sf_open(ctx, a0)) != LU_OK) return st;
  if (lu_dtype_kind(a0->dtype) == 'c') return no_complex(ctx, name, "a", a0);
  if (weights) {
    int i, same = weights->ndim == a0->ndim;
    if ((st = lu_sf_same_dev(ctx, name, a0, weights)) != LU_OK) return st;
    for (i = 0; same && i < a0->ndim; i++) same = weights->shape[i] == a0->shape[i];
    if (!same) return lu_seterr(ctx, LU_ESHAPE, "%s: weights should have the same shape as a", name);
  }
  if (hist && weights && lu_dtype_kind(weights->dtype) == 'c') {
    /* NumPy bins the real and the imaginary parts of the weights apart */
    lu_array part, hp[2], e2;
    int k;
    if (density)
      return lu_seterr(ctx, LU_ETYPE, "%s: density with complex weights is not supported", name);
    hp[0].buf = hp[1].buf = e2.buf = NULL;
    for (k = 0; k < 2 && st == LU_OK; k++) {
      if ((st = lu_complex_part(ctx, &part, weights, k)) != LU_OK) break;
      st = lu_histogram(ctx, &hp[k], k ? &e2 : edges, a0, bins, range, 0, &part);
      lu_array_release(&part);
    }
    if (st == LU_OK) st = lu_empty(ctx, hist, weights->dtype, 1, hp[0].shape, lu_array_device(a0));
    for (k = 0; k < 2 && st == LU_OK; k++) {
      lu_arg g = lu_arg_array(&hp[k]);
      if ((st = lu_complex_part(ctx, &part, hist, k)) != LU_OK) break;
      st = lu_assign(ctx, &part, &g);
      lu_array_release(&part);
    }
    lu_array_release(&hp[0]); lu_array_release(&hp[1]); lu_array_release(&e2);
    if (st != LU_OK) { lu_array_release(hist); lu_array_release(edges); }
    return st;
  }
  /* bool data is binned as uint8, as NumPy does */
  if (a0->dtype == LU_BOOL) st = lu_astype(ctx, &a, a0, LU_UINT8);
  else st = lu_sf_flat(ctx, a0, &a);
  if (st != LU_OK) return st;
  if (bins->edges) {
    if ((st = check_bins_array(ctx, name, &a, bins->edges)) != LU_OK) goto done;
    if (hist) {
      st = edge_counts(ctx, name, &a, bins->edges, weights, &h);
      if (st != LU_OK) goto done;
    }
    st = lu_copy(ctx, edges, bins->edges);
  } else {
    if (bins->estimator) {
      double width = 0;
      if (weights) {
        st = lu_seterr(ctx, LU_ETYPE, "%s: automated estimation of the number of bins is not supported for weighted data", name);
        goto done;
      }
      if ((st = outer_edges(ctx, name, &a, range, &first, &last, &weak)) != LU_OK) goto done;
      lu_array_share(&trimmed, &a);
      if (range && a.size > 0) {
        lu_array k1, k2, k;
        lu_arg y = lu_arg_float(first);
        k1.buf = k2.buf = k.buf = NULL;
        st = lu_sf_ew(ctx, name, LU_OP_greater_equal, lu_arg_array(&a), &y, &k1);
        y = lu_arg_float(last);
        if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_less_equal, lu_arg_array(&a), &y, &k2);
        y = lu_arg_array(&k2);
        if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_logical_and, lu_arg_array(&k1), &y, &k);
        if (st == LU_OK) { lu_array_release(&trimmed); st = lu_sf_select(ctx, &a, &k, &trimmed); }
        lu_array_release(&k1); lu_array_release(&k2); lu_array_release(&k);
        if (st != LU_OK) goto done;
      }
      if (trimmed.size == 0) {
        n = 1;
      } else {
        if ((st = estimate(ctx, name, bins->estimator, &trimmed, first, last, weak, &width)) != LU_OK)
          goto done;
        if (width != 0.0) {
          char kd = lu_dtype_kind(a.dtype);
          double delta = narrow(a.dtype) && !weak ? rnd(a.dtype, last - first) : last - first;
          if ((kd == 'i' || kd == 'u') && width < 1) width = 1;
          n = (int64_t)ceil(delta / width);
        } else {
          n = 1;
        }
      }
    } else {
      if (bins->count < 1) {
        st = lu_seterr(ctx, LU_EARG, "%s: bins must be positive, when an integer", name);
        goto done;
      }
      n = bins->count;
      if ((st = outer_edges(ctx, name, &a, range, &first, &last, &weak)) != LU_OK) goto done;
    }
    if (hist) {
      st = uniform_counts(ctx, name, &a, first, last, n, weak, weights, &h, edges);
    } else {
      lu_dtype bt = bin_dtype(a.dtype);
      st = uniform_edges(ctx, name, first, last, n, weak ? LU_FLOAT64 : bt, bt,
                         lu_array_device(&a), edges);
    }
  }
  if (st != LU_OK || !hist) goto done;
  /* weighted counts take the weights' dtype (NumPy's ntype) */
  if (weights && weights->dtype != h.dtype && !density) {
    lu_array t;
    if ((st = lu_astype(ctx, &t, &h, weights->dtype)) != LU_OK) goto done;
    lu_array_release(&h);
    h = t;
  }
  if (density && (st = to_density(ctx, name, &h, edges)) != LU_OK) goto done;
  *hist = h;
  h.buf = NULL;
done:
  lu_array_release(&a);
  lu_array_release(&trimmed);
  lu_array_release(&h);
  if (st != LU_OK) lu_array_release(edges);
  return st;
}

/* {====================================================== histogramdd */
int lu_histogramdd(lu_ctx *ctx, lu_array *hist, lu_array *edges, int d,
                   const lu_array *const *sample, const lu_bins *bins,
                   const double *const *ranges, int density, const lu_array *weights) {
  const char *name = "histogramdd";
  lu_dtype dt;
  lu_device dev;
  lu_array xy, cols[LU_MAXDIM], cnt, full;
  int64_t nbin[LU_MAXDIM], total = 1, npts;
  int i, st = LU_OK;
  hist->buf = NULL;
  for (i = 0; i < d; i++) edges[i].buf = NULL;
  if (d < 1 || d > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: the sample must have between 1 and %d dimensions", name, LU_MAXDIM);
  for (i = 0; i < d; i++) {
    if ((st = lu_sf_same_dev(ctx, name, sample[0], sample[i])) != LU_OK) return st;
    if (sample[i]->ndim != 1 || sample[i]->size != sample[0]->size)
      return lu_seterr(ctx, LU_ESHAPE, "%s: the sample columns must be 1-d of one length", name);
  }
  for (i = 0; i < d; i++)
    if (lu_dtype_kind(sample[i]->dtype) == 'c') return no_complex(ctx, name, "sample", sample[i]);
  npts = sample[0]->size;
  dev = lu_array_device(sample[0]);
  if (weights) {
    if ((st = lu_sf_same_dev(ctx, name, sample[0], weights)) != LU_OK) return st;
    if (weights->ndim != 1 || weights->size != npts)
      return lu_seterr(ctx, LU_ESHAPE, "%s: weights must be 1-d with one value per sample point", name);
  }
  dt = sample[0]->dtype;
  for (i = 1; i < d; i++) dt = lu_promote(dt, sample[i]->dtype);
  if (dt == LU_BOOL) dt = LU_UINT8;
  xy.buf = cnt.buf = full.buf = NULL;
  for (i = 0; i < d; i++) cols[i].buf = NULL;
  for (i = 0; i < d && st == LU_OK; i++)
    st = sample[i]->dtype == dt ? lu_sf_flat(ctx, sample[i], &cols[i])
                                : lu_astype(ctx, &cols[i], sample[i], dt);
  /* edges */
  for (i = 0; i < d && st == LU_OK; i++) {
    if (bins[i].edges) {
      int ok;
      if ((st = lu_sf_same_dev(ctx, name, sample[0], bins[i].edges)) != LU_OK) break;
      if (bins[i].edges->ndim != 1) {
        st = lu_seterr(ctx, LU_ESHAPE, "%s: bins[%d] must be a scalar or 1d array", name, i + 1);
        break;
      }
      if ((st = monotonic(ctx, name, bins[i].edges, LU_OP_greater_equal, &ok)) != LU_OK) break;
      if (!ok) {
        st = lu_seterr(ctx, LU_EARG, "%s: bins[%d] must be monotonically increasing, when an array", name, i + 1);
        break;
      }
      st = lu_copy(ctx, &edges[i], bins[i].edges);
    } else {
      double first, last;
      int weak;
      lu_dtype et;
      if (bins[i].count < 1) {
        st = lu_seterr(ctx, LU_EARG, "%s: bins[%d] must be positive, when an integer", name, i + 1);
        break;
      }
      if ((st = outer_edges(ctx, name, &cols[i], ranges ? ranges[i] : NULL, &first, &last, &weak)) != LU_OK)
        break;
      /* np.linspace(smin, smax, n + 1): float32 (float16 ...) only from such ends */
      et = narrow(dt) && !weak ? dt : LU_FLOAT64;
      st = uniform_edges(ctx, name, first, last, bins[i].count, et, et, dev, &edges[i]);
    }
    if (st == LU_OK) {
      nbin[i] = edges[i].size + 1;
      if (!lu_size_mul(total, nbin[i], &total))
        st = lu_seterr(ctx, LU_EMEM, "%s: too many bins", name);
    }
  }
  /* the flat bin number of each point, outlier bins included */
  if (st == LU_OK) st = lu_full(ctx, &xy, LU_INT64, 1, &npts, dev, lu_arg_int(0).s);
  for (i = 0; i < d && st == LU_OK; i++) {
    lu_array pos, last, on, fixed, t, es;
    lu_arg y, g[3];
    int64_t stride = 1;
    int j;
    lu_dtype ct = lu_promote(dt, edges[i].dtype);
    pos.buf = last.buf = on.buf = fixed.buf = t.buf = es.buf = NULL;
    for (j = i + 1; j < d; j++) stride *= nbin[j];
    if (ct != dt) {
      lu_array c2;
      if ((st = lu_astype(ctx, &c2, &cols[i], ct)) != LU_OK) break;
      lu_array_release(&cols[i]);
      cols[i] = c2;
    }
    st = ct != edges[i].dtype ? lu_astype(ctx, &es, &edges[i], ct) : (lu_array_share(&es, &edges[i]), LU_OK);
    if (st == LU_OK) st = lu_sf_search(ctx, name, &es, &cols[i], 1, 0, 0, 0, &pos);
    if (st == LU_OK) st = lu_take_index(ctx, &last, &es, 0, es.size - 1);
    y = lu_arg_array(&last);
    if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_equal, lu_arg_array(&cols[i]), &y, &on);
    if (st == LU_OK) {
      y = lu_arg_int(1);
      st = lu_sf_ew(ctx, name, LU_OP_subtract, lu_arg_array(&pos), &y, &t);
    }
    if (st == LU_OK) {
      g[0] = lu_arg_array(&on); g[1] = lu_arg_array(&t); g[2] = lu_arg_array(&pos);
      st = lu_ewise_named(ctx, LU_OP_where, 3, g, &fixed, name, -1);
    }
    if (st == LU_OK) {
      lu_array u;
      y = lu_arg_int(stride);
      st = lu_sf_ew(ctx, name, LU_OP_multiply, lu_arg_array(&fixed), &y, &u);
      if (st == LU_OK) {
        lu_arg g2[2];
        g2[0] = lu_arg_array(&xy); g2[1] = lu_arg_array(&u);
        st = lu_ewise_named(ctx, LU_OP_add, 2, g2, &xy, name, -1);
        lu_array_release(&u);
      }
    }
    lu_array_release(&pos); lu_array_release(&last); lu_array_release(&on);
    lu_array_release(&fixed); lu_array_release(&t); lu_array_release(&es);
  }
  if (st == LU_OK) st = lu_bincount(ctx, &cnt, &xy, weights, total);
  if (st == LU_OK) {
    lu_array shaped, core;
    st = lu_reshape(ctx, &shaped, &cnt, d, nbin);
    if (st == LU_OK) {
      core = shaped;
      core.buf = NULL;
      lu_array_share(&core, &shaped);
      for (i = 0; i < d && st == LU_OK; i++) {
        lu_array s2;
        st = lu_slice(ctx, &s2, &core, i, 1, nbin[i] - 1, 1);
        if (st == LU_OK) { lu_array_release(&core); core = s2; }
      }
      if (st == LU_OK) st = lu_astype(ctx, &full, &core, LU_FLOAT64);
      lu_array_release(&core);
      lu_array_release(&shaped);
    }
  }
  if (st == LU_OK && density) {
    /* hist / dedges[i] along each axis, then / total */
    lu_array s;
    st = lu_reduce(ctx, &s, LU_RED_sum, &full, LU_ALLAXES, 0, 0);
    for (i = 0; i < d && st == LU_OK; i++) {
      lu_array e, hi, lo, de, dv, q;
      int64_t n = edges[i].size, shp[LU_MAXDIM];
      lu_arg y;
      int j;
      e.buf = hi.buf = lo.buf = de.buf = dv.buf = q.buf = NULL;
      st = lu_astype(ctx, &e, &edges[i], LU_FLOAT64);
      if (st == LU_OK) st = lu_slice(ctx, &hi, &e, 0, 1, n, 1);
      if (st == LU_OK) st = lu_slice(ctx, &lo, &e, 0, 0, n - 1, 1);
      y = lu_arg_array(&lo);
      if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_subtract, lu_arg_array(&hi), &y, &de);
      for (j = 0; j < d; j++) shp[j] = j == i ? n - 1 : 1;
      if (st == LU_OK) st = lu_reshape(ctx, &dv, &de, d, shp);
      y = lu_arg_array(&dv);
      if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_divide, lu_arg_array(&full), &y, &q);
      if (st == LU_OK) { lu_array_release(&full); full = q; q.buf = NULL; }
      lu_array_release(&e); lu_array_release(&hi); lu_array_release(&lo);
      lu_array_release(&de); lu_array_release(&dv); lu_array_release(&q);
    }
    if (st == LU_OK) {
      lu_array q;
      lu_arg y = lu_arg_array(&s);
      st = lu_sf_ew(ctx, name, LU_OP_divide, lu_arg_array(&full), &y, &q);
      if (st == LU_OK) { lu_array_release(&full); full = q; }
    }
    lu_array_release(&s);
  }
  for (i = 0; i < d; i++) lu_array_release(&cols[i]);
  lu_array_release(&xy);
  lu_array_release(&cnt);
  if (st != LU_OK) {
    lu_array_release(&full);
    for (i = 0; i < d; i++) lu_array_release(&edges[i]);
    return st;
  }
  *hist = full;
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== digitize */
int lu_digitize(lu_ctx *ctx, lu_array *out, const lu_array *x, const lu_array *bins,
                int right, int64_t base) {
  const char *name = "digitize";
  lu_dtype dt;
  lu_array xs, bs, rev, pos;
  int inc, dec, st;
  out->buf = NULL;
  if ((st = lu_sf_same_dev(ctx, name, x, bins)) != LU_OK) return st;
  if (lu_dtype_kind(x->dtype) == 'c') return no_complex(ctx, name, "x", x);
  if (lu_dtype_kind(bins->dtype) == 'c') return no_complex(ctx, name, "bins", bins);
  if (bins->ndim != 1)
    return lu_seterr(ctx, LU_ESHAPE, "%s: bins must be 1-dimensional, got %d dimensions", name, bins->ndim);
  if ((st = monotonic(ctx, name, bins, LU_OP_greater_equal, &inc)) != LU_OK) return st;
  dec = 0;
  if (!inc && (st = monotonic(ctx, name, bins, LU_OP_less_equal, &dec)) != LU_OK) return st;
  if (!inc && !dec)
    return lu_seterr(ctx, LU_EARG, "%s: bins must be monotonically increasing or decreasing", name);
  dt = lu_promote(x->dtype, bins->dtype);
  xs.buf = bs.buf = rev.buf = pos.buf = NULL;
  st = x->dtype == dt ? (lu_array_share(&xs, x), LU_OK) : lu_astype(ctx, &xs, x, dt);
  if (st != LU_OK) return st;
  if (inc) {
    st = bins->dtype == dt ? lu_ascontig(ctx, &bs, bins) : lu_astype(ctx, &bs, bins, dt);
    if (st == LU_OK) st = lu_sf_search(ctx, name, &bs, &xs, !right, 0, 0, base, out);
  } else {
    int64_t n = bins->shape[0];
    lu_array r;
    st = lu_slice(ctx, &r, bins, 0, n - 1, -1, -1);
    if (st == LU_OK) {
      st = lu_astype(ctx, &rev, &r, dt);
      lu_array_release(&r);
    }
    if (st == LU_OK) st = lu_sf_search(ctx, name, &rev, &xs, !right, 0, 0, 0, &pos);
    if (st == LU_OK) {
      lu_arg g[2];
      g[0] = lu_arg_int(n + base);
      g[1] = lu_arg_array(&pos);
      st = lu_ewise_named(ctx, LU_OP_subtract, 2, g, out, name, -1);
    }
  }
  lu_array_release(&xs);
  lu_array_release(&bs);
  lu_array_release(&rev);
  lu_array_release(&pos);
  return st;
}
/* }====================================================== */
