-- SPDX-License-Identifier: MIT
-- bench/conv_crossover.lua: where correlate/convolve's FFT path overtakes
-- the direct sums on this device, to check the cost model (fft_cheaper in
-- src/core/convolve.c; its GPU constants are estimates to be measured here).
--
--   build/lunar bench/conv_crossover.lua [device] [dtype]   (default: the
--   default device, float64)
--
-- For n and m on a grid: the best of 5 wall times of method "direct",
-- "fft" and "auto" (the result read back, so a GPU has finished), and
-- whether auto picked the faster (auto/best near 1).
local lu = rawget(_G, "lunar") or require "lunar"
local dev = arg and arg[1] or lu.get_device()
local dt = arg and arg[2] or "float64"

local function best(f)
  local b = math.huge
  for _ = 1, 5 do
    local t0 = lu.clock()
    local r = f()
    r:sum():item()
    b = math.min(b, lu.clock() - t0)
  end
  return b * 1e3
end

print(("device %s, %s, full mode; times in ms"):format(dev, dt))
print(("%9s %7s %10s %10s %10s %9s %9s"):format("n", "m", "direct", "fft", "auto", "d/f", "auto/best"))
for _, n in ipairs{3000, 30000, 300000, 3000000} do
  for _, m in ipairs{8, 16, 32, 64, 128, 256, 1024, 4096} do
    if m < n then
      local a = (lu.random.rand(n, {device = dev}) * 10):astype(dt)
      local v = (lu.random.rand(m, {device = dev}) * 10):astype(dt)
      local td = best(function() return lu.convolve(a, v, {method = "direct"}) end)
      local tf = best(function() return lu.convolve(a, v, {method = "fft"}) end)
      local ta = best(function() return lu.convolve(a, v) end)
      print(("%9d %7d %10.3f %10.3f %10.3f %9.2f %9.2f"):format(n, m, td, tf, ta, td / tf,
                                                             ta / math.min(td, tf)))
    end
  end
end
