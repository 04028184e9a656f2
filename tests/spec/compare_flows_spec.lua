-- compare of soapload.flows: scripts/examples/session.lua against soapload-mock --sessions, then
-- against one that answers 20 ms late (--delay): compare shows each flow's duration percentiles
-- and failure rate side by side with their change, and a limit on a flow's duration fails with
-- exit 3 (a threshold on the change), one on its failure rate holds.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local example = t.root .. "/scripts/examples/session.lua"

local function run_example(mock_args, json)
  local mock = t.start_mock("--threads 2 --sessions " .. mock_args)
  local code, out, err = t.run(("-q --url %s --json %s -R 40 -d 1s %s"):format(mock.url, json,
    t.quote(example)))
  mock.stop()
  assert(code == 0, out .. err)
  return t.decode(json)
end

describe("soapload compare of flows", function()
  local base, slow = t.tmpname(".json"), t.tmpname(".json")
  local rb, rs
  setup(function()
    rb = run_example("", base)
    rs = run_example("--delay 20ms", slow)
  end)
  teardown(function()
    os.remove(base)
    os.remove(slow)
  end)

  it("shows each flow's duration and failure rate change, and a flow limit fails with exit 3", function()
    local page = t.tmpname(".html")
    finally(function() os.remove(page) end)
    local code, out, err = t.run(("compare %s %s --threshold 'flow_duration{flow=order} p95 +20%%' " ..
      "--threshold 'flow_failure_rate{flow=order} +1%%' --html %s"):format(base, slow, page))
    assert.are.equal(3, code, out .. err)
    assert.are.equal(40, rb.flows[1].completed)
    assert.are.equal(40, rs.flows[1].completed)
    -- four steps of at least 20 ms each: the new flows take 80 ms at least, and longer than
    -- the baseline's (not 80 ms more: a busy machine, the sanitizers, slows the baseline too)
    assert.is_true(rs.flows[1].duration_us.p50 >= 80000, rs.flows[1].duration_us.p50)
    assert.is_true(rs.flows[1].duration_us.p50 > rb.flows[1].duration_us.p50)
    assert.truthy(out:find("\nFlows           duration from the first step's due time", 1, true), out)
    for _, p in ipairs({ "p50", "p95", "p99" }) do
      local line = out:match("\n  order " .. p .. " +[^\n]+")
      assert.truthy(line, out)
      local change = tonumber(line:match("%+([%d.]+)%%$"))
      assert.truthy(change and change > 20, line)
    end
    assert.truthy(out:find("\n  order failed +0%.000%% +0%.000%% +%+0%.000 points\n"), out)
    assert.truthy(out:find("Threshold       FAIL flow_duration{flow=order} p95 +20% baseline ", 1,
      true), out)
    assert.truthy(out:find("Threshold       pass flow_failure_rate{flow=order} +1% baseline 0.000%, " ..
      "new 0.000%, change +0.000 points", 1, true), out)
    assert.truthy(out:find("Result          FAIL: a threshold on the change failed", 1, true), out)
    local html = t.read(page)
    assert.truthy(html:find("<tr><td>flow order p95</td>", 1, true), html)
  end)

  it("holds a flow limit compared with itself, and refuses a flow neither result has", function()
    local code, out, err = t.run(("compare %s %s --threshold 'flow_duration{flow=order} p99 +1%%'")
      :format(base, base))
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Threshold       pass flow_duration{flow=order} p99 +1%", 1, true), out)
    code, out, err = t.run(("compare %s %s --threshold 'flow_duration{flow=checkout} p95 +20%%'")
      :format(base, slow))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("names flow 'checkout', which neither result has", 1, true), err)
    code, out, err = t.run(("compare %s %s --threshold 'flow_duration p95 +20%%'"):format(base, slow))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("a flow's metric names its flow", 1, true), err)
  end)
end)
