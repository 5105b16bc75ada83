/* SPDX-License-Identifier: MIT */
/*
** Weighted means, covariance and correlation: average, cov, corrcoef,
** correlate, convolve. Parameters in NumPy's order, by position or in a
** trailing options table (lb_getparams).
*/
#include <string.h>
#include "lb.h"

/* average(a [, axis [, weights [, returned]]] [, {keepdims = }]) */
static int l_average(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *w = NULL, *avg, *scl = NULL;
  int axes[LU_MAXDIM], naxes, returned;
  lb_getparams(L, 2, "axis,weights,returned", "keepdims", &p);
  naxes = lb_paxes(L, &p, 0, a->ndim, axes);
  if (p.idx[1]) {
    lu_device d = lu_array_device(a);
    w = lb_toarray(L, p.idx[1], &d);
  }
  returned = lb_pbool(L, &p, 2, "returned", 0);
  avg = lb_new(L);
  if (returned) scl = lb_new(L);
  if (lu_average(ctx, avg, scl, a, naxes, axes, w, lb_pbool(L, &p, 3, "keepdims", 0)))
    return lb_fail(L, ctx);
  return returned ? 2 : 1;
}

static lu_array *opt_array(lua_State *L, const lb_params *p, int i, const lu_array *like) {
  lu_device d = lu_array_device(like);
  return p->idx[i] ? lb_toarray(L, p->idx[i], &d) : NULL;
}

/* cov(m [, y [, rowvar [, bias [, ddof [, fweights [, aweights]]]]]] [, {dtype = }]) */
static int l_cov(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *m = lb_toarray(L, 1, NULL), *y, *fw, *aw, *out;
  lb_getparams(L, 2, "y,rowvar,bias,ddof,fweights,aweights", "dtype", &p);
  y = opt_array(L, &p, 0, m);
  fw = opt_array(L, &p, 4, m);
  aw = opt_array(L, &p, 5, m);
  out = lb_new(L);
  if (lu_cov(ctx, out, m, y, lb_pbool(L, &p, 1, "rowvar", 1), lb_pbool(L, &p, 2, "bias", 0),
             (int)lb_pint(L, &p, 3, "ddof", 0), p.idx[3] != 0, fw, aw, lb_pdtype(L, &p, 6), NULL))
    return lb_fail(L, ctx);
  return 1;
}

/* corrcoef(x [, y [, rowvar [, bias [, ddof]]]] [, {dtype = }]): bias and
** ddof are NumPy's deprecated parameters, accepted and without effect (the
** coefficients do not depend on them) */
static int l_corrcoef(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *x = lb_toarray(L, 1, NULL), *y, *out;
  lb_getparams(L, 2, "y,rowvar,bias,ddof", "dtype", &p);
  y = opt_array(L, &p, 0, x);
  lb_pbool(L, &p, 2, "bias", 0);
  if (p.idx[3] && !lua_isnil(L, p.idx[3]) && !lua_isinteger(L, p.idx[3]))
    lb_argerror(L, lb_pargn(&p, 3), "ddof must be an integer");
  out = lb_new(L);
  if (lu_corrcoef(ctx, out, x, y, lb_pbool(L, &p, 1, "rowvar", 1), lb_pdtype(L, &p, 4)))
    return lb_fail(L, ctx);
  return 1;
}

/* correlate(a, v [, mode] [, {method = }]) and convolve(a, v [, mode] [,
** {method = }]): upvalue 3 = 1 for convolve; mode "valid", "same" or
** "full" (or NumPy's 0, 1, 2); method "auto", "direct" or "fft" (a lunar
** keyword, as scipy.signal.convolve's) */
static int l_correlate(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int conv = (int)lua_tointeger(L, lua_upvalueindex(3)), mode = conv ? 2 : 0;
  lu_convmethod method = LU_CONV_AUTO;
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *v, *out;
  lu_device d = lu_array_device(a);
  lb_getparams(L, 2, "v,mode", "method", &p);
  v = lb_parray(L, &p, 0, "v", &d);
  if (p.idx[1]) {
    int idx = p.idx[1];
    if (lua_type(L, idx) == LUA_TNUMBER) {
      mode = (int)lua_tointeger(L, idx);
      if (mode < 0 || mode > 2 || !lua_isinteger(L, idx))
        lb_argerror(L, lb_pargn(&p, 1), "mode must be 'valid', 'same' or 'full' (or 0, 1, 2)");
    } else {
      const char *s = lb_pstr(L, &p, 1, "mode", "valid");
      if (strcmp(s, "valid") == 0 || strcmp(s, "v") == 0) mode = 0;
      else if (strcmp(s, "same") == 0 || strcmp(s, "s") == 0) mode = 1;
      else if (strcmp(s, "full") == 0 || strcmp(s, "f") == 0) mode = 2;
      else lb_argerror(L, lb_pargn(&p, 1), "mode must be 'valid', 'same' or 'full', got '%s'", s);
    }
  }
  if (p.idx[2]) {
    const char *s = lb_pstr(L, &p, 2, "method", "auto");
    if (strcmp(s, "auto") == 0) method = LU_CONV_AUTO;
    else if (strcmp(s, "direct") == 0) method = LU_CONV_DIRECT;
    else if (strcmp(s, "fft") == 0) method = LU_CONV_FFT;
    else lb_argerror(L, lb_pargn(&p, 2), "method must be 'auto', 'direct' or 'fft', got '%s'", s);
  }
  out = lb_new(L);
  if (lu_correlate(ctx, out, a, v, mode, conv, method)) return lb_fail(L, ctx);
  return 1;
}

void lb_open_corr(lua_State *L, int mod) {
  static const struct { const char *name; lua_CFunction f; int up; } fns[] = {
    {"average", l_average, 0}, {"cov", l_cov, 0}, {"corrcoef", l_corrcoef, 0},
    {"correlate", l_correlate, 0}, {"convolve", l_correlate, 1},
  };
  int i;
  mod = lua_absindex(L, mod);
  for (i = 0; i < (int)(sizeof fns / sizeof fns[0]); i++) {
    lua_pushfstring(L, "lunar.%s", fns[i].name);
    lb_pushfn(L, fns[i].f, lua_tostring(L, -1), 0, fns[i].up);
    lua_setfield(L, mod, fns[i].name);
    lua_pop(L, 1);
  }
}
