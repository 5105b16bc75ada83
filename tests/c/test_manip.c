/* SPDX-License-Identifier: MIT */
/*
** Tests of the core's manipulation routines (manip.c, pad.c, dtinfo.c, the
** views of array.c) on the CPU backend, for the paths Lua rarely reaches:
** concatenate into an output that is also an input, the slow tile and
** repeat of arrays near LU_MAXDIM dimensions, the gather strategies of
** lu_take_axis, the casting table. Expected values are written by hand.
** Prints each failure; exits non-zero when any check failed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_api.h"
#include "lu_ctx.h"
#include "lu_internal.h"

static int failures, checks;

#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
  printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define OK(ctx, expr) do { int st_ = (expr); checks++; if (st_ != LU_OK) { failures++; \
  printf("FAIL %s:%d: %s -> %d: %s\n", __FILE__, __LINE__, #expr, st_, (ctx)->errmsg); } } while (0)
#define ERR(ctx, expr, text) do { int st_ = (expr); checks++; \
  if (st_ == LU_OK || strcmp((ctx)->errmsg, (text)) != 0) { failures++; \
    printf("FAIL %s:%d: %s -> %d '%s' (want '%s')\n", __FILE__, __LINE__, #expr, st_, \
           (ctx)->errmsg, (text)); } } while (0)

static lu_device CPU = {LU_DEV_CPU, 0};

/* 0, 1, 2, ... as int64 of the given shape */
static lu_array iota(lu_ctx *ctx, int ndim, const int64_t *shape) {
  lu_array a, r;
  int64_t n = 1;
  int i;
  for (i = 0; i < ndim; i++) n *= shape[i];
  a.buf = r.buf = NULL;
  if (lu_arange(ctx, &a, 0, (double)n, 1, LU_INT64, CPU) != LU_OK ||
      lu_reshape(ctx, &r, &a, ndim, shape) != LU_OK)
    printf("iota failed: %s\n", ctx->errmsg);
  lu_array_release(&a);
  return r;
}

/* the elements as int64, C order; returns a malloc'd buffer */
static int64_t *values(lu_ctx *ctx, const lu_array *a) {
  lu_array c;
  int64_t *h = malloc(sizeof(int64_t) * (size_t)(a->size ? a->size : 1));
  c.buf = NULL;
  if (lu_astype(ctx, &c, a, LU_INT64) != LU_OK || lu_to_host(ctx, &c, h) != LU_OK)
    printf("values failed: %s\n", ctx->errmsg);
  lu_array_release(&c);
  return h;
}

static int same(const int64_t *got, const int64_t *want, int64_t n) {
  int64_t i;
  for (i = 0; i < n; i++) if (got[i] != want[i]) return 0;
  return 1;
}

static void test_concatenate(lu_ctx *ctx) {
  int64_t s6 = 6, s3 = 3;
  lu_array a = iota(ctx, 1, &s6), out, part, p2;
  const lu_array *two[2];
  int64_t *v;
  /* out is a's own buffer: a[0:3] and a[3:6] written back swapped */
  part = a; part.shape[0] = 3; lu_array_update(&part);
  p2 = a; p2.offset += 3 * 8; p2.shape[0] = 3; lu_array_update(&p2);
  two[0] = &p2; two[1] = &part;
  out = a;
  OK(ctx, lu_concatenate(ctx, &out, NULL, 2, two, 0, -1, LU_CAST_SAME_KIND));
  v = values(ctx, &a);
  { int64_t want[] = {3, 4, 5, 0, 1, 2}; CHECK(same(v, want, 6)); }
  free(v);
  /* errors */
  out.buf = NULL;
  ERR(ctx, lu_concatenate(ctx, &out, NULL, 0, two, 0, -1, LU_CAST_SAME_KIND),
      "concatenate: need at least one array to concatenate");
  out = iota(ctx, 1, &s3);
  ERR(ctx, lu_concatenate(ctx, &out, NULL, 2, two, 0, -1, LU_CAST_SAME_KIND),
      "concatenate: output array is the wrong shape: (3,), expected (6,)");
  ERR(ctx, lu_concatenate(ctx, &out, NULL, 2, two, 0, LU_FLOAT32, LU_CAST_SAME_KIND),
      "concatenate: only takes `out` or `dtype` as an argument, but both were provided");
  lu_array_release(&out);
  out.buf = NULL;
  ERR(ctx, lu_stack(ctx, &out, NULL, 2, two, 2, -1, LU_CAST_SAME_KIND),
      "stack: axis 3 is out of bounds for array of dimension 2");
  lu_array_release(&a);
}

