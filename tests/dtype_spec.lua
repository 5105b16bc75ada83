-- SPDX-License-Identifier: MIT
-- Type promotion (NumPy 2, NEP 50: Lua numbers are weak scalars), casts
-- and the Lua types of values read back.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of

for _, dev in ipairs(lu.devices()) do
describe("dtypes on " .. dev, function()
  local A = h.on(dev)

  describe("promotion of two arrays", function()
    -- NumPy's np.result_type for the dtypes of the foundation issue
    local cases = {
      {"bool", "bool", "bool"}, {"bool", "int32", "int32"}, {"bool", "int64", "int64"},
      {"bool", "float32", "float32"}, {"bool", "float64", "float64"},
      {"int32", "int32", "int32"}, {"int32", "int64", "int64"},
      {"int32", "float32", "float64"}, {"int32", "float64", "float64"},
      {"int64", "float32", "float64"}, {"int64", "float64", "float64"},
      {"float32", "float32", "float32"}, {"float32", "float64", "float64"},
      {"int8", "int16", "int16"}, {"int8", "uint8", "int16"}, {"uint8", "int32", "int32"},
      {"int16", "float32", "float32"}, {"uint32", "int32", "int64"}, {"uint64", "int64", "float64"},
    }
    for _, c in ipairs(cases) do
      it(c[1] .. " + " .. c[2] .. " -> " .. c[3], function()
        local x, y = A({1, 0}, c[1]), A({1, 1}, c[2])
        assert.are.equal(c[3], (x + y).dtype)
        assert.are.equal(c[3], (y + x).dtype)
        assert.are.equal(c[3], lu.maximum(x, y).dtype)
      end)
    end
    it("bool + bool is logical or, bool * bool logical and", function()
      local t, f = A{true, true, false, false}, A{true, false, true, false}
      assert.are.same({true, true, true, false}, (t + f):totable())
      assert.are.same({true, false, false, false}, (t * f):totable())
    end)
  end)

  describe("weak Lua scalars (NEP 50)", function()
    it("float32 + 1.5 stays float32", function()
      local r = A({1, 2}, "float32") + 1.5
      assert.are.equal("float32", r.dtype)
      assert.are.same({2.5, 3.5}, r:totable())
    end)
    it("1.5 + float32 stays float32", function()
      assert.are.equal("float32", (1.5 + A({1, 2}, "float32")).dtype)
    end)
    it("int32 + 1 stays int32", function()
      local r = A({1, 2}, "int32") + 1
      assert.are.equal("int32", r.dtype)
      assert.are.same({2, 3}, r:totable())
    end)
    it("int32 + 1.5 is float64", function()
      local r = A({1, 2}, "int32") + 1.5
      assert.are.equal("float64", r.dtype)
      assert.are.same({2.5, 3.5}, r:totable())
    end)
    it("float32 + 1 stays float32", function()
      assert.are.equal("float32", (A({1}, "float32") + 1).dtype)
    end)
    it("bool + 1 is int64, bool + 1.5 is float64", function()
      local r = A{true, false} + 1
      assert.are.equal("int64", r.dtype)
      assert.are.same({2, 1}, r:totable())
      assert.are.equal("float64", (A{true, false} + 1.5).dtype)
    end)
    it("int8 + 1 stays int8", function()
      assert.are.equal("int8", (A({1}, "int8") + 1).dtype)
    end)
    it("int8 + 1000 is an error naming the value and the dtype", function()
      local msg = err_of(function() return A({1}, "int8") + 1000 end)
      assert.is_string(msg)
      assert.truthy(msg:find("1000", 1, true), msg)
      assert.truthy(msg:find("int8", 1, true), msg)
    end)
    it("a Lua boolean is a weak bool", function()
      assert.are.equal("int32", (A({1, 2}, "int32") * true).dtype)
      assert.are.same({true, false}, lu.logical_and(A{true, false}, true):totable())
    end)
    it("comparisons with weak scalars give bool", function()
      local r = A({1, 2}, "int32"):lt(1.5)
      assert.are.equal("bool", r.dtype)
      assert.are.same({true, false}, r:totable())
    end)
  end)

  describe("true division", function()
    it("int32 / int32 is float64", function()
      local r = A({1, 3}, "int32") / A({2, 2}, "int32")
      assert.are.equal("float64", r.dtype)
      assert.are.same({0.5, 1.5}, r:totable())
    end)
    it("bool / bool is float64, as every integer division", function()
      local r = A{true, false} / A{true, true}
      assert.are.equal("float64", r.dtype)
      assert.are.same({1, 0}, r:totable())
      assert.are.equal("float64", (A({1}, "int8") / A({2}, "int8")).dtype)
    end)
    it("int64 / 2 is float64", function()
      assert.are.equal("float64", (A{1, 2} / 2).dtype)
    end)
    it("float32 / float32 is float32, float32 / 2 too", function()
      assert.are.equal("float32", (A({1}, "float32") / A({2}, "float32")).dtype)
      assert.are.equal("float32", (A({1}, "float32") / 2).dtype)
    end)
  end)

  describe("float functions of integers", function()
    it("sqrt of int32/int64 is float64, of float32 float32", function()
      assert.are.equal("float64", lu.sqrt(A({4}, "int32")).dtype)
      assert.are.equal("float64", lu.sqrt(A({4}, "int64")).dtype)
      assert.are.equal("float32", lu.sqrt(A({4}, "float32")).dtype)
      assert.are.equal("float32", lu.exp(A({0}, "float32")).dtype)
    end)
  end)

  describe("values read back", function()
    it("int arrays give Lua integers, float arrays floats, bool booleans", function()
      assert.are.equal("integer", math.type(A({1}, "int32")[1]))
      assert.are.equal("integer", math.type(A({1}, "int64"):item()))
      assert.are.equal("float", math.type(A({1}, "float32")[1]))
      assert.are.equal("float", math.type(A({1}, "float64"):totable()[1]))
      assert.are.equal(true, A({true}, "bool")[1])
    end)
    it("int32 arithmetic wraps around like NumPy arrays", function()
      assert.are.same({-2147483648}, (A({2147483647}, "int32") + 1):totable())
    end)
    it("int64 keeps 64-bit values", function()
      assert.are.equal(math.maxinteger, A({math.maxinteger})[1])
    end)
  end)

  describe("astype", function()
    it("float to int truncates towards zero", function()
      local r = A{1.9, -1.9, 2.5}:astype("int32")
      assert.are.equal("int32", r.dtype)
      assert.are.same({1, -1, 2}, r:totable())
    end)
    it("to bool is != 0", function()
      assert.are.same({false, true, true}, A{0, 3, -0.5}:astype("bool"):totable())
    end)
    it("bool to float", function()
      assert.are.same({1, 0}, A{true, false}:astype("float64"):totable())
    end)
    it("float64 to float32 rounds", function()
      assert.are.equal(0.100000001490116119384765625, A{0.1}:astype("float32")[1])
    end)
    it("rejects an unknown dtype naming it", function()
      local msg = err_of(function() return A{1}:astype("foo") end)
      assert.is_string(msg)
      assert.truthy(msg:find("foo", 1, true), msg)
    end)
  end)
end)
end
