-- SPDX-License-Identifier: MIT
-- help(): the entry of doc/api/<family>.md for a function, a name, a family
-- or the module; and every public name of lunar has an entry.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

-- What help(...) prints, as one string.
local function help_text(...)
  local out, print0 = {}, _G.print
  _G.print = function(...)
    local t = table.pack(...)
    for i = 1, t.n do t[i] = tostring(t[i]) end
    out[#out + 1] = table.concat(t, "\t")
  end
  local ok, err = pcall(lu.help, ...)
  _G.print = print0
  assert(ok, err)
  return table.concat(out, "\n")
end

local function has(text, s)
  assert(text:find(s, 1, true), ("expected %q in:\n%s"):format(s, text))
end

-- The form that names `name` in an entry: "lunar.sum" -> "lunar.sum",
-- "array:sum" -> "a:sum", "array.shape" -> "a.shape".
local function form_of(name)
  return (name:gsub("^array([:.])", "a%1"))
end

-- Does the text hold the form f as a whole name (not "lunar.sum" inside
-- "lunar.sumx")?
local function names(text, f)
  local i = 1
  while true do
    local s, e = text:find(f, i, true)
    if not s then return false end
    if not text:sub(e + 1, e + 1):match("[%w_]") then return true end
    i = e + 1
  end
end

describe("help", function()
  it("prints a function's entry (a heading)", function()
    local t = help_text(lu.zeros)
    has(t, "lunar.zeros(shape... [, kwargs]) \u{B7} lunar.ones(shape... [, kwargs])")
    has(t, "Arrays of zeros, ones, or uninitialised values")
  end)

  it("prints a method's entry", function()
    local a = lu.zeros{2, 3}
    local t = help_text(a.reshape)
    has(t, "lunar.reshape(a, shape...) \u{B7} a:reshape(shape...)")
    has(t, "one `-1` is")
    assert.are.equal(t, help_text(lu.reshape))
  end)

  it("prints a table row with its meaning and the family's notes", function()
    local t = help_text(lu.sum)
    has(t, "lunar.sum(a [, axis [, dtype [, out [, keepdims]]]]) \u{B7} a:sum(...)\n  sum\n")
    has(t, "Reductions (doc/api/reduce.md):")
    has(t, "Axes are 1-based")
    has(help_text(lu.zeros(1).gt), "a:gt(y)")
  end)

  it("finds names given as strings", function()
    local t = help_text(lu.matmul)
    assert.are.equal(t, help_text("matmul"))
    assert.are.equal(t, help_text("lunar.matmul"))
    assert.are.equal(t, help_text("a:matmul"))
    assert.are.equal(t, help_text("array:matmul"))
    assert.are.equal(t, help_text("matmul(a, b)"))
    has(help_text("random.rand"), "lunar.random.rand(shape... [, dtype])")
    has(help_text("lunar.random.rand"), "lunar.random.rand(shape... [, dtype])")
    has(help_text("a.shape"), "the shape, a new Lua table of integers")
    has(help_text("tostring"), "NumPy's repr")
    if rawget(lu, "linalg") and lu.linalg.solve then
      has(help_text("linalg.solve"), "lunar.linalg.solve(")
    end
  end)

  it("finds functions by value, also under another name", function()
    local f = lu.sum
    assert.are.equal(help_text("sum"), help_text(f))
    has(help_text(lu.random.seed), "lunar.random.seed(n)")
  end)

  it("lists the families for the module and with no argument", function()
    local t = help_text(lu)
    assert.are.equal(t, help_text())
    assert.are.equal(t, help_text("lunar"))
    has(t, "help(f) prints the entry of a function")
    -- in the order of doc/api.md's index
    local m, c, r = t:find("\n  module "), t:find("\n  creation "), t:find("\n  reduce ")
    assert(m and c and r and m < c and c < r, t)
    has(t, "Reductions (")
  end)

  it("lists a family, a sub-table of the module and an array's methods", function()
    local t = help_text("reduce")
    has(t, "Reductions (doc/api/reduce.md)")
    has(t, "  lunar.argmax(a [, axis [, out]]) \u{B7} a:argmax(...)")
    t = help_text(lu.random)
    has(t, "lunar.random\n")
    has(t, "  lunar.random.randn(shape... [, dtype])")
    has(help_text("cuda"), "  lunar.cuda.device_count()")
    t = help_text(lu.zeros(3))
    has(t, "  a:item()")
    has(t, "  a.shape")
  end)

  it("says clearly what it does not know", function()
    assert.are.equal("help: this function is not one of lunar's (help(lunar) lists the families)",
                     help_text(print))
    assert.are.equal('help: no entry for "no_such_thing" (help(lunar) lists the families)',
                     help_text("no_such_thing"))
    assert.are.equal("help: got nil (a misspelt name?) (help(lunar) lists the families)",
                     help_text(nil))
    assert.are.equal("help: no entry for a number (help(lunar) lists the families)",
                     help_text(42))
    assert.are.equal('help: no entry for "argm" (help(lunar) lists the families); '
      .. "similar: lunar.argmax, lunar.argmin, lunar.nanargmax, lunar.nanargmin", help_text("argm"))
  end)

  it("is the global help in the lunar host", function()
    -- the busted runner inside build/lunar: the host set it
    if rawget(_G, "help") ~= nil then assert.are.equal(lu.help, rawget(_G, "help")) end
    assert.are.equal("function", type(lu.help))
  end)

  it("has an entry for every public name of the module and every array method", function()
    local missing, checked = {}, 0
    local function check(name, value)
      checked = checked + 1
      local t = help_text(type(value) == "function" and value or name)
      local kw = name:match("^lunar%.([%w_]+)$")   -- lunar["repeat"] for a keyword
      if t:match("^help:") or not (names(t, form_of(name))
                                   or (kw and names(t, 'lunar["' .. kw .. '"]'))) then
        missing[#missing + 1] = name
      end
    end
    local function walk(t, prefix, seen)
      for k, v in pairs(t) do
        if type(k) == "string" then
          if type(v) == "table" then
            if not seen[v] then seen[v] = true; walk(v, prefix .. k .. ".", seen) end
          else
            check(prefix .. k, v)
          end
        end
      end
    end
    walk(lu, "lunar.", {[lu] = true})
    local mt = getmetatable(lu.zeros(1))
    for k, v in pairs(mt.__methods) do check("array:" .. k, v) end
    for _, k in ipairs(mt.__properties) do check("array." .. k, nil) end
    table.sort(missing)
    assert(#missing == 0, ("%d of %d public names have no entry in doc/api: %s")
      :format(#missing, checked, table.concat(missing, ", ")))
    assert(checked > 100)
  end)
end)
