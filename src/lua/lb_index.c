/* SPDX-License-Identifier: MIT */
/*
** Indexing from Lua: __index, __newindex and __len of arrays (methods,
** properties, and keys: integers, inclusive ranges {start, stop[, step]},
** integer arrays of positions, boolean masks, lunar.newaxis and
** lunar.ellipsis), and the index routines (take, put, nonzero, add_at ...).
** Keys are parsed here into lu_key entries; the core resolves them
** (src/core/index.c). Positions stay Lua's: 1-based, negative from the end.
*/
#include <string.h>
#include "lb.h"

#define MAXKEY (2 * LU_MAXDIM)

/* {====================================================== sentinels */
/* lunar.newaxis and lunar.ellipsis: empty userdata with a metatable of
** their own (their names as tostring), kept in the registry under these
** addresses; never nil, which a Lua table cannot hold. */
static const char newaxis_key = 'n', ellipsis_key = 'e';

static int sentinel_tostring(lua_State *L) {
  lua_getfield(L, lua_upvalueindex(1), "__name");
  return 1;
}

static void push_sentinel(lua_State *L, const void *key, const char *name) {
  lua_newuserdatauv(L, 0, 0);
  lua_newtable(L);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, sentinel_tostring, 1);
  lua_setfield(L, -2, "__tostring");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

/* LU_KEY_NEWAXIS or LU_KEY_ELLIPSIS for a sentinel at idx, else -1. */
static int sentinel(lua_State *L, int idx) {
  int r = -1;
  if (lua_type(L, idx) != LUA_TUSERDATA) return -1;
  idx = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &newaxis_key);
  if (lua_rawequal(L, idx, -1)) r = LU_KEY_NEWAXIS;
  lua_pop(L, 1);
  if (r >= 0) return r;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &ellipsis_key);
  if (lua_rawequal(L, idx, -1)) r = LU_KEY_ELLIPSIS;
  lua_pop(L, 1);
  return r;
}
/* }====================================================== */

/* {====================================================== keys */
static const char badindex[] =
  "only integers, ranges {start, stop[, step]}, integer or boolean arrays, "
  "lunar.newaxis and lunar.ellipsis are valid indices";

static int64_t checkinteger(lua_State *L, int idx, const char *what) {
  int isint;
  lua_Integer v = lua_tointegerx(L, idx, &isint);
  if (!isint) luaL_error(L, "%s must be integers, got %s", what,
                         lua_type(L, idx) == LUA_TNUMBER ? lua_tostring(L, idx) : luaL_typename(L, idx));
  return (int64_t)v;
}

static void notbool(lua_State *L) {
  luaL_error(L, "a boolean is not an index; to select with a mask use a bool array "
             "(a[lunar.array{true, false, ...}] or a[x:gt(0)])");
}

/* The table at idx is a mask: its first element is a boolean (then all
** must be). */
static int boolean_table(lua_State *L, int idx) {
  lua_Integer j, n;
  idx = lua_absindex(L, idx);
  if (lua_rawgeti(L, idx, 1) != LUA_TBOOLEAN) { lua_pop(L, 1); return 0; }
  lua_pop(L, 1);
  n = (lua_Integer)lua_rawlen(L, idx);
  for (j = 2; j <= n; j++) {
    int t = lua_rawgeti(L, idx, j);
    lua_pop(L, 1);
    if (t != LUA_TBOOLEAN) notbool(L);
  }
  return 1;
}

/* A range table at idx: {}, {start}, {start, stop}, {start, stop, step};
** nil fields are "omitted" ({nil, 5}: from the start). */
static void torange(lua_State *L, int idx, lu_key *e) {
  lua_Integer len;
  int j;
  idx = lua_absindex(L, idx);
  len = (lua_Integer)lua_rawlen(L, idx);
  if (len > 3)
    luaL_error(L, "a range has at most 3 entries {start, stop, step}, got %d; to index a "
               "list of positions use an integer array: a[lunar.array{...}]", (int)len);
  memset(e, 0, sizeof *e);
  e->kind = LU_KEY_RANGE;
  for (j = 0; j < 3; j++) {
    if (lua_rawgeti(L, idx, j + 1) != LUA_TNIL) {
      e->has[j] = 1;
      e->r[j] = checkinteger(L, -1, "range bounds");
    }
    lua_pop(L, 1);
  }
  e->single = e->has[0] && !e->has[1] && !e->has[2];
}

