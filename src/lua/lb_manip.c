/* SPDX-License-Identifier: MIT */
/*
** Shape and dtype manipulation: reshape, transpose, squeeze, expand_dims,
** ravel, flatten, astype, copy, contiguous, to(device), close; the views
** of NumPy's manipulation routines: flip, fliplr, flipud, rot90, swapaxes,
** moveaxis, permute_dims, matrix_transpose, broadcast_to,
** broadcast_arrays, atleast_1d/2d/3d; and meshgrid.
*/
#include <stdio.h>
#include <string.h>
#include "lb.h"

static int l_reshape(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int ndim, next;
  int64_t shape[LU_MAXDIM];
  next = lb_shape(L, 2, 1, &ndim, shape);
  if (!lua_isnone(L, next)) lb_argerror(L, next, "unexpected argument (%s)", luaL_typename(L, next));
  out = lb_new(L);
  if (lu_reshape(ctx, out, a, ndim, shape)) return lb_fail(L, ctx);
  return 1;
}

/* transpose([perm...]): perm as integers or a table, 1-based axes. */
static int l_transpose(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int perm[LU_MAXDIM], seen[LU_MAXDIM], n = 0, i, tbl = lua_type(L, 2) == LUA_TTABLE;
  if (lua_isnoneornil(L, 2)) {
    out = lb_new(L);
    if (lu_transpose(ctx, out, a, NULL)) return lb_fail(L, ctx);
    return 1;
  }
  memset(seen, 0, sizeof seen);
  for (i = 0;; i++) {
    int isint, argi = tbl ? 2 : 2 + i;
    lua_Integer ax;
    if (tbl) {
      if (lua_geti(L, 2, i + 1) == LUA_TNIL) { lua_pop(L, 1); break; }
    } else {
      if (lua_isnone(L, 2 + i)) break;
      lua_pushvalue(L, 2 + i);
    }
    ax = lua_tointegerx(L, -1, &isint);
    lua_pop(L, 1);
    if (!isint) lb_argerror(L, argi, "axes must be integers");
    if (n >= a->ndim) lb_argerror(L, argi, "axes don't match array (%d dimensions)", a->ndim);
    perm[n] = lb_axis(L, argi, ax, a->ndim, 0);
    if (seen[perm[n]]++) lb_argerror(L, argi, "repeated axis in transpose");
    n++;
  }
  if (n != a->ndim) lb_argerror(L, 2, "axes don't match array (%d given for %d dimensions)", n, a->ndim);
  out = lb_new(L);
  if (lu_transpose(ctx, out, a, perm)) return lb_fail(L, ctx);
  return 1;
}

static int l_squeeze(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int axis = LU_ALLAXES;
  if (!lua_isnoneornil(L, 2)) axis = lb_axis(L, 2, luaL_checkinteger(L, 2), a->ndim, 0);
  out = lb_new(L);
  if (lu_squeeze(ctx, out, a, axis)) return lb_fail(L, ctx);
  return 1;
}

static int l_expand_dims(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int isint, axis;
  lua_Integer ax = lua_tointegerx(L, 2, &isint);
  if (!isint) lb_argerror(L, 2, "axis (integer) expected, got %s", luaL_typename(L, 2));
  axis = lb_axis(L, 2, ax, a->ndim, 1);
  out = lb_new(L);
  if (lu_expand_dims(ctx, out, a, axis)) return lb_fail(L, ctx);
  return 1;
}

/* order= of ravel/flatten: 'C' (row-major, the default) or 'F' (column-
** major: the reversed axes in row-major order); anything else is an
** error, as an extra argument must not be ignored. */
static int flat_order(lua_State *L, lu_ctx *ctx, lu_array *a, lu_array **src) {
  lb_params p;
  const char *o;
  lb_getparams(L, 2, "order", NULL, &p);
  o = lb_pstr(L, &p, 0, "order", "C");
  if (strcmp(o, "F") == 0) {
    lu_array *t = lb_new(L);
    if (lu_transpose(ctx, t, a, NULL)) return lb_fail(L, ctx);
    *src = t;
    return 1;
  }
  if (strcmp(o, "C") != 0)
    lb_argerror(L, lb_pargn(&p, 0), "order must be 'C' or 'F', got '%s'", o);
  *src = a;
  return 0;
}

