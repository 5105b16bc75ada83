-- SPDX-License-Identifier: MIT
-- bench/bench.lua: lunar's half of the side-by-side benchmark (issue 3).
--
--   build/lunar bench/bench.lua [--device cuda|cpu] [--quick|--tiny] [--json out.json]
--                               [--only key,key] [--reps N]
--
-- Runs the workloads of issue 3 and writes one JSON object: per workload the
-- median time, its spread, the bytes or flops it must move or do, and a
-- checksum of its result. bench/peers.py runs the same workloads, on the same
-- deterministic inputs, in CuPy, PyTorch and NumPy; bench/compare.py puts the
-- two side by side. Keep the two files in step: keys, sizes, data, checks.

local lu = rawget(_G, "lunar") or require "lunar"

-- {===== command line
local opts = { device = nil, quick = false, json = nil, only = nil, reps = nil }
do
  local i = 1
  while arg and arg[i] do
    local a = arg[i]
    if a == "--device" then opts.device = arg[i + 1]; i = i + 1
    elseif a == "--quick" then opts.quick = true
    elseif a == "--tiny" then opts.tiny = true
    elseif a == "--json" then opts.json = arg[i + 1]; i = i + 1
    elseif a == "--only" then opts.only = arg[i + 1]; i = i + 1
    elseif a == "--reps" then opts.reps = tonumber(arg[i + 1]); i = i + 1
    else error("bench.lua: unknown argument " .. tostring(a)) end
    i = i + 1
  end
end

local function log(...)
  io.stderr:write(string.format(...), "\n")
  io.stderr:flush()
end

if opts.device then
  local want = opts.device
  if want == "cuda" and not (lu.cuda and lu.cuda.is_available and lu.cuda.is_available()) then
    error("bench.lua: --device cuda but lunar sees no usable GPU")
  end
  lu.set_device(want)
end
local dev = lu.get_device()
local MODE = dev:match("^cuda") and "cuda" or "cpu"
-- }=====

-- {===== sizes (the same table is in peers.py)
-- GPU: issue 3's sizes. CPU: issue 3's CPU figures (10^7 elements, 2000x2000).
-- quick: a smoke test of the script itself, not a measurement.
local SIZES
-- la: the linalg workloads (issue 9): solve/inv order, cholesky order, svd
-- order, eigh order, and a batch of small matrices (count, order)
if opts.tiny then -- for testing the scripts themselves (a mock lunar, slow machines)
  SIZES = { n = 20000, rows = 100, cols = 200, mm = { 48, 64 }, rand = 20000,
            small = 1000, small_iters = 200, small_loops = 3, xfer = 20000, reps = 10,
            la = { solve = 32, chol = 32, svd = 16, eigh = 32, batch = 100, bn = 8 },
            queries = 20000, ein = { b = 2, n = 32 }, fft = { c = 1 << 10, r = 1 << 12, n2 = 64 },
            conv = { n = 4096, m = 512 } }
elseif opts.quick then
  SIZES = { n = 1000000, rows = 1000, cols = 1000, mm = { 256, 512 }, rand = 1000000,
            small = 1000, small_iters = 2000, small_loops = 3, xfer = 1000000, reps = 10,
            la = { solve = 256, chol = 256, svd = 128, eigh = 256, batch = 1000, bn = 8 },
            queries = 1000000, ein = { b = 4, n = 256 }, fft = { c = 1 << 16, r = 1 << 18, n2 = 512 },
            conv = { n = 1 << 16, m = 1 << 12 } }
elseif MODE == "cuda" then
  SIZES = { n = 100000000, rows = 10000, cols = 10000, mm = { 1000, 4096 }, rand = 100000000,
            small = 1000, small_iters = 20000, small_loops = 10, xfer = 100000000, reps = 15,
            la = { solve = 4096, chol = 8192, svd = 2048, eigh = 4096, batch = 100000, bn = 8 },
            queries = 10000000, ein = { b = 64, n = 512 },
            fft = { c = 1 << 24, r = 1 << 26, n2 = 4096 }, conv = { n = 1 << 22, m = 1 << 20 } }
else
  SIZES = { n = 10000000, rows = 3162, cols = 3162, mm = { 2000 }, rand = 10000000,
            small = 1000, small_iters = 20000, small_loops = 10, xfer = 0, reps = 10,
            la = { solve = 2000, chol = 2000, svd = 500, eigh = 1000, batch = 10000, bn = 8 },
            queries = 10000000, ein = { b = 38, n = 512 },
            fft = { c = 1 << 20, r = 1 << 22, n2 = 1024 }, conv = { n = 200000, m = 20000 } }
end
if opts.reps then SIZES.reps = math.max(opts.reps, 1) end
local WARM = 3
-- }=====

