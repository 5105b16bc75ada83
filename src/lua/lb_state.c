/* SPDX-License-Identifier: MIT */
/*
** Per-state context, error raising, the array userdata and the closure
** registration that the rest of the binding builds on.
*/
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lb.h"
#include "lb_methods.def"

/* The registry holds one full userdata of this type per lua_State (under the
** address of ctx_key). `cur` is the thread that last entered the binding: the
** GC hook runs the collector on it, because the core calls the hook only from
** inside a binding function, whose thread is running then. The box's user
** value 1 anchors that thread, so it cannot be collected while it is `cur`;
** user value 2 is the array metatable once it exists.
**
** The hot path (an operator on two small arrays) must not look anything up
** by string: every closure made by lb_pushfn carries the box as upvalue 4,
** so lb_ctx, lb_test and lb_new reach the context and the metatable with a
** few pointer reads. `magic` tells a genuine box from another userdata that
** some other closure keeps in its fourth upvalue. */
typedef struct ctxbox {
  const void *magic;   /* &ctx_key */
  lu_ctx *ctx;
  lua_State *cur;
  int busy;            /* the hook is collecting: do not re-enter */
  const void *mt;      /* the array metatable (user value 2), NULL until known */
  int npend;           /* arrays closed during a collection, not yet released */
  size_t nfin;         /* arrays finalized (__gc) so far */
  unsigned nnew;       /* arrays made since the last look at the heap (lb_new) */
  size_t heap_limit;   /* Lua heap bytes past which lb_new collects */
} ctxbox;

static const char ctx_key = 'k';

/* Called by the core when device memory grows. lua_gc returns -1 (doing
** nothing) inside a finalizer; `busy` keeps a finalizer that allocates from
** starting a collection inside the collection. */
/* The hook runs inside a core operation, whose operands are pointers into
** array userdata: a finalizer that closes one of them (x:close()) must not
** pull the buffer away. While the hook collects, lb_release only marks the
** array closed and parks it in the box's user value 3 (a table); the next
** binding call that is not inside a collection releases the parked buffers
** (flush). Any later use of the array raises "closed". */
/* A step (full == 0) reports the bytes of the buffers allocated since the
** last one to Lua's collector, which then does the work it would do had
** Lua allocated them: arrays are paced by their memory, not by the hundred
** bytes of their userdata. */
/* Lua paces its cycles by the heap it measured at the end of the last one,
** and that measure counts the garbage arrays waiting for their finalizers
** as live (Lua frees an object only in the cycle after its finalizer ran).
** A loop of small ops, whose garbage is nearly all arrays, saw its heap
** double cycle after cycle: 1.5 GB for 10^6 iterations of (a+i)*2 on ten
** elements, all garbage. Lua's generational mode does no better: a major
** collection that frees little looks "bad" to it and sends it back to such
** cycles. So the binding also looks at the heap every HEAP_LOOK arrays it
** makes (lb_new) and runs a full collection once the heap is past twice
** its live bytes at the last full one (and past HEAP_MIN): Lua's own rule
** (pause 200), with the finalized arrays, UDATA_HEAD plus sizeof(lb_array)
** bytes each, taken out of the live bytes. The loop stays at about 20 MB,
** and no slower. */
#define HEAP_LOOK 256
#define HEAP_MIN ((size_t)4 << 20)
#define UDATA_HEAD 40
/* After a full collection (on thread T): the limit from the heap it left,
** less the arrays it finalized (those since nfin0). */
static void set_limit(lua_State *T, ctxbox *box, size_t nfin0) {
  size_t heap = (size_t)lua_gc(T, LUA_GCCOUNT) * 1024 + (size_t)lua_gc(T, LUA_GCCOUNTB);
  size_t fin = (box->nfin - nfin0) * (sizeof(lb_array) + UDATA_HEAD);
  heap = heap > fin ? heap - fin : 0;
  box->heap_limit = heap < HEAP_MIN / 2 ? HEAP_MIN : 2 * heap;
}

