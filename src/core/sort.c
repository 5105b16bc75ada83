/* SPDX-License-Identifier: MIT */
/*
** Sorting and searching: sort, argsort, partition, argpartition, lexsort,
** searchsorted. The backend sorts rows (lu_sort_call): the axis is moved
** last and made contiguous (lu_rows), and the sorted rows are put back in
** the array's axis order as a view.
**
** Every sort is stable, whatever `kind` the user names (the binding checks
** the name): NumPy's "stable"/"mergesort". partition and argpartition are
** full sorts: a sorted row has the partition property NumPy promises, and
** NumPy leaves the order inside the parts unspecified.
*/
#include <string.h>
#include "lu_sortfam.h"

static int check_axis(lu_ctx *ctx, const char *name, const lu_array *a, int axis) {
  int st = lu_sf_open(ctx, a);
  if (st != LU_OK) return st;
  if (axis == LU_ALLAXES || (axis >= 0 && axis < a->ndim)) return LU_OK;
  return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                   name, axis + 1, a->ndim);
}

/* Sorted keys and/or positions of the rows of r. vals/idx: NULL when not
** wanted; they get r's moved shape. */
static int sort_rows(lu_ctx *ctx, const char *name, const lu_rows *r, lu_dtype dt,
                     lu_array *vals, lu_array *idx, int64_t base, int descending) {
  lu_device dev = lu_array_device(&r->data);
  int st = LU_OK;
  if (vals) vals->buf = NULL;
  if (idx) idx->buf = NULL;
  if (vals) st = lu_empty(ctx, vals, dt, r->mndim, r->mshape, dev);
  if (st == LU_OK && idx) st = lu_empty(ctx, idx, LU_INT64, r->mndim, r->mshape, dev);
  if (st == LU_OK)
    st = lu_sf_rowsort(ctx, name, &r->data, r->nrow, r->len, vals, idx, base, descending);
  if (st != LU_OK) {
    if (vals) lu_array_release(vals);
    if (idx) lu_array_release(idx);
  }
  return st;
}

/* values and/or positions of a sorted along axis */
static int do_sort(lu_ctx *ctx, const char *name, lu_array *vals, lu_array *idx,
                   const lu_array *a, int axis, int descending, int64_t base) {
  lu_rows r;
  lu_array rv, ri;
  int st;
  if (vals) vals->buf = NULL;
  if (idx) idx->buf = NULL;
  if ((st = check_axis(ctx, name, a, axis)) != LU_OK) return st;
  rv.buf = ri.buf = NULL;
  st = lu_rows_make(ctx, name, a, 1, &axis, axis == LU_ALLAXES, &r);
  if (st == LU_OK)
    st = sort_rows(ctx, name, &r, a->dtype, vals ? &rv : NULL, idx ? &ri : NULL, base, descending);
  if (st == LU_OK && vals) st = lu_rows_back(ctx, &r, &rv, vals);
  if (st == LU_OK && idx) st = lu_rows_back(ctx, &r, &ri, idx);
  lu_array_release(&rv);
  lu_array_release(&ri);
  lu_rows_free(&r);
  if (st != LU_OK) {
    if (vals) lu_array_release(vals);
    if (idx) lu_array_release(idx);
  }
  return st;
}

int lu_sort(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis) {
  return do_sort(ctx, "sort", out, NULL, a, axis, 0, 0);
}

int lu_argsort(lu_ctx *ctx, lu_array *out, const lu_array *a, int axis, int64_t base) {
  return do_sort(ctx, "argsort", NULL, out, a, axis, 0, base);
}

int lu_sort_ex(lu_ctx *ctx, lu_array *vals, lu_array *idx, const lu_array *a, int axis,
               int descending, int64_t base) {
  return do_sort(ctx, idx && !vals ? "argsort" : "sort", vals, idx, a, axis, descending, base);
}

/* NumPy 2.3's top_k: the k largest (or smallest) along axis, largest
** first, with their positions; ties in input order. */
int lu_top_k(lu_ctx *ctx, lu_array *vals, lu_array *idx, const lu_array *a, int64_t k,
             int axis, int largest, int64_t base) {
  const char *name = "top_k";
  lu_array sv, si;
  int st;
  vals->buf = idx->buf = NULL;
  if ((st = check_axis(ctx, name, a, axis)) != LU_OK) return st;
  if (axis == LU_ALLAXES)
    return lu_seterr(ctx, LU_EARG, "%s: axis=None is not supported, give an axis", name);
  if (k < 0) return lu_seterr(ctx, LU_EARG, "%s: k (%lld) must be a non-negative integer", name, (long long)k);
  if (k > a->shape[axis])
    return lu_seterr(ctx, LU_EINDEX, "%s: k (%lld) is larger than the axis (length %lld)", name,
                     (long long)k, (long long)a->shape[axis]);
  if ((st = do_sort(ctx, name, &sv, &si, a, axis, largest, base)) != LU_OK) return st;
  st = lu_slice(ctx, vals, &sv, axis, 0, k, 1);
  if (st == LU_OK) st = lu_slice(ctx, idx, &si, axis, 0, k, 1);
  lu_array_release(&sv);
  lu_array_release(&si);
  if (st != LU_OK) { lu_array_release(vals); lu_array_release(idx); }
  return st;
}

