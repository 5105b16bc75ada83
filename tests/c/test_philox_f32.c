/* SPDX-License-Identifier: MIT */
/*
** The GPU's float32 Box-Muller maths (src/core/lu_philox.h,
** lu_philox_log_f32, _sincos_f32, _bm_f32), compiled here as plain C:
** every operation is an IEEE float operation (fmaf, products, sums,
** conversions) that the GPU rounds the same way, so these are the GPU's
** bits, but for sqrt (PTX's sqrt.approx there, sqrtf here). Against long
** double libm:
**   log u0 over all 2^24 values of u0, within 1.5 ulp;
**   sqrt(2) sin and sqrt(2) cos of the reduced turn over all 2^24 values
**   of u1, within 2 ulp (zero where the turn is a multiple of a quarter);
**   the pair over 2^22 random words, within 4 ulp of the normal (or of r
**   where the normal is below 2^-20 r, near a zero of sin or cos), and
**   within 6 ulp of the CPU's float32 normals (lu_philox_boxmuller_f32 in
**   double, what random_stream_spec compares the GPU with).
** Prints the largest errors; exits non-zero past a bound.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include "lu_philox.h"

static const long double PI_L = 3.141592653589793238462643383279502884L;

static double ulp_of(long double x) {   /* the float ulp at |x| */
  float f = fabsf((float)x);
  return (double)(nextafterf(f, INFINITY) - f);
}
static double err_ulp(float got, long double want) {
  return (double)fabsl((long double)got - want) / ulp_of(want);
}

static int check(const char *what, double worst, double bound) {
  int bad = !(worst <= bound);
  printf("%-44s max %.3f ulp (bound %.1f)%s\n", what, worst, bound, bad ? "  FAIL" : "");
  return bad;
}

int main(void) {
  double w_log = 0, w_s = 0, w_c = 0, w_z = 0, w_cpu = 0;
  int bad = 0;
  uint64_t st = 0x243f6a8885a308d3u;
  /* log u0, u0 = k 2^-24, k = (w0 >> 8) + 1 in [1, 2^24] */
  for (uint32_t k = 1; k <= (1u << 24); k++) {
    float l = lu_philox_log_f32((k - 1) << 8);
    long double want = logl((long double)k / 16777216.0L);
    if (k == (1u << 24)) { if (l != 0.0f) bad |= check("log 1", INFINITY, 0); continue; }
    double e = err_ulp(l, want);
    if (e > w_log) w_log = e;
  }
  bad |= check("log u0, all 2^24 u0", w_log, 1.5);
  /* sqrt(2) sin(pi t), sqrt(2) cos(pi t), t the reduced turn of j */
  for (uint32_t j = 0; j < (1u << 24); j++) {
    float s, c;
    uint32_t q = (j + 0x200000u) >> 22;
    long double t = (long double)(int32_t)(j - (q << 22)) / 8388608.0L;
    long double ws = sqrtl(2.0L) * sinl(PI_L * t), wc = sqrtl(2.0L) * cosl(PI_L * t);
    lu_philox_sincos_f32(j << 8, &s, &c);
    if (t == 0) { if (s != 0.0f) bad |= check("sin 0", INFINITY, 0); }
    else if (err_ulp(s, ws) > w_s) w_s = err_ulp(s, ws);
    if (err_ulp(c, wc) > w_c) w_c = err_ulp(c, wc);
  }
  bad |= check("sqrt(2) sin(pi t), all 2^24 u1", w_s, 2.0);
  bad |= check("sqrt(2) cos(pi t), all 2^24 u1", w_c, 2.0);
  /* the pair; the words of the quarter turns and of u0 = 1 first */
  for (uint32_t i = 0; i < (1u << 22); i++) {
    uint32_t w0, w1;
    float z[2], zc[2];
    long double u0, u1, r, want[2];
    st = st * 6364136223846793005u + 1442695040888963407u;
    w0 = (uint32_t)(st >> 32);
    w1 = (uint32_t)st;
    if (i < 64) { w1 = (i & 15u) << 28; w0 = i < 8 ? 0xffffffffu : i << 26; }
    lu_philox_bm_f32(w0, w1, &z[0], &z[1]);
    lu_philox_boxmuller_f32(w0, w1, &zc[0], &zc[1]);
    u0 = (long double)((w0 >> 8) + 1u) / 16777216.0L;
    u1 = (long double)(w1 >> 8) / 16777216.0L;
    r = sqrtl(-2.0L * logl(u0));
    want[0] = r * cosl(2.0L * PI_L * u1);
    want[1] = r * sinl(2.0L * PI_L * u1);
    for (int l = 0; l < 2; l++) {
      double e, ec;
      if (r == 0) { e = z[l] == 0 ? 0 : INFINITY; ec = zc[l] == 0 ? 0 : INFINITY; }
      else if (fabsl(want[l]) < r / 1048576.0L) {   /* near a zero of sin or cos: r's ulp */
        e = (double)fabsl(z[l] - want[l]) / ulp_of(r);
        ec = fabs((double)z[l] - (double)zc[l]) / ulp_of(r);
      } else {
        e = err_ulp(z[l], want[l]);
        ec = fabs((double)z[l] - (double)zc[l]) / ulp_of(want[l]);
      }
      if (e > w_z) w_z = e;
      if (ec > w_cpu) w_cpu = ec;
    }
  }
  bad |= check("normals (sqrtf for sqrt.approx), 2^22 pairs", w_z, 4.0);
  bad |= check("normals against the CPU's, 2^22 pairs", w_cpu, 6.0);
  return bad;
}
