/* SPDX-License-Identifier: MIT */
/*
** lunar.RawModule and lunar.RawKernel: CUDA source of the user's, compiled
** by NVRTC on first launch (cached like lunar's kernels) and launched with
** the user's grid and block. A module is userdata "lunar.rawmodule"; a
** kernel ("lunar.rawkernel") holds its module in its user value and the
** parameter list read from the source when it was made. The checks and
** the launch are the core's (src/core/rawkernel.c).
*/
#include <string.h>
#include "lb.h"

#define LB_RAWMODULE "lunar.rawmodule"
#define LB_RAWKERNEL "lunar.rawkernel"

typedef struct lb_rawmodule {
  lu_rawmodule *m;
  unsigned magic;             /* RM_MAGIC: not some other userdata given our metatable */
} lb_rawmodule;
typedef struct lb_rawkernel {
  lu_rawmodule *m;            /* the module's, kept alive by the user value */
  unsigned magic;             /* RK_MAGIC */
  char name[64];
  int np;
  lu_raw_param p[LU_RAW_MAXP];
} lb_rawkernel;
#define RM_MAGIC 0x6c75726du
#define RK_MAGIC 0x6c75726bu

/* The module or kernel at idx, or NULL: the metatable, the size and the
** magic number, as debug.setmetatable can give either metatable to any
** userdata. */
static lb_rawmodule *test_module(lua_State *L, int idx) {
  lb_rawmodule *u = (lb_rawmodule *)lb_testudata(L, idx, LB_RAWMODULE, sizeof(lb_rawmodule));
  return u != NULL && u->magic == RM_MAGIC ? u : NULL;
}

static lb_rawkernel *test_kernel(lua_State *L, int idx) {
  lb_rawkernel *k = (lb_rawkernel *)lb_testudata(L, idx, LB_RAWKERNEL, sizeof(lb_rawkernel));
  return k != NULL && k->magic == RK_MAGIC ? k : NULL;
}

static lb_rawmodule *check_module(lua_State *L, int idx, const char *what) {
  lb_rawmodule *u = test_module(L, idx);
  if (u == NULL) luaL_error(L, "%s: bad self (not a genuine lunar RawModule)", what);
  return u;
}

static lb_rawkernel *check_kernel(lua_State *L, int idx, const char *what) {
  lb_rawkernel *k = test_kernel(L, idx);
  if (k == NULL) luaL_error(L, "%s: bad self (not a genuine lunar RawKernel)", what);
  return k;
}

/* options = {"-DN=4", ...}: the strings, on the stack's table at idx */
static int read_options(lua_State *L, int idx, const char *what, const char **opts) {
  lua_Integer n, i;
  if (lua_isnil(L, idx)) return 0;
  if (lua_type(L, idx) != LUA_TTABLE)
    luaL_error(L, "%s: options must be a table of strings, got %s", what, luaL_typename(L, idx));
  n = luaL_len(L, idx);
  if (n > LU_RAW_MAXOPTS) luaL_error(L, "%s: at most %d options, got %d", what, LU_RAW_MAXOPTS, (int)n);
  for (i = 1; i <= n; i++) {
    if (lua_geti(L, idx, i) != LUA_TSTRING)
      luaL_error(L, "%s: option %d must be a string, got %s", what, (int)i, luaL_typename(L, -1));
    opts[i - 1] = lua_tostring(L, -1);
    lua_pop(L, 1);             /* the table keeps the string */
  }
  return (int)n;
}

/* A module on the stack from code and options (a table at idx or nil) */
static lb_rawmodule *new_module(lua_State *L, const char *code, int optidx, const char *what) {
  lu_ctx *ctx = lb_ctx(L);
  const char *opts[LU_RAW_MAXOPTS];
  int nopts = read_options(L, optidx, what, opts);
  lb_rawmodule *u = (lb_rawmodule *)lua_newuserdatauv(L, sizeof *u, 0);
  u->m = NULL;
  u->magic = RM_MAGIC;
  luaL_setmetatable(L, LB_RAWMODULE);
  if (lu_rawmodule_new(ctx, &u->m, code, nopts, opts)) lb_fail(L, ctx);
  return u;
}

/* A kernel of the module at midx */
static int new_kernel(lua_State *L, int midx, const char *name) {
  lu_ctx *ctx = lb_ctx(L);
  lb_rawmodule *mod = check_module(L, midx, "RawModule:get_function");
  lb_rawkernel *k;
  midx = lua_absindex(L, midx);
  if (strlen(name) >= sizeof k->name) luaL_error(L, "RawKernel: name '%s' is too long", name);
  k = (lb_rawkernel *)lua_newuserdatauv(L, sizeof *k, 1);
  memset(k, 0, sizeof *k);
  k->magic = RK_MAGIC;
  luaL_setmetatable(L, LB_RAWKERNEL);
  lua_pushvalue(L, midx);
  lua_setiuservalue(L, -2, 1);
  if (lu_rawkernel_params(ctx, mod->m, name, k->p, &k->np)) return lb_fail(L, ctx);
  k->m = mod->m;
  strcpy(k->name, name);
  return 1;
}

