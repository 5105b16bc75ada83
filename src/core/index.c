/* SPDX-License-Identifier: MIT */
/*
** Indexing with keys: NumPy's basic and advanced indexing, in Lua's
** positions (1-based, negative from the end, inclusive ranges), for
** reading (a[key]), writing (a[key] = v) and accumulating (ufunc.at:
** add_at ...), and the routines that are gathers or scatters underneath:
** take, put, take_along_axis, put_along_axis, choose. Boolean masks that
** cover the whole array, nonzero and the mask routines are in mask.c.
**
** A key is resolved into a plan: the view that its basic entries
** (integers, ranges, newaxis, ellipsis) select, plus the index arrays (a
** boolean mask becomes the arrays of its nonzero coordinates). With no
** arrays the result is that view. Otherwise the result's dims are the
** view's other axes with the broadcast shape of the index arrays put where
** the first of them was, or in front when they were not adjacent in the
** key (NumPy's rule; integers count as index arrays then). The work is
** one lu_gather_call over the result's dims (lu_backend.h).
*/
#include <stdio.h>
#include <string.h>
#include "lu_internal.h"

/* {====================================================== messages */
static int oob(lu_ctx *ctx, const char *name, int64_t v, int axis, int64_t n) {
  if (axis > 0)
    return lu_seterr(ctx, LU_EINDEX, "%s%sindex %lld is out of bounds for axis %d with size %lld",
                     name, *name ? ": " : "", (long long)v, axis, (long long)n);
  return lu_seterr(ctx, LU_EINDEX, "%s%sindex %lld is out of bounds for size %lld",
                   name, *name ? ": " : "", (long long)v, (long long)n);
}

static int closed(lu_ctx *ctx) {
  return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
}

static int devmix(lu_ctx *ctx, const char *name, lu_device a, lu_device b) {
  char s1[16], s2[16];
  return lu_seterr(ctx, LU_EDEVICE, "%s: arrays on different devices: %s and %s",
                   *name ? name : "index", lu_device_str(a, s1), lu_device_str(b, s2));
}

static int isint_dtype(lu_dtype dt) {
  return lu_dtype_kind(dt) == 'i' || lu_dtype_kind(dt) == 'u';
}
/* }====================================================== */

/* {====================================================== plans */
typedef struct plan {
  lu_array v;                    /* a after the basic entries */
  int nidx;
  lu_array idx[LU_MAXIDX];       /* the index arrays (owned references) */
  int vaxis[LU_MAXIDX];          /* the axis of v that each one indexes */
  int uaxis[LU_MAXIDX];          /* the axis of a, 1-based, for messages */
  int base[LU_MAXIDX];           /* 1: Lua positions; 0: computed here */
  int first;                     /* result axis where the index dims go */
} plan;

static void plan_free(plan *p) {
  int k;
  lu_array_release(&p->v);
  for (k = 0; k < p->nidx; k++) lu_array_release(&p->idx[k]);
  p->nidx = 0;
}

/* Replace p->v by the view that f made of it (f wrote into tmp). */
static int swap_view(plan *p, lu_array *tmp, int st) {
  if (st != LU_OK) return st;
  lu_array_release(&p->v);
  p->v = *tmp;
  return LU_OK;
}

/* An inclusive Lua range as NumPy's normalised slice of an axis of n
** elements (stop -1 with a negative step means "through element 0");
** bounds past the ends are clipped as NumPy clips slices. A one-element
** range {k} is the single position k, checked like an integer. */
static int range_slice(lu_ctx *ctx, const char *name, const lu_key *e, int64_t n,
                       int axis, int64_t *start, int64_t *stop, int64_t *step) {
  int64_t s, t, st = e->has[2] ? e->r[2] : 1;
  if (e->single) {
    int64_t v = e->r[0], p = v < 0 ? v + n : v - 1;
    if (p < 0 || p >= n) return oob(ctx, name, v, axis, n);
    *start = p; *stop = p + 1; *step = 1;
    return LU_OK;
  }
  if (st == 0) return lu_seterr(ctx, LU_EARG, "%s%srange step cannot be zero",
                                name, *name ? ": " : "");
  s = e->has[0] ? e->r[0] : (st > 0 ? 1 : -1);
  t = e->has[1] ? e->r[1] : (st > 0 ? -1 : 1);
  s = s < 0 ? s + n : s - 1;     /* 0-based, inclusive */
  t = t < 0 ? t + n : t - 1;
  /* clipped before the exclusive stop is formed: t may be as low as
  ** math.mininteger (+ n, with n 0) or as high as math.maxinteger - 1 */
  if (st > 0) {
    s = s < 0 ? 0 : s > n ? n : s;
    t = t < 0 ? 0 : t >= n ? n : t + 1;
    if (t < s) t = s;
  } else {
    s = s < -1 ? -1 : s > n - 1 ? n - 1 : s;
    t = t < 0 ? -1 : t > n ? n - 1 : t - 1;
    if (t > s) t = s;
  }
  *start = s; *stop = t; *step = st;
  return LU_OK;
}

/* Add index array ix (a reference is taken) for axis vax of the view. */
static int add_index(lu_ctx *ctx, plan *p, const lu_array *ix, int vax, int uax, int base) {
  if (p->nidx >= LU_MAXIDX)
    return lu_seterr(ctx, LU_EINDEX, "index: too many index arrays (at most %d)", LU_MAXIDX);
  lu_array_share(&p->idx[p->nidx], ix);
  p->vaxis[p->nidx] = vax;
  p->uaxis[p->nidx] = uax;
  p->base[p->nidx] = base;
  p->nidx++;
  return LU_OK;
}

