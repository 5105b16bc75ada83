-- SPDX-License-Identifier: MIT
-- One float as text: the shortest digits that read back as the value in
-- its dtype (what NumPy's Dragon4 prints in its unique mode), and NumPy's
-- format_float_positional and format_float_scientific on top of them.
-- lua/format.lua prints arrays with the same digits (internal.shortest,
-- internal.ROUND, internal.digits, internal.positional_parts).
local lunar, _, internal = ...

local fmt, rep = string.format, string.rep
local isarray, argerror = internal.isarray, internal.argerror

-- {===== the digits

-- y rounded to nearest even in a binary format of p significand bits whose
-- smallest normal exponent is emin (float16: 11, -14); y finite.
local function round_bits(y, p, emin)
  if y == 0 then return y end
  local a = math.abs(y)
  local e = math.floor(math.log(a, 2))
  if 2.0 ^ e > a then e = e - 1 elseif 2.0 ^ (e + 1) <= a then e = e + 1 end
  if e < emin then e = emin end
  local q = 2.0 ^ (e - p + 1)
  local m = a / q
  local fl = math.floor(m)
  local r = m - fl
  if r > 0.5 or (r == 0.5 and fl % 2 == 1) then fl = fl + 1 end
  return y < 0 and -(fl * q) or fl * q
end

-- Rounding to the dtype whose shortest round-trip digits are printed (a
-- float64 needs none); past the dtype's largest value a value is infinite.
local function bounded(p, emin, max)
  return function(y)
    local r = round_bits(y, p, emin)
    if r > max then return math.huge elseif r < -max then return -math.huge end
    return r
  end
end
local ROUND = {
  float32 = function(y) return (string.unpack("f", string.pack("f", y))) end,
  float16 = bounded(11, -14, 65504.0),
  bfloat16 = bounded(8, -126, 0x1.fep127),
}
internal.ROUND = ROUND

-- The other p-digit neighbour of x than the "%.Ne" text s (the next
-- decimal of as many digits above or below s, toward x's other side).
local function neighbour(s, x)
  local sign, d1, dr, e = s:match("^(-?)(%d)%.?(%d*)e([-+]%d+)$")
  local p, m, ex = #dr, math.tointeger(tonumber(d1 .. dr)), tonumber(e)
  m = math.abs(tonumber(s)) < math.abs(x) and m + 1 or m - 1
  local d = tostring(m)
  if #d > p + 1 then d, ex = d:sub(1, p + 1), ex + 1       -- 9.99 -> 10.0
  elseif #d < p + 1 then d, ex = d .. "9", ex - 1 end      -- 1.00 -> 0.999
  return fmt("%s%s%se%+03d", sign, d:sub(1, 1), p > 0 and "." .. d:sub(2) or "", ex)
end

-- The shortest "%.Ne" text of x that reads back as x (after `rnd`, the
-- rounding to x's dtype, when given); of two such texts the nearer one.
-- This is Dragon4's unique mode: at a power of two the gap below is half
-- the gap above, so the nearest text of N digits may miss while the one on
-- the other side still reads back (float32 2^-96 is 1.2621775e-29).
local function shortest(x, rnd)
  for p = 0, 16 do
    local s = fmt("%." .. p .. "e", x)
    local y = tonumber(s)
    if rnd then y = rnd(y) end
    if y == x then return s end
    s = neighbour(s, x)
    y = tonumber(s)
    if rnd then y = rnd(y) end
    if y == x then return s end
  end
  return fmt("%.16e", x)
end
internal.shortest = shortest

-- sign, digits, exponent of a "%e" or "%f" text ("-1.25e+03" -> "-",
-- "125", 3; "0.0012" -> "", "12", -3); zero gives "0", 0
local function parse(s)
  local sign, body = s:match("^(-?)(.*)$")
  local m, e = body:match("^([%d.]+)e([-+]%d+)$")
  local ex = 0
  if m then ex = tonumber(e) else m = body end
  local ip, fp = m:match("^(%d*)%.?(%d*)$")
  local digits = ip .. fp
  local lead = #digits - #digits:gsub("^0+", "")
  -- zero keeps its zeros ("0.00" -> "000", 0): they are the digits asked for
  if lead == #digits then return sign, digits, #ip - 1 end
  return sign, digits:sub(lead + 1), ex + #ip - 1 - lead
end
-- }=====

-- {===== format_float_positional and format_float_scientific

-- d, e written with zeros from exponent `top` down to `bottom`
local function aligned(d, e, top, bottom)
  return rep("0", top - e) .. d .. rep("0", (e - #d + 1) - bottom)
end

-- |x| rounded to nearest even at n significant digits, or at n digits
-- after the point when `fixed`: its digits, exponent, and how the
-- rounding went: "up", "down" (digits of x were cut off) or "exact". The
-- exact value is taken from "%.99e"; a double that agrees with a shorter
-- text on 100 digits and still differs from it does not occur in practice.
local function rounded(ax, n, fixed)
  local s = fixed and fmt("%." .. n .. "f", ax) or fmt("%." .. math.max(n - 1, 0) .. "e", ax)
  local _, d, e = parse(s)
  if ax == 0 then return d, e, "exact" end
  local _, xd, xe = parse(fmt("%.99e", ax))
  local top, bottom = math.max(e, xe), math.min(e - #d + 1, xe - #xd + 1)
  local rs, xs = aligned(d, e, top, bottom), aligned(xd, xe, top, bottom)
  return d, e, rs > xs and "up" or rs == xs and "exact" or "down"
end

local function rstrip0(d)
  d = d:gsub("0+$", "")
  return d == "" and "0" or d
end

-- The digits Dragon4 hands its formatters for |x| (finite): D and e with
-- |x| ~ D1.D2... x 10^e. Unique: the shortest digits, cut at `prec`, or
-- continued to `mind` with exact digits. Else: exact digits cut at `prec`.
-- `count(n, e)`: the digits n allows for a first digit at 10^e (fractional
-- digits for positional with fractional = true, else significant ones).
-- Trailing zeros are Dragon4's: a round-up carries them away, a cut of
-- further digits keeps them, and a value that ends stops the digits (in
-- exact mode; min_digits still writes zeros).
local function digits(x, rnd, unique, prec, mind, fixed)
  local ax = math.abs(x)
  if ax == 0 then return "0", 0 end
  local function count(n, e) return fixed and e + 1 + n or n end
  local function cut(n, keep_exact)
    local d, e, how = rounded(ax, n, fixed)
    if how == "up" or (how == "exact" and not keep_exact) then d = rstrip0(d) end
    return d, e
  end
  if not unique then return cut(prec, false) end
  local _, d, e = parse(shortest(ax, rnd))
  if prec and #d > count(prec, e) then return cut(prec, false) end
  if mind and #d < count(mind, e) then return cut(mind, true) end
  return d, e
end

-- The integer part and fraction digits of D x 10^e written positionally.
local function positional_parts(d, e)
  if e >= 0 then
    if #d <= e + 1 then return d .. rep("0", e + 1 - #d), "" end
    return d:sub(1, e + 1), d:sub(e + 2)
  end
  return "0", rep("0", -e - 1) .. d
end
internal.digits, internal.positional_parts = digits, positional_parts

-- NumPy's trim modes on the fraction digits fp, as the text from the
-- point on: 'k' keeps them and pads them with zeros to `want`, '.' drops
-- trailing zeros, '0' drops them but leaves one, '-' drops them and then
-- the point (positional), or leaves out the point only when no digit
-- follows it at all (scientific).
local function trimmed(fp, trim, want, positional)
  if trim == "k" then return "." .. fp .. rep("0", want - #fp) end
  if trim == "-" and not positional and fp == "" then return "" end
  fp = fp:gsub("0+$", "")
  if fp == "" then
    if trim == "0" then return ".0" end
    if trim == "-" and positional then return "" end
  end
  return "." .. fp
end

local function nonfinite(x, sign)
  if x ~= x then return "nan" end
  return (x < 0 and "-" or sign and "+" or "") .. "inf"
end

local TRIMS = {k = true, ["."] = true, ["0"] = true, ["-"] = true}
local FLOATS = {float16 = true, bfloat16 = true, float32 = true, float64 = true}

-- The value x of a format_float_* call and the rounding of its dtype:
-- a Lua number is a float64 unless `dtype` says otherwise, a 0-d array of a
-- float dtype carries its own.
local function value_of(fname, x, dtype, n)
  local dt = "float64"
  if isarray(x) then
    if x.ndim ~= 0 then
      argerror(fname, 1, fmt("a number or a 0-d array expected, got an array of shape (%s)",
                             table.concat(x.shape, ", ")))
    end
    dt = x.dtype
    if not FLOATS[dt] then
      argerror(fname, 1, fmt("a floating-point value expected, got a 0-d %s array", dt))
    end
    x = x:item()
  elseif type(x) ~= "number" then
    argerror(fname, 1, "a number expected, got " .. type(x))
  end
  x = x * 1.0   -- an integer as a float (and -0.0 kept)
  if dtype ~= nil then
    if not FLOATS[dtype] then
      argerror(fname, n, fmt("dtype must be 'float16', 'bfloat16', 'float32' or 'float64', got %s",
                             type(dtype) == "string" and "'" .. dtype .. "'" or type(dtype)))
    end
    dt = dtype
    if ROUND[dt] and x == x then x = ROUND[dt](x) end
  end
  return x, ROUND[dt]
end

-- The arguments of format_float_positional / _scientific, checked as
-- NumPy checks them; `where(k)`: the argument number to blame for k.
local function options(fname, pos, ...)
  local n, args = select("#", ...), {...}
  local o = internal.params(fname, n, args, 1, pos, {"dtype"})
  local index = {}
  for i, k in ipairs(pos) do index[k] = i + 1 end
  local function where(k) return (args[index[k]] ~= nil and index[k]) or n end
  local function int(k, dflt)
    local v = o[k]
    if v == nil then return dflt end
    if math.type(v) ~= "integer" then
      argerror(fname, where(k), fmt("%s must be an integer, got %s", k,
                                    type(v) == "number" and tostring(v) or type(v)))
    end
    if v < 0 then argerror(fname, where(k), fmt("%s must be >= 0, got %d", k, v)) end
    return v
  end
  local function bool(k, dflt)
    local v = o[k]
    if v == nil then return dflt end
    if type(v) ~= "boolean" then argerror(fname, where(k), k .. " must be a boolean, got " .. type(v)) end
    return v
  end
  local r = {}
  r.precision = int("precision")
  if r.precision and r.precision > 99 then
    argerror(fname, where("precision"), fmt("precision must be at most 99, got %d", r.precision))
  end
  r.min_digits = int("min_digits")
  if r.min_digits and r.min_digits > 99 then
    argerror(fname, where("min_digits"), fmt("min_digits must be at most 99, got %d", r.min_digits))
  end
  r.pad_left, r.pad_right, r.exp_digits = int("pad_left"), int("pad_right"), int("exp_digits")
  r.unique, r.fractional, r.sign = bool("unique", true), bool("fractional", true), bool("sign", false)
  r.trim = o.trim == nil and "k" or o.trim
  if not TRIMS[r.trim] then
    argerror(fname, where("trim"), fmt("trim must be 'k', '.', '0' or '-', got %s",
                                      type(r.trim) == "string" and "'" .. r.trim .. "'" or type(r.trim)))
  end
  if not r.unique and not r.precision then
    argerror(fname, where("unique"), "precision must be given when unique is false")
  end
  if r.min_digits and r.precision and r.min_digits > r.precision then
    argerror(fname, where("min_digits"), fmt("min_digits (%d) must not exceed precision (%d)",
                                             r.min_digits, r.precision))
  end
  r.x, r.rnd = value_of(fname, args[1], o.dtype, n)
  r.where = where
  return r
end

local function padded(s, width) return rep(" ", (width or 0) - #s) .. s end

local POSITIONAL = {"precision", "unique", "fractional", "trim", "sign", "pad_left",
                    "pad_right", "min_digits"}
local SCIENTIFIC = {"precision", "unique", "trim", "sign", "pad_left", "exp_digits",
                    "min_digits"}

-- lunar.format_float_positional(x [, precision [, unique [, fractional
-- [, trim [, sign [, pad_left [, pad_right [, min_digits]]]]]]]] [, {dtype =}])
function lunar.format_float_positional(...)
  local fname = "format_float_positional"
  local o = options(fname, POSITIONAL, ...)
  local x = o.x
  if not o.fractional and o.precision == 0 then
    argerror(fname, o.where("precision"), "precision must be greater than 0 if fractional is false")
  end
  if x ~= x or x == math.huge or x == -math.huge then return nonfinite(x, o.sign) end
  local d, e = digits(x, o.rnd, o.unique, o.precision, o.min_digits, o.fractional)
  local ip, fp = positional_parts(d, e)
  local want = o.unique and (o.min_digits or 0) or o.precision
  if not o.fractional then want = want - #ip end
  local tail = trimmed(fp, o.trim, want, true)
  local neg = x < 0 or (x == 0 and 1 / x < 0)
  ip = (neg and "-" or o.sign and "+" or "") .. ip
  if o.pad_right then
    local nfrac = math.max(#tail - 1, 0)
    if nfrac <= o.pad_right then
      -- a point trimmed away ('-') still takes its column
      tail = tail .. (tail == "" and " " or "") .. rep(" ", o.pad_right - nfrac)
    end
  end
  return padded(ip, o.pad_left) .. tail
end

-- lunar.format_float_scientific(x [, precision [, unique [, trim [, sign
-- [, pad_left [, exp_digits [, min_digits]]]]]]] [, {dtype =}])
function lunar.format_float_scientific(...)
  local fname = "format_float_scientific"
  local o = options(fname, SCIENTIFIC, ...)
  local x = o.x
  if x ~= x or x == math.huge or x == -math.huge then return nonfinite(x, o.sign) end
  -- precision and min_digits count the digits after the first one here
  local d, e = digits(x, o.rnd, o.unique, o.precision and o.precision + 1,
                      o.min_digits and o.min_digits + 1, false)
  local want = o.unique and (o.min_digits or 0) or o.precision
  local neg = x < 0 or (x == 0 and 1 / x < 0)
  local ip = (neg and "-" or o.sign and "+" or "") .. d:sub(1, 1)
  -- the exponent: at least exp_digits digits (2 unless given, at most 5),
  -- none at all for 0 with exp_digits = 0 (as NumPy writes it)
  local es = e == 0 and "" or tostring(math.abs(e))
  es = rep("0", math.min(o.exp_digits or 2, 5) - #es) .. es
  return padded(ip, o.pad_left) .. trimmed(d:sub(2), o.trim, want, false) ..
         "e" .. (e < 0 and "-" or "+") .. es
end
-- }=====
