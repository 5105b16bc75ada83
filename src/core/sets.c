/* SPDX-License-Identifier: MIT */
/*
** Sets and counting: unique (NumPy 2's forms are the binding's), isin,
** intersect1d, union1d, setdiff1d, setxor1d, bincount. Each follows the
** algorithm of NumPy's arraysetops (sort, then compare neighbours), so the
** results agree with NumPy's also for inputs that break an assume_unique
** promise. NaN: unique collapses NaNs (equal_nan); elsewhere NaN equals
** nothing, as NumPy's comparisons say.
*/
#include <stdlib.h>
#include <string.h>
#include "lu_sortfam.h"
#include "lu_hostmem.h"

/* out = op(a[1:], a[:-1]) for a 1-d a of n >= 1 elements */
static int adjacent(lu_ctx *ctx, const char *name, lu_op op, const lu_array *a, lu_array *out) {
  lu_array hi, lo;
  lu_arg y;
  int64_t n = a->shape[0];
  int st;
  out->buf = NULL;
  hi.buf = lo.buf = NULL;
  st = lu_slice(ctx, &hi, a, 0, 1, n, 1);
  if (st == LU_OK) st = lu_slice(ctx, &lo, a, 0, 0, n - 1, 1);
  if (st == LU_OK) {
    y = lu_arg_array(&lo);
    st = lu_sf_ew(ctx, name, op, lu_arg_array(&hi), &y, out);
  }
  lu_array_release(&hi);
  lu_array_release(&lo);
  return st;
}

/* x + k in place (x a fresh int64 array) */
static int add_inplace(lu_ctx *ctx, const char *name, lu_array *x, int64_t k) {
  lu_arg g[2];
  if (k == 0 || x->size == 0) return LU_OK;
  g[0] = lu_arg_array(x);
  g[1] = lu_arg_int(k);
  return lu_ewise_named(ctx, LU_OP_add, 2, g, x, name, -1);
}

static void release_all(lu_array *const *arrs, int n) {
  int k;
  for (k = 0; k < n; k++) if (arrs[k]) lu_array_release(arrs[k]);
}

/* {====================================================== unique */
static int unique_flat(lu_ctx *ctx, const char *name, const lu_array *a, int equal_nan,
                       int64_t base, lu_array *values, lu_array *index, lu_array *inverse,
                       lu_array *counts) {
  lu_array aux, perm, start, id, vals;
  lu_array *outs[4];
  int need_perm = index || inverse, st;
  outs[0] = values; outs[1] = index; outs[2] = inverse; outs[3] = counts;
  aux.buf = perm.buf = start.buf = id.buf = vals.buf = NULL;
  st = lu_sf_sort1(ctx, name, a, &aux, need_perm ? &perm : NULL);
  if (st == LU_OK)
    st = lu_sf_runs(ctx, name, &aux, equal_nan, base, &vals, index ? &start : NULL,
                    counts, inverse ? &id : NULL);
  if (st == LU_OK && index) {
    st = lu_sf_take(ctx, name, &perm, &start, base, index);
    if (st == LU_OK) st = add_inplace(ctx, name, index, base);
  }
  if (st == LU_OK && inverse) {
    const lu_sort_family *fam;
    lu_device dev = lu_array_device(a);
    lu_array flat;
    int64_t n = a->size;
    flat.buf = NULL;
    st = lu_empty(ctx, &flat, LU_INT64, 1, &n, dev);
    if (st == LU_OK && n > 0 && (st = LU_SF_ENTRY(ctx, name, dev, fam, scatter)) == LU_OK) {
      st = lu_sf_scatter(ctx, fam, dev, 8, 1, &id, &perm, n, 0, &flat, 0);
      if (st == LU_OK) st = lu_after_op(ctx, dev);
    }
    if (st == LU_OK) st = lu_reshape(ctx, inverse, &flat, a->ndim, a->shape);
    lu_array_release(&flat);
  }
  if (st == LU_OK && values) { *values = vals; vals.buf = NULL; }
  lu_array_release(&aux);
  lu_array_release(&perm);
  lu_array_release(&start);
  lu_array_release(&id);
  lu_array_release(&vals);
  if (st != LU_OK) release_all(outs, 4);
  return st;
}

