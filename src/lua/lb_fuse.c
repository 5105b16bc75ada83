/* SPDX-License-Identifier: MIT */
/*
** The C services of lunar.fuse (lua/fuse.lua traces; src/core/fuse.c
** generates and runs): internal.fuse = {ops, new, call, nkernels}.
** A traced program is userdata "lunar.fused" holding the core's lu_fused.
*/
#include <string.h>
#include "lb.h"
#include "lu_fuse.h"

#define LB_FUSED "lunar.fused"

typedef struct lb_fused {
  lu_fused *f;
  int nres;
  unsigned magic;     /* FU_MAGIC: not some other userdata given our metatable */
} lb_fused;
#define FU_MAGIC 0x6c756675u

/* The traced program at idx, or NULL: the metatable, the size and the magic
** number, as debug.setmetatable can give the metatable to any userdata. */
static lb_fused *test_fused(lua_State *L, int idx) {
  lb_fused *u = (lb_fused *)lb_testudata(L, idx, LB_FUSED, sizeof(lb_fused));
  return u != NULL && u->magic == FU_MAGIC ? u : NULL;
}

static int row_of(const char *name) {
  int i;
  for (i = 0; i < LU_NOPS; i++)
    if (strcmp(lu_ops[i].name, name) == 0) return i;
  return -1;
}

/* An integer field of the table at idx (def when absent) */
static int int_field(lua_State *L, int idx, const char *key, int def) {
  int v = def;
  if (lua_getfield(L, idx, key) != LUA_TNIL) v = (int)luaL_checkinteger(L, -1);
  lua_pop(L, 1);
  return v;
}

