/* SPDX-License-Identifier: MIT */
/*
** Fused row programs (lu_fuse.h): elementwise nodes and reductions over
** the trailing axes of one row space, with keepdims, as automatic fusion
** records them for softmax, log-sum-exp, centring and layer norms:
**   e = exp(x - x:max(2, true)); y = e / e:sum(2, true)
** The kernel walks the rows (a CUDA block or a CPU thread's share of them);
** for each row it makes one pass over the row per reduction, folding the
** elementwise chain that feeds it, then a last pass computes the result.
** The row's values are read again by each pass, from the cache while the
** row is in it, so the whole program reads its operands about once and
** writes its result once, where the unfused ops read and write every
** intermediate.
**
** Every value is one of two kinds: it varies along the row (it depends on
** an operand that has the row's trailing dims) or it is constant on the row
** (a reduction's result, an operand whose trailing dims are 1, a number,
** and what is computed from those alone). Constant values are computed
** once per row; varying ones inside the passes. Dtypes are those of the
** unfused ops and reductions (fuse.c's resolution and accumulators).
**
** On CUDA, where the row is one dim after merging (a contiguous or evenly
** strided row), each thread issues the loads of several of its places of
** the row at once (RW_CHUNK_WORDS), so that memory latency overlaps; and a
** program of two passes or more over a row that fits in shared memory
** (RW_SMEM_BYTES) reads the row from memory once: the first pass copies
** it to shared memory, where the later passes read it.
**
** Few rows of many elements would leave most of a GPU idle with a block
** per row. A program with one reduction and a result constant on the row
** (a sum or mean of an expression, as `f(x):mean()` records it) then runs
** in two kernels: blocks over segments of the rows fold their segment into
** a partial result, then a block per row folds the row's partials and
** computes the result (RW_SPLIT_BLOCKS blocks, segments of RW_SEG_MIN
** elements or more). Other programs of that shape go the staged way.
**
** The launch is a user-kernel launch (lu_ukernel.h): the outer dims are the
** rows, the reduced dims the row; each operand's strides are 0 where it is
** broadcast.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_internal.h"
#include "lu_fuse.h"
#include "lu_hostmem.h"
#include "lu_ukernel.h"
#include "lu_workbench.h"

#define RW_MEMO 8
/* a reduction into few rows of many elements would leave most of the GPU
** idle (a block per row): those go the staged way (fuse.c splits them) */
#define RW_FEW_ROWS 1024
#define RW_LONG_ROW 32768
#define RW_SPLIT_BLOCKS 2048
#define RW_SEG_MIN 4096
/* the loads a thread has in flight: 4-byte words of the varying leaves at
** RW_CHUNK_WORDS places (8 places at most); the row in shared memory:
** RW_SMEM_BYTES (the block's 48 KiB less its reduction's 3 KiB) */
#define RW_CHUNK_WORDS 32
#define RW_SMEM_BYTES 45056


/* One call's resolution: dtypes (fuse.c's plan), what varies along the
** row, accumulators of the reductions, and the launch's shape. */
typedef struct rw_plan {
  lu_fuse_plan t;
  int vary[LU_FUSE_MAXNODE], leafvary[LU_FUSE_MAXLEAF];
  int acc[LU_FUSE_MAXNODE];
  int param[LU_FUSE_MAXLEAF];   /* the kernel parameter of a used leaf */
  int np;                       /* parameters: used leaves, then the result */
  int n, k;                     /* the row space's dims and trailing (reduced) dims */
  int64_t shape[LU_MAXDIM];     /* the row space: outer dims, then the row */
  int rootvary;
  int split;                    /* CUDA, few long rows: 1 the partial results
                                   of the row's segments, 2 their fold and the
                                   result (row_split) */
  int flat;                     /* CUDA: the row is one dim after merging (or
                                   none): an element's offset is its index
                                   times the operand's stride there */
  int i32;                      /* CUDA: places of the row fit an int (lu_ix) */
  int chunk;                    /* CUDA, flat: places of the row a thread
                                   loads at once (row_modes) */
  int cache;                    /* CUDA, flat: > 0 keeps the row's varying
                                   leaves in shared memory, room for `cache`
                                   elements of each (row_modes) */
  int stash, stash_at;          /* with cache: a node kept over the row (row_stash) */
} rw_plan;

typedef struct rw_memo {
  rw_plan key;      /* the resolved signature (the plan less the sizes) */
  char *src;
  uint64_t hash;
} rw_memo;

struct lu_rows {
  lu_fuse_prog p;
  rw_memo memo[RW_MEMO];
  int nmemo, next;
};

int lu_fuse_rows_new(lu_ctx *ctx, lu_rows **out, const lu_fuse_prog *p) {
  lu_rows *r;
  *out = NULL;
  /* user kernel nodes: their operations are written by fuse.c's
  ** elementwise programs only (lazy.c computes such a chain's reductions
  ** first) */
  if (p->nuk != 0) return LU_EDECLINE;
  r = (lu_rows *)lu_calloc(1, sizeof *r);
  if (r == NULL) return lu_seterr(ctx, LU_EMEM, "out of memory");
  r->p = *p;
  *out = r;
  return LU_OK;
}

void lu_fuse_rows_free(lu_rows *r) {
  int i;
  if (r == NULL) return;
  for (i = 0; i < r->nmemo; i++) free(r->memo[i].src);
  free(r);
}

/* {====================================================== resolution */
/* Whether a value of ndim nd and this shape fits the row space: its
** leading dims each 1 or the space's, its trailing k dims all the row's
** (it varies: 1) or all 1 (constant: 0); -1 when neither. */
static int fits(const rw_plan *pl, int nd, const int64_t *shape) {
  int d, same = 1, ones = 1, lead = pl->n - pl->k;
  if (nd > pl->n) return -1;
  for (d = 0; d < pl->k; d++) {
    int ad = nd - pl->k + d;
    int64_t s = ad >= 0 ? shape[ad] : 1;
    if (s != pl->shape[lead + d]) same = 0;
    if (s != 1) ones = 0;
  }
  for (d = 0; d < nd - pl->k; d++) {
    int64_t s = shape[d];
    if (s != 1 && s != pl->shape[lead - (nd - pl->k) + d]) return -1;
  }
  return same ? 1 : ones ? 0 : -1;
}

