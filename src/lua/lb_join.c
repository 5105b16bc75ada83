/* SPDX-License-Identifier: MIT */
/*
** Joining and splitting: concatenate (concat), stack, vstack (row_stack),
** hstack, dstack, column_stack, append; split, array_split, hsplit, vsplit,
** dsplit. A sequence of arrays is a Lua table (numbers and nested tables
** in it become arrays on the device of the first array) or an array, whose
** rows are the sequence, as in NumPy. Splits return a table of views.
*/
#include <stdio.h>
#include <string.h>
#include "lb.h"

/* {===== sequences of arrays */
/* Pushes an anchor table (it keeps converted items alive) and a userdata
** holding the pointers, and returns those. idx: a table or an array. */
const lu_array **lb_arrayseq(lua_State *L, int idx, int *n) {
  lu_ctx *ctx = lb_ctx(L);
  const lu_array **v;
  lu_array *a;
  lua_Integer k, len;
  lu_device dev = lu_ctx_default_device(ctx);
  int anchor, found = 0;
  idx = lua_absindex(L, idx);
  lua_newtable(L);
  anchor = lua_gettop(L);
  if ((a = lb_test(L, idx)) != NULL) {     /* an array: its rows */
    if (a->ndim == 0) lb_argerror(L, idx, "a sequence of arrays expected, got a 0-d array");
    len = a->shape[0];
    v = (const lu_array **)lua_newuserdatauv(L, sizeof(lu_array *) * (size_t)(len > 0 ? len : 1), 0);
    for (k = 0; k < len; k++) {
      lu_array *r = lb_new(L);
      if (lu_take_index(ctx, r, a, 0, k)) lb_fail(L, ctx);
      v[k] = r;
      lua_rawseti(L, anchor, k + 1);
    }
    *n = (int)len;
    return v;
  }
  if (lua_type(L, idx) != LUA_TTABLE)
    lb_argerror(L, idx, "a table of arrays expected, got %s", luaL_typename(L, idx));
  len = (lua_Integer)lua_rawlen(L, idx);
  if (len > 0x7fffffff) lb_argerror(L, idx, "too many arrays");
  for (k = 1; k <= len && !found; k++) {   /* the device of the first array */
    lua_rawgeti(L, idx, k);
    if ((a = lb_test(L, -1)) != NULL) { dev = lu_array_device(a); found = 1; }
    lua_pop(L, 1);
  }
  v = (const lu_array **)lua_newuserdatauv(L, sizeof(lu_array *) * (size_t)(len > 0 ? len : 1), 0);
  for (k = 1; k <= len; k++) {
    lua_rawgeti(L, idx, k);
    if (lua_isnil(L, -1)) lb_argerror(L, idx, "item %d of the sequence is nil", (int)k);
    if (!lb_test(L, -1) && lua_type(L, -1) != LUA_TTABLE && lua_type(L, -1) != LUA_TNUMBER &&
        lua_type(L, -1) != LUA_TBOOLEAN)
      lb_argerror(L, idx, "item %d of the sequence: array expected, got %s", (int)k,
                  luaL_typename(L, -1));
    v[k - 1] = lb_toarray(L, -1, &dev);
    lua_rawseti(L, anchor, k);
  }
  *n = (int)len;
  return v;
}

static int casting_of(lua_State *L, const lb_params *p, int i) {
  int c = LU_CAST_SAME_KIND;
  if (!p->idx[i]) return LU_CAST_SAME_KIND;
  if (lua_type(L, p->idx[i]) != LUA_TSTRING ||
      (c = lu_casting_from_name(lua_tostring(L, p->idx[i]))) < 0)
    lb_argerror(L, lb_pargn(p, i), "casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe', got %s",
                lua_type(L, p->idx[i]) == LUA_TSTRING ? lua_tostring(L, p->idx[i])
                                                      : luaL_typename(L, p->idx[i]));
  return c;
}
/* }===== */

/* {===== concatenate, stack and friends */
/* The called name without "lunar." (concatenate or concat). */
static const char *short_name(lua_State *L) {
  const char *s = lb_fname(L);
  return strncmp(s, "lunar.", 6) == 0 ? s + 6 : s;
}

