-- SPDX-License-Identifier: MIT
-- lunar.fft: values by hand (impulses, constants, a cosine, small DFTs),
-- identities (inverse of the forward, Parseval) at lengths the backends
-- treat differently (powers of 2, odd primes, Bluestein's large primes),
-- dtype rules, positions and keyword tables, out=, the plan caches and
-- the errors users read, on every device. The NumPy differential cases
-- (tests/diff/cases/fft.py) cover the values at large.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"
local err_of = h.err_of
local F = lu.fft

-- the parts of a complex value (or a real number)
local function parts(z)
  if type(z) == "number" then return z, 0 end
  return z.real, z.imag
end

-- |e - g| <= tol * (|e| + 1) for nested tables of numbers or {re, im}
-- pairs (e) against numbers or lunar complex values (g)
local function near(e, g, tol)
  tol = tol or 1e-12
  if type(e) == "table" and type(e[1]) == "table" or (type(e) == "table" and #e ~= 2)
     or (type(e) == "table" and type(g) == "table") then
    assert(type(g) == "table" and #e == #g, ("expected %d values, got %s"):format(#e,
      type(g) == "table" and #g or type(g)))
    for i = 1, #e do near(e[i], g[i], tol) end
    return
  end
  local er, ei
  if type(e) == "table" then er, ei = e[1], e[2] else er, ei = e, 0 end
  local gr, gi = parts(g)
  assert(math.abs(er - gr) <= tol * (math.abs(er) + 1) and
         math.abs(ei - gi) <= tol * (math.abs(ei) + 1),
         ("expected %.17g%+.17gi, got %.17g%+.17gi"):format(er, ei, gr, gi))
end

-- the largest |x - y| over two arrays (complex or real), on the host
local function maxdiff(x, y)
  local d = lu.abs(x:to("cpu") - y:to("cpu"))
  return d:max():item()
end

for _, dev in ipairs(lu.devices()) do
describe("fft on " .. dev, function()
  local A = h.on(dev)

  describe("small transforms by hand", function()
    it("fft and ifft of four points", function()
      local x = A{1.0, 2, 3, 4}
      near({{10, 0}, {-2, 2}, {-2, 0}, {-2, -2}}, F.fft(x):totable())
      near({{2.5, 0}, {-0.5, -0.5}, {-0.5, 0}, {-0.5, 0.5}}, F.ifft(x):totable())
      near({1, 2, 3, 4}, F.ifft(F.fft(x)):totable())
    end)
    it("an impulse gives ones, a constant an impulse", function()
      near({{1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}}, F.fft(A{1.0, 0, 0, 0, 0}):totable())
      near({{7, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}},
           F.fft(A{1.0, 1, 1, 1, 1, 1, 1}):totable())
    end)
    it("a cosine of 3 cycles in 16 points has two lines of height 8", function()
      local t = {}
      for k = 0, 15 do t[#t + 1] = math.cos(2 * math.pi * 3 * k / 16) end
      local r = F.rfft(A(t)):totable()
      for k = 1, 9 do near(k == 4 and {8, 0} or {0, 0}, r[k], 1e-13) end
    end)
    it("rfft, irfft, hfft and ihfft of a short signal", function()
      local x = A{1.0, 2, 3, 4}
      near({{10, 0}, {-2, 2}, {-2, 0}}, F.rfft(x):totable())
      near({1, 2, 3, 4}, F.irfft(F.rfft(x)):totable())
      near({15, -4, 0, -1, 0, -4}, F.hfft(x):totable())
      near({{2.5, 0}, {-0.5, -0.5}, {-0.5, 0}}, F.ihfft(x):totable())
      -- odd n: the last value is not a Nyquist term
      near({1, 2, 3}, F.irfft(F.rfft(A{1.0, 2, 3}), 3):totable())
    end)
    it("fft2 and fftn over a matrix", function()
      local x = A{{1.0, 2}, {3, 4}}
      near({{{10, 0}, {-2, 0}}, {{-4, 0}, {0, 0}}}, F.fft2(x):totable())
      near({{{10, 0}, {-2, 0}}, {{-4, 0}, {0, 0}}}, F.fftn(x):totable())
      near({{{3, 0}, {-1, 0}}, {{7, 0}, {-1, 0}}}, F.fftn(x, nil, {2}):totable())
      near({{{10, 0}, {-2, 0}}, {{-4, 0}, {0, 0}}}, F.rfft2(x):totable())
      near({{1, 2}, {3, 4}}, F.irfft2(F.rfft2(x), {2, 2}):totable())
    end)
  end)

  describe("identities at every kind of length", function()
    -- powers of 2, odd primes of the passes, Bluestein's large primes
    for _, n in ipairs{1, 2, 3, 16, 97, 1024, 6561, 10007, 65536, 65537} do
      it("ifft(fft(x)) == x and Parseval, n = " .. n, function()
        local x = lu.random.rand(n):to(dev) + lu.complex(0, 1) * lu.random.rand(n):to(dev)
        local y = F.fft(x)
        assert.is_true(maxdiff(F.ifft(y), x) < 1e-12)
        local ex = (lu.abs(x) ^ 2):sum():item()
        local ey = (lu.abs(y) ^ 2):sum():item() / n
        h.close(ex, ey, 1e-11)
        local r = lu.random.rand(n):to(dev)
        if n > 1 then
          assert.is_true(maxdiff(F.irfft(F.rfft(r), n), r) < 1e-12)
        end
      end)
    end
    it("a batch along a strided axis equals the transform of each line", function()
      local x = lu.random.rand(16, 12):to(dev)
      local all = F.fft(x, nil, 1)
      for j = 1, 12, 5 do
        local col = F.fft(x[{{}, j}]:copy())
        assert.is_true(maxdiff(all[{{}, j}], col) < 1e-13)
      end
    end)
  end)

  describe("dtypes", function()
    it("follow NumPy 2: single precision stays single", function()
      assert.are.equal("complex64", F.fft(A({1, 2, 3}, "float32")).dtype)
      assert.are.equal("complex64", F.fft(A({1, 2, 3}, "float16")).dtype)
      assert.are.equal("complex64", F.fft(F.fft(A({1, 2, 3}, "float32"))).dtype)
      assert.are.equal("complex128", F.fft(A{1.0, 2, 3}).dtype)
      assert.are.equal("complex128", F.fft(A({1, 2, 3}, "int16")).dtype)
      assert.are.equal("complex128", F.fft(A{true, false}).dtype)
      assert.are.equal("complex64", F.rfft(A({1, 2, 3}, "float32")).dtype)
      assert.are.equal("float32", F.irfft(A({1, 2, 3}, "complex64")).dtype)
      assert.are.equal("float64", F.irfft(A({1, 2, 3}, "int32")).dtype)
      assert.are.equal("float16", F.irfft(A({1, 2, 3}, "float16")).dtype)
      assert.are.equal("float32", F.irfftn(A({{1, 2}, {3, 4}}, "float16")).dtype)
      assert.are.equal("float64", F.fftfreq(4).dtype)
    end)
    it("computes float32 input accurately", function()
      near({{6, 0}, {-1.5, 0.8660254}, {-1.5, -0.8660254}},
           F.fft(A({1, 2, 3}, "float32")):totable(), 1e-6)
    end)
  end)

  describe("parameters", function()
    local x = A{1.0, 2, 3, 4}
    it("n crops and zero-pads, by position and by name", function()
      near({{3, 0}, {-1, 0}}, F.fft(x, 2):totable())
      near({{3, 0}, {-1, 0}}, F.fft(x, {n = 2}):totable())
      assert.is_true(maxdiff(F.fft(A{1.0, 2, 3, 4, 0, 0}), F.fft(x, 6)) < 1e-13)
      near({1, 2, 3, 4, 0, 0}, F.ifft(F.fft(x, 6)):totable())
    end)
    it("axis is 1-based, negative from the end", function()
      local m = A{{1.0, 2}, {3, 4}}
      near({{{4, 0}, {6, 0}}, {{-2, 0}, {-2, 0}}}, F.fft(m, nil, 1):totable())
      near({{{4, 0}, {6, 0}}, {{-2, 0}, {-2, 0}}}, F.fft(m, {axis = -2}):totable())
      near({{{3, 0}, {-1, 0}}, {{7, 0}, {-1, 0}}}, F.fft(m, {axis = 2}):totable())
    end)
    it("norm: backward, ortho, forward", function()
      near({{10, 0}, {-2, 2}, {-2, 0}, {-2, -2}}, F.fft(x, nil, nil, "backward"):totable())
      near({{5, 0}, {-1, 1}, {-1, 0}, {-1, -1}}, F.fft(x, {norm = "ortho"}):totable())
      near({{2.5, 0}, {-0.5, 0.5}, {-0.5, 0}, {-0.5, -0.5}}, F.fft(x, {norm = "forward"}):totable())
      near({1, 2, 3, 4}, F.ifft(F.fft(x, {norm = "ortho"}), {norm = "ortho"}):totable())
      near({1, 2, 3, 4}, F.irfft(F.rfft(x, {norm = "forward"}), {norm = "forward"}):totable())
      near({1, 2, 3, 4}, F.ihfft(F.hfft(x, 7, nil, "ortho"), nil, nil, "ortho"):totable())
    end)
    it("s and axes: defaults, -1, repeated axes", function()
      local m = lu.arange(0, 12):reshape(3, 4):astype("float64"):to(dev)
      assert.are.same({3, 4}, F.fftn(m).shape)
      assert.are.same({2, 8}, F.fftn(m, {2, 8}).shape)
      assert.are.same({3, 8}, F.fftn(m, {-1, 8}).shape)
      assert.are.same({3, 5}, F.rfftn(m, {3, 8}).shape)
      assert.are.same({3, 6}, F.irfftn(m).shape)
      assert.are.same({3, 4}, F.irfftn(m, {-1, -1}).shape)
      -- transforming an axis twice is n times the reversed input along it
      local twice = F.fftn(m, nil, {2, 2})
      local rev = lu.roll(m[{{}, {-1, 1, -1}}], 1, 2) * 4
      assert.is_true(maxdiff(twice, rev:astype("complex128")) < 1e-12)
    end)
    it("writes into out= and returns it", function()
      local o = lu.zeros({4}, {dtype = "complex64", device = dev})
      local r = F.fft(x, {out = o})
      assert.are.equal(o, r)
      near({{10, 0}, {-2, 2}, {-2, 0}, {-2, -2}}, o:totable(), 1e-6)
    end)
    it("takes Lua tables as input", function()
      near({{3, 0}, {-1, 0}}, F.fft({1, 2}):totable())
    end)
    it("handles empty batches", function()
      assert.are.same({0, 4}, F.fft(lu.zeros({0, 4}, {device = dev})).shape)
      assert.are.same({2, 0, 3}, F.rfft(lu.zeros({2, 0, 4}, {device = dev})).shape)
    end)
    it("reads non-contiguous views without copying them first", function()
      local b = lu.random.rand(6, 10):to(dev)
      local v = b[{{}, {1, -1, 2}}]                 -- every other column
      assert.is_true(maxdiff(F.fft(v), F.fft(v:copy())) < 1e-13)
      local r = b[{{-1, 1, -1}, {}}]                 -- rows reversed
      assert.is_true(maxdiff(F.rfft(r, nil, 1), F.rfft(r:copy(), nil, 1)) < 1e-13)
      assert.is_true(maxdiff(F.fft2(b.T), F.fft2(b.T:copy())) < 1e-12)
    end)
  end)

  describe("frequencies and shifts", function()
    it("fftfreq and rfftfreq", function()
      near({0, 1.25, 2.5, 3.75, -5, -3.75, -2.5, -1.25}, F.fftfreq(8, 0.1):totable())
      near({0, 0.2, 0.4, -0.4, -0.2}, F.fftfreq(5):totable())
      near({0, 0.125, 0.25, 0.375, 0.5}, F.rfftfreq(8):totable())
      near({0, 0.25, 0.5}, F.rfftfreq{n = 5, d = 0.8}:totable())
      assert.are.equal(dev, F.fftfreq(4, {device = dev}).device)
    end)
    it("fftshift and ifftshift", function()
      assert.are.same({3, 4, 0, 1, 2}, F.fftshift(lu.arange(0, 5, {device = dev})):totable())
      assert.are.same({2, 3, 4, 0, 1}, F.ifftshift(lu.arange(0, 5, {device = dev})):totable())
      local m = A{{1, 2, 3}, {4, 5, 6}}
      assert.are.same({{6, 4, 5}, {3, 1, 2}}, F.fftshift(m):totable())
      assert.are.same({{3, 1, 2}, {6, 4, 5}}, F.fftshift(m, 2):totable())
      assert.are.same({{4, 5, 6}, {1, 2, 3}}, F.ifftshift(m, {axes = {1}}):totable())
    end)
  end)

  describe("errors", function()
    local x = A{1.0, 2, 3, 4}
    it("name the function and the argument", function()
      assert.are.equal("lunar.fft.fft: bad argument #2 (invalid number of FFT data points (0) specified)",
                       err_of(F.fft, x, 0))
      assert.are.equal("lunar.fft.fft: bad argument #3 (axis 2 is out of bounds for array of dimension 1)",
                       err_of(F.fft, x, nil, 2))
      assert.are.equal("lunar.fft.ifft: bad argument #4 (invalid norm value 'x'; should be "
                       .. "\"backward\", \"ortho\" or \"forward\")", err_of(F.ifft, x, nil, nil, "x"))
      assert.are.equal("lunar.fft.fft: bad argument #2 (unknown option 'axes')",
                       err_of(F.fft, x, {axes = 1}))
      assert.are.equal("lunar.fft.fft: bad argument #6 (unexpected argument (number); "
                       .. "lunar.fft.fft takes 4 positional arguments after the first)",
                       err_of(F.fft, x, 4, 1, "ortho", nil, 5))
      assert.are.equal("fft.rfft: the input must be real, got complex128 (take .real, or use fft "
                       .. "for complex input)", err_of(F.rfft, F.fft(x)))
      assert.are.equal("fft.irfft: invalid number of FFT data points (0) specified",
                       err_of(F.irfft, A{1.0}))
      assert.are.equal("lunar.fft.fftn: bad argument #2 (s and axes have different lengths (3 and 1))",
                       err_of(F.fftn, x, {4, 4, 4}, {1}))
      assert.are.equal("lunar.fft.fft2: bad argument #1 (2 axes asked of an array of dimension 1)",
                       err_of(F.fft2, x))
      assert.are.equal("lunar.fft.fft: bad argument #1 (the input must have at least one axis, "
                       .. "got a 0-d array)", err_of(F.fft, lu.array(1.0, {device = dev})))
      assert.are.equal("lunar.fft.fft: bad argument #2 (out has shape (3,), the result has shape (4,))",
                       err_of(F.fft, x, {out = lu.zeros({3}, {dtype = "complex128", device = dev})}))
      assert.are.equal("lunar.fft.fft: bad argument #2 (cannot cast the result from complex128 to "
                       .. "out's float64 according to the rule 'same_kind')",
                       err_of(F.fft, x, {out = lu.zeros({4}, {device = dev})}))
      assert.are.equal("lunar.fft.fftfreq: bad argument #1 (n must be a positive integer, got 0)",
                       err_of(F.fftfreq, 0))
      assert.are.equal("lunar.fft.fftfreq: bad argument #1 (n must be an integer, got 2.5)",
                       err_of(F.fftfreq, 2.5))
    end)
    it("leave the interpreter usable", function()
      err_of(F.fft, x, 0)
      near({{3, 0}, {-1, 0}}, F.fft(x, 2):totable())
    end)
  end)

  describe("config.plan_cache", function()
    local P = F.config.plan_cache
    it("counts plans, bounds them and clears them, per device", function()
      local keep = P.max_size(dev)
      P.clear(dev)
      assert.are.equal(0, P.size(dev))
      assert.are.equal(0, P.memsize(dev))
      F.fft(lu.zeros({24}, {device = dev}))
      F.fft(lu.zeros({40}, {device = dev}))
      assert.are.equal(2, P.size(dev))
      assert.is_true(P.memsize(dev) >= 0)
      if dev == "cpu" then assert.is_true(P.memsize(dev) > 0) end
      P.set_size(1, dev)
      assert.are.equal(1, P.size(dev))
      assert.are.equal(1, P.max_size(dev))
      P.set_size(0, dev)
      assert.are.equal(0, P.size(dev))
      near({{3, 0}, {-1, 0}}, F.fft(A{1.0, 2}):totable())   -- still works, keeps nothing
      assert.are.equal(0, P.size(dev))
      P.set_size(keep, dev)
      P.set_memsize(1 << 30, dev)
      assert.are.equal(1 << 30, P.max_memsize(dev))
      P.set_memsize(-1, dev)
      local info = P.get_info(dev)
      assert.are.same({size = 0, max_size = keep, memsize = 0, max_memsize = -1, device = dev}, info)
    end)
    it("checks its arguments", function()
      assert.are.equal("lunar.fft.config.plan_cache.set_size: bad argument #1 (size must be "
                       .. "non-negative, got -1)", err_of(P.set_size, -1))
      assert.are.equal("lunar.fft.config.plan_cache.set_memsize: bad argument #1 (memsize must "
                       .. "be an integer, got string)", err_of(P.set_memsize, "x"))
      assert.are.equal("lunar.fft.config.plan_cache.size: bad argument #1 (device must be a "
                       .. "string, got number)", err_of(P.size, 3))
    end)
  end)
end)
end
