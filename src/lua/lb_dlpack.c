/* SPDX-License-Identifier: MIT */
/*
** Interop without copies (src/lunar.h): DLPack tensors in both directions
** and arrays over an application's own buffers. DLPack's contract: the
** consumer calls the producer's deleter exactly once when it is done; a
** lunar array built from a tensor calls it when its last view goes, and a
** tensor made from a lunar array holds a view until its deleter runs.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlpack/dlpack.h>
#include "lb.h"
#include "lunar.h"
#include "lu_hostmem.h"

/* bool is code 6 from DLPack 0.8 on (kDLBool); the header may be older */
#define LB_DLBOOL 6

static int dl_of_dtype(lu_dtype dt, DLDataType *t) {
  t->lanes = 1;
  t->bits = (uint8_t)(8 * lu_dtype_size(dt));
  switch (lu_dtype_kind(dt)) {
    case 'b': t->code = LB_DLBOOL; return 1;
    case 'i': t->code = kDLInt; return 1;
    case 'u': t->code = kDLUInt; return 1;
    case 'c': t->code = kDLComplex; return 1;
    default: t->code = dt == LU_BFLOAT16 ? kDLBfloat : kDLFloat; return 1;
  }
}

static int dtype_of_dl(DLDataType t, lu_dtype *out) {
  int i;
  if (t.lanes != 1) return 0;
  for (i = 0; i < LU_NDTYPES; i++) {
    DLDataType u;
    dl_of_dtype((lu_dtype)i, &u);
    if (u.code == t.code && u.bits == t.bits) { *out = (lu_dtype)i; return 1; }
  }
  return 0;
}

/* {===== lunar -> DLPack */
typedef struct {
  DLManagedTensor m;
  int64_t shape[LU_MAXDIM], strides[LU_MAXDIM];
  lu_array view;             /* keeps the buffer (and the context) alive */
} export_t;

static void export_deleter(DLManagedTensor *self) {
  export_t *e = (export_t *)self->manager_ctx;
  lu_array_release(&e->view);
  free(e);
}

int lunar_todlpack(lua_State *L, int idx, DLManagedTensor **out) {
  lb_array *u = lb_toudata(L, idx);
  lu_ctx *ctx;
  export_t *e;
  lu_device dev;
  int i, item;
  *out = NULL;
  /* a pending value computed, and the pending readers of the memory the
  ** consumer may write */
  if (u == NULL || u->closed || lb_settle(L, u) != LU_OK || u->a.buf == NULL) return -1;
  ctx = lb_ctx(L);
  dev = lu_array_device(&u->a);
  /* the consumer reads the memory at once, on its own stream: finish ours */
  if (dev.type != LU_DEV_CPU && lu_synchronize(ctx, dev) != LU_OK) return -1;
  e = (export_t *)lu_calloc(1, sizeof(*e));
  if (e == NULL) return -1;
  lu_array_share(&e->view, &u->a);
  item = lu_array_itemsize(&u->a);
  for (i = 0; i < u->a.ndim; i++) {
    e->shape[i] = u->a.shape[i];
    e->strides[i] = u->a.strides[i] / item;   /* views keep whole items */
  }
  e->m.dl_tensor.data = lu_array_data(&u->a);
  e->m.dl_tensor.device.device_type = dev.type == LU_DEV_CPU ? kDLCPU : kDLCUDA;
  e->m.dl_tensor.device.device_id = dev.index;
  e->m.dl_tensor.ndim = u->a.ndim;
  dl_of_dtype(u->a.dtype, &e->m.dl_tensor.dtype);
  e->m.dl_tensor.shape = e->shape;
  e->m.dl_tensor.strides = e->strides;
  e->m.dl_tensor.byte_offset = 0;
  e->m.manager_ctx = e;
  e->m.deleter = export_deleter;
  *out = &e->m;
  return 0;
}
/* }===== */

/* {===== DLPack and applications' buffers -> lunar */
static void dl_release(void *ud) {
  DLManagedTensor *t = (DLManagedTensor *)ud;
  if (t->deleter != NULL) t->deleter(t);
}

/* a failure the core reported, under the function's name */
static int fail_in(lua_State *L, lu_ctx *ctx, const char *fn) {
  const char *msg = lu_ctx_errmsg(ctx);
  return luaL_error(L, "%s: %s", fn, msg[0] ? msg : "unknown error");
}

