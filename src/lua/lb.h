/* SPDX-License-Identifier: MIT */
/*
** The Lua binding's internal interface (src/lua). Only this directory sees
** it. Every C function of the binding is a closure made by lb_register with
** three upvalues:
**   1  the name shown in error messages ("lunar.zeros", "array:reshape")
**   2  true for methods (self is not counted in argument numbers)
**   3  an integer (op index) or nil
*/
#ifndef lb_h
#define lb_h

#include "lua.h"
#include "lauxlib.h"
#include "lu_api.h"
#include "lu_lazy.h"

#define LB_ARRAY "lunar.array"
#define LB_EVENT "lunar.event"

/* The userdata behind every array: the array inline, plus a closed flag. */
typedef struct lb_array {
  lu_array a;         /* a pending value's placeholder (buf NULL) while lazy */
  lu_lazy *lazy;      /* automatic fusion: the value is pending (lazy.c) */
  int closed;
  unsigned magic;     /* LB_MAGIC: the metatable alone is no type check, as
                         debug.setmetatable can give it to any userdata */
} lb_array;
#define LB_MAGIC 0x6c756e61u

/* The userdata at idx when it has metatable tname and exactly `size` bytes
** (luaL_testudata plus a size check), else NULL. */
void *lb_testudata(lua_State *L, int idx, const char *tname, size_t size);
/* The array userdata at idx (open or closed), or NULL. */
lb_array *lb_toudata(lua_State *L, int idx);

/* A kwargs table or dtype string parsed by lb_kwargs. */
typedef struct lb_kw {
  int dtype;          /* -1: not given */
  int has_dev;
  lu_device dev;
  int idx;            /* stack index of the kwargs table, 0 if none */
} lb_kw;

/* Parameters parsed by lb_params (lb_args.c). */
#define LB_MAXPARAMS 16
typedef struct lb_params {
  int n, npos;
  int opts;                 /* stack index of the options table, 0 if none */
  int idx[LB_MAXPARAMS];    /* stack index of each parameter's value, 0 if not given */
} lb_params;

/* {===== lb_state.c: context, errors, userdata */
lu_ctx *lb_ctx(lua_State *L);
int lb_fail(lua_State *L, lu_ctx *ctx);
const char *lb_fname(lua_State *L);
int lb_argerror(lua_State *L, int idx, const char *fmt, ...);
int lb_ismethod(lua_State *L);
lu_array *lb_new(lua_State *L);
lu_array *lb_check(lua_State *L, int idx);
lu_array *lb_test(lua_State *L, int idx);
int lb_release(lua_State *L);
/* An operand of a fusable op: as lb_toarg, but an array is taken as it is
** (a pending one as its placeholder, *pend its value), without computing
** it or the pending values that read it. */
void lb_lazyarg(lua_State *L, int idx, lu_arg *arg, lu_lazy **pend);
/* The array behind u made current (a pending value computed, the pending
** readers of its buffer computed first); LU_OK or the failure's status,
** with the message in the context, raising nothing. */
int lb_settle(lua_State *L, lb_array *u);
int lb_lazy_random(lua_State *L, lu_ctx *ctx, lu_randdist dist, int ndim, const int64_t *shape,
                   lu_dtype dt, lu_device dev, lu_rngpos *pos);
void lb_register(lua_State *L, int t, const luaL_Reg *regs, const char *prefix,
                 int method);
void lb_pushfn(lua_State *L, lua_CFunction f, const char *name, int method,
               int extra);
/* The arrays finalized so far, and, after a full collection asked for by
** the script, the heap pacing reset from the heap it left (lb_state.c). */
size_t lb_gc_finalized(lua_State *L);
void lb_gc_collected(lua_State *L, size_t nfin0);
/* A table: every array method written in C -> the most arguments it takes
** after self (-1: any number), as src/lua/lb_methods.def lists them. */
void lb_pusharity(lua_State *L);
/* }===== */

