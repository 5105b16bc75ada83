-- SPDX-License-Identifier: MIT
-- Elementwise ops over transposed operands: a.T:copy(), a.T + b, astype
-- through a transpose, assignment into a transposed view. On CUDA these
-- take the tiled (shared-memory) kernel when the merged call is 2-D and an
-- operand's fastest axis is not the output's; odd and thin shapes cross
-- the tile edges and the fall-backs. Every dtype, every device; expected
-- values come from index arithmetic here, never from lunar.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                "uint32", "uint64", "float32", "float64"}
-- rows x cols: tile edges (33 x 65, 129 x 97), thin (1 x 1000, 1000 x 1,
-- 17 x 300, 300 x 17, 5 x 200: below half a tile), square (64 x 64)
local SHAPES = {{33, 65}, {1, 1000}, {1000, 1}, {64, 64}, {17, 300}, {300, 17},
                {129, 97}, {5, 200}}

local function kind(dt)
  if dt == "bool" then return "b" end
  if dt:sub(1, 1) == "u" then return "u" end
  if dt:sub(1, 1) == "i" then return "i" end
  return "f"
end

-- Value number `seed` of element (i, j) (0-based) for dtype dt: small enough
-- that a sum of two stays in range for every dtype, exact in float32.
local function val(dt, seed, i, j)
  local h = i * (7 + 2 * seed) + j * (3 + seed) + seed
  local k = kind(dt)
  if k == "b" then return h % 5 < 2 end
  if dt == "int8" then return h % 50 - 20 end
  if dt == "uint8" then return h % 50 end
  if k == "i" then return (h * 19) % 1000 - 300 end
  if k == "u" then return (h * 19) % 1000 end
  return ((h * 19) % 1000) * 0.25 - 100
end

-- r x c nested table of val(dt, seed, i, j), or its transpose (t = true)
local function grid(dt, seed, r, c, t, f)
  f = f or val
  local rows = {}
  local nr, nc = r, c
  if t then nr, nc = c, r end
  for a = 1, nr do
    local row = {}
    for b = 1, nc do
      if t then row[b] = f(dt, seed, b - 1, a - 1) else row[b] = f(dt, seed, a - 1, b - 1) end
    end
    rows[a] = row
  end
  return rows
end

local function num(v)
  if v == true then return 1 elseif v == false then return 0 end
  return v
end

local function as_f64(dt, seed, i, j) return num(val(dt, seed, i, j)) + 0.0 end

local function sum(dt, i, j)
  local x, y = val(dt, 1, i, j), val(dt, 2, i, j)
  if kind(dt) == "b" then return x or y end
  return x + y
end

local function c_strides(shape, item)
  local st, s = {}, item
  for d = #shape, 1, -1 do st[d] = s; s = s * shape[d] end
  return st
end

