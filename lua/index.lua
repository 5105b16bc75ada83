-- SPDX-License-Identifier: MIT
-- Index routines that are compositions of array operations, so they run on
-- every device unchanged: tri, tril, triu, diag, trace, indices, ix_,
-- unravel_index, ravel_multi_index, the *_indices functions, select,
-- fill_diagonal, the r_/c_/s_ helpers and the iterators (ndindex,
-- ndenumerate, nditer, flatiter, iterable). The gathers and scatters themselves
-- (take, put, nonzero, add_at ...) are in src/lua/lb_index.c. Positions
-- taken and returned are 1-based, as everywhere in lunar.
-- The binding runs this chunk with (module, methods).
local lunar, methods = ...

local type, select, error, ipairs = type, select, error, ipairs
local mtype, fmt = math.type, string.format

-- {===== arguments
local function isarray(x)
  local mt = type(x) == "userdata" and getmetatable(x)
  return mt and mt.__name == "lunar.array" or false
end

-- level: of the caller of lunar.fname, counted from here (3 when the
-- lunar function itself calls argerror)
local function argerror(fname, n, msg, level)
  error(fmt("lunar.%s: bad argument #%d (%s)", fname, n, msg), level or 3)
end

-- The arguments of fname by position or in a trailing options table:
-- returns one value per name. An unknown option, an extra argument or a
-- value given twice is an error. `tables` names the parameters that may
-- themselves be tables (so a trailing table is read as one of them while
-- positions remain).
local function getopts(fname, names, ...)
  local n = select("#", ...)
  local args = { ... }
  local kw
  local last = args[n]
  if n > 0 and type(last) == "table" and not isarray(last) and #last == 0 then
    local k = next(last)
    if k == nil or type(k) == "string" then kw = last; n = n - 1 end
  end
  if n > #names then argerror(fname, #names + 1, "unexpected argument (" .. type(args[#names + 1]) .. ")", 4) end
  local out = {}
  for i = 1, n do out[i] = args[i] end
  if kw then
    for k in pairs(kw) do
      local found
      for i, name in ipairs(names) do
        if name == k then
          found = i
          if out[i] ~= nil then argerror(fname, n + 1, "'" .. k .. "' given twice (by position and as an option)", 4) end
          out[i] = kw[k]
        end
      end
      if not found then argerror(fname, n + 1, "unknown option '" .. tostring(k) .. "'", 4) end
    end
  end
  return table.unpack(out, 1, #names)
end

local function checkint(fname, n, v, what, opt)
  if v == nil and opt then return nil end
  if mtype(v) ~= "integer" then
    argerror(fname, n, fmt("%s must be an integer, got %s", what,
      type(v) == "number" and tostring(v) or type(v)), 4)
  end
  return v
end

-- }=====

-- {===== triangles
-- The (n, m) bool mask of j - i <= k (lower triangle, k-th diagonal).
local function lower_mask(n, m, k, device)
  local i = lunar.arange(0, n, 1, { dtype = "int64", device = device }):reshape(n, 1)
  local j = lunar.arange(0, m, 1, { dtype = "int64", device = device })
  return lunar.less_equal(j - i, k)
end

function lunar.tri(...)
  local N, M, k, dtype, device = getopts("tri", { "N", "M", "k", "dtype", "device" }, ...)
  checkint("tri", 1, N, "N")
  M = checkint("tri", 2, M, "M", true) or N
  k = checkint("tri", 3, k, "k", true) or 0
  if N < 0 or M < 0 then argerror("tri", N < 0 and 1 or 2, "negative dimensions are not allowed") end
  return lower_mask(N, M, k, device):astype(dtype or "float64")
end

local function triangle(fname, upper, ...)
  local m, k = getopts(fname, { "m", "k" }, ...)
  if not isarray(m) then argerror(fname, 1, "array expected, got " .. type(m)) end
  k = checkint(fname, 2, k, "k", true) or 0
  local nd = m.ndim
  if nd < 2 then
    error(fmt("%s: the array must have at least 2 dimensions, got %d", fname, nd), 3)
  end
  local shape = m.shape
  local mask
  if upper then mask = lunar.logical_not(lower_mask(shape[nd - 1], shape[nd], k - 1, m.device))
  else mask = lower_mask(shape[nd - 1], shape[nd], k, m.device) end
  return lunar.where(mask, m, lunar.zeros({}, { dtype = m.dtype, device = m.device }))
end

function lunar.tril(...) return triangle("tril", false, ...) end
function lunar.triu(...) return triangle("triu", true, ...) end
-- }=====

-- {===== diagonals
function lunar.diag(...)
  local v, k = getopts("diag", { "v", "k" }, ...)
  if not isarray(v) then argerror("diag", 1, "array expected, got " .. type(v)) end
  k = checkint("diag", 2, k, "k", true) or 0
  if v.ndim == 1 then
    local n = v.shape[1] + (k < 0 and -k or k)
    local out = lunar.zeros({ n, n }, { dtype = v.dtype, device = v.device })
    out:diagonal(k)[{ {} }] = v
    return out
  elseif v.ndim == 2 then
    return v:diagonal(k):copy()
  end
  error(fmt("diag: the input must be 1-d or 2-d, got %d dimensions", v.ndim), 2)
end

function lunar.trace(...)
  local a, offset, axis1, axis2, dtype = getopts("trace", { "a", "offset", "axis1", "axis2", "dtype" }, ...)
  if not isarray(a) then argerror("trace", 1, "array expected, got " .. type(a)) end
  local d = lunar.diagonal(a, offset or 0, axis1 or 1, axis2 or 2)
  local s = d:sum(-1)
  if dtype then s = s:astype(dtype) end
  return s
end
methods.trace = function(a, ...) return lunar.trace(a, ...) end
-- }=====

-- {===== grids of positions
-- indices(dimensions [, dtype [, sparse]]): 1-based position grids
function lunar.indices(...)
  local dims, dtype, sparse, device = getopts("indices", { "dimensions", "dtype", "sparse", "device" }, ...)
  if type(dims) ~= "table" or isarray(dims) then argerror("indices", 1, "dimensions (a table of sizes) expected, got " .. type(dims)) end
  local nd = #dims
  dtype = dtype or "int64"
  local res = {}
  for d = 1, nd do
    local n = checkint("indices", 1, dims[d], "dimensions")
    local shape = {}
    for e = 1, nd do shape[e] = 1 end
    shape[d] = n
    res[d] = lunar.arange(1, n + 1, 1, { dtype = dtype, device = device }):reshape(shape)
  end
  if sparse then return table.unpack(res, 1, nd) end
  local full = { nd }
  for d = 1, nd do full[d + 1] = dims[d] end
  local out = lunar.zeros(full, { dtype = dtype, device = device })
  for d = 1, nd do out[d] = res[d] end
  return out
end

-- ix_(...): open meshes; a bool array becomes its 1-based true positions
function lunar.ix_(...)
  local n = select("#", ...)
  local out = {}
  for i = 1, n do
    local x = select(i, ...)
    if type(x) == "table" and not isarray(x) then x = lunar.array(x, { dtype = (#x > 0 and type(x[1]) == "boolean") and "bool" or "int64" }) end
    if not isarray(x) then argerror("ix_", i, "array expected, got " .. type(x)) end
    if x.ndim ~= 1 then error(fmt("ix_: cross index must be 1 dimensional, argument %d has %d", i, x.ndim), 2) end
    if x.dtype == "bool" then x = lunar.nonzero(x) end
    local shape = {}
    for d = 1, n do shape[d] = 1 end
    shape[i] = x.shape[1]
    out[i] = x:reshape(shape)
  end
  return table.unpack(out, 1, n)
end

local function shape_arg(fname, n, s)
  if mtype(s) == "integer" then return { s } end
  if type(s) ~= "table" or isarray(s) then argerror(fname, n, "shape (a table of sizes) expected, got " .. type(s)) end
  for i = 1, #s do
    if mtype(s[i]) ~= "integer" or s[i] < 0 then argerror(fname, n, "shape must be non-negative integers") end
  end
  return s
end

local function order_arg(fname, n, order)
  order = order or "C"
  if order ~= "C" and order ~= "F" then argerror(fname, n, "order must be 'C' or 'F', got " .. tostring(order)) end
  return order
end

-- Row-major (C) or column-major (F) multipliers of a shape.
local function multipliers(shape, order)
  local nd, mul, acc = #shape, {}, 1
  if order == "C" then
    for d = nd, 1, -1 do mul[d] = acc; acc = acc * shape[d] end
  else
    for d = 1, nd do mul[d] = acc; acc = acc * shape[d] end
  end
  return mul, acc
end

local function toint_array(fname, n, x, dev)
  if mtype(x) == "integer" then return lunar.array(x, { dtype = "int64", device = dev }), true end
  if type(x) == "table" and not isarray(x) then x = lunar.array(x, { dtype = "int64", device = dev }) end
  if not isarray(x) then argerror(fname, n, "integer array expected, got " .. type(x)) end
  local dt = x.dtype
  if not (dt:match("^int") or dt:match("^uint")) then
    error(fmt("%s: only int indices permitted, got %s", fname, dt), 3)
  end
  return x, false
end

-- unravel_index(indices, shape [, order]): 1-based flat positions to
-- 1-based coordinates, one result per axis
function lunar.unravel_index(...)
  local indices, shape, order = getopts("unravel_index", { "indices", "shape", "order" }, ...)
  shape = shape_arg("unravel_index", 2, shape)
  order = order_arg("unravel_index", 3, order)
  local idx, scalar = toint_array("unravel_index", 1, indices)
  local mul, size = multipliers(shape, order)
  local p = idx:astype("int64") - 1
  if p.size > 0 and (p:lt(0):any():item() or p:ge(size):any():item()) then
    local bad = scalar and indices or lunar.extract(lunar.logical_or(p:lt(0), p:ge(size)), idx)[1]
    error(fmt("unravel_index: index %d is out of bounds for array with size %d", bad, size), 2)
  end
  local res = {}
  for d = 1, #shape do
    local r = (p // mul[d]) % shape[d] + 1
    if scalar then r = r:item() end
    res[d] = r
  end
  return table.unpack(res, 1, #shape)
end

-- ravel_multi_index(multi_index, dims [, mode [, order]]): 1-based
-- coordinates to 1-based flat positions; mode per axis or for all
function lunar.ravel_multi_index(...)
  local multi, dims, mode, order = getopts("ravel_multi_index", { "multi_index", "dims", "mode", "order" }, ...)
  if type(multi) ~= "table" or isarray(multi) then
    argerror("ravel_multi_index", 1, "multi_index (a table of integer arrays) expected, got " .. type(multi))
  end
  dims = shape_arg("ravel_multi_index", 2, dims)
  order = order_arg("ravel_multi_index", 4, order)
  if #multi ~= #dims then
    error(fmt("ravel_multi_index: parameter multi_index must be a sequence of length %d, got %d", #dims, #multi), 2)
  end
  local mul = multipliers(dims, order)
  local acc, scalar
  for d = 1, #dims do
    local x, s = toint_array("ravel_multi_index", 1, multi[d])
    scalar = (d == 1) and s or (scalar and s)
    local m = type(mode) == "table" and mode[d] or mode or "raise"
    if m ~= "raise" and m ~= "wrap" and m ~= "clip" then
      argerror("ravel_multi_index", 3, "mode must be 'raise', 'wrap' or 'clip', got " .. tostring(m))
    end
    local n = dims[d]
    -- NumPy's index: p >= 0 is p - 1 (so 0 is out of range), p < 0 stays
    -- (counted from the end only by wrap; raise rejects it as NumPy does)
    local p = x:astype("int64")
    p = lunar.where(p:ge(0), p - 1, p)
    if m == "raise" then
      if p.size > 0 and (p:lt(0):any():item() or p:ge(n):any():item()) then
        error("ravel_multi_index: invalid entry in coordinates array", 2)
      end
    elseif m == "wrap" then
      p = p % n
    else
      p = lunar.clip(p, 0, n - 1)
    end
    local term = p * mul[d]
    acc = acc and acc + term or term
  end
  acc = acc + 1
  if scalar then return acc:item() end
  return acc
end
-- }=====

-- {===== index sets of a square or triangular part
-- diag_indices(n [, ndim]): ndim copies of 1..n
function lunar.diag_indices(...)
  local n, ndim, device = getopts("diag_indices", { "n", "ndim", "device" }, ...)
  checkint("diag_indices", 1, n, "n")
  ndim = checkint("diag_indices", 2, ndim, "ndim", true) or 2
  local r = {}
  for d = 1, ndim do r[d] = lunar.arange(1, n + 1, 1, { dtype = "int64", device = device }) end
  return table.unpack(r, 1, ndim)
end

function lunar.diag_indices_from(arr)
  if not isarray(arr) then argerror("diag_indices_from", 1, "array expected, got " .. type(arr)) end
  if arr.ndim < 2 then error("diag_indices_from: input array must be at least 2-d", 2) end
  local s = arr.shape
  for d = 2, #s do
    if s[d] ~= s[1] then error("diag_indices_from: all dimensions of input must be of equal length", 2) end
  end
  return lunar.diag_indices(s[1], arr.ndim, { device = arr.device })
end

local function tri_positions(fname, upper, n, k, m, device)
  checkint(fname, 1, n, "n")
  k = checkint(fname, 2, k, "k", true) or 0
  m = checkint(fname, 3, m, "m", true) or n
  local mask = lower_mask(n, m, upper and k - 1 or k, device)
  if upper then mask = lunar.logical_not(mask) end
  return lunar.nonzero(mask)
end

function lunar.tril_indices(...)
  local n, k, m, device = getopts("tril_indices", { "n", "k", "m", "device" }, ...)
  return tri_positions("tril_indices", false, n, k, m, device)
end

function lunar.triu_indices(...)
  local n, k, m, device = getopts("triu_indices", { "n", "k", "m", "device" }, ...)
  return tri_positions("triu_indices", true, n, k, m, device)
end

local function tri_from(fname, upper, ...)
  local arr, k = getopts(fname, { "arr", "k" }, ...)
  if not isarray(arr) then argerror(fname, 1, "array expected, got " .. type(arr)) end
  if arr.ndim ~= 2 then error(fname .. ": input array must be 2-d", 3) end
  return tri_positions(fname, upper, arr.shape[1], k, arr.shape[2], arr.device)
end
function lunar.tril_indices_from(...) return tri_from("tril_indices_from", false, ...) end
function lunar.triu_indices_from(...) return tri_from("triu_indices_from", true, ...) end

-- mask_indices(n, mask_func [, k]): nonzero(mask_func(ones(n, n), k))
function lunar.mask_indices(...)
  local n, f, k, device = getopts("mask_indices", { "n", "mask_func", "k", "device" }, ...)
  checkint("mask_indices", 1, n, "n")
  if type(f) ~= "function" then argerror("mask_indices", 2, "a function expected, got " .. type(f)) end
  local m = f(lunar.ones({ n, n }, { dtype = "int64", device = device }), k or 0)
  return lunar.nonzero(m)
end

-- fill_diagonal(a, val [, wrap]): in place, through the flat positions of
-- the main diagonal (NumPy's rule for tall matrices and wrap)
function lunar.fill_diagonal(...)
  local a, val, wrap = getopts("fill_diagonal", { "a", "val", "wrap" }, ...)
  if not isarray(a) then argerror("fill_diagonal", 1, "array expected, got " .. type(a)) end
  if a.ndim < 2 then error("fill_diagonal: array must be at least 2-d", 2) end
  local s, step, stop = a.shape, nil, nil
  if a.ndim == 2 then
    step = s[2] + 1
    stop = wrap and a.size or math.min(s[1], s[2]) * s[2]
  else
    for d = 2, #s do
      if s[d] ~= s[1] then error("fill_diagonal: all dimensions of input must be of equal length", 2) end
    end
    step, stop = 0, a.size
    local acc = 1
    for d = 1, #s do step = step + acc; acc = acc * s[1] end
  end
  if stop <= 0 then return end
  local pos = lunar.arange(1, stop + 1, step, { dtype = "int64", device = a.device })
  lunar.put(a, pos, val)
end
-- }=====

-- {===== select
-- select(condlist, choicelist [, default]): the first choice whose
-- condition holds, else default; the result has the choices' common dtype
function lunar.select(...)
  local conds, choices, default = getopts("select", { "condlist", "choicelist", "default" }, ...)
  if type(conds) ~= "table" or isarray(conds) then argerror("select", 1, "a sequence of bool arrays expected") end
  if type(choices) ~= "table" or isarray(choices) then argerror("select", 2, "a sequence of arrays expected") end
  if #conds ~= #choices then
    error(fmt("select: list of cases must be same length as list of conditions (%d and %d)", #conds, #choices), 2)
  end
  if #choices == 0 then error("select: select with an empty condition list is not possible", 2) end
  default = default == nil and 0 or default
  for i, c in ipairs(conds) do
    if not isarray(c) or c.dtype ~= "bool" then
      error(fmt("select: invalid entry %d in condlist: should be a bool array", i), 2)
    end
  end
  -- the result dtype: every choice and the default as arrays (NumPy's rule)
  local dts = {}
  for i, c in ipairs(choices) do dts[i] = isarray(c) and c.dtype or lunar.asarray(c).dtype end
  dts[#dts + 1] = isarray(default) and default.dtype or lunar.asarray(default).dtype
  local rt = lunar.result_type(table.unpack(dts))
  local dev = conds[1].device
  local function strong(x)
    if isarray(x) then return x:astype(rt) end
    return lunar.full({}, x, { dtype = rt, device = dev })
  end
  local out = strong(default)
  for i = #conds, 1, -1 do out = lunar.where(conds[i], strong(choices[i]), out) end
  return out
end
-- }=====

-- {===== index helpers and iterators
-- s_[key] is the key itself, to keep one for later: local k = lu.s_[{{}, 2}]
lunar.s_ = setmetatable({}, {
  __index = function(_, k) return k end,
  __newindex = function() error("lunar.s_ is read-only", 2) end,
  __tostring = function() return "lunar.s_" end,
})

-- r_[{...}] joins numbers and arrays along the first axis; c_[{...}] makes
-- the 1-d ones columns and joins along the last axis (NumPy's r_ and c_
-- without their slice-string syntax)
local function joiner(fname, columns)
  return setmetatable({}, {
    __index = function(_, items)
      if isarray(items) or type(items) ~= "table" then items = { items } end
      local arrs, dev = {}, nil
      for _, x in ipairs(items) do   -- numbers join on the arrays' device
        if isarray(x) then dev = x.device; break end
      end
      for i, x in ipairs(items) do
        if not isarray(x) then x = lunar.asarray(x, {device = dev}) end
        if x.ndim == 0 then x = x:reshape(1) end
        if columns and x.ndim == 1 then x = x:reshape(x.shape[1], 1) end
        arrs[i] = x
      end
      if #arrs == 0 then return lunar.zeros(0) end
      return lunar.concatenate(arrs, columns and -1 or 1)
    end,
    __tostring = function() return "lunar." .. fname end,
  })
end
lunar.r_ = joiner("r_", false)
lunar.c_ = joiner("c_", true)

-- iterable(x): whether ipairs/for can walk x (a table, an array of 1 or
-- more dims)
function lunar.iterable(x)
  if isarray(x) then return x.ndim > 0 end
  return type(x) == "table"
end

-- ndindex(shape...): an iterator over every 1-based position of a shape in
-- C order, as a table: for idx in lu.ndindex(2, 3) do ... a[idx] ... end
function lunar.ndindex(...)
  local shape = select("#", ...) == 1 and type((...)) == "table" and (...) or { ... }
  local nd, cur, done = #shape, {}, false
  for d = 1, nd do
    checkint("ndindex", d, shape[d], "shape")
    if shape[d] <= 0 then done = true end
    cur[d] = 1
  end
  local first = true
  return function()
    if done then return nil end
    if first then
      first = false
    else
      local d = nd
      while d >= 1 do
        cur[d] = cur[d] + 1
        if cur[d] <= shape[d] then break end
        cur[d] = 1
        d = d - 1
      end
      if d < 1 then done = true; return nil end
    end
    local t = {}
    for d = 1, nd do t[d] = cur[d] end
    return t
  end
end

-- The elements of a, read once to the host, in C order.
local function host_values(fname, a)
  if not isarray(a) then argerror(fname, 1, "array expected, got " .. type(a)) end
  local t = a:ravel():totable()
  if type(t) ~= "table" then t = { t } end
  return t
end

-- flatiter(a): an iterator over a's elements in C order (NumPy's a.flat)
function lunar.flatiter(a)
  local t, i = host_values("flatiter", a), 0
  return function()
    i = i + 1
    return t[i]
  end
end

-- ndenumerate(a): (position table, value) pairs in C order
function lunar.ndenumerate(a)
  local t = host_values("ndenumerate", a)
  local it, i = lunar.ndindex(a.shape), 0
  if a.ndim == 0 then it = lunar.ndindex() end
  return function()
    local idx = it()
    if idx == nil then return nil end
    i = i + 1
    return idx, t[i]
  end
end

-- nditer(a, ...): the elements of one or several arrays broadcast together,
-- in C order; with several, each step gives one value per array
function lunar.nditer(...)
  local n = select("#", ...)
  local arrs = { ... }
  if n == 1 and type(arrs[1]) == "table" and not isarray(arrs[1]) then arrs = arrs[1]; n = #arrs end
  if n == 0 then argerror("nditer", 1, "an array expected") end
  local bs = { lunar.broadcast_arrays(table.unpack(arrs, 1, n)) }
  if #bs == 1 and type(bs[1]) == "table" and not isarray(bs[1]) then bs = bs[1] end
  local vals = {}
  for k = 1, n do vals[k] = host_values("nditer", bs[k]) end
  local i, size = 0, bs[1].size
  return function()
    i = i + 1
    if i > size then return nil end
    if n == 1 then return vals[1][i] end
    local r = {}
    for k = 1, n do r[k] = vals[k][i] end
    return table.unpack(r, 1, n)
  end
end
-- }=====
