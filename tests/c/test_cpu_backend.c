/* SPDX-License-Identifier: MIT */
/*
** Tests of the CPU backend alone: hand-built backend calls (the structs the
** core would prepare) checked against hand-written NumPy results. Returns 0
** when every check passes; prints each failure.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_api.h"
#include "lu_ctx.h"
#include "../../src/backend/cpu/cpu_internal.h"
#include "../../src/backend/cpu/cpu_pool.h"

static int failures = 0, checks = 0;
static lu_ctx ctx;
static const lu_backend *B = &lu_cpu_backend;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
  printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

/* equal as NumPy prints them: NaN equals NaN, else exact or within rel */
static int close_to(double got, double want, double rel) {
  if (isnan(want)) return isnan(got);
  if (got == want) return 1;
  return fabs(got - want) <= rel * fabs(want);
}

static void check_f64(const char *what, const double *got, const double *want, int n, double rel) {
  for (int i = 0; i < n; i++)
    CHECK(close_to(got[i], want[i], rel), "%s[%d] = %.17g, want %.17g", what, i, got[i], want[i]);
}
static void check_i64(const char *what, const int64_t *got, const int64_t *want, int n) {
  for (int i = 0; i < n; i++)
    CHECK(got[i] == want[i], "%s[%d] = %lld, want %lld", what, i, (long long)got[i], (long long)want[i]);
}

/* {===== call builders */
static lu_ewise_call ew(lu_op op, int nin, lu_dtype ct, lu_dtype rt, lu_dtype out_dt, int64_t n) {
  lu_ewise_call c;
  memset(&c, 0, sizeof c);
  c.op = op; c.nin = nin; c.ct = ct; c.rt = rt; c.out_dt = out_dt; c.n = n;
  c.ndim = 1; c.shape[0] = n; c.contiguous = 1;
  c.out_strides[0] = lu_cpu_dsize[out_dt];
  return c;
}
static void ew_in(lu_ewise_call *c, int k, lu_dtype dt, const void *p) {
  c->in_dt[k] = dt; c->in_ptr[k] = p; c->in_strides[k][0] = lu_cpu_dsize[dt];
  if (dt != c->ct) c->contiguous = c->contiguous; /* the backend decides */
}
static void ew_scalar(lu_ewise_call *c, int k, lu_value v) {
  c->in_scalar[k] = 1; c->in_val[k] = v; c->in_dt[k] = c->ct;
}
static lu_value vi(int64_t i) { lu_value v; v.i = i; return v; }
static lu_value vf(double f) { lu_value v; v.f = f; return v; }

static lu_reduce_call rd(lu_redop op, lu_dtype in_dt, lu_dtype acc, lu_dtype out_dt,
                         const void *in, int64_t outer, int64_t red, int64_t inner,
                         int64_t so, int64_t sr, int64_t si, void *out) {
  lu_reduce_call c;
  memset(&c, 0, sizeof c);
  c.op = op; c.in_dt = in_dt; c.acc_dt = acc; c.out_dt = out_dt; c.in_ptr = in;
  c.outer = outer; c.red = red; c.inner = inner;
  c.s_outer = so; c.s_red = sr; c.s_inner = si; c.out_ptr = out;
  return c;
}
/* }===== */

static void test_ewise_basic(void) {
  float a[4] = { 1, 2, 3, 4 }, b[4] = { 10, 20, 30, 40 }, o[4];
  lu_ewise_call c = ew(LU_OP_add, 2, LU_FLOAT32, LU_FLOAT32, LU_FLOAT32, 4);
  ew_in(&c, 0, LU_FLOAT32, a); ew_in(&c, 1, LU_FLOAT32, b); c.out_ptr = (char *)o;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "add f32: %s", ctx.errmsg);
  for (int i = 0; i < 4; i++) CHECK(o[i] == a[i] + b[i], "add f32 [%d] = %g", i, o[i]);

  /* int32 array + scalar 5, and scalar - array */
  int32_t x[3] = { -1, 0, 2147483647 }, y[3];
  c = ew(LU_OP_add, 2, LU_INT32, LU_INT32, LU_INT32, 3);
  ew_in(&c, 0, LU_INT32, x); ew_scalar(&c, 1, vi(5)); c.out_ptr = (char *)y;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "add i32 scalar");
  CHECK(y[0] == 4 && y[1] == 5 && y[2] == -2147483644, "add i32 scalar: %d %d %d (wraps)", y[0], y[1], y[2]);
  c = ew(LU_OP_subtract, 2, LU_INT32, LU_INT32, LU_INT32, 3);
  ew_scalar(&c, 0, vi(10)); ew_in(&c, 1, LU_INT32, x); c.out_ptr = (char *)y;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && y[0] == 11 && y[1] == 10, "10 - x: %d %d", y[0], y[1]);

  /* mixed dtypes: int8 + float32 computed in float64 */
  int8_t i8[2] = { -3, 7 };
  float f32[2] = { 0.5f, 0.25f };
  double d[2];
  c = ew(LU_OP_add, 2, LU_FLOAT64, LU_FLOAT64, LU_FLOAT64, 2);
  ew_in(&c, 0, LU_INT8, i8); ew_in(&c, 1, LU_FLOAT32, f32); c.out_ptr = (char *)d;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "mixed add");
  check_f64("int8+float32", d, (double[]){ -2.5, 7.25 }, 2, 0);

  /* true divide of int32 in float64; result stored into float32 */
  int32_t p[3] = { 1, -7, 0 }, q[3] = { 2, 2, 0 };
  float r[3];
  c = ew(LU_OP_divide, 2, LU_FLOAT64, LU_FLOAT64, LU_FLOAT32, 3);
  ew_in(&c, 0, LU_INT32, p); ew_in(&c, 1, LU_INT32, q); c.out_ptr = (char *)r;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "divide");
  CHECK(r[0] == 0.5f && r[1] == -3.5f && isnan(r[2]), "divide: %g %g %g", r[0], r[1], r[2]);
}

