/* SPDX-License-Identifier: MIT */
/*
** Tests of the device-independent core (src/core) on the CPU backend:
** promotion, weak scalars, broadcasting, views, elementwise dispatch,
** reductions, matmul, masks, creation. Expected values are written by hand.
** Prints each failure; exits non-zero when any check failed.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_api.h"
#include "lu_ctx.h"

static int failures, checks;

#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
  printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_MSG(ctx, st, code, text) do { checks++; \
  if ((st) != (code) || strcmp((ctx)->errmsg, (text)) != 0) { failures++; \
    printf("FAIL %s:%d: status %d (want %d), message '%s' (want '%s')\n", __FILE__, \
           __LINE__, (int)(st), (int)(code), (ctx)->errmsg, (text)); } } while (0)
#define OK(ctx, expr) do { int st_ = (expr); checks++; if (st_ != LU_OK) { failures++; \
  printf("FAIL %s:%d: %s -> %d: %s\n", __FILE__, __LINE__, #expr, st_, (ctx)->errmsg); } } while (0)

static lu_device CPU = {LU_DEV_CPU, 0};
static double Z[64];   /* zeros */

/* {====================================================== helpers */
/* an array of dtype dt from doubles */
static lu_array mk(lu_ctx *ctx, lu_dtype dt, int ndim, const int64_t *shape, const double *v) {
  lu_array a;
  int64_t n = 1, i;
  char *h;
  for (i = 0; i < ndim; i++) n *= shape[i];
  h = malloc((size_t)(n ? n : 1) * 8);
  for (i = 0; i < n; i++) {
    lu_value x;
    x.f = v[i];
    lu_value_store(h + i * lu_dtype_size(dt), dt,
                   lu_dtype_kind(dt) == 'f' ? x :
                   lu_dtype_kind(dt) == 'u' ? (lu_value){.u = (uint64_t)v[i]}
                                            : (lu_value){.i = (int64_t)v[i]});
  }
  a.buf = NULL;
  if (lu_from_host(ctx, &a, dt, ndim, shape, CPU, h) != LU_OK)
    printf("mk failed: %s\n", ctx->errmsg);
  free(h);
  return a;
}

/* the elements of a as doubles (C order) */
static int get(lu_ctx *ctx, const lu_array *a, double *out) {
  char *h = malloc((size_t)(a->size ? a->size : 1) * 8);
  int64_t i;
  int st = lu_to_host(ctx, a, h);
  for (i = 0; st == LU_OK && i < a->size; i++) {
    lu_value v = lu_value_load(h + i * lu_array_itemsize(a), a->dtype);
    char k = lu_dtype_kind(a->dtype);
    out[i] = k == 'f' ? v.f : k == 'u' ? (double)v.u : (double)v.i;
  }
  free(h);
  return st;
}

static int vals_eq(lu_ctx *ctx, const lu_array *a, int64_t n, const double *want) {
  double got[256];
  int64_t i;
  if (a->buf == NULL || a->size != n || get(ctx, a, got) != LU_OK) return 0;
  for (i = 0; i < n; i++)
    if (!(fabs(got[i] - want[i]) <= 1e-9 * (1 + fabs(want[i])))) {
      printf("  element %lld: got %.17g want %.17g\n", (long long)i, got[i], want[i]);
      return 0;
    }
  return 1;
}

static int shape_is(const lu_array *a, int ndim, const int64_t *shape) {
  int i;
  if (a->buf == NULL || a->ndim != ndim) return 0;
  for (i = 0; i < ndim; i++) if (a->shape[i] != shape[i]) return 0;
  return 1;
}

static lu_arg A(const lu_array *a) { lu_arg g; memset(&g, 0, sizeof(g)); g.arr = a; return g; }
static lu_arg I(int64_t v) { lu_arg g; memset(&g, 0, sizeof(g)); g.s.kind = 'i'; g.s.i = v; return g; }
static lu_arg F(double v) { lu_arg g; memset(&g, 0, sizeof(g)); g.s.kind = 'f'; g.s.f = v; return g; }
static lu_arg B(int v) { lu_arg g; memset(&g, 0, sizeof(g)); g.s.kind = 'b'; g.s.i = v; return g; }

static int ew2(lu_ctx *ctx, lu_op op, lu_arg x, lu_arg y, lu_array *out) {
  lu_arg g[2];
  g[0] = x; g[1] = y;
  out->buf = NULL;
  return lu_ewise(ctx, op, 2, g, out);
}

/* A wrapper around the CPU backend that records the last ewise call and can
** fail large allocations. */
static lu_backend spy;
static lu_device_services spy_services;
static lu_ewise_family spy_ewise_fam;
static lu_ewise_call last_call;
static int fail_big_allocs, gc_calls;
static int spy_ewise(lu_ctx *ctx, const lu_ewise_call *c) {
  last_call = *c;
  return lu_cpu_backend.ewise->ewise(ctx, c);
}
static int spy_alloc(lu_ctx *ctx, int dev, size_t n, void **p) {
  if (fail_big_allocs && n >= 1000000) return lu_seterr(ctx, LU_EMEM, "no");
  return lu_cpu_backend.dev->alloc(ctx, dev, n, p);
}
static void gc_hook(void *ud, int full) { (void)ud; if (full) gc_calls++; }
/* }====================================================== */

