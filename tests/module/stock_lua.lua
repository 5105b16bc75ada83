-- SPDX-License-Identifier: MIT
-- Run by stock lua5.4 (not the lunar host) with lunar.so on package.cpath:
-- the module must load into a foreign interpreter and work there.
local lu = require "lunar"
local failed = 0
local function check(cond, what)
  if cond then print("ok - " .. what) else failed = failed + 1; print("not ok - " .. what) end
end
check(type(lu) == "table" and lu.__version == "0.1.0", "require 'lunar' gives the module table")
local a = lu.arange(6):reshape(2, 3)
check(tostring(a * 2) == "array([[ 0,  2,  4],\n       [ 6,  8, 10]])", "arithmetic and printing")
check(a:sum():item() == 15, "a reduction read back as a Lua integer")
check(lu.matmul(lu.ones({2, 3}, {device = "cpu"}), lu.ones({3, 2}, {device = "cpu"})):totable()[2][2] == 3.0, "matmul on the cpu")
local ok, err = pcall(function() return a + lu.ones(4) end)
check(not ok and err:find("could not be broadcast", 1, true) ~= nil, "errors are Lua errors")
do   -- help() reads the pages compiled into lunar.so
  local out, print0 = {}, print
  print = function(s) out[#out + 1] = s end
  lu.help(lu.sum)
  print = print0
  check((out[1] or ""):find("lunar.sum(a [, axis [, dtype [, out [, keepdims]]]])", 1, true) == 1, "help(lu.sum)")
end
print(string.format("module: %d passed, %d failed", 6 - failed, failed))
os.exit(failed == 0 and 0 or 1)
