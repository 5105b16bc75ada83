/* SPDX-License-Identifier: MIT */
/*
** Argument parsing shared by the binding: operands, shapes, kwargs tables,
** dtypes, devices and axes (Lua's 1-based axes become the core's 0-based).
*/
#include <string.h>
#include "lb.h"

/* A Lua number or boolean as a core scalar: integers stay integers (weak
** int), floats are weak floats. Returns 0 for any other value. */
int lb_toscalar(lua_State *L, int idx, lu_scalar *s) {
  memset(s, 0, sizeof *s);
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) { s->kind = 'i'; s->i = (int64_t)lua_tointeger(L, idx); }
    else { s->kind = 'f'; s->f = (double)lua_tonumber(L, idx); }
    return 1;
  case LUA_TBOOLEAN:
    s->kind = 'b';
    s->i = lua_toboolean(L, idx);
    return 1;
  default:
    return 0;
  }
}

/* An operand of an elementwise op: an array, a Lua integer (weak int), a Lua
** float (weak float) or a boolean. A plain Lua table is converted to an array
** that replaces it on the stack, so it stays alive for the call. */
void lb_toarg(lua_State *L, int idx, lu_arg *arg) {
  memset(arg, 0, sizeof *arg);
  if (lb_toscalar(L, idx, &arg->s)) return;
  if (lua_type(L, idx) == LUA_TTABLE) {
    idx = lua_absindex(L, idx);
    arg->arr = lb_fromtable(L, idx, -1, NULL);
    lua_replace(L, idx);
    return;
  }
  if ((arg->arr = lb_test(L, idx)) != NULL) return;
  lb_argerror(L, idx, "array, number or boolean expected, got %s",
              luaL_typename(L, idx));
}

static void setdim(lua_State *L, int argi, int allow_neg1, int *nneg,
                   int n, int64_t *shape, int isnum, lua_Integer v) {
  if (n >= LU_MAXDIM)
    lb_argerror(L, argi, "shape has more than %d dimensions", LU_MAXDIM);
  if (!isnum)
    lb_argerror(L, argi, "shape must be non-negative integers, got %s",
                lua_typename(L, lua_type(L, -1)));
  if (v < 0 && !(allow_neg1 && v == -1 && (*nneg)++ == 0))
    lb_argerror(L, argi, "%s, got %lld", allow_neg1
                ? "shape must be non-negative integers or one -1"
                : "shape must be non-negative integers", (long long)v);
  shape[n] = (int64_t)v;
}

/* A shape as a table {3, 4} or as a run of integers 3, 4 starting at idx.
** Returns the stack index just after the shape. */
int lb_shape(lua_State *L, int idx, int allow_neg1, int *ndim, int64_t *shape) {
  int n = 0, nneg = 0, isnum;
  lua_Integer v;
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lua_Integer k, len = luaL_len(L, idx);
    for (k = 1; k <= len; k++) {
      lua_geti(L, idx, k);
      v = lua_tointegerx(L, -1, &isnum);
      if (!isnum && lua_type(L, -1) == LUA_TNUMBER)
        lb_argerror(L, idx, "shape must be non-negative integers, got %s",
                    lua_tostring(L, -1));
      setdim(L, idx, allow_neg1, &nneg, n, shape, isnum, v);
      n++;
      lua_pop(L, 1);
    }
    *ndim = n;
    return idx + 1;
  }
  while (lua_type(L, idx) == LUA_TNUMBER) {
    lua_pushvalue(L, idx);
    v = lua_tointegerx(L, -1, &isnum);
    if (!isnum)
      lb_argerror(L, idx, "shape must be non-negative integers, got %s",
                  lua_tostring(L, -1));
    setdim(L, idx, allow_neg1, &nneg, n, shape, isnum, v);
    lua_pop(L, 1);
    n++;
    idx++;
  }
  *ndim = n;
  return idx;
}

int lb_checkdtype(lua_State *L, int idx, const char *s) {
  int dt = lu_dtype_from_name(s);
  if (dt < 0) lb_argerror(L, idx, "unknown dtype '%s'", s);
  return dt;
}

static int allowed_key(const char *allowed, const char *key) {
  size_t n = strlen(key);
  const char *p = allowed;
  while (p && *p) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && memcmp(p, key, n) == 0) return 1;
    p = e ? e + 1 : NULL;
  }
  return 0;
}

/* Trailing options at idx: nothing, a dtype string, or a table whose keys are
** in `allowed` (comma separated; dtype and device are parsed here, the
** caller reads the others with lb_kwfield). Returns 1 if something was there. */
int lb_kwargs(lua_State *L, int idx, const char *allowed, lb_kw *kw) {
  kw->dtype = -1;
  kw->has_dev = 0;
  kw->idx = 0;
  switch (lua_type(L, idx)) {
  case LUA_TNONE: case LUA_TNIL:
    return 0;
  case LUA_TSTRING:
    if (!allowed_key(allowed, "dtype"))
      lb_argerror(L, idx, "unexpected string '%s'", lua_tostring(L, idx));
    kw->dtype = lb_checkdtype(L, idx, lua_tostring(L, idx));
    return 1;
  case LUA_TTABLE:
    if (lb_test(L, idx)) break;
    idx = lua_absindex(L, idx);
    kw->idx = idx;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      if (lua_type(L, -2) != LUA_TSTRING)
        lb_argerror(L, idx, "options table has a non-string key");
      if (!allowed_key(allowed, lua_tostring(L, -2)))
        lb_argerror(L, idx, "unknown option '%s'", lua_tostring(L, -2));
      lua_pop(L, 1);
    }
    if (lua_getfield(L, idx, "dtype") != LUA_TNIL) {
      if (lua_type(L, -1) != LUA_TSTRING)
        lb_argerror(L, idx, "dtype must be a string, got %s", luaL_typename(L, -1));
      kw->dtype = lb_checkdtype(L, idx, lua_tostring(L, -1));
    }
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "device") != LUA_TNIL) {
      lu_ctx *ctx = lb_ctx(L);
      if (lua_type(L, -1) != LUA_TSTRING)
        lb_argerror(L, idx, "device must be a string, got %s", luaL_typename(L, -1));
      if (lu_device_parse(ctx, lua_tostring(L, -1), &kw->dev))
        lb_argerror(L, idx, "%s", lu_ctx_errmsg(ctx));
      kw->has_dev = 1;
    }
    lua_pop(L, 1);
    return 1;
  default:
    break;
  }
  return lb_argerror(L, idx, "options (dtype string or table) expected, got %s",
                     luaL_typename(L, idx));
}

/* Push kw's field `key` (nil when absent); returns its type. */
int lb_kwfield(lua_State *L, const lb_kw *kw, const char *key) {
  if (kw->idx == 0) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_getfield(L, kw->idx, key);
}

lu_device lb_device(lua_State *L, lu_ctx *ctx, const lb_kw *kw) {
  (void)L;
  return kw->has_dev ? kw->dev : lu_ctx_default_device(ctx);
}

/* A 1-based axis (negative from the end) to 0-based. `extra` widens the
** range by that many positions (expand_dims inserts a new axis). */
int lb_axis(lua_State *L, int idx, lua_Integer ax, int ndim, int extra) {
  int n = ndim + extra;
  if (ax == 0 || ax > n || ax < -n)
    lb_argerror(L, idx, "axis %lld is out of bounds for array of dimension %d",
                (long long)ax, ndim);
  return (int)(ax > 0 ? ax - 1 : ax + n);
}
