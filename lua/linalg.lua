-- SPDX-License-Identifier: MIT
-- lunar.linalg, the names of NumPy 2's numpy.linalg that are other
-- families' operations seen along the last axes: matmul, matrix_transpose,
-- outer, vecdot, cross, diagonal and trace. The factorizations and norms
-- are C functions (src/lua/lb_linalg.c), which made the table. Top-level
-- functions of the module are used where they exist (lunar.diagonal,
-- lunar.trace, ...), looked up at call time.
local lunar = ...
local linalg = lunar.linalg
local fmt = string.format

local function argerror(fname, i, msg)
  error(fmt("lunar.linalg.%s: bad argument #%d (%s)", fname, i, msg), 3)
end

local function isarray(x)
  local mt = type(x) == "userdata" and getmetatable(x)
  return type(mt) == "table" and rawget(mt, "__name") == "lunar.array"
end

-- an array operand: an array, or a Lua table made into one
local function arr(fname, i, x)
  if type(x) == "table" then return lunar.array(x) end
  if type(x) ~= "userdata" or not isarray(x) then
    argerror(fname, i, "array expected, got " .. type(x))
  end
  return x
end

-- the trailing options table (keyword-only parameters), checked against names
local function opts(fname, i, t, names)
  if t == nil then return {} end
  if type(t) ~= "table" or isarray(t) then
    argerror(fname, i, "options table expected, got " .. type(t))
  end
  for k in pairs(t) do
    local ok = false
    for _, n in ipairs(names) do if k == n then ok = true end end
    if not ok then argerror(fname, i, fmt("unknown option '%s'", tostring(k))) end
  end
  return t
end

local function noextra(fname, n, i)
  if n >= i then argerror(fname, i, "unexpected argument") end
end

