-- SPDX-License-Identifier: MIT
-- Devices, transfers, memory pressure without collectgarbage, <close>.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of

local gpus = h.gpus()

describe("the device list", function()
  it("always holds the cpu", function()
    local devs = lu.devices()
    local found = false
    for _, d in ipairs(devs) do if d == "cpu" then found = true end end
    assert.is_true(found)
  end)
  it("agrees with lunar.cuda", function()
    assert.is_boolean(lu.cuda.is_available())
    assert.are.equal(#gpus > 0, lu.cuda.is_available())
    assert.are.equal(#gpus, lu.cuda.device_count())
    for i, d in ipairs(gpus) do assert.are.equal("cuda:" .. (i - 1), d) end
  end)
  it("the default device is the first GPU, else the cpu", function()
    if os.getenv("LUNAR_DEVICE") == nil then
      assert.are.equal(gpus[1] or "cpu", lu.get_device())
    end
    assert.are.equal(lu.get_device(), lu.zeros(1).device)
  end)
  it("LUNAR_DEVICE chooses the default device", function()
    -- the interpreter running these specs is the lowest entry of arg
    local lo = 0
    while arg and arg[lo - 1] do lo = lo - 1 end
    local exe = arg and arg[lo]
    if not exe or not exe:match("lunar$") then return end   -- not run inside the lunar host
    for _, d in ipairs(lu.devices()) do
      local p = io.popen(("LUNAR_DEVICE=%s %q -e 'io.write(lunar.get_device())'"):format(d, exe))
      local out = p:read("a")
      p:close()
      assert.are.equal(d, out)
    end
    -- a device that is not there: said on stderr, the default kept
    local p = io.popen(("LUNAR_DEVICE=cuda:77 %q -e 'io.write(\"[\", lunar.get_device(), \"]\")' 2>&1"):format(exe))
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("lunar: LUNAR_DEVICE=cuda:77 is not used (device cuda:77 is not available", 1, true))
    assert.truthy(out:find("[" .. (lu.devices()[2] and "cuda:0" or "cpu") .. "]", 1, true))
  end)
  -- The CUDA start-up thread (src/backend/cuda/prestart.c): LUNAR_DEVICE=cpu
  -- never starts CUDA (LUNAR_TRACE prints each CUDA stage: none may show),
  -- and a run exits cleanly whether the thread is done or not: at once, by
  -- os.exit, after a fork, or after using the default device.
  it("the CUDA start-up thread: never with LUNAR_DEVICE=cpu, clean exits", function()
    local lo = 0
    while arg and arg[lo - 1] do lo = lo - 1 end
    local exe = arg and arg[lo]
    if not exe or not exe:match("lunar$") then return end
    local function run(env, code)
      local p = io.popen(("%s LUNAR_TRACE=1 %q -e %q 2>&1; echo \"rc=$?\""):format(env, exe, code))
      local out = p:read("a")
      p:close()
      return out
    end
    -- (the trace's first line comes from a constructor, before main)
    local out = run("LUNAR_DEVICE=cpu", "print(lunar.arange(3) + 1)")
    out = out:gsub("lunar%-trace:[^\n]*image loaded[^\n]*\n", "")
    assert.are.equal("array([1, 2, 3])\nrc=0\n", out)
    assert.is_truthy(run("", "io.write('')"):match("rc=0\n$"))
    assert.is_truthy(run("", "os.exit(true)"):match("rc=0\n$"))
    assert.is_truthy(run("", "os.exit(3)"):match("rc=3\n$"))
    out = run("", "os.execute('true') print(lunar.arange(3) + 1, lunar.get_device())")
    assert.is_truthy(out:match("array%(%[1, 2, 3%]%)\t" .. (gpus[1] or "cpu"):gsub("%p", "%%%0")), out)
    assert.is_truthy(out:match("rc=0\n$"), out)
  end)
  it("set_device changes where arrays are made", function()
    local old = lu.get_device()
    for _, d in ipairs(lu.devices()) do
      lu.set_device(d)
      assert.are.equal(d, lu.get_device())
      assert.are.equal(d, lu.ones(2).device)
      assert.are.equal(d, lu.array{1, 2}.device)
    end
    lu.set_device(old)
    assert.are.equal(old, lu.get_device())
  end)
  it("set_device rejects unknown names", function()
    local old = lu.get_device()
    assert.is_string(err_of(lu.set_device, "tpu:3"))
    assert.are.equal(old, lu.get_device())
  end)
  it("lunar.clock is monotonic", function()
    local t0 = lu.clock()
    local t1 = lu.clock()
    assert.is_number(t0)
    assert.is_true(t1 >= t0)
  end)
  it("synchronize does not fail", function()
    lu.synchronize()
    if #gpus > 0 then lu.cuda.synchronize(); lu.cuda.synchronize(gpus[1]) end
  end)
end)

if #gpus > 0 then
describe("with a GPU", function()
  it("memory_info gives free <= total", function()
    local free, total = lu.cuda.memory_info()
    assert.is_true(free > 0 and total > 0 and free <= total)
  end)
  it("events time work", function()
    local e0, e1 = lu.cuda.Event(), lu.cuda.Event()
    e0:record()
    local x = lu.ones(1000, {device = gpus[1]}) * 2
    e1:record()
    e1:synchronize()
    assert.is_true(e0:elapsed_time(e1) >= 0)
    assert.are.equal(2000, x:sum():item())
  end)
  it("to() moves data both ways", function()
    local c = lu.array({{1.5, 2}, {3, 4}}, {device = "cpu"})
    local g = c:to(gpus[1])
    assert.are.equal(gpus[1], g.device)
    assert.are.same({{1.5, 2}, {3, 4}}, g:totable())
    local back = (g * 2):to("cpu")
    assert.are.equal("cpu", back.device)
    assert.are.same({{3, 4}, {6, 8}}, back:totable())
    assert.are.equal("cuda:0", c:to("cuda").device)
  end)
  it("to() of a non-contiguous view", function()
    local c = lu.array({{1, 2}, {3, 4}}, {device = "cpu"})
    assert.are.same({{1, 3}, {2, 4}}, c.T:to(gpus[1]):totable())
    local g = lu.array({{1, 2}, {3, 4}}, {device = gpus[1]})
    assert.are.same({{1, 3}, {2, 4}}, g.T:to("cpu"):totable())
  end)
  it("mixing devices is an error naming both", function()
    local c = lu.zeros(3, {device = "cpu"})
    local g = lu.zeros(3, {device = gpus[1]})
    assert.are.equal("add: arrays on different devices: cpu and " .. gpus[1],
      err_of(function() return c + g end))
    assert.are.equal("add: arrays on different devices: " .. gpus[1] .. " and cpu",
      err_of(function() return g + c end))
  end)
  it("Lua numbers and 0-d arrays mix with any device", function()
    local g = lu.array({1, 2}, {device = gpus[1]})
    local s = lu.array(10, {device = "cpu"})
    local r = g + s
    assert.are.equal(gpus[1], r.device)
    assert.are.same({11, 12}, r:totable())
  end)
end)
end

for _, dev in ipairs(lu.devices()) do
describe("memory on " .. dev, function()
  it("to() on the same device returns the array itself", function()
    local a = lu.zeros(2, {device = dev})
    assert.is_true(rawequal(a, a:to(dev)))
  end)
  it("300 arrays of 1e7 float64 without collectgarbage do not run out of memory", function()
    -- 300 * 80 MB = 24 GB; on a GPU, enough arrays for 1.5 times its memory
    local n = 300
    if dev:match("^cuda") then
      local _, total = lu.cuda.memory_info(dev)
      n = math.max(n, math.ceil(1.5 * total / 80000000))
    end
    local last
    for _ = 1, n do
      local x = lu.ones(10000000, {device = dev})
      last = x
    end
    assert.are.same({10000000}, last.shape)
    assert.are.equal(1, last[-1])
  end)
  it("<close> frees an array, and using it afterwards is an error", function()
    local keep
    do
      local a <close> = lu.ones(10, {device = dev})
      keep = a
      assert.are.equal(10, a:sum():item())
    end
    assert.are.equal("attempt to use a closed array", err_of(function() return keep:sum() end))
    assert.are.equal("attempt to use a closed array", err_of(function() return keep + 1 end))
    assert.are.equal("attempt to use a closed array", err_of(function() return keep[1] end))
    -- the interpreter and lunar still work
    assert.are.equal(3, lu.ones(3, {device = dev}):sum():item())
  end)
  it("close() closes explicitly, twice is harmless", function()
    local a = lu.ones(4, {device = dev})
    a:close()
    assert.are.equal("attempt to use a closed array", err_of(function() return a:totable() end))
    a:close()
  end)
  it("closing a base keeps its views usable or errors cleanly", function()
    local a = lu.arange(4, {device = dev})
    local v = a[{{2, 3}}]
    a:close()
    -- the view holds its own reference on the buffer
    assert.are.same({1, 2}, v:totable())
  end)
end)
end
