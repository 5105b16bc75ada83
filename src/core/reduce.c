/* SPDX-License-Identifier: MIT */
/*
** Reductions: the rows of lu_reduce.def over any set of axes. The backend
** sees one reduced run between two kept runs (lu_reduce_call); this file
** validates the axes, works out the result's dtype and shape, and merges
** the axes into that geometry, copying only when they cannot merge. NumPy's
** dtype= and out= are casts around the backend's work.
*/
#include <string.h>
#include "lu_internal.h"

void lu_reduce_opts_init(lu_reduce_opts *o) {
  memset(o, 0, sizeof *o);
  o->naxes = -1;
  o->dtype = -1;
}

/* {====================================================== geometry */
/* Merge the axes idx[0..n) of a (in that order, outermost first) into one
** run (count, byte stride); 0 when they do not form one. No axis: (1, 0). */
static int merge_list(const lu_array *a, const int *idx, int n, const int64_t *st,
                      int64_t *cnt, int64_t *s) {
  int64_t c = 1, inner = 0;
  int k;
  for (k = n - 1; k >= 0; k--) {
    int64_t sk = st ? st[k] : a->strides[idx[k]];
    if (k == n - 1) inner = sk;
    else if (sk != inner * c) return 0;
    c *= a->shape[idx[k]];
  }
  *cnt = c;
  *s = n ? inner : 0;
  return 1;
}

static int64_t abs64(int64_t x) { return x < 0 ? -x : x; }

/* The call's geometry for reducing the axes in mask: the kept axes (in
** order) split into an outer and an inner run, the reduced ones merged into
** one. When the order of the reduced elements does not matter (not an
** arg-reduction), the reduced axes may be reordered and walked backwards.
** Returns 0 when they do not merge. Axes of length 1 take no part. */
static int plan(const lu_array *a, unsigned mask, int ordered, lu_reduce_call *c) {
  int kept[LU_MAXDIM], red[LU_MAXDIM], nk = 0, nr = 0, i, p, best = -1;
  int64_t rs[LU_MAXDIM], on, os, in, is, kn, ks;
  const char *base = lu_array_data(a);
  for (i = 0; i < a->ndim; i++) {
    if (a->shape[i] == 1) continue;
    if (mask & (1u << i)) red[nr++] = i;
    else kept[nk++] = i;
  }
  for (i = 0; i < nr; i++) rs[i] = a->strides[red[i]];
  if (!ordered) {
    /* walk every reduced axis forwards in memory, largest stride first */
    for (i = 0; i < nr; i++)
      if (rs[i] < 0) { base += (a->shape[red[i]] - 1) * rs[i]; rs[i] = -rs[i]; }
    for (i = 1; i < nr; i++) {
      int j = i, r = red[i];
      int64_t s = rs[i];
      for (; j > 0 && rs[j - 1] < s; j--) { rs[j] = rs[j - 1]; red[j] = red[j - 1]; }
      rs[j] = s; red[j] = r;
    }
  }
  if (!merge_list(a, red, nr, rs, &c->red, &c->s_red)) return 0;
  /* kept axes: prefix -> outer, suffix -> inner. When they all merge, the
  ** smaller stride goes inside (column mode reads rows in order). */
  if (merge_list(a, kept, nk, NULL, &kn, &ks)) {
    best = nk > 0 && abs64(ks) < abs64(c->s_red) ? 0 : nk;
  } else {
    for (p = 1; p < nk && best < 0; p++)
      if (merge_list(a, kept, p, NULL, &on, &os) &&
          merge_list(a, kept + p, nk - p, NULL, &in, &is)) best = p;
    if (best < 0) return 0;
  }
  merge_list(a, kept, best, NULL, &c->outer, &c->s_outer);
  merge_list(a, kept + best, nk - best, NULL, &c->inner, &c->s_inner);
  c->in_ptr = base;
  return 1;
}
/* }====================================================== */

