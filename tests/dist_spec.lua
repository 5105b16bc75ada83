-- SPDX-License-Identifier: MIT
-- lunar.dist in one process: the group of one ("self"), in which every
-- collective is a copy, on every device; the arguments' errors; the docs.
-- Several processes: tests/dist/run.sh (mpirun, CPU ranks) and, on a GPU
-- machine, `lunar -n 2 tests/dist/collectives.lua gpu`.
local lu = require "lunar"
local h = require "tests.helper"
local d = lu.dist

local function same(a, t, dt)
  return lu.array_equal(a, lu.array(t, {dtype = dt, device = a.device})) and a.dtype == dt
end

describe("lunar.dist before init", function()
  it("says that init comes first", function()
    assert.is_false(d.is_initialized())
    assert.matches("lunar.dist.rank: the process group is not initialised %(call dist.init first%)",
                   h.err_of(d.rank))
    assert.matches("dist.all_reduce: the process group is not initialised",
                   h.err_of(d.all_reduce, lu.zeros{2}))
    assert.matches("dist.barrier: the process group is not initialised", h.err_of(d.barrier))
  end)
  it("checks init's options", function()
    assert.matches("dist.init: backend must be 'auto', 'nccl' or 'mpi', got 'gloo'",
                   h.err_of(d.init, {backend = "gloo"}))
    assert.matches("dist.init: method must be 'mpi', 'env' or 'file://PATH', got 'tcp'",
                   h.err_of(d.init, {method = "tcp"}))
    assert.matches("timeout must be a positive number of seconds", h.err_of(d.init, {timeout = -1}))
    assert.matches("bogus", h.err_of(d.init, {bogus = 1}))
    assert.is_false(d.is_initialized())
  end)
  it("says what env needs", function()
    if os.getenv("LUNAR_RANK") then return end
    assert.matches("dist.init: method 'env' needs LUNAR_RANK %(0 .. size%-1%) and LUNAR_WORLD_SIZE",
                   h.err_of(d.init, {method = "env"}))
  end)
end)

