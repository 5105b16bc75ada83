# SPDX-License-Identifier: MIT
# Twin of montecarlo.lua (NumPy, or CuPy with "cupy" as the second argument).
import math
import common as C
from common import xp

n = 100000 if C.SMALL else 4000000
S0, K, r, sigma, T = 100, 105, 0.05, 0.2, 1.0
drift, vol = (r - 0.5 * sigma ** 2) * T, sigma * math.sqrt(T)


def price(z):
    ST = S0 * xp.exp(drift + vol * z)
    pay = xp.maximum(ST - K, 0) * math.exp(-r * T)
    return float(pay.mean()), float(pay.std()) / math.sqrt(n)


i = xp.arange(1, n + 1, dtype=xp.float64)
u1 = 1 - (i * 0.7548776662466927) % 1
u2 = (i * 0.5698402909980532) % 1
z = xp.sqrt(-2 * xp.log(u1)) * xp.cos(2 * math.pi * u2)
del i, u1, u2
q, se = price(z)
del z
p, _ = price(xp.random.default_rng(1).standard_normal(n))
C.report([q, se, 1 if abs(p - q) < 4 * se else 0])
