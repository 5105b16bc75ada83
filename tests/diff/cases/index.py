# SPDX-License-Identifier: MIT
"""The index family against NumPy: keys (integers, ranges, integer arrays of
every integer dtype, masks, newaxis, ellipsis) read and assigned, on every
dtype and layout, and the routines (take, put, take_along_axis,
put_along_axis, compress, choose, nonzero, flatnonzero, argwhere, where,
extract, place, putmask, diagonal, diag, trace, tril, triu, tri, indices,
ix_, unravel_index, ravel_multi_index, add_at and the other ufunc.at forms),
with the bad inputs NumPy rejects.

Positions: NumPy's index i is lunar's i + 1 when i >= 0 and i itself when
negative (Ix operands and P() convert). Ranges are written in lunar's terms
and paired with the equal NumPy slice by hand (R below)."""
import numpy as np

import common as C
from common import A as CA


def A(dtype, shape, lname="c", dom="any", nan=False, values=None):
    """common.A, with uint64 values below 2^63 (Lua integers)."""
    if dtype == "uint64" and dom == "any" and values is None:
        dom = "base"
    return CA(dtype, shape, lname, dom, nan, values)

ALL = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
       "float32", "float64"]
IDX = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
LAYOUTS = ("c", "T", "step", "rev")


# {===== argument kinds of this module
class Lu:
    """lunar.newaxis / lunar.ellipsis in a key."""

    def __init__(self, name):
        self.name = name

    def lua_arg(self):
        return '{lu="%s"}' % self.name

    def np_arg(self):
        return np.newaxis if self.name == "newaxis" else Ellipsis

    def desc(self):
        return "lu." + self.name


NEWAXIS, ELLIPSIS = Lu("newaxis"), Lu("ellipsis")


def lua_pos(v):
    v = np.asarray(v)
    return np.where(v >= 0, v + 1, v)


class Ix(CA):
    """An integer index operand: NumPy positions (0-based, negative from
    the end) on the NumPy side, the same positions 1-based on lunar's.
    Drawn from [lo, hi) (default: the valid range of an axis of n, with
    negatives for signed dtypes), or given as `values` (NumPy's)."""

    def __init__(self, dtype, shape, n=None, lname="c", values=None, lo=None, hi=None):
        _, base_shape, lview, npview = C.layout(tuple(shape), lname)
        size = int(np.prod(base_shape)) if base_shape else 1
        if values is not None:
            base = np.asarray(values, dtype=np.int64).reshape(base_shape)
        else:
            signed = dtype.startswith("int")
            if lo is None:
                lo = -n if signed else 0
            if hi is None:
                hi = n
            base = C.rng.integers(lo, hi, size).reshape(base_shape) if hi > lo else \
                np.zeros(base_shape, dtype=np.int64)
        lua = lua_pos(base)
        self.spec = {"dtype": dtype, "shape": list(base_shape),
                     "data": lua.astype(dtype).reshape(-1), "view": lview}
        self.np = npview(base.astype(dtype))
        self.lname = lname


def P(i):
    """NumPy's integer position as lunar's."""
    return i + 1 if i >= 0 else i


class R:
    """A range: .lua is lunar's table, .np NumPy's slice."""

    def __init__(self, lua, np_slice):
        self.lua, self.np = lua, np_slice


FULL = R([], slice(None))
REV = R([-1, 1, -1], slice(None, None, -1))
STEP2 = R([1, -1, 2], slice(None, None, 2))


def ONE(i):          # {k}: one position keeping the axis (NumPy's i:i+1)
    return R([P(i)], slice(i, i + 1))


def SPAN(i, j):      # positions i..j (NumPy's, j inclusive, both >= 0)
    return R([P(i), P(j)], slice(i, j + 1))


def key(*entries):
    """(lua key list, numpy key tuple) from entries: ints (NumPy's), R,
    A/Ix operands, Lu sentinels."""
    lua, npk = [], []
    for e in entries:
        if isinstance(e, R):
            lua.append(e.lua)
            npk.append(e.np)
        elif isinstance(e, (int, np.integer)) and not isinstance(e, bool):
            lua.append(P(int(e)))
            npk.append(int(e))
        elif isinstance(e, Lu):
            lua.append(e)
            npk.append(e.np_arg())
        else:
            lua.append(e)
            npk.append(e.np)
    return lua, tuple(npk)
