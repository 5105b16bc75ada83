/* SPDX-License-Identifier: MIT */
/*
** NumPy's pad, mode by mode, in NumPy's order of work so that corners come
** out the same: the input is copied into the middle of a new array, then
** each axis in turn gets its two pad areas, computed from the region that
** is already final (the earlier axes padded, the later ones not yet). Each
** pad area is one copy (a broadcast edge, a reversed chunk, a wrapped
** chunk) or a few elementwise ops (ramps, statistics).
*/
#include <string.h>
#include "lu_internal.h"

/* {====================================================== small helpers */
static lu_arg scalar_arg(lu_scalar s) {
  lu_arg g;
  memset(&g, 0, sizeof g);
  g.s = s;
  return g;
}

/* *r = op(x, y): a new array (r->buf must be NULL) */
static int ew(lu_ctx *ctx, lu_op op, lu_array *r, lu_arg x, lu_arg y) {
  lu_arg g[2];
  g[0] = x;
  g[1] = y;
  r->buf = NULL;
  return lu_ewise_named(ctx, op, 2, g, r, "pad", -1);
}

/* Replace *a by op(*a, y). */
static int ew_in(lu_ctx *ctx, lu_op op, lu_array *a, lu_arg y) {
  lu_array r;
  int st = ew(ctx, op, &r, lu_arg_array(a), y);
  if (st != LU_OK) return st;
  lu_array_release(a);
  *a = r;
  return LU_OK;
}

static int is_int(lu_dtype dt) {
  return lu_dtype_kind(dt) == 'i' || lu_dtype_kind(dt) == 'u';
}

/* The region that is final when axis k is padded: every axis up to k
** whole, the later ones only where the input is (NumPy's _view_roi). */
static lu_array roi_of(const lu_array *padded, const lu_array *a, const lu_pad_spec *sp, int k) {
  lu_array v = *padded;
  int j;
  for (j = k + 1; j < a->ndim; j++)
    v = lu_subview(&v, j, sp->width[j][0], sp->width[j][0] + a->shape[j]);
  return v;
}

/* The one-element slabs next to each pad area (NumPy's _get_edges). */
static void edges(const lu_array *roi, int k, const int64_t *w, lu_array *left, lu_array *right) {
  int64_t L = roi->shape[k];
  *left = lu_subview(roi, k, w[0], w[0] + 1);
  *right = lu_subview(roi, k, L - w[1] - 1, L - w[1]);
}

/* Write the two pad areas of axis k from two arrays (broadcast). */
static int set_areas(lu_ctx *ctx, lu_array *roi, int k, const int64_t *w,
                     const lu_array *lv, const lu_array *rv) {
  int64_t L = roi->shape[k];
  lu_array d;
  int st = LU_OK;
  if (w[0] > 0) {
    d = lu_subview(roi, k, 0, w[0]);
    st = lu_put(ctx, "pad", &d, lv);
  }
  if (st == LU_OK && w[1] > 0) {
    d = lu_subview(roi, k, L - w[1], L);
    st = lu_put(ctx, "pad", &d, rv);
  }
  return st;
}
/* }====================================================== */

