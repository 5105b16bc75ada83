/* SPDX-License-Identifier: MIT */
/*
** Every row of the op table, for every dtype of the table, compiles with
** NVRTC: the contiguous and the strided kernel, plus scalar-operand and
** mixed-dtype variants. Needs no GPU (it compiles for a virtual
** architecture, compute_90 unless LUNAR_NVRTC_ARCH says otherwise), so CI
** runs it. Prints the NVRTC log of any failure; exits non-zero on one.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LUNAR_HAVE_CUDA
int main(void) { printf("test_nvrtc: CUDA backend not built: skipped\n"); return 77; }
#else
#include "lu_backend.h"
#include "codegen.h"
#include "dynlib.h"
#include "lu_api.h"
#include "lu_ukernel.h"
#include "lu_fuse.h"

/* NVRTC through the backend's loader (dlopen on first use, as lunar does) */
static const lu_nvrtc_fns *N;

/* The compute dtype the core picks for same-dtype inputs of dtype d. */
static int ct_for(int op, int d) {
  switch (lu_ops[op].rule) {
    case LU_R_FLOAT: case LU_R_FLOATI: case LU_R_LDEXP: return lu_float_of((lu_dtype)d);
    case LU_R_F64: return LU_FLOAT64;
    case LU_R_TDIV: return lu_dtype_kind(d) == 'f' ? d : LU_FLOAT64;
    case LU_R_INT8B: return d == LU_BOOL ? LU_INT8 : d;
    default: return d;
  }
}

static int make_sig(lu_cg_sig *s, int op, int d, int contiguous, int scalar_mask, int out_dt) {
  int k;
  memset(s, 0, sizeof *s);
  s->op = op;
  s->ct = ct_for(op, d);
  s->rt = lu_op_result((lu_op)op, (lu_dtype)s->ct);
  s->out_dt = out_dt < 0 ? s->rt : out_dt;
  s->contiguous = contiguous;
  for (k = 0; k < 3; k++) s->in_dt[k] = (scalar_mask >> k) & 1 ? LU_CG_SCALAR : d;
  if (lu_ops[op].rule == LU_R_WHERE && !(scalar_mask & 1)) s->in_dt[0] = LU_BOOL;
  return lu_cg_valid(s);
}

/* names already emitted into the current program (signatures of different
** dtypes can coincide, e.g. a scalar-only float op) */
static char seen[4096][96];
static int nseen;

static int add_kernel(lu_sb *b, const lu_cg_sig *s) {
  char name[96];
  int i;
  if (!lu_cg_name(s, name, sizeof name)) return 0;
  for (i = 0; i < nseen; i++) if (strcmp(seen[i], name) == 0) return 0;
  if (nseen < 4096) strcpy(seen[nseen++], name);
  return lu_cg_kernel(b, s);
}

/* Compiles src (front end only with syntax_only); ptx, when not NULL,
** receives the PTX (malloc'd) */
static int compile_ptx(const char *src, const char *arch, const char *what, int syntax_only,
                       char **ptx) {
  nvrtcProgram prog;
  const char *opts[3];
  nvrtcResult r;
  char archopt[64];
  snprintf(archopt, sizeof archopt, "-arch=%s", arch);
  opts[0] = archopt; opts[1] = "-default-device"; opts[2] = "--std=c++17";
  if (syntax_only) opts[0] = "-fdevice-syntax-only";
  r = N->CreateProgram(&prog, src, what, 0, NULL, NULL);
  if (r != NVRTC_SUCCESS) {
    printf("FAIL %s: nvrtcCreateProgram: %s\n", what, N->GetErrorString(r));
    return 0;
  }
  r = N->CompileProgram(prog, 3, opts);
  if (r != NVRTC_SUCCESS) {
    size_t n = 0;
    char *log;
    N->GetProgramLogSize(prog, &n);
    log = (char *)malloc(n + 1);
    if (log) { N->GetProgramLog(prog, log); log[n] = 0; }
    printf("FAIL %s: %s\n%s\n", what, N->GetErrorString(r), log ? log : "");
    if (getenv("LUNAR_NVRTC_DUMP")) printf("---- source ----\n%s\n", src);
    free(log);
    N->DestroyProgram(&prog);
    return 0;
  }
  if (ptx != NULL) {
    size_t n = 0;
    *ptx = NULL;
    if (N->GetPTXSize(prog, &n) == NVRTC_SUCCESS && (*ptx = (char *)malloc(n + 1)) != NULL) {
      if (N->GetPTX(prog, *ptx) != NVRTC_SUCCESS) n = 0;
      (*ptx)[n] = 0;
    }
  }
  N->DestroyProgram(&prog);
  return 1;
}

static int compile(const char *src, const char *arch, const char *what, int syntax_only) {
  return compile_ptx(src, arch, what, syntax_only, NULL);
}

