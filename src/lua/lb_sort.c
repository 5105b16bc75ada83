/* SPDX-License-Identifier: MIT */
/*
** Sorting, searching, sets and histograms: sort argsort msort sort_complex partition
** argpartition lexsort searchsorted, unique (and NumPy 2's unique_values,
** unique_counts, unique_inverse, unique_all), isin in1d intersect1d
** union1d setdiff1d setxor1d bincount, histogram histogram_bin_edges
** histogram2d histogramdd digitize.
**
** Parameters come in NumPy's order, by position or in a trailing options
** table (lb_getparams; false stands for NumPy's axis=None). Positions are
** 1-based both ways: kth and sorter are read as Lua positions, and every
** position returned (argsort, searchsorted, unique's index and inverse,
** digitize ...) is NumPy's plus 1.
*/
#include <string.h>
#include "lb.h"

/* {====================================================== helpers */
static void check_kind(lua_State *L, const lb_params *p, int i) {
  static const char *const kinds[] = {"quicksort", "mergesort", "heapsort", "stable", NULL};
  const char *s = lb_pstr(L, p, i, "kind", NULL);
  int k;
  if (s == NULL) return;
  for (k = 0; kinds[k]; k++) if (strcmp(s, kinds[k]) == 0) return;
  lb_argerror(L, lb_pargn(p, i),
              "sort kind must be one of 'quicksort', 'mergesort', 'heapsort' or 'stable', got '%s'", s);
}

static void check_order(lua_State *L, const lb_params *p, int i) {
  if (p->idx[i])
    lb_argerror(L, lb_pargn(p, i), "order applies to structured dtypes, which lunar does not have");
}

/* The axis of sort, argsort, partition: -1 by default (which a 0-d array
** does not have), false for NumPy's None (the flattened array). */
static int sort_axis(lua_State *L, const lb_params *p, int i, const lu_array *a) {
  if (!p->idx[i] && a->ndim == 0)
    lb_argerror(L, 1, "axis -1 is out of bounds for array of dimension 0");
  return lb_paxis(L, p, i, a->ndim, 0, a->ndim - 1, 1);
}

static lu_device dev_of(const lu_array *a) { return lu_array_device(a); }

/* In-place forms (a:sort(), a:partition(), as NumPy's methods): copy the
** result at the top of the stack into a (stack index 1) and return a. */
static int into_self(lua_State *L, lu_ctx *ctx) {
  lu_array *a = lb_check(L, 1), *r = lb_check(L, -1);
  lu_arg g;
  memset(&g, 0, sizeof g);
  g.arr = r;
  if (lu_assign(ctx, a, &g)) return lb_fail(L, ctx);
  lua_pushvalue(L, 1);
  return 1;
}

/* kth (a Lua position or a list of them, negative from the end) as
** 0-based positions for an axis of length len */
static int read_kth(lua_State *L, const lb_params *p, int i, int64_t len, int64_t *kth) {
  int idx = p->idx[i], n = 0, k;
  if (!idx) lb_argerror(L, 2, "kth expected");
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lua_Integer m, len2 = luaL_len(L, idx);
    if (len2 < 1 || len2 > 64) lb_argerror(L, lb_pargn(p, i), "kth must list 1 to 64 positions");
    for (m = 1; m <= len2; m++) {
      int isint;
      lua_Integer v;
      lua_geti(L, idx, m);
      v = lua_tointegerx(L, -1, &isint);
      lua_pop(L, 1);
      if (!isint) lb_argerror(L, lb_pargn(p, i), "kth must be integers");
      kth[n++] = v;
    }
  } else {
    int isint;
    lua_Integer v = lua_tointegerx(L, idx, &isint);
    if (!isint)
      lb_argerror(L, lb_pargn(p, i), "kth must be an integer or a list of integers, got %s",
                  luaL_typename(L, idx));
    kth[n++] = v;
  }
  for (k = 0; k < n; k++) {
    int64_t v = kth[k];
    if (v == 0 || v > len || v < -len)
      lb_argerror(L, lb_pargn(p, i), "kth %lld is out of bounds for an axis of length %lld",
                  (long long)v, (long long)len);
    kth[k] = v > 0 ? v - 1 : v + len;
  }
  return n;
}
/* }====================================================== */