/* The operands a node reads: a reduction reads one */
static int nin_of(const lu_fuse_node *nd) { return nd->redk ? 1 : lu_ops[nd->op].nin; }

/* Resolve p on these leaves; LU_EDECLINE when it is not a row program.
** Nodes' dtypes are the unfused ops' and reductions'; their shapes follow
** from the leaves' (broadcast; a reduction keeps its trailing dims as 1). */
static int resolve(lu_ctx *ctx, const lu_fuse_prog *p, int nargs, const lu_arg *args, int cuda,
                   rw_plan *pl) {
  lu_array fake[LU_FUSE_MAXNODE];
  int i, k, d, lead, root, ones = 1;
  memset(pl, 0, sizeof *pl);
  pl->t.cuda = cuda;
  if (nargs != p->nleaf || p->nres != 1 || p->red >= 0 || p->res[0] >= 0) return LU_EDECLINE;
  root = -1 - p->res[0];
  for (i = 0; i < p->nleaf; i++) {
    if (args[i].arr) {
      /* a random draw: lazy.c computes it before a row program reads it */
      if (lu_dtype_kind(args[i].arr->dtype) == 'c' || lu_fuse_rng_of(args[i].arr)) return LU_EDECLINE;
      pl->t.leafdt[i] = args[i].arr->dtype;
    } else {
      if (args[i].s.kind == 'c') return LU_EDECLINE;
      pl->t.leafkind[i] = args[i].s.kind;
      pl->t.leafdt[i] = -1 - (int)args[i].s.kind;
    }
  }
  /* used nodes and leaves, from the result back */
  pl->t.usenode[root] = 1;
  for (i = p->nnode - 1; i >= 0; i--) {
    if (!pl->t.usenode[i]) continue;
    for (k = 0; k < nin_of(&p->node[i]); k++) {
      int r = p->node[i].in[k];
      if (r >= 0) pl->t.useleaf[r] = 1; else pl->t.usenode[-1 - r] = 1;
    }
  }
  /* dtypes and shapes, node by node */
  memset(fake, 0, sizeof fake);
  for (i = 0; i <= root; i++) {
    const lu_fuse_node *nd = &p->node[i];
    const lu_array *arrs[3];
    lu_arg a[3];
    int na = 0;
    memset(a, 0, sizeof a);
    for (k = 0; k < nin_of(nd); k++) {
      int r = nd->in[k];
      if (r >= 0) a[k] = args[r];
      else a[k].arr = &fake[-1 - r];
      if (a[k].arr) arrs[na++] = a[k].arr;
    }
    if (nd->redk > 0) {
      const lu_array *in = a[0].arr;
      int vd;
      if (in == NULL || !lu_fuse_is_red(nd->op) || nd->redk > in->ndim) return LU_EDECLINE;
      vd = in->dtype;
      if (lu_dtype_kind(vd) == 'c') return LU_EDECLINE;
      pl->t.ct[i] = vd;
      pl->t.rt[i] = lu_red_result((lu_redop)nd->op, (lu_dtype)vd);
      pl->acc[i] = lu_fuse_red_acc(nd->op, vd, pl->t.rt[i], cuda);
      fake[i].ndim = in->ndim;
      for (d = 0; d < in->ndim; d++) fake[i].shape[d] = d < in->ndim - nd->redk ? in->shape[d] : 1;
    } else {
      lu_dtype ct, rt;
      if (lu_fuse_node_check(ctx, nd->op, a, &ct, &rt) != LU_OK) return LU_EDECLINE;
      pl->t.ct[i] = ct;
      pl->t.rt[i] = rt;
      if (na > 0 && lu_broadcast_shapes(ctx, na, arrs, &fake[i].ndim, fake[i].shape) != LU_OK)
        return LU_EDECLINE;
    }
    fake[i].dtype = (lu_dtype)pl->t.rt[i];
  }
  /* the row space: the first reduction's operand's shape */
  for (i = 0; i <= root && pl->k == 0; i++) {
    const lu_fuse_node *nd = &p->node[i];
    const lu_array *in;
    if (nd->redk == 0 || !pl->t.usenode[i]) continue;
    in = nd->in[0] >= 0 ? args[nd->in[0]].arr : &fake[-1 - nd->in[0]];
    pl->n = in->ndim;
    pl->k = nd->redk;
    for (d = 0; d < pl->n; d++) pl->shape[d] = in->shape[d];
  }
  if (pl->k == 0) return LU_EDECLINE;
  lead = pl->n - pl->k;
  for (d = lead; d < pl->n; d++) if (pl->shape[d] != 1) ones = 0;
  /* the result spans the space's outer dims */
  if (fake[root].ndim != pl->n) return LU_EDECLINE;
  for (d = 0; d < lead; d++) pl->shape[d] = fake[root].shape[d];
  /* every used leaf and node fits the row space; what varies along it */
  for (i = 0; i < p->nleaf; i++) {
    int f;
    if (!pl->t.useleaf[i] || args[i].arr == NULL) continue;
    if ((f = fits(pl, args[i].arr->ndim, args[i].arr->shape)) < 0) return LU_EDECLINE;
    pl->leafvary[i] = f;
  }
  for (i = 0; i <= root; i++) {
    const lu_fuse_node *nd = &p->node[i];
    int f, v = 0;
    if (!pl->t.usenode[i]) continue;
    if ((f = fits(pl, fake[i].ndim, fake[i].shape)) < 0) return LU_EDECLINE;
    for (k = 0; k < nin_of(nd); k++) {
      int r = nd->in[k];
      v |= r >= 0 ? pl->leafvary[r] : pl->vary[-1 - r];
    }
    if (nd->redk > 0) {
      /* a reduction over the row, of a value that varies along it */
      if (nd->redk != pl->k || !v) return LU_EDECLINE;
      {
        const lu_array *in = nd->in[0] >= 0 ? args[nd->in[0]].arr : &fake[-1 - nd->in[0]];
        if (in->ndim != pl->n) return LU_EDECLINE;
      }
      pl->vary[i] = 0;
      continue;
    }
    if (v != f && !ones) return LU_EDECLINE;
    pl->vary[i] = v;
  }
  pl->rootvary = pl->vary[root];
  for (d = lead; d < pl->n; d++)
    if (fake[root].shape[d] != (pl->rootvary ? pl->shape[d] : 1)) return LU_EDECLINE;
  /* parameters: the used leaves in order, then the result */
  for (i = 0; i < p->nleaf; i++) pl->param[i] = pl->t.useleaf[i] ? pl->np++ : -1;
  pl->np++;
  if (pl->np > LU_UK_MAXP) return LU_EDECLINE;
  return LU_OK;
}
/* }====================================================== */