/* An elementwise kernel's vector loop (ukernel.c) in PTX: 16-byte loads
** and stores (`v4`: want_v4 of them), no local memory (the unions of a
** vector and its elements stay in registers). LUNAR_NVRTC_SHOW=1 prints
** the source and the PTX. */
static int check_vector_ptx(const char *what, const char *src, const char *ptx, int want_v4) {
  int nld = 0, nst = 0;
  const char *p;
  if (getenv("LUNAR_NVRTC_SHOW")) printf("---- %s ----\n%s\n---- PTX ----\n%s\n", what, src, ptx ? ptx : "");
  if (ptx == NULL) { printf("FAIL %s: no PTX\n", what); return 0; }
  for (p = ptx; (p = strstr(p, "ld.global.v4.")) != NULL; p++) nld++;
  for (p = ptx; (p = strstr(p, "st.global.v4.")) != NULL; p++) nst++;
  if (strstr(ptx, "__local_depot") != NULL || nld + nst < want_v4 || nst < 1) {
    printf("FAIL %s: the vector loop's PTX has %d 16-byte loads and %d stores (want %d in all, "
           "a store among them)%s\n", what, nld, nst, want_v4,
           strstr(ptx, "__local_depot") ? " and uses local memory" : "");
    return 0;
  }
  return 1;
}

/* {===== user kernels: the CUDA sources ElementwiseKernel and
** ReductionKernel write (src/core/ukernel.c) for the bindings the specs
** use, compiled to PTX: their text is only ever compiled on a GPU machine
** otherwise. Each row: a kernel (ukernel_spec.lua's), the value dtype of
** every parameter and its storage (S: a Lua number, stored as its value
** dtype), the placeholders' dtypes, the reduce dtype. */
#define S (-1)
#define NA (-2)   /* storage = value dtype */
typedef struct {
  int red;
  const char *in, *out, *code, *reduce, *post, *identity, *name, *preamble;
  int vt[6], sd[6], ph[2], rdt;
  int v4;   /* 16-byte loads + stores its vector loop must have (0: not checked) */
} uk_case;

static const uk_case uk_cases[] = {
#define SQ 0, "T x, T y", "T z", "z = (x - y) * (x - y)", NULL, NULL, NULL, "squared_diff", NULL
  {SQ, {LU_FLOAT32, LU_FLOAT32, LU_FLOAT32}, {NA, NA, NA}, {LU_FLOAT32, -1}, -1, 3},
  {SQ, {LU_FLOAT32, LU_FLOAT32, LU_FLOAT32}, {NA, S, NA}, {LU_FLOAT32, -1}, -1, 2},
  {SQ, {LU_FLOAT16, LU_FLOAT16, LU_FLOAT16}, {NA, S, NA}, {LU_FLOAT16, -1}, -1, 2},
  {SQ, {LU_BFLOAT16, LU_BFLOAT16, LU_BFLOAT16}, {NA, S, NA}, {LU_BFLOAT16, -1}, -1},
  {SQ, {LU_INT64, LU_INT64, LU_INT64}, {NA, NA, NA}, {LU_INT64, -1}, -1},
  {SQ, {LU_UINT8, LU_UINT8, LU_UINT8}, {NA, S, NA}, {LU_UINT8, -1}, -1},
  {SQ, {LU_BOOL, LU_BOOL, LU_BOOL}, {NA, NA, NA}, {LU_BOOL, -1}, -1, 3},
  {SQ, {LU_FLOAT64, LU_FLOAT64, LU_FLOAT64}, {LU_INT32, S, LU_FLOAT16}, {LU_FLOAT64, -1}, -1},
#undef SQ
  {1, "T x", "T y", "x * x", "a + b", "y = sqrt(a)", "0", "l2norm", NULL,
   {LU_FLOAT32, LU_FLOAT32}, {NA, NA}, {LU_FLOAT32, -1}, LU_FLOAT32},
  {1, "T x", "T y", "x * x", "a + b", "y = sqrt(a)", "0", "l2norm", NULL,
   {LU_FLOAT16, LU_FLOAT16}, {NA, NA}, {LU_FLOAT16, -1}, LU_FLOAT16},
  {1, "T x", "T y", "x", "a > b ? a : b", "y = a", NULL, "rmax", NULL,
   {LU_INT16, LU_INT16}, {NA, NA}, {LU_INT16, -1}, LU_INT16},
  {1, "T x", "int64 y", "x != 0", "a + b", "y = a", "0", "count", NULL,
   {LU_FLOAT64, LU_INT64}, {NA, NA}, {LU_FLOAT64, -1}, LU_INT64},
  {0, "raw T x, int32 n", "T y", "y = x[n - 1 - i]", NULL, NULL, NULL, "reverse", NULL,
   {LU_FLOAT64, LU_INT32, LU_FLOAT64}, {NA, NA, NA}, {LU_FLOAT64, -1}, -1, 1},
  /* float16 inputs (8-byte shares of a vector of four), a float32 output */
  {0, "T x, T y", "float32 z", "z = x * y + 1", NULL, NULL, NULL, "mixw", NULL,
   {LU_FLOAT16, LU_FLOAT16, LU_FLOAT32}, {NA, NA, NA}, {LU_FLOAT16, -1}, -1, 1},
  {0, "raw T x, int32 n", "T y", "y = x[n - 1 - i]", NULL, NULL, NULL, "reverse", NULL,
   {LU_FLOAT16, LU_INT32, LU_FLOAT16}, {NA, S, NA}, {LU_FLOAT16, -1}, -1},
  {0, "T x", "T y, bool big", "y = x + x; big = x > 2", NULL, NULL, NULL, "twice", NULL,
   {LU_INT16, LU_INT16, LU_BOOL}, {NA, NA, NA}, {LU_INT16, -1}, -1},
  {0, "", "int64 y", "y = i * _ind.size()", NULL, NULL, NULL, "ramp", NULL,
   {LU_INT64}, {NA}, {-1, -1}, -1},
  {0, "float64 x, float64 lim", "float64 y", "y = clampv(x, lim)", NULL, NULL, NULL, "clampk",
   "static double clampv(double v, double m) { return v > m ? m : v; }",
   {LU_FLOAT64, LU_FLOAT64, LU_FLOAT64}, {LU_INT32, S, NA}, {-1, -1}, -1},
};
#undef S

