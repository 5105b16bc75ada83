/* SPDX-License-Identifier: MIT */
/*
** Lua tables and values <-> arrays, the whole conversion in one file:
** nested tables to arrays (lb_fromtable, lunar.array), arrays to tables and
** values (a:totable(), a:item(), lb_pushvalue, lb_pushelement), and
** tostring (which calls the formatter written in Lua, lua/format.lua).
*/
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "lb.h"

/* One element at h (dtype dt) as a Lua value: integers for int dtypes
** (uint64 values past math.maxinteger become floats), floats for floats
** (float16 and bfloat16 too), booleans for bool, lunar complex values for
** complex dtypes. */
void lb_pushvalue(lua_State *L, lu_dtype dt, const void *h) {
  lu_value v = lu_value_load(h, dt);
  switch (lu_dtype_kind(dt)) {
  case 'b': lua_pushboolean(L, v.i != 0); break;
  case 'i': lua_pushinteger(L, (lua_Integer)v.i); break;
  case 'u':
    if (v.u <= (uint64_t)LUA_MAXINTEGER) lua_pushinteger(L, (lua_Integer)v.u);
    else lua_pushnumber(L, (lua_Number)v.u);
    break;
  case 'c': lb_pushcomplex(L, v.c.re, v.c.im); break;
  default: lua_pushnumber(L, (lua_Number)v.f); break;
  }
}

/* The one element of a (size 1) fetched to the host. */
void lb_pushelement(lua_State *L, lu_ctx *ctx, const lu_array *a) {
  union { double d; int64_t i; char c[16]; lu_c128 z; } h;
  if (lu_to_host_as(ctx, a, h.c, lb_fname(L))) lb_fail(L, ctx);
  lb_pushvalue(L, a->dtype, h.c);
}

/* {===== nested tables -> array */

typedef struct tshape {
  int ndim;
  int64_t shape[LU_MAXDIM];
  int64_t size;
  char kind;          /* highest leaf kind seen: 0, 'b', 'i', 'f', 'c' */
  int narrays;        /* arrays among the items (NumPy's np.array([a, b])) */
  int adtype;         /* their promoted dtype, -1 when none */
  int hasdev;
  lu_device dev;      /* the first array's device */
} tshape;

static int iscomplex(lua_State *L, int idx) {
  double re, im;
  return lb_tocomplex(L, idx, &re, &im);
}

static int isleaf(lua_State *L, int idx) {
  int t = lua_type(L, idx);
  return t == LUA_TNUMBER || t == LUA_TBOOLEAN || iscomplex(L, idx);
}

static int kind_rank(char k) { return k == 'c' ? 4 : k == 'f' ? 3 : k == 'i' ? 2 : k == 'b' ? 1 : 0; }

/* Shape from the first element at every depth; an array met on the way
** adds its own shape. */
static void inferdims(lua_State *L, int idx, tshape *ts) {
  int pushed = 0;
  lu_array *a;
  ts->ndim = 0;
  lua_pushvalue(L, idx);
  pushed++;
  while (lua_type(L, -1) == LUA_TTABLE && !lb_test(L, -1)) {
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (ts->ndim >= LU_MAXDIM)
      luaL_error(L, "%s: nested tables deeper than %d", lb_fname(L), LU_MAXDIM);
    ts->shape[ts->ndim++] = n;
    if (n == 0) break;
    luaL_checkstack(L, 2, NULL);
    lua_rawgeti(L, -1, 1);
    pushed++;
  }
  if ((a = lb_test(L, -1)) != NULL) {
    int i;
    if (ts->ndim + a->ndim > LU_MAXDIM)
      luaL_error(L, "%s: the result would have more than %d dimensions", lb_fname(L), LU_MAXDIM);
    for (i = 0; i < a->ndim; i++) ts->shape[ts->ndim++] = a->shape[i];
  }
  lua_pop(L, pushed);
}

static const char *leafkindname(lua_State *L, int idx) {
  if (lb_test(L, idx)) return "array";
  return luaL_typename(L, idx);
}

