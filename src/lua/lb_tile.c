/* SPDX-License-Identifier: MIT */
/*
** Copies that rearrange one array: tile, repeat (also repeat_interleave:
** `repeat` is a Lua keyword), roll, pad, insert, delete, resize,
** trim_zeros. Positions are 1-based (negative from the end); the core
** gets them 0-based.
*/
#include <string.h>
#include "lb.h"

/* {===== integer lists */
/* An integer, a table of integers or an integer array as a list on the
** host (in a userdata pushed on the stack); returns the count, *scalar is
** 1 for a bare integer (or a 0-d array). */
static int64_t intlist(lua_State *L, int idx, int argn, const char *what, int64_t **out,
                       int *scalar) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a;
  int64_t *v, n;
  int isint;
  *scalar = 0;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    lua_Integer x = lua_tointegerx(L, idx, &isint);
    if (!isint) lb_argerror(L, argn, "%s must be integers, got %s", what, lua_tostring(L, idx));
    v = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t), 0);
    v[0] = (int64_t)x;
    *scalar = 1;
    *out = v;
    return 1;
  }
  if ((a = lb_test(L, idx)) != NULL) {
    lu_array *c;
    if (lu_dtype_kind(a->dtype) != 'i' && lu_dtype_kind(a->dtype) != 'u')
      lb_argerror(L, argn, "%s must be integers, got an array of %s", what, lu_dtype_name(a->dtype));
    if (a->ndim > 1) lb_argerror(L, argn, "%s must be one-dimensional or scalar", what);
    n = a->size;
    v = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n > 0 ? n : 1), 0);
    c = lb_new(L);
    if (lu_astype(ctx, c, a, LU_INT64) || lu_to_host_as(ctx, c, v, lb_fname(L))) lb_fail(L, ctx);
    lua_pop(L, 1);
    *scalar = a->ndim == 0;
    *out = v;
    return n;
  }
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_Integer k;
    n = (int64_t)luaL_len(L, idx);
    v = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n > 0 ? n : 1), 0);
    for (k = 1; k <= n; k++) {
      lua_Integer x;
      lua_geti(L, idx, k);
      x = lua_tointegerx(L, -1, &isint);
      if (!isint) lb_argerror(L, argn, "%s must be integers, got %s", what, luaL_typename(L, -1));
      lua_pop(L, 1);
      v[k - 1] = (int64_t)x;
    }
    *out = v;
    return n;
  }
  return lb_argerror(L, argn, "%s: integer, table or integer array expected, got %s", what,
                     luaL_typename(L, idx));
}

/* A 1-based position along an axis of n (negative from the end) as 0-based;
** `extra` admits n + 1 (insert before the end). */
static int64_t position(lua_State *L, int argn, int64_t p, int64_t n, int axis, int extra) {
  int64_t q = p > 0 ? p - 1 : n + p;
  if (p == 0 || q < 0 || q > n - 1 + extra)
    lb_argerror(L, argn, "index %lld is out of bounds for axis %d with size %lld",
                (long long)p, axis + 1, (long long)n);
  return q;
}

/* The array at 1 flattened when the axis parameter is absent (NumPy's
** axis=None): replaces it on the stack; returns the axis (0-based). */
static int axis_or_flat(lua_State *L, const lb_params *p, int i, lu_array **a) {
  lu_ctx *ctx = lb_ctx(L);
  if (!p->idx[i] || (lua_type(L, p->idx[i]) == LUA_TBOOLEAN && !lua_toboolean(L, p->idx[i]))) {
    lu_array *f;
    int64_t m1 = -1;
    if ((*a)->ndim == 1) return 0;
    f = lb_new(L);
    if (lu_reshape(ctx, f, *a, 1, &m1)) lb_fail(L, ctx);
    lua_replace(L, 1);
    *a = lb_test(L, 1);
    return 0;
  }
  if ((*a)->ndim == 0) lb_argerror(L, lb_pargn(p, i), "axis %d is out of bounds for array of dimension 0",
                                   (int)lua_tointeger(L, p->idx[i]));
  return lb_paxis(L, p, i, (*a)->ndim, 0, 0, 0);
}
/* }===== */

/* tile(A, reps) */
static int l_tile(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *out;
  int64_t *reps, n;
  int sc;
  lb_getparams(L, 2, "reps", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0]) lb_argerror(L, 2, "reps expected");
  n = intlist(L, p.idx[0], lb_pargn(&p, 0), "reps", &reps, &sc);
  if (n > LU_MAXDIM) lb_argerror(L, lb_pargn(&p, 0), "at most %d repetitions", LU_MAXDIM);
  out = lb_new(L);
  if (lu_tile(ctx, out, a, (int)n, reps)) return lb_fail(L, ctx);
  return 1;
}

