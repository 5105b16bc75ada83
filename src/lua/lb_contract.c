/* SPDX-License-Identifier: MIT */
/*
** Contractions: einsum einsum_path tensordot inner outer kron vdot dot
** matmul vecdot matvec vecmat, and lunar.linalg.tensordot. Parameters in
** NumPy's order, by position or in a trailing options table.
*/
#include <string.h>
#include "lb.h"

#define MAXOPS 64

/* The device of the first array among the stack slots lo..hi, or the
** default device (tables given as operands go there). */
static lu_device first_device(lua_State *L, int lo, int hi, int step) {
  int i;
  for (i = lo; i <= hi; i += step) {
    lu_array *a = lb_test(L, i);
    if (a) return lu_array_device(a);
  }
  {
    lb_kw kw;
    memset(&kw, 0, sizeof kw);
    kw.dtype = -1;
    return lb_device(L, lb_ctx(L), &kw);
  }
}

static int casting_of(lua_State *L, const lb_params *p, int i, int dflt) {
  const char *s = lb_pstr(L, p, i, "casting", NULL);
  int c;
  if (s == NULL) return dflt;
  c = lu_casting_from_name(s);
  if (c < 0)
    lb_argerror(L, lb_pargn(p, i), "casting must be one of 'no', 'equiv', 'safe', 'same_kind' or 'unsafe', got '%s'", s);
  return c;
}

static void check_order(lua_State *L, const lb_params *p, int i) {
  const char *s = lb_pstr(L, p, i, "order", "K");
  if (strlen(s) != 1 || !strchr("CFAK", s[0]))
    lb_argerror(L, lb_pargn(p, i), "order must be one of 'C', 'F', 'A' or 'K', got '%s'", s);
}

/* {===== einsum */
/* A sublist of the interleaved form as subscripts: labels 1..52 are the
** letters A..Z a..z, "..." an ellipsis. */
static void sublist(lua_State *L, int idx, luaL_Buffer *b, int argn) {
  lua_Integer i, n;
  if (lua_type(L, idx) != LUA_TTABLE || lb_test(L, idx))
    lb_argerror(L, argn, "a sublist (a table of labels) expected, got %s", luaL_typename(L, idx));
  n = (lua_Integer)lua_rawlen(L, idx);
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, i);
    if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "...") == 0) {
      luaL_addstring(b, "...");
    } else {
      lua_Integer k = 0;
      if (!lua_isinteger(L, -1) || (k = lua_tointeger(L, -1)) < 1 || k > 52)
        lb_argerror(L, argn, "sublist labels must be integers from 1 to 52 or '...'");
      luaL_addchar(b, (char)(k <= 26 ? 'A' + k - 1 : 'a' + k - 27));
    }
    lua_pop(L, 1);
  }
}

/* The operands and subscripts of einsum(subscripts, a, b, ... [, opts])
** or einsum(a, sub_a, b, sub_b, ... [, sub_out] [, opts]); pushes the
** subscripts string (and the arrays made from tables). top: the last
** argument before the options table. */
static void einsum_args(lua_State *L, int top, const lu_array **ops, int *n) {
  int i;
  lu_device dev;
  *n = 0;
  if (lua_type(L, 1) == LUA_TSTRING) {
    if (top - 1 > MAXOPS) luaL_error(L, "%s: too many operands (at most %d)", lb_fname(L), MAXOPS);
    dev = first_device(L, 2, top, 1);
    for (i = 2; i <= top; i++) ops[(*n)++] = lb_toarray(L, i, &dev);
    lua_pushvalue(L, 1);
  } else {
    luaL_Buffer b;
    int nops = top / 2;
    if (nops > MAXOPS) luaL_error(L, "%s: too many operands (at most %d)", lb_fname(L), MAXOPS);
    if (top < 2) lb_argerror(L, 1, "a subscripts string or an operand and its sublist expected");
    dev = first_device(L, 1, top, 2);
    for (i = 0; i < nops; i++) ops[(*n)++] = lb_toarray(L, 1 + 2 * i, &dev);
    luaL_buffinit(L, &b);
    for (i = 0; i < nops; i++) {
      if (i) luaL_addchar(&b, ',');
      sublist(L, 2 + 2 * i, &b, 2 + 2 * i);
    }
    if (top % 2 == 1) {
      luaL_addstring(&b, "->");
      sublist(L, top, &b, top);
    }
    luaL_pushresult(&b);
  }
}

