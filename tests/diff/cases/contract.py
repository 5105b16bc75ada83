# SPDX-License-Identifier: MIT
"""Contractions against NumPy: einsum (explicit and implicit output,
ellipses, repeated subscripts for traces and diagonals, broadcasting of
length-1 axes, chains of three and four operands, dtype= and casting, the
interleaved form), tensordot, inner, outer, kron, vdot, dot (N-d), matmul
(dtype=), vecdot, matvec and vecmat (NumPy 2's gufuncs, written here with
einsum since Debian's NumPy 1.24 lacks them). Every dtype, views, empty
and length-1 axes. Lunar's axes are 1-based and its interleaved sublist
labels start at 1 (converted in the lambdas). einsum always returns a new
array where NumPy may return a view: the values are the same."""
import warnings

import numpy as np

import common as C
from common import A

warnings.simplefilter("ignore")
ALL = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
       "float32", "float64"]


def vals(dt, n, lo=-3, hi=4):
    if dt.startswith("complex"):   # quarters in both parts
        re, im = C.quarter_values("float64", n, lo, hi), C.quarter_values("float64", n, lo, hi)
        return (re + 1j * im).astype(dt)
    return C.quarter_values(dt, n, lo, hi)


def op(dt, shape, lname="c"):
    """an operand made by a view: c, T (axes reversed), rev (first axis)"""
    shape = tuple(shape)
    if 0 in shape:
        lname = "c"
    if lname == "T" and len(shape) > 1:
        base_shape, lview, npview = tuple(reversed(shape)), ["T"], (lambda a: a.T)
    elif lname == "rev" and len(shape) > 0:
        base_shape = shape
        lview = [[[-1, 1, -1]] + [[] for _ in range(len(shape) - 1)]]
        npview = lambda a: a[::-1]
    else:
        base_shape, lview, npview = shape, [], (lambda a: a)
    n = int(np.prod(base_shape)) if base_shape else 1
    flat = vals(dt, n)
    a = A.__new__(A)
    a.spec = {"dtype": dt, "shape": list(base_shape), "data": flat, "view": lview}
    a.np = npview(flat.reshape(base_shape))
    a.lname = lname
    return a


def npax(ax):
    if isinstance(ax, list):
        return [npax(x) for x in ax]
    return ax - 1 if ax > 0 else ax


def tol(*dts):
    if "float32" in dts:
        return 1e-5
    return 1e-12


def unsafe(*args):
    """NumPy's einsum returns a view of a single operand and then ignores
    dtype=; lunar always casts, under the casting rule"""
    raise TypeError("cannot cast according to the rule 'safe'")


def vecdot_ref(u, v, ax):
    """NumPy 2's vecdot: the core axes do not broadcast"""
    u, v = np.moveaxis(u, ax, -1), np.moveaxis(v, ax, -1)
    if u.shape[-1] != v.shape[-1]:
        raise ValueError("vecdot: core dimension mismatch")
    return ein("...i,...i->...", u, v)


def ein(s, *ops, **kw):
    return np.asarray(np.einsum(s, *ops, **kw))


