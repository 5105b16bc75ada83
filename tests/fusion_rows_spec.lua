-- SPDX-License-Identifier: MIT
-- Automatic fusion of reductions over the last axes (src/core/fuse_rows.c,
-- doc/api/ukernel.md): a sum, max, mean ... with keepdims over trailing
-- axes is recorded like an elementwise op, and a chain of such reductions
-- and the elementwise ops around them (softmax, log-sum-exp, a layer norm)
-- runs as one row kernel. The oracle is the same code with fusion off,
-- plus hand-written values. On the CPU fusion is on only with
-- set_fusion("all"), which these specs set.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local agree = h.agree

local unfused = h.unfused

local function softmax(x)
  local e = lu.exp(x - x:max(-1, true))
  return e / e:sum(-1, true)
end

local function logsumexp(x)
  local m = x:max(2, true)
  return m + lu.log(lu.exp(x - m):sum(2, true))
end

-- over the last two axes, eps a Lua number
local function layernorm(x)
  local c = x - x:mean({-2, -1}, true)
  return c / lu.sqrt((c * c):mean({-2, -1}, true) + 1e-5)
end

for _, dev in ipairs(lu.devices()) do
  describe("fused row reductions on " .. dev, function()
    local A = h.on(dev)
    local old
    setup(function() old = lu.set_fusion("all") end)
    teardown(function() lu.set_fusion(old) end)
    -- no fused kernel fails to build or run (the unfused fallback would
    -- give the same values: only the counter tells)
    before_each(function() lu.stats("reset") end)
    after_each(function() assert.are.equal(0, lu.stats().unfused, "fused programs that ran unfused") end)

    -- fn(x) fused, as one kernel, and unfused
    local function check(fn, x, what, kernels)
      lu.synchronize(dev)
      lu.stats("reset")
      local got = fn(x):copy()
      if kernels then
        assert.are.equal(kernels, lu.stats().fused, what .. ": fused kernels")
      end
      agree(got, unfused(function() return fn(x) end), what)
      return got
    end

    it("runs softmax over rows as one kernel, with hand-checked values", function()
      local x = A({{1, 2, 3}, {0, 0, 0}, {-1, 5, 2}}, "float64")
      local y = check(softmax, x, "softmax 3x3", 1)
      local e = {math.exp(-2), math.exp(-1), 1}
      local s = e[1] + e[2] + e[3]
      local g = y:totable()
      for j = 1, 3 do assert.is_true(math.abs(g[1][j] - e[j] / s) < 1e-15) end
      for j = 1, 3 do assert.is_true(math.abs(g[2][j] - 1 / 3) < 1e-15) end
      for i = 1, 3 do
        local t = g[i][1] + g[i][2] + g[i][3]
        assert.is_true(math.abs(t - 1) < 1e-15, "row " .. i .. " sums to " .. t)
      end
      for _, dt in ipairs({"float32", "float16", "float64"}) do
        check(softmax, A(lu.random.rand(37, 300) * 20 - 10):astype(dt), "softmax " .. dt, 1)
      end
    end)

    it("computes a result constant on each row (log-sum-exp)", function()
      local x = A({{0, math.log(3)}, {1, 1}}, "float64")
      local r = check(logsumexp, x, "logsumexp", 1)
      assert.are.same({2, 1}, r.shape)
      local g = r:totable()
      assert.is_true(math.abs(g[1][1] - math.log(4)) < 1e-15)
      assert.is_true(math.abs(g[2][1] - (1 + math.log(2))) < 1e-15)
      check(logsumexp, A(lu.random.randn(64, 129)):astype("float32"), "logsumexp f32", 1)
    end)

    it("reduces over several trailing axes and nests reductions (layer norm)", function()
      local x = A(lu.random.randn(6, 7, 33))
      check(layernorm, x, "layernorm f64", 1)
      check(layernorm, x:astype("float32"), "layernorm f32", 1)
      -- every axis, kept
      check(function(v) return v - v:mean(nil, true) end, x, "centre all", 1)
    end)

    it("reads broadcast operands, row constants, numbers, views and integer rows", function()
      local x = A(lu.random.randn(5, 40))
      local bias = A(lu.random.randn(40))          -- varies along the row
      local scale = A(lu.random.rand(5, 1) + 0.5)  -- constant on each row
      check(function(v) return softmax(v * scale + bias) * 2 end, x, "broadcast", 1)
      check(softmax, x.T, "transposed view", 1)
      check(softmax, x[{{}, {1, 40, 2}}], "strided view", 1)
      local i = A({{3, -1, 7}, {2, 2, 2}}, "int32")
      local r = check(function(v) return v * 2 - v:max(2, true) + v:sum(2, true) end, i, "int rows", 1)
      assert.are.equal("int64", r.dtype)
      assert.are.same({{8, 0, 16}, {8, 8, 8}}, r:totable())
      local m = check(function(v) return v - v:mean(2, true) end, i, "int mean", 1)
      assert.are.equal("float64", m.dtype)
      assert.are.same({{0, -4, 4}, {0, 0, 0}}, m:totable())
      local b = A({{true, false}, {false, false}}, "bool")
      assert.are.same({{true}, {false}}, check(function(v) return v:any(2, true) end, b, "any"):totable())
      assert.are.same({{true, true}, {false, false}},
                      check(function(v) return lu.logical_or(v, v:any(2, true)) end, b, "bool rows", 1):totable())
    end)

    it("propagates NaN through max and sum as the unfused reductions do", function()
      local x = A({{1, 0 / 0, 3}, {1, 2, 3}}, "float64")
      local y = check(softmax, x, "softmax NaN", 1):totable()
      for j = 1, 3 do assert.is_true(y[1][j] ~= y[1][j]) end
      assert.is_true(y[2][3] > y[2][2])
    end)

    it("takes the staged way where the program is not one row space", function()
      local x = A(lu.random.randn(4, 6))
      -- a reduction over the first axis is not recorded
      check(function(v) return v - v:max(1, true) end, x, "first axis")
      -- a result wider than the row space
      local z = A(lu.random.randn(3, 4, 6))
      check(function(v) return (v - v:max(2, true)) + z end, x, "wider result")
      -- a reduction of a reduction over another axis
      check(function(v) return v:max(2, true):sum(1, true) * v end, x, "nested axes")
      -- reductions over different trailing counts
      check(function(v) return v:sum(-1, true) + v:sum({-2, -1}, true) end, z, "two row spaces")
      -- one long row: the row kernel would use one block
      check(softmax, A(lu.random.randn(40000)), "long row")
    end)

    it("gives the same rows of every length (registers for short rows, passes for long)", function()
      -- a thread keeps up to 64 values of a row in registers (40 of a row of
      -- 10^4); float64 counts twice; 2 operands share the budget
      for _, n in ipairs({1, 255, 256, 257, 2049, 10000, 16384, 16385, 20000}) do
        check(softmax, A(lu.random.randn(3, n)):astype("float32"), "softmax f32 row " .. n, 1)
      end
      for _, n in ipairs({4000, 8192, 8193, 9000}) do
        check(softmax, A(lu.random.randn(2, n)), "softmax f64 row " .. n, 1)
      end
      local w = A(lu.random.rand(5000)):astype("float32")
      for _, n in ipairs({3000, 5000}) do
        local x = A(lu.random.randn(4, n)):astype("float32")
        local ww = w[{{1, n}}]
        check(function(v) return v * ww - (v * ww):mean(2, true) end, x, "two operands " .. n, 1)
      end
      check(layernorm, A(lu.random.randn(3, 40, 250)):astype("float16"), "layernorm f16", 1)
      -- the sum pass keeps exp(x - max) over the row for the last pass, but
      -- not where the last pass reads x itself
      check(function(v) local e = lu.exp(v - v:max(2, true)); return e * v / e:sum(2, true) end,
            A(lu.random.randn(3, 3000)):astype("float32"), "softmax times x", 1)
      check(function(v) local e = lu.exp(v); return e / e:sum(2, true) end,
            A(lu.random.randn(3, 3000)):astype("float32"), "exp over its sum", 1)
    end)

    it("splits few long rows over many blocks", function()
      -- one reduction with a result constant on the row: the segments'
      -- partials, then each row's fold (two kernels on a GPU; the CPU
      -- reduces the fused temporary)
      local two = dev:match("^cuda") and 2 or nil
      -- (sums of float64: a float32 sum of 50000 values of either sign is
      -- good to about 1e-5 of its terms' size, whatever the order)
      local x = A(lu.random.randn(3, 50000)):astype("float32")
      local xd = A(lu.random.randn(3, 50000))
      check(function(v) return (v * 2):sum(2, true) end, xd, "sum kept", two)
      check(function(v) return (v * 2):sum(2) end, xd, "sum", two)
      check(function(v) return lu.exp(v):mean() end, x, "mean of all", two)
      check(function(v) return lu.exp(v * 0.5 + 0.1):mean() end, A(lu.random.randn(100003)):astype("float32"),
            "mean of 1-d", two)
      check(function(v) return (v - 1):max(2, true) * 3 end, x, "max, then a row constant", two)
      local i = A(lu.random.randint(-1000, 1000, {2, 70001}), "int32")
      check(function(v) return (v + 1):sum(2, true) end, i, "int32 sum", two)
      check(function(v) return (v * 2):min(2, true) end, i, "int32 min", two)
      check(function(v) return (v + 1):mean({1, 2}) end, i, "int32 mean of all", two)
      check(function(v) return (v - 5):any(2, true) end, A(lu.zeros({2, 40000}, "int8")), "any of zeros", two)
      check(function(v) return (v:gt(-1000)):all(2, true) end, i, "all", two)
      check(function(v) return (1 + v * 1e-5):prod(2, true) end, A(lu.random.randn(2, 40000)), "prod f64", two)
      check(function(v) return (v * 1):mean(2, true) end, A(lu.random.rand(2, 40000)):astype("float16"),
            "mean f16", two)
      local y = A(lu.random.randn(2, 40000))
      y[{2, 777}] = 0 / 0
      local m = check(function(v) return (v * 1):max(2, true) end, y, "NaN", two):totable()
      assert.is_true(m[2][1] ~= m[2][1] and m[1][1] == m[1][1])
      -- hand-checked: the mean of 1..n
      local r = check(function(v) return (v + 0):mean() end, A(lu.arange(1, 100001), "float64"), "mean 1..n", two)
      assert.are.equal(50000.5, r:item())
    end)

    it("computes a recorded reduction before its operand is written", function()
      local x = A({{1, 5}, {7, 2}}, "float64")
      local m = x:max(2, true)
      x[{1, 1}] = 100
      assert.are.same({{5}, {7}}, m:totable())
      local s = (x * 1):sum(2, true)
      x:fill(0)
      assert.are.same({{105}, {9}}, s:totable())
      -- a pending reduction used alone, by a non-fusable op and as an index
      local y = A({{1, 2}, {3, 4}}, "float64")
      assert.are.same({{3}, {7}}, y:sum(2, true):totable())
      assert.are.same({{3}, {7}}, lu.matmul(y, A({{1}, {1}}, "float64")):totable())
      assert.are.same({3, 7}, y:sum(2, true):ravel():totable())
    end)

    it("leaves the options of reductions it does not record intact", function()
      local x = A({{1, 2}, {3, 4}}, "float64")
      assert.are.equal("float32", x:sum(2, true, {dtype = "float32"}).dtype)
      local o = A({{0}, {0}}, "float64")
      assert.are.equal(o, x:sum{axis = 2, keepdims = true, out = o})
      assert.are.same({{3}, {7}}, o:totable())
      assert.are.equal("array:max: bad argument #1 (unknown option 'bogus')",
                       h.err_of(function() return x:max{axis = 2, keepdims = true, bogus = 1} end))
      assert.has_error(function() return x:max(3, true) end)
    end)
  end)
end