/* {====================================================== checks */
static int check_axes(lu_ctx *ctx, const char *name, const lu_array *a,
                      const lu_reduce_opts *o, unsigned *mask) {
  int k;
  if (o->naxes < 0) {
    *mask = a->ndim ? (unsigned)((1ull << a->ndim) - 1) : 0;
    return LU_OK;
  }
  if (o->naxes > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: too many axes (%d)", name, o->naxes);
  *mask = 0;
  for (k = 0; k < o->naxes; k++) {
    int ax = o->axes[k];
    if (ax < 0 || ax >= a->ndim)
      return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                       name, ax + 1, a->ndim);
    if (*mask & (1u << ax))
      return lu_seterr(ctx, LU_EARG, "%s: duplicate value in 'axis' (axis %d)", name, ax + 1);
    *mask |= 1u << ax;
  }
  return LU_OK;
}

static int takes(const char *params, const char *p) {
  size_t n = strlen(p);
  const char *s = params;
  while ((s = strstr(s, p)) != NULL) {
    if ((s == params || s[-1] == ',') && (s[n] == ',' || s[n] == '\0')) return 1;
    s += n;
  }
  return 0;
}
/* }====================================================== */

/* Reduce a (of a dtype the row takes) with the row's own result dtype into
** a new array *r. */
static int reduce_plain(lu_ctx *ctx, lu_array *r, lu_redop op, const lu_array *a,
                        unsigned mask, int keepdims, double ddof) {
  const lu_red_info *row = &lu_reds[op];
  const char *name = row->name;
  lu_redop eop = lu_dtype_kind(a->dtype) == 'f' ? op : row->nonfloat;
  int64_t oshape[LU_MAXDIM], nred = 1;
  int ond = 0, i, st;
  lu_reduce_call c;
  lu_array src;
  const lu_reduce_family *fam;

  for (i = 0; i < a->ndim; i++) {
    if (mask & (1u << i)) { nred *= a->shape[i]; if (keepdims) oshape[ond++] = 1; }
    else oshape[ond++] = a->shape[i];
  }
  if (nred == 0 && (row->flags & LU_RF_NOEMPTY)) {
    if (row->flags & LU_RF_ARG)
      return lu_seterr(ctx, LU_EARG, "%s: attempt to get %s of an empty sequence", name, name);
    return lu_seterr(ctx, LU_EARG, "%s: zero-size array to reduction operation %s which has no identity",
                     name, name);
  }
  /* float16, bfloat16, complex: composed from native work (reduce_ext.c) */
  if ((st = lu_reduce_ext(ctx, r, op, a, mask, keepdims, ddof)) >= 0) return st;
  if ((st = lu_empty(ctx, r, lu_red_result(eop, a->dtype), ond, oshape, lu_array_device(a))) != LU_OK)
    return st;
  if (r->size == 0) return LU_OK;
  fam = lu_family(ctx, name, lu_array_device(a), reduce);
  if (fam == NULL || fam->reduce == NULL) {
    st = fam == NULL ? (int)ctx->err : lu_unavailable(ctx, name, lu_array_device(a));
    lu_array_release(r);
    return st;
  }

  memset(&c, 0, sizeof c);
  src.buf = NULL;
  if (nred == 0) {
    c.outer = r->size;   /* each output is FIN(IDENT, 0) */
    c.inner = 1;
    c.in_ptr = lu_array_data(a);
  } else if (!plan(a, mask, (row->flags & LU_RF_ARG) != 0, &c)) {
    /* the axes do not merge: reduce a copy with the kept axes first and the
    ** reduced ones last, each group in its order */
    int perm[LU_MAXDIM], np = 0;
    lu_array v;
    for (i = 0; i < a->ndim; i++) if (!(mask & (1u << i))) perm[np++] = i;
    for (i = 0; i < a->ndim; i++) if (mask & (1u << i)) perm[np++] = i;
    if ((st = lu_transpose(ctx, &v, a, perm)) == LU_OK) {
      st = lu_copy(ctx, &src, &v);
      lu_array_release(&v);
    }
    if (st != LU_OK) { lu_array_release(r); return st; }
    /* in the copy, the reduced axes are the last ones: contiguous, they merge */
    mask = (unsigned)(((1ull << a->ndim) - 1) & ~((1ull << (a->ndim - __builtin_popcount(mask))) - 1));
    plan(&src, mask, 1, &c);
  }
  c.op = eop;
  c.in_dt = a->dtype;
  c.acc_dt = c.out_dt = r->dtype;
  c.out_ptr = lu_array_data(r);
  c.dev = lu_array_device(a);
  c.ddof = ddof;
  lu_check_reduce(ctx, &c, r, src.buf ? &src : a);
  st = fam->reduce(ctx, &c);
  if (st == LU_OK) st = lu_after_op(ctx, c.dev);
  lu_array_release(&src);
  if (st != LU_OK) lu_array_release(r);
  return st;
}

