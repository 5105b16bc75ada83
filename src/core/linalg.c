/* SPDX-License-Identifier: MIT */
/*
** lunar.linalg, the factorizations: solve, inv, det, slogdet, cholesky,
** qr, svd and eigh, each on a stack of matrices.
**
** Backends work on column-major matrices (lu_backend.h, lu_la_call), and
** lunar's arrays are row-major: a row-major matrix is the column-major
** storage of its transpose. So each function copies its operand once into
** a dense work array, either as it is (the backend then sees A^T) or with
** its last two axes swapped (the backend sees A), whichever the routine
** needs, and reads the results back through views: an eigenvector matrix
** comes back as the transpose view of the backend's output, never as a
** second copy. Complex dtypes need no conjugation either, except eigh's
** vectors (A^T of a Hermitian A is conj(A)). Examples: solve factors A^T and solves with trans; cholesky
** and eigh read A's lower triangle as the upper triangle of A^T; svd hands
** the backend whichever of A and A^T is tall.
**
** Composed results (det from the LU factors, the triangles of cholesky and
** qr) use the elementwise and reduction ops, so they run on every device.
*/
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "lu_linalg.h"
#include "lu_hostmem.h"

/* {====================================================== shared helpers */
void lu_la_stack(lu_lastack *s, const lu_array *x, int core) {
  int i;
  s->nb = x->ndim - core;
  if (s->nb < 0) s->nb = 0;
  s->batch = 1;
  for (i = 0; i < s->nb; i++) {
    s->bshape[i] = x->shape[i];
    s->batch *= x->shape[i];
  }
}

int lu_la_dtype(lu_ctx *ctx, const char *name, lu_dtype in, lu_dtype *out) {
  switch (lu_dtype_kind(in)) {
  case 'b': case 'i': case 'u':
    *out = LU_FLOAT64;
    return LU_OK;
  case 'f':
    if (in == LU_FLOAT32 || in == LU_FLOAT64) { *out = in; return LU_OK; }
    break;
  case 'c':
    *out = in;
    return LU_OK;
  default:
    break;
  }
  return lu_seterr(ctx, LU_ETYPE, "%s: array type %s is unsupported in linalg", name,
                   lu_dtype_name(in));
}

int lu_la_matrix(lu_ctx *ctx, const char *name, const lu_array *a) {
  lu_check_in(a);
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (a->ndim < 2)
    return lu_seterr(ctx, LU_EARG, "%s: %d-dimensional array given. Array must be at least "
                     "two-dimensional", name, a->ndim);
  return LU_OK;
}

int lu_la_square(lu_ctx *ctx, const char *name, const lu_array *a) {
  int st = lu_la_matrix(ctx, name, a);
  char s1[LU_MAXDIM * 24];
  if (st != LU_OK) return st;
  if (a->shape[a->ndim - 1] != a->shape[a->ndim - 2])
    return lu_seterr(ctx, LU_ESHAPE, "%s: last 2 dimensions of the array must be square, "
                     "got shape %s", name, lu_shape_str(a->ndim, a->shape, s1, sizeof s1));
  return LU_OK;
}

int lu_la_samedev(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *b) {
  char s1[16], s2[16];
  if (a->buf == NULL || b->buf == NULL)
    return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (!lu_device_eq(lu_array_device(a), lu_array_device(b)))
    return lu_seterr(ctx, LU_EDEVICE, "%s: arrays on different devices: %s and %s", name,
                     lu_device_str(lu_array_device(a), s1), lu_device_str(lu_array_device(b), s2));
  return LU_OK;
}

static void swap_last2(lu_array *v) {
  int i = v->ndim - 2;
  int64_t t = v->shape[i];
  v->shape[i] = v->shape[i + 1];
  v->shape[i + 1] = t;
  t = v->strides[i];
  v->strides[i] = v->strides[i + 1];
  v->strides[i + 1] = t;
  lu_array_update(v);
}

void lu_la_swapped(lu_array *v, const lu_array *x) {
  lu_array_share(v, x);
  swap_last2(v);
}

int lu_la_ew1(lu_ctx *ctx, lu_op op, lu_array *out, const lu_array *a) {
  lu_arg g = lu_arg_array(a);
  out->buf = NULL;
  return lu_ewise(ctx, op, 1, &g, out);
}

int lu_la_ew2(lu_ctx *ctx, lu_op op, lu_array *out, const lu_array *a, const lu_array *b) {
  lu_arg g[2];
  g[0] = lu_arg_array(a);
  g[1] = lu_arg_array(b);
  out->buf = NULL;
  return lu_ewise(ctx, op, 2, g, out);
}

int lu_la_ews(lu_ctx *ctx, lu_op op, lu_array *out, const lu_array *a, double s) {
  lu_arg g[2];
  g[0] = lu_arg_array(a);
  g[1] = lu_arg_float(s);
  out->buf = NULL;
  return lu_ewise(ctx, op, 2, g, out);
}

int lu_la_where(lu_ctx *ctx, lu_array *out, const lu_array *c, const lu_array *a, double sa,
                const lu_array *b, double sb) {
  lu_arg g[3];
  g[0] = lu_arg_array(c);
  g[1] = a ? lu_arg_array(a) : lu_arg_float(sa);
  g[2] = b ? lu_arg_array(b) : lu_arg_float(sb);
  out->buf = NULL;
  return lu_ewise(ctx, LU_OP_where, 3, g, out);
}

int lu_la_red(lu_ctx *ctx, int op, lu_array *out, const lu_array *a, int axis, int keepdims) {
  out->buf = NULL;
  if (axis < 0) axis += a->ndim;
  return lu_reduce(ctx, out, op, a, axis, keepdims, 0);
}

static void release_all(lu_array *xs, int n) {
  int i;
  for (i = 0; i < n; i++) lu_array_release(&xs[i]);
}
/* }====================================================== */

/* {====================================================== calling the backend */
static const char *fail_text(lu_la_op op) {
  switch (op) {
  case LU_LA_LU: case LU_LA_SOLVE: case LU_LA_INV: return "singular matrix";
  case LU_LA_CHOLESKY: return "matrix is not positive definite";
  case LU_LA_SVD: return "SVD did not converge";
  case LU_LA_EIGH: return "eigenvalues did not converge";
  default: return "the factorization failed";
  }
}

/* The zeroed info array of a call of batch matrices: the context's own,
** kept between calls (and zeroed again by la_run after any call that wrote
** it), up to INFO_KEEP entries; a larger one is the call's (*own). A fresh
** calloc of 100000 ints after a collection (whose malloc_trim gave the
** heap's free pages back) faulted in and cleared 400 KB on every call:
** 0.14 ms of batched inv's 0.23 on an H100 in the bench, where the small
** solver's kernel and its one wait took 0.09. */
#define INFO_KEEP ((int64_t)1 << 20)
static int *info_array(lu_ctx *ctx, int64_t batch, int *own) {
  int64_t n = batch > 0 ? batch : 1;
  *own = n > INFO_KEEP;
  if (*own) return (int *)lu_calloc((size_t)n, sizeof(int));
  if (ctx->la_info_n < n) {
    int *p = (int *)lu_calloc((size_t)n, sizeof(int));
    if (p == NULL) return NULL;
    free(ctx->la_info);
    ctx->la_info = p;
    ctx->la_info_n = n;
  }
  return ctx->la_info;
}