/* A k-d boolean mask on axes vax.. of the view: k index arrays, the rows
** of its nonzero coordinates (0-based). A 0-d mask adds an axis of length
** 1 (true) or 0 (false) that a zero index selects, as NumPy does. */
static int add_mask(lu_ctx *ctx, const char *name, plan *p, const lu_array *m, int *vax,
                    int *aax) {
  lu_array nz, row;
  int i, st, k = m->ndim;
  if (k == 0) {
    unsigned char t = 0;
    int64_t cnt;
    lu_array tmp, z;
    lu_scalar zero = {'i', 0, 0};
    if ((st = lu_to_host(ctx, m, &t)) != LU_OK) return st;
    if ((st = swap_view(p, &tmp, lu_expand_dims(ctx, &tmp, &p->v, *vax))) != LU_OK) return st;
    cnt = t ? 1 : 0;
    if ((st = lu_full(ctx, &z, LU_INT64, 1, &cnt, lu_array_device(&p->v), zero)) != LU_OK)
      return st;
    st = add_index(ctx, p, &z, *vax, *aax + 1, 0);
    lu_array_release(&z);
    (*vax)++;
    return st;
  }
  if (*vax + k > p->v.ndim)
    return lu_seterr(ctx, LU_EINDEX, "%s%stoo many indices for array: the boolean index has %d dimensions but only %d are left",
                     name, *name ? ": " : "", k, p->v.ndim - *vax);
  for (i = 0; i < k; i++)
    if (m->shape[i] != p->v.shape[*vax + i])
      return lu_seterr(ctx, LU_EINDEX,
                       "%s%sboolean index did not match indexed array along axis %d; size of axis is %lld but size of corresponding boolean axis is %lld",
                       name, *name ? ": " : "", *aax + i + 1,
                       (long long)p->v.shape[*vax + i], (long long)m->shape[i]);
  if ((st = lu_nonzero(ctx, &nz, m, 0)) != LU_OK) return st;
  for (i = 0; i < k && st == LU_OK; i++) {
    if ((st = lu_take_index(ctx, &row, &nz, 0, i)) != LU_OK) break;
    st = add_index(ctx, p, &row, *vax + i, *aax + i + 1, 0);
    lu_array_release(&row);
  }
  lu_array_release(&nz);
  *vax += k;
  *aax += k;
  return st;
}

/* Resolve key against a into p (released on failure). */
static int resolve(lu_ctx *ctx, const char *name, const lu_array *a, int n, const lu_key *key,
                   plan *p) {
  int j, st = LU_OK, count = 0, nell = 0, anyarr = 0, vax = 0, aax = 0, ell;
  int last = -2, adjacent = 1;
  p->v.buf = NULL;             /* no memset: a[i] in a loop comes here */
  p->nidx = 0;
  p->first = -1;
  if (a->buf == NULL) return closed(ctx);
  for (j = 0; j < n; j++) {
    const lu_key *e = &key[j];
    switch (e->kind) {
      case LU_KEY_INT: case LU_KEY_RANGE: count++; break;
      case LU_KEY_ELLIPSIS: nell++; break;
      case LU_KEY_NEWAXIS: break;
      case LU_KEY_ARRAY:
        if (e->arr == NULL || e->arr->buf == NULL) return closed(ctx);
        anyarr = 1;
        if (e->arr->dtype == LU_BOOL) count += e->arr->ndim;
        else if (isint_dtype(e->arr->dtype)) count++;
        else return lu_seterr(ctx, LU_EINDEX, "%s%sarrays used as indices must be of integer (or boolean) type, got %s",
                              name, *name ? ": " : "", lu_dtype_name(e->arr->dtype));
        if (!lu_device_eq(lu_array_device(e->arr), lu_array_device(a)))
          return devmix(ctx, name, lu_array_device(a), lu_array_device(e->arr));
        break;
      default:
        return lu_seterr(ctx, LU_EARG, "index: bad key entry %d", j + 1);
    }
  }
  if (nell > 1)
    return lu_seterr(ctx, LU_EINDEX, "%s%san index can only have a single ellipsis",
                     name, *name ? ": " : "");
  if (count > a->ndim)
    return lu_seterr(ctx, LU_EINDEX, "%s%stoo many indices for array: array is %d-dimensional, but %d were indexed",
                     name, *name ? ": " : "", a->ndim, count);
  ell = a->ndim - count;
  lu_array_share(&p->v, a);
  for (j = 0; j < n && st == LU_OK; j++) {
    const lu_key *e = &key[j];
    lu_array tmp;
    int adv = e->kind == LU_KEY_ARRAY || (e->kind == LU_KEY_INT && anyarr);
    if (adv) {
      if (p->first < 0) p->first = vax;
      if (last >= 0 && last != j - 1) adjacent = 0;
      last = j;
    }
    switch (e->kind) {
      case LU_KEY_INT: {
        int64_t sz = p->v.shape[vax], v = e->i, q = v < 0 ? v + sz : v - 1;
        if (q < 0 || q >= sz) { st = oob(ctx, name, v, aax + 1, sz); break; }
        st = swap_view(p, &tmp, lu_take_index(ctx, &tmp, &p->v, vax, q));
        aax++;
        break;
      }
      case LU_KEY_RANGE: {
        int64_t s = 0, t = 0, step = 1;
        st = range_slice(ctx, name, e, p->v.shape[vax], aax + 1, &s, &t, &step);
        if (st == LU_OK) st = swap_view(p, &tmp, lu_slice(ctx, &tmp, &p->v, vax, s, t, step));
        vax++;
        aax++;
        break;
      }
      case LU_KEY_NEWAXIS:
        if (p->v.ndim >= LU_MAXDIM) {
          st = lu_seterr(ctx, LU_EINDEX, "%s%sthe result would have more than %d dimensions",
                         name, *name ? ": " : "", LU_MAXDIM);
          break;
        }
        st = swap_view(p, &tmp, lu_expand_dims(ctx, &tmp, &p->v, vax));
        vax++;
        break;
      case LU_KEY_ELLIPSIS:
        vax += ell;
        aax += ell;
        break;
      default:   /* LU_KEY_ARRAY */
        if (e->arr->dtype == LU_BOOL) st = add_mask(ctx, name, p, e->arr, &vax, &aax);
        else { st = add_index(ctx, p, e->arr, vax, aax + 1, 1); vax++; aax++; }
        break;
    }
  }
  if (st != LU_OK) { plan_free(p); return st; }
  if (!adjacent || p->first < 0) p->first = 0;
  return LU_OK;
}
/* }====================================================== */

