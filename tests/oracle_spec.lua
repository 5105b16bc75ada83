-- SPDX-License-Identifier: MIT
-- The CPU backend as the oracle of the others (cutorch's compareFloatAndCuda):
-- every row of the elementwise table (lunar._ops) and of the reduction table
-- (lunar._reductions), every dtype, contiguous, strided (a step, a transpose,
-- a reversal) and broadcast operands, and for reductions every axis form,
-- computed on the CPU and on each GPU from the same data: the same error, or
-- the same dtype, shape and values (equal for integers and bools, within a
-- tolerance by precision for floats and complex numbers). Larger shapes
-- reach the GPU's split passes. A row is left out for a dtype NumPy refuses
-- it for (np.floor on complex, bitwise_and on floats): there lunar must
-- refuse too, on every device, and nothing more is compared.
--
-- Without a GPU the CPU half still runs: each result on views must equal the
-- result on contiguous copies of the same operands, and every row of both
-- tables must appear in the NumPy differential cases (tests/diff), so that
-- no row is left without NumPy as its oracle.
local lu = rawget(_G, "lunar") or require "lunar"

local DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float16", "bfloat16", "float32", "float64", "complex64", "complex128"}

-- Agreement by the precision of a result's dtype (of its parts for complex
-- numbers): the GPU's float32 maths differ from the C library's in the last
-- bits, and 16-bit results round those differences.
local TOL = {float16 = 4e-3, bfloat16 = 2e-2, float32 = 1e-5, float64 = 1e-12,
             complex64 = 1e-5, complex128 = 1e-12}

