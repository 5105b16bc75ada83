-- SPDX-License-Identifier: MIT
-- Differential runner: `lunar tests/diff/run.lua CASES.lua` rebuilds the
-- inputs written by gen.py on every device, applies the op and compares the
-- result (values and dtype) with NumPy's. Prints "diff: N passed, N failed"
-- and exits non-zero on a failure. DIFF_DEVICES=cpu,cuda:0 limits the devices;
-- DIFF_VERBOSE=1 lists every failure (else the first 60). DIFF_SHARD=k/n
-- runs only the cases whose position is k modulo n (k in 0..n-1), so that
-- n processes can share the suite. DIFF_OPS=fft.,quantile runs only the
-- cases whose op starts with one of the listed prefixes.
local lu = rawget(_G, "lunar") or require "lunar"

local path = assert(arg and arg[1], "usage: lunar run.lua CASES.lua")
local cases = dofile(path)

local devices = {}
if os.getenv("DIFF_DEVICES") then
  for d in os.getenv("DIFF_DEVICES"):gmatch("[^,]+") do devices[#devices + 1] = d end
else
  devices = lu.devices()
end

-- the operand described by spec, made on dev
local function build(spec, dev)
  if spec.scalar ~= nil then return spec.scalar end
  if spec.lu then return lu[spec.lu] end         -- a module value: lu.newaxis
  if spec.arr then return build(spec.arr, dev) end
  if spec.str then return spec.str end
  if spec.isnil then return nil end
  if spec.lua then return assert(load("return " .. spec.lua, "=case", "t"))() end
  if spec.list then
    local t = {}
    for i, x in ipairs(spec.list) do t[i] = build(x, dev) end
    return t
  end
  if spec.kw then
    local t = {}
    for k, x in pairs(spec.kw) do t[k] = build(x, dev) end
    return t
  end
  local a
  if #spec.shape == 0 then   -- through a table: uint64 bit patterns (common.py)
    a = lu.array({spec.data[1]}, {dtype = spec.dtype, device = dev}):reshape({})
  else
    a = lu.array(spec.data, {dtype = spec.dtype, device = dev}):reshape(spec.shape)
  end
  for _, v in ipairs(spec.view) do
    if v == "T" then a = a.T else a = a[v] end
  end
  return a
end

local function flatten(t, out)
  out = out or {}
  if type(t) ~= "table" then out[#out + 1] = t; return out end
  for _, x in ipairs(t) do flatten(x, out) end
  return out
end

local OPERATOR = {
  add = function(a, b) return a + b end, subtract = function(a, b) return a - b end,
  multiply = function(a, b) return a * b end, divide = function(a, b) return a / b end,
  floor_divide = function(a, b) return a // b end, mod = function(a, b) return a % b end,
  power = function(a, b) return a ^ b end, negative = function(a) return -a end,
  bitwise_and = function(a, b) return a & b end, bitwise_or = function(a, b) return a | b end,
  bitwise_xor = function(a, b) return a ~ b end, invert = function(a) return ~a end,
  left_shift = function(a, b) return a << b end, right_shift = function(a, b) return a >> b end,
}

-- the ways of calling op c on args: lunar.op(...), arg1:op(...) when arg1 is
-- an array, and the Lua operator where there is one; each must give NumPy's
-- result
local function resolve(path)
  local f = lu
  for part in path:gmatch("[^.]+") do
    if type(f) ~= "table" then return nil end
    f = f[part]
  end
  return f
end

local function calls(c, args)
  local n = #c.args
  if c.kind == "call" then
    local list = {}
    for _, form in ipairs(c.forms) do
      if form == "function" then
        list[#list + 1] = function()
          local f = resolve(c.op)
          if f == nil then error("lunar." .. c.op .. " does not exist", 0) end
          return f(table.unpack(args, 1, n))
        end
      elseif form == "into" then
        list[#list + 1] = function()
          local f = resolve(c.op)
          if f == nil then error("lunar." .. c.op .. " does not exist", 0) end
          f(table.unpack(args, 1, n))
          return args[1]
        end
      elseif form == "method" then
        list[#list + 1] = function()
          local a = args[1]
          return a[c.op](a, table.unpack(args, 2, n))
        end
      elseif form == "inplace" then     -- lunar.op(a, ...) changes a: a is the result
        list[#list + 1] = function()
          local f = resolve(c.op)
          if f == nil then error("lunar." .. c.op .. " does not exist", 0) end
          f(table.unpack(args, 1, n))
          return args[1]
        end
      elseif form == "getitem" then     -- a[key]
        list[#list + 1] = function() return args[1][args[2]] end
      elseif form == "setitem" then     -- a[key] = v: a is the result
        list[#list + 1] = function() args[1][args[2]] = args[3]; return args[1] end
      end
    end
    return list
  end
  if c.kind == "matmul" then
    return {function() return lu.matmul(args[1], args[2]) end,
            type(args[1]) == "userdata" and function() return args[1]:matmul(args[2]) end or nil}
  end
  local a = args[1]
  if c.kind == "reduce" then
    local kw = {axis = c.axis, keepdims = c.keepdims or nil, ddof = c.ddof, dtype = c.rdtype}
    return {function() return a[c.op](a, kw) end, function() return lu[c.op](a, kw) end}
  end
  local list = {}
  if lu[c.op] then list[#list + 1] = function() return lu[c.op](table.unpack(args, 1, n)) end end
  if type(a) == "userdata" and getmetatable(a).__name == "lunar.array" then
    list[#list + 1] = function() return a[c.op](a, table.unpack(args, 2, n)) end
  end
  local anyarray = false
  for k = 1, n do anyarray = anyarray or type(args[k]) == "userdata" end
  if OPERATOR[c.op] and anyarray then
    list[#list + 1] = function() return OPERATOR[c.op](table.unpack(args, 1, n)) end
  end
  return list
end

local function fmt(v)
  if math.type(v) == "float" then return ("%.17g"):format(v) end
  return tostring(v)
end

-- nil when the Lua value g matches the expected {value=, rtol=}, else why not
local function compare_value(e, g)
  local v = e.value
  if type(v) == "number" and math.type(v) == "float" and type(g) == "number" then
    if v ~= v then
      if g ~= g then return nil end
      return ("got %s, expected nan"):format(fmt(g))
    end
    if e.rtol == 0 or v == math.huge or v == -math.huge then
      if g == v then return nil end
    elseif math.abs(g - v) <= e.rtol * (math.abs(v) + 1) then
      return nil
    end
    return ("got %s, expected %s"):format(fmt(g), fmt(v))
  end
  if type(g) ~= type(v) or g ~= v or (type(v) == "number" and math.type(g) ~= math.type(v)) then
    return ("got %s (%s), expected %s (%s)"):format(tostring(g), math.type(g) or type(g),
                                                   tostring(v), math.type(v) or type(v))
  end
  return nil
end

-- nil when result r matches case c, else why not
local function compare(c, r)
  if type(r) ~= "userdata" then return "result is a " .. type(r) .. ", not an array" end
  if r.dtype ~= c.dtype then return ("dtype %s, expected %s"):format(r.dtype, c.dtype) end
  local shape = r.shape
  if #shape ~= #c.shape then
    return ("shape (%s), expected (%s)"):format(table.concat(shape, ","), table.concat(c.shape, ","))
  end
  for i = 1, #shape do
    if shape[i] ~= c.shape[i] then
      return ("shape (%s), expected (%s)"):format(table.concat(shape, ","), table.concat(c.shape, ","))
    end
  end
  local got = flatten(r:totable())
  if #got ~= #c.expect then return ("%d values, expected %d"):format(#got, #c.expect) end
  local isfloat = c.dtype:match("float") ~= nil
  local function fclose(g, e)
    if e ~= e then return g ~= g end
    if e == math.huge or e == -math.huge or c.rtol == 0 then return g == e end
    return g == g and math.abs(g - e) <= c.rtol * (math.abs(e) + 1)
  end
  for i, e in ipairs(c.expect) do
    local g = got[i]
    local ok
    if c.dtype:match("^complex") then   -- lunar.complex values, part by part
      ok = type(g) == "userdata" and fclose(g.real, e.real) and fclose(g.imag, e.imag)
    elseif not isfloat then
      -- a uint64 beyond 2^63 reaches Lua as a float, on both sides
      ok = (g == e) and (c.dtype == "bool" or math.type(g) == "integer" or
                         (c.dtype == "uint64" and math.type(e) == "float"))
    elseif e ~= e then
      ok = (g ~= g)
    elseif e == math.huge or e == -math.huge or c.rtol == 0 then
      ok = (g == e)
    else
      ok = fclose(g, e)
    end
    if not ok then
      return ("element %d: got %s, expected %s"):format(i, fmt(g), fmt(e))
    end
  end
  return nil
end

-- nil when the Lua sequence g matches the expected {list={...}} item by item
local function compare_list(e, g)
  if type(g) ~= "table" then return "result is a " .. type(g) .. ", not a table" end
  if #g ~= #e.list then return ("%d items, expected %d"):format(#g, #e.list) end
  for i, x in ipairs(e.list) do
    local why
    if x.value ~= nil then why = compare_value(x, g[i])
    elseif x.list then why = compare_list(x, g[i])
    else why = compare(x, g[i]) end
    if why then return ("item %d: %s"):format(i, why) end
  end
  return nil
end

local shard_k, shard_n = 0, 1
if os.getenv("DIFF_SHARD") then
  shard_k, shard_n = os.getenv("DIFF_SHARD"):match("^(%d+)/(%d+)$")
  shard_k, shard_n = tonumber(shard_k), tonumber(shard_n)
  assert(shard_n and shard_n > 0 and shard_k < shard_n, "DIFF_SHARD must be k/n with 0 <= k < n")
end

local op_prefixes
if os.getenv("DIFF_OPS") then
  op_prefixes = {}
  for p in os.getenv("DIFF_OPS"):gmatch("[^,]+") do op_prefixes[#op_prefixes + 1] = p end
end
local function wanted(op)
  if not op_prefixes then return true end
  for _, p in ipairs(op_prefixes) do
    if op:sub(1, #p) == p then return true end
  end
  return false
end

local passed, failed, failures, byop = 0, 0, {}, {}
local verbose = os.getenv("DIFF_VERBOSE") == "1"
local t0 = os.clock()
for _, dev in ipairs(devices) do
  for ci, c in ipairs(cases) do
    if ci % shard_n ~= shard_k or not wanted(c.op) then goto next_case end
    local why
    local bok, args = pcall(function()
      local t = {}
      for k, spec in ipairs(c.args) do t[k] = build(spec, dev) end
      return t
    end)
    if not bok then
      why = "building the inputs failed: " .. tostring(args)
    else
      for k, fn in ipairs(calls(c, args)) do
        local how = ({"function", "method", "operator"})[k]
        if c.kind == "reduce" then how = ({"method", "function"})[k] end
        if c.kind == "call" then how = c.forms[k] end
        local res
        if c.error then
          -- a GPU reports some errors (an index out of range) at the next
          -- synchronisation: read the results back inside the pcall
          res = table.pack(pcall(function()
            local t = table.pack(fn())
            for i = 1, t.n do
              if type(t[i]) == "userdata" and t[i].totable then t[i]:totable() end
            end
            return table.unpack(t, 1, t.n)
          end))
        else
          res = table.pack(pcall(fn))
        end
        if res[1] and c.post then   -- results (and then the operands) rebuilt into what can be compared
          local packed = { table.unpack(res, 2, res.n) }
          packed[res.n] = args
          res = table.pack(pcall(c.post, table.unpack(packed, 1, res.n)))
          if not res[1] then res[2] = "post: " .. tostring(res[2]) end
        end
        local ok, r = res[1], res[2]
        if c.error then
          if ok then why = "expected an error (NumPy: " .. c.error .. "), got a result" end
        elseif not ok then
          why = "error: " .. tostring(r)
        elseif c.kind == "call" then
          if res.n - 1 ~= #c.results then
            why = ("%d results, expected %d"):format(res.n - 1, #c.results)
          end
          for i, e in ipairs(c.results) do
            if why then break end
            local g = res[i + 1]
            local cok, cwhy
            if e.value ~= nil then cok, cwhy = pcall(compare_value, e, g)
            elseif e.list then cok, cwhy = pcall(compare_list, e, g)
            else cok, cwhy = pcall(compare, e, g) end
            if not cok then cwhy = "error while comparing: " .. tostring(cwhy) end
            if cwhy then why = ("result %d: %s"):format(i, cwhy) end
          end
        else
          local cok, cwhy = pcall(compare, c, r)
          if cok then why = cwhy else why = "error while comparing: " .. tostring(cwhy) end
        end
        if why then why = "(" .. how .. " form) " .. why; break end
      end
    end
    if why then
      failed = failed + 1
      byop[c.op] = (byop[c.op] or 0) + 1
      if verbose or #failures < 60 then
        failures[#failures + 1] = ("FAIL [%s] %s: %s"):format(dev, c.desc, why)
      end
    else
      passed = passed + 1
    end
    ::next_case::
  end
end
for _, f in ipairs(failures) do print(f) end
if failed > #failures then print(("... and %d more failures (DIFF_VERBOSE=1 lists all)"):format(failed - #failures)) end
if failed > 0 then
  local names = {}
  for op in pairs(byop) do names[#names + 1] = op end
  table.sort(names)
  local parts = {}
  for _, op in ipairs(names) do parts[#parts + 1] = op .. " " .. byop[op] end
  print("failures by op: " .. table.concat(parts, ", "))
end
print(("%d cases x %d devices (%s), %.1f s CPU time"):format(
  #cases, #devices, table.concat(devices, " "), os.clock() - t0))
print(("diff: %d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
