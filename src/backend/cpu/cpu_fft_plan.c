/* SPDX-License-Identifier: MIT */
/*
** The CPU FFT engine (see cpu_fft.h): mixed-radix Stockham passes of
** radix 4, 2, 3, 5 and any odd prime up to GEN_MAX, Bluestein's algorithm
** for lengths whose prime factors make the passes slow (so every length
** costs O(n log n)), and real transforms through a complex transform of
** half the length.
**
** Why our own: Debian has no FFT library for double precision under a
** licence that fits MIT (FFTW is GPL, kissfft is packaged float-only,
** pocketfft is not packaged); doc/design-notes.md has the survey.
**
** A Stockham pass of radix p reads x and writes y (so no bit reversal is
** ever needed), with n = s * p * m:
**   y[j + s (p q + k)] = w_n^(q k s) * sum_r x[j + s (q + m r)] w_p^(r k)
** for j < s, q < m, k < p. The first pass has s = 1, the last m = 1; the
** result alternates between the two halves of the work buffer.
**
** Accuracy: every root of unity comes from sin and cos of an angle
** reduced to the first octant in long double (lu_fft_root), and a plan's
** many twiddles from the product of two such roots (a two-level table),
** never from a recurrence; float64 results agree with NumPy's pocketfft
** to about 1e-15 of the largest value.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cpu_fft.h"
#include "cpu_internal.h"
#include "lu_hostmem.h"

#define MAXPASS 64
#define GEN_MAX 97         /* larger prime factors: Bluestein */

typedef struct fpass {
  int64_t p, m, s;
  lu_cx *tw;               /* m * (p - 1): tw[q (p-1) + k - 1] = w_n^(q k s) */
  lu_cx *rw;               /* odd p > 5: the p roots w_p^r */
} fpass;

struct lu_fftc {
  int64_t n;
  int npass;
  fpass pass[MAXPASS];
  /* Bluestein: sub is a plan of length n2 >= 2n - 1 with small factors */
  lu_fftc *sub;
  int64_t n2;
  lu_cx *chirp;            /* n values w_2n^(k^2) = exp(-pi i k^2 / n) */
  lu_cx *kern;             /* n2 values: FFT of the conjugate chirp, / n2 */
  size_t bytes;
};

struct lu_fftr {
  int64_t n;
  int packed;              /* n even: z_j = x_2j + i x_2j+1, half-length FFT */
  lu_fftc *c;
  lu_cx *tw;               /* packed: n/2 values w_n^k */
  size_t bytes;
};

/* {====================================================== roots of unity */
/* The forward root w_n^k = cos(2 pi k/n) - i sin(2 pi k/n). The angle is
** taken to the first octant with integer arithmetic (k/n in quarter turns,
** then the nearer end of the quarter), so the argument of sin and cos is
** at most pi/4 and carries one rounding. */
lu_cx lu_fft_root(int64_t k, int64_t n) {
  static const long double HALF_PI = 1.5707963267948966192313216916397514L;
  unsigned __int128 k4;
  int64_t q, rem;
  double a, c, s;
  lu_cx r;
  k %= n;
  if (k < 0) k += n;
  k4 = (unsigned __int128)k * 4u;
  q = (int64_t)(k4 / (unsigned __int128)n);
  rem = (int64_t)(k4 - (unsigned __int128)q * (unsigned __int128)n);
  if (rem <= n - rem) {
    a = (double)(HALF_PI * (long double)rem / (long double)n);
    c = cos(a);
    s = sin(a);
  } else {
    a = (double)(HALF_PI * (long double)(n - rem) / (long double)n);
    c = sin(a);
    s = cos(a);
  }
  switch (q) {   /* rotate by q quarter turns */
  case 0: r.re = c; r.im = -s; break;
  case 1: r.re = -s; r.im = -c; break;
  case 2: r.re = -c; r.im = s; break;
  default: r.re = s; r.im = c; break;
  }
  return r;
}

/* All w_n^k, 0 <= k < n, as hi[k >> sh] * lo[k & mask]: 2 sqrt(n) calls
** of lu_fft_root and one complex product per root. */
typedef struct roots {
  int64_t n, mask;
  int sh;
  lu_cx *lo, *hi;
} roots;

