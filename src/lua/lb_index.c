/* SPDX-License-Identifier: MIT */
/*
** __index, __newindex and __len of arrays: methods, properties, and Lua-style
** indexing (1-based, inclusive ranges {start, stop[, step]}, negative counts
** from the end, boolean masks) turned into the core's 0-based, half-open
** lu_take_index/lu_slice calls.
*/
#include <string.h>
#include "lb.h"

/* One resolved index entry, for the original axis of the same position. */
typedef struct ientry {
  int isint;
  int64_t i;                    /* 0-based, when isint */
  int64_t start, stop, step;    /* NumPy's normalised slice otherwise */
} ientry;

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

static void checkint(lua_State *L, int64_t v, int axis, int64_t n, int64_t *out) {
  int64_t i = v < 0 ? v + n : v - 1;
  if (v == 0 || i < 0 || i >= n)
    luaL_error(L, "index %I is out of bounds for axis %d with size %I",
               (lua_Integer)v, axis + 1, (lua_Integer)n);
  *out = i;
}

static const char badindex[] =
  "only integers, ranges {start, stop[, step]} and boolean masks are valid indices";

/* Optional integer field k of the range at the top; *has is 0 when nil. */
static int64_t rangefield(lua_State *L, int k, int *has) {
  int isint;
  lua_Integer v;
  if (lua_geti(L, -1, k) == LUA_TNIL) {
    lua_pop(L, 1);
    *has = 0;
    return 0;
  }
  v = lua_tointegerx(L, -1, &isint);
  if (!isint) luaL_error(L, "range bounds must be integers, got %s", luaL_typename(L, -1));
  lua_pop(L, 1);
  *has = 1;
  return (int64_t)v;
}

/* The inclusive Lua range at the top of the stack, for an axis of size n,
** as NumPy's normalised (start, stop, step): stop may be -1 with a negative
** step, meaning "through element 0". Out-of-range bounds are clipped, as
** NumPy clips slices. */
static void torange(lua_State *L, int64_t n, ientry *e) {
  int hs, he, hp;
  int64_t s = rangefield(L, 1, &hs), t = rangefield(L, 2, &he), step = rangefield(L, 3, &hp);
  if (!hp) step = 1;
  if (step == 0) luaL_error(L, "range step cannot be zero");
  if (!hs) s = step > 0 ? 1 : -1;
  if (!he) t = step > 0 ? -1 : 1;
  s = s < 0 ? s + n : s - 1;       /* 0-based, inclusive */
  t = t < 0 ? t + n : t - 1;
  if (step > 0) {
    e->start = clamp(s, 0, n);
    e->stop = clamp(t + 1, 0, n);
    if (e->stop < e->start) e->stop = e->start;
  } else {
    e->start = clamp(s, -1, n - 1);
    e->stop = clamp(t - 1, -1, n - 1);
    if (e->stop > e->start) e->stop = e->start;
  }
  e->step = step;
  e->isint = 0;
}

static void toomany(lua_State *L, int ndim, int n) {
  luaL_error(L, "too many indices for array: array is %d-dimensional, but %d were indexed",
             ndim, n);
}

/* Resolve the key at index k (an integer or a table of entries) against a.
** Returns the number of entries, all validated; *allint says every entry
** is an integer. */
static int resolve(lua_State *L, const lu_array *a, int k, ientry *ents, int *allint) {
  int n = 0, isint;
  lua_Integer v;
  *allint = 1;
  if (lua_type(L, k) == LUA_TNUMBER) {
    v = lua_tointegerx(L, k, &isint);
    if (!isint) luaL_error(L, "%s", badindex);
    if (a->ndim == 0) toomany(L, 0, 1);
    ents[0].isint = 1;
    checkint(L, v, 0, a->shape[0], &ents[0].i);
    return 1;
  }
  if (lua_type(L, k) != LUA_TTABLE) luaL_error(L, "%s", badindex);
  {
    lua_Integer j, len = luaL_len(L, k);
    if (len > a->ndim) toomany(L, a->ndim, (int)len);
    for (j = 1; j <= len; j++) {
      ientry *e = &ents[n];
      int t = lua_geti(L, k, j);
      if (t == LUA_TNUMBER) {
        v = lua_tointegerx(L, -1, &isint);
        if (!isint) luaL_error(L, "%s", badindex);
        e->isint = 1;
        checkint(L, v, n, a->shape[n], &e->i);
      } else if (t == LUA_TTABLE && !lb_test(L, -1)) {
        torange(L, a->shape[n], e);
        *allint = 0;
      } else {
        luaL_error(L, "%s", badindex);
      }
      lua_pop(L, 1);
      n++;
    }
  }
  return n;
}

