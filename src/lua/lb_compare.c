/* SPDX-License-Identifier: MIT */
/*
** Whole-array comparisons answering with one Lua boolean:
** lunar.array_equal(a, b) and lunar.allclose(a, b [, rtol [, atol
** [, equal_nan]]]), with NumPy's meanings (NaN equals nothing unless
** equal_nan; equal infinities are close).
** Every intermediate array is a pushed userdata, so an error frees it.
*/
#include <string.h>
#include "lb.h"

/* Make the operand at idx an array on `like`'s device (NULL: the default
** device), replacing it on the stack. */
static lu_array *asarray(lua_State *L, lu_ctx *ctx, int idx, const lu_array *like) {
  lu_array *a = lb_test(L, idx);
  lu_device dev = like ? lu_array_device(like) : lu_ctx_default_device(ctx);
  if (a) return a;
  switch (lua_type(L, idx)) {
  case LUA_TTABLE:
    a = lb_fromtable(L, idx, -1, &dev);
    break;
  case LUA_TNUMBER: case LUA_TBOOLEAN: {
    lu_arg s;
    lb_toarg(L, idx, &s);
    a = lb_new(L);
    if (lu_full(ctx, a, lu_scalar_dtype(s.s), 0, NULL, dev, s.s))
      lb_fail(L, ctx);
    break;
  }
  default:
    lb_argerror(L, idx, "array, table, number or boolean expected, got %s",
                luaL_typename(L, idx));
  }
  lua_replace(L, idx);
  return a;
}

static void operands(lua_State *L, lu_ctx *ctx, lu_array **a, lu_array **b) {
  if (!lb_test(L, 1) && lb_test(L, 2)) {
    *b = asarray(L, ctx, 2, NULL);
    *a = asarray(L, ctx, 1, *b);
  } else {
    *a = asarray(L, ctx, 1, NULL);
    *b = asarray(L, ctx, 2, *a);
  }
}

static lu_array *ewise2(lua_State *L, lu_ctx *ctx, lu_op op, const lu_array *x,
                        const lu_array *y, lu_scalar *sy) {
  lu_arg args[2];
  lu_array *out;
  memset(args, 0, sizeof args);
  args[0].arr = x;
  if (y) args[1].arr = y; else args[1].s = *sy;
  out = lb_new(L);
  if (lu_ewise(ctx, op, 2, args, out)) lb_fail(L, ctx);
  return out;
}

/* Push all(m) as a Lua boolean (true for an empty m). */
static int pushall(lua_State *L, lu_ctx *ctx, const lu_array *m) {
  lu_array *r;
  if (m->size == 0) {
    lua_pushboolean(L, 1);
    return 1;
  }
  r = lb_new(L);
  if (lu_reduce(ctx, r, LU_RED_all, m, LU_ALLAXES, 0, 0)) return lb_fail(L, ctx);
  lb_pushelement(L, ctx, r);
  return 1;
}

static int l_array_equal(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a, *b;
  int i;
  lua_settop(L, 2);
  operands(L, ctx, &a, &b);
  if (a->ndim != b->ndim) {
    lua_pushboolean(L, 0);
    return 1;
  }
  for (i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) {
      lua_pushboolean(L, 0);
      return 1;
    }
  return pushall(L, ctx, ewise2(L, ctx, LU_OP_equal, a, b, NULL));
}

/* all(isclose(a, b, rtol, atol, equal_nan)) */
static int l_allclose(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a, *b, *d;
  lu_arg x, y;
  double rtol = 1e-5, atol = 1e-8;
  int equal_nan = 0;
  lua_settop(L, 5);
  luaL_checkstack(L, 24, NULL);
  if (lua_type(L, 3) == LUA_TTABLE) {
    lb_kw kw;
    lb_kwargs(L, 3, "rtol,atol,equal_nan", &kw);
    if (lb_kwfield(L, &kw, "rtol") != LUA_TNIL) rtol = luaL_checknumber(L, -1);
    if (lb_kwfield(L, &kw, "atol") != LUA_TNIL) atol = luaL_checknumber(L, -1);
    if (lb_kwfield(L, &kw, "equal_nan") != LUA_TNIL) equal_nan = lua_toboolean(L, -1);
    if (!lua_isnil(L, 4)) lb_argerror(L, 4, "unexpected argument (%s)", luaL_typename(L, 4));
    lua_settop(L, 5);
  } else {
    if (!lua_isnil(L, 3)) {
      if (lua_type(L, 3) != LUA_TNUMBER) lb_argerror(L, 3, "rtol must be a number");
      rtol = lua_tonumber(L, 3);
    }
    if (!lua_isnil(L, 4)) {
      if (lua_type(L, 4) != LUA_TNUMBER) lb_argerror(L, 4, "atol must be a number");
      atol = lua_tonumber(L, 4);
    }
    if (!lua_isnil(L, 5)) {
      if (lua_type(L, 5) != LUA_TBOOLEAN) lb_argerror(L, 5, "equal_nan must be a boolean");
      equal_nan = lua_toboolean(L, 5);
    }
  }
  operands(L, ctx, &a, &b);
  memset(&x, 0, sizeof x);
  memset(&y, 0, sizeof y);
  x.arr = a;
  y.arr = b;
  d = lb_new(L);
  if (lu_isclose(ctx, &x, &y, rtol, atol, equal_nan, d)) return lb_fail(L, ctx);
  return pushall(L, ctx, d);
}

void lb_open_compare(lua_State *L, int mod) {
  static const luaL_Reg fns[] = {
    {"array_equal", l_array_equal}, {"allclose", l_allclose}, {NULL, NULL}
  };
  lb_register(L, mod, fns, "lunar.", 0);
}
