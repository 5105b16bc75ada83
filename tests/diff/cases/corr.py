# SPDX-License-Identifier: MIT
"""Weighted means, covariance and correlation against NumPy: average
(axes, weights, returned, keepdims), cov (rowvar, bias, ddof, fweights,
aweights, y), corrcoef, correlate and convolve (every mode, either array
the longer; fft_cases: the sizes where the FFT path runs, and the method
keyword). Every dtype, views, length-1 axes. Lunar's axes are 1-based
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


def view1(dt, n, lname, data):
    """a 1-d operand of n values of data (a base array, longer for "step")
    made by a view: c, rev (reversed) or step (every other value)"""
    a = A.__new__(A)
    if lname == "step":
        base, lview, npv = data[:2 * n], [[[1, -1, 2]]], (lambda x: x[::2])
    elif lname == "rev":
        base, lview, npv = data[:n], [[[-1, 1, -1]]], (lambda x: x[::-1])
    else:
        base, lview, npv = data[:n], [], (lambda x: x)
    a.spec = {"dtype": dt, "shape": [len(base)], "data": base, "view": lview}
    a.np = npv(base)
    a.lname = lname
    return a


def fft_vals(dt, n):
    """values on a grid of quarters (integers for integer dtypes), complex
    ones with both parts"""
    if dt.startswith("complex"):
        return (vals("float64", n) + 1j * vals("float64", n)).astype(dt)
    return vals(dt, n)


FFT_DTYPES = ["bool", "int8", "uint8", "int32", "int64", "float16", "float32", "float64",
              "complex64", "complex128"]
FFT_TOL = {"float16": 1e-3, "float32": 1e-5, "complex64": 1e-5}


def fft_cases(add):
    """correlate and convolve at sizes where the CPU's cost model takes the
    FFT (n x m = 300 x 100 and up), each also with method "fft" and
    "direct" forced (on a GPU, whose crossover is higher, the forced cases
    are the ones that run its FFT path): every mode, either array the
    longer, contiguous, reversed and strided operands; integer results
    exact (int8 and uint8 sums wrap); integers too large for one exact FFT
    product (full-range int64 and uint64 among them) split into limbs;
    infinities and NaNs kept to the outputs they touch."""
    for dt in FFT_DTYPES:
        tol = FFT_TOL.get(dt, 1e-10)
        for (n, m, la, lv) in ((300, 100, "c", "rev"), (100, 300, "step", "c"), (257, 90, "rev", "step")):
            a = view1(dt, n, la, fft_vals(dt, 2 * n))
            v = view1(dt, m, lv, fft_vals(dt, 2 * m))
            for mode in ("valid", "same", "full"):
                for fn in ("correlate", "convolve"):
                    f = getattr(np, fn)
                    add(C.call_case(fn, [a, v, mode], lambda x, y, md, f=f: f(x, y, md), rtol=tol))
                    meth = "fft" if (mode != "same") == (fn == "convolve") else "direct"
                    add(C.call_case(fn, [a, v, mode, {"method": meth}],
                                    lambda x, y, md, kw, f=f: f(x, y, md), rtol=tol))
        a = view1(dt, 40, "c", fft_vals(dt, 40))
        v = view1(dt, 30, "c", fft_vals(dt, 30))
        add(C.call_case("convolve", [a, v, {"method": "fft"}], lambda x, y, kw: np.convolve(x, y), rtol=tol))
        add(C.call_case("correlate", [a, v, "full", {"method": "fft"}],
                        lambda x, y, md, kw: np.correlate(x, y, md), rtol=tol))
    # larger: the FFT by the model on a GPU too (len x m past 10^7 for full)
    for dt, n, m, mode in (("float64", 6000, 2500, "full"), ("int32", 5000, 2000, "same"),
                           ("float32", 4000, 3000, "valid"), ("complex128", 3000, 3000, "full")):
        a = view1(dt, n, "c", fft_vals(dt, n))
        v = view1(dt, m, "rev", fft_vals(dt, m))
        add(C.call_case("convolve", [a, v, mode], lambda x, y, md: np.convolve(x, y, md),
                        rtol=FFT_TOL.get(dt, 1e-10)))
    # integers too large for one exact FFT product: in limbs, wrapping
    for dt, lo, hi in (("int64", -2 ** 40, 2 ** 40), ("uint64", 0, 2 ** 63), ("int32", -2 ** 30, 2 ** 30),
                       ("int64", -2 ** 63, 2 ** 63 - 1), ("uint64", 0, 2 ** 64 - 1)):
        a = lit(dt, C.rng.integers(lo, hi, 200, dtype=np.int64 if dt != "uint64" else np.uint64))
        v = lit(dt, C.rng.integers(lo, hi, 120, dtype=np.int64 if dt != "uint64" else np.uint64))
        for meth in ("auto", "fft"):
            add(C.call_case("convolve", [a, v, "full", {"method": meth}], lambda x, y, md, kw: np.convolve(x, y, md)))
            add(C.call_case("correlate", [v, a, "same", {"method": meth}], lambda x, y, md, kw: np.correlate(x, y, md)))
    # infinities and NaNs (either array), and values whose spectra overflow
    base = vals("float64", 300)
    for where in ("a", "v"):
        x = base.copy()
        y = vals("float64", 100)
        t = x if where == "a" else y
        t[7], t[50] = np.inf, np.nan
        for meth in ("auto", "fft"):
            for mode in ("full", "same"):
                add(C.call_case("convolve", [lit("float64", x), lit("float64", y), mode, {"method": meth}],
                                lambda p, q, md, kw: np.convolve(p, q, md), rtol=1e-10))
    # complex: a NaN in the imaginary part only (an infinity there would
    # test the direct products' complex inf arithmetic, where BLAS and
    # NumPy's naive products differ)
    for where in ("a", "v"):
        x = fft_vals("complex128", 300)
        y = fft_vals("complex128", 100)
        t = x if where == "a" else y
        t[9] = complex(1.0, np.nan)
        for meth in ("auto", "fft"):
            add(C.call_case("correlate", [lit("complex128", x), lit("complex128", y), "full", {"method": meth}],
                            lambda p, q, md, kw: np.correlate(p, q, md), rtol=1e-10))
    big = base * 1e300
    add(C.call_case("correlate", [lit("float64", big), lit("float64", vals("float64", 100)), "full", {"method": "fft"}],
                    lambda p, q, md, kw: np.correlate(p, q, md), rtol=1e-10))


def cases(tables):
    out = []
    add = out.append
    fft_cases(add)
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
