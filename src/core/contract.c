/* SPDX-License-Identifier: MIT */
/*
** Tensor contractions: einsum and what is one contraction of two
** operands (tensordot, inner, outer, kron, vdot, dot; vdot conjugates a
** complex first operand, as NumPy's).
**
** Every function here becomes a labelled contraction: each operand is a
** list of labels, one per axis, and the output is a list of labels. The
** engine (contract) first makes each operand a view with one axis per
** distinct label (a repeated label is a diagonal: the strides add up) at
** the label's full length (a length-1 axis broadcasts with stride 0), sums
** away the labels nothing else needs, then contracts two operands at a
** time, greedily choosing the pair whose result is smallest, until one is
** left, which is transposed to the output's order and copied. A pair is
** one batched matmul (batch labels, labels of the first only, the summed
** labels, labels of the second only, each group merged into one axis) or,
** when nothing is summed, one broadcast multiply, or, when each batch
** element is one dot product, a multiply and a sum. Arithmetic stays in the
** result dtype, as NumPy's einsum does: integers wrap, bool is or/and.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lu_sortfam.h"
#include "lu_lazy.h"

#define TRY(x) do { if ((st = (x)) != LU_OK) goto done; } while (0)

/* labels: letters 'A'..'Z' are 0..25, 'a'..'z' 26..51 (NumPy's implicit
** output is in character order, which this keeps), the axes an ellipsis
** stands for are ELL + k, right-aligned over the operands */
#define ELL 52
#define NLAB (ELL + LU_MAXDIM)
#define MAXOPS 64

typedef struct term {
  int n;
  int lab[LU_MAXDIM];
} term;

typedef struct tens {
  lu_array a;     /* one axis per label (owned reference) */
  term t;         /* distinct labels */
  int fresh;      /* a is a new array, not a view of an operand */
} tens;

static int64_t prod_labels(const term *t, const int64_t *len) {
  int64_t p = 1;
  int i;
  for (i = 0; i < t->n; i++) p *= len[t->lab[i]];
  return p;
}

static int has_label(const term *t, int l) {
  int i;
  for (i = 0; i < t->n; i++) if (t->lab[i] == l) return 1;
  return 0;
}

/* A view of base with the given shape and strides (takes a reference). */
static void make_view(lu_array *out, const lu_array *base, int nd, const int64_t *shape,
                      const int64_t *strides) {
  lu_array v = *base;
  v.ndim = nd;
  if (nd > 0) {
    memcpy(v.shape, shape, sizeof(int64_t) * (size_t)nd);
    memcpy(v.strides, strides, sizeof(int64_t) * (size_t)nd);
  }
  lu_array_update(&v);
  v.buf->refcount++;
  v.owner = 0;
  *out = v;
}

/* x transposed to the label order `to` (labels of x's term, each once). */
static int to_order(lu_ctx *ctx, const tens *x, const term *to, lu_array *out) {
  int64_t shape[LU_MAXDIM], strides[LU_MAXDIM];
  int i, j;
  for (i = 0; i < to->n; i++) {
    for (j = 0; j < x->t.n && x->t.lab[j] != to->lab[i]; j++) {}
    shape[i] = x->a.shape[j];
    strides[i] = x->a.strides[j];
  }
  (void)ctx;
  make_view(out, &x->a, to->n, shape, strides);
  return LU_OK;
}

/* Sum x over every label not in keep (keep: a flag per label); the
** result stays in x's dtype. */
static int sum_out(lu_ctx *ctx, const char *name, tens *x, const int *keep) {
  term kt, order;
  lu_array v, m, s, c;
  int64_t sh[2], kshape[LU_MAXDIM];
  int i, st = LU_OK;
  kt.n = 0;
  for (i = 0; i < x->t.n; i++) if (keep[x->t.lab[i]]) kt.lab[kt.n++] = x->t.lab[i];
  if (kt.n == x->t.n) return LU_OK;
  order = kt;
  for (i = 0; i < x->t.n; i++) if (!keep[x->t.lab[i]]) order.lab[order.n++] = x->t.lab[i];
  v.buf = m.buf = s.buf = c.buf = NULL;
  to_order(ctx, x, &order, &v);
  sh[0] = sh[1] = 1;
  for (i = 0; i < kt.n; i++) { kshape[i] = v.shape[i]; sh[0] *= v.shape[i]; }
  for (i = kt.n; i < order.n; i++) sh[1] *= v.shape[i];
  TRY(lu_reshape(ctx, &m, &v, 2, sh));
  TRY(lu_reduce(ctx, &s, LU_RED_sum, &m, 1, 0, 0));
  if (s.dtype != x->a.dtype) TRY(lu_astype(ctx, &c, &s, x->a.dtype));
  else { c = s; s.buf = NULL; }
  lu_array_release(&x->a);
  TRY(lu_reshape(ctx, &x->a, &c, kt.n, kshape));
  x->t = kt;
  x->fresh = 1;
done:
  (void)name;
  lu_array_release(&v);
  lu_array_release(&m);
  lu_array_release(&s);
  lu_array_release(&c);
  return st;
}

/* A view of x over the labels of `all` (x's labels among them, the others
** broadcast with stride 0). */
static void spread(const tens *x, const term *all, const int64_t *len, lu_array *out) {
  int64_t shape[LU_MAXDIM], strides[LU_MAXDIM];
  int i, j;
  for (i = 0; i < all->n; i++) {
    for (j = 0; j < x->t.n && x->t.lab[j] != all->lab[i]; j++) {}
    shape[i] = len[all->lab[i]];
    strides[i] = j < x->t.n ? x->a.strides[j] : 0;
  }
  make_view(out, &x->a, all->n, shape, strides);
}

