/* SPDX-License-Identifier: MIT */
/*
** Array creation: zeros, ones, empty, full, the *_like forms, arange,
** linspace, eye, and lunar.random.
*/
#include <string.h>
#include "lb.h"

static lu_scalar scalar_of(lua_State *L, int idx) {
  lu_scalar s;
  if (!lb_toscalar(L, idx, &s))
    lb_argerror(L, idx, "fill value must be a number or boolean, got %s",
                luaL_typename(L, idx));
  return s;
}

static lu_dtype dtype_of_scalar(lu_scalar s) { return lu_scalar_dtype(s); }

/* zeros/ones/empty share this: shape..., then dtype or kwargs. The fill is
** upvalue 3: 0, 1, or EMPTY. */
#define EMPTY 3
static int l_filled(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int fill = (int)lua_tointeger(L, lua_upvalueindex(3));
  int ndim, next, st;
  int64_t shape[LU_MAXDIM];
  lb_kw kw;
  lu_array *out;
  lu_dtype dt;
  next = lb_shape(L, 1, 0, &ndim, shape);
  lb_kwargs(L, next, "dtype,device", &kw);
  if (!lua_isnone(L, next + 1)) lb_argerror(L, next + 1, "unexpected argument");
  dt = kw.dtype >= 0 ? (lu_dtype)kw.dtype : LU_FLOAT64;
  out = lb_new(L);
  if (fill == EMPTY) {
    st = lu_empty(ctx, out, dt, ndim, shape, lb_device(L, ctx, &kw));
  } else {
    lu_scalar s;
    memset(&s, 0, sizeof s);
    s.kind = 'i';
    s.i = fill;
    st = lu_full(ctx, out, dt, ndim, shape, lb_device(L, ctx, &kw), s);
  }
  return st ? lb_fail(L, ctx) : 1;
}

/* full(shape, value [, kw]): shape a table or one integer. */
static int l_full(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int ndim;
  int64_t shape[LU_MAXDIM];
  lb_kw kw;
  lu_scalar s;
  lu_array *out;
  if (lua_type(L, 1) != LUA_TTABLE && lua_type(L, 1) != LUA_TNUMBER)
    lb_argerror(L, 1, "shape (table or integer) expected, got %s", luaL_typename(L, 1));
  if (lua_type(L, 1) == LUA_TTABLE) {
    lb_shape(L, 1, 0, &ndim, shape);
  } else {              /* one integer: not a run, the value follows it */
    int isint;
    lua_Integer v = lua_tointegerx(L, 1, &isint);
    if (!isint || v < 0)
      lb_argerror(L, 1, "shape must be non-negative integers, got %s",
                  luaL_tolstring(L, 1, NULL));
    ndim = 1;
    shape[0] = (int64_t)v;
  }
  s = scalar_of(L, 2);
  lb_kwargs(L, 3, "dtype,device", &kw);
  out = lb_new(L);
  if (lu_full(ctx, out, kw.dtype >= 0 ? (lu_dtype)kw.dtype : dtype_of_scalar(s),
              ndim, shape, lb_device(L, ctx, &kw), s))
    return lb_fail(L, ctx);
  return 1;
}