/* {====================================================== linear_ramp */
/* One side's ramp: NumPy's linspace(end, edge, w, endpoint=False) along
** axis k, in float64 (with its choice between i*step and (i/w)*delta when
** some step is zero), floored for integer dtypes. */
static int ramp(lu_ctx *ctx, lu_array *r, const lu_array *edge, int k, int64_t w,
                lu_scalar end, lu_dtype dt) {
  lu_array e64, delta, step, zero, any, j, jr;
  int64_t shape[LU_MAXDIM];
  uint8_t anyz = 0;
  int i, st;
  lu_device dev = lu_array_device(edge);
  e64.buf = delta.buf = step.buf = zero.buf = any.buf = j.buf = jr.buf = NULL;
  r->buf = NULL;
  st = lu_astype(ctx, &e64, edge, LU_FLOAT64);
  if (st == LU_OK) st = ew(ctx, LU_OP_subtract, &delta, lu_arg_array(&e64), scalar_arg(end));
  if (st == LU_OK) st = ew(ctx, LU_OP_divide, &step, lu_arg_array(&delta), lu_arg_int(w));
  if (st == LU_OK) st = ew(ctx, LU_OP_equal, &zero, lu_arg_array(&step), lu_arg_int(0));
  if (st == LU_OK) st = lu_reduce(ctx, &any, LU_RED_any, &zero, LU_ALLAXES, 0, 0);
  if (st == LU_OK) st = lu_to_host(ctx, &any, &anyz);
  if (st == LU_OK) st = lu_arange(ctx, &j, 0, (double)w, 1, LU_FLOAT64, dev);
  if (st == LU_OK) {
    for (i = 0; i < edge->ndim; i++) shape[i] = 1;
    shape[k] = w;
    st = lu_reshape(ctx, &jr, &j, edge->ndim, shape);
  }
  if (st == LU_OK) {
    if (anyz) {
      st = ew(ctx, LU_OP_divide, r, lu_arg_array(&jr), lu_arg_int(w));
      if (st == LU_OK) st = ew_in(ctx, LU_OP_multiply, r, lu_arg_array(&delta));
    } else {
      st = ew(ctx, LU_OP_multiply, r, lu_arg_array(&jr), lu_arg_array(&step));
    }
  }
  if (st == LU_OK) st = ew_in(ctx, LU_OP_add, r, scalar_arg(end));
  if (st == LU_OK && is_int(dt)) st = ew_in(ctx, LU_OP_floor_divide, r, lu_arg_float(1.0));
  lu_array_release(&e64);
  lu_array_release(&delta);
  lu_array_release(&step);
  lu_array_release(&zero);
  lu_array_release(&any);
  lu_array_release(&j);
  lu_array_release(&jr);
  if (st != LU_OK) lu_array_release(r);
  return st;
}

static int pad_ramp(lu_ctx *ctx, lu_array *roi, int k, const int64_t *w, const lu_scalar *end) {
  lu_array le, re, lr, rr, rrev;
  int st = LU_OK;
  edges(roi, k, w, &le, &re);
  lr.buf = rr.buf = rrev.buf = NULL;
  if (w[0] > 0) st = ramp(ctx, &lr, &le, k, w[0], end[0], roi->dtype);
  if (st == LU_OK && w[1] > 0) {
    st = ramp(ctx, &rr, &re, k, w[1], end[1], roi->dtype);
    if (st == LU_OK) st = lu_flip(ctx, &rrev, &rr, 1u << k);
  }
  if (st == LU_OK) st = set_areas(ctx, roi, k, w, &lr, &rrev);
  lu_array_release(&lr);
  lu_array_release(&rr);
  lu_array_release(&rrev);
  return st;
}
/* }====================================================== */

/* {====================================================== statistics */
/* NumPy rounds a statistic half to even before it goes into an integer
** array: t = floor(x + 0.5), less one where that rounded a tie up to an
** odd number. */
static int round_even(lu_ctx *ctx, lu_array *x) {
  lu_array t, d, tie, m2, odd, both;
  int st;
  t.buf = d.buf = tie.buf = m2.buf = odd.buf = both.buf = NULL;
  st = ew(ctx, LU_OP_add, &t, lu_arg_array(x), lu_arg_float(0.5));
  if (st == LU_OK) st = ew_in(ctx, LU_OP_floor_divide, &t, lu_arg_float(1.0));
  if (st == LU_OK) st = ew(ctx, LU_OP_subtract, &d, lu_arg_array(&t), lu_arg_array(x));
  if (st == LU_OK) st = ew(ctx, LU_OP_equal, &tie, lu_arg_array(&d), lu_arg_float(0.5));
  if (st == LU_OK) st = ew(ctx, LU_OP_mod, &m2, lu_arg_array(&t), lu_arg_float(2.0));
  if (st == LU_OK) st = ew(ctx, LU_OP_equal, &odd, lu_arg_array(&m2), lu_arg_float(1.0));
  if (st == LU_OK) st = ew(ctx, LU_OP_logical_and, &both, lu_arg_array(&tie), lu_arg_array(&odd));
  if (st == LU_OK) st = ew_in(ctx, LU_OP_subtract, &t, lu_arg_array(&both));
  if (st == LU_OK) { lu_array_release(x); *x = t; t.buf = NULL; }
  lu_array_release(&t);
  lu_array_release(&d);
  lu_array_release(&tie);
  lu_array_release(&m2);
  lu_array_release(&odd);
  lu_array_release(&both);
  return st;
}

