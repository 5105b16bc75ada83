-- SPDX-License-Identifier: MIT
-- lunar's quickstart, after CuPy's classic introduction: two random
-- 1000x1000 matrices on the default device (the first GPU, else the CPU),
-- their product, and the result brought back to the host and printed.
--   build/lunar examples/quickstart.lua
-- LUNAR_DEVICE=cpu (or cuda:1, ...) picks another device.
local lu = rawget(_G, "lunar") or require "lunar"

local device = lu.get_device()
print("device: " .. device)

lu.random.seed(42)
local t0 = lu.clock()
local A = lu.random.rand(1000, 1000)     -- float64, uniform in [0, 1)
local B = lu.random.rand(1000, 1000)
local C = A:matmul(B)                     -- queued on the device's stream
lu.synchronize()                          -- wait for the GPU to finish
local t1 = lu.clock()

local host = C:to("cpu")                  -- like cupy.asnumpy(C)
print(host)
print(string.format("C = A @ B: shape (%d, %d), dtype %s, computed on %s",
                    host.shape[1], host.shape[2], host.dtype, C.device))
print(string.format("time: %.3f ms (random matrices, product, synchronize)",
                    (t1 - t0) * 1e3))

-- the first run pays for start-up (library handles, the memory pool); the
-- second shows the product alone
local t2 = lu.clock()
local C2 = A:matmul(B)
lu.synchronize()
print(string.format("time of the product again: %.3f ms", (lu.clock() - t2) * 1e3))
assert(lu.allclose(C2, C), "the two products differ")

-- a check anyone can read: each entry is a sum of 1000 products of
-- independent U(0,1) numbers, so the mean entry is close to 1000/4 = 250
local mean = host:mean():item()
print(string.format("mean entry: %.2f (expected about 250)", mean))
assert(math.abs(mean - 250) < 5, "the product looks wrong")
