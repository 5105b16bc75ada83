-- SPDX-License-Identifier: MIT
-- help(): prints the entry of doc/api/<family>.md that documents a function
-- or a name. The pages are compiled into the binary (internal.docs) and
-- parsed on the first call. An entry is a "### " heading listing its call
-- forms separated by " · ", with the paragraph below it, or a table row
-- whose first cell lists the forms as code spans (doc/api.md, "Entry
-- format"). A function is found by the name its closure carries
-- (internal.fname), else by where it sits in the module, the method table or
-- internal.named (name -> function, for Lua-side functions kept elsewhere).
local lunar, methods, internal = ...

internal.named = internal.named or {}

local DOT = " \u{B7} "   -- the separator of forms: " · "
local concat, sort = table.concat, table.sort

-- {===== parsing the pages

-- The name a call form documents: "lunar.zeros(shape...)" -> "lunar.zeros",
-- 'lunar["repeat"](a, n)' -> "lunar.repeat",
-- "a:sum(...)" -> "array:sum", "a.shape" -> "array.shape",
-- "tostring(a)" -> "tostring"; nil for operators and index forms.
local function form_key(form)
  form = form:match("^%s*(.-)%s*$")
  local n = form:match("^lunar%.([%w_%.]*[%w_])")
  if n then return "lunar." .. n end
  n = form:match("^lunar%[\"([%w_]+)\"%]") or form:match("^lunar%['([%w_]+)'%]")
  if n then return "lunar." .. n end   -- a Lua keyword: lunar["repeat"]
  n = form:match("^a:([%w_]+)")
  if n then return "array:" .. n end
  n = form:match("^a%.([%w_]+)")
  if n then return "array." .. n end
  return form:match("^([%a_][%w_]*)%(")
end

-- The cells of a table row; a "|" inside a code span or escaped as "\|"
-- does not split.
local function cells(line)
  local out, cur, code, i = {}, {}, false, 1
  line = line:match("^%s*|(.-)|?%s*$")
  while i <= #line do
    local c = line:sub(i, i)
    if c == "\\" and line:sub(i + 1, i + 1) == "|" then
      cur[#cur + 1] = "|"
      i = i + 1
    elseif c == "`" then
      code = not code
      cur[#cur + 1] = c
    elseif c == "|" and not code then
      out[#out + 1] = concat(cur):match("^%s*(.-)%s*$")
      cur = {}
    else
      cur[#cur + 1] = c
    end
    i = i + 1
  end
  out[#out + 1] = concat(cur):match("^%s*(.-)%s*$")
  return out
end

-- Drop blank lines at both ends of a list of lines.
local function trim(lines)
  while #lines > 0 and lines[#lines]:match("^%s*$") do lines[#lines] = nil end
  while #lines > 0 and lines[1]:match("^%s*$") do table.remove(lines, 1) end
  return lines
end

-- One page: {name, title, intro = lines, entries = {...}}. An entry holds
-- its family, its forms and either `lines` (a heading's paragraph) or
-- `cells` and `headers` (a table row).
local function parse(name, text)
  local fam = {name = name, title = name, intro = {}, entries = {}}
  local cur, prev, headers, inintro = nil, nil, nil, true
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    if line:match("^# ") then
      fam.title = line:sub(3)
    elseif line:match("^### ") then
      local forms = {}
      for f in (line:sub(5) .. DOT):gmatch("(.-)" .. DOT) do forms[#forms + 1] = f end
      cur = {family = fam, forms = forms, lines = {}}
      fam.entries[#fam.entries + 1] = cur
      inintro = false
    elseif line:match("^#") then
      cur, inintro = nil, false
    elseif line:match("^%s*|") then
      local row = cells(line)
      cur, inintro = nil, false
      if row[1]:match("^:?%-%-%-") then
        headers = prev
      else
        local forms = {}
        for f in row[1]:gmatch("`([^`]+)`") do forms[#forms + 1] = f end
        if #forms > 0 then
          fam.entries[#fam.entries + 1] =
            {family = fam, forms = forms, cells = row, headers = headers}
        end
      end
      prev = row
    elseif cur then
      cur.lines[#cur.lines + 1] = line
    elseif inintro then
      fam.intro[#fam.intro + 1] = line
    end
  end
  for _, e in ipairs(fam.entries) do if e.lines then trim(e.lines) end end
  trim(fam.intro)
  return fam
end

local index   -- {families = {...}, byname = {name -> family}, keys = {key -> {entries}}}

-- Parse every page once; families in the order of doc/api.md's index, the
-- others after it by name.
local function load()
  if index then return index end
  local docs = internal.docs()
  local order, rank = {}, {}
  for f in (docs["api.md"] or ""):gmatch("%(api/([%w_]+)%.md%)") do
    if not rank[f] then order[#order + 1] = f; rank[f] = #order end
  end
  local names = {}
  for file in pairs(docs) do
    local f = file:match("^(.+)%.md$")
    if f and file ~= "api.md" then names[#names + 1] = f end
  end
  sort(names, function(x, y)
    local rx, ry = rank[x] or math.huge, rank[y] or math.huge
    if rx ~= ry then return rx < ry end
    return x < y
  end)
  index = {families = {}, byname = {}, keys = {}}
  for _, f in ipairs(names) do
    local fam = parse(f, docs[f .. ".md"])
    index.families[#index.families + 1] = fam
    index.byname[f] = fam
    for _, e in ipairs(fam.entries) do
      for _, form in ipairs(e.forms) do
        local k = form_key(form)
        if k then
          local list = index.keys[k] or {}
          index.keys[k] = list
          if list[#list] ~= e then list[#list + 1] = e end
        end
      end
    end
  end
  return index
end
-- }=====

-- {===== finding a name

-- Registered name of a function value, or nil.
local function name_of(f)
  local n = internal.fname(f)
  if n then return n end
  for name, g in pairs(internal.named) do
    if rawequal(f, g) then return name end
  end
  for k, v in pairs(methods) do
    if rawequal(v, f) then return "array:" .. k end
  end
  local found
  local function walk(t, prefix, seen)
    for k, v in pairs(t) do
      if found then return end
      if type(k) == "string" then
        if rawequal(v, f) then found = prefix .. k; return end
        if type(v) == "table" and not seen[v] then
          seen[v] = true
          walk(v, prefix .. k .. ".", seen)
        end
      end
    end
  end
  walk(lunar, "lunar.", {[lunar] = true})
  return found
end

-- The dotted path of a table inside the module ("lunar.random"), or nil.
local function table_path(t)
  if rawequal(t, lunar) then return "lunar" end
  local found
  local function walk(u, prefix, seen)
    for k, v in pairs(u) do
      if found then return end
      if type(k) == "string" and type(v) == "table" and not seen[v] then
        if rawequal(v, t) then found = prefix .. k; return end
        seen[v] = true
        walk(v, prefix .. k .. ".", seen)
      end
    end
  end
  walk(lunar, "lunar.", {[lunar] = true})
  return found
end

-- The keys a string may mean: "linalg.solve", "lunar.linalg.solve",
-- "a:sum", "array:sum", "a.shape", "sum", "sum()".
local function candidates(s)
  s = s:match("^%s*(.-)%s*$"):gsub("%(.*$", "")
  if s:match("^lunar%.") then return {s} end
  local m = s:match("^a:(.+)$") or s:match("^array:(.+)$")
  if m then return {"array:" .. m} end
  m = s:match("^a%.(.+)$") or s:match("^array%.(.+)$")
  if m then return {"array." .. m, "array:" .. m} end
  return {"lunar." .. s, "array:" .. s, "array." .. s, s}
end
-- }=====

-- {===== printing

local function forms_line(e) return concat(e.forms, DOT) end

local function entry_text(e)
  local out = {forms_line(e)}
  if e.lines then
    for _, l in ipairs(e.lines) do out[#out + 1] = "  " .. l end
  else
    local extra = #e.cells - 1
    for i = 2, #e.cells do
      local h = e.headers and e.headers[i]
      if extra > 1 and h and h ~= "" then out[#out + 1] = "  " .. h .. ": " .. e.cells[i]
      else out[#out + 1] = "  " .. e.cells[i] end
    end
    if #e.family.intro > 0 then
      out[#out + 1] = ""
      out[#out + 1] = e.family.title .. " (doc/api/" .. e.family.name .. ".md):"
      for _, l in ipairs(e.family.intro) do out[#out + 1] = "  " .. l end
    end
  end
  return concat(out, "\n")
end

local function show_entries(list)
  local parts = {}
  for i, e in ipairs(list) do parts[i] = entry_text(e) end
  print(concat(parts, "\n\n"))
end

local function show_family(fam)
  local out = {fam.title .. " (doc/api/" .. fam.name .. ".md)"}
  for _, l in ipairs(fam.intro) do out[#out + 1] = "  " .. l end
  out[#out + 1] = ""
  for _, e in ipairs(fam.entries) do out[#out + 1] = "  " .. forms_line(e) end
  print(concat(out, "\n"))
end

-- The entries whose keys start with prefix ("lunar.random.", "array:").
local function show_prefix(title, prefixes)
  local idx, keys, out = load(), {}, {title}
  for k in pairs(idx.keys) do
    for _, p in ipairs(prefixes) do
      if k:sub(1, #p) == p then keys[#keys + 1] = k end
    end
  end
  sort(keys)
  local seen = {}
  for _, k in ipairs(keys) do
    for _, e in ipairs(idx.keys[k]) do
      if not seen[e] then seen[e] = true; out[#out + 1] = "  " .. forms_line(e) end
    end
  end
  print(concat(out, "\n"))
end

local function overview()
  local idx, out = load(), {}
  out[1] = "lunar " .. tostring(lunar.__version) .. ": GPU array computing for Lua, with NumPy's names."
  out[2] = "help(f) prints the entry of a function: help(lunar.sum), help(a.reshape);"
  out[3] = "help(\"name\") finds one by name: help(\"linalg.solve\"), help(\"a:sum\");"
  out[4] = "help(\"family\") lists a family. The families (doc/api/<family>.md):"
  for _, fam in ipairs(idx.families) do
    out[#out + 1] = ("  %-10s %s (%d)"):format(fam.name, fam.title, #fam.entries)
  end
  print(concat(out, "\n"))
end

-- Up to 8 known keys that contain s, for "did you mean".
local function similar(s)
  local idx, hits = load(), {}
  s = s:lower():gsub("^lunar%.", ""):gsub("^a[:.]", ""):gsub("%(.*$", "")
  if #s < 2 then return hits end
  for k in pairs(idx.keys) do
    if k:lower():find(s, 1, true) then hits[#hits + 1] = k end
  end
  local have = {}
  for _, k in ipairs(hits) do have[k] = true end
  local kept = {}
  for _, k in ipairs(hits) do   -- a method beside its function says nothing new
    local m = k:match("^array:(.+)$")
    if not (m and have["lunar." .. m]) then kept[#kept + 1] = k end
  end
  hits = kept
  sort(hits)
  while #hits > 8 do hits[#hits] = nil end
  return hits
end
-- }=====

local LISTS = "(help(lunar) lists the families)"

-- Objects whose methods are documented in their constructor's entry.
local OWNERS = {event = "lunar.cuda.Event"}

-- help([x]): x a function of lunar, a name, a family, the module or one of
-- its tables, or an array (its methods); with no argument, an overview.
function lunar.help(...)
  local x = ...
  local idx = load()
  if select("#", ...) == 0 or rawequal(x, lunar) or x == "lunar" then return overview() end
  local tx = type(x)
  if tx == "function" then
    local n = name_of(x)
    if not n then
      return print("help: this function is not one of lunar's " .. LISTS)
    end
    local list = idx.keys[n] or idx.keys[OWNERS[n:match("^(%a+):")] or ""]
    if not list then
      return print(("help: %s has no entry in doc/api (a documentation bug)"):format(n))
    end
    return show_entries(list)
  elseif tx == "string" then
    for _, k in ipairs(candidates(x)) do
      if idx.keys[k] then return show_entries(idx.keys[k]) end
    end
    local s = x:match("^%s*(.-)%s*$")
    local fam = idx.byname[s]
    if fam then return show_family(fam) end
    local t = lunar
    for part in s:gsub("^lunar%.?", ""):gmatch("[^.]+") do
      t = type(t) == "table" and rawget(t, part) or nil
    end
    if type(t) == "table" and not rawequal(t, lunar) then
      local p = table_path(t)
      if p then return show_prefix(p, {p .. "."}) end
    end
    local msg = ("help: no entry for %q %s"):format(x, LISTS)
    local hits = similar(x)
    if #hits > 0 then msg = msg .. "; similar: " .. concat(hits, ", ") end
    return print(msg)
  elseif tx == "table" then
    local p = table_path(x)
    if p then return show_prefix(p, {p .. "."}) end
  elseif tx == "userdata" then
    local mt = getmetatable(x)
    if type(mt) == "table" and rawequal(rawget(mt, "__methods"), methods) then
      return show_prefix("array: properties and methods", {"array.", "array:"})
    end
  elseif x == nil then
    return print("help: got nil (a misspelt name?) " .. LISTS)
  end
  return print(("help: no entry for a %s %s"):format(tx, LISTS))
end