/* {====================================================== sorting */
static int l_sort(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out;
  int axis;
  lb_getparams(L, 2, "axis,kind,order", "stable,descending", &p);
  axis = sort_axis(L, &p, 0, a);
  check_kind(L, &p, 1);
  check_order(L, &p, 2);
  lb_pbool(L, &p, 3, "stable", 1);
  out = lb_new(L);
  if (lu_sort_ex(ctx, out, NULL, a, axis, lb_pbool(L, &p, 4, "descending", 0), 0))
    return lb_fail(L, ctx);
  return lb_ismethod(L) ? into_self(L, ctx) : 1;
}

static int l_argsort(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out;
  int axis;
  lb_getparams(L, 2, "axis,kind,order", "stable,descending", &p);
  /* NumPy: a 0-d array's argsort is [0] */
  axis = a->ndim == 0 && !p.idx[0] ? LU_ALLAXES : sort_axis(L, &p, 0, a);
  check_kind(L, &p, 1);
  check_order(L, &p, 2);
  lb_pbool(L, &p, 3, "stable", 1);
  out = lb_new(L);
  if (lu_sort_ex(ctx, NULL, out, a, axis, lb_pbool(L, &p, 4, "descending", 0), 1))
    return lb_fail(L, ctx);
  return 1;
}

/* msort: a sorted along its first axis */
static int l_msort(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out;
  lb_getparams(L, 2, "", NULL, &p);
  if (a->ndim == 0) lb_argerror(L, 1, "msort needs an array of at least one dimension");
  out = lb_new(L);
  if (lu_sort(ctx, out, a, 0)) return lb_fail(L, ctx);
  return 1;
}

/* sort_complex: a sorted along its last axis, as a complex array (NumPy:
** complex64 for int8, uint8, int16, uint16, complex128 for the other real
** dtypes, a complex dtype kept) */
static int l_sort_complex(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *tmp, *out;
  lu_dtype dt = a->dtype;
  lb_getparams(L, 2, "", NULL, &p);
  if (a->ndim == 0) lb_argerror(L, 1, "axis -1 is out of bounds for array of dimension 0");
  if (lu_dtype_kind(dt) != 'c')
    dt = dt == LU_INT8 || dt == LU_UINT8 || dt == LU_INT16 || dt == LU_UINT16 ? LU_COMPLEX64
                                                                            : LU_COMPLEX128;
  tmp = lb_new(L);
  if (lu_sort(ctx, tmp, a, a->ndim - 1)) return lb_fail(L, ctx);
  out = lb_new(L);
  if (lu_astype(ctx, out, tmp, dt)) return lb_fail(L, ctx);
  return 1;
}

static int partition(lua_State *L, int arg) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *out;
  int64_t kth[64];
  int axis, nk, desc;
  const char *kind;
  lb_getparams(L, 2, "kth,axis,kind,order,descending", NULL, &p);
  axis = sort_axis(L, &p, 1, a);
  kind = lb_pstr(L, &p, 2, "kind", "introselect");
  if (strcmp(kind, "introselect") != 0)
    lb_argerror(L, lb_pargn(&p, 2), "partition kind must be 'introselect', got '%s'", kind);
  check_order(L, &p, 3);
  desc = lb_pbool(L, &p, 4, "descending", 0);
  nk = read_kth(L, &p, 0, axis == LU_ALLAXES ? a->size : a->shape[axis], kth);
  out = lb_new(L);
  if (arg) {
    if (lu_argpartition(ctx, out, a, nk, kth, axis, desc, 1)) return lb_fail(L, ctx);
    return 1;
  }
  if (lu_partition(ctx, out, a, nk, kth, axis, desc)) return lb_fail(L, ctx);
  return lb_ismethod(L) ? into_self(L, ctx) : 1;
}