/* {===== lb_args.c: argument parsing */
int lb_toscalar(lua_State *L, int idx, lu_scalar *s);
void lb_toarg(lua_State *L, int idx, lu_arg *arg);
int lb_shape(lua_State *L, int idx, int allow_neg1, int *ndim, int64_t *shape);
int lb_kwargs(lua_State *L, int idx, const char *allowed, lb_kw *kw);
int lb_checkdtype(lua_State *L, int idx, const char *s);
int lb_checkdtypeat(lua_State *L, int argi, int sidx);
int lb_axis(lua_State *L, int idx, lua_Integer ax, int ndim, int extra);
int lb_kwfield(lua_State *L, const lb_kw *kw, const char *key);
lu_device lb_device(lua_State *L, lu_ctx *ctx, const lb_kw *kw);
int lb_isoptions(lua_State *L, int idx);
void lb_getparams(lua_State *L, int first, const char *pos, const char *kwonly, lb_params *p);
int lb_pargn(const lb_params *p, int i);
lua_Integer lb_pint(lua_State *L, const lb_params *p, int i, const char *what, lua_Integer dflt);
int lb_pdtype(lua_State *L, const lb_params *p, int i);
int lb_paxis(lua_State *L, const lb_params *p, int i, int ndim, int extra, int dflt,
             int allow_none);
lu_array *lb_toarray(lua_State *L, int idx, const lu_device *dev);
/* }===== */

/* {===== lb_table.c: Lua tables and values <-> arrays */
void lb_pushvalue(lua_State *L, lu_dtype dt, const void *h);
void lb_pushelement(lua_State *L, lu_ctx *ctx, const lu_array *a);
lu_array *lb_fromtable(lua_State *L, int idx, int dtype, const lu_device *dev);
/* A Lua number going into dtype dt as NumPy's array() takes a Python one:
** raises for an integer out of dt's bounds, and for a float into an
** integer dtype that is NaN, infinite or outside the 64-bit integers;
** else a float becomes the truncated, wrapped integer. */
void lb_intvalue(lua_State *L, lu_scalar *s, lu_dtype dt);
/* Push a 0-d array of the Lua value s, converted as lunar.array does. */
lu_array *lb_fromscalar(lua_State *L, lu_scalar s, lu_dtype dt, lu_device dev);
void lb_open_table(lua_State *L, int mod, int methods);
/* }===== */

/* {===== lb_params.c: more readers of lb_getparams' parameters */
int lb_pbool(lua_State *L, const lb_params *p, int i, const char *what, int dflt);
const char *lb_pstr(lua_State *L, const lb_params *p, int i, const char *what, const char *dflt);
double lb_pnum(lua_State *L, const lb_params *p, int i, const char *what, double dflt);
int lb_paxes(lua_State *L, const lb_params *p, int i, int ndim, int *axes);
lu_array *lb_parray(lua_State *L, const lb_params *p, int i, const char *what,
                    const lu_device *dev);
/* the result on top of the stack into out= (parameter k), if given;
** casting >= 0: an lu_casting rule to check. Returns 1 (one result). */
int lb_pout(lua_State *L, lu_ctx *ctx, const lb_params *p, int k, int casting);
/* }===== */

/* {===== lb_complex.c: complex numbers as Lua values */
void lb_pushcomplex(lua_State *L, double re, double im);
/* 1 and the parts when the value at idx is a lunar complex value */
int lb_tocomplex(lua_State *L, int idx, double *re, double *im);
/* a.real / a.imag pushed (views of complex parts) and assigned */
void lb_pushpart(lua_State *L, lu_ctx *ctx, const lu_array *a, int imag);
int lb_setpart(lua_State *L, lu_ctx *ctx, lu_array *a, int imag, int vidx);
void lb_open_complex(lua_State *L, int mod, int methods);
/* }===== */

