/* SPDX-License-Identifier: MIT */
/*
** Streams and graphs in the lunar.cuda table (doc/api/stream.md):
** lunar.cuda.Stream, lunar.cuda.stream(s, fn, ...), lunar.cuda.graph(fn).
** The work is the core's and the CUDA backend's (src/core/lu_stream.h).
**
** Both stream() and graph() call fn in protected mode, so that the
** device's current stream is put back (and a capture ended and discarded)
** whatever fn does, and then raise fn's error unchanged.
*/
#include <string.h>
#include "lb.h"
#include "lu_stream.h"

#define LB_STREAM "lunar.stream"
#define LB_GRAPH "lunar.graph"
#define LB_CURRENT "lunar.stream.current"   /* registry: device index + 1 -> the stream in use */
#define ST_MAGIC 0x6c757374u
#define GR_MAGIC 0x6c756772u

typedef struct lb_stream {
  lu_stream *s;
  lu_ctx *ctx;        /* a reference: the stream may outlive the state's box */
  unsigned magic;
} lb_stream;

typedef struct lb_graph {
  lu_graph *g;        /* NULL once destroyed, or while not made yet */
  lu_ctx *ctx;
  unsigned magic;
} lb_graph;

/* The CUDA device of the cuda.* constructors: the argument at idx (0:
** none), else the default device when it is a GPU, else cuda:0 (which the
** core checks). */
static lu_device cudadev(lua_State *L, lu_ctx *ctx, int idx) {
  lu_device dev = lu_ctx_default_device(ctx);
  if (idx > 0 && !lua_isnoneornil(L, idx)) {
    if (lu_device_parse(ctx, luaL_checkstring(L, idx), &dev))
      lb_argerror(L, idx, "%s", lu_ctx_errmsg(ctx));
    return dev;
  }
  if (dev.type != LU_DEV_CUDA) {
    dev.type = LU_DEV_CUDA;
    dev.index = 0;
  }
  return dev;
}

/* {===== streams */
/* Without a GPU no stream can exist: that is the error to give first. */
static lb_stream *checkstream(lua_State *L, int idx) {
  lb_stream *s = (lb_stream *)lb_testudata(L, idx, LB_STREAM, sizeof(lb_stream));
  if (s == NULL || s->magic != ST_MAGIC) {
    lu_ctx *ctx = lb_ctx(L);
    if (lu_stream_check(ctx, cudadev(L, ctx, 0), lb_fname(L))) lb_fail(L, ctx);
    if (s == NULL) lb_argerror(L, idx, "lunar.cuda.Stream expected, got %s", luaL_typename(L, idx));
    lb_argerror(L, idx, "not a genuine lunar stream");
  }
  if (s->s == NULL) luaL_error(L, "%s: attempt to use a destroyed stream", lb_fname(L));
  return s;
}

lu_stream *lb_teststream(lua_State *L, int idx) {
  lb_stream *s = (lb_stream *)lb_testudata(L, idx, LB_STREAM, sizeof(lb_stream));
  if (s == NULL || s->magic != ST_MAGIC) return NULL;
  if (s->s == NULL) luaL_error(L, "%s: attempt to use a destroyed stream", lb_fname(L));
  return s->s;
}

static int l_stream_gc(lua_State *L) {
  lb_stream *s = (lb_stream *)lb_testudata(L, 1, LB_STREAM, sizeof(lb_stream));
  if (s == NULL || s->magic != ST_MAGIC) return 0;
  if (s->s) lu_stream_destroy(s->ctx, s->s);
  s->s = NULL;
  if (s->ctx) lu_ctx_unref(s->ctx);
  s->ctx = NULL;
  return 0;
}

/* cuda.Stream([device]) */
static int l_stream_new(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev;
  lb_stream *s;
  if (lua_gettop(L) > 1) return luaL_error(L, "%s: takes at most 1 argument, got %d", lb_fname(L), lua_gettop(L));
  dev = cudadev(L, ctx, 1);
  if (lu_stream_check(ctx, dev, "lunar.cuda.Stream")) return lb_fail(L, ctx);
  s = (lb_stream *)lua_newuserdatauv(L, sizeof(lb_stream), 0);
  memset(s, 0, sizeof *s);
  s->magic = ST_MAGIC;
  luaL_setmetatable(L, LB_STREAM);
  if (lu_stream_create(ctx, dev, "lunar.cuda.Stream", &s->s)) return lb_fail(L, ctx);
  s->ctx = ctx;
  lu_ctx_ref(ctx);
  return 1;
}

