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

/* NVRTC through the backend's loader (dlopen on first use, as lunar does) */
static const lu_nvrtc_fns *N;

typedef struct { const char *name; const char *text; size_t len; } lu_embedded_file;
extern const lu_embedded_file lu_embedded_text[];

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

static int compile(const char *src, const char *arch, const char *what, int syntax_only) {
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
  N->DestroyProgram(&prog);
  return 1;
}

/* One program per op row: every variant is checked by the front end
** (-fdevice-syntax-only, fast), and the same-dtype all-array kernels are
** also compiled to PTX; LUNAR_NVRTC_FULL=1 compiles every variant fully. */
int main(void) {
  const char *arch = getenv("LUNAR_NVRTC_ARCH") ? getenv("LUNAR_NVRTC_ARCH") : "compute_90";
  int full_all = getenv("LUNAR_NVRTC_FULL") != NULL;
  int op, d, lay, m, fails = 0, programs = 0, kernels = 0, nfull = 0, skipped = 0, maj = 0, mnr = 0;
  N = lu_cuda_nvrtc(NULL);
  if (N == NULL) { printf("FAIL %s\n", lu_cuda_nvrtc_why()); return 1; }
  N->Version(&maj, &mnr);
  for (op = 0; op < LU_NOPS; op++) {
    int nin = lu_ops[op].nin;
    lu_sb b, f;
    lu_sb_init(&b);
    lu_sb_init(&f);
    nseen = 0;
    for (const lu_embedded_file *t = lu_embedded_text; t->name; t++) {
      lu_sb_puts(&b, t->text);
      lu_sb_puts(&f, t->text);
    }
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
  printf("test_nvrtc: NVRTC %d.%d, %s: %d op rows, %d kernels checked (%d compiled to PTX), "
         "%d op x dtype pairs without an expression, %d failures\n", maj, mnr, arch, programs,
         kernels, full_all ? kernels : nfull, skipped, fails);
  return fails ? 1 : 0;
}
#endif
