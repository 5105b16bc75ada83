/* SPDX-License-Identifier: MIT */
/*
** Scans and differences: cumsum, cumprod, nancumsum, nancumprod (the
** backend's scan entry), cummax/cummin (PyTorch's, with positions), and
** diff, ediff1d, gradient, trapezoid, composed from slices and
** elementwise ops exactly in NumPy's order of operations (so the dtypes
** and the rounding agree).
*/
#include <string.h>
#include "lu_sortfam.h"

#define TRY(x) do { if ((st = (x)) != LU_OK) goto done; } while (0)

/* {====================================================== scans */
/* The (outer, len, inner) layout of a along axis (LU_ALLAXES: a must be
** contiguous 1-d); 0 when the axes around it do not merge. */
static int layout(const lu_array *a, int axis, lu_scan_call *c) {
  if (axis == LU_ALLAXES) {
    c->outer = c->inner = 1;
    c->s_outer = c->s_inner = 0;
    c->len = a->size;
    c->s_len = lu_array_itemsize(a);
    return 1;
  }
  c->len = a->shape[axis];
  c->s_len = a->strides[axis];
  return lu_merge_run(a, 0, axis, &c->outer, &c->s_outer) &&
         lu_merge_run(a, axis + 1, a->ndim, &c->inner, &c->s_inner);
}

static int run_scan(lu_ctx *ctx, const char *name, const lu_array *x, int axis, int op,
                    int nan_skip, lu_array *vals, lu_array *idx, int64_t base);

/* {===== the dtypes without backend loops
** float16 and bfloat16 scan in float32 and round once per item (PyTorch's
** way; NumPy rounds each partial result, which can differ in the last
** place over long runs). A complex sum is the sums of the two parts; a
** complex product is a Hillis-Steele scan of complex multiplies (log2(len)
** passes over slices, each an elementwise op). NaN-skipping forms first
** replace each value holding a NaN by the identity, as NumPy's nancumsum. */
static int scan_other(lu_ctx *ctx, const char *name, const lu_array *x, int axis, int op,
                      int nan_skip, lu_array *vals, lu_array *idx, int64_t base) {
  lu_array f, fv, src, part, pv, hi, lo, t;
  lu_arg y;
  int64_t len;
  int k, st = LU_OK;
  f.buf = fv.buf = src.buf = part.buf = pv.buf = hi.buf = lo.buf = t.buf = NULL;
  if (lu_dtype_kind(x->dtype) != 'c') {
    TRY(lu_astype(ctx, &f, x, LU_FLOAT32));
    TRY(run_scan(ctx, name, &f, axis, op, nan_skip, &fv, idx, base));
    st = lu_astype(ctx, vals, &fv, x->dtype);
    goto done;
  }
  if (op == LU_SCAN_MAX || op == LU_SCAN_MIN) {
    st = lu_seterr(ctx, LU_ETYPE, "%s: not supported for complex dtypes (%s)", name,
                   lu_dtype_name(x->dtype));
    goto done;
  }
  /* src: x (flattened for axis = all), NaNs made the identity */
  if (axis == LU_ALLAXES) { TRY(lu_sf_flat(ctx, x, &f)); axis = 0; }
  else lu_array_share(&f, x);
  if (nan_skip) {
    lu_arg g[3];
    y = lu_arg_array(&f);
    TRY(lu_sf_ew(ctx, name, LU_OP_not_equal, lu_arg_array(&f), &y, &t));
    g[0] = lu_arg_array(&t); g[1] = lu_arg_int(op == LU_SCAN_PROD ? 1 : 0); g[2] = lu_arg_array(&f);
    TRY(lu_ewise_named(ctx, LU_OP_where, 3, g, &src, name, -1));
    lu_array_release(&t);
  } else {
    TRY(lu_copy(ctx, &src, &f));
  }
  if (op == LU_SCAN_SUM) {
    TRY(lu_empty(ctx, vals, x->dtype, src.ndim, src.shape, lu_array_device(x)));
    for (k = 0; k < 2; k++) {
      TRY(lu_complex_part(ctx, &part, &src, k));
      TRY(run_scan(ctx, name, &part, axis, op, 0, &pv, NULL, 0));
      lu_array_release(&part);
      TRY(lu_complex_part(ctx, &part, vals, k));
      y = lu_arg_array(&pv);
      TRY(lu_assign(ctx, &part, &y));
      lu_array_release(&part);
      lu_array_release(&pv);
    }
    goto done;
  }
  len = src.shape[axis];
  for (k = 1; k < len; k *= 2) {
    TRY(lu_slice(ctx, &hi, &src, axis, k, len, 1));
    TRY(lu_slice(ctx, &lo, &src, axis, 0, len - k, 1));
    y = lu_arg_array(&lo);
    TRY(lu_sf_ew(ctx, name, LU_OP_multiply, lu_arg_array(&hi), &y, &t));
    y = lu_arg_array(&t);
    TRY(lu_assign(ctx, &hi, &y));
    lu_array_release(&hi); lu_array_release(&lo); lu_array_release(&t);
  }
  *vals = src;
  src.buf = NULL;
done:
  lu_array_release(&f); lu_array_release(&fv); lu_array_release(&src); lu_array_release(&part);
  lu_array_release(&pv); lu_array_release(&hi); lu_array_release(&lo); lu_array_release(&t);
  if (st != LU_OK) {
    lu_array_release(vals);
    if (idx) lu_array_release(idx);
  }
  return st;
}
/* }===== */

