/* SPDX-License-Identifier: MIT */
/*
** lunar.dist (doc/api/dist.md): the process group and the collectives of
** src/core/dist.c. Torch.distributed's shape: the array first, then the
** root or the reduction, by position or by name; async = true gives a
** handle whose :wait() returns the result.
*/
#include <stdio.h>
#include <string.h>
#include "lb.h"
#include "lu_dist.h"

#define LB_WORK "lunar.dist.work"
#define WORK_MAGIC 0x64776f72u

typedef struct lb_work {
  unsigned magic;
  lu_dist_req *req;
} lb_work;

/* {===== the group */
/* The guard's __gc: the state is closing; leave the group if the script
** did not (lu_dist_atexit) */
static int guard_gc(lua_State *L) {
  lu_dist_atexit(lb_ctx(L));
  return 0;
}

static int l_init(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_params p;
  lu_dist_opts o;
  lb_getparams(L, 1, "", "backend,method,timeout,check", &p);
  memset(&o, 0, sizeof o);
  o.backend = lb_pstr(L, &p, 0, "backend", NULL);
  o.method = lb_pstr(L, &p, 1, "method", NULL);
  o.timeout = lb_pnum(L, &p, 2, "timeout", 0);
  o.check = lb_pbool(L, &p, 3, "check", 1);
  if (p.idx[2] && !(o.timeout > 0))
    return lb_argerror(L, p.idx[2], "timeout must be a positive number of seconds");
  if (lu_dist_init(ctx, &o)) return lb_fail(L, ctx);
  /* the guard ends the group with the state */
  lua_newuserdatauv(L, 1, 0);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, guard_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, "lunar.dist.guard");
  lua_pushstring(L, lu_dist_backend_name());
  return 1;
}

static int noargs(lua_State *L) {
  if (lua_gettop(L) > 0)
    return luaL_error(L, "%s: takes no arguments, got %d", lb_fname(L), lua_gettop(L));
  return 0;
}

/* rank, size, local_rank, local_size: upvalue 3 says which */
static int l_info(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  int v[4], which = (int)lua_tointeger(L, lua_upvalueindex(3));
  noargs(L);
  if (lu_dist_info(ctx, lb_fname(L), &v[0], &v[1], &v[2], &v[3])) return lb_fail(L, ctx);
  lua_pushinteger(L, v[which]);
  return 1;
}

static int l_is_initialized(lua_State *L) {
  noargs(L);
  lua_pushboolean(L, lu_dist_is_init());
  return 1;
}

static int l_backend(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  noargs(L);
  if (!lu_dist_is_init() && lu_dist_info(ctx, lb_fname(L), NULL, NULL, NULL, NULL))
    return lb_fail(L, ctx);
  lua_pushstring(L, lu_dist_backend_name());
  return 1;
}

static int l_barrier(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  noargs(L);
  if (lu_dist_barrier(ctx)) return lb_fail(L, ctx);
  return 0;
}

static int l_finalize(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  noargs(L);
  if (lu_dist_finalize(ctx)) return lb_fail(L, ctx);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, "lunar.dist.guard");
  return 0;
}
/* }===== */

/* {===== handles */
static lb_work *checkwork(lua_State *L) {
  lb_work *w = (lb_work *)lb_testudata(L, 1, LB_WORK, sizeof(lb_work));
  if (w == NULL || w->magic != WORK_MAGIC)
    luaL_error(L, "%s: bad self (dist work handle expected, got %s)", lb_fname(L),
               luaL_typename(L, 1));
  return w;
}

static int work_gc(lua_State *L) {
  lb_work *w = (lb_work *)lb_testudata(L, 1, LB_WORK, sizeof(lb_work));
  if (w && w->magic == WORK_MAGIC && w->req) {
    lu_dist_req_free(lb_ctx(L), w->req);
    w->req = NULL;
  }
  return 0;
}

/* Push the request's result (an array, or nil) */
static int pushresult(lua_State *L, lu_ctx *ctx, lu_dist_req *req) {
  lu_array *res = lb_new(L);
  int has;
  if (lu_dist_wait(ctx, req, res, &has)) return lb_fail(L, ctx);
  if (!has) {
    lua_pop(L, 1);
    lua_pushnil(L);
  }
  return 1;
}

/* work:wait(): the result (nil where the call has none on this rank) */
static int work_wait(lua_State *L) {
  lb_work *w = checkwork(L);
  if (lua_gettop(L) > 1) return luaL_error(L, "%s: takes no arguments", lb_fname(L));
  if (w->req == NULL) return luaL_error(L, "%s: the handle is closed", lb_fname(L));
  return pushresult(L, lb_ctx(L), w->req);
}

/* work:is_completed(): whether wait() would return at once */
static int work_done(lua_State *L) {
  lb_work *w = checkwork(L);
  lu_ctx *ctx = lb_ctx(L);
  int done = 1;
  if (lua_gettop(L) > 1) return luaL_error(L, "%s: takes no arguments", lb_fname(L));
  if (w->req && lu_dist_test(ctx, w->req, &done)) return lb_fail(L, ctx);
  lua_pushboolean(L, done);
  return 1;
}
/* }===== */