/* Unique slices along an axis: the slices as rows (n, m), sorted
** lexicographically (the first element most significant), and a row
** starts a run when it differs anywhere from the row before. */
static int unique_axis(lu_ctx *ctx, const char *name, const lu_array *a, int axis,
                       int64_t base, lu_array *values, lu_array *index, lu_array *inverse,
                       lu_array *counts) {
  const lu_sort_family *fam;
  lu_device dev = lu_array_device(a);
  lu_rows r;
  lu_array *outs[4], rows, perm, sorted, mask, iota, starts, tmp, vrows;
  const lu_array **keys = NULL;
  lu_array *cols = NULL;
  int64_t n = a->shape[axis], m, k = 0, one = 1, sh2[2];
  int st, j, others[LU_MAXDIM], no = 0, i;
  outs[0] = values; outs[1] = index; outs[2] = inverse; outs[3] = counts;
  rows.buf = perm.buf = sorted.buf = mask.buf = iota.buf = starts.buf = tmp.buf = vrows.buf = NULL;
  /* rows: axis first, the rest flattened */
  for (i = 0; i < a->ndim; i++) if (i != axis) others[no++] = i;
  if ((st = lu_rows_make(ctx, name, a, no, others, 0, &r)) != LU_OK) return st;
  /* r.data is (n, m) when the axis is the one kept: nrow = n */
  m = r.len;
  sh2[0] = n; sh2[1] = m;
  st = lu_reshape(ctx, &rows, &r.data, 2, sh2);
  if (st != LU_OK) goto done;
  if ((st = LU_SF_ENTRY(ctx, name, dev, fam, gather)) != LU_OK) goto done;
  /* lexsort by the columns, the first column primary (so last key) */
  if (n == 0) {
    st = lu_empty(ctx, &perm, LU_INT64, 1, &n, dev);
  } else if (m == 0) {
    st = lu_sf_iota(ctx, name, n, dev, &perm);
  } else {
    cols = lu_calloc((size_t)m, sizeof *cols);
    keys = lu_calloc((size_t)m, sizeof *keys);
    if (cols == NULL || keys == NULL) { st = lu_seterr(ctx, LU_EMEM, "%s: out of memory", name); goto done; }
    for (j = 0; j < m && st == LU_OK; j++) {
      st = lu_take_index(ctx, &cols[j], &rows, 1, m - 1 - j);
      keys[j] = &cols[j];
    }
    if (st == LU_OK) st = lu_lexsort(ctx, &perm, (int)m, keys, 0, 0);
  }
  if (st != LU_OK) goto done;
  /* the rows in sorted order */
  st = lu_empty(ctx, &sorted, a->dtype, 2, sh2, dev);
  if (st == LU_OK && n * m > 0) {
    lu_array rc;
    if ((st = lu_ascontig(ctx, &rc, &rows)) == LU_OK) {
      st = lu_sf_gather(ctx, fam, dev, (int)(m * lu_array_itemsize(a)), 1, &rc, 0, &perm, 0, n, 0,
                        &sorted);
      lu_array_release(&rc);
    }
  }
  if (st != LU_OK) goto done;
  /* mask[i]: row i starts a run */
  st = lu_empty(ctx, &mask, LU_BOOL, 1, &n, dev);
  if (st == LU_OK && n > 0) {
    lu_array first, rest, hi, lo, ne;
    lu_arg t = lu_arg_int(1), y;
    first.buf = rest.buf = hi.buf = lo.buf = ne.buf = NULL;
    t.s.kind = 'b';
    st = lu_slice(ctx, &first, &mask, 0, 0, 1, 1);
    if (st == LU_OK) st = lu_assign(ctx, &first, &t);
    if (st == LU_OK && n > 1) {
      st = lu_slice(ctx, &hi, &sorted, 0, 1, n, 1);
      if (st == LU_OK) st = lu_slice(ctx, &lo, &sorted, 0, 0, n - 1, 1);
      if (st == LU_OK) { y = lu_arg_array(&lo); st = lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(&hi), &y, &ne); }
      if (st == LU_OK) st = lu_slice(ctx, &rest, &mask, 0, 1, n, 1);
      if (st == LU_OK) {
        lu_array any;
        if (m == 0) {
          lu_arg f = lu_arg_int(0);
          f.s.kind = 'b';
          st = lu_assign(ctx, &rest, &f);
        } else if ((st = lu_reduce(ctx, &any, LU_RED_any, &ne, 1, 0, 0)) == LU_OK) {
          lu_arg g = lu_arg_array(&any);
          st = lu_assign(ctx, &rest, &g);
          lu_array_release(&any);
        }
      }
    }
    lu_array_release(&first); lu_array_release(&rest);
    lu_array_release(&hi); lu_array_release(&lo); lu_array_release(&ne);
  }
  if (st != LU_OK) goto done;
  /* starts: positions of the run heads */
  if ((st = lu_sf_iota(ctx, name, n, dev, &iota)) != LU_OK) goto done;
  if ((st = lu_sf_select(ctx, &iota, &mask, &starts)) != LU_OK) goto done;
  k = starts.shape[0];
  if (values) {
    int64_t vs[LU_MAXDIM];
    st = lu_empty(ctx, &vrows, a->dtype, 2, (int64_t[]){k, m}, dev);
    if (st == LU_OK && k * m > 0)
      st = lu_sf_gather(ctx, fam, dev, (int)(m * lu_array_itemsize(a)), 1, &sorted, 0, &starts, 0,
                        k, 0, &vrows);
    /* (k, rest of the moved shape), then the axis back in its place */
    if (st == LU_OK) {
      lu_array shaped;
      int perm2[LU_MAXDIM], inv[LU_MAXDIM];
      vs[0] = k;
      for (i = 1; i < r.mndim; i++) vs[i] = r.mshape[i];
      st = lu_reshape(ctx, &shaped, &vrows, r.mndim, vs);
      if (st == LU_OK) {
        for (i = 0; i < r.mndim; i++) perm2[i] = r.perm[i];
        for (i = 0; i < r.mndim; i++) inv[perm2[i]] = i;
        st = lu_transpose(ctx, values, &shaped, inv);
        lu_array_release(&shaped);
      }
    }
  }
  if (st == LU_OK && index) {
    st = lu_sf_take(ctx, name, &perm, &starts, 0, index);
    if (st == LU_OK) st = add_inplace(ctx, name, index, base);
  }
  if (st == LU_OK && counts) {
    /* counts = diff(starts ++ [n]) */
    lu_array ends, nn;
    nn.buf = ends.buf = NULL;
    st = lu_full(ctx, &nn, LU_INT64, 1, &one, dev, lu_arg_int(n).s);
    if (st == LU_OK) {
      const lu_array *parts[2];
      parts[0] = &starts; parts[1] = &nn;
      st = lu_sf_concat(ctx, name, 2, parts, LU_INT64, &ends);
    }
    if (st == LU_OK) st = adjacent(ctx, name, LU_OP_subtract, &ends, counts);
    lu_array_release(&nn);
    lu_array_release(&ends);
  }
  if (st == LU_OK && inverse) {
    /* the run number of each sorted row, scattered to the row's place */
    lu_array cs, id;
    lu_scalar z = {'i', 0, 0};
    cs.buf = id.buf = NULL;
    st = lu_cumulative(ctx, &cs, &mask, LU_SCAN_SUM, 0, 0, LU_INT64);
    if (st == LU_OK) st = add_inplace(ctx, name, &cs, base - 1);
    if (st == LU_OK) st = lu_full(ctx, &id, LU_INT64, 1, &n, dev, z);
    if (st == LU_OK && n > 0) {
      st = lu_sf_scatter(ctx, fam, dev, 8, 1, &cs, &perm, n, 0, &id, 0);
      if (st == LU_OK) st = lu_after_op(ctx, dev);
    }
    if (st == LU_OK) { *inverse = id; id.buf = NULL; }
    lu_array_release(&cs);
    lu_array_release(&id);
  }
