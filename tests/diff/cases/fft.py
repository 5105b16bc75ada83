# SPDX-License-Identifier: MIT
"""lunar.fft against numpy.fft: every function; float32, float64,
float16, complex64, complex128, integer and bool input; lengths odd,
even, prime (through the passes and through Bluestein's algorithm);
n and s shorter and longer than the axis; batched, transposed, strided
and reversed operands; every norm; fftfreq, rfftfreq and the shifts; and
the errors.

The oracle is NumPy 1.24, which computes everything in complex128. NumPy
2's dtypes are applied to its results here: float32, float16 and
complex64 input give complex64 (irfft: float32; irfft and hfft of float16
along one axis: float16), and NumPy 2 raises for complex input to rfft
and ihfft and for an out= of the wrong shape. float64 results are within
1e-12 (relative, plus the same absolute) of NumPy's; single precision
ones within 1e-4.
"""
import numpy as np

import common as C
from common import A

RT = {"complex64": 1e-4, "float32": 1e-4, "float16": 2e-2, "complex128": 1e-12,
      "float64": 1e-12}
SINGLE = ("float32", "float16", "complex64")


# {===== operands
class V(A):
    """An operand holding the given values, made in lunar through a
    layout: "c", "T" (every axis reversed, from a transposed base), "step"
    (every other element of the last axis) or "rev" (the first axis
    reversed)."""

    def __init__(self, vals, layout="c"):
        vals = np.asarray(vals)
        dt = vals.dtype.name
        nd = vals.ndim
        if layout == "c" or nd == 0:
            base, view = vals, []
        elif layout == "T":
            base, view = np.ascontiguousarray(vals.T), ["T"]
        elif layout == "step":
            shape = vals.shape[:-1] + (2 * vals.shape[-1],)
            base = np.zeros(shape, dtype=dt)
            base[..., ::2] = vals
            base[..., 1::2] = values(vals.shape, dt)
            view = [[[] for _ in range(nd - 1)] + [[1, -1, 2]]]
        elif layout == "rev":
            base = np.ascontiguousarray(vals[::-1])
            view = [[[-1, 1, -1]] + [[] for _ in range(nd - 1)]]
        else:
            raise ValueError(layout)
        self.spec = {"dtype": dt, "shape": list(base.shape), "data": base.reshape(-1), "view": view}
        self.np = vals
        self.lname = layout

    def desc(self):
        return "%s%s.%s" % (self.spec["dtype"], tuple(self.np.shape), self.lname)


def values(shape, dt):
    """k/16 in [-4, 4]: exact in every float dtype; complex with both parts."""
    if dt == "bool":
        return C.rng.integers(0, 2, shape).astype(bool)
    if dt.startswith(("int", "uint")):
        lo = 0 if dt.startswith("u") else -9
        return C.rng.integers(lo, 10, shape).astype(dt)
    re = C.rng.integers(-64, 65, shape) / 16.0
    if dt.startswith("complex"):
        return (re + 1j * (C.rng.integers(-64, 65, shape) / 16.0)).astype(dt)
    return re.astype(dt)


def raises(exc, msg):
    def f(*args):
        raise exc(msg)
    return f


def op(shape, dt, layout="c"):
    return V(values(shape, dt), layout)
# }=====


# {===== NumPy 2's results from NumPy 1.24
def cdt(dt):
    return "complex64" if dt in SINGLE else "complex128"


def rdt(dt):
    return "float32" if dt in SINGLE else "float64"


def wide(x):
    x = np.asarray(x)
    return x.astype(np.complex128) if x.dtype.kind == "c" else x.astype(np.float64)


def ax_np(lua_ax):
    """A Lua axis (1-based, negative from the end) as NumPy's."""
    if lua_ax is None:
        return None
    if isinstance(lua_ax, list):
        return [ax_np(a) for a in lua_ax]
    return lua_ax - 1 if lua_ax > 0 else lua_ax


