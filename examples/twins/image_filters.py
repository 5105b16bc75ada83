# SPDX-License-Identifier: MIT
# NumPy twin of examples/image_filters.lua: the same filters, the same figures.
#   python3 examples/twins/image_filters.py [full|small] [outdir] [--cupy]
# Reads camera.png with PIL, or camera.npy beside it where PIL is missing.
import numpy as np
from common import IMAGES, xp, size, clock, name

t0 = clock()
try:
    from PIL import Image
    img = np.asarray(Image.open(IMAGES + "/camera.png"))
except ImportError:
    img = np.load(IMAGES + "/camera.npy")
img = xp.asarray(img)
if size == "small":
    img = img[::2, ::2]
H, W = img.shape
x = img.astype(xp.float64)


def convolve2d(a, k):
    k = np.asarray(k, dtype=float)[::-1, ::-1]
    ry, rx = k.shape[0] // 2, k.shape[1] // 2
    p = xp.pad(a, ((ry, ry), (rx, rx)), mode="edge")
    out = xp.zeros_like(a)
    for i in range(k.shape[0]):
        for j in range(k.shape[1]):
            if k[i, j] != 0:
                out = out + p[i:i + H, j:j + W] * k[i, j]
    return out


t = np.arange(-6, 7)
taps = np.exp(-t * t / (2 * 2.0 ** 2))
taps /= taps.sum()
blur = convolve2d(convolve2d(x, taps[None, :]), taps[:, None])
gx = convolve2d(blur, [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
gy = convolve2d(blur, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
edges = xp.hypot(gx, gy)
F = xp.fft.fft2(x)
fy, fx = xp.fft.fftfreq(H)[:, None], xp.fft.fftfreq(W)
keep = (fy ** 2 + fx ** 2) <= 0.05 ** 2
low = xp.fft.ifft2(F * keep).real
energy = (xp.abs(F * keep) ** 2).sum() / (xp.abs(F) ** 2).sum()
cdf = xp.bincount(img.ravel(), minlength=256).cumsum()
cmin = cdf[cdf > 0].min()
lut = xp.rint((cdf - cmin) / (H * W - cmin) * 255).clip(0, 255).astype(xp.uint8)
equalized = lut[img]
elapsed = clock() - t0
print("blur_std = %.12g" % float(blur.std()))
print("edges_mean = %.12g\nedges_max = %.12g" % (float(edges.mean()), float(edges.max())))
print("lowpass_energy = %.12g" % float(energy))
print("lowpass_rms_error = %.12g" % float(xp.sqrt(((low - x) ** 2).mean())))
print("equalized_mean = %.12g\nequalized_std = %.12g" % (float(equalized.mean()),
                                                        float(equalized.astype(xp.float64).std())))
print("time: %.3f s on %s" % (elapsed, name))