/* Run c on its device's backend. info comes back to the host (a GPU
** backend synchronises for it); a negative entry is a bug in lunar. When
** `strict`, the first matrix with a positive entry becomes the error;
** otherwise *info_out receives a copy (the caller frees it), or NULL
** where every entry is 0 (c->info_nz: the backend did not even read them). */
static int la_run(lu_ctx *ctx, const char *name, lu_la_call *c, int stacked, int strict,
                  int **info_out, int small) {
  const lu_linalg_family *fam = lu_family(ctx, name, c->dev, linalg);
  int (*entry)(lu_ctx *, const lu_la_call *);
  int *info, nz = -1, own, any = 0;
  int64_t k, n = c->batch > 0 ? c->batch : 1;
  int st;
  if (info_out) *info_out = NULL;
  if (fam == NULL) return ctx->err;
  entry = small ? fam->small : fam->lapack;
  if (entry == NULL) return lu_unavailable(ctx, name, c->dev);
  /* zeroed: the small entry leaves the 0s of a stack that succeeded as they are */
  info = info_array(ctx, c->batch, &own);
  if (info == NULL) return lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
  c->info = info;
  c->info_nz = &nz;
  st = entry(ctx, c);
  c->info_nz = NULL;
  c->info = NULL;
  /* the CPU backend's "linalg: cannot load liblapacke..." names the function */
  if (st != LU_OK && strncmp(ctx->errmsg, "linalg: ", 8) == 0) {
    char rest[LU_ERRLEN];
    snprintf(rest, sizeof rest, "%s", ctx->errmsg + 8);
    lu_seterr(ctx, st, "%s: %s", name, rest);
  }
  if (st == LU_OK) st = lu_after_op(ctx, c->dev);
  if (st == LU_OK && nz == 0) {   /* every matrix succeeded: info is all zeros, unread */
    if (own) free(info);
    return LU_OK;
  }
  for (k = 0; k < c->batch; k++) {
    if (info[k] == 0) continue;
    any = 1;
    if (st != LU_OK) break;
    if (info[k] < 0)
      st = lu_seterr(ctx, LU_EBACKEND, "%s: internal error: argument %d of the LAPACK routine "
                     "is invalid", name, -info[k]);
    else if (strict)
      st = stacked ? lu_seterr(ctx, LU_EARG, "%s: %s (batch item %lld)", name, fail_text(c->op),
                               (long long)k + 1)
                   : lu_seterr(ctx, LU_EARG, "%s: %s", name, fail_text(c->op));
  }
  if (st == LU_OK && info_out != NULL && any) {
    *info_out = (int *)lu_malloc((size_t)n * sizeof(int));
    if (*info_out == NULL) st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name);
    else memcpy(*info_out, info, (size_t)n * sizeof(int));
  }
  /* the kept array goes back to all zeros (an entry may have been written
  ** even where the loop above stopped early) */
  if (own) free(info);
  else memset(info, 0, (size_t)n * sizeof(int));
  return st;
}

static int lapack(lu_ctx *ctx, const char *name, lu_la_call *c, int stacked, int strict,
                  int **info_out) {
  return la_run(ctx, name, c, stacked, strict, info_out, 0);
}

/* Whether solve (nrhs right-hand sides) or inv of this stack goes to the
** backend's one-pass small solver (the linalg family's `small`, interface
** version 5): real matrices of order <= LU_LA_SMALL_N. LUNAR_SMALL_SOLVE=0
** sends them to lapack instead, to compare (bench/la_stages.lua). */
static int small_solver(lu_ctx *ctx, lu_device dev, lu_dtype dt, int64_t n, int64_t nrhs) {
  static int off = -1;
  const lu_backend *be;
  if (n < 1 || n > LU_LA_SMALL_N || nrhs > n || (dt != LU_FLOAT32 && dt != LU_FLOAT64))
    return 0;
  if (off < 0) {
    const char *e = getenv("LUNAR_SMALL_SOLVE");
    off = e != NULL && strcmp(e, "0") == 0;
  }
  be = off ? NULL : lu_backend_for(ctx, dev);
  return be != NULL && be->version >= 5 && be->linalg != NULL && be->linalg->small != NULL;
}

/* Whether the small solver can read a as it is, without the work copy: a
** C-contiguous array of the work dtype that is the whole stack (no batch
** axis broadcast). The solver only reads a (lu_backend.h); as column-major
** matrices a's are their transposes, which solve passes with trans and inv
** inverts as the work copy's (100000 of 8x8 float32: 25.6 MB neither
** read nor written). */
static int small_direct(const lu_array *a, lu_dtype dt, const lu_lastack *s) {
  int i;
  if (a->dtype != dt || a->ndim != s->nb + 2 || !lu_array_is_contig(a)) return 0;
  for (i = 0; i < s->nb; i++)
    if (a->shape[i] != s->bshape[i]) return 0;
  return 1;
}

static void call_init(lu_la_call *c, lu_la_op op, lu_dtype dt, int64_t batch, int64_t m,
                      int64_t n, lu_device dev) {
  memset(c, 0, sizeof *c);
  c->op = op;
  c->dt = dt;
  c->batch = batch;
  c->m = m;
  c->n = n;
  c->dev = dev;
}

/* A new contiguous dt array holding x broadcast to the batch of s (x keeps
** its last `core` axes), with the last two axes swapped when `swap`. Read
** as column-major, each matrix of it is then x's matrix itself (swap) or
** its transpose. */
static int work_copy(lu_ctx *ctx, lu_array *out, const lu_array *x, lu_dtype dt,
                     const lu_lastack *s, int core, int swap) {
  lu_array v;
  int64_t shape[LU_MAXDIM];
  int i, st;
  out->buf = NULL;
  for (i = 0; i < s->nb; i++) shape[i] = s->bshape[i];
  for (i = 0; i < core; i++) shape[s->nb + i] = x->shape[x->ndim - core + i];
  if ((st = lu_broadcast_to(ctx, &v, x, s->nb + core, shape)) != LU_OK) return st;
  if (swap) swap_last2(&v);
  st = lu_astype(ctx, out, &v, dt);
  lu_array_release(&v);
  return st;
}

/* A new array of shape (batch of s) + the given trailing extents. */
static int stack_empty(lu_ctx *ctx, lu_array *out, lu_dtype dt, const lu_lastack *s, int ntail,
                       int64_t e0, int64_t e1, lu_device dev) {
  int64_t shape[LU_MAXDIM];
  int i;
  for (i = 0; i < s->nb; i++) shape[i] = s->bshape[i];
  if (ntail > 0) shape[s->nb] = e0;
  if (ntail > 1) shape[s->nb + 1] = e1;
  return lu_empty(ctx, out, dt, s->nb + ntail, shape, dev);
}

static int stack_full(lu_ctx *ctx, lu_array *out, lu_dtype dt, const lu_lastack *s, int ntail,
                      int64_t e0, int64_t e1, lu_device dev, double v) {
  int64_t shape[LU_MAXDIM];
  lu_scalar x;
  int i;
  for (i = 0; i < s->nb; i++) shape[i] = s->bshape[i];
  if (ntail > 0) shape[s->nb] = e0;
  if (ntail > 1) shape[s->nb + 1] = e1;
  x.kind = 'f';
  x.i = 0;
  x.f = v;
  return lu_full(ctx, out, dt, s->nb + ntail, shape, dev, x);
}

/* A new contiguous stack of n x n identity matrices. */
static int stack_eye(lu_ctx *ctx, lu_array *out, lu_dtype dt, const lu_lastack *s, int64_t n,
                     lu_device dev) {
  lu_array e, v;
  int64_t shape[LU_MAXDIM];
  int i, st;
  out->buf = NULL;
  if ((st = lu_eye(ctx, &e, n, n, 0, dt, dev)) != LU_OK) return st;
  for (i = 0; i < s->nb; i++) shape[i] = s->bshape[i];
  shape[s->nb] = shape[s->nb + 1] = n;
  st = lu_broadcast_to(ctx, &v, &e, s->nb + 2, shape);
  if (st == LU_OK) {
    st = lu_copy(ctx, out, &v);
    lu_array_release(&v);
  }
  lu_array_release(&e);
  return st;
}

