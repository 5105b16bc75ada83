-- SPDX-License-Identifier: MIT
-- Random draws inside fused kernels (src/core/lazy.c lu_lazy_random,
-- lu_fuse_rng in fuse.c and fuse_rows.c): a float32/float64 rand, randn or
-- Generator draw is a pending leaf that the fused kernel computes from the
-- Philox stream element by element. The oracle is the same code run with
-- fusion off (the draw's own kernel, then the unfused ops): the values must
-- be the same bit for bit, and the stream must move on by the same amount
-- (a later draw gives the same numbers). A chain of arithmetic on a draw is
-- compared exactly; one with exp or sin within the tolerance that fused
-- kernels have against the unfused loops' own exp and sin (fusion_spec),
-- with the draw itself then checked exactly as its own chain (z * 1). On
-- the CPU fusion is on only with set_fusion("all"), which these specs set.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local unfused, agree = h.unfused, h.agree

-- fn() run from the same stream position with fusion off and on: its
-- results (arrays or numbers), and a draw made after it
local function both(fn)
  local function go()
    lu.random.seed(1234)
    local r = table.pack(fn())
    local after = lu.random.rand(7)
    for i = 1, r.n do if type(r[i]) ~= "number" then r[i] = r[i]:copy() end end
    return r, after
  end
  local w = unfused(function() return table.pack(go()) end)
  local want, wafter = w[1], w[2]
  local got, gafter = go()
  return got, want, gafter, wafter
end

local function same(got, want, what)
  if type(want) == "number" then
    assert.are.equal(want, got, what)
    return
  end
  assert.are.equal(want.dtype, got.dtype, what)
  assert.are.same(want.shape, got.shape, what)
  assert.are.same(want:totable(), got:totable(), what)
end

for _, dev in ipairs(lu.devices()) do
  describe("random draws fused on " .. dev, function()
    local old
    local R = lu.random
    setup(function() old = lu.set_fusion("all") end)
    teardown(function() lu.set_fusion(old) end)
    -- every fused kernel builds and runs: none falls back to the unfused
    -- ops (which give the same values, so only the counter tells)
    before_each(function() lu.stats("reset") end)
    after_each(function() assert.are.equal(0, lu.stats().unfused, "fused programs that ran unfused") end)

    it("a randn/rand chain gives the unfused values and moves the stream as unfused", function()
      for _, dt in ipairs({"float32", "float64"}) do
        local got, want, ga, wa = both(function()
          local pre = R.rand(3, {dtype = dt, device = dev})             -- offset 4 after it
          local z = R.randn(1001, {dtype = dt, device = dev})
          local s = lu.exp(z * 0.2 - 0.02) * 100
          local u = R.rand(6, 7, {dtype = dt, device = dev})
          local v = (u * 2 - 1) * (u + 0.5)
          return pre, s, v, z * 1, (z - 0.25) * 3
        end)
        same(got[1], want[1], dt .. " the draw before")
        agree(got[2], want[2], dt .. " exp of a draw")
        for i = 3, 5 do same(got[i], want[i], dt .. " result " .. i) end
        same(ga, wa, dt .. ": the draw after the chains")
      end
    end)

    it("a Generator set between blocks by hand draws unfused, with the unfused values", function()
      -- fused draws start on a block of four (lazy.c); offset 3 is not one
      local function go()
        local g = R.default_rng(5, {device = dev})
        g:set_state({bit_generator = "Philox", seed = 77, offset = 3})
        local r = {}
        for _, dt in ipairs({"float32", "float64"}) do
          local z = g:standard_normal(1001, dt)
          local u = g:random(10, dt)
          r[#r + 1] = (z * 2 + 1):copy()
          r[#r + 1] = (u - 0.5):copy()
        end
        return r, g:state().offset
      end
      local w = unfused(function() return table.pack(go()) end)
      local got, off = go()
      assert.are.equal(w[2], off)
      for i = 1, #got do same(got[i], w[1][i], "result " .. i) end
    end)

    it("runs the chain as one fused kernel with no launch of its own for the draw", function()
      local z = R.randn(4096, {dtype = "float32", device = dev})
      local y = (z * 0.5 + 1) * 3
      local warm = y:totable()   -- the first run may compile
      lu.synchronize(dev)
      lu.stats("reset")
      z = R.randn(4096, {dtype = "float32", device = dev})
      y = (z * 0.5 + 1) * 3
      local st = lu.stats()
      assert.are.equal(4, st.deferred)   -- the draw and three ops
      assert.are.equal(0, st.launches)
      assert.are.equal(0, R.get_state().offset % 4)
      local t = y:totable()
      st = lu.stats()
      assert.are.equal(1, st.fused)
      assert.are.equal(0, st.launches)
      assert.are.equal(#warm, #t)
    end)

    it("the Monte Carlo payoff (randn, exp, maximum, mean) agrees with unfused", function()
      local S0, K, r, sigma, T = 100, 105, 0.05, 0.2, 1
      local a, b = sigma * math.sqrt(T), (r - 0.5 * sigma * sigma) * T
      for _, n in ipairs({1000, 40000}) do
        local got, want, ga, wa = both(function()
          local z = R.randn(n, {dtype = "float32", device = dev})
          local s = lu.exp(z * a + b) * S0
          local pay = lu.maximum(s - K, 0)
          return pay:mean() * math.exp(-r * T), lu.exp(z * a + b) * S0,
                 lu.maximum(z * a + b, 0):sum(), z * 1
        end)
        agree(got[1], want[1], "mean payoff, n = " .. n)
        agree(got[2], want[2], "prices, n = " .. n)
        agree(got[3], want[3], "a sum, n = " .. n)
        same(got[4], want[4], "the draw, n = " .. n)
        same(ga, wa, "the draw after it, n = " .. n)
      end
    end)

    it("a chain that ends in a reduction takes its draw from the draw's own kernel", function()
      -- a reduction's threads stride over the elements, so each would compute
      -- a whole Philox block for one value (lazy.c): the draw runs first,
      -- then the chain and its mean as one fused kernel
      local z = R.randn(40000, {dtype = "float32", device = dev})
      local warm = lu.maximum(lu.exp(z * 0.2) - 1, 0):mean():item()
      lu.synchronize(dev)
      lu.stats("reset")
      z = R.randn(40000, {dtype = "float32", device = dev})
      local m = lu.maximum(lu.exp(z * 0.2) - 1, 0):mean():item()
      local st = lu.stats()
      local counts = ("fused %d, launches %d, unfused %d, deferred %d")
                     :format(st.fused, st.launches, st.unfused or 0, st.deferred or 0)
      -- the draw is one launch of its own kernel, the chain and its mean one
      -- fused program: one kernel on the CPU; on a GPU the one long row is
      -- split into two fused kernels, the partial sums and their fold (an
      -- H100 counted fused 2, launches 1)
      if dev == "cpu" then
        assert.are.equal(1, st.fused, counts)
        assert.are.equal(2, st.launches, counts)
      else
        assert.is_true(st.fused == 1 or st.fused == 2, counts)
        assert.are.equal(1, st.launches, counts)
      end
      assert.are.equal(0, st.unfused or 0, counts)
      assert.is_true(m > 0 and warm > 0)
    end)

    it("a pending draw read by two chains and by itself has one set of values", function()
      local got, want, ga, wa = both(function()
        local z = R.randn(257, {dtype = "float64", device = dev})
        local p = z * 2 + 1
        local q = (z - 3) * z
        local pv, qv = p:copy(), q:copy()
        return pv, qv, z   -- z read last: computed alone
      end)
      for i = 1, 3 do same(got[i], want[i], "value " .. i) end
      same(ga, wa, "the draw after them")
      -- and within one process: z's own values are those the chains used
      local z = R.randn(100, {dtype = "float32", device = dev})
      local p = z * 3
      local pv = p:totable()
      local zv = z:totable()
      for i = 1, 100 do assert.are.equal(pv[i], (lu.array({zv[i]}, "float32") * 3):item()) end
    end)

    it("a draw that one fused kernel computed is read from memory by the next chain", function()
      -- a loop over a drawn array drew it again in every fused kernel
      -- (lazy.c, settle_draws): the second chain computes it first, then
      -- runs as a lone op, with no fused kernel
      local z = R.randn(300, {dtype = "float32", device = dev})
      local p = z * 2 - 1
      local pv = p:totable()
      lu.stats("reset")
      local q = z + 1
      local qv = q:totable()
      assert.are.equal(0, lu.stats().fused)
      local zv = z:totable()
      for i = 1, 300 do
        assert.are.equal((lu.array({zv[i]}, "float32") * 2 - 1):item(), pv[i])
        assert.are.equal((lu.array({zv[i]}, "float32") + 1):item(), qv[i])
      end
    end)

    it("a draw broadcast against a larger operand, and one inside a row program", function()
      local got, want = both(function()
        local x = lu.arange(15, {device = dev}):reshape(3, 5)
        local z = R.rand(5, {device = dev})
        local y = x * z + 1
        local w = R.randn(4, 300, {dtype = "float32", device = dev})
        local e = lu.exp(w - w:max(2, true))
        local sm = e / e:sum(2, true)
        local v = R.rand(1, 200, {dtype = "float32", device = dev})
        local c = (v + lu.ones({6, 200}, {dtype = "float32", device = dev})) * 2
        local cm = c - c:max(2, true)
        return y, sm, w, cm, v
      end)
      same(got[1], want[1], "broadcast draw")
      agree(got[2], want[2], "softmax of a draw")
      same(got[3], want[3], "the draw itself")
      same(got[4], want[4], "a draw broadcast in a row program")
      same(got[5], want[5], "that draw")
    end)

    it("Generator draws (random, standard_normal, normal, uniform), also off the stream's blocks", function()
      local function run()
        local g = R.default_rng(7, {device = dev})
        g:set_state({bit_generator = "Philox", seed = 99, offset = 5})   -- not a block's start
        local a = g:standard_normal(11, "float32") * 3
        local b = g:random({3, 5}) + 1
        local c = g:normal(2, 0.5, {4, 4})
        local d = g:uniform(-1, 1, 9)
        local e = g:standard_normal(6) * 1   -- float64, offset now a multiple of 4
        return {a, b, c, d, e}, g:state().offset, g:random(3)
      end
      local w, wo, wn = unfused(function() return table.pack(run()) end)
      w, wo, wn = w[1], w[2], w[3]
      local g, go, gn = run()
      for i = 1, 5 do same(g[i], w[i], "Generator draw " .. i) end
      assert.are.equal(wo, go)
      same(gn, wn, "the Generator's next draw")
    end)

    it("a draw dropped without being read still moves the stream", function()
      local got, want, ga, wa = both(function()
        local z = R.randn(99, {device = dev})
        z = nil
        collectgarbage()
        return R.rand(5, {device = dev}) + 0
      end)
      same(got[1], want[1], "the next draw")
      same(ga, wa, "the draw after it")
    end)

    it("leaves other dtypes to the unfused draw", function()
      local got, want = both(function()
        return R.rand(9, {dtype = "float16", device = dev}) * 2,
               R.randn(4, {dtype = "complex64", device = dev}) * 2
      end)
      same(got[1], want[1], "float16")
      same(got[2], want[2], "complex64")
    end)
  end)
end
