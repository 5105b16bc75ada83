-- SPDX-License-Identifier: MIT
-- lunar.random's Generator (NumPy's numpy.random.Generator) on lunar's
-- counter-based Philox stream, and the module's legacy functions through
-- the default Generator. The draws are C services (src/lua/lb_random.c):
-- rand/randn's fill, and the per-element samplers of
-- src/core/lu_samplers.def. What is built from them (multinomial,
-- multivariate_hypergeometric, multivariate_normal, dirichlet, choice,
-- permutation, shuffle, permuted, bytes) is composed here from lunar's own
-- operations, as lua/linalg.lua does for linalg.
--
-- A Generator is a table: _seed and _offset (its position in the stream:
-- the key and the next element's counter, 64-bit integers read as
-- unsigned), _device (nil: the default device at each call), _spawned
-- (children made so far). The default Generator has _ctx = true instead:
-- its position is the context's, shared with lunar.random.rand/randn and
-- the C API.
local lunar, _, internal = ...
local R = internal.random
local random = lunar.random
local fmt = string.format
local mtype = math.type

local G = {}                       -- the methods: lunar.random.Generator
local GM = {__index = G, __name = "lunar.random.Generator"}

local function isarray(x)
  local mt = type(x) == "userdata" and getmetatable(x)
  return type(mt) == "table" and rawget(mt, "__name") == "lunar.array"
end

local function fail(fname, msg) error(fname .. ": " .. msg, 3) end