/* repeat(a, repeats [, axis]) and repeat_interleave */
static int l_repeat(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *out;
  int64_t *reps, n;
  int sc, axis;
  lb_getparams(L, 2, "repeats,axis", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0]) lb_argerror(L, 2, "repeats expected");
  axis = LU_ALLAXES;
  if (p.idx[1] && !(lua_type(L, p.idx[1]) == LUA_TBOOLEAN && !lua_toboolean(L, p.idx[1])))
    axis = lb_paxis(L, &p, 1, a->ndim, 0, 0, 0);
  n = intlist(L, p.idx[0], lb_pargn(&p, 0), "repeats", &reps, &sc);
  out = lb_new(L);
  if (lu_repeat(ctx, out, a, axis, n, reps)) return lb_fail(L, ctx);
  return 1;
}

/* roll(a, shift [, axis]): shifts add up per axis; no axis: the flattened
** array is rolled and keeps its shape. */
static int l_roll(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *out;
  int64_t *sh, per[LU_MAXDIM], ns, nax = 1, k;
  int sc, sca = 1, axes[LU_MAXDIM * 4], i;
  lb_getparams(L, 2, "shift,axis", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0]) lb_argerror(L, 2, "shift expected");
  ns = intlist(L, p.idx[0], lb_pargn(&p, 0), "shift", &sh, &sc);
  memset(per, 0, sizeof per);
  if (!p.idx[1]) {   /* the flattened array, rolled, in a's shape */
    lu_array *f = lb_new(L), *r;
    int64_t m1 = -1, total = 0;
    if (lu_reshape(ctx, f, a, 1, &m1)) return lb_fail(L, ctx);
    for (k = 0; k < ns; k++) total += sh[k];
    per[0] = total;
    r = lb_new(L);
    if (lu_roll(ctx, r, f, per)) return lb_fail(L, ctx);
    out = lb_new(L);
    if (lu_reshape(ctx, out, r, a->ndim, a->shape)) return lb_fail(L, ctx);
    return 1;
  }
  if (lua_type(L, p.idx[1]) == LUA_TTABLE) {
    nax = (int64_t)luaL_len(L, p.idx[1]);
    sca = 0;
    if (nax > LU_MAXDIM * 4) lb_argerror(L, lb_pargn(&p, 1), "too many axes");
    for (k = 0; k < nax; k++) {
      int isint;
      lua_Integer v;
      lua_geti(L, p.idx[1], k + 1);
      v = lua_tointegerx(L, -1, &isint);
      lua_pop(L, 1);
      if (!isint) lb_argerror(L, lb_pargn(&p, 1), "axis must be integers");
      axes[k] = lb_axis(L, lb_pargn(&p, 1), v, a->ndim, 0);
    }
  } else {
    axes[0] = lb_paxis(L, &p, 1, a->ndim, 0, 0, 0);
  }
  /* NumPy broadcasts shift against axis */
  if (!sc && !sca && ns != nax)
    lb_argerror(L, lb_pargn(&p, 0), "shape mismatch: shift (%d values) and axis (%d values) cannot be broadcast to a single shape",
                (int)ns, (int)nax);
  {
    int64_t m = sca ? ns : nax;
    if (sc && sca) m = 1;
    for (k = 0; k < m; k++) {
      int ax = axes[sca ? 0 : k];
      per[ax] += sh[sc ? 0 : k];
    }
  }
  for (i = 0; i < a->ndim; i++)
    if (a->shape[i] > 0) per[i] %= a->shape[i];
  out = lb_new(L);
  if (lu_roll(ctx, out, a, per)) return lb_fail(L, ctx);
  return 1;
}