/* vals (and idx) = scan of x along axis; x has the scan's dtype */
static int run_scan(lu_ctx *ctx, const char *name, const lu_array *x, int axis, int op,
                    int nan_skip, lu_array *vals, lu_array *idx, int64_t base) {
  const lu_sort_family *fam;
  lu_scan_call c;
  lu_array src;
  lu_device dev = lu_array_device(x);
  int st;
  vals->buf = NULL;
  if (idx) idx->buf = NULL;
  if (!lu_sf_native(x->dtype)) return scan_other(ctx, name, x, axis, op, nan_skip, vals, idx, base);
  src.buf = NULL;
  if (axis == LU_ALLAXES) TRY(lu_sf_flat(ctx, x, &src));
  else lu_array_share(&src, x);
  TRY(lu_empty(ctx, vals, x->dtype, src.ndim, src.shape, dev));
  if (idx) TRY(lu_empty(ctx, idx, LU_INT64, src.ndim, src.shape, dev));
  if (src.size == 0) goto done;
  TRY(LU_SF_ENTRY(ctx, name, dev, fam, scan));
  memset(&c, 0, sizeof c);
  if (!layout(&src, axis, &c)) {
    lu_array cp;
    TRY(lu_copy(ctx, &cp, &src));
    lu_array_release(&src);
    src = cp;
    layout(&src, axis, &c);
  }
  c.op = (lu_scanop)op;
  c.nan_skip = nan_skip && lu_dtype_kind(x->dtype) == 'f';
  c.dt = x->dtype;
  c.in = lu_array_data(&src);
  c.out = lu_array_data(vals);
  c.idx = idx ? (int64_t *)lu_array_data(idx) : NULL;
  c.base = base;
  c.dev = dev;
  lu_check_scan(ctx, &c, &src, vals, idx);
  TRY(fam->scan(ctx, &c));
  st = lu_after_op(ctx, dev);
done:
  lu_array_release(&src);
  if (st != LU_OK) {
    lu_array_release(vals);
    if (idx) lu_array_release(idx);
  }
  return st;
}

static int check_axis(lu_ctx *ctx, const char *name, const lu_array *a, int axis) {
  int st = lu_sf_open(ctx, a);
  if (st != LU_OK) return st;
  if (axis == LU_ALLAXES || (axis >= 0 && axis < a->ndim)) return LU_OK;
  return lu_seterr(ctx, LU_EARG, "%s: axis %d is out of bounds for array of dimension %d",
                   name, axis + 1, a->ndim);
}

static const char *scan_name(int op, int nan_skip) {
  if (op == LU_SCAN_SUM) return nan_skip ? "nancumsum" : "cumsum";
  if (op == LU_SCAN_PROD) return nan_skip ? "nancumprod" : "cumprod";
  return op == LU_SCAN_MAX ? "cummax" : "cummin";
}

int lu_cumulative(lu_ctx *ctx, lu_array *out, const lu_array *a, int op, int nan_skip,
                  int axis, int dtype) {
  const char *name = scan_name(op, nan_skip);
  lu_array x;
  lu_dtype dt;
  int st;
  out->buf = NULL;
  if (op != LU_SCAN_SUM && op != LU_SCAN_PROD)
    return lu_seterr(ctx, LU_EARG, "%s: unknown scan %d", name, op);
  if ((st = check_axis(ctx, name, a, axis)) != LU_OK) return st;
  if (dtype >= 0) dt = (lu_dtype)dtype;
  else if (lu_dtype_kind(a->dtype) == 'f' || lu_dtype_kind(a->dtype) == 'c') dt = a->dtype;
  else if (lu_dtype_kind(a->dtype) == 'u') dt = LU_UINT64;
  else dt = LU_INT64;
  if (a->dtype == dt) lu_array_share(&x, a);
  else if ((st = lu_astype(ctx, &x, a, dt)) != LU_OK) return st;
  st = run_scan(ctx, name, &x, axis, op, nan_skip, out, NULL, 0);
  lu_array_release(&x);
  return st;
}

int lu_cumulative_ex(lu_ctx *ctx, lu_array *out, const lu_array *a, int op, int axis,
                     int dtype, int include_initial) {
  lu_array r, part;
  int64_t shape[LU_MAXDIM];
  int ax, i, st;
  out->buf = NULL;
  if ((st = lu_cumulative(ctx, &r, a, op, 0, axis, dtype)) != LU_OK || !include_initial) {
    if (st == LU_OK) *out = r;
    return st;
  }
  /* the identity, then the running values, along the axis */
  ax = axis == LU_ALLAXES ? 0 : axis;
  for (i = 0; i < r.ndim; i++) shape[i] = r.shape[i] + (i == ax);
  st = lu_empty(ctx, out, r.dtype, r.ndim, shape, lu_array_device(&r));
  if (st == LU_OK && (st = lu_slice(ctx, &part, out, ax, 0, 1, 1)) == LU_OK) {
    lu_arg id = lu_arg_int(op == LU_SCAN_PROD ? 1 : 0);
    st = lu_assign(ctx, &part, &id);
    lu_array_release(&part);
  }
  if (st == LU_OK && shape[ax] > 1 && (st = lu_slice(ctx, &part, out, ax, 1, shape[ax], 1)) == LU_OK) {
    lu_arg g = lu_arg_array(&r);
    st = lu_assign(ctx, &part, &g);
    lu_array_release(&part);
  }
  lu_array_release(&r);
  if (st != LU_OK) lu_array_release(out);
  return st;
}

