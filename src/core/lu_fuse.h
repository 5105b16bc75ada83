/* SPDX-License-Identifier: MIT */
/*
** Explicit fusion (lunar.fuse): a small traced program of elementwise op
** rows, with optional trailing reductions (one per result, over the same
** axes), run as one generated user kernel (src/core/fuse.c). The binding builds the program from the Lua
** trace; the core resolves every node's dtypes with the unfused op's rules
** at each call and keeps one kernel per resolved signature.
*/
#ifndef lu_fuse_h
#define lu_fuse_h

#include "lu_api.h"

#define LU_FUSE_MAXNODE 64   /* nodes of one program */
#define LU_FUSE_MAXLEAF 24   /* leaves: the call's arguments and the trace's constants */
#define LU_FUSE_MAXOUT 8     /* results */
#define LU_FUSE_MAXUK 8      /* distinct user kernels (lazy.c's recorded calls) */
#define LU_FUSE_UK 0x10000   /* a node's op LU_FUSE_UK + j: a call of user kernel j */

/* A node: op is a row of lu_ops; in[k] >= 0 is leaf in[k], in[k] < 0 is
** node -1 - in[k] (an earlier one). redk > 0 makes it a reduction of in[0]
** over its last redk axes, keeping them (op is then an lu_redop): only
** row programs (lu_fuse_rows) have those. op LU_FUSE_UK + j is a call of
** the program's user kernel j (an ElementwiseKernel with one output, on
** uknin[j] inputs): only elementwise programs have those. */
typedef struct lu_fuse_node { int op; int in[3]; int redk; } lu_fuse_node;

typedef struct lu_fuse_prog {
  int nleaf, nnode, nres;
  lu_fuse_node node[LU_FUSE_MAXNODE];
  int res[LU_FUSE_MAXOUT];     /* node refs, as lu_fuse_node.in */
  int red;                     /* a trailing reduction of the one result: an lu_redop
                                  (sum, prod, max, min, mean, any, all), or -1 */
  int naxes;                   /* -1: all axes; else axes (1-based, negative from the end) */
  int64_t axes[LU_MAXDIM];
  int keepdims;
  int redop[LU_FUSE_MAXOUT];   /* with red >= 0 and several results: result i > 0
                                  is reduction redop[i] of node res[i] (result 0's
                                  is red), all over the same axes, in one kernel */
  int nuk;                     /* user kernels the nodes call: each one's inputs */
  int uknin[LU_FUSE_MAXUK];    /* and identity (lu_ukernel_key: a hash of its */
  uint64_t ukey[LU_FUSE_MAXUK];/* parameters and operation; the program's bytes
                                  are its identity, so no pointer is among them) */
} lu_fuse_prog;

typedef struct lu_fused lu_fused;

/* Check p's structure and keep a copy. */
int lu_fuse_new(lu_ctx *ctx, lu_fused **f, const lu_fuse_prog *p);
/* The same for a program with user kernel nodes: uk[j] is kernel j (its
** key and inputs p's), of which f keeps a reference */
struct lu_ukernel;
int lu_fuse_new_uk(lu_ctx *ctx, lu_fused **f, const lu_fuse_prog *p, struct lu_ukernel *const *uk);
/* The inputs node i of p reads */
int lu_fuse_node_nin(const lu_fuse_prog *p, int i);
void lu_fuse_free(lu_fused *f);
/* Run f on its leaves (nargs == p->nleaf): outs[k] (empty arrays) receive
** the results. Any error (a dtype the unfused op refuses, a shape that does
** not broadcast, an op fusion does not cover for these dtypes) leaves
** nothing done: the caller then runs the unfused function. */
int lu_fuse_call(lu_ctx *ctx, lu_fused *f, int nargs, const lu_arg *args, lu_array *const *outs);
/* One node's dtypes as the unfused op resolves them, or the reason it is
** not fused (complex values, a power of signed integers, nextafter or
** spacing of half floats); a[k].arr needs only its dtype. */
int lu_fuse_node_check(lu_ctx *ctx, int op, const lu_arg *a, lu_dtype *ct, lu_dtype *rt);
/* {------------------------------------------------------ row programs */
/* A program whose reductions all reduce the trailing axes of one row space
** (softmax: exp(x - max) / sum(exp(x - max)), each with keepdims) runs as
** one kernel over the rows: a pass over the row per reduction, then the
** result (src/core/fuse_rows.c). lu_fuse_rows_call computes result node
** p->res[0] into out (a new array); LU_EDECLINE when the program does not
** have that form (nothing done, no error left), else the call's status;
** lu_fuse_rows_new gives LU_EDECLINE for a program with user kernel nodes.
** A cache of generated sources by resolved signature comes with each. */
#define LU_EDECLINE 1000
typedef struct lu_rows lu_rows;
int lu_fuse_rows_new(lu_ctx *ctx, lu_rows **r, const lu_fuse_prog *p);
void lu_fuse_rows_free(lu_rows *r);
int lu_fuse_rows_call(lu_ctx *ctx, lu_rows *r, int nargs, const lu_arg *args, lu_array *out);
/* The kernel source a call on these leaves runs (NULL when the program is
** not a row program there), for tests; `second`: the second kernel of a
** split call (few long rows), NULL for others */
char *lu_fuse_rows_source(lu_ctx *ctx, lu_rows *r, int nargs, const lu_arg *args, int cuda,
                          int second);

