/* SPDX-License-Identifier: MIT */
/*
** lunar.ElementwiseKernel and lunar.ReductionKernel: kernel objects
** (userdata "lunar.ukernel") made from CuPy's parameter lists and C code,
** called like functions. The core does the work (src/core/ukernel.c).
*/
#include <string.h>
#include "lb.h"

#define LB_UKERNEL "lunar.ukernel"

typedef struct lb_ukernel {
  lu_ukernel *k;
  unsigned magic;     /* UK_MAGIC: not some other userdata given our metatable */
} lb_ukernel;
#define UK_MAGIC 0x6c75756bu

/* The kernel at idx, or NULL: the metatable, the size and the magic number,
** as debug.setmetatable can give the kernel metatable to any userdata. */
static lb_ukernel *test_uk(lua_State *L, int idx) {
  lb_ukernel *u = (lb_ukernel *)lb_testudata(L, idx, LB_UKERNEL, sizeof(lb_ukernel));
  return u != NULL && u->magic == UK_MAGIC ? u : NULL;
}

static lb_ukernel *check_uk(lua_State *L, int idx, const char *what) {
  lb_ukernel *u = test_uk(L, idx);
  if (u == NULL)
    luaL_error(L, "%s: bad self (not a genuine lunar ElementwiseKernel or ReductionKernel)", what);
  return u;
}

/* A string argument (code or parameters) */
static const char *str_arg(lua_State *L, int idx, const char *what) {
  if (lua_type(L, idx) != LUA_TSTRING)
    lb_argerror(L, idx, "%s must be a string, got %s", what, luaL_typename(L, idx));
  return lua_tostring(L, idx);
}

/* The options table at idx (or none): every key must be in `allowed`
** (comma-separated); the strings of preamble and reduce_type. */
static void ctor_opts(lua_State *L, int idx, const char *allowed, const char **preamble,
                      const char **rtype) {
  *preamble = ""; *rtype = NULL;
  if (lua_isnoneornil(L, idx)) return;
  if (lua_type(L, idx) != LUA_TTABLE)
    lb_argerror(L, idx, "options must be a table, got %s", luaL_typename(L, idx));
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    size_t n = key ? strlen(key) : 0;
    const char *hit = key && n ? strstr(allowed, key) : NULL;
    if (!hit || (hit[n] != ',' && hit[n] != 0) || (hit != allowed && hit[-1] != ','))
      lb_argerror(L, idx, "unknown option '%s' (options: %s)",
                  key ? key : luaL_typename(L, -2), allowed);
    if (lua_type(L, -1) != LUA_TSTRING)
      lb_argerror(L, idx, "option '%s' must be a string, got %s", key, luaL_typename(L, -1));
    if (strcmp(key, "preamble") == 0) *preamble = lua_tostring(L, -1);
    else *rtype = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
}

static int new_kernel(lua_State *L, int reduction) {
  lu_ctx *ctx = lb_ctx(L);
  const char *in, *out, *code, *red = "", *post = "", *ident = NULL, *name, *pre, *rtype;
  int nidx = reduction ? 7 : 4, top = lua_gettop(L);
  lb_ukernel *u;
  if (top > nidx + 1) lb_argerror(L, nidx + 2, "unexpected argument (%s)", luaL_typename(L, nidx + 2));
  in = str_arg(L, 1, "in_params");
  out = str_arg(L, 2, "out_params");
  code = str_arg(L, 3, reduction ? "map_expr" : "operation");
  if (reduction) {
    red = str_arg(L, 4, "reduce_expr");
    post = str_arg(L, 5, "post_map_expr");
    if (lua_type(L, 6) == LUA_TNUMBER) { lua_pushvalue(L, 6); ident = lua_tostring(L, -1); lua_replace(L, 6); }
    else if (!lua_isnoneornil(L, 6)) ident = str_arg(L, 6, "identity");
  }
  name = lua_isnoneornil(L, nidx) ? (reduction ? "reduce_kernel" : "kernel") : str_arg(L, nidx, "name");
  ctor_opts(L, nidx + 1, reduction ? "preamble,reduce_type" : "preamble", &pre, &rtype);
  u = (lb_ukernel *)lua_newuserdatauv(L, sizeof *u, 0);
  u->k = NULL;
  u->magic = UK_MAGIC;
  luaL_setmetatable(L, LB_UKERNEL);
  if (lu_ukernel_new(ctx, &u->k, reduction, in, out, code, red, post, ident, name, pre, rtype))
    return lb_fail(L, ctx);
  return 1;
}

