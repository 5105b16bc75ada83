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

-- The leaves of a nested Lua table (what totable gives) as one list, in
-- order; a value that is not a table gives a list of one.
function M.leaves(t, out)
  out = out or {}
  if type(t) ~= "table" then out[#out + 1] = t; return out end
  for _, v in ipairs(t) do M.leaves(v, out) end
  return out
end

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

-- Fused against unfused (fuse_spec, fusion_spec): got and want agree in
-- dtype, shape and values, exactly for bool and integers (and for floats
-- when exact), floats otherwise within a tolerance of the dtype, NaN
-- matching NaN; `what` names the case in the error.
-- fn() with automatic fusion off: the unfused result (fusion specs)
function M.unfused(fn)
  local old = lu.set_fusion(false)
  local ok, r = pcall(fn)
  lu.set_fusion(old)
  if not ok then error(r, 0) end
  return r
end

local FUSED_RTOL = {float16 = 4e-3, float32 = 2e-6, float64 = 1e-12}
function M.flat64(a) return a:astype("float64"):ravel():totable() end
function M.agree(got, want, what, exact)
  if got.dtype ~= want.dtype then error(("%s: dtype %s, unfused %s"):format(what, got.dtype, want.dtype)) end
  local gs, ws = table.concat(got.shape, ","), table.concat(want.shape, ",")
  if gs ~= ws then error(("%s: shape (%s), unfused (%s)"):format(what, gs, ws)) end
  local g, w, tol = M.flat64(got), M.flat64(want), not exact and FUSED_RTOL[want.dtype]
  for i = 1, #w do
    local x, y = g[i], w[i]
    local ok = x == y or (x ~= x and y ~= y)
    if not ok and tol and x == x and y == y then ok = math.abs(x - y) <= tol * math.max(1, math.abs(y)) end
    if not ok then error(("%s: element %d is %s, unfused %s"):format(what, i, tostring(x), tostring(y))) end
  end
end

-- 2..4 leaves of a random chain: the first an array in the full layout,
-- the others arrays of random dtypes (from dtypes) and layouts, or now and
-- then a Lua number; returns leaves, their descriptions, their count.
function M.chain_leaves(A, dtypes)
  local nleaf = math.random(2, 4)
  local leaves, desc = {}, {}
  for i = 1, nleaf do
    local dt = dtypes[math.random(#dtypes)]
    local lay = i == 1 and "full" or M.LAYOUTS[math.random(#M.LAYOUTS)]
    if math.random() < 0.15 and i > 1 then
      leaves[i] = math.random() < 0.5 and math.random(-3, 3) or math.random(-20, 20) / 4
      desc[i] = tostring(leaves[i])
    else
      leaves[i] = M.chain_operand(A, dt, lay)
      desc[i] = dt .. "/" .. lay
    end
  end
  return leaves, desc, nleaf
end

-- The outcomes of pcall(unfused) and pcall(fused) match: both raise the
-- same message, or both return values that agree; true when they returned.
function M.same_outcome(okw, want, okg, got, what)
  if not okw then
    if okg then error(what .. ": fused ran where unfused raised " .. tostring(want)) end
    if tostring(want) ~= tostring(got) then
      error(("%s: fused raised %s, unfused %s"):format(what, tostring(got), tostring(want)))
    end
    return false
  end
  if not okg then error(what .. ": " .. tostring(got)) end
  M.agree(got, want, what)
  return true
end

-- The lunar executable running this spec (busted inside build/lunar), or
-- nil when another interpreter runs it (then specs of child processes skip).
function M.lunar_exe()
  local lo = 0
  while arg and arg[lo - 1] do lo = lo - 1 end
  local exe = arg and arg[lo]
  return exe and exe:match("lunar$") and exe or nil
end

-- What a fresh lunar process prints (stdout and stderr) for `lunar -e code`,
-- with the environment settings `env` ("A=1 B=2"); code holds no single quote.
function M.run_lunar(env, code)
  local p = io.popen(("%s %q -e '%s' 2>&1"):format(env, M.lunar_exe(), code))
  local out = p:read("a")
  p:close()
  return out
end

return M
