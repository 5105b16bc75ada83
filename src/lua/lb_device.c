/* SPDX-License-Identifier: MIT */
/*
** Devices as Lua sees them: lunar.get_device/set_device/devices/synchronize,
** lunar.clock, and the lunar.cuda table (events included). All of it goes
** through the core, which asks the backend.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>
#include <string.h>
#include "lb.h"

typedef struct lb_event {
  lu_event *ev;
  lu_device dev;
  lu_ctx *ctx;        /* holds a reference, so the event can outlive the state's box */
  unsigned magic;     /* EV_MAGIC: not some other userdata given our metatable */
} lb_event;
#define EV_MAGIC 0x6c756576u

/* The event at idx: luaL_checkudata plus the size and the magic number, as
** debug.setmetatable can give the event metatable to any userdata. */
static lb_event *toevent(lua_State *L, int idx) {
  lb_event *e = (lb_event *)lb_testudata(L, idx, LB_EVENT, sizeof(lb_event));
  if (e == NULL || e->magic != EV_MAGIC) {
    luaL_checkudata(L, idx, LB_EVENT);   /* the usual message for a non-event */
    luaL_argerror(L, idx, "not a genuine lunar event");
  }
  return e;
}

static int l_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
  return 1;
}

static int l_get_device(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  char buf[32];
  lua_pushstring(L, lu_device_str(lu_ctx_default_device(ctx), buf));
  return 1;
}

static int l_set_device(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev;
  if (lu_device_parse(ctx, luaL_checkstring(L, 1), &dev))
    return lb_argerror(L, 1, "%s", lu_ctx_errmsg(ctx));
  lu_ctx_set_default_device(ctx, dev);
  return 0;
}

static int l_devices(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int i, n = lu_device_count(ctx, LU_DEV_CUDA), k = 1;
  lua_newtable(L);
  lua_pushstring(L, "cpu");
  lua_rawseti(L, -2, k++);
  for (i = 0; i < n; i++) {
    lua_pushfstring(L, "cuda:%d", i);
    lua_rawseti(L, -2, k++);
  }
  return 1;
}

/* The device named at idx, or `dflt` when absent. */
static lu_device optdevice(lua_State *L, lu_ctx *ctx, int idx, lu_device dflt) {
  lu_device dev;
  if (lua_isnoneornil(L, idx)) return dflt;
  if (lua_type(L, idx) == LUA_TNUMBER) {   /* cuda.synchronize(0) */
    char name[32];
    snprintf(name, sizeof name, "cuda:%d", (int)luaL_checkinteger(L, idx));
    if (lu_device_parse(ctx, name, &dev)) lb_argerror(L, idx, "%s", lu_ctx_errmsg(ctx));
    return dev;
  }
  if (lu_device_parse(ctx, luaL_checkstring(L, idx), &dev))
    lb_argerror(L, idx, "%s", lu_ctx_errmsg(ctx));
  return dev;
}

/* The CUDA device the cuda.* functions use by default: the default device
** when it is a GPU, else cuda:0 (an error if there is none). */
static lu_device cudadefault(lua_State *L, lu_ctx *ctx) {
  lu_device dev;
  if (lu_ctx_default_device(ctx).type == LU_DEV_CUDA) return lu_ctx_default_device(ctx);
  if (lu_device_parse(ctx, "cuda:0", &dev)) lb_fail(L, ctx);
  return dev;
}

static int l_synchronize(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = optdevice(L, ctx, 1, lu_ctx_default_device(ctx));
  if (lu_lazy_flush(ctx)) return lb_fail(L, ctx);   /* pending values first */
  if (lu_synchronize(ctx, dev)) return lb_fail(L, ctx);
  return 0;
}

static int l_cuda_is_available(lua_State *L) {
  lua_pushboolean(L, lu_device_count(lb_ctx(L), LU_DEV_CUDA) > 0);
  return 1;
}

static int l_cuda_device_count(lua_State *L) {
  lua_pushinteger(L, lu_device_count(lb_ctx(L), LU_DEV_CUDA));
  return 1;
}

static int l_cuda_synchronize(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = lua_isnoneornil(L, 1) ? cudadefault(L, ctx) : optdevice(L, ctx, 1, lu_ctx_default_device(ctx));
  if (lu_lazy_flush(ctx)) return lb_fail(L, ctx);   /* pending values first */
  if (lu_synchronize(ctx, dev)) return lb_fail(L, ctx);
  return 0;
}