int lu_cumextreme(lu_ctx *ctx, lu_array *vals, lu_array *idx, const lu_array *a,
                  int ismax, int axis, int64_t base) {
  const char *name = ismax ? "cummax" : "cummin";
  int st;
  vals->buf = NULL;
  if (idx) idx->buf = NULL;
  if ((st = check_axis(ctx, name, a, axis)) != LU_OK) return st;
  return run_scan(ctx, name, a, axis, ismax ? LU_SCAN_MAX : LU_SCAN_MIN, 0, vals, idx, base);
}
/* }====================================================== */

/* {====================================================== slices */
/* a[..., lo:hi, ...] along axis, Python's meaning for negative lo/hi */
static int sl(lu_ctx *ctx, const lu_array *a, int axis, int64_t lo, int64_t hi, lu_array *out) {
  int64_t n = a->shape[axis];
  if (lo < 0) lo += n;
  if (hi < 0) hi += n;
  if (lo < 0) lo = 0;
  if (hi > n) hi = n;
  if (hi < lo) hi = lo;
  if (lo >= n) lo = hi = n > 0 ? n : 0;
  if (hi == lo) return lu_slice(ctx, out, a, axis, 0, 0, 1);
  return lu_slice(ctx, out, a, axis, lo, hi, 1);
}

/* dst = src (an lu_arg) */
static int put(lu_ctx *ctx, lu_array *dst, lu_array *src) {
  lu_arg g = lu_arg_array(src);
  return lu_assign(ctx, dst, &g);
}

/* out = x OP y for arrays or scalars */
static int ew(lu_ctx *ctx, const char *name, lu_op op, lu_arg x, lu_arg y, lu_array *out) {
  return lu_sf_ew(ctx, name, op, x, &y, out);
}
#define A(x) lu_arg_array(x)
#define F(v) lu_arg_float(v)

/* Concatenation of n arrays along axis (their other axes match). */
static int concat_axis(lu_ctx *ctx, const char *name, int n, const lu_array *const *parts,
                       int axis, lu_array *out) {
  int64_t shape[LU_MAXDIM], off = 0;
  lu_dtype dt = parts[0]->dtype;
  int k, i, st = LU_OK;
  out->buf = NULL;
  for (i = 0; i < parts[0]->ndim; i++) shape[i] = parts[0]->shape[i];
  shape[axis] = 0;
  for (k = 0; k < n; k++) {
    const lu_array *p = parts[k];
    if (p->ndim != parts[0]->ndim)
      return lu_seterr(ctx, LU_ESHAPE, "%s: all the input arrays must have the same number of dimensions", name);
    for (i = 0; i < p->ndim; i++)
      if (i != axis && p->shape[i] != parts[0]->shape[i]) {
        char s1[LU_MAXDIM * 24], s2[LU_MAXDIM * 24];
        return lu_seterr(ctx, LU_ESHAPE, "%s: shapes %s and %s do not match along axis %d", name,
                         lu_shape_str(p->ndim, p->shape, s1, sizeof s1),
                         lu_shape_str(parts[0]->ndim, parts[0]->shape, s2, sizeof s2), i + 1);
      }
    if (k > 0) {
      if ((st = lu_sf_same_dev(ctx, name, parts[0], p)) != LU_OK) return st;
      dt = lu_promote(dt, p->dtype);
    }
    shape[axis] += p->shape[axis];
  }
  if ((st = lu_empty(ctx, out, dt, parts[0]->ndim, shape, lu_array_device(parts[0]))) != LU_OK)
    return st;
  for (k = 0; k < n && st == LU_OK; k++) {
    lu_array v;
    int64_t m = parts[k]->shape[axis];
    if (m == 0) continue;
    if ((st = lu_slice(ctx, &v, out, axis, off, off + m, 1)) == LU_OK) {
      st = put(ctx, &v, (lu_array *)parts[k]);
      lu_array_release(&v);
    }
    off += m;
  }
  if (st != LU_OK) lu_array_release(out);
  return st;
}

/* NumPy's np.asanyarray(v) for prepend/append/to_begin: a Lua number
** becomes a strong int64/float64/bool 0-d array */
static int strong(lu_ctx *ctx, const lu_arg *v, lu_device dev, lu_array *out) {
  lu_dtype dt;
  if (v->arr) { lu_array_share(out, v->arr); return LU_OK; }
  dt = v->s.kind == 'f' ? LU_FLOAT64 : v->s.kind == 'b' ? LU_BOOL : LU_INT64;
  return lu_full(ctx, out, dt, 0, NULL, dev, v->s);
}
/* }====================================================== */

