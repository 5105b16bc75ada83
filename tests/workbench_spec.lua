-- SPDX-License-Identifier: MIT
-- The workbench (doc/api/workbench.md): print options against NumPy's repr,
-- statistics, strict synchronisation, who, timeit, progress and memory
-- pools, on every device.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"
local C = lu.complex

local DEFAULTS = lu.get_printoptions()

-- The array of a case (values, dtype, shape) on device dev.
local function make(vals, dtype, shape, dev)
  if dtype:match("^complex") then
    local t = {}
    for i, v in ipairs(vals) do t[i] = C(v[1], v[2]) end
    vals = t
  end
  local a = lu.array(vals, {dtype = dtype, device = dev})
  if shape then a = a:reshape(shape) end
  return a
end

describe("print options", function()
  local cases = dofile("tests/workbench/print_cases.lua")
  after_each(function() lu.set_printoptions(DEFAULTS) end)

  it("have NumPy's defaults", function()
    assert.are.same({precision = 8, threshold = 1000, edgeitems = 3, linewidth = 75,
                     suppress = false, nanstr = "nan", infstr = "inf", sign = "-",
                     floatmode = "maxprec"}, lu.get_printoptions())
  end)

  for _, dev in ipairs(lu.devices()) do
    it("print as NumPy's repr does on " .. dev .. " (" .. #cases .. " cases)", function()
      local saved = lu.get_device()
      lu.set_device(dev)   -- no device suffix: the text is NumPy's
      local ok, err = pcall(function()
        for i, c in ipairs(cases) do
          local a = make(c[2], c[3], c[4] or nil, dev)
          lu.set_printoptions(c[1])
          local got = tostring(a)
          lu.set_printoptions(DEFAULTS)
          if got ~= c[5] then
            error(("case %d: expected\n%s\ngot\n%s"):format(i, c[5], got), 0)
          end
        end
      end)
      lu.set_device(saved)
      assert(ok, err)
    end)
  end

  it("sign applies to integers as in NumPy 2 (hand-written)", function()
    lu.set_printoptions{sign = "+"}
    assert.are.equal("array([+1, -2, +3])", tostring(lu.array{1, -2, 3}))
    lu.set_printoptions{sign = " "}
    assert.are.equal("array([ 1,  2])", tostring(lu.array{1, 2}))
    assert.are.equal("array([ 1, -2])", tostring(lu.array{1, -2}))
  end)

  it("are taken by position in NumPy's order", function()
    lu.set_printoptions(3, 10, 1, 60, true)
    local o = lu.get_printoptions()
    assert.are.same({3, 10, 1, 60, true}, {o.precision, o.threshold, o.edgeitems, o.linewidth,
                                           o.suppress})
    lu.set_printoptions(nil, nil, nil, nil, nil, "N", "I", nil, "+", "fixed")
    o = lu.get_printoptions()
    assert.are.same({"N", "I", "+", "fixed"}, {o.nanstr, o.infstr, o.sign, o.floatmode})
  end)

  it("get_printoptions is a copy; set_printoptions restores it", function()
    local o = lu.get_printoptions()
    o.precision = 2
    assert.are.equal(8, lu.get_printoptions().precision)
    lu.set_printoptions{precision = 2}
    lu.set_printoptions(DEFAULTS)
    assert.are.same(DEFAULTS, lu.get_printoptions())
  end)

  it("reject unknown keys and bad values, changing nothing", function()
    local S = lu.set_printoptions
    assert.are.equal('lunar.set_printoptions: unknown option "bogus"', h.err_of(S, {bogus = 1}))
    assert.are.equal('lunar.set_printoptions: unknown option "legacy"', h.err_of(S, {legacy = false}))
    assert.are.equal("lunar.set_printoptions: precision must be an integer from 0 to 99, got -1",
                     h.err_of(S, {precision = -1}))
    assert.are.equal("lunar.set_printoptions: precision must be an integer from 0 to 99, got 2.5",
                     h.err_of(S, {precision = 2.5, threshold = 3}))
    assert.are.equal("lunar.set_printoptions: threshold must be a number (not NaN; math.huge never summarises), got nan",
                     h.err_of(S, {threshold = 0 / 0}):gsub("%-nan", "nan"))
    assert.are.equal("lunar.set_printoptions: edgeitems must be a positive integer, got 0",
                     h.err_of(S, {edgeitems = 0}))
    assert.are.equal("lunar.set_printoptions: linewidth must be a positive integer, got \"80\"",
                     h.err_of(S, {linewidth = "80"}))
    assert.are.equal("lunar.set_printoptions: suppress must be a boolean, got 1",
                     h.err_of(S, {suppress = 1}))
    assert.are.equal("lunar.set_printoptions: sign must be one of '-', '+' or ' ', got \"x\"",
                     h.err_of(S, {sign = "x"}))
    assert.are.equal("lunar.set_printoptions: floatmode must be one of 'fixed', 'unique', 'maxprec' or 'maxprec_equal', got \"exact\"",
                     h.err_of(S, {floatmode = "exact"}))
    assert.are.equal("lunar.set_printoptions: formatter is not supported",
                     h.err_of(S, nil, nil, nil, nil, nil, nil, nil, print))
    assert.are.equal("lunar.set_printoptions: precision given by position and in the options table",
                     h.err_of(S, 3, {precision = 4}))
    assert.are.equal("lunar.set_printoptions: takes at most 10 positional arguments, got 11",
                     h.err_of(S, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))
    assert.are.equal("lunar.get_printoptions: takes no arguments", h.err_of(lu.get_printoptions, 1))
    assert.are.same(DEFAULTS, lu.get_printoptions())
  end)

  it("threshold = math.huge never summarises", function()
    lu.set_printoptions{threshold = math.huge}
    local s = tostring(lu.arange(2000))
    assert.is_nil(s:find("...", 1, true))
  end)
end)

