-- SPDX-License-Identifier: MIT
-- The allocation-failure walk (issue 12): a representative script (arrays
-- made, broadcast arithmetic, reductions, indexing, a small matmul, sort,
-- an FFT, a .npy round trip, an array printed) run once per N with the Nth
-- allocation failing, through the hook lunar keeps in the registry
-- (src/lua/lb_failalloc.c). Each run must end with success or an error
-- whose text says "out of memory" (lunar's own) or "not enough memory"
-- (Lua's), and lunar must then compute a small result right.
--
--   lunar tests/allocfail/run.lua [walk ...]
-- Walks (all by default):
--   host     lunar's host allocations, the Nth fails once, every N
--   hostp    the same, failing from the Nth on (the error path without memory)
--   lua      Lua's allocations, failing from the Nth on
--   all      both kinds counted together, failing from the Nth on
--   device   device memory (lu_cuda_malloc), the Nth fails once; devicep:
--            from the Nth on. They count nothing unless the default device
--            is a GPU: LUNAR_DEVICE=cuda:0 lunar tests/allocfail/run.lua
--   steps    more of the API in small steps, each walked as host, hostp and lua
-- (a walk over more than 1,500 allocations takes a deterministic stride)
-- Ends with "allocfail: N passed, N failed"; the line before says how many
-- allocations each walk counted and how many runs failed cleanly.
local lunar = require "lunar"
local failalloc = debug.getregistry()["lunar.failalloc"]
assert(failalloc, "lunar has no allocation-failure hook")

local tmpbase = os.tmpname()
local tmp = tmpbase .. ".npy"
local function core()
  local a = lunar.arange(24, {dtype = "float64"}):reshape(4, 6)
  local b = lunar.linspace(0, 1, 6, {dtype = "float32"})
  local c = a * b + 1                       -- broadcast (4,6) with (6)
  local s = c:sum(1) + c:max()              -- reductions, an axis and all
  local m = c[{2, 3}]                       -- indexing: a row, then a slice
  local v = c[{{1, 3}, {2, 6, 2}}]
  local p = lunar.matmul(a, a.T)          -- a small matmul
  local so = lunar.sort(lunar.array({3, 1, 2, 5, 4}, "int32"))
  local f = lunar.fft.fft(lunar.array({1, 2, 3, 4, 5, 6, 7, 8}))
  lunar.save(tmp, v)
  local back = lunar.load(tmp)
  local text = tostring(back) .. tostring(f) .. tostring(so)
  return #text + m + s:sum():item() + p:sum():item()
end

-- more of the API, each call on a path of its own
local function breadth()
  local a = lunar.arange(12):reshape(3, 4)
  local t = a.T:copy()                                     -- a strided copy
  local cat = lunar.concatenate({a, a * 2}, 1)
  local w = lunar.where(a:gt(5), a, -a)
  local mk = a[a:gt(3)]                                      -- a mask
  local fancy = a:take(lunar.array({1, 3}), 1)
  a[{1, {1, 2}}] = 7                                       -- assignment
  local u = lunar.unique(lunar.array({3, 1, 3, 2, 1}))
  local cs = a:cumsum(2)
  local am = a:argmax(2)
  local mean = a:astype("float32"):mean(1, {keepdims = true})
  local inv = lunar.linalg.inv(lunar.array({{2, 1}, {1, 3}}))
  local sol = lunar.linalg.solve(lunar.array({{2, 1}, {1, 3}}), lunar.array({1, 2}))
  local r = lunar.fft.rfft(lunar.linspace(0, 1, 16))
  local st = lunar.stack({u, u}, 2)
  local tk = lunar.tile(lunar.array({1, 2}), {2, 2})
  local pd = lunar.pad(lunar.array({1, 2, 3}), 1)
  lunar.savez(tmpbase .. ".npz", a, w)
  local z = lunar.load(tmpbase .. ".npz")
  lunar.savetxt(tmpbase .. ".txt", a)
  local lt = lunar.loadtxt(tmpbase .. ".txt")
  local c = lunar.array({1, 2}, "complex128") * 1.5
  local text = tostring(c) .. tostring(lunar.array({true, false})) .. tostring(lunar.arange(2000))
  return #text + t:sum():item() + cat:sum():item() + w:sum():item() + mk:sum():item() +
    fancy:sum():item() + cs:sum():item() + am:sum():item() + mean:sum():item() +
    inv:sum():item() + sol:sum():item() + r:abs():sum():item() + st:sum():item() +
    tk:sum():item() + pd:sum():item() + lt:sum():item() + #tostring(z)
end

local function script()
  return core() + breadth()
end

-- the rest of the API the walk reaches, one small step each, walked one
-- step at a time (cheaper than the whole script per N, and a failure
-- names its step)
local steps = {
  function()
    local g = lunar.random.default_rng(1)
    return g:normal(0, 1, {20}):sum():item() + g:integers(0, 9, {5}):sum():item() +
      g:choice(10, 3):sum():item()
  end,
  function()
    local a = lunar.array({{4, 1}, {1, 3}})
    local w = lunar.linalg.eigh(a)
    local _, s = lunar.linalg.svd(a)
    local q = lunar.linalg.qr(a)
    return w:sum():item() + s:sum():item() + q:sum():item() + lunar.linalg.det(a):item()
  end,
  function()
    local a = lunar.arange(10)
    return lunar.searchsorted(a, lunar.array({3, 5})):sum():item() +
      lunar.argsort(-a):sum():item() + (lunar.nonzero(a:gt(4))):sum():item()
  end,
  function()
    return lunar.histogram(lunar.arange(20), 4):sum():item() +
      lunar.percentile(lunar.arange(20), 50):item()
  end,
  function()
    return lunar.einsum("ij,jk->ik", lunar.ones({2, 3}), lunar.ones({3, 2})):sum():item() +
      lunar.tensordot(lunar.ones({2, 3}), lunar.ones({3, 2}), 1):sum():item()
  end,
  function()
    local _, c = lunar.unique(lunar.array({1, 2, 2, 3}), {return_counts = true})
    local parts = lunar.split(lunar.arange(12), 3)
    local x = lunar.meshgrid(lunar.arange(3), lunar.arange(2))
    return c:sum():item() + #parts + x:sum():item()
  end,
  function()
    local f = assert(io.open(tmpbase .. ".csv", "w"))
    f:write("a,b\n1,2\n3,4\n")
    f:close()
    return lunar.genfromtxt(tmpbase .. ".csv", {delimiter = ",", skip_header = 1}):sum():item()
  end,
  function()
    lunar.arange(6, {dtype = "float32"}):tofile(tmpbase .. ".bin")
    return lunar.fromfile(tmpbase .. ".bin", "float32"):sum():item()
  end,
  function()
    local im = (lunar.arange(12):reshape(2, 2, 3) * 20):astype("uint8")
    lunar.image.write(tmpbase .. ".png", im)
    return lunar.image.read(tmpbase .. ".png"):sum():item()
  end,
  function()
    local a = lunar.arange(24):reshape(2, 3, 4)
    return a:transpose(3, 1, 2):copy():sum():item() + lunar.roll(a, 1, 2):sum():item() +
      lunar.flip(a):reshape(-1)[{{1, 5}}]:sum():item()
  end,
  function()
    return lunar.fft.fftn(lunar.ones({4, 4})):abs():sum():item() +
      lunar.fft.irfft(lunar.ones({5})):sum():item() + lunar.fft.fft(lunar.ones({7})):abs():sum():item()
  end,
  function()
    local x = lunar.linalg.lstsq(lunar.array({{1, 0}, {0, 1}, {1, 1}}), lunar.array({1, 2, 3}))
    return lunar.linalg.norm(lunar.arange(5)):item() + x:sum():item()
  end,
  function()
    return #tostring(lunar.random.default_rng(2):random({3, 3})) +
      #tostring(lunar.array({1.5, 0 / 0, 1 / 0}, "float16"))
  end,
  function()
    return lunar.sort(lunar.array({3.5, 1, 2}, "float16")):sum():item() +
      lunar.sort(lunar.random.default_rng(3):random({3000})):sum():item()
  end,
}

-- lunar still works: a small result, computed and checked by hand
local function healthy()
  local x = lunar.arange(1, 5) * 2           -- 2 4 6 8
  return x:sum():item() == 20 and tostring(lunar.array({1, 2})):find("1") ~= nil
end

local function clean(err)
  return type(err) == "string" and
         (err:find("out of memory", 1, true) or err:find("not enough memory", 1, true))
end

local walks = {
  host = {kinds = "host", persist = false},
  hostp = {kinds = "host", persist = true},
  lua = {kinds = "lua", persist = true, runs = 1500},
  all = {kinds = "all", persist = true, runs = 1500},
  device = {kinds = "device", persist = false},
  devicep = {kinds = "device", persist = true},
}
local order = {"host", "hostp", "lua", "all", "device", "devicep", "steps"}
if #arg > 0 then order = {table.unpack(arg)} end

local pass, fail = 0, 0
local function check(ok, what)
  if ok then pass = pass + 1 else fail = fail + 1; print("FAIL " .. what) end
end

-- walk fn with w's kinds: returns the allocations counted, the runs, and
-- how many of them failed (cleanly)
local function walk(fn, name, w)
  collectgarbage()
  local ok0, err0, total = failalloc(fn, math.maxinteger, w.kinds)
  check(ok0, name .. ": fails with no allocation failing: " .. tostring(err0))
  local runs = math.max(1, math.min(total, w.runs or total))
  local step = math.max(1, (total + runs - 1) // runs)
  local nfail = 0
  for n = 1, total, step do
    collectgarbage()
    local ok, err, count = failalloc(fn, n, w.kinds, w.persist)
    local what = string.format("%s N=%d (of %d)", name, n, total)
    if not ok then nfail = nfail + 1 end
    check(ok or clean(err), what .. ": " .. tostring(err))
    if count < n then check(ok, what .. ": no allocation failed, yet it failed") end
    local ok2, err2 = pcall(healthy)
    check(ok2 and err2, what .. ": lunar is not usable afterwards: " .. tostring(err2))
  end
  return total, (total + step - 1) // step, nfail
end

assert(script())   -- warm: plans and caches made once, as in a long session
for _, name in ipairs(order) do
  if name == "steps" then
    local total, runs, nfail = 0, 0, 0
    for i, fn in ipairs(steps) do
      assert(fn())
      for _, mode in ipairs({"host", "hostp", "lua"}) do
        local t, r, f = walk(fn, string.format("step %d %s", i, mode), walks[mode])
        total, runs, nfail = total + t, runs + r, nfail + f
      end
    end
    print(string.format("steps: %d allocations in %d steps, %d runs, %d failed cleanly", total,
                        #steps, runs, nfail))
  else
    local total, runs, nfail = walk(script, name, assert(walks[name], "no walk " .. name))
    print(string.format("%s: %d allocations, %d runs, %d failed cleanly", name, total, runs, nfail))
  end
end
for _, e in ipairs({".npy", "", ".npz", ".txt", ".csv", ".bin", ".png"}) do os.remove(tmpbase .. e) end
print(string.format("allocfail: %d passed, %d failed", pass, fail))
os.exit(fail == 0 and 0 or 1, true)   -- closed, so LeakSanitizer sees what is left
