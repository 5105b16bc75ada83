/* SPDX-License-Identifier: MIT */
/*
** dtype routines: finfo, iinfo, result_type, promote_types, can_cast. A
** dtype is given by name ("float32", lunar.float32), by an array (its
** dtype) or, where NumPy allows it, by a Lua number (a weak scalar).
*/
#include <string.h>
#include "lb.h"

/* A dtype argument: a name or an array; Lua numbers give the dtype NumPy
** gives a Python scalar when allow_num (int64, float64, bool). */
static int dtype_arg(lua_State *L, int idx, int allow_num) {
  lu_array *a;
  switch (lua_type(L, idx)) {
  case LUA_TSTRING: return lb_checkdtype(L, idx, lua_tostring(L, idx));
  case LUA_TNUMBER:
    if (allow_num) return lua_isinteger(L, idx) ? LU_INT64 : LU_FLOAT64;
    break;
  case LUA_TBOOLEAN:
    if (allow_num) return LU_BOOL;
    break;
  default:
    if ((a = lb_test(L, idx)) != NULL) return (int)a->dtype;
    break;
  }
  return lb_argerror(L, idx, "dtype (a name or an array) expected, got %s", luaL_typename(L, idx));
}

static void setnum(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, (lua_Number)v);
  lua_setfield(L, -2, k);
}

static void setint(lua_State *L, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

/* finfo(dtype): a table of the float format's numbers (Lua floats, each
** the value of the dtype NumPy holds) and its integers. */
static int l_finfo(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_finfo f;
  lb_params p;
  lb_getparams(L, 2, "", NULL, &p);
  if (lu_finfo_of(ctx, (lu_dtype)dtype_arg(L, 1, 1), &f)) return lb_fail(L, ctx);
  lua_createtable(L, 0, 20);
  lua_pushstring(L, lu_dtype_name(f.dtype));
  lua_setfield(L, -2, "dtype");
  setint(L, "bits", f.bits);
  setnum(L, "eps", f.eps);
  setnum(L, "epsneg", f.epsneg);
  setnum(L, "max", f.max);
  setnum(L, "min", f.min);
  setnum(L, "tiny", f.tiny);
  setnum(L, "smallest_normal", f.smallest_normal);
  setnum(L, "smallest_subnormal", f.smallest_subnormal);
  setnum(L, "resolution", f.resolution);
  setint(L, "precision", f.precision);
  setint(L, "iexp", f.iexp);
  setint(L, "nexp", f.nexp);
  setint(L, "nmant", f.nmant);
  setint(L, "machep", f.machep);
  setint(L, "negep", f.negep);
  setint(L, "maxexp", f.maxexp);
  setint(L, "minexp", f.minexp);
  return 1;
}

/* iinfo(dtype): min, max (a float when it passes math.maxinteger, as
** uint64's), bits, dtype. */
static int l_iinfo(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_iinfo r;
  lb_params p;
  lb_getparams(L, 2, "", NULL, &p);
  if (lua_type(L, 1) == LUA_TNUMBER && !lua_isinteger(L, 1))
    return lb_argerror(L, 1, "invalid integer data type float64 (iinfo takes an integer dtype)");
  if (lu_iinfo_of(ctx, (lu_dtype)dtype_arg(L, 1, 1), &r)) return lb_fail(L, ctx);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, lu_dtype_name(r.dtype));
  lua_setfield(L, -2, "dtype");
  setint(L, "bits", r.bits);
  setint(L, "min", (lua_Integer)r.min);
  if (r.max <= (uint64_t)LUA_MAXINTEGER) setint(L, "max", (lua_Integer)r.max);
  else setnum(L, "max", (double)r.max);
  return 1;
}

/* result_type(...): arrays and dtype names are strong, Lua numbers and
** booleans weak (NEP 50). Returns the dtype's name. */
static int l_result_type(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int n = lua_gettop(L), i, ns = 0, nw = 0;
  lu_dtype *strong = (lu_dtype *)lua_newuserdatauv(L, sizeof(lu_dtype) * (size_t)(n + 1), 0);
  char *weak = (char *)lua_newuserdatauv(L, (size_t)(n + 1), 0);
  lu_dtype rt;
  for (i = 1; i <= n; i++) {
    lu_scalar s;
    if (lb_toscalar(L, i, &s)) weak[nw++] = s.kind;
    else if (lua_type(L, i) == LUA_TTABLE && !lb_test(L, i))
      lb_argerror(L, i, "array, dtype name or number expected, got table (convert it with lunar.array)");
    else strong[ns++] = (lu_dtype)dtype_arg(L, i, 0);
  }
  if (lu_result_type(ctx, ns, strong, nw, weak, &rt)) return lb_fail(L, ctx);
  lua_pushstring(L, lu_dtype_name(rt));
  return 1;
}

static int l_promote_types(lua_State *L) {
  lb_params p;
  int a, b;
  lb_getparams(L, 3, "", NULL, &p);
  a = dtype_arg(L, 1, 0);
  b = dtype_arg(L, 2, 0);
  lua_pushstring(L, lu_dtype_name(lu_promote((lu_dtype)a, (lu_dtype)b)));
  return 1;
}

/* can_cast(from, to [, casting]): from a dtype or an array; NumPy 2
** refuses Python scalars, and so does lunar for Lua numbers. */
static int l_can_cast(lua_State *L) {
  lb_params p;
  int from, to, c = LU_CAST_SAFE;
  lb_getparams(L, 3, "casting", NULL, &p);
  if (lua_type(L, 1) == LUA_TNUMBER || lua_type(L, 1) == LUA_TBOOLEAN)
    return lb_argerror(L, 1, "can_cast does not support Lua numbers, because the result used to depend on the value; use lunar.result_type or a dtype");
  from = dtype_arg(L, 1, 0);
  to = dtype_arg(L, 2, 0);
  if (p.idx[0]) {
    const char *s = lua_type(L, p.idx[0]) == LUA_TSTRING ? lua_tostring(L, p.idx[0]) : "";
    if ((c = lu_casting_from_name(s)) < 0)
      lb_argerror(L, lb_pargn(&p, 0), "casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe'");
  }
  lua_pushboolean(L, lu_can_cast((lu_dtype)from, (lu_dtype)to, (lu_casting)c));
  return 1;
}

void lb_open_dtinfo(lua_State *L, int mod) {
  static const luaL_Reg fns[] = {
    {"finfo", l_finfo}, {"iinfo", l_iinfo}, {"result_type", l_result_type},
    {"promote_types", l_promote_types}, {"can_cast", l_can_cast}, {NULL, NULL}
  };
  lb_register(L, mod, fns, "lunar.", 0);
}
