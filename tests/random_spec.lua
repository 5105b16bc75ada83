-- SPDX-License-Identifier: MIT
-- random.seed, random.rand, random.randn: shapes, dtypes, ranges, moments.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of

for _, dev in ipairs(lu.devices()) do
describe("random on " .. dev, function()
  local old
  before_each(function() old = lu.get_device(); lu.set_device(dev) end)
  after_each(function() lu.set_device(old) end)

  it("rand: shapes and dtypes", function()
    local a = lu.random.rand(3, 4)
    assert.are.same({3, 4}, a.shape)
    assert.are.equal("float64", a.dtype)
    assert.are.equal(dev, a.device)
    assert.are.same({2, 5}, lu.random.rand{2, 5}.shape)
    local f = lu.random.rand(6, "float32")
    assert.are.equal("float32", f.dtype)
    assert.are.same({6}, f.shape)
    assert.are.same({2, 2}, lu.random.randn(2, 2).shape)
    assert.are.equal("float32", lu.random.randn(3, "float32").dtype)
    assert.are.equal("float64", lu.random.randn(3).dtype)
  end)
  it("rand is in [0, 1)", function()
    local a = lu.random.rand(100000)
    assert.is_true(a:min():item() >= 0)
    assert.is_true(a:max():item() < 1)
    local f = lu.random.rand(100000, "float32")
    assert.is_true(f:min():item() >= 0)
    assert.is_true(f:max():item() < 1)
  end)
  it("rand of 1e6: mean 1/2, std 1/sqrt(12)", function()
    local a = lu.random.rand(1000000)
    assert.is_true(math.abs(a:mean():item() - 0.5) < 0.003)
    assert.is_true(math.abs(a:std():item() - 0.28867513459481287) < 0.003)
  end)
  it("randn of 1e6: mean 0, std 1", function()
    local a = lu.random.randn(1000000)
    assert.is_true(math.abs(a:mean():item()) < 0.01)
    assert.is_true(math.abs(a:std():item() - 1) < 0.01)
    local f = lu.random.randn(1000000, "float32")
    assert.is_true(math.abs(f:mean():item()) < 0.01)
    assert.is_true(math.abs(f:std():item() - 1) < 0.01)
  end)
  it("values are not all equal", function()
    local a = lu.random.rand(100)
    assert.is_true(a:max():item() > a:min():item())
  end)
  it("seed makes sequences reproducible", function()
    lu.random.seed(42)
    local x = lu.random.rand(10)
    local y = lu.random.randn(10)
    lu.random.seed(42)
    local x2 = lu.random.rand(10)
    local y2 = lu.random.randn(10)
    assert.is_true(lu.array_equal(x, x2))
    assert.is_true(lu.array_equal(y, y2))
    lu.random.seed(43)
    assert.is_false(lu.array_equal(x, lu.random.rand(10)))
  end)
  it("successive calls differ", function()
    lu.random.seed(1)
    assert.is_false(lu.array_equal(lu.random.rand(10), lu.random.rand(10)))
  end)
  it("other dtypes are an error", function()
    assert.is_string(err_of(lu.random.rand, 3, "int32"))
    assert.is_string(err_of(lu.random.randn, 3, "bool"))
  end)
end)
end

