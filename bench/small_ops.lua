-- SPDX-License-Identifier: MIT
-- bench/small_ops.lua: where the time of a small op goes (issue 10's
-- "independent 1000-element op, eager: <= 3 us"). Each line is one way of
-- doing the 1000-element float32 add of bench.lua's small_add row (or a
-- part of it), timed as the median of 7 loops of ITERS ops each (the loop
-- synchronised at its end), with lunar.stats() per op for the last loop.
--
--   build/lunar bench/small_ops.lua [device] [N] [ITERS]
local lu = rawget(_G, "lunar") or require "lunar"
local dev = arg and arg[1] or lu.get_device()
local n = math.tointeger(tonumber(arg and arg[2] or "1000"))
local iters = math.tointeger(tonumber(arg and arg[3] or "20000"))
local cuda = dev:match("^cuda") ~= nil

local function sync() if cuda then lu.cuda.synchronize() end end

local function per_op(f)
  for _ = 1, 200 do f() end
  sync(); collectgarbage()
  local ts = {}
  for l = 1, 7 do
    if l == 7 then lu.stats("reset") end
    local t0 = lu.clock()
    for _ = 1, iters do f() end
    sync()
    ts[l] = (lu.clock() - t0) * 1e6 / iters
    collectgarbage()
  end
  local st = lu.stats()
  table.sort(ts)
  return ts[4], st
end

local x = lu.random.rand(n, {device = dev, dtype = "float32"})
local y = lu.random.rand(n, {device = dev, dtype = "float32"})
local z = lu.empty(n, {device = dev, dtype = "float32"})
local rows = {
  {"x + y (bench's small_add)", function() local _ = x + y end},
  {"lu.add(x, y)", function() local _ = lu.add(x, y) end},
  {"lu.add(x, y, {out = z}) (no allocation)", function() lu.add(x, y, {out = z}) end},
  {"lu.empty(n) (allocation only)", function() local _ = lu.empty(n, {device = dev, dtype = "float32"}) end},
  {"x:copy()", function() local _ = x:copy() end},
  {"x.shape (binding only)", function() local _ = x.shape end},
}
if cuda then
  local k = lu.RawKernel([[
extern "C" __global__ void add1k(const float* a, const float* b, float* c, int n) {
  int i = blockDim.x * blockIdx.x + threadIdx.x;
  if (i < n) c[i] = a[i] + b[i];
}]], "add1k")
  rows[#rows + 1] = {"RawKernel add into z (user launch)", function() k({(n + 255) // 256}, {256}, {x, y, z, n}) end}
  local ek = lu.ElementwiseKernel("T x, T y", "T z", "z = x + y", "ek_add")
  rows[#rows + 1] = {"ElementwiseKernel x + y", function() local _ = ek(x, y) end}
end
print(("%s, n = %d, %d ops a loop, median of 7 loops"):format(dev, n, iters))
for _, r in ipairs(rows) do
  local t, st = per_op(r[2])
  print(("%-44s %7.2f us/op | per op: %.2f launches, %.2f allocs, %.3f syncs, %.2f fused, %.2f deferred")
        :format(r[1], t, st.launches / iters, st.allocs / iters, st.syncs / iters,
                st.fused / iters, st.deferred / iters))
end
lu.set_fusion(false)
local t, st = per_op(rows[1][2])
print(("%-44s %7.2f us/op | per op: %.2f launches, %.2f allocs, %.3f syncs")
      :format("x + y, fusion off", t, st.launches / iters, st.allocs / iters, st.syncs / iters))
