/* SPDX-License-Identifier: MIT */
/*
** More readers of parameters parsed by lb_getparams (lb_args.c): booleans,
** strings, numbers, lists of axes and array-like values. Each raises,
** naming the argument (or the options table), when the value is of another
** type; each returns its default when the parameter was not given.
*/
#include <string.h>
#include "lb.h"

int lb_pbool(lua_State *L, const lb_params *p, int i, const char *what, int dflt) {
  int idx = p->idx[i];
  if (!idx) return dflt;
  if (lua_type(L, idx) != LUA_TBOOLEAN)
    lb_argerror(L, lb_pargn(p, i), "%s must be a boolean, got %s", what, luaL_typename(L, idx));
  return lua_toboolean(L, idx);
}

const char *lb_pstr(lua_State *L, const lb_params *p, int i, const char *what, const char *dflt) {
  int idx = p->idx[i];
  if (!idx) return dflt;
  if (lua_type(L, idx) != LUA_TSTRING)
    lb_argerror(L, lb_pargn(p, i), "%s must be a string, got %s", what, luaL_typename(L, idx));
  return lua_tostring(L, idx);
}

double lb_pnum(lua_State *L, const lb_params *p, int i, const char *what, double dflt) {
  int idx = p->idx[i];
  if (!idx) return dflt;
  if (lua_type(L, idx) != LUA_TNUMBER)
    lb_argerror(L, lb_pargn(p, i), "%s must be a number, got %s", what, luaL_typename(L, idx));
  return (double)lua_tonumber(L, idx);
}

/* Axes: an axis, or a table of distinct axes (1-based, negative from the
** end). Returns how many, 0 when not given or false (NumPy's None: every
** axis). */
int lb_paxes(lua_State *L, const lb_params *p, int i, int ndim, int *axes) {
  int idx = p->idx[i], n = 0, a, b;
  if (!idx || (lua_type(L, idx) == LUA_TBOOLEAN && !lua_toboolean(L, idx))) return 0;
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lua_Integer len = luaL_len(L, idx), m;
    if (len < 1 || len > LU_MAXDIM)
      lb_argerror(L, lb_pargn(p, i), "a list of 1 to %d axes expected", LU_MAXDIM);
    for (m = 1; m <= len; m++) {
      int isint;
      lua_Integer ax;
      lua_geti(L, idx, m);
      ax = lua_tointegerx(L, -1, &isint);
      lua_pop(L, 1);
      if (!isint) lb_argerror(L, lb_pargn(p, i), "axes must be integers");
      axes[n++] = lb_axis(L, lb_pargn(p, i), ax, ndim, 0);
    }
    for (a = 0; a < n; a++)
      for (b = a + 1; b < n; b++)
        if (axes[a] == axes[b]) lb_argerror(L, lb_pargn(p, i), "repeated axis %d", axes[a] + 1);
    return n;
  }
  axes[0] = lb_paxis(L, p, i, ndim, 0, 0, 0);
  return 1;
}

/* An array-like parameter (an array, a nested table, a number or a
** boolean) as an array on dev (NULL: the default device); required. */
lu_array *lb_parray(lua_State *L, const lb_params *p, int i, const char *what,
                    const lu_device *dev) {
  int idx = p->idx[i];
  if (!idx) {
    luaL_error(L, "%s: %s expected", lb_fname(L), what);
    return NULL;
  }
  return lb_toarray(L, idx, dev);
}

/* out= : the result (top of the stack) copied into the array given as
** parameter k, which must have its shape; that array is returned. casting
** >= 0: the result's dtype must cast to out's under that rule. */
int lb_pout(lua_State *L, lu_ctx *ctx, const lb_params *p, int k, int casting) {
  lu_array *r = lb_check(L, -1), *o;
  lu_arg g;
  int i, same;
  if (!p->idx[k]) return 1;
  o = lb_test(L, p->idx[k]);
  if (o == NULL) lb_argerror(L, lb_pargn(p, k), "out must be an array, got %s", luaL_typename(L, p->idx[k]));
  same = o->ndim == r->ndim;
  for (i = 0; same && i < r->ndim; i++) same = o->shape[i] == r->shape[i];
  if (!same) {
    char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
    lb_argerror(L, lb_pargn(p, k), "out has shape %s, the result has shape %s",
                lu_shape_str(o->ndim, o->shape, s1, sizeof s1),
                lu_shape_str(r->ndim, r->shape, s2, sizeof s2));
  }
  if (casting >= 0 && !lu_can_cast(r->dtype, o->dtype, (lu_casting)casting))
    lb_argerror(L, lb_pargn(p, k), "cannot cast the result from %s to out's %s according to the rule '%s'",
                lu_dtype_name(r->dtype), lu_dtype_name(o->dtype), lu_casting_name((lu_casting)casting));
  memset(&g, 0, sizeof g);
  g.arr = r;
  if (lu_assign(ctx, o, &g)) return lb_fail(L, ctx);
  lua_pushvalue(L, p->idx[k]);
  return 1;
}
