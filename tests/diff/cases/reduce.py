# SPDX-License-Identifier: MIT
"""Reductions: every row of the reduction table plus mean/var/std, over
every axis, keepdims, views and NaN."""
import sys

import numpy as np

import common as C
from common import Skip, desc_of, finish, layouts, lua_value, make_operand

def np_reduce(op, a, axis, keepdims, ddof):
    if op in ("argmin", "argmax"):
        f = getattr(np, op)
        return lambda: f(a, axis=axis, keepdims=keepdims) + 1
    if op in ("var", "std"):
        return lambda: getattr(np, op)(a, axis=axis, keepdims=keepdims, ddof=ddof)
    f = C.np_func(op)
    return lambda: f(a, axis=axis, keepdims=keepdims)


def reduce_cases(reds):
    cases = []
    ops = list(reds) + [x for x in ("mean", "var", "std") if x not in reds]
    for op in ops:
        for dt in C.DTYPES:
            for shape, lname in (((3, 4), "c"), ((3, 4), "T"), ((3, 4), "step"), ((2, 3, 4), "c"), ((5,), "rev")):
                nd = len(shape)
                axes = [None] + list(range(1, nd + 1)) + [-1]
                for axis in axes:
                    for keepdims in (False, True):
                        for ddof in ((0, 1) if op in ("var", "std") else (None,)):
                            nan = dt.startswith("float") and lname == "rev" and op in ("min", "max", "argmin", "argmax", "sum")
                            s, a = make_operand(dt, shape, lname, "any", nan=nan)
                            npaxis = None if axis is None else (axis - 1 if axis > 0 else axis)
                            desc = "%s(%s, axis=%s, keepdims=%s%s)" % (
                                op, desc_of(s, lname), axis, keepdims, "" if ddof is None else ", ddof=%d" % ddof)
                            case = {"kind": "reduce", "op": op, "args": [s], "axis": axis,
                                    "keepdims": keepdims, "ddof": ddof, "desc": desc}
                            try:
                                cases.append(finish(case, np_reduce(op, a, npaxis, keepdims, ddof)))
                            except Skip:
                                pass
    return cases


def cases(tables):
    return [C.lua_case(c) for c in reduce_cases(tables["reds"])]