# (subscripts, shapes): a selection that reaches every path of the engine
EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("ij,kj->ik", [(3, 4), (2, 4)]),
    ("ii", [(4, 4)]),
    ("ii->i", [(3, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(3, 4)]),
    ("ji", [(2, 3)]),
    ("i,i", [(5,), (5,)]),
    ("i,i->i", [(4,), (4,)]),
    ("i,j", [(3,), (2,)]),
    ("i,j->ji", [(3,), (2,)]),
    ("ij,ij->i", [(3, 5), (3, 5)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]),
    ("ij,j->i", [(3, 4), (4,)]),
    ("j,ij->i", [(4,), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]),
    ("bij,jk->bik", [(2, 3, 4), (4, 2)]),
    ("ijk,kj->i", [(2, 3, 4), (4, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("iji->j", [(2, 3, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ij,jk,kl,lm->im", [(2, 3), (3, 2), (2, 4), (4, 3)]),
    ("i,j,k->ijk", [(2,), (3,), (2,)]),
    ("ab,bc,ca->", [(2, 3), (3, 4), (4, 2)]),
    ("...i,...i", [(2, 3, 4), (3, 4)]),
    ("...i,...i->...", [(2, 1, 4), (3, 4)]),
    ("i...->...", [(3, 2, 2)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("ij...,jk...->ik...", [(2, 3, 2), (3, 2, 2)]),
    ("...", [(2, 3)]),
    ("Ab,bC->AC", [(2, 3), (3, 2)]),
    ("aB,Ba", [(3, 2), (2, 3)]),
    (",i->i", [(), (3,)]),
    (",", [(), ()]),
    ("i,", [(3,), ()]),
    ("", [()]),
    ("ij,jk->ik", [(0, 3), (3, 2)]),
    ("ij,jk->ik", [(2, 0), (0, 3)]),
    ("ij->", [(0, 3)]),
    ("ij,jk->ik", [(1, 1), (1, 1)]),
    ("ijk,ijk->", [(2, 1, 3), (2, 1, 3)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]),
]

# Contractions that are a dot product per batch element (one shared
# summed axis or several, nothing else between the operands): lunar runs
# them as a multiply and a sum rather than batched 1x1 matmuls
ROWDOT = [
    ("ij,ij->i", [(4, 6), (4, 6)]),
    ("bij,bij->bi", [(2, 3, 5), (2, 3, 5)]),
    ("i,i->", [(7,), (7,)]),
    ("ij,ij->j", [(5, 3), (5, 3)]),
    ("ij,ij->", [(3, 4), (3, 4)]),
    ("bij,bij->b", [(3, 2, 4), (3, 2, 4)]),
    ("ji,ij->i", [(5, 3), (3, 5)]),
    ("ij,ij->i", [(3, 1), (1, 4)]),
    ("ij,ij->i", [(1, 5), (1, 5)]),
    ("ij,ij->i", [(3, 0), (3, 0)]),
    ("ij,ij->i", [(0, 4), (0, 4)]),
    ("ijk,ijk->ik", [(2, 3, 2), (2, 3, 2)]),
    ("ij,ij", [(2, 3), (2, 3)]),
]

BAD = [
    ("ij,jk", [(2, 3), (2, 3)]),            # lengths differ
    ("ii", [(2, 3)]),                       # diagonal of unequal axes
    ("i", [(2, 3)]),                        # too few subscripts
    ("ijk", [(2, 3)]),                      # too many
    ("i,i", [(3,)]),                        # fewer operands than terms
    ("i", [(3,), (3,)]),                    # more operands
    ("i->j", [(3,)]),                       # output label never in an input
    ("i->ii", [(3,)]),                      # output label twice
    ("...i->i", [(2, 3)]),                  # ellipsis dimensions dropped
    ("i$", [(3, 2)]),                       # not a letter
    ("i.", [(3, 2)]),                       # a lone dot
    ("i-j", [(3, 2)]),                      # a broken arrow
]


def cases(tables):
    out = []
    add = out.append
    for dt in ALL:
        t = tol(dt)
        for k, (s, shapes) in enumerate(EINSUMS):
            views = ["c", "T", "rev"]
            ops = [op(dt, sh, views[(k + i) % 3]) for i, sh in enumerate(shapes)]
            add(C.call_case("einsum", [s] + ops, lambda s, *xs: ein(s, *xs), rtol=t))
        # the interleaved form (lunar's labels start at 1)
        a, b = op(dt, (3, 4)), op(dt, (4, 2), "T")
        add(C.call_case("einsum", [a, [1, 2], b, [2, 3], [1, 3]],
                        lambda x, sx, y, sy, so: ein(x, [0, 1], y, [1, 2], [0, 2]), rtol=t))
        add(C.call_case("einsum", [a, [27, 28], b, [28, 29]],
                        lambda x, sx, y, sy: ein(x, [26, 27], y, [27, 28]), rtol=t))
        add(C.call_case("einsum", [op(dt, (2, 3, 4)), ["...", 3]],
                        lambda x, sx: ein(x, [Ellipsis, 2]), rtol=t))
        # dtype= (safe casting by default) and casting=
        for to in ("float64", "int64", "float32"):
            add(C.call_case("einsum", ["ij,jk->ik", a, b, {"dtype": to}],
                            lambda s, x, y, kw: ein(s, x, y, dtype=kw["dtype"]), rtol=tol(to)))
        add(C.call_case("einsum", ["ij,jk->ik", a, b, {"dtype": "int8", "casting": "unsafe"}],
                        lambda s, x, y, kw: ein(s, x, y, dtype="int8", casting="unsafe")))
        add(C.call_case("einsum", ["ij,jk", a, b, {"optimize": True}],
                        lambda s, x, y, kw: ein(s, x, y, optimize=True), rtol=t))
        # tensordot
        x, y = op(dt, (2, 3, 4), "T"), op(dt, (4, 3, 2))
        for axes in (0, 1, [[3], [1]], [[2, 3], [2, 1]], [3, 1], [[1, 2, 3], [3, 2, 1]], [[], []]):
            np_axes = axes if isinstance(axes, int) else [npax(axes[0]), npax(axes[1])]
            add(C.call_case("tensordot", [x, y, axes],
                            lambda p, q, ax, na=np_axes: np.asarray(np.tensordot(p, q, na)), rtol=t))
        m = op(dt, (3, 4), "rev")
        add(C.call_case("tensordot", [m, op(dt, (3, 4), "T")],
                        lambda p, q: np.asarray(np.tensordot(p, q)), rtol=t))
        add(C.call_case("tensordot", [m, op(dt, (4, 3)), {"axes": [-1, 1]}],
                        lambda p, q, kw: np.asarray(np.tensordot(p, q, (-1, 0))), rtol=t))
        # inner, outer, kron, vdot, dot, matmul, vecdot, matvec, vecmat
        pairs = [((), ()), ((4,), (4,)), ((2, 4), (4,)), ((2, 4), (3, 4)), ((2, 3, 4), (4,)),
                 ((), (2, 3)), ((0, 4), (2, 4)), ((1, 4), (1, 4))]
        for sa, sb in pairs:
            p, q = op(dt, sa, "T"), op(dt, sb, "rev")
            add(C.call_case("inner", [p, q], lambda u, v: np.asarray(np.inner(u, v)), rtol=t))
            add(C.call_case("outer", [p, q], lambda u, v: np.asarray(np.outer(u, v)), rtol=t))
            add(C.call_case("kron", [p, q], lambda u, v: np.asarray(np.kron(u, v)), rtol=t))
            add(C.call_case("vdot", [p, q], lambda u, v: np.asarray(np.vdot(u, v)), rtol=t))
        dots = [((), (3,)), ((3,), ()), ((4,), (4,)), ((2, 4), (4,)), ((4,), (4, 3)), ((2, 4), (4, 3)),
                ((2, 3, 4), (4,)), ((2, 3, 4), (4, 2)), ((2, 3, 4), (2, 4, 3)), ((3,), (2, 3, 2)),
                ((0, 3), (3, 2)), ((2, 3), (4, 2))]
        for sa, sb in dots:
            p, q = op(dt, sa, "rev"), op(dt, sb, "T")
            add(C.call_case("dot", [p, q], lambda u, v: np.asarray(np.dot(u, v)), forms=("function", "method"),
                            rtol=t))
            if len(sa) and len(sb):
                add(C.call_case("matmul", [p, q], lambda u, v: np.asarray(np.matmul(u, v)), rtol=t))
        add(C.call_case("matmul", [op(dt, (2, 3)), op(dt, (3, 2)), None, {"dtype": "float64"}],
                        lambda u, v, o, kw: np.asarray(np.matmul(u, v, dtype="float64"))))
        for sa, sb, ax in (((4,), (4,), -1), ((2, 4), (4,), -1), ((3, 2), (1, 2), 1), ((2, 1, 3), (4, 3), -1),
                           ((3, 2), (3, 2), 2), ((0, 3), (3,), -1)):
            p, q = op(dt, sa, "T"), op(dt, sb)
            na = npax(ax)
            add(C.call_case("vecdot", [p, q, None, {"axis": ax}],
                            lambda u, v, o, kw, na=na: vecdot_ref(u, v, na), rtol=t))
        for sa, sb in (((3, 4), (4,)), ((2, 3, 4), (4,)), ((3, 4), (2, 4)), ((1, 3, 4), (2, 1, 4)), ((0, 4), (4,))):
            p, q = op(dt, sa, "rev"), op(dt, sb, "T")
            add(C.call_case("matvec", [p, q], lambda u, v: ein("...ij,...j->...i", u, v), rtol=t))
            add(C.call_case("vecmat", [q, op(dt, sa[:-2] + sa[-1:] + sa[-2:-1])],
                            lambda v, u: ein("...j,...ji->...i", v, u), rtol=t))
    # dot products per batch element, every dtype, with complex (einsum
    # does not conjugate) and float16; long rows wrap the small integers
    for dt in ALL + ["float16", "complex64", "complex128"]:
        t = C.RTOL.get(dt, 1e-12)
        views = ["c", "T", "rev"]
        for k, (s, shapes) in enumerate(ROWDOT):
            ops = [op(dt, sh, views[(k + i) % 3]) for i, sh in enumerate(shapes)]
            add(C.call_case("einsum", [s] + ops, lambda s, *xs: ein(s, *xs), rtol=t))
        if dt != "float16":
            add(C.call_case("einsum", ["ij,ij->i", op(dt, (2, 40)), op(dt, (2, 40), "T")],
                            lambda s, x, y: ein(s, x, y), rtol=t))
    # mixed dtypes
    for da, db in (("int8", "uint8"), ("int32", "float32"), ("bool", "int16"), ("uint64", "int64"),
                   ("float32", "float64")):
        a, b = op(da, (3, 4)), op(db, (4, 2))
        add(C.call_case("einsum", ["ij,jk", a, b], lambda s, x, y: ein(s, x, y), rtol=tol(da, db)))
        add(C.call_case("einsum", ["ij,ij->i", a, op(db, (3, 4))], lambda s, x, y: ein(s, x, y), rtol=tol(da, db)))
        add(C.call_case("tensordot", [a, b, 1], lambda x, y, n: np.asarray(np.tensordot(x, y, n)),
                        rtol=tol(da, db)))
        add(C.call_case("kron", [a, b], lambda x, y: np.asarray(np.kron(x, y)), rtol=tol(da, db)))
        add(C.call_case("dot", [a, b], lambda x, y: np.asarray(np.dot(x, y)), rtol=tol(da, db)))
    # NumPy 2's vecdot and vecmat conjugate their first operand (the vector),
    # matvec does not (1.24 has no gufuncs: the references conjugate by hand)
    for dt in ("complex64", "complex128"):
        t = C.RTOL.get(dt, 1e-12)
        for sa, sb, ax in (((4,), (4,), -1), ((2, 4), (4,), -1), ((3, 2), (1, 2), 1)):
            p, q = op(dt, sa, "T"), op(dt, sb)
            na = npax(ax)
            add(C.call_case("vecdot", [p, q, None, {"axis": ax}],
                            lambda u, v, o, kw, na=na: vecdot_ref(np.conj(u), v, na), rtol=t))
        p, q = op(dt, (3, 4), "rev"), op(dt, (4,), "T")
        add(C.call_case("matvec", [p, q], lambda u, v: ein("...ij,...j->...i", u, v), rtol=t))
        add(C.call_case("vecmat", [q, op(dt, (4, 3))], lambda v, u: ein("...j,...ji->...i", np.conj(v), u),
                        rtol=t))
    # wrapping integer arithmetic stays in the dtype
    big = A("uint8", None, values=np.array([200, 100, 250], dtype=np.uint8))
    add(C.call_case("einsum", ["i,i", big, big], lambda s, x, y: ein(s, x, y)))
    add(C.call_case("einsum", ["i->", big], lambda s, x: ein(s, x)))
    # a larger contraction (a blocked matmul) and a long chain
    add(C.call_case("einsum", ["bij,bjk->bik", op("float64", (3, 20, 30)), op("float64", (3, 30, 10))],
                    lambda s, x, y: ein(s, x, y), rtol=1e-10))
    # errors
    for s, shapes in BAD:
        ops = [op("float64", sh) for sh in shapes]
        add(C.call_case("einsum", [s] + ops, lambda s, *xs: ein(s, *xs)))
    f = op("float64", (2, 3))
    add(C.call_case("einsum", ["ij", f, {"dtype": "int32"}], unsafe))
    add(C.call_case("einsum", ["ij,jk", f, op("float64", (3, 2)), {"dtype": "int32"}],
                    lambda s, x, y, kw: ein(s, x, y, dtype="int32")))
    add(C.call_case("einsum", ["ij", f, {"casting": "sideways"}], unsafe))
    add(C.call_case("tensordot", [f, op("float64", (2, 3)), 1], lambda x, y, n: np.tensordot(x, y, n)))
    add(C.call_case("tensordot", [f, op("float64", (3, 2)), [[1, 2], [2]]],
                    lambda x, y, n: np.tensordot(x, y, ([0, 1], [1]))))
    add(C.call_case("inner", [f, op("float64", (2, 2))], np.inner))
    add(C.call_case("dot", [f, op("float64", (2, 3))], np.dot))
    add(C.call_case("vdot", [f, op("float64", (5,))], np.vdot))
    add(C.call_case("matmul", [f, op("float64", (2, 3))], np.matmul))
    add(C.call_case("matvec", [f, op("float64", (2,))], lambda u, v: ein("...ij,...j->...i", u, v)))
    add(C.call_case("vecdot", [f, op("float64", (4,))], lambda u, v: vecdot_ref(u, v, -1)))
    return out
