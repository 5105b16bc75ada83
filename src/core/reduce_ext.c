/* SPDX-License-Identifier: MIT */
/*
** Reductions of float16, bfloat16 and complex arrays, composed from work
** the backends already do, so every backend has them:
**   float16/bfloat16: reduced as a float32 copy (exact), so sums and
**     products accumulate in float32 (NumPy's float16 loops do), the
**     result rounded once to the input's dtype;
**   complex: sum reduces the real and imaginary parts as two float arrays;
**     any/all test "!= 0"; mean is the sum over n; var/std the mean of
**     |x - mean|^2 (a real result); prod, min, max, argmin and argmax
**     halve the reduced axes level by level with elementwise ops
**     (neighbours paired, so each element stands for a contiguous run and
**     the first NaN and the first extreme stay first), in NumPy's
**     lexicographic order; the nan* rows as NumPy composes them from
**     these (see complex_nan).
** reduce.c calls lu_reduce_ext for a reduction's plain work (after the axis
** and emptiness checks); it answers -1 for the other dtypes.
*/
#include <math.h>
#include <string.h>
#include "lu_internal.h"

/* {===== helpers */
static int ew(lu_ctx *ctx, lu_op op, int nin, const lu_arg *g, lu_array *out, const char *name) {
  return lu_ewise_named(ctx, op, nin, g, out, name, -1);
}

static int ew2(lu_ctx *ctx, lu_op op, const lu_array *x, const lu_array *y, lu_array *out,
               const char *name) {
  lu_arg g[2];
  g[0] = lu_arg_array(x);
  g[1] = lu_arg_array(y);
  return ew(ctx, op, 2, g, out, name);
}

static void release(lu_array *a, int n) {
  int i;
  for (i = 0; i < n; i++) lu_array_release(&a[i]);
}
/* }===== */

/* The options that reduce the axes of mask */
static void opts_of(lu_reduce_opts *o, const lu_array *a, unsigned mask, int keepdims, double ddof) {
  int i;
  lu_reduce_opts_init(o);   /* every axis: naxes -1 (argmax takes no list of them) */
  if (mask != (a->ndim ? (unsigned)((1ull << a->ndim) - 1) : 0u)) {
    o->naxes = 0;
    for (i = 0; i < a->ndim; i++) if (mask & (1u << i)) o->axes[o->naxes++] = i;
  }
  o->keepdims = keepdims;
  o->ddof = ddof;
}

/* {===== float16 and bfloat16 */
static int half_reduce(lu_ctx *ctx, lu_array *out, lu_redop op, const lu_array *a,
                       const lu_reduce_opts *o) {
  lu_array x, r;
  int st;
  x.buf = r.buf = NULL;
  if ((st = lu_astype(ctx, &x, a, LU_FLOAT32)) != LU_OK) return st;
  st = lu_reduce_ex(ctx, &r, op, &x, o);
  lu_array_release(&x);
  if (st != LU_OK) return st;
  if (r.dtype == lu_red_result(op, a->dtype)) { *out = r; return LU_OK; }
  st = lu_astype(ctx, out, &r, lu_red_result(op, a->dtype));
  lu_array_release(&r);
  return st;
}
/* }===== */

/* {===== complex */
/* a as a 2-D (m, n) array: the kept axes (in order) by the reduced ones */
static int as_rows(lu_ctx *ctx, lu_array *x, const lu_array *a, unsigned mask) {
  int64_t shape[2] = {1, 1};
  int perm[LU_MAXDIM], i, k = 0, st;
  lu_array t;
  for (i = 0; i < a->ndim; i++) if (!(mask & (1u << i))) { perm[k++] = i; shape[0] *= a->shape[i]; }
  for (i = 0; i < a->ndim; i++) if (mask & (1u << i)) { perm[k++] = i; shape[1] *= a->shape[i]; }
  if ((st = lu_transpose(ctx, &t, a, perm)) != LU_OK) return st;
  st = lu_reshape(ctx, x, &t, 2, shape);
  lu_array_release(&t);
  return st;
}

/* Elements 0, 2, 4 ... (odd 0) or 1, 3, 5 ... (odd 1) of the first `pairs`
** pairs along axis 1 of x */
static int halves(lu_ctx *ctx, lu_array *v, const lu_array *x, int64_t pairs, int odd) {
  return lu_slice(ctx, v, x, 1, odd, odd + 2 * pairs, 2);
}

