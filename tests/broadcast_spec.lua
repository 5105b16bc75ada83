-- SPDX-License-Identifier: MIT
-- NumPy's broadcasting rules for binary and ternary ops.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of

for _, dev in ipairs(lu.devices()) do
describe("broadcasting on " .. dev, function()
  local A = h.on(dev)

  it("(3,1) + (1,4) -> (3,4)", function()
    local r = A{{0}, {10}, {20}} + A{{1, 2, 3, 4}}
    assert.are.same({3, 4}, r.shape)
    assert.are.same({{1, 2, 3, 4}, {11, 12, 13, 14}, {21, 22, 23, 24}}, r:totable())
  end)
  it("(4,) + (3,4): the row repeats", function()
    local r = A{1, 2, 3, 4} + A{{0, 0, 0, 0}, {10, 10, 10, 10}, {20, 20, 20, 20}}
    assert.are.same({{1, 2, 3, 4}, {11, 12, 13, 14}, {21, 22, 23, 24}}, r:totable())
  end)
  it("many short rows against one row or one column: each value by hand", function()
    -- Z[i][j] = 10 i + j (0-based), rows of 1, 10 and 300 elements: every
    -- row repeated, a row of another dtype (cast), a strided row, and a
    -- row on the left of the operator
    for _, n in ipairs({1, 10, 300}) do
      local rows = 1000
      local Z = (lu.arange(0, rows, {device = dev}):reshape(rows, 1) * 10 +
                 lu.arange(0, n, {device = dev})):astype("float64")
      local b = lu.arange(0, n, {device = dev}):astype("float64") * 1000
      local bi = lu.arange(0, n, {device = dev}):astype("int32")
      local bs = lu.arange(0, 2 * n, {device = dev}):astype("float64")[{{1, -1, 2}}]   -- 0, 2, 4 ...
      local s1, s2, s3 = (Z + b):totable(), (Z * bi):totable(), (bs - Z):totable()
      local ok = true
      for i = 0, rows - 1 do
        for j = 0, n - 1 do
          local z = 10 * i + j
          ok = ok and s1[i + 1][j + 1] == z + 1000 * j and s2[i + 1][j + 1] == z * j and
               s3[i + 1][j + 1] == 2 * j - z
        end
      end
      assert.is_true(ok, "rows of " .. n)
      -- one value per row: a float64 column, an int32 one, a strided one
      local col = lu.arange(0, rows, {device = dev}):astype("float64"):reshape(rows, 1) * 1000
      local coli = lu.arange(0, rows, {device = dev}):astype("int32"):reshape(rows, 1)
      local cols = lu.arange(0, 2 * rows, {device = dev}):astype("float64")[{{1, -1, 2}}]:reshape(rows, 1)
      local c1, c2, c3 = (Z - col):totable(), (coli * Z):totable(), (Z + cols):totable()
      for i = 0, rows - 1 do
        for j = 0, n - 1 do
          local z = 10 * i + j
          ok = ok and c1[i + 1][j + 1] == z - 1000 * i and c2[i + 1][j + 1] == i * z and
               c3[i + 1][j + 1] == z + 2 * i
        end
      end
      assert.is_true(ok, "columns against rows of " .. n)
    end
  end)
  it("(3,4) - (4,) keeps the order of operands", function()
    local r = A{{10, 10, 10, 10}, {20, 20, 20, 20}, {30, 30, 30, 30}} - A{1, 2, 3, 4}
    assert.are.same({{9, 8, 7, 6}, {19, 18, 17, 16}, {29, 28, 27, 26}}, r:totable())
  end)
  it("(3,) column against (3,1) row", function()
    local r = A{{1}, {2}, {3}} * A{1, 10, 100}
    assert.are.same({{1, 10, 100}, {2, 20, 200}, {3, 30, 300}}, r:totable())
  end)
  it("0-d array with anything", function()
    local r = lu.array(5, {device = dev}) + A{{1, 2, 3}, {4, 5, 6}}
    assert.are.same({2, 3}, r.shape)
    assert.are.same({{6, 7, 8}, {9, 10, 11}}, r:totable())
  end)
  it("(2,1,3) + (4,1) -> (2,4,3)", function()
    local a = A{{{0, 1, 2}}, {{100, 101, 102}}}
    local b = A{{0}, {10}, {20}, {30}}
    local r = a + b
    assert.are.same({2, 4, 3}, r.shape)
    assert.are.same({
      {{0, 1, 2}, {10, 11, 12}, {20, 21, 22}, {30, 31, 32}},
      {{100, 101, 102}, {110, 111, 112}, {120, 121, 122}, {130, 131, 132}},
    }, r:totable())
  end)
  it("size-0 axes broadcast against 1", function()
    local r = lu.zeros({0, 3}, {device = dev}) + lu.ones({1, 3}, {device = dev})
    assert.are.same({0, 3}, r.shape)
  end)
  it("comparisons broadcast", function()
    assert.are.same({{false, true}, {true, true}}, A{{1}, {3}}:gt(A{2, 0}):totable())
  end)
  it("where broadcasts all three operands", function()
    local r = lu.where(A{{true}, {false}}, A{1, 2, 3}, A{{10}, {20}})
    assert.are.same({{1, 2, 3}, {20, 20, 20}}, r:totable())
  end)
  it("clip broadcasts its bounds", function()
    local r = lu.clip(A{{1, 5, 9}, {1, 5, 9}}, A{{2}, {4}}, 6)
    assert.are.same({{2, 5, 6}, {4, 5, 6}}, r:totable())
  end)
  it("broadcast operand that is also transposed", function()
    local m = A{{1, 2}, {3, 4}, {5, 6}}       -- (3,2); m.T is (2,3)
    assert.are.same({{2, 4, 6}, {3, 5, 7}}, (m.T + A{{1}, {1}}):totable())
  end)
  it("incompatible shapes are an error naming both", function()
    assert.are.equal("add: operands could not be broadcast together with shapes (3,) (4,)",
      err_of(function() return A{1, 2, 3} + A{1, 2, 3, 4} end))
    assert.are.equal("multiply: operands could not be broadcast together with shapes (2,3) (3,2)",
      err_of(function() return lu.zeros(2, 3, {device = dev}) * lu.zeros(3, 2, {device = dev}) end))
  end)
end)
end
