-- SPDX-License-Identifier: MIT
-- lunar.plot through gnuplot: PNG files read back with lunar.image.read
-- (size, pixels drawn, the colors asked for), the text terminal's output,
-- figures of several series, and the errors.
local lu = require "lunar"
local h = require "tests.helper"

local function has_gnuplot()
  local f = io.popen("command -v gnuplot >/dev/null 2>&1 && echo yes")
  local out = f:read("a")
  f:close()
  return out:match("yes") ~= nil
end
local GNUPLOT = has_gnuplot()

-- the text fn prints (print swapped for the call)
local function printed(fn, ...)
  local saved, got = _G.print, {}
  _G.print = function(...)   -- the global one: busted gives specs an environment of their own
    local t = table.pack(...)
    for i = 1, t.n do got[#got + 1] = tostring(t[i]) end
  end
  local ok, err = pcall(fn, ...)
  _G.print = saved
  assert(ok, err)
  return table.concat(got, "\n")
end

-- pixels of the PNG at path: count that are not white, and count that are
-- strongly red (r > 180, g and b < 90)
local function pixels(path)
  local a = lu.image.read(path, {device = "cpu"}):astype("int32")
  local r, g, b = a[{{}, {}, 1}], a[{{}, {}, 2}], a[{{}, {}, 3}]
  local nonwhite = lu.less(a:sum(3), 765):sum():item()
  local red = lu.logical_and(lu.greater(r, 180), lu.logical_and(lu.less(g, 90), lu.less(b, 90)))
  return a, nonwhite, red:sum():item()
end

describe("lunar.plot", function()
  local dir
  lazy_setup(function()
    local f = io.popen("mktemp -d " .. (os.getenv("TMPDIR") or "/tmp") .. "/lunar-plot-XXXXXX")
    dir = f:read("a"):gsub("%s+$", "")
    f:close()
    assert(dir:match("^/[%w/._-]+$"), "mktemp failed")
  end)
  lazy_teardown(function()
    if dir and dir:match("^/[%w/._-]+lunar%-plot%-[%w]+$") then os.execute("rm -rf " .. dir) end
  end)

  for _, dev in ipairs(lu.devices()) do
    it("draws a line plot to a PNG file of the size asked for (" .. dev .. ")", function()
      if not GNUPLOT then pending("gnuplot-nox is not installed") return end
      local x = lu.linspace(0, 2 * math.pi, 100, {device = dev})
      local p = dir .. "/line.png"
      lu.plot.line(lu.sin(x), x, {title = "sine", xlabel = "t", ylabel = "sin t", out = p,
                                  color = "red", width = 3, size = {400, 300}})
      local a, nonwhite, red = pixels(p)
      assert.are.same({300, 400}, {a.shape[1], a.shape[2]})
      -- axes, labels and the curve drawn; most of the picture still white
      assert.is_true(nonwhite > 1500 and nonwhite < 0.5 * 300 * 400, "non-white pixels: " .. nonwhite)
      assert.is_true(red > 300, "red pixels: " .. red)
      lu.plot.line({1, 4, 9, 16}, {out = p})   -- Lua tables, x = 0, 1, 2, ...
      local b = pixels(p)
      assert.are.same({480, 640}, {b.shape[1], b.shape[2]})
    end)

    it("draws scatter, histogram and image plots (" .. dev .. ")", function()
      if not GNUPLOT then pending("gnuplot-nox is not installed") return end
      local A = h.on(dev)
      local p = dir .. "/s.png"
      lu.plot.scatter(A{1, 2, 3, 4, 5}, A{2, 4, 1, 5, 3}, {out = p, color = "#ff0000", width = 2})
      local _, nonwhite, red = pixels(p)
      assert.is_true(nonwhite > 1000, "scatter: " .. nonwhite)
      assert.is_true(red > 50, "scatter red: " .. red)
      lu.plot.hist(A{1, 2, 2, 3, 3, 3, 4, 4, 4, 4}, 4, {out = p, color = "red", title = "h"})
      _, nonwhite, red = pixels(p)
      assert.is_true(red > 2000, "histogram boxes: " .. red)
      -- an image: a red square on black, drawn as colors
      local img = lu.zeros({20, 20, 3}, {dtype = "uint8", device = dev})
      img[{{5, 15}, {5, 15}, 1}] = 255
      lu.plot.imshow(img, {out = p})
      _, nonwhite, red = pixels(p)
      assert.is_true(red > 5000, "imshow red: " .. red)
      lu.plot.imshow(lu.arange(12, {device = dev}):reshape(3, 4), {out = p, cmap = "hot", vmin = 0})
      _, nonwhite = pixels(p)
      assert.is_true(nonwhite > 20000, "imshow gray: " .. nonwhite)
    end)
  end

  it("takes axis limits, log scales, densities and color maps", function()
    if not GNUPLOT then pending("gnuplot-nox is not installed") return end
    local p = dir .. "/o.png"
    lu.plot.line(lu.arange(1, 11) ^ 2, lu.arange(1, 11), {out = p, logx = true, logy = true,
      xlim = {1, 10}, ylim = {1, 100}, grid = true, style = "steps", color = "red"})
    local _, nonwhite, red = pixels(p)
    assert.is_true(nonwhite > 1500 and red > 100, nonwhite .. " " .. red)
    lu.plot.hist(lu.arange(100) % 7, {bins = 7, range = {0, 7}, density = true, out = p, label = "d"})
    _, nonwhite = pixels(p)
    assert.is_true(nonwhite > 5000, "density histogram: " .. nonwhite)
    local fig = lu.plot.figure{title = "maps", size = {300, 300}}
    fig:imshow(lu.arange(64):reshape(8, 8), {cmap = "viridis", vmin = 0, vmax = 63})
    fig:save(p)
    local a = lu.image.read(p)
    assert.are.same({300, 300}, {a.shape[1], a.shape[2]})
  end)

  it("prints a text plot with its title and labels when no file is given", function()
    if not GNUPLOT then pending("gnuplot-nox is not installed") return end
    local t = printed(lu.plot.line, lu.arange(10) ^ 2, {title = "squares", label = "n^2"})
    assert.is_truthy(t:find("squares", 1, true))
    assert.is_truthy(t:find("n^2", 1, true))
    assert.is_truthy(t:find("*", 1, true))
    assert.is_true(#t > 500)
    -- sixel graphics: a DCS sequence ("ESC P ... q" then the picture)
    t = printed(lu.plot.line, {1, 2, 3}, {term = "sixel", size = {200, 100}})
    assert.is_truthy(t:find("^\27P[%d;]*q"), ("%q"):format(t:sub(1, 20)))
    assert.is_truthy(t:find("\27\\", 1, true))
    t = printed(lu.plot.hist, lu.array{1, 1, 2}, {title = "counts", size = {60, 15}})
    assert.is_truthy(t:find("counts", 1, true))
    local width = 0
    for l in t:gmatch("[^\n]+") do width = math.max(width, #l) end
    assert.is_true(width <= 60, "text plot wider than asked: " .. width)
  end)

  it("draws several series on one figure, to the terminal and to files", function()
    if not GNUPLOT then pending("gnuplot-nox is not installed") return end
    local x = lu.linspace(0, 1, 20)
    local fig = lu.plot.figure{title = "both", xlabel = "x", grid = true}
    assert.are.equal(fig, fig:line(x, x, {label = "linear"}))
    fig:line(x ^ 2, x, {label = "square", style = "linespoints"}):scatter(x, x ^ 3, {label = "cube"})
    assert.are.equal("lunar.plot.figure (3 series)", tostring(fig))
    local t = printed(fig.show, fig)
    for _, w in ipairs{"both", "linear", "square", "cube"} do
      assert.is_truthy(t:find(w, 1, true), w .. " missing from:\n" .. t)
    end
    fig:save(dir .. "/fig.png", {320, 240})
    assert.are.same({240, 320}, {table.unpack(lu.image.read(dir .. "/fig.png").shape, 1, 2)})
    fig:save(dir .. "/fig.svg")
    local f = assert(io.open(dir .. "/fig.svg"))
    assert.is_truthy(f:read("a"):find("<svg", 1, true))
    f:close()
    fig:save(dir .. "/fig.txt")
    f = assert(io.open(dir .. "/fig.txt"))
    assert.is_truthy(f:read("a"):find("square", 1, true))
    f:close()
    -- a 2-D y: one series per column
    t = printed(lu.plot.line, lu.stack({x, x ^ 2}, 2), {label = "col"})
    assert.is_truthy(t:find("col 1", 1, true) and t:find("col 2", 1, true))
  end)

  it("says what is wrong with an argument", function()
    local P, x = lu.plot, lu.arange(5)
    assert.are.equal("lunar.plot.line: bad argument #2 (unknown option 'colour')",
                     h.err_of(P.line, x, {colour = "red"}))
    assert.are.equal("lunar.plot.line: bad argument #2 (style must be \"lines\", \"points\", "
      .. "\"linespoints\", \"steps\" or \"impulses\", got 'dots')", h.err_of(P.line, x, {style = "dots"}))
    assert.are.equal("lunar.plot.line: bad argument #2 (x must be 1-D with y's length 5, got shape (3))",
                     h.err_of(P.line, x, lu.arange(3)))
    assert.are.equal("lunar.plot.line: bad argument #1 (y must be 1-D or 2-D, got 3 dimensions)",
                     h.err_of(P.line, lu.zeros({2, 2, 2})))
    assert.are.equal("lunar.plot.line: bad argument #1 (y must be real, got complex128)",
                     h.err_of(P.line, lu.zeros(3, "complex128")))
    assert.are.equal("lunar.plot.line: bad argument #1 (y must be an array or a table of numbers, got string)",
                     h.err_of(P.line, "abc"))
    assert.are.equal("lunar.plot.line: bad argument #1 (y expected)", h.err_of(P.line))
    assert.are.equal("lunar.plot.line: bad argument #3 (unexpected argument (number); "
      .. "lunar.plot.line takes y [, x] [, opts])", h.err_of(P.line, x, x, 3))
    assert.are.equal("lunar.plot.scatter: x and y must have the same size, got 5 and 4",
                     h.err_of(P.scatter, x, lu.arange(4)))
    assert.are.equal("lunar.plot.hist: bad argument #2 (bins must be an integer in [1, 100000], got 0)",
                     h.err_of(P.hist, x, 0))
    assert.are.equal("lunar.plot.hist: bad argument #2 (unknown option 'style')",
                     h.err_of(P.hist, x, {style = "lines"}))
    assert.are.equal("lunar.plot.imshow: bad argument #1 (img must be a non-empty (H, W), (H, W, 3) "
      .. "or (H, W, 4) array, got shape (2,2,2))", h.err_of(P.imshow, lu.zeros({2, 2, 2})))
    assert.are.equal("lunar.plot.line: bad argument #2 (size must be {width, height} (pixels, or "
      .. "characters for text), got " .. tostring(P) .. ")", h.err_of(P.line, x, {size = P}))
    local fig = P.figure()
    assert.are.equal("lunar.plot.figure:line: bad argument #2 (unknown option 'title')",
                     h.err_of(fig.line, fig, x, {title = "t"}))
    assert.are.equal("lunar.plot.figure:line: bad self (a figure from lunar.plot.figure() expected, "
      .. "use fig:line(...))", h.err_of(fig.line, x))
    assert.are.equal("lunar.plot.figure: bad argument #1 (unknown option 'label')",
                     h.err_of(P.figure, {label = "a"}))
    if GNUPLOT then
      assert.are.equal("lunar.plot.figure:show: the figure has nothing to draw", h.err_of(fig.show, fig))
      local e = h.err_of(P.line, x, {out = dir .. "/no/such/dir/x.png"})
      assert.is_truthy(e:find("^lunar%.plot%.line: gnuplot failed: "), e)
    end
    local saved = P.gnuplot
    P.gnuplot = "no-such-gnuplot"
    local e = h.err_of(P.line, x)
    P.gnuplot = saved
    assert.are.equal("lunar.plot.line: gnuplot was not found ('no-such-gnuplot'); install Debian's "
      .. "gnuplot-nox (apt-get install gnuplot-nox)", e)
  end)
end)
