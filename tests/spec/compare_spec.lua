-- compare as a gate: --fail-on-significant turns a significantly slower latency into exit 3,
-- and thresholds on the change of one operation ({op=NAME}) or one tag value, a scenario's
-- among them ({scenario=NAME}), measured from each file's own results of it. Runs against
-- the real mock: a fast one and one that answers 5 ms late.
local t = require("support")

-- two scenarios, each sending one operation: A in "reads", B in "writes"
local SCRIPT = [[
soapload.url = %q
local function body(id) return soapload.envelope(soapload.echo(id)) end
soapload.operations = {
  {name = "A", weight = 1, request = body},
  {name = "B", weight = 1, request = body},
}
soapload.scenarios = {
  reads = {rate = 100, duration = "1s", operations = {"A"}},
  writes = {rate = 100, duration = "1s", operations = {"B"}},
}
]]

describe("soapload compare as a gate", function()
  local fast, slow, base, slower, served
  setup(function()
    fast, slow = t.start_mock(""), t.start_mock("--delay 5ms")
    base, slower = t.tmpname(".json"), t.tmpname(".json")
    for _, r in ipairs({ { base, fast }, { slower, slow } }) do
      local script = t.script(SCRIPT:format(r[2].url))
      local code, out, err = t.run(("-q -w 1 -c 8 --json %s %s"):format(r[1], script))
      os.remove(script)
      assert(code == 0 or code == 1, out .. err)
    end
    served = { fast.stats().requests.total, slow.stats().requests.total }
  end)
  teardown(function()
    fast.stop()
    slow.stop()
    os.remove(base)
    os.remove(slower)
  end)

  it("each run's requests reached its server", function()
    assert.are.same({ 200, 200 }, { math.tointeger(served[1]), math.tointeger(served[2]) })
    assert.are.equal(200, t.decode(base).summary.sent)
    assert.are.equal(200, t.decode(slower).summary.sent)
  end)

  it("--fail-on-significant fails (exit 3) when the new run is significantly slower, " ..
    "and only then", function()
    local code, out = t.run(("compare %s %s"):format(base, slower))
    assert.are.equal(0, code, out) -- without the flag the test only informs
    assert.truthy(out:find("Latency change  SIGNIFICANT", 1, true), out)
    code, out = t.run(("compare %s %s --fail-on-significant"):format(base, slower))
    assert.are.equal(3, code, out)
    assert.truthy(out:find("Gate            --fail-on-significant: FAIL, the latency is " ..
      "significantly slower\n", 1, true), out)
    assert.truthy(out:find("Result          FAIL: the latency is significantly slower\n", 1, true),
      out)
    -- faster is no failure; nor is a result against itself
    code, out = t.run(("compare %s %s --fail-on-significant"):format(slower, base))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("new is faster beyond run-to-run noise", 1, true), out)
    assert.truthy(out:find("Result          PASS", 1, true), out)
    code, out = t.run(("compare %s %s --fail-on-significant"):format(base, base))
    assert.are.equal(0, code, out)
  end)

  it("compares one operation's and one scenario's results: 'p50{op=A} +10%' fails, measured " ..
    "from that operation's histograms", function()
    local b, s = t.decode(base), t.decode(slower)
    local function op_p50(doc, name)
      for _, o in ipairs(doc.operations) do
        if o.name == name then return o.latency.from_due.p50, o.counts.sent end
      end
    end
    local function tag_p50(doc, name, value)
      for _, v in ipairs(doc.tags.values) do
        if v.name == name and v.value == value then return v.latency.from_due.p50, v.counts.sent end
      end
    end
    local bp, bn = op_p50(b, "A")
    local sp, sn = op_p50(s, "A")
    assert.are.same({ 100, 100 }, { bn, sn })
    local code, out = t.run(("compare %s %s --threshold 'p50{op=A} +10%%' --threshold " ..
      "'p50{scenario=writes} +10%%' --threshold 'error_rate{op=B} +1%%'"):format(base, slower))
    assert.are.equal(3, code, out)
    local line = out:match("Threshold       FAIL p50{op=A} %+10%%[^\n]*")
    assert.truthy(line, out)
    assert.truthy(line:find(("change %+.1f%%"):format((sp - bp) / bp * 100), 1, true), line)
    local wb, wn = tag_p50(b, "scenario", "writes")
    local ws = tag_p50(s, "scenario", "writes")
    assert.are.equal(100, wn)
    line = out:match("Threshold       FAIL p50{scenario=writes} %+10%%[^\n]*")
    assert.truthy(line, out)
    assert.truthy(line:find(("change %+.1f%%"):format((ws - wb) / wb * 100), 1, true), line)
    assert.truthy(out:find("Threshold       pass error_rate{op=B} +1%", 1, true), out)
  end)

  it("refuses a scope neither result has (exit 2) and a malformed one", function()
    local code, out, err = t.run(("compare %s %s --threshold 'p50{op=C} +10%%'"):format(base,
      slower))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("threshold 'p50{op=C} +10%' names operation 'C', which neither result " ..
      "has", 1, true), err)
    code, out, err = t.run(("compare %s %s --threshold 'p50{scenario=nope} +10%%'"):format(base,
      slower))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("names tag scenario=nope, which no request of either result carried",
      1, true), err)
    code, out, err = t.run(("compare %s %s --threshold 'p50{op=} +10%%'"):format(base, slower))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("a scope is {op=NAME} or {TAG=VALUE}", 1, true), err)
  end)
end)