/* ravel: a view when a is contiguous (reshape makes views where it can). */
static int l_ravel(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *src, *out;
  int64_t n = -1;
  flat_order(L, ctx, a, &src);
  out = lb_new(L);
  if (lu_reshape(ctx, out, src, 1, &n)) return lb_fail(L, ctx);
  return 1;
}

static int l_flatten(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *src, *tmp, *out;
  int64_t n = -1;
  flat_order(L, ctx, a, &src);
  tmp = lb_new(L);
  if (lu_copy(ctx, tmp, src)) return lb_fail(L, ctx);
  out = lb_new(L);
  if (lu_reshape(ctx, out, tmp, 1, &n)) return lb_fail(L, ctx);
  /* the copy is out's alone: out owns it (flags.owndata, resize) */
  lu_array_release(tmp);
  out->owner = 1;
  lu_buffer_made(out->buf, out);
  return 1;
}

static int l_astype(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  int dt = (luaL_checkstring(L, 2), lb_checkdtypeat(L, 2, 2));
  out = lb_new(L);
  if (lu_astype(ctx, out, a, (lu_dtype)dt)) return lb_fail(L, ctx);
  return 1;
}

static int l_copy(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  out = lb_new(L);
  if (lu_copy(ctx, out, a)) return lb_fail(L, ctx);
  return 1;
}

static int l_contiguous(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  if (lu_array_is_contig(a)) {
    lua_settop(L, 1);
    return 1;
  }
  out = lb_new(L);
  if (lu_ascontig(ctx, out, a)) return lb_fail(L, ctx);
  return 1;
}

/* a:to(device): self when already there, else a copy on that device. */
static int l_to(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *out;
  lu_device dev;
  int st;
  const char *s = luaL_checkstring(L, 2);
  if (lu_device_parse(ctx, s, &dev)) return lb_argerror(L, 2, "%s", lu_ctx_errmsg(ctx));
  if (lu_device_eq(dev, lu_array_device(a))) {
    lua_settop(L, 1);
    return 1;
  }
  out = lb_new(L);
  lu_ctx_explicit(ctx, 1);   /* a transfer asked for: no implicit wait */
  st = lu_to_device(ctx, out, a, dev);
  lu_ctx_explicit(ctx, -1);
  if (st) return lb_fail(L, ctx);
  return 1;
}

/* a:fill(value): every element set to a Lua number or boolean (NumPy's
** ndarray.fill, returns nothing). */
static int l_fill(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1);
  lu_arg g;
  memset(&g, 0, sizeof g);
  if (!lb_toscalar(L, 2, &g.s))
    lb_argerror(L, 2, "number or boolean expected, got %s", luaL_typename(L, 2));
  if (!lua_isnone(L, 3)) lb_argerror(L, 3, "unexpected argument (%s)", luaL_typename(L, 3));
  if (a->size > 0 && lu_assign(ctx, a, &g)) {
    const char *m = lu_ctx_errmsg(ctx);
    if (strncmp(m, "assign:", 7) == 0) return luaL_error(L, "%s:%s", lb_fname(L), m + 7);
    return lb_fail(L, ctx);
  }
  return 0;
}

