# SPDX-License-Identifier: MIT
"""Reductions: every row of the reduction table (src/core/lu_reduce.def,
read by common.read_ops), NumPy's function of the same name, on every
dtype, views, every axis, lists of axes, keepdims, ddof, dtype=, NaN and
all-NaN slices, empty axes, and the errors NumPy raises. A new row is
covered as soon as NumPy has a function of its name."""
import warnings

import numpy as np

import common as C
from common import A, Skip, desc_of, finish, make_operand

warnings.simplefilter("ignore")       # NumPy warns on all-NaN slices and ddof >= n

MORE_DTYPES = ["int8", "int16", "uint8", "uint16", "uint32", "uint64"]


def np_axis(axis):
    """lunar's 1-based axis (or list) as NumPy's."""
    if axis is None:
        return None
    if isinstance(axis, list):
        return tuple(a - 1 if a > 0 else a for a in axis)
    return axis - 1 if axis > 0 else axis


def np_reduce(row, a, axis, keepdims, ddof, dtype):
    f = getattr(np, row["name"])
    kw = {"axis": np_axis(axis)}
    if keepdims:
        kw["keepdims"] = True
    if ddof is not None:
        kw["ddof"] = ddof
    if dtype is not None:
        kw["dtype"] = dtype
    if "LU_RF_ARG" in row["flags"]:
        return lambda: f(a, **kw) + 1          # lunar's positions are 1-based (a tuple: TypeError)
    return lambda: f(a, **kw)


def axis_forms(row, nd):
    """None, every axis, -1, and for rows that take them lists of axes."""
    forms = [None] + list(range(1, nd + 1)) + [-1]
    if "LU_RF_ARG" in row["flags"]:
        return forms
    if nd == 2:
        forms += [[1, 2], [2, 1], []]
    elif nd == 3:
        forms += [[1, 3], [1, 2], [2, 3], [3, 1], [-1, 1], [1, 2, 3]]
    elif nd == 4:
        forms += [[1, 3], [2, 4], [1, 2, 4], [4, 2]]
    return forms


def takes(row, p):
    return p in row["params"]


def reduce_cases(rows):
    cases = []

    def add(row, spec, a, axis, keepdims=False, ddof=None, dtype=None, desc=None):
        d = desc or "%s(%s, axis=%s, keepdims=%s%s%s)" % (
            row["name"], desc_of(spec, spec.get("lname")), axis, keepdims,
            "" if ddof is None else ", ddof=%s" % ddof, "" if dtype is None else ", dtype=" + dtype)
        case = {"kind": "reduce", "op": row["name"], "args": [spec], "axis": axis,
                "keepdims": keepdims, "ddof": ddof, "rdtype": dtype, "desc": d}
        try:
            cases.append(finish(case, np_reduce(row, a, axis, keepdims, ddof, dtype)))
        except Skip:
            pass

    def operand(dt, shape, lname, nan=False):
        s, a = make_operand(dt, shape, lname, "any", nan=nan)
        s["lname"] = lname
        return s, a

    for row in rows:
        ddofs = (0, 1) if takes(row, "ddof") else (None,)
        # the full matrix on the main dtypes
        for dt in C.DTYPES:
            isf = dt.startswith("float")
            for shape, lname in (((3, 4), "c"), ((3, 4), "T"), ((3, 4), "step"), ((3, 4), "rev"),
                                 ((2, 3, 4), "c"), ((5,), "rev"), ((2, 3, 2, 3), "c")):
                for axis in axis_forms(row, len(shape)):
                    for keepdims in (False, True):
                        for ddof in ddofs:
                            nan = isf and lname in ("rev", "T")
                            s, a = operand(dt, shape, lname, nan)
                            add(row, s, a, axis, keepdims, ddof)
        # the other integer dtypes: small values (unsigned ones from 0), fewer forms
        for dt in MORE_DTYPES:
            for shape in ((3, 4), (2, 3, 4)):
                for axis in (None, 1, -1) + ((([1, 3] if len(shape) == 3 else [2, 1]),)
                                            if "LU_RF_ARG" not in row["flags"] else ()):
                    lo = 0 if dt.startswith("u") else -9
                    x = A(dt, None, values=C.rng.integers(lo, 10, shape))
                    add(row, dict(x.spec, lname="c"), x.np, axis, False, ddofs[-1])
        # NaN where it matters: slices with some NaN and slices of NaN only
        for dt in ("float32", "float64"):
            nan = float("nan")
            for vals in ([[nan, 1.5, nan, -2.0], [nan, nan, nan, nan], [0.5, nan, 3.0, 3.0]],
                         [[nan, nan], [nan, nan]], [[1.0, np.inf, nan], [-np.inf, nan, 2.0]]):
                x = A(dt, None, values=vals)
                for axis in (None, 1, 2):
                    for ddof in ddofs:
                        add(row, dict(x.spec, lname="c"), x.np, axis, False, ddof)
        # empty arrays: an empty reduced axis, an empty kept axis
        for dt in ("int32", "float64"):
            for shape in ((0, 3), (3, 0), (0,)):
                s, a = operand(dt, shape, "c")
                for axis in (None, 1) + ((2,) if len(shape) == 2 else ()):
                    add(row, s, a, axis, False, ddofs[-1])
        # ddof past the number of elements, and a float ddof
        if takes(row, "ddof"):
            for dt in ("int32", "float64"):
                s, a = operand(dt, (3, 4), "c")
                for ddof in (3, 4, 5, 0.5, -1):
                    add(row, s, a, 1, False, ddof)
        # dtype= (lunar asks for a float dtype where NumPy's integer result is
        # an artefact of its algorithm: var and the nan rows of float input)
        if takes(row, "dtype"):
            for dt in ("bool", "int8", "int32", "uint8", "float32", "float64"):
                for rd in ("int8", "int64", "uint16", "float32", "float64", "bool"):
                    if not rd.startswith("float") and (takes(row, "ddof") or (
                            row["nonfloat"] != row["name"] and dt.startswith("float"))):
                        continue
                    x = A(dt, None, values=C.rng.integers(0, 10, (4, 3)))
                    add(row, dict(x.spec, view=["T"], lname="c"), x.np.T, 2, False, ddofs[-1], rd,
                        desc="%s(%s(4,3).T, axis=2, dtype=%s)" % (row["name"], dt, rd))
        # errors NumPy raises: an axis out of range, twice, ptp of bool
        s, a = operand("float64", (2, 3, 4), "c")
        for axis in (4, -4, [1, 1], [1, -3], [2, 4]):
            if isinstance(axis, list) and "LU_RF_ARG" in row["flags"]:
                continue
            add(row, s, a, axis)
        if "LU_RF_ARG" in row["flags"]:
            add(row, s, a, [1, 2])
    return cases