/* One entry of a key (the value at idx). Arrays made from Lua tables of
** booleans stay on the stack for the duration of the call. */
static void entry(lua_State *L, const lu_array *a, int idx, lu_key *e) {
  lu_array *arr;
  int s;
  memset(e, 0, sizeof *e);
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      e->kind = LU_KEY_INT;
      e->i = checkinteger(L, idx, "indices");
      return;
    case LUA_TTABLE:
      if (boolean_table(L, idx)) {
        lu_device dev = lu_array_device(a);
        e->kind = LU_KEY_ARRAY;
        e->arr = lb_fromtable(L, idx, LU_BOOL, &dev);
        if (e->arr->dtype != LU_BOOL) luaL_error(L, "a mask table must hold only booleans");
        return;
      }
      torange(L, idx, e);
      return;
    case LUA_TUSERDATA:
      if ((arr = lb_test(L, idx)) != NULL) {
        e->kind = LU_KEY_ARRAY;
        e->arr = arr;
        return;
      }
      if ((s = sentinel(L, idx)) >= 0) { e->kind = s; return; }
      break;
    case LUA_TBOOLEAN:
      notbool(L);
      break;
    default:
      break;
  }
  luaL_error(L, "%s, got %s", badindex, luaL_typename(L, idx));
}

/* The key at index k: an integer, an array, a sentinel, a table of
** booleans (a mask), or a table of entries. Returns the number of entries;
** *scalar is set when every one of a's axes got an integer. */
static int parsekey(lua_State *L, const lu_array *a, int k, lu_key *keys, int *scalar) {
  int n = 0, j, allint = 1;
  k = lua_absindex(L, k);
  if (lua_type(L, k) != LUA_TTABLE || boolean_table(L, k)) {
    entry(L, a, k, &keys[0]);
    n = 1;
  } else {
    lua_Integer len = (lua_Integer)lua_rawlen(L, k);
    if (len > MAXKEY) luaL_error(L, "too many indices (%d)", (int)len);
    luaL_checkstack(L, (int)len + 4, NULL);
    for (j = 1; j <= len; j++) {
      int top = lua_gettop(L);
      lua_rawgeti(L, k, j);
      entry(L, a, -1, &keys[n]);
      /* a mask converted from a table stays on the stack; the entry goes
      ** (the key table keeps every other array alive) */
      lua_remove(L, top + 1);
      n++;
    }
  }
  for (j = 0; j < n; j++) if (keys[j].kind != LU_KEY_INT) allint = 0;
  *scalar = allint && n == a->ndim;
  return n;
}
/* }====================================================== */

