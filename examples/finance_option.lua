-- SPDX-License-Identifier: MIT
-- Monte Carlo option pricing under Black-Scholes dynamics (S0 = K = 100,
-- r = 5%, sigma = 20%, one year): a European call with its pathwise delta
-- and vega, priced by a custom ElementwiseKernel and checked against the
-- Black-Scholes formula; Asian calls on 12 monthly averages, the geometric
-- one checked against its closed form. Each estimate comes with its
-- standard error.
--   build/lunar examples/finance_option.lua [full|small]
-- full: 10^8 European paths, 10^7 Asian paths (in batches); small: 10^5, 10^4.
local lu = rawget(_G, "lunar") or require "lunar"
local size = arg[1] or "full"
local n_eu, n_as, batch = 100000000, 10000000, 10000000
if size == "small" then n_eu, n_as, batch = 100000, 10000, 100000 end
local S0, K, r, sigma, T, m = 100, 100, 0.05, 0.2, 1.0, 12
local disc = math.exp(-r * T)
local function N(x) return 0.5 * (1 + lu.erf(x / math.sqrt(2)):item()) end

-- the European payoff and its pathwise derivatives in one pass over the normals
local european = lu.ElementwiseKernel(
  "float64 z, float64 s0, float64 k, float64 drift, float64 vol, float64 disc",
  "float64 payoff, float64 delta, float64 dvol", [[
  double s = s0 * exp(drift + vol * z);
  int itm = s > k;
  payoff = itm ? disc * (s - k) : 0.0;
  delta = itm ? disc * s / s0 : 0.0;      /* d payoff / d S0 */
  dvol = itm ? disc * s * z : 0.0;        /* d payoff / d vol, vol = sigma sqrt(T) */
]], "european")

-- running sums of each estimator and of its square: mean and standard error
local sums = {}
local function add(name, x)
  local s = sums[name] or {0, 0, 0}
  s[1], s[2], s[3] = s[1] + x:sum():item(), s[2] + (x * x):sum():item(), s[3] + x.size
  sums[name] = s
end
local function estimate(name)
  local s = sums[name]
  local mean = s[1] / s[3]
  return mean, math.sqrt((s[2] / s[3] - mean * mean) / (s[3] - 1))
end

local t0 = lu.clock()
local g = lu.random.default_rng(12345)
local drift, vol = (r - sigma ^ 2 / 2) * T, sigma * math.sqrt(T)
for _ = 1, n_eu // batch do
  local payoff, delta, dvol = european(g:standard_normal(batch), S0, K, drift, vol, disc)
  add("call", payoff); add("delta", delta)
  add("vega", dvol * math.sqrt(T) - delta * (S0 * sigma * T))   -- chain rule to sigma
end
local dt = T / m
local b = math.min(batch, n_as)
for _ = 1, n_as // b do
  local logS, sum, sumlog = lu.full(b, math.log(S0)), lu.zeros(b), lu.zeros(b)
  for _ = 1, m do
    logS = logS + g:normal((r - sigma ^ 2 / 2) * dt, sigma * math.sqrt(dt), b)
    sum, sumlog = sum + lu.exp(logS), sumlog + logS
  end
  add("asian", lu.maximum(sum / m - K, 0) * disc)
  add("asian_geo", lu.maximum(lu.exp(sumlog / m) - K, 0) * disc)
end
local elapsed = lu.clock() - t0

local d1 = (math.log(S0 / K) + (r + sigma ^ 2 / 2) * T) / vol
local bs = {call = S0 * N(d1) - K * disc * N(d1 - vol), delta = N(d1),
            vega = S0 * math.sqrt(T) * math.exp(-d1 * d1 / 2) / math.sqrt(2 * math.pi)}
-- geometric average of m monthly prices: lognormal (Kemna and Vorst)
local mu = math.log(S0) + (r - sigma ^ 2 / 2) * T * (m + 1) / (2 * m)
local sg = sigma * math.sqrt(T * (m + 1) * (2 * m + 1) / (6 * m * m))
local g2 = (mu - math.log(K)) / sg
bs.asian_geo = disc * (math.exp(mu + sg * sg / 2) * N(g2 + sg) - K * N(g2))

print(("%d European paths, %d Asian paths of %d steps"):format(n_eu, n_as, m))
for _, name in ipairs{"call", "delta", "vega", "asian_geo", "asian"} do
  local mean, se = estimate(name)
  print(("mc_%s = %.10g\nmc_%s_se = %.6g"):format(name, mean, name, se))
  if bs[name] then
    print(("bs_%s = %.12g"):format(name, bs[name]))
    assert(math.abs(mean - bs[name]) < 5 * se, name .. ": Monte Carlo far from the formula")
  end
end
print(("time: %.3f s on %s"):format(elapsed, lu.get_device()))