static int check_user_kernels(const char *arch, int *nuser) {
  lu_ctx *ctx = lu_ctx_new();
  int c, j, fails = 0;
  if (ctx == NULL) { printf("FAIL user kernels: out of memory\n"); return 1; }
  for (c = 0; c < (int)(sizeof uk_cases / sizeof uk_cases[0]); c++) {
    const uk_case *u = &uk_cases[c];
    lu_ukernel *k = NULL;
    int sd[6], np;
    char *text, *ptx = NULL;
    lu_sb b;
    if (lu_ukernel_new(ctx, &k, u->red, u->in, u->out, u->code, u->reduce, u->post, u->identity,
                       u->name, u->preamble, NULL) != LU_OK) {
      printf("FAIL user kernel %s: %s\n", u->name, lu_ctx_errmsg(ctx));
      fails++;
      continue;
    }
    np = lu_ukernel_nin(k) + lu_ukernel_nout(k);
    for (j = 0; j < np; j++) sd[j] = u->sd[j] == NA ? u->vt[j] : u->sd[j];
    text = lu_ukernel_cuda_source(k, u->vt, sd, u->ph, u->rdt);
    lu_sb_init(&b);
    lu_cg_prelude(&b);
    if (text) lu_sb_puts(&b, text);
    if (text == NULL || !lu_sb_ok(&b)) { printf("FAIL user kernel %s: out of memory\n", u->name); fails++; }
    else if (!compile_ptx(b.text, arch, u->name, 0, &ptx)) fails++;
    else if (u->v4 && !check_vector_ptx(u->name, text, ptx, u->v4)) fails++;
    else (*nuser)++;
    lu_sb_free(&b);
    free(text);
    free(ptx);
    lu_ukernel_free(k);
  }
  lu_ctx_unref(ctx);
  return fails;
}
#undef NA
/* }===== */

/* {===== fused programs (lunar.fuse): the sources src/core/fuse.c writes
** for a few traced programs, as NVRTC sees them. Leaves are fake arrays of
** a dtype (resolution reads no data) or Lua numbers. */
#define REF(k) (-1 - (k))
typedef struct {
  const char *name;
  lu_fuse_prog p;
  int leafdt[4];       /* dtype, or -'i' / -'f' / -'b' for a Lua number */
  int v4;              /* as uk_case's */
  int rng;             /* leaf 0 a random draw: 1 + its lu_randdist */
} fz_case;

/* LUNAR_NVRTC_SAVE=DIR: each fused case's whole source and its PTX as
** DIR/NAME.cu and DIR/NAME.ptx, to read */
static void save_case(const char *name, const char *src, const char *ptx) {
  const char *dir = getenv("LUNAR_NVRTC_SAVE");
  char path[512];
  FILE *fp;
  if (dir == NULL) return;
  snprintf(path, sizeof path, "%s/%s.cu", dir, name);
  if ((fp = fopen(path, "w")) != NULL) { fputs(src, fp); fclose(fp); }
  snprintf(path, sizeof path, "%s/%s.ptx", dir, name);
  if ((fp = fopen(path, "w")) != NULL) { fputs(ptx ? ptx : "", fp); fclose(fp); }
}

/* A fused kernel's text after the prelude, compiled to *ptx (saved as a
** case): 1, or 0 with the failure printed */
static int compile_fused(const char *name, const char *text, const char *arch, char **ptx) {
  lu_sb b;
  int ok = 0;
  lu_sb_init(&b);
  lu_cg_prelude(&b);
  lu_sb_puts(&b, text);
  if (!lu_sb_ok(&b)) printf("FAIL %s: out of memory\n", name);
  else if (compile_ptx(b.text, arch, name, 0, ptx)) { save_case(name, b.text, *ptx); ok = 1; }
  lu_sb_free(&b);
  return ok;
}

