-- SPDX-License-Identifier: MIT
-- NumPy's interp, unwrap and cross, composed from lunar's searching,
-- indexing, scans and elementwise ops, so they run on every device. Called with the
-- module and the array method table; returns nothing.
local lu, _, internal = ...

local isarray, argerror, toarray = internal.isarray, internal.argerror, internal.toarray

-- NumPy's calling convention (manip.lua's params: the arguments after the
-- first `first` by position in the order of `pos`, or by name in a
-- trailing table); the first ones at [1] ..
local function params(fname, first, pos, ...)
  local n, args = select("#", ...), {...}
  local out = internal.params(fname, n, args, first, pos)
  for i = 1, first do out[i] = args[i] end
  return out
end

local function tofloat(fname, k, x, dev)
  local a = toarray(fname, k, x, "array or number")
  if dev and a.device ~= dev then a = a:to(dev) end
  if a.dtype:match("^complex") then return a end
  return a.dtype == "float64" and a or a:astype("float64")
end

-- {===== interp
-- Real samples: NumPy's loop, elementwise. j is the last sample point at
-- or below x (searchsorted); x at a sample point takes its value exactly,
-- and a NaN from an infinite slope is retried from the right end, then
-- the flat value.
local function interp_real(x, xp, fp, left, right)
  local n = xp.size
  local r
  if n == 1 then
    r = lu.full(x.shape, fp[1], {device = x.device})
  else
    local pos = lu.searchsorted(xp, x:ravel(), "right"):reshape(x.shape)   -- 1-based: xp[pos - 1] <= x
    local j = lu.clip(pos - 1, 1, n - 1)
    local x0, x1 = lu.take(xp, j), lu.take(xp, j + 1)
    local f0, f1 = lu.take(fp, j), lu.take(fp, j + 1)
    local slope = (f1 - f0) / (x1 - x0)
    r = slope * (x - x0) + f0
    local again = slope * (x - x1) + f1
    r = lu.where(lu.isnan(r), again, r)
    r = lu.where(lu.logical_and(lu.isnan(r), f0:eq(f1)), f0, r)
    r = lu.where(x:eq(x0), f0, r)
    r = lu.where(x:eq(xp[n]), fp[n], r)
  end
  r = lu.where(x:lt(xp[1]), left, r)
  r = lu.where(x:gt(xp[n]), right, r)
  return lu.where(lu.isnan(x), x, r)
end

-- interp(x, xp, fp [, left [, right [, period]]]): the piecewise-linear
-- function through (xp, fp) at x, float64 (complex128 for complex fp)
function lu.interp(...)
  local p = params("interp", 3, {"left", "right", "period"}, ...)
  local x = p[1]
  local dev = isarray(x) and x.device or nil
  x = tofloat("interp", 1, x, dev)
  if x.dtype:match("^complex") then argerror("interp", 1, "x must be real, got " .. x.dtype) end
  dev = x.device
  local xp, fp = tofloat("interp", 2, p[2], dev), tofloat("interp", 3, p[3], dev)
  if xp.dtype:match("^complex") then argerror("interp", 2, "xp must be real, got " .. xp.dtype) end
  if xp.ndim ~= 1 or fp.ndim ~= 1 then
    argerror("interp", xp.ndim ~= 1 and 2 or 3, "xp and fp must be one-dimensional")
  end
  if xp.size ~= fp.size then
    argerror("interp", 3, ("fp and xp are not of the same length (%d and %d)"):format(fp.size, xp.size))
  end
  if xp.size == 0 then argerror("interp", 2, "array of sample points is empty") end
  if p.period ~= nil then
    local period = p.period
    if type(period) ~= "number" then argerror("interp", 6, "period must be a number, got " .. type(period)) end
    if period == 0 then argerror("interp", 6, "period must be a non-zero value") end
    period = math.abs(period)
    -- NumPy: everything modulo the period, the points sorted, one more
    -- at each end from the other end
    x = lu.mod(x, period)
    xp = lu.mod(xp, period)
    local order = lu.argsort(xp)
    xp, fp = lu.take(xp, order), lu.take(fp, order)
    xp = lu.concatenate({xp[{{-1, -1}}] - period, xp, xp[{{1, 1}}] + period})
    fp = lu.concatenate({fp[{{-1, -1}}], fp, fp[{{1, 1}}]})
    p.left, p.right = nil, nil
  end
  local function side(v, default, k, name)
    if v == nil then return default end
    if type(v) == "number" then return v end
    if isarray(v) and v.size == 1 then return v:item() end
    argerror("interp", k, name .. " must be a number, got " .. type(v))
  end
  if fp.dtype:match("^complex") then
    local re, im = fp.real:astype("float64"), fp.imag:astype("float64")
    local function part(v, f)
      if v == nil then return nil end
      if type(v) == "number" then return f == "real" and v or 0 end
      return lu.asarray(v)[f]:item()
    end
    local n = xp.size
    local r = interp_real(x, xp, re, side(part(p.left, "real"), re[1], 4, "left"),
                          side(part(p.right, "real"), re[n], 5, "right"))
    local i = interp_real(x, xp, im, side(part(p.left, "imag"), im[1], 4, "left"),
                          side(part(p.right, "imag"), im[n], 5, "right"))
    return r + i * lu.complex(0, 1)
  end
  return interp_real(x, xp, fp, side(p.left, fp[1], 4, "left"),
                     side(p.right, fp[fp.size], 5, "right"))
end
-- }=====

