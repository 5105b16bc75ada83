/* SPDX-License-Identifier: MIT */
/*
** Private to the sort family's core files (sort.c, sets.c, hist.c, scan.c,
** stats.c): the "rows" view of an array (the axes an op works along moved
** last and made contiguous, so a backend sees rows), and short helpers
** that compose the family's functions from elementwise ops, copies and the
** family's backend entries.
*/
#ifndef lu_sortfam_h
#define lu_sortfam_h

#include "lu_internal.h"

/* {===== rows
** a with the axes `axes` (0-based, distinct) moved last, in that order,
** and made contiguous: data is (nrow, len) with len the product of their
** lengths. naxes == 0 or axes == NULL with flat: every axis (a flattened
** copy or view). mshape/mndim: the shape of the moved array; keep the
** rest to put a result of that shape back (lu_rows_back). */
typedef struct lu_rows {
  lu_array data;
  int64_t nrow, len;
  int mndim;
  int64_t mshape[LU_MAXDIM];
  int perm[LU_MAXDIM];      /* moved axis i is a's axis perm[i] */
  int naxes, flat;
} lu_rows;

int lu_rows_make(lu_ctx *ctx, const char *name, const lu_array *a, int naxes,
                 const int *axes, int flat, lu_rows *r);
void lu_rows_free(lu_rows *r);
/* res has the moved shape (contiguous): out becomes a view of it in a's
** axis order (res's reference moves to out). */
int lu_rows_back(lu_ctx *ctx, const lu_rows *r, lu_array *res, lu_array *out);
/* }===== */

/* {===== checks and small helpers */
int lu_sf_open(lu_ctx *ctx, const lu_array *a);          /* closed array? */
int lu_sf_same_dev(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *b);
/* The family of a's device, or NULL with the error set; entry may be
** checked by the caller with lu_sf_need. */
const lu_sort_family *lu_sf_family(lu_ctx *ctx, const char *name, lu_device dev);
int lu_sf_missing(lu_ctx *ctx, const char *name, lu_device dev);
#define LU_SF_ENTRY(ctx, name, dev, fam, ent) \
  ((fam) = lu_sf_family(ctx, name, dev), (fam) == NULL ? (int)lu_ctx_errcode(ctx) \
   : (fam)->ent == NULL ? lu_sf_missing(ctx, name, dev) : LU_OK)

/* out = op(x, y) (or op(x) when y is NULL) with the name in messages. */
int lu_sf_ew(lu_ctx *ctx, const char *name, lu_op op, lu_arg x, const lu_arg *y,
             lu_array *out);
/* out = op(x, y) for two operands given by value */
static inline int lu_sf_ew2(lu_ctx *ctx, const char *name, lu_op op, lu_arg x, lu_arg y,
                            lu_array *out) {
  return lu_sf_ew(ctx, name, op, x, &y, out);
}
/* a 1-d int64 0, 1, ..., n-1 on dev */
int lu_sf_iota(lu_ctx *ctx, const char *name, int64_t n, lu_device dev, lu_array *out);
/* a contiguous 1-d copy or view of a (ravel) */
int lu_sf_flat(lu_ctx *ctx, const lu_array *a, lu_array *out);
/* one element of a 0-d or any array (flat index i) read to the host */
int lu_sf_get_i64(lu_ctx *ctx, const lu_array *a, int64_t i, int64_t *v);
int lu_sf_get_f64(lu_ctx *ctx, const lu_array *a, int64_t i, double *v);
/* The 1-d concatenation of arrays (ravelled), in dtype dt. */
int lu_sf_concat(lu_ctx *ctx, const char *name, int n, const lu_array *const *arrs,
                 lu_dtype dt, lu_array *out);
/* The family's row gather and scatter (lu_sort_family) on arrays, each
** pointer the array's first element, checked first in debug builds. */
int lu_sf_gather(lu_ctx *ctx, const lu_sort_family *fam, lu_device dev, int elsize, int64_t nrow,
                 const lu_array *in, int64_t in_rs, const lu_array *idx, int64_t idx_rs,
                 int64_t nidx, int64_t base, lu_array *out);
int lu_sf_scatter(lu_ctx *ctx, const lu_sort_family *fam, lu_device dev, int elsize, int64_t nrow,
                  const lu_array *in, const lu_array *idx, int64_t nidx, int64_t base,
                  lu_array *out, int64_t out_rs);
/* out[i] = src[idx[i] - base] (src, idx contiguous 1-d; result 1-d) */
int lu_sf_take(lu_ctx *ctx, const char *name, const lu_array *src, const lu_array *idx,
               int64_t base, lu_array *out);
/* a contiguous 1-d copy of a[lo:hi] */
int lu_sf_slice1(lu_ctx *ctx, const lu_array *a, int64_t lo, int64_t hi, lu_array *out);
/* stable ascending sort of a 1-d contiguous array: sorted values and/or
** 0-based permutation (NULL: not wanted) */
int lu_sf_sort1(lu_ctx *ctx, const char *name, const lu_array *a, lu_array *vals,
                lu_array *perm);
/* a[mask] for 1-d a and mask */
int lu_sf_select(lu_ctx *ctx, const lu_array *a, const lu_array *mask, lu_array *out);
/* The runs of a sorted 1-d contiguous array (see lu_runs_call); each
** output pointer may be NULL; the arrays come back with nruns items
** (id with n). */
int lu_sf_runs(lu_ctx *ctx, const char *name, const lu_array *sorted, int equal_nan,
               int64_t base, lu_array *vals, lu_array *start, lu_array *count, lu_array *id);
/* The positions where sorted (1-d contiguous) would take v (same dtype,
** contiguous): int64 plus base; or found flags with `found`. */
int lu_sf_search(lu_ctx *ctx, const char *name, const lu_array *sorted, const lu_array *v,
                 int right, int found, int invert, int64_t base, lu_array *out);
/* }===== */

/* {===== dtypes without backend loops (sortdt.c)
** The backends have loops for the native dtypes only (lu_sf_native);
** these entries take every dtype: float16 and bfloat16 through float32,
** complex through keys in NumPy's lexicographic order. */
int lu_sf_native(lu_dtype dt);
/* Stable sort of nrow rows of len items of data (contiguous): vals (room
** for them, data's dtype) and/or idx (int64 positions in the row + base);
** either may be NULL. */
int lu_sf_rowsort(lu_ctx *ctx, const char *name, const lu_array *data, int64_t nrow,
                  int64_t len, lu_array *vals, lu_array *idx, int64_t base, int descending);
/* lu_sf_runs and lu_sf_search for the dtypes that are not native (they
** call these themselves) */
int lu_sf_runs_other(lu_ctx *ctx, const char *name, const lu_array *sorted, int equal_nan,
                     int64_t base, lu_array *vals, lu_array *start, lu_array *count,
                     lu_array *id);
int lu_sf_search_other(lu_ctx *ctx, const char *name, const lu_array *sorted, const lu_array *v,
                       int right, int found, int invert, int64_t base, lu_array *out);
/* }===== */

#endif