/* An array item at depth d must have the shape that is left below d. */
static void checkarray(lua_State *L, tshape *ts, int d, const lu_array *a) {
  int i, ok = a->ndim == ts->ndim - d - 1;
  for (i = 0; ok && i < a->ndim; i++) ok = a->shape[i] == ts->shape[d + 1 + i];
  if (!ok) {
    char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
    luaL_error(L, "%s: inhomogeneous shape at depth %d (expected an array of shape %s, got %s)",
               lb_fname(L), d + 2, lu_shape_str(ts->ndim - d - 1, ts->shape + d + 1, s1, sizeof s1),
               lu_shape_str(a->ndim, a->shape, s2, sizeof s2));
  }
  ts->adtype = ts->narrays++ ? (int)lu_promote((lu_dtype)ts->adtype, a->dtype) : (int)a->dtype;
  if (!ts->hasdev) { ts->dev = lu_array_device(a); ts->hasdev = 1; }
}

/* Check that the table at the top has ts's shape from depth d on (1-based
** depth in messages: the outer table is depth 1) and note the leaf kinds.
** An item may be an array standing for the rest of the shape. */
static void checkrect(lua_State *L, tshape *ts, int d) {
  lua_Integer k, n = (lua_Integer)lua_rawlen(L, -1);
  if (n != ts->shape[d])
    luaL_error(L, "%s: inhomogeneous shape at depth %d (expected %d elements, got %d)",
               lb_fname(L), d + 1, (int)ts->shape[d], (int)n);
  luaL_checkstack(L, 2, NULL);
  for (k = 1; k <= n; k++) {
    lu_array *a;
    lua_rawgeti(L, -1, k);
    if ((a = lb_test(L, -1)) != NULL) {
      checkarray(L, ts, d, a);
    } else if (d + 1 < ts->ndim) {
      if (lua_type(L, -1) != LUA_TTABLE)
        luaL_error(L, "%s: inhomogeneous shape at depth %d (expected a table, got %s)",
                   lb_fname(L), d + 2, leafkindname(L, -1));
      checkrect(L, ts, d + 1);
    } else {
      char kd;
      if (!isleaf(L, -1))
        luaL_error(L, "%s: inhomogeneous shape at depth %d (expected a number or boolean, got %s)",
                   lb_fname(L), d + 2, leafkindname(L, -1));
      kd = lua_type(L, -1) == LUA_TBOOLEAN ? 'b' : lua_isinteger(L, -1) ? 'i'
         : lua_type(L, -1) == LUA_TNUMBER ? 'f' : 'c';
      if (kind_rank(kd) > kind_rank(ts->kind)) ts->kind = kd;
    }
    lua_pop(L, 1);
  }
}

/* The value at idx, already checked to be a number, boolean or complex. */
static lu_scalar toscalar(lua_State *L, int idx) {
  lu_scalar s;
  lb_toscalar(L, idx, &s);
  return s;
}

/* 1 when the Lua integer v has a value in dtype dt (always for bool and
** the float kinds, which round) */
static int int_fits(int64_t v, lu_dtype dt) {
  int bits = 8 * lu_dtype_size(dt);
  char k = lu_dtype_kind(dt);
  if (k == 'i') return bits >= 64 || (v >= -((int64_t)1 << (bits - 1)) && v < ((int64_t)1 << (bits - 1)));
  /* uint64: a negative Lua integer is taken as its bit pattern, the only
  ** way to write values from 2^63 in Lua (as math.ult and %u read them) */
  if (k == 'u') return bits >= 64 || (v >= 0 && v < ((int64_t)1 << bits));
  return 1;
}

