/* SPDX-License-Identifier: MIT */
/*
** Embedding lunar, as an application does: create a Lua state, open the
** standard libraries and lunar, let Lua make an array and read it from C,
** then hand Lua an array made in C. Runs on the default device (the GPU
** where there is one), so it also checks the copy back to the host.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "lunar.h"

static int failures = 0;

#define CHECK(cond, ...) do { \
    if (!(cond)) { failures++; fprintf(stderr, "test_embed:%d: ", __LINE__); \
                   fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
  } while (0)

static int run(lua_State *L, const char *code, int nres) {
  if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, nres, 0) != LUA_OK) {
    fprintf(stderr, "test_embed: error running %s: %s\n", code, lua_tostring(L, -1));
    lua_pop(L, 1);
    failures++;
    return 0;
  }
  return 1;
}

/* Lua makes an int64 (2,3) array; C reads its shape, dtype and elements. */
static void lua_to_c(lua_State *L) {
  int dtype = -1, ndim = -1;
  int64_t shape[16] = {0}, vals[6] = {0};
  int i;
  if (!run(L, "return lunar.arange(6):reshape(2, 3) * 2", 1)) return;
  CHECK(lunar_isarray(L, -1, &dtype, &ndim, shape), "result is not an array");
  CHECK(dtype == LUNAR_INT64, "dtype %d, expected int64 (%d)", dtype, LUNAR_INT64);
  CHECK(ndim == 2 && shape[0] == 2 && shape[1] == 3,
        "shape ndim=%d (%lld,%lld), expected (2,3)", ndim, (long long)shape[0],
        (long long)shape[1]);
  CHECK(lunar_toarray(L, -1, vals, 5 * sizeof(int64_t)) == -1,
        "toarray accepted a destination that is too small");
  CHECK(lunar_toarray(L, -1, vals, sizeof vals) == 0, "toarray failed");
  for (i = 0; i < 6; i++)
    CHECK(vals[i] == 2 * i, "element %d is %lld, expected %d", i, (long long)vals[i], 2 * i);
  lua_pop(L, 1);

  lua_pushinteger(L, 7);
  CHECK(!lunar_isarray(L, -1, NULL, NULL, NULL), "a number is taken for an array");
  CHECK(lunar_toarray(L, -1, vals, sizeof vals) == -1, "toarray accepted a number");
  lua_pop(L, 1);
}

/* C makes a float32 (2,2) array on the CPU; Lua computes with it. */
static void c_to_lua(lua_State *L) {
  const float data[4] = {1.5f, -2.0f, 3.25f, 4.0f};
  const int64_t shape[2] = {2, 2};
  lunar_pusharray(L, LUNAR_FLOAT32, 2, shape, data, "cpu");
  lua_setglobal(L, "m");
  if (!run(L, "return m.dtype, m.device, m.shape[1], m.shape[2], m:sum():item(),"
              " m[{2, 1}], m.T[{1, 2}]", 7)) return;
  CHECK(strcmp(lua_tostring(L, -7), "float32") == 0, "dtype %s", lua_tostring(L, -7));
  CHECK(strcmp(lua_tostring(L, -6), "cpu") == 0, "device %s", lua_tostring(L, -6));
  CHECK(lua_tointeger(L, -5) == 2 && lua_tointeger(L, -4) == 2, "shape");
  CHECK(lua_tonumber(L, -3) == 6.75, "sum %g, expected 6.75", lua_tonumber(L, -3));
  CHECK(lua_tonumber(L, -2) == 3.25, "m[{2,1}] %g, expected 3.25", lua_tonumber(L, -2));
  CHECK(lua_tonumber(L, -1) == 3.25, "m.T[{1,2}] %g, expected 3.25", lua_tonumber(L, -1));
  lua_pop(L, 7);

  /* the copy is the caller's: changing `data` later changes nothing */
  lunar_pusharray(L, LUNAR_FLOAT64, 1, (const int64_t[]){3}, (const double[]){1, 2, 3}, NULL);
  lua_setglobal(L, "v");
  if (run(L, "return (v * v):sum():item(), v.dtype", 2)) {
    CHECK(lua_tonumber(L, -2) == 14.0, "sum of squares %g, expected 14", lua_tonumber(L, -2));
    CHECK(strcmp(lua_tostring(L, -1), "float64") == 0, "dtype %s", lua_tostring(L, -1));
    lua_pop(L, 2);
  }
}

/* A bad argument raises a Lua error that a pcall catches. */
static int push_bad(lua_State *L) {
  const int64_t shape[1] = {-1};
  lunar_pusharray(L, LUNAR_FLOAT64, 1, shape, NULL, "cpu");
  return 1;
}

int main(void) {
  lua_State *L = luaL_newstate();
  if (L == NULL) { fprintf(stderr, "test_embed: no state\n"); return 1; }
  luaL_openlibs(L);
  if (lunar_openlibs(L) != LUA_OK) {
    fprintf(stderr, "test_embed: lunar_openlibs: %s\n", lua_tostring(L, -1));
    return 1;
  }
  run(L, "assert(lunar == require 'lunar', 'global lunar is the module')", 0);
  lua_to_c(L);
  c_to_lua(L);
  lua_pushcfunction(L, push_bad);
  CHECK(lua_pcall(L, 0, 1, 0) != LUA_OK, "a negative shape was accepted");
  lua_pop(L, 1);
  CHECK(lua_gettop(L) == 0, "stack not balanced: %d", lua_gettop(L));
  lua_close(L);
  if (failures) { fprintf(stderr, "test_embed: %d failure(s)\n", failures); return 1; }
  printf("test_embed: ok\n");
  return 0;
}