# }=====


# {===== case helpers
def get(a, k, desc=None):
    lua, npk = k
    return C.call_case("index", [a, lua], lambda x, _k: x[npk], forms=("getitem",), desc=desc)


def get1(a, e, desc=None):
    """a[e] with a single (non-table) key e: an Ix, a mask A or a sentinel."""
    npk = e.np_arg() if isinstance(e, Lu) else e.np
    return C.call_case("index", [a, e], lambda x, _k: x[npk], forms=("getitem",), desc=desc)


def setv(a, k, v, desc=None):
    lua, npk = k

    def f(x, _k, vv):
        y = x.copy()
        y[npk] = vv
        return y
    return C.call_case("setindex", [a, lua, v], f, forms=("setitem",), desc=desc)


def set1(a, e, v, desc=None):
    npk = e.np

    def f(x, _k, vv):
        y = x.copy()
        y[npk] = vv
        return y
    return C.call_case("setindex", [a, e, v], f, forms=("setitem",), desc=desc)


def inplace(name, args, np_inplace, desc=None):
    """lunar.name(a, ...) changes a; NumPy's np_inplace(copy, ...) too."""
    def f(x, *rest):
        y = x.copy()
        np_inplace(y, *rest)
        return y
    return C.call_case(name, args, f, forms=("inplace",), desc=desc)


def values_for(dt, shape):
    return A(dt, shape) if shape is not None else (True if dt == "bool" else 3)
# }=====