def call_cases(rows):
    """The positional forms and the short form, through the generic call kind."""
    out = []
    a = A("float64", (3, 4), "T", nan=False)
    t = A("int32", (2, 3, 4), "c")
    names = {r["name"] for r in rows}
    for r in rows:
        n = r["name"]
        f = getattr(np, n)
        arg = "LU_RF_ARG" in r["flags"]
        plus = (lambda v: v + 1) if arg else (lambda v: v)
        out.append(C.call_case(n, [a, 1], lambda x, ax, f=f, plus=plus: plus(f(x, axis=ax - 1)),
                               forms=("function", "method"), rtol=1e-12))
        out.append(C.call_case(n, [a, -1, True], lambda x, ax, k, f=f, plus=plus:
                               plus(f(x, axis=ax, keepdims=k)), forms=("function", "method"),
                               rtol=1e-12))
        if not arg:
            out.append(C.call_case(n, [t, [1, 3]], lambda x, ax, f=f: f(x, axis=(0, 2)),
                                   forms=("function", "method"), rtol=1e-12))
    if "var" in names:
        out.append(C.call_case("var", [a, None, None, None, 1],
                               lambda x, *_: np.asarray(np.var(x, ddof=1)),
                               forms=("function", "method"), rtol=1e-12))
    if "sum" in names:
        out.append(C.call_case("sum", [t, 2, "int8"], lambda x, ax, d: np.sum(x, axis=1, dtype=d),
                               forms=("function", "method")))
        out.append(C.call_case("sum", [t, 2, None, None, True],
                               lambda x, ax, d, o, k: np.sum(x, axis=1, keepdims=True),
                               forms=("function", "method")))
    # NumPy's other names of max and min (module functions only)
    for n in ("amax", "amin"):
        f = getattr(np, n)
        out.append(C.call_case(n, [a], lambda x, f=f: np.asarray(f(x)), rtol=0))
        out.append(C.call_case(n, [t, 2, None, True], lambda x, ax, o, k, f=f: f(x, axis=1, keepdims=k)))
        out.append(C.call_case(n, [t, {"axis": [1, 3]}], lambda x, kw, f=f: f(x, axis=(0, 2))))
    return out


def cases(tables):
    rows = tables["red_rows"]
    return [C.lua_case(c) for c in reduce_cases(rows)] + [x for x in call_cases(rows) if x]