describe("lunar.dist in a group of one", function()
  if os.getenv("LUNAR_RANK") or os.getenv("OMPI_COMM_WORLD_SIZE") then return end
  setup(function() assert.equal("self", d.init()) end)
  teardown(function() if d.is_initialized() then d.finalize() end end)

  it("has one rank", function()
    assert.equal(0, d.rank())
    assert.equal(1, d.size())
    assert.equal(0, d.local_rank())
    assert.equal(1, d.local_size())
    assert.equal("self", d.backend())
    assert.is_true(d.is_initialized())
    d.barrier()
    assert.matches("dist.init: the process group is already initialised", h.err_of(d.init))
    assert.matches("takes no arguments", h.err_of(d.rank, 1))
  end)

  for _, dev in ipairs(lu.devices()) do
    describe("on " .. dev, function()
      local function arr(t, dt) return lu.array(t, {dtype = dt or "float32", device = dev}) end
      it("all_reduce is the array itself, in place or not", function()
        for _, dt in ipairs{"bool", "int8", "int64", "uint16", "float16", "float64", "complex64"} do
          local a = arr({1, 0, 3}, dt)
          assert.equal(a, d.all_reduce(a))
          assert.is_true(same(a, {1, 0, 3}, dt))
          -- NCCL has no product of complex numbers; a group of one says so
          -- as a larger group would
          local op = "prod"
          if dt == "complex64" and dev ~= "cpu" then
            assert.matches("dist.all_reduce: prod of complex64 is not supported by NCCL",
                           h.err_of(d.all_reduce, a, {op = "prod", inplace = false}))
            op = "sum"
          end
          local b = d.all_reduce(a, {op = op, inplace = false})
          assert.is_true(b ~= a and same(b, {1, 0, 3}, dt))
          local o = lu.zeros({3}, {dtype = dt, device = dev})
          assert.equal(o, d.all_reduce(a, {out = o}))
          assert.is_true(same(o, {1, 0, 3}, dt))
        end
        local v = arr({2, 4}, "float64")
        d.all_reduce(v, "avg")
        assert.is_true(same(v, {2, 4}, "float64"))
      end)
      it("writes a strided view back", function()
        local m = arr({{1, 2}, {3, 4}})
        d.all_reduce(m.T)
        d.broadcast(m[{{}, 2}], 0)
        assert.is_true(same(m, {{1, 2}, {3, 4}}, "float32"))
      end)
      it("stacks and splits by one rank", function()
        local a = arr({1, 2, 3}, "int32")
        assert.is_true(same(d.all_gather(a), {{1, 2, 3}}, "int32"))
        assert.is_true(same(d.gather(a, 0), {{1, 2, 3}}, "int32"))
        assert.is_true(same(d.scatter(arr({{5, 6}}, "int16"), 0), {5, 6}, "int16"))
        assert.is_true(same(d.reduce_scatter(arr({{5, 6}})), {5, 6}, "float32"))
        assert.is_true(same(d.all_to_all(arr({{5, 6}})), {{5, 6}}, "float32"))
        assert.is_true(same(d.reduce(arr({7}), 0, "prod"), {7}, "float32"))
        assert.is_true(same(d.all_gather(arr(2.5, "float64")), {2.5}, "float64"))
      end)
      it("gives async handles", function()
        local w = d.all_reduce(arr({1, 2}), {async = true})
        assert.is_true(same(w:wait(), {1, 2}, "float32"))
        assert.is_true(w:is_completed())
        assert.is_true(same(w:wait(), {1, 2}, "float32"))
        local g = d.all_gather(arr({3}), {async = true})
        assert.is_true(same(g:wait(), {{3}}, "float32"))
      end)
      it("names the mistakes", function()
        assert.matches("dist.all_reduce: avg needs a float or complex dtype, got int32 %(use sum%)",
                       h.err_of(d.all_reduce, arr({1}, "int32"), "avg"))
        assert.matches("dist.all_reduce: max of complex64 is not supported",
                       h.err_of(d.all_reduce, arr({1}, "complex64"), "max"))
        assert.matches("op must be 'sum', 'prod', 'min', 'max' or 'avg', got 'mean'",
                       h.err_of(d.all_reduce, arr({1}), "mean"))
        assert.matches("dist.all_reduce: out has shape %(3,%) but the result has shape %(2,%)",
                       h.err_of(d.all_reduce, arr({1, 2}), {out = arr({0, 0, 0})}))
        assert.matches("dist.all_reduce: out has dtype float64 but the result is float32",
                       h.err_of(d.all_reduce, arr({1, 2}), {out = arr({0, 0}, "float64")}))
        assert.matches("dist.broadcast: root 1 is not a rank %(0 .. 0%)",
                       h.err_of(d.broadcast, arr({1}), 1))
        assert.matches("dist.reduce_scatter: the array must have a first axis of length size%(%) = 1, got shape %(2,%)",
                       h.err_of(d.reduce_scatter, arr({1, 2})))
        assert.matches("dist.scatter: the root's array must have a first axis of length size%(%) = 1, got shape %(3,%)",
                       h.err_of(d.scatter, arr({1, 2, 3}), 0))
        assert.matches("dist.send: peer 0 is this rank", h.err_of(d.send, arr({1}), 0))
        assert.matches("lunar.dist.send: dst %(a rank%) is required", h.err_of(d.send, arr({1})))
        assert.matches("lunar.dist.recv: src %(a rank%) is required", h.err_of(d.recv))
        assert.matches("tag must be in 0 .. 16383, got %-1", h.err_of(d.send, arr({1}), 0, {tag = -1}))
        assert.matches("inplace is not an option of lunar.dist.reduce_scatter",
                       h.err_of(d.reduce_scatter, arr({{1}}), {inplace = true}))
        assert.matches("unexpected argument", h.err_of(d.all_gather, arr({1}), 3))
        -- the group is still there
        assert.equal(1, d.size())
      end)
    end)
  end

  it("ends with finalize", function()
    d.finalize()
    assert.is_false(d.is_initialized())
    assert.matches("lunar.dist.size: the process group is not initialised", h.err_of(d.size))
    assert.equal("self", d.init())
  end)
end)
-- every public name's doc entry: tests/help_spec.lua walks lunar.dist too
