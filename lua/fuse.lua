-- SPDX-License-Identifier: MIT
-- lunar.fuse(fn): explicit fusion, as cupy.fuse. A call's arguments give a
-- signature (each array's dtype and ndim, each Lua value's kind); the first
-- call with a signature traces fn with proxy values that record the
-- elementwise ops (operators, lunar's functions and methods that have a row
-- in the op table) and trailing reductions (each result one, all over the
-- same axes), and the core runs the program as one generated kernel
-- (src/core/fuse.c, lb_fuse.c). What the trace cannot follow (complex
-- dtypes, an op without a row, indexing, matmul, a reduction that is not
-- last, reductions over different axes, Lua control flow on a traced
-- value, a result that is not computed) makes the signature call fn itself
-- from then on, so a result is always the unfused one. A call the fused
-- kernel refuses (an error of the unfused op, an integer out of bounds)
-- runs fn too, which raises the op's own error.
local lu, methods, internal = ...

local C = internal.fuse
local OPS = C.ops
-- reductions that may end a program, with NumPy's positional parameters
local REDS = {
  sum = {"axis", "dtype", "out", "keepdims"}, prod = {"axis", "dtype", "out", "keepdims"},
  mean = {"axis", "dtype", "out", "keepdims"}, max = {"axis", "out", "keepdims"},
  min = {"axis", "out", "keepdims"}, any = {"axis", "out", "keepdims"},
  all = {"axis", "out", "keepdims"},
}

local arraymt = getmetatable(lu.zeros(0, {device = "cpu"}))
local function isarray(x) return type(x) == "userdata" and getmetatable(x) == arraymt end

local pack, unpack, select, type, mtype = table.pack, table.unpack, select, type, math.type

