/* SPDX-License-Identifier: MIT */
/*
** The libFuzzer harness (issue 12): one Lua state with lunar on the CPU,
** kept for the whole run; each input goes to one target of
** tests/fuzz/targets.lua, chosen by LUNAR_FUZZ_TARGET (index, shape, array,
** names, files). The targets turn the bytes into calls that lunar must
** answer with a result or a clear error; a crash, a sanitizer report, an
** error that is not a message, or lunar failing a small computation
** afterwards is a finding. tests/fuzz/run.sh builds the corpora and runs it.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "lunar.h"

static lua_State *L;
static int target_ref = LUA_NOREF;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  const char *dir = getenv("LUNAR_FUZZ_DIR"), *target = getenv("LUNAR_FUZZ_TARGET");
  char path[4096];
  (void)argc;
  (void)argv;
  if (dir == NULL) dir = "tests/fuzz";
  if (target == NULL) target = "index";
  L = luaL_newstate();
  luaL_openlibs(L);
  if (lunar_openlibs(L) != LUA_OK) {
    fprintf(stderr, "fuzz: lunar_openlibs: %s\n", lua_tostring(L, -1));
    abort();
  }
  snprintf(path, sizeof path, "%s/targets.lua", dir);
  if (luaL_dofile(L, path) != LUA_OK) {
    fprintf(stderr, "fuzz: %s: %s\n", path, lua_tostring(L, -1));
    abort();
  }
  lua_getfield(L, -1, target);
  if (!lua_isfunction(L, -1)) {
    fprintf(stderr, "fuzz: no target '%s' in %s\n", target, path);
    abort();
  }
  target_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, target_ref);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    /* the targets catch lunar's errors; one that gets here is a finding */
    fprintf(stderr, "fuzz: %s\n", lua_tostring(L, -1));
    abort();
  }
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