static void gc_hook(void *ud, int full) {
  ctxbox *box = (ctxbox *)ud;
  size_t kb = full ? 0 : (box->ctx != NULL ? lu_ctx_take_gc_debt(box->ctx) / (8 * 1024) : 0);
  size_t nfin0 = box->nfin;
  if (box->busy || box->cur == NULL || lua_status(box->cur) != LUA_OK) return;
  box->busy = 1;
  if (full) {
    lua_gc(box->cur, LUA_GCCOLLECT, 0);
    set_limit(box->cur, box, nfin0);
  } else if (kb > 0) {
    lua_gc(box->cur, LUA_GCSTEP, kb < INT_MAX ? (int)kb : INT_MAX);
  }
  box->busy = 0;
}

/* lb_new's look at the heap (see HEAP_LOOK). */
static void look(lua_State *L, ctxbox *box) {
  box->nnew = 0;
  if (box->cur == L && (size_t)lua_gc(L, LUA_GCCOUNT) * 1024 > box->heap_limit)
    gc_hook(box, 1);
}

static int ctx_gc(lua_State *L) {
  ctxbox *box = (ctxbox *)lua_touserdata(L, 1);
  /* the box's metatable can be given to another userdata (debug library) */
  if (box == NULL || lua_rawlen(L, 1) != sizeof(ctxbox) || box->magic != &ctx_key) return 0;
  if (box->ctx) {
    lu_ctx *ctx = box->ctx;
    box->ctx = NULL;
    lu_ctx_set_gc_hook(ctx, NULL, NULL);
    lu_ctx_unref(ctx);   /* buffers still alive keep it until they go */
  }
  return 0;
}

#define BOX_UPV lua_upvalueindex(4)

/* The box in upvalue 4 of the running C function, or NULL when that
** function was not made by lb_pushfn. */
static ctxbox *upbox(lua_State *L) {
  ctxbox *box = (ctxbox *)lua_touserdata(L, BOX_UPV);
  if (box == NULL || lua_rawlen(L, BOX_UPV) != sizeof(ctxbox) || box->magic != &ctx_key)
    return NULL;
  return box;
}

/* The slow path of lb_ctx: find (or make) the box in the registry. */
static lu_ctx *ctx_from_registry(lua_State *L) {
  ctxbox *box;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_key) == LUA_TUSERDATA) {
    box = (ctxbox *)lua_touserdata(L, -1);
    if (box->ctx == NULL) luaL_error(L, "lunar: the context is closed");
    if (box->cur != L) {
      lua_pushthread(L);
      lua_setiuservalue(L, -2, 1);
      box->cur = L;
    }
    lua_pop(L, 1);
    return box->ctx;
  }
  lua_pop(L, 1);
  box = (ctxbox *)lua_newuserdatauv(L, sizeof(ctxbox), 3);
  box->magic = &ctx_key;
  box->ctx = NULL;
  box->cur = L;
  box->busy = 0;
  box->mt = NULL;
  box->npend = 0;
  box->nfin = 0;
  box->nnew = 0;
  box->heap_limit = HEAP_MIN;
  lua_newtable(L);
  lua_pushcfunction(L, ctx_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  box->ctx = lu_ctx_new();
  if (box->ctx == NULL) luaL_error(L, "lunar: cannot create a context (out of memory)");
  lu_ctx_set_gc_hook(box->ctx, gc_hook, box);
  lua_pushthread(L);
  lua_setiuservalue(L, -2, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &ctx_key);
  return box->ctx;
}

/* This state's context, created on first use. Records L for the GC hook, so
** every binding function must fetch its context here before calling the
** core. */
static ctxbox *regbox(lua_State *L) {
  ctxbox *box;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_key);
  box = (ctxbox *)lua_touserdata(L, -1);
  lua_pop(L, 1);   /* the registry anchors it */
  return box != NULL && box->magic == &ctx_key ? box : NULL;
}

size_t lb_gc_finalized(lua_State *L) {
  ctxbox *box = regbox(L);
  return box != NULL ? box->nfin : 0;
}

/* After a full collection that the script asked for (collectgarbage):
** the limit follows the heap it left, as after the hook's own. */
void lb_gc_collected(lua_State *L, size_t nfin0) {
  ctxbox *box = regbox(L);
  if (box != NULL) set_limit(L, box, nfin0);
}