/* {===== collectives */
/* The stack index of the array the result is written to (in place, or
** out=), or 0 for a new one. */
static int target(const lb_params *p, int out_i, const lu_dist_args *a) {
  if (a->out && a->out->buf) return p->idx[out_i];
  return a->inplace ? 1 : 0;
}

/* Run the call and push its result or its handle. The request is owned
** by a userdata from the start, so that an error frees it. */
static int run(lua_State *L, lu_dist_args *a, int ret) {
  lu_ctx *ctx = lb_ctx(L);
  lb_work *w = (lb_work *)lua_newuserdatauv(L, sizeof(lb_work), 0);
  w->magic = WORK_MAGIC;
  w->req = NULL;
  luaL_setmetatable(L, LB_WORK);
  if (lu_dist_call(ctx, a, &w->req)) return lb_fail(L, ctx);
  if (a->async) return 1;
  pushresult(L, ctx, w->req);
  lu_dist_req_free(ctx, w->req);
  w->req = NULL;
  /* in place, or into out=: the caller's own array object */
  if (ret && !lua_isnil(L, -1)) lua_pushvalue(L, ret);
  return 1;
}

static lu_dist_red getred(lua_State *L, const lb_params *p, int i) {
  const char *s = lb_pstr(L, p, i, "op", "sum");
  int r = lu_dist_red_from_name(s);
  if (r < 0)
    lb_argerror(L, p->idx[i], "op must be 'sum', 'prod', 'min', 'max' or 'avg', got '%s'", s);
  return (lu_dist_red)r;
}

static int getrank(lua_State *L, const lb_params *p, int i, const char *what, int required) {
  lua_Integer v;
  if (!p->idx[i]) {
    if (required) luaL_error(L, "%s: %s (a rank) is required", lb_fname(L), what);
    return 0;
  }
  if (!lua_isinteger(L, p->idx[i]))
    lb_argerror(L, p->idx[i], "%s must be an integer rank, got %s", what,
                luaL_typename(L, p->idx[i]));
  v = lua_tointeger(L, p->idx[i]);
  if (v < 0 || v > 1 << 30) lb_argerror(L, p->idx[i], "%s %lld is not a rank", what, (long long)v);
  return (int)v;
}

static lu_array *optout(lua_State *L, const lb_params *p, int i) {
  if (!p->idx[i]) return NULL;
  return lb_check(L, p->idx[i]);
}

/* all_reduce(a [, op]), reduce_scatter(a [, op]) */
static int reducing(lua_State *L, lu_dist_op op) {
  lb_params p;
  lu_dist_args a;
  lu_array none;
  lb_getparams(L, 2, "op", "out,inplace,async", &p);
  memset(&a, 0, sizeof a);
  memset(&none, 0, sizeof none);
  a.op = op;
  a.in = lb_check(L, 1);
  a.red = getred(L, &p, 0);
  a.out = optout(L, &p, 1);
  if (a.out == NULL) a.out = &none;
  a.inplace = op == LU_DIST_ALL_REDUCE && p.idx[1] == 0 && lb_pbool(L, &p, 2, "inplace", 1);
  if (op != LU_DIST_ALL_REDUCE && p.idx[2])
    return lb_argerror(L, p.idx[2], "inplace is not an option of %s", lb_fname(L));
  a.async = lb_pbool(L, &p, 3, "async", 0);
  return run(L, &a, target(&p, 1, &a));
}

static int l_all_reduce(lua_State *L) { return reducing(L, LU_DIST_ALL_REDUCE); }
static int l_reduce_scatter(lua_State *L) { return reducing(L, LU_DIST_REDUCE_SCATTER); }

/* broadcast(a [, src]) */
static int l_broadcast(lua_State *L) {
  lb_params p;
  lu_dist_args a;
  lu_array none;
  lb_getparams(L, 2, "src", "out,inplace,async", &p);
  memset(&a, 0, sizeof a);
  memset(&none, 0, sizeof none);
  a.op = LU_DIST_BROADCAST;
  a.in = lb_check(L, 1);
  a.root = getrank(L, &p, 0, "src", 0);
  a.out = optout(L, &p, 1);
  if (a.out == NULL) a.out = &none;
  a.inplace = p.idx[1] == 0 && lb_pbool(L, &p, 2, "inplace", 1);
  a.async = lb_pbool(L, &p, 3, "async", 0);
  return run(L, &a, target(&p, 1, &a));
}

/* reduce(a [, dst [, op]]) */
static int l_reduce(lua_State *L) {
  lb_params p;
  lu_dist_args a;
  lu_array none;
  lb_getparams(L, 2, "dst,op", "out,inplace,async", &p);
  memset(&a, 0, sizeof a);
  memset(&none, 0, sizeof none);
  a.op = LU_DIST_REDUCE;
  a.in = lb_check(L, 1);
  a.root = getrank(L, &p, 0, "dst", 0);
  a.red = getred(L, &p, 1);
  a.out = optout(L, &p, 2);
  if (a.out == NULL) a.out = &none;
  a.inplace = p.idx[2] == 0 && lb_pbool(L, &p, 3, "inplace", 1);
  a.async = lb_pbool(L, &p, 4, "async", 0);
  return run(L, &a, target(&p, 2, &a));
}

