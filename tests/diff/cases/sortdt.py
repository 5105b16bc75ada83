# SPDX-License-Identifier: MIT
"""The sort family with float16, bfloat16, complex64 and complex128 (the
dtypes the backends have no loops for, src/core/sortdt.c): sorting,
searching, sets, histograms, scans and differences, order statistics,
statistics and contractions, with views, NaNs in either part of a complex
number, ties, -0.0 and empty axes.

Complex values are ordered as NumPy sorts them (real part, then imaginary
part, NaNs last in the order R+Rj, R+nanj, nan+Rj, nan+nanj). bfloat16 has
no NumPy dtype (Debian's NumPy 1.24): its operands are float32 arrays
holding bfloat16 values, NumPy computes in float32 and the expected
bfloat16 results are NumPy's float32 results rounded to bfloat16 (lunar's
definition: compute in float32, round once). NumPy 2 answers computed from
1.24's pieces are marked "NumPy 2": median of a row holding a NaN is that
row's largest value (1.24: nan+0j); a plain-number q keeps a float16
input's dtype in the interpolating quantile methods; quantile and
percentile of complex input are a TypeError (1.25); histogram of complex
data is an error in lunar (NumPy casts it to real with a warning).
"""
import re
import warnings

import numpy as np

import common as C
from common import A
import sort as S
from dtypes import bf16_round

NEW = ["float16", "bfloat16", "complex64", "complex128"]
HALF = ["float16", "bfloat16"]
CPLX = ["complex64", "complex128"]
warnings.simplefilter("ignore")
npax = S.npax