def key_cases(add):
    # every dtype x layout: integer arrays on each axis, paired, mixed with
    # ranges, integers, newaxis and ellipsis
    for dt in ALL:
        for ln in LAYOUTS:
            m = A(dt, (3, 4), ln)
            add(get1(m, Ix("int64", (5,), 3)))
            add(get(m, key(FULL, Ix("int64", (3,), 4))))
            add(get(m, key(Ix("int32", (4,), 3), Ix("int64", (4,), 4))))
            add(get(m, key(Ix("int64", (2, 1), 3), Ix("int64", (3,), 4))))
            add(get(m, key(1, Ix("int16", (2,), 4))))
            add(get(m, key(Ix("int8", (2,), 3), -1)))
            add(get(m, key(REV, Ix("uint8", (2,), 4))))
            add(get(m, key(STEP2, Ix("int64", (2, 2), 4))))
            add(get(m, key(NEWAXIS, Ix("int64", (2,), 3))))
            add(get(m, key(ELLIPSIS, Ix("int64", (2,), 4))))
            add(get(m, key(Ix("int64", (2,), 3), NEWAXIS, Ix("int64", (2,), 4))))
            add(get(m, key(ONE(1), Ix("int64", (3,), 4))))
            add(get1(m, A("bool", (3, 4), ln)))
            add(get1(m, A("bool", (3,))))
            add(get(m, key(FULL, A("bool", (4,)))))
            add(get(m, key(A("bool", (3,)), Ix("int64", (1,), 4))))
            add(get(m, key(SPAN(1, 2), ONE(3))))
            add(get(m, key(NEWAXIS, ELLIPSIS, NEWAXIS)))
            v1 = A(dt, (1,)) if dt != "bool" else A(dt, (1,))
            add(setv(m, key(FULL, Ix("int64", (2,), 4, values=[3, 0])), A(dt, (3, 2))))
            add(set1(m, Ix("int64", (2,), 3, values=[2, -3]), A(dt, (4,))))
            add(set1(m, Ix("int64", (3,), 3), values_for(dt, None)))
            add(setv(m, key(Ix("int64", (3,), 3, values=[0, 2, 1]), Ix("int64", (3,), 4)), v1))
            add(setv(m, key(FULL, A("bool", (4,))), values_for(dt, None)))
            add(set1(m, A("bool", (3, 4), ln), values_for(dt, None)))
            add(set1(m, A("bool", (3,), values=[True, False, True]), A(dt, (4,))))
    # every index dtype, negatives, 1-d and 3-d
    for it in IDX:
        for dt in ("float32", "int64", "bool"):
            a = A(dt, (7,))
            add(get1(a, Ix(it, (6,), 7)))
            add(get1(a, Ix(it, (2, 3), 7, lname="T")))
            add(set1(a, Ix(it, (4,), 7, values=[6, 0, 3, 5]), A(dt, (4,))))
        x = A("int32", (2, 3, 4))
        add(get(x, key(Ix(it, (2,), 2), FULL, Ix(it, (2,), 4))))
        add(get(x, key(FULL, Ix(it, (2, 2), 3), Ix(it, (2,), 4))))
        add(get(x, key(1, FULL, Ix(it, (3,), 4))))
        add(get(x, key(FULL, 0, Ix(it, (3,), 4))))
        add(get(x, key(Ix(it, (2,), 2), ELLIPSIS, Ix(it, (2,), 4))))
        add(get(x, key(ELLIPSIS, Ix(it, (5,), 4))))
    # repeated positions in assignment: NumPy's last write wins
    for dt in ("int64", "float32", "uint8", "float64"):
        a = A(dt, (5,))
        add(set1(a, Ix("int64", (6,), 5, values=[1, 1, 3, 1, 3, 4]), A(dt, (6,))))
        m = A(dt, (3, 4))
        add(set1(m, Ix("int64", (3,), 3, values=[2, 0, 2]), A(dt, (3, 4))))
        add(setv(m, key(Ix("int64", (4,), 3, values=[0, 0, 1, 0]), Ix("int64", (4,), 4, values=[2, 2, 2, 2])),
                 A(dt, (4,))))
    # empty index arrays and empty axes
    for dt in ("float64", "int16"):
        a = A(dt, (4, 3))
        add(get1(a, Ix("int64", (0,), 4)))
        add(get(a, key(FULL, Ix("int64", (0,), 3))))
        add(set1(a, Ix("int64", (0,), 4), 7))
        add(get1(A(dt, (0, 3)), Ix("int64", (0,), 1)))
    # errors: out of range on each axis, wrong dtypes, shapes
    m = A("float64", (3, 4))
    add(get1(m, Ix("int64", (2,), 3, values=[0, 3])))
    add(get(m, key(FULL, Ix("int64", (2,), 4, values=[-5, 0]))))
    add(get(m, key(Ix("int64", (2,), 3), Ix("int64", (2,), 4, values=[1, 4]))))
    add(get(m, key(Ix("int64", (2,), 3), Ix("int64", (3,), 4))))
    add(get1(m, A("float64", (2,))))
    add(get1(m, A("bool", (4,))))
    add(get(m, key(0, 0, Ix("int64", (1,), 3))))
    add(set1(m, Ix("int64", (2,), 3), A("float64", (3,))))
    add(set1(m, Ix("int64", (2,), 3, values=[0, 5]), 1.5))
    add(setv(m, key(FULL, Ix("uint8", (1,), 4, values=[4])), 2))
    add(set1(A("int8", (4,)), A("bool", (4,)), A("int8", (3,))))


