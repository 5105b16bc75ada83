/* SPDX-License-Identifier: MIT */
/*
** The workbench's C side (doc/api/workbench.md): strict synchronisation,
** the memory pools (lunar.memory_pool, lunar.cuda.memory_pool,
** lunar.cuda.pinned_memory_pool), and what lua/workbench.lua and
** lua/format.lua need from C (the internal table): the counters, isatty,
** host_wait and explicitly.
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lb.h"

#define LB_POOL "lunar.memory_pool"
#define POOL_MAGIC 0x706f6f6cu

/* internal.isatty(fd): whether the descriptor (0, 1, 2) is a terminal */
static int l_isatty(lua_State *L) {
  lua_Integer fd = luaL_checkinteger(L, 1);
  lua_pushboolean(L, fd >= 0 && fd <= 2 && isatty((int)fd));
  return 1;
}

/* {===== counters and strict mode */
static void setnum(lua_State *L, const char *k, uint64_t v) {
  lua_pushinteger(L, v > (uint64_t)LUA_MAXINTEGER ? LUA_MAXINTEGER : (lua_Integer)v);
  lua_setfield(L, -2, k);
}

/* internal.counters(): the context's counters as a new table */
static int l_counters(lua_State *L) {
  lu_counters c;
  lu_ctx_counters(lb_ctx(L), &c);
  lua_createtable(L, 0, 8);
  setnum(L, "launches", c.launches);
  setnum(L, "compiled", c.compiled);
  setnum(L, "allocs", c.allocs);
  setnum(L, "alloc_bytes", c.alloc_bytes);
  setnum(L, "h2d_bytes", c.h2d_bytes);
  setnum(L, "d2h_bytes", c.d2h_bytes);
  setnum(L, "syncs", c.syncs);
  setnum(L, "fused", c.fused);
  setnum(L, "fused_hits", c.fused_hits);
  setnum(L, "graph_replays", c.graph_replays);
  setnum(L, "deferred", c.deferred);
  setnum(L, "unfused", c.unfused);
  return 1;
}

static int l_counters_reset(lua_State *L) {
  lu_ctx_counters_reset(lb_ctx(L));
  return 0;
}

/* lunar.set_strict_sync(on): returns the previous setting */
static int l_set_strict_sync(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int old = lu_ctx_strict_sync(ctx);
  if (lua_type(L, 1) != LUA_TBOOLEAN)
    return lb_argerror(L, 1, "boolean expected, got %s", luaL_typename(L, 1));
  if (lua_gettop(L) > 1) return luaL_error(L, "%s: takes 1 argument, got %d", lb_fname(L), lua_gettop(L));
  lu_ctx_set_strict_sync(ctx, lua_toboolean(L, 1));
  lua_pushboolean(L, old);
  return 1;
}

/* The fusion setting as Lua sees it: false, true (GPU arrays) or "all" */
static void pushfusion(lua_State *L, int mode) {
  if (mode == LU_FUSION_ALL) lua_pushliteral(L, "all");
  else lua_pushboolean(L, mode == LU_FUSION_GPU);
}

/* lunar.set_fusion(on): automatic fusion off (false), on for GPU arrays
** (true, the default), or on every device ("all"); returns the previous
** setting. Turning it off computes what is pending. */
static int l_set_fusion(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int old = lu_fusion_mode(ctx), mode;
  if (lua_gettop(L) > 1) return luaL_error(L, "%s: takes 1 argument, got %d", lb_fname(L), lua_gettop(L));
  if (lua_type(L, 1) == LUA_TBOOLEAN) mode = lua_toboolean(L, 1) ? LU_FUSION_GPU : LU_FUSION_OFF;
  else if (lua_type(L, 1) == LUA_TSTRING && strcmp(lua_tostring(L, 1), "all") == 0) mode = LU_FUSION_ALL;
  else return lb_argerror(L, 1, "true, false or \"all\" expected, got %s",
                          lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : luaL_typename(L, 1));
  if (lu_set_fusion_mode(ctx, mode)) return lb_fail(L, ctx);
  pushfusion(L, old);
  return 1;
}