/* The product of x and y keeping the labels in keep (flags): *r. */
static int pair(lu_ctx *ctx, const char *name, const tens *x, const tens *y, const int *keep,
                const int64_t *len, tens *r) {
  term bt, xo, yo, ct, ax, by, res;
  lu_array va, vb, ma, mb, p, s;
  int64_t B, M, N, K, sh[3], rshape[LU_MAXDIM];
  int i, st = LU_OK;
  bt.n = xo.n = yo.n = ct.n = 0;
  for (i = 0; i < x->t.n; i++) {
    int l = x->t.lab[i];
    if (!has_label(&y->t, l)) xo.lab[xo.n++] = l;
    else if (keep[l]) bt.lab[bt.n++] = l;
    else ct.lab[ct.n++] = l;
  }
  for (i = 0; i < y->t.n; i++)
    if (!has_label(&x->t, y->t.lab[i])) yo.lab[yo.n++] = y->t.lab[i];
  va.buf = vb.buf = ma.buf = mb.buf = p.buf = s.buf = NULL;
  r->a.buf = NULL;
  res = bt;
  for (i = 0; i < xo.n; i++) res.lab[res.n++] = xo.lab[i];
  for (i = 0; i < yo.n; i++) res.lab[res.n++] = yo.lab[i];
  B = prod_labels(&bt, len);
  M = prod_labels(&xo, len);
  N = prod_labels(&yo, len);
  K = prod_labels(&ct, len);
  if (ct.n == 0) {
    /* nothing summed: a broadcast multiply */
    lu_arg yb;
    spread(x, &res, len, &va);
    spread(y, &res, len, &vb);
    yb = lu_arg_array(&vb);
    TRY(lu_sf_ew(ctx, name, LU_OP_multiply, lu_arg_array(&va), &yb, &p));
    r->a = p;
    p.buf = NULL;
    r->t = res;
    r->fresh = 1;
    goto done;
  }
  if (M == 1 && N == 1 &&
      !(lu_array_device(&x->a).type == LU_DEV_CPU &&
        (x->a.dtype == LU_FLOAT32 || x->a.dtype == LU_FLOAT64))) {
    /* a dot product per batch element ("ij,ij->i", "i,i->"): batched 1x1
    ** GEMMs are slow (on the GPU 1.2x PyTorch at 1e4 x 1e4); multiply
    ** and sum over the summed labels instead, which fusion runs as one
    ** pass. Not for float32/float64 on the CPU: its matmul runs these as
    ** one BLAS dot a row, 3.7x faster than a multiply and a sum there
    ** (3162 x 3162 float32: 2.7 ms against 10 ms, as fast as NumPy's
    ** einsum). Both views are in (batch labels, summed labels) order, the
    ** length-1 labels of one operand only after them. float16/bfloat16
    ** multiply and sum in float32 (as their matmul does), the result
    ** rounded once; every other dtype as the matmul ran it: integers
    ** wrap in the result dtype (the sum's 64-bit total keeps the low
    ** bits), bool is or/and (sum then nonzero). */
    lu_reduce_opts ro;
    lu_arg xy[2];
    lu_dtype dt = x->a.dtype;
    int half = dt == LU_FLOAT16 || dt == LU_BFLOAT16;
    ax = bt;
    for (i = 0; i < ct.n; i++) ax.lab[ax.n++] = ct.lab[i];
    to_order(ctx, x, &ax, &ma);
    to_order(ctx, y, &ax, &mb);
    if (half) {
      TRY(lu_astype(ctx, &va, &ma, LU_FLOAT32));
      TRY(lu_astype(ctx, &vb, &mb, LU_FLOAT32));
    } else {
      va = ma; ma.buf = NULL;
      vb = mb; mb.buf = NULL;
    }
    lu_reduce_opts_init(&ro);
    ro.naxes = ct.n;
    for (i = 0; i < ct.n; i++) ro.axes[i] = bt.n + i;
    /* as automatic fusion runs it where it applies (GPU arrays by default):
    ** one kernel that reads both operands once, where the multiply and the
    ** sum wrote and read the product (10^4 x 10^4 float32 took 0.528 ms
    ** so on an H100, PyTorch 0.446) */
    xy[0] = lu_arg_array(&va);
    xy[1] = lu_arg_array(&vb);
    if (lu_lazy_map_reduce(ctx, LU_OP_multiply, 2, xy, LU_RED_sum, ro.naxes, ro.axes, 0, &s)
        != LU_OK) {
      TRY(lu_sf_ew(ctx, name, LU_OP_multiply, xy[0], &xy[1], &p));
      TRY(lu_reduce_ex(ctx, &s, LU_RED_sum, &p, &ro));
      lu_array_release(&p);
    }
    if (s.dtype != dt) TRY(lu_astype(ctx, &p, &s, dt));
    else { p = s; s.buf = NULL; }
    for (i = 0; i < res.n; i++) rshape[i] = len[res.lab[i]];
    TRY(lu_reshape(ctx, &r->a, &p, res.n, rshape));
    r->t = res;
    r->fresh = 1;
    goto done;
  }
  ax = bt;
  for (i = 0; i < xo.n; i++) ax.lab[ax.n++] = xo.lab[i];
  for (i = 0; i < ct.n; i++) ax.lab[ax.n++] = ct.lab[i];
  by = bt;
  for (i = 0; i < ct.n; i++) by.lab[by.n++] = ct.lab[i];
  for (i = 0; i < yo.n; i++) by.lab[by.n++] = yo.lab[i];
  to_order(ctx, x, &ax, &va);
  to_order(ctx, y, &by, &vb);
  sh[0] = B; sh[1] = M; sh[2] = K;
  TRY(lu_reshape(ctx, &ma, &va, 3, sh));
  sh[1] = K; sh[2] = N;
  TRY(lu_reshape(ctx, &mb, &vb, 3, sh));
  TRY(lu_matmul(ctx, &p, &ma, &mb));
  for (i = 0; i < res.n; i++) rshape[i] = len[res.lab[i]];
  TRY(lu_reshape(ctx, &r->a, &p, res.n, rshape));
  r->t = res;
  r->fresh = 1;
done:
  lu_array_release(&va);
  lu_array_release(&vb);
  lu_array_release(&ma);
  lu_array_release(&mb);
  lu_array_release(&p);
  lu_array_release(&s);
  if (st != LU_OK) lu_array_release(&r->a);
  return st;
}

