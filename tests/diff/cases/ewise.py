# SPDX-License-Identifier: MIT
"""Elementwise ops: every row of the op table (src/core/lu_ops.def) on every
dtype (all pairs of the five common dtypes, each other dtype with itself and
with int64/float32), views, broadcasts, weak scalars, NaN and infinities;
the two-result ufuncs, round, isclose, nan_to_num; out=, where=, dtype=; the
operators. Rows named "_..." are parts of other functions and have no case
of their own.

NumPy 2 semantics where Debian's NumPy 1.24 differs: floor, ceil, trunc and
fix keep integer and bool dtypes (NumPy 2.1); NumPy's float16 results of
bool/int8/uint8 inputs are float32 (lunar computes in float32 until float16
is a dtype), computed by NumPy from float32 inputs. The special functions
NumPy lacks come from _special.py."""
import math
import sys

import numpy as np

import common as C
from common import A, Skip, desc_of, finish, layout, lua_value

import _special

ALL_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
              "uint64", "float32", "float64"]
OTHER_DTYPES = [d for d in ALL_DTYPES if d not in C.DTYPES]

# float results compared with a relative tolerance (C.RTOL by dtype): the
# functions whose last bits differ between libraries and devices
C.TRANSCENDENTAL.update({
    "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
    "arctan2", "hypot", "deg2rad", "rad2deg", "sinc", "exp2", "expm1", "log2", "log10",
    "log1p", "logaddexp", "logaddexp2", "cbrt", "float_power", "erf", "erfc", "erfinv",
    "erfcinv", "gamma", "lgamma", "digamma", "isclose"})

# domains: values NumPy computes without warnings, per op and position
DOMAINS = {
    "arcsin": ("unit",), "arccos": ("unit",), "arctanh": ("open_unit",), "erfinv": ("open_unit",),
    "arccosh": ("ge1",), "log2": ("pos",), "log10": ("pos",), "log1p": ("gtm1",),
    "erfcinv": ("erfc",), "gamma": ("nonpole",), "lgamma": ("nonpole",), "digamma": ("nonpole",),
    "reciprocal": ("nonzero",), "fmod": ("any", "nonzero"), "float_power": ("base", "expo"),
    "ldexp": ("any", "shift"), "left_shift": ("any", "shift"), "right_shift": ("any", "shift"),
}

# NumPy functions for rows named otherwise, or with NumPy 2 semantics
def _keep_ints(f):
    def g(x):
        x = np.asarray(x)
        return x.copy() if x.dtype.kind in "biu" else f(x)
    return g


def _sinc(x):
    # NumPy 2: pi * where(x == 0, 1e-20, x) keeps float32 (NumPy 1's where
    # did not), so the reference is computed in that dtype
    x = np.asarray(x)
    dt = x.dtype if x.dtype.kind == "f" else np.dtype("float64")
    x = x.astype(dt)
    y = dt.type(np.pi) * np.where(x == 0, dt.type(1e-20), x)
    return np.sin(y) / y


def _special_fn(name):
    f = _special.FUNCS[name]

    def g(x):
        x = np.asarray(x)
        dt = np.sin(np.zeros(1, x.dtype)).dtype
        vals = [f(float(v)) for v in x.reshape(-1)]
        return np.asarray(vals, dtype=np.float64).astype(dt).reshape(x.shape)
    return g


def _bitwise_count(x):
    # NumPy 2's bitwise_count (1 bits of |x|, as uint8); NumPy 1.24 has none
    x = np.asarray(x)
    if x.dtype.kind not in "biu":
        raise TypeError("ufunc 'bitwise_count' not supported for the input types")
    vals = [bin(abs(int(v))).count("1") for v in x.reshape(-1)]
    return np.asarray(vals, dtype=np.uint8).reshape(x.shape)


NP_FUNCS = {
    "bitwise_count": _bitwise_count,
    "floor": _keep_ints(np.floor), "ceil": _keep_ints(np.ceil), "trunc": _keep_ints(np.trunc),
    "fix": _keep_ints(np.fix), "sinc": _sinc,
}
for _n in _special.FUNCS:
    NP_FUNCS[_n] = _special_fn(_n)