static int l_stream_synchronize(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_stream *s = checkstream(L, 1);
  if (lu_lazy_flush(ctx)) return lb_fail(L, ctx);   /* the work before it, pending or not */
  if (lu_stream_synchronize(ctx, s->s)) return lb_fail(L, ctx);
  return 0;
}

static int l_stream_query(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_stream *s = checkstream(L, 1);
  int done = 0;
  if (lu_stream_query(ctx, s->s, &done)) return lb_fail(L, ctx);
  lua_pushboolean(L, done);
  return 1;
}

/* The event at idx, which must be on s's device */
static lu_event *stream_event(lua_State *L, lb_stream *s, int idx) {
  char a[16], b[16];
  lu_device edev, sdev = lu_stream_device(s->s);
  lu_event *ev = lb_checkevent(L, idx, &edev);
  if (!lu_device_eq(edev, sdev))
    lb_argerror(L, idx, "the event is on %s, the stream on %s", lu_device_str(edev, a),
                lu_device_str(sdev, b));
  return ev;
}

/* s:record([e]): records e (a new event when not given) on s; returns it */
static int l_stream_record(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_stream *s = checkstream(L, 1);
  lu_event *ev;
  if (lua_gettop(L) > 2) return luaL_error(L, "%s: takes at most 1 argument, got %d", lb_fname(L), lua_gettop(L) - 1);
  if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    lb_newevent(L, lu_stream_device(s->s));
  }
  ev = stream_event(L, s, 2);
  if (lu_lazy_flush(ctx)) return lb_fail(L, ctx);   /* the work before it, pending or not */
  if (lu_stream_record(ctx, s->s, ev)) return lb_fail(L, ctx);
  lua_settop(L, 2);
  return 1;
}

static int l_stream_wait_event(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_stream *s = checkstream(L, 1);
  lu_event *ev;
  if (lua_gettop(L) != 2) return luaL_error(L, "%s: takes 1 argument (an event), got %d", lb_fname(L), lua_gettop(L) - 1);
  ev = stream_event(L, s, 2);
  if (lu_stream_wait_event(ctx, s->s, ev)) return lb_fail(L, ctx);
  lua_settop(L, 1);
  return 1;
}

/* s.done (CuPy's Stream.done) is s:query(); other keys are the methods
** (upvalue 1). The registered query closure is called: it carries the
** binding's upvalues (name, state box) that this one lacks. */
static int l_stream_index(lua_State *L) {
  const char *k = lua_tostring(L, 2);
  if (k != NULL && strcmp(k, "done") == 0) {
    lua_getfield(L, lua_upvalueindex(1), "query");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    return 1;
  }
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

static int l_stream_tostring(lua_State *L) {
  lb_stream *s = (lb_stream *)lb_testudata(L, 1, LB_STREAM, sizeof(lb_stream));
  char b[16];
  if (s == NULL || s->s == NULL) lua_pushliteral(L, "lunar.cuda.Stream (destroyed)");
  else lua_pushfstring(L, "lunar.cuda.Stream(%s)", lu_device_str(lu_stream_device(s->s), b));
  return 1;
}

/* The table of the streams in use, by device, at the top of the stack */
static void current_table(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, LB_CURRENT) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, LB_CURRENT);
  }
}

/* cuda.stream(s, fn, ...): fn(...) with s as its device's current stream;
** returns what fn returns. The stream in use before (kept at 2 and 3 of
** the stack: its table and itself) is put back however fn ends. */
static int l_stream_run(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_stream *s = checkstream(L, 1);
  lua_Integer k = (lua_Integer)lu_stream_device(s->s).index + 1;
  void *prev = NULL;
  int status, rc, base = 3;
  luaL_checktype(L, 2, LUA_TFUNCTION);
  current_table(L);
  lua_rawgeti(L, -1, k);
  lua_rotate(L, 2, 2);          /* 1 s, 2 table, 3 previous, 4 fn, 5.. args */
  if (lu_stream_enter(ctx, s->s, &prev)) return lb_fail(L, ctx);
  lua_pushvalue(L, 1);
  lua_rawseti(L, 2, k);
  status = lua_pcall(L, lua_gettop(L) - 4, LUA_MULTRET, 0);
  lua_pushvalue(L, 3);
  lua_rawseti(L, 2, k);
  /* what fn left pending runs on its stream, as fn asked */
  rc = lu_lazy_flush(ctx);
  rc = lu_stream_leave(ctx, s->s, prev) || rc;
  if (status != LUA_OK) return lua_error(L);
  if (rc) return lb_fail(L, ctx);
  return lua_gettop(L) - base;
}

