-- One verdict per run, shown the same in the summary, the JSON, the HTML report (rendered in
-- Chromium) and the exit code; and no verdict without evidence: a latency threshold over no
-- samples fails, in a run and in `compare`.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local default = t.root .. "/scripts/examples/default.lua"

-- The verdict of a run as each output shows it.
local function verdicts(json, html, out)
  local doc = t.json.decode(t.read(json))
  local dom = t.chromium_dom(html)
  assert.falsy(dom:find("data-error", 1, true), dom:sub(1, 400))
  return doc, {
    summary = out:match("\nResult          ([A-Z]+)"),
    json = doc.verdict.passed and "PASS" or "FAIL",
    html = dom:match('<span class="verdict [a-z]+">([A-Z]+)</span>'),
    html_text = dom:match('<div id="verdict">.-</span><span>(.-)</span>'),
  }
end

describe("the verdict", function()
  it("passes everywhere for a run whose only non-ok results are expected Faults", function()
    local mock = t.start_mock("--fault-rate 1")
    finally(function() mock.stop() end)
    local script = t.script([[
function response(status, headers, body, id, fault)
  if fault then return "expected_fault" end
  return false, "no Fault"
end
]])
    local json, html = t.tmpname(".json"), t.tmpname(".html")
    finally(function() os.remove(script) os.remove(json) os.remove(html) end)
    local code, out, err = t.run(("-q --json %s --html %s -u %s -R 50 -d 1s %s"):format(
      json, html, mock.url, script))
    assert.are.equal(0, code, err .. out)
    assert.are.equal(50, mock.stats().requests.total)
    assert.truthy(out:find("sent          50 = ok 0 + expected_fault 50 + failed 0", 1, true), out)
    local doc, v = verdicts(json, html, out)
    assert.are.equal(50, doc.summary.results.expected_fault)
    assert.are.same({ summary = "PASS", json = "PASS", html = "PASS",
      html_text = "PASS: every scheduled request was sent and answered correctly (exit code 0)" },
      v)
    assert.are.equal(0, doc.verdict.exit_code)
  end)

  it("fails everywhere, with exit code 1, when requests failed and no threshold is set", function()
    local mock = t.start_mock("--fault-rate 1")
    finally(function() mock.stop() end)
    local json, html = t.tmpname(".json"), t.tmpname(".html")
    finally(function() os.remove(json) os.remove(html) end)
    local code, out = t.run(("-q --json %s --html %s -u %s -R 50 -d 1s %s"):format(
      json, html, mock.url, default))
    assert.are.equal(1, code, out)
    assert.are.equal(50, mock.stats().requests.total)
    local doc, v = verdicts(json, html, out)
    assert.are.equal(50, doc.summary.results.soap_fault)
    assert.are.same({ summary = "FAIL", json = "FAIL", html = "FAIL",
      html_text = "FAIL: some requests failed or were not sent (exit code 1)" }, v)
    assert.are.equal(1, doc.verdict.exit_code)
  end)
end)

describe("a latency threshold over no samples", function()
  -- port 1 on loopback: nothing listens, every request fails to connect before it is sent
  local refused = "http://127.0.0.1:1/x"

  it("fails, measured 'no samples', in the summary, JSON and HTML, exit 3", function()
    local json, html = t.tmpname(".json"), t.tmpname(".html")
    finally(function() os.remove(json) os.remove(html) end)
    local code, out = t.run(("-q --json %s --html %s -u %s -R 20 -d 1s --threshold 'p99 < 50ms' " ..
      "--threshold 'failed == 20' %s"):format(json, html, refused, default))
    assert.are.equal(3, code, out)
    assert.truthy(out:find("scheduled     20 = sent 0 + not sent 0 + failed before send 20", 1, true),
      out)
    assert.truthy(out:find("Threshold       FAIL p99 < 50ms%s+measured no samples\n"), out)
    assert.truthy(out:find("Threshold       pass failed == 20%s+measured 20\n"), out)
    local doc, v = verdicts(json, html, out)
    assert.are.equal(20, doc.summary.before_send.connect)
    local th = doc.thresholds[1]
    assert.are.same({ false, "no samples", "p99 < 50ms" }, { th.passed, th.measured_text, th.threshold })
    assert.are.equal(t.json.null, th.measured) -- JSON null: nothing was measured
    assert.is_true(doc.thresholds[2].passed)
    assert.are.same({ summary = "FAIL", json = "FAIL", html = "FAIL",
      html_text = "FAIL: a threshold failed (exit code 3)" }, v)
    local dom = t.chromium_dom(html)
    assert.truthy(dom:find("<td>p99 &lt; 50ms</td><td>no samples</td><td>FAIL</td>", 1, true))
  end)

  it("fails a threshold on the change in compare when a result has no samples (exit 3)", function()
    local mock = t.start_mock("")
    finally(function() mock.stop() end)
    local base, none = t.tmpname(".json"), t.tmpname(".json")
    finally(function() os.remove(base) os.remove(none) end)
    local code, out = t.run(("-q --json %s -u %s -R 50 -d 1s %s"):format(base, mock.url, default))
    assert.are.equal(0, code, out)
    code, out = t.run(("-q --json %s -u %s -R 20 -d 1s %s"):format(none, refused, default))
    assert.are.equal(1, code, out)
    code, out = t.run(("compare %s %s --threshold 'p99 +10%%' --threshold 'rate -100%%'"):format(
      base, none))
    assert.are.equal(3, code, out)
    assert.truthy(out:find("Threshold       FAIL p99 %+10%%%s+not measured: the new result has no " ..
      "latency samples\n"), out)
    assert.truthy(out:find("Result          FAIL", 1, true), out)
    code, out = t.run(("compare %s %s --threshold 'p99 +10%%'"):format(none, base))
    assert.are.equal(3, code, out)
    assert.truthy(out:find("not measured: the baseline has no latency samples", 1, true), out)
  end)
end)

describe("thresholds", function()
  local mock = t.shared_mock()

  it("judges thresholds: listed with measured values, exit code 3 when one fails", function()
    local code, out = t.run(("-q --threshold 'p99 < 10s' --threshold 'error_rate < 1%%' " ..
      "-u %s -R 100 -d 1s %s"):format(mock.url, default))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("Threshold       pass p99 < 10s", 1, true), out)
    assert.truthy(out:find("Result          PASS: every threshold held", 1, true))
    code, out = t.run(("-q --threshold 'p50 < 1us' -u %s -R 100 -d 1s %s"):format(mock.url,
      default))
    assert.are.equal(3, code, out)
    assert.truthy(out:find("Threshold       FAIL p50 < 1us", 1, true), out)
    -- the script can set them too
    local script = t.script("soapload.rate = 50\nsoapload.duration = 1\n" ..
      "soapload.thresholds = { 'rate >= 1000' }\n")
    code, out = t.run(("-q -u %s %s"):format(mock.url, script))
    assert.are.equal(3, code, out)
    assert.truthy(out:find("FAIL rate >= 1000", 1, true), out)
    os.remove(script)
  end)
end)