/* Matrix k (0-based, in the flattened batch) of the contiguous stack x
** (its last `core` axes form one item), as a view. */
static int stack_item(lu_ctx *ctx, lu_array *out, const lu_array *x, int core, int64_t k) {
  lu_array flat;
  int64_t shape[3];
  int i, st;
  shape[0] = -1;
  for (i = 0; i < core; i++) shape[1 + i] = x->shape[x->ndim - core + i];
  if ((st = lu_reshape(ctx, &flat, x, 1 + core, shape)) != LU_OK) return st;
  st = lu_take_index(ctx, out, &flat, 0, k);
  lu_array_release(&flat);
  return st;
}

static int fill_item(lu_ctx *ctx, const lu_array *x, int core, int64_t k, double v) {
  lu_array it;
  lu_arg g = lu_arg_float(v);
  int st = stack_item(ctx, &it, x, core, k);
  if (st != LU_OK) return st;
  st = lu_assign(ctx, &it, &g);
  lu_array_release(&it);
  return st;
}

#define NONFINITE_ONE 1024

/* Which matrices of the contiguous stack x (batch items of `per` elements
** each) hold a NaN or an infinity: *bad (malloc'd, batch flags, NULL when
** none) and their count. Iterative routines (SVD, symmetric eigensolvers)
** can spin or fail on such input, so those matrices never reach them.
** Synchronises: the flags are needed on the host. From NONFINITE_ONE
** matrices on, one number comes back first (below). */
static int nonfinite_items(lu_ctx *ctx, const lu_array *x, int64_t batch, int64_t per,
                           unsigned char **bad, int64_t *count) {
  lu_array v, z, s;
  int64_t shape[2], k;
  double *h = NULL;
  int st;
  *bad = NULL;
  *count = 0;
  if (batch == 0 || per == 0) return LU_OK;
  shape[0] = batch;
  shape[1] = per;
  v.buf = z.buf = s.buf = NULL;
  if ((st = lu_reshape(ctx, &v, x, 2, shape)) != LU_OK) return st;
  /* x * 0 is 0 for finite x and NaN otherwise; the sum keeps a NaN (a
  ** complex x through |x|, which is NaN or inf when a part is) */
  if (lu_dtype_kind(v.dtype) == 'c') {
    lu_array t;
    if ((st = lu_la_ew1(ctx, LU_OP_abs, &t, &v)) != LU_OK) { lu_array_release(&v); return st; }
    lu_array_release(&v);
    v = t;
  }
  st = lu_la_ews(ctx, LU_OP_multiply, &z, &v, 0.0);
  if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, &s, &z, 1, 0);
  lu_array_release(&z);
  if (st == LU_OK && s.dtype != LU_FLOAT64) {
    lu_array t;
    st = lu_astype(ctx, &t, &s, LU_FLOAT64);
    lu_array_release(&s);
    s = t;
  }
  /* a long stack: the sum of the sums first (0, or NaN when an item is
  ** not finite), so that a stack with none reads one number back instead
  ** of one per matrix (100000 of them, 0.8 MB through pageable memory and
  ** a loop: on a GPU most of what eigh of 100000 8x8 spent around the
  ** solver) */
  if (st == LU_OK && batch >= NONFINITE_ONE) {
    lu_array all;
    double tot = 0;
    all.buf = NULL;
    st = lu_la_red(ctx, LU_RED_sum, &all, &s, 0, 0);
    if (st == LU_OK) st = lu_to_host(ctx, &all, &tot);
    lu_array_release(&all);
    if (st == LU_OK && tot == tot) {
      lu_array_release(&s);
      lu_array_release(&v);
      return LU_OK;
    }
  }
  if (st == LU_OK) {
    h = (double *)lu_malloc((size_t)batch * sizeof(double));
    if (h == NULL) st = lu_seterr(ctx, LU_EMEM, "linalg: out of memory");
  }
  if (st == LU_OK) st = lu_to_host(ctx, &s, h);
  for (k = 0; st == LU_OK && k < batch; k++) {
    if (h[k] == h[k]) continue;
    if (*bad == NULL && (*bad = (unsigned char *)lu_calloc((size_t)batch, 1)) == NULL) {
      st = lu_seterr(ctx, LU_EMEM, "linalg: out of memory");
      break;
    }
    (*bad)[k] = 1;
    (*count)++;
  }
  if (st != LU_OK) { free(*bad); *bad = NULL; *count = 0; }
  free(h);
  lu_array_release(&s);
  lu_array_release(&v);
  return st;
}

/* Keep the elements of x (..., r, c) with j - i <= k (lower: tril) or
** j - i >= k (triu), zero the others: into *out, a new array, or into x
** itself when out == x (x then must be writable: a work array). The mask
** is (r, c) booleans from two broadcast index vectors, shared by the
** whole stack. */
static int triangle(lu_ctx *ctx, lu_array *out, const lu_array *x, int lower, int64_t k) {
  lu_array ri, ci, mask;
  int64_t r = x->shape[x->ndim - 2], c = x->shape[x->ndim - 1], shp[2];
  lu_device dev = lu_array_device(x);
  lu_arg g[3];
  int st;
  ri.buf = ci.buf = mask.buf = NULL;
  /* j - i <= k  <=>  j - k <= i: ci holds j - k, ri holds i as a column */
  st = lu_arange(ctx, &ri, 0, (double)r, 1, LU_INT64, dev);
  if (st == LU_OK) st = lu_arange(ctx, &ci, (double)-k, (double)(c - k), 1, LU_INT64, dev);
  if (st == LU_OK) {
    lu_array t;
    shp[0] = r; shp[1] = 1;
    st = lu_reshape(ctx, &t, &ri, 2, shp);
    lu_array_release(&ri);
    ri = t;
  }
  if (st == LU_OK) st = lu_la_ew2(ctx, lower ? LU_OP_less_equal : LU_OP_greater_equal, &mask, &ci, &ri);
  if (st == LU_OK) {
    g[0] = lu_arg_array(&mask);
    g[1] = lu_arg_array(x);
    g[2] = lu_arg_float(0.0);
    if (out != x) out->buf = NULL;
    st = lu_ewise(ctx, LU_OP_where, 3, g, out);
  }
  lu_array_release(&ri);
  lu_array_release(&ci);
  lu_array_release(&mask);
  return st;
}
/* }====================================================== */

/* {====================================================== solve, inv */
/* A's matrices as the backend's column-major work array: a plain copy is
** A^T in column-major (solve with trans), a copy with the last two axes
** swapped is A itself. Whichever reads A in memory order is taken. */
/* The GPU solvers do not promise LAPACK's NaN propagation (a NaN in A
** gave finite values on an H200), while NumPy's results for such input
** are NaN. flags: per item of the stack w (batch items of `per` elements,
** contiguous), the largest of its real numbers (a complex item's real and
** imaginary parts), as (batch,1): NaN exactly where the item holds a NaN,
** since max propagates it. One pass over w, taken before the solver
** overwrites it (NaN != NaN, then a sum, took two passes and a bool array
** the size of w). */
static int nan_flags(lu_ctx *ctx, lu_array *flags, const lu_array *w, int64_t batch,
                      int64_t per) {
  lu_array v, r;
  int64_t shape[2];
  int st;
  shape[0] = batch;
  shape[1] = per;
  flags->buf = NULL;
  if ((st = lu_reshape(ctx, &v, w, 2, shape)) != LU_OK) return st;
  if (lu_dtype_kind(w->dtype) == 'c') {
    st = lu_view_dtype(ctx, &r, &v, w->dtype == LU_COMPLEX64 ? LU_FLOAT32 : LU_FLOAT64);
    lu_array_release(&v);
    if (st != LU_OK) return st;
    v = r;
  }
  st = lu_la_red(ctx, LU_RED_max, flags, &v, 1, 1);
  lu_array_release(&v);
  return st;
}

