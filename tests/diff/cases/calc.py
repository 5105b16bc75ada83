# SPDX-License-Identifier: MIT
"""interp, unwrap and cross (lua/calc.lua) against NumPy: sample points
inside, at and outside the range, NaN, left/right, period, complex
samples; jumps above and below discont, integer periods, every axis;
2- and 3-vectors, broadcasting, the axis options, dtypes."""
import numpy as np

import common as C
from common import A


def interp_cases(add):
    xp, fp = [1.0, 2.0, 3.0, 5.0], [3.0, 2.0, 0.0, 4.5]
    x = [0.0, 1.0, 1.25, 2.0, 2.72, 3.0, 4.9, 5.0, 6.0, float("nan")]
    add(C.call_case("interp", [x, xp, fp], lambda a, b, c: np.interp(a, b, c), rtol=1e-15))
    add(C.call_case("interp", [x, xp, fp, -1.5, 7], lambda a, b, c, l, r: np.interp(a, b, c, l, r),
                    rtol=1e-15))
    add(C.call_case("interp", [x, xp, fp, {"right": 9}], lambda a, b, c, kw: np.interp(a, b, c, **kw),
                    rtol=1e-15))
    add(C.call_case("interp", [2.5, xp, fp], lambda a, b, c: np.asarray(np.interp(a, b, c)), rtol=1e-15))
    add(C.call_case("interp", [A("float64", (3, 4), "T"), xp, fp], np.interp, rtol=1e-14))
    add(C.call_case("interp", [A("float32", (5,)), A("float64", (6,), values=np.linspace(-3, 3, 6)),
                               A("int32", (6,))], np.interp, rtol=1e-12))
    add(C.call_case("interp", [A("int64", (4,)), [0.0], [7.0]], np.interp))
    # equal sample points: the flat value where the slope is not finite
    add(C.call_case("interp", [[1.0, 2.0, 3.0], [1.0, 2.0, 2.0, 3.0], [0.0, 5.0, 5.0, 1.0]], np.interp,
                    rtol=1e-15))
    # period: angles
    add(C.call_case("interp", [[-180, -170, -185, 185, -10, -5, 0, 365], [190, -190, 350, -350],
                               [5, 10, 3, 4], {"period": 360}],
                    lambda a, b, c, kw: np.interp(a, b, c, **kw), rtol=1e-14))
    # complex samples
    add(C.call_case("interp", [[0.5, 1.5, 2.5, 4.0], [1.0, 2.0, 3.0], A("complex128", (3,))], np.interp,
                    rtol=1e-14))
    # errors
    add(C.call_case("interp", [[1.0], [1.0, 2.0], [1.0]], np.interp))
    add(C.call_case("interp", [[1.0], [], []], np.interp))
    add(C.call_case("interp", [[1.0], [1.0, 2.0], [1.0, 2.0], {"period": 0}],
                    lambda a, b, c, kw: np.interp(a, b, c, **kw)))


def unwrap_cases(add):
    add(C.call_case("unwrap", [[0.0, 0.78, 5.49, 6.28]], np.unwrap, rtol=1e-14))
    add(C.call_case("unwrap", [A("float64", (9,), values=[0, 3, 7, -2, 9, 1, 4, 12, 13])], np.unwrap,
                    rtol=1e-14))
    add(C.call_case("unwrap", [A("float32", (9,), values=[0, 3, 7, -2, 9, 1, 4, 12, 13])], np.unwrap,
                    rtol=1e-6))
    add(C.call_case("unwrap", [A("int64", (10,), values=np.arange(10) % 4), {"period": 4}],
                    lambda p, kw: np.unwrap(p, **kw)))
    add(C.call_case("unwrap", [A("int32", (9,), values=[1, 2, 3, 4, 5, 6, 1, 2, 3]), {"period": 6}],
                    lambda p, kw: np.unwrap(p, **kw)))
    add(C.call_case("unwrap", [A("int64", (8,), values=[2, 3, 4, 5, 2, 3, 4, 5]), {"period": 4}],
                    lambda p, kw: np.unwrap(p, **kw)))
    add(C.call_case("unwrap", [A("int64", (8,), values=[2, 3, 4, 5, 2, 3, 4, 5]), {"period": 5}],
                    lambda p, kw: np.unwrap(p, **kw)))
    m = A("float64", (4, 5), values=np.array([[0, 6, 1, 7, 2], [3, 0.5, 9, -4, 2], [1, 1, 1, 1, 1],
                                             [6, 0, 6, 0, 6]], dtype=float))
    for axis in (1, 2, -1, -2):
        add(C.call_case("unwrap", [m, None, axis], lambda p, d, ax: np.unwrap(p, axis=ax - 1 if ax > 0 else ax),
                        rtol=1e-14))
    add(C.call_case("unwrap", [m, 2.0], lambda p, d: np.unwrap(p, d), rtol=1e-14))
    add(C.call_case("unwrap", [m, {"discont": 4.0, "period": 5.0}],
                    lambda p, kw: np.unwrap(p, **kw), rtol=1e-14))
    add(C.call_case("unwrap", [[5.0]], np.unwrap))
    add(C.call_case("unwrap", [A("float64", (0,))], np.unwrap))


def cross_cases(add):
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)   # NumPy 2 deprecates 2-vectors
    for dt in ("int64", "int32", "float32", "float64", "complex128", "uint8"):
        for na, nb in ((3, 3), (2, 3), (3, 2), (2, 2)):
            add(C.call_case("cross", [A(dt, (4, na), dom="pos" if dt == "uint8" else "any"),
                                      A(dt, (4, nb), dom="pos" if dt == "uint8" else "any")],
                            np.cross, rtol=1e-6 if dt == "float32" else 1e-14))
    a, b = A("float64", (3, 2, 3)), A("float64", (2, 3))
    add(C.call_case("cross", [a, b], np.cross, rtol=1e-14))
    add(C.call_case("cross", [A("float64", (3, 4), "T"), A("float64", (3, 1)), {"axisa": 1, "axisb": 1}],
                    lambda x, y, kw: np.cross(x, y, axisa=0, axisb=0), rtol=1e-14))
    add(C.call_case("cross", [A("float64", (3, 5)), A("float64", (3, 5)), {"axis": 1}],
                    lambda x, y, kw: np.cross(x, y, axis=0), rtol=1e-14))
    add(C.call_case("cross", [A("float64", (5, 3)), A("float64", (5, 3)), -1, -1, 1],
                    lambda x, y, *_: np.cross(x, y, axisc=0), rtol=1e-14))
    add(C.call_case("cross", [[1, 2, 3, 4], [1, 2, 3]], np.cross))
    add(C.call_case("cross", [A("bool", (3,)), A("bool", (3,))], np.cross))


def cases(tables):
    out = []
    interp_cases(out.append)
    unwrap_cases(out.append)
    cross_cases(out.append)
    return [x for x in out if x]
