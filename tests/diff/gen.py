# SPDX-License-Identifier: MIT
"""Generate the differential cases: inputs and NumPy's results, as Lua data.

Run with Debian's NumPy (/usr/bin/python3). The op names come from the
X(...) rows of src/core/lu_ops.def and LU_REDUCTIONS, so a new row is covered
as soon as NumPy has a function of that name (or an entry in NP_NAME).

Every case describes its operands as a base array (dtype, shape, flat data
in C order) plus the lunar operations that make the operand from it ("T",
or an index table with 1-based inclusive ranges), so the runner rebuilds the
same non-contiguous views on each device. Lua numbers and booleans are weak
scalars (NEP 50); NumPy is put in its "weak" promotion state to match.
"""
import argparse
import math
import re
import sys

import numpy as np

if hasattr(np, "_set_promotion_state"):      # NumPy 1.24..1.26; NumPy 2 is weak already
    np._set_promotion_state("weak")

DTYPES = ["bool", "int32", "int64", "float32", "float64"]
LUNAR_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                "uint32", "uint64", "float32", "float64"}
# lunar name -> NumPy function where the names differ
NP_NAME = {"mod": "remainder", "divide": "true_divide", "abs": "absolute"}
# ops whose float results are compared with a tolerance
TRANSCENDENTAL = {"sqrt", "exp", "log", "sin", "cos", "tanh", "power"}
RTOL = {"float32": 1e-5, "float64": 1e-12}

rng = np.random.default_rng(20240607)


# {===== reading the op table
def read_ops(path):
    text = open(path).read()
    m = re.search(r"#define LU_OPS\(X\)(.*?)\n\s*\n", text, re.S)
    ops = []
    for name, nin in re.findall(r"X\(\s*(\w+)\s*,\s*(\d+)\s*,", m.group(1)):
        ops.append((name, int(nin)))
    m = re.search(r"#define LU_REDUCTIONS\(X\)(.*?)(\n\s*\n|\Z)", text, re.S)
    reds = re.findall(r"X\(\s*(\w+)\s*,", m.group(1))
    return ops, reds
# }=====


# {===== input domains: values that NumPy computes without warnings
def domain_for(op, pos):
    if op in ("divide", "floor_divide", "mod") and pos == 1:
        return "nonzero"
    if op in ("sqrt", "log"):
        return "pos"
    if op == "power":
        return "base" if pos == 0 else "expo"
    if op == "clip":
        return ("any", "low", "high")[pos]
    return "any"


def gen_values(dtype, n, dom):
    if dtype == "bool":
        if dom in ("nonzero", "pos"):
            return np.ones(n, dtype=bool)
        return rng.integers(0, 2, n).astype(bool)
    isint = dtype.startswith("int")
    if dom == "any":
        v = rng.integers(-9, 10, n) if isint else rng.integers(-320, 321, n) / 64.0
    elif dom == "nonzero":
        v = rng.integers(1, 10, n) if isint else rng.integers(32, 321, n) / 64.0
        v = v * rng.choice([-1, 1], n)
    elif dom == "pos":
        v = rng.integers(1, 10, n) if isint else rng.integers(1, 641, n) / 64.0
    elif dom == "base":
        v = rng.integers(0, 5, n) if isint else rng.integers(16, 193, n) / 64.0
    elif dom == "expo":
        v = rng.integers(0, 6, n) if isint else rng.integers(-128, 129, n) / 64.0
    elif dom == "low":
        v = rng.integers(-6, 0, n) if isint else rng.integers(-320, 0, n) / 64.0
    elif dom == "high":
        v = rng.integers(1, 7, n) if isint else rng.integers(1, 320, n) / 64.0
    else:
        raise ValueError(dom)
    return np.asarray(v).astype(dtype)


def scalars_for(op, pos):
    """Lua scalars (weak) usable at position pos of op."""
    if op in ("sqrt", "log"):
        return []
    if op == "clip":
        return [(-2, 3), (-1.5, 2.5)] if pos else []
    if op == "power" and pos == 0:
        return [2, 1.5, True]
    return [3, 2.5, True]
# }=====


