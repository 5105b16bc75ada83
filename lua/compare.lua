-- SPDX-License-Identifier: MIT
-- Whole-array comparisons that answer with one Lua boolean:
-- lunar.array_equal and lunar.allclose (NumPy's meanings, NaN ~= NaN).
local lunar = ...

local function isarray(x) return type(x) == "userdata" end

-- Make x an array on `like`'s device (x may already be one).
local function asarray(x, like, fname)
  if isarray(x) then return x end
  local t = type(x)
  if t ~= "number" and t ~= "boolean" and t ~= "table" then
    error(fname .. ": array, table, number or boolean expected, got " .. t, 3)
  end
  return lunar.array(x, like and {device = like.device} or nil)
end

local function operands(a, b, fname)
  if not isarray(a) and isarray(b) then
    b = asarray(b, nil, fname); a = asarray(a, b, fname)
  else
    a = asarray(a, nil, fname); b = asarray(b, a, fname)
  end
  return a, b
end

-- True when a and b have the same shape and equal elements.
function lunar.array_equal(a, b)
  a, b = operands(a, b, "lunar.array_equal")
  local sa, sb = a.shape, b.shape
  if #sa ~= #sb then return false end
  for i = 1, #sa do
    if sa[i] ~= sb[i] then return false end
  end
  if a.size == 0 then return true end
  return lunar.equal(a, b):all():item()
end

local floats = {float32 = true, float64 = true}

-- all(|a - b| <= atol + rtol * |b|), broadcasting; equal infinities are
-- close, NaN is close to nothing.
function lunar.allclose(a, b, rtol, atol)
  if type(rtol) == "table" then
    rtol, atol = rtol.rtol, rtol.atol
  end
  rtol, atol = rtol or 1e-5, atol or 1e-8
  if type(rtol) ~= "number" then error("lunar.allclose: bad argument #3 (rtol must be a number)", 2) end
  if type(atol) ~= "number" then error("lunar.allclose: bad argument #4 (atol must be a number)", 2) end
  a, b = operands(a, b, "lunar.allclose")
  if not floats[a.dtype] then a = a:astype("float64") end
  if not floats[b.dtype] then b = b:astype("float64") end
  local d = lunar.abs(lunar.subtract(a, b))
  local tol = lunar.add(lunar.multiply(lunar.abs(b), rtol + 0.0), atol + 0.0)
  local close = lunar.logical_or(lunar.less_equal(d, tol), lunar.equal(a, b))
  if close.size == 0 then return true end
  return close:all():item()
end