def take_cases(add):
    for dt in ALL:
        for ln in ("c", "T", "rev"):
            a = A(dt, (3, 4), ln)
            add(C.call_case("take", [a, Ix("int64", (5,), 12)], lambda x, i: np.take(x, i),
                            forms=("function", "method")))
            add(C.call_case("take", [a, Ix("int32", (2, 2), 4), 2],
                            lambda x, i, ax: np.take(x, i, axis=ax - 1), forms=("function", "method")))
            add(C.call_case("take", [a, Ix("int64", (3,), 3), {"axis": -2}],
                            lambda x, i, kw: np.take(x, i, axis=kw["axis"]), forms=("function",)))
        a = A(dt, (6,))
        for mode in ("wrap", "clip"):
            add(C.call_case("take", [a, Ix("int64", (8,), 6, lo=-15, hi=15), None, mode],
                            lambda x, i, _n, md: np.take(x, i, mode=md)))
            add(C.call_case("take", [a, Ix("int64", (4,), 6, lo=-9, hi=12), {"mode": mode}],
                            lambda x, i, kw: np.take(x, i, mode=kw["mode"]), forms=("method",)))
        add(C.call_case("take", [a, 3], lambda x, i: np.take(x, i - 1)))
        add(C.call_case("put", [a, Ix("int64", (3,), 6), A(dt, (3,))],
                        lambda x, i, v: (lambda y: (np.put(y, i, v), y)[1])(x.copy()), forms=("inplace",)))
        add(inplace("put", [A(dt, (3, 4), "T"), Ix("int64", (5,), 12), A(dt, (2,))],
                    lambda y, i, v: np.put(y, i, v)))
        for mode in ("wrap", "clip"):
            add(inplace("put", [A(dt, (5,)), Ix("int64", (4,), 5, lo=-12, hi=12), A(dt, (4,)), mode],
                        lambda y, i, v, md: np.put(y, i, v, mode=md)))
    a = A("float32", (5,))
    add(C.call_case("take", [a, Ix("int64", (2,), 5, values=[1, 5])], lambda x, i: np.take(x, i)))
    add(C.call_case("take", [A("int64", (3, 4)), Ix("int64", (1,), 4, values=[4]), 2],
                    lambda x, i, ax: np.take(x, i, axis=ax - 1)))
    add(C.call_case("take", [a, A("float64", (2,))], lambda x, i: np.take(x, i)))
    add(inplace("put", [A("int32", (4,)), Ix("int64", (2,), 4, values=[0, 9]), 1],
                lambda y, i, v: np.put(y, i, v)))
    add(inplace("put", [A("int32", (4,)), Ix("int64", (3,), 4, values=[1, 1, 2]), A("int32", (3,))],
                lambda y, i, v: np.put(y, i, v)))
    add(inplace("put", [A("int32", (4,)), Ix("int64", (2,), 4), A("int32", (0,))],
                lambda y, i, v: np.put(y, i, v)))


def along_cases(add):
    for dt in ALL:
        for ln in ("c", "T"):
            a = A(dt, (3, 4), ln)
            i1 = Ix("int64", (3, 2), 4)
            add(C.call_case("take_along_axis", [a, i1, 2],
                            lambda x, i, ax: np.take_along_axis(x, i, ax - 1)))
            i0 = Ix("int32", (2, 4), 3)
            add(C.call_case("take_along_axis", [a, i0, 1],
                            lambda x, i, ax: np.take_along_axis(x, i, ax - 1)))
            add(C.call_case("take_along_axis", [a, Ix("int64", (1, 3), 3), 1],
                            lambda x, i, ax: np.take_along_axis(x, i, ax - 1)))
            add(inplace("put_along_axis", [a, Ix("int64", (3, 1), 4), A(dt, (3, 1)), 2],
                        lambda y, i, v, ax: np.put_along_axis(y, i, v, ax - 1)))
            add(inplace("put_along_axis", [a, Ix("int64", (1, 4), 3), A(dt, (1, 4)), 1],
                        lambda y, i, v, ax: np.put_along_axis(y, i, v, ax - 1)))
        add(C.call_case("take_along_axis", [A(dt, (5,)), Ix("int64", (7,), 5), False],
                        lambda x, i, _f: np.take_along_axis(x, i, None)))
    add(C.call_case("take_along_axis", [A("int64", (2, 3)), Ix("int64", (1, 2), 2), 1],
                    lambda x, i, ax: np.take_along_axis(x, i, ax - 1)))
    add(C.call_case("take_along_axis", [A("int64", (2, 3)), Ix("int64", (3,), 2), 1],
                    lambda x, i, ax: np.take_along_axis(x, i, ax - 1)))
    add(C.call_case("take_along_axis", [A("int64", (2, 3)), Ix("int64", (2, 1), 3, values=[0, 3]), 2],
                    lambda x, i, ax: np.take_along_axis(x, i, ax - 1)))