/* nanargmin/nanargmax: a position of -1 marks a slice of NaN only */
static int check_allnan(lu_ctx *ctx, const char *name, const lu_array *r) {
  lu_arg g[2];
  lu_array m, any;
  uint8_t h = 0;
  int st;
  g[0] = lu_arg_array(r);
  g[1] = lu_arg_int(0);
  m.buf = any.buf = NULL;
  st = lu_ewise_named(ctx, LU_OP_less, 2, g, &m, name, -1);
  if (st == LU_OK) st = lu_reduce(ctx, &any, LU_RED_any, &m, LU_ALLAXES, 0, 0);
  if (st == LU_OK) st = lu_to_host(ctx, &any, &h);
  lu_array_release(&any);
  lu_array_release(&m);
  if (st == LU_OK && h) st = lu_seterr(ctx, LU_EARG, "%s: All-NaN slice encountered", name);
  return st;
}

/* x / n in place (x is a fresh float array) */
static int scale_inplace(lu_ctx *ctx, lu_array *x, double n, const char *name) {
  lu_arg g[2];
  g[0] = lu_arg_array(x);
  g[1] = lu_arg_float(n);
  return lu_ewise_named(ctx, LU_OP_divide, 2, g, x, name, -1);
}

/* *r = astype(*r, dt), releasing the old array */
static int recast(lu_ctx *ctx, lu_array *r, lu_dtype dt) {
  lu_array t;
  int st;
  if (r->dtype == dt) return LU_OK;
  st = lu_astype(ctx, &t, r, dt);
  lu_array_release(r);
  if (st == LU_OK) *r = t;
  return st;
}

/* NumPy's dtype=: the reduction runs on elements of dtype dt. Integer sums
** and products wrap, so for integer inputs and an integer dt they run in
** the row's 64-bit accumulator and the result is cast; mean with an integer
** dt is sum(dtype=dt) / n cast to dt, as NumPy computes it; every other
** case reduces a copy converted to dt. */
static int reduce_dtype(lu_ctx *ctx, lu_array *r, lu_redop op, const lu_array *a,
                        unsigned mask, const lu_reduce_opts *o) {
  const lu_red_info *row = &lu_reds[op];
  lu_dtype dt = (lu_dtype)o->dtype;
  char ka = lu_dtype_kind(a->dtype), kd = lu_dtype_kind(dt);
  lu_array x;
  int st, i;
  if (row->rule == LU_RR_SUM && ka != 'f' && (kd == 'i' || kd == 'u')) {
    if ((st = reduce_plain(ctx, r, op, a, mask, o->keepdims, o->ddof)) != LU_OK) return st;
    return recast(ctx, r, dt);
  }
  if ((ka == 'f' ? op : row->nonfloat) == LU_RED_mean && kd != 'f') {
    int64_t n = 1;
    for (i = 0; i < a->ndim; i++) if (mask & (1u << i)) n *= a->shape[i];
    lu_reduce_opts so = *o;
    so.out = NULL;
    if ((st = lu_reduce_ex(ctx, r, LU_RED_sum, a, &so)) != LU_OK) return st;
    if ((st = recast(ctx, r, LU_FLOAT64)) == LU_OK &&
        (st = scale_inplace(ctx, r, (double)n, row->name)) == LU_OK)
      st = recast(ctx, r, dt);
    if (st != LU_OK) lu_array_release(r);
    return st;
  }
  if ((st = lu_astype(ctx, &x, a, dt)) != LU_OK) return st;
  st = reduce_plain(ctx, r, op, &x, mask, o->keepdims, o->ddof);
  lu_array_release(&x);
  if (st == LU_OK) st = recast(ctx, r, dt);
  return st;
}

