-- SPDX-License-Identifier: MIT
-- interp, unwrap and cross (lua/calc.lua): hand-checked values on every device;
-- the differential suite compares them with NumPy (tests/diff/cases/calc.py).
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

for _, dev in ipairs(lu.devices()) do
  describe("interp, unwrap and cross on " .. dev, function()
    local A = h.on(dev)

    it("interpolates between, at and outside the sample points", function()
      local y = lu.interp(A({0, 1, 1.5, 2.75, 3, 9, 0 / 0}), {1, 2, 3}, {3, 2, 0})
      assert.are.equal(dev, y.device)
      assert.are.equal("float64", y.dtype)
      local g = y:totable()
      assert.are.same({3, 3, 2.5, 0.5, 0, 0}, {g[1], g[2], g[3], g[4], g[5], g[6]})
      assert.is_true(g[7] ~= g[7])
      assert.are.same({-1, 7}, lu.interp(A({0, 4}), {1, 2, 3}, {3, 2, 0}, -1, 7):totable())
      assert.are.same({9}, lu.interp(A({4}), {1, 2, 3}, {3, 2, 0}, {right = 9}):totable())
      assert.are.equal(2.5, lu.interp(1.5, {1, 2}, {2, 3}):item())
      -- one sample point: its value everywhere but outside
      assert.are.same({-1, 1, 7}, lu.interp(A({0, 5, 1}), {1}, {7}, -1, 1):totable())
      -- 350 and 10 degrees are 20 apart across 0
      assert.are.same({5}, lu.interp(A({0}), {350, 10}, {0, 10}, {period = 360}):totable())
      local c = lu.interp(A({1.5}), {1, 2}, A({1, 3}, "complex128") * lu.complex(0, 1))
      assert.are.equal("complex128", c.dtype)
      assert.are.equal(2, c.imag:item())
    end)

    it("unwraps jumps beyond half a period", function()
      local u = lu.unwrap(A({0, 0.5, 2 * math.pi + 1, 2 * math.pi + 1.5}))
      local g = u:totable()
      assert.are.same({0, 0.5}, {g[1], g[2]})
      assert.is_true(math.abs(g[3] - 1) < 1e-15 and math.abs(g[4] - 1.5) < 1e-15)
      -- integers with an integer period stay integers
      local i = lu.unwrap(A({1, 2, 3, 4, 5, 6, 1, 2, 3}, "int32"), {period = 6})
      assert.are.equal("int32", i.dtype)
      assert.are.same({1, 2, 3, 4, 5, 6, 7, 8, 9}, i:totable())
      assert.are.same({{0, 6}, {3, 0.5 + 2 * math.pi}},
                      lu.unwrap(A({{0, 6}, {3, 0.5}}), nil, 1):totable())
      assert.are.same({5}, lu.unwrap(A({5.0})):totable())
    end)

    it("takes cross products of 2- and 3-vectors", function()
      assert.are.same({-3, 6, -3}, lu.cross(A({1, 2, 3}), A({4, 5, 6})):totable())
      assert.are.equal(-3, lu.cross(A({1, 2}), A({4, 5})):item())
      assert.are.same({12, -6, -3}, lu.cross(A({1, 2}), A({4, 5, 6})):totable())
      local x, y = A({{1, 0, 0}, {0, 1, 0}}), A({0, 0, 1})
      assert.are.same({{0, -1, 0}, {1, 0, 0}}, lu.cross(x, y):totable())
      assert.are.same({{0, 1}, {-1, 0}, {0, 0}}, lu.cross(x, y, {axisc = 1}):totable())
      assert.are.equal("lunar.cross: bad argument #1 (incompatible dimensions for cross product "
                       .. "(dimension must be 2 or 3, got 4 and 3))",
                       h.err_of(lu.cross, A({1, 2, 3, 4}), A({1, 2, 3})))
    end)

    it("refuses bad arguments", function()
      assert.are.equal("lunar.interp: bad argument #3 (fp and xp are not of the same length (1 and 2))",
                       h.err_of(lu.interp, A({1}), {1, 2}, {1}))
      assert.are.equal("lunar.interp: bad argument #2 (array of sample points is empty)",
                       h.err_of(lu.interp, A({1}), {}, {}))
      assert.are.equal("lunar.interp: bad argument #6 (period must be a non-zero value)",
                       h.err_of(lu.interp, A({1}), {1, 2}, {1, 2}, {period = 0}))
      assert.are.equal("lunar.interp: bad argument #4 (unknown option 'bogus')",
                       h.err_of(lu.interp, A({1}), {1, 2}, {1, 2}, {bogus = 1}))
      assert.are.equal("lunar.unwrap: bad argument #3 (axis 3 is out of bounds for array of dimension 1)",
                       h.err_of(lu.unwrap, A({1, 2}), nil, 3))
      assert.are.equal("lunar.unwrap: bad argument #1 (diff requires input that is at least one dimensional)",
                       h.err_of(lu.unwrap, 5))
    end)
  end)
end
