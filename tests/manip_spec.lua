-- SPDX-License-Identifier: MIT
-- Manipulation: reshape, transpose/.T, astype, copy, ravel/flatten,
-- squeeze, expand_dims, contiguous; which of them share data.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of

for _, dev in ipairs(lu.devices()) do
describe("manipulation on " .. dev, function()
  local A = h.on(dev)
  local function R(n) return lu.arange(n, {device = dev}) end

  describe("reshape", function()
    it("from integers and from a table", function()
      assert.are.same({{0, 1, 2}, {3, 4, 5}}, R(6):reshape(2, 3):totable())
      assert.are.same({{0, 1}, {2, 3}, {4, 5}}, R(6):reshape{3, 2}:totable())
      assert.are.same({{0, 1}, {2, 3}, {4, 5}}, lu.reshape(R(6), 3, 2):totable())
      assert.are.same({3, 2}, lu.reshape(R(6), {3, 2}).shape)
    end)
    it("infers one -1", function()
      assert.are.same({3, 2}, R(6):reshape(3, -1).shape)
      assert.are.same({6}, R(6):reshape(2, 3):reshape(-1).shape)
      assert.are.same({2, 1, 3}, R(6):reshape{2, -1, 3}.shape)
    end)
    it("of a contiguous array is a view", function()
      local a = R(6)
      local r = a:reshape(2, 3)
      r[{1, 1}] = 100
      assert.are.equal(100, a[1])
      a[6] = 50
      assert.are.equal(50, r[{2, 3}])
    end)
    it("of a non-contiguous array copies in C order", function()
      local m = R(6):reshape(2, 3)
      assert.are.same({0, 3, 1, 4, 2, 5}, m.T:reshape(6):totable())
      assert.are.same({{0, 3, 1}, {4, 2, 5}}, m.T:reshape(2, 3):totable())
    end)
    it("to and from 0-d", function()
      local s = A{7}:reshape{}
      assert.are.equal(0, s.ndim)
      assert.are.equal(7, s:item())
      assert.are.same({1}, lu.array(3, {device = dev}):reshape(1).shape)
    end)
    it("a wrong size is an error naming reshape", function()
      local msg = err_of(function() return R(6):reshape(4) end)
      assert.is_string(msg)
      assert.truthy(msg:find("reshape", 1, true), msg)
      assert.is_string(err_of(function() return R(6):reshape(-1, -1) end))
    end)
  end)

  describe("transpose and T", function()
    local m = A{{1, 2, 3}, {4, 5, 6}}
    it("of a 2-d array", function()
      assert.are.same({{1, 4}, {2, 5}, {3, 6}}, m:transpose():totable())
      assert.are.same({{1, 4}, {2, 5}, {3, 6}}, m.T:totable())
      assert.are.same({3, 2}, m.T.shape)
      assert.are.same({8, 24}, m.T.strides)
      assert.are.same({24, 8}, m.strides)
    end)
    it("of a 1-d array is itself", function()
      assert.are.same({1, 2, 3}, A{1, 2, 3}.T:totable())
    end)
    it("with a permutation (1-based axes)", function()
      local t = R(24):reshape(2, 3, 4)
      local p = t:transpose(2, 3, 1)
      assert.are.same({3, 4, 2}, p.shape)
      -- p[{i, j, k}] = t[{k, i, j}]
      assert.are.equal(t[{1, 2, 3}], p[{2, 3, 1}])
      assert.are.equal(6, p[{2, 3, 1}])
      assert.are.equal(23, p[{3, 4, 2}])
      assert.are.same({4, 3, 2}, t.T.shape)
      assert.are.equal(4 * 1 + 2 + 12, t.T[{3, 2, 2}])
    end)
    it("is a view", function()
      local x = A{{1, 2}, {3, 4}}
      x.T[{1, 2}] = 30
      assert.are.same({{1, 2}, {30, 4}}, x:totable())
    end)
    it("rejects a bad permutation", function()
      assert.is_string(err_of(function() return R(6):reshape(2, 3):transpose(1, 1) end))
    end)
  end)

  describe("astype and copy", function()
    it("astype converts and copies", function()
      local a = A{1.5, -2.5}
      local b = a:astype("int64")
      assert.are.equal("int64", b.dtype)
      assert.are.same({1, -2}, b:totable())
      local c = a:astype("float64")
      c[1] = 9
      assert.are.equal(1.5, a[1])
    end)
    it("copy of a view is contiguous and independent", function()
      local m = A{{1, 2, 3}, {4, 5, 6}}
      local c = m.T:copy()
      assert.are.same({{1, 4}, {2, 5}, {3, 6}}, c:totable())
      assert.are.same({16, 8}, c.strides)
      c[{1, 1}] = 0
      assert.are.equal(1, m[{1, 1}])
    end)
    it("contiguous", function()
      local m = A{{1, 2, 3}, {4, 5, 6}}
      local c = m.T:contiguous()
      assert.are.same({16, 8}, c.strides)
      assert.are.same({{1, 4}, {2, 5}, {3, 6}}, c:totable())
    end)
  end)

  describe("ravel and flatten", function()
    it("ravel of a contiguous array is a view", function()
      local m = A{{1, 2}, {3, 4}}
      local r = m:ravel()
      assert.are.same({1, 2, 3, 4}, r:totable())
      r[1] = 9
      assert.are.equal(9, m[{1, 1}])
    end)
    it("ravel of a transposed array is in C order", function()
      assert.are.same({1, 3, 2, 4}, A{{1, 2}, {3, 4}}.T:ravel():totable())
    end)
    it("flatten always copies", function()
      local m = A{{1, 2}, {3, 4}}
      local f = m:flatten()
      assert.are.same({1, 2, 3, 4}, f:totable())
      f[1] = 9
      assert.are.equal(1, m[{1, 1}])
    end)
  end)

  describe("squeeze and expand_dims", function()
    it("squeeze all size-1 axes", function()
      local z = lu.zeros({1, 3, 1}, {device = dev})
      assert.are.same({3}, z:squeeze().shape)
      assert.are.same({3, 1}, z:squeeze(1).shape)
      assert.are.same({1, 3}, z:squeeze(3).shape)
      assert.are.same({1, 3}, z:squeeze(-1).shape)
      assert.are.same({}, lu.zeros({1, 1}, {device = dev}):squeeze().shape)
    end)
    it("squeeze of an axis that is not 1 is an error", function()
      assert.is_string(err_of(function() return lu.zeros({1, 3}, {device = dev}):squeeze(2) end))
    end)
    it("squeeze shares data", function()
      local z = lu.zeros({1, 3}, {device = dev})
      z:squeeze()[2] = 5
      assert.are.same({{0, 5, 0}}, z:totable())
    end)
    it("expand_dims", function()
      local a = A{1, 2, 3}
      assert.are.same({1, 3}, a:expand_dims(1).shape)
      assert.are.same({3, 1}, a:expand_dims(2).shape)
      assert.are.same({3, 1}, lu.expand_dims(a, -1).shape)
      assert.are.same({{1}, {2}, {3}}, lu.expand_dims(a, 2):totable())
      assert.are.same({2, 1, 2}, lu.zeros({2, 2}, {device = dev}):expand_dims(2).shape)
    end)
  end)
end)
end