-- {===== unwrap
-- unwrap(p [, discont [, axis [, period]]]): p with each jump along axis
-- larger than discont (default period / 2) replaced by its remainder
-- modulo period (default 2 pi), as NumPy does
function lu.unwrap(...)
  local a = params("unwrap", 1, {"discont", "axis", "period"}, ...)
  local pa = toarray("unwrap", 1, a[1])
  local period = a.period == nil and 2 * math.pi or a.period
  if type(period) ~= "number" then argerror("unwrap", 4, "period must be a number, got " .. type(period)) end
  local axis = a.axis == nil and -1 or a.axis
  if math.type(axis) ~= "integer" then argerror("unwrap", 3, "axis must be an integer, got " .. type(axis)) end
  local nd = pa.ndim
  if nd == 0 then argerror("unwrap", 1, "diff requires input that is at least one dimensional") end
  axis = internal.axis_of("unwrap", 3, axis, nd)
  local discont = a.discont == nil and period / 2 or a.discont
  if type(discont) ~= "number" then argerror("unwrap", 2, "discont must be a number, got " .. type(discont)) end
  local dd = lu.diff(pa, 1, axis)
  -- integers with an integer period: the interval's ends as integers
  local int = not dd.dtype:match("^float") and not dd.dtype:match("^complex") and dd.dtype ~= "bfloat16"
              and math.type(period) == "integer"
  local high, ambiguous
  if int then
    high = period // 2
    ambiguous = period % 2 == 0
  else
    high = period / 2
    ambiguous = true
  end
  local low = -high
  local ddmod = lu.mod(dd - low, period) + low
  if ambiguous then ddmod = lu.where(lu.logical_and(ddmod:eq(low), dd:gt(0)), high, ddmod) end
  local fix = lu.where(lu.abs(dd):lt(discont), 0, ddmod - dd)
  local up = pa:astype(fix.dtype)   -- a new array
  if pa.shape[axis] > 1 then
    local idx = {}
    for d = 1, nd do idx[d] = {} end
    idx[axis] = {2, pa.shape[axis]}
    up[idx] = pa[idx] + lu.cumsum(fix, axis)
  end
  return up
end
-- }=====

-- {===== cross
-- cross(a, b [, axisa [, axisb [, axisc [, axis]]]]): the cross product of
-- the vectors of 2 or 3 components along axisa of a and axisb of b
-- (default -1; `axis` sets all three), broadcast over the other axes; the
-- result's vectors along axisc. Two 2-vectors give the z component alone.
-- A missing third component counts as 0, as NumPy computes it (its own
-- products, not products with 0).
function lu.cross(...)
  local p = params("cross", 2, {"axisa", "axisb", "axisc", "axis"}, ...)
  local a, b = toarray("cross", 1, p[1]), toarray("cross", 2, p[2])
  if a.ndim == 0 or b.ndim == 0 then
    argerror("cross", a.ndim == 0 and 1 or 2, "incompatible dimensions for cross product (dimension must be 2 or 3)")
  end
  local axa, axb, axc = p.axisa or -1, p.axisb or -1, p.axisc or -1
  if p.axis ~= nil then axa, axb, axc = p.axis, p.axis, p.axis end
  local function check_axis(ax, nd, k, name)
    if math.type(ax) ~= "integer" then argerror("cross", k, name .. " must be an integer, got " .. type(ax)) end
    if ax == 0 or ax > nd or ax < -nd then
      argerror("cross", k, ("%s: axis %d is out of bounds for array of dimension %d"):format(name, ax, nd))
    end
  end
  check_axis(axa, a.ndim, 3, "axisa")
  check_axis(axb, b.ndim, 4, "axisb")
  a, b = lu.moveaxis(a, axa, -1), lu.moveaxis(b, axb, -1)
  local na, nb = a.shape[a.ndim], b.shape[b.ndim]
  if (na ~= 2 and na ~= 3) or (nb ~= 2 and nb ~= 3) then
    argerror("cross", (na ~= 2 and na ~= 3) and 1 or 2,
             ("incompatible dimensions for cross product (dimension must be 2 or 3, got %d and %d)"):format(na, nb))
  end
  local E = lu.ellipsis
  local a0, a1, b0, b1 = a[{E, 1}], a[{E, 2}], b[{E, 1}], b[{E, 2}]
  local z = a0 * b1 - a1 * b0
  if na == 2 and nb == 2 then return z end
  local x, y
  if na == 2 then
    local b2 = b[{E, 3}]
    x, y = a1 * b2, -(a0 * b2)
  elseif nb == 2 then
    local a2 = a[{E, 3}]
    x, y = -(a2 * b1), a2 * b0
  else
    local a2, b2 = a[{E, 3}], b[{E, 3}]
    x, y = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2
  end
  local nd = math.max(x.ndim, y.ndim, z.ndim) + 1
  check_axis(axc, nd, 5, "axisc")
  local shape = lu.broadcast_shapes(x.shape, y.shape, z.shape)
  local c = lu.stack({lu.broadcast_to(x, shape), lu.broadcast_to(y, shape), lu.broadcast_to(z, shape)}, -1)
  return lu.moveaxis(c, -1, axc)
end
-- }=====