static void row_stash(const lu_fuse_prog *p, rw_plan *pl);

/* The size of a varying leaf's value in a kernel (half floats are float) */
static int vsize(int dt) { return lu_dtype_is_half(dt) ? 4 : (int)lu_dtype_size(dt); }

/* How the CUDA passes walk a flat row of nred elements: places a thread
** loads at once, and room in shared memory for the row when the program
** makes two passes or more and the row fits (a multiple of 1024 elements,
** so that few row lengths share a kernel) */
static void row_modes(const lu_fuse_prog *p, rw_plan *pl, int64_t nred) {
  int i, words = 0, bytes = 0, passes = pl->rootvary;
  int64_t room = (nred + 1023) / 1024 * 1024;
  pl->chunk = pl->cache = 0;
  pl->stash = pl->stash_at = -1;
  pl->i32 = nred < ((int64_t)1 << 31) - ((int64_t)1 << 20);
  if (!pl->flat) return;
  for (i = 0; i < p->nleaf; i++)
    if (pl->t.useleaf[i] && pl->leafvary[i]) {
      words += vsize(pl->t.leafdt[i]) > 4 ? 2 : 1;
      bytes += vsize(pl->t.leafdt[i]);
    }
  for (i = 0; i < p->nnode; i++) passes += pl->t.usenode[i] && p->node[i].redk > 0;
  for (pl->chunk = 8; pl->chunk > 1 && pl->chunk * words > RW_CHUNK_WORDS; pl->chunk /= 2) {}
  if (passes >= 2 && !pl->split && bytes > 0 && room * bytes <= RW_SMEM_BYTES) pl->cache = (int)room;
  row_stash(p, pl);
}

/* {====================================================== source */
/* Leaf i's value: a load at ptr + off (texts), or a Lua number */
static void put_leaf(lu_uk_text *b, const rw_plan *pl, int i, const char *ptr, const char *off) {
  int j = pl->param[i], dt = pl->t.leafdt[i];
  char kind = pl->t.leafkind[i];
  if (kind) {
    const char *t = kind == 'f' ? "double" : kind == 'i' ? "int64_t" : "bool";
    if (pl->t.cuda)
      lu_uk_put(b, "    const %s p%d = *(const %s *)(const void *)L.sv[%d];\n", t, i, t, j);
    else
      lu_uk_put(b, "    const %s p%d = *(const %s *)(const void *)L->ptr[%d];\n", t, i, t, j);
    return;
  }
  if (pl->t.cuda && pl->flat && pl->leafvary[i] && strcmp(off, "lu_ko") != 0) {
    if (pl->cache) lu_uk_put(b, "    const %s p%d = lu_row%d[lu_r];\n", lu_fuse_vtype(dt), i, i);
    else lu_uk_put(b, "    const %s p%d = lu_c%d[lu_q];\n", lu_fuse_vtype(dt), i, i);
    return;
  }
  lu_uk_put(b, "    const %s p%d = (%s)%s(*(const %s *)(%s[%d] + %s[%d]));\n", lu_fuse_vtype(dt), i,
      lu_fuse_vtype(dt), dt == LU_FLOAT16 ? "lu_h2f" : dt == LU_BFLOAT16 ? "lu_bf2f" : "",
      lu_dtypes[dt].ctype, ptr, j, off, j);
}

/* Offsets lu_ro of the row's element lu_r (CUDA, inside a loop over the
** row): with a flat row, for the varying leaves and the result only, one
** product each; else every parameter's, through the dims. */
static void put_offsets(lu_uk_text *b, const lu_fuse_prog *p, const rw_plan *pl, const char *ind) {
  int i, np = pl->np;
  lu_uk_put(b, "%sint64_t lu_ro[%d];\n", ind, np);
  if (!pl->flat) {
    lu_uk_put(b, "%sfor (int lu_k = 0; lu_k < %d; lu_k++) lu_ro[lu_k] = lu_ko[lu_k];\n"
              "%slu_uk_offsets(lu_r, lu_ro, L, L.nk, L.nk + L.nr);\n", ind, np, ind);
    return;
  }
  for (i = 0; i < p->nleaf; i++)
    if (pl->t.useleaf[i] && pl->leafvary[i])
      lu_uk_put(b, "%slu_ro[%d] = lu_ko[%d] + lu_r * lu_s%d;\n", ind, pl->param[i], pl->param[i],
                pl->param[i]);
  lu_uk_put(b, "%slu_ro[%d] = lu_ko[%d] + lu_r * lu_s%d;\n", ind, np - 1, np - 1, np - 1);
}

/* Leaf i's value at flat place lu_r, loaded (CUDA, flat) */
static void put_flat_load(lu_uk_text *b, const rw_plan *pl, int i, const char *dst) {
  int dt = pl->t.leafdt[i], j = pl->param[i];
  lu_uk_put(b, "          %s = (%s)%s(*(const %s *)(L.ptr[%d] + lu_ko[%d] + lu_r * lu_s%d));\n", dst,
      lu_fuse_vtype(dt), dt == LU_FLOAT16 ? "lu_h2f" : dt == LU_BFLOAT16 ? "lu_bf2f" : "",
      lu_dtypes[dt].ctype, j, j, j);
}