static int l_elementwise(lua_State *L) { return new_kernel(L, 0); }
static int l_reduction(lua_State *L) { return new_kernel(L, 1); }

/* The call options: size (elementwise), axis and keepdims (reduction) */
static void call_opts(lua_State *L, const lu_ukernel *k, int idx, const char *what,
                      int64_t *size, int *naxes, int64_t *axes, int *keepdims) {
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *key = lua_tostring(L, -2);
    int red = lu_ukernel_is_reduction(k);
    if (!red && strcmp(key, "size") == 0) {
      if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
        luaL_error(L, "%s: size must be a non-negative integer", what);
      *size = (int64_t)lua_tointeger(L, -1);
    } else if (red && strcmp(key, "keepdims") == 0) {
      if (!lua_isboolean(L, -1)) luaL_error(L, "%s: keepdims must be a boolean", what);
      *keepdims = lua_toboolean(L, -1);
    } else if (red && strcmp(key, "axis") == 0) {
      if (lua_isinteger(L, -1)) { *naxes = 1; axes[0] = (int64_t)lua_tointeger(L, -1); }
      else if (lua_type(L, -1) == LUA_TTABLE && !lb_test(L, -1)) {
        lua_Integer n = luaL_len(L, -1), i;
        if (n > LU_MAXDIM) luaL_error(L, "%s: too many axes", what);
        for (i = 1; i <= n; i++) {
          int isint;
          lua_Integer v;
          lua_geti(L, -1, i);
          v = lua_tointegerx(L, -1, &isint);
          lua_pop(L, 1);
          if (!isint) luaL_error(L, "%s: axis must be an integer or a table of integers", what);
          axes[i - 1] = (int64_t)v;
        }
        *naxes = (int)n;
      } else {
        luaL_error(L, "%s: axis must be an integer or a table of integers", what);
      }
    } else {
      luaL_error(L, "%s: unknown option '%s' (options: %s)", what, key,
                 red ? "axis, keepdims" : "size");
    }
    lua_pop(L, 1);
  }
}

/* k(in...) of an ElementwiseKernel recorded by automatic fusion (lazy.c):
** 1 with the pending result pushed, or 0 with nothing changed (the call
** runs now, raising its own errors). Operands are read without settling
** pending ones (lb_lazyarg); anything but an open array or a Lua number
** or boolean (a table, a closed array, a complex) declines. */
static int try_lazy(lua_State *L, lu_ctx *ctx, lu_ukernel *k, int nin) {
  lu_arg args[3];
  lu_lazy *pend[3], *p;
  lb_array *u;
  int j;
  if (nin < 1 || nin > 3 || lu_fusion_mode(ctx) == LU_FUSION_OFF) return 0;
  for (j = 0; j < nin; j++) {
    int idx = j + 2, t = lua_type(L, idx);
    lb_array *a = t == LUA_TUSERDATA ? lb_toudata(L, idx) : NULL;
    pend[j] = NULL;
    if (a != NULL && !a->closed) {
      lb_lazyarg(L, idx, &args[j], &pend[j]);
    } else if (t == LUA_TNUMBER || t == LUA_TBOOLEAN) {
      memset(&args[j], 0, sizeof args[j]);
      (void)lb_toscalar(L, idx, &args[j].s);
    } else {
      return 0;
    }
  }
  if (!lu_lazy_wants(ctx, nin, args, pend)) return 0;
  u = (lb_array *)(void *)lb_new(L);
  if (lu_lazy_ukernel(ctx, k, nin, args, pend, &p, &u->a) != LU_OK) {
    lua_pop(L, 1);
    return 0;
  }
  u->lazy = p;
  return 1;
}

