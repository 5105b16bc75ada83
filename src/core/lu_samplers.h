/* SPDX-License-Identifier: MIT */
/*
** The per-element samplers of lunar.random's Generator, the rows of
** lu_samplers.def, written once for the CPU loop (cpu_random.c) and the
** CUDA kernel (kernels/random.cu), on the generator of lu_philox.h.
**
** Draws. Element e of a call (e = offset + i in the Generator's stream)
** owns the Philox blocks with counter {lo32(e), hi32(e), LU_SMP_TAG, j},
** j = 0, 1, 2, ...; each block is two 64-bit draws. A sampler takes draws
** from its own element's blocks in order and from nothing else, so a value
** depends on (seed, e, parameters) alone: any split of the work over
** threads, blocks or devices gives the same array. The tag keeps these
** counters apart from the rand/randn streams (tags 0..3).
**
** Bounded work. Every rejection loop stops after LU_SMP_TRIES tries and
** then returns its last candidate; the loops here accept most tries
** (Marsaglia-Tsang, PTRS, BTRS: over 80%), so that never happens in
** practice. Inversion loops stop when the remaining mass is spent.
**
** Integer arithmetic and the conversions to uniforms are exact, so
** integers and uniforms agree bit for bit across devices; the rest calls
** log, exp, sqrt, pow... of each side's maths library and agrees to a few
** ulp (a discrete sampler can then differ where a uniform falls within an
** ulp of a boundary: rarely, and by one). Log-factorials are our own
** (a table, then Stirling's series) so that both sides use the same
** function and no libm global (signgam) is written from many threads.
*/
#ifndef lu_samplers_h
#define lu_samplers_h

#include "lu_philox.h"

#define LU_SMP_TAG 16u
#define LU_SMP_TRIES 64
#define LU_SMP_PI 3.141592653589793238462643383279502884
#define LU_SMP_2M52 2.220446049250313080847263336181640625e-16
#define LU_SMP_I64MAX 9.2233720368547758e18

/* {===== an element's draws */
typedef struct lu_rs {
  uint32_t k0, k1, e0, e1, j, half;
  uint32_t w0, w1, w2, w3;
  int has_spare;
  double spare;
} lu_rs;

LU_PHILOX_FN void lu_rs_init(lu_rs *s, uint64_t seed, uint64_t e) {
  s->k0 = (uint32_t)seed; s->k1 = (uint32_t)(seed >> 32);
  s->e0 = (uint32_t)e; s->e1 = (uint32_t)(e >> 32);
  s->j = 0; s->half = 0; s->has_spare = 0; s->spare = 0.0;
  s->w0 = s->w1 = s->w2 = s->w3 = 0;
}

/* the next 64-bit draw */
LU_PHILOX_FN uint64_t lu_rs_bits(lu_rs *s) {
  uint32_t lo, hi;
  if (s->half == 0) {
    uint32_t c0 = s->e0, c1 = s->e1, c2 = LU_SMP_TAG, c3 = s->j++;
    LU_PHILOX4X32_10(c0, c1, c2, c3, s->k0, s->k1);
    s->w0 = c0; s->w1 = c1; s->w2 = c2; s->w3 = c3;
    lo = c0; hi = c1; s->half = 1;
  } else {
    lo = s->w2; hi = s->w3; s->half = 0;
  }
  return ((uint64_t)hi << 32) | lo;
}

/* uniforms, exact: [0, 1), (0, 1] and (0, 1) */
LU_PHILOX_FN double lu_rs_u(lu_rs *s) {
  return (double)(int64_t)(lu_rs_bits(s) >> 11) * LU_PHILOX_2M53;
}
LU_PHILOX_FN double lu_rs_uc(lu_rs *s) {
  return (double)(int64_t)((lu_rs_bits(s) >> 11) + 1u) * LU_PHILOX_2M53;
}
LU_PHILOX_FN double lu_rs_uo(lu_rs *s) {
  return ((double)(int64_t)(lu_rs_bits(s) >> 12) + 0.5) * LU_SMP_2M52;
}

/* standard normal: Box-Muller of lu_philox.h, the second value kept */
LU_PHILOX_FN double lu_rs_normal(lu_rs *s) {
  double u0, u1, z0, z1;
  if (s->has_spare) { s->has_spare = 0; return s->spare; }
  u0 = lu_rs_uc(s);
  u1 = lu_rs_u(s);
  lu_philox_boxmuller_f64(u0, u1, &z0, &z1);
  s->spare = z1; s->has_spare = 1;
  return z0;
}

