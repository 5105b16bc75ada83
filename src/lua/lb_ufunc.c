/* SPDX-License-Identifier: MIT */
/*
** The elementwise ops as Lua functions: every row of the op table as
** lunar.NAME and a:NAME with NumPy's ufunc arguments (out, where, dtype),
** the two-result ufuncs, the aliases, round, isclose, nan_to_num,
** real_if_close, the operators (arithmetic, bitwise, and < <= on 0-d
** arrays) and the constants pi, e, inf, nan, euler_gamma.
*/
#include <math.h>
#include <string.h>
#include "lb.h"

/* {====================================================== arguments */
/* The options of a ufunc call after its nin operands: up to nout outputs
** by position (an array, or nil), then a table {out=, where=, dtype=}.
** NumPy accepts out both ways, but not twice. */
typedef struct ufargs {
  lu_array *out[2];
  int outidx[2];      /* stack index of a given out, 0 if none */
  lu_arg where;
  int has_where;
  int dtype;
} ufargs;

static lu_array *checkout(lua_State *L, int idx, int argi) {
  lu_array *a = lb_test(L, idx);
  if (a == NULL)
    lb_argerror(L, argi, "out must be an array, got %s", luaL_typename(L, idx));
  return a;
}

/* a trailing argument that is none of the function's: an error, never
** ignored */
static void noextra(lua_State *L, int from, int top) {
  int i;
  for (i = from; i <= top; i++)
    if (!lua_isnil(L, i)) lb_argerror(L, i, "unexpected argument (%s)", luaL_typename(L, i));
}

static int iskwtable(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TTABLE && lb_test(L, idx) == NULL;
}

static void ufunc_options(lua_State *L, int nin, int nout, int allow_kw, ufargs *u) {
  int pos = nin + 1, k, top = lua_gettop(L);
  memset(u, 0, sizeof *u);
  u->dtype = -1;
  if (!allow_kw) { noextra(L, pos, top); return; }
  for (k = 0; k < nout && pos <= lua_gettop(L) && !iskwtable(L, pos); k++, pos++) {
    if (lua_isnil(L, pos)) continue;
    u->out[k] = checkout(L, pos, pos);
    u->outidx[k] = pos;
  }
  if (iskwtable(L, pos)) {
    lb_kw kw;
    int t, kwi = pos;
    lb_kwargs(L, kwi, "out,where,dtype", &kw);
    u->dtype = kw.dtype;
    if ((t = lb_kwfield(L, &kw, "out")) != LUA_TNIL) {
      int oi = lua_gettop(L);
      if (u->outidx[0] || u->outidx[1])
        lb_argerror(L, kwi, "out given both by position and as an option");
      if (lb_test(L, oi)) {
        if (nout != 1) lb_argerror(L, kwi, "out must be a table of %d arrays", nout);
        u->out[0] = lb_test(L, oi);
        u->outidx[0] = oi;
      } else if (t == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, oi);
        if (n > nout) lb_argerror(L, kwi, "out has %d arrays for %d results", (int)n, nout);
        for (k = 0; k < nout; k++) {
          if (lua_geti(L, oi, k + 1) == LUA_TNIL) { lua_pop(L, 1); continue; }
          if ((u->out[k] = lb_test(L, -1)) == NULL)
            lb_argerror(L, kwi, "out[%d] must be an array, got %s", k + 1, luaL_typename(L, -1));
          u->outidx[k] = lua_gettop(L);   /* stays on the stack */
        }
      } else {
        lb_argerror(L, kwi, "out must be an array, got %s", luaL_typename(L, oi));
      }
    } else {
      lua_pop(L, 1);
    }
    if ((t = lb_kwfield(L, &kw, "where")) != LUA_TNIL) {
      u->has_where = 1;
      if (t == LUA_TBOOLEAN) {
        u->where.arr = NULL;
        u->where.s.kind = 'b';
        u->where.s.i = lua_toboolean(L, -1);
      } else if ((u->where.arr = lb_test(L, -1)) == NULL) {
        lb_argerror(L, kwi, "where must be a bool array or a boolean, got %s",
                    luaL_typename(L, -1));
      }
    } else {
      lua_pop(L, 1);
    }
    pos = kwi + 1;
  }
  noextra(L, pos, top);
}
/* }====================================================== */

