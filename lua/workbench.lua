-- SPDX-License-Identifier: MIT
-- The REPL and scripts as a workbench (doc/api/workbench.md): lunar.who,
-- lunar.timeit and lunar.progress. The C side (lb_workbench.c) gives
-- internal.isatty; statistics, strict mode and memory pools are in C.
local lunar, _, internal = ...

local fmt, concat = string.format, table.concat
local mt = getmetatable(lunar.zeros(0, {device = "cpu"}))   -- the CPU: no wait for CUDA

local function isarray(v) return type(v) == "userdata" and getmetatable(v) == mt end

-- The kwargs table at position n of ..., checked against `allowed`.
local function options(fname, n, allowed, ...)
  local t = select(n, ...)
  if t == nil then return {} end
  if type(t) ~= "table" then
    error(fmt("%s: bad argument #%d (options table expected, got %s)", fname, n, type(t)), 3)
  end
  for k in next, t do
    if not allowed[k] then
      error(fmt("%s: unknown option %s", fname,
                type(k) == "string" and fmt("%q", k) or tostring(k)), 3)
    end
  end
  return t
end

-- {===== who
-- One row per array alive in a global, or in a table held by a global (one
-- level down; the module tables and _G itself are left out). A closed
-- array is not listed.
local function row(name, a)
  local ok, r = pcall(function()
    local s = a.shape
    local shape = #s == 1 and "(" .. s[1] .. ",)" or "(" .. concat(s, ", ") .. ")"
    return {name = name, shape = shape, dtype = a.dtype, device = a.device, nbytes = a.nbytes}
  end)
  return ok and r or nil
end

local function keyname(prefix, k)
  if type(k) == "string" then
    if k:match("^[%a_][%w_]*$") then return prefix and prefix .. "." .. k or k end
    return (prefix or "_G") .. fmt("[%q]", k)
  end
  if math.type(k) == "integer" then return (prefix or "_G") .. "[" .. k .. "]" end
  return nil
end

local function who_rows()
  local skip = {[_G] = true, [lunar] = true}
  local loaded = rawget(package, "loaded")
  if type(loaded) == "table" then
    skip[loaded] = true
    for _, m in next, loaded do if type(m) == "table" then skip[m] = true end end
  end
  local rows = {}
  for k, v in next, _G do
    local name = keyname(nil, k)
    if name and isarray(v) then
      rows[#rows + 1] = row(name, v)
    elseif name and type(v) == "table" and not skip[v] then
      for k2, v2 in next, v do
        local n2 = keyname(name, k2)
        if n2 and isarray(v2) then rows[#rows + 1] = row(n2, v2) end
      end
    end
  end
  table.sort(rows, function(x, y) return x.name < y.name end)
  return rows
end

local function bytes_str(n)
  if n < 1024 then return n .. " B" end
  local units, u = {"KiB", "MiB", "GiB", "TiB"}, 0
  repeat n = n / 1024; u = u + 1 until n < 1024 or u == #units
  return fmt("%.1f %s", n, units[u])
end

local WHO_OPTS = {print = true}
function lunar.who(...)
  if select("#", ...) > 1 then error("lunar.who: takes at most 1 argument (an options table)", 2) end
  local o = options("lunar.who", 1, WHO_OPTS, ...)
  local rows, total = who_rows(), 0
  for _, r in ipairs(rows) do total = total + r.nbytes end
  if o.print == false then return rows, total end
  if #rows == 0 then print("No arrays in globals."); return end
  local head = {name = "Name", shape = "Shape", dtype = "Dtype", device = "Device", nbytes = "Bytes"}
  local cols, w = {"name", "shape", "dtype", "device", "nbytes"}, {}
  for _, c in ipairs(cols) do w[c] = #head[c] end
  for _, r in ipairs(rows) do
    for _, c in ipairs(cols) do w[c] = math.max(w[c], #tostring(r[c])) end
  end
  local function line(r)
    return fmt("%-" .. w.name .. "s  %-" .. w.shape .. "s  %-" .. w.dtype .. "s  %-" ..
               w.device .. "s  %" .. w.nbytes .. "s", r.name, r.shape, r.dtype, r.device,
               tostring(r.nbytes))
  end
  print(line(head))
  for _, r in ipairs(rows) do print(line(r)) end
  print(fmt("%d array%s, %d bytes (%s)", #rows, #rows == 1 and "" or "s", total, bytes_str(total)))
end
-- }=====

-- {===== timeit
-- IPython's _format_time: 3 significant digits in s, ms, us or ns.
local function time_str(t)
  if t ~= t or t == math.huge then return tostring(t) .. " s" end
  local units = {"s", "ms", "\u{B5}s", "ns"}
  local order = 3
  if t > 0 then order = math.min(math.max(-math.floor(math.log(t, 10) / 3), 0), 3) end
  if t >= 1 then order = 0 end
  return fmt("%.3g %s", t * 1000 ^ order, units[order + 1])
end

local function thousands(n)
  local s = tostring(n)
  repeat local k; s, k = s:gsub("^(%d+)(%d%d%d)", "%1,%2") until k == 0
  return s
end

local TIMEIT_OPTS = {n = true, runs = true, device = true, quiet = true}

-- Seconds that n calls of fn take on dev: events around them (a GPU's
-- events wait for its work; the CPU's are host timestamps).
local function run_once(fn, n, dev)
  lunar.synchronize(dev)
  local e0 = lunar.cuda.Event(dev):record()
  for _ = 1, n do fn() end
  local e1 = lunar.cuda.Event(dev):record()
  return e0:elapsed_time(e1) / 1000
end

local function posint(fname, what, v)
  local i = math.tointeger(v)
  if not i or i < 1 or i > 1e9 then
    error(fmt("%s: %s must be an integer from 1 to 10^9, got %s", fname, what, tostring(v)), 3)
  end
  return i
end

function lunar.timeit(fn, ...)
  local F = "lunar.timeit"
  if not (type(fn) == "function" or (getmetatable(fn) or {}).__call) then
    error(fmt("%s: bad argument #1 (function expected, got %s)", F, type(fn)), 2)
  end
  local n, o = ..., nil
  local nargs = select("#", ...)
  if type(n) == "table" then o, n = options(F, 1, TIMEIT_OPTS, ...), nil
    if nargs > 1 then error(F .. ": takes at most 3 arguments", 2) end
  else
    o = options(F, 2, TIMEIT_OPTS, ...)
    if nargs > 2 then error(F .. ": takes at most 3 arguments", 2) end
    if n ~= nil and o.n ~= nil then error(F .. ": n given by position and in the options table", 2) end
  end
  n = n or o.n
  if n ~= nil then n = posint(F, "n", n) end
  local runs = o.runs == nil and 7 or posint(F, "runs", o.runs)
  local dev = o.device or lunar.get_device()
  if type(dev) ~= "string" then error(F .. ": device must be a device name", 2) end
  if not n then   -- IPython's autorange: 1, 2, 5, 10, 20 ... calls until 0.2 s
    n = 1
    while true do
      local t = run_once(fn, n, dev)
      if t >= 0.2 or n >= 1e8 then break end
      local d = n
      while d >= 10 do d = d // 10 end
      n = d == 2 and n * 5 // 2 or n * 2
    end
  end
  local times = {}
  for r = 1, runs do times[r] = run_once(fn, n, dev) / n end
  local sorted = {table.unpack(times)}
  table.sort(sorted)
  local mean, var = 0, 0
  for _, t in ipairs(times) do mean = mean + t end
  mean = mean / runs
  for _, t in ipairs(times) do var = var + (t - mean) ^ 2 end
  local std = math.sqrt(var / runs)
  local median = runs % 2 == 1 and sorted[(runs + 1) // 2]
                 or (sorted[runs // 2] + sorted[runs // 2 + 1]) / 2
  if not o.quiet then
    print(fmt("%s \u{B1} %s per loop (median \u{B1} std. dev. of %d run%s, %s loop%s each)",
              time_str(median), time_str(std), runs, runs == 1 and "" or "s",
              thousands(n), n == 1 and "" or "s"))
  end
  return {median = median, mean = mean, std = std, min = sorted[1], max = sorted[runs],
          loops = n, runs = runs, times = times}
end
-- }=====

-- {===== progress
local function clock_str(t)
  if t ~= t or t == math.huge or t < 0 then return "?" end
  t = math.floor(t + 0.5)
  if t >= 3600 then return fmt("%d:%02d:%02d", t // 3600, t // 60 % 60, t % 60) end
  return fmt("%02d:%02d", t // 60, t % 60)
end

local function rate_str(done, dt)
  if dt <= 0 or done == 0 then return "? it/s" end
  local r = done / dt
  if r < 1 then return fmt("%.2f s/it", 1 / r) end
  return fmt("%.1f it/s", r)
end

local PROGRESS_OPTS = {desc = true, file = true, tty = true}
local BAR = 25

-- A progress display of `total` steps: bar(done, final). On a terminal a
-- bar redrawn in place (at most 10 times a second); elsewhere a line at
-- each quarter and one at the end.
local function display(total, o)
  local out = o.file or io.stderr
  local tty = o.tty
  if tty == nil then tty = out == io.stderr and internal.isatty(2) end
  local desc = o.desc and tostring(o.desc) .. ": " or ""
  local t0, last, quarter = lunar.clock(), -1, 0
  return function(done, final)
    local now = lunar.clock()
    local dt = now - t0
    local left = done > 0 and dt / done * (total - done) or 0 / 0
    if tty then
      if not final and (done >= total or now - last < 0.1) then return end
      last = now
      local frac = total > 0 and done / total or 1
      local fill = math.floor(frac * BAR + 1e-9)
      out:write(fmt("\r%s%3d%%|%s%s| %d/%d [%s<%s, %s]\27[K", desc, math.floor(frac * 100 + 1e-9),
                    string.rep("\u{2588}", fill), string.rep(" ", BAR - fill), done, total,
                    clock_str(dt), clock_str(left), rate_str(done, dt)))
      if final then out:write("\n") end
      out:flush()
      return
    end
    local q = total > 0 and (done * 4) // total or 4
    if final then
      out:write(fmt("%s%d/%d (%d%%) in %.2f s, %s%s\n", desc, done, total,
                    total > 0 and done * 100 // total or 100, dt, rate_str(done, dt),
                    done < total and ", stopped" or ""))
      out:flush()
    elseif q > quarter and done < total then
      quarter = q
      out:write(fmt("%s%d/%d (%d%%), %.2f s, %s, %.2f s left\n", desc, done, total,
                    done * 100 // total, dt, rate_str(done, dt), left))
      out:flush()
    end
  end
end

function lunar.progress(x, ...)
  local F = "lunar.progress"
  if select("#", ...) > 1 then error(F .. ": takes at most 2 arguments", 2) end
  local o = options(F, 1, PROGRESS_OPTS, ...)
  local total, tbl
  if type(x) == "table" then
    tbl, total = x, rawlen(x)
  else
    total = math.tointeger(x)
    if not total or total < 0 then
      error(fmt("%s: bad argument #1 (a count >= 0 or a table expected, got %s)", F,
                type(x) == "number" and tostring(x) or type(x)), 2)
    end
  end
  if o.file ~= nil and not pcall(function() assert(o.file.write and o.file.flush) end) then
    error(F .. ": file must have write and flush methods", 2)
  end
  local bar = display(total, o)
  local i, done, finished = 0, 0, false   -- done: steps completed
  local function finish()
    if finished then return end
    finished = true
    bar(done, true)
  end
  bar(0, false)
  local function step()
    if finished then return nil end
    if i > 0 then done = i; bar(done, false) end
    i = i + 1
    if i > total then finish(); return nil end
    if tbl then return i, tbl[i] end
    return i
  end
  -- the fourth value is closed when the loop ends, by break or error too
  return step, nil, nil, setmetatable({}, {__close = finish})
end
-- }=====

-- {===== statistics
-- Per-command lines in the REPL and a summary at exit, from the core's
-- counters (internal.counters). The host calls the function this chunk
-- returns (kept by the binding as the registry's lunar.lua.workbench) with
-- "begin" and "end" around each REPL command and "exit" before closing.
local function env_on(v) return v ~= nil and v ~= "" and v ~= "0" end
local stats_on = env_on(os.getenv("LUNAR_STATS"))
local origin = lunar.clock()
local cmd   -- the command under way: {t = , c = , dev = , ev = }

local COUNTERS = {"launches", "compiled", "allocs", "alloc_bytes", "h2d_bytes", "d2h_bytes", "syncs",
                  "fused", "fused_hits", "graph_replays", "deferred", "unfused"}

function lunar.stats(...)
  local n, v = select("#", ...), ...
  if n > 1 then error("lunar.stats: takes at most 1 argument", 2) end
  if n == 0 or v == nil then
    local t = internal.counters()
    t.wall = lunar.clock() - origin
    t.on = stats_on
    return t
  end
  if type(v) == "boolean" then stats_on = v; return end
  if v == "reset" then internal.counters_reset(); origin = lunar.clock(); return end
  error(fmt("lunar.stats: bad argument #1 (true, false, \"reset\" or nothing expected, got %s)",
            type(v) == "string" and fmt("%q", v) or type(v)), 2)
end

local function plural(n, word) return fmt("%d %s%s", n, word, n == 1 and "" or "s") end

-- "wall 1.23 ms | gpu 0.98 ms | 3 launches, 1 compiled | 2 allocs (1.2 KiB) |
-- h2d 0 B, d2h 48 B | 1 implicit sync", then "| 6 deferred, 2 fused (1
-- cached)" and "| 5 graph replays" when there were any
local function stats_line(dt, gpu_ms, c)
  return fmt("wall %s | gpu %s | %s, %d compiled | %s (%s) | h2d %s, d2h %s | %s%s%s%s",
             time_str(dt), gpu_ms and time_str(gpu_ms / 1000) or "-",
             fmt("%d launch%s", c.launches, c.launches == 1 and "" or "es"), c.compiled,
             plural(c.allocs, "alloc"), bytes_str(c.alloc_bytes), bytes_str(c.h2d_bytes),
             bytes_str(c.d2h_bytes), plural(c.syncs, "implicit sync"),
             ((c.fused or 0) > 0 or (c.deferred or 0) > 0)
               and fmt(" | %d deferred, %d fused (%d cached)", c.deferred or 0, c.fused, c.fused_hits) or "",
             (c.graph_replays or 0) > 0 and " | " .. plural(c.graph_replays, "graph replay") or "",
             (c.unfused or 0) > 0 and fmt(" | %d ran unfused (a kernel failed)", c.unfused) or "")
end

local function diff(c1, c0)
  local d = {}
  for _, k in ipairs(COUNTERS) do d[k] = c1[k] - c0[k] end
  return d
end

local function begin_cmd()
  cmd = {t = lunar.clock(), c = internal.counters()}
  local dev = lunar.get_device()
  if dev:match("^cuda") then
    local ok, ev = pcall(function() return lunar.cuda.Event(dev):record() end)
    if ok then cmd.dev, cmd.ev = dev, ev end
  end
end

local function end_cmd()
  local c = cmd
  cmd = nil
  if not (c and stats_on) then return end
  local gpu_ms
  if c.ev then   -- waits for the command's GPU work (not counted as implicit)
    local ok, ms = pcall(function()
      local e1 = lunar.cuda.Event(c.dev):record()
      return c.ev:elapsed_time(e1)
    end)
    if ok then gpu_ms = ms end
  end
  local dt = lunar.clock() - c.t
  io.stderr:write("[stats] ", stats_line(dt, gpu_ms, diff(internal.counters(), c.c)), "\n")
  io.stderr:flush()
end

local function at_exit()
  if not stats_on then return end
  local zero = {}
  for _, k in ipairs(COUNTERS) do zero[k] = 0 end
  io.stderr:write("[stats] total: ", stats_line(lunar.clock() - origin, nil,
                  diff(internal.counters(), zero)), "\n")
  io.stderr:flush()
end

return function(event)
  if event == "begin" then
    if stats_on then begin_cmd() else cmd = nil end
  elseif event == "end" then end_cmd()
  elseif event == "exit" then at_exit()
  end
end
-- }=====
