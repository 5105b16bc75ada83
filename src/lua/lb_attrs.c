/* SPDX-License-Identifier: MIT */
/*
** The ndarray attributes about memory: a.flags, a.base, and the methods
** view, getfield, setfield and resize. a.flat and a:byteswap() are
** compositions in lua/attrs.lua. lunar's arrays are always writeable and
** aligned (views that would not be aligned are refused), and have no
** setflags: nothing checks a flag on every path that writes an array.
*/
#include <stdint.h>
#include <string.h>
#include "lb.h"

/* {===== a.flags */
/* C- or Fortran-contiguous as NumPy defines it (lengths 1 do not count, an
** empty array is both). */
static int contig(const lu_array *a, int fortran) {
  int64_t s = lu_array_itemsize(a);
  int k, i;
  if (a->size == 0) return 1;
  for (k = 0; k < a->ndim; k++) {
    i = fortran ? k : a->ndim - 1 - k;
    if (a->shape[i] == 1) continue;
    if (a->strides[i] != s) return 0;
    s *= a->shape[i];
  }
  return 1;
}

/* The data address and every step a multiple of the dtype's alignment (a
** complex number's is that of its parts). */
static int aligned(const lu_array *a) {
  int64_t al = lu_array_itemsize(a) / (lu_dtype_kind(a->dtype) == 'c' ? 2 : 1);
  int i;
  if (a->size == 0) return 1;
  if ((uintptr_t)lu_array_data(a) % (uint64_t)al != 0) return 0;
  for (i = 0; i < a->ndim; i++)
    if (a->shape[i] > 1 && a->strides[i] % al != 0) return 0;
  return 1;
}

/* flags.k, flags[K]: upvalue 1 the values; an unknown name is an error */
static int flags_index(lua_State *L) {
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TNIL)
    return luaL_error(L, "flags: no flag named '%s'", luaL_tolstring(L, 2, NULL));
  return 1;
}

static int flags_newindex(lua_State *L) {
  return luaL_error(L, "flags: cannot set '%s': an array's flags are read-only (lunar arrays "
                    "are always writeable and aligned, and have no setflags)",
                    luaL_tolstring(L, 2, NULL));
}

static int flags_tostring(lua_State *L) {
  static const char *const names[] = {"C_CONTIGUOUS", "F_CONTIGUOUS", "OWNDATA", "WRITEABLE",
                                      "ALIGNED", "WRITEBACKIFCOPY", NULL};
  luaL_Buffer b;
  int i;
  luaL_buffinit(L, &b);
  for (i = 0; names[i]; i++) {
    lua_getfield(L, lua_upvalueindex(1), names[i]);
    lua_pushfstring(L, "  %s : %s\n", names[i], lua_toboolean(L, -1) ? "True" : "False");
    luaL_addvalue(&b);
    lua_pop(L, 1);
  }
  luaL_pushresult(&b);
  return 1;
}

/* NumPy's flags object: a read-only table of the flags under NumPy's
** attribute names, its upper-case keys and its one-letter keys. */
static void pushflags(lua_State *L, const lu_array *a) {
  struct { const char *lower, *upper, *letter; int on; } f[11];
  int c = contig(a, 0), fo = contig(a, 1), al = aligned(a), i, n = 0;
#define FLAG(lo, up, le, v) (f[n].lower = lo, f[n].upper = up, f[n].letter = le, f[n++].on = (v))
  FLAG("c_contiguous", "C_CONTIGUOUS", "C", c);
  FLAG("f_contiguous", "F_CONTIGUOUS", "F", fo);
  FLAG("owndata", "OWNDATA", "O", lu_array_owns(a));
  FLAG("writeable", "WRITEABLE", "W", 1);
  FLAG("aligned", "ALIGNED", "A", al);
  FLAG("writebackifcopy", "WRITEBACKIFCOPY", "X", 0);
  FLAG("fnc", "FNC", NULL, fo && !c);
  FLAG("forc", "FORC", NULL, fo || c);
  FLAG("behaved", "BEHAVED", "B", al);
  FLAG("carray", "CARRAY", "CA", al && c);
  FLAG("farray", "FARRAY", "FA", al && fo && !c);
#undef FLAG
  lua_newtable(L);                               /* the proxy */
  lua_createtable(L, 0, 4);                      /* its metatable */
  lua_createtable(L, 0, 3 * n);                  /* the values */
  for (i = 0; i < n; i++) {
    lua_pushboolean(L, f[i].on);
    lua_setfield(L, -2, f[i].lower);
    lua_pushboolean(L, f[i].on);
    lua_setfield(L, -2, f[i].upper);
    if (f[i].letter) {
      lua_pushboolean(L, f[i].on);
      lua_setfield(L, -2, f[i].letter);
    }
  }
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, flags_index, 1);
  lua_setfield(L, -3, "__index");
  lua_pushcclosure(L, flags_tostring, 1);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, flags_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushliteral(L, "lunar.flags");
  lua_setfield(L, -2, "__name");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}
/* }===== */

/* {===== a.base */
/* nil for an array that made its buffer; else a new array object over the
** whole buffer (lu_array_base: NumPy's base is the owner, whose Lua
** object lunar's views do not know). */
static void pushbase(lua_State *L, lu_ctx *ctx, const lu_array *a) {
  lu_array *out;
  if (lu_array_owns(a)) {
    lua_pushnil(L);
    return;
  }
  out = lb_new(L);
  if (lu_array_base(ctx, out, a)) lb_fail(L, ctx);
}
/* }===== */