/* {====================================================== ufunc calls */
/* Automatic fusion: op on the operands at 1..nin recorded as a pending
** value (lazy.c) and pushed; 0, with nothing pushed, when the core does
** not record it (then the op runs as always, and raises what it raises).
** `got` (may be NULL) is set when args hold the operands as lb_toarg
** gives them: fusion wanted none of them and none is pending, so no
** pending value can read their buffers (a tiny op's second look at each
** operand was a tenth of its time). */
static int try_lazy(lua_State *L, lu_ctx *ctx, lu_op op, int nin, lu_arg *args, int *got) {
  lu_lazy *pend[3], *p;
  lb_array *u;
  int k, none = 1;
  if (got) *got = 0;
  if (lu_fusion_mode(ctx) == LU_FUSION_OFF) return 0;
  for (k = 0; k < nin; k++) {
    lb_lazyarg(L, k + 1, &args[k], &pend[k]);
    if (pend[k] != NULL) none = 0;
  }
  if (!lu_lazy_wants(ctx, nin, args, pend)) {
    if (got) *got = none;
    return 0;
  }
  u = (lb_array *)(void *)lb_new(L);
  if (lu_lazy_ewise(ctx, op, nin, args, pend, &p, &u->a) != LU_OK) {
    lua_pop(L, 1);
    return 0;
  }
  u->lazy = p;
  return 1;
}

/* Operands first (tables become arrays in place), then the options; the
** results are pushed before the work, so the collector owns them if
** anything raises. A given out is returned itself. */
static int ufunc_call(lua_State *L, lu_op op, int op2, int nout, int allow_kw) {
  lu_ctx *ctx = lb_ctx(L);
  int nin = lu_ops[op].nin, k, slot[2];
  lu_arg args[3];
  lu_array *dst[2];
  ufargs u;
  if (nout == 1 && lua_gettop(L) <= nin && try_lazy(L, ctx, op, nin, args, NULL)) return 1;
  for (k = 0; k < nin; k++) lb_toarg(L, k + 1, &args[k]);
  ufunc_options(L, nin, nout, allow_kw, &u);
  for (k = 0; k < nout; k++) {
    if (u.out[k]) {
      dst[k] = u.out[k];
      slot[k] = u.outidx[k];
    } else {
      dst[k] = lb_new(L);
      slot[k] = lua_gettop(L);
    }
  }
  if (nout == 1 && !u.has_where && u.dtype < 0 && !u.out[0]) {
    if (lu_ewise(ctx, op, nin, args, dst[0])) return lb_fail(L, ctx);
  } else if (lu_ufunc(ctx, lu_ops[op].name, op, op2, nin, args, u.has_where ? &u.where : NULL,
                      u.dtype, dst)) {
    return lb_fail(L, ctx);
  }
  for (k = 0; k < nout; k++) lua_pushvalue(L, slot[k]);
  return nout;
}

/* lunar.NAME(x, ... [, out] [, {out=, where=, dtype=}]); upvalue 3: the op */
static int l_ufunc(lua_State *L) {
  lu_op op = (lu_op)lua_tointeger(L, lua_upvalueindex(3));
  return ufunc_call(L, op, -1, 1, op != LU_OP_where && op != LU_OP_copy);
}

/* The two-result ufuncs of LU_OPS2; upvalue 3 indexes this table. */
static const struct { const char *name; lu_op op, op2; } ufuncs2[] = {
#define X(name, nin, first, second) {#name, LU_OP_##first, LU_OP_##second},
  LU_OPS2(X)
#undef X
};

static int l_ufunc2(lua_State *L) {
  int i = (int)lua_tointeger(L, lua_upvalueindex(3));
  return ufunc_call(L, ufuncs2[i].op, ufuncs2[i].op2, 2, 1);
}

/* A metamethod: exactly the op's operands (Lua passes the operand twice
** to unary ones). The name is the op's, as its errors say. */
/* Whether op on args can write into x (an operand no one else can see,
** lb_elide.c): x alone owns its contiguous buffer, and the result has x's
** dtype, shape and device. */
static int elide_fits(lu_ctx *ctx, lu_op op, int nin, const lu_arg *args, const lu_array *x) {
  const lu_array *arrs[2];
  int64_t shape[LU_MAXDIM], st = lu_array_itemsize(x);
  int n = 0, nd, k, i;
  lu_dtype ct, rt;
  if (x->buf == NULL || x->buf->refcount != 1 || x->buf->release != NULL || x->offset != 0)
    return 0;
  for (i = x->ndim - 1; i >= 0; i--) {
    if (x->shape[i] != 1 && x->strides[i] != st) return 0;
    st *= x->shape[i];
  }
  if (lu_result_dtype(ctx, op, nin, args, &ct, &rt) != LU_OK) return 0;
  if (rt != x->dtype) return 0;
  for (k = 0; k < nin; k++) {
    if (args[k].arr == NULL) continue;
    if (!lu_device_eq(lu_array_device(args[k].arr), lu_array_device(x))) return 0;
    arrs[n++] = args[k].arr;
  }
  if (lu_broadcast_shapes(ctx, n, arrs, &nd, shape) != LU_OK || nd != x->ndim) return 0;
  for (i = 0; i < nd; i++)
    if (shape[i] != x->shape[i]) return 0;
  return 1;
}

