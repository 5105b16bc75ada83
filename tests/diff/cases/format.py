# SPDX-License-Identifier: MIT
"""array_repr (lua/format.lua) against NumPy's: the array's repr under a
line width, a precision and suppress_small, for a few dtypes and shapes;
then array2string of float and complex arrays drawn to reach Dragon4's
corners (powers of two, integers past the shortest digits, tiny and huge
values, signed zeros) under every floatmode."""
import random

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
    rng = random.Random(20261205)

    def value():
        kind = rng.choice(["pow2", "int", "big", "small", "mix", "round", "unif"])
        if kind == "pow2":
            return 2.0 ** rng.randint(-110, 110) * rng.choice([1, -1, 3, 1.5])
        if kind == "int":
            return float(rng.randint(-70000, 70000))
        if kind == "big":
            return rng.uniform(1, 10) * 10 ** rng.randint(5, 25)
        if kind == "small":
            return rng.uniform(1, 10) * 10 ** rng.randint(-30, -3)
        if kind == "mix":
            return rng.choice([0.0, -0.0, 1.5, 65504.0, 8192.0, 1e-5, 123.456, 2049.0])
        if kind == "round":
            return round(rng.uniform(-1000, 1000), rng.randint(0, 4))
        return rng.uniform(-100, 100)

    def to2s(x, kw):
        with np.errstate(all="ignore"):
            return np.array2string(x, **kw)

    for i in range(400):
        dt = rng.choice(["float16", "float32", "float64", "complex64", "complex128"])
        n = rng.randint(1, 5)
        if dt.startswith("complex"):
            vals = [complex(value(), value()) for _ in range(n)]
        else:
            vals = [value() for _ in range(n)]
        with np.errstate(all="ignore"):
            x = A(dt, (n,), values=vals)
        kw = {"floatmode": rng.choice(["maxprec", "unique", "maxprec_equal", "fixed"]),
              "precision": rng.choice([8, 5, 3])}
        add(C.call_case("array2string", [x, kw], to2s,
                        desc="array2string(%s %s, %s)" % (dt, vals, kw)))
    return [x for x in out if x]