LU_PHILOX_FN double lu_rs_exp(lu_rs *s) { return -log(lu_rs_uc(s)); }

/* high 64 bits of a * b */
LU_PHILOX_FN uint64_t lu_smp_mulhi64(uint64_t a, uint64_t b) {
#ifdef LU_PHILOX_GPU
  return __umul64hi(a, b);
#else
  uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/* log(k!) for an integer k >= 0 given as a double */
LU_PHILOX_FN double lu_smp_lfact(double k) {
  if (k < 16.0) {
    const double t[16] = { 0, 0, 0.69314718055994495, 1.7917594692280554, 3.1780538303479449,
      4.7874917427820467, 6.5792512120101021, 8.5251613610654147, 10.604602902745249,
      12.801827480081467, 15.104412573075514, 17.502307845873887, 19.987214495661885,
      22.552163853123421, 25.191221182738683, 27.89927138384089 };
    return t[(int)k];
  }
  {
    double x = k + 1.0, r = 1.0 / x, r2 = r * r;   /* lgamma(x), x >= 17 */
    return (x - 0.5) * log(x) - x + 0.91893853320467274178
         + r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680))));
  }
}
/* }===== */

/* {===== the rows; p holds the row's parameters, already validated */
LU_PHILOX_FN double lu_smp_exponential(lu_rs *s, const double *p) {
  return p[0] * lu_rs_exp(s);
}

/* standard gamma: Marsaglia and Tsang (2000); shape < 1 by
** G(shape + 1) * U^(1/shape) */
LU_PHILOX_FN double lu_smp_stdgamma(lu_rs *s, double a) {
  double boost = 1.0, d, c, x = 0.0, v = 1.0;
  int t;
  if (a <= 0.0) return 0.0;
  if (a < 1.0) {
    boost = pow(lu_rs_uo(s), 1.0 / a);
    a += 1.0;
  }
  d = a - 1.0 / 3.0;
  c = 1.0 / sqrt(9.0 * d);
  for (t = 0; t < LU_SMP_TRIES; t++) {
    double u;
    int k;
    for (k = 0; k < LU_SMP_TRIES; k++) {
      x = lu_rs_normal(s);
      v = 1.0 + c * x;
      if (v > 0.0) break;
    }
    if (v <= 0.0) v = 1.0;
    v = v * v * v;
    u = lu_rs_uo(s);
    if (u < 1.0 - 0.0331 * (x * x) * (x * x)) break;
    if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) break;
  }
  return boost * d * v;
}

LU_PHILOX_FN double lu_smp_gamma(lu_rs *s, const double *p) {
  return p[1] * lu_smp_stdgamma(s, p[0]);
}

/* beta: Johnk's algorithm when both parameters are at most 1 (the ratio of
** gammas underflows there), else X / (X + Y) of two gammas */
LU_PHILOX_FN double lu_smp_beta(lu_rs *s, const double *p) {
  double a = p[0], b = p[1], x, y;
  if (a <= 1.0 && b <= 1.0) {
    int t;
    for (t = 0; t < LU_SMP_TRIES; t++) {
      double u = lu_rs_uo(s), v = lu_rs_uo(s);
      double lx = log(u) / a, ly = log(v) / b, m;
      x = exp(lx); y = exp(ly);
      if (x + y <= 1.0) {
        if (x + y > 0.0) return x / (x + y);
        m = lx > ly ? lx : ly;       /* both underflowed: in logs */
        lx -= m; ly -= m;
        return exp(lx - log(exp(lx) + exp(ly)));
      }
    }
  }
  x = lu_smp_stdgamma(s, a);
  y = lu_smp_stdgamma(s, b);
  return x + y > 0.0 ? x / (x + y) : (a >= b ? 1.0 : 0.0);
}

