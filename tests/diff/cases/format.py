# SPDX-License-Identifier: MIT
"""array_repr (lua/format.lua) against NumPy's: the array's repr under a
line width, a precision and suppress_small, for a few dtypes and shapes."""
import numpy as np

import common as C
from common import A


def cases(tables):
    out = []
    add = out.append
    x = A("float64", (3,), values=[1 / 3, 2 / 3, 1e-9])
    add(C.call_case("array_repr", [x], np.array_repr))
    add(C.call_case("array_repr", [x, None, 2, True], np.array_repr))
    add(C.call_case("array_repr", [x, 30, 4], np.array_repr))
    add(C.call_case("array_repr", [A("int64", (30,), values=np.arange(30)), 20], np.array_repr))
    add(C.call_case("array_repr", [A("float32", (2, 3), values=[[1.5, -2.25, 3], [4, 5, 6]])], np.array_repr))
    add(C.call_case("array_repr", [A("int8", (2, 2), values=[[1, -2], [3, 4]])], np.array_repr))
    add(C.call_case("array_repr", [A("bool", (3,), values=[True, False, True])], np.array_repr))
    return [x for x in out if x]
