/* SPDX-License-Identifier: MIT */
/*
** matmul with NumPy's rules: 1-D operands become a row (first) or a column
** (second) and that axis is removed from the result; leading axes are batch
** axes and broadcast. The backend sees row-major matrices with unit column
** stride, or their transposes, and one element stride between batches; any
** other layout is copied first.
*/
#include <string.h>
#include "lu_internal.h"

/* An operand as the backend needs it. */
typedef struct mop {
  lu_array v;        /* batch + 2 matrix dims view (borrowed or owns tmp) */
  lu_array tmp;      /* owned copies */
  int64_t ld, bstride;
  int trans;
} mop;

/* Row-major (or transposed) with a leading dimension the BLAS accept. */
static int layout(const lu_array *v, int64_t *ld, int *trans) {
  int nd = v->ndim, item = lu_array_itemsize(v);
  int64_t r = v->shape[nd - 2], c = v->shape[nd - 1];
  int64_t sr = v->strides[nd - 2], sc = v->strides[nd - 1];
  if ((c == 1 || sc == item) && (r == 1 || (sr > 0 && sr % item == 0 && sr / item >= c))) {
    *trans = 0;
    *ld = r == 1 ? c : sr / item;
  } else if ((r == 1 || sr == item) && (c == 1 || (sc > 0 && sc % item == 0 && sc / item >= r))) {
    *trans = 1;
    *ld = c == 1 ? r : sc / item;
  } else {
    return 0;
  }
  if (*ld < 1) *ld = 1;
  return 1;
}

static int batch_stride(const lu_array *v, int64_t *bs) {
  int64_t n, s;
  int item = lu_array_itemsize(v);
  if (!lu_merge_run(v, 0, v->ndim - 2, &n, &s)) return 0;
  if (n <= 1) { *bs = 0; return 1; }
  if (s < 0 || s % item != 0) return 0;
  *bs = s / item;
  return 1;
}

/* Fill in ld/trans/bstride, copying the operand when its layout does not
** fit. v already has the broadcast batch shape. */
static int prepare(lu_ctx *ctx, mop *m) {
  int st;
  if (layout(&m->v, &m->ld, &m->trans) && batch_stride(&m->v, &m->bstride)) return LU_OK;
  {
    lu_array c;
    if ((st = lu_copy(ctx, &c, &m->v)) != LU_OK) return st;
    lu_array_release(&m->tmp);
    m->tmp = c;
    m->v = c;
  }
  layout(&m->v, &m->ld, &m->trans);
  batch_stride(&m->v, &m->bstride);
  return LU_OK;
}

/* View of x with batch shape bshape (nb axes) and matrix dims (r, c). */
static void matrix_view(lu_array *v, const lu_array *x, int nb, const int64_t *bshape,
                        int64_t r, int64_t c, int64_t sr, int64_t sc) {
  int xb = x->ndim - 2, i;
  *v = *x;
  v->ndim = nb + 2;
  for (i = 0; i < nb; i++) {
    int j = i - (nb - (xb > 0 ? xb : 0));
    v->shape[i] = bshape[i];
    v->strides[i] = (j < 0 || x->shape[j] == 1) ? 0 : x->strides[j];
  }
  v->shape[nb] = r; v->strides[nb] = sr;
  v->shape[nb + 1] = c; v->strides[nb + 1] = sc;
  lu_array_update(v);
}

/* Whether the product (dtype dt, shape oshape) can be written into `into`
** as the backends write it: C-contiguous, of that dtype, shape and device,
** and on a buffer of neither operand (NumPy's out= may alias an input;
** then the product goes to a new array and is copied). */
static int writable_into(const lu_array *into, lu_dtype dt, int ond, const int64_t *oshape,
                         lu_device dev, const lu_array *a, const lu_array *b) {
  int i;
  if (into == NULL || into->buf == NULL || into->dtype != dt || into->ndim != ond ||
      !lu_device_eq(lu_array_device(into), dev) || !lu_array_is_contig(into) ||
      into->buf == a->buf || into->buf == b->buf)
    return 0;
  for (i = 0; i < ond; i++)
    if (into->shape[i] != oshape[i]) return 0;
  return 1;
}

