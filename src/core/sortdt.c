/* SPDX-License-Identifier: MIT */
/*
** The sort family's dtypes without backend loops. The backends sort,
** search, find runs and pick order statistics for the dtypes of C
** arithmetic types only (LU_DTYPES_NATIVE); the others are composed here
** from that native work, so no call reaches a backend with a dtype it has
** no loop for (and the CUDA code that runs is the code that runs for
** float32 and int64).
**
** float16 and bfloat16 go through float32, which holds each of their
** values exactly: the order, the NaNs and -0.0 are the same, so sorted
** values cast back are the input's values.
**
** Complex numbers are ordered as NumPy sorts them: by the real part, then
** the imaginary part, NaNs last, in the classes [R + Rj, R + nanj,
** nan + Rj, nan + nanj], each class ordered by its non-NaN part. That is
** three stable sorts of float keys, least significant first (an LSD
** lexsort): the imaginary part, the real part, the class. Where NumPy
** compares complex values for equality or searches them, they are ranked
** (int64 keys with the same order) and the ranks go to the backend.
*/
#include <string.h>
#include "lu_sortfam.h"

#define TRY(x) do { if ((st = (x)) != LU_OK) goto done; } while (0)

int lu_sf_native(lu_dtype dt) {
  return dt != LU_FLOAT16 && dt != LU_BFLOAT16 && lu_dtype_kind(dt) != 'c';
}

/* out (room for nrow * nidx items of src's dtype) [r, i] = src[r, idx[r, i]]
** for contiguous src (nrow rows of len) and idx (nrow rows of nidx). */
static int gather_raw(lu_ctx *ctx, const char *name, const lu_array *src, int64_t nrow,
                      int64_t len, const lu_array *idx, int64_t nidx, lu_array *out) {
  const lu_sort_family *fam;
  lu_device dev = lu_array_device(src);
  int st;
  if (nrow * nidx == 0) return LU_OK;
  if ((st = LU_SF_ENTRY(ctx, name, dev, fam, gather)) != LU_OK) return st;
  st = lu_sf_gather(ctx, fam, dev, lu_array_itemsize(src), nrow, src, len, idx, nidx, nidx, 0, out);
  if (st == LU_OK) st = lu_after_op(ctx, dev);
  return st;
}

/* a new contiguous 1-d array of src's n items gathered by rows */
static int gather_new(lu_ctx *ctx, const char *name, const lu_array *src, int64_t nrow,
                      int64_t len, const lu_array *idx, lu_array *out) {
  int64_t n = nrow * len;
  int st = lu_empty(ctx, out, src->dtype, 1, &n, lu_array_device(src));
  if (st == LU_OK && (st = gather_raw(ctx, name, src, nrow, len, idx, len, out)) != LU_OK)
    lu_array_release(out);
  return st;
}

/* a contiguous 1-d copy of x in dtype dt (or of x itself) */
static int flat_as(lu_ctx *ctx, const lu_array *x, lu_dtype dt, lu_array *out) {
  lu_array t;
  int st;
  if (x->dtype == dt) return lu_sf_flat(ctx, x, out);
  if ((st = lu_astype(ctx, &t, x, dt)) != LU_OK) return st;
  st = lu_sf_flat(ctx, &t, out);
  lu_array_release(&t);
  return st;
}