/* {===== pad */
/* NumPy's _as_pairs: x (a number, a table of 1 or 2 numbers, or a table of
** per-axis tables of 1 or 2) broadcast to (ndim, 2). isint: the values
** must be integers (widths, stat lengths). */
static void as_pairs(lua_State *L, int idx, int argn, int ndim, int isint, const char *what,
                     lu_scalar out[LU_MAXDIM][2]) {
  lu_scalar flat[2 * LU_MAXDIM + 2];
  int64_t rows = 0, cols = 0, n = 0;
  int depth = 0, i, j;
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lua_Integer k, len = luaL_len(L, idx);
    depth = 1;
    rows = len;
    if (len > 2 * LU_MAXDIM) lb_argerror(L, argn, "%s: too many values", what);
    for (k = 1; k <= len; k++) {
      lua_geti(L, idx, k);
      if (lua_type(L, -1) == LUA_TTABLE) {
        lua_Integer m, ml = luaL_len(L, -1);
        if (k == 1) { depth = 2; cols = ml; }
        else if (depth != 2 || ml != cols) lb_argerror(L, argn, "%s: the table is not rectangular", what);
        if (ml > 2) lb_argerror(L, argn, "%s: each axis takes 1 or 2 values, got %d", what, (int)ml);
        for (m = 1; m <= ml; m++) {
          lua_geti(L, -1, m);
          if (n >= (int64_t)(sizeof flat / sizeof flat[0]) || !lb_toscalar(L, -1, &flat[n]))
            lb_argerror(L, argn, "%s must be numbers, got %s", what, luaL_typename(L, -1));
          n++;
          lua_pop(L, 1);
        }
      } else {
        if (depth == 2) lb_argerror(L, argn, "%s: the table is not rectangular", what);
        if (!lb_toscalar(L, -1, &flat[n]))
          lb_argerror(L, argn, "%s must be numbers, got %s", what, luaL_typename(L, -1));
        n++;
      }
      lua_pop(L, 1);
    }
  } else {
    if (!lb_toscalar(L, idx, &flat[0]))
      lb_argerror(L, argn, "%s must be a number or a table, got %s", what, luaL_typename(L, idx));
    n = 1;
  }
  for (i = 0; i < n; i++) {
    if (isint && flat[i].kind != 'i')
      lb_argerror(L, argn, "`%s` must be of integral type.", what);
    if (isint && flat[i].i < 0) lb_argerror(L, argn, "index can't contain negative values");
  }
  if (n == 0) lb_argerror(L, argn, "%s: no values", what);
  if (n == 1 || (n == 2 && !(depth == 2 && rows == 2 && cols == 1))) {
    for (i = 0; i < ndim; i++) { out[i][0] = flat[0]; out[i][1] = flat[n - 1]; }
    return;
  }
  /* shape (rows, cols) broadcast to (ndim, 2) */
  if (depth == 1) { cols = rows; rows = 1; }
  if ((rows != 1 && rows != ndim) || (cols != 1 && cols != 2))
    lb_argerror(L, argn, "%s: %d x %d values cannot be broadcast to (%d, 2)", what, (int)rows,
                (int)cols, ndim);
  for (i = 0; i < ndim; i++)
    for (j = 0; j < 2; j++)
      out[i][j] = flat[(rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j)];
}

static const char *const pad_modes[] = {
  "constant", "edge", "linear_ramp", "reflect", "symmetric", "wrap", "empty",
  "maximum", "minimum", "mean", NULL
};

