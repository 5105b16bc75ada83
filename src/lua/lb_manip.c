/* SPDX-License-Identifier: MIT */
/*
** Shape and dtype manipulation: reshape, transpose, squeeze, expand_dims,
** ravel, flatten, astype, copy, contiguous, to(device), close.
*/
#include <string.h>
#include "lb.h"

static int l_reshape(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int ndim, next;
  int64_t shape[LU_MAXDIM];
  next = lb_shape(L, 2, 1, &ndim, shape);
  if (!lua_isnone(L, next)) lb_argerror(L, next, "unexpected argument (%s)", luaL_typename(L, next));
  out = lb_new(L);
  if (lu_reshape(ctx, out, a, ndim, shape)) return lb_fail(L, ctx);
  return 1;
}

/* transpose([perm...]): perm as integers or a table, 1-based axes. */
static int l_transpose(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int perm[LU_MAXDIM], seen[LU_MAXDIM], n = 0, i, tbl = lua_type(L, 2) == LUA_TTABLE;
  if (lua_isnoneornil(L, 2)) {
    out = lb_new(L);
    if (lu_transpose(ctx, out, a, NULL)) return lb_fail(L, ctx);
    return 1;
  }
  memset(seen, 0, sizeof seen);
  for (i = 0;; i++) {
    int isint, argi = tbl ? 2 : 2 + i;
    lua_Integer ax;
    if (tbl) {
      if (lua_geti(L, 2, i + 1) == LUA_TNIL) { lua_pop(L, 1); break; }
    } else {
      if (lua_isnone(L, 2 + i)) break;
      lua_pushvalue(L, 2 + i);
    }
    ax = lua_tointegerx(L, -1, &isint);
    lua_pop(L, 1);
    if (!isint) lb_argerror(L, argi, "axes must be integers");
    if (n >= a->ndim) lb_argerror(L, argi, "axes don't match array (%d dimensions)", a->ndim);
    perm[n] = lb_axis(L, argi, ax, a->ndim, 0);
    if (seen[perm[n]]++) lb_argerror(L, argi, "repeated axis in transpose");
    n++;
  }
  if (n != a->ndim) lb_argerror(L, 2, "axes don't match array (%d given for %d dimensions)", n, a->ndim);
  out = lb_new(L);
  if (lu_transpose(ctx, out, a, perm)) return lb_fail(L, ctx);
  return 1;
}

static int l_squeeze(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int axis = LU_ALLAXES;
  if (!lua_isnoneornil(L, 2)) axis = lb_axis(L, 2, luaL_checkinteger(L, 2), a->ndim, 0);
  out = lb_new(L);
  if (lu_squeeze(ctx, out, a, axis)) return lb_fail(L, ctx);
  return 1;
}

static int l_expand_dims(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int isint, axis;
  lua_Integer ax = lua_tointegerx(L, 2, &isint);
  if (!isint) lb_argerror(L, 2, "axis (integer) expected, got %s", luaL_typename(L, 2));
  axis = lb_axis(L, 2, ax, a->ndim, 1);
  out = lb_new(L);
  if (lu_expand_dims(ctx, out, a, axis)) return lb_fail(L, ctx);
  return 1;
}

/* ravel: a view when a is contiguous (reshape makes views where it can). */
static int l_ravel(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int64_t n = -1;
  out = lb_new(L);
  if (lu_reshape(ctx, out, a, 1, &n)) return lb_fail(L, ctx);
  return 1;
}

static int l_flatten(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *tmp, *out;
  int64_t n = -1;
  tmp = lb_new(L);
  if (lu_copy(ctx, tmp, a)) return lb_fail(L, ctx);
  out = lb_new(L);
  if (lu_reshape(ctx, out, tmp, 1, &n)) return lb_fail(L, ctx);
  return 1;
}

static int l_astype(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int dt = lb_checkdtype(L, 2, luaL_checkstring(L, 2));
  out = lb_new(L);
  if (lu_astype(ctx, out, a, (lu_dtype)dt)) return lb_fail(L, ctx);
  return 1;
}

static int l_copy(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  out = lb_new(L);
  if (lu_copy(ctx, out, a)) return lb_fail(L, ctx);
  return 1;
}

static int l_contiguous(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  if (lu_array_is_contig(a)) {
    lua_settop(L, 1);
    return 1;
  }
  out = lb_new(L);
  if (lu_ascontig(ctx, out, a)) return lb_fail(L, ctx);
  return 1;
}

/* a:to(device): self when already there, else a copy on that device. */
static int l_to(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  lu_device dev;
  const char *s = luaL_checkstring(L, 2);
  if (lu_device_parse(ctx, s, &dev)) return lb_argerror(L, 2, "%s", lu_ctx_errmsg(ctx));
  if (lu_device_eq(dev, lu_array_device(a))) {
    lua_settop(L, 1);
    return 1;
  }
  out = lb_new(L);
  if (lu_to_device(ctx, out, a, dev)) return lb_fail(L, ctx);
  return 1;
}

void lb_open_manip(lua_State *L, int mod, int methods) {
  static const luaL_Reg both[] = {
    {"reshape", l_reshape}, {"transpose", l_transpose}, {"squeeze", l_squeeze},
    {"expand_dims", l_expand_dims}, {"ravel", l_ravel}, {"flatten", l_flatten},
    {"astype", l_astype}, {"ascontiguousarray", l_contiguous}, {NULL, NULL}
  };
  static const luaL_Reg meths[] = {
    {"reshape", l_reshape}, {"transpose", l_transpose}, {"squeeze", l_squeeze},
    {"expand_dims", l_expand_dims}, {"ravel", l_ravel}, {"flatten", l_flatten},
    {"astype", l_astype}, {"copy", l_copy}, {"contiguous", l_contiguous},
    {"to", l_to}, {"close", lb_release}, {NULL, NULL}
  };
  lb_register(L, mod, both, "lunar.", 0);
  lb_register(L, methods, meths, "array:", 1);
}
