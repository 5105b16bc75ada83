/* SPDX-License-Identifier: MIT */
/*
** Explicit fusion: a traced program of elementwise op rows (lu_fuse.h)
** becomes the operation of one user kernel (ukernel.c), so broadcasting,
** views, scalars, outputs and both backends are the user kernels' own.
**
** At each call every node's compute and result dtypes are resolved with
** the unfused op's rules (lu_ewise_resolve: NumPy 2's promotion with weak
** Lua numbers), so a fused result has the unfused dtype, and a call the
** unfused op would refuse fails here too (the binding then runs the
** unfused function, which raises the op's own error). Each node is a
** block that converts its inputs to the compute type as the unfused loop
** loads them, evaluates the op table's expression, and rounds the value
** to the result dtype as the unfused op stores it (float16 and bfloat16
** through the prelude's conversions, bool as 0/1):
**   { const CT a = (CT)v0; const CT b = (CT)p1; v2 = (RT)(EXPR); }
** The resolved dtypes key a small memo of generated kernels per program;
** the backends cache the compiled code by the source's hash (in memory,
** and on disk for CUDA), so equal programs compile once.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_fuse.h"
#include "lu_hostmem.h"
#include "lu_workbench.h"
#include "lu_ukernel.h"

#define FZ_MEMO 8
#define FZ_KEYLEN (2 + LU_FUSE_MAXLEAF + 2 * LU_FUSE_MAXNODE + 1)

typedef struct fz_memo {
  int key[FZ_KEYLEN];
  lu_ukernel *k;
} fz_memo;

struct lu_fused {
  lu_fuse_prog p;
  fz_memo memo[FZ_MEMO];
  int nmemo, next, nkernels;
  struct lu_fused *elem;   /* a reduction's elementwise part alone (split_reduction) */
  struct lu_fused *chunk;  /* several reductions of the whole loop: its first
                              stage, over the rows of (chunks, rest) (chunked_reduction) */
  struct lu_fused *fin;    /* and its second: every result's partials reduced in
                              one kernel */
  lu_rows *rows;           /* or the whole as a row program (rows_reduction) */
  int rowsk;               /* the trailing axes it reduces */
  lu_ukernel *uk[LU_FUSE_MAXUK];   /* the user kernels of p's nodes (references) */
};

/* What one call resolved (lu_fuse.h) */
typedef lu_fuse_plan fz_plan;

typedef struct { const char *name; const char *text; size_t len; } lu_embedded_file;
extern const lu_embedded_file lu_embedded_text[];   /* lu_numeric.h, lu_prelude.h, lu_philox.h */

int lu_fuse_is_red(int r) {
  return r == LU_RED_sum || r == LU_RED_prod || r == LU_RED_max || r == LU_RED_min ||
         r == LU_RED_mean || r == LU_RED_any || r == LU_RED_all;
}

/* Result i's trailing reduction (p->red >= 0) */
static int red_of(const lu_fuse_prog *p, int i) { return i == 0 ? p->red : p->redop[i]; }

int lu_fuse_node_nin(const lu_fuse_prog *p, int i) {
  const lu_fuse_node *n = &p->node[i];
  return n->redk > 0 ? 1 : n->op >= LU_FUSE_UK ? p->uknin[n->op - LU_FUSE_UK] : lu_ops[n->op].nin;
}

/* A user kernel node's kernel (lu_fuse_new_uk checked the index) */
static const lu_ukernel *uk_of(const lu_fused *f, int i) {
  return f->uk[f->p.node[i].op - LU_FUSE_UK];
}

int lu_fuse_new(lu_ctx *ctx, lu_fused **out, const lu_fuse_prog *p) {
  return lu_fuse_new_uk(ctx, out, p, NULL);
}

int lu_fuse_new_uk(lu_ctx *ctx, lu_fused **out, const lu_fuse_prog *p, lu_ukernel *const *uk) {
  lu_fused *f;
  int i, k;
  *out = NULL;
  if (p->nleaf < 0 || p->nleaf > LU_FUSE_MAXLEAF || p->nnode < 1 || p->nnode > LU_FUSE_MAXNODE ||
      p->nres < 1 || p->nres > LU_FUSE_MAXOUT || p->naxes > LU_MAXDIM || p->nuk < 0 ||
      p->nuk > LU_FUSE_MAXUK || (p->nuk > 0 && uk == NULL))
    return lu_seterr(ctx, LU_EARG, "fuse: the traced program is too large or malformed");
  /* a user kernel's operation is written into elementwise programs only:
  ** the reduction paths make programs of their own from p (split_reduction) */
  if (p->nuk > 0 && p->red >= 0)
    return lu_seterr(ctx, LU_EARG, "fuse: a user kernel in a reduction program");
  for (i = 0; i < p->nuk; i++)
    if (uk[i] == NULL || lu_ukernel_key(uk[i]) != p->ukey[i] || lu_ukernel_nin(uk[i]) != p->uknin[i] ||
        p->uknin[i] > 3 || lu_ukernel_nout(uk[i]) != 1 || lu_ukernel_is_reduction(uk[i]))
      return lu_seterr(ctx, LU_EARG, "fuse: user kernel %d is not the program's", i + 1);
  for (i = 0; p->red >= 0 && i < p->nres; i++)
    if (!lu_fuse_is_red(red_of(p, i)))
      return lu_seterr(ctx, LU_EARG, "fuse: result %d has no reduction", i + 1);
  for (i = 0; i < p->nnode; i++) {
    const lu_fuse_node *n = &p->node[i];
    int uki = n->op - LU_FUSE_UK;
    if (n->redk != 0 || (n->op >= LU_FUSE_UK ? uki >= p->nuk
                         : n->op < 0 || n->op >= LU_NOPS || lu_ops[n->op].name[0] == '_'))
      return lu_seterr(ctx, LU_EARG, "fuse: node %d has no op row", i + 1);
    for (k = 0; k < lu_fuse_node_nin(p, i); k++)
      if (n->in[k] >= p->nleaf || (n->in[k] < 0 && -1 - (long long)n->in[k] >= i))
        return lu_seterr(ctx, LU_EARG, "fuse: node %d reads an unknown value", i + 1);
  }
  for (i = 0; i < p->nres; i++)
    if (p->res[i] >= 0 || -1 - (long long)p->res[i] >= p->nnode)
      return lu_seterr(ctx, LU_EARG, "fuse: result %d is not a node", i + 1);
  f = (lu_fused *)lu_calloc(1, sizeof *f);
  if (f == NULL) return lu_seterr(ctx, LU_EMEM, "out of memory");
  f->p = *p;
  for (i = 0; i < p->nuk; i++) {
    f->uk[i] = uk[i];
    lu_ukernel_ref(uk[i]);
  }
  *out = f;
  return LU_OK;
}

void lu_fuse_free(lu_fused *f) {
  int i;
  if (f == NULL) return;
  for (i = 0; i < f->nmemo; i++) lu_ukernel_free(f->memo[i].k);
  for (i = 0; i < f->p.nuk; i++) lu_ukernel_free(f->uk[i]);
  lu_fuse_free(f->elem);
  lu_fuse_free(f->chunk);
  lu_fuse_free(f->fin);
  lu_fuse_rows_free(f->rows);
  free(f);
}

int lu_fuse_nkernels(const lu_fused *f) {
  return f->nkernels + (f->elem ? f->elem->nkernels : 0) + (f->chunk ? f->chunk->nkernels : 0) +
         (f->fin ? f->fin->nkernels : 0);
}

