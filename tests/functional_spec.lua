-- SPDX-License-Identifier: MIT
-- piecewise, apply_along_axis, apply_over_axes, vectorize and frompyfunc
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

  describe("frompyfunc on " .. dev, function()
    local A = h.on(dev)
    -- expected values from NumPy 1.24's frompyfunc (object arrays there)
    local add = lu.frompyfunc(function(a, b) return a + b end, 2, 1)
    it("calls the function over broadcast elements, Lua values in, Lua values out", function()
      assert.are.same({2, 3, 4}, add(A{0, 1, 2}, 2):to("cpu"):totable())
      assert.are.equal(dev, add(A{0, 1, 2}, 2).device)
      assert.are.equal(3, add(1, 2))
      assert.are.equal(2, add.nin)
      assert.are.equal(1, add.nout)
      local dm = lu.frompyfunc(function(a, b) return a // b, a % b end, 2, 2)
      local q, r = dm(A{0, 1, 2, 3, 4}, 3)
      assert.are.same({0, 0, 0, 1, 1}, q:to("cpu"):totable())
      assert.are.same({0, 1, 2, 0, 1}, r:to("cpu"):totable())
    end)
    it("reduce, accumulate and outer of a function of two arguments", function()
      local m = A{{0, 1, 2}, {3, 4, 5}}
      assert.are.same({3, 5, 7}, add:reduce(m):to("cpu"):totable())
      assert.are.same({3, 12}, add:reduce(m, 2):to("cpu"):totable())
      assert.are.same({{3}, {12}}, add:reduce(m, {axis = 2, keepdims = true}):to("cpu"):totable())
      assert.are.same({13, 15, 17}, add:reduce(m, {initial = 10}):to("cpu"):totable())
      assert.are.equal(6, add:reduce(A{0, 1, 2, 3}, nil))
      assert.are.same({{0, 1, 2}, {3, 5, 7}}, add:accumulate(m):to("cpu"):totable())
      assert.are.same({{0, 1, 3}, {3, 7, 12}}, add:accumulate(m, 2):to("cpu"):totable())
      assert.are.same({{0, 1}, {1, 2}, {2, 3}}, add:outer(A{0, 1, 2}, A{0, 1}):to("cpu"):totable())
      local mul = lu.frompyfunc(function(a, b) return a * b end, 2, 1, {identity = 1})
      assert.are.equal(1, mul:reduce(A({}, "float64")))
      assert.are.same({1, 1}, mul:reduce(lu.zeros({2, 0}, {device = dev}), 2):to("cpu"):totable())
    end)
    it("errors name the function and the argument", function()
      assert.are.equal("lunar.frompyfunc: the function takes 2 arguments, got 1", h.err_of(add, 1))
      assert.are.equal("lunar.frompyfunc: bad argument #1 (function expected, got number)",
                       h.err_of(lu.frompyfunc, 3, 2, 1))
      assert.are.equal("lunar.frompyfunc: bad argument #2 (nin must be an integer >= 1, got 0)",
                       h.err_of(lu.frompyfunc, print, 0, 1))
      assert.are.equal("lunar.frompyfunc: bad argument #4 (unknown option 'bogus')",
                       h.err_of(lu.frompyfunc, print, 1, 1, {bogus = 1}))
      assert.are.equal("lunar.frompyfunc: reduce of an empty axis with no identity",
                       h.err_of(add.reduce, add, A({}, "float64")))
      assert.are.equal("lunar.frompyfunc: reduce is not reorderable, so at most one axis may be given",
                       h.err_of(add.reduce, add, A{{1, 2}}, nil))
      local two = lu.frompyfunc(function(a) return a, a end, 1, 1)
      assert.are.equal("lunar.frompyfunc: the function returned 2 values, nout is 1", h.err_of(two, 1))
      local dm = lu.frompyfunc(function(a, b) return a, b end, 2, 2)
      assert.are.equal("lunar.frompyfunc: reduce needs a function of 2 arguments and 1 result (nin=2, nout=2)",
                       h.err_of(dm.reduce, dm, A{1, 2}))
    end)
  end)
end