done:
  if (cols) for (j = 0; j < m; j++) lu_array_release(&cols[j]);
  free(cols);
  free(keys);
  lu_rows_free(&r);
  lu_array_release(&rows); lu_array_release(&perm); lu_array_release(&sorted);
  lu_array_release(&mask); lu_array_release(&iota); lu_array_release(&starts);
  lu_array_release(&tmp); lu_array_release(&vrows);
  if (st != LU_OK) release_all(outs, 4);
  return st;
}

int lu_unique(lu_ctx *ctx, const lu_array *a, int axis, int equal_nan, int64_t base,
              lu_array *values, lu_array *index, lu_array *inverse, lu_array *counts) {
  const char *name = "unique";
  lu_array *outs[4];
  int k, st;
  outs[0] = values; outs[1] = index; outs[2] = inverse; outs[3] = counts;
  for (k = 0; k < 4; k++) if (outs[k]) outs[k]->buf = NULL;
  if ((st = lu_sf_open(ctx, a)) != LU_OK) return st;
  if (axis != LU_ALLAXES && (axis < 0 || axis >= a->ndim))
    return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                     name, axis + 1, a->ndim);
  if (axis == LU_ALLAXES || a->ndim == 1)
    return unique_flat(ctx, name, a, equal_nan, base, values, index, inverse, counts);
  return unique_axis(ctx, name, a, axis, base, values, index, inverse, counts);
}
/* }====================================================== */