static int roots_init(roots *t, int64_t n) {
  int64_t b = 1, nhi, i;
  int sh = 0;
  while (b * b < n) { b <<= 1; sh++; }
  nhi = (n + b - 1) / b;
  t->n = n; t->sh = sh; t->mask = b - 1;
  t->lo = lu_malloc((size_t)b * sizeof(lu_cx));
  t->hi = lu_malloc((size_t)nhi * sizeof(lu_cx));
  if (t->lo == NULL || t->hi == NULL) { free(t->lo); free(t->hi); return 0; }
  for (i = 0; i < b; i++) t->lo[i] = lu_fft_root(i, n);
  for (i = 0; i < nhi; i++) t->hi[i] = lu_fft_root(i * b, n);
  return 1;
}

static inline lu_cx roots_get(const roots *t, int64_t k) {
  lu_cx a = t->hi[k >> t->sh], b = t->lo[k & t->mask], r;
  r.re = a.re * b.re - a.im * b.im;
  r.im = a.re * b.im + a.im * b.re;
  return r;
}

static void roots_free(roots *t) { free(t->lo); free(t->hi); }
/* }====================================================== */

/* {====================================================== butterflies */
/* One pass each; x and y are the two halves of the work buffer. The
** twiddle of k = 0 is 1 and is skipped. */
#define CMUL_RE(ar, ai, w) ((ar) * (w).re - (ai) * (w).im)
#define CMUL_IM(ar, ai, w) ((ar) * (w).im + (ai) * (w).re)

CPU_CLONES static void pass2(int64_t m, int64_t s, const lu_cx *restrict x, lu_cx *restrict y,
                             const lu_cx *restrict tw) {
  for (int64_t q = 0; q < m; q++) {
    const lu_cx w1 = tw[q];
    const lu_cx *x0 = x + s * q, *x1 = x + s * (q + m);
    lu_cx *y0 = y + s * 2 * q, *y1 = y0 + s;
    for (int64_t j = 0; j < s; j++) {
      double ar = x0[j].re, ai = x0[j].im, br = x1[j].re, bi = x1[j].im;
      double dr = ar - br, di = ai - bi;
      y0[j].re = ar + br; y0[j].im = ai + bi;
      y1[j].re = CMUL_RE(dr, di, w1); y1[j].im = CMUL_IM(dr, di, w1);
    }
  }
}

/* w_3 = -1/2 - i sqrt(3)/2 */
CPU_CLONES static void pass3(int64_t m, int64_t s, const lu_cx *restrict x, lu_cx *restrict y,
                             const lu_cx *restrict tw) {
  const double h = 0.86602540378443864676;   /* sqrt(3)/2 */
  for (int64_t q = 0; q < m; q++) {
    const lu_cx w1 = tw[2 * q], w2 = tw[2 * q + 1];
    const lu_cx *x0 = x + s * q, *x1 = x + s * (q + m), *x2 = x + s * (q + 2 * m);
    lu_cx *y0 = y + s * 3 * q, *y1 = y0 + s, *y2 = y1 + s;
    for (int64_t j = 0; j < s; j++) {
      double tr = x1[j].re + x2[j].re, ti = x1[j].im + x2[j].im;
      double dr = x1[j].re - x2[j].re, di = x1[j].im - x2[j].im;
      double mr = x0[j].re - 0.5 * tr, mi = x0[j].im - 0.5 * ti;
      double nr = h * di, ni = -h * dr;        /* -i h (d) */
      double b1r = mr + nr, b1i = mi + ni, b2r = mr - nr, b2i = mi - ni;
      y0[j].re = x0[j].re + tr; y0[j].im = x0[j].im + ti;
      y1[j].re = CMUL_RE(b1r, b1i, w1); y1[j].im = CMUL_IM(b1r, b1i, w1);
      y2[j].re = CMUL_RE(b2r, b2i, w2); y2[j].im = CMUL_IM(b2r, b2i, w2);
    }
  }
}

