/* SPDX-License-Identifier: MIT */
/*
** nextafter and spacing of float16 and bfloat16. The elementwise loops
** compute 16-bit floats in float32 and round on store, so a step of one
** unit of float32 would round back to x: these two step on the 16-bit
** patterns instead, composed from the op table's integer and comparison
** rows (a few launches; the functions are rare on 16-bit floats).
**
** NumPy's float16 rules (npy_half_nextafter, npy_half_spacing), which
** bfloat16 follows here with its own NaN:
**   nextafter(x, y): NaN if either is NaN; x when x == y (so the sign of a
**     zero is x's, where the float32/float64 loops give y); from a zero,
**     the smallest subnormal with y's sign bit; else the pattern one up
**     (away from zero) when y lies beyond x, one down otherwise.
**   spacing(x): NaN for NaN and the infinities; else nextafter(x, +inf) - x,
**     which is positive for negative x too (float16's spacing(-1) is
**     2^-11, where float64's spacing(-1.0) is -2^-52), and +inf from the
**     largest finite value. The difference of two neighbours is a power of
**     two, exact in the 16-bit type.
*/
#include <math.h>
#include <string.h>
#include "lu_internal.h"

/* x's 16-bit pattern as an int16 array sharing its buffer */
static void bits_of(lu_array *b, const lu_array *x) {
  lu_array_share(b, x);
  b->dtype = LU_INT16;
  lu_array_update(b);
}

/* argument k as a ct array on dev (an array cast, a number filled) */
static int operand(lu_ctx *ctx, lu_array *x, const lu_arg *g, lu_dtype ct, lu_device dev) {
  x->buf = NULL;
  if (g->arr) return lu_astype(ctx, x, g->arr, ct);
  return lu_full(ctx, x, ct, 0, NULL, dev, g->s);
}

/* the temporaries, by name */
enum { X, Y, XB, YB, UP, POS, DIR, STEP, MOVED, YNEG, ZSTEP, XZERO, R1, EQ, R2, XNAN, YNAN,
       ANYNAN, R3, R16, DIFF, XINF, NTMP };

int lu_half_step(lu_ctx *ctx, lu_op op, lu_dtype ct, int nin, const lu_arg *args,
                 lu_array *out, const char *name, lu_device dev) {
  lu_array t[NTMP], res;
  lu_arg g[3];
  lu_scalar inf, nan;
  int st, given = out->buf != NULL, k;
  const int64_t nan_bits = ct == LU_FLOAT16 ? 0x7e00 : 0x7fc0;
  const char *caller = ctx->op;
  (void)nin;
  memset(t, 0, sizeof t);
  memset(&res, 0, sizeof res);
  inf.kind = 'f'; inf.i = 0; inf.f = HUGE_VAL;
  nan.kind = 'f'; nan.i = 0; nan.f = NAN;
  if ((st = operand(ctx, &t[X], &args[0], ct, dev)) != LU_OK) goto done;
  if (op == LU_OP_nextafter) st = operand(ctx, &t[Y], &args[1], ct, dev);
  else st = lu_full(ctx, &t[Y], ct, 0, NULL, dev, inf);
  if (st != LU_OK) goto done;
  bits_of(&t[XB], &t[X]);
  bits_of(&t[YB], &t[Y]);
#define A(i) lu_arg_array(&t[i])
#define OP1(o, a, r) do { g[0] = (a); \
    if ((st = lu_ewise_named(ctx, o, 1, g, &t[r], name, -1)) != LU_OK) goto done; } while (0)
#define OP2(o, a, b, r) do { g[0] = (a); g[1] = (b); \
    if ((st = lu_ewise_named(ctx, o, 2, g, &t[r], name, -1)) != LU_OK) goto done; } while (0)
#define WHERE(c, a, b, r) do { g[0] = (c); g[1] = (a); g[2] = (b); \
    if ((st = lu_ewise_named(ctx, LU_OP_where, 3, g, &t[r], name, -1)) != LU_OK) goto done; } while (0)
  /* one pattern away from zero when y lies beyond x: (y > x) == (x > 0);
  ** the sum is int64, so no step wraps */
  OP2(LU_OP_greater, A(Y), A(X), UP);
  OP2(LU_OP_greater, A(X), lu_arg_int(0), POS);
  OP2(LU_OP_equal, A(UP), A(POS), DIR);
  WHERE(A(DIR), lu_arg_int(1), lu_arg_int(-1), STEP);
  OP2(LU_OP_add, A(XB), A(STEP), MOVED);
  /* from a zero: 0x0001 or 0x8001 (as int16: -32767) by y's sign bit */
  OP2(LU_OP_less, A(YB), lu_arg_int(0), YNEG);
  WHERE(A(YNEG), lu_arg_int(-32767), lu_arg_int(1), ZSTEP);
  OP2(LU_OP_equal, A(X), lu_arg_int(0), XZERO);
  WHERE(A(XZERO), A(ZSTEP), A(MOVED), R1);
  /* x == y: x itself */
  OP2(LU_OP_equal, A(X), A(Y), EQ);
  WHERE(A(EQ), A(XB), A(R1), R2);
  /* NaN in, NaN out */
  OP1(LU_OP_isnan, A(X), XNAN);
  OP1(LU_OP_isnan, A(Y), YNAN);
  OP2(LU_OP_logical_or, A(XNAN), A(YNAN), ANYNAN);
  WHERE(A(ANYNAN), lu_arg_int(nan_bits), A(R2), R3);
  /* the patterns, read as ct values */
  if ((st = lu_astype(ctx, &t[R16], &t[R3], LU_INT16)) != LU_OK) goto done;
  lu_array_share(&res, &t[R16]);
  res.dtype = ct;
  lu_array_update(&res);
  if (op == LU_OP_spacing) {
    g[0] = lu_arg_array(&res); g[1] = A(X);
    if ((st = lu_ewise_named(ctx, LU_OP_subtract, 2, g, &t[DIFF], name, -1)) != LU_OK) goto done;
    lu_array_release(&res);
    OP1(LU_OP_isinf, A(X), XINF);
    g[0] = A(XINF); g[1].arr = NULL; g[1].s = nan; g[2] = A(DIFF);
    if ((st = lu_ewise_named(ctx, LU_OP_where, 3, g, &res, name, -1)) != LU_OK) goto done;
  }
#undef A
#undef OP1
#undef OP2
#undef WHERE
  if (given) {
    g[0] = lu_arg_array(&res);
    st = lu_ewise_named(ctx, LU_OP_copy, 1, g, out, name, -1);
  } else {
    *out = res;
    memset(&res, 0, sizeof res);
  }
done:
  for (k = 0; k < NTMP; k++) lu_array_release(&t[k]);
  lu_array_release(&res);
  ctx->op = caller;
  return st;
}