/* x (batch items of `per` elements, contiguous) with every element of the
** items whose flag is NaN set to NaN, in place of *x */
static int nan_items(lu_ctx *ctx, lu_array *x, const lu_array *flags, int64_t batch,
                     int64_t per) {
  lu_array v, c, r, back;
  int64_t shape[2];
  int st;
  shape[0] = batch;
  shape[1] = per;
  if ((st = lu_reshape(ctx, &v, x, 2, shape)) != LU_OK) return st;
  st = lu_la_ew2(ctx, LU_OP_not_equal, &c, flags, flags);
  if (st == LU_OK) {
    st = lu_la_where(ctx, &r, &c, NULL, NAN, &v, 0.0);
    lu_array_release(&c);
  }
  lu_array_release(&v);
  if (st != LU_OK) return st;
  st = lu_reshape(ctx, &back, &r, x->ndim, x->shape);
  lu_array_release(&r);
  if (st != LU_OK) return st;
  lu_array_release(x);
  *x = back;
  return LU_OK;
}

static int square_work(lu_ctx *ctx, lu_array *w, const lu_array *a, lu_dtype dt,
                       const lu_lastack *s, int *trans) {
  int item = lu_array_itemsize(a);
  int colmajor = a->strides[a->ndim - 2] == item && a->strides[a->ndim - 1] != item &&
                 a->shape[a->ndim - 1] > 1;
  *trans = !colmajor;
  return work_copy(ctx, w, a, dt, s, 2, colmajor);
}

int lu_linalg_solve(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  const char *name = "linalg.solve";
  lu_array wa, wb, nans;
  lu_lastack s;
  lu_dtype dta, dtb, dt;
  const lu_array *ops[2];
  lu_array bv_a, bv_b;
  int64_t n, k;
  int vec, st, trans, nd, i, small, direct;
  char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
  lu_la_call c;

  lu_check_in(a);
  lu_check_in(b);
  out->buf = NULL;
  if ((st = lu_la_samedev(ctx, name, a, b)) != LU_OK) return st;
  if ((st = lu_la_square(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dta)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, b->dtype, &dtb)) != LU_OK) return st;
  dt = lu_promote(dta, dtb);
  n = a->shape[a->ndim - 1];
  if (b->ndim == 0)
    return lu_seterr(ctx, LU_EARG, "%s: b must be at least one-dimensional", name);
  vec = b->ndim == 1;
  if (b->shape[b->ndim - (vec ? 1 : 2)] != n)
    return lu_seterr(ctx, LU_ESHAPE, "%s: a of shape %s and b of shape %s do not match: b "
                     "needs %lld %s", name, lu_shape_str(a->ndim, a->shape, s1, sizeof s1),
                     lu_shape_str(b->ndim, b->shape, s2, sizeof s2), (long long)n,
                     vec ? "elements" : "rows");
  k = vec ? 1 : b->shape[b->ndim - 1];

  /* the batch: a's leading axes broadcast with b's */
  lu_la_stack(&s, a, 2);
  if (!vec) {
    bv_a = *a; bv_a.ndim = a->ndim - 2;
    bv_b = *b; bv_b.ndim = b->ndim - 2;
    ops[0] = &bv_a;
    ops[1] = &bv_b;
    if ((st = lu_broadcast_named(ctx, name, 2, ops, &nd, s.bshape)) != LU_OK) return st;
    s.nb = nd;
    for (s.batch = 1, i = 0; i < nd; i++) s.batch *= s.bshape[i];
  }
  if (s.batch == 0 || n == 0 || k == 0)
    return stack_empty(ctx, out, dt, &s, vec ? 1 : 2, n, k, lu_array_device(a));

  wa.buf = wb.buf = nans.buf = NULL;
  small = small_solver(ctx, lu_array_device(a), dt, n, k);
  direct = small && small_direct(a, dt, &s);
  if (direct) trans = 1;   /* a row-major: its column-major read is a^T */
  else if ((st = square_work(ctx, &wa, a, dt, &s, &trans)) != LU_OK) return st;
  /* b column-major: its matrices transposed in memory; a vector as it is */
  st = work_copy(ctx, &wb, b, dt, &s, vec ? 1 : 2, !vec);
  if (st == LU_OK) {
    const lu_array *ra = direct ? a : &wa;
    call_init(&c, LU_LA_SOLVE, dt, s.batch, n, n, lu_array_device(a));
    c.nrhs = k;
    c.a = lu_array_data(ra);
    c.b = lu_array_data(&wb);
    c.trans = trans;
    lu_check_contig(ra, s.batch * n * n, (int)dt, c.dev);
    lu_check_contig(&wb, s.batch * n * k, (int)dt, c.dev);
    if (c.dev.type != LU_DEV_CPU && !small) st = nan_flags(ctx, &nans, &wa, s.batch, n * n);
    if (st == LU_OK) st = la_run(ctx, name, &c, s.nb > 0, 1, NULL, small);
    if (st == LU_OK && nans.buf != NULL) st = nan_items(ctx, &wb, &nans, s.batch, n * k);
  }
  lu_array_release(&nans);
  lu_array_release(&wa);
  if (st != LU_OK) { lu_array_release(&wb); return st; }
  if (vec) { *out = wb; return LU_OK; }
  lu_la_swapped(out, &wb);
  lu_array_release(&wb);
  return LU_OK;
}

/* The backend's work array is A^T in column-major, so it solves
** A^T Y = I: Y = A^-T, which read row-major is A^-1. */
int lu_la_inv(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a, int lenient) {
  lu_array wa, wb, nans;
  lu_lastack s;
  lu_dtype dt;
  int64_t n, k;
  int st, small, direct, *info = NULL;
  lu_la_call c;
  lu_check_in(a);
  out->buf = NULL;
  if ((st = lu_la_square(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dt)) != LU_OK) return st;
  n = a->shape[a->ndim - 1];
  lu_la_stack(&s, a, 2);
  if (s.batch == 0 || n == 0) return stack_empty(ctx, out, dt, &s, 2, n, n, lu_array_device(a));
  wa.buf = wb.buf = nans.buf = NULL;
  small = small_solver(ctx, lu_array_device(a), dt, n, n);
  direct = small && small_direct(a, dt, &s);
  st = direct ? LU_OK : work_copy(ctx, &wa, a, dt, &s, 2, 0);
  if (st == LU_OK) {   /* b: I on entry, but for the small solver, which does not read it */
    st = small ? stack_empty(ctx, &wb, dt, &s, 2, n, n, lu_array_device(a))
               : stack_eye(ctx, &wb, dt, &s, n, lu_array_device(a));
  }
  if (st == LU_OK) {
    const lu_array *ra = direct ? a : &wa;
    call_init(&c, LU_LA_INV, dt, s.batch, n, n, lu_array_device(a));
    c.nrhs = n;
    c.a = lu_array_data(ra);
    c.b = lu_array_data(&wb);
    lu_check_contig(ra, s.batch * n * n, (int)dt, c.dev);
    lu_check_contig(&wb, s.batch * n * n, (int)dt, c.dev);
    if (c.dev.type != LU_DEV_CPU && !small) st = nan_flags(ctx, &nans, &wa, s.batch, n * n);
    if (st == LU_OK)
      st = la_run(ctx, name, &c, s.nb > 0, !lenient, lenient ? &info : NULL, small);
    if (st == LU_OK && nans.buf != NULL) st = nan_items(ctx, &wb, &nans, s.batch, n * n);
  }
  for (k = 0; st == LU_OK && info != NULL && k < s.batch; k++)
    if (info[k] > 0) st = fill_item(ctx, &wb, 2, k, NAN);
  free(info);
  lu_array_release(&nans);
  lu_array_release(&wa);
  if (st != LU_OK) { lu_array_release(&wb); return st; }
  *out = wb;
  return LU_OK;
}