/* pad(array, pad_width [, mode] [, {constant_values=, end_values=,
** reflect_type=, stat_length=}]) */
static int l_pad(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *out;
  lu_pad_spec *sp;
  lu_scalar pr[LU_MAXDIM][2];
  int mode = LU_PAD_CONSTANT, i, j;
  /* options: 2 constant_values, 3 end_values, 4 reflect_type, 5 stat_length */
  static const int allowed[] = {
    1 << 2, 0, 1 << 3, 1 << 4, 1 << 4, 0, 0, 1 << 5, 1 << 5, 1 << 5
  };
  static const char *const optname[] = {"", "", "constant_values", "end_values", "reflect_type",
                                        "stat_length"};
  lb_getparams(L, 2, "pad_width,mode", "constant_values,end_values,reflect_type,stat_length", &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0]) lb_argerror(L, 2, "pad_width expected");
  if (p.idx[1]) {
    const char *m = lua_type(L, p.idx[1]) == LUA_TSTRING ? lua_tostring(L, p.idx[1]) : NULL;
    for (mode = 0; m && pad_modes[mode]; mode++)
      if (strcmp(pad_modes[mode], m) == 0) break;
    if (m == NULL || pad_modes[mode] == NULL)
      lb_argerror(L, lb_pargn(&p, 1), "mode '%s' is not supported", m ? m : luaL_typename(L, p.idx[1]));
  }
  for (i = 2; i <= 5; i++)
    if (p.idx[i] && !(allowed[mode] >> i & 1))
      lb_argerror(L, lb_pargn(&p, i), "unsupported keyword argument for mode '%s': %s",
                  pad_modes[mode], optname[i]);
  sp = (lu_pad_spec *)lua_newuserdatauv(L, sizeof(lu_pad_spec), 0);
  memset(sp, 0, sizeof *sp);
  sp->mode = (lu_padmode)mode;
  as_pairs(L, p.idx[0], lb_pargn(&p, 0), a->ndim, 1, "pad_width", pr);
  for (i = 0; i < a->ndim; i++)
    for (j = 0; j < 2; j++) sp->width[i][j] = pr[i][j].i;
  for (i = 0; i < a->ndim; i++)
    for (j = 0; j < 2; j++) {
      sp->value[i][j].kind = 'i';
      sp->stat_length[i][j] = -1;
    }
  if (p.idx[2] || p.idx[3]) {
    int k = p.idx[2] ? 2 : 3;
    as_pairs(L, p.idx[k], lb_pargn(&p, k), a->ndim, 0, optname[k], sp->value);
  }
  if (p.idx[4]) {
    const char *t = lua_type(L, p.idx[4]) == LUA_TSTRING ? lua_tostring(L, p.idx[4]) : "";
    if (strcmp(t, "odd") == 0) sp->odd = 1;
    else if (strcmp(t, "even") != 0)
      lb_argerror(L, lb_pargn(&p, 4), "reflect_type must be 'even' or 'odd', got %s",
                  lua_type(L, p.idx[4]) == LUA_TSTRING ? t : luaL_typename(L, p.idx[4]));
  }
  if (p.idx[5]) {
    as_pairs(L, p.idx[5], lb_pargn(&p, 5), a->ndim, 1, "stat_length", pr);
    for (i = 0; i < a->ndim; i++)
      for (j = 0; j < 2; j++) sp->stat_length[i][j] = pr[i][j].i;
  }
  out = lb_new(L);
  if (lu_pad(ctx, out, a, sp)) return lb_fail(L, ctx);
  return 1;
}
/* }===== */

/* {===== insert, delete */
/* values as an array of a's dtype on a's device: Lua numbers and tables
** convert (an integer that does not fit is an error, as in NumPy 2),
** arrays are cast. */
static lu_array *values_of(lua_State *L, int idx, const lu_array *a) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = lu_array_device(a);
  lu_array *v, *c;
  lu_scalar s;
  if (lb_toscalar(L, idx, &s)) {
    v = lb_new(L);
    if (lu_full(ctx, v, a->dtype, 0, NULL, dev, s)) lb_fail(L, ctx);
    return v;
  }
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) return lb_fromtable(L, idx, a->dtype, &dev);
  v = lb_test(L, idx);
  if (v == NULL) lb_argerror(L, idx, "values: array, table or number expected, got %s", luaL_typename(L, idx));
  c = lb_new(L);
  if (!lu_device_eq(lu_array_device(v), dev)) {
    if (lu_to_device(ctx, c, v, dev)) lb_fail(L, ctx);
    v = c;
    c = lb_new(L);
  }
  if (v->dtype == a->dtype) lu_array_share(c, v);
  else if (lu_astype(ctx, c, v, a->dtype)) lb_fail(L, ctx);
  return c;
}

/* insert(arr, obj, values [, axis]): values go before the 1-based
** positions obj (n + 1 appends). */
static int l_insert(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *v, *out;
  int64_t *pos, k, n, j;
  int sc, axis, block, objarg;
  lb_getparams(L, 2, "obj,values,axis", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0]) lb_argerror(L, 2, "obj (positions) expected");
  if (!p.idx[1]) lb_argerror(L, 3, "values expected");
  axis = axis_or_flat(L, &p, 2, &a);
  objarg = lb_pargn(&p, 0);
  {
    lu_array *oa = lb_test(L, p.idx[0]);
    if (oa && oa->dtype == LU_BOOL)
      lb_argerror(L, objarg, "obj must be positions (integers), not a boolean array");
  }
  k = intlist(L, p.idx[0], objarg, "obj", &pos, &sc);
  n = a->shape[axis];
  for (j = 0; j < k; j++) pos[j] = position(L, objarg, pos[j], n, axis, 1);
  block = sc ? 1 : k == 1 ? 2 : 0;
  v = values_of(L, p.idx[1], a);
  out = lb_new(L);
  if (lu_insert(ctx, out, a, axis, k, pos, block, v)) return lb_fail(L, ctx);
  return 1;
}

