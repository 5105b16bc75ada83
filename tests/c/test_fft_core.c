/* SPDX-License-Identifier: MIT */
/*
** Tests of the fft family's core (src/core/fft.c) through the array API
** on the CPU: cropping and padding, norms, the default lengths of irfft and
** hfft, repeated axes, transforms of one point, the dtypes of NumPy 2,
** fftfreq, the plan cache entry points and the error texts. Expected
** values are written by hand. Prints each failure; exits non-zero when any
** check failed.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lu_api.h"
#include "lu_ctx.h"

static int failures, checks;

#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
  printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define OK(ctx, expr) do { int st_ = (expr); checks++; if (st_ != LU_OK) { failures++; \
  printf("FAIL %s:%d: %s -> %d: %s\n", __FILE__, __LINE__, #expr, st_, (ctx)->errmsg); } } while (0)
#define ERR(ctx, expr, text) do { int st_ = (expr); checks++; \
  if (st_ == LU_OK || strcmp((ctx)->errmsg, (text)) != 0) { failures++; \
    printf("FAIL %s:%d: %s -> %d '%s' (want '%s')\n", __FILE__, __LINE__, #expr, st_, \
           (ctx)->errmsg, (text)); } } while (0)

static const lu_device CPU = {LU_DEV_CPU, 0};

static lu_array vec(lu_ctx *ctx, lu_dtype dt, int ndim, const int64_t *shape, const void *h) {
  lu_array a;
  a.buf = NULL;
  if (lu_from_host(ctx, &a, dt, ndim, shape, CPU, h) != LU_OK) printf("vec: %s\n", ctx->errmsg);
  return a;
}

/* the elements of a (float64 or complex128) against want (n doubles) */
static int same(lu_ctx *ctx, const lu_array *a, const double *want, int n, double tol) {
  double h[64];
  int i;
  if (a->buf == NULL || n > 64) return 0;
  if (lu_to_host(ctx, a, h) != LU_OK) return 0;
  for (i = 0; i < n; i++)
    if (fabs(h[i] - want[i]) > tol) {
      printf("  element %d: got %.17g, want %.17g\n", i, h[i], want[i]);
      return 0;
    }
  return 1;
}

