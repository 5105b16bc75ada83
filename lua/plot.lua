-- SPDX-License-Identifier: MIT
-- lunar.plot: line, scatter, histogram and image plots drawn by gnuplot
-- (Debian's gnuplot-nox), to a PNG or SVG file or to the terminal (text,
-- or sixel graphics). A figure collects series and draws them in one
-- gnuplot run; the one-call functions make a figure of one series. Data
-- goes to gnuplot through temporary text files, removed after each run.
-- Called with the module; returns nothing.
local lu = ...

local mt = getmetatable(lu.zeros(0, {device = "cpu"}))
local function isarray(x) return type(x) == "userdata" and getmetatable(x) == mt end

local P = {gnuplot = "gnuplot"}
lu.plot = P

-- {===== arguments
local function fail(fname, msg) error(("lunar.plot.%s: %s"):format(fname, msg), 0) end

local function is_options(t)
  if type(t) ~= "table" or isarray(t) or next(t) == nil then return false end
  for k in pairs(t) do if type(k) ~= "string" then return false end end
  return true
end

-- the options a figure takes, and those a series takes, with their checks
local function isnum(v) return math.type(v) ~= nil and v == v and v > -math.huge and v < math.huge end
local function isint(v) return math.type(v) == "integer" or (isnum(v) and v == math.floor(v)) end
local function isstr(v) return type(v) == "string" and not v:find("\0", 1, true) end
local function ispair(v)
  return type(v) == "table" and not isarray(v) and isnum(v[1]) and isnum(v[2]) and v[1] < v[2]
end
local function issize(v)
  return type(v) == "table" and not isarray(v) and isint(v[1]) and isint(v[2])
         and v[1] >= 10 and v[2] >= 5 and v[1] <= 20000 and v[2] <= 20000
end
local FIG = {
  title = {isstr, "a string"}, xlabel = {isstr, "a string"}, ylabel = {isstr, "a string"},
  out = {function(v) return isstr(v) and v ~= "" end, "a file name"},
  term = {function(v) return v == "dumb" or v == "sixel" end, '"dumb" or "sixel"'},
  size = {issize, "{width, height} (pixels, or characters for text)"},
  xlim = {ispair, "{low, high}"}, ylim = {ispair, "{low, high}"},
  logx = {function(v) return type(v) == "boolean" end, "a boolean"},
  logy = {function(v) return type(v) == "boolean" end, "a boolean"},
  grid = {function(v) return type(v) == "boolean" end, "a boolean"},
}
local STYLES = {lines = true, points = true, linespoints = true, steps = true, impulses = true}
local SERIES = {
  label = {isstr, "a string"},
  color = {function(v) return isstr(v) and v:match("^[#%w]+$") ~= nil end,
           'a color name or "#rrggbb"'},
  width = {function(v) return isnum(v) and v > 0 and v <= 100 end, "a number in (0, 100]"},
  style = {function(v) return STYLES[v] ~= nil end,
           '"lines", "points", "linespoints", "steps" or "impulses"'},
  bins = {function(v) return isint(v) and v >= 1 and v <= 100000 end, "an integer in [1, 100000]"},
  range = {ispair, "{low, high}"},
  density = {function(v) return type(v) == "boolean" end, "a boolean"},
  cmap = {function(v) return v == "gray" or v == "viridis" or v == "hot" end,
          '"gray", "viridis" or "hot"'},
  vmin = {isnum, "a number"}, vmax = {isnum, "a number"},
}
-- which series options each kind of series takes
local KINDS = {
  line = {label = 1, color = 1, width = 1, style = 1},
  scatter = {label = 1, color = 1, width = 1},
  hist = {label = 1, color = 1, bins = 1, range = 1, density = 1},
  imshow = {cmap = 1, vmin = 1, vmax = 1},
  figure = {},
}

-- opts split into figure and series options, each checked
local function split(fname, kind, opts, argn, allow_fig)
  local fig, ser = {}, {}
  if opts == nil then return fig, ser end
  for k, v in pairs(opts) do
    local spec = allow_fig and FIG[k] or (KINDS[kind][k] and SERIES[k])
    if not spec then
      fail(fname, ("bad argument #%d (unknown option '%s')"):format(argn, tostring(k)))
    end
    if not spec[1](v) then
      fail(fname, ("bad argument #%d (%s must be %s, got %s)"):format(argn, k, spec[2],
           type(v) == "string" and ("'%s'"):format(v) or tostring(v)))
    end
    if allow_fig and FIG[k] then fig[k] = v else ser[k] = v end
  end
  return fig, ser
end

-- an array or a table of numbers as a float64 array on the CPU
local function host(fname, v, what, argn)
  if type(v) == "table" and not isarray(v) then
    local ok, a = pcall(lu.array, v)
    if not ok then
      fail(fname, ("bad argument #%d (%s must be an array or a table of numbers: %s)")
           :format(argn, what, tostring(a):gsub("^[^:]*: ", "")))
    end
    v = a
  end
  if not isarray(v) then
    fail(fname, ("bad argument #%d (%s must be an array or a table of numbers, got %s)")
         :format(argn, what, type(v)))
  end
  local dt = v.dtype
  if dt == "complex64" or dt == "complex128" then
    fail(fname, ("bad argument #%d (%s must be real, got %s)"):format(argn, what, dt))
  end
  return v:to("cpu"):astype("float64")
end
-- }=====

