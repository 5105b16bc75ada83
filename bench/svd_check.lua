-- SPDX-License-Identifier: MIT
-- bench/svd_check.lua: the accuracy of float32 SVDs on a GPU (issue 9: the
-- bench's svd2048_f32 row was off by 5.7e-4 of the singular values' scale,
-- lunar's gesvdj and PyTorch's alike). The matrix is the bench's kind (a
-- centred uniform n x n); each line is a float32 route against the float64
-- singular values of the same float32 data: max |s - s64| / max s64, and
-- for the vectors the residual max |U diag(s) V^T - A| / max |A|, and the
-- time of one call. Run it under LUNAR_SVD=gesvdp, gesvd and gesvdj.
--
--   build/lunar bench/svd_check.lua [device] [n]
local lu = rawget(_G, "lunar") or require "lunar"
local dev = arg and arg[1] or lu.get_device()
local n = math.tointeger(tonumber(arg and arg[2] or "2048"))
local L = lu.linalg

local function sync() if dev:match("^cuda") then lu.cuda.synchronize() end end
local function timed(f)
  f(); sync()
  local t0 = lu.clock()
  local a, b, c = f()
  sync()
  return (lu.clock() - t0) * 1e3, a, b, c
end

local a32 = (lu.sin(lu.arange(n * n, {device = dev}) * 12.9898) * 43758.5453 % 1 - 0.5)
            :reshape(n, n):astype("float32")
local a64 = a32:astype("float64")
local s64 = L.svdvals(a64)
local scale = s64:max():item()
local function err(s) return ((s:astype("float64") - s64):abs():max():item()) / scale end

print(("device %s, %d x %d, LUNAR_SVD=%s; errors relative to the largest value"):format(
  dev, n, n, os.getenv("LUNAR_SVD") or "(default)"))
local t, s = timed(function() return L.svdvals(a32) end)
print(("svdvals float32 (gesvd, no vectors)   %.2e   %8.1f ms"):format(err(s), t))
local t2, u, sv, vh = timed(function() return L.svd(a32) end)
local back = (u * sv:reshape(1, n)):matmul(vh):astype("float64")
local res = (back - a64):abs():max():item() / a64:abs():max():item()
print(("svd float32 with vectors              %.2e   %8.1f ms   residual %.2e"):format(err(sv), t2, res))
local t3, _, s2 = timed(function() return L.svd(a64) end)
print(("svd float64 with vectors              %.2e   %8.1f ms"):format(err(s2), t3))
