-- SPDX-License-Identifier: MIT
-- Shared by the specs: `local h = require "tests.helper"` (busted runs from
-- the repository root). A helper that two specs need lives here, never as a
-- copy in each spec.
local lu = rawget(_G, "lunar") or require "lunar"

local M = {}

-- The message of the error fn(...) raises, without Lua's "chunk:line: "
-- prefix, or nil when it does not raise.
function M.err_of(fn, ...)
  local ok, e = pcall(fn, ...)
  if ok then return nil end
  return (tostring(e):gsub("^[^\n]-:%d+: ", "", 1))
end

-- A(t [, dtype]): lunar.array on device dev, for the specs that walk every
-- device (`local A = h.on(dev)`).
function M.on(dev)
  return function(t, dt) return lu.array(t, {dtype = dt, device = dev}) end
end

-- The CUDA devices that work here (lunar.devices() less "cpu"), in order.
function M.gpus()
  local t = {}
  for _, d in ipairs(lu.devices()) do
    if d:match("^cuda") then t[#t + 1] = d end
  end
  return t
end

-- The elements of a as (nested) Lua tables, fetched through the CPU.
function M.flat(a) return a:to("cpu"):totable() end

-- Assert that the number g is within rtol (relative) of e.
function M.close(e, g, rtol)
  assert(math.abs(g - e) <= rtol * math.abs(e), ("expected %.17g, got %.17g"):format(e, g))
end

-- Assert that two nested tables hold the same values, element by element:
-- NaN equals NaN, and numbers may differ by rtol (relative; 0 by default:
-- exact).
function M.same_values(expected, got, rtol)
  rtol = rtol or 0
  assert(#expected == #got, ("length: expected %d, got %d"):format(#expected, #got))
  for i = 1, #expected do
    local e, g = expected[i], got[i]
    if type(e) == "table" then
      M.same_values(e, g, rtol)
    elseif e ~= e then
      assert(g ~= g, ("element %d: expected nan, got %s"):format(i, tostring(g)))
    elseif type(e) == "number" and rtol > 0 and e ~= math.huge and e ~= -math.huge then
      assert(math.abs(g - e) <= rtol * math.abs(e) + 1e-300,
        ("element %d: expected %.17g, got %.17g"):format(i, e, g))
    else
      assert(e == g, ("element %d: expected %s, got %s"):format(i, tostring(e), tostring(g)))
    end
  end
end

-- The operand layouts of the randomised fusion chains (fuse_spec,
-- fusion_spec), and a broadcast-compatible operand of dtype dt in one of
-- them made with A = h.on(dev): a 3x4 matrix ("full"), a row, a column,
-- a transpose, a strided and a reversed view, of small random values.
M.LAYOUTS = {"full", "row", "col", "T", "step", "rev"}
function M.chain_operand(A, dt, layout)
  local function val()
    if dt == "bool" then return math.random(0, 1) end
    if dt == "uint8" then return math.random(0, 8) end
    if dt:match("^int") then return math.random(-4, 4) end
    return math.random(-40, 40) / 8
  end
  local function mat(r, c)
    local t = {}
    for i = 1, r do t[i] = {} for j = 1, c do t[i][j] = val() end end
    return A(t, "float64"):astype(dt)
  end
  if layout == "row" then return mat(1, 4)[1]
  elseif layout == "col" then return mat(3, 1)
  elseif layout == "T" then return mat(4, 3).T
  elseif layout == "step" then return mat(3, 8)[{{}, {1, -1, 2}}]
  elseif layout == "rev" then return mat(3, 4)[{{-1, 1, -1}}]
  end
  return mat(3, 4)
end

return M