/* Release the buffers of the arrays parked by lb_release during a
** collection (see gc_hook). */
static void flush(lua_State *L, ctxbox *box) {
  int i, n = box->npend;
  box->npend = 0;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_key);
  if (lua_getiuservalue(L, -1, 3) == LUA_TTABLE) {
    for (i = 1; i <= n; i++) {
      lb_array *u = (lua_rawgeti(L, -1, i) == LUA_TUSERDATA) ? lb_toudata(L, -1) : NULL;
      if (u != NULL && u->a.buf != NULL) lu_array_release(&u->a);
      if (u != NULL) u->a.buf = NULL;
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  lua_pushnil(L);
  lua_setiuservalue(L, -2, 3);
  lua_pop(L, 1);
}

lu_ctx *lb_ctx(lua_State *L) {
  ctxbox *box = upbox(L);
  if (box != NULL && box->cur == L && box->ctx != NULL && box->npend == 0) return box->ctx;
  if (box == NULL) box = regbox(L);
  if (box != NULL && box->npend > 0 && !box->busy) flush(L, box);
  return ctx_from_registry(L);
}

/* Push the box (for upvalue 4), recording the array metatable in it as soon
** as the registry has one. */
static void pushbox(lua_State *L) {
  ctxbox *box;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_key) != LUA_TUSERDATA) {
    lua_pop(L, 1);
    ctx_from_registry(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_key);
  }
  box = (ctxbox *)lua_touserdata(L, -1);
  if (box->mt == NULL) {
    if (luaL_getmetatable(L, LB_ARRAY) == LUA_TTABLE) {
      box->mt = lua_topointer(L, -1);
      lua_setiuservalue(L, -2, 2);
    } else {
      lua_pop(L, 1);
    }
  }
}

/* Core failures cross into Lua here; the message is data, never a format. */
int lb_fail(lua_State *L, lu_ctx *ctx) {
  return luaL_error(L, "%s", lu_ctx_errmsg(ctx)[0] ? lu_ctx_errmsg(ctx) : "lunar: unknown error");
}

const char *lb_fname(lua_State *L) {
  const char *s = lua_tostring(L, lua_upvalueindex(1));
  return s ? s : "lunar";
}

int lb_ismethod(lua_State *L) {
  return lua_toboolean(L, lua_upvalueindex(2));
}

/* "lunar.zeros: bad argument #1 (msg)"; for methods self is not counted. */
int lb_argerror(lua_State *L, int idx, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  int arg = idx - lb_ismethod(L);
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (arg <= 0)
    return luaL_error(L, "%s: bad self (%s)", lb_fname(L), msg);
  return luaL_error(L, "%s: bad argument #%d (%s)", lb_fname(L), arg, msg);
}

/* Push an empty array userdata (buf NULL) for a result to be computed into:
** pushed first, so the collector owns it if anything raises. */
lu_array *lb_new(lua_State *L) {
  ctxbox *box = upbox(L);
  lb_array *u;
  if (box != NULL && ++box->nnew >= HEAP_LOOK) look(L, box);
  u = (lb_array *)lua_newuserdatauv(L, sizeof(lb_array), 0);
  memset(u, 0, sizeof *u);
  u->magic = LB_MAGIC;
  if (box != NULL && box->mt != NULL) {
    lua_getiuservalue(L, BOX_UPV, 2);
    lua_setmetatable(L, -2);
  } else {
    luaL_setmetatable(L, LB_ARRAY);
  }
  return &u->a;
}

void *lb_testudata(lua_State *L, int idx, const char *tname, size_t size) {
  void *p = luaL_testudata(L, idx, tname);
  return p != NULL && lua_type(L, idx) == LUA_TUSERDATA && lua_rawlen(L, idx) == size
         ? p : NULL;
}

