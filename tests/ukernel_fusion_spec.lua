-- SPDX-License-Identifier: MIT
-- ElementwiseKernel calls under automatic fusion (src/core/lazy.c,
-- lu_lazy_ukernel): a call on its inputs alone, once its type binding has
-- run on the device, is recorded as a pending value; computed alone it is
-- the kernel's own call, in a chain or a batch of independent values a
-- node of the fused program. Expected values are written by hand (CuPy's
-- semantics: C arithmetic in the bound types); the oracle for "same as
-- unfused" is the same call with fusion off. On the CPU fusion is on only
-- with set_fusion("all"), which this spec sets, and batches of independent
-- values only with LUNAR_FUSE_BATCH=all (the fused spec pass sets it).
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local SQDIFF = {"T x, T y", "T z", "z = (x - y) * (x - y)", "squared_diff"}
local function sqdiff_kernel() return lu.ElementwiseKernel(table.unpack(SQDIFF)) end

for _, dev in ipairs(lu.devices()) do
  describe("ElementwiseKernel calls under automatic fusion on " .. dev, function()
    local A = h.on(dev)
    local batching = dev ~= "cpu" or os.getenv("LUNAR_FUSE_BATCH") == "all"
    local sqdiff = sqdiff_kernel()
    -- the output's dtype fixed by the parameters: integer division in C
    local half = lu.ElementwiseKernel("T x, T y", "float32 z", "z = (x + y) / 2", "half_sum")
    -- three inputs, a number among them, and a local of the placeholder type
    local axpy = lu.ElementwiseKernel("T a, T x, T y", "T z", "T t = a * x; z = t + y", "axpy")
    local old
    setup(function() old = lu.set_fusion("all") end)
    teardown(function() lu.set_fusion(old) end)
    before_each(function() lu.stats("reset") end)
    -- a fused program that failed and ran node by node would still give
    -- the right values: none may
    after_each(function() assert.are.equal(0, lu.stats().unfused, "fused programs that ran unfused") end)

    -- each binding once, unfused: what lets later calls be recorded
    local function warm(k, ...)
      local args = table.pack(...)
      lu.synchronize(dev)
      return h.unfused(function() return k(table.unpack(args, 1, args.n)) end)
    end

    it("records a loop of independent calls and batches them once the batch repeats", function()
      local a = A({1, 2, 3}, "float64")
      local b = A({3, 5, 0}, "float64")
      assert.are.same({4, 9, 9}, warm(sqdiff, a, b):totable())
      local function loop()
        local outs = {}
        for i = 1, 24 do outs[i] = sqdiff(a, b + i) end
        return outs
      end
      for round = 1, 2 do   -- the second round meets each batch again
        lu.synchronize(dev)
        lu.stats("reset")
        local outs = loop()
        local st = lu.stats()
        assert.are.equal(48, st.deferred, "the 24 adds and the 24 calls")
        if batching and round == 2 then
          -- the ninth value waiting made the first eight chains (b + i,
          -- then the call) one kernel, the seventeenth the next eight
          assert.are.equal(2, st.fused)
          assert.are.equal(0, st.launches)
        end
        for i = 1, 24 do
          assert.are.same({(2 + i) ^ 2, (3 + i) ^ 2, (i - 3) ^ 2}, outs[i]:totable(), "value " .. i)
        end
        -- the last eight each read alone, a chain of two as one kernel:
        -- fewer kernels than calls when batched
        st = lu.stats()
        if batching and round == 2 then assert.are.equal(10, st.fused) end
      end
    end)

    it("batches a loop of calls on arrays, eight a kernel", function()
      local b = A({1, 0, -1}, "float32")
      local xs = {}
      for i = 1, 24 do xs[i] = A({i, 2 * i, -i}, "float32") end
      warm(sqdiff, xs[1], b)
      for round = 1, 2 do
        lu.synchronize(dev)
        lu.stats("reset")
        local outs = {}
        for i = 1, 24 do outs[i] = sqdiff(xs[i], b) end
        assert.are.equal(24, lu.stats().deferred)
        for i = 1, 24 do
          assert.are.same({(i - 1) ^ 2, 4 * i * i, (1 - i) ^ 2}, outs[i]:totable(), "value " .. i)
        end
        -- two batches of eight; the last eight each the kernel's own call
        if batching and round == 2 then assert.are.equal(2, lu.stats().fused) end
      end
    end)

    it("computes a lone pending call by the kernel's own call", function()
      local a = A({1.5, -2, 4}, "float32")
      local b = A({0.5, 1, 4}, "float32")
      warm(sqdiff, a, b)
      lu.stats("reset")
      local r = sqdiff(a, b)
      assert.are.equal(1, lu.stats().deferred)
      assert.are.equal("float32", r.dtype)
      assert.are.same({1, 9, 0}, r:totable())
      assert.are.equal(0, lu.stats().fused)
    end)

    it("fuses a chain of ufuncs and calls into one kernel", function()
      local a = A({1, 2, 3}, "float64")
      local b = A({2, 2, 2}, "float64")
      local c = A({10, 20, 30}, "float64")
      warm(sqdiff, a, b)
      lu.stats("reset")
      local r = sqdiff(a * 2, b) + 1            -- a ufunc into a call into a ufunc
      local s = sqdiff(sqdiff(a, b), c)          -- a call reading a pending call
      assert.are.same({1, 5, 17}, r:totable())  -- (2a - 2)^2 + 1
      assert.are.same({81, 400, 841}, s:totable())  -- ((a - 2)^2 - c)^2
      local st = lu.stats()
      assert.are.equal(5, st.deferred)
      assert.are.equal(2, st.fused)
      assert.are.equal(0, st.launches)
    end)

    it("gives a pending call to a reduction", function()
      local a = A({{1, 2}, {3, 4}}, "float64")
      local b = A({{0, 0}, {1, 1}}, "float64")
      warm(sqdiff, a, b)
      assert.are.equal(1 + 4 + 4 + 9, sqdiff(a, b):sum():item())
      assert.are.same({{5}, {13}}, sqdiff(a, b):sum(2, {keepdims = true}):totable())
      assert.are.same({5, 13}, (sqdiff(a, b) * 1):sum(2):totable())
    end)

    it("broadcasts its inputs as the kernel does", function()
      local col = A({{1}, {2}, {3}}, "int32")
      local row = A({0, 1, 2, 3}, "int32")
      warm(sqdiff, col, row)
      local r = sqdiff(col, row)
      assert.are.same({3, 4}, r.shape)
      assert.are.equal("int32", r.dtype)
      assert.are.same({{1, 0, 1, 4}, {4, 1, 0, 1}, {9, 4, 1, 0}}, r:totable())
      assert.are.same({{2, 1, 2, 5}, {5, 2, 1, 2}, {10, 5, 2, 1}}, (r + 1):totable())
    end)

    it("takes Lua numbers as the kernel's scalar parameters", function()
      local x = A({1, 2, 3}, "float64")
      local y = A({1, 1, 1}, "float64")
      warm(axpy, 2, x, y)
      lu.stats("reset")
      assert.are.same({3, 5, 7}, axpy(2, x, y):totable())
      assert.are.same({3, 4, 5}, (axpy(0.5, x * 2, y) + 1):totable())
      assert.are.equal(4, lu.stats().deferred)
      -- an integer number takes an int32 binding's type; T from the arrays
      local xi = A({1, 2, 3}, "int32")
      local yi = A({5, 5, 5}, "int32")
      warm(axpy, 3, xi, yi)
      local r = axpy(3, xi, yi)
      assert.are.equal("int32", r.dtype)
      assert.are.same({8, 11, 14}, r:totable())
      assert.are.same({7, 9, 11}, (axpy(2, xi, yi) + 0):totable())
    end)

    it("binds placeholders per call: float64, int32 and a fixed output type", function()
      local f = A({0.25, 1.5}, "float64")
      local i = A({7, -3}, "int32")
      warm(sqdiff, f, f)
      warm(sqdiff, i, i)
      warm(half, i, i)
      lu.stats("reset")
      local rf, ri, rh = sqdiff(f, f * 3), sqdiff(i, i + 1), half(i, i + 2)
      assert.are.equal(6, lu.stats().deferred)
      assert.are.equal("float64", rf.dtype)
      assert.are.same({0.25, 9}, rf:totable())
      assert.are.equal("int32", ri.dtype)
      assert.are.same({1, 1}, ri:totable())
      -- (x + x + 2) / 2 in int32, then stored as float32
      assert.are.equal("float32", rh.dtype)
      assert.are.same({8, -2}, rh:totable())
      assert.are.same({8.5, -1.5}, (rh + 0.5):totable())
    end)

    it("reads its operands as they were when it was called", function()
      local a = A({1, 2, 3}, "float64")
      local b = A({0, 0, 0}, "float64")
      warm(sqdiff, a, b)
      for round = 1, 2 do
        local r = sqdiff(a, b)
        local s = sqdiff(a + 0, b) * 1
        a[1] = 100              -- a write into an operand of r
        lu.multiply(b, 2, b)    -- and an out= ufunc into the other's
        assert.are.same({1, 4, 9}, r:totable(), "round " .. round)
        assert.are.same({1, 4, 9}, s:totable(), "round " .. round)
        assert.are.same({10000, 4, 9}, sqdiff(a, b):totable())
        a[1] = 1
      end
    end)

    it("runs declined calls now, raising their errors at the call", function()
      local a = A({1, 2, 3}, "float32")
      local n = A({1, 2, 3}, "int32")
      warm(sqdiff, a, a)
      lu.stats("reset")
      assert.are.equal("ElementwiseKernel 'squared_diff': takes 2 arguments (the inputs) or 3 " ..
                       "(inputs and outputs), got 1", h.err_of(sqdiff, a))
      assert.are.equal("ElementwiseKernel 'squared_diff': parameter 'y' has dtype int32, but type T " ..
                       "is already float32 (from parameter 'x')", h.err_of(sqdiff, a, n))
      assert.are.equal("ElementwiseKernel 'squared_diff': parameter 'y' has dtype int32, but type T " ..
                       "is already float32 (from parameter 'x')", h.err_of(sqdiff, a * 1, n))
      assert.are.equal("ElementwiseKernel 'squared_diff': argument 2 must be an array or a number, " ..
                       "got table", h.err_of(sqdiff, a, {1, 2, 3}))
      -- the loop's index, a raw parameter: run at the call, values as ever
      local ramp = lu.ElementwiseKernel("T x", "T y", "y = x + i", "plus_index")
      local rev = lu.ElementwiseKernel("raw T x, T y", "T z", "z = x[2 - i] + y", "rev_plus")
      for _ = 1, 2 do
        assert.are.same({1, 3, 5}, ramp(a):totable())
        assert.are.same({4, 4, 4}, rev(a, a):totable())
      end
      -- a compile error is raised by each call, never deferred to a read
      local bad = lu.ElementwiseKernel("T x", "T y", "y = x +* ;", "broken")
      assert.is_truthy(h.err_of(bad, a))
      assert.is_truthy(h.err_of(bad, a))
      assert.are.equal(1, lu.stats().deferred, "only a * 1 was recorded")
    end)

    it("tells kernels apart by their text, not their names or objects", function()
      local plus = lu.ElementwiseKernel("T x, T y", "T z", "z = x + y", "squared_diff")
      local a = A({1, 2}, "float64")
      local b = A({4, 8}, "float64")
      warm(plus, a, b)
      warm(sqdiff, a, b)
      for _ = 1, 2 do
        local outs = {}
        for i = 1, 12 do outs[i] = i % 2 == 0 and plus(a, b + i) or sqdiff(a, b + i) end
        for i = 1, 12 do
          local want = i % 2 == 0 and {5 + i, 10 + i} or {(3 + i) ^ 2, (6 + i) ^ 2}
          assert.are.same(want, outs[i]:totable(), "value " .. i)
        end
      end
    end)

    it("keeps a collected kernel alive for its pending calls and programs", function()
      local a = A({1, 2, 3}, "float64")
      local b = A({1, 1, 1}, "float64")
      local k = lu.ElementwiseKernel("T x, T y", "T z", "z = x * 10 + y", "tens")
      warm(k, a, b)
      local outs = {}
      for round = 1, 2 do
        lu.stats("reset")
        for i = 1, 12 do outs[i] = k(a, b + i) end
        assert.are.equal(24, lu.stats().deferred)
        k = nil             -- the only reference to the kernel object
        collectgarbage()
        collectgarbage()
        for i = 1, 12 do assert.are.same({11 + i, 21 + i, 31 + i}, outs[i]:totable(), "value " .. i) end
        -- a twin made afresh (its text the same): its calls find the
        -- programs the first one's made, which hold the first one
        k = lu.ElementwiseKernel("T x, T y", "T z", "z = x * 10 + y", "tens")
        if round == 1 then warm(k, a, b) end
      end
      -- the twin has not run its binding yet in round 2: its calls ran now
      assert.are.same({12, 22, 32}, k(a, b + 1):totable())
    end)

    it("gives the values of fusion off", function()
      local x = A({0.1, -2.5, 3.75, 1e3}, "float32")
      local y = A({1, 2, 3, 4}, "float16")
      local z = A({-1, 0.5, 7, 2}, "float32")
      warm(sqdiff, x, z)
      warm(sqdiff, y, y)
      local function f() return {sqdiff(x * 1.5, z) - 2, sqdiff(y + 1, y), sqdiff(lu.exp(x / 1e3), z)} end
      local want = h.unfused(f)
      local got = f()
      -- bit for bit where no maths library is involved on the CPU (fused
      -- programs are built without FMA contraction there); NVRTC contracts
      -- x * 1.5 - z into an FMA inside the fused program, and a fused exp
      -- may be glibc's vector variant of another width than the unfused
      -- loop's (-march=native prefers 256 bits on some Xeons): within the
      -- fusion specs' tolerance there
      for i = 1, #want do h.agree(got[i], want[i], "value " .. i, dev == "cpu" and i < 3) end
    end)
  end)
end
