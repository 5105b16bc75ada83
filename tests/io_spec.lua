-- SPDX-License-Identifier: MIT
-- Files (lb_io.c; src/core/fileio.c, npz.c, textio.c): .npy and .npz
-- against Debian's NumPy both ways (tests/io/gen_fixtures.py writes NumPy's
-- files and checks lunar's), round trips for every dtype and layout on
-- every device, mmap_mode, text (loadtxt, genfromtxt, savetxt, the
-- scikit-learn CSVs), raw bytes, and a few hundred malformed files, each
-- refused with a clear error.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local PY = os.getenv("PYTHON") or "/usr/bin/python3"
local DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "float16", "bfloat16", "float32", "float64", "complex64", "complex128"}

-- a fresh directory for this run (removed at the end)
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "'"))
local function P(name) return dir .. "/" .. name end
local function writefile(name, bytes)
  local f = assert(io.open(P(name), "wb")); f:write(bytes); f:close()
end
local function readfile(name)
  local f = assert(io.open(P(name), "rb")); local s = f:read("a"); f:close(); return s
end

-- The values gen_fixtures.py's values() makes: small, exact in every dtype.
local function values(dt, n)
  local t = {}
  for k = 0, n - 1 do
    if dt == "bool" then t[#t + 1] = k % 3 == 1
    elseif dt:match("^uint") then t[#t + 1] = k % 7 + 1
    elseif dt:match("^int") then t[#t + 1] = k % 7 - 3
    elseif dt:match("complex") then t[#t + 1] = lu.complex(k * 0.5 - 1.25, k % 3 - 1)
    else t[#t + 1] = k * 0.5 - 1.25 end
  end
  return t
end
local function made(dt, shape, dev)
  local n = 1
  for _, s in ipairs(shape) do n = n * s end
  return lu.array(values(dt, n), {dtype = dt, device = dev}):reshape(shape)
end

-- a's dtype, shape and C-order values against an entry of expect.lua
local function same_as(a, e)
  assert.are.equal(e.dtype, a.dtype)
  assert.are.same(e.shape, a.shape)
  local flat = a:to("cpu"):flatten()
  if a.dtype:match("complex") then
    local re, im = flat.real:totable(), flat.imag:totable()
    for i, v in ipairs(e.values) do
      assert.are.equal(v[1], re[i]); assert.are.equal(v[2], im[i])
    end
  else
    local t = #e.shape == 0 and {a:item()} or flat:totable()
    assert.are.same(e.values, t)
  end
end

local expect
do
  local ok = os.execute(PY .. " tests/io/gen_fixtures.py write '" .. dir .. "'")
  assert(ok, "tests/io/gen_fixtures.py failed")
  expect = dofile(P("expect.lua"))
end

teardown(function() os.execute("rm -rf '" .. dir .. "'") end)

describe("lunar.load of NumPy's .npy files", function()
  for _, dev in ipairs(lu.devices()) do
    it("every dtype, C and Fortran order, both byte orders on " .. dev, function()
      for _, dt in ipairs(DTYPES) do
        if dt ~= "bfloat16" then
          for _, v in ipairs{"c", "f", "be", "bef"} do
            local name = ("np_%s_%s.npy"):format(dt, v)
            local a = lu.load(P(name), {device = dev})
            assert.are.equal(dev, a.device)
            same_as(a, expect[name])
          end
        end
      end
    end)
    it("format versions 1.0, 2.0 and 3.0, 0-d and empty arrays on " .. dev, function()
      for _, name in ipairs{"np_v1.npy", "np_v2.npy", "np_v3.npy", "np_0d.npy", "np_empty.npy"} do
        same_as(lu.load(P(name), {device = dev}), expect[name])
      end
    end)
    it(".npz, stored and deflated: a table of arrays by name, on " .. dev, function()
      for _, name in ipairs{"np_stored.npz", "np_deflated.npz"} do
        local t = lu.load(P(name), {device = dev})
        same_as(t.arr_0, expect["npz:arr_0"])
        same_as(t.y, expect["npz:y"])
        local n = 0
        for _ in pairs(t) do n = n + 1 end
        assert.are.equal(2, n)
      end
    end)
  end
  it("the .npy and .npz files Debian's python3-skimage ships load as NumPy loads them", function()
    local n = 0
    for key, e in pairs(expect) do
      local path, k = key:match("^skimage:(.-):([^:]*)$")
      if path then
        local a = lu.load(path, {device = "cpu"})
        if k ~= "" then a = a[k] end
        assert.are.equal(e.dtype, a.dtype, key)
        assert.are.same(e.shape, a.shape, key)
        local s = a.dtype:match("complex") and a.real:sum():item() or a:astype("float64"):sum():item()
        if not (s == e.values[1] or (s ~= s and e.values[1] ~= e.values[1])) then
          h.close(e.values[1], s, 1e-9)
        end
        n = n + 1
      end
    end
    if n == 0 then pending("python3-skimage is not installed") end
  end)
  it("a Fortran-ordered file loads as a Fortran-ordered view (its transpose is C-contiguous)", function()
    local a = lu.load(P("np_float64_f.npy"), {device = "cpu"})
    assert.are.same({8, 24}, a.strides)
  end)
end)

describe("files lunar writes", function()
  it("load in NumPy: every dtype, C, Fortran, transposed and strided sources, .npz, text", function()
    local man = {}
    local function note(name, dt, key, shape, order)
      man[#man + 1] = table.concat({name, dt, key or "-", #shape > 0 and table.concat(shape, "x") or "-",
                                    order or "C"}, " ")
    end
    for _, dev in ipairs(lu.devices()) do
      local tag = dev:gsub(":", "")
      for _, dt in ipairs(DTYPES) do
        local a = made(dt, {3, 4}, dev)
        lu.save(P(("lunar_%s_%s_c.npy"):format(tag, dt)), a)
        note(("lunar_%s_%s_c.npy"):format(tag, dt), dt, nil, {3, 4})
        -- a Fortran-ordered array (the transpose of a C array) keeps its order
        local f = made(dt, {3, 4}, dev).T:copy().T
        lu.save(P(("lunar_%s_%s_f.npy"):format(tag, dt)), f)
        note(("lunar_%s_%s_f.npy"):format(tag, dt), dt, nil, {3, 4}, dt == "bool" and "C" or "F")
        -- a strided view: every other row of a (6, 4) array
        local big = lu.zeros({6, 4}, {dtype = dt, device = dev})
        big[{{1, -1, 2}, {}}] = a
        lu.save(P(("lunar_%s_%s_s"):format(tag, dt)), big[{{1, -1, 2}, {}}])   -- .npy added
        note(("lunar_%s_%s_s.npy"):format(tag, dt), dt, nil, {3, 4})
      end
      lu.savez(P("lunar_" .. tag .. "_z"), made("int16", {6}, dev), {y = made("complex64", {2, 2}, dev)})
      note("lunar_" .. tag .. "_z.npz", "int16", "arr_0", {6})
      note("lunar_" .. tag .. "_z.npz", "complex64", "y", {2, 2})
      lu.savez_compressed(P("lunar_" .. tag .. "_zc.npz"), {a = made("float32", {5}, dev), b = made("bool", {3}, dev)})
      note("lunar_" .. tag .. "_zc.npz", "float32", "a", {5})
      note("lunar_" .. tag .. "_zc.npz", "bool", "b", {3})
      lu.savetxt(P("lunar_" .. tag .. "_t.txt"), made("float64", {3, 4}, dev))
      note("lunar_" .. tag .. "_t.txt", "float64", nil, {3, 4})
      lu.savetxt(P("lunar_" .. tag .. "_t.txt.gz"), made("int32", {3, 4}, dev), {fmt = "%d", delimiter = ","})
    end
    local f = assert(io.open(P("lunar_manifest.txt"), "w"))
    f:write(table.concat(man, "\n"), "\n")
    f:close()
    local p = io.popen(PY .. " tests/io/gen_fixtures.py check '" .. dir .. "'")
    local out = p:read("a")
    p:close()
    local ok = select(2, out:gsub("OK ", ""))
    assert.are.equal("", (out:gsub("OK [^\n]*\n", "")))
    assert.are.equal(#man, ok)
  end)

  for _, dev in ipairs(lu.devices()) do
    it("round trip through .npy for every dtype and layout on " .. dev, function()
      for _, dt in ipairs(DTYPES) do
        local base = made(dt, {4, 6}, dev)
        local views = {base, base.T, base[{{}, {-1, 1, -1}}], base[{{1, -1, 2}, {2, 5}}],
                       base:reshape(2, 3, 4), lu.zeros({0, 3}, {dtype = dt, device = dev}),
                       made(dt, {1}, dev):reshape({})}
        for k, v in ipairs(views) do
          lu.save(P("rt.npy"), v)
          local b = lu.load(P("rt.npy"), {device = dev})
          local want = dt == "bfloat16" and v:astype("float32") or v
          assert.are.equal(want.dtype, b.dtype, dt .. " view " .. k)
          assert.are.same(v.shape, b.shape)
          assert.is_true(lu.array_equal(want, b), dt .. " view " .. k)
        end
      end
    end)
    it("round trip through .npz (stored and deflated) on " .. dev, function()
      for _, save in ipairs{lu.savez, lu.savez_compressed} do
        local arrs = {}
        for _, dt in ipairs(DTYPES) do arrs[dt] = made(dt, {2, 3}, dev).T end
        save(P("rt.npz"), arrs)
        local t = lu.load(P("rt.npz"), {device = dev})
        for _, dt in ipairs(DTYPES) do
          local want = dt == "bfloat16" and arrs[dt]:astype("float32") or arrs[dt]
          assert.is_true(lu.array_equal(want, t[dt]), dt)
          assert.are.equal(dev, t[dt].device)
        end
      end
    end)
  end

  it("savez names positional arrays arr_0, arr_1 ...; a name used twice is an error", function()
    lu.savez(P("pos.npz"), lu.arange(2), lu.ones(3))
    local t = lu.load(P("pos.npz"), {device = "cpu"})
    assert.is_true(lu.array_equal(t.arr_0, lu.arange(2, {device = "cpu"})))
    assert.is_true(lu.array_equal(t.arr_1, lu.ones(3, {device = "cpu"})))
    assert.are.equal("lunar.savez: cannot use un-named variables and keyword arr_0",
                     h.err_of(lu.savez, P("dup.npz"), lu.ones(1), {arr_0 = lu.ones(1)}))
    -- an archive of nothing is a valid (empty) zip
    lu.savez(P("none.npz"))
    assert.are.same({}, lu.load(P("none.npz")))
  end)

  it("save adds .npy and savez .npz to a name without them, as NumPy", function()
    lu.save(P("noext"), lu.ones(2))
    assert.is_true(lu.array_equal(lu.load(P("noext.npy")), lu.ones(2)))
    lu.savez(P("noext2"), lu.ones(2))
    assert.is_true(lu.array_equal(lu.load(P("noext2.npz")).arr_0, lu.ones(2)))
  end)
end)

describe("mmap_mode", function()
  it("maps a .npy file (C and Fortran order) into a CPU array", function()
    for _, name in ipairs{"np_float64_c.npy", "np_int16_f.npy", "np_v2.npy", "np_complex128_c.npy"} do
      local a = lu.load(P(name), {mmap_mode = "r"})
      assert.are.equal("cpu", a.device)
      same_as(a, expect[name])
    end
  end)
  it("writes reach only the process's copy, never the file", function()
    local before = readfile("np_float64_c.npy")
    local a = lu.load(P("np_float64_c.npy"), "c")
    a[{1, 1}] = 99
    assert.are.equal(99, a[{1, 1}])
    a = nil
    collectgarbage(); collectgarbage()
    assert.are.equal(before, readfile("np_float64_c.npy"))
    same_as(lu.load(P("np_float64_c.npy"), "r"), expect["np_float64_c.npy"])
  end)
  it("errors: other byte order, writing modes, a GPU device", function()
    assert.matches("mmap_mode: the file's data is in the other byte order",
                   h.err_of(lu.load, P("np_float64_be.npy"), "r"), nil, true)
    assert.matches("mmap_mode 'r+' would write to the file", h.err_of(lu.load, P("np_v1.npy"), "r+"), nil, true)
    assert.matches("mmap_mode must be 'r', 'c', 'r+' or 'w+', got 'x'", h.err_of(lu.load, P("np_v1.npy"), "x"), nil, true)
    for _, g in ipairs(h.gpus()) do
      assert.matches("device must be 'cpu'", h.err_of(lu.load, P("np_v1.npy"), {mmap_mode = "r", device = g}), nil, true)
    end
  end)
end)

describe("text", function()
  for _, dev in ipairs(lu.devices()) do
    it("the scikit-learn CSVs load in one call each, as NumPy loads them, on " .. dev, function()
      local skl = "/usr/lib/python3/dist-packages/sklearn/datasets/data/"
      for name, kw in pairs{["iris.csv"] = {delimiter = ",", skiprows = 1},
                            ["wine_data.csv"] = {delimiter = ",", skiprows = 1},
                            ["digits.csv.gz"] = {delimiter = ","}} do
        local e = expect["skl:" .. name]
        if e then
          kw.device = dev
          local a = lu.loadtxt(skl .. name, kw)
          assert.are.equal(dev, a.device)
          local v = e.values
          assert.are.same({v[1], v[2]}, a.shape)
          h.close(v[3], a:sum():item(), 1e-12)
          h.close(v[4], a[1]:sum():item(), 1e-12)
          h.close(v[5], a[-1]:sum():item(), 1e-12)
          h.close(v[6], a[{{}, -1}]:sum():item(), 1e-12)
        end
      end
    end)
    it("savetxt output of NumPy reads back (plain and gzip) on " .. dev, function()
      same_as(lu.loadtxt(P("np_text.txt"), {device = dev}), expect["np_text.txt"])
      same_as(lu.loadtxt(P("np_text.csv.gz"), {delimiter = ",", device = dev}), expect["np_text.txt"])
    end)
  end

  it("loadtxt: delimiters, comments, skiprows, usecols (1-based), max_rows, dtype", function()
    writefile("a.txt", "# head\n1 2 3\n\n4  5\t6 # tail\n7 8 9\n")
    assert.are.same({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, lu.loadtxt(P("a.txt")):totable())
    assert.are.same({{4, 6}, {7, 9}}, lu.loadtxt(P("a.txt"), {skiprows = 2, usecols = {1, -1}}):totable())
    assert.are.same({2, 5}, lu.loadtxt(P("a.txt"), {usecols = 2, max_rows = 2}):totable())
    assert.are.equal("int32", lu.loadtxt(P("a.txt"), "int32").dtype)
    writefile("b.csv", "1, 2.5 ,-3e2\n//x\n4,nan,inf\n")
    local b = lu.loadtxt(P("b.csv"), {delimiter = ",", comments = "//"})
    assert.are.same({2, 3}, b.shape)
    assert.are.equal(-300, b[{1, 3}])
    assert.is_true(b[{2, 2}] ~= b[{2, 2}])
    assert.are.equal(1 / 0, b[{2, 3}])
    writefile("c.txt", "1+2j 3\n-1.5-0.5j (2+0j)\n")
    local c = lu.loadtxt(P("c.txt"), "complex128")
    assert.are.same({{1, -1.5}, {3, 2}}, c.real.T:totable())
    assert.are.same({2, -0.5}, c.imag[{{}, 1}]:totable())
  end)

  it("loadtxt: ndmin and unpack follow NumPy's shapes", function()
    writefile("row.txt", "1 2 3\n")
    writefile("col.txt", "1\n2\n3\n")
    assert.are.same({3}, lu.loadtxt(P("row.txt")).shape)
    assert.are.same({1, 3}, lu.loadtxt(P("row.txt"), {ndmin = 2}).shape)
    assert.are.same({3, 1}, lu.loadtxt(P("col.txt"), {ndmin = 2}).shape)
    writefile("one.txt", "5\n")
    assert.are.same({}, lu.loadtxt(P("one.txt")).shape)
    writefile("xy.txt", "1 10\n2 20\n3 30\n")
    local x, y = lu.loadtxt(P("xy.txt"), {unpack = true})
    assert.are.same({1, 2, 3}, x:totable())
    assert.are.same({10, 20, 30}, y:totable())
    writefile("empty.txt", "# nothing\n")
    assert.are.same({0}, lu.loadtxt(P("empty.txt")).shape)
  end)

  it("rows as short as a file allows: empty fields, repeated usecols", function()
    writefile("short.csv", (",,\n"):rep(50))
    local g = lu.genfromtxt(P("short.csv"), {delimiter = ",", filling_values = 2})
    assert.are.same({50, 3}, g.shape)
    assert.are.equal(300, g:sum():item())
    writefile("ones.txt", ("1\n"):rep(40))
    assert.are.same({40, 4}, lu.loadtxt(P("ones.txt"), {usecols = {1, 1, 1, 1}}).shape)
  end)

  it("genfromtxt: missing and invalid fields as filling_values (NaN), names", function()
    writefile("g.csv", "a, b\n1,abc\n2,3\n,4\n")
    local g, names = lu.genfromtxt(P("g.csv"), {delimiter = ",", names = true})
    assert.are.same({"a", "b"}, names)
    local t = g:totable()
    assert.are.equal(1, t[1][1]); assert.is_true(t[1][2] ~= t[1][2])
    assert.is_true(t[3][1] ~= t[3][1]); assert.are.equal(4, t[3][2])
    local f = lu.genfromtxt(P("g.csv"), {delimiter = ",", skip_header = 1, filling_values = -7})
    assert.are.same({{1, -7}, {2, 3}, {-7, 4}}, f:totable())
    local i = lu.genfromtxt(P("g.csv"), {delimiter = ",", skip_header = 1, dtype = "int64"})
    assert.are.same({{1, -1}, {2, 3}, {-1, 4}}, i:totable())
    assert.are.same({"b"}, select(2, lu.genfromtxt(P("g.csv"), {delimiter = ",", names = true, usecols = {2}})))
  end)

  it("savetxt: fmt (one, per column, whole row), delimiter, header, footer, complex, 1-d", function()
    lu.savetxt(P("s1.txt"), lu.array{{1, 2}, {3, 4}}, {fmt = "%d", delimiter = ",", header = "x,y", footer = "end"})
    assert.are.equal("# x,y\n1,2\n3,4\n# end\n", readfile("s1.txt"))
    lu.savetxt(P("s2.txt"), lu.array{{1.5, 2}}, {fmt = {"%.1f", "%5d"}})
    assert.are.equal("1.5     2\n", readfile("s2.txt"))
    lu.savetxt(P("s3.txt"), lu.array{{1.25, 2}}, "%.2f|%g")
    assert.are.equal("1.25|2\n", readfile("s3.txt"))
    lu.savetxt(P("s4.txt"), lu.array({lu.complex(1, -2)}, "complex128"), "%.1f")
    assert.are.equal(" (1.0-2.0j)\n", readfile("s4.txt"))
    lu.savetxt(P("s5.txt"), lu.array{0 / 0, 1 / 0, -1 / 0, 0.1})
    assert.are.equal("nan\ninf\n-inf\n1.000000000000000056e-01\n", readfile("s5.txt"))
    lu.savetxt(P("s6.txt"), lu.array{0.1, 1e16}, {fmt = "%s", newline = ";"})
    assert.are.equal("0.1;1e+16;", readfile("s6.txt"))
    -- Python's % on integers: a sign before the width's padding, -ff for hex
    lu.savetxt(P("s7.txt"), lu.array{{-3, 255, -255, 7}}, "%4d|%+d|%x|%-3o.")
    assert.are.equal("  -3|+255|-ff|7  .\n", readfile("s7.txt"))
    lu.savetxt(P("s8.txt"), lu.array({{-2.7, 18446744073709551615}}, "float64"), "%d %.0f")
    assert.are.equal("-2 18446744073709551616\n", readfile("s8.txt"))
  end)

  it("errors name the function, the line and the field", function()
    writefile("bad1.txt", "1 2\n3\n")
    assert.are.equal("lunar.loadtxt: the number of columns changed from 2 to 1 at line 2; use `usecols` to select a subset and avoid this error",
                     h.err_of(lu.loadtxt, P("bad1.txt")))
    writefile("bad2.txt", "1 x\n")
    assert.are.equal("lunar.loadtxt: could not convert string 'x' to float64 at line 1, column 2",
                     h.err_of(lu.loadtxt, P("bad2.txt")))
    assert.are.equal("lunar.genfromtxt: line 2 has 1 columns instead of 2", h.err_of(lu.genfromtxt, P("bad1.txt")))
    writefile("bad3.txt", "300\n")
    assert.are.equal("lunar.loadtxt: could not convert string '300' to int8 at line 1, column 1",
                     h.err_of(lu.loadtxt, P("bad3.txt"), "int8"))
    assert.matches("cannot open '.*nope.txt': No such file or directory", h.err_of(lu.loadtxt, P("nope.txt")))
    assert.matches("delimiter must be one character", h.err_of(lu.loadtxt, P("bad1.txt"), {delimiter = ",,"}))
    assert.matches("usecols: column 5 is out of range for 2 columns", h.err_of(lu.loadtxt, P("bad1.txt"), {usecols = 5}))
    assert.matches("unknown option 'bogus'", h.err_of(lu.loadtxt, P("bad1.txt"), {bogus = 1}))
    assert.matches("Expected 1D or 2D array, got 3D array instead", h.err_of(lu.savetxt, P("x.txt"), lu.zeros(2, 2, 2)))
    assert.matches("fmt has wrong number of %% formats", h.err_of(lu.savetxt, P("x.txt"), lu.zeros(2, 3), "%d %d"))
    assert.matches("invalid fmt: '%%n'", h.err_of(lu.savetxt, P("x.txt"), lu.zeros(2), "%n"))
    assert.matches("cannot format nan with '%%d'", h.err_of(lu.savetxt, P("x.txt"), lu.array{0 / 0}, "%d"))
  end)
end)

describe("raw bytes", function()
  for _, dev in ipairs(lu.devices()) do
    it("a:tofile and lunar.fromfile (binary and text, count, offset) on " .. dev, function()
      for _, dt in ipairs(DTYPES) do
        local a = made(dt, {2, 5}, dev)
        a.T:tofile(P("raw.bin"))
        local b = lu.fromfile(P("raw.bin"), dt, {device = dev})
        assert.are.equal(dev, b.device)
        assert.is_true(lu.array_equal(a.T:flatten(), b), dt)
        assert.are.equal(a.T:tobytes(), readfile("raw.bin"))
        local c = lu.fromfile(P("raw.bin"), dt, 3, {offset = 2 * lu.zeros(1, dt).itemsize, device = dev})
        assert.is_true(lu.array_equal(a.T:flatten()[{{3, 5}}], c), dt)
      end
      local t = lu.array({1.5, -2, 0.1}, {device = dev})
      t:tofile(P("raw.txt"), ", ")
      assert.are.equal("1.5, -2.0, 0.1", readfile("raw.txt"))
      assert.is_true(lu.array_equal(t, lu.fromfile(P("raw.txt"), {sep = ",", device = dev})))
      lu.array({1, 2}, {dtype = "int32", device = dev}):tofile(P("raw.txt"), " ", "%5.2f")
      assert.are.equal(" 1.00  2.00", readfile("raw.txt"))
      assert.are.same({1, 2}, lu.fromfile(P("raw.txt"), "int32", {sep = " "}):totable())
    end)
  end
  it("fromfile: count past the end gives what there is; errors", function()
    lu.arange(5):tofile(P("five.bin"))
    assert.are.equal(5, #lu.fromfile(P("five.bin"), "int64", 10))
    assert.are.equal(19, #lu.fromfile(P("five.bin"), "int16", {offset = 1}))
    assert.matches("offset 99 is past the end", h.err_of(lu.fromfile, P("five.bin"), {offset = 99}))
    assert.matches("offset must be non%-negative", h.err_of(lu.fromfile, P("five.bin"), {offset = -1}))
    writefile("words.txt", "1 2 x")
    assert.matches("cannot read item 3 %('x'%) as float64", h.err_of(lu.fromfile, P("words.txt"), {sep = " "}))
    assert.matches("file name contains a zero byte", h.err_of(lu.fromfile, "a\0b"))
    assert.matches("is a directory", h.err_of(lu.fromfile, dir))
  end)
end)

-- {===== malformed files: each refused with a clear error, no crash
describe("malformed files", function()
  local function npy_bytes(descr, fortran, shape, data, version)
    if not descr:match("^['\"]") then descr = "'" .. descr .. "'" end   -- quoted unless it is
    local dict = ("{'descr': %s, 'fortran_order': %s, 'shape': %s, }"):format(descr, fortran, shape)
    version = version or 1
    local pre = version == 1 and 10 or 12
    local total = (pre + #dict + 1 + 63) // 64 * 64
    local hl = total - pre
    local head = "\x93NUMPY" .. string.char(version, 0) ..
                 (version == 1 and string.pack("<I2", hl) or string.pack("<I4", hl)) ..
                 dict .. (" "):rep(total - pre - #dict - 1) .. "\n"
    return head .. data
  end
  local count = 0
  local function refused(name, bytes, pattern, fn)
    writefile(name, bytes)
    local e = h.err_of(fn or lu.load, P(name))
    assert(e, name .. ": no error")
    assert(e:match("^lunar%.%a+"), name .. ": the error does not name the function: " .. e)
    if pattern then assert(e:find(pattern, 1, true), name .. ": " .. e) end
    count = count + 1
  end

  it("truncated .npy files: at every byte of the preamble, header and data", function()
    local good = npy_bytes("<f8", "False", "(3,)", string.pack("<ddd", 1, 2, 3))
    writefile("good.npy", good)
    assert.are.same({1, 2, 3}, lu.load(P("good.npy")):totable())
    for k = 0, #good - 1 do
      refused("trunc.npy", good:sub(1, k), k == 0 and "is empty" or "truncated")
    end
    local good2 = npy_bytes("<i4", "True", "(2, 2)", string.pack("<i4i4i4i4", 1, 2, 3, 4), 2)
    for k = 1, #good2 - 1, 3 do refused("trunc2.npy", good2:sub(1, k), "truncated") end
  end)

  it("bad magic, versions, header lengths and headers", function()
    local d = string.pack("<d", 1)
    refused("m1.npy", "\x93NUMPX\1\0" .. ("x"):rep(60), "not a .npy or .npz file")
    refused("m2.npy", "\x80\4\x95" .. ("x"):rep(60), "never unpickles")
    refused("m3.npy", "hello world", "not a .npy or .npz file")
    for _, v in ipairs{{0, 0}, {1, 1}, {4, 0}, {255, 255}, {2, 1}} do
      local b = npy_bytes("<f8", "False", "(1,)", d):gsub("^(\x93NUMPY)..", "%1" .. string.char(v[1], v[2]))
      refused("ver.npy", b, "unsupported .npy format version")
    end
    refused("hl1.npy", "\x93NUMPY\2\0" .. string.pack("<I4", 0xffffffff) .. "{", "more than NumPy allows")
    refused("hl2.npy", "\x93NUMPY\1\0" .. string.pack("<I2", 65535) .. ("{"):rep(100), "more than NumPy allows")
    local headers = {
      {"'<f8'", "False", "(1,)", nil},
      {"'|O'", "False", "(1,)", "never unpickles"},
      {"'<f3'", "False", "(1,)", "not supported"},
      {"'<f16'", "False", "(1,)", "not supported"},
      {"'|S10'", "False", "(1,)", "not supported"},
      {"'<U3'", "False", "(1,)", "not supported"},
      {"'<M8[s]'", "False", "(1,)", "unsupported dtype descr"},
      {"'|V8'", "False", "(1,)", "not supported"},
      {"'<i'", "False", "(1,)", "unsupported dtype descr"},
      {"''", "False", "(1,)", "unsupported dtype descr"},
      {"'<f8", "False", "(1,)", "lunar.load"},
      {"'<f8'", "Flase", "(1,)", "'fortran_order' must be True or False"},
      {"'<f8'", "1", "(1,)", "'fortran_order' must be True or False"},
      {"'<f8'", "False", "(1)", "a one-element tuple"},
      {"'<f8'", "False", "[1]", "'shape' must be a tuple"},
      {"'<f8'", "False", "(-1,)", "non-negative integers"},
      {"'<f8'", "False", "(1.5,)", "non-negative integers"},
      {"'<f8'", "False", "(99999999999999999999,)", "too big"},
      {"'<f8'", "False", "(4611686018427387904, 4611686018427387904)", "too big"},
      {"'<f8'", "False", "(4294967296, 4294967296)", "too big"},
      {"'<f8'", "False", "(1152921504606846976,)", "too big"},
      {"'<f8'", "False", "(1000000000000,)", "truncated file"},
      {"'<f8'", "False", "(" .. ("1, "):rep(17) .. ")", "more than 16 dimensions"},
      {"'<f8'", "False", "(1,,)", "non-negative integers"},
      {"'<f8'", "False", "(1, 2", "'shape' must be a tuple"},
    }
    for i, hd in ipairs(headers) do
      local b = npy_bytes(hd[1], hd[2], hd[3], d)
      if hd[4] then refused("hd" .. i .. ".npy", b, hd[4])
      else writefile("hd.npy", b); assert.are.same({1}, lu.load(P("hd.npy")):totable()) end
    end
    -- dicts that are not NumPy's
    local dicts = {
      "[1, 2]", "{}", "{'descr': '<f8'}", "{'descr': '<f8', 'fortran_order': False}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}",
      "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
      "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} extra",
      "{'descr': '<f8' 'fortran_order': False, 'shape': (1,)}",
      "{descr: '<f8', 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f\\x38', 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)\0}",
      "", "\n", "{",
    }
    for i, s in ipairs(dicts) do
      local hl = (10 + #s + 1 + 63) // 64 * 64 - 10
      local b = "\x93NUMPY\1\0" .. string.pack("<I2", hl) .. s .. (" "):rep(hl - #s - 1) .. "\n" .. d
      refused("dict" .. i .. ".npy", b, "lunar.load: ")
    end
    -- a bool file whose bytes are not 0/1 loads as NumPy's truth values
    writefile("bool.npy", npy_bytes("|b1", "False", "(3,)", "\0\2\255"))
    assert.are.same({false, true, true}, lu.load(P("bool.npy")):totable())
  end)

  it("allow_pickle and object arrays are refused naming the reason", function()
    assert.matches("lunar never unpickles", h.err_of(lu.load, P("np_v1.npy"), {allow_pickle = true}))
  end)

  -- a zip built by hand: entries (name, stored or deflated bytes, declared sizes)
  local function crc32(s)
    local crc = 0xffffffff
    for i = 1, #s do
      crc = crc ~ s:byte(i)
      for _ = 1, 8 do crc = (crc >> 1) ~ (0xedb88320 & -(crc & 1)) end
    end
    return crc ~ 0xffffffff
  end
  local function zip(entries, opts)
    opts = opts or {}
    local out, cd = {}, {}
    local off = 0
    for _, e in ipairs(entries) do
      local method = e.method or 0
      local crc = e.crc or crc32(e.raw or e.data)
      local usize = math.min(e.usize or #(e.raw or e.data), 0xffffffff)
      local lh = string.pack("<I4I2I2I2I2I2I4I4I4I2I2", 0x04034b50, 20, 0, method, 0, 0, crc,
                             #e.data, usize, #e.name, 0) .. e.name
      cd[#cd + 1] = string.pack("<I4I2I2I2I2I2I2I4I4I4I2I2I2I2I2I4I4", 0x02014b50, 20, 20, 0, method,
                                0, 0, crc, #e.data, usize, #e.name, 0, 0, 0, 0, 0,
                                e.offset or off) .. e.name
      out[#out + 1] = lh .. e.data
      off = off + #lh + #e.data
    end
    local cds = table.concat(cd)
    local eocd = string.pack("<I4I2I2I2I2I4I4I2", 0x06054b50, 0, 0, #entries, #entries, #cds,
                             opts.cdoff or off, 0)
    return table.concat(out) .. cds .. eocd
  end

  it("zip archives: bombs, bad offsets, bad CRCs, truncations", function()
    local arr = npy_bytes("<f8", "False", "(2,)", string.pack("<dd", 1, 2))
    writefile("okzip.npz", zip{{name = "a.npy", data = arr}})
    assert.are.same({1, 2}, lu.load(P("okzip.npz")).a:totable())
    -- a deflated entry that declares 2^40 bytes from 100
    refused("bomb1.npz", zip{{name = "a.npy", data = ("\0"):rep(100), method = 8, usize = 0xfffffff0, crc = 0}},
            "zip bomb")
    refused("bomb2.npz", zip{{name = "a.npy", data = ("\0"):rep(100), method = 8, usize = 0xffffffff, crc = 0}},
            "lunar.load")
    -- a stored entry declaring more than it stores
    refused("st1.npz", zip{{name = "a.npy", data = arr, usize = #arr + 1000}}, "lunar.load")
    -- a .npy header that claims more than the entry holds
    refused("st2.npz", zip{{name = "a.npy", data = npy_bytes("<f8", "False", "(1000000000,)", "")}}, "truncated")
    -- bad CRC, bad offsets, unknown methods
    refused("crc.npz", zip{{name = "a.npy", data = arr, crc = 12345}}, "lunar.load")
    refused("off1.npz", zip({{name = "a.npy", data = arr}}, {cdoff = 99999}), "not a readable zip archive")
    refused("off2.npz", zip{{name = "a.npy", data = arr, offset = 5000}}, "lunar.load")
    refused("off3.npz", zip{{name = "a.npy", data = arr, offset = 3}}, "lunar.load")
    refused("meth.npz", zip{{name = "a.npy", data = arr, method = 12}}, "compression method")
    refused("inner.npz", zip{{name = "a.npy", data = "not npy at all"}}, "not a .npy file")
    -- every 7th truncation of a valid archive made by NumPy
    local z = readfile("np_deflated.npz")
    for k = 4, #z - 1, 7 do refused("zt.npz", z:sub(1, k), "lunar.load") end
    -- flipped bytes inside the deflated stream of NumPy's archive
    for k = 60, 140, 8 do
      local b = z:sub(1, k - 1) .. string.char(z:byte(k) ~ 0x5a) .. z:sub(k + 1)
      writefile("flip.npz", b)
      local ok, e = pcall(lu.load, P("flip.npz"))
      assert(ok or e:match("lunar%.load"), e)
      count = count + 1
    end
  end)

  it("malformed text files", function()
    local cases = {
      {"1,2\n3\n", "the number of columns changed"},
      {"1,2\n3,4,5\n", "the number of columns changed"},
      {"1,\n", "could not convert string ''"},
      {",1\n", "could not convert string ''"},
      {"1,--2\n", "could not convert string '--2'"},
      {"1,2e\n", "could not convert string '2e'"},
      {"1,0x\n", "could not convert string '0x'"},
      {"1,2 3\n", "could not convert string '2 3'"},
      {"1\0,2\n", "could not convert"},
      {"\xff\xfe1,2\n", "could not convert"},
      {"1,1e99999\n2,3\n", nil},
      {"1.5.5,2\n", "could not convert"},
      {"nan,infx\n", "could not convert string 'infx'"},
      {"+,2\n", "could not convert string '+'"},
      {"1,2\r\n3,4\r\n", nil},
      {("9"):rep(400) .. ",1\n", nil},
      {"1," .. ("1"):rep(5000) .. "x\n", "could not convert"},
    }
    for i, c in ipairs(cases) do
      writefile("t" .. i .. ".csv", c[1])
      local ok, e = pcall(lu.loadtxt, P("t" .. i .. ".csv"), {delimiter = ","})
      if c[2] then
        assert(not ok, "text case " .. i .. ": no error")
        assert(e:find(c[2], 1, true) and e:find("lunar.loadtxt", 1, true), "text case " .. i .. ": " .. e)
        count = count + 1
      else
        assert(ok, "text case " .. i .. ": " .. tostring(e))
      end
    end
    -- integer columns: out of range and non-integral values
    for i, s in ipairs{"128", "-129", "1.5", "1e30", "nan", "99999999999999999999", "-1"} do
      writefile("i.txt", s .. "\n")
      local dt = s == "-1" and "uint8" or "int8"
      assert.matches("could not convert string", h.err_of(lu.loadtxt, P("i.txt"), dt))
      count = count + 1
    end
    -- a truncated and a damaged gzip file
    local gz = readfile("np_text.csv.gz")
    for k = 11, #gz - 1, 9 do
      writefile("tz.csv.gz", gz:sub(1, k))
      local ok, e = pcall(lu.loadtxt, P("tz.csv.gz"), {delimiter = ","})
      assert(ok or e:match("^lunar%.loadtxt"), e)
      count = count + 1
    end
  end)

  it("at least 200 malformed files were refused", function()
    assert(count >= 200, "only " .. count .. " malformed files")
  end)
end)
-- }=====
