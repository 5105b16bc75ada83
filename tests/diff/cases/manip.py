# SPDX-License-Identifier: MIT
"""Joining, splitting, tiling, padding and the views of NumPy's array
manipulation routines (doc/api/manip.md), through the generic call kind.

lunar's positions and axes are 1-based: ax() turns a lunar axis or
position (an integer or a list) into NumPy's (k - 1 for k > 0, negative
ones unchanged). Split points and insert/delete positions follow the same
rule: lunar's split(a, {3, 5}) starts pieces at positions 3 and 5, NumPy's
split(a, [2, 4])."""
import numpy as np

import common as C
from common import A, Lua

ALL = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
       "uint64", "float32", "float64"]


def ax(v):
    if isinstance(v, (list, tuple)):
        return [ax(x) for x in v]
    if v is None or isinstance(v, bool):
        return v
    return v - 1 if v > 0 else v


def op(dt, shape, ln="c"):
    """An operand of any lunar dtype (unsigned ones from positive values)."""
    return A(dt, shape, ln, dom="pos" if dt.startswith("uint") else "any")


def join_cases(add):
    for dt in ALL:
        for ln in ("c", "T", "step", "rev"):
            a, b = op(dt, (3, 4), ln), op(dt, (3, 4), "c")
            add(C.call_case("concatenate", [[a, b]], lambda t: np.concatenate(t)))
            add(C.call_case("concatenate", [[a, b], 2], lambda t, k: np.concatenate(t, ax(k))))
            add(C.call_case("stack", [[a, b], 2], lambda t, k: np.stack(t, ax(k))))
        a1 = op(dt, (5,), "rev")
        add(C.call_case("concatenate", [[a1, op(dt, (2,)), op(dt, (0,))]],
                        lambda t: np.concatenate(t)))
        add(C.call_case("hstack", [[a1, op(dt, (3,), "step")]], np.hstack))
        add(C.call_case("vstack", [[op(dt, (2, 3), "T"), op(dt, (3,))]],
                        lambda t: np.vstack(t)))
    # promotion: mixed dtypes, as NumPy 2 promotes
    for d1, d2 in (("bool", "int8"), ("int8", "uint8"), ("int32", "float32"), ("uint64", "int64"),
                   ("int16", "uint32"), ("float32", "float64"), ("bool", "float32"),
                   ("uint8", "uint16")):
        add(C.call_case("concatenate", [[op(d1, (2, 3)), op(d2, (1, 3))]],
                        lambda t: np.concatenate(t)))
        add(C.call_case("stack", [[op(d1, (3,)), op(d2, (3,))]], lambda t: np.stack(t)))
    a, b = A("float64", (2, 3)), A("int32", (2, 3), "T")
    add(C.call_case("concatenate", [[a, A("int32", (3, 2), "T")], -1],
                    lambda t, k: np.concatenate(t, ax(k))))
    add(C.call_case("concatenate", [[a, A("float32", (2, 2))], 2, None, {"dtype": "float32"}],
                    lambda t, k, o, kw: np.concatenate(t, ax(k), **kw)))
    add(C.call_case("concatenate", [[a, a], {"axis": 2, "dtype": "int64", "casting": "unsafe"}],
                    lambda t, kw: np.concatenate(t, axis=ax(kw["axis"]), dtype=kw["dtype"],
                                                 casting=kw["casting"])))
    add(C.call_case("concatenate", [[a, a], {"dtype": "int64"}],      # same_kind refuses
                    lambda t, kw: np.concatenate(t, **kw)))
    add(C.call_case("concatenate", [[A("int64", (2,)), A("int64", (3,))], {"dtype": "int8", "casting": "safe"}],
                    lambda t, kw: np.concatenate(t, **kw)))
    add(C.call_case("concatenate", [[a, A("float64", (3, 2), "T")], False],
                    lambda t, k: np.concatenate(t, None)))
    add(C.call_case("concat", [[a, a], 2], lambda t, k: np.concatenate(t, ax(k))))
    # stack: every axis, negative ones; 0-d inputs
    s = [A("int64", (2, 3)), A("int64", (2, 3), "T")]
    s[1] = A("int64", (2, 3))
    for k in (1, 2, 3, -1, -3):
        add(C.call_case("stack", [s, k], lambda t, k: np.stack(t, ax(k))))
        add(C.call_case("stack", [s, {"axis": k}], lambda t, kw: np.stack(t, ax(kw["axis"]))))
    add(C.call_case("stack", [[A("float32", (), values=1.5), A("float32", (), values=2)]],
                    lambda t: np.stack(t)))
    add(C.call_case("stack", [[A("int32", (2, 2), "rev"), A("float32", (2, 2), "T")], 2,
                              None, {"dtype": "float64"}],
                    lambda t, k, o, kw: np.stack(t, ax(k), **kw)))
    # the other stacks
    x1, x2, x3 = A("float64", (3,)), A("float64", (3,), "rev"), A("float64", (3,), "step")
    m1, m2 = A("int32", (3, 2)), A("int32", (2, 3), "T")
    t1, t2 = A("int16", (2, 3, 2)), A("int16", (2, 3, 1))
    for name, f in (("vstack", np.vstack), ("hstack", np.hstack), ("dstack", np.dstack),
                    ("column_stack", np.column_stack), ("row_stack", np.vstack)):
        for args in ([x1, x2, x3], [m1, m2], [t1, t2], [x1], [m1, x1]):
            add(C.call_case(name, [list(args)], lambda t, f=f: f(t)))
    add(C.call_case("vstack", [[x1, x2], {"dtype": "float32"}], lambda t, kw: np.vstack(t, **kw)))
    add(C.call_case("hstack", [[m1, m2], {"dtype": "int8", "casting": "unsafe"}],
                    lambda t, kw: np.hstack(t, **kw)))
    add(C.call_case("column_stack", [[A("int32", (), values=3), x1]], np.column_stack))
    add(C.call_case("hstack", [[A("int32", (), values=3), A("int32", (), values=4)]], np.hstack))
    add(C.call_case("vstack", [[A("int32", (), values=3), A("int32", (1,), values=[4])]], np.vstack))
    # append
    for axis in (None, 1, 2):
        args = [A("float32", (2, 3)), A("int64", (2, 3), "T") if axis == 2 else A("int64", (2, 3))]
        if axis is None:
            add(C.call_case("append", args, np.append))
        else:
            add(C.call_case("append", args + [axis], lambda p, q, k: np.append(p, q, ax(k))))
    add(C.call_case("append", [A("int32", (3,)), 7], np.append))
    add(C.call_case("append", [A("int32", (3,)), [1.5, 2]], np.append))
    # errors
    add(C.call_case("concatenate", [[A("float64", (2, 3)), A("float64", (3,))]], np.concatenate))
    add(C.call_case("concatenate", [[A("float64", (2, 3)), A("float64", (3, 3))], 2],
                    lambda t, k: np.concatenate(t, ax(k))))
    add(C.call_case("concatenate", [[A("float64", (2, 3)), A("float64", (2, 3))], 3],
                    lambda t, k: np.concatenate(t, ax(k))))
    add(C.call_case("concatenate", [[A("float64", ()), A("float64", ())]], np.concatenate))
    add(C.call_case("concatenate", [[]], np.concatenate))
    add(C.call_case("stack", [[A("float64", (2, 3)), A("float64", (3, 2))]], np.stack))
    add(C.call_case("stack", [[A("float64", (2, 3)), A("float64", (2, 3))], 4],
                    lambda t, k: np.stack(t, ax(k))))
    add(C.call_case("stack", [[]], np.stack))
    add(C.call_case("vstack", [[A("float64", (2, 3)), A("float64", (2,))]], np.vstack))
    add(C.call_case("dstack", [[A("float64", (2, 3)), A("float64", (2, 4))]], np.dstack))