/* w_4 = -i */
CPU_CLONES static void pass4(int64_t m, int64_t s, const lu_cx *restrict x, lu_cx *restrict y,
                             const lu_cx *restrict tw) {
  for (int64_t q = 0; q < m; q++) {
    const lu_cx w1 = tw[3 * q], w2 = tw[3 * q + 1], w3 = tw[3 * q + 2];
    const lu_cx *x0 = x + s * q, *x1 = x + s * (q + m), *x2 = x + s * (q + 2 * m),
                *x3 = x + s * (q + 3 * m);
    lu_cx *y0 = y + s * 4 * q, *y1 = y0 + s, *y2 = y1 + s, *y3 = y2 + s;
    for (int64_t j = 0; j < s; j++) {
      double t0r = x0[j].re + x2[j].re, t0i = x0[j].im + x2[j].im;
      double t1r = x0[j].re - x2[j].re, t1i = x0[j].im - x2[j].im;
      double t2r = x1[j].re + x3[j].re, t2i = x1[j].im + x3[j].im;
      double t3r = x1[j].re - x3[j].re, t3i = x1[j].im - x3[j].im;
      double b1r = t1r + t3i, b1i = t1i - t3r;     /* t1 - i t3 */
      double b2r = t0r - t2r, b2i = t0i - t2i;
      double b3r = t1r - t3i, b3i = t1i + t3r;     /* t1 + i t3 */
      y0[j].re = t0r + t2r; y0[j].im = t0i + t2i;
      y1[j].re = CMUL_RE(b1r, b1i, w1); y1[j].im = CMUL_IM(b1r, b1i, w1);
      y2[j].re = CMUL_RE(b2r, b2i, w2); y2[j].im = CMUL_IM(b2r, b2i, w2);
      y3[j].re = CMUL_RE(b3r, b3i, w3); y3[j].im = CMUL_IM(b3r, b3i, w3);
    }
  }
}

CPU_CLONES static void pass5(int64_t m, int64_t s, const lu_cx *restrict x, lu_cx *restrict y,
                             const lu_cx *restrict tw) {
  const double c1 = 0.30901699437494742410, c2 = -0.80901699437494742410;   /* cos 2pi/5, 4pi/5 */
  const double s1 = 0.95105651629515357212, s2 = 0.58778525229247312917;    /* sin 2pi/5, 4pi/5 */
  for (int64_t q = 0; q < m; q++) {
    const lu_cx w1 = tw[4 * q], w2 = tw[4 * q + 1], w3 = tw[4 * q + 2], w4 = tw[4 * q + 3];
    const lu_cx *x0 = x + s * q, *x1 = x + s * (q + m), *x2 = x + s * (q + 2 * m),
                *x3 = x + s * (q + 3 * m), *x4 = x + s * (q + 4 * m);
    lu_cx *y0 = y + s * 5 * q, *y1 = y0 + s, *y2 = y1 + s, *y3 = y2 + s, *y4 = y3 + s;
    for (int64_t j = 0; j < s; j++) {
      double ar = x0[j].re, ai = x0[j].im;
      double t1r = x1[j].re + x4[j].re, t1i = x1[j].im + x4[j].im;
      double t2r = x2[j].re + x3[j].re, t2i = x2[j].im + x3[j].im;
      double t3r = x1[j].re - x4[j].re, t3i = x1[j].im - x4[j].im;
      double t4r = x2[j].re - x3[j].re, t4i = x2[j].im - x3[j].im;
      double m1r = ar + c1 * t1r + c2 * t2r, m1i = ai + c1 * t1i + c2 * t2i;
      double m2r = ar + c2 * t1r + c1 * t2r, m2i = ai + c2 * t1i + c1 * t2i;
      double u1r = s1 * t3r + s2 * t4r, u1i = s1 * t3i + s2 * t4i;   /* n1 = -i u1 */
      double u2r = s2 * t3r - s1 * t4r, u2i = s2 * t3i - s1 * t4i;   /* n2 = -i u2 */
      double b1r = m1r + u1i, b1i = m1i - u1r, b4r = m1r - u1i, b4i = m1i + u1r;
      double b2r = m2r + u2i, b2i = m2i - u2r, b3r = m2r - u2i, b3i = m2i + u2r;
      y0[j].re = ar + t1r + t2r; y0[j].im = ai + t1i + t2i;
      y1[j].re = CMUL_RE(b1r, b1i, w1); y1[j].im = CMUL_IM(b1r, b1i, w1);
      y2[j].re = CMUL_RE(b2r, b2i, w2); y2[j].im = CMUL_IM(b2r, b2i, w2);
      y3[j].re = CMUL_RE(b3r, b3i, w3); y3[j].im = CMUL_IM(b3r, b3i, w3);
      y4[j].re = CMUL_RE(b4r, b4i, w4); y4[j].im = CMUL_IM(b4r, b4i, w4);
    }
  }
}

