/* SPDX-License-Identifier: MIT */
/*
** Computation: lunar._ops (the op table, read-only) and matmul. The
** elementwise ops and the operators are in lb_ufunc.c, the reductions in
** lb_reduce.c.
*/
#include <string.h>
#include "lb.h"

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
  int i, n = 0;
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  (void)meta;
  /* lunar._ops[i] = {name =, nin =}: the op table's functions, read-only
  ** (rows named "_..." are parts of other functions: lb_ufunc.c) */
  lua_createtable(L, LU_NOPS, 0);
  for (i = 0; i < LU_NOPS; i++) {
    if (lu_ops[i].name[0] == '_') continue;
    lua_createtable(L, 0, 2);
    lua_pushstring(L, lu_ops[i].name);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, lu_ops[i].nin);
    lua_setfield(L, -2, "nin");
    lb_readonly(L);
    lua_rawseti(L, -2, ++n);
  }
  lb_readonly(L);
  lua_setfield(L, mod, "_ops");
  both(L, mod, methods, "matmul", l_matmul, -1);
  both(L, mod, methods, "dot", l_matmul, -1);
}
