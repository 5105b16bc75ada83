-- SPDX-License-Identifier: MIT
-- Reliability (issue 12): the defects a hostile user found, each kept as a
-- regression test. Sizes from user input are overflow-checked, closed and
-- foreign operands are errors, float-to-integer casts are defined, and the
-- interpreter stays usable after each case.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of
local maxint, minint = math.maxinteger, math.mininteger

for _, dev in ipairs(lu.devices()) do
describe("reliability on " .. dev, function()
  local A = h.on(dev)
  local function still_works()
    assert.are.equal(6, A{1, 2, 3}:sum():item())
  end
  after_each(still_works)

  describe("sizes that overflow", function()
    it("reshape to a shape whose product wraps is an error", function()
      assert.are.equal("reshape: cannot reshape array of size 1 into shape (7,7905747460161236407)",
                       err_of(function() return A{0}:reshape(7, 7905747460161236407) end))
      assert.are.equal("reshape: cannot reshape array of size 0 into shape (4,4611686018427387904)",
                       err_of(function() return lu.zeros(0, {device = dev}):reshape(4, 1 << 62) end))
      assert.are.equal("reshape: cannot reshape array of size 0 into shape (2147483648,2147483648,2147483648,0)",
                       err_of(function() return lu.zeros(0, {device = dev}):reshape(1 << 31, 1 << 31, 1 << 31, 0) end))
    end)
    it("shapes whose nonzero lengths overflow are too big, as NumPy says", function()
      local e = err_of(lu.zeros, {0, 1 << 62}, {device = dev})
      assert.is_truthy(e:find("array is too big", 1, true))
      e = err_of(lu.zeros, {1 << 31, 1 << 31, 4}, {device = dev})
      assert.is_truthy(e:find("array is too big", 1, true))
      e = err_of(lu.broadcast_to, lu.zeros(0, {device = dev}), {1 << 62, 0})
      assert.is_truthy(e:find("broadcast_to: array is too big", 1, true))
    end)
    it("huge slice steps give one element", function()
      local a = lu.arange(5, {device = dev})
      assert.are.same({1}, a[{{1, 3, maxint}}].shape)
      assert.are.same({0}, h.flat(a[{{1, 3, maxint}}]))
      assert.are.same({4}, h.flat(a[{{5, 1, minint}}]))
      assert.are.same({0, 1, 2, 3, 4}, h.flat(a[{{minint, maxint}}]))
      -- range ends at the int64 limits, on empty and short axes (a fuzzer
      -- found the first: the stop was formed as minint - 1)
      local e = lu.zeros(0, {device = dev})
      assert.are.same({0}, e[{{1, minint, -1}}].shape)
      assert.are.same({0}, e[{{maxint, minint, -1}}].shape)
      assert.are.same({0}, e[{{minint, maxint}}].shape)
      assert.are.same({4, 3, 2, 1, 0}, h.flat(a[{{maxint, minint, -1}}]))
      assert.are.same({}, h.flat(a[{{minint, maxint, -1}}]))
    end)
    it("arange of integers near the int64 limits counts exactly", function()
      assert.are.same({maxint - 2, maxint - 1}, h.flat(lu.arange(maxint - 2, maxint, {device = dev})))
      assert.are.same({minint, -1, maxint - 1},
                      h.flat(lu.arange(minint, maxint, maxint, {device = dev})))
      assert.are.same({0}, lu.arange(maxint, minint, {device = dev}).shape)
    end)
    it("tile, repeat, pad and concatenate check their sizes", function()
      local a = A{1, 2}
      assert.is_truthy(err_of(lu.tile, a, {1 << 62}):find("too big", 1, true))
      assert.is_truthy(err_of(lu["repeat"], a, 1 << 62):find("too big", 1, true))
      assert.is_truthy(err_of(lu["repeat"], a, {maxint, maxint}):find("too big", 1, true))
      assert.is_truthy(err_of(lu.pad, a, {{maxint, maxint}}) ~= nil)
      assert.is_truthy(err_of(lu.array_split, a, maxint):find("too many sections", 1, true))
      assert.is_truthy(err_of(lu.histogram, a, maxint):find("too many bins", 1, true))
      assert.are.same({0}, lu.diff(a, maxint).shape)
    end)
  end)

  describe("closed operands", function()
    it("a finalizer that closes an operand during the op cannot pull its buffer away", function()
      local x = lu.ones(2e6, {device = dev})
      coroutine.wrap(function() setmetatable({}, {__gc = function() x:close() end}) end)()
      collectgarbage("incremental", 1, 400)
      local ok, y = pcall(function() return x + 1 end)
      collectgarbage("incremental", 200, 100)
      if ok then assert.are.equal(4e6, y:sum():item()) end
      collectgarbage()
      assert.are.equal("attempt to use a closed array", err_of(function() return x + 1 end))
    end)
    it("an index key that closes the array while being read", function()
      local a, closed = A{1, 1, 1}, false
      local key = setmetatable({}, {__len = function() a:close(); closed = true; return 1 end,
                                     __index = function() a:close(); closed = true; return {} end})
      local ok, r = pcall(function() return a[key] end)
      if ok then
        assert.are.same({2, 2, 2}, h.flat(r + 1))   -- r holds its own buffer
      else
        assert.is_truthy(r:find("closed array", 1, true))
      end
      -- (lunar reads index keys raw, so the metamethods may never run)
      if closed then
        assert.are.equal("attempt to use a closed array", err_of(function() return a + 1 end))
      else
        assert.are.same({2, 2, 2}, h.flat(a + 1))
      end
    end)
  end)

  describe("casts", function()
    it("Lua integers that do not fit the dtype are errors, as in NumPy", function()
      assert.are.equal("lunar.array: Lua integer 300 is out of bounds for int8",
                       err_of(lu.array, {300}, {dtype = "int8", device = dev}))
      assert.are.equal("lunar.array: Lua integer -1 is out of bounds for uint8",
                       err_of(lu.array, {-1}, {dtype = "uint8", device = dev}))
      assert.is_truthy(err_of(lu.full, 3, 300, {dtype = "int8", device = dev}) ~= nil)
    end)
    it("NaN, inf and out-of-range floats convert as NumPy does on x86-64", function()
      local x = A{0 / 0, 1 / 0, -1 / 0, 1e300, 3.7, -2.5, 300}
      assert.are.same({minint, minint, minint, minint, 3, -2, 300}, h.flat(x:astype("int64")))
      assert.are.same({-2147483648, -2147483648, -2147483648, -2147483648, 3, -2, 300},
                      h.flat(x:astype("int32")))
      assert.are.same({0, 0, 0, 0, 3, -2, 44}, h.flat(x:astype("int8")))
      assert.are.same({minint, minint}, h.flat(lu.full(2, 1 / 0, {dtype = "int64", device = dev})))
      assert.are.same({-2147483648, -2147483648, -2147483648},
                      h.flat(lu.full(3, 0 / 0, {dtype = "int32", device = dev})))
    end)
    it("Lua floats that NumPy cannot convert to an integer dtype are errors in array", function()
      -- NumPy 1.24 and 2: np.array([inf], dtype=np.int64) raises OverflowError, [nan] ValueError,
      -- [1e300] OverflowError (through a C long); full and astype above cast instead
      local o = {dtype = "int64", device = dev}
      assert.are.equal("lunar.array: cannot convert the Lua float inf to int64 (NumPy's OverflowError)",
                       err_of(lu.array, {1 / 0}, o))
      assert.are.equal("lunar.array: cannot convert the Lua float -inf to int64 (NumPy's OverflowError)",
                       err_of(lu.array, -1 / 0, o))
      assert.are.equal("lunar.array: cannot convert the Lua float nan to int64 (NumPy's ValueError)",
                       err_of(lu.array, {{1, 2}, {3, 0 / 0}}, o))
      assert.are.equal("lunar.asarray: cannot convert the Lua float nan to int8 (NumPy's ValueError)",
                       err_of(lu.asarray, {0 / 0}, "int8"))
      assert.are.equal("lunar.array: Lua float 1e+300 is out of bounds for int8 (a float converts "
                       .. "through a 64-bit integer, as in NumPy)",
                       err_of(lu.array, {1e300}, {dtype = "int8", device = dev}))
      assert.is_truthy(err_of(lu.array, {2.0 ^ 63}, o))
      assert.is_truthy(err_of(lu.array, {2.0 ^ 64}, {dtype = "uint64", device = dev}))
      -- the rest truncates toward zero and wraps, as NumPy's setitem does
      assert.are.same({44, -2, 3, 5, -128}, h.flat(A({300.0, -2.5, 3.7, 2.0 ^ 32 + 5, 128.0}, "int8")))
      assert.are.same({255, 254, 0}, h.flat(A({-1.0, -2.5, -0.5}, "uint8")))
      assert.are.same({0, 4213309440}, h.flat(A({2.0 ^ 63, 9.3e18}, "uint32")))
      assert.are.equal(minint, lu.array(-2.0 ^ 63, o):item())
      assert.are.equal(44, lu.asarray(300.0, {dtype = "int8", device = dev}):item())
    end)
  end)

  describe("arguments", function()
    it("dtype names with an embedded zero are unknown", function()
      assert.are.equal("lunar.zeros: bad argument #2 (unknown dtype 'float32...' (embedded zero))",
                       err_of(lu.zeros, 2, "float32\0junk"))
    end)
    it("a shape table with a negative length is an error", function()
      local t = setmetatable({}, {__len = function() return -5 end})
      assert.is_truthy(err_of(lu.zeros, t):find("^lunar.zeros: bad argument #1 %(shape has %-5 dimensions"))
    end)
  end)
end)
end

