/* SPDX-License-Identifier: MIT */
/*
** The workbench's C side (doc/api/workbench.md): what lua/workbench.lua
** needs from C (internal.isatty).
*/
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>
#include "lb.h"

/* internal.isatty(fd): whether the descriptor is a terminal */
static int l_isatty(lua_State *L) {
  lua_Integer fd = luaL_checkinteger(L, 1);
  lua_pushboolean(L, fd >= 0 && fd <= 2 && isatty((int)fd));
  return 1;
}

void lb_open_workbench(lua_State *L, int mod, int internal) {
  (void)mod;
  internal = lua_absindex(L, internal);
  lua_pushcfunction(L, l_isatty);
  lua_setfield(L, internal, "isatty");
}
