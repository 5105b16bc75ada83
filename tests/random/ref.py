# SPDX-License-Identifier: MIT
# Writes tests/random/ref.lua: for each distribution of lunar.random's
# Generator at fixed parameters, the bins of a chi-square goodness-of-fit
# test (edges, probabilities from the exact CDF or pmf, computed here with
# mpmath), the threshold a correct sampler exceeds with probability 1e-7,
# and the mean and variance from the textbook formulas. The spec
# tests/random_spec.lua draws 10^6 values per case and compares.
#   python3 tests/random/ref.py > tests/random/ref.lua
import mpmath as mp

mp.mp.dps = 30
N = 1000000
P_FAIL = mp.mpf("1e-7")
NBINS = 20          # equiprobable bins for continuous laws
MIN_EXPECTED = N // 40  # per bin, discrete laws: at most about 40 bins

def Phi(x):
    return mp.ncdf(x)

def ppf(cdf, q, lo, hi):
    while cdf(lo) > q:
        lo = lo - (hi - lo) if lo < 0 else lo / 2 - 1
    while cdf(hi) < q:
        hi = hi + (hi - lo)
    for _ in range(100):
        m = (lo + hi) / 2
        if cdf(m) < q:
            lo = m
        else:
            hi = m
    return (lo + hi) / 2

def chi2_isf(p, dof):
    f = lambda t: mp.gammainc(mp.mpf(dof) / 2, t / 2, mp.inf, regularized=True) - p
    lo, hi = mp.mpf(0), mp.mpf(10 * dof + 100)
    for _ in range(200):
        m = (lo + hi) / 2
        if f(m) > 0:
            lo = m
        else:
            hi = m
    return hi

def gamma_cdf(k, th):
    return lambda x: mp.gammainc(k, 0, x / th, regularized=True) if x > 0 else mp.mpf(0)

def beta_cdf(a, b):
    return lambda x: mp.mpf(0) if x <= 0 else (mp.mpf(1) if x >= 1 else mp.betainc(a, b, 0, x, regularized=True))

def t_cdf(nu):
    def c(x):
        tail = mp.betainc(mp.mpf(nu) / 2, mp.mpf(1) / 2, 0, nu / (nu + x * x), regularized=True) / 2
        return 1 - tail if x > 0 else tail
    return c

def f_cdf(d1, d2):
    return lambda x: mp.betainc(mp.mpf(d1) / 2, mp.mpf(d2) / 2, 0, d1 * x / (d1 * x + d2), regularized=True) if x > 0 else mp.mpf(0)

def ncx2_cdf(k, lam):
    def c(x):
        if x <= 0:
            return mp.mpf(0)
        s = mp.mpf(0)
        for j in range(0, 200):
            w = mp.exp(-lam / 2) * (lam / 2) ** j / mp.factorial(j)
            s += w * mp.gammainc((k + 2 * j) / mp.mpf(2), 0, x / 2, regularized=True)
        return s
    return c

def ncf_cdf(d1, d2, lam):
    # F = (X1 / d1) / (X2 / d2), X1 noncentral chi-square(d1, lam), X2
    # chi-square(d2): a Poisson(lam / 2) mixture of central F laws with
    # d1 + 2j numerator degrees (Johnson, Kotz and Balakrishnan, Continuous
    # Univariate Distributions vol. 2, ch. 30, eq. 30.3), each a regularized
    # incomplete beta at d1 x / (d1 x + d2)
    def c(x):
        if x <= 0:
            return mp.mpf(0)
        y = d1 * x / (d1 * x + d2)
        s = mp.mpf(0)
        for j in range(0, 200):
            w = mp.exp(-mp.mpf(lam) / 2) * (mp.mpf(lam) / 2) ** j / mp.factorial(j)
            s += w * mp.betainc((d1 + 2 * j) / mp.mpf(2), mp.mpf(d2) / 2, 0, y, regularized=True)
        return s
    return c

