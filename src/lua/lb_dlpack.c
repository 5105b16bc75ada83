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

/* {===== DLPack from Lua: lunar.from_dlpack, array:__dlpack, array:__dlpack_device */
/* A tensor handed to Lua: a capsule (Python's PyCapsule "dltensor"), so
** that a script can neither consume it twice nor lose it: from_dlpack
** takes it (t becomes NULL), and the collector runs the deleter of one
** that nobody took. */
#define LB_DLCAPSULE "lunar.dltensor"
#define CAP_MAGIC 0x6c75646cu
typedef struct {
  DLManagedTensor *t;   /* NULL once consumed */
  unsigned magic;       /* CAP_MAGIC: not another userdata given this metatable */
} dl_capsule;

static dl_capsule *tocapsule(lua_State *L, int idx) {
  dl_capsule *c = (dl_capsule *)lb_testudata(L, idx, LB_DLCAPSULE, sizeof(dl_capsule));
  return c != NULL && c->magic == CAP_MAGIC ? c : NULL;
}

static int capsule_gc(lua_State *L) {
  dl_capsule *c = tocapsule(L, 1);
  if (c != NULL && c->t != NULL) {
    DLManagedTensor *t = c->t;
    c->t = NULL;
    if (t->deleter != NULL) t->deleter(t);
  }
  return 0;
}

static int capsule_tostring(lua_State *L) {
  dl_capsule *c = tocapsule(L, 1);
  lua_pushfstring(L, "DLPack tensor (%s): %p", c == NULL ? "not genuine" : c->t ? "unused" : "used",
                  lua_topointer(L, 1));
  return 1;
}

/* (protected) the array over tensor 1 (light userdata) */
static int push_tensor(lua_State *L) {
  lunar_fromdlpack(L, (DLManagedTensor *)lua_touserdata(L, 1));
  return 1;
}

/* The array over t, pushed; ownership passes: t's deleter runs when the
** array's last view goes, or here when lunar refuses t (DLPack's consumer
** calls it exactly once). */
static void from_tensor(lua_State *L, DLManagedTensor *t) {
  lua_pushcfunction(L, push_tensor);
  lua_pushlightuserdata(L, t);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (t->deleter != NULL) t->deleter(t);
    luaL_error(L, "lunar.from_dlpack: %s", msg ? msg : "the tensor was refused");
  }
}

/* The tensor of the value at idx: a capsule (taken: it is now used), or a
** DLManagedTensor pointer as a light userdata (from a C library, which
** hands its ownership over); NULL with a message pushed otherwise. */
static DLManagedTensor *take_tensor(lua_State *L, int idx) {
  dl_capsule *c = tocapsule(L, idx);
  DLManagedTensor *t;
  if (c != NULL) {
    if (c->t == NULL) {
      lua_pushliteral(L, "the DLPack tensor was already consumed");
      return NULL;
    }
    t = c->t;
    c->t = NULL;
    return t;
  }
  if (lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) != NULL)
    return (DLManagedTensor *)lua_touserdata(L, idx);
  lua_pushfstring(L, "not a DLPack tensor (%s)", luaL_typename(L, idx));
  return NULL;
}