/* An operator: a new array, or the result written over an operand that
** was a temporary of the expression (lb_elide.c); either is offered as
** the candidate of the next operator. */
static int l_operator(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_op op = (lu_op)lua_tointeger(L, lua_upvalueindex(3));
  int nin = lu_ops[op].nin, k, e;
  lu_arg args[2];
  lu_array *out;
  int got;
  if (try_lazy(L, ctx, op, nin, args, &got)) {
    lb_elide_take(L, nin);   /* ends a candidate's watch */
    return 1;
  }
  if (!got) for (k = 0; k < nin; k++) lb_toarg(L, k + 1, &args[k]);
  e = lb_elide_take(L, nin);
  if (e > 0) {
    lb_array *u = lb_toudata(L, e);
    if (u != NULL && !u->closed && elide_fits(ctx, op, nin, args, &u->a)) {
      if (lu_ewise(ctx, op, nin, args, &u->a)) return lb_fail(L, ctx);
      lua_pushvalue(L, e);
      lb_elide_offer(L, lua_gettop(L), &u->a);
      return 1;
    }
  }
  out = lb_new(L);
  if (lu_ewise(ctx, op, nin, args, out)) return lb_fail(L, ctx);
  lb_elide_offer(L, lua_gettop(L), out);
  return 1;
}

/* __lt and __le: Lua wants a boolean, so only 0-d arrays (and numbers)
** compare this way; anything larger is pointed to the elementwise forms. */
static int l_order(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_op op = (lu_op)lua_tointeger(L, lua_upvalueindex(3));
  const char *sym = op == LU_OP_less ? "<" : "<=", *fn = op == LU_OP_less ? "less" : "less_equal";
  const char *m = op == LU_OP_less ? "lt" : "le";
  char sh[LU_MAXDIM * 24];
  lu_arg args[2];
  lu_array *out;
  int k;
  for (k = 1; k <= 2; k++) {
    lu_array *a = lb_test(L, k);
    if (a && a->ndim != 0)
      return luaL_error(L, "attempt to compare an array of shape %s with '%s': only 0-d arrays "
                        "compare to a Lua boolean; use lunar.%s(a, b) or a:%s(b) for the "
                        "elementwise comparison",
                        lu_shape_str(a->ndim, a->shape, sh, sizeof sh), sym, fn, m);
    if (!a && lua_type(L, k) != LUA_TNUMBER)
      return luaL_error(L, "attempt to compare %s with an array", luaL_typename(L, k));
  }
  for (k = 0; k < 2; k++) lb_toarg(L, k + 1, &args[k]);
  out = lb_new(L);
  if (lu_ewise(ctx, op, 2, args, out)) return lb_fail(L, ctx);
  lb_pushelement(L, ctx, out);
  return 1;
}
/* }====================================================== */

/* {====================================================== functions built from rows */
/* Parameters after the operands, by position from `first` or by name in a
** trailing table; idx[i] is the stack index of parameter i, 0 if absent. */
static void params(lua_State *L, int first, const char *const *names, int n, int *idx) {
  int i, pos = first, top = lua_gettop(L);
  for (i = 0; i < n; i++) idx[i] = 0;
  for (i = 0; i < n && pos <= lua_gettop(L) && !iskwtable(L, pos); i++, pos++)
    if (!lua_isnil(L, pos)) idx[i] = pos;
  if (iskwtable(L, pos)) {
    int t = pos;
    lua_pushnil(L);
    while (lua_next(L, t)) {
      const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
      for (i = 0; key && i < n; i++) if (strcmp(key, names[i]) == 0) break;
      if (key == NULL) lb_argerror(L, t, "options table has a non-string key");
      if (i == n) lb_argerror(L, t, "unknown option '%s'", key);
      if (idx[i]) lb_argerror(L, t, "%s given both by position and as an option", key);
      lua_pop(L, 1);
    }
    for (i = 0; i < n; i++) {
      if (idx[i]) continue;
      if (lua_getfield(L, t, names[i]) == LUA_TNIL) lua_pop(L, 1);
      else idx[i] = lua_gettop(L);
    }
    pos = t + 1;
  }
  noextra(L, pos, top);
}