def compress_cases(add):
    for dt in ALL:
        a = A(dt, (3, 4), "T")
        add(C.call_case("compress", [A("bool", (3,)), a, 1],
                        lambda c, x, ax: np.compress(c, x, axis=ax - 1)))
        add(C.call_case("compress", [A("bool", (2,)), a, {"axis": 2}],
                        lambda c, x, kw: np.compress(c, x, axis=kw["axis"] - 1)))
        add(C.call_case("compress", [A("bool", (12,)), a], lambda c, x: np.compress(c, x)))
        add(C.call_case("compress", [a, A("int32", (4,)), 2],
                        lambda x, c, ax: x.compress(c, axis=ax - 1), forms=("method",)))
        add(C.call_case("extract", [A("bool", (3, 4)), a], np.extract))
        add(C.call_case("extract", [A(dt, (3, 4)), a], np.extract))
    add(C.call_case("compress", [A("bool", (5,), values=[True, False, False, False, True]),
                                 A("int64", (3, 4)), 1], lambda c, x, ax: np.compress(c, x, axis=ax - 1)))
    add(C.call_case("compress", [A("bool", (2, 2)), A("int64", (3, 4))], lambda c, x: np.compress(c, x)))


def choose_cases(add):
    for dt in ALL:
        ch = [A(dt, (4,)), A(dt, (3, 4)), A(dt, (1, 4))]
        add(C.call_case("choose", [Ix("int64", (3, 4), 3, lo=0), ch], lambda i, c: np.choose(i, c),
                        forms=("function", "method")))
        add(C.call_case("choose", [Ix("int32", (4,), 3, lo=0, lname="rev"), ch],
                        lambda i, c: np.choose(i, c)))
        for mode in ("wrap", "clip"):
            add(C.call_case("choose", [Ix("int64", (5,), 2, lo=-6, hi=6), [A(dt, (5,)), A(dt, (1,))], mode],
                            lambda i, c, md: np.choose(i, c, mode=md)))
    add(C.call_case("choose", [Ix("int64", (3,), 2, lo=0), [A("int8", (3,)), 5]],
                    lambda i, c: np.choose(i, c)))
    add(C.call_case("choose", [Ix("int64", (3,), 2, lo=0), [A("int32", (3,)), A("float32", (3,))]],
                    lambda i, c: np.choose(i, c)))
    add(C.call_case("choose", [Ix("int64", (2,), 2, values=[0, 2]), [A("int32", (2,)), A("int32", (2,))]],
                    lambda i, c: np.choose(i, c)))
    add(C.call_case("choose", [Ix("int64", (3,), 2, lo=0), [A("int32", (2,)), A("int32", (3,))]],
                    lambda i, c: np.choose(i, c)))


def nonzero_cases(add):
    def nz(x):
        return tuple(r + 1 for r in np.nonzero(x))
    for dt in ALL:
        for ln in LAYOUTS:
            a = A(dt, (3, 4), ln)
            add(C.call_case("nonzero", [a], nz, forms=("function", "method"), multi=True))
            add(C.call_case("where", [a], nz, multi=True))
            add(C.call_case("flatnonzero", [a], lambda x: np.flatnonzero(x) + 1))
            add(C.call_case("argwhere", [a], lambda x: np.argwhere(x) + 1))
        add(C.call_case("nonzero", [A(dt, (5,))], nz, multi=True))
        add(C.call_case("nonzero", [A(dt, (2, 1, 3))], nz, multi=True))
        add(C.call_case("argwhere", [A(dt, (2, 0))], lambda x: np.argwhere(x) + 1))
    add(C.call_case("nonzero", [A("float64", (4,), values=[0, 0, 0, 0])], nz, multi=True))
    add(C.call_case("nonzero", [A("float64", (3,), nan=True)], nz, multi=True))
    add(C.call_case("argwhere", [A("int64", (), values=5)], lambda x: np.argwhere(x) + 1))
    add(C.call_case("argwhere", [A("int64", (), values=0)], lambda x: np.argwhere(x) + 1))


