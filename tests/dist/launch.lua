-- SPDX-License-Identifier: MIT
-- `lunar -n N tests/dist/launch.lua MODE`, run by tests/dist/run.sh (no MPI
-- needed):
--   env   each rank prints what the launcher told it, then what init says
--   fail  rank 1 raises; rank 0 would run for 30 s: the launcher ends it
local mode = arg[1]
local r = os.getenv("LUNAR_RANK")
if mode == "env" then
  print(string.format("launch rank=%s size=%s local=%s/%s file=%s", r,
                      os.getenv("LUNAR_WORLD_SIZE"), os.getenv("LUNAR_LOCAL_RANK"),
                      os.getenv("LUNAR_LOCAL_WORLD_SIZE"),
                      tostring((os.getenv("LUNAR_DIST_FILE") or ""):match("/rendezvous$") ~= nil)))
  local ok, e = pcall(lunar.dist.init)
  print("launch init " .. (ok and e or tostring(e)))
elseif mode == "fail" then
  if r == "1" then error("rank one fails on purpose") end
  local t = os.clock()
  while os.clock() - t < 30 do end
  print("rank " .. r .. " should not get here")
end