int lu_reduce_ex(lu_ctx *ctx, lu_array *result, lu_redop op, const lu_array *a,
                 const lu_reduce_opts *o) {
  const lu_red_info *row;
  const char *name;
  unsigned mask = 0;
  int st;
  result->buf = NULL;
  if ((unsigned)op >= LU_NREDS)
    return lu_seterr(ctx, LU_EARG, "reduce: unknown reduction %d", (int)op);
  row = &lu_reds[op];
  name = row->name;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  lu_check_in(a);
  if ((st = check_axes(ctx, name, a, o, &mask)) != LU_OK) return st;
  if ((row->flags & LU_RF_ARG) && o->naxes > 1)
    return lu_seterr(ctx, LU_EARG, "%s: takes one axis or all of them, not %d", name, o->naxes);
  if ((row->flags & LU_RF_NOBOOL) && a->dtype == LU_BOOL)
    return lu_seterr(ctx, LU_ETYPE, "%s: not supported for bool arrays (NumPy's subtract "
                     "does not take booleans)", name);
  if (o->dtype >= 0 && !takes(row->params, "dtype"))
    return lu_seterr(ctx, LU_EARG, "%s: takes no dtype", name);
  if (o->dtype >= LU_NDTYPES)
    return lu_seterr(ctx, LU_EARG, "%s: bad dtype %d", name, o->dtype);
  /* Where NumPy's result with an integer dtype= is an artefact of its
  ** algorithm (var's mean truncated to the dtype; NaN cast before nansum
  ** replaces it) lunar asks for a float dtype. */
  if (o->dtype >= 0 && lu_dtype_kind((lu_dtype)o->dtype) != 'f' &&
      (takes(row->params, "ddof") || (row->nonfloat != op && lu_dtype_kind(a->dtype) == 'f')))
    return lu_seterr(ctx, LU_ETYPE, "%s: dtype must be a float dtype here, got %s", name,
                     lu_dtype_name((lu_dtype)o->dtype));
  if (o->dtype >= 0 && o->dtype != (int)lu_red_result(lu_dtype_kind(a->dtype) == 'f' ? op :
                                                      row->nonfloat, a->dtype))
    st = reduce_dtype(ctx, result, op, a, mask, o);
  else
    st = reduce_plain(ctx, result, op, a, mask, o->keepdims, o->ddof);
  if (st == LU_OK && (row->flags & LU_RF_ALLNAN) && lu_dtype_kind(a->dtype) == 'f' &&
      (st = check_allnan(ctx, name, result)) != LU_OK)
    lu_array_release(result);
  if (st == LU_OK && o->out != NULL) {
    char b1[64], b2[64];
    lu_arg g;
    lu_array dst;
    int i, same = o->out->ndim == result->ndim;
    for (i = 0; same && i < result->ndim; i++) same = o->out->shape[i] == result->shape[i];
    if (o->out->buf == NULL) st = lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
    else if (!same)
      st = lu_seterr(ctx, LU_ESHAPE, "%s: out has shape %s, the result has shape %s", name,
                     lu_shape_str(o->out->ndim, o->out->shape, b1, sizeof b1),
                     lu_shape_str(result->ndim, result->shape, b2, sizeof b2));
    else {
      lu_array_share(&dst, o->out);
      g = lu_arg_array(result);
      st = lu_assign(ctx, &dst, &g);
      lu_array_release(result);
      if (st == LU_OK) *result = dst;
      else lu_array_release(&dst);
    }
    if (st != LU_OK) lu_array_release(result);
  }
  return st;
}

int lu_reduce(lu_ctx *ctx, lu_array *out, int op, const lu_array *a, int axis,
              int keepdims, int ddof) {
  lu_reduce_opts o;
  lu_reduce_opts_init(&o);
  if (axis != LU_ALLAXES) { o.naxes = 1; o.axes[0] = axis; }
  o.keepdims = keepdims;
  o.ddof = ddof;
  return lu_reduce_ex(ctx, out, (lu_redop)op, a, &o);
}
