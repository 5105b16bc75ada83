/* SPDX-License-Identifier: MIT */
/*
** Interop without copies (src/lunar.h): lunar arrays exported as DLPack
** tensors, DLPack tensors and an application's buffers imported as lunar
** arrays. Checks that memory is shared (a write on one side is seen on the
** other), that shapes, strides and dtypes carry over, and that every
** deleter runs exactly once, when the last user is gone. On a machine with
** a GPU the same is done with a buffer from cudaMalloc.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlpack/dlpack.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "lunar.h"
#ifdef LUNAR_HAVE_CUDA
#include <cuda_runtime.h>
#endif

static int failures = 0;

#define CHECK(cond, ...) do { \
    if (!(cond)) { failures++; fprintf(stderr, "test_dlpack:%d: ", __LINE__); \
                   fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
  } while (0)

/* runs code with the value on top of the stack as the global `x` */
static int run_with_x(lua_State *L, const char *code, int nres) {
  lua_setglobal(L, "x");
  if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, nres, 0) != LUA_OK) {
    fprintf(stderr, "test_dlpack: error running %s: %s\n", code, lua_tostring(L, -1));
    lua_pop(L, 1);
    failures++;
    return 0;
  }
  return 1;
}

static void collect(lua_State *L) {
  lua_pushnil(L);
  lua_setglobal(L, "x");
  lua_gc(L, LUA_GCCOLLECT);
  lua_gc(L, LUA_GCCOLLECT);
}

/* {===== lunar -> DLPack */
static void export_cpu(lua_State *L) {
  DLManagedTensor *t = NULL;
  double *d;
  if (luaL_dostring(L, "return lunar.arange(12.0):reshape(3, 4).T") != LUA_OK) {
    fprintf(stderr, "test_dlpack: %s\n", lua_tostring(L, -1));
    failures++;
    return;
  }
  lua_pushvalue(L, -1);
  lua_setglobal(L, "y");
  CHECK(lunar_todlpack(L, -1, &t) == 0 && t != NULL, "todlpack failed");
  lua_pop(L, 1);
  if (t == NULL) return;
  CHECK(t->dl_tensor.ndim == 2 && t->dl_tensor.shape[0] == 4 && t->dl_tensor.shape[1] == 3,
        "shape (%lld,%lld), expected (4,3)", (long long)t->dl_tensor.shape[0],
        (long long)t->dl_tensor.shape[1]);
  CHECK(t->dl_tensor.strides[0] == 1 && t->dl_tensor.strides[1] == 4,
        "strides (%lld,%lld) in items, expected (1,4)", (long long)t->dl_tensor.strides[0],
        (long long)t->dl_tensor.strides[1]);
  CHECK(t->dl_tensor.dtype.code == kDLFloat && t->dl_tensor.dtype.bits == 64 &&
        t->dl_tensor.dtype.lanes == 1, "dtype code %d bits %d", t->dl_tensor.dtype.code,
        t->dl_tensor.dtype.bits);
  CHECK(t->dl_tensor.device.device_type == kDLCPU, "device type %d",
        t->dl_tensor.device.device_type);
  d = (double *)((char *)t->dl_tensor.data + t->dl_tensor.byte_offset);
  /* element (i, j) of the transposed view is i + 4 j of arange */
  CHECK(d[2 * 1 + 4 * 2] == 10.0, "element (2,2) is %g, expected 10", d[2 + 8]);
  d[1] = 100.0;       /* shared memory: lunar sees the write */
  /* the array goes away on the Lua side; the tensor keeps the memory */
  lua_pushnil(L);
  lua_setglobal(L, "y");
  lua_gc(L, LUA_GCCOLLECT);
  CHECK(d[1] == 100.0 && d[11] == 11.0, "the tensor's memory changed after the array went");
  t->deleter(t);

  /* a write through DLPack is seen by Lua while both live */
  if (luaL_dostring(L, "z = lunar.zeros(3, 'int32'); return z") == LUA_OK) {
    CHECK(lunar_todlpack(L, -1, &t) == 0, "todlpack of int32 failed");
    lua_pop(L, 1);
    ((int32_t *)t->dl_tensor.data)[2] = 7;
    if (luaL_dostring(L, "return z[3]") == LUA_OK) {
      CHECK(lua_tointeger(L, -1) == 7, "Lua sees %lld, expected 7", (long long)lua_tointeger(L, -1));
      lua_pop(L, 1);
    }
    CHECK(t->dl_tensor.dtype.code == kDLInt && t->dl_tensor.dtype.bits == 32, "int32 dtype");
    t->deleter(t);
  }
  /* not an array: -1, no error */
  lua_pushinteger(L, 3);
  CHECK(lunar_todlpack(L, -1, &t) == -1 && t == NULL, "a number was exported");
  lua_pop(L, 1);
}
/* }===== */