/* The array userdata at idx, or NULL: luaL_testudata without its lookup of
** the metatable by name when the box knows the metatable. The size and the
** magic number tell a genuine array from another userdata that was given
** the array metatable through the debug library. */
static lb_array *toarray(lua_State *L, int idx) {
  ctxbox *box = upbox(L);
  lb_array *u;
  /* a function without the box as its upvalue (a kernel's __call): the
  ** registry's, found by pointer, not the metatable by its name (a string
  ** lookup per operand) */
  if (box == NULL) box = regbox(L);
  if (box != NULL && box->mt != NULL) {
    const void *mt;
    u = (lb_array *)lua_touserdata(L, idx);
    if (u == NULL || !lua_getmetatable(L, idx)) return NULL;
    mt = lua_topointer(L, -1);
    lua_pop(L, 1);
    if (mt != box->mt) return NULL;
  } else {
    u = (lb_array *)luaL_testudata(L, idx, LB_ARRAY);
    if (u == NULL) return NULL;
  }
  if (lua_type(L, idx) != LUA_TUSERDATA || lua_rawlen(L, idx) != sizeof(lb_array) ||
      u->magic != LB_MAGIC)
    return NULL;
  return u;
}

lb_array *lb_toudata(lua_State *L, int idx) {
  return toarray(L, idx);
}

/* Automatic fusion: every use of an array outside the fusable ops passes
** here, so a pending value is computed before anything reads it, and the
** pending values that read an array's buffer are computed before anything
** can write it (lazy.c). */
int lb_settle(lua_State *L, lb_array *u) {
  lu_ctx *ctx = lb_ctx(L);
  if (u->lazy != NULL) {
    lu_lazy *p = u->lazy;
    lu_array v;
    int st = lu_lazy_get(ctx, p, &v);
    if (st != LU_OK) return st;
    u->a = v;
    u->lazy = NULL;
    lu_lazy_unref(p);
    return LU_OK;
  }
  return u->a.buf != NULL ? lu_lazy_touch(ctx, u->a.buf) : LU_OK;
}

static lu_array *checkopen(lua_State *L, lb_array *u) {
  if (u->closed) luaL_error(L, "attempt to use a closed array");
  if (lb_settle(L, u) != LU_OK) lb_fail(L, lb_ctx(L));
  return &u->a;
}

/* Automatic fusion of a random draw: the array on top of the stack (new,
** from lb_new) made the pending draw (lazy.c), 1; else 0 and nothing
** changed (the caller draws into it). */
int lb_lazy_random(lua_State *L, lu_ctx *ctx, lu_randdist dist, int ndim, const int64_t *shape,
                   lu_dtype dt, lu_device dev, lu_rngpos *pos) {
  lb_array *u = toarray(L, -1);
  lu_lazy *p;
  lu_array res;
  if (u == NULL || u->lazy != NULL || u->a.buf != NULL || lu_fusion_mode(ctx) == LU_FUSION_OFF)
    return 0;
  if (lu_lazy_random(ctx, dist, ndim, shape, dt, dev, pos, &p, &res) != LU_OK) return 0;
  u->a = res;
  u->lazy = p;
  return 1;
}

void lb_lazyarg(lua_State *L, int idx, lu_arg *arg, lu_lazy **pend) {
  lb_array *u = toarray(L, idx);
  *pend = NULL;
  if (u != NULL && !u->closed) {
    *pend = u->lazy;
    memset(arg, 0, sizeof *arg);
    arg->arr = &u->a;
    return;
  }
  lb_toarg(L, idx, arg);
}

lu_array *lb_check(lua_State *L, int idx) {
  lb_array *u = toarray(L, idx);
  if (u == NULL)
    lb_argerror(L, idx, "array expected, got %s", luaL_typename(L, idx));
  return checkopen(L, u);
}

/* NULL when the value is not an array; raises when it is a closed one. */
lu_array *lb_test(lua_State *L, int idx) {
  lb_array *u = toarray(L, idx);
  return u ? checkopen(L, u) : NULL;
}

/* __gc, __close and a:close(): release the buffer once; later uses raise. */
int lb_release(lua_State *L) {
  lb_array *u = toarray(L, 1);
  if (u == NULL) {
    /* a finalizer or close on a userdata that only has the array
    ** metatable: nothing of ours to release */
    if (lua_type(L, 1) == LUA_TUSERDATA && luaL_testudata(L, 1, LB_ARRAY)) return 0;
    luaL_checkudata(L, 1, LB_ARRAY);
    return 0;
  }
  if (strcmp(lb_fname(L), "gc") == 0) {
    ctxbox *box = upbox(L);
    if (box != NULL) box->nfin++;
  }
  if (!u->closed) {
    ctxbox *box = upbox(L);
    if (box == NULL) box = regbox(L);
    u->closed = 1;
    if (u->a.buf != NULL && box != NULL && box->busy && strcmp(lb_fname(L), "gc") != 0) {
      /* closed by a finalizer inside a collection started by the core:
      ** park it (gc_hook); garbage arrays (__gc) are nobody's operand */
      lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_key);
      if (lua_getiuservalue(L, -1, 3) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, -3, 3);
      }
      lua_pushvalue(L, 1);
      lua_rawseti(L, -2, ++box->npend);
      lua_pop(L, 2);
      return 0;
    }
    if (u->a.buf) lu_array_release(&u->a);
    u->a.buf = NULL;
    if (u->lazy) {
      lu_lazy *p = u->lazy;
      u->lazy = NULL;
      lu_lazy_unref(p);
    }
  }
  return 0;
}