def split_cases(add):
    for dt in ("bool", "int32", "uint16", "float32", "float64"):
        for ln in ("c", "T", "step", "rev"):
            a = op(dt, (4, 6), ln)
            add(C.call_case("split", [a, 2], np.split, forms=("function", "method")))
            add(C.call_case("split", [a, 3, 2], lambda x, n, k: np.split(x, n, ax(k))))
            add(C.call_case("array_split", [a, 4, 2], lambda x, n, k: np.array_split(x, n, ax(k))))
            add(C.call_case("split", [a, [2, 4], -1], lambda x, p, k: np.split(x, ax(p), ax(k))))
            add(C.call_case("hsplit", [a, 3], np.hsplit, forms=("function", "method")))
            add(C.call_case("vsplit", [a, [2]], lambda x, p: np.vsplit(x, ax(p))))
    b = A("int64", (10,))
    for pts in ([3, 5], [3, 3], [5, 3], [1], [11], [20], [-2], [-3, -1], [-20, 4], []):
        add(C.call_case("split", [b, pts], lambda x, p: np.split(x, ax(p))))
    for n in (1, 3, 4, 7, 10, 11):
        add(C.call_case("array_split", [b, n], np.array_split))
    c = A("float32", (2, 3, 4))
    add(C.call_case("dsplit", [c, 2], np.dsplit))
    add(C.call_case("dsplit", [c, [2, 4]], lambda x, p: np.dsplit(x, ax(p))))
    add(C.call_case("hsplit", [c, [2]], lambda x, p: np.hsplit(x, ax(p))))
    add(C.call_case("array_split", [A("float64", (0, 3)), 2], np.array_split))
    # errors
    add(C.call_case("split", [b, 3], np.split))
    add(C.call_case("array_split", [b, 0], np.array_split))
    add(C.call_case("split", [b, 2, 2], lambda x, n, k: np.split(x, n, ax(k))))
    add(C.call_case("vsplit", [b, 2], np.vsplit))
    add(C.call_case("dsplit", [A("float64", (2, 4)), 2], np.dsplit))
    add(C.call_case("hsplit", [A("float64", (2, 5)), 2], np.hsplit))


