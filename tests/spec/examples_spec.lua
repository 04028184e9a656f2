-- The smaller examples in scripts/examples run cleanly against the real mock as they are
-- shipped: soap12.lua as SOAP 1.2, custom_check.lua with its own check, data_file.lua with its
-- own rate and duration; data_file.lua sends each of its 8 rows once across 3 workers, with the
-- row's key as the ID the mock received, and a request past the last row is a script error.
-- The default example has default_run_spec, orders.lua orders_spec, first.lua docs_spec.
local t = require("support")

local function examples(name) return t.root .. "/scripts/examples/" .. name end

describe("the examples", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  it("runs the SOAP 1.2 example as SOAP 1.2", function()
    local code, out = t.run(("-q -u %s -R 100 -d 1s %s"):format(mock.url, examples("soap12.lua")))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("(SOAP 1.2)", 1, true))
    assert.are.equal(100, mock.stats().requests.echo)
  end)

  it("runs the custom-check and data-file examples cleanly", function()
    local code, out = t.run(("-q -u %s -R 100 -d 1s %s strict"):format(mock.url,
      examples("custom_check.lua")))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("custom_check: 100 ok of 100 sent", 1, true), out)
    -- data_file sends each of its 8 rows once (its own rate and duration give 8 requests)
    code, out = t.run(("-q -u %s %s"):format(mock.url, examples("data_file.lua")))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("sent          8 = ok 8 +", 1, true), out)
  end)
end)

describe("the data file example (scripts/examples/data_file.lua)", function()
  -- Runs it with 3 workers for n requests due; returns the exit code, the output and the IDs
  -- the mock received, counted.
  local function received(n)
    local log = t.tmpname(".ids")
    local mock = t.start_mock("--id-log " .. log)
    local ok, code, out, err = pcall(t.run, ("-q -w 3 -c 3 -R 100 -d %gs -u %s %s")
      :format(n / 100, mock.url, t.root .. "/scripts/examples/data_file.lua"))
    mock.stop()
    assert(ok, code)
    out = out .. (err or "")
    for w = 1, 3 do -- every worker took its share
      assert.is_true((t.count(out, "Worker " .. w .. " +pid %d+: scheduled %d+, sent (%d+)") or 0) > 0, out)
    end
    local ids, total = {}, 0
    for id in io.lines(log) do
      ids[id] = (ids[id] or 0) + 1
      total = total + 1
    end
    os.remove(log)
    return code, out, ids, total
  end

  it("sends each of the 8 rows once in all across 3 workers, with the row's key as ID", function()
    local code, out, ids, total = received(8)
    assert.are.equal(0, code, out)
    assert.truthy(out:find("sent          8 = ok 8", 1, true), out)
    assert.are.equal(8, total)
    for c = 1001, 1008 do assert.are.equal(1, ids["C-" .. c], "C-" .. c) end
  end)

  it("sends no row twice: a request past the last row is a script error naming the file", function()
    local code, out, ids, total = received(16)
    assert.are.equal(1, code, out)
    assert.truthy(out:find("scheduled     16 = sent 8 + not sent 0 + failed before send 0 + script errors before send 8", 1, true), out)
    assert.truthy(out:find("sent          8 = ok 8", 1, true), out)
    assert.truthy(out:find("data/customers%.csv has 8 rows and each was taken once: request 1?%d of the run"), out)
    assert.are.equal(8, total) -- the mock saw each row once, and nothing else
    for c = 1001, 1008 do assert.are.equal(1, ids["C-" .. c], "C-" .. c) end
  end)
end)
