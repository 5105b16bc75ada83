-- SPDX-License-Identifier: MIT
-- bench/inv_routes.lua: linalg.inv of one matrix by order and dtype on a
-- GPU, for the crossover of src/backend/cuda/linalg.c's inverse after
-- getrf (inv_trsm: a blocked trsm for L^-1, one trsm with U, a column
-- permutation) against getrs on the identity. Run it twice, the second
-- time with LUNAR_INV=getrs, and compare the columns:
--
--   build/lunar bench/inv_routes.lua [device] [orders] [dtypes]
--   (default: cuda:0, 128,256,512,1024,2048,4096, float32,float64)
--
-- Times: the median of 9 calls, each timed by CUDA events, in ms.
local lu = rawget(_G, "lunar") or require "lunar"
local dev = arg and arg[1] or "cuda:0"
local orders = arg and arg[2] or "128,256,512,1024,2048,4096"
local dtypes = arg and arg[3] or "float32,float64"

local e0, e1 = lu.cuda.Event(), lu.cuda.Event()
local function median(f)
  local ts = {}
  f():close()
  for i = 1, 9 do
    e0:record()
    local r = f()
    e1:record()
    e1:synchronize()
    ts[i] = e0:elapsed_time(e1)
    r:close()
  end
  table.sort(ts)
  return ts[5]
end

print(("linalg.inv on %s, LUNAR_INV=%s"):format(dev, os.getenv("LUNAR_INV") or "(default)"))
for dt in dtypes:gmatch("[^,]+") do
  local row = { ("%-8s"):format(dt) }
  for ns in orders:gmatch("[^,]+") do
    local n = math.tointeger(tonumber(ns))
    -- rows mixed so that partial pivoting swaps, and well conditioned
    local x <close> = lu.sin(lu.arange(n * n, {device = dev}):reshape(n, n) * 0.731 + 0.3)
    local j <close> = lu.eye(n, {device = dev}):flip(1) * (0.5 * n)
    local a <close> = (x + j):astype(dt)
    row[#row + 1] = ("%5d: %8.3f"):format(n, median(function() return lu.linalg.inv(a) end))
  end
  print(table.concat(row, "  "))
end