int lu_linalg_inv(lu_ctx *ctx, lu_array *out, const lu_array *a) {
  return lu_la_inv(ctx, "linalg.inv", out, a, 0);
}
/* }====================================================== */

/* {====================================================== det, slogdet */
/* sign and log|det| from the LU factors, as NumPy computes them: the sign
** is the parity of the row swaps times the signs of U's diagonal; a zero
** pivot gives sign 0 and log|det| -inf. det is sign * exp(log|det|). For
** complex matrices the sign is a phase, log|det| real (NumPy's dtypes). */
static int lu_logdet(lu_ctx *ctx, const char *name, const lu_array *a, lu_array *sign,
                     lu_array *logabs) {
  lu_array w, piv, d, t[8], nans;
  lu_lastack s;
  lu_dtype dt;
  int64_t n;
  int st, i, cplx;
  lu_la_call c;
  lu_check_in(a);
  sign->buf = logabs->buf = NULL;
  if ((st = lu_la_square(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dt)) != LU_OK) return st;
  cplx = lu_dtype_kind(dt) == 'c';
  n = a->shape[a->ndim - 1];
  lu_la_stack(&s, a, 2);
  if (s.batch == 0 || n == 0) {
    st = stack_full(ctx, sign, dt, &s, 0, 0, 0, lu_array_device(a), 1.0);
    if (st == LU_OK) st = stack_full(ctx, logabs, lu_real_of(dt), &s, 0, 0, 0, lu_array_device(a), 0.0);
    if (st != LU_OK) lu_array_release(sign);
    return st;
  }
  w.buf = piv.buf = d.buf = nans.buf = NULL;
  for (i = 0; i < 8; i++) t[i].buf = NULL;
  st = work_copy(ctx, &w, a, dt, &s, 2, 0);
  if (st == LU_OK && lu_array_device(a).type != LU_DEV_CPU)
    st = nan_flags(ctx, &nans, &w, s.batch, n * n);
  if (st == LU_OK) st = stack_empty(ctx, &piv, LU_INT64, &s, 1, n, 0, lu_array_device(a));
  if (st == LU_OK) {
    call_init(&c, LU_LA_LU, dt, s.batch, n, n, lu_array_device(a));
    c.a = lu_array_data(&w);
    c.ipiv = (int64_t *)lu_array_data(&piv);
    lu_check_contig(&w, s.batch * n * n, (int)dt, c.dev);
    lu_check_contig(&piv, s.batch * n, LU_INT64, c.dev);
    st = lapack(ctx, name, &c, s.nb > 0, 0, NULL);
  }
  if (st == LU_OK) {
    /* U's diagonal as a view: (batch..., n) with stride (n + 1) elements */
    lu_array_share(&d, &w);
    d.ndim = s.nb + 1;
    d.shape[s.nb] = n;
    d.strides[s.nb] = w.strides[s.nb] + w.strides[s.nb + 1];
    lu_array_update(&d);
    /* t0 = 1..n; t1 = swaps per matrix; t2 = negative pivots per matrix */
    st = lu_arange(ctx, &t[0], 1, (double)n + 1, 1, LU_INT64, lu_array_device(a));
  }
  if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_not_equal, &t[1], &piv, &t[0]);
  if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, &t[2], &t[1], -1, 0);
  if (st == LU_OK && cplx) {
    /* no sign changes counted here: the phases multiply in below */
    lu_array_release(&t[4]);
    st = lu_la_ews(ctx, LU_OP_multiply, &t[4], &t[2], 0.0);
  } else {
    if (st == LU_OK) st = lu_la_ews(ctx, LU_OP_less, &t[3], &d, 0.0);
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, &t[4], &t[3], -1, 0);
  }
  if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_add, &t[5], &t[2], &t[4]);
  if (st == LU_OK) { lu_array_release(&t[1]); st = lu_la_ews(ctx, LU_OP_mod, &t[1], &t[5], 2.0); }
  /* sign = 1 - 2 * parity, in dt (the float parity keeps dt) */
  if (st == LU_OK) { lu_array_release(&t[3]); st = lu_astype(ctx, &t[3], &t[1], dt); }
  if (st == LU_OK) { lu_array_release(&t[5]); st = lu_la_ews(ctx, LU_OP_multiply, &t[5], &t[3], -2.0); }
  if (st == LU_OK) { lu_array_release(&t[2]); st = lu_la_ews(ctx, LU_OP_add, &t[2], &t[5], 1.0); }
  if (st == LU_OK && cplx) {
    /* complex: the parity's sign times the product of the pivots' phases
    ** d / |d| (a zero pivot's NaN is replaced below) */
    lu_array ad, ph, pp;
    ad.buf = ph.buf = pp.buf = NULL;
    st = lu_la_ew1(ctx, LU_OP_abs, &ad, &d);
    if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_divide, &ph, &d, &ad);
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_prod, &pp, &ph, -1, 0);
    if (st == LU_OK) { lu_array_release(&t[5]); st = lu_la_ew2(ctx, LU_OP_multiply, &t[5], &t[2], &pp); }
    if (st == LU_OK) { lu_array_release(&t[2]); t[2] = t[5]; t[5].buf = NULL; }
    lu_array_release(&ad);
    lu_array_release(&ph);
    lu_array_release(&pp);
  }
  /* a zero pivot: sign 0, log|det| -inf */
  if (st == LU_OK) { lu_array_release(&t[1]); st = lu_la_ews(ctx, LU_OP_equal, &t[1], &d, 0.0); }
  if (st == LU_OK) { lu_array_release(&t[4]); st = lu_la_red(ctx, LU_RED_any, &t[4], &t[1], -1, 0); }
  if (st == LU_OK) st = lu_la_where(ctx, sign, &t[4], NULL, 0.0, &t[2], 0);
  if (st == LU_OK) { lu_array_release(&t[3]); st = lu_la_ew1(ctx, LU_OP_abs, &t[3], &d); }
  if (st == LU_OK) { lu_array_release(&t[5]); st = lu_la_ew1(ctx, LU_OP_log, &t[5], &t[3]); }
  if (st == LU_OK) { lu_array_release(&t[6]); st = lu_la_red(ctx, LU_RED_sum, &t[6], &t[5], -1, 0); }
  if (st == LU_OK) st = lu_la_where(ctx, logabs, &t[4], NULL, -INFINITY, &t[6], 0);
  if (st == LU_OK && nans.buf != NULL) st = nan_items(ctx, sign, &nans, s.batch, 1);
  if (st == LU_OK && nans.buf != NULL) st = nan_items(ctx, logabs, &nans, s.batch, 1);
  lu_array_release(&nans);
  release_all(t, 8);
  lu_array_release(&d);
  lu_array_release(&piv);
  lu_array_release(&w);
  if (st != LU_OK) { lu_array_release(sign); lu_array_release(logabs); }
  return st;
}

int lu_linalg_slogdet(lu_ctx *ctx, lu_array *sign, lu_array *logabsdet, const lu_array *a) {
  return lu_logdet(ctx, "linalg.slogdet", a, sign, logabsdet);
}