-- x with axis ax (1-based, negative from the end) moved to the end: a view
local function to_end(x, ax)
  local nd = x.ndim
  local a = ax < 0 and nd + 1 + ax or ax
  local perm = {}
  for k = 1, nd do if k ~= a then perm[#perm + 1] = k end end
  perm[#perm + 1] = a
  return lunar.transpose(x, perm)
end

local function checkaxis(fname, i, ax, nd)
  if math.type(ax) ~= "integer" then argerror(fname, i, "axis must be an integer") end
  if ax == 0 or ax > nd or ax < -nd then
    argerror(fname, i, fmt("axis %d is out of bounds for array of dimension %d", ax, nd))
  end
end

function linalg.matmul(x1, x2, ...)
  noextra("matmul", select("#", ...), 3)
  return lunar.matmul(arr("matmul", 1, x1), arr("matmul", 2, x2))
end

function linalg.matrix_transpose(x, ...)
  noextra("matrix_transpose", select("#", ...), 2)
  x = arr("matrix_transpose", 1, x)
  local nd = x.ndim
  if nd < 2 then
    argerror("matrix_transpose", 1, fmt("input array must be at least 2-dimensional, got %d", nd))
  end
  local perm = {}
  for k = 1, nd - 2 do perm[k] = k end
  perm[nd - 1], perm[nd] = nd, nd - 1
  return lunar.transpose(x, perm)
end

function linalg.outer(x1, x2, ...)
  noextra("outer", select("#", ...), 3)
  x1, x2 = arr("outer", 1, x1), arr("outer", 2, x2)
  if x1.ndim ~= 1 or x2.ndim ~= 1 then
    error(fmt("linalg.outer: input arrays must be one-dimensional, but they are %d and %d "
              .. "dimensional", x1.ndim, x2.ndim), 2)
  end
  return x1:reshape(x1.shape[1], 1) * x2:reshape(1, x2.shape[1])
end

-- vecdot(x1, x2 [, {axis=-1}]): the dot product of vectors along axis,
-- broadcast over the other axes: a matmul of (..., 1, n) by (..., n, 1),
-- so dtypes follow matmul (int32 stays int32, as NumPy's gufunc); x1 is
-- conjugated when complex (NumPy's vecdot)
function linalg.vecdot(x1, x2, o, ...)
  noextra("vecdot", select("#", ...), 4)
  x1, x2 = arr("vecdot", 1, x1), arr("vecdot", 2, x2)
  o = opts("vecdot", 3, o, { "axis" })
  local ax = o.axis or -1
  if x1.ndim == 0 or x2.ndim == 0 then
    error("linalg.vecdot: inputs must be at least one-dimensional", 2)
  end
  checkaxis("vecdot", 3, ax, x1.ndim)
  checkaxis("vecdot", 3, ax, x2.ndim)
  local a, b = to_end(x1, ax), to_end(x2, ax)
  if a.dtype:match("^complex") then a = lunar.conjugate(a) end
  if a.shape[a.ndim] ~= b.shape[b.ndim] then
    error(fmt("linalg.vecdot: the vectors have different lengths, %d and %d",
              a.shape[a.ndim], b.shape[b.ndim]), 2)
  end
  local sa, sb = a.shape, b.shape
  table.insert(sa, #sa, 1)
  sb[#sb + 1] = 1
  local r = lunar.matmul(a:reshape(sa), b:reshape(sb))
  local rs = r.shape
  rs[#rs], rs[#rs - 1] = nil, nil
  return r:reshape(rs)
end

-- cross(x1, x2 [, {axis=-1}]): 3-element vectors only (NumPy 2's linalg)
function linalg.cross(x1, x2, o, ...)
  noextra("cross", select("#", ...), 4)
  x1, x2 = arr("cross", 1, x1), arr("cross", 2, x2)
  o = opts("cross", 3, o, { "axis" })
  local ax = o.axis or -1
  if x1.ndim == 0 or x2.ndim == 0 then
    error("linalg.cross: inputs must be at least one-dimensional", 2)
  end
  checkaxis("cross", 3, ax, x1.ndim)
  checkaxis("cross", 3, ax, x2.ndim)
  local a, b = to_end(x1, ax), to_end(x2, ax)
  local na, nb = a.shape[a.ndim], b.shape[b.ndim]
  if na ~= 3 or nb ~= 3 then
    error(fmt("linalg.cross: both input arrays must be (arrays of) 3-dimensional vectors, but "
              .. "they are %d and %d dimensional instead", na, nb), 2)
  end
  -- component k of every vector, keeping the axis: (..., 1)
  local function key(x, k)
    local t = {}
    for i = 1, x.ndim - 1 do t[i] = {} end
    t[x.ndim] = { k, k }
    return t
  end
  local function comp(x, k) return x[key(x, k)] end
  local a1, a2, a3 = comp(a, 1), comp(a, 2), comp(a, 3)
  local b1, b2, b3 = comp(b, 1), comp(b, 2), comp(b, 3)
  local c = { a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1 }
  local shape = c[1].shape
  shape[#shape] = 3
  local out = lunar.zeros(shape, { dtype = c[1].dtype, device = c[1].device })
  for k = 1, 3 do out[key(out, k)] = c[k] end
  -- the vector axis back where axis puts it in the result
  local nd = out.ndim
  local pos = ax < 0 and nd + 1 + ax or ax
  if pos == nd then return out end
  local perm = {}
  for k = 1, nd - 1 do perm[#perm + 1] = k end
  table.insert(perm, pos, nd)
  return lunar.transpose(out, perm)
end

function linalg.diagonal(x, o, ...)
  noextra("diagonal", select("#", ...), 3)
  x = arr("diagonal", 1, x)
  o = opts("diagonal", 2, o, { "offset" })
  local f = rawget(lunar, "diagonal")
  if f == nil then error("linalg.diagonal: needs lunar.diagonal, which this build lacks", 2) end
  if x.ndim < 2 then
    error(fmt("linalg.diagonal: %d-dimensional array given. Array must be at least "
              .. "two-dimensional", x.ndim), 2)
  end
  return f(x, o.offset or 0, -2, -1)
end

function linalg.trace(x, o, ...)
  noextra("trace", select("#", ...), 3)
  x = arr("trace", 1, x)
  o = opts("trace", 2, o, { "offset", "dtype" })
  local f = rawget(lunar, "trace")
  if f == nil then error("linalg.trace: needs lunar.trace, which this build lacks", 2) end
  if x.ndim < 2 then
    error(fmt("linalg.trace: %d-dimensional array given. Array must be at least "
              .. "two-dimensional", x.ndim), 2)
  end
  return f(x, o.offset or 0, -2, -1, o.dtype)
end