/* {====================================================== resolution */
/* The accumulator of a fused reduction of values of dtype vd: as the
** unfused rows (lu_reduce.def) run, sums and products of integers and bool
** in uint64 (two's complement wraps), of floats in double on the CPU and in
** float for float32 and narrower on the GPU; max and min in the value's
** own dtype. */
int lu_fuse_red_acc(int red, int vd, int rdt, int cuda) {
  switch (red) {
    case LU_RED_sum: case LU_RED_prod:
      if (lu_dtype_kind(vd) != 'f') return LU_UINT64;
      return cuda && lu_dtype_size(vd) <= 4 ? LU_FLOAT32 : LU_FLOAT64;
    case LU_RED_mean:
      return cuda && lu_dtype_size(rdt) <= 4 ? LU_FLOAT32 : LU_FLOAT64;
    case LU_RED_any: case LU_RED_all: return LU_BOOL;
    default: return vd;
  }
}

int lu_fuse_node_check(lu_ctx *ctx, int op, const lu_arg *a, lu_dtype *ct, lu_dtype *rt) {
  int st = lu_ewise_resolve(ctx, lu_ops[op].name, (lu_op)op, lu_ops[op].nin, a, -1, ct, rt);
  if (st != LU_OK) return st;
  if (lu_dtype_kind(*ct) == 'c' || lu_dtype_kind(*rt) == 'c')
    return lu_seterr(ctx, LU_ETYPE, "fuse: complex dtypes are not fused");
  /* the unfused power checks integer exponents for negative values */
  if (op == LU_OP_power && lu_dtype_kind(*ct) == 'i')
    return lu_seterr(ctx, LU_ETYPE, "fuse: power of signed integers is not fused");
  /* the unfused nextafter and spacing step on float16/bfloat16 bit
  ** patterns (halfstep.c), not through the expression in float */
  if ((op == LU_OP_nextafter || op == LU_OP_spacing) && lu_dtype_is_half(*ct))
    return lu_seterr(ctx, LU_ETYPE, "fuse: %s of half floats is not fused", lu_ops[op].name);
  return LU_OK;
}

