-- SPDX-License-Identifier: MIT
-- What the Lua compositions share (loaded first: the files load in name
-- order): isarray, the argument errors of the C functions, NumPy's
-- calling convention (params), axes (axis_of) and conversions (toarray). They go into the table
-- every file gets as its third argument. Returns nothing.
local lu, _, internal = ...

do
  local mt = getmetatable(lu.zeros(0, {device = "cpu"}))
  function internal.isarray(x) return type(x) == "userdata" and getmetatable(x) == mt end
end
local isarray = internal.isarray

-- {===== arguments, as the C functions take them (lb_getparams)
-- Errors carry no position, as those raised by the C functions.
function internal.argerror(fname, k, msg)
  error(("lunar.%s: bad argument #%d (%s)"):format(fname, k, msg), 0)
end
local argerror = internal.argerror

local function is_options(t)
  if type(t) ~= "table" or isarray(t) or next(t) == nil then return false end
  for k in pairs(t) do if type(k) ~= "string" then return false end end
  return true
end

-- NumPy's calling convention: the arguments after the `first` ones by
-- position in the order of `pos`, all of `pos` and `kwonly` by name in a
-- trailing options table. Returns a table name -> value.
function internal.params(fname, n, args, first, pos, kwonly)
  local out, last = {}, n
  local opts = n > first and is_options(args[n]) and args[n] or nil
  if opts then last = n - 1 end
  if last - first > #pos then
    argerror(fname, first + #pos + 1, ("unexpected argument (%s); lunar.%s takes %d positional argument%s after the first")
             :format(type(args[first + #pos + 1]), fname, #pos, #pos == 1 and "" or "s"))
  end
  for i = first + 1, last do out[pos[i - first]] = args[i] end
  if opts then
    local known = {}
    for _, k in ipairs(pos) do known[k] = true end
    for _, k in ipairs(kwonly or {}) do known[k] = true end
    for k, v in pairs(opts) do
      if not known[k] then argerror(fname, n, ("unknown option '%s'"):format(k)) end
      if out[k] ~= nil then argerror(fname, n, ("'%s' given by position and by name"):format(k)) end
      out[k] = v
    end
  end
  return out
end

-- A 1-based axis (negative from the end) of an array of ndim dims (plus
-- `extra` places where the call inserts axes), as a positive one
function internal.axis_of(fname, k, ax, ndim, extra)
  local n = ndim + (extra or 0)
  if math.type(ax) ~= "integer" then argerror(fname, k, "axis must be an integer, got " .. type(ax)) end
  if ax == 0 or ax > n or ax < -n then
    argerror(fname, k, ("axis %d is out of bounds for array of dimension %d"):format(ax, ndim))
  end
  return ax > 0 and ax or ax + n + 1
end

-- x as an array (lunar.asarray), or the argument error "<what> expected"
-- (default "array") naming x's type
function internal.toarray(fname, k, x, what)
  local ok, a = pcall(lu.asarray, x)
  if not ok then argerror(fname, k, (what or "array") .. " expected, got " .. type(x)) end
  return a
end
-- }=====
