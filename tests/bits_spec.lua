-- SPDX-License-Identifier: MIT
-- packbits and unpackbits (lua/bits.lua), base_repr (lua/logic.lua) and
-- asfortranarray (lua/manip.lua): hand-checked values on every device; the
-- differential suite compares them with NumPy.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

for _, dev in ipairs(lu.devices()) do
  describe("bits and layouts on " .. dev, function()
    local A = h.on(dev)

    it("packs and unpacks bits", function()
      -- 1011 0000 | 1000 0000 (the last byte padded)
      local p = lu.packbits(A({1, 0, 1, 1, 0, 0, 0, 0, 1}))
      assert.are.equal("uint8", p.dtype)
      assert.are.equal(dev, p.device)
      assert.are.same({176, 128}, p:totable())
      assert.are.same({5}, lu.packbits(A({true, false, true}), {bitorder = "little"}):totable())
      assert.are.same({{160}, {64}}, lu.packbits(A({{1, 0, 1}, {0, 1, 0}}), 2):totable())
      local u = lu.unpackbits(A({2, 7}, "uint8"))
      assert.are.same({0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1}, u:totable())
      assert.are.same({0, 1, 0, 0, 0}, lu.unpackbits(A({2}, "uint8"), {count = -3, bitorder = "little"}):totable())
      assert.are.same({1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, lu.unpackbits(A({255}, "uint8"), nil, 10):totable())
      assert.are.equal("lunar.unpackbits: bad argument #1 (Expected an input array of unsigned byte data type, got int8)",
                       h.err_of(lu.unpackbits, A({1}, "int8")))
      assert.are.equal("lunar.packbits: bad argument #1 (Expected an input array of integer or boolean data type, got float64)",
                       h.err_of(lu.packbits, A({1.5})))
      assert.are.equal("lunar.unpackbits: bad argument #3 (-count larger than number of elements (9 > 8))",
                       h.err_of(lu.unpackbits, A({1}, "uint8"), nil, -9))
    end)

    it("writes integers in other bases", function()
      assert.are.equal("-FF", lu.base_repr(-255, 16))
      assert.are.equal("00012", lu.base_repr(7, 5, 3))
      assert.are.equal("000", lu.base_repr(0, {padding = 3}))
      assert.are.equal("-1000000000000000000000000000000000000000000000000000000000000000",
                       lu.base_repr(math.mininteger))
      assert.are.equal("lunar.base_repr: bad argument #2 (Bases greater than 36 not handled in base_repr.)",
                       h.err_of(lu.base_repr, 5, 37))
    end)

    it("lays arrays out in Fortran order", function()
      local a = lu.arange(6, {device = dev}):reshape(2, 3)
      local f = lu.asfortranarray(a)
      assert.are.same({8, 16}, f.strides)
      assert.are.same(a:totable(), f:totable())
      assert.is_true(lu.isfortran(f))
      assert.are.equal(f, lu.asfortranarray(f))
      assert.are.same({1}, lu.asfortranarray(5).shape)
      assert.are.equal("float32", lu.asfortranarray(a, "float32").dtype)
    end)
  end)
end