/* {====================================================== complex keys */
/* The three sort keys of a complex array x (flattened), most significant
** last: imag, real (negated when descending: NaN stays last) and the class
** (isnan(real) * 2 + isnan(imag)). With `norm`, NaN parts are 0 in the
** keys, so that equal keys mean "neither is less" in NumPy's order. */
static int cx_keys(lu_ctx *ctx, const char *name, const lu_array *x, int descending, int norm,
                   lu_array keys[3]) {
  lu_array part, t, nr, ni, c2;
  lu_arg g[3];
  int k, st = LU_OK;
  part.buf = t.buf = nr.buf = ni.buf = c2.buf = NULL;
  for (k = 0; k < 3; k++) keys[k].buf = NULL;
  for (k = 0; k < 2; k++) {
    lu_array *isn = k ? &nr : &ni, *key = &keys[k];
    TRY(lu_complex_part(ctx, &part, x, k == 0));        /* imag first */
    TRY(lu_sf_ew(ctx, name, LU_OP_isnan, lu_arg_array(&part), NULL, isn));
    if (descending) TRY(lu_sf_ew(ctx, name, LU_OP_negative, lu_arg_array(&part), NULL, &t));
    else lu_array_share(&t, &part);
    if (norm) {
      lu_array w;
      g[0] = lu_arg_array(isn); g[1] = lu_arg_float(0.0); g[2] = lu_arg_array(&t);
      w.buf = NULL;
      TRY(lu_ewise_named(ctx, LU_OP_where, 3, g, &w, name, -1));
      lu_array_release(&t);
      t = w;
    }
    TRY(flat_as(ctx, &t, t.dtype, key));
    lu_array_release(&t);
    lu_array_release(&part);
  }
  {
    lu_arg two = lu_arg_int(2), y = lu_arg_array(&ni);
    TRY(lu_sf_ew(ctx, name, LU_OP_multiply, lu_arg_array(&nr), &two, &c2));
    TRY(lu_sf_ew(ctx, name, LU_OP_add, lu_arg_array(&c2), &y, &t));
    TRY(flat_as(ctx, &t, LU_INT8, &keys[2]));
  }
done:
  lu_array_release(&part); lu_array_release(&t); lu_array_release(&nr);
  lu_array_release(&ni); lu_array_release(&c2);
  if (st != LU_OK) for (k = 0; k < 3; k++) lu_array_release(&keys[k]);
  return st;
}

/* perm (new, int64, 1-d, 0-based per row): the stable lexicographic order
** of the rows of x (complex, contiguous, nrow rows of len). */
static int cx_order(lu_ctx *ctx, const char *name, const lu_array *x, int64_t nrow, int64_t len,
                    int descending, lu_array *perm) {
  lu_array keys[3], kk, p2, comp;
  int64_t n = nrow * len;
  int k, st;
  perm->buf = kk.buf = p2.buf = comp.buf = NULL;
  if ((st = cx_keys(ctx, name, x, descending, 0, keys)) != LU_OK) return st;
  TRY(lu_empty(ctx, perm, LU_INT64, 1, &n, lu_array_device(x)));
  TRY(lu_sf_rowsort(ctx, name, &keys[0], nrow, len, NULL, perm, 0, 0));
  for (k = 1; k < 3; k++) {
    TRY(gather_new(ctx, name, &keys[k], nrow, len, perm, &kk));
    TRY(lu_empty(ctx, &p2, LU_INT64, 1, &n, lu_array_device(x)));
    TRY(lu_sf_rowsort(ctx, name, &kk, nrow, len, NULL, &p2, 0, 0));
    TRY(gather_new(ctx, name, perm, nrow, len, &p2, &comp));
    lu_array_release(perm); *perm = comp; comp.buf = NULL;
    lu_array_release(&kk);
    lu_array_release(&p2);
  }
done:
  for (k = 0; k < 3; k++) lu_array_release(&keys[k]);
  lu_array_release(&kk); lu_array_release(&p2); lu_array_release(&comp);
  if (st != LU_OK) lu_array_release(perm);
  return st;
}

/* flags[i] (bool, 1-d): item i of the sorted keys starts a run, for keys
** given as nk parallel 1-d arrays (a run: every key equal); extra, when
** not NULL, forces a start where it is true. */
static int run_heads(lu_ctx *ctx, const char *name, int nk, const lu_array *keys,
                     const lu_array *extra, lu_array *flags) {
  int64_t n = keys[0].shape[0];
  lu_array rest, hi, lo, ne, acc, t;
  lu_arg one = lu_arg_int(1), y;
  int k, st = LU_OK;
  rest.buf = hi.buf = lo.buf = ne.buf = acc.buf = t.buf = NULL;
  one.s.kind = 'b';
  TRY(lu_full(ctx, flags, LU_BOOL, 1, &n, lu_array_device(&keys[0]), one.s));
  if (n < 2) goto done;
  for (k = 0; k < nk; k++) {
    TRY(lu_slice(ctx, &hi, &keys[k], 0, 1, n, 1));
    TRY(lu_slice(ctx, &lo, &keys[k], 0, 0, n - 1, 1));
    y = lu_arg_array(&lo);
    TRY(lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(&hi), &y, &ne));
    lu_array_release(&hi); lu_array_release(&lo);
    if (acc.buf == NULL) { acc = ne; ne.buf = NULL; continue; }
    y = lu_arg_array(&ne);
    TRY(lu_sf_ew(ctx, name, LU_OP_logical_or, lu_arg_array(&acc), &y, &t));
    lu_array_release(&acc); lu_array_release(&ne);
    acc = t; t.buf = NULL;
  }
  if (extra) {
    TRY(lu_slice(ctx, &hi, extra, 0, 1, n, 1));
    y = lu_arg_array(&hi);
    TRY(lu_sf_ew(ctx, name, LU_OP_logical_or, lu_arg_array(&acc), &y, &t));
    lu_array_release(&acc);
    acc = t; t.buf = NULL;
  }
  TRY(lu_slice(ctx, &rest, flags, 0, 1, n, 1));
  y = lu_arg_array(&acc);
  st = lu_assign(ctx, &rest, &y);
