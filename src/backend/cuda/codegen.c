/* SPDX-License-Identifier: MIT */
/*
** The elementwise kernel generator (see codegen.h). The expression text is
** the op table's (lu_ops[op].expr), pasted into a grid-stride loop; every
** input is loaded as its storage type and converted to the compute type,
** the result converted to the output dtype (to bool as "!= 0").
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codegen.h"

/* {====================================================== strings */
void lu_sb_init(lu_sb *b) { b->text = NULL; b->len = b->cap = 0; b->failed = 0; }

static int sb_reserve(lu_sb *b, size_t extra) {
  size_t need;
  char *t;
  if (b->failed) return 0;
  need = b->len + extra + 1;
  if (need <= b->cap) return 1;
  if (need < 2 * b->cap) need = 2 * b->cap;
  if (need < 256) need = 256;
  t = (char *)realloc(b->text, need);
  if (t == NULL) {
    free(b->text); b->text = NULL; b->len = b->cap = 0; b->failed = 1;
    return 0;
  }
  b->text = t; b->cap = need;
  return 1;
}

void lu_sb_puts(lu_sb *b, const char *s) {
  size_t n = strlen(s);
  if (!sb_reserve(b, n)) return;
  memcpy(b->text + b->len, s, n + 1);
  b->len += n;
}