/* Any odd p: the inputs paired as a_r + a_(p-r) and a_r - a_(p-r), so that
** each pair of outputs b_k, b_(p-k) costs (p - 1) / 2 real-by-complex
** products per sum. rw[r] = w_p^r. */
static void passg(int64_t p, int64_t m, int64_t s, const lu_cx *restrict x, lu_cx *restrict y,
                  const lu_cx *restrict tw, const lu_cx *restrict rw) {
  int64_t h = (p - 1) / 2;
  lu_cx sum[GEN_MAX / 2 + 1], dif[GEN_MAX / 2 + 1];
  for (int64_t q = 0; q < m; q++) {
    const lu_cx *w = tw + q * (p - 1);
    for (int64_t j = 0; j < s; j++) {
      const lu_cx a0 = x[j + s * q];
      lu_cx *yq = y + j + s * p * q;
      double b0r = a0.re, b0i = a0.im;
      for (int64_t r = 1; r <= h; r++) {
        lu_cx u = x[j + s * (q + m * r)], v = x[j + s * (q + m * (p - r))];
        sum[r].re = u.re + v.re; sum[r].im = u.im + v.im;
        dif[r].re = u.re - v.re; dif[r].im = u.im - v.im;
        b0r += sum[r].re; b0i += sum[r].im;
      }
      yq[0].re = b0r; yq[0].im = b0i;
      for (int64_t k = 1; k <= h; k++) {
        double er = a0.re, ei = a0.im, fr = 0, fi = 0;
        int64_t idx = 0;
        for (int64_t r = 1; r <= h; r++) {
          idx += k;
          if (idx >= p) idx -= p;
          er += sum[r].re * rw[idx].re; ei += sum[r].im * rw[idx].re;
          fr += dif[r].re * rw[idx].im; fi += dif[r].im * rw[idx].im;
        }
        /* b_k = e + i f, b_(p-k) = e - i f */
        double bkr = er - fi, bki = ei + fr, bmr = er + fi, bmi = ei - fr;
        lu_cx wk = w[k - 1], wm = w[p - k - 1];
        yq[s * k].re = CMUL_RE(bkr, bki, wk); yq[s * k].im = CMUL_IM(bkr, bki, wk);
        yq[s * (p - k)].re = CMUL_RE(bmr, bmi, wm); yq[s * (p - k)].im = CMUL_IM(bmr, bmi, wm);
      }
    }
  }
}
/* }====================================================== */

/* {====================================================== complex plans */
/* Radix 4 first, one 2, then the odd primes in increasing order. */
static int factorize(int64_t n, int64_t *f) {
  int nf = 0;
  while (n % 4 == 0) { f[nf++] = 4; n /= 4; }
  if (n % 2 == 0) { f[nf++] = 2; n /= 2; }
  for (int64_t p = 3; p * p <= n; p += 2)
    while (n % p == 0) { f[nf++] = p; n /= p; }
  if (n > 1) f[nf++] = n;
  return nf;
}

/* Relative work per point of one pass (measured on x86-64, roughly). */
static double pass_cost(int64_t p) {
  switch (p) {
  case 2: return 1.0;
  case 3: return 1.7;
  case 4: return 1.8;
  case 5: return 2.6;
  default: return 0.6 * (double)p;
  }
}

static double direct_cost(int64_t n) {
  int64_t f[MAXPASS];
  int nf = factorize(n, f);
  double c = 0;
  for (int i = 0; i < nf; i++) c += pass_cost(f[i]);
  return c * (double)n;
}