def ncf_mean_var(d1, d2, lam):
    # the same reference (ch. 30, sec. 3; also Patnaik 1949): for d2 > 2,
    #   E F = d2 (d1 + lam) / (d1 (d2 - 2)),
    # and for d2 > 4,
    #   Var F = 2 (d2 / d1)^2 ((d1 + lam)^2 + (d1 + 2 lam)(d2 - 2)) / ((d2 - 2)^2 (d2 - 4)),
    # from E X1 = d1 + lam, Var X1 = 2 (d1 + 2 lam), E 1/X2 = 1/(d2 - 2) and
    # E 1/X2^2 = 1/((d2 - 2)(d2 - 4))
    d1, d2, lam = mp.mpf(d1), mp.mpf(d2), mp.mpf(lam)
    mean = d2 * (d1 + lam) / (d1 * (d2 - 2))
    var = 2 * (d2 / d1) ** 2 * ((d1 + lam) ** 2 + (d1 + 2 * lam) * (d2 - 2)) / ((d2 - 2) ** 2 * (d2 - 4))
    return mean, var

def vonmises_cdf(mu, kappa):
    norm = 2 * mp.pi * mp.besseli(0, kappa)
    def c(x):
        if x <= -mp.pi:
            return mp.mpf(0)
        if x >= mp.pi:
            return mp.mpf(1)
        # the law on [-pi, pi] of mu + a von Mises angle, wrapped
        return mp.quad(lambda t: mp.exp(kappa * mp.cos(t - mu)), [-mp.pi, x]) / norm
    return c

def wald_cdf(mu, lam):
    def c(x):
        if x <= 0:
            return mp.mpf(0)
        r = mp.sqrt(lam / x)
        return Phi(r * (x / mu - 1)) + mp.exp(2 * lam / mu) * Phi(-r * (x / mu + 1))
    return c

def tri_cdf(a, c_, b):
    def c(x):
        if x <= a:
            return mp.mpf(0)
        if x >= b:
            return mp.mpf(1)
        if x <= c_:
            return (x - a) ** 2 / ((b - a) * (c_ - a))
        return 1 - (b - x) ** 2 / ((b - a) * (b - c_))
    return c

E = mp.euler
G = mp.gamma
cont = []
late = []      # continuous laws written after the discrete ones: a case's
               # seed is its position, so the cases added later go last
def C(label, method, args, cdf, lo, hi, mean, var, opts=None, to=None):
    (cont if to is None else to).append((label, method, args, cdf, lo, hi, mean, var, opts))