/* the device an array over foreign memory lives on */
static lu_device device_of(lua_State *L, lu_ctx *ctx, const char *fn, int type, int id) {
  char name[32];
  lu_device dev;
  if (type == kDLCPU || type == kDLCUDAHost) {
    dev.type = LU_DEV_CPU;
    dev.index = 0;
    return dev;
  }
  if (type != kDLCUDA && type != kDLCUDAManaged)
    luaL_error(L, "%s: DLPack device type %d is not a device lunar has (CPU or CUDA)", fn, type);
  snprintf(name, sizeof name, "cuda:%d", id);
  if (lu_device_parse(ctx, name, &dev))
    luaL_error(L, "%s: DLPack device (%d, %d): %s", fn, type, id, lu_ctx_errmsg(ctx));
  return dev;
}

void lunar_fromdlpack(lua_State *L, DLManagedTensor *t) {
  const char *fn = "lunar_fromdlpack";
  lu_ctx *ctx = lb_ctx(L);
  const DLTensor *d;
  int64_t strides[LU_MAXDIM];
  lu_device dev;
  lu_dtype dt = LU_FLOAT32;
  lu_array *out;
  int i;
  if (t == NULL) luaL_error(L, "%s: NULL tensor", fn);
  d = &t->dl_tensor;
  if (!dtype_of_dl(d->dtype, &dt))
    luaL_error(L, "%s: DLPack dtype (code %d, %d bits, %d lanes) has no lunar dtype", fn,
               (int)d->dtype.code, (int)d->dtype.bits, (int)d->dtype.lanes);
  if (d->ndim < 0 || d->ndim > LU_MAXDIM)
    luaL_error(L, "%s: %d dimensions (lunar has at most %d)", fn, d->ndim, LU_MAXDIM);
  dev = device_of(L, ctx, fn, d->device.device_type, d->device.device_id);
  for (i = 0; i < d->ndim; i++) {
    /* no strides: C order; a stride in items becomes one in bytes */
    if (d->strides != NULL && __builtin_mul_overflow(d->strides[i], (int64_t)lu_dtype_size(dt),
                                                     &strides[i]))
      luaL_error(L, "%s: stride %lld of axis %d overflows", fn, (long long)d->strides[i], i + 1);
  }
  out = lb_new(L);
  if (lu_array_wrap(ctx, out, dt, d->ndim, d->shape, d->strides ? strides : NULL,
                    (char *)d->data + d->byte_offset, dev, dl_release, t))
    fail_in(L, ctx, fn);
}

typedef struct {
  void (*deleter)(void *ptr);
  void *ptr;
} wrapped_t;

static void wrapped_release(void *ud) {
  wrapped_t *w = (wrapped_t *)ud;
  if (w->deleter != NULL) w->deleter(w->ptr);
  free(w);
}

void lunar_wraparray(lua_State *L, int dtype, int ndim, const int64_t *shape,
                     const int64_t *strides, void *ptr, const char *device,
                     void (*deleter)(void *ptr)) {
  const char *fn = "lunar_wraparray";
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = lu_ctx_default_device(ctx);
  lu_array *out;
  wrapped_t *w;
  if (dtype < 0 || dtype >= LU_NDTYPES) luaL_error(L, "%s: bad dtype %d", fn, dtype);
  if (ndim < 0 || ndim > LU_MAXDIM)
    luaL_error(L, "%s: %d dimensions (lunar has at most %d)", fn, ndim, LU_MAXDIM);
  if (ndim > 0 && shape == NULL) luaL_error(L, "%s: NULL shape", fn);
  if (device != NULL && lu_device_parse(ctx, device, &dev)) fail_in(L, ctx, fn);
  out = lb_new(L);
  w = (wrapped_t *)lu_malloc(sizeof(*w));
  if (w == NULL) luaL_error(L, "%s: out of memory", fn);
  w->deleter = deleter;
  w->ptr = ptr;
  if (lu_array_wrap(ctx, out, (lu_dtype)dtype, ndim, shape, strides, ptr, dev, wrapped_release, w)) {
    free(w);
    fail_in(L, ctx, fn);
  }
}
/* }===== */
