/* SPDX-License-Identifier: MIT */
/*
** The C embedding API of src/lunar.h (all but luaopen_lunar, which is in
** lb_module.c): opening lunar in a state and exchanging arrays with C.
*/
#include "lb.h"
#include "lunar.h"

/* lunar.h's dtype codes are the core's dtype numbers */
_Static_assert((int)LUNAR_BOOL == (int)LU_BOOL && (int)LUNAR_FLOAT64 == (int)LU_FLOAT64 &&
               (int)LUNAR_FLOAT16 == (int)LU_FLOAT16 && (int)LUNAR_BFLOAT16 == (int)LU_BFLOAT16 &&
               (int)LUNAR_COMPLEX64 == (int)LU_COMPLEX64 &&
               (int)LUNAR_COMPLEX128 == (int)LU_COMPLEX128 &&
               (int)LUNAR_COMPLEX128 + 1 == (int)LU_NDTYPES, "lunar.h dtype codes");

static int openlibs(lua_State *L) {
  luaL_requiref(L, "lunar", luaopen_lunar, 1);
  return 0;
}

int lunar_openlibs(lua_State *L) {
  lua_pushcfunction(L, openlibs);
  return lua_pcall(L, 0, 0, 0);
}

void lunar_prestart(void) { lu_prestart(); }
void lunar_prestart_end(void) { lu_prestart_end(); }

void lunar_pusharray(lua_State *L, int dtype, int ndim, const int64_t *shape,
                     const void *data, const char *device) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = lu_ctx_default_device(ctx);
  lu_array *out;
  int i;
  if (dtype < 0 || dtype >= LU_NDTYPES) luaL_error(L, "lunar_pusharray: bad dtype %d", dtype);
  if (ndim < 0 || ndim > LU_MAXDIM) luaL_error(L, "lunar_pusharray: bad ndim %d", ndim);
  for (i = 0; i < ndim; i++)
    if (shape[i] < 0) luaL_error(L, "lunar_pusharray: negative dimension %d", (int)shape[i]);
  if (device && lu_device_parse(ctx, device, &dev)) lb_fail(L, ctx);
  out = lb_new(L);
  if (lu_from_host(ctx, out, (lu_dtype)dtype, ndim, shape, dev, data)) lb_fail(L, ctx);
}

int lunar_isarray(lua_State *L, int idx, int *dtype, int *ndim, int64_t *shape) {
  lb_array *u = lb_toudata(L, idx);
  int i;
  if (u == NULL || u->closed || (u->a.buf == NULL && u->lazy == NULL)) return 0;
  if (dtype) *dtype = (int)u->a.dtype;
  if (ndim) *ndim = u->a.ndim;
  if (shape) for (i = 0; i < u->a.ndim; i++) shape[i] = u->a.shape[i];
  return 1;
}

int lunar_toarray(lua_State *L, int idx, void *dst, size_t nbytes) {
  lb_array *u = lb_toudata(L, idx);
  lu_ctx *ctx;
  if (u == NULL || u->closed || lb_settle(L, u) != LU_OK || u->a.buf == NULL) return -1;
  if (nbytes < (size_t)u->a.size * lu_array_itemsize(&u->a)) return -1;
  ctx = lb_ctx(L);   /* also tells the GC hook which thread runs */
  if (u->a.size == 0) return 0;
  return lu_to_host_as(ctx, &u->a, dst, "lunar_toarray") ? -1 : 0;
}
