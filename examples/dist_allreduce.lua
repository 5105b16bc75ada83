-- SPDX-License-Identifier: MIT
-- Bus bandwidth of lunar.dist.all_reduce over sizes, printed as nccl-tests'
-- all_reduce_perf prints it (out-of-place and in-place columns; busbw =
-- algbw * 2(n-1)/n, the figure to compare with the link's bandwidth).
--   lunar -n 2 examples/dist_allreduce.lua [min_bytes [max_bytes [dtype]]]
--   mpirun -n 2 lunar examples/dist_allreduce.lua 1K 64M
-- Sizes double from min (default 1K) to max (default 1G on a GPU, 64M on
-- the CPU); LUNAR_BENCH_ITERS sets the timed iterations (default 20,
-- fewer above 256 MiB), after 5 warm-up calls.
local lu = lunar
local d = lu.dist

local function bytes_of(s, dflt)
  if s == nil then return dflt end
  local n, u = tostring(s):match("^(%d+)([KMG]?)$")
  assert(n, "a size is a number with an optional K, M or G: " .. tostring(s))
  return math.tointeger(n * ({[""] = 1, K = 1024, M = 1024 ^ 2, G = 1024 ^ 3})[u])
end

d.init{check = false}          -- the agreement check would add a round trip per call
local rank, n = d.rank(), d.size()
local dev = lu.get_device()
local gpu = dev:match("^cuda") ~= nil
local dtype = arg[3] or "float32"
local esize = lu.dtype(dtype).itemsize or lu.finfo(dtype).bits // 8
local lo = bytes_of(arg[1], 1024)
local hi = bytes_of(arg[2], gpu and 1024 ^ 3 or 64 * 1024 ^ 2)
local iters0 = tonumber(os.getenv("LUNAR_BENCH_ITERS")) or 20

local function sync()
  if gpu then lu.synchronize() end
end

if rank == 0 then
  print(string.format("# lunar.dist all_reduce: %d ranks, backend %s, %s, dtype %s", n,
                      d.backend(), dev, dtype))
  print("#                                              out-of-place                       in-place")
  print("#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong")
  print("#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)")
end

local size = lo
while size <= hi do
  local count = size // esize
  local iters = size > 256 * 1024 ^ 2 and math.max(5, iters0 // 4) or iters0
  local src = lu.ones({count}, dtype)
  local dst = lu.zeros({count}, dtype)
  local inpl = lu.zeros({count}, dtype)
  local res = {}
  for _, mode in ipairs{"out", "in"} do
    local function once()
      if mode == "out" then d.all_reduce(src, {out = dst}) else d.all_reduce(inpl) end
    end
    for _ = 1, 5 do once() end
    sync()
    d.barrier()
    local t0 = lu.clock()
    for _ = 1, iters do once() end
    sync()
    local t = (lu.clock() - t0) / iters
    -- out-of-place: every element is n (the sum of n ones); in place: 0
    local want = mode == "out" and n or 0
    local wrong = (mode == "out" and dst or inpl):ne(want):sum():item()
    local algbw = size / t / 1e9
    res[#res + 1] = string.format("%9.1f  %6.2f  %6.2f  %5d", t * 1e6, algbw,
                                  algbw * 2 * (n - 1) / n, wrong)
  end
  if rank == 0 then
    print(string.format("%12d  %12d  %8s     sum      -1  %s  %s", size, count, dtype, res[1], res[2]))
  end
  src, dst, inpl = nil, nil, nil
  collectgarbage()
  size = size * 2
end
d.finalize()
