-- SPDX-License-Identifier: MIT
-- Three everyday pieces of scientific computing:
-- 1. heat spreading over a plate: the 2-D heat equation by explicit finite
--    differences on slices of the grid, the result drawn as a heat map;
-- 2. a boundary-value problem -u'' = pi^2 sin(pi x), u(0) = u(1) = 0, as a
--    linear system for linalg.solve, checked against u = sin(pi x);
-- 3. the dominant frequencies of a noisy signal from its real FFT.
--   build/lunar examples/heat_and_spectrum.lua [full|small] [outdir]
-- The noise is saved to outdir for examples/twins/heat_and_spectrum.py.
local lu = rawget(_G, "lunar") or require "lunar"
local size, outdir = arg[1] or "full", arg[2] or "."
local N, steps, n, fs = 512, 2000, 2000, 1 << 22
if size == "small" then N, steps, n, fs = 64, 200, 200, 1 << 14 end
local t0 = lu.clock()

-- 1. an N x N plate at 0 degrees with a hot square in the middle; the edges
-- stay at 0. Stable for alpha = dt k / h^2 <= 1/4.
local u, alpha = lu.zeros(N, N), 0.2
u[{{N // 2 - N // 8, N // 2 + N // 8}, {N // 2 - N // 8, N // 2 + N // 8}}] = 100
local heat0 = u:sum():item()
for _ = 1, steps do
  local c = u[{{2, -2}, {2, -2}}]
  local lap = u[{{1, -3}, {2, -2}}] + u[{{3, -1}, {2, -2}}]
            + u[{{2, -2}, {1, -3}}] + u[{{2, -2}, {3, -1}}] - c * 4
  u[{{2, -2}, {2, -2}}] = c + lap * alpha
end
print(("heat_left = %.12g"):format(u:sum():item() / heat0))
print(("center_temperature = %.12g"):format(u[{N // 2, N // 2}]))

-- 2. second differences on n interior points: A u = f, A = tridiag(-1, 2, -1) / h^2
local h = 1 / (n + 1)
local x = lu.linspace(h, 1 - h, n)
local A = (lu.eye(n) * 2 - lu.eye(n, n, 1) - lu.eye(n, n, -1)) / h ^ 2
local sol = lu.linalg.solve(A, lu.sin(x * math.pi) * math.pi ^ 2)
print(("bvp_max_error = %.12g"):format(lu.abs(sol - lu.sin(x * math.pi)):max():item()))

-- 3. one second of a signal sampled at fs Hz: tones at 50, 120 and 333 Hz
-- buried in noise of standard deviation 2; the three largest FFT bins
local t = lu.arange(fs) / fs
local noise = lu.random.default_rng(7):normal(0, 2, fs)
lu.save(outdir .. "/heat_and_spectrum_noise.npy", noise)
local signal = lu.sin(t * (2 * math.pi * 50)) + lu.sin(t * (2 * math.pi * 120)) * 0.5
             + lu.sin(t * (2 * math.pi * 333)) * 0.25 + noise
local amp = lu.abs(lu.fft.rfft(signal)) * (2 / fs)
local freqs = lu.fft.rfftfreq(fs, 1 / fs)
local top = amp:argsort()[{{-3, -1}}]
local peaks = lu.sort(freqs[top])
for k = 1, 3 do
  print(("peak%d_hz = %.12g\npeak%d_amplitude = %.12g"):format(k, peaks[k], k,
        amp[freqs:eq(peaks[k])]:item()))
end
local elapsed = lu.clock() - t0
lu.plot.imshow(u, {cmap = "hot", title = ("plate after %d steps"):format(steps),
                   out = outdir .. "/heat_plate.png"})
lu.plot.line(amp[{{1, 400}}], freqs[{{1, 400}}], {title = "amplitude spectrum",
             xlabel = "Hz", ylabel = "amplitude", out = outdir .. "/spectrum.png"})
print(("time: %.3f s on %s"):format(elapsed, lu.get_device()))
