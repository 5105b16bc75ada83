-- SPDX-License-Identifier: MIT
-- lunar.dist on CPU ranks, run by tests/dist/run.sh under
-- `mpirun -n N lunar tests/dist/collectives.lua [quick]`. Every collective
-- for every dtype, in place and out of place, sync and async, with values
-- a reader can compute: rank r holds (r + 1) + i at position i (small
-- integers, exact in every dtype), so a sum over ranks is
-- n(n+1)/2 + n*i, and so on. Then the mistakes every rank must see alike.
-- Each rank prints "distrank R: P passed, F failed"; run.sh adds them up.
local lu = lunar
local d = lu.dist
-- arguments: "quick" (-n 4 and -n 8: a few dtypes), "gpu" (on a GPU
-- machine, through NCCL: `lunar -n 2 tests/dist/collectives.lua gpu` or
-- `mpirun -n 2 lunar tests/dist/collectives.lua gpu`)
local quick, gpu = false, false
for _, a in ipairs(arg) do
  if a == "quick" then quick = true elseif a == "gpu" then gpu = true end
end
local LIB = gpu and "NCCL" or "MPI"
local ON = gpu and "cuda" or "cpu"

d.init{backend = gpu and "nccl" or "mpi", timeout = 20}
if gpu then assert(lu.get_device() == "cuda:" .. d.local_rank(), "not bound to its GPU: " .. lu.get_device()) end
local r, n = d.rank(), d.size()
local pass, fail = 0, 0

local function check(name, ok, detail)
  if ok then pass = pass + 1
  else
    fail = fail + 1
    io.stderr:write(string.format("rank %d FAIL %s %s\n", r, name, detail or ""))
  end
end

local function tbl_eq(a, b)
  if type(a) ~= "table" then
    if type(b) == "table" then return false end
    if type(a) == "userdata" or type(b) == "userdata" then return tostring(a) == tostring(b) end
    return a == b
  end
  if type(b) ~= "table" or #a ~= #b then return false end
  for i = 1, #a do if not tbl_eq(a[i], b[i]) then return false end end
  return true
end

-- the expected values as a lunar array of dtype dt made from a Lua table
local function expect(name, got, t, dt)
  local want = lu.array(t, dt)
  local ok = got ~= nil and got.dtype == dt and tbl_eq(got.shape, want.shape) and
             lu.array_equal(got, want)
  check(name, ok, ok or string.format("got %s, want %s", tostring(got), tostring(want)))
end

local function errtext(f, ...)
  local ok, e = pcall(f, ...)
  if ok then return nil end
  return tostring(e)
end

local function has(name, text, pat)
  local ok = text ~= nil and text:find(pat, 1, true) ~= nil
  check(name, ok, string.format("message %q lacks %q", tostring(text), pat))
end

local DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float16", "bfloat16", "float32", "float64", "complex64",
                "complex128"}
if quick then DTYPES = {"int32", "float32", "float64"} end
local M = 4   -- elements per rank's part

-- rank q's value at position i (0-based), as a Lua number
local function v(q, i) return q + 1 + i end
local function row(q) local t = {} for i = 0, M - 1 do t[i + 1] = v(q, i) end return t end
local function mine(dt) return lu.array(row(r), dt) end

local function kind(dt)
  if dt == "bool" then return "b" end
  if dt:find("complex") then return "c" end
  if dt:find("float") then return "f" end
  return "i"
end

-- the expected result of reducing row(q) over all ranks q by op
local function reduced(op, dt)
  local t = {}
  for i = 0, M - 1 do
    local acc
    for q = 0, n - 1 do
      local x = v(q, i)
      if dt == "bool" then x = true end
      if acc == nil then acc = x
      elseif dt == "bool" then acc = acc and x
      elseif op == "sum" or op == "avg" then acc = acc + x
      elseif op == "prod" then acc = acc * x
      elseif op == "min" then acc = math.min(acc, x)
      elseif op == "max" then acc = math.max(acc, x) end
    end
    if op == "avg" then acc = acc / n end
    t[i + 1] = acc
  end
  return t