def mask_routine_cases(add):
    for dt in ALL:
        for ln in ("c", "T"):
            a = A(dt, (3, 4), ln)
            add(inplace("place", [a, A("bool", (3, 4)), A(dt, (3,))],
                        lambda y, m, v: np.place(y, m, v)))
            add(inplace("putmask", [a, A("bool", (3, 4)), A(dt, (5,))],
                        lambda y, m, v: np.putmask(y, m, v)))
            add(inplace("putmask", [a, A("bool", (3, 4)), A(dt, (3, 4))],
                        lambda y, m, v: np.putmask(y, m, v)))
        add(inplace("putmask", [A(dt, (6,)), A("bool", (6,)), values_for(dt, None)],
                    lambda y, m, v: np.putmask(y, m, v)))
        add(inplace("place", [A(dt, (6,)), A("bool", (6,)), values_for(dt, None)],
                    lambda y, m, v: np.place(y, m, v)))
    add(inplace("place", [A("int32", (4,)), A("bool", (4,), values=[True] * 4), A("int32", (0,))],
                lambda y, m, v: np.place(y, m, v)))
    add(inplace("place", [A("int32", (4,)), A("bool", (3,)), 1], lambda y, m, v: np.place(y, m, v)))
    add(inplace("putmask", [A("int32", (4,)), A("bool", (5,)), 1], lambda y, m, v: np.putmask(y, m, v)))
    add(inplace("putmask", [A("int32", (4,)), A("bool", (4,)), A("float64", (2,))],
                lambda y, m, v: np.putmask(y, m, v)))
    add(inplace("putmask", [A("float64", (4,)), A("bool", (4,)), A("int32", (2,))],
                lambda y, m, v: np.putmask(y, m, v)))


def diag_cases(add):
    for dt in ALL:
        for ln in LAYOUTS:
            m = A(dt, (3, 4), ln)
            for k in (0, 1, -2, 5):
                add(C.call_case("diagonal", [m, k], lambda x, kk: np.diagonal(x, kk),
                                forms=("function", "method")))
            add(C.call_case("diag", [m, 1], lambda x, k: np.diag(x, k)))
            add(C.call_case("tril", [m], np.tril))
            add(C.call_case("triu", [m, -1], np.triu))
            add(C.call_case("tril", [m, {"k": 2}], lambda x, kw: np.tril(x, kw["k"])))
            if dt != "bool":
                add(C.call_case("trace", [m], lambda x: np.asarray(np.trace(x)),
                                forms=("function", "method")))
        x = A(dt, (2, 3, 4))
        add(C.call_case("diagonal", [x, 0, 2, 3], lambda y, o, a1, a2: np.diagonal(y, o, a1 - 1, a2 - 1)))
        add(C.call_case("diagonal", [x, {"offset": 1, "axis1": 3, "axis2": 1}],
                        lambda y, kw: np.diagonal(y, kw["offset"], kw["axis1"] - 1, kw["axis2"] - 1)))
        add(C.call_case("triu", [x], np.triu))
        add(C.call_case("diag", [A(dt, (3,)), -1], lambda v, k: np.diag(v, k)))
        add(C.call_case("diag", [A(dt, (4,), "rev")], np.diag))
        if dt != "bool":
            add(C.call_case("trace", [x, 1, 2, 3],
                            lambda y, o, a1, a2: np.trace(y, o, a1 - 1, a2 - 1)))
        add(C.call_case("tri", [3, 4, 1, dt], lambda n, m, k, d: np.tri(n, m, k, dtype=d)))
    for n, m, k in ((3, None, 0), (2, 5, -1), (4, 2, 3), (0, 3, 0)):
        args = [n] if m is None else [n, m, k]
        add(C.call_case("tri", args, lambda *a: np.tri(*a)))
    add(C.call_case("tri", [3, {"k": -1}], lambda n, kw: np.tri(n, k=-1)))
    add(C.call_case("diagonal", [A("int64", (3, 3)), 0, 1, 1], lambda y, o, a1, a2: np.diagonal(y, o, 0, 0)))
    add(C.call_case("diagonal", [A("int64", (3,))], np.diagonal))


