# SPDX-License-Identifier: MIT
"""float16, bfloat16, complex64 and complex128: every row of the op table
with the new dtypes (with themselves, with the other dtypes, with views,
broadcasts and weak scalars, complex ones included), astype between them,
reductions (the nan* rows on complex input too) and matmul.

bfloat16 has no NumPy dtype (Debian's NumPy 1.24; ml_dtypes is not there):
its operands are float32 arrays holding bfloat16 values, NumPy computes in
float32, and where lunar's result is bfloat16 (ml_dtypes' promotion) the
expected values are NumPy's float32 results rounded to bfloat16 here. That
is the definition lunar implements: compute in float32, round once.

NumPy 1.24's sign of a complex number is the old one (the sign of the real
part); NumPy 2's, z/|z|, is written here instead.
"""
import warnings

import numpy as np

import common as C
from common import Skip, desc_of, layouts, lua_value, make_operand

NEW = ["float16", "bfloat16", "complex64", "complex128"]
PARTNERS = ["bool", "int8", "uint8", "int16", "int32", "float32", "float64"]
# the dtypes that keep bfloat16 with it (ml_dtypes: they cast to it safely)
BF16_KEEP = {"bfloat16", "bool", "int8", "uint8"}


def bf16_round(x):
    """float32 values rounded to nearest even bfloat16, as float32."""
    shape = np.shape(x)
    x = np.array(x, dtype=np.float32, ndmin=1)
    u = x.view(np.uint32).astype(np.uint64)
    nan = np.isnan(x)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    r = u.view(np.float32).copy()
    r[nan] = np.nan
    return r.reshape(shape)


def operand(dt, shape, lname, dom, nan=False):
    """(lua spec, numpy array) of dtype dt (bfloat16: float32 holding
    bfloat16 values; complex: both parts from the real generator)."""
    if dt == "bfloat16":
        spec, a = make_operand("float32", shape, lname, dom, nan)
        spec["data"] = bf16_round(spec["data"])
        spec["dtype"] = "bfloat16"
        base = spec["data"].reshape(spec["shape"])
        return spec, _view(base, shape, lname)
    if dt.startswith("complex"):
        part = "float32" if dt == "complex64" else "float64"
        sr, _ = make_operand(part, shape, lname, dom, nan)
        si, _ = make_operand(part, shape, lname, "any" if dom in ("pos", "nonzero") else dom)
        data = (sr["data"].astype(np.float64) + 1j * si["data"].astype(np.float64)).astype(dt)
        spec = {"dtype": dt, "shape": sr["shape"], "data": data, "view": sr["view"]}
        return spec, _view(data.reshape(sr["shape"]), shape, lname)
    return make_operand(dt, shape, lname, dom, nan)


def _view(base, shape, lname):
    return C.layout(shape, lname)[3](base)


def strong_dtypes(specs):
    return [s["dtype"] for s in specs if "dtype" in s]


def expected(op, specs, npargs):
    """NumPy's result (with the bfloat16 and complex-sign rules above),
    the dtype lunar gives it, and the tolerance; raises Skip when NumPy has
    no such dtype."""
    with np.errstate(all="ignore"):
        if op == "sign" and np.iscomplexobj(npargs[0]):
            z = np.asarray(npargs[0])
            m = np.abs(z)
            r = np.where(m == 0, 0, z / np.where(m == 0, 1, m)).astype(z.dtype)
        else:
            r = np.asarray(ewise_fn(op, npargs)())
        if op in ("power", "float_power") and np.iscomplexobj(r):
            # NumPy 2: 0 ** b is 0 for any b with a positive real part (1.24: NaN
            # unless b is real)
            base, ex = np.broadcast_arrays(np.asarray(npargs[0]), np.asarray(npargs[1]))
            zero = (base == 0) & (np.real(ex) > 0)
            r = np.where(zero, 0, r).astype(r.dtype)
    dt = r.dtype.name
    strong = strong_dtypes(specs)
    if op in ("nextafter", "spacing") and "bfloat16" in strong:
        # a step of float32's unit is not bfloat16's: NumPy has no loop to
        # ask (hand-written values in ufunc_spec)
        raise Skip()
    if "bfloat16" in strong and dt == "float32" and all(d in BF16_KEEP for d in strong):
        r, dt = bf16_round(r), "bfloat16"
    if dt not in C.LUNAR_DTYPES:
        raise Skip()
    tol = 0.0
    cplx_in = any(s.get("dtype", "").startswith("complex") or isinstance(s.get("scalar"), complex)
                  for s in specs)
    if dt.startswith("complex") or (op in C.TRANSCENDENTAL and "float" in dt) or \
            (cplx_in and "float" in dt):   # abs, angle of complex: NumPy's SIMD hypot
        tol = C.RTOL[dt]
    if dt == "bfloat16" or (dt == "float16" and op in C.TRANSCENDENTAL):
        tol = C.RTOL[dt]
    return r, dt, tol