/* cuda.current_stream([device]): the Stream that lunar.cuda.stream made
** current there, or nil (the device's own stream) */
static int l_current_stream(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lu_device dev = cudadev(L, ctx, 1);
  if (lu_stream_check(ctx, dev, "lunar.cuda.current_stream")) return lb_fail(L, ctx);
  current_table(L);
  lua_rawgeti(L, -1, (lua_Integer)dev.index + 1);
  return 1;
}
/* }===== */

/* {===== graphs */
static lb_graph *checkgraph(lua_State *L, int idx) {
  lb_graph *g = (lb_graph *)lb_testudata(L, idx, LB_GRAPH, sizeof(lb_graph));
  if (g == NULL || g->magic != GR_MAGIC) {
    if (g == NULL) lb_argerror(L, idx, "lunar.cuda.graph expected, got %s", luaL_typename(L, idx));
    lb_argerror(L, idx, "not a genuine lunar graph");
  }
  if (g->g == NULL) luaL_error(L, "%s: attempt to use a destroyed graph", lb_fname(L));
  return g;
}

static int l_graph_gc(lua_State *L) {
  lb_graph *g = (lb_graph *)lb_testudata(L, 1, LB_GRAPH, sizeof(lb_graph));
  if (g == NULL || g->magic != GR_MAGIC) return 0;
  if (g->g) lu_graph_destroy(g->ctx, g->g);
  g->g = NULL;
  if (g->ctx) lu_ctx_unref(g->ctx);
  g->ctx = NULL;
  return 0;
}

/* The options of graph(fn, {warmup = n, device = d}) */
static void graph_opts(lua_State *L, lu_ctx *ctx, int idx, lua_Integer *warmup, lu_device *dev) {
  *warmup = 1;
  *dev = cudadev(L, ctx, 0);
  if (lua_isnoneornil(L, idx)) return;
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    if (k != NULL && strcmp(k, "warmup") == 0) {
      if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 || lua_tointeger(L, -1) > 1000)
        luaL_error(L, "%s: warmup must be an integer from 0 to 1000, got %s", lb_fname(L),
                   luaL_tolstring(L, -1, NULL));
      *warmup = lua_tointeger(L, -1);
    } else if (k != NULL && strcmp(k, "device") == 0) {
      if (lua_type(L, -1) != LUA_TSTRING || lu_device_parse(ctx, lua_tostring(L, -1), dev))
        luaL_error(L, "%s: bad device %s", lb_fname(L), luaL_tolstring(L, -1, NULL));
    } else {
      luaL_error(L, "%s: unknown option '%s'", lb_fname(L), luaL_tolstring(L, -2, NULL));
    }
    lua_pop(L, 1);
  }
}

