/* SPDX-License-Identifier: MIT */
/*
** More creation routines (lb_create.c has the basic ones): asarray,
** identity, logspace, geomspace, diagflat, frombuffer, fromfunction and
** copyto.
*/
#include <string.h>
#include "lb.h"

/* A device parameter (a name), dflt when not given. */
static lu_device pdevice(lua_State *L, const lb_params *p, int i, lu_device dflt) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = dflt;
  if (!p->idx[i]) return dflt;
  if (lua_type(L, p->idx[i]) != LUA_TSTRING)
    lb_argerror(L, lb_pargn(p, i), "device must be a string, got %s", luaL_typename(L, p->idx[i]));
  if (lu_device_parse(ctx, lua_tostring(L, p->idx[i]), &dev))
    lb_argerror(L, lb_pargn(p, i), "%s", lu_ctx_errmsg(ctx));
  return dev;
}

static double pnum(lua_State *L, const lb_params *p, int i, const char *what, double dflt) {
  if (!p->idx[i]) return dflt;
  if (lua_type(L, p->idx[i]) != LUA_TNUMBER)
    lb_argerror(L, lb_pargn(p, i), "%s must be a number, got %s", what, luaL_typename(L, p->idx[i]));
  return (double)lua_tonumber(L, p->idx[i]);
}

static int pbool(lua_State *L, const lb_params *p, int i, int dflt) {
  if (!p->idx[i]) return dflt;
  if (lua_type(L, p->idx[i]) != LUA_TBOOLEAN)
    lb_argerror(L, lb_pargn(p, i), "boolean expected, got %s", luaL_typename(L, p->idx[i]));
  return lua_toboolean(L, p->idx[i]);
}

/* asarray(a [, dtype [, order]] [, {device=, copy=}]): a itself when it is
** already an array of that dtype, device and order; copy = true always
** copies, copy = false refuses to. */
static int l_asarray(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *out;
  int dt, copy = -1, orderc = 0;
  lu_device dev;
  lb_getparams(L, 2, "dtype,order", "device,copy", &p);
  if (lua_isnoneornil(L, 1)) lb_argerror(L, 1, "array, table or number expected, got no value");
  dt = lb_pdtype(L, &p, 0);
  if (p.idx[1]) {
    const char *o = lua_type(L, p.idx[1]) == LUA_TSTRING ? lua_tostring(L, p.idx[1]) : "";
    if (strcmp(o, "C") && strcmp(o, "K") && strcmp(o, "A"))
      lb_argerror(L, lb_pargn(&p, 1), "order must be 'C', 'K' or 'A' (lunar arrays are C-ordered), got %s",
                  *o ? o : luaL_typename(L, p.idx[1]));
    orderc = strcmp(o, "C") == 0;
  }
  if (p.idx[3]) copy = pbool(L, &p, 3, 0);
  if ((a = lb_test(L, 1)) == NULL) {
    dev = pdevice(L, &p, 2, lu_ctx_default_device(ctx));
    if (copy == 0)
      lb_argerror(L, 1, "Unable to avoid copy while creating an array as requested (a %s is not an array)",
                  luaL_typename(L, 1));
    if (lua_type(L, 1) == LUA_TTABLE) {
      lb_fromtable(L, 1, dt, &dev);
    } else {
      lu_scalar s;
      if (!lb_toscalar(L, 1, &s))
        lb_argerror(L, 1, "array, table or number expected, got %s", luaL_typename(L, 1));
      lb_fromscalar(L, s, dt >= 0 ? (lu_dtype)dt : lu_scalar_dtype(s), dev);
    }
    return 1;
  }
  dev = pdevice(L, &p, 2, lu_array_device(a));
  {
    int same = (dt < 0 || dt == (int)a->dtype) && lu_device_eq(dev, lu_array_device(a)) &&
               (!orderc || lu_array_is_contig(a));
    if (same && copy != 1) {
      lua_settop(L, 1);
      return 1;
    }
    if (!same && copy == 0)
      return luaL_error(L, "%s: Unable to avoid copy while creating an array as requested",
                        lb_fname(L));
  }
  out = lb_new(L);
  if (!lu_device_eq(dev, lu_array_device(a))) {
    int st;
    lu_ctx_explicit(ctx, 1);   /* device= asked for the transfer */
    st = lu_to_device(ctx, out, a, dev);
    lu_ctx_explicit(ctx, -1);
    if (st) return lb_fail(L, ctx);
    a = out;
    out = lb_new(L);
  }
  if (lu_astype(ctx, out, a, dt >= 0 ? (lu_dtype)dt : a->dtype)) return lb_fail(L, ctx);
  return 1;
}

