/* SPDX-License-Identifier: MIT */
/*
** Reductions: one closure per row of the reduction table (upvalue 3 is the
** row), as lunar.NAME(a, ...) and a:NAME(...), and lunar._reductions.
**
** Arguments follow NumPy's signature of the row (its PARAMS column): by
** position in NumPy's order (a:sum(1, "float32")) or in a trailing table
** (a:sum{axis = 1, dtype = "float32"}), never both for one parameter. A
** boolean right after the axis is keepdims (lunar's short form
** a:sum(1, true)) and ends the positional arguments. An axis is an integer
** (1-based, negative from the end) or, except for argmin-like rows, a list
** of them (a:sum{axis = {1, 3}}, a:sum({1, 3})).
*/
#include <string.h>
#include "lb.h"

#define MAXP 8

typedef struct params {
  char name[MAXP][16];
  int n, npos;              /* parameters; how many are positional */
} params;

static void split(const char *s, params *p) {
  p->n = 0;
  p->npos = -1;
  while (*s && p->n < MAXP) {
    size_t len = strcspn(s, ",");
    if (len == 1 && *s == '*') p->npos = p->n;
    else if (len < sizeof p->name[0]) {
      memcpy(p->name[p->n], s, len);
      p->name[p->n][len] = '\0';
      p->n++;
    }
    s += len + (s[len] == ',');
  }
  if (p->npos < 0) p->npos = p->n;
}

static int find(const params *p, const char *key) {
  int k;
  for (k = 0; k < p->n; k++) if (strcmp(p->name[k], key) == 0) return k;
  return -1;
}

/* A table of integers only (an axis list), as opposed to an options table. */
static int is_axis_list(lua_State *L, int idx) {
  int ok = lua_rawlen(L, idx) > 0;
  lua_pushnil(L);
  while (ok && lua_next(L, idx)) {
    ok = lua_type(L, -2) == LUA_TNUMBER;
    lua_pop(L, 1);
  }
  return ok;
}

/* The value at idx (a parameter named p->name[k]) into o; argi names the
** argument in messages (the options table for keyword values). */
static void apply(lua_State *L, const lu_red_info *row, const lu_array *a, const char *key,
                  int idx, int argi, lu_reduce_opts *o, int *out_idx) {
  int isint;
  if (lua_isnil(L, idx)) return;
  if (strcmp(key, "axis") == 0) {
    if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
      lua_Integer k, n = (lua_Integer)lua_rawlen(L, idx);
      if (row->flags & LU_RF_ARG)
        lb_argerror(L, argi, "axis must be an integer, got a list (%s takes one axis)", row->name);
      if (n > LU_MAXDIM) lb_argerror(L, argi, "axis lists more than %d axes", LU_MAXDIM);
      o->naxes = 0;
      for (k = 1; k <= n; k++) {
        lua_Integer ax;
        lua_rawgeti(L, idx, k);
        ax = lua_tointegerx(L, -1, &isint);
        if (!isint)
          lb_argerror(L, argi, "axis list must hold integers, got %s at %d", luaL_typename(L, -1),
                      (int)k);
        o->axes[o->naxes++] = lb_axis(L, argi, ax, a->ndim, 0);
        lua_pop(L, 1);
      }
      return;
    }
    lua_Integer ax = lua_tointegerx(L, idx, &isint);
    if (!isint)
      lb_argerror(L, argi, "axis must be an integer%s, got %s",
                  (row->flags & LU_RF_ARG) ? "" : " or a list of integers", luaL_typename(L, idx));
    o->naxes = 1;
    o->axes[0] = lb_axis(L, argi, ax, a->ndim, 0);
  } else if (strcmp(key, "keepdims") == 0) {
    if (lua_type(L, idx) != LUA_TBOOLEAN)
      lb_argerror(L, argi, "keepdims must be a boolean, got %s", luaL_typename(L, idx));
    o->keepdims = lua_toboolean(L, idx);
  } else if (strcmp(key, "ddof") == 0) {
    if (lua_type(L, idx) != LUA_TNUMBER)
      lb_argerror(L, argi, "ddof must be a number, got %s", luaL_typename(L, idx));
    o->ddof = (double)lua_tonumber(L, idx);
  } else if (strcmp(key, "dtype") == 0) {
    if (lua_type(L, idx) != LUA_TSTRING)
      lb_argerror(L, argi, "dtype must be a string, got %s", luaL_typename(L, idx));
    o->dtype = lb_checkdtypeat(L, argi, idx);
  } else if (strcmp(key, "out") == 0) {
    o->out = lb_test(L, idx);
    if (o->out == NULL) lb_argerror(L, argi, "out must be an array, got %s", luaL_typename(L, idx));
    *out_idx = lua_absindex(L, idx);
  }
}