def view_cases(add):
    for dt in ("bool", "int8", "uint32", "int64", "float32", "float64"):
        for ln in ("c", "T", "step", "rev"):
            a = op(dt, (3, 4), ln)
            add(C.call_case("flip", [a], np.flip, forms=("function", "method")))
            add(C.call_case("flip", [a, 1], lambda x, k: np.flip(x, ax(k)), forms=("function", "method")))
            add(C.call_case("flip", [a, [1, -1]], lambda x, k: np.flip(x, tuple(ax(k)))))
            add(C.call_case("fliplr", [a], np.fliplr, forms=("function", "method")))
            add(C.call_case("flipud", [a], np.flipud))
            for k in (-1, 0, 1, 2, 3, 5):
                add(C.call_case("rot90", [a, k], np.rot90, forms=("function", "method")))
            add(C.call_case("swapaxes", [a, 1, 2], lambda x, p, q: np.swapaxes(x, ax(p), ax(q)),
                            forms=("function", "method")))
            add(C.call_case("broadcast_to", [A(dt, (4,), ln if ln != "T" else "c"), [2, 3, 4]],
                            np.broadcast_to))
            add(C.call_case("matrix_transpose", [a], lambda x: np.swapaxes(x, -1, -2)))
            add(C.call_case("permute_dims", [a, [2, 1]], lambda x, p: np.transpose(x, ax(p))))
    t = A("float64", (2, 3, 4))
    for k, axes in ((1, [1, 2]), (1, [3, 1]), (3, [2, 3]), (2, [-1, 1]), (1, [2, -1])):
        add(C.call_case("rot90", [t, k, axes], lambda x, k, p: np.rot90(x, k, ax(p))))
    for src, dst in ((1, -1), (-1, 1), (2, 1), ([1, 2], [-1, -2]), ([3, 1], [1, 2]), ([1, 2, 3], [3, 1, 2])):
        add(C.call_case("moveaxis", [t, src, dst], lambda x, s, d: np.moveaxis(x, ax(s), ax(d)),
                        forms=("function", "method")))
    for p in ([3, 1, 2], [2, 3, 1], [-1, 1, 2]):
        add(C.call_case("permute_dims", [t, p], lambda x, p: np.transpose(x, ax(p))))
    add(C.call_case("permute_dims", [t], np.transpose))
    add(C.call_case("flip", [t, [1, 3]], lambda x, k: np.flip(x, tuple(ax(k)))))
    add(C.call_case("flip", [A("int32", (), values=4)], lambda x: np.asarray(np.flip(x))))
    add(C.call_case("broadcast_to", [A("int32", (3, 1)), [2, 3, 5]], np.broadcast_to))
    add(C.call_case("broadcast_to", [A("int32", (3, 1)), 3], lambda x, s: np.broadcast_to(x, (s,))))
    add(C.call_case("broadcast_to", [5, [2, 2]], np.broadcast_to))
    add(C.call_case("broadcast_arrays", [A("float32", (3, 1)), A("int32", (4,)), 2.5],
                    lambda *a: np.broadcast_arrays(*[np.asarray(x) for x in a]), multi=True))
    add(C.call_case("broadcast_arrays", [A("float32", (2, 3), "T")], np.broadcast_arrays, multi=True))
    for f, name in ((np.atleast_1d, "atleast_1d"), (np.atleast_2d, "atleast_2d"),
                    (np.atleast_3d, "atleast_3d")):
        for a in (A("float64", (), values=3.5), A("int32", (4,), "rev"), A("int32", (2, 3), "T"),
                  A("float32", (2, 3, 2)), A("int64", (0,))):
            add(C.call_case(name, [a], f))
        add(C.call_case(name, [A("float64", (), values=1), A("int32", (3,))], f, multi=True))
        add(C.call_case(name, [2], f))
        add(C.call_case(name, [[1, 2]], f))
    # meshgrid
    x, y, z = A("float64", (3,)), A("int32", (2,), "rev"), A("float32", (4,))
    for kw in ({}, {"indexing": "ij"}, {"sparse": True}, {"indexing": "ij", "sparse": True},
               {"copy": False}):
        add(C.call_case("meshgrid", [x, y, kw], lambda p, q, kw: np.meshgrid(p, q, **kw), multi=True))
        add(C.call_case("meshgrid", [x, y, z, kw], lambda p, q, r, kw: np.meshgrid(p, q, r, **kw),
                        multi=True))
    add(C.call_case("meshgrid", [x], np.meshgrid, multi=True))
    add(C.call_case("meshgrid", [A("int32", (2, 2)), y], np.meshgrid, multi=True))
    # errors
    add(C.call_case("flip", [t, 4], lambda x, k: np.flip(x, ax(k))))
    add(C.call_case("fliplr", [A("float64", (3,))], np.fliplr))
    add(C.call_case("rot90", [A("float64", (3,))], np.rot90))
    add(C.call_case("rot90", [t, 1, [1, 1]], lambda x, k, p: np.rot90(x, k, ax(p))))
    add(C.call_case("rot90", [t, 1, [1, 2, 3]], lambda x, k, p: np.rot90(x, k, ax(p))))
    add(C.call_case("moveaxis", [t, [1, 2], [1]], lambda x, s, d: np.moveaxis(x, ax(s), ax(d))))
    add(C.call_case("moveaxis", [t, [1, 1], [2, 3]], lambda x, s, d: np.moveaxis(x, ax(s), ax(d))))
    add(C.call_case("swapaxes", [t, 1, 4], lambda x, p, q: np.swapaxes(x, ax(p), ax(q))))
    add(C.call_case("broadcast_to", [A("int32", (3,)), [4]], np.broadcast_to))
    add(C.call_case("broadcast_to", [A("int32", (2, 3)), [3]], np.broadcast_to))
    add(C.call_case("broadcast_arrays", [A("int32", (3,)), A("int32", (4,))], np.broadcast_arrays,
                    multi=True))
    add(C.call_case("matrix_transpose", [A("float64", (3,))], lambda x: np.swapaxes(x, -1, -2)))
    add(C.call_case("permute_dims", [t, [1, 2]], lambda x, p: np.transpose(x, ax(p))))