done:
  lu_array_release(&rest); lu_array_release(&hi); lu_array_release(&lo);
  lu_array_release(&ne); lu_array_release(&acc); lu_array_release(&t);
  if (st != LU_OK) lu_array_release(flags);
  return st;
}

/* rank (new int64, x's length): dense ranks of the complex 1-d x in
** NumPy's order (equal values, in the sense "neither is less", share a
** rank); with nan_distinct every value holding a NaN has a rank of its
** own (as == sees them). */
static int cx_rank(lu_ctx *ctx, const char *name, const lu_array *x, int nan_distinct,
                   lu_array *rank) {
  const lu_sort_family *fam;
  lu_array perm, keys[3], sk[3], heads, isn, cs;
  int64_t n = x->size;
  lu_device dev = lu_array_device(x);
  int k, st = LU_OK;
  perm.buf = heads.buf = isn.buf = cs.buf = rank->buf = NULL;
  for (k = 0; k < 3; k++) keys[k].buf = sk[k].buf = NULL;
  TRY(lu_empty(ctx, rank, LU_INT64, 1, &n, dev));
  if (n == 0) goto done;
  TRY(cx_order(ctx, name, x, 1, n, 0, &perm));
  TRY(cx_keys(ctx, name, x, 0, 1, keys));
  for (k = 0; k < 3; k++) TRY(gather_new(ctx, name, &keys[k], 1, n, &perm, &sk[k]));
  if (nan_distinct) {
    lu_arg z = lu_arg_int(0);
    TRY(lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(&sk[2]), &z, &isn));
  }
  TRY(run_heads(ctx, name, 3, sk, nan_distinct ? &isn : NULL, &heads));
  TRY(lu_cumulative(ctx, &cs, &heads, LU_SCAN_SUM, 0, 0, LU_INT64));
  TRY(LU_SF_ENTRY(ctx, name, dev, fam, scatter));
  TRY(lu_sf_scatter(ctx, fam, dev, 8, 1, &cs, &perm, n, 0, rank, 0));
  st = lu_after_op(ctx, dev);
done:
  lu_array_release(&perm); lu_array_release(&heads); lu_array_release(&isn);
  lu_array_release(&cs);
  for (k = 0; k < 3; k++) { lu_array_release(&keys[k]); lu_array_release(&sk[k]); }
  if (st != LU_OK) lu_array_release(rank);
  return st;
}
/* }====================================================== */

