/* SPDX-License-Identifier: MIT */
/*
** A test-only shared object that puts lunar and a Lua 5.4 state inside
** another program: tests/interop/dlpack_numpy.py loads it with ctypes and
** exchanges DLPack tensors between lunar and NumPy (and, on a GPU machine,
** CuPy and PyTorch) in one process. Plain C helpers only; every call that
** can raise a Lua error runs under lua_pcall, so an error comes back as a
** string and never longjmps through the caller's frames.
**
** The caller must not run two of these at once on one state (Python calls
** them through ctypes.PyDLL, which keeps the GIL: a deleter that a lunar
** collection runs may be NumPy's, which needs it).
*/
#include <stdio.h>
#include <string.h>
#include <dlpack/dlpack.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "lunar.h"

#define SHIM_API __attribute__((visibility("default")))

static void put_str(char *err, size_t n, const char *msg) {
  if (err != NULL && n > 0) snprintf(err, n, "%s", msg ? msg : "(error object is not a string)");
}

/* the error on top of the stack into err; pops it */
static int fail(lua_State *L, char *err, size_t n) {
  put_str(err, n, lua_tostring(L, -1));
  lua_pop(L, 1);
  return 1;
}

/* A new state with the standard libraries and lunar (the global `lunar`),
** or NULL with the reason in err. */
SHIM_API lua_State *shim_open(char *err, size_t n) {
  lua_State *L = luaL_newstate();
  if (L == NULL) {
    put_str(err, n, "shim_open: luaL_newstate failed (out of memory)");
    return NULL;
  }
  luaL_openlibs(L);
  if (lunar_openlibs(L) != LUA_OK) {
    fail(L, err, n);
    lua_close(L);
    return NULL;
  }
  return L;
}

SHIM_API void shim_close(lua_State *L) {
  if (L != NULL) lua_close(L);
}

static int do_run(lua_State *L) {
  const char *code = (const char *)lua_touserdata(L, 1);
  lua_settop(L, 0);
  if (luaL_loadbufferx(L, code, strlen(code), "=shim_run", "t") != LUA_OK) return lua_error(L);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) lua_pushliteral(L, "");
  else luaL_tolstring(L, -1, NULL);
  return 1;
}

/* Runs a chunk. 0: out holds tostring of its first result ("" when none);
** 1: out holds the error message. */
SHIM_API int shim_run(lua_State *L, const char *code, char *out, size_t n) {
  lua_pushcfunction(L, do_run);
  lua_pushlightuserdata(L, (void *)code);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) return fail(L, out, n);
  put_str(out, n, lua_tostring(L, -1));
  lua_pop(L, 1);
  return 0;
}

/* {===== the counted deleter of exported tensors
** lunar's tensors all carry the same deleter; the shim puts its own in
** front, so that the test can see how many times consumers called it */
static void (*lunar_deleter)(DLManagedTensor *) = NULL;
static long deleter_calls = 0;

static void counted_deleter(DLManagedTensor *t) {
  deleter_calls++;
  lunar_deleter(t);
}

SHIM_API long shim_deleter_calls(void) { return deleter_calls; }
/* }===== */

/* under lua_pcall: global name (upvalue-free: arguments 1 and 2 are light
** userdata: the name, the out pointer) */
static int do_export(lua_State *L) {
  const char *name = (const char *)lua_touserdata(L, 1);
  DLManagedTensor **out = (DLManagedTensor **)lua_touserdata(L, 2);
  lua_getglobal(L, name);
  if (lunar_isarray(L, -1, NULL, NULL, NULL) == 0)
    return luaL_error(L, "shim_export: the global '%s' is not a lunar array (%s)", name,
                      luaL_typename(L, -1));
  if (lunar_todlpack(L, -1, out) != 0)
    return luaL_error(L, "shim_export: lunar_todlpack refused the global '%s'", name);
  return 0;
}

/* The global `name` as a DLPack tensor that shares its memory; its deleter
** is counted (shim_deleter_calls). 0, or 1 with the reason in err. */
SHIM_API int shim_export(lua_State *L, const char *name, DLManagedTensor **out, char *err,
                         size_t n) {
  *out = NULL;
  lua_pushcfunction(L, do_export);
  lua_pushlightuserdata(L, (void *)name);
  lua_pushlightuserdata(L, out);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) return fail(L, err, n);
  if (lunar_deleter == NULL) lunar_deleter = (*out)->deleter;
  if ((*out)->deleter != lunar_deleter) {   /* one deleter for all of lunar's tensors */
    (*out)->deleter(*out);
    *out = NULL;
    put_str(err, n, "shim_export: lunar's tensors carry different deleters");
    return 1;
  }
  (*out)->deleter = counted_deleter;
  return 0;
}

/* A tensor's deleter, for one the test never handed to a consumer. */
SHIM_API void shim_delete(DLManagedTensor *t) {
  if (t != NULL && t->deleter != NULL) t->deleter(t);
}

/* {===== the destructor of the "dltensor" capsules the test makes
** It runs while the capsule is freed, also while the consumer that refused
** it is raising its error, so it must leave Python's error state alone: it
** is C, not a ctypes callback (a ctypes call cannot run with an exception
** pending). The two capsule functions it needs come from the caller, as
** addresses, so that the shim needs no Python headers and no libpython. */
static int (*capsule_is_valid)(void *capsule, const char *name);
static void *(*capsule_get_pointer)(void *capsule, const char *name);

SHIM_API void shim_set_capsule_api(void *is_valid, void *get_pointer) {
  capsule_is_valid = (int (*)(void *, const char *))is_valid;
  capsule_get_pointer = (void *(*)(void *, const char *))get_pointer;
}

/* A capsule a consumer took is renamed "used_dltensor" and the consumer
** calls the deleter; one still named "dltensor" owns its tensor. */
SHIM_API void shim_capsule_destructor(void *capsule) {
  DLManagedTensor *t;
  if (capsule_is_valid == NULL || !capsule_is_valid(capsule, "dltensor")) return;
  t = (DLManagedTensor *)capsule_get_pointer(capsule, "dltensor");
  if (t != NULL && t->deleter != NULL) t->deleter(t);
}
/* }===== */

static int do_import(lua_State *L) {
  const char *name = (const char *)lua_touserdata(L, 1);
  DLManagedTensor *t = (DLManagedTensor *)lua_touserdata(L, 2);
  lunar_fromdlpack(L, t);
  lua_setglobal(L, name);
  return 0;
}

/* An array over the tensor's memory as the global `name`. 0: lunar owns
** the tensor now (it calls the deleter when the array and its views are
** gone); 1: the reason in err, and the caller still owns the tensor. */
SHIM_API int shim_import(lua_State *L, const char *name, DLManagedTensor *t, char *err,
                         size_t n) {
  lua_pushcfunction(L, do_import);
  lua_pushlightuserdata(L, (void *)name);
  lua_pushlightuserdata(L, t);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) return fail(L, err, n);
  return 0;
}

/* A full collection (twice: finalizers run in the first) */
SHIM_API void shim_collect(lua_State *L) {
  lua_gc(L, LUA_GCCOLLECT);
  lua_gc(L, LUA_GCCOLLECT);
}

/* whether lunar was built with its CUDA backend */
SHIM_API int shim_built_with_cuda(void) {
#ifdef LUNAR_HAVE_CUDA
  return 1;
#else
  return 0;
#endif
}