def ewise_fn(op, npargs):
    if op == "where":
        c, x, y = npargs
        dt = np.result_type(x, y)
        return lambda: np.where(c, x, y).astype(dt)
    if op == "clip":
        a, lo, hi = npargs
        return lambda: np.minimum(np.maximum(a, lo), hi)
    if op == "copy":
        return lambda: np.copy(npargs[0])
    if op == "angle":
        return lambda: np.angle(npargs[0])
    f = C.np_func(op)
    return lambda: f(*npargs)


def case(op, specs, npargs, desc):
    c = {"kind": "ewise", "op": op, "args": specs, "desc": desc}
    try:
        r, dt, tol = expected(op, specs, npargs)
    except (TypeError, ValueError) as e:
        c["error"] = "%s: %s" % (type(e).__name__, e)
        return C.lua_case(c)
    except Skip:
        return None
    c["result"], c["dtype"], c["rtol"] = r, dt, tol
    return C.lua_case(c)


def domain(op, pos, dt):
    d = C.domain_for(op, pos)
    if dt.startswith("complex") and op in ("sqrt", "log"):
        return "nonzero"
    return d


def scalars(op, pos, dt):
    s = list(C.scalars_for(op, pos))
    if op in ("add", "multiply", "subtract", "divide", "equal", "not_equal", "maximum", "power"):
        s.append(complex(1.5, -2.0) if op != "power" or pos == 1 else complex(1.25, 0.5))
    if op in ("sqrt", "log") and dt.startswith("complex"):
        return []
    return s