-- {===== deterministic inputs (bit-identical in every system)
-- u = h / P with h = ((j*j mod P) * A + j * B) mod P, j = seed*100000007 + i,
-- computed in int64 and float64 (every step exact or correctly rounded), then
-- cast to the dtype. A quadratic residue sequence: looks random, needs only
-- +, *, % on int64, so lunar, NumPy, CuPy and PyTorch all make the same bits
-- and results can be compared by checksum. centered subtracts 0.5 (in float64).
local P = 2147483647
local SEEDS = {
  { 48271, 1000003 }, { 69621, 1008001 }, { 16807, 1020001 },
  { 40692, 1030001 }, { 39373, 1040003 }, { 45991, 1050011 },
}

local function close(x)
  if x ~= nil and type(x) ~= "number" and x.close then x:close() end
end

local function gen(n, seed, dtype, centered)
  local A, B = SEEDS[seed][1], SEEDS[seed][2]
  local j0 = seed * 100000007
  local j <close> = lu.arange(j0, j0 + n)
  local jj <close> = j * j
  local q <close> = jj % P
  local qa <close> = q * A
  local jb <close> = j * B
  local s <close> = qa + jb
  local h <close> = s % P
  local hf <close> = h:astype("float64")
  local u = hf / P
  if centered then
    local v = u - 0.5
    u:close(); u = v
  end
  if dtype ~= "float64" then
    local v = u:astype(dtype)
    u:close(); u = v
  end
  return u
end

local data_note = nil
-- Falls back to lunar.random when the exact generator fails (an op missing in
-- an early build): timings stay meaningful, checksums are then marked n/a.
local function input(n, seed, dtype, centered)
  local ok, r = pcall(gen, n, seed, dtype, centered)
  if ok then return r end
  data_note = "deterministic inputs failed (" .. tostring(r) .. "); used lunar.random"
  log("warning: %s", data_note)
  local x = lu.random.rand(n, dtype)
  if centered then local y = x - 0.5; x:close(); x = y end
  return x
end
-- }=====

