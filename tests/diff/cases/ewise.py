# SPDX-License-Identifier: MIT
"""Elementwise ops: every row of the op table (src/core/lu_ops.def), every
dtype pair, views, broadcasts and weak scalars."""
import sys

import numpy as np

import common as C
from common import Skip, desc_of, finish, layouts, lua_value, make_operand

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
    f = C.np_func(op)
    return lambda: f(*npargs)


def binary_shapes():
    # (shape0, layout0, shape1, layout1)
    return [((3, 4), "c", (3, 4), "c"), ((3, 4), "T", (3, 4), "step"), ((3, 4), "rev", (3, 4), "c"),
            ((3, 1), "c", (1, 4), "c"), ((4,), "c", (3, 4), "T"), ((3, 4), "c", (4,), "step"),
            ((), "c", (3, 4), "c")]


def ewise_cases(op, nin):
    cases = []
    dts = C.DTYPES

    def add(specs, npargs, desc):
        case = {"kind": "ewise", "op": op, "args": specs, "desc": desc}
        try:
            cases.append(finish(case, ewise_call(op, npargs)))
        except Skip:
            pass

    if nin == 1:
        for dt in dts:
            for lname, *_ in layouts((3, 4)):
                s, a = make_operand(dt, (3, 4), lname, C.domain_for(op, 0), nan=(lname == "rev"))
                add([s], [a], "%s(%s)" % (op, desc_of(s, lname)))
            s, a = make_operand(dt, (), "c", C.domain_for(op, 0))
            add([s], [a], "%s(%s)" % (op, desc_of(s)))
    elif nin == 2:
        for d0 in dts:
            for d1 in dts:
                for sh0, l0, sh1, l1 in binary_shapes():
                    s0, a0 = make_operand(d0, sh0, l0, C.domain_for(op, 0))
                    s1, a1 = make_operand(d1, sh1, l1, C.domain_for(op, 1))
                    add([s0, s1], [a0, a1], "%s(%s, %s)" % (op, desc_of(s0, l0), desc_of(s1, l1)))
        for dt in dts:
            for lname in ("c", "T"):
                for pos in (0, 1):
                    for sc in C.scalars_for(op, pos):
                        s, a = make_operand(dt, (3, 4), lname, C.domain_for(op, 1 - pos),
                                            nan=(lname == "T" and op in ("maximum", "minimum")))
                        sspec = {"scalar": sc}
                        specs, npargs = ([sspec, s], [sc, a]) if pos == 0 else ([s, sspec], [a, sc])
                        add(specs, npargs, "%s(%s)" % (op, ", ".join(desc_of(x, lname) for x in specs)))
        if op in ("maximum", "minimum", "equal", "not_equal", "less", "greater", "add"):
            for dt in ("float32", "float64"):
                s0, a0 = make_operand(dt, (3, 4), "c", "any", nan=True)
                s1, a1 = make_operand(dt, (3, 4), "T", "any", nan=True)
                add([s0, s1], [a0, a1], "%s(%s, %s) with nan" % (op, desc_of(s0), desc_of(s1, "T")))
    elif op == "where":
        for cd in ("bool", "int32", "float64"):
            for d0 in dts:
                for d1 in dts:
                    if cd != "bool" and d0 != d1:
                        continue
                    sc_, c = make_operand(cd, (3, 1) if d0 == d1 else (3, 4), "c", "any")
                    s0, a0 = make_operand(d0, (3, 4), "T", "any")
                    s1, a1 = make_operand(d1, (4,), "step", "any")
                    add([sc_, s0, s1], [c, a0, a1], "where(%s, %s, %s)" % (
                        desc_of(sc_), desc_of(s0, "T"), desc_of(s1, "step")))
            for dt in dts:
                for x, y in ((0, None), (None, 2.5), (True, None), (7, -1)):
                    sc_, c = make_operand("bool", (3, 4), "c", "any")
                    s, a = make_operand(dt, (3, 4), "rev", "any")
                    s0, a0 = ({"scalar": x}, x) if x is not None else (s, a)
                    s1, a1 = ({"scalar": y}, y) if y is not None else (s, a)
                    add([sc_, s0, s1], [c, a0, a1], "where(%s, %s, %s)" % (
                        desc_of(sc_), desc_of(s0, "rev"), desc_of(s1, "rev")))
    elif op == "clip":
        for dt in dts:
            for bd in dts:
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


def cases(tables):
    out = []
    for name, nin in tables["ops"]:
        out += [C.lua_case(c) for c in ewise_cases(name, nin)]
    return out