/* {====================================================== isin and the set ops */
/* x in dtype dt (a view when it is already), flattened when flat */
static int as_dtype(lu_ctx *ctx, const lu_array *x, lu_dtype dt, int flat, lu_array *out) {
  lu_array t;
  int st;
  if (x->dtype == dt) lu_array_share(&t, x);
  else if ((st = lu_astype(ctx, &t, x, dt)) != LU_OK) return st;
  if (!flat) { *out = t; return LU_OK; }
  st = lu_sf_flat(ctx, &t, out);
  lu_array_release(&t);
  return st;
}

static int isin_named(lu_ctx *ctx, const char *name, lu_array *out, const lu_array *element,
                      const lu_array *test, int invert) {
  lu_array e, t, sorted;
  lu_dtype dt;
  int st;
  out->buf = NULL;
  if ((st = lu_sf_same_dev(ctx, name, element, test)) != LU_OK) return st;
  dt = lu_promote(element->dtype, test->dtype);
  e.buf = t.buf = sorted.buf = NULL;
  st = as_dtype(ctx, element, dt, 0, &e);
  if (st == LU_OK) st = as_dtype(ctx, test, dt, 1, &t);
  if (st == LU_OK) st = lu_sf_sort1(ctx, name, &t, &sorted, NULL);
  if (st == LU_OK) st = lu_sf_search(ctx, name, &sorted, &e, 0, 1, invert, 0, out);
  lu_array_release(&e);
  lu_array_release(&t);
  lu_array_release(&sorted);
  return st;
}

int lu_isin(lu_ctx *ctx, lu_array *out, const lu_array *element, const lu_array *test,
            int assume_unique, int invert) {
  (void)assume_unique;   /* a hint: the result is the same */
  return isin_named(ctx, "isin", out, element, test, invert);
}

/* a flattened, or its unique values (and their first positions) */
static int unique_or_flat(lu_ctx *ctx, const char *name, const lu_array *a, int assume_unique,
                          lu_array *vals, lu_array *first) {
  if (first) first->buf = NULL;
  if (assume_unique) return lu_sf_flat(ctx, a, vals);
  (void)name;
  return lu_unique(ctx, a, LU_ALLAXES, 1, 0, vals, first, NULL, NULL);
}