/* a:tobytes([order]): the elements' bytes in C order (or Fortran order:
** 'F', or 'A' for an array that is Fortran-contiguous and not C), this
** machine's byte order, as a Lua string (lunar.frombuffer reads them back). */
static int l_tobytes(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = lb_check(L, 1), *src = a;
  size_t n = (size_t)a->size * (size_t)lu_array_itemsize(a);
  luaL_Buffer b;
  char *p;
  int fort = 0;
  if (!lua_isnoneornil(L, 2)) {
    const char *o = luaL_checkstring(L, 2);
    if (strcmp(o, "C") && strcmp(o, "A") && strcmp(o, "K") && strcmp(o, "F"))
      lb_argerror(L, 2, "order must be 'C', 'F', 'A' or 'K', got %s", o);
    if (o[0] == 'F') fort = 1;
    else if (o[0] == 'A' && a->ndim > 1 && !lu_array_is_contig(a)) {
      /* Fortran-contiguous: its transpose is C-contiguous */
      lu_array t;
      if (lu_transpose(ctx, &t, a, NULL) == LU_OK) {
        fort = lu_array_is_contig(&t);
        lu_array_release(&t);
      }
    }
  }
  if (fort && a->ndim > 1) {
    src = lb_new(L);
    if (lu_transpose(ctx, src, a, NULL)) return lb_fail(L, ctx);
  }
  p = luaL_buffinitsize(L, &b, n);
  if (n > 0 && lu_to_host_as(ctx, src, p, lb_fname(L))) return lb_fail(L, ctx);
  luaL_pushresultsize(&b, n);
  return 1;
}

/* {===== views: flips, rotations, axis moves, broadcasts */
/* A set of axes (an integer or a table of integers, 1-based) as a bit set;
** NumPy's error for a repeated one. */
static unsigned axis_set(lua_State *L, int idx, int argn, int ndim, const char *what) {
  unsigned set = 0;
  int isint;
  lua_Integer v;
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lua_Integer k, len = luaL_len(L, idx);
    for (k = 1; k <= len; k++) {
      int ax;
      lua_geti(L, idx, k);
      v = lua_tointegerx(L, -1, &isint);
      if (!isint) lb_argerror(L, argn, "%s must be integers, got %s", what, luaL_typename(L, -1));
      lua_pop(L, 1);
      ax = lb_axis(L, argn, v, ndim, 0);
      if (set >> ax & 1u) lb_argerror(L, argn, "repeated axis in `%s` argument", what);
      set |= 1u << ax;
    }
    return set;
  }
  v = lua_tointegerx(L, idx, &isint);
  if (!isint) lb_argerror(L, argn, "%s must be an integer or a table of integers, got %s", what,
                          luaL_typename(L, idx));
  return 1u << lb_axis(L, argn, v, ndim, 0);
}

/* An ordered list of axes (integer or table), 0-based; returns the count. */
static int axis_list(lua_State *L, int idx, int argn, int ndim, const char *what, int *ax) {
  unsigned seen = 0;
  int n = 0, isint;
  lua_Integer v;
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lua_Integer k, len = luaL_len(L, idx);
    if (len > ndim) lb_argerror(L, argn, "repeated axis in `%s` argument", what);
    for (k = 1; k <= len; k++) {
      lua_geti(L, idx, k);
      v = lua_tointegerx(L, -1, &isint);
      if (!isint) lb_argerror(L, argn, "%s must be integers, got %s", what, luaL_typename(L, -1));
      lua_pop(L, 1);
      ax[n] = lb_axis(L, argn, v, ndim, 0);
      if (seen >> ax[n] & 1u) lb_argerror(L, argn, "repeated axis in `%s` argument", what);
      seen |= 1u << ax[n];
      n++;
    }
    return n;
  }
  v = lua_tointegerx(L, idx, &isint);
  if (!isint) lb_argerror(L, argn, "%s must be an integer or a table of integers, got %s", what,
                          luaL_typename(L, idx));
  ax[0] = lb_axis(L, argn, v, ndim, 0);
  return 1;
}

static int push_flip(lua_State *L, const lu_array *a, unsigned set) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *out = lb_new(L);
  if (lu_flip(ctx, out, a, set)) return lb_fail(L, ctx);
  return 1;
}