/* The loads of a chunk of pl->chunk places from lu_b0 on (CUDA, flat):
** the leaves marked in `leaf` into lu_c<i> */
static void put_chunk_loads(lu_uk_text *b, const lu_fuse_prog *p, const rw_plan *pl, const int *leaf) {
  int i;
  char dst[32];
  for (i = 0; i < p->nleaf; i++)
    if (leaf[i]) lu_uk_put(b, "      %s lu_c%d[%d];\n", lu_fuse_vtype(pl->t.leafdt[i]), i, pl->chunk);
  lu_uk_put(b, "#pragma unroll\n      for (int lu_q = 0; lu_q < %d; lu_q++) {\n"
          "        const lu_ix lu_r = lu_b0 + lu_t + (lu_ix)lu_q * (lu_ix)blockDim.x;\n"
          "        if (lu_r < lu_hi) {\n", pl->chunk);
  for (i = 0; i < p->nleaf; i++) {
    if (!leaf[i]) continue;
    snprintf(dst, sizeof dst, "lu_c%d[lu_q]", i);
    put_flat_load(b, pl, i, dst);
  }
  lu_uk_put(b, "        }\n      }\n");
}

/* A chunk loop's head (CUDA, flat): the chunks of pl->chunk places from
** lu_lo on, the leaves marked in `leaf` loaded, then a loop over the
** chunk's places lu_r (put_cuda_close ends both) */
static void put_chunk_open(lu_uk_text *b, const lu_fuse_prog *p, const rw_plan *pl, const int *leaf) {
  lu_uk_put(b, "    for (lu_ix lu_b0 = (lu_ix)lu_lo; lu_b0 < (lu_ix)lu_hi; lu_b0 += (lu_ix)%d * (lu_ix)blockDim.x) {\n",
            pl->chunk);
  put_chunk_loads(b, p, pl, leaf);
  lu_uk_put(b, "#pragma unroll\n    for (int lu_q = 0; lu_q < %d; lu_q++) {\n"
          "      const lu_ix lu_r = lu_b0 + lu_t + (lu_ix)lu_q * (lu_ix)blockDim.x;\n"
          "      if (lu_r >= lu_hi) break;\n", pl->chunk);
}

/* The head of the first pass of a cached row (CUDA): a chunk of places
** at a time, loaded, copied to shared memory (lu_row<i>, put_row) and given to the
** pass as lu_c<i>[lu_q]; put_cuda_close ends it as a chunk loop */
static void put_fill_open(lu_uk_text *b, const lu_fuse_prog *p, const rw_plan *pl) {
  int i, leaf[LU_FUSE_MAXLEAF] = {0};
  for (i = 0; i < p->nleaf; i++) leaf[i] = pl->t.useleaf[i] && pl->leafvary[i];
  put_chunk_open(b, p, pl, leaf);
  for (i = 0; i < p->nleaf; i++)
    if (leaf[i]) lu_uk_put(b, "      lu_row%d[lu_r] = lu_c%d[lu_q];\n", i, i);
  lu_uk_put(b, "      {\n");
}

/* The varying nodes (need) and leaves (leaf) that node `target` needs;
** node `cut` (>= 0) is at hand (stashed), not computed from its operands */
static void need_cut(const lu_fuse_prog *p, const rw_plan *pl, int target, int cut, int *need,
                     int *leaf) {
  int i, k;
  need[target] = 1;
  for (i = target; i >= 0; i--) {
    const lu_fuse_node *nd = &p->node[i];
    if (!need[i] || (i == cut && i != target)) continue;
    if (nd->redk > 0 && i != target) continue;   /* a constant: computed before */
    for (k = 0; k < (nd->redk ? 1 : lu_ops[nd->op].nin); k++) {
      int r = nd->in[k];
      if (r >= 0) { if (pl->leafvary[r]) leaf[r] = 1; }
      else if (pl->vary[-1 - r]) need[-1 - r] = 1;
    }
  }
}

static void need_of(const lu_fuse_prog *p, const rw_plan *pl, int target, int *need, int *leaf) {
  need_cut(p, pl, target, -1, need, leaf);
}

/* A row in shared memory of one varying leaf whose later passes read it
** only through the operand of a reduction (softmax: the sum pass's
** exp(x - max), which the last pass divides): that pass stores the
** operand over the row (same C type), and the passes after it start from
** it instead of computing it again (pl->stash, pl->stash_at: the node and
** the pass) */
static void row_stash(const lu_fuse_prog *p, rw_plan *pl) {
  int i, j, leaf0 = -1, nvary = 0, root = -1 - p->res[0];
  pl->stash = pl->stash_at = -1;
  if (!pl->cache) return;
  for (i = 0; i < p->nleaf; i++)
    if (pl->t.useleaf[i] && pl->leafvary[i]) { leaf0 = i; nvary++; }
  if (nvary != 1) return;
  for (i = 0; i <= root; i++) {
    int sn = p->node[i].in[0], ok = 1;
    if (!pl->t.usenode[i] || p->node[i].redk == 0 || sn >= 0) continue;
    sn = -1 - sn;
    if (strcmp(lu_fuse_vtype(pl->t.rt[sn]), lu_fuse_vtype(pl->t.leafdt[leaf0])) != 0) continue;
    for (j = i + 1; j <= root && ok; j++) {
      int need[LU_FUSE_MAXNODE] = {0}, leaf[LU_FUSE_MAXLEAF] = {0};
      if (!pl->t.usenode[j] || (p->node[j].redk == 0 && !(j == root && pl->rootvary))) continue;
      need_cut(p, pl, j, sn, need, leaf);
      ok = !leaf[leaf0];
    }
    if (ok) { pl->stash = sn; pl->stash_at = i; return; }
  }
}

/* The head of a CUDA pass over this thread's places of the row for node
** `target` (offsets: the places' offsets are needed, for a store): from
** shared memory, a chunk of places at a time, or one place at a time with
** offsets through the dims. put_cuda_close ends it. */
static void put_cuda_open(lu_uk_text *b, const lu_fuse_prog *p, const rw_plan *pl, int target,
                          int offsets) {
  if (pl->flat && !pl->cache) {
    int need[LU_FUSE_MAXNODE] = {0}, leaf[LU_FUSE_MAXLEAF] = {0};
    need_of(p, pl, target, need, leaf);
    put_chunk_open(b, p, pl, leaf);
  } else {
    lu_uk_put(b, "    for (lu_ix lu_r = (lu_ix)lu_lo + lu_t; lu_r < (lu_ix)lu_hi; lu_r += (lu_ix)blockDim.x) {\n");
  }
  if (offsets || !pl->flat) put_offsets(b, p, pl, "      ");
  lu_uk_put(b, "      {\n");
}