/* {===== the engine */
static void label_str(int l, char *buf) {
  if (l < 26) sprintf(buf, "'%c'", 'A' + l);
  else if (l < ELL) sprintf(buf, "'%c'", 'a' + l - 26);
  else strcpy(buf, "of the ellipsis");
}

/* keep[l] = 1 for the labels of out and of every term but i and j */
static void needed_t(const term *T, int m, int i, int j, const term *out, int *keep) {
  int k, q;
  memset(keep, 0, sizeof(int) * NLAB);
  for (q = 0; q < out->n; q++) keep[out->lab[q]] = 1;
  for (k = 0; k < m; k++)
    if (k != i && k != j)
      for (q = 0; q < T[k].n; q++) keep[T[k].lab[q]] = 1;
}

/* The next pair to contract (greedy): among pairs that share a label, the
** one whose result is smallest compared with its operands; with nothing
** shared, the two smallest. The first such pair on ties. */
static void needed(const tens *T, int m, int i, int j, const term *out, int *keep) {
  term tt[MAXOPS];
  int k;
  for (k = 0; k < m; k++) tt[k] = T[k].t;
  needed_t(tt, m, i, j, out, keep);
}

static void choose(const term *T, int m, const term *outt, const int64_t *len, int *bi, int *bj) {
  int keep[NLAB], i, j, bshare = -1;
  double bcost = 0;
  *bi = 0; *bj = 1;
  for (i = 0; i < m; i++)
    for (j = i + 1; j < m; j++) {
      double rs = 1, cost;
      int share = 0, q;
      needed_t(T, m, i, j, outt, keep);
      for (q = 0; q < T[i].n; q++) {
        int l = T[i].lab[q];
        if (has_label(&T[j], l)) share = 1;
        if (keep[l]) rs *= (double)len[l];
      }
      for (q = 0; q < T[j].n; q++) {
        int l = T[j].lab[q];
        if (keep[l] && !has_label(&T[i], l)) rs *= (double)len[l];
      }
      cost = share ? rs - (double)prod_labels(&T[i], len) - (double)prod_labels(&T[j], len)
                   : (double)prod_labels(&T[i], len) + (double)prod_labels(&T[j], len);
      if (bshare < 0 || share > bshare || (share == bshare && cost < bcost)) {
        *bi = i; *bj = j; bshare = share; bcost = cost;
      }
    }
}

/* The length of each label (-1: unused): equal within an operand,
** broadcast (length 1 against any) across them. */
static int lengths(lu_ctx *ctx, const char *name, int n, const lu_array *const *ops,
                   const term *terms, int64_t *len) {
  int from[NLAB], i, j, k;
  char lb[24];
  for (i = 0; i < NLAB; i++) { len[i] = -1; from[i] = -1; }
  for (i = 0; i < n; i++) {
    int64_t own[NLAB];
    for (k = 0; k < NLAB; k++) own[k] = -1;
    for (j = 0; j < terms[i].n; j++) {
      int l = terms[i].lab[j];
      int64_t d = ops[i]->shape[j];
      if (own[l] >= 0 && own[l] != d) {
        label_str(l, lb);
        return lu_seterr(ctx, LU_ESHAPE,
                         "%s: dimensions in operand %d for collapsing index %s don't match (%lld != %lld)",
                         name, i + 1, lb, (long long)own[l], (long long)d);
      }
      own[l] = d;
    }
    for (k = 0; k < NLAB; k++) {
      if (own[k] < 0) continue;
      if (len[k] < 0 || len[k] == 1) {
        if (len[k] < 0 || own[k] != 1) { len[k] = own[k]; from[k] = i; }
      } else if (own[k] != 1 && own[k] != len[k]) {
        label_str(k, lb);
        return lu_seterr(ctx, LU_ESHAPE,
                         "%s: operands could not be broadcast together: the axis %s has length %lld in operand %d and %lld in operand %d",
                         name, lb, (long long)len[k], from[k] + 1, (long long)own[k], i + 1);
      }
    }
  }
  return LU_OK;
}