static int stat_of(lu_ctx *ctx, lu_array *r, const lu_array *chunk, int k, lu_padmode mode) {
  int op = mode == LU_PAD_MAXIMUM ? LU_RED_max : mode == LU_PAD_MINIMUM ? LU_RED_min
         : (int)LU_RX_MEAN;
  int st = lu_reduce(ctx, r, op, chunk, k, 1, 0);
  if (st == LU_OK && mode == LU_PAD_MEAN && is_int(chunk->dtype)) st = round_even(ctx, r);
  return st;
}

/* NumPy's _get_stats: the statistic of the stat_length elements next to
** each pad area (all of the axis when longer or not given). */
static int pad_stat(lu_ctx *ctx, lu_array *roi, int k, const int64_t *w, const int64_t *len,
                    lu_padmode mode) {
  int64_t li = w[0], ri = roi->shape[k] - w[1], maxl = ri - li, ll = len[0], rl = len[1];
  lu_array ls, rs, c;
  int st;
  if (ll < 0 || maxl < ll) ll = maxl;
  if (rl < 0 || maxl < rl) rl = maxl;
  if ((ll == 0 || rl == 0) && mode != LU_PAD_MEAN)
    return lu_seterr(ctx, LU_EARG, "pad: stat_length of 0 yields no value for padding");
  ls.buf = rs.buf = NULL;
  c = lu_subview(roi, k, li, li + ll);
  if ((st = stat_of(ctx, &ls, &c, k, mode)) != LU_OK) return st;
  if (ll == maxl && rl == maxl) {
    st = set_areas(ctx, roi, k, w, &ls, &ls);
  } else {
    c = lu_subview(roi, k, ri - rl, ri);
    st = stat_of(ctx, &rs, &c, k, mode);
    if (st == LU_OK) st = set_areas(ctx, roi, k, w, &ls, &rs);
  }
  lu_array_release(&ls);
  lu_array_release(&rs);
  return st;
}
/* }====================================================== */

/* {====================================================== reflect, symmetric, wrap */
/* 2 * edge - chunk, for reflect_type "odd". */
static int odd_chunk(lu_ctx *ctx, lu_array *r, const lu_array *edge, const lu_array *chunk) {
  lu_array t;
  int st = ew(ctx, LU_OP_multiply, &t, lu_arg_array(edge), lu_arg_int(2));
  if (st != LU_OK) return st;
  st = ew(ctx, LU_OP_subtract, r, lu_arg_array(&t), lu_arg_array(chunk));
  lu_array_release(&t);
  return st;
}