/* flip(m [, axis]): every axis when none is given. A view. */
static int l_flip(lua_State *L) {
  lb_params p;
  lu_array *a;
  unsigned set;
  lb_getparams(L, 2, "axis", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  set = p.idx[0] ? axis_set(L, p.idx[0], lb_pargn(&p, 0), a->ndim, "axis")
                 : (a->ndim >= 32 ? ~0u : (1u << a->ndim) - 1);
  return push_flip(L, a, set);
}

/* fliplr (upvalue 3: 1, the second axis), flipud (0, the first). */
static int l_fliplr(lua_State *L) {
  int ax = (int)lua_tointeger(L, lua_upvalueindex(3));
  lu_array *a;
  lb_params p;
  lb_getparams(L, 2, "", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (a->ndim < ax + 1) lb_argerror(L, 1, "Input must be >= %d-d.", ax + 1);
  return push_flip(L, a, 1u << ax);
}

/* rot90(m [, k [, axes]]): k quarter turns from the first axis towards
** the second, as flips and a transpose (a view). */
static int l_rot90(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *t, *out;
  int ax[2] = {0, 1}, perm[LU_MAXDIM], i, isint;
  lua_Integer k;
  lb_getparams(L, 2, "k,axes", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  k = lb_pint(L, &p, 0, "k", 1);
  if (p.idx[1]) {
    int n = lb_pargn(&p, 1);
    if (lua_type(L, p.idx[1]) != LUA_TTABLE || luaL_len(L, p.idx[1]) != 2)
      lb_argerror(L, n, "len(axes) must be 2.");
    for (i = 0; i < 2; i++) {
      lua_Integer v;
      lua_geti(L, p.idx[1], i + 1);
      v = lua_tointegerx(L, -1, &isint);
      lua_pop(L, 1);
      if (!isint) lb_argerror(L, n, "axes must be integers");
      if (v == 0 || v > a->ndim || v < -a->ndim)
        lb_argerror(L, n, "axes out of range for array of ndim=%d.", a->ndim);
      ax[i] = (int)(v > 0 ? v - 1 : v + a->ndim);
    }
  } else if (a->ndim < 2) {
    lb_argerror(L, 1, "axes (1, 2) out of range for array of ndim=%d.", a->ndim);
  }
  if (ax[0] == ax[1]) lb_argerror(L, p.idx[1] ? lb_pargn(&p, 1) : 1, "Axes must be different.");
  k = ((k % 4) + 4) % 4;
  if (k == 0) return push_flip(L, a, 0);
  if (k == 2) return push_flip(L, a, (1u << ax[0]) | (1u << ax[1]));
  for (i = 0; i < a->ndim; i++) perm[i] = i;
  perm[ax[0]] = ax[1];
  perm[ax[1]] = ax[0];
  t = lb_new(L);
  out = lb_new(L);
  if (k == 1) {
    if (lu_flip(ctx, t, a, 1u << ax[1]) || lu_transpose(ctx, out, t, perm)) return lb_fail(L, ctx);
  } else {
    if (lu_transpose(ctx, t, a, perm) || lu_flip(ctx, out, t, 1u << ax[1])) return lb_fail(L, ctx);
  }
  return 1;
}

static int push_perm(lua_State *L, const lu_array *a, const int *perm) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *out = lb_new(L);
  if (lu_transpose(ctx, out, a, perm)) return lb_fail(L, ctx);
  return 1;
}

/* swapaxes(a, axis1, axis2): a view. */
static int l_swapaxes(lua_State *L) {
  lb_params p;
  lu_array *a;
  int perm[LU_MAXDIM], i, x, y;
  lb_getparams(L, 2, "axis1,axis2", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0] || !p.idx[1]) lb_argerror(L, p.idx[0] ? 3 : 2, "axis (integer) expected");
  x = lb_paxis(L, &p, 0, a->ndim, 0, 0, 0);
  y = lb_paxis(L, &p, 1, a->ndim, 0, 0, 0);
  for (i = 0; i < a->ndim; i++) perm[i] = i;
  perm[x] = y;
  perm[y] = x;
  return push_perm(L, a, perm);
}

/* moveaxis(a, source, destination): NumPy's order of the other axes. */
static int l_moveaxis(lua_State *L) {
  lb_params p;
  lu_array *a;
  int src[LU_MAXDIM], dst[LU_MAXDIM], order[LU_MAXDIM], ns, nd, i, j, n = 0;
  lb_getparams(L, 2, "source,destination", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0] || !p.idx[1]) lb_argerror(L, p.idx[0] ? 3 : 2, "axis (integer or table) expected");
  ns = axis_list(L, p.idx[0], lb_pargn(&p, 0), a->ndim, "source", src);
  nd = axis_list(L, p.idx[1], lb_pargn(&p, 1), a->ndim, "destination", dst);
  if (ns != nd)
    lb_argerror(L, lb_pargn(&p, 1), "`source` and `destination` arguments must have the same number of elements");
  for (i = 0; i < a->ndim; i++) {
    int in = 0;
    for (j = 0; j < ns; j++) in = in || src[j] == i;
    if (!in) order[n++] = i;
  }
  /* insert the sources at their destinations, smallest destination first */
  for (;;) {
    int best = -1;
    for (j = 0; j < ns; j++)
      if (dst[j] >= 0 && (best < 0 || dst[j] < dst[best])) best = j;
    if (best < 0) break;
    for (i = n; i > dst[best]; i--) order[i] = order[i - 1];
    order[dst[best]] = src[best];
    n++;
    dst[best] = -1;
  }
  return push_perm(L, a, order);
}