C("random", "random", [], lambda x: min(max(x, 0), 1), 0, 1, 0.5, 1 / 12.0)
C("random float32", "random", [], lambda x: min(max(x, 0), 1), 0, 1, 0.5, 1 / 12.0, {"dtype": "float32"})
C("standard_normal", "standard_normal", [], Phi, -5, 5, 0, 1)
C("standard_normal float32", "standard_normal", [], Phi, -5, 5, 0, 1, {"dtype": "float32"})
C("normal(2, 3)", "normal", [2, 3], lambda x: Phi((x - 2) / 3), -20, 20, 2, 9)
C("uniform(-1, 3)", "uniform", [-1, 3], lambda x: min(max((x + 1) / 4, 0), 1), -1, 3, 1, 16 / 12.0)
C("standard_exponential", "standard_exponential", [], lambda x: 1 - mp.exp(-x) if x > 0 else 0, 0, 20, 1, 1)
C("standard_exponential float32", "standard_exponential", [], lambda x: 1 - mp.exp(-x) if x > 0 else 0, 0, 20, 1, 1, {"dtype": "float32"})
C("exponential(2)", "exponential", [2], lambda x: 1 - mp.exp(-x / 2) if x > 0 else 0, 0, 40, 2, 4)
C("standard_gamma(0.3)", "standard_gamma", [0.3], gamma_cdf(0.3, 1), 0, 20, 0.3, 0.3)
C("standard_gamma(30) float32", "standard_gamma", [30], gamma_cdf(30, 1), 0, 100, 30, 30, {"dtype": "float32"})
C("gamma(3, 2)", "gamma", [3, 2], gamma_cdf(3, 2), 0, 100, 6, 12)
C("beta(0.5, 0.5)", "beta", [0.5, 0.5], beta_cdf(0.5, 0.5), 0, 1, 0.5, 0.125)
C("beta(2, 5)", "beta", [2, 5], beta_cdf(2, 5), 0, 1, 2 / 7.0, 10 / (49.0 * 8))
C("chisquare(4)", "chisquare", [4], gamma_cdf(2, 2), 0, 100, 4, 8)
C("noncentral_chisquare(3, 2)", "noncentral_chisquare", [3, 2], ncx2_cdf(3, 2), 0, 100, 5, 2 * (3 + 4))
C("noncentral_chisquare(0.5, 1)", "noncentral_chisquare", [0.5, 1], ncx2_cdf(0.5, 1), 0, 100, 1.5, 2 * (0.5 + 2))
C("f(5, 10)", "f", [5, 10], f_cdf(5, 10), 0, 100, 10 / 8.0, 2 * 100 * 13 / (5 * 64 * 6.0))
C("standard_t(5)", "standard_t", [5], t_cdf(5), -50, 50, 0, 5 / 3.0)
C("standard_cauchy", "standard_cauchy", [], lambda x: mp.mpf(1) / 2 + mp.atan(x) / mp.pi, -100, 100, None, None)
C("lognormal(0.5, 0.75)", "lognormal", [0.5, 0.75], lambda x: Phi((mp.log(x) - 0.5) / 0.75) if x > 0 else 0, 0, 100,
  mp.exp(0.5 + 0.75 ** 2 / 2), (mp.exp(0.75 ** 2) - 1) * mp.exp(1 + 0.75 ** 2))
C("laplace(1, 2)", "laplace", [1, 2], lambda x: mp.exp((x - 1) / 2) / 2 if x < 1 else 1 - mp.exp(-(x - 1) / 2) / 2, -50, 50, 1, 8)
C("logistic(1, 2)", "logistic", [1, 2], lambda x: 1 / (1 + mp.exp(-(x - 1) / 2)), -50, 50, 1, 4 * mp.pi ** 2 / 3)
C("gumbel(1, 2)", "gumbel", [1, 2], lambda x: mp.exp(-mp.exp(-(x - 1) / 2)), -20, 50, 1 + 2 * E, mp.pi ** 2 * 4 / 6)
C("weibull(1.5)", "weibull", [1.5], lambda x: 1 - mp.exp(-x ** 1.5) if x > 0 else 0, 0, 20,
  G(1 + 1 / 1.5), G(1 + 2 / 1.5) - G(1 + 1 / 1.5) ** 2)
C("pareto(5)", "pareto", [5], lambda x: 1 - (1 + x) ** -5 if x > 0 else 0, 0, 20, 0.25, 5 / (16.0 * 3))
C("rayleigh(2)", "rayleigh", [2], lambda x: 1 - mp.exp(-x * x / 8) if x > 0 else 0, 0, 30,
  2 * mp.sqrt(mp.pi / 2), (4 - mp.pi) / 2 * 4)
C("power(3)", "power", [3], lambda x: min(max(x, 0), 1) ** 3, 0, 1, 0.75, 3 / (16.0 * 5))
C("vonmises(1, 4)", "vonmises", [1, 4], vonmises_cdf(1, 4), -3.14159, 3.14159, None, None)
C("vonmises(0, 0.5)", "vonmises", [0, 0.5], vonmises_cdf(0, 0.5), -3.14159, 3.14159, 0, None)
C("wald(1, 2)", "wald", [1, 2], wald_cdf(1, 2), 0, 50, 1, 0.5)
C("triangular(0, 1, 3)", "triangular", [0, 1, 3], tri_cdf(0, 1, 3), 0, 3, 4 / 3.0, (0 + 1 + 9 - 0 - 0 - 3) / 18.0)