def grid_cases(add):
    for dims in ((2, 3), (4,), (2, 1, 3), (0, 2)):
        add(C.call_case("indices", [list(dims)], lambda d: np.indices(d) + 1))
        add(C.call_case("indices", [list(dims), "int32"], lambda d, t: np.indices(d, dtype=t) + 1))
        add(C.call_case("indices", [list(dims), {"sparse": True}],
                        lambda d, kw: tuple(g + 1 for g in np.indices(d, sparse=True)), multi=True))
    for shape in ((3, 4), (2, 3, 4), (5,), (4, 1, 2)):
        size = int(np.prod(shape))
        for order in ("C", "F"):
            ix = Ix("int64", (6,), size, lo=0)
            add(C.call_case("unravel_index", [ix, list(shape), order],
                            lambda i, s, o: tuple(r + 1 for r in np.unravel_index(i, s, order=o)),
                            multi=True))
            coords = [Ix("int64", (5,), n, lo=0) for n in shape]
            add(C.call_case("ravel_multi_index", [coords, list(shape), "raise", order],
                            lambda c, s, m, o: np.ravel_multi_index(c, s, mode=m, order=o) + 1))
        coords = [Ix("int64", (5,), n, lo=-2 * n, hi=2 * n) for n in shape]
        for mode in ("wrap", "clip"):
            add(C.call_case("ravel_multi_index", [coords, list(shape), mode],
                            lambda c, s, m: np.ravel_multi_index(c, s, mode=m) + 1))
        add(C.call_case("unravel_index", [size, list(shape)],
                        lambda i, s: tuple(int(r) + 1 for r in np.unravel_index(i - 1, s)), multi=True))
    for it in IDX:
        add(C.call_case("unravel_index", [Ix(it, (4,), 12, lo=0), [3, 4]],
                        lambda i, s: tuple(r + 1 for r in np.unravel_index(i, s)), multi=True))
    add(C.call_case("unravel_index", [Ix("int64", (2,), 12, values=[0, 12]), [3, 4]],
                    lambda i, s: np.unravel_index(i, s), multi=True))
    add(C.call_case("ravel_multi_index", [[Ix("int64", (2,), 3, values=[0, 3]), Ix("int64", (2,), 4, lo=0)],
                                          [3, 4]],
                    lambda c, s: np.ravel_multi_index(c, s)))
    add(C.call_case("ravel_multi_index", [[Ix("int64", (2,), 3, values=[0, 2]),
                                           Ix("int64", (2,), 4, values=[5, -7])], [3, 4], ["raise", "clip"]],
                    lambda c, s, m: np.ravel_multi_index(c, s, mode=m) + 1))
    for a, b in ((Ix("int64", (2,), 3, lo=0), Ix("int64", (3,), 4, lo=0)),
                 (A("bool", (3,)), Ix("int32", (2,), 4, lo=0))):
        add(C.call_case("ix_", [a, b], lambda x, y: tuple(lua_pos(r) for r in np.ix_(x, y)),
                        multi=True))
    m = A("float32", (3, 4))
    add(C.call_case("index", [m, [Ix("int64", (2, 1), 3, values=[[2], [0]]), Ix("int64", (1, 3), 4, values=[[0, 1, 3]])]],
                    lambda x, _k: x[np.ix_([2, 0], [0, 1, 3])], forms=("getitem",),
                    desc="m[{lu.ix_(rows, cols)}]"))


def at_cases(add):
    ops = (("add_at", np.add), ("subtract_at", np.subtract), ("multiply_at", np.multiply),
           ("maximum_at", np.maximum), ("minimum_at", np.minimum))
    for name, uf in ops:
        for dt in ALL:
            if dt == "uint64" and name == "subtract_at":
                continue        # wraps past 2^63: not a Lua integer to compare
            if dt == "bool" and name == "subtract_at":
                add(inplace(name, [A(dt, (5,)), Ix("int64", (6,), 5), A(dt, (6,))],
                            lambda y, i, v, u=uf: u.at(y, i, v)))
                continue
            a = A(dt, (5,), nan=True)
            add(inplace(name, [a, Ix("int64", (8,), 5), A(dt, (8,), nan=True)],
                        lambda y, i, v, u=uf: u.at(y, i, v)))
            add(inplace(name, [A(dt, (4, 3), "T"), Ix("int32", (5,), 4), A(dt, (3,))],
                        lambda y, i, v, u=uf: u.at(y, i, v)))
            rows, cols = Ix("int64", (6,), 4), Ix("int64", (6,), 3)
            add(inplace(name, [A(dt, (4, 3)), [rows, cols], A(dt, (6,))],
                        lambda y, k, v, u=uf: u.at(y, tuple(k), v)))
            add(inplace(name, [A(dt, (4, 3)), [[], Ix("int64", (4,), 3)], A(dt, (4, 4))],
                        lambda y, k, v, u=uf: u.at(y, (slice(None), k[1]), v)))
            add(inplace(name, [A(dt, (6,)), Ix("int64", (5,), 6), values_for(dt, None)],
                        lambda y, i, v, u=uf: u.at(y, i, v)))
    for dt in ("float64", "int32"):
        add(inplace("add_at", [A(dt, (4,)), [1, 1, 2, 1], A(dt, (4,))],
                    lambda y, i, v: np.add.at(y, np.asarray(i) - 1, v)))
        add(inplace("add_at", [A(dt, (4,)), Ix("int64", (2,), 4, values=[0, 4]), 1],
                    lambda y, i, v: np.add.at(y, i, v)))
        add(inplace("add_at", [A(dt, (4,)), Ix("int64", (3,), 4), A(dt, (2,))],
                    lambda y, i, v: np.add.at(y, i, v)))