/* Push the view of a selected by the key at k (the entries validated first,
** so nothing raises while a temporary holds a buffer). */
static lu_array *pushview(lua_State *L, lu_ctx *ctx, const lu_array *a, int k, int *allint) {
  ientry ents[LU_MAXDIM];
  int n = resolve(L, a, k, ents, allint), j, ax = 0;
  lu_array *out = lb_new(L);
  lu_array_share(out, a);
  for (j = 0; j < n; j++) {
    lu_array tmp;
    int st;
    memset(&tmp, 0, sizeof tmp);
    if (ents[j].isint) st = lu_take_index(ctx, &tmp, out, ax, ents[j].i);
    else st = lu_slice(ctx, &tmp, out, ax++, ents[j].start, ents[j].stop, ents[j].step);
    if (st) lb_fail(L, ctx);
    lu_array_release(out);
    *out = tmp;
  }
  if (n < a->ndim) *allint = 0;
  return out;
}

static lu_array *asmask(lua_State *L, const lu_array *a, int k) {
  lu_array *m = lb_test(L, k);
  if (m == NULL) return NULL;
  if (m->dtype != LU_BOOL)
    luaL_error(L, "arrays used as indices must be boolean masks (got %s)", lu_dtype_name(m->dtype));
  (void)a;
  return m;
}

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
  } else return 0;
  return 1;
}

/* __index: upvalue 4 is the method table. */
static int l_index(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a, *m;
  int allint;
  if (lua_type(L, 2) == LUA_TSTRING) {
    /* methods are found even on a closed array: a:close() twice is harmless
    ** and the other methods raise the closed-array error themselves */
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(4)) != LUA_TNIL) return 1;
    lua_pop(L, 1);
    a = lb_check(L, 1);
    if (property(L, ctx, a, lua_tostring(L, 2))) return 1;
    lua_pushnil(L);
    return 1;
  }
  a = lb_check(L, 1);
  if ((m = asmask(L, a, 2)) != NULL) {
    lu_array *out = lb_new(L);
    if (lu_mask_select(ctx, out, a, m)) return lb_fail(L, ctx);
    return 1;
  }
  {
    lu_array *v = pushview(L, ctx, a, 2, &allint);
    if (allint) lb_pushelement(L, ctx, v);
  }
  return 1;
}

/* __newindex: a[i] = v, a[{...}] = v, a[mask] = v; v a number, a boolean,
** an array or a nested table (converted to a's dtype). */
static int l_newindex(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *m, *view;
  lu_arg val;
  int allint;
  if (lua_type(L, 2) == LUA_TSTRING) {
    const char *k = lua_tostring(L, 2);
    if (strcmp(k, "real") == 0 || strcmp(k, "imag") == 0) return lb_setpart(L, ctx, a, k[0] == 'i', 3);
    return luaL_error(L, "cannot set field '%s' of an array", k);
  }
  if (lua_type(L, 3) == LUA_TTABLE && !lb_test(L, 3)) {
    lu_device dev = lu_array_device(a);
    lb_fromtable(L, 3, a->dtype, &dev);
    lua_replace(L, 3);
  }
  if (!lb_test(L, 3) && lua_type(L, 3) != LUA_TNUMBER && lua_type(L, 3) != LUA_TBOOLEAN &&
      !lb_tocomplex(L, 3, &(double){0}, &(double){0}))
    return luaL_error(L, "cannot assign a %s to array elements (number, boolean, complex, "
                      "table or array expected)", luaL_typename(L, 3));
  lb_toarg(L, 3, &val);
  if ((m = asmask(L, a, 2)) != NULL) {
    if (lu_mask_assign(ctx, a, m, &val)) return lb_fail(L, ctx);
    return 0;
  }
  view = pushview(L, ctx, a, 2, &allint);
  if (lu_assign(ctx, view, &val)) return lb_fail(L, ctx);
  lu_array_release(view);   /* drop the view's reference now, not at GC */
  view->buf = NULL;
  return 0;
}

static int l_len(lua_State *L) {
  lu_array *a = lb_check(L, 1);
  if (a->ndim == 0) return luaL_error(L, "len() of unsized object (a 0-d array)");
  lua_pushinteger(L, (lua_Integer)a->shape[0]);
  return 1;
}

/* Set __index (with the method table at `methods` as upvalue 4), __newindex
** and __len on the array metatable at `meta`. */
void lb_open_index(lua_State *L, int meta, int methods) {
  meta = lua_absindex(L, meta);
  methods = lua_absindex(L, methods);
  lua_pushstring(L, "index");
  lua_pushboolean(L, 0);
  lua_pushnil(L);
  lua_pushvalue(L, methods);
  lua_pushcclosure(L, l_index, 4);
  lua_setfield(L, meta, "__index");
  lb_pushfn(L, l_newindex, "index assignment", 0, -1);
  lua_setfield(L, meta, "__newindex");
  lb_pushfn(L, l_len, "len", 0, -1);
  lua_setfield(L, meta, "__len");
  /* for introspection (the REPL's completion): methods and property names */
  lua_pushvalue(L, methods);
  lua_setfield(L, meta, "__methods");
  {
    static const char *const props[] = {"shape", "ndim", "size", "dtype", "device",
                                        "itemsize", "nbytes", "strides", "T", "real", "imag",
                                        NULL};
    int i;
    lua_createtable(L, 11, 0);
    for (i = 0; props[i]; i++) {
      lua_pushstring(L, props[i]);
      lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, meta, "__properties");
  }
}
