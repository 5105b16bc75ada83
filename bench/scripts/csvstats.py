# SPDX-License-Identifier: MIT
# Twin of csvstats.lua (NumPy, or CuPy with "cupy" as the second argument).
import common as C
from common import xp, np

copies = 2 if C.SMALL else 2000
wine = xp.asarray(np.loadtxt(C.SKLEARN + "/wine_data.csv", delimiter=",", skiprows=1))
iris = xp.asarray(np.loadtxt(C.SKLEARN + "/iris.csv", delimiter=",", skiprows=1))
out = []
for t in (xp.tile(wine, (copies, 1)), iris):
    ncol = t.shape[1] - 1
    X, y = t[:, :ncol], t[:, -1]
    mean, std = X.mean(0), X.std(axis=0, ddof=1)
    Z = (X - mean) / std
    out += [mean.sum(), std.sum(), xp.median(X, 0).sum(), xp.percentile(X, 90, 0).sum(),
            xp.abs(xp.corrcoef(Z.T)).sum()]
    for c in range(3):
        out.append(X[y == c].mean(0).sum())
C.report(out)
