-- SPDX-License-Identifier: MIT
-- Streams and graphs (doc/api/stream.md): lunar.cuda.Stream,
-- lunar.cuda.stream, lunar.cuda.current_stream, lunar.cuda.graph. Without a
-- GPU only the errors are checked; every GPU found is walked.
local lu = require "lunar"
local h = require "tests.helper"

local gpus = h.gpus()

describe("streams and graphs without a GPU", function()
  it("are refused on the CPU with a clear error", function()
    assert.matches("lunar.cuda.Stream: needs a CUDA device", h.err_of(lu.cuda.Stream, "cpu"), 1, true)
    assert.matches("lunar.cuda.graph: needs a CUDA device",
                   h.err_of(lu.cuda.graph, function() end, {device = "cpu"}), 1, true)
    assert.matches("lunar.cuda.current_stream: needs a CUDA device",
                   h.err_of(lu.cuda.current_stream, "cpu"), 1, true)
  end)

  if #gpus == 0 then
    it("need a CUDA device, and fn never runs", function()
      local ran = false
      assert.matches("lunar.cuda.Stream: needs a CUDA device", h.err_of(lu.cuda.Stream), 1, true)
      assert.matches("lunar.cuda.graph: needs a CUDA device",
                     h.err_of(lu.cuda.graph, function() ran = true end), 1, true)
      assert.matches("lunar.cuda.stream: needs a CUDA device",
                     h.err_of(lu.cuda.stream, nil, function() ran = true end), 1, true)
      assert.is_false(ran)
    end)
  end

  it("check their arguments", function()
    assert.matches("bad argument #1", h.err_of(lu.cuda.graph, 42), 1, true)
    assert.matches("unknown option 'foo'", h.err_of(lu.cuda.graph, function() end, {foo = 1}), 1, true)
    assert.matches("warmup must be an integer",
                   h.err_of(lu.cuda.graph, function() end, {warmup = -1}), 1, true)
    if #gpus > 0 then
      assert.matches("lunar.cuda.Stream expected, got number", h.err_of(lu.cuda.stream, 1, print), 1, true)
    end
  end)
end)

-- x_n = 1 + (x_0 - 1) * 0.999^n: the loop x = x * 0.999 + 0.001 in float64
local function loop_expected(x0, n)
  local t = {}
  for i, v in ipairs(x0) do t[i] = 1 + (v - 1) * 0.999 ^ n end
  return t
end