/* A Lua value going into dtype dt, as NumPy's array() takes a Python
** number: an integer must fit dt (NumPy 2's OverflowError); a float going
** into an integer dtype converts as NumPy's setitem does, through Python's
** int() and then a C long (unsigned long for uint32 and uint64): NaN and
** the infinities are errors, and so are values outside the 64-bit integers
** ([-2^63, 2^64) for uint32 and uint64, [-2^63, 2^63) for the others);
** the rest truncates toward zero and wraps to dt's width (300.0 into int8
** gives 44, 2^32 + 5 into int32 gives 5, -1.0 into uint8 gives 255). *s
** becomes that integer (the bits of a uint64 from 2^63 as a negative one).
** full and astype keep the C cast instead (lu_d2int), as NumPy does. */
void lb_intvalue(lua_State *L, lu_scalar *s, lu_dtype dt) {
  char k = lu_dtype_kind(dt);
  double d, lo = -9223372036854775808.0, hi;
  if (k != 'i' && k != 'u') return;
  if (s->kind == 'i') {
    if (!int_fits(s->i, dt))   /* NumPy 2 raises too */
      luaL_error(L, "%s: Lua integer %I is out of bounds for %s", lb_fname(L),
                 (lua_Integer)s->i, lu_dtype_name(dt));
    return;
  }
  if (s->kind != 'f') return;
  d = s->f;
  if (d != d)
    luaL_error(L, "%s: cannot convert the Lua float nan to %s (NumPy's ValueError)", lb_fname(L),
               lu_dtype_name(dt));
  if (d == HUGE_VAL || d == -HUGE_VAL)
    luaL_error(L, "%s: cannot convert the Lua float %s to %s (NumPy's OverflowError)", lb_fname(L),
               d > 0 ? "inf" : "-inf", lu_dtype_name(dt));
  hi = k == 'u' && lu_dtype_size(dt) >= 4 ? 18446744073709551616.0 : 9223372036854775808.0;
  if (!(d >= lo && d < hi))
    luaL_error(L, "%s: Lua float %f is out of bounds for %s (a float converts through a "
               "64-bit integer, as in NumPy)", lb_fname(L), (lua_Number)d, lu_dtype_name(dt));
  s->kind = 'i';
  s->i = d >= 9223372036854775808.0 ? (int64_t)(uint64_t)d : (int64_t)d;
}

/* Elements below depth d (the size of an item there). */
static int64_t blocksize(const tshape *ts, int d) {
  int64_t n = 1;
  int i;
  for (i = d + 1; i < ts->ndim; i++) n *= ts->shape[i];
  return n;
}

/* Write the leaves of the (checked) table at the top, in C order; array
** items are skipped (zeros), assign_arrays puts them in afterwards. */
static char *fill(lua_State *L, const tshape *ts, int d, lu_dtype dt, char *p) {
  lua_Integer k, n = ts->shape[d];
  int sz = lu_dtype_size(dt);
  for (k = 1; k <= n; k++) {
    lua_rawgeti(L, -1, k);
    if (lb_test(L, -1)) {
      int64_t m = blocksize(ts, d);
      memset(p, 0, (size_t)(m * sz));
      p += m * sz;
    } else if (d + 1 < ts->ndim) {
      p = fill(L, ts, d + 1, dt, p);
    } else {
      lu_scalar sc = toscalar(L, -1);
      lb_intvalue(L, &sc, dt);
      lu_value_store(p, dt, lu_value_from_scalar(sc, dt));
      p += sz;
    }
    lua_pop(L, 1);
  }
  return p;
}

/* Copy each array item of the table at the top into its block of out:
** one copy per array (moved to out's device first when it is elsewhere). */
static int64_t assign_arrays(lua_State *L, lu_ctx *ctx, const tshape *ts, int d, lu_array *out,
                             int64_t at) {
  lua_Integer k, n = ts->shape[d];
  for (k = 1; k <= n; k++) {
    lu_array *a;
    lua_rawgeti(L, -1, k);
    if ((a = lb_test(L, -1)) != NULL) {
      lu_array v = *out, moved;
      lu_arg g;
      int i, st;
      int64_t m = blocksize(ts, d);
      v.ndim = a->ndim;
      for (i = 0; i < a->ndim; i++) v.shape[i] = a->shape[i];
      {
        int64_t st_ = lu_array_itemsize(out);
        for (i = v.ndim - 1; i >= 0; i--) { v.strides[i] = st_; st_ *= v.shape[i] > 0 ? v.shape[i] : 1; }
      }
      v.offset = out->offset + at * lu_array_itemsize(out);
      lu_array_update(&v);   /* borrows out's reference */
      moved.buf = NULL;
      if (!lu_device_eq(lu_array_device(a), lu_array_device(out))) {
        if (lu_to_device(ctx, &moved, a, lu_array_device(out))) lb_fail(L, ctx);
        a = &moved;
      }
      g.arr = a;
      memset(&g.s, 0, sizeof g.s);
      st = v.size > 0 ? lu_assign(ctx, &v, &g) : LU_OK;
      lu_array_release(&moved);
      if (st) lb_fail(L, ctx);
      at += m;
    } else if (d + 1 < ts->ndim) {
      at = assign_arrays(L, ctx, ts, d + 1, out, at);
    } else {
      at++;
    }
    lua_pop(L, 1);
  }
  return at;
}

