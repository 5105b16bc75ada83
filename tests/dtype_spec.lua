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

-- {===== float16, bfloat16, complex64 and complex128
-- result_type of every pair: NumPy's (np.result_type, NumPy 1.24) for the
-- dtypes NumPy has; bfloat16 by ml_dtypes' rules (written by hand): it takes
-- float16's place with bool and the 8-bit integers, and meets float16 and
-- the 16-bit integers in float32.
local NAMES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
               "float16", "float32", "float64", "complex64", "complex128"}
local RESULT = {
  bool = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64", "complex64", "complex128"},
  int8 = {"int8", "int8", "int16", "int32", "int64", "int16", "int32", "int64", "float64", "float16", "float32", "float64", "complex64", "complex128"},
  int16 = {"int16", "int16", "int16", "int32", "int64", "int16", "int32", "int64", "float64", "float32", "float32", "float64", "complex64", "complex128"},
  int32 = {"int32", "int32", "int32", "int32", "int64", "int32", "int32", "int64", "float64", "float64", "float64", "float64", "complex128", "complex128"},
  int64 = {"int64", "int64", "int64", "int64", "int64", "int64", "int64", "int64", "float64", "float64", "float64", "float64", "complex128", "complex128"},
  uint8 = {"uint8", "int16", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64", "complex64", "complex128"},
  uint16 = {"uint16", "int32", "int32", "int32", "int64", "uint16", "uint16", "uint32", "uint64", "float32", "float32", "float64", "complex64", "complex128"},
  uint32 = {"uint32", "int64", "int64", "int64", "int64", "uint32", "uint32", "uint32", "uint64", "float64", "float64", "float64", "complex128", "complex128"},
  uint64 = {"uint64", "float64", "float64", "float64", "float64", "uint64", "uint64", "uint64", "uint64", "float64", "float64", "float64", "complex128", "complex128"},
  float16 = {"float16", "float16", "float32", "float64", "float64", "float16", "float32", "float64", "float64", "float16", "float32", "float64", "complex64", "complex128"},
  float32 = {"float32", "float32", "float32", "float64", "float64", "float32", "float32", "float64", "float64", "float32", "float32", "float64", "complex64", "complex128"},
  float64 = {"float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "complex128", "complex128"},
  complex64 = {"complex64", "complex64", "complex64", "complex128", "complex128", "complex64", "complex64", "complex128", "complex128", "complex64", "complex64", "complex128", "complex64", "complex128"},
  complex128 = {"complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128"},
}
-- bfloat16 with each of NAMES, then with itself
local BF16 = {"bfloat16", "bfloat16", "float32", "float64", "float64", "bfloat16", "float32", "float64",
              "float64", "float32", "float32", "float64", "complex64", "complex128"}

for _, dev in ipairs(lu.devices()) do
describe("float16, bfloat16 and complex dtypes on " .. dev, function()
  local A = h.on(dev)
  local C = lu.complex

  local function one(dt)
    if dt == "bool" then return A({true}, dt) end
    return A({1}, dt)
  end

  it("promotion of every pair of dtypes", function()
    for i, a in ipairs(NAMES) do
      for j, b in ipairs(NAMES) do
        local r = (one(a) + one(b)).dtype
        assert(r == RESULT[a][j], a .. " + " .. b .. ": expected " .. RESULT[a][j] .. ", got " .. r)
      end
      local r = (one("bfloat16") * one(a)).dtype
      assert(r == BF16[i], "bfloat16 * " .. a .. ": expected " .. BF16[i] .. ", got " .. r)
      r = lu.maximum(one(a), one("bfloat16")).dtype
      assert(r == BF16[i], a .. " max bfloat16: expected " .. BF16[i] .. ", got " .. r)
    end
    assert.are.equal("bfloat16", (one("bfloat16") + one("bfloat16")).dtype)
  end)

  it("weak Lua numbers keep the 16-bit floats (NEP 50)", function()
    assert.are.equal("float16", (A({1, 2}, "float16") + 1.5).dtype)
    assert.are.equal("float16", (2 * A({1, 2}, "float16")).dtype)
    assert.are.equal("bfloat16", (A({1, 2}, "bfloat16") - 1).dtype)
    assert.are.equal("float64", (A({1, 2}, "int8") + 1.5).dtype)
    -- the scalar is rounded to float16 first: 0.1 + 0.1 in float16
    assert.are.equal(0.199951171875, (A({0.1}, "float16") + 0.1)[1])
  end)

  it("float functions of bool, int8, uint8 give float16 (int16: float32)", function()
    assert.are.equal("float16", lu.sqrt(A{true, false}).dtype)
    assert.are.equal("float16", lu.exp(A({1, 2}, "int8")).dtype)
    assert.are.equal("float16", lu.sin(A({1, 2}, "uint8")).dtype)
    assert.are.equal("float32", lu.log(A({1, 2}, "int16")).dtype)
    assert.are.equal("float64", lu.cos(A({1, 2}, "int32")).dtype)
    assert.are.equal("bfloat16", lu.tanh(A({1, 2}, "bfloat16")).dtype)
    assert.are.equal(1.4140625, lu.sqrt(A({2}, "int8"))[1])
    assert.are.equal("float64", (A({1}, "int8") / A({2}, "int8")).dtype)
  end)

  it("values round to nearest even, computed in float32 and rounded once", function()
    assert.are.equal(0.0999755859375, A({0.1}, "float16")[1])
    assert.are.same({2048, 2052, 65504, math.huge}, A({2049, 2051, 65519, 65520}, "float16"):totable())
    assert.are.equal(0.333984375, A({1 / 3}, "bfloat16")[1])
    assert.are.same({256, 260, math.huge}, A({257, 259, 3.5e38}, "bfloat16"):totable())
    -- float16: 0.1 * 3 is 0.2999 rounded from float32, not 0.3
    assert.are.equal(0.2998046875, (A({0.1}, "float16") * A({3}, "float16"))[1])
    assert.are.equal(65504, (A({65504}, "float16") + A({8}, "float16"))[1])
    assert.are.equal(math.huge, (A({65504}, "float16") + A({16}, "float16"))[1])
    assert.are.equal(5.960464477539063e-08, A({2 ^ -24}, "float16")[1])
    assert.are.equal(0, A({2 ^ -25}, "float16")[1])
  end)

  it("astype between every pair of dtypes", function()
    local all = {}
    for _, n in ipairs(NAMES) do all[#all + 1] = n end
    all[#all + 1] = "bfloat16"
    for _, a in ipairs(all) do
      local src = a == "bool" and A({false, true, true}, a) or A({0, 1, 2}, a)
      for _, b in ipairs(all) do
        local r = src:astype(b)
        assert.are.equal(b, r.dtype)
        local t = r:totable()
        local want = b == "bool" and {false, true, a ~= "bool" or true} or
                     a == "bool" and {0, 1, 1} or {0, 1, 2}
        for k = 1, 3 do
          local v = t[k]
          if type(v) == "userdata" then
            assert(v.imag == 0, a .. " -> " .. b)
            v = v.real
          end
          assert(v == want[k], a .. " -> " .. b .. " element " .. k .. ": " .. tostring(v))
        end
      end
    end
  end)

  it("float64 -> float16 rounds once, float64 -> bfloat16 through float32", function()
    -- 1 + 2^-11 + 2^-40 is above the float16 halfway point 1 + 2^-11
    assert.are.equal(1 + 2 ^ -10, A{1 + 2 ^ -11 + 2 ^ -40}:astype("float16")[1])
    assert.are.equal(1, A{1 + 2 ^ -11}:astype("float16")[1])
    -- 1 + 2^-8 + 2^-30 rounds to 1 + 2^-8 in float32 (a tie), then to even 1
    assert.are.equal(1, A{1 + 2 ^ -8 + 2 ^ -30}:astype("bfloat16")[1])
  end)

  it("item and totable give Lua floats and complex values", function()
    assert.are.equal("float", math.type(A({1}, "float16"):item()))
    assert.are.equal("float", math.type(A({1}, "bfloat16")[1]))
    assert.are.equal("(1+2j)", tostring(A({C(1, 2)}, "complex64"):item()))
  end)

  it("reductions of the 16-bit floats accumulate in float32", function()
    -- 2048 + 1 + 1 is 2050 in float32; float16 steps would stop at 2048
    local a = A({2048, 1, 1}, "float16")
    assert.are.equal(2050, a:sum():item())
    assert.are.equal("float16", a:sum().dtype)
    assert.are.equal("float16", a:mean().dtype)
    assert.are.equal(683.5, a:mean():item())
    assert.are.equal(2048, a:max():item())
    assert.are.equal(1, a:argmax():item())
    assert.are.equal("bfloat16", A({1, 2}, "bfloat16"):prod().dtype)
    assert.are.equal(0, A({1, 2}, "float16"):sum(1, true).shape[1] - 1)
  end)

  it("matmul of the 16-bit floats", function()
    local a = A({{1, 2}, {3, 4}}, "float16")
    local r = a:matmul(a.T)
    assert.are.equal("float16", r.dtype)
    assert.are.same({{5, 11}, {11, 25}}, r:totable())
    assert.are.same({3, 7}, lu.matmul(A({{1, 2}, {3, 4}}, "bfloat16"), A({1, 1}, "int8")):totable())
  end)

  it("random numbers of the 16-bit floats lie in [0, 1)", function()
    lu.random.seed(7)
    local r = lu.random.rand(5000, {dtype = "float16", device = dev})
    assert.are.equal("float16", r.dtype)
    assert.is_true(r:max():item() < 1 and r:min():item() >= 0)
    assert.are.equal("bfloat16", lu.random.randn(4, {dtype = "bfloat16", device = dev}).dtype)
    assert.are.equal("lunar.random.rand: bad argument #2 (dtype must be a float or complex type, got int32)",
      err_of(lu.random.rand, 3, "int32"))
  end)
end)
end
-- }=====