static const char *str_arg(lua_State *L, int idx, const char *what) {
  if (lua_type(L, idx) != LUA_TSTRING)
    lb_argerror(L, idx, "%s must be a string, got %s", what, luaL_typename(L, idx));
  return lua_tostring(L, idx);
}

/* lunar.RawKernel(code, name [, {options = {...}}]) */
static int l_rawkernel(lua_State *L) {
  const char *code = str_arg(L, 1, "code"), *name = str_arg(L, 2, "name");
  int top = lua_gettop(L);
  if (top > 3) lb_argerror(L, 4, "unexpected argument (%s)", luaL_typename(L, 4));
  lua_settop(L, 3);
  if (!lua_isnil(L, 3)) {
    if (lua_type(L, 3) != LUA_TTABLE) lb_argerror(L, 3, "options must be a table, got %s", luaL_typename(L, 3));
    lua_pushnil(L);
    while (lua_next(L, 3)) {
      if (lua_type(L, -2) != LUA_TSTRING || strcmp(lua_tostring(L, -2), "options") != 0)
        lb_argerror(L, 3, "unknown option '%s' (options: options)",
                    lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : luaL_typename(L, -2));
      lua_pop(L, 1);
    }
    lua_getfield(L, 3, "options");
  } else {
    lua_pushnil(L);
  }
  new_module(L, code, 4, "lunar.RawKernel");
  return new_kernel(L, 5, name);
}

/* lunar.RawModule{code = ..., options = {...}} */
static int l_rawmodule(lua_State *L) {
  const char *code;
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TTABLE)
    return luaL_error(L, "lunar.RawModule: takes one table {code = ..., options = {...}}");
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    if (!key || (strcmp(key, "code") != 0 && strcmp(key, "options") != 0))
      return luaL_error(L, "lunar.RawModule: unknown field '%s' (fields: code, options)",
                        key ? key : luaL_typename(L, -2));
    lua_pop(L, 1);
  }
  if (lua_getfield(L, 1, "code") != LUA_TSTRING)
    return luaL_error(L, "lunar.RawModule: code must be a string, got %s", luaL_typename(L, -1));
  code = lua_tostring(L, -1);
  lua_getfield(L, 1, "options");
  new_module(L, code, 3, "lunar.RawModule");
  return 1;
}

/* mod:get_function(name) */
static int m_get_function(lua_State *L) {
  check_module(L, 1, "RawModule:get_function");
  if (lua_gettop(L) != 2) return luaL_error(L, "RawModule:get_function: takes one name");
  return new_kernel(L, 1, str_arg(L, 2, "name"));
}

/* grid or block: an integer or a table of 1 to 3 integers */
static void dims(lua_State *L, int idx, const char *what, const char *which, int64_t *v) {
  v[0] = v[1] = v[2] = 1;
  if (lua_isinteger(L, idx)) { v[0] = (int64_t)lua_tointeger(L, idx); return; }
  if (lua_type(L, idx) == LUA_TTABLE && !lb_test(L, idx)) {
    lua_Integer n = luaL_len(L, idx), i;
    if (n < 1 || n > 3) luaL_error(L, "%s: %s must have 1 to 3 sizes, got %d", what, which, (int)n);
    for (i = 1; i <= n; i++) {
      int isint;
      lua_geti(L, idx, i);
      v[i - 1] = (int64_t)lua_tointegerx(L, -1, &isint);
      lua_pop(L, 1);
      if (!isint) luaL_error(L, "%s: %s size %d must be an integer", what, which, (int)i);
    }
    return;
  }
  luaL_error(L, "%s: %s must be an integer or a table of 1 to 3 integers, got %s", what, which,
             luaL_typename(L, idx));
}

