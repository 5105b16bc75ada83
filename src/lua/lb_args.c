/* SPDX-License-Identifier: MIT */
/*
** Argument parsing shared by the binding: operands, shapes, kwargs tables,
** dtypes, devices and axes (Lua's 1-based axes become the core's 0-based).
*/
#include <string.h>
#include "lb.h"

/* A Lua number, boolean or complex value as a core scalar: integers stay
** integers (weak int), floats are weak floats, complex values weak complex.
** Returns 0 for any other value. */
int lb_toscalar(lua_State *L, int idx, lu_scalar *s) {
  memset(s, 0, sizeof *s);
  switch (lua_type(L, idx)) {
  case LUA_TUSERDATA:
    if (!lb_tocomplex(L, idx, &s->f, &s->im)) return 0;
    s->kind = 'c';
    return 1;
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) { s->kind = 'i'; s->i = (int64_t)lua_tointeger(L, idx); }
    else { s->kind = 'f'; s->f = (double)lua_tonumber(L, idx); }
    return 1;
  case LUA_TBOOLEAN:
    s->kind = 'b';
    s->i = lua_toboolean(L, idx);
    return 1;
  default:
    return 0;
  }
}

/* An operand of an elementwise op: an array, a Lua integer (weak int), a Lua
** float (weak float) or a boolean. A plain Lua table is converted to an array
** that replaces it on the stack, so it stays alive for the call. */
void lb_toarg(lua_State *L, int idx, lu_arg *arg) {
  memset(arg, 0, sizeof *arg);
  /* an array first: the complex scalar's test looks its metatable up by
  ** name, a tenth of a tiny op's time when every array went through it */
  if (lua_type(L, idx) == LUA_TUSERDATA && (arg->arr = lb_test(L, idx)) != NULL) return;
  if (lb_toscalar(L, idx, &arg->s)) return;
  if (lua_type(L, idx) == LUA_TTABLE) {
    idx = lua_absindex(L, idx);
    arg->arr = lb_fromtable(L, idx, -1, NULL);
    lua_replace(L, idx);
    return;
  }
  if ((arg->arr = lb_test(L, idx)) != NULL) return;
  lb_argerror(L, idx, "array, number, boolean or complex expected, got %s",
              luaL_typename(L, idx));
}

static void setdim(lua_State *L, int argi, int allow_neg1, int *nneg,
                   int n, int64_t *shape, int isnum, lua_Integer v) {
  if (n >= LU_MAXDIM)
    lb_argerror(L, argi, "shape has more than %d dimensions", LU_MAXDIM);
  if (!isnum)
    lb_argerror(L, argi, "shape must be non-negative integers, got %s",
                lua_typename(L, lua_type(L, -1)));
  if (v < 0 && !(allow_neg1 && v == -1 && (*nneg)++ == 0))
    lb_argerror(L, argi, "%s, got %lld", allow_neg1
                ? "shape must be non-negative integers or one -1"
                : "shape must be non-negative integers", (long long)v);
  shape[n] = (int64_t)v;
}

/* A shape as a table {3, 4} or as a run of integers 3, 4 starting at idx.
** Returns the stack index just after the shape. */
int lb_shape(lua_State *L, int idx, int allow_neg1, int *ndim, int64_t *shape) {
  int n = 0, nneg = 0, isnum;
  lua_Integer v;
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lua_Integer k, len = luaL_len(L, idx);
    if (len < 0 || len > LU_MAXDIM)
      lb_argerror(L, idx, "shape has %lld dimensions (at most %d)", (long long)len, LU_MAXDIM);
    for (k = 1; k <= len; k++) {
      lua_geti(L, idx, k);
      v = lua_tointegerx(L, -1, &isnum);
      if (!isnum && lua_type(L, -1) == LUA_TNUMBER)
        lb_argerror(L, idx, "shape must be non-negative integers, got %s",
                    lua_tostring(L, -1));
      setdim(L, idx, allow_neg1, &nneg, n, shape, isnum, v);
      n++;
      lua_pop(L, 1);
    }
    *ndim = n;
    return idx + 1;
  }
  while (lua_type(L, idx) == LUA_TNUMBER) {
    lua_pushvalue(L, idx);
    v = lua_tointegerx(L, -1, &isnum);
    if (!isnum)
      lb_argerror(L, idx, "shape must be non-negative integers, got %s",
                  lua_tostring(L, -1));
    setdim(L, idx, allow_neg1, &nneg, n, shape, isnum, v);
    lua_pop(L, 1);
    n++;
    idx++;
  }
  *ndim = n;
  return idx;
}

