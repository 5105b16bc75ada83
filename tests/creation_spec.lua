-- SPDX-License-Identifier: MIT
-- Creation: array, zeros/ones/empty/full, *_like, arange, linspace, eye, and
-- the basic properties of what they return. Expected values are NumPy's.
local lu = rawget(_G, "lunar") or require "lunar"

-- the error message of fn(...), without a "chunk:line: " prefix; nil if none
local h = require "tests.helper"
local err_of = h.err_of

describe("lunar module", function()
  it("has a version", function()
    assert.are.equal("0.1.0", lu.__version)
  end)
  it("exposes dtype names as strings", function()
    assert.are.equal("float32", lu.float32)
    assert.are.equal("float64", lu.float64)
    assert.are.equal("int32", lu.int32)
    assert.are.equal("int64", lu.int64)
    assert.are.equal("bool", lu.bool)
  end)
end)

for _, dev in ipairs(lu.devices()) do
describe("creation on " .. dev, function()
  local A = h.on(dev)

  describe("array", function()
    it("infers int64 from Lua integers", function()
      local a = A{1, 2, 3}
      assert.are.equal("int64", a.dtype)
      assert.are.same({3}, a.shape)
      assert.are.same({1, 2, 3}, a:totable())
      assert.are.equal("integer", math.type(a:totable()[1]))
      assert.are.equal(dev, a.device)
    end)
    it("infers float64 when any element is a float", function()
      local a = A{1, 2.5, 3}
      assert.are.equal("float64", a.dtype)
      assert.are.same({1.0, 2.5, 3.0}, a:totable())
      assert.are.equal("float", math.type(a:totable()[1]))
    end)
    it("infers bool from booleans", function()
      local a = A{true, false, true}
      assert.are.equal("bool", a.dtype)
      assert.are.same({true, false, true}, a:totable())
    end)
    it("builds nested tables with a dtype", function()
      local a = A({{1, 2, 3}, {4, 5, 6}}, "float32")
      assert.are.equal("float32", a.dtype)
      assert.are.same({2, 3}, a.shape)
      assert.are.equal(2, a.ndim)
      assert.are.equal(6, a.size)
      assert.are.same({{1, 2, 3}, {4, 5, 6}}, a:totable())
    end)
    it("accepts a dtype string alone", function()
      local a = lu.array({1, 2}, "int32")
      assert.are.equal("int32", a.dtype)
    end)
    it("makes a 0-d array from a number", function()
      local a = lu.array(5, {device = dev})
      assert.are.equal(0, a.ndim)
      assert.are.same({}, a.shape)
      assert.are.equal(1, a.size)
      assert.are.equal(5, a:item())
      assert.are.equal("integer", math.type(a:item()))
      assert.are.equal(5, a:totable())
    end)
    it("makes 3-d arrays", function()
      local a = A{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}
      assert.are.same({2, 2, 2}, a.shape)
      assert.are.same({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}, a:totable())
    end)
    it("rejects ragged tables", function()
      assert.has_error(function() A{{1, 2}, {3}} end)
    end)
    it("copies an array, converting dtype", function()
      local a = A{1, 2, 3}
      local b = lu.array(a)
      b[1] = 100
      assert.are.same({1, 2, 3}, a:totable())
      assert.are.same({100, 2, 3}, b:totable())
      local c = lu.array(a, "float32")
      assert.are.equal("float32", c.dtype)
      assert.are.same({1, 2, 3}, c:totable())
    end)
    it("knows the dtype aliases", function()
      assert.are.equal("float64", A({1}, "float").dtype)
      assert.are.equal("int64", A({1}, "int").dtype)
      assert.are.equal("float64", A({1}, "double").dtype)
      assert.are.equal("float32", A({1}, "single").dtype)
      assert.are.equal("int8", A({1}, "int8").dtype)
      assert.are.equal("uint8", A({1}, "uint8").dtype)
    end)
    it("stores float32 values rounded to float32", function()
      -- 0.1 rounded to binary32
      assert.are.equal(0.100000001490116119384765625, A({0.1}, "float32")[1])
    end)
  end)

  describe("zeros, ones, empty, full", function()
    it("zeros from integers, a table, with a dtype", function()
      local a = lu.zeros(3, 4, {device = dev})
      assert.are.same({3, 4}, a.shape)
      assert.are.equal("float64", a.dtype)
      assert.are.same({{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}, a:totable())
      local b = lu.zeros({2, 3}, {dtype = "float32", device = dev})
      assert.are.same({2, 3}, b.shape)
      assert.are.equal("float32", b.dtype)
      assert.are.equal(dev, b.device)
    end)
    it("zeros with a dtype string last", function()
      local a = lu.zeros(3, 4, "int32")
      assert.are.equal("int32", a.dtype)
      assert.are.same({3, 4}, a.shape)
    end)
    it("ones", function()
      local a = lu.ones({2, 2}, {dtype = "int32", device = dev})
      assert.are.same({{1, 1}, {1, 1}}, a:totable())
      assert.are.equal("int32", a.dtype)
      assert.are.same({true, true}, lu.ones(2, {dtype = "bool", device = dev}):totable())
    end)
    it("empty has the shape and dtype", function()
      local a = lu.empty({2, 5}, {dtype = "float32", device = dev})
      assert.are.same({2, 5}, a.shape)
      assert.are.equal("float32", a.dtype)
    end)
    it("full infers the dtype from the value", function()
      local a = lu.full({2, 2}, 7, {device = dev})
      assert.are.equal("int64", a.dtype)
      assert.are.same({{7, 7}, {7, 7}}, a:totable())
      assert.are.equal("float64", lu.full({2}, 1.5, {device = dev}).dtype)
      assert.are.same({1.5, 1.5}, lu.full({2}, 1.5, {device = dev}):totable())
      local b = lu.full({2}, true, {device = dev})
      assert.are.equal("bool", b.dtype)
      assert.are.same({true, true}, b:totable())
    end)
    it("full with a dtype", function()
      local a = lu.full({3}, 7, {dtype = "float32", device = dev})
      assert.are.equal("float32", a.dtype)
      assert.are.same({7, 7, 7}, a:totable())
    end)
    it("empty shapes", function()
      local a = lu.zeros(0, {device = dev})
      assert.are.same({0}, a.shape)
      assert.are.equal(0, a.size)
      assert.are.same({}, a:totable())
      assert.are.same({2, 0}, lu.zeros({2, 0}, {device = dev}).shape)
    end)
    it("zeros() of an empty shape is 0-d", function()
      local a = lu.zeros({}, {device = dev})
      assert.are.equal(0, a.ndim)
      assert.are.equal(0, a:item())
    end)
    it("rejects a negative shape", function()
      assert.are.equal("lunar.zeros: bad argument #1 (shape must be non-negative integers, got -3)",
        err_of(lu.zeros, -3))
    end)
  end)

  describe("*_like", function()
    local a = A({{1, 2, 3}, {4, 5, 6}}, "int32")
    it("zeros_like keeps shape, dtype and device", function()
      local z = lu.zeros_like(a)
      assert.are.same({2, 3}, z.shape)
      assert.are.equal("int32", z.dtype)
      assert.are.equal(dev, z.device)
      assert.are.same({{0, 0, 0}, {0, 0, 0}}, z:totable())
    end)
    it("ones_like, empty_like", function()
      assert.are.same({{1, 1, 1}, {1, 1, 1}}, lu.ones_like(a):totable())
      local e = lu.empty_like(a)
      assert.are.same({2, 3}, e.shape)
      assert.are.equal("int32", e.dtype)
    end)
    it("full_like and a dtype override", function()
      assert.are.same({{9, 9, 9}, {9, 9, 9}}, lu.full_like(a, 9):totable())
      assert.are.equal("int32", lu.full_like(a, 9).dtype)
      -- NumPy: full_like casts the value to the array's dtype
      assert.are.same({{2, 2, 2}, {2, 2, 2}}, lu.full_like(a, 2.7):totable())
      local f = lu.zeros_like(a, "float32")
      assert.are.equal("float32", f.dtype)
    end)
  end)

  describe("arange", function()
    local function R(...) local t = {...}; t[#t + 1] = {device = dev}; return lu.arange(table.unpack(t)) end
    it("arange(stop) is half-open and int64", function()
      local a = R(5)
      assert.are.equal("int64", a.dtype)
      assert.are.same({0, 1, 2, 3, 4}, a:totable())
    end)
    it("arange past one block of the CPU's loops, threaded or not", function()
      -- 100000 elements: more than one 65536-element block, fewer than the
      -- elementwise threshold (one thread) on the CPU; NumPy's values
      local a = lu.arange(1, 100001, {dtype = "float64", device = dev})
      assert.are.equal(5000050000, a:sum():item())
      assert.are.equal(65537, a[65537])
      assert.are.equal(100000, a[-1])
      assert.are.equal(4999950000, R(100000):sum():item())
    end)
    it("arange(start, stop)", function()
      assert.are.same({2, 3, 4}, R(2, 5):totable())
    end)
    it("arange with a negative step", function()
      assert.are.same({5, 3, 1}, R(5, 0, -2):totable())
    end)
    it("arange with a float step is float64", function()
      local a = R(0, 1, 0.25)
      assert.are.equal("float64", a.dtype)
      assert.are.same({0, 0.25, 0.5, 0.75}, a:totable())
    end)
    it("arange of nothing", function()
      assert.are.same({0}, R(0).shape)
      assert.are.same({0}, R(5, 2).shape)
    end)
    it("arange with a dtype", function()
      local a = lu.arange(4, {dtype = "float32", device = dev})
      assert.are.equal("float32", a.dtype)
      assert.are.same({0, 1, 2, 3}, a:totable())
    end)
  end)

  describe("linspace", function()
    it("includes the endpoint by default", function()
      local a = lu.linspace(0, 1, 5, {device = dev})
      assert.are.equal("float64", a.dtype)
      assert.are.same({0, 0.25, 0.5, 0.75, 1}, a:totable())
    end)
    it("endpoint=false", function()
      assert.are.same({0, 0.25, 0.5, 0.75},
        lu.linspace(0, 1, 4, {endpoint = false, device = dev}):totable())
    end)
    it("num defaults to 50", function()
      local a = lu.linspace(0, 49, {device = dev})
      assert.are.same({50}, a.shape)
      assert.are.equal(49, a[-1])
      assert.are.equal(1, a[2])
    end)
  end)

  describe("eye", function()
    it("square", function()
      local a = lu.eye(3, {device = dev})
      assert.are.equal("float64", a.dtype)
      assert.are.same({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, a:totable())
    end)
    it("rectangular", function()
      assert.are.same({{1, 0, 0}, {0, 1, 0}}, lu.eye(2, 3, {device = dev}):totable())
    end)
    it("with a diagonal offset", function()
      assert.are.same({{0, 1, 0}, {0, 0, 1}, {0, 0, 0}}, lu.eye(3, 3, 1, {device = dev}):totable())
      assert.are.same({{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}, lu.eye(3, 3, -1, {device = dev}):totable())
    end)
    it("with a dtype", function()
      assert.are.equal("int32", lu.eye(2, {dtype = "int32", device = dev}).dtype)
    end)
  end)

  describe("properties", function()
    local a = A({{1, 2, 3}, {4, 5, 6}}, "float32")
    it("itemsize, nbytes, strides, #", function()
      assert.are.equal(4, a.itemsize)
      assert.are.equal(24, a.nbytes)
      assert.are.same({12, 4}, a.strides)
      assert.are.equal(2, #a)
      assert.are.same({8}, A{1, 2}.strides)
    end)
    it("shape is a fresh table", function()
      local s = a.shape
      s[1] = 99
      assert.are.same({2, 3}, a.shape)
    end)
    it("# of a 0-d array is an error", function()
      assert.has_error(function() return #lu.array(1, {device = dev}) end)
    end)
  end)
end)
end

for _, dev in ipairs(lu.devices()) do
describe("host values on " .. dev, function()
  local A = h.on(dev)
  it("item of a one-element array of any shape", function()
    assert.are.equal(7, A{{7}}:item())
    assert.are.equal(2.5, A{2.5}:item())
    assert.are.equal(true, A{true}:item())
  end)
  it("item of a larger array is an error", function()
    assert.is_string(err_of(function() return A{1, 2}:item() end))
  end)
  it("totable of a 0-d array is a number", function()
    assert.are.equal(3.5, lu.array(3.5, {device = dev}):totable())
  end)
  it("array_equal compares shape and values", function()
    assert.is_true(lu.array_equal(A{1, 2, 3}, A{1, 2, 3}))
    assert.is_true(lu.array_equal(A{1, 2, 3}, A({1, 2, 3}, "float32")))
    assert.is_false(lu.array_equal(A{1, 2, 3}, A{1, 2, 4}))
    assert.is_false(lu.array_equal(A{1, 2, 3}, A{{1, 2, 3}}))
    assert.is_false(lu.array_equal(A{1, 2}, A{1, 2, 3}))
    assert.is_true(lu.array_equal(A{{1, 2}, {3, 4}}.T, A{{1, 3}, {2, 4}}))
  end)
  it("allclose uses rtol 1e-5 and atol 1e-8 by default", function()
    assert.is_true(lu.allclose(A{1.0, 2.0}, A{1.000001, 2.0}))
    assert.is_false(lu.allclose(A{1.0, 2.0}, A{1.001, 2.0}))
    assert.is_true(lu.allclose(A{1.0, 2.0}, A{1.001, 2.0}, 1e-2))
    assert.is_true(lu.allclose(A{0.0}, A{1e-9}))
    assert.is_false(lu.allclose(A{0.0}, A{1e-6}))
    assert.is_true(lu.allclose(A{0.0}, A{1e-6}, 1e-5, 1e-5))
    assert.is_true(lu.allclose(A{{1.0, 2.0}}, A{1.0, 2.0}))   -- broadcasts, as NumPy
  end)
end)
end

-- The creation routines added with issue 7 (doc/api/creation.md); NumPy's
-- values are compared on every dtype in tests/diff/cases/creation.py.
for _, dev in ipairs(lu.devices()) do
describe("more creation on " .. dev, function()
  local function A(t, dt) return lu.array(t, {dtype = dt, device = dev}) end

  it("array stacks arrays inside tables, with numbers too", function()
    local x, y = A{1, 2, 3}, A({4, 5, 6}, "float32")
    local s = lu.array{x, y}
    assert.are.same({2, 3}, s.shape)
    assert.are.equal("float64", s.dtype)            -- int64 with float32, as NumPy
    assert.are.equal(dev, s.device)
    assert.are.same({{1, 2, 3}, {7, 8, 9}}, lu.array{x, {7, 8, 9}}:totable())
    assert.are.same({{{1, 2, 3}, {1, 2, 3}}}, lu.array{{x, x}}:totable())
    assert.are.same({1, 2.5}, lu.array{A(1), 2.5}:totable())
    assert.are.equal("int8", lu.array({x, x}, "int8").dtype)
    s[{1, 1}] = 100                                  -- a copy
    assert.are.equal(1, x[1])
    assert.are.equal("lunar.array: inhomogeneous shape at depth 2 (expected an array of shape (3,), got (2,))",
                     err_of(lu.array, {x, A{1, 2}}))
    assert.are.same({{2, 4, 6}, {5, 7, 9}}, (x + {x, A{4, 5, 6}}):totable())
  end)
  it("asarray returns its argument when nothing changes", function()
    local a = A{1, 2, 3}
    assert.are.equal(a, lu.asarray(a))
    assert.are.equal(a, lu.asarray(a, "int64"))
    assert.are_not.equal(a, lu.asarray(a, {copy = true}))
    local f = lu.asarray(a, "float32")
    assert.are.equal("float32", f.dtype)
    assert.are.same({1, 2, 3}, f:totable())
    local t = A{{1, 2}, {3, 4}}.T
    assert.are.equal(t, lu.asarray(t))
    assert.are.same({16, 8}, lu.asarray(t, nil, "C").strides)
    assert.are.same({{1, 2}}, lu.asarray({{1, 2}}, {device = dev}):totable())
    assert.are.equal("lunar.asarray: Unable to avoid copy while creating an array as requested",
                     err_of(lu.asarray, a, "int8", {copy = false}))
    assert.are.equal("lunar.asarray: bad argument #3 (order must be 'C', 'K' or 'A' (lunar arrays are C-ordered), got F)",
                     err_of(lu.asarray, a, nil, "F"))
  end)
  it("identity, logspace, geomspace, diagflat", function()
    assert.are.same({{1, 0}, {0, 1}}, lu.identity(2, {device = dev}):totable())
    assert.are.equal("int32", lu.identity(3, "int32").dtype)
    assert.are.same({1, 10, 100}, lu.logspace(0, 2, 3, {device = dev}):totable())
    assert.are.same({1, 2, 4, 8}, lu.logspace(0, 3, 4, true, 2, {device = dev}):totable())
    assert.are.same({1, 10, 100, 1000}, lu.geomspace(1, 1000, 4, {device = dev}):totable())
    assert.are.same({-1, -2, -4, -7.999999999999999, -16}, lu.geomspace(-1, -16, 5, {device = dev}):totable())
    assert.are.equal("geomspace: Geometric sequence cannot include zero", err_of(lu.geomspace, 0, 1))
    assert.are.same({{0, 1, 0}, {0, 0, 2}, {0, 0, 0}}, lu.diagflat(A{1, 2}, 1):totable())
    assert.are.same({{1, 0, 0, 0}, {0, 2, 0, 0}, {0, 0, 3, 0}, {0, 0, 0, 4}},
                    lu.diagflat(A{{1, 2}, {3, 4}}):totable())
  end)
  it("frombuffer reads the bytes of a string", function()
    local s = string.pack("<i4i4i4", 1, -2, 3)
    assert.are.same({1, -2, 3}, lu.frombuffer(s, "int32", {device = dev}):totable())
    assert.are.same({-2, 3}, lu.frombuffer(s, "int32", -1, 4):totable())
    assert.are.same({-2}, lu.frombuffer(s, {dtype = "int32", count = 1, offset = 4}):totable())
    assert.are.same({1.5}, lu.frombuffer(string.pack("<d", 1.5)):totable())
    assert.are.same({true, false, true}, lu.frombuffer("\2\0\1", "bool"):totable())
    assert.are.equal("lunar.frombuffer: buffer size must be a multiple of element size (4 bytes for int32)",
                     err_of(lu.frombuffer, "abcde", "int32"))
    assert.are.equal("lunar.frombuffer: buffer is smaller than requested size",
                     err_of(lu.frombuffer, s, "int32", 4))
    assert.are.equal("lunar.frombuffer: bad argument #4 (offset must be non-negative and no greater than buffer length (12))",
                     err_of(lu.frombuffer, s, "int32", -1, 13))
  end)
  it("fromfunction passes 1-based coordinates", function()
    local r = lu.fromfunction(function(i, j) return i * 10 + j end, {2, 3}, {device = dev})
    assert.are.same({{11, 12, 13}, {21, 22, 23}}, r:totable())
    assert.are.equal("float64", r.dtype)
    assert.are.equal(dev, r.device)
    local i = lu.fromfunction(function(i) return i end, 3, {dtype = "int32"})
    assert.are.same({1, 2, 3}, i:totable())
    local a, b = lu.fromfunction(function(p, q) return p, q end, {1, 2})
    assert.are.same({{1, 1}}, a:totable())
    assert.are.same({{1, 2}}, b:totable())
    assert.are.equal("lunar.fromfunction: bad argument #3 (unknown option 'scale')",
                     err_of(lu.fromfunction, function() end, {2}, {scale = 2}))
  end)
  it("copyto with casting rules and a where mask", function()
    local d = A({0, 0, 0}, "float32")
    assert.is_nil(lu.copyto(d, A{1, 2, 3}))          -- int64 -> float32 is same_kind
    assert.are.same({1, 2, 3}, d:totable())
    lu.copyto(d, 7, {where = A{true, false, true}})
    assert.are.same({7, 2, 7}, d:totable())
    lu.copyto(d, A{{9}, {9}}[1])
    assert.are.same({9, 9, 9}, d:totable())
    local i = A({0, 0}, "int32")
    assert.are.equal("lunar.copyto: Cannot cast array data from float64 to int32 according to the rule 'same_kind'",
                     err_of(lu.copyto, i, A{1.5, 2.5}))
    lu.copyto(i, A{1.5, 2.5}, "unsafe")
    assert.are.same({1, 2}, i:totable())
    assert.are.equal("lunar.copyto: could not broadcast input array from shape (3,) into shape (2,)",
                     err_of(lu.copyto, i, A{1, 2, 3}))
  end)
  it("the _like family takes NumPy's parameters", function()
    local a = A({{1, 2}, {3, 4}}, "int16")
    local z = lu.zeros_like(a)
    assert.are.equal("int16", z.dtype)
    assert.are.equal(dev, z.device)
    assert.are.equal("float32", lu.ones_like(a, "float32").dtype)
    assert.are.same({3}, lu.empty_like(a, nil, "C", true, 3).shape)
    assert.are.same({{5, 5, 5}}, lu.full_like(a, 5, {shape = {1, 3}}):totable())
    assert.are.same({0, 0}, lu.zeros_like({1, 2}):totable())
    assert.are.equal("lunar.zeros_like: bad argument #3 (order must be 'C', 'K' or 'A' (lunar arrays are C-ordered), got F)",
                     err_of(lu.zeros_like, a, nil, "F"))
    assert.are.equal("lunar.ones_like: bad argument #2 (unknown option 'fill')",
                     err_of(lu.ones_like, a, {fill = 2}))
  end)
end)
end

for _, dev in ipairs(lu.devices()) do
describe("creation from Lua values on " .. dev, function()
  it("fromiter, fromstring, mgrid, ogrid, vander", function()
    local i = 0
    local r = lu.fromiter(function() i = i + 1; if i <= 4 then return i * i end end, "int32")
    assert.are.same({1, 4, 9, 16}, r:totable())
    assert.are.same({1, 2}, lu.fromiter({1, 2, 3}, "float32", 2):totable())
    assert.are.equal("lunar.fromiter: iterator too short: Expected 5 but iterator had only 3 items.",
                     err_of(lu.fromiter, {1, 2, 3}, "int64", 5))
    assert.are.same({1, 2, 3}, lu.fromstring("1, 2 ,3", "int64", {sep = ","}):totable())
    assert.are.same({1.5, 2, 3}, lu.fromstring(" 1.5\n2  3 ", {sep = " "}):totable())
    assert.are.equal("lunar.fromstring: cannot read item 2 ('x') as float64",
                     err_of(lu.fromstring, "1 x", {sep = " "}))
    local g = lu.mgrid({0, 2}, {0, 3})
    assert.are.same({{{0, 0, 0}, {1, 1, 1}}, {{0, 1, 2}, {0, 1, 2}}}, g:totable())
    assert.are.same({0, 0.25, 0.5, 0.75, 1}, lu.mgrid{0, 1, num = 5}:totable())
    local ox, oy = lu.ogrid({0, 2}, {0, 3})
    assert.are.same({2, 1}, ox.shape)
    assert.are.same({{0, 1, 2}}, oy:totable())
    assert.are.same({{1, 1, 1}, {4, 2, 1}, {9, 3, 1}}, lu.vander({1, 2, 3}):totable())
    assert.are.same({{1, 2, 4}, {1, 3, 9}}, lu.vander(lu.array({2, 3}, {device = dev}), 3, true):totable())
  end)
end)
end

-- Window functions and i0 (lua/window.lua): hand-checked values; the
-- differential suite compares them with NumPy for many lengths.
for _, dev in ipairs(lu.devices()) do
describe("window functions on " .. dev, function()
  local function near(want, got, what)
    local g = got:totable()
    assert.are.equal(#want, #g, what .. ": length")
    for k = 1, #want do
      assert.is_true(math.abs(g[k] - want[k]) <= 1e-12 * (1 + math.abs(want[k])),
                     ("%s: element %d is %s, want %s"):format(what, k, g[k], want[k]))
    end
  end
  local kw = {device = dev}

  it("gives NumPy's windows", function()
    near({0, 0.5, 1, 0.5, 0}, lu.hanning(5, kw), "hanning(5)")
    near({0.08, 0.77, 0.77, 0.08}, lu.hamming(4, kw), "hamming(4)")
    near({0, 0.4, 0.8, 0.8, 0.4, 0}, lu.bartlett(6, kw), "bartlett(6)")
    -- blackman(3): 0.42 - 0.5 + 0.08 at the ends, 1 in the middle
    near({0, 1, 0}, lu.blackman(3, kw), "blackman(3)")
    near({1, 1, 1}, lu.kaiser(3, 0, kw), "kaiser(3, 0)")
    for _, f in ipairs({"bartlett", "blackman", "hamming", "hanning"}) do
      local w = lu[f](1, kw)
      assert.are.same({1}, w:totable())
      assert.are.equal("float64", w.dtype)
      assert.are.same({0}, lu[f](0, kw).shape)
      assert.are.same({0}, lu[f](-3, kw).shape)
      assert.are.equal(dev, w.device)
    end
    assert.are.same({1}, lu.kaiser(1, 5.0, kw):totable())
    assert.are.same({0}, lu.kaiser(0, 5.0, kw).shape)
    -- symmetric, 1 at the centre
    local k = lu.kaiser(7, 8.6, kw):totable()
    assert.are.equal(1, k[4])
    for j = 1, 3 do assert.are.equal(k[j], k[8 - j]) end
  end)

  it("computes i0 on both sides of 8", function()
    -- I0(1) and I0(10) to 16 digits (Abramowitz and Stegun, table 9.8)
    local r = lu.i0(lu.array({0, 1, -1, 10}, {device = dev})):totable()
    assert.are.equal(1, r[1])
    assert.is_true(math.abs(r[2] - 1.266065877752008) < 1e-15)
    assert.are.equal(r[2], r[3])
    assert.is_true(math.abs(r[4] / 2815.716628466254 - 1) < 1e-14)
    assert.are.equal("float32", lu.i0(lu.array({1.5}, {dtype = "float32", device = dev})).dtype)
    assert.are.equal("float64", lu.i0(lu.array({1, 2}, {dtype = "int16", device = dev})).dtype)
    assert.are.equal(0, lu.i0(3).ndim)
    local x = lu.array({0 / 0, math.huge}, {device = dev})
    local v = lu.i0(x):totable()
    -- NaN for both, as NumPy: at inf the expansion is exp(inf) / sqrt(inf)
    assert.is_true(v[1] ~= v[1] and v[2] ~= v[2])
    assert.are.equal(math.huge, lu.i0(800):item())
  end)

  it("refuses bad arguments", function()
    assert.are.equal("lunar.hanning: bad argument #1 (M must be an integer, got 2.5)",
                     h.err_of(lu.hanning, 2.5))
    assert.are.equal("lunar.bartlett: bad argument #1 (M must be an integer, got string)",
                     h.err_of(lu.bartlett, "5"))
    assert.are.equal("lunar.kaiser: bad argument #2 (beta must be a number, got nil)",
                     h.err_of(lu.kaiser, 5))
    assert.are.equal("lunar.hamming: bad argument #2 (unknown option 'dtype')",
                     h.err_of(lu.hamming, 5, {dtype = "float32"}))
    assert.are.equal("lunar.blackman: bad argument #2 (unexpected argument (number))",
                     h.err_of(lu.blackman, 5, 6))
    assert.are.equal("lunar.i0: bad argument #1 (i0 is not supported for complex values)",
                     h.err_of(lu.i0, lu.array({1, 2}, {dtype = "complex64", device = dev})))
    assert.are.equal("lunar.i0: bad argument #2 (unexpected argument)", h.err_of(lu.i0, 1, 2))
    assert.are.equal("lunar.i0: bad argument #1 (array expected, got no value)", h.err_of(lu.i0))
  end)
end)
end

for _, dev in ipairs(lu.devices()) do
describe("from_dlpack on " .. dev, function()
  local A = h.on(dev)

  it("is a view of an array: writes seen both ways, every dtype", function()
    for _, dt in ipairs{"bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
                        "uint64", "float16", "bfloat16", "float32", "float64", "complex64",
                        "complex128"} do
      local a = A({{0, 1, 0}, {1, 0, 1}}, dt)
      local b = lu.from_dlpack(a)
      assert.are.equal(dt, b.dtype)
      assert.are.equal(dev, b.device)
      assert.are.same({2, 3}, b.shape)
      assert.is_true(lu.array_equal(a, b), dt)
      b[{2, 2}] = 1
      assert.is_true(lu.array_equal(a, A({{0, 1, 0}, {1, 1, 1}}, dt)), dt)
      a[{1, 1}] = 1
      assert.is_true(lu.array_equal(b, A({{1, 1, 0}, {1, 1, 1}}, dt)), dt)
    end
  end)

  it("keeps strides and the memory alive", function()
    local a = A{{1, 2, 3}, {4, 5, 6}}
    local s = lu.from_dlpack(a[{{}, {2, 3}}])
    assert.are.same({{2, 3}, {5, 6}}, s:to("cpu"):totable())
    local t = lu.from_dlpack(a.T)
    assert.are.same({{1, 4}, {2, 5}, {3, 6}}, t:to("cpu"):totable())
    a = nil
    collectgarbage(); collectgarbage()
    assert.are.same({{1, 4}, {2, 5}, {3, 6}}, t:to("cpu"):totable())
    local z = lu.from_dlpack(A(7.5))
    assert.are.same({}, z.shape)
    assert.are.equal(7.5, z:item())
  end)

  it("takes a pending value, copy and device, and objects with __dlpack", function()
    local a = A{1, 2, 3}
    local p = a * 2 + 1                   -- pending under automatic fusion
    assert.are.same({3, 5, 7}, lu.from_dlpack(p):to("cpu"):totable())
    local c = lu.from_dlpack(a, {copy = true})
    c[1] = 100
    assert.are.equal(1, a[1])
    local d = lu.from_dlpack(a, {device = dev, copy = false})
    d[1] = 9
    assert.are.equal(9, a[1])
    local h2 = lu.from_dlpack(a, {device = "cpu"})
    assert.are.equal("cpu", h2.device)
    assert.are.same({9, 2, 3}, h2:totable())
    if dev ~= "cpu" then
      assert.matches("copy = false", err_of(lu.from_dlpack, a, {device = "cpu", copy = false}))
    end
    local cap = a:__dlpack()
    assert.matches("^DLPack tensor %(unused%)", tostring(cap))
    local v = lu.from_dlpack(cap)
    assert.matches("^DLPack tensor %(used%)", tostring(cap))
    assert.are.equal("lunar.from_dlpack: bad argument #1 (the DLPack tensor was already consumed)",
                     err_of(lu.from_dlpack, cap))
    v[2] = 20
    assert.are.equal(20, a[2])
    for _ = 1, 3 do local _ = a:__dlpack() end   -- unused: the collector deletes them
    collectgarbage(); collectgarbage()
    local obj = {__dlpack = function(self) return a:__dlpack() end}
    local o = lu.from_dlpack(obj)
    o[3] = -3
    assert.are.equal(-3, a[3])
    local ty, id = a:__dlpack_device()
    assert.are.equal(dev == "cpu" and 1 or 2, ty)
    assert.are.equal(dev == "cpu" and 0 or tonumber(dev:match("%d+$")), id)
  end)

  it("errors name the function and the argument", function()
    local a = A{1, 2}
    assert.are.equal("lunar.from_dlpack: bad argument #1 (an array, a DLPack tensor or an object with" ..
                     " a __dlpack method expected, got number)", err_of(lu.from_dlpack, 5))
    assert.are.equal("lunar.from_dlpack: bad argument #2 (unknown option 'bogus')",
                     err_of(lu.from_dlpack, a, {bogus = 1}))
    assert.are.equal("lunar.from_dlpack: bad argument #2 (copy must be a boolean, got number)",
                     err_of(lu.from_dlpack, a, {copy = 1}))
    assert.are.equal("lunar.from_dlpack: x:__dlpack() gave not a DLPack tensor (number)",
                     err_of(lu.from_dlpack, {__dlpack = function() return 3 end}))
    assert.matches("takes no arguments", err_of(a.__dlpack, a, 1))
    local b = A{1}
    b:close()
    assert.matches("closed array", err_of(lu.from_dlpack, b))
    assert.matches("closed array", err_of(b.__dlpack, b))
  end)
end)
end