/* The contraction of n operands labelled by terms into out's labels (each
** output label once, each present in some term), in dtype dt. Operands
** are cast to dt first (the caller checked that it may). */
static int contract(lu_ctx *ctx, const char *name, lu_array *out, int n,
                    const lu_array *const *ops, const term *terms, const term *outt, lu_dtype dt) {
  tens T[MAXOPS];
  int64_t len[NLAB];
  int keep[NLAB];
  int m = 0, i, j, k, st = LU_OK;
  lu_array fin;
  fin.buf = NULL;
  out->buf = NULL;
  if ((st = lengths(ctx, name, n, ops, terms, len)) != LU_OK) return st;
  /* each operand: cast, one axis per label (diagonals), broadcast */
  for (i = 0; i < n; i++) {
    const lu_array *a = ops[i];
    lu_array c;
    int64_t shape[LU_MAXDIM], strides[LU_MAXDIM];
    term t;
    c.buf = NULL;
    if (a->dtype != dt) {
      if ((st = lu_astype(ctx, &c, a, dt)) != LU_OK) goto done;
      a = &c;
    }
    t.n = 0;
    for (j = 0; j < terms[i].n; j++) {
      int l = terms[i].lab[j];
      for (k = 0; k < t.n && t.lab[k] != l; k++) {}
      if (k == t.n) { t.lab[t.n] = l; shape[t.n] = a->shape[j]; strides[t.n] = 0; t.n++; }
      strides[k] += a->strides[j];
    }
    for (k = 0; k < t.n; k++)
      if (shape[k] != len[t.lab[k]]) { shape[k] = len[t.lab[k]]; strides[k] = 0; }
    make_view(&T[m].a, a, t.n, shape, strides);
    T[m].t = t;
    T[m].fresh = 0;
    m++;
    lu_array_release(&c);
  }
  /* sum away what only one operand has */
  for (i = 0; i < m; i++) {
    needed(T, m, i, i, outt, keep);
    if ((st = sum_out(ctx, name, &T[i], keep)) != LU_OK) goto done;
  }
  /* two at a time: the pair sharing a label whose result is smallest
  ** compared with its operands; with nothing shared, the two smallest */
  while (m > 1) {
    term tt[MAXOPS];
    int bi, bj;
    tens r;
    for (i = 0; i < m; i++) tt[i] = T[i].t;
    choose(tt, m, outt, len, &bi, &bj);
    needed(T, m, bi, bj, outt, keep);
    if ((st = pair(ctx, name, &T[bi], &T[bj], keep, len, &r)) != LU_OK) goto done;
    lu_array_release(&T[bi].a);
    lu_array_release(&T[bj].a);
    for (i = 0, k = 0; i < m; i++) if (i != bi && i != bj) T[k++] = T[i];
    T[k] = r;
    m = k + 1;
  }
  to_order(ctx, &T[0], outt, &fin);
  if (T[0].fresh && lu_array_is_contig(&fin)) { *out = fin; fin.buf = NULL; }
  else if ((st = lu_copy(ctx, out, &fin)) != LU_OK) goto done;
done:
  for (i = 0; i < m; i++) lu_array_release(&T[i].a);
  lu_array_release(&fin);
  if (st != LU_OK) lu_array_release(out);
  return st;
}
/* }===== */

/* {===== einsum */
static int letter(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  return -1;
}

/* One operand's subscripts, s[0..len): the labels with ELL - 1 marking
** where the ellipsis is (-1 at *ell when there is none). */
static int parse_term(lu_ctx *ctx, const char *name, const char *s, size_t len, int opno,
                      int *labs, int *nl, int *ell) {
  size_t i;
  *nl = 0;
  *ell = -1;
  for (i = 0; i < len; i++) {
    int c = (unsigned char)s[i];
    if (c == ' ') continue;
    if (c == '.') {
      if (*ell >= 0 || i + 2 >= len + 0 || s[i + 1] != '.' || s[i + 2] != '.') {
        if (opno > 0)
          return lu_seterr(ctx, LU_EARG, "%s: subscripts string contains a '.' that is not part of an ellipsis ('...') in operand %d",
                           name, opno);
        return lu_seterr(ctx, LU_EARG, "%s: output subscript string contains a '.' that is not part of an ellipsis ('...')",
                         name);
      }
      *ell = *nl;
      i += 2;
      continue;
    }
    if (letter(c) < 0)
      return lu_seterr(ctx, LU_EARG, "%s: invalid subscript '%c' in the subscripts string, subscripts must be letters",
                       name, c);
    if (*nl >= LU_MAXDIM)
      return lu_seterr(ctx, LU_EARG, "%s: too many subscripts in one term (at most %d)", name, LU_MAXDIM);
    labs[(*nl)++] = letter(c);
  }
  return LU_OK;
}