/* {====================================================== metamethods */
static void pushtable_i64(lua_State *L, int n, const int64_t *v) {
  int i;
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, (lua_Integer)v[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

/* Properties; returns 0 when name is none. */
static int property(lua_State *L, lu_ctx *ctx, lu_array *a, const char *name) {
  char buf[32];
  if (strcmp(name, "shape") == 0) pushtable_i64(L, a->ndim, a->shape);
  else if (strcmp(name, "ndim") == 0) lua_pushinteger(L, a->ndim);
  else if (strcmp(name, "size") == 0) lua_pushinteger(L, (lua_Integer)a->size);
  else if (strcmp(name, "dtype") == 0) lua_pushstring(L, lu_dtype_name(a->dtype));
  else if (strcmp(name, "device") == 0) lua_pushstring(L, lu_device_str(lu_array_device(a), buf));
  else if (strcmp(name, "itemsize") == 0) lua_pushinteger(L, lu_array_itemsize(a));
  else if (strcmp(name, "nbytes") == 0) lua_pushinteger(L, (lua_Integer)(a->size * lu_array_itemsize(a)));
  else if (strcmp(name, "strides") == 0) pushtable_i64(L, a->ndim, a->strides);
  else if (strcmp(name, "T") == 0) {
    lu_array *out = lb_new(L);
    if (lu_transpose(ctx, out, a, NULL)) lb_fail(L, ctx);
  } else if (strcmp(name, "real") == 0 || strcmp(name, "imag") == 0) {
    lb_pushpart(L, ctx, a, name[0] == 'i');
  } else return lb_pushattr(L, ctx, 1, a, name);
  return 1;
}

/* __index: upvalue 4 is the context box, the method table is upvalue 5. */
static int l_index(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a, *out;
  lu_key keys[MAXKEY];
  int n, scalar;
  if (lua_type(L, 2) == LUA_TSTRING) {
    /* methods are found even on a closed array: a:close() twice is harmless
    ** and the other methods raise the closed-array error themselves */
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(5)) != LUA_TNIL) return 1;
    lua_pop(L, 1);
    a = lb_check(L, 1);
    if (property(L, ctx, a, lua_tostring(L, 2))) return 1;
    lua_pushnil(L);
    return 1;
  }
  a = lb_check(L, 1);
  /* ipairs(a) stops at the first nil: a[#a + 1] is nil, not an error */
  if (lua_isinteger(L, 2) && a->ndim > 0 && lua_tointeger(L, 2) == a->shape[0] + 1) {
    lua_pushnil(L);
    return 1;
  }
  n = parsekey(L, a, 2, keys, &scalar);
  out = lb_new(L);
  if (lu_index_get(ctx, out, a, n, keys)) return lb_fail(L, ctx);
  if (scalar) lb_pushelement(L, ctx, out);
  return 1;
}

/* The value of an assignment at idx as an operand: a number, a boolean,
** an array, or a nested table (converted to a's dtype on a's device). */
static void tovalue(lua_State *L, const lu_array *a, int idx, lu_arg *val) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lu_device dev = lu_array_device(a);
    lb_fromtable(L, idx, a->dtype, &dev);
    lua_replace(L, idx);
  }
  if (!lb_test(L, idx) && lua_type(L, idx) != LUA_TNUMBER && lua_type(L, idx) != LUA_TBOOLEAN &&
      !lb_tocomplex(L, idx, &(double){0}, &(double){0}))
    luaL_error(L, "cannot assign a %s to array elements (number, boolean, complex, table or "
               "array expected)", luaL_typename(L, idx));
  lb_toarg(L, idx, val);
}

/* __newindex: a[key] = v. */
static int l_newindex(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1);
  lu_key keys[MAXKEY];
  lu_arg val;
  int n, scalar;
  if (lua_type(L, 2) == LUA_TSTRING) {
    const char *k = lua_tostring(L, 2);
    if (strcmp(k, "real") == 0 || strcmp(k, "imag") == 0) return lb_setpart(L, ctx, a, k[0] == 'i', 3);
    if (strcmp(k, "flat") == 0) return lb_setflat(L, 1, 3);
    return luaL_error(L, "cannot set field '%s' of an array", k);
  }
  tovalue(L, a, 3, &val);
  n = parsekey(L, a, 2, keys, &scalar);
  if (lu_index_set(ctx, a, n, keys, &val)) return lb_fail(L, ctx);
  return 0;
}

static int l_len(lua_State *L) {
  lu_array *a = lb_check(L, 1);
  if (a->ndim == 0) return luaL_error(L, "len() of unsized object (a 0-d array)");
  lua_pushinteger(L, (lua_Integer)a->shape[0]);
  return 1;
}
/* }====================================================== */

