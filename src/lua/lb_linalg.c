/* SPDX-License-Identifier: MIT */
/*
** lunar.linalg: the sub-table of the module with NumPy 2's numpy.linalg
** functions that the core implements (src/core/linalg.c,
** linalg_compose.c). The Lua side (lua/linalg.lua) adds the ones built
** from other families (matmul, outer, cross, vecdot, diagonal, trace,
** matrix_transpose).
**
** Every parameter that NumPy takes by position is taken by position and
** by name in a trailing table; keyword-only ones (cholesky's upper,
** vector_norm's axis, ord and keepdims ...) only by name. Several results
** (slogdet, qr, svd, eigh, lstsq) are several return values.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lb.h"

/* {===== arguments */
#define MAXP 6

/* Where each parameter is: the stack index of its value (0: not given)
** and the argument number to name in a message (the table's, for a
** value given by name). */
typedef struct pargs {
  int idx[MAXP], arg[MAXP];
  const char *const *names;
} pargs;

/* A trailing table holds options when it is not an array and not a
** sequence (norm's axis {1, 2} is a value, {axis = {1, 2}} options). */
static int is_options(lua_State *L, int idx) {
  int seq;
  if (lua_type(L, idx) != LUA_TTABLE || lb_test(L, idx)) return 0;
  seq = lua_rawgeti(L, idx, 1) != LUA_TNIL;
  lua_pop(L, 1);
  return !seq;
}

/* The parameters after the `first - 1` operands: names (NULL-ended), of
** which the first npos may come by position. */
static void params(lua_State *L, int first, const char *const *names, int npos, pargs *p) {
  int top = lua_gettop(L), kw = 0, i, j;
  p->names = names;
  for (j = 0; j < MAXP; j++) p->idx[j] = p->arg[j] = 0;
  if (top >= first && is_options(L, top)) kw = top--;
  for (i = first; i <= top; i++) {
    if (i - first >= npos)
      lb_argerror(L, i, "unexpected argument (%s)", luaL_typename(L, i));
    p->arg[i - first] = i;
    if (!lua_isnil(L, i)) p->idx[i - first] = i;
  }
  if (kw == 0) return;
  lua_pushnil(L);
  while (lua_next(L, kw)) {
    const char *k;
    if (lua_type(L, -2) != LUA_TSTRING) lb_argerror(L, kw, "options table has a non-string key");
    k = lua_tostring(L, -2);
    for (j = 0; names[j] && strcmp(names[j], k) != 0; j++) {}
    if (names[j] == NULL) lb_argerror(L, kw, "unknown option '%s'", k);
    if (p->idx[j]) lb_argerror(L, kw, "option '%s' is also given by position", k);
    lua_pop(L, 1);
  }
  for (j = 0; names[j]; j++) {
    if (p->idx[j]) continue;
    if (lua_getfield(L, kw, names[j]) == LUA_TNIL) { lua_pop(L, 1); continue; }
    p->idx[j] = lua_gettop(L);
    p->arg[j] = kw;
  }
}

static int perr(lua_State *L, const pargs *p, int j, const char *what) {
  return lb_argerror(L, p->arg[j], "%s must be %s, got %s", p->names[j], what,
                     luaL_typename(L, p->idx[j]));
}

static int pbool(lua_State *L, const pargs *p, int j, int def) {
  if (!p->idx[j]) return def;
  if (!lua_isboolean(L, p->idx[j])) perr(L, p, j, "a boolean");
  return lua_toboolean(L, p->idx[j]);
}

static double pnum(lua_State *L, const pargs *p, int j, double def) {
  if (!p->idx[j]) return def;
  if (lua_type(L, p->idx[j]) != LUA_TNUMBER) perr(L, p, j, "a number");
  return (double)lua_tonumber(L, p->idx[j]);
}

static lua_Integer pint(lua_State *L, const pargs *p, int j, lua_Integer def) {
  if (!p->idx[j]) return def;
  if (!lua_isinteger(L, p->idx[j])) perr(L, p, j, "an integer");
  return lua_tointeger(L, p->idx[j]);
}

static const char *pstr(lua_State *L, const pargs *p, int j, const char *def) {
  if (!p->idx[j]) return def;
  if (lua_type(L, p->idx[j]) != LUA_TSTRING) perr(L, p, j, "a string");
  return lua_tostring(L, p->idx[j]);
}

