-- SPDX-License-Identifier: MIT
-- The random stream itself (src/core/lu_philox.h): known answers, ranges,
-- reproducibility, the split into calls, moments, and the same numbers on
-- every device.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

-- Known answer. Random123's published Philox4x32-10 vector (kat_vectors):
--   counter 00000000 00000000 00000000 00000000, key 00000000 00000000
--   -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8
-- After seed(0) the first call starts at offset 0, so its first float32
-- uniforms come from block 0 of stream tag 0 (uniform, float32): counter
-- {0, 0, 0, 0}, key {0, 0}: exactly that vector. Each value is the top 24
-- bits of a word times 2^-24:
--   0x6627e8d5 >> 8 = 0x6627e8 =  6694888 -> 6694888 / 2^24 = 0.3990464210510254
--   0xe169c58d >> 8 = 0xe169c5 = 14772677 ->                  0.8805201649665833
--   0xbc57ac4c >> 8 = 0xbc57ac = 12343212 ->                  0.7357127666473389
--   0x9b00dbd8 >> 8 = 0x9b00db = 10158299 ->                  0.6054818034172058
-- (all exact in float32 and in a Lua float)
local KAT = { 0x6627e8 / 2^24, 0xe169c5 / 2^24, 0xbc57ac / 2^24, 0x9b00db / 2^24 }

local flat = h.flat

