/* SPDX-License-Identifier: MIT */
/*
** Private to the linalg family of the core (linalg.c, linalg_compose.c):
** the shared checks, the stack (batch) bookkeeping and the shorthands for
** the elementwise and reduction steps that the composed functions are
** built from.
*/
#ifndef lu_linalg_h
#define lu_linalg_h

#include "lu_internal.h"

/* The batch part of a stack of matrices: the leading axes. */
typedef struct lu_lastack {
  int nb;                        /* batch axes */
  int64_t bshape[LU_MAXDIM];
  int64_t batch;                 /* product of bshape */
} lu_lastack;

/* The leading x->ndim - core axes of x. */
void lu_la_stack(lu_lastack *s, const lu_array *x, int core);
/* The dtype a linalg function computes in for an operand of dtype in:
** float32 and float64 keep theirs, bool and integers give float64, other
** dtypes are an error naming the function. */
int lu_la_dtype(lu_ctx *ctx, const char *name, lu_dtype in, lu_dtype *out);
/* Operand checks: open, at least 2-D; square too. */
int lu_la_matrix(lu_ctx *ctx, const char *name, const lu_array *a);
int lu_la_square(lu_ctx *ctx, const char *name, const lu_array *a);
/* Both operands on one device, else an error naming both. */
int lu_la_samedev(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *b);

/* A view of x with its last two axes swapped (*v takes a reference). */
void lu_la_swapped(lu_array *v, const lu_array *x);

/* Shorthands: out = op(a), op(a, b), op(a, weak float s); out is new. */
int lu_la_ew1(lu_ctx *ctx, lu_op op, lu_array *out, const lu_array *a);
int lu_la_ew2(lu_ctx *ctx, lu_op op, lu_array *out, const lu_array *a, const lu_array *b);
int lu_la_ews(lu_ctx *ctx, lu_op op, lu_array *out, const lu_array *a, double s);
/* out = where(c, a, b) with a or b a weak float when its array is NULL */
int lu_la_where(lu_ctx *ctx, lu_array *out, const lu_array *c, const lu_array *a, double sa,
                const lu_array *b, double sb);
/* A reduction over one axis (0-based, negative from the end). */
int lu_la_red(lu_ctx *ctx, int op, lu_array *out, const lu_array *a, int axis, int keepdims);

/* The inverse; lenient: a singular matrix gives NaNs instead of an error
** (NumPy's inv under errstate(all="ignore"), which cond relies on). */
int lu_la_inv(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a, int lenient);
/* The SVD (reduced unless full) or, with uv 0, the singular values alone
** (u, vh NULL), descending (..., min(m, n)); errors carry `name`. */
int lu_la_svd(lu_ctx *ctx, const char *name, lu_array *u, lu_array *s, lu_array *vh,
              const lu_array *a, int full, int uv);
int lu_la_svdvals(lu_ctx *ctx, const char *name, lu_array *s, const lu_array *a);

#endif