static void test_ewise_numpy_semantics(void) {
  /* NumPy: np.mod / np.floor_divide on int32 (sign of the divisor; x // 0 == 0) */
  int32_t a[6] = { -7, 7, -7, 7, 5, -2147483647 - 1 }, b[6] = { 3, -3, -3, 3, 0, -1 }, o[6];
  lu_ewise_call c = ew(LU_OP_mod, 2, LU_INT32, LU_INT32, LU_INT32, 6);
  ew_in(&c, 0, LU_INT32, a); ew_in(&c, 1, LU_INT32, b); c.out_ptr = (char *)o;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "mod");
  int64_t got[6], want_mod[6] = { 2, -2, -1, 1, 0, 0 }, want_fd[6] = { -3, -3, 2, 2, 0, -2147483647 - 1 };
  for (int i = 0; i < 6; i++) got[i] = o[i];
  check_i64("mod i32", got, want_mod, 6);
  c.op = LU_OP_floor_divide;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "floor_divide");
  for (int i = 0; i < 6; i++) got[i] = o[i];
  check_i64("floor_divide i32", got, want_fd, 6);

  /* float mod / floor_divide: np.mod(-7.5, 2) == 0.5, np.mod(7.5, -2) == -0.5,
  ** np.floor_divide(-7.5, 2) == -4, np.mod(-0.0... 6, 3) == 0 with divisor's sign */
  double x[4] = { -7.5, 7.5, 6.0, 1.0 }, y[4] = { 2, -2, -3, 0 }, z[4];
  c = ew(LU_OP_mod, 2, LU_FLOAT64, LU_FLOAT64, LU_FLOAT64, 4);
  ew_in(&c, 0, LU_FLOAT64, x); ew_in(&c, 1, LU_FLOAT64, y); c.out_ptr = (char *)z;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "fmod");
  check_f64("mod f64", z, (double[]){ 0.5, -0.5, -0.0, NAN }, 4, 0);
  CHECK(signbit(z[2]), "mod(6, -3) is -0.0");
  c.op = LU_OP_floor_divide;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "ffloordiv");
  check_f64("floor_divide f64", z, (double[]){ -4, -4, -2, INFINITY }, 4, 0);

  /* maximum/minimum propagate NaN from either side */
  float m1[3] = { 1, NAN, 3 }, m2[3] = { 2, 0, NAN }, mo[3];
  c = ew(LU_OP_maximum, 2, LU_FLOAT32, LU_FLOAT32, LU_FLOAT32, 3);
  ew_in(&c, 0, LU_FLOAT32, m1); ew_in(&c, 1, LU_FLOAT32, m2); c.out_ptr = (char *)mo;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "maximum");
  CHECK(mo[0] == 2 && isnan(mo[1]) && isnan(mo[2]), "maximum NaN: %g %g %g", mo[0], mo[1], mo[2]);
  c.op = LU_OP_minimum;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "minimum");
  CHECK(mo[0] == 1 && isnan(mo[1]) && isnan(mo[2]), "minimum NaN: %g %g %g", mo[0], mo[1], mo[2]);

  /* integer power: 2**10, 3**0, 2**-1 == 0 (NumPy raises for negative
  ** integer powers; the core rejects those before the backend), (-1)**-3 */
  int64_t pa[4] = { 2, 3, 2, -1 }, pb[4] = { 10, 0, -1, -3 }, po[4];
  c = ew(LU_OP_power, 2, LU_INT64, LU_INT64, LU_INT64, 4);
  ew_in(&c, 0, LU_INT64, pa); ew_in(&c, 1, LU_INT64, pb); c.out_ptr = (char *)po;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "power");
  check_i64("power i64", po, (int64_t[]){ 1024, 1, 0, -1 }, 4);

  /* int8: negative wraps, abs(-128) == -128, sign */
  int8_t n8[4] = { -128, -5, 0, 7 }, o8[4];
  c = ew(LU_OP_negative, 1, LU_INT8, LU_INT8, LU_INT8, 4);
  ew_in(&c, 0, LU_INT8, n8); c.out_ptr = (char *)o8;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && o8[0] == -128 && o8[1] == 5 && o8[3] == -7, "negative i8");
  c.op = LU_OP_abs;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && o8[0] == -128 && o8[1] == 5 && o8[2] == 0, "abs i8");
  c.op = LU_OP_sign;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && o8[0] == -1 && o8[2] == 0 && o8[3] == 1, "sign i8");

  /* comparisons give bool (uint8 0/1) */
  int64_t l1[3] = { 1, 5, 3 }, l2[3] = { 3, 3, 3 };
  uint8_t bo[3];
  c = ew(LU_OP_less, 2, LU_INT64, LU_BOOL, LU_BOOL, 3);
  ew_in(&c, 0, LU_INT64, l1); ew_in(&c, 1, LU_INT64, l2); c.out_ptr = (char *)bo;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && bo[0] == 1 && bo[1] == 0 && bo[2] == 0, "less");
  c.op = LU_OP_greater_equal;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && bo[0] == 0 && bo[1] == 1 && bo[2] == 1, "greater_equal");

  /* bool compute: add is or, multiply is and; logical_not */
  uint8_t b1[4] = { 0, 0, 1, 1 }, b2[4] = { 0, 1, 0, 1 }, b3[4];
  c = ew(LU_OP_add, 2, LU_BOOL, LU_BOOL, LU_BOOL, 4);
  ew_in(&c, 0, LU_BOOL, b1); ew_in(&c, 1, LU_BOOL, b2); c.out_ptr = (char *)b3;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && !b3[0] && b3[1] && b3[2] && b3[3], "bool add");
  c.op = LU_OP_multiply;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && !b3[0] && !b3[1] && !b3[2] && b3[3], "bool multiply");
  c = ew(LU_OP_logical_not, 1, LU_BOOL, LU_BOOL, LU_BOOL, 4);
  ew_in(&c, 0, LU_BOOL, b1); c.out_ptr = (char *)b3;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && b3[0] == 1 && b3[2] == 0, "logical_not");

  /* float -> bool output is != 0 (0.5 is true), NaN is true */
  double fb[3] = { 0.5, 0.0, NAN };
  c = ew(LU_OP_copy, 1, LU_FLOAT64, LU_FLOAT64, LU_BOOL, 3);
  ew_in(&c, 0, LU_FLOAT64, fb); c.out_ptr = (char *)b3;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && b3[0] == 1 && b3[1] == 0 && b3[2] == 1, "float->bool");

  /* unary float functions */
  float s[3] = { 4, 0, -1 }, so[3];
  c = ew(LU_OP_sqrt, 1, LU_FLOAT32, LU_FLOAT32, LU_FLOAT32, 3);
  ew_in(&c, 0, LU_FLOAT32, s); c.out_ptr = (char *)so;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && so[0] == 2 && so[1] == 0 && isnan(so[2]), "sqrt");
  c.op = LU_OP_exp;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && close_to(so[0], 54.598150033144236, 1e-6) && so[1] == 1, "exp");

  /* where(cond, x, -1) with a bool condition, computed in float32 */
  uint8_t cond[3] = { 1, 0, 1 };
  float wx[3] = { 1, 2, 3 }, wo[3];
  c = ew(LU_OP_where, 3, LU_FLOAT32, LU_FLOAT32, LU_FLOAT32, 3);
  ew_in(&c, 0, LU_BOOL, cond); ew_in(&c, 1, LU_FLOAT32, wx); ew_scalar(&c, 2, vf(-1));
  c.out_ptr = (char *)wo;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && wo[0] == 1 && wo[1] == -1 && wo[2] == 3, "where");

  /* clip(x, 0, 2) on int16 with scalar bounds */
  int16_t cx[4] = { -5, 1, 2, 9 }, co[4];
  c = ew(LU_OP_clip, 3, LU_INT16, LU_INT16, LU_INT16, 4);
  ew_in(&c, 0, LU_INT16, cx); ew_scalar(&c, 1, vi(0)); ew_scalar(&c, 2, vi(2));
  c.out_ptr = (char *)co;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && co[0] == 0 && co[1] == 1 && co[2] == 2 && co[3] == 2, "clip");

  /* uint8 arithmetic wraps */
  uint8_t u1[2] = { 250, 3 }, u2[2] = { 10, 5 }, uo[2];
  c = ew(LU_OP_add, 2, LU_UINT8, LU_UINT8, LU_UINT8, 2);
  ew_in(&c, 0, LU_UINT8, u1); ew_in(&c, 1, LU_UINT8, u2); c.out_ptr = (char *)uo;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && uo[0] == 4 && uo[1] == 8, "uint8 add wraps");
  c.op = LU_OP_subtract;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK && uo[0] == 240 && uo[1] == 254, "uint8 subtract wraps");

  /* an undefined (op, kind) is refused */
  c = ew(LU_OP_subtract, 2, LU_BOOL, LU_BOOL, LU_BOOL, 4);
  ew_in(&c, 0, LU_BOOL, b1); ew_in(&c, 1, LU_BOOL, b2); c.out_ptr = (char *)b3;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_ETYPE, "subtract on bool must be LU_ETYPE");
}