static void test_casting(lu_ctx *ctx) {
  (void)ctx;
  CHECK(lu_can_cast(LU_INT8, LU_INT16, LU_CAST_SAFE));
  CHECK(!lu_can_cast(LU_INT16, LU_INT8, LU_CAST_SAFE));
  CHECK(lu_can_cast(LU_INT16, LU_INT8, LU_CAST_SAME_KIND));
  CHECK(lu_can_cast(LU_UINT64, LU_INT8, LU_CAST_SAME_KIND));
  CHECK(!lu_can_cast(LU_INT8, LU_UINT64, LU_CAST_SAME_KIND));
  CHECK(!lu_can_cast(LU_FLOAT32, LU_INT64, LU_CAST_SAME_KIND));
  CHECK(lu_can_cast(LU_BOOL, LU_FLOAT32, LU_CAST_SAFE));
  CHECK(!lu_can_cast(LU_UINT64, LU_INT64, LU_CAST_SAFE));
  CHECK(lu_can_cast(LU_UINT32, LU_INT64, LU_CAST_SAFE));
  CHECK(!lu_can_cast(LU_INT32, LU_INT32 + 1, LU_CAST_EQUIV));
  CHECK(lu_casting_from_name("same_kind") == LU_CAST_SAME_KIND);
  CHECK(lu_casting_from_name("nope") == -1);
  CHECK(strcmp(lu_casting_name(LU_CAST_UNSAFE), "unsafe") == 0);
}

static void test_dtinfo(lu_ctx *ctx) {
  lu_finfo f;
  lu_iinfo i;
  lu_dtype rt, two[2] = {LU_INT8, LU_FLOAT32};
  char weak[1] = {'f'};
  lu_scalar s = {'i', 300, 0};
  OK(ctx, lu_finfo_of(ctx, LU_FLOAT32, &f));
  CHECK(f.eps == 1.1920928955078125e-07 && f.max == 3.4028234663852886e+38);
  CHECK(f.resolution == (double)1e-6f && f.precision == 6 && f.minexp == -126);
  CHECK(lu_finfo_of(ctx, LU_INT32, &f) == LU_ETYPE);
  OK(ctx, lu_iinfo_of(ctx, LU_INT16, &i));
  CHECK(i.min == -32768 && i.max == 32767 && i.bits == 16);
  OK(ctx, lu_iinfo_of(ctx, LU_UINT64, &i));
  CHECK(i.max == UINT64_MAX);
  OK(ctx, lu_result_type(ctx, 1, two, 1, weak, &rt));   /* int8 with a Lua float */
  CHECK(rt == LU_FLOAT64);
  OK(ctx, lu_result_type(ctx, 1, two, 0, weak, &rt));
  CHECK(rt == LU_INT8);
  OK(ctx, lu_result_type(ctx, 0, two, 1, weak, &rt));
  CHECK(rt == LU_FLOAT64);
  OK(ctx, lu_common_type(ctx, 2, two, &rt));
  CHECK(rt == LU_FLOAT64);
  lu_min_scalar_type(s, &rt);
  CHECK(rt == LU_UINT16);
}

