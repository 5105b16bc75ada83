/* SPDX-License-Identifier: MIT */
/*
** Scans, differences and order statistics: cumsum cumprod nancumsum
** nancumprod cummax cummin, diff ediff1d gradient trapezoid (and the old
** name trapz), median nanmedian percentile nanpercentile quantile
** nanquantile. Parameters in NumPy's order, by position or keyword.
*/
#include <string.h>
#include "lb.h"

/* {====================================================== scans */
/* cumsum, cumprod, nancumsum, nancumprod: upvalue 3 = op + 2 * nan_skip */
static int l_cumulative(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int which = (int)lua_tointeger(L, lua_upvalueindex(3));
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out;
  int axis, dt;
  lb_getparams(L, 2, "axis,dtype,out", NULL, &p);
  axis = lb_paxis(L, &p, 0, a->ndim, 0, LU_ALLAXES, 1);
  dt = lb_pdtype(L, &p, 1);
  out = lb_new(L);
  if (lu_cumulative(ctx, out, a, which & 1 ? LU_SCAN_PROD : LU_SCAN_SUM, which >> 1, axis, dt))
    return lb_fail(L, ctx);
  return lb_pout(L, ctx, &p, 2, -1);
}

/* NumPy 2's cumulative_sum and cumulative_prod (upvalue 3: 1 for prod):
** axis required above one dimension, include_initial */
static int l_cumulative2(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int prod = (int)lua_tointeger(L, lua_upvalueindex(3));
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out;
  int axis, dt;
  lb_getparams(L, 2, "", "axis,dtype,out,include_initial", &p);
  if (a->ndim == 0) lb_argerror(L, 1, "cannot accumulate a 0-d array");
  if (!p.idx[0] && a->ndim > 1)
    return luaL_error(L, "%s: axis must be given for an array of more than one dimension", lb_fname(L));
  axis = lb_paxis(L, &p, 0, a->ndim, 0, 0, 0);
  dt = lb_pdtype(L, &p, 1);
  out = lb_new(L);
  if (lu_cumulative_ex(ctx, out, a, prod ? LU_SCAN_PROD : LU_SCAN_SUM, axis, dt,
                       lb_pbool(L, &p, 3, "include_initial", 0)))
    return lb_fail(L, ctx);
  return lb_pout(L, ctx, &p, 2, -1);
}

/* cummax, cummin (PyTorch's): values and 1-based positions */
static int l_cumextreme(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int ismax = (int)lua_tointeger(L, lua_upvalueindex(3));
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *v, *ix;
  int axis;
  lb_getparams(L, 2, "axis", NULL, &p);
  axis = lb_paxis(L, &p, 0, a->ndim, 0, LU_ALLAXES, 1);
  v = lb_new(L);
  ix = lb_new(L);
  if (lu_cumextreme(ctx, v, ix, a, ismax, axis, 1)) return lb_fail(L, ctx);
  return 2;
}
/* }====================================================== */

/* {====================================================== differences */
/* a number stays a number (the core makes it an array as NumPy does) */
static const lu_arg *read_arg(lua_State *L, const lb_params *p, int k, const lu_device *dev, lu_arg *g) {
  memset(g, 0, sizeof *g);
  if (!p->idx[k]) return NULL;
  if (!lb_toscalar(L, p->idx[k], &g->s)) g->arr = lb_toarray(L, p->idx[k], dev);
  return g;
}

static int l_diff(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out;
  lu_arg pre, app;
  const lu_arg *pp, *ap;
  lu_device d = lu_array_device(a);
  lua_Integer n;
  int axis;
  lb_getparams(L, 2, "n,axis,prepend,append", NULL, &p);
  n = lb_pint(L, &p, 0, "n", 1);
  if (a->ndim == 0) lb_argerror(L, 1, "diff requires input that is at least one dimensional");
  axis = lb_paxis(L, &p, 1, a->ndim, 0, a->ndim - 1, 0);
  pp = read_arg(L, &p, 2, &d, &pre);
  ap = read_arg(L, &p, 3, &d, &app);
  out = lb_new(L);
  if (lu_diff(ctx, out, a, n, axis, pp, ap)) return lb_fail(L, ctx);
  return 1;
}