def ewise_cases(op, nin):
    out = []
    if nin == 1:
        for dt in NEW:
            for lname, *_ in layouts((3, 4)):
                s, a = operand(dt, (3, 4), lname, domain(op, 0, dt), nan=(lname == "rev"))
                out.append(case(op, [s], [a], "%s(%s)" % (op, desc_of(s, lname))))
            s, a = operand(dt, (), "c", domain(op, 0, dt))
            out.append(case(op, [s], [a], "%s(%s)" % (op, desc_of(s))))
    elif nin == 2:
        for dt in NEW:
            for sh0, l0, sh1, l1 in ((((3, 4), "c", (3, 4), "c")), ((3, 4), "T", (3, 4), "step"),
                                      ((3, 1), "c", (1, 4), "c"), ((4,), "c", (3, 4), "rev")):
                s0, a0 = operand(dt, sh0, l0, domain(op, 0, dt))
                s1, a1 = operand(dt, sh1, l1, domain(op, 1, dt))
                out.append(case(op, [s0, s1], [a0, a1], "%s(%s, %s)" % (op, desc_of(s0, l0), desc_of(s1, l1))))
            for pd in PARTNERS + [d for d in NEW if d != dt]:
                for first in (True, False):
                    s0, a0 = operand(dt, (3, 4), "c", domain(op, 0 if first else 1, dt))
                    s1, a1 = operand(pd, (3, 4), "T", domain(op, 1 if first else 0, pd))
                    specs, npargs = ([s0, s1], [a0, a1]) if first else ([s1, s0], [a1, a0])
                    out.append(case(op, specs, npargs, "%s(%s)" % (op, ", ".join(
                        desc_of(x, l) for x, l in zip(specs, ("c", "T") if first else ("T", "c"))))))
            for pos in (0, 1):
                for sc in scalars(op, pos, dt):
                    s, a = operand(dt, (3, 4), "T", domain(op, 1 - pos, dt),
                                   nan=op in ("maximum", "minimum"))
                    sspec = {"scalar": sc}
                    specs, npargs = ([sspec, s], [sc, a]) if pos == 0 else ([s, sspec], [a, sc])
                    out.append(case(op, specs, npargs, "%s(%s)" % (op, ", ".join(desc_of(x, "T") for x in specs))))
            if dt.startswith("complex") and op in ("maximum", "minimum", "less", "greater_equal", "equal"):
                s0, a0 = operand(dt, (3, 4), "c", "any", nan=True)
                s1, a1 = operand(dt, (3, 4), "c", "any", nan=True)
                a1[0, :2] = a0[0, :2]   # equal pairs, and equal real parts below
                s1["data"][:2] = s0["data"][:2]
                a1[1, :] = a0[1, :].real + 1j * a1[1, :].imag
                s1["data"][4:8] = a1[1, :]
                out.append(case(op, [s0, s1], [a0, a1], "%s(%s, %s) with nan and ties" % (op, desc_of(s0), desc_of(s1))))
    elif op == "where":
        for dt in NEW:
            for other in (dt, "float32", "int8"):
                sc_, c = make_operand("bool", (3, 4), "c", "any")
                s0, a0 = operand(dt, (3, 4), "T", "any")
                s1, a1 = operand(other, (4,), "step", "any")
                out.append(case("where", [sc_, s0, s1], [c, a0, a1], "where(%s, %s, %s)" % (
                    desc_of(sc_), desc_of(s0, "T"), desc_of(s1, "step"))))
            sc_, c = make_operand("bool", (3, 4), "c", "any")
            s, a = operand(dt, (3, 4), "rev", "any")
            out.append(case("where", [sc_, s, {"scalar": 2.5}], [c, a, 2.5], "where(%s, %s, 2.5)" % (
                desc_of(sc_), desc_of(s, "rev"))))
    elif op == "clip":
        for dt in NEW:
            s, a = operand(dt, (3, 4), "T", "any")
            out.append(case("clip", [s, {"scalar": -1.5}, {"scalar": 2.5}], [a, -1.5, 2.5],
                            "clip(%s, -1.5, 2.5)" % desc_of(s, "T")))
            s1, lo = operand(dt, (4,), "c", "low")
            s2, hi = operand(dt, (3, 1), "c", "high")
            out.append(case("clip", [s, s1, s2], [a, lo, hi], "clip(%s, %s, %s)" % (
                desc_of(s, "T"), desc_of(s1), desc_of(s2))))
    return out


# {===== astype, reductions, matmul (call cases)
ALL = ["bool", "int8", "uint8", "int16", "int32", "int64", "uint64", "float16", "bfloat16",
       "float32", "float64", "complex64", "complex128"]


def astype_cases():
    """astype between every pair with a new dtype, as call cases (the
    function and the method)."""
    out = []
    for src in ALL:
        for dst in ALL:
            if src not in NEW and dst not in NEW:
                continue
            unsigned = dst.startswith("uint")
            s, a = operand(src, (3, 4), "T", "pos" if unsigned else "any",
                           nan=src in NEW and dst in NEW and src != "bool")
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")     # complex -> real: NumPy's ComplexWarning
                r = np.asarray(a).astype(np.float32 if dst == "bfloat16" else dst)
            if dst == "bfloat16":
                r = bf16_round(r)
            out.append('add{kind="call",op="astype",desc=%s,forms={"function","method"},'
                       'args={{arr=%s},{str="%s"}},results={{dtype="%s",shape={%s},expect=%s,rtol=0}}}\n' % (
                           C.lua_string("astype(%s, %s)" % (desc_of(s, "T"), dst)), C.lua_operand(s), dst,
                           dst, ",".join(map(str, r.shape)), C.lua_data(r, dst)))
    return out


