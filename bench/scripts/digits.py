# SPDX-License-Identifier: MIT
# Twin of digits.lua (NumPy, or CuPy with "cupy" as the second argument).
import common as C
from common import xp, np

steps = 20 if C.SMALL else 1500
D = xp.asarray(np.loadtxt(C.SKLEARN + "/digits.csv.gz", delimiter=","))
n = D.shape[0]
X = D[:, :64] / 16
y = D[:, 64].astype(xp.int64)
Y = (y.reshape(n, 1) == xp.arange(10)).astype(xp.float64)
W, b = xp.zeros((64, 10)), xp.zeros(10)
lr = 0.5
for _ in range(steps):
    Z = X @ W + b
    Z = Z - Z.max(axis=1, keepdims=True)
    E = xp.exp(Z)
    P = E / E.sum(axis=1, keepdims=True)
    G = (P - Y) / n
    W = W - lr * (X.T @ G)
    b = b - lr * G.sum(0)
loss = -xp.log((P * Y).sum(1)).mean()
acc = (Z.argmax(1) == y).mean()
C.report([loss, acc])