static void test_ewise_strided(void) {
  /* out (3,2) = A^T + b, A stored (2,3) float64, b (2,) broadcast over rows */
  double A[6] = { 1, 2, 3, 4, 5, 6 }, b[2] = { 10, 20 }, o[6];
  lu_ewise_call c = ew(LU_OP_add, 2, LU_FLOAT64, LU_FLOAT64, LU_FLOAT64, 6);
  c.contiguous = 0; c.ndim = 2; c.shape[0] = 3; c.shape[1] = 2;
  c.in_dt[0] = c.in_dt[1] = LU_FLOAT64;
  c.in_ptr[0] = (const char *)A; c.in_strides[0][0] = 8; c.in_strides[0][1] = 24;
  c.in_ptr[1] = (const char *)b; c.in_strides[1][0] = 0; c.in_strides[1][1] = 8;
  c.out_ptr = (char *)o; c.out_strides[0] = 16; c.out_strides[1] = 8;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "strided add");
  check_f64("A.T + b", o, (double[]){ 11, 24, 12, 25, 13, 26 }, 6, 0);

  /* result cast to int32 and written to every other element; input reversed
  ** (negative stride) */
  int32_t io[6] = { -9, -9, -9, -9, -9, -9 };
  c = ew(LU_OP_multiply, 2, LU_FLOAT64, LU_FLOAT64, LU_INT32, 3);
  c.contiguous = 0;
  c.in_dt[0] = LU_FLOAT64; c.in_ptr[0] = (const char *)(A + 2); c.in_strides[0][0] = -8;
  ew_scalar(&c, 1, vf(2.5));
  c.out_ptr = (char *)io; c.out_strides[0] = 8;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "strided cast");
  CHECK(io[0] == 7 && io[1] == -9 && io[2] == 5 && io[4] == 2 && io[5] == -9,
        "a[::-1]*2.5 -> int32[::2]: %d %d %d %d %d", io[0], io[1], io[2], io[4], io[5]);

  /* large: parallel fast path and parallel buffered path */
  int64_t n = 200003;
  float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
  double *z = malloc(sizeof(double) * n);
  for (int64_t i = 0; i < n; i++) { x[i] = (float)i; y[i] = 0.5f; }
  c = ew(LU_OP_add, 2, LU_FLOAT32, LU_FLOAT32, LU_FLOAT32, n);
  ew_in(&c, 0, LU_FLOAT32, x); ew_in(&c, 1, LU_FLOAT32, y); c.out_ptr = (char *)y;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "large add in place");
  int bad = 0;
  for (int64_t i = 0; i < n; i++) bad += y[i] != (float)i + 0.5f;
  CHECK(bad == 0, "large add in place: %d wrong", bad);
  /* (n/3, 3) strided view of x as columns reversed -> float64 */
  int64_t rows = n / 3;
  c = ew(LU_OP_negative, 1, LU_FLOAT64, LU_FLOAT64, LU_FLOAT64, rows * 3);
  c.contiguous = 0; c.ndim = 2; c.shape[0] = rows; c.shape[1] = 3;
  c.in_dt[0] = LU_FLOAT32; c.in_ptr[0] = (const char *)(x + 2);
  c.in_strides[0][0] = 12; c.in_strides[0][1] = -4;
  c.out_ptr = (char *)z; c.out_strides[0] = 24; c.out_strides[1] = 8;
  CHECK(B->ewise->ewise(&ctx, &c) == LU_OK, "large strided");
  bad = 0;
  for (int64_t r = 0; r < rows; r++)
    for (int k = 0; k < 3; k++) bad += z[r * 3 + k] != -(double)(r * 3 + 2 - k);
  CHECK(bad == 0, "large strided: %d wrong", bad);
  free(x); free(y); free(z);
}