/* Read the arguments after the array (stack index 1) into o. */
static void redargs(lua_State *L, const lu_red_info *row, const lu_array *a,
                    lu_reduce_opts *o, int *out_idx) {
  params p;
  int top = lua_gettop(L), last = top, kwi = 0, from[MAXP], pos, k;
  split(row->params, &p);
  lu_reduce_opts_init(o);
  *out_idx = 0;
  if (top >= 2 && lua_type(L, top) == LUA_TTABLE && !lb_test(L, top) &&
      !(top == 2 && is_axis_list(L, 2))) {
    kwi = top;
    last = top - 1;
  }
  for (k = 0; k < MAXP; k++) from[k] = 0;
  for (pos = 2, k = 0; pos <= last; pos++, k++) {
    int slot = k;
    if (k == 1 && lua_type(L, pos) == LUA_TBOOLEAN && find(&p, "keepdims") >= 0) {
      slot = find(&p, "keepdims");
      if (pos < last) lb_argerror(L, pos + 1, "unexpected argument after keepdims");
    } else if (k >= p.npos) {
      lb_argerror(L, pos, "unexpected argument (%s takes %d positional argument%s after the array)",
                  row->name, p.npos, p.npos == 1 ? "" : "s");
    }
    if (!lua_isnil(L, pos)) from[slot] = pos;
  }
  if (kwi) {
    lua_pushnil(L);
    while (lua_next(L, kwi)) {
      const char *key;
      lua_pop(L, 1);
      if (lua_type(L, -1) != LUA_TSTRING) lb_argerror(L, kwi, "options table has a non-string key");
      key = lua_tostring(L, -1);
      if ((k = find(&p, key)) < 0) lb_argerror(L, kwi, "unknown option '%s'", key);
      if (from[k] > 0) lb_argerror(L, kwi, "%s given both by position and by name", key);
      from[k] = -1;
    }
  }
  for (k = 0; k < p.n; k++) {
    if (from[k] > 0) apply(L, row, a, p.name[k], from[k], from[k], o, out_idx);
    else if (from[k] < 0) {
      lua_getfield(L, kwi, p.name[k]);   /* left on the stack: out may point at it */
      apply(L, row, a, p.name[k], lua_gettop(L), kwi, o, out_idx);
    }
  }
}

/* Automatic fusion: a plain sum, prod, max, min, mean, any or all of a
** pending value runs fused with the chain behind it, and one over the last
** axes with keepdims is recorded as a pending value itself (lazy.c); 0, with
** nothing pushed, when it does not. */
static int lazy_reduce(lua_State *L, lu_ctx *ctx, lu_redop op) {
  lb_array *u = lb_toudata(L, 1);
  lu_reduce_opts o;
  lu_array *r;
  int out_idx, top = lua_gettop(L);
  if (u == NULL || u->closed) return 0;
  if (u->lazy == NULL && (lu_fusion_mode(ctx) == LU_FUSION_OFF || u->a.buf == NULL ||
                          (lu_fusion_mode(ctx) == LU_FUSION_GPU &&
                           lu_array_device(&u->a).type == LU_DEV_CPU)))
    return 0;
  if (op != LU_RED_sum && op != LU_RED_prod && op != LU_RED_max && op != LU_RED_min &&
      op != LU_RED_mean && op != LU_RED_any && op != LU_RED_all)
    return 0;
  redargs(L, &lu_reds[op], &u->a, &o, &out_idx);   /* its errors are the op's */
  if (o.dtype < 0 && o.out == NULL) {
    if (o.keepdims) {   /* over the last axes: recorded for the elementwise ops that follow */
      lu_arg a;
      lu_lazy *pend, *p;
      lb_array *v;
      lb_lazyarg(L, 1, &a, &pend);
      v = (lb_array *)(void *)lb_new(L);
      if (lu_lazy_reduce_defer(ctx, op, &a, pend, o.naxes, o.axes, 1, &p, &v->a) == LU_OK) {
        v->lazy = p;
        return 1;
      }
      lua_pop(L, 1);
    }
    if (u->lazy != NULL) {
      r = lb_new(L);
      if (lu_lazy_reduce(ctx, u->lazy, op, o.naxes, o.axes, o.keepdims, r) == LU_OK) return 1;
    }
  }
  lua_settop(L, top);   /* what redargs left, for the unfused call to read again */
  return 0;
}