/* {====================================================== diff, ediff1d */
int lu_diff(lu_ctx *ctx, lu_array *out, const lu_array *a, int64_t n, int axis,
            const lu_arg *prepend, const lu_arg *append) {
  const char *name = "diff";
  lu_array cur, pre, app, pb, ab, hi, lo, nxt;
  const lu_array *parts[3];
  int np = 0, st = LU_OK;
  int64_t k;
  out->buf = NULL;
  cur.buf = pre.buf = app.buf = pb.buf = ab.buf = hi.buf = lo.buf = nxt.buf = NULL;
  if ((st = lu_sf_open(ctx, a)) != LU_OK) return st;
  if (n < 0) return lu_seterr(ctx, LU_EARG, "%s: order must be non-negative but got %lld", name, (long long)n);
  if (a->ndim == 0) return lu_seterr(ctx, LU_EARG, "%s: diff requires input that is at least one dimensional", name);
  if ((st = check_axis(ctx, name, a, axis)) != LU_OK) return st;
  if (n == 0) { lu_array_share(out, a); return LU_OK; }
  /* prepend/append: scalars broadcast to one slice of a */
  if (prepend || append) {
    int which;
    for (which = 0; which < 2; which++) {
      const lu_arg *v = which ? append : prepend;
      lu_array *raw = which ? &app : &pre, *b = which ? &ab : &pb;
      if (v == NULL) continue;
      TRY(strong(ctx, v, lu_array_device(a), raw));
      if (raw->ndim == 0) {
        int64_t shape[LU_MAXDIM];
        int i;
        for (i = 0; i < a->ndim; i++) shape[i] = a->shape[i];
        shape[axis] = 1;
        TRY(lu_broadcast_to(ctx, b, raw, a->ndim, shape));
      } else {
        lu_array_share(b, raw);
      }
    }
    if (prepend) parts[np++] = &pb;
    parts[np++] = a;
    if (append) parts[np++] = &ab;
    TRY(concat_axis(ctx, name, np, parts, axis, &cur));
  } else {
    lu_array_share(&cur, a);
  }
  for (k = 0; k < n; k++) {
    lu_op op = cur.dtype == LU_BOOL ? LU_OP_not_equal : LU_OP_subtract;
    /* an empty axis stays empty, and its dtype is settled after one step:
    ** do not loop n (up to 2^63) times */
    if (k > 0 && cur.shape[axis] == 0) break;
    TRY(sl(ctx, &cur, axis, 1, cur.shape[axis], &hi));
    TRY(sl(ctx, &cur, axis, 0, cur.shape[axis] - 1, &lo));
    TRY(ew(ctx, name, op, A(&hi), A(&lo), &nxt));
    lu_array_release(&hi);
    lu_array_release(&lo);
    lu_array_release(&cur);
    cur = nxt;
    nxt.buf = NULL;
  }
  *out = cur;
  cur.buf = NULL;
done:
  lu_array_release(&cur); lu_array_release(&pre); lu_array_release(&app);
  lu_array_release(&pb); lu_array_release(&ab); lu_array_release(&hi);
  lu_array_release(&lo); lu_array_release(&nxt);
  return st;
}

/* NumPy's can_cast(from, to, "same_kind") for real dtypes */
static int same_kind(lu_dtype from, lu_dtype to) {
  char f = lu_dtype_kind(from), t = lu_dtype_kind(to);
  int rf = f == 'b' ? 0 : f == 'f' ? 2 : 1, rt = t == 'b' ? 0 : t == 'f' ? 2 : 1;
  if (rf < rt) return 1;
  if (rf > rt) return 0;
  if (f == 'u' && t == 'i') return 1;
  if (f == 'i' && t == 'u') return lu_dtype_size(from) == 0;   /* never */
  return 1;
}

int lu_ediff1d(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_arg *to_end,
               const lu_arg *to_begin) {
  const char *name = "ediff1d";
  lu_array flat, tb, te, fb, fe, d, hi, lo, part;
  int64_t n, lb = 0, le = 0, ld, total;
  int st = LU_OK;
  out->buf = NULL;
  flat.buf = tb.buf = te.buf = fb.buf = fe.buf = d.buf = hi.buf = lo.buf = part.buf = NULL;
  if ((st = lu_sf_open(ctx, a)) != LU_OK) return st;
  if (a->dtype == LU_BOOL)
    return lu_seterr(ctx, LU_ETYPE, "%s: boolean subtract is not supported, use logical_xor", name);
  TRY(lu_sf_flat(ctx, a, &flat));
  n = flat.shape[0];
  if (to_begin) {
    TRY(strong(ctx, to_begin, lu_array_device(a), &tb));
    if (!same_kind(tb.dtype, a->dtype)) {
      st = lu_seterr(ctx, LU_ETYPE, "%s: dtype of to_begin must be compatible with input ary under the same_kind rule", name);
      goto done;
    }
    TRY(lu_sf_flat(ctx, &tb, &fb));
    lb = fb.shape[0];
  }
  if (to_end) {
    TRY(strong(ctx, to_end, lu_array_device(a), &te));
    if (!same_kind(te.dtype, a->dtype)) {
      st = lu_seterr(ctx, LU_ETYPE, "%s: dtype of to_end must be compatible with input ary under the same_kind rule", name);
      goto done;
    }
    TRY(lu_sf_flat(ctx, &te, &fe));
    le = fe.shape[0];
  }
  ld = n > 0 ? n - 1 : 0;
  total = lb + ld + le;
  TRY(lu_empty(ctx, out, a->dtype, 1, &total, lu_array_device(a)));
  if (lb > 0) {
    TRY(lu_slice(ctx, &part, out, 0, 0, lb, 1));
    TRY(put(ctx, &part, &fb));
    lu_array_release(&part);
  }
  if (le > 0) {
    TRY(lu_slice(ctx, &part, out, 0, lb + ld, total, 1));
    TRY(put(ctx, &part, &fe));
    lu_array_release(&part);
  }
  if (ld > 0) {
    TRY(lu_slice(ctx, &hi, &flat, 0, 1, n, 1));
    TRY(lu_slice(ctx, &lo, &flat, 0, 0, n - 1, 1));
    TRY(lu_slice(ctx, &part, out, 0, lb, lb + ld, 1));
    {
      lu_arg g[2];
      g[0] = A(&hi); g[1] = A(&lo);
      TRY(lu_ewise_named(ctx, LU_OP_subtract, 2, g, &part, name, -1));
    }
  }
done:
  lu_array_release(&flat); lu_array_release(&tb); lu_array_release(&te);
  lu_array_release(&fb); lu_array_release(&fe); lu_array_release(&d);
  lu_array_release(&hi); lu_array_release(&lo); lu_array_release(&part);
  if (st != LU_OK) lu_array_release(out);
  return st;
}
/* }====================================================== */

