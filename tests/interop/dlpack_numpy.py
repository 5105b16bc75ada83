#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""DLPack between lunar and a second library in one process.

    python3 tests/interop/dlpack_numpy.py [path/to/lunar_dlpack_shim.so]

(or the path in LUNAR_DLPACK_SHIM). The shim (tests/interop/dlpack_shim.c,
built into build/tests/) holds lunar and a Lua state; this script reaches
it through ctypes only, and wraps and unwraps the DLPack capsules itself
with the CPython capsule API (ctypes.pythonapi), so no compiled Python
extension is involved.

lunar -> NumPy: arrays of every dtype both have (C order, transposed, a
strided slice with an offset, reversed rows, 0-d, empty) go to
numpy.from_dlpack; values, shapes and strides against NumPy's own, the
memory shared both ways, the deleter run exactly once, when NumPy lets go,
also after the Lua value is collected or the state closed.
NumPy -> lunar: arr.__dlpack__() capsules taken by lunar_fromdlpack
(renamed "used_dltensor", the consumer's part of the protocol); values,
sharing, NumPy's deleter run exactly once when lunar collects the array
and its views (reference counts and a weak reference to the NumPy array).
Errors: a tensor lunar has no dtype or device for is refused with a message
naming lunar_fromdlpack, stays the caller's (no deleter call), and the
state keeps working.
CUDA (only when lunar was built with CUDA, a GPU is there, and PyTorch or
CuPy imports): the same round trips with torch.cuda tensors and CuPy
arrays, DLPack device (2, 0).

Expected values are NumPy's (the same expression on np.arange) or written
by hand. Ends with "interop: N passed, N failed[, N skipped]"; exits 77
when NumPy (with from_dlpack) is missing, 1 on any failure.
"""
import ctypes
import gc
import os
import sys
import weakref

passed = failed = skipped = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what, flush=True)
    return cond


def skip(what):
    global skipped
    skipped += 1
    print("skip", what, flush=True)


# {===== DLPack 0.6 structures (Debian's dlpack/dlpack.h, what lunar builds with)
class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int), ("device_id", ctypes.c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", DLDevice), ("ndim", ctypes.c_int32),
                ("dtype", DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


class DLManagedTensor(ctypes.Structure):
    pass


DLDeleter = ctypes.CFUNCTYPE(None, ctypes.POINTER(DLManagedTensor))
DLManagedTensor._fields_ = [("dl_tensor", DLTensor), ("manager_ctx", ctypes.c_void_p),
                            ("deleter", DLDeleter)]
KDLCPU, KDLCUDA = 1, 2
# }=====

# {===== the capsule protocol through ctypes.pythonapi
# A capsule keeps the pointer to its name, not a copy: these bytes live as
# long as the module.
NAME = b"dltensor"
USED = b"used_dltensor"
api = ctypes.pythonapi
CapsuleDestructor = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
api.PyCapsule_New.restype = ctypes.py_object
api.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, CapsuleDestructor]
api.PyCapsule_GetPointer.restype = ctypes.c_void_p
api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
api.PyCapsule_SetName.restype = ctypes.c_int
api.PyCapsule_SetName.argtypes = [ctypes.py_object, ctypes.c_char_p]
api.PyCapsule_IsValid.restype = ctypes.c_int
api.PyCapsule_IsValid.argtypes = [ctypes.py_object, ctypes.c_char_p]
shim = None                 # the loaded shim (ctypes.PyDLL)
capsule_destructor = None   # the shim's shim_capsule_destructor


class Exported:
    """A lunar tensor offered to a consumer: __dlpack__ hands out one capsule."""

    def __init__(self, ptr):
        self.ptr = ptr
        t = ctypes.cast(ptr, ctypes.POINTER(DLManagedTensor)).contents.dl_tensor
        self.device = (t.device.device_type, t.device.device_id)

    def __dlpack__(self, stream=None, **kwargs):
        # lunar finished its GPU work on the array before exporting it
        # (DLPack 0.6 has no stream handshake), so any consumer stream is safe
        if self.ptr is None:
            raise BufferError("this tensor was handed out already")
        ptr, self.ptr = self.ptr, None
        return api.PyCapsule_New(ptr, NAME, capsule_destructor)

    def __dlpack_device__(self):
        return self.device

    def __del__(self):
        # never handed out: the tensor is still ours to delete
        if self.ptr is not None and shim is not None:
            shim.shim_delete(self.ptr)
# }=====


class LuaError(Exception):
    pass


class State:
    """A Lua state with lunar, in the shim."""

    def __init__(self):
        err = ctypes.create_string_buffer(4096)
        self.L = shim.shim_open(err, len(err))
        if not self.L:
            raise LuaError(err.value.decode())

    def try_run(self, code):
        out = ctypes.create_string_buffer(1 << 16)
        rc = shim.shim_run(self.L, code.encode(), out, len(out))
        return rc == 0, out.value.decode()

    def run(self, code):
        ok, out = self.try_run(code)
        if not ok:
            raise LuaError(out)
        return out

    def export(self, name):
        """The global `name` as an Exported tensor."""
        err = ctypes.create_string_buffer(4096)
        ptr = ctypes.c_void_p()
        if shim.shim_export(self.L, name.encode(), ctypes.byref(ptr), err, len(err)) != 0:
            raise LuaError(err.value.decode())
        return Exported(ptr.value)

    def import_ptr(self, name, ptr):
        """A DLManagedTensor* as the global `name`; LuaError if refused."""
        err = ctypes.create_string_buffer(4096)
        if shim.shim_import(self.L, name.encode(), ptr, err, len(err)) != 0:
            raise LuaError(err.value.decode())

    def import_capsule(self, name, cap):
        """A producer's capsule as the global `name`, consumed as DLPack says:
        the pointer taken under the name "dltensor", the capsule renamed
        "used_dltensor" once lunar owns the tensor (not when it refused it)."""
        ptr = api.PyCapsule_GetPointer(cap, NAME)
        self.import_ptr(name, ptr)
        api.PyCapsule_SetName(cap, USED)

    def collect(self):
        shim.shim_collect(self.L)

    def pool_used(self):
        return int(self.run("return lunar.memory_pool('cpu'):used_bytes()"))

    def close(self):
        shim.shim_close(self.L)
        self.L = None


def load_shim(path):
    global shim
    # PyDLL keeps the GIL during the calls: a lunar collection may run
    # NumPy's deleter, which (NumPy 1.24) touches reference counts without
    # taking the GIL itself
    lib = ctypes.PyDLL(path)
    cp, sz, vp = ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p
    lib.shim_open.restype = vp
    lib.shim_open.argtypes = [cp, sz]
    lib.shim_close.argtypes = [vp]
    lib.shim_close.restype = None
    lib.shim_run.argtypes = [vp, cp, cp, sz]
    lib.shim_run.restype = ctypes.c_int
    lib.shim_export.argtypes = [vp, cp, ctypes.POINTER(vp), cp, sz]
    lib.shim_export.restype = ctypes.c_int
    lib.shim_import.argtypes = [vp, cp, vp, cp, sz]
    lib.shim_import.restype = ctypes.c_int
    lib.shim_delete.argtypes = [vp]
    lib.shim_delete.restype = None
    # the capsules' destructor is the shim's C function (see there), given
    # the addresses of the two capsule functions it calls
    lib.shim_set_capsule_api.argtypes = [vp, vp]
    lib.shim_set_capsule_api.restype = None
    lib.shim_set_capsule_api(ctypes.cast(api.PyCapsule_IsValid, vp),
                             ctypes.cast(api.PyCapsule_GetPointer, vp))
    lib.shim_collect.argtypes = [vp]
    lib.shim_collect.restype = None
    lib.shim_deleter_calls.restype = ctypes.c_long
    lib.shim_built_with_cuda.restype = ctypes.c_int
    shim = lib
    global capsule_destructor
    capsule_destructor = ctypes.cast(lib.shim_capsule_destructor, CapsuleDestructor)


def deleter_calls():
    return shim.shim_deleter_calls()


# the Lua side's view of an array, as text both sides write alike: the
# elements in C order (real parts, then imaginary parts for complex), each
# with Lua's tostring. Values are integers or halves, which print the same
# in Lua ("%.14g", ".0" added) and in Python (repr).
LUA_PRELUDE = r"""
lunar.set_device('cpu')
function ser(a)
  local parts = {}
  local function add(t) for _, v in ipairs(t) do parts[#parts + 1] = tostring(v) end end
  if a.dtype:match('complex') then
    add(lunar.real(a):flatten():totable()); add(lunar.imag(a):flatten():totable())
  else
    add(a:flatten():totable())
  end
  return table.concat(parts, ',')
end
function shape(a)
  local s = {}
  for i = 1, a.ndim do s[i] = tostring(a.shape[i]) end
  return table.concat(s, ',')
end
"""


def pyser(np, a):
    def one(v):
        if isinstance(v, (bool, np.bool_)):
            return "true" if v else "false"
        if isinstance(v, (np.integer, int)):
            return str(int(v))
        return repr(float(v))
    flat = np.ascontiguousarray(a).reshape(-1)
    if np.iscomplexobj(a):
        return ",".join([one(v) for v in flat.real] + [one(v) for v in flat.imag])
    return ",".join(one(v) for v in flat)


# {===== the lunar arrays of each dtype and their NumPy twins
DTYPES = ["float32", "float64", "float16", "int8", "int16", "int32", "int64",
          "uint8", "uint16", "uint32", "uint64", "complex64", "complex128", "bool"]


def lua_base(dt):
    """Lua: a (3, 4) array of dtype dt from b = arange(12):reshape(3, 4)."""
    b = "lunar.arange(12):reshape(3, 4)"
    if dt == "bool":
        return "(%s %% 3):eq(0)" % b
    if dt.startswith("complex"):
        return "(%s:astype('%s') + lunar.complex(0, 1) * (%s - 5)):astype('%s')" % (b, dt, b, dt)
    if dt.startswith("float"):
        return "(%s * 0.5 - 2):astype('%s')" % (b, dt)
    if dt.startswith("uint"):
        return "(%s * 20):astype('%s')" % (b, dt)
    return "(%s - 5):astype('%s')" % (b, dt)


def np_base(np, dt):
    b = np.arange(12).reshape(3, 4)
    if dt == "bool":
        return b % 3 == 0
    if dt.startswith("complex"):
        return (b + 1j * (b - 5)).astype(dt)
    if dt.startswith("float"):
        return (b * 0.5 - 2).astype(dt)
    if dt.startswith("uint"):
        return (b * 20).astype(dt)
    return (b - 5).astype(dt)


# (name, Lua key applied to the base array, the same view in NumPy)
VIEWS = [
    ("C order", "", lambda a: a),
    ("transposed", ".T", lambda a: a.T),
    ("strided slice with an offset", "[{{2, 3}, {2, 4, 2}}]", lambda a: a[1:3, 1:4:2]),
    ("reversed rows", "[{{-1, 1, -1}}]", lambda a: a[::-1]),
    ("0-d", "[{2, 3, lunar.ellipsis}]", lambda a: a[1, 2, ...]),
    ("empty", "[{{3, 2}}]", lambda a: a[2:1]),
]
# }=====


def writable(np, arr):
    """arr, or a writable NumPy array over the same bytes: NumPy 1.24 marks
    what from_dlpack returns read-only (its base is a capsule, so the flag
    cannot be set back), though the memory is the producer's to share."""
    if arr.flags.writeable or arr.size == 0:
        return arr
    lo = sum(min(0, (n - 1) * s) for n, s in zip(arr.shape, arr.strides))
    hi = sum(max(0, (n - 1) * s) for n, s in zip(arr.shape, arr.strides)) + arr.itemsize
    buf = (ctypes.c_char * (hi - lo)).from_address(arr.ctypes.data + lo)
    return np.ndarray(arr.shape, arr.dtype, buffer=buf, offset=-lo, strides=arr.strides)


def numpy_takes_bool(np):
    """Whether this NumPy's from_dlpack takes bool (kDLBool, code 6); 1.24 does not."""
    try:
        np.from_dlpack(np.zeros(2, dtype=bool))
        return True
    except Exception:
        return False


def lunar_to_numpy(np, st):
    print("== lunar -> NumPy", flush=True)
    takes_bool = numpy_takes_bool(np)
    for dt in DTYPES:
        for vname, key, npview in VIEWS:
            what = "lunar -> numpy %s %s" % (dt, vname)
            st.run("base = %s; y = base%s" % (lua_base(dt), key))
            expected = npview(np_base(np, dt))
            n0 = deleter_calls()
            tensor = st.export("y")
            if dt == "bool" and not takes_bool:
                # NumPy 1.24 knows no kDLBool: it refuses the tensor, the
                # capsule stays unconsumed and its destructor calls lunar's
                # deleter
                try:
                    np.from_dlpack(tensor)
                    check(False, what + ": NumPy %s took a bool tensor" % np.__version__)
                except (TypeError, BufferError, ValueError, RuntimeError) as e:
                    check("dtype" in str(e), what + ": refused with " + repr(e))
                gc.collect()
                check(deleter_calls() == n0 + 1,
                      what + ": a refused tensor's deleter ran %d times" % (deleter_calls() - n0))
                continue
            try:
                arr = np.from_dlpack(tensor)
            except Exception as e:
                check(False, what + ": numpy.from_dlpack raised %r" % e)
                continue
            check(arr.dtype == expected.dtype, what + ": dtype %s" % arr.dtype)
            check(arr.shape == expected.shape, what + ": shape %s, expected %s" % (arr.shape, expected.shape))
            if arr.size > 1:
                check(arr.strides == expected.strides,
                      what + ": strides %s, expected %s" % (arr.strides, expected.strides))
            check(np.array_equal(arr, expected), what + ": values %r, expected %r" % (arr, expected))
            check(deleter_calls() == n0, what + ": deleter ran while NumPy holds the array")
            if arr.size > 0:
                # NumPy writes, lunar reads; lunar writes, NumPy reads
                idx = (-1,) * arr.ndim
                v = {"bool": False}.get(dt, 3)
                if arr[idx] == v:
                    v = True if dt == "bool" else 4
                writable(np, arr)[idx] = v
                check(st.run("return ser(y)") == pyser(np, arr), what + ": NumPy's write not seen in lunar")
                lua_idx = "{%s}" % ", ".join(["-1"] * arr.ndim)
                lua_v = "true" if dt == "bool" else "7"
                if arr.ndim == 0:
                    st.run("y[{lunar.ellipsis}] = %s" % lua_v)
                else:
                    st.run("y[%s] = %s" % (lua_idx, lua_v))
                check(arr[idx] == (True if dt == "bool" else 7), what + ": lunar's write not seen in NumPy")
            # the Lua side lets go first: the tensor keeps the memory
            snapshot = arr.copy()
            st.run("y = nil; base = nil")
            st.collect()
            check(deleter_calls() == n0, what + ": deleter ran after the Lua collection")
            check(np.array_equal(arr, snapshot), what + ": the array changed after the Lua collection")
            del arr, tensor
            gc.collect()
            check(deleter_calls() == n0 + 1,
                  what + ": deleter ran %d times after NumPy let go, expected once" % (deleter_calls() - n0))

    # arrays made empty (not views of a larger buffer)
    for dt in ("float64", "int32", "complex64"):
        what = "lunar -> numpy fresh empty %s" % dt
        st.run("y = lunar.zeros({0, 3}, '%s')" % dt)
        n0 = deleter_calls()
        arr = np.from_dlpack(st.export("y"))
        check(arr.shape == (0, 3) and arr.dtype == np.dtype(dt), what + ": %s %s" % (arr.shape, arr.dtype))
        st.run("y = nil")
        st.collect()
        del arr
        gc.collect()
        check(deleter_calls() == n0 + 1, what + ": deleter ran %d times" % (deleter_calls() - n0))

    # the memory itself: 8 MB stay in lunar's pool until NumPy lets go
    st.collect()
    used0 = st.pool_used()
    st.run("big = lunar.arange(1000000.0)")
    big = np.from_dlpack(st.export("big"))
    st.run("big = nil")
    st.collect()
    n0 = deleter_calls()
    check(st.pool_used() - used0 >= 8000000,
          "lunar's pool released the exported buffer while NumPy holds it (%d bytes used)" %
          (st.pool_used() - used0))
    check(big[999999] == 999999.0 and big.sum() == 999999 * 1000000 / 2,
          "the exported buffer changed after the Lua collection")
    del big
    gc.collect()
    check(deleter_calls() == n0 + 1, "the deleter did not run when NumPy dropped the big array")
    check(st.pool_used() == used0,
          "lunar's pool holds %d bytes after NumPy dropped the array" % (st.pool_used() - used0))

    # a capsule no consumer takes: its destructor calls the deleter once
    st.run("y = lunar.arange(3)")
    n0 = deleter_calls()
    cap = st.export("y").__dlpack__()
    del cap
    gc.collect()
    check(deleter_calls() == n0 + 1, "an unconsumed capsule's deleter ran %d times" % (deleter_calls() - n0))

    # bfloat16: NumPy has no such dtype and refuses; lunar's deleter runs once
    st.run("y = lunar.arange(4):astype('bfloat16')")
    n0 = deleter_calls()
    try:
        np.from_dlpack(st.export("y"))
        check(False, "numpy.from_dlpack took a bfloat16 tensor")
    except (TypeError, BufferError, ValueError, RuntimeError) as e:
        check("dtype" in str(e), "bfloat16 refused with %r" % e)
    gc.collect()
    check(deleter_calls() == n0 + 1, "a refused bfloat16 tensor's deleter ran %d times" % (deleter_calls() - n0))

    # an error from the shim's own side: a global that is no array
    try:
        st.export("no_such_global")
        check(False, "exporting nil did not fail")
    except LuaError as e:
        check("not a lunar array" in str(e), "exporting nil: %s" % e)


def numpy_to_lunar(np, st):
    print("== NumPy -> lunar", flush=True)
    for dt in DTYPES:
        for vname, _, npview in VIEWS:
            what = "numpy -> lunar %s %s" % (dt, vname)
            v = npview(np_base(np, dt))
            rc0 = sys.getrefcount(v)
            try:
                cap = v.__dlpack__()
            except (TypeError, BufferError, RuntimeError) as e:
                # NumPy 1.24 exports no bool (it says so); later NumPy does
                check(dt == "bool" and "dtype" in str(e), what + ": __dlpack__ raised %r" % e)
                continue
            try:
                st.import_capsule("x", cap)
            except LuaError as e:
                check(False, what + ": lunar_fromdlpack: %s" % e)
                continue
            check(not api.PyCapsule_IsValid(cap, NAME), what + ": capsule not renamed")
            del cap
            check(sys.getrefcount(v) == rc0 + 1, what + ": lunar's tensor holds %d references to the array" %
                  (sys.getrefcount(v) - rc0))
            check(st.run("return x.dtype") == dt, what + ": dtype " + st.run("return x.dtype"))
            check(st.run("return shape(x)") == ",".join(str(n) for n in v.shape),
                  what + ": shape (%s)" % st.run("return shape(x)"))
            check(st.run("return ser(x)") == pyser(np, v), what + ": values " + st.run("return ser(x)"))
            if v.size > 0:
                idx = (0,) * v.ndim
                v[idx] = True if dt == "bool" else 9
                check(st.run("return ser(x)") == pyser(np, v), what + ": NumPy's write not seen in lunar")
                key = "{%s}" % ", ".join(["1"] * v.ndim) if v.ndim else "{lunar.ellipsis}"
                st.run("x[%s] = %s" % (key, "false" if dt == "bool" else "5"))
                check(v[idx] == (False if dt == "bool" else 5), what + ": lunar's write not seen in NumPy")
            st.run("x = nil")
            st.collect()
            check(sys.getrefcount(v) == rc0, what + ": after lunar's collection %+d references (deleter ran %s)" %
                  (sys.getrefcount(v) - rc0, "twice" if sys.getrefcount(v) < rc0 else "not once"))

    # exactly once: the tensor holds one reference to the NumPy array (the
    # deleter drops it); a view of lunar's keeps it; the last view's
    # collection drops it once: a second call would take the count below
    # where it started
    a = np.arange(100000.0)
    w = weakref.ref(a)
    rc0 = sys.getrefcount(a)
    cap = a.__dlpack__()
    st.import_capsule("x", cap)
    del cap
    gc.collect()
    check(sys.getrefcount(a) == rc0 + 1, "the imported tensor holds %d references" % (sys.getrefcount(a) - rc0))
    st.run("xv = x[{{11, 20}}]; x = nil")
    st.collect()
    check(sys.getrefcount(a) == rc0 + 1, "the tensor let go while a lunar view of it lives")
    check(st.run("return xv:sum():item()") == repr(float(sum(range(10, 20)))), "the view's values")
    st.run("xv = nil")
    st.collect()
    check(sys.getrefcount(a) == rc0, "after lunar's collection NumPy's array has %+d references (deleter ran %s)" %
          (sys.getrefcount(a) - rc0, "twice" if sys.getrefcount(a) < rc0 else "not at all"))
    del a
    check(w() is None, "the NumPy array outlived its last user")

    # NumPy lets go first: lunar keeps the array alive, then frees it
    a = np.arange(100000.0) * 2
    w = weakref.ref(a)
    st.import_capsule("x", a.__dlpack__())
    del a
    gc.collect()
    check(w() is not None, "NumPy freed an array that lunar holds")
    check(st.run("return x[100000]") == "199998.0", "lunar's view of a NumPy array NumPy dropped")
    st.run("x = nil")
    st.collect()
    check(w() is None, "lunar's collection did not free the NumPy array")

    # non-contiguous NumPy views: every other column of a transposed one,
    # and a negative stride over a slice
    m = np.arange(24.0).reshape(4, 6)
    for vname, v in (("m.T[::2]", m.T[::2]), ("m[1:, ::-2]", m[1:, ::-2])):
        st.import_capsule("x", v.__dlpack__())
        check(st.run("return shape(x)") == ",".join(str(n) for n in v.shape), vname + ": shape")
        check(st.run("return ser(x)") == pyser(np, v), vname + ": values " + st.run("return ser(x)"))
        check(st.run("return x:sum():item()") == repr(float(v.sum())), vname + ": sum")
        st.run("x[{1, 1}] = -1")
        check(v[0, 0] == -1, vname + ": lunar's write not seen in NumPy")
        st.run("x = nil")
        st.collect()

    # a read-only array: DLPack 0.6 has no read-only flag, so NumPy 1.24
    # refuses to export one (BufferError) rather than let a consumer write
    r = np.arange(4.0)
    r.flags.writeable = False
    try:
        cap = r.__dlpack__()
    except (BufferError, TypeError) as e:
        check("readonly" in str(e).replace("-", "").replace(" ", ""), "read-only export refused with %r" % e)
    else:
        # a NumPy that exports it: lunar cannot tell (no flag in DLPack 0.6)
        st.import_capsule("x", cap)
        check(st.run("return ser(x)") == pyser(np, r), "read-only array's values")
        skip("NumPy %s exports read-only arrays: lunar sees them writable" % np.__version__)
        st.run("x = nil")
        st.collect()


def errors(np, st):
    print("== errors", flush=True)
    calls = []
    keep = []

    def make(code=2, bits=32, lanes=1, device=(KDLCPU, 0), ndim=1):
        buf = (ctypes.c_float * 8)(*range(8))
        shape = (ctypes.c_int64 * 64)(*([8] + [1] * 63))
        m = DLManagedTensor()
        m.dl_tensor.data = ctypes.addressof(buf)
        m.dl_tensor.device = DLDevice(*device)
        m.dl_tensor.ndim = ndim
        m.dl_tensor.dtype = DLDataType(code, bits, lanes)
        m.dl_tensor.shape = shape
        m.dl_tensor.strides = None
        m.dl_tensor.byte_offset = 0
        deleter = DLDeleter(lambda t: calls.append(1))
        m.deleter = deleter
        keep.append((buf, shape, m, deleter))
        return ctypes.addressof(m)

    no_gpu = st.run("return lunar.cuda.is_available()") != "true"
    cases = [
        ("two lanes", dict(lanes=2), "has no lunar dtype"),
        ("float8", dict(bits=8), "has no lunar dtype"),
        ("opaque handle (code 3)", dict(code=3, bits=64), "has no lunar dtype"),
        ("OpenCL device", dict(device=(4, 0)), "device type 4"),
        ("Vulkan device", dict(device=(7, 0)), "device type 7"),
        ("40 dimensions", dict(ndim=40), "dimensions"),
    ]
    if no_gpu:
        cases.append(("a CUDA tensor without a GPU", dict(device=(KDLCUDA, 0)), "cuda"))
    for what, kw, words in cases:
        calls.clear()
        try:
            st.import_ptr("x", make(**kw))
            check(False, "error path %s: lunar took the tensor" % what)
        except LuaError as e:
            msg = str(e)
            check("lunar_fromdlpack" in msg and (words in msg or words in msg.lower()),
                  "error path %s: message %r" % (what, msg))
        check(not calls, "error path %s: the refused tensor's deleter ran" % what)
        check(st.run("return lunar.arange(4):sum():item()") == "6", "error path %s: the state is unusable" % what)
    # a good one of the same kind: taken, and its deleter runs once
    calls.clear()
    st.import_ptr("x", make())
    check(st.run("return ser(x)") == "0.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0", "a hand-made tensor's values")
    st.run("x = nil")
    st.collect()
    check(len(calls) == 1, "a hand-made tensor's deleter ran %d times" % len(calls))
    ok, msg = st.try_run("error('boom')")
    check(not ok and "boom" in msg, "a Lua error comes back as a string: %r" % msg)


def close_first(np):
    """Arrays NumPy holds outlive the state that exported them."""
    print("== the state closes before NumPy lets go", flush=True)
    st = State()
    st.run(LUA_PRELUDE)
    st.run("y = lunar.arange(6.0):reshape(2, 3)")
    arr = np.from_dlpack(st.export("y"))
    n0 = deleter_calls()
    st.close()
    check(np.array_equal(arr, np.arange(6.0).reshape(2, 3)), "values after lua_close")
    writable(np, arr)[1, 2] = 42
    check(arr.sum() == 15 - 5 + 42, "the memory is writable after lua_close")
    del arr
    gc.collect()
    check(deleter_calls() == n0 + 1, "deleter after lua_close ran %d times" % (deleter_calls() - n0))


# {===== CUDA: PyTorch and CuPy (only on a machine with a GPU)
def cuda_section(np, st):
    print("== CUDA (PyTorch, CuPy)", flush=True)
    if not shim.shim_built_with_cuda():
        skip("CUDA: lunar was built without CUDA")
        return
    if st.run("return lunar.cuda.is_available()") != "true":
        skip("CUDA: lunar finds no GPU here")
        return
    libs = []
    try:
        import torch
        if torch.cuda.is_available():
            libs.append(("torch", torch))
        else:
            skip("CUDA: torch.cuda is not available")
    except Exception as e:   # ImportError, or a library it needs that fails to load
        skip("CUDA: no PyTorch (%r)" % e)
    try:
        import cupy
        cupy.cuda.runtime.getDeviceCount()
        libs.append(("cupy", cupy))
    except Exception as e:
        skip("CUDA: no CuPy (%r)" % e)
    for lib, mod in libs:
        if lib == "torch":
            from_dlpack = getattr(mod, "from_dlpack", None) or mod.utils.dlpack.from_dlpack
            to_host = lambda t: t.cpu().numpy()
            sync = mod.cuda.synchronize
            make = lambda: mod.arange(12, dtype=mod.float32, device="cuda:0").reshape(3, 4) * 0.5
            make_big = lambda: mod.arange(1 << 20, dtype=mod.float32, device="cuda:0")
            used = lambda: mod.cuda.memory_allocated(0)
        else:
            from_dlpack = mod.from_dlpack
            to_host = mod.asnumpy
            sync = mod.cuda.runtime.deviceSynchronize
            make = lambda: mod.arange(12, dtype=mod.float32).reshape(3, 4) * 0.5
            make_big = lambda: mod.arange(1 << 20, dtype=mod.float32)
            used = lambda: mod.get_default_memory_pool().used_bytes()
        expected = np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5
        # lunar -> lib: C order, transposed, a strided slice with an offset
        for vname, key, npview in VIEWS[:3]:
            what = "lunar -> %s cuda %s" % (lib, vname)
            st.run("base = (lunar.arange(12, {dtype = 'float32', device = 'cuda:0'}):reshape(3, 4) * 0.5); "
                   "y = base%s" % key)
            n0 = deleter_calls()
            tensor = st.export("y")
            check(tensor.__dlpack_device__() == (KDLCUDA, 0), what + ": device %s" % (tensor.__dlpack_device__(),))
            t = from_dlpack(tensor)
            check(np.array_equal(to_host(t), npview(expected)), what + ": values")
            t[(0,) * t.ndim] = 42
            sync()
            check(st.run("return ser(y)") == pyser(np, to_host(t)), what + ": %s's write not seen in lunar" % lib)
            st.run("y[{1, 1}] = -3; lunar.synchronize()")
            check(float(to_host(t)[0, 0]) == -3, what + ": lunar's write not seen in %s" % lib)
            st.run("y = nil; base = nil")
            st.collect()
            check(deleter_calls() == n0, what + ": deleter ran while %s holds the tensor" % lib)
            del t, tensor
            gc.collect()
            check(deleter_calls() == n0 + 1, what + ": deleter ran %d times" % (deleter_calls() - n0))
        # lib -> lunar: C order and a transposed view
        for vname, view in (("C order", lambda a: a), ("transposed", lambda a: a.T)):
            what = "%s -> lunar cuda %s" % (lib, vname)
            a = make()
            v = view(a)
            sync()
            st.import_capsule("x", v.__dlpack__())
            check(st.run("return x.device") == "cuda:0", what + ": device " + st.run("return x.device"))
            check(st.run("return shape(x)") == ",".join(str(n) for n in v.shape), what + ": shape")
            check(st.run("return ser(x)") == pyser(np, to_host(v)), what + ": values")
            v[0, 0] = 8
            sync()
            check(st.run("return x[{1, 1}]") == "8.0", what + ": %s's write not seen in lunar" % lib)
            st.run("x[{1, 1}] = 11; lunar.synchronize()")
            check(float(to_host(v)[0, 0]) == 11, what + ": lunar's write not seen in %s" % lib)
            del v, a
            gc.collect()
            check(st.run("return x[{1, 1}]") == "11.0", what + ": lunar's array after %s let go" % lib)
            st.run("x = nil")
            st.collect()
        # the memory: 4 MB stay allocated in the library while lunar holds
        # them (its Python object may be gone: the tensor holds the storage),
        # and go back when lunar collects its array and the view of it
        what = "%s -> lunar cuda memory" % lib
        gc.collect()
        used0 = used()
        a = make_big()
        sync()
        st.import_capsule("x", a.__dlpack__())
        del a
        gc.collect()
        check(used() - used0 >= 4 << 20, what + ": %d bytes in use after %s let go" % (used() - used0, lib))
        st.run("xv = x[{{-10, -1}}]; x = nil")
        st.collect()
        check(used() - used0 >= 4 << 20, what + ": freed while a lunar view lives")
        check(st.run("return xv:sum():item()") == repr(float(sum(range((1 << 20) - 10, 1 << 20)))),
              what + ": the view's values")
        st.run("xv = nil")
        st.collect()
        check(used() == used0, what + ": %d bytes still in use after lunar's collection" % (used() - used0))
# }=====


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LUNAR_DLPACK_SHIM")
    if not path:
        print("usage: dlpack_numpy.py path/to/lunar_dlpack_shim.so (or LUNAR_DLPACK_SHIM)", file=sys.stderr)
        return 2
    try:
        import numpy as np
    except ImportError:
        print("interop: no NumPy in %s: skipped" % sys.executable)
        return 77
    if not hasattr(np, "from_dlpack"):
        print("interop: NumPy %s has no from_dlpack (1.22 or newer): skipped" % np.__version__)
        return 77
    load_shim(os.path.abspath(path))
    print("interop: NumPy %s, Python %s, lunar %s" % (np.__version__, sys.version.split()[0],
          "with CUDA" if shim.shim_built_with_cuda() else "CPU only"), flush=True)
    st = State()
    st.run(LUA_PRELUDE)
    for part in (lunar_to_numpy, numpy_to_lunar, errors, cuda_section):
        try:
            part(np, st)
        except Exception as e:   # a part that breaks counts, the others still run
            import traceback
            traceback.print_exc()
            check(False, "%s raised %r" % (part.__name__, e))
    st.close()
    try:
        close_first(np)
    except Exception as e:
        check(False, "close_first raised %r" % e)
    gc.collect()
    tail = ", %d skipped" % skipped if skipped else ""
    print("interop: %d passed, %d failed%s" % (passed, failed, tail))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
