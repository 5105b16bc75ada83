# SPDX-License-Identifier: MIT
"""What every case module shares: operands, NumPy's results, Lua output.

Every case describes its operands as a base array (dtype, shape, flat data
in C order) plus the lunar operations that make the operand from it ("T",
or an index table with 1-based inclusive ranges), so the runner rebuilds the
same non-contiguous views on each device. Lua numbers and booleans are weak
scalars (NEP 50); NumPy is put in its "weak" promotion state to match.

Case kinds (the runner, run.lua, knows each):
  ewise, reduce, matmul   the op-table families (cases/ewise.py ...)
  call                    any function: call_case() below
"""
import math
import os
import re
import sys
import zlib

import numpy as np

if hasattr(np, "_set_promotion_state"):      # NumPy 1.24..1.26; NumPy 2 is weak already
    np._set_promotion_state("weak")

DTYPES = ["bool", "int32", "int64", "float32", "float64"]
LUNAR_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                "uint32", "uint64", "float16", "float32", "float64", "complex64", "complex128"}
# lunar name -> NumPy function where the names differ
NP_NAME = {"mod": "remainder", "divide": "true_divide", "abs": "absolute"}
# ops whose float results are compared with a tolerance
TRANSCENDENTAL = {"sqrt", "exp", "log", "sin", "cos", "tanh", "power", "float_power"}
RTOL = {"float32": 1e-5, "float64": 1e-12, "float16": 1e-3, "bfloat16": 1e-2,
        "complex64": 1e-5, "complex128": 1e-12}

rng = np.random.default_rng(20240607)


def reseed(name):
    """Give each case module its own stream, so that adding cases to one
    module leaves the data of the others unchanged."""
    global rng
    rng = np.random.default_rng(zlib.crc32(name.encode()))


# {===== reading the op table
def read_ops(path):
    """The elementwise rows of lu_ops.def at path, as (name, nin), and the
    rows of the reduction table beside it (lu_reduce.def), as dicts with
    name, flags (a set of LU_RF_ names), nonfloat and params (a list; "*"
    marks NumPy's keyword-only parameters)."""
    text = open(path).read()
    m = re.search(r"#define LU_OPS\(X\)(.*?)(\n\s*\n|\Z)", text, re.S)
    ops = []
    for name, nin in re.findall(r"X\(\s*(\w+)\s*,\s*(\d+)\s*,", m.group(1)):
        ops.append((name, int(nin)))
    text = open(os.path.join(os.path.dirname(path), "lu_reduce.def")).read()
    m = re.search(r"#define LU_REDUCTIONS\(X\)(.*?)(\n\s*\n|\Z)", text, re.S)
    reds = []
    for name, rule, flags, nonfloat, params in re.findall(
            r"X\(\s*(\w+)\s*,\s*(\w+)\s*,\s*([\w |]+?)\s*,\s*(\w+)\s*,\s*\"([^\"]*)\"", m.group(1)):
        reds.append({"name": name, "rule": rule, "nonfloat": nonfloat, "params": params.split(","),
                     "flags": set(f.strip() for f in flags.split("|") if f.strip() != "0")})
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


def lua_complex(v):
    return "lunar.complex(%s,%s)" % (lua_float(v.real), lua_float(v.imag))


def lua_value(v):
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (complex, np.complexfloating)):
        return lua_complex(v)
    return lua_float(v)


def lua_data(arr, dtype, operand=False):
    flat = np.asarray(arr).reshape(-1)
    if operand and dtype == "uint64":
        # a Lua integer literal stops at 2^63 - 1: larger values are written
        # as their bit pattern (a negative integer), which lunar.array takes
        # for uint64, instead of a float that is not exact
        return "{" + ",".join(str(int(x) - (1 << 64) if int(x) >= (1 << 63) else int(x))
                              for x in flat) + "}"
    if dtype == "bool":
        return "{" + ",".join("true" if x else "false" for x in flat) + "}"
    if dtype.startswith("complex"):
        return "{" + ",".join(lua_complex(x) for x in flat) + "}"
    if "float" in dtype:     # float16, bfloat16 (held by NumPy as float32), float32, float64
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
        spec["dtype"], ",".join(map(str, spec["shape"])), lua_data(spec["data"], spec["dtype"], True),
        ",".join(lua_view(v) for v in spec["view"]))