/* permute_dims(a [, axes]): NumPy 2's name for transpose with a table. */
static int l_permute_dims(lua_State *L) {
  lb_params p;
  lu_array *a;
  int perm[LU_MAXDIM], n;
  lb_getparams(L, 2, "axes", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0]) return push_perm(L, a, NULL);
  if (lua_type(L, p.idx[0]) != LUA_TTABLE)
    lb_argerror(L, lb_pargn(&p, 0), "axes must be a table of integers, got %s",
                luaL_typename(L, p.idx[0]));
  n = axis_list(L, p.idx[0], lb_pargn(&p, 0), a->ndim, "axes", perm);
  if (n != a->ndim) lb_argerror(L, lb_pargn(&p, 0), "axes don't match array (%d given for %d dimensions)",
                                n, a->ndim);
  return push_perm(L, a, perm);
}

/* matrix_transpose(x): the last two axes swapped. */
static int l_matrix_transpose(lua_State *L) {
  lb_params p;
  lu_array *a;
  int perm[LU_MAXDIM], i;
  lb_getparams(L, 2, "", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (a->ndim < 2)
    lb_argerror(L, 1, "Input array must be at least 2-dimensional, but it is %d", a->ndim);
  for (i = 0; i < a->ndim; i++) perm[i] = i;
  perm[a->ndim - 1] = a->ndim - 2;
  perm[a->ndim - 2] = a->ndim - 1;
  return push_perm(L, a, perm);
}

/* broadcast_to(array, shape): a view with zero strides; writing through
** it writes the shared elements (NumPy makes it read-only). */
static int l_broadcast_to(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *out;
  int ndim, next;
  int64_t shape[LU_MAXDIM];
  lb_getparams(L, 2, "shape", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0]) lb_argerror(L, 2, "shape expected");
  if (lua_type(L, p.idx[0]) != LUA_TTABLE && lua_type(L, p.idx[0]) != LUA_TNUMBER)
    lb_argerror(L, lb_pargn(&p, 0), "shape (table or integer) expected, got %s",
                luaL_typename(L, p.idx[0]));
  lua_pushvalue(L, p.idx[0]);
  if (lua_type(L, -1) == LUA_TNUMBER) {
    lua_Integer v = lb_pint(L, &p, 0, "shape", 0);
    if (v < 0) lb_argerror(L, lb_pargn(&p, 0), "all elements of broadcast shape must be non-negative");
    ndim = 1;
    shape[0] = v;
  } else {
    next = lb_shape(L, lua_gettop(L), 0, &ndim, shape);
    (void)next;
  }
  out = lb_new(L);
  if (lu_broadcast_to(ctx, out, a, ndim, shape)) return lb_fail(L, ctx);
  return 1;
}

