# SPDX-License-Identifier: MIT
"""The sort family against NumPy: sorting and searching, sets and counting,
histograms, scans and differences, order statistics. Every dtype, views
(transposed, strided, reversed), empty and length-1 axes, ties (argsort is
compared with NumPy's stable argsort, so its stability is checked), NaN,
infinities and -0.0.

Lunar's conventions are applied in the lambdas: axes and kth are given
1-based (converted for NumPy), every position NumPy returns is compared
plus 1 (argsort, searchsorted, unique's index and inverse, intersect1d's
indices, digitize, lexsort). Where Debian's NumPy 1.24 differs from NumPy 2
the lambda computes NumPy 2's answer from 1.24's pieces, each marked
"NumPy 2": unique's inverse has the input's shape; the unique_* functions
(2.0) are np.unique with equal_nan=False; a plain-number q keeps a float32
input's dtype in the interpolating quantile methods (2.5); histogram's
'auto' estimator limits the bin count and integer data get bins of at
least 1 (2.3); trapezoid is trapz.

partition and argpartition leave the order inside each part unspecified,
so they are checked by their defining property in tests/sort_spec.lua.
"""
import warnings

import numpy as np

import common as C
from common import A

ALL = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
       "float32", "float64"]
INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOATS = ["float32", "float64"]
warnings.simplefilter("ignore")
TRAPZ = getattr(np, "trapezoid", None) or np.trapz     # NumPy 2's name, 1.24's


