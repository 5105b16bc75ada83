-- SPDX-License-Identifier: MIT
-- Complex numbers: lunar.complex values (fields, arithmetic, tostring as
-- Python's repr), complex arrays (inference, parts, conj, angle, abs), the
-- complex column of the op table against NumPy's values, NumPy's
-- lexicographic order, reductions, matmul, and errors. Expected values come
-- from NumPy 1.24 (sign from NumPy 2's z/|z|) or are written by hand.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of
local C = lu.complex
local inf, nan = math.huge, 0 / 0

-- assert that complex value z is (re, im) within rtol
local function zclose(re, im, z, rtol)
  rtol = rtol or 1e-13
  assert.are.equal("lunar.complex", getmetatable(z).__name)
  local function one(e, g)
    if e ~= e then assert(g ~= g, ("expected nan, got %s"):format(tostring(z))) return end
    if e == inf or e == -inf then assert.are.equal(e, g) return end
    assert(math.abs(g - e) <= rtol * math.abs(e) + 1e-300,
      ("expected (%.17g, %.17g), got %s"):format(re, im, tostring(z)))
  end
  one(re, z.real)
  one(im, z.imag)
end

describe("complex values", function()
  it("have real and imag parts", function()
    local z = C(1, 2)
    assert.are.equal(1.0, z.real)
    assert.are.equal(2.0, z.imag)
    assert.are.equal(0.0, C(3).imag)
    assert.are.equal(0.0, C().real)
    assert.are.equal(z, C(z))
  end)
  it("print as Python's repr", function()
    assert.are.equal("(1+2j)", tostring(C(1, 2)))
    assert.are.equal("(1.5-2j)", tostring(C(1.5, -2)))
    assert.are.equal("2j", tostring(C(0, 2)))
    assert.are.equal("0j", tostring(C(0, 0)))
    assert.are.equal("-0j", tostring(C(0, -0.0)))
    assert.are.equal("(-0+1j)", tostring(C(-0.0, 1)))
    assert.are.equal("(1e+16+1e-05j)", tostring(C(1e16, 1e-5)))
    assert.are.equal("(1000000000000000+0.0001j)", tostring(C(1e15, 1e-4)))
    assert.are.equal("(0.1+infj)", tostring(C(0.1, inf)))
    assert.are.equal("(nan-infj)", tostring(C(nan, -inf)))
    assert.are.equal("(1+nanj)", tostring(C(1, nan)))
    assert.are.equal("(-1.5e-07+123.25j)", tostring(C(-1.5e-7, 123.25)))
  end)
  it("do arithmetic with numbers and complex values", function()
    local z, w = C(1, 2), C(2, -1)
    zclose(3, 1, z + w)
    zclose(-1, 3, z - w)
    zclose(4, 3, z * w)
    zclose(0, 1, z / w)
    zclose(-3, 4, z ^ 2)
    zclose(-1, -2, -z)
    zclose(3, 2, z + 2)
    zclose(1, -2, 2 - z)
    zclose(2.5, 5, z * 2.5)
    zclose(0.2, -0.4, 1 / z)
    zclose(2.428447747683073, 14.93241486964456, z ^ w, 1e-13)
  end)
  it("divide by zero to inf and nan as NumPy", function()
    local q = C(1, 2) / C(0, 0)
    assert.are.equal(inf, q.real)
    assert.are.equal(inf, q.imag)
  end)
  it("compare with == by value", function()
    assert.is_true(C(1, 2) == C(1, 2))
    assert.is_false(C(1, 2) == C(1, 3))
  end)
  it("have conj and abs", function()
    zclose(1, -2, C(1, 2):conj())
    zclose(1, -2, C(1, 2):conjugate())
    assert.are.equal(5.0, C(3, 4):abs())
  end)
  it("are immutable", function()
    assert.are.equal("complex values are immutable (make a new one with lunar.complex)",
      err_of(function() C(1, 2).real = 3 end))
  end)
  it("reject other operands", function()
    assert.are.equal("attempt to perform arithmetic on a string value (complex arithmetic takes numbers and complex values)",
      err_of(function() return C(1, 2) + "x" end))
    assert.are.equal("lunar.complex: bad argument #1 (number expected, got string)",
      err_of(lu.complex, "1"))
  end)
  it("lunar.real and lunar.imag of values are numbers", function()
    assert.are.equal(1.0, lu.real(C(1, 2)))
    assert.are.equal(2.0, lu.imag(C(1, 2)))
    assert.are.equal(0.0, lu.imag(3))
  end)
end)

for _, dev in ipairs(lu.devices()) do
describe("complex arrays on " .. dev, function()
  local A = h.on(dev)

  describe("creation and values", function()
    it("a table with a complex value infers complex128", function()
      local a = A{C(1, 2), 3}
      assert.are.equal("complex128", a.dtype)
      zclose(1, 2, a[1])
      zclose(3, 0, a[2])
      zclose(3, 0, a:totable()[2])
    end)
    it("numbers become complex values of a complex dtype", function()
      local a = A({1, 2.5}, "complex64")
      assert.are.equal("complex64", a.dtype)
      zclose(2.5, 0, a[2])
      zclose(1, 2, A(C(1, 2)):item())
    end)
    it("a complex value does not go into a real dtype", function()
      assert.are.equal("lunar.array: cannot convert a complex value to float64",
        err_of(lu.array, {C(1, 2)}, "float64"))
      assert.are.equal("assign: cannot convert a complex value to float64",
        err_of(function() local a = A{1.0, 2.0}; a[1] = C(1, 2) end))
    end)
    it("astype to a real dtype keeps the real part, to bool tests both", function()
      local a = A{C(1.5, 2), C(0, 3), C(0, 0)}
      assert.are.same({1.5, 0, 0}, a:astype("float64"):totable())
      assert.are.same({1, 0, 0}, a:astype("int32"):totable())
      assert.are.same({true, true, false}, a:astype("bool"):totable())
      zclose(1.5, 2, a:astype("complex64")[1])
      zclose(2, 0, A({2}, "float16"):astype("complex128")[1])
    end)
  end)

  describe("parts", function()
    it("a.real and a.imag are writable views", function()
      local a = A{C(1, 2), C(3, 4)}
      assert.are.equal("float64", a.real.dtype)
      assert.are.equal("float32", A({C(1, 2)}, "complex64").imag.dtype)
      assert.are.same({1, 3}, a.real:totable())
      assert.are.same({2, 4}, a.imag:totable())
      a.imag = 5
      a.real[2] = 7
      zclose(1, 5, a[1])
      zclose(7, 5, a[2])
      local v = a.T.imag
      v[{1}] = -1
      zclose(1, -1, a[1])
    end)
    it("of a real array: itself and zeros", function()
      local a = A{1.5, 2}
      assert.are.same({1.5, 2}, a.real:totable())
      assert.are.same({0, 0}, a.imag:totable())
      a.real = 4
      assert.are.same({4, 4}, a:totable())
      assert.are.equal("float64 array does not have an imaginary part to set",
        err_of(function() a.imag = 1 end))
    end)
    it("lunar.real, lunar.imag, conj, angle, abs", function()
      local a = A{C(3, 4), C(-1, 0)}
      assert.are.same({3, -1}, lu.real(a):totable())
      assert.are.same({4, 0}, lu.imag(a):totable())
      zclose(3, -4, lu.conj(a)[1])
      zclose(3, -4, a:conjugate()[1])
      assert.are.equal("float64", lu.abs(a).dtype)
      assert.are.same({5, 1}, lu.abs(a):totable())
      assert.are.equal("float32", lu.abs(A({C(3, 4)}, "complex64")).dtype)
      h.close(0.9272952180016122, lu.angle(a)[1], 1e-15)
      h.close(180, lu.angle(a, true)[2], 1e-15)
      h.close(180, lu.angle(a, {deg = true})[2], 1e-15)
      assert.are.same({0, math.pi}, lu.angle(A{2.0, -1.0}):totable())
      assert.are.equal("float16", lu.angle(A({1}, "int8")).dtype)
      assert.are.equal("float64", lu.angle(A{true}).dtype)
      assert.are.same({1, 2}, lu.conj(A{1, 2}):totable())
    end)
  end)

  describe("elementwise, against NumPy", function()
    local z = {C(1, 2), C(-3, 0.5), C(0.25, -4)}
    local w = {C(2, -1), C(1, 1), C(-0.5, 2)}
    local cases = {
      {"multiply", 2, {{4, 3}, {-3.5, -2.5}, {7.875, 2.5}}},
      {"divide", 2, {{0, 1}, {-1.25, 1.75}, {-1.9117647058823528, 0.3529411764705882}}},
      {"power", 2, {{2.428447747683073, 14.93241486964456}, {-0.0905361113510046, -0.12584802931308398},
                    {-9.439939651671716, -3.8702234897751775}}},
      {"sqrt", 1, {{1.272019649514069, 0.7861513777574233}, {0.14384238796180673, 1.738013415533538},
                   {1.4590758865580553, -1.3707306236949601}}},
      {"exp", 1, {{-1.1312043837568135, 2.4717266720048188}, {0.04369226300728118, 0.02386919206778745},
                  {-0.8392950226446834, 0.971753639388085}}},
      {"log", 1, {{0.8047189562170503, 1.1071487177940904}, {1.1123117757621668, 2.976443976175166},
                  {1.3882436813277192, -1.5083775167989393}}},
      {"sin", 1, {{3.165778513216168, 1.9596010414216063}, {-0.15913058529843999, -0.5158804424525267},
                  {6.756164923874848, -26.44153975975202}}},
      {"cos", 1, {{2.0327230070196656, -3.0518977991518}, {-1.1163412445261518, 0.0735369737112366},
                  {26.459286009782883, 6.751633562297498}}},
      {"tanh", 1, {{1.16673625724092, -0.2434582011857253}, {-0.9973163652832018, 0.00416042659289383},
                   {0.5305789093177914, -1.0073639387724151}}},
      {"sign", 1, {{0.4472135954999579, 0.8944271909999159}, {-0.986393923832144, 0.16439898730535732},
                   {0.06237828615518053, -0.9980525784828885}}},
    }
    for _, c in ipairs(cases) do
      for _, dt in ipairs{"complex128", "complex64"} do
        it(c[1] .. " " .. dt, function()
          local r = c[2] == 2 and lu[c[1]](A(z, dt), A(w, dt)) or lu[c[1]](A(z, dt))
          assert.are.equal(dt, r.dtype)
          local t = r:totable()
          for i = 1, 3 do zclose(c[3][i][1], c[3][i][2], t[i], dt == "complex64" and 3e-6 or 1e-13) end
        end)
      end
    end
    it("integer powers multiply, as NumPy", function()
      local t = (A(z) ^ 2):totable()
      zclose(-3, 4, t[1]); zclose(8.75, -3, t[2]); zclose(-15.9375, -2, t[3])
      t = (A(z) ^ -3):totable()
      zclose(-0.088, 0.016, t[1], 1e-15)
      t = lu.power(A{C(0, 0), C(0, 0), C(0, 0)}, A{C(2, 0), C(-1, 0), C(0, 1)}):totable()
      zclose(0, 0, t[1]); zclose(nan, nan, t[2]); zclose(nan, nan, t[3])
    end)
    it("special values follow C99 Annex G", function()
      local t = lu.sqrt(A{C(-4, 0), C(-4, -0.0), C(inf, 1), C(-inf, 1), C(1, inf), C(nan, 1)}):totable()
      zclose(0, 2, t[1]); zclose(0, -2, t[2]); zclose(inf, 0, t[3]); zclose(0, inf, t[4])
      zclose(inf, inf, t[5]); zclose(nan, nan, t[6])
      t = lu.exp(A{C(inf, 0), C(-inf, 1), C(0, inf), C(nan, 0), C(800, 1e-300)}):totable()
      zclose(inf, 0, t[1]); zclose(0, 0, t[2]); zclose(nan, nan, t[3]); zclose(nan, 0, t[4])
      zclose(inf, 2.72637457e+47, t[5], 1e-8)
      t = lu.log(A{C(0, 0), C(-0.0, -0.0), C(1, 1e-4), C(inf, nan)}):totable()
      zclose(-inf, 0, t[1]); zclose(-inf, -math.pi, t[2]); zclose(4.99999998e-09, 9.99999997e-05, t[3], 1e-8)
      zclose(inf, nan, t[4])
      t = lu.tanh(A{C(30, 1), C(inf, 2), C(nan, 0), C(0.5, inf)}):totable()
      zclose(1, 1.59245454e-26, t[1], 1e-8); zclose(1, 0, t[2]); zclose(nan, 0, t[3]); zclose(nan, nan, t[4])
    end)
    it("weak scalars: a complex value with real arrays", function()
      assert.are.equal("complex64", (A({1, 2}, "float32") + C(0, 1)).dtype)
      assert.are.equal("complex64", (A({1, 2}, "float16") + C(0, 1)).dtype)
      assert.are.equal("complex128", (A({1, 2}, "float64") + C(0, 1)).dtype)
      assert.are.equal("complex128", (A({1, 2}, "int8") + C(0, 1)).dtype)
      assert.are.equal("complex128", (A{true} + C(0, 1)).dtype)
      assert.are.equal("complex64", (A({C(1, 1)}, "complex64") * 2.5).dtype)
      zclose(3, 1, (C(0, 1) + A{3})[1])
      zclose(0, 5, (A{C(1, 2)} * C(2, 1) - C(0, 0))[1])
    end)
  end)

  describe("order", function()
    it("comparisons are lexicographic; a NaN part makes < false", function()
      local a = A{C(1, 2), C(1, 3), C(nan, 1), C(2, 0)}
      local b = A{C(1, 3), C(0, 9), C(0, 0), C(2, nan)}
      assert.are.same({true, false, false, false}, lu.less(a, b):totable())
      assert.are.same({false, true, false, false}, a:gt(b):totable())
      assert.are.same({false, false, false, false}, a:eq(b):totable())
      assert.are.same({true, true}, A{C(1, 2), C(0, 1)}:eq(A{C(1, 2), C(0, 1)}):totable())
    end)
    it("maximum/minimum propagate NaN", function()
      local t = lu.maximum(A{C(1, 2), C(nan, 1), C(0, 2)}, A{C(1, 3), C(5, 0), C(1, nan)}):totable()
      zclose(1, 3, t[1]); zclose(nan, 1, t[2]); zclose(1, nan, t[3])
    end)
  end)

  describe("reductions", function()
    local z = {{C(1, 2), C(3, -1), 5}, {C(0, 1), 3, C(3, 4)}}
    it("sum, prod, mean", function()
      zclose(15, 6, A(z):sum():item())
      local t = A(z):sum(1):totable()
      zclose(1, 3, t[1]); zclose(6, -1, t[2]); zclose(8, 4, t[3])
      zclose(-525, -75, A(z):prod():item())
      t = A(z):prod(1):totable()
      zclose(-2, 1, t[1]); zclose(9, -3, t[2]); zclose(15, 20, t[3])
      zclose(2.5, 1, A(z):mean():item())
      assert.are.equal("complex64", A(z, "complex64"):sum().dtype)
    end)
    it("var and std are real", function()
      local v = A(z):var()
      assert.are.equal("float64", v.dtype)
      h.close(5.25, v:item(), 1e-14)
      h.same_values({0.70710678118654757, 0.5, 2.2360679774997898}, A(z):std(1):totable(), 1e-14)
    end)
    it("max, min, argmax, argmin lexicographic, first NaN and first extreme", function()
      zclose(5, 0, A(z):max():item())
      local t = A(z):min(2):totable()
      zclose(1, 2, t[1]); zclose(0, 1, t[2])
      assert.are.equal(3, A(z):argmax():item())
      assert.are.same({2, 1, 2}, A(z):argmin(1):totable())
      assert.are.same({3, 3}, A(z):argmax(2):totable())
      local n = A{{C(1, 2), C(3, -1)}, {C(nan, 1), C(0, 2)}}
      zclose(nan, 1, n:max():item())
      assert.are.equal(3, n:argmax():item())
      assert.are.equal(1, A{C(3, 1), C(3, 1), C(0, 1)}:argmax():item())
      local long = {}
      for i = 1, 37 do long[i] = C(i % 5, -i) end
      assert.are.equal(4, A(long):argmax():item())
      assert.are.equal(35, A(long):argmin():item())
    end)
    it("any and all test both parts", function()
      assert.is_true(A{C(0, 0), C(0, 1)}:any():item())
      assert.is_false(A{C(0, 0), C(0, 1)}:all():item())
    end)
  end)

  it("matmul", function()
    local z = A({{C(1, 1), 2}, {3, C(0, 4)}}, "complex64")
    local r = z:matmul(z)
    assert.are.equal("complex64", r.dtype)
    local t = r:totable()
    zclose(6, 2, t[1][1]); zclose(2, 10, t[1][2]); zclose(3, 15, t[2][1]); zclose(-10, 0, t[2][2])
    t = z.T:matmul(A{{1, 2}, {3, 4}}):totable()
    zclose(10, 1, t[1][1]); zclose(14, 2, t[1][2]); zclose(2, 12, t[2][1]); zclose(4, 16, t[2][2])
  end)

  it("random complex numbers", function()
    lu.random.seed(5)
    local r = lu.random.rand(1000, {dtype = "complex64", device = dev})
    assert.are.equal("complex64", r.dtype)
    assert.is_true(r.real:min():item() >= 0 and r.imag:max():item() < 1)
    local n = lu.random.randn(1000, {dtype = "complex128", device = dev})
    assert.is_true(math.abs(n.real:var():item() - 0.5) < 0.1)
  end)

  it("ops NumPy does not define on complex are errors", function()
    assert.are.equal("floor_divide: no loop for dtype complex128",
      err_of(function() return A{C(1, 2)} // 2 end))
    assert.are.equal("mod: no loop for dtype complex64",
      err_of(lu.mod, A({C(1, 2)}, "complex64"), 2))
  end)
end)
end
