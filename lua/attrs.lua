-- SPDX-License-Identifier: MIT
-- The ndarray attributes written as compositions of array operations, so
-- they run on every device unchanged: a.flat (NumPy's flatiter) and
-- a:byteswap(). The rest (flags, base, view, getfield, setfield, resize)
-- is in src/lua/lb_attrs.c. Returns {flat = f, setflat = g}:
-- src/lua/lb_attrs.c calls f(a) for a.flat and g(a, v) for a.flat = v.
local lu, methods, internal = ...

local isarray = internal.isarray
local mtype, fmt = math.type, string.format

local function argerror(fname, k, msg)
  error(fmt("array:%s: bad argument #%d (%s)", fname, k, msg), 3)
end

-- {===== a.flat
-- A flat object: a table with no fields of its own, its array in `owner`
-- (weak keys, so a dropped flat object takes nothing with it).
local owner = setmetatable({}, {__mode = "k"})
local Flat = {__name = "lunar.flatiter", __metatable = false}

local function describe(k)
  if type(k) == "string" then return fmt("string '%s'", k) end
  return type(k) == "number" and tostring(k) or type(k)
end

-- The 1-based position k (negative from the end) of a's n elements, as a
-- key of one integer per axis (nil for a 0-d array)
local function position(a, k)
  local n = a.size
  local i = k < 0 and k + n + 1 or k
  if i < 1 or i > n then
    error(fmt("flat: index %d is out of bounds for size %d", k, n), 3)
  end
  local shape, key, r = a.shape, {}, i - 1
  for d = #shape, 1, -1 do
    key[d] = r % shape[d] + 1
    r = r // shape[d]
  end
  return key
end

-- k as a Lua integer when it is an integral number
local function tointeger(k)
  return type(k) == "number" and math.tointeger(k) or nil
end

-- The 1-based positions a key selects, as an int64 array (a range table)
-- or the key itself (an array); a mask stays a mask
local function positions(a, k)
  if isarray(k) then return k end
  if type(k) == "table" then
    return lu.arange(1, a.size + 1, {device = a.device})[{k}]
  end
  error(fmt("flat: index must be an integer, a range table or an array, got %s", describe(k)), 3)
end

Flat.__index = function(f, k)
  local a = owner[f]
  local i = tointeger(k)
  if i then
    if a.ndim == 0 then position(a, i); return a:item() end
    return a[position(a, i)]
  end
  if k == "base" then return a end
  if k == "copy" then return function() return a:flatten() end end
  if type(k) == "string" then error(fmt("flat: no field '%s'", k), 2) end
  if isarray(k) and k.dtype == "bool" then return a:ravel()[k:ravel()] end
  if isarray(k) then return lu.take(a, k) end
  return lu.take(a, positions(a, k))
end

Flat.__newindex = function(f, k, v)
  local a = owner[f]
  local i = tointeger(k)
  if i then
    if a.ndim == 0 then position(a, i); a[{}] = v; return end
    a[position(a, i)] = v
    return
  end
  if type(k) == "string" then error(fmt("flat: cannot set field '%s'", k), 2) end
  if isarray(k) and k.dtype == "bool" then lu.place(a, k:ravel(), v); return end
  lu.put(a, positions(a, k), v)
end

Flat.__len = function(f) return owner[f].size end

-- for v in a.flat do: the elements in C order, read once (lunar.flatiter)
local iters = setmetatable({}, {__mode = "k"})
Flat.__call = function(f)
  local it = iters[f]
  if it == nil then
    it = lu.flatiter(owner[f])
    iters[f] = it
  end
  return it()
end

Flat.__tostring = function(f) return "lunar.flatiter(" .. tostring(owner[f]) .. ")" end

local function flat(a)
  local f = setmetatable({}, Flat)
  owner[f] = a
  return f
end

-- a.flat = v: every element, v's values in turn, repeated (NumPy)
local function setflat(a, v)
  if a.size > 0 then lu.put(a, lu.arange(1, a.size + 1, {device = a.device}), v) end
end
-- }=====

-- {===== byteswap
-- The bytes of each element reversed (of each part of a complex one), as
-- a uint8 view of a contiguous copy, reversed along its last axis.
local function swapped(a)
  local part = a.itemsize // (a.dtype:match("^complex") and 2 or 1)
  if part == 1 then return a:copy() end
  local b = a:flatten():view("uint8"):reshape(a.size, a.itemsize // part, part)
  return lu.flip(b, 3):flatten():view(a.dtype):reshape(a.shape)
end

function methods.byteswap(a, ...)
  local n, inplace = select("#", ...), ...
  if not isarray(a) then error("array:byteswap: bad self (array expected, got " .. type(a) .. ")", 2) end
  if type(inplace) == "table" and not isarray(inplace) then
    for k in pairs(inplace) do
      if k ~= "inplace" then argerror("byteswap", 1, fmt("unknown option '%s'", tostring(k))) end
    end
    inplace = inplace.inplace
  end
  if n > 1 then argerror("byteswap", 2, "unexpected argument (" .. type(select(2, ...)) .. "); array:byteswap takes at most 1 argument") end
  if inplace ~= nil and type(inplace) ~= "boolean" then
    argerror("byteswap", 1, "inplace must be a boolean, got " .. type(inplace))
  end
  local s = swapped(a)
  if not inplace then return s end
  lu.copyto(a, s)
  return a
end
-- }=====

return {flat = flat, setflat = setflat}
