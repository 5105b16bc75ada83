-- SPDX-License-Identifier: MIT
-- lunar.fromregex (src/core/regexio.c). The expected matches were worked
-- out with Python's re.findall on the same text (and np.fromregex for the
-- one-group case).
local lu = rawget(_G, "lunar") or require "lunar"
local h = require "tests.helper"

local TEXT = "1312 foo 2.5\n1534  bar -1e3\n444   qux 7\n"

describe("fromregex", function()
  local path
  before_each(function()
    path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write(TEXT)
    f:close()
  end)
  after_each(function() os.remove(path) end)

  for _, dev in ipairs(lu.devices()) do
    it("reads one group as a 1-d array and several as rows on " .. dev, function()
      -- np.fromregex(path, r"(\d+)\s+[a-z]+", [("a", np.int64)]) -> 1312, 1534, 444
      local a = lu.fromregex(path, "(\\d+)\\s+[a-z]+", "int64", {device = dev})
      assert.are.equal(dev, a.device)
      assert.are.equal("int64", a.dtype)
      assert.are.same({1312, 1534, 444}, h.flat(a))
      local b = lu.fromregex(path, "^(\\d+) +[a-z]+ (\\S+)$", "float32", {device = dev})
      assert.are.same({3, 2}, b.shape)
      assert.are.same({{1312, 2.5}, {1534, -1000}, {444, 7}}, h.flat(b))
    end)
  end

  it("gives one array per group for a list of dtypes", function()
    local t = lu.fromregex(path, "^(\\d)(\\d+) +[a-z]+ (\\S+)", {"int8", "float64", "float32"}, {device = "cpu"})
    assert.are.equal(3, #t)
    assert.are.same({1, 1, 4}, t[1]:totable())
    assert.are.equal("int8", t[1].dtype)
    assert.are.same({312, 534, 44}, t[2]:totable())
    assert.are.equal("float64", t[2].dtype)
    assert.are.same({2.5, -1000, 7}, t[3]:totable())
  end)

  it("uses the whole match when there is no group, and reads an open file", function()
    assert.are.same({1312, 1534, 444}, lu.fromregex(path, "^[0-9]+", "int64", {device = "cpu"}):totable())
    local f = assert(io.open(path, "rb"))
    f:read("l")        -- from where the file stands
    assert.are.same({1534, 444}, lu.fromregex(f, "^[0-9]+", "int64", {device = "cpu"}):totable())
    f:close()
  end)

  it("translates Python's escapes and keeps '.' within a line", function()
    -- re.findall(r"[\d.e-]+$", TEXT, re.M) -> ['2.5', '-1e3', '7']
    assert.are.same({2.5, -1000, 7}, lu.fromregex(path, "[\\d.e-]+$", "float64", {device = "cpu"}):totable())
    -- re.findall(r"(\d+) +[a-z]+ (.*)", TEXT) -> [('1312', '2.5'), ('1534', '-1e3'),
    -- ('444', '7')]: '.' stops at "\n"
    assert.are.same({{1312, 2.5}, {1534, -1000}, {444, 7}},
                    lu.fromregex(path, "(\\d+) +[a-z]+ (.*)", "float64", {device = "cpu"}):totable())
    -- \w and \t: re.findall(r"(\w)\t*\n", TEXT) -> ["5", "3", "7"]
    assert.are.same({5, 3, 7}, lu.fromregex(path, "(\\w)\\t*\\n", "int64", {device = "cpu"}):totable())
  end)

  it("gives an empty array when nothing matches", function()
    local a = lu.fromregex(path, "(zzz)", "float64", {device = "cpu"})
    assert.are.same({0}, a.shape)
    assert.are.same({0, 2}, lu.fromregex(path, "(z)(z)", "int32", {device = "cpu"}).shape)
  end)

  it("names the function, the argument and the values in errors", function()
    assert.are.equal("lunar.fromregex: bad regular expression '(\\d+': Unmatched ( or \\(",
                     h.err_of(lu.fromregex, path, "(\\d+", "int64"))
    assert.are.equal("lunar.fromregex: '(?' at position 1: Python's extension groups are not POSIX regular expressions",
                     h.err_of(lu.fromregex, path, "(?P<a>\\d+)", "int64"))
    assert.are.equal("lunar.fromregex: '*?' at position 2: lazy quantifiers are not POSIX regular expressions",
                     h.err_of(lu.fromregex, path, ".*?", "int64"))
    assert.are.equal("lunar.fromregex: could not convert string 'foo' to int64 (match 1, group 2)",
                     h.err_of(lu.fromregex, path, "^(\\d+) +([a-z]+)", "int64"))
    assert.are.equal("lunar.fromregex: dtype lists 1 dtype for the expression's 2 groups",
                     h.err_of(lu.fromregex, path, "(\\d)(\\d)", {"int64"}))
    assert.are.equal("lunar.fromregex: match 1: group 2 took no part in the match",
                     h.err_of(lu.fromregex, path, "^(\\d+)|(x)", "int64"))
    assert.are.equal("lunar.fromregex: bad argument #3 (unknown dtype 'int65')",
                     h.err_of(lu.fromregex, path, "(\\d+)", "int65"))
    assert.are.equal("lunar.fromregex: bad argument #3 (dtype expected (NumPy's fromregex needs one too))",
                     h.err_of(lu.fromregex, path, "(\\d+)"))
    assert.are.equal("lunar.fromregex: bad argument #4 (encoding must be 'utf-8', 'latin1', 'ascii' or 'bytes', got 'cp1252')",
                     h.err_of(lu.fromregex, path, "(\\d+)", "int64", "cp1252"))
    assert.are.equal("lunar.fromregex: cannot open '" .. path .. ".missing': No such file or directory",
                     h.err_of(lu.fromregex, path .. ".missing", "(\\d+)", "int64"))
    assert.are.equal("lunar.fromregex: bad argument #1 (a file name or an open file expected, got number)",
                     h.err_of(lu.fromregex, 3, "(\\d+)", "int64"))
    assert.are.same({1312, 1534, 444}, lu.fromregex(path, "^\\d+", "int64", {device = "cpu"}):totable())
  end)
end)
