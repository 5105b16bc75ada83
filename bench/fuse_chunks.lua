-- SPDX-License-Identifier: MIT
-- bench/fuse_chunks.lua: the fused statistics of bench.lua's fuse_stats row
-- (sum, sum of squares and max of one array in one kernel over chunks of
-- it, then the partials) at the chunk count LUNAR_FUSE_CHUNKS asks for
-- (the smallest divisor of N from it up to 16384; default 1024, which makes
-- 1250 chunks of 10^8: 1.2 waves of blocks on an H200). .ci/gpu/run.sh
-- probes runs it at several counts, one process each.
--
--   LUNAR_FUSE_CHUNKS=4000 build/lunar bench/fuse_chunks.lua [device] [N]
--
-- Times: the median of 21 runs, each synchronised at its end, in ms.
local lu = rawget(_G, "lunar") or require "lunar"
local dev = arg and arg[1] or lu.get_device()
local n = math.tointeger(tonumber(arg and arg[2] or "100000000"))

local function sync()
  if dev:match("^cuda") then lu.cuda.synchronize() end
end

local function median(f)
  local ts = {}
  for _ = 1, 3 do f() end
  sync()
  for i = 1, 21 do
    local t0 = lu.clock()
    f()
    sync()
    ts[i] = (lu.clock() - t0) * 1e3
  end
  table.sort(ts)
  return ts[11]
end

local a = lu.random.rand(n, {device = dev, dtype = "float32"})
local stats = lu.fuse(function(x) return x:sum(), (x * x):sum(), x:max() end)
local s, q, m = stats(a)
local s0, q0, m0 = a:sum(), (a * a):sum(), a:max()
local err = math.max(math.abs((s - s0):item() / s0:item()), math.abs((q - q0):item() / q0:item()),
                     math.abs((m - m0):item()))
local tf = median(function() stats(a) end)
local tu = median(function() local _, _, _ = a:sum(), (a * a):sum(), a:max() end)
print(string.format("%s N=%d LUNAR_FUSE_CHUNKS=%s: fused %.3f ms, three calls %.3f ms, rel. err %.1e",
                    dev, n, (os.getenv("LUNAR_FUSE_CHUNKS") or "") ~= "" and os.getenv("LUNAR_FUSE_CHUNKS") or "(1024)",
                    tf, tu, err))