def domain_for(op, pos):
    if op in DOMAINS:
        d = DOMAINS[op]
        return d[pos] if pos < len(d) else d[-1]
    return C.domain_for(op, pos)


def gen_values(dtype, n, dom):
    """C.gen_values plus the domains of the ufunc set and unsigned dtypes."""
    rng = C.rng
    kind = np.dtype(dtype).kind
    if dtype == "bool":
        if dom in ("nonzero", "pos", "ge1", "erfc", "nonpole"):
            return np.ones(n, dtype=bool)
        if dom == "open_unit":
            return np.zeros(n, dtype=bool)
        return rng.integers(0, 2, n).astype(bool)
    if kind == "u" and dom in ("any", "low", "unit", "gtm1", "shift"):
        lo, hi = {"any": (0, 19), "low": (0, 1), "unit": (0, 2), "gtm1": (0, 10),
                  "shift": (0, 12)}[dom]
        return rng.integers(lo, hi, n).astype(dtype)
    isint = kind in "iu"
    if dom == "unit":
        v = rng.integers(-1, 2, n) if isint else rng.integers(-64, 65, n) / 64.0
    elif dom == "open_unit":
        v = np.zeros(n, dtype=int) if isint else rng.integers(-63, 64, n) / 64.0
    elif dom == "ge1":
        v = rng.integers(1, 10, n) if isint else rng.integers(64, 385, n) / 64.0
    elif dom == "gtm1":
        v = rng.integers(0, 10, n) if isint else rng.integers(-63, 321, n) / 64.0
    elif dom == "erfc":
        v = np.ones(n, dtype=int) if isint else rng.integers(1, 128, n) / 64.0
    elif dom == "nonpole":
        if isint:
            v = rng.integers(1, 10, n)
        else:
            v = rng.integers(-256, 385, n) / 64.0
            v = np.where((v <= 0) & (v == np.floor(v)), v + 0.5, v)
    elif dom == "shift":
        v = rng.integers(0, 12, n) if isint else rng.integers(-4, 5, n) * 1.0
    else:
        v = C.gen_values(dtype, n, dom)
    return np.asarray(v).astype(dtype)


