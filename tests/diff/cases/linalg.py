# SPDX-License-Identifier: MIT
"""lunar.linalg against numpy.linalg: every function, float32/float64 and
integer/bool input, stacked operands with broadcasting, non-contiguous
views (a transposed base, a step, a reversed batch), empty matrices, and
the errors (singular, not positive definite, non-square, wrong shapes).

Decompositions whose factors are not unique (qr, svd, eigh) are checked
through what is unique: lunar's factors pass through a Lua function of the
prelude (Q @ R and Q^T Q, U diag(S) Vh and the orthogonality of U and Vh,
V diag(w) V^T) and NumPy gives what that must equal (the input, identity
matrices). The oracle is NumPy 1.24 in NumPy 2's semantics: where 2.x
changed a rule (solve's 1-D b, cholesky's upper, rtol) or added a function
(svdvals, vector_norm, matrix_norm, vecdot, matrix_transpose, linalg.outer,
linalg.cross), the expected value is computed from 1.24's primitives by
NumPy 2's definition.
"""
import numpy as np

import common as C
from common import A

RT = {"float32": 2e-4, "float64": 1e-9}
FLOATS = ("float32", "float64")


# {===== operands
class M(A):
    """A call operand whose values are the given matrix stack `mat`, made in
    lunar through a layout: "c" (contiguous), "T" (the reversed-axes view
    of a base array), "step" (every other element of the last axis) or
    "rev" (the first axis reversed)."""

    def __init__(self, mat, layout="c"):
        mat = np.asarray(mat)
        dt = mat.dtype.name
        nd = mat.ndim
        if layout == "c" or nd == 0:
            base, view = mat, []
        elif layout == "T":
            base, view = np.ascontiguousarray(mat.T), ["T"]
        elif layout == "step":
            shape = mat.shape[:-1] + (2 * mat.shape[-1],)
            base = np.zeros(shape, dtype=dt)
            base[..., ::2] = mat
            base[..., 1::2] = np.asarray(C.rng.integers(-9, 10, mat.shape)).astype(dt)
            view = [[[] for _ in range(nd - 1)] + [[1, -1, 2]]]
        elif layout == "rev":
            base = np.ascontiguousarray(mat[::-1])
            view = [[[-1, 1, -1]] + [[] for _ in range(nd - 1)]]
        else:
            raise ValueError(layout)
        self.spec = {"dtype": dt, "shape": list(base.shape), "data": base.reshape(-1), "view": view}
        self.np = mat
        self.lname = layout

    def desc(self):
        return "%s%s.%s" % (self.spec["dtype"], tuple(self.np.shape), self.lname)


def grid(shape, scale=8):
    """Values k/scale with small integers k: exact in float32."""
    return C.rng.integers(-4 * scale, 4 * scale + 1, shape) / scale


def general(batch, n, dt):
    """Square, well conditioned (diagonally dominant)."""
    a = grid(batch + (n, n))
    idx = np.arange(n)
    a[..., idx, idx] += np.where(C.rng.integers(0, 2, batch + (n,)) == 1, 1, -1) * (4 * n)
    return a.astype(dt)


def spd(batch, n, dt):
    b = C.rng.integers(-3, 4, batch + (n, n)).astype(np.float64)
    a = b @ np.swapaxes(b, -1, -2) + n * np.eye(n)
    return a.astype(dt)


def sym(batch, n, dt):
    b = grid(batch + (n, n), 4)
    return ((b + np.swapaxes(b, -1, -2)) / 2).astype(dt)


def rect(batch, m, n, dt):
    return grid(batch + (m, n)).astype(dt)


def lowrank(batch, m, n, r, dt):
    b = C.rng.integers(-3, 4, batch + (m, r)).astype(np.float64)
    c = C.rng.integers(-3, 4, batch + (r, n)).astype(np.float64)
    return (b @ c).astype(dt)


def ints(a, dt):
    """An integer or bool version of a float matrix (rounded)."""
    if dt == "bool":
        return (np.round(a) % 2 == 1)
    return np.round(a).astype(dt)


def eyes(batch, n, dt):
    return np.broadcast_to(np.eye(n, dtype=dt), batch + (n, n)).copy()


def fails(msg):
    """NumPy 2 raises where 1.24 does not: a case that expects an error."""
    def f(*args):
        raise ValueError(msg)
    return f


def fdt(*arrays):
    """lunar's (and NumPy's) result dtype for linalg operands."""
    arrays = [np.asarray(x) for x in arrays]
    single = all(x.dtype in (np.float32, np.complex64) for x in arrays)
    if any(x.dtype.kind == "c" for x in arrays):
        return "complex64" if single else "complex128"
    return "float32" if single else "float64"


def rdt_of(dt):
    return {"complex64": "float32", "complex128": "float64"}.get(dt, dt)


def cplx(a, dt):
    """A complex version of real test data: the values as real parts, a
    second draw of the same kind as imaginary parts."""
    a = np.asarray(a, dtype=np.float64)
    return (a + 1j * grid(a.shape)).astype(dt)
# }=====


PRELUDE = r"""
local LT0 = lunar.linalg.matrix_transpose
local function LT(x)   -- the conjugate transpose
  local t = LT0(x)
  if x.dtype:match("^complex") then t = lunar.conjugate(t) end
  return t
end
-- the identities that make non-unique factors comparable
local LINALG = {}
local function colscale(u, s)   -- u * s[..., None, :]
  local sh = s.shape
  table.insert(sh, #sh, 1)
  return u * s:reshape(sh)
end
local function cols(x, k)        -- x[..., :, :k]
  local key = {}
  for i = 1, x.ndim - 1 do key[i] = {} end
  key[x.ndim] = {1, k}
  return x[key]
end
function LINALG.qr(q, r) return q:matmul(r), LT(q):matmul(q) end
function LINALG.r(r) return LT(r):matmul(r) end
function LINALG.svd(u, s, vh)
  local k = s.shape[#s.shape]
  local vk = LT(cols(LT(vh), k))
  return colscale(cols(u, k), s):matmul(vk), s, LT(u):matmul(u), vh:matmul(LT(vh))
end
function LINALG.eigh(w, v)
  return w, colscale(v, w):matmul(LT(v)), LT(v):matmul(v)
end
-- eig: A v - v diag(w), and the sum and product of the eigenvalues
function LINALG.eig(w, v, args)
  local a = args[1]:astype(v.dtype)
  return a:matmul(v) - colscale(v, w), w:sum(-1), w:prod(-1)
end
"""


def prelude():
    return PRELUDE


