# SPDX-License-Identifier: MIT
"""matmul: NumPy's rules for 1-D, 2-D and stacked operands, views, mixed
dtypes and shape errors."""
import sys

import numpy as np

import common as C
from common import Skip, desc_of, finish, layouts, lua_value, make_operand

def matmul_cases():
    cases = []
    shapes = [((3, 4), "c", (4, 5), "c"), ((3, 4), "T", (4, 5), "step"), ((4,), "c", (4, 5), "c"),
              ((3, 4), "rev", (4,), "c"), ((4,), "step", (4,), "c"), ((2, 3, 4), "c", (2, 4, 5), "c"),
              ((2, 3, 4), "c", (4, 5), "T"), ((2, 1, 3, 4), "c", (3, 4, 2), "c"), ((3, 4), "c", (5, 6), "c"),
              ((3, 4), "c", (3, 4), "c")]
    pairs = [(d, d) for d in C.DTYPES] + [("int32", "float32"), ("float32", "float64"), ("int64", "float32"),
                                         ("bool", "int32"), ("int32", "int64")]
    for d0, d1 in pairs:
        for sh0, l0, sh1, l1 in shapes:
            s0, a0 = make_operand(d0, sh0, l0, "any")
            s1, a1 = make_operand(d1, sh1, l1, "any")
            case = {"kind": "matmul", "op": "matmul", "args": [s0, s1],
                    "desc": "matmul(%s, %s)" % (desc_of(s0, l0), desc_of(s1, l1))}
            try:
                cases.append(finish(case, lambda: np.matmul(a0, a1)))
            except Skip:
                pass
    return cases


def cases(tables):
    return [C.lua_case(c) for c in matmul_cases()]
