-- SPDX-License-Identifier: MIT
-- bench/la_stages.lua: where batched inv and solve of small matrices spend
-- their time (issue 9: 100000 of 8x8 float32 took 5.2x and 2.9x CuPy's
-- time, with the same cuBLAS batched routines for solve). Each stage that
-- src/core/linalg.c runs around the backend's call is timed alone, as the
-- same lunar op on arrays of the same shapes, so the table shows what the
-- checks and copies cost beside the whole call. Real matrices of order <= 32
-- go to the one-pass kernel, which needs only the work copies; with
-- LUNAR_SMALL_SOLVE=0 to cuBLAS's batched routines with the identity and the
-- NaN checks (LUNAR_BATCHED_INV=getri, the default, or matinv). eigh of
-- real matrices of order <= 32 goes to lunar's Jacobi kernel, with
-- LUNAR_SMALL_EIGH=0 to cuSOLVER's syevjBatched.
--
--   build/lunar bench/la_stages.lua [device] [batch] [n] [dtype]
--   (default: the default device, 100000, 8, float32)
--
-- Times: the median of 21 runs, each synchronised at its end, in ms.
local lu = rawget(_G, "lunar") or require "lunar"
local dev = arg and arg[1] or lu.get_device()
local batch = math.tointeger(tonumber(arg and arg[2] or "100000"))
local n = math.tointeger(tonumber(arg and arg[3] or "8"))
local dt = arg and arg[4] or "float32"

local function sync()
  if dev:match("^cuda") then lu.cuda.synchronize() end
end

local function median(f)
  local ts = {}
  for _ = 1, 3 do local _ = f() end
  sync()
  for i = 1, 21 do
    local t0 = lu.clock()
    local r = f()
    sync()
    ts[i] = (lu.clock() - t0) * 1e3
    r = nil
  end
  table.sort(ts)
  return ts[11]
end

local a = (lu.random.rand(batch, n, n, {device = dev}) + lu.eye(n, {device = dev}) * n):astype(dt)
local b = lu.random.rand(batch, n, 1, {device = dev}):astype(dt)
local s = a + a:swapaxes(-1, -2)
local rows = {
  {"a:copy() (the work copy of a)", function() return a:copy() end},
  {"b:copy() (the work copy of b)", function() return b:copy() end},
  {"a stack of identities (inv's b)",
   function() return lu.broadcast_to(lu.eye(n, {dtype = dt, device = dev}), a.shape):copy() end},
  {"NaN counts: (a ~= a):sum over each matrix",
   function() return lu.not_equal(a, a):reshape(batch, n * n):sum{axis = 2, keepdims = true} end},
  {"NaN fill: where(counts > 0, NaN, x)", function()
     local c = lu.zeros({batch, 1}, {device = dev})
     return lu.where(lu.greater(c, 0), 0 / 0, a:reshape(batch, n * n))
   end},
  {"linalg.inv(a)", function() return lu.linalg.inv(a) end},
  {"linalg.solve(a, b)", function() return lu.linalg.solve(a, b) end},
  {"linalg.eigh(a + a^T)", function() return lu.linalg.eigh(s) end},
  {"linalg.eigvalsh(a + a^T)", function() return lu.linalg.eigvalsh(s) end},
}
print(("device %s: %d of %dx%d %s; median of 21, ms"):format(dev, batch, n, n, dt))
for _, r in ipairs(rows) do
  local ok, t = pcall(median, r[2])
  print(("%-45s %s"):format(r[1], ok and ("%9.3f"):format(t) or ("ERROR " .. tostring(t))))
  collectgarbage()
end