def lua_case(case):
    parts = ['kind="%s"' % case["kind"], 'op="%s"' % case["op"],
             'desc=%s' % lua_string(case["desc"]),
             "args={%s}" % ",".join(lua_operand(a) for a in case["args"])]
    ax = case.get("axis")
    if ax is not None:
        parts.append("axis=" + ("{%s}" % ",".join(map(str, ax)) if isinstance(ax, (list, tuple))
                                else str(ax)))
    if case.get("ddof") is not None:
        parts.append("ddof=%s" % lua_value(case["ddof"]))
    if case.get("rdtype"):
        parts.append('rdtype="%s"' % case["rdtype"])
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
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
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
    if dt.startswith("complex"):   # products and quotients: NumPy may contract them
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




# {===== the generic kind: a call of any lunar function
class A:
    """An array operand of a call case: A("float32", (3, 4), "T") is a
    3x4 float32 array made as the transpose of a 4x3 base array."""

    def __init__(self, dtype, shape, lname="c", dom="any", nan=False, values=None):
        if values is not None:
            base = np.asarray(values, dtype=dtype)
            self.spec = {"dtype": dtype, "shape": list(base.shape), "data": base.reshape(-1),
                         "view": []}
            self.np = base
            self.lname = "c"
        else:
            self.spec, self.np = make_operand(dtype, tuple(shape), lname, dom, nan)
            self.lname = lname

    def desc(self):
        return desc_of(self.spec, self.lname)


class Lua:
    """An argument written as Lua source (a function, a string of bytes),
    with the Python value NumPy gets in its place."""

    def __init__(self, text, value, desc=None):
        self.text, self.value, self.desc = text, value, desc or text


def _np_arg(x):
    if isinstance(x, Lua):
        return x.value
    if isinstance(x, A):
        return x.np
    if hasattr(x, "np_arg"):         # a case module's own argument kind
        return x.np_arg()
    if isinstance(x, list):
        return [_np_arg(v) for v in x]
    if isinstance(x, dict):
        return {k: _np_arg(v) for k, v in x.items()}
    return x


def _lua_arg(x):
    if isinstance(x, Lua):
        return "{lua=%s}" % lua_string(x.text)
    if isinstance(x, A):
        return "{arr=%s}" % lua_operand(x.spec)
    if hasattr(x, "lua_arg"):
        return x.lua_arg()
    if x is None:
        return "{isnil=true}"
    if isinstance(x, str):
        return "{str=%s}" % lua_string(x)
    if isinstance(x, (bool, int, float, np.bool_, np.integer, np.floating)):
        return "{scalar=%s}" % lua_value(x)
    if isinstance(x, list):
        return "{list={%s}}" % ",".join(_lua_arg(v) for v in x)
    if isinstance(x, dict):
        return "{kw={%s}}" % ",".join("%s=%s" % (k, _lua_arg(v)) for k, v in x.items())
    raise TypeError("call case argument of type %s" % type(x).__name__)


def _desc_arg(x):
    if isinstance(x, Lua):
        return x.desc
    if isinstance(x, A) or hasattr(x, "lua_arg"):
        return x.desc()
    if isinstance(x, list):
        return "{" + ", ".join(_desc_arg(v) for v in x) + "}"
    if isinstance(x, dict):
        return "{" + ", ".join("%s=%s" % (k, _desc_arg(v)) for k, v in x.items()) + "}"
    if isinstance(x, str):
        return '"%s"' % x
    return lua_value(x) if x is not None else "nil"


