-- SPDX-License-Identifier: MIT
-- The bad-input suite (issue 12): every public function of lunar (the
-- module table walked, lunar._ops and the array methods included) called
-- with hostile arguments: wrong types, nil, NaN and infinities, int64
-- extremes, huge, negative and overflowing shapes, bad axes and indices,
-- closed arrays, foreign userdata given the array metatable through the
-- debug library (and every lunar metatable given to every other lunar
-- object, each of its metamethods and methods called), and keys and finalizers that close arrays while lunar
-- reads them. A case passes when the call returns or raises an error that
-- is a non-empty string, the process does not crash, and lunar still works
-- afterwards (a small computation gives the right answer).
--
--   lunar tests/bad/run.lua            all cases in this process
--   lunar tests/bad/run.lua --list     print the number of cases
--   lunar tests/bad/run.lua --from K [L]  cases K..L (the driver resumes
--                                      here after a crash)
--   lunar tests/bad/run.lua --case K   case K only, its description shown
-- The last line is "bad: N passed, N failed". Before each case the index
-- is written to the file named by LUNAR_BAD_PROGRESS (if set), so that
-- tests/bad/run.sh can name the case that killed the process.
local lunar = require "lunar"

local mt = getmetatable(lunar.zeros(1))
local device0 = lunar.get_device()   -- LUNAR_DEVICE's (cuda:0 on the GPU run)
local methods = mt.__methods