/* {====================================================== arguments */
/* The arguments from `first` on, named names[0..] in order, given by
** position or in a trailing options table (a table with string keys);
** at[i] receives the stack index of names[i]'s value, 0 when absent. An
** unknown option, an extra argument or a name given twice raises. */
static void getopts(lua_State *L, int first, const char *const *names, int *at) {
  int top = lua_gettop(L), nn = 0, i, kw = 0, npos;
  while (names[nn]) nn++;
  for (i = 0; i < nn; i++) at[i] = 0;
  if (top >= first && lua_type(L, top) == LUA_TTABLE && lua_rawlen(L, top) == 0) {
    lua_pushnil(L);
    if (lua_next(L, top) == 0 || lua_type(L, -2) == LUA_TSTRING) kw = top;
    lua_settop(L, top);
  }
  npos = (kw ? kw : top + 1) - first;
  if (npos > nn) lb_argerror(L, first + nn, "unexpected argument (%s)", luaL_typename(L, first + nn));
  for (i = 0; i < npos; i++) if (!lua_isnil(L, first + i)) at[i] = first + i;
  if (kw) {
    lua_pushnil(L);
    while (lua_next(L, kw)) {
      const char *k;
      lua_pop(L, 1);
      if (lua_type(L, -1) != LUA_TSTRING) lb_argerror(L, kw, "options table has a non-string key");
      k = lua_tostring(L, -1);
      for (i = 0; i < nn; i++) if (strcmp(names[i], k) == 0) break;
      if (i == nn) lb_argerror(L, kw, "unknown option '%s'", k);
      if (at[i]) lb_argerror(L, kw, "'%s' given twice (by position and as an option)", k);
    }
    for (i = 0; i < nn; i++) {
      if (at[i]) continue;
      if (lua_getfield(L, kw, names[i]) == LUA_TNIL) { lua_pop(L, 1); continue; }
      at[i] = lua_gettop(L);
    }
  }
}

/* An axis (1-based, negative from the end) at idx, or `def` when absent. */
static int optaxis(lua_State *L, int idx, int ndim, int def) {
  int isint;
  lua_Integer ax;
  if (idx == 0 || lua_isnil(L, idx)) return def;
  ax = lua_tointegerx(L, idx, &isint);
  if (!isint) lb_argerror(L, idx, "axis must be an integer, got %s", luaL_typename(L, idx));
  return lb_axis(L, idx, ax, ndim, 0);
}

static int optmode(lua_State *L, int idx) {
  static const char *const modes[] = {"raise", "wrap", "clip", NULL};
  const char *s;
  int i;
  if (idx == 0 || lua_isnil(L, idx)) return LU_IX_RAISE;
  s = lua_tostring(L, idx);
  if (lua_type(L, idx) != LUA_TSTRING) lb_argerror(L, idx, "mode must be a string, got %s", luaL_typename(L, idx));
  for (i = 0; modes[i]; i++) if (strcmp(modes[i], s) == 0) return i;
  return lb_argerror(L, idx, "mode must be 'raise', 'wrap' or 'clip', got '%s'", s);
}

/* An array argument at idx; a Lua table (or number) becomes an array on
** dev (when given) and replaces the value on the stack. */
static lu_array *toarray(lua_State *L, int idx, const lu_device *dev, const char *what) {
  lu_array *a;
  if (idx == 0) {
    lb_argerror(L, lua_gettop(L) + 1, "%s expected", what);
    return NULL;
  }
  if ((a = lb_test(L, idx)) != NULL) return a;
  if (lua_type(L, idx) == LUA_TNUMBER || lua_type(L, idx) == LUA_TBOOLEAN) {
    lu_ctx *ctx = lb_ctx(L);
    lu_scalar s;
    lb_toscalar(L, idx, &s);
    a = lb_new(L);
    if (lu_full(ctx, a, s.kind == 'f' ? LU_FLOAT64 : s.kind == 'i' ? LU_INT64 : LU_BOOL, 0, NULL,
                dev ? *dev : lu_ctx_default_device(ctx), s))
      lb_fail(L, ctx);
    lua_replace(L, idx);
    return lb_test(L, idx);
  }
  if (lua_type(L, idx) == LUA_TTABLE) {
    a = lb_fromtable(L, idx, -1, dev);
    lua_replace(L, idx);
    return lb_test(L, idx);
  }
  lb_argerror(L, idx, "%s expected, got %s", what, luaL_typename(L, idx));
  return NULL;
}

static void fail(lua_State *L, lu_ctx *ctx) { lb_fail(L, ctx); }
/* }====================================================== */

/* {====================================================== routines */
/* take(a, indices [, axis [, mode]]): a Lua integer as indices gives the
** element (a value) or the sub-array without that axis. */
static int l_take(lua_State *L) {
  static const char *const names[] = {"indices", "axis", "mode", NULL};
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *idx, *out;
  lu_device dev = lu_array_device(a);
  int at[3], axis, mode, scalar;
  getopts(L, 2, names, at);
  scalar = at[0] && lua_type(L, at[0]) == LUA_TNUMBER;
  idx = toarray(L, at[0], &dev, "indices (integer array)");
  axis = optaxis(L, at[1], a->ndim, LU_ALLAXES);
  mode = optmode(L, at[2]);
  out = lb_new(L);
  if (lu_take(ctx, out, a, idx, axis, mode)) fail(L, ctx);
  if (scalar && out->ndim == 0) lb_pushelement(L, ctx, out);
  return 1;
}

