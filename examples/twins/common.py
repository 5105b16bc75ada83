# SPDX-License-Identifier: MIT
# What the twins share: their arguments ([full|small] [outdir] [--cupy]),
# the array module (NumPy, or CuPy with --cupy), and a clock that waits for
# the GPU before it reads the time; where the data sets are (SKLEARN_DATA,
# SKIMAGE_DATA, as the examples read them).
import os, sys, time

# the data sets of Debian's python3-sklearn and python3-skimage
DATA = os.environ.get("SKLEARN_DATA", "/usr/lib/python3/dist-packages/sklearn/datasets/data")
IMAGES = os.environ.get("SKIMAGE_DATA", "/usr/lib/python3/dist-packages/skimage/data")

args = [a for a in sys.argv[1:] if a != "--cupy"]
size = args[0] if len(args) > 0 else "full"
outdir = args[1] if len(args) > 1 else "."
if "--cupy" in sys.argv[1:]:
    import cupy as xp
    name = "cupy"
    def clock():
        xp.cuda.Device().synchronize()
        return time.perf_counter()
    def host(a):
        return xp.asnumpy(a)
else:
    import numpy as xp
    name = "numpy"
    clock = time.perf_counter
    def host(a):
        return a