# {===== layouts: how an operand of a given shape is made from a base array
def layouts(shape):
    """(name, base_shape, lua_view, numpy_view) for every layout of shape."""
    out = [("c", shape, [], lambda a: a)]
    if len(shape) == 2:
        r, c = shape
        out.append(("T", (c, r), ["T"], lambda a: a.T))
        out.append(("step", (r, 2 * c), [[[], [1, -1, 2]]], lambda a: a[:, ::2]))
        out.append(("rev", shape, [[[-1, 1, -1], []]], lambda a: a[::-1, :]))
    elif len(shape) == 1:
        (n,) = shape
        out.append(("step", (2 * n,), [[[1, -1, 2]]], lambda a: a[::2]))
        out.append(("rev", shape, [[[-1, 1, -1]]], lambda a: a[::-1]))
    return out


def layout(shape, name):
    for l in layouts(shape):
        if l[0] == name:
            return l
    raise KeyError(name)


def make_operand(dtype, shape, lname, dom, nan=False):
    """Returns (lua description dict, numpy array)."""
    _, base_shape, lview, npview = layout(shape, lname)
    n = int(np.prod(base_shape)) if base_shape else 1
    flat = gen_values(dtype, n, dom)
    if nan and dtype.startswith("float"):
        flat[rng.integers(0, n, max(1, n // 6))] = np.nan
    base = flat.reshape(base_shape)
    return ({"dtype": dtype, "shape": list(base_shape), "data": flat, "view": lview},
            npview(base))


def desc_of(spec, lname=None):
    if "scalar" in spec:
        return lua_value(spec["scalar"])
    s = "%s(%s)" % (spec["dtype"], ",".join(map(str, spec["shape"])))
    return s + ("." + lname if lname and lname != "c" else "")
# }=====


# {===== Lua output
def lua_float(v):
    v = float(v)
    if math.isnan(v):
        return "0/0"
    if math.isinf(v):
        return "math.huge" if v > 0 else "-math.huge"
    s = "%.17g" % v
    if not any(ch in s for ch in ".en"):
        s += ".0"
    return s


def lua_value(v):
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return lua_float(v)


def lua_data(arr, dtype):
    flat = np.asarray(arr).reshape(-1)
    if dtype == "bool":
        return "{" + ",".join("true" if x else "false" for x in flat) + "}"
    if dtype.startswith("float"):
        return "{" + ",".join(lua_float(x) for x in flat) + "}"
    return "{" + ",".join(str(int(x)) for x in flat) + "}"


def lua_view(v):
    if isinstance(v, str):
        return '"%s"' % v
    return "{" + ",".join(lua_view(x) if isinstance(x, list) else str(x) for x in v) + "}"


def lua_operand(spec):
    if "scalar" in spec:
        return "{scalar=%s}" % lua_value(spec["scalar"])
    return '{dtype="%s",shape={%s},data=%s,view={%s}}' % (
        spec["dtype"], ",".join(map(str, spec["shape"])), lua_data(spec["data"], spec["dtype"]),
        ",".join(lua_view(v) for v in spec["view"]))


def lua_case(case):
    parts = ['kind="%s"' % case["kind"], 'op="%s"' % case["op"],
             'desc=%s' % lua_string(case["desc"]),
             "args={%s}" % ",".join(lua_operand(a) for a in case["args"])]
    for k in ("axis", "ddof"):
        if case.get(k) is not None:
            parts.append("%s=%d" % (k, case[k]))
    if case.get("keepdims"):
        parts.append("keepdims=true")
    if "error" in case:
        parts.append("error=%s" % lua_string(case["error"]))
    else:
        r, dt = case["result"], case["dtype"]
        parts.append('dtype="%s",shape={%s},expect=%s,rtol=%s' % (
            dt, ",".join(map(str, r.shape)), lua_data(r, dt), lua_float(case["rtol"])))
    return "add{" + ",".join(parts) + "}\n"


def lua_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
# }=====


# {===== cases
class Skip(Exception):
    pass


def finish(case, fn):
    """Run NumPy; record its result, or the error it raises."""
    try:
        with np.errstate(all="ignore"):
            r = np.asarray(fn())
    except (TypeError, ValueError, OverflowError) as e:
        case["error"] = "%s: %s" % (type(e).__name__, e)
        return case
    dt = r.dtype.name
    if dt not in LUNAR_DTYPES:
        raise Skip()            # e.g. sqrt(bool) -> float16: not a lunar dtype
    case["result"], case["dtype"] = r, dt
    tol = 0.0
    if dt.startswith("float") and (case["op"] in TRANSCENDENTAL or case["kind"] in ("reduce", "matmul")):
        tol = RTOL[dt]
    case["rtol"] = tol
    return case


def np_func(op):
    f = getattr(np, NP_NAME.get(op, op), None)
    if f is None:
        raise Skip()
    return f


def np_scalar(v):
    return v                     # Python bool/int/float: weak in NumPy's weak state


def ewise_call(op, npargs):
    if op == "where":
        c, x, y = npargs
        dt = np.result_type(x, y)   # np.where itself is not weak-aware in NumPy 1.x
        return lambda: np.where(c, np.asarray(x, dtype=dt) if not np.isscalar(x) else dt.type(x),
                                np.asarray(y, dtype=dt) if not np.isscalar(y) else dt.type(y)).astype(dt)
    if op == "clip":
        a, lo, hi = npargs
        return lambda: np.minimum(np.maximum(a, lo), hi)
    if op == "copy":
        return lambda: np.copy(npargs[0])
    f = np_func(op)
    return lambda: f(*npargs)


def binary_shapes():
    # (shape0, layout0, shape1, layout1)
    return [((3, 4), "c", (3, 4), "c"), ((3, 4), "T", (3, 4), "step"), ((3, 4), "rev", (3, 4), "c"),
            ((3, 1), "c", (1, 4), "c"), ((4,), "c", (3, 4), "T"), ((3, 4), "c", (4,), "step"),
            ((), "c", (3, 4), "c")]


def ewise_cases(op, nin):
    cases = []
    dts = DTYPES

    def add(specs, npargs, desc):
        case = {"kind": "ewise", "op": op, "args": specs, "desc": desc}
        try:
            cases.append(finish(case, ewise_call(op, npargs)))
        except Skip:
            pass

    if nin == 1:
        for dt in dts:
            for lname, *_ in layouts((3, 4)):
                s, a = make_operand(dt, (3, 4), lname, domain_for(op, 0), nan=(lname == "rev"))
                add([s], [a], "%s(%s)" % (op, desc_of(s, lname)))
            s, a = make_operand(dt, (), "c", domain_for(op, 0))
            add([s], [a], "%s(%s)" % (op, desc_of(s)))
    elif nin == 2:
        for d0 in dts:
            for d1 in dts:
                for sh0, l0, sh1, l1 in binary_shapes():
                    s0, a0 = make_operand(d0, sh0, l0, domain_for(op, 0))
                    s1, a1 = make_operand(d1, sh1, l1, domain_for(op, 1))
                    add([s0, s1], [a0, a1], "%s(%s, %s)" % (op, desc_of(s0, l0), desc_of(s1, l1)))
        for dt in dts:
            for lname in ("c", "T"):
                for pos in (0, 1):
                    for sc in scalars_for(op, pos):
                        s, a = make_operand(dt, (3, 4), lname, domain_for(op, 1 - pos),
                                            nan=(lname == "T" and op in ("maximum", "minimum")))
                        sspec = {"scalar": sc}
                        specs, npargs = ([sspec, s], [sc, a]) if pos == 0 else ([s, sspec], [a, sc])
                        add(specs, npargs, "%s(%s)" % (op, ", ".join(desc_of(x, lname) for x in specs)))
        if op in ("maximum", "minimum", "equal", "not_equal", "less", "greater", "add"):
            for dt in ("float32", "float64"):
                s0, a0 = make_operand(dt, (3, 4), "c", "any", nan=True)
                s1, a1 = make_operand(dt, (3, 4), "T", "any", nan=True)
                add([s0, s1], [a0, a1], "%s(%s, %s) with nan" % (op, desc_of(s0), desc_of(s1, "T")))
    elif op == "where":
        for cd in ("bool", "int32", "float64"):
            for d0 in dts:
                for d1 in dts:
                    if cd != "bool" and d0 != d1:
                        continue
                    sc_, c = make_operand(cd, (3, 1) if d0 == d1 else (3, 4), "c", "any")
                    s0, a0 = make_operand(d0, (3, 4), "T", "any")
                    s1, a1 = make_operand(d1, (4,), "step", "any")
                    add([sc_, s0, s1], [c, a0, a1], "where(%s, %s, %s)" % (
                        desc_of(sc_), desc_of(s0, "T"), desc_of(s1, "step")))
            for dt in dts:
                for x, y in ((0, None), (None, 2.5), (True, None), (7, -1)):
                    sc_, c = make_operand("bool", (3, 4), "c", "any")
                    s, a = make_operand(dt, (3, 4), "rev", "any")
                    s0, a0 = ({"scalar": x}, x) if x is not None else (s, a)
                    s1, a1 = ({"scalar": y}, y) if y is not None else (s, a)
                    add([sc_, s0, s1], [c, a0, a1], "where(%s, %s, %s)" % (
                        desc_of(sc_), desc_of(s0, "rev"), desc_of(s1, "rev")))
    elif op == "clip":
        for dt in dts:
            for bd in dts:
                s, a = make_operand(dt, (3, 4), "T", "any")
                s1, lo = make_operand(bd, (4,), "c", "low")
                s2, hi = make_operand(bd, (3, 1), "c", "high")
                add([s, s1, s2], [a, lo, hi], "clip(%s, %s, %s)" % (desc_of(s, "T"), desc_of(s1), desc_of(s2)))
            for lo, hi in scalars_for("clip", 1):
                s, a = make_operand(dt, (3, 4), "step", "any")
                add([s, {"scalar": lo}, {"scalar": hi}], [a, lo, hi],
                    "clip(%s, %s, %s)" % (desc_of(s, "step"), lua_value(lo), lua_value(hi)))
    else:
        print("gen.py: no case generator for op %s with %d inputs" % (op, nin), file=sys.stderr)
    return cases


def np_reduce(op, a, axis, keepdims, ddof):
    if op in ("argmin", "argmax"):
        f = getattr(np, op)
        return lambda: f(a, axis=axis, keepdims=keepdims) + 1
    if op in ("var", "std"):
        return lambda: getattr(np, op)(a, axis=axis, keepdims=keepdims, ddof=ddof)
    f = np_func(op)
    return lambda: f(a, axis=axis, keepdims=keepdims)


def reduce_cases(reds):
    cases = []
    ops = list(reds) + [x for x in ("mean", "var", "std") if x not in reds]
    for op in ops:
        for dt in DTYPES:
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


def matmul_cases():
    cases = []
    shapes = [((3, 4), "c", (4, 5), "c"), ((3, 4), "T", (4, 5), "step"), ((4,), "c", (4, 5), "c"),
              ((3, 4), "rev", (4,), "c"), ((4,), "step", (4,), "c"), ((2, 3, 4), "c", (2, 4, 5), "c"),
              ((2, 3, 4), "c", (4, 5), "T"), ((2, 1, 3, 4), "c", (3, 4, 2), "c"), ((3, 4), "c", (5, 6), "c"),
              ((3, 4), "c", (3, 4), "c")]
    pairs = [(d, d) for d in DTYPES] + [("int32", "float32"), ("float32", "float64"), ("int64", "float32"),
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
# }=====


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", required=True, help="path of src/core/lu_ops.def")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    ops, reds = read_ops(args.ops)
    cases = []
    for name, nin in ops:
        cases += ewise_cases(name, nin)
    cases += reduce_cases(reds)
    cases += matmul_cases()
    with open(args.out, "w") as f:
        f.write("-- generated by tests/diff/gen.py from NumPy %s; do not edit\n" % np.__version__)
        f.write("local C = {}\nlocal function add(t) C[#C + 1] = t end\n")
        for c in cases:
            f.write(lua_case(c))
        f.write("return C\n")
    nerr = sum(1 for c in cases if "error" in c)
    print("gen.py: %d cases (%d expected errors) for %d ops, %d reductions" % (
        len(cases), nerr, len(ops), len(reds) + 3), file=sys.stderr)


if __name__ == "__main__":
    main()