/* take[i] = the right element of pair i replaces the left one: the left has
** no NaN part and the right has, or neither has and the right is strictly
** better (greater for argmax) */
static int take_right(lu_ctx *ctx, lu_array *take, const lu_array *l, const lu_array *r,
                      int ismax, const char *name) {
  lu_array t[4];
  int st;
  memset(t, 0, sizeof t);
  if ((st = ew2(ctx, LU_OP_not_equal, r, r, &t[0], name)) != LU_OK ||        /* r NaN */
      (st = ew2(ctx, ismax ? LU_OP_greater : LU_OP_less, r, l, &t[1], name)) != LU_OK ||
      (st = ew2(ctx, LU_OP_logical_or, &t[0], &t[1], &t[2], name)) != LU_OK ||
      (st = ew2(ctx, LU_OP_equal, l, l, &t[3], name)) != LU_OK) {           /* l not NaN */
    release(t, 4);
    return st;
  }
  st = ew2(ctx, LU_OP_logical_and, &t[3], &t[2], take, name);
  release(t, 4);
  return st;
}

/* One level: next[:, i] = combine(cur[:, 2i], cur[:, 2i+1]) for the pairs,
** the unpaired last element carried over. For arg reductions idx/nidx are
** the positions that go with cur/next. */
static int level(lu_ctx *ctx, lu_redop op, const lu_array *cur, const lu_array *idx,
                 lu_array *next, lu_array *nidx, const char *name) {
  int64_t n = cur->shape[1], pairs = n / 2, h = (n + 1) / 2, shape[2];
  lu_array l, r, d, src, take, il, ir, di;
  int st, isarg = op == LU_RED_argmin || op == LU_RED_argmax;
  memset(&l, 0, sizeof l); r = d = src = take = il = ir = di = l;
  shape[0] = cur->shape[0];
  shape[1] = h;
  if ((st = lu_empty(ctx, next, cur->dtype, 2, shape, lu_array_device(cur))) != LU_OK) return st;
  if (isarg && (st = lu_empty(ctx, nidx, LU_INT64, 2, shape, lu_array_device(cur))) != LU_OK)
    return st;
  if ((st = halves(ctx, &l, cur, pairs, 0)) != LU_OK || (st = halves(ctx, &r, cur, pairs, 1)) != LU_OK ||
      (st = lu_slice(ctx, &d, next, 1, 0, pairs, 1)) != LU_OK)
    goto done;
  if (!isarg) {
    /* nanmin/nanmax pair with fmin/fmax: NumPy's fmin.reduce (a NaN loses
    ** to anything, the left one is kept on ties and when both are NaN) */
    st = ew2(ctx, op == LU_RED_prod ? LU_OP_multiply : op == LU_RED_max ? LU_OP_maximum
                  : op == LU_RED_nanmax ? LU_OP_fmax : op == LU_RED_nanmin ? LU_OP_fmin
                  : LU_OP_minimum,
             &l, &r, &d, name);
  } else {
    lu_arg g[3];
    if ((st = take_right(ctx, &take, &l, &r, op == LU_RED_argmax, name)) != LU_OK) goto done;
    g[0] = lu_arg_array(&take); g[1] = lu_arg_array(&r); g[2] = lu_arg_array(&l);
    if ((st = ew(ctx, LU_OP_where, 3, g, &d, name)) != LU_OK) goto done;
    if ((st = halves(ctx, &il, idx, pairs, 0)) != LU_OK || (st = halves(ctx, &ir, idx, pairs, 1)) != LU_OK ||
        (st = lu_slice(ctx, &di, nidx, 1, 0, pairs, 1)) != LU_OK)
      goto done;
    g[1] = lu_arg_array(&ir); g[2] = lu_arg_array(&il);
    if ((st = ew(ctx, LU_OP_where, 3, g, &di, name)) != LU_OK) goto done;
  }
  if (st == LU_OK && h > pairs) {   /* the unpaired last element */
    lu_arg g;
    lu_array_release(&d);
    lu_array_release(&src);
    if ((st = lu_slice(ctx, &d, next, 1, pairs, h, 1)) != LU_OK ||
        (st = lu_slice(ctx, &src, cur, 1, n - 1, n, 1)) != LU_OK)
      goto done;
    g = lu_arg_array(&src);
    if ((st = lu_assign(ctx, &d, &g)) != LU_OK) goto done;
    if (isarg) {
      lu_array_release(&di);
      lu_array_release(&src);
      if ((st = lu_slice(ctx, &di, nidx, 1, pairs, h, 1)) != LU_OK ||
          (st = lu_slice(ctx, &src, idx, 1, n - 1, n, 1)) != LU_OK)
        goto done;
      g = lu_arg_array(&src);
      st = lu_assign(ctx, &di, &g);
    }
  }
done:
  lu_array_release(&l); lu_array_release(&r); lu_array_release(&d);
  lu_array_release(&src); lu_array_release(&take); lu_array_release(&il);
  lu_array_release(&ir); lu_array_release(&di);
  return st;
}