def _lua_result(r, rtol):
    """One expected return value: an array (any ndarray, 0-d included), a
    Lua value (a NumPy/Python scalar, bool or string) or a list of those
    (a Lua sequence, as split returns)."""
    if isinstance(r, list):
        return "{list={%s}}" % ",".join(_lua_result(x, rtol) for x in r)
    if isinstance(r, np.ndarray):
        dt = r.dtype.name
        if dt not in LUNAR_DTYPES:
            raise Skip()
        tol = rtol if rtol is not None else 0.0
        if not dt.startswith(("float", "complex")):
            tol = 0.0
        return '{dtype="%s",shape={%s},expect=%s,rtol=%s}' % (
            dt, ",".join(map(str, r.shape)), lua_data(r, dt), lua_float(tol))
    if isinstance(r, str):
        return "{value=%s}" % lua_string(r)
    if isinstance(r, (bool, np.bool_, int, np.integer, float, np.floating)):
        tol = rtol if (rtol is not None and isinstance(r, (float, np.floating))) else 0.0
        return "{value=%s,rtol=%s}" % (lua_value(r), lua_float(tol))
    raise TypeError("call case result of type %s" % type(r).__name__)


def call_case(fn, args, np_fn, desc=None, forms=("function",), rtol=None, multi=False,
              post=None):
    """A case that calls lunar's `fn` (a name under the module, such as
    "concatenate" or "linalg.solve") with args, in each of `forms`
    ("function": lunar.fn(args...); "method": args[1]:fn(args[2:]...);
    "into": lunar.fn(args...) for its effect, the result being args[1], as
    copyto), and
    compares what it returns with np_fn(*numpy_args). Arguments: A operands,
    Python scalars (weak Lua numbers/booleans), strings, None (nil), lists
    (Lua sequences), dicts (Lua tables with string keys: keyword tables) and
    objects with lua_arg(), np_arg() and desc() methods (a module's own kind,
    such as lunar.newaxis). Forms also "inplace" (lunar.fn(a, ...) changes
    a, which is the result), "getitem" (a[key]) and "setitem" (a[key] = v,
    then a).
    np_fn's result: an ndarray (compared as an array, dtype included), a
    scalar or string (compared as a Lua value), or, with multi=True, a tuple
    of those (several return values). When NumPy raises TypeError,
    ValueError, OverflowError, IndexError or LinAlgError the case expects
    lunar to raise.
    post: a Lua expression naming a function (defined by the module's
    prelude(), see gen.py) that lunar's results, then the table of the
    operands, are passed through before the comparison; np_fn then gives
    what post must return. For results
    that are not unique (signs of singular vectors), post rebuilds what is
    (U @ diag(S) @ Vh), and NumPy gives the expected value (the input).
    Returns the case as Lua text, or None when a result has a dtype lunar
    does not have."""
    d = desc or "%s(%s)" % (fn, ", ".join(_desc_arg(a) for a in args))
    parts = ['kind="call"', 'op=%s' % lua_string(fn), 'desc=%s' % lua_string(d),
             "forms={%s}" % ",".join('"%s"' % f for f in forms),
             "args={%s}" % ",".join(_lua_arg(a) for a in args)]
    if post:
        parts.append("post=%s" % post)
    try:
        with np.errstate(all="ignore"):
            r = np_fn(*[_np_arg(a) for a in args])
    except (TypeError, ValueError, OverflowError, IndexError, np.linalg.LinAlgError) as e:
        parts.append("error=%s" % lua_string("%s: %s" % (type(e).__name__, e)))
        return "add{" + ",".join(parts) + "}\n"
    rs = list(r) if multi else [r]
    try:
        parts.append("results={%s}" % ",".join(_lua_result(x, rtol) for x in rs))
    except Skip:
        return None
    return "add{" + ",".join(parts) + "}\n"
# }=====


def quarter_values(dt, n, lo, hi):
    """n values of dtype dt from the shared rng: bools, integers in [lo, hi)
    (unsigned shifted to [0, hi - lo)), floats on a grid of quarters, so
    that sums and products of a few of them are exact."""
    if dt == "bool":
        return rng.integers(0, 2, n).astype(bool)
    if dt.startswith("uint"):
        return rng.integers(0, hi - lo, n).astype(dt)
    if dt.startswith("int"):
        return rng.integers(lo, hi, n).astype(dt)
    return (rng.integers(lo * 4, hi * 4, n) / 4.0).astype(dt)
