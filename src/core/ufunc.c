/* SPDX-License-Identifier: MIT */
/*
** NumPy's ufunc call on top of the elementwise core (ewise.c): out= with
** the 'same_kind' casting rule, where= masks, dtype=, the ufuncs of two
** results (two rows of the op table, LU_OPS2 in lu_ops.def), and the
** functions that NumPy builds from ufuncs: round, isclose, nan_to_num.
*/
#include <string.h>
#include "lu_internal.h"

/* The dtype of an operand (a Lua number is a weak int64 or float64). */
static lu_dtype arg_dtype(const lu_arg *a) {
  if (a->arr) return a->arr->dtype;
  return a->s.kind == 'f' ? LU_FLOAT64 : a->s.kind == 'i' ? LU_INT64 : LU_BOOL;
}

/* The device an op on these operands runs on, as ewise.c decides it: the
** first array of more than 0 dimensions, else any array, else the default. */
static lu_device op_device(lu_ctx *ctx, int nin, const lu_arg *args, const lu_array *extra) {
  int k;
  for (k = 0; k < nin; k++)
    if (args[k].arr && args[k].arr->ndim > 0) return lu_array_device(args[k].arr);
  if (extra && extra->buf) return lu_array_device(extra);
  for (k = 0; k < nin; k++)
    if (args[k].arr) return lu_array_device(args[k].arr);
  return lu_ctx_default_device(ctx);
}

