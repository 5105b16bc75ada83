-- SPDX-License-Identifier: MIT
-- What the scripts of bench/scripts share: the data folders, the size
-- ("small" for CI, "full" for the table), and the report the runner reads:
-- "RESULT v1 v2 ..." (compared with the twin's), "TIME s" (wall time from
-- the script's start, data loading included) and "PEAK MB" (VmHWM, the
-- peak resident memory of the whole process).
local lu = require "lunar"
local M = {}

M.sklearn = os.getenv("SKLEARN_DATA") or "/usr/lib/python3/dist-packages/sklearn/datasets/data"
M.skimage = os.getenv("SKIMAGE_DATA") or "/usr/lib/python3/dist-packages/skimage/data"
M.small = (arg[1] or "full") == "small"
M.t0 = lu.clock()

local function status(key)
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match(key .. ":%s*(%d+)")) or 0
end

-- values: Lua numbers or 0-d arrays (their item() waits for the device)
function M.report(values)
  local out = {}
  for i, v in ipairs(values) do
    if type(v) ~= "number" then v = v:item() end
    out[i] = string.format("%.12g", v)
  end
  print("RESULT " .. table.concat(out, " "))
  print(string.format("TIME %.4f", lu.clock() - M.t0))
  print(string.format("PEAK %.1f", status("VmHWM") / 1024))
end

return M
