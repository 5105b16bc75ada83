# SPDX-License-Identifier: MIT
# NumPy twin of examples/ml_digits.lua: the same network, trained from the
# same draws (read from outdir/ml_digits_draws.npz, written by the lunar run).
#   python3 examples/twins/ml_digits.py [full|small] [outdir] [--cupy]
import numpy as np
from common import DATA, xp, size, outdir, clock, name
epochs = 4 if size == "small" else 40
batch, lr, b1, b2, eps = 32, 1e-3, 0.9, 0.999, 1e-8

t0 = clock()
data = np.loadtxt(DATA + "/digits.csv.gz", delimiter=",")
data = xp.asarray(data)
X, y = data[:, :64] / 16, data[:, 64].astype(xp.int64)
n, ntest = X.shape[0], 360
d = np.load(outdir + "/ml_digits_draws.npz")
perm, order = xp.asarray(d["perm"]) - 1, xp.asarray(d["order"]) - 1          # lunar's positions are 1-based
test, train = perm[:ntest], perm[ntest:]
Xtr, ytr, Xte, yte = X[train], y[train], X[test], y[test]
ntrain = Xtr.shape[0]
Ytr = (ytr[:, None] == xp.arange(10)).astype(xp.float64)
W1, W2 = xp.asarray(d["W1"]), xp.asarray(d["W2"])
params = [W1, xp.zeros(W1.shape[1]), W2, xp.zeros(10)]


def forward(Xb, p):
    h = xp.maximum(Xb @ p[0] + p[1], 0)
    z = h @ p[2] + p[3]
    z = z - z.max(axis=1, keepdims=True)
    e = xp.exp(z)
    return h, e / e.sum(axis=1, keepdims=True)


m = [xp.zeros_like(p) for p in params]
v = [xp.zeros_like(p) for p in params]
step, losses = 0, []
for epoch in range(epochs):
    total = 0.0
    for s in range(0, ntrain, batch):
        idx = order[epoch, s:s + batch]
        Xb, Yb = Xtr[idx], Ytr[idx]
        B = Xb.shape[0]
        h, prob = forward(Xb, params)
        total -= float((Yb * xp.log(prob)).sum())
        dz = (prob - Yb) / B
        dh = (dz @ params[2].T) * (h > 0)
        grads = [Xb.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)]
        step += 1
        c1, c2 = 1 - b1 ** step, 1 - b2 ** step
        for i, gr in enumerate(grads):
            m[i] = m[i] * b1 + gr * (1 - b1)
            v[i] = v[i] * b2 + gr * gr * (1 - b2)
            params[i] = params[i] - (m[i] / c1) * lr / (xp.sqrt(v[i] / c2) + eps)
    losses.append(total / ntrain)

_, prob = forward(Xte, params)
accuracy = float((prob.argmax(1) == yte).mean())
elapsed = clock() - t0
print("train_size = %d\ntest_size = %d" % (ntrain, ntest))
print("final_loss = %.10g\ntest_accuracy = %.10g" % (losses[-1], accuracy))
print("time: %.3f s on %s" % (elapsed, name))