-- {===== Generator (lunar.random.default_rng)
local REF = require "tests.random.ref"
-- the seeds of the distribution cases: SEED0 + case number (LUNAR_RANDOM_SEED
-- picks another base, to look at other draws)
local SEED0 = math.tointeger(tonumber(os.getenv("LUNAR_RANDOM_SEED") or "")) or 1000

-- chi-square statistic of the draws x against a case of tests/random/ref.lua
local function chi2_of(c, x)
  local e = lu.array(c.edges, {dtype = "float64", device = x.device})
  local bin = lu.searchsorted(e, x:astype("float64"), {side = "right"})   -- 1 .. #edges + 1
  local counts = lu.bincount(bin, {minlength = #c.probs + 1}):to("cpu"):totable()
  local s = 0
  for i, p in ipairs(c.probs) do
    local ex = c.n * p
    s = s + (counts[i + 1] - ex) ^ 2 / ex
  end
  return s
end

-- Pearson's statistic of the position x value counts of the r rows of p,
-- each a permutation of 0 .. k-1 (an r x k integer array), scaled by
-- (k - 1) / k. For one uniform permutation the indicators Y_iv = [value v
-- at position i] - 1/k have variance (k-1)/k^2, covariance -1/k^2 within a
-- row or a column and 1/(k^2 (k-1)) elsewhere: that is 1/(k-1) times the
-- projection onto the (k-1)^2-dimensional tables whose rows and columns sum
-- to 0. Over r permutations the statistic is therefore k/(k-1) times a
-- chi-square with (k-1)^2 degrees, asymptotically; scaled, it is that chi-square.
local function perm_chi2(p)
  local r, k = p.shape[1], p.shape[2]
  local cell = p:astype("int64") + lu.arange(k, {device = p.device, dtype = "int64"}) * k
  local counts = lu.bincount(cell:reshape(-1), {minlength = k * k}):to("cpu"):totable()
  local ex, s = r / k, 0
  for i = 1, k * k do s = s + (counts[i] - ex) ^ 2 / ex end
  return s * (k - 1) / k
end

-- chi-square statistic of the first values of rows 2i-1 and 2i of p (r x k
-- permutations of 0 .. k-1) over the k^2 pairs: independent uniform rows make
-- every pair equally likely (a multinomial: k^2 - 1 degrees)
local function pairs_chi2(p)
  local r, k = p.shape[1], p.shape[2]
  local h = r // 2
  local first = p[{{}, 1}]:astype("int64")
  local cell = first[{{1, 2 * h - 1, 2}}] * k + first[{{2, 2 * h, 2}}]
  local counts = lu.bincount(cell, {minlength = k * k}):to("cpu"):totable()
  local ex, s = h / (k * k), 0
  for i = 1, k * k do s = s + (counts[i] - ex) ^ 2 / ex end
  return s
end

-- chi-square statistic of the r rows of p (permutations of 0 .. k-1) over
-- the k! permutations: each equally likely (a multinomial: k! - 1 degrees).
-- This sees what position x value counts cannot, such as random rotations
local function perms_chi2(p)
  local r, k = p.shape[1], p.shape[2]
  local w = {}
  for j = 1, k do w[j] = k ^ (j - 1) // 1 end
  local code = (p:astype("int64") * lu.array(w, {device = p.device, dtype = "int64"})):sum{axis = 2}
  local counts = lu.bincount(code, {minlength = k ^ k // 1}):to("cpu"):totable()
  local nperm = 1
  for j = 2, k do nperm = nperm * j end
  local ex, s, seen = r / nperm, 0, 0
  for c = 0, k ^ k // 1 - 1 do
    local used, d, ok = {}, c, true
    for _ = 1, k do
      local v = d % k
      if used[v] then ok = false break end
      used[v], d = true, d // k
    end
    if ok then
      s, seen = s + (counts[c + 1] - ex) ^ 2 / ex, seen + 1
    end
  end
  assert(seen == nperm)
  return s
end

-- one permutation x of 0 .. N-1 (any shape, N a multiple of b): the b x b
-- table of (position block, value block) counts; its margins are fixed (N/b
-- each), so Pearson's statistic is a contingency table's: (b-1)^2 degrees
local function blocks_chi2(x, b)
  local flat = x:reshape(-1):astype("int64")
  local N = flat.size
  local w = N // b
  local pos = lu.arange(N, {device = x.device, dtype = "int64"}) // w
  local counts = lu.bincount(pos * b + flat // w, {minlength = b * b}):to("cpu"):totable()
  local ex, s = N / (b * b), 0
  for i = 1, b * b do s = s + (counts[i] - ex) ^ 2 / ex end
  return s
end

for _, dev in ipairs(lu.devices()) do
describe("Generator distributions on " .. dev, function()
  -- one fixed seed per case; a correct sampler fails a case's chi-square
  -- test with probability 1e-7, its mean test with about 1e-7 (5.33
  -- standard errors) and its variance test less often still
  for i, c in ipairs(REF) do
    it(c.label .. ": chi-square, mean and variance of 10^6 draws", function()
      local g = lu.random.default_rng(SEED0 + i, {device = dev})
      local args = {table.unpack(c.args)}
      local opts = {size = c.n}
      for k, v in pairs(c.opts or {}) do opts[k] = v end
      args[#args + 1] = opts
      local x = g[c.method](g, table.unpack(args))
      assert.are.same({c.n}, x.shape)
      assert.are.equal(dev, x.device)
      if c.opts and c.opts.dtype then assert.are.equal(c.opts.dtype, x.dtype) end
      if c.discrete then assert.are.equal("int64", x.dtype) end
      local s = chi2_of(c, x)
      assert(s < c.chi2max, ("%s: chi-square %.2f over %d bins, limit %.2f")
        :format(c.label, s, #c.probs, c.chi2max))
      if c.mean then
        local x64 = x:astype("float64")
        local m = x64:mean():item()
        local sd = math.sqrt((c.var or x64:var():item()) / c.n)
        assert(math.abs(m - c.mean) < 5.33 * sd, ("%s: mean %.6g, expected %.6g +- %.3g")
          :format(c.label, m, c.mean, 5.33 * sd))
        if c.var then
          local v = x64:var():item()
          local m4 = ((x64 - m) ^ 4):mean():item()
          local se = math.sqrt(math.max(m4 - v * v, 0) / c.n)
          assert(math.abs(v - c.var) < 6 * se + 1e-12 * c.var,
            ("%s: variance %.6g, expected %.6g +- %.3g"):format(c.label, v, c.var, 6 * se))
        end
      end
    end)
  end

  it("multinomial: each count is binomial, the counts sum to n", function()
    local g = lu.random.default_rng(7, {device = dev})
    local x = g:multinomial(20, {0.2, 0.3, 0.5}, 100000)
    assert.are.same({100000, 3}, x.shape)
    assert.are.equal("int64", x.dtype)
    assert.is_true(lu.all(x:sum{axis = 2}:eq(20)):item())
    local m = x:astype("float64"):mean{axis = 1}:to("cpu"):totable()
    -- mean n p_k, standard error sqrt(n p (1 - p) / 1e5)
    for k, p in ipairs{0.2, 0.3, 0.5} do
      local se = math.sqrt(20 * p * (1 - p) / 100000)
      assert(math.abs(m[k] - 20 * p) < 5.33 * se, ("category %d: mean %.5f"):format(k, m[k]))
    end
  end)

  it("bit_generator: raw words of the Generator's own stream", function()
    local g = lu.random.default_rng(11, {device = dev})
    local bg = g.bit_generator
    assert.are.equal(bg, g.bit_generator)
    assert.are.equal(g, lu.random.Generator(bg))
    local x = bg:random_raw(100000)
    assert.are.equal("uint64", x.dtype)
    assert.are.same({100000}, x.shape)
    assert.are.equal(dev, x.device)
    -- each bit is 1 half of the time: 64 * 10^5 bits, 5 standard errors
    local w = x:astype("int64")
    local ones = 0
    for b = 0, 63 do
      ones = ones + lu.bitwise_and(lu.right_shift(w, b), 1):sum():item()
    end
    local n = 64 * 100000
    assert(math.abs(ones - n / 2) < 5 * math.sqrt(n / 4), ("%d ones of %d bits"):format(ones, n))
    -- the stream is the Generator's: a second Generator at the same seed
    -- gives the same words and the same later draws
    local h = lu.random.default_rng(11, {device = dev})
    local y = h.bit_generator:random_raw(100000)
    assert.is_true(lu.array_equal(x, y))
    assert.are.equal(g:random(), h:random())
    assert.are.same(g:state(), bg:state())
    local one = lu.random.Philox(3, {device = dev}):random_raw()
    assert.are.equal("integer", math.type(one))
    assert.are.equal(one, lu.random.Philox(3, {device = dev}):random_raw())
    assert.is_nil(bg:random_raw(4, false))
    assert.are.equal("lunar.random.Generator: bad argument #1 (a BitGenerator expected, got a Generator)",
                     err_of(lu.random.Generator, g))
    assert.are.equal("BitGenerator.random_raw: bad argument #3 (unknown option 'bogus')",
                     err_of(bg.random_raw, bg, 2, true, {bogus = 1}))
  end)

  it("multivariate_hypergeometric: counts sum to nsample, hypergeometric marginals", function()
    -- colors {10, 20, 30}, nsample 15: mean 15 c/60, variance
    -- 15 p (1 - p) (60 - 15) / (60 - 1) with p = c/60 (by hand)
    for mi, method in ipairs{"marginals", "count"} do
      local g = lu.random.default_rng(20 + mi, {device = dev})
      local n = 200000
      local x = g:multivariate_hypergeometric({10, 20, 30}, 15, n, method)
      assert.are.same({n, 3}, x.shape)
      assert.are.equal("int64", x.dtype)
      assert.are.equal(dev, x.device)
      assert.is_true(lu.all(x:sum{axis = 2}:eq(15)):item())
      assert.is_true(lu.all(x:ge(0)):item())
      assert.is_true(lu.all(x:le(lu.array({10, 20, 30}, {device = dev}))):item())
      local xf = x:astype("float64")
      local m, var = xf:mean{axis = 1}:to("cpu"):totable(), xf:var{axis = 1}:to("cpu"):totable()
      for k, c in ipairs{10, 20, 30} do
        local p = c / 60
        local v = 15 * p * (1 - p) * 45 / 59
        local se = math.sqrt(v / n)
        assert(math.abs(m[k] - 15 * p) < 5.33 * se, ("%s color %d: mean %.5f"):format(method, k, m[k]))
        assert(math.abs(var[k] - v) < 0.03 * v, ("%s color %d: variance %.5f, expected %.5f"):format(
          method, k, var[k], v))
      end
    end
  end)

  it("multivariate_hypergeometric: shapes, fixed cases, arguments and NumPy's errors", function()
    local g = lu.random.default_rng(5, {device = dev})
    -- every item drawn: the colors themselves; a color of 0 never drawn
    assert.are.same({5, 0, 3}, g:multivariate_hypergeometric({5, 0, 3}, 8):to("cpu"):totable())
    assert.are.same({5, 0, 3}, g:multivariate_hypergeometric({5, 0, 3}, 8, {method = "count"}):to("cpu"):totable())
    assert.are.same({0, 0}, g:multivariate_hypergeometric({4, 2}, 0):to("cpu"):totable())
    assert.are.same({2, 3, 2}, g:multivariate_hypergeometric({1, 2}, 2, {2, 3}).shape)
    assert.are.same({2, 3, 2}, g:multivariate_hypergeometric({1, 2}, 2, {size = {2, 3}, method = "count"}).shape)
    assert.are.same({3, 0}, g:multivariate_hypergeometric({}, 0, 3).shape)
    assert.are.same({0, 2}, g:multivariate_hypergeometric({1, 2}, 2, 0).shape)
    local u = g:multivariate_hypergeometric(lu.array({3, 4}, {dtype = "uint8", device = dev}), 7)
    assert.are.same({3, 4}, u:to("cpu"):totable())
    assert.are.same({1, 1}, g:multivariate_hypergeometric({true, 1}, 2):to("cpu"):totable())
    -- the same seed, the same draws
    local a = lu.random.default_rng(9, {device = dev}):multivariate_hypergeometric({7, 8, 9}, 10, 50)
    local b = lu.random.default_rng(9, {device = dev}):multivariate_hypergeometric({7, 8, 9}, 10, 50)
    assert.is_true(lu.array_equal(a, b))
    local f = "Generator.multivariate_hypergeometric: "
    local bad = f .. "colors must be a one-dimensional sequence of nonnegative integers" ..
                " not exceeding 9223372036854775807."
    assert.are.equal(bad, err_of(g.multivariate_hypergeometric, g, {1, 2, -1}, 2))
    assert.are.equal(bad, err_of(g.multivariate_hypergeometric, g, {1.5, 2}, 1))
    assert.are.equal(bad, err_of(g.multivariate_hypergeometric, g, {{1, 2}}, 1))
    assert.are.equal(bad, err_of(g.multivariate_hypergeometric, g, lu.array({1.0, 2.0}), 1))
    assert.are.equal(f .. "nsample must be nonnegative.", err_of(g.multivariate_hypergeometric, g, {1, 2}, -1))
    assert.are.equal(f .. "nsample must be an integer", err_of(g.multivariate_hypergeometric, g, {1, 2}, 1.5))
    assert.are.equal(f .. "nsample > sum(colors)", err_of(g.multivariate_hypergeometric, g, {1, 2}, 4))
    assert.are.equal(f .. 'method must be "count" or "marginals".',
                     err_of(g.multivariate_hypergeometric, g, {1, 2}, 2, nil, "x"))
    assert.are.equal(f .. 'When method is "marginals", sum(colors) must be less than 1000000000.',
                     err_of(g.multivariate_hypergeometric, g, {10^9, 1}, 2))
    assert.are.equal(f .. "sum(colors) must not exceed the maximum value of a 64 bit signed integer" ..
                     " (9223372036854775807)", err_of(g.multivariate_hypergeometric, g, {2^62, 2^62}, 3))
    assert.matches("sum%(colors%) must be at most 67108864",
                   err_of(g.multivariate_hypergeometric, g, {2^26, 1}, 3, {method = "count"}))
    assert.are.equal(f .. "bad argument #3 (unknown option 'bogus')",
                     err_of(g.multivariate_hypergeometric, g, {1, 2}, 2, {bogus = 1}))
  end)

  it("dirichlet: rows sum to 1, components have the beta means", function()
    local g = lu.random.default_rng(8, {device = dev})
    local x = g:dirichlet({1, 2, 3}, 100000)
    assert.are.same({100000, 3}, x.shape)
    local s = x:sum{axis = 2}
    assert.is_true(lu.allclose(s, lu.ones(100000, {device = dev})))
    local m = x:mean{axis = 1}:to("cpu"):totable()
    for k, a in ipairs{1, 2, 3} do
      local p = a / 6
      local se = math.sqrt(p * (1 - p) / 7 / 100000)     -- var of Beta(a, 6 - a)
      assert(math.abs(m[k] - p) < 5.33 * se, ("component %d: mean %.5f"):format(k, m[k]))
    end
  end)

  it("multivariate_normal: the mean vector and covariance matrix of 10^6 draws", function()
    local n = 1000000
    local mu = {1, -2, 0.5}
    local S = {{4, 1.2, -0.8}, {1.2, 2, 0.3}, {-0.8, 0.3, 1}}     -- positive definite, not diagonal
    for mi, method in ipairs{"svd", "eigh", "cholesky"} do
      local g = lu.random.default_rng(9 + 100 * (mi - 1), {device = dev})
      local x = g:multivariate_normal(mu, S, n, {method = method})
      assert.are.same({n, 3}, x.shape)
      assert.are.equal("float64", x.dtype)
      local m = x:mean{axis = 1}
      local c = x - m
      local cov = (lu.matmul(c.T, c) / n):to("cpu"):totable()
      m = m:to("cpu"):totable()
      for i = 1, 3 do
        -- the mean of n draws of N(mu_i, S_ii): standard error sqrt(S_ii / n)
        local se = math.sqrt(S[i][i] / n)
        assert(math.abs(m[i] - mu[i]) < 5.33 * se, ("%s: mean[%d] %.5f, expected %g +- %.3g")
          :format(method, i, m[i], mu[i], 5.33 * se))
        for j = 1, 3 do
          -- the sample covariance is the mean of n products (x_i - mu_i)(x_j - mu_j);
          -- for a normal pair, E[(x_i - mu_i)^2 (x_j - mu_j)^2] = S_ii S_jj + 2 S_ij^2
          -- (Isserlis), so a product's variance is S_ii S_jj + S_ij^2 (2 S_ii^2 on
          -- the diagonal); centring at the sample mean changes it by O(1/n).
          -- 5.33 standard errors: two-sided P = 1e-7 for each of the 9 entries
          local se2 = math.sqrt((S[i][i] * S[j][j] + S[i][j] ^ 2) / n)
          assert(math.abs(cov[i][j] - S[i][j]) < 5.33 * se2, ("%s: cov[%d][%d] %.5f, expected %g +- %.3g")
            :format(method, i, j, cov[i][j], S[i][j], 5.33 * se2))
        end
      end
    end
  end)

  it("choice with p: the categories' frequencies (chi-square)", function()
    local g = lu.random.default_rng(10, {device = dev})
    local p = {0.1, 0.2, 0.3, 0.4}
    local x = g:choice(4, 1000000, true, p)
    local counts = lu.bincount(x, {minlength = 4}):to("cpu"):totable()
    local s = 0
    for k = 1, 4 do s = s + (counts[k] - 1e6 * p[k]) ^ 2 / (1e6 * p[k]) end
    assert(s < 35.5, ("chi-square %.2f"):format(s))     -- 3 degrees: P = 1e-7 at 35.41
  end)

  it("permutations are uniform: where the first element lands (chi-square)", function()
    local g = lu.random.default_rng(11, {device = dev})
    local rows = lu.broadcast_to(lu.arange(10, {device = dev}), {100000, 10})
    local x = g:permuted(rows, {axis = 2})
    assert.is_true(lu.all(lu.sort(x, 2):eq(rows)):item())
    local pos = lu.argmin(x, 2)          -- 1-based position of the 0
    local counts = lu.bincount(pos, {minlength = 11}):to("cpu"):totable()
    local s = 0
    for k = 2, 11 do s = s + (counts[k] - 1e4) ^ 2 / 1e4 end
    assert(s < 50.2, ("chi-square %.2f"):format(s))     -- 9 degrees: P = 1e-7 at 50.17
  end)

  -- thresholds, chi-square upper points at P = 1e-7 (scipy.stats.chi2.isf):
  -- 16 degrees 64.23, 24 degrees 78.64, 81 degrees 165.31, 119 degrees 217.23,
  -- 255 degrees 390.24
  -- p: rows that are each a permutation of 0..4 (rows: 0..4). Each
  -- position gets each value 1/5 of the time, neighbouring rows are
  -- independent (`pairs`: what the neighbours are), and the 120
  -- permutations are equally likely.
  local function permutation_laws(name, p, rows, pairs)
    assert.is_true(lu.all(lu.sort(p, 2):eq(rows)):item(), name)
    local s = perm_chi2(p)
    assert(s < 64.3, ("%s: chi-square %.2f over 16 degrees, limit 64.3"):format(name, s))
    local q = pairs_chi2(p)
    assert(q < 78.7, ("%s: %s, chi-square %.2f over 24 degrees, limit 78.7"):format(name, pairs, q))
    local t = perms_chi2(p)
    assert(t < 217.3, ("%s: chi-square %.2f over the 120 permutations (119 degrees), limit 217.3"):format(name, t))
  end

  it("shuffle: each position receives each value 1/5 of the time (chi-square)", function()
    local g = lu.random.default_rng(12, {device = dev})
    local k, r = 5, 4000
    local x = lu.arange(k, {device = dev})
    -- 2-d: along axis 1 the rows move whole, along axis 2 the columns
    local y = lu.stack({lu.arange(k, {device = dev}), lu.arange(k, {device = dev}) + 10}, 2)   -- k x 2
    local z = lu.stack{lu.arange(k, {device = dev}), lu.arange(k, {device = dev}) + 10}        -- 2 x k
    local xs, ys, zs = {}, {}, {}
    for i = 1, r do
      g:shuffle(x)
      g:shuffle(y)
      g:shuffle(z, 2)
      xs[i], ys[i], zs[i] = x:copy(), y:copy(), z:copy()
    end
    local Y, Z = lu.stack(ys), lu.stack(zs)           -- r x k x 2, r x 2 x k
    assert.is_true(lu.all((Y[{{}, {}, 2}] - Y[{{}, {}, 1}]):eq(10)):item())
    assert.is_true(lu.all((Z[{{}, 2, {}}] - Z[{{}, 1, {}}]):eq(10)):item())
    local rows = lu.arange(k, {device = dev, dtype = "int64"})
    for _, case in ipairs{{"1-d", lu.stack(xs)}, {"axis 1", Y[{{}, {}, 1}]}, {"axis 2", Z[{{}, 1, {}}]}} do
      -- x is shuffled in place again and again: successive states are
      -- independent; the 120 permutations come about 33 times each
      permutation_laws("shuffle " .. case[1], case[2], rows, "successive calls")
    end
    -- one long array: where each block of values goes
    local big = lu.arange(1000000, {device = dev})
    g:shuffle(big)
    local s = blocks_chi2(big, 10)
    assert(s < 165.4, ("shuffle of 10^6: chi-square %.2f over 81 degrees, limit 165.4"):format(s))
  end)

  it("permuted: each slice along either axis is its own uniform permutation (chi-square)", function()
    local g = lu.random.default_rng(13, {device = dev})
    local k, r = 5, 20000
    local base = lu.arange(k, {device = dev})
    local rows = lu.arange(k, {device = dev, dtype = "int64"})
    local cases = {
      {"axis 2", g:permuted(lu.broadcast_to(base, {r, k}), 2)},
      {"axis -1", g:permuted(lu.broadcast_to(base, {r, k}), -1)},
      {"axis 1", g:permuted(lu.broadcast_to(base:reshape(k, 1), {k, r}), 1).T},
      {"axis 2 of 3-d", g:permuted(lu.broadcast_to(base:reshape(1, k, 1), {100, k, 200}), 2)
                          :transpose(1, 3, 2):reshape(r, k)},
    }
    for _, case in ipairs(cases) do
      assert.are.same({r, k}, case[2].shape)
      -- neighbouring slices are independent (not one permutation for all);
      -- the 120 permutations come about 167 times each
      permutation_laws("permuted " .. case[1], case[2], rows, "pairs of slices")
    end
    -- no axis: the flattened array as one permutation
    local x = g:permuted(lu.arange(1000000, {device = dev}):reshape(1000, 1000))
    assert.are.same({1000, 1000}, x.shape)
    local s = blocks_chi2(x, 10)
    assert(s < 165.4, ("permuted, no axis: chi-square %.2f over 81 degrees, limit 165.4"):format(s))
  end)

  it("bytes: the length, and uniform independent byte values (chi-square over 256 bins)", function()
    local g = lu.random.default_rng(14, {device = dev})
    for _, len in ipairs{0, 1, 3, 4, 5, 4095, 4096, 4097, 10001} do
      local b = g:bytes(len)
      assert.are.equal("string", type(b))
      assert.are.equal(len, #b)
    end
    local n = 1000000
    local b = g:bytes(n)
    assert.are.equal(n, #b)
    local c, c2 = {}, {}
    for v = 0, 255 do c[v], c2[v] = 0, 0 end
    for i = 1, n, 2 do
      local u, v = b:byte(i, i + 1)
      c[u], c[v] = c[u] + 1, c[v] + 1
      local w = (u >> 4) * 16 + (v >> 4)      -- the high nibbles of a pair of neighbours
      c2[w] = c2[w] + 1
    end
    local s, s2 = 0, 0
    for v = 0, 255 do
      s = s + (c[v] - n / 256) ^ 2 / (n / 256)
      s2 = s2 + (c2[v] - n / 512) ^ 2 / (n / 512)
    end
    assert(s < 390.3, ("bytes: chi-square %.2f over 255 degrees, limit 390.3"):format(s))
    assert(s2 < 390.3, ("bytes: neighbouring pairs, chi-square %.2f over 255 degrees, limit 390.3"):format(s2))
  end)
end)
end

for _, dev in ipairs(lu.devices()) do
describe("Generator on " .. dev, function()
  local A = h.on(dev)

  it("same seed, same numbers; the state saves and restores", function()
    local g1 = lu.random.default_rng(5, {device = dev})
    local g2 = lu.random.default_rng(5, {device = dev})
    assert.is_true(lu.array_equal(g1:random(1000), g2:random(1000)))
    assert.is_true(lu.array_equal(g1:poisson(4, 1000), g2:poisson(4, 1000)))
    local st = g1:state()
    assert.are.equal("Philox", st.bit_generator)
    assert.are.equal(5, st.seed)
    local a = g1:normal(0, 1, 100)
    local b = g1:integers(0, 100, 50)
    g1:set_state(st)
    assert.is_true(lu.array_equal(a, g1:normal(0, 1, 100)))
    assert.is_true(lu.array_equal(b, g1:integers(0, 100, 50)))
    -- the state is a plain table: it survives a copy by hand
    local t = {bit_generator = st.bit_generator, seed = st.seed, offset = st.offset}
    local g3 = lu.random.default_rng(99, {device = dev}):set_state(t)
    assert.is_true(lu.array_equal(a, g3:normal(0, 1, 100)))
    assert.are.equal(dev, g3:normal(0, 1, 2).device)   -- a state without a device keeps g3's
    assert.is_false(lu.array_equal(a, lu.random.default_rng(6, {device = dev}):normal(0, 1, 100)))
  end)

  it("a value depends on its position only, not on how the calls were split", function()
    local g = lu.random.default_rng(21, {device = dev})
    local whole = g:random(12)
    g = lu.random.default_rng(21, {device = dev})
    local a, b = g:random(5), g:random(7)
    -- calls start at multiples of 4 elements (the stream's block)
    assert.are.same(h.flat(whole[{{1, 5}}]), h.flat(a))
    assert.are.same(h.flat(lu.random.default_rng(21, {device = dev}):jumped(0):random(12)), h.flat(whole))
    local x = lu.random.default_rng(3, {device = dev}):gamma(2.5, 1, {size = {4, 5}})
    local y = lu.random.default_rng(3, {device = dev}):gamma(2.5, 1, 20)
    assert.are.same(h.flat(x:reshape(20)), h.flat(y))
    assert.is_false(lu.array_equal(b, whole[{{6, 12}}]))
  end)

  it("spawn and jumped give other streams", function()
    local g = lu.random.default_rng(1, {device = dev})
    local kids = g:spawn(2)
    assert.are.equal(2, #kids)
    local a, b, c = kids[1]:random(100), kids[2]:random(100), g:random(100)
    assert.is_false(lu.array_equal(a, b))
    assert.is_false(lu.array_equal(a, c))
    local kids2 = g:spawn(1)          -- new children each time
    assert.is_false(lu.array_equal(kids2[1]:random(100), a))
    local j = lu.random.default_rng(1, {device = dev}):jumped()
    assert.is_false(lu.array_equal(j:random(100), lu.random.default_rng(1, {device = dev}):random(100)))
    assert.is_true(j:state().offset == (1 << 58) + 100)
  end)

  it("sizes, scalars, dtypes and out=", function()
    local g = lu.random.default_rng(2, {device = dev})
    assert.are.equal("number", type(g:random()))
    assert.are.equal("number", type(g:poisson(3)))
    assert.are.equal("integer", math.type(g:integers(5)))
    assert.are.same({2, 3}, g:standard_normal{2, 3}.shape)
    assert.are.same({2, 3}, g:standard_normal({2, 3}, "float32").shape)
    assert.are.equal("float32", g:random(4, "float32").dtype)
    assert.are.equal("float32", g:standard_exponential(4, {dtype = "float32"}).dtype)
    -- NumPy's positional order: size, dtype, method, out
    local se = g:standard_exponential(3, "float64", "inv")
    assert.are.same({3}, se.shape)
    assert.is_true(se:min():item() > 0)
    local so = lu.zeros(2, {device = dev})
    assert.are.equal(so, g:standard_exponential(nil, "float64", "zig", so))
    assert.are.equal("Generator.standard_exponential: method must be 'zig' or 'inv', got ziggurat",
                     h.err_of(g.standard_exponential, g, 3, "float64", "ziggurat"))
    assert.are.equal("float32", g:standard_gamma(2, 4, "float32").dtype)
    assert.are.same({0}, g:normal(0, 1, 0).shape)
    local o = lu.zeros({3, 2}, {device = dev})
    assert.are.equal(o, g:random{out = o})
    assert.is_true(o:min():item() > 0 or o:max():item() > 0)
    -- array parameters broadcast
    local x = g:normal(A{0, 100, 1000}, 1e-3)
    assert.are.same({3}, x.shape)
    local t = h.flat(x)
    assert.is_true(math.abs(t[2] - 100) < 1 and math.abs(t[3] - 1000) < 1)
    assert.are.same({2, 3}, g:poisson(A{1, 2, 3}, {2, 3}).shape)
    local u = h.flat(g:integers(A{0, 10, 100}, A{1, 11, 101}))
    assert.are.same({0, 10, 100}, u)
    -- array bounds give the values that the same scalar bounds give
    for _, range in ipairs{ 1000, 3 << 30, 1 << 40 } do
      local a = lu.random.default_rng(31):integers(-4, range - 4, 1003)
      local b = lu.random.default_rng(31):integers(lu.full(1003, -4, {dtype = "int64"}), range - 4)
      assert.is_true(lu.array_equal(a, b), "range " .. range)
    end
    for _, dt in ipairs{"int8", "uint8", "int16", "int32", "uint32", "bool"} do
      local r = g:integers(0, 2, 100, dt)
      assert.are.equal(dt, r.dtype)
    end
    local r = h.flat(g:integers(-3, 3, 2000, {endpoint = true}))
    local seen = {}
    for _, v in ipairs(r) do seen[v] = true end
    for v = -3, 3 do assert.is_true(seen[v], "value " .. v) end
    assert.is_nil(seen[4])
    assert.are.equal(16, #g:bytes(16))
  end)

  it("choice, permutation, shuffle, permuted", function()
    local g = lu.random.default_rng(4, {device = dev})
    local p = h.flat(g:permutation(10))
    table.sort(p)
    assert.are.same({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, p)
    local m = A{{1, 2}, {3, 4}, {5, 6}}
    local pm = g:permutation(m)
    assert.are.same({3, 2}, pm.shape)
    assert.is_true(lu.array_equal(lu.sort(pm:sum(2)), A{3, 7, 11}))
    local x = lu.arange(20, {device = dev})
    g:shuffle(x)
    assert.is_false(lu.array_equal(x, lu.arange(20, {device = dev})))
    assert.is_true(lu.array_equal(lu.sort(x), lu.arange(20, {device = dev})))
    local c = h.flat(g:choice(A{10, 20, 30, 40, 50}, 5, false))
    table.sort(c)
    assert.are.same({10, 20, 30, 40, 50}, c)
    assert.are.same({2, 3}, g:choice(7, {2, 3}).shape)
    local s = g:choice(A{{1, 2}, {3, 4}}, 4, {axis = 2})
    assert.are.same({2, 4}, s.shape)
    local w = h.flat(g:choice(5, 3, false, {0, 0.5, 0, 0.25, 0.25}))
    table.sort(w)
    assert.are.same({1, 3, 4}, w)
    assert.are.equal("number", type(g:choice(A{1.5, 2.5})))
  end)

  it("errors name the method and the argument", function()
    local g = lu.random.default_rng(0, {device = dev})
    assert.are.equal("Generator.normal: scale < 0", err_of(g.normal, g, 0, -1))
    assert.are.equal("Generator.poisson: lam < 0, lam is NaN or lam value too large", err_of(g.poisson, g, -1))
    assert.are.equal("Generator.binomial: p < 0, p > 1 or p is NaN", err_of(g.binomial, g, 10, 1.5))
    assert.are.equal("Generator.binomial: n < 0", err_of(g.binomial, g, -1, 0.5))
    assert.are.equal("Generator.gamma: shape < 0", err_of(g.gamma, g, A{1, -1}))
    assert.are.equal("Generator.zipf: a <= 1 or a is NaN", err_of(g.zipf, g, 1))
    assert.are.equal("Generator.triangular: left > mode", err_of(g.triangular, g, 2, 1, 3))
    assert.are.equal("Generator.hypergeometric: ngood + nbad < nsample", err_of(g.hypergeometric, g, 2, 3, 6))
    assert.are.equal("Generator.integers: low >= high", err_of(g.integers, g, 5, 5))
    assert.are.equal("Generator.integers: high is out of bounds for int8", err_of(g.integers, g, 0, 300, 4, "int8"))
    -- array bounds reach the sampler as int64: NaN, fractions and 2^63 are refused first
    assert.are.equal("Generator.integers: low must be integers", err_of(g.integers, g, A{0 / 0}, 5))
    assert.are.equal("Generator.integers: high must be integers", err_of(g.integers, g, 0, A{2.5}))
    assert.are.equal("Generator.integers: high is out of bounds for int64", err_of(g.integers, g, 0, A{2 ^ 63}))
    assert.are.equal("Generator.random: dtype must be float32 or float64, got int32", err_of(g.random, g, 3, "int32"))
    assert.are.equal("Generator.normal: bad argument #4 (unexpected argument)", err_of(g.normal, g, 0, 1, 3, 4))
    assert.are.equal("Generator.normal: bad argument #1 (unknown option 'sigma')", err_of(g.normal, g, {sigma = 1}))
    assert.are.equal("Generator.choice: Cannot take a larger sample than population when replace is False",
      err_of(g.choice, g, 3, 4, false))
    assert.are.equal("Generator.choice: probabilities do not sum to 1", err_of(g.choice, g, 3, 2, true, {0.5, 0.2, 0.2}))
    assert.are.equal("Generator.set_state: state is not a Philox state (bit_generator = nil)", err_of(g.set_state, g, {}))
    assert.are.equal("lunar.random.default_rng: seed must be a non-negative integer, got -1",
      err_of(lu.random.default_rng, -1))
    assert.are.equal("Generator.normal: shape mismatch: the parameters cannot be broadcast to size {2}",
      err_of(g.normal, g, A{1, 2, 3}, 1, 2))
    assert.are.equal("Generator.normal: self must be a Generator (call it as g:normal(...))",
      err_of(g.normal, 0, 1))
    -- the generator is still usable
    assert.are.same({3}, g:random(3).shape)
  end)
end)
end

-- the values of t, then opts
local function args_with(t, opts)
  local r = {table.unpack(t)}
  r[#r + 1] = opts
  return table.unpack(r)
end

describe("Generator streams across devices", function()
  -- the CPU is the reference: integers and uniforms bit for bit, the rest
  -- within a few ulp (a discrete value may move by one where a uniform
  -- falls within an ulp of a boundary: rarely)
  -- (with no GPU here the CPU is compared with itself: the test's own code runs)
  local gpus = #h.gpus() > 0 and h.gpus() or {"cpu"}
  for _, gpu in ipairs(gpus) do
    it("cpu and " .. gpu .. " give the same numbers", function()
      local function both(f)
        local a = f(lu.random.default_rng(77, {device = "cpu"}))
        local b = f(lu.random.default_rng(77, {device = gpu}))
        return a, b:to("cpu")
      end
      for _, f in ipairs{
        function(g) return g:integers(-1000, 1000, 100003) end,
        function(g) return g:integers(0, 1 << 40, 1003) end,
        function(g) return g:random(100003) end,
        function(g) return g:random(100003, "float32") end,
        function(g) g:random(3); return g:integers(0, 7, 1001) end,   -- an unaligned offset
        function(g) return g:integers(0, 3 << 30, 100003) end,        -- a word in four rejected
        function(g) return g:integers(lu.zeros(1001, {dtype = "int64"}), 3 << 30) end,   -- the row form
      } do
        local a, b = both(f)
        assert.is_true(lu.array_equal(a, b))
      end
      for _, m in ipairs{ {"standard_normal", {}}, {"gamma", {0.7, 2}}, {"beta", {0.5, 3}},
                          {"standard_t", {4}}, {"vonmises", {1, 3}}, {"lognormal", {0, 1}},
                          {"wald", {1, 2}}, {"noncentral_chisquare", {0.5, 1}} } do
        local a, b = both(function(g) return g[m[1]](g, args_with(m[2], {size = 100000})) end)
        -- 1e-9: the ulps of log, acos... grow where a transform is steep
        assert(lu.allclose(a, b, {rtol = 1e-9, atol = 1e-12}), m[1] .. " differs")
      end
      for _, m in ipairs{ {"poisson", {3.5}}, {"poisson", {500}}, {"binomial", {1000, 0.3}},
                          {"hypergeometric", {50, 60, 40}}, {"zipf", {2}}, {"logseries", {0.9}},
                          {"negative_binomial", {3, 0.4}}, {"geometric", {0.1}} } do
        local a, b = both(function(g) return g[m[1]](g, args_with(m[2], {size = 100000})) end)
        local diff = lu.count_nonzero(a:ne(b)):item()
        assert(diff <= 10, ("%s: %d of 100000 differ"):format(m[1], diff))
      end
    end)
  end
end)

describe("lunar.random module functions", function()
  it("go through the default Generator, whose stream is seed/rand/randn's", function()
    lu.random.seed(12)
    local a = lu.random.rand(5)
    local b = lu.random.random_sample(5)
    lu.random.seed(12)
    local g = lu.random.default_rng(12)
    assert.is_true(lu.array_equal(a, g:random(5)))
    assert.is_true(lu.array_equal(b, g:random(5)))
    lu.random.seed(12)
    assert.is_true(lu.array_equal(a, lu.random.random_sample{5}))
    local r = lu.random.randint(3, 9, 1000)
    assert.are.equal("int64", r.dtype)
    assert.is_true(r:min():item() >= 3 and r:max():item() < 9)
    assert.are.same({4}, lu.random.uniform(1, 2, 4).shape)
    assert.are.same({4}, lu.random.normal(1, 2, 4).shape)
    assert.are.same({2}, lu.random.choice(5, 2).shape)
    assert.are.same({6}, lu.random.permutation(6).shape)
    local st = lu.random.get_state()
    local u = lu.random.ranf(3)
    lu.random.set_state(st)
    assert.is_true(lu.array_equal(u, lu.random.sample(3)))
    local ri = lu.random.random_integers(1, 3, 300)
    assert.are.equal(1, ri:min():item())
    assert.are.equal(3, ri:max():item())
    local x = lu.arange(8)
    lu.random.shuffle(x)
    assert.is_true(lu.array_equal(lu.sort(x), lu.arange(8)))
  end)
end)
-- }=====
