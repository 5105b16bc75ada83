# SPDX-License-Identifier: MIT
# NumPy twin of examples/wine_analysis.lua: the same statistics and PCA.
#   python3 examples/twins/wine_analysis.py [full|small] [outdir] [--cupy]
import numpy as np
from common import DATA, xp, clock, name

t0 = clock()
data = xp.asarray(np.loadtxt(DATA + "/wine_data.csv", delimiter=",", skiprows=1))
X, y = data[:, :13], data[:, 13].astype(xp.int64)
n = X.shape[0]
classes, counts = xp.unique(y, return_counts=True)
fig = []
for k, c in enumerate(classes.tolist()):
    Xc = X[y == c]
    mean, std = Xc.mean(0), Xc.std(0, ddof=1)
    fig += [("class%d_count" % c, counts[k]), ("class%d_alcohol_mean" % c, mean[0]),
            ("class%d_proline_mean" % c, mean[12]), ("class%d_flavanoids_std" % c, std[6])]
R = xp.corrcoef(X, rowvar=False)
off = xp.abs(R - xp.eye(13))
i, j = np.unravel_index(int(off.argmax()), off.shape)
fig.append(("strongest_correlation", R[i, j]))
Z = (X - X.mean(0)) / X.std(0)
evals, evecs = xp.linalg.eigh(Z.T @ Z / (n - 1))
order = evals.argsort()[::-1]
evals, evecs = evals[order], evecs[:, order]
top = xp.abs(evecs).argmax(0)
evecs = evecs * xp.sign(evecs[top, xp.arange(13)])
ratio = evals / evals.sum()
fig += [("explained_pc1", ratio[0]), ("explained_pc2", ratio[1])]
P = Z @ evecs[:, :2]
for c in classes.tolist():
    fig.append(("class%d_pc1_mean" % c, P[y == c][:, 0].mean()))
elapsed = clock() - t0
for k, v in fig:
    print("%s = %.12g" % (k, float(v)))
print("time: %.3f s on %s" % (elapsed, name))