static double optnum(lua_State *L, int idx, const char *what, double dflt) {
  if (idx == 0) return dflt;
  if (lua_type(L, idx) != LUA_TNUMBER)
    lb_argerror(L, idx, "%s must be a number, got %s", what, luaL_typename(L, idx));
  return lua_tonumber(L, idx);
}

static int optbool(lua_State *L, int idx, const char *what, int dflt) {
  if (idx == 0) return dflt;
  if (lua_type(L, idx) != LUA_TBOOLEAN)
    lb_argerror(L, idx, "%s must be a boolean, got %s", what, luaL_typename(L, idx));
  return lua_toboolean(L, idx);
}

/* lunar.round(a [, decimals [, out]]) */
static int l_round(lua_State *L) {
  static const char *const names[] = {"decimals", "out"};
  lu_ctx *ctx = lb_ctx(L);
  lu_arg a;
  lu_array *out;
  lua_Integer d = 0;
  int idx[2], isint;
  lb_toarg(L, 1, &a);
  params(L, 2, names, 2, idx);
  if (idx[0]) {
    d = lua_tointegerx(L, idx[0], &isint);
    if (!isint) lb_argerror(L, idx[0], "decimals must be an integer, got %s", luaL_typename(L, idx[0]));
    if (d > 400) d = 400;
    if (d < -400) d = -400;
  }
  if (idx[1]) {
    out = checkout(L, idx[1], idx[1]);
    lua_pushvalue(L, idx[1]);
  } else {
    out = lb_new(L);
  }
  if (lu_round(ctx, &a, (int)d, out)) return lb_fail(L, ctx);
  return 1;
}

/* lunar.isclose(a, b [, rtol [, atol [, equal_nan]]]) */
static int l_isclose(lua_State *L) {
  static const char *const names[] = {"rtol", "atol", "equal_nan"};
  lu_ctx *ctx = lb_ctx(L);
  lu_arg a, b;
  lu_array *out;
  int idx[3];
  double rtol, atol;
  lb_toarg(L, 1, &a);
  lb_toarg(L, 2, &b);
  params(L, 3, names, 3, idx);
  rtol = optnum(L, idx[0], "rtol", 1e-5);
  atol = optnum(L, idx[1], "atol", 1e-8);
  out = lb_new(L);
  if (lu_isclose(ctx, &a, &b, rtol, atol, optbool(L, idx[2], "equal_nan", 0), out))
    return lb_fail(L, ctx);
  return 1;
}

/* lunar.nan_to_num(x [, copy [, nan [, posinf [, neginf]]]]) */
static int l_nan_to_num(lua_State *L) {
  static const char *const names[] = {"copy", "nan", "posinf", "neginf"};
  lu_ctx *ctx = lb_ctx(L);
  lu_arg x;
  lu_array *out;
  int idx[4];
  double nan, pinf, ninf;
  lb_toarg(L, 1, &x);
  params(L, 2, names, 4, idx);
  nan = optnum(L, idx[1], "nan", 0.0);
  pinf = optnum(L, idx[2], "posinf", 0.0);
  ninf = optnum(L, idx[3], "neginf", 0.0);
  if (!optbool(L, idx[0], "copy", 1) && x.arr) {
    out = (lu_array *)x.arr;
    lua_pushvalue(L, 1);
  } else {
    out = lb_new(L);
  }
  if (lu_nan_to_num(ctx, &x, nan, idx[2] ? &pinf : NULL, idx[3] ? &ninf : NULL, out))
    return lb_fail(L, ctx);
  return 1;
}

/* lunar.real_if_close(a [, tol]): a itself for real dtypes (their
** imaginary part is 0 everywhere) */
static int l_real_if_close(lua_State *L) {
  static const char *const names[] = {"tol"};
  lu_arg a;
  int idx[1];
  lb_toarg(L, 1, &a);
  params(L, 2, names, 1, idx);
  optnum(L, idx[0], "tol", 100);
  if (a.arr == NULL) {
    lu_ctx *ctx = lb_ctx(L);
    lu_array *out = lb_new(L);
    if (lu_ewise(ctx, LU_OP_copy, 1, &a, out)) return lb_fail(L, ctx);
    return 1;
  }
  lua_pushvalue(L, 1);
  return 1;
}
/* }====================================================== */

/* Register f with upvalue `extra` as lunar.NAME and as the method NAME. */
static void both(lua_State *L, int mod, int methods, const char *name,
                 lua_CFunction f, int extra) {
  lua_pushfstring(L, "lunar.%s", name);
  lb_pushfn(L, f, lua_tostring(L, -1), 0, extra);
  lua_setfield(L, mod, name);
  lua_pop(L, 1);
  lua_pushfstring(L, "array:%s", name);
  lb_pushfn(L, f, lua_tostring(L, -1), 1, extra);
  lua_setfield(L, methods, name);
  lua_pop(L, 1);
}