static void test_reduce(void) {
  float f[4] = { 1, 2, 3, 4.5f }, fo;
  lu_reduce_call c = rd(LU_RED_sum, LU_FLOAT32, LU_FLOAT32, LU_FLOAT32, f, 1, 4, 1, 0, 4, 0, &fo);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && fo == 10.5f, "sum f32 = %g", fo);

  /* int32 (2,3) sums: axis 0 -> (3,), axis 1 -> (2,), in int64 */
  int32_t m[6] = { 1, 2, 3, 4, 5, 6 };
  int64_t io[4];
  c = rd(LU_RED_sum, LU_INT32, LU_INT64, LU_INT64, m, 1, 2, 3, 0, 12, 4, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK, "sum axis 0");
  check_i64("sum axis 0", io, (int64_t[]){ 5, 7, 9 }, 3);
  c = rd(LU_RED_sum, LU_INT32, LU_INT64, LU_INT64, m, 2, 3, 1, 12, 4, 0, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK, "sum axis 1");
  check_i64("sum axis 1", io, (int64_t[]){ 6, 15 }, 2);
  c = rd(LU_RED_prod, LU_INT32, LU_INT64, LU_INT64, m, 1, 6, 1, 0, 4, 0, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == 720, "prod = %lld", (long long)io[0]);
  /* argmax over axis 0 of the transposed view: column mode vs row mode */
  c = rd(LU_RED_argmax, LU_INT32, LU_INT64, LU_INT64, m, 1, 3, 2, 0, 4, 12, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK, "argmax strided");
  check_i64("argmax of m.T axis 0", io, (int64_t[]){ 2, 2 }, 2);

  /* negative int8 sums widen; uint8 sums to uint64 */
  int8_t s8[3] = { -100, -100, -100 };
  c = rd(LU_RED_sum, LU_INT8, LU_INT64, LU_INT64, s8, 1, 3, 1, 0, 1, 0, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == -300, "sum int8 = %lld", (long long)io[0]);
  uint8_t u8[2] = { 200, 100 };
  uint64_t uo;
  c = rd(LU_RED_sum, LU_UINT8, LU_UINT64, LU_UINT64, u8, 1, 2, 1, 0, 1, 0, &uo);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && uo == 300, "sum uint8 = %llu", (unsigned long long)uo);
  int8_t mn;
  c = rd(LU_RED_min, LU_INT8, LU_INT8, LU_INT8, (int8_t[]){ 5, -7, 3 }, 1, 3, 1, 0, 1, 0, &mn);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && mn == -7, "min int8 = %d", mn);

  /* NaN: max is NaN, argmax/argmin give the first NaN; ties give the first */
  double d[5] = { 1, 7, NAN, 7, NAN }, dout;
  c = rd(LU_RED_max, LU_FLOAT64, LU_FLOAT64, LU_FLOAT64, d, 1, 5, 1, 0, 8, 0, &dout);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && isnan(dout), "max with NaN = %g", dout);
  c.op = LU_RED_min; dout = 0;
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && isnan(dout), "min with NaN = %g", dout);
  c = rd(LU_RED_argmax, LU_FLOAT64, LU_INT64, LU_INT64, d, 1, 5, 1, 0, 8, 0, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == 2, "argmax NaN = %lld", (long long)io[0]);
  c = rd(LU_RED_argmax, LU_FLOAT64, LU_INT64, LU_INT64, d, 1, 2, 1, 0, 8, 0, io);
  c.red = 4; c.in_ptr = (const char *)(double[]){ 1, 7, 3, 7 };
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == 1, "argmax tie = %lld", (long long)io[0]);
  c.op = LU_RED_argmin; c.in_ptr = (const char *)(double[]){ 4, 1, 3, 1 };
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == 1, "argmin tie = %lld", (long long)io[0]);
  /* column-mode NaN: max over axis 0 of (3,2) */
  double cm[6] = { 1, NAN, NAN, 2, 5, 3 }, cmo[2];
  int64_t cai[2];
  c = rd(LU_RED_max, LU_FLOAT64, LU_FLOAT64, LU_FLOAT64, cm, 1, 3, 2, 0, 16, 8, cmo);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && isnan(cmo[0]) && isnan(cmo[1]), "col max NaN");
  c = rd(LU_RED_argmin, LU_FLOAT64, LU_INT64, LU_INT64, cm, 1, 3, 2, 0, 16, 8, cai);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && cai[0] == 1 && cai[1] == 0, "col argmin NaN: %lld %lld",
        (long long)cai[0], (long long)cai[1]);

  /* any / all */
  uint8_t flag;
  c = rd(LU_RED_any, LU_FLOAT32, LU_BOOL, LU_BOOL, (float[]){ 0, 0, -0.0f, 0.1f }, 1, 4, 1, 0, 4, 0, &flag);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && flag == 1, "any");
  c.op = LU_RED_all;
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && flag == 0, "all");

  /* empty: every output is FIN(IDENT, 0): sum 0, prod 1, mean NaN; max
  ** gives its identity (the core refuses empty max before it gets here) */
  c = rd(LU_RED_sum, LU_FLOAT64, LU_FLOAT64, LU_FLOAT64, d, 1, 0, 1, 0, 8, 0, &dout);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && dout == 0, "empty sum");
  c.op = LU_RED_prod;
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && dout == 1, "empty prod");
  c.op = LU_RED_mean;
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && isnan(dout), "empty mean = %g", dout);
  c.op = LU_RED_max;
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && dout == -INFINITY, "empty max = %g", dout);
  /* an output dtype that is not the row's result is refused */
  c = rd(LU_RED_sum, LU_INT32, LU_INT64, LU_INT32, m, 1, 6, 1, 0, 4, 0, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_EARG, "sum int32 -> int32 refused");

  /* nanargmin: -1 marks a run of NaN only (the core turns it into the
  ** error); nanmean ignores NaN; count_nonzero counts NaN */
  double nn[4] = { NAN, NAN, 2, NAN };
  c = rd(LU_RED_nanargmin, LU_FLOAT64, LU_INT64, LU_INT64, nn, 1, 2, 1, 0, 8, 0, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == -1, "nanargmin of NaN = %lld", (long long)io[0]);
  c.red = 4;
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == 2, "nanargmin = %lld", (long long)io[0]);
  c = rd(LU_RED_nanmean, LU_FLOAT64, LU_FLOAT64, LU_FLOAT64, nn, 1, 4, 1, 0, 8, 0, &dout);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && dout == 2, "nanmean = %g", dout);
  c = rd(LU_RED_count_nonzero, LU_FLOAT64, LU_INT64, LU_INT64, nn, 1, 4, 1, 0, 8, 0, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == 4, "count_nonzero = %lld", (long long)io[0]);

  /* mean, var (ddof 0 and 1) and std of 1..4; var of a column block */
  double v4[4] = { 1, 2, 3, 4 };
  c = rd(LU_RED_mean, LU_FLOAT64, LU_FLOAT64, LU_FLOAT64, v4, 1, 4, 1, 0, 8, 0, &dout);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && dout == 2.5, "mean = %g", dout);
  c.op = LU_RED_var;
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && dout == 1.25, "var = %g", dout);
  c.ddof = 1;
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && fabs(dout - 5.0 / 3) < 1e-15, "var ddof 1 = %g", dout);
  c.op = LU_RED_std; c.ddof = 0;
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && fabs(dout - sqrt(1.25)) < 1e-15, "std = %g", dout);
  double vo[2];
  c = rd(LU_RED_var, LU_INT32, LU_FLOAT64, LU_FLOAT64, m, 1, 3, 2, 0, 8, 4, vo);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && fabs(vo[0] - 8.0 / 3) < 1e-14 &&
        fabs(vo[1] - 8.0 / 3) < 1e-14, "var int32 columns = %g %g", vo[0], vo[1]);

  /* large: a float32 sum of 1e6 values split over threads; 1.1f does not
  ** add exactly in float32, but the double accumulator keeps it close */
  int64_t n = 1000000;
  float *x = malloc(sizeof(float) * n);
  for (int64_t i = 0; i < n; i++) x[i] = 1.1f;
  x[777777] = 50.0f;
  c = rd(LU_RED_sum, LU_FLOAT32, LU_FLOAT32, LU_FLOAT32, x, 1, n, 1, 0, 4, 0, &fo);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK, "large sum");
  CHECK(fo == (float)((double)1.1f * (n - 1) + 50.0), "large sum = %.9g", fo);
  c = rd(LU_RED_argmax, LU_FLOAT32, LU_INT64, LU_INT64, x, 1, n, 1, 0, 4, 0, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == 777777, "large argmax = %lld", (long long)io[0]);
  /* the same data as (250000, 4), reduced over axis 0 (column mode, split) */
  float co[4];
  c = rd(LU_RED_sum, LU_FLOAT32, LU_FLOAT32, LU_FLOAT32, x, 1, n / 4, 4, 0, 16, 4, co);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK, "large col sum");
  CHECK(co[0] == (float)((double)1.1f * (n / 4)) && co[1] == (float)((double)1.1f * (n / 4 - 1) + 50.0),
        "large col sum = %.9g %.9g", co[0], co[1]);
  c = rd(LU_RED_argmax, LU_FLOAT32, LU_INT64, LU_INT64, x, 1, n / 4, 4, 0, 16, 4, io);
  CHECK(B->reduce->reduce(&ctx, &c) == LU_OK && io[0] == 0 && io[1] == 777777 / 4,
        "large col argmax = %lld %lld", (long long)io[0], (long long)io[1]);
  free(x);
}

