-- SPDX-License-Identifier: MIT
-- NumPy's functional programming routines with Lua functions: piecewise,
-- apply_along_axis, apply_over_axes, vectorize and frompyfunc. The arrays stay on
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

-- {===== frompyfunc(func, nin, nout [, {identity =}]): NumPy's ufunc of a
-- Python function, with a Lua one. lunar has no object dtype, so results
-- take the dtype of their values (vectorize's rule); a call on Lua values
-- only returns Lua values. The object has nin, nout, identity, and for
-- nin 2, nout 1 the methods reduce, accumulate and outer.
local PyFunc = {__name = "lunar.frompyfunc"}
PyFunc.__index = PyFunc

local function count_arg(k, name, v, least)
  if math.type(v) ~= "integer" or v < least then
    argerror("frompyfunc", k, ("%s must be an integer >= %d, got %s"):format(name, least, tostring(v)))
  end
  return v
end

function lu.frompyfunc(func, ...)
  if not callable(func) then argerror("frompyfunc", 1, "function expected, got " .. type(func)) end
  local p = internal.params("frompyfunc", select("#", ...) + 1, {func, ...}, 1, {"nin", "nout"},
                           {"identity"})
  local nin = count_arg(2, "nin", p.nin, 1)
  local nout = count_arg(3, "nout", p.nout, 1)
  return setmetatable({func = func, nin = nin, nout = nout, identity = p.identity,
                       __vec = lu.vectorize(func)}, PyFunc)
end

function PyFunc.__call(f, ...)
  local n = select("#", ...)
  if n ~= f.nin then
    error(("lunar.frompyfunc: the function takes %d argument%s, got %d"):format(
      f.nin, f.nin == 1 and "" or "s", n), 2)
  end
  local scalars = true
  for k = 1, n do if isarray((select(k, ...))) then scalars = false end end
  local res = table.pack(f.__vec(...))
  if res.n ~= f.nout then
    error(("lunar.frompyfunc: the function returned %d value%s, nout is %d"):format(
      res.n, res.n == 1 and "" or "s", f.nout), 2)
  end
  if scalars then
    for j = 1, res.n do if res[j].ndim == 0 then res[j] = res[j]:item() end end
  end
  return table.unpack(res, 1, res.n)
end

function PyFunc.__tostring(f)
  return ("frompyfunc(nin=%d, nout=%d)"):format(f.nin, f.nout)
end

local function binary(f, what)
  if getmetatable(f) ~= PyFunc then
    error(("lunar.frompyfunc: %s: call it as f:%s(...)"):format(what, what), 3)
  end
  if f.nin ~= 2 or f.nout ~= 1 then
    error(("lunar.frompyfunc: %s needs a function of 2 arguments and 1 result (nin=%d, nout=%d)")
          :format(what, f.nin, f.nout), 3)
  end
end

-- the values of a along axis ax (1-based) as rows: (rows, n, moved shape)
local function rows_of(a, ax)
  local m = lu.moveaxis(a, ax, -1)
  local n = a.shape[ax]
  if n > 0 then return m:reshape(-1, n):totable(), n, m.shape end
  local rows, count = {}, 1
  for d = 1, a.ndim do if d ~= ax then count = count * a.shape[d] end end
  for i = 1, count do rows[i] = {} end
  return rows, 0, m.shape
end

-- f:reduce(a [, axis [, dtype [, out [, keepdims [, initial]]]]]): func
-- folded along axis (default 1; nil, NumPy's None, only for a 1-d a)
function PyFunc.reduce(f, a, ...)
  binary(f, "reduce")
  local p = internal.params("frompyfunc.reduce", select("#", ...) + 1, {a, ...}, 1,
                            {"axis", "dtype", "out", "keepdims", "initial"})
  a = asarray("frompyfunc.reduce", 1, a)
  -- axis 1 unless given; nil given by position is NumPy's axis=None
  local axis = p.axis
  if axis == nil and not (select("#", ...) >= 1 and (...) == nil) then axis = 1 end
  if a.ndim == 0 then argerror("frompyfunc.reduce", 1, "cannot reduce a 0-d array") end
  if axis == nil then
    -- NumPy: a Python function's ufunc is not reorderable
    if a.ndim > 1 then
      error("lunar.frompyfunc: reduce is not reorderable, so at most one axis may be given", 2)
    end
    axis = 1
  end
  axis = axis_of("frompyfunc.reduce", 2, axis, a.ndim)
  local init = p.initial
  if init == nil then init = f.identity end
  local rows, n = rows_of(a, axis)
  if n == 0 and init == nil then
    error("lunar.frompyfunc: reduce of an empty axis with no identity", 2)
  end
  local out = {}
  for i, row in ipairs(rows) do
    local acc, first = init, 1
    if acc == nil then acc, first = row[1], 2 end
    for k = first, n do acc = f.func(acc, row[k]) end
    out[i] = acc
  end
  local shape = {}
  for d = 1, a.ndim do if d ~= axis then shape[#shape + 1] = a.shape[d] end end
  if #rows == 0 then out = {} end
  local r = lu.array(out, {dtype = p.dtype, device = a.device}):reshape(shape)
  if p.keepdims then r = lu.expand_dims(r, axis) end
  if p.out ~= nil then lu.copyto(p.out, r); return p.out end
  if r.ndim == 0 then return r:item() end
  return r
end

-- f:accumulate(a [, axis [, dtype [, out]]]): the running folds along axis
function PyFunc.accumulate(f, a, ...)
  binary(f, "accumulate")
  local p = internal.params("frompyfunc.accumulate", select("#", ...) + 1, {a, ...}, 1,
                            {"axis", "dtype", "out"})
  a = asarray("frompyfunc.accumulate", 1, a)
  if a.ndim == 0 then argerror("frompyfunc.accumulate", 1, "cannot accumulate a 0-d array") end
  local axis = axis_of("frompyfunc.accumulate", 2, p.axis or 1, a.ndim)
  local rows, n, mshape = rows_of(a, axis)
  local flat = {}
  for _, row in ipairs(rows) do
    local acc = row[1]
    for k = 1, n do
      if k > 1 then acc = f.func(acc, row[k]) end
      flat[#flat + 1] = acc
    end
  end
  local r
  if #flat == 0 then r = lu.empty(mshape, {dtype = p.dtype or a.dtype, device = a.device})
  else r = lu.array(flat, {dtype = p.dtype, device = a.device}):reshape(mshape) end
  r = lu.moveaxis(r, -1, axis)
  if p.out ~= nil then lu.copyto(p.out, r); return p.out end
  return r:copy()
end

-- f:outer(a, b): func of every pair, shape a.shape .. b.shape
function PyFunc.outer(f, a, b, ...)
  binary(f, "outer")
  if select("#", ...) > 0 then argerror("frompyfunc.outer", 3, "unexpected argument") end
  a = asarray("frompyfunc.outer", 1, a)
  b = asarray("frompyfunc.outer", 2, b)
  local sa = {table.unpack(a.shape)}
  for _ = 1, b.ndim do sa[#sa + 1] = 1 end
  return f(a:reshape(sa), b)
end
-- }=====