/* {====================================================== gradient */
/* A spacing, as NumPy's gradient holds it: a scalar h (weak when it came
** as a Lua number, else a strong 0-d array) or an array of n-1 steps. */
typedef struct spacing {
  int uniform;
  lu_arg h;          /* uniform: the step */
  lu_array hs;       /* uniform from coordinates: the 0-d step (strong) */
  lu_array d;        /* non-uniform: the steps */
} spacing;

static int make_spacing(lu_ctx *ctx, const char *name, const lu_arg *v, int64_t len,
                        spacing *s) {
  lu_array x, hi, lo, eq, all;
  int64_t n;
  double same = 0;
  int st = LU_OK;
  memset(s, 0, sizeof *s);
  s->hs.buf = s->d.buf = NULL;
  x.buf = hi.buf = lo.buf = eq.buf = all.buf = NULL;
  if (v->arr == NULL || v->arr->ndim == 0) {
    s->uniform = 1;
    if (v->arr) { lu_array_share(&s->hs, v->arr); s->h = A(&s->hs); }
    else s->h = *v;
    return LU_OK;
  }
  if (v->arr->ndim != 1)
    return lu_seterr(ctx, LU_EARG, "%s: distances must be either scalars or 1d", name);
  if (v->arr->shape[0] != len)
    return lu_seterr(ctx, LU_EARG, "%s: when 1d, distances must match the length of the corresponding dimension", name);
  if (lu_dtype_kind(v->arr->dtype) != 'f') TRY(lu_astype(ctx, &x, v->arr, LU_FLOAT64));
  else lu_array_share(&x, v->arr);
  n = x.shape[0];
  TRY(lu_slice(ctx, &hi, &x, 0, n > 1 ? 1 : 0, n, 1));
  TRY(lu_slice(ctx, &lo, &x, 0, 0, n > 1 ? n - 1 : 0, 1));
  TRY(ew(ctx, name, LU_OP_subtract, A(&hi), A(&lo), &s->d));
  if (s->d.size > 0) {
    lu_array first;
    TRY(lu_take_index(ctx, &first, &s->d, 0, 0));
    st = ew(ctx, name, LU_OP_equal, A(&s->d), A(&first), &eq);
    if (st == LU_OK) st = lu_reduce(ctx, &all, LU_RED_all, &eq, LU_ALLAXES, 0, 0);
    if (st == LU_OK) st = lu_sf_get_f64(ctx, &all, 0, &same);
    if (st == LU_OK && same != 0) {
      s->uniform = 1;
      s->hs = first;
      first.buf = NULL;
      s->h = A(&s->hs);
    }
    lu_array_release(&first);
  }
done:
  lu_array_release(&x); lu_array_release(&hi); lu_array_release(&lo);
  lu_array_release(&eq); lu_array_release(&all);
  return st;
}

static void free_spacing(spacing *s) {
  lu_array_release(&s->hs);
  lu_array_release(&s->d);
}

/* dst = a*x + b*y + c*z (coefficients: scalars or arrays broadcasting) */
static int lin3(lu_ctx *ctx, const char *name, lu_array *dst, lu_arg a, lu_array *x, lu_arg b,
                lu_array *y, lu_arg c, lu_array *z) {
  lu_array t1, t2, t3, s1, s2;
  int st;
  t1.buf = t2.buf = t3.buf = s1.buf = s2.buf = NULL;
  TRY(ew(ctx, name, LU_OP_multiply, a, A(x), &t1));
  TRY(ew(ctx, name, LU_OP_multiply, b, A(y), &t2));
  TRY(ew(ctx, name, LU_OP_add, A(&t1), A(&t2), &s1));
  TRY(ew(ctx, name, LU_OP_multiply, c, A(z), &t3));
  TRY(ew(ctx, name, LU_OP_add, A(&s1), A(&t3), &s2));
  st = put(ctx, dst, &s2);
done:
  lu_array_release(&t1); lu_array_release(&t2); lu_array_release(&t3);
  lu_array_release(&s1); lu_array_release(&s2);
  return st;
}

