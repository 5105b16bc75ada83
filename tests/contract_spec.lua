-- SPDX-License-Identifier: MIT
-- Products and contractions: einsum (both forms, paths, out=, dtype=),
-- tensordot, dot, matmul's out= and dtype=, inner, outer, kron, vdot,
-- vecdot, matvec, vecmat. What the differential suite cannot show (out=,
-- the path, argument errors) and the error texts. Expected values are
-- written by hand or computed here in plain Lua, never with lunar.
local lu = rawget(_G, "lunar") or require "lunar"
local err_of = require("tests.helper").err_of

for _, dev in ipairs(lu.devices()) do
describe("contractions on " .. dev, function()
  local function A(t, dt) return lu.array(t, {dtype = dt, device = dev}) end

  describe("einsum", function()
    it("matrix products, traces, diagonals, transposes", function()
      local a, b = A{{1, 2, 3}, {4, 5, 6}}, A{{1, 0}, {0, 1}, {1, 1}}
      assert.are.same({{4, 5}, {10, 11}}, lu.einsum("ij,jk->ik", a, b):totable())
      assert.are.same({{4, 5}, {10, 11}}, lu.einsum("ij,jk", a, b):totable())
      assert.are.same({{4, 10}, {5, 11}}, lu.einsum("ij,jk->ki", a, b):totable())
      local sq = A{{1, 2}, {3, 4}}
      assert.are.equal(5, lu.einsum("ii", sq):item())
      assert.are.same({1, 4}, lu.einsum("ii->i", sq):totable())
      assert.are.same({{1, 3}, {2, 4}}, lu.einsum("ji", sq):totable())
      assert.are.same({14, 77}, lu.einsum("ij,ij->i", a, a):totable())
      assert.are.equal(21, lu.einsum("ij->", a):item())
      assert.are.same({{2, 4, 6}, {8, 10, 12}}, lu.einsum(",ij->ij", A(2), a):totable())
    end)
    it("ellipses broadcast, length-1 axes broadcast", function()
      local x = lu.ones({2, 3, 4}, {device = dev})
      local y = lu.ones({3, 4}, {device = dev})
      local r = lu.einsum("...i,...i", x, y)
      assert.are.same({2, 3}, r.shape)
      assert.are.same({{4, 4, 4}, {4, 4, 4}}, r:totable())
      assert.are.same({{1, 2}, {2, 4}}, lu.einsum("ij,ij->ij", A{{1, 2}}, A{{1, 1}, {2, 2}}):totable())
    end)
    it("the interleaved form", function()
      local a, b = A{{1, 2}, {3, 4}}, A{{1, 1}, {0, 1}}
      assert.are.same({{1, 3}, {3, 7}}, lu.einsum(a, {1, 2}, b, {2, 3}, {1, 3}):totable())
      assert.are.same({{1, 3}, {3, 7}}, lu.einsum(a, {27, 28}, b, {28, 29}):totable())
      assert.are.same({3, 7}, lu.einsum(a, {"...", 1}):sum(2):totable())
    end)
    it("stays in the dtype: integers wrap, bool is or-of-and", function()
      local u = A({200, 100}, "uint8")
      local r = lu.einsum("i,i", u, A({1, 1}, "uint8"))
      assert.are.equal("uint8", r.dtype)
      assert.are.equal(44, r:item())          -- 300 mod 256
      local t = lu.einsum("ij,jk", A({{true, false}, {false, false}}, "bool"),
                          A({{true}, {true}}, "bool"))
      assert.are.equal("bool", t.dtype)
      assert.are.same({{true}, {false}}, t:totable())
      assert.are.equal("float32", lu.einsum("i,i", A({1, 2}, "float32"), A({1, 2}, "int8")).dtype)
    end)
    it("dtype=, casting=, out=", function()
      local a = A{{1, 2}, {3, 4}}
      assert.are.equal("float64", lu.einsum("ij,jk", a, a, {dtype = "float64"}).dtype)
      local o = lu.zeros({2, 2}, {device = dev})
      local r = lu.einsum("ij,jk", a, a, {out = o})
      assert.are.equal(o, r)
      assert.are.same({{7, 10}, {15, 22}}, o:totable())
      assert.are.same({{1, 2}, {3, 4}}, lu.einsum("ij", A{{1.5, 2.5}, {3.5, 4.5}},
        {dtype = "int8", casting = "unsafe"}):totable())
    end)
    it("a chain: the greedy order and its path", function()
      local p, report = lu.einsum_path("ij,jk,kl->il", lu.ones({2, 3}, {device = dev}),
                                       lu.ones({3, 4}, {device = dev}), lu.ones({4, 5}, {device = dev}))
      assert.are.same({"einsum_path", {2, 3}, {1, 2}}, p)
      assert.is_truthy(report:find("Complete contraction:  ij,jk,kl->il", 1, true))
      assert.are.same({"einsum_path", {1}}, (lu.einsum_path("ii", lu.ones({2, 2}, {device = dev}))))
      local r = lu.einsum("ij,jk,kl->il", lu.ones({2, 3}, {device = dev}), lu.ones({3, 4}, {device = dev}),
                          lu.ones({4, 5}, {device = dev}))
      assert.are.same({2, 5}, r.shape)
      assert.are.equal(12, r:totable()[1][1])
    end)
    it("row-wise dot products: long rows, many rows (a dot per row, in parallel)", function()
      for _, dims in ipairs{{2, 3000}, {300, 1000}} do
        local m, n = dims[1], dims[2]
        local t1, t2, want = {}, {}, {}
        for j = 1, n do t1[j], t2[j] = {}, {} end
        for i = 1, m do
          want[i] = 0
          for j = 1, n do
            local u, v = (i + j) % 7, (i * 3 + j) % 11
            t1[j][i], t2[j][i] = u, v
            want[i] = want[i] + u * v
          end
        end
        for _, dt in ipairs{"float64", "float32", "int32"} do
          local a, b = A(t1, dt).T, A(t2, dt).T          -- (m, n) views, transposed
          assert.are.same(want, lu.einsum("ij,ij->i", a, b):totable())
          assert.are.same(want, lu.einsum("ij,ij->i", a:copy(), b):totable())
          assert.are.same(want, lu.vecdot(a, b:copy()):totable())
        end
      end
    end)
    it("errors", function()
      local a = A{{1, 2, 3}, {4, 5, 6}}
      assert.are.equal("einsum: operands could not be broadcast together: the axis 'j' has length 3 in operand 1 and 2 in operand 2",
                       err_of(lu.einsum, "ij,jk", a, a))
      assert.are.equal("einsum: dimensions in operand 1 for collapsing index 'i' don't match (2 != 3)",
                       err_of(lu.einsum, "ii", a))
      assert.are.equal("einsum: invalid subscript '$' in the subscripts string, subscripts must be letters",
                       err_of(lu.einsum, "i$", a))
      assert.are.equal("einsum: operand 1 has more dimensions (2) than subscripts given (1), but no '...' ellipsis provided to broadcast the extra dimensions",
                       err_of(lu.einsum, "i", a))
      assert.are.equal("einsum: subscripts string contains too many subscripts (3) for operand 1 of dimension 2",
                       err_of(lu.einsum, "ijk", a))
      assert.are.equal("einsum: fewer operands provided to einsum than specified in the subscripts string",
                       err_of(lu.einsum, "ij,jk", a))
      assert.are.equal("einsum: more operands provided to einsum (2) than specified in the subscripts string (1)",
                       err_of(lu.einsum, "ij", a, a))
      assert.are.equal("einsum: output subscript 'k' does not appear in an input", err_of(lu.einsum, "ij->k", a))
      assert.are.equal("einsum: output subscript 'i' appears more than once", err_of(lu.einsum, "ij->ii", a))
      assert.are.equal("einsum: output has more dimensions than subscripts given, but no '...' ellipsis provided to broadcast the extra dimensions",
                       err_of(lu.einsum, "...j->j", a))
      assert.are.equal("einsum: subscripts string contains a '.' that is not part of an ellipsis ('...') in operand 1",
                       err_of(lu.einsum, "i.", a))
      assert.are.equal("einsum: subscripts string does not contain a proper '->' output specification",
                       err_of(lu.einsum, "ij-j", a))
      assert.are.equal("einsum: cannot cast operand 1 from int64 to int8 according to the rule 'safe'",
                       err_of(lu.einsum, "ij", a, {dtype = "int8"}))
      assert.are.equal("lunar.einsum: bad argument #3 (casting must be one of 'no', 'equiv', 'safe', 'same_kind' or 'unsafe', got 'x')",
                       err_of(lu.einsum, "ij", a, {casting = "x"}))
      assert.are.equal("lunar.einsum: bad argument #3 (unknown option 'axis')", err_of(lu.einsum, "ij", a, {axis = 1}))
      assert.are.equal("lunar.einsum: bad argument #4 (sublist labels must be integers from 1 to 52 or '...')",
                       err_of(lu.einsum, a, {1, 2}, a, {0, 1}))
      assert.are.equal("lunar.einsum: bad argument #4 (out has shape (3,3), the result has shape (2,2))",
                       err_of(lu.einsum, "ij,kj", a, a, {out = lu.zeros({3, 3}, {device = dev})}))
    end)
  end)

  describe("tensordot and dot", function()
    it("values", function()
      local a = A{{1, 2}, {3, 4}}
      assert.are.equal(30, lu.tensordot(a, a):item())
      assert.are.same({{7, 10}, {15, 22}}, lu.tensordot(a, a, 1):totable())
      assert.are.same({{1, 2, 3, 4}, {2, 4, 6, 8}, {3, 6, 9, 12}, {4, 8, 12, 16}},
                      lu.tensordot(a, a, 0):reshape(4, 4):totable())
      assert.are.same({{10, 14}, {14, 20}}, lu.tensordot(a, a, {1, 1}):totable())
      assert.are.same({{5, 11}, {11, 25}}, lu.linalg.tensordot(a, a, {{2}, {2}}):totable())
      assert.are.same({{5, 11}, {11, 25}}, lu.tensordot(a, a, {axes = {-1, -1}}):totable())
      assert.are.equal(11, lu.dot(A{1, 2}, A{3, 4}):item())
      assert.are.same({{2, 4}, {6, 8}}, lu.dot(a, A(2)):totable())
      assert.are.same({{7, 10}, {15, 22}}, a:dot(a):totable())
      local x = lu.ones({2, 3, 4}, {device = dev})
      assert.are.same({2, 3, 5, 6}, lu.dot(x, lu.ones({5, 4, 6}, {device = dev})).shape)
      local o = lu.zeros({2, 2}, {device = dev})
      assert.are.equal(o, lu.dot(a, a, o))
      assert.are.same({{7, 10}, {15, 22}}, o:totable())
    end)
    it("errors", function()
      local a = A{{1, 2, 3}, {4, 5, 6}}
      assert.are.equal("tensordot: shape-mismatch for sum: axis 2 of a has length 3, axis 1 of b has length 2",
                       err_of(lu.tensordot, a, a, 1))
      assert.are.equal("lunar.tensordot: bad argument #3 (shape-mismatch for sum: 2 axes of a and 1 of b)",
                       err_of(lu.tensordot, a, a, {{1, 2}, {1}}))
      assert.are.equal("lunar.tensordot: bad argument #3 (axes 3 is more than the dimensions of a (2) or b (2))",
                       err_of(lu.tensordot, a, a, 3))
      assert.are.equal("lunar.tensordot: bad argument #3 (axis 3 is out of bounds for array of dimension 2)",
                       err_of(lu.tensordot, a, a, {3, 1}))
      assert.are.equal("tensordot: an axis is summed over more than once", err_of(lu.tensordot, a, a, {{1, 1}, {1, 2}}))
      assert.are.equal("dot: shapes (2,3) and (2,3) not aligned: 3 (dim 2) != 2 (dim 1)", err_of(lu.dot, a, a))
      assert.are.equal("inner: shapes (2,3) and (3,2) not aligned: 3 (dim 2) != 2 (dim 2)",
                       err_of(lu.inner, a, a.T))
      assert.are.equal("vdot: the arrays must have the same number of elements, got 6 and 2",
                       err_of(lu.vdot, a, A{1, 2}))
    end)
  end)

  describe("matmul's out and dtype", function()
    it("values and errors", function()
      local a = A{{1, 2}, {3, 4}}
      local r = lu.matmul(a, a, nil, {dtype = "float32"})
      assert.are.equal("float32", r.dtype)
      assert.are.same({{7, 10}, {15, 22}}, r:totable())
      local o = lu.zeros({2, 2}, {device = dev})
      assert.are.equal(o, lu.matmul(a, a, o))
      assert.are.same({{7, 10}, {15, 22}}, o:totable())
      assert.are.equal(o, a:matmul(a, {out = o}))
      assert.are.equal("lunar.matmul: bad argument #3 (cannot cast the result from float64 to out's int64 according to the rule 'same_kind')",
                       err_of(lu.matmul, A{{1.5}}, A{{2.0}}, lu.zeros({1, 1}, {dtype = "int64", device = dev})))
      assert.are.equal("lunar.matmul: bad argument #4 (cannot cast operand 1 from float64 to int32 according to the rule 'same_kind')",
                       err_of(lu.matmul, A{{1.5}}, A{{2.0}}, nil, {dtype = "int32"}))
    end)

    -- out of the result's dtype is written in place; one that aliases an
    -- operand, is not contiguous or is of another dtype takes a copy; the
    -- expected values are written by hand
    it("writes into out, or copies where out aliases an operand or is strided", function()
      local a = A({{1, 2}, {3, 4}}, "float64")
      local o = lu.zeros({2, 2}, {device = dev})
      local v = o:reshape(4)              -- a view of o's buffer
      assert.are.equal(o, lu.matmul(a, A({{1, 0}, {0, 1}}, "float64"), o))
      assert.are.same({1, 2, 3, 4}, v:totable())
      local b = A({{1, 1}, {0, 1}}, "float64")
      assert.are.equal(b, lu.matmul(a, b, b))          -- out is the second operand
      assert.are.same({{1, 3}, {3, 7}}, b:totable())
      local c = A({{1, 1}, {0, 1}}, "float64")
      assert.are.equal(c, lu.matmul(c, a, c))          -- out is the first operand
      assert.are.same({{4, 6}, {3, 4}}, c:totable())
      local big = lu.zeros({2, 4}, {device = dev})
      local s = big[{{}, {1, 4, 2}}]                    -- columns 1 and 3: strided
      assert.are.equal(s, lu.matmul(a, a, s))
      assert.are.same({{7, 0, 10, 0}, {15, 0, 22, 0}}, big:totable())
      local o32 = lu.zeros({2, 2}, {dtype = "float32", device = dev})
      assert.are.equal(o32, lu.matmul(a, a, o32))
      assert.are.same({{7, 10}, {15, 22}}, o32:totable())
      local st = lu.zeros({3, 2, 2}, {device = dev})
      local sa = lu.stack({a, a * 2, a * 0})
      assert.are.equal(st, lu.matmul(sa, a, st))
      assert.are.same({{{7, 10}, {15, 22}}, {{14, 20}, {30, 44}}, {{0, 0}, {0, 0}}}, st:totable())
      assert.are.equal("lunar.matmul: bad argument #3 (out has shape (3,2), the result has shape (2,2))",
                       err_of(lu.matmul, a, a, lu.zeros({3, 2}, {device = dev})))
    end)
  end)

  describe("inner, outer, kron, vdot, vecdot, matvec, vecmat", function()
    it("values", function()
      local a = A{{1, 2}, {3, 4}}
      assert.are.same({{5, 11}, {11, 25}}, lu.inner(a, a):totable())
      assert.are.same({{3, 4}, {6, 8}}, lu.outer(A{1, 2}, A{3, 4}):totable())
      assert.are.same({{1, 2, 3, 4}, {3, 6, 9, 12}, {2, 4, 6, 8}, {4, 8, 12, 16}},
                      lu.outer(a.T, a):totable())
      assert.are.same({{0, 1, 0, 2}, {1, 0, 2, 0}, {0, 3, 0, 4}, {3, 0, 4, 0}},
                      lu.kron(a, A{{0, 1}, {1, 0}}):totable())
      assert.are.same({{1, 2, 2, 4}}, lu.kron(A{1, 2}, A{{1, 2}}):totable())
      assert.are.equal(30, lu.vdot(a, a):item())
      assert.are.same({5, 25}, lu.vecdot(a, a):totable())
      assert.are.same({10, 20}, lu.vecdot(a, a, nil, {axis = 1}):totable())
      assert.are.same({3, 7}, lu.matvec(a, A{1, 1}):totable())
      assert.are.same({4, 6}, lu.vecmat(A{1, 1}, a):totable())
    end)
    it("errors", function()
      local a = A{{1, 2, 3}, {4, 5, 6}}
      assert.are.equal("vecdot: the core dimension n of the signature (n),(n)->() has length 3 in operand 1 and 2 in operand 2",
                       err_of(lu.vecdot, a, A{1, 2}))
      assert.are.equal("vecdot: axis 3 is out of bounds for array of dimension 2", err_of(lu.vecdot, a, a, nil, {axis = 3}))
      assert.are.equal("matvec: operand 1 does not have enough dimensions (has 1, the signature (m,n),(n)->(m) needs 2)",
                       err_of(lu.matvec, A{1, 2}, A{1, 2}))
      assert.are.equal("vecmat: the core dimension n of the signature (n),(n,m)->(m) has length 3 in operand 1 and 2 in operand 2",
                       err_of(lu.vecmat, A{1, 2, 3}, a))
    end)
  end)
end)
end
