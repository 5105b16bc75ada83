# SPDX-License-Identifier: MIT
"""Reference values of the special functions that NumPy lacks: erfinv,
erfcinv and digamma, computed here in 60-digit decimal arithmetic (mpmath
is not installed): erf and erfc by their Maclaurin series, or by the
asymptotic series of erfc far out, erfinv and erfcinv by Newton's iteration
on those, digamma by recurrence to large arguments and the asymptotic
(Bernoulli) series, with the reflection formula for negative arguments.
erf, erfc, gamma and lgamma come from Python's math module. The results are
rounded to float64 once, at the end."""
import math
from decimal import Decimal, getcontext, localcontext

PREC = 60
PI = Decimal("3.14159265358979323846264338327950288419716939937510582097494459")
BERNOULLI = [  # B_2, B_4, ..., B_20 as (numerator, denominator)
    (1, 6), (-1, 30), (1, 42), (-1, 30), (5, 66), (-691, 2730), (7, 6),
    (-3617, 510), (43867, 798), (-174611, 330)]


def _erf_series(x):
    # erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    x2 = x * x
    term = x
    total = x
    n = 0
    eps = Decimal(10) ** (-PREC - 5)
    while abs(term) > eps * abs(total) or n < 3:
        n += 1
        term = -term * x2 / n
        total += term / (2 * n + 1)
    return 2 / PI.sqrt() * total


def _erfc_asym(x):
    # erfc(x) = exp(-x^2)/(x sqrt(pi)) * sum (-1)^n (2n-1)!! / (2x^2)^n, x >= 7
    x2 = x * x
    s = Decimal(1)
    term = Decimal(1)
    n = 0
    while True:
        n += 1
        nxt = -term * (2 * n - 1) / (2 * x2)
        if abs(nxt) >= abs(term) or abs(nxt) < Decimal(10) ** (-PREC):
            break
        term = nxt
        s += term
    return (-x2).exp() / (x * PI.sqrt()) * s


def erfc_dec(x):
    if x < 7:
        return 1 - _erf_series(x)
    return _erfc_asym(x)


def erf_dec(x):
    if abs(x) < 7:
        return _erf_series(x)
    return 1 - erfc_dec(x) if x > 0 else erfc_dec(-x) - 1


def _newton(f, fprime, x, iters=60):
    for _ in range(iters):
        dx = f(x) / fprime(x)
        x -= dx
        if abs(dx) <= Decimal(10) ** (-PREC + 10) * (abs(x) + Decimal(10) ** -300):
            break
    return x


def _tail(q):
    """x with erfc(x) = q for 0 < q <= 1/2: Newton's iteration on
    log erfc(x) = log q, which is nearly quadratic in x, so it converges from
    afar where the iteration on erfc itself crawls."""
    qd = Decimal(q)
    lq = qd.ln()
    x = Decimal(_start(q))
    for _ in range(100):
        e = erfc_dec(x)
        g = e.ln() - lq
        gp = -2 / PI.sqrt() * (-x * x).exp() / e
        dx = g / gp
        x -= dx
        if abs(dx) <= Decimal(10) ** (-PREC + 10) * abs(x):
            break
    return x


def _start(q):
    """A first guess at x with erfc(x) = q, 0 < q <= 1/2 (double precision)."""
    x = 1.0
    for _ in range(200):
        e = math.erfc(x)
        if e == 0:
            x -= 0.5
            continue
        step = (math.log(e) - math.log(q)) / (-2 / math.sqrt(math.pi) * math.exp(-x * x) / e)
        x -= step
        if abs(step) < 1e-12 * x:
            break
    return x


def erfinv(y):
    y = float(y)
    if math.isnan(y) or abs(y) > 1:
        return math.nan
    if abs(y) == 1:
        return math.copysign(math.inf, y)
    if y == 0:
        return y
    with localcontext() as c:
        c.prec = PREC
        yd = Decimal(y)
        if abs(y) > 0.5:                       # through erfc: accurate in the tail
            return math.copysign(float(_tail(float(1 - abs(yd)))), y)
        x = _newton(lambda t: erf_dec(t) - yd,
                    lambda t: 2 / PI.sqrt() * (-t * t).exp(),
                    Decimal(math.sqrt(math.pi) / 2 * y))
        return float(x)


def erfcinv(q):
    q = float(q)
    if math.isnan(q) or q < 0 or q > 2:
        return math.nan
    if q == 0:
        return math.inf
    if q == 2:
        return -math.inf
    with localcontext() as c:
        c.prec = PREC
        if q > 1:
            return -erfcinv(2 - q)               # 2 - q is exact here
        if q > 0.5:
            return erfinv(1 - q)                 # and so is 1 - q
        return float(_tail(q))


def _sin_dec(x):
    # Taylor series after reduction to [-pi, pi]
    x = x - 2 * PI * (x / (2 * PI)).to_integral_value()
    term = x
    s = x
    n = 1
    while abs(term) > Decimal(10) ** (-PREC - 5):
        term = -term * x * x / ((n + 1) * (n + 2))
        s += term
        n += 2
    return s


def _cos_dec(x):
    return _sin_dec(x + PI / 2)


def digamma(x):
    x = float(x)
    if math.isnan(x):
        return math.nan
    if x == 0:
        return -math.copysign(math.inf, x)
    if x < 0 and x == math.floor(x):
        return math.nan
    if math.isinf(x):
        return math.inf if x > 0 else math.nan
    with localcontext() as c:
        c.prec = PREC
        xd = Decimal(x)
        r = Decimal(0)
        if xd < 0:                   # psi(x) = psi(1 - x) - pi / tan(pi x)
            r -= PI * _cos_dec(PI * xd) / _sin_dec(PI * xd)
            xd = 1 - xd
        while xd < 40:
            r -= 1 / xd
            xd += 1
        s = xd.ln() - 1 / (2 * xd)
        x2 = xd * xd
        p = x2
        for k, (num, den) in enumerate(BERNOULLI, start=1):
            s -= Decimal(num) / Decimal(den) / (2 * k) / p
            p *= x2
        return float(r + s)


def gamma(x):
    x = float(x)
    try:
        return math.gamma(x)
    except (ValueError, OverflowError):
        if x == 0:
            return math.copysign(math.inf, x)
        return math.inf if x > 0 else math.nan


def lgamma(x):
    x = float(x)
    try:
        return math.lgamma(x)
    except (ValueError, OverflowError):
        return math.inf


FUNCS = {
    "erf": math.erf, "erfc": math.erfc, "erfinv": erfinv, "erfcinv": erfcinv,
    "gamma": gamma, "lgamma": lgamma, "digamma": digamma,
}

getcontext().prec = PREC
