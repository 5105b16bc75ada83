-- SPDX-License-Identifier: MIT
-- lunar.image: PNG and JPEG files. The expected values come from outside
-- lunar: Debian's Python (PIL and NumPy) writes the test files and their
-- checksums (tests/image/gen.py) and reads back what lunar writes; the
-- patterns lunar writes are the formula of gen.py, built here by hand.
local lu = require "lunar"
local h = require "tests.helper"

local PY = os.getenv("PYTHON") or "/usr/bin/python3"
local GEN = "tests/image/gen.py"
local CAMERA = "/usr/lib/python3/dist-packages/skimage/data/camera.png"

local function sh(cmd)
  local f = io.popen(cmd .. " 2>&1")
  local out = f:read("a")
  return f:close(), out
end
local have_py = sh(PY .. ' -c "import PIL, numpy"')
local PNG, JPEG = lu.image.formats.png, lu.image.formats.jpeg

-- sum and weighted sum of the samples, as gen.py's checksums()
local function checksums(a)
  local f = a:astype("int64"):ravel()
  local w = lu.arange(f.shape[1], {dtype = "int64", device = a.device}) % 251 + 1
  return f:sum():item(), (f * w):sum():item()
end

-- gen.py's pattern(H, W, C, mod, seed) (C = 0: an (H, W) array), 16-bit
-- ones times 4099 mod 2^16, as a Lua table
local function pattern(H, W, C, mod, seed, mul)
  local t = {}
  for i = 0, H - 1 do
    local row = {}
    for j = 0, W - 1 do
      local px = {}
      for k = 0, math.max(C, 1) - 1 do
        local v = (i * 31 + j * 17 + k * 59 + seed * 7 + (i * j) % 13) % mod
        if mul then v = v * 4099 % 65536 end
        px[k + 1] = v
      end
      row[j + 1] = C == 0 and px[1] or px
    end
    t[i + 1] = row
  end
  return t
end

local function shape(a) return table.concat(a.shape, "x") end

