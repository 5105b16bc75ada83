-- SPDX-License-Identifier: MIT
-- dtype routines (doc/api/dtypes.md): finfo and iinfo against NumPy's
-- values (copied from NumPy 1.24's finfo/iinfo), result_type,
-- promote_types and can_cast (every pair is compared with NumPy in
-- tests/diff/cases/creation.py).
local lu = rawget(_G, "lunar") or require "lunar"
local err_of = require("tests.helper").err_of

describe("finfo", function()
  it("float32, as NumPy holds it", function()
    local f = lu.finfo("float32")
    assert.are.same({
      dtype = "float32", bits = 32, eps = 1.1920928955078125e-07, epsneg = 5.960464477539063e-08,
      max = 3.4028234663852886e+38, min = -3.4028234663852886e+38,
      tiny = 1.1754943508222875e-38, smallest_normal = 1.1754943508222875e-38,
      smallest_subnormal = 1.401298464324817e-45, resolution = 9.999999974752427e-07,
      precision = 6, iexp = 8, nexp = 8, nmant = 23, machep = -23, negep = -24,
      maxexp = 128, minexp = -126,
    }, f)
  end)
  it("float64, by name, by array and by a Lua float", function()
    local f = lu.finfo(lu.float64)
    assert.are.equal(2.220446049250313e-16, f.eps)
    assert.are.equal(1.7976931348623157e+308, f.max)
    assert.are.equal(2.2250738585072014e-308, f.tiny)
    assert.are.equal(5e-324, f.smallest_subnormal)
    assert.are.equal(1e-15, f.resolution)
    assert.are.equal(15, f.precision)
    assert.are.equal(-1022, f.minexp)
    assert.are.equal(1024, f.maxexp)
    assert.are.equal(64, f.bits)
    assert.are.same(f, lu.finfo(lu.zeros(2)))
    assert.are.same(f, lu.finfo(1.5))
    assert.are.same(lu.finfo("float32"), lu.finfo(lu.zeros(2, "float32")))
  end)
  it("covers every float row of the dtype table", function()
    for _, name in ipairs({"float16", "bfloat16", "float32", "float64", "complex64", "complex128"}) do
      if lu[name] then
        local f = lu.finfo(name)
        assert.are.equal(2 ^ f.machep, f.eps)
        assert.is_true(f.max > 1 and f.tiny < 1)
      end
    end
  end)
  it("refuses integer dtypes", function()
    assert.are.equal("finfo: data type int32 is not inexact (finfo takes a float or complex dtype)",
                     err_of(lu.finfo, "int32"))
    assert.are.equal("lunar.finfo: bad argument #1 (unknown dtype 'float128')", err_of(lu.finfo, "float128"))
  end)
end)

describe("iinfo", function()
  it("every integer dtype", function()
    local want = {
      int8 = {-128, 127}, uint8 = {0, 255}, int16 = {-32768, 32767}, uint16 = {0, 65535},
      int32 = {-2147483648, 2147483647}, uint32 = {0, 4294967295},
      int64 = {math.mininteger, math.maxinteger},
    }
    for name, mm in pairs(want) do
      local i = lu.iinfo(name)
      assert.are.equal(mm[1], i.min)
      assert.are.equal(mm[2], i.max)
      assert.are.equal(name, i.dtype)
      assert.are.equal(tonumber(name:match("%d+")), i.bits)
    end
    assert.are.equal(18446744073709551615.0, lu.iinfo("uint64").max)
    assert.are.equal(lu.iinfo("int64").max, lu.iinfo(7).max)
    assert.are.equal(127, lu.iinfo(lu.zeros(1, "int8")).max)
  end)
  it("refuses other dtypes", function()
    assert.are.equal("iinfo: invalid integer data type float32 (iinfo takes an integer dtype)",
                     err_of(lu.iinfo, "float32"))
    assert.are.equal("iinfo: invalid integer data type bool (iinfo takes an integer dtype)",
                     err_of(lu.iinfo, "bool"))
  end)
end)

describe("result_type, promote_types, can_cast", function()
  it("Lua numbers are weak scalars", function()
    assert.are.equal("int8", lu.result_type("int8", 1))
    assert.are.equal("float64", lu.result_type("int8", 1.5))
    assert.are.equal("float32", lu.result_type(lu.zeros(2, "float32"), 1.5))
    assert.are.equal("int64", lu.result_type(true, 1))
    assert.are.equal("float64", lu.result_type(1, 2.5))
    assert.are.equal("bool", lu.result_type(true))
    assert.are.equal("int16", lu.result_type("int8", "uint8"))
    assert.are.equal("result_type: at least one array or dtype is required", err_of(lu.result_type))
  end)
  it("promote_types", function()
    assert.are.equal("int16", lu.promote_types("int8", "uint8"))
    assert.are.equal("float64", lu.promote_types("uint64", "int64"))
    assert.are.equal("float64", lu.promote_types("int32", "float32"))
    assert.are.equal("float32", lu.promote_types("int16", lu.zeros(1, "float32")))
  end)
  it("can_cast under each rule", function()
    assert.is_true(lu.can_cast("int8", "int16"))
    assert.is_false(lu.can_cast("int16", "int8"))
    assert.is_true(lu.can_cast("int16", "int8", "same_kind"))
    assert.is_true(lu.can_cast("uint8", "int8", "same_kind"))
    assert.is_false(lu.can_cast("int8", "uint8", "same_kind"))
    assert.is_false(lu.can_cast("float64", "int64", "same_kind"))
    assert.is_true(lu.can_cast("float64", "int8", "unsafe"))
    assert.is_false(lu.can_cast("int8", "int16", "no"))
    assert.is_true(lu.can_cast(lu.zeros(1), "float64", "equiv"))
    assert.are.equal("lunar.can_cast: bad argument #1 (can_cast does not support Lua numbers, because the result used to depend on the value; use lunar.result_type or a dtype)",
                     err_of(lu.can_cast, 1, "int8"))
    assert.are.equal("lunar.can_cast: bad argument #3 (casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe')",
                     err_of(lu.can_cast, "int8", "int8", "maybe"))
  end)
end)

describe("the rest of the dtype routines", function()
  it("min_scalar_type", function()
    assert.are.equal("uint8", lu.min_scalar_type(255))
    assert.are.equal("uint16", lu.min_scalar_type(256))
    assert.are.equal("int8", lu.min_scalar_type(-128))
    assert.are.equal("int16", lu.min_scalar_type(-129))
    assert.are.equal("bool", lu.min_scalar_type(true))
    assert.are.equal("float64", lu.min_scalar_type(1e300))
    assert.are.equal("int32", lu.min_scalar_type(lu.zeros({2, 2}, "int32")))
  end)
  it("common_type, dtype, isdtype, issubdtype", function()
    assert.are.equal("float64", lu.common_type(lu.zeros(1, "int8"), lu.zeros(1, "float32")))
    assert.are.equal("float32", lu.common_type(lu.zeros(1, "float32")))
    assert.are.equal("common_type: can't get common type for non-numeric array (bool)",
                     err_of(lu.common_type, lu.zeros(1, "bool")))
    assert.are.equal("float64", lu.dtype("double"))
    assert.are.equal("int16", lu.dtype(lu.zeros(1, "int16")))
    assert.is_true(lu.isdtype("uint8", "integral"))
    assert.is_false(lu.isdtype("uint8", "signed integer"))
    assert.is_true(lu.isdtype("float32", {"bool", "real floating"}))
    assert.is_true(lu.issubdtype("int8", "signedinteger"))
    assert.is_false(lu.issubdtype("int8", "floating"))
    assert.is_true(lu.issubdtype(lu.zeros(1), "float64"))
    assert.is_true(lu.issubdtype("float64", "float"))
  end)
  it("typename and mintypecode", function()
    assert.are.equal("double precision", lu.typename("d"))
    assert.are.equal("D", lu.mintypecode("ifD"))
    assert.are.equal("D", lu.mintypecode({"F", "d"}))
    assert.are.equal("d", lu.mintypecode("bB"))
    assert.are.equal("f", lu.mintypecode({lu.zeros(1, "float32")}))
  end)
end)