static int check_kth(lu_ctx *ctx, const char *name, const lu_array *a, int axis, int nk,
                     const int64_t *kth) {
  int64_t len;
  int i, st;
  if ((st = check_axis(ctx, name, a, axis)) != LU_OK) return st;
  len = axis == LU_ALLAXES ? a->size : a->shape[axis];
  if (nk < 1) return lu_seterr(ctx, LU_EARG, "%s: kth must not be empty", name);
  for (i = 0; i < nk; i++)
    if (kth[i] < 0 || kth[i] >= len)
      return lu_seterr(ctx, LU_EINDEX, "%s: kth %lld is out of bounds for an axis of length %lld",
                       name, (long long)kth[i] + 1, (long long)len);
  return LU_OK;
}

int lu_partition(lu_ctx *ctx, lu_array *out, const lu_array *a, int nk,
                 const int64_t *kth, int axis, int descending) {
  int st;
  out->buf = NULL;
  if ((st = check_kth(ctx, "partition", a, axis, nk, kth)) != LU_OK) return st;
  return do_sort(ctx, "partition", out, NULL, a, axis, descending, 0);
}

int lu_argpartition(lu_ctx *ctx, lu_array *out, const lu_array *a, int nk,
                    const int64_t *kth, int axis, int descending, int64_t base) {
  int st;
  out->buf = NULL;
  if ((st = check_kth(ctx, "argpartition", a, axis, nk, kth)) != LU_OK) return st;
  return do_sort(ctx, "argpartition", NULL, out, a, axis, descending, base);
}

