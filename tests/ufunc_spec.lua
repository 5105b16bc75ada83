-- SPDX-License-Identifier: MIT
-- The ufunc set: NumPy's ufuncs beyond arithmetic, their result dtypes,
-- the special functions, out=/where=/dtype=, the two-result ufuncs, round,
-- isclose, nan_to_num, the bitwise and order operators, the constants, and
-- the error texts. Expected values are written by hand, from closed forms,
-- or from tables (noted where they are).
local lu = rawget(_G, "lunar") or require "lunar"

local nan, inf = 0 / 0, math.huge
local err_of = require("tests.helper").err_of

-- element-by-element comparison: NaN equals NaN, rtol relative (0: exact)
local function same(expected, got, rtol)
  rtol = rtol or 0
  assert.are.equal(#expected, #got, "length")
  for i = 1, #expected do
    local e, g = expected[i], got[i]
    if type(e) == "table" then
      same(e, g, rtol)
    elseif e ~= e then
      assert(g ~= g, ("element %d: expected nan, got %s"):format(i, tostring(g)))
    elseif type(e) == "number" and rtol > 0 and e ~= inf and e ~= -inf then
      assert(math.abs(g - e) <= rtol * math.abs(e) + 1e-300,
        ("element %d: expected %.17g, got %.17g"):format(i, e, g))
    else
      assert(e == g, ("element %d: expected %s, got %s"):format(i, tostring(e), tostring(g)))
    end
  end
end

describe("whole-value tests", function()
  it("isscalar, isrealobj, iscomplexobj", function()
    assert.is_true(lu.isscalar(3))
    assert.is_true(lu.isscalar(true))
    assert.is_false(lu.isscalar(lu.array(3)))
    assert.is_false(lu.isscalar({3}))
    assert.is_true(lu.isrealobj(lu.array{1.5}))
    assert.is_false(lu.iscomplexobj(lu.array{1.5}))
    assert.are.equal("lunar.isscalar: bad argument #2 (unexpected argument)", err_of(lu.isscalar, 1, 2))
  end)
  it("isfortran", function()
    local m = lu.zeros{2, 3}
    assert.is_false(lu.isfortran(m))
    assert.is_true(lu.isfortran(m.T))
    assert.is_false(lu.isfortran(lu.zeros(3)))
  end)
  it("array_equiv broadcasts, array_equal does not", function()
    assert.is_true(lu.array_equiv(lu.array{1, 2}, {{1, 2}, {1, 2}}))
    assert.is_false(lu.array_equal(lu.array{1, 2}, lu.array{{1, 2}, {1, 2}}))
    assert.is_false(lu.array_equiv(lu.array{1, 2}, {1, 2, 3}))
    assert.is_false(lu.array_equiv(lu.array{1, 2}, {{1, 2}, {1, 3}}))
  end)
  it("binary_repr", function()
    assert.are.equal("101", lu.binary_repr(5))
    assert.are.equal("00000101", lu.binary_repr(5, 8))
    assert.are.equal("-101", lu.binary_repr(-5))
    assert.are.equal("11111011", lu.binary_repr(-5, {width = 8}))
    assert.are.equal("000", lu.binary_repr(0, 3))
    assert.are.equal("lunar.binary_repr: insufficient bit width 2 for -5, which needs 4",
                     err_of(lu.binary_repr, -5, 2))
    assert.are.equal("lunar.binary_repr: bad argument #1 (num must be an integer, got float)",
                     err_of(lu.binary_repr, 1.5))
  end)
end)

describe("ufunc constants", function()
  it("pi, e, inf, nan, euler_gamma", function()
    assert.are.equal(math.pi, lu.pi)
    assert.are.equal(math.exp(1), lu.e)
    assert.are.equal(math.huge, lu.inf)
    assert.is_true(lu.nan ~= lu.nan)
    assert.are.equal(0.5772156649015329, lu.euler_gamma)
  end)
  it("aliases are functions and methods of their own name", function()
    for _, n in ipairs{"absolute", "true_divide", "remainder", "pow", "asin", "acos", "atan",
                       "atan2", "asinh", "acosh", "atanh", "degrees", "radians", "conj",
                       "around", "bitwise_not", "bitwise_invert", "bitwise_left_shift",
                       "bitwise_right_shift"} do
      assert.are.equal("function", type(lu[n]), n)
    end
    assert.is_nil(lu._round)
    assert.is_nil(lu._frexp_mantissa)
    assert.is_true(err_of(lu.asin, "x"):find("^lunar.asin: bad argument #1") ~= nil)
  end)
end)

for _, dev in ipairs(lu.devices()) do
describe("ufuncs on " .. dev, function()
  local function A(t, dt) return lu.array(t, {dtype = dt, device = dev}) end

  describe("result dtypes", function()
    it("follow NumPy's loops", function()
      assert.are.equal("bool", lu.isnan(A{1.5}).dtype)
      assert.are.equal("bool", lu.isnan(A{1}).dtype)
      assert.are.equal("float64", lu.sin(A({1}, "int32")).dtype)
      assert.are.equal("float32", lu.sin(A({1}, "int16")).dtype)
      assert.are.equal("float32", lu.arctan2(A({1}, "int16"), A({1}, "uint16")).dtype)
      assert.are.equal("float64", lu.arctan2(A({1}, "int16"), 2.5).dtype)
      assert.are.equal("float32", lu.arctan2(A({1}, "int16"), 2).dtype)
      assert.are.equal("float64", lu.float_power(A({2}, "float32"), 2).dtype)
      assert.are.equal("float32", lu.ldexp(A({1}, "float32"), A({3}, "int64")).dtype)
      assert.are.equal("float64", lu.ldexp(A({1}, "int32"), 3).dtype)
      assert.are.equal("int8", lu.square(A{true}).dtype)
      assert.are.equal("int16", lu.gcd(A({4}, "int16"), A({6}, "int8")).dtype)
      assert.are.equal("float64", lu.sinc(A({1}, "int8")).dtype)
    end)
    it("floor, ceil, trunc and fix keep integers (NumPy 2.1)", function()
      for _, f in ipairs{"floor", "ceil", "trunc", "fix"} do
        local r = lu[f](A({-3, 4}, "int16"))
        assert.are.equal("int16", r.dtype)
        assert.are.same({-3, 4}, r:totable())
        assert.are.equal("bool", lu[f](A{true}).dtype)
      end
    end)
    it("bool, int8 and uint8 compute in float16, as NumPy's loops", function()
      assert.are.equal("float16", lu.exp2(A{true}).dtype)
      assert.are.equal("float16", lu.cbrt(A({8}, "uint8")).dtype)
      assert.are.equal("float32", lu.cbrt(A({8}, "int16")).dtype)
      same({2}, lu.cbrt(A({8}, "uint8")):totable(), 1e-6)
    end)
    -- NumPy's float16 rules (the diff suite checks float16 against NumPy);
    -- bfloat16 steps the same way on its 7-bit mantissa, written by hand
    it("nextafter and spacing step by one unit of float16 and bfloat16", function()
      local h = A({1, -1, 65504}, "float16")
      assert.are.same({1 + 2^-10, -1 + 2^-11, 65472}, lu.nextafter(h, 2):totable())
      assert.are.same({2^-10, 2^-11, math.huge}, lu.spacing(h):totable())
      -- x == y gives x: +0 toward -0 stays +0 (float32 gives y)
      assert.are.same({false, true}, lu.signbit(lu.nextafter(A({0, -0.0}, "float16"),
                                                             A({-0.0, 0}, "float16"))):totable())
      assert.are.same({-2^-24, 2^-24}, lu.nextafter(A({0, -0.0}, "float16"), A({-1, 1}, "float16")):totable())
      local b = A({1, 1, -1, 0}, "bfloat16")
      local nb = lu.nextafter(b, A({2, 0, -2, -1}, "bfloat16"))
      assert.are.equal("bfloat16", nb.dtype)
      assert.are.same({1 + 2^-7, 1 - 2^-8, -1 - 2^-7, -2^-133}, nb:totable())
      assert.are.same({2^-7, 2^-7, 2^-8, 2^-133}, lu.spacing(b):totable())
      local odd = lu.spacing(A({math.huge, -math.huge, 0/0}, "bfloat16")):totable()
      for k = 1, 3 do assert.is_true(odd[k] ~= odd[k]) end
      -- int8 computes in float16, as NumPy's loops; out= and dtype= take the same path
      assert.are.same({1 + 2^-10, 2 - 2^-10}, lu.nextafter(A({1, 2}, "int8"), A({2, 1}, "int8")):totable())
      local o = lu.zeros({2}, {dtype = "float32", device = dev})
      lu.nextafter(A({1, 2}, "float16"), 3, {out = o})
      assert.are.same({1 + 2^-10, 2 + 2^-9}, o:totable())
      assert.matches("nextafter: no loop for dtype complex64",
                     err_of(lu.nextafter, A({1}, "complex64"), 1), 1, true)
    end)
    it("float_power takes complex numbers to complex128", function()
      local r = lu.float_power(A({1, 2}, "complex64"), 2)
      assert.are.equal("complex128", r.dtype)
      same({1, 4}, lu.real(r):totable())
      assert.are.equal("complex128", lu.float_power(A({2}, "float32"), lu.array({1}, {dtype = "complex64", device = dev})).dtype)
    end)
  end)

  describe("trigonometric and hyperbolic", function()
    it("with their inverses", function()
      same({0, 1}, lu.tan(A{0, math.pi / 4}):totable(), 1e-15)
      same({math.pi / 6, math.pi / 2}, lu.arcsin(A{0.5, 1}):totable(), 1e-15)
      same({math.pi / 3, 0}, lu.arccos(A{0.5, 1}):totable(), 1e-15)
      same({math.pi / 4, -math.pi / 2}, lu.arctan(A{1, -inf}):totable(), 1e-15)
      same({nan}, lu.arcsin(A{2.0}):totable())
      same({0, 1.1752011936438014}, lu.sinh(A{0, 1}):totable(), 1e-15)
      same({1, 1.5430806348152437}, lu.cosh(A{0, 1}):totable(), 1e-15)
      same({0.88137358701954305}, lu.arcsinh(A{1}):totable(), 1e-15)
      same({0, 1.3169578969248166}, lu.arccosh(A{1, 2}):totable(), 1e-15)
      same({0.54930614433405489, inf}, lu.arctanh(A{0.5, 1}):totable(), 1e-15)
      same({3 * math.pi / 4, -math.pi / 2}, lu.arctan2(A{1, -1}, A{-1, 0}):totable(), 1e-15)
      same({5, inf}, lu.hypot(A{3, inf}, A{4, nan}):totable())
      same({math.pi, 1}, lu.deg2rad(A{180, 180 / math.pi}):totable(), 1e-15)
      same({180}, lu.rad2deg(A{math.pi}):totable(), 1e-15)
      same({180}, lu.degrees(A{math.pi}):totable(), 1e-15)
    end)
    it("sinc", function()
      same({1, 2 / math.pi, 3.8981718325193755e-17}, lu.sinc(A{0, 0.5, 1}):totable(), 1e-15)
    end)
  end)

  describe("exponents and logarithms", function()
    it("exp2 expm1 log2 log10 log1p", function()
      same({8, 0.5}, lu.exp2(A{3, -1}):totable())
      same({1.00000000005e-10, -1}, lu.expm1(A{1e-10, -inf}):totable(), 1e-15)
      same({10, -inf}, lu.log2(A{1024, 0}):totable())
      same({3, nan}, lu.log10(A{1000, -1}):totable(), 1e-15)
      same({9.9999999995e-11, -inf}, lu.log1p(A{1e-10, -1}):totable(), 1e-15)
    end)
    it("logaddexp and logaddexp2", function()
      same({math.log(2), -inf, inf, nan}, lu.logaddexp(A{0, -inf, inf, nan}, A{0, -inf, 1, 0}):totable(), 1e-15)
      same({1001}, lu.logaddexp(A{1000}, A{1000 + math.log(math.exp(1) - 1)}):totable(), 1e-15)
      same({1, 3}, lu.logaddexp2(A{0, 2}, A{0, 2}):totable())
    end)
    it("cbrt, square, reciprocal, float_power", function()
      same({-2, 3}, lu.cbrt(A{-8, 27}):totable(), 1e-15)
      assert.are.same({4, 9}, lu.square(A{-2, 3}):totable())
      assert.are.same({64}, lu.square(A({200}, "uint8")):totable())
      assert.are.same({0.5, -inf}, lu.reciprocal(A{2, -0.0}):totable())
      assert.are.same({1, 0, -1, 0}, lu.reciprocal(A{1, 2, -1, 0}):totable())
      same({0.5, 2}, lu.float_power(A{2, 4}, A{-1, 0.5}):totable())
    end)
  end)

  describe("rounding", function()
    it("rint and round go half to even", function()
      assert.are.same({0, 2, 2, -0.0, -2}, lu.rint(A{0.5, 1.5, 2.5, -0.5, -1.5}):totable())
      assert.are.same({0, 2, 2, -0.0, 4}, lu.round(A{0.5, 1.5, 2.5, -0.5, 3.5}):totable())
      assert.are.same({0.12, 0.38, 2.68}, lu.round(A{0.125, 0.375, 2.675}, 2):totable())
      assert.are.same({20, 20, -20, 150}, lu.round(A{15, 25, -15, 149}, -1):totable())
      assert.are.equal("int64", lu.round(A{15}, -1).dtype)
      assert.are.same({1.6, 1.4}, A{1.55, 1.45}:round(1):totable())
      assert.are.same({1.2}, A{1.25}:around{decimals = 1}:totable())
      assert.are.same({123}, lu.round(A({123}, "int32"), 2):totable())
      assert.are.equal("float32", lu.round(A({1.25}, "float32"), 1).dtype)
    end)
    it("floor ceil trunc fix", function()
      local x = A{-1.5, -0.5, 0.5, 1.5}
      assert.are.same({-2, -1, 0, 1}, lu.floor(x):totable())
      assert.are.same({-1, -0.0, 1, 2}, lu.ceil(x):totable())
      assert.are.same({-1, -0.0, 0, 1}, lu.trunc(x):totable())
      assert.are.same({-1, -0.0, 0, 1}, lu.fix(x):totable())
    end)
    it("round of a bool array to decimals is an error", function()
      assert.are.equal("round: a bool array rounds only to 0 decimals (the scaled result cannot be cast back to bool)",
                       err_of(lu.round, A{true}, 1))
      assert.are.equal("lunar.round: bad argument #2 (decimals must be an integer, got number)",
                       err_of(lu.round, A{1.5}, 0.5))
    end)
  end)

  describe("floating-point parts", function()
    it("copysign nextafter spacing heaviside", function()
      assert.are.same({-1, 2, -0.0}, lu.copysign(A{1, -2, 0}, A{-1, 1, -1}):totable())
      assert.are.same({1 + 2^-52, 1 - 2^-53}, lu.nextafter(A{1, 1}, A{2, 0}):totable())
      assert.are.same({2^-52, -2^-52, 2^-1074}, lu.spacing(A{1, -1, 0}):totable())
      same({nan, nan}, lu.spacing(A{inf, nan}):totable())
      same({0, 0.5, 1, nan}, lu.heaviside(A{-1, 0, 2, nan}, 0.5):totable())
    end)
    it("ldexp frexp modf", function()
      assert.are.same({8, 0.75, inf}, lu.ldexp(A{1, 3, 1}, A{3, -2, 5000}):totable())
      local m, e = lu.frexp(A{8, -3, 0, inf})
      same({0.5, -0.75, 0, inf}, m:totable())
      assert.are.equal("int32", e.dtype)
      assert.are.same({4, 2, 0, 0}, e:totable())
      local f, i = lu.modf(A{-2.5, 3.25, inf})
      assert.are.same({-0.5, 0.25, 0}, f:totable())
      assert.are.same({-2, 3, inf}, i:totable())
    end)
    it("ldexp wants an integer exponent", function()
      assert.are.equal("ldexp: the exponent must be an integer, got float64",
                       err_of(lu.ldexp, A{1.0}, A{2.0}))
      assert.are.equal("ldexp: the exponent must be an integer, got a float",
                       err_of(lu.ldexp, A{1.0}, 2.5))
      assert.are.equal("ldexp: the exponent must be an integer, got uint64",
                       err_of(lu.ldexp, A{1.0}, A({2}, "uint64")))
    end)
  end)

  describe("integer arithmetic", function()
    it("fmod takes the sign of the dividend", function()
      assert.are.same({1, -1, 1, -1, 0}, lu.fmod(A{7, -7, 7, -7, 5}, A{3, 3, -3, -3, 0}):totable())
      same({1.5, -1.5, nan}, lu.fmod(A{7.5, -7.5, 1}, A{2, 2, 0}):totable())
    end)
    it("divmod is floor_divide and remainder", function()
      local q, r = lu.divmod(A{7, -7, 7}, A{2, 2, 0})
      assert.are.same({3, -4, 0}, q:totable())
      assert.are.same({1, 1, 0}, r:totable())
      q, r = A{7.5}:divmod(-2)
      assert.are.same({-4}, q:totable())
      assert.are.same({-0.5}, r:totable())
    end)
    it("gcd and lcm", function()
      assert.are.same({2, 3, 5, 0}, lu.gcd(A{-4, 6, 0, 0}, A{6, -9, 5, 0}):totable())
      assert.are.same({12, 18, 0}, lu.lcm(A{-4, 6, 0}, A{6, -9, 5}):totable())
      assert.are.equal("gcd: no loop for dtype float64", err_of(lu.gcd, A{1.5}, 2))
      assert.are.equal("gcd: no loop for dtype bool", err_of(lu.gcd, A{true}, A{true}))
    end)
    it("fmax and fmin ignore NaN", function()
      same({2, 1, nan}, lu.fmax(A{nan, 1, nan}, A{2, nan, nan}):totable())
      same({2, 1, nan}, lu.fmin(A{nan, 1, nan}, A{2, nan, nan}):totable())
      assert.are.same({3, 1}, lu.fmax(A{3, 1}, A{1, 1}):totable())
    end)
    it("positive, conjugate, fabs", function()
      assert.are.same({-1, 2}, lu.positive(A{-1, 2}):totable())
      assert.are.same({-1, 2}, lu.conj(A{-1, 2}):totable())
      assert.are.same({1.5, 2}, lu.fabs(A{-1.5, 2}):totable())
      assert.are.equal("float64", lu.fabs(A{-1}).dtype)
      assert.are.equal("positive: no loop for dtype bool", err_of(lu.positive, A{true}))
    end)
    it("integers to negative integer powers are an error", function()
      assert.are.equal("power: integers to negative integer powers are not allowed",
                       err_of(function() return A{2, 3} ^ -1 end))
      assert.are.equal("power: integers to negative integer powers are not allowed",
                       err_of(lu.power, A{2, 3}, A{1, -1}))
      assert.are.same({0.25}, (A{2.0} ^ -2):totable())
      assert.are.same({1, 4}, (A{1, 2} ^ A{0, 2}):totable())
    end)
  end)

  describe("classification", function()
    local x = A{1, -inf, inf, nan, -0.0}
    it("isnan isinf isfinite isposinf isneginf signbit", function()
      assert.are.same({false, false, false, true, false}, lu.isnan(x):totable())
      assert.are.same({false, true, true, false, false}, lu.isinf(x):totable())
      assert.are.same({true, false, false, false, true}, lu.isfinite(x):totable())
      assert.are.same({false, false, true, false, false}, lu.isposinf(x):totable())
      assert.are.same({false, true, false, false, false}, lu.isneginf(x):totable())
      assert.are.same({false, true, false, true}, lu.signbit(A{1, -inf, 0, -0.0}):totable())
    end)
    it("on integers and bools", function()
      assert.are.same({false, false}, lu.isnan(A{1, 2}):totable())
      assert.are.same({true, true}, lu.isfinite(A{true, false}):totable())
      assert.are.same({true, false, false}, lu.signbit(A({-1, 0, 1}, "int8")):totable())
      assert.are.same({false}, lu.signbit(A({200}, "uint8")):totable())
    end)
    it("isreal, iscomplex and real_if_close on real dtypes", function()
      assert.are.same({true, true}, lu.isreal(A{1.5, nan}):totable())
      assert.are.same({false, false}, lu.iscomplex(A{1, 2}):totable())
      local a = A{1.5, 2}
      assert.are.equal(a, lu.real_if_close(a))
      assert.are.equal(a, a:real_if_close(1000))
    end)
    it("isclose", function()
      assert.are.same({true, false, true, false}, lu.isclose(A{1, 1, inf, nan}, A{1 + 1e-9, 1.1, inf, nan}):totable())
      assert.are.same({true}, lu.isclose(A{nan}, A{nan}, {equal_nan = true}):totable())
      assert.are.same({true, false}, lu.isclose(A{1, 2}, 1.05, 0.1):totable())
      assert.are.same({true}, lu.isclose(A{1}, A{1.4}, {rtol = 0, atol = 0.5}):totable())
      assert.are.equal("lunar.isclose: bad argument #3 (unknown option 'tol')",
                       err_of(lu.isclose, A{1}, A{1}, {tol = 1}))
    end)
    it("nan_to_num", function()
      assert.are.same({0, 1.7976931348623157e308, -1.7976931348623157e308, 2},
                      lu.nan_to_num(A{nan, inf, -inf, 2}):totable())
      assert.are.same({0, 3.4028234663852886e38, -3.4028234663852886e38},
                      lu.nan_to_num(A({nan, inf, -inf}, "float32")):totable())
      assert.are.same({-1, 5, -inf}, lu.nan_to_num(A{nan, inf, -inf}, {nan = -1, posinf = 5, neginf = -inf}):totable())
      local a = A{nan, 1}
      assert.are.equal(a, lu.nan_to_num(a, false))
      assert.are.same({0, 1}, a:totable())
      assert.are.same({1, 2}, lu.nan_to_num(A{1, 2}):totable())
    end)
  end)

  describe("special functions", function()
    -- closed forms: erf via tabled values (Abramowitz & Stegun 7.1), gamma(1/2)
    -- = sqrt(pi), digamma(1) = -gamma, digamma(1/2) = -gamma - 2 ln 2; the
    -- inverse error functions from 60-digit decimal arithmetic
    -- (tests/diff/cases/_special.py)
    it("erf and erfc", function()
      same({0, 0.52049987781304654, 1, -1}, lu.erf(A{0, 0.5, inf, -inf}):totable(), 1e-14)
      same({1, 0.47950012218695346, 2, 0}, lu.erfc(A{0, 0.5, -inf, inf}):totable(), 1e-14)
      same({0.52049987781304654}, lu.erf(A({0.5}, "float32")):totable(), 1e-6)
    end)
    it("erfinv and erfcinv", function()
      same({0, 0.47693627620446987, -1.1630871536766743, inf, -inf, nan},
           lu.erfinv(A{0, 0.5, -0.9, 1, -1, 1.5}):totable(), 1e-13)
      same({4.572824967389486, 26.209469960516124, 0, -0.47693627620446987, inf, -inf, nan},
           lu.erfcinv(A{1e-10, 1e-300, 1, 1.5, 0, 2, -1}):totable(), 1e-13)
      same({0.47693627620446987}, lu.erfinv(A({0.5}, "float32")):totable(), 1e-6)
    end)
    it("gamma, lgamma, digamma", function()
      same({math.sqrt(math.pi), 24, -3.5449077018110318, inf, nan},
           lu.gamma(A{0.5, 5, -0.5, 0, -1}):totable(), 1e-14)
      same({math.log(math.sqrt(math.pi)), 0, math.log(24), inf},
           lu.lgamma(A{0.5, 1, 5, 0}):totable(), 1e-14)
      same({-lu.euler_gamma, -lu.euler_gamma - 2 * math.log(2), 1 - lu.euler_gamma},
           lu.digamma(A{1, 0.5, 2}):totable(), 1e-14)
      same({0.036489973978576520, -inf, inf, nan, 4.6001618527380874},
           lu.digamma(A{-0.5, 0, -0.0, -2, 100}):totable(), 1e-14)
      same({-lu.euler_gamma}, lu.digamma(A({1}, "float32")):totable(), 1e-6)
    end)
  end)

  describe("bitwise", function()
    it("functions and operators on integers", function()
      local a, b = A{12, 10, -1}, A{10, 6, 5}
      assert.are.same({8, 2, 5}, lu.bitwise_and(a, b):totable())
      assert.are.same({14, 14, -1}, lu.bitwise_or(a, b):totable())
      assert.are.same({6, 12, -6}, lu.bitwise_xor(a, b):totable())
      assert.are.same({8, 2, 5}, (a & b):totable())
      assert.are.same({14, 14, -1}, (a | b):totable())
      assert.are.same({6, 12, -6}, (a ~ b):totable())
      assert.are.same({-13, -11, 0}, (~a):totable())
      assert.are.same({-13, -11, 0}, lu.bitwise_not(a):totable())
      assert.are.same({245}, (~A({10}, "uint8")):totable())
      assert.are.same({4, 8}, (A{1, 2} << 2):totable())
      assert.are.same({-4, 1}, (A{-8, 2} >> 1):totable())
      assert.are.same({8}, (1 << A{3}):totable())
      assert.are.same({2}, (A{3} & 6):totable())
    end)
    it("shifts past the width", function()
      assert.are.same({0, 0}, lu.left_shift(A{1, -1}, A{64, 70}):totable())
      assert.are.same({0, -1}, lu.right_shift(A{1, -1}, A{64, 70}):totable())
      assert.are.same({-128}, lu.left_shift(A({64}, "int8"), 1):totable())
      assert.are.equal("int8", lu.left_shift(A{true}, A{true}).dtype)
    end)
    it("bitwise_count counts the bits of |x|", function()
      local r = lu.bitwise_count(A({0, 1, 7, -7, 127, -128}, "int8"))
      assert.are.equal("uint8", r.dtype)
      assert.are.same({0, 1, 3, 3, 7, 1}, r:totable())
      assert.are.same({64}, lu.bitwise_count(A({-1}, "uint64")):totable())
      assert.are.equal("bitwise_count: no loop for dtype float64", err_of(lu.bitwise_count, A{1.5}))
    end)
    it("logical on bools", function()
      local m1, m2 = A{true, true, false}, A{true, false, false}
      assert.are.same({true, false, false}, (m1 & m2):totable())
      assert.are.same({true, true, false}, (m1 | m2):totable())
      assert.are.same({false, true, false}, (m1 ~ m2):totable())
      assert.are.same({false, false, true}, (~m1):totable())
      assert.are.equal("bool", (m1 & m2).dtype)
      assert.are.same({false, true, false}, lu.logical_xor(m1, m2):totable())
      assert.are.same({true, false}, lu.logical_xor(A{0.5, 0}, A{0, 0}):totable())
    end)
    it("is an error on floats, naming the op and the dtype", function()
      assert.are.equal("bitwise_and: no loop for dtype float64", err_of(function() return A{1.5} & A{1} end))
      assert.are.equal("bitwise_or: no loop for dtype float32", err_of(function() return A({1}, "float32") | 1 end))
      assert.are.equal("bitwise_xor: no loop for dtype float64", err_of(function() return A{1} ~ 2.5 end))
      assert.are.equal("invert: no loop for dtype float64", err_of(function() return ~A{1.5} end))
      assert.are.equal("left_shift: no loop for dtype float64", err_of(function() return A{1.5} << 1 end))
      assert.are.equal("right_shift: no loop for dtype float64", err_of(function() return A{1} >> 0.5 end))
    end)
  end)

  describe("order operators", function()
    it("compare a 0-d array with a number as a Lua boolean", function()
      assert.is_true(A(3) < 4)
      assert.is_false(A(3) < 3)
      assert.is_true(A(3) <= 3)
      assert.is_true(4 > A(3))
      assert.is_true(2.5 >= A(2))
      assert.is_true(A(1.5) < A(2))
      assert.is_false(A(nan) < 1)
    end)
    it("refuse arrays of other shapes", function()
      assert.are.equal("attempt to compare an array of shape (2,) with '<': only 0-d arrays compare to a Lua boolean; use lunar.less(a, b) or a:lt(b) for the elementwise comparison",
                       err_of(function() return A{1, 2} < 3 end))
      assert.are.equal("attempt to compare an array of shape (1,) with '<=': only 0-d arrays compare to a Lua boolean; use lunar.less_equal(a, b) or a:le(b) for the elementwise comparison",
                       err_of(function() return 3 >= A{1} end))
      assert.are.equal("attempt to compare string with an array", err_of(function() return A(1) < "x" end))
    end)
  end)

  describe("out=", function()
    it("returns the out array itself", function()
      local a, b, o = A{1, 2}, A{3, 4}, A{0, 0}
      local r = lu.add(a, b, {out = o})
      assert.are.equal(o, r)
      assert.are.same({4, 6}, o:totable())
      assert.are.equal(o, lu.multiply(a, b, o))
      assert.are.same({3, 8}, o:totable())
      assert.are.equal(o, a:subtract(b, {out = o}))
      assert.are.same({-2, -2}, o:totable())
    end)
    it("works in place", function()
      local a, b = A{1, 2, 3}, A{10.0, 20, 30}
      lu.add(a, A{10, 20, 30}, {out = a})
      assert.are.same({11, 22, 33}, a:totable())
      lu.sqrt(A{4.0, 9.0}, {out = b[{{1, 2}}]})
      assert.are.same({2, 3, 30}, b:totable())
      local m = A{{1, 2}, {3, 4}}
      lu.add(m, m.T, {out = m})
      assert.are.same({{2, 5}, {5, 8}}, m:totable())
    end)
    it("casts by the 'same_kind' rule", function()
      local o = A({0, 0}, "int8")
      lu.add(A{100, 27}, A{1, 2}, {out = o})
      assert.are.same({101, 29}, o:totable())
      local f = A({0, 0}, "float32")
      lu.sin(A{0, 0}, {out = f})
      assert.are.same({0, 0}, f:totable())
      assert.are.equal("add: cannot cast the output from float64 to int64 with casting rule 'same_kind'",
                       err_of(lu.add, A{1.5}, 1, {out = A{0}}))
      assert.are.equal("add: cannot cast the output from int64 to uint8 with casting rule 'same_kind'",
                       err_of(lu.add, A{1}, 1, {out = A({0}, "uint8")}))
    end)
    it("must have the broadcast shape", function()
      assert.are.equal("add: output array of shape (3,) does not match the broadcast shape (2,3)",
                       err_of(lu.add, A{{1, 2, 3}, {4, 5, 6}}, 1, {out = A{0, 0, 0}}))
      assert.are.equal("add: operands could not be broadcast together with shapes (2,) (3,)",
                       err_of(lu.add, A{1, 2}, 1, {out = A{0, 0, 0}}))
      local o = A{{0, 0}, {0, 0}}
      lu.add(A{1, 2}, 1, {out = o})
      assert.are.same({{2, 3}, {2, 3}}, o:totable())
    end)
    it("two results take a table of outs", function()
      local q, r = A{0, 0}, A{0.0, 0.0}
      local q2, r2 = lu.divmod(A{7, -7}, 2, {out = {q, r}})
      assert.are.equal(q, q2)
      assert.are.equal(r, r2)
      assert.are.same({3, -4}, q:totable())
      assert.are.same({1, 1}, r:totable())
      local m = A{0.0}
      local m2, e2 = lu.frexp(A{8.0}, m)
      assert.are.equal(m, m2)
      assert.are.same({0.5}, m:totable())
      assert.are.same({4}, e2:totable())
      local x = A{7, 9}
      lu.divmod(x, 2, {out = {x, nil}})
      assert.are.same({3, 4}, x:totable())
    end)
    it("bad outs are errors", function()
      assert.are.equal("lunar.add: bad argument #3 (out must be an array, got number)",
                       err_of(lu.add, A{1}, A{1}, 5))
      assert.are.equal("lunar.add: bad argument #3 (out must be an array, got number)",
                       err_of(lu.add, A{1}, A{1}, {out = 5}))
      assert.are.equal("lunar.add: bad argument #4 (out given both by position and as an option)",
                       err_of(lu.add, A{1}, A{1}, A{0}, {out = A{0}}))
      assert.are.equal("lunar.divmod: bad argument #3 (out must be a table of 2 arrays)",
                       err_of(lu.divmod, A{1}, A{1}, {out = A{0}}))
      assert.are.equal("lunar.divmod: bad argument #3 (out has 3 arrays for 2 results)",
                       err_of(lu.divmod, A{1}, A{1}, {out = {A{0}, A{0}, A{0}}}))
    end)
  end)

  describe("where=", function()
    it("leaves unselected elements of out unchanged", function()
      local o = A{-1, -1, -1}
      lu.add(A{1, 2, 3}, 10, {out = o, where = A{true, false, true}})
      assert.are.same({11, -1, 13}, o:totable())
      local f = A{-1.5, -1.5}
      lu.exp(A{0, 0}, {out = f, where = false})
      assert.are.same({-1.5, -1.5}, f:totable())
      lu.exp(A{0, 0}, {out = f, where = A{false, true}})
      assert.are.same({-1.5, 1}, f:totable())
      local p = A{{0, 0}, {0, 0}}
      lu.multiply(A{2, 3}, 2, {out = p, where = A{{true}, {false}}})
      assert.are.same({{4, 6}, {0, 0}}, p:totable())
    end)
    it("gives 0 there without out", function()
      assert.are.same({11, 0, 13}, lu.add(A{1, 2, 3}, 10, {where = A{true, false, true}}):totable())
      assert.are.same({{1, 0}, {1, 0}}, lu.positive(A{1, 1}, {where = A{{true, false}, {true, false}}}):totable())
      assert.are.same({0, 0}, lu.add(A{1, 2}, 1, {where = false}):totable())
      assert.are.same({2, 3}, lu.add(A{1, 2}, 1, {where = true}):totable())
    end)
    it("wants a bool array or a boolean", function()
      assert.are.equal("add: where must be a bool array, got int64",
                       err_of(lu.add, A{1}, 1, {where = A{1}}))
      assert.are.equal("lunar.add: bad argument #3 (where must be a bool array or a boolean, got number)",
                       err_of(lu.add, A{1}, 1, {where = 1}))
    end)
  end)

  describe("dtype=", function()
    it("is the dtype the loop computes in", function()
      local r = lu.add(A{1, 2}, A{3, 4}, {dtype = "float32"})
      assert.are.equal("float32", r.dtype)
      assert.are.same({4, 6}, r:totable())
      assert.are.equal("int8", lu.add(A({100}, "int16"), 100, {dtype = "int8"}).dtype)
      assert.are.equal("float32", lu.sin(A{1}, {dtype = "float32"}).dtype)
      assert.are.equal("bool", lu.less(A{1}, A{2}, {dtype = "bool"}).dtype)
    end)
    it("refuses what NumPy refuses", function()
      assert.are.equal("add: cannot cast input 1 from float64 to int64 with casting rule 'same_kind'",
                       err_of(lu.add, A{1.5}, A{1.5}, {dtype = "int64"}))
      assert.are.equal("sqrt: no loop for dtype int64", err_of(lu.sqrt, A{4}, {dtype = "int64"}))
      assert.are.equal("less: no loop for a float64 result (comparisons give bool)",
                       err_of(lu.less, A{1}, A{2}, {dtype = "float64"}))
      assert.are.equal("lunar.add: bad argument #3 (unknown dtype 'float128')",
                       err_of(lu.add, A{1}, A{2}, {dtype = "float128"}))
    end)
  end)

  describe("arguments", function()
    it("an unknown option or an extra argument is an error", function()
      assert.are.equal("lunar.add: bad argument #3 (unknown option 'casting')",
                       err_of(lu.add, A{1}, A{2}, {casting = "unsafe"}))
      assert.are.equal("lunar.sin: bad argument #3 (unexpected argument (number))",
                       err_of(lu.sin, A{1}, A{0.0}, 5))
      assert.are.equal("array:sin: bad argument #2 (unexpected argument (number))",
                       err_of(A{1}.sin, A{1}, A{0.0}, 5))
      assert.are.equal("lunar.where: bad argument #4 (unexpected argument (table))",
                       err_of(lu.where, A{true}, 1, 2, {out = A{0}}))
      assert.are.equal("lunar.round: bad argument #4 (unexpected argument (number))",
                       err_of(lu.round, A{1}, 0, nil, 3))
    end)
  end)

  -- sizes that are no multiple of a vector width, so the vectorised CPU
  -- loops and their tails both run; values checked against Lua's math
  describe("large arrays", function()
    local refs = {
      tan = math.tan, arctan = math.atan, arcsin = math.asin,
      sinh = function(v) return (math.exp(v) - math.exp(-v)) / 2 end,
      expm1 = function(v) return math.exp(v) - 1 end,
      log2 = function(v) return math.log(v, 2) end,
      cbrt = function(v) return v < 0 and -(-v) ^ (1 / 3) or v ^ (1 / 3) end,
    }
    it("float32 and float64 transcendental functions", function()
      local n = 100003
      for _, dt in ipairs{"float32", "float64"} do
        local x = lu.linspace(-0.99, 0.99, n, {dtype = dt, device = dev})
        for f, ref in pairs(refs) do
          local xs = f == "log2" and x + 1 or x
          local r = lu[f](xs)
          assert.are.equal(dt, r.dtype)
          for _, i in ipairs{1, 2, 17, n // 2, n - 1, n} do
            local v, g = xs[i], r[i]
            local e = ref(v)
            assert(math.abs(g - e) <= 1e-5 * (math.abs(e) + 1e-3),
                   ("%s %s at %.9g: %.17g vs %.17g"):format(f, dt, v, g, e))
          end
        end
      end
    end)
  end)
end)
end