/* {====================================================== calls */
/* Drop length-1 dims and merge neighbours that are contiguous with each
** other in every operand (arr, other, key, the index arrays). C order is
** kept, so the linear index of a coordinate does not change. */
static void merge(lu_gather_call *c) {
  int64_t sh[LU_MAXDIM], as[LU_MAXDIM], os[LU_MAXDIM], ks[LU_MAXDIM];
  int64_t is[LU_MAXIDX][LU_MAXDIM];
  int m = 0, d, k;
  for (d = c->ndim - 1; d >= 0; d--) {
    int ok = m > 0;
    if (c->shape[d] == 1) continue;
    if (ok) {
      int64_t n = sh[m - 1];
      ok = c->arr_strides[d] == as[m - 1] * n && c->other_strides[d] == os[m - 1] * n &&
           c->key_strides[d] == ks[m - 1] * n;
      for (k = 0; ok && k < c->nidx; k++) ok = c->idx_strides[k][d] == is[k][m - 1] * n;
    }
    if (ok) { sh[m - 1] *= c->shape[d]; continue; }
    sh[m] = c->shape[d];
    as[m] = c->arr_strides[d];
    os[m] = c->other_strides[d];
    ks[m] = c->key_strides[d];
    for (k = 0; k < c->nidx; k++) is[k][m] = c->idx_strides[k][d];
    m++;
  }
  if (m == 0) {
    sh[0] = 1; as[0] = os[0] = ks[0] = 0;
    for (k = 0; k < c->nidx; k++) is[k][0] = 0;
    m = 1;
  }
  c->ndim = m;
  for (d = 0; d < m; d++) {
    c->shape[d] = sh[m - 1 - d];
    c->arr_strides[d] = as[m - 1 - d];
    c->other_strides[d] = os[m - 1 - d];
    c->key_strides[d] = ks[m - 1 - d];
    for (k = 0; k < c->nidx; k++) c->idx_strides[k][d] = is[k][m - 1 - d];
  }
}

/* Row-major element strides of a shape (a virtual contiguous copy). */
static void virt_strides(int ndim, const int64_t *shape, int64_t *st) {
  int64_t s = 1;
  int i;
  for (i = ndim - 1; i >= 0; i--) { st[i] = s; s *= shape[i] > 0 ? shape[i] : 1; }
}

/* Strides of array x aligned to the right of an nd-dim shape, 0 where x
** is broadcast. */
static void bstrides(const lu_array *x, int nd, const int64_t *shape, int64_t *st) {
  int i, off = nd - x->ndim;
  for (i = 0; i < nd; i++)
    st[i] = (i < off || x->shape[i - off] == 1 || shape[i] == 1) ? 0 : x->strides[i - off];
}

/* The call of plan p (its shape is the result's) without the other
** operand: *rnd/rshape receive the result shape. */
static int plan_call(lu_ctx *ctx, const char *name, plan *p, int mode, lu_gather_call *c,
                     int *rnd, int64_t *rshape) {
  const lu_array *ix[LU_MAXIDX];
  int64_t bshape[LU_MAXDIM], vst[LU_MAXDIM];
  int rest[LU_MAXDIM], nrest = 0, bnd = 0, d, k, i, st, used[LU_MAXDIM] = {0};
  for (k = 0; k < p->nidx; k++) { ix[k] = &p->idx[k]; used[p->vaxis[k]] = 1; }
  if ((st = lu_broadcast_named(ctx, *name ? name : "index", p->nidx, ix, &bnd, bshape)) != LU_OK) {
    /* NumPy's wording for this case */
    char msg[LU_ERRLEN];
    const char *m = lu_ctx_errmsg(ctx), *w = strstr(m, "shapes");
    snprintf(msg, sizeof msg, "%s%sshape mismatch: indexing arrays could not be broadcast together with %s",
             name, *name ? ": " : "", w ? w : m);
    return lu_seterr(ctx, LU_EINDEX, "%s", msg);
  }
  for (i = 0; i < p->v.ndim; i++) if (!used[i]) rest[nrest++] = i;
  if (nrest + bnd > LU_MAXDIM)
    return lu_seterr(ctx, LU_EINDEX, "%s%sthe result would have more than %d dimensions",
                     name, *name ? ": " : "", LU_MAXDIM);
  virt_strides(p->v.ndim, p->v.shape, vst);
  memset(c, 0, sizeof *c);
  c->name = name;
  c->mode = mode;
  c->dt = p->v.dtype;
  c->arr = lu_array_data(&p->v);
  c->dev = lu_array_device(&p->v);
  c->nidx = p->nidx;
  c->nkey = p->v.size;
  c->ndim = nrest + bnd;
  for (d = 0, i = 0; d < c->ndim; d++) {
    int inb = d >= p->first && d < p->first + bnd;
    if (inb) {
      int j = d - p->first;
      c->shape[d] = bshape[j];
      for (k = 0; k < p->nidx; k++) {
        int off = bnd - p->idx[k].ndim;
        c->idx_strides[k][d] = (j < off || p->idx[k].shape[j - off] == 1) ? 0
                               : p->idx[k].strides[j - off];
      }
    } else {
      int ax = rest[i++];
      c->shape[d] = p->v.shape[ax];
      c->arr_strides[d] = p->v.strides[ax];
      c->key_strides[d] = vst[ax];
    }
    rshape[d] = c->shape[d];
  }
  c->n = 1;
  for (d = 0; d < c->ndim; d++) c->n *= c->shape[d];
  for (k = 0; k < p->nidx; k++) {
    c->idx_dt[k] = p->idx[k].dtype;
    c->idx_ptr[k] = lu_array_data(&p->idx[k]);
    c->idx_size[k] = p->v.shape[p->vaxis[k]];
    c->ax_stride[k] = p->v.strides[p->vaxis[k]];
    c->key_ax[k] = vst[p->vaxis[k]];
    c->idx_base[k] = p->base[k];
    c->idx_axis[k] = p->uaxis[k];
  }
  *rnd = c->ndim;
  return LU_OK;
}