# {===== NumPy 2 semantics from NumPy 1.24
def np_solve(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    if a.ndim < 2 or b.ndim < 1:
        return np.linalg.solve(a, b)
    if b.ndim == 1:
        if a.shape[-1] != a.shape[-2] or b.shape[0] != a.shape[-1]:
            raise np.linalg.LinAlgError("shapes")
        if b.shape[0] == 0:
            return np.zeros(a.shape[:-1], dtype=np.result_type(a, b, np.float32))
        bb = np.broadcast_to(b, a.shape[:-1])[..., None]
        return np.linalg.solve(a, bb)[..., 0]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    if a.shape[-1] != a.shape[-2] or b.shape[-2] != a.shape[-1]:
        raise np.linalg.LinAlgError("shapes")
    nb = int(np.prod(batch))
    aa = np.broadcast_to(a, batch + a.shape[-2:]).reshape((nb,) + a.shape[-2:])
    bb = np.broadcast_to(b, batch + b.shape[-2:]).reshape((nb,) + b.shape[-2:])
    dt = np.linalg.solve(np.eye(1, dtype=a.dtype), np.ones((1, 1), dtype=b.dtype)).dtype
    out = np.zeros((aa.shape[0],) + b.shape[-2:], dtype=dt)
    if a.shape[-1] > 0 and b.shape[-1] > 0:      # 1.24 cannot, NumPy 2 can
        for i in range(aa.shape[0]):
            out[i] = np.linalg.solve(aa[i], bb[i])
    return out.reshape(batch + b.shape[-2:])


def np_cholesky(a, upper=False):
    if not upper:
        return np.linalg.cholesky(a)
    return np.swapaxes(np.linalg.cholesky(np.swapaxes(a, -1, -2)), -1, -2)


def np_sym_of(a, upper):
    """The symmetric (Hermitian) matrix eigh reads from a's lower (upper)
    triangle; the imaginary part of the diagonal is not read."""
    a = np.asarray(a, dtype=np.float64 if a.dtype.kind not in "fc" else a.dtype)
    t = np.triu(a) if upper else np.tril(a)
    h = t + np.conj(np.swapaxes(t, -1, -2)) - a * np.eye(a.shape[-1], dtype=a.dtype)
    idx = np.arange(a.shape[-1])
    h[..., idx, idx] = a[..., idx, idx].real
    return h


def np_vector_norm(x, axis=None, keepdims=False, ord=2):
    x = np.asarray(x)
    if x.dtype.kind not in "fc":
        x = x.astype(np.float64)
    shape = list(x.shape)
    if axis is None:
        y, ax = x.ravel(), 0
    elif isinstance(axis, tuple):
        axis = tuple(a % x.ndim for a in axis)
        rest = tuple(i for i in range(x.ndim) if i not in axis)
        y = np.transpose(x, axis + rest).reshape((int(np.prod([x.shape[i] for i in axis])),)
                                                  + tuple(x.shape[i] for i in rest))
        ax = 0
    else:
        y, ax = x, axis
    r = np.linalg.norm(y, axis=ax, ord=ord)
    if keepdims:
        axes = range(len(shape)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
        for i in axes:
            shape[i % len(shape)] = 1
        r = np.asarray(r).reshape(shape)
    return np.asarray(r)
# }=====


def cases(tables):
    out = []

    def add(*a, **k):
        r = C.call_case(*a, **k)
        if r:
            out.append(r)

    L = "linalg."
    arr = np.asarray

    # {===== solve
    for dt in FLOATS:
        rt = RT[dt]
        for n in (1, 2, 3, 5, 8):
            for lay in ("c", "T", "step"):
                a = general((), n, dt)
                add(L + "solve", [M(a, lay), M(rect((), n, 1, dt)[:, 0])], np_solve, rtol=rt)
                add(L + "solve", [M(a, "c"), M(rect((), n, 3, dt), lay)], np_solve, rtol=rt)
        for ab, bb in (((4,), (4,)), ((2, 3), (3,)), ((4,), ()), ((), (3,)), ((2, 1), (1, 3))):
            a = general(ab, 4, dt)
            for lay in ("c", "T", "rev"):
                if lay == "rev" and not ab:
                    continue
                add(L + "solve", [M(a, lay), M(rect(bb, 4, 2, dt), "T" if lay == "T" else "c")],
                    np_solve, rtol=rt)
            add(L + "solve", [M(a), M(rect((), 4, 1, dt)[:, 0])], np_solve, rtol=rt)
        # mixed dtypes and integer operands
        a = general((), 4, dt)
        add(L + "solve", [M(a), M(rect((), 4, 2, "float64" if dt == "float32" else "float32"))],
            np_solve, rtol=RT["float32"])
        add(L + "solve", [M(a), M(ints(rect((), 4, 2, "float64"), "int32"))], np_solve, rtol=rt)
    for dt in ("int32", "int64", "bool"):
        a = ints(general((), 4, "float64"), dt) if dt != "bool" else (np.eye(4) + np.eye(4, k=1)).astype(bool)
        add(L + "solve", [M(a), M(ints(rect((), 4, 2, "float64"), "int64"))], np_solve, rtol=RT["float64"])
    # empty, errors
    add(L + "solve", [M(np.zeros((0, 0))), M(np.zeros((0, 2)))], np_solve)
    add(L + "solve", [M(np.zeros((0, 3, 3))), M(np.zeros((0, 3, 2)))], np_solve)
    add(L + "solve", [M(general((), 3, "float64")), M(np.zeros((3, 0)))], np_solve)
    add(L + "solve", [M(arr([[1.0, 2.0], [2.0, 4.0]])), M(arr([1.0, 2.0]))], np_solve)
    add(L + "solve", [M(arr([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]])), M(arr([1.0, 2.0]))], np_solve)
    add(L + "solve", [M(rect((), 3, 4, "float64")), M(rect((), 3, 1, "float64")[:, 0])], np_solve)
    add(L + "solve", [M(general((), 3, "float64")), M(rect((), 4, 2, "float64"))], np_solve)
    add(L + "solve", [M(general((), 3, "float64")), M(rect((), 4, 1, "float64")[:, 0])], np_solve)
    add(L + "solve", [M(general((2,), 3, "float64")), M(rect((3,), 3, 2, "float64"))], np_solve)
    add(L + "solve", [M(rect((), 1, 3, "float64")[0]), M(rect((), 3, 1, "float64")[:, 0])], np_solve)
    nanm = general((), 3, "float64")
    nanm[1, 2] = np.nan
    add(L + "solve", [M(nanm), M(rect((), 3, 1, "float64")[:, 0])], np_solve)
    # }=====

    # {===== inv, det, slogdet
    for dt in FLOATS:
        rt = RT[dt]
        for batch in ((), (3,), (2, 2)):
            for n in (1, 2, 4, 7):
                a = general(batch, n, dt)
                for lay in ("c", "T", "step") + (("rev",) if batch else ()):
                    add(L + "inv", [M(a, lay)], np.linalg.inv, rtol=rt)
                    add(L + "det", [M(a, lay)], lambda x: arr(np.linalg.det(x)), rtol=rt)
                    add(L + "slogdet", [M(a, lay)], lambda x: tuple(arr(v) for v in np.linalg.slogdet(x)),
                        multi=True, rtol=rt)
        # general (not dominant) matrices, negative determinants
        for n in (2, 3, 5):
            a = rect((4,), n, n, dt)
            add(L + "det", [M(a)], lambda x: arr(np.linalg.det(x)), rtol=rt)
            add(L + "slogdet", [M(a)], lambda x: tuple(arr(v) for v in np.linalg.slogdet(x)), multi=True, rtol=rt)
        sing = arr([[[2.0, 1.0], [4.0, 2.0]], [[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]]).astype(dt)
        add(L + "det", [M(sing)], lambda x: arr(np.linalg.det(x)), rtol=rt)
        add(L + "slogdet", [M(sing)], lambda x: tuple(arr(v) for v in np.linalg.slogdet(x)), multi=True, rtol=rt)
        add(L + "inv", [M(sing)], np.linalg.inv)
        add(L + "inv", [M(sing[0])], np.linalg.inv)
    for dt in ("int32", "int64", "bool"):
        a = ints(general((2,), 3, "float64"), dt) if dt != "bool" else arr([[[1, 1, 0], [0, 1, 1], [1, 0, 1]]], dtype=bool)
        add(L + "inv", [M(a)], np.linalg.inv, rtol=RT["float64"])
        add(L + "det", [M(a)], lambda x: arr(np.linalg.det(x)), rtol=RT["float64"])
        add(L + "slogdet", [M(a)], lambda x: tuple(arr(v) for v in np.linalg.slogdet(x)), multi=True,
            rtol=RT["float64"])
    for f in ("inv", "det", "slogdet"):
        npf = {"inv": np.linalg.inv, "det": lambda x: arr(np.linalg.det(x)),
               "slogdet": lambda x: tuple(arr(v) for v in np.linalg.slogdet(x))}[f]
        add(L + f, [M(rect((), 2, 3, "float64"))], npf, multi=f == "slogdet")
        add(L + f, [M(rect((), 1, 3, "float64")[0])], npf, multi=f == "slogdet")
        add(L + f, [M(np.zeros((0, 0)))], npf, multi=f == "slogdet")
        add(L + f, [M(np.zeros((2, 0, 0)))], npf, multi=f == "slogdet")
        add(L + f, [M(np.zeros((0, 3, 3)))], npf, multi=f == "slogdet")
    add(L + "det", [M(nanm)], lambda x: arr(np.linalg.det(x)))
    add(L + "inv", [M(nanm)], np.linalg.inv)
    # }=====

    # {===== cholesky
    for dt in FLOATS:
        rt = RT[dt]
        for batch in ((), (3,), (2, 2)):
            for n in (1, 2, 5, 8):
                a = spd(batch, n, dt)
                for lay in ("c", "T", "step") + (("rev",) if batch else ()):
                    add(L + "cholesky", [M(a, lay)], np_cholesky, rtol=rt)
                    add(L + "cholesky", [M(a, lay), {"upper": True}], lambda x, k: np_cholesky(x, True), rtol=rt)
        # only the triangle is read
        a = spd((2,), 4, dt)
        junk = a.copy()
        junk[..., 0, 3] = 99
        add(L + "cholesky", [M(junk)], np_cholesky, rtol=rt)
        junk = a.copy()
        junk[..., 3, 0] = -99
        add(L + "cholesky", [M(junk), {"upper": True}], lambda x, k: np_cholesky(x, True), rtol=rt)
        notpd = spd((3,), 3, dt)
        notpd[2] = -notpd[2]
        add(L + "cholesky", [M(notpd)], np_cholesky)
        add(L + "cholesky", [M(notpd[2])], np_cholesky)
    add(L + "cholesky", [M(ints(spd((), 3, "float64"), "int64"))], np_cholesky, rtol=RT["float64"])
    add(L + "cholesky", [M(rect((), 2, 3, "float64"))], np_cholesky)
    add(L + "cholesky", [M(np.zeros((2, 0, 0)))], np_cholesky)
    # }=====

    # {===== qr
    def np_qr_id(mode):
        def f(a, *rest):
            a = arr(a)
            dt = fdt(a)
            m, n = a.shape[-2:]
            k = min(m, n)
            batch = a.shape[:-2]
            af = a.astype(dt)
            if mode == "r":
                return np.conj(np.swapaxes(af, -1, -2)) @ af
            return af, eyes(batch, m if mode == "complete" else k, dt)
        return f

    for dt in FLOATS:
        rt = RT[dt]
        for batch in ((), (3,)):
            for m, n in ((4, 4), (6, 3), (3, 6), (1, 5), (5, 1), (8, 8)):
                a = rect(batch, m, n, dt)
                for lay in ("c", "T", "step"):
                    add(L + "qr", [M(a, lay)], np_qr_id("reduced"), multi=True, rtol=rt, post="LINALG.qr")
                    add(L + "qr", [M(a, lay), "complete"], np_qr_id("complete"), multi=True, rtol=rt,
                        post="LINALG.qr")
                add(L + "qr", [M(a), {"mode": "r"}], np_qr_id("r"), rtol=rt, post="LINALG.r")
        a = rect((2, 2), 5, 3, dt)
        add(L + "qr", [M(a, "rev")], np_qr_id("reduced"), multi=True, rtol=rt, post="LINALG.qr")
    add(L + "qr", [M(ints(rect((), 4, 3, "float64"), "int32"))], np_qr_id("reduced"), multi=True,
        rtol=RT["float64"], post="LINALG.qr")
    add(L + "qr", [M(rect((), 3, 2, "float64")), "economic"], fails("unrecognized mode"), multi=True)
    add(L + "qr", [M(rect((), 3, 1, "float64")[:, 0])], np.linalg.qr, multi=True)
    for shape in ((0, 3), (3, 0), (2, 0, 0)):
        z = np.zeros(shape)
        add(L + "qr", [M(z)], lambda x: tuple(np.linalg.qr(x)), multi=True)
        add(L + "qr", [M(z), "complete"], lambda x, mo: tuple(np.linalg.qr(x, mo)), multi=True)
    # }=====

    # {===== svd, svdvals
    def np_svd_id(a, *rest):
        a = arr(a)
        dt = fdt(a)
        full = True
        if rest and isinstance(rest[0], dict):
            full = rest[0].get("full_matrices", True)
        elif rest:
            full = rest[0]
        m, n = a.shape[-2:]
        k = min(m, n)
        batch = a.shape[:-2]
        s = np.linalg.svd(a, compute_uv=False).astype(rdt_of(dt))
        return (a.astype(dt), s, eyes(batch, m if full else k, dt), eyes(batch, n if full else k, dt))

    for dt in FLOATS:
        rt = RT[dt]
        for batch in ((), (3,)):
            for m, n in ((4, 4), (6, 3), (3, 6), (1, 4), (4, 1), (7, 7)):
                a = rect(batch, m, n, dt)
                for lay in ("c", "T", "step"):
                    add(L + "svd", [M(a, lay)], np_svd_id, multi=True, rtol=rt, post="LINALG.svd")
                    add(L + "svd", [M(a, lay), False], np_svd_id, multi=True, rtol=rt, post="LINALG.svd")
                    add(L + "svd", [M(a, lay), {"compute_uv": False}],
                        lambda x, k: np.linalg.svd(x, compute_uv=False), rtol=rt)
                    add(L + "svdvals", [M(a, lay)], lambda x: np.linalg.svd(x, compute_uv=False), rtol=rt)
        a = rect((2, 3), 5, 4, dt)
        add(L + "svd", [M(a, "rev"), {"full_matrices": False}], np_svd_id, multi=True, rtol=rt, post="LINALG.svd")
        a = lowrank((2,), 5, 4, 2, dt)
        add(L + "svdvals", [M(a)], lambda x: np.linalg.svd(x, compute_uv=False), rtol=rt)
        s = sym((), 4, dt)
        add(L + "svd", [M(s), True, True, True], np_svd_id, multi=True, rtol=rt, post="LINALG.svd")
    add(L + "svd", [M(ints(rect((2,), 3, 4, "float64"), "int64"))], np_svd_id, multi=True,
        rtol=RT["float64"], post="LINALG.svd")
    add(L + "svdvals", [M(ints(rect((), 3, 4, "float64"), "bool"))],
        lambda x: np.linalg.svd(x, compute_uv=False), rtol=RT["float64"])
    add(L + "svd", [M(nanm)], np.linalg.svd, multi=True)
    add(L + "svd", [M(rect((), 1, 3, "float64")[0])], np.linalg.svd, multi=True)
    add(L + "svd", [M(rect((), 2, 3, "float64")), True, True, True], np.linalg.svd, multi=True)
    for shape in ((0, 3), (3, 0), (2, 0, 0)):
        z = np.zeros(shape)
        add(L + "svd", [M(z)], lambda x: tuple(np.linalg.svd(x)), multi=True)
        add(L + "svd", [M(z), False], lambda x, f: tuple(np.linalg.svd(x, f)), multi=True)
        add(L + "svdvals", [M(z)], lambda x: np.linalg.svd(x, compute_uv=False))
    # }=====

    # {===== eigh, eigvalsh
    def np_eigh_id(upper):
        def f(a, *rest):
            a = arr(a)
            dt = fdt(a)
            w = np.linalg.eigvalsh(a, "U" if upper else "L").astype(rdt_of(dt))
            return w, np_sym_of(a, upper).astype(dt), eyes(a.shape[:-2], a.shape[-1], dt)
        return f

    for dt in FLOATS:
        rt = RT[dt]
        for batch in ((), (3,), (2, 2)):
            for n in (1, 2, 4, 7):
                a = sym(batch, n, dt)
                for lay in ("c", "T", "step") + (("rev",) if batch else ()):
                    add(L + "eigh", [M(a, lay)], np_eigh_id(False), multi=True, rtol=rt, post="LINALG.eigh")
                    add(L + "eigvalsh", [M(a, lay)], np.linalg.eigvalsh, rtol=rt)
                add(L + "eigh", [M(a), "U"], np_eigh_id(True), multi=True, rtol=rt, post="LINALG.eigh")
                add(L + "eigvalsh", [M(a), {"UPLO": "U"}], lambda x, k: np.linalg.eigvalsh(x, "U"), rtol=rt)
        a = spd((2,), 5, dt)
        add(L + "eigh", [M(a)], np_eigh_id(False), multi=True, rtol=rt, post="LINALG.eigh")
        # the one-pass Jacobi kernel's widths on a GPU (orders 5-8, 9-16,
        # 17-32) and past them (33: syevd); one matrix and a stack
        for batch, n in (((), 8), ((6,), 8), ((3,), 13), ((2,), 16), ((), 32), ((2,), 32), ((), 33)):
            a = sym(batch, n, dt)
            add(L + "eigh", [M(a)], np_eigh_id(False), multi=True, rtol=rt, post="LINALG.eigh")
            add(L + "eigvalsh", [M(a), "U"], lambda x, u: np.linalg.eigvalsh(x, "U"), rtol=rt)
        # repeated eigenvalues (any orthonormal basis of each eigenspace),
        # a zero matrix, a diagonal one, and scales far from 1
        # (the reconstruction's zeros are compared absolutely: no large scale)
        for a in (np.ones((2, 6, 6)), np.zeros((3, 5, 5)), np.diag([3.0, -1, 3, 0, 2, -1])[None],
                  sym((2,), 8, "float64") * 1e-20):
            add(L + "eigh", [M(a.astype(dt))], np_eigh_id(False), multi=True, rtol=rt, post="LINALG.eigh")
            add(L + "eigvalsh", [M(a.astype(dt))], np.linalg.eigvalsh, rtol=rt)
        add(L + "eigvalsh", [M((sym((2,), 8, "float64") * 1e20).astype(dt))], np.linalg.eigvalsh, rtol=rt)
        # entries near the dtype's largest: a_qq - a_pp overflows unless halved
        big = float(np.finfo(dt).max) / 1.7
        for a in ([[-big, big / 20], [big / 20, big]], [[-big, big], [big, big]]):
            a = np.array(a) / 1.5 if a[0][1] == big else np.array(a)
            add(L + "eigvalsh", [M(a.astype(dt)[None])], np.linalg.eigvalsh, rtol=rt)
        # the other triangle is not read
        a = sym((), 4, dt)
        a[0, 3] = 77
        add(L + "eigvalsh", [M(a)], np.linalg.eigvalsh, rtol=rt)
        add(L + "eigvalsh", [M(a), "u"], lambda x, u: np.linalg.eigvalsh(x, "U"), rtol=rt)
    add(L + "eigh", [M(ints(sym((2,), 3, "float64") * 4, "int32"))], np_eigh_id(False), multi=True,
        rtol=RT["float64"], post="LINALG.eigh")
    add(L + "eigh", [M(rect((), 2, 3, "float64"))], np.linalg.eigh, multi=True)
    add(L + "eigh", [M(sym((), 3, "float64")), "X"], np.linalg.eigh, multi=True)
    add(L + "eigvalsh", [M(np.zeros((2, 0, 0)))], np.linalg.eigvalsh)
    add(L + "eigh", [M(np.zeros((0, 0)))], lambda x: tuple(np.linalg.eigh(x)), multi=True)
    # }=====

    # {===== lstsq, pinv, matrix_rank
    def np_lstsq(a, b, *rest):
        rc = None
        if rest:
            rc = rest[0]["rcond"] if isinstance(rest[0], dict) else rest[0]
        x, r, k, s = np.linalg.lstsq(a, b, rcond=rc)
        return x, r, k, s

    for dt in FLOATS:
        rt = RT[dt]
        for m, n in ((6, 3), (3, 3), (3, 6), (5, 1), (1, 4)):
            a = rect((), m, n, dt)
            for lay in ("c", "T", "step"):
                add(L + "lstsq", [M(a, lay), M(rect((), m, 1, dt)[:, 0])], np_lstsq, multi=True, rtol=rt)
                add(L + "lstsq", [M(a, lay), M(rect((), m, 2, dt))], np_lstsq, multi=True, rtol=rt)
        a = lowrank((), 6, 4, 2, dt)
        b = rect((), 6, 2, dt)
        add(L + "lstsq", [M(a), M(b), 1e-8], np_lstsq, multi=True, rtol=rt)
        add(L + "lstsq", [M(a), M(b), 0.5], np_lstsq, multi=True, rtol=rt)
        add(L + "lstsq", [M(a), M(b), {"rcond": 1e-3}], np_lstsq, multi=True, rtol=rt)
    add(L + "lstsq", [M(ints(rect((), 5, 3, "float64"), "int32")), M(rect((), 5, 1, "float32")[:, 0])],
        np_lstsq, multi=True, rtol=RT["float64"])
    add(L + "lstsq", [M(rect((), 5, 3, "float64")), M(rect((), 4, 1, "float64")[:, 0])], np_lstsq, multi=True)
    add(L + "lstsq", [M(rect((2,), 5, 3, "float64")), M(rect((), 5, 1, "float64")[:, 0])], np_lstsq, multi=True)

    def np_pinv(a, *rest):
        rc, herm = 1e-15, False
        for r in rest:
            if isinstance(r, dict):
                rc = r.get("rtol", r.get("rcond", rc))
                herm = r.get("hermitian", herm)
            elif isinstance(r, bool):
                herm = r
            elif r is not None:
                rc = r
        return np.linalg.pinv(a, rcond=rc, hermitian=herm)

    def np_rank(a, *rest):
        tol, herm, rtol = None, False, None
        pos = []
        for r in rest:
            if isinstance(r, dict):
                tol = r.get("tol", tol)
                herm = r.get("hermitian", herm)
                rtol = r.get("rtol", rtol)
            else:
                pos.append(r)
        if pos:
            tol = pos[0]
        if len(pos) > 1:
            herm = pos[1]
        a = arr(a)
        if a.ndim < 2:
            return arr(np.linalg.matrix_rank(a), dtype=np.int64)
        if rtol is not None and tol is None:
            s = np.linalg.svd(a, compute_uv=False)
            return arr(np.count_nonzero(s > s.max(axis=-1, keepdims=True) * rtol, axis=-1), dtype=np.int64)
        return arr(np.linalg.matrix_rank(a, tol, herm), dtype=np.int64)

    for dt in FLOATS:
        rt = RT[dt]
        for batch in ((), (3,)):
            for m, n, r in ((4, 4, 4), (5, 3, 3), (3, 5, 3), (6, 4, 2), (4, 6, 1), (4, 4, 3)):
                # the default cut-offs of a rank-deficient float64 matrix sit
                # among its rounding-level singular values: give one
                low = r < min(m, n)
                a = lowrank(batch, m, n, r, dt) if low else rect(batch, m, n, dt)
                for lay in ("c", "T", "step"):
                    add(L + "pinv", [M(a, lay)] + ([1e-8] if low else []), np_pinv, rtol=rt)
                    add(L + "matrix_rank", [M(a, lay)] + ([1e-6] if low and dt == "float64" else []),
                        np_rank)
                add(L + "pinv", [M(a), 1e-2], np_pinv, rtol=rt)
                add(L + "pinv", [M(a), {"rtol": 0.3}], np_pinv, rtol=rt)
                add(L + "matrix_rank", [M(a), 0.5], np_rank)
                add(L + "matrix_rank", [M(a), {"rtol": 0.2}], np_rank)
        s = sym((2,), 4, dt)
        add(L + "pinv", [M(s), None, True], np_pinv, rtol=rt)
        add(L + "matrix_rank", [M(s), None, True], np_rank)
    for v in ([0.0, 0.0, 0.0], [0.0, 2.0, 0.0], [np.nan, 0.0]):
        add(L + "matrix_rank", [M(arr(v))], np_rank)
    add(L + "matrix_rank", [M(ints(lowrank((), 4, 4, 2, "float64"), "int32"))], np_rank)
    add(L + "pinv", [M(ints(rect((), 3, 4, "float64"), "int64"))], np_pinv, rtol=RT["float64"])
    add(L + "pinv", [M(np.zeros((3, 0)))], np_pinv)
    add(L + "pinv", [M(nanm)], np_pinv)
    # }=====

    # {===== norms
    vec_ords = [None, 1, 2, 3, 0.5, -1, 0, np.inf, -np.inf]
    mat_ords = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]

    def np_norm(x, *rest):
        return arr(np.linalg.norm(x, *rest))

    def np_norm_kw(x, kw):
        kw = dict(kw)
        if isinstance(kw.get("axis"), list):
            kw["axis"] = tuple(a - 1 if a > 0 else a for a in kw["axis"])
        elif isinstance(kw.get("axis"), int):
            a = kw["axis"]
            kw["axis"] = a - 1 if a > 0 else a
        return arr(np.linalg.norm(x, **kw))

    for dt in FLOATS + ("int32", "bool"):
        rt = RT.get(dt, 1e-9)
        base = grid((4, 5))
        x = base.astype(dt) if dt in FLOATS else ints(base * 2, dt)
        v = x[1]
        for o in vec_ords:
            for lay in ("c", "step"):
                add(L + "norm", [M(v, lay), o], np_norm, rtol=rt)
        for o in mat_ords:
            for lay in ("c", "T", "step"):
                add(L + "norm", [M(x, lay), o], np_norm, rtol=rt)
        add(L + "norm", [M(x)], np_norm, rtol=rt)
        add(L + "norm", [M(x), {"keepdims": True}], np_norm_kw, rtol=rt)
        x3 = (grid((2, 3, 4)).astype(dt) if dt in FLOATS else ints(grid((2, 3, 4)) * 2, dt))
        add(L + "norm", [M(x3)], np_norm, rtol=rt)
        add(L + "norm", [M(x3), 2], np_norm, rtol=rt)
        for o in vec_ords:
            for ax in (1, 2, -1):
                add(L + "norm", [M(x3, "T"), {"ord": o, "axis": ax}], np_norm_kw, rtol=rt)
            add(L + "norm", [M(x3), {"ord": o, "axis": 3, "keepdims": True}], np_norm_kw, rtol=rt)
        for o in mat_ords:
            for axes in ([1, 2], [3, 1], [-1, -2]):
                add(L + "norm", [M(x3, "step"), {"ord": o, "axis": axes}], np_norm_kw, rtol=rt)
            add(L + "norm", [M(x3), {"ord": o, "axis": [1, 3], "keepdims": True}], np_norm_kw, rtol=rt)
    # errors
    x = grid((3, 4))
    add(L + "norm", [M(x[0]), "fro"], np_norm)
    add(L + "norm", [M(x[0]), "nuc"], np_norm)
    add(L + "norm", [M(x), 3], np_norm)
    add(L + "norm", [M(grid((2, 3, 4))), 1], np_norm)
    add(L + "norm", [M(x), {"axis": [1, 1]}], np_norm_kw)
    add(L + "norm", [M(x), {"axis": 3}], np_norm_kw)
    add(L + "norm", [M(np.zeros((0, 3))), {"ord": np.inf, "axis": 1}], np_norm_kw)
    add(L + "norm", [M(np.zeros((0,)))], np_norm)

    for dt in FLOATS + ("int64",):
        rt = RT.get(dt, 1e-9)
        x3 = grid((2, 3, 4)).astype(dt) if dt in FLOATS else ints(grid((2, 3, 4)) * 2, dt)
        for o in (2, 1, 0, np.inf, -np.inf, 3.5, -2):
            add(L + "vector_norm", [M(x3), {"ord": o}], lambda x, k: np_vector_norm(x, ord=k["ord"]), rtol=rt)
            add(L + "vector_norm", [M(x3, "T"), {"ord": o, "axis": 2}],
                lambda x, k: np_vector_norm(x, axis=1, ord=k["ord"]), rtol=rt)
            add(L + "vector_norm", [M(x3, "step"), {"ord": o, "axis": [1, 3], "keepdims": True}],
                lambda x, k: np_vector_norm(x, axis=(0, 2), keepdims=True, ord=k["ord"]), rtol=rt)
        add(L + "vector_norm", [M(x3), {"keepdims": True}], lambda x, k: np_vector_norm(x, keepdims=True), rtol=rt)
        add(L + "vector_norm", [M(x3), {"axis": [-1, 1, 2]}], lambda x, k: np_vector_norm(x, axis=(-1, 0, 1)), rtol=rt)
        for o in mat_ords[1:]:
            add(L + "matrix_norm", [M(x3, "T"), {"ord": o}],
                lambda x, k: arr(np.linalg.norm(x, k["ord"], axis=(-2, -1))), rtol=rt)
        add(L + "matrix_norm", [M(x3)], lambda x: arr(np.linalg.norm(x, "fro", axis=(-2, -1))), rtol=rt)
        add(L + "matrix_norm", [M(x3), {"keepdims": True, "ord": "nuc"}],
            lambda x, k: arr(np.linalg.norm(x, "nuc", axis=(-2, -1), keepdims=True)), rtol=rt)
    # }=====

    # {===== cond
    def np_cond(x, *rest):
        return arr(np.linalg.cond(x, *rest))

    for dt in FLOATS:
        rt = RT[dt] * 10
        for batch in ((), (3,)):
            a = general(batch, 4, dt)
            for p in (None, 2, -2, 1, -1, np.inf, -np.inf, "fro", "nuc"):
                add(L + "cond", [M(a), p], np_cond, rtol=rt)
            add(L + "cond", [M(a, "T")], np_cond, rtol=rt)
        add(L + "cond", [M(rect((2,), 3, 5, dt))], np_cond, rtol=rt)
        # exactly singular: the smallest singular value or an LU pivot is 0
        sing = arr([[[1.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]]).astype(dt)
        for p in (None, 2, -2):
            add(L + "cond", [M(sing), p], np_cond)
        sing[0] = [[1.0, 2.0], [2.0, 4.0]]
        for p in (1, np.inf, "fro"):
            add(L + "cond", [M(sing), p], np_cond)
    add(L + "cond", [M(ints(general((), 3, "float64"), "int32")), 1], np_cond, rtol=1e-9)
    add(L + "cond", [M(np.zeros((0, 0)))], np_cond)
    add(L + "cond", [M(rect((), 2, 3, "float64")), 1], np_cond)
    # }=====

    # {===== matrix_power, multi_dot, tensorsolve, tensorinv
    for dt in FLOATS + ("int64", "int32", "bool"):
        rt = RT.get(dt, 0.0)
        if dt in FLOATS:
            a = (grid((3, 3), 4) / 2).astype(dt)
            ab = (grid((2, 3, 3), 4) / 2).astype(dt)
        else:
            a = ints(grid((3, 3), 1) / 2, dt)
            ab = ints(grid((2, 3, 3), 1) / 2, dt)
        for n in (0, 1, 2, 3, 5, 6, 13):
            add(L + "matrix_power", [M(a), n], np.linalg.matrix_power, rtol=rt)
            add(L + "matrix_power", [M(ab, "T"), {"n": n}], lambda x, k: np.linalg.matrix_power(x, k["n"]), rtol=rt)
    for dt in FLOATS:
        g = general((2,), 3, dt)
        for n in (-1, -2, -5):
            add(L + "matrix_power", [M(g), n], np.linalg.matrix_power, rtol=RT[dt] * 10)
    add(L + "matrix_power", [M(arr([[1.0, 2.0], [2.0, 4.0]])), -1], np.linalg.matrix_power)
    add(L + "matrix_power", [M(rect((), 2, 3, "float64")), 2], np.linalg.matrix_power)
    add(L + "matrix_power", [M(grid((3,))), 2], np.linalg.matrix_power)

    shapes_md = [[(2, 3), (3, 4)], [(5,), (5, 3), (3, 2)], [(10, 30), (30, 5), (5, 60)],
                 [(2, 8), (8, 3), (3, 9), (9, 2)], [(4,), (4, 6), (6, 3), (3,)],
                 [(3, 2), (2, 7), (7, 4), (4, 5), (5, 2)], [(6,), (6,)], [(3, 3), (3, 3), (3,)]]
    for dt in FLOATS + ("int64",):
        rt = RT.get(dt, 0.0)
        for shapes in shapes_md:
            ops = [M(grid(s).astype(dt) if dt in FLOATS else ints(grid(s) * 2, dt), "T" if len(s) == 2 and i % 2 else "c")
                   for i, s in enumerate(shapes)]
            add(L + "multi_dot", [ops], lambda xs: arr(np.linalg.multi_dot(xs)), rtol=rt)
    add(L + "multi_dot", [[M(grid((2, 3)))]], lambda xs: arr(np.linalg.multi_dot(xs)))
    add(L + "multi_dot", [[M(grid((2, 3))), M(grid((4, 2))), M(grid((2, 2)))]], lambda xs: arr(np.linalg.multi_dot(xs)))
    add(L + "multi_dot", [[M(grid((2, 3))), M(grid((2, 3, 3))), M(grid((3, 2)))]], lambda xs: arr(np.linalg.multi_dot(xs)))
    add(L + "multi_dot", [[M(grid((2, 3)).astype("float32")), M(grid((3, 4))), M(ints(grid((4, 2)), "int32"))]],
        lambda xs: arr(np.linalg.multi_dot(xs)), rtol=1e-6)

    for dt in FLOATS:
        rt = RT[dt] * 10
        a6 = general((), 6, "float64").reshape(2, 3, 6).astype(dt)
        add(L + "tensorsolve", [M(a6), M(rect((), 2, 3, dt))], np.linalg.tensorsolve, rtol=rt)
        a4 = general((), 6, "float64").reshape(2, 3, 2, 3).astype(dt)
        add(L + "tensorsolve", [M(a4), M(rect((), 2, 3, dt))], np.linalg.tensorsolve, rtol=rt)
        a4b = np.ascontiguousarray(np.transpose(a4, (0, 2, 1, 3)))
        add(L + "tensorsolve", [M(a4b), M(rect((), 2, 3, dt)), [2, 4]],
            lambda a, b, ax: np.linalg.tensorsolve(a, b, tuple(x - 1 for x in ax)), rtol=rt)
        add(L + "tensorsolve", [M(a4b, "T"), M(rect((), 2, 3, dt)), {"axes": [4, 2]}],
            lambda a, b, k: np.linalg.tensorsolve(a, b, (3, 1)), rtol=rt)
        i4 = general((), 6, "float64").reshape(6, 2, 3).astype(dt)
        add(L + "tensorinv", [M(i4), 1], np.linalg.tensorinv, rtol=rt)
        i4 = general((), 6, "float64").reshape(3, 2, 3, 2).astype(dt)
        add(L + "tensorinv", [M(i4)], np.linalg.tensorinv, rtol=rt)
        add(L + "tensorinv", [M(i4, "T"), {"ind": 2}], lambda x, k: np.linalg.tensorinv(x, 2), rtol=rt)
    add(L + "tensorsolve", [M(rect((), 2, 8, "float64")), M(rect((), 4, 1, "float64")[:, 0])], np.linalg.tensorsolve)
    add(L + "tensorinv", [M(rect((), 2, 3, "float64")), 1], np.linalg.tensorinv)
    add(L + "tensorinv", [M(rect((), 2, 2, "float64")), 0], np.linalg.tensorinv)
    # }=====

    # {===== the array-API names
    for dt in ("float32", "float64", "int32", "int64", "bool"):
        rt = RT.get(dt, 0.0)
        x = grid((2, 3, 4)).astype(dt) if dt in FLOATS else ints(grid((2, 3, 4)) * 2, dt)
        y = grid((3, 4)).astype(dt) if dt in FLOATS else ints(grid((3, 4)) * 2, dt)
        add(L + "matrix_transpose", [M(x, "step")], lambda a: np.swapaxes(a, -1, -2))
        add(L + "matmul", [M(x, "T"), M(np.swapaxes(y, 0, 1))], np.matmul, rtol=rt)
        add(L + "outer", [M(x[0, 0], "step"), M(y[1])], np.outer)
        add(L + "vecdot", [M(x), M(y, "T" if False else "c")], lambda a, b: np.einsum("...i,...i->...", a, b), rtol=rt)
        y2 = grid((2, 4)).astype(dt) if dt in FLOATS else ints(grid((2, 4)) * 2, dt)
        add(L + "vecdot", [M(x, "T"), M(y2), {"axis": 1}],
            lambda a, b, k: np.einsum("i...,i...->...", a, b), rtol=rt)
        v3 = grid((4, 3)).astype(dt) if dt in FLOATS else ints(grid((4, 3)) * 2, dt)
        w3 = grid((3,)).astype(dt) if dt in FLOATS else ints(grid((3,)) * 2, dt)
        add(L + "cross", [M(v3), M(w3)], np.cross, rtol=rt)
        add(L + "cross", [M(v3.T.copy()), M(v3[::-1].T.copy(), "T"), {"axis": 1}],
            lambda a, b, k: np.cross(a, b, axis=0), rtol=rt)
    # NumPy 2's linalg.diagonal and linalg.trace: the last two axes (1.24's
    # diagonal and trace with axis1=-2, axis2=-1)
    for dt in ("float32", "float64", "int32", "int64", "bool"):
        x = grid((2, 3, 4)).astype(dt) if dt in FLOATS else ints(grid((2, 3, 4)) * 2, dt)
        for lay in ("c", "T", "step"):
            add(L + "diagonal", [M(x, lay)], lambda a: np.diagonal(a, 0, -2, -1))
            add(L + "trace", [M(x, lay)], lambda a: np.trace(a, 0, -2, -1), rtol=RT.get(dt, 0.0))
        for off in (1, -1, 3, -3, 5):
            add(L + "diagonal", [M(x), {"offset": off}], lambda a, k, off=off: np.diagonal(a, off, -2, -1))
            add(L + "trace", [M(x, "T"), {"offset": off}], lambda a, k, off=off: np.trace(a, off, -2, -1),
                rtol=RT.get(dt, 0.0))
        add(L + "trace", [M(x), {"dtype": "float64"}], lambda a, k: np.trace(a, 0, -2, -1, np.float64))
    add(L + "diagonal", [M(grid((4, 4)))], lambda a: np.diagonal(a, 0, -2, -1))
    add(L + "diagonal", [M(grid((4,)))], fails("Array must be at least two-dimensional"))
    add(L + "trace", [M(grid((4,)))], fails("Array must be at least two-dimensional"))
    add(L + "matrix_transpose", [M(grid((3,)))], lambda a: np.swapaxes(a, -1, -2))
    add(L + "outer", [M(grid((2, 2))), M(grid((3,)))], fails("one-dimensional"))
    add(L + "cross", [M(grid((2,))), M(grid((2,)))], fails("3-dimensional vectors"))
    add(L + "vecdot", [M(grid((3,))), M(grid((4,)))], lambda a, b: np.einsum("...i,...i->...", a, b))
    # axes out of range
    x3 = grid((2, 3, 4))
    add(L + "vector_norm", [M(x3), {"axis": 4}], lambda x, k: np_vector_norm(x, axis=3))
    add(L + "vector_norm", [M(x3), {"axis": [1, 1]}], fails("repeated axis"))
    add(L + "norm", [M(x3), {"axis": -4}], np_norm_kw)
    add(L + "cross", [M(grid((3, 3))), M(grid((3, 3))), {"axis": 3}], fails("axis out of bounds"))
    add(L + "vecdot", [M(grid((2, 3))), M(grid((2, 3))), {"axis": -3}], fails("axis out of bounds"))
    add(L + "tensorsolve", [M(general((), 6, "float64").reshape(2, 3, 6)), M(rect((), 2, 3, "float64")), [5]],
        fails("axis out of bounds"))
    # }=====

    # {===== complex64, complex128
    CX = {"complex64": 2e-4, "complex128": 1e-9}
    for dt in CX:
        rt = CX[dt]
        for batch in ((), (3,)):
            for n in (1, 3, 6):
                a = cplx(general(batch, n, "float64"), dt)
                for lay in ("c", "T", "step"):
                    add(L + "solve", [M(a, lay), M(cplx(rect(batch, n, 2, "float64"), dt))], np_solve, rtol=rt)
                    add(L + "inv", [M(a, lay)], np.linalg.inv, rtol=rt)
                    add(L + "det", [M(a, lay)], lambda x: arr(np.linalg.det(x)), rtol=rt)
                    add(L + "slogdet", [M(a, lay)], lambda x: tuple(arr(v) for v in np.linalg.slogdet(x)),
                        multi=True, rtol=rt)
                # Hermitian positive definite: B B^H + n I
                b = cplx(rect(batch, n, n, "float64"), "complex128")
                h = (b @ np.conj(np.swapaxes(b, -1, -2)) + n * np.eye(n)).astype(dt)
                add(L + "cholesky", [M(h)], np_cholesky, rtol=rt)
                add(L + "cholesky", [M(h, "T"), {"upper": True}], lambda x, k: np.conj(np_cholesky(np.conj(x), True)),
                    rtol=rt)
                add(L + "eigh", [M(h)], np_eigh_id(False), multi=True, rtol=rt, post="LINALG.eigh")
                add(L + "eigh", [M(a), "U"], np_eigh_id(True), multi=True, rtol=rt, post="LINALG.eigh")
                add(L + "eigvalsh", [M(a, "step")], np.linalg.eigvalsh, rtol=rt)
            for m, n in ((4, 4), (5, 3), (3, 5)):
                a = cplx(rect(batch, m, n, "float64"), dt)
                for lay in ("c", "T"):
                    add(L + "qr", [M(a, lay)], np_qr_id("reduced"), multi=True, rtol=rt, post="LINALG.qr")
                    add(L + "qr", [M(a, lay), "complete"], np_qr_id("complete"), multi=True, rtol=rt,
                        post="LINALG.qr")
                    add(L + "svd", [M(a, lay)], np_svd_id, multi=True, rtol=rt, post="LINALG.svd")
                    add(L + "svd", [M(a, lay), False], np_svd_id, multi=True, rtol=rt, post="LINALG.svd")
                    add(L + "svdvals", [M(a, lay)], lambda x: np.linalg.svd(x, compute_uv=False), rtol=rt)
                    add(L + "pinv", [M(a, lay)], np_pinv, rtol=rt)
                    add(L + "matrix_rank", [M(a, lay)], np_rank)
                add(L + "qr", [M(a), "r"], np_qr_id("r"), rtol=rt, post="LINALG.r")
        # eig: identities; real matrices with real and with complex eigenvalues
        def np_eig_id(a):
            w, v = np.linalg.eig(a)
            return (a.astype(v.dtype) @ v - v * w[..., None, :], arr(w.sum(-1)), arr(w.prod(-1)))
        rdt = "float32" if dt == "complex64" else "float64"
        for batch in ((), (2,)):
            for n in (1, 3, 5):
                a = cplx(rect(batch, n, n, "float64"), dt)
                add(L + "eig", [M(a)], np_eig_id, multi=True, rtol=rt * 10, post="LINALG.eig")
                add(L + "eig", [M(rect(batch, n, n, rdt), "T")], np_eig_id, multi=True, rtol=rt * 10,
                    post="LINALG.eig")
                s_ = sym(batch, n, rdt)
                add(L + "eig", [M(s_)], np_eig_id, multi=True, rtol=rt * 10, post="LINALG.eig")
                tri = np.triu(rect(batch, n, n, "float64")).astype(dt)
                add(L + "eigvals", [M(tri)], np.linalg.eigvals, rtol=rt)
                tri = np.triu(rect(batch, n, n, rdt))
                add(L + "eigvals", [M(tri, "step")], np.linalg.eigvals, rtol=rt)
        rot = arr([[0.0, -1.0], [1.0, 0.0]]).astype(rdt)
        add(L + "eig", [M(rot)], np_eig_id, multi=True, rtol=rt * 10, post="LINALG.eig")
        # norms, cond, lstsq, products
        x = cplx(grid((3, 4)), dt)
        for o in vec_ords:
            add(L + "norm", [M(x[1]), o], np_norm, rtol=rt)
        for o in mat_ords:
            add(L + "norm", [M(x, "T"), o], np_norm, rtol=rt)
        add(L + "norm", [M(x), {"ord": 1, "axis": 1, "keepdims": True}], np_norm_kw, rtol=rt)
        add(L + "vector_norm", [M(x), {"ord": 3}], lambda v, k: np_vector_norm(v, ord=3), rtol=rt)
        g = cplx(general((2,), 3, "float64"), dt)
        for p in (None, 1, "fro", -2):
            add(L + "cond", [M(g), p], np_cond, rtol=rt * 10)
        add(L + "lstsq", [M(cplx(rect((), 6, 3, "float64"), dt)), M(cplx(rect((), 6, 2, "float64"), dt))],
            np_lstsq, multi=True, rtol=rt)
        add(L + "matrix_power", [M(cplx(grid((3, 3), 4) / 2, dt)), 5], np.linalg.matrix_power, rtol=rt)
        add(L + "matrix_power", [M(g), -2], np.linalg.matrix_power, rtol=rt * 10)
        add(L + "multi_dot", [[M(cplx(grid((2, 3)), dt)), M(cplx(grid((3, 4)), dt)), M(cplx(grid((4,)), dt))]],
            lambda xs: arr(np.linalg.multi_dot(xs)), rtol=rt)
        add(L + "vecdot", [M(cplx(grid((2, 3)), dt)), M(cplx(grid((3,)), dt))],
            lambda p_, q_: np.einsum("...i,...i->...", np.conj(p_), q_), rtol=rt)
        add(L + "outer", [M(cplx(grid((2,)), dt)), M(cplx(grid((3,)), dt))], np.outer, rtol=rt)
        add(L + "cross", [M(cplx(grid((2, 3)), dt)), M(cplx(grid((3,)), dt))], np.cross, rtol=rt)
        add(L + "tensorinv", [M(cplx(general((), 6, "float64").reshape(6, 2, 3), dt)), 1], np.linalg.tensorinv,
            rtol=rt * 10)
    # complex: broadcast stacks, reversed and strided views, hermitian
    # flags, the composed functions' axes, and the errors
    for dt in CX:
        rt = CX[dt]
        for ab, bb in (((2, 1), (1, 3)), ((3,), ()), ((), (2,))):
            a = cplx(general(ab, 4, "float64"), dt)
            for lay in ("c", "T", "rev"):
                if lay == "rev" and not ab:
                    continue
                add(L + "solve", [M(a, lay), M(cplx(rect(bb, 4, 2, "float64"), dt), "T" if lay == "T" else "c")],
                    np_solve, rtol=rt)
        a = cplx(general((2, 2), 3, "float64"), dt)
        for lay in ("rev", "step"):
            add(L + "inv", [M(a, lay)], np.linalg.inv, rtol=rt)
            add(L + "det", [M(a, lay)], lambda x: arr(np.linalg.det(x)), rtol=rt)
            add(L + "eigvals", [M(np.triu(a).astype(dt), lay)], np.linalg.eigvals, rtol=rt)
        for lay in ("T", "step", "rev"):
            ae = cplx(rect((3,), 4, 4, "float64"), dt)
            add(L + "eig", [M(ae, lay)], np_eig_id, multi=True, rtol=rt * 10, post="LINALG.eig")
            q = cplx(rect((2,), 5, 3, "float64"), dt)
            add(L + "svd", [M(q, lay)], np_svd_id, multi=True, rtol=rt, post="LINALG.svd")
            add(L + "qr", [M(q, lay)], np_qr_id("reduced"), multi=True, rtol=rt, post="LINALG.qr")
        b = cplx(rect((2,), 4, 4, "float64"), "complex128")
        h = (b @ np.conj(np.swapaxes(b, -1, -2)) + 4 * np.eye(4)).astype(dt)
        add(L + "eigh", [M(h, "T"), {"UPLO": "U"}], np_eigh_id(True), multi=True, rtol=rt, post="LINALG.eigh")
        add(L + "eigvalsh", [M(h, "rev")], np.linalg.eigvalsh, rtol=rt)
        add(L + "cholesky", [M(h, "step")], np_cholesky, rtol=rt)
        add(L + "pinv", [M(h), {"hermitian": True}], np_pinv, rtol=rt * 10)
        add(L + "matrix_rank", [M(h), {"hermitian": True}], np_rank)
        add(L + "svd", [M(h), {"hermitian": True}], np_svd_id, multi=True, rtol=rt, post="LINALG.svd")
        lr = (cplx(rect((), 5, 2, "float64"), "complex128") @ cplx(rect((), 2, 4, "float64"), "complex128")).astype(dt)
        add(L + "matrix_rank", [M(lr)], np_rank)
        add(L + "pinv", [M(lr, "T")], np_pinv, rtol=rt * 10)
        add(L + "lstsq", [M(cplx(rect((), 3, 5, "float64"), dt)), M(cplx(rect((), 3, 1, "float64")[:, 0], dt))],
            np_lstsq, multi=True, rtol=rt)
        add(L + "lstsq", [M(cplx(rect((), 6, 3, "float64"), dt), "T"), M(rect((), 3, 2, rdt_of(dt)))],
            np_lstsq, multi=True, rtol=rt)
        x3 = cplx(grid((2, 3, 4)), dt)
        for o in (2, 1, 0, np.inf, -np.inf, 3.5):
            add(L + "vector_norm", [M(x3, "T"), {"ord": o, "axis": 2}],
                lambda x, k: np_vector_norm(x, axis=1, ord=k["ord"]), rtol=rt)
        for o in mat_ords[1:]:
            add(L + "matrix_norm", [M(x3, "step"), {"ord": o}],
                lambda x, k: arr(np.linalg.norm(x, k["ord"], axis=(-2, -1))), rtol=rt)
        add(L + "norm", [M(x3), {"ord": "fro", "axis": [1, 3], "keepdims": True}], np_norm_kw, rtol=rt)
        a6 = cplx(general((), 6, "float64"), dt).reshape(2, 3, 6)
        add(L + "tensorsolve", [M(a6), M(cplx(rect((), 2, 3, "float64"), dt))], np.linalg.tensorsolve,
            rtol=rt * 10)
        add(L + "matrix_power", [M(cplx(grid((2, 3, 3), 4) / 2, dt), "T"), 3], np.linalg.matrix_power, rtol=rt)
        # singular and other refusals
        sing = arr([[1 + 1j, 2 + 2j], [1, 2]]).astype(dt)
        add(L + "solve", [M(sing), M(arr([1, 2]).astype(dt))], np_solve)
        add(L + "inv", [M(np.stack([np.eye(2, dtype=dt), sing]))], np.linalg.inv)
        add(L + "det", [M(sing)], lambda x: arr(np.linalg.det(x)), rtol=rt)
        add(L + "slogdet", [M(np.stack([sing, np.eye(2, dtype=dt) * 1j]))],
            lambda x: tuple(arr(v) for v in np.linalg.slogdet(x)), multi=True, rtol=rt)
        add(L + "cholesky", [M(arr([[1, 2j], [-2j, 1]]).astype(dt))], np_cholesky)
        add(L + "matrix_power", [M(sing), -1], np.linalg.matrix_power)
        nonsq = cplx(rect((), 2, 3, "float64"), dt)
        for f in ("inv", "det", "slogdet", "eig", "eigvals", "eigh", "eigvalsh", "cholesky"):
            add(L + f, [M(nonsq)], getattr(np.linalg, f), multi=f in ("slogdet", "eig", "eigh"))
        add(L + "eig", [M(cplx(rect((), 1, 3, "float64"), dt)[0])], np.linalg.eig, multi=True)
        nanm = cplx(general((), 3, "float64"), dt)
        nanm[0, 1] = np.nan
        add(L + "eigvals", [M(nanm)], np.linalg.eigvals)
        add(L + "eig", [M(np.stack([np.eye(3, dtype=dt), nanm]))], np.linalg.eig, multi=True)
        add(L + "svd", [M(nanm)], np.linalg.svd, multi=True)
        add(L + "qr", [M(nonsq), "nonsense"], fails("unrecognized mode"), multi=True)
    # eig of integer and bool input computes in float64
    add(L + "eigvals", [M(np.triu(ints(rect((), 4, 4, "float64"), "int32")))], np.linalg.eigvals, rtol=1e-9)
    add(L + "eig", [M(ints(rect((2,), 3, 3, "float64"), "int64"))], np_eig_id, multi=True, rtol=1e-8,
        post="LINALG.eig")
    add(L + "eigvals", [M(np.zeros((0, 0)))], np.linalg.eigvals)
    add(L + "eigvals", [M(np.zeros((2, 0, 0)))], np.linalg.eigvals)
    # the dtypes linalg refuses, as NumPy does
    for dt in ("float16",):
        h16 = np.eye(2, dtype=dt) * 2
        for f in ("inv", "det", "slogdet", "cholesky", "eigvals", "eigvalsh", "pinv", "matrix_rank", "cond",
                  "svd", "eig", "eigh", "qr"):
            add(L + f, [M(h16)], getattr(np.linalg, f), multi=f in ("slogdet", "svd", "eig", "eigh", "qr"))
        add(L + "solve", [M(h16), M(np.ones(2, dtype=dt))], np.linalg.solve)
        add(L + "lstsq", [M(h16), M(np.ones(2, dtype=dt))], np_lstsq, multi=True)
        add(L + "matrix_power", [M(h16), -1], np.linalg.matrix_power)
        add(L + "tensorinv", [M(np.eye(4, dtype=dt).reshape(4, 2, 2)), 1], np.linalg.tensorinv)
    # }=====
    return out