int lb_checkdtype(lua_State *L, int idx, const char *s) {
  int dt = lu_dtype_from_name(s);
  if (dt < 0) lb_argerror(L, idx, "unknown dtype '%s'", s);
  return dt;
}

/* The dtype named by the string at stack index sidx (argument argi in
** messages): a name with an embedded zero ("float32\0junk") is unknown. */
int lb_checkdtypeat(lua_State *L, int argi, int sidx) {
  size_t len;
  const char *s = lua_tolstring(L, sidx, &len);
  if (s == NULL) lb_argerror(L, argi, "dtype expected, got %s", luaL_typename(L, sidx));
  if (strlen(s) != len) lb_argerror(L, argi, "unknown dtype '%s...' (embedded zero)", s);
  return lb_checkdtype(L, argi, s);
}

static int allowed_key(const char *allowed, const char *key) {
  size_t n = strlen(key);
  const char *p = allowed;
  while (p && *p) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && memcmp(p, key, n) == 0) return 1;
    p = e ? e + 1 : NULL;
  }
  return 0;
}

/* Trailing options at idx: nothing, a dtype string, or a table whose keys are
** in `allowed` (comma separated; dtype and device are parsed here, the
** caller reads the others with lb_kwfield). Returns 1 if something was there. */
int lb_kwargs(lua_State *L, int idx, const char *allowed, lb_kw *kw) {
  kw->dtype = -1;
  kw->has_dev = 0;
  kw->idx = 0;
  switch (lua_type(L, idx)) {
  case LUA_TNONE: case LUA_TNIL:
    return 0;
  case LUA_TSTRING:
    if (!allowed_key(allowed, "dtype"))
      lb_argerror(L, idx, "unexpected string '%s'", lua_tostring(L, idx));
    kw->dtype = lb_checkdtypeat(L, idx, idx);
    return 1;
  case LUA_TTABLE:
    if (lb_test(L, idx)) break;
    idx = lua_absindex(L, idx);
    kw->idx = idx;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      if (lua_type(L, -2) != LUA_TSTRING)
        lb_argerror(L, idx, "options table has a non-string key");
      if (!allowed_key(allowed, lua_tostring(L, -2)))
        lb_argerror(L, idx, "unknown option '%s'", lua_tostring(L, -2));
      lua_pop(L, 1);
    }
    if (lua_getfield(L, idx, "dtype") != LUA_TNIL) {
      if (lua_type(L, -1) != LUA_TSTRING)
        lb_argerror(L, idx, "dtype must be a string, got %s", luaL_typename(L, -1));
      kw->dtype = lb_checkdtypeat(L, idx, -1);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "device") != LUA_TNIL) {
      lu_ctx *ctx = lb_ctx(L);
      if (lua_type(L, -1) != LUA_TSTRING)
        lb_argerror(L, idx, "device must be a string, got %s", luaL_typename(L, -1));
      if (lu_device_parse(ctx, lua_tostring(L, -1), &kw->dev))
        lb_argerror(L, idx, "%s", lu_ctx_errmsg(ctx));
      kw->has_dev = 1;
    }
    lua_pop(L, 1);
    return 1;
  default:
    break;
  }
  return lb_argerror(L, idx, "options (dtype string or table) expected, got %s",
                     luaL_typename(L, idx));
}