static int l_ediff1d(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out;
  lu_arg te, tb;
  const lu_arg *tep, *tbp;
  lu_device d = lu_array_device(a);
  lb_getparams(L, 2, "to_end,to_begin", NULL, &p);
  tep = read_arg(L, &p, 0, &d, &te);
  tbp = read_arg(L, &p, 1, &d, &tb);
  out = lb_new(L);
  if (lu_ediff1d(ctx, out, a, tep, tbp)) return lb_fail(L, ctx);
  return 1;
}

/* gradient(f, spacing...) with the keywords axis and edge_order in a
** trailing table; one result per axis */
static int l_gradient(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *f, *outs[LU_MAXDIM], res[LU_MAXDIM];
  lu_arg sp[LU_MAXDIM];
  lu_device d;
  int axes[LU_MAXDIM], naxes = 0, nsp = 0, i, top = lua_gettop(L), kw = 0, last;
  lua_Integer eo = 1;
  if (top >= 2 && lua_type(L, top) == LUA_TTABLE && !lb_test(L, top)) {
    /* the keyword table, unless it is a table of coordinates */
    lua_pushnil(L);
    while (lua_next(L, top)) {
      lua_pop(L, 1);
      if (lua_type(L, -1) == LUA_TSTRING) { kw = top; lua_pop(L, 1); break; }
    }
  }
  last = kw ? top - 1 : top;
  if (top < 1) return luaL_error(L, "%s: bad argument #1 (f expected)", lb_fname(L));
  f = lb_toarray(L, 1, NULL);
  d = lu_array_device(f);
  if (kw) {
    lb_getparams(L, kw, "", "axis,edge_order", &p);
    naxes = lb_paxes(L, &p, 0, f->ndim, axes);
    eo = lb_pint(L, &p, 1, "edge_order", 1);
  }
  for (i = 2; i <= last; i++) {
    if (nsp >= LU_MAXDIM) return luaL_error(L, "%s: too many spacing arguments", lb_fname(L));
    memset(&sp[nsp], 0, sizeof sp[nsp]);
    if (!lb_toscalar(L, i, &sp[nsp].s)) sp[nsp].arr = lb_toarray(L, i, &d);
    nsp++;
  }
  if (naxes == 0) {
    naxes = f->ndim;
    for (i = 0; i < naxes; i++) axes[i] = i;
  }
  if (eo != 1 && eo != 2)
    return luaL_error(L, "%s: edge_order must be 1 or 2, got %d", lb_fname(L), (int)eo);
  luaL_checkstack(L, naxes + 4, NULL);
  for (i = 0; i < naxes; i++) outs[i] = lb_new(L);
  if (lu_gradient(ctx, res, f, naxes, axes, nsp, sp, (int)eo)) return lb_fail(L, ctx);
  for (i = 0; i < naxes; i++) *outs[i] = res[i];
  return naxes;
}

static int l_trapezoid(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *y = lb_toarray(L, 1, NULL), *x = NULL, *out;
  lu_device d = lu_array_device(y);
  int axis;
  lb_getparams(L, 2, "x,dx,axis", NULL, &p);
  if (p.idx[0]) x = lb_toarray(L, p.idx[0], &d);
  if (y->ndim == 0) lb_argerror(L, 1, "y must have at least one dimension");
  axis = lb_paxis(L, &p, 2, y->ndim, 0, y->ndim - 1, 0);
  out = lb_new(L);
  if (lu_trapezoid(ctx, out, y, x, lb_pnum(L, &p, 1, "dx", 1.0), axis)) return lb_fail(L, ctx);
  return 1;
}
/* }====================================================== */