static const lu_index_family *index_family(lu_ctx *ctx, const char *name, lu_device dev,
                                           int scatter) {
  const char *nm = *name ? name : "index";
  const lu_index_family *fam = lu_family(ctx, nm, dev, index);
  if (fam == NULL) return NULL;
  if ((scatter ? fam->scatter : fam->gather) == NULL) { lu_unavailable(ctx, nm, dev); return NULL; }
  return fam;
}

/* out = the gather of call c (other and its strides filled here); out is
** a new array of shape (nd, shape). arr is the indexed array and idx its
** c->nidx index arrays (for the debug build's check). */
static int run_gather(lu_ctx *ctx, lu_gather_call *c, lu_array *out, int nd,
                      const int64_t *shape, const lu_array *arr, const lu_array *idx) {
  const lu_index_family *fam;
  int st = lu_empty(ctx, out, c->dt, nd, shape, c->dev);
  if (st != LU_OK) return st;
  if (c->n == 0) return LU_OK;
  if ((fam = index_family(ctx, c->name, c->dev, 0)) == NULL) {
    st = ctx->err;
    lu_array_release(out);
    return st;
  }
  c->other = lu_array_data(out);
  memcpy(c->other_strides, out->strides, sizeof(int64_t) * (size_t)nd);
  merge(c);
  lu_check_gather(ctx, c, 0, arr, idx, out);
  st = fam->gather(ctx, c);
  if (st == LU_OK) st = lu_after_op(ctx, c->dev);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* Two views may share memory. */
static int shares(const lu_array *x, const lu_array *y) {
  return x->buf != NULL && x->buf == y->buf;
}

/* The values of a scatter as an array of dtype dt on dev that broadcasts
** to (nd, shape) and shares no memory with target: *vals (owned). */
static int scatter_values(lu_ctx *ctx, const char *name, const lu_arg *value, lu_dtype dt,
                          lu_device dev, int nd, const int64_t *shape, const lu_array *target,
                          lu_array *vals) {
  const lu_array *v = value->arr;
  int st, i, off;
  vals->buf = NULL;
  if (v == NULL) {
    if ((st = lu_empty(ctx, vals, dt, 0, NULL, dev)) != LU_OK) return st;
    if ((st = lu_assign(ctx, vals, value)) != LU_OK) lu_array_release(vals);
    return st;
  }
  if (v->buf == NULL) return closed(ctx);
  off = nd - v->ndim;
  for (i = 0; i < v->ndim; i++)
    if (off < 0 || !(v->shape[i] == 1 || v->shape[i] == shape[i + off])) break;
  if (off < 0 || i < v->ndim) {
    char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
    return lu_seterr(ctx, LU_ESHAPE, "%s%sshape mismatch: value array of shape %s could not be broadcast to indexing result of shape %s",
                     name, *name ? ": " : "", lu_shape_str(v->ndim, v->shape, s1, sizeof s1),
                     lu_shape_str(nd, shape, s2, sizeof s2));
  }
  if (!lu_device_eq(lu_array_device(v), dev)) {
    if (v->ndim > 0) return devmix(ctx, name, dev, lu_array_device(v));
    if ((st = lu_to_device(ctx, vals, v, dev)) != LU_OK) return st;
    if (vals->dtype != dt) {
      lu_array t;
      st = lu_astype(ctx, &t, vals, dt);
      lu_array_release(vals);
      *vals = t;
    }
    return st;
  }
  if (v->dtype != dt) return lu_astype(ctx, vals, v, dt);
  if (shares(v, target)) return lu_copy(ctx, vals, v);
  lu_array_share(vals, v);
  return LU_OK;
}

/* Index arrays that share memory with the target are copied before a
** scatter: NumPy reads every index before it writes. */
static int unshare_indices(lu_ctx *ctx, plan *p) {
  int k, st;
  for (k = 0; k < p->nidx; k++) {
    lu_array cp;
    if (!shares(&p->idx[k], &p->v)) continue;
    if ((st = lu_copy(ctx, &cp, &p->idx[k])) != LU_OK) return st;
    lu_array_release(&p->idx[k]);
    p->idx[k] = cp;
  }
  return LU_OK;
}

/* arr[A(c)] (op)= value for call c over the result shape (nd, shape);
** target is arr's array and idx its c->nidx index arrays. */
static int run_scatter(lu_ctx *ctx, lu_gather_call *c, const lu_array *target, int op,
                       const lu_arg *value, int nd, const int64_t *shape, const lu_array *idx) {
  const lu_index_family *fam;
  lu_array vals;
  int st, d;
  if ((st = scatter_values(ctx, c->name, value, c->dt, c->dev, nd, shape, target, &vals)) != LU_OK)
    return st;
  if (c->n == 0) { lu_array_release(&vals); return LU_OK; }
  if ((fam = index_family(ctx, c->name, c->dev, 1)) == NULL) {
    lu_array_release(&vals);
    return ctx->err;
  }
  c->op = op;
  c->other = lu_array_data(&vals);
  bstrides(&vals, nd, shape, c->other_strides);
  c->uniform = 1;
  for (d = 0; d < nd; d++) if (c->other_strides[d] != 0) c->uniform = 0;
  merge(c);
  lu_check_gather(ctx, c, 1, target, idx, &vals);
  st = fam->scatter(ctx, c);
  if (st == LU_OK) st = lu_after_op(ctx, c->dev);
  lu_array_release(&vals);
  return st;
}
/* }====================================================== */

/* {====================================================== a[key] */
static int full_mask(const lu_array *a, int n, const lu_key *key) {
  const lu_array *m = n == 1 && key[0].kind == LU_KEY_ARRAY ? key[0].arr : NULL;
  return m != NULL && m->buf != NULL && m->dtype == LU_BOOL && a->ndim > 0 &&
         m->ndim == a->ndim;
}

int lu_index_get(lu_ctx *ctx, lu_array *out, const lu_array *a, int n, const lu_key *key) {
  plan p;
  lu_gather_call c;
  int64_t shape[LU_MAXDIM];
  int nd, st;
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if (full_mask(a, n, key)) return lu_mask_select(ctx, out, a, key[0].arr);
  if ((st = resolve(ctx, "", a, n, key, &p)) != LU_OK) return st;
  if (p.nidx == 0) {
    *out = p.v;          /* the plan's reference goes to out */
    p.v.buf = NULL;
    return LU_OK;
  }
  st = plan_call(ctx, "", &p, LU_IX_RAISE, &c, &nd, shape);
  if (st == LU_OK) st = run_gather(ctx, &c, out, nd, shape, &p.v, p.idx);
  plan_free(&p);
  return st;
}

int lu_index_set(lu_ctx *ctx, lu_array *a, int n, const lu_key *key, const lu_arg *value) {
  plan p;
  lu_gather_call c;
  int64_t shape[LU_MAXDIM];
  int nd, st;
  if (a->buf == NULL) return closed(ctx);
  if (full_mask(a, n, key)) return lu_mask_assign(ctx, a, key[0].arr, value);
  if ((st = resolve(ctx, "", a, n, key, &p)) != LU_OK) return st;
  if (p.nidx == 0) st = lu_assign(ctx, &p.v, value);
  else if ((st = unshare_indices(ctx, &p)) == LU_OK &&
           (st = plan_call(ctx, "", &p, LU_IX_RAISE, &c, &nd, shape)) == LU_OK)
    st = run_scatter(ctx, &c, &p.v, LU_SC_ASSIGN, value, nd, shape, p.idx);
  plan_free(&p);
  return st;
}

static lu_op scatter_ewise_op(int op) {
  switch (op) {
    case LU_SC_SUBTRACT: return LU_OP_subtract;
    case LU_SC_MULTIPLY: return LU_OP_multiply;
    case LU_SC_MAXIMUM: return LU_OP_maximum;
    case LU_SC_MINIMUM: return LU_OP_minimum;
    default: return LU_OP_add;
  }
}

/* NumPy's ufunc.at: unbuffered, so every repeated index contributes.
** Values are converted to a's dtype first (NumPy combines in the promoted
** dtype and casts back; the two differ only for fractional values into an
** integer array). */
int lu_index_accumulate(lu_ctx *ctx, lu_array *a, int n, const lu_key *key, int op,
                        const lu_arg *value, const char *name) {
  plan p;
  lu_gather_call c;
  int64_t shape[LU_MAXDIM];
  int nd, st;
  if (a->buf == NULL) return closed(ctx);
  if (op < LU_SC_ADD || op > LU_SC_MINIMUM)
    return lu_seterr(ctx, LU_EARG, "%s: unknown accumulation %d", name, op);
  if (op == LU_SC_SUBTRACT && (a->dtype == LU_BOOL || (value->arr && value->arr->dtype == LU_BOOL)))
    return lu_seterr(ctx, LU_ETYPE, "%s: boolean subtract is not supported, use logical_xor", name);
  if ((st = resolve(ctx, name, a, n, key, &p)) != LU_OK) return st;
  if (p.nidx == 0) {
    lu_arg g[2];
    g[0] = lu_arg_array(&p.v);
    g[1] = *value;
    st = lu_ewise_named(ctx, scatter_ewise_op(op), 2, g, &p.v, name, -1);
  } else if ((st = unshare_indices(ctx, &p)) == LU_OK &&
             (st = plan_call(ctx, name, &p, LU_IX_RAISE, &c, &nd, shape)) == LU_OK) {
    st = run_scatter(ctx, &c, &p.v, op, value, nd, shape, p.idx);
  }
  plan_free(&p);
  return st;
}
/* }====================================================== */

/* {====================================================== take, put */
/* a flat (C order): a view when a is contiguous, else a copy. */
static int flat_of(lu_ctx *ctx, lu_array *out, const lu_array *a) {
  int64_t m1 = -1;
  return lu_reshape(ctx, out, a, 1, &m1);
}

static int check_indices(lu_ctx *ctx, const char *name, const lu_array *idx, const lu_array *a) {
  if (idx->buf == NULL) return closed(ctx);
  if (!isint_dtype(idx->dtype))
    return lu_seterr(ctx, LU_ETYPE, "%s: indices must be an integer array, got %s", name,
                     lu_dtype_name(idx->dtype));
  if (!lu_device_eq(lu_array_device(idx), lu_array_device(a)))
    return devmix(ctx, name, lu_array_device(a), lu_array_device(idx));
  return LU_OK;
}

/* A plan that indexes axis `axis` of a (all axes before it whole) with idx,
** whose positions start at base. */
static int axis_plan(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *idx,
                     int axis, int base, plan *p) {
  int st;
  p->v.buf = NULL;
  p->nidx = 0;
  if ((st = check_indices(ctx, name, idx, a)) != LU_OK) return st;
  if (axis < 0 || axis >= a->ndim)
    return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                     name, axis + 1, a->ndim);
  lu_array_share(&p->v, a);
  p->first = axis;
  if ((st = add_index(ctx, p, idx, axis, axis + 1, base)) != LU_OK) plan_free(p);
  return st;
}

