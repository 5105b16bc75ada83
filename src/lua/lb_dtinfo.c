/* SPDX-License-Identifier: MIT */
/*
** dtype routines: finfo, iinfo, result_type, promote_types, can_cast,
** min_scalar_type, common_type, dtype, isdtype, issubdtype, typename,
** mintypecode. A
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
  case LUA_TSTRING: return lb_checkdtypeat(L, idx, idx);
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

/* {===== the rest of NumPy's dtype routines */
/* min_scalar_type(a): the smallest dtype that holds a Lua value (or a 0-d
** array's value); an array of more dimensions gives its own dtype. */
static int l_min_scalar_type(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_scalar s;
  lu_array *a;
  lu_dtype rt;
  lb_getparams(L, 2, "", NULL, &p);
  if ((a = lb_test(L, 1)) != NULL) {
    if (a->ndim > 0 || lu_dtype_kind(a->dtype) == 'c') {
      lua_pushstring(L, lu_dtype_name(a->dtype));
      return 1;
    }
    lb_pushelement(L, ctx, a);
    lua_replace(L, 1);
  }
  if (!lb_toscalar(L, 1, &s))
    return lb_argerror(L, 1, "number, boolean or array expected, got %s", luaL_typename(L, 1));
  lu_min_scalar_type(s, &rt);
  lua_pushstring(L, lu_dtype_name(rt));
  return 1;
}

/* common_type(a, ...): arrays (or dtype names) */
static int l_common_type(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int n = lua_gettop(L), i;
  lu_dtype *d = (lu_dtype *)lua_newuserdatauv(L, sizeof(lu_dtype) * (size_t)(n + 1), 0), rt;
  for (i = 1; i <= n; i++) d[i - 1] = (lu_dtype)dtype_arg(L, i, 0);
  if (lu_common_type(ctx, n, d, &rt)) return lb_fail(L, ctx);
  lua_pushstring(L, lu_dtype_name(rt));
  return 1;
}

/* dtype(x): the canonical name of a dtype given by name, alias or array */
static int l_dtype(lua_State *L) {
  lb_params p;
  lb_getparams(L, 2, "", NULL, &p);
  lua_pushstring(L, lu_dtype_name((lu_dtype)dtype_arg(L, 1, 1)));
  return 1;
}

/* NumPy's kinds of isdtype and its abstract types of issubdtype, as sets
** of dtype kind letters. */
static const struct { const char *name; const char *kinds; } kindsets[] = {
  {"bool", "b"}, {"signed integer", "i"}, {"unsigned integer", "u"}, {"integral", "iu"},
  {"real floating", "f"}, {"complex floating", "c"}, {"numeric", "iufc"},
  {"generic", "biufc"}, {"number", "iufc"}, {"integer", "iu"}, {"signedinteger", "i"},
  {"unsignedinteger", "u"}, {"inexact", "fc"}, {"floating", "f"}, {"complexfloating", "c"},
  {"bool_", "b"},
};

/* 1 when dt is in the kind or dtype named at idx (a table: any of them). */
static int in_kind(lua_State *L, int idx, int argn, lu_dtype dt, int abstract) {
  size_t i, first = abstract ? 7 : 0, last = abstract ? sizeof kindsets / sizeof kindsets[0] : 7;
  const char *s;
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lua_Integer k, n = luaL_len(L, idx);
    int r = 0;
    for (k = 1; k <= n && !r; k++) {
      lua_geti(L, idx, k);
      r = in_kind(L, lua_gettop(L), argn, dt, abstract);
      lua_pop(L, 1);
    }
    return r;
  }
  if (lua_type(L, idx) == LUA_TSTRING) {
    s = lua_tostring(L, idx);
    for (i = first; i < last; i++)
      if (strcmp(kindsets[i].name, s) == 0) return strchr(kindsets[i].kinds, lu_dtype_kind(dt)) != NULL;
    if (abstract && strcmp(s, "bool") == 0) return dt == LU_BOOL;
    if (lu_dtype_from_name(s) < 0)
      return lb_argerror(L, argn, "kind argument must be a dtype or one of 'bool', 'signed integer', 'unsigned integer', 'integral', 'real floating', 'complex floating', 'numeric', got '%s'", s);
  }
  return dtype_arg(L, idx, 0) == (int)dt;
}

/* isdtype(dtype, kind): kind a name of NumPy 2's, a dtype or a table */
static int l_isdtype(lua_State *L) {
  lb_params p;
  int dt;
  lb_getparams(L, 3, "", NULL, &p);
  dt = dtype_arg(L, 1, 0);
  if (lua_isnoneornil(L, 2)) return lb_argerror(L, 2, "kind expected");
  lua_pushboolean(L, in_kind(L, 2, 2, (lu_dtype)dt, 0));
  return 1;
}

/* issubdtype(arg1, arg2): arg2 a dtype or one of NumPy's abstract types by
** name ("integer", "floating", "number", ...) */
static int l_issubdtype(lua_State *L) {
  lb_params p;
  int dt;
  lb_getparams(L, 3, "", NULL, &p);
  dt = dtype_arg(L, 1, 1);
  if (lua_type(L, 2) != LUA_TSTRING && !lb_test(L, 2))
    return lb_argerror(L, 2, "dtype or abstract type name expected, got %s", luaL_typename(L, 2));
  lua_pushboolean(L, in_kind(L, 2, 2, (lu_dtype)dt, 1));
  return 1;
}