/* {====================================================== the entries */
int lu_sf_rowsort(lu_ctx *ctx, const char *name, const lu_array *data, int64_t nrow,
                  int64_t len, lu_array *vals, lu_array *idx, int64_t base, int descending) {
  const lu_sort_family *fam;
  lu_sort_call c;
  lu_device dev = lu_array_device(data);
  lu_array f, fv, perm, pv;
  int st = LU_OK;
  if (nrow <= 0 || len <= 0) return LU_OK;
  f.buf = fv.buf = perm.buf = pv.buf = NULL;
  if (lu_sf_native(data->dtype)) {
    if ((st = LU_SF_ENTRY(ctx, name, dev, fam, sort)) != LU_OK) return st;
    memset(&c, 0, sizeof c);
    c.dt = data->dtype;
    c.nrow = nrow;
    c.len = len;
    c.in = lu_array_data(data);
    c.out = vals ? lu_array_data(vals) : NULL;
    c.idx = idx ? (int64_t *)lu_array_data(idx) : NULL;
    c.base = base;
    c.dev = dev;
    c.descending = descending;
    lu_check_sort(ctx, &c, data, vals, idx);
    st = fam->sort(ctx, &c);
    if (st == LU_OK) st = lu_after_op(ctx, dev);
    return st;
  }
  if (lu_dtype_kind(data->dtype) != 'c') {       /* float16, bfloat16 */
    TRY(lu_astype(ctx, &f, data, LU_FLOAT32));
    if (vals) TRY(lu_empty(ctx, &fv, LU_FLOAT32, vals->ndim, vals->shape, dev));
    TRY(lu_sf_rowsort(ctx, name, &f, nrow, len, vals ? &fv : NULL, idx, base, descending));
    if (vals) {
      lu_arg g = lu_arg_array(&fv);
      st = lu_assign(ctx, vals, &g);
    }
    goto done;
  }
  TRY(cx_order(ctx, name, data, nrow, len, descending, &perm));
  if (vals) TRY(gather_raw(ctx, name, data, nrow, len, &perm, len, vals));
  if (idx) {
    lu_arg g[2];
    TRY(lu_reshape(ctx, &pv, &perm, idx->ndim, idx->shape));
    g[0] = lu_arg_array(&pv);
    g[1] = lu_arg_int(base);
    st = lu_ewise_named(ctx, LU_OP_add, 2, g, idx, name, -1);
  }
done:
  lu_array_release(&f); lu_array_release(&fv); lu_array_release(&perm); lu_array_release(&pv);
  return st;
}

/* the runs of complex keys, composed: heads where == fails (with
** equal_nan, not between two values that hold a NaN: NumPy 2's unique
** makes all of them one) */
static int cx_runs(lu_ctx *ctx, const char *name, const lu_array *s, int equal_nan, int64_t base,
                   lu_array *vals, lu_array *start, lu_array *count, lu_array *id) {
  lu_array heads, isn, keep, both, iota, starts, ends, nn, cs, hi, lo;
  lu_arg y;
  int64_t n = s->shape[0], one = 1;
  lu_device dev = lu_array_device(s);
  int st = LU_OK;
  heads.buf = isn.buf = keep.buf = both.buf = iota.buf = starts.buf = ends.buf = NULL;
  nn.buf = cs.buf = hi.buf = lo.buf = NULL;
  TRY(run_heads(ctx, name, 1, s, NULL, &heads));
  if (equal_nan && n > 1) {
    y = lu_arg_array(s);            /* isnan: z != z */
    TRY(lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(s), &y, &isn));
    TRY(lu_slice(ctx, &hi, &isn, 0, 1, n, 1));
    TRY(lu_slice(ctx, &lo, &isn, 0, 0, n - 1, 1));
    y = lu_arg_array(&lo);
    TRY(lu_sf_ew(ctx, name, LU_OP_logical_and, lu_arg_array(&hi), &y, &both));
    lu_array_release(&hi);
    TRY(lu_slice(ctx, &hi, &heads, 0, 1, n, 1));
    TRY(lu_sf_ew(ctx, name, LU_OP_logical_not, lu_arg_array(&both), NULL, &keep));
    y = lu_arg_array(&keep);
    TRY(lu_ewise_named(ctx, LU_OP_logical_and, 2, (lu_arg[]){lu_arg_array(&hi), y}, &hi, name, -1));
  }
  TRY(lu_sf_iota(ctx, name, n, dev, &iota));
  TRY(lu_sf_select(ctx, &iota, &heads, &starts));
  if (vals) TRY(lu_sf_take(ctx, name, s, &starts, 0, vals));
  if (count) {
    const lu_array *parts[2];
    TRY(lu_full(ctx, &nn, LU_INT64, 1, &one, dev, lu_arg_int(n).s));
    parts[0] = &starts; parts[1] = &nn;
    TRY(lu_sf_concat(ctx, name, 2, parts, LU_INT64, &ends));
    lu_array_release(&hi); lu_array_release(&lo);
    TRY(lu_slice(ctx, &hi, &ends, 0, 1, ends.shape[0], 1));
    TRY(lu_slice(ctx, &lo, &ends, 0, 0, ends.shape[0] - 1, 1));
    y = lu_arg_array(&lo);
    TRY(lu_sf_ew(ctx, name, LU_OP_subtract, lu_arg_array(&hi), &y, count));
  }
  if (start) {
    y = lu_arg_int(base);
    TRY(lu_sf_ew(ctx, name, LU_OP_add, lu_arg_array(&starts), &y, start));
  }
  if (id) {
    TRY(lu_cumulative(ctx, &cs, &heads, LU_SCAN_SUM, 0, 0, LU_INT64));
    y = lu_arg_int(base - 1);
    TRY(lu_sf_ew(ctx, name, LU_OP_add, lu_arg_array(&cs), &y, id));
  }