-- Joining, splitting, tiling and padding (doc/api/manip.md). The values
-- are written by hand or taken from NumPy; tests/diff/cases/manip.py
-- compares with NumPy on every dtype and layout.
local DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float32", "float64"}

for _, dev in ipairs(lu.devices()) do
describe("joining and splitting on " .. dev, function()
  local function A(t, dt) return lu.array(t, {dtype = dt, device = dev}) end
  local function R(n, dt) return lu.arange(n, {device = dev, dtype = dt}) end

  it("concatenate along each axis, every dtype", function()
    for _, dt in ipairs(DTYPES) do
      local a, b = A({{1, 0}, {1, 1}}, dt), A({{0, 1}}, dt)
      local r = lu.concatenate({a, b})
      assert.are.equal(dt, r.dtype)
      assert.are.same(A({{1, 0}, {1, 1}, {0, 1}}, dt):totable(), r:totable())
      assert.are.same(A({{1, 0, 1, 1}, {1, 1, 0, 1}}, dt):totable(),
                      lu.concatenate({a, a.T}, 2):totable())
    end
  end)
  it("concatenate of strided, reversed and transposed inputs", function()
    local m = R(12):reshape(3, 4)
    local r = lu.concatenate({m[{{}, {1, -1, 2}}], m[{{-1, 1, -1}, {1, 2}}], m.T[{{1, 3}, {}}]}, 2)
    assert.are.same({{0, 2, 8, 9, 0, 4, 8}, {4, 6, 4, 5, 1, 5, 9}, {8, 10, 0, 1, 2, 6, 10}},
                    r:totable())
  end)
  it("concatenate of wide rows (the backend's row copy) and of overlapping pieces", function()
    local a = R(600, "float32"):reshape(2, 300)
    local r = lu.concatenate({a, a[{{-1, 1, -1}, {}}], a[{{}, {1, 200}}]}, 2)
    assert.are.same({2, 800}, r.shape)
    assert.are.equal(299, r[{1, 300}])
    assert.are.equal(300, r[{1, 301}])          -- row 2 of a, reversed rows
    assert.are.equal(599, r[{1, 600}])
    assert.are.equal(0, r[{2, 301}])
    assert.are.equal(499, r[{2, 800}])
    local big = lu.concatenate({R(100000), R(50000)})
    assert.are.equal(49999, big[-1])
    assert.are.equal(99999, big[100000])
    -- out is an input too: every piece is read before any is written
    local o = R(6)
    lu.concatenate({o[{{4, 6}}], o[{{1, 3}}]}, 1, o)
    assert.are.same({3, 4, 5, 0, 1, 2}, o:totable())
  end)
  it("concatenate's pieces in one batch: odd sizes, misaligned views, many pieces", function()
    -- 20 int8 pieces of lengths 1..20: byte offsets of every alignment
    local parts, want = {}, {}
    for k = 1, 20 do
      parts[k] = (R(k) + k):astype("int8")
      for i = 0, k - 1 do want[#want + 1] = k + i end
    end
    assert.are.same(want, lu.concatenate(parts):totable())
    -- float64 views that start one element in (8-byte aligned only), and
    -- float32 pieces whose rows are wide (row copies with pitches)
    local v = R(2001, "float64")
    local r = lu.concatenate({v[{{2, 1001}}], v[{{1, 1000}}], v[{{1002, 2001}}]})
    assert.are.same({3000}, r.shape)
    assert.are.same({1, 1000, 0, 999, 1001, 2000},
                    {r[1], r[1000], r[1001], r[2000], r[2001], r[3000]})
    local m = R(3 * 333, "float32"):reshape(3, 333)
    local q = R(3 * 130, "float32"):reshape(3, 130) + 5000
    local w = lu.concatenate({m, q, m[{{}, {2, 333}}]}, 2)
    assert.are.same({3, 795}, w.shape)
    local rows = w:totable()
    for i = 1, 3 do
      local exp = {}
      for j = 0, 332 do exp[#exp + 1] = (i - 1) * 333 + j end
      for j = 0, 129 do exp[#exp + 1] = 5000 + (i - 1) * 130 + j end
      for j = 1, 332 do exp[#exp + 1] = (i - 1) * 333 + j end
      assert.are.same(exp, rows[i])
    end
    -- empty pieces among the others
    assert.are.same({0, 1, 0, 1, 2}, lu.concatenate({R(2), R(0), R(3), R(0)}):totable())
  end)
  it("concatenate promotes as NumPy 2 and takes dtype, casting and out", function()
    assert.are.equal("int16", lu.concatenate({A({1}, "int8"), A({2}, "uint8")}).dtype)
    assert.are.equal("float64", lu.concatenate({A({1}, "int64"), A({2}, "float32")}).dtype)
    assert.are.equal("int8", lu.concatenate({A({true}), A({2}, "int8")}).dtype)
    assert.are.equal("float32", lu.concatenate({A{1, 2}, A{3}}, {dtype = "float32"}).dtype)
    local out = lu.zeros(3, {device = dev, dtype = "float32"})
    local r = lu.concatenate({A{1, 2}, A{3}}, 1, out)
    assert.are.equal(out, r)
    assert.are.same({1, 2, 3}, out:totable())
    lu.concat({A{4}, A{5, 6}}, {out = out})
    assert.are.same({4, 5, 6}, out:totable())
    assert.are.same({0, 1, 2, 3}, lu.concatenate({A{{0, 1}}, A{2, 3}}, false):totable())
    assert.are.same({1, 2}, lu.concatenate({A{1.7, 2.2}}, {dtype = "int32", casting = "unsafe"}):totable())
  end)
  it("concatenate converts tables and numbers to arrays on the first array's device", function()
    local r = lu.concatenate({A{1, 2}, {3, 4}})
    assert.are.equal(dev, r.device)
    assert.are.same({1, 2, 3, 4}, r:totable())
    assert.are.same({{1, 2}, {3, 4}}, lu.stack({{1, 2}, A{3, 4}}):totable())
  end)
  it("an array argument is the sequence of its rows", function()
    assert.are.same({1, 2, 3, 4}, lu.concatenate(A{{1, 2}, {3, 4}}):totable())
    assert.are.same({{1, 3}, {2, 4}}, lu.stack(A{{1, 2}, {3, 4}}, 2):totable())
  end)
  it("concatenate's errors name the arrays and axes", function()
    local a = A{{1, 2, 3}, {4, 5, 6}}
    assert.are.equal("concatenate: all the input arrays must have the same number of dimensions, but array 1 has 2 dimensions and array 2 has 1",
                     err_of(lu.concatenate, {a, A{1, 2, 3}}))
    assert.are.equal("concatenate: all the input array dimensions except for the concatenation axis must match exactly, but along dimension 2, array 1 has size 3 and array 3 has size 2",
                     err_of(lu.concatenate, {a, a, A{{1, 2}}}))
    assert.are.equal("lunar.concatenate: bad argument #2 (axis 3 is out of bounds for array of dimension 2)",
                     err_of(lu.concatenate, {a, a}, 3))
    assert.are.equal("concatenate: zero-dimensional arrays cannot be concatenated",
                     err_of(lu.concatenate, {A(1), A(2)}))
    assert.are.equal("concatenate: need at least one array to concatenate", err_of(lu.concatenate, {}))
    assert.are.equal("concatenate: cannot cast array data from float64 to int64 according to the rule 'same_kind'",
                     err_of(lu.concatenate, {A{1.5}}, {dtype = "int64"}))
    assert.are.equal("concatenate: only takes `out` or `dtype` as an argument, but both were provided",
                     err_of(lu.concatenate, {A{1.5}}, {out = A{0.0}, dtype = "float32"}))
    assert.are.equal("lunar.concatenate: bad argument #2 (unknown option 'axes')",
                     err_of(lu.concatenate, {a}, {axes = 1}))
    assert.are.equal("lunar.concatenate: bad argument #4 (unexpected argument (number); lunar.concatenate takes 2 positional arguments after the first)",
                     err_of(lu.concatenate, {a}, 1, nil, 5))
    assert.are.equal("stack: all input arrays must have the same shape, but array 1 has shape (2,3) and array 2 has shape (3,)",
                     err_of(lu.stack, {a, A{1, 2, 3}}))
  end)
  it("stack, vstack, hstack, dstack, column_stack, append", function()
    local x, y = A{1, 2}, A{3, 4}
    assert.are.same({{1, 2}, {3, 4}}, lu.stack{x, y}:totable())
    assert.are.same({{1, 3}, {2, 4}}, lu.stack({x, y}, -1):totable())
    assert.are.same({{1, 2}, {3, 4}}, lu.vstack{x, y}:totable())
    assert.are.same({{1, 2}, {3, 4}}, lu.row_stack{x, y}:totable())
    assert.are.same({1, 2, 3, 4}, lu.hstack{x, y}:totable())
    assert.are.same({{{1, 3}, {2, 4}}}, lu.dstack{x, y}:totable())
    assert.are.same({{1, 3}, {2, 4}}, lu.column_stack{x, y}:totable())
    assert.are.same({1, 2, 3, 4, 5}, lu.append(x, {3, 4, 5}):totable())
    assert.are.same({{1, 2}, {3, 4}}, lu.append(A{{1, 2}}, A{{3, 4}}, 1):totable())
    assert.are.equal("float32", lu.vstack({x, y}, {dtype = "float32"}).dtype)
  end)
  it("split family: tables of views, 1-based split positions", function()
    local a = R(10)
    local p = lu.split(a, {3, 6})
    assert.are.equal(3, #p)
    assert.are.same({0, 1}, p[1]:totable())
    assert.are.same({2, 3, 4}, p[2]:totable())
    assert.are.same({5, 6, 7, 8, 9}, p[3]:totable())
    p[2][1] = 100                        -- a view
    assert.are.equal(100, a[3])
    assert.are.same({8, 9}, lu.split(a, {-2})[2]:totable())
    local q = a:array_split(3)
    assert.are.same({4, 3, 3}, {#q[1], #q[2], #q[3]})
    local m = R(12):reshape(3, 4)
    local h = lu.hsplit(m, 2)
    assert.are.same({{0, 1}, {4, 5}, {8, 9}}, h[1]:totable())
    assert.are.same({{2, 3}, {6, 7}, {10, 11}}, h[2]:totable())
    assert.are.same({{0, 1, 2, 3}}, lu.vsplit(m, {2})[1]:totable())
    assert.are.same({3, 2, 1}, lu.dsplit(R(12):reshape(3, 2, 2), 2)[2].shape)
    assert.are.equal("lunar.split: array split does not result in an equal division (10 into 3 sections)",
                     err_of(lu.split, a, 3))
    assert.are.equal("lunar.split: bad argument #2 (split positions are 1-based (a piece starts at each), got 0)",
                     err_of(lu.split, a, {0, 3}))
    assert.are.equal("lunar.vsplit: bad argument #1 (vsplit only works on arrays of 2 or more dimensions (got 1))",
                     err_of(lu.vsplit, a, 2))
  end)
end)

describe("views of the manipulation routines on " .. dev, function()
  local function A(t, dt) return lu.array(t, {dtype = dt, device = dev}) end
  local function R(n, dt) return lu.arange(n, {device = dev, dtype = dt}) end

  it("flip, fliplr, flipud: views with negative strides", function()
    local m = R(6):reshape(2, 3)
    local f = lu.flip(m)
    assert.are.same({{5, 4, 3}, {2, 1, 0}}, f:totable())
    assert.are.same({-24, -8}, f.strides)
    assert.are.same({{3, 4, 5}, {0, 1, 2}}, m:flip(1):totable())
    assert.are.same({{2, 1, 0}, {5, 4, 3}}, m:fliplr():totable())
    assert.are.same({{3, 4, 5}, {0, 1, 2}}, lu.flipud(m):totable())
    assert.are.same({{5, 4, 3}, {2, 1, 0}}, lu.flip(m, {1, 2}):totable())
    f[{1, 1}] = 50
    assert.are.equal(50, m[{2, 3}])
    -- a flipped view feeds every op, and flipping twice is the original
    assert.are.same(m:totable(), lu.flip(lu.flip(m)):totable())
    assert.are.same({{100, 8, 6}, {4, 2, 0}}, (lu.flip(m) * 2):totable())
  end)
  it("rot90 in each direction, on a view", function()
    local m = A{{1, 2}, {3, 4}}
    assert.are.same({{2, 4}, {1, 3}}, lu.rot90(m):totable())
    assert.are.same({{4, 3}, {2, 1}}, lu.rot90(m, 2):totable())
    assert.are.same({{3, 1}, {4, 2}}, m:rot90(-1):totable())
    assert.are.same({{3, 1}, {4, 2}}, lu.rot90(m, 1, {2, 1}):totable())
    local r = lu.rot90(m)
    r[{1, 1}] = 20
    assert.are.equal(20, m[{1, 2}])
    assert.are.equal("lunar.rot90: bad argument #3 (Axes must be different.)",
                     err_of(lu.rot90, m, 1, {1, 1}))
  end)
  it("swapaxes, moveaxis, permute_dims, matrix_transpose", function()
    local t = R(24):reshape(2, 3, 4)
    assert.are.same({4, 3, 2}, lu.swapaxes(t, 1, 3).shape)
    assert.are.same({3, 4, 2}, t:moveaxis(1, -1).shape)
    assert.are.same({4, 2, 3}, lu.moveaxis(t, -1, 1).shape)
    assert.are.same({4, 3, 2}, lu.moveaxis(t, {1, 3}, {3, 1}).shape)
    assert.are.same({3, 2, 4}, lu.permute_dims(t, {2, 1, 3}).shape)
    assert.are.same({2, 4, 3}, lu.matrix_transpose(t).shape)
    assert.are.equal(t[{2, 3, 4}], lu.moveaxis(t, 1, -1)[{3, 4, 2}])
    assert.are.equal("lunar.moveaxis: bad argument #3 (`source` and `destination` arguments must have the same number of elements)",
                     err_of(lu.moveaxis, t, {1, 2}, {1}))
    assert.are.equal("lunar.swapaxes: bad argument #3 (axis 4 is out of bounds for array of dimension 3)",
                     err_of(lu.swapaxes, t, 1, 4))
  end)
  it("broadcast_to and broadcast_arrays are views", function()
    local a = A{1, 2, 3}
    local b = lu.broadcast_to(a, {2, 3})
    assert.are.same({{1, 2, 3}, {1, 2, 3}}, b:totable())
    assert.are.same({0, 8}, b.strides)
    local x, y = lu.broadcast_arrays(A{{1}, {2}}, a)
    assert.are.same({{1, 1, 1}, {2, 2, 2}}, x:totable())
    assert.are.same({{1, 2, 3}, {1, 2, 3}}, y:totable())
    assert.are.equal("broadcast_to: array of shape (3,) cannot be broadcast to shape (4,)",
                     err_of(lu.broadcast_to, a, {4}))
    assert.are.equal("broadcast_arrays: operands could not be broadcast together with shapes (3,) (2,)",
                     err_of(lu.broadcast_arrays, a, A{1, 2}))
  end)
  it("atleast_1d/2d/3d, one result per argument", function()
    assert.are.same({1}, lu.atleast_1d(5).shape)
    assert.are.same({1, 3}, lu.atleast_2d(A{1, 2, 3}).shape)
    assert.are.same({1, 3, 1}, lu.atleast_3d(A{1, 2, 3}).shape)
    assert.are.same({2, 2, 1}, lu.atleast_3d(A{{1, 2}, {3, 4}}).shape)
    local p, q = lu.atleast_2d(1, A{{1}})
    assert.are.same({1, 1}, p.shape)
    assert.are.same({1, 1}, q.shape)
  end)
  it("meshgrid xy and ij, sparse", function()
    local X, Y = lu.meshgrid(A{1, 2, 3}, A{4, 5})
    assert.are.same({{1, 2, 3}, {1, 2, 3}}, X:totable())
    assert.are.same({{4, 4, 4}, {5, 5, 5}}, Y:totable())
    local I, J = lu.meshgrid(A{1, 2, 3}, A{4, 5}, {indexing = "ij"})
    assert.are.same({3, 2}, I.shape)
    assert.are.same({{4, 5}, {4, 5}, {4, 5}}, J:totable())
    local sx, sy = lu.meshgrid(A{1, 2, 3}, A{4, 5}, {sparse = true})
    assert.are.same({1, 3}, sx.shape)
    assert.are.same({2, 1}, sy.shape)
    assert.are.equal("lunar.meshgrid: bad argument #3 (Valid values for `indexing` are 'xy' and 'ij'.)",
                     err_of(lu.meshgrid, A{1}, A{2}, {indexing = "yx"}))
  end)
end)

describe("tile, repeat, roll, pad, insert, delete on " .. dev, function()
  local function A(t, dt) return lu.array(t, {dtype = dt, device = dev}) end
  local function R(n, dt) return lu.arange(n, {device = dev, dtype = dt}) end

  it("tile", function()
    assert.are.same({0, 1, 2, 0, 1, 2}, lu.tile(R(3), 2):totable())
    assert.are.same({{0, 1, 0, 1}, {0, 1, 0, 1}}, R(2):tile{2, 2}:totable())
    assert.are.same({3, 6}, lu.tile(R(6):reshape(2, 3).T, {1, 3}).shape)
    assert.are.same({{1, 3, 1, 3}}, lu.tile(A{{1, 2}, {3, 4}}.T[{{1, 1}, {}}], {1, 2}):totable())
  end)
  it("repeat under both names, with one count and with counts", function()
    local a = A{1, 2, 3}
    assert.are.same({1, 1, 2, 2, 3, 3}, lu["repeat"](a, 2):totable())
    assert.are.same({1, 1, 2, 2, 3, 3}, a["repeat"](a, 2):totable())
    assert.are.same({1, 3, 3}, lu.repeat_interleave(a, {1, 0, 2}):totable())
    assert.are.same({1, 3, 3}, a:repeat_interleave(A{1, 0, 2}):totable())
    assert.are.same({{1, 2}, {1, 2}, {3, 4}}, lu.repeat_interleave(A{{1, 2}, {3, 4}}, {2, 1}, 1):totable())
    assert.are.same({1, 1, 2, 2, 3, 3, 4, 4}, lu.repeat_interleave(A{{1, 2}, {3, 4}}, 2):totable())
    -- many counts take the selection path
    local n = 200
    local counts = {}
    for i = 1, n do counts[i] = i % 3 end
    local r = lu.repeat_interleave(R(n), counts)
    local total = 0
    for i = 1, n do total = total + counts[i] end
    assert.are.equal(total, #r)
    assert.are.same({0, 1, 1, 3, 4, 4}, {r[1], r[2], r[3], r[4], r[5], r[6]})
    assert.are.equal("repeat: repeats may not contain negative values", err_of(lu.repeat_interleave, a, -1))
  end)
  it("roll", function()
    assert.are.same({3, 4, 0, 1, 2}, lu.roll(R(5), 2):totable())
    assert.are.same({1, 2, 3, 4, 0}, R(5):roll(-1):totable())
    local m = R(6):reshape(2, 3)
    assert.are.same({{5, 0, 1}, {2, 3, 4}}, lu.roll(m, 1):totable())
    assert.are.same({{2, 0, 1}, {5, 3, 4}}, lu.roll(m, 1, 2):totable())
    assert.are.same({{5, 3, 4}, {2, 0, 1}}, lu.roll(m, {1, 1}, {1, 2}):totable())
  end)
  it("pad in every mode", function()
    local a = A{1, 2, 3}
    assert.are.same({0, 0, 1, 2, 3, 0}, lu.pad(a, {2, 1}):totable())
    assert.are.same({9, 1, 2, 3, 9}, a:pad(1, "constant", {constant_values = 9}):totable())
    assert.are.same({1, 1, 2, 3, 3, 3}, lu.pad(a, {1, 2}, "edge"):totable())
    assert.are.same({3, 2, 1, 2, 3, 2, 1}, lu.pad(a, 2, "reflect"):totable())
    assert.are.same({2, 1, 1, 2, 3, 3, 2}, lu.pad(a, 2, "symmetric"):totable())
    assert.are.same({2, 3, 1, 2, 3, 1, 2}, lu.pad(a, 2, "wrap"):totable())
    assert.are.same({-1, 0, 1, 2, 3, 4, 5}, lu.pad(a, 2, "reflect", {reflect_type = "odd"}):totable())
    assert.are.same({10, 5, 1, 2, 3, 6, 10}, lu.pad(a, 2, "linear_ramp", {end_values = 10}):totable())
    assert.are.same({3, 1, 2, 3, 3}, lu.pad(a, 1, "maximum"):totable())
    assert.are.same({2, 1, 2, 3, 2}, lu.pad(a, 1, "mean"):totable())
    -- wider than the array, and corners
    assert.are.same({2, 1, 2, 3, 2, 1, 2, 3, 2, 1}, lu.pad(a, {5, 2}, "reflect"):totable())
    assert.are.same({{1, 1, 2, 2}, {1, 1, 2, 2}, {3, 3, 4, 4}, {3, 3, 4, 4}},
                    lu.pad(A{{1, 2}, {3, 4}}, 1, "edge"):totable())
    assert.are.equal("lunar.pad: bad argument #3 (mode 'median' is not supported)",
                     err_of(lu.pad, a, 1, "median"))
    assert.are.equal("lunar.pad: bad argument #2 (index can't contain negative values)",
                     err_of(lu.pad, a, -1))
    assert.are.equal("lunar.pad: bad argument #4 (unsupported keyword argument for mode 'edge': constant_values)",
                     err_of(lu.pad, a, 1, "edge", {constant_values = 1}))
    assert.are.equal("pad: can't extend empty axis 1 using modes other than 'constant' or 'empty' (mode 'wrap')",
                     err_of(lu.pad, A{}, 1, "wrap"))
  end)
  it("insert and delete at 1-based positions", function()
    local a = A{10, 20, 30}
    assert.are.same({99, 10, 20, 30}, lu.insert(a, 1, 99):totable())
    assert.are.same({10, 99, 20, 30}, a:insert(2, 99):totable())
    assert.are.same({10, 20, 30, 99}, lu.insert(a, 4, 99):totable())
    assert.are.same({10, 20, 99, 30}, lu.insert(a, -1, 99):totable())
    assert.are.same({1, 10, 20, 2, 30}, lu.insert(a, {1, 3}, {1, 2}):totable())
    assert.are.same({{1, 0, 2}, {3, 0, 4}}, lu.insert(A{{1, 2}, {3, 4}}, 2, 0, 2):totable())
    assert.are.same({20}, lu.delete(a, {1, -1}):totable())
    assert.are.same({10, 30}, a:delete(2):totable())
    assert.are.same({10}, lu.delete(a, A{false, true, true}):totable())
    assert.are.same({{2}, {4}}, lu.delete(A{{1, 2}, {3, 4}}, 1, 2):totable())
    assert.are.same({1, 3, 4}, lu.delete(A{{1, 2}, {3, 4}}, 2):totable())
    assert.are.equal("lunar.delete: bad argument #2 (index 4 is out of bounds for axis 1 with size 3)",
                     err_of(lu.delete, a, 4))
    assert.are.equal("lunar.insert: bad argument #2 (index 5 is out of bounds for axis 1 with size 3)",
                     err_of(lu.insert, a, 5, 1))
    -- many positions take the selection paths
    local big = R(300)
    local odd = {}
    for i = 1, 300, 2 do odd[#odd + 1] = i end
    local d = lu.delete(big, odd)
    assert.are.equal(150, #d)
    assert.are.same({1, 3, 5}, {d[1], d[2], d[3]})
    local ins = lu.insert(R(100), {table.unpack(odd, 1, 50)}, 0)
    assert.are.equal(150, #ins)
    assert.are.same({0, 0, 1, 0, 2, 3}, {ins[1], ins[2], ins[3], ins[4], ins[5], ins[6]})
  end)
  it("resize and trim_zeros", function()
    assert.are.same({{1, 2, 3}, {1, 2, 3}}, lu.resize(A{1, 2, 3}, {2, 3}):totable())
    assert.are.same({1, 2}, lu.resize(A{{1, 2}, {3, 4}}, 2):totable())
    assert.are.same({0, 0}, lu.resize(A({}, "int32"), 2):totable())
    local z = A{0, 0, 1, 0, 2, 0}
    local t = lu.trim_zeros(z)
    assert.are.same({1, 0, 2}, t:totable())
    t[2] = 7                              -- a view
    assert.are.equal(7, z[4])
    assert.are.same({1, 7, 2, 0}, z:trim_zeros("f"):totable())
    assert.are.same({0, 0, 1, 7, 2}, lu.trim_zeros(z, "b"):totable())
    assert.are.same({}, lu.trim_zeros(A{0, 0}):totable())
  end)
end)
end

for _, dev in ipairs(lu.devices()) do
describe("small compositions on " .. dev, function()
  local function A(t, dt) return lu.array(t, {dtype = dt, device = dev}) end

  it("ndim, shape, size, rollaxis, unstack", function()
    local t = lu.zeros({2, 3, 4}, {device = dev})
    assert.are.equal(3, lu.ndim(t))
    assert.are.same({2, 3, 4}, lu.shape(t))
    assert.are.equal(24, lu.size(t))
    assert.are.equal(3, lu.size(t, 2))
    assert.are.equal(0, lu.ndim(5))
    assert.are.same({4, 2, 3}, lu.rollaxis(t, 3).shape)
    assert.are.same({2, 4, 3}, lu.rollaxis(t, 3, 2).shape)
    assert.are.same({3, 4, 2}, lu.rollaxis(t, 1, 4).shape)
    local a, b = lu.unstack(A{{1, 2}, {3, 4}})
    assert.are.same({1, 2}, a:totable())
    assert.are.same({3, 4}, b:totable())
    local c1, c2 = lu.unstack(A{{1, 2}, {3, 4}}, {axis = 2})
    assert.are.same({1, 3}, c1:totable())
    assert.are.same({2, 4}, c2:totable())
  end)
  it("block assembles nested tables of blocks", function()
    local a = A{{1, 2}, {3, 4}}
    local r = lu.block{{a, A{{5}, {6}}}, {A{{7, 8, 9}}}}
    assert.are.same({{1, 2, 5}, {3, 4, 6}, {7, 8, 9}}, r:totable())
    assert.are.equal(dev, r.device)
    assert.are.same({1, 2, 3, 4, 5}, lu.block{A{1, 2}, 3, A{4, 5}}:totable())
    assert.are.equal("lunar.block: bad argument #1 (List at arrays[2] cannot be empty)",
                     err_of(lu.block, {{a}, {}}))
  end)
  it("require, asarray_chkfinite, broadcast_shapes, broadcast", function()
    local t = A{{1, 2}, {3, 4}}.T
    assert.are.same({16, 8}, lu.require(t, nil, "C").strides)
    assert.are.equal(t, lu.require(t))
    assert.are.equal("lunar.require: bad argument #3 (lunar arrays are C-ordered: 'F' cannot be met)",
                     err_of(lu.require, t, nil, {"F"}))
    assert.are.equal("lunar.asarray_chkfinite: array must not contain infs or NaNs",
                     err_of(lu.asarray_chkfinite, A{1, math.huge}))
    assert.are.same({1, 2}, lu.asarray_chkfinite(A{1, 2}):totable())
    assert.are.same({4, 2, 3}, lu.broadcast_shapes({4, 1, 3}, {2, 1}, 1))
    local b = lu.broadcast(A{{1}, {2}}, A{1, 2, 3})
    assert.are.same({2, 3}, b.shape)
    assert.are.equal(6, b.size)
  end)
  it("fill and tobytes", function()
    local a = A({1, 2, 3}, "int16")
    assert.is_nil(a:fill(7))
    assert.are.same({7, 7, 7}, a:totable())
    assert.are.equal(string.pack("<i2i2i2", 7, 7, 7), a:tobytes())
    local m = A{{1.5, 2.5}, {3.5, 4.5}}
    assert.are.equal(string.pack("<dddd", 1.5, 3.5, 2.5, 4.5), m.T:tobytes())
    assert.are.same(m.T:totable(), lu.frombuffer(m.T:tobytes()):reshape(2, 2):totable())
    assert.are.equal("array:fill: Python integer 300 out of bounds for int8",
                     err_of(function() A({1}, "int8"):fill(300) end))
  end)
end)
end