# {===== operands
def values(dt, n, lo=-4, hi=5, nan=False, special=False):
    """n values of dt (bfloat16: float32 holding bfloat16 values; complex:
    both parts on a coarse grid, so that real parts tie, NaN in either)"""
    if dt in HALF:
        return S.values("float32", n, lo, hi, nan=nan, special=special).astype(
            "float16" if dt == "float16" else "float32")
    part = "float32" if dt == "complex64" else "float64"
    re_ = (C.rng.integers(lo, hi, n) / 2.0).astype(part)
    im = (C.rng.integers(lo, hi, n) / 2.0).astype(part)
    if special and n >= 4:
        k = C.rng.choice(n, 2, replace=False)
        re_[k[0]], im[k[0]] = np.inf, 1.0
        re_[k[1]], im[k[1]] = 1.0, -np.inf
    if nan and n > 0:
        re_[C.rng.integers(0, n, max(1, n // 6))] = np.nan
        im[C.rng.integers(0, n, max(1, n // 6))] = np.nan
    return (re_.astype(np.float64) + 1j * im.astype(np.float64)).astype(dt)


def op(dt, shape, lname="c", **kw):
    if dt not in NEW:
        return S.op(dt, shape, lname, **kw)
    base_shape, lview, npview = S.views(tuple(shape), lname)
    n = int(np.prod(base_shape)) if base_shape else 1
    flat = values(dt, n, **kw)
    a = A.__new__(A)
    a.spec = {"dtype": dt, "shape": list(base_shape), "data": flat, "view": lview}
    a.np = npview(flat.reshape(base_shape))
    a.lname = lname
    return a


def lit(dt, data):
    if dt == "bfloat16":
        a = A("float32", None, values=bf16_round(np.asarray(data, dtype=np.float32)))
        a.spec["dtype"] = "bfloat16"
        return a
    return A(dt, None, values=data)
# }=====


# {===== cases: bfloat16 results and complex tolerances
def _bf(r):
    if isinstance(r, tuple):
        return tuple(_bf(x) for x in r)
    if isinstance(r, list):
        return [_bf(x) for x in r]
    r2 = np.asarray(r) if isinstance(r, (np.ndarray, np.floating)) else r
    if isinstance(r2, np.ndarray) and r2.dtype == np.float32:
        return bf16_round(r2)
    return r


def _arr(r):
    """NumPy scalars as 0-d arrays (lunar returns those)"""
    return np.asarray(r) if isinstance(r, np.generic) else r


_CPLX_RES = re.compile(r'(\{dtype="complex(?:64|128)",shape=\{[^}]*\},expect=\{[^}]*\},rtol=)0\.0\}')
_F32_RES = re.compile(r'dtype="float32"')


def case(fn, args, np_fn, bf=False, ctol=None, **kw):
    """C.call_case, with bf: NumPy's float32 results are bfloat16 ones
    (rounded, relabelled); ctol: the tolerance of complex results (an
    association NumPy does not share, as a parallel scan)"""
    def f(*a):
        r = np_fn(*a)
        r = tuple(_arr(x) for x in r) if isinstance(r, tuple) else _arr(r)
        return _bf(r) if bf else r
    t = C.call_case(fn, args, f, **kw)
    if t is None:
        return None
    head, sep, res = t.partition("results={")
    if bf and sep:
        res = _F32_RES.sub('dtype="bfloat16"', res)
    if ctol is not None and sep:
        res = _CPLX_RES.sub(lambda m: m.group(1) + C.lua_float(ctol) + "}", res)
    return head + sep + res


def _ctol(dt):
    return 1e-5 if dt in ("complex64", "float32") else 1e-12


def _ftol(dt):
    return {"float16": 1e-3, "bfloat16": 1e-2, "complex64": 1e-5, "complex128": 1e-12}[dt]


def _type_error(msg):
    raise TypeError(msg)
# }=====


LAYOUTS = [((9,), "c"), ((6,), "step"), ((6,), "rev"), ((3, 5), "c"), ((3, 5), "T"),
           ((4, 3), "step"), ((2, 3, 4), "c"), ((2, 3, 4), "T")]


def _desc_line(v):
    """NumPy 2.5's stable descending order of one line, NaN last (complex:
    the NaN classes last, each ordered from its largest non-NaN part)"""
    def key(e):
        if np.iscomplexobj(v):
            rn, inn = np.isnan(e.real), np.isnan(e.imag)
            cls = 2 * rn + inn
            return (cls, 0.0 if rn else -float(e.real), 0.0 if inn else -float(e.imag))
        return (1, 0.0) if np.isnan(e) else (0, -float(e))
    return np.array(sorted(range(len(v)), key=lambda i: key(v[i])), dtype=np.int64)


def _argsort_desc(x, axis):
    if axis is None:
        return _desc_line(x.ravel())
    m = np.moveaxis(x, axis, -1)
    out = np.zeros(m.shape, dtype=np.int64)
    for i in np.ndindex(m.shape[:-1]):
        out[i] = _desc_line(m[i])
    return np.moveaxis(out, -1, axis)


def sorting(add):
    for dt in NEW:
        bf = dt == "bfloat16"
        for shape, ln in LAYOUTS:
            a = op(dt, shape, ln, nan=ln in ("c", "T", "rev"), special=ln == "c")
            for ax in S.axes_of(len(shape)) + [False]:
                add(case("sort", [a, ax], lambda x, ax: np.sort(x, axis=npax(ax), kind="stable"), bf=bf,
                         forms=("function", "method") if ax is not False else ("function",)))
                add(case("argsort", [a, ax], lambda x, ax: np.argsort(x, axis=npax(ax), kind="stable") + 1,
                         forms=("function", "method")))
            add(case("argsort", [a, -1, {"descending": True}],
                     lambda x, ax, kw: _argsort_desc(x, -1) + 1))
            add(case("sort", [a, 1, {"descending": True}],
                     lambda x, ax, kw: np.take_along_axis(x, _argsort_desc(x, 0), 0), bf=bf))
        for shape in ((0,), (3, 0), (1, 5), (5, 1)):
            e = op(dt, shape, "c")
            for ax in (-1, 1, False):
                add(case("sort", [e, ax], lambda x, ax: np.sort(x, axis=npax(ax), kind="stable"), bf=bf))
                add(case("argsort", [e, ax], lambda x, ax: np.argsort(x, axis=npax(ax), kind="stable") + 1))
        # long rows: ties and NaN runs through the radix passes
        a = op(dt, (300,), "c", lo=-3, hi=4, nan=True, special=True)
        add(case("sort", [a], lambda x: np.sort(x, kind="stable"), bf=bf))
        add(case("argsort", [a], lambda x: np.argsort(x, kind="stable") + 1))
        b = op(dt, (3, 100), "T", lo=-5, hi=5, nan=True)
        add(case("argsort", [b, 1], lambda x, ax: np.argsort(x, axis=0, kind="stable") + 1))
        add(case("msort", [b], lambda x: np.sort(x, axis=0, kind="stable"), bf=bf))
        # sort_complex: NumPy's result dtypes (complex128 for float16 and float32)
        add(case("sort_complex", [op(dt, (7,), "rev", nan=dt in CPLX)], np.sort_complex))
        add(case("sort_complex", [op(dt, (3, 4), "T")], np.sort_complex))
        # lexsort with keys of the new dtypes
        k1 = op(dt, (12,), "c", lo=0, hi=3, nan=True)
        k2 = op(dt, (12,), "c", lo=0, hi=3)
        add(case("lexsort", [[k1, k2]], lambda ks: np.lexsort(ks) + 1))
        add(case("lexsort", [[k2, op("int32", (12,), lo=0, hi=2), k1]], lambda ks: np.lexsort(ks) + 1))
        m = op(dt, (3, 4, 5), "c", lo=0, hi=2)
        add(case("lexsort", [m, 1], lambda ks, ax: np.lexsort(ks, axis=0) + 1))
        # top_k: the k largest, NaN counted as the largest? no: NaN last
        for k in (1, 3):
            t = op(dt, (3, 6), "c", lo=-3, hi=4)
            add(case("top_k", [t, k], lambda x, k: (np.take_along_axis(x, _argsort_desc(x, -1)[..., :k], -1),
                                                    _argsort_desc(x, -1)[..., :k] + 1), multi=True, bf=bf))
    for sc in (1, 2.5):
        add(case("sort_complex", [op("int8", (5,))] if sc == 1 else [op("float32", (5,))], np.sort_complex))
    add(case("sort_complex", [op("uint16", (3, 2))], np.sort_complex))
    add(case("sort_complex", [op("int64", (5,))], np.sort_complex))
    add(case("sort_complex", [op("bool", (4,))], np.sort_complex))
    add(case("sort_complex", [op("float32", ())], lambda x: np.sort_complex(x)))
    z = lit("complex128", [0j, complex(-0.0, 0), complex(0, -0.0), 1 + 0j, complex(np.nan, 0),
                           complex(0, np.nan), complex(np.nan, np.nan), complex(np.inf, 0), complex(0, np.inf)])
    add(case("argsort", [z], lambda x: np.argsort(x, kind="stable") + 1))


def searching(add):
    for dt in NEW:
        bf = dt == "bfloat16"
        for ln in ("c", "step", "rev"):
            base = op(dt, (9,), ln, lo=-3, hi=4, nan=True, special=dt in HALF)
            srt = lit(dt, np.sort(base.np, kind="stable"))
            v = op(dt, (3, 4), "T" if ln == "rev" else "c", lo=-5, hi=6, nan=True)
            for side in ("left", "right"):
                add(case("searchsorted", [srt, v, side], lambda a, v, sd: np.searchsorted(a, v, side=sd) + 1,
                         forms=("function", "method")))
                srtr = lit("int64", np.argsort(base.np, kind="stable") + 1)
                add(case("searchsorted", [base, v, {"side": side, "sorter": srtr}],
                         lambda a, v, kw: np.searchsorted(a, v, side=kw["side"], sorter=kw["sorter"] - 1) + 1))
            for sc in (2, -1, 0.5):
                add(case("searchsorted", [srt, sc], lambda a, v: int(np.searchsorted(a, v)) + 1))
        add(case("searchsorted", [lit(dt, np.zeros(0, "float32" if bf else dt)), op(dt, (3,))],
                 lambda a, v: np.searchsorted(a, v) + 1))
        add(case("searchsorted", [lit(dt, np.sort(values(dt, 5))), op(dt, (0,))],
                 lambda a, v: np.searchsorted(a, v) + 1))
        # mixed with a real dtype: compared in the common dtype
        add(case("searchsorted", [lit(dt, np.sort(values(dt, 6))), op("int32", (4,))],
                 lambda a, v: np.searchsorted(a, v) + 1))
        add(case("searchsorted", [lit("float64", [-1.5, 0.0, 0.5, 2.0]), op(dt, (5,))],
                 lambda a, v: np.searchsorted(a, v) + 1))
    # complex queries: ties in the real part, the NaN classes
    a = lit("complex128", np.sort(np.array([1 + 1j, 1 + 2j, 2 + 0j, 2 + 0j, complex(1, np.nan),
                                            complex(np.nan, 0), complex(np.nan, 3), complex(np.nan, np.nan)])))
    q = lit("complex128", [1 + 1j, 1 + 1.5j, 2 + 0j, complex(0, np.nan), complex(5, np.nan),
                           complex(np.nan, 1), complex(np.nan, 3), complex(np.nan, np.nan), 3 + 0j])
    for side in ("left", "right"):
        add(case("searchsorted", [a, q, side], lambda a, v, sd: np.searchsorted(a, v, side=sd) + 1))


def _uniq(x, axis=None):
    u, i, v, c = np.unique(x, True, True, True, axis=axis)
    if axis is None:
        v = v.reshape(x.shape)
    return u, i + 1, v.reshape(-1) + 1 if axis is not None else v + 1, c


def sets(add):
    for dt in NEW:
        bf = dt == "bfloat16"
        for shape, ln in (((10,), "c"), ((9,), "rev"), ((3, 4), "T"), ((2, 3, 2), "c"), ((0,), "c"),
                          ((1,), "c")):
            a = op(dt, shape, ln, lo=-2, hi=3, nan=True)
            add(case("unique", [a], lambda x: np.unique(x), bf=bf))
            add(case("unique", [a, True, True, True], lambda x, *f: _uniq(x), multi=True, bf=bf))
            add(case("unique", [a, {"return_counts": True, "equal_nan": False}],
                     lambda x, kw: np.unique(x, return_counts=True, equal_nan=False), multi=True, bf=bf))
            add(case("unique_values", [a], lambda x: np.unique(x, equal_nan=False), bf=bf))
            add(case("unique_all", [a], lambda x: S._uall(x), multi=True, bf=bf))
        m = op(dt, (5, 3), "c", lo=0, hi=2)
        for ax in (1, 2):
            add(case("unique", [m, {"axis": ax}], lambda x, kw: np.unique(x, axis=npax(kw["axis"])), bf=bf))
            add(case("unique", [m, True, True, True, ax], lambda x, i, v, c, ax: _uniq(x, npax(ax)),
                     multi=True, bf=bf))
        x = op(dt, (3, 4), "c", lo=-3, hi=4, nan=True)
        y = op(dt, (5,), "step", lo=-2, hi=3, nan=True)
        for inv in (False, True):
            add(case("isin", [x, y, False, inv], lambda a, b, u, i: np.isin(a, b, invert=i)))
            add(case("in1d", [x, y, {"invert": inv}], lambda a, b, kw: np.isin(a.ravel(), b, invert=kw["invert"])))
        add(case("isin", [x, op("int32", (4,), lo=-2, hi=2)], np.isin))
        for f in ("union1d", "setdiff1d", "setxor1d"):
            add(case(f, [x, y], getattr(np, f), bf=bf))
        add(case("intersect1d", [x, y], np.intersect1d, bf=bf))
        add(case("intersect1d", [x, y, False, True], lambda a, b, u, r: S._inter(a, b, False), multi=True, bf=bf))
        ux = lit(dt, np.unique(values(dt, 8, lo=-4, hi=5)))
        uy = lit(dt, np.unique(values(dt, 6, lo=-4, hi=5))[::-1].copy())
        for f in ("setdiff1d", "setxor1d"):
            add(case(f, [ux, uy, True], lambda a, b, u, f=f: getattr(np, f)(a, b, assume_unique=True), bf=bf))
        add(case("intersect1d", [ux, uy, {"assume_unique": True, "return_indices": True}],
                 lambda a, b, kw: S._inter(a, b, True), multi=True, bf=bf))
        # counting
        add(case("count_nonzero", [op(dt, (3, 4), "T", lo=-1, hi=2)], lambda x: np.asarray(np.count_nonzero(x))))
        add(case("count_nonzero", [op(dt, (3, 4), "c", lo=-1, hi=2), 2],
                 lambda x, ax: np.count_nonzero(x, axis=1)))
        xi = op("int32", (8,), "c", lo=0, hi=5)
        if dt in HALF:
            add(case("bincount", [xi, op(dt, (8,))], lambda x, w: np.bincount(x, w)))
        else:
            add(case("bincount", [xi, op(dt, (8,))], lambda x, w: np.bincount(x, w)))   # NumPy: TypeError
        add(case("bincount", [op(dt, (4,), lo=0, hi=3)], np.bincount))                     # TypeError
    # complex NaN classes with equal_nan (NumPy 2: one NaN, the first)
    z = lit("complex128", [1 + 1j, complex(np.nan, 1), complex(1, np.nan), 1 + 1j, complex(np.nan, np.nan), 2j])
    add(case("unique", [z], np.unique))
    add(case("unique", [z, {"equal_nan": False, "return_counts": True}],
             lambda x, kw: np.unique(x, equal_nan=False, return_counts=True), multi=True))


def histograms(add):
    for dt in ("float16",):
        for shape, ln in (((40,), "c"), ((6, 5), "T"), ((10,), "rev"), ((0,), "c")):
            a = op(dt, shape, ln, lo=-5, hi=6)
            for bins in (1, 5, 10):
                add(case("histogram", [a, bins], lambda x, b: np.histogram(x, b), multi=True))
            add(case("histogram", [a, 4, [-2.0, 3.0]], lambda x, b, r: np.histogram(x, b, range=tuple(r)),
                     multi=True))
            add(case("histogram", [a, 6, None, True], lambda x, b, r, d: np.histogram(x, b, density=True),
                     multi=True, rtol=1e-3))
            add(case("histogram_bin_edges", [a, 7], lambda x, b: np.histogram_bin_edges(x, b)))
            if shape != (0,):
                w = op("float16", shape, ln)
                add(case("histogram", [a, 5, None, None, w], lambda x, b, r, d, w: np.histogram(x, b, weights=w),
                         multi=True, rtol=1e-3))
                wc = op("complex128", shape, ln)
                add(case("histogram", [a, 5, None, None, wc], lambda x, b, r, d, w: np.histogram(x, b, weights=w),
                         multi=True, ctol=1e-12))
            add(case("histogram", [a, lit("float16", [-4.5, -1, 0, 0.5, 3, 3])], lambda x, e: np.histogram(x, e),
                     multi=True))
            add(case("histogram", [a, lit("float64", [-2, 0, 2.5, 4])], lambda x, e: np.histogram(x, e),
                     multi=True))
            for est in ("sqrt", "sturges", "rice"):
                add(case("histogram", [a, est], lambda x, e: np.histogram(x, S._np2_estimated(x, e, None)),
                         multi=True, rtol=1e-3))
        x = op(dt, (30,), "c", lo=-3, hi=4)
        y = op(dt, (30,), "rev", lo=0, hi=5)
        add(case("histogram2d", [x, y], lambda x, y: np.histogram2d(x, y), multi=True))
        add(case("histogram2d", [x, y, [3, 4]], lambda x, y, b: np.histogram2d(x, y, b), multi=True))
        add(case("histogram2d", [x, y, lit("float64", [-3, 0, 1, 5])], lambda x, y, b: np.histogram2d(x, y, b),
                 multi=True))
    add(case("histogram", [lit("float16", [2.0, 2.0, 2.0]), 4], lambda x, b: np.histogram(x, b), multi=True))
    for dt in HALF:
        x = op(dt, (3, 4), "T", lo=-4, hi=5, nan=True)
        inc = lit(dt, np.sort(values(dt, 4, lo=-3, hi=4)))
        dec = lit(dt, np.sort(values(dt, 4, lo=-3, hi=4))[::-1].copy())
        for b in (inc, dec):
            add(case("digitize", [x, b], lambda x, b: np.digitize(x, b) + 1))
            add(case("digitize", [x, b, True], lambda x, b, r: np.digitize(x, b, right=True) + 1))
    for dt in CPLX:
        c = op(dt, (6,), "c")
        add(case("histogram", [c, 3], lambda x, b: _type_error("complex data")))
        add(case("histogram_bin_edges", [c, 3], lambda x, b: _type_error("complex data")))
        add(case("histogram2d", [c, c], lambda x, y: _type_error("complex data")))
        add(case("digitize", [c, lit("float64", [0, 1])], lambda x, b: np.digitize(x, b)))     # TypeError
        add(case("digitize", [op("float64", (3,)), lit(dt, [0, 1])], lambda x, b: _type_error("complex bins")))


def scans(add):
    fns = {"cumsum": np.cumsum, "cumprod": np.cumprod, "nancumsum": np.nancumsum, "nancumprod": np.nancumprod}
    for dt in NEW:
        bf = dt == "bfloat16"
        for shape, ln in LAYOUTS + [((0,), "c"), ((3, 0), "c"), ((1, 4), "c")]:
            a = op(dt, shape, ln, lo=-2, hi=3, nan=ln in ("c", "T"))
            for name, f in fns.items():
                for ax in [None] + S.axes_of(len(shape)):
                    add(case(name, [a, ax], lambda x, ax, f=f: f(x, axis=npax(ax)), rtol=_ftol(dt), bf=bf,
                             ctol=_ctol(dt), forms=("function", "method") if name in ("cumsum", "cumprod")
                             else ("function",)))
        a = op(dt, (3, 4), "c", lo=-2, hi=3)
        for odt in ("float32", "float64", "complex128"):
            add(case("cumsum", [a, {"axis": 2, "dtype": odt}],
                     lambda x, kw: np.cumsum(x, axis=1, dtype=kw["dtype"]), rtol=1e-3, ctol=1e-12))
        b = op("int16", (3, 4), "c", lo=-2, hi=3)
        if dt != "bfloat16":
            add(case("cumprod", [b, 1, dt], lambda x, ax, d: np.cumprod(x, axis=0, dtype=d), rtol=1e-3,
                     ctol=_ctol(dt)))
        # long rows: the product's passes
        c = op(dt, (2, 40), "c", lo=-1, hi=2) if dt in CPLX else op(dt, (2, 40), "c", lo=0, hi=2)
        add(case("cumprod", [c, 2], lambda x, ax: np.cumprod(x, axis=1), rtol=_ftol(dt), ctol=_ctol(dt), bf=bf))
        add(case("cumsum", [c], lambda x: np.cumsum(x), rtol=_ftol(dt), ctol=_ctol(dt), bf=bf))


def differences(add):
    for dt in NEW:
        bf = dt == "bfloat16"
        for shape, ln in (((7,), "c"), ((6,), "rev"), ((3, 5), "T"), ((4, 3), "step"), ((2, 3, 4), "c"),
                          ((0, 3), "c")):
            a = op(dt, shape, ln, lo=-4, hi=5, nan=ln == "c")
            for n in (1, 2):
                for ax in S.axes_of(len(shape)):
                    add(case("diff", [a, n, ax], lambda x, n, ax: np.diff(x, n, axis=npax(ax)), bf=bf))
            add(case("ediff1d", [a], np.ediff1d, bf=bf))
        b = op(dt, (2, 4), "c", lo=-4, hi=5)
        add(case("diff", [b, {"prepend": 1, "append": op(dt, (2, 2))}],
                 lambda x, kw: np.diff(x, prepend=1, append=kw["append"]), bf=bf))
        for shape, ln in (((7,), "c"), ((5, 4), "T"), ((4, 5), "step")):
            f = op(dt, shape, ln, lo=-8, hi=9)
            tol = _ftol(dt)
            add(case("gradient", [f], lambda f: S._tup(np.gradient(f)), multi=True, rtol=tol, ctol=_ctol(dt), bf=bf))
            add(case("gradient", [f, 2.0], lambda f, h: S._tup(np.gradient(f, h)), multi=True, rtol=tol,
                     ctol=_ctol(dt), bf=bf))
            add(case("gradient", [f, {"edge_order": 2}], lambda f, kw: S._tup(np.gradient(f, edge_order=2)),
                     multi=True, rtol=tol, ctol=_ctol(dt), bf=bf))
            xs = lit("float64", np.cumsum(np.arange(1, shape[0] + 1) * 0.5))
            add(case("gradient", [f, xs, {"axis": 1}], lambda f, x, kw: S._tup(np.gradient(f, x, axis=0)),
                     multi=True, rtol=tol, ctol=_ctol(dt), bf=bf))
            add(case("trapezoid", [f], lambda y: np.asarray(S.TRAPZ(y)), rtol=tol, ctol=_ctol(dt), bf=bf))
            add(case("trapezoid", [f, None, 0.5], lambda y, x, dx: np.asarray(S.TRAPZ(y, dx=dx)), rtol=tol,
                     ctol=_ctol(dt), bf=bf))
            add(case("trapezoid", [f, xs, 1.0, 1], lambda y, x, dx, ax: np.asarray(S.TRAPZ(y, x, axis=0)),
                     rtol=tol, ctol=_ctol(dt), bf=bf))


def _q2(r, x, q, method):
    """NumPy 2: a plain-number q keeps a float16 (float32) input's dtype in
    the interpolating methods"""
    r = np.asarray(r)
    if isinstance(q, (int, float)) and x.dtype in (np.float16, np.float32) and method in S.CONTINUOUS:
        return r.astype(x.dtype)
    return r


def _cmedian(x, axis=None, nan=False, keepdims=False):
    """NumPy 2's median of complex values: a line holding a NaN gives its
    largest value (the last sorted; 1.24 gave nan+0j); nanmedian drops
    those values"""
    def line(v):
        s = np.sort(v, kind="stable")
        isn = np.isnan(s)
        if nan:
            s = s[~isn]
            if s.size == 0:
                return np.array(np.nan, dtype=v.dtype)
        elif isn.any():
            return s[-1]
        n = s.size
        return np.asarray((s[(n - 1) // 2] + s[n // 2]) / 2, dtype=v.dtype)
    if axis is None:
        r = line(x.ravel())
        return r.reshape((1,) * x.ndim) if keepdims else np.asarray(r)
    m = np.moveaxis(x, axis, -1)
    out = np.empty(m.shape[:-1], dtype=x.dtype)
    for i in np.ndindex(m.shape[:-1]):
        out[i] = line(m[i])
    return np.expand_dims(out, axis) if keepdims else out


def order_statistics(add):
    for dt in NEW:
        bf = dt == "bfloat16"
        for shape, ln in (((9,), "c"), ((8,), "rev"), ((4, 5), "T"), ((5, 4), "step"), ((2, 3, 4), "c")):
            a = op(dt, shape, ln, lo=-6, hi=7, nan=ln in ("c", "T"))
            nd = len(shape)
            for ax in [None] + S.axes_of(nd):
                if dt in CPLX:
                    add(case("median", [a, ax], lambda x, ax: _cmedian(x, npax(ax)), ctol=_ctol(dt)))
                    add(case("nanmedian", [a, ax], lambda x, ax: _cmedian(x, npax(ax), nan=True), ctol=_ctol(dt)))
                    continue
                for f, nf in (("median", np.median), ("nanmedian", np.nanmedian)):
                    add(case(f, [a, ax], lambda x, ax, nf=nf: np.asarray(nf(x, axis=npax(ax))), rtol=_ftol(dt),
                             bf=bf))
                add(case("percentile", [a, 40, ax],
                         lambda x, q, ax: _q2(np.percentile(x, q, axis=npax(ax)), x, q, "linear"),
                         rtol=_ftol(dt), bf=bf))
                add(case("nanquantile", [a, [0.25, 0.9], ax],
                         lambda x, q, ax: np.asarray(np.nanquantile(x, q, axis=npax(ax))), rtol=1e-12))
            if dt in CPLX:
                add(case("median", [a, {"keepdims": True}], lambda x, kw: _cmedian(x, keepdims=True),
                         ctol=_ctol(dt)))
                add(case("quantile", [a, 0.5], lambda x, q: _type_error("a must be an array of real numbers")))
                add(case("percentile", [a, 50], lambda x, q: _type_error("a must be an array of real numbers")))
                add(case("nanpercentile", [a, 50], lambda x, q: _type_error("a must be an array of real numbers")))
                continue
            add(case("median", [a, {"keepdims": True}], lambda x, kw: np.asarray(np.median(x, keepdims=True)),
                     rtol=_ftol(dt), bf=bf))
            for m in S.QMETHODS:
                if m == "closest_observation":
                    continue
                for q in (0.0, 0.3, 1.0, [0.1, 0.5, 0.95]):
                    add(case("quantile", [a, q, {"method": m, "axis": -1}],
                             lambda x, q, kw, m=m: _q2(np.quantile(x, q, axis=-1, method=m), x, q, m),
                             rtol=_ftol(dt), bf=bf))
        w = op("float64", (9,), "c", lo=0, hi=3)
        add(case("quantile", [op(dt, (9,), "c", lo=-6, hi=7) if dt in HALF else op(dt, (9,)), 0.4,
                              {"method": "inverted_cdf", "weights": w}],
                 lambda x, q, kw: S._wq(x, q, kw, False) if x.dtype.kind != "c"
                 else _type_error("a must be an array of real numbers"), bf=bf))


def statistics(add):
    for dt in NEW:
        bf = dt == "bfloat16"
        tol = _ftol(dt)
        for shape, ln in (((7,), "c"), ((4, 5), "T"), ((3, 4), "step"), ((2, 3, 4), "c")):
            a = op(dt, shape, ln, lo=-5, hi=6)
            nd = len(shape)
            for ax in [None] + S.axes_of(nd):
                add(case("average", [a, ax], lambda x, ax: np.asarray(np.average(x, axis=npax(ax))), rtol=tol,
                         ctol=_ctol(dt), bf=bf))
            wt = op("float64", (shape[-1],), "c", lo=1, hi=4)
            add(case("average", [a, -1, wt], lambda x, ax, w: np.asarray(np.average(x, axis=-1, weights=w)),
                     rtol=tol, ctol=_ctol(dt)))
            add(case("average", [a, {"axis": -1, "weights": wt, "returned": True}],
                     lambda x, kw: tuple(np.asarray(r) for r in np.average(x, axis=-1, weights=kw["weights"],
                                                                          returned=True)), multi=True,
                     rtol=tol, ctol=_ctol(dt)))
            add(case("ptp", [a], lambda x: np.asarray(np.ptp(x)), bf=bf))
            add(case("ptp", [a, 1], lambda x, ax: np.ptp(x, axis=0), bf=bf))
        m = op(dt, (3, 6), "c", lo=-5, hi=6)
        y = op(dt, (3, 6), "T" if False else "c", lo=-5, hi=6)
        add(case("cov", [m], lambda x: np.asarray(np.cov(x)), rtol=1e-12, ctol=1e-12))
        add(case("cov", [m, y], lambda x, y: np.asarray(np.cov(x, y)), rtol=1e-12, ctol=1e-12))
        add(case("cov", [m, {"rowvar": False, "bias": True}], lambda x, kw: np.asarray(np.cov(x, rowvar=False, bias=True)),
                 rtol=1e-12, ctol=1e-12))
        add(case("cov", [m, None, True, False, 2, lit("int32", [1, 2, 1, 1, 3, 1])],
                 lambda x, y, rv, b, dd, fw: np.asarray(np.cov(x, rowvar=rv, bias=b, ddof=dd, fweights=fw)),
                 rtol=1e-12, ctol=1e-12))
        add(case("corrcoef", [m], lambda x: np.asarray(np.corrcoef(x)), rtol=1e-12, ctol=1e-12))
        add(case("corrcoef", [m, y, False], lambda x, y, rv: np.asarray(np.corrcoef(x, y, rowvar=rv)), rtol=1e-12,
                 ctol=1e-12))
        for la, lv in ((7, 3), (3, 7), (5, 5)):
            u = op(dt, (la,), "c", lo=-3, hi=4)
            v = op(dt, (lv,), "rev", lo=-3, hi=4)
            for mode in ("full", "same", "valid"):
                add(case("correlate", [u, v, mode], lambda a, v, md: np.correlate(a, v, md), rtol=tol,
                         ctol=_ctol(dt), bf=bf))
                add(case("convolve", [u, v, mode], lambda a, v, md: np.convolve(a, v, md), rtol=tol,
                         ctol=_ctol(dt), bf=bf))
        add(case("correlate", [op(dt, (5,)), op("float32", (3,))], lambda a, v: np.correlate(a, v),
                 rtol=1e-5, ctol=1e-5))


def contractions(add):
    for dt in NEW:
        bf = dt == "bfloat16"
        tol, ct = _ftol(dt), _ctol(dt)
        a = op(dt, (3, 4), "c", lo=-3, hi=4)
        b = op(dt, (4, 5), "T", lo=-3, hi=4)
        c = op(dt, (3, 4), "step", lo=-3, hi=4)
        v = op(dt, (4,), "rev", lo=-3, hi=4)
        s = op(dt, (3, 3), "c", lo=-3, hi=4)
        for spec, args in (("ij,jk->ik", [a, b]), ("ij,ij->i", [a, c]), ("ij->ji", [a]), ("ii->i", [s]),
                           ("ii", [s]), ("ij,j", [a, v]), ("i,i", [v, v]), ("ij,kj->ik", [a, c]),
                           ("...j,j->...", [a, v]), ("bij,bjk->bik", [op(dt, (2, 3, 4)), op(dt, (2, 4, 2), "T")])):
            add(case("einsum", [spec] + args, lambda sp, *xs: np.asarray(np.einsum(sp, *xs)), rtol=tol, ctol=ct,
                     bf=bf))
        add(case("tensordot", [a, b, 1], lambda x, y, n: np.tensordot(x, y, 1), rtol=tol, ctol=ct, bf=bf))
        add(case("tensordot", [a, c, [[1, 2], [1, 2]]], lambda x, y, ax: np.asarray(np.tensordot(x, y, ([0, 1], [0, 1]))),
                 rtol=tol, ctol=ct, bf=bf))
        add(case("dot", [a, b], np.dot, rtol=tol, ctol=ct, bf=bf))
        add(case("dot", [v, v], lambda x, y: np.asarray(np.dot(x, y)), rtol=tol, ctol=ct, bf=bf))
        add(case("dot", [op(dt, (2, 3, 4)), b], np.dot, rtol=tol, ctol=ct, bf=bf))
        add(case("inner", [a, c], np.inner, rtol=tol, ctol=ct, bf=bf))
        add(case("inner", [v, v], lambda x, y: np.asarray(np.inner(x, y)), rtol=tol, ctol=ct, bf=bf))
        add(case("outer", [v, op(dt, (3,), "c")], np.outer, rtol=tol, ctol=ct, bf=bf))
        add(case("kron", [a, op(dt, (2, 2), "T")], np.kron, rtol=tol, ctol=ct, bf=bf))
        add(case("vdot", [a, c], lambda x, y: np.asarray(np.vdot(x, y)), rtol=tol, ctol=ct, bf=bf))
        add(case("vdot", [v, v], lambda x, y: np.asarray(np.vdot(x, y)), rtol=tol, ctol=ct, bf=bf))
        add(case("vdot", [op("float64", (3, 4)), a], lambda x, y: np.asarray(np.vdot(x, y)), rtol=1e-12, ctol=1e-12))
        add(case("matmul", [a, b], np.matmul, rtol=tol, ctol=ct, bf=bf))
        add(case("linalg.multi_dot", [[a, b, op(dt, (5, 2))]], lambda xs: np.linalg.multi_dot(xs), rtol=tol,
                 ctol=ct, bf=bf))


def cases(tables):
    out = []
    add = out.append
    for part in (sorting, searching, sets, histograms, scans, differences, order_statistics, statistics,
                 contractions):
        part(add)
    return out
