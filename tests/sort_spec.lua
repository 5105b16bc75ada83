-- SPDX-License-Identifier: MIT
-- The sort family: sorting and searching, sets and counting, histograms,
-- scans and differences, order statistics. Behaviour the differential
-- suite cannot show (in-place methods, stability on long rows, the
-- defining property of partition, PyTorch's cummax), the error texts, and
-- large inputs that take the multi-threaded and GPU paths. Expected values
-- are written by hand or computed here in plain Lua, never with lunar.
local lu = rawget(_G, "lunar") or require "lunar"
local err_of = require("tests.helper").err_of

local nan = 0 / 0

-- a deterministic stream of integers in [0, m)
local function lcg(seed)
  local x = seed
  return function(m)
    x = (x * 1103515245 + 12345) % 2147483648
    return x % m
  end
end

local flat = require("tests.helper").leaves

-- NumPy's order in plain Lua: NaN last
local function before(a, b)
  if type(a) == "boolean" then return not a and b end
  if a ~= a then return false end
  if b ~= b then return true end
  return a < b
end

local function sorted_copy(t)
  local c = {}
  for i, v in ipairs(t) do c[i] = v end
  table.sort(c, before)
  return c
end

local function same_value(a, b)
  if a ~= a then return b ~= b end
  return a == b
end

-- partition's defining property: the kth element is where a full sort puts
-- it, nothing before it is greater, nothing after it is smaller
local function check(vals, part, k)
  local want = sorted_copy(vals)
  assert(same_value(want[k], part[k]), ("kth %d: expected %s, got %s"):format(k, want[k], part[k]))
  for i = 1, #part do
    if i < k then assert(not before(part[k], part[i]), "element before kth is greater")
    elseif i > k then assert(not before(part[i], part[k]), "element after kth is smaller") end
  end
  table.sort(part, before)
  for i = 1, #want do assert(same_value(want[i], part[i]), "not a permutation") end
end

local ALL = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
             "float32", "float64"}

