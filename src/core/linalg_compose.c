/* SPDX-License-Identifier: MIT */
/*
** lunar.linalg, the functions composed from the factorizations of
** linalg.c and the elementwise, reduction and matmul ops: norm,
** vector_norm, cond, matrix_rank, pinv, lstsq, matrix_power, multi_dot,
** tensorsolve and tensorinv. Each follows NumPy 2's numpy/linalg code step
** by step (the same formulas, cut-offs and special cases), so that results
** and errors match.
**
** Where a decision depends on tiny singular values (the rank cut-offs of
** matrix_rank, pinv and lstsq, the inverse inside cond) the work is done
** in float64 and the result rounded to float32 for float32 input, as NumPy
** does for all of linalg: a float32 SVD would put the singular values of a
** rank-deficient matrix far above NumPy's float64-based cut-offs.
*/
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lu_linalg.h"
#include "lu_hostmem.h"

/* {====================================================== helpers */
static int is_complex(const lu_array *x) { return lu_dtype_kind(x->dtype) == 'c'; }

/* x as the array norm works on: floats and complex as they are, others
** float64 */
static int as_float(lu_ctx *ctx, lu_array *out, const lu_array *x) {
  char k = lu_dtype_kind(x->dtype);
  if (k == 'f' || k == 'c') { lu_array_share(out, x); return LU_OK; }
  return lu_astype(ctx, out, x, LU_FLOAT64);
}

/* x in float64, or complex128 when complex: NumPy's computing dtypes */
static int as_f64(lu_ctx *ctx, lu_array *out, const lu_array *x) {
  lu_dtype w = is_complex(x) ? LU_COMPLEX128 : LU_FLOAT64;
  if (x->dtype == w) { lu_array_share(out, x); return LU_OK; }
  return lu_astype(ctx, out, x, w);
}

/* x^H of a stack (the transpose view, conjugated when complex) */
static int adjoint(lu_ctx *ctx, lu_array *out, const lu_array *x) {
  lu_array t;
  int st;
  lu_la_swapped(&t, x);
  if (!is_complex(x)) { *out = t; return LU_OK; }
  st = lu_la_ew1(ctx, LU_OP_conjugate, out, &t);
  lu_array_release(&t);
  return st;
}

/* |x|^2 elementwise, real: x * x, or |x| * |x| for complex */
static int abs2(lu_ctx *ctx, lu_array *out, const lu_array *x) {
  lu_array a;
  int st;
  if (!is_complex(x)) return lu_la_ew2(ctx, LU_OP_multiply, out, x, x);
  if ((st = lu_la_ew1(ctx, LU_OP_abs, &a, x)) != LU_OK) return st;
  st = lu_la_ew2(ctx, LU_OP_multiply, out, &a, &a);
  lu_array_release(&a);
  return st;
}

/* out replaced by out converted to dt (no copy when it already is) */
static int cast_to(lu_ctx *ctx, lu_array *out, lu_dtype dt) {
  lu_array t;
  int st;
  if (out->dtype == dt) return LU_OK;
  st = lu_astype(ctx, &t, out, dt);
  lu_array_release(out);
  if (st == LU_OK) *out = t;
  return st;
}

/* s / x with a weak float s */
static int rdiv(lu_ctx *ctx, lu_array *out, double s, const lu_array *x) {
  lu_arg g[2];
  g[0] = lu_arg_float(s);
  g[1] = lu_arg_array(x);
  out->buf = NULL;
  return lu_ewise(ctx, LU_OP_divide, 2, g, out);
}

/* A reshape of *x in place (the new array replaces the old reference). */
static int reshape_to(lu_ctx *ctx, lu_array *x, int nd, const int64_t *shape) {
  lu_array t;
  int st = lu_reshape(ctx, &t, x, nd, shape);
  lu_array_release(x);
  if (st == LU_OK) *x = t;
  return st;
}

/* Axis k of a along the last axis (a view of one element per row). */
static int last_item(lu_ctx *ctx, lu_array *out, const lu_array *a, int64_t k) {
  if (k < 0) k += a->shape[a->ndim - 1];
  return lu_take_index(ctx, out, a, a->ndim - 1, k);
}

static int norm_axis(lu_ctx *ctx, const char *name, int ax, int nd, int *out) {
  if (ax < 0) ax += nd;
  if (ax < 0 || ax >= nd)
    return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                     name, ax < 0 ? ax - nd : ax + 1, nd);
  *out = ax;
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== norms */
static int vnorm(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *x, lu_normord o,
                 int axis, int keepdims) {
  lu_array t1, t2;
  double p = o.p;
  int st;
  t1.buf = t2.buf = NULL;
  out->buf = NULL;
  if (o.kind == LU_ORD_FRO || o.kind == LU_ORD_NUC)
    return lu_seterr(ctx, LU_EARG, "%s: invalid norm order '%s' for vectors", name,
                     o.kind == LU_ORD_FRO ? "fro" : "nuc");
  if (o.kind == LU_ORD_NONE || p == 2) {
    st = abs2(ctx, &t1, x);
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, &t2, &t1, axis, keepdims);
    if (st == LU_OK) st = lu_la_ew1(ctx, LU_OP_sqrt, out, &t2);
  } else if (p == INFINITY || p == -INFINITY || p == 1) {
    st = lu_la_ew1(ctx, LU_OP_abs, &t1, x);
    if (st == LU_OK)
      st = lu_la_red(ctx, p == 1 ? LU_RED_sum : p > 0 ? LU_RED_max : LU_RED_min, out, &t1, axis,
                     keepdims);
  } else if (p == 0) {
    st = lu_la_ews(ctx, LU_OP_not_equal, &t1, x, 0.0);
    if (st == LU_OK) st = lu_astype(ctx, &t2, &t1, lu_real_of(x->dtype));
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, out, &t2, axis, keepdims);
  } else {
    lu_array t3;
    t3.buf = NULL;
    st = lu_la_ew1(ctx, LU_OP_abs, &t1, x);
    if (st == LU_OK) st = lu_la_ews(ctx, LU_OP_power, &t2, &t1, p);
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, &t3, &t2, axis, keepdims);
    if (st == LU_OK) st = lu_la_ews(ctx, LU_OP_power, out, &t3, 1.0 / p);
    lu_array_release(&t3);
  }
  lu_array_release(&t1);
  lu_array_release(&t2);
  return st;
}

