-- SPDX-License-Identifier: MIT
-- The ndarray attributes about memory: flags, base, flat, view, byteswap,
-- getfield, setfield, resize. Expected values are NumPy 1.24's (computed
-- with it and written here) or worked out by hand.
local lu = rawget(_G, "lunar") or require "lunar"

local h = require "tests.helper"
local err_of = h.err_of

-- byteswap of {1, -2, 0.5}-like values per dtype, as NumPy gives the bytes
-- (little-endian machine); bfloat16 by hand (float32's high half, swapped)
local SWAP = {
  {"bool", {true, false, true}, "\x01\x00\x01"},
  {"int8", {1, -2, 127}, "\x01\xfe\x7f"},
  {"uint8", {1, 2, 255}, "\x01\x02\xff"},
  {"int16", {1, -2, 258}, "\x00\x01\xff\xfe\x01\x02"},
  {"uint16", {1, 2, 65280}, "\x00\x01\x00\x02\xff\x00"},
  {"int32", {1, -2, 16909060}, "\x00\x00\x00\x01\xff\xff\xff\xfe\x01\x02\x03\x04"},
  {"uint32", {1, 2, 4278190080}, "\x00\x00\x00\x01\x00\x00\x00\x02\xff\x00\x00\x00"},
  {"int64", {1, -2, 72623859790382856},
   "\x00\x00\x00\x00\x00\x00\x00\x01\xff\xff\xff\xff\xff\xff\xff\xfe\x01\x02\x03\x04\x05\x06\x07\x08"},
  {"uint64", {1, 2, math.mininteger},   -- 2^63 (math.mininteger's bits)
   "\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x80\x00\x00\x00\x00\x00\x00\x00"},
  {"float16", {1.0, -2.0, 0.5}, "\x3c\x00\xc0\x00\x38\x00"},
  {"bfloat16", {1.0, -2.0, 0.5}, "\x3f\x80\xc0\x00\x3f\x00"},
  {"float32", {1.0, -2.0, 0.5}, "\x3f\x80\x00\x00\xc0\x00\x00\x00\x3f\x00\x00\x00"},
  {"float64", {1.0, -2.0, 0.5},
   "\x3f\xf0\x00\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x00\x3f\xe0\x00\x00\x00\x00\x00\x00"},
  {"complex64", {{1, 2}, {0, -3}, {0.5, 0}},   -- NumPy's bytes for 1+2j, complex(0, -3), 0.5
   "\x3f\x80\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00\xc0\x40\x00\x00\x3f\x00\x00\x00\x00\x00\x00\x00"},
  {"complex128", {{1, 2}, {0, -3}, {0.5, 0}},
   "\x3f\xf0\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00"
   .. "\x00\x00\x00\x00\x00\x00\x00\x00\xc0\x08\x00\x00\x00\x00\x00\x00"
   .. "\x3f\xe0\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
}

local function specs(dev)
  local A = h.on(dev)
  local function R(n, dt) return lu.arange(n, {dtype = dt, device = dev}) end
  -- an array of dtype dt from SWAP's values (complex ones as {re, im})
  local function values(dt, v)
    if dt:match("^complex") then
      local re, im = {}, {}
      for i, z in ipairs(v) do re[i], im[i] = z[1], z[2] end
      return A(re, dt) + A(im, dt) * lu.complex(0, 1)
    end
    if dt == "uint64" then return A(v, "int64"):view(dt) end   -- 2^63 as int64's bits
    return A(v, dt)
  end

  describe("flags", function()
    it("c_contiguous, f_contiguous, owndata as NumPy's", function()
      -- {c, f, owndata, fnc, forc} from NumPy
      local cases = {
        {lu.zeros({2, 3}, {device = dev}), {true, false, true, false, true}},
        {lu.zeros({2, 3}, {device = dev}).T, {false, true, false, true, true}},
        {lu.zeros({2, 3}, {device = dev})[{{}, {1, -1, 2}}], {false, false, false, false, false}},
        {lu.zeros({3, 1}, {device = dev}), {true, true, true, false, true}},
        {lu.zeros({0, 3}, {device = dev}).T, {true, true, false, false, true}},
        {A(1), {true, true, true, false, true}},
      }
      for i, c in ipairs(cases) do
        local f, e = c[1].flags, c[2]
        assert.are.same(e, {f.c_contiguous, f.f_contiguous, f.owndata, f.fnc, f.forc}, "case " .. i)
        assert.are.same({e[1], e[2], e[3]}, {f.C_CONTIGUOUS, f.F_CONTIGUOUS, f.OWNDATA}, "case " .. i)
        assert.are.same({e[1], e[2], e[3]}, {f.C, f.F, f.O}, "case " .. i)
        assert.is_true(f.writeable and f.W and f.aligned and f.A and f.behaved)
        assert.is_false(f.writebackifcopy or f.X or f.WRITEBACKIFCOPY)
      end
    end)
    it("owndata: results own, views do not", function()
      local a = R(6)
      assert.is_true(a.flags.owndata)
      assert.is_true((a + 1).flags.owndata)
      assert.is_true(a:copy().flags.owndata)
      assert.is_true(a:reshape(2, 3).T:flatten().flags.owndata)
      assert.is_false(a:reshape(2, 3).flags.owndata)
      assert.is_false(a[{{2, 4}}].flags.owndata)
      assert.is_false(a:view().flags.owndata)
      assert.is_false(a:view("float64").flags.owndata)
      assert.is_true(a.flags.owndata)   -- still, with views about
      -- results that are a view of the function's own copy own it (NumPy:
      -- sort, fft and median of these give arrays that own their data)
      local m = R(12):reshape(3, 4)
      for name, r in pairs{sort = lu.sort(m, 1), argsort = lu.argsort(m, 1),
                           fft = lu.fft.fft(m:astype("float64"), nil, 1), roll = lu.roll(m, 1, 1)} do
        assert.is_true(r.flags.owndata, name)
        assert.is_nil(r.base, name)
        r:resize(2, 2)
        assert.are.same({2, 2}, r.shape, name)
      end
    end)
    it("read-only, and unknown names are errors", function()
      local a = R(3)
      assert.are.equal("flags: cannot set 'writeable': an array's flags are read-only (lunar arrays "
                       .. "are always writeable and aligned, and have no setflags)",
                       err_of(function() a.flags.writeable = false end))
      assert.are.equal("flags: no flag named 'contig'", err_of(function() return a.flags.contig end))
      assert.truthy(tostring(a.flags):find("  C_CONTIGUOUS : True\n  F_CONTIGUOUS : True\n"
                                            .. "  OWNDATA : True\n", 1, true))
    end)
  end)

  describe("base", function()
    it("nil for an owner, the buffer's array for a view", function()
      local a = R(12)
      assert.is_nil(a.base)
      local v = a:reshape(3, 4)[{{2, 3}, {1, -1, 2}}]
      local b = v.base
      assert.are.same({12}, b.shape)
      assert.are.equal("int64", b.dtype)
      assert.are.same(a:totable(), b:totable())
      assert.is_nil(b.base)
      assert.is_true(b.flags.owndata)
      -- shares the buffer both ways
      b[5] = 100
      assert.are.equal(100, v[{1, 1}])
      a[12] = -1
      assert.are.equal(-1, b[12])
    end)
    it("has the owner's layout, also after a view of another dtype", function()
      local m = lu.zeros({2, 3}, {dtype = "float32", device = dev})
      local b = m.T:view("int32").base
      assert.are.same({2, 3}, b.shape)
      assert.are.equal("float32", b.dtype)
      assert.are.same({}, A(5):reshape{}:reshape(1).base.shape)
    end)
  end)

  describe("view", function()
    it("of the same itemsize, any layout, writes through", function()
      -- NumPy: float32 [1, -2] as int32
      assert.are.same({1065353216, -1073741824}, A({1, -2}, "float32"):view("int32"):totable())
      local m = R(12, "int32"):reshape(3, 4)
      local v = m[{{}, {1, -1, 2}}]:view("uint32")
      assert.are.same({{0, 2}, {4, 6}, {8, 10}}, v:totable())
      v[{2, 2}] = 60
      assert.are.equal(60, m[{2, 3}])
      assert.are.same({4, 3}, m.T:view("float32").shape)
      m[{1, 1}] = 1065353216
      assert.are.equal(1.0, m.T:view("float32")[{1, 1}])
      assert.are.same({0, 1, 2, -1}, A({0, 1, 2, 255}, "uint8"):view("int8"):totable())
      assert.are.same({false, true, true, true}, A({0, 1, 2, 3}, "uint8"):view("bool"):totable())
      assert.are.same({15872, 16384}, A({1.5, 2}, "float16"):view("uint16"):totable())
      assert.are.same({16256, 16384}, A({1, 2}, "bfloat16"):view("uint16"):totable())
      -- 0-d keeps its shape
      assert.are.equal(1072693248 << 32, A(1.0):reshape{}:view("int64"):item())
    end)
    it("of another itemsize changes the last axis", function()
      assert.are.same({{0, 1072693248, 0, -1073741824}}, A({{1, -2}}, "float64"):view("int32"):totable())
      assert.are.same({{1125912791875585}, {2251829878849541}},
                      A({{1, 2, 3, 4}, {5, 6, 7, 8}}, "int16"):view("int64"):totable())
      assert.are.same({{131073, 262147}, {393221, 524295}},
                      A({{1, 2, 3, 4}, {5, 6, 7, 8}}, "int16"):view("int32"):totable())
      local z = A({1, 3}, "complex128") + A({2, -4}, "complex128") * lu.complex(0, 1)
      assert.are.same({1, 2, 3, -4}, z:view("float64"):totable())
      local z64 = A({1, 3}, "complex64") + A({2, -4}, "complex64") * lu.complex(0, 1)
      assert.are.same({4611686019492741120, -4575657220330487808}, z64:view("int64"):totable())
      -- a reversed first axis: NumPy [[3,0,4,0,5,0],[0,0,1,0,2,0]], strides (-24, 2) for int16
      local r = R(6):reshape(2, 3)[{{-1, 1, -1}}]
      assert.are.same({{3, 0, 4, 0, 5, 0}, {0, 0, 1, 0, 2, 0}}, r:view("int32"):totable())
      assert.are.same({-24, 2}, r:view("int16").strides)
      -- last axis of length 1, empty arrays
      assert.are.same({1, 8}, lu.zeros({2, 1}, {dtype = "int64", device = dev}).T:view("int16").shape)
      assert.are.same({2, 0}, lu.zeros({2, 0}, {dtype = "int8", device = dev}):view("int16").shape)
      assert.are.same({0}, lu.zeros(0, {dtype = "int8", device = dev}):view("int64").shape)
      -- writes through the narrower view
      local a = lu.zeros({2, 3}, {device = dev})
      a:view("int32")[{1, 2}] = 1072693248
      assert.are.same({{1, 0, 0}, {0, 0, 0}}, a:totable())
    end)
    it("without a dtype, a new object on the same buffer; an array's dtype", function()
      local a = R(4)
      local v = a:view()
      assert.is_false(rawequal(a, v))
      v[1] = 9
      assert.are.equal(9, a[1])
      assert.are.equal("float64", a:view(A({1.5})).dtype)
      assert.are.equal("int32", a:view{dtype = "int32"}.dtype)
    end)
    it("errors name view, the dtypes and shapes", function()
      assert.are.equal("view: cannot view float64 array of shape (3,2) as int32: to change to a dtype "
                       .. "of a different itemsize the last axis must be contiguous (its stride is 24, not 8)",
                       err_of(function() return lu.zeros({2, 3}, {device = dev}).T:view("int32") end))
      assert.are.equal("view: cannot view a 0-d float64 array as int32: a 0-d array changes dtype only "
                       .. "to one of the same itemsize (8, not 4 bytes)",
                       err_of(function() return A(1.0):reshape{}:view("int32") end))
      assert.are.equal("view: cannot view int8 array of shape (2,3) as int16: the last axis holds 3 "
                       .. "bytes, not a multiple of int16's itemsize 2",
                       err_of(function() return lu.zeros({2, 3}, {dtype = "int8", device = dev}):view("int16") end))
      assert.are.equal("view: cannot view uint8 array of shape (8,) as int16: its elements would start "
                       .. "at byte 1 of the buffer, not a multiple of 2 (lunar keeps elements aligned)",
                       err_of(function() return R(9, "uint8")[{{2, -1}}]:view("int16") end))
      assert.are.equal("view: cannot view int32 array of shape (3,2) as int64: its elements would start "
                       .. "at byte 4 of the buffer, not a multiple of 8 (lunar keeps elements aligned)",
                       err_of(function() return R(12, "int32"):reshape(3, 4)[{{}, {2, 3}}]:view("int64") end))
      assert.are.equal("array:view: bad argument #1 (unknown dtype 'int7')",
                       err_of(function() return R(2):view("int7") end))
      assert.are.equal("array:view: bad argument #1 (unknown option 'type')",
                       err_of(function() return R(2):view{type = "x"} end))
      assert.are.equal("array:view: bad argument #2 (unexpected argument (number); array:view takes 1 "
                       .. "positional argument after the first)", err_of(function() return R(2):view("int64", 1) end))
    end)
  end)

  describe("byteswap", function()
    it("every dtype, as NumPy's bytes", function()
      for _, c in ipairs(SWAP) do
        local dt, v, want = c[1], c[2], c[3]
        local a = values(dt, v)
        local s = a:byteswap()
        assert.are.equal(dt, s.dtype)
        assert.are.equal(want, s:tobytes(), dt)
        assert.are.equal(a:tobytes(), s:byteswap():tobytes(), dt)   -- twice is the identity
        -- in place: returns a, swapped
        local b = a:copy()
        assert.is_true(rawequal(b, b:byteswap(true)))
        assert.are.equal(want, b:tobytes(), dt)
      end
    end)
    it("non-contiguous, in place through a view, 0-d and empty", function()
      -- NumPy: arange(6).reshape(2,3).T.byteswap()
      local m = R(6):reshape(2, 3)
      assert.are.same({{0, 216172782113783808}, {72057594037927936, 288230376151711744},
                       {144115188075855872, 360287970189639680}}, m.T:byteswap():totable())
      local v = m[{{}, {1, -1, 2}}]
      v:byteswap{inplace = true}
      assert.are.same({{0, 1, 144115188075855872}, {216172782113783808, 4, 360287970189639680}},
                      m:totable())
      assert.are.equal(83886080, A(5, "int32"):reshape{}:byteswap():item())
      assert.are.same({0, 3}, lu.zeros({0, 3}, {dtype = "int16", device = dev}):byteswap().shape)
    end)
    it("errors", function()
      assert.are.equal("array:byteswap: bad argument #1 (inplace must be a boolean, got number)",
                       err_of(function() return R(2):byteswap(1) end))
      assert.are.equal("array:byteswap: bad argument #2 (unexpected argument (number); array:byteswap "
                       .. "takes at most 1 argument)", err_of(function() return R(2):byteswap(true, 1) end))
      assert.are.equal("array:byteswap: bad argument #1 (unknown option 'copy')",
                       err_of(function() return R(2):byteswap{copy = true} end))
    end)
  end)

  describe("getfield and setfield", function()
    it("read the bytes at an offset", function()
      local f = A({1, 2, 3}, "float32")
      assert.are.same({0, 0, 0}, f:getfield("int16"):totable())
      assert.are.same({16256, 16384, 16448}, f:getfield("int16", 2):totable())
      assert.are.same({16256, 16384, 16448}, f:getfield{dtype = "int16", offset = 2}:totable())
      local z = A({1, 3}, "complex128") + A({2, -4}, "complex128") * lu.complex(0, 1)
      assert.are.same({2, -4}, z:getfield("float64", 8):totable())
      assert.are.same({1, 255}, A({258, -1}, "int32"):getfield("uint8", 1):totable())
      -- a view: writes land in the array; strides kept (NumPy (8, 24))
      local m = R(6):reshape(2, 3).T
      local g = m:getfield("int32", 4)
      assert.are.same({8, 24}, g.strides)
      g[{1, 1}] = 1
      assert.are.equal(1 << 32, m[{1, 1}])
    end)
    it("setfield writes into those bytes", function()
      local f = A({1, 2, 3}, "float32")
      f:setfield(0, "int16", 2)
      assert.are.same({0, 0, 0}, f:totable())
      local i = lu.zeros(3, {dtype = "int32", device = dev})
      i:setfield(A{1, 2, 3}, "int16", 2)
      assert.are.same({65536, 131072, 196608}, i:totable())
      i:setfield({0, 0, 1}, "int16", 2)
      assert.are.same({0, 0, 65536}, i:totable())
    end)
    it("errors", function()
      local f = A({1, 2}, "float32")
      assert.are.equal("getfield: int16 (2 bytes) at offset 3 goes past the end of the element "
                       .. "(float32, 4 bytes)", err_of(function() return f:getfield("int16", 3) end))
      assert.are.equal("getfield: float64 (8 bytes) is larger than the element (float32, 4 bytes)",
                       err_of(function() return f:getfield("float64") end))
      assert.are.equal("getfield: offset must be non-negative, got -1",
                       err_of(function() return f:getfield("int16", -1) end))
      assert.are.equal("getfield: cannot view float32 array of shape (2,) as int16: its elements would "
                       .. "start at byte 1 of the buffer, not a multiple of 2 (lunar keeps elements aligned)",
                       err_of(function() return f:getfield("int16", 1) end))
      assert.are.equal("array:getfield: bad argument #1 (dtype expected)",
                       err_of(function() return f:getfield() end))
      assert.are.equal("array:getfield: bad argument #2 (offset must be an integer, got 1.5)",
                       err_of(function() return f:getfield("int8", 1.5) end))
      assert.are.equal("array:setfield: bad argument #1 (val expected)",
                       err_of(function() return f:setfield(nil, "int8") end))
    end)
  end)

  describe("flat", function()
    it("reads elements, ranges, index arrays and masks", function()
      local a = R(10)
      assert.are.equal(10, #a.flat)
      assert.are.equal(0, a.flat[1])
      assert.are.equal(9, a.flat[-1])
      assert.are.same({1, 2, 3}, a.flat[{2, 4}]:totable())
      assert.are.same({1, 9}, a.flat[A{2, -1}]:totable())
      local m = R(6):reshape(2, 3)
      assert.are.equal(4, m.flat[5])
      assert.are.same({1, 2, 3}, m.flat[{2, 4}]:totable())   -- NumPy flat[1:4]
      assert.are.same({{0, 1}, {2, 3}}, m.flat[A{{1, 2}, {3, 4}}]:totable())
      assert.are.same({0, 2, 4}, m.flat[lu.equal(m % 2, 0)]:totable())
      assert.are.same({3, 1, 4}, m.T.flat[{2, 4}]:totable())   -- C order of the transpose
      assert.are.same({0, 3, 1, 4, 2, 5}, m.T.flat:copy():totable())
      assert.is_true(rawequal(m, m.flat.base))
      local z = A(7):reshape{}
      assert.are.equal(7, z.flat[1])
      assert.are.equal(1, #z.flat)
    end)
    it("a copy from a range, not a view", function()
      local a = R(4)
      local c = a.flat[{}]
      c[1] = 50
      assert.are.equal(0, a[1])
    end)
    it("writes land in the array, also through views", function()
      local m = R(6):reshape(2, 3)
      m.T.flat[2] = 100            -- NumPy: a.T.flat[1] = 100
      assert.are.same({{0, 1, 2}, {100, 4, 5}}, m:totable())
      local c = R(6):reshape(2, 3)
      c[{{}, {1, -1, 2}}].flat[2] = -5
      assert.are.same({{0, 1, -5}, {3, 4, 5}}, c:totable())
      local a = R(10)
      a.flat[A{2, 3, 4}] = A{9}       -- NumPy a.flat[[1,2,3]] = [9]
      assert.are.same({0, 9, 9, 9, 4, 5, 6, 7, 8, 9}, a:totable())
      a = R(10)
      a.flat[{3, 6}] = A{1, 2}        -- NumPy a.flat[2:6] = [1,2]
      assert.are.same({0, 1, 1, 2, 1, 2, 6, 7, 8, 9}, a:totable())
      a = R(10)
      local mask = lu.less(R(10), 3)
      a.flat[mask] = A{7, 8}          -- NumPy: [7 8 7 3 ...]
      assert.are.same({7, 8, 7, 3, 4, 5, 6, 7, 8, 9}, a:totable())
      local t = R(6):reshape(2, 3)
      t.T.flat = {7, 8}               -- every element in the transpose's C order
      assert.are.same({{7, 8}, {7, 8}, {7, 8}}, t.T:totable())
      local z = A(1.5):reshape{}
      z.flat[1] = 3
      assert.are.equal(3, z:item())
    end)
    it("iterates in C order", function()
      local got = {}
      for v in R(6):reshape(2, 3).T.flat do got[#got + 1] = v end
      assert.are.same({0, 3, 1, 4, 2, 5}, got)
      got = {}
      for v in A({true, false}).flat do got[#got + 1] = v end
      assert.are.same({true, false}, got)
    end)
    it("errors", function()
      local a = R(10)
      assert.are.equal("flat: index 11 is out of bounds for size 10", err_of(function() return a.flat[11] end))
      assert.are.equal("flat: index -11 is out of bounds for size 10", err_of(function() return a.flat[-11] end))
      assert.are.equal("flat: index 0 is out of bounds for size 10", err_of(function() a.flat[0] = 1 end))
      assert.are.equal("flat: no field 'size'", err_of(function() return a.flat.size end))
      assert.are.equal("flat: index must be an integer, a range table or an array, got boolean",
                       err_of(function() return a.flat[true] end))
    end)
  end)

  describe("resize", function()
    it("keeps C-order data and zero-fills, in place", function()
      local a = R(6)
      assert.is_nil(a:resize(2, 4))
      assert.are.same({{0, 1, 2, 3}, {4, 5, 0, 0}}, a:totable())
      assert.is_true(a.flags.owndata)
      local f = R(6, "float32")
      f:resize{4}
      assert.are.same({0, 1, 2, 3}, f:totable())
      local s = A(7):reshape{}:copy()
      s:resize(3)
      assert.are.same({7, 0, 0}, s:totable())
      local e = R(3)
      e:resize(0)
      assert.are.same({0}, e.shape)
      e:resize({2, 2}, {refcheck = true})
      assert.are.same({{0, 0}, {0, 0}}, e:totable())
      local r = R(6)
      r:resize{new_shape = {3, 2}}
      assert.are.same({{0, 1}, {2, 3}, {4, 5}}, r:totable())
      local c = lu.zeros(2, {dtype = "complex64", device = dev}) + 1
      c:resize(3)
      assert.are.same({1, 1, 0}, c.real:totable())
    end)
    it("refuses a view and a shared buffer; refcheck = false leaves the views the old data", function()
      local a = R(6)
      local v = a[{{2, -1}}]
      assert.are.equal("resize: cannot resize an array that references or is referenced by another "
                       .. "array in this way; use lunar.resize or refcheck = false",
                       err_of(function() a:resize(3) end))
      assert.are.equal("resize: cannot resize this array: it does not own its data",
                       err_of(function() v:resize(3) end))
      assert.are.equal("resize: cannot resize this array: it does not own its data",
                       err_of(function() v:resize(3, {refcheck = false}) end))
      a:resize(8, {refcheck = false})
      assert.are.same({0, 1, 2, 3, 4, 5, 0, 0}, a:totable())
      a[2] = 50
      assert.are.same({1, 2, 3, 4, 5}, v:totable())
    end)
    it("errors", function()
      local a = R(3)
      assert.are.equal("array:resize: bad argument #1 (new_shape (a table or integers) expected, got no value)",
                       err_of(function() a:resize() end))
      assert.are.equal("array:resize: bad argument #2 (unknown option 'order')",
                       err_of(function() a:resize(3, {order = "C"}) end))
      assert.are.equal("array:resize: bad argument #2 (refcheck must be a boolean, got number)",
                       err_of(function() a:resize(3, {refcheck = 1}) end))
      assert.are.equal("array:resize: bad argument #2 (unexpected argument (string))",
                       err_of(function() a:resize({3}, "x") end))
      assert.are.equal("array:resize: bad argument #1 (shape must be non-negative integers, got -1)",
                       err_of(function() a:resize(-1) end))
    end)
  end)
end

for _, dev in ipairs(lu.devices()) do
  describe("attributes on " .. dev, function() specs(dev) end)
end

-- Automatic fusion: pending values are settled before these read them, a
-- computed value owns its buffer, and pending readers do not count as
-- references for resize.
describe("attributes with automatic fusion on every device", function()
  local old
  setup(function() old = lu.set_fusion("all") end)
  teardown(function() lu.set_fusion(old) end)
  it("works on pending values", function()
    local a = lu.arange(4, {dtype = "float64"}) * 2 + 1
    assert.is_true(a.flags.owndata)
    assert.is_nil(a.base)
    assert.are.same({0, 1072693248, 0, 1074266112}, (a * 1):view("int32")[{{1, 4}}]:totable())
    local b = lu.arange(4) + 0
    assert.are.same({0, 72057594037927936, 144115188075855872, 216172782113783808},
                    b:byteswap():totable())
    local c = lu.arange(6) * 1
    c.flat[2] = 50
    assert.are.same({0, 50, 2, 3, 4, 5}, c:totable())
    local d = lu.arange(5) * 1
    local e = d * 2                -- pending, reads d
    d:resize(3)
    assert.are.same({0, 1, 2}, d:totable())
    assert.are.same({0, 2, 4, 6, 8}, e:totable())
    local f = lu.arange(3, {dtype = "float32"}) + 1
    assert.are.same({16256, 16384, 16448}, f:getfield("int16", 2):totable())
    local g = lu.arange(3) + 0
    g:view("uint64")[1] = 7
    assert.are.equal(7, (g + 0)[1])
  end)
end)