/* k(in... [, out...] [, {size = n} | {axis = , keepdims = }]) */
static int l_call(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_ukernel *u = check_uk(L, 1, "kernel call");
  const lu_ukernel *k = u->k;
  int top = lua_gettop(L), nargs, j, nin, nout, naxes = -1, keepdims = 0, first;
  int64_t size = -1, axes[LU_MAXDIM];
  lu_arg args[32];
  lu_array *outs[32];
  const char *what;
  if (k == NULL) return luaL_error(L, "attempt to call a broken kernel");
  nin = lu_ukernel_nin(k); nout = lu_ukernel_nout(k);
  what = lu_ukernel_what(k);
  if (top >= 2 && lb_isoptions(L, top)) {
    call_opts(L, k, top, what, &size, &naxes, axes, &keepdims);
    top--;
  }
  nargs = top - 1;
  /* the inputs alone, no options: automatic fusion may record the call */
  if (nargs == nin && top == lua_gettop(L) && nout == 1 && !lu_ukernel_is_reduction(k) &&
      try_lazy(L, ctx, u->k, nin))
    return 1;
  if (nargs != nin && nargs != nin + nout)
    return luaL_error(L, "%s: takes %d argument%s (the inputs) or %d (inputs and outputs), got %d",
                      what, nin, nin == 1 ? "" : "s", nin + nout, nargs);
  for (j = 0; j < nargs; j++) {
    int idx = j + 2;
    lu_array *a = lb_test(L, idx);
    memset(&args[j], 0, sizeof args[j]);
    if (a) { args[j].arr = a; continue; }
    if (!lb_toscalar(L, idx, &args[j].s))
      return luaL_error(L, "%s: argument %d must be an array or a number, got %s", what, j + 1,
                        luaL_typename(L, idx));
  }
  first = lua_gettop(L) + 1;
  for (j = 0; j < nout; j++) outs[j] = nargs == nin ? lb_new(L) : NULL;
  if (lu_ukernel_call(ctx, k, nargs, args, outs, size, naxes, axes, keepdims))
    return lb_fail(L, ctx);
  if (nargs == nin) return nout;
  for (j = 0; j < nout; j++) lua_pushvalue(L, 2 + nin + j);
  (void)first;
  return nout;
}

static int l_gc(lua_State *L) {
  lb_ukernel *u = test_uk(L, 1);
  if (u == NULL) return 0;   /* not ours: nothing to free */
  lu_ukernel_free(u->k);
  u->k = NULL;
  return 0;
}

static int l_tostring(lua_State *L) {
  lb_ukernel *u = check_uk(L, 1, "kernel __tostring");
  if (u->k == NULL) lua_pushliteral(L, "kernel (broken)");
  else lua_pushstring(L, lu_ukernel_what(u->k));
  return 1;
}

/* k.name, k.nin, k.nout, k.nargs */
static int l_index(lua_State *L) {
  lb_ukernel *u = check_uk(L, 1, "kernel __index");
  const char *key = lua_tostring(L, 2);
  if (u->k == NULL || key == NULL) return 0;
  if (strcmp(key, "name") == 0) lua_pushstring(L, lu_ukernel_name(u->k));
  else if (strcmp(key, "nin") == 0) lua_pushinteger(L, lu_ukernel_nin(u->k));
  else if (strcmp(key, "nout") == 0) lua_pushinteger(L, lu_ukernel_nout(u->k));
  else if (strcmp(key, "nargs") == 0) lua_pushinteger(L, lu_ukernel_nin(u->k) + lu_ukernel_nout(u->k));
  else lua_pushnil(L);
  return 1;
}

void lb_open_ukernel(lua_State *L, int mod) {
  static const luaL_Reg meta[] = {
    {"__call", l_call}, {"__gc", l_gc}, {"__tostring", l_tostring}, {"__index", l_index},
    {NULL, NULL}
  };
  mod = lua_absindex(L, mod);
  if (luaL_newmetatable(L, LB_UKERNEL)) luaL_setfuncs(L, meta, 0);
  lua_pop(L, 1);
  lb_pushfn(L, l_elementwise, "lunar.ElementwiseKernel", 0, 0);
  lua_setfield(L, mod, "ElementwiseKernel");
  lb_pushfn(L, l_reduction, "lunar.ReductionKernel", 0, 0);
  lua_setfield(L, mod, "ReductionKernel");
}