for _, dev in ipairs(gpus) do
  describe("streams on " .. dev, function()
    local A = h.on(dev)

    it("order work across two streams through an event", function()
      local s1, s2 = lu.cuda.Stream(dev), lu.cuda.Stream(dev)
      local a = lu.arange(0, 4096, {dtype = "float32", device = dev})
      local b = lu.cuda.stream(s1, function() return a * 2 end)
      local e = s1:record()
      s2:wait_event(e)
      local c, d = lu.cuda.stream(s2, function(k) return b + k, "second" end, 1)
      assert.equal("second", d)
      s2:synchronize()
      assert.is_true(s2:query())
      assert.is_true(s2.done)
      local got = h.flat(c)
      assert.equal(4096, #got)
      for _, i in ipairs({1, 2, 1000, 4096}) do assert.equal(2 * (i - 1) + 1, got[i]) end
    end)

    it("nest, and say which stream is current", function()
      local s1, s2 = lu.cuda.Stream(dev), lu.cuda.Stream(dev)
      local a = A({1, 2, 3}, "float64")
      assert.is_nil(lu.cuda.current_stream(dev))
      local r = lu.cuda.stream(s1, function()
        assert.equal(s1, lu.cuda.current_stream(dev))
        local y = lu.cuda.stream(s2, function()
          assert.equal(s2, lu.cuda.current_stream(dev))
          return a + 1
        end)
        assert.equal(s1, lu.cuda.current_stream(dev))
        return y * 3
      end)
      assert.is_nil(lu.cuda.current_stream(dev))
      assert.same({6, 9, 12}, h.flat(r))
    end)

    it("are put back when fn raises, and stay usable", function()
      local s = lu.cuda.Stream(dev)
      local a = A({1, 2, 3}, "float32")
      local ok, err = pcall(lu.cuda.stream, s, function()
        local _ = a + 1
        error("boom")
      end)
      assert.is_false(ok)
      assert.matches("boom", tostring(err), 1, true)
      assert.is_nil(lu.cuda.current_stream(dev))
      assert.same({2, 4, 6}, h.flat(a * 2))
      assert.same({3, 4, 5}, h.flat(lu.cuda.stream(s, function() return a + 2 end)))
    end)

    it("record an event given, and check its device", function()
      local s = lu.cuda.Stream(dev)
      local e = lu.cuda.Event(dev)
      assert.equal(e, s:record(e))
      e:synchronize()
      assert.matches("the event is on cpu", h.err_of(s.wait_event, s, lu.cuda.Event("cpu")), 1, true)
      assert.matches("takes 1 argument", h.err_of(s.wait_event, s), 1, true)
    end)

    it("keep arrays made on one and freed on another correct", function()
      local s = lu.cuda.Stream(dev)
      local keep = {}
      for i = 1, 20 do
        local t = lu.cuda.stream(s, function() return lu.full(1000, i, {dtype = "float32", device = dev}) end)
        keep[i] = t + 0        -- made on the device's own stream from s's array
        t = nil
        collectgarbage()       -- blocks freed here are reused on the other stream
      end
      for i = 1, 20 do
        local v = h.flat(keep[i])
        assert.equal(i, v[1]); assert.equal(i, v[1000])
      end
    end)
  end)

  describe("graphs on " .. dev, function()
    it("replay x = x * 0.999 + 0.001 like the eager loop", function()
      local x0 = {}
      for i = 1, 1000 do x0[i] = (i - 1) / 1000 end
      local x = lu.array(x0, {dtype = "float32", device = dev})
      local before = lu.stats().graph_replays
      local g = lu.cuda.graph(function()
        lu.multiply(x, 0.999, {out = x})
        lu.add(x, 0.001, {out = x})
      end)
      -- the warm-up ran the step once, eagerly; the capture ran nothing
      h.same_values(loop_expected(x0, 1), h.flat(x), 1e-6)
      for _ = 1, 50 do g:replay() end
      for _ = 1, 50 do g() end
      h.same_values(loop_expected(x0, 101), h.flat(x), 2e-5)
      assert.equal(before + 100, lu.stats().graph_replays)
    end)

    it("refill the arrays fn returned on each replay", function()
      local x = lu.array({1, 2, 3}, {dtype = "float32", device = dev})
      local g = lu.cuda.graph(function() return x * 2, "tag" end, {warmup = 0})
      local y, tag = g:replay()
      assert.equal("tag", tag)
      assert.same({2, 4, 6}, h.flat(y))
      lu.add(x, 10, {out = x})
      local y2 = g()
      assert.is_true(rawequal(y, y2))
      assert.same({22, 24, 26}, h.flat(y))
    end)

    it("keep the memory their capture used from other arrays", function()
      local x = lu.array({1, 2, 3}, {dtype = "float32", device = dev})
      local g = lu.cuda.graph(function()
        local t = x * 2        -- a temporary of the graph, freed during or after the capture
        return t + 1
      end)
      for _ = 1, 3 do
        collectgarbage()
        local junk = {}
        for k = 1, 40 do junk[k] = lu.full(3, k, {dtype = "float32", device = dev}) end
        local y = g()
        assert.same({3, 5, 7}, h.flat(y))
        -- a block the replay writes, handed to one of these, would now hold 2, 4, 6
        for k = 1, 40 do assert.same({k, k, k}, h.flat(junk[k])) end
      end
    end)

    it("fuse an expression chain inside the capture (automatic fusion)", function()
      local x0 = {}
      for i = 1, 1000 do x0[i] = (i - 1) / 1000 end
      local x = lu.array(x0, {dtype = "float32", device = dev})
      lu.stats("reset")
      local g = lu.cuda.graph(function()
        local y = x
        for _ = 1, 10 do y = y * 0.999 + 0.001 end
        lu.copyto(x, y)
      end)
      h.same_values(loop_expected(x0, 10), h.flat(x), 2e-6)   -- the warm-up
      for _ = 1, 5 do g() end
      h.same_values(loop_expected(x0, 60), h.flat(x), 2e-5)
      if lu.get_fusion() then assert.is_true(lu.stats().fused >= 1) end
      -- a returned value that another pending value read is a static output too
      local z = lu.array({1, 2, 3}, {dtype = "float32", device = dev})
      local g2 = lu.cuda.graph(function()
        local t = z * 2
        local _ = t + 1
        return t
      end, {warmup = 0})
      local t = g2()
      assert.same({2, 4, 6}, h.flat(t))
      lu.add(z, 1, {out = z})
      g2()
      assert.same({4, 6, 8}, h.flat(t))
    end)

    it("capture work on another stream inside fn", function()
      local s = lu.cuda.Stream(dev)
      local x = lu.array({1, 2}, {dtype = "float64", device = dev})
      local g = lu.cuda.graph(function()
        lu.cuda.stream(s, function() lu.multiply(x, 2, {out = x}) end)
        lu.add(x, 1, {out = x})
      end, {warmup = 0})
      g(); g()
      assert.same({7, 11}, h.flat(x))
    end)

    it("refuse what waits for the host during the capture, and lunar stays usable", function()
      local x = lu.array({1, 2, 3}, {dtype = "float32", device = dev})
      local cases = {
        function() return (x + 1):sum():item() end,
        function() return tostring(x + 1) end,
        function() lu.synchronize(dev) end,
        function() return lu.array({1, 2}, {device = dev}) end,
        function() return (x + 1):to("cpu") end,
      }
      -- each runs once eagerly (the warm-up), then is refused in the capture
      for _, fn in ipairs(cases) do
        local err = h.err_of(lu.cuda.graph, fn)
        assert.matches("while lunar.cuda.graph captures", err, 1, true)
        assert.matches("capture is discarded", err, 1, true)
        assert.same({2, 4, 6}, h.flat(x * 2))
      end
      assert.matches("item", h.err_of(lu.cuda.graph, cases[1]), 1, true)   -- names the op
      -- swallowed inside fn, the refusal still discards the graph
      local err = h.err_of(lu.cuda.graph, function() pcall(function() return x:sum():item() end) end)
      assert.matches("while lunar.cuda.graph captures", err, 1, true)
      -- graphs do not nest
      err = h.err_of(lu.cuda.graph, function() lu.cuda.graph(function() end, {warmup = 0}) end, {warmup = 0})
      assert.matches("captures do not nest", err, 1, true)
      -- fn's own error comes out unchanged
      err = h.err_of(lu.cuda.graph, function() error("mine", 0) end, {warmup = 0})
      assert.equal("mine", err)
      assert.is_nil(lu.cuda.current_stream(dev))
      -- and a graph captured afterwards works
      local g = lu.cuda.graph(function() lu.add(x, 1, {out = x}) end, {warmup = 0})
      g()
      assert.same({2, 3, 4}, h.flat(x))
    end)
  end)
end