static int l_put(lua_State *L) {
  static const char *const names[] = {"indices", "values", "mode", NULL};
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *idx;
  lu_device dev = lu_array_device(a);
  lu_arg val;
  int at[3], mode;
  getopts(L, 2, names, at);
  idx = toarray(L, at[0], &dev, "indices (integer array)");
  if (at[1] == 0) lb_argerror(L, 3, "values expected");
  tovalue(L, a, at[1], &val);
  mode = optmode(L, at[2]);
  if (lu_put_flat(ctx, a, idx, &val, mode)) fail(L, ctx);
  return 0;
}

static int l_take_along_axis(lua_State *L) {
  static const char *const names[] = {"indices", "axis", NULL};
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *idx, *out;
  lu_device dev = lu_array_device(a);
  int at[2], axis;
  getopts(L, 2, names, at);
  idx = toarray(L, at[0], &dev, "indices (integer array)");
  if (at[1] == 0) lb_argerror(L, 3, "axis expected (an integer, or nil given as {axis = nil} is not allowed: pass false for the flattened array)");
  axis = lua_type(L, at[1]) == LUA_TBOOLEAN && !lua_toboolean(L, at[1]) ? LU_ALLAXES
       : optaxis(L, at[1], a->ndim, LU_ALLAXES);
  out = lb_new(L);
  if (lu_take_along_axis(ctx, out, a, idx, axis)) fail(L, ctx);
  return 1;
}

static int l_put_along_axis(lua_State *L) {
  static const char *const names[] = {"indices", "values", "axis", NULL};
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *idx;
  lu_device dev = lu_array_device(a);
  lu_arg val;
  int at[3], axis;
  getopts(L, 2, names, at);
  idx = toarray(L, at[0], &dev, "indices (integer array)");
  if (at[1] == 0) lb_argerror(L, 3, "values expected");
  tovalue(L, a, at[1], &val);
  if (at[2] == 0) lb_argerror(L, 4, "axis expected (an integer, or false for the flattened array)");
  axis = lua_type(L, at[2]) == LUA_TBOOLEAN && !lua_toboolean(L, at[2]) ? LU_ALLAXES
       : optaxis(L, at[2], a->ndim, LU_ALLAXES);
  if (lu_put_along_axis(ctx, a, idx, &val, axis)) fail(L, ctx);
  return 0;
}

/* compress(condition, a [, axis]); as a method a:compress(condition [, axis]) */
static int l_compress(lua_State *L) {
  static const char *const names[] = {"a", "axis", NULL};
  static const char *const mnames[] = {"condition", "axis", NULL};
  lu_ctx *ctx = lb_ctx(L);
  lu_array *cond, *a, *out;
  lu_device dev;
  int at[2], axis;
  if (lb_ismethod(L)) {
    a = lb_check(L, 1);
    dev = lu_array_device(a);
    getopts(L, 2, mnames, at);
    cond = toarray(L, at[0], &dev, "condition (array)");
  } else {
    getopts(L, 2, names, at);
    a = toarray(L, at[0], NULL, "a (array)");
    dev = lu_array_device(a);
    cond = toarray(L, 1, &dev, "condition (array)");
  }
  axis = optaxis(L, at[1], a->ndim, LU_ALLAXES);
  out = lb_new(L);
  if (lu_compress(ctx, out, cond, a, axis)) fail(L, ctx);
  return 1;
}