/* NumPy's one-letter type codes: typename, mintypecode */
static const struct { const char *code, *name; } typenames[] = {
  {"S1", "character"}, {"?", "bool"}, {"b", "signed char"}, {"B", "unsigned char"},
  {"h", "short"}, {"H", "unsigned short"}, {"i", "integer"}, {"I", "unsigned integer"},
  {"l", "long integer"}, {"L", "unsigned long integer"}, {"q", "long long integer"},
  {"Q", "unsigned long long integer"}, {"f", "single precision"}, {"d", "double precision"},
  {"g", "long precision"}, {"F", "complex single precision"}, {"D", "complex double precision"},
  {"G", "complex long double precision"}, {"S", "string"}, {"U", "unicode"}, {"V", "void"},
  {"O", "object"},
};

static const struct { const char *dtype; char code; } dtype_codes[] = {
  {"bool", '?'}, {"int8", 'b'}, {"uint8", 'B'}, {"int16", 'h'}, {"uint16", 'H'},
  {"int32", 'i'}, {"uint32", 'I'}, {"int64", 'l'}, {"uint64", 'L'}, {"float16", 'e'},
  {"float32", 'f'}, {"float64", 'd'}, {"complex64", 'F'}, {"complex128", 'D'},
};

static int l_typename(lua_State *L) {
  const char *c = luaL_checkstring(L, 1);
  size_t i;
  lb_params p;
  lb_getparams(L, 2, "", NULL, &p);
  for (i = 0; i < sizeof typenames / sizeof typenames[0]; i++)
    if (strcmp(typenames[i].code, c) == 0) {
      lua_pushstring(L, typenames[i].name);
      return 1;
    }
  return lb_argerror(L, 1, "unknown type code '%s'", c);
}

/* mintypecode(typechars [, typeset [, default]]): NumPy's, with arrays
** standing for their dtype's code. */
static int l_mintypecode(lua_State *L) {
  static const char order[] = "GDFgdfQqLlIiHhBb?";
  lb_params p;
  char seen[128];
  const char *typeset = "GDFgdf", *dflt = "d";
  int i, best = -1;
  memset(seen, 0, sizeof seen);
  lb_getparams(L, 2, "typeset,default", NULL, &p);
  if (p.idx[0]) typeset = luaL_checkstring(L, p.idx[0]);
  if (p.idx[1]) dflt = luaL_checkstring(L, p.idx[1]);
  if (lua_type(L, 1) == LUA_TSTRING) {
    const char *s = lua_tostring(L, 1);
    for (; *s; s++) if ((unsigned char)*s < 128) seen[(unsigned char)*s] = 1;
  } else if (lua_type(L, 1) == LUA_TTABLE && !lb_test(L, 1)) {
    lua_Integer k, n = luaL_len(L, 1);
    for (k = 1; k <= n; k++) {
      lu_array *a;
      lua_geti(L, 1, k);
      if (lua_type(L, -1) == LUA_TSTRING) {
        const char *s = lua_tostring(L, -1);
        if (strlen(s) == 1 && (unsigned char)s[0] < 128) seen[(unsigned char)s[0]] = 1;
      } else if ((a = lb_test(L, -1)) != NULL) {
        size_t j;
        for (j = 0; j < sizeof dtype_codes / sizeof dtype_codes[0]; j++)
          if (strcmp(dtype_codes[j].dtype, lu_dtype_name(a->dtype)) == 0)
            seen[(unsigned char)dtype_codes[j].code] = 1;
      } else {
        lb_argerror(L, 1, "type codes (strings) or arrays expected, got %s", luaL_typename(L, -1));
      }
      lua_pop(L, 1);
    }
  } else {
    return lb_argerror(L, 1, "a string or a table of type codes expected, got %s", luaL_typename(L, 1));
  }
  for (i = 0; i < 128; i++) if (seen[i] && !strchr(typeset, i)) seen[i] = 0;
  if (seen['F'] && seen['d']) { lua_pushliteral(L, "D"); return 1; }
  for (i = 0; order[i]; i++) if (seen[(unsigned char)order[i]]) { best = i; break; }
  if (best < 0) lua_pushstring(L, dflt);
  else lua_pushlstring(L, order + best, 1);
  return 1;
}
/* }===== */

void lb_open_dtinfo(lua_State *L, int mod) {
  static const luaL_Reg fns[] = {
    {"finfo", l_finfo}, {"iinfo", l_iinfo}, {"result_type", l_result_type},
    {"promote_types", l_promote_types}, {"can_cast", l_can_cast},
    {"min_scalar_type", l_min_scalar_type}, {"common_type", l_common_type}, {"dtype", l_dtype},
    {"isdtype", l_isdtype}, {"issubdtype", l_issubdtype}, {"typename", l_typename},
    {"mintypecode", l_mintypecode}, {NULL, NULL}
  };
  lb_register(L, mod, fns, "lunar.", 0);
}