/* Push a new array made from the nested table at idx. dtype -1: inferred
** (all booleans: bool; integers: int64; any float: float64; any complex
** value: complex128; arrays among the items promote with those, as
** NumPy's array() does); dev NULL: the first array item's device, else the
** default device. A complex value does not go into a real dtype (NumPy's
** TypeError). */
lu_array *lb_fromtable(lua_State *L, int idx, int dtype, const lu_device *dev) {
  lu_ctx *ctx = lb_ctx(L);
  tshape ts;
  lu_dtype dt;
  lu_device where;
  lu_array *out;
  char *h;
  int d;
  idx = lua_absindex(L, idx);
  memset(&ts, 0, sizeof ts);
  ts.adtype = -1;
  inferdims(L, idx, &ts);
  lua_pushvalue(L, idx);
  checkrect(L, &ts, 0);
  ts.size = 1;
  for (d = 0; d < ts.ndim; d++)
    if (__builtin_mul_overflow(ts.size, ts.shape[d], &ts.size) ||
        (uint64_t)ts.size > SIZE_MAX / 16)
      luaL_error(L, "%s: array is too big", lb_fname(L));
  if (dtype >= 0) {
    dt = (lu_dtype)dtype;
  } else {
    int kd = ts.kind == 'b' ? LU_BOOL : ts.kind == 'i' ? LU_INT64
           : ts.kind == 'c' ? LU_COMPLEX128 : LU_FLOAT64;
    if (ts.narrays == 0) dt = (lu_dtype)kd;
    else if (ts.kind == 0) dt = (lu_dtype)ts.adtype;
    else dt = lu_promote((lu_dtype)ts.adtype, (lu_dtype)kd);
  }
  if (ts.kind == 'c' && lu_dtype_kind(dt) != 'c')
    luaL_error(L, "%s: cannot convert a complex value to %s", lb_fname(L), lu_dtype_name(dt));
  where = dev ? *dev : ts.hasdev ? ts.dev : lu_ctx_default_device(ctx);
  /* host staging buffer owned by the collector, in case a later step raises */
  h = (char *)lua_newuserdatauv(L, (size_t)(ts.size ? ts.size : 1) * lu_dtype_size(dt), 0);
  lua_insert(L, -2);          /* buffer below the table copy */
  fill(L, &ts, 0, dt, h);
  out = lb_new(L);
  lua_insert(L, -2);          /* the result below the table copy */
  if (lu_from_host(ctx, out, dt, ts.ndim, ts.shape, where, h)) lb_fail(L, ctx);
  if (ts.narrays > 0 && ts.size > 0) assign_arrays(L, ctx, &ts, 0, out, 0);
  lua_pop(L, 1);              /* the table copy */
  lua_remove(L, -2);          /* the staging buffer */
  return out;
}
/* }===== */

/* Push a 0-d array of dtype dt on dev holding the Lua value s (a number,
** boolean or complex value), converted as an item of lunar.array is. */
lu_array *lb_fromscalar(lua_State *L, lu_scalar s, lu_dtype dt, lu_device dev) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *out;
  _Alignas(16) unsigned char h[16];
  if (s.kind == 'c' && lu_dtype_kind(dt) != 'c')
    luaL_error(L, "%s: cannot convert a complex value to %s", lb_fname(L), lu_dtype_name(dt));
  lb_intvalue(L, &s, dt);
  memset(h, 0, sizeof h);
  lu_value_store(h, dt, lu_value_from_scalar(s, dt));
  out = lb_new(L);
  if (lu_from_host(ctx, out, dt, 0, NULL, dev, h)) lb_fail(L, ctx);
  return out;
}

/* {===== array -> Lua values */

static void build(lua_State *L, const lu_array *a, int d, const char **p) {
  int64_t k, n = a->shape[d];
  lua_createtable(L, n > 0x7fffffff ? 0 : (int)n, 0);
  luaL_checkstack(L, 2, NULL);
  for (k = 0; k < n; k++) {
    if (d + 1 < a->ndim) {
      build(L, a, d + 1, p);
    } else {
      lb_pushvalue(L, a->dtype, *p);
      *p += lu_array_itemsize(a);
    }
    lua_rawseti(L, -2, (lua_Integer)(k + 1));
  }
}