/* tile and repeat of arrays whose broadcast view would pass LU_MAXDIM */
static void test_many_dims(lu_ctx *ctx) {
  int64_t shape[LU_MAXDIM], reps[LU_MAXDIM], rep1 = 2;
  lu_array a, t;
  int64_t *v, want[2048];
  int i, k;
  for (i = 0; i < 10; i++) { shape[i] = i == 9 ? 2 : 1; reps[i] = 2; }
  a = iota(ctx, 10, shape);   /* 1 x ... x 1 x 2: {0, 1} */
  t.buf = NULL;
  OK(ctx, lu_tile(ctx, &t, &a, 10, reps));   /* 20 axes in the view: the slow path */
  CHECK(t.ndim == 10 && t.size == 2048 && t.shape[9] == 4);
  v = values(ctx, &t);
  for (k = 0; k < 2048; k++) want[k] = k % 2;
  CHECK(same(v, want, 2048));
  free(v);
  lu_array_release(&t);
  lu_array_release(&a);
  for (i = 0; i < LU_MAXDIM; i++) shape[i] = i == 0 ? 3 : 1;
  a = iota(ctx, LU_MAXDIM, shape);
  OK(ctx, lu_repeat(ctx, &t, &a, 0, 1, &rep1));   /* no room for the spread axis */
  CHECK(t.shape[0] == 6);
  v = values(ctx, &t);
  { int64_t w[] = {0, 0, 1, 1, 2, 2}; CHECK(same(v, w, 6)); }
  free(v);
  lu_array_release(&t);
  lu_array_release(&a);
}

/* lu_take_axis: runs, the boolean selection, and the bounded broadcast */
static void test_take_axis(lu_ctx *ctx) {
  int64_t n = 100, shape[2] = {2, 100}, idx[400], m = 0, k, *v;
  lu_array a = iota(ctx, 2, shape), out;
  for (k = 0; k < n; k += 2) idx[m++] = k;               /* 50 runs, increasing */
  out.buf = NULL;
  OK(ctx, lu_take_axis(ctx, &out, NULL, &a, 1, m, idx));
  CHECK(out.shape[0] == 2 && out.shape[1] == 50);
  v = values(ctx, &out);
  CHECK(v[0] == 0 && v[1] == 2 && v[49] == 98 && v[50] == 100 && v[99] == 198);
  free(v);
  lu_array_release(&out);
  m = 0;
  for (k = 0; k < n; k++) { idx[m++] = k; if (k % 3 == 0) idx[m++] = k; }   /* repeats */
  OK(ctx, lu_take_axis(ctx, &out, NULL, &a, 1, m, idx));
  v = values(ctx, &out);
  CHECK(out.shape[1] == m && v[0] == 0 && v[1] == 0 && v[2] == 1 && v[m] == 100 && v[m + 1] == 100);
  free(v);
  lu_array_release(&out);
  m = 0;
  for (k = n - 1; k >= 0; k -= 2) idx[m++] = k;          /* decreasing: runs of one */
  OK(ctx, lu_take_axis(ctx, &out, NULL, &a, 1, m, idx));
  v = values(ctx, &out);
  CHECK(v[0] == 99 && v[1] == 97 && v[50] == 199);
  free(v);
  lu_array_release(&out);
  idx[0] = 100;
  ERR(ctx, lu_take_axis(ctx, &out, NULL, &a, 1, 1, idx),
      "take: index 101 is out of bounds for axis 2 with size 100");
  lu_array_release(&a);
}

static void test_insert_delete(lu_ctx *ctx) {
  int64_t n = 80, pos[40], k, *v, s0 = 0;
  uint8_t del[80];
  lu_array a = iota(ctx, 1, &n), z, out;
  lu_scalar zero = {'i', 0, 0};
  z.buf = out.buf = NULL;
  OK(ctx, lu_full(ctx, &z, LU_INT64, 0, &s0, CPU, zero));
  for (k = 0; k < 40; k++) pos[k] = 2 * k;               /* many sorted places: masks */
  OK(ctx, lu_insert(ctx, &out, &a, 0, 40, pos, 0, &z));
  v = values(ctx, &out);
  CHECK(out.shape[0] == 120 && v[0] == 0 && v[1] == 0 && v[2] == 1 && v[3] == 0 && v[4] == 2);
  free(v);
  lu_array_release(&out);
  for (k = 0; k < 80; k++) del[k] = k % 2;               /* many runs: the selection */
  OK(ctx, lu_delete(ctx, &out, &a, 0, del));
  v = values(ctx, &out);
  CHECK(out.shape[0] == 40 && v[0] == 0 && v[1] == 2 && v[39] == 78);
  free(v);
  lu_array_release(&out);
  lu_array_release(&a);
  lu_array_release(&z);
}