/* The singular values of x's matrices over (row, col), reduced by red. */
static int svd_norm(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *x, int row,
                    int col, int red) {
  int perm[LU_MAXDIM], i, k = 0, st;
  lu_array y, s;
  for (i = 0; i < x->ndim; i++)
    if (i != row && i != col) perm[k++] = i;
  perm[k++] = row;
  perm[k++] = col;
  if ((st = lu_transpose(ctx, &y, x, perm)) != LU_OK) return st;
  st = lu_la_svdvals(ctx, name, &s, &y);
  lu_array_release(&y);
  if (st != LU_OK) return st;
  st = lu_la_red(ctx, red, out, &s, -1, 0);
  lu_array_release(&s);
  return st;
}

static int mnorm(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *x, lu_normord o,
                 int row, int col, int keepdims) {
  lu_array t1, t2;
  double p = o.p;
  int st;
  t1.buf = t2.buf = NULL;
  out->buf = NULL;
  if (row == col) return lu_seterr(ctx, LU_EARG, "%s: duplicate axes given", name);
  if (o.kind == LU_ORD_NUC || (o.kind == LU_ORD_P && (p == 2 || p == -2))) {
    st = svd_norm(ctx, name, out, x, row, col,
                  o.kind == LU_ORD_NUC ? LU_RED_sum : p > 0 ? LU_RED_max : LU_RED_min);
  } else if (o.kind == LU_ORD_P && (p == 1 || p == -1)) {
    st = lu_la_ew1(ctx, LU_OP_abs, &t1, x);
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, &t2, &t1, row, 0);
    if (st == LU_OK)
      st = lu_la_red(ctx, p > 0 ? LU_RED_max : LU_RED_min, out, &t2, col > row ? col - 1 : col, 0);
  } else if (o.kind == LU_ORD_P && (p == INFINITY || p == -INFINITY)) {
    st = lu_la_ew1(ctx, LU_OP_abs, &t1, x);
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, &t2, &t1, col, 0);
    if (st == LU_OK)
      st = lu_la_red(ctx, p > 0 ? LU_RED_max : LU_RED_min, out, &t2, row > col ? row - 1 : row, 0);
  } else if (o.kind == LU_ORD_NONE || o.kind == LU_ORD_FRO) {
    int hi = row > col ? row : col, lo = row > col ? col : row;
    lu_array t3;
    t3.buf = NULL;
    st = abs2(ctx, &t1, x);
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, &t2, &t1, hi, 0);
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, &t3, &t2, lo, 0);
    if (st == LU_OK) st = lu_la_ew1(ctx, LU_OP_sqrt, out, &t3);
    lu_array_release(&t3);
  } else {
    return lu_seterr(ctx, LU_EARG, "%s: invalid norm order %g for matrices", name, p);
  }
  lu_array_release(&t1);
  lu_array_release(&t2);
  if (st == LU_OK && keepdims) {
    int64_t shape[LU_MAXDIM];
    int i;
    for (i = 0; i < x->ndim; i++) shape[i] = (i == row || i == col) ? 1 : x->shape[i];
    st = reshape_to(ctx, out, x->ndim, shape);
  }
  return st;
}