-- Defect 7: the Lua heap under churn. Garbage arrays wait for their
-- finalizers, and Lua counted them as live when it paced its next cycle,
-- so the heap doubled cycle after cycle: 1.2 GB after 10^6 iterations of
-- the first loop, 1.3 GB after 8*10^6 of the second (before the fix, 140
-- and 160 MB at the sizes below, run alone). The heap is sampled as the
-- loops run. The binding keeps it under twice what is live (plus 4 MB), and
-- what is live depends on the specs run before in this process, so the
-- bound is twice the heap found before the loop, plus 16 MB.
-- LUNAR_SPEC_SCALE (a fraction) shortens the loops where each op is slow:
-- under compute-sanitizer (.ci/gpu/run.sh sanitize) a launch takes
-- milliseconds, and 200000 of them would take the command's whole time.
local SCALE = tonumber(os.getenv("LUNAR_SPEC_SCALE") or "") or 1
describe("memory under churn", function()
  local function check(n, body)
    n = math.max(1000, math.floor(n * SCALE))
    local every = math.min(5000, n // 20)
    collectgarbage(); collectgarbage()
    local base, peak = collectgarbage("count") / 1024, 0
    for i = 1, n do
      body(i)
      if i % every == 0 then peak = math.max(peak, collectgarbage("count") / 1024) end
    end
    assert.is_true(peak < 2 * base + 16,
                   ("the heap reached %.1f MB from %.1f MB"):format(peak, base))
  end
  for _, dev in ipairs(lu.devices()) do
    it("small ops on " .. dev .. " keep the heap small", function()
      local a = lu.ones(10, {device = dev})
      check(200000, function(i) local b = (a + i) * 2; b:sum() end)
    end)
    it("closed arrays on " .. dev .. " keep the heap small", function()
      check(500000, function() local z <close> = lu.zeros(4, {device = dev}) end)
    end)
  end
end)

describe("methods", function()
  local M = getmetatable(lu.zeros(1)).__methods
  it("need an array as self", function()
    assert.are.equal("array:exp: bad self (array expected, got number)", err_of(M.exp, 5))
    assert.are.equal("array:sum: bad self (array expected, got number)", err_of(M.sum, 5))
  end)
  it("do not ignore extra arguments", function()
    assert.are.equal("array:flatten: bad argument #1 (order must be a string, got number)",
                     err_of(function() return lu.zeros(3):flatten(1) end))
    assert.are.equal("array:ravel: bad argument #1 (order must be 'C' or 'F', got 'K')",
                     err_of(function() return lu.zeros(3):ravel("K") end))
    assert.are.same({1, 3, 2, 4}, lu.array{{1, 2}, {3, 4}}:flatten("F"):totable())
    assert.are.same({1, 3, 2, 4}, lu.array{{1, 2}, {3, 4}}:ravel{order = "F"}:totable())
    local a = lu.arange(3)
    assert.are.equal("array:copy: bad argument #1 (unexpected argument (number); array:copy takes no arguments)",
                     err_of(function() return a:copy(1, 2, 3) end))
    assert.are.equal("array:totable: bad argument #1 (unexpected argument (number); array:totable takes no "
                     .. "arguments)", err_of(function() return a:totable(5) end))
    assert.are.equal("array:astype: bad argument #2 (unexpected argument (number); array:astype takes at most "
                     .. "1 argument)", err_of(function() return a:astype("int8", 1, 2, 3, 4, 5) end))
    assert.are.equal("array:sum: bad argument #6 (unexpected argument (boolean); array:sum takes at most "
                     .. "5 arguments)", err_of(function() return a:sum(1, nil, nil, false, {}, true) end))
    assert.are.equal("array:item: bad argument #1 (unexpected argument (nil); array:item takes no arguments)",
                     err_of(function() return a:item(nil) end))
    -- what a method does take still works
    assert.are.same({0, 1, 2}, a:copy():totable())
    assert.are.equal(3, a:sum(1, nil, nil, false, {}):item())
    assert.are.equal("int8", a:astype("int8").dtype)
  end)
  it("every array method written in C has its argument count (src/lua/lb_methods.def)", function()
    local mt = getmetatable(lu.zeros(1))
    local arity = mt.__arity
    for k, f in pairs(mt.__methods) do
      if debug.getinfo(f, "S").what == "C" then
        assert.is_truthy(math.type(arity[k]) == "integer", k)
      end
    end
    for k in pairs(arity) do assert.is_truthy(mt.__methods[k] ~= nil, k) end
  end)
end)

describe("foreign userdata", function()
  local function still_works_anywhere()
    assert.are.equal(6, lu.array{1, 2, 3}:sum():item())
  end
  it("an event given the array metatable is not an array", function()
    local mt = getmetatable(lu.zeros(1))
    local ok, ev = pcall(lu.cuda.Event)
    if ok then
      debug.setmetatable(ev, mt)
      assert.is_truthy(err_of(function() return ev + 1 end) ~= nil)
      assert.is_truthy(err_of(function() return ev:sum() end) ~= nil)
    end
    local z = lu.complex(1, 2)
    debug.setmetatable(z, mt)
    assert.is_truthy(err_of(function() return z:sum() end):find("array expected", 1, true))
  end)
  it("an array given the event metatable is not an event", function()
    local ok, ev = pcall(lu.cuda.Event)
    if not ok then return end
    assert.is_nil(err_of(function() return ev:record() end))   -- a genuine one works
    local a = lu.zeros(3)
    debug.setmetatable(a, getmetatable(ev))
    assert.is_truthy(err_of(function() return a:record() end):find("not a genuine lunar event", 1, true))
  end)
  it("an array or a complex value given a kernel's metatable is not a kernel", function()
    local k = lu.ElementwiseKernel("T x", "T y", "y = x * 3", "reliab_k")
    assert.are.same({3, 6}, k(lu.array{1, 2}):totable())   -- a genuine one works
    local kmt = getmetatable(k)
    local a = lu.arange(3)
    debug.setmetatable(a, kmt)
    local msg = "bad self (not a genuine lunar ElementwiseKernel or ReductionKernel)"
    assert.are.equal("kernel call: " .. msg, err_of(function() return a(lu.ones(2)) end))
    assert.are.equal("kernel __tostring: " .. msg, err_of(tostring, a))
    assert.are.equal("kernel __index: " .. msg, err_of(function() return a.name end))
    assert.is_nil(err_of(kmt.__gc, a))   -- a finalizer leaves a foreign userdata alone
    local z = lu.complex(1, 2)
    debug.setmetatable(z, kmt)
    assert.are.equal("kernel call: " .. msg, err_of(function() return z(lu.ones(2)) end))
  end)
  it("foreign userdata given the RawKernel and RawModule metatables are neither", function()
    local reg = debug.getregistry()
    local kmt, mmt = reg["lunar.rawkernel"], reg["lunar.rawmodule"]
    local z = lu.complex(1, 2)   -- 16 bytes, smaller than a kernel
    debug.setmetatable(z, kmt)
    assert.are.equal("RawKernel call: bad self (not a genuine lunar RawKernel)",
                     err_of(function() return z(1, 1, {}) end))
    assert.are.equal("RawKernel __tostring: bad self (not a genuine lunar RawKernel)", err_of(tostring, z))
    assert.are.equal("RawKernel __index: bad self (not a genuine lunar RawKernel)",
                     err_of(function() return z.params end))
    local a = lu.arange(3)
    debug.setmetatable(a, mmt)
    assert.are.equal("RawModule:get_function: bad self (not a genuine lunar RawModule)",
                     err_of(function() return a:get_function("f") end))
    assert.are.equal("RawModule __tostring: bad self (not a genuine lunar RawModule)", err_of(tostring, a))
    assert.is_nil(err_of(mmt.__gc, a))
  end)
  it("the finalizers of lunar's other objects leave foreign userdata alone", function()
    -- each of these once freed what it read from a userdata of the same size
    local reg = debug.getregistry()
    local f = io.tmpfile()                -- 16 bytes, as a dist work handle or an .npz box
    local own = debug.getmetatable(f)
    for _, name in ipairs{"lunar.dist.work", "lunar.fused", "lunar.ukernel", "lunar.rawmodule",
                          "lunar.event", "lunar.stream", "lunar.graph"} do
      assert.is_nil(err_of(reg[name].__gc, f), name)
    end
    local tmp = os.tmpname()
    lu.savez(tmp, lu.ones(2))
    assert.are.same({1, 1}, lu.load(tmp .. ".npz").arr_0:totable())
    os.remove(tmp); os.remove(tmp .. ".npz")
    assert.is_nil(err_of(reg["lunar.npzbox"].__gc, f))
    local _, box = debug.getupvalue(getmetatable(lu.zeros(1)).__add, 4)
    assert.are.equal("userdata", type(box))
    assert.is_nil(err_of(debug.getmetatable(box).__gc, f))
    debug.setmetatable(f, own)
    f:close()
    still_works_anywhere()
  end)
end)
