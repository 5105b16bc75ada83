/* SPDX-License-Identifier: MIT */
/*
** lunar.fft: NumPy 2's numpy.fft (src/core/fft.c) and the plan caches
** of the backends (lunar.fft.config.plan_cache, CuPy's PlanCache).
**
** Every parameter NumPy takes by position is taken by position and by
** name in a trailing table: fft(a, n, axis, norm, out), fftn(a, s, axes,
** norm, out), fftfreq(n, d, {device=}), fftshift(x, axes). Axes are
** 1-based, negative from the end; fftn's may repeat (the axis is
** transformed again, as in NumPy).
*/
#include <stdio.h>
#include <string.h>
#include "lb.h"

/* {===== arguments */
static lu_fftnorm pnorm(lua_State *L, const lb_params *p, int i) {
  const char *s = lb_pstr(L, p, i, "norm", "backward");
  if (strcmp(s, "backward") == 0) return LU_NORM_BACKWARD;
  if (strcmp(s, "ortho") == 0) return LU_NORM_ORTHO;
  if (strcmp(s, "forward") == 0) return LU_NORM_FORWARD;
  lb_argerror(L, lb_pargn(p, i), "invalid norm value '%s'; should be \"backward\", \"ortho\" "
              "or \"forward\"", s);
  return LU_NORM_BACKWARD;
}

/* A list of integers (s) or of axes (axes, 1-based, repeats allowed);
** returns the count, -1 when not given. */
static int plist(lua_State *L, const lb_params *p, int i, const char *what, int isaxes,
                 int ndim, int64_t *v) {
  int idx = p->idx[i], n, isint;
  lua_Integer len, k, x;
  if (!idx) return -1;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    x = lua_tointegerx(L, idx, &isint);
    if (!isint) lb_argerror(L, lb_pargn(p, i), "%s must be integers, got %s", what, lua_tostring(L, idx));
    v[0] = isaxes ? lb_axis(L, lb_pargn(p, i), x, ndim, 0) : x;
    return 1;
  }
  if (lua_type(L, idx) != LUA_TTABLE || lb_test(L, idx))
    lb_argerror(L, lb_pargn(p, i), "%s must be a table of integers, got %s", what,
                luaL_typename(L, idx));
  len = luaL_len(L, idx);
  if (len > LU_MAXDIM)
    lb_argerror(L, lb_pargn(p, i), "%s: more than %d values", what, LU_MAXDIM);
  for (n = 0, k = 1; k <= len; k++, n++) {
    lua_geti(L, idx, k);
    x = lua_tointegerx(L, -1, &isint);
    if (!isint)
      lb_argerror(L, lb_pargn(p, i), "%s must be integers, got %s", what,
                  lua_type(L, -1) == LUA_TNUMBER ? lua_tostring(L, -1) : luaL_typename(L, -1));
    lua_pop(L, 1);
    v[n] = isaxes ? lb_axis(L, lb_pargn(p, i), x, ndim, 0) : x;
  }
  return n;
}

static lu_array *operand(lua_State *L) {
  if (lua_isnoneornil(L, 1)) luaL_error(L, "%s: array expected", lb_fname(L));
  return lb_toarray(L, 1, NULL);
}

/* The core's name for messages: "lunar.fft.rfft" -> "fft.rfft". */
static const char *cname(lua_State *L) {
  const char *f = lb_fname(L);
  return strncmp(f, "lunar.", 6) == 0 ? f + 6 : f;
}
/* }===== */

/* {===== the transforms */
/* fft ifft rfft irfft hfft ihfft: (a, n, axis, norm, out) */
static int one_axis(lua_State *L, lu_fftfn fn) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = operand(L), *r;
  lb_params p;
  int axis;
  int64_t n = -1;
  lu_fftnorm norm;
  lb_getparams(L, 2, "n,axis,norm,out", NULL, &p);
  if (a->ndim == 0) lb_argerror(L, 1, "the input must have at least one axis, got a 0-d array");
  if (p.idx[0]) {
    n = (int64_t)lb_pint(L, &p, 0, "n", -1);
    if (n < 1)
      lb_argerror(L, lb_pargn(&p, 0), "invalid number of FFT data points (%lld) specified",
                  (long long)n);
  }
  axis = lb_paxis(L, &p, 1, a->ndim, 0, a->ndim - 1, 0);
  norm = pnorm(L, &p, 2);
  r = lb_new(L);
  if (lu_fft(ctx, r, cname(L), fn, a, 1, &axis, p.idx[0] ? &n : NULL, norm)) return lb_fail(L, ctx);
  return lb_pout(L, ctx, &p, 3, LU_CAST_SAME_KIND);
}