int lu_take_base(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *a,
                 const lu_array *idx, int axis, int mode, int base) {
  lu_array flat;
  plan p;
  lu_gather_call c;
  int64_t shape[LU_MAXDIM];
  int nd, st;
  out->buf = NULL;
  flat.buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if (axis == LU_ALLAXES) {
    if ((st = flat_of(ctx, &flat, a)) != LU_OK) return st;
    a = &flat;
    axis = 0;
  }
  st = axis_plan(ctx, name, a, idx, axis, base, &p);
  if (st == LU_OK) {
    if (axis == 0 && flat.buf) p.uaxis[0] = 0;   /* "for size N" */
    st = plan_call(ctx, name, &p, mode, &c, &nd, shape);
    if (st == LU_OK) st = run_gather(ctx, &c, out, nd, shape, &p.v, p.idx);
    plan_free(&p);
  }
  lu_array_release(&flat);
  return st;
}

int lu_take(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *idx, int axis,
            int mode) {
  return lu_take_base(ctx, "take", out, a, idx, axis, mode, 1);
}

/* The first m values of v repeated as often as needed, as an array of
** shape (nd, shape) (NumPy's put and place cycle their values). */
int lu_cycle(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *v, int64_t m,
             int nd, const int64_t *shape) {
  lu_array flat, pos, r;
  int st;
  out->buf = NULL;
  if ((st = flat_of(ctx, &flat, v)) != LU_OK) return st;
  if (flat.size == m) {
    st = lu_reshape(ctx, out, &flat, nd, shape);
    lu_array_release(&flat);
    return st;
  }
  st = lu_arange(ctx, &pos, 0, (double)m, 1, LU_INT64, lu_array_device(v));
  if (st == LU_OK) {
    st = lu_take_base(ctx, name, &r, &flat, &pos, 0, LU_IX_WRAP, 0);
    lu_array_release(&pos);
    if (st == LU_OK) {
      st = lu_reshape(ctx, out, &r, nd, shape);
      lu_array_release(&r);
    }
  }
  lu_array_release(&flat);
  return st;
}