static void test_dtypes(void) {
  CHECK(strcmp(lu_dtype_name(LU_FLOAT32), "float32") == 0);
  CHECK(lu_dtype_size(LU_INT16) == 2 && lu_dtype_kind(LU_UINT8) == 'u');
  CHECK(strcmp(lu_dtypes[LU_FLOAT64].ctype, "double") == 0);
  CHECK(strcmp(lu_dtypes[LU_INT8].tag, "i8") == 0);
  CHECK(lu_dtype_from_name("int32") == LU_INT32);
  CHECK(lu_dtype_from_name("float") == LU_FLOAT64);
  CHECK(lu_dtype_from_name("int") == LU_INT64);
  CHECK(lu_dtype_from_name("double") == LU_FLOAT64);
  CHECK(lu_dtype_from_name("single") == LU_FLOAT32);
  CHECK(lu_dtype_from_name("bool_") == LU_BOOL);
  CHECK(lu_dtype_from_name("long") == LU_INT64);
  CHECK(lu_dtype_from_name("float16") == LU_FLOAT16);
  CHECK(lu_dtype_from_name("bfloat16") == LU_BFLOAT16);
  CHECK(lu_dtype_from_name("complex") == LU_COMPLEX128);
  CHECK(lu_dtype_from_name("half") == LU_FLOAT16);
  CHECK(lu_dtype_size(LU_COMPLEX128) == 16 && lu_dtype_kind(LU_COMPLEX64) == 'c');
  CHECK(lu_dtype_kind(LU_BFLOAT16) == 'f' && lu_dtype_size(LU_FLOAT16) == 2);

  CHECK(lu_promote(LU_BOOL, LU_INT8) == LU_INT8);
  CHECK(lu_promote(LU_BOOL, LU_BOOL) == LU_BOOL);
  CHECK(lu_promote(LU_INT8, LU_INT16) == LU_INT16);
  CHECK(lu_promote(LU_UINT8, LU_UINT32) == LU_UINT32);
  CHECK(lu_promote(LU_INT8, LU_UINT8) == LU_INT16);
  CHECK(lu_promote(LU_UINT16, LU_INT8) == LU_INT32);
  CHECK(lu_promote(LU_INT32, LU_UINT32) == LU_INT64);
  CHECK(lu_promote(LU_INT64, LU_UINT8) == LU_INT64);
  CHECK(lu_promote(LU_INT16, LU_UINT8) == LU_INT16);
  CHECK(lu_promote(LU_INT64, LU_UINT64) == LU_FLOAT64);
  CHECK(lu_promote(LU_UINT64, LU_INT8) == LU_FLOAT64);
  CHECK(lu_promote(LU_INT32, LU_FLOAT32) == LU_FLOAT64);
  CHECK(lu_promote(LU_INT16, LU_FLOAT32) == LU_FLOAT32);
  CHECK(lu_promote(LU_UINT8, LU_FLOAT32) == LU_FLOAT32);
  CHECK(lu_promote(LU_INT64, LU_FLOAT32) == LU_FLOAT64);
  CHECK(lu_promote(LU_FLOAT32, LU_FLOAT64) == LU_FLOAT64);
  CHECK(lu_promote(LU_BOOL, LU_FLOAT32) == LU_FLOAT32);

  /* NumPy 2 and ml_dtypes for the 16-bit floats and complex */
  CHECK(lu_promote(LU_INT8, LU_FLOAT16) == LU_FLOAT16);
  CHECK(lu_promote(LU_UINT8, LU_FLOAT16) == LU_FLOAT16);
  CHECK(lu_promote(LU_INT16, LU_FLOAT16) == LU_FLOAT32);
  CHECK(lu_promote(LU_INT32, LU_FLOAT16) == LU_FLOAT64);
  CHECK(lu_promote(LU_UINT64, LU_FLOAT16) == LU_FLOAT64);
  CHECK(lu_promote(LU_BOOL, LU_BFLOAT16) == LU_BFLOAT16);
  CHECK(lu_promote(LU_INT8, LU_BFLOAT16) == LU_BFLOAT16);
  CHECK(lu_promote(LU_INT16, LU_BFLOAT16) == LU_FLOAT32);
  CHECK(lu_promote(LU_FLOAT16, LU_BFLOAT16) == LU_FLOAT32);
  CHECK(lu_promote(LU_BFLOAT16, LU_FLOAT32) == LU_FLOAT32);
  CHECK(lu_promote(LU_BFLOAT16, LU_FLOAT64) == LU_FLOAT64);
  CHECK(lu_promote(LU_FLOAT16, LU_FLOAT32) == LU_FLOAT32);
  CHECK(lu_promote(LU_COMPLEX64, LU_FLOAT64) == LU_COMPLEX128);
  CHECK(lu_promote(LU_COMPLEX64, LU_FLOAT16) == LU_COMPLEX64);
  CHECK(lu_promote(LU_COMPLEX64, LU_BFLOAT16) == LU_COMPLEX64);
  CHECK(lu_promote(LU_COMPLEX64, LU_INT16) == LU_COMPLEX64);
  CHECK(lu_promote(LU_COMPLEX64, LU_INT32) == LU_COMPLEX128);
  CHECK(lu_promote(LU_UINT64, LU_COMPLEX64) == LU_COMPLEX128);
  CHECK(lu_promote(LU_COMPLEX128, LU_COMPLEX64) == LU_COMPLEX128);
  CHECK(lu_promote(LU_BOOL, LU_COMPLEX64) == LU_COMPLEX64);

  CHECK(lu_float_of(LU_BOOL) == LU_FLOAT16);
  CHECK(lu_float_of(LU_INT8) == LU_FLOAT16);
  CHECK(lu_float_of(LU_UINT8) == LU_FLOAT16);
  CHECK(lu_float_of(LU_INT16) == LU_FLOAT32);
  CHECK(lu_float_of(LU_BFLOAT16) == LU_BFLOAT16);
  CHECK(lu_float_of(LU_COMPLEX64) == LU_COMPLEX64);
  CHECK(lu_real_of(LU_COMPLEX64) == LU_FLOAT32 && lu_real_of(LU_COMPLEX128) == LU_FLOAT64);
  CHECK(lu_float_of(LU_UINT16) == LU_FLOAT32);
  CHECK(lu_float_of(LU_INT32) == LU_FLOAT64);
  CHECK(lu_float_of(LU_UINT64) == LU_FLOAT64);
  CHECK(lu_float_of(LU_FLOAT32) == LU_FLOAT32);

  CHECK(lu_kind_slot(LU_BOOL) == 0 && lu_kind_slot(LU_UINT8) == 1 && lu_kind_slot(LU_FLOAT32) == 2);
  CHECK(strcmp(lu_ops[LU_OP_add].name, "add") == 0 && lu_ops[LU_OP_add].nin == 2);
  CHECK(strcmp(lu_ops[LU_OP_add].expr[1], "(a + b)") == 0);
  CHECK(lu_ops[LU_OP_subtract].expr[0] == NULL);
  CHECK(lu_ops[LU_OP_sqrt].expr[1] == NULL && lu_ops[LU_OP_sqrt].expr[2] != NULL);
  CHECK(lu_ops[LU_OP_where].nin == 3 && lu_ops[LU_OP_where].rule == LU_R_WHERE);
  CHECK(strcmp(lu_reds[LU_RED_argmax].name, "argmax") == 0 && lu_reds[LU_RED_any].rule == LU_RR_BOOL);

  {
    lu_scalar s = {'f', 0, 2.7};
    unsigned char buf[8];
    CHECK(lu_value_from_scalar(s, LU_INT32).i == 2);
    s.f = 0.1;
    CHECK(lu_value_from_scalar(s, LU_FLOAT32).f == (double)0.1f);
    s.kind = 'i'; s.i = 300;
    CHECK(lu_value_from_scalar(s, LU_UINT8).u == 44);
    CHECK(lu_value_from_scalar(s, LU_BOOL).i == 1);
    s.i = -1;
    CHECK(lu_value_from_scalar(s, LU_UINT16).u == 65535);
    lu_value_store(buf, LU_INT16, (lu_value){.i = -5});
    CHECK(lu_value_load(buf, LU_INT16).i == -5);
  }
}

/* The 16-bit float conversions of lu_numeric.h: every float16 and
** bfloat16 value round-trips through float; halfway points between
** neighbours round to the even one, and one ulp (of float, of double) to
** either side rounds to that side; overflow and the subnormal edge. */
static uint16_t h_of(float f) { return lu_f2h(f).bits; }
static uint16_t hd_of(double d) { return lu_d2h(d).bits; }
static float f_of(uint16_t b) { lu_half h; h.bits = b; return lu_h2f(h); }
static float bf_of(uint16_t b) { lu_bf16 h; h.bits = b; return lu_bf2f(h); }

static void test_half_conversions(void) {
  int bad = 0, badb = 0, badm = 0, badmb = 0;
  uint32_t b;
  for (b = 0; b < 65536; b++) {
    float f = f_of((uint16_t)b), g = bf_of((uint16_t)b);
    if (f == f && (h_of(f) != b || hd_of(f) != b)) bad++;
    if (g == g && lu_f2bf(g).bits != b) badb++;
  }
  CHECK(bad == 0);
  CHECK(badb == 0);
  for (b = 0; b < 0x7bff; b++) {   /* positive finite neighbours */
    float lo = f_of((uint16_t)b), hi = f_of((uint16_t)(b + 1)), mid = (lo + hi) / 2;
    uint16_t even = (b & 1) ? (uint16_t)(b + 1) : (uint16_t)b;
    double dmid = ((double)lo + (double)hi) / 2;
    if (h_of(mid) != even || h_of(nextafterf(mid, 1e9f)) != b + 1 || h_of(nextafterf(mid, 0)) != b)
      badm++;
    if (hd_of(dmid) != even || hd_of(nextafter(dmid, 1e9)) != b + 1 || hd_of(nextafter(dmid, 0)) != b)
      badm++;
    if (h_of(-mid) != (even | 0x8000)) badm++;
  }
  CHECK(badm == 0);
  for (b = 0; b < 0x7f7f; b++) {
    float lo = bf_of((uint16_t)b), hi = bf_of((uint16_t)(b + 1)), mid = lo / 2 + hi / 2;
    uint16_t even = (b & 1) ? (uint16_t)(b + 1) : (uint16_t)b;
    if (lu_f2bf(mid).bits != even || lu_f2bf(nextafterf(mid, INFINITY)).bits != b + 1 ||
        lu_f2bf(nextafterf(mid, 0)).bits != b)
      badmb++;
  }
  CHECK(badmb == 0);
  CHECK(h_of(65519.99f) == 0x7bff && h_of(65520.0f) == 0x7c00 && h_of(1e9f) == 0x7c00);
  CHECK(hd_of(65519.999999) == 0x7bff && hd_of(65520.0) == 0x7c00 && hd_of(1e300) == 0x7c00);
  CHECK(h_of(-INFINITY) == 0xfc00 && (h_of(NAN) & 0x7fff) > 0x7c00 && (hd_of(NAN) & 0x7fff) > 0x7c00);
  CHECK(h_of(ldexpf(1, -25)) == 0 && h_of(nextafterf(ldexpf(1, -25), 1)) == 1);
  CHECK(hd_of(ldexp(1, -25)) == 0 && hd_of(nextafter(ldexp(1, -25), 1)) == 1);
  CHECK(h_of(-0.0f) == 0x8000 && f_of(0x0001) == ldexpf(1, -24));
  CHECK(lu_f2bf(3.4e38f).bits == 0x7f80 && (lu_f2bf(NAN).bits & 0x7fff) > 0x7f80);
  CHECK(lu_d2bf(1.00390625).bits == 0x3f80);   /* halfway 1 .. 1+2^-7: even */
}