/* Poisson: inversion below 10 (one uniform), else PTRS, Hormann's
** transformed rejection with squeeze (1993) */
LU_PHILOX_FN double lu_smp_poisson1(lu_rs *s, double lam) {
  if (lam <= 0.0) return 0.0;
  if (lam < 10.0) {
    double u = lu_rs_u(s), pk = exp(-lam), k = 0.0;
    while (u > pk && k < 1000.0) {
      u -= pk;
      k += 1.0;
      pk *= lam / k;
    }
    return k;
  } else {
    double slam = sqrt(lam), loglam = log(lam);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double inva = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
    double k = floor(lam);
    int t;
    for (t = 0; t < LU_SMP_TRIES; t++) {
      double u = lu_rs_u(s) - 0.5, v = lu_rs_u(s), us = 0.5 - fabs(u);
      k = floor((2.0 * a / us + b) * u + lam + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0.0 || (us < 0.013 && v > us)) continue;
      if (log(v) + log(inva) - log(a / (us * us) + b) <= -lam + k * loglam - lu_smp_lfact(k))
        return k;
    }
    return k < 0.0 ? 0.0 : k;
  }
}

LU_PHILOX_FN int64_t lu_smp_poisson(lu_rs *s, const double *p) {
  return (int64_t)lu_smp_poisson1(s, p[0]);
}

/* binomial for p <= 1/2: inversion when n p < 10, else BTRS, Hormann's
** transformed rejection (1993) */
LU_PHILOX_FN double lu_smp_binom_lo(lu_rs *s, double n, double p) {
  double q = 1.0 - p;
  if (n * p < 10.0) {
    double u = lu_rs_u(s), r = p / q, pk = exp(n * log1p(-p)), k = 0.0;
    while (u > pk && k < n) {
      u -= pk;
      k += 1.0;
      pk *= r * (n - k + 1.0) / k;
      if (pk <= 0.0) break;
    }
    return k;
  } else {
    double spq = sqrt(n * p * q), b = 1.15 + 2.53 * spq;
    double a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5, vr = 0.92 - 4.2 / b;
    double alpha = (2.83 + 5.1 / b) * spq, lpq = log(p / q);
    double m = floor((n + 1.0) * p), h = lu_smp_lfact(m) + lu_smp_lfact(n - m);
    double k = m;
    int t;
    for (t = 0; t < LU_SMP_TRIES; t++) {
      double u = lu_rs_u(s) - 0.5, v = lu_rs_u(s), us = 0.5 - fabs(u);
      k = floor((2.0 * a / us + b) * u + c);
      if (k < 0.0 || k > n) continue;
      if (us >= 0.07 && v <= vr) return k;
      v = log(v * alpha / (a / (us * us) + b));
      if (v <= h - lu_smp_lfact(k) - lu_smp_lfact(n - k) + (k - m) * lpq) return k;
    }
    return k < 0.0 ? 0.0 : k > n ? n : k;
  }
}

LU_PHILOX_FN int64_t lu_smp_binomial(lu_rs *s, const double *p) {
  double n = p[0], pr = p[1];
  if (n <= 0.0 || pr <= 0.0) return 0;
  if (pr >= 1.0) return (int64_t)n;
  if (pr <= 0.5) return (int64_t)lu_smp_binom_lo(s, n, pr);
  return (int64_t)(n - lu_smp_binom_lo(s, n, 1.0 - pr));
}

/* the gamma-Poisson mixture */
LU_PHILOX_FN int64_t lu_smp_negative_binomial(lu_rs *s, const double *p) {
  double n = p[0], pr = p[1];
  if (pr >= 1.0) return 0;
  return (int64_t)lu_smp_poisson1(s, lu_smp_stdgamma(s, n) * (1.0 - pr) / pr);
}

/* hypergeometric: inversion from the mode outwards (one uniform); the
** probability of the mode from log-factorials, its neighbours by the ratio
** of consecutive terms */
LU_PHILOX_FN int64_t lu_smp_hypergeometric(lu_rs *s, const double *p) {
  double g = p[0], b = p[1], n = p[2], tot = g + b;
  double lo = n - b > 0.0 ? n - b : 0.0, hi = n < g ? n : g;
  double m = floor((n + 1.0) * (g + 1.0) / (tot + 2.0));
  double u, pm, pu, pd, ku, kd;
  if (m < lo) m = lo;
  if (m > hi) m = hi;
  pm = exp(lu_smp_lfact(g) - lu_smp_lfact(m) - lu_smp_lfact(g - m)
           + lu_smp_lfact(b) - lu_smp_lfact(n - m) - lu_smp_lfact(b - n + m)
           - lu_smp_lfact(tot) + lu_smp_lfact(n) + lu_smp_lfact(tot - n));
  u = lu_rs_u(s) - pm;
  if (u <= 0.0) return (int64_t)m;
  pu = pd = pm; ku = kd = m;
  while (ku < hi || kd > lo) {
    if (ku < hi) {
      pu *= (g - ku) * (n - ku) / ((ku + 1.0) * (b - n + ku + 1.0));
      ku += 1.0;
      u -= pu;
      if (u <= 0.0) return (int64_t)ku;
    }
    if (kd > lo) {
      pd *= kd * (b - n + kd) / ((g - kd + 1.0) * (n - kd + 1.0));
      kd -= 1.0;
      u -= pd;
      if (u <= 0.0) return (int64_t)kd;
    }
  }
  return (int64_t)m;
}

