/* SPDX-License-Identifier: MIT */
/*
** Computation: lunar._ops (the op table, read-only). The elementwise ops
** and the operators are in lb_ufunc.c, the reductions in lb_reduce.c,
** matmul and dot in lb_contract.c.
*/
#include <string.h>
#include "lb.h"

void lb_open_ops(lua_State *L, int mod, int methods, int meta) {
  int i, n = 0;
  mod = lua_absindex(L, mod);
  (void)methods;
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
}