void lu_sb_printf(lu_sb *b, const char *fmt, ...) {
  va_list ap;
  int n;
  char small[512];
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) { b->failed = 1; return; }
  if ((size_t)n < sizeof small) { lu_sb_puts(b, small); return; }
  if (!sb_reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->text + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

int lu_sb_ok(const lu_sb *b) { return !b->failed && b->text != NULL; }
void lu_sb_free(lu_sb *b) { free(b->text); lu_sb_init(b); }
/* }====================================================== */

/* {====================================================== signatures */
static int dt_ok(int dt) { return dt >= 0 && dt < LU_NDTYPES; }

/* the dtype an op's expression yields for compute dtype ct */
static int natural_rt(int op, int ct) {
  return (int)lu_op_result((lu_op)op, (lu_dtype)ct);
}

/* Static shared memory of the tiled kernel: one tile per array input. */
static int tiled_shared(const lu_cg_sig *s) {
  int k, n = 0;
  for (k = 0; k < lu_ops[s->op].nin; k++)
    if (s->in_dt[k] != LU_CG_SCALAR)
      n += LU_CG_TILE * (LU_CG_TILE + 1) * lu_dtypes[s->in_dt[k]].size;
  return n;
}

int lu_cg_valid(const lu_cg_sig *s) {
  int k, nin;
  if (s->op < 0 || s->op >= LU_NOPS) return 0;
  if (!dt_ok(s->ct) || !dt_ok(s->rt) || !dt_ok(s->out_dt)) return 0;
  if (lu_op_expr((lu_op)s->op, (lu_dtype)s->ct) == NULL) return 0;
  if (s->layout < 0 || s->layout >= LU_CG_NLAYOUTS) return 0;
  nin = lu_ops[s->op].nin;
  for (k = 0; k < nin; k++)
    if (s->in_dt[k] != LU_CG_SCALAR && !dt_ok(s->in_dt[k])) return 0;
  if (s->layout == LU_CG_TILED && tiled_shared(s) > LU_CG_TILED_SHARED) return 0;
  return 1;
}

int lu_cg_name(const lu_cg_sig *s, char *buf, size_t len) {
  int k, nin = lu_ops[s->op].nin;
  size_t used;
  int n = snprintf(buf, len, "lu_%s_%s", lu_ops[s->op].name, lu_dtypes[s->ct].tag);
  if (n < 0 || (size_t)n >= len) return 0;
  used = (size_t)n;
  for (k = 0; k < nin; k++) {
    const char *t = s->in_dt[k] == LU_CG_SCALAR ? "s" : lu_dtypes[s->in_dt[k]].tag;
    n = snprintf(buf + used, len - used, "_%s", t);
    if (n < 0 || (size_t)n >= len - used) return 0;
    used += (size_t)n;
  }
  n = snprintf(buf + used, len - used, "_%s", lu_dtypes[s->out_dt].tag);
  if (n < 0 || (size_t)n >= len - used) return 0;
  used += (size_t)n;
  if (s->rt != natural_rt(s->op, s->ct)) {
    n = snprintf(buf + used, len - used, "_r%s", lu_dtypes[s->rt].tag);
    if (n < 0 || (size_t)n >= len - used) return 0;
    used += (size_t)n;
  }
  n = snprintf(buf + used, len - used, "_%c",
               s->layout == LU_CG_FLAT ? 'c' : s->layout == LU_CG_TILED ? 't' : 's');
  return n >= 0 && (size_t)n < len - used;
}
/* }====================================================== */

/* {====================================================== kernel text */
/* Values have a storage type (lu_dtypes[].ctype, what memory holds) and a
** compute type (what expressions work on): the same, except that float16
** and bfloat16 compute in float. */
#define CTYPE(dt) (lu_dtypes[dt].ctype)
#define ISHALF(dt) ((dt) == LU_FLOAT16 || (dt) == LU_BFLOAT16)
#define ISCPLX(dt) (lu_dtypes[dt].kind == 'c')
static const char *comp_type(int dt) { return ISHALF(dt) ? "float" : CTYPE(dt); }

/* x, a value of dtype `from` (as its compute type when fcomp, else its
** storage type), converted to dtype `to` (its compute type when tcomp):
** C's conversions, "!= 0" into bool, the real part of a complex value,
** round-to-nearest-even into float16/bfloat16 (lu_numeric.h; from an
** integer through float64 or float32 as the CPU's cast matrix does). */
static void convx(lu_sb *b, int from, int fcomp, int to, int tcomp, const char *x) {
  char tmp[1024];
  if (ISHALF(from) && !fcomp) {          /* widen first: a float from here on */
    if (from == to && tcomp) { lu_sb_printf(b, "%s(%s)", from == LU_FLOAT16 ? "lu_h2f" : "lu_bf2f", x); return; }
    if (from == to) { lu_sb_printf(b, "%s", x); return; }
    snprintf(tmp, sizeof tmp, "%s(%s)", from == LU_FLOAT16 ? "lu_h2f" : "lu_bf2f", x);
    convx(b, LU_FLOAT32, 1, to, tcomp, tmp);
    return;
  }
  if (ISHALF(from)) from = LU_FLOAT32;   /* a compute value is a float */
  if (from == to && (!ISHALF(to) || tcomp)) { lu_sb_puts(b, x); return; }
  if (ISHALF(to) && tcomp) {             /* to float16's value, as a float */
    lu_sb_printf(b, "%s(", to == LU_FLOAT16 ? "lu_h2f" : "lu_bf2f");
    convx(b, from, 1, to, 0, x);
    lu_sb_puts(b, ")");
    return;
  }
  if (to == LU_BOOL) {
    if (ISCPLX(from)) lu_sb_printf(b, "(uint8_t)lu_cnz(%s)", x);
    else lu_sb_printf(b, "(uint8_t)((%s) != 0)", x);
    return;
  }
  if (ISCPLX(from) && !ISCPLX(to)) {     /* the real part */
    snprintf(tmp, sizeof tmp, "(%s).re", x);
    convx(b, from == LU_COMPLEX64 ? LU_FLOAT32 : LU_FLOAT64, 1, to, tcomp, tmp);
    return;
  }
  if (ISCPLX(to)) {
    const char *p = to == LU_COMPLEX64 ? "float" : "double";
    if (ISCPLX(from)) lu_sb_printf(b, "lu_cmake((%s)(%s).re, (%s)(%s).im)", p, x, p, x);
    else lu_sb_printf(b, "lu_cmake((%s)(%s), (%s)0)", p, x, p);
    return;
  }
  if (to == LU_FLOAT16) {
    if (from == LU_FLOAT32) lu_sb_printf(b, "lu_f2h(%s)", x);
    else lu_sb_printf(b, "lu_d2h((double)(%s))", x);
    return;
  }
  if (to == LU_BFLOAT16) {
    if (from == LU_FLOAT64) lu_sb_printf(b, "lu_d2bf(%s)", x);
    else lu_sb_printf(b, "lu_f2bf((float)(%s))", x);
    return;
  }
  if (lu_dtypes[from].kind == 'f' && (lu_dtypes[to].kind == 'i' || lu_dtypes[to].kind == 'u')) {
    /* NaN, inf and out-of-range values as on the CPU (lu_prelude.h) */
    lu_sb_printf(b, "(%s)lu_d2int((double)(%s), %d, '%c')", CTYPE(to), x,
                 (int)lu_dtypes[to].size, lu_dtypes[to].kind);
    return;
  }
  lu_sb_printf(b, "(%s)(%s)", CTYPE(to), x);
}

/* One element: load the inputs (load[k] is the C lvalue/expression of input
** k in its storage type), evaluate, store into `dst`. */
static void body(lu_sb *b, const lu_cg_sig *s, const char *const *load,
                 const char *dst, const char *indent) {
  static const char *const names[3] = {"a", "b", "c"};
  int k, nin = lu_ops[s->op].nin;
  const char *expr = lu_op_expr((lu_op)s->op, (lu_dtype)s->ct);
  lu_sb_printf(b, "%s{\n", indent);
  for (k = 0; k < nin; k++) {
    lu_sb_printf(b, "%s  const %s %s = ", indent, comp_type(s->ct), names[k]);
    if (s->in_dt[k] == LU_CG_SCALAR) lu_sb_printf(b, "s%d_", k);
    else convx(b, s->in_dt[k], 0, s->ct, 1, load[k]);
    lu_sb_puts(b, ";\n");
  }
  /* the expression yields the compute type of rt (bool: an int) */
  lu_sb_printf(b, "%s  const %s v_ = ", indent, comp_type(s->rt));
  if (s->rt == LU_BOOL) lu_sb_printf(b, "(uint8_t)((%s) != 0)", expr);
  else if (ISCPLX(s->rt)) lu_sb_puts(b, expr);
  else lu_sb_printf(b, "(%s)(%s)", comp_type(s->rt), expr);
  lu_sb_printf(b, ";\n%s  %s = ", indent, dst);
  convx(b, s->rt, 1, s->out_dt, 0, "v_");
  lu_sb_printf(b, ";\n%s}\n", indent);
}

static void params(lu_sb *b, const lu_cg_sig *s) {
  int k, nin = lu_ops[s->op].nin;
  lu_sb_printf(b, "%s *out_", CTYPE(s->out_dt));
  for (k = 0; k < nin; k++) {
    if (s->in_dt[k] == LU_CG_SCALAR) lu_sb_printf(b, ", const %s s%d_", comp_type(s->ct), k);
    else lu_sb_printf(b, ", const %s *in%d_", CTYPE(s->in_dt[k]), k);
  }
}

void lu_cg_common(lu_sb *b) {
  lu_sb_printf(b,
    "\n#ifndef LU_CG_COMMON\n#define LU_CG_COMMON\n"
    "#pragma nv_diag_suppress 177\n"
    "struct lu_strided { int ndim; int pad_; long long shape[%d]; long long st[4][%d]; };\n"
    "struct lu_tiled { long long n[2]; long long st[4][2]; int tmask; int pad_; };\n"
    "#endif\n", LU_MAXDIM, LU_MAXDIM);
}

/* The 16-byte vector path of the contiguous kernel: each thread moves V
** elements of every operand with one aligned load/store, V chosen so that
** the widest operand fills 16 bytes. Taken only when every pointer is
** aligned to its vector; the tail goes element by element. */
int lu_cg_vector_width(const lu_cg_sig *s) {
  int k, nin = lu_ops[s->op].nin, maxsz = lu_dtypes[s->out_dt].size;
  for (k = 0; k < nin; k++)
    if (s->in_dt[k] != LU_CG_SCALAR && lu_dtypes[s->in_dt[k]].size > maxsz)
      maxsz = lu_dtypes[s->in_dt[k]].size;
  return s->layout == LU_CG_FLAT && 16 / maxsz >= 2 ? 16 / maxsz : 1;
}

static void vector_path(lu_sb *b, const lu_cg_sig *s) {
  int k, nin = lu_ops[s->op].nin, v = lu_cg_vector_width(s);
  char ld[3][48];
  const char *load[3] = {NULL, NULL, NULL};
  if (v < 2) return;
  lu_sb_printf(b, "  {\n    typedef struct __align__(%d) { %s v[%d]; } vo_t;\n",
               v * lu_dtypes[s->out_dt].size, CTYPE(s->out_dt), v);
  for (k = 0; k < nin; k++)
    if (s->in_dt[k] != LU_CG_SCALAR)
      lu_sb_printf(b, "    typedef struct __align__(%d) { %s v[%d]; } v%d_t;\n",
                   v * lu_dtypes[s->in_dt[k]].size, CTYPE(s->in_dt[k]), v, k);
  lu_sb_printf(b, "    if (((unsigned long long)out_ %% %d) == 0",
               v * lu_dtypes[s->out_dt].size);
  for (k = 0; k < nin; k++)
    if (s->in_dt[k] != LU_CG_SCALAR)
      lu_sb_printf(b, " && ((unsigned long long)in%d_ %% %d) == 0", k,
                   v * lu_dtypes[s->in_dt[k]].size);
  lu_sb_printf(b, ") {\n      const long long nv_ = n_ / %d;\n", v);
  lu_sb_puts(b, "      for (long long j_ = tid_; j_ < nv_; j_ += nth_) {\n");
  for (k = 0; k < nin; k++) {
    if (s->in_dt[k] == LU_CG_SCALAR) { load[k] = NULL; continue; }
    lu_sb_printf(b, "        const v%d_t x%d_ = ((const v%d_t *)in%d_)[j_];\n", k, k, k, k);
    snprintf(ld[k], sizeof ld[k], "x%d_.v[k_]", k);
    load[k] = ld[k];
  }
  lu_sb_printf(b, "        vo_t y_;\n#pragma unroll\n        for (int k_ = 0; k_ < %d; k_++)\n", v);
  body(b, s, load, "y_.v[k_]", "        ");
  lu_sb_puts(b, "        ((vo_t *)out_)[j_] = y_;\n      }\n");
  for (k = 0; k < nin; k++) {
    snprintf(ld[k], sizeof ld[k], "in%d_[i_]", k);
    load[k] = ld[k];
  }
  lu_sb_printf(b, "      for (long long i_ = nv_ * %d + tid_; i_ < n_; i_ += nth_)\n", v);
  body(b, s, load, "out_[i_]", "      ");
  lu_sb_puts(b, "      return;\n    }\n  }\n");
}

static void contiguous(lu_sb *b, const lu_cg_sig *s, const char *name) {
  int k, nin = lu_ops[s->op].nin;
  char ld[3][32];
  const char *load[3];
  lu_sb_printf(b, "extern \"C\" __global__ void %s(const long long n_, ", name);
  params(b, s);
  lu_sb_puts(b, ")\n{\n"
    "  const long long tid_ = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
    "  const long long nth_ = (long long)gridDim.x * blockDim.x;\n");
  vector_path(b, s);
  for (k = 0; k < nin; k++) {
    snprintf(ld[k], sizeof ld[k], "in%d_[i_]", k);
    load[k] = ld[k];
  }
  lu_sb_puts(b, "  if (n_ < 2147483648LL) {\n"
    "    for (unsigned i_ = (unsigned)tid_; i_ < (unsigned)n_; i_ += (unsigned)nth_)\n");
  body(b, s, load, "out_[i_]", "    ");
  lu_sb_puts(b, "  } else {\n    for (long long i_ = tid_; i_ < n_; i_ += nth_)\n");
  body(b, s, load, "out_[i_]", "    ");
  lu_sb_puts(b, "  }\n}\n");
}

/* The strided loop for index type IT: the flat index is split into
** coordinates from the last axis, accumulating byte offsets. */
static void strided_loop(lu_sb *b, const lu_cg_sig *s, const char *it) {
  int k, nin = lu_ops[s->op].nin;
  char ld[3][64], dst[64];
  const char *load[3];
  lu_sb_printf(b, "    for (%s i_ = (%s)tid_; i_ < (%s)n_; i_ += (%s)nth_) {\n"
                  "      %s r_ = i_;\n      long long o_ = 0", it, it, it, it, it);
  for (k = 0; k < nin; k++)
    if (s->in_dt[k] != LU_CG_SCALAR) lu_sb_printf(b, ", o%d_ = 0", k);
  lu_sb_printf(b, ";\n      for (int d_ = st_.ndim - 1; d_ >= 0; d_--) {\n"
                  "        const %s e_ = (%s)st_.shape[d_];\n"
                  "        const %s q_ = r_ / e_;\n"
                  "        const long long c_ = (long long)(r_ - q_ * e_);\n"
                  "        r_ = q_;\n        o_ += c_ * st_.st[0][d_];\n", it, it, it);
  for (k = 0; k < nin; k++)
    if (s->in_dt[k] != LU_CG_SCALAR)
      lu_sb_printf(b, "        o%d_ += c_ * st_.st[%d][d_];\n", k, k + 1);
  lu_sb_puts(b, "      }\n");
  for (k = 0; k < nin; k++) {
    snprintf(ld[k], sizeof ld[k], "*(const %s *)((const char *)in%d_ + o%d_)",
             CTYPE(s->in_dt[k] == LU_CG_SCALAR ? s->ct : s->in_dt[k]), k, k);
    load[k] = ld[k];
  }
  snprintf(dst, sizeof dst, "*(%s *)((char *)out_ + o_)", CTYPE(s->out_dt));
  body(b, s, load, dst, "      ");
  lu_sb_puts(b, "    }\n");
}

static void strided(lu_sb *b, const lu_cg_sig *s, const char *name) {
  lu_sb_printf(b, "extern \"C\" __global__ void %s(const long long n_, const struct lu_strided st_, ", name);
  params(b, s);
  lu_sb_puts(b, ")\n{\n"
    "  const long long tid_ = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
    "  const long long nth_ = (long long)gridDim.x * blockDim.x;\n"
    "  if (n_ < 2147483648LL) {\n");
  strided_loop(b, s, "unsigned");
  lu_sb_puts(b, "  } else {\n");
  strided_loop(b, s, "long long");
  lu_sb_puts(b, "  }\n}\n");
}

/* The tiled 2-D kernel (a transpose and whatever op rides on it). Each
** block owns TILE x TILE tiles of the (y, x) index space in turn (a 2-D
** grid, stepping by its size: no division); its TILE x ROWS threads take
** TILE / ROWS elements each. Phase 1 stages every input of tmask into its
** shared tile with lanes along y (that input's fastest axis, so the loads
** coalesce); it clamps indices at the edges instead of testing them, so
** its loads are unconditional and all in flight at once (edge tiles hold
** repeats that phase 2 never stores). Phase 2 runs lanes along x, reads
** the staged inputs from the tiles (the +1 column keeps the banks apart),
** the other inputs straight from memory, and stores coalesced. Offsets
** are 64-bit: a few multiply-adds per operand and tile, then constant
** steps. With one array input that input is the staged one, so the
** kernel tests no mask and fits 32 registers (8 blocks per SM). */
static void tiled(lu_sb *b, const lu_cg_sig *s, const char *name) {
  int k, nin = lu_ops[s->op].nin;
  const int T = LU_CG_TILE, R = LU_CG_TILE_ROWS;
  char ld[3][200], dst[96];
  const char *load[3];
  int narr = 0;
  for (k = 0; k < nin; k++) narr += s->in_dt[k] != LU_CG_SCALAR;
  lu_sb_printf(b, "extern \"C\" __global__ void __launch_bounds__(%d%s) %s(const long long n_, "
                  "const struct lu_tiled tl_, ", T * R, narr == 1 ? ", 8" : "", name);
  params(b, s);
  lu_sb_puts(b, ")\n{\n");
  for (k = 0; k < nin; k++)
    if (s->in_dt[k] != LU_CG_SCALAR)
      lu_sb_printf(b, "  __shared__ %s t%d_[%d][%d];\n", CTYPE(s->in_dt[k]), k, T, T + 1);
  lu_sb_printf(b,
    "  const long long ny_ = tl_.n[0], nx_ = tl_.n[1];\n"
    "  const int tx_ = threadIdx.x, ty_ = threadIdx.y;\n"
    "  (void)n_;\n"
    "  for (long long y0_ = (long long)blockIdx.y * %d; y0_ < ny_; y0_ += (long long)gridDim.y * %d)\n"
    "  for (long long x0_ = (long long)blockIdx.x * %d; x0_ < nx_; x0_ += (long long)gridDim.x * %d) {\n",
    T, T, T, T);
  /* phase 1 */
  for (k = 0; k < nin; k++) {
    if (s->in_dt[k] == LU_CG_SCALAR) continue;
    if (narr == 1) lu_sb_puts(b, "    {\n");
    else lu_sb_printf(b, "    if (tl_.tmask & %d) {\n", 1 << k);
    lu_sb_printf(b,
      "      const long long yy_ = y0_ + tx_, y_ = yy_ < ny_ ? yy_ : ny_ - 1;\n"
      "      const char *p_ = (const char *)in%d_ + y_ * tl_.st[%d][0];\n"
      "      %s r_[%d];\n"
      "#pragma unroll\n"
      "      for (int j_ = 0; j_ < %d; j_++) {\n"
      "        const long long xx_ = x0_ + ty_ + j_ * %d, x_ = xx_ < nx_ ? xx_ : nx_ - 1;\n"
      "        r_[j_] = *(const %s *)(p_ + x_ * tl_.st[%d][1]);\n"
      "      }\n"
      "#pragma unroll\n"
      "      for (int j_ = 0; j_ < %d; j_++) t%d_[ty_ + j_ * %d][tx_] = r_[j_];\n"
      "    }\n",
      k, k + 1, CTYPE(s->in_dt[k]), T / R, T / R, R, CTYPE(s->in_dt[k]), k + 1,
      T / R, k, R);
  }
  lu_sb_puts(b, "    __syncthreads();\n");
  /* phase 2 */
  lu_sb_printf(b,
    "    {\n"
    "      const long long x_ = x0_ + tx_, yb_ = y0_ + ty_;\n"
    "      char *po_ = (char *)out_ + yb_ * tl_.st[0][0] + x_ * tl_.st[0][1];\n"
    "      const long long so_ = tl_.st[0][0] * %d;\n", R);
  for (k = 0; k < nin; k++) {
    if (s->in_dt[k] == LU_CG_SCALAR) { load[k] = NULL; continue; }
    if (narr == 1) {
      snprintf(ld[k], sizeof ld[k], "t%d_[tx_][ty_ + j_]", k);
      load[k] = ld[k];
      continue;
    }
    lu_sb_printf(b,
      "      const char *p%d_ = (const char *)in%d_ + yb_ * tl_.st[%d][0] + x_ * tl_.st[%d][1];\n"
      "      const long long s%dy_ = tl_.st[%d][0] * %d;\n", k, k, k + 1, k + 1, k, k + 1, R);
    snprintf(ld[k], sizeof ld[k],
             "((tl_.tmask & %d) ? t%d_[tx_][ty_ + j_] : *(const %s *)(p%d_ + (j_ / %d) * s%dy_))",
             1 << k, k, CTYPE(s->in_dt[k]), k, R, k);
    load[k] = ld[k];
  }
  snprintf(dst, sizeof dst, "*(%s *)(po_ + (j_ / %d) * so_)", CTYPE(s->out_dt), R);
  lu_sb_printf(b,
    "#pragma unroll\n"
    "      for (int j_ = 0; j_ < %d; j_ += %d)\n"
    "        if (x_ < nx_ && yb_ + j_ < ny_)\n", T, R);
  body(b, s, load, dst, "        ");
  lu_sb_puts(b, "    }\n    __syncthreads();\n  }\n}\n");
}

int lu_cg_kernel(lu_sb *b, const lu_cg_sig *s) {
  char name[128];
  if (!lu_cg_valid(s) || !lu_cg_name(s, name, sizeof name)) return 0;
  if (s->layout == LU_CG_FLAT) contiguous(b, s, name);
  else if (s->layout == LU_CG_TILED) tiled(b, s, name);
  else strided(b, s, name);
  return 1;
}
/* }====================================================== */

/* {====================================================== built-in set */
static const int group_dt[LU_CG_NDTGROUPS] = {LU_BOOL, LU_INT32, LU_INT64, LU_FLOAT32, LU_FLOAT64};

/* A dtype's kernels come in three groups (fatbins): fills, copies and the
** arithmetic a script starts with; comparisons and logic; the rest. One
** group per dtype was 2.6-4.8 MB, and a process's first op loaded a whole
** one: 17.8 ms for the int64 group (3.4 MB) on an H100 host (2026-12-06),
** against a whole CUDA program's start of about 240 ms there. */
static const char *const class_name[LU_CG_NCLASSES] = {"arithmetic", "comparisons", "other"};

static int op_class(int op) {
  switch (op) {
    case LU_OP_copy: case LU_OP_add: case LU_OP_subtract: case LU_OP_multiply:
    case LU_OP_maximum: case LU_OP_minimum: case LU_OP_negative: case LU_OP_abs:
    case LU_OP_where:
      return 0;
    case LU_OP_equal: case LU_OP_not_equal: case LU_OP_less: case LU_OP_less_equal:
    case LU_OP_greater: case LU_OP_greater_equal: case LU_OP_logical_and:
    case LU_OP_logical_or: case LU_OP_logical_not:
      return 1;
    default:
      return 2;
  }
}

int lu_cg_group_dtype(int g) { return group_dt[g % LU_CG_NDTGROUPS]; }
const char *lu_cg_group_class(int g) { return class_name[g / LU_CG_NDTGROUPS]; }

static int group_of(int dt) {
  int g;
  for (g = 0; g < LU_CG_NDTGROUPS; g++) if (group_dt[g] == dt) return g;
  return -1;
}

/* the group of an op on dtype group dg (-1: none) */
static int in_class(int dg, int op) {
  return dg < 0 ? -1 : dg + LU_CG_NDTGROUPS * op_class(op);
}

/* The rows of the ufunc set (after copy in lu_ops.def) that are built in,
** and for which dtypes: the rest, and these in other signatures, are
** compiled by NVRTC on first use (then cached on disk). Each built-in
** kernel costs build time on every machine, so the list holds what common
** code reaches for: rounding, the usual transcendental functions, the NaN
** tests, and the bitwise operators on bool and integer masks. Only the flat
** and strided layouts, and no scalar as the first operand. */
#define ON_FLOATS 1   /* float32 and float64 */
#define ON_INTS   2   /* bool, int32 and int64 */
static const struct { lu_op op; int on; } ufunc_builtin[] = {
  {LU_OP_floor, ON_FLOATS}, {LU_OP_ceil, ON_FLOATS}, {LU_OP_trunc, ON_FLOATS},
  {LU_OP_rint, ON_FLOATS}, {LU_OP_tan, ON_FLOATS}, {LU_OP_arcsin, ON_FLOATS},
  {LU_OP_arccos, ON_FLOATS}, {LU_OP_arctan, ON_FLOATS}, {LU_OP_sinh, ON_FLOATS},
  {LU_OP_cosh, ON_FLOATS}, {LU_OP_exp2, ON_FLOATS}, {LU_OP_expm1, ON_FLOATS},
  {LU_OP_log2, ON_FLOATS}, {LU_OP_log10, ON_FLOATS}, {LU_OP_log1p, ON_FLOATS},
  {LU_OP_cbrt, ON_FLOATS}, {LU_OP_square, ON_FLOATS}, {LU_OP_reciprocal, ON_FLOATS},
  {LU_OP_isnan, ON_FLOATS}, {LU_OP_isinf, ON_FLOATS}, {LU_OP_isfinite, ON_FLOATS},
  {LU_OP_erf, ON_FLOATS}, {LU_OP_arctan2, ON_FLOATS}, {LU_OP_hypot, ON_FLOATS},
  {LU_OP_fmax, ON_FLOATS}, {LU_OP_fmin, ON_FLOATS}, {LU_OP_logaddexp, ON_FLOATS},
  {LU_OP_bitwise_and, ON_INTS}, {LU_OP_bitwise_or, ON_INTS}, {LU_OP_bitwise_xor, ON_INTS},
  {LU_OP_invert, ON_INTS},
};

/* -1 when a row of the ufunc set is not built in for this signature */
static int ufunc_allowed(const lu_cg_sig *s, int d) {
  size_t i;
  int on = d == LU_FLOAT32 || d == LU_FLOAT64 ? ON_FLOATS : ON_INTS;
  if (s->layout == LU_CG_TILED || s->in_dt[0] == LU_CG_SCALAR) return 0;
  for (i = 0; i < sizeof ufunc_builtin / sizeof ufunc_builtin[0]; i++)
    if (ufunc_builtin[i].op == s->op) return (ufunc_builtin[i].on & on) != 0;
  return 0;
}

/* Built in: same-dtype inputs of the five common dtypes, with the op's own
** result rule, scalars anywhere but the first input of a 3-input op (and
** not everywhere, except a fill); astype (copy) between any two of them;
** of the ufunc set, the rows of ufunc_builtin above. The dtype's group
** (group_dt), or -1 when the signature is not built in. */
static int dtype_group(const lu_cg_sig *s) {
  int k, nin, d = -1, narr = 0;
  const lu_op_info *op;
  if (!lu_cg_valid(s)) return -1;
  op = &lu_ops[s->op];
  nin = op->nin;
  if (group_of(s->ct) < 0 || group_of(s->out_dt) < 0) return -1;
  if (s->op > LU_OP_copy && (s->in_dt[0] == LU_CG_SCALAR ||
                             !ufunc_allowed(s, s->in_dt[0])))
    return -1;
  if (nin == 3 && s->in_dt[0] == LU_CG_SCALAR) return -1;
  for (k = 0; k < nin; k++) if (s->in_dt[k] != LU_CG_SCALAR) narr++;
  /* a fill (copy of a scalar: zeros, ones, full, a[...] = v) is built in, so
  ** creating an array never waits for NVRTC */
  if (narr == 0)
    return (s->op == LU_OP_copy && s->ct == s->rt && s->out_dt == s->ct &&
            s->layout != LU_CG_TILED) ? group_of(s->ct) : -1;
  if (op->rule == LU_R_WHERE) {
    if (s->in_dt[0] != LU_BOOL) return -1;
    d = s->ct;
    for (k = 1; k < 3; k++)
      if (s->in_dt[k] != LU_CG_SCALAR && s->in_dt[k] != d) return -1;
    return (s->rt == d && s->out_dt == d) ? group_of(d) : -1;
  }
  for (k = 0; k < nin; k++) {
    if (s->in_dt[k] == LU_CG_SCALAR) continue;
    if (d < 0) d = s->in_dt[k];
    else if (s->in_dt[k] != d) return -1;
  }
  if (group_of(d) < 0) return -1;
  if (s->op == LU_OP_copy)
    return (s->ct == d && s->rt == d) ? group_of(d) : -1;
  switch (op->rule) {
    case LU_R_INT8B: if (d == LU_BOOL) return -1; /* fall through */
    case LU_R_SAME:
      return (s->ct == d && s->rt == d && s->out_dt == d) ? group_of(d) : -1;
    case LU_R_FLOAT:
      return (s->ct == (int)lu_float_of((lu_dtype)d) && s->rt == s->ct &&
              s->out_dt == s->ct) ? group_of(d) : -1;
    case LU_R_CMP:
      return (s->ct == d && s->rt == LU_BOOL && s->out_dt == LU_BOOL) ? group_of(d) : -1;
    default:
      return -1;
  }
}
int lu_cg_builtin_group(const lu_cg_sig *s) {
  return in_class(dtype_group(s), s->op);
}
/* }====================================================== */

uint64_t lu_cg_hash(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = (const unsigned char *)data;
  size_t i;
  for (i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ULL; }
  return h;
}