/* NumPy 2.3's top_k(a, k, {axis=, mode=, sorted=}): values and 1-based
** positions, the largest (or smallest) first */
static int l_top_k(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *v, *ix;
  const char *mode;
  lua_Integer k;
  int axis, isint;
  if (lua_isnoneornil(L, 2)) lb_argerror(L, 2, "k expected");
  k = lua_tointegerx(L, 2, &isint);
  if (!isint) lb_argerror(L, 2, "k must be an integer, got %s", luaL_typename(L, 2));
  lb_getparams(L, 3, "", "axis,mode,sorted", &p);
  if (!p.idx[0] && a->ndim == 0) lb_argerror(L, 1, "axis -1 is out of bounds for array of dimension 0");
  axis = lb_paxis(L, &p, 0, a->ndim, 0, a->ndim - 1, 1);
  mode = lb_pstr(L, &p, 1, "mode", "largest");
  if (strcmp(mode, "largest") != 0 && strcmp(mode, "smallest") != 0)
    lb_argerror(L, lb_pargn(&p, 1), "mode must be 'largest' or 'smallest', got '%s'", mode);
  lb_pbool(L, &p, 2, "sorted", 1);
  v = lb_new(L);
  ix = lb_new(L);
  if (lu_top_k(ctx, v, ix, a, k, axis, mode[0] == 'l', 1)) return lb_fail(L, ctx);
  return 2;
}

static int l_partition(lua_State *L) { return partition(L, 0); }
static int l_argpartition(lua_State *L) { return partition(L, 1); }

/* lexsort(keys [, axis]): keys a table of arrays, or an array whose first
** axis runs over the keys; the last key is the primary one */
static int l_lexsort(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const lu_array *keys[256];
  lu_array *out, *k0;
  int n = 0, axis;
  lb_getparams(L, 2, "axis", NULL, &p);
  if (lua_isnoneornil(L, 1)) lb_argerror(L, 1, "keys expected");
  if (lua_type(L, 1) == LUA_TTABLE && !lb_test(L, 1) && luaL_len(L, 1) > 0) {
    lua_Integer m, len = luaL_len(L, 1);
    int first_is_array;
    lua_geti(L, 1, 1);
    first_is_array = lb_test(L, -1) != NULL || lua_type(L, -1) == LUA_TTABLE;
    lua_pop(L, 1);
    if (first_is_array) {
      if (len > 256) lb_argerror(L, 1, "too many keys");
      luaL_checkstack(L, (int)len + 4, NULL);
      for (m = 1; m <= len; m++) {
        lua_geti(L, 1, m);
        keys[n++] = lb_toarray(L, -1, NULL);
      }
    }
  }
  if (n == 0) {
    lu_array *arr = lb_toarray(L, 1, NULL);
    int64_t i;
    if (arr->ndim == 0) lb_argerror(L, 1, "keys must have at least one dimension");
    if (arr->shape[0] > 256) lb_argerror(L, 1, "too many keys");
    if (arr->shape[0] == 0) lb_argerror(L, 1, "need at least one key");
    luaL_checkstack(L, (int)arr->shape[0] + 4, NULL);
    for (i = 0; i < arr->shape[0]; i++) {
      lu_array *v = lb_new(L);
      if (lu_take_index(ctx, v, arr, 0, i)) return lb_fail(L, ctx);
      keys[n++] = v;
    }
  }
  k0 = (lu_array *)keys[0];
  if (!p.idx[0] && k0->ndim == 0) lb_argerror(L, 1, "axis -1 is out of bounds for array of dimension 0");
  axis = lb_paxis(L, &p, 0, k0->ndim, 0, k0->ndim - 1, 0);
  out = lb_new(L);
  if (lu_lexsort(ctx, out, n, keys, axis, 1)) return lb_fail(L, ctx);
  return 1;
}