for _, dev in ipairs(lu.devices()) do
describe("sort family on " .. dev, function()
  local function A(t, dt) return lu.array(t, {dtype = dt, device = dev}) end

  describe("sort and argsort", function()
    it("sort ascending, NaN last, along the last axis by default", function()
      local a = A{{3, nan, 1}, {2, 0, -1}}
      local s = lu.sort(a):totable()
      assert.are.same({1, 3}, {s[1][1], s[1][2]})
      assert.is_true(s[1][3] ~= s[1][3])
      assert.are.same({-1, 0, 2}, s[2])
      local s1 = lu.sort(a, 1):totable()
      assert.are.same({2, 0, -1}, s1[1])
      assert.are.same({3, 1}, {s1[2][1], s1[2][3]})
      assert.is_true(s1[2][2] ~= s1[2][2])
    end)
    it("argsort is stable and 1-based", function()
      assert.are.same({2, 4, 1, 3, 5}, lu.argsort(A{2, 1, 2, 1, 3}):totable())
      assert.are.same({{2, 1}, {1, 2}}, lu.argsort(A{{5, 1}, {3, 4}}, 1):totable())
    end)
    it("axis=false (NumPy's None) flattens", function()
      assert.are.same({1, 2, 3, 4}, lu.sort(A{{4, 2}, {3, 1}}, false):totable())
      assert.are.same({4, 2, 3, 1}, lu.argsort(A{{4, 2}, {3, 1}}, {axis = false}):totable())
    end)
    it("-0.0 and 0.0 are equal: a stable sort keeps their order", function()
      local s = lu.sort(A{0.0, -0.0, 0.0, -1.0}):totable()
      assert.are.same({-1, 0, 0, 0}, s)
      assert.are.same({math.huge, -math.huge, math.huge}, {1 / s[2], 1 / s[3], 1 / s[4]})
      assert.are.same({4, 1, 2, 3}, lu.argsort(A{0.0, -0.0, 0.0, -1.0}):totable())
    end)
    it("a:sort() sorts in place and returns the array, as NumPy's method", function()
      local a = A{3, 1, 2}
      local r = a:sort()
      assert.are.equal(a, r)
      assert.are.same({1, 2, 3}, a:totable())
      local m = A{{3, 1}, {0, 2}}
      m.T:sort()           -- through a view
      assert.are.same({{0, 1}, {3, 2}}, m:totable())
    end)
    it("accepts NumPy's kinds and says every sort is stable", function()
      for _, k in ipairs{"quicksort", "mergesort", "heapsort", "stable"} do
        assert.are.same({1, 2}, lu.sort(A{2, 1}, -1, k):totable())
      end
      assert.are.same({1, 2}, lu.argsort(A{1, 1}, {stable = false}):totable())
      assert.are.same({1, 2}, lu.argsort(A{1, 1}, {kind = "quicksort"}):totable())
    end)
    it("long rows: sorted, and equal keys in input order", function()
      for _, dt in ipairs{"int8", "uint16", "int32", "float32", "float64", "int64"} do
        local r = lcg(7)
        local n, t = 5000, {}
        for i = 1, n do t[i] = r(50) - (dt:match("^u") and 0 or 20) end
        local a = A(t, dt)
        local idx = lu.argsort(a):totable()
        local s = lu.sort(a):totable()
        for i = 2, n do
          assert(s[i - 1] <= s[i], dt .. ": not sorted at " .. i)
          local x, y = t[idx[i - 1]], t[idx[i]]
          assert(x < y or (x == y and idx[i - 1] < idx[i]), dt .. ": not stable at " .. i)
        end
      end
    end)
    it("2^22 integer keys: the GPU sorts only the bits that differ, in the full sort's order", function()
      local n = 4194304
      local i = lu.arange(n, {dtype = "int64", device = dev})
      local perm = (i * 40503) % n               -- 0 .. n-1, each once (40503 is odd)
      local q = perm // 4                        -- each value 4 times
      local sorted_q = i // 4                    -- the sorted order, by hand
      local cases = {
        {"int32", q - 300000, sorted_q - 300000, 4},          -- signs differ: every bit
        {"int32", q + 5, sorted_q + 5, 4},                   -- 20 bits
        {"uint32", q * 256, sorted_q * 256, 4},              -- the low 8 bits the same
        {"int64", q - 2 ^ 40, sorted_q - 2 ^ 40, 4},         -- negative, the high bits the same
        {"int64", lu.full({n}, 7, {dtype = "int64", device = dev}),
         lu.full({n}, 7, {dtype = "int64", device = dev}), n}, -- all equal
      }
      for _, c in ipairs(cases) do
        local dt, v, want = c[1], c[2]:astype(c[1]), c[3]:astype(c[1])
        assert(lu.array_equal(lu.sort(v), want), dt .. ": sort")
        local idx = lu.argsort(v)
        assert(lu.array_equal(v[idx], want), dt .. ": argsort")
        -- stable: equal keys keep their input order
        local ties = lu.equal(lu.diff(want), 0)
        assert(lu.all(lu.logical_not(ties) | lu.greater(lu.diff(idx), 0)):item(), dt .. ": argsort not stable")
        local d = lu.argsort(v, {descending = true})
        assert(lu.array_equal(v[d], lu.flip(want)), dt .. ": descending")
        assert(lu.all(lu.logical_not(ties) | lu.greater(lu.diff(d), 0)):item(), dt .. ": descending not stable")
        local u, cnt = lu.unique(v, false, false, true)
        assert.are.equal(n // c[4], u.size)
        assert(lu.all(lu.equal(cnt, c[4])):item(), dt .. ": unique's counts")
      end
    end)
    it("a long row with NaNs and many rows of a matrix", function()
      local r = lcg(11)
      local n, t = 300000, {}
      for i = 1, n do t[i] = r(1000) / 8 end
      for i = 1, n, 97 do t[i] = nan end
      local a = A(t, "float32")
      local s = flat(lu.sort(a):totable())
      local idx = flat(lu.argsort(a):totable())
      local nn = 0
      for i = 1, n do if t[i] ~= t[i] then nn = nn + 1 end end
      for i = 2, n - nn do assert(s[i - 1] <= s[i], "not sorted at " .. i) end
      for i = n - nn + 1, n do assert(s[i] ~= s[i], "NaN expected at " .. i) end
      for i = 2, n do
        local x, y = t[idx[i - 1]], t[idx[i]]
        local ok = before(x, y) or ((same_value(x, y)) and idx[i - 1] < idx[i])
        assert(ok, "argsort wrong at " .. i)
      end
      local m = A(t, "float64"):reshape(600, 500)
      local sm = lu.sort(m):totable()
      for i = 1, 600, 37 do
        local want = sorted_copy(sm[i])
        for j = 1, 500 do assert(same_value(want[j], sm[i][j])) end
      end
    end)
    it("every dtype, empty and length-1 axes", function()
      for _, dt in ipairs(ALL) do
        assert.are.same({0}, lu.sort(A({}, dt)).shape)
        assert.are.same({3, 0}, lu.argsort(lu.zeros({3, 0}, {dtype = dt, device = dev})).shape)
        assert.are.same({{1}, {1}}, lu.argsort(lu.zeros({2, 1}, {dtype = dt, device = dev})):totable())
      end
    end)
    it("errors name the function and the argument", function()
      local a = A{{1, 2}, {3, 4}}
      assert.are.equal("lunar.sort: bad argument #2 (axis 3 is out of bounds for array of dimension 2)",
                       err_of(lu.sort, a, 3))
      assert.are.equal("lunar.sort: bad argument #3 (sort kind must be one of 'quicksort', 'mergesort', 'heapsort' or 'stable', got 'bogus')",
                       err_of(lu.sort, a, -1, "bogus"))
      assert.are.equal("array:argsort: bad argument #1 (axis 0 is out of bounds for array of dimension 2)",
                       err_of(a.argsort, a, 0))
      assert.are.equal("lunar.sort: bad argument #2 (unknown option 'axes')",
                       err_of(lu.sort, a, {axes = 1}))
      assert.are.equal("lunar.sort: bad argument #2 (order applies to structured dtypes, which lunar does not have)",
                       err_of(lu.sort, a, {order = "x"}))
      assert.are.equal("lunar.sort: bad argument #1 (axis -1 is out of bounds for array of dimension 0)",
                       err_of(lu.sort, A(5)))
      assert.are.equal("lunar.argsort: bad argument #5 (unexpected argument (number); lunar.argsort takes 3 positional arguments after the first)",
                       err_of(lu.argsort, a, 1, "stable", nil, 5))
    end)
  end)

  describe("partition and argpartition", function()
    it("holds for every dtype, several kth, negative kth", function()
      for _, dt in ipairs(ALL) do
        local r = lcg(3)
        local t = {}
        for i = 1, 40 do t[i] = dt == "bool" and (r(2) == 1) or r(9) end
        if dt:match("float") then t[5] = nan end
        local a = A(t, dt)
        local vals = a:totable()
        for _, k in ipairs{1, 7, 20, 40, -1, -3} do
          local kk = k > 0 and k or 41 + k
          check(vals, lu.partition(a, k):totable(), kk)
          local idx = lu.argpartition(a, k):totable()
          local got = {}
          for i, j in ipairs(idx) do got[i] = vals[j] end
          check(vals, got, kk)
        end
        local p = lu.partition(a, {3, 30}):totable()
        check(vals, p, 3)
        check(vals, lu.partition(a, {3, 30}):totable(), 30)
      end
    end)
    it("along an axis, and in place as a method", function()
      local m = A{{5, 1, 4}, {0, 9, 2}}
      local p = lu.partition(m, 1, 1):totable()
      assert.are.same({0, 1, 2}, p[1])
      local b = A{3, 1, 2}
      assert.are.equal(b, b:partition(2))
      assert.are.equal(2, b:totable()[2])
    end)
    it("errors", function()
      assert.are.equal("lunar.partition: bad argument #2 (kth 4 is out of bounds for an axis of length 3)",
                       err_of(lu.partition, A{1, 2, 3}, 4))
      assert.are.equal("lunar.partition: bad argument #2 (kth 0 is out of bounds for an axis of length 3)",
                       err_of(lu.partition, A{1, 2, 3}, 0))
      assert.are.equal("lunar.partition: bad argument #4 (partition kind must be 'introselect', got 'quicksort')",
                       err_of(lu.partition, A{1, 2, 3}, 1, -1, "quicksort"))
    end)
  end)

  describe("descending and top_k", function()
    it("descending sorts keep NaN last and ties in order", function()
      local s = lu.sort(A{2, nan, 5, 2}, {descending = true}):totable()
      assert.are.same({5, 2, 2}, {s[1], s[2], s[3]})
      assert.is_true(s[4] ~= s[4])
      assert.are.same({3, 1, 4, 2}, lu.argsort(A{2, nan, 5, 2}, {descending = true}):totable())
      assert.are.same({{2, 1}}, lu.argsort(A{{1, 9}}, -1, {descending = true}):totable())
    end)
    it("top_k", function()
      local v, i = lu.top_k(A{{1, 5, 2}, {7, 7, 0}}, 2)
      assert.are.same({{5, 2}, {7, 7}}, v:totable())
      assert.are.same({{2, 3}, {1, 2}}, i:totable())
      local w, j = lu.top_k(A{3, 1, 2}, 2, {mode = "smallest"})
      assert.are.same({1, 2}, w:totable())
      assert.are.same({2, 3}, j:totable())
      assert.are.equal("top_k: k (4) is larger than the axis (length 3)", err_of(lu.top_k, A{1, 2, 3}, 4))
      assert.are.equal("lunar.top_k: bad argument #3 (mode must be 'largest' or 'smallest', got 'most')",
                       err_of(lu.top_k, A{1, 2, 3}, 1, {mode = "most"}))
      assert.are.equal("top_k: axis=None is not supported, give an axis",
                       err_of(lu.top_k, A{1, 2, 3}, 1, {axis = false}))
    end)
  end)

  describe("lexsort", function()
    it("sorts by the last key first", function()
      local surname = A{3, 1, 2, 1}
      local first = A{1, 2, 1, 1}
      assert.are.same({4, 2, 3, 1}, lu.lexsort{first, surname}:totable())
      assert.are.same({4, 2, 3, 1}, lu.lexsort(A{{1, 2, 1, 1}, {3, 1, 2, 1}}):totable())
    end)
    it("errors", function()
      assert.are.equal("lexsort: all keys need to be the same shape",
                       err_of(lu.lexsort, {A{1, 2}, A{1, 2, 3}}))
    end)
  end)

  describe("searchsorted", function()
    local s = A{1, 2, 2, 3}
    it("returns NumPy's insertion position plus 1", function()
      assert.are.equal(2, lu.searchsorted(s, 2))
      assert.are.equal(4, lu.searchsorted(s, 2, "right"))
      assert.are.equal(1, lu.searchsorted(s, 0))
      assert.are.equal(5, lu.searchsorted(s, 9))
      assert.are.same({1, 2, 5}, s:searchsorted(A{0, 1.5, 3.5}):totable())
      assert.are.same({{4}}, lu.searchsorted(s, A{{2}}, {side = "right"}):totable())
      assert.are.equal(3, lu.searchsorted(A{1, 2, nan}, nan))
    end)
    -- long sorted arrays take the GPU's levels (samples, every 32nd
    -- element, blocks of 32): s[j] = floor((j - 1) / 3), each value three
    -- times, then (float) five NaNs; positions by hand
    for _, dt in ipairs{"float32", "float64", "int32"} do
      for _, n in ipairs{150000, 1000002, 1100001} do
        it(("%s, %d sorted values: each value's left and right ends"):format(dt, n), function()
          local fl = dt ~= "int32"
          local s = (lu.arange(n, {device = dev}) // 3):astype(dt)
          if fl then s = lu.concatenate{s, lu.full({5}, nan, {dtype = dt, device = dev})} end
          local top = (n - 1) // 3   -- the largest value
          local ks = {0, 1, 2, 1000, 33333, top - 1, top}
          local q, want_l, want_r = {}, {}, {}
          for _, k in ipairs(ks) do
            q[#q + 1] = k             -- an element: its run [3k + 1, 3k + 3], clipped at n
            want_l[#want_l + 1] = 3 * k + 1
            want_r[#want_r + 1] = math.min(3 * k + 3, n) + 1
            if fl then
              q[#q + 1] = k + 0.5     -- between two values
              want_l[#want_l + 1] = math.min(3 * k + 3, n) + 1
              want_r[#want_r + 1] = math.min(3 * k + 3, n) + 1
            end
          end
          q[#q + 1] = -1; want_l[#want_l + 1] = 1; want_r[#want_r + 1] = 1
          q[#q + 1] = top + 7; want_l[#want_l + 1] = n + 1; want_r[#want_r + 1] = n + 1
          if fl then
            q[#q + 1] = nan; want_l[#want_l + 1] = n + 1; want_r[#want_r + 1] = n + 6
          end
          -- repeated, so that many warps each search all of them
          local reps = 700
          local qa = lu.array(q, {dtype = dt, device = dev})
          local qq = lu.tile(qa, reps)
          local l, r = lu.searchsorted(s, qq), lu.searchsorted(s, qq, "right")
          local lt, rt = l:totable(), r:totable()
          for i = 1, #q * reps do
            local j = (i - 1) % #q + 1
            if lt[i] ~= want_l[j] or rt[i] ~= want_r[j] then
              error(("query %d (%s): got %d, %d, want %d, %d"):format(i, tostring(q[j]), lt[i], rt[i],
                                                                      want_l[j], want_r[j]))
            end
          end
          local inq = lu.isin(qq, s):totable()
          for i = 1, #q * reps do
            local x = q[(i - 1) % #q + 1]
            local want = x == x and x >= 0 and x <= top and x == math.floor(x)
            if inq[i] ~= want then error(("isin of %s: got %s"):format(tostring(x), tostring(inq[i]))) end
          end
        end)
      end
    end
    it("with a sorter of 1-based positions", function()
      local u = A{30, 10, 20}
      assert.are.same({1, 2, 3, 4}, lu.searchsorted(u, A{5, 15, 25, 35}, "left", A{2, 3, 1}):totable())
    end)
    it("errors", function()
      assert.are.equal("searchsorted: sorter must be an integer array, got float64",
                       err_of(lu.searchsorted, s, 1, "left", A{1.0, 2.0, 3.0, 4.0}))
      assert.are.equal("searchsorted: sorter index out of range",
                       err_of(lu.searchsorted, s, 1, "left", A{1, 2, 3, 5}))
      assert.are.equal("searchsorted: a must be 1-dimensional, got 2 dimensions",
                       err_of(lu.searchsorted, A{{1, 2}}, 1))
      assert.are.equal("lunar.searchsorted: bad argument #3 (side must be 'left' or 'right', got 'middle')",
                       err_of(lu.searchsorted, s, 1, "middle"))
      assert.are.equal("lunar.searchsorted: bad argument #2 (v must be numbers, got a string)",
                       err_of(lu.searchsorted, s, "x"))
    end)
  end)

  describe("sets", function()
    it("unique with every extra, positions 1-based", function()
      local v, i, inv, c = lu.unique(A{{3, 1}, {3, 2}}, true, true, true)
      assert.are.same({1, 2, 3}, v:totable())
      assert.are.same({2, 4, 1}, i:totable())
      assert.are.same({{3, 1}, {3, 2}}, inv:totable())    -- NumPy 2: the input's shape
      assert.are.same({1, 1, 2}, c:totable())
      local uv = lu.unique(A{nan, 1, nan})
      assert.are.equal(2, #uv:totable())
      assert.are.equal(3, #lu.unique_values(A{nan, 1, nan}):totable())
    end)
    it("unique rows", function()
      local v, c = lu.unique(A{{1, 2}, {0, 5}, {1, 2}}, {axis = 1, return_counts = true})
      assert.are.same({{0, 5}, {1, 2}}, v:totable())
      assert.are.same({1, 2}, c:totable())
    end)
    it("isin, intersect1d with indices, union1d, setdiff1d, setxor1d", function()
      assert.are.same({{false, true}, {true, false}}, lu.isin(A{{1, 2}, {3, 4}}, A{2, 3}):totable())
      assert.are.same({{true, false}, {false, true}}, lu.isin(A{{1, 2}, {3, 4}}, {2, 3}, false, true):totable())
      local r, ia, ib = lu.intersect1d(A{5, 1, 3}, A{3, 5, 7}, false, true)
      assert.are.same({3, 5}, r:totable())
      assert.are.same({3, 1}, ia:totable())
      assert.are.same({1, 2}, ib:totable())
      assert.are.same({1, 2, 3}, lu.union1d(A{3, 1}, A{2, 1}):totable())
      assert.are.same({1}, lu.setdiff1d(A{3, 1}, A{3}):totable())
      assert.are.same({1, 4}, lu.setxor1d(A{1, 2, 3}, A{2, 3, 4}):totable())
    end)
    it("bincount and its errors", function()
      assert.are.same({1, 2, 0, 1}, lu.bincount(A{0, 1, 1, 3}):totable())
      assert.are.same({0, 1.5, 0, 0}, lu.bincount(A{1}, A{1.5}, 4):totable())
      assert.are.equal("bincount: x must have no negative elements", err_of(lu.bincount, A{1, -1}))
      assert.are.equal("bincount: weights of shape (1,) do not match x of length 2",
                       err_of(lu.bincount, A{1, 2}, A{1.0}))
      assert.are.equal("bincount: cannot cast array data from float64 to int64 according to the rule 'safe'",
                       err_of(lu.bincount, A{1.5}))
      assert.are.equal("bincount: minlength must not be negative", err_of(lu.bincount, A{1}, nil, -2))
    end)
  end)

  describe("histograms", function()
    it("counts and edges", function()
      local h, e = lu.histogram(A{1, 2, 2, 3, 3, 3}, 3)
      assert.are.same({1, 2, 3}, h:totable())
      assert.are.equal(4, #e:totable())
      local h2 = lu.histogram(A{0.5, 1.5, 9}, A{0, 1, 2})
      assert.are.same({1, 1}, h2:totable())
      assert.are.same({0, 0.5, 1}, lu.histogram_bin_edges(A{0, 1}, 2):totable())
    end)
    it("histogramdd returns the edges as a table", function()
      local h, edges = lu.histogramdd(A{{0, 0}, {1, 1}, {1, 0}}, 2)
      assert.are.same({{1, 0}, {1, 1}}, h:totable())
      assert.are.equal(2, #edges)
      assert.are.same({0, 0.5, 1}, edges[2]:totable())
    end)
    it("errors", function()
      local a = A{1, 2, 3}
      assert.are.equal("histogram: bins must increase monotonically, when an array",
                       err_of(lu.histogram, a, A{1, 0, 2}))
      assert.are.equal("histogram: max must be larger than min in range parameter",
                       err_of(lu.histogram, a, 3, {2, 1}))
      assert.are.equal("histogram: weights should have the same shape as a",
                       err_of(lu.histogram, a, 3, nil, nil, A{1, 2}))
      assert.are.equal("histogram: 'bogus' is not a valid estimator for bins",
                       err_of(lu.histogram, a, "bogus"))
      assert.are.equal("histogram: automated estimation of the number of bins is not supported for weighted data",
                       err_of(lu.histogram, a, "auto", nil, nil, a))
      assert.are.equal("histogram: autodetected range of [1, inf] is not finite",
                       err_of(lu.histogram, A{1, math.huge}))
      assert.are.equal("lunar.histogram: bad argument #2 (bins must be positive, when an integer)",
                       err_of(lu.histogram, a, 0))
      assert.are.equal("digitize: bins must be monotonically increasing or decreasing",
                       err_of(lu.digitize, a, A{1, 3, 2}))
    end)
    it("digitize returns 1-based bin positions", function()
      assert.are.same({1, 2, 4}, lu.digitize(A{0.5, 1.5, 3}, A{1, 2, 3}):totable())
      assert.are.equal(2, lu.digitize(2.5, A{3, 2, 1}))    -- NumPy: 1, as 3 > 2.5 >= 2
    end)
  end)

  describe("scans", function()
    it("cumsum and cumprod over everything or one axis, dtype=, out=", function()
      local m = A{{1, 2}, {3, 4}}
      assert.are.same({1, 3, 6, 10}, lu.cumsum(m):totable())
      assert.are.same({{1, 2}, {4, 6}}, m:cumsum(1):totable())
      assert.are.same({{1, 2}, {3, 12}}, lu.cumprod(m, 2):totable())
      assert.are.equal("float32", lu.cumsum(m, {dtype = "float32"}).dtype)
      assert.are.equal("int64", lu.cumsum(A({1}, "int8")).dtype)
      assert.are.equal("uint64", lu.cumsum(A({1}, "uint8")).dtype)
      local o = lu.zeros({2, 2}, {device = dev})
      assert.are.equal(o, lu.cumsum(m, 1, nil, o))
      assert.are.same({{1, 2}, {4, 6}}, o:totable())
      assert.are.same({1, 1, 3}, lu.nancumsum(A{1, nan, 2}):totable())
      assert.are.same({2, 2, 6}, lu.nancumprod(A{2, nan, 3}):totable())
    end)
    it("cummax and cummin follow PyTorch: ties and NaN take the later position", function()
      local v, i = lu.cummax(A{1, 3, 2, 3, 0})
      assert.are.same({1, 3, 3, 3, 3}, v:totable())
      assert.are.same({1, 2, 2, 4, 4}, i:totable())
      local w, j = lu.cummin(A{2, nan, 1, nan})
      local wt = w:totable()
      assert.are.equal(2, wt[1])
      for k = 2, 4 do assert.is_true(wt[k] ~= wt[k]) end
      assert.are.same({1, 2, 2, 4}, j:totable())
      local mv, mi = A{{1, 5}, {4, 2}}:cummax(1)
      assert.are.same({{1, 5}, {4, 5}}, mv:totable())
      assert.are.same({{1, 1}, {2, 1}}, mi:totable())
    end)
    it("a long scan (the GPU's scan, the CPU's chunks)", function()
      local n = 200000
      local c = lu.cumsum(lu.ones(n, {device = dev, dtype = "int32"}))
      assert.are.equal("int64", c.dtype)
      assert.are.equal(n, c[n])
      assert.are.equal(12345, c[12345])
      local m = lu.cumsum(lu.ones({3, n}, {device = dev}), 2)
      assert.are.equal(n, m[3][n])
    end)
    it("errors", function()
      assert.are.equal("lunar.cumsum: bad argument #2 (axis 3 is out of bounds for array of dimension 2)",
                       err_of(lu.cumsum, A{{1}}, 3))
      assert.are.equal("lunar.cumsum: bad argument #3 (unknown dtype 'bogus')",
                       err_of(lu.cumsum, A{1}, nil, "bogus"))
      assert.are.equal("lunar.cumsum: bad argument #4 (out has shape (3,), the result has shape (2,))",
                       err_of(lu.cumsum, A{1, 2}, nil, nil, A{0, 0, 0}))
    end)
  end)

  describe("differences", function()
    it("diff, ediff1d, gradient, trapezoid", function()
      assert.are.same({3, 5, 7}, lu.diff(A{1, 4, 9, 16}):totable())
      assert.are.same({2, 2}, lu.diff(A{1, 4, 9, 16}, 2):totable())
      assert.are.same({{2, 2}}, lu.diff(A{{1, 2}, {3, 4}}, 1, 1):totable())
      assert.are.same({1, 3, 5}, lu.diff(A{1, 4}, {prepend = 0, append = 9}):totable())
      assert.are.same({true, false}, lu.diff(A{true, false, false}):totable())
      assert.are.same({0, 1, 2, 9}, lu.ediff1d(A{1, 2, 4}, 9, 0):totable())
      local gx, gy = lu.gradient(A{{1, 2, 4}, {2, 4, 8}})
      assert.are.same({{1, 2, 4}, {1, 2, 4}}, gx:totable())
      assert.are.same({{1, 1.5, 2}, {2, 3, 4}}, gy:totable())
      assert.are.same({1.5, 2, 2.5}, lu.gradient(A{1, 2.5, 5}):totable())
      assert.are.same({1.5, 2, 2.5}, lu.gradient(A{1, 2.5, 5}, A{0, 1, 2}):totable())
      assert.are.same({0.75, 1, 1.25}, lu.gradient(A{1, 2.5, 5}, 2):totable())
      assert.are.equal(4, lu.trapezoid(A{1, 2, 3}):item())
      assert.are.equal(2, lu.trapz(A{1, 2, 3}, nil, 0.5):item())
      assert.are.equal(8, lu.trapezoid(A{1, 2, 3}, A{0, 2, 4}):item())
    end)
    it("errors", function()
      assert.are.equal("diff: order must be non-negative but got -1", err_of(lu.diff, A{1, 2}, -1))
      assert.are.equal("ediff1d: boolean subtract is not supported, use logical_xor",
                       err_of(lu.ediff1d, A{true}))
      assert.are.equal("ediff1d: dtype of to_end must be compatible with input ary under the same_kind rule",
                       err_of(lu.ediff1d, A({1, 2}, "int32"), 1.5))
      assert.are.equal("gradient: shape of array too small to calculate a numerical gradient, at least (edge_order + 1) elements are required",
                       err_of(lu.gradient, A{1}))
      assert.are.equal("gradient: when 1d, distances must match the length of the corresponding dimension",
                       err_of(lu.gradient, A{1, 2, 3}, A{1, 2}))
    end)
  end)

  describe("order statistics", function()
    it("median and percentile", function()
      assert.are.equal(2.5, lu.median(A{4, 1, 3, 2}):item())
      assert.are.equal("float64", lu.median(A({1, 2}, "int32")).dtype)
      assert.are.equal("float32", lu.median(A({1, 2}, "float32")).dtype)
      assert.are.same({2.5, 4.5}, lu.median(A{{1, 2, 3, 4}, {2, 4, 5, 5}}, 2):totable())
      assert.is_true(lu.median(A{1, nan}):item() ~= lu.median(A{1, nan}):item())
      assert.are.equal(1, lu.nanmedian(A{1, nan}):item())
      local p = lu.percentile(A{1, 2, 3, 4, 5}, {10, 90}):totable()
      assert.is_true(math.abs(p[1] - 1.4) < 1e-12 and math.abs(p[2] - 4.6) < 1e-12)
      assert.are.equal(3, lu.quantile(A{1, 2, 3, 4, 5}, 0.5, {method = "nearest"}):item())
      assert.are.equal("int64", lu.quantile(A{1, 2, 3}, 0.5, {method = "lower"}).dtype)
      assert.are.equal("float32", lu.percentile(A({1, 2}, "float32"), 50).dtype)    -- NumPy 2.5
      assert.are.equal("float64", lu.percentile(A({1, 2}, "float32"), {50}).dtype)
      assert.are.same({{2}}, lu.median(A{{1, 2, 3}}, {keepdims = true, axis = {1, 2}}):totable())
    end)
    it("a median of many values (selection on the CPU, a sort on the GPU)", function()
      local r = lcg(5)
      local t = {}
      for i = 1, 100001 do t[i] = r(100000) end
      local want = sorted_copy(t)[50001]
      assert.are.equal(want, lu.median(A(t, "float32")):item())
      assert.are.equal(want, lu.percentile(A(t, "int32"), 50, {method = "lower"}):item())
    end)
    it("errors", function()
      local a = A{1, 2, 3}
      assert.are.equal("lunar.percentile: bad argument #2 (percentiles must be in the range [0, 100])",
                       err_of(lu.percentile, a, 101))
      assert.are.equal("lunar.quantile: bad argument #2 (quantiles must be in the range [0, 1])",
                       err_of(lu.quantile, a, {0.5, 2}))
      assert.are.equal("lunar.quantile: bad argument #3 ('bogus' is not a valid method)",
                       err_of(lu.quantile, a, 0.5, {method = "bogus"}))
      assert.are.equal("lunar.median: bad argument #2 (axis 2 is out of bounds for array of dimension 1)",
                       err_of(lu.median, a, 2))
      assert.are.equal("quantile: boolean input is not supported by an interpolating method",
                       err_of(lu.quantile, A{true}, 0.5))
      assert.are.equal("quantile: cannot take a quantile of an empty axis",
                       err_of(lu.quantile, A{}, 0.5))
      assert.are.equal("lunar.percentile: bad argument #3 (give method or interpolation, not both)",
                       err_of(lu.percentile, a, 5, {method = "lower", interpolation = "higher"}))
    end)
  end)

  describe("average, cov, corrcoef, correlate, convolve", function()
    it("values", function()
      assert.are.equal(2.5, lu.average(A{1, 2, 3, 4}):item())
      local avg, sw = lu.average(A{1, 2, 3}, nil, A{3, 2, 1}, true)
      assert.is_true(math.abs(avg:item() - 10 / 6) < 1e-12)
      assert.are.equal(6, sw:item())
      assert.are.same({2, 3}, lu.average(A{{1, 2}, {3, 4}}, 1):totable())
      assert.are.same({{1, -1}, {-1, 1}}, lu.cov(A{{1, 2, 3}, {3, 2, 1}}):totable())
      assert.are.equal(1, lu.cov(A{1, 2, 3}):item())
      local r = lu.corrcoef(A{{1, 2, 3}, {1, 5, 7}}):totable()
      assert.is_true(math.abs(r[1][1] - 1) < 1e-12 and math.abs(r[1][2] - r[2][1]) < 1e-15)
      assert.are.same({3.5}, lu.correlate(A{1, 2, 3}, A{0, 1, 0.5}):totable())
      assert.are.same({0, 1, 2.5, 4, 1.5}, lu.convolve(A{1, 2, 3}, A{0, 1, 0.5}):totable())
      assert.are.same({1, 2.5, 4}, lu.convolve(A{1, 2, 3}, A{0, 1, 0.5}, "same"):totable())
    end)
    it("errors", function()
      assert.are.equal("average: axis must be specified when shapes of a and weights differ",
                       err_of(lu.average, A{{1, 2}, {3, 4}}, nil, A{1, 2}))
      assert.are.equal("average: shape of weights must be consistent with shape of a along specified axis",
                       err_of(lu.average, A{{1, 2}, {3, 4}}, 1, A{1, 2, 3}))
      assert.are.equal("average: weights sum to zero, can't be normalized",
                       err_of(lu.average, A{1, 2}, nil, A{1, -1}))
      assert.are.equal("cov: fweights must be integer",
                       err_of(lu.cov, A{1, 2, 3}, {fweights = A{1.5, 1, 1}}))
      assert.are.equal("cov: aweights cannot be negative",
                       err_of(lu.cov, A{1, 2, 3}, {aweights = A{1, -1, 1}}))
      assert.are.equal("cov: incompatible numbers of samples and fweights",
                       err_of(lu.cov, A{1, 2, 3}, {fweights = A{1, 1}}))
      assert.are.equal("cov: m has more than 2 dimensions", err_of(lu.cov, lu.zeros({2, 2, 2}, {device = dev})))
      assert.are.equal("correlate: a cannot be empty", err_of(lu.correlate, A{}, A{1}))
      assert.are.equal("correlate: object too deep for desired array (1-d arrays expected)",
                       err_of(lu.correlate, A{{1, 2}}, A{1}))
      assert.are.equal("lunar.convolve: bad argument #3 (mode must be 'valid', 'same' or 'full', got 'bogus')",
                       err_of(lu.convolve, A{1}, A{1}, "bogus"))
    end)
  end)

  -- correlate and convolve compute directly or through the FFT (convolve.c);
  -- the method keyword (a lunar extension, scipy.signal.convolve's) picks
  -- one. The FFT's rounding shows which ran: an input of 2^60 and ones
  -- gives exactly 1 at the far end when summed directly, and an error of
  -- about 2^60 * 2^-53 through the transforms.
  describe("correlate and convolve: direct and FFT", function()
    -- full convolution in plain Lua
    local function conv(a, v)
      local c = {}
      for k = 1, #a + #v - 1 do c[k] = 0 end
      for i = 1, #a do
        for j = 1, #v do c[i + j - 1] = c[i + j - 1] + a[i] * v[j] end
      end
      return c
    end
    local function spike(n)
      local t = {2.0 ^ 60}
      for i = 2, n do t[i] = 1 end
      return t
    end
    local function far_end_exact(r) return r[#r] == 1 end

    it("method forces each path and both agree with the sums", function()
      local r = lcg(7)
      local at, vt = {}, {}
      for i = 1, 1500 do at[i] = r(17) - 8 end
      for i = 1, 400 do vt[i] = r(11) - 5 end
      local want = conv(at, vt)
      local a, v = A(at), A(vt)
      local d = lu.convolve(a, v, {method = "direct"}):totable()
      assert.are.same(want, d)     -- small integers: the sums are exact
      for _, m in ipairs{"fft", "auto"} do
        local f = lu.convolve(a, v, {method = m}):totable()
        local worst = 0
        for k = 1, #want do worst = math.max(worst, math.abs(f[k] - want[k])) end
        assert.is_true(worst < 1e-9, m .. ": " .. worst)
      end
      -- correlate(a, v) is convolve(a, reversed v); "valid" and "same" cut it
      local rv = {}
      for i = 1, #vt do rv[i] = vt[#vt + 1 - i] end
      local cf = lu.correlate(a, A(rv), "valid", {method = "fft"}):totable()
      assert.are.equal(1500 - 400 + 1, #cf)
      for k = 1, #cf do assert.is_true(math.abs(cf[k] - want[k + 399]) < 1e-9) end
      local sf = lu.convolve(v, a, "same", {method = "fft"}):totable()
      assert.are.equal(1500, #sf)
      for k = 1, #sf do assert.is_true(math.abs(sf[k] - want[k + 199]) < 1e-9) end
      -- the FFT's rounding: far from exact at the far end
      local s = A(spike(300))
      assert.is_true(far_end_exact(lu.convolve(s, A{1, 1}, {method = "direct"}):totable()))
      assert.is_false(far_end_exact(lu.convolve(s, A{1, 1}, {method = "fft"}):totable()))
      assert.is_false(far_end_exact(lu.correlate(s, A{1, 1}, "full", {method = "fft"}):totable()))
    end)

    it("auto: direct for small inputs, the FFT for large ones", function()
      assert.is_true(far_end_exact(lu.convolve(A(spike(8)), A{1, 1, 1}):totable()))
      local ones = {}
      for i = 1, 10000 do ones[i] = 1 end
      -- 20000 x 10000 outputs by terms: past every device's crossover
      assert.is_false(far_end_exact(lu.convolve(A(spike(20000)), A(ones)):totable()))
      -- complex input through the complex transforms; correlate conjugates v
      local z = lu.convolve(A(spike(20000)) * lu.complex(0, 1), A(ones)):totable()
      assert.is_true(math.abs(z[#z].imag - 1) > 0.5)
      local c = lu.correlate(A{1, 2, 3}, A({1, 1}, "complex128") * lu.complex(0, 1), "full",
                             {method = "fft"}):totable()
      local cw = {{0, -1}, {0, -3}, {0, -5}, {0, -3}}   -- sum a[k+j] conj(v[j]), v = i
      for k = 1, 4 do
        assert.is_true(math.abs(c[k].real - cw[k][1]) < 1e-12 and math.abs(c[k].imag - cw[k][2]) < 1e-12)
      end
    end)

    it("integers stay exact, wrapping as NumPy's do", function()
      for _, m in ipairs{"direct", "fft", "auto"} do
        -- int8 sums wrap: 10000 -> 16, 20000 -> 32
        assert.are.same({16, 32, 32, 16},
                        lu.convolve(A({100, 100, 100}, "int8"), A({100, 100}, "int8"),
                                    {method = m}):totable())
        assert.are.same({false, false, true, false},
                        lu.convolve(A{true, false, false}, A{true, true, false, false, true, false},
                                    "valid", {method = m}):totable())
      end
      -- too large for one exact product through the FFT (the bound in
      -- convolve.c): split into limbs, still exact
      local at, vt = {}, {}
      for i = 1, 300 do at[i] = (1 << 40) + 3 * i end
      for i = 1, 200 do vt[i] = (1 << 12) - i end
      local want = conv(at, vt)          -- Lua integers: exact
      local got = lu.convolve(A(at, "int64"), A(vt, "int64"), {method = "fft"}):totable()
      assert.are.same(want, got)
      assert.are.equal("int64", lu.convolve(A(at, "int64"), A(vt, "int64")).dtype)
    end)

    it("infinities and NaNs stay where NumPy's sums put them", function()
      local inf = math.huge
      for _, m in ipairs{"direct", "fft"} do
        -- in the shorter array: only the overlapping terms count
        assert.are.same({1, inf, inf, inf, 3}, lu.convolve(A{1, 2, 3}, A{1, inf, 1}, {method = m}):totable())
        local r = lu.convolve(A{1, 2, nan, 4, 5}, A{1, 1}, {method = m}):totable()
        assert.is_true(r[1] == 1 and r[2] == 3 and r[3] ~= r[3] and r[4] ~= r[4] and r[5] == 9 and r[6] == 5)
      end
    end)

    it("errors", function()
      assert.are.equal("lunar.convolve: bad argument #3 (method must be 'auto', 'direct' or 'fft', got 'x')",
                       err_of(lu.convolve, A{1}, A{1}, {method = "x"}))
      assert.are.equal("lunar.correlate: bad argument #4 (method must be a string, got number)",
                       err_of(lu.correlate, A{1}, A{1}, "full", {method = 2}))
      assert.are.equal("lunar.correlate: bad argument #4 (unknown option 'methods')",
                       err_of(lu.correlate, A{1}, A{1}, "full", {methods = "fft"}))
      assert.are.equal("lunar.convolve: bad argument #4 (unexpected argument (string); lunar.convolve takes 2 positional arguments after the first)",
                       err_of(lu.convolve, A{1}, A{1}, "full", "fft"))
    end)
  end)

  -- float16 and bfloat16 go through float32, complex through three float
  -- sorts (src/core/sortdt.c): the rows, ties and NaN classes those
  -- compositions must get right, on every device
  describe("float16, bfloat16 and complex", function()
    -- NumPy's complex order in plain Lua: the NaN classes R+Rj, R+nanj,
    -- nan+Rj, nan+nanj, each by its non-NaN parts
    local function ckey(z)
      local re, im = z.real, z.imag
      return (re ~= re and 2 or 0) + (im ~= im and 1 or 0), re ~= re and 0 or re, im ~= im and 0 or im
    end
    local function cbefore(a, b)
      local c1, r1, i1 = ckey(a)
      local c2, r2, i2 = ckey(b)
      if c1 ~= c2 then return c1 < c2 end
      if r1 ~= r2 then return r1 < r2 end
      return i1 < i2
    end
    local function cequal(a, b) return not cbefore(a, b) and not cbefore(b, a) end
    local C = lu.complex

    it("long rows sort stably (ties, NaN runs, -0.0)", function()
      for _, dt in ipairs{"float16", "bfloat16"} do
        local r, t = lcg(11), {}
        for i = 1, 5000 do t[i] = r(40) / 4 - 5 end
        for i = 7, 5000, 97 do t[i] = nan end
        t[3], t[4] = -0.0, 0.0
        local a = A(t, dt)
        local idx = lu.argsort(a):totable()
        local s = lu.sort(a):totable()
        local vals = a:totable()
        for i = 2, #idx do
          local x, y = vals[idx[i - 1]], vals[idx[i]]
          assert(not before(y, x), dt .. ": not sorted at " .. i)
          if same_value(x, y) then assert(idx[i - 1] < idx[i], dt .. ": not stable at " .. i) end
          assert(same_value(s[i], vals[idx[i]]), dt .. ": sort and argsort disagree at " .. i)
        end
        assert.are.equal(dt, lu.sort(a).dtype)
      end
    end)

    it("complex rows sort lexicographically and stably, NaN classes last", function()
      for _, dt in ipairs{"complex64", "complex128"} do
        local r, t = lcg(5), {}
        for i = 1, 3000 do
          local re, im = r(7) - 3, r(5) - 2
          if i % 41 == 0 then re = nan end
          if i % 53 == 0 then im = nan end
          t[i] = C(re, im)
        end
        local a = A(t, dt)
        local m = lu.reshape(a, {30, 100})
        for _, case in ipairs{{a, -1}, {m, 2}, {m, 1}} do
          local x, ax = case[1], case[2]
          local idx = lu.argsort(x, ax):totable()
          local vals = x:totable()
          local s = lu.sort(x, ax):totable()
          if x.ndim == 1 then idx, vals, s = {idx}, {vals}, {s} end
          local rows = ax == 1 and #vals[1] or #vals
          local len = ax == 1 and #vals or #vals[1]
          for row = 1, rows do
            local function at(tab, k) if ax == 1 then return tab[k][row] end return tab[row][k] end
            for k = 2, len do
              local p, q = at(idx, k - 1), at(idx, k)
              local u = ax == 1 and vals[p][row] or vals[row][p]
              local v = ax == 1 and vals[q][row] or vals[row][q]
              assert(not cbefore(v, u), dt .. ": not in NumPy's order")
              if cequal(u, v) then assert(p < q, dt .. ": not stable") end
              assert(cequal(at(s, k), v), dt .. ": sort and argsort disagree")
            end
          end
        end
      end
    end)

    it("partition holds for the new dtypes", function()
      for _, dt in ipairs{"float16", "bfloat16"} do
        local r, t = lcg(9), {}
        for i = 1, 40 do t[i] = r(9) end
        t[5] = nan
        local a = A(t, dt)
        local vals = a:totable()
        for _, k in ipairs{1, 7, 40, -3} do
          local kk = k > 0 and k or 41 + k
          check(vals, lu.partition(a, k):totable(), kk)
          local got = {}
          for i, j in ipairs(lu.argpartition(a, k):totable()) do got[i] = vals[j] end
          check(vals, got, kk)
        end
      end
      local z = A({C(1, 2), C(nan, 0), C(1, 1), C(0, 5), C(1, nan), C(1, 1)}, "complex128")
      local p = lu.partition(z, 3):totable()
      local zs = z:totable()
      table.sort(zs, cbefore)
      assert(cequal(zs[3], p[3]), "complex kth")
      for i = 1, 2 do assert(not cbefore(p[3], p[i]), "complex: before kth is greater") end
      for i = 4, 6 do assert(not cbefore(p[i], p[3]), "complex: after kth is smaller") end
    end)

    it("searchsorted, unique and isin of complex follow NumPy's order", function()
      local s = A({C(1, 1), C(1, 2), C(2, 0), C(2, 0), C(1, nan), C(nan, 0), C(nan, 3), C(nan, nan)})
      local q = A({C(1, 1.5), C(2, 0), C(5, nan), C(nan, 1), C(nan, nan), C(3, 0)})
      assert.are.same({2, 3, 6, 7, 8, 5}, lu.searchsorted(s, q):totable())
      assert.are.same({2, 5, 6, 7, 9, 5}, lu.searchsorted(s, q, "right"):totable())
      local u, c = lu.unique(A({C(1, 1), C(nan, 1), C(1, nan), C(1, 1), C(0, 2)}), {return_counts = true})
      assert.are.equal(3, u.size)
      assert.are.same({1, 2, 2}, c:totable())
      assert.are.same({true, false, false, true},
                      lu.isin(A({C(1, 1), C(nan, 0), C(1, 2), C(2, 0)}), A({C(2, 0), C(nan, 0), C(1, 1)})):totable())
    end)

    it("complex scans: a long product, sums of the parts", function()
      -- z^k for |z| = 1, computed here by repeated multiplication
      local n, zr, zi = 700, 0.6, 0.8
      local t = {}
      for i = 1, n do t[i] = C(zr, zi) end
      local p = lu.cumprod(A(t, "complex128")):totable()
      local wr, wi = 1, 0
      for k = 1, n do
        wr, wi = wr * zr - wi * zi, wr * zi + wi * zr
        assert(math.abs(p[k].real - wr) < 1e-9 and math.abs(p[k].imag - wi) < 1e-9, "cumprod at " .. k)
      end
      local cs = lu.cumsum(A({C(1, 2), C(nan, 1), C(3, -1)}, "complex64"), {dtype = "complex128"})
      assert.are.equal("complex128", cs.dtype)
      local v = lu.nancumsum(A({C(1, 2), C(nan, 1), C(3, -1)})):totable()
      assert.are.same({1, 1, 4}, {v[1].real, v[2].real, v[3].real})
      assert.are.same({2, 2, 1}, {v[1].imag, v[2].imag, v[3].imag})
    end)

    it("half scans, order statistics and histograms keep NumPy's dtypes", function()
      local h = A({1.5, 2, 3.25, 7, 1, 2.5}, "float16")
      assert.are.equal("float16", lu.cumsum(h).dtype)
      assert.are.equal("float16", lu.median(h).dtype)
      assert.are.equal("float16", lu.percentile(h, 30).dtype)
      assert.are.equal("float64", lu.percentile(h, {30}).dtype)
      local counts, edges = lu.histogram(h, 3)
      assert.are.same({4, 1, 1}, counts:totable())
      assert.are.equal("float16", edges.dtype)
      assert.are.same({1, 3, 5, 7}, edges:totable())
      local b = A({1, 2, 3, 4}, "bfloat16")
      assert.are.equal("bfloat16", lu.median(b).dtype)
      assert.are.equal(2.5, lu.median(b):item())
      assert.are.equal("complex128", lu.sort_complex(h).dtype)
      assert.are.equal("complex64", lu.sort_complex(A({3, 1}, "int8")).dtype)
      local m = lu.median(A({C(1, 2), C(3, 1), C(2, 0), C(1, 1)}))
      assert.are.equal(1.5, m:item().real)
      assert.are.equal(1, m:item().imag)
    end)

    it("errors where NumPy has none to give", function()
      local z = A({C(1, 1), C(2, 0)})
      assert.are.equal("histogram: a may not be complex (got complex128)", err_of(lu.histogram, z, 3))
      assert.are.equal("histogramdd: sample may not be complex (got complex128)", err_of(lu.histogram2d, z, z))
      assert.are.equal("digitize: x may not be complex (got complex128)", err_of(lu.digitize, z, A{0, 1}))
      assert.are.equal("lunar.quantile: bad argument #1 (a must be an array of real numbers, got complex128)",
                       err_of(lu.quantile, z, 0.5))
      assert.are.equal("lunar.nanpercentile: bad argument #1 (a must be an array of real numbers, got complex128)",
                       err_of(lu.nanpercentile, z, 50))
      assert.are.equal("cummax: not supported for complex dtypes (complex128)", err_of(lu.cummax, z, 1))
      assert.are.equal("bincount: cannot cast weights from complex128 to float64 according to the rule 'safe'",
                       err_of(lu.bincount, A{0, 1}, z))
      assert.are.equal("lunar.sort_complex: bad argument #1 (axis -1 is out of bounds for array of dimension 0)",
                       err_of(lu.sort_complex, A(1.5)))
      assert.are.equal("histogram: density with complex weights is not supported",
                       err_of(lu.histogram, A{1, 2}, 2, nil, true, z))
    end)
  end)
end)
end