static void test_matmul(void) {
  /* [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]] */
  double A[6] = { 1, 2, 3, 4, 5, 6 }, Bm[6] = { 7, 8, 9, 10, 11, 12 }, C[4];
  lu_matmul_call c;
  memset(&c, 0, sizeof c);
  c.dt = LU_FLOAT64; c.batch = 1; c.M = 2; c.N = 2; c.K = 3;
  c.a_ptr = (const char *)A; c.b_ptr = (const char *)Bm; c.c_ptr = (char *)C;
  c.lda = 3; c.ldb = 2; c.ldc = 2; c.bstride_c = 4;
  CHECK(B->linalg->matmul(&ctx, &c) == LU_OK, "dgemm");
  check_f64("dgemm", C, (double[]){ 58, 64, 139, 154 }, 4, 0);

  /* float32 with B given transposed: B stored (2,3) = Bm^T */
  float Af[6] = { 1, 2, 3, 4, 5, 6 }, Bt[6] = { 7, 9, 11, 8, 10, 12 }, Cf[4];
  c.dt = LU_FLOAT32; c.a_ptr = (const char *)Af; c.b_ptr = (const char *)Bt; c.c_ptr = (char *)Cf;
  c.trans_b = 1; c.ldb = 3;
  CHECK(B->linalg->matmul(&ctx, &c) == LU_OK && Cf[0] == 58 && Cf[1] == 64 && Cf[2] == 139 && Cf[3] == 154,
        "sgemm trans_b: %g %g %g %g", Cf[0], Cf[1], Cf[2], Cf[3]);

  /* int32, batch 2, B broadcast (bstride 0), A transposed for batch layout */
  int32_t Ai[12] = { 1, 2, 3, 4, 5, 6, -1, 0, 0, 0, 0, -1 }, Bi[6] = { 7, 8, 9, 10, 11, 12 }, Ci[8];
  memset(&c, 0, sizeof c);
  c.dt = LU_INT32; c.batch = 2; c.M = 2; c.N = 2; c.K = 3;
  c.a_ptr = (const char *)Ai; c.b_ptr = (const char *)Bi; c.c_ptr = (char *)Ci;
  c.lda = 3; c.ldb = 2; c.ldc = 2; c.bstride_a = 6; c.bstride_b = 0; c.bstride_c = 4;
  CHECK(B->linalg->matmul(&ctx, &c) == LU_OK, "int matmul");
  int64_t got[8];
  for (int i = 0; i < 8; i++) got[i] = Ci[i];
  check_i64("int32 batched", got, (int64_t[]){ 58, 64, 139, 154, -7, -8, -11, -12 }, 8);
  /* trans_a on ints: A stored (3,2) */
  int32_t At[6] = { 1, 4, 2, 5, 3, 6 };
  c.batch = 1; c.a_ptr = (const char *)At; c.trans_a = 1; c.lda = 2;
  CHECK(B->linalg->matmul(&ctx, &c) == LU_OK && Ci[0] == 58 && Ci[3] == 154, "int matmul trans_a");

  /* bool: or of ands */
  uint8_t Ab[4] = { 1, 0, 0, 0 }, Bb[4] = { 0, 1, 1, 1 }, Cb[4];
  memset(&c, 0, sizeof c);
  c.dt = LU_BOOL; c.batch = 1; c.M = 2; c.N = 2; c.K = 2;
  c.a_ptr = (const char *)Ab; c.b_ptr = (const char *)Bb; c.c_ptr = (char *)Cb;
  c.lda = 2; c.ldb = 2; c.ldc = 2; c.bstride_c = 4;
  CHECK(B->linalg->matmul(&ctx, &c) == LU_OK && Cb[0] == 0 && Cb[1] == 1 && Cb[2] == 0 && Cb[3] == 0,
        "bool matmul: %d %d %d %d", Cb[0], Cb[1], Cb[2], Cb[3]);

  /* K == 0 gives zeros */
  double Z[4] = { 9, 9, 9, 9 };
  memset(&c, 0, sizeof c);
  c.dt = LU_FLOAT64; c.batch = 1; c.M = 2; c.N = 2; c.K = 0; c.ldc = 2;
  c.a_ptr = (const char *)A; c.b_ptr = (const char *)Bm; c.c_ptr = (char *)Z;
  CHECK(B->linalg->matmul(&ctx, &c) == LU_OK && Z[0] == 0 && Z[3] == 0, "K=0 matmul");
}