/* Push kw's field `key` (nil when absent); returns its type. */
int lb_kwfield(lua_State *L, const lb_kw *kw, const char *key) {
  if (kw->idx == 0) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_getfield(L, kw->idx, key);
}

lu_device lb_device(lua_State *L, lu_ctx *ctx, const lb_kw *kw) {
  (void)L;
  return kw->has_dev ? kw->dev : lu_ctx_default_device(ctx);
}

/* A 1-based axis (negative from the end) to 0-based. `extra` widens the
** range by that many positions (expand_dims inserts a new axis). */
int lb_axis(lua_State *L, int idx, lua_Integer ax, int ndim, int extra) {
  int n = ndim + extra;
  if (ax == 0 || ax > n || ax < -n)
    lb_argerror(L, idx, "axis %lld is out of bounds for array of dimension %d",
                (long long)ax, ndim);
  return (int)(ax > 0 ? ax - 1 : ax + n);
}

/* {===== named parameters */
int lb_isoptions(lua_State *L, int idx) {
  int ok = 1, any = 0;
  if (lua_type(L, idx) != LUA_TTABLE || lb_test(L, idx)) return 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    any = 1;
    if (lua_type(L, -2) != LUA_TSTRING) ok = 0;
    lua_pop(L, 1);
  }
  return ok && any;
}

static int param_index(const char *list, const char *key, int *count) {
  const char *p = list;
  int i = 0, found = -1;
  size_t n = strlen(key);
  while (p && *p) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (found < 0 && len == n && memcmp(p, key, n) == 0) found = i;
    i++;
    p = e ? e + 1 : NULL;
  }
  if (count) *count = i;
  return found;
}

/* NumPy's calling convention for the arguments from `first` on: the
** parameters `pos` (comma separated) by position, then all of `pos` and
** `kwonly` by name in a trailing options table (a plain table whose keys
** are strings). nil counts as not given. Afterwards p->idx[i] is the
** stack index of parameter i (pos first, then kwonly), 0 when not given.
** Raises for an extra argument, an unknown option and a parameter given
** both ways. */
void lb_getparams(lua_State *L, int first, const char *pos, const char *kwonly, lb_params *p) {
  int top = lua_gettop(L), npos, nkw, last = top, i;
  param_index(pos, "", &npos);
  param_index(kwonly ? kwonly : "", "", &nkw);
  if (!kwonly || !*kwonly) nkw = 0;
  if (!*pos) npos = 0;
  memset(p, 0, sizeof *p);
  p->npos = npos;
  p->n = npos + nkw;
  p->opts = 0;
  if (top >= first && lb_isoptions(L, top)) {
    p->opts = top;
    last = top - 1;
  }
  if (last - first + 1 > npos) {
    int extra = first + npos;
    lb_argerror(L, extra, "unexpected argument (%s); %s takes %d positional argument%s after the first",
                luaL_typename(L, extra), lb_fname(L), npos, npos == 1 ? "" : "s");
  }
  for (i = first; i <= last; i++)
    if (!lua_isnil(L, i)) p->idx[i - first] = i;
  if (p->opts) {
    luaL_checkstack(L, p->n + 4, NULL);
    lua_pushnil(L);
    while (lua_next(L, p->opts)) {
      const char *key = lua_tostring(L, -2);
      int k = param_index(pos, key, NULL);
      if (k < 0 && nkw) {
        k = param_index(kwonly, key, NULL);
        if (k >= 0) k += npos;
      }
      if (k < 0) lb_argerror(L, p->opts, "unknown option '%s'", key);
      if (p->idx[k] && p->idx[k] < p->opts)
        lb_argerror(L, p->opts, "'%s' given by position and by name", key);
      lua_pop(L, 1);
    }
    /* push every named value, in parameter order, above the arguments */
    for (i = 0; i < p->n; i++) {
      char key[64];
      const char *list = i < npos ? pos : kwonly;
      int j = i < npos ? i : i - npos, c = 0;
      const char *s = list;
      while (c < j) { s = strchr(s, ',') + 1; c++; }
      {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len >= sizeof key) len = sizeof key - 1;
        memcpy(key, s, len);
        key[len] = '\0';
      }
      if (lua_getfield(L, p->opts, key) == LUA_TNIL) { lua_pop(L, 1); continue; }
      p->idx[i] = lua_gettop(L);
    }
  }
}

