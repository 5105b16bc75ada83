/* SPDX-License-Identifier: MIT */
/*
** The CPU FFT engine (src/backend/cpu/cpu_fft_plan.c) and the CPU fft
** family, against a direct DFT summed in long double here: every length
** from 1 to 64, primes (Bluestein's), powers of 2, 3 and 5, mixed
** factors; complex, real-to-complex and complex-to-real; strided and
** batched calls of the family, blocked lines, scaling, the plan cache.
** Errors are measured as NumPy's tests do: the largest absolute error over
** the largest absolute value.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lu_api.h"
#include "lu_ctx.h"
#include "../../src/backend/cpu/cpu_internal.h"
#include "../../src/backend/cpu/cpu_fft.h"

static int failures = 0, checks = 0;
static lu_ctx ctx;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
  printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static const long double PI_L = 3.141592653589793238462643383279502884L;

/* X[k] = sum_j x[j] exp(sign 2 pi i jk/n), in long double, the roots
** from sinl and cosl of each angle */
static void dft(int64_t n, const lu_cx *x, lu_cx *X, int sign) {
  long double *c = malloc((size_t)n * sizeof *c), *s = malloc((size_t)n * sizeof *s);
  for (int64_t k = 0; k < n; k++) {
    long double a = sign * 2.0L * PI_L * (long double)k / (long double)n;
    c[k] = cosl(a);
    s[k] = sinl(a);
  }
  for (int64_t k = 0; k < n; k++) {
    long double sr = 0, si = 0;
    int64_t jk = 0;
    for (int64_t j = 0; j < n; j++) {
      sr += x[j].re * c[jk] - x[j].im * s[jk];
      si += x[j].re * s[jk] + x[j].im * c[jk];
      jk += k;
      if (jk >= n) jk -= n;
    }
    X[k].re = (double)sr;
    X[k].im = (double)si;
  }
  free(c);
  free(s);
}

/* max |got - want| / max |want| over n values */
static double rel_err(int64_t n, const lu_cx *got, const lu_cx *want) {
  double e = 0, v = 0;
  for (int64_t k = 0; k < n; k++) {
    double d = hypot(got[k].re - want[k].re, got[k].im - want[k].im), m = hypot(want[k].re, want[k].im);
    if (d > e || d != d) e = d;
    if (m > v) v = m;
  }
  return v > 0 ? e / v : e;
}

static uint64_t rng = 88172645463325252ull;
static double urand(void) {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0 - 0.5;
}

/* {===== the engine */
static void engine(int64_t n) {
  lu_fftc *pc = lu_fftc_new(n);
  lu_fftr *pr = lu_fftr_new(n);
  lu_cx *x = calloc((size_t)n, sizeof *x), *X = calloc((size_t)n, sizeof *X), *r;
  lu_cx *ws, *rws;
  double e;
  CHECK(pc != NULL && pr != NULL, "n=%lld: no plan", (long long)n);
  if (pc == NULL || pr == NULL) return;
  ws = malloc((size_t)lu_fftc_ws(pc) * sizeof *ws);
  rws = malloc((size_t)lu_fftr_ws(pr) * sizeof *rws);
  for (int64_t i = 0; i < n; i++) { x[i].re = urand(); x[i].im = urand(); ws[i] = x[i]; }
  dft(n, x, X, -1);
  r = lu_fftc_exec(pc, ws);
  e = rel_err(n, r, X);
  CHECK(e < 2e-15, "c2c n=%lld: error %.3g", (long long)n, e);
  /* real input: the first n/2 + 1 values of the complex transform */
  for (int64_t i = 0; i < n; i++) {
    x[i].im = 0;
    if (lu_fftr_packed(pr)) ((double *)rws)[i] = x[i].re;
    else rws[i] = x[i];
  }
  dft(n, x, X, -1);
  r = lu_fftr_r2c(pr, rws);
  e = rel_err(n / 2 + 1, r, X);
  CHECK(e < 2e-15, "r2c n=%lld: error %.3g", (long long)n, e);
  /* and back: junk in the imaginary parts the transform must ignore */
  for (int64_t k = 0; k <= n / 2; k++) rws[k] = X[k];
  rws[0].im = 7.5;
  if (n % 2 == 0) rws[n / 2].im = -3.25;
  r = lu_fftr_c2r(pr, rws);
  {
    double em = 0, vm = 0;
    for (int64_t i = 0; i < n; i++) {
      double v = lu_fftr_packed(pr) ? ((const double *)r)[i] : r[i].re;
      double d = fabs(v - n * x[i].re);
      if (d > em || d != d) em = d;
      if (fabs(n * x[i].re) > vm) vm = fabs(n * x[i].re);
    }
    CHECK(em / vm < 2e-15, "c2r n=%lld: error %.3g", (long long)n, em / vm);
  }
  lu_fftc_free(pc);
  lu_fftr_free(pr);
  free(x); free(X); free(ws); free(rws);
}