/* The arguments 1..n as arrays (the last one a table of options when it
** has string keys, or, for a function with options, when it is empty:
** *opts is its index, else 0); returns n. */
static int vararrays(lua_State *L, int *opts, int has_options) {
  int n = lua_gettop(L), i;
  lu_device dev;
  int found = 0;
  *opts = 0;
  if (n > 0 && (lb_isoptions(L, n) ||
                (has_options && lua_type(L, n) == LUA_TTABLE && !lb_test(L, n) &&
                 (lua_pushnil(L), lua_next(L, n) == 0)))) {
    *opts = n;
    n--;
  } else if (lua_gettop(L) > n) {
    lua_settop(L, n);   /* the key and value lua_next left */
  }
  for (i = 1; i <= n && !found; i++) {
    lu_array *a = lb_test(L, i);
    if (a) { dev = lu_array_device(a); found = 1; }
  }
  for (i = 1; i <= n; i++) {
    if (lua_isnil(L, i)) lb_argerror(L, i, "array expected, got nil");
    lb_toarray(L, i, found ? &dev : NULL);
  }
  return n;
}

static void no_options(lua_State *L, int opts) {
  if (opts) {
    lua_pushnil(L);
    if (lua_next(L, opts)) lb_argerror(L, opts, "unknown option '%s'", lua_tostring(L, -2));
  }
}

/* broadcast_arrays(...): one result per argument, all of the broadcast
** shape (views). */
static int l_broadcast_arrays(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int opts, n = vararrays(L, &opts, 0), i, nd;
  int64_t shape[LU_MAXDIM];
  const lu_array **v;
  no_options(L, opts);
  v = (const lu_array **)lua_newuserdatauv(L, sizeof(lu_array *) * (size_t)(n > 0 ? n : 1), 0);
  for (i = 0; i < n; i++) v[i] = lb_test(L, i + 1);
  if (lu_broadcast_shapes(ctx, n, v, &nd, shape)) {
    const char *m = lu_ctx_errmsg(ctx);
    if (strncmp(m, "broadcast:", 10) == 0) return luaL_error(L, "broadcast_arrays:%s", m + 10);
    return lb_fail(L, ctx);
  }
  luaL_checkstack(L, n + 2, NULL);
  for (i = 0; i < n; i++) {
    lu_array *out = lb_new(L);
    if (lu_broadcast_to(ctx, out, v[i], nd, shape)) return lb_fail(L, ctx);
  }
  return n;
}

/* atleast_1d/2d/3d(...): upvalue 3 is the number of dimensions. One
** result per argument (views). */
static int l_atleast(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int nd = (int)lua_tointeger(L, lua_upvalueindex(3)), opts, n = vararrays(L, &opts, 0), i;
  no_options(L, opts);
  luaL_checkstack(L, n + 2, NULL);
  for (i = 1; i <= n; i++) {
    lu_array *out = lb_new(L);
    if (lu_atleast(ctx, out, lb_test(L, i), nd)) return lb_fail(L, ctx);
  }
  return n;
}