/* One round of NumPy's _set_reflect_both: as much of each pad area as
** the values already in place can fill; w is updated to what is left. */
static int reflect_round(lu_ctx *ctx, lu_array *roi, int k, int64_t *w, int odd, int incl) {
  int64_t L = roi->shape[k], old = L - w[0] - w[1] - (incl ? 0 : 1), eo = incl ? 1 : 0;
  int st = LU_OK;
  if (w[0] > 0) {
    int64_t ch = old < w[0] ? old : w[0], stop = w[0] - eo;
    lu_array c = lu_subview(roi, k, stop + 1, stop + 1 + ch), rc, oc, d;
    rc.buf = oc.buf = NULL;
    if ((st = lu_flip(ctx, &rc, &c, 1u << k)) != LU_OK) return st;
    if (odd) {
      lu_array e = lu_subview(roi, k, w[0], w[0] + 1);
      st = odd_chunk(ctx, &oc, &e, &rc);
    }
    d = lu_subview(roi, k, w[0] - ch, w[0]);
    if (st == LU_OK) st = lu_put(ctx, "pad", &d, odd ? &oc : &rc);
    lu_array_release(&rc);
    lu_array_release(&oc);
    if (st != LU_OK) return st;
    w[0] -= ch;
  }
  if (w[1] > 0) {
    int64_t ch = old < w[1] ? old : w[1], s = L - w[1] + eo - 2;
    lu_array c = lu_subview(roi, k, s - ch + 1, s + 1), rc, oc, d;
    rc.buf = oc.buf = NULL;
    if ((st = lu_flip(ctx, &rc, &c, 1u << k)) != LU_OK) return st;
    if (odd) {
      lu_array e = lu_subview(roi, k, L - w[1] - 1, L - w[1]);
      st = odd_chunk(ctx, &oc, &e, &rc);
    }
    d = lu_subview(roi, k, L - w[1], L - w[1] + ch);
    if (st == LU_OK) st = lu_put(ctx, "pad", &d, odd ? &oc : &rc);
    lu_array_release(&rc);
    lu_array_release(&oc);
    if (st != LU_OK) return st;
    w[1] -= ch;
  }
  return LU_OK;
}

/* One round of NumPy 2's _set_wrap_both: on each side as much as the
** values in place hold, in whole periods of the input's length `orig`
** (NumPy 1 took a partial period here, which repeated values wrongly for
** pads more than twice the length). The result is periodic: position i
** of the padded axis holds a[(i - before) mod orig]. */
static int wrap_round(lu_ctx *ctx, lu_array *roi, int k, int64_t *w, int64_t orig) {
  int64_t L = roi->shape[k], period = (L - w[0] - w[1]) / orig * orig, nl = 0, nr = 0;
  int st = LU_OK;
  if (w[0] > 0) {
    int64_t m = period < w[0] ? period : w[0];
    lu_array c = lu_subview(roi, k, w[0] + period - m, w[0] + period), d;
    if (w[0] > period) {
      d = lu_subview(roi, k, w[0] - period, w[0]);
      nl = w[0] - period;
    } else {
      d = lu_subview(roi, k, 0, w[0]);
    }
    if ((st = lu_put(ctx, "pad", &d, &c)) != LU_OK) return st;
  }
  if (w[1] > 0) {
    int64_t m = period < w[1] ? period : w[1];
    lu_array c = lu_subview(roi, k, L - w[1] - period, L - w[1] - period + m), d;
    if (w[1] > period) {
      d = lu_subview(roi, k, L - w[1], L - w[1] + period);
      nr = w[1] - period;
    } else {
      d = lu_subview(roi, k, L - w[1], L);
    }
    if ((st = lu_put(ctx, "pad", &d, &c)) != LU_OK) return st;
  }
  w[0] = nl;
  w[1] = nr;
  return LU_OK;
}
/* }====================================================== */

static const char *const mode_names[] = {
  "constant", "edge", "linear_ramp", "reflect", "symmetric", "wrap", "empty",
  "maximum", "minimum", "mean"
};

