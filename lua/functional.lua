-- SPDX-License-Identifier: MIT
-- NumPy's functional programming routines with Lua functions: piecewise,
-- apply_along_axis, apply_over_axes and vectorize. The arrays stay on
-- their device; vectorize brings the values to Lua, as NumPy's calls a
-- Python function per element. Called with the module and the array
-- method table; returns nothing.
local lu, _, internal = ...

local isarray, argerror, axis_of = internal.isarray, internal.argerror, internal.axis_of

local asarray = internal.toarray

local function callable(f)
  if type(f) == "function" then return true end
  local mt = getmetatable(f)
  return type(mt) == "table" and mt.__call ~= nil
end


-- {===== piecewise(x, condlist, funclist, ...): each function (or value)
-- where its condition holds, applied to those elements of x (and the
-- extra arguments); a last function beyond the conditions applies where
-- none holds; 0 elsewhere. x's dtype and shape.
function lu.piecewise(x, condlist, funclist, ...)
  x = asarray("piecewise", 1, x)
  local conds = {}
  if isarray(condlist) or type(condlist) == "boolean" then
    conds[1] = condlist
  elseif type(condlist) == "table" then
    -- a table of booleans is one condition (for a 1-d x), else a list
    local first = condlist[1]
    if type(first) == "boolean" and x.ndim > 0 then conds[1] = condlist
    else for i = 1, #condlist do conds[i] = condlist[i] end end
  else
    argerror("piecewise", 2, "condlist must be a bool array or a table of them, got " .. type(condlist))
  end
  for i, c in ipairs(conds) do
    -- a table or a boolean lands on x's device; an array stays where it is
    local ok, a = pcall(lu.asarray, c, isarray(c) and "bool" or {dtype = "bool", device = x.device})
    if not ok then argerror("piecewise", 2, ("condition %d is not a bool array: %s"):format(i, a)) end
    if #a.shape ~= #x.shape then a = lu.broadcast_to(a, x.shape) end
    for d = 1, x.ndim do
      if a.shape[d] ~= x.shape[d] then
        argerror("piecewise", 2, ("condition %d has shape (%s), x has (%s)"):format(
          i, table.concat(a.shape, ", "), table.concat(x.shape, ", ")))
      end
    end
    conds[i] = a
  end
  if type(funclist) ~= "table" or isarray(funclist) then
    argerror("piecewise", 3, "funclist must be a table of functions or values, got " .. type(funclist))
  end
  local n, nf = #conds, #funclist
  if nf == n + 1 then
    local none = conds[1]
    for i = 2, n do none = lu.logical_or(none, conds[i]) end
    conds[n + 1] = n > 0 and lu.logical_not(none) or lu.ones(x.shape, {dtype = "bool", device = x.device})
    n = n + 1
  elseif nf ~= n then
    argerror("piecewise", 3, ("with %d condition(s), either %d or %d functions are expected, got %d"):format(
      n, n, n + 1, nf))
  end
  local y = lu.zeros(x.shape, {dtype = x.dtype, device = x.device})
  for i = 1, n do
    local f, c = funclist[i], conds[i]
    if callable(f) then
      if x.ndim == 0 then
        if c:item() then y = lu.asarray(f(x, ...)):astype(x.dtype) end
      else
        local vals = x[c]
        if vals.size > 0 then y[c] = f(vals, ...) end
      end
    elseif x.ndim == 0 then
      if c:item() then y = lu.full({}, f, {dtype = x.dtype, device = x.device}) end
    else
      y[c] = f
    end
  end
  return y
end
-- }=====

