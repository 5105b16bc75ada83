-- SPDX-License-Identifier: MIT
-- Temporary elision (src/lua/lb_elide.c, doc/design-notes.md): in an
-- operator chain a big temporary is written over when nothing else can see
-- it, and never when something can (a local, a table, an upvalue, a
-- global, a hook in place).
local lu = require "lunar"
local h = require "tests.helper"

local N = 40000   -- 320 KB of float64: over the 256 KiB threshold

-- new arrays made by fn (lunar.stats counts allocations)
local function allocs(fn)
  lu.stats("reset")
  fn()
  return lu.stats().allocs
end

describe("temporary elision", function()
  -- elision is the unfused path's: automatic fusion would make no temporaries
  local fusion
  setup(function() fusion = lu.set_fusion(false) end)
  teardown(function() lu.set_fusion(fusion) end)
  for _, dev in ipairs(lu.devices()) do
    local a = lu.ones(N, {device = dev})
    local b = lu.full(N, 2.0, {device = dev})

    it("writes a chain's sum into its product on " .. dev, function()
      -- the operands are locals here: a load between two operators (an
      -- upvalue, a global, a field) is an instruction, and stops elision
      local function run(f) lu.stats("reset"); local r = f(a, b); return lu.stats().allocs, r end
      local n, r = run(function(x, y) return x * y + 1 end)
      assert.are.equal(1, n); assert.are.equal(3, r[1]); assert.are.equal(3, r[N])
      n, r = run(function(x, y) return -(x * y) end)
      assert.are.equal(1, n); assert.are.equal(-2, r[N])
      n, r = run(function(x, y) return (x * y + x) * 2 / y end)
      assert.are.equal(1, n); assert.are.equal(3, r[1])
      n, r = run(function(x, y) return 1 - (x * y + x) * 2 / y end)   -- 1 is loaded before '-'
      assert.are.equal(2, n); assert.are.equal(-2, r[1])
      n, r = run(function(x, y) return x + y * x + 1 end)   -- the first new array is y * x
      assert.are.equal(1, n); assert.are.equal(4, r[N])
      n, r = run(function(x, y) return x * y + a end)       -- a is an upvalue: loaded between
      assert.are.equal(2, n); assert.are.equal(3, r[N])
      assert.are.equal(1, a[1]); assert.are.equal(2, b[1])
    end)

    it("never writes over what a name can see on " .. dev, function()
      local function run(f, ...) lu.stats("reset"); local r, t = f(a, b, ...); return lu.stats().allocs, r, t end
      -- a local assigned from the product: the product goes straight into
      -- its register, and `t + 1` comes two instructions later
      local n, r, t = run(function(x, y) local p = x * y; local q = p + 1; return q, p end)
      assert.are.equal(2, n); assert.are.equal(2, t[1]); assert.are.equal(3, r[1])
      n, r, t = run(function(x, y) local p; p = x * y; p = p + 1; return p end)
      assert.are.equal(2, n); assert.are.equal(3, r[1])
      -- a local captured by a closure
      n, r, t = run(function(x, y) local p; local get = function() return p end; p = x * y
                                   return p + 1, get end)
      assert.are.equal(2, n); assert.are.equal(2, t()[1])
      -- stored in a table, then read back as a temporary
      local tab = {}
      n, r = run(function(x, y, z) z[1] = x * y; return z[1] + 1 end, tab)
      assert.are.equal(2, n); assert.are.equal(2, tab[1][1]); assert.are.equal(3, r[1])
      -- a global
      n, r = run(function(x, y) ELIDE_G = x * y; return ELIDE_G + 1 end)
      assert.are.equal(2, n); assert.are.equal(2, ELIDE_G[1]); ELIDE_G = nil
      -- an argument of a function, which keeps it
      local function keep(v) tab[2] = v; return v end
      n, r = run(function(x, y) return keep(x * y) + 1 end)
      assert.are.equal(2, n); assert.are.equal(2, tab[2][1])
      -- an operand that is itself a named array is never the target
      n, r = run(function(x) return x + 1 end)
      assert.are.equal(1, n); assert.are.equal(1, a[1]); assert.are.equal(2, b[1])
    end)

    it("leaves views, broadcasts, casts and small arrays alone on " .. dev, function()
      local r
      local m = lu.ones({200, 200}, {device = dev})
      assert.are.equal(2, allocs(function() r = (m * 2).T + 1 end))          -- a method call in between
      local col, row = lu.ones({N, 1}, {device = dev}), lu.ones({1, 2}, {device = dev})
      assert.are.equal(2, allocs(function() r = col * 2 + row end))         -- the result is bigger
      assert.are.same({N, 2}, r.shape)
      assert.are.equal(3, allocs(function() r = (a * b) / lu.ones(N, {device = dev}) end))  -- a call between
      local ai = lu.ones(N, {dtype = "int64", device = dev})
      assert.are.equal(2, allocs(function() r = ai * 2 + 0.5 end))          -- int64 -> float64
      assert.are.equal(0.5 + 2, r[1])
      local s = lu.ones(100, {device = dev})
      assert.are.equal(2, allocs(function() r = s * 2 + 1 end))             -- under 256 KiB
    end)

    it("stays off under a debug hook and in coroutines on " .. dev, function()
      local function f(x, y) return x * y + 1 end
      debug.sethook(function() end, "", 1000)
      lu.stats("reset")
      local r = f(a, b)
      local n = lu.stats().allocs
      debug.sethook()
      assert.are.equal(2, n)
      assert.are.equal(3, r[1])
      local co = coroutine.wrap(function(x, y) local v = x * y + 1; coroutine.yield(v); return v + 1 end)
      assert.are.equal(3, co(a, b)[1])
      assert.are.equal(4, co()[1])
    end)
  end

  it("errors inside a chain leave the operands as they were", function()
    local a, bad = lu.ones(N), lu.ones(3)
    local ok, e = pcall(function() return a * 2 + bad end)
    assert.is_false(ok)
    assert.truthy(tostring(e):find("could not be broadcast", 1, true), e)
    assert.are.equal(1, a[1])
    assert.are.equal(3, (a * 2 + 1)[1])
  end)
end)