-- What fn prints through print, as one string.
local function printed(fn, ...)
  local out, print0 = {}, _G.print
  _G.print = function(...)
    local t = table.pack(...)
    for i = 1, t.n do t[i] = tostring(t[i]) end
    out[#out + 1] = table.concat(t, "\t")
  end
  local ok, err = pcall(fn, ...)
  _G.print = print0
  assert(ok, err)
  return table.concat(out, "\n")
end

describe("who", function()
  for _, dev in ipairs(lu.devices()) do
    it("lists the arrays in globals on " .. dev, function()
      _G.wb_x = lu.zeros({2, 3}, {dtype = "float32", device = dev})
      _G.wb_t = {y = lu.arange(5, {device = dev}), [2] = lu.ones(1, {device = dev}), z = 7}
      local closed = lu.ones(4); closed:close(); _G.wb_closed = closed
      local rows, total = lu.who{print = false}
      local mine, sum = {}, 0
      for _, r in ipairs(rows) do
        if r.name:match("^wb_") then mine[#mine + 1] = r; sum = sum + r.nbytes end
      end
      assert.are.same({
        {name = "wb_t.y", shape = "(5,)", dtype = "int64", device = dev, nbytes = 40},
        {name = "wb_t[2]", shape = "(1,)", dtype = "float64", device = dev, nbytes = 8},
        {name = "wb_x", shape = "(2, 3)", dtype = "float32", device = dev, nbytes = 24},
      }, mine)
      assert.is_true(total >= sum)
      local text = printed(lu.who)
      assert.truthy(text:find("Name +Shape +Dtype +Device +Bytes"))
      assert.truthy(text:find("\nwb_x +%(2, 3%) +float32 +" .. dev:gsub("%p", "%%%0") .. " +24\n"))
      assert.truthy(text:find("%d+ arrays, " .. total .. " bytes"))
      _G.wb_x, _G.wb_t, _G.wb_closed = nil, nil, nil
    end)
  end

  it("checks its arguments", function()
    assert.are.equal('lunar.who: unknown option "bogus"', h.err_of(lu.who, {bogus = 1}))
    assert.are.equal("lunar.who: takes at most 1 argument (an options table)",
                     h.err_of(lu.who, {}, 2))
  end)
end)

describe("timeit", function()
  for _, dev in ipairs(lu.devices()) do
    it("times a function with events on " .. dev, function()
      local a, calls = lu.ones(100, {device = dev}), 0
      local r
      local text = printed(function()
        r = lu.timeit(function() calls = calls + 1; local _ = a + 1 end, 20, {runs = 3, device = dev})
      end)
      assert.are.equal(60, calls)
      assert.are.equal(20, r.loops)
      assert.are.equal(3, r.runs)
      assert.are.equal(3, #r.times)
      assert.is_true(r.min <= r.median and r.median <= r.max and r.min > 0)
      assert.is_true(r.std >= 0)
      assert.truthy(text:match("^[%d.]+ %S*s \u{B1} [%d.]+ %S*s per loop %(median \u{B1} std%. dev%. of 3 runs, 20 loops each%)$"),
                    text)
    end)
  end

  it("chooses n as IPython does when not given, quietly", function()
    local calls = 0
    local t0 = lu.clock()
    local r
    local text = printed(function()
      r = lu.timeit(function() calls = calls + 1; local x = 0; for i = 1, 2000 do x = x + i end end,
                    {runs = 1, quiet = true})
    end)
    assert.are.equal("", text)
    -- n is one of 1, 2, 5, 10, 20, 50 ...
    local d = r.loops
    while d >= 10 and d % 10 == 0 do d = d // 10 end
    assert.is_true(d == 1 or d == 2 or d == 5)
    assert.is_true(lu.clock() - t0 >= 0.2)
  end)

  it("checks its arguments", function()
    assert.are.equal("lunar.timeit: bad argument #1 (function expected, got number)",
                     h.err_of(lu.timeit, 5))
    assert.are.equal("lunar.timeit: n must be an integer from 1 to 10^9, got 0",
                     h.err_of(lu.timeit, print, 0))
    assert.are.equal("lunar.timeit: runs must be an integer from 1 to 10^9, got 2.5",
                     h.err_of(lu.timeit, print, 1, {runs = 2.5}))
    assert.are.equal('lunar.timeit: unknown option "repeat"',
                     h.err_of(lu.timeit, print, {["repeat"] = 2}))
    assert.are.equal("lunar.timeit: n given by position and in the options table",
                     h.err_of(lu.timeit, print, 2, {n = 3}))
  end)
end)

-- A file-like sink for progress output.
local function sink()
  local s = {text = ""}
  function s:write(...) for _, x in ipairs{...} do self.text = self.text .. x end return self end
  function s:flush() return self end
  return s
end

describe("progress", function()
  it("counts 1..n and writes a line per quarter when not a terminal", function()
    local f, seen = sink(), {}
    for i in lu.progress(8, {file = f, tty = false, desc = "work"}) do seen[#seen + 1] = i end
    assert.are.same({1, 2, 3, 4, 5, 6, 7, 8}, seen)
    local lines = {}
    for l in f.text:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.are.equal(4, #lines, f.text)
    assert.truthy(lines[1]:match("^work: 2/8 %(25%%%), [%d.]+ s, .- left$"), lines[1])
    assert.truthy(lines[3]:match("^work: 6/8 %(75%%%)"), lines[3])
    assert.truthy(lines[4]:match("^work: 8/8 %(100%%%) in [%d.]+ s, "), lines[4])
  end)

  it("walks a table as ipairs and reports a break", function()
    local f, got = sink(), {}
    for i, v in lu.progress({"a", "b", "c", "d"}, {file = f, tty = false}) do
      got[#got + 1] = i .. v
      if i == 3 then break end
    end
    assert.are.same({"1a", "2b", "3c"}, got)
    assert.truthy(f.text:match("\n2/4 %(50%%%) in [%d.]+ s, .-, stopped\n$"), f.text)
  end)

  it("redraws a bar in place on a terminal", function()
    local f = sink()
    for _ in lu.progress(3, {file = f, tty = true}) do end
    assert.truthy(f.text:match("^\r  0%%|"), f.text)
    assert.truthy(f.text:match("\r100%%|" .. ("\u{2588}"):rep(25) .. "| 3/3 %[%d%d:%d%d<%d%d:%d%d, [^%]]+%]\27%[K\n$"), f.text)
  end)

  it("handles zero steps and errors in the loop", function()
    local f = sink()
    for _ in lu.progress(0, {file = f, tty = false}) do error("never") end
    assert.truthy(f.text:match("^0/0 %(100%%%) in"), f.text)
    f = sink()
    local ok = pcall(function()
      for i in lu.progress(10, {file = f, tty = false}) do if i == 2 then error("boom") end end
    end)
    assert.is_false(ok)
    assert.truthy(f.text:match("1/10 %(10%%%) in [^\n]*, stopped\n$"), f.text)
  end)

  it("checks its arguments", function()
    assert.are.equal("lunar.progress: bad argument #1 (a count >= 0 or a table expected, got -1)",
                     h.err_of(lu.progress, -1))
    assert.are.equal("lunar.progress: bad argument #1 (a count >= 0 or a table expected, got string)",
                     h.err_of(lu.progress, "x"))
    assert.are.equal('lunar.progress: unknown option "width"', h.err_of(lu.progress, 3, {width = 9}))
    assert.are.equal("lunar.progress: file must have write and flush methods",
                     h.err_of(lu.progress, 3, {file = 5}))
  end)
end)

describe("stats", function()
  after_each(function() lu.set_strict_sync(false); lu.stats(false) end)

  it("counts launches and allocations", function()
    local fusion = lu.set_fusion(false)   -- every op runs when called
    finally(function() lu.set_fusion(fusion) end)
    lu.stats("reset")
    local s0 = lu.stats()
    assert.are.same({0, 0, 0, 0, 0, 0, 0},
      {s0.launches, s0.compiled, s0.allocs, s0.alloc_bytes, s0.h2d_bytes, s0.d2h_bytes, s0.syncs})
    assert.is_false(s0.on)
    local a = lu.ones(1000, {device = "cpu"})
    local b = a + 1
    local s = lu.stats()
    assert.are.equal(2, s.allocs)
    assert.are.equal(16000, s.alloc_bytes)
    assert.are.equal(2, s.launches)
    assert.are.equal(0, s.syncs)
    assert.is_true(s.wall >= 0)
    local _ = b:sum():item()   -- the CPU never waits
    assert.are.equal(0, lu.stats().syncs)
    lu.stats(true)
    assert.is_true(lu.stats().on)
  end)

  for _, dev in ipairs(h.gpus()) do
    it("counts transfers and implicit synchronisations on " .. dev, function()
      lu.stats("reset")
      local a = lu.array({1, 2, 3, 4}, {dtype = "float64", device = dev})
      assert.are.equal(32, lu.stats().h2d_bytes)
      local c = a:to("cpu")                        -- explicit
      assert.are.equal(32, lu.stats().d2h_bytes)
      assert.are.equal(0, lu.stats().syncs)
      local _ = a:sum():item()                     -- implicit
      assert.are.equal(1, lu.stats().syncs)
      _ = a:totable()
      _ = tostring(a)
      assert.are.equal(3, lu.stats().syncs)
      assert.is_true(lu.array_equal(a, a))
      assert.are.equal(4, lu.stats().syncs)
      assert.are.equal(10, c:sum():item())     -- host work waits for nothing
      assert.are.equal(4, lu.stats().syncs)
    end)
  end

  it("checks its argument", function()
    assert.are.equal('lunar.stats: bad argument #1 (true, false, "reset" or nothing expected, got "on")',
                     h.err_of(lu.stats, "on"))
    assert.are.equal("lunar.stats: bad argument #1 (true, false, \"reset\" or nothing expected, got number)",
                     h.err_of(lu.stats, 1))
    assert.are.equal("lunar.stats: takes at most 1 argument", h.err_of(lu.stats, true, 1))
  end)
end)

describe("strict synchronisation", function()
  after_each(function() lu.set_strict_sync(false) end)

  it("returns the previous setting and checks its argument", function()
    assert.is_false(lu.set_strict_sync(true))
    assert.is_true(lu.set_strict_sync(false))
    assert.are.equal("lunar.set_strict_sync: bad argument #1 (boolean expected, got number)",
                     h.err_of(lu.set_strict_sync, 1))
    assert.are.equal("lunar.set_strict_sync: bad argument #1 (boolean expected, got no value)",
                     h.err_of(lu.set_strict_sync))
  end)

  it("changes nothing on the CPU", function()
    lu.set_strict_sync(true)
    local a = lu.arange(4, {device = "cpu"})
    assert.are.equal(6, a:sum():item())
    assert.are.same({0, 1, 2, 3}, a:totable())
    -- (the device shows where cpu is not the default device)
    assert.truthy(tostring(a):match("^array%(%[0, 1, 2, 3%]"), tostring(a))
    assert.is_true(lu.array_equal(a, a))
  end)

  for _, dev in ipairs(h.gpus()) do
    it("refuses implicit waits on " .. dev .. " and allows explicit transfers", function()
      local a = lu.arange(4, {device = dev})
      lu.set_strict_sync(true)
      local function msg(what)
        return what .. ": implicit synchronisation with " .. dev .. " (strict mode is on: copy the data with a:to('cpu') first, or lunar.set_strict_sync(false))"
      end
      assert.are.equal(msg("array:item"), h.err_of(function() return a:sum():item() end))
      assert.are.equal(msg("array:totable"), h.err_of(function() return a:totable() end))
      assert.are.equal(msg("tostring"), h.err_of(tostring, a))
      assert.are.equal(msg("lunar.array_equal"), h.err_of(lu.array_equal, a, a))
      local c = a:to("cpu")
      assert.are.same({0, 1, 2, 3}, c:totable())
      lu.synchronize(dev)
      lu.set_strict_sync(false)
      assert.are.equal(6, a:sum():item())
    end)
  end
end)

-- Resident memory of this process in KiB (Linux).
local function rss_kib()
  local f = io.open("/proc/self/status")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)"))
end

describe("memory pools", function()
  local MiB = 1 << 20

  it("the CPU pool gives memory back to the system", function()
    local pool = lu.memory_pool("cpu")
    assert.are.equal("memory_pool(cpu)", tostring(pool))
    collectgarbage()
    pool:free_all_blocks()             -- the pinned blocks too, on a GPU machine
    local used0, total0 = pool:used_bytes(), pool:total_bytes()
    assert.are.equal(used0, total0)
    local a = lu.ones(12 * MiB // 8 * 8, {dtype = "float64", device = "cpu"})   -- 96 MiB, touched
    assert.is_true(pool:used_bytes() >= used0 + 96 * MiB)
    local r1 = rss_kib()
    a:close()
    assert.are.equal(used0, pool:used_bytes())
    assert.is_true(pool:total_bytes() >= used0 + 96 * MiB)    -- kept for reuse
    a = lu.zeros(12 * MiB // 8 * 8, {dtype = "float64", device = "cpu"})
    assert.is_true(pool:total_bytes() < used0 + 192 * MiB)    -- the kept block again
    a:close()
    pool:free_all_blocks()
    assert.are.equal(pool:used_bytes(), pool:total_bytes())
    local r2 = rss_kib()
    if r1 and r2 then
      assert.is_true(r1 - r2 >= 64 * 1024, ("VmRSS %d KiB -> %d KiB"):format(r1, r2))
    end
    -- collectgarbage() gives the cache of big buffers back too, but its
    -- newest 32 MiB (blocks of 512 KiB: never pinned), and keeps its own
    -- results
    local t = {}
    for i = 1, 80 do t[i] = lu.ones(MiB // 16, {device = "cpu"}) end   -- 40 MiB
    for i = 1, 80 do t[i]:close() end
    assert.is_true(pool:total_bytes() - pool:used_bytes() >= 40 * MiB)
    assert.are.equal(0, collectgarbage())
    local kept = pool:total_bytes() - pool:used_bytes()
    assert.is_true(kept > 0 and kept <= 32 * MiB, ("kept %d bytes"):format(kept))
    pool:free_all_blocks()
    assert.are.equal(pool:used_bytes(), pool:total_bytes())
    assert.are.equal("number", type(collectgarbage("count")))
    assert.truthy(h.err_of(collectgarbage, "bogus"):find("invalid option 'bogus'", 1, true))
  end)

  it("temporaries are collected as they are made, paced by their bytes", function()
    local pool = lu.memory_pool("cpu")
    collectgarbage()
    local a = lu.ones(MiB // 2, {device = "cpu"})   -- 4 MiB
    local peak = 0
    for _ = 1, 100 do
      local t = a * 2 + 1
      peak = math.max(peak, pool:total_bytes())
    end
    -- before pacing: a full collection every 256 MiB (peak 260 MiB here)
    assert.is_true(peak < 96 * MiB, ("peak %.0f MiB"):format(peak / MiB))
  end)

  it("LUNAR_CPU_POOL_LIMIT bounds what the CPU pool keeps", function()
    -- the interpreter running these specs is the lowest entry of arg
    local lo = 0
    while arg and arg[lo - 1] do lo = lo - 1 end
    local exe = arg and arg[lo]
    if not exe or not exe:match("lunar$") then return end   -- not run inside the lunar host
    local code = "local a = lunar.ones(%d, {device = 'cpu'}); a:close(); " ..
                 "local p = lunar.memory_pool('cpu'); io.write(p:total_bytes() - p:used_bytes())"
    local function kept(env, n)
      local p = io.popen(("%s %q -e %q"):format(env, exe, code:format(n)))
      local s = p:read("a"); p:close()
      return tonumber(s)
    end
    assert.are.equal(8 * MiB, kept("LUNAR_CPU_POOL_LIMIT=", MiB))
    assert.are.equal(0, kept("LUNAR_CPU_POOL_LIMIT=0", MiB))
    assert.are.equal(0, kept("LUNAR_CPU_POOL_LIMIT=4M", MiB))
    assert.are.equal(2 * MiB, kept("LUNAR_CPU_POOL_LIMIT=4M", MiB // 4))
    assert.are.equal(0, kept("LUNAR_CPU_POOL_LIMIT=0.00001%", MiB // 4))   -- 1e-7 of the RAM
  end)

  it("a limit bounds the CPU pool", function()
    local pool = lu.memory_pool("cpu")
    collectgarbage(); collectgarbage()
    assert.are.equal(0, pool:get_limit())
    pool:set_limit(pool:used_bytes() + 8 * MiB)
    local ok, e = pcall(lu.ones, 4 * MiB, {dtype = "float64", device = "cpu"})
    local lim = pool:get_limit()
    pool:set_limit(0)
    assert.is_false(ok)
    assert.truthy(tostring(e):find("out of memory: requested 33554432 bytes on cpu (the memory pool's limit is " .. lim .. " bytes, ", 1, true), e)
    assert.are.equal(0, pool:get_limit())
    local b = lu.ones(4 * MiB, {dtype = "float64", device = "cpu"})
    assert.are.equal(4 * MiB, b:sum():item())
    pool:set_limit{size = 1 << 40}
    assert.are.equal(1 << 40, pool:get_limit())
    pool:set_limit{fraction = 0}
    assert.are.equal(0, pool:get_limit())
    pool:set_limit(nil)
  end)

  it("checks its arguments", function()
    local pool = lu.memory_pool("cpu")
    assert.are.equal("memory_pool:set_limit: size must be a whole number of bytes >= 0, got -1.0",
                     h.err_of(pool.set_limit, pool, -1))
    assert.are.equal("memory_pool:set_limit: size must be a whole number of bytes >= 0, got nan",
                     h.err_of(pool.set_limit, pool, 0 / 0):gsub("%-nan", "nan"))
    assert.are.equal("memory_pool:set_limit: bad argument #1 (size in bytes expected, got string)",
                     h.err_of(pool.set_limit, pool, "1"))
    assert.are.equal('memory_pool:set_limit: unknown option "bogus"',
                     h.err_of(pool.set_limit, pool, {bogus = 1}))
    assert.are.equal("memory_pool:set_limit: fraction must be from 0 to 1, got 2.0",
                     h.err_of(pool.set_limit, pool, {fraction = 2}))
    assert.are.equal("memory_pool:set_limit: give size or fraction, not both",
                     h.err_of(pool.set_limit, pool, {size = 1, fraction = 0.5}))
    assert.are.equal("memory_pool:used_bytes: bad self (memory pool expected, got number)",
                     h.err_of(pool.used_bytes, 5))
    assert.are.equal("lunar.memory_pool: unknown device 'tpu' (expected cpu, cuda or cuda:N)",
                     h.err_of(lu.memory_pool, "tpu"))
    assert.are.equal("lunar.memory_pool: takes at most 1 argument, got 2",
                     h.err_of(lu.memory_pool, "cpu", 2))
    assert.are.equal(0, pool:get_limit())
  end)

  if #h.gpus() == 0 then
    it("GPU pools are an error without a GPU", function()
      assert.are.equal("lunar.cuda.memory_pool: device cuda:0 is not available (0 CUDA devices found)",
                       h.err_of(lu.cuda.memory_pool))
      assert.are.equal("lunar.cuda.pinned_memory_pool: device cuda:0 is not available (0 CUDA devices found)",
                       h.err_of(lu.cuda.pinned_memory_pool))
    end)
  end

  for _, dev in ipairs(h.gpus()) do
    it("the pools of " .. dev, function()
      local pool = lu.cuda.memory_pool(dev)
      assert.are.equal("memory_pool(" .. dev .. ")", tostring(pool))
      assert.are.equal(tostring(pool), tostring(lu.memory_pool(dev)))
      collectgarbage(); collectgarbage()
      local used0 = pool:used_bytes()
      local a = lu.ones(8 * MiB, {dtype = "float32", device = dev})
      assert.is_true(pool:used_bytes() >= used0 + 32 * MiB)
      assert.is_true(pool:total_bytes() >= pool:used_bytes())
      a = nil
      collectgarbage(); collectgarbage()
      assert.are.equal(used0, pool:used_bytes())
      pool:free_all_blocks()
      assert.are.equal(pool:used_bytes(), pool:total_bytes())   -- the cached blocks went back
      pool:set_limit(pool:used_bytes() + 4 * MiB)
      local ok = pcall(lu.ones, 8 * MiB, {dtype = "float32", device = dev})
      pool:set_limit(0)
      assert.is_false(ok)
      local b = lu.ones(8 * MiB, {dtype = "float32", device = dev})
      assert.are.equal(8 * MiB, b:sum():item())
      local pinned = lu.cuda.pinned_memory_pool()
      assert.are.equal("memory_pool(pinned)", tostring(pinned))
      local c = b:to("cpu")   -- a large CPU array: page-locked once a GPU is in use
      assert.is_true(pinned:used_bytes() >= 32 * MiB)
      c = nil
      collectgarbage(); collectgarbage()
      pinned:free_all_blocks()
      assert.are.equal(pinned:used_bytes(), pinned:total_bytes())
    end)
  end
end)
