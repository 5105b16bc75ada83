/* SPDX-License-Identifier: MIT */
/*
** Computation: one C function for every elementwise op of the op table
** (upvalue 3 is the op), the arithmetic metamethods, the reductions of the
** reduction table plus mean/var/std, and matmul.
*/
#include <string.h>
#include "lb.h"

/* lunar.NAME(x, y, ...) and a:NAME(y, ...) for every op table row. */
static int l_ewise(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_op op = (lu_op)lua_tointeger(L, lua_upvalueindex(3));
  int nin = lu_ops[op].nin, k;
  lu_arg args[3];
  lu_array *out;
  for (k = 0; k < nin; k++) lb_toarg(L, k + 1, &args[k]);
  out = lb_new(L);
  if (lu_ewise(ctx, op, nin, args, out)) return lb_fail(L, ctx);
  return 1;
}

/* {===== reductions */

/* Options of a reduction: (axis [, keepdims]) or ({axis=, keepdims=, ddof=}).
** axis nil: every axis. */
static void redargs(lua_State *L, const lu_array *a, int *axis, int *keepdims,
                    int *ddof) {
  *axis = LU_ALLAXES;
  *keepdims = 0;
  *ddof = 0;
  if (lua_type(L, 2) == LUA_TTABLE) {
    lb_kw kw;
    lb_kwargs(L, 2, "axis,keepdims,ddof", &kw);
    if (lb_kwfield(L, &kw, "axis") != LUA_TNIL) {
      int isint;
      lua_Integer ax = lua_tointegerx(L, -1, &isint);
      if (!isint) lb_argerror(L, 2, "axis must be an integer, got %s", luaL_typename(L, -1));
      *axis = lb_axis(L, 2, ax, a->ndim, 0);
    }
    lua_pop(L, 1);
    lb_kwfield(L, &kw, "keepdims");
    *keepdims = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (lb_kwfield(L, &kw, "ddof") != LUA_TNIL) {
      int isint;
      lua_Integer d = lua_tointegerx(L, -1, &isint);
      if (!isint || d < 0) lb_argerror(L, 2, "ddof must be a non-negative integer");
      *ddof = (int)d;
    }
    lua_pop(L, 1);
    if (!lua_isnoneornil(L, 3)) lb_argerror(L, 3, "unexpected argument");
    return;
  }
  if (!lua_isnoneornil(L, 2)) {
    int isint;
    lua_Integer ax = lua_tointegerx(L, 2, &isint);
    if (!isint)
      lb_argerror(L, 2, "axis (integer) or options table expected, got %s",
                  luaL_typename(L, 2));
    *axis = lb_axis(L, 2, ax, a->ndim, 0);
  }
  if (!lua_isnoneornil(L, 3)) {
    if (lua_type(L, 3) != LUA_TBOOLEAN)
      lb_argerror(L, 3, "keepdims must be a boolean, got %s", luaL_typename(L, 3));
    *keepdims = lua_toboolean(L, 3);
  }
}

/* upvalue 3: an lu_redop, or LU_RX_MEAN/VAR/STD. argmin/argmax come back
** 0-based from the core and are shifted to Lua's 1-based positions in place. */
static int l_reduce(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int op = (int)lua_tointeger(L, lua_upvalueindex(3));
  lu_array *a = lb_check(L, 1), *out;
  int axis, keepdims, ddof;
  redargs(L, a, &axis, &keepdims, &ddof);
  out = lb_new(L);
  if (lu_reduce(ctx, out, op, a, axis, keepdims, ddof)) return lb_fail(L, ctx);
  if (op == LU_RED_argmin || op == LU_RED_argmax) {
    lu_arg args[2];
    memset(args, 0, sizeof args);
    args[0].arr = out;
    args[1].s.kind = 'i';
    args[1].s.i = 1;
    if (lu_ewise(ctx, LU_OP_add, 2, args, out)) return lb_fail(L, ctx);
  }
  return 1;
}
/* }===== */

static int l_matmul(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *b = lb_check(L, 2), *out;
  out = lb_new(L);
  if (lu_matmul(ctx, out, a, b)) return lb_fail(L, ctx);
  return 1;
}

/* Register f with upvalue `extra` as lunar.NAME and as the method NAME. */
static void both(lua_State *L, int mod, int methods, const char *name,
                 lua_CFunction f, int extra) {
  lua_pushfstring(L, "lunar.%s", name);
  lb_pushfn(L, f, lua_tostring(L, -1), 0, extra);
  lua_setfield(L, mod, name);
  lua_pop(L, 1);
  lua_pushfstring(L, "array:%s", name);
  lb_pushfn(L, f, lua_tostring(L, -1), 1, extra);
  lua_setfield(L, methods, name);
  lua_pop(L, 1);
}

void lb_open_ops(lua_State *L, int mod, int methods, int meta) {
  static const struct { const char *alias; lu_op op; } cmp[] = {
    {"eq", LU_OP_equal}, {"ne", LU_OP_not_equal}, {"lt", LU_OP_less},
    {"le", LU_OP_less_equal}, {"gt", LU_OP_greater}, {"ge", LU_OP_greater_equal},
  };
  static const struct { const char *event; lu_op op; } mm[] = {
    {"__add", LU_OP_add}, {"__sub", LU_OP_subtract}, {"__mul", LU_OP_multiply},
    {"__div", LU_OP_divide}, {"__idiv", LU_OP_floor_divide}, {"__mod", LU_OP_mod},
    {"__pow", LU_OP_power}, {"__unm", LU_OP_negative},
  };
  int i;
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  meta = lua_absindex(L, meta);
  for (i = 0; i < LU_NOPS; i++) both(L, mod, methods, lu_ops[i].name, l_ewise, i);
  for (i = 0; i < (int)(sizeof cmp / sizeof cmp[0]); i++) {
    lua_pushfstring(L, "array:%s", cmp[i].alias);
    lb_pushfn(L, l_ewise, lua_tostring(L, -1), 1, cmp[i].op);
    lua_setfield(L, methods, cmp[i].alias);
    lua_pop(L, 1);
  }
  for (i = 0; i < (int)(sizeof mm / sizeof mm[0]); i++) {
    lb_pushfn(L, l_ewise, lu_ops[mm[i].op].name, 0, mm[i].op);
    lua_setfield(L, meta, mm[i].event);
  }
  for (i = 0; i < LU_NREDS; i++) both(L, mod, methods, lu_reds[i].name, l_reduce, i);
  both(L, mod, methods, "mean", l_reduce, LU_RX_MEAN);
  both(L, mod, methods, "var", l_reduce, LU_RX_VAR);
  both(L, mod, methods, "std", l_reduce, LU_RX_STD);
  both(L, mod, methods, "matmul", l_matmul, -1);
  both(L, mod, methods, "dot", l_matmul, -1);
}