/* lunar.get_fusion(): the setting, as set_fusion takes it */
static int l_get_fusion(lua_State *L) {
  if (lua_gettop(L) > 0) return luaL_error(L, "%s: takes no arguments, got %d", lb_fname(L), lua_gettop(L));
  pushfusion(L, lu_fusion_mode(lb_ctx(L)));
  return 1;
}

/* internal.host_wait(a, what): the host is about to wait for a's device on
** behalf of `what` (counted, or refused in strict mode) */
static int l_host_wait(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1);
  const char *what = luaL_checkstring(L, 2);
  if (lu_host_wait(ctx, lu_array_device(a), what)) return lb_fail(L, ctx);
  return 0;
}

/* internal.explicitly(f, ...): f(...) with its host waits not counted (a
** wait already accounted for, as printing's corner blocks) */
static int l_explicitly(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int st, base = 1;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lu_ctx_explicit(ctx, 1);
  st = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  lu_ctx_explicit(ctx, -1);
  if (st != LUA_OK) return lua_error(L);
  return lua_gettop(L) - base + 1;
}
/* }===== */

/* {===== memory pools */
typedef struct lb_pool {
  unsigned magic;
  int kind;           /* LU_POOL_DEVICE, LU_POOL_PINNED */
  lu_device dev;
} lb_pool;

static lb_pool *checkpool(lua_State *L) {
  lb_pool *p = (lb_pool *)lb_testudata(L, 1, LB_POOL, sizeof(lb_pool));
  if (p == NULL || p->magic != POOL_MAGIC)
    luaL_error(L, "%s: bad self (memory pool expected, got %s)", lb_fname(L), luaL_typename(L, 1));
  return p;
}

static void pushpool(lua_State *L, lu_ctx *ctx, int kind, lu_device dev) {
  lb_pool *p;
  size_t u, t, l;
  /* fails here, not at first use, when the pool does not exist */
  if (lu_pool_info(ctx, dev, kind, &u, &t, &l)) lb_fail(L, ctx);
  p = (lb_pool *)lua_newuserdatauv(L, sizeof(lb_pool), 0);
  p->magic = POOL_MAGIC;
  p->kind = kind;
  p->dev = dev;
  luaL_setmetatable(L, LB_POOL);
}

static lu_device devarg(lua_State *L, lu_ctx *ctx, int idx, const char *dflt) {
  lu_device dev;
  char name[32];
  const char *s;
  if (lua_gettop(L) > idx)
    luaL_error(L, "%s: takes at most %d argument%s, got %d", lb_fname(L), idx,
               idx == 1 ? "" : "s", lua_gettop(L));
  if (lua_isnoneornil(L, idx)) {
    if (dflt == NULL) return lu_ctx_default_device(ctx);
    s = dflt;
  } else if (lua_type(L, idx) == LUA_TNUMBER) {
    lua_Integer i = luaL_checkinteger(L, idx);
    if (i < 0 || i > 1000000) lb_argerror(L, idx, "device index %lld out of range", (long long)i);
    snprintf(name, sizeof name, "cuda:%d", (int)i);
    s = name;
  } else {
    s = luaL_checkstring(L, idx);
  }
  if (lu_device_parse(ctx, s, &dev)) {
    luaL_error(L, "%s: %s", lb_fname(L), lu_ctx_errmsg(ctx));
  }
  return dev;
}

/* lunar.memory_pool([device]): the default device's pool, or device's */
static int l_memory_pool(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  pushpool(L, ctx, LU_POOL_DEVICE, devarg(L, ctx, 1, NULL));
  return 1;
}

/* lunar.cuda.memory_pool([device]): a GPU's pool (the default device when
** it is a GPU, else cuda:0) */
static int l_cuda_memory_pool(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = devarg(L, ctx, 1,
                         lu_ctx_default_device(ctx).type == LU_DEV_CUDA ? NULL : "cuda:0");
  if (dev.type != LU_DEV_CUDA) return lb_argerror(L, 1, "a CUDA device expected, got cpu");
  pushpool(L, ctx, LU_POOL_DEVICE, dev);
  return 1;
}

