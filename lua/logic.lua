-- SPDX-License-Identifier: MIT
-- NumPy's logic functions that answer about whole values rather than
-- elements (isscalar, isrealobj, iscomplexobj, isfortran, array_equiv)
-- and binary_repr, composed from the elementwise ops. Called with the
-- module and the array method table; returns nothing.
local lu, methods = ...

local isarray, iscomplexvalue

do
  local mt = getmetatable(lu.zeros(0, {device = "cpu"}))
  local cmt = getmetatable(lu.complex(0, 0))
  isarray = function(x) return type(x) == "userdata" and getmetatable(x) == mt end
  iscomplexvalue = function(x) return type(x) == "userdata" and getmetatable(x) == cmt end
end

local function argerror(fname, k, msg)
  error(("lunar.%s: bad argument #%d (%s)"):format(fname, k, msg), 0)
end

local function nargs(fname, n, max)
  if n > max then argerror(fname, max + 1, "unexpected argument") end
end

-- A Lua number, boolean, string or complex value (NumPy: a Python or NumPy
-- scalar); an array, 0-d ones included, is not.
function lu.isscalar(...)
  nargs("isscalar", select("#", ...), 1)
  local t = type((...))
  return t == "number" or t == "boolean" or t == "string" or iscomplexvalue((...))
end

local function complex_dtype(x)
  return (isarray(x) and x.dtype:match("^complex") ~= nil) or iscomplexvalue(x)
end

-- Whether x is of a complex type (its values are not looked at).
function lu.iscomplexobj(...)
  nargs("iscomplexobj", select("#", ...), 1)
  return complex_dtype((...))
end

function lu.isrealobj(...)
  nargs("isrealobj", select("#", ...), 1)
  return not complex_dtype((...))
end

-- NumPy's isfortran: Fortran-contiguous and not C-contiguous (a.T of a
-- C-ordered matrix, not a 1-d array).
function lu.isfortran(...)
  nargs("isfortran", select("#", ...), 1)
  local a = ...
  if not isarray(a) then argerror("isfortran", 1, "array expected, got " .. type(a)) end
  local shape, st, item = a.shape, a.strides, a.itemsize
  local function contiguous(first, last, step)
    local want = item
    for i = first, last, step do
      if shape[i] ~= 1 and st[i] ~= want then return false end
      want = want * shape[i]
    end
    return true
  end
  local n = #shape
  if a.size <= 1 then return false end
  return contiguous(1, n, 1) and not contiguous(n, 1, -1)
end

-- True when a1 and a2 broadcast to one shape and are equal everywhere.
function lu.array_equiv(...)
  nargs("array_equiv", select("#", ...), 2)
  local a, b = ...
  a = lu.asarray(a)
  b = isarray(b) and b or lu.asarray(b, {device = a.device})
  if not pcall(lu.broadcast_shapes, a.shape, b.shape) then return false end
  local e = lu.equal(a, b)
  return e.size == 0 or e:all():item()
end

-- the binary digits of v read as an unsigned 64-bit integer
local function bits(v)
  if v == 0 then return "0" end
  local t = {}
  while v ~= 0 do t[#t + 1] = tostring(v & 1); v = v >> 1 end
  return string.reverse(table.concat(t))
end

-- NumPy's binary_repr: the binary digits of an integer, padded with 0 to
-- width; with a width, a negative number in two's complement of at least
-- that many bits (without, a minus sign). A width too small is an error.
function lu.binary_repr(...)
  local n = select("#", ...)
  local num, width = ...
  if n == 2 and type(width) == "table" then
    for k in pairs(width) do
      if k ~= "width" then argerror("binary_repr", 2, ("unknown option '%s'"):format(k)) end
    end
    width = width.width
  end
  nargs("binary_repr", n, 2)
  if math.type(num) ~= "integer" then
    argerror("binary_repr", 1, "num must be an integer, got " .. (math.type(num) or type(num)))
  end
  if width ~= nil and (math.type(width) ~= "integer" or width < 0) then
    argerror("binary_repr", 2, "width must be a non-negative integer")
  end
  local s, pad = nil, "0"
  if num == 0 then return ("0"):rep(width or 1) end
  if num > 0 then
    s = bits(num)
  elseif width == nil then
    return "-" .. bits(-num)
  else
    local p = #bits(-num)
    if p <= 63 and (1 << (p - 1)) == -num then p = p - 1 end
    s = bits(((p + 1) < 64 and (1 << (p + 1)) or 0) + num)
    pad = "1"
  end
  if width ~= nil then
    if width < #s then
      error(("lunar.binary_repr: insufficient bit width %d for %d, which needs %d"):format(width, num, #s), 0)
    end
    s = pad:rep(width - #s) .. s
  end
  return s
end

-- NumPy's base_repr: the digits of an integer in base 2..36 (0-9, then
-- A-Z), `padding` zeros in front of them, then the sign.
function lu.base_repr(...)
  local n = select("#", ...)
  local num, base, padding = ...
  if n >= 2 and type(select(n, ...)) == "table" then
    local opts = select(n, ...)
    if n == 2 then base = nil elseif n == 3 then padding = nil end
    for k, v in pairs(opts) do
      if k == "base" and n < 3 then base = v
      elseif k == "padding" then padding = v
      else argerror("base_repr", n, ("unknown option '%s'"):format(tostring(k))) end
    end
    n = n - 1
  end
  nargs("base_repr", n, 3)
  if math.type(num) ~= "integer" then
    argerror("base_repr", 1, "number must be an integer, got " .. (math.type(num) or type(num)))
  end
  base = base == nil and 2 or base
  padding = padding == nil and 0 or padding
  if math.type(base) ~= "integer" then argerror("base_repr", 2, "base must be an integer") end
  if base > 36 then argerror("base_repr", 2, "Bases greater than 36 not handled in base_repr.") end
  if base < 2 then argerror("base_repr", 2, "Bases less than 2 not handled in base_repr.") end
  if math.type(padding) ~= "integer" or padding < 0 then
    argerror("base_repr", 3, "padding must be a non-negative integer")
  end
  local digits, t, v = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", {}, num
  -- negative numbers are divided as they are (math.mininteger has no
  -- positive twin): the remainder is then -(|v| % base)
  while v ~= 0 do
    local q = v // base
    local r = v - q * base
    if v < 0 and r ~= 0 then q, r = q + 1, base - r end   -- truncating division
    t[#t + 1] = digits:sub(r + 1, r + 1)
    v = q
  end
  local s = ("0"):rep(padding) .. string.reverse(table.concat(t))
  if s == "" then s = "0" end   -- 0 with no padding
  if num < 0 then s = "-" .. s end
  return s
end
