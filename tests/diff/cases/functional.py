# SPDX-License-Identifier: MIT
"""piecewise, apply_along_axis, apply_over_axes and vectorize
(lua/functional.lua) against NumPy, with Lua functions and the Python
functions that compute the same (positions shifted where lunar's are
1-based)."""
import numpy as np

import common as C
from common import A, Lua

NEG = Lua("function(v) return -v end", lambda v: -v)
SQ = Lua("function(v) return v * v end", lambda v: v * v)
SCALE = Lua("function(v, k) return v * k end", lambda v, k: v * k)
ENDS = Lua("function(v) return (v[1] + v[v.size]) / 2 end", lambda v: (v[0] + v[-1]) / 2)
SORT = Lua("function(v) return lunar.sort(v) end", np.sort)
DIAG = Lua("function(v) return lunar.diag(v) end", np.diag)
OUTER = Lua("function(v) return lunar.outer(v, v) end", lambda v: np.outer(v, v))
SUM = Lua("function(a, ax) return lunar.sum(a, ax) end", lambda a, ax: np.sum(a, ax))
SUMK = Lua("function(a, ax) return lunar.sum(a, ax, nil, nil, true) end",
           lambda a, ax: np.sum(a, ax, keepdims=True))
STEP = Lua("function(a, b) if a > b then return a - b else return a + b end end",
           lambda a, b: a - b if a > b else a + b)
PAIR = Lua("function(a, b) return a * b, a + b end", lambda a, b: (a * b, a + b))


def piecewise_cases(add):
    x = A("float64", (7,), values=np.linspace(-3, 3, 7))
    xn = x.np
    conds = [A("bool", (7,), values=xn < 0), A("bool", (7,), values=xn >= 1)]
    cn = [c.np for c in conds]
    add(C.call_case("piecewise", [x, conds, [-1, 1]], lambda a, c, f: np.piecewise(a, c, f)))
    add(C.call_case("piecewise", [x, conds, [NEG, SQ, 0.5]], lambda a, c, f: np.piecewise(a, c, f)))
    add(C.call_case("piecewise", [x, [conds[0]], [SCALE], 3.0],
                    lambda a, c, f, k: np.piecewise(a, c, f, k)))
    xi = A("int32", (2, 3), values=[[1, -2, 3], [-4, 5, -6]])
    add(C.call_case("piecewise", [xi, A("bool", (2, 3), values=xi.np > 0), [NEG, 7]],
                    lambda a, c, f: np.piecewise(a, [c], f)))
    add(C.call_case("piecewise", [x, conds, [1]], lambda a, c, f: np.piecewise(a, c, f)))   # error
    _ = cn


def apply_cases(add):
    b = A("int64", (3, 3), values=[[8, 1, 7], [4, 3, 9], [5, 2, 6]])
    for ax in (1, 2, -1):
        npax = ax - 1 if ax > 0 else ax
        add(C.call_case("apply_along_axis", [ENDS, ax, b], lambda f, a, arr, n=npax: np.apply_along_axis(f, n, arr)))
        add(C.call_case("apply_along_axis", [SORT, ax, b], lambda f, a, arr, n=npax: np.apply_along_axis(f, n, arr)))
        add(C.call_case("apply_along_axis", [DIAG, ax, b], lambda f, a, arr, n=npax: np.apply_along_axis(f, n, arr)))
    t = A("float64", (2, 3, 4))
    for ax in (1, 2, 3):
        add(C.call_case("apply_along_axis", [OUTER, ax, t],
                        lambda f, a, arr, n=ax - 1: np.apply_along_axis(f, n, arr), rtol=1e-14))
    add(C.call_case("apply_along_axis", [ENDS, 3, b], lambda f, a, arr: np.apply_along_axis(f, 2, arr)))  # error
    a = A("int64", (2, 3, 4))
    for axes, npaxes in (([1, 3], [0, 2]), ([2], [1]), (3, 2), ([1, 2, 3], [0, 1, 2])):
        add(C.call_case("apply_over_axes", [SUM, a, axes], lambda f, x, ax, n=npaxes: np.apply_over_axes(f, x, n)))
        add(C.call_case("apply_over_axes", [SUMK, a, axes], lambda f, x, ax, n=npaxes: np.apply_over_axes(f, x, n)))


def vectorize_cases(add):
    # vectorize(f)(args): NumPy's twin called the same way
    def vec(f, *args, **kw):
        return np.vectorize(f, **kw)(*args)
    add(C.call_case("__vectorize", [STEP, A("int64", (4,), values=[1, 2, 3, 4]), 2],
                    lambda f, a, b: vec(f, a, b)))
    add(C.call_case("__vectorize", [STEP, A("float64", (2, 3)), A("float64", (3,))],
                    lambda f, a, b: vec(f, a, b)))
    add(C.call_case("__vectorize", [PAIR, A("int64", (2,), values=[1, 2]), A("int64", (2, 1), values=[[1], [3]])],
                    lambda f, a, b: vec(f, a, b), multi=True))


def prelude():
    # lunar.__vectorize(f, ...): vectorize(f) called on the rest
    return ("lunar.__vectorize = function(f, ...) return lunar.vectorize(f)(...) end\n")


def cases(tables):
    out = []
    piecewise_cases(out.append)
    apply_cases(out.append)
    vectorize_cases(out.append)
    return [x for x in out if x]
