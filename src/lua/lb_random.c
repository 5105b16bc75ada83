/* SPDX-License-Identifier: MIT */
/*
** The C services of lunar.random's Generator (lua/random.lua), kept in the
** Lua side's internal table, never exported: draws from the Philox stream
** at a Generator's position. A Generator is a Lua table whose fields
** _seed and _offset hold its position (two 64-bit integers, read as
** unsigned), or whose field _ctx is true: the context's default stream,
** which lunar.random's module functions and the C API's lu_random share.
** Argument checking is the Lua side's; these check only what would
** otherwise crash.
*/
#include <string.h>
#include "lb.h"

/* The position of the Generator at stack index g. */
static lu_rngpos *getpos(lua_State *L, lu_ctx *ctx, int g, lu_rngpos *tmp) {
  int isctx;
  luaL_checktype(L, g, LUA_TTABLE);
  lua_getfield(L, g, "_ctx");
  isctx = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (isctx) return lu_random_default(ctx);
  lua_getfield(L, g, "_seed");
  tmp->seed = (uint64_t)luaL_checkinteger(L, -1);
  lua_getfield(L, g, "_offset");
  tmp->offset = (uint64_t)luaL_checkinteger(L, -1);
  lua_pop(L, 2);
  return tmp;
}

static void putpos(lua_State *L, int g, const lu_rngpos *pos, const lu_rngpos *tmp) {
  if (pos != tmp) return;
  lua_pushinteger(L, (lua_Integer)pos->offset);
  lua_setfield(L, g, "_offset");
}

/* a shape given as a table of non-negative integers */
static int getshape(lua_State *L, int idx, int64_t *shape) {
  int n, i;
  luaL_checktype(L, idx, LUA_TTABLE);
  n = (int)luaL_len(L, idx);
  if (n > LU_MAXDIM) luaL_error(L, "too many dimensions (%d)", n);
  for (i = 0; i < n; i++) {
    lua_geti(L, idx, i + 1);
    shape[i] = (int64_t)luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    if (shape[i] < 0) luaL_error(L, "negative dimensions are not allowed");
  }
  return n;
}

static lu_device getdev(lua_State *L, lu_ctx *ctx, int idx) {
  lu_device dev;
  if (lua_isnoneornil(L, idx)) return lu_ctx_default_device(ctx);
  if (lu_device_parse(ctx, luaL_checkstring(L, idx), &dev)) lb_fail(L, ctx);
  return dev;
}

/* fill(g, dist, shape, dtype, device): rand (dist 0) or randn (1) */
static int l_fill(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_rngpos tmp, *pos = getpos(L, ctx, 1, &tmp);
  int dist = (int)luaL_checkinteger(L, 2), ndim;
  int64_t shape[LU_MAXDIM];
  lu_dtype dt;
  lu_device dev;
  lu_array *out;
  ndim = getshape(L, 3, shape);
  dt = (lu_dtype)lb_checkdtype(L, 4, luaL_checkstring(L, 4));
  dev = getdev(L, ctx, 5);
  out = lb_new(L);
  if (lb_lazy_random(L, ctx, dist ? LU_RAND_NORMAL : LU_RAND_UNIFORM, ndim, shape, dt, dev, pos)) {
    putpos(L, 1, pos, &tmp);
    return 1;
  }
  if (lu_random_at(ctx, out, dist ? LU_RAND_NORMAL : LU_RAND_UNIFORM, ndim, shape, dt, dev, pos))
    return lb_fail(L, ctx);
  putpos(L, 1, pos, &tmp);
  return 1;
}

/* sample(g, name, row, shape, dtype, device, low, range, p1, p2, p3):
** a per-element sampler; p are numbers or arrays, low and range the exact
** bounds of integers (ignored by other rows) */
static int l_sample(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_rngpos tmp, *pos = getpos(L, ctx, 1, &tmp);
  const char *name = luaL_checkstring(L, 2);
  int r = lu_sampler_find(luaL_checkstring(L, 3));
  int64_t shape[LU_MAXDIM];
  int ndim, np, k;
  lu_dtype dt;
  lu_device dev;
  lu_arg par[3];
  lu_array *out;
  lu_sampler row;
  if (r < 0) luaL_error(L, "%s: unknown sampler '%s'", name, lua_tostring(L, 3));
  row = (lu_sampler)r;
  ndim = getshape(L, 4, shape);
  dt = (lu_dtype)lb_checkdtype(L, 5, luaL_checkstring(L, 5));
  dev = getdev(L, ctx, 6);
  np = lu_sampler_nparams(row);
  for (k = 0; k < np; k++) {
    int idx = 9 + k;
    memset(&par[k], 0, sizeof par[k]);
    if (lua_isnoneornil(L, idx) || lua_type(L, idx) == LUA_TNUMBER) {
      par[k].s.kind = 'f';
      par[k].s.f = lua_tonumber(L, idx);   /* nil: integers' exact bounds */
    } else {
      par[k].arr = lb_check(L, idx);
    }
  }
  out = lb_new(L);
  if (lu_random_sample(ctx, out, name, row, ndim, shape, dt, dev, par,
                       (int64_t)luaL_optinteger(L, 7, 0), (uint64_t)luaL_optinteger(L, 8, 0), pos))
    return lb_fail(L, ctx);
  putpos(L, 1, pos, &tmp);
  return 1;
}

/* getpos(g) -> seed, offset; setpos(g, seed, offset) */
static int l_getpos(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_rngpos tmp, *pos = getpos(L, ctx, 1, &tmp);
  lua_pushinteger(L, (lua_Integer)pos->seed);
  lua_pushinteger(L, (lua_Integer)pos->offset);
  return 2;
}

static int l_setpos(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_rngpos tmp, *pos = getpos(L, ctx, 1, &tmp);
  pos->seed = (uint64_t)luaL_checkinteger(L, 2);
  pos->offset = (uint64_t)luaL_checkinteger(L, 3);
  if (pos == &tmp) {
    lua_pushinteger(L, (lua_Integer)pos->seed);
    lua_setfield(L, 1, "_seed");
    lua_pushinteger(L, (lua_Integer)pos->offset);
    lua_setfield(L, 1, "_offset");
  }
  return 0;
}

/* philox(seed, c0, c1, c2, c3) -> the block's four words: what spawn and
** entropy-free seeding hash with */
static int l_philox(lua_State *L) {
  uint64_t seed = (uint64_t)luaL_checkinteger(L, 1);
  uint32_t ctr[4], key[2], out[4];
  int i;
  for (i = 0; i < 4; i++) ctr[i] = (uint32_t)luaL_checkinteger(L, 2 + i);
  key[0] = (uint32_t)seed;
  key[1] = (uint32_t)(seed >> 32);
  lu_philox_words(ctr, key, out);
  for (i = 0; i < 4; i++) lua_pushinteger(L, (lua_Integer)out[i]);
  return 4;
}

void lb_open_random(lua_State *L, int t) {
  static const luaL_Reg fns[] = {
    {"fill", l_fill}, {"sample", l_sample}, {"getpos", l_getpos}, {"setpos", l_setpos},
    {"philox", l_philox}, {NULL, NULL}
  };
  const luaL_Reg *r;
  t = lua_absindex(L, t);
  lua_newtable(L);
  for (r = fns; r->name; r++) {
    lua_pushfstring(L, "lunar.random.%s", r->name);
    lb_pushfn(L, r->func, lua_tostring(L, -1), 0, -1);
    lua_setfield(L, -3, r->name);
    lua_pop(L, 1);
  }
  lua_setfield(L, t, "random");
}