/* a.flat[idx] = v, v repeated or cut to idx's size (NumPy's put). A
** strided a is written through a contiguous copy. */
int lu_put_flat(lu_ctx *ctx, lu_array *a, const lu_array *idx, const lu_arg *value, int mode) {
  const char *name = "put";
  lu_array flat, vals;
  lu_arg g;
  plan p;
  lu_gather_call c;
  int64_t shape[LU_MAXDIM];
  int nd, st, contig;
  if (a->buf == NULL) return closed(ctx);
  if ((st = check_indices(ctx, name, idx, a)) != LU_OK) return st;
  vals.buf = NULL;
  g = *value;
  if (value->arr) {
    if (value->arr->buf == NULL) return closed(ctx);
    if (value->arr->size == 0) return LU_OK;    /* NumPy: nothing to put */
    if (!lu_device_eq(lu_array_device(value->arr), lu_array_device(a)))
      return devmix(ctx, name, lu_array_device(a), lu_array_device(value->arr));
    st = lu_cycle(ctx, name, &vals, value->arr, idx->size, idx->ndim, idx->shape);
    if (st != LU_OK) return st;
    g = lu_arg_array(&vals);
  }
  contig = lu_array_is_contig(a);
  st = contig ? flat_of(ctx, &flat, a) : lu_copy(ctx, &flat, a);
  if (st == LU_OK && !contig) {
    lu_array t;
    if ((st = flat_of(ctx, &t, &flat)) == LU_OK) { lu_array_release(&flat); flat = t; }
  }
  if (st == LU_OK) {
    if ((st = axis_plan(ctx, name, &flat, idx, 0, 1, &p)) == LU_OK) {
      p.uaxis[0] = 0;
      if ((st = unshare_indices(ctx, &p)) == LU_OK &&
          (st = plan_call(ctx, name, &p, mode, &c, &nd, shape)) == LU_OK)
        st = run_scatter(ctx, &c, &p.v, LU_SC_ASSIGN, &g, nd, shape, p.idx);
      plan_free(&p);
    }
    if (st == LU_OK && !contig) {
      lu_array back;
      lu_arg b;
      if ((st = lu_reshape(ctx, &back, &flat, a->ndim, a->shape)) == LU_OK) {
        b = lu_arg_array(&back);
        st = lu_assign(ctx, a, &b);
        lu_array_release(&back);
      }
    }
    lu_array_release(&flat);
  }
  lu_array_release(&vals);
  return st;
}
/* }====================================================== */