/* fftn and the rest: (a, s, axes, norm, out); two: fft2's default axes */
static int n_axes(lua_State *L, lu_fftfn fn, int two) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *a = operand(L), *r;
  lb_params p;
  int64_t s[LU_MAXDIM], ax[LU_MAXDIM];
  int axes[LU_MAXDIM], ns, na, i;
  lu_fftnorm norm;
  lb_getparams(L, 2, "s,axes,norm,out", NULL, &p);
  ns = plist(L, &p, 0, "s", 0, a->ndim, s);
  na = plist(L, &p, 1, "axes", 1, a->ndim, ax);
  norm = pnorm(L, &p, 2);
  if (na < 0) {                   /* NumPy's defaults */
    int k = two ? 2 : (ns >= 0 ? ns : a->ndim);
    if (k > a->ndim)
      lb_argerror(L, p.idx[0] ? lb_pargn(&p, 0) : 1, "%d axes asked of an array of dimension %d",
                  k, a->ndim);
    na = k;
    for (i = 0; i < na; i++) ax[i] = a->ndim - na + i;
  }
  if (ns >= 0 && ns != na)
    lb_argerror(L, lb_pargn(&p, 0), "s and axes have different lengths (%d and %d)", ns, na);
  for (i = 0; i < ns; i++)
    if (s[i] < 1 && s[i] != -1)
      lb_argerror(L, lb_pargn(&p, 0), "invalid number of FFT data points (%lld) specified",
                  (long long)s[i]);
  if (na == 0 && (fn == LU_FFT_RFFT || fn == LU_FFT_IRFFT))
    lb_argerror(L, lb_pargn(&p, 1), "at least one axis must be given");
  for (i = 0; i < na; i++) axes[i] = (int)ax[i];
  r = lb_new(L);
  if (lu_fft(ctx, r, cname(L), fn, a, na, axes, ns >= 0 ? s : NULL, norm)) return lb_fail(L, ctx);
  return lb_pout(L, ctx, &p, 3, LU_CAST_SAME_KIND);
}

static int l_fft(lua_State *L) { return one_axis(L, LU_FFT_FFT); }
static int l_ifft(lua_State *L) { return one_axis(L, LU_FFT_IFFT); }
static int l_rfft(lua_State *L) { return one_axis(L, LU_FFT_RFFT); }
static int l_irfft(lua_State *L) { return one_axis(L, LU_FFT_IRFFT); }
static int l_hfft(lua_State *L) { return one_axis(L, LU_FFT_HFFT); }
static int l_ihfft(lua_State *L) { return one_axis(L, LU_FFT_IHFFT); }
static int l_fftn(lua_State *L) { return n_axes(L, LU_FFT_FFT, 0); }
static int l_ifftn(lua_State *L) { return n_axes(L, LU_FFT_IFFT, 0); }
static int l_rfftn(lua_State *L) { return n_axes(L, LU_FFT_RFFT, 0); }
static int l_irfftn(lua_State *L) { return n_axes(L, LU_FFT_IRFFT, 0); }
static int l_fft2(lua_State *L) { return n_axes(L, LU_FFT_FFT, 1); }
static int l_ifft2(lua_State *L) { return n_axes(L, LU_FFT_IFFT, 1); }
static int l_rfft2(lua_State *L) { return n_axes(L, LU_FFT_RFFT, 1); }
static int l_irfft2(lua_State *L) { return n_axes(L, LU_FFT_IRFFT, 1); }
/* }===== */

/* {===== helpers */
static lu_device pdevice(lua_State *L, lu_ctx *ctx, const lb_params *p, int i) {
  lu_device dev = lu_ctx_default_device(ctx);
  const char *s = lb_pstr(L, p, i, "device", NULL);
  if (s && lu_device_parse(ctx, s, &dev)) lb_fail(L, ctx);
  return dev;
}

