-- SPDX-License-Identifier: MIT
-- NumPy's window functions (bartlett, blackman, hamming, hanning, kaiser)
-- and the modified Bessel function i0 that kaiser needs, composed from the
-- elementwise ops, so they run on every device. Called with the module
-- and the array method table; returns nothing.
local lu, _, internal = ...

local isarray, argerror = internal.isarray, internal.argerror

-- The window's length and options: an integer M, then (kaiser) beta, then
-- an optional table {device = ...}
local function window_args(fname, nparams, ...)
  local n, args = select("#", ...), {...}
  local opts
  if n > nparams and type(args[n]) == "table" and not isarray(args[n]) then
    opts = args[n]
    n = n - 1
    for k in pairs(opts) do
      if k ~= "device" then argerror(fname, n + 1, ("unknown option '%s'"):format(tostring(k))) end
    end
  end
  if n > nparams then argerror(fname, nparams + 1, "unexpected argument (" .. type(args[nparams + 1]) .. ")") end
  local m = args[1]
  if type(m) ~= "number" then argerror(fname, 1, "M must be an integer, got " .. type(m)) end
  if math.type(m) == "float" then
    if m ~= math.floor(m) or m ~= m or math.abs(m) >= 2 ^ 53 then
      argerror(fname, 1, "M must be an integer, got " .. tostring(m))
    end
    m = math.tointeger(m)
  end
  for k = 2, nparams do
    if type(args[k]) ~= "number" then
      argerror(fname, k, ("beta must be a number, got %s"):format(type(args[k])))
    end
  end
  return m, {dtype = "float64", device = opts and opts.device}, args
end

-- NumPy's symmetric cosine windows: a + b cos(pi n / (M - 1)) + c cos(2 pi n / (M - 1))
-- over n = 1 - M, 3 - M, ..., M - 1
local function cosine_window(fname, a, b, c)
  lu[fname] = function(...)
    local m, kw = window_args(fname, 1, ...)
    if m < 1 then return lu.empty(0, kw) end
    if m == 1 then return lu.ones(1, kw) end
    local n = lu.arange(1 - m, m, 2, kw)
    local w = lu.cos(n * math.pi / (m - 1)) * b + a
    if c ~= 0 then w = w + lu.cos(n * (2.0 * math.pi) / (m - 1)) * c end
    return w
  end
end

cosine_window("blackman", 0.42, 0.5, 0.08)
cosine_window("hamming", 0.54, 0.46, 0)
cosine_window("hanning", 0.5, 0.5, 0)

-- The triangle: 1 - |n| / (M - 1) over the same n
function lu.bartlett(...)
  local m, kw = window_args("bartlett", 1, ...)
  if m < 1 then return lu.empty(0, kw) end
  if m == 1 then return lu.ones(1, kw) end
  local n = lu.arange(1 - m, m, 2, kw)
  return lu.where(n:le(0), n / (m - 1) + 1, 1 - n / (m - 1))
end

-- {===== i0: Cephes' Chebyshev expansions of exp(-x) I0(x) on [0, 8]
-- (in x/2 - 2) and of exp(-x) sqrt(x) I0(x) on (8, inf) (in 32/x - 2),
-- the coefficients NumPy uses
local I0A = {
  -4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16, 1.715391285555133e-15,
  -1.1685332877993451e-14, 7.676185498604936e-14, -4.856446783111929e-13, 2.95505266312964e-12,
  -1.726826291441556e-11, 9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-09,
  -1.300025009986248e-08, 6.046995022541919e-08, -2.670793853940612e-07, 1.1173875391201037e-06,
  -4.4167383584587505e-06, 1.6448448070728896e-05, -5.754195010082104e-05,
  0.00018850288509584165, -0.0005763755745385824, 0.0016394756169413357, -0.004324309995050576,
  0.010546460394594998, -0.02373741480589947, 0.04930528423967071, -0.09490109704804764,
  0.17162090152220877, -0.3046826723431984, 0.6767952744094761,
}
local I0B = {
  -7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17, 3.461222867697461e-17,
  -2.8276239805165836e-16, -3.425485619677219e-16, 1.7725601330565263e-15,
  3.8116806693526224e-15, -9.554846698828307e-15, -4.150569347287222e-14, 1.54008621752141e-14,
  3.8527783827421426e-13, 7.180124451383666e-13, -1.7941785315068062e-12,
  -1.3215811840447713e-11, -3.1499165279632416e-11, 1.1889147107846439e-11, 4.94060238822497e-10,
  3.3962320257083865e-09, 2.266668990498178e-08, 2.0489185894690638e-07, 2.8913705208347567e-06,
  6.889758346916825e-05, 0.0033691164782556943, 0.8044904110141088,
}

-- Clenshaw's sum of the Chebyshev series `c` at x (arrays or numbers)
local function chbevl(x, c)
  local b0, b1, b2 = c[1], 0, 0
  for i = 2, #c do
    b2 = b1
    b1 = b0
    b0 = x * b1 - b2 + c[i]
  end
  return (b0 - b2) * 0.5
end

-- I0(x), elementwise: float dtypes keep theirs, others (bool, integers, a
-- Lua number) give float64; complex values are refused, as NumPy does.
-- Both expansions are evaluated and the one for each |x| is kept.
function lu.i0(...)
  local n, x = select("#", ...), ...
  if n ~= 1 then argerror("i0", n < 1 and 1 or 2, n < 1 and "array expected, got no value" or "unexpected argument") end
  if not isarray(x) then x = internal.toarray("i0", 1, x, "array or number") end
  if x.dtype:match("^complex") then argerror("i0", 1, "i0 is not supported for complex values") end
  if not x.dtype:match("^float") and x.dtype ~= "bfloat16" then x = x:astype("float64") end
  x = lu.abs(x)
  local near = lu.exp(x) * chbevl(x / 2.0 - 2.0, I0A)
  local far = lu.exp(x) * chbevl(32.0 / x - 2.0, I0B) / lu.sqrt(x)
  return lu.where(x:le(8.0), near, far)
end
-- }=====

-- I0(beta sqrt(1 - ((n - alpha) / alpha)^2)) / I0(beta), n = 0 .. M - 1,
-- alpha = (M - 1) / 2
function lu.kaiser(...)
  local m, kw, args = window_args("kaiser", 2, ...)
  local beta = args[2]
  if m == 1 then return lu.ones(1, kw) end
  if m < 1 then return lu.empty(0, kw) end
  local alpha = (m - 1) / 2.0
  local t = (lu.arange(0, m, 1, kw) - alpha) / alpha
  local den = lu.i0(lu.full({}, beta, kw))
  return lu.i0(lu.sqrt(1 - t * t) * beta) / den
end
