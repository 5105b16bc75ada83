-- SPDX-License-Identifier: MIT
-- Statistics of scikit-learn's wine and iris tables: per-column mean,
-- standard deviation, median and 90th percentile, per-class means, the
-- correlation matrix of the standardised columns. The full size stacks the
-- wine table 2000 times (356000 rows) so the work is not all parsing.
-- Twin: csvstats.py. Reports sums of each statistic.
local dir = arg[0]:match("^(.*)/") or "."
local C = dofile(dir .. "/common.lua")
local lu = require "lunar"

local copies = C.small and 2 or 2000
local wine = lu.loadtxt(C.sklearn .. "/wine_data.csv", {delimiter = ",", skiprows = 1})
local iris = lu.loadtxt(C.sklearn .. "/iris.csv", {delimiter = ",", skiprows = 1})
local out = {}
for _, t in ipairs{lu.tile(wine, {copies, 1}), iris} do
  local ncol = t.shape[2] - 1
  local X, y = t[{{}, {1, ncol}}], t[{{}, -1}]
  local mean, std = X:mean(1), X:std{axis = 1, ddof = 1}
  local Z = (X - mean) / std
  out[#out + 1] = mean:sum()
  out[#out + 1] = std:sum()
  out[#out + 1] = lu.median(X, 1):sum()
  out[#out + 1] = lu.percentile(X, 90, 1):sum()
  out[#out + 1] = lu.abs(lu.corrcoef(Z.T)):sum()
  for c = 0, 2 do
    out[#out + 1] = X[lu.equal(y, c)]:reshape(-1, ncol):mean(1):sum()
  end
end
C.report(out)