/* the step array's element k (Python index) as a 0-d view, or steps
** [lo:hi) reshaped to run along axis of an nd-dim array */
static int step_at(lu_ctx *ctx, const lu_array *d, int64_t k, lu_array *out) {
  if (k < 0) k += d->shape[0];
  return lu_take_index(ctx, out, d, 0, k);
}

static int steps_along(lu_ctx *ctx, const lu_array *d, int64_t lo, int64_t hi, int nd, int axis,
                       lu_array *out) {
  lu_array v;
  int64_t shape[LU_MAXDIM];
  int i, st;
  if ((st = sl(ctx, d, 0, lo, hi, &v)) != LU_OK) return st;
  for (i = 0; i < nd; i++) shape[i] = i == axis ? v.shape[0] : 1;
  st = lu_reshape(ctx, out, &v, nd, shape);
  lu_array_release(&v);
  return st;
}

/* num / h and num * h: a weak number when h is one (NumPy computes on
** Python floats there), else a 0-d array */
static int sop(lu_ctx *ctx, const char *name, lu_op op, double num, lu_arg h, lu_array *tmp,
               lu_arg *out) {
  int st;
  if (h.arr == NULL) {
    double hv = h.s.kind == 'f' ? h.s.f : (double)h.s.i;
    *out = F(op == LU_OP_divide ? num / hv : num * hv);
    return LU_OK;
  }
  if ((st = ew(ctx, name, op, F(num), h, tmp)) != LU_OK) return st;
  *out = A(tmp);
  return LU_OK;
}