-- {===== the functions under test, in a fixed order
local fns, seen = {}, {}
local function walk(t, prefix, depth)
  local keys = {}
  for k in pairs(t) do if type(k) == "string" then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = rawget(t, k)
    if type(v) == "function" and not seen[v] then
      seen[v] = true
      fns[#fns + 1] = {name = prefix .. k, f = v}
    elseif type(v) == "table" and depth < 3 and not seen[v] then
      seen[v] = true
      walk(v, prefix .. k .. ".", depth + 1)
    end
  end
end
-- skipped: help prints pages; set_device changes the state later cases see
-- (it gets its own cases below)
local skip = {help = true, set_device = true}
do
  local keys = {}
  for k in pairs(lunar) do if type(k) == "string" then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = lunar[k]
    if skip[k] then seen[v] = true
    elseif type(v) == "function" and not seen[v] then
      seen[v] = true
      fns[#fns + 1] = {name = "lunar." .. k, f = v}
    elseif type(v) == "table" and not seen[v] then
      seen[v] = true
      walk(v, "lunar." .. k .. ".", 1)
    end
  end
end
-- functions that write files get their path made relative to a
-- directory of the suite's own, so that hostile names ("int8", "cuda:99")
-- never land in the working tree (removed when the suite ends)
local tmpdir = os.tmpname()
os.remove(tmpdir)
os.execute("mkdir -p '" .. tmpdir .. "'")
local function in_tmp(v)
  if type(v) == "string" then return tmpdir .. "/" .. v end
  return v
end
local writers = {["lunar.save"] = true, ["lunar.savez"] = true, ["lunar.savez_compressed"] = true,
                 ["lunar.savetxt"] = true, ["lunar.image.write"] = true}
for _, e in ipairs(fns) do
  if writers[e.name] then
    local f = e.f
    e.f = function(p, ...) return f(in_tmp(p), ...) end
  end
end
for _, k in ipairs{"tofile"} do
  local m = rawget(methods, k)
  if m then methods[k] = function(self, p, ...) return m(self, in_tmp(p), ...) end end
end
local meths = {}
do
  local keys = {}
  for k in pairs(methods) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do
    if k ~= "close" then meths[#meths + 1] = {name = "a:" .. k, key = k} end
  end
end
-- }=====

-- {===== values: each a name and a maker (fresh values for every case)
local function closed() local a = lunar.ones(3); a:close(); return a end
local V = {
  {"nil", function() return nil end},
  {"true", function() return true end},
  {"0", function() return 0 end},
  {"-1", function() return -1 end},
  {"2", function() return 2 end},
  {"2.5", function() return 2.5 end},
  {"nan", function() return 0 / 0 end},
  {"inf", function() return 1 / 0 end},
  {"-inf", function() return -1 / 0 end},
  {"maxint", function() return math.maxinteger end},
  {"minint", function() return math.mininteger end},
  {"2^62", function() return 1 << 62 end},
  {"''", function() return "" end},
  {"'int8'", function() return "int8" end},
  {"'float32\\0x'", function() return "float32\0x" end},
  {"'cuda:99'", function() return "cuda:99" end},
  {"{}", function() return {} end},
  {"{2,3}", function() return {2, 3} end},
  {"{-1}", function() return {-1} end},
  {"{{1,2},{3}}", function() return {{1, 2}, {3}} end},
  {"{2^62,4}", function() return {1 << 62, 4} end},
  {"{2^40,2^40,2^40}", function() return {1 << 40, 1 << 40, 1 << 40} end},
  {"{maxint}", function() return {math.maxinteger} end},
  {"{nan}", function() return {0 / 0} end},
  {"len-5", function() return setmetatable({}, {__len = function() return -5 end}) end},
  {"{axis=99}", function() return {axis = 99} end},
  {"{dtype='bogus'}", function() return {dtype = "bogus"} end},
  {"{bogus=1}", function() return {bogus = 1} end},
  {"fn", function() return print end},
  {"co", function() return coroutine.create(print) end},
  {"complex", function() return lunar.complex(1, 2) end},
  {"A(3,4)", function() return lunar.arange(12):reshape(3, 4) end},
  {"A.T", function() return lunar.arange(12):reshape(3, 4).T end},
  {"Arev", function() return lunar.arange(5)[{{-1, 1, -1}}] end},
  {"Aint8", function() return lunar.array({1, -2, 3}, "int8") end},
  {"Abool", function() return lunar.array({true, false}) end},
  {"Ac64", function() return lunar.array({1, 2}, "complex64") end},
  {"Af16", function() return lunar.array({1, 2}, "float16") end},
  {"A0d", function() return lunar.array(7.5) end},
  {"Aempty", function() return lunar.zeros(0, 3) end},
  {"Anan", function() return lunar.array({0 / 0, 1 / 0, -1 / 0}) end},
  {"closed", closed},
  {"{closed}", function() return {closed()} end},
  {"fake", function()    -- a complex value wearing the array metatable
    local z = lunar.complex(1, 2); debug.setmetatable(z, mt); return z end},
  {"fakeev", function()
    local ok, e = pcall(lunar.cuda.Event)
    if not ok then return nil end
    debug.setmetatable(e, mt); return e end},
}
-- a key/table whose reading closes the array `victim`
local function closer(victim)
  return setmetatable({}, {
    __len = function() victim:close(); return 1 end,
    __index = function() victim:close(); return 1 end})
end
-- }=====

-- {===== the cases: {desc, fn(): the call}
local cases = {}
local function add(desc, f) cases[#cases + 1] = {desc, f} end
local NV = #V
local function val(i) return V[i][2]() end
local A = function() return lunar.arange(12):reshape(3, 4) end

for _, e in ipairs(fns) do
  local f, nm = e.f, e.name
  add(nm .. "()", function() return f() end)
  for i = 1, NV do
    add(nm .. "(" .. V[i][1] .. ")", function() return f(val(i)) end)
    add(nm .. "(A, " .. V[i][1] .. ")", function() return f(A(), val(i)) end)
  end
  -- a third argument from a smaller set, and a trailing options table
  for _, i in ipairs{1, 4, 7, 10, 12, 18, 26, 28, 42} do
    add(nm .. "(A, 1, " .. V[i][1] .. ")", function() return f(A(), 1, val(i)) end)
  end
  add(nm .. "(closer)", function() local a = A(); return f(a, closer(a)) end)
  add(nm .. "(A, A, A, A, A, A)", function() local a = A(); return f(a, a, a, a, a, a) end)
end
-- correlate's and convolve's method keyword (a lunar extension) given
-- every hostile value, on inputs large enough for the FFT path
for _, nm in ipairs{"correlate", "convolve"} do
  for i = 1, NV do
    add("lunar." .. nm .. "(A1d, A1d, 'same', {method = " .. V[i][1] .. "})", function()
      return lunar[nm](lunar.arange(3000), lunar.arange(1000, "int64"), "same", {method = val(i)})
    end)
  end
  add("lunar." .. nm .. "(Aint64 2^40, A, {method = 'fft'})", function()
    return lunar[nm](lunar.full(500, 1 << 40, "int64"), lunar.full(300, (1 << 40) + 1, "int64"),
                     "full", {method = "fft"})
  end)
end
for _, e in ipairs(meths) do
  local k = e.key
  add(e.name .. "()", function() local a = A(); return a[k](a) end)
  for i = 1, NV do
    add(e.name .. "(" .. V[i][1] .. ")", function() local a = A(); return a[k](a, val(i)) end)
    if i % 3 == 0 then   -- self that is not an array (methods[k] reached directly)
      add(e.name .. " self=" .. V[i][1], function() return methods[k](val(i), 1) end)
    end
  end
  add(e.name .. " on closed", function() local a = closed(); return methods[k](a) end)
  add(e.name .. "(closer)", function() local a = A(); return a[k](a, closer(a)) end)
end
-- every array method with one argument more than it takes (issue 12,
-- defect 6): an error that names the method and the argument's position.
-- The counts are the array metatable's __arity (src/lua/lb_methods.def); a
-- method written in Lua or taking any number of arguments gets 13 zeros and
-- must raise some error.
local arity = rawget(mt, "__arity") or {}
for _, e in ipairs(meths) do
  local k, n = e.key, arity[e.key]
  local exact = n ~= nil and n >= 0
  if not exact then n = 12 end
  add(e.name .. " with " .. (n + 1) .. " arguments", function()
    local a, args = A(), {}
    for i = 1, n + 1 do args[i] = 0 end
    local ok, r = pcall(a[k], a, table.unpack(args, 1, n + 1))
    if ok then error({fail = "argument " .. (n + 1) .. " was accepted"}, 0) end
    -- (an alias may be named as its target: conj as array:conjugate)
    if exact and not (type(r) == "string" and r:find("array:[%w_]+: bad argument #" .. (n + 1) ..
                                                     " %(unexpected argument")) then
      error({fail = "not the extra-argument error: " .. tostring(r)}, 0)
    end
    error(r, 0)
  end)
end

-- foreign userdata under every lunar metatable (issue 12, defect 4): each
-- metatable lunar keeps (the registry's "lunar.*" entries, the context
-- box's, the index sentinels') given through debug.setmetatable to an
-- object of every other lunar type (and to an io file), then each of its
-- metamethods and methods called on it with a few argument lists, and the
-- object collected while it wears the metatable. A genuine object gets its
-- own metatable back after the call, so that its own finalizer runs.
local rawcode = 'extern "C" __global__ void bad_f(float *x) { x[0] = 1; }'
local function fused_ud()
  local f = lunar.fuse(function(x) return x * 2 + 1 end)
  f(lunar.ones(2))
  for _, prog in pairs(rawget(f, "progs")) do
    if type(prog) == "table" then return prog.ud end
  end
end
local objects = {
  {"array", function() return lunar.arange(3) end},
  {"complex", function() return lunar.complex(1, 2) end},
  {"event", function() return lunar.cuda.Event() end},
  {"stream", function() return lunar.cuda.Stream() end},
  {"graph", function() local x = lunar.ones(4); return lunar.cuda.graph(function() return x + 1 end) end},
  {"memory_pool", function() return lunar.cuda.memory_pool() end},
  {"ukernel", function() return lunar.ElementwiseKernel("T x", "T y", "y = x * 3", "bad_uk") end},
  {"rawmodule", function() return lunar.RawModule{code = rawcode} end},
  {"rawkernel", function() return lunar.RawKernel(rawcode, "bad_f") end},
  {"fused", fused_ud},
  {"newaxis", function() return lunar.newaxis end},
  {"file", function() return io.tmpfile() end},
}
do   -- keep the kinds this machine can make
  local kept = {}
  for _, o in ipairs(objects) do
    local ok, v = pcall(o[2])
    if ok and type(v) == "userdata" then kept[#kept + 1] = o end
  end
  objects = kept
end
local targets = {}
do
  -- the .npz reader's box gets its metatable on first use
  pcall(function()
    lunar.savez(tmpdir .. "/bad_mt.npz", lunar.ones(2))
    lunar.load(tmpdir .. "/bad_mt.npz")
  end)
  local reg, names = debug.getregistry(), {}
  for k, v in pairs(reg) do
    if type(k) == "string" and k:match("^lunar%.") and type(v) == "table" and
       (rawget(v, "__name") or rawget(v, "__gc") or rawget(v, "__index")) then
      names[#names + 1] = k
    end
  end
  table.sort(names)
  for _, k in ipairs(names) do targets[#targets + 1] = {k, reg[k]} end
  local _, box = debug.getupvalue(mt.__add, 4)
  if type(box) == "userdata" and debug.getmetatable(box) then
    targets[#targets + 1] = {"context box", debug.getmetatable(box)}
  end
  targets[#targets + 1] = {"newaxis", debug.getmetatable(lunar.newaxis)}
end
-- the functions of a metatable: its own, those of an __index table and
-- the array's __methods
local function functions_of(m)
  local fl, seen_f = {}, {}
  local function take(prefix, t)
    local ks = {}
    for k, v in pairs(t) do
      if type(k) == "string" and type(v) == "function" then ks[#ks + 1] = k end
    end
    table.sort(ks)
    for _, k in ipairs(ks) do
      if not seen_f[t[k]] or prefix == "" then
        seen_f[t[k]] = true
        fl[#fl + 1] = {prefix .. k, t[k]}
      end
    end
  end
  take("", m)
  if type(rawget(m, "__index")) == "table" then take(":", rawget(m, "__index")) end
  if type(rawget(m, "__methods")) == "table" then take(":", rawget(m, "__methods")) end
  return fl
end
local arglists = {
  {"", function() return end},
  {"1", function() return 1 end},
  {"'name'", function() return "name" end},
  {"A", function() return A() end},
  {"1, 1, {A}", function() return 1, 1, {A()} end},
}
-- fn(obj, ...) with obj wearing m, its own metatable put back afterwards
local function wearing(mk, m, restore, fn, ...)
  local obj = mk()
  local own = debug.getmetatable(obj)
  debug.setmetatable(obj, m)
  local r = table.pack(pcall(fn, obj, ...))
  if restore then debug.setmetatable(obj, own) end
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end
for _, t in ipairs(targets) do
  local tname, m = t[1], t[2]
  local fl = functions_of(m)
  for _, o in ipairs(objects) do
    local oname, mk = o[1], o[2]
    if debug.getmetatable(mk()) ~= m then
      for _, f in ipairs(fl) do
        -- the array's methods with two argument lists, the rest with all
        local nargs = (f[1]:sub(1, 1) == ":" and tname == "lunar.array") and 2 or #arglists
        for j = 1, nargs do
          local al = arglists[j]
          add(tname .. f[1] .. "(" .. oname .. (al[1] ~= "" and ", " .. al[1] or "") .. ")",
              function() return wearing(mk, m, true, f[2], al[2]()) end)
        end
      end
      add(oname .. " collected wearing " .. tname, function()
        local obj = mk()
        if oname ~= "newaxis" then debug.setmetatable(obj, m) end
        obj = nil
        collectgarbage(); collectgarbage()
      end)
      -- the operators reach the metamethods through the object itself
      add(oname .. " wearing " .. tname .. " used as a value", function()
        return wearing(mk, m, true, function(x)
          pcall(tostring, x); pcall(function() return x.name end); pcall(function() return x:record() end)
          pcall(function() return x(lunar.ones(2)) end); pcall(function() return x + 1 end)
          pcall(function() return #x end); pcall(function() return x == x end)
          pcall(function() x.y = 1 end)
          return true
        end)
      end)
    end
  end
end
-- indexing, assignment and operators
local keys = {1, 0, -1, 4, 99, math.maxinteger, math.mininteger, 2.5, 0 / 0, "x", true,
              {1, 3}, {1, 3, math.maxinteger}, {3, 1, math.mininteger}, {math.mininteger, math.maxinteger},
              {{1, 3, 0}}, {{1}}, {{}}, {2, {1, 2}}, {{1, 2, 3, 4, 5}}, {{-99}}}
for i, k in ipairs(keys) do
  add("A[key " .. i .. "]", function() return A()[k] end)
  add("A[key " .. i .. "] = 1", function() local a = A(); a[k] = 1; return a end)
  for j = 1, NV do
    if j % 4 == 1 then
      add("A[key " .. i .. "] = " .. V[j][1], function() local a = A(); a[k] = val(j); return a end)
    end
  end
end
add("A[closer]", function() local a = lunar.ones(3); return a[closer(a)] + 1 end)
add("A[closer] = 1", function() local a = lunar.ones(3); a[closer(a)] = 1; return a end)
local ops = {"__add", "__sub", "__mul", "__div", "__mod", "__pow", "__idiv", "__band",
             "__bor", "__bxor", "__shl", "__shr", "__lt", "__le", "__unm", "__bnot", "__len",
             "__tostring"}
for _, op in ipairs(ops) do
  for i = 1, NV do
    add("A " .. op .. " " .. V[i][1], function() return mt[op](A(), val(i)) end)
    add(V[i][1] .. " " .. op .. " A", function() return mt[op](val(i), A()) end)
  end
end
-- reentrancy through finalizers: a collection running a finalizer that
-- closes an operand while an operation is under way
for _, e in ipairs(fns) do
  if e.name:match("^lunar%.[a-z_]+$") then
    add(e.name .. " under a closing finalizer", function()
      local a = lunar.ones(64)
      setmetatable({}, {__gc = function() a:close() end})
      collectgarbage("incremental", 1, 400)
      local ok, r = pcall(e.f, a, a)
      collectgarbage("incremental", 200, 100)
      if not ok then error(r, 0) end
      return r
    end)
  end
end
for i = 1, NV do
  add("set_device(" .. V[i][1] .. ")", function()
    local ok, r = pcall(lunar.set_device, val(i))
    lunar.set_device(device0)
    if not ok then error(r, 0) end
    return r
  end)
end
-- }=====

-- {===== running
local function healthy()
  local ok, r = pcall(function()
    local h = lunar.arange(4, "float64") * 2
    return h:sum():item()
  end)
  return ok and r == 12
end

-- global settings a case may change legitimately, put back after each case
local printopts = lunar.get_printoptions()
local function restore()
  lunar.set_printoptions(printopts)
  lunar.set_strict_sync(false)
  lunar.stats(false)
end

local function runcase(k)
  local c = cases[k]
  -- a device checks gathered indices in the kernel and reports a bad one at
  -- the next synchronisation (DESIGN section 3): the case includes that sync,
  -- so that the error belongs to the call that caused it, as on the CPU
  local ok, r = pcall(function()
    local r0 = c[2]()
    lunar.synchronize()
    return r0
  end)
  restore()
  local why
  if not ok and type(r) == "table" and r.fail then   -- a case's own check failed
    why = r.fail
  elseif not ok and (type(r) ~= "string" or r == "" or r:find("unknown error", 1, true)) then
    why = "error is not a clear message: " .. tostring(r)
  end
  if ok and type(r) == "userdata" and getmetatable(r) == mt then
    -- a result must be usable: print it (reads every element)
    local ok2, e2 = pcall(tostring, r)
    if not ok2 and not tostring(e2):find("closed array", 1, true) then
      why = "result cannot be printed: " .. tostring(e2)
    end
  end
  if not healthy() then why = (why and why .. "; " or "") .. "lunar is not usable afterwards" end
  return why
end

local from, to, verbose = 1, #cases, false
if arg[1] == "--list" then print(#cases) return end
if arg[1] == "--from" then from = tonumber(arg[2]); to = tonumber(arg[3]) or to end
if arg[1] == "--case" then from = tonumber(arg[2]); to = from; verbose = true end
local progress = os.getenv("LUNAR_BAD_PROGRESS")
-- LUNAR_BAD_MATCH=PATTERN: only the cases whose description matches
local match = os.getenv("LUNAR_BAD_MATCH")
local slow = tonumber(os.getenv("LUNAR_BAD_SLOW") or "")
local pass, fail = 0, 0
-- the output of the functions under test (warnings, help) goes nowhere
local realprint = print
print = function() end
for k = from, to do
  if progress then
    local fh = io.open(progress, "w"); fh:write(k, "\n"); fh:close()
  end
  if verbose then io.stdout:write("case ", k, ": ", cases[k][1], "\n"); io.stdout:flush() end
  local t0 = slow and os.clock()
  local why
  if match and not cases[k][1]:find(match) then goto next end
  why = runcase(k)
  if slow and os.clock() - t0 > slow then
    io.stdout:write(string.format("SLOW case %d (%s): %.2fs\n", k, cases[k][1], os.clock() - t0)); io.stdout:flush()
  end
  if why then
    fail = fail + 1
    io.stdout:write("FAIL case ", k, " (", cases[k][1], "): ", why, "\n")
  else
    pass = pass + 1
  end
  if k % 200 == 0 then collectgarbage() end
  ::next::
end
print = realprint
os.execute("rm -rf '" .. tmpdir .. "'")
io.stdout:write(string.format("bad: %d passed, %d failed\n", pass, fail))
os.exit(fail == 0 and 0 or 1)
-- }=====