/* {====================================================== along an axis */
/* The call of take_along_axis / put_along_axis: one index array of a's
** number of dims, broadcast with a outside `axis`. */
static int along_call(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *idx,
                      int axis, lu_gather_call *c, int64_t *shape) {
  int64_t vst[LU_MAXDIM];
  int d, st;
  if ((st = check_indices(ctx, name, idx, a)) != LU_OK) return st;
  if (idx->ndim != a->ndim)
    return lu_seterr(ctx, LU_EARG, "%s: `indices` and `arr` must have the same number of dimensions (%d and %d)",
                     name, idx->ndim, a->ndim);
  if (axis < 0 || axis >= a->ndim)
    return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                     name, axis + 1, a->ndim);
  virt_strides(a->ndim, a->shape, vst);
  memset(c, 0, sizeof *c);
  c->name = name;
  c->mode = LU_IX_RAISE;
  c->dt = a->dtype;
  c->arr = lu_array_data(a);
  c->dev = lu_array_device(a);
  c->ndim = a->ndim;
  c->nidx = 1;
  c->nkey = a->size;
  c->n = 1;
  for (d = 0; d < a->ndim; d++) {
    int64_t na = a->shape[d], ni = idx->shape[d];
    if (d == axis) {
      c->shape[d] = ni;
    } else {
      if (na != ni && na != 1 && ni != 1) {
        char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
        return lu_seterr(ctx, LU_ESHAPE, "%s: shape mismatch: indices of shape %s do not broadcast with the array of shape %s outside axis %d",
                         name, lu_shape_str(idx->ndim, idx->shape, s1, sizeof s1),
                         lu_shape_str(a->ndim, a->shape, s2, sizeof s2), axis + 1);
      }
      c->shape[d] = na == 1 ? ni : na;
      c->arr_strides[d] = na == 1 ? 0 : a->strides[d];
      c->key_strides[d] = na == 1 ? 0 : vst[d];
    }
    c->idx_strides[0][d] = ni == 1 ? 0 : idx->strides[d];
    shape[d] = c->shape[d];
    c->n *= c->shape[d];
  }
  c->idx_dt[0] = idx->dtype;
  c->idx_ptr[0] = lu_array_data(idx);
  c->idx_size[0] = a->shape[axis];
  c->ax_stride[0] = a->strides[axis];
  c->key_ax[0] = vst[axis];
  c->idx_base[0] = 1;
  c->idx_axis[0] = axis + 1;
  return LU_OK;
}

int lu_take_along_axis(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *idx,
                       int axis) {
  const char *name = "take_along_axis";
  lu_array flat;
  lu_gather_call c;
  int64_t shape[LU_MAXDIM];
  int st;
  out->buf = NULL;
  flat.buf = NULL;
  if (a->buf == NULL || idx->buf == NULL) return closed(ctx);
  if (axis == LU_ALLAXES) {
    if (idx->ndim != 1)
      return lu_seterr(ctx, LU_EARG, "%s: when axis is nil, `indices` must have a single dimension", name);
    if ((st = flat_of(ctx, &flat, a)) != LU_OK) return st;
    a = &flat;
    axis = 0;
  }
  st = along_call(ctx, name, a, idx, axis, &c, shape);
  if (st == LU_OK) st = run_gather(ctx, &c, out, a->ndim, shape, a, idx);
  lu_array_release(&flat);
  return st;
}

int lu_put_along_axis(lu_ctx *ctx, lu_array *a, const lu_array *idx, const lu_arg *value,
                      int axis) {
  const char *name = "put_along_axis";
  lu_array t, ic;
  const lu_array *tg = a;
  lu_gather_call c;
  int64_t shape[LU_MAXDIM];
  int st, copied = 0;
  if (a->buf == NULL || idx->buf == NULL) return closed(ctx);
  t.buf = ic.buf = NULL;
  if (axis == LU_ALLAXES) {
    if (idx->ndim != 1)
      return lu_seterr(ctx, LU_EARG, "%s: when axis is nil, `indices` must have a single dimension", name);
    if (lu_array_is_contig(a)) st = flat_of(ctx, &t, a);
    else {
      lu_array cp;
      if ((st = lu_copy(ctx, &cp, a)) == LU_OK) { st = flat_of(ctx, &t, &cp); lu_array_release(&cp); }
      copied = 1;
    }
    if (st != LU_OK) return st;
    tg = &t;
    axis = 0;
  }
  if (shares(idx, tg)) {
    if ((st = lu_copy(ctx, &ic, idx)) != LU_OK) { lu_array_release(&t); return st; }
    idx = &ic;
  }
  st = along_call(ctx, name, tg, idx, axis, &c, shape);
  if (st == LU_OK) st = run_scatter(ctx, &c, tg, LU_SC_ASSIGN, value, tg->ndim, shape, idx);
  if (st == LU_OK && copied) {
    lu_array back;
    lu_arg b;
    if ((st = lu_reshape(ctx, &back, &t, a->ndim, a->shape)) == LU_OK) {
      b = lu_arg_array(&back);
      st = lu_assign(ctx, a, &b);
      lu_array_release(&back);
    }
  }
  lu_array_release(&t);
  lu_array_release(&ic);
  return st;
}
/* }====================================================== */

/* {====================================================== choose */
/* The common dtype of the choices: NumPy makes each an array first, so a
** Lua number counts as int64, float64 or bool (not as a weak scalar). */
static lu_dtype common_dtype(int n, const lu_arg *args) {
  int k, p = -1;
  for (k = 0; k < n; k++) {
    lu_dtype d = args[k].arr ? args[k].arr->dtype
               : args[k].s.kind == 'f' ? LU_FLOAT64 : args[k].s.kind == 'i' ? LU_INT64 : LU_BOOL;
    p = p < 0 ? (int)d : (int)lu_promote((lu_dtype)p, d);
  }
  return (lu_dtype)p;
}