int lu_linalg_det(lu_ctx *ctx, lu_array *out, const lu_array *a) {
  lu_array sign, la, e;
  int st = lu_logdet(ctx, "linalg.det", a, &sign, &la);
  out->buf = NULL;
  if (st != LU_OK) return st;
  st = lu_la_ew1(ctx, LU_OP_exp, &e, &la);
  if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_multiply, out, &sign, &e);
  lu_array_release(&e);
  lu_array_release(&sign);
  lu_array_release(&la);
  return st;
}
/* }====================================================== */

/* {====================================================== cholesky */
/* NumPy reads A's lower triangle (upper=False) or upper one. The plain
** copy is A^T in column-major, whose upper triangle is A's lower one: the
** backend factors that triangle (U^T U) in place, and U^T read row-major
** is NumPy's L. The other triangle still holds input, so it is cleared.
** On a GPU the copy with swapped axes (A itself in column-major) is
** factored instead, the same triangle as NumPy's, and the result read
** through swapped axes. PyTorch, which factors the lower triangle of a
** column-major copy so, took 8.8 ms for 8192 float64 on an H100, where
** lunar and CuPy, factoring the upper triangle of the plain copy, took
** 15.1 and 14.7; on an H200 the swapped copy took 8.45 ms, the plain
** 14.67.
** LUNAR_CHOLESKY_COPY=plain or swapped takes one on every device (the
** spec runs the CPU's LAPACK both ways). */
static int chol_swapped(lu_device dev) {
  static int mode = -1;   /* 0 by device, 1 plain, 2 swapped */
  if (mode < 0) {
    const char *e = getenv("LUNAR_CHOLESKY_COPY");
    mode = e == NULL ? 0 : strcmp(e, "plain") == 0 ? 1 : strcmp(e, "swapped") == 0 ? 2 : 0;
  }
  return mode == 2 || (mode == 0 && dev.type != LU_DEV_CPU);
}

int lu_linalg_cholesky(lu_ctx *ctx, lu_array *out, const lu_array *a, int upper) {
  const char *name = "linalg.cholesky";
  lu_array w, v;
  lu_lastack s;
  lu_dtype dt;
  int64_t n;
  int st, swapped;
  lu_la_call c;
  lu_check_in(a);
  out->buf = NULL;
  if ((st = lu_la_square(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dt)) != LU_OK) return st;
  n = a->shape[a->ndim - 1];
  lu_la_stack(&s, a, 2);
  if (s.batch == 0 || n == 0) return stack_empty(ctx, out, dt, &s, 2, n, n, lu_array_device(a));
  swapped = chol_swapped(lu_array_device(a));
  if ((st = work_copy(ctx, &w, a, dt, &s, 2, swapped)) != LU_OK) return st;
  call_init(&c, LU_LA_CHOLESKY, dt, s.batch, n, n, lu_array_device(a));
  c.a = lu_array_data(&w);
  c.upper = swapped ? upper : !upper;
  lu_check_contig(&w, s.batch * n * n, (int)dt, c.dev);
  st = lapack(ctx, name, &c, s.nb > 0, 1, NULL);
  if (st == LU_OK && swapped) {   /* the factor read row-major, into a new array */
    lu_la_swapped(&v, &w);
    st = triangle(ctx, out, &v, !upper, 0);
    lu_array_release(&v);
  } else if (st == LU_OK) {
    st = triangle(ctx, &w, &w, !upper, 0);   /* in place */
    if (st == LU_OK) { *out = w; return LU_OK; }
  }
  lu_array_release(&w);
  return st;
}
/* }====================================================== */

/* {====================================================== qr */
/* The backend factors A in column-major (the copy with swapped axes, of
** shape (..., n, m)); af is its view as (..., m, n). R is af's upper
** triangle; Q comes from orgqr on the reflectors, in place when Q has A's
** shape (m >= n, reduced), else in a new (..., ncols, m) array. */
static int qr_empty(lu_ctx *ctx, lu_array *q, lu_array *r, const lu_lastack *s, lu_dtype dt,
                    int64_t m, int64_t n, int mode, lu_device dev) {
  int64_t k = m < n ? m : n;
  int st;
  switch (mode) {
  case 'w':   /* raw: h (n, m), tau (k) */
    st = stack_full(ctx, q, dt, s, 2, n, m, dev, 0.0);
    if (st == LU_OK && (st = stack_full(ctx, r, dt, s, 1, k, 0, dev, 0.0)) != LU_OK)
      lu_array_release(q);
    return st;
  case 'r':
    return stack_full(ctx, r, dt, s, 2, k, n, dev, 0.0);
  case 'c':
    st = stack_eye(ctx, q, dt, s, m, dev);
    if (st == LU_OK && (st = stack_full(ctx, r, dt, s, 2, m, n, dev, 0.0)) != LU_OK)
      lu_array_release(q);
    return st;
  default:
    st = stack_full(ctx, q, dt, s, 2, m, k, dev, 0.0);
    if (st == LU_OK && (st = stack_full(ctx, r, dt, s, 2, k, n, dev, 0.0)) != LU_OK)
      lu_array_release(q);
    return st;
  }
}

int lu_linalg_qr(lu_ctx *ctx, lu_array *q, lu_array *r, const lu_array *a, const char *mode_s) {
  const char *name = "linalg.qr";
  lu_array w, tau, af, top, wq;
  lu_lastack s;
  lu_dtype dt;
  int64_t m, n, k, ncols;
  int st, mode;
  lu_device dev;
  lu_la_call c;
  lu_check_in(a);
  q->buf = r->buf = NULL;
  if (strcmp(mode_s, "reduced") == 0) mode = 'e';
  else if (strcmp(mode_s, "complete") == 0) mode = 'c';
  else if (strcmp(mode_s, "r") == 0) mode = 'r';
  else if (strcmp(mode_s, "raw") == 0) mode = 'w';
  else
    return lu_seterr(ctx, LU_EARG, "%s: unrecognized mode '%s' (\"reduced\", \"complete\", "
                     "\"r\" or \"raw\")", name, mode_s);
  if ((st = lu_la_matrix(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dt)) != LU_OK) return st;
  m = a->shape[a->ndim - 2];
  n = a->shape[a->ndim - 1];
  k = m < n ? m : n;
  dev = lu_array_device(a);
  lu_la_stack(&s, a, 2);
  if (s.batch == 0 || k == 0) return qr_empty(ctx, q, r, &s, dt, m, n, mode, dev);

  w.buf = tau.buf = af.buf = top.buf = wq.buf = NULL;
  st = work_copy(ctx, &w, a, dt, &s, 2, 1);
  if (st == LU_OK) st = stack_empty(ctx, &tau, dt, &s, 1, k, 0, dev);
  if (st == LU_OK) {
    call_init(&c, LU_LA_QR, dt, s.batch, m, n, dev);
    c.a = lu_array_data(&w);
    c.s = lu_array_data(&tau);
    lu_check_contig(&w, s.batch * m * n, (int)dt, dev);
    lu_check_contig(&tau, s.batch * k, (int)dt, dev);
    st = lapack(ctx, name, &c, s.nb > 0, 1, NULL);
  }
  if (st != LU_OK) goto done;
  if (mode == 'w') {
    *q = w;
    *r = tau;
    return LU_OK;
  }
  lu_la_swapped(&af, &w);
  /* R: the upper triangle of af's first k rows (all m rows when complete) */
  if (mode == 'c') st = triangle(ctx, r, &af, 0, 0);
  else if ((st = lu_slice(ctx, &top, &af, af.ndim - 2, 0, k, 1)) == LU_OK)
    st = triangle(ctx, r, &top, 0, 0);
  if (st != LU_OK || mode == 'r') goto done;

  ncols = mode == 'c' ? m : k;
  if (ncols == n) {
    lu_array_share(&wq, &w);
  } else if (ncols < n) {
    /* wide A: Q is m x m from the first m reflectors (w's first m rows) */
    lu_array v;
    if ((st = lu_slice(ctx, &v, &w, w.ndim - 2, 0, m, 1)) == LU_OK) {
      st = lu_copy(ctx, &wq, &v);
      lu_array_release(&v);
    }
  } else {
    /* complete Q of a tall A: an m x m work array, reflectors first */
    lu_array v;
    lu_arg g = lu_arg_array(&w);
    st = stack_full(ctx, &wq, dt, &s, 2, m, m, dev, 0.0);
    if (st == LU_OK && (st = lu_slice(ctx, &v, &wq, wq.ndim - 2, 0, n, 1)) == LU_OK) {
      st = lu_assign(ctx, &v, &g);
      lu_array_release(&v);
    }
  }
  if (st == LU_OK) {
    call_init(&c, LU_LA_ORGQR, dt, s.batch, m, ncols, dev);
    c.nrhs = k;
    c.a = lu_array_data(&wq);
    c.s = lu_array_data(&tau);
    lu_check_contig(&wq, s.batch * m * ncols, (int)dt, dev);
    st = lapack(ctx, name, &c, s.nb > 0, 1, NULL);
  }
  if (st == LU_OK) lu_la_swapped(q, &wq);
done:
  lu_array_release(&wq);
  lu_array_release(&top);
  lu_array_release(&af);
  lu_array_release(&tau);
  lu_array_release(&w);
  if (st != LU_OK) { lu_array_release(q); lu_array_release(r); }
  return st;
}
/* }====================================================== */