/* The least 2^a 3^b 5^c >= n. */
static int64_t good_size(int64_t n) {
  int64_t best = 1;
  while (best < n) best <<= 1;
  for (int64_t f5 = 1; f5 < best; f5 *= 5)
    for (int64_t f35 = f5; f35 < best; f35 *= 3) {
      int64_t x = f35;
      while (x < n) x <<= 1;
      if (x < best) best = x;
    }
  return best;
}

/* Bluestein when a prime factor is beyond the generic pass, or when it
** costs clearly less than the passes would. */
static int want_bluestein(int64_t n, const int64_t *f, int nf) {
  int64_t big = 1;
  double direct = 0, blue;
  for (int i = 0; i < nf; i++) {
    if (f[i] > big) big = f[i];
    direct += pass_cost(f[i]);
  }
  if (big <= 5) return 0;
  if (big > GEN_MAX) return 1;
  direct *= (double)n;
  blue = 2 * direct_cost(good_size(2 * n - 1)) + 4.0 * (double)good_size(2 * n - 1);
  return direct > 1.5 * blue;
}

void lu_fftc_free(lu_fftc *p) {
  if (p == NULL) return;
  for (int i = 0; i < p->npass; i++) { free(p->pass[i].tw); free(p->pass[i].rw); }
  lu_fftc_free(p->sub);
  free(p->chirp);
  free(p->kern);
  free(p);
}

static lu_fftc *bluestein_new(lu_fftc *p) {
  int64_t n = p->n, n2 = good_size(2 * n - 1), k, k2 = 0;
  roots R;
  lu_cx *ws, *res;
  p->n2 = n2;
  p->sub = lu_fftc_new(n2);
  p->chirp = lu_malloc((size_t)n * sizeof(lu_cx));
  p->kern = lu_malloc((size_t)n2 * sizeof(lu_cx));
  if (p->sub == NULL || p->chirp == NULL || p->kern == NULL || !roots_init(&R, 2 * n)) {
    lu_fftc_free(p);
    return NULL;
  }
  /* k^2 mod 2n, exactly, by (k+1)^2 = k^2 + 2k + 1 */
  for (k = 0; k < n; k++) {
    p->chirp[k] = roots_get(&R, k2);
    k2 += 2 * k + 1;
    while (k2 >= 2 * n) k2 -= 2 * n;
  }
  roots_free(&R);
  ws = lu_calloc((size_t)lu_fftc_ws(p->sub), sizeof(lu_cx));
  if (ws == NULL) { lu_fftc_free(p); return NULL; }
  ws[0].re = p->chirp[0].re; ws[0].im = -p->chirp[0].im;
  for (k = 1; k < n; k++) {
    ws[k].re = ws[n2 - k].re = p->chirp[k].re;
    ws[k].im = ws[n2 - k].im = -p->chirp[k].im;
  }
  res = lu_fftc_exec(p->sub, ws);
  for (k = 0; k < n2; k++) {
    p->kern[k].re = res[k].re / (double)n2;
    p->kern[k].im = res[k].im / (double)n2;
  }
  free(ws);
  p->bytes = sizeof *p + ((size_t)n + (size_t)n2) * sizeof(lu_cx) + lu_fftc_bytes(p->sub);
  return p;
}

lu_fftc *lu_fftc_new(int64_t n) {
  int64_t f[MAXPASS], s = 1;
  int nf;
  roots R;
  lu_fftc *p = lu_calloc(1, sizeof *p);
  if (p == NULL || n < 1) { free(p); return NULL; }
  p->n = n;
  nf = factorize(n, f);
  if (want_bluestein(n, f, nf)) return bluestein_new(p);
  if (!roots_init(&R, n)) { free(p); return NULL; }
  p->bytes = sizeof *p;
  for (int i = 0; i < nf; i++) {
    fpass *ps = &p->pass[i];
    int64_t m = n / (s * f[i]);
    ps->p = f[i]; ps->m = m; ps->s = s;
    ps->tw = lu_malloc((size_t)(m * (f[i] - 1)) * sizeof(lu_cx) + 1);
    if (f[i] > 5) ps->rw = lu_malloc((size_t)f[i] * sizeof(lu_cx));
    p->npass = i + 1;
    if (ps->tw == NULL || (f[i] > 5 && ps->rw == NULL)) { roots_free(&R); lu_fftc_free(p); return NULL; }
    for (int64_t q = 0; q < m; q++)
      for (int64_t k = 1; k < f[i]; k++) ps->tw[q * (f[i] - 1) + k - 1] = roots_get(&R, q * k * s);
    if (f[i] > 5)
      for (int64_t r = 0; r < f[i]; r++) ps->rw[r] = roots_get(&R, r * (n / f[i]));
    p->bytes += (size_t)(m * (f[i] - 1) + (f[i] > 5 ? f[i] : 0)) * sizeof(lu_cx);
    s *= f[i];
  }
  roots_free(&R);
  return p;
}