static void test_pad_flip(lu_ctx *ctx) {
  int64_t n = 3, *v;
  lu_array a = iota(ctx, 1, &n), out, f;
  lu_pad_spec sp;
  memset(&sp, 0, sizeof sp);
  sp.mode = LU_PAD_WRAP;
  sp.width[0][0] = 7;
  sp.width[0][1] = 1;
  out.buf = f.buf = NULL;
  OK(ctx, lu_pad(ctx, &out, &a, &sp));
  v = values(ctx, &out);
  /* NumPy 2's answer (periodic); NumPy 1.24 gave 0 1 2 0 0 1 2 0 1 2 0 */
  { int64_t w[] = {2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}; CHECK(out.size == 11 && same(v, w, 11)); }
  free(v);
  lu_array_release(&out);
  sp.width[0][0] = -1;
  ERR(ctx, lu_pad(ctx, &out, &a, &sp), "pad: index can't contain negative values");
  OK(ctx, lu_flip(ctx, &f, &a, 1u));
  CHECK(f.strides[0] == -8 && f.offset == 16 && f.buf == a.buf);
  v = values(ctx, &f);
  { int64_t w[] = {2, 1, 0}; CHECK(same(v, w, 3)); }
  free(v);
  lu_array_release(&f);
  lu_array_release(&a);
}

/* row copies (the backend's copy2d) with pitches: concatenate of wide
** rows along the last axis, from a transposed-back and a reversed input */
static void test_row_copies(lu_ctx *ctx) {
  int64_t sa[2] = {4, 200}, sb[2] = {4, 300}, *v, r, c;
  lu_array a = iota(ctx, 2, sa), b = iota(ctx, 2, sb), rb, out;
  const lu_array *two[2];
  int ok = 1;
  rb.buf = out.buf = NULL;
  OK(ctx, lu_flip(ctx, &rb, &b, 1u));       /* rows reversed: a negative pitch */
  two[0] = &a; two[1] = &rb;
  OK(ctx, lu_concatenate(ctx, &out, NULL, 2, two, 1, -1, LU_CAST_SAME_KIND));
  CHECK(out.shape[0] == 4 && out.shape[1] == 500);
  v = values(ctx, &out);
  for (r = 0; r < 4; r++)
    for (c = 0; c < 500; c++)
      if (v[r * 500 + c] != (c < 200 ? r * 200 + c : (3 - r) * 300 + (c - 200))) ok = 0;
  CHECK(ok);
  free(v);
  /* a slice of out copied onto another slice of itself (disjoint) */
  {
    lu_array d = lu_subview(&out, 1, 0, 250), s2 = lu_subview(&out, 1, 250, 500);
    OK(ctx, lu_put(ctx, "test", &d, &s2));
    v = values(ctx, &out);
    CHECK(v[0] == 3 * 300 + 50 && v[249] == 3 * 300 + 299 && v[500] == 2 * 300 + 50);
    free(v);
  }
  lu_array_release(&out);
  lu_array_release(&rb);
  lu_array_release(&a);
  lu_array_release(&b);
}

int main(void) {
  lu_ctx *ctx = lu_ctx_new();
  if (ctx == NULL) { printf("no context\n"); return 1; }
  test_concatenate(ctx);
  test_casting(ctx);
  test_dtinfo(ctx);
  test_many_dims(ctx);
  test_take_axis(ctx);
  test_insert_delete(ctx);
  test_pad_flip(ctx);
  test_row_copies(ctx);
  lu_ctx_unref(ctx);
  printf("test_manip: %d checks, %d failures\n", checks, failures);
  return failures != 0;
}
