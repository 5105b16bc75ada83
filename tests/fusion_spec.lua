-- SPDX-License-Identifier: MIT
-- Automatic fusion (src/core/lazy.c, doc/api/ukernel.md): elementwise ops
-- recorded as pending values and run as one kernel when needed. The
-- oracle is the same code run with fusion off (the unfused ops, which the
-- differential suite checks against NumPy), plus hand-written values. On
-- the CPU fusion is on only with set_fusion("all"), which these specs set.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local flat, agree = h.flat64, h.agree

local unfused = h.unfused

describe("automatic fusion settings", function()
  it("set_fusion returns the previous setting and get_fusion reads it", function()
    local old = lu.get_fusion()
    assert.are.equal(old, lu.set_fusion("all"))
    assert.are.equal("all", lu.get_fusion())
    assert.are.equal("all", lu.set_fusion(false))
    assert.is_false(lu.get_fusion())
    assert.is_false(lu.set_fusion(true))
    assert.is_true(lu.get_fusion())
    lu.set_fusion(old)
  end)

  it("rejects other settings and extra arguments", function()
    assert.are.equal('lunar.set_fusion: bad argument #1 (true, false or "all" expected, got yes)',
                     h.err_of(lu.set_fusion, "yes"))
    assert.are.equal('lunar.set_fusion: bad argument #1 (true, false or "all" expected, got no value)',
                     h.err_of(lu.set_fusion))
    assert.are.equal("lunar.set_fusion: takes 1 argument, got 2", h.err_of(lu.set_fusion, true, 1))
    assert.are.equal("lunar.get_fusion: takes no arguments, got 1", h.err_of(lu.get_fusion, 1))
  end)
end)

