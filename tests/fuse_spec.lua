-- SPDX-License-Identifier: MIT
-- lunar.fuse: fused results against the unfused ones (the issue's oracle:
-- the same function called without fuse), randomised chains of 2..12 ops
-- over mixed dtypes, broadcasts, views and Lua numbers with a fixed seed,
-- trailing reductions, the fallbacks and bad input; plus hand-written
-- values. Each distinct program compiles one kernel (cached), so the
-- number of chains is kept modest.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local DTYPES = {"bool", "int8", "int16", "int32", "uint8", "float16", "float32", "float64"}
local flat, agree = h.flat64, h.agree

-- the chains' ops: {name, arity, how}: "op" an operator, "fn" lu.NAME
local BIN = {
  {"+", "op"}, {"-", "op"}, {"*", "op"}, {"/", "op"}, {"//", "op"}, {"%", "op"},
  {"maximum", "fn"}, {"minimum", "fn"}, {"less", "fn"}, {"greater_equal", "fn"}, {"equal", "fn"},
  {"logical_and", "fn"}, {"arctan2", "fn"}, {"hypot", "fn"}, {"fmax", "fn"}, {"bitwise_or", "fn"},
}
local UN = {"neg", "abs", "sqrt", "exp", "sin", "square", "floor", "sign", "logical_not", "tanh"}

local function apply_bin(name, x, y)
  if name == "+" then return x + y elseif name == "-" then return x - y
  elseif name == "*" then return x * y elseif name == "/" then return x / y
  elseif name == "//" then return x // y elseif name == "%" then return x % y end
  return lu[name](x, y)
end

local function apply_un(name, x)
  if name == "neg" then return -x end
  return lu[name](x)
end

-- A chain as data: steps of {kind, op, operand indices / constants}; fn
-- walks it, so the same function runs fused and unfused.
local function chain_fn(steps)
  return function(...)
    local L = {...}
    local v = L[1]
    for _, s in ipairs(steps) do
      local function opnd(o) if o.leaf then return L[o.leaf] end return o.const end
      if s.kind == "bin" then
        if s.swap then v = apply_bin(s.op, opnd(s.x), v) else v = apply_bin(s.op, v, opnd(s.x)) end
      elseif s.kind == "un" then v = apply_un(s.op, v)
      else v = lu.where(lu.greater(v, opnd(s.x)), v, opnd(s.y)) end
    end
    return v
  end
end