static int check_fused(const char *arch, int *nfused) {
  static fz_case cases[16];
  lu_ctx *ctx = lu_ctx_new();
  int c, j, fails = 0, n = 0;
  if (ctx == NULL) { printf("FAIL fused kernels: out of memory\n"); return 1; }
  memset(cases, 0, sizeof cases);
  /* a * b + c, float32 */
  cases[n].name = "fma";
  cases[n].p = (lu_fuse_prog){3, 2, 1, {{LU_OP_multiply, {0, 1, 0}}, {LU_OP_add, {REF(0), 2, 0}}},
                              {REF(1)}, -1, -1, {0}, 0};
  cases[n].leafdt[0] = cases[n].leafdt[1] = cases[n].leafdt[2] = LU_FLOAT32;
  cases[n].v4 = 4;
  n++;
  /* sqrt(a*a + b*b) * exp(-c), float16 and int8 and a Lua float */
  cases[n].name = "sqrt_exp";
  cases[n].p = (lu_fuse_prog){4, 7, 1, {{LU_OP_multiply, {0, 0, 0}}, {LU_OP_multiply, {1, 1, 0}},
                              {LU_OP_add, {REF(0), REF(1), 0}}, {LU_OP_sqrt, {REF(2), 0, 0}},
                              {LU_OP_negative, {2, 0, 0}}, {LU_OP_exp, {REF(4), 0, 0}},
                              {LU_OP_multiply, {REF(3), REF(5), 0}}}, {REF(6)}, -1, -1, {0}, 0};
  cases[n].leafdt[0] = LU_FLOAT16; cases[n].leafdt[1] = LU_INT8; cases[n].leafdt[2] = LU_BFLOAT16;
  cases[n].leafdt[3] = -'f';
  n++;
  /* where(a < s, a, b) and a == b: two results, uint8 / int16 / a Lua integer */
  cases[n].name = "where2";
  cases[n].p = (lu_fuse_prog){3, 3, 2, {{LU_OP_less, {0, 2, 0}}, {LU_OP_where, {REF(0), 0, 1}},
                              {LU_OP_equal, {0, 1, 0}}}, {REF(1), REF(2)}, -1, -1, {0}, 0};
  cases[n].leafdt[0] = LU_UINT8; cases[n].leafdt[1] = LU_INT16; cases[n].leafdt[2] = -'i';
  n++;
  /* (a * 0.5):mean(axis 2), float16 */
  cases[n].name = "mean";
  cases[n].p = (lu_fuse_prog){2, 1, 1, {{LU_OP_multiply, {0, 1, 0}}}, {REF(0)}, LU_RED_mean, 1, {2}, 0};
  cases[n].leafdt[0] = LU_FLOAT16; cases[n].leafdt[1] = -'f';
  n++;
  /* (a > b):any(), bool result of int32 and float64 */
  cases[n].name = "any";
  cases[n].p = (lu_fuse_prog){2, 1, 1, {{LU_OP_greater, {0, 1, 0}}}, {REF(0)}, LU_RED_any, -1, {0}, 0};
  cases[n].leafdt[0] = LU_INT32; cases[n].leafdt[1] = LU_FLOAT64;
  n++;
  /* maximum(a, b):max() over bool, and (a + b):sum() of int8 */
  cases[n].name = "sum";
  cases[n].p = (lu_fuse_prog){2, 1, 1, {{LU_OP_add, {0, 1, 0}}}, {REF(0)}, LU_RED_sum, -1, {0}, 0};
  cases[n].leafdt[0] = LU_INT8; cases[n].leafdt[1] = LU_BOOL;
  n++;
  /* a:sum(2), (a*a):max(2), (a > b):any(2), (a + b):mean(2): several
  ** reductions in one kernel (a struct accumulator), float16 and int8 */
  cases[n].name = "stats";
  cases[n].p = (lu_fuse_prog){2, 4, 4, {{LU_OP_copy, {0, 0, 0}}, {LU_OP_multiply, {0, 0, 0}},
                              {LU_OP_greater, {0, 1, 0}}, {LU_OP_add, {0, 1, 0}}},
                              {REF(0), REF(1), REF(2), REF(3)}, LU_RED_sum, 1, {2}, 0,
                              {LU_RED_sum, LU_RED_max, LU_RED_any, LU_RED_mean}};
  cases[n].leafdt[0] = LU_FLOAT16; cases[n].leafdt[1] = LU_INT8;
  n++;
  /* the same over all axes with min and prod (no identity for min), bool and uint8 */
  cases[n].name = "stats_all";
  cases[n].p = (lu_fuse_prog){2, 2, 2, {{LU_OP_add, {0, 1, 0}}, {LU_OP_logical_and, {0, 1, 0}}},
                              {REF(0), REF(1)}, LU_RED_min, -1, {0}, 1, {LU_RED_min, LU_RED_all}};
  cases[n].leafdt[0] = LU_BOOL; cases[n].leafdt[1] = LU_UINT8;
  n++;
  /* x:sum(2), (x*x):sum(2), x:max(2) of float32 (the bench's fuse_stats
  ** as chunked_reduction runs it: rows of a contiguous array) */
  cases[n].name = "stats_rows";
  cases[n].p = (lu_fuse_prog){1, 3, 3, {{LU_OP_copy, {0, 0, 0}}, {LU_OP_multiply, {0, 0, 0}},
                              {LU_OP_copy, {0, 0, 0}}}, {REF(0), REF(1), REF(2)}, LU_RED_sum, 1,
                              {2}, 0, {LU_RED_sum, LU_RED_sum, LU_RED_max}};
  cases[n].leafdt[0] = LU_FLOAT32;
  n++;
  /* and its second stage: the three results' partials reduced in one
  ** kernel (sum, sum, max of three float32 leaves) */
  cases[n].name = "stats_partials";
  cases[n].p = (lu_fuse_prog){3, 3, 3, {{LU_OP_copy, {0, 0, 0}}, {LU_OP_copy, {1, 0, 0}},
                              {LU_OP_copy, {2, 0, 0}}}, {REF(0), REF(1), REF(2)}, LU_RED_sum, -1,
                              {0}, 0, {LU_RED_sum, LU_RED_sum, LU_RED_max}};
  cases[n].leafdt[0] = cases[n].leafdt[1] = cases[n].leafdt[2] = LU_FLOAT32;
  n++;
  /* eight independent x + y of float32 as lazy.c's compute_batch makes
  ** them (the bench's small_add: one launch for eight values) */
  cases[n].name = "batch8";
  cases[n].p = (lu_fuse_prog){2, 8, 8, {{LU_OP_add, {0, 1, 0}}, {LU_OP_add, {0, 1, 0}},
                              {LU_OP_add, {0, 1, 0}}, {LU_OP_add, {0, 1, 0}}, {LU_OP_add, {0, 1, 0}},
                              {LU_OP_add, {0, 1, 0}}, {LU_OP_add, {0, 1, 0}}, {LU_OP_add, {0, 1, 0}}},
                              {REF(0), REF(1), REF(2), REF(3), REF(4), REF(5), REF(6), REF(7)},
                              -1, -1, {0}, 0};
  cases[n].leafdt[0] = cases[n].leafdt[1] = LU_FLOAT32;
  n++;
  /* exp(z * a + b) of a normal float32 draw z (issue 10's Monte Carlo
  ** row): the vector loop's four elements share one Philox block */
  cases[n].name = "normal_draw";
  cases[n].p = (lu_fuse_prog){3, 3, 1, {{LU_OP_multiply, {0, 1, 0}}, {LU_OP_add, {REF(0), 2, 0}},
                              {LU_OP_exp, {REF(1), 0, 0}}}, {REF(2)}, -1, -1, {0}, 0};
  cases[n].leafdt[0] = LU_FLOAT32; cases[n].leafdt[1] = cases[n].leafdt[2] = -'f';
  cases[n].rng = 1 + LU_RAND_NORMAL;
  cases[n].v4 = 1;
  n++;
  for (c = 0; c < n; c++) {
    lu_fused *f = NULL;
    lu_array fake[4];
    lu_arg args[4];
    lu_fuse_rng draw;
    char *text, *ptx = NULL;
    memset(fake, 0, sizeof fake);
    memset(args, 0, sizeof args);
    for (j = 0; j < cases[c].p.nleaf; j++) {
      int d = cases[c].leafdt[j];
      if (d >= 0) { fake[j].dtype = (lu_dtype)d; args[j].arr = &fake[j]; }
      else { args[j].s.kind = (char)-d; args[j].s.i = 2; args[j].s.f = 0.5; }
    }
    if (cases[c].rng) {
      memset(&draw, 0, sizeof draw);
      draw.buf.release = lu_fuse_rng_tag;
      draw.dist = cases[c].rng - 1;
      fake[0].buf = &draw.buf;
    }
    if (lu_fuse_new(ctx, &f, &cases[c].p) != LU_OK ||
        (text = lu_fuse_source(ctx, f, cases[c].p.nleaf, args, 1)) == NULL) {
      printf("FAIL fused kernel %s: %s\n", cases[c].name, lu_ctx_errmsg(ctx));
      fails++;
      lu_fuse_free(f);
      continue;
    }
    if (!compile_fused(cases[c].name, text, arch, &ptx)) fails++;
    else if (cases[c].v4 && !check_vector_ptx(cases[c].name, text, ptx, cases[c].v4)) fails++;
    else if (cases[c].rng && (strstr(text, "lu_fz_ts lu_ts;") == NULL ||
                              strstr(text, "lu_fz_rng_f32m(_ts.m0, ") == NULL)) {
      /* the draw through the thread's memo: a Philox block and a
      ** Box-Muller pair for the vector loop's four elements, not four */
      printf("FAIL fused kernel %s: the draw does not go through the thread's memo\n%s\n",
             cases[c].name, text);
      fails++;
    } else (*nfused)++;
    free(text);
    free(ptx);
    lu_fuse_free(f);
  }
  lu_ctx_unref(ctx);
  return fails;
}