/* concatenate(arrays [, axis [, out]] [, {dtype=, casting=}]); axis false
** joins the flattened arrays. */
static int l_concatenate(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const lu_array **v;
  lu_array *out, *given = NULL;
  int n, axis = 0, dt;
  lb_getparams(L, 2, "axis,out", "dtype,casting", &p);
  v = lb_arrayseq(L, 1, &n);
  if (n > 0 && v[0]->ndim > 0) axis = lb_paxis(L, &p, 0, v[0]->ndim, 0, 0, 1);
  else if (p.idx[0] && lua_type(L, p.idx[0]) == LUA_TBOOLEAN && !lua_toboolean(L, p.idx[0]))
    axis = LU_ALLAXES;
  if (p.idx[1] && (given = lb_test(L, p.idx[1])) == NULL)
    lb_argerror(L, lb_pargn(&p, 1), "out must be an array, got %s", luaL_typename(L, p.idx[1]));
  dt = lb_pdtype(L, &p, 2);
  if (given) {
    if (lu_concatenate(ctx, given, short_name(L), n, v, axis, dt, (lu_casting)casting_of(L, &p, 3)))
      return lb_fail(L, ctx);
    lua_pushvalue(L, p.idx[1]);
    return 1;
  }
  out = lb_new(L);
  if (lu_concatenate(ctx, out, short_name(L), n, v, axis, dt, (lu_casting)casting_of(L, &p, 3)))
    return lb_fail(L, ctx);
  return 1;
}

/* stack(arrays [, axis [, out]] [, {dtype=, casting=}]): a new axis. */
static int l_stack(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const lu_array **v;
  lu_array *out, *given = NULL;
  int n, axis = 0, dt;
  lb_getparams(L, 2, "axis,out", "dtype,casting", &p);
  v = lb_arrayseq(L, 1, &n);
  if (n > 0) axis = lb_paxis(L, &p, 0, v[0]->ndim, 1, 0, 0);
  if (p.idx[1] && (given = lb_test(L, p.idx[1])) == NULL)
    lb_argerror(L, lb_pargn(&p, 1), "out must be an array, got %s", luaL_typename(L, p.idx[1]));
  dt = lb_pdtype(L, &p, 2);
  out = given ? given : lb_new(L);
  if (lu_stack(ctx, out, "stack", n, v, axis, dt, (lu_casting)casting_of(L, &p, 3)))
    return lb_fail(L, ctx);
  if (given) lua_pushvalue(L, p.idx[1]);
  return 1;
}

/* vstack (upvalue 3: 0), hstack (1), dstack (2), column_stack (3),
** row_stack (4, vstack's old name): NumPy's reshaping of the inputs, then
** one concatenate. */
static int l_xstack(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int which = (int)lua_tointeger(L, lua_upvalueindex(3)), n, k, axis, dt = -1;
  int casting = LU_CAST_SAME_KIND;
  static const char *const names[] = {"vstack", "hstack", "dstack", "column_stack", "row_stack"};
  const char *name = names[which];
  if (which == 4) which = 0;
  lb_params p;
  const lu_array **v;
  lu_array **t, *out;
  /* NumPy's dstack and column_stack take no dtype or casting */
  lb_getparams(L, 2, "", which >= 2 ? "" : "dtype,casting", &p);
  if (which < 2) {
    dt = lb_pdtype(L, &p, 0);
    casting = casting_of(L, &p, 1);
  }
  v = lb_arrayseq(L, 1, &n);
  t = (lu_array **)lua_newuserdatauv(L, sizeof(lu_array *) * (size_t)(n > 0 ? n : 1), 0);
  lua_newtable(L);   /* anchors the reshaped views */
  for (k = 0; k < n; k++) {
    lu_array *r = lb_new(L);
    int st;
    if (which == 3 && v[k]->ndim < 2) {   /* a column: array(v, ndmin=2).T */
      lu_array tmp;
      if ((st = lu_atleast(ctx, &tmp, v[k], 2)) == LU_OK) {
        st = lu_transpose(ctx, r, &tmp, NULL);
        lu_array_release(&tmp);
      }
    } else if (which == 3) {
      lu_array_share(r, v[k]);
      st = LU_OK;
    } else {
      st = lu_atleast(ctx, r, v[k], which == 0 ? 2 : which == 1 ? 1 : 3);
    }
    if (st) return lb_fail(L, ctx);
    t[k] = r;
    lua_rawseti(L, -2, k + 1);
  }
  axis = which == 0 ? 0 : which == 2 ? 2 : 1;
  if (which == 1 && n > 0 && t[0]->ndim == 1) axis = 0;
  out = lb_new(L);
  if (lu_concatenate(ctx, out, name, n, (const lu_array *const *)t, axis, dt, (lu_casting)casting))
    return lb_fail(L, ctx);
  return 1;
}