/* all_gather(a), all_to_all(a), gather(a [, dst]), scatter(a [, src]) */
static int moving(lua_State *L, lu_dist_op op) {
  lb_params p;
  lu_dist_args a;
  lu_array none;
  int rooted = op == LU_DIST_GATHER || op == LU_DIST_SCATTER;
  memset(&a, 0, sizeof a);
  memset(&none, 0, sizeof none);
  a.op = op;
  if (rooted) {
    lb_getparams(L, 2, op == LU_DIST_GATHER ? "dst" : "src", "out,async", &p);
    a.root = getrank(L, &p, 0, op == LU_DIST_GATHER ? "dst" : "src", 0);
  } else {
    lb_getparams(L, 2, "", "out,async", &p);
  }
  /* scatter: away from the root the first argument may be nil */
  if (op == LU_DIST_SCATTER && lua_isnil(L, 1)) a.in = NULL;
  else a.in = lb_check(L, 1);
  a.out = optout(L, &p, rooted ? 1 : 0);
  if (a.out == NULL) a.out = &none;
  a.async = lb_pbool(L, &p, rooted ? 2 : 1, "async", 0);
  return run(L, &a, target(&p, rooted ? 1 : 0, &a));
}

static int l_all_gather(lua_State *L) { return moving(L, LU_DIST_ALL_GATHER); }
static int l_gather(lua_State *L) { return moving(L, LU_DIST_GATHER); }
static int l_scatter(lua_State *L) { return moving(L, LU_DIST_SCATTER); }
static int l_all_to_all(lua_State *L) { return moving(L, LU_DIST_ALL_TO_ALL); }

static int gettag(lua_State *L, const lb_params *p, int i) {
  lua_Integer t;
  if (!p->idx[i]) return 0;
  if (!lua_isinteger(L, p->idx[i]))
    lb_argerror(L, p->idx[i], "tag must be an integer, got %s", luaL_typename(L, p->idx[i]));
  t = lua_tointeger(L, p->idx[i]);
  if (t < 0 || t > 16383) lb_argerror(L, p->idx[i], "tag must be in 0 .. 16383, got %lld", (long long)t);
  return (int)t;
}

/* send(a, dst) */
static int l_send(lua_State *L) {
  lb_params p;
  lu_dist_args a;
  memset(&a, 0, sizeof a);
  lb_getparams(L, 2, "dst", "tag,async", &p);
  a.op = LU_DIST_SEND;
  a.in = lb_check(L, 1);
  a.root = getrank(L, &p, 0, "dst", 1);
  a.tag = gettag(L, &p, 1);
  a.async = lb_pbool(L, &p, 2, "async", 0);
  return run(L, &a, 0);
}

/* recv(src) or recv(a, src): a new array of the sender's shape, or into a */
static int l_recv(lua_State *L) {
  lb_params p;
  lu_dist_args a;
  lu_array none;
  memset(&a, 0, sizeof a);
  memset(&none, 0, sizeof none);
  a.op = LU_DIST_RECV;
  if (lb_test(L, 1)) {
    a.out = lb_check(L, 1);
    lb_getparams(L, 2, "src", "tag,async", &p);
  } else {
    lb_getparams(L, 1, "src", "tag,async", &p);
    a.out = &none;
  }
  a.root = getrank(L, &p, 0, "src", 1);
  a.tag = gettag(L, &p, 1);
  a.async = lb_pbool(L, &p, 2, "async", 0);
  return run(L, &a, a.out->buf ? 1 : 0);
}
/* }===== */

void lb_open_dist(lua_State *L, int mod) {
  static const luaL_Reg fns[] = {
    {"init", l_init}, {"is_initialized", l_is_initialized}, {"backend", l_backend},
    {"barrier", l_barrier}, {"finalize", l_finalize},
    {"all_reduce", l_all_reduce}, {"broadcast", l_broadcast}, {"reduce", l_reduce},
    {"all_gather", l_all_gather}, {"gather", l_gather}, {"scatter", l_scatter},
    {"reduce_scatter", l_reduce_scatter}, {"all_to_all", l_all_to_all},
    {"send", l_send}, {"recv", l_recv},
    {NULL, NULL}
  };
  static const luaL_Reg workm[] = {
    {"wait", work_wait}, {"is_completed", work_done}, {NULL, NULL}
  };
  static const char *const info[] = {"rank", "size", "local_rank", "local_size"};
  int i;
  mod = lua_absindex(L, mod);
  lua_newtable(L);
  lb_register(L, -1, fns, "lunar.dist.", 0);
  for (i = 0; i < 4; i++) {
    char name[40];
    snprintf(name, sizeof name, "lunar.dist.%s", info[i]);
    lb_pushfn(L, l_info, name, 0, i);
    lua_setfield(L, -2, info[i]);
  }
  lua_setfield(L, mod, "dist");
  luaL_newmetatable(L, LB_WORK);
  lua_pushcfunction(L, work_gc);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  lb_register(L, -1, workm, "work:", 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}