/* The options of einsum and einsum_path (read before the operands). */
static int einsum_opts(lua_State *L, const char *kw, lb_params *p) {
  int top = lua_gettop(L);
  if (top >= 1 && lb_isoptions(L, top)) {
    lb_getparams(L, top, "", kw, p);
    return top - 1;
  }
  lb_getparams(L, top + 1, "", kw, p);
  return top;
}

/* einsum(subscripts, operands... [, {out, dtype, order, casting, optimize}]) */
static int l_einsum(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  const lu_array *ops[MAXOPS];
  lb_params p;
  lu_array *out;
  int n, casting, subs, last = einsum_opts(L, "out,dtype,order,casting,optimize", &p);
  einsum_args(L, last, ops, &n);
  subs = lua_gettop(L);
  casting = casting_of(L, &p, 3, LU_CAST_SAFE);
  check_order(L, &p, 2);
  out = lb_new(L);
  if (lu_einsum(ctx, out, lua_tostring(L, subs), n, ops, lb_pdtype(L, &p, 1), (lu_casting)casting))
    return lb_fail(L, ctx);
  return lb_pout(L, ctx, &p, 0, casting);
}

/* einsum_path(subscripts, operands... [, {optimize}]): the path as NumPy
** writes it ({"einsum_path", {1, 2}, ...}, 1-based) and a report */
static int l_einsum_path(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  const lu_array *ops[MAXOPS];
  int path[2 * MAXOPS], npairs, n, i, subs;
  char report[4096];
  lb_params p;
  einsum_args(L, einsum_opts(L, "optimize,einsum_call", &p), ops, &n);
  subs = lua_gettop(L);
  if (lu_einsum_path(ctx, lua_tostring(L, subs), n, ops, path, &npairs, report, sizeof report))
    return lb_fail(L, ctx);
  lua_createtable(L, npairs + 1, 0);
  lua_pushliteral(L, "einsum_path");
  lua_rawseti(L, -2, 1);
  for (i = 0; i < npairs; i++) {
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, path[2 * i] + 1);
    lua_rawseti(L, -2, 1);
    if (path[2 * i + 1] >= 0) {
      lua_pushinteger(L, path[2 * i + 1] + 1);
      lua_rawseti(L, -2, 2);
    }
    lua_rawseti(L, -2, i + 2);
  }
  lua_pushstring(L, report);
  return 2;
}
/* }===== */

/* {===== two operands */
/* the two operands a and b (arrays or tables, on a's or b's device) */
static void operands(lua_State *L, lu_array **a, lu_array **b) {
  lu_device d = first_device(L, 1, 2, 1);
  *a = lb_toarray(L, 1, &d);
  *b = lb_toarray(L, 2, &d);
}

/* axes of tensordot: one axis or a table of them, 1-based, negative from
** the end; 0-based into ax */
static int axis_list(lua_State *L, int idx, int ndim, int *ax, int argn, const char *which) {
  int n = 0, i;
  if (lua_isinteger(L, idx)) {
    ax[0] = lb_axis(L, argn, lua_tointeger(L, idx), ndim, 0);
    return 1;
  }
  if (lua_type(L, idx) != LUA_TTABLE || lb_test(L, idx))
    lb_argerror(L, argn, "the axes of %s must be an integer or a table of integers", which);
  n = (int)lua_rawlen(L, idx);
  if (n > LU_MAXDIM) lb_argerror(L, argn, "too many axes for %s", which);
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, idx, i + 1);
    if (!lua_isinteger(L, -1))
      lb_argerror(L, argn, "the axes of %s must be integers, got %s", which, luaL_typename(L, -1));
    ax[i] = lb_axis(L, argn, lua_tointeger(L, -1), ndim, 0);
    lua_pop(L, 1);
  }
  return n;
}