-- Philox4x32-10 in plain Lua (Random123's rounds and constants), checked
-- against the known answer above, for the integers' words below. Lua's
-- integers wrap and >> is a logical shift, so a 32 x 32 product's high word
-- is p >> 32 even where p passes 2^63.
local function philox(c0, c1, c2, c3, k0, k1)
  local M = 0xffffffff
  for r = 1, 10 do
    if r > 1 then k0, k1 = (k0 + 0x9E3779B9) & M, (k1 + 0xBB67AE85) & M end
    local p0, p1 = 0xD2511F53 * c0, 0xCD9E8D57 * c2
    c0, c1, c2, c3 = ((p1 >> 32) ~ c1 ~ k0) & M, p1 & M, ((p0 >> 32) ~ c3 ~ k1) & M, p0 & M
  end
  return c0, c1, c2, c3
end

-- Generator.integers with low and range = high - low below 2^32, element
-- e of the stream under key (0, 0) (seed(0)), by hand from
-- src/core/lu_samplers.h's description: word e % 4 of block {e // 4, 0,
-- 18, 0}, Lemire's multiply (value low + (w * range) >> 32), rejected when
-- the product's low word is below 2^32 % range, and then the low words of
-- the element's own blocks {e, 0, 16, j} (c0, then c2, then block j + 1).
-- Also says whether the first word was rejected.
local function integer_at(e, low, range)
  local w = { philox(e // 4, 0, 18, 0, 0, 0) }
  local t = (1 << 32) % range
  local m = w[e % 4 + 1] * range
  local rejected = (m & 0xffffffff) < t
  local j = 0
  while (m & 0xffffffff) < t do
    local c0, _, c2 = philox(e, 0, 16, j, 0, 0)
    m = c0 * range
    if (m & 0xffffffff) >= t then break end
    m = c2 * range
    j = j + 1
  end
  return low + (m >> 32), rejected
end

local devices = lu.devices()
local has_cuda = #h.gpus() > 0

for _, dev in ipairs(devices) do
describe("random stream on " .. dev, function()
  local old
  before_each(function() old = lu.get_device(); lu.set_device(dev) end)
  after_each(function() lu.set_device(old) end)

  it("seed 0: the first float32 uniforms are Random123's known answer", function()
    lu.random.seed(0)
    local t = flat(lu.random.rand(6, "float32"))
    assert.are.same(KAT, { t[1], t[2], t[3], t[4] })
    assert.are_not.equal(KAT[1], t[5])      -- block 1 follows, not block 0 again
  end)

  for _, dt in ipairs{ "float32", "float64" } do
    it(dt .. " uniforms: in [0, 1), max < 1, mean 1/2", function()
      lu.random.seed(3)
      local a = lu.random.rand(1000003, dt)
      assert.is_true(a:min():item() >= 0)
      assert.is_true(a:max():item() < 1)
      assert.is_true(math.abs(a:mean():item() - 0.5) < 0.002)
      assert.is_true(math.abs(a:std():item() - 0.28867513459481287) < 0.002)
    end)

    it(dt .. ": the same seed gives the same stream, another seed another", function()
      lu.random.seed(1234)
      local a, n = lu.random.rand(1001, dt), lu.random.randn(999, dt)
      lu.random.seed(1234)
      assert.is_true(lu.array_equal(a, lu.random.rand(1001, dt)))
      assert.is_true(lu.array_equal(n, lu.random.randn(999, dt)))
      lu.random.seed(1235)
      assert.is_false(lu.array_equal(a, lu.random.rand(1001, dt)))
    end)

    it(dt .. ": consecutive calls differ", function()
      lu.random.seed(9)
      assert.is_false(lu.array_equal(lu.random.rand(64, dt), lu.random.rand(64, dt)))
      assert.is_false(lu.array_equal(lu.random.randn(64, dt), lu.random.randn(64, dt)))
    end)

    -- Offsets advance by the size rounded up to 4, so rand(3) then rand(5)
    -- are elements 1..3 and 5..9 of the stream that rand(9) reads whole.
    it(dt .. ": calls are consecutive pieces of one stream", function()
      for _, fn in ipairs{ "rand", "randn" } do
        lu.random.seed(77)
        local whole = flat(lu.random[fn](9, dt))
        lu.random.seed(77)
        local p, q = flat(lu.random[fn](3, dt)), flat(lu.random[fn](5, dt))
        assert.are.same({ whole[1], whole[2], whole[3] }, p)
        assert.are.same({ whole[5], whole[6], whole[7], whole[8], whole[9] }, q)
      end
    end)

    -- The CPU computes whole blocks of normals in passes over many blocks
    -- and a call's last, partial block one at a time: both give the same
    -- values. 600 normals taken three per call against one call for all.
    it(dt .. " randn: pieces ending in partial blocks equal one call", function()
      lu.random.seed(31)
      local whole = flat(lu.random.randn(800, dt))
      lu.random.seed(31)
      for k = 0, 199 do
        local p = flat(lu.random.randn(3, dt))
        assert.are.same({ whole[4 * k + 1], whole[4 * k + 2], whole[4 * k + 3] }, p)
      end
    end)

    it(dt .. " normals of 1e6: mean 0, std 1, kurtosis 3", function()
      lu.random.seed(11)
      local z = lu.random.randn(1000000, dt)
      assert.is_true(math.abs(z:mean():item()) < 0.005)
      assert.is_true(math.abs(z:std():item() - 1) < 0.004)
      local z64 = z:astype("float64")
      assert.is_true(math.abs((z64 ^ 4):mean():item() - 3) < 0.05)
      -- both halves of each Box-Muller pair are used and uncorrelated
      local r = lu.reshape(z64, 500000, 2)
      local c = (r[{ {}, 1 }] * r[{ {}, 2 }]):mean():item()
      assert.is_true(math.abs(c) < 0.01)
    end)
  end

  -- float32 normals' tails: P(|z| > 3.6541528853610088) = 2.5803e-4 and
  -- P(|z| > 4.5) = 6.7953e-6 (erfc(x / sqrt 2), by hand with Python's
  -- math.erfc). Counts in 4e6 values against those, within 5.5 standard
  -- deviations of a binomial count (a correct sampler fails about once in
  -- 2.6e7 runs). Box-Muller's u0 of 24 bits reaches |z| = 5.77.
  it("float32 normals: the tails beyond 3.654 and beyond 4.5", function()
    lu.random.seed(2718)
    local z = lu.random.randn(4000000, "float32"):abs()
    for _, c in ipairs{ { 3.6541528853610088, 2.5803248765390e-4 }, { 4.5, 6.7953e-6 } } do
      local n = 4000000
      local count = z:gt(c[1]):astype("float64"):sum():item()
      local mean = n * c[2]
      local sd = math.sqrt(n * c[2] * (1 - c[2]))
      assert.is_true(math.abs(count - mean) < 5.5 * sd,
        ("beyond %g: %d, expected %.1f +- %.1f"):format(c[1], count, mean, sd))
    end
  end)

  it("Philox in Lua gives Random123's known answer", function()
    local a, b, c, d = philox(0, 0, 0, 0, 0, 0)
    assert.are.same({ 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 }, { a, b, c, d })
  end)

  -- a range of 1000 (t = 296: no rejection in 4000 values) and one of
  -- 3 * 2^30, where t = 2^30 rejects a word in four: the rejected
  -- elements' values come from their own blocks
  it("integers below 2^32: Lemire's multiply on four words a block, with rejection", function()
    for _, c in ipairs{ { -5, 1000, 4003 }, { 7, 3 << 30, 203 } } do
      local low, range, n = c[1], c[2], c[3]
      lu.random.seed(0)
      local got = flat(lu.random.randint(low, low + range, n))
      local rejected = 0
      for e = 0, n - 1 do
        local want, rej = integer_at(e, low, range)
        if rej then rejected = rejected + 1 end
        if got[e + 1] ~= want then
          error(("element %d of randint(%d, %d): %d, by hand %d"):format(e, low, low + range, got[e + 1], want))
        end
      end
      if range == 3 << 30 then assert.is_true(rejected > 20) end
    end
  end)

  it("float64 uniforms carry more than 24 bits", function()
    lu.random.seed(5)
    local t, finer = flat(lu.random.rand(64, "float64")), 0
    for _, v in ipairs(t) do
      local s = v * 2^24
      if s ~= math.floor(s) then finer = finer + 1 end
    end
    assert.is_true(finer > 60)
  end)
end)
end

describe("random stream across devices", function()
  if not has_cuda then
    it("(no GPU here: the CPU stream alone is checked above)", function()
      assert.is_true(#devices >= 1)
    end)
    return
  end
  local old
  before_each(function() old = lu.get_device() end)
  after_each(function() lu.set_device(old) end)

  local function on(dev, seed, fn, n, dt)
    lu.set_device(dev)
    lu.random.seed(seed)
    lu.random[fn](5, dt)            -- move off offset 0 first
    return lu.random[fn](n, dt):to("cpu")
  end

  for _, dt in ipairs{ "float32", "float64" } do
    it(dt .. " rand: identical arrays on the CPU and on CUDA", function()
      for _, n in ipairs{ 1, 7, 4096, 1000003 } do
        local a, b = on("cpu", 2024, "rand", n, dt), on("cuda", 2024, "rand", n, dt)
        assert.is_true(lu.array_equal(a, b))
      end
    end)

    -- log, sin and cos are CUDA's on the GPU, lunar's own on the CPU
    -- (lu_philox.h): a few ulp apart at most
    it(dt .. " randn: the CPU and CUDA agree to a few ulp", function()
      local rtol = dt == "float32" and 2e-6 or 1e-14
      for _, n in ipairs{ 3, 1000003 } do
        local a, b = on("cpu", 99, "randn", n, dt), on("cuda", 99, "randn", n, dt)
        assert.is_true(lu.allclose(a, b, rtol, 1e-30))
      end
    end)
  end
end)