# dfden 20 > 8: the fourth moment, which the variance's standard error needs, is finite
C("noncentral_f(5, 20, 2)", "noncentral_f", [5, 20, 2], ncf_cdf(5, 20, 2), 0, 100, *ncf_mean_var(5, 20, 2), to=late)
C("noncentral_f(3, 12, 0.5)", "noncentral_f", [3, 12, 0.5], ncf_cdf(3, 12, 0.5), 0, 100, *ncf_mean_var(3, 12, 0.5), to=late)

disc = []
def D(label, method, args, pmf, kmin, mean, var, kmax=None):
    disc.append((label, method, args, pmf, kmin, mean, var, kmax))

def lchoose(n, k):
    return mp.loggamma(n + 1) - mp.loggamma(k + 1) - mp.loggamma(n - k + 1)

D("integers(0, 10)", "integers", [0, 10], lambda k: mp.mpf(1) / 10 if 0 <= k < 10 else 0, 0, 4.5, 99 / 12.0, 9)
D("integers(-5, 1000)", "integers", [-5, 1000], lambda k: mp.mpf(1) / 1005 if -5 <= k < 1000 else 0, -5, 497.0,
  (1005 ** 2 - 1) / 12.0, 999)
D("poisson(3.5)", "poisson", [3.5], lambda k: mp.exp(-3.5) * mp.mpf(3.5) ** k / mp.factorial(k), 0, 3.5, 3.5)
D("poisson(50)", "poisson", [50], lambda k: mp.exp(-50 + k * mp.log(50) - mp.loggamma(k + 1)), 0, 50, 50)
D("poisson(1e6)", "poisson", [1e6], lambda k: mp.exp(-1e6 + k * mp.log(1e6) - mp.loggamma(k + 1)), 990000, 1e6, 1e6)
D("binomial(10, 0.3)", "binomial", [10, 0.3], lambda k: mp.exp(lchoose(10, k)) * mp.mpf(0.3) ** k * mp.mpf(0.7) ** (10 - k), 0, 3, 2.1, 10)
D("binomial(1000, 0.7)", "binomial", [1000, 0.7],
  lambda k: mp.exp(lchoose(1000, k) + k * mp.log(0.7) + (1000 - k) * mp.log(0.3)), 600, 700, 210, 1000)
D("binomial(100, 0.2)", "binomial", [100, 0.2],
  lambda k: mp.exp(lchoose(100, k) + k * mp.log(0.2) + (100 - k) * mp.log(0.8)), 0, 20, 16, 100)
D("negative_binomial(5, 0.4)", "negative_binomial", [5, 0.4],
  lambda k: mp.exp(lchoose(k + 4, k)) * mp.mpf(0.4) ** 5 * mp.mpf(0.6) ** k, 0, 5 * 0.6 / 0.4, 5 * 0.6 / 0.16)
D("hypergeometric(30, 20, 15)", "hypergeometric", [30, 20, 15],
  lambda k: mp.exp(lchoose(30, k) + lchoose(20, 15 - k) - lchoose(50, 15)) if 0 <= k <= 15 else 0, 0,
  15 * 30 / 50.0, 15 * (30 / 50.0) * (20 / 50.0) * (35 / 49.0), 15)
D("hypergeometric(500, 700, 300)", "hypergeometric", [500, 700, 300],
  lambda k: mp.exp(lchoose(500, k) + lchoose(700, 300 - k) - lchoose(1200, 300)) if 0 <= k <= 300 else 0, 60,
  300 * 500 / 1200.0, 300 * (500 / 1200.0) * (700 / 1200.0) * (900 / 1199.0), 300)