/* {====================================================== svd */
/* The backend wants a tall column-major matrix (m >= n) and gives U and V
** (conj(V) for complex dtypes: V^H read row-major) column-major. For a tall
** A that is the swapped copy (A itself): U comes back as a transpose view
** and V read row-major is Vh. For a wide A it is the plain copy (A^T =
** U' S V'^H), and A = conj(V') S U'^T: U is the transpose view of conj(V'),
** Vh is U' read row-major. No conjugation anywhere. */
static int svd_empty(lu_ctx *ctx, lu_array *u, lu_array *sv, lu_array *vh, const lu_lastack *s,
                     lu_dtype dt, int64_t m, int64_t n, int full, int uv, lu_device dev) {
  int64_t k = m < n ? m : n;
  int st = stack_full(ctx, sv, lu_real_of(dt), s, 1, k, 0, dev, 0.0);
  if (st != LU_OK || !uv) return st;
  if (full) st = stack_eye(ctx, u, dt, s, m, dev);
  else st = stack_full(ctx, u, dt, s, 2, m, k, dev, 0.0);
  if (st == LU_OK) {
    if (full) st = stack_eye(ctx, vh, dt, s, n, dev);
    else st = stack_full(ctx, vh, dt, s, 2, k, n, dev, 0.0);
    if (st != LU_OK) lu_array_release(u);
  }
  if (st != LU_OK) lu_array_release(sv);
  return st;
}

int lu_la_svd(lu_ctx *ctx, const char *name, lu_array *u, lu_array *sv, lu_array *vh,
              const lu_array *a, int full, int uv) {
  lu_array w, wu, wv;
  lu_lastack s;
  lu_dtype dt;
  int64_t m, n, p, q, ucols, nbad;
  unsigned char *bad = NULL;
  int st, tall;
  lu_device dev;
  lu_la_call c;
  lu_check_in(a);
  sv->buf = NULL;
  if (uv) u->buf = vh->buf = NULL;
  if ((st = lu_la_matrix(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dt)) != LU_OK) return st;
  m = a->shape[a->ndim - 2];
  n = a->shape[a->ndim - 1];
  dev = lu_array_device(a);
  lu_la_stack(&s, a, 2);
  if (s.batch == 0 || m == 0 || n == 0)
    return svd_empty(ctx, u, sv, vh, &s, dt, m, n, full, uv, dev);
  tall = m >= n;
  p = tall ? m : n;
  q = tall ? n : m;
  ucols = full ? p : q;
  w.buf = wu.buf = wv.buf = NULL;
  if ((st = work_copy(ctx, &w, a, dt, &s, 2, tall)) != LU_OK) return st;
  st = nonfinite_items(ctx, &w, s.batch, m * n, &bad, &nbad);
  if (st == LU_OK && nbad > 0) {
    int64_t k = 0;
    while (!bad[k]) k++;
    st = s.nb > 0 ? lu_seterr(ctx, LU_EARG, "%s: SVD did not converge (batch item %lld)", name,
                              (long long)k + 1)
                  : lu_seterr(ctx, LU_EARG, "%s: SVD did not converge", name);
  }
  free(bad);
  if (st == LU_OK) st = stack_empty(ctx, sv, lu_real_of(dt), &s, 1, q, 0, dev);
  if (st == LU_OK && uv) st = stack_empty(ctx, &wu, dt, &s, 2, ucols, p, dev);
  if (st == LU_OK && uv) st = stack_empty(ctx, &wv, dt, &s, 2, q, q, dev);
  if (st == LU_OK) {
    call_init(&c, LU_LA_SVD, dt, s.batch, p, q, dev);
    c.a = lu_array_data(&w);
    c.s = lu_array_data(sv);
    c.jobs = uv ? (full ? 2 : 1) : 0;
    if (uv) {
      c.u = lu_array_data(&wu);
      c.v = lu_array_data(&wv);
      lu_check_contig(&wu, s.batch * ucols * p, (int)dt, dev);
      lu_check_contig(&wv, s.batch * q * q, (int)dt, dev);
    }
    lu_check_contig(&w, s.batch * p * q, (int)dt, dev);
    lu_check_contig(sv, s.batch * q, (int)lu_real_of(dt), dev);
    st = lapack(ctx, name, &c, s.nb > 0, 1, NULL);
  }
  lu_array_release(&w);
  if (st == LU_OK && uv) {
    if (tall) {
      lu_la_swapped(u, &wu);
      lu_array_share(vh, &wv);
    } else {
      lu_la_swapped(u, &wv);
      lu_array_share(vh, &wu);
    }
  }
  lu_array_release(&wu);
  lu_array_release(&wv);
  if (st != LU_OK) lu_array_release(sv);
  return st;
}

/* hermitian: NumPy then derives the SVD from eigh; lunar computes the
** general SVD, which gives the same singular values and a valid U, Vh. */
int lu_linalg_svd(lu_ctx *ctx, lu_array *u, lu_array *s, lu_array *vh, const lu_array *a,
                  int full_matrices, int compute_uv, int hermitian) {
  const char *name = "linalg.svd";
  int st;
  if (hermitian && a->buf != NULL && (st = lu_la_square(ctx, name, a)) != LU_OK) {
    s->buf = NULL;
    if (compute_uv) u->buf = vh->buf = NULL;
    return st;
  }
  return lu_la_svd(ctx, name, u, s, vh, a, full_matrices, compute_uv);
}

int lu_linalg_svdvals(lu_ctx *ctx, lu_array *s, const lu_array *a) {
  return lu_la_svd(ctx, "linalg.svdvals", NULL, s, NULL, a, 0, 0);
}

int lu_la_svdvals(lu_ctx *ctx, const char *name, lu_array *s, const lu_array *a) {
  return lu_la_svd(ctx, name, NULL, s, NULL, a, 0, 0);
}
/* }====================================================== */