static int norm_impl(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *x0,
                     lu_normord ord, int naxes, const int *axes, int keepdims) {
  lu_array x;
  int nd, ax[2], st, i;
  lu_check_in(x0);
  out->buf = NULL;
  if (x0->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if ((st = as_float(ctx, &x, x0)) != LU_OK) return st;
  nd = x.ndim;
  if (naxes == 0 && (ord.kind == LU_ORD_NONE || (ord.kind == LU_ORD_FRO && nd == 2) ||
                     (ord.kind == LU_ORD_P && ord.p == 2 && nd == 1))) {
    /* NumPy's fast path: the 2-norm of everything */
    lu_array t1, t2;
    st = abs2(ctx, &t1, &x);
    if (st == LU_OK) {
      st = lu_reduce(ctx, &t2, LU_RED_sum, &t1, LU_ALLAXES, 0, 0);
      lu_array_release(&t1);
    }
    if (st == LU_OK) {
      st = lu_la_ew1(ctx, LU_OP_sqrt, out, &t2);
      lu_array_release(&t2);
    }
    if (st == LU_OK && keepdims) {
      int64_t ones[LU_MAXDIM];
      for (i = 0; i < nd; i++) ones[i] = 1;
      st = reshape_to(ctx, out, nd, ones);
    }
    lu_array_release(&x);
    return st;
  }
  if (naxes == 0) {
    naxes = nd;
    for (i = 0; i < nd && i < 2; i++) ax[i] = i;
  } else {
    for (i = 0; i < naxes && i < 2; i++) ax[i] = axes[i];
  }
  if (naxes < 1 || naxes > 2) {
    lu_array_release(&x);
    return lu_seterr(ctx, LU_EARG, "%s: improper number of dimensions to norm", name);
  }
  for (i = 0; i < naxes && st == LU_OK; i++) st = norm_axis(ctx, name, ax[i], nd, &ax[i]);
  if (st == LU_OK) {
    if (naxes == 1) st = vnorm(ctx, name, out, &x, ord, ax[0], keepdims);
    else st = mnorm(ctx, name, out, &x, ord, ax[0], ax[1], keepdims);
  }
  lu_array_release(&x);
  return st;
}

int lu_linalg_norm(lu_ctx *ctx, lu_array *out, const lu_array *x, lu_normord ord, int naxes,
                   const int *axes, int keepdims) {
  return norm_impl(ctx, "linalg.norm", out, x, ord, naxes, axes, keepdims);
}

/* NumPy 2's vector_norm: several axes are moved to the front and merged
** into one, which is then the vector axis. */
int lu_linalg_vector_norm(lu_ctx *ctx, lu_array *out, const lu_array *x0, double ord,
                          int naxes, const int *axes, int keepdims) {
  const char *name = "linalg.vector_norm";
  lu_array x, y;
  lu_normord o;
  int nd, i, j, st, ax[LU_MAXDIM], seen[LU_MAXDIM], perm[LU_MAXDIM], np_ = 0;
  int64_t shape[LU_MAXDIM], merged = 1;
  lu_check_in(x0);
  out->buf = NULL;
  if (x0->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  o.kind = LU_ORD_P;
  o.p = ord;
  nd = x0->ndim;
  memset(seen, 0, sizeof seen);
  for (i = 0; i < naxes; i++) {
    if ((st = norm_axis(ctx, name, axes[i], nd, &ax[i])) != LU_OK) return st;
    if (seen[ax[i]]++) return lu_seterr(ctx, LU_EARG, "%s: repeated axis", name);
  }
  if ((st = as_float(ctx, &x, x0)) != LU_OK) return st;
  y.buf = NULL;
  if (naxes == 0) {
    int64_t m1 = -1;
    st = lu_reshape(ctx, &y, &x, 1, &m1);
  } else if (naxes == 1) {
    lu_array_share(&y, &x);
  } else {
    for (i = 0; i < naxes; i++) { perm[np_++] = ax[i]; merged *= x.shape[ax[i]]; }
    for (i = 0; i < nd; i++) if (!seen[i]) perm[np_++] = i;
    st = lu_transpose(ctx, &y, &x, perm);
    if (st == LU_OK) {
      shape[0] = merged;
      for (i = naxes, j = 1; i < nd; i++, j++) shape[j] = x.shape[perm[i]];
      st = reshape_to(ctx, &y, nd - naxes + 1, shape);
    }
  }
  if (st == LU_OK) st = vnorm(ctx, name, out, &y, o, naxes == 1 ? ax[0] : 0, 0);
  if (st == LU_OK && keepdims) {
    for (i = 0; i < nd; i++) shape[i] = (naxes == 0 || seen[i]) ? 1 : x.shape[i];
    st = reshape_to(ctx, out, nd, shape);
  }
  lu_array_release(&y);
  lu_array_release(&x);
  return st;
}
/* }====================================================== */

/* {====================================================== cond */
/* any(x != x) over the last two axes */
static int has_nan(lu_ctx *ctx, lu_array *out, const lu_array *x) {
  lu_array t1, t2;
  int st;
  t1.buf = t2.buf = NULL;
  st = lu_la_ew2(ctx, LU_OP_not_equal, &t1, x, x);
  if (st == LU_OK) st = lu_la_red(ctx, LU_RED_any, &t2, &t1, -1, 0);
  if (st == LU_OK) st = lu_la_red(ctx, LU_RED_any, out, &t2, -1, 0);
  lu_array_release(&t1);
  lu_array_release(&t2);
  return st;
}

int lu_linalg_cond(lu_ctx *ctx, lu_array *out, const lu_array *x, lu_normord p) {
  const char *name = "linalg.cond";
  lu_array r, t1, t2, t3;
  lu_dtype dt;
  int st;
  lu_check_in(x);
  out->buf = NULL;
  if (x->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (x->size == 0 && (x->ndim < 2 || x->shape[x->ndim - 1] * x->shape[x->ndim - 2] == 0))
    return lu_seterr(ctx, LU_EARG, "%s: cond is not defined on empty arrays", name);
  if ((st = lu_la_matrix(ctx, name, x)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, x->dtype, &dt)) != LU_OK) return st;
  r.buf = t1.buf = t2.buf = t3.buf = NULL;
  if (p.kind == LU_ORD_NONE || (p.kind == LU_ORD_P && (p.p == 2 || p.p == -2))) {
    lu_array s, x64;
    if ((st = as_f64(ctx, &x64, x)) != LU_OK) return st;
    st = lu_la_svdvals(ctx, name, &s, &x64);
    lu_array_release(&x64);
    if (st == LU_OK && (st = cast_to(ctx, &s, lu_real_of(dt))) != LU_OK) lu_array_release(&s);
    if (st != LU_OK) return st;
    st = last_item(ctx, &t1, &s, 0);
    if (st == LU_OK) st = last_item(ctx, &t2, &s, -1);
    if (st == LU_OK) {
      if (p.kind == LU_ORD_P && p.p == -2) st = lu_la_ew2(ctx, LU_OP_divide, &r, &t2, &t1);
      else st = lu_la_ew2(ctx, LU_OP_divide, &r, &t1, &t2);
    }
    lu_array_release(&s);
  } else {
    lu_array x64, inv;
    int ax[2];
    if ((st = lu_la_square(ctx, name, x)) != LU_OK) return st;
    ax[0] = x->ndim - 2;
    ax[1] = x->ndim - 1;
    x64.buf = inv.buf = NULL;
    st = as_f64(ctx, &x64, x);
    if (st == LU_OK) st = lu_la_inv(ctx, name, &inv, &x64, 1);
    if (st == LU_OK) st = norm_impl(ctx, name, &t1, x, p, 2, ax, 0);
    if (st == LU_OK) st = norm_impl(ctx, name, &t2, &inv, p, 2, ax, 0);
    if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_multiply, &r, &t1, &t2);
    if (st == LU_OK) st = cast_to(ctx, &r, dt);
    lu_array_release(&inv);
    lu_array_release(&x64);
  }
  lu_array_release(&t1);
  lu_array_release(&t2);
  /* a NaN from 0/0 or a failed inverse becomes inf, unless x held a NaN */
  if (st == LU_OK) st = has_nan(ctx, &t1, x);
  if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_not_equal, &t2, &r, &r);
  if (st == LU_OK) st = lu_la_ew1(ctx, LU_OP_logical_not, &t3, &t1);
  if (st == LU_OK) { lu_array_release(&t1); st = lu_la_ew2(ctx, LU_OP_logical_and, &t1, &t2, &t3); }
  if (st == LU_OK) st = lu_la_where(ctx, out, &t1, NULL, INFINITY, &r, 0);
  lu_array_release(&t1);
  lu_array_release(&t2);
  lu_array_release(&t3);
  lu_array_release(&r);
  return st;
}
/* }====================================================== */