static void put_cuda_close(lu_uk_text *b, const rw_plan *pl, int chunk) {
  lu_uk_put(b, "      }\n    }\n%s", chunk ? "    }\n" : "");
}

/* The varying leaves and nodes that node `target` needs, loaded and
** computed at offsets `off` (inside a pass over the row) */
static void put_varying(lu_uk_text *b, const lu_fuse_prog *p, const rw_plan *pl, int target,
                        const char *ptr, const char *off) {
  int need[LU_FUSE_MAXNODE] = {0}, leaf[LU_FUSE_MAXLEAF] = {0}, i, cut;
  cut = pl->stash >= 0 && target > pl->stash_at ? pl->stash : -1;   /* after the stash */
  need_cut(p, pl, target, cut, need, leaf);
  for (i = 0; i < p->nleaf; i++) if (leaf[i]) put_leaf(b, pl, i, ptr, off);
  for (i = 0; i < target; i++) {
    if (!need[i]) continue;
    if (i == cut) {   /* over the row in shared memory (its one varying leaf's) */
      int l;
      for (l = 0; !(pl->t.useleaf[l] && pl->leafvary[l]); l++) {}
      lu_uk_put(b, "    const %s v%d = lu_row%d[lu_r];\n", lu_fuse_vtype(pl->t.rt[i]), i, l);
    } else {
      lu_fuse_put_node(b, p, i, &pl->t);
    }
  }
  if (p->node[target].redk == 0) lu_fuse_put_node(b, p, target, &pl->t);
}

/* The identity a reduction's fold starts from, or NULL (integer and bool
** max and min start from the first value) */
static const char *identity_of(int red, int acc) {
  int f = lu_dtype_kind(acc) == 'f' || lu_dtype_is_half(acc);
  switch (red) {
    case LU_RED_sum: case LU_RED_mean: case LU_RED_any: return "0";
    case LU_RED_prod: case LU_RED_all: return "1";
    case LU_RED_max: return f ? "-INFINITY" : NULL;
    default: return f ? "INFINITY" : NULL;
  }
}

/* The value v<i> of reduction node i, from its accumulator lu_a */
static void put_result(lu_uk_text *b, const lu_fuse_prog *p, const rw_plan *pl, int i,
                       const char *nred) {
  int rt = pl->t.rt[i];
  const char *a = lu_fuse_vtype(pl->acc[i]);
  char val[96];
  if (p->node[i].op == LU_RED_mean) snprintf(val, sizeof val, "lu_a / (%s)%s", a, nred);
  else snprintf(val, sizeof val, "lu_a");
  if (lu_dtype_is_half(rt))
    lu_uk_put(b, "    v%d = %s((double)(%s)));\n", i, rt == LU_FLOAT16 ? "lu_h2f(lu_d2h" : "lu_bf2f(lu_d2bf", val);
  else lu_uk_put(b, "    v%d = (%s)(%s);\n", i, lu_fuse_vtype(rt), val);
}