/* tensordot(a, b [, axes]): axes N (a's last N with b's first N), or
** {axes_a, axes_b} with each an axis or a table of axes */
static int l_tensordot(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a, *b, *out;
  lb_params p;
  int axa[LU_MAXDIM], axb[LU_MAXDIM], na, nb, i;
  operands(L, &a, &b);
  lb_getparams(L, 3, "axes", NULL, &p);
  if (!p.idx[0] || lua_isinteger(L, p.idx[0])) {
    lua_Integer N = lb_pint(L, &p, 0, "axes", 2);
    if (N < 0) lb_argerror(L, lb_pargn(&p, 0), "axes must not be negative, got %d", (int)N);
    if (N > a->ndim || N > b->ndim)
      lb_argerror(L, lb_pargn(&p, 0), "axes %d is more than the dimensions of a (%d) or b (%d)",
                  (int)N, a->ndim, b->ndim);
    na = nb = (int)N;
    for (i = 0; i < na; i++) { axa[i] = a->ndim - na + i; axb[i] = i; }
  } else {
    int idx = p.idx[0];
    if (lua_type(L, idx) != LUA_TTABLE || lua_rawlen(L, idx) != 2)
      lb_argerror(L, lb_pargn(&p, 0), "axes must be an integer or a pair {axes_a, axes_b}");
    lua_rawgeti(L, idx, 1);
    na = axis_list(L, lua_gettop(L), a->ndim, axa, lb_pargn(&p, 0), "a");
    lua_rawgeti(L, idx, 2);
    nb = axis_list(L, lua_gettop(L), b->ndim, axb, lb_pargn(&p, 0), "b");
    lua_pop(L, 2);
    if (na != nb)
      lb_argerror(L, lb_pargn(&p, 0), "shape-mismatch for sum: %d axes of a and %d of b", na, nb);
  }
  out = lb_new(L);
  if (lu_tensordot(ctx, out, a, b, na, axa, axb)) return lb_fail(L, ctx);
  return 1;
}

/* inner, kron, vdot: (a, b); outer, dot, matvec, vecmat: (a, b [, out]);
** upvalue 3 says which */
enum { F_INNER, F_KRON, F_VDOT, F_OUTER, F_DOT, F_MATVEC, F_VECMAT };
static int l_pair(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int which = (int)lua_tointeger(L, lua_upvalueindex(3)), st;
  lu_array *a, *b, *out;
  lb_params p;
  operands(L, &a, &b);
  lb_getparams(L, 3, which >= F_OUTER ? "out" : "", NULL, &p);
  out = lb_new(L);
  switch (which) {
    case F_INNER: st = lu_inner(ctx, out, a, b); break;
    case F_KRON: st = lu_kron(ctx, out, a, b); break;
    case F_VDOT: st = lu_vdot(ctx, out, a, b); break;
    case F_OUTER: st = lu_outer(ctx, out, a, b); break;
    case F_DOT: st = lu_dot(ctx, out, a, b); break;
    case F_MATVEC: st = lu_matvec(ctx, out, a, b); break;
    default: st = lu_vecmat(ctx, out, a, b); break;
  }
  if (st) return lb_fail(L, ctx);
  return lb_pout(L, ctx, &p, 0, which == F_DOT ? -1 : LU_CAST_SAME_KIND);
}

