/* SPDX-License-Identifier: MIT */
/*
** Helpers of the sort family's core files (lu_sortfam.h): rows, checks,
** and the small compositions (take, concatenate, runs, search) that
** sort.c, sets.c, hist.c, scan.c and stats.c share.
*/
#include <string.h>
#include "lu_sortfam.h"

/* {====================================================== rows */
int lu_rows_make(lu_ctx *ctx, const char *name, const lu_array *a, int naxes,
                 const int *axes, int flat, lu_rows *r) {
  int seen[LU_MAXDIM], i, k = 0, st;
  lu_array t;
  memset(r, 0, sizeof *r);
  r->data.buf = NULL;
  if ((st = lu_sf_open(ctx, a)) != LU_OK) return st;
  if (flat) {
    r->flat = 1;
    r->nrow = 1;
    r->len = a->size;
    r->mndim = 1;
    r->mshape[0] = a->size;
    return lu_sf_flat(ctx, a, &r->data);
  }
  memset(seen, 0, sizeof seen);
  for (i = 0; i < naxes; i++) {
    if (axes[i] < 0 || axes[i] >= a->ndim)
      return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                       name, axes[i] + 1, a->ndim);
    if (seen[axes[i]]++)
      return lu_seterr(ctx, LU_EARG, "%s: repeated axis %d", name, axes[i] + 1);
  }
  for (i = 0; i < a->ndim; i++) if (!seen[i]) r->perm[k++] = i;
  for (i = 0; i < naxes; i++) r->perm[k++] = axes[i];
  r->naxes = naxes;
  r->mndim = a->ndim;
  r->nrow = r->len = 1;
  for (i = 0; i < a->ndim; i++) {
    r->mshape[i] = a->shape[r->perm[i]];
    if (i < a->ndim - naxes) r->nrow *= r->mshape[i];
    else r->len *= r->mshape[i];
  }
  if ((st = lu_transpose(ctx, &t, a, r->perm)) != LU_OK) return st;
  st = lu_ascontig(ctx, &r->data, &t);
  lu_array_release(&t);
  return st;
}

void lu_rows_free(lu_rows *r) { lu_array_release(&r->data); }

int lu_rows_back(lu_ctx *ctx, const lu_rows *r, lu_array *res, lu_array *out) {
  int inv[LU_MAXDIM], i, st;
  if (r->flat) { *out = *res; res->buf = NULL; return LU_OK; }
  for (i = 0; i < r->mndim; i++) inv[r->perm[i]] = i;
  st = lu_transpose(ctx, out, res, inv);
  lu_array_release(res);
  return st;
}
/* }====================================================== */