/* delete(arr, obj [, axis]): obj positions (1-based) or a boolean mask. */
static int l_delete(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *out, *oa;
  int64_t *pos, k, n, j;
  uint8_t *del;
  int sc, axis, objarg;
  lb_getparams(L, 2, "obj,axis", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0]) lb_argerror(L, 2, "obj (positions or a mask) expected");
  axis = axis_or_flat(L, &p, 1, &a);
  objarg = lb_pargn(&p, 0);
  n = a->shape[axis];
  del = (uint8_t *)lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1), 0);
  memset(del, 0, (size_t)(n > 0 ? n : 1));
  if ((oa = lb_test(L, p.idx[0])) != NULL && oa->dtype == LU_BOOL) {
    lu_array *c;
    if (oa->ndim != 1 || oa->shape[0] != n)
      lb_argerror(L, objarg, "boolean array argument obj to delete must be one dimensional and match the axis length of %lld",
                  (long long)n);
    c = lb_new(L);
    if (lu_ascontig(ctx, c, oa) || (n > 0 && lu_to_host_as(ctx, c, del, lb_fname(L)))) return lb_fail(L, ctx);
    lua_pop(L, 1);
  } else {
    k = intlist(L, p.idx[0], objarg, "obj", &pos, &sc);
    for (j = 0; j < k; j++) del[position(L, objarg, pos[j], n, axis, 0)] = 1;
  }
  out = lb_new(L);
  if (lu_delete(ctx, out, a, axis, del)) return lb_fail(L, ctx);
  return 1;
}
/* }===== */

/* resize(a, new_shape) */
static int l_resize(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *out;
  int64_t *sh, n, shape[LU_MAXDIM];
  int sc, i;
  lb_getparams(L, 2, "new_shape", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (!p.idx[0]) lb_argerror(L, 2, "new_shape expected");
  n = intlist(L, p.idx[0], lb_pargn(&p, 0), "new_shape", &sh, &sc);
  if (n > LU_MAXDIM) lb_argerror(L, lb_pargn(&p, 0), "new_shape has more than %d dimensions", LU_MAXDIM);
  for (i = 0; i < n; i++) shape[i] = sh[i];
  out = lb_new(L);
  if (lu_resize(ctx, out, a, (int)n, shape)) return lb_fail(L, ctx);
  return 1;
}

/* trim_zeros(filt [, trim [, axis]]): trim "f", "b" or "fb" (the default,
** also "bf"); every axis unless one is given (NumPy 2.2). */
static int l_trim_zeros(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a, *out;
  int front = 1, back = 1, axis = LU_ALLAXES;
  lb_getparams(L, 2, "trim,axis", NULL, &p);
  a = lb_toarray(L, 1, NULL);
  if (p.idx[0]) {
    char t[3] = {0, 0, 0};
    const char *s = lua_type(L, p.idx[0]) == LUA_TSTRING ? lua_tostring(L, p.idx[0]) : NULL;
    size_t i;
    for (i = 0; s && s[i] && i < 3; i++) t[i < 2 ? i : 2] = (char)(s[i] | 0x20);
    if (s == NULL || strlen(s) > 2 ||
        !(strcmp(t, "fb") == 0 || strcmp(t, "bf") == 0 || strcmp(t, "f") == 0 || strcmp(t, "b") == 0))
      lb_argerror(L, lb_pargn(&p, 0), "unexpected character(s) in `trim`: '%s'",
                  s ? s : luaL_typename(L, p.idx[0]));
    front = strchr(t, 'f') != NULL;
    back = strchr(t, 'b') != NULL;
  }
  if (p.idx[1]) axis = lb_paxis(L, &p, 1, a->ndim, 0, LU_ALLAXES, 0);
  out = lb_new(L);
  if (lu_trim_zeros(ctx, out, a, front, back, axis)) return lb_fail(L, ctx);
  return 1;
}

void lb_open_tile(lua_State *L, int mod, int methods) {
  static const luaL_Reg both[] = {
    {"tile", l_tile}, {"repeat", l_repeat}, {"repeat_interleave", l_repeat}, {"roll", l_roll},
    {"pad", l_pad}, {"insert", l_insert}, {"delete", l_delete}, {"trim_zeros", l_trim_zeros},
    {NULL, NULL}
  };
  static const luaL_Reg fns[] = {{"resize", l_resize}, {NULL, NULL}};
  lb_register(L, mod, both, "lunar.", 0);
  lb_register(L, methods, both, "array:", 1);
  lb_register(L, mod, fns, "lunar.", 0);
}
