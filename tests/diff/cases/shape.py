# SPDX-License-Identifier: MIT
"""Views and shape changes that exist since the foundation (reshape,
transpose, squeeze, expand_dims, ravel, flatten) and creation by range
(arange, linspace, eye), through the generic "call" kind. A template for
the families' own modules: build operands with C.A, call C.call_case."""
import numpy as np

import common as C
from common import A


def cases(tables):
    out = []
    add = out.append
    for dt in C.DTYPES:
        for ln in ("c", "T", "step"):
            a = A(dt, (3, 4), ln)
            add(C.call_case("reshape", [a, 2, 6], lambda x, *s: x.reshape(s), forms=("method",)))
            add(C.call_case("reshape", [a, [4, -1]], lambda x, s: x.reshape(s),
                            forms=("function", "method")))
            add(C.call_case("ravel", [a], np.ravel, forms=("function", "method")))
            add(C.call_case("transpose", [a], np.transpose, forms=("function", "method")))
        b = A(dt, (2, 1, 3), "c")
        add(C.call_case("squeeze", [b], np.squeeze, forms=("function", "method")))
        add(C.call_case("expand_dims", [b, 1], lambda x, ax: np.expand_dims(x, ax - 1),
                        forms=("function", "method")))
        add(C.call_case("reshape", [A(dt, (3, 4)), 5, -1], lambda x, *s: x.reshape(s),
                        forms=("method",)))
    for start, stop, step in ((0, 5, 1), (2, 11, 3), (5, 0, -1), (0.5, 3, 0.25), (1, 1, 1)):
        add(C.call_case("arange", [start, stop, step], np.arange))
    for dt in ("int32", "float32", "uint8"):
        add(C.call_case("arange", [0, 7, {"dtype": dt}], lambda a, b, kw: np.arange(a, b, **kw)))
    for num in (0, 1, 5, 9):
        add(C.call_case("linspace", [-1.5, 2, num], np.linspace))
        add(C.call_case("linspace", [0, 1, num, {"endpoint": False}],
                        lambda a, b, n, kw: np.linspace(a, b, n, **kw)))
    for n, m, k in ((3, 3, 0), (3, 5, 1), (4, 2, -1), (2, 2, 5)):
        add(C.call_case("eye", [n, m, k], np.eye))
    return out