/* new{nleaf =, nodes = {{op, in1, in2, in3}...}, res = {...}, red = {...},
** axes = {...}, keepdims =} (refs as lu_fuse_node.in; red: each result's
** reduction name, or nil) */
static int l_new(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_fuse_prog p;
  lb_fused *u;
  int i, k;
  luaL_checktype(L, 1, LUA_TTABLE);
  memset(&p, 0, sizeof p);
  p.nleaf = int_field(L, 1, "nleaf", 0);
  p.red = -1;
  p.naxes = -1;
  p.keepdims = (lua_getfield(L, 1, "keepdims"), lua_toboolean(L, -1));
  lua_pop(L, 1);
  if (lua_getfield(L, 1, "red") == LUA_TTABLE) {   /* each result's reduction */
    int n = (int)luaL_len(L, -1);
    if (n > LU_FUSE_MAXOUT) return luaL_error(L, "fuse: too many results");
    for (k = 0; k < n; k++) {
      const char *r;
      lua_geti(L, -1, k + 1);
      r = luaL_checkstring(L, -1);
      p.redop[k] = -1;
      for (i = 0; i < LU_NREDS; i++) if (strcmp(lu_reds[i].name, r) == 0) p.redop[k] = i;
      if (p.redop[k] < 0) return luaL_error(L, "fuse: unknown reduction '%s'", r);
      lua_pop(L, 1);
    }
    if (n > 0) p.red = p.redop[0];
  }
  lua_pop(L, 1);
  if (lua_getfield(L, 1, "axes") == LUA_TTABLE) {
    p.naxes = (int)luaL_len(L, -1);
    if (p.naxes > LU_MAXDIM) return luaL_error(L, "fuse: too many axes");
    for (i = 0; i < p.naxes; i++) {
      lua_geti(L, -1, i + 1);
      p.axes[i] = (int64_t)luaL_checkinteger(L, -1);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "nodes");
  p.nnode = (int)luaL_len(L, -1);
  if (p.nnode > LU_FUSE_MAXNODE) return luaL_error(L, "fuse: too many nodes");
  for (i = 0; i < p.nnode; i++) {
    lua_geti(L, -1, i + 1);
    for (k = 0; k < 4; k++) {
      lua_geti(L, -1, k + 1);
      if (k == 0) p.node[i].op = (int)luaL_optinteger(L, -1, -1);
      else p.node[i].in[k - 1] = (int)luaL_optinteger(L, -1, 0);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lua_getfield(L, 1, "res");
  p.nres = (int)luaL_len(L, -1);
  if (p.nres > LU_FUSE_MAXOUT) return luaL_error(L, "fuse: too many results");
  for (i = 0; i < p.nres; i++) {
    lua_geti(L, -1, i + 1);
    p.res[i] = (int)luaL_checkinteger(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  u = (lb_fused *)lua_newuserdatauv(L, sizeof *u, 0);
  u->f = NULL;
  u->nres = p.nres;
  u->magic = FU_MAGIC;
  luaL_setmetatable(L, LB_FUSED);
  if (lu_fuse_new(ctx, &u->f, &p) != LU_OK) return lb_fail(L, ctx);
  return 1;
}

/* call(f, leaf...) -> true, result... | false, message (nothing raised:
** the Lua side then runs the unfused function) */
static int l_call(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_fused *u = test_fused(L, 1);
  int top = lua_gettop(L), nargs = top - 1, j, nres;
  lu_arg args[LU_FUSE_MAXLEAF];
  lu_array *outs[LU_FUSE_MAXOUT];
  if (u == NULL) return luaL_error(L, "fuse.call: bad argument #1 (not a lunar traced program)");
  if (u->f == NULL || nargs > LU_FUSE_MAXLEAF) {
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "fuse: bad call");
    return 2;
  }
  for (j = 0; j < nargs; j++) {
    lu_array *a = lb_test(L, j + 2);
    memset(&args[j], 0, sizeof args[j]);
    if (a) { args[j].arr = a; continue; }
    if (!lb_toscalar(L, j + 2, &args[j].s)) {
      lua_pushboolean(L, 0);
      lua_pushfstring(L, "fuse: value %d is a %s", j + 1, luaL_typename(L, j + 2));
      return 2;
    }
  }
  nres = u->nres;
  lua_pushboolean(L, 1);
  for (j = 0; j < nres; j++) outs[j] = lb_new(L);
  if (lu_fuse_call(ctx, u->f, nargs, args, outs) != LU_OK) {
    lua_settop(L, top);
    lua_pushboolean(L, 0);
    lua_pushstring(L, lu_ctx_errmsg(ctx));
    return 2;
  }
  return nres + 1;
}

static int l_gc(lua_State *L) {
  lb_fused *u = test_fused(L, 1);
  if (u == NULL) return 0;   /* not ours: nothing to free */
  lu_fuse_free(u->f);
  u->f = NULL;
  return 0;
}

static int l_nkernels(lua_State *L) {
  lb_fused *u = test_fused(L, 1);
  if (u == NULL) return luaL_error(L, "fuse.nkernels: bad argument #1 (not a lunar traced program)");
  lua_pushinteger(L, u->f ? lu_fuse_nkernels(u->f) : 0);
  return 1;
}

void lb_open_fuse(lua_State *L, int internal) {
  static const luaL_Reg fns[] = {
    {"new", l_new}, {"call", l_call}, {"nkernels", l_nkernels}, {NULL, NULL}
  };
  static const char *const aliases[][2] = {
#define X(al, nm) {#al, #nm},
    LU_OP_ALIASES(X)
#undef X
  };
  int i;
  internal = lua_absindex(L, internal);
  if (luaL_newmetatable(L, LB_FUSED)) {
    lua_pushcfunction(L, l_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  lua_newtable(L);
  luaL_setfuncs(L, fns, 0);
  lua_newtable(L);   /* ops: name -> {row (0-based), nin} */
  for (i = 0; i < LU_NOPS; i++) {
    if (lu_ops[i].name[0] == '_') continue;
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, i); lua_rawseti(L, -2, 1);
    lua_pushinteger(L, lu_ops[i].nin); lua_rawseti(L, -2, 2);
    lua_setfield(L, -2, lu_ops[i].name);
  }
  for (i = 0; i < (int)(sizeof aliases / sizeof aliases[0]); i++) {
    int r = row_of(aliases[i][1]);
    if (r < 0) continue;
    lua_getfield(L, -1, aliases[i][1]);
    lua_setfield(L, -2, aliases[i][0]);
  }
  lua_setfield(L, -2, "ops");
  lua_setfield(L, internal, "fuse");
}
