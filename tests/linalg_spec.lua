-- SPDX-License-Identifier: MIT
-- lunar.linalg: results by hand and by identity (Q R = A, U S Vh = A,
-- A v = v w), dtypes, batches and broadcasting, views, keyword tables, the
-- errors users read, NaN that never hangs, on every device. The NumPy
-- differential cases (tests/diff/cases/linalg.py) cover the values at
-- large.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"
local err_of = h.err_of
local L = lu.linalg

-- |e - g| <= tol * (|e| + 1) for every element of nested tables (or numbers)
local function near(e, g, tol)
  tol = tol or 1e-9
  if type(e) == "table" then
    assert(type(g) == "table" and #e == #g, ("shape: expected %d elements, got %s"):format(#e,
      type(g) == "table" and #g or type(g)))
    for i = 1, #e do near(e[i], g[i], tol) end
    return
  end
  assert(math.abs(e - g) <= tol * (math.abs(e) + 1), ("expected %.17g, got %.17g"):format(e, g))
end

local function T(x) return L.matrix_transpose(x) end

for _, dev in ipairs(lu.devices()) do
describe("linalg on " .. dev, function()
  local A = h.on(dev)
  local a3 = A{{4.0, 1, 0}, {1, 3, 1}, {0, 1, 2}}       -- symmetric positive definite, det 18

  describe("solve and inv", function()
    it("solves a vector and a matrix right-hand side", function()
      near({2 / 9, 1 / 9, 13 / 9}, L.solve(a3, A{1.0, 2, 3}):totable())
      near({{2 / 9, -1 / 9}, {1 / 9, 4 / 9}, {13 / 9, -2 / 9}},
           L.solve(a3, A{{1.0, 0}, {2, 1}, {3, 0}}):totable())
    end)
    it("broadcasts batch axes; a 1-D b is one vector for every matrix (NumPy 2)", function()
      local a = A{{{4.0, 1, 0}, {1, 3, 1}, {0, 1, 2}}, {{8.0, 2, 0}, {2, 6, 2}, {0, 2, 4}}}
      local x = L.solve(a, A{1.0, 2, 3})
      assert.are.same({2, 3}, x.shape)
      near({{2 / 9, 1 / 9, 13 / 9}, {1 / 9, 1 / 18, 13 / 18}}, x:totable())
      local b = A{{1.0}, {2}, {3}}
      local y = L.solve(a, b)                       -- (2,3,3) with (3,1): b broadcast
      assert.are.same({2, 3, 1}, y.shape)
      local z = L.solve(a3, A{{{1.0}, {2}, {3}}, {{2.0}, {4}, {6}}})   -- a broadcast
      assert.are.same({2, 3, 1}, z.shape)
      near({{{2 / 9}, {1 / 9}, {13 / 9}}, {{4 / 9}, {2 / 9}, {26 / 9}}}, z:totable())
    end)
    it("keeps float32, computes integers in float64, promotes mixed dtypes", function()
      assert.are.equal("float32", L.solve(a3:astype("float32"), A({1, 2, 3}, "float32")).dtype)
      assert.are.equal("float64", L.solve(A{{2, 0}, {0, 4}}, A{2, 4}).dtype)
      near({1, 1}, L.solve(A{{2, 0}, {0, 4}}, A{2, 4}):totable())
      assert.are.equal("float64", L.solve(a3:astype("float32"), A{1.0, 2, 3}).dtype)
      assert.are.equal("float32", L.inv(a3:astype("float32")).dtype)
      assert.are.equal("float64", L.inv(A({{1, 1}, {0, 1}}, "bool")).dtype)
    end)
    it("reads transposed and strided views", function()
      local at = A{{4.0, 1, 0}, {1, 3, 1}, {0, 1, 2}}.T     -- symmetric: the same matrix
      near(L.solve(a3, A{1.0, 2, 3}):totable(), L.solve(at, A{1.0, 2, 3}):totable())
      local wide = A{{4.0, 9, 1, 9, 0}, {1, 9, 3, 9, 1}, {0, 9, 1, 9, 2}}
      near(L.inv(a3):totable(), L.inv(wide[{{}, {1, -1, 2}}]):totable())
    end)
    it("inverts: a @ inv(a) is the identity", function()
      near({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, a3:matmul(L.inv(a3)):totable())
      near({{0.5, -0.5}, {0, 0.5}}, L.inv(A{{2.0, 2}, {0, 2}}):totable())
    end)
    it("empty matrices and batches give empty results", function()
      assert.are.same({0, 0}, L.inv(lu.zeros({0, 0}, {device = dev})).shape)
      assert.are.same({0, 3, 3}, L.inv(lu.zeros({0, 3, 3}, {device = dev})).shape)
      assert.are.same({3, 0}, L.solve(a3, lu.zeros({3, 0}, {device = dev})).shape)
    end)
    it("names a singular matrix, and which one of a stack", function()
      local s = A{{1.0, 2}, {2, 4}}
      assert.are.equal("linalg.solve: singular matrix", err_of(L.solve, s, A{1.0, 2}))
      assert.are.equal("linalg.inv: singular matrix", err_of(L.inv, s))
      local st = A{{{1.0, 0}, {0, 1}}, {{1, 0}, {0, 1}}, {{1, 2}, {2, 4}}}
      assert.are.equal("linalg.inv: singular matrix (batch item 3)", err_of(L.inv, st))
    end)
    it("rejects shapes that do not fit", function()
      assert.are.equal("linalg.inv: last 2 dimensions of the array must be square, got shape (2,3)",
                       err_of(L.inv, A{{1.0, 2, 3}, {4, 5, 6}}))
      assert.are.equal("linalg.inv: 1-dimensional array given. Array must be at least two-dimensional",
                       err_of(L.inv, A{1.0, 2}))
      assert.are.equal("linalg.solve: a of shape (3,3) and b of shape (2,) do not match: b needs 3 elements",
                       err_of(L.solve, a3, A{1.0, 2}))
      assert.are.equal("linalg.solve: a of shape (3,3) and b of shape (2,1) do not match: b needs 3 rows",
                       err_of(L.solve, a3, A{{1.0}, {2}}))
      assert.truthy(err_of(L.solve, A{{{1.0}}, {{2}}}, A{{{1.0}}, {{1}}, {{1}}}):find("broadcast"))
    end)
    it("NaN gives NaN, not an error or a hang", function()
      local r = L.solve(A{{1.0, 0 / 0}, {0, 1}}, A{1.0, 1}):totable()
      assert(r[1] ~= r[1])
    end)
  end)

  -- A GPU solves and inverts real matrices of order <= 32 in one kernel
  -- (Gauss-Jordan with partial pivoting, W = 4, 8, 16 or 32 lanes a
  -- matrix): each order below is another kernel. Its results must be the
  -- CPU's LAPACK results but for rounding, and satisfy A X = B.
  describe("stacks of small matrices", function()
    -- rows mixed so that partial pivoting swaps: no diagonal dominance
    local function stack(b, n, dt)
      local x = lu.sin(lu.arange(b * n * n, {device = dev}):reshape(b, n, n) * 0.731 + 0.3)
      return (x + lu.eye(n, {device = dev}):flip(1) * 0.5):astype(dt)
    end
    local function close(want, got, tol)
      local w, g = h.leaves(want:to("cpu"):totable()), h.leaves(got:to("cpu"):totable())
      assert.are.equal(#w, #g)
      for i = 1, #w do
        assert(math.abs(w[i] - g[i]) <= tol * (math.abs(w[i]) + 1),
               ("element %d: expected %.9g, got %.9g"):format(i, w[i], g[i]))
      end
    end
    for _, dt in ipairs({"float32", "float64"}) do
      local tol = dt == "float32" and 2e-3 or 1e-9
      for _, n in ipairs({1, 3, 4, 8, 13, 32}) do
        it(("inv and solve of order %d, %s, agree with the CPU and with A X = B"):format(n, dt),
           function()
          local a = stack(5, n, dt)
          local ac = a:to("cpu")
          local x = L.inv(a)
          assert.are.equal(dt, x.dtype)
          close(L.inv(ac), x, tol)
          close(lu.broadcast_to(lu.eye(n, {dtype = dt}), {5, n, n}), ac:matmul(x:to("cpu")), tol)
          local bm = lu.cos(lu.arange(5 * n * n, {device = dev}):reshape(5, n, n)):astype(dt)
          close(L.solve(ac, bm:to("cpu")), L.solve(a, bm), tol)
          local bk = bm[{{}, {}, {1, math.max(1, n // 2)}}]        -- fewer columns than n
          close(L.solve(ac, bk:to("cpu")), L.solve(a, bk), tol)
          local bv = lu.cos(lu.arange(n, {device = dev})):astype(dt)   -- one vector for all
          close(L.solve(ac, bv:to("cpu")), L.solve(a, bv), tol)
          local at = a:swapaxes(2, 3)                              -- column-major matrices
          close(L.solve(at:to("cpu"), bm:to("cpu")), L.solve(at, bm), tol)
          close(L.inv(at:to("cpu")), L.inv(at), tol)
          close(L.inv(ac[1]), L.inv(a[1]), tol)                    -- one matrix alone
        end)
      end
    end
    -- one right-hand side of a larger matrix: a GPU solves it after getrf
    -- with two trsv and lunar's row-swap kernel (b in shared memory, up
    -- to 48 KiB), past that with getrs; A row-major is solved as A^T with
    -- the swaps last, a column-major A with the swaps first
    for _, case in ipairs({{"float64", 33, 1}, {"float32", 200, 1}, {"float64", 700, 3},
                           {"complex128", 150, 2}, {"complex64", 64, 1}}) do
      local dt, n, b = case[1], case[2], case[3]
      it(("solve of one right-hand side, order %d, %s, %d matrices, agrees with the CPU"):format(n, dt, b),
         function()
        local tol = (dt == "float32" or dt == "complex64") and 2e-3 or 1e-9
        local a = stack(b, n, dt)
        if dt:match("complex") then a = a + stack(b, n, dt):flip(2) * lu.complex(0, 0.5) end
        local v = lu.cos(lu.arange(n, {device = dev}) * 0.37):astype(dt)
        local function agree(m)
          local want, got = L.solve(m:to("cpu"), v:to("cpu")), L.solve(m, v)
          close(lu.real(want), lu.real(got), tol)
          close(lu.imag(want), lu.imag(got), tol)
        end
        agree(a)
        agree(a:swapaxes(2, 3))
        agree(a[1])
      end)
    end
    if dev ~= "cpu" then
      it("solve of one right-hand side past the row-swap kernel's 48 KiB goes through getrs", function()
        local n = 3073                                   -- 3073 complex128 elements: 49168 bytes
        local a = stack(1, n, "complex128")[1]
        local v = lu.cos(lu.arange(n, {device = dev}) * 0.37):astype("complex128")
        local want, got = L.solve(a:to("cpu"), v:to("cpu")), L.solve(a, v)
        close(lu.real(want), lu.real(got), 1e-8)
        close(lu.imag(want), lu.imag(got), 1e-8)
      end)
    end
    -- inverses of order >= 256: a GPU follows getrf with L^-1 by halves
    -- (gemm; trsm on the identity up to order 512), one trsm for U^-1 L^-1
    -- and a column permutation (cuda/linalg.c, inv_trsm); orders below,
    -- at and across 512, one and two levels of halves, row- and column-major
    for _, case in ipairs({{"float64", 256, 1}, {"float32", 300, 2}, {"complex128", 513, 1},
                           {"complex64", 260, 1}, {"float64", 600, 1}, {"float64", 1100, 1}}) do
      local dt, n, b = case[1], case[2], case[3]
      it(("inv of order %d, %s, %d matrices, agrees with the CPU and with A X = I"):format(n, dt, b),
         function()
        local tol = (dt == "float32" or dt == "complex64") and 2e-3 or 1e-9
        local function near_all(want, got)   -- |w - g| <= tol (|w| + 1), as close() on tables
          local worst = (lu.abs(want - got) / (lu.abs(want) + 1)):max():item()
          assert(worst <= tol, ("worst relative difference %.3g, tolerance %g"):format(worst, tol))
        end
        local a = stack(b, n, dt)
        if dt:match("complex") then a = a + stack(b, n, dt):flip(2) * lu.complex(0, 0.5) end
        local function agree(m)
          local want, got = L.inv(m:to("cpu")), L.inv(m)
          assert.are.equal(dt, got.dtype)
          near_all(want, got:to("cpu"))
          return got
        end
        local x = agree(a)
        agree(a:swapaxes(2, 3))
        near_all(lu.eye(n, {dtype = dt, device = "cpu"}), a:to("cpu"):matmul(x:to("cpu")))
      end)
    end
    it("inv of order 256: names the singular matrix of a stack; NaN gives that matrix NaN", function()
      local a = stack(3, 256, "float64")
      local sing = a:copy()
      sing[{2, {}, 100}] = 0
      assert.are.equal("linalg.inv: singular matrix (batch item 2)", err_of(L.inv, sing))
      local bad = a:copy()
      bad[{3, 17, 200}] = 0 / 0
      local x = L.inv(bad):to("cpu")
      assert(lu.isnan(x[3]):all():item(), "the NaN matrix's inverse is NaN")
      local want = L.inv(a[{{1, 2}}]:to("cpu"))
      assert((lu.abs(want - x[{{1, 2}}]) / (lu.abs(want) + 1)):max():item() <= 1e-9)
    end)
    it("name the singular matrix of a stack; NaN gives that matrix NaN only", function()
      local a = stack(4, 8, "float64")
      local sing = a:copy()
      sing[{3, {}, 5}] = 0          -- a zero column: an exact zero pivot for every LU
      assert.are.equal("linalg.inv: singular matrix (batch item 3)", err_of(L.inv, sing))
      assert.are.equal("linalg.solve: singular matrix (batch item 3)",
                       err_of(L.solve, sing, lu.ones(8, {device = dev})))
      local zero = a:copy()
      zero[{4}] = 0
      assert.are.equal("linalg.inv: singular matrix (batch item 4)", err_of(L.inv, zero))
      local bad = a:copy()
      bad[{2, 4, 7}] = 0 / 0
      local x, want = L.inv(bad):to("cpu"):totable(), L.inv(a):to("cpu"):totable()
      for i = 1, 8 do for j = 1, 8 do
        assert(x[2][i][j] ~= x[2][i][j], "the NaN matrix's inverse is NaN")
        for _, k in ipairs({1, 3, 4}) do near(want[k][i][j], x[k][i][j]) end
      end end
      local y = L.solve(bad, lu.ones({4, 8, 2}, {device = dev})):to("cpu"):totable()
      assert(y[2][8][2] ~= y[2][8][2])
      assert(y[1][1][1] == y[1][1][1])
      -- cond of a singular matrix is inf, not an error (a lenient inverse)
      local c = L.cond(sing, 1):to("cpu"):totable()
      assert.are.equal(math.huge, c[3])
    end)
  end)

  describe("det and slogdet", function()
    it("match the determinant", function()
      near(18, L.det(a3):item())
      near(-2, L.det(A{{1.0, 2}, {3, 4}}):item())
      local sign, la = L.slogdet(A{{1.0, 2}, {3, 4}})
      near(-1, sign:item())
      near(math.log(2), la:item())
    end)
    it("stacks give one value per matrix; a singular one gives 0 and -inf", function()
      local st = A{{{1.0, 2}, {3, 4}}, {{2, 1}, {4, 2}}, {{0, 1}, {1, 0}}}
      near({-2, 0, -1}, L.det(st):totable())
      local sign, la = L.slogdet(st)
      near({-1, 0, -1}, sign:totable())
      local t = la:totable()
      assert.are.equal(-math.huge, t[2])
      assert.are.equal(0, L.det(lu.zeros({0, 0}, {device = dev})):item() - 1)
    end)
    it("returns 0-d arrays of the computing dtype", function()
      local d = L.det(A({{2, 0}, {0, 3}}, "int32"))
      assert.are.equal(0, d.ndim)
      assert.are.equal("float64", d.dtype)
      assert.are.equal("float32", L.det(a3:astype("float32")).dtype)
    end)
  end)

  describe("cholesky", function()
    it("gives L with L L^T = a, or U with U^T U = a", function()
      local l = L.cholesky(a3)
      near(a3:totable(), l:matmul(T(l)):totable())
      near(0, l[{1, 2}])
      near(2, l[{1, 1}])
      local u = L.cholesky(a3, {upper = true})
      near(a3:totable(), T(u):matmul(u):totable())
      near(0, u[{2, 1}])
    end)
    it("reads one triangle only", function()
      local junk = A{{4.0, 99, 99}, {1, 3, 99}, {0, 1, 2}}
      near(L.cholesky(a3):totable(), L.cholesky(junk):totable())
      local ujunk = A{{4.0, 1, 0}, {-7, 3, 1}, {99, 99, 2}}
      near(L.cholesky(a3, {upper = true}):totable(), L.cholesky(ujunk, {upper = true}):totable())
      -- a stack (the batched routine on a GPU), each factor by hand
      local l = L.cholesky(lu.stack({junk, junk * 4}))
      near({{{2, 0, 0}, {0.5, math.sqrt(2.75), 0}, {0, 1 / math.sqrt(2.75), math.sqrt(2 - 1 / 2.75)}},
            {{4, 0, 0}, {1, 2 * math.sqrt(2.75), 0}, {0, 2 / math.sqrt(2.75), 2 * math.sqrt(2 - 1 / 2.75)}}},
           l:totable())
      assert.is_true(l.flags.c_contiguous)
    end)
    it("names the matrix that is not positive definite", function()
      assert.are.equal("linalg.cholesky: matrix is not positive definite",
                       err_of(L.cholesky, A{{1.0, 2}, {2, 1}}))
      local st = A{{{1.0, 0}, {0, 1}}, {{2, 0}, {0, 2}}, {{-1, 0}, {0, 1}}}
      assert.are.equal("linalg.cholesky: matrix is not positive definite (batch item 3)",
                       err_of(L.cholesky, st))
      assert.are.equal("lunar.linalg.cholesky: bad argument #2 (unexpected argument (boolean))",
                       err_of(L.cholesky, a3, true))
    end)
  end)

  describe("qr", function()
    local m = A{{1.0, 2}, {3, 4}, {5, 6}}
    it("reduced: Q (3,2) orthonormal columns, R (2,2) upper, Q R = a", function()
      local q, r = L.qr(m)
      assert.are.same({3, 2}, q.shape)
      assert.are.same({2, 2}, r.shape)
      near(m:totable(), q:matmul(r):totable())
      near({{1, 0}, {0, 1}}, T(q):matmul(q):totable())
      near(0, r[{2, 1}])
    end)
    it("complete, r and raw modes, by position or by name", function()
      local q, r = L.qr(m, "complete")
      assert.are.same({3, 3}, q.shape)
      assert.are.same({3, 2}, r.shape)
      near(m:totable(), q:matmul(r):totable())
      near({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, T(q):matmul(q):totable())
      local r2 = L.qr(m, {mode = "r"})
      assert.are.same({2, 2}, r2.shape)
      near(T(m):matmul(m):totable(), T(r2):matmul(r2):totable())
      local hh, tau = L.qr(m, "raw")
      assert.are.same({2, 3}, hh.shape)
      assert.are.same({2}, tau.shape)
      assert.are.equal('linalg.qr: unrecognized mode \'full\' ("reduced", "complete", "r" or "raw")',
                       err_of(L.qr, m, "full"))
    end)
    it("wide and stacked matrices", function()
      local w = A{{{1.0, 2, 3}, {4, 5, 6}}, {{0, 1, 0}, {1, 0, 1}}}
      local q, r = L.qr(w)
      assert.are.same({2, 2, 2}, q.shape)
      assert.are.same({2, 2, 3}, r.shape)
      near(w:totable(), q:matmul(r):totable())
    end)
  end)

  describe("svd", function()
    local m = A{{1.0, 2}, {3, 4}, {5, 6}}
    it("U diag(S) Vh = a with orthonormal U and Vh; S descending", function()
      for _, x in ipairs{m, T(m), m:astype("float32")} do
        local tol = x.dtype == "float32" and 1e-5 or 1e-10
        local u, s, vh = L.svd(x, false)
        local sv = s:totable()
        assert(sv[1] >= sv[2])
        local sh = s.shape
        table.insert(sh, #sh, 1)
        near(x:totable(), (u * s:reshape(sh)):matmul(vh):totable(), tol)
        near({{1, 0}, {0, 1}}, T(u):matmul(u):totable(), tol)
        near({{1, 0}, {0, 1}}, vh:matmul(T(vh)):totable(), tol)
        assert.are.equal(x.dtype, u.dtype)
      end
      local u, s, vh = L.svd(m)
      assert.are.same({3, 3}, u.shape)
      assert.are.same({2, 2}, vh.shape)
      near({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, T(u):matmul(u):totable())
      near(s:totable(), L.svdvals(m):totable())
      near(s:totable(), L.svd(m, {compute_uv = false}):totable())
      near({9.5255180915651, 0.5143005806586}, s:totable(), 1e-12)
    end)
    -- matrices of 64 columns or more take the GPU's polar route (gesvdp),
    -- which perturbs a matrix with singular values near zero; the backend
    -- then redoes it by QR iteration, so the zero values stay at rounding
    -- level: a rank-60 product of 120 x 60 and 60 x 120 has 60 of them
    it("large and rank-deficient matrices: U diag(S) Vh = a, zeros where the rank ends", function()
      local function mat(r, c, k)
        local x = lu.arange(r * c, {dtype = "float64", device = dev})
        return ((lu.sin(x * (1.7 + k)) * 1000) % 1 - 0.5):reshape(r, c)
      end
      for _, dt in ipairs{ "float64", "float32" } do
        local tol = dt == "float32" and 2e-5 or 1e-12
        local full = mat(160, 120, 0):astype(dt)
        local low = mat(120, 60, 1):matmul(mat(60, 120, 2)):astype(dt)
        for i, x in ipairs{ full, T(full), low } do
          for _, fm in ipairs{ false, true } do
            local u, s, vh = L.svd(x, fm)
            local k = s.shape[1]
            local uk = fm and u[{ {}, { 1, k } }] or u
            local vk = fm and vh[{ { 1, k }, {} }] or vh
            local back = (uk * s:reshape(1, k)):matmul(vk)
            local scale = s[1]
            assert.is_true((back - x):abs():max():item() <= tol * scale, dt .. " reconstruction")
            local eye = lu.eye(u.shape[2], {dtype = dt, device = dev})
            assert.is_true((T(u):matmul(u) - eye):abs():max():item() <= 10 * tol, dt .. " U orthonormal")
            if i == 3 then
              local tail = s[{ { 61, 120 } }]:abs():max():item()
              assert.is_true(tail <= tol * scale, ("%s: value 61.. %.3g of %.3g"):format(dt, tail, scale))
            end
          end
        end
        -- a stack of them: each matrix redone on its own, one workspace
        local st = lu.stack({ low, low * 2, low * 3, low * 4 })
        local u, s = L.svd(st, false)
        assert.are.same({ 4, 120, 120 }, u.shape)
        for b = 1, 4 do
          local sb = s[b]
          local scale = sb[1]
          local tail = sb[{ { 61, 120 } }]:abs():max():item()
          assert.is_true(tail <= tol * scale, ("%s stack %d: value 61.. %.3g of %.3g"):format(dt, b, tail, scale))
        end
      end
    end)
    it("NaN or inf: 'SVD did not converge', never a hang", function()
      assert.are.equal("linalg.svd: SVD did not converge", err_of(L.svd, A{{1.0, 0 / 0}, {0, 1}}))
      local st = A{{{1.0, 0}, {0, 1}}, {{1, 0}, {0, math.huge}}}
      assert.are.equal("linalg.svdvals: SVD did not converge (batch item 2)", err_of(L.svdvals, st))
      assert.are.equal("linalg.pinv: SVD did not converge", err_of(L.pinv, A{{0 / 0}}))
    end)
    it("checks its options", function()
      assert.are.equal("lunar.linalg.svd: bad argument #2 (full_matrices must be a boolean, got number)",
                       err_of(L.svd, m, 1))
      assert.are.equal("lunar.linalg.svd: bad argument #2 (unknown option 'full')",
                       err_of(L.svd, m, {full = true}))
      assert.are.equal("lunar.linalg.svd: bad argument #3 (option 'full_matrices' is also given by position)",
                       err_of(L.svd, m, false, {full_matrices = true}))
      assert.are.equal("lunar.linalg.svd: bad argument #5 (unexpected argument (boolean))",
                       err_of(L.svd, m, true, true, false, true))
    end)
  end)

  describe("eigh", function()
    it("w ascending and a v = v w, orthonormal v", function()
      local w, v = L.eigh(a3)
      near({3 - math.sqrt(3), 3, 3 + math.sqrt(3)}, w:totable())
      local sh = w.shape
      table.insert(sh, #sh, 1)
      near(a3:matmul(v):totable(), (v * w:reshape(sh)):totable())
      near({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, T(v):matmul(v):totable())
      near(w:totable(), L.eigvalsh(a3):totable())
    end)
    it("UPLO picks the triangle", function()
      local lo = A{{2.0, 50}, {1, 2}}               -- lower: [[2,1],[1,2]] -> 1, 3
      near({1, 3}, L.eigvalsh(lo):totable())
      near({-48, 52}, L.eigvalsh(lo, "U"):totable())
      near({-48, 52}, L.eigvalsh(lo, {UPLO = "u"}):totable())
      assert.are.equal('lunar.linalg.eigh: bad argument #2 (UPLO must be "L" or "U", got "X")',
                       err_of(L.eigh, lo, "X"))
    end)
    it("eig: complex results, real when A and all its eigenvalues are real (NumPy)", function()
      local w, v = L.eig(A{{0.0, -1}, {1, 0}})
      assert.are.equal("complex128", w.dtype)
      assert.are.equal("complex128", v.dtype)
      local wt = w:totable()
      near({0, 0}, {wt[1].real, wt[2].real})
      near({1, 1}, {math.abs(wt[1].imag), math.abs(wt[2].imag)})
      local r = A{{2.0, 1}, {0, 3}}
      local w2, v2 = L.eig(r)
      assert.are.equal("float64", w2.dtype)
      near({2, 3}, w2:totable())
      local sh = w2.shape
      table.insert(sh, #sh, 1)
      near(r:matmul(v2):totable(), (v2 * w2:reshape(sh)):totable())
      assert.are.equal("float32", L.eigvals(r:astype("float32")).dtype)
      assert.are.equal("linalg.eigvals: eigenvalues did not converge", err_of(L.eigvals, A{{0 / 0}}))
    end)
    it("a matrix holding NaN gets NaN results; the others are unharmed", function()
      local st = A{{{2.0, 0}, {0, 1}}, {{1, 0 / 0}, {0 / 0, 1}}}
      local w, v = L.eigh(st)
      local t = w:totable()
      near({1, 2}, t[1])
      assert(t[2][1] ~= t[2][1] and t[2][2] ~= t[2][2])
      local vt = v:totable()
      assert(vt[2][1][1] ~= vt[2][1][1])
    end)
    it("a long stack (1024 matrices and more: one number read back first) finds its NaN matrix", function()
      -- diag(1, 2) + k * 1e-3 off the diagonal, matrix k of 1500; w by hand
      local k = lu.arange(1500, {device = dev}):reshape(1500, 1, 1) * 1e-3
      local st = lu.eye(2, {device = dev}) * lu.array({{1.0, 0}, {0, 2}}, {device = dev}) +
                 (lu.ones({2, 2}, {device = dev}) - lu.eye(2, {device = dev})) * k
      local w = L.eigh(st)
      -- eigenvalues of [[1, e], [e, 2]]: 1.5 -/+ sqrt(0.25 + e^2)
      local e = 1499 * 1e-3
      local wl = w[{1500}]:totable()
      near({1.5 - math.sqrt(0.25 + e * e), 1.5 + math.sqrt(0.25 + e * e)}, wl)
      assert.is_true(lu.isfinite(w):all():item())
      st[{1200, 1, 2}] = 0 / 0
      local w2 = L.eigh(st)
      local fin = lu.isfinite(w2):all(2)
      assert.are.equal(false, fin[1200])
      assert.are.equal(1499, fin:sum():item())
      assert.are.equal("linalg.svd: SVD did not converge (batch item 1200)", err_of(L.svd, st, false, false))
    end)
  end)

  describe("lstsq, pinv, matrix_rank", function()
    local m = A{{1.0, 2}, {3, 4}, {5, 6}}
    it("lstsq gives x, residuals, the rank as a Lua integer, s", function()
      local x, res, rank, s = L.lstsq(m, A{1.0, 2, 4})
      near({2 / 3, 1 / 12}, x:totable())
      near({1 / 6}, res:totable())
      assert.are.equal(2, rank)
      assert.are.equal("integer", math.type(rank))
      near(L.svdvals(m):totable(), s:totable())
      local _, res2, rank2 = L.lstsq(A{{1.0, 2}, {2, 4}, {3, 6}}, A{1.0, 2, 3}, {rcond = 1e-10})
      assert.are.equal(1, rank2)
      assert.are.same({0}, res2.shape)
    end)
    it("pinv: a pinv(a) a = a", function()
      local p = L.pinv(m)
      assert.are.same({2, 3}, p.shape)
      near(m:totable(), m:matmul(p):matmul(m):totable())
      assert.are.equal("lunar.linalg.pinv: bad argument #3 (rtol and rcond can't be both set)",
                       err_of(L.pinv, m, 1e-3, {rtol = 1e-3}))
    end)
    it("matrix_rank: int64 per matrix; 1-D and 0-d inputs", function()
      local st = A{{{1.0, 2}, {2, 4}}, {{1, 0}, {0, 1}}, {{0, 0}, {0, 0}}}
      local r = L.matrix_rank(st)
      assert.are.equal("int64", r.dtype)
      assert.are.same({1, 2, 0}, r:totable())
      assert.are.equal(0, L.matrix_rank(A{0.0, 0}):item())
      assert.are.equal(1, L.matrix_rank(A{0.0, 3}):item())
      assert.are.equal(1, L.matrix_rank(A{{1.0, 0}, {0, 1e-3}}, 1e-2):item())
    end)
  end)

  describe("norms and cond", function()
    local m = A{{1.0, -2}, {3, 4}}
    it("norm: vector and matrix orders", function()
      near(math.sqrt(30), L.norm(m):item())
      near(6, L.norm(m, 1):item())
      near(7, L.norm(m, math.huge):item())
      near(math.sqrt(30), L.norm(m, "fro"):item())
      near({4, 6}, L.norm(m, 1, 1):totable())
      near({math.sqrt(5), 5}, L.norm(m, nil, 2):totable())
      near({{math.sqrt(5)}, {5}}, L.norm(m, {axis = -1, keepdims = true}):totable())
      near({1, 2}, L.norm(A{{1.0, 0}, {3, 4}}, 0, 2):totable())
      near(L.norm(m, "nuc"):item(), L.svdvals(m):sum():item())
      assert.are.equal("float32", L.norm(m:astype("float32")).dtype)
      assert.are.equal("float64", L.norm(A{3, 4}).dtype)
      near(5, L.norm(A{3, 4}):item())
    end)
    it("norm errors", function()
      assert.are.equal("linalg.norm: invalid norm order 'fro' for vectors", err_of(L.norm, A{1.0, 2}, "fro"))
      assert.are.equal("linalg.norm: invalid norm order 3 for matrices", err_of(L.norm, m, 3))
      assert.are.equal("linalg.norm: improper number of dimensions to norm",
                       err_of(L.norm, lu.zeros({2, 2, 2}, {device = dev}), 1))
      assert.are.equal("linalg.norm: duplicate axes given", err_of(L.norm, m, nil, {2, 2}))
      assert.are.equal("lunar.linalg.norm: bad argument #2 (invalid norm order 'max' (a number, \"fro\" or \"nuc\"))",
                       err_of(L.norm, m, "max"))
    end)
    it("vector_norm and matrix_norm (NumPy 2)", function()
      local x = A{{{1.0, 2}, {3, 4}}, {{5, 6}, {7, 8}}}
      near(math.sqrt(204), L.vector_norm(x):item())
      near({math.sqrt(1 + 9 + 25 + 49), math.sqrt(4 + 16 + 36 + 64)},
           L.vector_norm(x, {axis = {1, 2}}):totable())
      near({{{14}, {22}}}, L.vector_norm(x, {axis = {1, 3}, ord = 1, keepdims = true}):totable())
      near({math.sqrt(30), math.sqrt(174)}, L.matrix_norm(x):totable())
      near({6, 14}, L.matrix_norm(x, {ord = 1}):totable())
      assert.are.equal("lunar.linalg.vector_norm: bad argument #2 (unexpected argument (number))",
                       err_of(L.vector_norm, x, 2))
    end)
    it("cond: 2-norm ratio, other norms, inf for a singular matrix", function()
      near(3 + math.sqrt(3), L.cond(a3):item() * (3 - math.sqrt(3)), 1e-9)
      near(L.norm(a3, 1):item() * L.norm(L.inv(a3), 1):item(), L.cond(a3, 1):item())
      assert.are.equal(math.huge, L.cond(A{{1.0, 0}, {0, 0}}):item())
      assert.are.equal(math.huge, L.cond(A{{1.0, 2}, {2, 4}}, 1):item())
      assert.are.equal("linalg.cond: cond is not defined on empty arrays",
                       err_of(L.cond, lu.zeros({0, 0}, {device = dev})))
    end)
  end)

  describe("matrix_power, multi_dot, tensorsolve, tensorinv", function()
    it("matrix_power by squaring; 0 gives identities of a's dtype; negative powers invert", function()
      local m = A{{1, 1}, {1, 0}}
      assert.are.same({{89, 55}, {55, 34}}, L.matrix_power(m, 10):totable())
      local e = L.matrix_power(m, 0)
      assert.are.equal("int64", e.dtype)
      assert.are.same({{1, 0}, {0, 1}}, e:totable())
      near({{0, 1}, {1, -1}}, L.matrix_power(m, -1):totable())
      assert.are.equal("lunar.linalg.matrix_power: bad argument #2 (exponent must be an integer, got a float)",
                       err_of(L.matrix_power, m, 2.0))
    end)
    it("multi_dot in the cheapest order, with 1-D ends", function()
      local a, b, c = A{{1.0, 2}}, A{{1.0, 0}, {0, 2}}, A{{3.0}, {4}}
      near({{19}}, L.multi_dot{a, b, c}:totable())
      local r = L.multi_dot{A{1.0, 2}, b, A{3.0, 4}}
      assert.are.equal(0, r.ndim)
      near(19, r:item())
      local out = lu.zeros({1, 1}, {device = dev})
      assert.are.equal(out, L.multi_dot({a, b, c}, {out = out}))
      near({{19}}, out:totable())
      assert.are.equal("linalg.multi_dot: expecting at least two arrays", err_of(L.multi_dot, {a}))
    end)
    it("tensorsolve and tensorinv", function()
      local a = L.tensorinv(lu.eye(6, {device = dev}):reshape(6, 2, 3), 1)
      assert.are.same({2, 3, 6}, a.shape)
      local x = L.tensorsolve(lu.eye(6, {device = dev}):reshape(2, 3, 2, 3), A{{1.0, 2, 3}, {4, 5, 6}})
      near({{1, 2, 3}, {4, 5, 6}}, x:totable())
    end)
  end)

  describe("complex dtypes", function()
    local C = function(t, dt) return A(t, dt or "complex128") end
    it("solve, inv, det keep the complex dtype; slogdet's sign is a phase", function()
      local a = C{{lu.complex(1, 1), 2}, {0, lu.complex(0, 2)}}   -- det (1+i)(2i) = -2 + 2i
      local x = L.solve(a, C{lu.complex(1, 1), lu.complex(0, 2)})
      assert.are.equal("complex128", x.dtype)
      local xt = x:totable()
      near({0, 1, 1, 0}, {xt[1].real, xt[1].imag, xt[2].real, xt[2].imag})
      local d = L.det(a):item()
      near({-2, 2}, {d.real, d.imag})
      local sign, la = L.slogdet(a)
      assert.are.equal("complex128", sign.dtype)
      assert.are.equal("float64", la.dtype)
      near(math.log(math.sqrt(8)), la:item())
      assert.are.equal("complex64", L.inv(a:astype("complex64")).dtype)
    end)
    it("eigh of a Hermitian matrix: real eigenvalues, a v = v w", function()
      local h = C{{2, lu.complex(0, 1)}, {lu.complex(0, -1), 2}}   -- eigenvalues 1, 3
      local w, v = L.eigh(h)
      assert.are.equal("float64", w.dtype)
      near({1, 3}, w:totable())
      local sh = w.shape
      table.insert(sh, #sh, 1)
      local lhs, rhs = h:matmul(v):totable(), (v * w:reshape(sh)):totable()
      for i = 1, 2 do for j = 1, 2 do
        near({lhs[i][j].real, lhs[i][j].imag}, {rhs[i][j].real, rhs[i][j].imag})
      end end
      local l = L.cholesky(C{{4, lu.complex(0, 2)}, {lu.complex(0, -2), 5}})
      local lt = l:totable()
      near({2, 0, 0, -1, 2}, {lt[1][1].real, lt[1][2].real, lt[2][1].real, lt[2][1].imag, lt[2][2].real})
    end)
    it("svd: real singular values; norms are real", function()
      local a = C{{lu.complex(0, 3), 0}, {0, -2}}
      local s = L.svdvals(a)
      assert.are.equal("float64", s.dtype)
      near({3, 2}, s:totable())
      assert.are.equal("float32", L.norm(a:astype("complex64")).dtype)
      near(math.sqrt(13), L.norm(a):item())
      assert.are.equal(2, L.matrix_rank(a):item())
      local vd = L.vecdot(C{lu.complex(0, 1), 1}, C{lu.complex(0, 1), 1}):item()   -- conj(x1) . x2
      near({2, 0}, {vd.real, vd.imag})
    end)
    it("eig of a complex stack: A v = v w per matrix; complex errors name the matrix", function()
      -- upper triangular: the eigenvalues are the diagonal
      local a = C{{{lu.complex(1, 1), 2}, {0, 3}}, {{2, 0}, {lu.complex(0, 1), lu.complex(0, -1)}}}
      local w, v = L.eig(a)
      assert.are.same({2, 2}, w.shape)
      assert.are.same({2, 2, 2}, v.shape)
      local sh = w.shape
      table.insert(sh, #sh, 1)
      local r = (a:matmul(v) - v * w:reshape(sh)):totable()
      for k = 1, 2 do for i = 1, 2 do for j = 1, 2 do
        near(0, r[k][i][j].real, 1e-12)
        near(0, r[k][i][j].imag, 1e-12)
      end end end
      local wt = L.eigvals(a):totable()
      local got = {}
      for k = 1, 2 do
        local p = {}
        for i = 1, 2 do p[i] = {wt[k][i].real, wt[k][i].imag} end
        table.sort(p, function(x, y) return x[1] < y[1] or (x[1] == y[1] and x[2] < y[2]) end)
        got[k] = p
      end
      near({{{1, 1}, {3, 0}}, {{0, -1}, {2, 0}}}, got)
      local sing = C{{{1, 0}, {0, 1}}, {{lu.complex(1, 1), lu.complex(2, 2)}, {1, 2}}}
      assert.are.equal("linalg.inv: singular matrix (batch item 2)", err_of(L.inv, sing))
      assert.are.equal("linalg.cholesky: matrix is not positive definite",
                       err_of(L.cholesky, C{{1, lu.complex(0, 2)}, {lu.complex(0, -2), 1}}))
      local d = L.det(sing):totable()
      near({1, 0, 0, 0}, {d[1].real, d[1].imag, d[2].real, d[2].imag})
    end)
  end)

  describe("float16 and bfloat16", function()
    it("are refused by the factorizations with NumPy's message", function()
      for _, dt in ipairs{"float16", "bfloat16"} do
        local x = A({{2, 1}, {1, 3}}, dt)
        for _, f in ipairs{"inv", "det", "slogdet", "cholesky", "qr", "svd", "svdvals", "eig", "eigvals",
                           "eigh", "eigvalsh", "pinv", "matrix_rank", "cond"} do
          assert.are.equal(("linalg.%s: array type %s is unsupported in linalg"):format(f, dt),
                           err_of(L[f], x))
        end
        assert.are.equal(("linalg.solve: array type %s is unsupported in linalg"):format(dt),
                         err_of(L.solve, x, x))
        assert.are.equal(("linalg.lstsq: array type %s is unsupported in linalg"):format(dt),
                         err_of(L.lstsq, x, x))
        assert.are.equal(("linalg.matrix_power: array type %s is unsupported in linalg"):format(dt),
                         err_of(L.matrix_power, x, -1))
      end
    end)
    it("are computed where NumPy needs no factorization: norms, powers, products", function()
      local x = A({{3, 0}, {4, 0}}, "float16")
      assert.are.equal("float16", L.norm(x).dtype)
      near(5, L.norm(x):item(), 1e-3)
      near(5, L.vector_norm(x):item(), 1e-3)
      near({{9, 0}, {12, 0}}, L.matrix_power(x, 2):totable(), 1e-3)
      assert.are.equal("float16", L.matrix_power(x, 2).dtype)
    end)
  end)

  describe("array-API names", function()
    it("matmul, matrix_transpose, outer, vecdot, cross", function()
      near({{7, 10}, {15, 22}}, L.matmul(A{{1.0, 2}, {3, 4}}, A{{1.0, 2}, {3, 4}}):totable())
      assert.are.same({4, 3, 2}, L.matrix_transpose(lu.zeros({4, 2, 3}, {device = dev})).shape)
      assert.are.same({{3, 4}, {6, 8}}, L.outer(A{1, 2}, A{3, 4}):totable())
      assert.are.same({5, 11}, L.vecdot(A{{1, 2}, {3, 4}}, A{1, 2}):totable())
      assert.are.same({-3, 6, -3}, L.cross(A{1, 2, 3}, A{4, 5, 6}):totable())
      assert.are.equal("linalg.outer: input arrays must be one-dimensional, but they are 2 and 1 dimensional",
                       err_of(L.outer, A{{1}}, A{1}))
    end)
  end)
end)
end