def reference(fn, dt, kw, nd_axes=1):
    """NumPy 2's fn(x, **kw) for input dtype dt, from NumPy 1.24's."""
    f = getattr(np.fft, fn)
    real_in = fn in ("rfft", "ihfft", "rfftn", "rfft2")
    real_out = fn in ("irfft", "hfft", "irfftn", "irfft2")

    def g(x, *rest):
        if real_in and x.dtype.kind == "c":
            raise TypeError("ufunc '%s' did not contain a loop with signature matching types" % fn)
        kw2 = dict(kw)
        if kw2.get("s") is not None and -1 in kw2["s"]:     # NumPy 2: the input's length
            s = list(kw2["s"])
            axes = kw2.get("axes")
            axes = list(range(-len(s), 0)) if axes is None else axes
            kw2["s"] = [x.shape[a] if v == -1 else v for v, a in zip(s, axes)]
        r = f(wide(x), **kw2)
        if real_out:
            out = rdt(dt)
            one_axis = fn in ("irfft", "hfft") or nd_axes == 1
            if dt == "float16" and one_axis:
                out = "float16"
            return r.astype(out)
        return r.astype(cdt(dt))
    return g


def tol(fn, dt):
    real_out = fn in ("irfft", "hfft", "irfftn", "irfft2")
    if real_out:
        return RT["float16"] if dt == "float16" and fn in ("irfft", "hfft") else RT[rdt(dt)]
    return RT[cdt(dt)]
# }=====


ONE = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
ND = ("fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2")
ALL_DT = ("float64", "complex128", "float32", "complex64", "int64", "int32", "bool", "float16",
          "uint8")
# lengths: powers of 2, 3, 5, mixed, odd primes (passes) and larger primes
# (Bluestein), and lengths of one and two
SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 25, 30, 32, 49, 60, 64, 97, 100, 101, 127,
         128, 202, 211, 243, 256, 1000, 1009)


def one_case(fn, x, dt, kw_np, args_lua, desc=None):
    return C.call_case("fft." + fn, [x] + args_lua, reference(fn, dt, kw_np), rtol=tol(fn, dt),
                       desc=desc)