static int l_searchsorted(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *sorter = NULL, *out;
  lu_arg v;
  const char *side;
  int scalar;
  lb_getparams(L, 2, "v,side,sorter", NULL, &p);
  if (!p.idx[0]) lb_argerror(L, 2, "v expected");
  memset(&v, 0, sizeof v);
  scalar = lb_toscalar(L, p.idx[0], &v.s);
  if (!scalar) {
    lu_device d = dev_of(a);
    if (lua_type(L, p.idx[0]) == LUA_TSTRING)
      lb_argerror(L, lb_pargn(&p, 0), "v must be numbers, got a string");
    v.arr = lb_toarray(L, p.idx[0], &d);
  }
  side = lb_pstr(L, &p, 1, "side", "left");
  if (strcmp(side, "left") != 0 && strcmp(side, "right") != 0)
    lb_argerror(L, lb_pargn(&p, 1), "side must be 'left' or 'right', got '%s'", side);
  if (p.idx[2]) {
    lu_device d = dev_of(a);
    sorter = lb_toarray(L, p.idx[2], &d);
  }
  out = lb_new(L);
  if (lu_searchsorted(ctx, out, a, &v, side[0] == 'r', sorter, 1, 1)) return lb_fail(L, ctx);
  if (scalar) lb_pushelement(L, ctx, out);
  return 1;
}
/* }====================================================== */

/* {====================================================== sets */
/* unique's outputs in NumPy's order; returns how many. The userdata are
** pushed first, so that the collector owns the results whatever raises. */
static int push_unique(lua_State *L, lu_ctx *ctx, const lu_array *a, int axis, int equal_nan,
                       int want_index, int want_inverse, int want_counts) {
  lu_array *vals = lb_new(L), *index = NULL, *inverse = NULL, *counts = NULL;
  if (want_index) index = lb_new(L);
  if (want_inverse) inverse = lb_new(L);
  if (want_counts) counts = lb_new(L);
  if (lu_unique(ctx, a, axis, equal_nan, 1, vals, index, inverse, counts)) return lb_fail(L, ctx);
  return 1 + want_index + want_inverse + want_counts;
}

static int l_unique(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL);
  int axis;
  lb_getparams(L, 2, "return_index,return_inverse,return_counts,axis", "equal_nan,sorted", &p);
  axis = lb_paxis(L, &p, 3, a->ndim, 0, LU_ALLAXES, 1);
  lb_pbool(L, &p, 5, "sorted", 1);
  return push_unique(L, ctx, a, axis, lb_pbool(L, &p, 4, "equal_nan", 1),
                     lb_pbool(L, &p, 0, "return_index", 0), lb_pbool(L, &p, 1, "return_inverse", 0),
                     lb_pbool(L, &p, 2, "return_counts", 0));
}

/* NumPy 2's array-API forms: NaNs are not collapsed */
static int unique_form(lua_State *L, int idx, int inv, int cnt) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL);
  lb_getparams(L, 2, "", NULL, &p);
  return push_unique(L, ctx, a, LU_ALLAXES, 0, idx, inv, cnt);
}
static int l_unique_values(lua_State *L) { return unique_form(L, 0, 0, 0); }
static int l_unique_counts(lua_State *L) { return unique_form(L, 0, 0, 1); }
static int l_unique_inverse(lua_State *L) { return unique_form(L, 0, 1, 0); }
static int l_unique_all(lua_State *L) { return unique_form(L, 1, 1, 1); }

static void check_setkind(lua_State *L, const lb_params *p, int i) {
  const char *s = lb_pstr(L, p, i, "kind", NULL);
  if (s && strcmp(s, "sort") != 0 && strcmp(s, "table") != 0)
    lb_argerror(L, lb_pargn(p, i), "kind must be nil, 'sort' or 'table', got '%s'", s);
}

