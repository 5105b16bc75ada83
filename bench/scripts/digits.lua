-- SPDX-License-Identifier: MIT
-- A softmax classifier trained on scikit-learn's digits (1797 images of
-- 8x8 pixels) by full-batch gradient descent: many small ops a step (a
-- product, a row max, exp, row sums, the gradient's product). Twin:
-- digits.py. Reports the final loss and the training accuracy.
local dir = arg[0]:match("^(.*)/") or "."
local C = dofile(dir .. "/common.lua")
local lu = require "lunar"

local steps = C.small and 20 or 1500
local D = lu.loadtxt(C.sklearn .. "/digits.csv.gz", {delimiter = ","})
local n = D.shape[1]
local X = D[{{}, {1, 64}}] / 16
local y = D[{{}, 65}]:astype("int64")
local Y = lu.equal(y:reshape(n, 1), lu.arange(10)):astype("float64")   -- one-hot
local W, b = lu.zeros({64, 10}), lu.zeros(10)
local lr = 0.5
local P, Z
for _ = 1, steps do
  Z = X:matmul(W) + b
  Z = Z - Z:max{axis = 2, keepdims = true}
  local E = lu.exp(Z)
  P = E / E:sum{axis = 2, keepdims = true}
  local G = (P - Y) / n
  W = W - lr * X.T:matmul(G)
  b = b - lr * G:sum(1)
end
local loss = -lu.log((P * Y):sum(2)):mean()
local acc = lu.equal(Z:argmax(2) - 1, y):mean()     -- argmax is 1-based
C.report{loss, acc}