-- {===== data files
local function num(x)
  if x ~= x or x == math.huge or x == -math.huge then return "NaN" end
  return ("%.10g"):format(x)
end

-- rows of columns (tables of numbers) into a temporary file
local function datafile(fig, rows)
  local name = os.tmpname()
  fig.tmp[#fig.tmp + 1] = name
  local f = assert(io.open(name, "w"))
  local buf = {}
  for i = 1, #rows do
    local r, cells = rows[i], {}
    for j = 1, #r do cells[j] = num(r[j]) end
    buf[#buf + 1] = table.concat(cells, " ")
    if #buf >= 4096 then f:write(table.concat(buf, "\n"), "\n"); buf = {} end
  end
  f:write(table.concat(buf, "\n"), "\n")
  f:close()
  return name
end

local function quote(s)   -- a gnuplot single-quoted string
  return "'" .. s:gsub("[\r\n]", " "):gsub("'", "''") .. "'"
end
-- }=====

-- {===== series: each adds its data files and returns its plot clauses
-- "with STYLE [extra] [lc ..] [lw ..] title ..": scatter's width is its
-- point size, the others' the line width
local function style_of(s, default, extra)
  local w = {}
  w[#w + 1] = "with " .. (s.style or default)
  if extra then w[#w + 1] = extra end
  if s.color then w[#w + 1] = "lc rgb " .. quote(s.color) end
  if s.width and default ~= "points" then w[#w + 1] = "lw " .. num(s.width) end
  w[#w + 1] = s.label and "title " .. quote(s.label) or "notitle"
  return table.concat(w, " ")
end

local function xy_clauses(fig, s, default, extra)
  local y, x = s.y, s.x
  local cols = y.ndim == 2 and y.shape[2] or 1
  local n = y.shape[1]
  local yt, xt = y:totable(), x and x:totable()
  local rows = {}
  for i = 1, n do
    local r = {xt and xt[i] or i - 1}
    if y.ndim == 2 then for k = 1, cols do r[k + 1] = yt[i][k] end else r[2] = yt[i] end
    rows[i] = r
  end
  local file = datafile(fig, rows)
  local out = {}
  for k = 1, cols do
    local t = {}
    for key, v in pairs(s) do t[key] = v end
    if cols > 1 and s.label then t.label = s.label .. " " .. k end
    out[k] = ("%s using 1:%d %s"):format(quote(file), k + 1, style_of(t, default, extra))
  end
  return out
end

local draw_series = {
  line = function(fig, s) return xy_clauses(fig, s, "lines") end,
  scatter = function(fig, s)
    return xy_clauses(fig, s, "points", "pt 7 ps " .. num(s.width or 0.6))
  end,
  hist = function(fig, s)
    local counts, edges = s.counts:totable(), s.edges:totable()
    local rows = {}
    for i = 1, #counts do
      rows[i] = {(edges[i] + edges[i + 1]) / 2, counts[i], edges[i + 1] - edges[i]}
    end
    local style = style_of({color = s.color, label = s.label}, "boxes", "fs solid 0.8 border -1")
    return {quote(datafile(fig, rows)) .. " using 1:2:3 " .. style}
  end,
  imshow = function(fig, s)
    local a = s.img
    local H, W = a.shape[1], a.shape[2]
    fig.image = {H = H, W = W}
    if a.ndim == 2 then
      local file = datafile(fig, a:totable())
      fig.palette = s.cmap or "gray"
      -- the color map spans the data (as matplotlib) unless told otherwise
      local lo, hi = s.vmin, s.vmax
      if not lo or not hi then
        local ok, mn, mx = pcall(function() return lu.nanmin(a):item(), lu.nanmax(a):item() end)
        if ok and mn == mn and mx == mx and mn < mx then lo, hi = lo or mn, hi or mx end
      end
      if lo or hi then fig.cbrange = {lo, hi} end
      return {quote(file) .. " matrix with image notitle"}
    end
    -- RGB(A): integers are 0..255 (uint16: 0..65535), floats 0..1 as matplotlib
    local scale = s.dtype == "uint16" and 255 / 65535 or
                  (s.dtype:match("^float") or s.dtype == "bfloat16") and 255 or
                  s.dtype == "bool" and 255 or 1
    local t, rows = a:totable(), {}
    local C = a.shape[3]
    for i = 1, H do
      for j = 1, W do
        local px, r = t[i][j], {j - 1, i - 1}
        for k = 1, C do
          local v = px[k] * scale
          r[k + 2] = v < 0 and 0 or v > 255 and 255 or v
        end
        rows[#rows + 1] = r
      end
    end
    local file = datafile(fig, rows)
    if C == 4 then return {quote(file) .. " using 1:2:3:4:5:6 with rgbalpha notitle"} end
    return {quote(file) .. " using 1:2:3:4:5 with rgbimage notitle"}
  end,
}
-- }=====

-- {===== running gnuplot
local PALETTES = {
  gray = "set palette gray",
  viridis = "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')",
  hot = "set palette defined (0 'black', 0.4 'red', 0.8 'yellow', 1 'white')",
}

local have_gnuplot = {}
local function check_gnuplot(fname)
  local prog = P.gnuplot
  if type(prog) ~= "string" or not prog:match("^[%w/._+-]+$") then
    fail(fname, "lunar.plot.gnuplot must name a program (letters, digits, / . _ + -)")
  end
  if have_gnuplot[prog] == nil then
    local f = io.popen("command -v '" .. prog .. "' >/dev/null 2>&1 && echo yes")
    have_gnuplot[prog] = f:read("a"):match("yes") ~= nil
    f:close()
  end
  if not have_gnuplot[prog] then
    fail(fname, ("gnuplot was not found ('%s'); install Debian's gnuplot-nox "
                 .. "(apt-get install gnuplot-nox)"):format(prog))
  end
  return prog
end

-- the gnuplot script for fig, whose series made their clauses
local function script(fig, clauses, output)
  local o, L = fig.opts, {}
  local function add(s) L[#L + 1] = s end
  local ext = o.out and o.out:match("%.(%w+)$")
  ext = ext and ext:lower()
  local w, h = o.size and o.size[1], o.size and o.size[2]
  if o.out and ext == "svg" then
    add(("set terminal svg size %d,%d noenhanced"):format(w or 640, h or 480))
  elseif o.out and ext == "txt" or (not o.out and o.term ~= "sixel") then
    add(("set terminal dumb size %d,%d noenhanced"):format(w or 79, h or 24))
  elseif o.out then
    add(("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size %d,%d "
         .. "noenhanced } else { set terminal png size %d,%d noenhanced }")
        :format(w or 640, h or 480, w or 640, h or 480))
  else
    add(("set terminal sixelgd size %d,%d"):format(w or 640, h or 480))
  end
  add("set output " .. quote(output))
  if o.title then add("set title " .. quote(o.title)) end
  if o.xlabel then add("set xlabel " .. quote(o.xlabel)) end
  if o.ylabel then add("set ylabel " .. quote(o.ylabel)) end
  if o.grid then add("set grid") end
  if o.logx then add("set logscale x") end
  if o.logy then add("set logscale y") end
  if fig.image then
    -- pixel centres at 0..W-1 and 0..H-1, row 1 at the top, square pixels
    add(("set xrange [-0.5:%s]"):format(num(fig.image.W - 0.5)))
    add(("set yrange [%s:-0.5]"):format(num(fig.image.H - 0.5)))
    add("set size ratio -1")
    if fig.palette then add(PALETTES[fig.palette]) end
    if fig.cbrange then
      add(("set cbrange [%s:%s]"):format(fig.cbrange[1] and num(fig.cbrange[1]) or "*",
                                         fig.cbrange[2] and num(fig.cbrange[2]) or "*"))
    end
  end
  if o.xlim then add(("set xrange [%s:%s]"):format(num(o.xlim[1]), num(o.xlim[2]))) end
  if o.ylim then add(("set yrange [%s:%s]"):format(num(o.ylim[1]), num(o.ylim[2]))) end
  if fig.labelled then add("set key opaque") else add("unset key") end
  add("plot " .. table.concat(clauses, ", \\\n     "))
  add("unset output")
  return table.concat(L, "\n") .. "\n"
end

local function run(fig, fname)
  local prog = check_gnuplot(fname)
  if #fig.series == 0 then fail(fname, "the figure has nothing to draw") end
  local clauses = {}
  for _, s in ipairs(fig.series) do
    if s.label then fig.labelled = true end
    for _, c in ipairs(draw_series[s.kind](fig, s)) do clauses[#clauses + 1] = c end
  end
  local o = fig.opts
  local text = not o.out and o.term ~= "sixel"
  local output = o.out or os.tmpname()
  if not o.out then fig.tmp[#fig.tmp + 1] = output end
  local sname = os.tmpname()
  fig.tmp[#fig.tmp + 1] = sname
  local f = assert(io.open(sname, "w"))
  f:write(script(fig, clauses, output))
  f:close()
  local p = io.popen("'" .. prog .. "' '" .. sname .. "' 2>&1")
  local msg = p:read("a")
  local ok = p:close()
  if not ok or msg:find("error", 1, true) then
    if o.out then os.remove(o.out) end
    local first = msg:match("[^\n]*[Ee]rror[^\n]*") or msg:match("[^\n]+") or "no message"
    fail(fname, "gnuplot failed: " .. first)
  end
  if not o.out then
    local g = assert(io.open(output, "rb"))
    local out = g:read("a")
    g:close()
    -- through the global print, which a script or test may redirect
    if text then print((out:gsub("^[\f%s]*\n", ""):gsub("%s+$", ""))) else print(out) end
  end
end

-- draw fig, removing its temporary files whatever happens
local function draw(fig, fname)
  fig.tmp, fig.image, fig.palette, fig.cbrange, fig.labelled = {}, nil, nil, nil, nil
  local ok, err = pcall(run, fig, fname)
  for _, name in ipairs(fig.tmp) do os.remove(name) end
  fig.tmp = nil
  if not ok then error(err, 0) end
end
-- }=====

-- {===== series makers: the checked data of one series
local makers = {}

-- line(y [, x] [, opts]): y 1-D, or 2-D with one series per column
function makers.line(fname, args, n, first)
  local last = n
  local opts = n > first and is_options(args[n]) and args[n] or nil
  if opts then last = n - 1 end
  if last > first + 2 then
    fail(fname, ("bad argument #%d (unexpected argument (%s); lunar.plot.%s takes y [, x] [, opts])")
         :format(first + 3, type(args[first + 3]), fname))
  end
  if args[first + 1] == nil then fail(fname, ("bad argument #%d (y expected)"):format(first + 1)) end
  local y = host(fname, args[first + 1], "y", first + 1)
  if y.ndim < 1 or y.ndim > 2 then
    fail(fname, ("bad argument #%d (y must be 1-D or 2-D, got %d dimensions)"):format(first + 1, y.ndim))
  end
  local x
  if last >= first + 2 and args[first + 2] ~= nil then
    x = host(fname, args[first + 2], "x", first + 2)
    if x.ndim ~= 1 or x.shape[1] ~= y.shape[1] then
      fail(fname, ("bad argument #%d (x must be 1-D with y's length %d, got shape (%s))")
           :format(first + 2, y.shape[1], table.concat(x.shape, ",")))
    end
  end
  return {y = y, x = x}, opts, last + 1
end

-- scatter(x, y [, opts])
function makers.scatter(fname, args, n, first)
  local opts = n > first and is_options(args[n]) and args[n] or nil
  local last = opts and n - 1 or n
  if last > first + 2 then
    fail(fname, ("bad argument #%d (unexpected argument (%s); lunar.plot.%s takes x, y [, opts])")
         :format(first + 3, type(args[first + 3]), fname))
  end
  for k = 1, 2 do
    if args[first + k] == nil then
      fail(fname, ("bad argument #%d (%s expected)"):format(first + k, k == 1 and "x" or "y"))
    end
  end
  local x = host(fname, args[first + 1], "x", first + 1):ravel()
  local y = host(fname, args[first + 2], "y", first + 2):ravel()
  if x.shape[1] ~= y.shape[1] then
    fail(fname, ("x and y must have the same size, got %d and %d"):format(x.shape[1], y.shape[1]))
  end
  return {y = y, x = x}, opts, last + 1
end

-- hist(a [, bins] [, opts]): lunar.histogram of the flattened data
function makers.hist(fname, args, n, first)
  local opts = n > first and is_options(args[n]) and args[n] or nil
  local last = opts and n - 1 or n
  if last > first + 2 then
    fail(fname, ("bad argument #%d (unexpected argument (%s); lunar.plot.%s takes a [, bins] [, opts])")
         :format(first + 3, type(args[first + 3]), fname))
  end
  if args[first + 1] == nil then fail(fname, ("bad argument #%d (a expected)"):format(first + 1)) end
  local a = host(fname, args[first + 1], "a", first + 1):ravel()
  local bins = last >= first + 2 and args[first + 2] or nil
  if bins ~= nil and not SERIES.bins[1](bins) then
    fail(fname, ("bad argument #%d (bins must be %s, got %s)"):format(first + 2, SERIES.bins[2], tostring(bins)))
  end
  if bins ~= nil and opts and opts.bins ~= nil then
    fail(fname, "bad argument #" .. (first + 3) .. " ('bins' given by position and by name)")
  end
  return {data = a, bins = bins}, opts, last + 1
end

-- imshow(img [, opts]): (H, W) through a color map, (H, W, 3 or 4) as colors
function makers.imshow(fname, args, n, first)
  local opts = n > first and is_options(args[n]) and args[n] or nil
  local last = opts and n - 1 or n
  if last > first + 1 then
    fail(fname, ("bad argument #%d (unexpected argument (%s); lunar.plot.%s takes img [, opts])")
         :format(first + 2, type(args[first + 2]), fname))
  end
  if args[first + 1] == nil then fail(fname, ("bad argument #%d (img expected)"):format(first + 1)) end
  local raw = args[first + 1]
  local img = host(fname, raw, "img", first + 1)
  local ok = img.ndim == 2 or (img.ndim == 3 and (img.shape[3] == 3 or img.shape[3] == 4))
  if not ok or img.size == 0 then
    fail(fname, ("bad argument #%d (img must be a non-empty (H, W), (H, W, 3) or (H, W, 4) array, got shape (%s))")
         :format(first + 1, table.concat(img.shape, ",")))
  end
  return {img = img, dtype = isarray(raw) and raw.dtype or "float64"}, opts, last + 1
end

-- the series' data finished with its options (hist computes its counts)
local function finish(fname, kind, s, ser)
  for k, v in pairs(ser) do s[k] = v end
  s.kind = kind
  if kind == "hist" then
    local bins = s.bins or 10
    local hopts = {bins = bins, density = s.density or nil}
    if s.range then hopts.range = s.range end
    if s.data.size == 0 then fail(fname, "cannot draw the histogram of an empty array") end
    local ok, c, e = pcall(lu.histogram, s.data, hopts)
    if not ok then fail(fname, tostring(c):gsub("^[^:]*: ", "")) end
    s.counts, s.edges = c:astype("float64"), e
  end
  return s
end
-- }=====

-- {===== figures
local Figure = {}
Figure.__index = Figure
Figure.__name = "lunar.plot.figure"

local function figure_check(self, fname)
  if getmetatable(self) ~= Figure then
    fail(fname, "bad self (a figure from lunar.plot.figure() expected, use fig:" .. fname:match("[%w_]+$") .. "(...))")
  end
end

for kind in pairs(makers) do
  Figure[kind] = function(self, ...)
    local fname = "figure:" .. kind
    figure_check(self, fname)
    local n = select("#", ...) + 1
    local s, opts = makers[kind](fname, {self, ...}, n, 1)
    local _, ser = split(fname, kind, opts, n - 1, false)
    self.series[#self.series + 1] = finish(fname, kind, s, ser)
    return self
  end
  P[kind] = function(...)
    local fname = kind
    local args = {...}
    local s, opts = makers[kind](fname, args, select("#", ...), 0)
    local fig, ser = split(fname, kind, opts, select("#", ...), true)
    local f = setmetatable({opts = fig, series = {finish(fname, kind, s, ser)}}, Figure)
    draw(f, fname)
  end
end

-- fig:show() draws to the terminal, or to the figure's out= file
function Figure.show(self, ...)
  figure_check(self, "figure:show")
  if select("#", ...) > 0 then fail("figure:show", "bad argument #1 (show takes no arguments)") end
  draw(self, "figure:show")
end

-- fig:save(path [, size]) draws to a file (.png, .svg, .txt)
function Figure.save(self, path, size, ...)
  figure_check(self, "figure:save")
  if select("#", ...) > 0 then fail("figure:save", "bad argument #3 (save takes path [, size])") end
  if not FIG.out[1](path) then fail("figure:save", "bad argument #1 (path must be a file name)") end
  if size ~= nil and not issize(size) then fail("figure:save", "bad argument #2 (size must be " .. FIG.size[2] .. ")") end
  local saved = self.opts
  local o = {}
  for k, v in pairs(saved) do o[k] = v end
  o.out, o.size = path, size or saved.size
  self.opts = o
  local ok, err = pcall(draw, self, "figure:save")
  self.opts = saved
  if not ok then error(err, 0) end
end

function Figure.__tostring(self)
  return ("lunar.plot.figure (%d series)"):format(#self.series)
end

-- figure([opts]): a figure to add series to, drawn by show() or save()
function P.figure(opts, ...)
  if select("#", ...) > 0 then fail("figure", "bad argument #2 (figure takes [opts])") end
  if opts ~= nil and not is_options(opts) and not (type(opts) == "table" and next(opts) == nil) then
    fail("figure", ("bad argument #1 (options table expected, got %s)"):format(type(opts)))
  end
  local fig = split("figure", "figure", opts, 1, true)
  return setmetatable({opts = fig, series = {}}, Figure)
end
-- }=====