/* An array operand: an array, or a Lua table made into one (it replaces
** the table on the stack, so it lives for the call). */
static lu_array *arr(lua_State *L, int idx) {
  lu_array *a;
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    a = lb_fromtable(L, idx, -1, NULL);
    lua_replace(L, idx);
    return a;
  }
  if ((a = lb_test(L, idx)) == NULL)
    lb_argerror(L, idx, "array expected, got %s", luaL_typename(L, idx));
  return a;
}

/* A norm order: nil, a number, "fro" (or "f") or "nuc". */
static lu_normord pord(lua_State *L, const pargs *p, int j, lu_ordkind def_kind) {
  lu_normord o;
  int i = p->idx[j];
  o.kind = def_kind;
  o.p = 0;
  if (!i) return o;
  if (lua_type(L, i) == LUA_TNUMBER) {
    o.kind = LU_ORD_P;
    o.p = (double)lua_tonumber(L, i);
  } else if (lua_type(L, i) == LUA_TSTRING) {
    const char *s = lua_tostring(L, i);
    if (strcmp(s, "fro") == 0 || strcmp(s, "f") == 0) o.kind = LU_ORD_FRO;
    else if (strcmp(s, "nuc") == 0) o.kind = LU_ORD_NUC;
    else lb_argerror(L, p->arg[j], "invalid norm order '%s' (a number, \"fro\" or \"nuc\")", s);
  } else {
    perr(L, p, j, "a number, \"fro\" or \"nuc\"");
  }
  return o;
}

/* Axes: an integer or a table of integers (1-based, negative from the
** end), as 0-based; returns their count, 0 when not given. */
static int paxes(lua_State *L, const pargs *p, int j, int ndim, int *axes) {
  int i = p->idx[j], n = 0, isint;
  lua_Integer ax;
  if (!i) return 0;
  if (lua_type(L, i) == LUA_TNUMBER) {
    ax = lua_tointegerx(L, i, &isint);
    if (!isint) perr(L, p, j, "an integer or a table of integers");
    axes[0] = lb_axis(L, p->arg[j], ax, ndim, 0);
    return 1;
  }
  if (lua_type(L, i) != LUA_TTABLE) perr(L, p, j, "an integer or a table of integers");
  for (n = 0;; n++) {
    if (lua_rawgeti(L, i, n + 1) == LUA_TNIL) { lua_pop(L, 1); break; }
    ax = lua_tointegerx(L, -1, &isint);
    lua_pop(L, 1);
    if (!isint) lb_argerror(L, p->arg[j], "%s must hold integers", p->names[j]);
    if (n >= LU_MAXDIM) lb_argerror(L, p->arg[j], "%s: too many axes", p->names[j]);
    axes[n] = lb_axis(L, p->arg[j], ax, ndim, 0);
  }
  if (n == 0) lb_argerror(L, p->arg[j], "%s must not be empty", p->names[j]);
  return n;
}
/* }===== */

/* {===== the functions */
static const char *const P_NONE[] = { NULL };

static int l_solve(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *b = arr(L, 2), *out;
  pargs p;
  params(L, 3, P_NONE, 0, &p);
  out = lb_new(L);
  if (lu_linalg_solve(ctx, out, a, b)) return lb_fail(L, ctx);
  return 1;
}

static int l_inv(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *out;
  pargs p;
  params(L, 2, P_NONE, 0, &p);
  out = lb_new(L);
  if (lu_linalg_inv(ctx, out, a)) return lb_fail(L, ctx);
  return 1;
}

static int l_det(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *out;
  pargs p;
  params(L, 2, P_NONE, 0, &p);
  out = lb_new(L);
  if (lu_linalg_det(ctx, out, a)) return lb_fail(L, ctx);
  return 1;
}

static int l_slogdet(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *sign, *logabs;
  pargs p;
  params(L, 2, P_NONE, 0, &p);
  sign = lb_new(L);
  logabs = lb_new(L);
  if (lu_linalg_slogdet(ctx, sign, logabs, a)) return lb_fail(L, ctx);
  return 2;
}