/* An alias takes its target's C function and upvalue 3 under its own name,
** so that errors name what the user called. */
static void alias(lua_State *L, int mod, int methods, const char *name, const char *target) {
  lua_CFunction f;
  int extra = -1;
  lua_getfield(L, mod, target);
  f = lua_tocfunction(L, -1);
  if (f == NULL) luaL_error(L, "lunar: alias %s of a missing function %s", name, target);
  if (lua_getupvalue(L, -1, 3) && lua_isinteger(L, -1)) extra = (int)lua_tointeger(L, -1);
  lua_pop(L, 2);
  both(L, mod, methods, name, f, extra);
}

void lb_open_ufunc(lua_State *L, int mod, int methods, int meta) {
  static const struct { const char *alias; lu_op op; } cmp[] = {
    {"eq", LU_OP_equal}, {"ne", LU_OP_not_equal}, {"lt", LU_OP_less},
    {"le", LU_OP_less_equal}, {"gt", LU_OP_greater}, {"ge", LU_OP_greater_equal},
  };
  static const struct { const char *event; lu_op op; } mm[] = {
    {"__add", LU_OP_add}, {"__sub", LU_OP_subtract}, {"__mul", LU_OP_multiply},
    {"__div", LU_OP_divide}, {"__idiv", LU_OP_floor_divide}, {"__mod", LU_OP_mod},
    {"__pow", LU_OP_power}, {"__unm", LU_OP_negative},
    {"__band", LU_OP_bitwise_and}, {"__bor", LU_OP_bitwise_or},
    {"__bxor", LU_OP_bitwise_xor}, {"__shl", LU_OP_left_shift},
    {"__shr", LU_OP_right_shift}, {"__bnot", LU_OP_invert},
  };
  static const struct { const char *name; lua_CFunction f; } fns[] = {
    {"round", l_round}, {"isclose", l_isclose}, {"nan_to_num", l_nan_to_num},
    {"real_if_close", l_real_if_close},
  };
  static const struct { const char *alias, *target; } aliases[] = {
#define X(a, name) {#a, #name},
    LU_OP_ALIASES(X)
#undef X
  };
  static const struct { const char *name; double v; } consts[] = {
    {"pi", 3.14159265358979323846}, {"e", 2.71828182845904523536},
    {"euler_gamma", 0.57721566490153286061},
  };
  int i;
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  meta = lua_absindex(L, meta);
  for (i = 0; i < LU_NOPS; i++)
    if (lu_ops[i].name[0] != '_') both(L, mod, methods, lu_ops[i].name, l_ufunc, i);
  for (i = 0; i < (int)(sizeof ufuncs2 / sizeof ufuncs2[0]); i++)
    both(L, mod, methods, ufuncs2[i].name, l_ufunc2, i);
  for (i = 0; i < (int)(sizeof fns / sizeof fns[0]); i++)
    both(L, mod, methods, fns[i].name, fns[i].f, -1);
  for (i = 0; i < (int)(sizeof aliases / sizeof aliases[0]); i++)
    alias(L, mod, methods, aliases[i].alias, aliases[i].target);
  for (i = 0; i < (int)(sizeof cmp / sizeof cmp[0]); i++) {
    lua_pushfstring(L, "array:%s", cmp[i].alias);
    lb_pushfn(L, l_ufunc, lua_tostring(L, -1), 1, cmp[i].op);
    lua_setfield(L, methods, cmp[i].alias);
    lua_pop(L, 1);
  }
  for (i = 0; i < (int)(sizeof mm / sizeof mm[0]); i++) {
    lb_pushfn(L, l_operator, lu_ops[mm[i].op].name, 0, mm[i].op);
    lua_setfield(L, meta, mm[i].event);
  }
  lb_pushfn(L, l_order, "less", 0, LU_OP_less);
  lua_setfield(L, meta, "__lt");
  lb_pushfn(L, l_order, "less_equal", 0, LU_OP_less_equal);
  lua_setfield(L, meta, "__le");
  for (i = 0; i < (int)(sizeof consts / sizeof consts[0]); i++) {
    lua_pushnumber(L, consts[i].v);
    lua_setfield(L, mod, consts[i].name);
  }
  lua_pushnumber(L, HUGE_VAL);
  lua_setfield(L, mod, "inf");
  lua_pushnumber(L, NAN);
  lua_setfield(L, mod, "nan");
}