static void test_generators(void) {
  lu_device cpu = { LU_DEV_CPU, 0 };
  int32_t ii[3];
  CHECK(B->ewise->iota(&ctx, cpu, LU_INT32, ii, 3, 2, 3) == LU_OK && ii[0] == 2 && ii[1] == 5 && ii[2] == 8, "iota int32");
  float fi[3];
  CHECK(B->ewise->iota(&ctx, cpu, LU_FLOAT32, fi, 3, 0.5, 0.25) == LU_OK && fi[2] == 1.0f, "iota float32");

  /* Philox4x32-10 known answers (Random123's kat_vectors) */
  uint32_t out[4];
  lu_cpu_philox4x32((uint32_t[]){ 0, 0, 0, 0 }, (uint32_t[]){ 0, 0 }, out);
  CHECK(out[0] == 0x6627e8d5u && out[1] == 0xe169c58du && out[2] == 0xbc57ac4cu && out[3] == 0x9b00dbd8u,
        "philox zero vector: %08x %08x %08x %08x", out[0], out[1], out[2], out[3]);
  lu_cpu_philox4x32((uint32_t[]){ ~0u, ~0u, ~0u, ~0u }, (uint32_t[]){ ~0u, ~0u }, out);
  CHECK(out[0] == 0x408f276du && out[1] == 0x41c83b0eu && out[2] == 0xa20bc7c6u && out[3] == 0x6d5451fdu,
        "philox ones vector: %08x %08x %08x %08x", out[0], out[1], out[2], out[3]);

  /* streams: counter-based, so element i of (seed, offset) == element 0 of
  ** (seed, offset + i); values in [0, 1); moments of 1e5 draws */
  int64_t n = 100000;
  double *u = malloc(sizeof(double) * n), one;
  float *g = malloc(sizeof(float) * n);
  CHECK(B->random->fill(&ctx, cpu, LU_FLOAT64, u, n, LU_RAND_UNIFORM, 42, 1000) == LU_OK, "rand");
  CHECK(B->random->fill(&ctx, cpu, LU_FLOAT64, &one, 1, LU_RAND_UNIFORM, 42, 1000 + 54321) == LU_OK &&
        one == u[54321], "rand offset");
  double s = 0, s2 = 0, lo = 1, hi = 0;
  for (int64_t i = 0; i < n; i++) { s += u[i]; lo = fmin(lo, u[i]); hi = fmax(hi, u[i]); }
  CHECK(fabs(s / n - 0.5) < 0.01 && lo >= 0 && hi < 1, "uniform mean %g range [%g, %g]", s / n, lo, hi);
  CHECK(B->random->fill(&ctx, cpu, LU_FLOAT32, g, n, LU_RAND_NORMAL, 7, 0) == LU_OK, "randn");
  s = s2 = 0;
  for (int64_t i = 0; i < n; i++) { s += g[i]; s2 += (double)g[i] * g[i]; }
  CHECK(fabs(s / n) < 0.02 && fabs(s2 / n - 1) < 0.03, "normal mean %g var %g", s / n, s2 / n);
  CHECK(B->random->fill(&ctx, cpu, LU_INT32, g, 4, LU_RAND_UNIFORM, 7, 0) == LU_ETYPE, "rand int32 refused");
  free(u); free(g);

  /* mask select / scatter, small and large */
  int16_t v[5] = { 10, 20, 30, 40, 50 }, sel[5] = { 0 };
  uint8_t mk[5] = { 1, 0, 1, 1, 0 };
  CHECK(B->index->mask_select(&ctx, cpu, LU_INT16, v, mk, 5, sel) == LU_OK &&
        sel[0] == 10 && sel[1] == 30 && sel[2] == 40, "mask_select");
  CHECK(B->index->mask_scatter(&ctx, cpu, LU_INT16, v, mk, 5, (int16_t[]){ -1, -2, -3 }) == LU_OK &&
        v[0] == -1 && v[1] == 20 && v[2] == -2 && v[3] == -3 && v[4] == 50, "mask_scatter");
  int64_t big = 100001, k = 0;
  double *bv = malloc(sizeof(double) * big), *bo = malloc(sizeof(double) * big);
  uint8_t *bm = malloc(big);
  for (int64_t i = 0; i < big; i++) { bv[i] = (double)i; bm[i] = i % 3 == 1; }
  CHECK(B->index->mask_select(&ctx, cpu, LU_FLOAT64, bv, bm, big, bo) == LU_OK, "large mask_select");
  int bad = 0;
  for (int64_t i = 0; i < big; i++) if (bm[i]) bad += bo[k++] != (double)i;
  CHECK(bad == 0 && k == (big + 1) / 3, "large mask_select: %d wrong of %lld", bad, (long long)k);
  for (int64_t i = 0; i < k; i++) bo[i] = -1.0 - (double)i;
  CHECK(B->index->mask_scatter(&ctx, cpu, LU_FLOAT64, bv, bm, big, bo) == LU_OK, "large mask_scatter");
  bad = 0; k = 0;
  for (int64_t i = 0; i < big; i++) bad += bv[i] != (bm[i] ? -1.0 - (double)k++ : (double)i);
  CHECK(bad == 0, "large mask_scatter: %d wrong", bad);
  free(bv); free(bo); free(bm);
}