/* {====================================================== matrix_rank, pinv */
int lu_linalg_matrix_rank(lu_ctx *ctx, lu_array *out, const lu_array *a, double tol,
                          double rtol, int hermitian) {
  const char *name = "linalg.matrix_rank";
  lu_array a64, s, t1, t2;
  lu_dtype dt;
  int st;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  t1.buf = t2.buf = s.buf = a64.buf = NULL;
  if (a->ndim < 2) {
    /* int(not all(A == 0)) */
    st = lu_la_ews(ctx, LU_OP_not_equal, &t1, a, 0.0);
    if (st == LU_OK) st = lu_reduce(ctx, &t2, LU_RED_any, &t1, LU_ALLAXES, 0, 0);
    if (st == LU_OK) st = lu_astype(ctx, out, &t2, LU_INT64);
    lu_array_release(&t1);
    lu_array_release(&t2);
    return st;
  }
  if (hermitian && (st = lu_la_square(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dt)) != LU_OK) return st;
  st = as_f64(ctx, &a64, a);
  if (st == LU_OK && hermitian) {
    /* the singular values of a symmetric matrix are |eigenvalues|; their
    ** order does not matter for a count */
    lu_array w;
    if ((st = lu_linalg_eigh(ctx, &w, NULL, &a64, 0)) == LU_OK) {
      st = lu_la_ew1(ctx, LU_OP_abs, &s, &w);
      lu_array_release(&w);
    }
  } else if (st == LU_OK) {
    st = lu_la_svdvals(ctx, name, &s, &a64);
  }
  lu_array_release(&a64);
  dt = lu_real_of(dt);
  if (st == LU_OK) st = cast_to(ctx, &s, dt);
  if (st != LU_OK) return st;
  if (tol != tol) {
    int64_t m = a->shape[a->ndim - 2], n = a->shape[a->ndim - 1];
    if (rtol != rtol) rtol = (double)(m > n ? m : n) * (dt == LU_FLOAT32 ? FLT_EPSILON : DBL_EPSILON);
    st = lu_la_red(ctx, LU_RED_max, &t1, &s, -1, 1);
    if (st == LU_OK) st = lu_la_ews(ctx, LU_OP_multiply, &t2, &t1, rtol);
    lu_array_release(&t1);
    if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_greater, &t1, &s, &t2);
  } else {
    st = lu_la_ews(ctx, LU_OP_greater, &t1, &s, tol);
  }
  if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, out, &t1, -1, 0);
  lu_array_release(&t1);
  lu_array_release(&t2);
  lu_array_release(&s);
  return st;
}