static int matmul(lu_ctx *ctx, lu_array *out, const lu_array *a0, const lu_array *b0,
                  const lu_array *into, int *direct) {
  mop A, B;
  lu_array ca, cb;
  const lu_array *a = a0, *b = b0;
  const lu_linalg_family *fam;
  lu_matmul_call c;
  int64_t M, N, K, Kb, bshape[LU_MAXDIM], oshape[LU_MAXDIM], batch = 1;
  int nb, na_b, nb_b, i, ond = 0, st = LU_OK;
  lu_dtype dt;
  char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];

  lu_check_in(a0);
  lu_check_in(b0);
  out->buf = NULL;
  if (a->buf == NULL || b->buf == NULL)
    return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (a->ndim == 0 || b->ndim == 0)
    return lu_seterr(ctx, LU_EARG, "matmul: input operand %d does not have enough dimensions",
                     a->ndim == 0 ? 1 : 2);
  if (!lu_device_eq(lu_array_device(a), lu_array_device(b)))
    return lu_seterr(ctx, LU_EDEVICE, "matmul: arrays on different devices: %s and %s",
                     lu_device_str(lu_array_device(a), s1), lu_device_str(lu_array_device(b), s2));
  K = a->shape[a->ndim - 1];
  Kb = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
  if (K != Kb)
    return lu_seterr(ctx, LU_ESHAPE, "matmul: shapes %s and %s not aligned: %lld (dim %d) != %lld (dim %d)",
                     lu_shape_str(a->ndim, a->shape, s1, sizeof(s1)),
                     lu_shape_str(b->ndim, b->shape, s2, sizeof(s2)),
                     (long long)K, a->ndim, (long long)Kb, b->ndim == 1 ? 1 : b->ndim - 1);
  M = a->ndim == 1 ? 1 : a->shape[a->ndim - 2];
  N = b->ndim == 1 ? 1 : b->shape[b->ndim - 1];

  /* batch axes, broadcast */
  na_b = a->ndim > 2 ? a->ndim - 2 : 0;
  nb_b = b->ndim > 2 ? b->ndim - 2 : 0;
  nb = na_b > nb_b ? na_b : nb_b;
  for (i = 0; i < nb; i++) {
    int ia = i - (nb - na_b), ib = i - (nb - nb_b);
    int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
    if (da != db && da != 1 && db != 1)
      return lu_seterr(ctx, LU_ESHAPE, "matmul: batch dimensions of shapes %s and %s could not be broadcast together",
                       lu_shape_str(a->ndim, a->shape, s1, sizeof(s1)),
                       lu_shape_str(b->ndim, b->shape, s2, sizeof(s2)));
    bshape[i] = da == 1 ? db : da;
    batch *= bshape[i];
  }

  /* one dtype for both */
  dt = lu_promote(a->dtype, b->dtype);
  ca.buf = cb.buf = NULL;
  memset(&A, 0, sizeof(A));
  memset(&B, 0, sizeof(B));
  if (a->dtype != dt) { if ((st = lu_astype(ctx, &ca, a, dt)) != LU_OK) goto done; a = &ca; }
  if (b->dtype != dt) { if ((st = lu_astype(ctx, &cb, b, dt)) != LU_OK) goto done; b = &cb; }

  if (a->ndim == 1)
    matrix_view(&A.v, a, nb, bshape, 1, K, K * a->strides[0], a->strides[0]);
  else
    matrix_view(&A.v, a, nb, bshape, M, K, a->strides[a->ndim - 2], a->strides[a->ndim - 1]);
  if (b->ndim == 1)
    matrix_view(&B.v, b, nb, bshape, K, 1, b->strides[0], lu_array_itemsize(b));
  else
    matrix_view(&B.v, b, nb, bshape, K, N, b->strides[b->ndim - 2], b->strides[b->ndim - 1]);

  for (i = 0; i < nb; i++) oshape[ond++] = bshape[i];
  if (a->ndim > 1) oshape[ond++] = M;
  if (b->ndim > 1) oshape[ond++] = N;
  if (writable_into(into, dt, ond, oshape, lu_array_device(a), a0, b0)) {
    lu_array_share(out, into);
    *direct = 1;
  } else if ((st = lu_empty(ctx, out, dt, ond, oshape, lu_array_device(a))) != LU_OK) {
    goto done;
  }
  if (out->size == 0) goto done;
  if (K == 0) {
    lu_arg zero = lu_arg_int(0);
    st = lu_assign(ctx, out, &zero);
    goto done;
  }
  if ((st = prepare(ctx, &A)) != LU_OK || (st = prepare(ctx, &B)) != LU_OK) goto done;
  fam = lu_family(ctx, "matmul", lu_array_device(a), linalg);
  if (fam == NULL) { st = ctx->err; goto done; }
  if (fam->matmul == NULL) { st = lu_unavailable(ctx, "matmul", lu_array_device(a)); goto done; }
  memset(&c, 0, sizeof(c));
  c.dt = dt;
  c.batch = batch;
  c.M = M; c.N = N; c.K = K;
  c.a_ptr = lu_array_data(&A.v);
  c.b_ptr = lu_array_data(&B.v);
  c.c_ptr = lu_array_data(out);
  c.trans_a = A.trans; c.trans_b = B.trans;
  c.lda = A.ld; c.ldb = B.ld; c.ldc = N;
  c.bstride_a = A.bstride; c.bstride_b = B.bstride; c.bstride_c = M * N;
  c.dev = lu_array_device(a);
  lu_check_matmul(ctx, &c, out, &A.v, &B.v);
  st = fam->matmul(ctx, &c);
  if (st == LU_OK) st = lu_after_op(ctx, c.dev);
done:
  lu_array_release(&A.tmp);
  lu_array_release(&B.tmp);
  lu_array_release(&ca);
  lu_array_release(&cb);
  if (st != LU_OK) { lu_array_release(out); *direct = 0; }
  return st;
}

int lu_matmul(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  int direct = 0;
  return matmul(ctx, out, a, b, NULL, &direct);
}

int lu_matmul_into(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b,
                   const lu_array *into, int *direct) {
  *direct = 0;
  return matmul(ctx, out, a, b, into, direct);
}