/* append(arr, values [, axis]): without an axis both are flattened. */
static int l_append(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const lu_array *v[2];
  lu_array *a, *out;
  lu_device dev;
  int axis;
  lb_getparams(L, 3, "axis", NULL, &p);
  if (lua_isnoneornil(L, 2)) lb_argerror(L, 2, "values expected");
  a = lb_toarray(L, 1, NULL);
  dev = lu_array_device(a);
  v[0] = a;
  v[1] = lb_toarray(L, 2, &dev);
  axis = p.idx[0] && !(lua_type(L, p.idx[0]) == LUA_TBOOLEAN && !lua_toboolean(L, p.idx[0]))
           ? (a->ndim > 0 ? lb_paxis(L, &p, 0, a->ndim, 0, 0, 1) : 0)
           : LU_ALLAXES;
  out = lb_new(L);
  if (lu_concatenate(ctx, out, "append", 2, v, axis, -1, LU_CAST_UNSAFE)) return lb_fail(L, ctx);
  return 1;
}
/* }===== */

/* {===== splitting */
/* A split position given 1-based (a piece starts there; negative from the
** end, NumPy's meaning) as NumPy's 0-based split point, clipped as NumPy
** clips slices. */
static int64_t split_point(lua_State *L, int argn, lua_Integer v, int64_t n) {
  int64_t q;
  if (v == 0) lb_argerror(L, argn, "split positions are 1-based (a piece starts at each), got 0");
  q = v > 0 ? v - 1 : n + v;
  return q < 0 ? 0 : q > n ? n : q;
}