int64_t lu_fftc_ws(const lu_fftc *p) {
  return p->sub ? p->n + lu_fftc_ws(p->sub) : 2 * p->n;
}

size_t lu_fftc_bytes(const lu_fftc *p) { return p->bytes; }

/* x[k] = chirp[k] conj(IFFT(FFT(x chirp) kern))[k]: a circular
** convolution of length n2 with the conjugate chirp. */
static lu_cx *bluestein_exec(const lu_fftc *p, lu_cx *ws) {
  int64_t n = p->n, n2 = p->n2, k;
  lu_cx *b = ws + n, *r;
  const lu_cx *ch = p->chirp, *kn = p->kern;
  for (k = 0; k < n; k++) {
    b[k].re = CMUL_RE(ws[k].re, ws[k].im, ch[k]);
    b[k].im = CMUL_IM(ws[k].re, ws[k].im, ch[k]);
  }
  memset(b + n, 0, (size_t)(n2 - n) * sizeof(lu_cx));
  r = lu_fftc_exec(p->sub, b);
  /* conj(r kern), the input of the inverse transform by conjugation */
  for (k = 0; k < n2; k++) {
    double re = CMUL_RE(r[k].re, r[k].im, kn[k]), im = CMUL_IM(r[k].re, r[k].im, kn[k]);
    b[k].re = re; b[k].im = -im;
  }
  r = lu_fftc_exec(p->sub, b);
  for (k = 0; k < n; k++) {
    double re = r[k].re, im = -r[k].im;
    ws[k].re = CMUL_RE(re, im, ch[k]);
    ws[k].im = CMUL_IM(re, im, ch[k]);
  }
  return ws;
}

lu_cx *lu_fftc_exec(const lu_fftc *p, lu_cx *ws) {
  lu_cx *x = ws, *y = ws + p->n, *t;
  if (p->sub) return bluestein_exec(p, ws);
  for (int i = 0; i < p->npass; i++) {
    const fpass *ps = &p->pass[i];
    switch (ps->p) {
    case 2: pass2(ps->m, ps->s, x, y, ps->tw); break;
    case 3: pass3(ps->m, ps->s, x, y, ps->tw); break;
    case 4: pass4(ps->m, ps->s, x, y, ps->tw); break;
    case 5: pass5(ps->m, ps->s, x, y, ps->tw); break;
    default: passg(ps->p, ps->m, ps->s, x, y, ps->tw, ps->rw); break;
    }
    t = x; x = y; y = t;
  }
  return x;
}
/* }====================================================== */

/* {====================================================== real plans */
void lu_fftr_free(lu_fftr *p) {
  if (p == NULL) return;
  lu_fftc_free(p->c);
  free(p->tw);
  free(p);
}

lu_fftr *lu_fftr_new(int64_t n) {
  lu_fftr *p = lu_calloc(1, sizeof *p);
  if (p == NULL || n < 1) { free(p); return NULL; }
  p->n = n;
  p->packed = n % 2 == 0;
  p->c = lu_fftc_new(p->packed ? n / 2 : n);
  if (p->c == NULL) { lu_fftr_free(p); return NULL; }
  p->bytes = sizeof *p + lu_fftc_bytes(p->c);
  if (p->packed) {
    int64_t h = n / 2;
    roots R;
    p->tw = lu_malloc((size_t)h * sizeof(lu_cx));
    if (p->tw == NULL || !roots_init(&R, n)) { lu_fftr_free(p); return NULL; }
    for (int64_t k = 0; k < h; k++) p->tw[k] = roots_get(&R, k);
    roots_free(&R);
    p->bytes += (size_t)h * sizeof(lu_cx);
  }
  return p;
}

