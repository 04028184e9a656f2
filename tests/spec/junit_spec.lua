-- --junit: the JUnit XML report CI servers read, checked with xmllint against the schema in
-- tests/junit/junit.xsd and read back by an independent JUnit reader (npm junit2json,
-- installed by scripts/install-npm-test-deps.sh): a test case per threshold, its failure with
-- the measured value and the limit; one per operation; failures that agree with the exit code;
-- the counts those cases carry equal to the mock's. compare --junit likewise.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local reader = t.root .. "/tests/junit/node_modules/.bin/junit2json"
local xsd = t.root .. "/tests/junit/junit.xsd"
local default = t.root .. "/scripts/examples/default.lua"

-- The report at path: valid against the schema, and as the independent reader reads it.
local function read_junit(path)
  local f = io.open(reader)
  assert(f, "junit2json is not installed: run scripts/install-npm-test-deps.sh")
  f:close()
  local rc, out = t.sh("xmllint --noout --schema " .. t.quote(xsd) .. " " .. t.quote(path))
  assert.are.equal(0, rc, out)
  rc, out = t.sh(t.quote(reader) .. " " .. t.quote(path))
  assert.are.equal(0, rc, out)
  local doc = t.json.decode(out)
  assert.are.equal(1, #doc.testsuite)
  local suite = doc.testsuite[1]
  local cases = {}
  for _, c in ipairs(suite.testcase) do cases[c.classname .. ": " .. c.name] = c end
  return suite, cases, doc
end

local function failures(suite)
  local n = 0
  for _, c in ipairs(suite.testcase) do n = n + (c.failure and 1 or 0) end
  return n
end

local OPS = [[
soapload.url = %q
local function body(id) return soapload.envelope(soapload.echo(id)), {tags = {tier = '<b>&"x"'}} end
soapload.operations = {
  {name = "GetOrder", weight = 3, request = body},
  {name = "PlaceOrder", weight = 1, request = body},
}
]]

describe("--junit", function()
  it("has a case per threshold, per operation and for the run; a failed threshold's failure " ..
    "carries the measured value and the limit; failures agree with exit 3", function()
    local mock = t.start_mock("--fault-rate 0.1")
    local script = t.script(OPS:format(mock.url))
    local xml, json = t.tmpname(".xml"), t.tmpname(".json")
    finally(function() mock.stop(); os.remove(script); os.remove(xml); os.remove(json) end)
    local code, out, err = t.run(("-q -R 100 -d 1s -w 1 -c 4 --junit %s --json %s --threshold " ..
      "'p99 < 10s' --threshold 'error_rate < 1%%' --threshold 'p99{tier=<b>&\"x\"} < 10s' %s"):format(
      xml, json, script))
    assert.are.equal(3, code, out .. err)
    local served = mock.stats().requests
    assert.are.equal(100, served.total)
    assert.is_true(served.fault_injected > 1, "the mock injected no faults")
    local r = t.json.decode(t.read(json))
    local suite, cases, doc = read_junit(xml)
    assert.are.same({ 6, 1, 0, 0 }, { suite.tests, suite.failures, suite.errors, suite.skipped })
    assert.are.same({ 6, 1 }, { doc.tests, doc.failures })
    -- markup in a threshold's text (a tag value) reads back as written
    assert.is_nil(cases['soapload.thresholds: p99{tier=<b>&"x"} < 10s'].failure)
    assert.are.equal(failures(suite), suite.failures)
    assert.is_nil(cases["soapload.thresholds: p99 < 10s"].failure)
    local f = cases["soapload.thresholds: error_rate < 1%"].failure
    assert.truthy(f, "no failure for the failed threshold")
    -- the error rate the server caused, in the limit's own unit, and the limit
    local rate = ("%g%%"):format(served.fault_injected)
    assert.are.equal(rate, r.thresholds[2].measured_text)
    assert.are.equal(("error_rate < 1%%: measured %s, limit < 1%%"):format(rate), f[1].message)
    assert.is_nil(cases["soapload.run: the run completed and its accounting adds up"].failure)
    -- each operation's case: passing (the thresholds decide), its counts the mock's
    local get = cases["soapload.operations: GetOrder: every request answered correctly"]
    local place = cases["soapload.operations: PlaceOrder: every request answered correctly"]
    assert.truthy(get and place, out)
    assert.is_nil(get.failure)
    local bad = 0
    for _, o in ipairs(r.operations) do bad = bad + o.counts.results.soap_fault end
    assert.are.equal(served.fault_injected, bad)
    for _, o in ipairs(r.operations) do
      local c = o.name == "GetOrder" and get or place
      assert.truthy(c["system-out"][1]:find(("scheduled %d, sent %d, ok %d"):format(o.counts.scheduled,
        o.counts.sent, o.counts.results.ok), 1, true), c["system-out"][1])
    end
    local props = {}
    for _, p in ipairs(suite.properties) do props[p.name] = p.value end
    assert.are.equal(3, props.exit_code)
    assert.are.equal("FAIL: a threshold failed", props.verdict)
    assert.are.equal(mock.url, props.url)
  end)

  it("without thresholds: the requests' case fails when requests failed (exit 1), with the " ..
    "server's count; a passing run (exit 0) has no failure", function()
    local mock = t.start_mock("--fault-rate 0.2")
    local good = t.start_mock("")
    local xml = t.tmpname(".xml")
    finally(function() mock.stop(); good.stop(); os.remove(xml) end)
    local code, out = t.run(("-q -R 50 -d 1s --junit %s -u %s %s"):format(xml, mock.url, default))
    assert.are.equal(1, code, out)
    local injected = mock.stats().requests.fault_injected
    local suite, cases = read_junit(xml)
    assert.are.same({ 2, 1 }, { suite.tests, suite.failures })
    local f = cases["soapload.requests: every scheduled request was sent and answered correctly"].failure
    assert.are.equal(("%d of 50 scheduled requests failed or were not sent"):format(injected),
      f[1].message)
    assert.truthy(f[1].inner:find(("soap_fault %d"):format(injected), 1, true), f[1].inner)
    code, out = t.run(("-q -R 50 -d 1s --junit %s -u %s %s"):format(xml, good.url, default))
    assert.are.equal(0, code, out)
    suite = read_junit(xml)
    assert.are.same({ 2, 0 }, { suite.tests, suite.failures })
    assert.are.equal(50, math.tointeger(good.stats().requests.total))
  end)

  it("is refused before anything is sent when its path cannot be written (exit 2)", function()
    local mock = t.start_mock("")
    finally(function() mock.stop() end)
    local code, out, err = t.run(("-q -R 50 -d 1s --junit /nonexistent/dir/r.xml -u %s %s"):format(
      mock.url, default))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("cannot write /nonexistent/dir/r.xml", 1, true), err)
    assert.are.equal(0, math.tointeger(mock.stats().requests.total))
  end)

  it("merge --junit: the merged result's cases, its counts the sum of the files' and the mock's",
    function()
      local mock = t.start_mock("")
      local a, b, xml = t.tmpname(".json"), t.tmpname(".json"), t.tmpname(".xml")
      finally(function() mock.stop(); os.remove(a); os.remove(b); os.remove(xml) end)
      local runs = {} -- at the same time, as the segments of one run are: merge wants that
      for i, f in ipairs({ a, b }) do
        runs[i] = t.spawn(("-q -R 50 -d 1s --json %s -u %s %s"):format(f, mock.url, default))
      end
      for i = 1, 2 do
        local code, out, err = runs[i].wait(30)
        assert.are.equal(0, code, out .. err)
      end
      local code, out = t.run(("merge -q %s %s --threshold 'rate > 1000' --junit %s"):format(a, b,
        xml))
      assert.are.equal(3, code, out)
      local suite, cases = read_junit(xml)
      assert.are.same({ 2, 1 }, { suite.tests, suite.failures })
      local f = cases["soapload.thresholds: rate > 1000"].failure
      assert.truthy(f[1].message:find("^rate > 1000: measured [%d.]+, limit > 1000$"), f[1].message)
      assert.are.equal(100, math.tointeger(mock.stats().requests.total))
      assert.truthy(cases["soapload.run: the run completed and its accounting adds up"])
    end)

  it("compare --junit: a case per threshold on the change and one for the gate", function()
    local fast, slow = t.start_mock(""), t.start_mock("--delay 5ms")
    local base, new, xml = t.tmpname(".json"), t.tmpname(".json"), t.tmpname(".xml")
    finally(function() fast.stop(); slow.stop(); os.remove(base); os.remove(new); os.remove(xml) end)
    for _, r in ipairs({ { base, fast }, { new, slow } }) do
      local code, out = t.run(("-q -R 100 -d 1s --json %s -u %s %s"):format(r[1], r[2].url, default))
      assert.are.equal(0, code, out)
    end
    local code, out = t.run(("compare %s %s --threshold 'p50 +10%%' --threshold 'rate -5%%' " ..
      "--fail-on-significant --junit %s"):format(base, new, xml))
    assert.are.equal(3, code, out)
    local suite, cases = read_junit(xml)
    assert.are.same({ 3, 2 }, { suite.tests, suite.failures })
    local f = cases["soapload.compare: p50 +10%"].failure
    local line = out:match("Threshold       FAIL p50 %+10%%%s+(baseline [^\n]*)")
    assert.are.equal("p50 +10%: " .. line, f[1].message)
    assert.is_nil(cases["soapload.compare: rate -5%"].failure)
    assert.truthy(cases["soapload.compare: latency not significantly slower"].failure[1].message
      :find("the latency is significantly slower", 1, true))
  end)
end)