static void roots(void) {
  static const int64_t ns[] = { 1, 2, 3, 8, 12, 1000, 1009, 65536 };
  for (unsigned t = 0; t < sizeof ns / sizeof *ns; t++)
    for (int64_t k = 0; k < ns[t]; k += ns[t] / 7 + 1) {
      lu_cx w = lu_fft_root(k, ns[t]);
      long double a = -2.0L * PI_L * (long double)k / (long double)ns[t];
      double e = hypot(w.re - (double)cosl(a), w.im - (double)sinl(a));
      CHECK(e <= 2.3e-16, "root(%lld, %lld): error %.3g", (long long)k, (long long)ns[t], e);
    }
}
/* }===== */

/* {===== the family: float64 <-> complex through R2C/C2R, strided */
/* complex128, found by its kind and size (-1 in a build without it) */
static lu_dtype c128(void) {
  for (int d = 0; d < LU_NDTYPES; d++)
    if (lu_cpu_dkind[d] == 'c' && lu_cpu_dsize[d] == 16) return (lu_dtype)d;
  return (lu_dtype)-1;
}

/* a (rows x cols) float64 array with row stride rs and column stride cs
** (elements); rfft along axis `ax` with n (at most the axis' length: the
** core pads, not the backend); compared with the DFT */
static void family_r2c(int64_t rows, int64_t cols, int ax, int64_t n, double scale) {
  int64_t rs = cols, cs = 1, len = ax == 0 ? rows : cols, other = ax == 0 ? cols : rows;
  int64_t h = n / 2 + 1;
  double *in = malloc((size_t)(rows * cols) * sizeof(double));
  double *out = calloc((size_t)(other * h * 2), sizeof(double));
  lu_cx *x = calloc((size_t)n, sizeof *x), *X = malloc((size_t)n * sizeof *X);
  lu_fft_call c;
  double worst = 0;
  int st;
  for (int64_t i = 0; i < rows * cols; i++) in[i] = urand();
  memset(&c, 0, sizeof c);
  c.kind = LU_FFT_R2C; c.forward = 1; c.in_dt = LU_FLOAT64;
  c.rank = 1; c.n[0] = n; c.scale = scale;
  c.is[0] = ax == 0 ? rs : cs;
  c.nbatch = 1; c.bn[0] = other; c.ibs[0] = ax == 0 ? cs : rs;
  /* the output: (other x h) complex, as interleaved doubles of a float64 "complex" */
  c.in = in; c.out = out; c.out_size = other * h;
  c.os[0] = 1; c.obs[0] = h;
  c.out_dt = c128();
  if ((int)c.out_dt < 0) { free(in); free(out); free(x); free(X); return; }
  (void)len;
  st = lu_cpu_fft(&ctx, &c);
  CHECK(st == LU_OK, "r2c family: %s", ctx.errmsg);
  for (int64_t b = 0; b < other; b++) {
    for (int64_t i = 0; i < n; i++) {
      x[i].re = i < len ? in[ax == 0 ? i * rs + b * cs : b * rs + i * cs] : 0;
      x[i].im = 0;
    }
    dft(n, x, X, -1);
    for (int64_t k = 0; k < h; k++) { X[k].re *= scale; X[k].im *= scale; }
    {
      double e = rel_err(h, (const lu_cx *)(out + 2 * b * h), X);
      if (e > worst) worst = e;
    }
  }
  CHECK(worst < 2e-15, "r2c family %lldx%lld axis %d n %lld: error %.3g", (long long)rows,
        (long long)cols, ax, (long long)n, worst);
  free(in); free(out); free(x); free(X);
}

