-- SPDX-License-Identifier: MIT
-- bench/par_calibrate.lua [--classes a,b] [--max LOG2] [--budget MS]
--   run with lunar: build/lunar bench/par_calibrate.lua
--
-- Where threads pay off on this machine, per op class of the CPU backend's
-- pool (cpu_pool.c lu_cpu_par_min; issue 14). For each class it times one
-- op at sizes 2^10 .. 2^MAX (float64) in two child processes: one with the
-- pool held to the calling thread (LUNAR_NUM_THREADS=1) and one with every
-- thread and no threshold (LUNAR_PAR_MIN=0). It prints one row per size
-- and, per class, the crossover: the smallest size from which the threaded
-- time is at most 0.9 of the single thread's at that size and every larger
-- one (">max" when none). That is the value for LUNAR_PAR_MIN / the
-- defaults in cpu_pool.c. The times are the best of 5 batches of about
-- BUDGET/5 ms each (default 40 ms per size and side), so a busy machine
-- shows through as noise, not as a shift. The classes and their ops:
--   ewise   add(a, b, out=o)          (cheap elementwise)
--   trans   exp(a, out=o)             (transcendental elementwise)
--   reduce  a:sum()
--   fft     fft.fft of an (n/256, 256) array along its rows
--   index   take(a, idx) with n random positions
-- Environment: LUNAR (the binary for the children; default arg[-1], else
-- build/lunar).
local lu = require "lunar"

local opts = {classes = "ewise,trans,reduce,fft,index", max = 22, budget = 40}
local child
local i = 1
while arg[i] do
  local a = arg[i]
  if a == "--child" then child = arg[i + 1]; i = i + 1
  elseif a == "--classes" then opts.classes = arg[i + 1]; i = i + 1
  elseif a == "--max" then opts.max = tonumber(arg[i + 1]); i = i + 1
  elseif a == "--budget" then opts.budget = tonumber(arg[i + 1]); i = i + 1
  else error("par_calibrate.lua: unknown argument '" .. a .. "'") end
  i = i + 1
end
if not opts.max or opts.max < 11 or opts.max > 28 then
  error("par_calibrate.lua: --max must be a log2 size in 11..28, got " .. tostring(opts.max))
end
if not opts.budget or opts.budget <= 0 then
  error("par_calibrate.lua: --budget must be positive milliseconds, got " .. tostring(opts.budget))
end

-- the op of a class at size n: a function to time (arrays made once)
local function setup(cls, n)
  if cls == "ewise" then
    local a, b, o = lu.random.rand(n), lu.random.rand(n), lu.empty(n)
    return function() lu.add(a, b, {out = o}) end
  elseif cls == "trans" then
    local a, o = lu.random.rand(n), lu.empty(n)
    return function() lu.exp(a, {out = o}) end
  elseif cls == "reduce" then
    local a = lu.random.rand(n)
    return function() return a:sum() end
  elseif cls == "fft" then
    local a = lu.random.rand(n // 256, 256)
    return function() return lu.fft.fft(a) end
  elseif cls == "index" then
    local a = lu.random.rand(n)
    local idx = lu.random.randint(1, n + 1, {n})   -- positions are 1-based
    return function() return lu.take(a, idx) end
  end
  error("par_calibrate.lua: unknown class '" .. tostring(cls) .. "'")
end

if child then
  -- one side: "n microseconds" per size
  for k = 10, opts.max do
    local n = 1 << k
    local f = setup(child, n)
    f()
    local t0 = lu.clock()
    local reps = 0
    repeat f(); reps = reps + 1 until lu.clock() - t0 > 0.002
    local per = (lu.clock() - t0) / reps
    local batch = math.max(1, math.floor(opts.budget / 5 / 1000 / per))
    local best = math.huge
    for _ = 1, 5 do
      local t = lu.clock()
      for _ = 1, batch do f() end
      best = math.min(best, (lu.clock() - t) / batch)
    end
    io.write(string.format("%d %.3f\n", n, best * 1e6))
    io.flush()
  end
  os.exit(0)
end

local bin = os.getenv("LUNAR") or arg[-1] or "build/lunar"
local script = arg[0]
local function side(cls, env)
  local cmd = string.format("env LUNAR_DEVICE=cpu %s %q %q --child %s --max %d --budget %g",
    env, bin, script, cls, opts.max, opts.budget)
  local p = assert(io.popen(cmd))
  local t = {}
  for line in p:lines() do
    local n, us = line:match("^(%d+) ([%d.]+)$")
    if n then t[tonumber(n)] = tonumber(us) end
  end
  assert(p:close(), "par_calibrate.lua: child failed: " .. cmd)
  return t
end

local f = io.open("/proc/loadavg")
local load = f and f:read("l") or "?"
if f then f:close() end
local h = io.popen("nproc")
local cores = h and h:read("l") or "?"
if h then h:close() end
print(string.format("par_calibrate: %s cores (nproc), LUNAR_NUM_THREADS=%s, load %s", cores,
  os.getenv("LUNAR_NUM_THREADS") or "unset", load))
print("| class | n | 1 thread us | all threads us | ratio |")
print("|---|---|---|---|---|")
local summary = {}
for cls in opts.classes:gmatch("[^,]+") do
  local one = side(cls, "LUNAR_NUM_THREADS=1")
  local all = side(cls, "LUNAR_PAR_MIN=0")
  local cross
  for k = opts.max, 10, -1 do
    local n = 1 << k
    if one[n] and all[n] and all[n] <= 0.9 * one[n] then cross = n else break end
  end
  for k = 10, opts.max do
    local n = 1 << k
    if one[n] and all[n] then
      print(string.format("| %s | %d | %.1f | %.1f | %.2f |", cls, n, one[n], all[n], all[n] / one[n]))
    end
  end
  summary[#summary + 1] = string.format("%s=%s", cls, cross and tostring(cross) or ">" .. (1 << opts.max))
end
print("crossover (threads from): " .. table.concat(summary, " "))
print("as LUNAR_PAR_MIN: " .. table.concat(summary, ","):gsub(">%d+", "999999999999"))