/* Positions come back 0-based from the core and are made 1-based in place. */
static int l_reduce(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_redop op = (lu_redop)lua_tointeger(L, lua_upvalueindex(3));
  const lu_red_info *row = &lu_reds[op];
  lu_array *a, *r;
  lu_reduce_opts o;
  int out_idx;
  if (lazy_reduce(L, ctx, op)) return 1;
  a = lb_check(L, 1);
  redargs(L, row, a, &o, &out_idx);
  r = lb_new(L);
  if (lu_reduce_ex(ctx, r, op, a, &o)) return lb_fail(L, ctx);
  if (row->flags & LU_RF_ARG) {
    lu_arg args[2];
    memset(args, 0, sizeof args);
    args[0].arr = r;
    args[1].s.kind = 'i';
    args[1].s.i = 1;
    if (lu_ewise(ctx, LU_OP_add, 2, args, r)) return lb_fail(L, ctx);
  }
  if (out_idx) lua_pushvalue(L, out_idx);   /* r shares out's buffer */
  return 1;
}

/* The proxy's metamethods, in C: lb_open_ops and lb_open_reduce make a
** proxy per row (about 200), and a Lua chunk each was 600 parses, a tenth
** of lunar's start. */
static int ro_newindex(lua_State *L) {
  luaL_where(L, 1);   /* the code that assigned, as error(msg, 2) in Lua */
  lua_pushliteral(L, "this table is read-only");
  lua_concat(L, 2);
  return lua_error(L);
}
static int ro_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
  return 1;
}
static int ro_next(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}
static int ro_pairs(lua_State *L) {
  lua_pushcfunction(L, ro_next);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushnil(L);
  return 3;
}

/* Replace the table on top with a read-only proxy of it (lb.h). */
void lb_readonly(lua_State *L) {
  int t = lua_gettop(L);
  lua_newtable(L);                      /* the proxy */
  lua_createtable(L, 0, 5);             /* its metatable */
  lua_pushvalue(L, t);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ro_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, t);
  lua_pushcclosure(L, ro_len, 1);
  lua_setfield(L, -2, "__len");
  lua_pushvalue(L, t);
  lua_pushcclosure(L, ro_pairs, 1);
  lua_setfield(L, -2, "__pairs");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_replace(L, t);
}

void lb_open_reduce(lua_State *L, int mod, int methods) {
  /* NumPy's amax and amin: max and min under their other names */
  static const struct { const char *name; lu_redop op; } alias[] = {
    {"amax", LU_RED_max}, {"amin", LU_RED_min}};
  int i;
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  for (i = 0; i < (int)(sizeof alias / sizeof alias[0]); i++) {
    lua_pushfstring(L, "lunar.%s", alias[i].name);
    lb_pushfn(L, l_reduce, lua_tostring(L, -1), 0, (int)alias[i].op);
    lua_setfield(L, mod, alias[i].name);
    lua_pop(L, 1);
  }
  lua_createtable(L, LU_NREDS, 0);
  for (i = 0; i < LU_NREDS; i++) {
    const lu_red_info *row = &lu_reds[i];
    lua_pushfstring(L, "lunar.%s", row->name);
    lb_pushfn(L, l_reduce, lua_tostring(L, -1), 0, i);
    lua_setfield(L, mod, row->name);
    lua_pop(L, 1);
    lua_pushfstring(L, "array:%s", row->name);
    lb_pushfn(L, l_reduce, lua_tostring(L, -1), 1, i);
    lua_setfield(L, methods, row->name);
    lua_pop(L, 1);
    /* lunar._reductions[i] = {name =, params =, arg =, nonfloat =} */
    lua_createtable(L, 0, 4);
    lua_pushstring(L, row->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, row->params);
    lua_setfield(L, -2, "params");
    lua_pushboolean(L, (row->flags & LU_RF_ARG) != 0);
    lua_setfield(L, -2, "arg");
    lua_pushstring(L, lu_reds[row->nonfloat].name);
    lua_setfield(L, -2, "nonfloat");
    lb_readonly(L);
    lua_rawseti(L, -2, i + 1);
  }
  lb_readonly(L);
  lua_setfield(L, mod, "_reductions");
}