def copy_cases(add):
    for dt in ALL:
        for ln in ("c", "T", "rev"):
            a = op(dt, (2, 3), ln)
            add(C.call_case("tile", [a, 2], np.tile, forms=("function", "method")))
            add(C.call_case("tile", [a, [2, 1, 3]], np.tile))
            add(C.call_case("repeat", [a, 2], np.repeat, forms=("function", "method")))
            add(C.call_case("repeat", [a, 3, 2], lambda x, r, k: np.repeat(x, r, ax(k)),
                            forms=("function", "method")))
            add(C.call_case("repeat_interleave", [a, [1, 0, 2], -1],
                            lambda x, r, k: np.repeat(x, r, ax(k)), forms=("function", "method")))
            add(C.call_case("roll", [a, 2], np.roll, forms=("function", "method")))
            add(C.call_case("roll", [a, -1, 2], lambda x, s, k: np.roll(x, s, ax(k))))
            add(C.call_case("roll", [a, [1, 2], [1, 2]], lambda x, s, k: np.roll(x, s, ax(k))))
            add(C.call_case("resize", [a, [3, 4]], np.resize))
            add(C.call_case("delete", [a, 2, 2], lambda x, o, k: np.delete(x, ax(o), ax(k)),
                            forms=("function", "method")))
            add(C.call_case("insert", [a, 2, 1, 1], lambda x, o, v, k: np.insert(x, ax(o), v, ax(k)),
                            forms=("function", "method")))
    b = A("int64", (2, 3))
    for reps in ([], [0], [2, 2], [1, 1], [3, 1, 1, 2], 0):
        add(C.call_case("tile", [b, reps], np.tile))
    add(C.call_case("tile", [A("float32", (), values=2.5), [2, 3]], np.tile))
    add(C.call_case("tile", [A("float32", (3,), "step"), [2, 1, 2]], np.tile))
    for r, k in (([2, 0, 1], None), ([1, 2], 1), ([0, 0, 0], 2), ([3], 2), (0, 1)):
        if k is None:
            add(C.call_case("repeat", [A("int32", (3,), "rev"), r], np.repeat))
        else:
            add(C.call_case("repeat", [b, r, k], lambda x, r, k: np.repeat(x, r, ax(k))))
    # many counts: the selection path
    counts = [int(v) for v in C.rng.integers(0, 4, 300)]
    add(C.call_case("repeat", [A("float64", (300,)), counts], np.repeat))
    add(C.call_case("repeat", [A("int16", (2, 50), "c"), [int(v) for v in C.rng.integers(0, 3, 50)], 2],
                    lambda x, r, k: np.repeat(x, r, ax(k))))
    add(C.call_case("repeat", [A("int16", (5,)), 2, 1], lambda x, r, k: np.repeat(x, r, ax(k))))
    add(C.call_case("repeat", [A("int16", ()), 3], np.repeat))
    for sh, k in ((7, None), (-12, None), (0, 1), (5, -1), ([1, -1], [1, 1]), ([2, 1], [-1, 1])):
        c = A("float64", (3, 4), "T")
        if k is None:
            add(C.call_case("roll", [c, sh], np.roll))
        else:
            add(C.call_case("roll", [c, sh, k], lambda x, s, k: np.roll(x, s, ax(k))))
    add(C.call_case("roll", [A("int32", (0, 3)), 2, 1], lambda x, s, k: np.roll(x, s, ax(k))))
    for shape in ([7], [2, 2], [0], [1, 1, 5], 4):
        add(C.call_case("resize", [A("int32", (2, 3), "T"), shape], np.resize))
    add(C.call_case("resize", [A("int32", (0,)), [2, 2]], np.resize))
    add(C.call_case("resize", [A("int32", (3,)), [-1]], np.resize))
    # delete and insert: positions, lists, masks, flattening
    v = A("float64", (8,))
    for obj in (1, -1, 8, [1, 3, 5], [2, 2, -1], []):
        add(C.call_case("delete", [v, obj], lambda x, o: np.delete(x, ax(o))))
    mask = A("bool", (8,), values=[True, False, False, True, True, False, True, False])
    add(C.call_case("delete", [v, mask], np.delete))
    add(C.call_case("delete", [A("int32", (3, 4), "T"), [1, 4], 1],
                    lambda x, o, k: np.delete(x, ax(o), ax(k))))
    add(C.call_case("delete", [A("int32", (3, 4)), 5], lambda x, o: np.delete(x, ax(o))))
    big = A("float32", (200,))
    add(C.call_case("delete", [big, list(range(1, 201, 2))], lambda x, o: np.delete(x, ax(o))))
    add(C.call_case("delete", [A("int64", (3, 100)), list(range(2, 101, 3)), 2],
                    lambda x, o, k: np.delete(x, ax(o), ax(k))))
    for obj, val in ((1, 9), (9, 9), (-1, 9), (3, [7, 8]), ([3], [7, 8]), ([2, 5], [7, 8]),
                     ([5, 2], [7, 8]), ([4, 4, 1], 0.5), ([], 1), (2, 1.7)):
        add(C.call_case("insert", [v, obj, val], lambda x, o, w: np.insert(x, ax(o), w)))
    m = A("int32", (3, 4))
    for obj, val, k in ((2, 0, 1), (2, [1, 2, 3], 2), (2, [[1], [2], [3]], 2), ([2], [[1], [2], [3]], 2),
                        (5, [9, 8, 7], 2), ([1, 3], [[5, 6]], 1), ([1, 3], 7, 2), (-1, 5, 1)):
        add(C.call_case("insert", [m, obj, val, k], lambda x, o, w, k: np.insert(x, ax(o), w, ax(k))))
    add(C.call_case("insert", [m, 3, 100], lambda x, o, w: np.insert(x, ax(o), w)))
    add(C.call_case("insert", [A("float32", (60,)), list(range(1, 61, 1)), A("float32", (60,))],
                    lambda x, o, w: np.insert(x, ax(o), w)))
    add(C.call_case("insert", [A("float32", (10,)), [9, 1, 5, 1], A("float32", (4,))],
                    lambda x, o, w: np.insert(x, ax(o), w)))
    # trim_zeros
    for vals in ([0, 0, 1, 2, 0, 3, 0, 0], [0, 0, 0], [1, 2], [], [0, 0.5, 0]):
        z = A("float64", (len(vals),), values=vals)
        for trim in (None, "f", "b", "fb", "BF"):
            if trim is None:
                add(C.call_case("trim_zeros", [z], np.trim_zeros))
            else:
                add(C.call_case("trim_zeros", [z, trim], np.trim_zeros))
    add(C.call_case("trim_zeros", [A("int32", (5,), values=[0, 3, 0, 4, 0])], np.trim_zeros,
                    forms=("function", "method")))
    # errors
    add(C.call_case("tile", [b, [-1]], np.tile))
    add(C.call_case("repeat", [b, [1, 2], 2], lambda x, r, k: np.repeat(x, r, ax(k))))
    add(C.call_case("repeat", [b, -1], np.repeat))
    add(C.call_case("repeat", [b, 2, 3], lambda x, r, k: np.repeat(x, r, ax(k))))
    add(C.call_case("delete", [v, 9], lambda x, o: np.delete(x, ax(o))))
    add(C.call_case("delete", [v, A("bool", (3,), values=[True, False, True])], np.delete))
    add(C.call_case("insert", [v, 10, 1], lambda x, o, w: np.insert(x, ax(o), w)))
    add(C.call_case("insert", [m, 2, [1, 2], 2], lambda x, o, w, k: np.insert(x, ax(o), w, ax(k))))
    add(C.call_case("roll", [b, [1, 2], [1, 2, 1]], lambda x, s, k: np.roll(x, s, ax(k))))