static int l_cholesky(lua_State *L) {
  static const char *const names[] = { "upper", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *out;
  pargs p;
  int upper;
  params(L, 2, names, 0, &p);
  upper = pbool(L, &p, 0, 0);
  out = lb_new(L);
  if (lu_linalg_cholesky(ctx, out, a, upper)) return lb_fail(L, ctx);
  return 1;
}

static int l_qr(lua_State *L) {
  static const char *const names[] = { "mode", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *q, *r;
  const char *mode;
  pargs p;
  params(L, 2, names, 1, &p);
  mode = pstr(L, &p, 0, "reduced");
  q = lb_new(L);
  r = lb_new(L);
  if (lu_linalg_qr(ctx, q, r, a, mode)) return lb_fail(L, ctx);
  if (strcmp(mode, "r") == 0) return 1;   /* R alone */
  if (strcmp(mode, "raw") == 0) return 2;  /* h, tau */
  return 2;
}

static int l_svd(lua_State *L) {
  static const char *const names[] = { "full_matrices", "compute_uv", "hermitian", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *u, *s, *vh;
  pargs p;
  int full, uv, herm;
  params(L, 2, names, 3, &p);
  full = pbool(L, &p, 0, 1);
  uv = pbool(L, &p, 1, 1);
  herm = pbool(L, &p, 2, 0);
  if (!uv) {
    s = lb_new(L);
    if (lu_linalg_svd(ctx, NULL, s, NULL, a, full, 0, herm)) return lb_fail(L, ctx);
    return 1;
  }
  u = lb_new(L);
  s = lb_new(L);
  vh = lb_new(L);
  if (lu_linalg_svd(ctx, u, s, vh, a, full, 1, herm)) return lb_fail(L, ctx);
  return 3;
}

static int l_svdvals(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *s;
  pargs p;
  params(L, 2, P_NONE, 0, &p);
  s = lb_new(L);
  if (lu_linalg_svdvals(ctx, s, a)) return lb_fail(L, ctx);
  return 1;
}

static int uplo(lua_State *L, const pargs *p, int j) {
  const char *s = pstr(L, p, j, "L");
  if ((s[0] == 'L' || s[0] == 'l') && s[1] == '\0') return 0;
  if ((s[0] == 'U' || s[0] == 'u') && s[1] == '\0') return 1;
  return lb_argerror(L, p->arg[j], "UPLO must be \"L\" or \"U\", got \"%s\"", s);
}

static int l_eigh(lua_State *L) {
  static const char *const names[] = { "UPLO", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *w, *v;
  pargs p;
  int up;
  params(L, 2, names, 1, &p);
  up = uplo(L, &p, 0);
  w = lb_new(L);
  v = lb_new(L);
  if (lu_linalg_eigh(ctx, w, v, a, up)) return lb_fail(L, ctx);
  return 2;
}

static int l_eigvalsh(lua_State *L) {
  static const char *const names[] = { "UPLO", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *w;
  pargs p;
  int up;
  params(L, 2, names, 1, &p);
  up = uplo(L, &p, 0);
  w = lb_new(L);
  if (lu_linalg_eigh(ctx, w, NULL, a, up)) return lb_fail(L, ctx);
  return 1;
}

static int l_eig(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *w, *v;
  pargs p;
  params(L, 2, P_NONE, 0, &p);
  w = lb_new(L);
  v = lb_new(L);
  if (lu_linalg_eig(ctx, w, v, a)) return lb_fail(L, ctx);
  return 2;
}

static int l_eigvals(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *w;
  pargs p;
  params(L, 2, P_NONE, 0, &p);
  w = lb_new(L);
  if (lu_linalg_eig(ctx, w, NULL, a)) return lb_fail(L, ctx);
  return 1;
}

static int l_lstsq(lua_State *L) {
  static const char *const names[] = { "rcond", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *b = arr(L, 2), *x, *res, *s;
  pargs p;
  double rcond;
  int64_t rank;
  params(L, 3, names, 1, &p);
  rcond = pnum(L, &p, 0, NAN);
  x = lb_new(L);
  res = lb_new(L);
  s = lb_new(L);
  if (lu_linalg_lstsq(ctx, x, res, &rank, s, a, b, rcond)) return lb_fail(L, ctx);
  lua_pushvalue(L, -3);    /* x, residuals, rank, s */
  lua_pushvalue(L, -3);
  lua_pushinteger(L, (lua_Integer)rank);
  lua_pushvalue(L, -4);
  return 4;
}

static int l_pinv(lua_State *L) {
  static const char *const names[] = { "rcond", "hermitian", "rtol", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *out;
  pargs p;
  double rcond;
  int herm;
  params(L, 2, names, 2, &p);
  if (p.idx[0] && p.idx[2])
    lb_argerror(L, p.arg[2], "rtol and rcond can't be both set");
  rcond = p.idx[2] ? pnum(L, &p, 2, 0) : pnum(L, &p, 0, 1e-15);
  herm = pbool(L, &p, 1, 0);
  out = lb_new(L);
  if (lu_linalg_pinv(ctx, out, a, rcond, herm)) return lb_fail(L, ctx);
  return 1;
}

static int l_matrix_rank(lua_State *L) {
  static const char *const names[] = { "tol", "hermitian", "rtol", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *out;
  pargs p;
  double tol, rtol;
  int herm;
  params(L, 2, names, 2, &p);
  if (p.idx[0] && p.idx[2])
    lb_argerror(L, p.arg[2], "tol and rtol can't be both set");
  tol = pnum(L, &p, 0, NAN);
  herm = pbool(L, &p, 1, 0);
  rtol = pnum(L, &p, 2, NAN);
  out = lb_new(L);
  if (lu_linalg_matrix_rank(ctx, out, a, tol, rtol, herm)) return lb_fail(L, ctx);
  return 1;
}

static int l_norm(lua_State *L) {
  static const char *const names[] = { "ord", "axis", "keepdims", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *x = arr(L, 1), *out;
  pargs p;
  lu_normord o;
  int axes[LU_MAXDIM], n, keep;
  params(L, 2, names, 3, &p);
  o = pord(L, &p, 0, LU_ORD_NONE);
  n = paxes(L, &p, 1, x->ndim, axes);
  keep = pbool(L, &p, 2, 0);
  out = lb_new(L);
  if (lu_linalg_norm(ctx, out, x, o, n, axes, keep)) return lb_fail(L, ctx);
  return 1;
}

static int l_vector_norm(lua_State *L) {
  static const char *const names[] = { "axis", "keepdims", "ord", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *x = arr(L, 1), *out;
  pargs p;
  int axes[LU_MAXDIM], n, keep;
  double ord;
  params(L, 2, names, 0, &p);
  n = paxes(L, &p, 0, x->ndim, axes);
  keep = pbool(L, &p, 1, 0);
  ord = pnum(L, &p, 2, 2.0);
  out = lb_new(L);
  if (lu_linalg_vector_norm(ctx, out, x, ord, n, axes, keep)) return lb_fail(L, ctx);
  return 1;
}

static int l_matrix_norm(lua_State *L) {
  static const char *const names[] = { "keepdims", "ord", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *x = arr(L, 1), *out;
  pargs p;
  lu_normord o;
  int axes[2], keep;
  params(L, 2, names, 0, &p);
  keep = pbool(L, &p, 0, 0);
  o = pord(L, &p, 1, LU_ORD_FRO);
  if (x->ndim < 2)
    lb_argerror(L, 1, "%d-dimensional array given. Array must be at least two-dimensional",
                x->ndim);
  axes[0] = x->ndim - 2;
  axes[1] = x->ndim - 1;
  out = lb_new(L);
  if (lu_linalg_norm(ctx, out, x, o, 2, axes, keep)) return lb_fail(L, ctx);
  return 1;
}

static int l_cond(lua_State *L) {
  static const char *const names[] = { "p", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *x = arr(L, 1), *out;
  pargs p;
  lu_normord o;
  params(L, 2, names, 1, &p);
  o = pord(L, &p, 0, LU_ORD_NONE);
  out = lb_new(L);
  if (lu_linalg_cond(ctx, out, x, o)) return lb_fail(L, ctx);
  return 1;
}

static int l_matrix_power(lua_State *L) {
  static const char *const names[] = { "n", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *out;
  pargs p;
  params(L, 2, names, 1, &p);
  if (!p.idx[0]) lb_argerror(L, 2, "exponent n expected");
  if (!lua_isinteger(L, p.idx[0]))
    lb_argerror(L, p.arg[0], "exponent must be an integer, got %s",
                lua_type(L, p.idx[0]) == LUA_TNUMBER ? "a float" : luaL_typename(L, p.idx[0]));
  out = lb_new(L);
  if (lu_linalg_matrix_power(ctx, out, a, (int64_t)lua_tointeger(L, p.idx[0])))
    return lb_fail(L, ctx);
  return 1;
}

static int l_multi_dot(lua_State *L) {
  static const char *const names[] = { "out", NULL };
  lu_ctx *ctx = lb_ctx(L);
  const lu_array *ops[LU_MAXDIM * 4];
  lu_array *res, *dst = NULL;
  pargs p;
  int n, i;
  luaL_checktype(L, 1, LUA_TTABLE);
  if (lb_test(L, 1)) lb_argerror(L, 1, "a sequence of arrays expected, got an array");
  n = (int)luaL_len(L, 1);
  if (n > (int)(sizeof ops / sizeof ops[0]))
    lb_argerror(L, 1, "at most %d arrays", (int)(sizeof ops / sizeof ops[0]));
  params(L, 2, names, 0, &p);
  if (p.idx[0] && (dst = lb_test(L, p.idx[0])) == NULL) perr(L, &p, 0, "an array");
  for (i = 0; i < n; i++) {
    int top;
    lua_geti(L, 1, i + 1);
    top = lua_gettop(L);
    if (lua_type(L, top) == LUA_TTABLE && !lb_test(L, top)) {
      ops[i] = lb_fromtable(L, top, -1, NULL);
      lua_replace(L, top);
    } else if ((ops[i] = lb_test(L, top)) == NULL) {
      lb_argerror(L, 1, "element %d is not an array (%s)", i + 1, luaL_typename(L, top));
    }
  }
  res = lb_new(L);
  if (lu_linalg_multi_dot(ctx, res, n, ops)) return lb_fail(L, ctx);
  if (dst) {
    lu_arg g;
    char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
    if (dst->dtype != res->dtype || dst->ndim != res->ndim ||
        memcmp(dst->shape, res->shape, sizeof(int64_t) * (size_t)res->ndim) != 0)
      return lb_argerror(L, p.arg[0], "out must have the result's shape %s and dtype %s, got %s %s",
                         lu_shape_str(res->ndim, res->shape, s1, sizeof s1),
                         lu_dtype_name(res->dtype),
                         lu_shape_str(dst->ndim, dst->shape, s2, sizeof s2),
                         lu_dtype_name(dst->dtype));
    g.arr = res;
    g.s.kind = 'i';
    g.s.i = 0;
    g.s.f = 0;
    if (lu_assign(ctx, dst, &g)) return lb_fail(L, ctx);
    lua_pushvalue(L, p.idx[0]);
  }
  return 1;
}

static int l_tensorsolve(lua_State *L) {
  static const char *const names[] = { "axes", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *b = arr(L, 2), *out;
  pargs p;
  int axes[LU_MAXDIM], n = -1;
  params(L, 3, names, 1, &p);
  if (p.idx[0]) n = paxes(L, &p, 0, a->ndim, axes);
  out = lb_new(L);
  if (lu_linalg_tensorsolve(ctx, out, a, b, n, axes)) return lb_fail(L, ctx);
  return 1;
}

static int l_tensorinv(lua_State *L) {
  static const char *const names[] = { "ind", NULL };
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = arr(L, 1), *out;
  pargs p;
  lua_Integer ind;
  params(L, 2, names, 1, &p);
  ind = pint(L, &p, 0, 2);
  if (ind <= 0 || ind > LU_MAXDIM) lb_argerror(L, p.arg[0], "invalid ind argument %lld", (long long)ind);
  out = lb_new(L);
  if (lu_linalg_tensorinv(ctx, out, a, (int)ind)) return lb_fail(L, ctx);
  return 1;
}
/* }===== */

/* lunar.linalg, made here; lua/linalg.lua adds the rest to it. */
void lb_open_linalg(lua_State *L, int mod) {
  static const luaL_Reg fns[] = {
    {"solve", l_solve}, {"inv", l_inv}, {"det", l_det}, {"slogdet", l_slogdet},
    {"cholesky", l_cholesky}, {"qr", l_qr}, {"svd", l_svd}, {"svdvals", l_svdvals},
    {"eigh", l_eigh}, {"eigvalsh", l_eigvalsh}, {"eig", l_eig}, {"eigvals", l_eigvals},
    {"lstsq", l_lstsq}, {"pinv", l_pinv},
    {"matrix_rank", l_matrix_rank}, {"norm", l_norm}, {"vector_norm", l_vector_norm},
    {"matrix_norm", l_matrix_norm}, {"cond", l_cond}, {"matrix_power", l_matrix_power},
    {"multi_dot", l_multi_dot}, {"tensorsolve", l_tensorsolve}, {"tensorinv", l_tensorinv},
    {NULL, NULL}
  };
  mod = lua_absindex(L, mod);
  lua_newtable(L);
  lb_register(L, -1, fns, "lunar.linalg.", 0);
  lua_setfield(L, mod, "linalg");
}