-- {===== timing
local function sync()
  if MODE == "cuda" then lu.cuda.synchronize() end
end

local has_events = MODE == "cuda" and lu.cuda and lu.cuda.Event ~= nil
local ev0, ev1
if has_events then
  local ok, e = pcall(lu.cuda.Event)
  if ok then ev0, ev1 = e, lu.cuda.Event() else has_events = false end
end

local function summarize(ts)
  local s = {}
  for i, t in ipairs(ts) do s[i] = t end
  table.sort(s)
  local n = #s
  local med = n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
  return { ms = med, min = s[1], max = s[n], reps = n, times = ts }
end

-- One timed call of fn: CUDA events on the GPU (device time), the wall clock
-- on the CPU. The result is closed outside the timed region.
local function timed(fn)
  local out, ms
  if has_events then
    ev0:record()
    out = fn()
    ev1:record()
    ev1:synchronize()
    ms = ev0:elapsed_time(ev1)
  else
    local t0 = lu.clock()
    out = fn()
    sync()
    ms = (lu.clock() - t0) * 1000
  end
  close(out)
  return ms
end

-- Warm-up (module loads, handles, pool growth), then the median of reps.
-- A full collection between runs frees unreferenced temporaries (a*b in
-- a*b+c), which CPython frees at once by reference counting.
local function bench(fn, reps)
  for w = 1, WARM do
    local t0 = lu.clock()
    close(fn()); sync()
    -- a slow op (CPU matmul) needs two; the first call alone is no measure
    -- (a library's load: cuBLAS made the first matmul row 30% slow)
    if w > 1 and lu.clock() - t0 > 0.25 then break end
  end
  collectgarbage()
  local ts = {}
  for r = 1, reps or SIZES.reps do
    ts[r] = timed(fn)
    collectgarbage()
  end
  return summarize(ts)
end

-- Wall time of an operation that ends on the host by itself (transfers).
local function bench_wall(fn, reps)
  for _ = 1, 2 do close(fn()); sync() end
  collectgarbage()
  local ts = {}
  for r = 1, reps do
    local t0 = lu.clock()
    local out = fn()
    sync()
    ts[r] = (lu.clock() - t0) * 1000
    close(out)
    collectgarbage()
  end
  return summarize(ts)
end
-- }=====

-- {===== checksums (same definition in peers.py)
-- n, the float64 sum, the float64 sum of squares, and the values at five
-- fixed flat positions (0-based in the JSON, as in the peers).
local function positions(n)
  if n <= 1 then return { 0 } end
  return { 0, n // 7, n // 3, (2 * n) // 3, n - 1 }
end

local function checksum(x, shift)
  shift = shift or 0
  if x.ndim == 0 or x.size == 1 then
    local v = x:item() + shift
    return { n = 1, sum = v, sumsq = v * v, at = { 0 }, samples = { v } }
  end
  local n = x.size
  local flat = x:reshape(n)
  local f <close> = flat:astype("float64")
  local s <close> = f:sum()
  local sq <close> = f * f
  local s2 <close> = sq:sum()
  local at = positions(n)
  local samples = {}
  for k, p in ipairs(at) do samples[k] = f[p + 1] + shift end
  -- the sums of the shifted values: sum (x + k) = S + kn, sum (x + k)^2 = Q + 2kS + k^2 n
  local sum, sumsq = s:item(), s2:item()
  return { n = n, sum = sum + shift * n, sumsq = sumsq + 2 * shift * sum + shift * shift * n,
           at = at, samples = samples }
end
-- }=====

-- {===== the run
local rows, order = {}, {}
local function want(key)
  if not opts.only then return true end
  for k in opts.only:gmatch("[^,]+") do if k == key then return true end end
  return false
end

-- Runs one workload: timing, then a fresh result for the checksum. Any error
-- becomes the row's error and the run goes on.
local function run(key, fn, info)
  if not want(key) then return end
  info = info or {}
  local t0 = lu.clock()
  local ok, err = pcall(function()
    local r = bench(fn, info.reps)
    -- an in-place workload (add_at, a[mask] = 0) gives its checked result
    -- through info.result, run once on fresh data
    local out = info.result and info.result() or fn()
    local okc, c = pcall(checksum, out, info.shift)
    if okc then r.check = c else r.check_error = tostring(c) end
    if info.minmax then
      local ok2, mm = pcall(function()
        local lo <close> = out:min()
        local hi <close> = out:max()
        return { lo:item(), hi:item() }
      end)
      if ok2 and r.check then r.check.min, r.check.max = mm[1], mm[2] end
    end
    close(out)
    r.bytes, r.flops, r.unit = info.bytes, info.flops, info.unit or "ms"
    rows[key] = r
  end)
  if not ok then rows[key] = { error = tostring(err) } end
  order[#order + 1] = key
  collectgarbage()
  local r = rows[key]
  log("%-12s %s  (%.1f s)", key, r.error and ("ERROR " .. r.error) or string.format("%.4f ms", r.ms),
      lu.clock() - t0)
end

local N, R, C = SIZES.n, SIZES.rows, SIZES.cols
log("bench.lua: device %s, N = %d, matrix %dx%d, reps %d%s", dev, N, R, C, SIZES.reps,
    has_events and ", CUDA events" or ", wall clock")

-- Runs a section's setup and workloads; an error outside a workload (making
-- the inputs) becomes the error of each of its keys that has no row yet.
local function section(keys, fn)
  local any = false
  for _, k in ipairs(keys) do any = any or want(k) end
  if not any then return end
  local ok, err = pcall(fn)
  if not ok then
    for _, k in ipairs(keys) do
      if want(k) and not rows[k] then
        rows[k] = { error = "setup: " .. tostring(err) }
        order[#order + 1] = k
        log("%-12s ERROR setup: %s", k, tostring(err))
      end
    end
  end
  collectgarbage()
end

section({ "copy", "fma", "sqrt_exp", "sum", "max", "argmax", "concat" }, function()
  local a <close> = input(N, 1, "float32")
  local b <close> = input(N, 2, "float32")
  local c <close> = input(N, 3, "float32")
  run("copy", function() return a:copy() end, { bytes = 8 * N })
  run("fma", function() return a * b + c end, { bytes = 16 * N })
  run("sqrt_exp", function() return lu.sqrt(a * a + b * b) * lu.exp(-c) end, { bytes = 16 * N })
  run("sum", function() return a:sum() end, { bytes = 4 * N })
  run("max", function() return a:max() end, { bytes = 4 * N })
  run("argmax", function() return a:argmax() end, { bytes = 4 * N, shift = -1 })
  -- issue 7: concatenate of 4 x N/4 (contiguous quarters of the inputs)
  local Q = N // 4
  local q1, q2, q3, q4 = a[{ { 1, Q } }], b[{ { Q + 1, 2 * Q } }], c[{ { 2 * Q + 1, 3 * Q } }], a[{ { 3 * Q + 1, 4 * Q } }]
  run("concat", function() return lu.concatenate({ q1, q2, q3, q4 }) end, { bytes = 8 * 4 * Q })
end)

-- 16-bit floats and complex64 (issue 7): inputs rounded from the float32
-- ones (bfloat16 through float32 everywhere), complex64 made of two of them
for _, c in ipairs({ { "fma_f16", "float16" }, { "fma_bf16", "bfloat16" } }) do
  section({ c[1] }, function()
    local a <close> = input(N, 1, "float32"):astype(c[2])
    local b <close> = input(N, 2, "float32"):astype(c[2])
    local d <close> = input(N, 3, "float32"):astype(c[2])
    run(c[1], function() return a * b + d end, { bytes = 8 * N })
  end)
end
section({ "cmul_c64" }, function()
  local function cplx(s1, s2)
    local re <close> = input(N, s1, "float32")
    local im <close> = input(N, s2, "float32")
    local z = re:astype("complex64")
    z.imag = im
    return z
  end
  local za <close> = cplx(1, 2)
  local zb <close> = cplx(3, 4)
  run("cmul_c64", function() return za * zb end, { bytes = 24 * N })
end)

-- axis reductions and the transpose copy of a rows x cols matrix
section({ "sum_ax1", "sum_ax2", "transpose" }, function()
  local flat <close> = input(R * C, 4, "float32")
  local m = flat:reshape(R, C)
  run("sum_ax1", function() return m:sum(1) end, { bytes = 4 * R * C })
  run("sum_ax2", function() return m:sum(2) end, { bytes = 4 * R * C })
  run("transpose", function() return m.T:copy() end, { bytes = 8 * R * C })
end)

-- indexing: a gather and a scatter-add of M = N/10 positions into N
-- float32 elements, and a mask assignment over all N. The positions come
-- from the same formula as the data: h % N, 1-based here (0-based in the
-- peers). The in-place workloads are timed on a working copy and checked
-- by one run on fresh data.
local function gen_index(m, n, seed)
  local A, B = SEEDS[seed][1], SEEDS[seed][2]
  local j0 = seed * 100000007
  local j <close> = lu.arange(j0, j0 + m)
  local jj <close> = j * j
  local q <close> = jj % P
  local qa <close> = q * A
  local jb <close> = j * B
  local s <close> = qa + jb
  local h <close> = s % P
  local i0 <close> = h % n
  return i0 + 1
end

section({ "gather", "add_at", "mask_set" }, function()
  local M = N // 10
  local a <close> = input(N, 1, "float32")
  local idx <close> = gen_index(M, N, 4)
  local v <close> = input(M, 2, "float32")
  run("gather", function() return a[idx] end, { bytes = 16 * M })
  do
    local acc <close> = lu.zeros(N, "float32")
    run("add_at", function() lu.add_at(acc, idx, v) end, {
      bytes = 20 * M,
      result = function() local z = lu.zeros(N, "float32"); lu.add_at(z, idx, v); return z end })
  end
  do
    local m <close> = a:gt(0.5)
    local x <close> = a:copy()
    run("mask_set", function() x[m] = 0 end, {
      bytes = 5 * N,
      result = function() local y = a:copy(); y[m] = 0; return y end })
  end
end)

for _, dt in ipairs({ "float32", "float64" }) do -- matrix products
  for _, n in ipairs(SIZES.mm) do
    local key = string.format("mm%d_%s", n, dt == "float32" and "f32" or "f64")
    section({ key }, function()
      local fx <close> = input(n * n, 5, dt, true)
      local fy <close> = input(n * n, 6, dt, true)
      local x, y = fx:reshape(n, n), fy:reshape(n, n)
      run(key, function() return lu.matmul(x, y) end,
          { flops = 2 * n * n * n, bytes = 3 * n * n * (dt == "float32" and 4 or 8) })
    end)
  end
end

-- {===== linalg (issue 9): inputs from the same generator, made well
-- conditioned by a multiple of the identity; symmetric ones as (X + X^T)/2,
-- computed bit for bit alike in every system. Factors that are not unique
-- (singular and eigen vectors) are timed but only the values are checked.
do
  local LA = SIZES.la
  local L = lu.linalg
  local function tag(dt) return dt == "float32" and "f32" or "f64" end
  local function mat(n, seed, dt)
    return input(n * n, seed, dt, true):reshape(n, n)
  end
  local function shifted(x, n, dt)          -- x + n I
    local e <close> = lu.eye(n, { dtype = dt })
    local ne <close> = e * n
    return x + ne
  end
  local function sym(x)                     -- (x + x^T) / 2
    local t <close> = x + L.matrix_transpose(x)
    return t / 2
  end
  local slow = MODE == "cpu" and { reps = 3 } or nil
  for _, dt in ipairs({ "float64", "float32" }) do
    local n = LA.solve
    local ks, ki = ("solve%d_%s"):format(n, tag(dt)), ("inv%d_%s"):format(n, tag(dt))
    section({ ks, ki }, function()
      local x <close> = mat(n, 1, dt)
      local a <close> = shifted(x, n, dt)
      local b <close> = input(n, 2, dt, true)
      run(ks, function() return L.solve(a, b) end, slow)
      run(ki, function() return L.inv(a) end, slow)
    end)
  end
  do
    local n = LA.chol
    local key = ("chol%d_f64"):format(n)
    section({ key }, function()
      local x <close> = mat(n, 3, "float64")
      local s <close> = sym(x)
      local a <close> = shifted(s, n, "float64")
      run(key, function() return L.cholesky(a) end, slow)
    end)
  end
  do
    local n = LA.svd
    local key = ("svd%d_f32"):format(n)
    section({ key }, function()
      local x <close> = mat(n, 4, "float32")
      run(key, function()
        local u, s, vh = L.svd(x)
        u:close(); vh:close()
        return s
      end, slow)
    end)
  end
  do
    local n = LA.eigh
    local key = ("eigh%d_f64"):format(n)
    section({ key }, function()
      local x <close> = mat(n, 5, "float64")
      local s <close> = sym(x)
      run(key, function()
        local w, v = L.eigh(s)
        v:close()
        return w
      end, slow)
    end)
  end
  do
    local nb, n = LA.batch, LA.bn
    local suffix = ("%dx%d_f32"):format(nb, n)
    local keys = { "bsolve" .. suffix, "binv" .. suffix, "beigh" .. suffix }
    section(keys, function()
      local flat <close> = input(nb * n * n, 1, "float32", true)
      local x = flat:reshape(nb, n, n)
      local a <close> = shifted(x, n, "float32")
      local fb <close> = input(nb * n, 2, "float32", true)
      local b = fb:reshape(nb, n, 1)
      local s <close> = sym(x)
      run(keys[1], function() return L.solve(a, b) end)
      run(keys[2], function() return L.inv(a) end)
      run(keys[3], function()
        local w, v = L.eigh(s)
        v:close()
        return w
      end)
    end)
  end
end
collectgarbage()
-- }=====

do -- random numbers (checked by their moments, compare.py)
  local n = SIZES.rand
  run("randn", function() return lu.random.randn(n, "float32") end, { bytes = 4 * n, minmax = true })
  run("rand", function() return lu.random.rand(n, "float32") end, { bytes = 4 * n, minmax = true })
  -- issue 10's Monte Carlo call (peers.py's MC_* numbers): n normal draws,
  -- then exp, maximum and mean, which automatic fusion runs as one kernel
  -- with the reduction; checked against the Black-Scholes price (compare.py)
  do
    local S0, K, r, sig, T = 100.0, 100.0, 0.05, 0.2, 1.0
    local a, b, disc = sig * math.sqrt(T), (r - 0.5 * sig * sig) * T, math.exp(-r * T)
    run("mc_option", function()
      local z = lu.random.randn(n, "float32")
      local s = lu.exp(z * a + b) * S0
      return lu.maximum(s - K, 0):mean() * disc
    end, { bytes = 8 * n })
  end
  -- issue 9's Generator rows: normal float32 and integers [0, 1000) int64 at
  -- SIZES.rand, poisson(5) and binomial(20, 0.4) at a tenth of it
  local g = lu.random.default_rng(7)
  local m = n // 10
  run("rng_normal", function() return g:standard_normal(n, "float32") end, { bytes = 4 * n, minmax = true })
  run("rng_integers", function() return g:integers(0, 1000, n) end, { bytes = 8 * n, minmax = true })
  run("rng_poisson", function() return g:poisson(5.0, m) end, { bytes = 8 * m, minmax = true })
  run("rng_binomial", function() return g:binomial(20, 0.4, m) end, { bytes = 8 * m, minmax = true })
end
collectgarbage()

-- The sort family (issue 8): sorts, a scan, unique with counts, a
-- histogram, order statistics, a binary search. Positions are 1-based in
-- lunar (shift -1 for the checksums). The second value of unique and the
-- edges of histogram are closed; the row checks the counts.
section({ "sort", "argsort", "cumsum", "unique", "histogram", "median", "percentile" }, function()
  local a <close> = input(N, 1, "float32")
  run("sort", function() return lu.sort(a) end, { bytes = 8 * N })
  run("argsort", function() return lu.argsort(a) end, { bytes = 12 * N, shift = -1 })
  run("cumsum", function() return lu.cumsum(a) end, { bytes = 8 * N })
  local big <close> = a * 1000000
  local ints <close> = big:astype("int32")
  run("unique", function()
    local v, c = lu.unique(ints, false, false, true)
    v:close()
    return c
  end, { bytes = 8 * N })
  run("histogram", function()
    local h, e = lu.histogram(a, 256)
    e:close()
    return h
  end, { bytes = 4 * N })
  run("median", function() return lu.median(a) end, { bytes = 4 * N })
  run("percentile", function() return lu.percentile(a, 90) end, { bytes = 4 * N })
end)

section({ "sort_rows" }, function()
  local flat <close> = input(R * C, 4, "float32")
  local m = flat:reshape(R, C)
  run("sort_rows", function() return lu.sort(m) end, { bytes = 8 * R * C })
end)

section({ "searchsorted" }, function()
  local q <close> = input(SIZES.queries, 2, "float32")
  local raw <close> = input(SIZES.queries // 10, 3, "float32")
  local s <close> = lu.sort(raw)
  run("searchsorted", function() return lu.searchsorted(s, q) end,
      { bytes = 12 * SIZES.queries, shift = -1 })
end)

-- Contractions (issue 8): a batched matrix product and row-wise dot
-- products written as einsum.
section({ "einsum_bmm" }, function()
  local b, n = SIZES.ein.b, SIZES.ein.n
  local fx <close> = input(b * n * n, 5, "float32", true)
  local fy <close> = input(b * n * n, 6, "float32", true)
  local x, y = fx:reshape(b, n, n), fy:reshape(b, n, n)
  run("einsum_bmm", function() return lu.einsum("bij,bjk->bik", x, y) end,
      { flops = 2 * b * n * n * n, bytes = 12 * b * n * n })
end)

section({ "einsum_rowdot" }, function()
  local fx <close> = input(R * C, 5, "float32", true)
  local fy <close> = input(R * C, 6, "float32", true)
  local x, y = fx:reshape(R, C), fy:reshape(R, C)
  run("einsum_rowdot", function() return lu.einsum("ij,ij->i", x, y) end, { bytes = 8 * R * C })
end)

-- convolve (issue 8): the full convolution of n and m centred float64
-- values (lunar's method "auto": the FFT at these sizes; CuPy's convolve
-- chooses too, NumPy sums directly, PyTorch has no convolve: the rfft
-- product written out, as its users do)
section({ "convolve_f64" }, function()
  local c = SIZES.conv
  local a <close> = input(c.n, 1, "float64", true)
  local v <close> = input(c.m, 2, "float64", true)
  run("convolve_f64", function() return lu.convolve(a, v) end, { bytes = 8 * (2 * c.n + 2 * c.m - 1) })
end)

-- FFTs (issue 9): complex64 fft, float32 rfft, complex64 fft2 of centred
-- inputs (as peers.py makes them); checked through the magnitudes of the
-- result.
section({ "fft_c64", "rfft_f32", "fft2_c64" }, function()
  local F, FT = SIZES.fft, lu.fft
  local function cplx(n, s1, s2)
    local re <close> = input(n, s1, "float32", true)
    local im <close> = input(n, s2, "float32", true)
    local z = re:astype("complex64")
    z.imag = im
    return z
  end
  if want("fft_c64") then
    local z <close> = cplx(F.c, 1, 2)
    run("fft_c64", function() return FT.fft(z) end,
        { bytes = 16 * F.c, result = function() return lu.abs(FT.fft(z)) end })
  end
  if want("rfft_f32") then
    local x <close> = input(F.r, 3, "float32", true)
    run("rfft_f32", function() return FT.rfft(x) end,
        { bytes = 12 * F.r, result = function() return lu.abs(FT.rfft(x)) end })
  end
  if want("fft2_c64") then
    local zf <close> = cplx(F.n2 * F.n2, 4, 5)
    local z = zf:reshape(F.n2, F.n2)
    run("fft2_c64", function() return FT.fft2(z) end,
        { bytes = 16 * F.n2 * F.n2, result = function() return lu.abs(FT.fft2(z)) end })
  end
end)

-- User kernels (issue 10): CuPy's squared difference as an
-- ElementwiseKernel over N float32 elements (the result, (a - b)^2, is
-- checked like any row)
local sqdiff = lu.ElementwiseKernel("T x, T y", "T z", "z = (x - y) * (x - y)", "squared_diff")
section({ "ekernel" }, function()
  local a <close> = input(N, 1, "float32")
  local b <close> = input(N, 2, "float32")
  run("ekernel", function() return sqdiff(a, b) end, { bytes = 12 * N })
end)

-- Explicit fusion (issue 10): the fma and sqrt_exp rows through lunar.fuse
-- (one kernel each); the peers run cupy.fuse and torch.compile of the same
-- functions
local fuse_fma = lu.fuse(function(x, y, z) return x * y + z end)
local fuse_sqrt_exp = lu.fuse(function(x, y, z) return lu.sqrt(x * x + y * y) * lu.exp(-z) end)
section({ "fuse_fma", "fuse_sqrt_exp" }, function()
  local a <close> = input(N, 1, "float32")
  local b <close> = input(N, 2, "float32")
  local c <close> = input(N, 3, "float32")
  run("fuse_fma", function() return fuse_fma(a, b, c) end, { bytes = 16 * N })
  run("fuse_sqrt_exp", function() return fuse_sqrt_exp(a, b, c) end, { bytes = 16 * N })
end)

-- Several reductions of one array (issue 10: "the elementwise part and its
-- trailing reductions"): sum, sum of squares and max of N float32 values,
-- as three calls ("stats", automatic fusion only) and through lunar.fuse
-- ("fuse_stats", one kernel over chunks of the array, then the partials);
-- the peers run the three calls, and cupy.fuse and torch.compile of the
-- same function. The checked result is the three values in one array.
local fuse_stats = lu.fuse(function(x) return x:sum(), (x * x):sum(), x:max() end)
local function three(s, q, m)
  local r = lu.concatenate({ s:reshape(1), q:reshape(1), m:reshape(1) })
  close(s); close(q); close(m)
  return r
end
section({ "stats", "fuse_stats" }, function()
  local a <close> = input(N, 1, "float32")
  run("stats", function()
    local s, q, m = a:sum(), (a * a):sum(), a:max()
    close(q); close(m)
    return s
  end, { bytes = 4 * N, result = function() return three(a:sum(), (a * a):sum(), a:max()) end })
  run("fuse_stats", function()
    local s, q, m = fuse_stats(a)
    close(q); close(m)
    return s
  end, { bytes = 4 * N, result = function() return three(fuse_stats(a)) end })
end)

-- Softmax over the rows of an R x C float32 matrix written as the
-- expression (issue 10): with automatic fusion the max, the exp with the
-- sum, and the division run as three kernels; PyTorch's column is its
-- fused torch.softmax
section({ "softmax" }, function()
  local xf <close> = input(R * C, 1, "float32")
  local x = xf:reshape(R, C)
  run("softmax", function()
    local e = lu.exp(x - x:max(2, true))
    return e / e:sum(2, true)
  end, { bytes = 8 * R * C })
end)

-- The end of a per-op row (small ops, loops): its error if it failed, its
-- place in the table, its log line.
local function finish_us_row(key, ok, err)
  if not ok then rows[key] = { error = tostring(err) } end
  order[#order + 1] = key
  log("%-12s %s", key, rows[key].error and ("ERROR " .. rows[key].error)
      or string.format("%.2f us/op", rows[key].ms * 1000))
  collectgarbage()
end

-- Many small launches: wall time per op over a loop, synchronised at the
-- end: a 1000-element add, and the same size through the ElementwiseKernel.
local function small(key, op)
  if not want(key) then return end
  local ok, err = pcall(function()
    local sa <close> = input(SIZES.small, 5, "float32")
    local sb <close> = input(SIZES.small, 6, "float32")
    local iters = SIZES.small_iters
    for _ = 1, 200 do local _ = op(sa, sb) end
    sync(); collectgarbage()
    local ts = {}
    for l = 1, SIZES.small_loops do
      local t0 = lu.clock()
      for _ = 1, iters do local _ = op(sa, sb) end
      sync()
      ts[l] = (lu.clock() - t0) * 1000 / iters
      collectgarbage()
    end
    local r = summarize(ts)
    local out <close> = op(sa, sb)
    r.check = checksum(out)
    r.unit, r.iters = "us/op", iters
    rows[key] = r
  end)
  finish_us_row(key, ok, err)
end
small("small_add", function(x, y) return x + y end)
small("small_ekernel", function(x, y) return sqdiff(x, y) end)

-- The dependent loop of issue 10, x = x * 0.999 + 0.001 on SIZES.small
-- float32 elements for 10^4 steps (fewer in the quick sizes), wall time per
-- step (two elementwise ops): "loop" eagerly, "loop_graph" as replays of a
-- lunar.cuda.graph of LOOP_STEPS steps written back into x (with automatic
-- fusion inside the graph; peers.py: CuPy's cupy.cuda.Graph and
-- torch.cuda.graphs of the steps in place). Checked on x after all the steps.
local LOOP_STEPS = 100
local function loop(key, graph)
  if not want(key) then return end
  local iters = math.max(LOOP_STEPS, math.min(SIZES.small_iters, 10000) // LOOP_STEPS * LOOP_STEPS)
  local ok, err = pcall(function()
    local x0 <close> = input(SIZES.small, 5, "float32")
    local run_all, reset
    if not graph then
      run_all = function()
        local x = x0
        for _ = 1, iters do x = x * 0.999 + 0.001 end
        return x
      end
    else
      local x = x0:copy()
      -- the steps as one expression chain, which automatic fusion runs
      -- inside the graph as a few kernels, written back into x
      local g = lu.cuda.graph(function()
        local y = x
        for _ = 1, LOOP_STEPS do y = y * 0.999 + 0.001 end
        lu.copyto(x, y)
      end)
      reset = function() lu.copyto(x, x0) end
      run_all = function()
        for _ = 1, iters // LOOP_STEPS do g() end
        return x
      end
    end
    run_all(); sync(); collectgarbage()
    local ts = {}
    for l = 1, SIZES.small_loops do
      if reset then reset() end
      sync()
      local t0 = lu.clock()
      run_all()
      sync()
      ts[l] = (lu.clock() - t0) * 1000 / iters
      collectgarbage()
    end
    local r = summarize(ts)
    if reset then reset() end
    r.check = checksum(run_all())
    r.unit, r.iters = "us/op", iters
    rows[key] = r
  end)
  finish_us_row(key, ok, err)
end
loop("loop", false)
if MODE == "cuda" then loop("loop_graph", true) end

-- Host <-> device transfers of one float32 array, as wall time to completion.
-- h2d, d2h: a new array each call, closed and collected between calls (the
-- pinned block it had is then reused). d2h_new: `h = d:to("cpu")` as users
-- write it, never closed, no collectgarbage (the old h's are freed when
-- the collector runs; issue 14). d2h_into: into one host array made once,
-- `lunar.copyto(h, d)` (peers: cupy.asnumpy(d, out=) into pinned memory,
-- PyTorch's h.copy_(t) into a pinned tensor). The GPU only: on the CPU
-- there is nothing to transfer and the rows are left out.
local XFER = { "h2d", "d2h", "d2h_new", "d2h_into" }
local function want_any(keys)
  for _, k in ipairs(keys) do if want(k) then return true end end
  return false
end

-- Wall times of reps calls of step(), after two warm-up calls, with nothing
-- closed or collected in between (d2h_new, d2h_into).
local function bench_loop(step, reps)
  step(); step(); sync()
  local ts = {}
  for r = 1, reps do
    local t0 = lu.clock()
    step()
    sync()
    ts[r] = (lu.clock() - t0) * 1000
  end
  return summarize(ts)
end

if MODE == "cuda" and SIZES.xfer > 0 and want_any(XFER) then
  local n = SIZES.xfer
  local okd, d = pcall(input, n, 1, "float32")
  local okh, h = false, nil
  if okd then okh, h = pcall(function() return d:to("cpu") end) end
  for _, key in ipairs(XFER) do
    if want(key) then
      local ok, err = pcall(function()
        assert(okd, d); assert(okh, h)
        local r
        if key == "d2h_new" then
          local hn
          r = bench_loop(function() hn = d:to("cpu") end, 10)
          local back <close> = hn:to("cuda")
          r.check = checksum(back)
          hn = nil
        elseif key == "d2h_into" then
          local into <close> = lu.empty(n, { dtype = "float32", device = "cpu" })
          r = bench_loop(function() lu.copyto(into, d) end, 10)
          local back <close> = into:to("cuda")
          r.check = checksum(back)
        else
          local fn = key == "h2d" and function() return h:to("cuda") end
                                   or function() return d:to("cpu") end
          r = bench_wall(fn, 10)
          local out <close> = fn()
          if key == "h2d" then
            r.check = checksum(out)
          else
            local back <close> = out:to("cuda")
            r.check = checksum(back)
          end
        end
        r.bytes, r.unit = 4 * n, "ms"
        rows[key] = r
      end)
      if not ok then rows[key] = { error = tostring(err) } end
      order[#order + 1] = key
      log("%-12s %s", key, rows[key].error and ("ERROR " .. rows[key].error)
          or string.format("%.3f ms", rows[key].ms))
      collectgarbage()
    end
  end
  if okh then close(h) end
  if okd then close(d) end
end
-- }=====

-- {===== JSON out
local function json(v, out)
  local t = type(v)
  if t == "table" then
    if #v > 0 or next(v) == nil then
      out[#out + 1] = "["
      for i, x in ipairs(v) do
        if i > 1 then out[#out + 1] = "," end
        json(x, out)
      end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = tostring(k) end
      table.sort(keys)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        json(k, out); out[#out + 1] = ":"; json(v[k], out)
      end
      out[#out + 1] = "}"
    end
  elseif t == "string" then
    out[#out + 1] = '"' .. v:gsub('[%c"\\]', function(ch)
      return string.format("\\u%04x", ch:byte())
    end) .. '"'
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then out[#out + 1] = "null"
    elseif math.type(v) == "integer" then out[#out + 1] = string.format("%d", v)
    else out[#out + 1] = string.format("%.17g", v) end
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  else
    out[#out + 1] = "null"
  end
end

local result = {
  system = "lunar", mode = MODE, device = dev, quick = opts.quick, tiny = opts.tiny, sizes = SIZES,
  timing = has_events and "cuda-events" or "wall-clock", data_note = data_note,
  version = lu.__version, rows = rows, order = order,
}
local buf = {}
json(result, buf)
local text = table.concat(buf)
if opts.json then
  local f = assert(io.open(opts.json, "w"))
  f:write(text, "\n")
  f:close()
  log("bench.lua: wrote %s", opts.json)
else
  print(text)
end
-- }=====
