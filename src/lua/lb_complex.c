/* SPDX-License-Identifier: MIT */
/*
** Complex numbers as Lua values: lunar.complex(re, im), and what item(),
** totable() and indexing give for complex arrays. A full userdata of two
** doubles with the metatable "lunar.complex": fields real and imag, the
** methods conj()/conjugate() and abs(), the arithmetic operators with
** numbers and other complex values (NumPy's complex128 arithmetic: Smith's
** division, its power), == between two complex values, and tostring as
** Python's repr ("(1+2j)", "-2j"). An operator with an array on either
** side is the array's: its metamethod runs.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lb.h"

#define LB_COMPLEX "lunar.complex"

typedef struct lb_cplx { double re, im; } lb_cplx;

void lb_pushcomplex(lua_State *L, double re, double im) {
  lb_cplx *z = (lb_cplx *)lua_newuserdatauv(L, sizeof(lb_cplx), 0);
  z->re = re;
  z->im = im;
  luaL_setmetatable(L, LB_COMPLEX);
}

/* self of a complex method: the size check keeps a foreign userdata given
** this metatable from being read past its end */
static lb_cplx *checkcplx(lua_State *L) {
  lb_cplx *z = (lb_cplx *)lb_testudata(L, 1, LB_COMPLEX, sizeof(lb_cplx));
  if (z == NULL) {
    luaL_checkudata(L, 1, LB_COMPLEX);
    luaL_argerror(L, 1, "not a genuine lunar complex value");
  }
  return z;
}

int lb_tocomplex(lua_State *L, int idx, double *re, double *im) {
  lb_cplx *z = (lb_cplx *)lb_testudata(L, idx, LB_COMPLEX, sizeof(lb_cplx));
  if (z == NULL) return 0;
  *re = z->re;
  *im = z->im;
  return 1;
}

/* An operand of complex arithmetic: a complex value or a number. */
static int operand(lua_State *L, int idx, lu_c128 *z) {
  if (lua_type(L, idx) == LUA_TNUMBER) {
    z->re = (double)lua_tonumber(L, idx);
    z->im = 0;
    return 1;
  }
  return lb_tocomplex(L, idx, &z->re, &z->im);
}

/* {===== Python's repr of a float ('r' format, no ".0" added) */
/* The shortest "%.Ne" digits that read back as x. */
static void shortest(double x, char *buf, size_t len) {
  int p;
  for (p = 0; p < 17; p++) {
    snprintf(buf, len, "%.*e", p, x);
    if (strtod(buf, NULL) == x) return;
  }
  snprintf(buf, len, "%.16e", x);
}