/* Parse subs for the n operands: their terms, the output's, the dtype. */
static int einsum_setup(lu_ctx *ctx, const char *name, const char *subs, int n,
                        const lu_array *const *ops, int dtype, lu_casting casting, term *terms,
                        term *outtp, lu_dtype *dtp) {
  term outt;
  int raw[MAXOPS][LU_MAXDIM], nraw[MAXOPS], ell[MAXOPS];
  int count[NLAB], E = 0, i, j, st;
  const char *arrow = strstr(subs, "->"), *p = subs, *end = arrow ? arrow : subs + strlen(subs);
  lu_dtype dt;
  if (n < 1) return lu_seterr(ctx, LU_EARG, "%s: at least one operand is needed", name);
  if (n > MAXOPS) return lu_seterr(ctx, LU_EARG, "%s: too many operands (at most %d)", name, MAXOPS);
  for (i = 0; i < n; i++) if ((st = lu_sf_open(ctx, ops[i])) != LU_OK) return st;
  for (i = 1; i < n; i++) if ((st = lu_sf_same_dev(ctx, name, ops[0], ops[i])) != LU_OK) return st;
  {
    const char *q;
    for (q = subs; *q; q++)
      if ((*q == '-' || *q == '>') && !(arrow && (q == arrow || q == arrow + 1)))
        return lu_seterr(ctx, LU_EARG, "%s: subscripts string does not contain a proper '->' output specification", name);
  }
  /* the inputs */
  for (i = 0; ; i++) {
    const char *c = memchr(p, ',', (size_t)(end - p));
    const char *e = c ? c : end;
    if (i >= n)
      return lu_seterr(ctx, LU_EARG, "%s: fewer operands provided to einsum than specified in the subscripts string", name);
    if ((st = parse_term(ctx, name, p, (size_t)(e - p), i + 1, raw[i], &nraw[i], &ell[i])) != LU_OK)
      return st;
    if (ell[i] < 0 && nraw[i] != ops[i]->ndim) {
      if (nraw[i] < ops[i]->ndim)
        return lu_seterr(ctx, LU_EARG, "%s: operand %d has more dimensions (%d) than subscripts given (%d), but no '...' ellipsis provided to broadcast the extra dimensions",
                         name, i + 1, ops[i]->ndim, nraw[i]);
      return lu_seterr(ctx, LU_EARG, "%s: subscripts string contains too many subscripts (%d) for operand %d of dimension %d",
                       name, nraw[i], i + 1, ops[i]->ndim);
    }
    if (ell[i] >= 0 && nraw[i] > ops[i]->ndim)
      return lu_seterr(ctx, LU_EARG, "%s: subscripts string contains too many subscripts (%d) for operand %d of dimension %d",
                       name, nraw[i], i + 1, ops[i]->ndim);
    if (ell[i] >= 0 && ops[i]->ndim - nraw[i] > E) E = ops[i]->ndim - nraw[i];
    if (!c) break;
    p = c + 1;
  }
  if (i + 1 < n)
    return lu_seterr(ctx, LU_EARG, "%s: more operands provided to einsum (%d) than specified in the subscripts string (%d)",
                     name, n, i + 1);
  memset(count, 0, sizeof count);
  for (i = 0; i < n; i++) {
    int e = ell[i] >= 0 ? ops[i]->ndim - nraw[i] : 0, k = 0;
    for (j = 0; j < nraw[i] + (ell[i] >= 0); j++) {
      if (j == ell[i]) {
        int q;
        for (q = 0; q < e; q++) terms[i].lab[k++] = ELL + E - e + q;
      }
      if (j < nraw[i]) terms[i].lab[k++] = raw[i][j];
    }
    terms[i].n = k;
    for (j = 0; j < k; j++) count[terms[i].lab[j]]++;
  }
  /* the output */
  outt.n = 0;
  if (arrow) {
    int labs[LU_MAXDIM], nl, oell, seen[NLAB];
    const char *o = arrow + 2;
    if ((st = parse_term(ctx, name, o, strlen(o), 0, labs, &nl, &oell)) != LU_OK) return st;
    if (oell < 0 && E > 0)
      return lu_seterr(ctx, LU_EARG, "%s: output has more dimensions than subscripts given, but no '...' ellipsis provided to broadcast the extra dimensions", name);
    memset(seen, 0, sizeof seen);
    for (j = 0; j < nl + (oell >= 0); j++) {
      if (j == oell) {
        int q;
        for (q = 0; q < E; q++) outt.lab[outt.n++] = ELL + q;
      }
      if (j < nl) {
        char lb[24];
        int l = labs[j];
        label_str(l, lb);
        if (seen[l])
          return lu_seterr(ctx, LU_EARG, "%s: output subscript %s appears more than once", name, lb);
        if (!count[l])
          return lu_seterr(ctx, LU_EARG, "%s: output subscript %s does not appear in an input", name, lb);
        seen[l] = 1;
        if (outt.n >= LU_MAXDIM)
          return lu_seterr(ctx, LU_EARG, "%s: the output has more than %d dimensions", name, LU_MAXDIM);
        outt.lab[outt.n++] = l;
      }
    }
  } else {
    for (j = 0; j < E; j++) outt.lab[outt.n++] = ELL + j;
    for (j = 0; j < ELL; j++)
      if (count[j] == 1) {
        if (outt.n >= LU_MAXDIM)
          return lu_seterr(ctx, LU_EARG, "%s: the output has more than %d dimensions", name, LU_MAXDIM);
        outt.lab[outt.n++] = j;
      }
  }
  /* the dtype */
  dt = ops[0]->dtype;
  for (i = 1; i < n; i++) dt = lu_promote(dt, ops[i]->dtype);
  if (dtype >= 0) {
    for (i = 0; i < n; i++)
      if (!lu_can_cast(ops[i]->dtype, (lu_dtype)dtype, casting))
        return lu_seterr(ctx, LU_ETYPE, "%s: cannot cast operand %d from %s to %s according to the rule '%s'",
                         name, i + 1, lu_dtype_name(ops[i]->dtype), lu_dtype_name((lu_dtype)dtype),
                         lu_casting_name(casting));
    dt = (lu_dtype)dtype;
  }
  *outtp = outt;
  *dtp = dt;
  return LU_OK;
}

int lu_einsum(lu_ctx *ctx, lu_array *out, const char *subs, int n, const lu_array *const *ops,
              int dtype, lu_casting casting) {
  term terms[MAXOPS], outt;
  lu_dtype dt;
  int st;
  out->buf = NULL;
  if ((st = einsum_setup(ctx, "einsum", subs, n, ops, dtype, casting, terms, &outt, &dt)) != LU_OK)
    return st;
  return contract(ctx, "einsum", out, n, ops, terms, &outt, dt);
}

/* {===== einsum_path */
typedef struct sbuf { char *p; size_t size, len; } sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) {
  va_list ap;
  int k;
  if (b->size == 0) return;
  va_start(ap, fmt);
  k = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
  va_end(ap);
  if (k > 0) b->len = b->len + (size_t)k < b->size ? b->len + (size_t)k : b->size - 1;
}

/* a label as a letter: the ellipsis's labels become letters no term uses */
static char lab_char(int l, const int *ellc) {
  if (l < 26) return (char)('A' + l);
  if (l < ELL) return (char)('a' + l - 26);
  return (char)ellc[l - ELL];
}

static void sb_term(sbuf *b, const term *t, const int *ellc) {
  int i;
  for (i = 0; i < t->n; i++) sb_add(b, "%c", lab_char(t->lab[i], ellc));
}