/* The stack index of parameter `i`'s value, 0 when not given; for error
** messages, the argument to blame (the options table when given by name). */
int lb_pargn(const lb_params *p, int i) {
  return p->idx[i] > (p->opts ? p->opts : 0x7fffffff) ? p->opts : p->idx[i];
}

/* The value at idx as an array: an array itself, or a nested table, a
** number or a boolean converted (on dev, NULL: the default device) and
** put in its place on the stack. */
lu_array *lb_toarray(lua_State *L, int idx, const lu_device *dev) {
  lu_array *a;
  lu_scalar s;
  idx = lua_absindex(L, idx);
  if ((a = lb_test(L, idx)) != NULL) return a;
  if (lua_type(L, idx) == LUA_TTABLE) {
    a = lb_fromtable(L, idx, -1, dev);
  } else if (lb_toscalar(L, idx, &s)) {
    lu_ctx *ctx = lb_ctx(L);
    a = lb_new(L);
    if (lu_full(ctx, a, lu_scalar_dtype(s), 0, NULL, dev ? *dev : lu_ctx_default_device(ctx), s))
      lb_fail(L, ctx);
  } else {
    lb_argerror(L, idx, "array, table or number expected, got %s", luaL_typename(L, idx));
    return NULL;
  }
  lua_replace(L, idx);
  return a;
}

/* An integer parameter (raises when it is something else). */
lua_Integer lb_pint(lua_State *L, const lb_params *p, int i, const char *what, lua_Integer dflt) {
  int isint;
  lua_Integer v;
  if (!p->idx[i]) return dflt;
  v = lua_tointegerx(L, p->idx[i], &isint);
  if (!isint)
    lb_argerror(L, lb_pargn(p, i), "%s must be an integer, got %s", what,
                lua_type(L, p->idx[i]) == LUA_TNUMBER ? lua_tostring(L, p->idx[i])
                                                      : luaL_typename(L, p->idx[i]));
  return v;
}

/* A dtype parameter (a name or an array, whose dtype it takes), -1 when
** not given. */
int lb_pdtype(lua_State *L, const lb_params *p, int i) {
  lu_array *a;
  if (!p->idx[i]) return -1;
  if (lua_type(L, p->idx[i]) == LUA_TSTRING)
    return lb_checkdtypeat(L, lb_pargn(p, i), p->idx[i]);
  if ((a = lb_test(L, p->idx[i])) != NULL) return (int)a->dtype;
  return lb_argerror(L, lb_pargn(p, i), "dtype must be a string, got %s",
                     luaL_typename(L, p->idx[i]));
}
/* }===== */

/* An axis parameter: 1-based, negative from the end, for an array of ndim
** dimensions (extra more positions for functions that add an axis);
** `false` means NumPy's axis=None (LU_ALLAXES) where allow_none. dflt
** (0-based or LU_ALLAXES) when not given. */
int lb_paxis(lua_State *L, const lb_params *p, int i, int ndim, int extra, int dflt,
             int allow_none) {
  int isint, idx = p->idx[i];
  lua_Integer v;
  if (!idx) return dflt;
  if (allow_none && lua_type(L, idx) == LUA_TBOOLEAN && !lua_toboolean(L, idx)) return LU_ALLAXES;
  v = lua_tointegerx(L, idx, &isint);
  if (!isint)
    lb_argerror(L, lb_pargn(p, i), "axis must be an integer%s, got %s",
                allow_none ? " or false" : "",
                lua_type(L, idx) == LUA_TNUMBER ? lua_tostring(L, idx) : luaL_typename(L, idx));
  return lb_axis(L, lb_pargn(p, i), v, ndim, extra);
}