/* {===== the other files' openers: add functions to the module table (mod)
** and the method table (methods), both given as stack indices */
void lb_open_create(lua_State *L, int mod, int methods);
void lb_open_ops(lua_State *L, int mod, int methods, int meta);
void lb_open_reduce(lua_State *L, int mod, int methods);
/* Replace the table on top of the stack by a read-only view of it. */
void lb_readonly(lua_State *L);
void lb_open_ufunc(lua_State *L, int mod, int methods, int meta);
/* Temporary elision (lb_elide.c): the operand (1..nin) of an operator
** metamethod that nothing else can see and may be written over, or 0;
** and the offer of a metamethod's new result (at stack idx) as the next
** operator's candidate. */
int lb_elide_take(lua_State *L, int nin);
void lb_elide_offer(lua_State *L, int idx, const lu_array *a);
void lb_open_manip(lua_State *L, int mod, int methods);
void lb_open_join(lua_State *L, int mod, int methods);
void lb_open_tile(lua_State *L, int mod, int methods);
void lb_open_dtinfo(lua_State *L, int mod);
void lb_open_make(lua_State *L, int mod, int methods);
/* lb_attrs.c: a:view, getfield, setfield, resize; and the properties
** flags, base and flat of the array a at stack index idx (1, or 0 when
** name is none of them) */
void lb_open_attrs(lua_State *L, int methods);
int lb_pushattr(lua_State *L, lu_ctx *ctx, int idx, const lu_array *a, const char *name);
int lb_setflat(lua_State *L, int idx, int vidx);   /* a.flat = v */
/* lb_join.c: a sequence of arrays (a table, or an array's rows): pushes an
** anchor and returns the arrays, *n of them */
const lu_array **lb_arrayseq(lua_State *L, int idx, int *n);
void lb_open_index(lua_State *L, int mod, int meta, int methods);
void lb_open_device(lua_State *L, int mod);
/* the event at idx (a lunar.cuda.Event) and its device (lb_device.c) */
lu_event *lb_checkevent(lua_State *L, int idx, lu_device *dev);
void lb_newevent(lua_State *L, lu_device dev);   /* pushes a new lunar.cuda.Event */
void lb_open_stream(lua_State *L, int mod);   /* lb_stream.c: streams and graphs in lunar.cuda */
/* The stream of the lunar.cuda.Stream at idx, NULL for any other value;
** raises for a destroyed one (lb_stream.c). */
struct lu_stream *lb_teststream(lua_State *L, int idx);
void lb_open_compare(lua_State *L, int mod);
void lb_open_linalg(lua_State *L, int mod);   /* lunar.linalg */
void lb_open_fft(lua_State *L, int mod);      /* lunar.fft (lb_fft.c) */
void lb_open_help(lua_State *L, int t);   /* t: the Lua side's internal table */
void lb_open_random(lua_State *L, int t);  /* lb_random.c: internal.random */
void lb_open_sort(lua_State *L, int mod, int methods);    /* lb_sort.c */
void lb_open_stats(lua_State *L, int mod, int methods);   /* lb_stats.c */
void lb_open_corr(lua_State *L, int mod);                 /* lb_corr.c */
void lb_open_contract(lua_State *L, int mod, int methods); /* lb_contract.c */
/* lb_workbench.c: statistics, strict sync, pools; internal.isatty */
void lb_open_workbench(lua_State *L, int mod, int internal);
/* the allocation-failure walk's hook, in the registry (lb_failalloc.c) */
void lb_open_failalloc(lua_State *L);
void lb_open_image(lua_State *L, int mod);                /* lb_image.c: lunar.image */
void lb_open_io(lua_State *L, int mod, int methods);       /* lb_io.c: files */
void lb_open_dlpack(lua_State *L, int mod, int methods);   /* lb_dlpack.c: from_dlpack, __dlpack */
void lb_open_ukernel(lua_State *L, int mod);              /* lb_ukernel.c: user kernels */
void lb_open_rawkernel(lua_State *L, int mod);            /* lb_rawkernel.c: RawModule, RawKernel */
void lb_open_dist(lua_State *L, int mod);                 /* lb_dist.c: lunar.dist */
void lb_open_fuse(lua_State *L, int internal);            /* lb_fuse.c: internal.fuse */
/* }===== */

#endif