static int tree_reduce(lu_ctx *ctx, lu_array *out, lu_redop op, const lu_array *a,
                       unsigned mask, int ond, const int64_t *oshape, const char *name) {
  lu_array cur, idx, next, nidx;
  int st, isarg = op == LU_RED_argmin || op == LU_RED_argmax;
  memset(&cur, 0, sizeof cur); idx = next = nidx = cur;
  if ((st = as_rows(ctx, &cur, a, mask)) != LU_OK) return st;
  if (cur.shape[1] == 0) {          /* prod of nothing (the others are errors) */
    lu_scalar one;
    memset(&one, 0, sizeof one);
    one.kind = 'i';
    one.i = 1;
    lu_array_release(&cur);
    return lu_full(ctx, out, a->dtype, ond, oshape, lu_array_device(a), one);
  }
  if (isarg) {
    lu_array line;
    line.buf = NULL;
    if ((st = lu_arange(ctx, &line, 0, (double)cur.shape[1], 1, LU_INT64, lu_array_device(a))) != LU_OK ||
        (st = lu_broadcast_to(ctx, &idx, &line, 2, cur.shape)) != LU_OK) {
      lu_array_release(&line);
      lu_array_release(&cur);
      return st;
    }
    lu_array_release(&line);
  }
  while (cur.shape[1] > 1) {
    next.buf = nidx.buf = NULL;
    st = level(ctx, op, &cur, &idx, &next, &nidx, name);
    lu_array_release(&cur);
    lu_array_release(&idx);
    cur = next;
    idx = nidx;
    if (st != LU_OK) goto fail;
  }
  st = lu_reshape(ctx, out, isarg ? &idx : &cur, ond, oshape);
fail:
  lu_array_release(&cur);
  lu_array_release(&idx);
  return st;
}

/* |d|^2 of a complex array: re^2 + im^2, real */
static int abs2(lu_ctx *ctx, lu_array *out, const lu_array *d, const char *name) {
  lu_array re, im, t;
  int st;
  re.buf = im.buf = t.buf = NULL;
  if ((st = lu_complex_part(ctx, &re, d, 0)) == LU_OK && (st = lu_complex_part(ctx, &im, d, 1)) == LU_OK &&
      (st = ew2(ctx, LU_OP_multiply, &re, &re, out, name)) == LU_OK &&
      (st = ew2(ctx, LU_OP_multiply, &im, &im, &t, name)) == LU_OK)
    st = ew2(ctx, LU_OP_add, out, &t, out, name);
  lu_array_release(&re); lu_array_release(&im); lu_array_release(&t);
  return st;
}

static int complex_reduce(lu_ctx *ctx, lu_array *out, lu_redop op, const lu_array *a,
                          unsigned mask, const lu_reduce_opts *o, int ond, const int64_t *oshape,
                          int64_t nred);