/* x as Python prints it: positional when the decimal exponent is in
** [-4, 16), else d.ddde+XX; `sign` forces a sign ("+1", "+nan"). */
static void pyrepr(double x, int sign, char *out, size_t len) {
  char e[40], digits[24], *p;
  int exp10, nd = 0, neg;
  if (x != x) { snprintf(out, len, "%snan", sign ? "+" : ""); return; }
  if (isinf(x)) { snprintf(out, len, "%sinf", x < 0 ? "-" : sign ? "+" : ""); return; }
  neg = signbit(x) != 0;
  shortest(fabs(x), e, sizeof e);
  for (p = e; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9' && nd < (int)sizeof digits - 1) digits[nd++] = *p;
  digits[nd] = 0;
  exp10 = atoi(p + 1);
  while (nd > 1 && digits[nd - 1] == '0') digits[--nd] = 0;
  {
    char body[64];
    if (x == 0) {
      snprintf(body, sizeof body, "0");
    } else if (exp10 < -4 || exp10 >= 16) {
      snprintf(body, sizeof body, "%c%s%se%c%02d", digits[0], nd > 1 ? "." : "", digits + 1,
               exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    } else if (exp10 < 0) {
      snprintf(body, sizeof body, "0.%.*s%s", -exp10 - 1, "0000", digits);
    } else if (nd <= exp10 + 1) {
      snprintf(body, sizeof body, "%s%.*s", digits, exp10 + 1 - nd, "0000000000000000");
    } else {
      snprintf(body, sizeof body, "%.*s.%s", exp10 + 1, digits, digits + exp10 + 1);
    }
    snprintf(out, len, "%s%s", neg ? "-" : sign ? "+" : "", body);
  }
}

static int c_tostring(lua_State *L) {
  lb_cplx *z = checkcplx(L);
  char re[96], im[96];
  if (z->re == 0 && !signbit(z->re)) {
    pyrepr(z->im, 0, im, sizeof im);
    lua_pushfstring(L, "%sj", im);
  } else {
    pyrepr(z->re, 0, re, sizeof re);
    pyrepr(z->im, 1, im, sizeof im);
    lua_pushfstring(L, "(%s%sj)", re, im);
  }
  return 1;
}
/* }===== */

/* {===== arithmetic */
/* With an array among the operands, the array's metamethod for `event`
** runs; returns 0 when neither operand is an array. */
static int to_array(lua_State *L, const char *event, int nargs) {
  int k, any = 0;
  for (k = 1; k <= nargs; k++) any |= lb_test(L, k) != NULL;
  if (!any) return 0;
  luaL_getmetatable(L, LB_ARRAY);
  lua_getfield(L, -1, event);
  lua_remove(L, -2);
  for (k = 1; k <= nargs; k++) lua_pushvalue(L, k);
  lua_call(L, nargs, 1);
  return 1;
}

static int arith(lua_State *L, const char *event, int op) {
  lu_c128 a, b, r;
  if (to_array(L, event, 2)) return 1;
  if (!operand(L, 1, &a) || !operand(L, 2, &b))
    return luaL_error(L, "attempt to perform arithmetic on a %s value (complex arithmetic "
                      "takes numbers and complex values)",
                      luaL_typename(L, operand(L, 1, &a) ? 2 : 1));
  switch (op) {
    case '+': r = lu_cadd_c128(a, b); break;
    case '-': r = lu_csub_c128(a, b); break;
    case '*': r = lu_cmul_c128(a, b); break;
    case '/': r = lu_cdiv_c128(a, b); break;
    default: r = lu_cpow_c128(a, b); break;
  }
  lb_pushcomplex(L, r.re, r.im);
  return 1;
}

static int c_add(lua_State *L) { return arith(L, "__add", '+'); }
static int c_sub(lua_State *L) { return arith(L, "__sub", '-'); }
static int c_mul(lua_State *L) { return arith(L, "__mul", '*'); }
static int c_div(lua_State *L) { return arith(L, "__div", '/'); }
static int c_pow(lua_State *L) { return arith(L, "__pow", '^'); }

static int c_unm(lua_State *L) {
  lb_cplx *z = checkcplx(L);
  lb_pushcomplex(L, -z->re, -z->im);
  return 1;
}

static int c_eq(lua_State *L) {
  lu_c128 a, b;
  lua_pushboolean(L, operand(L, 1, &a) && operand(L, 2, &b) && a.re == b.re && a.im == b.im);
  return 1;
}

static int c_conj(lua_State *L) {
  lb_cplx *z = checkcplx(L);
  lb_pushcomplex(L, z->re, -z->im);
  return 1;
}

static int c_abs(lua_State *L) {
  lb_cplx *z = checkcplx(L);
  lua_pushnumber(L, hypot(z->re, z->im));
  return 1;
}

static int c_index(lua_State *L) {
  lb_cplx *z = checkcplx(L);
  const char *k = lua_tostring(L, 2);
  if (k && strcmp(k, "real") == 0) lua_pushnumber(L, z->re);
  else if (k && strcmp(k, "imag") == 0) lua_pushnumber(L, z->im);
  else if (k && (strcmp(k, "conj") == 0 || strcmp(k, "conjugate") == 0)) lua_pushcfunction(L, c_conj);
  else if (k && strcmp(k, "abs") == 0) lua_pushcfunction(L, c_abs);
  else lua_pushnil(L);
  return 1;
}

static int c_newindex(lua_State *L) {
  return luaL_error(L, "complex values are immutable (make a new one with lunar.complex)");
}
/* }===== */

/* {===== the parts of arrays: a.real, a.imag, lunar.real, lunar.imag */
/* Push a.real (imag 0) or a.imag: views of a complex array's parts; for a
** real array, a itself (a view) and zeros of its dtype (NumPy gives a
** read-only zero array there). */
void lb_pushpart(lua_State *L, lu_ctx *ctx, const lu_array *a, int imag) {
  lu_array *out = lb_new(L);
  if (lu_dtype_kind(a->dtype) == 'c') {
    if (lu_complex_part(ctx, out, a, imag)) lb_fail(L, ctx);
  } else if (!imag) {
    if (a->buf == NULL) luaL_error(L, "attempt to use a closed array");
    lu_array_share(out, a);
  } else {
    lu_scalar zero;
    memset(&zero, 0, sizeof zero);
    zero.kind = 'i';
    if (lu_full(ctx, out, a->dtype, a->ndim, a->shape, lu_array_device(a), zero))
      lb_fail(L, ctx);
  }
}

/* a.real = v, a.imag = v (v at stack index vidx): assignment through the
** part's view. A real array has no imaginary part to set (NumPy). */
int lb_setpart(lua_State *L, lu_ctx *ctx, lu_array *a, int imag, int vidx) {
  lu_array part;
  lu_arg val;
  int st;
  if (lu_dtype_kind(a->dtype) != 'c') {
    if (imag) return luaL_error(L, "%s array does not have an imaginary part to set",
                                lu_dtype_name(a->dtype));
    part = *a;
  } else if (lu_complex_part(ctx, &part, a, imag)) {
    return lb_fail(L, ctx);
  }
  lb_toarg(L, vidx, &val);
  st = lu_assign(ctx, &part, &val);
  if (lu_dtype_kind(a->dtype) == 'c') lu_array_release(&part);
  return st ? lb_fail(L, ctx) : 0;
}

/* lunar.real(x), lunar.imag(x): the parts of an array (views, as a.real),
** or of a number or complex value (numbers). */
static int part_fn(lua_State *L, int imag) {
  double re, im;
  lu_array *a;
  if (lua_type(L, 1) == LUA_TNUMBER) {
    lua_pushnumber(L, imag ? 0.0 : (double)lua_tonumber(L, 1));
    return 1;
  }
  if (lb_tocomplex(L, 1, &re, &im)) {
    lua_pushnumber(L, imag ? im : re);
    return 1;
  }
  a = lb_check(L, 1);
  if (!lua_isnone(L, 2)) return lb_argerror(L, 2, "unexpected argument");
  lb_pushpart(L, lb_ctx(L), a, imag);
  return 1;
}
static int l_real(lua_State *L) { return part_fn(L, 0); }
static int l_imag(lua_State *L) { return part_fn(L, 1); }

/* lunar.angle(z [, deg]): the argument of each element (NumPy's
** arctan2(imag, real)), in degrees when deg is true. Bool input computes
** in float64 as NumPy's (its arctan2(0, x) promotes the bool to int64). */
static int l_angle(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_arg x;
  lu_array *out, *a;
  int deg = 0;
  if (lua_type(L, 2) == LUA_TTABLE) {
    lb_kw kw;
    lb_kwargs(L, 2, "deg", &kw);
    lb_kwfield(L, &kw, "deg");
    deg = lua_toboolean(L, -1);
    lua_pop(L, 1);
  } else if (!lua_isnoneornil(L, 2)) {
    if (lua_type(L, 2) != LUA_TBOOLEAN)
      return lb_argerror(L, 2, "deg must be a boolean, got %s", luaL_typename(L, 2));
    deg = lua_toboolean(L, 2);
  }
  if (!lua_isnone(L, 3)) return lb_argerror(L, 3, "unexpected argument");
  lb_toarg(L, 1, &x);
  if (!x.arr && x.s.kind == 'b') {   /* NumPy: angle(True) is a float64 0 */
    x.s.kind = 'f';
    x.s.f = 0;
  }
  if (x.arr && x.arr->dtype == LU_BOOL) {
    a = lb_new(L);
    if (lu_astype(ctx, a, x.arr, LU_FLOAT64)) return lb_fail(L, ctx);
    x.arr = a;
  }
  out = lb_new(L);
  if (lu_ewise(ctx, LU_OP_angle, 1, &x, out)) return lb_fail(L, ctx);
  if (deg) {
    lu_arg g[2];
    memset(g, 0, sizeof g);
    g[0].arr = out;
    g[1].s.kind = 'f';
    g[1].s.f = 180.0 / 3.14159265358979323846;
    if (lu_ewise(ctx, LU_OP_multiply, 2, g, out)) return lb_fail(L, ctx);
  }
  return 1;
}
/* }===== */

/* lunar.complex([re [, im]]): re and im numbers (default 0); a complex
** value alone is returned as it is. */
static int l_complex(lua_State *L) {
  double re = 0, im = 0;
  if (lb_tocomplex(L, 1, &re, &im) && lua_isnone(L, 2)) {
    lua_settop(L, 1);
    return 1;
  }
  if (!lua_isnoneornil(L, 1)) {
    if (lua_type(L, 1) != LUA_TNUMBER)
      return lb_argerror(L, 1, "number expected, got %s", luaL_typename(L, 1));
    re = (double)lua_tonumber(L, 1);
  }
  if (!lua_isnoneornil(L, 2)) {
    if (lua_type(L, 2) != LUA_TNUMBER)
      return lb_argerror(L, 2, "number expected, got %s", luaL_typename(L, 2));
    im = (double)lua_tonumber(L, 2);
  }
  if (!lua_isnone(L, 3)) return lb_argerror(L, 3, "unexpected argument");
  lb_pushcomplex(L, re, im);
  return 1;
}

void lb_open_complex(lua_State *L, int mod, int methods) {
  static const luaL_Reg meta[] = {
    {"__add", c_add}, {"__sub", c_sub}, {"__mul", c_mul}, {"__div", c_div},
    {"__pow", c_pow}, {"__unm", c_unm}, {"__eq", c_eq}, {"__tostring", c_tostring},
    {"__index", c_index}, {"__newindex", c_newindex}, {NULL, NULL}
  };
  static const luaL_Reg fns[] = {
    {"complex", l_complex}, {"real", l_real}, {"imag", l_imag}, {"angle", l_angle},
    {NULL, NULL}
  };
  static const luaL_Reg meths[] = { {"angle", l_angle}, {NULL, NULL} };
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  luaL_newmetatable(L, LB_COMPLEX);
  luaL_setfuncs(L, meta, 0);
  lua_pop(L, 1);
  lb_register(L, mod, fns, "lunar.", 0);
  lb_register(L, methods, meths, "array:", 1);
  /* conj: NumPy's short name of the conjugate op */
  lua_getfield(L, mod, "conjugate");
  lua_setfield(L, mod, "conj");
  lua_getfield(L, methods, "conjugate");
  lua_setfield(L, methods, "conj");
}
