-- SPDX-License-Identifier: MIT
-- Indexing: 1-based, inclusive ranges with steps, negative from the end,
-- masks, and assignment through all of them.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of

for _, dev in ipairs(lu.devices()) do
describe("indexing on " .. dev, function()
  local A = h.on(dev)

  describe("reading", function()
    it("a[i] on a 1-d array is a Lua value", function()
      local a = A{10, 20, 30, 40, 50}
      assert.are.equal(10, a[1])
      assert.are.equal(50, a[5])
      assert.are.equal(50, a[-1])
      assert.are.equal(40, a[-2])
      assert.are.equal(10, a[-5])
      assert.are.equal("integer", math.type(a[1]))
      assert.are.equal(2.5, A{1.0, 2.5}[2])
      assert.are.equal(false, A{true, false}[2])
    end)
    it("integer-array gathers larger than a work chunk: rows, columns, strides, bad indices", function()
      -- m[i][j] = 100 (i - 1) + j - 1, so each gathered value names its place
      local R, C = 1000, 37
      local m = (lu.arange(R, {device = dev}):reshape(R, 1) * 100 + lu.arange(C, {device = dev}))
                :astype("float32")
      local idx = (lu.arange(5000, {device = dev}) * 7919) % R + 1        -- 1-based rows
      local want = ((idx - 1):reshape(5000, 1) * 100 + lu.arange(C, {device = dev})):astype("float32")
      assert.is_true(lu.array_equal(m[idx], want))
      assert.is_true(lu.array_equal(lu.take(m, idx, 1), want))
      -- columns: m[{{}, cidx}], a strided operand and negative positions
      local cidx = A{37, 1, -1, 5}
      local cw = lu.stack({m[{{}, 37}], m[{{}, 1}], m[{{}, 37}], m[{{}, 5}]}, 2)
      assert.is_true(lu.array_equal(m[{{}, cidx}], cw))
      local flat = m:reshape(-1)
      local st = flat[{{1, -1, 3}}]                                        -- every third
      local fi = (lu.arange(200000, {device = dev}) * 31) % st.size + 1
      local q = (fi - 1) * 3                                               -- 0-based in flat
      assert.is_true(lu.array_equal(st[fi], (lu.floor_divide(q, C) * 100 + q % C):astype("float32")))
      for _, dt in ipairs{"bool", "int8", "float16", "int32", "float64", "complex128"} do
        local x = m:astype(dt)
        assert.is_true(lu.array_equal(x[idx], want:astype(dt)), dt)
      end
      -- a bad position far into the gather
      local bad = idx:copy()
      bad[4999] = R + 1
      assert.matches("index 1001 is out of bounds for axis 1 with size 1000", h.err_of(function()
        local r = m[bad]; lu.synchronize(); return r end))
      bad[4999] = -R - 1
      assert.matches("index %-1001 is out of bounds", h.err_of(function()
        local r = m[bad]; lu.synchronize(); return r end))
    end)
    it("a[i] on a 2-d array is a row view", function()
      local m = A{{1, 2, 3}, {4, 5, 6}}
      local r = m[2]
      assert.are.same({3}, r.shape)
      assert.are.same({4, 5, 6}, r:totable())
      assert.are.equal(6, m[2][3])
      assert.are.same({1, 2, 3}, m[-2]:totable())
    end)
    it("a[{i, j}] is a Lua value", function()
      local m = A{{1, 2, 3}, {4, 5, 6}}
      assert.are.equal(6, m[{2, 3}])
      assert.are.equal(6, m[{-1, -1}])
      assert.are.equal(1, m[{1, 1}])
      assert.are.equal(2, m[{1, -2}])
    end)
    it("a[{i}] on a 2-d array is a view", function()
      assert.are.same({4, 5, 6}, A{{1, 2, 3}, {4, 5, 6}}[{2}]:totable())
    end)
    it("inclusive ranges", function()
      local a = A{1, 2, 3, 4, 5}
      assert.are.same({2, 3, 4}, a[{{2, 4}}]:totable())
      assert.are.same({3}, a[{{3}}]:totable())      -- {k}: the single position k
      assert.are.same({3, 4, 5}, a[{{3, -1}}]:totable())
      assert.are.same({4, 5}, a[{{-2, -1}}]:totable())
      assert.are.same({1, 2, 3, 4, 5}, a[{{}}]:totable())
      assert.are.same({3}, a[{{3, 3}}]:totable())
    end)
    it("ranges with steps, also negative", function()
      local a = A{1, 2, 3, 4, 5}
      assert.are.same({1, 3, 5}, a[{{1, -1, 2}}]:totable())
      assert.are.same({2, 5}, a[{{2, 5, 3}}]:totable())
      assert.are.same({5, 4, 3, 2, 1}, a[{{-1, 1, -1}}]:totable())
      assert.are.same({5, 3, 1}, a[{{5, 1, -2}}]:totable())
    end)
    it("an empty range gives an empty array", function()
      assert.are.same({0}, A{1, 2, 3}[{{3, 2}}].shape)
    end)
    it("ranges and integers on 2-d arrays", function()
      local m = A{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
      assert.are.same({2, 5, 8}, m[{{}, 2}]:totable())
      assert.are.same({4, 5, 6}, m[{2, {}}]:totable())
      assert.are.same({{1, 2, 3}, {7, 8, 9}}, m[{{1, -1, 2}, {}}]:totable())
      assert.are.same({{5, 6}, {8, 9}}, m[{{2, 3}, {2, 3}}]:totable())
      assert.are.same({{9, 7}, {3, 1}}, m[{{-1, 1, -2}, {-1, 1, -2}}]:totable())
      assert.are.same({{2}, {5}, {8}}, m[{{}, {2, 2}}]:totable())
    end)
    it("indexing a transposed view", function()
      local m = A{{1, 2, 3}, {4, 5, 6}}
      assert.are.equal(6, m.T[{3, 2}])
      assert.are.same({3, 6}, m.T[3]:totable())
    end)
    it("boolean masks", function()
      local a = A{1, 2, 3, 4, 5}
      local r = a[a:gt(2)]
      assert.are.same({3}, r.shape)
      assert.are.same({3, 4, 5}, r:totable())
      local m = A{{1, 2, 3}, {4, 5, 6}}
      assert.are.same({3, 4, 5, 6}, m[m:gt(2)]:totable())
      assert.are.same({1, 3, 5}, m[A{{true, false, true}, {false, true, false}}]:totable())
      assert.are.same({0}, a[a:gt(10)].shape)
    end)
  end)

  describe("views share data", function()
    it("writing through a column view changes the base", function()
      local m = A{{1, 2, 3}, {4, 5, 6}}
      local col = m[{{}, 2}]
      col[1] = 100
      assert.are.same({{1, 100, 3}, {4, 5, 6}}, m:totable())
    end)
    it("writing through a row view", function()
      local m = A{{1, 2, 3}, {4, 5, 6}}
      m[2][3] = 60
      assert.are.same({{1, 2, 3}, {4, 5, 60}}, m:totable())
    end)
    it("a mask result is a copy", function()
      local a = A{1, 2, 3}
      local r = a[a:gt(1)]
      r[1] = 100
      assert.are.same({1, 2, 3}, a:totable())
    end)
  end)

  describe("assignment", function()
    it("a[i] = v", function()
      local a = A{1, 2, 3}
      a[2] = 10
      a[-1] = 30
      assert.are.same({1, 10, 30}, a:totable())
    end)
    it("casts the value to the array's dtype", function()
      local a = A({1, 2, 3}, "int32")
      a[1] = 2.7
      assert.are.same({2, 2, 3}, a:totable())
      local f = A({0, 0}, "float32")
      f[1] = 0.1
      assert.are.equal(0.100000001490116119384765625, f[1])
      local b = A{true, true}
      b[2] = false
      assert.are.same({true, false}, b:totable())
    end)
    it("a[{i, j}] = v", function()
      local m = lu.zeros({2, 3}, {device = dev})
      m[{2, 3}] = 5
      m[{-2, -3}] = 7
      assert.are.same({{7, 0, 0}, {0, 0, 5}}, m:totable())
    end)
    it("a row = number and = array", function()
      local m = lu.zeros({2, 3}, {device = dev, dtype = "int64"})
      m[1] = 4
      m[2] = A{7, 8, 9}
      assert.are.same({{4, 4, 4}, {7, 8, 9}}, m:totable())
    end)
    it("a column and a stepped range = number", function()
      local m = lu.ones({2, 3}, {device = dev, dtype = "int64"})
      m[{{}, 1}] = 0
      assert.are.same({{0, 1, 1}, {0, 1, 1}}, m:totable())
      local z = lu.zeros(6, {device = dev, dtype = "int64"})
      z[{{1, -1, 2}}] = 1
      assert.are.same({1, 0, 1, 0, 1, 0}, z:totable())
    end)
    it("broadcasts an array value", function()
      local m = lu.zeros({3, 3}, {device = dev, dtype = "int64"})
      m[{{}, {}}] = A{1, 2, 3}
      assert.are.same({{1, 2, 3}, {1, 2, 3}, {1, 2, 3}}, m:totable())
      m[{{1, 2}, {2, 3}}] = A{{10}, {20}}
      assert.are.same({{1, 10, 10}, {1, 20, 20}, {1, 2, 3}}, m:totable())
    end)
    it("converts an array value of another dtype", function()
      local m = lu.zeros(3, {device = dev, dtype = "int32"})
      m[{{}}] = A{1.9, -2.9, 3.0}
      assert.are.same({1, -2, 3}, m:totable())
    end)
    it("through a transposed view", function()
      local m = A{{1, 2, 3}, {4, 5, 6}}
      m.T[{{}, 1}] = 0
      assert.are.same({{0, 0, 0}, {4, 5, 6}}, m:totable())
    end)
    it("through a mask with a number", function()
      local a = A{1, 5, 2, 6}
      a[a:gt(3)] = 0
      assert.are.same({1, 0, 2, 0}, a:totable())
      local m = A{{1, 5}, {7, 2}}
      m[m:gt(3)] = -1
      assert.are.same({{1, -1}, {-1, 2}}, m:totable())
    end)
    it("through a mask with one value per selected element", function()
      local a = A{1, 5, 2, 6}
      a[a:gt(3)] = A{50, 60}
      assert.are.same({1, 50, 2, 60}, a:totable())
    end)
    it("overlapping source and target behave as if copied first", function()
      local a = A{1, 2, 3, 4, 5}
      a[{{2, 5}}] = a[{{1, 4}}]
      assert.are.same({1, 1, 2, 3, 4}, a:totable())
      local b = A{1, 2, 3, 4, 5}
      b[{{1, 4}}] = b[{{2, 5}}]
      assert.are.same({2, 3, 4, 5, 5}, b:totable())
      local c = A{1, 2, 3, 4, 5}
      c[{{}}] = c[{{-1, 1, -1}}]
      assert.are.same({5, 4, 3, 2, 1}, c:totable())
      local m = A{{1, 2}, {3, 4}}
      m[{{}, {}}] = m.T
      assert.are.same({{1, 3}, {2, 4}}, m:totable())
    end)
  end)

  describe("errors", function()
    it("index out of bounds names index, axis and size", function()
      local a = lu.zeros(5, {device = dev})
      assert.are.equal("index 7 is out of bounds for axis 1 with size 5", err_of(function() return a[7] end))
      assert.are.equal("index -6 is out of bounds for axis 1 with size 5", err_of(function() return a[-6] end))
      local m = lu.zeros({3, 5}, {device = dev})
      assert.are.equal("index 7 is out of bounds for axis 2 with size 5", err_of(function() return m[{1, 7}] end))
      assert.are.equal("index 4 is out of bounds for axis 1 with size 3", err_of(function() return m[{4, 1}] end))
      assert.are.equal("index 7 is out of bounds for axis 1 with size 5",
        err_of(function() a[7] = 1 end))
    end)
    it("index 0 is an error", function()
      assert.is_string(err_of(function() return lu.zeros(5, {device = dev})[0] end))
    end)
    it("too many indices", function()
      local m = lu.zeros({2, 3}, {device = dev})
      assert.are.equal("too many indices for array: array is 2-dimensional, but 3 were indexed",
        err_of(function() return m[{1, 1, 1}] end))
    end)
    it("a mask of the wrong shape", function()
      local a = A{1, 2, 3}
      assert.is_string(err_of(function() return a[A{true, false}] end))
    end)
    it("a value that does not broadcast", function()
      local m = lu.zeros({2, 3}, {device = dev})
      assert.is_string(err_of(function() m[{{}, {}}] = A{1, 2} end))
    end)
    it("a range has at most three entries and says how to index a list", function()
      local a = A{1, 2, 3, 4, 5}
      assert.are.equal("a range has at most 3 entries {start, stop, step}, got 4; to index a list of positions use an integer array: a[lunar.array{...}]",
        err_of(function() return a[{{1, 2, 3, 4}}] end))
      assert.are.equal("range bounds must be integers, got 1.5", err_of(function() return a[{{1.5, 2}}] end))
      assert.are.equal("range step cannot be zero", err_of(function() return a[{{1, 2, 0}}] end))
    end)
    it("a one-element range out of bounds is an error like an integer", function()
      assert.are.equal("index 6 is out of bounds for axis 1 with size 5",
        err_of(function() return A{1, 2, 3, 4, 5}[{{6}}] end))
    end)
    it("a boolean is not an index", function()
      assert.are.equal("a boolean is not an index; to select with a mask use a bool array (a[lunar.array{true, false, ...}] or a[x:gt(0)])",
        err_of(function() return A{1, 2}[{true, 1}] end))
    end)
    it("a float array is not an index", function()
      assert.are.equal("arrays used as indices must be of integer (or boolean) type, got float64",
        err_of(function() return A{1, 2}[A{1.0}] end))
    end)
    it("only one ellipsis", function()
      assert.are.equal("an index can only have a single ellipsis",
        err_of(function() return A{{1, 2}}[{lu.ellipsis, lu.ellipsis}] end))
    end)
  end)

  -- an out-of-range index in an array is reported at the next
  -- synchronisation on a GPU: every check here reads the result back
  describe("integer arrays", function()
    local function I(t, dt) return lu.array(t, {dtype = dt or "int64", device = dev}) end
    it("a[idx] picks 1-based positions, negative from the end, repeats allowed", function()
      local a = A{10, 20, 30, 40, 50}
      assert.are.same({10, 30, 50}, a[I{1, 3, 5}]:totable())
      assert.are.same({50, 40, 50}, a[I{-1, -2, 5}]:totable())
      assert.are.same({20, 20}, a[I{2, 2}]:totable())
      assert.are.same({{10, 20}, {50, 10}}, a[I{{1, 2}, {5, 1}}]:totable())
      assert.are.same({0}, a[I({}, "int64")].shape)
    end)
    it("every integer dtype indexes", function()
      local a = A{10, 20, 30}
      for _, dt in ipairs{"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"} do
        assert.are.same({30, 10}, a[I({3, 1}, dt)]:totable())
      end
    end)
    it("rows of a matrix and columns with a[{{}, idx}]", function()
      local m = A{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
      assert.are.same({{7, 8, 9}, {1, 2, 3}}, m[I{3, 1}]:totable())
      assert.are.same({{3, 1}, {6, 4}, {9, 7}}, m[{{}, I{3, 1}}]:totable())
      assert.are.same({{2, 3}, {8, 9}}, m[{{1, -1, 2}, I{2, 3}}]:totable())
    end)
    it("paired arrays broadcast together", function()
      local m = A{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
      assert.are.same({1, 5, 9}, m[{I{1, 2, 3}, I{1, 2, 3}}]:totable())
      assert.are.same({{1, 3}, {7, 9}}, m[{I{{1}, {3}}, I{1, 3}}]:totable())
      assert.are.same({3, 6}, m[{I{1, 2}, 3}]:totable())
    end)
    it("the index dims go first when the arrays are separated (NumPy's rule)", function()
      local x = lu.arange(24, {device = dev}):reshape(2, 3, 4)
      assert.are.same({2, 3}, x[{I{1, 2}, {}, I{1, 2}}].shape)
      assert.are.same({2, 3}, x[{1, {}, I{1, 2}}].shape)
      assert.are.same({2, 2}, x[{{}, 1, I{1, 2}}].shape)
      assert.are.same({2, 1, 4}, x[{I{1, 2}, lu.newaxis, I{1, 2}}].shape)
      assert.are.same({{0, 4, 8}, {13, 17, 21}}, x[{I{1, 2}, {}, I{1, 2}}]:totable())
      assert.are.same({{0, 1}, {4, 5}, {8, 9}}, x[{1, {}, I{1, 2}}]:totable() and
        x[{1, {}, I{1, 2}}].T:totable())
    end)
    it("assignment through an index array broadcasts the value", function()
      local a = A{0, 0, 0, 0}
      a[I{1, 3}] = 7
      assert.are.same({7, 0, 7, 0}, a:totable())
      a[I{2, -1}] = A{5, 6}
      assert.are.same({7, 5, 7, 6}, a:totable())
      local m = lu.zeros({3, 3}, {device = dev, dtype = "int64"})
      m[I{1, 3}] = A{1, 2, 3}
      assert.are.same({{1, 2, 3}, {0, 0, 0}, {1, 2, 3}}, m:totable())
      m[{I{1, 2}, I{2, 3}}] = -1
      assert.are.same({{1, -1, 3}, {0, 0, -1}, {1, 2, 3}}, m:totable())
    end)
    it("repeated positions in an assignment: the last one wins", function()
      local a = A{0, 0, 0}
      a[I{1, 1, 2, 1}] = A{1, 2, 3, 4}
      assert.are.same({4, 3, 0}, a:totable())
      local m = lu.zeros({2, 2}, {device = dev, dtype = "int64"})
      m[I{2, 2}] = A{{1, 2}, {3, 4}}
      assert.are.same({{0, 0}, {3, 4}}, m:totable())
    end)
    it("an index array that is the target itself is read before writing", function()
      local a = A{2, 1, 3}
      a[a] = A{7, 8, 9}
      assert.are.same({8, 7, 9}, a:totable())
    end)
    it("out of range on any axis names the axis, the index as written and the size", function()
      local m = lu.zeros({3, 4}, {device = dev})
      assert.are.equal("index 4 is out of bounds for axis 1 with size 3",
        err_of(function() return m[I{1, 4}]:totable() end))
      assert.are.equal("index -5 is out of bounds for axis 2 with size 4",
        err_of(function() return m[{{}, I{-5}}]:totable() end))
      assert.are.equal("index 0 is out of bounds for axis 2 with size 4",
        err_of(function() return m[{1, I{0}}]:totable() end))
      assert.are.equal("index 9 is out of bounds for axis 1 with size 3",
        err_of(function() m[I{9}] = 1; return m:totable() end))
      -- the context is fine afterwards
      assert.are.same({0, 0, 0}, m[{{}, 1}]:totable())
    end)
    it("shape mismatches", function()
      local m = lu.zeros({3, 4}, {device = dev})
      assert.are.equal("shape mismatch: indexing arrays could not be broadcast together with shapes (2,) (3,)",
        err_of(function() return m[{I{1, 2}, I{1, 2, 3}}] end))
      assert.are.equal("shape mismatch: value array of shape (3,) could not be broadcast to indexing result of shape (2,4)",
        err_of(function() m[I{1, 2}] = A{1, 2, 3} end))
      assert.are.equal("too many indices for array: array is 2-dimensional, but 3 were indexed",
        err_of(function() return m[{I{1}, I{1}, I{1}}] end))
    end)
  end)

  describe("masks", function()
    it("a mask over the leading axes selects rows", function()
      local X = A{{1, 2}, {3, 4}, {5, 6}}
      local y = A{0, 1, 0}
      assert.are.same({{1, 2}, {5, 6}}, X[y:eq(0)]:totable())
      X[y:eq(0)] = 0
      assert.are.same({{0, 0}, {3, 4}, {0, 0}}, X:totable())
      X[y:eq(1)] = A{{7, 8}}
      assert.are.same({{0, 0}, {7, 8}, {0, 0}}, X:totable())
    end)
    it("a mask in a key table, with other entries", function()
      local m = A{{1, 2, 3}, {4, 5, 6}}
      local c = A{true, false, true}
      assert.are.same({{1, 3}, {4, 6}}, m[{{}, c}]:totable())
      assert.are.same({4, 6}, m[{2, c}]:totable())
    end)
    it("a Lua table of booleans is a mask", function()
      local a = A{1, 2, 3}
      assert.are.same({1, 3}, a[{true, false, true}]:totable())
      a[{false, true, false}] = 9
      assert.are.same({1, 9, 3}, a:totable())
      local m = A{{1, 2}, {3, 4}}
      assert.are.same({{3, 4}}, m[{false, true}]:totable())
      assert.are.same({{2}, {4}}, m[{{}, {false, true}}]:totable())
    end)
    it("a mask of the wrong length names the axis and both sizes", function()
      local m = A{{1, 2}, {3, 4}}
      assert.are.equal("boolean index did not match indexed array along axis 2; size of axis is 2 but size of corresponding boolean axis is 3",
        err_of(function() return m[{{}, A{true, false, true}}] end))
    end)
    it("assignment of one value per selected element", function()
      local a = A{1, 5, 2, 6}
      a[a:gt(3)] = A{50, 60}
      assert.are.same({1, 50, 2, 60}, a:totable())
      assert.are.equal("index: boolean array indexing assignment cannot assign 3 input values to the 2 output values where the mask is true",
        err_of(function() a[a:gt(10)] = A{1, 2, 3} end) and
        err_of(function() local b = A{1, 5, 2, 6}; b[b:gt(3)] = A{1, 2, 3} end))
    end)
    it("every dtype", function()
      for _, dt in ipairs{"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                          "uint64", "float32", "float64"} do
        local a = lu.array({1, 0, 1, 1}, {dtype = dt, device = dev})
        local m = A{true, false, false, true}
        a[m] = 0
        assert.are.same(lu.array({0, 0, 1, 0}, {dtype = dt, device = "cpu"}):totable(), a:totable())
        assert.are.equal(dt, a[m].dtype)
      end
    end)
  end)

  describe("newaxis and ellipsis", function()
    it("are sentinels, not nil", function()
      assert.is_not_nil(lu.newaxis)
      assert.is_not_nil(lu.ellipsis)
      assert.are.equal("lunar.newaxis", tostring(lu.newaxis))
      assert.are.equal("lunar.ellipsis", tostring(lu.ellipsis))
    end)
    it("newaxis adds an axis of length 1", function()
      local a = A{1, 2, 3}
      assert.are.same({1, 3}, a[lu.newaxis].shape)
      assert.are.same({3, 1}, a[{{}, lu.newaxis}].shape)
      assert.are.same({{1}, {2}, {3}}, a[{{}, lu.newaxis}]:totable())
    end)
    it("ellipsis stands for every axis not named", function()
      local x = lu.arange(24, {device = dev}):reshape(2, 3, 4)
      assert.are.same({2, 3}, x[{lu.ellipsis, 1}].shape)
      assert.are.same({3, 4}, x[{1, lu.ellipsis}].shape)
      assert.are.same({2, 4}, x[{1, lu.ellipsis, 1}].shape and x[{{}, 1, lu.ellipsis}].shape)
      assert.are.same({2, 3, 4}, x[lu.ellipsis].shape)
    end)
  end)

  describe("routines", function()
    local function I(t) return lu.array(t, {dtype = "int64", device = dev}) end
    it("take and put, with modes and by keyword", function()
      local a = A{{1, 2, 3}, {4, 5, 6}}
      assert.are.same({1, 6, 3}, lu.take(a, I{1, 6, 3}):totable())
      assert.are.same({{3, 1}, {6, 4}}, a:take(I{3, 1}, 2):totable())
      assert.are.same({{4, 5, 6}}, lu.take(a, I{2}, {axis = 1}):totable())
      assert.are.equal(5, lu.take(a, 5))
      assert.are.same({1, 6, 2}, lu.take(a, I{7, 0, 8}, nil, "wrap"):totable())
      assert.are.same({6, 1}, lu.take(a, I{9, -9}, {mode = "clip"}):totable())
      assert.are.equal("take: index 7 is out of bounds for size 6",
        err_of(function() return lu.take(a, I{7}):totable() end))
      assert.are.equal("lunar.take: bad argument #4 (mode must be 'raise', 'wrap' or 'clip', got 'x')",
        err_of(lu.take, a, I{1}, nil, "x"))
      assert.are.equal("lunar.take: bad argument #3 (unknown option 'foo')",
        err_of(lu.take, a, I{1}, {foo = 1}))
      local b = A{0, 0, 0, 0}
      lu.put(b, I{1, 3}, A{7, 8})
      assert.are.same({7, 0, 8, 0}, b:totable())
      b:put(I{2, 4, 2}, A{1, 2})
      assert.are.same({7, 1, 8, 2}, b:totable())
    end)
    it("take_along_axis and put_along_axis", function()
      local a = A{{10, 30, 20}, {60, 40, 50}}
      local i = lu.argmax(a, 2, true)
      assert.are.same({{30}, {60}}, lu.take_along_axis(a, i, 2):totable())
      lu.put_along_axis(a, i, 0, 2)
      assert.are.same({{10, 0, 20}, {0, 40, 50}}, a:totable())
      assert.are.equal("take_along_axis: `indices` and `arr` must have the same number of dimensions (1 and 2)",
        err_of(lu.take_along_axis, a, I{1}, 1))
    end)
    it("compress, extract, choose", function()
      local a = A{{1, 2}, {3, 4}, {5, 6}}
      assert.are.same({{1, 2}, {5, 6}}, lu.compress(A{true, false, true}, a, 1):totable())
      assert.are.same({{2}, {4}, {6}}, a:compress(A{false, true}, 2):totable())
      assert.are.same({4, 5, 6}, lu.extract(a:gt(3), a):totable())
      assert.are.same({10, 2, 30}, lu.choose(I{1, 2, 1}, {A{10, 20, 30}, A{1, 2, 3}}):totable())
      assert.are.same({10, 2, 30}, I{1, 2, 1}:choose({A{10, 20, 30}, A{1, 2, 3}}):totable())
      assert.are.equal("compress: condition must be a 1-d array, got 2 dimensions",
        err_of(lu.compress, a:gt(1), a))
    end)
    it("nonzero, where, flatnonzero, argwhere give 1-based positions", function()
      local m = A{{0, 7}, {8, 0}}
      local r, c = lu.nonzero(m)
      assert.are.same({1, 2}, r:totable())
      assert.are.same({2, 1}, c:totable())
      assert.are.same({7, 8}, m[{lu.nonzero(m)}] and m[{r, c}]:totable())
      local r2 = lu.where(m:gt(7))
      assert.are.same({2}, r2:totable())
      assert.are.same({2, 3}, lu.flatnonzero(m):totable())
      assert.are.same({{1, 2}, {2, 1}}, lu.argwhere(m):totable())
      assert.are.same({1, 0, 1}, lu.where(A{true, false, true}, 1, 0):totable())
      assert.are.equal("nonzero: calling nonzero on a 0-d array is not allowed; use atleast_1d first",
        err_of(lu.nonzero, A(5)))
    end)
    it("place and putmask", function()
      local a = A{1, 2, 3, 4, 5}
      lu.place(a, a:gt(2), A{10, 20})
      assert.are.same({1, 2, 10, 20, 10}, a:totable())
      local b = A{1, 2, 3, 4, 5}
      lu.putmask(b, b:gt(2), A{10, 20})
      assert.are.same({1, 2, 10, 20, 10}, b:totable())
      assert.are.equal("place: cannot insert from an empty array",
        err_of(lu.place, A{1, 2}, A{true, true}, lu.zeros(0, {device = dev})))
      assert.are.equal("putmask: mask and data must be the same size (3 and 2)",
        err_of(lu.putmask, A{1, 2}, A{true, true, false}, 1))
    end)
    it("diagonals, triangles, trace", function()
      local m = A{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
      assert.are.same({1, 5, 9}, m:diagonal():totable())
      assert.are.same({2, 6}, lu.diagonal(m, 1):totable())
      m:diagonal()[{{}}] = 0       -- a writable view
      assert.are.same({0, 0, 0}, m:diagonal():totable())
      assert.are.same({{1, 0}, {0, 2}}, lu.diag(A{1, 2}):totable())
      assert.are.same({{0, 0, 0}, {4, 0, 0}, {7, 8, 0}}, lu.tril(m):totable())
      assert.are.same({{0, 2, 3}, {0, 0, 6}, {0, 0, 0}}, lu.triu(m):totable())
      assert.are.equal(12, lu.trace(A{{5, 1}, {2, 7}}):item())
      assert.are.same({{1, 0}, {1, 1}}, lu.tri(2, 2, 0, "int32"):totable())
      assert.are.equal("diagonal: axis1 and axis2 cannot be the same",
        err_of(lu.diagonal, m, 0, 1, 1))
    end)
    it("grids and flat positions", function()
      local g = lu.indices({2, 3}, {device = dev})
      assert.are.same({{1, 1, 1}, {2, 2, 2}}, g[1]:totable())
      local r, c = lu.unravel_index(I{1, 6}, {2, 3})
      assert.are.same({1, 2}, r:totable())
      assert.are.same({1, 3}, c:totable())
      assert.are.same({1, 6}, lu.ravel_multi_index({I{1, 2}, I{1, 3}}, {2, 3}):totable())
      assert.are.equal("unravel_index: index 7 is out of bounds for array with size 6",
        err_of(lu.unravel_index, I{7}, {2, 3}))
      local rows, cols = lu.ix_(I{1, 2}, I{2})
      assert.are.same({{2}, {5}}, A{{1, 2, 3}, {4, 5, 6}}[{rows, cols}]:totable())
    end)
    it("add_at and the other ufunc.at forms count every repeated position", function()
      local a = A{0, 0, 0}
      lu.add_at(a, I{1, 1, 3, 1}, 1)
      assert.are.same({3, 0, 1}, a:totable())
      lu.add_at(a, {2, 2}, A{5, 6})
      assert.are.same({3, 11, 1}, a:totable())
      local m = lu.zeros({2, 2}, {device = dev, dtype = "int64"})
      lu.add_at(m, {I{1, 1, 2}, I{2, 2, 1}}, 1)
      assert.are.same({{0, 2}, {1, 0}}, m:totable())
      local x = A{5.0, 1.0, 3.0}
      lu.maximum_at(x, I{2, 2}, A{4.0, 2.0})
      lu.minimum_at(x, I{1}, 0.5)
      lu.multiply_at(x, I{3, 3}, 2.0)
      lu.subtract_at(x, I{3}, 1.0)
      assert.are.same({0.5, 4.0, 11.0}, x:totable())
      for _, dt in ipairs{"int8", "uint16", "int32", "uint64", "float32", "float64"} do
        local y = lu.zeros(2, {dtype = dt, device = dev})
        lu.add_at(y, I{1, 1, 1, 2}, 2)
        assert.are.same({6, 2}, y:totable())
      end
      assert.are.equal("subtract_at: boolean subtract is not supported, use logical_xor",
        err_of(lu.subtract_at, A{true}, I{1}, true))
      assert.are.equal("add_at: index 4 is out of bounds for axis 1 with size 3",
        err_of(function() lu.add_at(a, I{4}, 1); return a:totable() end))
    end)
    it("the *_indices helpers, select, fill_diagonal", function()
      local r, c = lu.tril_indices(3)
      assert.are.same({1, 2, 2, 3, 3, 3}, r:totable())
      assert.are.same({1, 1, 2, 1, 2, 3}, c:totable())
      local ur, uc = lu.triu_indices(3, 1)
      assert.are.same({1, 1, 2}, ur:totable())
      assert.are.same({2, 3, 3}, uc:totable())
      local d1, d2 = lu.diag_indices(2)
      assert.are.same({1, 2}, d1:totable())
      local x = lu.arange(6, {device = dev})
      assert.are.same({0, 1, -1, -1, 16, 25},
        lu.select({x:lt(2), x:gt(3)}, {x, x * x}, -1):totable())
      local m = lu.zeros({3, 3}, {device = dev})
      lu.fill_diagonal(m, 5)
      assert.are.same({5, 5, 5}, m:diagonal():totable())
    end)
    it("iterators", function()
      local seen = {}
      for idx in lu.ndindex(2, 2) do seen[#seen + 1] = idx[1] * 10 + idx[2] end
      assert.are.same({11, 12, 21, 22}, seen)
      local vals = {}
      for v in lu.flatiter(A{{1, 2}, {3, 4}}.T) do vals[#vals + 1] = v end
      assert.are.same({1, 3, 2, 4}, vals)
      local pairs_ = {}
      for idx, v in lu.ndenumerate(A{{1, 2}}) do pairs_[#pairs_ + 1] = idx[2] * 100 + v end
      assert.are.same({101, 202}, pairs_)
      assert.is_true(lu.iterable(A{1}))
      assert.is_false(lu.iterable(A(1)))
      assert.are.same({1, 2, 3, 4}, lu.r_[{A{1, 2}, 3, A{4}}]:totable())
    end)
  end)

  describe("Lua idioms", function()
    it("ipairs and a numeric for walk a 1-d array and stop at the end", function()
      local a = A{10, 20, 30}
      local seen = {}
      for i, v in ipairs(a) do seen[i] = v end
      assert.are.same({10, 20, 30}, seen)
      local s = 0
      for i = 1, #a do s = s + a[i] end
      assert.are.equal(60, s)
      assert.is_nil(a[4])
      assert.are.equal("index 5 is out of bounds for axis 1 with size 3", err_of(function() return a[5] end))
    end)
    it("ipairs over a matrix gives its rows", function()
      local n = 0
      for _, row in ipairs(A{{1, 2}, {3, 4}}) do n = n + row:sum():item() end
      assert.are.equal(10, n)
    end)
  end)
end)
end
