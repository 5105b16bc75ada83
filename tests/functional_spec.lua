-- SPDX-License-Identifier: MIT
-- piecewise, apply_along_axis, apply_over_axes and vectorize
-- (lua/functional.lua): hand-checked values on every device; the
-- differential suite compares them with NumPy (tests/diff/cases/functional.py).
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

for _, dev in ipairs(lu.devices()) do
  describe("functional routines on " .. dev, function()
    local A = h.on(dev)

    it("piecewise applies functions and values where their conditions hold", function()
      local x = A({-2, -1, 0, 1, 2}, "float64")
      local y = lu.piecewise(x, {x:lt(0), x:gt(0)}, {function(v) return -v end, 10, 0.5})
      assert.are.equal(dev, y.device)
      assert.are.same({2, 1, 0.5, 10, 10}, y:totable())
      assert.are.same({0, 0, 0, 3, 6}, lu.piecewise(x, x:gt(0), {function(v, k) return v * k end}, 3):totable())
      assert.are.same({7, 7, 0}, lu.piecewise(A({1, 2, 3}, "int32"), {true, true, false}, {7}):totable())
      assert.are.equal("lunar.piecewise: bad argument #3 (with 2 condition(s), either 2 or 3 functions are "
                       .. "expected, got 1)", h.err_of(lu.piecewise, x, {x:lt(0), x:gt(0)}, {1}))
    end)

    it("applies along and over axes", function()
      local b = A({{8, 1, 7}, {4, 3, 9}})
      local ends = function(v) return v[1] + v[v.size] end
      assert.are.same({12, 4, 16}, lu.apply_along_axis(ends, 1, b):totable())
      assert.are.same({15, 13}, lu.apply_along_axis(ends, 2, b):totable())
      assert.are.same({{1, 7, 8}, {3, 4, 9}}, lu.apply_along_axis(lu.sort, -1, b):totable())
      local s = lu.apply_over_axes(lu.sum, lu.arange(24, {device = dev}):reshape(2, 3, 4), {1, 3})
      assert.are.same({{{60}, {92}, {124}}}, s:totable())
      assert.are.equal("lunar.apply_along_axis: bad argument #2 (axis 3 is out of bounds for array of dimension 2)",
                       h.err_of(lu.apply_along_axis, ends, 3, b))
      assert.are.equal("lunar.apply_over_axes: bad argument #1 (function is not returning an array of the correct shape)",
                       h.err_of(lu.apply_over_axes, function(a) return a:sum() end, lu.zeros({2, 3, 4}), {1}))
    end)

    it("vectorizes a Lua function over broadcast elements", function()
      local f = lu.vectorize(function(a, b) if a > b then return a - b else return a + b end end)
      local r = f(A({1, 2, 3, 4}), 2)
      assert.are.equal(dev, r.device)
      assert.are.same({3, 4, 1, 2}, r:totable())
      local g = lu.vectorize(function(a, b) return a * b, a + b end, "float32")
      local p, q = g(A({1, 2}), A({{1}, {3}}))
      assert.are.equal("float32", p.dtype)
      assert.are.same({{1, 2}, {3, 6}}, p:totable())
      assert.are.same({{2, 3}, {4, 5}}, q:totable())
      local ex = lu.vectorize(function(t, i) return t[i] end, nil, nil, {1})
      assert.are.same({20, 10}, ex({10, 20}, A({2, 1})):totable())
      assert.are.equal("lunar.vectorize: bad argument #3 (doc: lunar functions carry no doc strings (pass nil))",
                       h.err_of(lu.vectorize, print, nil, "doc"))
      assert.are.equal("lunar.vectorize: cannot call a vectorized function on size 0 inputs without otypes",
                       h.err_of(f, A({}, "float64"), 1))
    end)
  end)
end