/* One axis of the gradient into out (already allocated, f's shape). */
static int gradient_axis(lu_ctx *ctx, const char *name, const lu_array *f, int axis,
                         spacing *sp, int edge_order, lu_array *out) {
  int64_t n = f->shape[axis];
  lu_array o, f1, f2, f3, t, u, dx1, dx2, a, b, c, s1, s2, p1, p2;
  int st = LU_OK;
  o.buf = f1.buf = f2.buf = f3.buf = t.buf = u.buf = NULL;
  dx1.buf = dx2.buf = a.buf = b.buf = c.buf = s1.buf = s2.buf = p1.buf = p2.buf = NULL;
  /* interior: central differences */
  TRY(sl(ctx, out, axis, 1, n - 1, &o));
  TRY(sl(ctx, f, axis, 0, n - 2, &f1));
  TRY(sl(ctx, f, axis, 1, n - 1, &f2));
  TRY(sl(ctx, f, axis, 2, n, &f3));
  if (sp->uniform) {
    lu_arg h2;
    TRY(ew(ctx, name, LU_OP_subtract, A(&f3), A(&f1), &t));
    TRY(sop(ctx, name, LU_OP_multiply, 2.0, sp->h, &u, &h2));
    TRY(ew(ctx, name, LU_OP_divide, A(&t), h2, &s1));
    TRY(put(ctx, &o, &s1));
  } else {
    int nd = f->ndim;
    TRY(steps_along(ctx, &sp->d, 0, -1, nd, axis, &dx1));
    TRY(steps_along(ctx, &sp->d, 1, sp->d.shape[0], nd, axis, &dx2));
    /* a = -dx2 / (dx1 * (dx1 + dx2)); b = (dx2 - dx1) / (dx1 * dx2); c = dx1 / (dx2 * (dx1 + dx2)) */
    TRY(ew(ctx, name, LU_OP_add, A(&dx1), A(&dx2), &s1));
    TRY(ew(ctx, name, LU_OP_multiply, A(&dx1), A(&s1), &p1));
    TRY(lu_sf_ew(ctx, name, LU_OP_negative, A(&dx2), NULL, &t));
    TRY(ew(ctx, name, LU_OP_divide, A(&t), A(&p1), &a));
    lu_array_release(&t);
    TRY(ew(ctx, name, LU_OP_subtract, A(&dx2), A(&dx1), &t));
    TRY(ew(ctx, name, LU_OP_multiply, A(&dx1), A(&dx2), &p2));
    TRY(ew(ctx, name, LU_OP_divide, A(&t), A(&p2), &b));
    lu_array_release(&p2);
    TRY(ew(ctx, name, LU_OP_multiply, A(&dx2), A(&s1), &p2));
    TRY(ew(ctx, name, LU_OP_divide, A(&dx1), A(&p2), &c));
    TRY(lin3(ctx, name, &o, A(&a), &f1, A(&b), &f2, A(&c), &f3));
  }
  lu_array_release(&o); lu_array_release(&f1); lu_array_release(&f2); lu_array_release(&f3);
  lu_array_release(&t); lu_array_release(&u); lu_array_release(&s1);
  lu_array_release(&a); lu_array_release(&b); lu_array_release(&c);
  lu_array_release(&p1); lu_array_release(&p2); lu_array_release(&dx1); lu_array_release(&dx2);
  /* the two ends */
  if (edge_order == 1) {
    int end;
    for (end = 0; end < 2; end++) {
      lu_array h;
      lu_arg hv;
      h.buf = NULL;
      TRY(sl(ctx, out, axis, end ? n - 1 : 0, end ? n : 1, &o));
      TRY(sl(ctx, f, axis, end ? n - 1 : 1, end ? n : 2, &f2));
      TRY(sl(ctx, f, axis, end ? n - 2 : 0, end ? n - 1 : 1, &f1));
      TRY(ew(ctx, name, LU_OP_subtract, A(&f2), A(&f1), &t));
      if (sp->uniform) hv = sp->h;
      else { TRY(step_at(ctx, &sp->d, end ? -1 : 0, &h)); hv = A(&h); }
      st = ew(ctx, name, LU_OP_divide, A(&t), hv, &s1);
      lu_array_release(&h);
      if (st != LU_OK) goto done;
      TRY(put(ctx, &o, &s1));
      lu_array_release(&o); lu_array_release(&f1); lu_array_release(&f2);
      lu_array_release(&t); lu_array_release(&s1);
    }
  } else {
    int end;
    for (end = 0; end < 2; end++) {
      lu_arg ca = A(&a), cb = A(&b), cc = A(&c);
      /* slices: start [0], [1], [2]; end [-3], [-2], [-1] */
      TRY(sl(ctx, out, axis, end ? n - 1 : 0, end ? n : 1, &o));
      TRY(sl(ctx, f, axis, end ? n - 3 : 0, end ? n - 2 : 1, &f1));
      TRY(sl(ctx, f, axis, end ? n - 2 : 1, end ? n - 1 : 2, &f2));
      TRY(sl(ctx, f, axis, end ? n - 1 : 2, end ? n : 3, &f3));
      if (sp->uniform) {
        /* start: -1.5/h, 2/h, -0.5/h; end: 0.5/h, -2/h, 1.5/h */
        TRY(sop(ctx, name, LU_OP_divide, end ? 0.5 : -1.5, sp->h, &a, &ca));
        TRY(sop(ctx, name, LU_OP_divide, end ? -2.0 : 2.0, sp->h, &b, &cb));
        TRY(sop(ctx, name, LU_OP_divide, end ? 1.5 : -0.5, sp->h, &c, &cc));
      } else {
        lu_array d1, d2, s, q;
        d1.buf = d2.buf = s.buf = q.buf = NULL;
        TRY(step_at(ctx, &sp->d, end ? -2 : 0, &d1));
        st = step_at(ctx, &sp->d, end ? -1 : 1, &d2);
        if (st == LU_OK) st = ew(ctx, name, LU_OP_add, A(&d1), A(&d2), &s);
        if (st == LU_OK && !end) {
          /* a = -(2*dx1 + dx2) / (dx1*(dx1+dx2)); b = (dx1+dx2) / (dx1*dx2);
          ** c = -dx1 / (dx2*(dx1+dx2)) */
          lu_array t2, t3;
          t2.buf = t3.buf = NULL;
          st = ew(ctx, name, LU_OP_multiply, F(2.0), A(&d1), &t2);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_add, A(&t2), A(&d2), &t3);
          if (st == LU_OK) { lu_array_release(&t2); st = lu_sf_ew(ctx, name, LU_OP_negative, A(&t3), NULL, &t2); }
          if (st == LU_OK) st = ew(ctx, name, LU_OP_multiply, A(&d1), A(&s), &q);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_divide, A(&t2), A(&q), &a);
          lu_array_release(&q); lu_array_release(&t2); lu_array_release(&t3);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_multiply, A(&d1), A(&d2), &q);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_divide, A(&s), A(&q), &b);
          lu_array_release(&q);
          if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_negative, A(&d1), NULL, &t2);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_multiply, A(&d2), A(&s), &q);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_divide, A(&t2), A(&q), &c);
          lu_array_release(&q); lu_array_release(&t2);
        } else if (st == LU_OK) {
          /* a = dx2 / (dx1*(dx1+dx2)); b = -(dx2+dx1) / (dx1*dx2);
          ** c = (2*dx2 + dx1) / (dx2*(dx1+dx2)) */
          lu_array t2, t3;
          t2.buf = t3.buf = NULL;
          st = ew(ctx, name, LU_OP_multiply, A(&d1), A(&s), &q);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_divide, A(&d2), A(&q), &a);
          lu_array_release(&q);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_add, A(&d2), A(&d1), &t2);
          if (st == LU_OK) st = lu_sf_ew(ctx, name, LU_OP_negative, A(&t2), NULL, &t3);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_multiply, A(&d1), A(&d2), &q);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_divide, A(&t3), A(&q), &b);
          lu_array_release(&q); lu_array_release(&t2); lu_array_release(&t3);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_multiply, F(2.0), A(&d2), &t2);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_add, A(&t2), A(&d1), &t3);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_multiply, A(&d2), A(&s), &q);
          if (st == LU_OK) st = ew(ctx, name, LU_OP_divide, A(&t3), A(&q), &c);
          lu_array_release(&q); lu_array_release(&t2); lu_array_release(&t3);
        }
        lu_array_release(&d1); lu_array_release(&d2); lu_array_release(&s);
        if (st != LU_OK) goto done;
      }
      if (!sp->uniform) { ca = A(&a); cb = A(&b); cc = A(&c); }
      TRY(lin3(ctx, name, &o, ca, &f1, cb, &f2, cc, &f3));
      lu_array_release(&o); lu_array_release(&f1); lu_array_release(&f2); lu_array_release(&f3);
      lu_array_release(&a); lu_array_release(&b); lu_array_release(&c);
    }
  }
done:
  lu_array_release(&o); lu_array_release(&f1); lu_array_release(&f2); lu_array_release(&f3);
  lu_array_release(&t); lu_array_release(&u); lu_array_release(&s1); lu_array_release(&s2);
  lu_array_release(&a); lu_array_release(&b); lu_array_release(&c);
  lu_array_release(&p1); lu_array_release(&p2); lu_array_release(&dx1); lu_array_release(&dx2);
  return st;
}

