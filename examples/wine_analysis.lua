-- SPDX-License-Identifier: MIT
-- The wine data set (scikit-learn's wine_data.csv: 178 wines, 13 chemical
-- measurements, 3 cultivars): per-class statistics, the correlation
-- matrix, standardisation and a principal component analysis, with a
-- scatter plot of the wines on the first two components.
--   build/lunar examples/wine_analysis.lua [full|small] [outdir]
-- (the data set is small: both sizes run the same analysis; the file comes
-- from Debian's python3-sklearn, SKLEARN_DATA names another folder)
local lu = rawget(_G, "lunar") or require "lunar"
local DATA = os.getenv("SKLEARN_DATA") or "/usr/lib/python3/dist-packages/sklearn/datasets/data"
local outdir = arg[2] or "."
local names = {"alcohol", "malic_acid", "ash", "alcalinity", "magnesium", "phenols",
  "flavanoids", "nonflav_phenols", "proanthocyanins", "color", "hue", "od280", "proline"}

local t0 = lu.clock()
local data = lu.loadtxt(DATA .. "/wine_data.csv", {delimiter = ",", skiprows = 1})
local X, y = data[{{}, {1, 13}}], data[{{}, 14}]:astype("int64")
local n = X.shape[1]

-- per-class statistics: unique gives the classes and their sizes, a mask
-- picks each class's rows
local classes, counts = lu.unique(y, {return_counts = true})
local fig = {}
for k = 1, #classes do
  local c = classes[k]
  local Xc = X[y:eq(c)]
  local mean, std = Xc:mean(1), Xc:std{axis = 1, ddof = 1}
  fig[#fig + 1] = {("class%d_count"):format(c), counts[k]}
  fig[#fig + 1] = {("class%d_alcohol_mean"):format(c), mean[1]}
  fig[#fig + 1] = {("class%d_proline_mean"):format(c), mean[13]}
  fig[#fig + 1] = {("class%d_flavanoids_std"):format(c), std[7]}
end

-- the correlation matrix and its strongest pair of distinct measurements
local R = lu.corrcoef(X, {rowvar = false})
local off = lu.abs(R - lu.eye(13))
local i, j = lu.unravel_index(off:argmax():item(), off.shape)
fig[#fig + 1] = {"strongest_correlation", R[{i, j}]}
print(("strongest correlation: %s ~ %s"):format(names[i], names[j]))

-- standardise, then PCA: eigenvectors of the covariance of the standardised
-- data, largest eigenvalue first (signs fixed: largest loading positive)
local Z = (X - X:mean(1)) / X:std(1)
local evals, evecs = lu.linalg.eigh(Z.T:matmul(Z) / (n - 1))
local order = evals:argsort():flip()
evals, evecs = evals[order], evecs[{{}, order}]
local top = lu.abs(evecs):argmax(1)
evecs = evecs * lu.sign(lu.take_along_axis(evecs, top:reshape(1, -1), 1))
local ratio = evals / evals:sum()
fig[#fig + 1] = {"explained_pc1", ratio[1]}
fig[#fig + 1] = {"explained_pc2", ratio[2]}
-- the same spectrum from the singular values of Z
local s = lu.linalg.svd(Z, {compute_uv = false})
assert(lu.allclose(s ^ 2 / (n - 1), evals), "svd and eigh disagree")

local P = Z:matmul(evecs[{{}, {1, 2}}])          -- the wines on PC1, PC2
local plot = lu.plot.figure{title = "wine: first two principal components",
  xlabel = "PC1", ylabel = "PC2", out = outdir .. "/wine_pca.png"}
for k = 1, #classes do
  local Pc = P[y:eq(classes[k])]
  fig[#fig + 1] = {("class%d_pc1_mean"):format(classes[k]), Pc[{{}, 1}]:mean():item()}
  plot:scatter(Pc[{{}, 1}], Pc[{{}, 2}], {label = "class " .. classes[k]})
end
local elapsed = lu.clock() - t0
plot:show()
for _, f in ipairs(fig) do print(("%s = %.12g"):format(f[1], f[2])) end
print(("time: %.3f s on %s"):format(elapsed, lu.get_device()))
