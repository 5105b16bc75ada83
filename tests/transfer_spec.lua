-- SPDX-License-Identifier: MIT
-- Host <-> device transfers: a:to(device) in both directions for every dtype,
-- small and large arrays (large CPU arrays live in page-locked memory when a
-- GPU is present), non-contiguous sources on either side, views into the
-- middle of a buffer, arrays built from Lua tables (staged copies), and the
-- staged path on its own (LUNAR_PINNED=0 in a child process). Expected
-- values are written by index arithmetic here, never by lunar.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local gpus = h.gpus()

-- value number i (0-based) of each dtype: exact in the dtype and in Lua
local gen = {
  bool = function(i) return i % 3 == 0 end,
  int8 = function(i) return (i * 7) % 256 - 128 end,
  uint8 = function(i) return (i * 7) % 256 end,
  int16 = function(i) return (i * 31) % 65536 - 32768 end,
  uint16 = function(i) return (i * 31) % 65536 end,
  int32 = function(i) return (i * 40503) % 2147483648 - 1073741824 end,
  uint32 = function(i) return (i * 40503) % 4294967296 end,
  int64 = function(i) return i * 1000000007 - (1 << 40) end,
  uint64 = function(i) return i * 1000000007 + (1 << 52) end,
  float32 = function(i) return (i % 4096) * 0.25 - 100.0 end,
  float64 = function(i) return i / 8 + 1 / 3 end,
}
local dtypes = { "bool", "int8", "uint8", "int16", "uint16", "int32", "uint32",
                 "int64", "uint64", "float32", "float64" }

local function values(dt, n)
  local f, t = gen[dt], {}
  for i = 1, n do t[i] = f(i - 1) end
  return t
end

-- first index where a flat Lua list differs from gen[dt], or nil
local function mismatch(dt, list, n)
  local f = gen[dt]
  if #list ~= n then return "length " .. #list end
  for i = 1, n do
    if list[i] ~= f(i - 1) then
      return ("element %d: %s, expected %s"):format(i, tostring(list[i]), tostring(f(i - 1)))
    end
  end
  return nil
end