/* k(grid, block, args [, {shared_mem = n, stream = s}]) */
static int k_call(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_rawkernel *k = check_kernel(L, 1, "RawKernel call");
  int64_t grid[3], block[3], shmem = 0;
  struct lu_stream *stream = NULL;
  lu_arg args[LU_RAW_MAXP];
  lua_Integer n, i;
  char what[100];
  snprintf(what, sizeof what, "RawKernel '%s'", k->name);
  if (lua_gettop(L) < 4 || lua_gettop(L) > 5)
    return luaL_error(L, "%s: takes (grid, block, args [, {shared_mem = n, stream = s}]), got %d "
                      "arguments", what, lua_gettop(L) - 1);
  dims(L, 2, what, "grid", grid);
  dims(L, 3, what, "block", block);
  if (lua_type(L, 4) != LUA_TTABLE || lb_test(L, 4))
    return luaL_error(L, "%s: args must be a table of arrays and numbers, got %s", what,
                      luaL_typename(L, 4));
  if (lua_gettop(L) == 5) {
    if (lua_type(L, 5) != LUA_TTABLE) return luaL_error(L, "%s: options must be a table", what);
    lua_pushnil(L);
    while (lua_next(L, 5)) {
      const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
      if (key && strcmp(key, "shared_mem") == 0) {
        if (!lua_isinteger(L, -1)) return luaL_error(L, "%s: shared_mem must be an integer", what);
        shmem = (int64_t)lua_tointeger(L, -1);
      } else if (key && strcmp(key, "stream") == 0) {
        if ((stream = lb_teststream(L, -1)) == NULL)
          return luaL_error(L, "%s: stream must be a lunar.cuda.Stream, got %s", what,
                            luaL_typename(L, -1));
      } else {
        return luaL_error(L, "%s: unknown option '%s' (options: shared_mem, stream)", what,
                          key ? key : luaL_typename(L, -2));
      }
      lua_pop(L, 1);
    }
  }
  n = luaL_len(L, 4);
  if (n != k->np)
    return luaL_error(L, "%s: takes %d argument%s, got %d", what, k->np, k->np == 1 ? "" : "s", (int)n);
  for (i = 1; i <= n; i++) {
    lu_array *a;
    lua_geti(L, 4, i);
    memset(&args[i - 1], 0, sizeof args[i - 1]);
    if ((a = lb_test(L, -1)) != NULL) args[i - 1].arr = a;
    else if (!lb_toscalar(L, -1, &args[i - 1].s))
      return luaL_error(L, "%s: argument %d must be an array or a number, got %s", what, (int)i,
                        luaL_typename(L, -1));
    lua_pop(L, 1);             /* the args table keeps the array alive */
  }
  if (lu_rawkernel_launch(ctx, k->m, k->name, k->p, k->np, grid, block, shmem, (int)n, args,
                          stream))
    return lb_fail(L, ctx);
  return 0;
}

static int m_gc(lua_State *L) {
  lb_rawmodule *u = test_module(L, 1);
  if (u == NULL) return 0;    /* not ours: nothing to free */
  lu_rawmodule_free(u->m);
  u->m = NULL;
  return 0;
}

static int m_tostring(lua_State *L) {
  check_module(L, 1, "RawModule __tostring");
  lua_pushliteral(L, "RawModule");
  return 1;
}

static int k_tostring(lua_State *L) {
  lb_rawkernel *k = check_kernel(L, 1, "RawKernel __tostring");
  lua_pushfstring(L, "RawKernel '%s'", k->name);
  return 1;
}

/* k.name, k.nargs, k.params (a list of "TYPE NAME" strings, '*' for pointers) */
static int k_index(lua_State *L) {
  lb_rawkernel *k = check_kernel(L, 1, "RawKernel __index");
  const char *key = lua_tostring(L, 2);
  int j;
  if (key == NULL) return 0;
  if (strcmp(key, "name") == 0) lua_pushstring(L, k->name);
  else if (strcmp(key, "nargs") == 0) lua_pushinteger(L, k->np);
  else if (strcmp(key, "params") == 0) {
    lua_createtable(L, k->np, 0);
    for (j = 0; j < k->np; j++) {
      lua_pushfstring(L, "%s%s %s", k->p[j].type, k->p[j].pointer ? " *" : "", k->p[j].name);
      lua_seti(L, -2, j + 1);
    }
  } else lua_pushnil(L);
  return 1;
}

void lb_open_rawkernel(lua_State *L, int mod) {
  static const luaL_Reg mmeta[] = {{"__gc", m_gc}, {"__tostring", m_tostring}, {NULL, NULL}};
  static const luaL_Reg kmeta[] = {{"__call", k_call}, {"__tostring", k_tostring},
                                   {"__index", k_index}, {NULL, NULL}};
  mod = lua_absindex(L, mod);
  if (luaL_newmetatable(L, LB_RAWMODULE)) {
    luaL_setfuncs(L, mmeta, 0);
    lua_newtable(L);
    lb_pushfn(L, m_get_function, "RawModule:get_function", 0, 0);
    lua_setfield(L, -2, "get_function");
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  if (luaL_newmetatable(L, LB_RAWKERNEL)) luaL_setfuncs(L, kmeta, 0);
  lua_pop(L, 1);
  lb_pushfn(L, l_rawkernel, "lunar.RawKernel", 0, 0);
  lua_setfield(L, mod, "RawKernel");
  lb_pushfn(L, l_rawmodule, "lunar.RawModule", 0, 0);
  lua_setfield(L, mod, "RawModule");
}