/* identity(n [, dtype] [, {device=}]) */
static int l_identity(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *out;
  lua_Integer n;
  int isint, dt;
  lb_getparams(L, 2, "dtype", "device", &p);
  n = lua_tointegerx(L, 1, &isint);
  if (!isint || n < 0) lb_argerror(L, 1, "n must be a non-negative integer");
  dt = lb_pdtype(L, &p, 0);
  out = lb_new(L);
  if (lu_eye(ctx, out, n, n, 0, dt >= 0 ? (lu_dtype)dt : LU_FLOAT64,
             pdevice(L, &p, 1, lu_ctx_default_device(ctx))))
    return lb_fail(L, ctx);
  return 1;
}

/* The axis parameter of logspace/geomspace: only 1 (or -1) for scalar
** ends. */
static void scalar_axis(lua_State *L, const lb_params *p, int i) {
  lua_Integer ax = lb_pint(L, p, i, "axis", 1);
  if (ax != 1 && ax != -1)
    lb_argerror(L, lb_pargn(p, i), "axis %d is out of bounds for array of dimension 1", (int)ax);
}

static int64_t pnum_samples(lua_State *L, const lb_params *p, int i) {
  lua_Integer num = lb_pint(L, p, i, "num", 50);
  if (num < 0) lb_argerror(L, lb_pargn(p, i), "Number of samples, %d, must be non-negative.", (int)num);
  return (int64_t)num;
}

/* logspace(start, stop [, num [, endpoint [, base [, dtype [, axis]]]]])
** [, {device=}] */
static int l_logspace(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *out;
  int dt;
  lb_getparams(L, 3, "num,endpoint,base,dtype,axis", "device", &p);
  if (lua_type(L, 1) != LUA_TNUMBER) lb_argerror(L, 1, "number expected, got %s", luaL_typename(L, 1));
  if (lua_type(L, 2) != LUA_TNUMBER) lb_argerror(L, 2, "number expected, got %s", luaL_typename(L, 2));
  scalar_axis(L, &p, 4);
  dt = lb_pdtype(L, &p, 3);
  out = lb_new(L);
  if (lu_logspace(ctx, out, lua_tonumber(L, 1), lua_tonumber(L, 2), pnum_samples(L, &p, 0),
                  pbool(L, &p, 1, 1), pnum(L, &p, 2, "base", 10.0),
                  dt >= 0 ? (lu_dtype)dt : LU_FLOAT64, pdevice(L, &p, 5, lu_ctx_default_device(ctx))))
    return lb_fail(L, ctx);
  return 1;
}

/* geomspace(start, stop [, num [, endpoint [, dtype [, axis]]]])
** [, {device=}] */
static int l_geomspace(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *out;
  int dt;
  lb_getparams(L, 3, "num,endpoint,dtype,axis", "device", &p);
  if (lua_type(L, 1) != LUA_TNUMBER) lb_argerror(L, 1, "number expected, got %s", luaL_typename(L, 1));
  if (lua_type(L, 2) != LUA_TNUMBER) lb_argerror(L, 2, "number expected, got %s", luaL_typename(L, 2));
  scalar_axis(L, &p, 3);
  dt = lb_pdtype(L, &p, 2);
  out = lb_new(L);
  if (lu_geomspace(ctx, out, lua_tonumber(L, 1), lua_tonumber(L, 2), pnum_samples(L, &p, 0),
                   pbool(L, &p, 1, 1), dt >= 0 ? (lu_dtype)dt : LU_FLOAT64,
                   pdevice(L, &p, 4, lu_ctx_default_device(ctx))))
    return lb_fail(L, ctx);
  return 1;
}

/* diagflat(v [, k]) */
static int l_diagflat(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *v, *out;
  lb_getparams(L, 2, "k", NULL, &p);
  v = lb_toarray(L, 1, NULL);
  out = lb_new(L);
  if (lu_diagflat(ctx, out, v, lb_pint(L, &p, 0, "k", 0))) return lb_fail(L, ctx);
  return 1;
}

