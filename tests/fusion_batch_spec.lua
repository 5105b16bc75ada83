-- SPDX-License-Identifier: MIT
-- Batches of independent pending values (src/core/lazy.c, compute_batch):
-- when more values that nothing reads are pending than automatic fusion
-- keeps, the oldest is computed together with the later ones of its shape
-- and device, as one fused kernel with a result each (on GPUs; on the CPU
-- with LUNAR_FUSE_BATCH=all, which run_all.sh sets for one spec pass).
-- The oracle is the same code with fusion off, plus hand-written values.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local agree, unfused = h.agree, h.unfused

for _, dev in ipairs(lu.devices()) do
  describe("batches of pending values on " .. dev, function()
    local A = h.on(dev)
    local batching = dev ~= "cpu" or os.getenv("LUNAR_FUSE_BATCH") == "all"
    local old
    setup(function() old = lu.set_fusion("all") end)
    teardown(function() lu.set_fusion(old) end)
    -- no batch's kernel fails to build or run (its values would still be
    -- right, computed one by one, and the batch pointless)
    before_each(function() lu.stats("reset") end)
    after_each(function() assert.are.equal(0, lu.stats().unfused, "fused programs that ran unfused") end)

    -- many independent values of two shapes, dtypes and layouts, each
    -- kept: every one agrees with its unfused value
    local function loop(a, b, m, n)
      local outs = {}
      for i = 1, n do
        if i % 3 == 0 then outs[i] = m * i - 1
        elseif i % 3 == 1 then outs[i] = a * i + b
        else outs[i] = lu.sqrt(a + i) * b:astype("float32") end
      end
      return outs
    end

    it("gives each value its unfused result, over shapes, dtypes and views", function()
      local a = A({{1, 2, 3}, {4, 5, 6}}, "float64")
      local b = A({{1, 0, 2}, {3, 1, 1}}, "int32")
      local m = A({1, 2, 3, 4, 5, 6, 7, 8}, "int16")[{{2, 8, 2}}]   -- a strided view
      local want = unfused(function() return loop(a, b, m, 40) end)
      lu.synchronize(dev)
      lu.stats("reset")
      local got = loop(a, b, m, 40)
      local st = lu.stats()
      assert.is_true(st.deferred >= 40, "deferred " .. st.deferred)
      for i = 1, 40 do agree(got[i], want[i], "value " .. i) end
      if batching then   -- the batch of a program met before: one kernel
        got = loop(a, b, m, 40)
        assert.is_true(lu.stats().fused >= 2, "fused " .. lu.stats().fused)
        for i = 1, 40 do agree(got[i], want[i], "again, value " .. i) end
      end
    end)

    it("computes eight values in one kernel once the batch repeats", function()
      if not batching then return end
      local a = A({1, 2, 3}, "float32")
      local outs = {}
      for i = 1, 20 do outs[i] = a * i end   -- the batch seen once
      lu.synchronize(dev)
      lu.stats("reset")
      for i = 1, 17 do outs[i] = a * (i + 1) end
      local st = lu.stats()
      -- the ninth root made the first eight one kernel, the seventeenth the
      -- next eight; nothing ran alone
      assert.are.equal(2, st.fused)
      assert.are.equal(0, st.launches)
      for i = 1, 17 do assert.are.same({i + 1, 2 * (i + 1), 3 * (i + 1)}, outs[i]:totable()) end
    end)

    it("reads an operand as it was when the op was recorded", function()
      local a = A({1, 2, 3}, "float64")
      local outs = {}
      for round = 1, 2 do   -- the second round meets its batch again
        for i = 1, 6 do outs[i] = a + i end
        a[1] = 100 * round  -- a write: the values that read a come first
        for i = 7, 12 do outs[i] = a * 1 + i end
        for i = 1, 6 do assert.are.same({(round == 1 and 1 or 100) + i, 2 + i, 3 + i}, outs[i]:totable()) end
        for i = 7, 12 do assert.are.same({100 * round + i, 2 + i, 3 + i}, outs[i]:totable()) end
        a[1] = 100
      end
    end)

    it("shares a pending operand between the values of a batch", function()
      local a = A({1, 2, 3, 4}, "float64")
      for _ = 1, 2 do
        local t = a * 2 - 1   -- pending, read by every value below
        local outs = {}
        for i = 1, 12 do outs[i] = t + i end
        for i = 1, 12 do assert.are.same({1 + i, 3 + i, 5 + i, 7 + i}, outs[i]:totable()) end
        assert.are.same({1, 3, 5, 7}, t:totable())
      end
    end)

    it("drops a value nobody keeps and computes the others", function()
      local a = A({2, 4}, "float64")
      for _ = 1, 3 do
        local kept = {}
        for i = 1, 30 do
          local v = a / i
          if i % 2 == 0 then kept[#kept + 1] = v end
          if i % 7 == 0 then collectgarbage() end
        end
        for k, v in ipairs(kept) do assert.are.same({2 / (2 * k), 4 / (2 * k)}, v:totable()) end
      end
    end)
  end)
end