/* meshgrid(x1, x2, ... [, {indexing=, sparse=, copy=}]): NumPy's, one
** result per input. */
static int l_meshgrid(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int opts, n = vararrays(L, &opts, 1), i, j, xy = 1, sparse = 0, copy = 1, nd;
  int64_t shape[LU_MAXDIM];
  if (opts) {
    lua_pushnil(L);
    while (lua_next(L, opts)) {
      const char *k = lua_tostring(L, -2);
      if (strcmp(k, "indexing") == 0) {
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        if (strcmp(s, "xy") == 0) xy = 1;
        else if (strcmp(s, "ij") == 0) xy = 0;
        else lb_argerror(L, opts, "Valid values for `indexing` are 'xy' and 'ij'.");
      } else if (strcmp(k, "sparse") == 0) {
        sparse = lua_toboolean(L, -1);
      } else if (strcmp(k, "copy") == 0) {
        copy = lua_toboolean(L, -1);
      } else {
        lb_argerror(L, opts, "unknown option '%s'", k);
      }
      lua_pop(L, 1);
    }
  }
  if (n > LU_MAXDIM) lb_argerror(L, LU_MAXDIM + 1, "at most %d arrays", LU_MAXDIM);
  nd = n;
  for (i = 0; i < n; i++) {
    lu_array *a = lb_test(L, i + 1);
    shape[i] = a->size;
  }
  if (xy && n > 1) { int64_t t = shape[0]; shape[0] = shape[1]; shape[1] = t; }
  luaL_checkstack(L, 2 * n + 4, NULL);
  for (i = 0; i < n; i++) {
    lu_array *a = lb_test(L, i + 1), *r, *b;
    int64_t s0[LU_MAXDIM];
    int pos = i;
    if (xy && n > 1 && i < 2) pos = 1 - i;
    for (j = 0; j < nd; j++) s0[j] = 1;
    s0[pos] = a->size;
    r = lb_new(L);
    if (lu_reshape(ctx, r, a, nd, s0)) return lb_fail(L, ctx);
    if (!sparse) {
      b = lb_new(L);
      if (lu_broadcast_to(ctx, b, r, nd, shape)) return lb_fail(L, ctx);
      lua_remove(L, -2);
      r = b;
    }
    if (copy) {
      b = lb_new(L);
      if (lu_copy(ctx, b, r)) return lb_fail(L, ctx);
      lua_remove(L, -2);
    }
    lua_replace(L, i + 1);
  }
  lua_settop(L, n);
  return n;
}
/* }===== */

void lb_open_manip(lua_State *L, int mod, int methods) {
  static const luaL_Reg both[] = {
    {"reshape", l_reshape}, {"transpose", l_transpose}, {"squeeze", l_squeeze},
    {"expand_dims", l_expand_dims}, {"ravel", l_ravel}, {"flatten", l_flatten},
    {"astype", l_astype}, {"ascontiguousarray", l_contiguous}, {NULL, NULL}
  };
  static const luaL_Reg meths[] = {
    {"reshape", l_reshape}, {"transpose", l_transpose}, {"squeeze", l_squeeze},
    {"expand_dims", l_expand_dims}, {"ravel", l_ravel}, {"flatten", l_flatten},
    {"astype", l_astype}, {"copy", l_copy}, {"contiguous", l_contiguous},
    {"to", l_to}, {"close", lb_release}, {"fill", l_fill}, {"tobytes", l_tobytes},
    {NULL, NULL}
  };
  static const luaL_Reg views[] = {
    {"flip", l_flip}, {"rot90", l_rot90}, {"swapaxes", l_swapaxes}, {"moveaxis", l_moveaxis},
    {"broadcast_to", l_broadcast_to}, {NULL, NULL}
  };
  static const luaL_Reg fns[] = {
    {"permute_dims", l_permute_dims}, {"matrix_transpose", l_matrix_transpose},
    {"broadcast_arrays", l_broadcast_arrays}, {"meshgrid", l_meshgrid}, {NULL, NULL}
  };
  static const struct { const char *name; lua_CFunction f; int extra; } ex[] = {
    {"fliplr", l_fliplr, 1}, {"flipud", l_fliplr, 0},
    {"atleast_1d", l_atleast, 1}, {"atleast_2d", l_atleast, 2}, {"atleast_3d", l_atleast, 3},
  };
  size_t i;
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  lb_register(L, mod, both, "lunar.", 0);
  lb_register(L, methods, meths, "array:", 1);
  lb_register(L, mod, views, "lunar.", 0);
  lb_register(L, methods, views, "array:", 1);
  lb_register(L, mod, fns, "lunar.", 0);
  for (i = 0; i < sizeof ex / sizeof ex[0]; i++) {
    char name[64];
    snprintf(name, sizeof name, "lunar.%s", ex[i].name);
    lb_pushfn(L, ex[i].f, name, 0, ex[i].extra);
    lua_setfield(L, mod, ex[i].name);
    if (ex[i].f == l_fliplr) {
      snprintf(name, sizeof name, "array:%s", ex[i].name);
      lb_pushfn(L, ex[i].f, name, 1, ex[i].extra);
      lua_setfield(L, methods, ex[i].name);
    }
  }
}
