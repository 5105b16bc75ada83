# SPDX-License-Identifier: MIT
"""Weighted means, covariance and correlation against NumPy: average
(axes, weights, returned, keepdims), cov (rowvar, bias, ddof, fweights,
aweights, y), corrcoef, correlate and convolve (every mode, either array
the longer). Every dtype, views, length-1 axes. Lunar's axes are 1-based
(converted in the lambdas). NumPy's ZeroDivisionError for weights that sum
to zero is expected as an error."""
import warnings

import numpy as np

import common as C
from common import A

warnings.simplefilter("ignore")
ALL = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
       "float32", "float64"]


def vals(dt, n, lo=-4, hi=5):
    return C.quarter_values(dt, n, lo, hi)


def op(dt, shape, lname="c", lo=-4, hi=5):
    """an operand made by a view: c, T (axes reversed), rev (first axis)"""
    shape = tuple(shape)
    if lname == "T":
        base_shape, lview, npview = tuple(reversed(shape)), ["T"], (lambda a: a.T)
    elif lname == "rev":
        base_shape = shape
        lview = [[[-1, 1, -1]] + [[] for _ in range(len(shape) - 1)]]
        npview = lambda a: a[::-1]
    else:
        base_shape, lview, npview = shape, [], (lambda a: a)
    n = int(np.prod(base_shape)) if base_shape else 1
    flat = vals(dt, n, lo, hi)
    a = A.__new__(A)
    a.spec = {"dtype": dt, "shape": list(base_shape), "data": flat, "view": lview}
    a.np = npview(flat.reshape(base_shape))
    a.lname = lname
    return a


def lit(dt, data):
    return A(dt, None, values=data)


def npax(ax):
    if ax is None or ax is False:
        return None
    if isinstance(ax, list):
        return tuple(npax(x) for x in ax)
    return ax - 1 if ax > 0 else ax


def _avg(x, ax, w=None, returned=False, keepdims=False):
    try:
        r = np.average(x, axis=npax(ax), weights=w, returned=returned, keepdims=keepdims)
    except ZeroDivisionError as e:
        raise ValueError(str(e))
    if returned:
        return np.asarray(r[0]), np.asarray(r[1])
    return np.asarray(r)