/* The loops that run over the pool (main asks for 3 threads, so they are
** split even on one core), each against a plain loop written here. */
static void test_pool_loops(void) {
  lu_device cpu = { LU_DEV_CPU, 0 };
  int64_t n = 1000003, bad = 0, k = 0;
  double *d = malloc(sizeof(double) * n), *o = malloc(sizeof(double) * n);
  int32_t *ii = malloc(sizeof(int32_t) * n);
  uint8_t *m = malloc(n);
  CHECK(lu_cpu_pool_threads() == 3, "LUNAR_NUM_THREADS=3 gives %d threads", lu_cpu_pool_threads());
  /* iota */
  CHECK(B->ewise->iota(&ctx, cpu, LU_FLOAT64, d, n, -2.0, 0.5) == LU_OK, "large iota f64");
  CHECK(B->ewise->iota(&ctx, cpu, LU_INT32, ii, n, 7.0, 3.0) == LU_OK, "large iota int32");
  for (int64_t i = 0; i < n; i++) bad += d[i] != -2.0 + 0.5 * (double)i || ii[i] != 7 + 3 * (int32_t)i;
  CHECK(bad == 0, "large iota: %lld wrong", (long long)bad);
  /* mask select and scatter over many blocks */
  for (int64_t i = 0; i < n; i++) { d[i] = (double)i; m[i] = (i * 7919) % 5 < 2; }
  CHECK(B->index->mask_select(&ctx, cpu, LU_FLOAT64, d, m, n, o) == LU_OK, "pool mask_select");
  bad = 0;
  for (int64_t i = 0; i < n; i++) if (m[i]) bad += o[k++] != (double)i;
  CHECK(bad == 0, "pool mask_select: %lld wrong of %lld", (long long)bad, (long long)k);
  for (int64_t i = 0; i < k; i++) o[i] = -1.0 - (double)i;
  CHECK(B->index->mask_scatter(&ctx, cpu, LU_FLOAT64, d, m, n, o) == LU_OK, "pool mask_scatter");
  bad = 0; k = 0;
  for (int64_t i = 0; i < n; i++) bad += d[i] != (m[i] ? -1.0 - (double)k++ : (double)i);
  CHECK(bad == 0, "pool mask_scatter: %lld wrong", (long long)bad);
  /* random numbers: the stream does not depend on the split, so one call
  ** equals two calls of its halves */
  {
    int64_t h = n / 2;
    float *f = (float *)o, *f2 = (float *)ii;
    CHECK(B->random->fill(&ctx, cpu, LU_FLOAT32, f, n, LU_RAND_UNIFORM, 9, 5) == LU_OK &&
          B->random->fill(&ctx, cpu, LU_FLOAT32, f2, h, LU_RAND_UNIFORM, 9, 5) == LU_OK &&
          B->random->fill(&ctx, cpu, LU_FLOAT32, f2 + h, n - h, LU_RAND_UNIFORM, 9, 5 + h) == LU_OK,
          "pool uniforms");
    CHECK(memcmp(f, f2, sizeof(float) * n) == 0, "uniform float32: one call != two halves");
    CHECK(B->random->fill(&ctx, cpu, LU_FLOAT64, d, n, LU_RAND_NORMAL, 9, 3) == LU_OK &&
          B->random->fill(&ctx, cpu, LU_FLOAT64, o, h, LU_RAND_NORMAL, 9, 3) == LU_OK &&
          B->random->fill(&ctx, cpu, LU_FLOAT64, o + h, n - h, LU_RAND_NORMAL, 9, 3 + h) == LU_OK,
          "pool normals");
    CHECK(memcmp(d, o, sizeof(double) * n) == 0, "normal float64: one call != two halves");
  }
  /* an int16 matmul big enough to be split into groups of rows, batch 2,
  ** wrapping as int16 does */
  {
    enum { M = 83, N = 77, K = 90 };
    int16_t *A = malloc(sizeof(int16_t) * 2 * M * K), *Bm = malloc(sizeof(int16_t) * K * N);
    int16_t *C = malloc(sizeof(int16_t) * 2 * M * N);
    lu_matmul_call c;
    for (int i = 0; i < 2 * M * K; i++) A[i] = (int16_t)(i * 37 % 201 - 100);
    for (int i = 0; i < K * N; i++) Bm[i] = (int16_t)(i * 53 % 199 - 99);
    memset(&c, 0, sizeof c);
    c.dt = LU_INT16; c.batch = 2; c.M = M; c.N = N; c.K = K;
    c.a_ptr = (const char *)A; c.b_ptr = (const char *)Bm; c.c_ptr = (char *)C;
    c.lda = K; c.ldb = N; c.ldc = N; c.bstride_a = M * K; c.bstride_b = 0; c.bstride_c = M * N;
    CHECK(B->linalg->matmul(&ctx, &c) == LU_OK, "pool int16 matmul");
    bad = 0;
    for (int b = 0; b < 2; b++)
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
          int64_t acc = 0;
          for (int q = 0; q < K; q++) acc += (int64_t)A[b * M * K + i * K + q] * Bm[q * N + j];
          bad += C[b * M * N + i * N + j] != (int16_t)(uint16_t)(acc & 0xffff);
        }
    CHECK(bad == 0, "pool int16 matmul: %lld wrong", (long long)bad);
    free(A); free(Bm); free(C);
  }
  free(d); free(o); free(ii); free(m);
}

static void test_device_services(void) {
  void *p = NULL, *q = NULL;
  size_t fr = 0, tot = 0;
  CHECK(B->dev->device_count(&ctx) == 1, "device_count");
  CHECK(B->dev->alloc(&ctx, 0, 0, &p) == LU_OK && p != NULL, "alloc 0 bytes");
  CHECK(B->dev->alloc(&ctx, 0, 100, &q) == LU_OK && ((uintptr_t)q & 63) == 0, "alloc aligned");
  CHECK(B->dev->upload(&ctx, 0, q, "hello", 6) == LU_OK, "upload");
  char h[6];
  CHECK(B->dev->download(&ctx, 0, h, q, 6) == LU_OK && strcmp(h, "hello") == 0, "download");
  B->dev->free(&ctx, 0, p); B->dev->free(&ctx, 0, q);
  CHECK(B->dev->memory_info(&ctx, 0, &fr, &tot) == LU_OK && tot > 0 && fr <= tot, "memory_info");
  lu_event *e1, *e2;
  float ms = -1;
  CHECK(B->dev->event_create(&ctx, 0, &e1) == LU_OK && B->dev->event_create(&ctx, 0, &e2) == LU_OK, "events");
  B->dev->event_record(&ctx, e1); B->dev->event_record(&ctx, e2);
  CHECK(B->dev->event_synchronize(&ctx, e2) == LU_OK && B->dev->event_elapsed(&ctx, e1, e2, &ms) == LU_OK &&
        ms >= 0 && ms < 1000, "elapsed %g ms", ms);
  B->dev->event_destroy(&ctx, e1); B->dev->event_destroy(&ctx, e2);
  CHECK(B->dev->synchronize(&ctx, 0) == LU_OK, "synchronize");
  B->dev->shutdown(&ctx);
}

/* The linalg family's LAPACK entry: column-major stacks (lu_backend.h). */
static lu_la_call la(lu_la_op op, int64_t batch, int64_t m, int64_t n, void *a, int *info) {
  lu_la_call c;
  memset(&c, 0, sizeof c);
  c.op = op; c.dt = LU_FLOAT64; c.batch = batch; c.m = m; c.n = n; c.a = a; c.info = info;
  c.dev.type = LU_DEV_CPU;
  return c;
}