/* a.flat and a.flat = v: lua/attrs.lua's functions `flat` and `setflat`
** (in the registry table "lunar.lua" under "attrs") called with the array
** at idx (and the value at vidx) */
static void callattrs(lua_State *L, const char *fn, int idx, int vidx) {
  idx = lua_absindex(L, idx);
  if (vidx) vidx = lua_absindex(L, vidx);
  if (lua_getfield(L, LUA_REGISTRYINDEX, "lunar.lua") != LUA_TTABLE ||
      lua_getfield(L, -1, "attrs") != LUA_TTABLE || lua_getfield(L, -1, fn) != LUA_TFUNCTION)
    luaL_error(L, "flat: lua/attrs.lua is not loaded");
  lua_pushvalue(L, idx);
  if (vidx) lua_pushvalue(L, vidx);
  lua_call(L, vidx ? 2 : 1, vidx ? 0 : 1);
}

int lb_setflat(lua_State *L, int idx, int vidx) {
  callattrs(L, "setflat", idx, vidx);
  return 0;
}

int lb_pushattr(lua_State *L, lu_ctx *ctx, int idx, const lu_array *a, const char *name) {
  if (strcmp(name, "flags") == 0) pushflags(L, a);
  else if (strcmp(name, "base") == 0) pushbase(L, ctx, a);
  else if (strcmp(name, "flat") == 0) callattrs(L, "flat", idx, 0);
  else return 0;
  return 1;
}

/* {===== methods */
/* a:view([dtype]): a new array object on a's buffer, of dtype when given */
static int l_view(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  lb_params p;
  int dt;
  lb_getparams(L, 2, "dtype", NULL, &p);
  dt = lb_pdtype(L, &p, 0);
  out = lb_new(L);
  if (dt < 0) lu_array_share(out, a);
  else if (lu_view_dtype(ctx, out, a, (lu_dtype)dt)) return lb_fail(L, ctx);
  return 1;
}

/* The view of getfield's parameters dtype (0) and offset (1) of p. */
static lu_array *field(lua_State *L, lu_ctx *ctx, lu_array *a, const lb_params *p, int k) {
  int dt = lb_pdtype(L, p, k);
  lua_Integer off = lb_pint(L, p, k + 1, "offset", 0);
  lu_array *out;
  if (dt < 0) lb_argerror(L, 2 + k, "dtype expected");
  out = lb_new(L);
  if (lu_getfield(ctx, out, a, (lu_dtype)dt, (int64_t)off)) lb_fail(L, ctx);
  return out;
}

static int l_getfield(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1);
  lb_params p;
  lb_getparams(L, 2, "dtype,offset", NULL, &p);
  field(L, ctx, a, &p, 0);
  return 1;
}

/* a:setfield(val, dtype [, offset]): a:getfield(dtype, offset)[...] = val */
static int l_setfield(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *v;
  lb_params p;
  lu_arg val;
  int vi;
  lb_getparams(L, 2, "val,dtype,offset", NULL, &p);
  if (!(vi = p.idx[0])) lb_argerror(L, 2, "val expected");
  v = field(L, ctx, a, &p, 1);
  if (lua_type(L, vi) == LUA_TTABLE && !lb_test(L, vi)) {
    lu_device dev = lu_array_device(a);
    lb_fromtable(L, vi, v->dtype, &dev);
    vi = lua_gettop(L);
  }
  lb_toarg(L, vi, &val);
  if (lu_assign(ctx, v, &val)) return lb_fail(L, ctx);
  return 0;
}

/* a:resize(new_shape [, {refcheck = true}]): the shape a table or integers */
static int l_resize(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1);
  int64_t shape[LU_MAXDIM];
  int top = lua_gettop(L), opts = 0, nd = 0, next, refcheck = 1, sidx = 2;
  if (top >= 2 && lb_isoptions(L, top)) opts = top--;
  if (opts) {
    lua_pushnil(L);
    while (lua_next(L, opts)) {
      const char *k = lua_tostring(L, -2);
      lua_pop(L, 1);
      if (strcmp(k, "refcheck") != 0 && strcmp(k, "new_shape") != 0)
        lb_argerror(L, opts, "unknown option '%s'", k);
    }
    if (lua_getfield(L, opts, "refcheck") != LUA_TNIL) {
      if (!lua_isboolean(L, -1))
        lb_argerror(L, opts, "refcheck must be a boolean, got %s", luaL_typename(L, -1));
      refcheck = lua_toboolean(L, -1);
    }
    if (lua_getfield(L, opts, "new_shape") != LUA_TNIL) {
      if (top >= 2) lb_argerror(L, opts, "'new_shape' given by position and by name");
      sidx = lua_gettop(L);
      top = sidx;
    }
  }
  if (top < sidx || (lua_type(L, sidx) != LUA_TTABLE && lua_type(L, sidx) != LUA_TNUMBER))
    lb_argerror(L, sidx, "new_shape (a table or integers) expected, got %s", luaL_typename(L, sidx));
  next = lb_shape(L, sidx, 0, &nd, shape);
  if (next <= top && sidx == 2)
    lb_argerror(L, next, "unexpected argument (%s)", luaL_typename(L, next));
  /* pending values (automatic fusion) hold the buffers they read until
  ** they are computed: no reference of theirs counts for refcheck */
  if (refcheck && a->buf != NULL && a->buf->refcount > 1 && lu_lazy_pending(ctx) > 0 &&
      lu_lazy_flush(ctx) != LU_OK)
    return lb_fail(L, ctx);
  if (lu_resize_inplace(ctx, a, nd, shape, refcheck)) return lb_fail(L, ctx);
  return 0;
}
/* }===== */

void lb_open_attrs(lua_State *L, int methods) {
  static const luaL_Reg meths[] = {
    {"view", l_view}, {"getfield", l_getfield}, {"setfield", l_setfield},
    {"resize", l_resize}, {NULL, NULL}
  };
  lb_register(L, methods, meths, "array:", 1);
}