/* Broadcast shape of the array operands and `extra` (NULL: none). */
static int operand_shape(lu_ctx *ctx, const char *name, int nin, const lu_arg *args,
                         const lu_array *extra, int *nd, int64_t *shape) {
  const lu_array *arrs[4];
  int k, n = 0;
  for (k = 0; k < nin; k++) {
    if (args[k].arr == NULL) continue;
    if (args[k].arr->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
    arrs[n++] = args[k].arr;
  }
  if (extra) arrs[n++] = extra;
  *nd = 0;
  if (n == 0) return LU_OK;
  return lu_broadcast_named(ctx, name, n, arrs, nd, shape);
}

static int zeros(lu_ctx *ctx, lu_array *out, lu_dtype dt, int nd, const int64_t *shape,
                 lu_device dev) {
  lu_scalar z;
  memset(&z, 0, sizeof z);
  z.kind = 'i';
  return lu_full(ctx, out, dt, nd, shape, dev, z);
}

/* One result of a ufunc into dst (an existing array when dst->buf is set).
** With a where= mask the result is computed whole, in dst's dtype, and
** copied through the mask by the where row: dst keeps its values where the
** mask is false (a new dst holds 0 there). */
static int one_result(lu_ctx *ctx, const char *name, lu_op op, int nin, const lu_arg *args,
                      const lu_arg *where, int dtype, lu_array *dst) {
  lu_dtype ct, rt;
  lu_array tmp;
  lu_arg w[3];
  int64_t shape[LU_MAXDIM];
  int st, nd, given = dst->buf != NULL;
  if ((st = lu_ewise_resolve(ctx, name, op, nin, args, dtype, &ct, &rt)) != LU_OK) return st;
  if (given && !lu_same_kind(rt, dst->dtype))
    return lu_seterr(ctx, LU_ETYPE, "%s: cannot cast the output from %s to %s with casting rule 'same_kind'",
                     name, lu_dtype_name(rt), lu_dtype_name(dst->dtype));
  if (where == NULL || (where->arr == NULL && where->s.i != 0))
    return lu_ewise_forced(ctx, op, nin, args, dst, name, dtype);
  if (where->arr == NULL) {          /* where=false: nothing is computed */
    if (given) return LU_OK;
    if ((st = operand_shape(ctx, name, nin, args, NULL, &nd, shape)) != LU_OK) return st;
    return zeros(ctx, dst, rt, nd, shape, op_device(ctx, nin, args, NULL));
  }
  if (where->arr->buf == NULL) return lu_seterr(ctx, LU_ECLOSED, "attempt to use a closed array");
  if (where->arr->dtype != LU_BOOL)
    return lu_seterr(ctx, LU_ETYPE, "%s: where must be a bool array, got %s", name,
                     lu_dtype_name(where->arr->dtype));
  if (!given) {
    if ((st = operand_shape(ctx, name, nin, args, where->arr, &nd, shape)) != LU_OK) return st;
    if ((st = zeros(ctx, dst, rt, nd, shape, op_device(ctx, nin, args, where->arr))) != LU_OK)
      return st;
  }
  if ((st = operand_shape(ctx, name, nin, args, NULL, &nd, shape)) != LU_OK) goto fail;
  if ((st = lu_empty(ctx, &tmp, dst->dtype, nd, shape, lu_array_device(dst))) != LU_OK) goto fail;
  if ((st = lu_ewise_forced(ctx, op, nin, args, &tmp, name, dtype)) == LU_OK) {
    w[0] = lu_arg_array(where->arr);
    w[1] = lu_arg_array(&tmp);
    w[2] = lu_arg_array(dst);
    st = lu_ewise_named(ctx, LU_OP_where, 3, w, dst, name, -1);
  }
  lu_array_release(&tmp);
  if (st == LU_OK) return LU_OK;
fail:
  if (!given) lu_array_release(dst);
  return st;
}

/* Result 1 of a two-result ufunc still reads the inputs, so result 0 is
** computed into a copy of out[0] when out[0] shares memory with an input,
** and copied over at the end. */
int lu_ufunc(lu_ctx *ctx, const char *name, lu_op op, int op2, int nin, const lu_arg *args,
             const lu_arg *where, int dtype, lu_array *const *out) {
  lu_array tmp, *d0 = out[0];
  int k, st, shared = 0, given0 = out[0]->buf != NULL;
  if (op2 < 0) return one_result(ctx, name, op, nin, args, where, dtype, out[0]);
  for (k = 0; k < nin && given0; k++)
    if (args[k].arr && args[k].arr->buf == out[0]->buf) shared = 1;
  if (shared) {
    if ((st = lu_copy(ctx, &tmp, out[0])) != LU_OK) return st;
    d0 = &tmp;
  }
  st = one_result(ctx, name, op, nin, args, where, dtype, d0);
  if (st == LU_OK) {
    st = one_result(ctx, name, (lu_op)op2, nin, args, where, dtype, out[1]);
    if (st != LU_OK && !given0) lu_array_release(out[0]);
  }
  if (shared) {
    if (st == LU_OK) {
      lu_arg g = lu_arg_array(&tmp);
      st = lu_assign(ctx, out[0], &g);
    }
    lu_array_release(&tmp);
  }
  return st;
}

/* {====================================================== round */
/* 10^n as NumPy computes it (exact table, then repeated multiplication),
** so that both scale by the same double. */
static double power_of_ten(int n) {
  static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  double r;
  if (n < 9) return p10[n];
  r = 1e9;
  while (n-- > 9) r *= 10.;
  return r;
}

/* NumPy's round: half to even at `decimals` places (negative: to tens,
** hundreds, ...), scaling in the array's float dtype: rint(x * 10^d) / 10^d.
** Integers are unchanged for decimals >= 0, and otherwise round in float64
** and come back in their own dtype. */
int lu_round(lu_ctx *ctx, const lu_arg *a, int decimals, lu_array *out) {
  lu_dtype dt = arg_dtype(a);
  char kind = lu_dtype_kind(dt);
  int given = out->buf != NULL, st;
  lu_arg args[2];
  double scale;
  if (kind == 'i' || kind == 'u') {
    if (decimals >= 0) {
      if (given && !lu_same_kind(dt, out->dtype))
        return lu_seterr(ctx, LU_ETYPE, "round: cannot cast the output from %s to %s with casting rule 'same_kind'",
                         lu_dtype_name(dt), lu_dtype_name(out->dtype));
      return lu_ewise_named(ctx, LU_OP_copy, 1, a, out, "round", -1);
    }
  } else if (decimals == 0) {
    return one_result(ctx, "round", LU_OP_rint, 1, a, NULL, -1, out);
  } else if (kind == 'b') {
    return lu_seterr(ctx, LU_ETYPE, "round: a bool array rounds only to 0 decimals "
                     "(the scaled result cannot be cast back to bool)");
  }
  scale = power_of_ten(decimals >= 0 ? decimals : decimals < -400 ? 400 : -decimals);
  args[0] = *a;
  args[1] = lu_arg_float(decimals > 0 ? scale : -scale);
  if (kind == 'f') return one_result(ctx, "round", LU_OP__round, 2, args, NULL, -1, out);
  if (!given) {
    int64_t shape[LU_MAXDIM];
    int nd;
    if ((st = operand_shape(ctx, "round", 1, a, NULL, &nd, shape)) != LU_OK) return st;
    if ((st = lu_empty(ctx, out, dt, nd, shape, op_device(ctx, 1, a, NULL))) != LU_OK)
      return st;
  }
  st = lu_ewise_named(ctx, LU_OP__round, 2, args, out, "round", -1);
  if (st != LU_OK && !given) lu_array_release(out);
  return st;
}
/* }====================================================== */

/* {====================================================== isclose */
/* Temporaries of a composed function, released together. */
typedef struct temps { lu_array t[16]; int n; } temps;

static lu_array *tnew(temps *T) {
  lu_array *a = &T->t[T->n++];
  a->buf = NULL;
  return a;
}

static void tfree(temps *T) {
  while (T->n > 0) lu_array_release(&T->t[--T->n]);
}

/* r = op(x, y) into a new temporary (y NULL for a unary op) */
static int step(lu_ctx *ctx, temps *T, lu_op op, lu_arg x, const lu_arg *y, lu_arg *r) {
  lu_arg g[2];
  lu_array *o = tnew(T);
  int st;
  g[0] = x;
  if (y) g[1] = *y;
  if ((st = lu_ewise_named(ctx, op, y ? 2 : 1, g, o, "isclose", -1)) != LU_OK) return st;
  *r = lu_arg_array(o);
  return LU_OK;
}

/* NumPy 2's isclose: |x - y| <= atol + rtol |y| where y is finite, or
** x == y (equal infinities); NaNs match each other only with equal_nan.
** y is first made a float (result_type(y, 1.0)), so |y| cannot overflow,
** and each step has the dtype NumPy gives it (float32 stays float32). */
int lu_isclose(lu_ctx *ctx, const lu_arg *a, const lu_arg *b, double rtol, double atol,
               int equal_nan, lu_array *out) {
  temps T;
  lu_arg y = *b, d, t, r, e, f;
  lu_arg srtol = lu_arg_float(rtol), satol = lu_arg_float(atol);
  int st;
  T.n = 0;
  if (y.arr && lu_dtype_kind(y.arr->dtype) != 'f') {
    lu_array *c = tnew(&T);
    if ((st = lu_astype(ctx, c, y.arr, LU_FLOAT64)) != LU_OK) goto done;
    y = lu_arg_array(c);
  } else if (!y.arr && y.s.kind != 'f') {
    y = lu_arg_float((double)y.s.i);
  }
  if ((st = step(ctx, &T, LU_OP_subtract, *a, &y, &d)) != LU_OK ||
      (st = step(ctx, &T, LU_OP_abs, d, NULL, &d)) != LU_OK ||
      (st = step(ctx, &T, LU_OP_abs, y, NULL, &t)) != LU_OK ||
      (st = step(ctx, &T, LU_OP_multiply, t, &srtol, &t)) != LU_OK ||
      (st = step(ctx, &T, LU_OP_add, satol, &t, &t)) != LU_OK ||
      (st = step(ctx, &T, LU_OP_less_equal, d, &t, &r)) != LU_OK ||
      (st = step(ctx, &T, LU_OP_isfinite, y, NULL, &f)) != LU_OK ||
      (st = step(ctx, &T, LU_OP_logical_and, r, &f, &r)) != LU_OK ||
      (st = step(ctx, &T, LU_OP_equal, *a, &y, &e)) != LU_OK)
    goto done;
  if (equal_nan) {
    lu_arg n1, n2;
    if ((st = step(ctx, &T, LU_OP_logical_or, r, &e, &r)) != LU_OK ||
        (st = step(ctx, &T, LU_OP_isnan, *a, NULL, &n1)) != LU_OK ||
        (st = step(ctx, &T, LU_OP_isnan, y, NULL, &n2)) != LU_OK ||
        (st = step(ctx, &T, LU_OP_logical_and, n1, &n2, &e)) != LU_OK)
      goto done;
  }
  {
    lu_arg g[2];
    g[0] = r; g[1] = e;
    st = lu_ewise_named(ctx, LU_OP_logical_or, 2, g, out, "isclose", -1);
  }
done:
  tfree(&T);
  return st;
}
/* }====================================================== */

/* {====================================================== nan_to_num */
/* The largest finite value of a float dtype. */
static double float_max(lu_dtype dt) {
  switch (lu_dtype_size(dt)) {
    case 2: return strcmp(lu_dtype_name(dt), "bfloat16") == 0 ? 3.3895313892515355e38 : 65504.0;
    case 4: return 3.4028234663852886e38;
    default: return 1.7976931348623157e308;
  }
}

/* NumPy's nan_to_num: NaN -> nan, +inf -> posinf (default: the largest
** finite value of the dtype), -inf -> neginf (default: its negative), in
** two passes: the second tests the input again, so values the first pass
** wrote are not replaced twice. Other dtypes are copied as they are. out
** may be the input itself (copy=false). */
int lu_nan_to_num(lu_ctx *ctx, const lu_arg *x, double nan, const double *posinf,
                  const double *neginf, lu_array *out) {
  lu_dtype dt = arg_dtype(x);
  lu_arg g[3];
  int st, given = out->buf != NULL;
  double m;
  if (lu_dtype_kind(dt) != 'f') return lu_ewise_named(ctx, LU_OP_copy, 1, x, out, "nan_to_num", -1);
  m = float_max(dt);
  g[0] = *x;
  g[1] = lu_arg_float(nan);
  g[2] = lu_arg_float(posinf ? *posinf : m);
  if ((st = lu_ewise_named(ctx, LU_OP__nan_to_num, 3, g, out, "nan_to_num", -1)) != LU_OK)
    return st;
  g[1] = lu_arg_array(out);
  g[2] = lu_arg_float(neginf ? *neginf : -m);
  st = lu_ewise_named(ctx, LU_OP__neginf_to_num, 3, g, out, "nan_to_num", -1);
  if (st != LU_OK && !given) lu_array_release(out);
  return st;
}
/* }====================================================== */
