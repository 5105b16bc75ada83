/* SPDX-License-Identifier: MIT */
/*
** An application that uses lunar as its scripting layer. It measures
** something (here: a synthetic signal made in C), hands the samples to a
** user's Lua script as a lunar array, calls the script's `analyse`
** function, and reads the array it returns back into C.
**
**   embed script.lua
**
** The script defines `function analyse(samples) ... return array end`.
** Errors in the script are reported with Lua's message and the
** application carries on (here: exits with status 1 after cleaning up).
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "lunar.h"

#define PI 3.14159265358979323846
#define NSAMPLES 4000  /* a whole number of periods */

/* a pcall'd step that fails prints Lua's message */
static int report(lua_State *L, int status, const char *what) {
  if (status == LUA_OK) return 0;
  fprintf(stderr, "embed: %s: %s\n", what, lua_tostring(L, -1));
  lua_pop(L, 1);
  return 1;
}

/* lunar_pusharray raises on bad input: run it under lua_pcall */
static int push_samples(lua_State *L) {
  const double *x = (const double *)lua_touserdata(L, 1);
  int64_t n = NSAMPLES;
  lunar_pusharray(L, LUNAR_FLOAT64, 1, &n, x, NULL);
  return 1;
}

int main(int argc, char **argv) {
  static double samples[NSAMPLES], out[16];
  int dtype, ndim, i, failed = 0;
  int64_t shape[16];
  lua_State *L;

  if (argc != 2) {
    fprintf(stderr, "usage: embed script.lua\n");
    return 2;
  }
  /* the application's data: a 50 Hz tone at 1 kHz sampling plus an offset */
  for (i = 0; i < NSAMPLES; i++) samples[i] = 3.0 + 2.0 * sin(2 * PI * 50.0 * i / 1000.0);

  L = luaL_newstate();
  luaL_openlibs(L);
  if (report(L, lunar_openlibs(L), "opening lunar")) { lua_close(L); return 1; }
  if (report(L, luaL_dofile(L, argv[1]), argv[1])) { lua_close(L); return 1; }

  lua_getglobal(L, "analyse");
  if (!lua_isfunction(L, -1)) {
    fprintf(stderr, "embed: %s does not define a function analyse(samples)\n", argv[1]);
    lua_close(L);
    return 1;
  }
  lua_pushcfunction(L, push_samples);
  lua_pushlightuserdata(L, samples);
  failed = report(L, lua_pcall(L, 1, 1, 0), "handing the samples to Lua");
  if (!failed) failed = report(L, lua_pcall(L, 1, 1, 0), "analyse");
  if (!failed) {
    /* the result: a float64 vector of at most 16 figures */
    if (!lunar_isarray(L, -1, &dtype, &ndim, shape) || dtype != LUNAR_FLOAT64 || ndim != 1 ||
        shape[0] > 16) {
      fprintf(stderr, "embed: analyse must return a float64 vector of at most 16 values\n");
      failed = 1;
    } else if (lunar_toarray(L, -1, out, sizeof out) != 0) {
      fprintf(stderr, "embed: cannot read the result back\n");
      failed = 1;
    } else {
      printf("analyse returned %lld values:", (long long)shape[0]);
      for (i = 0; i < shape[0]; i++) printf(" %.6g", out[i]);
      printf("\n");
    }
  }
  lua_close(L);
  return failed;
}