/* frombuffer(s [, dtype [, count [, offset]]] [, {device=}]): the bytes
** of a Lua string, in this machine's byte order, copied into a new 1-d
** array. */
static int l_frombuffer(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *out;
  size_t len;
  const char *s;
  int dt, item;
  lua_Integer count, offset;
  int64_t n;
  lb_getparams(L, 2, "dtype,count,offset", "device", &p);
  if (lua_type(L, 1) != LUA_TSTRING)
    lb_argerror(L, 1, "a string of bytes expected, got %s", luaL_typename(L, 1));
  s = lua_tolstring(L, 1, &len);
  dt = lb_pdtype(L, &p, 0);
  if (dt < 0) dt = LU_FLOAT64;
  item = lu_dtype_size(dt);
  count = lb_pint(L, &p, 1, "count", -1);
  offset = lb_pint(L, &p, 2, "offset", 0);
  if (offset < 0 || (size_t)offset > len)
    lb_argerror(L, p.idx[2] ? lb_pargn(&p, 2) : 1,
                "offset must be non-negative and no greater than buffer length (%d)", (int)len);
  if (count < 0) {
    if ((len - (size_t)offset) % (size_t)item != 0)
      return luaL_error(L, "%s: buffer size must be a multiple of element size (%d bytes for %s)",
                        lb_fname(L), item, lu_dtype_name(dt));
    n = (int64_t)((len - (size_t)offset) / (size_t)item);
  } else {
    if ((size_t)count > (len - (size_t)offset) / (size_t)item)
      return luaL_error(L, "%s: buffer is smaller than requested size", lb_fname(L));
    n = count;
  }
  if (lu_dtype_kind(dt) == 'b') {   /* bool is stored as 0/1 */
    uint8_t *h = (uint8_t *)lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1), 0);
    int64_t i;
    for (i = 0; i < n; i++) h[i] = s[offset + i] != 0;
    s = (const char *)h;
    offset = 0;
  }
  out = lb_new(L);
  if (lu_from_host(ctx, out, (lu_dtype)dt, 1, &n, pdevice(L, &p, 3, lu_ctx_default_device(ctx)),
                   s + offset))
    return lb_fail(L, ctx);
  return 1;
}

/* fromfunction(f, shape [, {dtype=, device=}]): f called once with one
** coordinate array per axis, 1-based (lunar's positions), of dtype
** (float64 by default) and the full shape; its results are returned. */
static int l_fromfunction(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  int ndim, i, dt, base;
  int64_t shape[LU_MAXDIM];
  lu_device dev;
  lb_getparams(L, 3, "", "dtype,device", &p);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lua_Integer v = luaL_checkinteger(L, 2);
    if (v < 0) lb_argerror(L, 2, "negative dimensions are not allowed");
    ndim = 1;
    shape[0] = v;
  } else if (lua_type(L, 2) == LUA_TTABLE && !lb_test(L, 2)) {
    lb_shape(L, 2, 0, &ndim, shape);
  } else {
    return lb_argerror(L, 2, "shape (table or integer) expected, got %s", luaL_typename(L, 2));
  }
  dt = lb_pdtype(L, &p, 0);
  dev = pdevice(L, &p, 1, lu_ctx_default_device(ctx));
  base = lua_gettop(L);
  lua_pushvalue(L, 1);
  luaL_checkstack(L, ndim + 4, NULL);
  for (i = 0; i < ndim; i++) {
    lu_array r, v, *out;
    int64_t one[LU_MAXDIM];
    int j, st;
    for (j = 0; j < ndim; j++) one[j] = 1;
    one[i] = shape[i];
    if (lu_arange(ctx, &r, 1, (double)shape[i] + 1, 1, dt >= 0 ? (lu_dtype)dt : LU_FLOAT64, dev))
      return lb_fail(L, ctx);
    st = lu_reshape(ctx, &v, &r, ndim, one);
    lu_array_release(&r);
    if (st) return lb_fail(L, ctx);
    st = lu_broadcast_to(ctx, &r, &v, ndim, shape);
    lu_array_release(&v);
    if (st) return lb_fail(L, ctx);
    out = lb_new(L);
    st = lu_copy(ctx, out, &r);
    lu_array_release(&r);
    if (st) return lb_fail(L, ctx);
  }
  lua_call(L, ndim, LUA_MULTRET);
  return lua_gettop(L) - base;
}