/* a:totable(): nested tables (one host transfer); a 0-d array gives a value. */
static int l_totable(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1);
  size_t nb = (size_t)a->size * lu_array_itemsize(a);
  const char *p;
  char *h = (char *)lua_newuserdatauv(L, nb ? nb : 1, 0);
  if (a->size > 0 && lu_to_host_as(ctx, a, h, lb_fname(L))) return lb_fail(L, ctx);
  p = h;
  if (a->ndim == 0) {
    lb_pushvalue(L, a->dtype, p);
    return 1;
  }
  build(L, a, 0, &p);
  return 1;
}

static int l_item(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1);
  if (a->size != 1)
    return luaL_error(L, "%s: can only convert an array of size 1 to a Lua value (size is %d)",
                      lb_fname(L), (int)a->size);
  lb_pushelement(L, ctx, a);
  return 1;
}

/* lunar.array(x [, dtype|kw]): x a nested table, a Lua number or boolean (a
** 0-d array) or an array (always copied, optionally converted). */
static int l_array(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_kw kw;
  lu_array *src, *out;
  lb_kwargs(L, 2, "dtype,device", &kw);
  if ((src = lb_test(L, 1)) != NULL) {
    lu_device dev = kw.has_dev ? kw.dev : lu_array_device(src);
    int st;
    out = lb_new(L);
    if (kw.dtype >= 0 && kw.dtype != (int)src->dtype)
      st = lu_astype(ctx, out, src, (lu_dtype)kw.dtype);
    else
      st = lu_copy(ctx, out, src);
    if (st) return lb_fail(L, ctx);
    if (!lu_device_eq(dev, lu_array_device(out))) {
      lu_array *moved = lb_new(L);
      lu_ctx_explicit(ctx, 1);   /* device= asked for the transfer */
      st = lu_to_device(ctx, moved, out, dev);
      lu_ctx_explicit(ctx, -1);
      if (st) return lb_fail(L, ctx);
    }
    return 1;
  }
  switch (lua_type(L, 1)) {
  case LUA_TTABLE:
    lb_fromtable(L, 1, kw.dtype, kw.has_dev ? &kw.dev : NULL);
    return 1;
  case LUA_TNUMBER: case LUA_TBOOLEAN: case LUA_TUSERDATA: {
    lu_scalar s;
    if (!lb_toscalar(L, 1, &s)) break;
    lb_fromscalar(L, s, kw.dtype >= 0 ? (lu_dtype)kw.dtype : lu_scalar_dtype(s), lb_device(L, ctx, &kw));
    return 1;
  }
  default:
    break;
  }
  return lb_argerror(L, 1, "table, number, boolean, complex or array expected, got %s",
                     luaL_typename(L, 1));
}

/* tostring(a): lua/format.lua's formatter, kept in the registry table
** "lunar.lua" under "format"; a plain summary if it is missing. */
static int l_tostring(lua_State *L) {
  lu_array *a = lb_check(L, 1);
  char buf[256];
  if (lua_getfield(L, LUA_REGISTRYINDEX, "lunar.lua") == LUA_TTABLE &&
      lua_getfield(L, -1, "format") == LUA_TFUNCTION) {
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    return 1;
  }
  lua_pushfstring(L, "array(shape=%s, dtype=%s)",
                  lu_shape_str(a->ndim, a->shape, buf, sizeof buf),
                  lu_dtype_name(a->dtype));
  return 1;
}

void lb_open_table(lua_State *L, int mod, int methods) {
  static const luaL_Reg fns[] = {
    {"array", l_array}, {NULL, NULL}
  };
  static const luaL_Reg meths[] = {
    {"totable", l_totable}, {"item", l_item}, {NULL, NULL}
  };
  lb_register(L, mod, fns, "lunar.", 0);
  lb_register(L, methods, meths, "array:", 1);
  luaL_getmetatable(L, LB_ARRAY);
  lb_pushfn(L, l_tostring, "tostring", 0, -1);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
}