int main(void) {
  lu_ctx *ctx = lu_ctx_new();
  static const double x4[] = {1, 2, 3, 4};
  int64_t s4[1] = {4}, s22[2] = {2, 2}, s31[2] = {3, 1};
  lu_array a, r;
  int ax0 = 0, ax[2];
  int64_t n;
  if (ctx == NULL) return 1;
  a = vec(ctx, LU_FLOAT64, 1, s4, x4);

  /* fft, crop, pad, norms */
  r.buf = NULL;
  OK(ctx, lu_fft(ctx, &r, "fft", LU_FFT_FFT, &a, 1, &ax0, NULL, LU_NORM_BACKWARD));
  { static const double w[] = {10, 0, -2, 2, -2, 0, -2, -2}; CHECK(same(ctx, &r, w, 8, 1e-14)); }
  CHECK(r.dtype == LU_COMPLEX128);
  lu_array_release(&r);
  n = 2;
  OK(ctx, lu_fft(ctx, &r, "fft", LU_FFT_FFT, &a, 1, &ax0, &n, LU_NORM_BACKWARD));
  { static const double w[] = {3, 0, -1, 0}; CHECK(same(ctx, &r, w, 4, 1e-14)); }
  lu_array_release(&r);
  n = 8;   /* zero-padded: X[4] = 1 - 2 + 3 - 4 = -2 */
  OK(ctx, lu_fft(ctx, &r, "fft", LU_FFT_FFT, &a, 1, &ax0, &n, LU_NORM_BACKWARD));
  { double h[16]; if (r.buf && lu_to_host(ctx, &r, h) == LU_OK) CHECK(fabs(h[8] + 2) < 1e-14 && fabs(h[0] - 10) < 1e-14); }
  lu_array_release(&r);
  OK(ctx, lu_fft(ctx, &r, "fft", LU_FFT_FFT, &a, 1, &ax0, NULL, LU_NORM_ORTHO));
  { static const double w[] = {5, 0, -1, 1, -1, 0, -1, -1}; CHECK(same(ctx, &r, w, 8, 1e-14)); }
  lu_array_release(&r);
  OK(ctx, lu_fft(ctx, &r, "ifft", LU_FFT_IFFT, &a, 1, &ax0, NULL, LU_NORM_FORWARD));
  { static const double w[] = {10, 0, -2, -2, -2, 0, -2, 2}; CHECK(same(ctx, &r, w, 8, 1e-14)); }
  lu_array_release(&r);

  /* real transforms and their default lengths */
  OK(ctx, lu_fft(ctx, &r, "rfft", LU_FFT_RFFT, &a, 1, &ax0, NULL, LU_NORM_BACKWARD));
  { static const double w[] = {10, 0, -2, 2, -2, 0}; CHECK(same(ctx, &r, w, 6, 1e-14)); }
  lu_array_release(&r);
  OK(ctx, lu_fft(ctx, &r, "hfft", LU_FFT_HFFT, &a, 1, &ax0, NULL, LU_NORM_BACKWARD));
  CHECK(r.buf && r.shape[0] == 6 && r.dtype == LU_FLOAT64);
  { static const double w[] = {15, -4, 0, -1, 0, -4}; CHECK(same(ctx, &r, w, 6, 1e-14)); }
  lu_array_release(&r);
  OK(ctx, lu_fft(ctx, &r, "irfft", LU_FFT_IRFFT, &a, 1, &ax0, NULL, LU_NORM_BACKWARD));
  CHECK(r.buf && r.shape[0] == 6);
  lu_array_release(&r);
  ERR(ctx, lu_fft(ctx, &r, "fft.irfft", LU_FFT_IRFFT, &a, 1, &ax0, (n = 0, &n), LU_NORM_BACKWARD),
      "fft.irfft: invalid number of FFT data points (0) specified");

  /* a repeated axis: transformed twice, n times the input reversed (mod n) */
  {
    static const double m[] = {1, 2, 3, 4};
    lu_array b = vec(ctx, LU_FLOAT64, 2, s22, m);
    static const double w[] = {2, 0, 4, 0, 6, 0, 8, 0};
    ax[0] = ax[1] = 0;
    OK(ctx, lu_fft(ctx, &r, "fftn", LU_FFT_FFT, &b, 2, ax, NULL, LU_NORM_BACKWARD));
    CHECK(same(ctx, &r, w, 8, 1e-14));
    lu_array_release(&r);
    ax[0] = 0; ax[1] = 1;     /* fft2 of {{1, 2}, {3, 4}} */
    OK(ctx, lu_fft(ctx, &r, "fft2", LU_FFT_FFT, &b, 2, ax, NULL, LU_NORM_BACKWARD));
    { static const double w2[] = {10, 0, -2, 0, -4, 0, 0, 0}; CHECK(same(ctx, &r, w2, 8, 1e-14)); }
    lu_array_release(&r);
    lu_array_release(&b);
  }

  /* one point along the axis: the identity, in the result's dtype */
  {
    static const float v[] = {1.5f, -2, 3};
    lu_array b = vec(ctx, LU_FLOAT32, 2, s31, v);
    int ax1 = 1;
    OK(ctx, lu_fft(ctx, &r, "fft", LU_FFT_FFT, &b, 1, &ax1, NULL, LU_NORM_ORTHO));
    CHECK(r.buf && r.dtype == LU_COMPLEX64 && r.shape[0] == 3 && r.shape[1] == 1);
    lu_array_release(&r);
    OK(ctx, lu_fft(ctx, &r, "irfft", LU_FFT_IRFFT, &b, 1, &ax1, (n = 1, &n), LU_NORM_BACKWARD));
    CHECK(r.buf && r.dtype == LU_FLOAT32);
    lu_array_release(&r);
    lu_array_release(&b);
  }

  /* dtypes: float16 irfft stays float16 (NumPy 2); complex rfft is refused */
  {
    lu_array h16, c;
    h16.buf = c.buf = NULL;
    OK(ctx, lu_astype(ctx, &h16, &a, LU_FLOAT16));
    OK(ctx, lu_fft(ctx, &r, "irfft", LU_FFT_IRFFT, &h16, 1, &ax0, NULL, LU_NORM_BACKWARD));
    CHECK(r.buf && r.dtype == LU_FLOAT16);
    lu_array_release(&r);
    OK(ctx, lu_fft(ctx, &r, "fft", LU_FFT_FFT, &h16, 1, &ax0, NULL, LU_NORM_BACKWARD));
    CHECK(r.buf && r.dtype == LU_COMPLEX64);
    lu_array_release(&r);
    OK(ctx, lu_astype(ctx, &c, &a, LU_COMPLEX64));
    ERR(ctx, lu_fft(ctx, &r, "fft.rfft", LU_FFT_RFFT, &c, 1, &ax0, NULL, LU_NORM_BACKWARD),
        "fft.rfft: the input must be real, got complex64 (take .real, or use fft for complex input)");
    lu_array_release(&h16);
    lu_array_release(&c);
  }

  /* fftfreq, rfftfreq */
  OK(ctx, lu_fftfreq(ctx, &r, "fftfreq", 5, 0.5, 0, CPU));
  { static const double w[] = {0, 0.4, 0.8, -0.8, -0.4}; CHECK(same(ctx, &r, w, 5, 1e-15)); }
  lu_array_release(&r);
  OK(ctx, lu_fftfreq(ctx, &r, "rfftfreq", 5, 0.5, 1, CPU));
  { static const double w[] = {0, 0.4, 0.8}; CHECK(r.buf && r.shape[0] == 3 && same(ctx, &r, w, 3, 1e-15)); }
  lu_array_release(&r);

  /* the plan cache through the core */
  {
    lu_fft_cache_info info;
    OK(ctx, lu_fft_plans_clear(ctx, CPU));
    OK(ctx, lu_fft_plans_info(ctx, CPU, &info));
    CHECK(info.size == 0 && info.max_size == 16);
    OK(ctx, lu_fft(ctx, &r, "fft", LU_FFT_FFT, &a, 1, &ax0, NULL, LU_NORM_BACKWARD));
    lu_array_release(&r);
    OK(ctx, lu_fft_plans_info(ctx, CPU, &info));
    CHECK(info.size == 1 && info.memsize > 0);
    OK(ctx, lu_fft_plans_limit(ctx, CPU, 0, LU_FFT_KEEP));
    OK(ctx, lu_fft_plans_info(ctx, CPU, &info));
    CHECK(info.size == 0 && info.max_size == 0);
    OK(ctx, lu_fft_plans_limit(ctx, CPU, 16, LU_FFT_KEEP));
  }

  lu_array_release(&a);
  lu_ctx_unref(ctx);
  printf("%d checks, %d failures\n", checks, failures);
  return failures != 0;
}