/* isin(element, test_elements ...) and in1d(ar1, ar2 ...): upvalue 3 = 1
** for in1d (the flattened first array) */
static int l_isin(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int flat = (int)lua_tointeger(L, lua_upvalueindex(3));
  lb_params p;
  lu_array *e = lb_toarray(L, 1, NULL), *t, *out;
  lu_device d = dev_of(e);
  lb_getparams(L, 2, flat ? "ar2,assume_unique,invert" : "test_elements,assume_unique,invert", "kind", &p);
  t = lb_parray(L, &p, 0, flat ? "ar2" : "test_elements", &d);
  check_setkind(L, &p, 3);
  if (flat) {
    int64_t n = e->size;
    lu_array *f = lb_new(L);
    if (lu_reshape(ctx, f, e, 1, &n)) return lb_fail(L, ctx);
    e = f;
  }
  out = lb_new(L);
  if (lu_isin(ctx, out, e, t, lb_pbool(L, &p, 1, "assume_unique", 0), lb_pbool(L, &p, 2, "invert", 0)))
    return lb_fail(L, ctx);
  return 1;
}

static int l_intersect1d(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *b, *r, *ia = NULL, *ib = NULL;
  lu_device d = dev_of(a);
  int want;
  lb_getparams(L, 2, "ar2,assume_unique,return_indices", NULL, &p);
  b = lb_parray(L, &p, 0, "ar2", &d);
  want = lb_pbool(L, &p, 2, "return_indices", 0);
  r = lb_new(L);
  if (want) { ia = lb_new(L); ib = lb_new(L); }
  if (lu_intersect1d(ctx, r, a, b, lb_pbool(L, &p, 1, "assume_unique", 0), ia, ib, 1))
    return lb_fail(L, ctx);
  return want ? 3 : 1;
}

/* union1d, setdiff1d, setxor1d: upvalue 3 says which */
static int l_setop(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int which = (int)lua_tointeger(L, lua_upvalueindex(3)), st;
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *b, *out;
  lu_device d = dev_of(a);
  lb_getparams(L, 2, which == 0 ? "ar2" : "ar2,assume_unique", NULL, &p);
  b = lb_parray(L, &p, 0, "ar2", &d);
  out = lb_new(L);
  if (which == 0) st = lu_union1d(ctx, out, a, b);
  else if (which == 1) st = lu_setdiff1d(ctx, out, a, b, lb_pbool(L, &p, 1, "assume_unique", 0));
  else st = lu_setxor1d(ctx, out, a, b, lb_pbool(L, &p, 1, "assume_unique", 0));
  if (st) return lb_fail(L, ctx);
  return 1;
}

static int l_bincount(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *x = lb_toarray(L, 1, NULL), *w = NULL, *out;
  lu_device d = dev_of(x);
  lb_getparams(L, 2, "weights,minlength", NULL, &p);
  if (p.idx[0]) w = lb_toarray(L, p.idx[0], &d);
  out = lb_new(L);
  if (lu_bincount(ctx, out, x, w, lb_pint(L, &p, 1, "minlength", 0))) return lb_fail(L, ctx);
  return 1;
}
/* }====================================================== */

/* {====================================================== histograms */
/* bins: an integer, an estimator's name, or edges (an array or table) */
static void read_bins(lua_State *L, const lb_params *p, int i, const lu_device *dev, lu_bins *b) {
  int idx = p->idx[i];
  memset(b, 0, sizeof *b);
  if (!idx) { b->count = 10; return; }
  if (lua_type(L, idx) == LUA_TNUMBER) {
    int isint;
    lua_Integer n = lua_tointegerx(L, idx, &isint);
    if (!isint) lb_argerror(L, lb_pargn(p, i), "bins must be an integer, a string, or an array");
    if (n < 1) lb_argerror(L, lb_pargn(p, i), "bins must be positive, when an integer");
    b->count = n;
    return;
  }
  if (lua_type(L, idx) == LUA_TSTRING) { b->estimator = lua_tostring(L, idx); return; }
  b->edges = lb_toarray(L, idx, dev);
}