def helper_cases(add):
    def pos1(t):
        return tuple(r + 1 for r in t)
    for n, k, m in ((3, 0, None), (4, 1, None), (3, -1, 5), (4, 2, 2), (0, 0, None)):
        args = [n, k] + ([m] if m is not None else [])
        add(C.call_case("tril_indices", args, lambda *a: pos1(np.tril_indices(*a)), multi=True))
        add(C.call_case("triu_indices", args, lambda *a: pos1(np.triu_indices(*a)), multi=True))
    for shape in ((3, 4), (4, 2), (3, 3)):
        for k in (0, 1, -1):
            add(C.call_case("tril_indices_from", [A("float32", shape), k],
                            lambda x, kk: pos1(np.tril_indices_from(x, kk)), multi=True))
            add(C.call_case("triu_indices_from", [A("int64", shape), {"k": k}],
                            lambda x, kw: pos1(np.triu_indices_from(x, kw["k"])), multi=True))
    for n, nd in ((3, 2), (2, 3), (1, 4)):
        add(C.call_case("diag_indices", [n, nd], lambda a, b: pos1(np.diag_indices(a, b)), multi=True))
        add(C.call_case("diag_indices_from", [A("float64", (n,) * nd)],
                        lambda x: pos1(np.diag_indices_from(x)), multi=True))
    add(C.call_case("diag_indices_from", [A("float64", (2, 3))],
                    lambda x: pos1(np.diag_indices_from(x)), multi=True))
    for dt in ALL:
        for shape, wrap in (((3, 3), False), ((5, 3), False), ((5, 3), True), ((3, 5), False),
                            ((3, 3, 3), False)):
            add(inplace("fill_diagonal", [A(dt, shape), values_for(dt, None), wrap],
                        lambda y, v, w: np.fill_diagonal(y, v, w)))
        add(inplace("fill_diagonal", [A(dt, (4, 4), "T"), A(dt, (3,))],
                    lambda y, v: np.fill_diagonal(y, v)))
        x = A(dt, (6,))
        c1, c2 = A("bool", (6,)), A("bool", (6,))
        add(C.call_case("select", [[c1, c2], [x, A(dt, (6,))]], lambda c, ch: np.select(c, ch)))
        add(C.call_case("select", [[c1, c2], [x, A(dt, (2, 6))], values_for(dt, None)],
                        lambda c, ch, d: np.select(c, ch, d)))
    add(C.call_case("select", [[A("bool", (3,))], [A("int8", (3,)), A("int8", (3,))]],
                    lambda c, ch: np.select(c, ch)))
    add(C.call_case("select", [[A("int64", (3,))], [A("int8", (3,))]],
                    lambda c, ch: np.select(c, ch)))
    add(C.call_case("select", [[A("bool", (3,))], [A("int8", (3,))], 2.5],
                    lambda c, ch, d: np.select(c, ch, d)))


def cases(tables):
    out = []

    def add(x):
        if x:
            out.append(x)
    key_cases(add)
    take_cases(add)
    along_cases(add)
    compress_cases(add)
    choose_cases(add)
    nonzero_cases(add)
    mask_routine_cases(add)
    diag_cases(add)
    grid_cases(add)
    at_cases(add)
    helper_cases(add)
    return out