def make_operand(dtype, shape, lname, dom, nan=False, inf=False):
    """C.make_operand with this module's domains; inf adds +-inf to floats."""
    _, base_shape, lview, npview = layout(shape, lname)
    n = int(np.prod(base_shape)) if base_shape else 1
    flat = gen_values(dtype, n, dom)
    if dtype.startswith("float"):
        if nan:
            flat[C.rng.integers(0, n, max(1, n // 6))] = np.nan
        if inf:
            flat[C.rng.integers(0, n, max(1, n // 6))] = np.inf
            flat[C.rng.integers(0, n, max(1, n // 6))] = -np.inf
    base = flat.reshape(base_shape)
    return ({"dtype": dtype, "shape": list(base_shape), "data": flat, "view": lview},
            npview(base))


def scalars_for(op, pos):
    if op in ("sqrt", "log", "log2", "log10", "log1p", "arcsin", "arccos", "arctanh",
              "arccosh", "erfinv", "erfcinv", "gamma", "lgamma", "digamma"):
        return []
    if op in ("ldexp", "left_shift", "right_shift") and pos == 1:
        return [3, True, 2.5]
    if op == "float_power" and pos == 0:
        return [2, 1.5, True]
    return C.scalars_for(op, pos)


def _half_as_float32(args, first_only=False):
    """Inputs as NumPy would see them if float16 computed in float32."""
    out = []
    for i, x in enumerate(args):
        if first_only and i > 0:
            out.append(x)
            continue
        if isinstance(x, np.ndarray) and x.dtype.kind in "biu" and x.dtype.itemsize == 1:
            x = x.astype(np.float32)
        elif isinstance(x, (bool, np.bool_)):
            x = np.float32(x)
        out.append(x)
    return out


def np_call(f, npargs, first_only=False):
    """f(*npargs), with NumPy's float16 results recomputed in float32 while
    lunar has no float16 (first_only: ldexp's exponent stays an integer).
    NumPy scalars come back as 0-d arrays, as lunar returns them."""
    def run():
        r = f(*npargs)
        first = r[0] if isinstance(r, tuple) else r
        if getattr(first, "dtype", None) == np.float16 and "float16" not in C.LUNAR_DTYPES:
            r = f(*_half_as_float32(npargs, first_only))
        if isinstance(r, tuple):
            return tuple(np.asarray(x) if isinstance(x, np.generic) else x for x in r)
        return np.asarray(r) if isinstance(r, np.generic) else r
    return run


def ewise_call(op, npargs):
    if op == "where":
        c, x, y = npargs
        dt = np.result_type(x, y)   # np.where itself is not weak-aware in NumPy 1.x
        return lambda: np.where(c, np.asarray(x, dtype=dt) if not np.isscalar(x) else dt.type(x),
                                np.asarray(y, dtype=dt) if not np.isscalar(y) else dt.type(y)).astype(dt)
    if op == "clip":
        a, lo, hi = npargs
        return lambda: np.minimum(np.maximum(a, lo), hi)
    if op == "copy":
        return lambda: np.copy(npargs[0])
    f = NP_FUNCS.get(op) or C.np_func(op)
    call = np_call(f, npargs, first_only=(op == "ldexp"))
    if op == "ldexp" and isinstance(npargs[0], int) and not isinstance(npargs[0], bool):
        # a Lua integer mantissa: Debian's NumPy 1.24 answers by the value
        # (float16 for 3 whatever the exponent's dtype), not by NEP 50
        raise Skip
    return call


def binary_shapes():
    # (shape0, layout0, shape1, layout1)
    return [((3, 4), "c", (3, 4), "c"), ((3, 4), "T", (3, 4), "step"), ((3, 4), "rev", (3, 4), "c"),
            ((3, 1), "c", (1, 4), "c"), ((4,), "c", (3, 4), "T"), ((3, 4), "c", (4,), "step"),
            ((), "c", (3, 4), "c")]


def binary_pairs():
    """(dtype0, dtype1, shapes): all pairs of the common dtypes on every
    shape, the other dtypes with themselves and two partners on fewer."""
    shapes = binary_shapes()
    out = [(d0, d1, shapes) for d0 in C.DTYPES for d1 in C.DTYPES]
    for d in OTHER_DTYPES:
        out.append((d, d, shapes[:3]))
        out.append((d, "int64", shapes[3:4]))
        out.append(("float32", d, shapes[4:5]))
    out.append(("int8", "uint8", shapes[:1]))
    out.append(("uint64", "int64", shapes[:1]))
    out.append(("uint16", "int16", shapes[:1]))
    return out


# (the sign of a NaN is not compared: Lua's 0/0 is a negative NaN on x86)
NAN_BINARY = {"maximum", "minimum", "equal", "not_equal", "less", "greater", "add", "fmax",
              "fmin", "nextafter", "heaviside", "logaddexp", "logaddexp2",
              "arctan2", "hypot", "fmod", "logical_xor"}


def ewise_cases(op, nin):
    cases = []

    def add(specs, npargs, desc):
        case = {"kind": "ewise", "op": op, "args": specs, "desc": desc}
        try:
            cases.append(finish(case, ewise_call(op, npargs)))
        except Skip:
            pass

    if nin == 1:
        for dt in ALL_DTYPES:
            for lname, *_ in C.layouts((3, 4)):
                s, a = make_operand(dt, (3, 4), lname, domain_for(op, 0),
                                    nan=(lname == "rev" and op != "signbit"),
                                    inf=(lname == "T" and domain_for(op, 0) == "any"))
                add([s], [a], "%s(%s)" % (op, desc_of(s, lname)))
            s, a = make_operand(dt, (), "c", domain_for(op, 0))
            add([s], [a], "%s(%s)" % (op, desc_of(s)))
        if domain_for(op, 0) == "any":
            for sc in (3, -2.5, True):
                add([{"scalar": sc}], [sc], "%s(%s)" % (op, lua_value(sc)))
    elif nin == 2:
        for d0, d1, shapes in binary_pairs():
            for sh0, l0, sh1, l1 in shapes:
                s0, a0 = make_operand(d0, sh0, l0, domain_for(op, 0))
                s1, a1 = make_operand(d1, sh1, l1, domain_for(op, 1))
                add([s0, s1], [a0, a1], "%s(%s, %s)" % (op, desc_of(s0, l0), desc_of(s1, l1)))
        for dt in ALL_DTYPES:
            for lname in ("c", "T"):
                for pos in (0, 1):
                    for sc in scalars_for(op, pos):
                        s, a = make_operand(dt, (3, 4), lname, domain_for(op, 1 - pos),
                                            nan=(lname == "T" and op in ("maximum", "minimum")))
                        sspec = {"scalar": sc}
                        specs, npargs = ([sspec, s], [sc, a]) if pos == 0 else ([s, sspec], [a, sc])
                        add(specs, npargs, "%s(%s)" % (op, ", ".join(desc_of(x, lname) for x in specs)))
        if op in NAN_BINARY:
            for dt in ("float32", "float64"):
                s0, a0 = make_operand(dt, (3, 4), "c", "any", nan=True, inf=True)
                s1, a1 = make_operand(dt, (3, 4), "T", "any", nan=True, inf=True)
                add([s0, s1], [a0, a1], "%s(%s, %s) with nan and inf" % (op, desc_of(s0), desc_of(s1, "T")))
        if op == "copysign":
            for dt in ("float32", "float64"):
                s0, a0 = make_operand(dt, (3, 4), "c", "any", nan=True, inf=True)
                s1, a1 = make_operand(dt, (3, 4), "T", "any", inf=True)
                add([s0, s1], [a0, a1], "%s(%s, %s) with nan and inf" % (op, desc_of(s0), desc_of(s1, "T")))
    elif op == "where":
        for cd in ("bool", "int32", "float64"):
            for d0 in C.DTYPES:
                for d1 in C.DTYPES:
                    if cd != "bool" and d0 != d1:
                        continue
                    sc_, c = make_operand(cd, (3, 1) if d0 == d1 else (3, 4), "c", "any")
                    s0, a0 = make_operand(d0, (3, 4), "T", "any")
                    s1, a1 = make_operand(d1, (4,), "step", "any")
                    add([sc_, s0, s1], [c, a0, a1], "where(%s, %s, %s)" % (
                        desc_of(sc_), desc_of(s0, "T"), desc_of(s1, "step")))
        for dt in ALL_DTYPES:
            for x, y in ((0, None), (None, 2.5), (True, None), (7, -1)):
                sc_, c = make_operand("bool", (3, 4), "c", "any")
                s, a = make_operand(dt, (3, 4), "rev", "any")
                s0, a0 = ({"scalar": x}, x) if x is not None else (s, a)
                s1, a1 = ({"scalar": y}, y) if y is not None else (s, a)
                add([sc_, s0, s1], [c, a0, a1], "where(%s, %s, %s)" % (
                    desc_of(sc_), desc_of(s0, "rev"), desc_of(s1, "rev")))
    elif op == "clip":
        for dt in ALL_DTYPES:
            for bd in C.DTYPES if dt in C.DTYPES else (dt,):
                s, a = make_operand(dt, (3, 4), "T", "any")
                s1, lo = make_operand(bd, (4,), "c", "low")
                s2, hi = make_operand(bd, (3, 1), "c", "high")
                add([s, s1, s2], [a, lo, hi], "clip(%s, %s, %s)" % (desc_of(s, "T"), desc_of(s1), desc_of(s2)))
            for lo, hi in C.scalars_for("clip", 1):
                s, a = make_operand(dt, (3, 4), "step", "any")
                add([s, {"scalar": lo}, {"scalar": hi}], [a, lo, hi],
                    "clip(%s, %s, %s)" % (desc_of(s, "step"), lua_value(lo), lua_value(hi)))
    else:
        print("gen.py: no case generator for op %s with %d inputs" % (op, nin), file=sys.stderr)
    return cases


# {===== functions beyond the rows, through the "call" kind
def _no_overflow(f):
    """NumPy's OverflowError (a Python integer out of bounds) as the
    ValueError that call_case expects of an error."""
    def g(*a):
        try:
            return f(*a)
        except OverflowError as e:
            raise ValueError(str(e))
    return g


def operand(dtype, shape, lname="c", dom="any", nan=False, inf=False):
    """A call-case operand with this module's domains."""
    a = A.__new__(A)
    a.spec, a.np = make_operand(dtype, shape, lname, dom, nan, inf)
    a.lname = lname
    return a


def _strict_width(f):
    """NumPy 1.24 warns (DeprecationWarning) where NumPy 2 raises: a width
    too small for binary_repr."""
    def g(*a):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            try:
                return f(*a)
            except DeprecationWarning as e:
                raise ValueError(str(e))
    return g


def call_cases():
    out = []
    add = out.append
    F = ("function", "method")
    # the two-result ufuncs
    for dt in ALL_DTYPES:
        for ln in ("c", "T"):
            a = operand(dt, (3, 4), ln, "any", nan=(ln == "T"), inf=(ln == "T"))
            b = operand(dt, (3, 4), "step", "nonzero")
            add(C.call_case("divmod", [a, b], np.divmod, forms=F, multi=True))
            add(C.call_case("divmod", [a, 3], np.divmod, forms=F, multi=True))
            add(C.call_case("frexp", [a], lambda x: np_call(np.frexp, [x])(), forms=F, multi=True))
            add(C.call_case("modf", [a], lambda x: np_call(np.modf, [x])(), forms=F, multi=True))
        add(C.call_case("divmod", [operand(dt, (4,)), operand("int64", (3, 1), dom="nonzero")],
                        np.divmod, multi=True))
        add(C.call_case("frexp", [operand(dt, ())], lambda x: np_call(np.frexp, [x])(), multi=True))
        add(C.call_case("modf", [operand(dt, ())], lambda x: np_call(np.modf, [x])(), multi=True))
    # round: half to even at any number of decimals
    for dt in ALL_DTYPES:
        for d in (0, 1, 2, -1, -2):
            a = operand(dt, (3, 4), "T", "any", nan=True)
            add(C.call_case("round", [a, d], lambda x, n: np_call(lambda y: np.round(y, n), [x])(),
                            forms=F))
        add(C.call_case("around", [operand(dt, (5,), "rev"), {"decimals": 1}],
                        lambda x, kw: np_call(lambda y: np.around(y, 1), [x])()))
    halves = A("float64", None, values=[0.5, 1.5, 2.5, -0.5, -1.5, 0.125, 0.375, 2.675, 1e300, -0.0])
    for d in (0, 1, 2, 3, -1, -300):
        add(C.call_case("round", [halves, d], np.round))
    add(C.call_case("round", [A("int64", None, values=[15, 25, -15, -25, 149, 151]), -1], np.round))
    add(C.call_case("round", [A("int16", None, values=[1234, -5678]), -2], np.round))
    add(C.call_case("round", [2.5], lambda x: np.asarray(np.round(x))))
    # isclose
    for d0, d1 in (("float64", "float64"), ("float32", "float32"), ("int64", "float64"),
                   ("float32", "int32"), ("bool", "float64"), ("int32", "int32")):
        x = operand(d0, (3, 4), "c", "any", nan=True, inf=True)
        y = operand(d1, (3, 4), "T", "any", nan=True, inf=True)
        add(C.call_case("isclose", [x, y], lambda a, b: np.isclose(a, b), forms=F))
        add(C.call_case("isclose", [x, y, {"rtol": 0.1, "atol": 0.5, "equal_nan": True}],
                        lambda a, b, kw: np.isclose(a, b, **kw), forms=F))
        add(C.call_case("isclose", [x, 1.5, 1e-3, 0.25], np.isclose))
    near = A("float64", None, values=[1.0, 1e10, 1e-8, 0.0, np.inf, -np.inf, np.nan, 1.0])
    near2 = A("float64", None, values=[1.0 + 1e-9, 1.00001e10, 1e-9, 1e-9, np.inf, np.inf, np.nan, 1.1])
    add(C.call_case("isclose", [near, near2], np.isclose))
    for x, y in ((near, near2), (near, near), (halves, halves)):
        add(C.call_case("allclose", [x, y], lambda a, b: bool(np.allclose(a, b))))
        add(C.call_case("allclose", [x, y, {"equal_nan": True}],
                        lambda a, b, kw: bool(np.allclose(a, b, **kw))))
    add(C.call_case("allclose", [A("float64", None, values=[1.0]), A("float64", None, values=[np.inf])],
                    lambda a, b: bool(np.allclose(a, b))))
    add(C.call_case("isclose", [near, near2, {"equal_nan": True}], lambda a, b, kw: np.isclose(a, b, **kw)))
    # nan_to_num
    for dt in ALL_DTYPES:
        a = operand(dt, (3, 4), "T", "any", nan=True, inf=True)
        add(C.call_case("nan_to_num", [a], np.nan_to_num, forms=F))
        add(C.call_case("nan_to_num", [a, {"nan": -1.5, "posinf": 1e30, "neginf": -7}],
                        lambda x, kw: np.nan_to_num(x, **kw), forms=F))
        add(C.call_case("nan_to_num", [a, True, 2, None, 3.5], np.nan_to_num))
    # real_if_close, isreal, iscomplex on real dtypes
    for dt in ("int32", "float32", "float64"):
        a = operand(dt, (3, 4), "step")
        add(C.call_case("real_if_close", [a], np.real_if_close, forms=F))
    # whole-value tests and binary_repr (Lua values)
    for x in (operand("float32", (3, 4), "T"), operand("int8", (3, 4)), operand("bool", (4,), "step"),
              operand("float64", ())):
        add(C.call_case("isfortran", [x], np.isfortran))
        add(C.call_case("isrealobj", [x], np.isrealobj))
        add(C.call_case("iscomplexobj", [x], np.iscomplexobj))
        add(C.call_case("isscalar", [x], np.isscalar))
    for v in (3, 2.5, True, "s"):
        add(C.call_case("isscalar", [v], np.isscalar))
    u = operand("int32", (4,), "c")
    for other in (u, operand("int32", (3, 4)), operand("int32", (3,))):
        add(C.call_case("array_equiv", [u, other], lambda a, b: bool(np.array_equiv(a, b))))
    add(C.call_case("array_equiv", [u, A("int32", None, values=[list(u.np)] * 3)],
                    lambda a, b: bool(np.array_equiv(a, b))))
    for num, width in ((5, None), (5, 8), (-5, None), (-5, 8), (-8, 4), (0, None), (0, 3),
                       (-1, 4), (-128, 8), (255, 8), (-129, 8), (7, 2)):
        args = [num] if width is None else [num, width]
        add(C.call_case("binary_repr", args, _strict_width(np.binary_repr)))
    for args in ([5], [6, 5], [7, 5, 3], [10, 16], [32, 16], [-255, 16], [0], [0, 2, 3],
                 [-(2 ** 63 - 1), 36], [2 ** 63 - 1, 2], [-7, 3, 2], [35, 36], [5, 37], [5, 1]):
        add(C.call_case("base_repr", args, np.base_repr))
    # ldexp with a float exponent is an error (NumPy: no loop)
    add(C.call_case("ldexp", [operand("float64", (3,)), operand("float64", (3,))], np.ldexp))
    add(C.call_case("ldexp", [operand("float32", (3,)), operand("uint64", (3,), dom="shift")], np.ldexp))
    # integers to negative integer powers are an error
    add(C.call_case("power", [operand("int64", (3,)), -1], np.power))
    add(C.call_case("power", [operand("int32", (3,)), A("int32", None, values=[1, -2, 3])], np.power))
    add(C.call_case("power", [operand("uint8", (3,)), -1], _no_overflow(np.power)))
    # a float to a negative integer power is fine
    add(C.call_case("power", [operand("float32", (3,), dom="pos"), -2], np.power, rtol=1e-5))
    return out


def kwarg_cases():
    """out=, where= and dtype= (the out operand is compared after the call;
    NumPy writes the same out array)."""
    out = []
    add = out.append

    def with_out(f):
        def g(*args):
            *xs, kw = args
            kw = dict(kw)
            if "out" in kw:
                kw["out"] = np.array(kw["out"], copy=True)
            return f(*xs, **kw)
        return g

    for op, nin in (("add", 2), ("sin", 1), ("floor_divide", 2), ("bitwise_and", 2), ("hypot", 2),
                    ("isnan", 1), ("maximum", 2), ("left_shift", 2), ("sqrt", 1), ("less", 2)):
        f = C.np_func(op)
        tol = 2e-5 if op in C.TRANSCENDENTAL else None
        for dt in ("int32", "float32", "float64", "int64"):
            xs = [operand(dt, (3, 4), "c", "pos"), operand(dt, (4,), "step", "pos")][:nin]
            try:
                rdt = np.asarray(f(*[x.np for x in xs])).dtype.name
            except TypeError:
                rdt = dt
            for odt in (rdt, "float64", "int16"):
                o = operand(odt, (3, 4), "T")
                add(C.call_case(op, xs + [{"out": o}], with_out(f), rtol=tol))
                m = operand("bool", (3, 4), "rev")
                add(C.call_case(op, xs + [{"out": o, "where": m}], with_out(f), rtol=tol))
            m = operand("bool", (2, 1, 4), "c")
            o = operand(rdt, (2, 3, 4), "c")
            add(C.call_case(op, xs + [{"out": o, "where": m}], with_out(f), rtol=tol))
            for ddt in ("float32", "float64", "int64", "int8", "bool"):
                add(C.call_case(op, xs + [{"dtype": ddt}],
                                lambda *a, f=f, ddt=ddt: f(*a[:-1], dtype=ddt), rtol=tol))
        # out given by position
        xs = [operand("float64", (3, 4), "c", "pos"), operand("float64", (3, 4), "T", "pos")][:nin]
        o = operand("float64", (3, 4), "step")
        add(C.call_case(op, xs + [o], lambda *a, f=f: f(*a[:-1], out=np.array(a[-1], copy=True)),
                        rtol=tol))
    # where= with Lua booleans
    x = operand("float64", (3, 4))
    o = operand("float64", (3, 4), "T")
    add(C.call_case("exp", [x, {"out": o, "where": False}],
                    lambda a, kw: np.exp(a, out=np.array(kw["out"], copy=True), where=False),
                    rtol=1e-12))
    add(C.call_case("exp", [x, {"out": o, "where": True}],
                    lambda a, kw: np.exp(a, out=np.array(kw["out"], copy=True), where=True),
                    rtol=1e-12))
    # the output must be of a kind the result casts to ('same_kind')
    add(C.call_case("add", [operand("float64", (3,)), 1, {"out": operand("int64", (3,))}],
                    lambda a, b, kw: np.add(a, b, out=np.array(kw["out"]))))
    add(C.call_case("add", [operand("int64", (3,)), 1, {"out": operand("uint8", (3,))}],
                    lambda a, b, kw: np.add(a, b, out=np.array(kw["out"]))))
    add(C.call_case("divmod", [operand("int64", (3, 4)), operand("int64", (4,), dom="nonzero"),
                               {"out": [operand("int64", (3, 4)), operand("float64", (3, 4), "T")]}],
                    lambda a, b, kw: np.divmod(a, b, out=tuple(np.array(o, copy=True) for o in kw["out"])),
                    multi=True))
    add(C.call_case("modf", [operand("float32", (5,)), {"out": [operand("float64", (5,)), None]}],
                    lambda a, kw: np.modf(a, out=(np.array(kw["out"][0], copy=True), None)), multi=True))
    # a where mask must be a bool array
    add(C.call_case("add", [operand("float64", (3,)), 1, {"where": operand("int32", (3,))}],
                    lambda a, b, kw: np.add(a, b, where=kw["where"])))
    return out
# }=====


def cases(tables):
    out = []
    for name, nin in tables["ops"]:
        if name.startswith("_"):
            continue
        out += [C.lua_case(c) for c in ewise_cases(name, nin)]
    out += call_cases()
    out += kwarg_cases()
    return out