/* What fuse.c shares with fuse_rows.c: a resolved program's dtypes (each
** leaf's dtype, -1 - kind for a Lua number; each node's compute and result
** dtypes), one node's block of generated code, the CPU compiler's prelude,
** and the accumulator dtype of a fused reduction. */
typedef struct lu_fuse_plan {
  int leafdt[LU_FUSE_MAXLEAF];
  char leafkind[LU_FUSE_MAXLEAF];   /* 0 for an array, else the Lua number's kind */
  char leafrng[LU_FUSE_MAXLEAF];    /* a random draw (lu_fuse_rng): 1 + its lu_randdist */
  int ct[LU_FUSE_MAXNODE], rt[LU_FUSE_MAXNODE];
  int useleaf[LU_FUSE_MAXLEAF], usenode[LU_FUSE_MAXNODE];
  int rdt[LU_FUSE_MAXOUT], acc[LU_FUSE_MAXOUT];   /* trailing reductions: each result's
                                                     dtype and accumulator dtype */
  int uvt[LU_FUSE_MAXNODE][4];   /* a user kernel node's binding: its inputs' dtypes
                                    and its output's (ct and rt: the output's) */
  int cuda;
} lu_fuse_plan;
struct lu_uk_text;
void lu_fuse_put_node(struct lu_uk_text *b, const lu_fuse_prog *p, int i, const lu_fuse_plan *pl);
void lu_fuse_put_cpu_prelude(struct lu_uk_text *b);
int lu_fuse_red_acc(int red, int vd, int rdt, int cuda);
/* A reduction's fold of partials named a and b, over values of dtype vd */
const char *lu_fuse_fold_expr(int red, int vd);
/* The reductions fusion takes: sum, prod, max, min, mean, any, all */
int lu_fuse_is_red(int red);
const char *lu_fuse_vtype(int dt);
/* }------------------------------------------------------ */

/* {------------------------------------------------------ random leaves */
/* A random draw that automatic fusion keeps pending (lazy.c) is a leaf of
** the programs that read it: an array of dtype float32/float64, its shape,
** C-contiguous strides, over this stand-in buffer, which holds no memory
** (ptr NULL) and is never released. The kernels compute element e of it as
** the draw would have written it: value offset + e of the Philox stream of
** seed (lu_philox.h), so fused and unfused give the same numbers. */
typedef struct lu_fuse_rng {
  lu_buffer buf;        /* first: the leaf's buf points here */
  uint64_t seed, offset;
  int dist;             /* lu_randdist */
} lu_fuse_rng;
/* The tag in buf.release that marks a stand-in (never called) */
void lu_fuse_rng_tag(void *ud);
/* The draw behind leaf array a, or NULL for an ordinary array */
const lu_fuse_rng *lu_fuse_rng_of(const lu_array *a);
/* lu_philox.h's text and the element functions the kernels call:
** lu_fz_rng_f32/f64(seed, off, i, dist), value off + i of the stream
** (off a multiple of 4: lazy.c fuses only draws that start on a block) */
void lu_fuse_put_rng_prelude(struct lu_uk_text *b, int cuda);
/* }------------------------------------------------------ */

/* Kernels generated for f so far (a new resolved signature makes one). */
int lu_fuse_nkernels(const lu_fused *f);
/* The kernel source f's last call ran (CUDA text when cuda), for tests. */
char *lu_fuse_source(lu_ctx *ctx, lu_fused *f, int nargs, const lu_arg *args, int cuda);

#endif
