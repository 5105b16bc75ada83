-- SPDX-License-Identifier: MIT
-- A rank that fails must end every rank, with messages naming the rank and
-- the op, never a hang. Run by tests/dist/run.sh under mpirun -n 2, which
-- checks the exit status, the messages and the time:
--   raise    rank 1 raises before the collective that rank 0 waits in
--   timeout  rank 1 never arrives (busy), rank 0's deadline ends it
local lu = lunar
local d = lu.dist
local mode = arg[1]
d.init{backend = "mpi", timeout = mode == "timeout" and 0.5 or 20}
local r = d.rank()
if mode == "raise" then
  if r == 1 then error("rank one fails on purpose") end
  d.all_reduce(lu.zeros{4})
elseif mode == "timeout" then
  if r == 1 then
    local t = os.clock()
    while os.clock() - t < 20 do end
  end
  d.all_reduce(lu.zeros{4})
end
print("rank " .. r .. " should not get here")