/* {===== DLPack -> lunar */
static int deleted;

static void count_deleter(DLManagedTensor *self) {
  deleted++;
  free(self->dl_tensor.data);
}

static void import_cpu(lua_State *L) {
  static int64_t shape[2] = {2, 3}, strides[2] = {1, 2};   /* Fortran order */
  DLManagedTensor t;
  float *buf = (float *)malloc(6 * sizeof(float));
  int i;
  for (i = 0; i < 6; i++) buf[i] = (float)i;     /* element (r, c) = r + 2c */
  memset(&t, 0, sizeof t);
  t.dl_tensor.data = buf;
  t.dl_tensor.device.device_type = kDLCPU;
  t.dl_tensor.ndim = 2;
  t.dl_tensor.dtype.code = kDLFloat;
  t.dl_tensor.dtype.bits = 32;
  t.dl_tensor.dtype.lanes = 1;
  t.dl_tensor.shape = shape;
  t.dl_tensor.strides = strides;
  t.deleter = count_deleter;
  deleted = 0;
  lunar_fromdlpack(L, &t);
  if (run_with_x(L, "assert(x.dtype == 'float32', x.dtype); "
                    "assert(x.shape[1] == 2 and x.shape[2] == 3); "
                    "local v = x:totable(); "
                    "assert(v[1][2] == 2 and v[2][3] == 5, 'values'); "
                    "v = x[{{}, 2}]; x[{2, 3}] = 50; y = v; return (x:sum()):item()", 1)) {
    CHECK(lua_tonumber(L, -1) == 60.0, "sum %g, expected 60", lua_tonumber(L, -1));
    lua_pop(L, 1);
  }
  CHECK(buf[5] == 50.0f, "the write from Lua did not reach the buffer (%g)", buf[5]);
  collect(L);
  CHECK(deleted == 0, "deleter ran while a view (y) lives");
  lua_pushnil(L);
  lua_setglobal(L, "y");
  lua_gc(L, LUA_GCCOLLECT);
  CHECK(deleted == 1, "deleter ran %d times, expected once", deleted);
}

/* the error path through a pcall'd C function */
static DLManagedTensor *bad_tensor;
static int push_bad(lua_State *L) {
  lunar_fromdlpack(L, bad_tensor);
  return 1;
}

static void import_errors(lua_State *L) {
  static int64_t shape[1] = {4};
  DLManagedTensor t;
  memset(&t, 0, sizeof t);
  t.dl_tensor.data = malloc(16);
  t.dl_tensor.device.device_type = kDLCPU;
  t.dl_tensor.ndim = 1;
  t.dl_tensor.shape = shape;
  t.dl_tensor.dtype.code = kDLFloat;
  t.dl_tensor.dtype.bits = 32;
  t.dl_tensor.dtype.lanes = 4;                   /* vector types: not lunar's */
  t.deleter = count_deleter;
  deleted = 0;
  bad_tensor = &t;
  lua_pushcfunction(L, push_bad);
  CHECK(lua_pcall(L, 0, 1, 0) != LUA_OK, "a 4-lane dtype was accepted");
  CHECK(strstr(lua_tostring(L, -1), "has no lunar dtype") != NULL, "message: %s",
        lua_tostring(L, -1));
  lua_pop(L, 1);
  t.dl_tensor.dtype.lanes = 1;
  t.dl_tensor.device.device_type = kDLOpenCL;
  lua_pushcfunction(L, push_bad);
  CHECK(lua_pcall(L, 0, 1, 0) != LUA_OK, "an OpenCL tensor was accepted");
  CHECK(strstr(lua_tostring(L, -1), "not a device lunar has") != NULL, "message: %s",
        lua_tostring(L, -1));
  lua_pop(L, 1);
  CHECK(deleted == 0, "a refused tensor was deleted");
  free(t.dl_tensor.data);
}
/* }===== */

