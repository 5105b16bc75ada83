-- SPDX-License-Identifier: MIT
-- Classic image filters on scikit-image's camera man (512 x 512, gray):
-- a Gaussian blur and Sobel edges by convolution, a low-pass filter in the
-- Fourier domain and histogram equalisation, each written to a PNG.
--   build/lunar examples/image_filters.lua [full|small] [outdir]
-- small works on every other pixel (256 x 256). The image comes from
-- Debian's python3-skimage (SKIMAGE_DATA names another folder).
local lu = rawget(_G, "lunar") or require "lunar"
local IMAGES = os.getenv("SKIMAGE_DATA") or "/usr/lib/python3/dist-packages/skimage/data"
local size, outdir = arg[1] or "full", arg[2] or "."

local t0 = lu.clock()
local img = lu.image.read(IMAGES .. "/camera.png")               -- (512, 512) uint8
if size == "small" then img = img[{{1, -1, 2}, {1, -1, 2}}] end
local H, W = img.shape[1], img.shape[2]
local x = img:astype("float64")

-- 2-D convolution of a with the kernel k (a Lua table of rows), the image
-- extended by its edge values: a sum of shifted views of the padded image
local function convolve2d(a, k)
  local kh, kw = #k, #k[1]
  local ry, rx = kh // 2, kw // 2
  local p = lu.pad(a, {{ry, ry}, {rx, rx}}, "edge")
  local out = lu.zeros_like(a)
  for i = 1, kh do
    for j = 1, kw do
      local w = k[kh + 1 - i][kw + 1 - j]                 -- flipped: convolution
      if w ~= 0 then out = out + p[{{i, i + H - 1}, {j, j + W - 1}}] * w end
    end
  end
  return out
end

-- Gaussian blur, sigma 2: two passes of a normalised 1-D kernel
local sigma, taps = 2.0, {}
for t = -6, 6 do taps[#taps + 1] = math.exp(-t * t / (2 * sigma * sigma)) end
local total = 0; for _, v in ipairs(taps) do total = total + v end
for i, v in ipairs(taps) do taps[i] = v / total end
local column = {}; for i, v in ipairs(taps) do column[i] = {v} end
local blur = convolve2d(convolve2d(x, {taps}), column)

-- Sobel edges of the blurred image
local gx = convolve2d(blur, {{1, 0, -1}, {2, 0, -2}, {1, 0, -1}})
local gy = convolve2d(blur, {{1, 2, 1}, {0, 0, 0}, {-1, -2, -1}})
local edges = lu.hypot(gx, gy)

-- low-pass in the Fourier domain: keep frequencies below 0.05 cycles/pixel
local F = lu.fft.fft2(x)
local fy, fx = lu.fft.fftfreq(H):reshape(-1, 1), lu.fft.fftfreq(W)
local keep = (fy ^ 2 + fx ^ 2):le(0.05 ^ 2)
local low = lu.fft.ifft2(F * keep).real
local energy = (lu.abs(F * keep) ^ 2):sum() / (lu.abs(F) ^ 2):sum()

-- histogram equalisation: map each gray level through the cumulative histogram
local cdf = lu.bincount(img:ravel(), {minlength = 256}):cumsum()
local cmin = cdf[cdf:gt(0)]:min()
local lut = lu.rint((cdf - cmin) / (H * W - cmin) * 255):clip(0, 255):astype("uint8")
local equalized = lut[img:astype("int64") + 1]             -- gray level g is row g + 1

local function to8(a) return lu.rint(a):clip(0, 255):astype("uint8") end
local elapsed = lu.clock() - t0
lu.image.write(outdir .. "/camera_blur.png", to8(blur))
lu.image.write(outdir .. "/camera_edges.png", to8(edges / edges:max() * 255))
lu.image.write(outdir .. "/camera_lowpass.png", to8(low))
lu.image.write(outdir .. "/camera_equalized.png", equalized)
print(("blur_std = %.12g"):format(blur:std():item()))
print(("edges_mean = %.12g\nedges_max = %.12g"):format(edges:mean():item(), edges:max():item()))
print(("lowpass_energy = %.12g"):format(energy:item()))
print(("lowpass_rms_error = %.12g"):format(lu.sqrt(((low - x) ^ 2):mean()):item()))
print(("equalized_mean = %.12g\nequalized_std = %.12g"):format(
  equalized:mean():item(), equalized:astype("float64"):std():item()))
print(("time: %.3f s on %s"):format(elapsed, lu.get_device()))