int lu_intersect1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b,
                   int assume_unique, lu_array *ia, lu_array *ib, int64_t base) {
  const char *name = "intersect1d";
  int want = ia != NULL || ib != NULL;
  lu_array ua, ub, fa, fb, aux, vals, perm, eq, head, tail, p1, p2, t;
  const lu_array *parts[2];
  int64_t n;
  int st;
  out->buf = NULL;
  if (ia) ia->buf = NULL;
  if (ib) ib->buf = NULL;
  ua.buf = ub.buf = fa.buf = fb.buf = aux.buf = vals.buf = perm.buf = eq.buf = NULL;
  head.buf = tail.buf = p1.buf = p2.buf = t.buf = NULL;
  if ((st = lu_sf_same_dev(ctx, name, a, b)) != LU_OK) return st;
  st = unique_or_flat(ctx, name, a, assume_unique, &ua, want && !assume_unique ? &fa : NULL);
  if (st == LU_OK)
    st = unique_or_flat(ctx, name, b, assume_unique, &ub, want && !assume_unique ? &fb : NULL);
  parts[0] = &ua; parts[1] = &ub;
  if (st == LU_OK) st = lu_sf_concat(ctx, name, 2, parts, lu_promote(a->dtype, b->dtype), &aux);
  if (st == LU_OK) st = lu_sf_sort1(ctx, name, &aux, &vals, want ? &perm : NULL);
  if (st != LU_OK) goto done;
  n = vals.shape[0];
  if (n < 2) {
    int64_t z = 0;
    st = lu_empty(ctx, out, vals.dtype, 1, &z, lu_array_device(a));
    if (st == LU_OK && ia) st = lu_empty(ctx, ia, LU_INT64, 1, &z, lu_array_device(a));
    if (st == LU_OK && ib) st = lu_empty(ctx, ib, LU_INT64, 1, &z, lu_array_device(a));
    goto done;
  }
  st = adjacent(ctx, name, LU_OP_equal, &vals, &eq);
  if (st == LU_OK) st = lu_slice(ctx, &head, &vals, 0, 0, n - 1, 1);
  if (st == LU_OK) st = lu_sf_select(ctx, &head, &eq, out);
  if (st == LU_OK && want) {
    lu_array ph, pt;
    ph.buf = pt.buf = NULL;
    st = lu_slice(ctx, &ph, &perm, 0, 0, n - 1, 1);
    if (st == LU_OK) st = lu_slice(ctx, &pt, &perm, 0, 1, n, 1);
    if (st == LU_OK) st = lu_sf_select(ctx, &ph, &eq, &p1);
    if (st == LU_OK) st = lu_sf_select(ctx, &pt, &eq, &p2);
    if (st == LU_OK) st = add_inplace(ctx, name, &p2, -ua.size);
    lu_array_release(&ph);
    lu_array_release(&pt);
    if (st == LU_OK && !assume_unique) {
      st = lu_sf_take(ctx, name, &fa, &p1, 0, &t);
      if (st == LU_OK) { lu_array_release(&p1); p1 = t; t.buf = NULL; }
      if (st == LU_OK) st = lu_sf_take(ctx, name, &fb, &p2, 0, &t);
      if (st == LU_OK) { lu_array_release(&p2); p2 = t; t.buf = NULL; }
    }
    if (st == LU_OK) st = add_inplace(ctx, name, &p1, base);
    if (st == LU_OK) st = add_inplace(ctx, name, &p2, base);
    if (st == LU_OK && ia) { *ia = p1; p1.buf = NULL; }
    if (st == LU_OK && ib) { *ib = p2; p2.buf = NULL; }
  }
done:
  lu_array_release(&ua); lu_array_release(&ub); lu_array_release(&fa); lu_array_release(&fb);
  lu_array_release(&aux); lu_array_release(&vals); lu_array_release(&perm);
  lu_array_release(&eq); lu_array_release(&head); lu_array_release(&tail);
  lu_array_release(&p1); lu_array_release(&p2); lu_array_release(&t);
  if (st != LU_OK) {
    lu_array_release(out);
    if (ia) lu_array_release(ia);
    if (ib) lu_array_release(ib);
  }
  return st;
}

