-- SPDX-License-Identifier: MIT
-- Error messages, as a user reads them, and the interpreter staying usable.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of

for _, dev in ipairs(lu.devices()) do
describe("errors on " .. dev, function()
  local A = h.on(dev)
  -- after every error lunar must still compute
  local function still_works()
    local a = A{{1, 2}, {3, 4}}
    assert.are.equal(10, a:sum():item())
    assert.are.same({{7, 10}, {15, 22}}, lu.matmul(a, a):totable())
  end

  local cases = {
    {"a negative shape", "lunar.zeros: bad argument #1 (shape must be non-negative integers, got -3)",
      function() return lu.zeros(-3, {device = dev}) end},
    {"shapes that do not broadcast", "add: operands could not be broadcast together with shapes (3,) (4,)",
      function() return A{1, 2, 3} + A{1, 2, 3, 4} end},
    {"misaligned matmul", "matmul: shapes (3,4) and (5,6) not aligned: 4 (dim 2) != 5 (dim 1)",
      function() return lu.zeros({3, 4}, {device = dev}):matmul(lu.zeros({5, 6}, {device = dev})) end},
    {"an index out of bounds", "index 7 is out of bounds for axis 1 with size 5",
      function() return lu.zeros(5, {device = dev})[7] end},
    {"too many indices", "too many indices for array: array is 2-dimensional, but 3 were indexed",
      function() return lu.zeros({2, 3}, {device = dev})[{1, 2, 3}] end},
    {"subtract of bools", "subtract: no loop for dtype bool",
      function() return A{true} - A{false} end},
    {"a closed array", "attempt to use a closed array",
      function() local a = A{1}; a:close(); return a + 1 end},
  }
  for _, c in ipairs(cases) do
    it(c[1] .. ": " .. c[2], function()
      assert.are.equal(c[2], err_of(c[3]))
      still_works()
    end)
  end

  it("an unknown dtype is named", function()
    local msg = err_of(lu.zeros, 3, "float128")
    assert.is_string(msg)
    assert.truthy(msg:find("float128", 1, true), msg)
    still_works()
  end)
  it("a wrong argument type is named", function()
    assert.is_string(err_of(lu.add, A{1}, "x"))
    assert.is_string(err_of(lu.array, {1, "x"}))
    assert.is_string(err_of(lu.zeros, "abc"))
    still_works()
  end)
  it("errors do not escape as crashes inside coroutines", function()
    local co = coroutine.create(function() return A{1, 2} + A{1, 2, 3} end)
    local ok, msg = coroutine.resume(co)
    assert.is_false(ok)
    assert.truthy(tostring(msg):find("could not be broadcast", 1, true))
    still_works()
  end)
  it("many errors in a row leave lunar usable", function()
    for _ = 1, 200 do
      pcall(function() return A{1, 2} + A{1, 2, 3} end)
      pcall(function() return lu.zeros(5, {device = dev})[9] end)
    end
    still_works()
  end)
  it("methods called on non-arrays fail with a type error", function()
    local a = A{1}
    assert.is_string(err_of(a.sum, 42))
    still_works()
  end)
end)
end