static void test_result_dtypes(lu_ctx *ctx) {
  int64_t sh[1] = {2};
  double v[2] = {1, 0};
  lu_array i8 = mk(ctx, LU_INT8, 1, sh, v), b = mk(ctx, LU_BOOL, 1, sh, v);
  lu_array f32 = mk(ctx, LU_FLOAT32, 1, sh, v), i32 = mk(ctx, LU_INT32, 1, sh, v);
  lu_array u8 = mk(ctx, LU_UINT8, 1, sh, v), u64 = mk(ctx, LU_UINT64, 1, sh, v);
  lu_arg g[3];
  lu_dtype ct, rt;
  lu_array r;
  int st;

#define RD(op, n, want_ct, want_rt) do { OK(ctx, lu_result_dtype(ctx, op, n, g, &ct, &rt)); \
    CHECK(ct == (want_ct) && rt == (want_rt)); } while (0)
  g[0] = A(&i8); g[1] = I(1);      RD(LU_OP_add, 2, LU_INT8, LU_INT8);
  g[0] = A(&i8); g[1] = I(-128);   RD(LU_OP_add, 2, LU_INT8, LU_INT8);
  g[0] = A(&b);  g[1] = I(1);      RD(LU_OP_add, 2, LU_INT64, LU_INT64);
  g[0] = A(&b);  g[1] = B(1);      RD(LU_OP_add, 2, LU_BOOL, LU_BOOL);
  g[0] = A(&i32); g[1] = F(1.5);   RD(LU_OP_add, 2, LU_FLOAT64, LU_FLOAT64);
  g[0] = A(&f32); g[1] = F(1.5);   RD(LU_OP_add, 2, LU_FLOAT32, LU_FLOAT32);
  g[0] = I(3);   g[1] = A(&f32);   RD(LU_OP_multiply, 2, LU_FLOAT32, LU_FLOAT32);
  g[0] = A(&b);  g[1] = F(1.5);    RD(LU_OP_add, 2, LU_FLOAT64, LU_FLOAT64);
  g[0] = A(&i32); g[1] = A(&f32);  RD(LU_OP_add, 2, LU_FLOAT64, LU_FLOAT64);
  g[0] = A(&i8); g[1] = A(&u8);    RD(LU_OP_add, 2, LU_INT16, LU_INT16);
  g[0] = A(&i32); g[1] = I(2);     RD(LU_OP_divide, 2, LU_FLOAT64, LU_FLOAT64);
  g[0] = A(&i8); g[1] = I(2);      RD(LU_OP_divide, 2, LU_FLOAT64, LU_FLOAT64);
  g[0] = A(&b);  g[1] = A(&b);     RD(LU_OP_floor_divide, 2, LU_INT8, LU_INT8);
  g[0] = A(&f32); g[1] = I(1);     RD(LU_OP_less, 2, LU_FLOAT32, LU_BOOL);
  g[0] = A(&u8); g[1] = I(-1);     RD(LU_OP_less, 2, LU_INT64, LU_BOOL);
  g[0] = A(&u64); g[1] = I(-1);    RD(LU_OP_equal, 2, LU_FLOAT64, LU_BOOL);
  g[0] = I(1);   g[1] = F(2.5);    RD(LU_OP_add, 2, LU_FLOAT64, LU_FLOAT64);
  g[0] = I(1);   g[1] = B(1);      RD(LU_OP_add, 2, LU_INT64, LU_INT64);
  g[0] = A(&b);  g[1] = A(&i8); g[2] = F(1.5); RD(LU_OP_where, 3, LU_FLOAT64, LU_FLOAT64);
  g[0] = A(&f32); g[1] = A(&i8); g[2] = I(7);  RD(LU_OP_where, 3, LU_INT8, LU_INT8);
  g[0] = A(&i8); g[1] = I(0); g[2] = I(5);     RD(LU_OP_clip, 3, LU_INT8, LU_INT8);
#undef RD

  g[0] = A(&i8); g[1] = I(1000);
  st = lu_result_dtype(ctx, LU_OP_add, 2, g, &ct, &rt);
  CHECK_MSG(ctx, st, LU_EARG, "add: Python integer 1000 out of bounds for int8");
  g[0] = A(&u8); g[1] = I(-1);
  st = ew2(ctx, LU_OP_multiply, g[0], g[1], &r);
  CHECK_MSG(ctx, st, LU_EARG, "multiply: Python integer -1 out of bounds for uint8");
  CHECK(r.buf == NULL);
  st = ew2(ctx, LU_OP_subtract, A(&b), A(&b), &r);
  CHECK_MSG(ctx, st, LU_ETYPE, "subtract: no loop for dtype bool");
  {
    lu_arg one = A(&b);
    r.buf = NULL;
    st = lu_ewise(ctx, LU_OP_negative, 1, &one, &r);
    CHECK_MSG(ctx, st, LU_ETYPE, "negative: no loop for dtype bool");
  }

  /* all scalars: a 0-d array on the default device */
  OK(ctx, ew2(ctx, LU_OP_add, I(2), F(0.5), &r));
  CHECK(r.ndim == 0 && r.dtype == LU_FLOAT64 && vals_eq(ctx, &r, 1, (double[]){2.5}));
  lu_array_release(&r);
  /* a weak scalar keeps int8 arithmetic (wrapping, as NumPy's int8) */
  OK(ctx, ew2(ctx, LU_OP_add, A(&i8), I(127), &r));
  CHECK(r.dtype == LU_INT8 && vals_eq(ctx, &r, 2, (double[]){-128, 127}));
  lu_array_release(&r);

  lu_array_release(&i8); lu_array_release(&b); lu_array_release(&f32);
  lu_array_release(&i32); lu_array_release(&u8); lu_array_release(&u64);
}

