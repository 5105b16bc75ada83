-- SPDX-License-Identifier: MIT
-- doc/coverage.md is generated (tools/coverage.lua) from lunar's names and
-- tests/coverage/numpy_names.txt: it must be up to date, so whoever adds a
-- name regenerates it.
local h = require "tests.helper"

local function read(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("a")
  f:close()
  return s
end

describe("NumPy coverage table", function()
  local render = assert(loadfile("tools/coverage.lua"))

  it("doc/coverage.md is up to date", function()
    local want, got = render("--render"), read("doc/coverage.md")
    if want ~= got then
      local ln, i = 1, 1
      while i <= #want and want:sub(i, i) == got:sub(i, i) do
        if want:sub(i, i) == "\n" then ln = ln + 1 end
        i = i + 1
      end
      error(("doc/coverage.md is out of date (first difference on line %d): "
        .. "run build/lunar tools/coverage.lua and commit the result"):format(ln), 0)
    end
  end)

  it("lists every NumPy name once, and each spelling maps a listed name to a lunar name", function()
    assert.is_nil(h.err_of(render, "--render"))   -- it asserts both
    local seen, dup = {}, {}
    for l in read("tests/coverage/numpy_names.txt"):gmatch("[^\n]+") do
      if not l:match("^#") and not l:match("^%[") then
        if seen[l] then dup[#dup + 1] = l end
        seen[l] = true
      end
    end
    assert(#dup == 0, "listed twice: " .. table.concat(dup, ", "))
    assert(seen["concat"] and seen["permute_dims"] and seen["vecdot"] and seen["trapezoid"],
           "NumPy 2 names are in the list")
  end)

  it("counts a NumPy name present under lunar's spelling", function()
    local text = render("--render")
    assert.truthy(text:find("remainder (`lunar.mod`)", 1, true))
    assert.truthy(text:find("ndarray.tolist (`array:totable`)", 1, true))
    assert.truthy(text:find("\n| all | %d+ | %d+ | %d+%% |\n"))
  end)
end)
