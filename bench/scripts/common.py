# SPDX-License-Identifier: MIT
# The twins' side of bench/scripts/common.lua: data folders, size, the array
# module (NumPy, or CuPy with "cupy" as the second argument) and the report.
import os, sys, time

SKLEARN = os.environ.get("SKLEARN_DATA", "/usr/lib/python3/dist-packages/sklearn/datasets/data")
SKIMAGE = os.environ.get("SKIMAGE_DATA", "/usr/lib/python3/dist-packages/skimage/data")
SMALL = len(sys.argv) > 1 and sys.argv[1] == "small"
if len(sys.argv) > 2 and sys.argv[2] == "cupy":
    import cupy as xp
else:
    import numpy as xp
import numpy as np

T0 = time.perf_counter()   # after the imports, as lunar is loaded before the script


def status(key):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def report(values):
    out = ["%.12g" % float(v) for v in values]   # float() of a CuPy scalar waits for the GPU
    print("RESULT " + " ".join(out))
    print("TIME %.4f" % (time.perf_counter() - T0))
    print("PEAK %.1f" % (status("VmHWM") / 1024))