def reduce_cases():
    out = []
    for dt in NEW:
        for name in ("sum", "prod", "max", "min", "argmax", "argmin", "mean", "any", "all", "var"):
            for axis in (None, 0, 1):
                s, a = operand(dt, (5, 7), "T" if axis == 0 else "c", "base" if name == "prod" else "any",
                               nan=name in ("max", "argmin") and axis == 1)
                with np.errstate(all="ignore"):
                    if dt == "bfloat16":
                        r = getattr(np, name)(a.astype(np.float32), axis=axis)
                        if name in ("sum", "prod", "max", "min", "mean", "var"):
                            r = bf16_round(r)
                    else:
                        r = np.asarray(getattr(np, name)(a, axis=axis))
                rdt = "bfloat16" if dt == "bfloat16" and np.asarray(r).dtype == np.float32 else np.asarray(r).dtype.name
                if name in ("argmax", "argmin"):
                    r = np.asarray(r) + 1
                tol = C.RTOL.get(rdt, 0.0) if name not in ("max", "min", "argmax", "argmin", "any", "all") else 0.0
                if dt == "float16" and name in ("sum", "mean", "var"):
                    tol = 2e-3    # one float16 rounding of a float32 result
                if dt == "float16" and name == "prod":
                    tol = 1e-2    # NumPy may round to float16 between blocks
                c = {"kind": "reduce", "op": name, "args": [s], "axis": None if axis is None else axis + 1,
                     "desc": "%s(%s, axis %s)" % (name, desc_of(s), axis), "result": np.asarray(r),
                     "dtype": rdt, "rtol": tol}
                out.append(C.lua_case(c))
    return out


# NumPy's nan* functions on complex input (nanfunctions.py): an element is
# NaN when either part is; nanmin/nanmax are fmin/fmax.reduce (a slice of
# NaN only gives its first element), nanargmin/nanargmax replace NaNs by
# +-inf+0j and raise on a slice of NaN only, nanvar/nanstd are real.
NAN_ROWS = ("nansum", "nanprod", "nanmin", "nanmax", "nanargmin", "nanargmax",
            "nanmean", "nanvar", "nanstd")


