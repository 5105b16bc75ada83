-- SPDX-License-Identifier: MIT
-- Thin compositions of the manipulation and creation routines (the C
-- functions do the work): ndim, shape, size, rollaxis, unstack, block,
-- require, asarray_chkfinite, broadcast, broadcast_shapes, asanyarray,
-- asfortranarray, fromiter, fromstring, mgrid, ogrid, vander. Called with
-- the module and the array method table; returns nothing.
local lu, methods, internal = ...

local unpack = table.unpack
local isarray, argerror, params = internal.isarray, internal.argerror, internal.params
local axis_of = internal.axis_of


-- {===== shape queries
function lu.ndim(a)
  return lu.asarray(a).ndim
end

function lu.shape(a)
  return lu.asarray(a).shape
end

function lu.size(...)
  local n, args = select("#", ...), {...}
  local p = params("size", n, args, 1, {"axis"})
  local a = lu.asarray(args[1])
  if p.axis == nil then return a.size end
  return a.shape[axis_of("size", 2, p.axis, a.ndim)]
end
-- }=====

-- {===== axis moves and block assembly
-- rollaxis(a, axis [, start]): NumPy's older moveaxis; `start` (1-based,
-- default 1) is the position the axis is rolled before.
function lu.rollaxis(...)
  local n, args = select("#", ...), {...}
  local p = params("rollaxis", n, args, 1, {"axis", "start"})
  local a = lu.asarray(args[1])
  local nd = a.ndim
  if p.axis == nil then argerror("rollaxis", 2, "axis expected") end
  local axis = axis_of("rollaxis", 2, p.axis, nd) - 1
  local start = p.start or 1
  if math.type(start) ~= "integer" then argerror("rollaxis", 3, "start must be an integer") end
  local s = start > 0 and start - 1 or start + nd
  if s < 0 or s > nd then
    argerror("rollaxis", 3, ("'start' arg requires %d <= start < %d, but %d was passed in")
             :format(-nd, nd + 2, start))
  end
  if axis < s then s = s - 1 end
  local order = {}
  for i = 0, nd - 1 do if i ~= axis then order[#order + 1] = i end end
  table.insert(order, s + 1, axis)
  for i = 1, nd do order[i] = order[i] + 1 end
  return lu.permute_dims(a, order)
end

-- unstack(x [, axis]): the views along an axis, one result each.
function lu.unstack(...)
  local n, args = select("#", ...), {...}
  local p = params("unstack", n, args, 1, {}, {"axis"})
  local x = lu.asarray(args[1])
  if x.ndim == 0 then argerror("unstack", 1, "Input array must be at least 1-d.") end
  local ax = axis_of("unstack", 2, p.axis or 1, x.ndim)
  local m = lu.moveaxis(x, ax, 1)
  local out = {}
  for i = 1, m.shape[1] do out[i] = m[i] end
  return unpack(out, 1, m.shape[1])
end

-- block(arrays): NumPy's block. The depth of the nesting decides the axes:
-- the innermost lists join along the last axis, the next along the one
-- before, and so on; every piece gets leading axes of length 1 up to the
-- result's dimensions.
function lu.block(arrays)
  if not (type(arrays) == "table" and not isarray(arrays)) then
    return lu.asarray(arrays):copy()
  end
  local dev
  local function depth(x, path, d)
    if type(x) == "table" and not isarray(x) then
      if #x == 0 then argerror("block", 1, ("List at arrays%s cannot be empty"):format(path)) end
      local first
      for i = 1, #x do
        local di = depth(x[i], path .. "[" .. i .. "]", d + 1)
        if first == nil then first = di
        elseif di ~= first then
          argerror("block", 1, ("List depths are mismatched. First element was at depth %d, but there is an element at depth %d (arrays%s)")
                   :format(first, di, path .. "[" .. i .. "]"))
        end
      end
      return first
    end
    if isarray(x) and dev == nil then dev = x.device end
    return d
  end
  local list_ndim = depth(arrays, "", 0)
  local result_ndim = list_ndim
  local function leaves(x, d)
    if d < list_ndim then
      local t = {}
      for i = 1, #x do t[i] = leaves(x[i], d + 1) end
      return t
    end
    local a = dev and lu.asarray(x, {device = dev}) or lu.asarray(x)
    if a.ndim > result_ndim then result_ndim = a.ndim end
    return a
  end
  local tree = leaves(arrays, 0)
  local function build(x, d)
    if d < list_ndim then
      local parts = {}
      for i = 1, #x do parts[i] = build(x[i], d + 1) end
      return lu.concatenate(parts, -(list_ndim - d))
    end
    if x.ndim < result_ndim then
      local shape = {}
      for i = 1, result_ndim - x.ndim do shape[i] = 1 end
      for _, v in ipairs(x.shape) do shape[#shape + 1] = v end
      return x:reshape(shape)
    end
    return x
  end
  local r = build(tree, 0)
  if list_ndim == 0 then r = r:copy() end
  return r
end
-- }=====

-- {===== conversions with checks
-- require(a [, dtype [, requirements]]): an array that meets NumPy's flags
-- "C" (C_CONTIGUOUS), "A", "W", "E" (always true in lunar) and "O"
-- (OWNDATA: lunar cannot tell, so it copies); "F" is not available.
function lu.require(...)
  local n, args = select("#", ...), {...}
  local p = params("require", n, args, 1, {"dtype", "requirements"}, {"like"})
  local req, want = p.requirements, {}
  local long = {C_CONTIGUOUS = "C", CONTIGUOUS = "C", F_CONTIGUOUS = "F", FORTRAN = "F",
                ALIGNED = "A", WRITEABLE = "W", OWNDATA = "O", ENSUREARRAY = "E"}
  if type(req) == "string" then req = {req} end
  for _, r in ipairs(req or {}) do
    local f = long[r:upper()] or r:upper()
    if not ("CFAWOE"):find(f, 1, true) or #f ~= 1 then
      argerror("require", 3, ("unknown requirement '%s'"):format(r))
    end
    want[f] = true
  end
  if want.C and want.F then argerror("require", 3, 'Cannot specify both "C" and "F" order') end
  if want.F then argerror("require", 3, "lunar arrays are C-ordered: 'F' cannot be met") end
  local a = lu.asarray(args[1], p.dtype)
  if want.O then return a:copy() end
  if want.C then return a:contiguous() end
  return a
end

-- asarray_chkfinite(a [, dtype [, order]]): asarray, then an error when a
-- float array holds an infinity or a NaN.
function lu.asarray_chkfinite(...)
  local n, args = select("#", ...), {...}
  local p = params("asarray_chkfinite", n, args, 1, {"dtype", "order"})
  local a = lu.asarray(args[1], p.dtype, p.order)
  if lu.issubdtype(a.dtype, "inexact") and a.size > 0 then
    local d = a - a                        -- 0 unless inf or nan
    if not d:eq(0):all():item() then
      error("lunar.asarray_chkfinite: array must not contain infs or NaNs", 0)
    end
  end
  return a
end

function lu.asanyarray(...)
  return lu.asarray(...)
end

-- asfortranarray(a [, dtype] [, kwargs]): a in Fortran order (itself when
-- it already is), at least 1-d, as NumPy
function lu.asfortranarray(...)
  local n, args = select("#", ...), {...}
  local p = params("asfortranarray", n, args, 1, {"dtype"}, {"device"})
  local a = p.dtype ~= nil and lu.asarray(args[1], p.dtype) or lu.asarray(args[1])
  if p.device ~= nil then a = a:to(p.device) end
  if a.ndim == 0 then a = a:reshape(1) end
  local want, fortran = a.itemsize, true
  for d = 1, a.ndim do
    if a.shape[d] ~= 1 and a.strides[d] ~= want then fortran = false end
    want = want * a.shape[d]
  end
  if fortran then return a end
  return a.T:copy().T
end
-- }=====

-- {===== broadcasting queries
local function shape_of(fname, k, s)
  if isarray(s) then return s.shape end
  if math.type(s) == "integer" then return {s} end
  if type(s) == "table" then return s end
  argerror(fname, k, "array or shape expected, got " .. type(s))
end

-- broadcast_shapes(shape, ...): the broadcast shape (a table).
function lu.broadcast_shapes(...)
  local n = select("#", ...)
  local out, nd, shapes = {}, 0, {}
  for i = 1, n do
    shapes[i] = shape_of("broadcast_shapes", i, (select(i, ...)))
    if #shapes[i] > nd then nd = #shapes[i] end
  end
  for j = 1, nd do out[j] = 1 end
  for i, s in ipairs(shapes) do
    for j = 1, #s do
      local d, r = s[j], nd - #s + j
      if math.type(d) ~= "integer" or d < 0 then
        argerror("broadcast_shapes", i, "shapes must be non-negative integers")
      end
      if d ~= out[r] and d ~= 1 then
        if out[r] ~= 1 then
          local parts = {}
          for q, t in ipairs(shapes) do parts[q] = "(" .. table.concat(t, ",") .. (#t == 1 and ",)" or ")") end
          error("lunar.broadcast_shapes: shape mismatch: objects cannot be broadcast to a single shape: "
                .. table.concat(parts, " "), 0)
        end
        out[r] = d
      end
    end
  end
  return out
end

-- broadcast(a, ...): NumPy's broadcast object as a table: shape, ndim
-- (and nd), size, numiter.
function lu.broadcast(...)
  local shape = lu.broadcast_shapes(...)
  local size = 1
  for _, d in ipairs(shape) do size = size * d end
  return {shape = shape, ndim = #shape, nd = #shape, size = size, numiter = select("#", ...)}
end
-- }=====

-- {===== creation from Lua values
-- fromiter(iter, dtype [, count]): the values of a Lua sequence or of an
-- iterator function (called until it returns nil).
function lu.fromiter(...)
  local n, args = select("#", ...), {...}
  local p = params("fromiter", n, args, 1, {"dtype", "count"}, {"device", "like"})
  local it, count = args[1], p.count or -1
  if p.dtype == nil then argerror("fromiter", 2, "dtype expected (NumPy needs it too)") end
  if math.type(count) ~= "integer" then argerror("fromiter", 3, "count must be an integer") end
  local vals = {}
  if type(it) == "table" and not isarray(it) then
    for i, v in ipairs(it) do
      if count >= 0 and i > count then break end
      vals[i] = v
    end
  elseif type(it) == "function" then
    while count < 0 or #vals < count do
      local v = it()
      if v == nil then break end
      vals[#vals + 1] = v
    end
  elseif isarray(it) then
    vals = it:reshape(-1):totable()
    if count >= 0 then vals = {unpack(vals, 1, math.min(count, #vals))} end
  else
    argerror("fromiter", 1, "a table or an iterator function expected, got " .. type(it))
  end
  if count >= 0 and #vals < count then
    error(("lunar.fromiter: iterator too short: Expected %d but iterator had only %d items."):format(count, #vals), 0)
  end
  for i, v in ipairs(vals) do
    if type(v) ~= "number" and type(v) ~= "boolean" then
      argerror("fromiter", 1, ("item %d is a %s, not a number"):format(i, type(v)))
    end
  end
  if #vals == 0 then return lu.zeros(0, {dtype = p.dtype, device = p.device}) end
  return lu.array(vals, {dtype = p.dtype, device = p.device})
end

-- fromstring(s [, dtype [, count]] , {sep=...}): numbers written in text,
-- separated by `sep` (whitespace around it is allowed; a separator of
-- spaces matches any whitespace). NumPy's binary mode is frombuffer.
function lu.fromstring(...)
  local n, args = select("#", ...), {...}
  local p = params("fromstring", n, args, 1, {"dtype", "count"}, {"sep", "device", "like"})
  local s, dtype, count = args[1], p.dtype or "float64", p.count or -1
  if type(s) ~= "string" then argerror("fromstring", 1, "string expected, got " .. type(s)) end
  if p.sep == nil or p.sep == "" then
    error("lunar.fromstring: the binary mode of fromstring is removed, use frombuffer instead (or give sep)", 0)
  end
  local isint = lu.issubdtype(dtype, "integer")
  local isbool = lu.dtype(dtype) == "bool"
  local items = {}
  if p.sep:match("^%s+$") then
    for w in s:gmatch("%S+") do items[#items + 1] = w end
  else
    local sep = p.sep:gsub("^%s+", ""):gsub("%s+$", "")
    local pos = 1
    while true do
      local i, j = s:find(sep, pos, true)
      local w = s:sub(pos, (i or #s + 1) - 1):match("^%s*(.-)%s*$")
      if w ~= "" or i then items[#items + 1] = w end
      if not i then break end
      pos = j + 1
    end
  end
  local vals = {}
  for i, w in ipairs(items) do
    if count >= 0 and i > count then break end
    local v = tonumber(w)
    if isint and v then v = math.tointeger(v) end
    if v == nil then
      error(("lunar.fromstring: cannot read item %d ('%s') as %s"):format(i, w, lu.dtype(dtype)), 0)
    end
    vals[i] = isbool and v ~= 0 or v
  end
  if count >= 0 and #vals < count then
    error(("lunar.fromstring: string is smaller than requested size (%d of %d items)"):format(#vals, count), 0)
  end
  if #vals == 0 then return lu.zeros(0, {dtype = dtype, device = p.device}) end
  return lu.array(vals, {dtype = dtype, device = p.device})
end

-- mgrid/ogrid(range, ...): NumPy's np.mgrid[a:b:c, ...] as ranges of
-- values {start, stop [, step]} (half-open, as arange) or {start, stop,
-- num = n} (n values, stop included: NumPy's complex step).
local function grid(fname, sparse, ...)
  local ranges = {...}
  if #ranges == 1 and type(ranges[1]) == "table" and type(ranges[1][1]) == "table" then
    ranges = ranges[1]
  end
  if #ranges == 0 then argerror(fname, 1, "at least one range expected") end
  local sizes, steps, starts, isfloat = {}, {}, {}, false
  for k, r in ipairs(ranges) do
    if type(r) ~= "table" or type(r[1]) ~= "number" or type(r[2]) ~= "number" then
      argerror(fname, k, "a range {start, stop [, step]} or {start, stop, num = n} expected")
    end
    local start, stop, step = r[1], r[2], r[3] or 1
    if r.num then
      if math.type(r.num) ~= "integer" or r.num < 0 then argerror(fname, k, "num must be a non-negative integer") end
      sizes[k] = r.num
      step = r.num ~= 1 and (stop - start) / (r.num - 1) or 1
      isfloat = true
    else
      if step == 0 then argerror(fname, k, "step must not be zero") end
      sizes[k] = math.max(0, math.ceil((stop - start) / step))
      if math.type(start) == "float" or math.type(stop) == "float" or math.type(step) == "float" then
        isfloat = true
      end
    end
    starts[k], steps[k] = start, step
  end
  local dt = isfloat and "float64" or "int64"
  local out = {}
  for k = 1, #ranges do
    local shape = {}
    for j = 1, #ranges do shape[j] = 1 end
    shape[k] = sizes[k]
    local v = lu.arange(0, sizes[k], {dtype = dt}) * steps[k] + starts[k]
    out[k] = #ranges > 1 and v:reshape(shape) or v
  end
  if #ranges == 1 then return out[1] end
  if sparse then return unpack(out) end
  local full = {}
  for k = 1, #ranges do full[k] = lu.broadcast_to(out[k], sizes) end
  return lu.stack(full)
end

function lu.mgrid(...) return grid("mgrid", false, ...) end
function lu.ogrid(...) return grid("ogrid", true, ...) end

-- vander(x [, N [, increasing]]): columns of powers of x, decreasing from
-- N - 1 unless increasing; one multiplication per column.
function lu.vander(...)
  local n, args = select("#", ...), {...}
  local p = params("vander", n, args, 1, {"N", "increasing"})
  local x = lu.asarray(args[1])
  if x.ndim ~= 1 then argerror("vander", 1, "x must be a one-dimensional array or sequence.") end
  local N = p.N or x.shape[1]
  if math.type(N) ~= "integer" or N < 0 then argerror("vander", 2, "N must be a non-negative integer") end
  local dt = lu.promote_types(x.dtype, "int64")
  local v = lu.empty({x.shape[1], N}, {dtype = dt, device = x.device})
  local t = p.increasing and v or lu.flip(v, 2)
  if N > 0 and x.shape[1] > 0 then
    t[{{}, 1}] = 1
    local col = x:astype(dt)
    for k = 2, N do
      t[{{}, k}] = col
      if k < N then col = col * x end
    end
  end
  return v
end
-- }=====