end

local function can_reduce(op, dt)
  local k = kind(dt)
  if gpu then
    if dt == "int16" or dt == "uint16" then return false end
    if op == "avg" then return k == "f" or k == "c" end
    if k == "c" then return op == "sum" end
    return true
  end
  if dt == "float16" or dt == "bfloat16" then return false end
  if op == "avg" then return k == "f" or k == "c" end
  if k == "c" then return op == "sum" or op == "prod" end
  return true
end

-- values stay small enough for int8's prod: the product of (q+1+i) over
-- ranks is at most 4*5 = 20 for two ranks, 60 for three
local OPS = {"sum", "prod", "min", "max", "avg"}

for _, dt in ipairs(DTYPES) do
  -- {===== all_reduce
  for _, op in ipairs(OPS) do
    if can_reduce(op, dt) and not (op == "prod" and n > 3) then
      local a = mine(dt)
      local got = d.all_reduce(a, op)
      expect("all_reduce " .. op .. " " .. dt .. " in place", a, reduced(op, dt), dt)
      check("all_reduce returns its array " .. dt, got == a)
      local b = mine(dt)
      local c = d.all_reduce(b, {op = op, inplace = false})
      expect("all_reduce " .. op .. " " .. dt .. " new", c, reduced(op, dt), dt)
      expect("all_reduce inplace=false leaves a " .. dt, b, row(r), dt)
    elseif not (op == "prod" and n > 3) then
      local e = errtext(d.all_reduce, mine(dt), op)
      check("all_reduce " .. op .. " " .. dt .. " refused", e ~= nil, "no error")
    end
  end
  if can_reduce("sum", dt) then
    -- into out=, async, and through a strided view written back in place
    local o = lu.zeros({M}, dt)
    local h = d.all_reduce(mine(dt), {out = o, async = true})
    local got = h:wait()
    expect("all_reduce out= async " .. dt, o, reduced("sum", dt), dt)
    check("async wait returns out " .. dt, got ~= nil and lu.array_equal(got, o))
    check("is_completed after wait " .. dt, h:is_completed() == true)
    local big = lu.zeros({M, 2}, dt)
    big[{{}, 1}] = mine(dt)
    local view = big[{{}, 1}]
    d.all_reduce(view)
    local want = {}
    for i, x in ipairs(reduced("sum", dt)) do want[i] = {x, dt == "bool" and false or 0} end
    expect("all_reduce strided view " .. dt, big, want, dt)
  end
  -- }=====
  -- {===== broadcast, reduce
  local root = n - 1
  local a = mine(dt)
  d.broadcast(a, root)
  expect("broadcast " .. dt, a, row(root), dt)
  local b = d.broadcast(mine(dt), {src = 0, inplace = false})
  expect("broadcast new " .. dt, b, row(0), dt)
  if can_reduce("sum", dt) then
    local c = mine(dt)
    local got = d.reduce(c, root, "sum")
    if r == root then expect("reduce at root " .. dt, got, reduced("sum", dt), dt)
    else check("reduce away from root is nil " .. dt, got == nil) end
  end
  -- }=====
  -- {===== all_gather, gather, scatter
  local all = {}
  for q = 0, n - 1 do all[q + 1] = row(q) end
  expect("all_gather " .. dt, d.all_gather(mine(dt)), all, dt)
  local g = d.gather(mine(dt), 1 % n)
  if r == 1 % n then expect("gather at dst " .. dt, g, all, dt)
  else check("gather away from dst is nil " .. dt, g == nil) end
  local sc = d.scatter(r == 0 and lu.array(all, dt) or nil, 0)
  expect("scatter " .. dt, sc, row(r), dt)
  local so = lu.zeros({M}, dt)
  d.scatter(r == 0 and lu.array(all, dt) or nil, {src = 0, out = so})
  expect("scatter out= " .. dt, so, row(r), dt)
  -- }=====
  -- {===== reduce_scatter and all_to_all: rank q's block k is (q+1) + k*M + i
  local blocks = {}
  for k = 0, n - 1 do
    blocks[k + 1] = {}
    for i = 0, M - 1 do blocks[k + 1][i + 1] = (r + 1) + k * M + i end
  end
  if can_reduce("sum", dt) then
    local want = {}
    for i = 0, M - 1 do
      local s = 0
      for q = 0, n - 1 do s = s + (q + 1) + r * M + i end
      want[i + 1] = dt == "bool" and true or s
    end
    if dt == "bool" or (dt == "int8" and n > 3) or (dt == "uint8" and n > 3) then
      -- bool sums are logical or; the sums overflow int8 past 3 ranks
    else
      expect("reduce_scatter " .. dt, d.reduce_scatter(lu.array(blocks, dt)), want, dt)
    end
  end
  local want = {}
  for q = 0, n - 1 do
    want[q + 1] = {}
    for i = 0, M - 1 do want[q + 1][i + 1] = (q + 1) + r * M + i end
  end
  if dt ~= "bool" then
    expect("all_to_all " .. dt, d.all_to_all(lu.array(blocks, dt)), want, dt)
  end
  -- }=====
  -- {===== send, recv: a ring, rank r to r+1. Even ranks send first, odd
  -- ranks receive first: on GPUs sends and receives are stream-ordered,
  -- and a ring where every rank sends first would wait for ever
  if n > 1 then
    local to, from = (r + 1) % n, (r - 1) % n
    local even = r % 2 == 0
    local got
    if even then
      local hs = d.send(mine(dt), to, {async = true, tag = 7})
      got = d.recv(from, {tag = 7})
      hs:wait()
    else
      got = d.recv(from, {tag = 7})
      d.send(mine(dt), to, {tag = 7})
    end
    expect("send/recv " .. dt, got, row(from), dt)
    local into = lu.zeros({M}, dt)
    if even then
      d.send(mine(dt), to)
      local back = d.recv(into, from)
      check("recv into returns its array " .. dt, back == into)
    else
      local h2 = d.recv(into, from, {async = true})
      d.send(mine(dt), to)
      h2:wait()
    end
    expect("recv into " .. dt, into, row(from), dt)
  end
  -- }=====
