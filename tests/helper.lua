-- SPDX-License-Identifier: MIT
-- Shared by the specs: `local h = require "tests.helper"` (busted runs from
-- the repository root).
local M = {}

-- The message of the error fn(...) raises, without Lua's "chunk:line: "
-- prefix, or nil when it does not raise.
function M.err_of(fn, ...)
  local ok, e = pcall(fn, ...)
  if ok then return nil end
  return (tostring(e):gsub("^[^\n]-:%d+: ", "", 1))
end

return M