static void family_errors(void) {
  lu_fft_call c;
  memset(&c, 0, sizeof c);
  c.kind = LU_FFT_R2C; c.in_dt = LU_FLOAT64; c.out_dt = LU_FLOAT64;
  c.rank = 1; c.n[0] = 4; c.scale = 1;
  CHECK(lu_cpu_fft(&ctx, &c) == LU_ETYPE, "float64 output of R2C accepted");
  c.rank = 2;
  CHECK(lu_cpu_fft(&ctx, &c) == LU_EARG, "rank 2 accepted");
  CHECK(strstr(ctx.errmsg, "1") != NULL, "message: %s", ctx.errmsg);
}

static void cache(void) {
  const lu_fft_family *f = &lu_cpu_fft_family;
  lu_fft_cache_info info;
  lu_device cpu = { LU_DEV_CPU, 0 };
  f->cache_clear(&ctx, cpu);
  f->cache_info(&ctx, cpu, &info);
  CHECK(info.size == 0 && info.memsize == 0, "after clear: %lld plans, %lld bytes",
        (long long)info.size, (long long)info.memsize);
  CHECK(info.max_size == 16 && info.max_memsize == -1, "default limits %lld %lld",
        (long long)info.max_size, (long long)info.max_memsize);
  if ((int)c128() < 0) return;
  f->cache_limit(&ctx, cpu, 2, LU_FFT_KEEP);
  family_r2c(3, 16, 1, 10, 1.0);          /* lengths up to the axis: the core pads */
  family_r2c(3, 16, 1, 12, 1.0);
  family_r2c(3, 16, 1, 14, 1.0);
  f->cache_info(&ctx, cpu, &info);
  CHECK(info.size == 2 && info.max_size == 2 && info.memsize > 0, "%lld plans, %lld bytes",
        (long long)info.size, (long long)info.memsize);
  f->cache_limit(&ctx, cpu, LU_FFT_KEEP, 0);
  f->cache_info(&ctx, cpu, &info);
  CHECK(info.size == 0 && info.max_memsize == 0, "memsize 0 keeps %lld plans", (long long)info.size);
  family_r2c(3, 16, 1, 16, 0.5);          /* uncached plans still work */
  f->cache_limit(&ctx, cpu, 16, -1);
}
/* }===== */

int main(void) {
  static const int64_t big[] = { 97, 100, 101, 127, 128, 194, 210, 243, 256, 360, 509, 625,
                                 720, 997, 1000, 1001, 1009, 1024, 2310, 3125, 4096, 4099 };
  memset(&ctx, 0, sizeof ctx);
  roots();
  for (int64_t n = 1; n <= 64; n++) engine(n);
  for (unsigned t = 0; t < sizeof big / sizeof *big; t++) engine(big[t]);
  family_r2c(6, 9, 1, 9, 1.0);       /* along the rows: contiguous lines */
  family_r2c(6, 9, 0, 6, 1.0);       /* down the columns: blocked lines */
  family_r2c(40, 3, 0, 33, 0.25);    /* cropped, scaled */
  family_r2c(20, 203, 0, 8, 1.0);    /* cropped; 203 lines in blocks of 8 */
  family_r2c(2, 3000, 1, 3000, 1.0);
  family_errors();
  cache();
  printf("%d checks, %d failures\n", checks, failures);
  return failures != 0;
}
