-- SPDX-License-Identifier: MIT
-- lunar.format_float_positional and format_float_scientific (lua/floatfmt.lua).
-- Every expected text was written down from NumPy (python3 -c "import numpy
-- as np; print(np.format_float_positional(np.float32(0.1), ...))").
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local P, S = "positional", "scientific"
-- {kind, value, dtype, options, NumPy's text}; the value goes in as a Lua
-- number with {dtype = } (rounded to that dtype first)
local ROWS = {
    {P, 0.1, "float64", {}, "0.1"},
    {S, 0.1, "float64", {}, "1.e-01"},
    {P, 1/3, "float64", {}, "0.3333333333333333"},
    {S, 1/3, "float64", {}, "3.333333333333333e-01"},
    {P, 8192.0, "float64", {}, "8192."},
    {S, 8192.0, "float64", {}, "8.192e+03"},
    {P, 65504.0, "float64", {}, "65504."},
    {S, 65504.0, "float64", {}, "6.5504e+04"},
    {P, 2.0^-14, "float64", {}, "0.00006103515625"},
    {S, 2.0^-14, "float64", {}, "6.103515625e-05"},
    {P, -0.0, "float64", {}, "-0."},
    {S, -0.0, "float64", {}, "-0.e+00"},
    {P, 1.5, "float64", {}, "1.5"},
    {S, 1.5, "float64", {}, "1.5e+00"},
    {P, 123.456, "float64", {}, "123.456"},
    {S, 123.456, "float64", {}, "1.23456e+02"},
    {P, 0.1, "float32", {}, "0.1"},
    {S, 0.1, "float32", {}, "1.e-01"},
    {P, 1/3, "float32", {}, "0.33333334"},
    {S, 1/3, "float32", {}, "3.3333334e-01"},
    {P, 8192.0, "float32", {}, "8192."},
    {S, 8192.0, "float32", {}, "8.192e+03"},
    {P, 65504.0, "float32", {}, "65504."},
    {S, 65504.0, "float32", {}, "6.5504e+04"},
    {P, 2.0^-14, "float32", {}, "0.000061035156"},
    {S, 2.0^-14, "float32", {}, "6.1035156e-05"},
    {P, -0.0, "float32", {}, "-0."},
    {S, -0.0, "float32", {}, "-0.e+00"},
    {P, 1.5, "float32", {}, "1.5"},
    {S, 1.5, "float32", {}, "1.5e+00"},
    {P, 123.456, "float32", {}, "123.456"},
    {S, 123.456, "float32", {}, "1.23456e+02"},
    {P, 0.1, "float16", {}, "0.1"},
    {S, 0.1, "float16", {}, "1.e-01"},
    {P, 1/3, "float16", {}, "0.3333"},
    {S, 1/3, "float16", {}, "3.333e-01"},
    {P, 8192.0, "float16", {}, "8190."},
    {S, 8192.0, "float16", {}, "8.19e+03"},
    {P, 65504.0, "float16", {}, "65500."},
    {S, 65504.0, "float16", {}, "6.55e+04"},
    {P, 2.0^-14, "float16", {}, "0.00006104"},
    {S, 2.0^-14, "float16", {}, "6.104e-05"},
    {P, -0.0, "float16", {}, "-0."},
    {S, -0.0, "float16", {}, "-0.e+00"},
    {P, 1.5, "float16", {}, "1.5"},
    {S, 1.5, "float16", {}, "1.5e+00"},
    {P, 123.456, "float16", {}, "123.44"},
    {S, 123.456, "float16", {}, "1.2344e+02"},
    {P, 2.0^-96, "float32", {}, "0.000000000000000000000000000012621775"},
    {S, 2.0^-96, "float32", {}, "1.2621775e-29"},
    {S, 2.0^-6, "float16", {}, "1.563e-02"},
    {P, 2.0^-1017, "float64", {}, "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007120236347223045"},
    {S, 2.0^-1017, "float64", {}, "7.120236347223045e-307"},
    {P, 1e22, "float64", {}, "10000000000000000000000."},
    {P, 123456789012345678901234.0, "float64", {}, "123456789012345690000000."},
    {P, 5e-324, "float64", {}, "0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005"},
    {S, 5e-324, "float64", {}, "5.e-324"},
    {S, 1.7976931348623157e308, "float64", {}, "1.7976931348623157e+308"},
    {P, (0/0), "float64", {}, "nan"},
    {P, math.huge, "float64", {sign = true}, "+inf"},
    {P, -math.huge, "float64", {pad_left = 6}, "-inf"},
    {S, (0/0), "float64", {sign = true}, "nan"},
    {P, 0.15, "float64", {precision = 1}, "0.1"},
    {P, 0.125, "float64", {precision = 2, unique = false}, "0.12"},
    {P, 0.375, "float64", {precision = 2, unique = false}, "0.38"},
    {P, 1.0001, "float64", {precision = 2}, "1.00"},
    {P, 1.996, "float64", {precision = 2}, "2."},
    {P, 0.0012, "float64", {precision = 2}, "0.00"},
    {P, 123.456, "float64", {precision = 2, fractional = false}, "120."},
    {P, 0.00123456, "float64", {precision = 2, fractional = false}, "0.0012"},
    {P, 0.0, "float64", {precision = 3, fractional = false, unique = false}, "0.00"},
    {P, 0.1, "float64", {min_digits = 20}, "0.10000000000000000555"},
    {P, 0.1, "float32", {min_digits = 10}, "0.1000000015"},
    {P, 1.0, "float64", {min_digits = 3}, "1.000"},
    {P, 0.0, "float64", {min_digits = 3}, "0.000"},
    {P, 0.1, "float64", {precision = 4, min_digits = 3}, "0.100"},
    {S, 0.1, "float64", {min_digits = 5}, "1.00000e-01"},
    {S, 1.0, "float64", {min_digits = 3, trim = "-"}, "1.e+00"},
    {S, 1.0, "float64", {precision = 3, unique = false, trim = "-"}, "1e+00"},
    {S, 0.1, "float32", {precision = 3, unique = false, trim = "-"}, "1.e-01"},
    {P, 1.0, "float64", {trim = "k"}, "1."},
    {P, 1.5, "float64", {precision = 3, unique = false, trim = "k"}, "1.500"},
    {P, 1.0, "float64", {precision = 3, unique = false, trim = "k"}, "1.000"},
    {S, 1.0, "float64", {trim = "k"}, "1.e+00"},
    {S, 1.5, "float64", {precision = 3, unique = false, trim = "k"}, "1.500e+00"},
    {P, 1.0, "float64", {trim = "k", pad_right = 3}, "1.   "},
    {P, 1.0, "float64", {trim = "."}, "1."},
    {P, 1.5, "float64", {precision = 3, unique = false, trim = "."}, "1.5"},
    {P, 1.0, "float64", {precision = 3, unique = false, trim = "."}, "1."},
    {S, 1.0, "float64", {trim = "."}, "1.e+00"},
    {S, 1.5, "float64", {precision = 3, unique = false, trim = "."}, "1.5e+00"},
    {P, 1.0, "float64", {trim = ".", pad_right = 3}, "1.   "},
    {P, 1.0, "float64", {trim = "0"}, "1.0"},
    {P, 1.5, "float64", {precision = 3, unique = false, trim = "0"}, "1.5"},
    {P, 1.0, "float64", {precision = 3, unique = false, trim = "0"}, "1.0"},
    {S, 1.0, "float64", {trim = "0"}, "1.0e+00"},
    {S, 1.5, "float64", {precision = 3, unique = false, trim = "0"}, "1.5e+00"},
    {P, 1.0, "float64", {trim = "0", pad_right = 3}, "1.0  "},
    {P, 1.0, "float64", {trim = "-"}, "1"},
    {P, 1.5, "float64", {precision = 3, unique = false, trim = "-"}, "1.5"},
    {P, 1.0, "float64", {precision = 3, unique = false, trim = "-"}, "1"},
    {S, 1.0, "float64", {trim = "-"}, "1e+00"},
    {S, 1.5, "float64", {precision = 3, unique = false, trim = "-"}, "1.5e+00"},
    {P, 1.0, "float64", {trim = "-", pad_right = 3}, "1    "},
    {P, 1.5, "float64", {pad_left = 4, pad_right = 4}, "   1.5   "},
    {P, -1.5, "float64", {pad_left = 4}, "  -1.5"},
    {P, 2.5, "float64", {sign = true}, "+2.5"},
    {P, -0.0, "float64", {sign = true}, "-0."},
    {S, 1.5, "float64", {pad_left = 4}, "   1.5e+00"},
    {S, 1e300, "float64", {exp_digits = 1}, "1.e+300"},
    {S, 1e-300, "float64", {exp_digits = 4}, "1.e-0300"},
    {S, 1.0, "float64", {exp_digits = 0}, "1.e+"},
    {S, 10.0, "float64", {exp_digits = 0}, "1.e+1"},
    {S, 2.5, "float64", {sign = true}, "+2.5e+00"},
    {S, 9.9999, "float64", {precision = 2, unique = false}, "1.00e+01"},
    {S, 9.9999, "float64", {precision = 2}, "1.e+01"},
    {P, 0.5, "float64", {precision = 0}, "0."},
    {P, 1.5, "float64", {precision = 0}, "2."},
    {P, 0.6, "float64", {precision = 0, unique = false}, "1."},
}

local function show(t)
  local ks = {}
  for k, v in pairs(t) do ks[#ks + 1] = k .. "=" .. tostring(v) end
  table.sort(ks)
  return table.concat(ks, " ")
end

describe("format_float_positional and format_float_scientific", function()
  it("write NumPy's texts", function()
    for _, r in ipairs(ROWS) do
      local o = {dtype = r[3]}
      for k, v in pairs(r[4]) do o[k] = v end
      local f = r[1] == P and lu.format_float_positional or lu.format_float_scientific
      local ok, got = pcall(f, r[2], o)
      assert(got == r[5], ("%s(%.17g, %s): want %q, got %q"):format(r[1], r[2], show(o), r[5], tostring(got)))
    end
  end)

  it("take parameters by position", function()
    -- x, precision, unique, fractional, trim, sign, pad_left, pad_right, min_digits
    assert.are.equal(" +1.5   ", lu.format_float_positional(1.5, 3, false, true, ".", true, 3, 4))
    assert.are.equal("0.10000", lu.format_float_positional(0.1, nil, nil, nil, nil, nil, nil, nil, 5))
    -- x, precision, unique, trim, sign, pad_left, exp_digits, min_digits
    assert.are.equal("  +1.5e+000", lu.format_float_scientific(1.5, 3, false, ".", true, 4, 3))
    assert.are.equal("1.0000e-01", lu.format_float_scientific(0.1, nil, nil, nil, nil, nil, nil, 4))
  end)

  it("read an integer as a float64", function()
    assert.are.equal("3.", lu.format_float_positional(3))
    assert.are.equal("1.2345678901234568e+18", lu.format_float_scientific(1234567890123456789))
  end)

  for _, dev in ipairs(lu.devices()) do
    it("give a 0-d array the digits of its dtype on " .. dev, function()
      local A = h.on(dev)
      assert.are.equal("0.1", lu.format_float_positional(A(0.1, "float32")))
      assert.are.equal("0.1", lu.format_float_positional(A(0.1, "float16")))
      assert.are.equal("0.1", lu.format_float_positional(A(0.1, "float64")))
      assert.are.equal("1.e-01", lu.format_float_scientific(A(0.1, "float16")))
      assert.are.equal("0.100000001490116", lu.format_float_positional(A(0.1, "float32"), 15, false))
      assert.are.equal("8190.", lu.format_float_positional(A(8192, "float16")))
      assert.are.equal("-0.", lu.format_float_positional(A(-0.0, "float32")))
      assert.are.equal("nan", lu.format_float_positional(A(0 / 0, "float32")))
      assert.are.equal("-inf", lu.format_float_scientific(A(-math.huge, "float16")))
      assert.are.equal("inf", lu.format_float_positional(A(1e6, "float64"), {dtype = "float16"}))
    end)
  end

  it("name the function, the argument and the value in errors", function()
    local fp, fs = lu.format_float_positional, lu.format_float_scientific
    assert.are.equal("lunar.format_float_positional: bad argument #2 (precision must be >= 0, got -1)",
                     h.err_of(fp, 1.0, -1))
    assert.are.equal("lunar.format_float_positional: bad argument #2 (precision must be an integer, got 1.5)",
                     h.err_of(fp, 1.0, 1.5))
    assert.are.equal("lunar.format_float_positional: bad argument #2 (precision must be given when unique is false)",
                     h.err_of(fp, 1.0, {unique = false}))
    assert.are.equal("lunar.format_float_positional: bad argument #5 (trim must be 'k', '.', '0' or '-', got 'x')",
                     h.err_of(fp, 1.0, nil, nil, nil, "x"))
    assert.are.equal("lunar.format_float_positional: bad argument #2 (unknown option 'exp_digits')",
                     h.err_of(fp, 1.0, {exp_digits = 2}))
    assert.are.equal("lunar.format_float_positional: bad argument #2 (min_digits (3) must not exceed precision (2))",
                     h.err_of(fp, 1.0, {precision = 2, min_digits = 3}))
    assert.are.equal("lunar.format_float_positional: bad argument #2 (precision must be greater than 0 if fractional is false)",
                     h.err_of(fp, 1.0, 0, true, false))
    assert.are.equal("lunar.format_float_positional: bad argument #1 (a number expected, got string)",
                     h.err_of(fp, "1.5"))
    assert.are.equal("lunar.format_float_positional: bad argument #1 (a floating-point value expected, got a 0-d int64 array)",
                     h.err_of(fp, lu.array(3)))
    assert.are.equal("lunar.format_float_positional: bad argument #1 (a number or a 0-d array expected, got an array of shape (2))",
                     h.err_of(fp, lu.array{1.0, 2.0}))
    assert.are.equal("lunar.format_float_scientific: bad argument #7 (exp_digits must be >= 0, got -1)",
                     h.err_of(fs, 1.0, nil, nil, nil, nil, nil, -1))
    assert.are.equal("lunar.format_float_scientific: bad argument #2 (dtype must be 'float16', 'bfloat16', 'float32' or 'float64', got 'int8')",
                     h.err_of(fs, 1.0, {dtype = "int8"}))
    assert.are.equal("lunar.format_float_scientific: bad argument #3 (unique must be a boolean, got number)",
                     h.err_of(fs, 1.0, 2, 1))
    assert.are.equal("lunar.format_float_scientific: bad argument #9 (unexpected argument (number); lunar.format_float_scientific takes 7 positional arguments after the first)",
                     h.err_of(fs, 1.0, nil, nil, nil, nil, nil, nil, nil, 1))
    assert.are.equal("0.5", fp(0.5))   -- still usable
  end)
end)