/* logarithmic series: Kemp's second algorithm (1981) */
LU_PHILOX_FN int64_t lu_smp_logseries(lu_rs *s, const double *p) {
  double pr = p[0], r = log1p(-pr);
  int t;
  for (t = 0; t < LU_SMP_TRIES; t++) {
    double v = lu_rs_uo(s), q, k;
    if (v >= pr) return 1;
    q = -expm1(r * lu_rs_uo(s));
    if (v <= q * q) {
      k = floor(1.0 + log(v) / log(q));
      if (k < 1.0) continue;
      return k >= LU_SMP_I64MAX ? (int64_t)9223372036854775807LL : (int64_t)k;
    }
    return v >= q ? 1 : 2;
  }
  return 1;
}

/* Zipf: Devroye's rejection (Non-Uniform Random Variate Generation, X.6) */
LU_PHILOX_FN int64_t lu_smp_zipf(lu_rs *s, const double *p) {
  double am1 = p[0] - 1.0, b = pow(2.0, am1), x = 1.0;
  int t;
  for (t = 0; t < LU_SMP_TRIES; t++) {
    double u = lu_rs_uo(s), v = lu_rs_u(s), tt;
    x = floor(pow(u, -1.0 / am1));
    if (x >= LU_SMP_I64MAX || x < 1.0) { x = 1.0; continue; }
    tt = pow(1.0 + 1.0 / x, am1);
    if (v * x * (tt - 1.0) / (b - 1.0) <= tt / b) break;
  }
  return (int64_t)x;
}

/* geometric (trials up to the first success), by inversion */
LU_PHILOX_FN int64_t lu_smp_geometric(lu_rs *s, const double *p) {
  double k;
  if (p[0] >= 1.0) return 1;
  k = ceil(log(lu_rs_uo(s)) / log1p(-p[0]));
  if (k < 1.0) k = 1.0;
  return k >= LU_SMP_I64MAX ? (int64_t)9223372036854775807LL : (int64_t)k;
}

/* von Mises: Best and Fisher (1979); a wrapped normal for huge kappa */
LU_PHILOX_FN double lu_smp_vonmises(lu_rs *s, const double *p) {
  double mu = p[0], kappa = p[1], sv, w = 1.0, r;
  int t, neg;
  if (kappa < 1e-8) return LU_SMP_PI * (2.0 * lu_rs_u(s) - 1.0);
  if (kappa > 1e6) {
    r = mu + sqrt(1.0 / kappa) * lu_rs_normal(s);
  } else {
    if (kappa < 1e-5) {
      sv = 1.0 / kappa + kappa;
    } else {
      double rr = 1.0 + sqrt(1.0 + 4.0 * kappa * kappa);
      double rho = (rr - sqrt(2.0 * rr)) / (2.0 * kappa);
      sv = (1.0 + rho * rho) / (2.0 * rho);
    }
    for (t = 0; t < LU_SMP_TRIES; t++) {
      double z = cos(LU_SMP_PI * lu_rs_u(s)), y, v;
      w = (1.0 + sv * z) / (sv + z);
      y = kappa * (sv - w);
      v = lu_rs_uo(s);
      if (y * (2.0 - y) - v >= 0.0 || log(y / v) + 1.0 - y >= 0.0) break;
    }
    if (w > 1.0) w = 1.0;
    if (w < -1.0) w = -1.0;
    r = acos(w);
    if (lu_rs_u(s) < 0.5) r = -r;
    r += mu;
  }
  neg = r < 0.0;                       /* wrapped into [-pi, pi] */
  r = fmod(fabs(r) + LU_SMP_PI, 2.0 * LU_SMP_PI) - LU_SMP_PI;
  return neg ? -r : r;
}

