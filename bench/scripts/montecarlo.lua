-- SPDX-License-Identifier: MIT
-- A European call priced by Monte Carlo over 4 * 10^6 terminal prices of
-- geometric Brownian motion (big temporaries: exp, maximum, mean), twice:
-- with quasi-random normals (Box-Muller over two Weyl sequences, the same
-- numbers in the twin, so the prices agree to rounding) and with
-- lunar.random's normals, whose price must lie within 4 standard errors
-- of the first. Twin: montecarlo.py. Reports the quasi-random price, its
-- standard error and 1 when the pseudo-random price agrees.
local dir = arg[0]:match("^(.*)/") or "."
local C = dofile(dir .. "/common.lua")
local lu = require "lunar"

local n = C.small and 100000 or 4000000
local S0, K, r, sigma, T = 100, 105, 0.05, 0.2, 1.0
local drift, vol = (r - 0.5 * sigma ^ 2) * T, sigma * math.sqrt(T)

local function price(z)
  local ST = S0 * lu.exp(drift + vol * z)
  local pay = lu.maximum(ST - K, 0) * math.exp(-r * T)
  return pay:mean():item(), pay:std():item() / math.sqrt(n)
end

local i = lu.arange(1, n + 1, {dtype = "float64"})
local u1 = 1 - (i * 0.7548776662466927) % 1            -- in (0, 1]
local u2 = (i * 0.5698402909980532) % 1
local z = lu.sqrt(-2 * lu.log(u1)) * lu.cos(2 * math.pi * u2)
i, u1, u2 = nil, nil, nil
local q, se = price(z)
z = nil
local p = price(lu.random.randn(n))
C.report{q, se, math.abs(p - q) < 4 * se and 1 or 0}
