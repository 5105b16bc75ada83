-- SPDX-License-Identifier: MIT
-- NumPy's packbits and unpackbits, composed from shifts, products and
-- sums, so they run on every device. Called with the module and the array
-- method table; returns nothing.
local lu, _, internal = ...

local isarray, argerror, params = internal.isarray, internal.argerror, internal.params

local function bitorder_of(fname, k, v)
  if v == nil or v == "big" then return "big" end
  if v == "little" then return "little" end
  argerror(fname, k, ("bitorder must be either 'little' or 'big', got %s"):format(tostring(v)))
end

-- The bit weights of a byte, most significant first ("big") or last
local function weights(order, dev)
  local w = {}
  for i = 1, 8 do w[i] = order == "big" and 1 << (8 - i) or 1 << (i - 1) end
  return lu.array(w, {dtype = "uint8", device = dev})
end

-- a flattened (axis nil) or with `axis` moved last; the axis to move back
local function along(fname, a, axis)
  if axis == nil then return a:ravel(), nil end
  return lu.moveaxis(a, internal.axis_of(fname, 2, axis, a.ndim), -1), axis
end

-- packbits(a [, axis [, bitorder]]): each run of 8 elements along axis
-- (all of a, flattened, by default) as the bits of one uint8, nonzero
-- elements being 1; the last byte padded with 0 bits
function lu.packbits(...)
  local args = {...}
  local p = params("packbits", select("#", ...), args, 1, {"axis", "bitorder"})
  if not isarray(args[1]) and type(args[1]) ~= "table" then
    argerror("packbits", 1, "array expected, got " .. type(args[1]))
  end
  local a = lu.asarray(args[1])
  local dt = a.dtype
  if dt ~= "bool" and not dt:match("^u?int") then
    argerror("packbits", 1, "Expected an input array of integer or boolean data type, got " .. dt)
  end
  if a.ndim == 0 and p.axis ~= nil then
    argerror("packbits", 2, "axis 1 is out of bounds for array of dimension 0")
  end
  local order = bitorder_of("packbits", 3, p.bitorder)
  local b, axis = along("packbits", a, p.axis)
  b = b:ne(0):astype("uint8")
  local shape = b.shape
  local nd, n = #shape, shape[#shape]
  local m = (n + 7) // 8
  if m * 8 > n then   -- pad the last byte with 0 bits
    local pad = {}
    for d = 1, nd do pad[d] = shape[d] end
    pad[nd] = m * 8 - n
    b = lu.concatenate({b, lu.zeros(pad, {dtype = "uint8", device = a.device})}, -1)
  end
  local rs = {}
  for d = 1, nd - 1 do rs[d] = shape[d] end
  rs[nd], rs[nd + 1] = m, 8
  local r = (b:reshape(rs) * weights(order, a.device)):sum(-1, {dtype = "uint8"})
  if axis ~= nil then r = lu.moveaxis(r, -1, axis) end
  return r
end

-- unpackbits(a [, axis [, count [, bitorder]]]): each uint8 along axis (all
-- of a, flattened, by default) as 8 elements 0 or 1; count keeps that many
-- of the bits (negative: drops as many from the end, at most all of them;
-- more than there are: pads with 0)
function lu.unpackbits(...)
  local args = {...}
  local p = params("unpackbits", select("#", ...), args, 1, {"axis", "count", "bitorder"})
  if not isarray(args[1]) and type(args[1]) ~= "table" then
    argerror("unpackbits", 1, "array expected, got " .. type(args[1]))
  end
  local a = lu.asarray(args[1])
  if a.dtype ~= "uint8" then
    argerror("unpackbits", 1, "Expected an input array of unsigned byte data type, got " .. a.dtype)
  end
  if a.ndim == 0 and p.axis ~= nil then
    argerror("unpackbits", 2, "axis 1 is out of bounds for array of dimension 0")
  end
  if p.count ~= nil and math.type(p.count) ~= "integer" then
    argerror("unpackbits", 3, "count must be an integer, got " .. type(p.count))
  end
  local order = bitorder_of("unpackbits", 4, p.bitorder)
  local b, axis = along("unpackbits", a, p.axis)
  local shape = b.shape
  local nd, n = #shape, shape[#shape]
  local shifts = {}
  for i = 1, 8 do shifts[i] = order == "big" and 8 - i or i - 1 end
  local bits = lu.bitwise_and(lu.right_shift(lu.expand_dims(b, -1),
                                             lu.array(shifts, {dtype = "uint8", device = a.device})), 1)
  local rs = {}
  for d = 1, nd - 1 do rs[d] = shape[d] end
  rs[nd] = n * 8
  local r = bits:astype("uint8"):reshape(rs)
  if p.count ~= nil then
    if p.count < 0 and -p.count > n * 8 then
      argerror("unpackbits", 3, ("-count larger than number of elements (%d > %d)"):format(-p.count, n * 8))
    end
    local keep = p.count >= 0 and p.count or n * 8 + p.count
    if keep < n * 8 then
      local idx = {}
      for d = 1, nd - 1 do idx[d] = {} end
      idx[nd] = keep > 0 and {1, keep} or {1, 0}
      r = r[idx]
    elseif keep > n * 8 then
      local pad = {}
      for d = 1, nd - 1 do pad[d] = rs[d] end
      pad[nd] = keep - n * 8
      r = lu.concatenate({r, lu.zeros(pad, {dtype = "uint8", device = a.device})}, -1)
    end
  end
  if axis ~= nil then r = lu.moveaxis(r, -1, axis) end
  return r
end