/* split/array_split/hsplit/vsplit/dsplit: upvalue 3 is 0 (split), 1
** (array_split), 2 (hsplit), 3 (vsplit), 4 (dsplit). */
static int l_split(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int which = (int)lua_tointeger(L, lua_upvalueindex(3)), axis, isint, sections = 0;
  lb_params p;
  lu_array *a;
  int64_t n, npts = 0, *pts, k;
  lua_Integer nsec = 0;
  lb_getparams(L, 2, which <= 1 ? "indices_or_sections,axis" : "indices_or_sections", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (which == 2 && a->ndim == 0)
    lb_argerror(L, 1, "hsplit only works on arrays of 1 or more dimensions");
  if (which == 3 && a->ndim < 2)
    lb_argerror(L, 1, "vsplit only works on arrays of 2 or more dimensions (got %d)", a->ndim);
  if (which == 4 && a->ndim < 3)
    lb_argerror(L, 1, "dsplit only works on arrays of 3 or more dimensions (got %d)", a->ndim);
  if (which <= 1) axis = a->ndim > 0 ? lb_paxis(L, &p, 1, a->ndim, 0, 0, 0) : 0;
  else axis = which == 2 ? (a->ndim > 1 ? 1 : 0) : which == 3 ? 0 : 2;
  if (a->ndim == 0) lb_argerror(L, 1, "cannot split a 0-d array");
  n = a->shape[axis];
  if (!p.idx[0]) lb_argerror(L, 2, "indices_or_sections expected");
  if (lua_type(L, p.idx[0]) == LUA_TNUMBER) {
    nsec = lua_tointegerx(L, p.idx[0], &isint);
    if (!isint) lb_argerror(L, lb_pargn(&p, 0), "number of sections must be an integer");
    if (nsec <= 0) lb_argerror(L, lb_pargn(&p, 0), "number sections must be larger than 0.");
    if (nsec > (1 << 30))   /* a Lua table of that many arrays cannot be made */
      lb_argerror(L, lb_pargn(&p, 0), "too many sections (%lld)", (long long)nsec);
    if (which != 1 && n % nsec != 0)
      return luaL_error(L, "%s: array split does not result in an equal division (%d into %d sections)",
                        lb_fname(L), (int)n, (int)nsec);
    sections = 1;
    npts = nsec + 1;
  } else {
    lu_array *ia = lb_test(L, p.idx[0]);
    if (ia) {
      if (ia->ndim != 1 || (lu_dtype_kind(ia->dtype) != 'i' && lu_dtype_kind(ia->dtype) != 'u'))
        lb_argerror(L, lb_pargn(&p, 0), "split positions must be a 1-d integer array");
      npts = ia->shape[0] + 2;
    } else if (lua_type(L, p.idx[0]) == LUA_TTABLE) {
      npts = (int64_t)lua_rawlen(L, p.idx[0]) + 2;
    } else {
      lb_argerror(L, lb_pargn(&p, 0), "number of sections or a table of positions expected, got %s",
                  luaL_typename(L, p.idx[0]));
    }
  }
  pts = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t) * (size_t)npts, 0);
  if (sections) {
    int64_t each = n / nsec, extra = n % nsec;
    pts[0] = 0;
    for (k = 0; k < nsec; k++) pts[k + 1] = pts[k] + each + (k < extra ? 1 : 0);
  } else {
    lu_array *ia = lb_test(L, p.idx[0]);
    pts[0] = 0;
    pts[npts - 1] = n;
    if (ia) {
      int64_t *h = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(npts - 2 + 1), 0);
      lu_array *c = lb_new(L);
      if (lu_astype(ctx, c, ia, LU_INT64) || lu_to_host_as(ctx, c, h, lb_fname(L))) return lb_fail(L, ctx);
      for (k = 0; k < npts - 2; k++) pts[k + 1] = split_point(L, lb_pargn(&p, 0), h[k], n);
      lua_pop(L, 2);
    } else {
      for (k = 1; k <= npts - 2; k++) {
        lua_Integer v;
        lua_rawgeti(L, p.idx[0], k);
        v = lua_tointegerx(L, -1, &isint);
        if (!isint) lb_argerror(L, lb_pargn(&p, 0), "split positions must be integers, got %s",
                                luaL_typename(L, -1));
        lua_pop(L, 1);
        pts[k] = split_point(L, lb_pargn(&p, 0), v, n);
      }
    }
  }
  lua_createtable(L, (int)(npts - 1), 0);
  for (k = 0; k + 1 < npts; k++) {
    int64_t s = pts[k], e = pts[k + 1] < s ? s : pts[k + 1];
    lu_array *r = lb_new(L);
    if (lu_slice(ctx, r, a, axis, s, e, 1)) return lb_fail(L, ctx);
    lua_rawseti(L, -2, (lua_Integer)(k + 1));
  }
  return 1;
}
/* }===== */

void lb_open_join(lua_State *L, int mod, int methods) {
  static const luaL_Reg fns[] = {
    {"concatenate", l_concatenate}, {"concat", l_concatenate}, {"stack", l_stack},
    {"append", l_append}, {NULL, NULL}
  };
  static const struct { const char *name; lua_CFunction f; int extra, method; } ex[] = {
    {"vstack", l_xstack, 0, 0}, {"row_stack", l_xstack, 4, 0}, {"hstack", l_xstack, 1, 0},
    {"dstack", l_xstack, 2, 0}, {"column_stack", l_xstack, 3, 0},
    {"split", l_split, 0, 1}, {"array_split", l_split, 1, 1}, {"hsplit", l_split, 2, 1},
    {"vsplit", l_split, 3, 1}, {"dsplit", l_split, 4, 1},
  };
  size_t i;
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  lb_register(L, mod, fns, "lunar.", 0);
  for (i = 0; i < sizeof ex / sizeof ex[0]; i++) {
    char name[64];
    snprintf(name, sizeof name, "lunar.%s", ex[i].name);
    lb_pushfn(L, ex[i].f, name, 0, ex[i].extra);
    lua_setfield(L, mod, ex[i].name);
    if (ex[i].method) {
      snprintf(name, sizeof name, "array:%s", ex[i].name);
      lb_pushfn(L, ex[i].f, name, 1, ex[i].extra);
      lua_setfield(L, methods, ex[i].name);
    }
  }
}
