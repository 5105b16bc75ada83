-- SPDX-License-Identifier: MIT
-- The disk cache of compiled kernels is trusted input too (issue 12):
-- each cached CUBIN carries a header (magic "lunarKC1" and the FNV-1a hash
-- of what follows) checked before loading. A truncated, damaged or foreign
-- file, or one whose header is right but whose content does not load, is
-- deleted and the kernel compiled again; a directory that group or others
-- may write is not used at all (src/backend/cuda/kcache.c). Each case runs
-- a RawKernel in a fresh lunar process over a private XDG_CACHE_HOME and
-- reads back its result and how many kernels it compiled. CUDA only.
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

-- the lunar executable running these specs
local function exe_path()
  local lo = 0
  while arg and arg[lo - 1] do lo = lo - 1 end
  local exe = arg and arg[lo]
  return exe and exe:match("lunar$") and exe or nil
end

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function spit(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

-- FNV-1a, 64 bits (Lua's integers wrap as the C code's uint64_t does)
local function fnv1a(s)
  local x = -3750763034362895579   -- 0xcbf29ce484222325
  for i = 1, #s do x = (x ~ s:byte(i)) * 0x100000001b3 end
  return x
end

for _, dev in ipairs(h.gpus()) do
describe("the kernel cache on " .. dev, function()
  local exe = exe_path()
  local root, dir, script

  local function run()
    local p = io.popen(("XDG_CACHE_HOME=%q %q %q 2>&1"):format(root, exe, script))
    local out = p:read("a")
    p:close()
    local vals, compiled = out:match("RESULT (%S+) compiled=(%d+)")
    assert.is_truthy(vals, out)
    return vals, tonumber(compiled)
  end

  -- the cache file of kc_fill (its CUBIN names it), and how many there are
  local function cache_file()
    local p = io.popen(("ls %q/*.cubin 2>/dev/null"):format(dir))
    local names = {}
    for l in p:lines() do
      local d = slurp(l)
      if d and d:find("kc_fill", 1, true) then names[#names + 1] = l end
    end
    p:close()
    return names[1], #names
  end

  setup(function()
    if not exe then return end
    root = os.tmpname()
    os.remove(root)
    assert(os.execute(("mkdir -p %q"):format(root)))
    dir = root .. "/lunar"
    script = root .. "/k.lua"
    spit(script, ([=[
local lu = lunar
lu.stats(true)
local k = lu.RawKernel('extern "C" __global__ void kc_fill(float *y, float v) '
                       .. '{ y[threadIdx.x] = v + threadIdx.x; }', "kc_fill")
local y = lu.zeros(4, {dtype = "float32", device = "%s"})
k(1, 4, {y, 10})
print(("RESULT %%s compiled=%%d"):format(table.concat(y:totable(), ","), lu.stats().compiled))
]=]):format(dev))
  end)

  teardown(function()
    if root then os.execute(("chmod -R u+w %q; rm -rf %q"):format(root, root)) end
  end)

  it("compiles once, then loads the checked file", function()
    if not exe then return pending("needs the lunar executable") end
    local v, c = run()
    assert.are.equal("10.0,11.0,12.0,13.0", v)
    assert.is_true(c >= 1)
    local f, n = cache_file()
    assert.are.equal(1, n)
    local data = slurp(f)
    assert.are.equal("lunarKC1", data:sub(1, 8))
    assert.are.equal(fnv1a(data:sub(17)), string.unpack("<i8", data, 9))
    v, c = run()
    assert.are.equal("10.0,11.0,12.0,13.0", v)
    assert.are.equal(0, c)
  end)

  -- each damage: the right result, one compile, and a sound file again
  local damages = {
    {"truncated", function(d) return d:sub(1, 100) end},
    {"cut to its header", function(d) return d:sub(1, 16) end},
    {"with a bit flipped in the CUBIN", function(d)
      local i = 200
      return d:sub(1, i - 1) .. string.char(d:byte(i) ~ 0x10) .. d:sub(i + 1)
    end},
    {"with a bit flipped in the hash", function(d)
      return d:sub(1, 8) .. string.char(d:byte(9) ~ 1) .. d:sub(10)
    end},
    {"foreign", function() return ("not a kernel\n"):rep(300) end},
    {"empty", function() return "" end},
    -- a right header over content that is no CUBIN: it fails to load
    {"a checked header over a foreign body", function()
      local body = ("\127ELF garbage "):rep(200)
      return "lunarKC1" .. string.pack("<i8", fnv1a(body)) .. body
    end},
  }
  for _, dmg in ipairs(damages) do
    it("drops a file " .. dmg[1] .. " and compiles again", function()
      if not exe then return pending("needs the lunar executable") end
      local f = cache_file()
      if not f then run(); f = cache_file() end
      local good = slurp(f)
      spit(f, dmg[2](good))
      local v, c = run()
      assert.are.equal("10.0,11.0,12.0,13.0", v)
      assert.are.equal(1, c)
      local f2, n = cache_file()
      assert.are.equal(1, n)
      assert.are.equal(good, slurp(f2))
      v, c = run()
      assert.are.equal(0, c)
    end)
  end

  it("neither reads nor writes a directory that others may write", function()
    if not exe then return pending("needs the lunar executable") end
    local f = cache_file()
    if not f then run(); f = cache_file() end
    assert(os.execute(("chmod 0777 %q"):format(dir)))
    local v, c = run()
    assert.are.equal("10.0,11.0,12.0,13.0", v)
    assert.are.equal(1, c)
    os.remove(f)
    v, c = run()
    assert.are.equal(1, c)
    assert.is_nil(cache_file())
    assert(os.execute(("chmod 0700 %q"):format(dir)))
    v, c = run()
    assert.are.equal(1, c)
    assert.is_truthy(cache_file())
  end)
end)
end