-- {===== apply_along_axis(func1d, axis, arr, ...): func1d on each 1-d slice
-- along axis; its results (numbers or arrays of one shape) take the
-- axis's place in the result
function lu.apply_along_axis(func1d, axis, arr, ...)
  if not callable(func1d) then argerror("apply_along_axis", 1, "function expected, got " .. type(func1d)) end
  arr = asarray("apply_along_axis", 3, arr)
  local nd = arr.ndim
  if nd == 0 then argerror("apply_along_axis", 3, "arr must have at least one dimension") end
  axis = axis_of("apply_along_axis", 2, axis, nd)
  local a = lu.moveaxis(arr, axis, -1)
  local outer = {}
  for d = 1, nd - 1 do outer[d] = a.shape[d] end
  local count = 1
  for d = 1, nd - 1 do count = count * outer[d] end
  if count == 0 then
    argerror("apply_along_axis", 3, "Cannot apply_along_axis when any iteration dimensions are 0")
  end
  local results, idx = {}, {}
  for d = 1, nd - 1 do idx[d] = 1 end
  idx[nd] = {}
  for k = 1, count do
    local r = lu.asarray(func1d(a[idx], ...))
    if k > 1 and table.concat(r.shape, ",") ~= table.concat(results[1].shape, ",") then
      argerror("apply_along_axis", 1, ("func1d returned shape (%s) for one slice and (%s) for another"):format(
        table.concat(results[1].shape, ", "), table.concat(r.shape, ", ")))
    end
    results[k] = r
    for d = nd - 1, 1, -1 do   -- the next index, the last dim fastest
      idx[d] = idx[d] + 1
      if idx[d] <= outer[d] then break end
      idx[d] = 1
    end
  end
  local res = lu.stack(results)
  local rnd = results[1].ndim
  local shape = {}
  for d = 1, nd - 1 do shape[d] = outer[d] end
  for d = 1, rnd do shape[nd - 1 + d] = results[1].shape[d] end
  res = res:reshape(shape)
  -- the result's own dims back where the axis was
  for d = 1, rnd do res = lu.moveaxis(res, nd - 1 + d, axis + d - 1) end
  return res
end

-- apply_over_axes(func, a, axes): func(a, axis) for each axis in turn, a
-- result of one dimension fewer getting that axis back (length 1)
function lu.apply_over_axes(func, a, axes)
  if not callable(func) then argerror("apply_over_axes", 1, "function expected, got " .. type(func)) end
  local val = asarray("apply_over_axes", 2, a)
  local nd = val.ndim
  if type(axes) == "number" then axes = {axes} end
  if type(axes) ~= "table" then argerror("apply_over_axes", 3, "axes must be an integer or a table of them") end
  for _, ax in ipairs(axes) do
    ax = axis_of("apply_over_axes", 3, ax, nd)
    local res = lu.asarray(func(val, ax))
    if res.ndim == val.ndim then
      val = res
    elseif res.ndim == val.ndim - 1 then
      val = lu.expand_dims(res, ax)
    else
      argerror("apply_over_axes", 1, "function is not returning an array of the correct shape")
    end
  end
  return val
end
-- }=====

-- {===== vectorize(func [, otypes [, doc [, excluded]]]): a function
-- taking arrays (or numbers) that calls func on each set of broadcast
-- elements as Lua values; the result's dtype is otypes (a dtype name, or
-- a table of one per result) or found from the first call's results, as
-- NumPy does. `excluded` (table of 1-based positions) are passed as they
-- are. Several results give several arrays.
function lu.vectorize(func, ...)
  if not callable(func) then argerror("vectorize", 1, "function expected, got " .. type(func)) end
  local p = internal.params("vectorize", select("#", ...) + 1, {func, ...}, 1, {"otypes", "doc", "excluded"})
  if p.doc ~= nil then argerror("vectorize", 3, "doc: lunar functions carry no doc strings (pass nil)") end
  local otypes = p.otypes
  if type(otypes) == "string" then otypes = {otypes} end
  if otypes ~= nil and type(otypes) ~= "table" then
    argerror("vectorize", 2, "otypes must be a dtype name or a table of them, got " .. type(otypes))
  end
  local excluded = {}
  for _, k in ipairs(p.excluded or {}) do
    if math.type(k) ~= "integer" or k < 1 then
      argerror("vectorize", 4, "excluded must hold argument positions (integers from 1)")
    end
    excluded[k] = true
  end
  return function(...)
    local nin, inp = select("#", ...), {...}
    local arrs, where, dev = {}, {}, nil
    for k = 1, nin do
      if not excluded[k] then
        local a = lu.asarray(inp[k])
        dev = dev or (isarray(inp[k]) and a.device or nil)
        arrs[#arrs + 1] = a
        where[#arrs] = k
      end
    end
    local shape = {}
    if #arrs > 0 then
      local b = {lu.broadcast_arrays(table.unpack(arrs))}
      shape = b[1].shape
      for i = 1, #b do arrs[i] = b[i]:ravel():totable() end
    end
    local count = 1
    for _, s in ipairs(shape) do count = count * s end
    local outs, nout = {}, nil
    local call = {}
    for k = 1, nin do call[k] = inp[k] end
    for e = 1, count do
      for i = 1, #arrs do call[where[i]] = arrs[i][e] end
      local r = table.pack(func(table.unpack(call, 1, nin)))
      nout = nout or r.n
      if r.n ~= nout then error("lunar.vectorize: the function returned " .. r.n .. " values, then " .. nout, 0) end
      for j = 1, r.n do
        outs[j] = outs[j] or {}
        outs[j][e] = r[j]
      end
    end
    if count == 0 and otypes == nil then
      error("lunar.vectorize: cannot call a vectorized function on size 0 inputs without otypes", 0)
    end
    nout = nout or #otypes
    local res = {}
    for j = 1, nout do
      local kw = {device = dev}
      if otypes then kw.dtype = otypes[j] or otypes[1] end
      local a = count == 0 and lu.empty(0, kw) or lu.array(outs[j], kw)
      res[j] = a:reshape(shape)
    end
    return table.unpack(res, 1, nout)
  end
end
-- }=====