int lu_union1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b) {
  const char *name = "union1d";
  lu_array aux;
  const lu_array *parts[2];
  int st;
  out->buf = NULL;
  if ((st = lu_sf_same_dev(ctx, name, a, b)) != LU_OK) return st;
  parts[0] = a; parts[1] = b;
  if ((st = lu_sf_concat(ctx, name, 2, parts, lu_promote(a->dtype, b->dtype), &aux)) != LU_OK)
    return st;
  st = lu_unique(ctx, &aux, LU_ALLAXES, 1, 0, out, NULL, NULL, NULL);
  lu_array_release(&aux);
  return st;
}

int lu_setdiff1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b,
                 int assume_unique) {
  const char *name = "setdiff1d";
  lu_array ua, keep;
  int st;
  out->buf = NULL;
  ua.buf = keep.buf = NULL;
  if ((st = lu_sf_same_dev(ctx, name, a, b)) != LU_OK) return st;
  st = unique_or_flat(ctx, name, a, assume_unique, &ua, NULL);
  if (st == LU_OK) st = isin_named(ctx, name, &keep, &ua, b, 1);
  if (st == LU_OK) st = lu_sf_select(ctx, &ua, &keep, out);
  lu_array_release(&ua);
  lu_array_release(&keep);
  return st;
}

int lu_setxor1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_array *b,
                int assume_unique) {
  const char *name = "setxor1d";
  lu_array ua, ub, aux, vals, ne, tru, flag, fh, fl, keep;
  const lu_array *parts[3];
  int64_t n, one = 1;
  lu_scalar t = {'b', 1, 0};
  int st;
  out->buf = NULL;
  ua.buf = ub.buf = aux.buf = vals.buf = ne.buf = tru.buf = flag.buf = NULL;
  fh.buf = fl.buf = keep.buf = NULL;
  if ((st = lu_sf_same_dev(ctx, name, a, b)) != LU_OK) return st;
  st = unique_or_flat(ctx, name, a, assume_unique, &ua, NULL);
  if (st == LU_OK) st = unique_or_flat(ctx, name, b, assume_unique, &ub, NULL);
  parts[0] = &ua; parts[1] = &ub;
  if (st == LU_OK) st = lu_sf_concat(ctx, name, 2, parts, lu_promote(a->dtype, b->dtype), &aux);
  if (st == LU_OK) st = lu_sf_sort1(ctx, name, &aux, &vals, NULL);
  if (st != LU_OK) goto done;
  n = vals.shape[0];
  if (n == 0) { *out = vals; vals.buf = NULL; goto done; }
  /* flag = [true] ++ (vals[1:] != vals[:-1]) ++ [true]; keep flag[1:] & flag[:-1] */
  st = adjacent(ctx, name, LU_OP_not_equal, &vals, &ne);
  if (st == LU_OK) st = lu_full(ctx, &tru, LU_BOOL, 1, &one, lu_array_device(a), t);
  parts[0] = &tru; parts[1] = &ne; parts[2] = &tru;
  if (st == LU_OK) st = lu_sf_concat(ctx, name, 3, parts, LU_BOOL, &flag);
  if (st == LU_OK) st = adjacent(ctx, name, LU_OP_logical_and, &flag, &keep);
  if (st == LU_OK) st = lu_sf_select(ctx, &vals, &keep, out);
done:
  lu_array_release(&ua); lu_array_release(&ub); lu_array_release(&aux);
  lu_array_release(&vals); lu_array_release(&ne); lu_array_release(&tru);
  lu_array_release(&flag); lu_array_release(&fh); lu_array_release(&fl);
  lu_array_release(&keep);
  return st;
}
/* }====================================================== */

