#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The polynomials of the GPU's float32 Box-Muller (src/core/lu_philox.h,
lu_philox_log_f32 and lu_philox_sincos_f32): minimax fits by the Remez
exchange on a dense grid, in double, with relative error, printed as the
float32 constants the header holds (9 significant digits give the float back).

  log(1 + f) = f + f^2 p(f),     f in [-1/3, 1/3],  p of degree 7
  sqrt(2) sin(pi t) = t p(t^2),  t in [-1/4, 1/4],  p of degree 3
  sqrt(2) cos(pi t) = sqrt(2) + t^2 p(t^2),         p of degree 3

tests/c/test_philox_f32.c measures the functions' errors over all inputs.
Usage: python3 tools/fit_normal_f32.py
"""
import numpy as np


def remez(f, w, a, b, n, iters=40, grid=400001):
    """coefficients c[0..n-1] of sum c_i x^i minimising max |w (f - p)| on [a, b]"""
    k = np.arange(n + 1)
    x = (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * k[::-1] / n)
    xs = np.linspace(a, b, grid)
    fx, wx = f(xs), w(xs)
    powers = np.array([xs ** i for i in range(n)])
    best = None
    for _ in range(iters):
        m = np.zeros((n + 1, n + 1))
        for i in range(n):
            m[:, i] = x ** i
        m[:, n] = (-1.0) ** k / w(x)
        c = np.linalg.solve(m, f(x))[:n]
        err = wx * (fx - c @ powers)
        top = np.max(np.abs(err))
        if best is None or top < best[1]:
            best = (c, top)
        # the next reference: the largest error of each run of one sign
        idx = np.where(np.abs(err) > 0.05 * top)[0]
        runs = np.split(idx, np.where(np.diff(np.sign(err[idx])) != 0)[0] + 1)
        ext = [r[np.argmax(np.abs(err[r]))] for r in runs if len(r)]
        if len(ext) < n + 1:
            break
        while len(ext) > n + 1:
            ext = ext[1:] if abs(err[ext[0]]) < abs(err[ext[-1]]) else ext[:-1]
        x = xs[ext]
    return best


def show(name, c, err):
    print("%s (max relative error %.2e):" % (name, err))
    print("  " + ", ".join("%.9e" % np.float32(v) for v in c))


def main():
    r2, pi = np.sqrt(2.0), np.pi

    def logq(x):   # (log(1 + x) - x) / x^2, its series near 0
        x = np.asarray(x, float)
        out = np.empty_like(x)
        s = np.abs(x) > 1e-4
        out[s] = (np.log1p(x[s]) - x[s]) / x[s] ** 2
        t = x[~s]
        out[~s] = -0.5 + t / 3 - t * t / 4 + t ** 3 / 5
        return out

    def logw(x):   # error of p times x^2, relative to log(1 + x)
        x = np.asarray(x, float)
        out = np.empty_like(x)
        s = np.abs(x) > 1e-4
        out[s] = x[s] ** 2 / np.abs(np.log1p(x[s]))
        out[~s] = np.abs(x[~s])
        return out

    c, e = remez(logq, logw, -1 / 3, 1 / 3, 8)
    show("log(1 + f) = f + f^2 p(f), p from f^7 down", c[::-1], e)

    def sinq(z):
        z = np.asarray(z, float)
        t = np.sqrt(np.maximum(z, 1e-300))
        return np.where(z > 0, r2 * np.sin(pi * t) / t, r2 * pi)

    c, e = remez(sinq, lambda z: 1 / sinq(z), 0.0, 1 / 16, 4)
    show("sqrt(2) sin(pi t) = t p(t^2), p from z^3 down", c[::-1], e)

    def cosq(z):
        z = np.asarray(z, float)
        return np.where(z > 0, r2 * (np.cos(pi * np.sqrt(z)) - 1) / np.maximum(z, 1e-300),
                        -r2 * pi * pi / 2)

    c, e = remez(cosq, lambda z: np.maximum(z, 1e-12) / (r2 * np.cos(pi * np.sqrt(z))),
                 0.0, 1 / 16, 4)
    show("sqrt(2) cos(pi t) = sqrt(2) + t^2 p(t^2), p from z^3 down", c[::-1], e)
    print("sqrt(2) = %.9e" % np.float32(r2))


if __name__ == "__main__":
    main()