/* {====================================================== eigh */
/* The plain copy is A^T in column-major: NumPy's UPLO "L" (A's lower
** triangle) is its upper triangle. The eigenvectors come back as columns of
** the column-major result, so v is its transpose view. A matrix holding a
** NaN or an infinity is not handed to the solver; its results are NaN. */
int lu_linalg_eigh(lu_ctx *ctx, lu_array *wv, lu_array *v, const lu_array *a, int upper) {
  const char *name = v ? "linalg.eigh" : "linalg.eigvalsh";
  lu_array w;
  lu_lastack s;
  lu_dtype dt;
  int64_t n, nbad, k;
  unsigned char *bad = NULL;
  int st;
  lu_device dev;
  lu_la_call c;
  lu_check_in(a);
  wv->buf = NULL;
  if (v) v->buf = NULL;
  if ((st = lu_la_square(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dt)) != LU_OK) return st;
  n = a->shape[a->ndim - 1];
  dev = lu_array_device(a);
  lu_la_stack(&s, a, 2);
  if (s.batch == 0 || n == 0) {
    st = stack_empty(ctx, wv, lu_real_of(dt), &s, 1, n, 0, dev);
    if (st == LU_OK && v && (st = stack_empty(ctx, v, dt, &s, 2, n, n, dev)) != LU_OK)
      lu_array_release(wv);
    return st;
  }
  if ((st = work_copy(ctx, &w, a, dt, &s, 2, 0)) != LU_OK) return st;
  st = nonfinite_items(ctx, &w, s.batch, n * n, &bad, &nbad);
  for (k = 0; st == LU_OK && nbad > 0 && k < s.batch; k++)
    if (bad[k]) st = fill_item(ctx, &w, 2, k, 0.0);
  if (st == LU_OK) st = stack_empty(ctx, wv, lu_real_of(dt), &s, 1, n, 0, dev);
  if (st == LU_OK) {
    call_init(&c, LU_LA_EIGH, dt, s.batch, n, n, dev);
    c.a = lu_array_data(&w);
    c.s = lu_array_data(wv);
    c.upper = !upper;
    c.jobs = v != NULL;
    lu_check_contig(&w, s.batch * n * n, (int)dt, dev);
    lu_check_contig(wv, s.batch * n, (int)lu_real_of(dt), dev);
    st = lapack(ctx, name, &c, s.nb > 0, 1, NULL);
  }
  if (st == LU_OK && v && lu_dtype_kind(dt) == 'c') {
    /* a Hermitian A seen as A^T = conj(A): its eigenvectors are the
    ** conjugates of A's */
    lu_arg g = lu_arg_array(&w);
    st = lu_ewise(ctx, LU_OP_conjugate, 1, &g, &w);
  }
  for (k = 0; st == LU_OK && nbad > 0 && k < s.batch; k++) {
    if (!bad[k]) continue;
    st = fill_item(ctx, wv, 1, k, NAN);
    if (st == LU_OK && v) st = fill_item(ctx, &w, 2, k, NAN);
  }
  free(bad);
  if (st == LU_OK && v) lu_la_swapped(v, &w);
  lu_array_release(&w);
  if (st != LU_OK) lu_array_release(wv);
  return st;
}
/* }====================================================== */

/* {====================================================== eig */
/* geev on the swapped copy (A itself in column-major) in A's own dtype:
** the backend gives complex eigenvalues and right eigenvectors (columns,
** read through the transpose view) for real input too, as NumPy's dgeev
** path does. A real A whose eigenvalues are all real (an imaginary part
** of exactly 0, which the real geev guarantees) gets real results, as
** NumPy gives them: that takes a look at the eigenvalues on the host. */
int lu_linalg_eig(lu_ctx *ctx, lu_array *wv, lu_array *v, const lu_array *a) {
  const char *name = v ? "linalg.eig" : "linalg.eigvals";
  lu_array w, vb, im, ne, any;
  lu_lastack s;
  lu_dtype dt, cdt;
  int64_t n, nbad;
  unsigned char *bad = NULL;
  uint8_t h_any = 0;
  int st, real_in;
  lu_device dev;
  lu_la_call c;
  lu_check_in(a);
  wv->buf = NULL;
  if (v) v->buf = NULL;
  if ((st = lu_la_square(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dt)) != LU_OK) return st;
  real_in = lu_dtype_kind(dt) != 'c';
  cdt = lu_complex_of(dt);
  n = a->shape[a->ndim - 1];
  dev = lu_array_device(a);
  lu_la_stack(&s, a, 2);
  if (s.batch == 0 || n == 0) {
    st = stack_empty(ctx, wv, dt, &s, 1, n, 0, dev);
    if (st == LU_OK && v && (st = stack_empty(ctx, v, dt, &s, 2, n, n, dev)) != LU_OK)
      lu_array_release(wv);
    return st;
  }
  w.buf = vb.buf = im.buf = ne.buf = any.buf = NULL;
  if ((st = work_copy(ctx, &w, a, dt, &s, 2, 1)) != LU_OK) return st;
  st = nonfinite_items(ctx, &w, s.batch, n * n, &bad, &nbad);
  if (st == LU_OK && nbad > 0) {
    int64_t k = 0;
    while (!bad[k]) k++;
    st = s.nb > 0 ? lu_seterr(ctx, LU_EARG, "%s: eigenvalues did not converge (batch item %lld)",
                              name, (long long)k + 1)
                  : lu_seterr(ctx, LU_EARG, "%s: eigenvalues did not converge", name);
  }
  free(bad);
  if (st == LU_OK) st = stack_empty(ctx, wv, cdt, &s, 1, n, 0, dev);
  if (st == LU_OK && v) st = stack_empty(ctx, &vb, cdt, &s, 2, n, n, dev);
  if (st == LU_OK) {
    call_init(&c, LU_LA_EIG, dt, s.batch, n, n, dev);
    c.a = lu_array_data(&w);
    c.s = lu_array_data(wv);
    c.jobs = v != NULL;
    if (v) c.v = lu_array_data(&vb);
    lu_check_contig(&w, s.batch * n * n, (int)dt, dev);
    lu_check_contig(wv, s.batch * n, (int)cdt, dev);
    st = lapack(ctx, name, &c, s.nb > 0, 1, NULL);
  }
  lu_array_release(&w);
  if (st == LU_OK && v) lu_la_swapped(v, &vb);
  lu_array_release(&vb);
  /* a real A with real eigenvalues: real results */
  if (st == LU_OK && real_in) {
    st = lu_complex_part(ctx, &im, wv, 1);
    if (st == LU_OK) st = lu_la_ews(ctx, LU_OP_not_equal, &ne, &im, 0.0);
    if (st == LU_OK) st = lu_reduce(ctx, &any, LU_RED_any, &ne, LU_ALLAXES, 0, 0);
    if (st == LU_OK) st = lu_to_host(ctx, &any, &h_any);
    if (st == LU_OK && !h_any) {
      lu_array re, t;
      re.buf = t.buf = NULL;
      if ((st = lu_complex_part(ctx, &re, wv, 0)) == LU_OK && (st = lu_astype(ctx, &t, &re, dt)) == LU_OK) {
        lu_array_release(wv);
        *wv = t;
      }
      lu_array_release(&re);
      if (st == LU_OK && v) {
        if ((st = lu_complex_part(ctx, &re, v, 0)) == LU_OK && (st = lu_astype(ctx, &t, &re, dt)) == LU_OK) {
          lu_array_release(v);
          *v = t;
        }
        lu_array_release(&re);
      }
    }
  }
  lu_array_release(&im);
  lu_array_release(&ne);
  lu_array_release(&any);
  if (st != LU_OK) { lu_array_release(wv); if (v) lu_array_release(v); }
  return st;
}
/* }====================================================== */