/* copyto(dst, src [, casting [, where]]): dst[...] = src where `where`,
** src broadcast to dst's shape and checked against the casting rule.
** src may live on another device than dst: copyto is then a transfer into
** dst (CuPy's a.get(out=h), a.set(h); PyTorch's h.copy_(t)).
** Returns nothing, as NumPy. */
static int l_copyto(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *dst = lb_check(L, 1), *src = NULL, *mask = NULL;
  lu_dtype sdt;
  lu_arg g[3];
  int c = LU_CAST_SAME_KIND, st;
  lu_device dev = lu_array_device(dst);
  lb_getparams(L, 3, "casting,where", NULL, &p);
  if (lua_isnoneornil(L, 2)) lb_argerror(L, 2, "src expected");
  if (p.idx[0]) {
    const char *s = lua_type(L, p.idx[0]) == LUA_TSTRING ? lua_tostring(L, p.idx[0]) : "";
    if ((c = lu_casting_from_name(s)) < 0)
      lb_argerror(L, lb_pargn(&p, 0), "casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe'");
  }
  if (lb_toscalar(L, 2, &g[1].s)) {
    /* a weak scalar takes dst's dtype when its kind allows (NEP 50) */
    char k = g[1].s.kind, dk = lu_dtype_kind(dst->dtype);
    g[1].arr = NULL;
    sdt = k == 'b' ? LU_BOOL
        : k == 'i' ? (dk == 'b' ? LU_INT64 : dst->dtype)
        : k == 'c' ? (dk == 'c' ? dst->dtype : LU_COMPLEX128)
        : (dk == 'f' || dk == 'c') ? dst->dtype : LU_FLOAT64;
  } else {
    src = lb_toarray(L, 2, &dev);
    g[1] = (lu_arg){src, {'i', 0, 0}};
    sdt = src->dtype;
  }
  if (!lu_can_cast(sdt, dst->dtype, (lu_casting)c))
    return luaL_error(L, "%s: Cannot cast %s from %s to %s according to the rule '%s'", lb_fname(L),
                      src ? "array data" : "scalar", lu_dtype_name(sdt), lu_dtype_name(dst->dtype),
                      lu_casting_name((lu_casting)c));
  if (p.idx[1]) {
    if (lua_type(L, p.idx[1]) == LUA_TBOOLEAN) {
      if (!lua_toboolean(L, p.idx[1])) return 0;
    } else {
      mask = lb_toarray(L, p.idx[1], &dev);
      if (mask->dtype != LU_BOOL)
        lb_argerror(L, lb_pargn(&p, 1), "where must be a boolean array, got %s", lu_dtype_name(mask->dtype));
    }
  }
  if (src && src->ndim > 0 && !lu_device_eq(lu_array_device(src), dev)) {
    /* across devices: an explicit transfer into dst (no implicit wait) */
    lu_ctx_explicit(ctx, 1);
    st = lu_copyto_device(ctx, dst, src, mask);
    lu_ctx_explicit(ctx, -1);
  } else if (mask) {
    g[0] = (lu_arg){mask, {'i', 0, 0}};
    g[2] = (lu_arg){dst, {'i', 0, 0}};
    st = lu_ewise(ctx, LU_OP_where, 3, g, dst);
  } else {
    st = lu_assign(ctx, dst, &g[1]);
  }
  if (st) {
    const char *m = lu_ctx_errmsg(ctx);
    if (strncmp(m, "assign:", 7) == 0 || strncmp(m, "where:", 6) == 0)
      return luaL_error(L, "%s:%s", lb_fname(L), strchr(m, ':') + 1);
    return lb_fail(L, ctx);
  }
  return 0;
}

void lb_open_make(lua_State *L, int mod, int methods) {
  static const luaL_Reg fns[] = {
    {"asarray", l_asarray}, {"identity", l_identity}, {"logspace", l_logspace},
    {"geomspace", l_geomspace}, {"diagflat", l_diagflat}, {"frombuffer", l_frombuffer},
    {"fromfunction", l_fromfunction}, {"copyto", l_copyto}, {NULL, NULL}
  };
  (void)methods;
  lb_register(L, mod, fns, "lunar.", 0);
}