/* pinv(a) of a symmetric a from its eigendecomposition: V diag(1/w) V^T
** over the eigenvalues with |w| above rcond * max|w|. NumPy's hermitian SVD
** sorts |w| and moves the signs into Vh; the pseudo-inverse comes out the
** same in any order, so no sort is needed. */
static int pinv_sym(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                    double rcond) {
  lu_array w, v, t[7];
  int st, i;
  for (i = 0; i < 7; i++) t[i].buf = NULL;
  w.buf = v.buf = NULL;
  out->buf = NULL;
  st = lu_linalg_eigh(ctx, &w, &v, a, 0);
  if (st == LU_OK) st = lu_la_ew1(ctx, LU_OP_abs, &t[0], &w);
  if (st == LU_OK) st = lu_la_red(ctx, LU_RED_max, &t[1], &t[0], -1, 1);
  if (st == LU_OK) st = lu_la_ews(ctx, LU_OP_multiply, &t[2], &t[1], rcond);
  if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_greater, &t[3], &t[0], &t[2]);
  if (st == LU_OK) st = rdiv(ctx, &t[4], 1.0, &w);
  if (st == LU_OK) st = lu_la_where(ctx, &t[5], &t[3], &t[4], 0, NULL, 0.0);
  if (st == LU_OK) { lu_array_release(&t[0]); st = lu_expand_dims(ctx, &t[0], &t[5], t[5].ndim - 1); }
  if (st == LU_OK) { lu_array_release(&t[1]); st = lu_la_ew2(ctx, LU_OP_multiply, &t[1], &v, &t[0]); }
  if (st == LU_OK && (st = adjoint(ctx, &t[6], &v)) == LU_OK) st = lu_matmul(ctx, out, &t[1], &t[6]);
  for (i = 0; i < 7; i++) lu_array_release(&t[i]);
  lu_array_release(&w);
  lu_array_release(&v);
  (void)name;
  return st;
}

/* pinv(a) = V diag(1/s) U^T over the singular values above rcond * max(s),
** from an SVD in float64 (NumPy's). */
static int pinv_f64(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                    double rcond) {
  lu_array u, s, vh, t[6];
  int st, i;
  for (i = 0; i < 6; i++) t[i].buf = NULL;
  u.buf = s.buf = vh.buf = NULL;
  out->buf = NULL;
  st = lu_la_svd(ctx, name, &u, &s, &vh, a, 0, 1);
  if (st == LU_OK) st = lu_la_red(ctx, LU_RED_max, &t[0], &s, -1, 1);
  if (st == LU_OK) st = lu_la_ews(ctx, LU_OP_multiply, &t[1], &t[0], rcond);
  if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_greater, &t[2], &s, &t[1]);
  if (st == LU_OK) st = rdiv(ctx, &t[3], 1.0, &s);
  if (st == LU_OK) st = lu_la_where(ctx, &t[4], &t[2], &t[3], 0, NULL, 0.0);
  if (st == LU_OK) { lu_array_release(&t[0]); st = lu_expand_dims(ctx, &t[0], &t[4], t[4].ndim); }
  if (st == LU_OK) { lu_array_release(&t[1]); st = adjoint(ctx, &t[1], &u); }
  if (st == LU_OK) { lu_array_release(&t[2]); st = lu_la_ew2(ctx, LU_OP_multiply, &t[2], &t[0], &t[1]); }
  if (st == LU_OK) { lu_array_release(&t[3]); st = adjoint(ctx, &t[3], &vh); }
  if (st == LU_OK) st = lu_matmul(ctx, out, &t[3], &t[2]);
  for (i = 0; i < 6; i++) lu_array_release(&t[i]);
  lu_array_release(&u);
  lu_array_release(&s);
  lu_array_release(&vh);
  return st;
}

int lu_linalg_pinv(lu_ctx *ctx, lu_array *out, const lu_array *a, double rcond, int hermitian) {
  const char *name = "linalg.pinv";
  lu_array a64;
  lu_dtype dt;
  int st;
  lu_check_in(a);
  out->buf = NULL;
  if ((st = lu_la_matrix(ctx, name, a)) != LU_OK) return st;
  if (hermitian && (st = lu_la_square(ctx, name, a)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, a->dtype, &dt)) != LU_OK) return st;
  if (a->shape[a->ndim - 1] == 0 || a->shape[a->ndim - 2] == 0) {
    /* NumPy: an empty result of a's own dtype, shape (..., n, m) */
    int64_t shape[LU_MAXDIM];
    memcpy(shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
    shape[a->ndim - 2] = a->shape[a->ndim - 1];
    shape[a->ndim - 1] = a->shape[a->ndim - 2];
    return lu_empty(ctx, out, a->dtype, a->ndim, shape, lu_array_device(a));
  }
  if ((st = as_f64(ctx, &a64, a)) != LU_OK) return st;
  st = hermitian ? pinv_sym(ctx, name, out, &a64, rcond) : pinv_f64(ctx, name, out, &a64, rcond);
  lu_array_release(&a64);
  if (st == LU_OK) st = cast_to(ctx, out, dt);
  return st;
}
/* }====================================================== */