end

-- {===== a 2-d array, a transposed one, an empty one
do
  local a = lu.arange(6, {dtype = "float64"}):reshape(2, 3) + r
  local t = a.T
  d.all_reduce(t, "max")
  local want = {}
  for i = 0, 1 do
    want[i + 1] = {}
    for j = 0, 2 do want[i + 1][j + 1] = i * 3 + j + (n - 1) end
  end
  expect("all_reduce max transposed view", a, want, "float64")
  local e = lu.zeros({0}, "float32")
  expect("all_reduce of an empty array", d.all_reduce(e), {}, "float32")
  expect("all_gather of a 0-d array", d.all_gather(lu.array(r + 0.5)),
         (function() local t2 = {} for q = 0, n - 1 do t2[q + 1] = q + 0.5 end return t2 end)(),
         "float64")
end
-- }=====

-- {===== mistakes: every rank raises the same error, and the group stays usable
do
  local e = errtext(d.all_reduce, lu.zeros({r == 0 and 2 or 3}, "int64"))
  has("shape mismatch", e, "dist.all_reduce: the ranks disagree: rank 0 called all_reduce(sum) of int64 (2,) on " .. ON .. ", rank 1 called all_reduce(sum) of int64 (3,) on " .. ON .. "")
  e = errtext(d.all_reduce, lu.zeros({2}, r == 0 and "float32" or "float64"))
  has("dtype mismatch", e, "rank 0 called all_reduce(sum) of float32 (2,) on " .. ON .. ", rank 1 called all_reduce(sum) of float64 (2,) on " .. ON .. "")
  e = errtext(r == 0 and d.all_reduce or d.all_gather, lu.zeros({2}))
  has("op mismatch", e, "rank 0 called all_reduce(sum) of float64 (2,) on " .. ON .. ", rank 1 called all_gather of float64 (2,) on " .. ON .. "")
  e = errtext(d.all_reduce, lu.zeros({2}), r == 0 and "sum" or "max")
  has("reduction mismatch", e, "rank 0 called all_reduce(sum)")
  has("reduction mismatch 2", e, "rank 1 called all_reduce(max)")
  e = errtext(d.broadcast, lu.zeros({2}), r == 0 and 0 or 1)
  has("root mismatch", e, "rank 0 called broadcast with root 0 of float64 (2,) on " .. ON .. ", rank 1 called broadcast with root 1")
  e = errtext(d.all_reduce, lu.zeros({2}), {out = lu.zeros({r == 1 and 3 or 2})})
  if r == 1 then has("out= mismatch on one rank", e, "dist.all_reduce: out has shape (3,) but the result has shape (2,)")
  else has("out= mismatch seen by the others", e, "dist.all_reduce: rank 1 could not take part (its own message says why)") end
  if gpu then
    e = errtext(d.all_reduce, lu.zeros({2}, "int16"))
    has("int16 reduction", e, "dist.all_reduce: NCCL cannot reduce int16 arrays by sum (cast them, e.g. to float32 or int32)")
  else
    e = errtext(d.all_reduce, lu.zeros({2}, "float16"))
    has("float16 reduction", e, "dist.all_reduce: MPI cannot reduce float16 arrays (cast them to float32)")
  end
  e = errtext(d.all_reduce, lu.zeros({2}, "int32"), "avg")
  has("avg of ints", e, "dist.all_reduce: avg needs a float or complex dtype, got int32 (use sum)")
  e = errtext(d.all_reduce, lu.zeros({2}, "complex64"), "max")
  has("max of complex", e, "dist.all_reduce: max of complex64 is not supported by " .. LIB)
  e = errtext(d.reduce_scatter, lu.zeros({n + 1, 2}))
  has("reduce_scatter first axis", e, string.format("dist.reduce_scatter: the array must have a first axis of length size() = %d, got shape (%d,2)", n, n + 1))
  e = errtext(d.scatter, r == 0 and lu.zeros({n + 1}) or nil, 0)
  has("scatter root shape", e, string.format("dist.scatter: the root's array must have a first axis of length size() = %d, got shape (%d,)", n, n + 1))
  e = errtext(d.all_reduce, lu.zeros({2}), "mean")
  has("unknown op", e, "op must be 'sum', 'prod', 'min', 'max' or 'avg', got 'mean'")
  e = errtext(d.broadcast, lu.zeros({2}), n)
  has("root out of range", e, string.format("dist.broadcast: root %d is not a rank (0 .. %d)", n, n - 1))
  e = errtext(d.all_reduce, lu.zeros({2}), {bogus = 1})
  has("unknown option", e, "bogus")
  e = errtext(d.send, lu.zeros({2}), r)
  has("send to self", e, string.format("dist.send: peer %d is this rank", r))
  e = errtext(d.init)
  has("init twice", e, "dist.init: the process group is already initialised")
  if n > 1 then
    local to, from = (r + 1) % n, (r - 1) % n
    local function recv_wrong() return errtext(d.recv, lu.zeros({2}, "int16"), from) end
    if r % 2 == 0 then
      d.send(lu.zeros({3}, "int16"), to)
      e = recv_wrong()
    else
      e = recv_wrong()
      d.send(lu.zeros({3}, "int16"), to)
    end
    has("recv into a wrong shape", e, string.format("dist.recv: rank %d sent send with peer %d of int16 (3,) on " .. ON .. " but the array to receive into on rank %d is int16 (2,)", from, r, r))
  end
  -- the group still works
  local a = lu.array({1}, "int64")
  d.all_reduce(a)
  expect("usable after the mistakes", a, {n}, "int64")
end
-- }=====

d.barrier()
print(string.format("distrank %d: %d passed, %d failed", r, pass, fail))
d.finalize()
