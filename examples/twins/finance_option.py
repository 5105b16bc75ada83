# SPDX-License-Identifier: MIT
# NumPy twin of examples/finance_option.lua: the same estimators on NumPy's
# own random numbers (PCG64), so the Monte Carlo figures agree with lunar's
# within their standard errors and the closed forms exactly.
#   python3 examples/twins/finance_option.py [full|small] [outdir] [--cupy]
import math
from common import xp, size, clock, name

n_eu, n_as, batch = (100000, 10000, 100000) if size == "small" else (10 ** 8, 10 ** 7, 10 ** 7)
S0, K, r, sigma, T, m = 100, 100, 0.05, 0.2, 1.0, 12
disc = math.exp(-r * T)
N = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))
sums = {}


def add(key, x):
    s = sums.setdefault(key, [0.0, 0.0, 0])
    s[0] += float(x.sum()); s[1] += float((x * x).sum()); s[2] += x.size


def estimate(key):
    s, q, n = sums[key]
    mean = s / n
    return mean, math.sqrt((q / n - mean * mean) / (n - 1))


t0 = clock()
g = xp.random.default_rng(12345)
drift, vol = (r - sigma ** 2 / 2) * T, sigma * math.sqrt(T)
for _ in range(n_eu // batch):
    z = g.standard_normal(batch)
    s = S0 * xp.exp(drift + vol * z)
    itm = s > K
    payoff = xp.where(itm, disc * (s - K), 0.0)
    delta = xp.where(itm, disc * s / S0, 0.0)
    dvol = xp.where(itm, disc * s * z, 0.0)
    add("call", payoff); add("delta", delta)
    add("vega", dvol * math.sqrt(T) - delta * (S0 * sigma * T))
dt = T / m
b = min(batch, n_as)
for _ in range(n_as // b):
    logS, tot, totlog = xp.full(b, math.log(S0)), xp.zeros(b), xp.zeros(b)
    for _ in range(m):
        logS = logS + ((r - sigma ** 2 / 2) * dt + sigma * math.sqrt(dt) * g.standard_normal(b))
        tot, totlog = tot + xp.exp(logS), totlog + logS
    add("asian", xp.maximum(tot / m - K, 0) * disc)
    add("asian_geo", xp.maximum(xp.exp(totlog / m) - K, 0) * disc)
elapsed = clock() - t0

d1 = (math.log(S0 / K) + (r + sigma ** 2 / 2) * T) / vol
bs = {"call": S0 * N(d1) - K * disc * N(d1 - vol), "delta": N(d1),
      "vega": S0 * math.sqrt(T) * math.exp(-d1 * d1 / 2) / math.sqrt(2 * math.pi)}
mu = math.log(S0) + (r - sigma ** 2 / 2) * T * (m + 1) / (2 * m)
sg = sigma * math.sqrt(T * (m + 1) * (2 * m + 1) / (6 * m * m))
g2 = (mu - math.log(K)) / sg
bs["asian_geo"] = disc * (math.exp(mu + sg * sg / 2) * N(g2 + sg) - K * N(g2))
for key in ["call", "delta", "vega", "asian_geo", "asian"]:
    mean, se = estimate(key)
    print("mc_%s = %.10g\nmc_%s_se = %.6g" % (key, mean, key, se))
    if key in bs:
        print("bs_%s = %.12g" % (key, bs[key]))
print("time: %.3f s on %s" % (elapsed, name))