# {===== operands
def values(dt, n, lo=-4, hi=5, nan=False, special=False, wide=False):
    rng = C.rng
    if dt == "bool":
        v = rng.integers(0, 2, n).astype(bool)
    elif dt.startswith("uint"):
        v = rng.integers(0, hi - lo, n)
        if wide:
            top = {"uint8": 255, "uint16": 65535, "uint32": 2**32 - 1, "uint64": 2**62}[dt]
            v = np.where(rng.random(n) < 0.3, top - rng.integers(0, 3, n), v)
        v = v.astype(dt)
    elif dt.startswith("int"):
        v = rng.integers(lo, hi, n)
        if wide:
            top = {"int8": 127, "int16": 32767, "int32": 2**31 - 1, "int64": 2**62}[dt]
            v = np.where(rng.random(n) < 0.3, rng.choice([-top, top], n), v)
        v = v.astype(dt)
    else:
        v = (rng.integers(lo * 4, hi * 4, n) / 4.0).astype(dt)
        if special and n >= 4:
            k = rng.choice(n, min(n, 5), replace=False)
            v[k] = np.array([np.inf, -np.inf, -0.0, 0.0, np.nan][:len(k)], dtype=dt)
        if nan and n > 0:
            v[rng.integers(0, n, max(1, n // 5))] = np.nan
    return v


def views(shape, lname):
    """(base_shape, lua view list, numpy view) for the layouts c, T, step,
    rev of any number of dimensions."""
    nd = len(shape)
    if lname == "c":
        return shape, [], lambda a: a
    if lname == "T":
        return tuple(reversed(shape)), ["T"], lambda a: a.T
    if lname == "step":       # every other element of the last axis
        base = tuple(shape[:-1]) + (2 * shape[-1],)
        idx = [[] for _ in range(nd - 1)] + [[1, -1, 2]]
        return base, [idx], lambda a: a[(slice(None),) * (nd - 1) + (slice(None, None, 2),)]
    if lname == "rev":        # the first axis reversed
        idx = [[-1, 1, -1]] + [[] for _ in range(nd - 1)]
        return shape, [idx], lambda a: a[::-1]
    raise KeyError(lname)


def op(dt, shape, lname="c", **kw):
    """An A operand of dtype dt and shape, made by the view lname."""
    base_shape, lview, npview = views(tuple(shape), lname)
    n = int(np.prod(base_shape)) if base_shape else 1
    flat = values(dt, n, **kw)
    base = flat.reshape(base_shape)
    a = A.__new__(A)
    a.spec = {"dtype": dt, "shape": list(base_shape), "data": flat, "view": lview}
    a.np = npview(base)
    a.lname = lname
    return a


def lit(dt, data):
    return A(dt, None, values=data)


def npax(ax):
    """lunar's 1-based axis (or None, or false: NumPy's None) as NumPy's"""
    if ax is None or ax is False:
        return None
    if isinstance(ax, (list, tuple)):
        return tuple(npax(x) for x in ax)
    return ax - 1 if ax > 0 else ax


LAYOUTS = [((7,), "c"), ((6,), "step"), ((6,), "rev"), ((3, 5), "c"), ((3, 5), "T"),
           ((4, 3), "step"), ((4, 3), "rev"), ((2, 3, 4), "c"), ((2, 3, 4), "T")]


def axes_of(nd):
    return list(range(1, nd + 1)) + [-1]
# }=====


def sorting(add):
    for dt in ALL:
        for shape, ln in LAYOUTS:
            nan = dt in FLOATS and ln in ("c", "rev")
            a = op(dt, shape, ln, nan=nan, special=dt in FLOATS and ln == "c", wide=ln == "T")
            nd = len(shape)
            for ax in axes_of(nd) + [False]:     # false: NumPy's axis=None
                add(C.call_case("sort", [a, ax], lambda x, ax: np.sort(x, axis=npax(ax), kind="stable"),
                                forms=("function", "method") if ax is not False else ("function",)))
                add(C.call_case("argsort", [a, ax],
                                lambda x, ax: np.argsort(x, axis=npax(ax), kind="stable") + 1,
                                forms=("function", "method")))
        # defaults, keywords, kinds
        a = op(dt, (4, 5), "c", nan=dt in FLOATS)
        add(C.call_case("sort", [a], lambda x: np.sort(x, kind="stable")))
        add(C.call_case("argsort", [a, {"axis": 1, "kind": "quicksort"}],
                        lambda x, kw: np.argsort(x, axis=0, kind="stable") + 1, forms=("function", "method")))
        add(C.call_case("argsort", [a, -1, "mergesort"], lambda x, ax, k: np.argsort(x, kind="stable") + 1))
        add(C.call_case("msort", [a], lambda x: np.sort(x, axis=0, kind="stable")))
        # empty and length-1 axes
        for shape in ((0,), (3, 0), (0, 4), (1, 5), (5, 1), (1,)):
            e = op(dt, shape, "c")
            for ax in [-1, 1, False]:
                add(C.call_case("sort", [e, ax], lambda x, ax: np.sort(x, axis=npax(ax), kind="stable")))
                add(C.call_case("argsort", [e, ax],
                                lambda x, ax: np.argsort(x, axis=npax(ax), kind="stable") + 1))
    # long rows (past the insertion sort) with many ties, and NaN/-0.0 runs
    for dt in ALL:
        a = op(dt, (300,), "c", lo=-3, hi=4, nan=dt in FLOATS, special=dt in FLOATS, wide=True)
        add(C.call_case("sort", [a], lambda x: np.sort(x, kind="stable")))
        add(C.call_case("argsort", [a], lambda x: np.argsort(x, kind="stable") + 1))
        b = op(dt, (3, 100), "T", lo=-50, hi=50, nan=dt in FLOATS)
        add(C.call_case("argsort", [b, 1], lambda x, ax: np.argsort(x, axis=0, kind="stable") + 1))
    z = lit("float64", [0.0, -0.0, 1.0, -0.0, 0.0, np.nan, -np.nan, -1.0])
    add(C.call_case("argsort", [z], lambda x: np.argsort(x, kind="stable") + 1))
    add(C.call_case("sort", [z], lambda x: np.sort(x, kind="stable")))
    # errors
    a = op("float64", (3, 4))
    add(C.call_case("sort", [a, 3], lambda x, ax: np.sort(x, axis=2)))
    add(C.call_case("sort", [a, -1, "bogus"], lambda x, ax, k: np.sort(x, kind="bogus")))
    add(C.call_case("argsort", [op("int32", ())], lambda x: np.argsort(x) + 1))     # NumPy: shape (1,)
    add(C.call_case("sort", [op("int32", ())], lambda x: np.sort(x)))


def _argsort_desc(x, axis=-1):
    """NumPy 2.5's stable descending argsort (NaN last, ties in input
    order), line by line"""
    def line(v):
        key = [((1 if (v.dtype.kind == "f" and np.isnan(e)) else 0),
                -(float(e) if v.dtype.kind == "f" else int(e))) for e in v]
        return np.array(sorted(range(len(v)), key=lambda i: key[i]), dtype=np.int64)
    if axis is None:
        return line(x.ravel())
    if x.ndim == 0:
        return np.zeros(1, dtype=np.int64)
    m = np.moveaxis(x, axis, -1)
    out = np.zeros(m.shape, dtype=np.int64)
    for i in np.ndindex(m.shape[:-1]):
        out[i] = line(m[i])
    return np.moveaxis(out, -1, axis)


def descending(add):
    for dt in ALL:
        for shape, ln in (((9,), "c"), ((3, 5), "T"), ((4, 3), "step"), ((2, 3, 4), "c"), ((0, 3), "c")):
            a = op(dt, shape, ln, lo=-3, hi=4, nan=dt in FLOATS, special=dt in FLOATS and ln == "c")
            for ax in [-1, 1]:
                add(C.call_case("argsort", [a, ax, {"descending": True}],
                                lambda x, ax, kw: _argsort_desc(x, npax(ax)) + 1, forms=("function", "method")))
                add(C.call_case("sort", [a, ax, {"descending": True}],
                                lambda x, ax, kw: np.take_along_axis(x, _argsort_desc(x, npax(ax)), npax(ax)),
                                forms=("function",)))
            if shape[-1] >= 2:
                for k in (0, 1, 2):
                    def tk(x, k, kw=None, k_=k):
                        smallest = kw is not None and kw.get("mode") == "smallest"
                        if smallest:
                            o = np.argsort(x, axis=-1, kind="stable")
                        else:
                            o = _argsort_desc(x, -1)
                        o = o[..., :k_]
                        return np.take_along_axis(x, o, -1), o + 1
                    add(C.call_case("top_k", [a, k], tk, multi=True))
                    add(C.call_case("top_k", [a, k, {"mode": "smallest"}], tk, multi=True))
    add(C.call_case("top_k", [op("int32", (4,)), 5], lambda x, k: _raise("k larger than the axis")))
    add(C.call_case("top_k", [op("int32", (4,)), 2, {"axis": False}], lambda x, k, kw: _raise("axis=None")))


def lexsorting(add):
    for dt in ALL:
        k1 = op(dt, (12,), "c", lo=0, hi=3)
        k2 = op(dt, (12,), "c", lo=0, hi=3)
        k3 = op("float64", (12,), "c", lo=0, hi=2, nan=True)
        add(C.call_case("lexsort", [[k1, k2]], lambda ks: np.lexsort(ks) + 1))
        add(C.call_case("lexsort", [[k1, k2, k3]], lambda ks: np.lexsort(ks) + 1))
        m = op(dt, (3, 4, 5), "c", lo=0, hi=2)
        add(C.call_case("lexsort", [m], lambda ks: np.lexsort(ks) + 1))
        add(C.call_case("lexsort", [m, 1], lambda ks, ax: np.lexsort(ks, axis=0) + 1))
        add(C.call_case("lexsort", [[op(dt, (4, 3), "T", lo=0, hi=2), op(dt, (4, 3), "c", lo=0, hi=2)], 1],
                        lambda ks, ax: np.lexsort(ks, axis=0) + 1))
    add(C.call_case("lexsort", [[op("int32", (3,)), op("int32", (4,))]], lambda ks: np.lexsort(ks)))


def searching(add):
    for dt in ALL:
        for ln in ("c", "step", "rev"):
            base = op(dt, (9,), ln, lo=-3, hi=4, nan=dt in FLOATS, special=dt in FLOATS)
            srt = lit(dt, np.sort(base.np, kind="stable"))
            v = op(dt, (3, 4), "T" if ln == "rev" else "c", lo=-5, hi=6, nan=dt in FLOATS)
            for side in ("left", "right"):
                add(C.call_case("searchsorted", [srt, v, side],
                                lambda a, v, sd: np.searchsorted(a, v, side=sd) + 1,
                                forms=("function", "method")))
                # sorter: 1-based positions that sort an unsorted array
                srtr = lit("int64", np.argsort(base.np, kind="stable") + 1)
                add(C.call_case("searchsorted", [base, v, {"side": side, "sorter": srtr}],
                                lambda a, v, kw: np.searchsorted(a, v, side=kw["side"],
                                                                 sorter=kw["sorter"] - 1) + 1))
            for sc in (2, -1, 0.5, True):
                if dt == "bool" and not isinstance(sc, bool):
                    continue
                add(C.call_case("searchsorted", [srt, sc], lambda a, v: int(np.searchsorted(a, v)) + 1))
        # empty sorted array and empty queries
        add(C.call_case("searchsorted", [lit(dt, np.zeros(0, dt)), op(dt, (3,))],
                        lambda a, v: np.searchsorted(a, v) + 1))
        add(C.call_case("searchsorted", [lit(dt, np.sort(values(dt, 5))), op(dt, (0,))],
                        lambda a, v: np.searchsorted(a, v) + 1))
    # mixed dtypes: compared in the common dtype
    add(C.call_case("searchsorted", [lit("int32", [1, 3, 5]), lit("float64", [2.5, 3.0, 6.0])],
                    lambda a, v: np.searchsorted(a, v) + 1))
    add(C.call_case("searchsorted", [lit("float32", [0.1, 0.2, 0.3]), 0.2],
                    lambda a, v: int(np.searchsorted(a, v)) + 1))
    add(C.call_case("searchsorted", [lit("float64", [1, 2]), lit("float64", [1.5]), "middle"],
                    lambda a, v, s: np.searchsorted(a, v, side=s)))


def sets(add):
    for dt in ALL:
        for shape, ln in (((10,), "c"), ((9,), "rev"), ((3, 4), "T"), ((2, 3, 2), "c"), ((0,), "c"), ((1,), "c")):
            a = op(dt, shape, ln, lo=-2, hi=3, nan=dt in FLOATS)
            add(C.call_case("unique", [a], lambda x: np.unique(x)))
            add(C.call_case("unique", [a, True, True, True], lambda x, *f: _uniq(x), multi=True))
            add(C.call_case("unique", [a, {"return_counts": True, "equal_nan": False}],
                            lambda x, kw: np.unique(x, return_counts=True, equal_nan=False), multi=True))
            add(C.call_case("unique", [a, False, True],
                            lambda x, i, v: (np.unique(x), np.unique(x, return_inverse=True)[1].reshape(x.shape) + 1),
                            multi=True))
            add(C.call_case("unique_values", [a], lambda x: np.unique(x, equal_nan=False)))
            add(C.call_case("unique_counts", [a], lambda x: np.unique(x, return_counts=True, equal_nan=False),
                            multi=True))
            add(C.call_case("unique_inverse", [a], lambda x: _uinv(x), multi=True))
            add(C.call_case("unique_all", [a], lambda x: _uall(x), multi=True))
        # along an axis
        m = op(dt, (5, 3), "c", lo=0, hi=2)
        for ax in (1, 2, -1):
            add(C.call_case("unique", [m, {"axis": ax}], lambda x, kw: np.unique(x, axis=npax(kw["axis"]))))
            add(C.call_case("unique", [m, True, True, True, ax], lambda x, i, v, c, ax: _uniq(x, npax(ax)),
                            multi=True))
        t = op(dt, (2, 4, 3), "T", lo=0, hi=2)
        add(C.call_case("unique", [t, {"axis": 2, "return_counts": True}],
                        lambda x, kw: np.unique(x, axis=1, return_counts=True), multi=True))
        # isin and the set operations
        x = op(dt, (3, 4), "c", lo=-3, hi=4, nan=dt in FLOATS)
        y = op(dt, (5,), "step", lo=-2, hi=3, nan=dt in FLOATS)
        for inv in (False, True):
            add(C.call_case("isin", [x, y, False, inv], lambda a, b, u, i: np.isin(a, b, invert=i)))
            add(C.call_case("in1d", [x, y, {"invert": inv}],
                            lambda a, b, kw: np.isin(a.ravel(), b, invert=kw["invert"])))
        add(C.call_case("isin", [x, lit(dt, np.zeros(0, dt))], lambda a, b: np.isin(a, b)))
        for f in ("union1d", "setdiff1d", "setxor1d"):
            add(C.call_case(f, [x, y], getattr(np, f)))
        add(C.call_case("intersect1d", [x, y], np.intersect1d))
        add(C.call_case("intersect1d", [x, y, False, True],
                        lambda a, b, u, r: _inter(a, b, False), multi=True))
        ux = lit(dt, np.unique(values(dt, 8, lo=-4, hi=5)))
        uy = lit(dt, np.unique(values(dt, 6, lo=-4, hi=5))[::-1].copy())
        for f in ("setdiff1d", "setxor1d"):
            add(C.call_case(f, [ux, uy, True], lambda a, b, u, f=f: getattr(np, f)(a, b, assume_unique=True)))
        add(C.call_case("intersect1d", [ux, uy, {"assume_unique": True, "return_indices": True}],
                        lambda a, b, kw: _inter(a, b, True), multi=True))
    # mixed dtypes
    add(C.call_case("isin", [lit("int32", [1, 2, 3]), lit("float64", [2.0, 2.5])], np.isin))
    add(C.call_case("union1d", [lit("int8", [1, 2]), lit("float32", [2.5])], np.union1d))
    add(C.call_case("unique", [op("int32", (3, 4)), {"axis": 3}], lambda x, kw: np.unique(x, axis=2)))


def _uniq(x, axis=None):
    """unique with all three extras, positions 1-based; NumPy 2: the
    inverse takes x's shape when axis is None"""
    u, i, v, c = np.unique(x, True, True, True, axis=axis)
    if axis is None:
        v = v.reshape(x.shape)
    return u, i + 1, v.reshape(-1) + 1 if axis is not None else v + 1, c


def _uinv(x):
    u, v = np.unique(x, return_inverse=True, equal_nan=False)
    return u, v.reshape(x.shape) + 1


def _uall(x):
    u, i, v, c = np.unique(x, True, True, True, equal_nan=False)
    return u, i + 1, v.reshape(x.shape) + 1, c


def _inter(a, b, au):
    r, i, j = np.intersect1d(a, b, assume_unique=au, return_indices=True)
    return r, i + 1, j + 1


def counting(add):
    for dt in ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"]:
        x = op(dt, (15,), "c", lo=0, hi=7)
        add(C.call_case("bincount", [x], np.bincount))
        add(C.call_case("bincount", [x, None, 12], np.bincount))
        w = op("float32", (15,), "c")
        add(C.call_case("bincount", [x, w], lambda x, w: np.bincount(x, w)))
        add(C.call_case("bincount", [x, {"weights": op("int64", (15,)), "minlength": 3}],
                        lambda x, kw: np.bincount(x, kw["weights"], kw["minlength"])))
        add(C.call_case("bincount", [op(dt, (8,), "rev", lo=0, hi=3)], np.bincount))
    add(C.call_case("bincount", [lit("int64", np.zeros(0, "int64"))], np.bincount))
    add(C.call_case("bincount", [lit("int64", np.zeros(0, "int64")), None, 4], np.bincount))
    add(C.call_case("bincount", [lit("int64", [1, -1])], np.bincount))
    add(C.call_case("bincount", [lit("float64", [1.0, 2.0])], np.bincount))
    add(C.call_case("bincount", [lit("int64", [1, 2]), lit("float64", [1.0])], np.bincount))
    add(C.call_case("bincount", [lit("int64", [1, 2]), None, -1], np.bincount))
    add(C.call_case("bincount", [op("int64", (2, 3), lo=0, hi=3)], np.bincount))


def _np2_estimated(x, est, rng_):
    """NumPy 2.3's bin count for an estimator (1.24's 'auto' had no limit
    and integer data could get bins narrower than 1)"""
    try:
        from numpy.lib import _histograms_impl as H     # NumPy 2
    except ImportError:
        from numpy.lib import histograms as H
    a = x.ravel()
    if a.dtype == bool:
        a = a.astype(np.uint8)
    first, last = H._get_outer_edges(a, rng_)
    if rng_ is not None:
        a = a[(a >= first) & (a <= last)]
    if a.size == 0:
        return 1
    if est == "auto":
        fd = H._hist_bin_fd(a, (first, last))
        sq = H._hist_bin_sqrt(a, (first, last))
        width = min(max(fd, sq / 2), H._hist_bin_sturges(a, (first, last)))
    else:
        width = H._hist_bin_selectors[est](a, (first, last))
    if not width:
        return 1
    if np.issubdtype(a.dtype, np.integer) and width < 1:
        width = 1
    return int(np.ceil(H._unsigned_subtract(last, first) / width))


def histograms(add):
    for dt in ALL:
        for shape, ln in (((40,), "c"), ((6, 5), "T"), ((10,), "rev"), ((0,), "c")):
            a = op(dt, shape, ln, lo=-5, hi=6)
            for bins in (1, 5, 10):
                add(C.call_case("histogram", [a, bins], lambda x, b: np.histogram(x, b), multi=True))
            add(C.call_case("histogram", [a], lambda x: np.histogram(x), multi=True))
            add(C.call_case("histogram", [a, 4, [-2.0, 3.0]],
                            lambda x, b, r: np.histogram(x, b, range=tuple(r)), multi=True))
            add(C.call_case("histogram", [a, 6, None, True],
                            lambda x, b, r, d: np.histogram(x, b, density=True), multi=True, rtol=1e-12))
            add(C.call_case("histogram_bin_edges", [a, 7], lambda x, b: np.histogram_bin_edges(x, b)))
            if shape != (0,):
                w = op("float64", shape, ln)
                add(C.call_case("histogram", [a, 5, None, None, w],
                                lambda x, b, r, d, w: np.histogram(x, b, weights=w), multi=True, rtol=1e-12))
                wi = op("int32", shape, ln)
                add(C.call_case("histogram", [a, {"bins": 3, "weights": wi}],
                                lambda x, kw: np.histogram(x, 3, weights=kw["weights"]), multi=True))
            edges = lit("float64", [-4.5, -1, 0, 0.5, 3, 3])
            add(C.call_case("histogram", [a, edges], lambda x, e: np.histogram(x, e), multi=True))
            add(C.call_case("histogram", [a, lit("int32", [-2, 0, 2, 4])], lambda x, e: np.histogram(x, e),
                            multi=True))
            for est in ("auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt"):
                if dt == "bool" and est in ("doane", "scott", "stone"):
                    continue
                add(C.call_case("histogram", [a, est],
                                lambda x, e: np.histogram(x, _np2_estimated(x, e, None)), multi=True,
                                rtol=1e-12))
            add(C.call_case("histogram", [a, "auto", [-3.0, 2.0]],
                            lambda x, e, r: np.histogram(x, _np2_estimated(x, e, tuple(r)), range=tuple(r)),
                            multi=True, rtol=1e-12))
    # float data on the edges, NaN and infinities outside the range
    f = lit("float32", [0.0, 0.1, 0.2, 0.3, 0.7, 1.0, 0.30000001, 0.5])
    add(C.call_case("histogram", [f, 10], lambda x, b: np.histogram(x, b), multi=True))
    add(C.call_case("histogram", [f, 3, [0.1, 0.5]], lambda x, b, r: np.histogram(x, b, range=tuple(r)), multi=True))
    g = lit("float64", [np.nan, 1.0, 2.0, np.inf])
    add(C.call_case("histogram", [g, 2, [0, 3]], lambda x, b, r: np.histogram(x, b, range=tuple(r)), multi=True))
    add(C.call_case("histogram", [g, 2], lambda x, b: np.histogram(x, b), multi=True))
    h = lit("float64", [1.0, 1.0, 1.0])
    add(C.call_case("histogram", [h, 4], lambda x, b: np.histogram(x, b), multi=True))
    # errors
    add(C.call_case("histogram", [h, lit("float64", [1, 0, 2])], lambda x, e: np.histogram(x, e)))
    add(C.call_case("histogram", [h, 0], lambda x, b: np.histogram(x, b)))
    add(C.call_case("histogram", [h, 3, [2, 1]], lambda x, b, r: np.histogram(x, b, range=tuple(r))))
    add(C.call_case("histogram", [h, 3, None, None, lit("float64", [1, 2])],
                    lambda x, b, r, d, w: np.histogram(x, b, weights=w)))
    add(C.call_case("histogram", [h, "bogus"], lambda x, b: np.histogram(x, b)))
    add(C.call_case("histogram", [h, {"bins": "auto", "weights": h}], lambda x, kw: np.histogram(x, "auto", weights=x)))
    # 2-d and n-d
    for dt in ["int32", "float32", "float64", "uint8"]:
        x = op(dt, (30,), "c", lo=-3, hi=4)
        y = op(dt, (30,), "rev", lo=0, hi=5)
        add(C.call_case("histogram2d", [x, y], lambda x, y: np.histogram2d(x, y), multi=True))
        add(C.call_case("histogram2d", [x, y, [3, 4]], lambda x, y, b: np.histogram2d(x, y, b), multi=True))
        add(C.call_case("histogram2d", [x, y, 3, [[-2, 2], [0, 4]], True],
                        lambda x, y, b, r, d: np.histogram2d(x, y, b, r, d), multi=True, rtol=1e-12))
        add(C.call_case("histogram2d", [x, y, lit("float64", [-3, 0, 1, 5])],
                        lambda x, y, b: np.histogram2d(x, y, b), multi=True))
        add(C.call_case("histogram2d", [x, y, {"bins": 2, "weights": op("float64", (30,))}],
                        lambda x, y, kw: np.histogram2d(x, y, 2, weights=kw["weights"]), multi=True, rtol=1e-12))
    # digitize
    for dt in ALL:
        x = op(dt, (3, 4), "T", lo=-4, hi=5, nan=dt in FLOATS)
        inc = lit(dt, np.sort(values(dt, 4, lo=-3, hi=4)))
        dec = lit(dt, np.sort(values(dt, 4, lo=-3, hi=4))[::-1].copy())
        for b in (inc, dec):
            add(C.call_case("digitize", [x, b], lambda x, b: np.digitize(x, b) + 1))
            add(C.call_case("digitize", [x, b, True], lambda x, b, r: np.digitize(x, b, right=True) + 1))
    add(C.call_case("digitize", [2.5, lit("float64", [1, 2, 3])], lambda x, b: int(np.digitize(x, b)) + 1))
    add(C.call_case("digitize", [lit("float64", [1, 2]), lit("float64", [1, 3, 2])], np.digitize))
    add(C.call_case("digitize", [lit("float64", [1, 2]), lit("float64", np.zeros(0))],
                    lambda x, b: np.digitize(x, b) + 1))


def scans(add):
    fns = {"cumsum": np.cumsum, "cumprod": np.cumprod, "nancumsum": np.nancumsum,
           "nancumprod": np.nancumprod}
    for dt in ALL:
        for shape, ln in LAYOUTS + [((0,), "c"), ((3, 0), "c"), ((1, 4), "c")]:
            a = op(dt, shape, ln, lo=-2, hi=3, nan=dt in FLOATS and ln in ("c", "T"))
            for name, f in fns.items():
                if name.startswith("nan") and dt not in FLOATS and ln != "c":
                    continue
                tol = 1e-5 if dt == "float32" else 1e-12
                for ax in [None] + axes_of(len(shape)):
                    add(C.call_case(name, [a, ax], lambda x, ax, f=f: f(x, axis=npax(ax)), rtol=tol,
                                    forms=("function", "method") if name in ("cumsum", "cumprod") else ("function",)))
        a = op(dt, (3, 4), "c", lo=-2, hi=3)
        for odt in ("float32", "int16", "float64", "uint8"):
            add(C.call_case("cumsum", [a, {"axis": 2, "dtype": odt}],
                            lambda x, kw: np.cumsum(x, axis=1, dtype=kw["dtype"]), rtol=1e-5))
            add(C.call_case("cumprod", [a, 1, odt], lambda x, ax, d: np.cumprod(x, axis=0, dtype=d), rtol=1e-5))
    # NumPy 2.1's cumulative_sum/cumulative_prod, from cumsum/cumprod
    for dt in ALL:
        for shape, ax in (((6,), None), ((3, 4), 1), ((3, 4), -1), ((2, 3, 2), 2)):
            a = op(dt, shape, "c", lo=-2, hi=3)
            for name, f in (("cumulative_sum", np.cumsum), ("cumulative_prod", np.cumprod)):
                ident = 1 if name == "cumulative_prod" else 0
                kw = {} if ax is None else {"axis": ax}
                add(C.call_case(name, [a, kw] if kw else [a],
                                lambda x, kw={}, f=f: f(x, axis=npax(kw.get("axis", 1)))))
                kw2 = dict(kw, include_initial=True)

                def init(x, kw, f=f, ident=ident):
                    ax = npax(kw.get("axis", 1)) % x.ndim
                    r = f(x, axis=ax)
                    shp = list(r.shape)
                    shp[ax] = 1
                    return np.concatenate([np.full(shp, ident, dtype=r.dtype), r], axis=ax)
                add(C.call_case(name, [a, kw2], init))
    add(C.call_case("cumulative_sum", [op("int32", (2, 3))], _axis_required))
    add(C.call_case("cumsum", [op("float64", (2, 3)), 3], lambda x, ax: np.cumsum(x, axis=2)))
    add(C.call_case("cumsum", [op("float64", (2, 3)), None, "bogus"], lambda x, ax, d: np.cumsum(x, dtype=d)))


def _axis_required(x):
    """NumPy 2.1: cumulative_sum needs an axis above one dimension"""
    raise ValueError("axis must be specified for arrays with more than one dimension")


def differences(add):
    for dt in ALL:
        for shape, ln in (((7,), "c"), ((6,), "rev"), ((3, 5), "T"), ((4, 3), "step"), ((2, 3, 4), "c"),
                          ((1, 3), "c"), ((0, 3), "c")):
            a = op(dt, shape, ln, lo=-4, hi=5, nan=dt in FLOATS and ln == "c")
            if dt == "uint64":   # no wrap-around past 2^63: the runner reads such values as floats
                a = op(dt, shape, ln, lo=0, hi=1)
            for n in (1, 2, 3):
                for ax in axes_of(len(shape)):
                    add(C.call_case("diff", [a, n, ax], lambda x, n, ax: np.diff(x, n, axis=npax(ax))))
            add(C.call_case("diff", [a], lambda x: np.diff(x)))
            add(C.call_case("diff", [a, 0], lambda x, n: np.diff(x, 0)))
            if dt != "bool":
                add(C.call_case("ediff1d", [a], np.ediff1d))
        b = op(dt, (2, 4), "c", lo=-4, hi=5)
        add(C.call_case("diff", [b, {"prepend": 1, "append": op(dt, (2, 2))}],
                        lambda x, kw: np.diff(x, prepend=1, append=kw["append"])))
        add(C.call_case("diff", [b, 1, 1, 2.5], lambda x, n, ax, p: np.diff(x, n, 0, prepend=p)))
        if dt not in ("bool",):
            add(C.call_case("ediff1d", [b, lit(dt, values(dt, 2)), 1],
                            lambda x, e, bg: np.ediff1d(x, to_end=e, to_begin=bg)))
    add(C.call_case("ediff1d", [lit("int32", [1, 2]), 1.5], lambda x, e: np.ediff1d(x, to_end=1.5)))
    add(C.call_case("ediff1d", [lit("float32", [1, 2]), 1.5], lambda x, e: np.ediff1d(x, to_end=e)))
    add(C.call_case("diff", [op("float64", (3,)), -1], lambda x, n: np.diff(x, n)))
    add(C.call_case("diff", [op("float64", ())], lambda x: np.diff(x)))
    # gradient
    for dt in ALL:
        if dt == "bool":
            continue
        for shape, ln in (((7,), "c"), ((5, 4), "T"), ((4, 5), "step"), ((3, 4, 5), "c")):
            f = op(dt, shape, ln, lo=-8, hi=9)
            tol = 1e-5 if dt == "float32" else 1e-12
            add(C.call_case("gradient", [f], lambda f: _tup(np.gradient(f)), multi=True, rtol=tol))
            add(C.call_case("gradient", [f, 2.0], lambda f, h: _tup(np.gradient(f, h)), multi=True, rtol=tol))
            add(C.call_case("gradient", [f, {"edge_order": 2}], lambda f, kw: _tup(np.gradient(f, edge_order=2)),
                            multi=True, rtol=tol))
            add(C.call_case("gradient", [f, {"axis": -1}], lambda f, kw: _tup(np.gradient(f, axis=-1)),
                            multi=True, rtol=tol))
            n = shape[0]
            xs = lit("float64", np.cumsum(np.arange(1, n + 1) * 0.5))
            add(C.call_case("gradient", [f, xs, {"axis": 1}], lambda f, x, kw: _tup(np.gradient(f, x, axis=0)),
                            multi=True, rtol=tol))
            add(C.call_case("gradient", [f, xs, {"axis": 1, "edge_order": 2}],
                            lambda f, x, kw: _tup(np.gradient(f, x, axis=0, edge_order=2)), multi=True, rtol=tol))
            ux = lit("int64", np.arange(n) * 3)
            add(C.call_case("gradient", [f, ux, {"axis": 1}], lambda f, x, kw: _tup(np.gradient(f, x, axis=0)),
                            multi=True, rtol=tol))
    add(C.call_case("gradient", [op("float64", (1, 3))], lambda f: _tup(np.gradient(f)), multi=True))
    add(C.call_case("gradient", [op("float64", (5,)), 1.0, 2.0], lambda f, a, b: _tup(np.gradient(f, a, b)),
                    multi=True))
    # trapezoid (NumPy 2's name; 1.24 has trapz)
    for dt in ALL:
        for shape, ln in (((7,), "c"), ((5, 4), "T"), ((4, 6), "step"), ((2, 3, 4), "c"), ((1,), "c")):
            y = op(dt, shape, ln, lo=-4, hi=5)
            tol = 1e-5 if dt == "float32" else 1e-12
            for name in ("trapezoid", "trapz"):
                add(C.call_case(name, [y], lambda y: np.asarray(TRAPZ(y)), rtol=tol))
            add(C.call_case("trapezoid", [y, None, 0.5], lambda y, x, dx: np.asarray(TRAPZ(y, dx=dx)), rtol=tol))
            add(C.call_case("trapezoid", [y, {"axis": 1}], lambda y, kw: np.asarray(TRAPZ(y, axis=0)), rtol=tol))
            xs = lit("float64", np.cumsum(np.arange(1, shape[-1] + 1) * 0.25))
            add(C.call_case("trapezoid", [y, xs], lambda y, x: np.asarray(TRAPZ(y, x)), rtol=tol))


def _tup(r):
    return tuple(r) if isinstance(r, (list, tuple)) else (r,)


QMETHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
            "hazen", "weibull", "linear", "median_unbiased", "normal_unbiased", "lower", "higher",
            "midpoint", "nearest"]
CONTINUOUS = {"averaged_inverted_cdf", "interpolated_inverted_cdf", "hazen", "weibull", "linear",
              "median_unbiased", "normal_unbiased", "midpoint"}


def _closest(x, q, axis=None, nan=False, keepdims=False):
    """NumPy 2.1's closest_observation (1.24 rounded to the nearest odd
    order statistic): the boundary previous where gamma == 0 and
    floor(index) is odd, else next, over the valid values of each line"""
    qa = np.asarray(q, dtype=float)

    def line(v):
        if nan and v.dtype.kind == "f":
            v = v[~np.isnan(v)]
        elif v.dtype.kind == "f" and np.isnan(v).any():
            return np.full(qa.shape, np.nan, dtype=v.dtype)
        if v.size == 0:
            return np.full(qa.shape, np.nan, dtype=v.dtype)
        s = np.sort(v)
        idx = v.size * qa - 1 - 0.5
        prev = np.floor(idx)
        g = idx - prev
        k = np.where((g == 0) & (prev % 2 == 1), prev, prev + 1).astype(np.intp)
        k = np.clip(k, 0, v.size - 1)
        return s[k]
    if axis is None:
        r = line(x.ravel())
        if keepdims:
            r = r.reshape(qa.shape + (1,) * x.ndim)
        return r
    ax = axis if axis >= 0 else axis + x.ndim
    moved = np.moveaxis(x, ax, -1)
    out = np.empty(qa.shape + moved.shape[:-1], dtype=x.dtype)
    for i in np.ndindex(moved.shape[:-1]):
        out[(Ellipsis,) + i] = line(moved[i])
    if keepdims:
        out = np.expand_dims(out, qa.ndim + ax)
    return out


def _raise(msg):
    raise ValueError(msg)


def _wq(x, q, kw, nan):
    """NumPy 2.0's weighted inverted_cdf quantile, after its source: per
    line the values sorted with their weights, the normalised cumulative
    weights (their zeros made -1 when a line starts with a zero weight),
    the value at searchsorted(cdf, q, 'left') (at most the last); a line
    holding a NaN gives NaN (the nan forms remove NaNs first)."""
    w = kw["weights"]
    ax = kw.get("axis")
    qa = np.asarray(q, dtype=float)
    axes = None if ax is None else tuple(npax(a) % x.ndim for a in (ax if isinstance(ax, list) else [ax]))
    if w.shape != x.shape:
        order = np.argsort(axes)
        w = w.transpose(order).reshape(tuple(s if i in axes else 1 for i, s in enumerate(x.shape)))
        w = np.broadcast_to(w, x.shape)
    if axes is None:
        xs, ws = x.reshape(1, -1), w.reshape(1, -1)
        kept = ()
    else:
        rest = [i for i in range(x.ndim) if i not in axes]
        xs = np.transpose(x, rest + list(axes)).reshape(-1, int(np.prod([x.shape[i] for i in axes])))
        ws = np.transpose(w, rest + list(axes)).reshape(xs.shape)
        kept = tuple(x.shape[i] for i in rest)
    out = np.empty(qa.shape + (xs.shape[0],), dtype=x.dtype)
    for r in range(xs.shape[0]):
        v, wt = xs[r], ws[r].astype(float)
        if nan and v.dtype.kind == "f":
            keep = ~np.isnan(v)
            v, wt = v[keep], wt[keep]
        if v.size == 0:
            out[..., r] = np.nan
            continue
        o = np.argsort(v, kind="stable")
        v, wt = v[o], wt[o]
        cdf = np.cumsum(wt) / np.cumsum(wt)[-1]
        if np.isnan(cdf[-1]):
            raise ValueError("Weights included NaN, inf or were all zero.")
        if cdf[0] == 0:
            cdf[cdf == 0] = -1
        i = np.minimum(np.searchsorted(cdf, qa, side="left"), v.size - 1)
        res = v[i]
        if not nan and v.dtype.kind == "f" and np.isnan(v[-1]):
            res = np.full(qa.shape, np.nan, dtype=v.dtype)
        out[..., r] = res
    return out.reshape(qa.shape + kept)


def _q2(r, x, q, method):
    """NumPy 2.5: a plain-number q keeps a float32 input's dtype in the
    interpolating methods (1.24 and 2.0-2.4 gave float64)"""
    r = np.asarray(r)
    if isinstance(q, (int, float)) and x.dtype == np.float32 and method in CONTINUOUS:
        return r.astype(np.float32)
    return r


def order_statistics(add):
    for dt in ALL:
        for shape, ln in (((9,), "c"), ((8,), "rev"), ((4, 5), "T"), ((5, 4), "step"), ((2, 3, 4), "c"),
                          ((1, 3), "c")):
            a = op(dt, shape, ln, lo=-6, hi=7, nan=dt in FLOATS and ln in ("c", "T"))
            tol = 1e-5 if dt == "float32" else 1e-12
            nd = len(shape)
            axs = [None] + axes_of(nd) + ([[1, nd]] if nd > 1 else [])
            for ax in axs:
                for f, nf in (("median", np.median), ("nanmedian", np.nanmedian)):
                    if dt == "bool" and f == "nanmedian":
                        continue
                    add(C.call_case(f, [a, ax], lambda x, ax, nf=nf: np.asarray(nf(x, axis=npax(ax))), rtol=tol))
                if dt != "bool":
                    add(C.call_case("percentile", [a, 40, ax],
                                    lambda x, q, ax: _q2(np.percentile(x, q, axis=npax(ax)), x, q, "linear"),
                                    rtol=tol))
                    add(C.call_case("nanquantile", [a, [0.25, 0.9], ax],
                                    lambda x, q, ax: np.asarray(np.nanquantile(x, q, axis=npax(ax))), rtol=tol))
            add(C.call_case("median", [a, {"keepdims": True}], lambda x, kw: np.asarray(np.median(x, keepdims=True)),
                            rtol=tol))
            if dt == "bool":
                continue
            for m in QMETHODS:
                for q in (0.0, 0.3, 0.5, 1.0, [0.1, 0.5, 0.95]):
                    if m == "closest_observation":   # NumPy 2.1
                        add(C.call_case("quantile", [a, q, {"method": m, "axis": -1}],
                                        lambda x, q, kw: np.asarray(_closest(x, q, -1)), rtol=tol))
                        continue
                    add(C.call_case("quantile", [a, q, {"method": m, "axis": -1}],
                                    lambda x, q, kw, m=m: _q2(np.quantile(x, q, axis=-1, method=m), x, q, m),
                                    rtol=tol))
                if m == "closest_observation":
                    add(C.call_case("nanpercentile", [a, [10, 50, 77], nd, None, False, m],
                                    lambda x, q, ax, o, ow, m: _closest(x, np.asarray(q) / 100, npax(ax), True),
                                    rtol=tol))
                    add(C.call_case("percentile", [a, 33.3, {"method": m, "keepdims": True}],
                                    lambda x, q, kw: np.asarray(_closest(x, q / 100, keepdims=True)), rtol=tol))
                    continue
                add(C.call_case("nanpercentile", [a, [10, 50, 77], nd, None, False, m],
                                lambda x, q, ax, o, ow, m: np.asarray(
                                    np.nanpercentile(x, q, axis=npax(ax), method=m)), rtol=tol))
                add(C.call_case("percentile", [a, 33.3, {"method": m, "keepdims": True}],
                                lambda x, q, kw, m=m: _q2(np.percentile(x, q, method=m, keepdims=True), x, q, m),
                                rtol=tol))
    # NumPy 2.0's weights (inverted_cdf), computed here after NumPy's
    # algorithm: 1.24 has no weights
    for dt in ["int32", "float32", "float64", "uint8", "int64"]:
        for shape, ax, wshape in (((9,), None, (9,)), ((4, 5), 2, (5,)), ((4, 5), 1, (4,)),
                                  ((4, 5), 2, (4, 5)), ((2, 3, 4), [1, 3], (2, 4))):
            a = op(dt, shape, "c", lo=-6, hi=7, nan=dt in FLOATS)
            w = op("float64", wshape, "c", lo=0, hi=3)
            for f, nan in (("quantile", False), ("nanquantile", True)):
                for q in (0.0, 0.4, 1.0, [0.2, 0.5]):
                    kw = {"method": "inverted_cdf", "weights": w}
                    if ax is not None:
                        kw["axis"] = ax
                    add(C.call_case(f, [a, q, kw], lambda x, q, kw, nan=nan: _wq(x, q, kw, nan)))
    add(C.call_case("quantile", [op("float64", (4,)), 0.5, {"weights": op("float64", (4,), lo=0, hi=2)}],
                    lambda x, q, kw: np.quantile(x, q, method="linear", weights=kw["weights"])
                    if False else _raise("only method 'inverted_cdf' supports weights")))
    add(C.call_case("quantile", [op("float64", (4,)), 0.5, {"method": "inverted_cdf",
                                                              "weights": lit("float64", [1, -1, 1, 1])}],
                    lambda x, q, kw: _raise("weights must be non-negative")))
    add(C.call_case("quantile", [op("float64", (4,)), 0.5, {"method": "inverted_cdf",
                                                              "weights": lit("float64", [0, 0, 0, 0])}],
                    lambda x, q, kw: _raise("weights were all zero")))
    # all-NaN and NaN-free rows, infinities, 2-d q
    r = lit("float64", [[np.nan, np.nan, np.nan], [1.0, np.nan, 3.0], [np.inf, 1.0, -np.inf]])
    for f, nf in (("median", np.median), ("nanmedian", np.nanmedian)):
        add(C.call_case(f, [r, 2], lambda x, ax, nf=nf: np.asarray(nf(x, axis=1))))
    add(C.call_case("nanpercentile", [r, 50, 2], lambda x, q, ax: np.asarray(np.nanpercentile(x, q, axis=1))))
    add(C.call_case("quantile", [op("float64", (6,)), lit("float64", [[0.1, 0.2], [0.5, 1.0]])],
                    lambda x, q: np.quantile(x, q)))
    add(C.call_case("median", [lit("float64", np.zeros(0))], lambda x: np.asarray(np.median(x))))
    # errors
    a = op("float64", (3, 4))
    add(C.call_case("percentile", [a, 101], lambda x, q: np.percentile(x, q)))
    add(C.call_case("quantile", [a, -0.1], lambda x, q: np.quantile(x, q)))
    add(C.call_case("quantile", [a, 0.5, {"method": "bogus"}], lambda x, q, kw: np.quantile(x, q, method="bogus")))
    add(C.call_case("median", [a, 3], lambda x, ax: np.median(x, axis=2)))
    add(C.call_case("percentile", [lit("bool", [True, False]), 50], lambda x, q: np.percentile(x, q)))
    add(C.call_case("quantile", [lit("float64", np.zeros(0)), 0.5], lambda x, q: np.quantile(x, q)))


def cases(tables):
    out = []
    add = out.append
    for part in (sorting, descending, lexsorting, searching, sets, counting, histograms, scans, differences,
                 order_statistics):
        part(add)
    return out