/* The order in which lu_einsum contracts: npairs pairs (path[2k],
** path[2k+1]), 0-based positions in the list of operands as it stands
** then, the result appended at its end (NumPy's einsum_path); a single
** operand is one "pair" (0, -1). report: a description. */
int lu_einsum_path(lu_ctx *ctx, const char *subs, int n, const lu_array *const *ops, int *path,
                   int *npairs, char *report, size_t rsize) {
  term terms[MAXOPS], tt[MAXOPS], outt;
  int64_t len[NLAB];
  int keep[NLAB], used[NLAB], ellc[LU_MAXDIM], m, i, j, st, step = 0, nscal = 0, oscal = 0;
  double largest = 0;
  lu_dtype dt;
  sbuf b;
  b.p = report; b.size = rsize; b.len = 0;
  if (rsize) report[0] = 0;
  *npairs = 0;
  if ((st = einsum_setup(ctx, "einsum_path", subs, n, ops, -1, LU_CAST_SAFE, terms, &outt, &dt)) != LU_OK)
    return st;
  if ((st = lengths(ctx, "einsum_path", n, ops, terms, len)) != LU_OK) return st;
  memset(used, 0, sizeof used);
  for (i = 0; i < n; i++) for (j = 0; j < terms[i].n; j++) used[terms[i].lab[j]] = 1;
  for (i = 0, j = 0; i < LU_MAXDIM; i++) {
    while (j < ELL && used[j]) j++;
    ellc[i] = j < ELL ? lab_char(j, ellc) : '?';
    j++;
  }
  for (i = 0; i < NLAB; i++) if (used[i]) nscal++;
  sb_add(&b, "  Complete contraction:  ");
  for (i = 0; i < n; i++) { if (i) sb_add(&b, ","); sb_term(&b, &terms[i], ellc); }
  sb_add(&b, "->");
  sb_term(&b, &outt, ellc);
  sb_add(&b, "\n");
  /* one axis per distinct label, the labels only one operand needs gone */
  for (i = 0; i < n; i++) {
    tt[i].n = 0;
    for (j = 0; j < terms[i].n; j++)
      if (!has_label(&tt[i], terms[i].lab[j])) tt[i].lab[tt[i].n++] = terms[i].lab[j];
  }
  m = n;
  for (i = 0; i < m; i++) {
    term k;
    needed_t(tt, m, i, i, &outt, keep);
    k.n = 0;
    for (j = 0; j < tt[i].n; j++) if (keep[tt[i].lab[j]]) k.lab[k.n++] = tt[i].lab[j];
    tt[i] = k;
  }
  if (m == 1) {
    path[0] = 0; path[1] = -1;
    *npairs = 1;
    oscal = nscal;
  }
  while (m > 1) {
    term r, u;
    int bi, bj, q;
    choose(tt, m, &outt, len, &bi, &bj);
    needed_t(tt, m, bi, bj, &outt, keep);
    u = tt[bi];
    for (q = 0; q < tt[bj].n; q++) if (!has_label(&u, tt[bj].lab[q])) u.lab[u.n++] = tt[bj].lab[q];
    r.n = 0;
    for (q = 0; q < u.n; q++) if (keep[u.lab[q]]) r.lab[r.n++] = u.lab[q];
    if (u.n > oscal) oscal = u.n;
    if ((double)prod_labels(&r, len) > largest) largest = (double)prod_labels(&r, len);
    path[2 * step] = bi;
    path[2 * step + 1] = bj;
    step++;
    sb_add(&b, "  step %d: ", step);
    sb_term(&b, &tt[bi], ellc);
    sb_add(&b, ",");
    sb_term(&b, &tt[bj], ellc);
    sb_add(&b, "->");
    sb_term(&b, &r, ellc);
    sb_add(&b, "\n");
    for (i = 0, q = 0; i < m; i++) if (i != bi && i != bj) tt[q++] = tt[i];
    tt[q] = r;
    m = q + 1;
  }
  *npairs = step ? step : 1;
  sb_add(&b, "         Naive scaling:  %d\n", nscal);
  sb_add(&b, "     Optimized scaling:  %d\n", oscal);
  sb_add(&b, "  Largest intermediate:  %.0f elements\n", largest);
  (void)dt;
  return LU_OK;
}
/* }===== */

/* }===== */

/* {===== the two-operand contractions */
static int two(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *b) {
  int st;
  if ((st = lu_sf_open(ctx, a)) != LU_OK || (st = lu_sf_open(ctx, b)) != LU_OK) return st;
  return lu_sf_same_dev(ctx, name, a, b);
}

static int contract2(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                     const lu_array *b, const term *ta, const term *tb, const term *to) {
  const lu_array *ops[2];
  term t[2];
  ops[0] = a; ops[1] = b;
  t[0] = *ta; t[1] = *tb;
  return contract(ctx, name, out, 2, ops, t, to, lu_promote(a->dtype, b->dtype));
}