/* range: absent or {lo, hi} */
static const double *read_range(lua_State *L, int idx, int argn, double *r) {
  int i;
  if (idx == 0 || lua_isnil(L, idx)) return NULL;
  if (lua_type(L, idx) != LUA_TTABLE || luaL_len(L, idx) != 2)
    lb_argerror(L, argn, "range must be a table {min, max}");
  for (i = 0; i < 2; i++) {
    lua_geti(L, idx, i + 1);
    if (lua_type(L, -1) != LUA_TNUMBER) lb_argerror(L, argn, "range must hold two numbers");
    r[i] = (double)lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  return r;
}

/* histogram and (upvalue 3 = 1) histogram_bin_edges */
static int l_histogram(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int edges_only = (int)lua_tointeger(L, lua_upvalueindex(3));
  lb_params p;
  lu_array *a = lb_toarray(L, 1, NULL), *w = NULL, *h = NULL, *e;
  lu_device d = dev_of(a);
  lu_bins bins;
  double rg[2];
  const double *range;
  int density, kw = edges_only ? 2 : 3;
  lb_getparams(L, 2, edges_only ? "bins,range,weights" : "bins,range,density,weights", NULL, &p);
  read_bins(L, &p, 0, &d, &bins);
  range = read_range(L, p.idx[1], lb_pargn(&p, 1), rg);
  density = edges_only ? 0 : lb_pbool(L, &p, 2, "density", 0);
  if (p.idx[kw]) w = lb_toarray(L, p.idx[kw], &d);
  if (!edges_only) h = lb_new(L);
  e = lb_new(L);
  if (lu_histogram(ctx, h, e, a, &bins, range, density, w)) return lb_fail(L, ctx);
  return edges_only ? 1 : 2;
}

/* bins of histogram2d/histogramdd for one dimension from the value at idx */
static void bins_of(lua_State *L, int idx, int argn, const lu_device *dev, lu_bins *b) {
  memset(b, 0, sizeof *b);
  if (lua_type(L, idx) == LUA_TNUMBER) {
    int isint;
    lua_Integer n = lua_tointegerx(L, idx, &isint);
    if (!isint) lb_argerror(L, argn, "bins must be integers or arrays of edges");
    if (n < 1) lb_argerror(L, argn, "bins must be positive, when integers");
    b->count = n;
    return;
  }
  b->edges = lb_toarray(L, idx, dev);
}

/* bins, range, density, weights are parameters kb.. kb+3 */
static int push_dd(lua_State *L, lu_ctx *ctx, int d, const lu_array *const *cols,
                   const lb_params *p, int kb, int as_table) {
  lu_bins bins[LU_MAXDIM];
  const double *ranges[LU_MAXDIM];
  double rg[LU_MAXDIM][2];
  lu_array *h, *edges[LU_MAXDIM], ev[LU_MAXDIM], *w = NULL;
  lu_device dev = dev_of(cols[0]);
  int i, bi = p->idx[kb], ri = p->idx[kb + 1], bn = lb_pargn(p, kb);
  /* bins: one value for all, or one per dimension (a sequence of d values;
  ** NumPy reads any other sequence as edges for every dimension) */
  if (!bi) {
    for (i = 0; i < d; i++) { memset(&bins[i], 0, sizeof bins[i]); bins[i].count = 10; }
  } else if (lua_type(L, bi) == LUA_TTABLE && !lb_test(L, bi) && luaL_len(L, bi) == d) {
    luaL_checkstack(L, d + 4, NULL);
    for (i = 0; i < d; i++) {
      lua_geti(L, bi, i + 1);
      bins_of(L, lua_gettop(L), bn, &dev, &bins[i]);
    }
  } else if (lb_test(L, bi) && lb_test(L, bi)->ndim == 1 && lb_test(L, bi)->size == d) {
    /* an array of d values: d counts (NumPy's len(bins) == d) */
    lu_array *ba = lb_test(L, bi);
    for (i = 0; i < d; i++) {
      double v;
      lu_array *one = lb_new(L);
      if (lu_take_index(ctx, one, ba, 0, i)) return lb_fail(L, ctx);
      lb_pushelement(L, ctx, one);
      v = lua_tonumber(L, -1);
      lua_pop(L, 2);
      memset(&bins[i], 0, sizeof bins[i]);
      if (v != (double)(int64_t)v || v < 1) lb_argerror(L, bn, "bins must be positive integers");
      bins[i].count = (int64_t)v;
    }
  } else if (lua_type(L, bi) == LUA_TNUMBER) {
    for (i = 0; i < d; i++) bins_of(L, bi, bn, &dev, &bins[i]);
  } else {
    lu_bins e;
    bins_of(L, bi, bn, &dev, &e);
    for (i = 0; i < d; i++) bins[i] = e;
  }
  for (i = 0; i < d; i++) ranges[i] = NULL;
  if (ri) {
    if (lua_type(L, ri) != LUA_TTABLE || luaL_len(L, ri) != d)
      lb_argerror(L, lb_pargn(p, kb + 1), "range must have one entry per dimension");
    for (i = 0; i < d; i++) {
      int t = lua_geti(L, ri, i + 1);
      if (t != LUA_TNIL && !(t == LUA_TBOOLEAN && !lua_toboolean(L, -1)))
        ranges[i] = read_range(L, lua_gettop(L), lb_pargn(p, kb + 1), rg[i]);
      lua_pop(L, 1);
    }
  }
  if (p->idx[kb + 3]) w = lb_toarray(L, p->idx[kb + 3], &dev);
  /* the userdata first (the collector owns what is computed into them) */
  luaL_checkstack(L, d + 4, NULL);
  h = lb_new(L);
  if (as_table) lua_createtable(L, d, 0);
  for (i = 0; i < d; i++) {
    edges[i] = lb_new(L);
    if (as_table) lua_rawseti(L, -2, i + 1);
  }
  if (lu_histogramdd(ctx, h, ev, d, cols, bins, ranges, lb_pbool(L, p, kb + 2, "density", 0), w))
    return lb_fail(L, ctx);
  /* edges[i] are still referenced (stack or table), so they stay alive */
  for (i = 0; i < d; i++) *edges[i] = ev[i];
  return as_table ? 2 : 1 + d;
}

static int l_histogram2d(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const lu_array *cols[2];
  lu_array *x = lb_toarray(L, 1, NULL), *y;
  lu_device d = dev_of(x);
  lb_getparams(L, 2, "y,bins,range,density,weights", NULL, &p);
  y = lb_parray(L, &p, 0, "y", &d);
  if (x->ndim != 1 || y->ndim != 1 || x->size != y->size)
    lb_argerror(L, 2, "x and y must be 1-d arrays of one length");
  cols[0] = x;
  cols[1] = y;
  return push_dd(L, ctx, 2, cols, &p, 1, 0);
}

static int l_histogramdd(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  const lu_array *cols[LU_MAXDIM];
  int d = 0;
  lb_getparams(L, 2, "bins,range,density,weights", NULL, &p);
  if (lua_isnoneornil(L, 1)) lb_argerror(L, 1, "sample expected");
  if (lua_type(L, 1) == LUA_TTABLE && !lb_test(L, 1) && luaL_len(L, 1) > 0) {
    int first_tab;
    lua_geti(L, 1, 1);
    first_tab = lua_type(L, -1) == LUA_TTABLE || lb_test(L, -1) != NULL;
    lua_pop(L, 1);
    if (first_tab) {
      lua_Integer m, len = luaL_len(L, 1);
      if (len > LU_MAXDIM) lb_argerror(L, 1, "more than %d dimensions", LU_MAXDIM);
      luaL_checkstack(L, (int)len + 4, NULL);
      for (m = 1; m <= len; m++) {
        lua_geti(L, 1, m);
        cols[d++] = lb_toarray(L, -1, NULL);
      }
    }
  }
  if (d == 0) {
    /* an (N, D) array: its columns */
    lu_array *s = lb_toarray(L, 1, NULL);
    int64_t i;
    if (s->ndim != 2) lb_argerror(L, 1, "sample must be an (N, D) array or a table of D arrays");
    if (s->shape[1] < 1 || s->shape[1] > LU_MAXDIM) lb_argerror(L, 1, "1 to %d dimensions expected", LU_MAXDIM);
    luaL_checkstack(L, (int)s->shape[1] + 4, NULL);
    for (i = 0; i < s->shape[1]; i++) {
      lu_array *c = lb_new(L);
      if (lu_take_index(ctx, c, s, 1, i)) return lb_fail(L, ctx);
      cols[d++] = c;
    }
  }
  return push_dd(L, ctx, d, cols, &p, 0, 1);
}

static int l_digitize(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_array *x, *bins, *out;
  lu_device d;
  int scalar = lua_type(L, 1) == LUA_TNUMBER;
  lb_getparams(L, 2, "bins,right", NULL, &p);
  if (!lb_test(L, 1) && p.idx[0] && lb_test(L, p.idx[0])) {
    d = dev_of(lb_test(L, p.idx[0]));   /* a number or table goes to the bins' device */
    x = lb_toarray(L, 1, &d);
  } else {
    x = lb_toarray(L, 1, NULL);
    d = dev_of(x);
  }
  bins = lb_parray(L, &p, 0, "bins", &d);
  out = lb_new(L);
  if (lu_digitize(ctx, out, x, bins, lb_pbool(L, &p, 1, "right", 0), 1)) return lb_fail(L, ctx);
  if (scalar) lb_pushelement(L, ctx, out);
  return 1;
}
/* }====================================================== */

void lb_open_sort(lua_State *L, int mod, int methods) {
  static const luaL_Reg fns[] = {
    {"sort", l_sort}, {"argsort", l_argsort}, {"msort", l_msort},
    {"sort_complex", l_sort_complex},
    {"partition", l_partition}, {"argpartition", l_argpartition}, {"lexsort", l_lexsort},
    {"top_k", l_top_k},
    {"searchsorted", l_searchsorted}, {"unique", l_unique},
    {"unique_values", l_unique_values}, {"unique_counts", l_unique_counts},
    {"unique_inverse", l_unique_inverse}, {"unique_all", l_unique_all},
    {"intersect1d", l_intersect1d}, {"bincount", l_bincount}, {"histogram2d", l_histogram2d},
    {"histogramdd", l_histogramdd}, {"digitize", l_digitize}, {NULL, NULL}
  };
  static const luaL_Reg meths[] = {
    {"sort", l_sort}, {"argsort", l_argsort}, {"partition", l_partition},
    {"argpartition", l_argpartition}, {"searchsorted", l_searchsorted}, {NULL, NULL}
  };
  static const struct { const char *name; lua_CFunction f; int up; } ups[] = {
    {"union1d", l_setop, 0}, {"setdiff1d", l_setop, 1}, {"setxor1d", l_setop, 2},
    {"isin", l_isin, 0}, {"in1d", l_isin, 1},
    {"histogram", l_histogram, 0}, {"histogram_bin_edges", l_histogram, 1},
  };
  int i;
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  lb_register(L, mod, fns, "lunar.", 0);
  lb_register(L, methods, meths, "array:", 1);
  for (i = 0; i < (int)(sizeof ups / sizeof ups[0]); i++) {
    lua_pushfstring(L, "lunar.%s", ups[i].name);
    lb_pushfn(L, ups[i].f, lua_tostring(L, -1), 0, ups[i].up);
    lua_setfield(L, mod, ups[i].name);
    lua_pop(L, 1);
  }
}
