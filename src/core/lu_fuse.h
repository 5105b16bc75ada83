/* SPDX-License-Identifier: MIT */
/*
** Explicit fusion (lunar.fuse): a small traced program of elementwise op
** rows, with an optional trailing reduction, run as one generated user
** kernel (src/core/fuse.c). The binding builds the program from the Lua
** trace; the core resolves every node's dtypes with the unfused op's rules
** at each call and keeps one kernel per resolved signature.
*/
#ifndef lu_fuse_h
#define lu_fuse_h

#include "lu_api.h"

#define LU_FUSE_MAXNODE 64   /* nodes of one program */
#define LU_FUSE_MAXLEAF 24   /* leaves: the call's arguments and the trace's constants */
#define LU_FUSE_MAXOUT 8     /* results */

/* A node: op is a row of lu_ops; in[k] >= 0 is leaf in[k], in[k] < 0 is
** node -1 - in[k] (an earlier one). */
typedef struct lu_fuse_node { int op; int in[3]; } lu_fuse_node;

typedef struct lu_fuse_prog {
  int nleaf, nnode, nres;
  lu_fuse_node node[LU_FUSE_MAXNODE];
  int res[LU_FUSE_MAXOUT];     /* node refs, as lu_fuse_node.in */
  int red;                     /* a trailing reduction of the one result: an lu_redop
                                  (sum, prod, max, min, mean, any, all), or -1 */
  int naxes;                   /* -1: all axes; else axes (1-based, negative from the end) */
  int64_t axes[LU_MAXDIM];
  int keepdims;
} lu_fuse_prog;

typedef struct lu_fused lu_fused;

/* Check p's structure and keep a copy. */
int lu_fuse_new(lu_ctx *ctx, lu_fused **f, const lu_fuse_prog *p);
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
/* Kernels generated for f so far (a new resolved signature makes one). */
int lu_fuse_nkernels(const lu_fused *f);
/* The kernel source f's last call ran (CUDA text when cuda), for tests. */
char *lu_fuse_source(lu_ctx *ctx, lu_fused *f, int nargs, const lu_arg *args, int cuda);

#endif