/* lunar.cuda.pinned_memory_pool(): page-locked host memory (one pool) */
static int l_pinned_memory_pool(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev;
  if (lua_gettop(L) > 0) return luaL_error(L, "%s: takes no arguments", lb_fname(L));
  if (lu_device_parse(ctx, "cuda:0", &dev)) return luaL_error(L, "%s: %s", lb_fname(L), lu_ctx_errmsg(ctx));
  pushpool(L, ctx, LU_POOL_PINNED, dev);
  return 1;
}

static void pushsize(lua_State *L, size_t n) {
  lua_pushinteger(L, n > (size_t)LUA_MAXINTEGER ? LUA_MAXINTEGER : (lua_Integer)n);
}

static int pool_info(lua_State *L, int which) {
  lu_ctx *ctx = lb_ctx(L);
  lb_pool *p = checkpool(L);
  size_t u, t, l;
  if (lu_pool_info(ctx, p->dev, p->kind, &u, &t, &l)) return lb_fail(L, ctx);
  if (which == 2) pushsize(L, l == SIZE_MAX ? 0 : l);
  else pushsize(L, which == 0 ? u : t);
  return 1;
}
static int l_used_bytes(lua_State *L) { return pool_info(L, 0); }
static int l_total_bytes(lua_State *L) { return pool_info(L, 1); }
static int l_get_limit(lua_State *L) { return pool_info(L, 2); }

static int l_free_all_blocks(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_pool *p = checkpool(L);
  if (lu_pool_free_all(ctx, p->dev, p->kind)) return lb_fail(L, ctx);
  return 0;
}

/* pool:set_limit(size) or pool:set_limit{size = , fraction = }: CuPy's
** meaning: 0 or nil is no limit; fraction is of the device's memory */
static int l_set_limit(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_pool *p = checkpool(L);
  size_t limit = SIZE_MAX;
  int has_size = 0, has_frac = 0;
  lua_Number size = 0, frac = 0;
  if (lua_gettop(L) > 2) return luaL_error(L, "%s: takes 1 argument, got %d", lb_fname(L), lua_gettop(L) - 1);
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, 2)) {
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
      int isnum = lua_type(L, -1) == LUA_TNUMBER;
      if (k && (strcmp(k, "size") == 0 || strcmp(k, "fraction") == 0)) {
        if (!isnum)
          return luaL_error(L, "%s: %s must be a number, got %s", lb_fname(L), k, luaL_typename(L, -1));
        if (k[0] == 's') { has_size = 1; size = lua_tonumber(L, -1); }
        else { has_frac = 1; frac = lua_tonumber(L, -1); }
      } else {
        return luaL_error(L, "%s: unknown option %s", lb_fname(L),
                          k ? lua_pushfstring(L, "\"%s\"", k) : luaL_typename(L, -2));
      }
      lua_pop(L, 1);
    }
  } else if (!lua_isnoneornil(L, 2)) {
    if (lua_type(L, 2) != LUA_TNUMBER) return lb_argerror(L, 2, "size in bytes expected, got %s", luaL_typename(L, 2));
    has_size = 1;
    size = lua_tonumber(L, 2);
  }
  if (has_size && has_frac) return luaL_error(L, "%s: give size or fraction, not both", lb_fname(L));
  if (has_size) {
    if (!(size >= 0 && size < 0x1p63) || size != floor(size))
      return luaL_error(L, "%s: size must be a whole number of bytes >= 0, got %s", lb_fname(L),
                        lua_pushfstring(L, "%f", size));
    if (size > 0) limit = (size_t)size;
  } else if (has_frac) {
    size_t fr = 0, tot = 0;
    if (!(frac >= 0 && frac <= 1))
      return luaL_error(L, "%s: fraction must be from 0 to 1, got %s", lb_fname(L),
                        lua_pushfstring(L, "%f", frac));
    if (frac > 0) {
      if (lu_memory_info(ctx, p->kind == LU_POOL_PINNED ? (lu_device){LU_DEV_CPU, 0} : p->dev,
                         &fr, &tot))
        return lb_fail(L, ctx);
      limit = (size_t)((double)tot * frac);
      if (limit == 0) limit = 1;
    }
  }
  if (lu_pool_set_limit(ctx, p->dev, p->kind, limit)) return lb_fail(L, ctx);
  return 0;
}