/* {====================================================== checks */
int lu_sf_open(lu_ctx *ctx, const lu_array *a) {
  if (a == NULL || a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  return LU_OK;
}

int lu_sf_same_dev(lu_ctx *ctx, const char *name, const lu_array *a, const lu_array *b) {
  char s1[16], s2[16];
  int st;
  if ((st = lu_sf_open(ctx, a)) != LU_OK || (st = lu_sf_open(ctx, b)) != LU_OK) return st;
  if (!lu_device_eq(lu_array_device(a), lu_array_device(b)))
    return lu_seterr(ctx, LU_EDEVICE, "%s: arrays on different devices: %s and %s", name,
                     lu_device_str(lu_array_device(a), s1), lu_device_str(lu_array_device(b), s2));
  return LU_OK;
}

const lu_sort_family *lu_sf_family(lu_ctx *ctx, const char *name, lu_device dev) {
  return lu_family(ctx, name, dev, sort);
}

int lu_sf_missing(lu_ctx *ctx, const char *name, lu_device dev) {
  return lu_unavailable(ctx, name, dev);
}
/* }====================================================== */

/* {====================================================== helpers */
int lu_sf_ew(lu_ctx *ctx, const char *name, lu_op op, lu_arg x, const lu_arg *y,
             lu_array *out) {
  lu_arg g[2];
  g[0] = x;
  if (y) g[1] = *y;
  out->buf = NULL;
  return lu_ewise_named(ctx, op, y ? 2 : 1, g, out, name, -1);
}

int lu_sf_iota(lu_ctx *ctx, const char *name, int64_t n, lu_device dev, lu_array *out) {
  (void)name;
  return lu_arange(ctx, out, 0.0, (double)n, 1.0, LU_INT64, dev);
}

int lu_sf_flat(lu_ctx *ctx, const lu_array *a, lu_array *out) {
  lu_array c;
  int64_t n = a->size;
  int st;
  if ((st = lu_ascontig(ctx, &c, a)) != LU_OK) return st;
  st = lu_reshape(ctx, out, &c, 1, &n);
  lu_array_release(&c);
  return st;
}

/* Element i (flat, C order) of a as a value of a's dtype. */
static int get_value(lu_ctx *ctx, const lu_array *a, int64_t i, lu_value *v) {
  lu_array e = *a;
  unsigned char h[16];
  int d, st;
  if ((st = lu_sf_open(ctx, a)) != LU_OK) return st;
  for (d = a->ndim - 1; d >= 0; d--) {
    int64_t n = a->shape[d] > 0 ? a->shape[d] : 1;
    e.offset += (i % n) * a->strides[d];
    i /= n;
  }
  e.ndim = 0;
  lu_array_update(&e);
  if ((st = lu_to_host(ctx, &e, h)) != LU_OK) return st;
  *v = lu_value_load(h, a->dtype);
  return LU_OK;
}

int lu_sf_get_i64(lu_ctx *ctx, const lu_array *a, int64_t i, int64_t *v) {
  lu_value x;
  int st = get_value(ctx, a, i, &x);
  if (st == LU_OK) *v = lu_value_cast(x, a->dtype, LU_INT64).i;
  return st;
}

int lu_sf_get_f64(lu_ctx *ctx, const lu_array *a, int64_t i, double *v) {
  lu_value x;
  int st = get_value(ctx, a, i, &x);
  if (st == LU_OK) *v = lu_value_cast(x, a->dtype, LU_FLOAT64).f;
  return st;
}

int lu_sf_concat(lu_ctx *ctx, const char *name, int n, const lu_array *const *arrs,
                 lu_dtype dt, lu_array *out) {
  int64_t total = 0, off = 0;
  int k, st;
  lu_device dev;
  out->buf = NULL;
  for (k = 0; k < n; k++) {
    if ((st = lu_sf_open(ctx, arrs[k])) != LU_OK) return st;
    if (k > 0 && (st = lu_sf_same_dev(ctx, name, arrs[0], arrs[k])) != LU_OK) return st;
    total += arrs[k]->size;
  }
  dev = lu_array_device(arrs[0]);
  if ((st = lu_empty(ctx, out, dt, 1, &total, dev)) != LU_OK) return st;
  for (k = 0; k < n && st == LU_OK; k++) {
    lu_array part, flat;
    lu_arg g;
    int64_t m = arrs[k]->size;
    if (m == 0) continue;
    if ((st = lu_slice(ctx, &part, out, 0, off, off + m, 1)) != LU_OK) break;
    if ((st = lu_reshape(ctx, &flat, arrs[k], 1, &m)) == LU_OK) {
      g = lu_arg_array(&flat);
      st = lu_assign(ctx, &part, &g);
      lu_array_release(&flat);
    }
    lu_array_release(&part);
    off += m;
  }
  if (st != LU_OK) lu_array_release(out);
  return st;
}

int lu_sf_gather(lu_ctx *ctx, const lu_sort_family *fam, lu_device dev, int elsize, int64_t nrow,
                 const lu_array *in, int64_t in_rs, const lu_array *idx, int64_t idx_rs,
                 int64_t nidx, int64_t base, lu_array *out) {
  lu_check_rowgather(ctx, dev, elsize, nrow, in, in_rs, idx, idx_rs, nidx, base, out);
  return fam->gather(ctx, dev, elsize, nrow, lu_array_data(in), in_rs,
                     (const int64_t *)lu_array_data(idx), idx_rs, nidx, base, lu_array_data(out));
}

int lu_sf_scatter(lu_ctx *ctx, const lu_sort_family *fam, lu_device dev, int elsize, int64_t nrow,
                  const lu_array *in, const lu_array *idx, int64_t nidx, int64_t base,
                  lu_array *out, int64_t out_rs) {
  lu_check_rowscatter(ctx, dev, elsize, nrow, in, idx, nidx, base, out, out_rs);
  return fam->scatter(ctx, dev, elsize, nrow, lu_array_data(in), (const int64_t *)lu_array_data(idx),
                      nidx, base, lu_array_data(out), out_rs);
}

int lu_sf_take(lu_ctx *ctx, const char *name, const lu_array *src, const lu_array *idx,
               int64_t base, lu_array *out) {
  const lu_sort_family *fam;
  lu_array s, ix;
  int64_t n = idx->size;
  lu_device dev = lu_array_device(src);
  int st;
  out->buf = NULL;
  if ((st = lu_empty(ctx, out, src->dtype, 1, &n, dev)) != LU_OK) return st;
  if (n == 0) return LU_OK;
  if ((st = LU_SF_ENTRY(ctx, name, dev, fam, gather)) != LU_OK) { lu_array_release(out); return st; }
  s.buf = ix.buf = NULL;
  st = lu_ascontig(ctx, &s, src);
  if (st == LU_OK) st = lu_ascontig(ctx, &ix, idx);
  if (st == LU_OK)
    st = lu_sf_gather(ctx, fam, dev, lu_array_itemsize(src), 1, &s, 0, &ix, 0, n, base, out);
  if (st == LU_OK) st = lu_after_op(ctx, dev);
  lu_array_release(&s);
  lu_array_release(&ix);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

int lu_sf_slice1(lu_ctx *ctx, const lu_array *a, int64_t lo, int64_t hi, lu_array *out) {
  lu_array v;
  int st;
  out->buf = NULL;
  if ((st = lu_slice(ctx, &v, a, 0, lo, hi, 1)) != LU_OK) return st;
  st = lu_copy(ctx, out, &v);
  lu_array_release(&v);
  return st;
}

int lu_sf_sort1(lu_ctx *ctx, const char *name, const lu_array *a, lu_array *vals,
                lu_array *perm) {
  lu_array src;
  int64_t n = a->size;
  lu_device dev = lu_array_device(a);
  int st;
  if (vals) vals->buf = NULL;
  if (perm) perm->buf = NULL;
  if ((st = lu_sf_flat(ctx, a, &src)) != LU_OK) return st;
  if (vals && (st = lu_empty(ctx, vals, a->dtype, 1, &n, dev)) != LU_OK) goto done;
  if (perm && (st = lu_empty(ctx, perm, LU_INT64, 1, &n, dev)) != LU_OK) goto done;
  st = lu_sf_rowsort(ctx, name, &src, 1, n, vals, perm, 0, 0);
done:
  lu_array_release(&src);
  if (st != LU_OK) {
    if (vals) lu_array_release(vals);
    if (perm) lu_array_release(perm);
  }
  return st;
}

int lu_sf_select(lu_ctx *ctx, const lu_array *a, const lu_array *mask, lu_array *out) {
  return lu_mask_select(ctx, out, a, mask);
}

/* Keep the first m items of a (a new array when that frees much memory,
** else a view). */
static int shrink(lu_ctx *ctx, lu_array *a, int64_t m) {
  lu_array v;
  int st;
  if (a->buf == NULL || m == a->shape[0]) return LU_OK;
  if (m < a->shape[0] / 2) st = lu_sf_slice1(ctx, a, 0, m, &v);
  else st = lu_slice(ctx, &v, a, 0, 0, m, 1);
  if (st != LU_OK) return st;
  lu_array_release(a);
  *a = v;
  return LU_OK;
}

int lu_sf_runs(lu_ctx *ctx, const char *name, const lu_array *sorted, int equal_nan,
               int64_t base, lu_array *vals, lu_array *start, lu_array *count, lu_array *id) {
  const lu_sort_family *fam;
  lu_runs_call c;
  lu_array s;
  int64_t n = sorted->size, nr = 0;
  lu_device dev = lu_array_device(sorted);
  lu_array *outs[4];
  int st = LU_OK, k;
  outs[0] = vals; outs[1] = start; outs[2] = count; outs[3] = id;
  for (k = 0; k < 4; k++) if (outs[k]) outs[k]->buf = NULL;
  if (!lu_sf_native(sorted->dtype))
    return lu_sf_runs_other(ctx, name, sorted, equal_nan, base, vals, start, count, id);
  s.buf = NULL;
  if (vals) st = lu_empty(ctx, vals, sorted->dtype, 1, &n, dev);
  for (k = 1; k < 4 && st == LU_OK; k++)
    if (outs[k]) st = lu_empty(ctx, outs[k], LU_INT64, 1, &n, dev);
  if (st == LU_OK && n > 0) {
    if ((st = LU_SF_ENTRY(ctx, name, dev, fam, runs)) == LU_OK &&
        (st = lu_ascontig(ctx, &s, sorted)) == LU_OK) {
      memset(&c, 0, sizeof c);
      c.dt = sorted->dtype;
      c.keys = lu_array_data(&s);
      c.n = n;
      c.equal_nan = equal_nan;
      c.vals = vals ? lu_array_data(vals) : NULL;
      c.start = start ? (int64_t *)lu_array_data(start) : NULL;
      c.count = count ? (int64_t *)lu_array_data(count) : NULL;
      c.id = id ? (int64_t *)lu_array_data(id) : NULL;
      c.base = base;
      c.nruns = &nr;
      c.dev = dev;
      lu_check_runs(ctx, &c, &s, vals, start, count, id);
      st = fam->runs(ctx, &c);
      if (st == LU_OK) st = lu_after_op(ctx, dev);
    }
  }
  lu_array_release(&s);
  for (k = 0; k < 3 && st == LU_OK; k++) if (outs[k]) st = shrink(ctx, outs[k], nr);
  if (st != LU_OK)
    for (k = 0; k < 4; k++) if (outs[k]) lu_array_release(outs[k]);
  return st;
}

int lu_sf_search(lu_ctx *ctx, const char *name, const lu_array *sorted, const lu_array *v,
                 int right, int found, int invert, int64_t base, lu_array *out) {
  const lu_sort_family *fam;
  lu_search_call c;
  lu_array s, q;
  lu_device dev = lu_array_device(sorted);
  int st;
  out->buf = NULL;
  if (!lu_sf_native(sorted->dtype))
    return lu_sf_search_other(ctx, name, sorted, v, right, found, invert, base, out);
  if ((st = lu_empty(ctx, out, found ? LU_BOOL : LU_INT64, v->ndim, v->shape, dev)) != LU_OK)
    return st;
  if (v->size == 0) return LU_OK;
  if ((st = LU_SF_ENTRY(ctx, name, dev, fam, search)) != LU_OK) { lu_array_release(out); return st; }
  s.buf = q.buf = NULL;
  st = lu_ascontig(ctx, &s, sorted);
  if (st == LU_OK) st = lu_ascontig(ctx, &q, v);
  if (st == LU_OK) {
    memset(&c, 0, sizeof c);
    c.dt = sorted->dtype;
    c.sorted = lu_array_data(&s);
    c.n = sorted->size;
    c.v = lu_array_data(&q);
    c.m = v->size;
    c.right = right;
    c.found = found;
    c.invert = invert;
    c.out = lu_array_data(out);
    c.base = base;
    c.dev = dev;
    lu_check_search(ctx, &c, &s, &q, out);
    st = fam->search(ctx, &c);
    if (st == LU_OK) st = lu_after_op(ctx, dev);
  }
  lu_array_release(&s);
  lu_array_release(&q);
  if (st != LU_OK) lu_array_release(out);
  return st;
}
/* }====================================================== */