def nan_operand(dt, shape, lname, dom="any"):
    """operand() with NaN now and then in the real part, the imaginary part
    or both."""
    spec, _ = operand(dt, shape, lname, dom)
    data = spec["data"].copy()
    idx = C.rng.choice(data.size, max(2, data.size // 5), replace=False)
    for k, i in enumerate(idx):
        z = complex(data[i])
        data[i] = complex(np.nan if k % 3 != 1 else z.real, np.nan if k % 3 != 0 else z.imag)
    spec = dict(spec, data=data)
    return spec, _view(data.reshape(spec["shape"]), shape, lname)


def nan_reduce_cases():
    out = []

    def add(name, spec, a, axis=None, keepdims=False, ddof=None, lname="c"):
        kw = {}
        if axis is not None:
            kw["axis"] = tuple(x - 1 if x > 0 else x for x in axis) if isinstance(axis, list) \
                else axis - 1 if axis > 0 else axis
        if keepdims:
            kw["keepdims"] = True
        if ddof is not None:
            kw["ddof"] = ddof
        f = getattr(np, name)
        arg = name in ("nanargmin", "nanargmax")
        c = {"kind": "reduce", "op": name, "args": [spec], "axis": axis, "keepdims": keepdims,
             "ddof": ddof,
             "desc": "%s(%s, axis=%s, keepdims=%s%s)" % (name, desc_of(spec, lname), axis, keepdims,
                                                        "" if ddof is None else ", ddof=%s" % ddof)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # all-NaN slices, ddof past the count
            c = C.finish(c, lambda: f(a, **kw) + 1 if arg else f(a, **kw))
        out.append(C.lua_case(c))

    nan, inf = float("nan"), float("inf")
    for dt in ("complex64", "complex128"):
        for name in NAN_ROWS:
            arg = name in ("nanargmin", "nanargmax")
            dom = "base" if name == "nanprod" else "any"
            ddofs = (0, 1) if name in ("nanvar", "nanstd") else (None,)
            for shape, lname in (((5, 7), "c"), ((5, 7), "T"), ((5, 7), "step"), ((5, 7), "rev"),
                                 ((2, 3, 4), "c"), ((6,), "rev")):
                axes = [None] + list(range(1, len(shape) + 1)) + [-1]
                if not arg and len(shape) == 3:
                    axes += [[1, 3], [3, 2]]
                for axis in axes:
                    for keepdims in ((False, True) if axis in (None, 1) else (False,)):
                        for ddof in ddofs:
                            s, a = nan_operand(dt, shape, lname, dom)
                            add(name, s, a, axis, keepdims, ddof, lname)
            # slices of NaN only (NaN in either part), infinities, ties. Not
            # infinities for nanprod: NumPy multiplies from its identity one
            # element at a time (1 * (inf+1j) is inf+nanj), lunar's complex
            # products pair neighbours, so where an infinite part meets
            # another the NaN parts differ (as for prod)
            for vals in ([[complex(nan, 0), complex(nan, nan), complex(0, nan)],
                          [1 + 1j, complex(nan, 2), 2 - 1j],
                          [complex(1, nan), 1 + 1j, 1 + 1j]],
                         [[complex(inf, 1), complex(nan, 0), complex(-inf, 0)],
                          [complex(2, -inf), complex(2, 3), complex(nan, nan)]],
                         [[complex(nan, 0), complex(nan, 1)]]):
                if name == "nanprod" and np.isinf(np.asarray(vals)).any():
                    continue
                x = np.asarray(vals, dtype=dt)
                spec = {"dtype": dt, "shape": list(x.shape), "data": x.reshape(-1), "view": []}
                for axis in (None, 1, 2):
                    for ddof in ddofs:
                        add(name, spec, x, axis, False, ddof)
            # empty: a reduced axis of none, a kept axis of none
            x = np.zeros((0, 3), dtype=dt)
            spec = {"dtype": dt, "shape": [0, 3], "data": x.reshape(-1), "view": []}
            for axis in (None, 1, 2):
                add(name, spec, x, axis, False, ddofs[-1])
            # ddof past the count of numbers, and a float ddof
            if ddofs[-1] is not None:
                s, a = nan_operand(dt, (3, 4), "c")
                for ddof in (3, 5, 0.5):
                    add(name, s, a, 2, False, ddof)
    return out


def matmul_cases():
    out = []
    for dt in NEW:
        for (sa, la), (sb, lb) in ((((4, 3), "c"), ((3, 5), "c")), (((4, 3), "T"), ((3, 5), "c")),
                                   (((4, 3), "c"), ((3,), "c"))):
            s0, a0 = operand(dt, sa, la, "any")
            s1, a1 = operand(dt, sb, lb, "any")
            r = np.matmul(a0.astype(np.float32) if dt == "bfloat16" else a0,
                          a1.astype(np.float32) if dt == "bfloat16" else a1)
            if dt == "bfloat16":
                r = bf16_round(r)
            c = {"kind": "matmul", "op": "matmul", "args": [s0, s1],
                 "desc": "matmul(%s, %s)" % (desc_of(s0, la), desc_of(s1, lb)),
                 "result": np.asarray(r), "dtype": dt, "rtol": C.RTOL[dt]}
            out.append(C.lua_case(c))
    return out
# }=====


# The rows whose float16, bfloat16 and complex loops are written (the
# arithmetic, comparison and float rows of lu_ops_complex.def). The other
# rows of the ufunc set have no complex loop in NumPy either (floor, cbrt,
# erf ...) or are checked for the real dtypes in ewise.py.
NEW_DTYPE_ROWS = {
    "add", "subtract", "multiply", "divide", "floor_divide", "mod", "power",
    "maximum", "minimum", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal", "logical_and", "logical_or", "logical_not",
    "negative", "abs", "sign", "sqrt", "exp", "log", "sin", "cos", "tanh",
    "where", "clip", "copy", "conjugate", "angle",
    "square", "reciprocal", "isnan", "isinf", "isfinite", "logical_xor", "fmax", "fmin",
    "sinh", "cosh", "tan", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
    "exp2", "expm1", "log2", "log10", "log1p", "rint", "positive",
    "float_power", "nextafter", "spacing",
}


def cases(tables):
    out = []
    for name, nin in tables["ops"]:
        if name in NEW_DTYPE_ROWS:
            out += ewise_cases(name, nin)
    out += astype_cases() + reduce_cases() + nan_reduce_cases() + matmul_cases()
    return [x for x in out if x]