/* lunar.from_dlpack(x [, {device =, copy =}]): NumPy's from_dlpack. x is a
** lunar array (a view of it), an object with a __dlpack method giving a
** tensor (a capsule or a DLManagedTensor pointer), or such a tensor.
** Without copy, the result shares x's memory; device = another device
** copies (unless copy = false, an error), copy = true always copies. */
static int l_from_dlpack(lua_State *L) {
  DLManagedTensor *t = NULL;
  lu_ctx *ctx = lb_ctx(L);
  lb_kw kw;
  int copy = -1;
  lb_kwargs(L, 2, "device,copy", &kw);
  if (lua_gettop(L) > 2) lb_argerror(L, 3, "unexpected argument (%s)", luaL_typename(L, 3));
  if (lb_kwfield(L, &kw, "copy") != LUA_TNIL) {
    if (!lua_isboolean(L, -1)) lb_argerror(L, 2, "copy must be a boolean, got %s", luaL_typename(L, -1));
    copy = lua_toboolean(L, -1);
  }
  lua_pop(L, 1);
  if (lb_toudata(L, 1) != NULL) {
    if (lunar_todlpack(L, 1, &t) != 0) {
      if (lb_toudata(L, 1)->closed) return luaL_error(L, "attempt to use a closed array");
      return fail_in(L, ctx, "lunar.from_dlpack");
    }
  } else if (tocapsule(L, 1) != NULL || lua_type(L, 1) == LUA_TLIGHTUSERDATA) {
    if ((t = take_tensor(L, 1)) == NULL)
      return lb_argerror(L, 1, "%s", lua_tostring(L, -1));
  } else {
    int ty = lua_type(L, 1);
    if ((ty != LUA_TTABLE && ty != LUA_TUSERDATA) || lua_getfield(L, 1, "__dlpack") == LUA_TNIL)
      return lb_argerror(L, 1, "an array, a DLPack tensor or an object with a __dlpack method"
                         " expected, got %s", luaL_typename(L, 1));
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    if ((t = take_tensor(L, -1)) == NULL)
      return luaL_error(L, "lunar.from_dlpack: x:__dlpack() gave %s", lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  from_tensor(L, t);
  if (kw.has_dev || copy == 1) {
    lu_array *a = lb_check(L, -1);
    lu_device have = lu_array_device(a);
    int other = kw.has_dev && (kw.dev.type != have.type || kw.dev.index != have.index);
    if (other && copy == 0) {
      lua_getfield(L, -1, "device");
      lua_getfield(L, 2, "device");
      return luaL_error(L, "lunar.from_dlpack: the tensor is on %s, and with copy = false it"
                        " cannot come to %s", lua_tostring(L, -2), lua_tostring(L, -1));
    }
    if (other) {
      lua_getfield(L, -1, "to");
      lua_insert(L, -2);
      lua_getfield(L, 2, "device");
      lua_call(L, 2, 1);
    } else if (copy == 1) {
      lua_getfield(L, -1, "copy");
      lua_insert(L, -2);
      lua_call(L, 1, 1);
    }
  }
  return 1;
}

/* a:__dlpack(): a capsule of a tensor over a's memory (pending work on it
** finished first); a's buffer stays alive until the tensor's consumer
** calls its deleter, or the collector takes an unused capsule. */
static int m_dlpack(lua_State *L) {
  DLManagedTensor *t;
  dl_capsule *c = (dl_capsule *)lua_newuserdatauv(L, sizeof(dl_capsule), 0);
  c->t = NULL;
  c->magic = CAP_MAGIC;
  luaL_setmetatable(L, LB_DLCAPSULE);
  if (lunar_todlpack(L, 1, &t) != 0) {
    if (lb_toudata(L, 1)->closed) return luaL_error(L, "attempt to use a closed array");
    return fail_in(L, lb_ctx(L), "array:__dlpack");
  }
  c->t = t;
  return 1;
}

/* a:__dlpack_device(): DLPack's device type (1 CPU, 2 CUDA) and index */
static int m_dlpack_device(lua_State *L) {
  lu_array *a = lb_check(L, 1);
  lu_device dev = lu_array_device(a);
  lua_pushinteger(L, dev.type == LU_DEV_CPU ? kDLCPU : kDLCUDA);
  lua_pushinteger(L, dev.type == LU_DEV_CPU ? 0 : dev.index);
  return 2;
}

void lb_open_dlpack(lua_State *L, int mod, int methods) {
  mod = lua_absindex(L, mod);
  methods = lua_absindex(L, methods);
  if (luaL_newmetatable(L, LB_DLCAPSULE)) {
    lua_pushcfunction(L, capsule_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, capsule_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);
  lb_pushfn(L, l_from_dlpack, "lunar.from_dlpack", 0, 0);
  lua_setfield(L, mod, "from_dlpack");
  lb_pushfn(L, m_dlpack, "array:__dlpack", 1, -1);
  lua_setfield(L, methods, "__dlpack");
  lb_pushfn(L, m_dlpack_device, "array:__dlpack_device", 1, -1);
  lua_setfield(L, methods, "__dlpack_device");
}
/* }===== */