/* axa, axb: 0-based, already in range */
int lu_tensordot(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b, int naxes,
                 const int *axa, const int *axb) {
  static const char *name = "tensordot";
  term ta, tb, to;
  int i, j, st, used_a[LU_MAXDIM], used_b[LU_MAXDIM];
  out->buf = NULL;
  if ((st = two(ctx, name, a, b)) != LU_OK) return st;
  memset(used_a, 0, sizeof used_a);
  memset(used_b, 0, sizeof used_b);
  for (i = 0; i < naxes; i++) {
    if (used_a[axa[i]] || used_b[axb[i]])
      return lu_seterr(ctx, LU_EARG, "%s: an axis is summed over more than once", name);
    used_a[axa[i]] = used_b[axb[i]] = 1;
    if (a->shape[axa[i]] != b->shape[axb[i]])
      return lu_seterr(ctx, LU_ESHAPE, "%s: shape-mismatch for sum: axis %d of a has length %lld, axis %d of b has length %lld",
                       name, axa[i] + 1, (long long)a->shape[axa[i]], axb[i] + 1,
                       (long long)b->shape[axb[i]]);
  }
  /* a's axes are labels 0.., b's free ones after them */
  ta.n = a->ndim;
  for (i = 0; i < a->ndim; i++) ta.lab[i] = i;
  tb.n = b->ndim;
  for (j = 0; j < b->ndim; j++) tb.lab[j] = a->ndim + j;
  for (i = 0; i < naxes; i++) tb.lab[axb[i]] = axa[i];
  to.n = 0;
  for (i = 0; i < a->ndim; i++) if (!used_a[i]) to.lab[to.n++] = i;
  for (j = 0; j < b->ndim; j++) if (!used_b[j]) to.lab[to.n++] = a->ndim + j;
  if (to.n > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: the result would have %d dimensions (at most %d)", name, to.n, LU_MAXDIM);
  return contract2(ctx, name, out, a, b, &ta, &tb, &to);
}

/* a product with no sum (a 0-d operand, outer, kron): the broadcast
** multiply, in the promoted dtype */
static int times(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                 const lu_array *b) {
  lu_arg y = lu_arg_array(b);
  return lu_sf_ew(ctx, name, LU_OP_multiply, lu_arg_array(a), &y, out);
}

int lu_inner(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  static const char *name = "inner";
  int axa, axb, st;
  char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
  out->buf = NULL;
  if ((st = two(ctx, name, a, b)) != LU_OK) return st;
  if (a->ndim == 0 || b->ndim == 0) return times(ctx, name, out, a, b);
  axa = a->ndim - 1;
  axb = b->ndim - 1;
  if (a->shape[axa] != b->shape[axb])
    return lu_seterr(ctx, LU_ESHAPE, "%s: shapes %s and %s not aligned: %lld (dim %d) != %lld (dim %d)",
                     name, lu_shape_str(a->ndim, a->shape, s1, sizeof s1),
                     lu_shape_str(b->ndim, b->shape, s2, sizeof s2), (long long)a->shape[axa], axa + 1,
                     (long long)b->shape[axb], axb + 1);
  return lu_tensordot(ctx, out, a, b, 1, &axa, &axb);
}

int lu_dot(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  static const char *name = "dot";
  int axa, axb, st;
  char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
  out->buf = NULL;
  if ((st = two(ctx, name, a, b)) != LU_OK) return st;
  if (a->ndim == 0 || b->ndim == 0) return times(ctx, name, out, a, b);
  axa = a->ndim - 1;
  axb = b->ndim == 1 ? 0 : b->ndim - 2;
  if (a->shape[axa] != b->shape[axb])
    return lu_seterr(ctx, LU_ESHAPE, "%s: shapes %s and %s not aligned: %lld (dim %d) != %lld (dim %d)",
                     name, lu_shape_str(a->ndim, a->shape, s1, sizeof s1),
                     lu_shape_str(b->ndim, b->shape, s2, sizeof s2), (long long)a->shape[axa], axa + 1,
                     (long long)b->shape[axb], axb + 1);
  if (a->ndim <= 2 && b->ndim <= 2) return lu_matmul(ctx, out, a, b);
  return lu_tensordot(ctx, out, a, b, 1, &axa, &axb);
}

int lu_vdot(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  static const char *name = "vdot";
  lu_array fa, fb;
  term ta, tb, to;
  int st;
  out->buf = NULL;
  if ((st = two(ctx, name, a, b)) != LU_OK) return st;
  if (a->size != b->size)
    return lu_seterr(ctx, LU_ESHAPE, "%s: the arrays must have the same number of elements, got %lld and %lld",
                     name, (long long)a->size, (long long)b->size);
  fa.buf = fb.buf = NULL;
  if (lu_dtype_kind(a->dtype) == 'c') {
    /* NumPy's vdot conjugates its first argument */
    lu_array cj;
    if ((st = lu_sf_ew(ctx, name, LU_OP_conjugate, lu_arg_array(a), NULL, &cj)) != LU_OK) return st;
    st = lu_sf_flat(ctx, &cj, &fa);
    lu_array_release(&cj);
  } else {
    st = lu_sf_flat(ctx, a, &fa);
  }
  if (st == LU_OK && (st = lu_sf_flat(ctx, b, &fb)) == LU_OK) {
    ta.n = tb.n = 1;
    ta.lab[0] = tb.lab[0] = 0;
    to.n = 0;
    st = contract2(ctx, name, out, &fa, &fb, &ta, &tb, &to);
  }
  lu_array_release(&fa);
  lu_array_release(&fb);
  return st;
}

int lu_outer(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  static const char *name = "outer";
  lu_array fa, fb, ca, cb;
  int64_t sh[2];
  int st;
  out->buf = NULL;
  if ((st = two(ctx, name, a, b)) != LU_OK) return st;
  fa.buf = fb.buf = ca.buf = cb.buf = NULL;
  sh[0] = a->size; sh[1] = 1;
  if ((st = lu_sf_flat(ctx, a, &fa)) == LU_OK && (st = lu_reshape(ctx, &ca, &fa, 2, sh)) == LU_OK) {
    sh[0] = 1; sh[1] = b->size;
    if ((st = lu_sf_flat(ctx, b, &fb)) == LU_OK && (st = lu_reshape(ctx, &cb, &fb, 2, sh)) == LU_OK)
      st = times(ctx, name, out, &ca, &cb);
  }
  lu_array_release(&fa);
  lu_array_release(&fb);
  lu_array_release(&ca);
  lu_array_release(&cb);
  return st;
}

/* kron: a's axis k and b's axis k (both padded with leading length-1
** axes to the same count) become one axis of length a_k * b_k, a's index
** the slower: the outer product with the axes interleaved, reshaped */
int lu_kron(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  static const char *name = "kron";
  int nd = a->ndim > b->ndim ? a->ndim : b->ndim, i, st;
  int64_t sa[LU_MAXDIM], sb[LU_MAXDIM], shape[LU_MAXDIM];
  lu_array va, vb, p;
  out->buf = NULL;
  if ((st = two(ctx, name, a, b)) != LU_OK) return st;
  if (2 * nd > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: operands of more than %d dimensions are not supported", name, LU_MAXDIM / 2);
  va.buf = vb.buf = p.buf = NULL;
  /* a as (a_1, 1, a_2, 1, ...), b as (1, b_1, 1, b_2, ...) */
  for (i = 0; i < nd; i++) {
    int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
    int64_t la = ia >= 0 ? a->shape[ia] : 1, lb = ib >= 0 ? b->shape[ib] : 1;
    sa[2 * i] = la; sa[2 * i + 1] = 1;
    sb[2 * i] = 1; sb[2 * i + 1] = lb;
    shape[i] = la * lb;
  }
  if ((st = lu_reshape(ctx, &va, a, 2 * nd, sa)) == LU_OK &&
      (st = lu_reshape(ctx, &vb, b, 2 * nd, sb)) == LU_OK &&
      (st = times(ctx, name, &p, &va, &vb)) == LU_OK)
    st = lu_reshape(ctx, out, &p, nd, shape);
  lu_array_release(&va);
  lu_array_release(&vb);
  lu_array_release(&p);
  return st;
}
/* }===== */

/* {===== vecdot, matvec, vecmat: NumPy 2's gufuncs, (n),(n)->(),
** (m,n),(n)->(m) and (n),(n,m)->(m), the other axes broadcast. The core
** axes are the last ones (vecdot: axis, 0-based in each operand, moved
** last first). */
static int gufunc(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                  const lu_array *b, int ca, int cb, const char *sig) {
  /* ca, cb: core axes of a and b; the core labels: m = 0, n = 1, k = 2 */
  const lu_array *ops[2];
  term t[2], to;
  int ba = a->ndim - ca, bb = b->ndim - cb, E = ba > bb ? ba : bb, i;
  if (a->ndim < ca || b->ndim < cb)
    return lu_seterr(ctx, LU_EARG, "%s: operand %d does not have enough dimensions (has %d, the signature %s needs %d)",
                     name, a->ndim < ca ? 1 : 2, a->ndim < ca ? a->ndim : b->ndim, sig,
                     a->ndim < ca ? ca : cb);
  t[0].n = t[1].n = to.n = 0;
  for (i = 0; i < ba; i++) t[0].lab[t[0].n++] = ELL + E - ba + i;
  for (i = 0; i < bb; i++) t[1].lab[t[1].n++] = ELL + E - bb + i;
  for (i = 0; i < E; i++) to.lab[to.n++] = ELL + i;
  if (ca == 2) {             /* matvec: (m,n),(n)->(m) */
    t[0].lab[t[0].n++] = 0; t[0].lab[t[0].n++] = 1;
    t[1].lab[t[1].n++] = 1;
    to.lab[to.n++] = 0;
  } else if (cb == 2) {      /* vecmat: (n),(n,m)->(m) */
    t[0].lab[t[0].n++] = 1;
    t[1].lab[t[1].n++] = 1; t[1].lab[t[1].n++] = 0;
    to.lab[to.n++] = 0;
  } else {                   /* vecdot: (n),(n)->() */
    t[0].lab[t[0].n++] = 1;
    t[1].lab[t[1].n++] = 1;
  }
  {
    int64_t la = a->shape[ca == 2 ? a->ndim - 1 : a->ndim - 1];
    int64_t lb = b->shape[cb == 2 ? b->ndim - 2 : b->ndim - 1];
    if (la != lb)
      return lu_seterr(ctx, LU_ESHAPE, "%s: the core dimension n of the signature %s has length %lld in operand 1 and %lld in operand 2",
                       name, sig, (long long)la, (long long)lb);
  }
  ops[0] = a; ops[1] = b;
  return contract(ctx, name, out, 2, ops, t, &to, lu_promote(a->dtype, b->dtype));
}

int lu_vecdot(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b, int axis) {
  static const char *name = "vecdot";
  lu_array va, vb;
  int perm[LU_MAXDIM], st, i, k;
  out->buf = NULL;
  if ((st = two(ctx, name, a, b)) != LU_OK) return st;
  if (a->ndim == 0 || b->ndim == 0)
    return lu_seterr(ctx, LU_EARG, "%s: operand %d does not have enough dimensions (has 0, the signature (n),(n)->() needs 1)",
                     name, a->ndim == 0 ? 1 : 2);
  /* axis: negative counts from the end of each operand */
  for (k = 0; k < 2; k++) {
    const lu_array *x = k ? b : a;
    int ax = axis < 0 ? x->ndim + axis : axis;
    if (ax < 0 || ax >= x->ndim)
      return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d", name,
                       axis < 0 ? axis : axis + 1, x->ndim);
  }
  va.buf = vb.buf = NULL;
  for (k = 0; k < 2; k++) {
    const lu_array *x = k ? b : a;
    int ax = axis < 0 ? x->ndim + axis : axis, q = 0;
    for (i = 0; i < x->ndim; i++) if (i != ax) perm[q++] = i;
    perm[q] = ax;
    if ((st = lu_transpose(ctx, k ? &vb : &va, x, perm)) != LU_OK) goto done;
  }
  if (lu_dtype_kind(va.dtype) == 'c') {   /* NumPy 2's vecdot conjugates x1 */
    lu_array cj;
    if ((st = lu_sf_ew(ctx, name, LU_OP_conjugate, lu_arg_array(&va), NULL, &cj)) != LU_OK) goto done;
    lu_array_release(&va);
    va = cj;
  }
  st = gufunc(ctx, name, out, &va, &vb, 1, 1, "(n),(n)->()");
done:
  lu_array_release(&va);
  lu_array_release(&vb);
  return st;
}

int lu_matvec(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  int st;
  out->buf = NULL;
  if ((st = two(ctx, "matvec", a, b)) != LU_OK) return st;
  return gufunc(ctx, "matvec", out, a, b, 2, 1, "(m,n),(n)->(m)");
}

int lu_vecmat(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  int st;
  lu_array cj;
  out->buf = NULL;
  if ((st = two(ctx, "vecmat", a, b)) != LU_OK) return st;
  if (lu_dtype_kind(a->dtype) != 'c') return gufunc(ctx, "vecmat", out, a, b, 1, 2, "(n),(n,m)->(m)");
  /* NumPy 2's vecmat conjugates the vector */
  if ((st = lu_sf_ew(ctx, "vecmat", LU_OP_conjugate, lu_arg_array(a), NULL, &cj)) != LU_OK) return st;
  st = gufunc(ctx, "vecmat", out, &cj, b, 1, 2, "(n),(n,m)->(m)");
  lu_array_release(&cj);
  return st;
}
/* }===== */