for _, dev in ipairs(lu.devices()) do
  describe("automatic fusion on " .. dev, function()
    local A = h.on(dev)
    local old
    setup(function() old = lu.set_fusion("all") end)
    teardown(function() lu.set_fusion(old) end)
    -- no fused kernel fails to build or run (the unfused fallback would
    -- give the same values: only the counter tells)
    before_each(function() lu.stats("reset") end)
    after_each(function() assert.are.equal(0, lu.stats().unfused, "fused programs that ran unfused") end)

    it("defers a chain and runs it as one kernel with the unfused values", function()
      local a = A({{1, 2, 3}, {4, 5, 6}}, "int32")
      local b = A({10, 20, 30}, "int32")
      lu.synchronize(dev)
      lu.stats("reset")
      local r = a * b + 1
      local st = lu.stats()
      assert.are.equal(2, st.deferred)
      assert.are.equal(0, st.launches)
      assert.are.equal("int32", r.dtype)   -- known while pending
      assert.are.same({{11, 41, 91}, {41, 101, 181}}, r:totable())
      assert.are.equal(1, lu.stats().fused)
      -- a weak Lua number keeps float32; uint8 wraps as unfused
      local f = A({1, 2}, "float32") * 2.5 + A({0.5, 0.25}, "float32")
      assert.are.equal("float32", f.dtype)
      assert.are.same({3, 5.25}, f:totable())
      local u = A({200, 3}, "uint8") * 2 + 0
      assert.are.same({144, 6}, u:totable())
      assert.are.equal("uint8", u.dtype)
      -- a lone op runs the built-in loop: no fused kernel
      lu.stats("reset")
      local s = (a + b):totable()
      assert.are.same({{11, 22, 33}, {14, 25, 36}}, s)
      assert.are.equal(0, lu.stats().fused)
    end)

    it("compiles a chain once: the same chain again is a hit, in this process", function()
      local a = A({1, 2, 3, 4, 5}, "float32")
      local b = A({5, 4, 3, 2, 1}, "float32")
      local function step() return ((a * b + 2) * a):totable() end
      assert.are.same({7, 20, 33, 40, 35}, step())   -- the first run may compile
      lu.stats("reset")
      for _ = 1, 5 do assert.are.same({7, 20, 33, 40, 35}, step()) end
      local st = lu.stats()
      assert.are.equal(0, st.compiled)
      assert.are.equal(5, st.fused)
      assert.are.equal(5, st.fused_hits)
    end)

    it("computes before anything writes an array a pending value reads", function()
      local a = A({1, 2, 3, 4}, "float64")
      local t = a * 2
      a[1] = 100                       -- assignment
      assert.are.same({2, 4, 6, 8}, t:totable())
      local t2 = a * 2
      lu.add(a, 1, a)                  -- out= over the operand
      assert.are.same({200, 4, 6, 8}, t2:totable())
      local v = a[{{1, 2}}]            -- a view shares the buffer
      local t3 = a + 0
      v[{}] = 0
      assert.are.same({101, 3, 4, 5}, t3:totable())
      assert.are.same({0, 0, 4, 5}, a:totable())
      -- an interior value of a chain keeps its value when read later
      local b = A({1, 2, 3}, "float64")
      local p = b * 3
      local q = p + 1
      assert.are.same({4, 7, 10}, q:totable())
      b[2] = -1
      assert.are.same({3, 6, 9}, p:totable())
    end)

    it("raises at the op that fails, naming it", function()
      local a = A({1, 2, 3}, "float32")
      local t = a * 2
      assert.are.equal("add: operands could not be broadcast together with shapes (3,) (2,)",
                       h.err_of(function() return t + A({1, 2}, "float32") end))
      assert.matches("int8", h.err_of(function() return A({1}, "int8") * 2 + 1000 end))
      -- the interpreter and the pending value are fine afterwards
      assert.are.same({3, 5, 7}, (t + 1):totable())
      local c = a * 2
      c:close()
      assert.are.equal("attempt to use a closed array", h.err_of(function() return c + 1 end))
    end)

    it("gives pending values to indexing, views, reductions and transfers", function()
      local m = A({{1, 2, 3}, {4, 5, 6}}, "float64")
      local r = m * 10 - 1
      assert.are.same({9, 19, 29}, r[1]:totable())
      assert.are.same({{9, 39}, {19, 49}, {29, 59}}, r.T:totable())
      assert.are.same({2, 3}, r.shape)
      assert.are.equal(59, (m * 10 - 1):max():item())
      assert.are.same({48, 68, 88}, (m * 10 - 1):sum(1):totable())
      assert.are.same({{57}, {147}}, (m * 10 - 1):sum(2, true):totable())
      assert.are.same({3, 4, 5}, ((m + 0.5) * 1):mean(1):totable())
      assert.is_true((m * 2):gt(11):any():item())
      assert.is_false((m * 2):gt(11):all():item())
      assert.are.same({11, 41}, (m * 10 + 1)[{{}, 1}]:totable())
      assert.are.same({{9, 19, 29}, {39, 49, 59}}, (m * 10 - 1):to("cpu"):totable())
      -- reductions the fused path does not take run unfused, options intact
      local o = A({0, 0, 0}, "float64")
      assert.are.equal(o, (m * 2):sum{axis = 1, out = o})
      assert.are.same({10, 14, 18}, o:totable())
      assert.are.equal("float32", (m * 2):sum{axis = 2, dtype = "float32"}.dtype)
      assert.are.equal("array:sum: bad argument #1 (unknown option 'bogus')",
                       h.err_of(function() return (m * 2):sum{axis = 2, bogus = 1} end))
      -- NaN reaches max through the fused reduction
      local n = A({1, 0, 3}, "float64")
      assert.is_true(lu.isnan((n / n):max()):item())
    end)

    it("fuses a dependent loop with the unfused values", function()
      local function loop()
        local x = A({1, 2, 3, 4}, "float32")
        for _ = 1, 150 do x = x * 0.999 + 0.001 end
        return x
      end
      lu.synchronize(dev)   -- what earlier specs left pending
      lu.stats("reset")
      local got = loop()
      local st = lu.stats()
      assert.are.equal(300, st.deferred)
      -- exact on the CPU; on CUDA 3e-6 apart after 150 steps (bench/RESULTS.md)
      local want = unfused(loop)
      if dev == "cpu" then agree(got, want, "loop", true)
      else
        local g, w = flat(got), flat(want)
        for i = 1, #w do assert.is_true(math.abs(g[i] - w[i]) <= 1e-5 * math.abs(w[i]), "loop " .. i) end
      end
      -- 300 ops in chains of at most 48
      assert.is_true(lu.stats().fused <= 10, "fused kernels: " .. lu.stats().fused)
    end)

    it("matches the unfused results on random chains over dtypes, views and broadcasts", function()
      local DTYPES = {"bool", "int8", "int32", "uint8", "float16", "float32", "float64"}
      local BIN = {"+", "-", "*", "/", "maximum", "less", "logical_and", "arctan2", "bitwise_or"}
      local UN = {"neg", "abs", "sqrt", "exp", "square", "floor", "logical_not", "tanh"}
      local function bin(op, x, y)
        if op == "+" then return x + y elseif op == "-" then return x - y
        elseif op == "*" then return x * y elseif op == "/" then return x / y end
        return lu[op](x, y)
      end
      local function un(op, x) if op == "neg" then return -x end return lu[op](x) end
      math.randomseed(20261204)
      local checked = 0
      lu.stats("reset")
      for trial = 1, 24 do
        local leaves, desc, nleaf = h.chain_leaves(A, DTYPES)
        local steps = {}
        for s = 1, math.random(2, 12) do
          local r = math.random()
          local x = math.random() < 0.2 and math.random(1, 8) / 4 or math.random(nleaf)
          if r < 0.55 then steps[s] = {"bin", BIN[math.random(#BIN)], x, math.random() < 0.3}
          elseif r < 0.85 then steps[s] = {"un", UN[math.random(#UN)]}
          else steps[s] = {"where", x, math.random(nleaf)} end
        end
        local function run()
          local function opnd(o) if math.type(o) == "integer" then return leaves[o] end return o end
          local v = leaves[1]
          for _, s in ipairs(steps) do
            if s[1] == "bin" then
              if s[4] then v = bin(s[2], opnd(s[3]), v) else v = bin(s[2], v, opnd(s[3])) end
            elseif s[1] == "un" then v = un(s[2], v)
            else v = lu.where(lu.greater(v, opnd(s[2])), v, opnd(s[3])) end
          end
          return v
        end
        local what = ("trial %d (%s)"):format(trial, table.concat(desc, ", "))
        local okw, want = pcall(unfused, run)
        local okg, got = pcall(function() return run():copy() end)
        if h.same_outcome(okw, want, okg, got, what) then checked = checked + 1 end
      end
      assert.is_true(checked >= 16, "checked " .. checked)
      assert.is_true(lu.stats().deferred > 0 and lu.stats().fused > 0)
    end)

    it("keeps at most a few values no other one reads pending", function()
      local a = A({1, 2, 3}, "float64")
      local outs = {}
      lu.synchronize(dev)
      lu.stats("reset")
      for i = 1, 20 do outs[i] = a * i end
      -- twelve computed at least: each by its own kernel, or up to eight
      -- in one fused kernel (a batch of roots: GPUs, LUNAR_FUSE_BATCH=all)
      local st = lu.stats()
      assert.are.equal(20, st.deferred)
      assert.is_true(st.launches + 8 * st.fused >= 12, ("launches %d, fused %d"):format(st.launches, st.fused))
      for i = 1, 20 do assert.are.same({i, 2 * i, 3 * i}, outs[i]:totable()) end
    end)

    it("computes a chain whose shared operands were read since (more leaves than a program takes)", function()
      -- s sums 24 pending x * x (one leaf, x, when recorded); reading each
      -- x * x makes it a leaf of its own: 24 leaves and a trailing + 1 did
      -- not fit a program, and s raised "a chain outgrew its program"
      local x = A({1, 2, 3}, "float64")
      local cs, s = {}, nil
      for i = 1, 24 do cs[i] = x * x; s = s and (s + cs[i]) or cs[i] end
      s = s + 1
      for i = 1, 24 do cs[i]:totable() end
      local others = {}
      for j = 1, 9 do others[j] = x + j end   -- more roots than are kept pending
      assert.are.same({25, 97, 217}, s:totable())
      for j = 1, 9 do assert.are.same({1 + j, 2 + j, 3 + j}, others[j]:totable()) end
    end)

    it("computes what is pending on synchronize and when fusion is turned off", function()
      local a = A({1, 2, 3}, "float64")
      local r = a * 2 + 1
      lu.stats("reset")
      lu.synchronize(dev)
      assert.are.equal(1, lu.stats().fused)
      local q = a * 3 + 1
      lu.set_fusion(false)
      assert.is_true(lu.stats().fused == 2)
      lu.set_fusion("all")
      assert.are.same({3, 5, 7}, r:totable())
      assert.are.same({4, 7, 10}, q:totable())
    end)
  end)
end

-- A fused kernel that fails to build (here the C compiler is given a
-- header that does not exist) leaves the ops to run unfused, with their
-- values; lunar.stats counts the fallback, and the program is not built
-- again on the next calls (src/core/lazy.c fell_back). In a fresh lunar
-- process over an empty kernel cache.
describe("a fused kernel that does not build", function()
  local lo = 0
  while arg and arg[lo - 1] do lo = lo - 1 end
  local exe = arg and arg[lo]
  it("runs the ops unfused, counts it once and is not built again", function()
    if not (exe and exe:match("lunar$")) then return end
    local root = os.tmpname()
    os.remove(root)
    assert(os.execute(("mkdir -p %q"):format(root)))
    local script = root .. "/chain.lua"
    local f = assert(io.open(script, "w"))
    f:write([[
      local lu = lunar
      lu.set_device("cpu")
      lu.set_fusion("all")
      lu.stats("reset")
      local a = lu.arange(1, 7, "float64")
      local r = {}
      for k = 1, 3 do r[k] = ((a * 2 + (10 + k)) * a):totable() end   -- one program
      local st = lu.stats()
      print(("RESULT %s %s %s unfused=%d fused=%d"):format(table.concat(r[1], ","),
        table.concat(r[2], ","), table.concat(r[3], ","), st.unfused, st.fused))
      -- a scalar equal to another is one leaf: 2 + 2 would be another program
    ]])
    f:close()
    local p = io.popen(("XDG_CACHE_HOME=%q CC='cc -include %s/none.h' %q %q 2>&1")
                         :format(root, root, exe, script))
    local out = p:read("a")
    p:close()
    os.execute(("rm -rf %q"):format(root))
    -- (a * 2 + k) * a for a = 1..6 and k = 11, 12, 13, by hand
    assert.is_truthy(out:find("RESULT 13.0,30.0,51.0,76.0,105.0,138.0 14.0,32.0,54.0,80.0,110.0,144.0 "
                              .. "15.0,34.0,57.0,84.0,115.0,150.0 unfused=1 fused=0", 1, true), out)
  end)
end)