/* Automatic fusion's recorded ElementwiseKernel calls (lazy.c): a program
** of op rows and calls of two user kernels, v0 = a * b, v1 = sqdiff(v0, c),
** v2 = sel(v1, 0.5), v3 = sqdiff(a, c), results v1, v2, v3, for float32,
** float16, int32, float64 and bool leaves. Each kernel and binding is one
** function in the preamble (sqdiff's two calls share it), and float32 keeps
** the vector loop. */
static int check_fused_ukernels(const char *arch, int *nfused) {
  static const int dts[] = {LU_FLOAT32, LU_FLOAT16, LU_INT32, LU_FLOAT64, LU_BOOL};
  lu_ctx *ctx = lu_ctx_new();
  lu_ukernel *uk[2] = {NULL, NULL};
  lu_fuse_prog p;
  int c, j, fails = 0;
  if (ctx == NULL) { printf("FAIL fused user kernels: out of memory\n"); return 1; }
  if (lu_ukernel_new(ctx, &uk[0], 0, "T x, T y", "T z", "T d = x - y; z = d * d", "", "", NULL,
                     "sqdiff", "", NULL) != LU_OK ||
      lu_ukernel_new(ctx, &uk[1], 0, "T x, float64 s", "float32 w", "w = (float)(x * s > 2 ? x : -x)",
                     "", "", NULL, "sel", "", NULL) != LU_OK) {
    printf("FAIL fused user kernels: %s\n", lu_ctx_errmsg(ctx));
    lu_ukernel_free(uk[0]);
    lu_ctx_unref(ctx);
    return 1;
  }
  memset(&p, 0, sizeof p);
  p.nleaf = 4; p.nnode = 4; p.nres = 3; p.red = -1; p.naxes = -1;
  p.node[0] = (lu_fuse_node){LU_OP_multiply, {0, 1, 0}, 0};
  p.node[1] = (lu_fuse_node){LU_FUSE_UK + 0, {REF(0), 2, 0}, 0};
  p.node[2] = (lu_fuse_node){LU_FUSE_UK + 1, {REF(1), 3, 0}, 0};
  p.node[3] = (lu_fuse_node){LU_FUSE_UK + 0, {0, 2, 0}, 0};
  p.res[0] = REF(1); p.res[1] = REF(2); p.res[2] = REF(3);
  p.nuk = 2;
  for (j = 0; j < 2; j++) { p.uknin[j] = 2; p.ukey[j] = lu_ukernel_key(uk[j]); }
  for (c = 0; c < (int)(sizeof dts / sizeof dts[0]); c++) {
    lu_fused *f = NULL;
    lu_array fake[3];
    lu_arg args[4];
    char *text, *ptx = NULL, name[64];
    snprintf(name, sizeof name, "fused_ukernel_%s", lu_dtype_name(dts[c]));
    memset(fake, 0, sizeof fake);
    memset(args, 0, sizeof args);
    for (j = 0; j < 3; j++) { fake[j].dtype = (lu_dtype)dts[c]; args[j].arr = &fake[j]; }
    args[3].s.kind = 'f'; args[3].s.f = 0.5;
    if (lu_fuse_new_uk(ctx, &f, &p, uk) != LU_OK ||
        (text = lu_fuse_source(ctx, f, 4, args, 1)) == NULL) {
      printf("FAIL %s: %s\n", name, lu_ctx_errmsg(ctx));
      fails++;
      lu_fuse_free(f);
      continue;
    }
    if (!compile_fused(name, text, arch, &ptx)) fails++;
    else if (dts[c] == LU_FLOAT32 && !check_vector_ptx(name, text, ptx, 4)) fails++;
    else if (strstr(text, "lu_fz_u3") != NULL || strstr(text, "lu_fz_u1(p0, p2)") == NULL) {
      printf("FAIL %s: sqdiff's two calls do not share one function\n%s\n", name, text);
      fails++;
    } else (*nfused)++;
    free(text);
    free(ptx);
    lu_fuse_free(f);
  }
  lu_ukernel_free(uk[0]);
  lu_ukernel_free(uk[1]);
  lu_ctx_unref(ctx);
  return fails;
}