for _, dev in ipairs(lu.devices()) do
  describe("lunar.fuse on " .. dev, function()
    local A = h.on(dev)

    -- a 3x4 operand of dtype dt in one of several layouts
    local function operand(dt, layout) return h.chain_operand(A, dt, layout) end

    it("gives hand-computed values and the unfused dtype", function()
      local f = lu.fuse(function(a, b, c) return a * b + c end)
      local r = f(A({{1, 2, 3}, {4, 5, 6}}, "int32"), A({10, 20, 30}, "int32"), 1)
      assert.are.equal("int32", r.dtype)
      assert.are.same({{11, 41, 91}, {41, 101, 181}}, r:totable())
      -- a float32 array with a Lua float stays float32 (weak scalar)
      r = f(A({1, 2}, "float32"), 2.5, A({0.5, 0.25}, "float32"))
      assert.are.equal("float32", r.dtype)
      assert.are.same({3, 5.25}, r:totable())
      -- uint8 wraps as the unfused op does
      r = f(A({200, 3}, "uint8"), 2, 0)
      assert.are.same({144, 6}, r:totable())
      assert.are.equal("uint8", r.dtype)
      assert.are.equal(3, f:info().fused)
      assert.are.equal(0, f:info().eager)
      -- lunar.stats counts fused calls and those whose kernel was made before
      lu.stats("reset")
      f(A({1, 2}, "float32"), 2.5, A({0.5, 0.25}, "float32"))
      f(A({1, 2}, "float32"), 0.5, A({0.5, 0.25}, "float32"))
      local st = lu.stats()
      assert.are.equal(2, st.fused)
      assert.are.equal(2, st.fused_hits)
      local g = lu.fuse(function(a, b, c) return lu.sqrt(a * a + b * b) * lu.exp(-c) end)
      r = g(A({3, 6}, "float64"), A({4, 8}, "float64"), 0)
      assert.are.same({5, 10}, r:totable())
      -- int8 through sqrt: float16 (NumPy's smallest float for int8)
      r = g(A({3, 6}, "int8"), A({4, 8}, "int8"), A({0, 0}, "int8"))
      assert.are.equal("float16", r.dtype)
      assert.are.same({5, 10}, r:totable())
      -- several results, comparisons and where
      local k = lu.fuse(function(a, b) return lu.where(lu.less(a, b), a, b), lu.equal(a, b) end)
      local m, e = k(A({1, 5, 3}, "int16"), A({2, 4, 3}, "int16"))
      assert.are.same({1, 4, 3}, m:totable())
      assert.are.same({false, false, true}, e:totable())
      assert.are.equal("bool", e.dtype)
    end)

    -- fused kernels are user kernels: their CUDA vector loop (16 bytes a
    -- thread) against hand values at lengths around the vector widths, on
    -- views one element off (misaligned: the one-element loop) and in half
    -- floats, whose results round to the result dtype
    it("fused a*b+c at odd lengths, on misaligned views and in half floats", function()
      local f = lu.fuse(function(a, b, c) return a * b + c end)
      for _, n in ipairs({1, 3, 4, 7, 8, 9, 33}) do
        local a, b, want, wantv = {}, {}, {}, {}
        for k = 1, n do
          a[k], b[k] = k % 7, k % 3 - 1
          want[k], wantv[k] = a[k] * b[k] + 0.5, ((k - 1) % 7) ^ 2 + a[k]
        end
        for _, dt in ipairs({"float32", "float16", "bfloat16", "float64"}) do
          local r = f(A(a, dt), A(b, dt), 0.5)
          assert.are.equal(dt, r.dtype)
          assert.are.same(want, r:totable(), dt)
          local v = A({0, table.unpack(a)}, dt)
          r = f(v[{{1, -2}}], v[{{1, -2}}], v[{{2, -1}}])
          assert.are.same(wantv, r:totable(), dt)
        end
      end
      assert.are.equal(0, f:info().eager)
    end)

    it("matches the unfused results on random chains of 2..12 ops", function()
      math.randomseed(20261203)
      local fused, total = 0, 0
      for trial = 1, 48 do
        local leaves, desc, nleaf = h.chain_leaves(A, DTYPES)
        local steps = {}
        local function pick()
          if math.random() < 0.2 then
            return {const = math.random() < 0.5 and math.random(1, 3) or math.random(1, 8) / 4}
          end
          return {leaf = math.random(nleaf)}
        end
        for s = 1, math.random(2, 12) do
          local r = math.random()
          if r < 0.55 then
            steps[s] = {kind = "bin", op = BIN[math.random(#BIN)][1], x = pick(), swap = math.random() < 0.3}
          elseif r < 0.85 then
            steps[s] = {kind = "un", op = UN[math.random(#UN)]}
          else
            steps[s] = {kind = "where", x = pick(), y = pick()}
          end
        end
        local fn = chain_fn(steps)
        local f = lu.fuse(fn)
        local what = ("trial %d (%s)"):format(trial, table.concat(desc, ", "))
        local okw, want = pcall(fn, table.unpack(leaves, 1, nleaf))
        local okg, got = pcall(f, table.unpack(leaves, 1, nleaf))
        if h.same_outcome(okw, want, okg, got, what) then
          total = total + 1
          fused = fused + f:info().fused
        end
      end
      -- most chains that the unfused ops accept run fused
      assert.is_true(total >= 24 and fused >= total - 2, ("fused %d of %d"):format(fused, total))
    end)

    it("fuses a trailing reduction over all or some axes", function()
      local x = operand("float32", "full")
      local y = operand("int16", "col")
      local cases = {
        {"sum", function(a, b) return (a * b + 1):sum() end},
        {"sum axis 1", function(a, b) return lu.sum(a - b, 1) end},
        {"sum axis -1 keepdims", function(a, b) return (a * a):sum{axis = -1, keepdims = true} end},
        {"prod", function(a, b) return lu.abs(b + 1):prod(2) end},
        {"max", function(a, b) return lu.maximum(a, b):max() end},
        {"min keepdims", function(a, b) return (a - b):min(1, nil, true) end},
        {"mean", function(a, b) return (a + b):mean(2) end},
        {"mean int", function(a, b) return (b * 3):mean() end},
        {"any", function(a, b) return lu.greater(a, b):any(2) end},
        {"all", function(a, b) return lu.less(a, 100):all() end},
        {"sum of bool", function(a, b) return lu.greater(a, 0):sum(1) end},
        {"sum of an argument", function(a, b) return b:sum({1, 2}) end},
      }
      for _, c in ipairs(cases) do
        local f = lu.fuse(c[2])
        agree(f(x, y), c[2](x, y), c[1])
        assert.are.equal(1, f:info().fused, c[1] .. ": " .. tostring(f:info().why))
      end
      -- a 3-d float16 sum over two axes
      local z = A({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}, "float16")
      local f = lu.fuse(function(a) return (a * 0.5):sum({1, 3}) end)
      local r = f(z)
      assert.are.equal("float16", r.dtype)
      assert.are.same({7, 11}, r:totable())   -- (1+2+5+6)/2, (3+4+7+8)/2
      agree(r, (z * 0.5):sum({1, 3}), "float16 sum")
    end)

    it("fuses several trailing reductions over the same axes into one kernel", function()
      -- hand values: x = 0..11 as 3x4; row sums 6 22 38, sums of squares
      -- 14 126 366, row maxima 3 7 11, row means 1.5 5.5 9.5
      local x = A({{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}}, "float64")
      local f = lu.fuse(function(a) return a:sum(2), (a * a):sum(2), a:max(2), a:mean(2),
                                            lu.greater(a, 5):any(2), lu.greater(a, 0):all(2) end)
      local r = {f(x)}
      assert.are.equal(6, #r)
      assert.are.same({6, 22, 38}, r[1]:totable())
      assert.are.same({14, 126, 366}, r[2]:totable())
      assert.are.same({3, 7, 11}, r[3]:totable())
      assert.are.same({1.5, 5.5, 9.5}, r[4]:totable())
      assert.are.same({false, true, true}, r[5]:totable())
      assert.are.same({false, true, true}, r[6]:totable())
      assert.are.equal(1, f:info().fused, tostring(f:info().why))
      assert.are.equal(1, f:info().kernels)
      -- every dtype's own result dtypes, as the unfused reductions give them
      local y = operand("int16", "T")   -- a transposed view
      local g = lu.fuse(function(a, b) return (a + b):sum(), (b * 2):prod(), b:min(), b:mean(),
                                            (a - b):max() end)
      local got = {g(x, y)}
      local want = {(x + y):sum(), (y * 2):prod(), y:min(), y:mean(), (x - y):max()}
      for k = 1, #want do
        assert.are.equal(want[k].dtype, got[k].dtype, "result " .. k)
        agree(got[k], want[k], "result " .. k)
      end
      assert.are.equal(1, g:info().fused, tostring(g:info().why))
      -- keepdims and several axes; the same reduction twice
      local z = operand("float32", "full")
      local kd = lu.fuse(function(a) local s = a:sum{axis = {1, 2}, keepdims = true}
                                     return s, (a * a):min{axis = {1, 2}, keepdims = true}, s end)
      local k1, k2, k3 = kd(z)
      agree(k1, z:sum{axis = {1, 2}, keepdims = true}, "keepdims sum")
      agree(k2, (z * z):min{axis = {1, 2}, keepdims = true}, "keepdims min")
      agree(k3, k1, "the same reduction twice")
      assert.are.equal(1, kd:info().fused, tostring(kd:info().why))
      -- few large slices: the elementwise part fused into temporaries, then
      -- lunar's own reductions (sums of integers held exactly in float64)
      local big = lu.arange(0, 100000, {device = dev}):astype("float64")
      local s3 = lu.fuse(function(a) return a:sum(), (a * a):sum(), a:min(), lu.less(a, 10):sum() end)
      local b1, b2, b3, b4 = s3(big)
      assert.are.equal(4999950000, b1:item())          -- n(n-1)/2
      assert.are.equal(333328333350000, b2:item())     -- (n-1)n(2n-1)/6
      assert.are.equal(0, b3:item())
      assert.are.equal(10, b4:item())
      assert.are.equal("int64", b4.dtype)
      assert.are.equal(1, s3:info().fused, tostring(s3:info().why))
      -- the same loop as 1250 rows of 80 (partials, then lunar's reductions),
      -- kept dims; a transposed view and a prime length reduce through
      -- temporaries instead: all give the same values
      local two = lu.fuse(function(a) return a:sum{keepdims = true}, a:max{keepdims = true} end)
      local m = big:reshape(250, 400)
      for _, v in ipairs({m, m.T}) do
        local t1, t2 = two(v)
        assert.are.same({{4999950000}}, t1:totable())
        assert.are.same({{99999}}, t2:totable())
      end
      local p1, p2 = two(lu.arange(0, 100003, {device = dev}):astype("float64"))
      assert.are.same({100003 * 100002 // 2, 100002}, {p1:item(), p2:item()})
      assert.are.equal(3, two:info().fused, tostring(two:info().why))
      -- sums of nothing fuse (each reduction has an identity); a max of
      -- nothing has none: the unfused function raises its error
      local e0 = lu.fuse(function(a) return a:sum(), a:prod(), lu.greater(a, 0):all() end)
      local e1, e2, e3 = e0(A({}, "float64"))
      assert.are.same({0, 1, true}, {e1:item(), e2:item(), e3:item()})
      assert.are.equal(1, e0:info().fused, tostring(e0:info().why))
      local em = lu.fuse(function(a) return a:sum(), a:max() end)
      assert.are.equal(h.err_of(function() return A({}, "float64"):max() end),
                       h.err_of(em, A({}, "float64")))
    end)

    it("reduces few large slices through lunar's own reduction, exactly", function()
      local x = A({0}, "float32") + lu.arange(0, 40000, {device = dev}):astype("float32"):reshape(200, 200) / 1000
      local cases = {
        {"sum", function(a) return (a * 2 + 1):sum() end},
        {"max keepdims", function(a) return (a * a):max{axis = {1, 2}, keepdims = true} end},
        {"mean", function(a) return lu.sqrt(a):mean() end},
        {"any", function(a) return lu.greater(a, 39.9):any() end},
        {"sum of bool over axis 1", function(a) return lu.less(a, 20):sum(1) end},
      }
      for _, c in ipairs(cases) do
        local f = lu.fuse(c[2])
        local got, want = f(x), c[2](x)
        assert.are.equal(want.dtype, got.dtype, c[1])
        assert.are.same(want.shape, got.shape, c[1])
        assert.are.same(flat(want), flat(got), c[1])
        assert.are.equal(1, f:info().fused, c[1])
      end
    end)

    it("falls back to the unfused function where it cannot fuse", function()
      local x = operand("float64", "full")
      local cases = {
        {"control flow on a Lua number", function(a, s) if s > 0 then return a * s end return a - s end},
        {"indexing", function(a, s) return a[1] * s end},
        {"matmul", function(a, s) return lu.matmul(a, a.T) * s end},
        {"a reduction that is not last", function(a, s) return a:sum() + s end},
        {"reductions over different axes", function(a, s) return a:sum(1), a:sum(2) end},
        {"keepdims on one reduction only", function(a, s) return a:sum(1), a:max(1, nil, true) end},
        {"a reduction beside an elementwise result", function(a, s) return a:sum(), a * s end},
        {"an unused reduction", function(a, s) local _ = a:max(); return a:sum() end},
        {"an op without a row", function(a, s) return lu.cumsum(a * s, 1) end},
        {"the argument itself", function(a, s) return a end},
        {"a Lua number", function(a, s) return s end},
        {"tostring", function(a, s) return tostring(a) end},
      }
      for _, c in ipairs(cases) do
        local f = lu.fuse(c[2])
        local got, want = f(x, 2), c[2](x, 2)
        if type(want) == "userdata" then agree(got, want, c[1]) else assert.are.equal(want, got, c[1]) end
        assert.are.equal(0, f:info().fused, c[1])
        assert.are.equal(1, f:info().eager, c[1])
        f(x, 2)   -- the signature stays unfused: no second trace
        assert.are.equal(1, f:info().signatures, c[1])
      end
      -- complex arrays are not fused
      local f = lu.fuse(function(a, b) return a * b + 1 end)
      local cx = A({1, 2}, "float64"):astype("complex128")
      agree(f(cx, cx), cx * cx + 1, "complex")
      assert.are.equal(0, f:info().fused)
      -- results of different shapes run unfused; empty arrays fuse
      local two = lu.fuse(function(a, b) return a + b, a * 2 end)
      local r1, r2 = two(A({1, 2, 3}, "float64"), A({{1, 1, 1}, {2, 2, 2}}, "float64"))
      assert.are.same({{2, 3, 4}, {3, 4, 5}}, r1:totable())
      assert.are.same({2, 4, 6}, r2:totable())
      assert.are.equal(0, two:info().fused)
      local e = two(A({}, "float32"), 1)
      assert.are.same({0}, e.shape)
      assert.are.equal("float32", e.dtype)
      assert.are.equal(1, two:info().fused)
      -- max of nothing: the unfused error; sum of nothing: 0
      local mx = lu.fuse(function(a) return (a * 2):max() end)
      assert.are.equal(h.err_of(function() return (A({}, "float64") * 2):max() end),
                       h.err_of(mx, A({}, "float64")))
      local sm = lu.fuse(function(a) return (a * 2):sum() end)
      assert.are.same(0, sm(A({}, "float64")):item())
      assert.are.equal(1, sm:info().fused)
      -- a vararg function, and comparison methods
      local va = lu.fuse(function(...) local t = {...}; return t[1]:lt(t[2]) end)
      assert.are.same({true, false}, va(A({1, 5}, "int8"), 3):totable())
      assert.are.equal(1, va:info().fused)
      -- a fused function calling another one is traced through it
      local inner = lu.fuse(function(a) return a * 2 end)
      local outer = lu.fuse(function(a, b) return inner(a) + b end)
      agree(outer(x, 1), x * 2 + 1, "nested")
      assert.are.equal(1, outer:info().fused)
    end)

    it("raises the unfused op's errors", function()
      local f = lu.fuse(function(a, b) return a - b end)
      local b = A({true, false}, "bool")
      assert.are.equal(h.err_of(function() return b - b end), h.err_of(f, b, b))
      local g = lu.fuse(function(a, s) return a + s end)
      local i8 = A({1, 2}, "int8")
      assert.are.equal(h.err_of(function() return i8 + 1000 end), h.err_of(g, i8, 1000))
      assert.are.same({2, 3}, g(i8, 1):totable())   -- the same signature, fused
      assert.are.equal(1, g:info().fused)
      local k = lu.fuse(function(a, c) return a * c end)
      assert.are.equal(h.err_of(function() return i8 * A({1, 2, 3}, "int8") end),
                       h.err_of(k, i8, A({1, 2, 3}, "int8")))
    end)

    it("refuses bad input with clear errors", function()
      assert.are.equal("lunar.fuse: bad argument #1 (a function expected, got number)", h.err_of(lu.fuse, 1))
      assert.are.equal("lunar.fuse: takes 1 argument (a function), got 0", h.err_of(lu.fuse))
      assert.are.equal("lunar.fuse: takes 1 argument (a function), got 2",
                       h.err_of(lu.fuse, function() end, 2))
      local f = lu.fuse(function(a, b) return a + b end)
      local x = A({1, 2}, "float32")
      assert.are.equal("lunar.fuse: the fused function takes 2 arguments, got 1", h.err_of(f, x))
      assert.are.equal("lunar.fuse: the fused function takes 2 arguments, got 3", h.err_of(f, x, x, x))
      -- a string argument runs the function itself, which raises
      assert.is_not_nil(h.err_of(f, x, "a"))
      assert.are.same({2, 4}, f(x, x):totable())
    end)
  end)
end