/* {====================================================== lexsort */
/* rows of a (axis moved last) gathered by the permutation rows p:
** out[r, i] = a[r, p[r, i]] */
static int gather_rows(lu_ctx *ctx, const char *name, const lu_rows *src, const lu_array *p,
                       lu_array *out) {
  const lu_sort_family *fam;
  lu_device dev = lu_array_device(&src->data);
  int st;
  out->buf = NULL;
  if ((st = lu_empty(ctx, out, src->data.dtype, src->mndim, src->mshape, dev)) != LU_OK)
    return st;
  if (src->nrow * src->len == 0) return LU_OK;
  if ((st = LU_SF_ENTRY(ctx, name, dev, fam, gather)) == LU_OK) {
    st = lu_sf_gather(ctx, fam, dev, lu_array_itemsize(&src->data), src->nrow, &src->data,
                      src->len, p, src->len, src->len, 0, out);
    if (st == LU_OK) st = lu_after_op(ctx, dev);
  }
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* LSD: a stable argsort by the least significant key (keys[0]), then for
** each more significant key a stable argsort of that key taken in the
** current order, composed with it. */
int lu_lexsort(lu_ctx *ctx, lu_array *out, int nkeys, const lu_array *const *keys,
               int axis, int64_t base) {
  const char *name = "lexsort";
  lu_rows r;
  lu_array perm, tmp, res;
  int k, i, st = LU_OK;
  out->buf = NULL;
  memset(&r, 0, sizeof r);
  if (nkeys < 1)
    return lu_seterr(ctx, LU_EARG, "%s: need at least one key", name);
  for (k = 0; k < nkeys; k++) {
    if ((st = lu_sf_same_dev(ctx, name, keys[0], keys[k])) != LU_OK) return st;
    if (keys[k]->ndim != keys[0]->ndim) goto shape;
    for (i = 0; i < keys[0]->ndim; i++) if (keys[k]->shape[i] != keys[0]->shape[i]) goto shape;
  }
  if ((st = check_axis(ctx, name, keys[0], axis)) != LU_OK) return st;
  perm.buf = NULL;
  for (k = 0; k < nkeys; k++) {
    lu_rows key;
    if ((st = lu_rows_make(ctx, name, keys[k], 1, &axis, axis == LU_ALLAXES, &key)) != LU_OK)
      break;
    if (k == 0) {
      st = sort_rows(ctx, name, &key, key.data.dtype, NULL, &perm, 0, 0);
    } else {
      lu_rows g = key;
      lu_array p2, comp;
      g.data.buf = NULL;
      st = gather_rows(ctx, name, &key, &perm, &g.data);   /* key in the current order */
      if (st == LU_OK) st = sort_rows(ctx, name, &g, key.data.dtype, NULL, &p2, 0, 0);
      if (st == LU_OK) {
        /* perm = perm[p2] row by row */
        lu_rows pr = key;
        pr.data = perm;
        st = gather_rows(ctx, name, &pr, &p2, &comp);
        lu_array_release(&p2);
        if (st == LU_OK) { lu_array_release(&perm); perm = comp; }
      }
      lu_array_release(&g.data);
    }
    if (k == nkeys - 1 && st == LU_OK) r = key, r.data.buf = NULL;
    lu_rows_free(&key);
    if (st != LU_OK) break;
  }
  if (st != LU_OK) { lu_array_release(&perm); return st; }
  if (base != 0) {
    lu_arg b = lu_arg_int(base);
    st = lu_sf_ew(ctx, name, LU_OP_add, lu_arg_array(&perm), &b, &tmp);
    lu_array_release(&perm);
    if (st != LU_OK) return st;
    res = tmp;
  } else {
    res = perm;
  }
  return lu_rows_back(ctx, &r, &res, out);
shape:
  return lu_seterr(ctx, LU_ESHAPE, "%s: all keys need to be the same shape", name);
}
/* }====================================================== */

/* {====================================================== searchsorted */
/* sorter must hold positions of a (checked on the host: one reduction) */
static int check_sorter(lu_ctx *ctx, const char *name, const lu_array *a,
                        const lu_array *sorter, int64_t sbase) {
  lu_array mn, mx;
  int64_t lo = 0, hi = 0;
  int st;
  char kd = lu_dtype_kind(sorter->dtype);
  if ((st = lu_sf_same_dev(ctx, name, a, sorter)) != LU_OK) return st;
  if (kd != 'i' && kd != 'u')
    return lu_seterr(ctx, LU_ETYPE, "%s: sorter must be an integer array, got %s", name,
                     lu_dtype_name(sorter->dtype));
  if (sorter->ndim != 1 || sorter->size != a->size)
    return lu_seterr(ctx, LU_ESHAPE, "%s: sorter must be 1-d with the length of a (%lld)",
                     name, (long long)a->size);
  if (sorter->size == 0) return LU_OK;
  if ((st = lu_reduce(ctx, &mn, LU_RED_min, sorter, LU_ALLAXES, 0, 0)) != LU_OK) return st;
  st = lu_sf_get_i64(ctx, &mn, 0, &lo);
  lu_array_release(&mn);
  if (st == LU_OK && (st = lu_reduce(ctx, &mx, LU_RED_max, sorter, LU_ALLAXES, 0, 0)) == LU_OK) {
    st = lu_sf_get_i64(ctx, &mx, 0, &hi);
    lu_array_release(&mx);
  }
  if (st != LU_OK) return st;
  if (lo < sbase || hi >= a->size + sbase || (kd == 'u' && hi < 0))
    return lu_seterr(ctx, LU_EINDEX, "%s: sorter index out of range", name);
  return LU_OK;
}

int lu_searchsorted(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_arg *v,
                    int right, const lu_array *sorter, int64_t sorter_base, int64_t base) {
  const char *name = "searchsorted";
  lu_arg g[2];
  lu_dtype ct, rt;
  lu_array sa, va, idx;
  int st;
  out->buf = NULL;
  if ((st = lu_sf_open(ctx, a)) != LU_OK) return st;
  if (a->ndim != 1)
    return lu_seterr(ctx, LU_ESHAPE, "%s: a must be 1-dimensional, got %d dimensions",
                     name, a->ndim);
  if (v->arr && (st = lu_sf_same_dev(ctx, name, a, v->arr)) != LU_OK) return st;
  /* compare in the dtype NumPy's comparison would use */
  g[0] = lu_arg_array(a);
  g[1] = *v;
  if ((st = lu_result_dtype(ctx, LU_OP_less, 2, g, &ct, &rt)) != LU_OK) {
    char tmp[LU_ERRLEN];
    memcpy(tmp, lu_ctx_errmsg(ctx), sizeof tmp);
    return lu_seterr(ctx, (lu_status)st, "%s: %s", name,
                     strncmp(tmp, "less: ", 6) == 0 ? tmp + 6 : tmp);
  }
  sa.buf = va.buf = idx.buf = NULL;
  if (sorter) {
    if ((st = check_sorter(ctx, name, a, sorter, sorter_base)) != LU_OK) return st;
    if ((st = lu_astype(ctx, &idx, sorter, LU_INT64)) != LU_OK) return st;
    st = lu_sf_take(ctx, name, a, &idx, sorter_base, &va);
    lu_array_release(&idx);
    if (st != LU_OK) return st;
    if (va.dtype != ct) {
      st = lu_astype(ctx, &sa, &va, ct);
      lu_array_release(&va);
    } else {
      sa = va;
    }
    va.buf = NULL;
  } else if (a->dtype != ct) {
    st = lu_astype(ctx, &sa, a, ct);
  } else {
    lu_array_share(&sa, a);
  }
  if (st != LU_OK) return st;
  if (v->arr) {
    st = v->arr->dtype == ct ? (lu_array_share(&va, v->arr), LU_OK) : lu_astype(ctx, &va, v->arr, ct);
  } else {
    st = lu_full(ctx, &va, ct, 0, NULL, lu_array_device(a), v->s);
  }
  if (st == LU_OK) st = lu_sf_search(ctx, name, &sa, &va, right, 0, 0, base, out);
  lu_array_release(&sa);
  lu_array_release(&va);
  return st;
}
/* }====================================================== */
