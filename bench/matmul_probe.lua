-- SPDX-License-Identifier: MIT
-- bench/matmul_probe.lua: where a mid-size product's time goes (issue 6:
-- the before/after run of 2026-12-06 found matmul 1000 3.5-4 us slower
-- after the op-families refactor, in float32 and float64 alike, on an
-- H100). For each size: the product timed as bench.lua times it (CUDA
-- events around the call), the host's own time for the call (no wait:
-- the launch returns before the product ends), and the product into a
-- given `out` (no allocation). Median of 51, after 5 warm-ups.
--
--   build/lunar bench/matmul_probe.lua [device] [dtype]
local lu = rawget(_G, "lunar") or require "lunar"
local dev = arg and arg[1] or lu.get_device()
local dt = arg and arg[2] or "float32"
local cuda = dev:match("^cuda") ~= nil

local function median(ts)
  table.sort(ts)
  return ts[(#ts + 1) // 2]
end

local function sync() if cuda then lu.cuda.synchronize() end end

print(("device %s, %s; median of 51, us"):format(dev, dt))
print(("%-6s %12s %12s %12s"):format("n", "events", "host call", "events, out="))
for _, n in ipairs({ 64, 256, 1000, 2048 }) do
  local a = lu.random.rand(n, n, {device = dev}):astype(dt)
  local b = lu.random.rand(n, n, {device = dev}):astype(dt)
  local o = lu.empty({n, n}, {dtype = dt, device = dev})
  local e0 = cuda and lu.cuda.Event() or nil
  local e1 = cuda and lu.cuda.Event() or nil
  local ev, host, evo = {}, {}, {}
  for _ = 1, 5 do local _ = lu.matmul(a, b) end
  sync()
  for r = 1, 51 do
    if cuda then
      e0:record(); local c = lu.matmul(a, b); e1:record(); e1:synchronize()
      ev[r] = e0:elapsed_time(e1) * 1e3
      c:close()
      e0:record(); lu.matmul(a, b, o); e1:record(); e1:synchronize()
      evo[r] = e0:elapsed_time(e1) * 1e3
    else
      ev[r], evo[r] = 0 / 0, 0 / 0
    end
    sync()
    local t0 = lu.clock()
    local c = lu.matmul(a, b)
    host[r] = (lu.clock() - t0) * 1e6
    sync()
    c:close()
  end
  local function f(ts) return cuda and ("%12.1f"):format(median(ts)) or ("%12s"):format("-") end
  print(("%-6d %s %12.1f %s"):format(n, f(ev), median(host), f(evo)))
end
