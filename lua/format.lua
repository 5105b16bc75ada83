-- SPDX-License-Identifier: MIT
-- tostring(array): NumPy's repr (numpy/_core/arrayprint.py's rules), plus
-- ", device='...'" off the default device, under the print options of
-- lunar.set_printoptions (NumPy's names, meanings and defaults: 8 digits,
-- 75 columns, summaries past 1000 elements with 3 edge items).
-- The binding runs this chunk with (module, methods) and keeps the returned
-- function as the array's __tostring.
local lunar, _, internal = ...

local fmt, concat, rep = string.format, table.concat, string.rep

-- {===== print options
local DEFAULTS = {
  precision = 8, threshold = 1000, edgeitems = 3, linewidth = 75,
  suppress = false, nanstr = "nan", infstr = "inf", sign = "-",
  floatmode = "maxprec",
}
local opt = {}
for k, v in pairs(DEFAULTS) do opt[k] = v end
-- the options as the formatters below read them (set per call of tostring)
local EDGE, THRESHOLD, LINEWIDTH, PRECISION
-- the options of the text being made (the print options, or those of one
-- array2string call)
local O = opt

local FLOATMODES = {fixed = true, unique = true, maxprec = true, maxprec_equal = true}
local SIGNS = {["-"] = true, ["+"] = true, [" "] = true}
-- NumPy's positional order (formatter, 8th, is not supported)
local POSITIONAL = {"precision", "threshold", "edgeitems", "linewidth", "suppress",
                    "nanstr", "infstr", "formatter", "sign", "floatmode"}

local function isint(v) return math.type(v) == "integer" end

-- Each option's check: nil when v is acceptable, else what it must be.
local CHECK = {
  -- Lua's string.format takes at most 99 digits
  precision = function(v) return not (isint(v) and v >= 0 and v <= 99)
    and "an integer from 0 to 99" end,
  threshold = function(v) return not (type(v) == "number" and v == v)
    and "a number (not NaN; math.huge never summarises)" end,
  edgeitems = function(v) return not (isint(v) and v >= 1 and v <= 1 << 31)
    and "a positive integer" end,
  linewidth = function(v) return not (isint(v) and v >= 1 and v <= 1 << 31)
    and "a positive integer" end,
  suppress = function(v) return type(v) ~= "boolean" and "a boolean" end,
  nanstr = function(v) return type(v) ~= "string" and "a string" end,
  infstr = function(v) return type(v) ~= "string" and "a string" end,
  sign = function(v) return not SIGNS[v] and "one of '-', '+' or ' '" end,
  floatmode = function(v) return not FLOATMODES[v]
    and "one of 'fixed', 'unique', 'maxprec' or 'maxprec_equal'" end,
}

local function show(v)
  if type(v) == "string" then return fmt("%q", v) end
  return tostring(v)
end

-- lunar.set_printoptions([precision [, threshold ...]] [, kwargs]): every
-- value is checked before any is set, so a bad call changes nothing.
function lunar.set_printoptions(...)
  local n, args = select("#", ...), {...}
  local new = {}
  if n > 0 and type(args[n]) == "table" then
    for k, v in next, args[n] do
      if type(k) ~= "string" or not CHECK[k] then
        error(fmt("lunar.set_printoptions: unknown option %s", show(k)), 2)
      end
      new[k] = v
    end
    n = n - 1
  end
  if n > #POSITIONAL then
    error(fmt("lunar.set_printoptions: takes at most %d positional arguments, got %d",
              #POSITIONAL, n), 2)
  end
  for i = 1, n do
    local k, v = POSITIONAL[i], args[i]
    if v ~= nil then
      if k == "formatter" then
        error("lunar.set_printoptions: formatter is not supported", 2)
      end
      if new[k] ~= nil then
        error(fmt("lunar.set_printoptions: %s given by position and in the options table", k), 2)
      end
      new[k] = v
    end
  end
  for k, v in pairs(new) do
    local want = CHECK[k](v)
    if want then
      error(fmt("lunar.set_printoptions: %s must be %s, got %s", k, want, show(v)), 2)
    end
  end
  for k, v in pairs(new) do opt[k] = v end
end

-- A copy: changing it changes nothing (set_printoptions(t) restores it).
function lunar.get_printoptions(...)
  if select("#", ...) > 0 then
    error("lunar.get_printoptions: takes no arguments", 2)
  end
  local t = {}
  for k, v in pairs(opt) do t[k] = v end
  return t
end

-- lunar.printoptions(options, fn, ...): fn(...) with the print options of
-- the table set (NumPy's context manager), the previous ones restored
-- afterwards, also when fn raises; fn's results.
function lunar.printoptions(...)
  local t, f = ...
  if type(t) ~= "table" then
    error(fmt("lunar.printoptions: bad argument #1 (table of print options expected, got %s)", type(t)), 2)
  end
  if type(f) ~= "function" then
    error(fmt("lunar.printoptions: bad argument #2 (function expected, got %s)", type(f)), 2)
  end
  local saved = lunar.get_printoptions()
  local ok, err = pcall(lunar.set_printoptions, t)
  if not ok then
    error((tostring(err):gsub("^[^\n]-:%d+: ", ""):gsub("^lunar%.set_printoptions:", "lunar.printoptions:")), 2)
  end
  local r = table.pack(pcall(f, select(3, ...)))
  lunar.set_printoptions(saved)
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

-- lunar.array_repr(a [, max_line_width [, precision [, suppress_small]]]):
-- tostring(a) under those print options (nil: the current ones)
function lunar.array_repr(...)
  local a, width, precision, suppress = ...
  if select("#", ...) > 4 then error("lunar.array_repr: bad argument #5 (unexpected argument)", 2) end
  if not internal.isarray(a) then
    error(fmt("lunar.array_repr: bad argument #1 (array expected, got %s)", type(a)), 2)
  end
  local t = {linewidth = width, precision = precision, suppress = suppress}
  return lunar.printoptions(t, tostring, a)
end
-- }=====

-- {===== fetching: one host transfer per corner block

-- Join the trees h and t (same shape except at `depth`) along that depth.
local function merge(h, t, depth)
  local r = {}
  if depth == 1 then
    for i = 1, #h do r[#r + 1] = h[i] end
    for i = 1, #t do r[#r + 1] = t[i] end
    r.cut = true
    return r
  end
  for i = 1, #h do r[i] = merge(h[i], t[i], depth - 1) end
  r.cut = h.cut
  return r
end

-- The shown elements of view v as nested tables; a level marked `cut` holds
-- EDGE leading and EDGE trailing entries with "..." between them. Corner
-- slices are taken on the device, so a 1000x1000 array costs four small
-- transfers, not the whole array.
-- The host's values of view v; with `bits`, a uint64 array's as their bit
-- patterns (int64), which Lua integers hold exactly from 2^63 on as well
local function host_values(v, bits)
  if bits and v.dtype == "uint64" then return v:astype("int64"):totable() end
  return v:totable()
end

local function grab(v, ax, bits)
  local shape = v.shape
  for k = ax, #shape do
    if shape[k] > 2 * EDGE then
      local ih, it = {}, {}
      for j = 1, k - 1 do ih[j], it[j] = {}, {} end
      ih[k], it[k] = {1, EDGE}, {-EDGE, -1}
      return merge(grab(v[ih], k + 1, bits), grab(v[it], k + 1, bits), k)
    end
  end
  return host_values(v, bits)
end
-- }=====

-- {===== element formatters

-- The shortest round-trip digits in a dtype (lua/floatfmt.lua).
local ROUND, shortest = internal.ROUND, internal.shortest
local digits, positional_parts = internal.digits, internal.positional_parts

-- sign, digits, exponent of a "%e" text ("-1.25e+03" -> "-", "125", 3)
local function parse_e(s)
  local sign, d1, dr, e = s:match("^(-?)(%d)%.?(%d*)e([-+]%d+)$")
  return sign, d1 .. dr, tonumber(e)
end

local function rstrip0(s) return (s:gsub("0+$", "")) end

local function isneg(x) return x < 0 or (x == 0 and 1 / x < 0) end

-- Positional text of a finite x as (int part, fraction) in the float mode,
-- as NumPy's FloatingFormat asks Dragon4 (min_digits 0): the shortest
-- round-trip digits, at most PRECISION fractional digits (no limit with
-- 'unique'), every digit of the integer part (float16 65504 is "65504.",
-- not the shortest "65500."), zeros trimmed; 'fixed': exactly PRECISION
-- digits.
-- `mind`: maxprec_equal's fraction digits, which an element with fewer
-- shortest digits continues with exact ones (float32 95.6683 is
-- "95.668297" beside longer ones, not "95.668300")
local function positional(x, rnd, mind)
  if O.floatmode == "fixed" then
    return fmt("%." .. PRECISION .. "f", x):match("^(-?%d+)%.?(%d*)$")
  end
  local d, e = digits(x, rnd, true, O.floatmode ~= "unique" and PRECISION or nil, mind or 0, true)
  local ip, fp = positional_parts(d, e)
  ip = ip:gsub("^0+(%d)", "%1")
  return (isneg(x) and "-" or "") .. ip, rstrip0(fp)
end

-- Scientific text of a finite x: (mantissa int part, fraction digits, exponent).
local function scientific(x, rnd)
  if O.floatmode == "fixed" then
    local sign, digits, e = parse_e(fmt("%." .. PRECISION .. "e", x))
    return sign .. digits:sub(1, 1), digits:sub(2), e
  end
  local sign, digits, e = parse_e(shortest(x, rnd))
  local fp = rstrip0(digits:sub(2))
  if O.floatmode ~= "unique" and #fp > PRECISION then
    sign, digits, e = parse_e(fmt("%." .. PRECISION .. "e", x))
    fp = rstrip0(digits:sub(2))
  end
  return sign .. digits:sub(1, 1), fp, e
end

local function isfinite(x) return x == x and x ~= math.huge and x ~= -math.huge end

local function nonfinite(x, plus)
  if x ~= x then return (plus and "+" or "") .. O.nanstr end
  return (x < 0 and "-" or plus and "+" or "") .. O.infstr
end

-- "+" in front of a non-negative number's text when plus is set
local function signed(ip, plus)
  if plus and ip:sub(1, 1) ~= "-" then return "+" .. ip end
  return ip
end

-- NumPy's FloatingFormat: returns a function value -> text, all of one width.
-- rnd: the rounding to the dtype (shortest round-trip digits in it); sign:
-- NumPy's sign option ('+' for the imaginary parts of complex numbers).
local function float_formatter(vals, rnd, sign)
  local plus = sign == "+"
  local finite, maxv, minv, neginf, anynf, anyneg = {}, nil, nil, sign ~= "-", false, false
  for _, x in ipairs(vals) do
    if isfinite(x) then
      finite[#finite + 1] = x
      local a = math.abs(x)
      if x < 0 or (x == 0 and 1 / x < 0) then anyneg = true end
      if a ~= 0 then
        if not maxv or a > maxv then maxv = a end
        if not minv or a < minv then minv = a end
      end
    else
      anynf = true
      if x == -math.huge then neginf = true end
    end
  end
  -- (NumPy divides in the array's dtype: float16's 100 / 0.1 is 1000)
  local ratio = maxv and maxv / minv
  if ratio and rnd then ratio = rnd(ratio) end
  local expmode = maxv ~= nil and (maxv >= 1e8 or
    (not O.suppress and (minv < 1e-4 or ratio > 1e3)))
  local pad_left, pad_right, prec, exp_size = 0, 0, 0, 0
  if expmode then
    for _, x in ipairs(finite) do
      local ip, fp, e = scientific(x, rnd)
      ip = signed(ip, plus)
      pad_left = math.max(pad_left, #ip)
      prec = math.max(prec, #fp)
      exp_size = math.max(exp_size, #fmt("%02d", math.abs(e)))
    end
    pad_right = exp_size + 2 + prec
  else
    for _, x in ipairs(finite) do
      local ip, fp = positional(x, rnd)
      ip = signed(ip, plus)
      pad_left = math.max(pad_left, #ip)
      pad_right = math.max(pad_right, #fp)
    end
  end
  -- 'fixed' and 'maxprec_equal' give every element as many digits
  local equal = O.floatmode == "fixed" or O.floatmode == "maxprec_equal"
  if sign == " " and not anyneg then pad_left = pad_left + 1 end
  if anynf then
    local offset = pad_right + 1
    pad_left = math.max(pad_left, #O.nanstr - offset,
                        #O.infstr + (neginf and 1 or 0) - offset)
  end
  return function(x)
    if not isfinite(x) then
      local s = nonfinite(x, plus)
      return rep(" ", pad_left + pad_right + 1 - #s) .. s
    end
    if expmode then
      -- Dragon4 with precision and min_digits prec: the shortest digits,
      -- or exact ones where those are fewer (the exact rounding of x can
      -- differ: float32 2^-96 is 1.2621775e-29, exactly 1.26217744...)
      local sg, dg, e
      if O.floatmode == "fixed" then
        sg, dg, e = parse_e(fmt("%." .. prec .. "e", x))
      else
        dg, e = digits(x, rnd, true, prec + 1, prec + 1, false)
        sg, dg = isneg(x) and "-" or "", dg .. rep("0", prec + 1 - #dg)
      end
      local ip = signed(sg .. dg:sub(1, 1), plus)
      local es = fmt("%0" .. exp_size .. "d", math.abs(e))
      return rep(" ", pad_left - #ip) .. ip .. "." .. dg:sub(2) ..
             "e" .. (e < 0 and "-" or "+") .. es
    end
    local ip, fp = positional(x, rnd, equal and pad_right or nil)
    ip = signed(ip, plus)
    if equal then fp = fp .. rep("0", pad_right - #fp) end
    return rep(" ", pad_left - #ip) .. ip .. "." .. fp .. rep(" ", pad_right - #fp)
  end
end

-- NumPy's ComplexFloatingFormat: the real parts formatted together, the
-- imaginary parts together with a sign, "j" before the imaginary part's
-- trailing padding.
local function complex_formatter(vals, rnd)
  local re, im = {}, {}
  for i, z in ipairs(vals) do re[i], im[i] = z.real, z.imag end
  local fr, fi = float_formatter(re, rnd, O.sign), float_formatter(im, rnd, "+")
  return function(z)
    local i = fi(z.imag)
    local body, pad = i:match("^(.-)( *)$")
    return fr(z.real) .. body .. "j" .. pad
  end
end

-- bfloat16 prints as NumPy prints ml_dtypes' bfloat16: each element's own
-- repr (C++'s `ostream << float`: %g, 6 significant digits), unpadded.
local function bfloat16_formatter()
  return function(x)
    if x ~= x then return "nan" end
    return fmt("%g", x)
  end
end

-- NumPy 2's IntegerFormat: one width; the sign option shows "+" or " " in
-- front of non-negative values (" " only while no value is negative).
-- `unsigned`: the values are uint64 bit patterns (host_values), printed
-- as unsigned decimals
local function int_formatter(vals, unsigned)
  local function str(x)
    if math.type(x) == "float" then return fmt("%.0f", x) end
    if unsigned and x < 0 then   -- from 2^63: x // 10 and x % 10, unsigned
      local q = (x >> 1) // 5
      return tostring(q) .. tostring(x - q * 10)
    end
    return tostring(x)
  end
  local function neg(x) return not unsigned and x < 0 end
  local sign, w, anyneg = O.sign, 0, false
  for _, x in ipairs(vals) do if neg(x) then anyneg = true end end
  if sign == " " and anyneg then sign = "-" end
  local function text(x)
    local s = str(x)
    if not neg(x) and sign ~= "-" then s = sign .. s end
    return s
  end
  for _, x in ipairs(vals) do w = math.max(w, #text(x)) end
  return function(x)
    local s = text(x)
    return rep(" ", w - #s) .. s
  end
end

local function bool_formatter(ndim)
  return function(x)
    if x then return ndim > 0 and " True" or "True" end
    return "False"
  end
end
-- }=====

-- {===== layout (NumPy's _formatArray)

local function flatten(node, depth, out)
  if depth == 0 then out[#out + 1] = node; return out end
  for i = 1, #node do flatten(node[i], depth - 1, out) end
  return out
end

-- NumPy's _extendLine (a word that would pass `width` starts a new line,
-- unless the line holds nothing but the prefix) and _extendLine_pretty (a
-- word of several lines, which only a user's formatter writes, keeps its
-- lines one above the other).
local function extend(s, line, word, width, prefix)
  if word:find("\n", 1, true) then
    local words = {}
    for w in (word .. "\n"):gmatch("(.-)\n") do words[#words + 1] = w end
    local maxlen, indent = 0, nil
    for _, w in ipairs(words) do maxlen = math.max(maxlen, #w) end
    if #line + maxlen > width and #line > #prefix then
      s[#s + 1] = (line:gsub("%s+$", "")) .. "\n"
      line, indent = prefix .. words[1], prefix
    else
      indent = rep(" ", #line)
      line = line .. words[1]
    end
    for i = 2, #words do
      s[#s + 1] = (line:gsub("%s+$", "")) .. "\n"
      line = indent .. words[i]
    end
    return line .. rep(" ", maxlen - #words[#words])
  end
  if #line + #word > width and #line > #prefix then
    s[#s + 1] = (line:gsub("%s+$", "")) .. "\n"
    line = prefix
  end
  return line .. word
end

-- NumPy's _formatArray: the elements of the last axis joined by `sep` and
-- wrapped to leave room for the separator or the closing bracket, the
-- other axes one block a line, blank lines between blocks of 3-d and more.
local function layout(node, axes_left, hang, width, ff, sep)
  if axes_left == 0 then return ff(node) end
  local n, parts = #node, {}
  if axes_left == 1 then
    local elem_width, line = width - math.max(#sep:gsub("%s+$", ""), 1), hang
    for i = 1, n do
      if node.cut and i == EDGE + 1 then
        line = extend(parts, line, "...", elem_width, hang) .. sep
      end
      line = extend(parts, line, ff(node[i]), elem_width, hang)
      if i < n then line = line .. sep end
    end
    parts[#parts + 1] = line
  else
    local line_sep = sep:gsub("%s+$", "") .. rep("\n", axes_left - 1)
    for i = 1, n do
      if node.cut and i == EDGE + 1 then parts[#parts + 1] = hang .. "..." .. line_sep end
      parts[#parts + 1] = hang .. layout(node[i], axes_left - 1, hang .. " ", width - 1, ff, sep)
      if i < n then parts[#parts + 1] = line_sep end
    end
  end
  return "[" .. concat(parts):sub(#hang + 1) .. "]"
end
-- }=====

-- {===== the text of an array's elements (NumPy's _array2string)

local FLOATS = {float16 = true, float32 = true, float64 = true}
local KIND = {bool = "bool", float16 = "float", bfloat16 = "float", float32 = "float",
              float64 = "float", complex64 = "complexfloat", complex128 = "complexfloat"}
-- formatter keys: lunar's kinds, their groups, and NumPy's kinds that no
-- lunar dtype has (accepted, never used)
local FORMATTER_KEYS = {bool = true, int = true, float = true, complexfloat = true, all = true,
  int_kind = true, float_kind = true, complex_kind = true, longfloat = true,
  longcomplexfloat = true, timedelta = true, datetime = true, void = true, numpystr = true,
  str_kind = true, object = true}
local GROUP = {int = "int_kind", float = "float_kind", complexfloat = "complex_kind"}

-- The user's formatter for dtype from a formatter table (NumPy's
-- precedence: the kind's own key, then its group, then 'all'), wrapped to
-- check that it returns a string; nil when none applies.
local function user_formatter(fname, fmts, dtype)
  if not fmts then return nil end
  local kind = KIND[dtype] or "int"
  local key = fmts[kind] and kind or GROUP[kind] and fmts[GROUP[kind]] and GROUP[kind] or fmts.all and "all"
  if not key then return nil end
  local f = fmts[key]
  return function(x)
    local r = f(x)
    if type(r) ~= "string" then
      error(fmt("lunar.%s: formatter '%s' returned %s, not a string", fname, key, type(r)), 0)
    end
    return r
  end
end

-- The text of a's elements ("[]" when it has none) under the options o,
-- elements separated by sep, continuation lines indented by #prefix + 1
-- columns, lines at most `width` long. Runs while the module's option
-- variables hold o, and puts them back afterwards, also when a user's
-- formatter raises or prints arrays itself.
local function elements(a, o, sep, prefix, width, fmts, fname)
  local saved = {O, EDGE, THRESHOLD, LINEWIDTH, PRECISION}
  O, EDGE, THRESHOLD, LINEWIDTH, PRECISION = o, o.edgeitems, o.threshold, o.linewidth, o.precision
  local ok, r = pcall(function()
    local dtype, size, ndim = a.dtype, a.size, a.ndim
    if size == 0 then return "[]" end
    -- one implicit synchronisation (strict mode refuses it), however many
    -- corner blocks are fetched
    internal.host_wait(a, fname)
    local ff = user_formatter(fname, fmts, dtype)
    -- a user's formatter takes Lua numbers (uint64 from 2^63 as floats)
    local bits = ff == nil and dtype == "uint64"
    local data = internal.explicitly(function()
      return size > THRESHOLD and grab(a, 1, bits) or host_values(a, bits)
    end)
    local vals = ndim == 0 and {data} or flatten(data, ndim, {})
    if ff then -- a user's formatter
    elseif dtype == "bool" then ff = bool_formatter(ndim)
    elseif FLOATS[dtype] then ff = float_formatter(vals, ROUND[dtype], O.sign)
    elseif dtype == "complex64" or dtype == "complex128" then
      ff = complex_formatter(vals, dtype == "complex64" and ROUND.float32 or nil)
    elseif dtype == "bfloat16" then ff = bfloat16_formatter()
    else ff = int_formatter(vals, dtype == "uint64") end
    return layout(data, ndim, rep(" ", #prefix + 1), width, ff, sep)
  end)
  O, EDGE, THRESHOLD, LINEWIDTH, PRECISION = table.unpack(saved, 1, 5)
  if not ok then error(r, 0) end
  return r
end

-- The print options with a call's overrides (nil keeps the current one),
-- each checked as set_printoptions checks it; `args[k]` is the argument
-- number blamed for option k.
local function with_options(fname, over, where)
  local o = {}
  for k, v in pairs(opt) do o[k] = v end
  for k, v in pairs(over) do
    local want = CHECK[k](v)
    if want then
      internal.argerror(fname, where[k], fmt("%s must be %s, got %s", k, want, show(v)))
    end
    o[k] = v
  end
  return o
end

local A2S_POS = {"max_line_width", "precision", "suppress_small", "separator", "prefix"}
local A2S_KW = {"formatter", "threshold", "edgeitems", "sign", "floatmode", "suffix", "legacy"}
local A2S_OPTION = {max_line_width = "linewidth", suppress_small = "suppress", precision = "precision",
                    threshold = "threshold", edgeitems = "edgeitems", sign = "sign", floatmode = "floatmode"}

-- lunar.array2string(a [, max_line_width [, precision [, suppress_small
-- [, separator [, prefix]]]]] [, {formatter =, threshold =, edgeitems =,
-- sign =, floatmode =, suffix =, legacy =}]): NumPy 2's signature (the
-- parameters after prefix are keyword-only there too).
function lunar.array2string(...)
  local fname, n, args = "array2string", select("#", ...), {...}
  local a = args[1]
  if not internal.isarray(a) then
    internal.argerror(fname, 1, "array expected, got " .. type(a))
  end
  local p = internal.params(fname, n, args, 1, A2S_POS, A2S_KW)
  local where, over = {}, {}
  for i, k in ipairs(A2S_POS) do where[k] = args[i + 1] ~= nil and i + 1 or n end
  for _, k in ipairs(A2S_KW) do where[k] = n end
  local by_option = {}
  for k, name in pairs(A2S_OPTION) do
    if p[k] ~= nil then over[name] = p[k]; by_option[name] = where[k] end
  end
  local o = with_options(fname, over, by_option)
  local function str(k, dflt)
    local v = p[k]
    if v == nil then return dflt end
    if type(v) ~= "string" then
      internal.argerror(fname, where[k], fmt("%s must be a string, got %s", k, type(v)))
    end
    return v
  end
  local sep, prefix, suffix = str("separator", " "), str("prefix", ""), str("suffix", "")
  if p.legacy ~= nil and p.legacy ~= false then
    internal.argerror(fname, where.legacy, fmt("legacy must be false (NumPy 2's printing; the 1.13 mode is not supported), got %s",
                                               show(p.legacy)))
  end
  local fmts = p.formatter
  if fmts ~= nil then
    if type(fmts) ~= "table" then
      internal.argerror(fname, where.formatter, "formatter must be a table of functions, got " .. type(fmts))
    end
    for k, f in pairs(fmts) do
      if not FORMATTER_KEYS[k] then
        internal.argerror(fname, where.formatter, fmt("formatter: unknown kind %s", show(k)))
      end
      if type(f) ~= "function" then
        internal.argerror(fname, where.formatter, fmt("formatter: '%s' must be a function, got %s", k, type(f)))
      end
    end
  end
  return elements(a, o, sep, prefix, o.linewidth - #suffix, fmts, fname)
end

-- Python's str of one value of dtype (str of a NumPy scalar): the
-- shortest digits, positional from 1e-4 to 1e16 ("1.0"), else scientific
-- ("1e+16"); complex values as "(1+2j)", "2j" with a real part of +0.
local function float_str(x, dtype, trim)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" elseif x == -math.huge then return "-inf" end
  local ax = math.abs(x)
  local o = {trim = trim, dtype = dtype}
  if ax >= 1e16 or (ax ~= 0 and ax < 1e-4) then
    o.trim = "-"
    return lunar.format_float_scientific(x, o)
  end
  return lunar.format_float_positional(x, o)
end

local function scalar_str(v, dtype)
  if dtype == "bool" then return v and "True" or "False" end
  if FLOATS[dtype] then return float_str(v, dtype, "0") end
  if dtype == "bfloat16" then return bfloat16_formatter()(v) end
  if dtype == "complex64" or dtype == "complex128" then
    local part = dtype == "complex64" and "float32" or "float64"
    local re, im = v.real, v.imag
    local is = float_str(im, part, "-")
    if im == im and not is:find("^-") then is = "+" .. is end
    if im ~= im then is = "+" .. is end
    if re == 0 and 1 / re > 0 then return float_str(im, part, "-") .. "j" end
    return "(" .. float_str(re, part, "-") .. is .. "j)"
  end
  return tostring(v)
end

-- lunar.array_str(a [, max_line_width [, precision [, suppress_small]]]):
-- array2string with the separator ' '; a 0-d array as its value's str.
function lunar.array_str(...)
  local fname, n, args = "array_str", select("#", ...), {...}
  local a = args[1]
  if not internal.isarray(a) then
    internal.argerror(fname, 1, "array expected, got " .. type(a))
  end
  if n > 4 then internal.argerror(fname, 5, "unexpected argument") end
  local over, where = {}, {}
  for i, k in ipairs({"linewidth", "precision", "suppress"}) do
    if args[i + 1] ~= nil then over[k] = args[i + 1]; where[k] = i + 1 end
  end
  local o = with_options(fname, over, where)
  if a.ndim == 0 then
    internal.host_wait(a, fname)
    return scalar_str(internal.explicitly(function() return a:item() end), a.dtype)
  end
  return elements(a, o, " ", "", o.linewidth, nil, fname)
end
-- }=====

local implied = {float64 = true, int64 = true, bool = true, complex128 = true}

local function shape_repr(shape)
  if #shape == 1 then return "(" .. shape[1] .. ",)" end
  return "(" .. concat(shape, ", ") .. ")"
end

-- tostring(a): "array(" .. the elements separated by ", " .. the dtype, shape
-- and device where NumPy's repr (and lunar) show them .. ")"
return function(a)
  local shape, dtype, size, ndim = a.shape, a.dtype, a.size, a.ndim
  local prefix = "array("
  local body = elements(a, opt, ", ", prefix, opt.linewidth - 1, nil, "tostring")
  local extras = {}
  if size == 0 and not (ndim == 1) then extras[#extras + 1] = "shape=" .. shape_repr(shape) end
  if not implied[dtype] or size == 0 then extras[#extras + 1] = "dtype=" .. dtype end
  local dev = a.device
  if dev ~= lunar.get_device() then extras[#extras + 1] = "device='" .. dev .. "'" end
  if #extras == 0 then return prefix .. body .. ")" end
  local s = prefix .. body .. ","
  local extra = concat(extras, ", ") .. ")"
  local last = #s - ((s:match(".*()\n") or 0))
  if last + #extra + 1 > opt.linewidth then
    return s .. "\n" .. rep(" ", #prefix) .. extra
  end
  return s .. " " .. extra
end