static void test_lapack(void) {
  /* solve [[4,1],[2,3]] x = [1,2] (column-major storage), and its transpose */
  double a[4] = { 4, 2, 1, 3 }, b[2] = { 1, 2 }, x[2] = { 0.1, 0.6 };
  double at[4] = { 4, 2, 1, 3 }, bt[2] = { 1, 2 }, xt[2] = { -0.1, 0.7 };
  int info[3] = { -9, -9, -9 };
  lu_la_call c = la(LU_LA_SOLVE, 1, 2, 2, a, info);
  c.b = (char *)b; c.nrhs = 1;
  CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 0, "solve info %d", info[0]);
  check_f64("solve", b, x, 2, 1e-15);
  c = la(LU_LA_SOLVE, 1, 2, 2, at, info);
  c.b = (char *)bt; c.nrhs = 1; c.trans = 1;
  CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 0, "solve^T info %d", info[0]);
  check_f64("solve^T", bt, xt, 2, 1e-15);
  {
    /* a stack (the pool's path) whose second matrix is singular */
    double s[12] = { 1, 0, 0, 1,  1, 2, 2, 4,  2, 0, 0, 2 }, sb[6] = { 1, 1, 1, 1, 1, 1 };
    double want[2] = { 0.5, 0.5 };
    c = la(LU_LA_SOLVE, 3, 2, 2, s, info);
    c.b = (char *)sb; c.nrhs = 1;
    CHECK(B->linalg->lapack(&ctx, &c) == LU_OK, "stacked solve");
    CHECK(info[0] == 0 && info[1] > 0 && info[2] == 0, "stacked solve info %d %d %d", info[0], info[1], info[2]);
    check_f64("stacked solve", sb + 4, want, 2, 1e-15);
  }
  {
    /* LU of [[1,2],[3,4]]: row 2 first; pivots 1-based, int64 */
    double l[4] = { 1, 3, 2, 4 };
    int64_t piv[2], wpiv[2] = { 2, 2 };
    c = la(LU_LA_LU, 1, 2, 2, l, info);
    c.ipiv = piv;
    CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 0, "lu");
    check_i64("lu ipiv", piv, wpiv, 2);
    CHECK(l[0] == 3 && fabs(l[3] - (2 - 4.0 / 3)) < 1e-15, "lu factors %g %g", l[0], l[3]);
  }
  {
    /* Cholesky, upper triangle of [[4,2],[2,5]]: U = [[2,1],[0,2]] */
    double p[4] = { 4, 2, 2, 5 }, np_[4] = { 1, 2, 2, 1 };
    c = la(LU_LA_CHOLESKY, 1, 2, 2, p, info);
    c.upper = 1;
    CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 0, "cholesky");
    CHECK(p[0] == 2 && p[2] == 1 && p[3] == 2, "cholesky U %g %g %g", p[0], p[2], p[3]);
    c = la(LU_LA_CHOLESKY, 1, 2, 2, np_, info);
    CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 2, "not positive definite: info %d", info[0]);
  }
  {
    /* SVD of diag(3, -2) with vectors; eigh of [[2,1],[1,2]]; QR of [3,4]^T */
    double d[4] = { 3, 0, 0, -2 }, sv[2], u[4], v[4], ws[2] = { 3, 2 };
    double e[4] = { 2, 1, 1, 2 }, w[2], we[2] = { 1, 3 }, q[2] = { 3, 4 }, tau[1];
    c = la(LU_LA_SVD, 1, 2, 2, d, info);
    c.s = (char *)sv; c.u = (char *)u; c.v = (char *)v; c.jobs = 1;
    CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 0, "svd");
    check_f64("svd s", sv, ws, 2, 1e-15);
    /* U diag(s) V^T = a, entry (2,2): u[1,0]s0 v[1,0] + u[1,1]s1 v[1,1] */
    CHECK(fabs(u[1] * 3 * v[1] + u[3] * 2 * v[3] - (-2)) < 1e-14, "svd U S V^T");
    c = la(LU_LA_EIGH, 1, 2, 2, e, info);
    c.s = (char *)w; c.jobs = 1; c.upper = 1;
    CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 0, "eigh");
    check_f64("eigh w", w, we, 2, 1e-15);
    c = la(LU_LA_QR, 1, 2, 1, q, info);
    c.s = (char *)tau;
    CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 0 && q[0] == -5, "qr r %g", q[0]);
  }
  {
    /* EIG of a real block diag([[0,-1],[1,0]], 2): the pair +-i first
    ** (positive imaginary part first, LAPACK's), then 2, all complex; the
    ** pair's vectors conjugate, and A v = w v for each */
    double r[9] = { 0, 1, 0,  -1, 0, 0,  0, 0, 2 }, rc[9];
    double w[6], v[18];
    int j, i;
    memcpy(rc, r, sizeof r);
    c = la(LU_LA_EIG, 1, 3, 3, r, info);
    c.s = (char *)w; c.v = (char *)v; c.jobs = 1;
    CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 0, "eig info %d", info[0]);
    CHECK(fabs(w[0]) < 1e-15 && fabs(w[1] - 1) < 1e-15 && fabs(w[2]) < 1e-15 && fabs(w[3] + 1) < 1e-15 &&
          fabs(w[4] - 2) < 1e-15 && w[5] == 0,
          "eig w %g%+gi %g%+gi %g%+gi", w[0], w[1], w[2], w[3], w[4], w[5]);
    for (i = 0; i < 3; i++)
      CHECK(v[2 * i] == v[6 + 2 * i] && v[2 * i + 1] == -v[6 + 2 * i + 1], "eig pair conjugate");
    for (j = 0; j < 3; j++)
      for (i = 0; i < 3; i++) {   /* (A v_j)_i - w_j v_ij, complex */
        double re = 0, im = 0;
        int k;
        for (k = 0; k < 3; k++) { re += rc[k * 3 + i] * v[2 * (j * 3 + k)]; im += rc[k * 3 + i] * v[2 * (j * 3 + k) + 1]; }
        re -= w[2 * j] * v[2 * (j * 3 + i)] - w[2 * j + 1] * v[2 * (j * 3 + i) + 1];
        im -= w[2 * j] * v[2 * (j * 3 + i) + 1] + w[2 * j + 1] * v[2 * (j * 3 + i)];
        CHECK(fabs(re) < 1e-14 && fabs(im) < 1e-14, "eig residual %d %d: %g %g", j, i, re, im);
      }
  }
  {
    /* EIG of complex128 [[1+i, 2], [0, 3]] (upper triangular): w = 1+i, 3 */
    double z[8] = { 1, 1, 0, 0,  2, 0, 3, 0 }, w[4];
    c = la(LU_LA_EIG, 1, 2, 2, z, info);
    c.dt = LU_COMPLEX128; c.s = (char *)w;
    CHECK(B->linalg->lapack(&ctx, &c) == LU_OK && info[0] == 0, "complex eig info %d", info[0]);
    CHECK(fabs(w[0] - 1) < 1e-15 && fabs(w[1] - 1) < 1e-15 && fabs(w[2] - 3) < 1e-15 && fabs(w[3]) < 1e-15,
          "complex eig w %g%+gi %g%+gi", w[0], w[1], w[2], w[3]);
  }
}

int main(void) {
  memset(&ctx, 0, sizeof ctx);
  setenv("LUNAR_NUM_THREADS", "3", 1);   /* before the pool starts */
  test_ewise_basic();
  test_ewise_numpy_semantics();
  test_ewise_strided();
  test_reduce();
  test_matmul();
  test_lapack();
  test_generators();
  test_pool_loops();
  test_device_services();
  printf("test_cpu_backend: %d checks, %d failures\n", checks, failures);
  return failures != 0;
}
