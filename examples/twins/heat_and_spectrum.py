# SPDX-License-Identifier: MIT
# NumPy twin of examples/heat_and_spectrum.lua: the same plate, linear
# system and spectrum, with the noise the lunar run saved in outdir.
#   python3 examples/twins/heat_and_spectrum.py [full|small] [outdir] [--cupy]
import math
import numpy as np
from common import xp, size, outdir, clock, name

N, steps, n, fs = (64, 200, 200, 1 << 14) if size == "small" else (512, 2000, 2000, 1 << 22)
t0 = clock()
u, alpha = xp.zeros((N, N)), 0.2
# lunar's inclusive 1-based {N//2 - N//8, N//2 + N//8} in NumPy's terms
u[N // 2 - N // 8 - 1:N // 2 + N // 8, N // 2 - N // 8 - 1:N // 2 + N // 8] = 100
heat0 = float(u.sum())
for _ in range(steps):
    c = u[1:-1, 1:-1]
    lap = u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - c * 4
    u[1:-1, 1:-1] = c + lap * alpha
print("heat_left = %.12g" % (float(u.sum()) / heat0))
print("center_temperature = %.12g" % float(u[N // 2 - 1, N // 2 - 1]))

h = 1 / (n + 1)
x = xp.linspace(h, 1 - h, n)
A = (xp.eye(n) * 2 - xp.eye(n, n, 1) - xp.eye(n, n, -1)) / h ** 2
sol = xp.linalg.solve(A, xp.sin(x * math.pi) * math.pi ** 2)
print("bvp_max_error = %.12g" % float(xp.abs(sol - xp.sin(x * math.pi)).max()))

t = xp.arange(fs) / fs
noise = xp.asarray(np.load(outdir + "/heat_and_spectrum_noise.npy"))
signal = (xp.sin(t * (2 * math.pi * 50)) + xp.sin(t * (2 * math.pi * 120)) * 0.5
          + xp.sin(t * (2 * math.pi * 333)) * 0.25 + noise)
amp = xp.abs(xp.fft.rfft(signal)) * (2 / fs)
freqs = xp.fft.rfftfreq(fs, 1 / fs)
top = amp.argsort()[-3:]
peaks = xp.sort(freqs[top])
for k in range(3):
    print("peak%d_hz = %.12g\npeak%d_amplitude = %.12g" % (k + 1, float(peaks[k]), k + 1,
          float(amp[freqs == peaks[k]][0])))
print("time: %.3f s on %s" % (clock() - t0, name))
