-- merge's memory is bounded by what it is given: a result holding 16 MB of small numbers (8
-- million values, the densest JSON there is) peaks under 10 times the file (17 times before:
-- the parser gathered each container's values on a stack as large as the tree), and a file
-- with more tag values than a run keeps (each costs two full histograms) is refused.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

describe("soapload merge's memory", function()
  local mock, file

  setup(function()
    mock = t.start_mock("")
    file = t.tmpname(".json")
    local s = t.script(("soapload.url = %q\n"):format(mock.url))
    local code, out, err = t.run(("-q -R 100 -d 1s -w 1 -c 2 --json %s %s"):format(file, s))
    os.remove(s)
    assert(code == 0, tostring(code) .. out .. err)
    assert(mock.stats().requests.echo == 100)
  end)
  teardown(function()
    mock.stop()
    os.remove(file)
  end)

  it("16 MB of small numbers in a result: a peak under 10 times the file", function()
    local big = t.tmpname(".json")
    finally(function() os.remove(big) end)
    local text = assert(t.read(file))
    assert(text:sub(1, 2) == "{\n")
    local n = 8 * 1024 * 1024 -- "0," each: 16 MB
    t.write(big, '{\n  "pad": [' .. string.rep("0,", n - 1) .. '0],\n' .. text:sub(3))
    local size = #t.read(big)
    local code, out, err = t.run(("merge -q %s"):format(big), "/usr/bin/time -f 'peak %M KB'")
    assert.are.equal(0, code, out .. err)
    local kb = assert(tonumber(err:match("peak (%d+) KB")), err)
    if os.getenv("SOAPLOAD_SANITIZED") ~= "1" then -- AddressSanitizer keeps freed memory
      assert.is_true(kb * 1024 < 10 * size, ("%d KB for %d bytes"):format(kb, size))
    end
  end)

  it("a file with more tag values than a run keeps (81) is refused, exit 2", function()
    local many = t.tmpname(".json")
    finally(function() os.remove(many) end)
    local text = assert(t.read(file))
    local value = '{"name": "k", "value": "v%d", "other": false, "counts": %s, "latency": ' ..
      '{"from_due": %s, "service": %s}}'
    local counts = assert(text:match('"summary": (%b{})'))
    local hist = assert(text:match('"from_due": (%b{})'))
    local list = {}
    for i = 1, 82 do list[i] = value:format(i, counts, hist, hist) end
    local tags = '"tags": {"max_pairs": 64, "max_names": 16, "values": [' ..
      table.concat(list, ", ") .. "]}"
    local edited, k = text:gsub('"tags": %b{}', function() return tags end, 1)
    assert.are.equal(1, k)
    t.write(many, edited)
    local code, out, err = t.run(("merge %s"):format(many))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(many .. ": tags.values lists 82 values, more than a run keeps (81)",
      1, true), err)
  end)
end)
