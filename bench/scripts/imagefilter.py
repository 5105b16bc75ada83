# SPDX-License-Identifier: MIT
# Twin of imagefilter.lua (NumPy, or CuPy with "cupy" as the second argument).
import common as C
from common import xp, np
from PIL import Image

tiles, reps = (1, 1) if C.SMALL else (4, 5)
img = xp.asarray(np.asarray(Image.open(C.SKIMAGE + "/camera.png"))).astype(xp.float64) / 255
img = xp.tile(img, (tiles, tiles))
H, W = img.shape


def shift(p, k, dr, dc):
    return p[k + dr:H + k + dr, k + dc:W + k + dc]


def blur(a):
    p = xp.pad(a, 2, mode="edge")
    r = (shift(p, 2, 0, -2) + shift(p, 2, 0, 2) + 4 * (shift(p, 2, 0, -1) + shift(p, 2, 0, 1))
         + 6 * shift(p, 2, 0, 0)) / 16
    p = xp.pad(r, 2, mode="edge")
    return (shift(p, 2, -2, 0) + shift(p, 2, 2, 0) + 4 * (shift(p, 2, -1, 0) + shift(p, 2, 1, 0))
            + 6 * shift(p, 2, 0, 0)) / 16


def sobel(a):
    p = xp.pad(a, 1, mode="edge")
    gx = ((shift(p, 1, -1, 1) + 2 * shift(p, 1, 0, 1) + shift(p, 1, 1, 1))
          - (shift(p, 1, -1, -1) + 2 * shift(p, 1, 0, -1) + shift(p, 1, 1, -1)))
    gy = ((shift(p, 1, 1, -1) + 2 * shift(p, 1, 1, 0) + shift(p, 1, 1, 1))
          - (shift(p, 1, -1, -1) + 2 * shift(p, 1, -1, 0) + shift(p, 1, -1, 1)))
    return xp.sqrt(gx * gx + gy * gy)


for _ in range(reps):
    mag = sobel(blur(img))
C.report([mag.mean(), mag.max(), (mag > 0.5).mean()])