/* Row programs (automatic fusion's reductions over the last axes, kept):
** the sources src/core/fuse_rows.c writes. Leaves are fake arrays of a
** dtype and shape, or Lua numbers. */
typedef struct {
  const char *name;
  lu_fuse_prog p;
  int leafdt[3];
  int nd[3];
  int64_t shape[3][3];
  int rng;             /* leaf 0 a random draw: 1 + its lu_randdist */
} rw_case;

static int check_rows(const char *arch, int *nfused) {
  static rw_case cases[8];
  lu_ctx *ctx = lu_ctx_new();
  int c, j, d, fails = 0, n = 0;
  if (ctx == NULL) { printf("FAIL row kernels: out of memory\n"); return 1; }
  memset(cases, 0, sizeof cases);
  /* softmax: e = exp(x - x:max(2, true)); e / e:sum(2, true), float32 (4, 8) */
  cases[n].name = "softmax";
  cases[n].p = (lu_fuse_prog){1, 5, 1, {{LU_RED_max, {0, 0, 0}, 1}, {LU_OP_subtract, {0, REF(0), 0}, 0},
                              {LU_OP_exp, {REF(1), 0, 0}, 0}, {LU_RED_sum, {REF(2), 0, 0}, 1},
                              {LU_OP_divide, {REF(2), REF(3), 0}, 0}}, {REF(4)}, -1, -1, {0}, 0};
  cases[n].leafdt[0] = LU_FLOAT32; cases[n].nd[0] = 2; cases[n].shape[0][0] = 4; cases[n].shape[0][1] = 8;
  n++;
  /* the same on rows of 10^4 (each thread keeps 40 values in registers)
  ** and on 2048 rows of 10^5 (too long for that: each pass reads the row) */
  cases[n] = cases[n - 1];
  cases[n].name = "softmax_1e4";
  cases[n].shape[0][1] = 10000;
  n++;
  cases[n] = cases[n - 1];
  cases[n].name = "softmax_1e5";
  cases[n].shape[0][0] = 2048;   /* rows enough for a block each */
  cases[n].shape[0][1] = 100000;
  n++;
  /* layer norm of float16 (2, 3, 5) over the last two axes, eps a Lua float:
  ** c = x - x:mean(kept); c / sqrt((c * c):mean(kept) + eps) */
  cases[n].name = "layernorm";
  cases[n].p = (lu_fuse_prog){2, 7, 1, {{LU_RED_mean, {0, 0, 0}, 2}, {LU_OP_subtract, {0, REF(0), 0}, 0},
                              {LU_OP_multiply, {REF(1), REF(1), 0}, 0}, {LU_RED_mean, {REF(2), 0, 0}, 2},
                              {LU_OP_add, {REF(3), 1, 0}, 0}, {LU_OP_sqrt, {REF(4), 0, 0}, 0},
                              {LU_OP_divide, {REF(1), REF(5), 0}, 0}}, {REF(6)}, -1, -1, {0}, 0};
  cases[n].leafdt[0] = LU_FLOAT16; cases[n].nd[0] = 3;
  cases[n].shape[0][0] = 2; cases[n].shape[0][1] = 3; cases[n].shape[0][2] = 5;
  cases[n].leafdt[1] = -'f';
  n++;
  /* a constant result: (a > b):any(kept) and (a + b):sum(kept) of int8 rows
  ** and a bool row, combined per row */
  cases[n].name = "rowconst";
  cases[n].p = (lu_fuse_prog){2, 5, 1, {{LU_OP_greater, {0, 1, 0}, 0}, {LU_RED_any, {REF(0), 0, 0}, 1},
                              {LU_OP_add, {0, 1, 0}, 0}, {LU_RED_sum, {REF(2), 0, 0}, 1},
                              {LU_OP_where, {REF(1), REF(3), 0}, 0}}, {REF(4)}, -1, -1, {0}, 0};
  cases[n].leafdt[0] = LU_INT8; cases[n].nd[0] = 2; cases[n].shape[0][0] = 3; cases[n].shape[0][1] = 7;
  cases[n].leafdt[1] = LU_BOOL; cases[n].nd[1] = 1; cases[n].shape[1][0] = 7;
  n++;
  /* an integer max (no identity: the fold starts from the first value):
  ** x - x:max(2, true) of int16 (3, 9) */
  cases[n].name = "intmax";
  cases[n].p = (lu_fuse_prog){1, 2, 1, {{LU_RED_max, {0, 0, 0}, 1}, {LU_OP_subtract, {0, REF(0), 0}, 0}},
                              {REF(1)}, -1, -1, {0}, 0};
  cases[n].leafdt[0] = LU_INT16; cases[n].nd[0] = 2; cases[n].shape[0][0] = 3; cases[n].shape[0][1] = 9;
  n++;
  /* few long rows: exp(x):mean(2, true) of float32 (2, 10^6), as two
  ** kernels (the segments' partial sums, then each row's) */
  cases[n].name = "mean_split";
  cases[n].p = (lu_fuse_prog){1, 2, 1, {{LU_OP_exp, {0, 0, 0}, 0}, {LU_RED_mean, {REF(0), 0, 0}, 1}},
                              {REF(1)}, -1, -1, {0}, 0};
  cases[n].leafdt[0] = LU_FLOAT32; cases[n].nd[0] = 2; cases[n].shape[0][0] = 2;
  cases[n].shape[0][1] = 1000000;
  n++;
  /* the same of a normal draw (a Monte Carlo mean): not a row program (lazy.c
  ** computes the draws a row program reads), so no kernel */
  cases[n] = cases[n - 1];
  cases[n].name = "mean_draw";
  cases[n].rng = 1 + LU_RAND_NORMAL;
  n++;
  for (c = 0; c < 2 * n; c++) {
    int second = c % 2;
    lu_rows *r = NULL;
    lu_array fake[3];
    lu_arg args[3];
    lu_fuse_rng draw;
    char *text = NULL, *ptx = NULL;
    lu_sb b;
    memset(fake, 0, sizeof fake);
    memset(args, 0, sizeof args);
    for (j = 0; j < cases[c / 2].p.nleaf; j++) {
      int dt = cases[c / 2].leafdt[j];
      if (dt >= 0) {
        fake[j].dtype = (lu_dtype)dt;
        fake[j].ndim = cases[c / 2].nd[j];
        for (d = 0; d < fake[j].ndim; d++) fake[j].shape[d] = cases[c / 2].shape[j][d];
        for (d = fake[j].ndim - 1; d >= 0; d--)   /* C order */
          fake[j].strides[d] = d == fake[j].ndim - 1 ? (int64_t)lu_dtype_size(fake[j].dtype)
                                                     : fake[j].strides[d + 1] * fake[j].shape[d + 1];
        args[j].arr = &fake[j];
      } else {
        args[j].s.kind = (char)-dt; args[j].s.i = 2; args[j].s.f = 1e-5;
      }
    }
    if (cases[c / 2].rng) {
      memset(&draw, 0, sizeof draw);
      draw.buf.release = lu_fuse_rng_tag;
      draw.dist = cases[c / 2].rng - 1;
      fake[0].buf = &draw.buf;
    }
    if (lu_fuse_rows_new(ctx, &r, &cases[c / 2].p) != LU_OK ||
        (text = lu_fuse_rows_source(ctx, r, cases[c / 2].p.nleaf, args, 1, second)) == NULL) {
      /* only split programs have a second kernel; a draw, none */
      if (!cases[c / 2].rng && (!second || strncmp(cases[c / 2].name, "mean_", 5) == 0)) {
        printf("FAIL row kernel %s%s: not a row program\n", cases[c / 2].name, second ? " (second)" : "");
        fails++;
      }
      lu_fuse_rows_free(r);
      continue;
    }
    if (cases[c / 2].rng) {
      printf("FAIL row kernel %s: a row program took a random draw\n", cases[c / 2].name);
      fails++;
      free(text);
      lu_fuse_rows_free(r);
      continue;
    }
    if (getenv("LUNAR_NVRTC_SHOW")) printf("---- %s ----\n%s\n", cases[c / 2].name, text);
    lu_sb_init(&b);
    lu_cg_prelude(&b);
    lu_sb_puts(&b, text);
    if (!lu_sb_ok(&b)) { printf("FAIL row kernel %s: out of memory\n", cases[c / 2].name); fails++; }
    else if (!compile_ptx(b.text, arch, cases[c / 2].name, 0, &ptx)) fails++;
    else if (ptx == NULL || strstr(ptx, "__local_depot") != NULL) {
      /* local memory in a row kernel: the launch struct copied per thread */
      printf("FAIL row kernel %s: %s\n", cases[c / 2].name, ptx ? "uses local memory" : "no PTX");
      fails++;
    } else (*nfused)++;
    if (getenv("LUNAR_NVRTC_SHOW") && ptx) printf("---- %s PTX ----\n%s\n", cases[c / 2].name, ptx);
    lu_sb_free(&b);
    free(text);
    free(ptx);
    lu_fuse_rows_free(r);
  }
  lu_ctx_unref(ctx);
  return fails;
}
#undef REF
/* }===== */