/* choose(a, choices [, mode]): choices a Lua sequence of arrays or numbers */
static int l_choose(lua_State *L) {
  static const char *const names[] = {"choices", "mode", NULL};
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a, *out;
  lu_arg args[64];
  lu_device dev;
  int at[2], mode, n, k, base;
  a = toarray(L, 1, NULL, "a (integer array)");
  dev = lu_array_device(a);
  getopts(L, 2, names, at);
  if (at[0] == 0 || lua_type(L, at[0]) != LUA_TTABLE || lb_test(L, at[0]))
    lb_argerror(L, 2, "choices (a sequence of arrays) expected, got %s",
                at[0] ? luaL_typename(L, at[0]) : "no value");
  mode = optmode(L, at[1]);
  n = (int)lua_rawlen(L, at[0]);
  if (n > 64) lb_argerror(L, 2, "at most 64 choices, got %d", n);
  luaL_checkstack(L, n + 2, NULL);
  base = lua_gettop(L);
  for (k = 0; k < n; k++) {
    lua_rawgeti(L, at[0], k + 1);
    if (lua_type(L, -1) == LUA_TTABLE && !lb_test(L, -1)) {
      lb_fromtable(L, -1, -1, &dev);
      lua_remove(L, -2);
    }
    if (!lb_test(L, -1) && lua_type(L, -1) != LUA_TNUMBER && lua_type(L, -1) != LUA_TBOOLEAN)
      lb_argerror(L, 2, "choice %d is a %s (array, number or boolean expected)", k + 1,
                  luaL_typename(L, -1));
    lb_toarg(L, base + k + 1, &args[k]);
  }
  out = lb_new(L);
  if (lu_choose(ctx, out, a, n, args, mode)) fail(L, ctx);
  return 1;
}

/* nonzero(a): one array of positions per axis, as several results */
static int l_nonzero(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = toarray(L, 1, NULL, "array"), *nz, *row;
  int d;
  if (!lua_isnone(L, 2)) lb_argerror(L, 2, "unexpected argument (%s)", luaL_typename(L, 2));
  nz = lb_new(L);
  if (lu_nonzero(ctx, nz, a, 1)) fail(L, ctx);
  luaL_checkstack(L, a->ndim + 2, NULL);
  for (d = 0; d < a->ndim; d++) {
    row = lb_new(L);
    if (lu_take_index(ctx, row, nz, 0, d)) fail(L, ctx);
  }
  return a->ndim;
}

static int l_flatnonzero(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = toarray(L, 1, NULL, "array"), *flat, *nz, *row;
  int64_t m1 = -1;
  if (!lua_isnone(L, 2)) lb_argerror(L, 2, "unexpected argument (%s)", luaL_typename(L, 2));
  flat = lb_new(L);
  if (lu_reshape(ctx, flat, a, 1, &m1)) fail(L, ctx);
  nz = lb_new(L);
  if (lu_nonzero(ctx, nz, flat, 1)) fail(L, ctx);
  row = lb_new(L);
  if (lu_take_index(ctx, row, nz, 0, 0)) fail(L, ctx);
  return 1;
}

/* argwhere(a): (count, ndim); a 0-d a gives (1, 0) or (0, 0) as NumPy */
static int l_argwhere(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = toarray(L, 1, NULL, "array"), *nz, *out;
  if (!lua_isnone(L, 2)) lb_argerror(L, 2, "unexpected argument (%s)", luaL_typename(L, 2));
  if (a->ndim == 0) {
    lu_array *one;
    int64_t shape[2] = {0, 0}, m1 = -1;
    one = lb_new(L);
    if (lu_reshape(ctx, one, a, 1, &m1)) fail(L, ctx);
    nz = lb_new(L);
    if (lu_nonzero(ctx, nz, one, 1)) fail(L, ctx);
    shape[0] = nz->shape[1];
    out = lb_new(L);
    if (lu_empty(ctx, out, LU_INT64, 2, shape, lu_array_device(a))) fail(L, ctx);
    return 1;
  }
  nz = lb_new(L);
  if (lu_nonzero(ctx, nz, a, 1)) fail(L, ctx);
  out = lb_new(L);
  if (lu_transpose(ctx, out, nz, NULL)) fail(L, ctx);
  return 1;
}

/* where(cond) is nonzero(cond); with three arguments the elementwise op
** registered by lb_ops.c (kept in the registry under where_key) runs. */
static const char where_key = 'w';

static int l_where(lua_State *L) {
  int n = lua_gettop(L);
  if (n == 1) return l_nonzero(L);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &where_key);
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