/* One pass over the row for reduction node i */
/* One pass over the row for reduction node i; `fill`: the first of a
** cached row, which copies the row to shared memory on the way */
static void put_pass(lu_uk_text *b, const lu_fuse_prog *p, const rw_plan *pl, int i, int fill) {
  const lu_fuse_node *nd = &p->node[i];
  const char *a = lu_fuse_vtype(pl->acc[i]), *id = identity_of(nd->op, pl->acc[i]);
  int r = nd->in[0], vd = pl->t.ct[i], np = pl->np, chunk = 0;
  char src[16];
  const char *fold = lu_fuse_fold_expr(nd->op, vd);
  if (r >= 0) snprintf(src, sizeof src, "p%d", r); else snprintf(src, sizeof src, "v%d", -1 - r);
  lu_uk_put(b, "    %s v%d;\n    {\n", lu_fuse_vtype(pl->t.rt[i]), i);
  if (id) lu_uk_put(b, "    %s lu_a = (%s)(%s);\n", a, a, id);
  else lu_uk_put(b, "    %s lu_a = (%s)0;\n    int lu_f = 0;\n", a, a);
  if (pl->t.cuda && pl->split == 2) {   /* the row's partial results */
    lu_uk_put(b, "    for (int64_t lu_q = lu_t; lu_q < lu_ns; lu_q += blockDim.x) {\n      {\n"
            "        const %s lu_b = ((const %s *)(const void *)L.ptr[%d])[lu_o * lu_ns + lu_q];\n",
            a, a, pl->np);
  } else if (pl->t.cuda && fill) {
    rw_plan q = *pl;
    q.cache = 0;   /* the pass reads the loaded values (lu_c) */
    put_fill_open(b, p, pl);
    put_varying(b, p, &q, i, "L.ptr", "lu_ro");
    chunk = 1;
  } else if (pl->t.cuda) {
    put_cuda_open(b, p, pl, i, 0);
    put_varying(b, p, pl, i, "L.ptr", "lu_ro");
    chunk = pl->flat && !pl->cache;
  } else {
    lu_uk_put(b, "    {\n      int64_t lu_ri[16] = {0}, lu_ro[%d], lu_r;\n      int lu_k;\n"
            "      for (lu_k = 0; lu_k < %d; lu_k++) lu_ro[lu_k] = lu_ko[lu_k];\n"
            "      for (lu_r = 0; lu_r < L->nred; lu_r++) {\n", np, np);
    put_varying(b, p, pl, i, "L->ptr", "lu_ro");
  }
  if (pl->stash >= 0 && i == pl->stash_at) {   /* the operand over the row, for later passes */
    int l;
    for (l = 0; !(pl->t.useleaf[l] && pl->leafvary[l]); l++) {}
    lu_uk_put(b, "        lu_row%d[lu_r] = v%d;\n", l, pl->stash);
  }
  if (pl->split == 2) {
    /* lu_b is the partial */
  } else if (nd->op == LU_RED_any || nd->op == LU_RED_all) {
    lu_uk_put(b, "        const %s lu_b = (%s)(%s != 0);\n", a, a, src);
  } else {
    lu_uk_put(b, "        const %s lu_b = (%s)%s;\n", a, a, src);
  }
  if (id)
    lu_uk_put(b, "        { const %s a = lu_a, b = lu_b; lu_a = (%s)(%s); }\n", a, a, fold);
  else
    lu_uk_put(b, "        if (lu_f) { const %s a = lu_a, b = lu_b; lu_a = (%s)(%s); }\n"
            "        else { lu_a = lu_b; lu_f = 1; }\n", a, a, fold);
  if (pl->t.cuda) {
    put_cuda_close(b, pl, chunk);
    /* the block's accumulators, halved until one is left; with an
    ** identity every thread holds one, else only those that saw an element */
    if (id)
      lu_uk_put(b, "    ((%s *)lu_sh)[lu_t] = lu_a;\n    __syncthreads();\n"
              "    for (int lu_s = blockDim.x / 2; lu_s > 0; lu_s >>= 1) {\n"
              "      if (lu_t < lu_s) {\n"
              "        const %s a = ((%s *)lu_sh)[lu_t], b = ((%s *)lu_sh)[lu_t + lu_s];\n"
              "        ((%s *)lu_sh)[lu_t] = (%s)(%s);\n"
              "      }\n      __syncthreads();\n    }\n",
          a, a, a, a, a, a, fold);
    else
      lu_uk_put(b, "    ((%s *)lu_sh)[lu_t] = lu_a;\n    lu_sv[lu_t] = lu_f;\n    __syncthreads();\n"
              "    for (int lu_s = blockDim.x / 2; lu_s > 0; lu_s >>= 1) {\n"
              "      if (lu_t < lu_s && lu_sv[lu_t + lu_s]) {\n"
              "        const %s b = ((%s *)lu_sh)[lu_t + lu_s];\n"
              "        if (!lu_sv[lu_t]) { ((%s *)lu_sh)[lu_t] = b; lu_sv[lu_t] = 1; }\n"
              "        else { const %s a = ((%s *)lu_sh)[lu_t]; ((%s *)lu_sh)[lu_t] = (%s)(%s); }\n"
              "      }\n      __syncthreads();\n    }\n",
          a, a, a, a, a, a, a, a, fold);
    lu_uk_put(b, "    lu_a = ((%s *)lu_sh)[0];\n    __syncthreads();\n", a);
    if (pl->split == 1)   /* the segment's partial result */
      lu_uk_put(b, "    if (lu_t == 0) ((%s *)(void *)L.ptr[%d])[lu_g] = lu_a;\n", a, pl->np);
    else put_result(b, p, pl, i, "L.nred");
  } else {
    lu_uk_put(b, "        lu_uk_step(lu_ri, lu_ro, L, L->nk, L->nk + L->nr);\n      }\n    }\n");
    put_result(b, p, pl, i, "L->nred");
  }
  lu_uk_put(b, "    }\n");
}

/* The constant leaves and nodes, then each reduction's pass, in the
** program's order (a node's operands come before it), then the result:
** stored once per row, or computed and stored in a last pass */
static void put_row(lu_uk_text *b, const lu_fuse_prog *p, const rw_plan *pl) {
  int filled = 0, i, root = -1 - p->res[0], out = pl->np - 1, np = pl->np, rt = pl->t.rt[root];
  const char *ptr = pl->t.cuda ? "L.ptr" : "L->ptr";
  char name[16];
  for (i = 0; i < p->nleaf; i++)
    if (pl->t.useleaf[i] && !pl->leafvary[i]) put_leaf(b, pl, i, ptr, "lu_ko");
  for (i = 0; i < p->nleaf && pl->cache; i++)   /* the row in shared memory */
    if (pl->t.useleaf[i] && pl->leafvary[i])
      lu_uk_put(b, "    __shared__ %s lu_row%d[%d];\n", lu_fuse_vtype(pl->t.leafdt[i]), i, pl->cache);
  for (i = 0; i <= root; i++) {
    if (!pl->t.usenode[i]) continue;
    if (p->node[i].redk > 0) {
      put_pass(b, p, pl, i, pl->cache && !filled);
      filled = 1;
      if (pl->split == 1) return;   /* the one reduction's partials: done */
    } else if (!pl->vary[i]) {
      lu_fuse_put_node(b, p, i, &pl->t);
    }
  }
  snprintf(name, sizeof name, "v%d", root);
  if (!pl->rootvary) {
    lu_uk_put(b, pl->t.cuda ? "    if (lu_t == 0) {\n" : "    {\n");
    lu_uk_put_store(b, rt, ptr, out, "lu_ko", name);
    lu_uk_put(b, "    }\n");
    return;
  }
  if (pl->t.cuda) {
    put_cuda_open(b, p, pl, root, 1);
    put_varying(b, p, pl, root, ptr, "lu_ro");
    lu_uk_put_store(b, rt, ptr, out, "lu_ro", name);
    put_cuda_close(b, pl, pl->flat && !pl->cache);
  } else {
    lu_uk_put(b, "    {\n      int64_t lu_ri[16] = {0}, lu_ro[%d], lu_r;\n      int lu_k;\n"
            "      for (lu_k = 0; lu_k < %d; lu_k++) lu_ro[lu_k] = lu_ko[lu_k];\n"
            "      for (lu_r = 0; lu_r < L->nred; lu_r++) {\n", np, np);
    put_varying(b, p, pl, root, ptr, "lu_ro");
    lu_uk_put_store(b, rt, ptr, out, "lu_ro", name);
    lu_uk_put(b, "        lu_uk_step(lu_ri, lu_ro, L, L->nk, L->nk + L->nr);\n      }\n    }\n");
  }
}