/* {===== an application's buffer -> lunar */
static int wrapped;
static int64_t *wrapped_base;
/* the deleter gets the pointer lunar was given (here the buffer's end) */
static void free_wrapped(void *p) {
  wrapped++;
  CHECK(p == wrapped_base + 4, "the deleter got another pointer");
  free(wrapped_base);
}

static void wrap_cpu(lua_State *L) {
  int64_t shape[1] = {5}, strides[1] = {-(int64_t)sizeof(int64_t)};
  int64_t *buf = (int64_t *)malloc(5 * sizeof(int64_t));
  int i;
  wrapped_base = buf;
  for (i = 0; i < 5; i++) buf[i] = 10 * i;
  wrapped = 0;
  /* a reversed view: element 0 is the buffer's last */
  lunar_wraparray(L, LUNAR_INT64, 1, shape, strides, buf + 4, "cpu", free_wrapped);
  if (run_with_x(L, "local t = x:totable(); assert(t[1] == 40 and t[5] == 0, 'reversed'); "
                    "x[1] = -1; return x:sum():item()", 1)) {
    CHECK(lua_tointeger(L, -1) == 59, "sum %lld, expected 59", (long long)lua_tointeger(L, -1));
    lua_pop(L, 1);
  }
  CHECK(buf[4] == -1, "the write did not reach the buffer");
  collect(L);
  CHECK(wrapped == 1, "deleter ran %d times, expected once", wrapped);
}
/* }===== */

#ifdef LUNAR_HAVE_CUDA
/* A buffer from cudaMalloc, wrapped on cuda:0 and filled by Lua. */
static void cuda_free_count(void *p) { wrapped++; cudaFree(p); }

static void wrap_cuda(lua_State *L) {
  int n = 0;
  int64_t shape[1] = {1000};
  float host[1000];
  void *p = NULL;
  DLManagedTensor *t = NULL;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) {
    printf("test_dlpack: no GPU, the CUDA part is skipped\n");
    return;
  }
  CHECK(cudaMalloc(&p, sizeof host) == cudaSuccess, "cudaMalloc");
  wrapped = 0;
  lunar_wraparray(L, LUNAR_FLOAT32, 1, shape, NULL, p, "cuda:0", cuda_free_count);
  if (run_with_x(L, "assert(x.device == 'cuda:0', x.device); "
                    "x[{}] = lunar.arange(1000, {dtype = 'float32', device = 'cuda:0'}); return x", 1)) {
    CHECK(lunar_todlpack(L, -1, &t) == 0, "todlpack of a cuda array");
    lua_pop(L, 1);
  }
  CHECK(cudaMemcpy(host, p, sizeof host, cudaMemcpyDeviceToHost) == cudaSuccess, "cudaMemcpy");
  CHECK(host[999] == 999.0f, "element 999 is %g", host[999]);
  if (t != NULL) {
    CHECK(t->dl_tensor.device.device_type == kDLCUDA && t->dl_tensor.data == p,
          "the exported tensor is not the wrapped memory");
    collect(L);
    CHECK(wrapped == 0, "the buffer went while the tensor holds it");
    t->deleter(t);
  }
  collect(L);
  CHECK(wrapped == 1, "cuda deleter ran %d times", wrapped);
}
#endif

int main(void) {
  lua_State *L = luaL_newstate();
  if (L == NULL) { fprintf(stderr, "test_dlpack: no state\n"); return 1; }
  luaL_openlibs(L);
  if (lunar_openlibs(L) != LUA_OK) {
    fprintf(stderr, "test_dlpack: lunar_openlibs: %s\n", lua_tostring(L, -1));
    return 1;
  }
  /* the CPU parts on the CPU whatever the default device */
  if (luaL_dostring(L, "lunar.set_device('cpu')") != LUA_OK) lua_pop(L, 1);
  export_cpu(L);
  import_cpu(L);
  import_errors(L);
  wrap_cpu(L);
#ifdef LUNAR_HAVE_CUDA
  wrap_cuda(L);
#endif
  CHECK(lua_gettop(L) == 0, "stack not balanced: %d", lua_gettop(L));
  lua_close(L);
  if (failures) { fprintf(stderr, "test_dlpack: %d failure(s)\n", failures); return 1; }
  printf("test_dlpack: ok\n");
  return 0;
}
