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
