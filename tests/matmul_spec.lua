-- SPDX-License-Identifier: MIT
-- matmul with NumPy's rules for 1-D, 2-D and stacked operands.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of

for _, dev in ipairs(lu.devices()) do
describe("matmul on " .. dev, function()
  local A = h.on(dev)
  local a, b = A{{1, 2}, {3, 4}}, A{{5, 6}, {7, 8}}

  it("2-D @ 2-D (float64)", function()
    local r = lu.matmul(a:astype("float64"), b:astype("float64"))
    assert.are.equal("float64", r.dtype)
    assert.are.same({{19, 22}, {43, 50}}, r:totable())
  end)
  it("2-D @ 2-D (int64 stays int64)", function()
    local r = lu.matmul(a, b)
    assert.are.equal("int64", r.dtype)
    assert.are.same({{19, 22}, {43, 50}}, r:totable())
  end)
  it("float32 stays float32; mixed dtypes promote", function()
    local r = lu.matmul(a:astype("float32"), b:astype("float32"))
    assert.are.equal("float32", r.dtype)
    assert.are.same({{19, 22}, {43, 50}}, r:totable())
    assert.are.equal("float64", lu.matmul(a:astype("int32"), b:astype("float32")).dtype)
  end)
  it("method forms: matmul and dot", function()
    assert.are.same({{19, 22}, {43, 50}}, a:matmul(b):totable())
    assert.are.same({{19, 22}, {43, 50}}, a:dot(b):totable())
  end)
  it("rectangular (2,3) @ (3,2)", function()
    local x = A{{1.0, 2, 3}, {4, 5, 6}}
    local y = A{{7.0, 8}, {9, 10}, {11, 12}}
    assert.are.same({{58, 64}, {139, 154}}, lu.matmul(x, y):totable())
    assert.are.same({{39, 54, 69}, {49, 68, 87}, {59, 82, 105}}, lu.matmul(y, x):totable())
  end)
  it("1-D @ 1-D is a 0-d inner product", function()
    local r = lu.matmul(A{1.0, 2, 3}, A{4.0, 5, 6})
    assert.are.equal(0, r.ndim)
    assert.are.equal(32, r:item())
  end)
  it("2-D @ 1-D and 1-D @ 2-D drop the added axis", function()
    local r = lu.matmul(A{{1.0, 2}, {3, 4}}, A{1.0, 1})
    assert.are.same({2}, r.shape)
    assert.are.same({3, 7}, r:totable())
    local s = lu.matmul(A{1.0, 1}, A{{1.0, 2}, {3, 4}})
    assert.are.same({2}, s.shape)
    assert.are.same({4, 6}, s:totable())
  end)
  it("stacked (2,2,2) @ (2,2,2)", function()
    local x = A{{{1.0, 0}, {0, 1}}, {{1, 2}, {3, 4}}}
    local y = A{{{1.0, 2}, {3, 4}}, {{0, 1}, {1, 0}}}
    local r = lu.matmul(x, y)
    assert.are.same({2, 2, 2}, r.shape)
    assert.are.same({{{1, 2}, {3, 4}}, {{2, 1}, {4, 3}}}, r:totable())
  end)
  it("stacked @ 2-D broadcasts the matrix", function()
    local x = A{{{1.0, 0}, {0, 1}}, {{1, 2}, {3, 4}}}
    local r = lu.matmul(x, A{{0.0, 1}, {1, 0}})
    assert.are.same({{{0, 1}, {1, 0}}, {{2, 1}, {4, 3}}}, r:totable())
  end)
  it("broadcast batch dims (2,1,2,2) @ (3,2,2) -> (2,3,2,2)", function()
    local x = lu.ones({2, 1, 2, 2}, {device = dev})
    local y = lu.ones({3, 2, 2}, {device = dev})
    local r = lu.matmul(x, y)
    assert.are.same({2, 3, 2, 2}, r.shape)
    assert.are.equal(2 * 3 * 2 * 2 * 2, r:sum():item())
  end)
  it("stacked @ 1-D", function()
    local x = A{{{1.0, 2}, {3, 4}}, {{5, 6}, {7, 8}}}
    local r = lu.matmul(x, A{1.0, 10})
    assert.are.same({2, 2}, r.shape)
    assert.are.same({{21, 43}, {65, 87}}, r:totable())
  end)
  it("transposed (non-contiguous) operands", function()
    local x = A{{1.0, 2, 3}, {4, 5, 6}}     -- x.T is (3,2)
    assert.are.same({{17, 22, 27}, {22, 29, 36}, {27, 36, 45}}, lu.matmul(x.T, x):totable())
    assert.are.same({{14, 32}, {32, 77}}, lu.matmul(x, x.T):totable())
    local y = A{{1.0, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}}
    -- every other column of y: (3,2)
    assert.are.same({{38, 50}, {83, 113}}, lu.matmul(x, y[{{}, {1, -1, 2}}]):totable())
  end)
  it("identity leaves a matrix unchanged", function()
    local x = A{{1.5, 2}, {3, -4}, {0, 1}}
    assert.are.same(x:totable(), lu.matmul(lu.eye(3, {device = dev}), x):totable())
  end)
  it("larger products", function()
    local n = 64
    local r = lu.matmul(lu.ones({n, n}, {device = dev}), lu.ones({n, n}, {device = dev}))
    assert.are.equal(n, r:min():item())
    assert.are.equal(n, r:max():item())
    local f = lu.matmul(lu.ones({33, 65}, {device = dev, dtype = "float32"}),
                        lu.full({65, 17}, 2, {device = dev, dtype = "float32"}))
    assert.are.same({33, 17}, f.shape)
    assert.are.equal(130, f:min():item())
    assert.are.equal(130, f:max():item())
  end)
  it("narrow products (at most 16 columns), one row or column, transposed operands, stacks", function()
    -- A[i][k] = 1, B[k][j] = j: every row of C is K * (0, 1, ..., N-1)
    for _, dt in ipairs{"float32", "float64"} do
      for _, mkn in ipairs{{1001, 300, 10}, {517, 129, 16}, {37, 2000, 1}, {1, 300, 12}, {2049, 33, 8}} do
        local M, K, N = mkn[1], mkn[2], mkn[3]
        local B = lu.arange(N, {device = dev, dtype = dt}):reshape(1, N) * lu.ones({K, 1}, {device = dev, dtype = dt})
        local want = {}
        for j = 1, N do want[j] = K * (j - 1) end
        for _, ta in ipairs{false, true} do
          for _, tb in ipairs{false, true} do
            local a = ta and lu.ones({K, M}, {device = dev, dtype = dt}).T or lu.ones({M, K}, {device = dev, dtype = dt})
            local b = tb and B.T:copy().T or B
            local r = lu.matmul(a, b)
            assert.are.same({M, N}, r.shape)
            assert.are.same(want, r[M]:totable())
            assert.are.same(want, r[1]:totable())
            assert.are.equal(M * K * N * (N - 1) / 2, r:sum():item())
          end
        end
      end
    end
    local s = lu.matmul(lu.ones({3, 40, 50}, {device = dev}), lu.arange(3 * 50 * 5, {device = dev}):reshape(3, 50, 5) % 7)
    local t = s:totable()
    for b = 1, 3 do
      for j = 1, 5 do
        local col = 0
        for k = 0, 49 do col = col + ((b - 1) * 250 + k * 5 + (j - 1)) % 7 end
        assert.are.equal(col, t[b][40][j])
      end
    end
  end)
  it("a product large enough for the BLAS paths", function()
    local r = lu.matmul(lu.ones({300, 200}, {device = dev}), lu.full({200, 100}, 0.5, {device = dev}))
    assert.are.same({300, 100}, r.shape)
    assert.are.equal(100, r:min():item())
    assert.are.equal(100, r:max():item())
    local s = lu.matmul(lu.ones({4, 300, 200}, {device = dev, dtype = "float32"}),
                        lu.ones({200, 50}, {device = dev, dtype = "float32"}))
    assert.are.same({4, 300, 50}, s.shape)
    assert.are.equal(200, s:min():item())
    assert.are.equal(200, s:max():item())
  end)
  it("misaligned shapes are an error naming both", function()
    assert.are.equal("matmul: shapes (3,4) and (5,6) not aligned: 4 (dim 2) != 5 (dim 1)",
      err_of(lu.matmul, lu.zeros(3, 4, {device = dev}), lu.zeros(5, 6, {device = dev})))
  end)
  it("0-d operands are an error", function()
    assert.is_string(err_of(lu.matmul, lu.array(1.0, {device = dev}), A{1.0}))
  end)
end)
end