/* {====================================================== lstsq */
/* NumPy's gelsd, through the SVD: x = V diag(1/s) U^T b over the singular
** values above rcond * s[0] (rank of them); residuals (the squared norms
** of b - a x per column) only when the rank is n and m > n. In float64,
** rounded to float32 when both operands are float32. The rank is needed
** on the host: one synchronisation. */
int lu_linalg_lstsq(lu_ctx *ctx, lu_array *x, lu_array *res, int64_t *rank, lu_array *sv,
                    const lu_array *a0, const lu_array *b0, double rcond) {
  const char *name = "linalg.lstsq";
  lu_array a, b, u, s, vh, t[8], rk;
  lu_dtype dta, dtb, dt;
  int64_t m, n, k, shape[2];
  int st, i, vec;
  char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
  lu_check_in(a0);
  lu_check_in(b0);
  x->buf = res->buf = sv->buf = NULL;
  *rank = 0;
  if ((st = lu_la_samedev(ctx, name, a0, b0)) != LU_OK) return st;
  vec = b0->ndim == 1;
  if (a0->ndim != 2 || (b0->ndim != 1 && b0->ndim != 2))
    return lu_seterr(ctx, LU_EARG, "%s: %d-dimensional array given. Array must be two-dimensional",
                     name, a0->ndim != 2 ? a0->ndim : b0->ndim);
  m = a0->shape[0];
  n = a0->shape[1];
  if (b0->shape[0] != m)
    return lu_seterr(ctx, LU_ESHAPE, "%s: incompatible dimensions: a %s, b %s", name,
                     lu_shape_str(a0->ndim, a0->shape, s1, sizeof s1),
                     lu_shape_str(b0->ndim, b0->shape, s2, sizeof s2));
  if ((st = lu_la_dtype(ctx, name, a0->dtype, &dta)) != LU_OK) return st;
  if ((st = lu_la_dtype(ctx, name, b0->dtype, &dtb)) != LU_OK) return st;
  dt = lu_promote(dta, dtb);
  k = vec ? 1 : b0->shape[1];
  if (rcond != rcond || rcond < 0) rcond = DBL_EPSILON * (double)(m > n ? m : n);

  a.buf = b.buf = u.buf = s.buf = vh.buf = rk.buf = NULL;
  for (i = 0; i < 8; i++) t[i].buf = NULL;
  st = as_f64(ctx, &a, a0);
  if (st == LU_OK) st = as_f64(ctx, &b, b0);
  if (st == LU_OK && vec) {
    shape[0] = m;
    shape[1] = 1;
    st = reshape_to(ctx, &b, 2, shape);
  }
  if (st == LU_OK) st = lu_la_svd(ctx, name, &u, &s, &vh, &a, 0, 1);
  if (st != LU_OK) goto done;
  if (s.shape[0] > 0) {
    int64_t h = 0;
    st = last_item(ctx, &t[0], &s, 0);
    if (st == LU_OK) st = lu_la_ews(ctx, LU_OP_multiply, &t[1], &t[0], rcond);
    if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_greater, &t[2], &s, &t[1]);
    if (st == LU_OK) st = lu_reduce(ctx, &rk, LU_RED_sum, &t[2], LU_ALLAXES, 0, 0);
    if (st == LU_OK) st = lu_to_host(ctx, &rk, &h);
    *rank = h;
    /* x = V (sinv * (U^T b)) */
    if (st == LU_OK) st = rdiv(ctx, &t[3], 1.0, &s);
    if (st == LU_OK) { lu_array_release(&t[0]); st = lu_la_where(ctx, &t[0], &t[2], &t[3], 0, NULL, 0.0); }
    if (st == LU_OK) { lu_array_release(&t[1]); st = lu_expand_dims(ctx, &t[1], &t[0], 1); }
    if (st == LU_OK) { lu_array_release(&t[4]); st = adjoint(ctx, &t[4], &u); }
    if (st == LU_OK) st = lu_matmul(ctx, &t[5], &t[4], &b);
    if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_multiply, &t[6], &t[1], &t[5]);
    if (st == LU_OK) { lu_array_release(&t[4]); st = adjoint(ctx, &t[4], &vh); }
    if (st == LU_OK) st = lu_matmul(ctx, x, &t[4], &t[6]);
  } else {
    /* an empty a: x is zeros, rank 0 */
    lu_scalar zero = {'i', 0, 0, 0};
    shape[0] = n;
    shape[1] = k;
    st = lu_full(ctx, x, LU_FLOAT64, 2, shape, lu_array_device(&a), zero);
  }
  if (st != LU_OK) goto done;
  if (*rank == n && m > n) {
    for (i = 0; i < 8; i++) lu_array_release(&t[i]);
    st = lu_matmul(ctx, &t[0], &a, x);
    if (st == LU_OK) st = lu_la_ew2(ctx, LU_OP_subtract, &t[1], &b, &t[0]);
    if (st == LU_OK) st = abs2(ctx, &t[2], &t[1]);
    if (st == LU_OK) st = lu_la_red(ctx, LU_RED_sum, res, &t[2], 0, 0);
  } else {
    shape[0] = 0;
    st = lu_empty(ctx, res, LU_FLOAT64, 1, shape, lu_array_device(&a));
  }
  if (st == LU_OK && vec) {
    shape[0] = n;
    st = reshape_to(ctx, x, 1, shape);
  }
  if (st == LU_OK) st = cast_to(ctx, x, dt);
  if (st == LU_OK) st = cast_to(ctx, res, lu_real_of(dt));
  if (st == LU_OK) { *sv = s; s.buf = NULL; st = cast_to(ctx, sv, lu_real_of(dt)); }
done:
  for (i = 0; i < 8; i++) lu_array_release(&t[i]);
  lu_array_release(&rk);
  lu_array_release(&u);
  lu_array_release(&s);
  lu_array_release(&vh);
  lu_array_release(&a);
  lu_array_release(&b);
  if (st != LU_OK) { lu_array_release(x); lu_array_release(res); lu_array_release(sv); }
  return st;
}
/* }====================================================== */