int lu_gradient(lu_ctx *ctx, lu_array *outs, const lu_array *f0, int naxes, const int *axes,
                int nsp, const lu_arg *spacing_in, int edge_order) {
  const char *name = "gradient";
  lu_array f;
  lu_dtype ot;
  int k, st = LU_OK;
  for (k = 0; k < naxes; k++) outs[k].buf = NULL;
  if ((st = lu_sf_open(ctx, f0)) != LU_OK) return st;
  for (k = 0; k < naxes; k++)
    if ((st = check_axis(ctx, name, f0, axes[k])) != LU_OK || axes[k] == LU_ALLAXES)
      return st != LU_OK ? st : lu_seterr(ctx, LU_EARG, "%s: bad axis", name);
  if (!(nsp == 0 || nsp == 1 || nsp == naxes))
    return lu_seterr(ctx, LU_EARG, "%s: invalid number of spacing arguments (%d for %d axes)",
                     name, nsp, naxes);
  if (nsp == 1 && naxes != 1 && spacing_in[0].arr && spacing_in[0].arr->ndim > 0)
    return lu_seterr(ctx, LU_EARG, "%s: invalid number of spacing arguments (%d for %d axes)",
                     name, nsp, naxes);
  if (edge_order != 1 && edge_order != 2)
    return lu_seterr(ctx, LU_EARG, "%s: edge_order must be 1 or 2, got %d", name, edge_order);
  if (f0->dtype == LU_BOOL)
    return lu_seterr(ctx, LU_ETYPE, "%s: boolean subtract is not supported", name);
  ot = lu_dtype_kind(f0->dtype) == 'f' || lu_dtype_kind(f0->dtype) == 'c' ? f0->dtype : LU_FLOAT64;
  if (f0->dtype != ot) { if ((st = lu_astype(ctx, &f, f0, ot)) != LU_OK) return st; }
  else lu_array_share(&f, f0);
  for (k = 0; k < naxes && st == LU_OK; k++) {
    int ax = axes[k];
    spacing sp;
    lu_arg one = lu_arg_float(1.0);
    const lu_arg *v = nsp == 0 ? &one : nsp == 1 ? &spacing_in[0] : &spacing_in[k];
    if (f.shape[ax] < edge_order + 1) {
      st = lu_seterr(ctx, LU_EARG, "%s: shape of array too small to calculate a numerical gradient, at least (edge_order + 1) elements are required",
                     name);
      break;
    }
    if ((st = make_spacing(ctx, name, v, f.shape[ax], &sp)) != LU_OK) break;
    st = lu_empty(ctx, &outs[k], ot, f.ndim, f.shape, lu_array_device(&f));
    if (st == LU_OK) st = gradient_axis(ctx, name, &f, ax, &sp, edge_order, &outs[k]);
    free_spacing(&sp);
  }
  lu_array_release(&f);
  if (st != LU_OK) for (k = 0; k < naxes; k++) lu_array_release(&outs[k]);
  return st;
}
/* }====================================================== */

/* {====================================================== trapezoid */
int lu_trapezoid(lu_ctx *ctx, lu_array *out, const lu_array *y, const lu_array *x,
                 double dx, int axis) {
  const char *name = "trapezoid";
  lu_array d, hi, lo, s, p, q, t;
  int st = LU_OK;
  out->buf = NULL;
  d.buf = hi.buf = lo.buf = s.buf = p.buf = q.buf = t.buf = NULL;
  if ((st = check_axis(ctx, name, y, axis)) != LU_OK) return st;
  if (axis == LU_ALLAXES) return lu_seterr(ctx, LU_EARG, "%s: an axis is needed", name);
  if (x) {
    if ((st = lu_sf_same_dev(ctx, name, y, x)) != LU_OK) return st;
    if (x->ndim == 1) {
      lu_array dd;
      int64_t shape[LU_MAXDIM];
      int i;
      TRY(lu_diff(ctx, &dd, x, 1, 0, NULL, NULL));
      for (i = 0; i < y->ndim; i++) shape[i] = i == axis ? dd.shape[0] : 1;
      st = lu_reshape(ctx, &d, &dd, y->ndim, shape);
      lu_array_release(&dd);
      if (st != LU_OK) goto done;
    } else {
      TRY(lu_diff(ctx, &d, x, 1, axis, NULL, NULL));
    }
  }
  TRY(sl(ctx, y, axis, 1, y->shape[axis], &hi));
  TRY(sl(ctx, y, axis, 0, y->shape[axis] - 1, &lo));
  TRY(ew(ctx, name, LU_OP_add, A(&hi), A(&lo), &s));
  TRY(ew(ctx, name, LU_OP_multiply, x ? A(&d) : F(dx), A(&s), &p));
  TRY(ew(ctx, name, LU_OP_divide, A(&p), F(2.0), &q));
  st = lu_reduce(ctx, out, LU_RED_sum, &q, axis, 0, 0);
done:
  lu_array_release(&d); lu_array_release(&hi); lu_array_release(&lo);
  lu_array_release(&s); lu_array_release(&p); lu_array_release(&q); lu_array_release(&t);
  return st;
}
/* }====================================================== */