static int resolve(lu_ctx *ctx, const lu_fused *f, int nargs, const lu_arg *args, int cuda,
                   fz_plan *pl) {
  const lu_fuse_prog *p = &f->p;
  lu_array fake[LU_FUSE_MAXNODE];
  int i, k, st;
  if (nargs != p->nleaf)
    return lu_seterr(ctx, LU_EARG, "fuse: takes %d values, got %d", p->nleaf, nargs);
  memset(pl, 0, sizeof *pl);
  pl->cuda = cuda;
  for (i = 0; i < p->nleaf; i++) {
    if (args[i].arr) {
      const lu_fuse_rng *g = lu_fuse_rng_of(args[i].arr);
      pl->leafdt[i] = args[i].arr->dtype;
      if (g) pl->leafrng[i] = (char)(1 + g->dist);
      if (lu_dtype_kind(args[i].arr->dtype) == 'c')
        return lu_seterr(ctx, LU_ETYPE, "fuse: complex dtypes are not fused");
    } else {
      if (args[i].s.kind == 'c') return lu_seterr(ctx, LU_ETYPE, "fuse: complex values are not fused");
      pl->leafkind[i] = args[i].s.kind;
      pl->leafdt[i] = -1 - (int)args[i].s.kind;
    }
  }
  /* used nodes and leaves, from the results back */
  for (i = 0; i < p->nres; i++) pl->usenode[-1 - p->res[i]] = 1;
  for (i = p->nnode - 1; i >= 0; i--) {
    if (!pl->usenode[i]) continue;
    for (k = 0; k < lu_fuse_node_nin(p, i); k++) {
      int r = p->node[i].in[k];
      if (r >= 0) pl->useleaf[r] = 1; else pl->usenode[-1 - r] = 1;
    }
  }
  /* every node, used or not, as the unfused op would see it */
  memset(fake, 0, sizeof fake);
  for (i = 0; i < p->nnode; i++) {
    const lu_fuse_node *n = &p->node[i];
    lu_arg a[3];
    lu_dtype ct, rt;
    memset(a, 0, sizeof a);
    for (k = 0; k < lu_fuse_node_nin(p, i); k++) {
      int r = n->in[k];
      if (r >= 0) a[k] = args[r];
      else { fake[-1 - r].dtype = (lu_dtype)pl->rt[-1 - r]; a[k].arr = &fake[-1 - r]; }
    }
    if (n->op >= LU_FUSE_UK) {   /* the kernel's own binding, as its call makes it */
      int nin = lu_fuse_node_nin(p, i);
      if ((st = lu_ukernel_bind_inputs(ctx, uk_of(f, i), nin, a, pl->uvt[i])) != LU_OK) return st;
      pl->ct[i] = pl->rt[i] = pl->uvt[i][nin];
      continue;
    }
    if ((st = lu_fuse_node_check(ctx, n->op, a, &ct, &rt)) != LU_OK) return st;
    pl->ct[i] = ct; pl->rt[i] = rt;
  }
  for (i = 0; p->red >= 0 && i < p->nres; i++) {
    int vd = pl->rt[-1 - p->res[i]], r = red_of(p, i);
    pl->rdt[i] = lu_red_result((lu_redop)r, (lu_dtype)vd);
    pl->acc[i] = lu_fuse_red_acc(r, vd, pl->rdt[i], cuda);
  }
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== source */
#define vtype lu_fuse_vtype
const char *lu_fuse_vtype(int dt) {
  return dt == LU_BOOL ? "bool" : lu_dtype_is_half(dt) ? "float" : lu_dtypes[dt].ctype;
}

/* {------------------------------------------------------ random leaves */
void lu_fuse_rng_tag(void *ud) { (void)ud; }

const lu_fuse_rng *lu_fuse_rng_of(const lu_array *a) {
  return a && a->buf && a->buf->release == lu_fuse_rng_tag ? (const lu_fuse_rng *)(const void *)a->buf
                                                           : NULL;
}

/* Value off + i of the stream as lu_philox_values_f32/_f64 give it (the
** lane of its block; of a normal block only the Box-Muller pair the lane is
** in), so a fused value is the unfused draw's bit for bit on each device.
** A draw starts on a block (random.c and lazy.c advance the stream by whole
** blocks of four), so the block is off's plus i's: in the CUDA vector loop
** (i = 4v + e, e = 0..3 unrolled) the compiler sees one block for a
** thread's four elements and computes it, and each Box-Muller pair, once.
** On CUDA an empty asm keeps the value the rounded one the draw stores: no
** product in it is contracted with the fused code's next sum. */
void lu_fuse_put_rng_prelude(lu_uk_text *b, int cuda) {
  const lu_embedded_file *f;
  for (f = lu_embedded_text; f->name; f++)
    if (strcmp(f->name, "lu_philox.h") == 0) lu_uk_put(b, "%.*s\n", (int)f->len, f->text);
  lu_uk_put(b,
    "#ifdef LU_PHILOX_GPU\n#define LU_FZ_KEEP(v, c) asm volatile(\"\" : \"+\" c(v))\n"
    "#else\n#define LU_FZ_KEEP(v, c) ((void)0)\n#endif\n"
    "LU_PHILOX_FN float lu_fz_rng_f32(uint64_t seed, uint64_t off, uint64_t i, int dist) {\n"
    "  uint32_t x[4];\n  float z0, z1;\n  const int l = (int)(i & 3u);\n"
    "  lu_philox_block(seed, (off >> 2) + (i >> 2), LU_PHILOX_TAG(dist, 0), x);\n"
    "  if (dist == 0) {\n"
    "    z0 = lu_philox_u01_f32(l == 0 ? x[0] : l == 1 ? x[1] : l == 2 ? x[2] : x[3]);\n"
    "  } else {\n"
    "    lu_philox_boxmuller_f32(l < 2 ? x[0] : x[2], l < 2 ? x[1] : x[3], &z0, &z1);\n"
    "    if (l & 1) z0 = z1;\n"
    "  }\n  LU_FZ_KEEP(z0, \"f\");\n  return z0;\n}\n"
    "LU_PHILOX_FN double lu_fz_rng_f64(uint64_t seed, uint64_t off, uint64_t i, int dist) {\n"
    "  uint32_t x[4];\n  double z0, z1;\n"
    "  lu_philox_block(seed, (off >> 1) + (i >> 1), LU_PHILOX_TAG(dist, 1), x);\n"
    "  if (dist == 0) {\n"
    "    z0 = (i & 1u) ? lu_philox_u01_f64(x[2], x[3]) : lu_philox_u01_f64(x[0], x[1]);\n"
    "  } else {\n"
    "    lu_philox_boxmuller_f64(lu_philox_u01c_f64(x[0], x[1]), lu_philox_u01_f64(x[2], x[3]),\n"
    "                            &z0, &z1);\n"
    "    if (i & 1u) z0 = z1;\n"
    "  }\n  LU_FZ_KEEP(z0, \"d\");\n  return z0;\n}\n");
  if (!cuda) {
    /* C: an elementwise kernel's draws read a chunk of 1024 values that
    ** the backend's vector loops fill (the launch's rngfill), kept in the
    ** thread's state (make_kernel): each element alone is scalar code
    ** running a whole block and a Box-Muller pair (randn(10^7) * 1 took
    ** 324 ms so, 37 unfused). A chunk may reach past the draw's end:
    ** values nobody reads. Its base starts at 2^63, which no element's
    ** index is within a chunk of. */
    lu_uk_put(b,
      "#define LU_FZ_CHUNK 1024\n"
      "typedef void (*lu_fz_fill_fn)(void *, uint64_t, uint64_t, int64_t, int, int);\n"
      "typedef struct { uint64_t base; float v[LU_FZ_CHUNK]; } lu_fz_c32;\n"
      "typedef struct { uint64_t base; double v[LU_FZ_CHUNK]; } lu_fz_c64;\n"
      "static inline float lu_fz_rng_f32c(lu_fz_c32 *m, lu_fz_fill_fn fill, uint64_t seed,\n"
      "                                   uint64_t off, uint64_t i, int dist) {\n"
      "  if (i - m->base >= LU_FZ_CHUNK) {\n"
      "    m->base = i & ~(uint64_t)(LU_FZ_CHUNK - 1);\n"
      "    fill(m->v, seed, (off >> 2) + (m->base >> 2), LU_FZ_CHUNK / 4, dist, 0);\n"
      "  }\n  return m->v[i - m->base];\n}\n"
      "static inline double lu_fz_rng_f64c(lu_fz_c64 *m, lu_fz_fill_fn fill, uint64_t seed,\n"
      "                                    uint64_t off, uint64_t i, int dist) {\n"
      "  if (i - m->base >= LU_FZ_CHUNK) {\n"
      "    m->base = i & ~(uint64_t)(LU_FZ_CHUNK - 1);\n"
      "    fill(m->v, seed, (off >> 1) + (m->base >> 1), LU_FZ_CHUNK / 2, dist, 1);\n"
      "  }\n  return m->v[i - m->base];\n}\n");
    return;
  }
  /* CUDA: the same values through a memo of the thread's last block and
  ** Box-Muller pair (ukernel.c's thread state): the vector loop's elements
  ** share a block, and two of them a pair, which the memo computes once */
  lu_uk_put(b,
    "struct lu_fz_m32 { uint64_t blk = ~(uint64_t)0; int pair = -1; uint32_t x[4]; float z[2]; };\n"
    "LU_PHILOX_FN float lu_fz_rng_f32m(lu_fz_m32 &m, uint64_t seed, uint64_t off, uint64_t i,\n"
    "                                  int dist) {\n"
    "  const uint64_t blk = (off >> 2) + (i >> 2);\n  const int l = (int)(i & 3u);\n  float z0;\n"
    "  if (blk != m.blk) {\n"
    "    lu_philox_block(seed, blk, LU_PHILOX_TAG(dist, 0), m.x);\n    m.blk = blk;\n    m.pair = -1;\n"
    "  }\n"
    "  if (dist == 0) {\n"
    "    z0 = lu_philox_u01_f32(l == 0 ? m.x[0] : l == 1 ? m.x[1] : l == 2 ? m.x[2] : m.x[3]);\n"
    "  } else {\n"
    "    if (m.pair != (l >> 1)) {\n"
    "      lu_philox_boxmuller_f32(l < 2 ? m.x[0] : m.x[2], l < 2 ? m.x[1] : m.x[3],\n"
    "                              &m.z[0], &m.z[1]);\n"
    "      m.pair = l >> 1;\n"
    "    }\n"
    "    z0 = (l & 1) ? m.z[1] : m.z[0];\n"
    "  }\n  LU_FZ_KEEP(z0, \"f\");\n  return z0;\n}\n"
    "struct lu_fz_m64 { uint64_t blk = ~(uint64_t)0; int pair = -1; uint32_t x[4]; double z[2]; };\n"
    "LU_PHILOX_FN double lu_fz_rng_f64m(lu_fz_m64 &m, uint64_t seed, uint64_t off, uint64_t i,\n"
    "                                   int dist) {\n"
    "  const uint64_t blk = (off >> 1) + (i >> 1);\n  double z0;\n"
    "  if (blk != m.blk) {\n"
    "    lu_philox_block(seed, blk, LU_PHILOX_TAG(dist, 1), m.x);\n    m.blk = blk;\n    m.pair = -1;\n"
    "  }\n"
    "  if (dist == 0) {\n"
    "    z0 = (i & 1u) ? lu_philox_u01_f64(m.x[2], m.x[3]) : lu_philox_u01_f64(m.x[0], m.x[1]);\n"
    "  } else {\n"
    "    if (m.pair != 0) {\n"
    "      lu_philox_boxmuller_f64(lu_philox_u01c_f64(m.x[0], m.x[1]),\n"
    "                              lu_philox_u01_f64(m.x[2], m.x[3]), &m.z[0], &m.z[1]);\n"
    "      m.pair = 0;\n"
    "    }\n"
    "    z0 = (i & 1u) ? m.z[1] : m.z[0];\n"
    "  }\n  LU_FZ_KEEP(z0, \"d\");\n  return z0;\n}\n");
}

static int has_rng(const fz_plan *pl, int nleaf) {
  int i;
  for (i = 0; i < nleaf; i++) if (pl->useleaf[i] && pl->leafrng[i]) return 1;
  return 0;
}
/* }------------------------------------------------------ */

/* A half value rounded: float through the storage type and back */
static const char *half_round(int dt) { return dt == LU_FLOAT16 ? "lu_h2f(lu_d2h" : "lu_bf2f(lu_d2bf"; }

/* Reference r (a leaf or a node) as a value of compute dtype ct; cond:
** where's condition, which the unfused op reads as bool. */
static void put_ref(lu_uk_text *b, const fz_plan *pl, int r, int ct, int cond) {
  char name[16];
  int from;
  char kind = 0;
  if (r >= 0) { snprintf(name, sizeof name, "p%d", r); from = pl->leafdt[r]; kind = pl->leafkind[r]; }
  else { snprintf(name, sizeof name, "v%d", -1 - r); from = pl->rt[-1 - r]; }
  if (cond) { lu_uk_put(b, "(%s)(%s != 0)", vtype(ct), name); return; }
  if (kind) {   /* a Lua number (stored as int64, float64 or bool), as lu_value_from_scalar */
    if (ct == LU_BOOL) lu_uk_put(b, "(bool)(%s != 0)", name);
    else if (lu_dtype_is_half(ct)) lu_uk_put(b, "%s((double)%s))", half_round(ct), name);
    else if (lu_dtype_kind(ct) == 'f') lu_uk_put(b, "(%s)(double)%s", vtype(ct), name);
    else lu_uk_put(b, "(%s)%s", vtype(ct), name);
    return;
  }
  if (from == ct) lu_uk_put(b, "%s", name);
  else if (lu_dtype_is_half(ct)) lu_uk_put(b, "%s((double)%s))", half_round(ct), name);
  else lu_uk_put(b, "(%s)%s", vtype(ct), name);
}

/* The function a user kernel node calls: that of the first used node of
** the same kernel and binding (a batch of calls of one kernel writes its
** operation once) */
static int uk_fn(const lu_fuse_prog *p, const fz_plan *pl, int i) {
  int j, k, n = lu_fuse_node_nin(p, i);
  for (j = 0; j < i; j++) {
    if (!pl->usenode[j] || p->node[j].op != p->node[i].op) continue;
    for (k = 0; k <= n && pl->uvt[j][k] == pl->uvt[i][k]; k++) {}
    if (k > n) return j;
  }
  return i;
}

/* User kernel node i's block: its function on the inputs in the binding's
** types, loaded as the kernel loads its operands (a Lua number as
** lu_value_from_scalar makes it), and the value rounded to the output's
** dtype as the kernel stores it */
static void put_uk_node(lu_uk_text *b, const lu_fuse_prog *p, int i, const fz_plan *pl) {
  int rt = pl->rt[i], k, n = lu_fuse_node_nin(p, i);
  lu_uk_put(b, "  %s v%d;\n  { v%d = ", vtype(rt), i, i);
  if (rt == LU_BOOL) lu_uk_put(b, "(");
  else if (lu_dtype_is_half(rt)) lu_uk_put(b, "%s((double)(", half_round(rt));
  else lu_uk_put(b, "(%s)(", vtype(rt));
  lu_uk_put(b, "lu_fz_u%d(", uk_fn(p, pl, i));
  for (k = 0; k < n; k++) {
    if (k) lu_uk_put(b, ", ");
    put_ref(b, pl, p->node[i].in[k], pl->uvt[i][k], 0);
  }
  lu_uk_put(b, ")%s; }\n", rt == LU_BOOL ? ") != 0" : lu_dtype_is_half(rt) ? ")))" : ")");
}

/* Op row node i's block */
static void put_op_node(lu_uk_text *b, const lu_fuse_prog *p, int i, const fz_plan *pl) {
  const lu_fuse_node *n = &p->node[i];
  int ct = pl->ct[i], rt = pl->rt[i], k;
  lu_uk_put(b, "  %s v%d;\n  { ", vtype(rt), i);
  for (k = 0; k < lu_ops[n->op].nin; k++) {
    lu_uk_put(b, "const %s %c = ", vtype(ct), 'a' + k);
    put_ref(b, pl, n->in[k], ct, k == 0 && lu_ops[n->op].rule == LU_R_WHERE);
    lu_uk_put(b, "; ");
  }
  if (rt == LU_BOOL) lu_uk_put(b, "v%d = (%s) != 0; }\n", i, lu_op_expr((lu_op)n->op, (lu_dtype)ct));
  else if (lu_dtype_is_half(rt))
    lu_uk_put(b, "v%d = %s((double)(%s))); }\n", i, half_round(rt), lu_op_expr((lu_op)n->op, (lu_dtype)ct));
  else lu_uk_put(b, "v%d = (%s)(%s); }\n", i, vtype(rt), lu_op_expr((lu_op)n->op, (lu_dtype)ct));
}

/* Node i's block, assigning v<i> */
void lu_fuse_put_node(lu_uk_text *b, const lu_fuse_prog *p, int i, const fz_plan *pl) {
  int rt = pl->rt[i];
  if (p->node[i].op >= LU_FUSE_UK) put_uk_node(b, p, i, pl);
  else put_op_node(b, p, i, pl);
  /* NVCC and NVRTC contract a product feeding a sum into one FMA, also
  ** across statements: an empty asm on the value keeps it the rounded
  ** result the unfused op stores (float16/bfloat16 are rounded by a
  ** conversion already) */
  if (pl->cuda && (rt == LU_FLOAT32 || rt == LU_FLOAT64))
    lu_uk_put(b, "  asm volatile(\"\" : \"+%c\"(v%d));\n", rt == LU_FLOAT32 ? 'f' : 'd', i);
}

/* The used nodes in order */
static void put_nodes(lu_uk_text *b, const lu_fused *f, const fz_plan *pl) {
  int i;
  for (i = 0; i < f->p.nnode; i++)
    if (pl->usenode[i]) lu_fuse_put_node(b, &f->p, i, pl);
}

/* The CPU compiler sees no prelude: the preamble brings it (its include of
** lu_numeric.h replaced by that file's text), with <tgmath.h> as lunar's
** own loops have it. NVRTC gets the prelude from the CUDA backend. */

void lu_fuse_put_cpu_prelude(lu_uk_text *b) {
  const lu_embedded_file *f, *num = NULL, *pre = NULL;
  static const char inc[] = "#include \"lu_numeric.h\"";
  for (f = lu_embedded_text; f->name; f++) {
    if (strcmp(f->name, "lu_numeric.h") == 0) num = f;
    if (strcmp(f->name, "lu_prelude.h") == 0) pre = f;
  }
  lu_uk_put(b, "#if !defined(__CUDACC_RTC__)\n#include <tgmath.h>\n#define LU_NUMERIC_GENERICS\n");
  if (num) lu_uk_put(b, "%.*s\n", (int)num->len, num->text);
  if (pre) {
    const char *t = pre->text, *hit = strstr(t, inc);
    size_t len = pre->len;
    if (hit) {
      lu_uk_put(b, "%.*s", (int)(hit - t), t);
      t = hit + sizeof inc - 1;
      len -= (size_t)(t - pre->text);
    }
    lu_uk_put(b, "%.*s\n", (int)len, t);
  }
  lu_uk_put(b, "#endif\n");
}

static char *join_params(const fz_plan *pl, const lu_fused *f, int out) {
  lu_uk_text b = {0};
  int i, first = 1;
  if (out) {
    for (i = 0; i < f->p.nres; i++)
      lu_uk_put(&b, "%s%s o%d", i ? ", " : "",
          lu_dtype_name(f->p.red >= 0 ? pl->rdt[i] : pl->rt[-1 - f->p.res[i]]), i);
  } else {
    for (i = 0; i < f->p.nleaf; i++) {
      const char *dn;
      if (!pl->useleaf[i]) continue;
      if (pl->leafrng[i]) {   /* a random draw: its seed and offset */
        lu_uk_put(&b, "%sint64 p%da, int64 p%db", first ? "" : ", ", i, i);
        first = 0;
        continue;
      }
      dn = pl->leafkind[i] == 'f' ? "float64" : pl->leafkind[i] == 'i' ? "int64"
         : pl->leafkind[i] == 'b' ? "bool" : lu_dtype_name(pl->leafdt[i]);
      lu_uk_put(&b, "%s%s p%d", first ? "" : ", ", dn, i);
      first = 0;
    }
  }
  if (b.oom) { free(b.s); return NULL; }
  if (b.s == NULL) return (char *)lu_calloc(1, 1);
  return b.s;
}

/* A reduction's fold of partial results a and b (the text names them so)
** over values of dtype vd; shared with the row programs (fuse_rows.c) */
const char *lu_fuse_fold_expr(int red, int vd) {
  switch (red) {
    case LU_RED_sum: case LU_RED_mean: return "a + b";
    case LU_RED_prod: return "a * b";
    case LU_RED_any: return "a || b";
    case LU_RED_all: return "a && b";
    case LU_RED_max: return vd == LU_BOOL ? "a || b" : "lu_max(a, b)";
    default: return vd == LU_BOOL ? "a && b" : "lu_min(a, b)";
  }
}
/* Its identity (NULL: none) */
static const char *identity_of(int red) {
  return red == LU_RED_sum || red == LU_RED_mean || red == LU_RED_any ? "0"
       : red == LU_RED_prod || red == LU_RED_all ? "1" : NULL;
}

/* A reduction's map function lu_fz: the nodes, as a function of the used
** leaves, returning rtype; `call` receives the call of it on the kernel's
** parameters. The caller writes the return and the closing brace. */
static void put_map_fn(lu_uk_text *pre, lu_uk_text *call, const lu_fused *f, const fz_plan *pl,
                       const char *rtype) {
  const lu_fuse_prog *p = &f->p;
  int i, first = 1;
  lu_uk_put(pre, "#if defined(__CUDACC_RTC__)\n#define LU_FZ_FN static __device__ __forceinline__\n"
            "#define LU_FZ_NRED (L.nred)\n#else\n#define LU_FZ_FN static inline\n"
            "#define LU_FZ_NRED (L->nred)\n#endif\nLU_FZ_FN %s lu_fz(", rtype);
  for (i = 0; i < p->nleaf; i++) {
    const char *t;
    if (!pl->useleaf[i]) continue;
    t = pl->leafkind[i] == 'f' ? "double" : pl->leafkind[i] == 'i' ? "int64_t"
      : pl->leafkind[i] == 'b' ? "bool" : vtype(pl->leafdt[i]);
    lu_uk_put(pre, "%s%s p%d", first ? "" : ", ", t, i);
    lu_uk_put(call, "%sp%d", first ? "lu_fz(" : ", ", i);
    first = 0;
  }
  if (first) lu_uk_put(call, "lu_fz(");
  lu_uk_put(call, ")");
  lu_uk_put(pre, "%s) {\n", first ? "void" : "");
  put_nodes(pre, f, pl);
}

/* Several reductions over the same axes in one kernel: the accumulator is
** a struct of one field per result (the user kernels' struct mode), which
** the map fills, the combine folds field by field and the post map
** spreads over the outputs. */
static void put_struct_reduction(lu_uk_text *pre, lu_uk_text *code, lu_uk_text *post,
                                 const lu_fused *f, const fz_plan *pl, int *hasid) {
  const lu_fuse_prog *p = &f->p;
  int i;
  lu_uk_put(pre, "typedef struct {");
  for (i = 0; i < p->nres; i++) lu_uk_put(pre, " %s r%d;", vtype(pl->acc[i]), i);
  lu_uk_put(pre, " } _type_reduce;\n");
  put_map_fn(pre, code, f, pl, "_type_reduce");
  lu_uk_put(pre, "  _type_reduce r;\n");
  for (i = 0; i < p->nres; i++) {
    int v = -1 - p->res[i];
    if (pl->acc[i] == LU_BOOL) lu_uk_put(pre, "  r.r%d = (v%d) != 0;\n", i, v);   /* any, all */
    else lu_uk_put(pre, "  r.r%d = (%s)(v%d);\n", i, vtype(pl->acc[i]), v);
  }
  lu_uk_put(pre, "  return r;\n}\nLU_FZ_FN _type_reduce lu_fz_red(_type_reduce lu_x, _type_reduce lu_y) {\n"
            "  _type_reduce r;\n");
  *hasid = 1;
  for (i = 0; i < p->nres; i++) {
    const char *t = vtype(pl->acc[i]);
    lu_uk_put(pre, "  { const %s a = lu_x.r%d, b = lu_y.r%d; r.r%d = (%s)(%s); }\n", t, i, i, i, t,
              lu_fuse_fold_expr(red_of(p, i), pl->rt[-1 - p->res[i]]));
    if (identity_of(red_of(p, i)) == NULL) *hasid = 0;
  }
  lu_uk_put(pre, "  return r;\n}\n");
  if (*hasid) {   /* a zero-size reduction then has a value; else the call fails (unfused) */
    lu_uk_put(pre, "LU_FZ_FN _type_reduce lu_fz_id(void) {\n  _type_reduce r;\n");
    for (i = 0; i < p->nres; i++) lu_uk_put(pre, "  r.r%d = %s;\n", i, identity_of(red_of(p, i)));
    lu_uk_put(pre, "  return r;\n}\n");
  }
  for (i = 0; i < p->nres; i++) {
    if (red_of(p, i) == LU_RED_mean)
      lu_uk_put(post, "o%d = a.r%d / (%s)LU_FZ_NRED; ", i, i, vtype(pl->acc[i]));
    else
      lu_uk_put(post, "o%d = a.r%d; ", i, i);
  }
}

/* A user kernel for the plan: elementwise, the nodes then the outputs;
** with a reduction, the nodes in a function of the used leaves that
** map_expr calls (a struct of values with several reductions). */
static int make_kernel(lu_ctx *ctx, const lu_fused *f, const fz_plan *pl, lu_ukernel **k) {
  const lu_fuse_prog *p = &f->p;
  lu_uk_text code = {0}, pre = {0}, red = {0}, post = {0};
  char *in = join_params(pl, f, 0), *out = join_params(pl, f, 1);
  const char *ident = NULL, *rtype = NULL;
  int i, st, kind = 0;
  /* user kernels' operations first: on the CPU before the prelude's
  ** <tgmath.h>, which would make exp(x) of a float x expf where the
  ** kernel's own source computes it in double */
  for (i = 0; i < p->nnode; i++) {
    char fn[32];
    if (!pl->usenode[i] || p->node[i].op < LU_FUSE_UK || uk_fn(p, pl, i) != i) continue;
    snprintf(fn, sizeof fn, "lu_fz_u%d", i);
    lu_ukernel_put_fn(&pre, uk_of(f, i), fn, pl->uvt[i], pl->cuda);
  }
  if (!pl->cuda) lu_fuse_put_cpu_prelude(&pre);   /* NVRTC sources get it from the backend */
  if (has_rng(pl, p->nleaf)) {
    /* element i of the loop is element i of each draw (lu_fuse_call: an
    ** elementwise program) */
    lu_fuse_put_rng_prelude(&pre, pl->cuda);
    /* the threads' state: a memo (CUDA) or a chunk (C) a draw */
    if (pl->cuda) {
      lu_uk_put(&pre, "struct lu_fz_ts {");
      for (i = 0; i < p->nleaf; i++)
        if (pl->useleaf[i] && pl->leafrng[i])
          lu_uk_put(&pre, " lu_fz_m%s m%d;", pl->leafdt[i] == LU_FLOAT64 ? "64" : "32", i);
      lu_uk_put(&pre, " };\n");
    } else {
      lu_uk_put(&pre, "typedef struct { lu_fz_fill_fn fill;");
      for (i = 0; i < p->nleaf; i++)
        if (pl->useleaf[i] && pl->leafrng[i])
          lu_uk_put(&pre, " lu_fz_c%s m%d;", pl->leafdt[i] == LU_FLOAT64 ? "64" : "32", i);
      lu_uk_put(&pre, " } lu_fz_ts;\nstatic void lu_fz_ts_init(lu_fz_ts *t, const lu_uk_launch *L) {\n"
                "  t->fill = L->rngfill;\n");
      for (i = 0; i < p->nleaf; i++)
        if (pl->useleaf[i] && pl->leafrng[i])
          lu_uk_put(&pre, "  t->m%d.base = (uint64_t)1 << 63;\n", i);
      lu_uk_put(&pre, "}\n");
    }
    for (i = 0; i < p->nleaf; i++) {
      if (!pl->useleaf[i] || !pl->leafrng[i]) continue;
      lu_uk_put(&code, "  const %s p%d = lu_fz_rng_%s", vtype(pl->leafdt[i]), i,
                pl->leafdt[i] == LU_FLOAT64 ? "f64" : "f32");
      if (pl->cuda) lu_uk_put(&code, "m(_ts.m%d, ", i);
      else lu_uk_put(&code, "c(&_ts->m%d, _ts->fill, ", i);
      lu_uk_put(&code, "(uint64_t)p%da, (uint64_t)p%db, (uint64_t)i, %d);\n", i, i, pl->leafrng[i] - 1);
    }
  }
  if (p->red < 0) {
    put_nodes(&code, f, pl);
    for (i = 0; i < p->nres; i++) lu_uk_put(&code, "  o%d = v%d;\n", i, -1 - p->res[i]);
  } else if (p->nres > 1) {
    int hasid;
    kind = LU_UK_REDUCE_STRUCT;
    put_struct_reduction(&pre, &code, &post, f, pl, &hasid);
    lu_uk_put(&red, "lu_fz_red(a, b)");
    if (hasid) ident = "lu_fz_id()";
  } else {
    int vd = pl->rt[-1 - p->res[0]];
    kind = 1;
    rtype = lu_dtype_name(pl->acc[0]);
    put_map_fn(&pre, &code, f, pl, vtype(vd));
    lu_uk_put(&pre, "  return v%d;\n}\n", -1 - p->res[0]);
    if (pl->acc[0] == LU_BOOL) {   /* any, all: the map is the value's truth */
      lu_uk_text c2 = {0};
      lu_uk_put(&c2, "(%s) != 0", code.s ? code.s : "");
      free(code.s);
      code = c2;
    }
    lu_uk_put(&red, "%s", lu_fuse_fold_expr(p->red, vd));
    ident = identity_of(p->red);
    lu_uk_put(&post, p->red == LU_RED_mean ? "o0 = a / (_type_reduce)LU_FZ_NRED" : "o0 = a");
  }
  if (code.oom || pre.oom || red.oom || post.oom || !in || !out) {
    st = lu_seterr(ctx, LU_EMEM, "out of memory");
  } else {
    st = lu_ukernel_new(ctx, k, kind, in, out, code.s ? code.s : "", red.s ? red.s : "",
                        post.s ? post.s : "", ident, "lu_fused", pre.s ? pre.s : "", rtype);
    if (st == LU_OK && has_rng(pl, p->nleaf)) lu_ukernel_set_thread_state(*k, "lu_fz_ts");
  }
  free(code.s); free(pre.s); free(red.s); free(post.s); free(in); free(out);
  return st;
}
/* }====================================================== */

/* The kernel of the plan, from the memo or made */
static int get_kernel(lu_ctx *ctx, lu_fused *f, const fz_plan *pl, lu_ukernel **k, int *hitp) {
  int key[FZ_KEYLEN], i, m, st;
  fz_memo *hit;
  memset(key, 0xff, sizeof key);
  key[0] = pl->cuda;
  key[1] = pl->acc[0];   /* the others follow from the nodes' dtypes */
  for (i = 0; i < f->p.nleaf; i++)
    key[2 + i] = pl->useleaf[i] ? pl->leafdt[i] + 1000 * pl->leafrng[i] : -100;
  for (i = 0; i < f->p.nnode; i++) {
    key[2 + LU_FUSE_MAXLEAF + 2 * i] = pl->ct[i];
    key[3 + LU_FUSE_MAXLEAF + 2 * i] = pl->rt[i];
  }
  key[FZ_KEYLEN - 1] = pl->rdt[0];
  for (m = 0; m < f->nmemo; m++)
    if (memcmp(f->memo[m].key, key, sizeof key) == 0) { *k = f->memo[m].k; *hitp = 1; return LU_OK; }
  *hitp = 0;
  if ((st = make_kernel(ctx, f, pl, k)) != LU_OK) return st;
  f->nkernels++;
  if (f->nmemo < FZ_MEMO) hit = &f->memo[f->nmemo++];
  else { hit = &f->memo[f->next]; f->next = (f->next + 1) % FZ_MEMO; lu_ukernel_free(hit->k); }
  memcpy(hit->key, key, sizeof key);
  hit->k = *k;
  return LU_OK;
}

/* The device of the call: the first array's */
static int call_is_cuda(int nargs, const lu_arg *args) {
  int i;
  for (i = 0; i < nargs; i++)
    if (args[i].arr) return lu_array_device(args[i].arr).type == LU_DEV_CUDA;
  return 0;
}

/* The shape of the broadcast of the arrays among the leaves that result r
** reads (all leaves when r < 0) */
static int res_shape(lu_ctx *ctx, const lu_fused *f, const fz_plan *pl, int r, int nargs,
                     const lu_arg *args, int *nd, int64_t *shape) {
  int use[LU_FUSE_MAXNODE] = {0}, leaf[LU_FUSE_MAXLEAF] = {0}, i, k, n = 0;
  const lu_array *arr[LU_FUSE_MAXLEAF];
  if (r < 0) { for (i = 0; i < nargs; i++) leaf[i] = pl->useleaf[i]; }
  else {
    use[-1 - f->p.res[r]] = 1;
    for (i = f->p.nnode - 1; i >= 0; i--) {
      if (!use[i]) continue;
      for (k = 0; k < lu_fuse_node_nin(&f->p, i); k++) {
        int x = f->p.node[i].in[k];
        if (x >= 0) leaf[x] = 1; else use[-1 - x] = 1;
      }
    }
  }
  for (i = 0; i < nargs; i++) if (leaf[i] && args[i].arr) arr[n++] = args[i].arr;
  *nd = 0;
  if (n == 0) return LU_OK;
  return lu_broadcast_named(ctx, "fuse", n, arr, nd, shape);
}

/* A reduction over the last k of nd axes as a row program (fuse_rows.c),
** which runs few long rows split over many blocks, without a temporary of
** the elementwise part: 1 when it took the call (*st its status), 0 when
** the program is not a row program on these leaves. */
static int rows_reduction(lu_ctx *ctx, lu_fused *f, int nargs, const lu_arg *args, int nd, int k,
                          lu_array *out, int *st) {
  const lu_fuse_prog *p = &f->p;
  lu_array r;
  int d;
  if (f->rows != NULL && f->rowsk != k) {   /* made for arrays of another ndim */
    lu_fuse_rows_free(f->rows);
    f->rows = NULL;
  }
  if (f->rows == NULL) {
    lu_fuse_prog rp = *p;
    lu_fuse_node *n = &rp.node[rp.nnode];
    if (rp.nnode == LU_FUSE_MAXNODE) return 0;
    memset(n, 0, sizeof *n);
    n->op = p->red;
    n->in[0] = p->res[0];
    n->redk = k;
    rp.res[0] = -1 - rp.nnode++;
    rp.red = -1;
    rp.naxes = -1;
    rp.keepdims = 0;
    if (lu_fuse_rows_new(ctx, &f->rows, &rp) != LU_OK) { ctx->err = LU_OK; return 0; }
    f->rowsk = k;
  }
  if ((*st = lu_fuse_rows_call(ctx, f->rows, nargs, args, &r)) == LU_EDECLINE) {
    ctx->err = LU_OK;
    return 0;
  }
  if (*st != LU_OK) return 1;
  /* kept dims of 1, dropped unless keepdims */
  *out = r;
  if (!p->keepdims) {
    out->ndim = nd - k;
    for (d = out->ndim; d < LU_MAXDIM; d++) { out->shape[d] = 0; out->strides[d] = 0; }
    lu_array_update(out);
  }
  return 1;
}

/* Several reductions of the whole loop into one value each: the fused
** kernel over the loop seen as (chunks, rest), reducing each row (many
** outputs: every CPU thread, every GPU block busy), then lunar's own
** reduction of each result's partials. The partials are stored in the
** result's dtype, so sums of floats round once more than in one pass (a
** mean is the mean of equal chunks' means); not for float16 and bfloat16
** results, whose partials would lose too much. Taken when every array
** leaf is C-contiguous with the loop's shape (or holds one element) and
** the loop's size has a divisor in [FZ_CHUNK_MIN, FZ_CHUNK_MAX]; returns 1
** when it took the call (*st its status), 0 to go on. */
#define FZ_CHUNK_MIN 1024
#define FZ_CHUNK_MAX 16384
/* The fewest chunks: FZ_CHUNK_MIN, or LUNAR_FUSE_CHUNKS (2 to FZ_CHUNK_MAX)
** for the probe that measures the choice on a GPU (bench/fuse_chunks.lua:
** 1250 chunks of 10^8 make 1.2 waves of blocks on an H200) */
static int64_t chunk_min(void) {
  static int64_t v;
  if (v == 0) {
    const char *e = getenv("LUNAR_FUSE_CHUNKS");
    long long x = e ? atoll(e) : 0;
    v = x >= 2 && x <= FZ_CHUNK_MAX ? (int64_t)x : FZ_CHUNK_MIN;
  }
  return v;
}
static int chunked_reduction(lu_ctx *ctx, lu_fused *f, const fz_plan *pl, int nargs,
                             const lu_arg *args, int nd, const int64_t *shape, int64_t n,
                             lu_array *const *outs, int *st) {
  const lu_fuse_prog *p = &f->p;
  lu_arg a2[LU_FUSE_MAXLEAF], fa[LU_FUSE_MAXOUT];
  lu_array view[LU_FUSE_MAXLEAF], part[LU_FUSE_MAXOUT], *pp[LU_FUSE_MAXOUT];
  lu_array fin[LU_FUSE_MAXOUT], *fp[LU_FUSE_MAXOUT];
  int64_t d, rows[2], one[2] = {1, 1}, ones[LU_MAXDIM];
  int i, k;
  lu_reduce_opts o;
  for (i = 0; i < p->nres; i++) if (lu_dtype_is_half(pl->rdt[i])) return 0;
  for (d = chunk_min(); d <= FZ_CHUNK_MAX && n % d != 0; d++) {}
  if (d > FZ_CHUNK_MAX || n / d < 2) return 0;
  for (i = 0; i < nargs; i++) {
    const lu_array *a = args[i].arr;
    int same = a != NULL && a->ndim == nd;
    if (a == NULL || a->size == 1) continue;
    for (k = 0; same && k < nd; k++) same = a->shape[k] == shape[k];
    if (!same || !lu_array_is_contig(a)) return 0;
  }
  if (f->chunk == NULL) {
    lu_fuse_prog c = *p;
    c.naxes = 1; c.axes[0] = 2; c.keepdims = 0;
    if ((*st = lu_fuse_new(ctx, &f->chunk, &c)) != LU_OK) return 1;
  }
  rows[0] = d; rows[1] = n / d;
  memset(view, 0, sizeof view);
  *st = LU_OK;
  for (i = 0; i < nargs && *st == LU_OK; i++) {
    a2[i] = args[i];
    if (args[i].arr == NULL) continue;
    *st = lu_reshape(ctx, &view[i], args[i].arr, 2, args[i].arr->size == 1 ? one : rows);
    a2[i].arr = &view[i];
  }
  memset(part, 0, sizeof part);
  for (i = 0; i < p->nres; i++) pp[i] = &part[i];
  if (*st == LU_OK) *st = lu_fuse_call(ctx, f->chunk, nargs, a2, pp);
  for (i = 0; i < nargs; i++) if (view[i].buf) lu_array_release(&view[i]);
  if (*st != LU_OK) return 1;
  for (k = 0; k < nd; k++) ones[k] = 1;
  /* the partials: every result's reduced in one kernel (one launch; a
  ** reduction each took a launch each on CUDA), else each by lunar's own
  ** reduction (a kernel that failed to build: counted, as lazy.c counts) */
  memset(fin, 0, sizeof fin);
  for (i = 0; i < p->nres; i++) { fa[i] = lu_arg_array(&part[i]); fp[i] = &fin[i]; }
  if (f->fin == NULL) {
    lu_fuse_prog c;
    memset(&c, 0, sizeof c);
    c.nleaf = c.nnode = c.nres = p->nres;
    for (i = 0; i < p->nres; i++) {
      c.node[i].op = LU_OP_copy;
      c.node[i].in[0] = i;
      c.res[i] = -1 - i;
      c.redop[i] = red_of(p, i);
    }
    c.red = red_of(p, 0);
    c.naxes = -1;
    if (lu_fuse_new(ctx, &f->fin, &c) != LU_OK) ctx->err = LU_OK;
  }
  if (f->fin == NULL || lu_fuse_call(ctx, f->fin, p->nres, fa, fp) != LU_OK) {
    if (f->fin != NULL) ctx->counters.unfused++;
    ctx->err = LU_OK;
    lu_reduce_opts_init(&o);
    for (i = 0; i < p->nres; i++) {
      if (fin[i].buf) lu_array_release(&fin[i]);
      if (*st == LU_OK) *st = lu_reduce_ex(ctx, &fin[i], (lu_redop)red_of(p, i), &part[i], &o);
    }
  }
  for (i = 0; i < p->nres && *st == LU_OK; i++) {
    if (p->keepdims) {   /* the whole loop's dims, each of length 1 */
      *st = lu_reshape(ctx, outs[i], &fin[i], nd, ones);
    } else {
      *outs[i] = fin[i];
      fin[i].buf = NULL;
    }
  }
  for (k = 0; k < p->nres; k++) if (fin[k].buf) lu_array_release(&fin[k]);
  if (*st != LU_OK)   /* none of the results, as every failed call */
    while (--i >= 0) if (outs[i]->buf) lu_array_release(outs[i]);
  for (i = 0; i < p->nres; i++) lu_array_release(&part[i]);
  return 1;
}

/* A reduction into few outputs of many elements each: the user kernels'
** reduction (a CPU thread; a block per output on CUDA) would leave most of
** the machine idle. Over the last axes on a GPU it runs as a row program
** split over many blocks; else the elementwise part runs fused into a
** temporary per result and lunar's own reduction (threaded; CUB) reduces
** each. Returns
** 1 when it took the call (*st its status), 0 to go on fused. */
#define FZ_SPLIT_NOUT 1024
#define FZ_SPLIT_NRED 32768
static int split_reduction(lu_ctx *ctx, lu_fused *f, const fz_plan *pl, int nargs,
                           const lu_arg *args, lu_array *const *outs, int *st) {
  const lu_fuse_prog *p = &f->p;
  int nd, d, i, red[LU_MAXDIM] = {0};
  int64_t shape[LU_MAXDIM], nout = 1, nred = 1;
  lu_array tmp[LU_FUSE_MAXOUT], *tp[LU_FUSE_MAXOUT];
  lu_reduce_opts o;
  if (res_shape(ctx, f, pl, -1, nargs, args, &nd, shape) != LU_OK) return 0;   /* reported fused */
  if (p->naxes < 0) for (d = 0; d < nd; d++) red[d] = 1;
  for (i = 0; i < p->naxes; i++) {
    int64_t ax = p->axes[i];
    if (ax < -nd || ax > nd || ax == 0) return 0;   /* the fused call reports it */
    ax = ax < 0 ? ax + nd : ax - 1;
    if (red[ax]) return 0;
    red[ax] = 1;
  }
  for (d = 0; d < nd; d++) {
    if (!lu_size_mul(red[d] ? nred : nout, shape[d], red[d] ? &nred : &nout)) return 0;
  }
  if (nout >= FZ_SPLIT_NOUT || nred < FZ_SPLIT_NRED) return 0;
  if (p->nres > 1 && nout == 1 && outs[0]->buf == NULL &&
      chunked_reduction(ctx, f, pl, nargs, args, nd, shape, nred, outs, st))
    return 1;
  if (pl->cuda && p->nres == 1 && outs[0]->buf == NULL) {
    int k = 0, trailing = 1;
    for (d = 0; d < nd; d++) {
      if (red[d]) k++;
      else if (k > 0) trailing = 0;
    }
    if (trailing && k > 0 && rows_reduction(ctx, f, nargs, args, nd, k, outs[0], st)) return 1;
  }
  if (f->elem == NULL) {
    lu_fuse_prog e = *p;
    e.red = -1; e.naxes = -1; e.keepdims = 0;
    if ((*st = lu_fuse_new(ctx, &f->elem, &e)) != LU_OK) return 1;
  }
  memset(tmp, 0, sizeof tmp);
  for (i = 0; i < p->nres; i++) tp[i] = &tmp[i];
  if ((*st = lu_fuse_call(ctx, f->elem, nargs, args, tp)) != LU_OK) return 1;
  lu_reduce_opts_init(&o);
  o.keepdims = p->keepdims;
  if (p->naxes >= 0) {
    o.naxes = 0;
    for (d = 0; d < nd; d++) if (red[d]) o.axes[o.naxes++] = d;
  }
  for (i = 0; i < p->nres && *st == LU_OK; i++)
    *st = lu_reduce_ex(ctx, outs[i], (lu_redop)red_of(p, i), &tmp[i], &o);
  if (*st != LU_OK)   /* none of the results, as every failed call */
    while (--i >= 0) if (outs[i]->buf) lu_array_release(outs[i]);
  for (i = 0; i < p->nres; i++) lu_array_release(&tmp[i]);
  return 1;
}

int lu_fuse_call(lu_ctx *ctx, lu_fused *f, int nargs, const lu_arg *args, lu_array *const *outs) {
  fz_plan pl;
  lu_ukernel *k;
  lu_arg used[2 * LU_FUSE_MAXLEAF + LU_FUSE_MAXOUT];
  int i, n = 0, st, hit = 0, rng, cuda = call_is_cuda(nargs, args);
  if ((st = resolve(ctx, f, nargs, args, cuda, &pl)) != LU_OK) return st;
  /* results that read only some of the arrays must still have the whole
  ** broadcast's shape, else the unfused results differ: refuse */
  if (f->p.nres > 1) {
    int nd, rnd, d;
    int64_t shape[LU_MAXDIM], rshape[LU_MAXDIM];
    if ((st = res_shape(ctx, f, &pl, -1, nargs, args, &nd, shape)) != LU_OK) return st;
    for (i = 0; i < f->p.nres; i++) {
      if ((st = res_shape(ctx, f, &pl, i, nargs, args, &rnd, rshape)) != LU_OK) return st;
      if (rnd != nd) return lu_seterr(ctx, LU_ESHAPE, "fuse: results of different shapes");
      for (d = 0; d < nd; d++)
        if (rshape[d] != shape[d]) return lu_seterr(ctx, LU_ESHAPE, "fuse: results of different shapes");
    }
  }
  if ((rng = has_rng(&pl, nargs)) != 0) {
    /* random draws: element i of the loop must be element i of each, so
    ** each has the loop's whole shape. Elementwise programs only: lazy.c
    ** computes the draws that a reduction or a row program reads, and
    ** lunar.fuse cannot trace a draw */
    if (f->p.red >= 0) return lu_seterr(ctx, LU_EARG, "fuse: a random draw in a reduction kernel");
    int nd, rnd, d;
    int64_t shape[LU_MAXDIM];
    const lu_array *ra = NULL;
    if ((st = res_shape(ctx, f, &pl, -1, nargs, args, &nd, shape)) != LU_OK) return st;
    for (i = 0; i < nargs; i++) {
      if (!pl.useleaf[i] || !pl.leafrng[i]) continue;
      ra = args[i].arr;
      rnd = ra->ndim == nd;
      for (d = 0; rnd && d < nd; d++) rnd = ra->shape[d] == shape[d];
      if (!rnd) return lu_seterr(ctx, LU_ESHAPE, "fuse: a random draw is broadcast");
    }
    for (i = 0; i < f->p.nres; i++) {   /* the outputs give the loop its shape */
      if (outs[i]->buf != NULL) continue;
      if ((st = lu_empty(ctx, outs[i], (lu_dtype)pl.rt[-1 - f->p.res[i]], nd, shape,
                         lu_array_device(ra))) != LU_OK) {
        while (--i >= 0) lu_array_release(outs[i]);
        return st;
      }
    }
  }
  if (f->p.red >= 0 && split_reduction(ctx, f, &pl, nargs, args, outs, &st)) return st;
  if ((st = get_kernel(ctx, f, &pl, &k, &hit)) != LU_OK) {
    if (rng) for (i = 0; i < f->p.nres; i++) lu_array_release(outs[i]);
    return st;
  }
  for (i = 0; i < nargs; i++) {
    const lu_fuse_rng *g;
    if (!pl.useleaf[i]) continue;
    if (pl.leafrng[i] && (g = lu_fuse_rng_of(args[i].arr)) != NULL) {
      used[n++] = lu_arg_int((int64_t)g->seed);
      used[n++] = lu_arg_int((int64_t)g->offset);
    } else {
      used[n++] = args[i];
    }
  }
  if (rng) for (i = 0; i < f->p.nres; i++) used[n++] = lu_arg_array(outs[i]);
  st = lu_ukernel_call(ctx, k, n, used, outs, -1, f->p.red >= 0 ? f->p.naxes : -1,
                       f->p.axes, f->p.keepdims);
  if (st == LU_OK) lu_count_fused(ctx, hit);
  return st;
}

char *lu_fuse_source(lu_ctx *ctx, lu_fused *f, int nargs, const lu_arg *args, int cuda) {
  fz_plan pl;
  lu_ukernel *k;
  int vt[LU_UK_MAXP], sd[LU_UK_MAXP], ph[LU_UK_MAXP], i, j = 0;
  if (resolve(ctx, f, nargs, args, cuda, &pl) != LU_OK) return NULL;
  if (get_kernel(ctx, f, &pl, &k, &j) != LU_OK) return NULL;
  j = 0;
  for (i = 0; i < LU_UK_MAXP; i++) ph[i] = -1;
  for (i = 0; i < nargs; i++) {
    if (!pl.useleaf[i]) continue;
    if (pl.leafrng[i]) {   /* seed and offset */
      vt[j] = vt[j + 1] = LU_INT64;
      sd[j] = sd[j + 1] = -1;
      j += 2;
      continue;
    }
    vt[j] = pl.leafkind[i] == 'f' ? LU_FLOAT64 : pl.leafkind[i] == 'i' ? LU_INT64
          : pl.leafkind[i] == 'b' ? LU_BOOL : pl.leafdt[i];
    sd[j] = pl.leafkind[i] ? -1 : vt[j];
    j++;
  }
  for (i = 0; i < f->p.nres; i++, j++)
    vt[j] = sd[j] = f->p.red >= 0 ? pl.rdt[i] : pl.rt[-1 - f->p.res[i]];
  return cuda ? lu_ukernel_cuda_source(k, vt, sd, ph, f->p.red >= 0 ? pl.acc[0] : -1) : NULL;
}
