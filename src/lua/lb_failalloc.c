/* SPDX-License-Identifier: MIT */
/*
** The allocation-failure walk's hook (tests/allocfail), in the registry as
** "lunar.failalloc" rather than in the module: a test switch, not an API.
**   ok, err, count = failalloc(fn, n, kinds [, persist])
** calls fn() protected with the seam of lu_hostmem.h armed so that the nth
** allocation of the kinds named ("host", "lua", "device", or "all") fails,
** and with persist every later one too; returns pcall's first two results
** and the number of allocations counted. count < n: no allocation failed.
** The seam is disarmed in C as soon as fn returns, before anything else
** allocates, so the caller runs with memory again.
**
** Lua's own allocations fail through a wrapper of the state's allocator
** (lua_getallocf/lua_setallocf, so it works under any host that embeds
** lunar) that never fails a free or a shrink, as Lua requires; Lua reports
** its failures as "not enough memory".
*/
#include <string.h>
#include "lb.h"
#include "lu_hostmem.h"

typedef struct orig_alloc { lua_Alloc f; void *ud; } orig_alloc;

static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  const orig_alloc *o = (const orig_alloc *)ud;
  if (nsize > 0 && (ptr == NULL || nsize > osize) && lu_fail_alloc(LU_FAIL_LUA)) return NULL;
  return o->f(o->ud, ptr, osize, nsize);
}

static int failalloc(lua_State *L) {
  static const char *const names[] = {"host", "lua", "device", "all", NULL};
  static const int masks[] = {LU_FAIL_HOST, LU_FAIL_LUA, LU_FAIL_DEVICE,
                              LU_FAIL_HOST | LU_FAIL_LUA | LU_FAIL_DEVICE};
  lua_Integer n = luaL_checkinteger(L, 2);
  int mask = masks[luaL_checkoption(L, 3, "all", names)];
  int persist = lua_toboolean(L, 4), status;
  orig_alloc o;
  long count;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 1);
  o.f = lua_getallocf(L, &o.ud);
  if (mask & LU_FAIL_LUA) lua_setallocf(L, failing_alloc, &o);
  lu_fail_arm(mask, n > 0 ? (long)n : 0, persist);
  status = lua_pcall(L, 0, 1, 0);
  count = lu_fail_disarm();
  if (mask & LU_FAIL_LUA) lua_setallocf(L, o.f, o.ud);
  lua_pushboolean(L, status == LUA_OK);
  lua_insert(L, -2);
  lua_pushinteger(L, (lua_Integer)count);
  return 3;
}

void lb_open_failalloc(lua_State *L) {
  lua_pushcfunction(L, failalloc);
  lua_setfield(L, LUA_REGISTRYINDEX, "lunar.failalloc");
}
