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
      assert.are.same({3, 4, 5}, a[{{3}}]:totable())
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
  end)
end)
end