def cases(tables):
    out = []
    add = out.append

    # {===== one axis: every function, dtype and length
    for fn in ONE:
        for dt in ALL_DT:
            sizes = SIZES if dt in ("float64", "complex128") else SIZES[:-2][::3] + (211,)
            for n in sizes:
                if fn in ("irfft", "hfft") and n == 1:
                    continue          # default n = 0: an error case below
                add(one_case(fn, op((n,), dt), dt, {}, []))
    # n shorter and longer than the axis, odd and even, by position and by name
    for fn in ONE:
        for dt in ("float64", "complex128", "float32", "complex64"):
            for m, n in ((8, 5), (8, 13), (9, 4), (9, 16), (16, 1), (7, 7), (10, 101), (30, 211)):
                x = op((m,), dt)
                add(one_case(fn, x, dt, {"n": n}, [n]))
                add(one_case(fn, x, dt, {"n": n}, [{"n": n}]))
    # axes of stacked, non-contiguous operands
    for fn in ONE:
        for dt in ("float64", "complex128", "float32", "complex64", "int64"):
            for shape in ((4, 6), (5, 7), (3, 4, 5), (2, 3, 8)):
                for layout in ("c", "T", "step", "rev"):
                    for ax in (1, -1, 2) if len(shape) == 2 else (1, 2, 3, -2):
                        x = op(shape, dt, layout)
                        add(one_case(fn, x, dt, {"axis": ax_np(ax)}, [None, ax]))
            x = op((4, 6), dt)
            add(one_case(fn, x, dt, {"axis": 0, "n": 9}, [{"axis": 1, "n": 9}]))
            add(one_case(fn, x, dt, {"axis": 0, "n": 3}, [3, 1]))
    # every norm, by position and by name
    for fn in ONE:
        for dt in ("float64", "complex128", "float32", "complex64", "int32"):
            for norm in ("backward", "ortho", "forward"):
                for n in (8, 15, 101):
                    x = op((3, n), dt)
                    add(one_case(fn, x, dt, {"norm": norm}, [None, None, norm]))
                x = op((5, 12), dt, "T")
                add(one_case(fn, x, dt, {"norm": norm, "axis": 0, "n": 7},
                             [{"norm": norm, "axis": 1, "n": 7}]))
    # empty batches
    for fn in ONE:
        add(one_case(fn, op((0, 6), "float64"), "float64", {}, []))
        add(one_case(fn, op((3, 0, 6), "complex128"), "complex128", {}, []))
    # }=====

    # {===== several axes
    for fn in ND:
        two = fn.endswith("2")
        for dt in ("float64", "complex128", "float32", "complex64", "int64"):
            for shape in ((4, 6), (5, 7), (3, 4, 5), (2, 3, 8), (6, 1), (1, 9)):
                for layout in ("c", "T", "step", "rev"):
                    x = op(shape, dt, layout)
                    add(C.call_case("fft." + fn, [x], reference(fn, dt, {}, 2 if two or len(shape) > 1 else 1),
                                    rtol=tol(fn, dt)))
            # s and axes, by position and by name; -1 in s; repeated axes
            x = op((4, 6, 5), dt)
            for s, axes in (([3, 8], [1, 3]), ([4, 4], [-1, -2]), ([5, -1], [1, 2]),
                            ([7], [2]), ([2, 3, 4], [1, 2, 3]), ([6, 6], [3, 3]), (None, [3, 1]),
                            (None, [2]), ([8, 5], None)):
                if two and s is not None and axes is None and len(s) != 2:
                    continue
                kw = {}
                if s is not None:
                    kw["s"] = s
                if axes is not None:
                    kw["axes"] = ax_np(axes)
                nd = len(axes) if axes is not None else (len(s) if s is not None else 3)
                ref = reference(fn, dt, kw, nd)
                add(C.call_case("fft." + fn, [x, s, axes], ref, rtol=tol(fn, dt)))
                lkw = {k: v for k, v in (("s", s), ("axes", axes)) if v is not None}
                add(C.call_case("fft." + fn, [x, lkw], ref, rtol=tol(fn, dt)))
            for norm in ("ortho", "forward"):
                x = op((6, 10), dt, "T")
                add(C.call_case("fft." + fn, [x, {"norm": norm}],
                                reference(fn, dt, {"norm": norm}, 2), rtol=tol(fn, dt)))
    # }=====

    # {===== out=
    x = op((4, 8), "float64")
    want = np.fft.fft(x.np)
    add(C.call_case("fft.fft", [x, {"out": V(np.zeros((4, 8), "complex128"))}],
                    lambda x, kw: want, rtol=1e-12, desc="fft(x, {out=complex128 (4,8)})"))
    add(C.call_case("fft.fft", [x, None, None, None, V(np.zeros((4, 8), "complex64"))],
                    lambda *a: want.astype("complex64"), rtol=1e-4,
                    desc="fft(x, nil, nil, nil, out=complex64 (4,8))"))
    add(C.call_case("fft.rfftn", [x, {"out": V(np.zeros((4, 5), "complex128"))}],
                    lambda x, kw: np.fft.rfftn(x), rtol=1e-12, desc="rfftn(x, {out=(4,5)})"))

    add(C.call_case("fft.fft", [x, {"out": V(np.zeros((4, 7), "complex128"))}],
                    raises(ValueError, "output array has wrong shape.")))
    add(C.call_case("fft.fft", [x, {"out": V(np.zeros((4, 8), "float64"))}],
                    raises(TypeError, "Cannot cast ufunc 'fft' output from complex128 to float64")))
    # }=====

    # {===== frequencies and shifts
    for n in (1, 2, 3, 4, 5, 8, 9, 10, 15, 16):
        for d in (1.0, 0.1, 2.5):
            add(C.call_case("fft.fftfreq", [n, d], lambda n, d: np.fft.fftfreq(n, d), rtol=1e-15))
            add(C.call_case("fft.rfftfreq", [n, {"d": d}], lambda n, kw: np.fft.rfftfreq(n, **kw),
                            rtol=1e-15))
        add(C.call_case("fft.fftfreq", [n], lambda n: np.fft.fftfreq(n), rtol=1e-15))
        add(C.call_case("fft.rfftfreq", [{"n": n}], lambda kw: np.fft.rfftfreq(**kw), rtol=1e-15))
    for fn in ("fftshift", "ifftshift"):
        f = getattr(np.fft, fn)
        for dt in ("float64", "int32", "complex64", "bool"):
            for shape in ((1,), (5,), (8,), (4, 7), (3, 4, 5)):
                for layout in ("c", "T", "rev"):
                    x = op(shape, dt, layout)
                    add(C.call_case("fft." + fn, [x], lambda x: f(x)))
            x = op((4, 5, 6), dt)
            for axes in (1, -1, [1, 3], [2]):
                add(C.call_case("fft." + fn, [x, axes], lambda x, a: f(x, axes=ax_np(a))))
                add(C.call_case("fft." + fn, [x, {"axes": axes}],
                                lambda x, kw: f(x, axes=ax_np(kw["axes"]))))
    # }=====

    # {===== errors
    x = op((4, 6), "float64")
    z = op((4, 6), "complex128")
    for fn in ONE:
        ref = reference(fn, "float64", {"n": 0})
        add(C.call_case("fft." + fn, [x, 0], ref))
        add(C.call_case("fft." + fn, [x, -2], reference(fn, "float64", {"n": -2})))
        add(C.call_case("fft." + fn, [x, None, 3], reference(fn, "float64", {"axis": 2})))
        add(C.call_case("fft." + fn, [x, None, -3], reference(fn, "float64", {"axis": -3})))
        add(C.call_case("fft." + fn, [x, None, None, "sideways"],
                        reference(fn, "float64", {"norm": "sideways"})))
        add(C.call_case("fft." + fn, [x, {"nn": 3}], raises(
            TypeError, "fft() got an unexpected keyword argument 'nn'")))
        add(C.call_case("fft." + fn, [x, 4, 1, "ortho", None, 5], raises(
            TypeError, "fft() takes from 1 to 5 positional arguments but 6 were given")))
    for fn in ("rfft", "ihfft", "rfftn", "rfft2"):
        add(C.call_case("fft." + fn, [z], reference(fn, "complex128", {})))
    for fn in ("irfft", "hfft"):
        add(C.call_case("fft." + fn, [op((3, 1), "complex128")], reference(fn, "complex128", {})))
    for fn in ND:
        add(C.call_case("fft." + fn, [x, [4, 4, 4], [1, 2]],
                        reference(fn, "float64", {"s": [4, 4, 4], "axes": [0, 1]})))
        add(C.call_case("fft." + fn, [x, None, [1, 3]], reference(fn, "float64", {"axes": [0, 2]})))
        add(C.call_case("fft." + fn, [x, [0, 4], [1, 2]],
                        reference(fn, "float64", {"s": [0, 4], "axes": [0, 1]})))
        add(C.call_case("fft." + fn, [x, None, None, "x"], reference(fn, "float64", {"norm": "x"})))
    add(C.call_case("fft.fft2", [op((5,), "float64")], reference("fft2", "float64", {})))
    add(C.call_case("fft.fft", [op((), "float64")], reference("fft", "float64", {})))
    add(C.call_case("fft.fftfreq", [4.5], raises(
        TypeError, "n should be an integer")))
    add(C.call_case("fft.fftshift", [x, 3], lambda x, a: np.fft.fftshift(x, axes=2)))
    # }=====
    return out