static int l_extract(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *cond, *a, *out;
  lu_device dev;
  a = toarray(L, 2, NULL, "arr (array)");
  dev = lu_array_device(a);
  cond = toarray(L, 1, &dev, "condition (array)");
  if (!lua_isnone(L, 3)) lb_argerror(L, 3, "unexpected argument (%s)", luaL_typename(L, 3));
  out = lb_new(L);
  if (lu_extract(ctx, out, cond, a)) fail(L, ctx);
  return 1;
}

/* place(arr, mask, vals) and putmask(a, mask, values): in place */
static int l_place(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *m;
  lu_device dev = lu_array_device(a);
  lu_arg val;
  m = toarray(L, 2, &dev, "mask (array)");
  if (lua_isnone(L, 3)) lb_argerror(L, 3, "vals expected");
  if (!lua_isnone(L, 4)) lb_argerror(L, 4, "unexpected argument (%s)", luaL_typename(L, 4));
  if (lua_type(L, 3) == LUA_TTABLE && !lb_test(L, 3)) {
    lb_fromtable(L, 3, a->dtype, &dev);
    lua_replace(L, 3);
  }
  lb_toarg(L, 3, &val);
  if (lu_place(ctx, a, m, &val)) fail(L, ctx);
  return 0;
}

static int l_putmask(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *m;
  lu_device dev = lu_array_device(a);
  lu_arg val;
  m = toarray(L, 2, &dev, "mask (array)");
  if (lua_isnone(L, 3)) lb_argerror(L, 3, "values expected");
  if (!lua_isnone(L, 4)) lb_argerror(L, 4, "unexpected argument (%s)", luaL_typename(L, 4));
  if (lua_type(L, 3) == LUA_TTABLE && !lb_test(L, 3)) {
    lb_fromtable(L, 3, -1, &dev);
    lua_replace(L, 3);
  }
  lb_toarg(L, 3, &val);
  if (lu_putmask(ctx, a, m, &val)) fail(L, ctx);
  return 0;
}

/* diagonal(a [, offset [, axis1 [, axis2]]]): a view */
static int l_diagonal(lua_State *L) {
  static const char *const names[] = {"offset", "axis1", "axis2", NULL};
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = toarray(L, 1, NULL, "array"), *out;
  int at[3], ax1, ax2;
  lua_Integer off = 0;
  getopts(L, 2, names, at);
  if (at[0]) {
    int isint;
    off = lua_tointegerx(L, at[0], &isint);
    if (!isint) lb_argerror(L, at[0], "offset must be an integer, got %s", luaL_typename(L, at[0]));
  }
  ax1 = optaxis(L, at[1], a->ndim < 2 ? 2 : a->ndim, 0);
  ax2 = optaxis(L, at[2], a->ndim < 2 ? 2 : a->ndim, 1);
  out = lb_new(L);
  if (lu_diagonal(ctx, out, a, (int64_t)off, ax1, ax2)) fail(L, ctx);
  return 1;
}

/* add_at(a, indices, values) and the other ufunc.at forms: indices is an
** index array (the first axis) or a key table as in a[key] */
static int l_at(lua_State *L) {
  static const char *const opnames[] = {"", "add_at", "subtract_at", "multiply_at",
                                        "maximum_at", "minimum_at"};
  lu_ctx *ctx = lb_ctx(L);
  int op = (int)lua_tointeger(L, lua_upvalueindex(3)), n, scalar;
  lu_array *a = lb_check(L, 1);
  lu_key keys[MAXKEY];
  lu_arg val;
  if (lua_isnone(L, 2)) lb_argerror(L, 2, "indices expected");
  if (lua_isnone(L, 3)) lb_argerror(L, 3, "values expected");
  if (!lua_isnone(L, 4)) lb_argerror(L, 4, "unexpected argument (%s)", luaL_typename(L, 4));
  tovalue(L, a, 3, &val);
  if (lua_type(L, 2) == LUA_TTABLE && !boolean_table(L, 2)) {
    /* a flat table of integers is a list of positions, as NumPy reads one */
    int t = lua_rawgeti(L, 2, 1);
    lua_pop(L, 1);
    if (t == LUA_TNUMBER) {
      lu_device dev = lu_array_device(a);
      lb_fromtable(L, 2, -1, &dev);
      lua_replace(L, 2);
    }
  }
  n = parsekey(L, a, 2, keys, &scalar);
  if (lu_index_accumulate(ctx, a, n, keys, op, &val, opnames[op])) fail(L, ctx);
  return 0;
}
/* }====================================================== */