/* fftfreq(n, d, {device=}) and rfftfreq */
static int freq(lua_State *L, int real) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lua_Integer n;
  double d;
  lu_device dev;
  lu_array *r;
  lb_getparams(L, 1, "n,d", "device", &p);
  if (!p.idx[0]) luaL_error(L, "%s: n (the window length) expected", lb_fname(L));
  n = lb_pint(L, &p, 0, "n", 0);
  d = lb_pnum(L, &p, 1, "d", 1.0);
  dev = pdevice(L, ctx, &p, 2);
  if (n < 1) lb_argerror(L, lb_pargn(&p, 0), "n must be a positive integer, got %lld", (long long)n);
  if (d == 0) lb_argerror(L, lb_pargn(&p, 1), "d must not be 0");
  r = lb_new(L);
  if (lu_fftfreq(ctx, r, cname(L), (int64_t)n, d, real, dev)) return lb_fail(L, ctx);
  return 1;
}

static int l_fftfreq(lua_State *L) { return freq(L, 0); }
static int l_rfftfreq(lua_State *L) { return freq(L, 1); }

/* fftshift(x, axes) and ifftshift: a roll by half of each axis */
static int shift(lua_State *L, int inverse) {
  lu_ctx *ctx = lb_ctx(L);
  lu_array *x = operand(L), *r;
  lb_params p;
  int axes[LU_MAXDIM], na, i;
  int64_t sh[LU_MAXDIM];
  lb_getparams(L, 2, "axes", NULL, &p);
  na = lb_paxes(L, &p, 0, x->ndim, axes);
  if (na == 0) {
    na = x->ndim;
    for (i = 0; i < na; i++) axes[i] = i;
  }
  memset(sh, 0, sizeof sh);
  for (i = 0; i < na; i++) {
    int64_t m = x->shape[axes[i]];
    sh[axes[i]] = inverse ? -(m / 2) : m / 2;
  }
  r = lb_new(L);
  if (lu_roll(ctx, r, x, sh)) return lb_fail(L, ctx);
  return 1;
}

static int l_fftshift(lua_State *L) { return shift(L, 0); }
static int l_ifftshift(lua_State *L) { return shift(L, 1); }
/* }===== */

/* {===== lunar.fft.config.plan_cache: each function takes an optional
** device (the default device when not given) */
static lu_device cache_device(lua_State *L, lu_ctx *ctx, int idx) {
  lu_device dev = lu_ctx_default_device(ctx);
  if (lua_isnoneornil(L, idx)) return dev;
  if (lua_type(L, idx) != LUA_TSTRING)
    lb_argerror(L, idx, "device must be a string, got %s", luaL_typename(L, idx));
  if (lu_device_parse(ctx, lua_tostring(L, idx), &dev)) lb_fail(L, ctx);
  return dev;
}

static void cache_info(lua_State *L, int idx, lu_fft_cache_info *info, int nargs) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev;
  if (lua_gettop(L) > nargs)
    lb_argerror(L, nargs + 1, "unexpected argument (%s)", luaL_typename(L, nargs + 1));
  dev = cache_device(L, ctx, idx);
  if (lu_fft_plans_info(ctx, dev, info)) lb_fail(L, ctx);
}

static int l_size(lua_State *L) {
  lu_fft_cache_info i;
  cache_info(L, 1, &i, 1);
  lua_pushinteger(L, i.size);
  return 1;
}

static int l_max_size(lua_State *L) {
  lu_fft_cache_info i;
  cache_info(L, 1, &i, 1);
  lua_pushinteger(L, i.max_size);
  return 1;
}

static int l_memsize(lua_State *L) {
  lu_fft_cache_info i;
  cache_info(L, 1, &i, 1);
  lua_pushinteger(L, i.memsize);
  return 1;
}

static int l_max_memsize(lua_State *L) {
  lu_fft_cache_info i;
  cache_info(L, 1, &i, 1);
  lua_pushinteger(L, i.max_memsize);
  return 1;
}