describe("lunar.image", function()
  local dir
  lazy_setup(function()
    local _, out = sh("mktemp -d " .. (os.getenv("TMPDIR") or "/tmp") .. "/lunar-image-XXXXXX")
    dir = out:gsub("%s+$", "")
    assert(dir:match("^/[%w/._-]+$"), "mktemp: " .. out)
    os.execute("mkdir " .. dir .. "/lunar")
    if have_py then
      local ok, msg = sh(PY .. " " .. GEN .. " make " .. dir)
      assert(ok, msg)
    end
  end)
  lazy_teardown(function()
    if dir and dir:match("^/[%w/._-]+lunar%-image%-[%w]+$") then os.execute("rm -rf " .. dir) end
  end)

  it("has both codecs, or says which one this build lacks", function()
    local e = h.err_of(lu.image.write, dir .. "/x.png", lu.zeros({2, 2}, "uint8"))
    if PNG then assert.is_nil(e) else
      assert.are.equal("lunar.image.write: lunar was built without libpng (apt-get install "
        .. "libpng-dev, then rebuild)", e)
    end
    e = h.err_of(lu.image.write, dir .. "/x.jpg", lu.zeros({2, 2}, "uint8"))
    if JPEG then assert.is_nil(e) else
      assert.are.equal("lunar.image.write: lunar was built without libjpeg (apt-get install "
        .. "libjpeg-dev, then rebuild)", e)
    end
    os.remove(dir .. "/x.png")
    os.remove(dir .. "/x.jpg")
    -- the Makefile installs both: a build here without them is a finding
    assert.are.same({png = true, jpeg = true}, lu.image.formats)
  end)

  it("reads scikit-image's camera.png as PIL does", function()
    local f = io.open(CAMERA, "rb")
    if not f then pending("python3-skimage is not installed (the Makefile installs it)") return end
    f:close()
    local a = lu.image.read(CAMERA)
    assert.are.same({512, 512}, a.shape)
    assert.are.equal("uint8", a.dtype)
    -- PIL: np.asarray(Image.open(camera.png)), sum and weighted sum
    local s, ws = checksums(a)
    assert.are.equal(33832495, s)
    assert.are.equal(4256556634, ws)
  end)

  for _, dev in ipairs(lu.devices()) do
    it("reads every PNG mode, bit depth and interlace, and JPEG, as PIL does (" .. dev .. ")", function()
      if not have_py then pending("no PIL in " .. PY) return end
      local n = 0
      for l in io.lines(dir .. "/good.txt") do
        local name, H, W, C, dt, s, ws = l:match("^(%S+) (%d+) (%d+) (%d+) (%S+) (%d+) (%d+)$")
        local a = lu.image.read(dir .. "/good/" .. name, {device = dev})
        local want = C == "1" and H .. "x" .. W or H .. "x" .. W .. "x" .. C
        assert.are.equal(name .. " " .. want .. " " .. dt, name .. " " .. shape(a) .. " " .. a.dtype)
        assert.are.equal(dev, a.device)
        local gs, gws = checksums(a)
        assert.are.equal(name .. " " .. s .. " " .. ws, name .. " " .. gs .. " " .. gws)
        n = n + 1
      end
      assert.are.equal(39, n)
    end)

    it("round-trips gray, gray+alpha, RGB and RGBA at 8 and 16 bits through PNG (" .. dev .. ")", function()
      local A = h.on(dev)
      for c = 0, 4 do
        for _, bd in ipairs{8, 16} do
          local a = A(pattern(13, 17, c, 1 << bd, 2 * c + bd, bd == 16), bd == 8 and "uint8" or "uint16")
          local path = dir .. "/lunar/w_c" .. c .. "_" .. bd .. ".png"
          lu.image.write(path, a)
          local b = lu.image.read(path, {device = dev})
          -- one channel reads back as (H, W)
          assert.are.equal(c <= 1 and "13x17" or "13x17x" .. c, shape(b))
          assert.are.equal(a.dtype, b.dtype)
          assert.is_true(lu.array_equal(b, c == 1 and a:reshape(13, 17) or a))
        end
      end
    end)

    it("writes non-contiguous arrays (transposed, reversed) in their logical order (" .. dev .. ")", function()
      local A = h.on(dev)
      local a = A(pattern(13, 17, 3, 256, 1), "uint8")
      local path = dir .. "/t.png"
      lu.image.write(path, a:transpose(2, 1, 3))
      assert.is_true(lu.array_equal(lu.image.read(path, {device = dev}), a:transpose(2, 1, 3)))
      local r = a[{{-1, 1, -1}, {-1, 1, -2}}]
      lu.image.write(path, r)
      assert.is_true(lu.array_equal(lu.image.read(path, {device = dev}), r))
      os.remove(path)
    end)

    it("writes bool images as 0 and 255 (" .. dev .. ")", function()
      local m = h.on(dev)({{true, false, true}, {false, false, true}})
      local path = dir .. "/b.png"
      lu.image.write(path, m)
      assert.are.same({{255, 0, 255}, {0, 0, 255}}, h.flat(lu.image.read(path)))
      os.remove(path)
    end)

    it("writes JPEG at a given quality, gray and RGB (" .. dev .. ")", function()
      local A = h.on(dev)
      for _, c in ipairs{1, 3} do
        local t = {}
        for i = 0, 31 do
          t[i + 1] = {}
          for j = 0, 47 do
            if c == 1 then t[i + 1][j + 1] = i * 3 + j * 2
            else t[i + 1][j + 1] = {i * 3 + j * 2, i * 3 + j * 2 + 30, i * 3 + j * 2 + 60} end
          end
        end
        local a = A(t, "uint8")
        local path = dir .. "/lunar/w_" .. (c == 1 and "gray" or "rgb") .. ".jpg"
        lu.image.write(path, a, {quality = 100})
        local b = lu.image.read(path, {device = dev})
        assert.are.equal(shape(a), shape(b))
        local err = lu.abs(b:astype("int32") - a:astype("int32")):mean():item()
        assert.is_true(err < 2, "mean error " .. err)
        local f = io.open(path, "rb")
        local big = #f:read("a")
        f:close()
        lu.image.write(path, a, {quality = 10})
        f = io.open(path, "rb")
        local small = #f:read("a")
        f:close()
        assert.is_true(small < big, small .. " >= " .. big)
        lu.image.write(path, a, {quality = 100})
      end
      lu.image.write(dir .. "/x.JPEG", A(pattern(8, 8, 0, 256, 1), "uint8"))
      lu.image.write(dir .. "/x.img", A(pattern(8, 8, 0, 256, 1), "uint8"), {format = "jpeg"})
      assert.are.same({8, 8}, lu.image.read(dir .. "/x.img").shape)
      lu.image.write(dir .. "/x.img", A(pattern(8, 8, 3, 256, 1), "uint8"), {format = "PNG",
                                                                              compress_level = 9})
      assert.are.same({8, 8, 3}, lu.image.read(dir .. "/x.img").shape)
      os.remove(dir .. "/x.JPEG")
      os.remove(dir .. "/x.img")
    end)
  end

  it("writes files that PIL reads back as written", function()
    if not have_py then pending("no PIL in " .. PY) return end
    local ok, out = sh(PY .. " " .. GEN .. " check " .. dir .. "/lunar")
    assert(ok, out)
    local n = 0
    for l in out:gmatch("[^\n]+") do
      assert.are.equal(l:match("^%S+") .. " ok", l)
      n = n + 1
    end
    assert.are.equal(12, n)
  end)

  it("rejects each malformed PNG and JPEG file with a clear error", function()
    if not have_py then pending("no PIL in " .. PY) return end
    local n = 0
    for l in io.lines(dir .. "/bad.txt") do
      local name, text = l:match("^(.-)|(.*)$")
      local e = h.err_of(lu.image.read, dir .. "/bad/" .. name)
      assert(e, name .. " was read without an error")
      assert(e:find("^lunar%.image%.read: ") and e:find(text, 1, true),
             name .. ": expected '" .. text .. "' in: " .. e)
      n = n + 1
    end
    assert.is_true(n >= 70, n .. " files")
    -- still usable afterwards
    assert.are.same({13, 17, 3}, lu.image.read(dir .. "/good/rgb8i.png").shape)
  end)

  it("says what is wrong with an argument", function()
    local a8 = lu.zeros({4, 5}, "uint8")
    local p = dir .. "/e.png"
    local W, R = lu.image.write, lu.image.read
    assert.are.equal("lunar.image.write: cannot write float64 pixels; images hold uint8, uint16 or "
      .. "bool samples (scale and convert first, e.g. (a * 255):astype('uint8'))",
      h.err_of(W, p, lu.zeros({4, 5})))
    assert.are.equal("lunar.image.write: cannot write int64 pixels; images hold uint8, uint16 or "
      .. "bool samples (convert first, e.g. a:astype('uint8'))", h.err_of(W, p, lu.arange(20):reshape(4, 5)))
    assert.are.equal("lunar.image.write: expected an (H, W) or (H, W, C) array with C = 1, 2, 3 or 4, "
      .. "got shape (4,5,5)", h.err_of(W, p, lu.zeros({4, 5, 5}, "uint8")))
    assert.are.equal("lunar.image.write: expected an (H, W) or (H, W, C) array with C = 1, 2, 3 or 4, "
      .. "got shape (20,)", h.err_of(W, p, lu.zeros(20, "uint8")))
    assert.are.equal("lunar.image.write: cannot write an empty image (0 x 5)",
      h.err_of(W, p, lu.zeros({0, 5}, "uint8")))
    assert.are.equal("lunar.image.write: JPEG holds 8-bit samples, not 16-bit (write a PNG, or "
      .. "convert to uint8)", h.err_of(W, dir .. "/e.jpg", lu.zeros({4, 5}, "uint16")))
    assert.are.equal("lunar.image.write: JPEG holds gray or RGB images (1 or 3 channels), got 4 "
      .. "channels", h.err_of(W, dir .. "/e.jpg", lu.zeros({4, 5, 4}, "uint8")))
    assert.are.equal("lunar.image.write: cannot tell the format from '" .. dir .. "/e.gif'; end the "
      .. "name in .png, .jpg or .jpeg, or pass format=", h.err_of(W, dir .. "/e.gif", a8))
    assert.are.equal("lunar.image.write: cannot tell the format from 'png'; end the "
      .. "name in .png, .jpg or .jpeg, or pass format=", h.err_of(W, "png", a8))
    assert.are.equal("lunar.image.write: unknown format 'gif' (\"png\" or \"jpeg\")",
      h.err_of(W, p, a8, {format = "gif"}))
    assert.are.equal("lunar.image.write: bad argument #3 (quality must be within [1, 100], got 0)",
      h.err_of(W, p, a8, {quality = 0}))
    assert.are.equal("lunar.image.write: bad argument #3 (compress_level must be within [0, 9], got 10)",
      h.err_of(W, p, a8, {compress_level = 10}))
    assert.are.equal("lunar.image.write: bad argument #3 (unknown option 'qualty')",
      h.err_of(W, p, a8, {qualty = 9}))
    assert.are.equal("lunar.image.write: bad argument #1 (path contains a zero byte)",
      h.err_of(W, "e\0.png", a8))
    assert.are.equal("lunar.image.write: bad argument #1 (path must be a string, got userdata)",
      h.err_of(W, a8, p))
    assert.are.equal("lunar.image.write: cannot open '" .. dir .. "/no/such/e.png' for writing: No "
      .. "such file or directory", h.err_of(W, dir .. "/no/such/e.png", a8))
    assert.are.equal("lunar.image.read: cannot open '" .. dir .. "/none.png': No such file or "
      .. "directory", h.err_of(R, dir .. "/none.png"))
    assert.are.equal("lunar.image.read: cannot read '" .. dir .. "': Is a directory", h.err_of(R, dir))
    assert.are.equal("lunar.image.read: bad argument #1 (path is empty)", h.err_of(R, ""))
    assert.are.equal("lunar.image.read: bad argument #2 (unknown option 'dtype')",
      h.err_of(R, p, {dtype = "uint8"}))
    assert.are.equal("lunar.image.read: bad argument #2 (max_pixels must be positive, got 0)",
      h.err_of(R, p, {max_pixels = 0}))
    assert.are.equal("lunar.image.read: bad argument #2 (unexpected argument (number); "
      .. "lunar.image.read takes 0 positional arguments after the first)", h.err_of(R, p, 5))
    W(p, a8)
    assert.are.equal("lunar.image.read: '" .. p .. "' is 5 x 4 pixels, more than max_pixels (19)",
      h.err_of(R, p, {max_pixels = 19}))
    assert.are.same({4, 5}, R(p, {max_pixels = 20}).shape)
    os.remove(p)
  end)
end)