/* The kernel's whole source (CUDA: NVRTC puts lunar's prelude in front) */
static char *make_source(const lu_fuse_prog *p, const rw_plan *pl) {
  lu_uk_text b = {0};
  int np = pl->np, i;
  if (pl->t.cuda) {
    int npl = np + (pl->split ? 1 : 0);   /* split: the partials' buffer last */
    lu_uk_put_cuda_launch(&b, npl);
    lu_uk_put_cuda_offsets(&b, npl);
    lu_uk_put(&b, "typedef %s lu_ix;   /* places of the row */\n", pl->i32 ? "int" : "int64_t");
    lu_uk_put(&b, "extern \"C\" __global__ void lu_uk_main(const lu_uk_launch L) {\n"
            "  __shared__ double lu_sh[%d];\n  __shared__ int lu_sv[%d];\n"
            "  const int lu_t = (int)threadIdx.x;\n", LU_UK_CUDA_RBLOCK, LU_UK_CUDA_RBLOCK);
    if (pl->split == 1)   /* block lu_g: segment lu_g % lu_ns (L.n elements) of row lu_o */
      lu_uk_put(&b, "  const int64_t lu_ns = (L.nred + L.n - 1) / L.n;\n"
              "  for (int64_t lu_g = blockIdx.x; lu_g < L.nout; lu_g += gridDim.x) {\n"
              "    const int64_t lu_o = lu_g / lu_ns, lu_lo = lu_g %% lu_ns * L.n;\n"
              "    const int64_t lu_hi = lu_lo + L.n < L.nred ? lu_lo + L.n : L.nred;\n");
    else
      lu_uk_put(&b, "%s  for (int64_t lu_o = blockIdx.x; lu_o < L.nout; lu_o += gridDim.x) {\n"
              "    const int64_t lu_lo = 0, lu_hi = L.nred;\n    (void)lu_lo; (void)lu_hi;\n",
              pl->split == 2 ? "  const int64_t lu_ns = (L.nred + L.n - 1) / L.n;\n" : "");
    lu_uk_put(&b, "    int64_t lu_ko[%d] = {0};\n    lu_uk_offsets(lu_o, lu_ko, L, 0, L.nk);\n", npl);
    if (pl->flat) {   /* the row's strides of what varies along it */
      for (i = 0; i < p->nleaf; i++)
        if (pl->t.useleaf[i] && pl->leafvary[i])
          lu_uk_put(&b, "    const int64_t lu_s%d = L.st[%d][L.nk];\n", pl->param[i], pl->param[i]);
      lu_uk_put(&b, "    const int64_t lu_s%d = L.st[%d][L.nk];\n", np - 1, np - 1);
    }
    put_row(&b, p, pl);
    lu_uk_put(&b, "    __syncthreads();\n  }\n}\n");
  } else {
    lu_uk_put_c_launch(&b);
    lu_fuse_put_cpu_prelude(&b);
    lu_uk_put_c_odometer(&b, np);
    lu_uk_put(&b, "void lu_uk_main(const lu_uk_launch *L) {\n"
            "  int64_t lu_ki[16] = {0}, lu_ko[%d] = {0}, lu_o;\n"
            "  lu_uk_seek(L->lo, lu_ki, lu_ko, L);\n"
            "  for (lu_o = L->lo; lu_o < L->hi; lu_o++) {\n", np);
    put_row(&b, p, pl);
    lu_uk_put(&b, "    lu_uk_step(lu_ki, lu_ko, L, 0, L->nk);\n  }\n}\n");
  }
  if (b.oom) { free(b.s); return NULL; }
  return b.s;
}
/* }====================================================== */

/* {====================================================== the call */
/* The source of the plan, from the memo or made (the key: the plan less
** the sizes, which only the launch carries) */
static const rw_memo *get_source(lu_rows *r, const rw_plan *pl, int *hit) {
  rw_plan key;
  rw_memo *m;
  int i;
  memcpy(&key, pl, sizeof key);
  memset(key.shape, 0, sizeof key.shape);
  key.n = key.k = 0;
  for (i = 0; i < r->nmemo; i++)
    if (r->memo[i].src && memcmp(&r->memo[i].key, &key, sizeof key) == 0) { *hit = 1; return &r->memo[i]; }
  *hit = 0;
  if (r->nmemo < RW_MEMO) m = &r->memo[r->nmemo++];
  else { m = &r->memo[r->next]; r->next = (r->next + 1) % RW_MEMO; free(m->src); }
  m->key = key;
  m->src = make_source(&r->p, pl);
  m->hash = m->src ? lu_text_hash(m->src) : 0;
  return m;
}



/* Whether few long rows can run split: CUDA, one reduction, a result
** constant on the row, a parameter slot left for the partials */
static int can_split(const lu_fuse_prog *p, const rw_plan *pl) {
  int i, nred = 0;
  if (!pl->t.cuda || pl->rootvary || pl->np + 1 > LU_UK_MAXP) return 0;
  for (i = 0; i < p->nnode; i++) nred += pl->t.usenode[i] && p->node[i].redk > 0;
  return nred == 1;
}

/* The accumulator of the one reduction of a split program, as its C type
** stores it (half floats are folded in float) */
static lu_dtype split_acc(const lu_fuse_prog *p, const rw_plan *pl) {
  int i, a = LU_FLOAT32;
  for (i = 0; i < p->nnode; i++)
    if (pl->t.usenode[i] && p->node[i].redk > 0) a = pl->acc[i];
  return lu_dtype_is_half(a) ? LU_FLOAT32 : (lu_dtype)a;
}

/* Compile (or find) the plan's kernel and run it on launch L of np
** parameters */
static int run(lu_ctx *ctx, lu_rows *r, const rw_plan *pl, lu_uk_launch *L, int np, lu_device dev) {
  int hit, st;
  const rw_memo *m = get_source(r, pl, &hit);
  if (m->src == NULL) st = lu_seterr(ctx, LU_EMEM, "fusion: out of memory");
  else if (dev.type == LU_DEV_CPU) st = lu_cpu_ukernel_run(ctx, "fused row kernel", m->src, m->hash, L);
#ifdef LUNAR_HAVE_CUDA
  else if (dev.type == LU_DEV_CUDA)
    st = lu_cuda_ukernel_run(ctx, "fused row kernel", m->src, m->hash, L, np, 1, 1, dev);
#endif
  else st = lu_unavailable(ctx, "fused row kernel", dev);
  if (st == LU_OK) st = lu_after_op(ctx, dev);
  if (st == LU_OK) lu_count_fused(ctx, hit);
  return st;
}