-- {====================================================== tracing
local P = {}            -- the proxies' metatable
-- the comparison methods (a:lt(b) for a < b)
local CMP = {lt = "less", le = "less_equal", gt = "greater", ge = "greater_equal", eq = "equal",
             ne = "not_equal"}
local function isproxy(x) return type(x) == "table" and getmetatable(x) == P end

local function fail(why) error("lunar.fuse: cannot trace: " .. why, 0) end

local current             -- the trace being recorded

local function ref(x)
  if isproxy(x) then
    if rawget(x, "_red") then fail("an op after a reduction") end
    return rawget(x, "_ref")
  end
  local t = type(x)
  if t == "number" or t == "boolean" then   -- a constant of fn: one more leaf
    local c = current.consts
    c[#c + 1] = x
    return current.nargs + #c - 1
  end
  fail(isarray(x) and "an array that is not an argument" or "a " .. t .. " value")
end

local function node(ref) return setmetatable({_ref = ref}, P) end

local function record(name, ...)
  local row = OPS[name]
  local n = select("#", ...)
  if row == nil then fail(name .. " has no op row") end
  if n ~= row[2] then fail(name .. " with " .. n .. " arguments") end
  local nd = {row[1]}
  for k = 1, n do nd[k + 1] = ref((select(k, ...))) end
  local nodes = current.nodes
  nodes[#nodes + 1] = nd
  return node(-#nodes)
end

-- x:sum(axis, dtype, out, keepdims) and the like; axis: an integer or a
-- list of integers; dtype and out are not traced
local function reduction(name, x, ...)
  if not isproxy(x) then fail(name .. " of a value that is not traced") end
  local params, args = REDS[name], pack(...)
  local vals, n = {}, args.n
  local last = args[n]
  if n > 0 and type(last) == "table" and not isproxy(last) and #last == 0 then
    for k, v in pairs(last) do
      local ok = false
      for _, p in ipairs(params) do ok = ok or p == k end
      if not ok then fail(name .. ": option " .. tostring(k)) end
      vals[k] = v
    end
    n = n - 1
  end
  if n > #params then fail(name .. " with too many arguments") end
  for k = 1, n do
    if args[k] ~= nil then
      if vals[params[k]] ~= nil then fail(name .. ": " .. params[k] .. " given twice") end
      vals[params[k]] = args[k]
    end
  end
  if vals.dtype ~= nil or vals.out ~= nil then fail(name .. " with dtype or out") end
  local axis, axes = vals.axis, nil
  if mtype(axis) == "integer" then axes = {axis}
  elseif type(axis) == "table" and not isproxy(axis) then
    axes = {}
    for k, v in ipairs(axis) do
      if mtype(v) ~= "integer" then fail(name .. ": axis") end
      axes[k] = v
    end
  elseif axis ~= nil then fail(name .. ": axis") end
  if vals.keepdims ~= nil and type(vals.keepdims) ~= "boolean" then fail(name .. ": keepdims") end
  local keep, reds = vals.keepdims == true, current.reds
  if #reds == 0 then
    current.axes, current.keepdims = axes, keep
  else   -- one kernel: every reduction over the first one's axes
    local a0, same = current.axes, keep == current.keepdims
    same = same and (a0 == nil) == (axes == nil) and (a0 == nil or #a0 == #axes)
    for k = 1, same and axes and #axes or 0 do same = same and a0[k] == axes[k] end
    if not same then fail("reductions over different axes") end
  end
  local r = ref(x)
  if r >= 0 then r = ref(record("copy", x)) end   -- a reduction of an argument itself
  reds[#reds + 1] = name
  return setmetatable({_ref = r, _red = #reds}, P)
end

local BINOPS = {
  __add = "add", __sub = "subtract", __mul = "multiply", __div = "divide",
  __idiv = "floor_divide", __mod = "mod", __pow = "power", __band = "bitwise_and",
  __bor = "bitwise_or", __bxor = "bitwise_xor", __shl = "left_shift", __shr = "right_shift",
}
for mm, op in pairs(BINOPS) do P[mm] = function(a, b) return record(op, a, b) end end
P.__unm = function(a) return record("negative", a) end
P.__bnot = function(a) return record("invert", a) end
local function nocompare() fail("a comparison operator (it gives a Lua boolean; use lunar.less ...)") end
P.__lt, P.__le, P.__eq = nocompare, nocompare, nocompare
P.__len = function() fail("the length of a traced value") end
P.__concat = function() fail("concatenation") end
P.__call = function() fail("a call of a traced value") end
P.__tostring = function() fail("tostring of a traced value") end
P.__newindex = function() fail("assignment into a traced value") end
P.__index = function(x, k)
  if k == "dtype" or k == "ndim" then
    local v = rawget(x, "_" .. k)
    if v ~= nil then return v end
  elseif type(k) == "string" and methods[k] ~= nil then
    if REDS[k] then return function(self, ...) return reduction(k, self, ...) end end
    if OPS[k] then return function(...) return record(k, ...) end end
    if CMP[k] then return function(...) return record(CMP[k], ...) end end
  end
  fail("x." .. tostring(k))
end

-- While a trace runs, lunar's fusable functions record on proxies (fn may
-- call them through the module; a copy of a function taken before, such
-- as `local exp = lunar.exp`, gets a proxy and fails: fn then runs unfused)
local swaps
local function make_swaps()
  swaps = {}
  for name in pairs(OPS) do
    local orig = rawget(lu, name)
    if type(orig) == "function" then
      swaps[name] = {orig, function(...)
        for k = 1, select("#", ...) do
          if isproxy((select(k, ...))) then return record(name, ...) end
        end
        return orig(...)
      end}
    end
  end
  for name in pairs(REDS) do
    local orig = rawget(lu, name)
    if type(orig) == "function" then
      swaps[name] = {orig, function(x, ...)
        if isproxy(x) then return reduction(name, x, ...) end
        return orig(x, ...)
      end}
    end
  end
end

local function trace(self, n, ...)
  local T = {nodes = {}, consts = {}, nargs = n, reds = {}}
  local px = {}
  for i = 1, n do
    local v = select(i, ...)
    local p = {_ref = i - 1}
    if isarray(v) then
      p._dtype, p._ndim = v.dtype, v.ndim
      if p._dtype:match("^complex") then self.why = "complex dtype"; return false end
    end
    px[i] = setmetatable(p, P)
  end
  if swaps == nil then make_swaps() end
  local saved = current
  current = T
  if saved == nil then for name, s in pairs(swaps) do lu[name] = s[2] end end
  local res = pack(pcall(self.fn, unpack(px, 1, n)))
  if saved == nil then for name, s in pairs(swaps) do lu[name] = s[1] end end
  current = saved
  if not res[1] then self.why = tostring(res[2]); return false end
  if res.n < 2 then self.why = "fn returned nothing"; return false end
  local refs, red, used = {}, nil, {}
  if #T.reds > 0 then red = {} end
  for k = 2, res.n do
    local r = res[k]
    if not isproxy(r) then self.why = "result " .. (k - 1) .. " is not computed"; return false end
    local ri = rawget(r, "_red")
    if red and not ri then
      self.why = "result " .. (k - 1) .. " is not a reduction, another is"; return false
    end
    if rawget(r, "_ref") >= 0 then self.why = "result " .. (k - 1) .. " is an argument"; return false end
    refs[k - 1] = rawget(r, "_ref")
    if red then red[k - 1], used[ri] = T.reds[ri], true end
  end
  for i = 1, #T.reds do
    if not used[i] then self.why = "an unused reduction"; return false end
  end
  local nodes = {}
  for i, nd in ipairs(T.nodes) do nodes[i] = {nd[1], nd[2] or 0, nd[3] or 0, nd[4] or 0} end
  local ok, ud = pcall(C.new, {nleaf = n + #T.consts, nodes = nodes, res = refs, red = red,
                               axes = T.axes, keepdims = T.keepdims})
  if not ok then self.why = tostring(ud); return false end
  return {ud = ud, consts = T.consts, nconst = #T.consts}
end
-- }======================================================

-- {====================================================== the callable
local function signature(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do
    local v = select(i, ...)
    if isarray(v) then parts[i] = v.dtype .. ":" .. v.ndim
    else
      local t = type(v)
      if t == "number" then parts[i] = mtype(v)
      elseif t == "boolean" then parts[i] = "b"
      elseif isproxy(v) then return nil, true
      else return nil end
    end
  end
  return table.concat(parts, ",")
end

local Fused = {}
Fused.__index = Fused
Fused.__name = "lunar.fused"

local function eager(self, ...)
  self.neager = self.neager + 1
  return self.fn(...)
end

local function finish(self, args, ok, ...)
  if ok then
    self.nfused = self.nfused + 1
    return ...
  end
  self.why = ...
  return eager(self, unpack(args, 1, args.n))
end

function Fused.__call(self, ...)
  local n = select("#", ...)
  if not self.vararg and n ~= self.nparams then
    error(("lunar.fuse: the fused function takes %d argument%s, got %d"):format(
      self.nparams, self.nparams == 1 and "" or "s", n), 2)
  end
  local sig, traced = signature(...)
  if traced then return self.fn(...) end   -- called inside another trace: inline
  if sig == nil then return eager(self, ...) end
  local prog = self.progs[sig]
  if prog == nil then
    prog = trace(self, n, ...)
    self.progs[sig] = prog
  end
  if not prog then return eager(self, ...) end
  local args = pack(...)
  if prog.nconst == 0 then return finish(self, args, C.call(prog.ud, ...)) end
  local all = {...}
  for k = 1, prog.nconst do all[n + k] = prog.consts[k] end
  return finish(self, args, C.call(prog.ud, unpack(all, 1, n + prog.nconst)))
end

function Fused.__tostring(self)
  return ("lunar.fused(%s)"):format(tostring(self.fn))
end

-- What the callable did so far: calls fused and unfused, signatures
-- traced, kernels made, and why the last one that fell back did.
function Fused.info(self)
  local nsig, nk = 0, 0
  for _, p in pairs(self.progs) do
    nsig = nsig + 1
    if p then nk = nk + C.nkernels(p.ud) end
  end
  return {fused = self.nfused, eager = self.neager, signatures = nsig, kernels = nk, why = self.why}
end

function lu.fuse(...)
  local fn, n = ..., select("#", ...)
  if n ~= 1 then
    error(("lunar.fuse: takes 1 argument (a function), got %d"):format(n), 2)
  end
  if type(fn) ~= "function" then
    error(("lunar.fuse: bad argument #1 (a function expected, got %s)"):format(
      isarray(fn) and "array" or type(fn)), 2)
  end
  local info = debug.getinfo(fn, "u")
  return setmetatable({fn = fn, nparams = info.nparams, vararg = info.isvararg, progs = {},
                       nfused = 0, neager = 0}, Fused)
end
-- }======================================================