static void test_broadcast(lu_ctx *ctx) {
  int64_t s31[2] = {3, 1}, s4[1] = {4}, s3[1] = {3}, sh[LU_MAXDIM];
  lu_array a = mk(ctx, LU_FLOAT64, 2, s31, (double[]){1, 2, 3});
  lu_array b = mk(ctx, LU_INT32, 1, s4, (double[]){10, 20, 30, 40});
  lu_array c = mk(ctx, LU_FLOAT64, 1, s3, (double[]){1, 2, 3});
  const lu_array *arrs[2];
  lu_array r;
  char buf[64];
  int nd, st;

  CHECK(strcmp(lu_shape_str(0, NULL, buf, sizeof(buf)), "()") == 0);
  CHECK(strcmp(lu_shape_str(1, s3, buf, sizeof(buf)), "(3,)") == 0);
  CHECK(strcmp(lu_shape_str(2, (int64_t[]){3, 4}, buf, sizeof(buf)), "(3,4)") == 0);

  arrs[0] = &a; arrs[1] = &b;
  OK(ctx, lu_broadcast_shapes(ctx, 2, arrs, &nd, sh));
  CHECK(nd == 2 && sh[0] == 3 && sh[1] == 4);

  OK(ctx, ew2(ctx, LU_OP_add, A(&a), A(&b), &r));
  CHECK(shape_is(&r, 2, (int64_t[]){3, 4}) && r.dtype == LU_FLOAT64);
  CHECK(vals_eq(ctx, &r, 12, (double[]){11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43}));
  lu_array_release(&r);

  st = ew2(ctx, LU_OP_add, A(&c), A(&b), &r);
  CHECK_MSG(ctx, st, LU_ESHAPE, "add: operands could not be broadcast together with shapes (3,) (4,)");

  /* a given output with another dtype: cast on store */
  {
    lu_array o;
    OK(ctx, lu_empty(ctx, &o, LU_INT32, 1, s3, CPU));
    {
      lu_arg g[2] = {A(&c), F(0.75)};
      OK(ctx, lu_ewise(ctx, LU_OP_add, 2, g, &o));
      CHECK(vals_eq(ctx, &o, 3, (double[]){1, 2, 3}));
    }
    {
      lu_arg g[2] = {A(&b), I(1)};
      st = lu_ewise(ctx, LU_OP_add, 2, g, &o);
      CHECK_MSG(ctx, st, LU_ESHAPE, "add: operands could not be broadcast together with shapes (4,) (3,)");
      CHECK(o.buf != NULL);
    }
    lu_array_release(&o);
  }
  /* a 0-d array mixes with anything and is a strong operand */
  {
    lu_array z = mk(ctx, LU_FLOAT32, 0, NULL, (double[]){2});
    OK(ctx, ew2(ctx, LU_OP_multiply, A(&b), A(&z), &r));
    CHECK(r.dtype == LU_FLOAT64 && vals_eq(ctx, &r, 4, (double[]){20, 40, 60, 80}));
    lu_array_release(&r);
    lu_array_release(&z);
  }
  /* where: a float condition is true where it is non-zero (0.5 too) */
  {
    lu_array cond = mk(ctx, LU_FLOAT64, 1, s3, (double[]){0.5, 0, -1});
    lu_array x = mk(ctx, LU_INT8, 1, s3, (double[]){1, 2, 3});
    lu_arg g[3] = {A(&cond), A(&x), I(9)};
    r.buf = NULL;
    OK(ctx, lu_ewise(ctx, LU_OP_where, 3, g, &r));
    CHECK(r.dtype == LU_INT8 && vals_eq(ctx, &r, 3, (double[]){1, 9, 3}));
    lu_array_release(&r); lu_array_release(&cond); lu_array_release(&x);
  }
  lu_array_release(&a); lu_array_release(&b); lu_array_release(&c);
}