/* One program per op row: every variant is checked by the front end
** (-fdevice-syntax-only, fast), and the same-dtype all-array kernels are
** also compiled to PTX; LUNAR_NVRTC_FULL=1 compiles every variant fully. */
int main(void) {
  const char *arch = getenv("LUNAR_NVRTC_ARCH") ? getenv("LUNAR_NVRTC_ARCH") : "compute_90";
  int full_all = getenv("LUNAR_NVRTC_FULL") != NULL;
  int op, d, lay, m, fails = 0, nuser = 0, nfused_k = 0, programs = 0, kernels = 0, nfull = 0, skipped = 0, maj = 0, mnr = 0;
  N = lu_cuda_nvrtc(NULL);
  if (N == NULL) { printf("FAIL %s\n", lu_cuda_nvrtc_why()); return 1; }
  N->Version(&maj, &mnr);
  /* LUNAR_NVRTC_USER_ONLY=1: the user and fused kernels only (seconds) */
  for (op = getenv("LUNAR_NVRTC_USER_ONLY") ? LU_NOPS : 0; op < LU_NOPS; op++) {
    int nin = lu_ops[op].nin;
    lu_sb b, f;
    lu_sb_init(&b);
    lu_sb_init(&f);
    nseen = 0;
    lu_cg_prelude(&b);
    lu_cg_prelude(&f);
    lu_cg_common(&b);
    lu_cg_common(&f);
    for (d = 0; d < LU_NDTYPES; d++) {
      for (lay = 0; lay < LU_CG_NLAYOUTS; lay++) {
        lu_cg_sig s;
        /* all arrays; then each input a scalar in turn (not all at once) */
        for (m = 0; m <= nin; m++) {
          int mask = m == 0 ? 0 : 1 << (m - 1);
          if (nin == 1 && m == 1) continue;   /* no array operand at all */
          if (!make_sig(&s, op, d, lay, mask, -1)) { if (m == 0 && lay == 0) skipped++; continue; }
          if (add_kernel(&b, &s)) {
            kernels++;
            if (m == 0 && lu_cg_kernel(&f, &s)) nfull++;
          }
        }
        /* mixed storage: every input of another dtype than the compute one,
        ** and the result stored to bool and to float64 */
        if (make_sig(&s, op, d, lay, 0, LU_BOOL)) {
          int k;
          for (k = 0; k < nin; k++)
            if (!(lu_ops[op].rule == LU_R_WHERE && k == 0))
              s.in_dt[k] = (d + 3 + k) % LU_NDTYPES;
          if (add_kernel(&b, &s)) kernels++;
          s.out_dt = LU_FLOAT64;
          if (add_kernel(&b, &s)) kernels++;
        }
      }
    }
    if (!lu_sb_ok(&b) || !lu_sb_ok(&f)) { printf("FAIL %s: out of memory\n", lu_ops[op].name); return 1; }
    programs++;
    if (!compile(b.text, arch, lu_ops[op].name, !full_all)) fails++;
    else if (!full_all && !compile(f.text, arch, lu_ops[op].name, 0)) fails++;
    lu_sb_free(&b);
    lu_sb_free(&f);
  }
  fails += check_user_kernels(arch, &nuser);
  fails += check_fused(arch, &nfused_k);
  fails += check_fused_ukernels(arch, &nfused_k);
  fails += check_rows(arch, &nfused_k);
  printf("test_nvrtc: NVRTC %d.%d, %s: %d op rows, %d kernels checked (%d compiled to PTX), "
         "%d op x dtype pairs without an expression, %d user kernels, %d fused kernels, %d failures\n",
         maj, mnr, arch, programs, kernels, full_all ? kernels : nfull, skipped, nuser, nfused_k, fails);
  return fails ? 1 : 0;
}
#endif
