/* SPDX-License-Identifier: MIT */
/*
** Computation: one C function for every elementwise op of the op table
** (upvalue 3 is the op), the arithmetic metamethods and lunar._ops. The
** reductions are in lb_reduce.c, matmul and dot in lb_contract.c.
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
  /* lunar._ops[i] = {name =, nin =}: the op table, read-only */
  lua_createtable(L, LU_NOPS, 0);
  for (i = 0; i < LU_NOPS; i++) {
    lua_createtable(L, 0, 2);
    lua_pushstring(L, lu_ops[i].name);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, lu_ops[i].nin);
    lua_setfield(L, -2, "nin");
    lb_readonly(L);
    lua_rawseti(L, -2, i + 1);
  }
  lb_readonly(L);
  lua_setfield(L, mod, "_ops");
}
