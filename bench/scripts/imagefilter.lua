-- SPDX-License-Identifier: MIT
-- An image filter on scikit-image's camera.png (512 x 512 gray): a 5-tap
-- binomial blur along each axis from shifted slices of an edge-padded
-- copy, then the Sobel gradient's magnitude and the share of pixels over a
-- threshold. The full size tiles the image 4 x 4 (2048 x 2048) and runs
-- the filter 5 times. Twin: imagefilter.py. Reports the magnitude's mean
-- and maximum and the edge share.
local dir = arg[0]:match("^(.*)/") or "."
local C = dofile(dir .. "/common.lua")
local lu = require "lunar"

local tiles, reps = C.small and 1 or 4, C.small and 1 or 5
local img = lu.image.read(C.skimage .. "/camera.png"):astype("float64") / 255
img = lu.tile(img, {tiles, tiles})
local H, W = img.shape[1], img.shape[2]

-- a[rows + dr, cols + dc] over the image, from the padded p (pad k)
local function shift(p, k, dr, dc)
  return p[{{1 + k + dr, H + k + dr}, {1 + k + dc, W + k + dc}}]
end

local function blur(a)
  local p = lu.pad(a, 2, "edge")
  local r = (shift(p, 2, 0, -2) + shift(p, 2, 0, 2) + 4 * (shift(p, 2, 0, -1) + shift(p, 2, 0, 1))
             + 6 * shift(p, 2, 0, 0)) / 16
  p = lu.pad(r, 2, "edge")
  return (shift(p, 2, -2, 0) + shift(p, 2, 2, 0) + 4 * (shift(p, 2, -1, 0) + shift(p, 2, 1, 0))
          + 6 * shift(p, 2, 0, 0)) / 16
end

local function sobel(a)
  local p = lu.pad(a, 1, "edge")
  local gx = (shift(p, 1, -1, 1) + 2 * shift(p, 1, 0, 1) + shift(p, 1, 1, 1))
           - (shift(p, 1, -1, -1) + 2 * shift(p, 1, 0, -1) + shift(p, 1, 1, -1))
  local gy = (shift(p, 1, 1, -1) + 2 * shift(p, 1, 1, 0) + shift(p, 1, 1, 1))
           - (shift(p, 1, -1, -1) + 2 * shift(p, 1, -1, 0) + shift(p, 1, -1, 1))
  return lu.sqrt(gx * gx + gy * gy)
end

local mag
for _ = 1, reps do mag = sobel(blur(img)) end
C.report{mag:mean(), mag:max(), lu.greater(mag, 0.5):mean()}
