-- SPDX-License-Identifier: MIT
-- Handwritten digits (scikit-learn's 8x8 digits, 1797 images) classified by
-- a two-layer perceptron trained with Adam on minibatches, all in lunar
-- arrays. Prints the test accuracy and writes the loss curve to a PNG.
--   build/lunar examples/ml_digits.lua [full|small] [outdir]
-- The draws (split, initial weights, batch order) go to outdir too, so
-- that examples/twins/ml_digits.py repeats the run with NumPy. The data
-- come from Debian's python3-sklearn (SKLEARN_DATA names another folder).
local lu = rawget(_G, "lunar") or require "lunar"
local DATA = os.getenv("SKLEARN_DATA") or "/usr/lib/python3/dist-packages/sklearn/datasets/data"
local size, outdir = arg[1] or "full", arg[2] or "."
local hidden, epochs = 128, 40
if size == "small" then hidden, epochs = 32, 4 end
local batch, lr, b1, b2, eps = 32, 1e-3, 0.9, 0.999, 1e-8

local t0 = lu.clock()
local data = lu.loadtxt(DATA .. "/digits.csv.gz", {delimiter = ","})
local X, y = data[{{}, {1, 64}}] / 16, data[{{}, 65}]:astype("int64")
local n, ntest = X.shape[1], 360

-- a random 80/20 split and random initial weights from one Generator
local g = lu.random.default_rng(2024)
local perm = lu.argsort(g:random(n))             -- a random order, 1-based
local test, train = perm[{{1, ntest}}], perm[{{ntest + 1, n}}]
local Xtr, ytr, Xte, yte = X[train], y[train], X[test], y[test]
local ntrain = Xtr.shape[1]
local Ytr = ytr:reshape(-1, 1):eq(lu.arange(10)):astype("float64")   -- one-hot
local params = {g:normal(0, math.sqrt(2 / 64), {64, hidden}), lu.zeros(hidden),
                g:normal(0, math.sqrt(2 / hidden), {hidden, 10}), lu.zeros(10)}
local order = lu.argsort(g:random({epochs, ntrain}), 2)   -- batch order per epoch
lu.savez(outdir .. "/ml_digits_draws.npz",
         {perm = perm, W1 = params[1], W2 = params[3], order = order})

local function forward(Xb, p)
  local h = lu.maximum(Xb:matmul(p[1]) + p[2], 0)
  local z = h:matmul(p[3]) + p[4]
  z = z - z:max{axis = 2, keepdims = true}
  local e = lu.exp(z)
  return h, e / e:sum{axis = 2, keepdims = true}
end

local m, v, step, losses = {}, {}, 0, {}
for i, p in ipairs(params) do m[i], v[i] = lu.zeros_like(p), lu.zeros_like(p) end
for epoch = 1, epochs do
  local total = 0
  for s = 1, ntrain, batch do
    local idx = order[{epoch, {s, math.min(s + batch - 1, ntrain)}}]
    local Xb, Yb = Xtr[idx], Ytr[idx]
    local B = Xb.shape[1]
    local h, prob = forward(Xb, params)
    total = total - (Yb * lu.log(prob)):sum():item()
    local dz = (prob - Yb) / B                       -- cross-entropy gradient
    local dh = dz:matmul(params[3].T) * h:gt(0)
    local grads = {Xb.T:matmul(dh), dh:sum(1), h.T:matmul(dz), dz:sum(1)}
    step = step + 1
    local c1, c2 = 1 - b1 ^ step, 1 - b2 ^ step
    for i, gr in ipairs(grads) do                    -- Adam
      m[i] = m[i] * b1 + gr * (1 - b1)
      v[i] = v[i] * b2 + gr * gr * (1 - b2)
      params[i] = params[i] - (m[i] / c1) * lr / (lu.sqrt(v[i] / c2) + eps)
    end
  end
  losses[epoch] = total / ntrain
end

local _, prob = forward(Xte, params)
local accuracy = prob:argmax(2):eq(yte + 1):mean():item()
local elapsed = lu.clock() - t0
lu.plot.line(lu.array(losses), lu.arange(1, epochs + 1),
             {title = "digits MLP: training loss", xlabel = "epoch",
              ylabel = "cross-entropy", out = outdir .. "/ml_digits_loss.png"})
print(("train_size = %d\ntest_size = %d"):format(ntrain, ntest))
print(("final_loss = %.10g\ntest_accuracy = %.10g"):format(losses[epochs], accuracy))
print(("time: %.3f s on %s"):format(elapsed, lu.get_device()))