/* Set __index (with the method table as upvalue 5), __newindex and __len
** on the array metatable at `meta`; lunar.newaxis, lunar.ellipsis and the
** index routines in the module table (mod) and the method table. */
void lb_open_index(lua_State *L, int mod, int meta, int methods) {
  static const luaL_Reg fns[] = {
    {"take", l_take}, {"put", l_put}, {"take_along_axis", l_take_along_axis},
    {"put_along_axis", l_put_along_axis}, {"compress", l_compress}, {"choose", l_choose},
    {"nonzero", l_nonzero}, {"flatnonzero", l_flatnonzero}, {"argwhere", l_argwhere},
    {"extract", l_extract}, {"place", l_place}, {"putmask", l_putmask},
    {"diagonal", l_diagonal}, {NULL, NULL}
  };
  static const luaL_Reg meths[] = {
    {"take", l_take}, {"put", l_put}, {"compress", l_compress}, {"choose", l_choose},
    {"nonzero", l_nonzero}, {"diagonal", l_diagonal}, {NULL, NULL}
  };
  static const char *const at_names[] = {"add_at", "subtract_at", "multiply_at", "maximum_at",
                                         "minimum_at"};
  int k;
  mod = lua_absindex(L, mod);
  meta = lua_absindex(L, meta);
  methods = lua_absindex(L, methods);
  /* __index: lb_pushfn's four upvalues (its box taken from a closure that
  ** lb_pushfn made) plus the method table */
  lua_pushstring(L, "index");
  lua_pushboolean(L, 0);
  lua_pushnil(L);
  lb_pushfn(L, l_len, "len", 0, -1);         /* only to reach the box: upvalue 4 */
  lua_getupvalue(L, -1, 4);
  lua_remove(L, -2);
  lua_pushvalue(L, methods);
  lua_pushcclosure(L, l_index, 5);
  lua_setfield(L, meta, "__index");
  lb_pushfn(L, l_newindex, "index assignment", 0, -1);
  lua_setfield(L, meta, "__newindex");
  lb_pushfn(L, l_len, "len", 0, -1);
  lua_setfield(L, meta, "__len");
  /* for introspection (the REPL's completion): methods and property names */
  lua_pushvalue(L, methods);
  lua_setfield(L, meta, "__methods");
  lb_pusharity(L);   /* the most arguments each C method takes (lb_methods.def) */
  lua_setfield(L, meta, "__arity");
  {
    static const char *const props[] = {"shape", "ndim", "size", "dtype", "device",
                                        "itemsize", "nbytes", "strides", "T", "real", "imag",
                                        "flags", "base", "flat", NULL};
    int i;
    lua_createtable(L, 14, 0);
    for (i = 0; props[i]; i++) {
      lua_pushstring(L, props[i]);
      lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, meta, "__properties");
  }
  push_sentinel(L, &newaxis_key, "lunar.newaxis");
  lua_setfield(L, mod, "newaxis");
  push_sentinel(L, &ellipsis_key, "lunar.ellipsis");
  lua_setfield(L, mod, "ellipsis");
  lb_register(L, mod, fns, "lunar.", 0);
  lb_register(L, methods, meths, "array:", 1);
  for (k = 0; k < 5; k++) {
    char name[32];
    snprintf(name, sizeof name, "lunar.%s", at_names[k]);
    lb_pushfn(L, l_at, name, 0, k + 1);
    lua_setfield(L, mod, at_names[k]);
  }
  /* where(cond): nonzero; the elementwise where stays for three arguments */
  if (lua_getfield(L, mod, "where") != LUA_TNIL) {
    lua_rawsetp(L, LUA_REGISTRYINDEX, &where_key);
    lb_pushfn(L, l_where, "lunar.where", 0, -1);
    lua_setfield(L, mod, "where");
  } else {
    lua_pop(L, 1);
  }
}