describe("to() on the cpu", function()
  it("returns the array itself when it is already there", function()
    local a = lu.array({1, 2, 3}, {device = "cpu"})
    assert.is_true(rawequal(a, a:to("cpu")))
    local v = a[{{1, -1, 2}}]
    assert.is_true(rawequal(v, v:to("cpu")))
  end)
  it("lunar.array(a, {device = 'cpu'}) is a copy", function()
    local a = lu.array({1.5, 2.5}, {device = "cpu"})
    local b = lu.array(a, {device = "cpu"})
    assert.is_false(rawequal(a, b))
    b[1] = 7
    assert.are.same({1.5, 2.5}, a:totable())
    assert.are.same({7, 2.5}, b:totable())
  end)
  it("large cpu arrays (page-locked where a GPU is) keep their values", function()
    -- sizes around and past the 1 MB page-locked threshold, freed and made
    -- again, so that blocks are reused from the cache
    for round = 1, 2 do
      for _, n in ipairs({ 262143, 262144, 300000, 1000000 }) do
        local a <close> = lu.arange(0, n, 1, {dtype = "int32", device = "cpu"})
        assert.are.equal(n, a.size)
        assert.are.equal(0, a[1])
        assert.are.equal(n - 1, a[n])
        assert.are.equal(n // 2, a[n // 2 + 1])
        local z <close> = lu.zeros(n, {dtype = "float32", device = "cpu"})
        assert.are.equal(0, z:sum():item(), "round " .. round)
      end
    end
  end)
end)

for _, dev in ipairs(gpus) do
describe("transfers between cpu and " .. dev, function()
  for _, dt in ipairs(dtypes) do
    for _, n in ipairs({ 1, 7, 1000, 300000 }) do
      it(("round trip of %d %s"):format(n, dt), function()
        local h = lu.array(values(dt, n), {dtype = dt, device = "cpu"})
        local d = h:to(dev)
        assert.are.equal(dev, d.device)
        assert.are.equal(dt, d.dtype)
        assert.is_nil(mismatch(dt, d:totable(), n))
        local back = d:to("cpu")
        assert.are.equal("cpu", back.device)
        assert.are.equal(dt, back.dtype)
        assert.are.same({n}, back.shape)
        assert.is_nil(mismatch(dt, back:totable(), n))
      end)
    end
  end

  it("keeps shapes and empty arrays", function()
    local e = lu.zeros({0, 3}, {dtype = "float32", device = "cpu"})
    local d = e:to(dev)
    assert.are.same({0, 3}, d.shape)
    assert.are.same({0, 3}, d:to("cpu").shape)
    local s = lu.array(2.5, {device = "cpu"}):to(dev)
    assert.are.equal(0, s.ndim)
    assert.are.equal(2.5, s:to("cpu"):item())
  end)

  -- a (r x c) matrix with element (i, j) (1-based) = f(i, j)
  local function f(i, j) return i * 1000 + j end
  local function matrix(r, c, device, dt, fn)
    local t = {}
    fn = fn or f
    for i = 1, r do
      local row = {}
      for j = 1, c do row[j] = fn(i, j) end
      t[i] = row
    end
    return lu.array(t, {dtype = dt or "float64", device = device})
  end
  local function check_matrix(m, rows, cols, fn)
    local t = m:totable()
    assert.are.equal(#rows, #t)
    for a, i in ipairs(rows) do
      assert.are.equal(#cols, #t[a])
      for b, j in ipairs(cols) do
        local want = fn(i, j)
        if t[a][b] ~= want then
          error(("(%d, %d): %s, expected %s"):format(a, b, tostring(t[a][b]), tostring(want)))
        end
      end
    end
  end
  local function range(lo, hi, step)
    local r = {}
    for k = lo, hi, step or 1 do r[#r + 1] = k end
    return r
  end
  local function flip(i, j) return f(j, i) end

  for _, dt in ipairs({ "float64", "int32", "int8" }) do
    it("moves a.T of a cpu array to the GPU (" .. dt .. ")", function()
      local small = function(i, j) return i * 16 + j - 60 end   -- fits int8
      local m = matrix(5, 7, "cpu", dt, small)
      local d = m.T:to(dev)
      assert.are.same({7, 5}, d.shape)
      check_matrix(d, range(1, 7), range(1, 5), function(i, j) return small(j, i) end)
    end)
  end

  it("moves a.T of a GPU array to the cpu", function()
    local d = matrix(6, 4, dev)
    local h = d.T:to("cpu")
    assert.are.equal("cpu", h.device)
    assert.are.same({4, 6}, h.shape)
    check_matrix(h, range(1, 4), range(1, 6), flip)
  end)

  it("moves stepped slices in both directions", function()
    local m = matrix(9, 11, "cpu")
    local up = m[{{2, -1, 3}, {1, -1, 2}}]:to(dev)
    check_matrix(up, range(2, 9, 3), range(1, 11, 2), f)
    local d = matrix(9, 11, dev)
    local down = d[{{-1, 1, -2}, {3, 10, 4}}]:to("cpu")
    check_matrix(down, range(9, 1, -2), range(3, 10, 4), f)
  end)

  it("moves contiguous views from the middle of a buffer", function()
    local m = matrix(40, 9, "cpu")
    check_matrix(m[{{11, 30}, {}}]:to(dev), range(11, 30), range(1, 9), f)
    local d = matrix(40, 9, dev)
    check_matrix(d[{{5, 6}, {}}]:to("cpu"), range(5, 6), range(1, 9), f)
    -- a view inside a large (page-locked) cpu array
    local big <close> = lu.arange(0, 2000000, 1, {dtype = "int64", device = "cpu"})
    local part = big[{{1000001, 1000100}}]:to(dev)
    local t = part:totable()
    for k = 1, 100 do assert.are.equal(1000000 + k - 1, t[k]) end
  end)

  it("round-trips 3*10^7 float32 values", function()
    local n = 30000000
    local idx <close> = lu.arange(0, n, 1, {dtype = "int64", device = "cpu"})
    local src <close> = (idx % 4096):astype("float32")
    local d <close> = src:to(dev)
    local back <close> = d:to("cpu")
    assert.are.equal("cpu", back.device)
    assert.is_true(lu.array_equal(src, back))
    for _, i in ipairs({ 1, 2, 4096, 4097, n // 3, n // 2 + 7, n - 1, n }) do
      assert.are.equal((i - 1) % 4096, back[i])
    end
    local q, r = n // 4096, n % 4096
    local want = q * (4095 * 4096 // 2) + r * (r - 1) // 2
    local s64 <close> = back:astype("float64")
    assert.are.equal(want, s64:sum():item())
  end)

  it("moves a large transposed matrix both ways", function()
    local r, c = 1500, 2100
    local idx <close> = lu.arange(0, r * c, 1, {dtype = "int32", device = "cpu"})
    local m <close> = idx:reshape(r, c)                   -- m[i][j] = (i-1)*c + (j-1)
    local up <close> = m.T:to(dev)                        -- up[j][i]
    local down <close> = up.T:to("cpu")                   -- m again
    assert.are.same({c, r}, up.shape)
    assert.is_true(lu.array_equal(m, down))
    for _, p in ipairs({ {1, 1}, {1, r}, {c, 1}, {c, r}, {777, 1234}, {2000, 3} }) do
      local j, i = p[1], p[2]
      assert.are.equal((i - 1) * c + (j - 1), up[{j, i}])
    end
  end)

  it("moves arrays built from and read into Lua tables (staged copies)", function()
    local n = 5000000   -- 40 MB of float64: more than one 32 MB staging chunk
    local t = {}
    for i = 1, n do t[i] = (i - 1) * 0.5 end
    local d = lu.array(t, {dtype = "float64", device = dev})
    t = nil
    local back = d:totable()
    assert.are.equal(n, #back)
    for i = 1, n do
      if back[i] ~= (i - 1) * 0.5 then
        error(("element %d: %s"):format(i, tostring(back[i])))
      end
    end
  end)

  it("uses staged copies when page-locking is off (LUNAR_PINNED=0)", function()
    local lo = 0
    while arg and arg[lo - 1] do lo = lo - 1 end
    local exe = arg and arg[lo]
    if not exe or not exe:match("lunar$") then return end   -- not inside the lunar host
    local script = ([[
      local n = 9000001
      local h = lunar.arange(0, n, 1, {dtype = "int64", device = "cpu"})
      local d = h:to(%q)
      local b = d:to("cpu")
      local v = h[{{1, -1, 3}}]:to(%q):to("cpu")
      io.write(tostring(lunar.array_equal(h, b)), " ", b[1], " ", b[n], " ",
               b[4567891], " ", v.size, " ", v[v.size], " ", d:sum():item())
    ]]):format(dev, dev)
    local file = os.tmpname()
    local fh = assert(io.open(file, "w"))
    fh:write(script)
    fh:close()
    local p = io.popen(("LUNAR_PINNED=0 %q %q 2>&1"):format(exe, file))
    local out = p:read("a")
    p:close()
    os.remove(file)
    local n = 9000001
    assert.are.equal(("true 0 %d 4567890 3000001 %d %d"):format(n - 1, n - 1, n * (n - 1) // 2),
                     out)
  end)
end)
end

-- lunar.copyto across devices (issue 14): a transfer into an existing
-- array, straight when dst is contiguous with src's dtype and shape, through
-- a copy on dst's device otherwise. Expected values by index arithmetic.
for _, dev in ipairs(gpus) do
describe("copyto between cpu and " .. dev, function()
  it("writes a GPU array into a cpu array it does not replace", function()
    for _, n in ipairs({ 5, 300000, 1 << 21 }) do   -- the last: 8 MiB, page-locked
      local d = lu.arange(n, {dtype = "float32", device = dev})
      local hst = lu.empty(n, {dtype = "float32", device = "cpu"})
      assert.are.equal(0, select("#", lu.copyto(hst, d)))
      assert.are.equal("cpu", hst.device)
      assert.are.equal(0, hst[1])
      assert.are.equal(n - 1, hst[n])
      assert.are.equal(n * (n - 1) / 2, hst:astype("float64"):sum():item())
    end
  end)
  it("writes a cpu array into a GPU array", function()
    local n = 1 << 21
    local hst = lu.arange(n, {dtype = "int64", device = "cpu"}) * 3
    local d = lu.zeros(n, {dtype = "int64", device = dev})
    lu.copyto(d, hst)
    assert.are.equal(dev, d.device)
    assert.are.equal(3 * (n - 1), d[n])
    assert.are.equal(3 * n * (n - 1) // 2, d:sum():item())
    local v = hst[{{1, -1, 2}}]                -- a strided source
    local d2 = lu.zeros(n // 2, {dtype = "int64", device = dev})
    lu.copyto(d2, v)
    assert.are.equal(6 * (n // 2 - 1), d2[n // 2])
  end)
  it("reads the GPU source after its pending work", function()
    local d = lu.zeros(1000000, {device = dev})
    for _ = 1, 5 do d = d + 1 end
    local hst = lu.empty(1000000, {device = "cpu"})
    lu.copyto(hst, d)
    assert.are.equal(5000000, hst:sum():item())
  end)
  it("casts, broadcasts, fills strided views and takes where, as on one device", function()
    local row = lu.array({1, 2, 3, 4}, {dtype = "float32", device = dev})
    local m = lu.zeros({3, 4}, {device = "cpu"})                -- float64
    lu.copyto(m, row)
    assert.are.same({{1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4}}, m:totable())
    local col = lu.zeros({4, 4}, {dtype = "float32", device = "cpu"})
    lu.copyto(col[{{}, 2}], row)                                   -- a column view
    assert.are.same({{0, 1, 0, 0}, {0, 2, 0, 0}, {0, 3, 0, 0}, {0, 4, 0, 0}}, col:totable())
    local w = lu.full(4, -1.0, {device = "cpu"})
    lu.copyto(w, row, {where = lu.array({true, false, true, false}, {device = "cpu"})})
    assert.are.same({1, -1, 3, -1}, w:totable())
    local back = lu.zeros({2, 4}, {dtype = "float32", device = dev})
    lu.copyto(back, lu.array({{5, 6, 7, 8}}, {device = "cpu"}))
    assert.are.same({{5, 6, 7, 8}, {5, 6, 7, 8}}, back:to("cpu"):totable())
  end)
  it("raises for shapes, casts and a where on the wrong device; other ops still refuse two devices", function()
    local d = lu.arange(5, {dtype = "float64", device = dev})
    local hst = lu.zeros({3, 4}, {device = "cpu"})
    assert.are.equal("lunar.copyto: could not broadcast input array from shape (5,) into shape (3,4)",
                     h.err_of(lu.copyto, hst, d))
    local i32 = lu.zeros(5, {dtype = "int32", device = "cpu"})
    assert.are.equal("lunar.copyto: Cannot cast array data from float64 to int32 according to the rule 'same_kind'",
                     h.err_of(lu.copyto, i32, d))
    local w = lu.ones(5, {dtype = "bool", device = dev})
    local e = h.err_of(lu.copyto, lu.zeros(5, {device = "cpu"}), d, {where = w})
    assert.truthy(e:find("cpu", 1, true) and e:find(dev, 1, true), e)
    e = h.err_of(function() return lu.zeros(5, {device = "cpu"}) + d end)
    assert.truthy(e:find("cpu", 1, true) and e:find(dev, 1, true), e)
  end)
  it("h = d:to('cpu') in a loop, nothing closed, keeps its values", function()
    local n = 1 << 21
    local d = lu.arange(n, {dtype = "float32", device = dev})
    local hst
    for _ = 1, 6 do
      hst = d:to("cpu")
      assert.are.equal(n - 1, hst[n])
    end
    assert.are.equal(n * (n - 1) / 2, hst:astype("float64"):sum():item())
  end)
  it("pins at most two fresh blocks of one size class at once; the others are pageable and still transfer", function()
    local pool = lu.cuda.pinned_memory_pool()
    collectgarbage()
    pool:free_all_blocks()
    local u0, n = pool:used_bytes(), 1 << 21           -- 8 MiB, its own size class
    local d = lu.arange(n, {dtype = "float32", device = dev})
    local keep = {}
    for i = 1, 4 do
      keep[i] = lu.empty(n, {dtype = "float32", device = "cpu"})
      lu.copyto(keep[i], d)
    end
    local grew = pool:used_bytes() - u0
    assert.is_true(grew <= 2 * 4 * n, ("pinned %d bytes for 4 live arrays"):format(grew))
    for i = 1, 4 do
      assert.are.equal(n - 1, keep[i][n])
      assert.are.equal(n * (n - 1) / 2, keep[i]:to(dev):astype("float64"):sum():item())
    end
  end)
end)
end

-- Two GPUs in one process (issue 13): a:to("cuda:1") copies peer to peer
-- (src/backend/cuda/peer.c); runs where there are two GPUs.
describe("copies between two GPUs", function()
  local lu = require "lunar"
  local h = require "tests.helper"
  local gpus = {}
  for _, dev in ipairs(lu.devices()) do
    if dev:match("^cuda:") then gpus[#gpus + 1] = dev end
  end
  if #gpus < 2 then return end
  local g0, g1 = gpus[1], gpus[2]
  it("moves every dtype, views and sizes there and back", function()
    for _, dt in ipairs{"bool", "int8", "uint16", "int64", "float16", "bfloat16", "float32",
                        "float64", "complex128"} do
      local c = lu.arange(24, {dtype = "float64"}):reshape(4, 6):astype(dt)
      local a = c:to(g0)
      local b = a:to(g1)
      assert.equal(g1, b.device)
      assert.is_true(lu.array_equal(b:to("cpu"), c), dt)
      assert.is_true(lu.array_equal(b:to(g0):to("cpu"), c), dt)
      local t = a.T[{{1, -1, 2}, {}}]:to(g1)       -- a strided view
      assert.is_true(lu.array_equal(t:to("cpu"), c.T[{{1, -1, 2}, {}}]), dt)
    end
    local big = lu.arange(3000000, {dtype = "float32", device = g0})
    local far = big:to(g1)
    assert.equal(far:sum():item(), big:sum():item())
    assert.equal(0, lu.zeros({0}, {device = g0}):to(g1).size)
  end)
  it("keeps ops on one device", function()
    local a = lu.ones(3, {device = g0})
    local b = lu.ones(3, {device = g1})
    local e = h.err_of(function() return a + b end)
    assert.truthy(e:find(g0, 1, true) and e:find(g1, 1, true), e)
    assert.is_true(lu.array_equal((a:to(g1) + b):to("cpu"), lu.full(3, 2.0)))
  end)
  it("reads the source only after its pending work", function()
    local a = lu.zeros(1000000, {device = g0})
    for _ = 1, 5 do a = a + 1 end
    local b = a:to(g1)
    a = nil
    collectgarbage()
    assert.equal(5000000, b:sum():item())
  end)
end)