for _, dev in ipairs(lu.devices()) do
describe("elementwise over transposes on " .. dev, function()
  local A = h.on(dev)

  for _, dt in ipairs(DTYPES) do
    describe(dt, function()
      it("a.T:copy() and lu.copy-like astype(same) over odd shapes", function()
        for _, sh in ipairs(SHAPES) do
          local r, c = sh[1], sh[2]
          local a = A(grid(dt, 1, r, c), dt)
          local t = a.T:copy()
          assert.are.same({c, r}, t.shape)
          assert.are.equal(dt, t.dtype)
          assert.are.same(c_strides({c, r}, a.itemsize), t.strides)
          assert.are.same(grid(dt, 1, r, c, true), t:totable(), dt .. " " .. r .. "x" .. c)
          -- astype to the same dtype copies too
          assert.are.same(grid(dt, 1, r, c, true), a.T:astype(dt):totable())
        end
      end)

      it("a.T + b, b + a.T and a.T + c.T", function()
        for _, sh in ipairs(SHAPES) do
          local r, c = sh[1], sh[2]
          local a = A(grid(dt, 1, r, c), dt)
          local b = A(grid(dt, 2, r, c, true), dt)   -- (c, r), contiguous
          local e = A(grid(dt, 2, r, c), dt)         -- (r, c): e.T is (c, r)
          local want = grid(dt, 0, r, c, true, function(d, _, i, j) return sum(d, i, j) end)
          local what = dt .. " " .. r .. "x" .. c
          assert.are.same(want, (lu.add(a.T, b)):totable(), what)
          assert.are.same(want, (lu.add(b, a.T)):totable(), what)
          assert.are.same(want, (lu.add(a.T, e.T)):totable(), what)
        end
      end)

      it("astype through a transpose, both ways", function()
        for _, sh in ipairs(SHAPES) do
          local r, c = sh[1], sh[2]
          local a = A(grid(dt, 1, r, c), dt)
          local what = dt .. " " .. r .. "x" .. c
          -- dt -> float64
          assert.are.same(grid(dt, 1, r, c, true, as_f64), a.T:astype("float64"):totable(), what)
          -- float64 -> dt (bool: nonzero is true)
          local src = A(grid(dt, 1, r, c, false, as_f64), "float64")
          local back = src.T:astype(dt)
          assert.are.equal(dt, back.dtype)
          assert.are.same(grid(dt, 1, r, c, true), back:totable(), what)
        end
      end)
    end)
  end

  it("a.T with a scalar, a broadcast row and a broadcast column", function()
    for _, dt in ipairs({"int32", "float32", "float64"}) do
      local r, c = 45, 70
      local a = A(grid(dt, 1, r, c), dt)
      local row = {}
      for i = 1, r do row[i] = val(dt, 3, 0, i - 1) end
      local col = {}
      for j = 1, c do col[j] = {val(dt, 4, j - 1, 0)} end
      local got_s = (a.T * 2):totable()
      local got_r = (a.T + A(row, dt)):totable()      -- (r,) broadcast over (c, r)
      local got_c = (a.T - A(col, dt)):totable()      -- (c, 1) broadcast over (c, r)
      for j = 1, c do
        for i = 1, r do
          local x = val(dt, 1, i - 1, j - 1)
          assert.are.equal(x * 2, got_s[j][i])
          assert.are.equal(x + row[i], got_r[j][i])
          assert.are.equal(x - col[j][1], got_c[j][i])
        end
      end
    end
  end)

  it("where and a comparison through transposes", function()
    local r, c = 40, 33
    local a = A(grid("float32", 1, r, c), "float32")
    local b = A(grid("float32", 2, r, c, true), "float32")
    local m = a.T:gt(b)
    local w = lu.where(m, a.T, b):totable()
    local mt = m:totable()
    for j = 1, c do
      for i = 1, r do
        local x, y = val("float32", 1, i - 1, j - 1), val("float32", 2, i - 1, j - 1)
        assert.are.equal(x > y, mt[j][i])
        assert.are.equal(x > y and x or y, w[j][i])
      end
    end
  end)

  it("assignment into a transposed view", function()
    for _, dt in ipairs({"uint8", "int64", "float32"}) do
      local r, c = 50, 37
      local o = lu.zeros({r, c}, {dtype = dt, device = dev})
      local b = A(grid(dt, 1, r, c, true), dt)   -- (c, r) contiguous
      o.T[{{}, {}}] = b                          -- o[i][j] = b[j][i]
      assert.are.same(grid(dt, 1, r, c), o:totable())
      -- and a transposed source into a plain target
      local p = lu.zeros({c, r}, {dtype = dt, device = dev})
      p[{{}, {}}] = A(grid(dt, 2, r, c), dt).T
      assert.are.same(grid(dt, 2, r, c, true), p:totable())
    end
  end)

  it("a 3-d transpose (the strided loop) and a slice of a transpose", function()
    local n = {3, 5, 7}
    local flat = {}
    for i = 0, n[1] - 1 do
      local p = {}
      for j = 0, n[2] - 1 do
        local q = {}
        for k = 0, n[3] - 1 do q[k + 1] = i * 100 + j * 10 + k end
        p[j + 1] = q
      end
      flat[i + 1] = p
    end
    local t = A(flat, "int32").T:copy()   -- (7, 5, 3): t[k][j][i]
    local got = t:totable()
    for i = 1, n[1] do for j = 1, n[2] do for k = 1, n[3] do
      assert.are.equal((i - 1) * 100 + (j - 1) * 10 + (k - 1), got[k][j][i])
    end end end
    -- every other row of a transpose: strides no longer unit anywhere
    local a = A(grid("float64", 1, 60, 50), "float64")
    local s = a.T[{{1, -1, 2}, {}}]:copy():totable()   -- rows 1,3,.. of (50, 60)
    for jj = 1, 25 do
      for i = 1, 60 do
        assert.are.equal(val("float64", 1, i - 1, 2 * (jj - 1)), s[jj][i])
      end
    end
  end)
end)
end