static int pad_axis(lu_ctx *ctx, lu_array *padded, const lu_array *a, const lu_pad_spec *sp, int k) {
  lu_array roi = roi_of(padded, a, sp, k), le, re;
  int64_t w[2];
  int st = LU_OK;
  w[0] = sp->width[k][0];
  w[1] = sp->width[k][1];
  if (w[0] == 0 && w[1] == 0) return LU_OK;
  switch (sp->mode) {
  case LU_PAD_CONSTANT: {
    int64_t L = roi.shape[k];
    lu_array d;
    lu_arg g;
    if (w[0] > 0) {
      d = lu_subview(&roi, k, 0, w[0]);
      g = scalar_arg(sp->value[k][0]);
      if (d.size > 0) st = lu_assign(ctx, &d, &g);
    }
    if (st == LU_OK && w[1] > 0) {
      d = lu_subview(&roi, k, L - w[1], L);
      g = scalar_arg(sp->value[k][1]);
      if (d.size > 0) st = lu_assign(ctx, &d, &g);
    }
    if (st != LU_OK && strncmp(ctx->errmsg, "assign:", 7) == 0) {
      char tmp[LU_ERRLEN];
      memcpy(tmp, ctx->errmsg, sizeof tmp);
      lu_seterr(ctx, (lu_status)st, "pad:%s", tmp + 7);
    }
    return st;
  }
  case LU_PAD_EDGE:
    edges(&roi, k, w, &le, &re);
    return set_areas(ctx, &roi, k, w, &le, &re);
  case LU_PAD_LINEAR_RAMP:
    return pad_ramp(ctx, &roi, k, w, sp->value[k]);
  case LU_PAD_MAXIMUM: case LU_PAD_MINIMUM: case LU_PAD_MEAN:
    return pad_stat(ctx, &roi, k, w, sp->stat_length[k], sp->mode);
  case LU_PAD_REFLECT: case LU_PAD_SYMMETRIC:
    if (a->shape[k] == 1) {   /* NumPy: an axis of one element pads with its edge */
      edges(padded, k, w, &le, &re);
      return set_areas(ctx, padded, k, w, &le, &re);
    }
    while (st == LU_OK && (w[0] > 0 || w[1] > 0))
      st = reflect_round(ctx, &roi, k, w, sp->odd, sp->mode == LU_PAD_SYMMETRIC);
    return st;
  case LU_PAD_WRAP:
    while (st == LU_OK && (w[0] > 0 || w[1] > 0)) st = wrap_round(ctx, &roi, k, w, a->shape[k]);
    return st;
  default:
    return LU_OK;
  }
}

int lu_pad(lu_ctx *ctx, lu_array *out, const lu_array *a, const lu_pad_spec *sp) {
  int64_t shape[LU_MAXDIM];
  lu_array mid;
  int k, st;
  out->buf = NULL;
  if (a->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if ((unsigned)sp->mode > LU_PAD_MEAN) return lu_seterr(ctx, LU_EARG, "pad: bad mode");
  for (k = 0; k < a->ndim; k++) {
    if (sp->width[k][0] < 0 || sp->width[k][1] < 0)
      return lu_seterr(ctx, LU_EARG, "pad: index can't contain negative values");
    if (!lu_size_add(a->shape[k], sp->width[k][0], &shape[k]) ||
        !lu_size_add(shape[k], sp->width[k][1], &shape[k]))
      return lu_seterr(ctx, LU_EMEM, "pad: array is too big");
  }
  if (a->size == 0 && sp->mode != LU_PAD_CONSTANT && sp->mode != LU_PAD_EMPTY)
    for (k = 0; k < a->ndim; k++)
      if (a->shape[k] == 0 && (sp->width[k][0] > 0 || sp->width[k][1] > 0))
        return lu_seterr(ctx, LU_EARG, "pad: can't extend empty axis %d using modes other than 'constant' or 'empty' (mode '%s')",
                         k + 1, mode_names[sp->mode]);
  if ((st = lu_empty(ctx, out, a->dtype, a->ndim, shape, lu_array_device(a))) != LU_OK) return st;
  mid = *out;
  for (k = 0; k < a->ndim; k++)
    mid = lu_subview(&mid, k, sp->width[k][0], sp->width[k][0] + a->shape[k]);
  st = lu_put(ctx, "pad", &mid, a);
  if (sp->mode != LU_PAD_EMPTY && (a->size > 0 || sp->mode == LU_PAD_CONSTANT))
    for (k = 0; k < a->ndim && st == LU_OK; k++) st = pad_axis(ctx, out, a, sp, k);
  if (st != LU_OK) lu_array_release(out);
  return st;
}
