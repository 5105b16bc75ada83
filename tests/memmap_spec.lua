-- SPDX-License-Identifier: MIT
-- lunar.memmap and a:flush (src/core/memmap.c): a file's bytes as a CPU
-- array. Files are read back with Lua's io library, never through lunar.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
local function spit(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end
-- n little-endian doubles / int32s as a string, and back
local function f64s(t) return string.pack("<" .. ("d"):rep(#t), table.unpack(t)) end
local function i32s(t) return string.pack("<" .. ("i4"):rep(#t), table.unpack(t)) end
local function unf64(s) local t = {string.unpack("<" .. ("d"):rep(#s // 8), s)}; t[#t] = nil; return t end

describe("memmap", function()
  local path
  before_each(function() path = os.tmpname() end)
  after_each(function() collectgarbage(); os.remove(path) end)

  it("creates a file with 'w+' and writes reach it", function()
    local m = lu.memmap(path, "float64", "w+", 0, {2, 3})
    assert.are.same({2, 3}, m.shape)
    assert.are.equal("cpu", m.device)
    assert.are.equal(48, #slurp(path))
    assert.are.same({0, 0, 0, 0, 0, 0}, unf64(slurp(path)))
    m[{}] = lu.arange(6.0, {device = "cpu"}):reshape(2, 3)   -- a memmap is on the CPU
    m[{2, 3}] = 7.5
    m:flush()
    assert.are.same({0, 1, 2, 3, 4, 7.5}, unf64(slurp(path)))
  end)

  it("opens a file read/write with 'r+' (the default) and keeps it after collection", function()
    spit(path, f64s{1, 2, 3, 4})
    local m = lu.memmap(path, "float64")
    assert.are.same({1, 2, 3, 4}, m:totable())
    m[2] = 20
    local v = m[{{3, 4}}]          -- a view; flush works through it
    v[1] = 30
    v:flush()
    assert.are.same({1, 20, 30, 4}, unf64(slurp(path)))
    m[4] = 40
    m, v = nil, nil
    collectgarbage(); collectgarbage()
    assert.are.same({1, 20, 30, 40}, unf64(slurp(path)))
  end)

  it("maps 'r' and 'c' copy-on-write: writes change the array, never the file", function()
    spit(path, f64s{1, 2, 3})
    for _, mode in ipairs{"r", "c", "readonly", "copyonwrite"} do
      local m = lu.memmap(path, "float64", mode)
      m[1] = 100                   -- no crash: the mapping is writable and private
      assert.are.same({100, 2, 3}, m:totable())
      m:flush()                    -- nothing to write
      assert.are.same({1, 2, 3}, unf64(slurp(path)))
    end
  end)

  it("reads from an offset, as a whole file or a shape, in C or Fortran order", function()
    spit(path, ("x"):rep(16) .. i32s{1, 2, 3, 4, 5, 6})
    assert.are.same({1, 2, 3, 4, 5, 6}, lu.memmap(path, "int32", "r", 16):totable())
    assert.are.same({{1, 2, 3}, {4, 5, 6}}, lu.memmap(path, "int32", "r", 16, {2, 3}):totable())
    assert.are.same({{1, 3, 5}, {2, 4, 6}}, lu.memmap(path, "int32", "r", 16, {2, 3}, "F"):totable())
    assert.are.same({3, 4}, lu.memmap(path, {dtype = "int32", mode = "c", offset = 24, shape = 2}):totable())
    local u = lu.memmap(path, nil, "r")   -- uint8 by default, as NumPy
    assert.are.equal("uint8", u.dtype)
    assert.are.equal(40, u.size)
    assert.are.equal(("x"):byte(), u[1])
  end)

  it("writes in Fortran order to the file's order", function()
    local m = lu.memmap(path, "int32", "w+", 0, {2, 2}, "F")
    m[{}] = lu.array({{1, 2}, {3, 4}}, "int32"):to("cpu")
    m:flush()
    assert.are.equal(i32s{1, 3, 2, 4}, slurp(path))
  end)

  it("grows a file too small for the shape with 'r+'", function()
    spit(path, f64s{1})
    local m = lu.memmap(path, "float64", "r+", 0, {3})
    assert.are.same({1, 0, 0}, m:totable())
    assert.are.equal(24, #slurp(path))
  end)

  it("computes with other arrays and moves to every device", function()
    spit(path, f64s{1, 2, 3})
    local m = lu.memmap(path, "float64", "r")
    assert.are.same({2, 4, 6}, (m * 2):totable())
    for _, dev in ipairs(lu.devices()) do
      assert.are.same({1, 2, 3}, h.flat(m:to(dev)))
    end
  end)

  it("names the function and the values in errors", function()
    spit(path, f64s{1, 2, 3})
    local missing = path .. ".missing"
    assert.are.equal("lunar.memmap: cannot open '" .. missing .. "' (mode 'r'): No such file or directory",
                     h.err_of(lu.memmap, missing, "float64", "r"))
    assert.are.equal("lunar.memmap: '" .. path .. "' holds 24 bytes; shape (4,) of float64 from offset 0 needs 32",
                     h.err_of(lu.memmap, path, "float64", "r", 0, 4))
    assert.are.equal("lunar.memmap: bad argument #3 (mode must be one of 'r', 'c', 'r+' or 'w+', got 'rw')",
                     h.err_of(lu.memmap, path, "float64", "rw"))
    assert.are.equal("lunar.memmap: shape must be given in mode 'w+'",
                     h.err_of(lu.memmap, path, "float64", "w+"))
    assert.are.equal("lunar.memmap: offset 4 is not a multiple of float64's 8 bytes (lunar maps aligned data only)",
                     h.err_of(lu.memmap, path, "float64", "r", 4))
    assert.are.equal("lunar.memmap: the 24 bytes of '" .. path .. "' after offset 0 are not a whole number of complex128 items (16 bytes)",
                     h.err_of(lu.memmap, path, "complex128", "r"))
    assert.are.equal("lunar.memmap: offset 32 is past the end of '" .. path .. "' (24 bytes)",
                     h.err_of(lu.memmap, path, "float64", "r", 32))
    assert.are.equal("lunar.memmap: bad argument #4 (offset must be non-negative, got -8)",
                     h.err_of(lu.memmap, path, "float64", "r", -8))
    assert.are.equal("lunar.memmap: bad argument #6 (order must be 'C' or 'F', got 'K')",
                     h.err_of(lu.memmap, path, "float64", "r", 0, 3, "K"))
    if #h.gpus() > 0 then
      assert.are.equal("lunar.memmap: bad argument #2 (a memory map is a CPU array: device must be 'cpu', got 'cuda:0')",
                       h.err_of(lu.memmap, path, {device = "cuda:0"}))
    end
    assert.are.equal("lunar.memmap: bad argument #2 (unknown option 'like')",
                     h.err_of(lu.memmap, path, {like = 1}))
    assert.are.equal("array:flush: the array is not a memory map (lunar.memmap)",
                     h.err_of(function() return lu.zeros(3, {device = "cpu"}):flush() end))
    spit(path, "")
    assert.are.equal("lunar.memmap: cannot map the empty file '" .. path .. "'",
                     h.err_of(lu.memmap, path, "float64", "r"))
    assert.are.same({1, 2, 3}, lu.memmap(missing, "float64", "w+", 0, 3) and {1, 2, 3})   -- still usable
    os.remove(missing)
  end)
end)