/* set_size(n [, device]) and set_memsize(bytes [, device]; -1: no bound) */
static int set_limit(lua_State *L, int mem) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev;
  lua_Integer v;
  int isint;
  if (lua_gettop(L) > 2) lb_argerror(L, 3, "unexpected argument (%s)", luaL_typename(L, 3));
  v = lua_tointegerx(L, 1, &isint);
  if (!isint)
    lb_argerror(L, 1, "%s must be an integer, got %s", mem ? "memsize" : "size",
                luaL_typename(L, 1));
  if (v < (mem ? -1 : 0))
    lb_argerror(L, 1, "%s must be %s, got %lld", mem ? "memsize" : "size",
                mem ? "-1 (no bound) or a byte count" : "non-negative", (long long)v);
  dev = cache_device(L, ctx, 2);
  if (lu_fft_plans_limit(ctx, dev, mem ? LU_FFT_KEEP : (int64_t)v, mem ? (int64_t)v : LU_FFT_KEEP))
    return lb_fail(L, ctx);
  return 0;
}

static int l_set_size(lua_State *L) { return set_limit(L, 0); }
static int l_set_memsize(lua_State *L) { return set_limit(L, 1); }

static int l_clear(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev;
  if (lua_gettop(L) > 1) lb_argerror(L, 2, "unexpected argument (%s)", luaL_typename(L, 2));
  dev = cache_device(L, ctx, 1);
  if (lu_fft_plans_clear(ctx, dev)) return lb_fail(L, ctx);
  return 0;
}

/* get_info([device]): a table {size, max_size, memsize, max_memsize, device} */
static int l_get_info(lua_State *L) {
  lu_fft_cache_info i;
  char buf[16];
  lu_device dev;
  cache_info(L, 1, &i, 1);
  dev = cache_device(L, lb_ctx(L), 1);
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, i.size);
  lua_setfield(L, -2, "size");
  lua_pushinteger(L, i.max_size);
  lua_setfield(L, -2, "max_size");
  lua_pushinteger(L, i.memsize);
  lua_setfield(L, -2, "memsize");
  lua_pushinteger(L, i.max_memsize);
  lua_setfield(L, -2, "max_memsize");
  lua_pushstring(L, lu_device_str(dev, buf));
  lua_setfield(L, -2, "device");
  return 1;
}

/* show_info([device]): CuPy's summary, printed */
static int l_show_info(lua_State *L) {
  lu_fft_cache_info i;
  char buf[16], line[256];
  lu_device dev;
  cache_info(L, 1, &i, 1);
  dev = cache_device(L, lb_ctx(L), 1);
  snprintf(line, sizeof line, "FFT plan cache (device %s): %lld / %lld plans, %lld bytes "
           "(max memsize %s%lld)", lu_device_str(dev, buf), (long long)i.size,
           (long long)i.max_size, (long long)i.memsize, i.max_memsize < 0 ? "unbounded: " : "",
           (long long)i.max_memsize);
  lua_getglobal(L, "print");
  lua_pushstring(L, line);
  lua_call(L, 1, 0);
  return 0;
}
/* }===== */

void lb_open_fft(lua_State *L, int mod) {
  static const luaL_Reg fns[] = {
    {"fft", l_fft}, {"ifft", l_ifft}, {"rfft", l_rfft}, {"irfft", l_irfft},
    {"hfft", l_hfft}, {"ihfft", l_ihfft}, {"fftn", l_fftn}, {"ifftn", l_ifftn},
    {"rfftn", l_rfftn}, {"irfftn", l_irfftn}, {"fft2", l_fft2}, {"ifft2", l_ifft2},
    {"rfft2", l_rfft2}, {"irfft2", l_irfft2}, {"fftfreq", l_fftfreq},
    {"rfftfreq", l_rfftfreq}, {"fftshift", l_fftshift}, {"ifftshift", l_ifftshift},
    {NULL, NULL}
  };
  static const luaL_Reg cache[] = {
    {"size", l_size}, {"max_size", l_max_size}, {"memsize", l_memsize},
    {"max_memsize", l_max_memsize}, {"set_size", l_set_size}, {"set_memsize", l_set_memsize},
    {"clear", l_clear}, {"get_info", l_get_info}, {"show_info", l_show_info},
    {NULL, NULL}
  };
  mod = lua_absindex(L, mod);
  lua_newtable(L);
  lb_register(L, -1, fns, "lunar.fft.", 0);
  lua_newtable(L);                     /* config */
  lua_newtable(L);                     /* config.plan_cache */
  lb_register(L, -1, cache, "lunar.fft.config.plan_cache.", 0);
  lua_setfield(L, -2, "plan_cache");
  lua_setfield(L, -2, "config");
  lua_setfield(L, mod, "fft");
}