static void test_dispatch_layout(lu_ctx *ctx) {
  lu_array a, t, r, s;
  int64_t sh[2] = {3, 4};
  double v[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  a = mk(ctx, LU_FLOAT64, 2, sh, v);
  OK(ctx, ew2(ctx, LU_OP_multiply, A(&a), I(2), &r));
  CHECK(last_call.ndim == 1 && last_call.shape[0] == 12 && last_call.contiguous == 1);
  CHECK(last_call.in_scalar[1] == 1 && last_call.in_val[1].f == 2.0);
  lu_array_release(&r);
  /* transposed operand: two dims, not contiguous */
  OK(ctx, lu_transpose(ctx, &t, &a, NULL));
  OK(ctx, ew2(ctx, LU_OP_add, A(&t), I(1), &r));
  CHECK(last_call.ndim == 2 && last_call.contiguous == 0);
  CHECK(vals_eq(ctx, &r, 12, (double[]){1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12}));
  lu_array_release(&r);
  /* broadcast row: (3,4) + (4,) keeps 2 dims with a zero stride */
  OK(ctx, lu_take_index(ctx, &s, &a, 0, 1));
  OK(ctx, ew2(ctx, LU_OP_add, A(&a), A(&s), &r));
  CHECK(last_call.ndim == 2 && last_call.in_strides[1][0] == 0 && last_call.in_strides[1][1] == 8);
  CHECK(vals_eq(ctx, &r, 12, (double[]){4, 6, 8, 10, 8, 10, 12, 14, 12, 14, 16, 18}));
  lu_array_release(&r);
  /* a column slice with stride: one dim, not contiguous */
  {
    lu_array col;
    OK(ctx, lu_take_index(ctx, &col, &a, 1, 2));
    OK(ctx, ew2(ctx, LU_OP_add, A(&col), I(0), &r));
    CHECK(last_call.ndim == 1 && last_call.contiguous == 0 && last_call.in_strides[0][0] == 32);
    CHECK(vals_eq(ctx, &r, 3, (double[]){2, 6, 10}));
    lu_array_release(&r);
    lu_array_release(&col);
  }
  lu_array_release(&s); lu_array_release(&t); lu_array_release(&a);
}

static void test_views(lu_ctx *ctx) {
  lu_array a, m, t, f, s, q, e;
  int64_t sh34[2] = {3, 4};
  int st;
  OK(ctx, lu_arange(ctx, &a, 0, 12, 1, LU_INT64, CPU));
  CHECK(shape_is(&a, 1, (int64_t[]){12}));
  OK(ctx, lu_reshape(ctx, &m, &a, 2, sh34));
  CHECK(m.buf == a.buf && m.strides[0] == 32 && m.strides[1] == 8 && lu_array_is_contig(&m));
  OK(ctx, lu_reshape(ctx, &q, &a, 3, (int64_t[]){2, -1, 3}));
  CHECK(shape_is(&q, 3, (int64_t[]){2, 2, 3}) && q.buf == a.buf);
  lu_array_release(&q);
  st = lu_reshape(ctx, &q, &a, 1, (int64_t[]){5});
  CHECK_MSG(ctx, st, LU_ESHAPE, "reshape: cannot reshape array of size 12 into shape (5,)");
  st = lu_reshape(ctx, &q, &a, 2, (int64_t[]){-1, -1});
  CHECK_MSG(ctx, st, LU_EARG, "reshape: can only specify one unknown dimension");

  OK(ctx, lu_transpose(ctx, &t, &m, NULL));
  CHECK(shape_is(&t, 2, (int64_t[]){4, 3}) && t.strides[0] == 8 && t.strides[1] == 32);
  CHECK(!lu_array_is_contig(&t) && t.buf == a.buf);
  st = lu_transpose(ctx, &q, &m, (int[]){0, 0});
  CHECK_MSG(ctx, st, LU_EARG, "transpose: axes don't match array");
  /* reshaping a transpose to 1-d needs a copy */
  OK(ctx, lu_reshape(ctx, &f, &t, 1, (int64_t[]){12}));
  CHECK(f.buf != a.buf && vals_eq(ctx, &f, 12, (double[]){0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  lu_array_release(&f);
  /* ... but (4,3)^T -> (2,2,3) of the transposed-of-transposed works without */
  {
    lu_array tt, r3;
    OK(ctx, lu_transpose(ctx, &tt, &t, NULL));
    OK(ctx, lu_reshape(ctx, &r3, &tt, 3, (int64_t[]){3, 2, 2}));
    CHECK(r3.buf == a.buf);
    lu_array_release(&r3);
    lu_array_release(&tt);
  }
  /* a strided slice can be reshaped without a copy when runs allow:
     m[:, ::2] (3,2) -> (6,) needs a copy; m[::2, :] (2,4) -> (8,) too */
  OK(ctx, lu_slice(ctx, &s, &m, 1, 0, 4, 2));
  CHECK(shape_is(&s, 2, (int64_t[]){3, 2}) && s.strides[1] == 16);
  CHECK(vals_eq(ctx, &s, 6, (double[]){0, 2, 4, 6, 8, 10}));
  OK(ctx, lu_reshape(ctx, &q, &s, 3, (int64_t[]){3, 1, 2}));
  CHECK(q.buf == a.buf && vals_eq(ctx, &q, 6, (double[]){0, 2, 4, 6, 8, 10}));
  lu_array_release(&q);
  lu_array_release(&s);
  /* negative step */
  OK(ctx, lu_slice(ctx, &s, &a, 0, 11, -1, -3));
  CHECK(shape_is(&s, 1, (int64_t[]){4}) && vals_eq(ctx, &s, 4, (double[]){11, 8, 5, 2}));
  lu_array_release(&s);
  OK(ctx, lu_slice(ctx, &s, &a, 0, 5, 5, 1));
  CHECK(shape_is(&s, 1, (int64_t[]){0}));
  lu_array_release(&s);
  /* take_index, expand_dims, squeeze */
  OK(ctx, lu_take_index(ctx, &s, &m, 0, 2));
  CHECK(vals_eq(ctx, &s, 4, (double[]){8, 9, 10, 11}));
  OK(ctx, lu_expand_dims(ctx, &e, &s, 0));
  CHECK(shape_is(&e, 2, (int64_t[]){1, 4}));
  OK(ctx, lu_squeeze(ctx, &q, &e, LU_ALLAXES));
  CHECK(shape_is(&q, 1, (int64_t[]){4}));
  lu_array_release(&q);
  st = lu_squeeze(ctx, &q, &e, 1);
  CHECK(st == LU_EARG && q.buf == NULL);
  st = lu_squeeze(ctx, &q, &e, 2);
  CHECK_MSG(ctx, st, LU_EARG, "squeeze: axis 3 is out of bounds for array of dimension 2");
  lu_array_release(&e);
  lu_array_release(&s);
  /* broadcast_to */
  {
    lu_array row, bt;
    OK(ctx, lu_take_index(ctx, &row, &m, 0, 1));
    OK(ctx, lu_broadcast_to(ctx, &bt, &row, 2, (int64_t[]){2, 4}));
    CHECK(bt.strides[0] == 0 && vals_eq(ctx, &bt, 8, (double[]){4, 5, 6, 7, 4, 5, 6, 7}));
    lu_array_release(&bt);
    st = lu_broadcast_to(ctx, &bt, &row, 1, (int64_t[]){3});
    CHECK_MSG(ctx, st, LU_ESHAPE, "broadcast_to: array of shape (4,) cannot be broadcast to shape (3,)");
    lu_array_release(&row);
  }
  lu_array_release(&t); lu_array_release(&m); lu_array_release(&a);
}

static void test_assign(lu_ctx *ctx) {
  lu_array a, d, s;
  lu_arg g;
  int st;
  OK(ctx, lu_arange(ctx, &a, 0, 6, 1, LU_INT32, CPU));
  /* a[{{2,-1}}] = a[{{1,-2}}] in Lua: a[1:] = a[:-1] */
  OK(ctx, lu_slice(ctx, &d, &a, 0, 1, 6, 1));
  OK(ctx, lu_slice(ctx, &s, &a, 0, 0, 5, 1));
  g = A(&s);
  OK(ctx, lu_assign(ctx, &d, &g));
  CHECK(vals_eq(ctx, &a, 6, (double[]){0, 0, 1, 2, 3, 4}));
  lu_array_release(&d); lu_array_release(&s);
  /* and the other way round */
  OK(ctx, lu_slice(ctx, &d, &a, 0, 0, 5, 1));
  OK(ctx, lu_slice(ctx, &s, &a, 0, 1, 6, 1));
  g = A(&s);
  OK(ctx, lu_assign(ctx, &d, &g));
  CHECK(vals_eq(ctx, &a, 6, (double[]){0, 1, 2, 3, 4, 4}));
  lu_array_release(&d); lu_array_release(&s);
  /* reversed onto itself */
  OK(ctx, lu_slice(ctx, &s, &a, 0, 5, -1, -1));
  g = A(&s);
  OK(ctx, lu_assign(ctx, &a, &g));
  CHECK(vals_eq(ctx, &a, 6, (double[]){4, 4, 3, 2, 1, 0}));
  lu_array_release(&s);
  /* disjoint halves of one buffer */
  OK(ctx, lu_slice(ctx, &d, &a, 0, 0, 3, 1));
  OK(ctx, lu_slice(ctx, &s, &a, 0, 3, 6, 1));
  g = A(&s);
  OK(ctx, lu_assign(ctx, &d, &g));
  CHECK(vals_eq(ctx, &a, 6, (double[]){2, 1, 0, 2, 1, 0}));
  lu_array_release(&d); lu_array_release(&s);
  /* scalars: cast on store, overflow like NumPy */
  g = F(2.9);
  OK(ctx, lu_assign(ctx, &a, &g));
  CHECK(vals_eq(ctx, &a, 6, (double[]){2, 2, 2, 2, 2, 2}));
  {
    lu_array i8;
    OK(ctx, lu_empty(ctx, &i8, LU_INT8, 1, (int64_t[]){2}, CPU));
    g = I(1000);
    st = lu_assign(ctx, &i8, &g);
    CHECK_MSG(ctx, st, LU_EARG, "assign: Python integer 1000 out of bounds for int8");
    lu_array_release(&i8);
  }
  {
    lu_array src = mk(ctx, LU_FLOAT64, 1, (int64_t[]){4}, (double[]){1, 2, 3, 4});
    g = A(&src);
    st = lu_assign(ctx, &a, &g);
    CHECK_MSG(ctx, st, LU_ESHAPE, "assign: could not broadcast input array from shape (4,) into shape (6,)");
    lu_array_release(&src);
  }
  /* astype, copy, ascontig */
  {
    lu_array f, c, t, m;
    OK(ctx, lu_astype(ctx, &f, &a, LU_FLOAT32));
    CHECK(f.dtype == LU_FLOAT32 && f.buf != a.buf && vals_eq(ctx, &f, 6, (double[]){2, 2, 2, 2, 2, 2}));
    OK(ctx, lu_ascontig(ctx, &c, &a));
    CHECK(c.buf == a.buf);
    lu_array_release(&c);
    OK(ctx, lu_reshape(ctx, &m, &a, 2, (int64_t[]){2, 3}));
    OK(ctx, lu_transpose(ctx, &t, &m, NULL));
    OK(ctx, lu_ascontig(ctx, &c, &t));
    CHECK(c.buf != a.buf && lu_array_is_contig(&c));
    lu_array_release(&c); lu_array_release(&t); lu_array_release(&m); lu_array_release(&f);
  }
  lu_array_release(&a);
}

static void test_reduce(lu_ctx *ctx) {
  lu_array a, r, e;
  int64_t sh[2] = {3, 4};
  int st;
  a = mk(ctx, LU_INT32, 2, sh, (double[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  OK(ctx, lu_reduce(ctx, &r, LU_RED_sum, &a, LU_ALLAXES, 0, 0));
  CHECK(r.ndim == 0 && r.dtype == LU_INT64 && vals_eq(ctx, &r, 1, (double[]){66}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RED_sum, &a, 0, 0, 0));
  CHECK(shape_is(&r, 1, (int64_t[]){4}) && vals_eq(ctx, &r, 4, (double[]){12, 15, 18, 21}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RED_sum, &a, 1, 1, 0));
  CHECK(shape_is(&r, 2, (int64_t[]){3, 1}) && vals_eq(ctx, &r, 3, (double[]){6, 22, 38}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RED_max, &a, 0, 0, 0));
  CHECK(r.dtype == LU_INT32 && vals_eq(ctx, &r, 4, (double[]){8, 9, 10, 11}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RED_argmax, &a, LU_ALLAXES, 1, 0));
  CHECK(shape_is(&r, 2, (int64_t[]){1, 1}) && r.dtype == LU_INT64 && vals_eq(ctx, &r, 1, (double[]){11}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RED_any, &a, 1, 0, 0));
  CHECK(r.dtype == LU_BOOL && vals_eq(ctx, &r, 3, (double[]){1, 1, 1}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RED_all, &a, 1, 0, 0));
  CHECK(vals_eq(ctx, &r, 3, (double[]){0, 1, 1}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RX_MEAN, &a, 0, 0, 0));
  CHECK(r.dtype == LU_FLOAT64 && vals_eq(ctx, &r, 4, (double[]){4, 5, 6, 7}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RX_VAR, &a, 1, 0, 0));
  CHECK(vals_eq(ctx, &r, 3, (double[]){1.25, 1.25, 1.25}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RX_VAR, &a, 1, 0, 1));
  CHECK(vals_eq(ctx, &r, 3, (double[]){5.0 / 3, 5.0 / 3, 5.0 / 3}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RX_STD, &a, 0, 1, 0));
  CHECK(shape_is(&r, 2, (int64_t[]){1, 4}) && vals_eq(ctx, &r, 4,
        (double[]){3.2659863237109041, 3.2659863237109041, 3.2659863237109041, 3.2659863237109041}));
  lu_array_release(&r);
  /* float32 mean stays float32 */
  {
    lu_array f = mk(ctx, LU_FLOAT32, 1, (int64_t[]){4}, (double[]){1, 2, 3, 4});
    OK(ctx, lu_reduce(ctx, &r, LU_RX_MEAN, &f, LU_ALLAXES, 0, 0));
    CHECK(r.dtype == LU_FLOAT32 && vals_eq(ctx, &r, 1, (double[]){2.5}));
    lu_array_release(&r);
    lu_array_release(&f);
  }
  /* a transposed input (non-mergeable outer/inner) */
  {
    lu_array t;
    OK(ctx, lu_transpose(ctx, &t, &a, NULL));
    OK(ctx, lu_reduce(ctx, &r, LU_RED_sum, &t, 1, 0, 0));
    CHECK(vals_eq(ctx, &r, 4, (double[]){12, 15, 18, 21}));
    lu_array_release(&r);
    OK(ctx, lu_reduce(ctx, &r, LU_RED_min, &t, LU_ALLAXES, 0, 0));
    CHECK(vals_eq(ctx, &r, 1, (double[]){0}));
    lu_array_release(&r);
    lu_array_release(&t);
  }
  /* errors and empty reductions */
  st = lu_reduce(ctx, &r, LU_RED_sum, &a, 3, 0, 0);
  CHECK_MSG(ctx, st, LU_EARG, "sum: axis 4 is out of bounds for array of dimension 2");
  OK(ctx, lu_empty(ctx, &e, LU_UINT8, 2, (int64_t[]){0, 3}, CPU));
  OK(ctx, lu_reduce(ctx, &r, LU_RED_sum, &e, 0, 0, 0));
  CHECK(r.dtype == LU_UINT64 && vals_eq(ctx, &r, 3, (double[]){0, 0, 0}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RED_prod, &e, LU_ALLAXES, 0, 0));
  CHECK(vals_eq(ctx, &r, 1, (double[]){1}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RED_all, &e, 0, 0, 0));
  CHECK(vals_eq(ctx, &r, 3, (double[]){1, 1, 1}));
  lu_array_release(&r);
  OK(ctx, lu_reduce(ctx, &r, LU_RED_max, &e, 1, 0, 0));
  CHECK(shape_is(&r, 1, (int64_t[]){0}));
  lu_array_release(&r);
  st = lu_reduce(ctx, &r, LU_RED_max, &e, 0, 0, 0);
  CHECK_MSG(ctx, st, LU_EARG, "max: zero-size array to reduction operation max which has no identity");
  lu_array_release(&e);
  lu_array_release(&a);
}

static void test_matmul(lu_ctx *ctx) {
  lu_array a, b, r, t, v, w;
  int st;
  a = mk(ctx, LU_FLOAT64, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 4, 5, 6});
  b = mk(ctx, LU_FLOAT64, 2, (int64_t[]){3, 2}, (double[]){7, 8, 9, 10, 11, 12});
  OK(ctx, lu_matmul(ctx, &r, &a, &b));
  CHECK(shape_is(&r, 2, (int64_t[]){2, 2}) && vals_eq(ctx, &r, 4, (double[]){58, 64, 139, 154}));
  lu_array_release(&r);
  /* transposed operand: b^T @ a^T = (a @ b)^T */
  {
    lu_array at, bt;
    OK(ctx, lu_transpose(ctx, &at, &a, NULL));
    OK(ctx, lu_transpose(ctx, &bt, &b, NULL));
    OK(ctx, lu_matmul(ctx, &r, &bt, &at));
    CHECK(vals_eq(ctx, &r, 4, (double[]){58, 139, 64, 154}));
    lu_array_release(&r);
    lu_array_release(&at); lu_array_release(&bt);
  }
  v = mk(ctx, LU_INT32, 1, (int64_t[]){3}, (double[]){1, 0, -1});
  OK(ctx, lu_matmul(ctx, &r, &v, &b));   /* (3,) @ (3,2) -> (2,) */
  CHECK(shape_is(&r, 1, (int64_t[]){2}) && r.dtype == LU_FLOAT64 && vals_eq(ctx, &r, 2, (double[]){-4, -4}));
  lu_array_release(&r);
  OK(ctx, lu_matmul(ctx, &r, &a, &v));   /* (2,3) @ (3,) -> (2,) */
  CHECK(shape_is(&r, 1, (int64_t[]){2}) && vals_eq(ctx, &r, 2, (double[]){-2, -2}));
  lu_array_release(&r);
  OK(ctx, lu_matmul(ctx, &r, &v, &v));   /* (3,) @ (3,) -> () */
  CHECK(r.ndim == 0 && r.dtype == LU_INT32 && vals_eq(ctx, &r, 1, (double[]){2}));
  lu_array_release(&r);
  /* batched with broadcasting: (2,1,2,3) @ (3,2) -> (2,1,2,2) */
  OK(ctx, lu_reshape(ctx, &t, &a, 1, (int64_t[]){6}));
  {
    lu_array big, st4;
    double h[12] = {1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0};
    big = mk(ctx, LU_FLOAT64, 4, (int64_t[]){2, 1, 2, 3}, h);
    OK(ctx, lu_matmul(ctx, &st4, &big, &b));
    CHECK(shape_is(&st4, 4, (int64_t[]){2, 1, 2, 2}));
    CHECK(vals_eq(ctx, &st4, 8, (double[]){58, 64, 139, 154, 7, 8, 9, 10}));
    lu_array_release(&st4);
    lu_array_release(&big);
  }
  lu_array_release(&t);
  /* errors */
  w = mk(ctx, LU_FLOAT64, 2, (int64_t[]){2, 2}, (double[]){1, 2, 3, 4});
  st = lu_matmul(ctx, &r, &a, &w);
  CHECK_MSG(ctx, st, LU_ESHAPE, "matmul: shapes (2,3) and (2,2) not aligned: 3 (dim 2) != 2 (dim 1)");
  {
    lu_array x = mk(ctx, LU_FLOAT64, 2, (int64_t[]){3, 4}, Z);
    lu_array y = mk(ctx, LU_FLOAT64, 2, (int64_t[]){5, 6}, Z);
    lu_array p = mk(ctx, LU_FLOAT64, 1, (int64_t[]){4}, Z);
    st = lu_matmul(ctx, &r, &x, &y);
    CHECK_MSG(ctx, st, LU_ESHAPE, "matmul: shapes (3,4) and (5,6) not aligned: 4 (dim 2) != 5 (dim 1)");
    st = lu_matmul(ctx, &r, &v, &p);
    CHECK_MSG(ctx, st, LU_ESHAPE, "matmul: shapes (3,) and (4,) not aligned: 3 (dim 1) != 4 (dim 1)");
    lu_array_release(&x); lu_array_release(&y); lu_array_release(&p);
  }
  {
    lu_array z = mk(ctx, LU_FLOAT64, 0, NULL, (double[]){1});
    st = lu_matmul(ctx, &r, &z, &a);
    CHECK_MSG(ctx, st, LU_EARG, "matmul: input operand 1 does not have enough dimensions");
    st = lu_matmul(ctx, &r, &a, &z);
    CHECK_MSG(ctx, st, LU_EARG, "matmul: input operand 2 does not have enough dimensions");
    lu_array_release(&z);
  }
  /* K == 0 gives zeros */
  {
    lu_array x, y;
    OK(ctx, lu_empty(ctx, &x, LU_FLOAT64, 2, (int64_t[]){2, 0}, CPU));
    OK(ctx, lu_empty(ctx, &y, LU_FLOAT64, 2, (int64_t[]){0, 3}, CPU));
    OK(ctx, lu_matmul(ctx, &r, &x, &y));
    CHECK(shape_is(&r, 2, (int64_t[]){2, 3}) && vals_eq(ctx, &r, 6, (double[]){0, 0, 0, 0, 0, 0}));
    lu_array_release(&r); lu_array_release(&x); lu_array_release(&y);
  }
  lu_array_release(&w); lu_array_release(&v); lu_array_release(&a); lu_array_release(&b);
}

static void test_masks(lu_ctx *ctx) {
  lu_array a, m, r, bad;
  lu_arg g;
  int st;
  a = mk(ctx, LU_FLOAT64, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 4, 5, 6});
  OK(ctx, ew2(ctx, LU_OP_greater, A(&a), I(2), &m));
  CHECK(m.dtype == LU_BOOL);
  OK(ctx, lu_mask_select(ctx, &r, &a, &m));
  CHECK(shape_is(&r, 1, (int64_t[]){4}) && vals_eq(ctx, &r, 4, (double[]){3, 4, 5, 6}));
  lu_array_release(&r);
  /* a[mask] = 0 */
  g = I(0);
  OK(ctx, lu_mask_assign(ctx, &a, &m, &g));
  CHECK(vals_eq(ctx, &a, 6, (double[]){1, 2, 0, 0, 0, 0}));
  /* one value per selected element */
  {
    lu_array vals = mk(ctx, LU_INT64, 1, (int64_t[]){4}, (double[]){10, 20, 30, 40});
    g = A(&vals);
    OK(ctx, lu_mask_assign(ctx, &a, &m, &g));
    CHECK(vals_eq(ctx, &a, 6, (double[]){1, 2, 10, 20, 30, 40}));
    lu_array_release(&vals);
  }
  /* NumPy: the value must broadcast to the selected elements (4 here), so
  ** a row of 3 is an error and a leaves unchanged */
  {
    lu_array row = mk(ctx, LU_FLOAT64, 1, (int64_t[]){3}, (double[]){-1, -2, -3});
    g = A(&row);
    CHECK(lu_mask_assign(ctx, &a, &m, &g) == LU_ESHAPE);
    CHECK(strstr(ctx->errmsg, "cannot assign 3 input values to the 4 output values") != NULL);
    CHECK(vals_eq(ctx, &a, 6, (double[]){1, 2, 10, 20, 30, 40}));
    lu_array_release(&row);
  }
  bad = mk(ctx, LU_BOOL, 2, (int64_t[]){2, 4}, (double[]){1, 1, 1, 1, 1, 1, 1, 1});
  st = lu_mask_select(ctx, &r, &a, &bad);
  CHECK_MSG(ctx, st, LU_EINDEX, "index: boolean index did not match indexed array along axis 2; size of axis is 3 but size of corresponding boolean axis is 4");
  lu_array_release(&bad);
  lu_array_release(&m);
  lu_array_release(&a);
}

static void test_create(lu_ctx *ctx) {
  lu_array r;
  int st;
  OK(ctx, lu_arange(ctx, &r, 1, 2, 0.3, LU_FLOAT64, CPU));
  CHECK(vals_eq(ctx, &r, 4, (double[]){1, 1.3, 1.6, 1.9}));
  lu_array_release(&r);
  OK(ctx, lu_arange(ctx, &r, 5, 0, 1, LU_INT64, CPU));
  CHECK(shape_is(&r, 1, (int64_t[]){0}));
  lu_array_release(&r);
  st = lu_arange(ctx, &r, 0, 1, 0, LU_FLOAT64, CPU);
  CHECK(st == LU_EARG && r.buf == NULL);
  OK(ctx, lu_linspace(ctx, &r, 0, 1, 5, 1, LU_FLOAT64, CPU));
  CHECK(vals_eq(ctx, &r, 5, (double[]){0, 0.25, 0.5, 0.75, 1}));
  lu_array_release(&r);
  OK(ctx, lu_linspace(ctx, &r, 0, 1, 4, 0, LU_FLOAT64, CPU));
  CHECK(vals_eq(ctx, &r, 4, (double[]){0, 0.25, 0.5, 0.75}));
  lu_array_release(&r);
  OK(ctx, lu_linspace(ctx, &r, 3, 7, 1, 1, LU_FLOAT64, CPU));
  CHECK(vals_eq(ctx, &r, 1, (double[]){3}));
  lu_array_release(&r);
  OK(ctx, lu_eye(ctx, &r, 3, 4, 1, LU_INT32, CPU));
  CHECK(vals_eq(ctx, &r, 12, (double[]){0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}));
  lu_array_release(&r);
  OK(ctx, lu_eye(ctx, &r, 3, 2, -1, LU_FLOAT32, CPU));
  CHECK(vals_eq(ctx, &r, 6, (double[]){0, 0, 1, 0, 0, 1}));
  lu_array_release(&r);
  {
    lu_scalar s = {'f', 0, 2.5};
    OK(ctx, lu_full(ctx, &r, LU_FLOAT32, 2, (int64_t[]){2, 2}, CPU, s));
    CHECK(r.dtype == LU_FLOAT32 && vals_eq(ctx, &r, 4, (double[]){2.5, 2.5, 2.5, 2.5}));
    lu_array_release(&r);
    s.kind = 'i'; s.i = 300;
    st = lu_full(ctx, &r, LU_UINT8, 1, (int64_t[]){2}, CPU, s);
    CHECK_MSG(ctx, st, LU_EARG, "full: Python integer 300 out of bounds for uint8");
    CHECK(r.buf == NULL);
  }
  {
    lu_array x, y;
    uint64_t off0;
    lu_random_seed(ctx, 42);
    OK(ctx, lu_random(ctx, &x, LU_RAND_UNIFORM, 1, (int64_t[]){5}, LU_FLOAT64, CPU));
    CHECK(ctx->rng.offset == 8);
    off0 = ctx->rng.offset;
    lu_random_seed(ctx, 42);
    OK(ctx, lu_random(ctx, &y, LU_RAND_UNIFORM, 1, (int64_t[]){5}, LU_FLOAT64, CPU));
    CHECK(ctx->rng.offset == off0);
    {
      double hx[5], hy[5];
      int i, same = 1, inside = 1;
      get(ctx, &x, hx); get(ctx, &y, hy);
      for (i = 0; i < 5; i++) { same &= hx[i] == hy[i]; inside &= hx[i] >= 0 && hx[i] < 1; }
      CHECK(same && inside);
    }
    lu_array_release(&x); lu_array_release(&y);
    st = lu_random(ctx, &x, LU_RAND_NORMAL, 1, (int64_t[]){5}, LU_INT32, CPU);
    CHECK_MSG(ctx, st, LU_ETYPE, "randn: dtype must be a float or complex type, got int32");
  }
  /* the per-element samplers: integers in range, independent of how the
  ** calls split the stream, and a real row's dtype rule */
  {
    lu_array x, y, z;
    lu_rngpos p1 = { 7, 0 }, p2 = { 7, 0 };
    lu_arg par[3];
    int64_t hx[9], hy[9];
    int i, inside = 1;
    memset(par, 0, sizeof par);
    OK(ctx, lu_random_sample(ctx, &x, "integers", LU_SMP_integers, 1, (int64_t[]){9}, LU_INT64, CPU,
                             par, -3, 7, &p1));
    CHECK(p1.offset == 12 && x.dtype == LU_INT64);
    /* elements 0..3, then 4..8: the values of one call of 9 */
    OK(ctx, lu_random_sample(ctx, &y, "integers", LU_SMP_integers, 1, (int64_t[]){4}, LU_INT64, CPU,
                             par, -3, 7, &p2));
    OK(ctx, lu_random_sample(ctx, &z, "integers", LU_SMP_integers, 1, (int64_t[]){5}, LU_INT64, CPU,
                             par, -3, 7, &p2));
    OK(ctx, lu_to_host(ctx, &x, hx));
    OK(ctx, lu_to_host(ctx, &y, hy));
    OK(ctx, lu_to_host(ctx, &z, hy + 4));
    for (i = 0; i < 9; i++) inside &= hx[i] >= -3 && hx[i] < 4;
    CHECK(inside);
    CHECK(memcmp(hx, hy, 9 * sizeof hx[0]) == 0 && p2.offset == 12);
    lu_array_release(&x); lu_array_release(&y); lu_array_release(&z);
    par[0].s.kind = 'f'; par[0].s.f = 2.0;
    st = lu_random_sample(ctx, &x, "gamma", LU_SMP_gamma, 1, (int64_t[]){3}, LU_INT32, CPU, par,
                          0, 0, &p1);
    CHECK_MSG(ctx, st, LU_ETYPE, "gamma: dtype must be float32 or float64, got int32");
    CHECK(x.buf == NULL && lu_sampler_find("poisson") == LU_SMP_poisson && lu_sampler_is_int(LU_SMP_poisson));
    CHECK(lu_sampler_nparams(LU_SMP_hypergeometric) == 3 && lu_sampler_find("nope") < 0);
  }
  /* to_host of a strided view, to_device to the same kind of device */
  {
    lu_array a, t, c;
    double h[6];
    a = mk(ctx, LU_FLOAT64, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 4, 5, 6});
    OK(ctx, lu_transpose(ctx, &t, &a, NULL));
    OK(ctx, lu_to_device(ctx, &c, &t, CPU));
    CHECK(shape_is(&c, 2, (int64_t[]){3, 2}) && lu_array_is_contig(&c));
    OK(ctx, get(ctx, &c, h));
    CHECK(h[0] == 1 && h[1] == 4 && h[2] == 2 && h[5] == 6);
    lu_array_release(&c); lu_array_release(&t); lu_array_release(&a);
  }
}

static void test_devices_memory(lu_ctx *ctx) {
  lu_device d;
  char buf[16];
  int st, n = lu_device_count(ctx, LU_DEV_CUDA);
  OK(ctx, lu_device_parse(ctx, "cpu", &d));
  CHECK(d.type == LU_DEV_CPU && strcmp(lu_device_str(d, buf), "cpu") == 0);
  st = lu_device_parse(ctx, "xpu", &d);
  CHECK_MSG(ctx, st, LU_EDEVICE, "unknown device 'xpu' (expected cpu, cuda or cuda:N)");
  st = lu_device_parse(ctx, "cuda:x", &d);
  CHECK(st == LU_EDEVICE);
  if (n < 4) {
    char want[128];
    snprintf(want, sizeof(want), "device cuda:3 is not available (%d CUDA device%s found)",
             n, n == 1 ? "" : "s");
    st = lu_device_parse(ctx, "cuda:3", &d);
    CHECK_MSG(ctx, st, LU_EDEVICE, want);
  }
  d.type = LU_DEV_CUDA; d.index = 2;
  CHECK(strcmp(lu_device_str(d, buf), "cuda:2") == 0);

  /* GC accounting: crossing the threshold runs a full collection */
  {
    lu_array a;
    size_t before = ctx->live_bytes;
    ctx->gc_hook = gc_hook;
    ctx->gc_threshold = before + 1000;
    gc_calls = 0;
    OK(ctx, lu_empty(ctx, &a, LU_FLOAT64, 1, (int64_t[]){100}, CPU));
    CHECK(ctx->live_bytes == before + 800 && gc_calls == 0);
    lu_array_release(&a);
    CHECK(ctx->live_bytes == before);
    OK(ctx, lu_empty(ctx, &a, LU_FLOAT64, 1, (int64_t[]){200}, CPU));
    CHECK(gc_calls == 1 && ctx->gc_threshold == ((size_t)256 << 20));
    lu_array_release(&a);
    /* a failing allocation: one collection, a retry, then the message */
    fail_big_allocs = 1;
    gc_calls = 0;
    st = lu_empty(ctx, &a, LU_FLOAT64, 1, (int64_t[]){1000000}, CPU);
    CHECK(st == LU_EMEM && gc_calls == 1 && a.buf == NULL);
    CHECK(strncmp(ctx->errmsg, "out of memory: requested 8000000 bytes on cpu (free ", 51) == 0);
    fail_big_allocs = 0;
    /* zero-byte buffers */
    OK(ctx, lu_empty(ctx, &a, LU_INT16, 2, (int64_t[]){0, 5}, CPU));
    CHECK(a.size == 0 && a.buf != NULL);
    lu_array_release(&a);
  }
}

/* A backend may leave a family, or one entry of it, NULL; a backend written
** for interface version 1 has no families at all. Each case is a clear
** error naming the op and the device, and the context stays usable. */
static void test_missing_family(lu_ctx *ctx) {
  lu_array a, m, r;
  lu_backend saved = spy;
  lu_index_family no_select = *lu_cpu_backend.index;
  a = mk(ctx, LU_FLOAT64, 1, (int64_t[]){3}, (double[]){1, 2, 3});
  OK(ctx, ew2(ctx, LU_OP_greater, A(&a), I(1), &m));
  spy.index = NULL;
  CHECK(lu_mask_select(ctx, &r, &a, &m) == LU_EDEVICE && r.buf == NULL);
  CHECK(strcmp(ctx->errmsg, "index: not available on cpu") == 0);
  no_select.mask_select = NULL;
  spy.index = &no_select;
  CHECK(lu_mask_select(ctx, &r, &a, &m) == LU_EDEVICE);
  CHECK(strcmp(ctx->errmsg, "index: not available on cpu") == 0);
  spy.version = 1;
  spy.index = lu_cpu_backend.index;
  CHECK(lu_reduce(ctx, &r, LU_RED_sum, &a, LU_ALLAXES, 0, 0) == LU_EDEVICE);
  CHECK(strcmp(ctx->errmsg, "sum: not available on cpu") == 0);
  spy = saved;
  OK(ctx, lu_mask_select(ctx, &r, &a, &m));
  CHECK(vals_eq(ctx, &r, 2, (double[]){2, 3}));
  lu_array_release(&r);
  lu_array_release(&m);
  lu_array_release(&a);
}

/* copy2d_batch, appended in interface version 3: the core batches a
** concatenate's pieces through it, and never reads it from a backend
** written for version 2. */
static int batch_calls, batch_pieces;
static int spy_copy_batch(lu_ctx *ctx, int dev, int n, const lu_copy_rows *p) {
  int k;
  size_t r;
  (void)ctx; (void)dev;
  batch_calls++;
  for (k = 0; k < n; k++, batch_pieces++)
    for (r = 0; r < p[k].height; r++)
      memcpy((char *)p[k].dst + r * p[k].dpitch, (const char *)p[k].src + r * p[k].spitch,
             p[k].width);
  return LU_OK;
}

static void test_copy_batch(lu_ctx *ctx) {
  lu_array a, b, r;
  const lu_array *parts[3];
  lu_backend saved = spy;
  lu_device_services saved_services = spy_services;
  a = mk(ctx, LU_FLOAT64, 1, (int64_t[]){3}, (double[]){1, 2, 3});
  b = mk(ctx, LU_FLOAT64, 1, (int64_t[]){2}, (double[]){4, 5});
  parts[0] = &a; parts[1] = &b; parts[2] = &a;
  spy_services.copy2d_batch = spy_copy_batch;
  r.buf = NULL;
  OK(ctx, lu_concatenate(ctx, &r, NULL, 3, parts, 0, -1, LU_CAST_SAME_KIND));
  CHECK(batch_calls == 1 && batch_pieces == 3);
  CHECK(vals_eq(ctx, &r, 8, (double[]){1, 2, 3, 4, 5, 1, 2, 3}));
  lu_array_release(&r);
  spy.version = 2;           /* the entry is past this backend's version */
  r.buf = NULL;
  OK(ctx, lu_concatenate(ctx, &r, NULL, 2, parts, 0, -1, LU_CAST_SAME_KIND));
  CHECK(batch_calls == 1);
  CHECK(vals_eq(ctx, &r, 5, (double[]){1, 2, 3, 4, 5}));
  lu_array_release(&r);
  spy = saved;
  spy_services = saved_services;
  lu_array_release(&b);
  lu_array_release(&a);
}

int main(void) {
  lu_ctx *ctx = lu_ctx_new();
  int refs;
  if (ctx == NULL) { printf("FAIL: lu_ctx_new\n"); return 1; }
  /* run everything on the CPU, through a spy around the CPU backend */
  ctx->default_dev = CPU;
  spy = lu_cpu_backend;
  spy_services = *lu_cpu_backend.dev;
  spy_services.alloc = spy_alloc;
  spy.dev = &spy_services;
  spy_ewise_fam = *lu_cpu_backend.ewise;
  spy_ewise_fam.ewise = spy_ewise;
  spy.ewise = &spy_ewise_fam;
  ctx->backends[LU_DEV_CPU] = &spy;
  refs = ctx->refcount;

  test_dtypes();
  test_half_conversions();
  test_result_dtypes(ctx);
  test_broadcast(ctx);
  test_dispatch_layout(ctx);
  test_views(ctx);
  test_assign(ctx);
  test_reduce(ctx);
  test_matmul(ctx);
  test_masks(ctx);
  test_create(ctx);
  test_devices_memory(ctx);
  test_missing_family(ctx);
  test_copy_batch(ctx);

  /* every buffer was released: only the test's own reference is left */
  CHECK(ctx->refcount == refs && ctx->live_bytes == 0);
  lu_ctx_unref(ctx);
  printf("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