def cases(tables):
    out = []
    add = out.append
    for dt in ALL:
        tol = 1e-5 if dt == "float32" else 1e-12
        for shape, ln in (((7,), "c"), ((3, 4), "T"), ((4, 3), "rev"), ((2, 3, 4), "c"), ((1, 4), "c")):
            a = op(dt, shape, ln)
            nd = len(shape)
            for ax in [None] + list(range(1, nd + 1)) + ([[1, nd]] if nd > 1 else []):
                add(C.call_case("average", [a, ax], lambda x, ax: _avg(x, ax), rtol=tol))
                add(C.call_case("average", [a, ax, None, True], lambda x, ax, w, r: _avg(x, ax, returned=True),
                                multi=True, rtol=tol))
                if ax is not None and not isinstance(ax, list):
                    w = op("float64", (shape[ax - 1],), "c", lo=1, hi=4)
                    add(C.call_case("average", [a, ax, w], lambda x, ax, w: _avg(x, ax, w), rtol=1e-12))
                    add(C.call_case("average", [a, {"axis": ax, "weights": w, "returned": True, "keepdims": True}],
                                    lambda x, kw: _avg(x, kw["axis"], kw["weights"], True, True),
                                    multi=True, rtol=1e-12))
            wf = op("int32", shape, "c", lo=0, hi=4)
            add(C.call_case("average", [a, None, wf], lambda x, ax, w: _avg(x, ax, w), rtol=1e-12))
        # cov and corrcoef
        for shape, ln in (((3, 6), "c"), ((6, 3), "T"), ((8,), "c"), ((2, 5), "rev")):
            m = op(dt, shape, ln)
            add(C.call_case("cov", [m], lambda x: np.asarray(np.cov(x)), rtol=1e-10))
            add(C.call_case("cov", [m, None, False], lambda x, y, r: np.asarray(np.cov(x, rowvar=False)),
                            rtol=1e-10))
            add(C.call_case("cov", [m, {"bias": True}], lambda x, kw: np.asarray(np.cov(x, bias=True)),
                            rtol=1e-10))
            add(C.call_case("cov", [m, {"ddof": 3}], lambda x, kw: np.asarray(np.cov(x, ddof=3)), rtol=1e-10))
            nobs = shape[-1] if len(shape) > 1 else shape[0]
            fw = lit("int64", C.rng.integers(0, 4, nobs))
            aw = lit("float64", C.rng.integers(1, 9, nobs) / 4.0)
            add(C.call_case("cov", [m, {"fweights": fw}], lambda x, kw: np.asarray(np.cov(x, fweights=kw["fweights"])),
                            rtol=1e-10))
            add(C.call_case("cov", [m, {"aweights": aw, "fweights": fw}],
                            lambda x, kw: np.asarray(np.cov(x, aweights=kw["aweights"], fweights=kw["fweights"])),
                            rtol=1e-10))
            add(C.call_case("cov", [m, {"aweights": aw, "ddof": 0}],
                            lambda x, kw: np.asarray(np.cov(x, aweights=kw["aweights"], ddof=0)), rtol=1e-10))
            y = op("float64", (2, nobs) if len(shape) > 1 else (nobs,), "c")
            if len(shape) == 1 or ln != "T":
                add(C.call_case("cov", [m, y], lambda x, y: np.asarray(np.cov(x, y)), rtol=1e-10))
                add(C.call_case("corrcoef", [m, y], lambda x, y: np.asarray(np.corrcoef(x, y)), rtol=1e-10))
            add(C.call_case("corrcoef", [m], lambda x: np.asarray(np.corrcoef(x)), rtol=1e-10))
            add(C.call_case("cov", [m, {"dtype": "float32"}], lambda x, kw: np.asarray(np.cov(x, dtype=np.float32)),
                            rtol=1e-5))
        # correlate and convolve
        for n, m_ in ((7, 3), (3, 7), (5, 5), (1, 4), (6, 1)):
            a = op(dt, (n,), "c")
            v = op(dt, (m_,), "rev" if m_ > 1 else "c")
            for mode in ("valid", "same", "full"):
                add(C.call_case("correlate", [a, v, mode], lambda x, y, md: np.correlate(x, y, md), rtol=tol))
                add(C.call_case("convolve", [a, v, mode], lambda x, y, md: np.convolve(x, y, md), rtol=tol))
            add(C.call_case("correlate", [a, v], lambda x, y: np.correlate(x, y), rtol=tol))
            add(C.call_case("convolve", [a, v], lambda x, y: np.convolve(x, y), rtol=tol))
    # mixed dtypes, long inputs (blocks of windows), errors
    add(C.call_case("correlate", [op("int32", (50,)), op("float32", (9,)), "full"],
                    lambda x, y, m: np.correlate(x, y, m), rtol=1e-5))
    add(C.call_case("convolve", [op("float64", (3000,)), op("float64", (1500,)), "same"],
                    lambda x, y, m: np.convolve(x, y, m), rtol=1e-9))
    add(C.call_case("correlate", [lit("float64", np.zeros(0)), op("float64", (3,))], np.correlate))
    add(C.call_case("correlate", [op("float64", (3,)), op("float64", (2,)), "middle"],
                    lambda x, y, m: np.correlate(x, y, m)))
    add(C.call_case("average", [op("float64", (3,)), None, lit("float64", [1, -1, 0])], lambda x, a, w: _avg(x, a, w)))
    add(C.call_case("average", [op("float64", (2, 3)), None, lit("float64", [1, 2, 3])],
                    lambda x, a, w: _avg(x, a, w)))
    add(C.call_case("average", [op("float64", (2, 3)), 2, lit("float64", [1, 2])],
                    lambda x, a, w: _avg(x, a, w)))
    add(C.call_case("cov", [op("float64", (2, 2, 2))], np.cov))
    return out