/* the complex work buffer, then (packed) room for n/2 + 1 results */
int64_t lu_fftr_ws(const lu_fftr *p) {
  return lu_fftc_ws(p->c) + (p->packed ? p->n / 2 + 1 : 0);
}

size_t lu_fftr_bytes(const lu_fftr *p) { return p->bytes; }
int lu_fftr_packed(const lu_fftr *p) { return p->packed; }

/* Packed: Z = FFT_h(z), then with b = conj(Z[h-k]) (Z[h] = Z[0]):
**   X[k] = (Z[k] + b)/2 - i w_n^k (Z[k] - b)/2,  k = 0 .. h */
lu_cx *lu_fftr_r2c(const lu_fftr *p, lu_cx *ws) {
  int64_t h = p->n / 2;
  lu_cx *z, *X;
  if (!p->packed) return lu_fftc_exec(p->c, ws);
  z = lu_fftc_exec(p->c, ws);
  X = ws + lu_fftc_ws(p->c);
  X[0].re = z[0].re + z[0].im; X[0].im = 0;
  X[h].re = z[0].re - z[0].im; X[h].im = 0;
  for (int64_t k = 1; k < h; k++) {
    double ar = z[k].re, ai = z[k].im, br = z[h - k].re, bi = -z[h - k].im;
    double er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);
    double dr = 0.5 * (ar - br), di = 0.5 * (ai - bi);
    double tr = CMUL_RE(dr, di, p->tw[k]), ti = CMUL_IM(dr, di, p->tw[k]);
    X[k].re = er + ti;
    X[k].im = ei - tr;
  }
  return X;
}

/* Packed: the inverse of the above, unscaled (a factor 2 folded in):
**   Z'[k] = (X[k] + conj X[h-k]) + i w_n^-k (X[k] - conj X[h-k]),
** z = IFFT_h(Z') as conj(FFT(conj Z')), x_2j = Re z_j, x_2j+1 = Im z_j.
** Odd: the whole Hermitian spectrum, transformed back. */
lu_cx *lu_fftr_c2r(const lu_fftr *p, lu_cx *ws) {
  int64_t n = p->n, h = n / 2, k;
  lu_cx *r;
  if (!p->packed) {
    ws[0].im = 0;
    for (k = 1; k <= (n - 1) / 2; k++) { ws[n - k].re = ws[k].re; ws[n - k].im = -ws[k].im; }
    for (k = 0; k < n; k++) ws[k].im = -ws[k].im;
    return lu_fftc_exec(p->c, ws);   /* the real parts are the result */
  }
  {
    double x0 = ws[0].re, xh = ws[h].re;
    ws[0].re = x0 + xh;
    ws[0].im = -(x0 - xh);
  }
  for (k = 1; 2 * k <= h; k++) {
    int64_t l = h - k;
    double ar = ws[k].re, ai = ws[k].im, br = ws[l].re, bi = ws[l].im;
    lu_cx wk = p->tw[k], wl = p->tw[l];
    /* for k: a = X[k], b = X[l]; s = a + conj b, d = a - conj b */
    double sr = ar + br, si = ai - bi, dr = ar - br, di = ai + bi;
    double ur = dr * wk.re + di * wk.im;   /* u = conj(w_k) d */
    double ui = di * wk.re - dr * wk.im;
    double zkr = sr - ui, zki = si + ur;   /* s + i u */
    double zlr, zli;
    /* for l: a = X[l], b = X[k] */
    sr = br + ar; si = bi - ai; dr = br - ar; di = bi + ai;
    ur = dr * wl.re + di * wl.im;
    ui = di * wl.re - dr * wl.im;
    zlr = sr - ui; zli = si + ur;
    ws[k].re = zkr; ws[k].im = -zki;       /* conjugated for the inverse */
    ws[l].re = zlr; ws[l].im = -zli;
  }
  r = lu_fftc_exec(p->c, ws);
  for (k = 0; k < h; k++) r[k].im = -r[k].im;
  return r;
}
/* }====================================================== */