/* zeros_like/ones_like/empty_like/full_like(prototype [, fill_value]
** [, dtype [, order [, subok [, shape]]]] [, {device=}]): the prototype's
** shape, dtype and device unless told otherwise; the prototype may be a
** table or a number. Upvalue 3: 0, 1, EMPTY or 2 (full). */
static int l_like(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int mode = (int)lua_tointeger(L, lua_upvalueindex(3));
  lb_params p;
  lu_array *a, *out;
  int first = mode == 2 ? 3 : 2, st, dt, ndim;
  int64_t shape[LU_MAXDIM];
  lu_scalar s;
  lu_device dev;
  lb_getparams(L, first, "dtype,order,subok,shape", "device", &p);
  a = lb_toarray(L, 1, NULL);
  memset(&s, 0, sizeof s);
  s.kind = 'i';
  s.i = mode;
  if (mode == 2) s = scalar_of(L, 2);
  dt = lb_pdtype(L, &p, 0);
  if (p.idx[1]) {
    const char *o = lua_type(L, p.idx[1]) == LUA_TSTRING ? lua_tostring(L, p.idx[1]) : "";
    if (strcmp(o, "C") && strcmp(o, "K") && strcmp(o, "A"))
      lb_argerror(L, lb_pargn(&p, 1), "order must be 'C', 'K' or 'A' (lunar arrays are C-ordered), got %s",
                  *o ? o : luaL_typename(L, p.idx[1]));
  }
  ndim = a->ndim;
  memcpy(shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
  if (p.idx[3]) {
    lua_pushvalue(L, p.idx[3]);
    if (lua_type(L, -1) == LUA_TNUMBER) {
      lua_Integer v = lb_pint(L, &p, 3, "shape", 0);
      if (v < 0) lb_argerror(L, lb_pargn(&p, 3), "negative dimensions are not allowed");
      ndim = 1;
      shape[0] = v;
    } else {
      lb_shape(L, lua_gettop(L), 0, &ndim, shape);
    }
    lua_pop(L, 1);
  }
  dev = lu_array_device(a);
  if (p.idx[4]) {
    if (lua_type(L, p.idx[4]) != LUA_TSTRING || lu_device_parse(ctx, lua_tostring(L, p.idx[4]), &dev))
      lb_argerror(L, lb_pargn(&p, 4), "bad device (%s)", lua_type(L, p.idx[4]) == LUA_TSTRING
                  ? lu_ctx_errmsg(ctx) : luaL_typename(L, p.idx[4]));
  }
  out = lb_new(L);
  if (mode == EMPTY) st = lu_empty(ctx, out, dt >= 0 ? (lu_dtype)dt : a->dtype, ndim, shape, dev);
  else st = lu_full(ctx, out, dt >= 0 ? (lu_dtype)dt : a->dtype, ndim, shape, dev, s);
  return st ? lb_fail(L, ctx) : 1;
}

/* Count the leading numbers at 1.. (at most max); checks they are numbers. */
static int leading_numbers(lua_State *L, int max) {
  int n = 0;
  while (n < max && lua_type(L, n + 1) == LUA_TNUMBER) n++;
  return n;
}

/* arange(stop) / arange(start, stop [, step]) [, kw]: int64 when every
** argument is a Lua integer, else float64. */
static int l_arange(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int n = leading_numbers(L, 3), allint = 1, i;
  double v[3] = {0, 0, 1};
  lb_kw kw;
  lu_array *out;
  lu_dtype dt;
  if (n == 0) lb_argerror(L, 1, "number expected, got %s", luaL_typename(L, 1));
  lb_kwargs(L, n + 1, "dtype,device", &kw);
  for (i = 1; i <= n; i++) allint = allint && lua_isinteger(L, i);
  if (n == 1) v[1] = lua_tonumber(L, 1);
  else for (i = 0; i < n; i++) v[i] = lua_tonumber(L, i + 1);
  if (v[2] == 0) lb_argerror(L, 3, "step must not be zero");
  dt = kw.dtype >= 0 ? (lu_dtype)kw.dtype : allint ? LU_INT64 : LU_FLOAT64;
  out = lb_new(L);
  if (allint) {
    lua_Integer iv[3] = {0, 0, 1};
    if (n == 1) iv[1] = lua_tointeger(L, 1);
    else for (i = 0; i < n; i++) iv[i] = lua_tointeger(L, i + 1);
    if (lu_arange_int(ctx, out, iv[0], iv[1], iv[2], dt, lb_device(L, ctx, &kw)))
      return lb_fail(L, ctx);
    return 1;
  }
  if (lu_arange(ctx, out, v[0], v[1], v[2], dt, lb_device(L, ctx, &kw)))
    return lb_fail(L, ctx);
  return 1;
}

/* linspace(start, stop [, num=50] [, kw]) with kw.endpoint */
static int l_linspace(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  double a = luaL_checknumber(L, 1), b = luaL_checknumber(L, 2);
  int n = leading_numbers(L, 3), endpoint = 1;
  lua_Integer num = 50;
  lb_kw kw;
  lu_array *out;
  if (n < 2) lb_argerror(L, n + 1, "number expected, got %s", luaL_typename(L, n + 1));
  if (n == 3) {
    int isint;
    num = lua_tointegerx(L, 3, &isint);
    if (!isint || num < 0) lb_argerror(L, 3, "num must be a non-negative integer");
  }
  lb_kwargs(L, n + 1, "dtype,device,endpoint,num", &kw);
  if (lb_kwfield(L, &kw, "endpoint") != LUA_TNIL) endpoint = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (lb_kwfield(L, &kw, "num") != LUA_TNIL) {
    int isint;
    num = lua_tointegerx(L, -1, &isint);
    if (!isint || num < 0) lb_argerror(L, kw.idx, "num must be a non-negative integer");
  }
  lua_pop(L, 1);
  out = lb_new(L);
  if (lu_linspace(ctx, out, a, b, (int64_t)num, endpoint,
                  kw.dtype >= 0 ? (lu_dtype)kw.dtype : LU_FLOAT64, lb_device(L, ctx, &kw)))
    return lb_fail(L, ctx);
  return 1;
}

/* eye(n [, m [, k]] [, kw]) */
static int l_eye(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int n = leading_numbers(L, 3), i;
  lua_Integer v[3] = {0, -1, 0};
  lb_kw kw;
  lu_array *out;
  if (n == 0) lb_argerror(L, 1, "integer expected, got %s", luaL_typename(L, 1));
  for (i = 0; i < n; i++) {
    int isint;
    v[i] = lua_tointegerx(L, i + 1, &isint);
    if (!isint || (i < 2 && v[i] < 0))
      lb_argerror(L, i + 1, "%s must be a %sinteger", i == 2 ? "k" : i ? "M" : "N",
                  i < 2 ? "non-negative " : "");
  }
  if (n < 2) v[1] = v[0];
  lb_kwargs(L, n + 1, "dtype,device", &kw);
  out = lb_new(L);
  if (lu_eye(ctx, out, v[0], v[1], v[2], kw.dtype >= 0 ? (lu_dtype)kw.dtype : LU_FLOAT64,
             lb_device(L, ctx, &kw)))
    return lb_fail(L, ctx);
  return 1;
}

/* {===== lunar.random */
static int l_seed(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_random_seed(ctx, (uint64_t)luaL_checkinteger(L, 1));
  return 0;
}

/* rand/randn(shape... [, dtype|kw]); upvalue 3 is the distribution. */
static int l_random(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_randdist dist = (lu_randdist)lua_tointeger(L, lua_upvalueindex(3));
  int ndim, next;
  int64_t shape[LU_MAXDIM];
  lb_kw kw;
  lu_dtype dt;
  lu_device dev;
  lu_array *out;
  next = lb_shape(L, 1, 0, &ndim, shape);
  lb_kwargs(L, next, "dtype,device", &kw);
  dt = kw.dtype >= 0 ? (lu_dtype)kw.dtype : LU_FLOAT64;
  if (lu_dtype_kind(dt) != 'f' && lu_dtype_kind(dt) != 'c')
    lb_argerror(L, next, "dtype must be a float or complex type, got %s", lu_dtype_name(dt));
  dev = lb_device(L, ctx, &kw);
  out = lb_new(L);
  if (lb_lazy_random(L, ctx, dist, ndim, shape, dt, dev, lu_random_default(ctx))) return 1;
  if (lu_random(ctx, out, dist, ndim, shape, dt, dev))
    return lb_fail(L, ctx);
  return 1;
}
/* }===== */

void lb_open_create(lua_State *L, int mod, int methods) {
  static const luaL_Reg fns[] = {
    {"full", l_full}, {"arange", l_arange}, {"linspace", l_linspace},
    {"eye", l_eye}, {NULL, NULL}
  };
  static const struct { const char *name; lua_CFunction f; int extra; } ex[] = {
    {"zeros", l_filled, 0}, {"ones", l_filled, 1}, {"empty", l_filled, EMPTY},
    {"zeros_like", l_like, 0}, {"ones_like", l_like, 1},
    {"empty_like", l_like, EMPTY}, {"full_like", l_like, 2},
  };
  size_t i;
  (void)methods;
  mod = lua_absindex(L, mod);
  lb_register(L, mod, fns, "lunar.", 0);
  for (i = 0; i < sizeof ex / sizeof ex[0]; i++) {
    lua_pushfstring(L, "lunar.%s", ex[i].name);
    lb_pushfn(L, ex[i].f, lua_tostring(L, -1), 0, ex[i].extra);
    lua_setfield(L, mod, ex[i].name);
    lua_pop(L, 1);
  }
  lua_newtable(L);
  lua_pushstring(L, "lunar.random.seed");
  lb_pushfn(L, l_seed, lua_tostring(L, -1), 0, -1);
  lua_setfield(L, -3, "seed");
  lua_pop(L, 1);
  lb_pushfn(L, l_random, "lunar.random.rand", 0, LU_RAND_UNIFORM);
  lua_setfield(L, -2, "rand");
  lb_pushfn(L, l_random, "lunar.random.randn", 0, LU_RAND_NORMAL);
  lua_setfield(L, -2, "randn");
  lua_setfield(L, mod, "random");
}