def np_pad(x, pw, mode="constant", **kw):
    """NumPy 2's pad. NumPy 1.24 wraps pads wider than twice the axis with
    repeated values (fixed in NumPy 2.x): its "wrap" is the periodic
    extension, np.take(..., mode="wrap") along each axis."""
    if mode != "wrap":
        return np.pad(x, pw, mode, **kw)
    np.pad(x, pw, mode)                  # NumPy's errors first
    x = np.asarray(x)
    pw = np.asarray(pw, dtype=np.intp)     # a number, (before, after) or one pair per axis
    if pw.ndim == 1 and pw.size == 2:
        pw = pw.reshape(1, 2)
    elif pw.ndim < 2:
        pw = pw.reshape(pw.shape + (1,) * (2 - pw.ndim))
    pairs = np.broadcast_to(pw, (x.ndim, 2))
    for k in range(x.ndim):
        b, a = int(pairs[k][0]), int(pairs[k][1])
        x = np.take(x, np.arange(-b, x.shape[k] + a), axis=k, mode="wrap")
    return x


def pad_cases(add):
    modes = ("constant", "edge", "reflect", "symmetric", "wrap", "linear_ramp", "maximum",
             "minimum", "mean")
    for dt in ("int8", "int32", "uint8", "float32", "float64", "bool"):
        for ln in ("c", "T", "rev"):
            a = op(dt, (3, 4), ln)
            for mode in modes:
                if dt == "bool" and mode in ("linear_ramp", "mean"):
                    continue
                for pw in (1, [2, 1], [[1, 0], [2, 3]]):
                    add(C.call_case("pad", [a, pw, mode], np_pad, forms=("function", "method"),
                                    rtol=1e-6 if dt == "float32" else None))
    v = A("float64", (5,))
    for mode in ("reflect", "symmetric", "wrap"):
        for pw in ([7, 12], [4, 0], [0, 9], 13):
            add(C.call_case("pad", [v, pw, mode], np_pad))
        add(C.call_case("pad", [A("int32", (1,), values=[4]), [3, 2], mode], np_pad))
        add(C.call_case("pad", [A("int32", (2, 3)), [[3, 5], [7, 2]], mode], np_pad))
    for rt in ("even", "odd"):
        for mode in ("reflect", "symmetric"):
            add(C.call_case("pad", [v, [6, 3], mode, {"reflect_type": rt}],
                            lambda x, p, m, kw: np_pad(x, p, m, **kw)))
            add(C.call_case("pad", [A("int16", (2, 3)), [[2, 4], [5, 1]], mode, {"reflect_type": rt}],
                            lambda x, p, m, kw: np_pad(x, p, m, **kw)))
    add(C.call_case("pad", [v, 2, "constant", {"constant_values": 7.5}],
                    lambda x, p, m, kw: np_pad(x, p, m, **kw)))
    add(C.call_case("pad", [A("int32", (2, 3)), [[1, 2], [3, 1]], {"constant_values": [[1, 2], [3, 4]]}],
                    lambda x, p, kw: np_pad(x, p, **kw)))
    add(C.call_case("pad", [A("int32", (2, 3)), 1, {"constant_values": [5, 6]}],
                    lambda x, p, kw: np_pad(x, p, **kw)))
    add(C.call_case("pad", [A("float32", (2, 3)), [[1], [2]], {"constant_values": [[5], [6]]}],
                    lambda x, p, kw: np_pad(x, p, **kw)))
    for ev in (0, 5, [2, -3], [[1, 2], [3, 4]]):
        for dt in ("float64", "int32", "float32"):
            add(C.call_case("pad", [A(dt, (2, 3), "T"), [[2, 3], [1, 4]], "linear_ramp", {"end_values": ev}],
                            lambda x, p, m, kw: np_pad(x, p, m, **kw),
                            rtol=1e-6 if dt == "float32" else None))
    for sl in (1, 2, [1, 3], [[1, 2], [2, 1]]):
        for mode in ("maximum", "minimum", "mean"):
            add(C.call_case("pad", [A("int32", (3, 4)), [[1, 2], [2, 1]], mode, {"stat_length": sl}],
                            lambda x, p, m, kw: np_pad(x, p, m, **kw)))
    add(C.call_case("pad", [A("float64", (0, 3)), [[0, 0], [1, 2]], "edge"], np_pad))
    add(C.call_case("pad", [A("float64", (0, 3)), [[1, 1], [1, 2]], "constant"], np_pad))
    add(C.call_case("pad", [A("float64", (2, 3)), 0, "wrap"], np_pad))
    add(C.call_case("pad", [A("float64", ()), 0], np_pad))
    add(C.call_case("pad", [A("float64", (3,)), [[2, 1]]], np_pad))
    add(C.call_case("pad", [A("float64", (2, 2)), [[2], [1]]], np_pad))
    # errors
    add(C.call_case("pad", [A("float64", (0, 3)), [[1, 0], [1, 2]], "edge"], np_pad))
    add(C.call_case("pad", [v, -1], np_pad))
    add(C.call_case("pad", [v, 1.5], np_pad))
    add(C.call_case("pad", [v, 1, "nonsense"], np_pad))
    add(C.call_case("pad", [v, 1, "edge", {"constant_values": 3}], lambda x, p, m, kw: np_pad(x, p, m, **kw)))
    add(C.call_case("pad", [A("float64", (2, 3)), [[1, 2], [3, 4], [5, 6]]], np_pad))
    add(C.call_case("pad", [A("int32", (3,)), 1, "maximum", {"stat_length": 0}],
                    lambda x, p, m, kw: np_pad(x, p, m, **kw)))