/* The array methods and the most arguments each takes (lb_methods.def). */
static const struct { const char *name; int nargs; } method_args[] = {
#define X(name, n) {#name, n},
  LB_METHODS(X)
#undef X
};

/* The entry of the method called "array:NAME", or raise: every array
** method must have one. */
static int method_nargs(lua_State *L, const char *name) {
  size_t i;
  for (i = 0; i < sizeof method_args / sizeof method_args[0]; i++)
    if (strcmp(method_args[i].name, name + 6) == 0) return method_args[i].nargs;
  return luaL_error(L, "lunar: the array method %s has no entry in src/lua/lb_methods.def", name);
}

void lb_pusharity(lua_State *L) {
  size_t i, n = sizeof method_args / sizeof method_args[0];
  lua_createtable(L, 0, (int)n);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, method_args[i].nargs);
    lua_setfield(L, -2, method_args[i].name);
  }
}

/* A method's entry: self must be an array (open or closed: close and the
** closed-array message are the method's business), so that a function of
** the method table called with a number (M.exp(5)) is an error; no more
** arguments than the method takes (upvalue 6, from lb_methods.def), so
** that none is ignored; then the method itself (upvalue 5) runs as this
** closure. */
static int method_entry(lua_State *L) {
  lua_CFunction f = lua_tocfunction(L, lua_upvalueindex(5));
  lua_Integer max = lua_tointeger(L, lua_upvalueindex(6));
  int n = lua_gettop(L) - 1;
  if (toarray(L, 1) == NULL)
    lb_argerror(L, 1, "array expected, got %s", luaL_typename(L, 1));
  if (max >= 0 && n > max) {
    if (max == 0)
      lb_argerror(L, (int)max + 2, "unexpected argument (%s); %s takes no arguments",
                  luaL_typename(L, (int)max + 2), lb_fname(L));
    lb_argerror(L, (int)max + 2, "unexpected argument (%s); %s takes at most %d argument%s",
                luaL_typename(L, (int)max + 2), lb_fname(L), (int)max, max == 1 ? "" : "s");
  }
  return f(L);
}

/* Upvalues 1-3 as lb.h says; upvalue 4 is this state's context box, which
** lb_ctx, lb_new and lb_test read instead of the registry; an array
** method has its function in upvalue 5, the most arguments it takes in
** upvalue 6, and method_entry in front. */
void lb_pushfn(lua_State *L, lua_CFunction f, const char *name, int method,
               int extra) {
  lua_pushstring(L, name);
  lua_pushboolean(L, method);
  if (extra >= 0) lua_pushinteger(L, extra); else lua_pushnil(L);
  pushbox(L);
  if (method && strncmp(name, "array:", 6) == 0) {   /* not event:record */
    lua_pushcfunction(L, f);
    lua_pushinteger(L, method_nargs(L, name));
    lua_pushcclosure(L, method_entry, 6);
    return;
  }
  lua_pushcclosure(L, f, 4);
}

/* Set t[name] for every entry, as closures named prefix..name. */
void lb_register(lua_State *L, int t, const luaL_Reg *regs, const char *prefix,
                 int method) {
  t = lua_absindex(L, t);
  for (; regs->name; regs++) {
    lua_pushfstring(L, "%s%s", prefix, regs->name);
    lb_pushfn(L, regs->func, lua_tostring(L, -1), method, -1);
    lua_remove(L, -2);
    lua_setfield(L, t, regs->name);
  }
}