LU_PHILOX_FN double lu_smp_standard_cauchy(lu_rs *s, const double *p) {
  double n = lu_rs_normal(s), d = lu_rs_normal(s);
  (void)p;
  return n / d;
}

/* chi-square of df degrees: 2 G(df / 2) */
LU_PHILOX_FN double lu_smp_chisq(lu_rs *s, double df) { return 2.0 * lu_smp_stdgamma(s, 0.5 * df); }

LU_PHILOX_FN double lu_smp_standard_t(lu_rs *s, const double *p) {
  double n = lu_rs_normal(s), g = lu_smp_stdgamma(s, 0.5 * p[0]);
  return sqrt(0.5 * p[0]) * n / sqrt(g);
}

/* noncentral chi-square: a central part of df - 1 degrees plus a shifted
** normal squared, or a Poisson mixture when df <= 1 */
LU_PHILOX_FN double lu_smp_noncentral_chisquare(lu_rs *s, const double *p) {
  double df = p[0], nonc = p[1];
  if (nonc == 0.0) return lu_smp_chisq(s, df);
  if (df > 1.0) {
    double z = lu_rs_normal(s) + sqrt(nonc);
    return lu_smp_chisq(s, df - 1.0) + z * z;
  }
  return lu_smp_chisq(s, df + 2.0 * lu_smp_poisson1(s, 0.5 * nonc));
}

LU_PHILOX_FN double lu_smp_f(lu_rs *s, const double *p) {
  double a = lu_smp_chisq(s, p[0]) * p[1], b = lu_smp_chisq(s, p[1]) * p[0];
  return a / b;
}

LU_PHILOX_FN double lu_smp_lognormal(lu_rs *s, const double *p) {
  return exp(p[0] + p[1] * lu_rs_normal(s));
}

LU_PHILOX_FN double lu_smp_laplace(lu_rs *s, const double *p) {
  double u = lu_rs_uo(s);
  return u < 0.5 ? p[0] + p[1] * log(2.0 * u) : p[0] - p[1] * log(2.0 - 2.0 * u);
}

LU_PHILOX_FN double lu_smp_logistic(lu_rs *s, const double *p) {
  double u = lu_rs_uo(s);
  return p[0] + p[1] * log(u / (1.0 - u));
}

LU_PHILOX_FN double lu_smp_gumbel(lu_rs *s, const double *p) {
  return p[0] - p[1] * log(-log(lu_rs_uo(s)));
}

LU_PHILOX_FN double lu_smp_weibull(lu_rs *s, const double *p) {
  if (p[0] == 0.0) return 0.0;
  return pow(lu_rs_exp(s), 1.0 / p[0]);
}

LU_PHILOX_FN double lu_smp_pareto(lu_rs *s, const double *p) {
  return expm1(lu_rs_exp(s) / p[0]);
}

LU_PHILOX_FN double lu_smp_rayleigh(lu_rs *s, const double *p) {
  return p[0] * sqrt(2.0 * lu_rs_exp(s));
}

LU_PHILOX_FN double lu_smp_power(lu_rs *s, const double *p) {
  return pow(-expm1(-lu_rs_exp(s)), 1.0 / p[0]);
}

/* Wald (inverse Gaussian): Michael, Schucany and Haas (1976) */
LU_PHILOX_FN double lu_smp_wald(lu_rs *s, const double *p) {
  double mean = p[0], scale = p[1], n = lu_rs_normal(s);
  double my = mean * n * n, x;
  x = mean + mean / (2.0 * scale) * (my - sqrt(4.0 * scale * my + my * my));
  return lu_rs_u(s) <= mean / (mean + x) ? x : mean * mean / x;
}

/* triangular by inversion */
LU_PHILOX_FN double lu_smp_triangular(lu_rs *s, const double *p) {
  double l = p[0], m = p[1], r = p[2], base = r - l, lb = m - l, rb = r - m;
  double u = lu_rs_u(s);
  if (u <= lb / base) return l + sqrt(u * base * lb);
  return r - sqrt((1.0 - u) * base * rb);
}

LU_PHILOX_FN double lu_smp_noncentral_f(lu_rs *s, const double *p) {
  double q[2], a, b;
  q[0] = p[0]; q[1] = p[2];
  a = lu_smp_noncentral_chisquare(s, q) * p[1];
  b = lu_smp_chisq(s, p[1]) * p[0];
  return a / b;
}