done:
  lu_array_release(&heads); lu_array_release(&isn); lu_array_release(&keep);
  lu_array_release(&both); lu_array_release(&iota); lu_array_release(&starts);
  lu_array_release(&ends); lu_array_release(&nn); lu_array_release(&cs);
  lu_array_release(&hi); lu_array_release(&lo);
  if (st != LU_OK) {
    if (vals) lu_array_release(vals);
    if (start) lu_array_release(start);
    if (count) lu_array_release(count);
    if (id) lu_array_release(id);
  }
  return st;
}

int lu_sf_runs_other(lu_ctx *ctx, const char *name, const lu_array *sorted, int equal_nan,
                     int64_t base, lu_array *vals, lu_array *start, lu_array *count,
                     lu_array *id) {
  lu_array f, fv;
  int st;
  if (lu_dtype_kind(sorted->dtype) == 'c') {
    lu_array s;
    if ((st = lu_sf_flat(ctx, sorted, &s)) != LU_OK) return st;
    st = cx_runs(ctx, name, &s, equal_nan, base, vals, start, count, id);
    lu_array_release(&s);
    return st;
  }
  fv.buf = NULL;
  if ((st = lu_astype(ctx, &f, sorted, LU_FLOAT32)) != LU_OK) return st;
  st = lu_sf_runs(ctx, name, &f, equal_nan, base, vals ? &fv : NULL, start, count, id);
  lu_array_release(&f);
  if (st == LU_OK && vals) {
    st = lu_astype(ctx, vals, &fv, sorted->dtype);
    if (st != LU_OK) {
      if (start) lu_array_release(start);
      if (count) lu_array_release(count);
      if (id) lu_array_release(id);
    }
  }
  lu_array_release(&fv);
  return st;
}

int lu_sf_search_other(lu_ctx *ctx, const char *name, const lu_array *sorted, const lu_array *v,
                       int right, int found, int invert, int64_t base, lu_array *out) {
  lu_array s, q, all, r, rs, rq, rqs;
  const lu_array *parts[2];
  int st = LU_OK;
  out->buf = NULL;
  s.buf = q.buf = all.buf = r.buf = rs.buf = rq.buf = rqs.buf = NULL;
  if (lu_dtype_kind(sorted->dtype) != 'c') {
    TRY(lu_astype(ctx, &s, sorted, LU_FLOAT32));
    TRY(lu_astype(ctx, &q, v, LU_FLOAT32));
    st = lu_sf_search(ctx, name, &s, &q, right, found, invert, base, out);
    goto done;
  }
  /* ranks of both together: positions and equality are the ranks' */
  parts[0] = sorted; parts[1] = v;
  TRY(lu_sf_concat(ctx, name, 2, parts, sorted->dtype, &all));
  TRY(cx_rank(ctx, name, &all, found, &r));
  TRY(lu_slice(ctx, &rs, &r, 0, 0, sorted->size, 1));
  TRY(lu_slice(ctx, &rq, &r, 0, sorted->size, r.shape[0], 1));
  TRY(lu_reshape(ctx, &rqs, &rq, v->ndim, v->shape));
  st = lu_sf_search(ctx, name, &rs, &rqs, right, found, invert, base, out);
done:
  lu_array_release(&s); lu_array_release(&q); lu_array_release(&all); lu_array_release(&r);
  lu_array_release(&rs); lu_array_release(&rq); lu_array_release(&rqs);
  return st;
}
/* }====================================================== */