-- OpenBLAS and LAPACKE are opened on first use (src/backend/cpu/cpu_blaslib.c):
-- a process that cannot load them says so at the product or factorization
-- and goes on with everything else
describe("BLAS and LAPACKE opened on first use", function()
  local function run(env, code) return h.run_lunar("LUNAR_DEVICE=cpu " .. env, code) end
  it("are not loaded until a product needs them, and a missing one is a clear error", function()
    if not h.lunar_exe() then return end
    local maps = 'local f = io.open("/proc/self/maps") local m = f:read("a") f:close() ' ..
                 'return m:find("libopenblas") ~= nil'
    -- a product of at most 16 columns is lunar's own (cpu_matmul_narrow.c); a wider one OpenBLAS's
    assert.are.equal("false false true 20.0",
      run("", 'local before = (function() ' .. maps .. ' end)() ' ..
              'local r = lunar.ones{3, 20}:matmul(lunar.ones{20, 16}) ' ..
              'local narrow = (function() ' .. maps .. ' end)() ' ..
              'r = lunar.ones{3, 20}:matmul(lunar.ones{20, 17}) ' ..
              'io.write(tostring(before), " ", tostring(narrow), " ", tostring((function() ' .. maps ..
              ' end)()), " ", ("%.1f"):format(r[1][1]))'))
    local out = run("LUNAR_BLAS_LIB=/nonexistent/libblas.so",
      'local a, b = lunar.ones{3, 20}, lunar.ones{20, 20} ' ..
      'print(select(2, pcall(lunar.matmul, a, b))) ' ..
      'print(select(2, pcall(lunar.linalg.inv, b))) ' ..
      'print(lunar.matmul(a, b[{{}, {1, 3}}]):sum():item(), (a + 1):sum():item())')
    assert.are.equal("matmul: cannot load /nonexistent/libblas.so (LUNAR_BLAS_LIB): " ..
      "/nonexistent/libblas.so: cannot open shared object file: No such file or directory\n" ..
      "linalg.inv: cannot load /nonexistent/libblas.so (LUNAR_BLAS_LIB): " ..
      "/nonexistent/libblas.so: cannot open shared object file: No such file or directory\n" ..
      "180.0\t120.0\n", out)
  end)
end)