/* {====================================================== matrix_power */
/* NumPy's order of products: the bits of n from the lowest, squaring. */
int lu_linalg_matrix_power(lu_ctx *ctx, lu_array *out, const lu_array *a, int64_t n) {
  const char *name = "linalg.matrix_power";
  lu_array base, z, r, t;
  int st;
  lu_check_in(a);
  out->buf = NULL;
  if ((st = lu_la_square(ctx, name, a)) != LU_OK) return st;
  if (n == 0) {
    lu_array e;
    lu_arg g;
    int64_t m = a->shape[a->ndim - 1];
    if ((st = lu_eye(ctx, &e, m, m, 0, a->dtype, lu_array_device(a))) != LU_OK) return st;
    g = lu_arg_array(&e);
    st = lu_empty(ctx, out, a->dtype, a->ndim, a->shape, lu_array_device(a));
    if (st == LU_OK && (st = lu_assign(ctx, out, &g)) != LU_OK) lu_array_release(out);
    lu_array_release(&e);
    return st;
  }
  if (n == INT64_MIN) return lu_seterr(ctx, LU_EARG, "%s: exponent %lld is too large", name,
                                       (long long)n);
  if (n < 0) {
    if ((st = lu_la_inv(ctx, name, &base, a, 0)) != LU_OK) return st;
    n = -n;
  } else {
    lu_array_share(&base, a);
  }
  z.buf = r.buf = NULL;
  if (n == 1) { *out = base; return LU_OK; }
  if (n == 2) { st = lu_matmul(ctx, out, &base, &base); lu_array_release(&base); return st; }
  if (n == 3) {
    st = lu_matmul(ctx, &t, &base, &base);
    if (st == LU_OK) { st = lu_matmul(ctx, out, &t, &base); lu_array_release(&t); }
    lu_array_release(&base);
    return st;
  }
  st = LU_OK;
  while (n > 0 && st == LU_OK) {
    if (z.buf == NULL) lu_array_share(&z, &base);
    else if ((st = lu_matmul(ctx, &t, &z, &z)) == LU_OK) { lu_array_release(&z); z = t; }
    if (st == LU_OK && (n & 1)) {
      if (r.buf == NULL) lu_array_share(&r, &z);
      else if ((st = lu_matmul(ctx, &t, &r, &z)) == LU_OK) { lu_array_release(&r); r = t; }
    }
    n >>= 1;
  }
  lu_array_release(&z);
  lu_array_release(&base);
  if (st != LU_OK) { lu_array_release(&r); return st; }
  *out = r;
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== multi_dot */
/* The product of arrs[i..j] in the order split[] chose. */
static int chain(lu_ctx *ctx, lu_array *out, const lu_array *arrs, const int *split, int n,
                 int i, int j) {
  lu_array l, r;
  int st;
  if (i == j) { lu_array_share(out, &arrs[i]); return LU_OK; }
  if ((st = chain(ctx, &l, arrs, split, n, i, split[i * n + j])) != LU_OK) return st;
  st = chain(ctx, &r, arrs, split, n, split[i * n + j] + 1, j);
  if (st == LU_OK) {
    st = lu_matmul(ctx, out, &l, &r);
    lu_array_release(&r);
  }
  lu_array_release(&l);
  return st;
}

int lu_linalg_multi_dot(lu_ctx *ctx, lu_array *out, int n, const lu_array *const *arrays) {
  const char *name = "linalg.multi_dot";
  lu_array *v = NULL, res;
  int *split = NULL, st = LU_OK, i, first1, last1;
  double *cost = NULL;
  out->buf = NULL;
  if (n < 2) return lu_seterr(ctx, LU_EARG, "%s: expecting at least two arrays", name);
  for (i = 0; i < n; i++) {
    int nd = arrays[i]->ndim;
    if (arrays[i]->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
    if (((i == 0 || i == n - 1) && (nd < 1 || nd > 2)) || (i > 0 && i < n - 1 && nd != 2))
      return lu_seterr(ctx, LU_EARG, "%s: array %d is %d-dimensional; the first and last may be "
                       "1- or 2-dimensional, the others must be 2-dimensional", name, i + 1, nd);
  }
  if (n == 2) return lu_matmul(ctx, out, arrays[0], arrays[1]);
  v = (lu_array *)lu_calloc((size_t)n, sizeof *v);
  split = (int *)lu_calloc((size_t)n * (size_t)n, sizeof *split);
  cost = (double *)lu_calloc((size_t)n * (size_t)n, sizeof *cost);
  if (!v || !split || !cost) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); goto done; }
  first1 = arrays[0]->ndim == 1;
  last1 = arrays[n - 1]->ndim == 1;
  for (i = 0; i < n && st == LU_OK; i++) {
    const lu_array *x = arrays[i];
    int64_t shape[2];
    if (x->ndim == 2) { lu_array_share(&v[i], x); continue; }
    shape[0] = i == 0 ? 1 : x->shape[0];
    shape[1] = i == 0 ? x->shape[0] : 1;
    st = lu_reshape(ctx, &v[i], x, 2, shape);
  }
  if (st != LU_OK) goto done;
  /* the cheapest order (NumPy's matrix-chain dynamic programme; for three
  ** matrices its closed form, which agrees) */
  {
    int l, a, b, k;
    double *p = (double *)lu_malloc((size_t)(n + 1) * sizeof(double));
    if (p == NULL) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); goto done; }
    for (i = 0; i < n; i++) p[i] = (double)v[i].shape[0];
    p[n] = (double)v[n - 1].shape[1];
    for (l = 1; l < n; l++)
      for (a = 0; a < n - l; a++) {
        b = a + l;
        cost[a * n + b] = INFINITY;
        for (k = a; k < b; k++) {
          double q = cost[a * n + k] + cost[(k + 1) * n + b] + p[a] * p[k + 1] * p[b + 1];
          if (q < cost[a * n + b]) { cost[a * n + b] = q; split[a * n + b] = k; }
        }
      }
    if (n == 3) {
      /* _multi_dot_three: (AB)C when strictly cheaper, else A(BC) */
      double c1 = p[0] * p[2] * (p[1] + p[3]), c2 = p[1] * p[3] * (p[0] + p[2]);
      split[0 * n + 2] = c1 < c2 ? 1 : 0;
    }
    free(p);
  }
  st = chain(ctx, &res, v, split, n, 0, n - 1);
  if (st != LU_OK) goto done;
  if (first1 || last1) {
    int64_t shape[1];
    lu_array t;
    shape[0] = -1;
    st = first1 && last1 ? lu_reshape(ctx, &t, &res, 0, shape) : lu_reshape(ctx, &t, &res, 1, shape);
    lu_array_release(&res);
    if (st == LU_OK) *out = t;
  } else {
    *out = res;
  }