/* Few long rows, split (the file's head): the segments' partial results
** into a temporary, then each row's fold and result */
static int run_split(lu_ctx *ctx, lu_rows *r, rw_plan *pl, lu_uk_launch *L, lu_device dev) {
  const lu_fuse_prog *p = &r->p;
  int64_t nout = L->nout, per = (RW_SPLIT_BLOCKS + nout - 1) / nout, len, ns;
  lu_array part;
  int d, st;
  len = (L->nred + per - 1) / per;
  if (len < RW_SEG_MIN) len = RW_SEG_MIN;
  ns = (L->nred + len - 1) / len;
  memset(&part, 0, sizeof part);
  if ((st = lu_empty(ctx, &part, split_acc(p, pl), 1, (int64_t[]){nout * ns}, dev)) != LU_OK)
    return st;
  L->ptr[pl->np] = lu_array_data(&part);
  for (d = 0; d < 16; d++) L->st[pl->np][d] = 0;
  L->n = len;
  L->nout = nout * ns;
  pl->split = 1;
  st = run(ctx, r, pl, L, pl->np + 1, dev);
  if (st == LU_OK) {
    L->nout = nout;
    pl->split = 2;
    st = run(ctx, r, pl, L, pl->np + 1, dev);
  }
  lu_array_release(&part);
  return st;
}

char *lu_fuse_rows_source(lu_ctx *ctx, lu_rows *r, int nargs, const lu_arg *args, int cuda,
                          int second) {
  rw_plan pl;
  int64_t nred = 1, nout = 1;
  int d;
  if (resolve(ctx, &r->p, nargs, args, cuda, &pl) != LU_OK) return NULL;
  for (d = 0; d < pl.n; d++) *(d < pl.n - pl.k ? &nout : &nred) *= pl.shape[d];
  pl.flat = cuda && pl.k == 1;   /* the call decides after merging dims: one reduced dim is flat */
  if (nout < RW_FEW_ROWS && nred >= RW_LONG_ROW) {
    if (!can_split(&r->p, &pl)) return NULL;
    pl.split = 1;
  } else if (second) {
    return NULL;
  }
  row_modes(&r->p, &pl, nred);
  if (second) pl.split = 2;
  return make_source(&r->p, &pl);
}

int lu_fuse_rows_call(lu_ctx *ctx, lu_rows *r, int nargs, const lu_arg *args, lu_array *out) {
  const lu_fuse_prog *p = &r->p;
  union { lu_value v; char pad[16]; } sval[LU_UK_MAXP];
  lu_device dev;
  rw_plan pl;
  lu_uk_launch *L;
  int i, d, st, lead, root = -1 - p->res[0], have = 0, split = 0;
  int64_t oshape[LU_MAXDIM];
  memset(out, 0, sizeof *out);
  memset(&dev, 0, sizeof dev);
  for (i = 0; i < nargs && !have; i++)
    if (args[i].arr) { dev = lu_array_device(args[i].arr); have = 1; }
  if (!have) return LU_EDECLINE;
  if (resolve(ctx, p, nargs, args, dev.type == LU_DEV_CUDA, &pl) != LU_OK) {
    ctx->err = LU_OK;
    return LU_EDECLINE;
  }
  lead = pl.n - pl.k;
  L = (lu_uk_launch *)lu_calloc(1, sizeof *L);
  if (L == NULL) return lu_seterr(ctx, LU_EMEM, "fusion: out of memory");
  L->nk = lead;
  L->nr = pl.k;
  L->nout = L->nred = 1;
  for (d = 0; d < pl.n; d++) {
    int64_t *n = d < lead ? &L->nout : &L->nred;
    L->shape[d] = pl.shape[d];
    if (!lu_size_mul(*n, pl.shape[d], n)) { free(L); return LU_EDECLINE; }
    oshape[d] = d < lead || pl.rootvary ? pl.shape[d] : 1;
  }
  if (L->nout < RW_FEW_ROWS && L->nred >= RW_LONG_ROW) split = can_split(p, &pl);
  if (L->nout == 0 || L->nred == 0 || (L->nout < RW_FEW_ROWS && L->nred >= RW_LONG_ROW && !split)) {
    free(L);
    return LU_EDECLINE;
  }
  L->n = L->nout;
  for (i = 0; i < nargs; i++) {
    const lu_array *a = args[i].arr;
    int j = pl.param[i];
    if (j < 0) continue;
    if (a == NULL) {   /* a Lua number: its value, as the parameter's C type */
      lu_dtype vt = pl.t.leafkind[i] == 'f' ? LU_FLOAT64 : pl.t.leafkind[i] == 'i' ? LU_INT64 : LU_BOOL;
      memset(&sval[j], 0, sizeof sval[j]);
      lu_value_store(&sval[j], vt, lu_value_from_scalar(args[i].s, vt));
      L->ptr[j] = (char *)&sval[j];
      L->scalars |= 1u << j;
      continue;
    }
    L->ptr[j] = lu_array_data(a);
    for (d = 0; d < pl.n; d++) {
      int ad = a->ndim - pl.n + d;
      L->st[j][d] = (ad < 0 || a->shape[ad] == 1) ? 0 : a->strides[ad];
    }
  }
  if ((st = lu_empty(ctx, out, (lu_dtype)pl.t.rt[root], pl.n, oshape, dev)) != LU_OK) {
    free(L);
    return st;
  }
  L->ptr[pl.np - 1] = lu_array_data(out);
  for (d = 0; d < pl.n; d++)
    L->st[pl.np - 1][d] = out->shape[d] == 1 ? 0 : out->strides[d];
  lu_uk_merge_dims(L, pl.np);
  pl.flat = pl.t.cuda && L->nr <= 1;
  pl.split = split;   /* (run_split sets the stage) */
  row_modes(p, &pl, L->nred);
  L->lo = 0;
  L->hi = L->nout;
  st = split ? run_split(ctx, r, &pl, L, dev) : run(ctx, r, &pl, L, pl.np, dev);
  if (st != LU_OK) lu_array_release(out);
  free(L);
  return st;
}
/* }====================================================== */