-- (called from params: the level of the method's caller)
local function argerror(fname, i, msg)
  error(fmt("%s: bad argument #%d (%s)", fname, i, msg), 4)
end

-- {===== arguments: NumPy's positional order, and the same names in a
-- trailing options table (a table with a string key; a table of integers
-- is a shape)
local function isopts(t)
  if type(t) ~= "table" or isarray(t) then return false end
  if next(t) == nil then return false end
  for k in pairs(t) do if type(k) ~= "string" then return false end end
  return true
end

-- The parameters of fname named in pos (positional or by name) and kwonly
-- (by name only), from the arguments after self; by name in the result.
local function params(fname, pos, kwonly, ...)
  local n = select("#", ...)
  local args = {...}
  local v, opts = {}, nil
  if n > 0 and isopts(args[n]) then opts = args[n]; n = n - 1 end
  if n > #pos then argerror(fname, #pos + 1, "unexpected argument") end
  for i = 1, n do v[pos[i]] = args[i] end
  if opts then
    local known = {}
    for i, k in ipairs(pos) do known[k] = i end
    for _, k in ipairs(kwonly or {}) do known[k] = true end
    for k, x in pairs(opts) do
      if not known[k] then argerror(fname, n + 1, fmt("unknown option '%s'", k)) end
      if type(known[k]) == "number" and known[k] <= n and v[k] ~= nil then
        argerror(fname, n + 1, fmt("'%s' given by position and by name", k))
      end
      v[k] = x
    end
  end
  return v
end

-- size: nil, an integer or a table of integers -> a shape table or nil
local function getsize(fname, size)
  if size == nil then return nil end
  if mtype(size) == "integer" then size = {size} end
  if type(size) ~= "table" then fail(fname, "size must be an integer or a table of integers") end
  -- read raw, as the C shape readers do: a table whose __index or __len
  -- answers forever must not make an endless shape
  local s = {}
  for i = 1, rawlen(size) do
    local d = rawget(size, i)
    if mtype(d) ~= "integer" then
      fail(fname, fmt("size[%d] must be an integer, got %s", i, tostring(d)))
    end
    if d < 0 then fail(fname, "negative dimensions are not allowed") end
    s[i] = d
  end
  return s
end

local function devof(g)
  return rawget(g, "_device") or lunar.get_device()
end

-- a distribution parameter: a number, or an array on the Generator's
-- device (a Lua table becomes one)
local function getparam(fname, g, name, x)
  if type(x) == "number" then return x end
  if type(x) == "table" and not isarray(x) then x = lunar.array(x, {device = devof(g)}) end
  if not isarray(x) then
    fail(fname, fmt("%s must be a number or an array, got %s", name, type(x)))
  end
  if x.dtype:match("^complex") then fail(fname, fmt("%s must be real, got %s", name, x.dtype)) end
  if x.device ~= devof(g) then x = x:to(devof(g)) end
  return x
end

-- The output shape: size, or the broadcast shape of the array parameters
-- (nil when all are numbers and no size is given: a Lua number comes back).
local function outshape(fname, size, ps)
  local shapes = {}
  for _, p in ipairs(ps) do if isarray(p) then shapes[#shapes + 1] = p.shape end end
  if size then
    if #shapes > 0 then
      shapes[#shapes + 1] = size
      local ok, b = pcall(lunar.broadcast_shapes, table.unpack(shapes))
      local same = ok and #b == #size
      if same then for i = 1, #b do if b[i] ~= size[i] then same = false end end end
      if not same then
        fail(fname, "shape mismatch: the parameters cannot be broadcast to size {" ..
             table.concat(size, ", ") .. "}")
      end
    end
    return size
  end
  if #shapes == 0 then return nil end
  local ok, b = pcall(lunar.broadcast_shapes, table.unpack(shapes))
  if not ok then fail(fname, "shape mismatch: the parameters cannot be broadcast together") end
  return b
end
-- }=====

-- {===== parameter checks, on numbers and on arrays (NumPy's messages)
local function anyof(mask) return lunar.any(mask):item() end

local CHECKS = {
  ge0 = {function(x) return x < 0 end, function(a) return anyof(a:lt(0)) end, "%s < 0"},
  gt0 = {function(x) return x <= 0 end, function(a) return anyof(a:le(0)) end, "%s <= 0"},
  gt1 = {function(x) return not (x > 1) end, function(a) return anyof(lunar.logical_not(a:gt(1))) end,
         "%s <= 1 or %s is NaN"},
  prob = {function(x) return not (x >= 0 and x <= 1) end,
          function(a) return anyof(lunar.logical_not(lunar.logical_and(a:ge(0), a:le(1)))) end,
          "%s < 0, %s > 1 or %s is NaN"},
  prob_oc = {function(x) return not (x > 0 and x <= 1) end,
             function(a) return anyof(lunar.logical_not(lunar.logical_and(a:gt(0), a:le(1)))) end,
             "%s <= 0, %s > 1 or %s is NaN"},
  prob_co = {function(x) return not (x >= 0 and x < 1) end,
             function(a) return anyof(lunar.logical_not(lunar.logical_and(a:ge(0), a:lt(1)))) end,
             "%s < 0, %s >= 1 or %s is NaN"},
  notnan = {function(x) return x ~= x end, function(a) return anyof(lunar.isnan(a)) end,
            "%s is NaN"},
  lam = {function(x) return not (x >= 0 and x <= 9.2e18) end,
         function(a) return anyof(lunar.logical_not(lunar.logical_and(a:ge(0), a:le(9.2e18)))) end,
         "%s < 0, %s is NaN or %s value too large"},
}

local function check(fname, name, x, kind)
  local c = CHECKS[kind]
  local bad
  if type(x) == "number" then bad = c[1](x) else bad = x.size > 0 and c[2](x) end
  if bad then fail(fname, (c[3]:gsub("%%s", name))) end
end

-- n, ngood...: non-negative integers given as numbers or integer arrays
local function check_count(fname, name, x, positive)
  if type(x) == "number" then
    if x ~= math.floor(x) then fail(fname, name .. " must be an integer") end
    if positive and x <= 0 then fail(fname, name .. " <= 0") end
    if x < 0 then fail(fname, name .. " < 0") end
  else
    if x.dtype:match("^float") and x.size > 0 and anyof(x:ne(lunar.floor(x))) then
      fail(fname, name .. " must be integers")
    end
    if x.size > 0 and anyof(positive and x:le(0) or x:lt(0)) then
      fail(fname, name .. (positive and " <= 0" or " < 0"))
    end
  end
end
-- }=====

-- {===== draws
local function float_dtype(fname, dt)
  dt = dt or "float64"
  if dt ~= "float64" and dt ~= "float32" then
    fail(fname, fmt("dtype must be float32 or float64, got %s", tostring(dt)))
  end
  return dt
end

-- the result of a draw into out= (when given), or as is; a Lua number when
-- no shape was asked for
local function finish(fname, r, shape, out)
  if out ~= nil then
    if not isarray(out) then fail(fname, "out must be an array") end
    if shape then
      local same = #out.shape == #shape
      if same then for i = 1, #shape do if out.shape[i] ~= shape[i] then same = false end end end
      if not same then fail(fname, "size must match out.shape when used together") end
    end
    if out.dtype ~= r.dtype then
      fail(fname, fmt("out has dtype %s, the draws are %s", out.dtype, r.dtype))
    end
    lunar.copyto(out, r:reshape(out.shape))
    return out
  end
  if shape == nil then return r:item() end
  return r
end

local function checkself(fname, g)
  if getmetatable(g) ~= GM then
    error(fmt("%s: self must be a Generator (call it as g:%s(...))", fname,
              fname:match("[%w_]+$")), 3)
  end
end

local function sample(g, fname, row, shape, dt, p1, p2, p3, low, range)
  return R.sample(g, fname, row, shape or {}, dt or "float64", rawget(g, "_device"),
                  low or 0, range or 0, p1, p2, p3)
end

local function fill(g, dist, shape, dt)
  return R.fill(g, dist, shape or {}, dt, rawget(g, "_device"))
end

-- random int64 keys over the whole range: sorting them is a permutation
local function keys(g, fname, shape)
  return sample(g, fname, "integers", shape, "int64", nil, nil, nil, 0, 0)
end
-- }=====

-- {===== the Generator
local JUMP = 1 << 58          -- elements between jumped() streams

local function new(seed, offset, device)
  return setmetatable({_seed = seed, _offset = offset or 0, _device = device, _spawned = 0}, GM)
end

-- a 64-bit seed from the clock and the address of a fresh table
local function entropy()
  local t = tostring({}):match("0x(%x+)") or "0"
  local a = tonumber(t, 16) or 0
  local w1, w2 = R.philox(os.time(), math.floor(os.clock() * 1e6) & 0xffffffff, a & 0xffffffff,
                          (a >> 32) & 0xffffffff, 0x5eed)
  return w1 | (w2 << 32)
end

-- lunar.random.default_rng([seed [, {device=}]])
function random.default_rng(...)
  local fname = "lunar.random.default_rng"
  local v = params(fname, {"seed"}, {"device"}, ...)
  local seed = v.seed
  if isarray(seed) then seed = seed:item() end
  if getmetatable(seed) == GM then return seed end
  if seed == nil then seed = entropy()
  elseif mtype(seed) ~= "integer" then
    if type(seed) == "number" and seed == math.floor(seed) and seed >= 0 and seed < 2^63 then
      seed = math.tointeger(seed)
    else
      fail(fname, fmt("seed must be a non-negative integer, got %s", tostring(seed)))
    end
  elseif seed < 0 then
    fail(fname, fmt("seed must be a non-negative integer, got %d", seed))
  end
  local dev = v.device
  if dev ~= nil then
    if type(dev) ~= "string" then fail(fname, "device must be a string") end
    lunar.zeros(0, {device = dev})      -- raises for an unknown device
  end
  return new(seed, 0, dev)
end

function GM.__tostring(g)
  local s, o = R.getpos(g)
  return fmt("Generator(Philox) seed=%d offset=%d%s", s, o,
             rawget(g, "_device") and (" device=" .. g._device) or "")
end

-- g:state() -> {bit_generator = "Philox", seed = s, offset = o[, device = d]}
function G.state(g)
  local s, o = R.getpos(g)
  return {bit_generator = "Philox", seed = s, offset = o, device = rawget(g, "_device")}
end

function G.set_state(g, t)
  local fname = "Generator.set_state"
  if type(t) ~= "table" then fail(fname, "state must be a table from g:state()") end
  if t.bit_generator ~= "Philox" then
    fail(fname, fmt("state is not a Philox state (bit_generator = %s)", tostring(t.bit_generator)))
  end
  if mtype(t.seed) ~= "integer" or mtype(t.offset) ~= "integer" then
    fail(fname, "state.seed and state.offset must be integers")
  end
  R.setpos(g, t.seed, t.offset)
  -- a state without a device (a table made by hand) keeps the generator's
  if not rawget(g, "_ctx") and t.device ~= nil then rawset(g, "_device", t.device) end
  return g
end

-- n children on independent streams: keys hashed from the parent's key,
-- its count of children and the child's number
function G.spawn(g, n)
  local fname = "Generator.spawn"
  if mtype(n) ~= "integer" or n < 0 then fail(fname, "n must be a non-negative integer") end
  local s = R.getpos(g)
  local k0 = rawget(g, "_spawned") or 0
  local out = {}
  for i = 1, n do
    local c = k0 + i
    local w1, w2 = R.philox(s, c & 0xffffffff, (c >> 32) & 0xffffffff, 0x5eed, 0x5eed)
    out[i] = new(w1 | (w2 << 32), 0, rawget(g, "_device"))
  end
  rawset(g, "_spawned", k0 + n)
  return out
end

-- a copy of the Generator moved `jumps` * 2^58 elements on
function G.jumped(g, jumps)
  local fname = "Generator.jumped"
  jumps = jumps or 1
  if mtype(jumps) ~= "integer" or jumps < 0 then fail(fname, "jumps must be a non-negative integer") end
  local s, o = R.getpos(g)
  return new(s, o + jumps * JUMP, rawget(g, "_device"))
end

function G.random(g, ...)
  local fname = "Generator.random"
  local v = params(fname, {"size", "dtype", "out"}, nil, ...)
  local shape = getsize(fname, v.size)
  if shape == nil and v.out then shape = v.out.shape end
  return finish(fname, fill(g, 0, shape, float_dtype(fname, v.dtype)), shape, v.out)
end

function G.standard_normal(g, ...)
  local fname = "Generator.standard_normal"
  local v = params(fname, {"size", "dtype", "out"}, nil, ...)
  local shape = getsize(fname, v.size)
  if shape == nil and v.out then shape = v.out.shape end
  return finish(fname, fill(g, 1, shape, float_dtype(fname, v.dtype)), shape, v.out)
end

-- an affine map of draws z: loc + scale * z (skipped for 0 and 1)
local function affine(z, loc, scale)
  if not (type(scale) == "number" and scale == 1) then z = z * scale end
  if not (type(loc) == "number" and loc == 0) then z = z + loc end
  return z
end

function G.normal(g, ...)
  local fname = "Generator.normal"
  local v = params(fname, {"loc", "scale", "size"}, nil, ...)
  local loc = getparam(fname, g, "loc", v.loc == nil and 0.0 or v.loc)
  local scale = getparam(fname, g, "scale", v.scale == nil and 1.0 or v.scale)
  check(fname, "scale", scale, "ge0")
  local shape = outshape(fname, getsize(fname, v.size), {loc, scale})
  return finish(fname, affine(fill(g, 1, shape, "float64"), loc, scale), shape)
end

function G.uniform(g, ...)
  local fname = "Generator.uniform"
  local v = params(fname, {"low", "high", "size"}, nil, ...)
  local low = getparam(fname, g, "low", v.low == nil and 0.0 or v.low)
  local high = getparam(fname, g, "high", v.high == nil and 1.0 or v.high)
  local shape = outshape(fname, getsize(fname, v.size), {low, high})
  local u = fill(g, 0, shape, "float64")
  return finish(fname, affine(u, low, high - low), shape)
end

-- integers(low [, high [, size [, dtype [, endpoint]]]]): [low, high), or
-- [0, low) without high, or [low, high] with endpoint
local INT_DTYPES = {int8 = true, int16 = true, int32 = true, int64 = true, uint8 = true,
                    uint16 = true, uint32 = true, uint64 = true, bool = true}

local function int_bounds(dt)
  if dt == "bool" then return 0, 1 end
  local ii = lunar.iinfo(dt)
  return ii.min, ii.max
end

function G.integers(g, ...)
  local fname = "Generator.integers"
  local v = params(fname, {"low", "high", "size", "dtype", "endpoint"}, nil, ...)
  local dt = v.dtype or "int64"
  if not INT_DTYPES[dt] then fail(fname, fmt("dtype must be an integer or bool type, got %s", tostring(dt))) end
  local low, high = v.low, v.high
  if low == nil then fail(fname, "low is required") end
  if high == nil then low, high = 0, low end
  local endpoint = v.endpoint and 1 or 0
  local shape = getsize(fname, v.size)
  for _, p in ipairs{{"low", low}, {"high", high}} do
    if type(p[2]) == "number" and mtype(p[2]) ~= "integer" then
      if p[2] ~= math.floor(p[2]) or math.tointeger(p[2]) == nil then
        fail(fname, p[1] .. " must be an integer")
      end
    end
  end
  if type(low) == "number" then low = math.tointeger(low) end
  if type(high) == "number" then high = math.tointeger(high) end
  local lo_b, hi_b = int_bounds(dt)
  local r
  if mtype(low) == "integer" and mtype(high) == "integer" then
    local top = high - 1 + endpoint  -- the largest value asked for
    if low < lo_b or (dt ~= "uint64" and low > hi_b) then
      fail(fname, fmt("low is out of bounds for %s", dt))
    end
    if dt ~= "uint64" and top > hi_b then fail(fname, fmt("high is out of bounds for %s", dt)) end
    if top < low then
      fail(fname, endpoint == 1 and "low > high" or "low >= high")
    end
    local range = top - low + 1     -- wraps to 0 for the whole 2^64
    r = sample(g, fname, "integers", shape, "int64", nil, nil, nil, low, range)
  else
    low = getparam(fname, g, "low", low)
    high = getparam(fname, g, "high", high)
    -- bounds given as float arrays must hold integers that int64 holds
    -- (the sampler converts them to int64: NaN or 2^63 there is undefined)
    for _, p in ipairs{{"low", low}, {"high", high}} do
      local x = p[2]
      if isarray(x) and x.size > 0 and not x.dtype:match("int") and x.dtype ~= "bool" then
        if anyof(x:ne(lunar.floor(x))) then fail(fname, p[1] .. " must be integers") end
        if anyof(lunar.logical_or(x:lt(-2^63), x:ge(2^63))) then
          fail(fname, fmt("%s is out of bounds for int64", p[1]))
        end
      end
    end
    shape = outshape(fname, shape, {low, high})
    local range = high - low + endpoint
    check(fname, "high - low", range, "gt0")
    r = sample(g, fname, "integers", shape, "int64", low, range)
  end
  if dt ~= "int64" then r = r:astype(dt) end
  return finish(fname, r, shape)
end

-- The samplers of lu_samplers.def as methods: the row, the parameters (in
-- NumPy's order, with defaults), their checks, and how they map onto the
-- row's parameters.
local function twice(x) return x * 0.5 end

local DIST = {
  standard_exponential = {row = "exponential", params = {}, dtype = true,
                          map = function() return 1.0 end},
  exponential = {params = {{"scale", 1.0, "ge0"}}},
  standard_gamma = {row = "gamma", params = {{"shape", nil, "ge0"}}, dtype = true,
                    map = function(s) return s, 1.0 end},
  gamma = {params = {{"shape", nil, "ge0"}, {"scale", 1.0, "ge0"}}},
  beta = {params = {{"a", nil, "gt0"}, {"b", nil, "gt0"}}},
  poisson = {params = {{"lam", 1.0, "lam"}}},
  binomial = {params = {{"n", nil, "count"}, {"p", nil, "prob"}}},
  negative_binomial = {params = {{"n", nil, "gt0"}, {"p", nil, "prob_oc"}}},
  hypergeometric = {params = {{"ngood", nil, "count"}, {"nbad", nil, "count"},
                              {"nsample", nil, "count"}}},
  logseries = {params = {{"p", nil, "prob_co"}}},
  zipf = {params = {{"a", nil, "gt1"}}},
  geometric = {params = {{"p", nil, "prob_oc"}}},
  vonmises = {params = {{"mu", nil, "notnan"}, {"kappa", nil, "ge0"}}},
  standard_cauchy = {params = {}},
  standard_t = {params = {{"df", nil, "gt0"}}},
  chisquare = {row = "gamma", params = {{"df", nil, "gt0"}},
               map = function(df) return twice(df), 2.0 end},
  noncentral_chisquare = {params = {{"df", nil, "gt0"}, {"nonc", nil, "ge0"}}},
  f = {params = {{"dfnum", nil, "gt0"}, {"dfden", nil, "gt0"}}},
  lognormal = {params = {{"mean", 0.0}, {"sigma", 1.0, "ge0"}}},
  laplace = {params = {{"loc", 0.0}, {"scale", 1.0, "ge0"}}},
  logistic = {params = {{"loc", 0.0}, {"scale", 1.0, "ge0"}}},
  gumbel = {params = {{"loc", 0.0}, {"scale", 1.0, "ge0"}}},
  weibull = {params = {{"a", nil, "ge0"}}},
  pareto = {params = {{"a", nil, "gt0"}}},
  rayleigh = {params = {{"scale", 1.0, "ge0"}}},
  power = {params = {{"a", nil, "gt0"}}},
  wald = {params = {{"mean", nil, "gt0"}, {"scale", nil, "gt0"}}},
  triangular = {params = {{"left"}, {"mode"}, {"right"}}},
  noncentral_f = {params = {{"dfnum", nil, "gt0"}, {"dfden", nil, "gt0"}, {"nonc", nil, "ge0"}}},
}

local function triangular_check(fname, l, m, r)
  local function any2(a, b, op)
    if type(a) == "number" and type(b) == "number" then
      if op == "gt" then return a > b else return a == b end
    end
    if type(a) == "number" then a, b = b, a; if op == "gt" then op = "lt" end end
    return anyof(op == "gt" and a:gt(b) or op == "lt" and a:lt(b) or a:eq(b))
  end
  if any2(l, m, "gt") then fail(fname, "left > mode") end
  if any2(m, r, "gt") then fail(fname, "mode > right") end
  if any2(l, r, "eq") then fail(fname, "left == right") end
end

local function hyper_check(fname, ng, nb, ns)
  local tot = ng + nb
  local bad
  if type(tot) == "number" and type(ns) == "number" then bad = tot < ns
  else
    if type(tot) == "number" then bad = anyof(ns:gt(tot)) else bad = anyof(tot:lt(ns)) end
  end
  if bad then fail(fname, "ngood + nbad < nsample") end
end

for name, d in pairs(DIST) do
  local fname = "Generator." .. name
  local pos = {}
  for i, p in ipairs(d.params) do pos[i] = p[1] end
  pos[#pos + 1] = "size"
  if d.dtype then
    pos[#pos + 1] = "dtype"
    -- NumPy: standard_exponential(size, dtype, method, out)
    if name == "standard_exponential" then pos[#pos + 1] = "method" end
    pos[#pos + 1] = "out"
  end
  G[name] = function(g, ...)
    local v = params(fname, pos, nil, ...)
    if v.method ~= nil and v.method ~= "zig" and v.method ~= "inv" then
      fail(fname, fmt("method must be 'zig' or 'inv', got %s", tostring(v.method)))
    end
    local ps = {}
    for i, p in ipairs(d.params) do
      local x = v[p[1]]
      if x == nil then x = p[2] end
      if x == nil then fail(fname, p[1] .. " is required") end
      x = getparam(fname, g, p[1], x)
      if p[3] == "count" then check_count(fname, p[1], x)
      elseif p[3] then check(fname, p[1], x, p[3]) end
      ps[i] = x
    end
    if name == "triangular" then triangular_check(fname, ps[1], ps[2], ps[3]) end
    if name == "hypergeometric" then hyper_check(fname, ps[1], ps[2], ps[3]) end
    local shape = getsize(fname, v.size)
    if shape == nil and v.out then shape = v.out.shape end
    shape = outshape(fname, shape, ps)
    local dt = d.dtype and float_dtype(fname, v.dtype) or "float64"
    local a, b, c = ps[1], ps[2], ps[3]
    if d.map then a, b, c = d.map(a, b, c) end
    return finish(fname, sample(g, fname, d.row or name, shape, dt, a, b, c), shape, v.out)
  end
end

-- multinomial(n, pvals [, size]): one binomial per category on what is
-- left, the last category taking the rest
function G.multinomial(g, ...)
  local fname = "Generator.multinomial"
  local v = params(fname, {"n", "pvals", "size"}, nil, ...)
  if v.n == nil or v.pvals == nil then fail(fname, "n and pvals are required") end
  local n = getparam(fname, g, "n", v.n)
  check_count(fname, "n", n)
  local pv = v.pvals
  if isarray(pv) then pv = pv:to("cpu"):totable() end
  if type(pv) ~= "table" or #pv == 0 then fail(fname, "pvals must be a non-empty 1-d table or array") end
  local sum = 0
  for i, p in ipairs(pv) do
    if type(p) ~= "number" or not (p >= 0 and p <= 1) then
      fail(fname, fmt("pvals[%d] < 0, > 1 or NaN", i))
    end
    if i < #pv then sum = sum + p end
  end
  if sum > 1.0 + 1e-12 then fail(fname, "sum(pvals[:-1]) > 1.0") end
  local shape = outshape(fname, getsize(fname, v.size), {n}) or {}
  local left = type(n) == "number" and lunar.full(shape, n, {device = devof(g)})
                 or lunar.broadcast_to(n, shape):astype("float64")
  left = left:astype("float64")
  local rest, cols = 1.0, {}
  for i = 1, #pv - 1 do
    local p = rest > 0 and math.min(math.max(pv[i] / rest, 0.0), 1.0) or 0.0
    local x = sample(g, fname, "binomial", shape, "int64", left, p)
    cols[i] = x
    left = left - x
    rest = rest - pv[i]
  end
  cols[#pv] = left:astype("int64")
  return lunar.stack(cols, -1)
end

-- multivariate_hypergeometric(colors, nsample [, size [, method]]): counts
-- of nsample items drawn without replacement from sum(colors) items of
-- #colors colors. 'marginals': one hypergeometric per color on what is
-- left; 'count': the first nsample items of a random order, counted by
-- color (a key an item: sum(colors) at most 2^26, keys in slices of
-- about 2^24)
local MVH_COUNT_MAX = 1 << 26
local MVH_BAD = "colors must be a one-dimensional sequence of nonnegative integers" ..
                " not exceeding 9223372036854775807."
local function mvh_colors(c)
  if isarray(c) then
    if c.ndim ~= 1 or not (c.dtype:match("int") or c.dtype == "bool") then return nil, MVH_BAD end
    c = c:to("cpu"):astype("int64"):totable()
  end
  if type(c) ~= "table" then return nil, MVH_BAD end
  local n, out, total = rawlen(c), {}, 0
  for i = 1, n do
    local x = rawget(c, i)
    if x == true or x == false then x = x and 1 or 0 end
    if type(x) ~= "number" or x ~= math.floor(x) or x < 0 or x >= 2^63 then return nil, MVH_BAD end
    x = math.tointeger(x)
    if total > math.maxinteger - x then
      return nil, "sum(colors) must not exceed the maximum value of a 64 bit signed integer" ..
                  " (9223372036854775807)"
    end
    out[i], total = x, total + x
  end
  for k in pairs(c) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return nil, MVH_BAD end
  end
  return out, total
end

local function mvh_count(g, fname, colors, total, nsample, shape)
  local m, k, dev = 1, #colors, devof(g)
  for _, d in ipairs(shape) do m = m * d end
  local bounds = lunar.cumsum(lunar.array(colors, {dtype = "int64", device = dev}))
  local ids = lunar.arange(1, k + 1, {dtype = "int64", device = dev})
  local step = math.max(1, (1 << 24) // math.max(total, 1))
  local parts = {}
  for lo = 1, m, step do
    local rows = math.min(step, m - lo + 1)
    local first = lunar.argsort(keys(g, fname, {rows, total}), 2)[{{}, {1, nsample}}]
    local col = lunar.searchsorted(bounds, first)                  -- (rows, nsample): 1..k
    parts[#parts + 1] = col:reshape(rows, nsample, 1):eq(ids):sum{axis = 2, dtype = "int64"}
  end
  local r = #parts == 1 and parts[1] or lunar.concatenate(parts)
  local sh = {table.unpack(shape)}
  sh[#sh + 1] = k
  return r:reshape(sh)
end

function G.multivariate_hypergeometric(g, ...)
  local fname = "Generator.multivariate_hypergeometric"
  checkself(fname, g)
  local v = params(fname, {"colors", "nsample", "size", "method"}, nil, ...)
  if v.colors == nil or v.nsample == nil then fail(fname, "colors and nsample are required") end
  local colors, total = mvh_colors(v.colors)
  if colors == nil then fail(fname, total) end
  local ns = v.nsample
  if isarray(ns) and ns.ndim == 0 and ns.dtype:match("int") then ns = ns:item() end
  if type(ns) ~= "number" or ns ~= math.floor(ns) then fail(fname, "nsample must be an integer") end
  if ns < 0 then fail(fname, "nsample must be nonnegative.") end
  if ns > total then fail(fname, "nsample > sum(colors)") end
  ns = math.tointeger(ns)
  local method = v.method or "marginals"
  if method ~= "marginals" and method ~= "count" then
    fail(fname, 'method must be "count" or "marginals".')
  end
  if method == "marginals" and total >= 1000000000 then
    fail(fname, 'When method is "marginals", sum(colors) must be less than 1000000000.')
  end
  if method == "count" and total > MVH_COUNT_MAX then
    fail(fname, fmt('When method is "count", sum(colors) must be at most %d (one random key an item), got %d',
                    MVH_COUNT_MAX, total))
  end
  local shape = getsize(fname, v.size) or {}
  local k, m = #colors, 1
  for _, d in ipairs(shape) do m = m * d end
  local full = {table.unpack(shape)}
  full[#full + 1] = k
  if k == 0 or m == 0 or ns == 0 then
    return lunar.zeros(full, {dtype = "int64", device = devof(g)})
  end
  if method == "count" then return mvh_count(g, fname, colors, total, ns, shape) end
  local cols, left, rest = {}, ns, total
  for i = 1, k - 1 do
    rest = rest - colors[i]
    local x = sample(g, fname, "hypergeometric", shape, "int64", colors[i], rest, left)
    cols[i] = x
    left = left - x
  end
  cols[k] = type(left) == "number" and lunar.full(shape, left, {dtype = "int64", device = devof(g)})
            or left
  return lunar.stack(cols, -1)
end

-- multivariate_normal(mean, cov [, size [, check_valid [, tol [, method]]]]):
-- mean + z A^T with A A^T = cov (eigh for 'svd' and 'eigh', cholesky)
function G.multivariate_normal(g, ...)
  local fname = "Generator.multivariate_normal"
  local v = params(fname, {"mean", "cov", "size", "check_valid", "tol"}, {"method"}, ...)
  if v.mean == nil or v.cov == nil then fail(fname, "mean and cov are required") end
  local dev = devof(g)
  local mean = isarray(v.mean) and v.mean:to(dev):astype("float64")
               or lunar.array(v.mean, {device = dev, dtype = "float64"})
  local cov = isarray(v.cov) and v.cov:to(dev):astype("float64")
              or lunar.array(v.cov, {device = dev, dtype = "float64"})
  if mean.ndim ~= 1 then fail(fname, "mean must be 1 dimensional") end
  local d = mean.shape[1]
  if cov.ndim ~= 2 or cov.shape[1] ~= cov.shape[2] then fail(fname, "cov must be 2 dimensional and square") end
  if cov.shape[1] ~= d then fail(fname, "mean and cov must have same length") end
  local method = v.method or "svd"
  local cv = v.check_valid or "warn"
  if cv ~= "warn" and cv ~= "raise" and cv ~= "ignore" then
    fail(fname, "check_valid must equal 'warn', 'raise', or 'ignore'")
  end
  local tol = v.tol or 1e-8
  local A
  if method == "cholesky" then
    A = lunar.linalg.cholesky(cov)
  elseif method == "svd" or method == "eigh" then
    local w, q = lunar.linalg.eigh(cov)
    if cv ~= "ignore" then
      local wmin = w:min():item()
      local scale = math.max(math.abs(w:max():item()), 1.0)
      if wmin < -tol * scale then
        if cv == "raise" then fail(fname, "covariance is not symmetric positive-semidefinite") end
        io.stderr:write(fname .. ": warning: covariance is not symmetric positive-semidefinite\n")
      end
    end
    A = q * lunar.sqrt(lunar.maximum(w, 0))
  else
    fail(fname, fmt("method must be 'svd', 'eigh' or 'cholesky', got %s", tostring(method)))
  end
  local size = getsize(fname, v.size) or {}
  local shape = {table.unpack(size)}
  shape[#shape + 1] = d
  local z = fill(g, 1, shape, "float64")
  return lunar.matmul(z, A.T) + mean
end

-- dirichlet(alpha [, size]): gammas normalised along the last axis
function G.dirichlet(g, ...)
  local fname = "Generator.dirichlet"
  local v = params(fname, {"alpha", "size"}, nil, ...)
  if v.alpha == nil then fail(fname, "alpha is required") end
  local alpha = getparam(fname, g, "alpha", v.alpha)
  if type(alpha) == "number" or alpha.ndim ~= 1 then fail(fname, "alpha must be a 1-d table or array") end
  if alpha.size == 0 then fail(fname, "alpha must not be empty") end
  if anyof(lunar.logical_not(alpha:gt(0))) then fail(fname, "alpha <= 0 or alpha is NaN") end
  local size = getsize(fname, v.size) or {}
  local shape = {table.unpack(size)}
  shape[#shape + 1] = alpha.shape[1]
  local x = sample(g, fname, "gamma", shape, "float64", alpha, 1.0)
  return x / x:sum{axis = -1, keepdims = true}
end

-- choice(a [, size [, replace [, p [, axis [, shuffle]]]]])
function G.choice(g, ...)
  local fname = "Generator.choice"
  local v = params(fname, {"a", "size", "replace", "p", "axis", "shuffle"}, nil, ...)
  local a, axis = v.a, v.axis or 1
  local replace = v.replace ~= false
  local n, pop
  if mtype(a) == "integer" then
    n = a
    if n < 0 then fail(fname, "a must be a positive integer unless no samples are taken") end
  else
    if type(a) == "table" and not isarray(a) then a = lunar.array(a, {device = devof(g)}) end
    if not isarray(a) then fail(fname, "a must be an integer or an array") end
    if a.ndim == 0 then fail(fname, "a cannot be empty unless no samples are taken") end
    if mtype(axis) ~= "integer" or axis == 0 or axis > a.ndim or axis < -a.ndim then
      fail(fname, fmt("axis %s is out of bounds for array of dimension %d", tostring(axis), a.ndim))
    end
    if axis < 0 then axis = a.ndim + 1 + axis end
    n = a.shape[axis]
    pop = a:to(devof(g))
  end
  local size = getsize(fname, v.size)
  local k = 1
  for _, d in ipairs(size or {}) do k = k * d end
  if n == 0 and k > 0 then fail(fname, "a cannot be empty unless no samples are taken") end
  local p = v.p
  if p ~= nil then
    p = getparam(fname, g, "p", p)
    if type(p) == "number" or p.ndim ~= 1 then fail(fname, "p must be 1-dimensional") end
    if p.shape[1] ~= n then fail(fname, "a and p must have same size") end
    p = p:astype("float64")
    if anyof(lunar.logical_not(p:ge(0))) then fail(fname, "probabilities are not non-negative") end
    if math.abs(p:sum():item() - 1) > 1e-8 then fail(fname, "probabilities do not sum to 1") end
  end
  if not replace and k > n then
    fail(fname, "Cannot take a larger sample than population when replace is False")
  end
  local flat = {k}
  local idx     -- 1-based positions, int64, k of them
  if replace then
    if p == nil then
      idx = sample(g, fname, "integers", flat, "int64", nil, nil, nil, 1, n)
    else
      local cdf = lunar.cumsum(p)
      cdf = cdf / cdf[-1]
      idx = lunar.searchsorted(cdf, fill(g, 0, flat, "float64"), {side = "right"})
      idx = lunar.minimum(idx, n)
    end
  elseif p == nil then
    idx = lunar.argsort(keys(g, fname, {n}))[{{1, k}}]
    if v.shuffle == false then idx = lunar.sort(idx) end
  else
    if lunar.count_nonzero(p):item() < k then fail(fname, "Fewer non-zero entries in p than size") end
    -- Efraimidis and Spirakis: the k largest u^(1/p), as logs
    local u = sample(g, fname, "exponential", {n}, "float64", 1.0)
    local key = u / p                 -- -log(u^(1/p)): smallest first
    idx = lunar.argsort(key)[{{1, k}}]
    if v.shuffle == false then idx = lunar.sort(idx) end
  end
  local r
  if pop == nil then
    r = idx - 1                       -- values 0 .. a - 1, as NumPy's
    if size == nil then return r[1] end
    return r:reshape(size)
  end
  r = lunar.take(pop, idx, axis)
  if size == nil then
    local sh = {}
    for i, d in ipairs(pop.shape) do if i ~= axis then sh[#sh + 1] = d end end
    if #sh == 0 then return r[1] end
    return r:reshape(sh)
  end
  local sh = {}
  for i = 1, axis - 1 do sh[#sh + 1] = pop.shape[i] end
  for _, d in ipairs(size) do sh[#sh + 1] = d end
  for i = axis + 1, pop.ndim do sh[#sh + 1] = pop.shape[i] end
  return r:reshape(sh)
end

local function perm_of(g, fname, x, axis)
  if mtype(x) == "integer" then
    if x < 0 then fail(fname, "x must be a non-negative integer or an array") end
    return lunar.argsort(keys(g, fname, {x})) - 1
  end
  if type(x) == "table" and not isarray(x) then x = lunar.array(x, {device = devof(g)}) end
  if not isarray(x) then fail(fname, "x must be an integer or an array") end
  if x.ndim == 0 then fail(fname, "x must be an integer or at least 1-dimensional") end
  if mtype(axis) ~= "integer" or axis == 0 or axis > x.ndim or axis < -x.ndim then
    fail(fname, fmt("axis %s is out of bounds for array of dimension %d", tostring(axis), x.ndim))
  end
  if axis < 0 then axis = x.ndim + 1 + axis end
  local order = lunar.argsort(keys(g, fname, {x.shape[axis]}))
  return lunar.take(x, order:to(x.device), axis)
end

-- permutation(x [, axis]): a shuffled copy, or of arange(x)
function G.permutation(g, ...)
  local fname = "Generator.permutation"
  local v = params(fname, {"x", "axis"}, nil, ...)
  return perm_of(g, fname, v.x, v.axis or 1)
end

-- shuffle(x [, axis]): in place
function G.shuffle(g, ...)
  local fname = "Generator.shuffle"
  local v = params(fname, {"x", "axis"}, nil, ...)
  if not isarray(v.x) then fail(fname, "x must be an array") end
  local r = perm_of(g, fname, v.x, v.axis or 1)
  lunar.copyto(v.x, r)
end

-- permuted(x [, axis [, out]]): each slice along axis shuffled on its own
-- (axis nil: the flattened array)
function G.permuted(g, ...)
  local fname = "Generator.permuted"
  local v = params(fname, {"x", "axis", "out"}, nil, ...)
  local x = v.x
  if type(x) == "table" and not isarray(x) then x = lunar.array(x, {device = devof(g)}) end
  if not isarray(x) then fail(fname, "x must be an array") end
  local r
  if v.axis == nil then
    local flat = x:reshape(-1)
    r = lunar.take(flat, lunar.argsort(keys(g, fname, {flat.size})):to(x.device)):reshape(x.shape)
  else
    local axis = v.axis
    if mtype(axis) ~= "integer" or axis == 0 or axis > x.ndim or axis < -x.ndim then
      fail(fname, fmt("axis %s is out of bounds for array of dimension %d", tostring(axis), x.ndim))
    end
    local order = lunar.argsort(keys(g, fname, x.shape), axis)
    r = lunar.take_along_axis(x, order:to(x.device), axis)
  end
  if v.out ~= nil then
    if not isarray(v.out) then fail(fname, "out must be an array") end
    lunar.copyto(v.out, r)
    return v.out
  end
  return r
end

-- bytes(length): a Lua string of random bytes
function G.bytes(g, length)
  local fname = "Generator.bytes"
  if mtype(length) ~= "integer" or length < 0 then fail(fname, "length must be a non-negative integer") end
  if length == 0 then return "" end
  local t = sample(g, fname, "integers", {length}, "int64", nil, nil, nil, 0, 256):to("cpu"):totable()
  local parts = {}
  for i = 1, #t, 4096 do
    parts[#parts + 1] = string.char(table.unpack(t, i, math.min(i + 4095, #t)))
  end
  return table.concat(parts)
end

-- {===== g.bit_generator: NumPy's BitGenerator of a Generator, lunar's
-- Philox stream seen alone (lunar.random.Philox). It shares the
-- Generator's position: raw draws move the Generator on, as in NumPy.
local B = {}
local BM = {__index = B, __name = "lunar.random.Philox"}

local function bitgen_of(g)
  local bg = rawget(g, "_bitgen")
  if bg == nil then
    bg = setmetatable({_g = g}, BM)
    rawset(g, "_bitgen", bg)
  end
  return bg
end

local function checkbg(fname, bg)
  if getmetatable(bg) ~= BM then
    error(fmt("%s: self must be a BitGenerator (call it as bg:%s(...))", fname,
              fname:match("[%w_]+$")), 3)
  end
  return bg._g
end

function GM.__index(g, k)
  if k == "bit_generator" then return bitgen_of(g) end
  return G[k]
end

function BM.__tostring(bg)
  local s, o = R.getpos(bg._g)
  return fmt("Philox seed=%d offset=%d", s, o)
end

-- bg:random_raw([size [, output]]): the stream's raw 64-bit words, uint64
-- (a Lua integer holding the 64 bits without size; nothing with output false)
function B.random_raw(bg, ...)
  local fname = "BitGenerator.random_raw"
  local g = checkbg(fname, bg)
  local v = params(fname, {"size", "output"}, nil, ...)
  local shape = getsize(fname, v.size)
  if v.output ~= nil and type(v.output) ~= "boolean" then fail(fname, "output must be a boolean") end
  local r = keys(g, fname, shape or {})
  if v.output == false then return nil end
  if shape == nil then return r:item() end
  return r:astype("uint64")
end

function B.state(bg) return G.state(checkbg("BitGenerator.state", bg)) end
function B.set_state(bg, t) G.set_state(checkbg("BitGenerator.set_state", bg), t); return bg end
function B.jumped(bg, jumps)
  return bitgen_of(G.jumped(checkbg("BitGenerator.jumped", bg), jumps))
end
function B.spawn(bg, n)
  local gs = G.spawn(checkbg("BitGenerator.spawn", bg), n)
  for i, g in ipairs(gs) do gs[i] = bitgen_of(g) end
  return gs
end

-- lunar.random.Philox([seed [, {device=}]]): the BitGenerator of a new
-- Generator (default_rng's seeds)
function random.Philox(...)
  return bitgen_of(random.default_rng(...))
end
-- }=====

-- every method checks that it was called on a Generator
for k, f in pairs(G) do
  local fname = "Generator." .. k
  G[k] = function(g, ...)
    checkself(fname, g)
    return f(g, ...)
  end
end
-- }=====

-- {===== the module's legacy functions, through the default Generator
-- (the context's stream: lunar.random.seed, rand and randn move it too)
local default = setmetatable({_ctx = true, _spawned = 0}, GM)
random.Generator = G
-- lunar.random.Generator(bg): NumPy's Generator(bit_generator), the
-- Generator on bg's stream
setmetatable(G, {__call = function(_, bg)
  if getmetatable(bg) ~= BM then
    error("lunar.random.Generator: bad argument #1 (a BitGenerator expected, got " ..
          (getmetatable(bg) == GM and "a Generator" or type(bg)) .. ")", 2)
  end
  return bg._g
end})

local function legacy(name, method)
  random[name] = function(...)
    return G[method](default, ...)
  end
end
legacy("random_sample", "random")
legacy("uniform", "uniform")
legacy("normal", "normal")
legacy("choice", "choice")
legacy("permutation", "permutation")
legacy("shuffle", "shuffle")

legacy("ranf", "random")
legacy("sample", "random")

function random.get_state() return default:state() end
function random.set_state(t) default:set_state(t) end

-- random_integers(low [, high [, size]]): NumPy's deprecated [low, high]
function random.random_integers(...)
  local fname = "lunar.random.random_integers"
  local v = params(fname, {"low", "high", "size"}, nil, ...)
  if v.high == nil then v.low, v.high = 1, v.low end
  return G.integers(default, v.low, v.high, v.size, {endpoint = true})
end

-- randint(low [, high [, size [, dtype]]]): integers in [low, high)
function random.randint(...)
  local fname = "lunar.random.randint"
  local v = params(fname, {"low", "high", "size", "dtype"}, nil, ...)
  return G.integers(default, v.low, v.high, v.size, v.dtype)
end
-- }=====