static int l_pool_tostring(lua_State *L) {
  lb_pool *p = (lb_pool *)lb_testudata(L, 1, LB_POOL, sizeof(lb_pool));
  char b[16];
  if (p == NULL || p->magic != POOL_MAGIC) return luaL_error(L, "bad memory pool");
  if (p->kind == LU_POOL_PINNED) lua_pushliteral(L, "memory_pool(pinned)");
  else lua_pushfstring(L, "memory_pool(%s)", lu_device_str(p->dev, b));
  return 1;
}
/* }===== */

/* {===== collectgarbage
** The global collectgarbage is wrapped once per state: a full collection
** ("collect", the default) then also gives back the CPU pool's cached
** buffers and the C library's free memory, as a NumPy program's memory
** goes back when its arrays die. The wrapped function keeps every other
** behaviour (its results, its errors). The GPU pools and the pinned
** blocks behind large CPU arrays are left alone: refilling them costs far
** more than the host's pages (a:to("cpu") of 400 MB went from 55 to 2 GB/s
** when every collection unpinned them). */
static const char gc_wrap_key = 'g';

static int l_collectgarbage(lua_State *L) {
  int n = lua_gettop(L), full;
  size_t nfin0 = lb_gc_finalized(L);
  full = n == 0 || lua_isnil(L, 1) ||
         (lua_type(L, 1) == LUA_TSTRING && strcmp(lua_tostring(L, 1), "collect") == 0);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  if (full) {
    (void)lu_pool_trim_host(lb_ctx(L));   /* cannot fail */
    lb_gc_collected(L, nfin0);
  }
  return lua_gettop(L);
}

static void wrap_collectgarbage(lua_State *L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &gc_wrap_key);
  lua_getglobal(L, "collectgarbage");
  if (lua_isfunction(L, -1) && !lua_rawequal(L, -1, -2)) {
    lua_pushcclosure(L, l_collectgarbage, 1);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &gc_wrap_key);
    lua_setglobal(L, "collectgarbage");
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
  }
}
/* }===== */

void lb_open_workbench(lua_State *L, int mod, int internal) {
  static const luaL_Reg fns[] = {
    {"set_strict_sync", l_set_strict_sync}, {"memory_pool", l_memory_pool},
    {"set_fusion", l_set_fusion}, {"get_fusion", l_get_fusion}, {NULL, NULL}
  };
  static const luaL_Reg cuda[] = {
    {"memory_pool", l_cuda_memory_pool}, {"pinned_memory_pool", l_pinned_memory_pool},
    {NULL, NULL}
  };
  static const luaL_Reg pool[] = {
    {"used_bytes", l_used_bytes}, {"total_bytes", l_total_bytes},
    {"free_all_blocks", l_free_all_blocks}, {"set_limit", l_set_limit},
    {"get_limit", l_get_limit}, {NULL, NULL}
  };
  static const luaL_Reg in[] = {
    {"isatty", l_isatty}, {"counters", l_counters}, {"counters_reset", l_counters_reset},
    {"host_wait", l_host_wait}, {"explicitly", l_explicitly}, {NULL, NULL}
  };
  const luaL_Reg *r;
  mod = lua_absindex(L, mod);
  internal = lua_absindex(L, internal);
  lb_register(L, mod, fns, "lunar.", 0);
  if (lua_getfield(L, mod, "cuda") == LUA_TTABLE) lb_register(L, -1, cuda, "lunar.cuda.", 0);
  lua_pop(L, 1);
  if (luaL_newmetatable(L, LB_POOL)) {
    lua_newtable(L);
    lb_register(L, -1, pool, "memory_pool:", 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_pool_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "lunar.memory_pool");
    lua_setfield(L, -2, "__name");
  }
  lua_pop(L, 1);
  for (r = in; r->name; r++) {
    lua_pushcfunction(L, r->func);
    lua_setfield(L, internal, r->name);
  }
  wrap_collectgarbage(L);
}