/* integers with a range of 2^32 or more: low + the high 64 bits of a
** 64-bit draw times the range (0: 2^64); exact, with a bias below
** range / 2^64. One Philox block serves
** two elements: element e is half e % 2 of block {e / 2, LU_SMP_ITAG}, so
** the fast loops compute each block once for a pair. */
#define LU_SMP_ITAG 17u

LU_PHILOX_FN void lu_smp_integers_block(uint64_t seed, uint64_t b, uint64_t *x0, uint64_t *x1) {
  uint32_t c0 = (uint32_t)b, c1 = (uint32_t)(b >> 32), c2 = LU_SMP_ITAG, c3 = 0;
  LU_PHILOX4X32_10(c0, c1, c2, c3, (uint32_t)seed, (uint32_t)(seed >> 32));
  *x0 = ((uint64_t)c1 << 32) | c0;
  *x1 = ((uint64_t)c3 << 32) | c2;
}

LU_PHILOX_FN int64_t lu_smp_int_of(uint64_t x, int64_t low, uint64_t range) {
  return (int64_t)((uint64_t)low + (range ? lu_smp_mulhi64(x, range) : x));
}

LU_PHILOX_FN int64_t lu_smp_integers_at(uint64_t seed, uint64_t e, int64_t low, uint64_t range) {
  uint64_t x0, x1;
  lu_smp_integers_block(seed, e >> 1, &x0, &x1);
  return lu_smp_int_of((e & 1u) ? x1 : x0, low, range);
}

/* integers with a range below 2^32 (the usual case): one Philox block
** serves four elements, element e is word e % 4 of block {e / 4,
** LU_SMP_ITAG32}, by Lemire's multiply with rejection (exact, no bias): the
** value is low + the high half of w * range, and a word whose low half is
** below t = 2^32 mod range is rejected, which happens with probability
** t / 2^32 < range / 2^32 (7e-8 for range 1000). A rejected element then
** takes the low words of its own draws (lu_rs_bits) until one passes.
** Half the Philox work a value of the 64-bit draws above. */
#define LU_SMP_ITAG32 18u
#define LU_SMP_IRANGE32 ((uint64_t)0xffffffffu)   /* the largest such range */

LU_PHILOX_FN uint32_t lu_smp_int32_t(uint32_t range) { return (0u - range) % range; }

LU_PHILOX_FN int64_t lu_smp_int32_slow(uint64_t seed, uint64_t e, int64_t low, uint32_t range) {
  const uint32_t t = lu_smp_int32_t(range);
  uint64_t m = 0;
  lu_rs s;
  lu_rs_init(&s, seed, e);
  for (int k = 0; k < LU_SMP_TRIES; k++) {
    m = (uint64_t)(uint32_t)lu_rs_bits(&s) * range;
    if ((uint32_t)m >= t) break;
  }
  return (int64_t)((uint64_t)low + (m >> 32));
}

/* element e of a call whose range is below 2^32 */
LU_PHILOX_FN int64_t lu_smp_integers32_at(uint64_t seed, uint64_t e, int64_t low, uint32_t range) {
  const uint64_t b = e >> 2;
  uint32_t c0 = (uint32_t)b, c1 = (uint32_t)(b >> 32), c2 = LU_SMP_ITAG32, c3 = 0, w;
  uint64_t m;
  LU_PHILOX4X32_10(c0, c1, c2, c3, (uint32_t)seed, (uint32_t)(seed >> 32));
  w = (e & 2u) ? ((e & 1u) ? c3 : c2) : ((e & 1u) ? c1 : c0);
  m = (uint64_t)w * range;
  if ((uint32_t)m < lu_smp_int32_t(range)) return lu_smp_int32_slow(seed, e, low, range);
  return (int64_t)((uint64_t)low + (m >> 32));
}

/* the row form, for array bounds (low, high - low as doubles): the same
** element as the scalar bounds' loops give */
LU_PHILOX_FN int64_t lu_smp_integers(lu_rs *s, const double *p) {
  uint64_t seed = ((uint64_t)s->k1 << 32) | s->k0, e = ((uint64_t)s->e1 << 32) | s->e0;
  uint64_t range = (uint64_t)p[1];
  if (range != 0 && range <= LU_SMP_IRANGE32)
    return lu_smp_integers32_at(seed, e, (int64_t)p[0], (uint32_t)range);
  return lu_smp_integers_at(seed, e, (int64_t)p[0], range);
}
/* }===== */

#endif