/* {====================================================== order statistics */
static const char *const qmethods[] = {
  "inverted_cdf", "averaged_inverted_cdf", "closest_observation",
  "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
  "normal_unbiased", "lower", "higher", "midpoint", "nearest", NULL
};

/* q: a number, a (nested) table or an array, as host doubles divided by
** scale; *weak when it was a plain number */
static double *read_q(lua_State *L, const lb_params *p, int k, double scale, int *qndim,
                      int64_t *qshape, int *weak) {
  lu_ctx *ctx = lb_ctx(L);
  int idx = p->idx[k];
  double *q;
  *weak = 0;
  if (!idx) lb_argerror(L, 2, "q expected");
  if (lua_type(L, idx) == LUA_TNUMBER) {
    q = (double *)lua_newuserdatauv(L, sizeof(double), 0);
    q[0] = (double)lua_tonumber(L, idx) / scale;
    *qndim = 0;
    *weak = 1;
  } else {
    lu_device cpu = {LU_DEV_CPU, 0};
    lu_array *a = lb_toarray(L, idx, NULL), *c;
    int i;
    if (a->ndim > 2) lb_argerror(L, lb_pargn(p, k), "q must be a scalar or 1d");
    c = lb_new(L);
    if (lu_to_device(ctx, c, a, cpu)) lb_fail(L, ctx);
    {
      lu_array *f = lb_new(L);
      int64_t j;
      if (lu_astype(ctx, f, c, LU_FLOAT64)) lb_fail(L, ctx);
      q = (double *)lua_newuserdatauv(L, sizeof(double) * (size_t)(f->size ? f->size : 1), 0);
      if (f->size && lu_to_host_as(ctx, f, q, lb_fname(L))) lb_fail(L, ctx);
      for (j = 0; j < f->size; j++) q[j] /= scale;
    }
    *qndim = a->ndim;
    for (i = 0; i < a->ndim; i++) qshape[i] = a->shape[i];
  }
  return q;   /* kept alive by the userdata left on the stack */
}

static int read_method(lua_State *L, const lb_params *p, int km, int ki) {
  const char *m = lb_pstr(L, p, km, "method", NULL), *old = lb_pstr(L, p, ki, "interpolation", NULL);
  int i;
  if (old) {
    if (m) lb_argerror(L, lb_pargn(p, ki), "give method or interpolation, not both");
    m = old;
  }
  if (m == NULL) return LU_Q_LINEAR;
  for (i = 0; qmethods[i]; i++) if (strcmp(m, qmethods[i]) == 0) return i;
  return lb_argerror(L, lb_pargn(p, old ? ki : km), "'%s' is not a valid method", m);
}

/* percentile, quantile and their nan forms: upvalue 3 = 1 for
** percentiles + 2 for the nan forms */
static int l_quantile(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int which = (int)lua_tointeger(L, lua_upvalueindex(3)), pct = which & 1, nan = which >> 1;
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out, *w = NULL;
  double *q;
  int64_t qshape[LU_MAXDIM], nq = 1;
  int axes[LU_MAXDIM], naxes, qndim, weak, method, i, keepdims;
  lb_getparams(L, 2, "q,axis,out,overwrite_input,method,keepdims", "weights,interpolation", &p);
  if (lu_dtype_kind(a->dtype) == 'c')   /* NumPy 1.25 */
    lb_argerror(L, 1, "a must be an array of real numbers, got %s", lu_dtype_name(a->dtype));
  naxes = lb_paxes(L, &p, 1, a->ndim, axes);
  lb_pbool(L, &p, 3, "overwrite_input", 0);
  method = read_method(L, &p, 4, 7);
  keepdims = lb_pbool(L, &p, 5, "keepdims", 0);
  if (p.idx[6]) {
    lu_device d = lu_array_device(a);
    w = lb_toarray(L, p.idx[6], &d);
    if (method != LU_Q_INVERTED_CDF)
      lb_argerror(L, lb_pargn(&p, 6), "only method 'inverted_cdf' supports weights, got '%s'",
                  qmethods[method]);
  }
  q = read_q(L, &p, 0, pct ? 100.0 : 1.0, &qndim, qshape, &weak);
  for (i = 0; i < qndim; i++) nq *= qshape[i];
  for (i = 0; i < nq; i++)
    if (!(q[i] >= 0.0 && q[i] <= 1.0))
      lb_argerror(L, lb_pargn(&p, 0), pct ? "percentiles must be in the range [0, 100]"
                                          : "quantiles must be in the range [0, 1]");
  out = lb_new(L);
  if (w ? lu_quantile_weighted(ctx, out, a, qndim, qshape, q, nan, naxes, axes, keepdims, w)
        : lu_quantile(ctx, out, a, qndim, qshape, q, method, nan, weak, naxes, axes, keepdims))
    return lb_fail(L, ctx);
  return lb_pout(L, ctx, &p, 2, -1);
}