/* {===== complex nan* reductions, as NumPy composes them (nanfunctions.py):
** an element is NaN when either part is (np.isnan)
**   nansum, nanprod: each NaN replaced by 0 (1), then sum (prod);
**   nanmin, nanmax: fmin.reduce (fmax): the first least (greatest) element
**     that is not NaN, in the lexicographic order; where every element is
**     NaN, the first of them (NumPy warns and returns it);
**   nanargmin, nanargmax: each NaN replaced by inf+0j (-inf+0j), then
**     argmin (argmax); a slice of NaN only is an error;
**   nanmean: nansum over the count of the others (0/0: nan+nanj);
**   nanvar, nanstd: the sum of |x - nanmean|^2 over the elements that are
**     not NaN, over count - ddof (computed in float64, as NumPy divides by
**     an integer count, and rounded to the real dtype), NaN where count -
**     ddof <= 0; std its square root. */
static int complex_nan(lu_ctx *ctx, lu_array *out, lu_redop op, const lu_array *a,
                       unsigned mask, const lu_reduce_opts *o, int ond, const int64_t *oshape,
                       int64_t nred) {
  const char *name = lu_reds[op].name;
  lu_array m, b, p[6];
  lu_arg g[3];
  int st, k;
  memset(&m, 0, sizeof m);
  b = m;
  memset(p, 0, sizeof p);
  if ((st = ew2(ctx, LU_OP_not_equal, a, a, &m, name)) != LU_OK) return st;
  switch (op) {
  case LU_RED_nansum: case LU_RED_nanprod: case LU_RED_nanargmin: case LU_RED_nanargmax:
    g[0] = lu_arg_array(&m);
    g[1] = op == LU_RED_nansum ? lu_arg_int(0) : op == LU_RED_nanprod ? lu_arg_int(1)
           : lu_arg_float(op == LU_RED_nanargmin ? INFINITY : -INFINITY);
    g[2] = lu_arg_array(a);
    if ((st = ew(ctx, LU_OP_where, 3, g, &b, name)) != LU_OK) break;
    if (op == LU_RED_nansum) { st = complex_reduce(ctx, out, LU_RED_sum, &b, mask, o, ond, oshape, nred); break; }
    if (op == LU_RED_nanprod) { st = tree_reduce(ctx, out, LU_RED_prod, &b, mask, ond, oshape, name); break; }
    {
      /* a slice of NaN only: NumPy's ValueError */
      lu_reduce_opts ao = *o;
      uint8_t h = 0;
      ao.keepdims = 0;
      if ((st = lu_reduce_ex(ctx, &p[0], LU_RED_all, &m, &ao)) != LU_OK ||
          (st = lu_reduce(ctx, &p[1], LU_RED_any, &p[0], LU_ALLAXES, 0, 0)) != LU_OK ||
          (st = lu_to_host(ctx, &p[1], &h)) != LU_OK)
        break;
      if (h) { st = lu_seterr(ctx, LU_EARG, "%s: All-NaN slice encountered", name); break; }
    }
    st = tree_reduce(ctx, out, op == LU_RED_nanargmin ? LU_RED_argmin : LU_RED_argmax, &b, mask,
                     ond, oshape, name);
    break;
  case LU_RED_nanmin: case LU_RED_nanmax:
    st = tree_reduce(ctx, out, op, a, mask, ond, oshape, name);
    break;
  case LU_RED_nanmean:
    /* the sum with NaNs as 0 over the count, a complex division as NumPy's
    ** (Smith's: an infinite part can make the other NaN) */
    g[0] = lu_arg_array(&m);
    if ((st = ew(ctx, LU_OP_logical_not, 1, g, &p[0], name)) != LU_OK ||
        (st = lu_reduce_ex(ctx, &p[1], LU_RED_sum, &p[0], o)) != LU_OK ||
        (st = lu_astype(ctx, &p[2], &p[1], a->dtype)) != LU_OK ||
        (st = complex_nan(ctx, out, LU_RED_nansum, a, mask, o, ond, oshape, nred)) != LU_OK)
      break;
    if ((st = ew2(ctx, LU_OP_divide, out, &p[2], out, name)) != LU_OK) lu_array_release(out);
    break;
  case LU_RED_nanvar: case LU_RED_nanstd: {
    lu_reduce_opts ok = *o;
    int64_t kshape[LU_MAXDIM];
    lu_dtype rdt = lu_real_of(a->dtype);
    for (k = 0; k < a->ndim; k++) kshape[k] = (mask & (1u << k)) ? 1 : a->shape[k];
    ok.keepdims = 1;
    /* p0 mean (kept dims), p1 x - mean with the NaNs as 0, p2 |p1|^2,
    ** p3 its sum, p4 the count as float64 less ddof, p5 the quotient */
    if ((st = complex_nan(ctx, &p[0], LU_RED_nanmean, a, mask, &ok, a->ndim, kshape, nred)) != LU_OK ||
        (st = ew2(ctx, LU_OP_subtract, a, &p[0], &p[1], name)) != LU_OK)
      break;
    g[0] = lu_arg_array(&m); g[1] = lu_arg_int(0); g[2] = lu_arg_array(&p[1]);
    lu_array_release(&p[0]);
    if ((st = ew(ctx, LU_OP_where, 3, g, &p[0], name)) != LU_OK ||
        (st = abs2(ctx, &p[2], &p[0], name)) != LU_OK ||
        (st = lu_reduce_ex(ctx, &p[3], LU_RED_sum, &p[2], o)) != LU_OK)
      break;
    lu_array_release(&p[0]);
    lu_array_release(&p[1]);
    g[0] = lu_arg_array(&m);
    if ((st = ew(ctx, LU_OP_logical_not, 1, g, &p[0], name)) != LU_OK ||
        (st = lu_reduce_ex(ctx, &p[1], LU_RED_sum, &p[0], o)) != LU_OK ||
        (st = lu_astype(ctx, &p[4], &p[1], LU_FLOAT64)) != LU_OK)
      break;
    g[0] = lu_arg_array(&p[4]); g[1] = lu_arg_float(o->ddof);
    if ((st = ew(ctx, LU_OP_subtract, 2, g, &p[4], name)) != LU_OK ||
        (st = ew2(ctx, LU_OP_divide, &p[3], &p[4], &p[5], name)) != LU_OK)
      break;
    /* NaN where count - ddof <= 0 */
    lu_array_release(&p[0]);
    g[0] = lu_arg_array(&p[4]); g[1] = lu_arg_int(0);
    if ((st = ew(ctx, LU_OP_less_equal, 2, g, &p[0], name)) != LU_OK) break;
    g[0] = lu_arg_array(&p[0]); g[1] = lu_arg_float(NAN); g[2] = lu_arg_array(&p[5]);
    if ((st = ew(ctx, LU_OP_where, 3, g, &p[5], name)) != LU_OK ||
        (st = lu_astype(ctx, out, &p[5], rdt)) != LU_OK)
      break;
    if (op == LU_RED_nanstd) {
      g[0] = lu_arg_array(out);
      if ((st = ew(ctx, LU_OP_sqrt, 1, g, out, name)) != LU_OK) lu_array_release(out);
    }
    break;
  }
  default:
    st = lu_seterr(ctx, LU_ETYPE, "%s: not supported for %s arrays", name, lu_dtype_name(a->dtype));
  }
  lu_array_release(&m);
  lu_array_release(&b);
  release(p, 6);
  return st;
}
/* }===== */

