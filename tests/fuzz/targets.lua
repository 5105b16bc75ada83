-- SPDX-License-Identifier: MIT
-- The fuzz targets (tests/fuzz/fuzz_lunar.c): each takes the input bytes,
-- reads them as a small program of lunar calls and makes the calls under
-- pcall. lunar may return or raise, but an error must be a non-empty
-- string and lunar must compute correctly afterwards. Inputs never ask for
-- more than about 10^5 elements, so that a finding is a bug, not a
-- request for all of memory (requests for huge sizes are made only where
-- lunar must refuse them before allocating: reshape, broadcast_to, slices).
local lunar = require "lunar"
local T = {}

-- {===== reading the bytes
local function reader(s)
  local i = 0
  return function()
    i = i + 1
    return s:byte(i) or 0
  end
end

local BIG = {0, 1, -1, 2, -2, 3, 5, -5, 255, 256, 2 ^ 31, -2 ^ 31, 1 << 31, 1 << 32, (1 << 62),
             -(1 << 62), math.maxinteger, math.mininteger, math.maxinteger - 1, 7905747460161236407,
             1 / 0, -1 / 0, 0 / 0, 0.5, -0.5, 1e300, 2.5}

-- mostly small integers, sometimes the extremes
local function int(rd)
  local b = rd()
  if b < 200 then return b % 11 - 5 end
  local v = BIG[b % #BIG + 1]
  return math.tointeger(v) or v
end

local function small(rd, n) return rd() % n end
-- }=====

-- {===== checks
local function check_error(ok, err)
  if not ok and (type(err) ~= "string" or #err == 0) then
    error("an error that is not a message: " .. tostring(err), 0)
  end
end

local function try(f, ...) check_error(pcall(f, ...)) end

-- lunar still computes (a case must not leave it broken)
local function sane()
  local v = (lunar.arange(4) * 2):sum():item()
  if v ~= 12 then error("lunar computes wrongly after the input: " .. tostring(v), 0) end
end

local function size_of(shape)
  local n = 1
  for _, d in ipairs(shape) do
    if math.type(d) ~= "integer" or d < 0 then return math.huge end
    n = n * d
    if n > 100000 then return math.huge end
  end
  return n
end
-- }=====

-- {===== index: basic, fancy and mask indexing, get and set
local function key_item(rd, shape)
  local k = small(rd, 10)
  if k <= 2 then return int(rd)
  elseif k == 3 then return {int(rd), int(rd)}
  elseif k == 4 then return {int(rd), int(rd), int(rd)}
  elseif k == 5 then return {}
  elseif k == 6 then return (small(rd, 2) == 0) and lunar.newaxis or lunar.ellipsis
  elseif k == 7 then
    local t = {}
    for i = 1, small(rd, 5) do t[i] = int(rd) end
    if small(rd, 2) == 1 then return t end
    -- a float past int64 (inf, 2^63) is refused as NumPy refuses it: the
    -- table then goes to the index parser as it is
    local ok, arr = pcall(lunar.array, t, "int64")
    check_error(ok, arr)
    return ok and arr or t
  elseif k == 8 then
    local t = {}
    for i = 1, small(rd, 6) do t[i] = small(rd, 2) == 1 end
    return small(rd, 2) == 0 and lunar.array(t, "bool") or t
  end
  return {int(rd)}
end

function T.index(s)
  local rd = reader(s)
  local shape = {}
  for i = 1, small(rd, 4) do shape[i] = small(rd, 5) end
  local n = size_of(shape)
  local dts = {"float64", "int32", "bool", "complex64", "float16", "uint8"}
  local a = lunar.arange(n):reshape(shape):astype(dts[small(rd, #dts) + 1])
  if small(rd, 3) == 0 then a = a.T end
  local key
  if small(rd, 2) == 0 then
    key = key_item(rd, shape)
  else
    key = {}
    for i = 1, small(rd, 5) do key[i] = key_item(rd, shape) end
  end
  try(function() return a[key] end)
  try(function() a[key] = int(rd) end)
  try(function() a[key] = lunar.ones(small(rd, 4)) end)
  try(function() return a:take(lunar.array({int(rd), int(rd)}, "int64"), small(rd, 3)) end)
  sane()
end
-- }=====

-- {===== shape: reshape, broadcasting, transposes, slices with extreme steps
local function dims(rd)
  local t = {}
  for i = 1, small(rd, 6) do t[i] = int(rd) end
  return t
end

function T.shape(s)
  local rd = reader(s)
  local base = {}
  for i = 1, small(rd, 3) do base[i] = small(rd, 6) end
  local a = lunar.zeros(base)
  local d1, d2 = dims(rd), dims(rd)
  try(function() return a:reshape(d1) end)
  try(function() return a:reshape(table.unpack(d1)) end)
  try(function() return lunar.broadcast_shapes(d1, d2) end)
  try(function() return lunar.broadcast_to(a, d1) end)
  try(function() return a:transpose(d1) end)
  try(function() return lunar.moveaxis(a, int(rd), int(rd)) end)
  try(function() return lunar.expand_dims(a, int(rd)) end)
  try(function() return lunar.squeeze(a, int(rd)) end)
  try(function() return a:swapaxes(int(rd), int(rd)) end)
  try(function() return lunar.arange(5)[{{int(rd), int(rd), int(rd)}}] end)
  try(function() return a:sum(int(rd)) end)
  if size_of(d1) < math.huge then try(function() return lunar.ones(d1) + a end) end
  sane()
end
-- }=====

-- {===== array: lunar.array from nested Lua tables
local LEAVES = {0, 1, -1, 2.5, 0 / 0, 1 / 0, -1 / 0, math.maxinteger, math.mininteger, 300, -129,
                1e300, true, false, "3", "x", 2 ^ 63}

local function nested(rd, depth)
  local b = small(rd, 8)
  if depth > 4 or b < 3 then
    local v = LEAVES[small(rd, #LEAVES) + 1]
    return v
  end
  local t = {}
  for i = 1, small(rd, 4) do t[i] = nested(rd, depth + 1) end
  if b == 7 then t.extra = 1 end
  return t
end

function T.array(s)
  local rd = reader(s)
  local dts = {nil, "float64", "float32", "int8", "uint8", "int64", "uint64", "bool", "complex128",
               "float16", "bfloat16", "int16"}
  local t = nested(rd, 0)
  local dt = dts[small(rd, #dts) + 1]
  try(function() return lunar.array(t, dt) end)
  try(function() return lunar.asarray(t) end)
  try(function() return lunar.full(small(rd, 4), LEAVES[small(rd, #LEAVES) + 1], dt) end)
  try(function()
    local a = lunar.array(t)
    return a:astype(dts[small(rd, #dts) + 1] or "int32"), a:totable()
  end)
  sane()
end
-- }=====

-- {===== names: dtype and device names, option tables
function T.names(s)
  local rd = reader(s)
  local cut = small(rd, 24)
  local name = s:sub(2, 1 + cut)
  try(function() return lunar.zeros(2, name) end)
  try(function() return lunar.zeros(2, {device = name}) end)
  try(function() return lunar.zeros(2, {dtype = name, device = "cpu"}) end)
  try(function() return lunar.ones(3):astype(name) end)
  try(function() return lunar.ones(3):to(name) end)
  try(function() return lunar.iinfo(name) end)
  try(function() return lunar.finfo(name) end)
  try(function() return lunar.arange(3):sum({[name] = 1}) end)
  sane()
end
-- }=====

-- {===== files: the loaders, on the bytes as a file
local path = os.tmpname()

function T.files(s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
  local cpu = {device = "cpu"}
  if lunar.load then try(lunar.load, path, cpu) end
  if lunar.loadtxt then
    try(lunar.loadtxt, path, cpu)
    try(lunar.loadtxt, path, {delimiter = ",", device = "cpu"})
  end
  if lunar.genfromtxt then try(lunar.genfromtxt, path, {delimiter = ",", device = "cpu"}) end
  if lunar.fromfile then try(lunar.fromfile, path, "int16") end
  if lunar.frombuffer then try(lunar.frombuffer, s, "float32") end
  if lunar.image and lunar.image.read then try(lunar.image.read, path, cpu) end
  sane()
end
-- }=====

return T