static int l_median(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int nan = (int)lua_tointeger(L, lua_upvalueindex(3));
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out;
  int axes[LU_MAXDIM], naxes;
  lb_getparams(L, 2, "axis,out,overwrite_input,keepdims", NULL, &p);
  naxes = lb_paxes(L, &p, 0, a->ndim, axes);
  lb_pbool(L, &p, 2, "overwrite_input", 0);
  out = lb_new(L);
  if (lu_median(ctx, out, a, nan, naxes, axes, lb_pbool(L, &p, 3, "keepdims", 0)))
    return lb_fail(L, ctx);
  return lb_pout(L, ctx, &p, 1, -1);
}
/* }====================================================== */

/* register f as lunar.NAME (and as the method NAME when method) */
static void reg(lua_State *L, int mod, int methods, const char *name, lua_CFunction f, int up,
                int method) {
  lua_pushfstring(L, "lunar.%s", name);
  lb_pushfn(L, f, lua_tostring(L, -1), 0, up);
  lua_setfield(L, mod, name);
  lua_pop(L, 1);
  if (!method) return;
  lua_pushfstring(L, "array:%s", name);
  lb_pushfn(L, f, lua_tostring(L, -1), 1, up);
  lua_setfield(L, methods, name);
  lua_pop(L, 1);
}

void lb_open_stats(lua_State *L, int mod, int methods) {
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  reg(L, mod, methods, "cumsum", l_cumulative, 0, 1);
  reg(L, mod, methods, "cumprod", l_cumulative, 1, 1);
  reg(L, mod, methods, "nancumsum", l_cumulative, 2, 0);
  reg(L, mod, methods, "nancumprod", l_cumulative, 3, 0);
  reg(L, mod, methods, "cumulative_sum", l_cumulative2, 0, 0);
  reg(L, mod, methods, "cumulative_prod", l_cumulative2, 1, 0);
  reg(L, mod, methods, "cummax", l_cumextreme, 1, 1);
  reg(L, mod, methods, "cummin", l_cumextreme, 0, 1);
  reg(L, mod, methods, "diff", l_diff, -1, 0);
  reg(L, mod, methods, "ediff1d", l_ediff1d, -1, 0);
  reg(L, mod, methods, "gradient", l_gradient, -1, 0);
  reg(L, mod, methods, "trapezoid", l_trapezoid, -1, 0);
  reg(L, mod, methods, "trapz", l_trapezoid, -1, 0);
  reg(L, mod, methods, "median", l_median, 0, 0);
  reg(L, mod, methods, "nanmedian", l_median, 1, 0);
  reg(L, mod, methods, "quantile", l_quantile, 0, 0);
  reg(L, mod, methods, "percentile", l_quantile, 1, 0);
  reg(L, mod, methods, "nanquantile", l_quantile, 2, 0);
  reg(L, mod, methods, "nanpercentile", l_quantile, 3, 0);
}