/* cuda.graph(fn [, opts]): fn runs `warmup` times eagerly (kernels get
** compiled and loaded), then once captured. The graph keeps fn (and so the
** arrays of its upvalues) and what the captured call returned: the static
** outputs, which every replay fills again. */
static int l_graph_new(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lua_Integer warmup, i;
  lu_device dev;
  lb_graph *g;
  int status, rc, top, n;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (lua_gettop(L) > 2) return luaL_error(L, "%s: takes at most 2 arguments, got %d", lb_fname(L), lua_gettop(L));
  graph_opts(L, ctx, 2, &warmup, &dev);
  if (lu_stream_check(ctx, dev, "lunar.cuda.graph")) return lb_fail(L, ctx);
  lua_settop(L, 1);
  for (i = 0; i < warmup; i++) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 0);
  }
  g = (lb_graph *)lua_newuserdatauv(L, sizeof(lb_graph), 1);   /* at 2 */
  memset(g, 0, sizeof *g);
  g->magic = GR_MAGIC;
  luaL_setmetatable(L, LB_GRAPH);
  g->ctx = ctx;
  lu_ctx_ref(ctx);
  if (lu_graph_begin(ctx, dev, &g->g)) { g->g = NULL; return lb_fail(L, ctx); }
  top = lua_gettop(L);
  lua_pushvalue(L, 1);
  status = lua_pcall(L, 0, LUA_MULTRET, 0);
  /* the static outputs computed inside the capture, also where automatic
  ** fusion left them pending behind another value */
  for (i = top + 1; status == LUA_OK && i <= lua_gettop(L); i++) {
    lb_array *u = lb_toudata(L, (int)i);
    if (u != NULL && !u->closed && lb_settle(L, u) != LU_OK) {
      lua_pushstring(L, lu_ctx_errmsg(ctx));
      status = LUA_ERRRUN;
    }
  }
  rc = lu_graph_end(ctx, g->g, status == LUA_OK);
  if (status != LUA_OK || rc != LU_OK) g->g = NULL;   /* discarded and freed */
  if (status != LUA_OK) return lua_error(L);
  if (rc != LU_OK) return lb_fail(L, ctx);
  /* the uservalue: {fn, n = count, outputs...} */
  n = lua_gettop(L) - top;
  lua_createtable(L, n, 2);
  lua_insert(L, top + 1);
  for (i = n; i >= 1; i--) lua_rawseti(L, top + 1, i);
  lua_pushinteger(L, n);
  lua_setfield(L, top + 1, "n");
  lua_pushvalue(L, 1);
  lua_setfield(L, top + 1, "fn");
  lua_setiuservalue(L, 2, 1);
  lua_settop(L, 2);
  return 1;
}

/* g:replay() and g(): enqueue the graph; returns its static outputs */
static int l_graph_replay(lua_State *L) {
  lu_ctx *ctx = lb_ctx(L);
  lb_graph *g = checkgraph(L, 1);
  lua_Integer i, n;
  if (lua_gettop(L) > 1) return luaL_error(L, "%s: takes no arguments, got %d", lb_fname(L), lua_gettop(L) - 1);
  if (lu_graph_replay(ctx, g->g)) return lb_fail(L, ctx);
  lua_getiuservalue(L, 1, 1);
  lua_getfield(L, -1, "n");
  n = lua_tointeger(L, -1);
  lua_pop(L, 1);
  luaL_checkstack(L, (int)n, "too many outputs");
  for (i = 1; i <= n; i++) lua_rawgeti(L, 2, i);
  return (int)n;
}

static int l_graph_tostring(lua_State *L) {
  lb_graph *g = (lb_graph *)lb_testudata(L, 1, LB_GRAPH, sizeof(lb_graph));
  lua_pushstring(L, g == NULL || g->g == NULL ? "lunar.cuda.graph (destroyed)" : "lunar.cuda.graph");
  return 1;
}
/* }===== */

void lb_open_stream(lua_State *L, int mod) {
  static const luaL_Reg cuda[] = {
    {"Stream", l_stream_new}, {"stream", l_stream_run}, {"current_stream", l_current_stream},
    {"graph", l_graph_new}, {NULL, NULL}
  };
  static const luaL_Reg sm[] = {
    {"synchronize", l_stream_synchronize}, {"query", l_stream_query}, {"record", l_stream_record},
    {"wait_event", l_stream_wait_event}, {NULL, NULL}
  };
  static const luaL_Reg gm[] = {{"replay", l_graph_replay}, {NULL, NULL}};
  mod = lua_absindex(L, mod);
  lua_getfield(L, mod, "cuda");
  lb_register(L, -1, cuda, "lunar.cuda.", 0);
  lua_pop(L, 1);
  if (luaL_newmetatable(L, LB_STREAM)) {
    lua_newtable(L);
    lb_register(L, -1, sm, "stream:", 1);
    lua_pushcclosure(L, l_stream_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_stream_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, l_stream_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);
  if (luaL_newmetatable(L, LB_GRAPH)) {
    lua_newtable(L);
    lb_register(L, -1, gm, "graph:", 1);
    lua_setfield(L, -2, "__index");
    lb_pushfn(L, l_graph_replay, "graph:replay", 1, -1);
    lua_setfield(L, -2, "__call");
    lua_pushcfunction(L, l_graph_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, l_graph_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);
}