def extra_cases(add):
    """The thin compositions of lua/manip.lua."""
    for a in (A("float32", (2, 3), "T"), A("int32", (4,)), A("float64", ()), 7, [[1, 2], [3, 4]]):
        add(C.call_case("ndim", [a], np.ndim))
        add(C.call_case("shape", [a], lambda x: list(np.shape(x))))
        add(C.call_case("size", [a], np.size))
    t = A("int64", (2, 3, 4))
    for k in (1, 2, -1):
        add(C.call_case("size", [t, k], lambda x, k: np.size(x, ax(k))))
    for axis, start in ((3, None), (3, 1), (1, 3), (1, 4), (2, -1), (-1, 2), (1, 5)):
        if start is None:
            add(C.call_case("rollaxis", [t, axis], lambda x, a: np.rollaxis(x, ax(a))))
        else:
            add(C.call_case("rollaxis", [t, axis, start],
                            lambda x, a, s: np.rollaxis(x, ax(a), ax(s) if s > 0 else s)))
    for k in (1, 2, 3, -1):
        add(C.call_case("unstack", [t, {"axis": k}],
                        lambda x, kw: [np.take(x, i, axis=ax(kw["axis"])) for i in range(x.shape[ax(kw["axis"])])],
                        multi=True))
    a, b = A("float64", (2, 2)), A("int32", (2, 3), "T")
    c, d = A("float32", (1, 2)), A("float64", (3,))
    for blocks in ([a, a], [[a, A("int64", (2, 1))], [A("float64", (1, 3))]], [[a], [c]], [d, d, 1.5],
                   [[[a, a]], [[a, a]]], [1, 2, 3], [[1, 2], [3, 4]], [b, b], [a, [a]], [], [[a], []]):
        add(C.call_case("block", [blocks], np.block))
    add(C.call_case("block", [a], np.block))
    for req in (None, "C", ["C", "O"], ["A", "W"], ["C", "F"]):   # "F": lunar has no F order
        add(C.call_case("require", [A("float32", (2, 3), "T"), None, req],
                        lambda x, d, r: np.require(x, d, r)))
    add(C.call_case("require", [A("int32", (2, 3)), "float64"], np.require))
    z = A("float64", (4,), values=[1.0, float("inf"), 2.0, 3.0])
    for x in (A("float64", (3,)), A("int32", (2, 2), "T"), z, A("float32", (3,), nan=True)):
        add(C.call_case("asarray_chkfinite", [x], np.asarray_chkfinite))
    add(C.call_case("asanyarray", [A("int16", (2, 2), "T"), "float32"], np.asanyarray))
    for x in (A("int32", (2, 3)), A("float64", (3, 4), "T"), A("float32", (2, 3, 4)), A("int8", (5,))):
        add(C.call_case("asfortranarray", [x], np.asfortranarray))
    add(C.call_case("asfortranarray", [A("int64", (2, 3)), "float32"], np.asfortranarray))
    add(C.call_case("asfortranarray", [3.5], np.asfortranarray))
    for shapes in (([2, 1], [3]), ([4, 1, 3], [5, 1], [3]), ([], [2]), ([3], [4]), ([0, 1], [1, 5])):
        add(C.call_case("broadcast_shapes", list(shapes), lambda *s: list(np.broadcast_shapes(*s))))
    for rng in (([0, 5],), ([2, 11, 3],), ([0, 1, 0.25],), ([5, 0, -1],), ([0, 3], [0, 2]),
                ([0, 2], [1, 3, 0.5], [0, 1])):
        def npk(r):
            return slice(*r)
        add(C.call_case("mgrid", list(rng), lambda *r: np.asarray(np.mgrid[tuple(npk(x) for x in r)] if len(r) > 1 else np.mgrid[npk(r[0])])))
        if len(rng) > 1:
            add(C.call_case("ogrid", list(rng), lambda *r: tuple(np.ogrid[tuple(npk(x) for x in r)]), multi=True))
    for x, N, inc in ((A("int32", (4,)), None, None), (A("float32", (3,)), 5, None),
                      (A("float64", (3,), "rev"), 4, True), (A("int64", (3,)), 0, None),
                      (A("uint8", (3,), dom="pos"), 3, None), (A("bool", (3,)), 3, True)):
        args = [x] + ([N] if N is not None or inc else []) + ([inc] if inc else [])
        add(C.call_case("vander", args, np.vander))
    add(C.call_case("vander", [A("int32", (2, 2))], np.vander))
    for vals, dt, cnt in (([1, 2, 3], "float32", None), ([1.5, 2.5], "float64", None), ([1, 2, 3], "int8", 2),
                          ([True, False], "bool", None), ([1, 2], "int32", 3)):
        add(C.call_case("fromiter", [vals, dt] + ([cnt] if cnt else []), np.fromiter))
    for text, dt, sep in (("1 2 3", "float64", " "), ("1,2 , 3", "int32", ","), (" 4\n5\t6 ", "int64", " "),
                          ("1.5;2.5", "float32", ";")):
        add(C.call_case("fromstring", [Lua('"%s"' % text.replace("\n", "\\n").replace("\t", "\\t"), text), dt,
                                       {"sep": sep}],
                        lambda s, d, kw: np.fromstring(s, d, sep=kw["sep"])))


def cases(tables):
    out = []
    add = out.append
    join_cases(add)
    split_cases(add)
    view_cases(add)
    copy_cases(add)
    pad_cases(add)
    extra_cases(add)
    return [x for x in out if x]
