-- SPDX-License-Identifier: MIT
-- tostring(a) prints like NumPy's repr. The expected strings were written
-- down from NumPy (python3 -c "print(repr(np....))").
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

for _, dev in ipairs(lu.devices()) do
describe("tostring on " .. dev, function()
  local A = h.on(dev)
  -- NumPy's text plus the device suffix that lunar adds off the default device
  -- (NumPy's rule for the extras: on the last line when they fit in 75
  -- columns, else on a line of their own under the elements)
  local function R(s)
    if dev == lu.get_device() then return s end
    local body, extra = s:match("^(.-),[ \n]%s*(dtype=%w+)%)$")
    if body then extra = extra .. ", device='" .. dev .. "')"
    else body, extra = s:sub(1, -2), "device='" .. dev .. "')" end
    local last = #body + 1 - (body:match(".*()\n") or 0)
    return body .. "," .. (last + #extra + 1 > 75 and "\n" .. (" "):rep(6) or " ") .. extra
  end

  it("float64 vector", function()
    assert.are.equal(R"array([1., 2., 3.])", tostring(A{1.0, 2.0, 3.0}))
  end)
  it("int64 matrix", function()
    assert.are.equal(R"array([[1, 2],\n       [3, 4]])", tostring(A{{1, 2}, {3, 4}}))
  end)
  it("float32 and int32 carry the dtype", function()
    assert.are.equal(R"array([1., 2.], dtype=float32)", tostring(A({1, 2}, "float32")))
    assert.are.equal(R"array([1, 2], dtype=int32)", tostring(A({1, 2}, "int32")))
    assert.are.equal(R"array([[1.5, 2. ],\n       [3. , 4. ]], dtype=float32)",
      tostring(A({{1.5, 2}, {3, 4}}, "float32")))
  end)
  it("uint64 from 2^63 prints exactly", function()
    -- a negative Lua integer is a uint64's bit pattern (2^63, 2^63 + 1, 2^64 - 1)
    assert.are.equal(R("array([ 9223372036854775808,  9223372036854775809, 18446744073709551615,\n" ..
                       "                          0,                    5], dtype=uint64)"),
                     tostring(A({1 << 63, (1 << 63) + 1, -1, 0, 5}, "uint64")))
    assert.are.equal(R("array([18446744073709551615,                    0,                    1,\n" ..
                       "       ...,                 2996,                 2997,\n" ..
                       "                       2998], dtype=uint64)"),
                     tostring(lu.arange(3000, {device = dev}):astype("uint64") - 1))
    assert.are.equal(R"array([3, 4], dtype=uint64)", tostring(A({3, 4}, "uint64")))
  end)
  it("Dragon4's corners as NumPy prints them", function()
    -- every integer digit in positional mode (the shortest digits of
    -- float16 65504 are 655e2), the shortest digits in exponent mode where
    -- the exact rounding differs (float32 2^-96 = 1.26217744...e-29)
    assert.are.equal(R"array([65504.,  2048.], dtype=float16)", tostring(A({65504, 2049}, "float16")))
    assert.are.equal(R"array([1.2621775e-29, 1.0000000e-30], dtype=float32)",
                     tostring(A({2^-96, 1e-30}, "float32")))
    lu.set_printoptions{floatmode = "maxprec_equal"}
    -- fewer shortest digits than the widest: continued with exact ones
    local ok, s = pcall(tostring, A({56.197430, 95.668297, 13.404663}, "float32"))
    lu.set_printoptions{floatmode = "maxprec"}
    assert(ok, s)
    assert.are.equal(R"array([56.197430, 95.668297, 13.404663], dtype=float32)", s)
  end)
  it("float32 prints its shortest repr", function()
    assert.are.equal(R"array([0.1, 0.2], dtype=float32)", tostring(A({0.1, 0.2}, "float32")))
  end)
  it("bool", function()
    assert.are.equal(R"array([ True, False])", tostring(A{true, false}))
  end)
  it("pads to a common width", function()
    assert.are.equal(R"array([-1,  2])", tostring(A{-1, 2}))
    assert.are.equal(R"array([0.5 , 1.25])", tostring(A{0.5, 1.25}))
    assert.are.equal(R"array([ 1.5, 10. ])", tostring(A{1.5, 10.0}))
    assert.are.equal(R"array([0.33333333])", tostring(A{1 / 3}))
  end)
  it("nan and inf", function()
    assert.are.equal(R"array([ nan,  inf, -inf])", tostring(A{0 / 0, math.huge, -math.huge}))
  end)
  it("scientific notation for a wide range", function()
    assert.are.equal(R"array([1.e-10, 1.e+00])", tostring(A{1e-10, 1.0}))
  end)
  it("0-d arrays", function()
    assert.are.equal(R"array(5)", tostring(lu.array(5, {device = dev})))
    assert.are.equal(R"array(1.)", tostring(lu.array(1.0, {device = dev})))
    assert.are.equal(R"array(2.5, dtype=float32)", tostring(lu.array(2.5, {dtype = "float32", device = dev})))
    assert.are.equal(R"array(True)", tostring(lu.array(true, {device = dev})))
    assert.are.equal(R"array(21)", tostring(A{{1, 2, 3}, {4, 5, 6}}:sum()))
  end)
  it("empty arrays show the dtype", function()
    assert.are.equal(R"array([], dtype=float64)", tostring(lu.zeros(0, {device = dev})))
    assert.are.equal(R"array([], dtype=int64)", tostring(lu.zeros(0, {dtype = "int64", device = dev})))
  end)
  it("3-d arrays separate blocks with a blank line", function()
    assert.are.equal(R"array([[[0, 1],\n        [2, 3]],\n\n       [[4, 5],\n        [6, 7]]])",
      tostring(lu.arange(8, {device = dev}):reshape(2, 2, 2)))
  end)
  it("wraps lines at 75 characters", function()
    assert.are.equal(R("array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n" ..
                       "       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])"),
      tostring(lu.arange(30, {device = dev})))
  end)
  it("a non-contiguous view prints its own elements", function()
    assert.are.equal(R"array([[1, 3],\n       [2, 4]])", tostring(A{{1, 2}, {3, 4}}.T))
  end)
  it("summarises more than 1000 elements with ...", function()
    assert.are.equal(R"array([   0,    1,    2, ..., 1997, 1998, 1999])",
      tostring(lu.arange(2000, {device = dev})))
    assert.are.equal(R("array([[   0,    1],\n       [   2,    3],\n       [   4,    5],\n       ...,\n" ..
                       "       [1994, 1995],\n       [1996, 1997],\n       [1998, 1999]])"),
      tostring(lu.arange(2000, {device = dev}):reshape(1000, 2)))
    assert.are.equal(R("array([[0., 0., 0., ..., 0., 0., 0.],\n       [0., 0., 0., ..., 0., 0., 0.],\n" ..
                       "       [0., 0., 0., ..., 0., 0., 0.],\n       ...,\n" ..
                       "       [0., 0., 0., ..., 0., 0., 0.],\n       [0., 0., 0., ..., 0., 0., 0.],\n" ..
                       "       [0., 0., 0., ..., 0., 0., 0.]])"),
      tostring(lu.zeros({100, 100}, {device = dev})))
  end)
  it("exactly 1000 elements are not summarised", function()
    local s = tostring(lu.zeros(1000, {dtype = "int64", device = dev}))
    assert.is_nil(s:find("...", 1, true))
  end)
  describe("float16, bfloat16 and complex", function()
    local C = lu.complex
    it("float16: shortest digits in float16, NumPy's layout", function()
      assert.are.equal(R"array([  0.1,   1. , 100. ], dtype=float16)", tostring(A({0.1, 1, 100}, "float16")))
      assert.are.equal(R"array([[ 1.5, -2. ],\n       [ inf,  nan]], dtype=float16)",
        tostring(A({{1.5, -2}, {1 / 0, 0 / 0}}, "float16")))
      assert.are.equal(R"array([1.e-05, 1.e+00], dtype=float16)", tostring(A({1e-5, 1}, "float16")))
      assert.are.equal(R"array(3.14, dtype=float16)", tostring(A(3.14159, "float16")))
    end)
    it("bfloat16 as NumPy prints ml_dtypes' bfloat16 (each element's repr)", function()
      -- (two arrays: with lunar's device suffix one line would wrap)
      assert.are.equal(R"array([0.333984, 1, 2.5, 99840], dtype=bfloat16)",
        tostring(A({1 / 3, 1, 2.5, 100000}, "bfloat16")))
      assert.are.equal(R"array([9.98378e-07, nan, -inf], dtype=bfloat16)",
        tostring(A({1e-6, 0 / 0, -1 / 0}, "bfloat16")))
    end)
    it("complex: parts formatted together, the imaginary with a sign", function()
      assert.are.equal(R"array([1.  +2.j, 3.5-10.j])", tostring(A{C(1, 2), C(3.5, -10)}))
      assert.are.equal(R"array([1.+2.j], dtype=complex64)", tostring(A({C(1, 2)}, "complex64")))
      assert.are.equal(R"array([ 1.+nanj, inf -1.j])", tostring(A{C(1, 0 / 0), C(1 / 0, -1)}))
      assert.are.equal(R"array(1.+2.j)", tostring(A(C(1, 2))))
      assert.are.equal(R"array([1.e-05+1.e+00j, 3.e+00+1.e+05j])", tostring(A{C(1e-5, 1), C(3, 1e5)}))
      assert.are.equal(R"array([], dtype=complex64)", tostring(lu.zeros(0, {dtype = "complex64", device = dev})))
      assert.are.equal(R"array([ 0.1+0.2j, -0. -0.3j], dtype=complex64)",
        tostring(A({C(0.1, 0.2), C(-0.0, -0.3)}, "complex64")))
    end)
  end)
end)
end

-- printoptions and array_repr (lua/format.lua); NumPy's texts written out
describe("printoptions and array_repr", function()
  -- on the default device: lunar's repr adds a device suffix off it
  local a = lu.array({1 / 3, 2 / 3, 1e-9})
  it("sets print options around a call and restores them", function()
    local s, extra = lu.printoptions({precision = 3}, function(x, y) return tostring(x), y end, a, 7)
    assert.are.equal("array([3.333e-01, 6.667e-01, 1.000e-09])", s)
    assert.are.equal(7, extra)
    assert.are.equal(8, lu.get_printoptions().precision)
    assert.has_error(function() lu.printoptions({precision = 2}, function() error("boom", 0) end) end, "boom")
    assert.are.equal(8, lu.get_printoptions().precision)
    assert.are.equal("lunar.printoptions: precision must be an integer from 0 to 99, got -1",
                     h.err_of(lu.printoptions, {precision = -1}, print))
    assert.are.equal("lunar.printoptions: bad argument #2 (function expected, got nil)",
                     h.err_of(lu.printoptions, {}))
  end)
  it("gives the repr under a width, a precision and suppress_small", function()
    assert.are.equal("array([0.33, 0.67, 0.  ])", lu.array_repr(a, nil, 2, true))
    assert.are.equal("array([0, 1,\n       2, 3])", lu.array_repr(lu.arange(4), 15))
    assert.are.equal(tostring(a), lu.array_repr(a))
    assert.are.equal("lunar.array_repr: bad argument #1 (array expected, got table)",
                     h.err_of(lu.array_repr, {1, 2}))
  end)
end)

-- array2string and array_str (lua/format.lua); NumPy's texts written out
-- (python3 -c "print(repr(np.array2string(...)))")
for _, dev in ipairs(lu.devices()) do
describe("array2string and array_str on " .. dev, function()
  local A = h.on(dev)
  it("lay out elements as NumPy's array2string", function()
    local a2s = lu.array2string
    assert.are.equal("[ 0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n 24 25 26 27 28 29]",
                     a2s(A(lu.arange(30))))
    assert.are.equal("[ 0,  1,  2,\n      3,  4,  5,\n      6,  7,  8,\n      9, 10, 11,\n     12, 13, 14,\n     15, 16, 17,\n     18, 19, 20,\n     21, 22, 23,\n     24, 25, 26,\n     27, 28, 29]",
                     a2s(A(lu.arange(30)), 20, nil, nil, ", ", "x = ", {suffix = ")"}))
    assert.are.equal("[[[ 0, 1, 2, 3],\n  [ 4, 5, 6, 7],\n  [ 8, 9,10,11]],\n\n [[12,13,14,15],\n  [16,17,18,19],\n  [20,21,22,23]]]",
                     a2s(A(lu.arange(24):reshape(2, 3, 4)), {separator = ","}))
    assert.are.equal("[0.000e+00 1.000e+00 ... 1.998e+03 1.999e+03]",
                     a2s(A(lu.arange(2000.0)), {threshold = 10, edgeitems = 2}))
    assert.are.equal("[0.333 0.667 0.   ]", a2s(A{1 / 3, 2 / 3, 1e-9}, nil, 3, true))
    assert.are.equal("[+1.50 -2.00]", a2s(A{1.5, -2.0}, {sign = "+", floatmode = "fixed", precision = 2}))
    assert.are.equal("[0.1  0.25]", a2s(A({0.1, 0.25}, "float32")))
    assert.are.equal("1.5", a2s(A(1.5)))
    assert.are.equal("[]", a2s(A(lu.zeros(0, 3))))
    assert.are.equal("[ True False]", a2s(A{true, false}))
    assert.are.equal("[1. +2.j 0.5-1.j]", a2s(A{lu.complex(1, 2), lu.complex(0.5, -1)}))
    -- NumPy 2 applies sign to integers too (1.24 printed "[1 2]")
    assert.are.equal("[+1 +2]", a2s(A{1, 2}, {sign = "+"}))
  end)
  it("takes a table of formatters", function()
    local a2s = lu.array2string
    assert.are.equal("[0.00 1.00 2.00]",
                     a2s(A(lu.arange(3.0)), {formatter = {float_kind = function(x) return ("%.2f"):format(x) end}}))
    assert.are.equal("[0x0 0x1 0x2]", a2s(A(lu.arange(3)), {formatter = {int = function(x) return ("0x%x"):format(x) end}}))
    -- the kind's own key before its group, the group before 'all'
    local f = {all = function() return "a" end, int_kind = function() return "k" end}
    assert.are.equal("[k k]", a2s(A{1, 2}, {formatter = f}))
    assert.are.equal("[a a]", a2s(A{1.5, 2}, {formatter = f}))
    f.int = function(x) return "i" .. x end
    assert.are.equal("[i1 i2]", a2s(A{1, 2}, {formatter = f}))
    assert.are.equal("[ab\n cd ab\n    cd]", a2s(A{1, 2}, {formatter = {int = function() return "ab\ncd" end}}))
    -- a formatter may print arrays itself; the options come back after it
    local inner = a2s(A{1.5, 2.5}, {formatter = {float = function(x) return tostring(lu.array{x}) end}, precision = 1})
    assert.are.equal("[array([1.5]) array([2.5])]", inner)
    assert.are.equal("array([0.33333333])", tostring(lu.array{1 / 3}))
  end)
  it("gives array_str's text, a 0-d array as its value", function()
    assert.are.equal("[0.    0.143 0.286 0.429 0.571 0.714\n 0.857 1.    1.143 1.286 1.429 1.571\n 1.714 1.857 2.    2.143 2.286 2.429\n 2.571 2.714 2.857 3.    3.143 3.286\n 3.429 3.571 3.714 3.857 4.    4.143]",
                     lu.array_str(A(lu.arange(30.0) / 7), 40, 3))
    assert.are.equal("[0. 1.]", lu.array_str(A{1e-10, 1.0}, nil, nil, true))
    local zero_d = {{1.5, "float64", "1.5"}, {0.1, "float32", "0.1"}, {1e16, "float64", "1e+16"},
                    {1e-5, "float64", "1e-05"}, {3, "int64", "3"}, {true, "bool", "True"},
                    {-0.0, "float64", "-0.0"}, {0 / 0, "float64", "nan"}, {0.1, "float16", "0.1"},
                    {lu.complex(1, 2), "complex128", "(1+2j)"}, {lu.complex(0, 2), "complex128", "2j"},
                    {lu.complex(0.1, 0.2), "complex64", "(0.1+0.2j)"}}
    for _, c in ipairs(zero_d) do
      assert.are.equal(c[3], lu.array_str(A(c[1], c[2])))
    end
  end)
  it("names the function, the argument and the value in errors", function()
    local a = A{1.0}
    assert.are.equal("lunar.array2string: bad argument #1 (array expected, got table)",
                     h.err_of(lu.array2string, {1, 2}))
    assert.are.equal("lunar.array2string: bad argument #3 (precision must be an integer from 0 to 99, got -1)",
                     h.err_of(lu.array2string, a, nil, -1))
    assert.are.equal("lunar.array2string: bad argument #2 (sign must be one of '-', '+' or ' ', got \"x\")",
                     h.err_of(lu.array2string, a, {sign = "x"}))
    assert.are.equal("lunar.array2string: bad argument #2 (unknown option 'style')",
                     h.err_of(lu.array2string, a, {style = 1}))
    assert.are.equal("lunar.array2string: bad argument #2 (legacy must be false (NumPy 2's printing; the 1.13 mode is not supported), got \"1.13\")",
                     h.err_of(lu.array2string, a, {legacy = "1.13"}))
    assert.are.equal("lunar.array2string: bad argument #2 (formatter: unknown kind \"floats\")",
                     h.err_of(lu.array2string, a, {formatter = {floats = print}}))
    assert.are.equal("lunar.array2string: bad argument #2 (formatter: 'float' must be a function, got string)",
                     h.err_of(lu.array2string, a, {formatter = {float = "%g"}}))
    assert.are.equal("lunar.array2string: formatter 'float' returned number, not a string",
                     h.err_of(lu.array2string, a, {formatter = {float = function(x) return x end}}))
    assert.are.equal("lunar.array2string: bad argument #5 (separator must be a string, got number)",
                     h.err_of(lu.array2string, a, nil, nil, nil, 1))
    assert.are.equal("lunar.array_str: bad argument #2 (linewidth must be a positive integer, got 0)",
                     h.err_of(lu.array_str, a, 0))
    assert.are.equal("array([1.])", lu.array_repr(lu.array{1.0}))   -- the options are intact
  end)
end)
end