/* {====================================================== bincount */
int lu_bincount(lu_ctx *ctx, lu_array *out, const lu_array *x, const lu_array *weights,
                int64_t minlength) {
  const char *name = "bincount";
  const lu_sort_family *fam;
  lu_hist_call c;
  lu_array xi, w, mn, mx;
  int64_t lo = 0, hi = -1, nb;
  lu_device dev;
  char kd;
  int st;
  out->buf = NULL;
  if ((st = lu_sf_open(ctx, x)) != LU_OK) return st;
  dev = lu_array_device(x);
  kd = lu_dtype_kind(x->dtype);
  if (x->ndim != 1)
    return lu_seterr(ctx, LU_ESHAPE, "%s: x must be 1-dimensional, got %d dimensions", name, x->ndim);
  if (!(kd == 'b' || kd == 'i' || (kd == 'u' && lu_dtype_size(x->dtype) < 8)))
    return lu_seterr(ctx, LU_ETYPE, "%s: cannot cast array data from %s to int64 according to the rule 'safe'",
                     name, lu_dtype_name(x->dtype));
  if (minlength < 0)
    return lu_seterr(ctx, LU_EARG, "%s: minlength must not be negative", name);
  if (weights) {
    if ((st = lu_sf_same_dev(ctx, name, x, weights)) != LU_OK) return st;
    if (lu_dtype_kind(weights->dtype) == 'c')
      return lu_seterr(ctx, LU_ETYPE, "%s: cannot cast weights from %s to float64 according to the rule 'safe'",
                       name, lu_dtype_name(weights->dtype));
    if (weights->ndim != 1 || weights->shape[0] != x->shape[0]) {
      char s1[LU_MAXDIM * 24];
      return lu_seterr(ctx, LU_ESHAPE, "%s: weights of shape %s do not match x of length %lld",
                       name, lu_shape_str(weights->ndim, weights->shape, s1, sizeof s1),
                       (long long)x->shape[0]);
    }
  }
  if (x->size > 0) {
    if ((st = lu_reduce(ctx, &mn, LU_RED_min, x, LU_ALLAXES, 0, 0)) != LU_OK) return st;
    st = lu_sf_get_i64(ctx, &mn, 0, &lo);
    lu_array_release(&mn);
    if (st != LU_OK) return st;
    if (lo < 0) return lu_seterr(ctx, LU_EARG, "%s: x must have no negative elements", name);
    if ((st = lu_reduce(ctx, &mx, LU_RED_max, x, LU_ALLAXES, 0, 0)) != LU_OK) return st;
    st = lu_sf_get_i64(ctx, &mx, 0, &hi);
    lu_array_release(&mx);
    if (st != LU_OK) return st;
  }
  if (hi == INT64_MAX) return lu_seterr(ctx, LU_EMEM, "bincount: array is too big");
  nb = hi + 1 > minlength ? hi + 1 : minlength;
  if ((st = lu_empty(ctx, out, weights ? LU_FLOAT64 : LU_INT64, 1, &nb, dev)) != LU_OK) return st;
  if (nb == 0) return LU_OK;
  xi.buf = w.buf = NULL;
  if ((st = LU_SF_ENTRY(ctx, name, dev, fam, bincount)) != LU_OK) goto done;
  if ((st = as_dtype(ctx, x, LU_INT64, 1, &xi)) != LU_OK) goto done;
  if (weights && (st = as_dtype(ctx, weights, LU_FLOAT64, 1, &w)) != LU_OK) goto done;
  memset(&c, 0, sizeof c);
  c.dt = LU_INT64;
  c.x = lu_array_data(&xi);
  c.n = x->size;
  c.w = weights ? (const double *)lu_array_data(&w) : NULL;
  c.nbins = nb;
  c.out = lu_array_data(out);
  c.out_dt = out->dtype;
  c.dev = dev;
  lu_check_hist(ctx, &c, 0, &xi, weights ? &w : NULL, NULL, out);
  st = fam->bincount(ctx, &c);
  if (st == LU_OK) st = lu_after_op(ctx, dev);
done:
  lu_array_release(&xi);
  lu_array_release(&w);
  if (st != LU_OK) lu_array_release(out);
  return st;
}
/* }====================================================== */