local gpus = {}
for _, d in ipairs(lu.devices()) do if d ~= "cpu" then gpus[#gpus + 1] = d end end

-- The 16-bit float and complex dtypes: on a GPU their kernels (NVRTC, at
-- first use, like the small integer types') are compiled per row, dtype and
-- layout, and with every layout this file ran past 150 s on a fresh GPU
-- machine (2026-12-04, one run, stopped after 42 rows; the 11 other dtypes
-- alone finish in the whole-suite run). On GPUs these four are compared in
-- contiguous layout; their views are checked against NumPy on the GPU by
-- the differential suite (tests/diff/cases/dtypes.py), and against copies
-- on the CPU here.
local CONTIG_ON_GPU = {float16 = true, bfloat16 = true, complex64 = true, complex128 = true}

-- Debian's NumPy, or the one named by PYTHON (the GPU machine's)
local PY = os.getenv("PYTHON") or "/usr/bin/python3"

-- {===== what NumPy refuses
-- refused[name][dtype]: NumPy raises a TypeError for the row on operands of
-- that dtype (every operand of it, as the specs below call the row). Found
-- once by calling NumPy; it has no bfloat16, so its float16 answers for it.
-- Rows NumPy lacks (erf, gamma ...), and a machine without NumPy, refuse
-- nothing here.
local PROBE = [[
import sys, warnings
import numpy as np
warnings.simplefilter("ignore")
dts = sys.argv[1].split(",")
for line in open(sys.argv[2]):
    kind, name, nin = line.split()
    f = getattr(np, name, None)
    if f is None:
        continue
    for dt in dts:
        a = np.array([0.25, 0.5, 1.5]).astype("float16" if dt == "bfloat16" else dt)
        try:
            f(*[a] * int(nin)) if kind == "e" else f(a)
        except TypeError:
            print(name, dt)
]]
local refused = {}
do
  local script, rows = os.tmpname(), os.tmpname()
  local fs, fr = io.open(script, "w"), io.open(rows, "w")
  fs:write(PROBE); fs:close()
  for _, row in ipairs(lu._ops) do fr:write("e ", row.name, " ", row.nin, "\n") end
  for _, row in ipairs(lu._reductions) do fr:write("r ", row.name, " 1\n") end
  fr:close()
  local p = io.popen(("%s %s %s %s 2>/dev/null"):format(PY, script, table.concat(DTYPES, ","), rows))
  if p then
    for line in p:lines() do
      local name, dt = line:match("^(%S+) (%S+)$")
      if name then
        refused[name] = refused[name] or {}
        refused[name][dt] = true
      end
    end
    p:close()
  end
  os.remove(script); os.remove(rows)
end
-- }=====

-- {===== data and operands
-- Values every dtype holds: small integers (from 0 for unsigned and bool),
-- quarters for floats and for both parts of complex numbers, a NaN now and
-- then; the same on every run.
local function values(dt, n, seed, nan)
  local t, x = {}, seed * 7919 + 17
  local function step()
    x = (x * 1103515245 + 12345) % 2147483648
    return x % 19 - 9
  end
  for i = 1, n do
    local v = step()
    if dt == "bool" then t[i] = x % 3 ~= 0
    elseif dt:match("^uint") then t[i] = math.abs(v)
    elseif dt:match("^float") or dt == "bfloat16" then
      t[i] = v / 4
      if nan and x % 11 == 0 then t[i] = 0 / 0 end
    elseif dt:match("^complex") then
      local re, nanpart = v / 4, nan and x % 11 == 0
      local im = step() / 4
      if nanpart then
        if x % 2 == 0 then re = 0 / 0 else im = 0 / 0 end
      end
      t[i] = lu.complex(re, im)
    else t[i] = v end
  end
  return t
end

-- An operand: a base array made on a device, then a view of it. `make(dev)`
-- gives the same view of the same data on every device.
local function operand(dt, shape, view, seed, nan)
  local base_shape, f = shape, function(a) return a end
  if view == "T" then
    base_shape = {}
    for i = #shape, 1, -1 do base_shape[#base_shape + 1] = shape[i] end
    f = function(a) return a.T end
  elseif view == "step" then
    base_shape = {table.unpack(shape)}
    base_shape[#shape] = 2 * shape[#shape]
    f = function(a)
      local idx = {}
      for i = 1, #shape - 1 do idx[i] = {} end
      idx[#shape] = {1, -1, 2}
      return a[idx]
    end
  elseif view == "rev" then
    f = function(a)
      local idx = {{-1, 1, -1}}
      for i = 2, #shape do idx[i] = {} end
      return a[idx]
    end
  elseif view == "bcast" then        -- a row broadcast over the first axis
    base_shape = {table.unpack(shape)}
    base_shape[1] = 1
    f = function(a) return a:broadcast_to(shape) end
  end
  local n = 1
  for _, s in ipairs(base_shape) do n = n * s end
  local data = values(dt, n, seed, nan)
  return {
    desc = ("%s%s%s"):format(dt, "(" .. table.concat(shape, ",") .. ")", view ~= "c" and "." .. view or ""),
    make = function(dev)
      local a = lu.array(data, {dtype = dt, device = dev})
      return f(#base_shape > 1 and a:reshape(base_shape) or a)
    end,
  }
end
-- }=====

-- {===== comparing
local flat = require("tests.helper").leaves

-- nil when r (a result or an error message, ok telling which) agrees with
-- the oracle's, else why not
local function differ(ok0, r0, ok1, r1, tol)
  if ok0 ~= ok1 then
    return ok0 and ("the oracle gives a result, this an error: " .. tostring(r1))
                or ("the oracle raises (" .. tostring(r0) .. "), this gives a result")
  end
  if not ok0 then return nil end
  if r0.dtype ~= r1.dtype then return ("dtype %s, oracle %s"):format(r1.dtype, r0.dtype) end
  local s0, s1 = table.concat(r0.shape, ","), table.concat(r1.shape, ",")
  if s0 ~= s1 then return ("shape (%s), oracle (%s)"):format(s1, s0) end
  local v0, v1 = flat(r0:to("cpu"):totable()), flat(r1:to("cpu"):totable())
  local t = tol or TOL[r0.dtype] or 0
  local cx = r0.dtype:match("^complex") ~= nil
  for i = 1, #v0 do
    local a, b = v0[i], v1[i]
    local same
    if cx then
      -- a complex NaN (either part NaN) matches one; otherwise the parts
      -- are within t of the oracle's magnitude
      local ar, ai, br, bi = a.real, a.imag, b.real, b.imag
      local an, bn = ar ~= ar or ai ~= ai, br ~= br or bi ~= bi
      local m = math.max(math.abs(ar), math.abs(ai)) + 1
      same = (an and bn) or (not an and not bn and
             (ar == br or math.abs(ar - br) <= t * m) and (ai == bi or math.abs(ai - bi) <= t * m))
    else
      same = a == b or (t > 0 and a ~= a and b ~= b) or
             (t > 0 and a == a and b == b and math.abs(a - b) <= t * (math.abs(a) + 1))
    end
    if not same then return ("element %d: %s, oracle %s"):format(i, tostring(b), tostring(a)) end
  end
  return nil
end

-- Runs f on operands made on dev; returns ok, result-or-message.
local function run(dev, ops, f)
  local args = {}
  for k, o in ipairs(ops) do args[k] = o.make(dev) end
  return pcall(f, table.unpack(args, 1, #ops))
end

-- The CPU half: f on the operands' views and on contiguous copies agree.
local function check_cpu(ops, f, what)
  local ok0, r0 = run("cpu", ops, f)
  local copies = {}
  for k, o in ipairs(ops) do
    copies[k] = {make = function(dev) return o.make(dev):copy() end}
  end
  local ok1, r1 = run("cpu", copies, f)
  local why = differ(ok1, r1, ok0, r0)
  assert(why == nil, what .. " (views vs copies on the cpu): " .. tostring(why))
end

local function check_gpus(ops, f, what, tol)
  local ok0, r0 = run("cpu", ops, f)
  for _, dev in ipairs(gpus) do
    local ok1, r1 = run(dev, ops, f)
    local why = differ(ok0, r0, ok1, r1, tol)
    assert(why == nil, what .. " on " .. dev .. ": " .. tostring(why))
  end
end

-- A row NumPy refuses for the operands' dtype: lunar refuses it on every
-- device as well (the other layouts are not tried).
local function check_refused(ops, f, what)
  local devs = {"cpu", table.unpack(gpus)}
  for _, dev in ipairs(devs) do
    local ok, r = run(dev, ops, f)
    assert(not ok, what .. " on " .. dev .. ": NumPy refuses it, lunar gives " ..
                   (type(r) == "userdata" and r.dtype or tostring(r)))
  end
end
-- }=====

local function descs(ops)
  local t = {}
  for k, o in ipairs(ops) do t[k] = o.desc end
  return table.concat(t, ", ")
end

-- {===== the elementwise table
-- operand lists for an op of nin inputs: every layout in each position, the
-- others contiguous (4,5)
local LAYOUTS = {"c", "step", "T", "rev", "bcast"}
local function ewise_sets(dt, nin, seed)
  local sets = {}
  for _, view in ipairs(LAYOUTS) do
    for pos = 1, nin do
      local ops = {}
      for k = 1, nin do
        ops[k] = operand(dt, {4, 5}, k == pos and view or "c", seed + k, true)
      end
      sets[#sets + 1] = ops
      if nin == 1 then break end
    end
  end
  return sets
end

describe("oracle: the elementwise table", function()
  for _, row in ipairs(lu._ops) do
    it(row.name .. " on every dtype and layout", function()
      local f = lu[row.name]
      for di, dt in ipairs(DTYPES) do
        local sets = ewise_sets(dt, row.nin, di)
        if (refused[row.name] or {})[dt] then
          check_refused(sets[1], f, ("%s(%s)"):format(row.name, descs(sets[1])))
        else
          for si, ops in ipairs(sets) do
            local what = ("%s(%s)"):format(row.name, descs(ops))
            check_cpu(ops, f, what)
            if si == 1 or not CONTIG_ON_GPU[dt] then check_gpus(ops, f, what) end
          end
        end
      end
    end)
  end
end)
-- }=====

-- {===== the reduction table
local function axis_forms(row, nd)
  local forms = {false}                        -- false: no axis
  for i = 1, nd do forms[#forms + 1] = i end
  forms[#forms + 1] = -1
  if not row.arg then
    if nd == 2 then forms[#forms + 1] = {2, 1} end
    if nd == 3 then
      forms[#forms + 1] = {1, 3}
      forms[#forms + 1] = {3, 2}
      forms[#forms + 1] = {1, 2, 3}
    end
  end
  return forms
end

local function reduce_fn(row, axis, keepdims, ddof)
  local kw = {keepdims = keepdims or nil}
  if axis then kw.axis = axis end
  if ddof and row.params:find("ddof", 1, true) then kw.ddof = ddof end
  return function(a) return a[row.name](a, kw) end, kw
end

local function axis_desc(axis)
  if not axis then return "nil" end
  if type(axis) == "table" then return "{" .. table.concat(axis, ",") .. "}" end
  return tostring(axis)
end

describe("oracle: the reduction table", function()
  for _, row in ipairs(lu._reductions) do
    it(row.name .. " on every dtype, layout and axis form", function()
      local shapes = {{{4, 6}, "c"}, {{4, 6}, "T"}, {{4, 6}, "step"}, {{4, 6}, "rev"},
                      {{4, 6}, "bcast"}, {{2, 3, 4}, "c"}, {{2, 3, 4}, "T"}, {{5}, "rev"}}
      for di, dt in ipairs(DTYPES) do
        if (refused[row.name] or {})[dt] then
          local op = operand(dt, {4, 6}, "c", di * 10, false)
          check_refused({op}, reduce_fn(row, false, false, 1), ("%s(%s)"):format(row.name, op.desc))
        else
          for si, sv in ipairs(shapes) do
            local op = operand(dt, sv[1], sv[2], di * 10 + si, si % 2 == 0)
            for _, axis in ipairs(axis_forms(row, #sv[1])) do
              for _, keepdims in ipairs({false, true}) do
                local f = reduce_fn(row, axis, keepdims, 1)
                local what = ("%s(%s, axis=%s, keepdims=%s)"):format(row.name, op.desc,
                                                                      axis_desc(axis), tostring(keepdims))
                check_cpu({op}, f, what)
                if sv[2] == "c" or not CONTIG_ON_GPU[dt] then check_gpus({op}, f, what) end
              end
            end
          end
        end
      end
    end)
  end
end)

-- Shapes that take the GPU's other paths: CUB, a thread or a warp per row,
-- split rows, column tiles with and without a split (see
-- src/backend/cuda/reduce.c). Float32 sums of quarters stay exact in float.
describe("oracle: reductions on large shapes", function()
  local big = {
    {{1000003}, nil}, {{37, 5000}, 2}, {{1000, 33}, 2}, {{30001, 10}, 2},
    {{3, 1000, 77}, 2}, {{20000, 40}, 1}, {{400, 50, 30}, {1, 3}}, {{300, 2, 500}, 1},
  }
  for _, row in ipairs(lu._reductions) do
    it(row.name, function()
      if #gpus == 0 then return end
      for bi, b in ipairs(big) do
        for _, dt in ipairs({"int32", "float32", "float64", "uint8"}) do
          local axis = b[2]
          if not (row.arg and type(axis) == "table") then
            local op = operand(dt, b[1], "c", bi, dt ~= "float64")
            local f = reduce_fn(row, axis, false, 1)
            check_gpus({op}, f, ("%s(%s, axis=%s)"):format(row.name, op.desc, axis_desc(axis)),
                       dt == "float32" and 1e-4 or 1e-10)
          end
        end
      end
    end)
  end
end)
-- }=====

-- {===== every row has NumPy cases
describe("oracle: NumPy covers every row", function()
  it("in the differential cases (tests/diff)", function()
    local py = PY
    local probe = io.popen(py .. " -c 'import numpy' 2>/dev/null && echo yes")
    local have = probe and probe:read("*l") == "yes"
    if probe then probe:close() end
    assert(have, "the differential suite needs " .. py .. " with NumPy")
    local out = os.tmpname()
    local ok = os.execute(("%s tests/diff/gen.py --ops src/core/lu_ops.def --out %s --only ewise,reduce 2>/dev/null")
                          :format(py, out))
    assert(ok, "tests/diff/gen.py failed")
    local seen = {}
    for line in io.lines(out) do
      local op = line:match('op="([%w_%.]+)"')
      if op then seen[op] = true end
    end
    os.remove(out)
    local missing = {}
    for _, row in ipairs(lu._ops) do if not seen[row.name] then missing[#missing + 1] = row.name end end
    for _, row in ipairs(lu._reductions) do
      if not seen[row.name] then missing[#missing + 1] = row.name end
    end
    assert(#missing == 0, "rows without NumPy cases: " .. table.concat(missing, " "))
  end)
end)
-- }=====