D("geometric(0.2)", "geometric", [0.2], lambda k: mp.mpf(0.8) ** (k - 1) * mp.mpf(0.2), 1, 5, 0.8 / 0.04)
lp = mp.log(1 - mp.mpf(0.8))
D("logseries(0.8)", "logseries", [0.8], lambda k: -mp.mpf(0.8) ** k / (k * lp), 1,
  -0.8 / (0.2 * lp), -0.8 * (0.8 + lp) / (0.04 * lp * lp))
D("zipf(3.5)", "zipf", [3.5], lambda k: mp.mpf(k) ** -3.5 / mp.zeta(3.5), 1,
  mp.zeta(2.5) / mp.zeta(3.5), mp.zeta(1.5) / mp.zeta(3.5) - (mp.zeta(2.5) / mp.zeta(3.5)) ** 2)

def lua_num(x):
    if x is None:
        return "nil"
    return repr(float(x))

def lua_list(xs):
    return "{" + ", ".join(lua_num(x) for x in xs) + "}"

def opts_str(opts):
    if not opts:
        return "nil"
    return "{" + ", ".join('%s = "%s"' % kv for kv in sorted(opts.items())) + "}"

out = []
out.append("-- SPDX-License-Identifier: MIT")
out.append("-- Generated by tests/random/ref.py (mpmath): chi-square bins, thresholds")
out.append("-- (exceeded by a correct sampler with probability 1e-7) and moments. Do not edit.")
out.append("return {")
def write_cont(label, method, args, cdf, lo, hi, mean, var, opts):
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    edges = [ppf(cdf, mp.mpf(k) / NBINS, lo, hi) for k in range(1, NBINS)]
    probs = [mp.mpf(1) / NBINS] * NBINS
    thr = chi2_isf(P_FAIL, NBINS - 1)
    out.append('  {label = "%s", method = "%s", args = %s, opts = %s, n = %d, discrete = false,'
               % (label, method, lua_list(args), opts_str(opts), N))
    out.append("   edges = %s," % lua_list(edges))
    out.append("   probs = %s, chi2max = %s, mean = %s, var = %s}," % (lua_list(probs), lua_num(thr), lua_num(mean), lua_num(var)))
for case in cont:
    write_cont(*case)
for (label, method, args, pmf, kmin, mean, var, kmax) in disc:
    # bins of consecutive values, each expected at least MIN_EXPECTED times;
    # the last bin takes everything above (kmin is where the law starts, or
    # so far below its mean that nothing below it counts)
    bins, cur, acc, k = [], [], mp.mpf(0), kmin
    total = mp.mpf(0)
    while True:
        if kmax is not None and k > kmax:
            break
        p = pmf(k)
        total += p
        cur.append(k)
        acc += p
        if acc * N >= MIN_EXPECTED:
            bins.append((cur[0], cur[-1], acc))
            cur, acc = [], mp.mpf(0)
        if 1 - total < mp.mpf(1) / N / 100 and k > mean:
            break
        k += 1
    rest = mp.mpf(1) - sum(b[2] for b in bins)
    last = bins[-1]
    bins[-1] = (last[0], last[1], last[2] + rest)   # the tails folded into the last bin
    edges = [b[1] + 0.5 for b in bins[:-1]]
    probs = [b[2] for b in bins]
    thr = chi2_isf(P_FAIL, len(bins) - 1)
    out.append('  {label = "%s", method = "%s", args = %s, opts = nil, n = %d, discrete = true,'
               % (label, method, lua_list(args), N))
    out.append("   edges = %s," % lua_list(edges))
    out.append("   probs = %s, chi2max = %s, mean = %s, var = %s}," % (lua_list(probs), lua_num(thr), lua_num(mean), lua_num(var)))
for case in late:
    write_cont(*case)
out.append("}")
print("\n".join(out))