/* out[i] = choices[a[i]][i], everything broadcast together; a holds Lua
** positions (1 is the first choice). The choices are first stacked into
** one array of their common dtype, which the gather then reads. */
int lu_choose(lu_ctx *ctx, lu_array *out, const lu_array *a, int n, const lu_arg *choices,
              int mode) {
  const char *name = "choose";
  const lu_array *arrs[LU_MAXDIM + 1];
  int64_t shape[LU_MAXDIM + 1], vst[LU_MAXDIM + 1];
  lu_array stack;
  lu_dtype dt;
  lu_gather_call c;
  int nd = 0, na = 0, k, d, st;
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if (!isint_dtype(a->dtype))
    return lu_seterr(ctx, LU_ETYPE, "%s: the index array must be integers, got %s", name,
                     lu_dtype_name(a->dtype));
  if (n < 1) return lu_seterr(ctx, LU_EARG, "%s: no choices given", name);
  for (k = 0; k < n; k++)
    if (choices[k].arr && choices[k].arr->buf == NULL) return closed(ctx);
  dt = common_dtype(n, choices);
  arrs[na++] = a;
  for (k = 0; k < n; k++) {
    if (!choices[k].arr) continue;
    if (!lu_device_eq(lu_array_device(choices[k].arr), lu_array_device(a)))
      return devmix(ctx, name, lu_array_device(a), lu_array_device(choices[k].arr));
    if (na <= LU_MAXDIM) arrs[na++] = choices[k].arr;
  }
  if ((st = lu_broadcast_named(ctx, name, na, arrs, &nd, shape + 1)) != LU_OK) return st;
  if (nd + 1 > LU_MAXDIM)
    return lu_seterr(ctx, LU_EARG, "%s: the choices have too many dimensions", name);
  shape[0] = n;
  if ((st = lu_empty(ctx, &stack, dt, nd + 1, shape, lu_array_device(a))) != LU_OK) return st;
  for (k = 0; k < n && st == LU_OK; k++) {
    lu_array row;
    if ((st = lu_take_index(ctx, &row, &stack, 0, k)) != LU_OK) break;
    st = lu_assign(ctx, &row, &choices[k]);
    lu_array_release(&row);
  }
  if (st == LU_OK) {
    virt_strides(nd + 1, shape, vst);
    memset(&c, 0, sizeof c);
    c.name = name;
    c.mode = mode;
    c.dt = dt;
    c.arr = lu_array_data(&stack);
    c.dev = lu_array_device(a);
    c.ndim = nd;
    c.nidx = 1;
    c.n = 1;
    bstrides(a, nd, shape + 1, c.idx_strides[0]);
    for (d = 0; d < nd; d++) {
      c.shape[d] = shape[d + 1];
      c.arr_strides[d] = stack.strides[d + 1];
      c.n *= shape[d + 1];
    }
    if (nd == 0) { c.ndim = 1; c.shape[0] = 1; }
    c.idx_dt[0] = a->dtype;
    c.idx_ptr[0] = lu_array_data(a);
    c.idx_size[0] = n;
    c.ax_stride[0] = stack.strides[0];
    c.idx_base[0] = 1;
    c.idx_axis[0] = 0;
    st = run_gather(ctx, &c, out, nd, shape + 1, &stack, a);
  }
  lu_array_release(&stack);
  return st;
}
/* }====================================================== */

/* {====================================================== diagonal */
/* A view: axes axis1 and axis2 removed, the diagonal appended as the last
** axis (NumPy's diagonal; NumPy's view is read-only, lunar's writable). */
int lu_diagonal(lu_ctx *ctx, lu_array *out, const lu_array *a, int64_t offset, int axis1,
                int axis2) {
  lu_array v;
  int64_t n1, n2, len, s1, s2;
  int i, k = 0;
  out->buf = NULL;
  if (a->buf == NULL) return closed(ctx);
  if (a->ndim < 2)
    return lu_seterr(ctx, LU_EARG, "diagonal: the array must have at least two dimensions, got %d", a->ndim);
  if (axis1 < 0 || axis1 >= a->ndim || axis2 < 0 || axis2 >= a->ndim)
    return lu_seterr(ctx, LU_EARG, "diagonal: axis %d is out of bounds for array of dimension %d",
                     (axis1 < 0 || axis1 >= a->ndim ? axis1 : axis2) + 1, a->ndim);
  if (axis1 == axis2) return lu_seterr(ctx, LU_EARG, "diagonal: axis1 and axis2 cannot be the same");
  n1 = a->shape[axis1]; n2 = a->shape[axis2];
  s1 = a->strides[axis1]; s2 = a->strides[axis2];
  v = *a;
  if (offset >= 0) len = n2 - offset < n1 ? n2 - offset : n1;
  else len = n1 + offset < n2 ? n1 + offset : n2;
  if (len < 0) len = 0;
  if (len > 0) v.offset += offset >= 0 ? offset * s2 : -offset * s1;
  for (i = 0; i < a->ndim; i++) {
    if (i == axis1 || i == axis2) continue;
    v.shape[k] = a->shape[i];
    v.strides[k] = a->strides[i];
    k++;
  }
  v.shape[k] = len;
  v.strides[k] = s1 + s2;
  v.ndim = k + 1;
  lu_array_update(&v);
  lu_array_share(out, &v);
  return LU_OK;
}
/* }====================================================== */
