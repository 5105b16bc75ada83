-- SPDX-License-Identifier: MIT
-- Data-parallel training of a small MLP (64 -> hidden -> 10, ReLU, softmax
-- cross-entropy, plain SGD) on scikit-learn's digits, with lunar.dist:
-- every rank takes its share of each global batch, computes its gradient,
-- and the gradients are all-reduced (summed: each rank divides by the
-- global batch). The same global batch on 1, 2 or N ranks gives the same
-- loss curve, up to the order of floating-point sums.
--   lunar examples/dist_train.lua                      (one process)
--   lunar -n 2 examples/dist_train.lua                 (two GPUs, NCCL)
--   mpirun -n 2 lunar examples/dist_train.lua steps=50 (CPU ranks, MPI)
-- Options (key=value): steps (200), batch (global, 256), hidden (256),
-- lr (0.5), dtype (float64), every (print the loss every k steps, 20),
-- data (digits, from $SKLEARN_DATA or Debian's scikit-learn; or synthetic: rows x dim random inputs labelled by a
-- fixed random linear map; rows (65536), dim (1024)). For the scaling
-- efficiency on GPUs take a compute-bound size, e.g. data=synthetic
-- dtype=float32 hidden=4096 batch=8192 (.ci/gpu/run.sh dist does).
local lu = lunar
local d = lu.dist

local opt = {steps = 200, batch = 256, hidden = 256, lr = 0.5, dtype = "float64",
             every = 20, data = "digits", rows = 65536, dim = 1024}
for _, a in ipairs(arg) do
  local k, v = a:match("^(%w+)=(.+)$")
  assert(k and opt[k] ~= nil, "unknown option " .. a .. " (key=value, keys: steps batch " ..
         "hidden lr dtype every data rows dim)")
  opt[k] = tonumber(v) or v
end

d.init()
local rank, n = d.rank(), d.size()
local dt = opt.dtype
assert(opt.batch % n == 0, "the global batch must be a multiple of the number of ranks")
local b = opt.batch // n                     -- this rank's share of a batch

-- {===== the data: identical on every rank
local X, labels
lu.random.seed(1234)
if opt.data == "digits" then
  local dir = os.getenv("SKLEARN_DATA") or "/usr/lib/python3/dist-packages/sklearn/datasets/data"
  local raw = lu.loadtxt(dir .. "/digits.csv.gz", {delimiter = ",", dtype = "float64"})
  X = (raw[{{}, {1, 64}}] / 16):astype(dt)
  labels = raw[{{}, 65}]:astype("int64") + 1   -- 1-based class positions
else
  X = lu.random.randn(opt.rows, opt.dim):astype(dt)
  local W = lu.random.randn(opt.dim, 10):astype(dt)
  labels = lu.matmul(X, W):argmax(2)           -- 1-based already
end
local N, D = X.shape[1], X.shape[2]
local onehot = lu.eye(10, {dtype = dt})
local perm = lu.random.permutation(N) + 1     -- 1-based rows, one order for all
X, labels = X:to(lu.get_device()), labels:to(lu.get_device())
onehot, perm = onehot:to(lu.get_device()), perm:to(lu.get_device())
-- }=====

-- {===== the model, made on rank 0 and broadcast
local H = opt.hidden
local P = {
  W1 = lu.random.randn(D, H):astype(dt) * math.sqrt(2 / D),
  b1 = lu.zeros({H}, dt),
  W2 = lu.random.randn(H, 10):astype(dt) * math.sqrt(1 / H),
  b2 = lu.zeros({10}, dt),
}
local names = {"W1", "b1", "W2", "b2"}
for _, k in ipairs(names) do d.broadcast(P[k], 0) end
-- }=====

-- One step on this rank's rows of global batch `step`: the loss summed
-- over them and the gradients of (the global batch's mean loss).
local function step(k)
  local first = (k - 1) * opt.batch + rank * b
  local rows = perm[(lu.arange(b) + first) % N + 1]
  local x, Y = X[rows], onehot[labels[rows]]
  local h = lu.matmul(x, P.W1) + P.b1
  local a = lu.maximum(h, 0)
  local z = lu.matmul(a, P.W2) + P.b2
  local zs = z - z:max{axis = 2, keepdims = true}
  local e = lu.exp(zs)
  local s = e:sum{axis = 2, keepdims = true}
  local loss = -((Y * (zs - lu.log(s))):sum())
  local dz = (e / s - Y) / opt.batch
  local G = {}
  G.W2 = lu.matmul(a.T, dz)
  G.b2 = dz:sum(1)
  local dh = lu.matmul(dz, P.W2.T) * h:gt(0)
  G.W1 = lu.matmul(x.T, dh)
  G.b1 = dh:sum(1)
  return loss, G
end

if rank == 0 then
  print(string.format("# dist_train: %d ranks (%s, %s), data %s %dx%d, hidden %d, global batch %d, %s",
                      n, d.backend(), lu.get_device(), opt.data, N, D, H, opt.batch, dt))
end
local t0, tsteps = lu.clock(), 0
for k = 1, opt.steps do
  local loss, G = step(k)
  -- the four gradients and the loss travel together, asynchronously
  local hs = {}
  for i, nm in ipairs(names) do hs[i] = d.all_reduce(G[nm], {async = true}) end
  local lsum = d.all_reduce(lu.reshape(loss, {1}), {async = true})
  for i, nm in ipairs(names) do
    hs[i]:wait()
    P[nm] = P[nm] - opt.lr * G[nm]
  end
  local l = lsum:wait()
  if k % opt.every == 0 or k == 1 or k == opt.steps then
    local v = l:item() / opt.batch
    if rank == 0 then print(string.format("step %5d  loss %.12f", k, v)) end
  end
  if k == 5 then lu.synchronize(); t0 = lu.clock(); tsteps = 0 end
  tsteps = tsteps + 1
end
lu.synchronize()
if rank == 0 and opt.steps > 5 then
  print(string.format("# step time %.3f ms (mean of the last %d steps)",
                      (lu.clock() - t0) / (tsteps - 1) * 1e3, tsteps - 1))
end
d.finalize()