static int l_cuda_memory_info(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = lua_isnoneornil(L, 1) ? cudadefault(L, ctx) : optdevice(L, ctx, 1, lu_ctx_default_device(ctx));
  size_t fr = 0, tot = 0;
  if (lu_memory_info(ctx, dev, &fr, &tot)) return lb_fail(L, ctx);
  lua_pushinteger(L, (lua_Integer)fr);
  lua_pushinteger(L, (lua_Integer)tot);
  return 2;
}

/* {===== events */
static lb_event *checkevent(lua_State *L, int idx) {
  lb_event *e = toevent(L, idx);
  if (e->ev == NULL) luaL_error(L, "attempt to use a destroyed event");
  return e;
}

lu_event *lb_checkevent(lua_State *L, int idx, lu_device *dev) {
  lb_event *e = checkevent(L, idx);
  *dev = e->dev;
  return e->ev;
}

static int l_event_gc(lua_State *L) {
  lb_event *e = (lb_event *)lb_testudata(L, 1, LB_EVENT, sizeof(lb_event));
  if (e == NULL || e->magic != EV_MAGIC) return 0;
  if (e->ev) lu_event_destroy(e->ctx, e->dev, e->ev);
  e->ev = NULL;
  if (e->ctx) lu_ctx_unref(e->ctx);
  e->ctx = NULL;
  return 0;
}

/* cuda.Event([device]): on the CUDA default device, or the CPU's host
** timestamps when the default device is the CPU. */
static int l_event_new(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_newevent(L, optdevice(L, ctx, 1, lu_ctx_default_device(ctx)));
  return 1;
}

void lb_newevent(lua_State *L, lu_device dev) {
  lu_ctx *ctx = lb_ctx(L);
  lb_event *e = (lb_event *)lua_newuserdatauv(L, sizeof(lb_event), 0);
  memset(e, 0, sizeof *e);
  e->magic = EV_MAGIC;
  luaL_setmetatable(L, LB_EVENT);
  if (lu_event_create(ctx, dev, &e->ev)) lb_fail(L, ctx);
  e->dev = dev;
  e->ctx = ctx;
  lu_ctx_ref(ctx);
}

static int l_event_record(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_event *e = checkevent(L, 1);
  if (lu_lazy_flush(ctx)) return lb_fail(L, ctx);   /* the work before it, pending or not */
  if (lu_event_record(ctx, e->dev, e->ev)) return lb_fail(L, ctx);
  lua_settop(L, 1);
  return 1;
}

static int l_event_synchronize(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_event *e = checkevent(L, 1);
  if (lu_event_synchronize(ctx, e->dev, e->ev)) return lb_fail(L, ctx);
  return 0;
}

/* a:elapsed_time(b): milliseconds from a to b (waits for b). */
static int l_event_elapsed(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_event *a = checkevent(L, 1), *b = checkevent(L, 2);
  float ms = 0;
  if (!lu_device_eq(a->dev, b->dev))
    return lb_argerror(L, 2, "events on different devices");
  if (lu_event_synchronize(ctx, b->dev, b->ev)) return lb_fail(L, ctx);
  if (lu_event_elapsed(ctx, a->dev, a->ev, b->ev, &ms)) return lb_fail(L, ctx);
  lua_pushnumber(L, (lua_Number)ms);
  return 1;
}
/* }===== */

void lb_open_device(lua_State *L, int mod) {
  static const luaL_Reg fns[] = {
    {"clock", l_clock}, {"get_device", l_get_device}, {"set_device", l_set_device},
    {"devices", l_devices}, {"synchronize", l_synchronize}, {NULL, NULL}
  };
  static const luaL_Reg cuda[] = {
    {"is_available", l_cuda_is_available}, {"device_count", l_cuda_device_count},
    {"synchronize", l_cuda_synchronize}, {"memory_info", l_cuda_memory_info},
    {"Event", l_event_new}, {NULL, NULL}
  };
  static const luaL_Reg ev[] = {
    {"record", l_event_record}, {"synchronize", l_event_synchronize},
    {"elapsed_time", l_event_elapsed}, {NULL, NULL}
  };
  mod = lua_absindex(L, mod);
  lb_register(L, mod, fns, "lunar.", 0);
  lua_newtable(L);
  lb_register(L, -1, cuda, "lunar.cuda.", 0);
  lua_setfield(L, mod, "cuda");
  if (luaL_newmetatable(L, LB_EVENT)) {
    lua_newtable(L);
    lb_register(L, -1, ev, "event:", 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_event_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
}