done:
  if (v) for (i = 0; i < n; i++) lu_array_release(&v[i]);
  free(v);
  free(split);
  free(cost);
  return st;
}
/* }====================================================== */

/* {====================================================== tensorsolve, tensorinv */
int lu_linalg_tensorsolve(lu_ctx *ctx, lu_array *out, const lu_array *a0, const lu_array *b0,
                          int naxes, const int *axes) {
  const char *name = "linalg.tensorsolve";
  lu_array a, am, bm, x;
  int an, i, j, st, perm[LU_MAXDIM], nperm = 0, ntail;
  int64_t prod = 1, shape[LU_MAXDIM];
  lu_check_in(a0);
  lu_check_in(b0);
  out->buf = NULL;
  if ((st = lu_la_samedev(ctx, name, a0, b0)) != LU_OK) return st;
  an = a0->ndim;
  a.buf = am.buf = bm.buf = x.buf = NULL;
  if (naxes >= 0) {
    /* the given axes move to the end, in their order */
    int moved[LU_MAXDIM], ax[LU_MAXDIM];
    memset(moved, 0, sizeof moved);
    for (i = 0; i < naxes; i++) {
      if ((st = norm_axis(ctx, name, axes[i], an, &ax[i])) != LU_OK) return st;
      if (moved[ax[i]]++) return lu_seterr(ctx, LU_EARG, "%s: repeated axis", name);
    }
    for (i = 0; i < an; i++) if (!moved[i]) perm[nperm++] = i;
    for (i = 0; i < naxes; i++) perm[nperm++] = ax[i];
    if ((st = lu_transpose(ctx, &a, a0, perm)) != LU_OK) return st;
  } else {
    lu_array_share(&a, a0);
  }
  /* NumPy's a.shape[-(an - b.ndim):], Python's slice rules included */
  {
    int start = an - b0->ndim > 0 ? b0->ndim : b0->ndim - an;
    if (start > an) start = an;
    ntail = an - start;
  }
  for (i = an - ntail, j = 0; i < an; i++, j++) { shape[j] = a.shape[i]; prod *= a.shape[i]; }
  if (a.size != prod * prod) {
    lu_array_release(&a);
    return lu_seterr(ctx, LU_ESHAPE, "%s: input arrays must satisfy the requirement "
                     "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])", name);
  }
  {
    int64_t sq[2], flat = -1;
    sq[0] = sq[1] = prod;
    st = lu_reshape(ctx, &am, &a, 2, sq);
    if (st == LU_OK) st = lu_reshape(ctx, &bm, b0, 1, &flat);
  }
  if (st == LU_OK) st = lu_linalg_solve(ctx, &x, &am, &bm);
  if (st == LU_OK) st = lu_reshape(ctx, out, &x, ntail, shape);
  lu_array_release(&x);
  lu_array_release(&bm);
  lu_array_release(&am);
  lu_array_release(&a);
  return st;
}

int lu_linalg_tensorinv(lu_ctx *ctx, lu_array *out, const lu_array *a, int ind) {
  const char *name = "linalg.tensorinv";
  lu_array am, ia;
  int64_t prod = 1, shape[LU_MAXDIM], sq[2];
  int i, j, st;
  lu_check_in(a);
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (ind <= 0) return lu_seterr(ctx, LU_EARG, "%s: invalid ind argument %d", name, ind);
  if (ind > a->ndim) ind = a->ndim;
  for (i = ind; i < a->ndim; i++) prod *= a->shape[i];
  for (i = ind, j = 0; i < a->ndim; i++, j++) shape[j] = a->shape[i];
  for (i = 0; i < ind; i++, j++) shape[j] = a->shape[i];
  sq[0] = prod;
  sq[1] = -1;
  if (prod == 0)
    return lu_seterr(ctx, LU_ESHAPE, "%s: cannot invert a tensor with a zero-length axis", name);
  if ((st = lu_reshape(ctx, &am, a, 2, sq)) != LU_OK) return st;
  st = lu_la_inv(ctx, name, &ia, &am, 0);
  lu_array_release(&am);
  if (st != LU_OK) return st;
  st = lu_reshape(ctx, out, &ia, a->ndim, shape);
  lu_array_release(&ia);
  return st;
}
/* }====================================================== */