/* matmul(a, b [, out] [, {dtype, casting}]) */
static int l_matmul(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a, *b, *out;
  lb_params p;
  int dt, casting;
  operands(L, &a, &b);
  lb_getparams(L, 3, "out", "dtype,casting", &p);
  dt = lb_pdtype(L, &p, 1);
  casting = casting_of(L, &p, 2, LU_CAST_SAME_KIND);
  out = lb_new(L);
  if (dt >= 0) {
    lu_array *ca = lb_new(L), *cb = lb_new(L);
    int k;
    for (k = 0; k < 2; k++) {
      lu_array *x = k ? b : a;
      if (!lu_can_cast(x->dtype, (lu_dtype)dt, (lu_casting)casting))
        lb_argerror(L, lb_pargn(&p, 1), "cannot cast operand %d from %s to %s according to the rule '%s'",
                    k + 1, lu_dtype_name(x->dtype), lu_dtype_name((lu_dtype)dt),
                    lu_casting_name((lu_casting)casting));
    }
    if (lu_astype(ctx, ca, a, (lu_dtype)dt) || lu_astype(ctx, cb, b, (lu_dtype)dt))
      return lb_fail(L, ctx);
    if (lu_matmul(ctx, out, ca, cb)) return lb_fail(L, ctx);
    lua_pushvalue(L, -3);
  } else {
    /* out= of the result's dtype: the product is written there (a copy
    ** where it cannot be: lb_pout) */
    lu_array *o = p.idx[0] ? lb_test(L, p.idx[0]) : NULL;
    int direct = 0;
    if (lu_matmul_into(ctx, out, a, b, o, &direct)) return lb_fail(L, ctx);
    if (direct) {
      lua_pushvalue(L, p.idx[0]);
      return 1;
    }
  }
  return lb_pout(L, ctx, &p, 0, casting);
}

/* vecdot(a, b [, out] [, {axis = -1}]) */
static int l_vecdot(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a, *b, *out;
  lb_params p;
  lua_Integer ax;
  operands(L, &a, &b);
  lb_getparams(L, 3, "out", "axis", &p);
  ax = lb_pint(L, &p, 1, "axis", -1);
  if (ax == 0) lb_argerror(L, lb_pargn(&p, 1), "axis 0 is not valid (axes are 1-based)");
  out = lb_new(L);
  if (lu_vecdot(ctx, out, a, b, ax > 0 ? (int)ax - 1 : (int)ax)) return lb_fail(L, ctx);
  return lb_pout(L, ctx, &p, 0, LU_CAST_SAME_KIND);
}
/* }===== */

void lb_open_contract(lua_State *L, int mod, int methods) {
  static const struct { const char *name; lua_CFunction f; int up, method; } fns[] = {
    {"einsum", l_einsum, 0, 0}, {"einsum_path", l_einsum_path, 0, 0},
    {"tensordot", l_tensordot, 0, 0}, {"inner", l_pair, F_INNER, 0},
    {"kron", l_pair, F_KRON, 0}, {"vdot", l_pair, F_VDOT, 0}, {"outer", l_pair, F_OUTER, 0},
    {"dot", l_pair, F_DOT, 1}, {"matvec", l_pair, F_MATVEC, 0}, {"vecmat", l_pair, F_VECMAT, 0},
    {"matmul", l_matmul, 0, 1}, {"vecdot", l_vecdot, 0, 0},
  };
  int i;
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  for (i = 0; i < (int)(sizeof fns / sizeof fns[0]); i++) {
    lua_pushfstring(L, "lunar.%s", fns[i].name);
    lb_pushfn(L, fns[i].f, lua_tostring(L, -1), 0, fns[i].up);
    lua_setfield(L, mod, fns[i].name);
    lua_pop(L, 1);
    if (fns[i].method) {
      lua_pushfstring(L, "array:%s", fns[i].name);
      lb_pushfn(L, fns[i].f, lua_tostring(L, -1), 1, fns[i].up);
      lua_setfield(L, methods, fns[i].name);
      lua_pop(L, 1);
    }
  }
  /* lunar.linalg.tensordot (NumPy 2) */
  if (lua_getfield(L, mod, "linalg") == LUA_TTABLE) {
    lb_pushfn(L, l_tensordot, "lunar.linalg.tensordot", 0, 0);
    lua_setfield(L, -2, "tensordot");
  }
  lua_pop(L, 1);
}