static int complex_reduce(lu_ctx *ctx, lu_array *out, lu_redop op, const lu_array *a,
                          unsigned mask, const lu_reduce_opts *o, int ond, const int64_t *oshape,
                          int64_t nred) {
  const char *name = lu_reds[op].name;
  lu_array p[4];
  lu_arg g[2];
  int st, k;
  memset(p, 0, sizeof p);
  switch (op) {
  case LU_RED_sum: case LU_RED_mean:
    /* the parts reduced as floats, written into the parts of the result */
    if ((st = lu_empty(ctx, out, a->dtype, ond, oshape, lu_array_device(a))) != LU_OK) return st;
    for (k = 0, st = LU_OK; k < 2 && st == LU_OK; k++) {
      if ((st = lu_complex_part(ctx, &p[0], a, k)) == LU_OK &&
          (st = lu_reduce_ex(ctx, &p[1], LU_RED_sum, &p[0], o)) == LU_OK &&
          (st = lu_complex_part(ctx, &p[2], out, k)) == LU_OK) {
        g[0] = lu_arg_array(&p[1]);
        st = lu_assign(ctx, &p[2], &g[0]);
      }
      release(p, 3);
    }
    if (st == LU_OK && op == LU_RED_mean) {
      g[0] = lu_arg_array(out);
      g[1] = lu_arg_float((double)nred);
      st = ew(ctx, LU_OP_divide, 2, g, out, name);
    }
    if (st != LU_OK) lu_array_release(out);
    return st;
  case LU_RED_any: case LU_RED_all:
    g[0] = lu_arg_array(a);
    g[1] = lu_arg_int(0);
    if ((st = ew(ctx, LU_OP_not_equal, 2, g, &p[0], name)) != LU_OK) return st;
    st = lu_reduce_ex(ctx, out, op, &p[0], o);
    lu_array_release(&p[0]);
    return st;
  case LU_RED_var: case LU_RED_std: {
    /* NumPy: mean(|x - mean(x)|^2) with n - ddof as divisor, real */
    lu_reduce_opts ok = *o;
    int64_t kshape[LU_MAXDIM];
    double div = (double)nred - o->ddof;
    for (k = 0; k < a->ndim; k++) kshape[k] = (mask & (1u << k)) ? 1 : a->shape[k];
    ok.keepdims = 1;
    if ((st = complex_reduce(ctx, &p[0], LU_RED_mean, a, mask, &ok, a->ndim, kshape, nred)) != LU_OK)
      return st;
    if ((st = ew2(ctx, LU_OP_subtract, a, &p[0], &p[1], name)) == LU_OK &&
        (st = abs2(ctx, &p[2], &p[1], name)) == LU_OK &&
        (st = lu_reduce_ex(ctx, out, LU_RED_sum, &p[2], o)) == LU_OK) {
      g[0] = lu_arg_array(out);
      g[1] = lu_arg_float(div > 0 ? div : 0.0);
      st = ew(ctx, LU_OP_divide, 2, g, out, name);
      if (st == LU_OK && op == LU_RED_std) st = ew(ctx, LU_OP_sqrt, 1, g, out, name);
      if (st != LU_OK) lu_array_release(out);
    }
    release(p, 3);
    return st;
  }
  case LU_RED_prod: case LU_RED_min: case LU_RED_max: case LU_RED_argmin: case LU_RED_argmax:
    return tree_reduce(ctx, out, op, a, mask, ond, oshape, name);
  case LU_RED_count_nonzero:
    /* the nonzero flags counted */
    g[0] = lu_arg_array(a);
    g[1] = lu_arg_int(0);
    if ((st = ew(ctx, LU_OP_not_equal, 2, g, &p[0], name)) != LU_OK) return st;
    st = lu_reduce_ex(ctx, out, op, &p[0], o);
    lu_array_release(&p[0]);
    return st;
  case LU_RED_nansum: case LU_RED_nanprod: case LU_RED_nanmin: case LU_RED_nanmax:
  case LU_RED_nanargmin: case LU_RED_nanargmax: case LU_RED_nanmean: case LU_RED_nanvar:
  case LU_RED_nanstd:
    return complex_nan(ctx, out, op, a, mask, o, ond, oshape, nred);
  case LU_RED_ptp:
    /* max - min in NumPy's (lexicographic) order of complex values */
    if ((st = tree_reduce(ctx, &p[0], LU_RED_max, a, mask, ond, oshape, name)) == LU_OK &&
        (st = tree_reduce(ctx, &p[1], LU_RED_min, a, mask, ond, oshape, name)) == LU_OK)
      st = ew2(ctx, LU_OP_subtract, &p[0], &p[1], out, name);
    release(p, 2);
    return st;
  default:
    return lu_seterr(ctx, LU_ETYPE, "%s: not supported for %s arrays", name, lu_dtype_name(a->dtype));
  }
}
/* }===== */

int lu_reduce_ext(lu_ctx *ctx, lu_array *out, lu_redop op, const lu_array *a, unsigned mask,
                  int keepdims, double ddof) {
  lu_reduce_opts o;
  int64_t oshape[LU_MAXDIM], nred = 1;
  int ond = 0, i;
  if (!lu_dtype_is_half(a->dtype) && lu_dtype_kind(a->dtype) != 'c') return -1;
  opts_of(&o, a, mask, keepdims, ddof);
  if (lu_dtype_is_half(a->dtype)) return half_reduce(ctx, out, op, a, &o);
  for (i = 0; i < a->ndim; i++) {
    if (mask & (1u << i)) { nred *= a->shape[i]; if (keepdims) oshape[ond++] = 1; }
    else oshape[ond++] = a->shape[i];
  }
  return complex_reduce(ctx, out, op, a, mask, &o, ond, oshape, nred);
}
