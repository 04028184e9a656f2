-- Scenarios: several open-model schedules in one run (soapload.scenarios), each with its own
-- shape and operation mix, results per scenario (the tag scenario=NAME) and in total. Against
-- the real mock: a constant 100/s of A beside a ramp 0 -> 200/s of B and C over 2 s schedules
-- exactly each scenario's integral (in all and per second, from the trace's due times), the
-- mix per scenario, totals that are the scenarios' sums, every ID once at the mock; two
-- segments add up to the single run; --dry-run names each request's scenario; a threshold on
-- one scenario; and the refusals (exit 2, a message naming the problem).
-- `soapload merge` of the two segments shows the single run's Model lines and Scenarios table
-- (the rows the segments' sums) and keeps settings.scenarios; other scenarios are refused.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)
local scenarios, ops = t.scenario_counts, t.op_counts

local OPS = [[
local function body(op, id)
  return soapload.envelope("<m:" .. op .. " xmlns:m=\"urn:orders\"><m:RequestId>" ..
    soapload.escape(id) .. "</m:RequestId></m:" .. op .. ">")
end
soapload.operations = {
  {name = "A", weight = 1, request = function(id) return body("A", id) end},
  {name = "B", weight = 1, request = function(id) return body("B", id) end},
  {name = "C", weight = 1, request = function(id) return body("C", id) end},
}
]]

-- The two scenarios, with `extra` Lua after them.
local function two(url, extra)
  return t.script(OPS .. ([[
soapload.url = %q
soapload.scenarios = {
  background = {rate = 100, duration = "2s", operations = {"A"}},
  rampup = {stages = {{duration = "2s", target = 200}}, operations = {B = 3, C = 1}},
}
%s
]]):format(url, extra or ""))
end

-- Per operation, how many trace rows are due in each second from the first due time (10 us
-- for the trace's rounding).
local function per_second_by_op(path)
  local rows, first = {}, math.huge
  for line in io.lines(path) do
    local due, op = line:match("^[^,]*,[^,]*,[^,]*,([%d.]+),[^,]*,[^,]*,[^,]*,[^,]*,([^,]*),")
    if due then
      rows[#rows + 1] = { due = tonumber(due), op = op }
      if tonumber(due) < first then first = tonumber(due) end
    end
  end
  local per = {}
  for _, r in ipairs(rows) do
    local s = math.floor(r.due - first + 1e-5) + 1
    per[r.op] = per[r.op] or {}
    per[r.op][s] = (per[r.op][s] or 0) + 1
  end
  return per, #rows
end

-- The summary's Scenarios row of `name`: scheduled, sent, not sent, before send, ok, failed.
local function summary_row(out, name)
  local v = { out:match("\n  " .. name .. "%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)%s") }
  assert.are.equal(6, #v, out)
  for i = 1, 6 do v[i] = tonumber(v[i]) end
  return { scheduled = v[1], sent = v[2], not_sent = v[3], before = v[4], ok = v[5],
           failed = v[6] }
end

describe("scenarios", function()
  it("a constant 100/s of A beside a ramp 0 -> 200/s of B and C: each scenario's integral, " ..
    "per second too, its own mix, totals that are the sums, every ID once at the mock", function()
    local idlog, json, trace = t.tmpname(".ids"), t.tmpname(".json"), t.tmpname(".csv")
    local mock = t.start_mock("--id-log " .. t.quote(idlog))
    local script = two(mock.url)
    finally(function()
      mock.stop()
      os.remove(idlog); os.remove(json); os.remove(trace); os.remove(script)
    end)
    local code, out, err = t.run(("-w 2 -c 8 --json %s --trace %s %s"):format(json, trace, script))
    -- on a loaded machine some may not be sent in time: they still count where they belong
    assert.is_true(code == 0 or code == 1, out .. err)
    local total = t.invariants(out)
    assert.truthy(out:find("Model           open, 2 scenarios: 200.0 req/s mean for 2.00 s in all\n" ..
      "  background    100 req/s for 2 s; operations A\n" ..
      "  rampup        0 -> 200 req/s over 2 s; operations B 3, C 1\n", 1, true), out)
    assert.truthy(out:find("rate          target 200.0/s", 1, true), out)
    -- the Scenarios table: both equations per row, and the rows add up to the totals
    assert.truthy(out:find("\nScenarios           scheduled       sent   not sent  before send" ..
      "         ok     failed       p50       p90       p99       max\n", 1, true), out)
    local rows = { background = summary_row(out, "background"), rampup = summary_row(out, "rampup") }
    for name, r in pairs(rows) do
      assert.are.equal(200, r.scheduled, name)
      assert.are.equal(r.scheduled, r.sent + r.not_sent + r.before, name)
      assert.are.equal(r.sent, r.ok + r.failed, name)
    end
    assert.are.equal(total.sent, rows.background.sent + rows.rampup.sent)
    assert.are.equal(total.not_sent, rows.background.not_sent + rows.rampup.not_sent)

    local doc = t.decode(json)
    -- the settings: each scenario's shape and operations
    local set = doc.settings.scenarios
    assert.are.same({ "background", "rampup" }, { set[1].name, set[2].name })
    assert.are.same({ 100, 100, 2 }, { set[1].stages_from, set[1].stages[1].target,
      set[1].stages[1].duration_s })
    assert.are.same({ 0, 200 }, { set[2].stages_from, set[2].stages[1].target })
    assert.are.same({ A = 1 }, set[1].operations)
    assert.are.same({ B = 3, C = 1 }, set[2].operations)
    assert.are.equal(200, doc.settings.rate) -- the mean target rate of both together
    local sc = scenarios(doc)
    assert.are.equal(200, sc.background.scheduled) -- 100/s for 2 s
    assert.are.equal(200, sc.rampup.scheduled)     -- (0 + 200) / 2 x 2 s
    for _, name in ipairs({ "background", "rampup" }) do
      local c = sc[name]
      assert.are.equal(c.scheduled, c.sent + c.not_sent + c.failed_before_send +
        c.script_errors_before_send, name)
      assert.are.equal(c.sent, c.ok + c.failed, name)
    end
    -- the totals are the scenarios' sums
    for _, key in ipairs({ "scheduled", "sent", "not_sent", "ok", "failed" }) do
      assert.are.equal(doc.summary[key], sc.background[key] + sc.rampup[key], key)
    end
    assert.are.equal(400, total.scheduled)
    -- each scenario's own mix: A only; B and C 3 to 1
    local o = ops(doc)
    assert.are.equal(200, o.A.scheduled)
    assert.are.equal(150, o.B.scheduled)
    assert.are.equal(50, o.C.scheduled)
    -- per second, from the trace's due times: 100 + 100 of A; 50 + 150 of the ramp
    local per, rows = per_second_by_op(trace)
    assert.are.equal(400, rows)
    assert.are.same({ 100, 100 }, per.A)
    assert.are.equal(50, per.B[1] + per.C[1])
    assert.are.equal(150, per.B[2] + per.C[2])
    -- each second's target is the sum of the scenarios'
    assert.are.equal(150, doc.intervals[1].target)
    assert.are.equal(250, doc.intervals[2].target)
    if code == 0 then
      assert.are.equal(150, doc.intervals[1].counts.scheduled)
      assert.are.equal(250, doc.intervals[2].counts.scheduled)
    end
    -- the server: every ID once
    local s = mock.stats()
    assert.are.equal(doc.summary.sent, s.requests.echo)
    assert.are.equal(doc.summary.sent, s.ids.distinct)
    assert.are.equal(0, s.ids.duplicates)
    mock.stop()
    local logged, seen = 0, {}
    for id in io.lines(idlog) do
      if not id:match("^#") then
        assert.is_nil(seen[id], id)
        seen[id] = true
        logged = logged + 1
      end
    end
    assert.are.equal(doc.summary.sent, logged)
  end)

  it("two segments of the same scenarios add up to the single run, per scenario and operation",
    function()
    local mock = t.start_mock("")
    local script = two(mock.url)
    local files = { t.tmpname(".json"), t.tmpname(".json") }
    finally(function()
      mock.stop()
      os.remove(script); os.remove(files[1]); os.remove(files[2])
    end)
    local at = ("%.3f"):format(t.now() + 2)
    local runs = {}
    for i = 0, 1 do
      runs[i + 1] = t.spawn(("--segment %d/2 --start-at %s -w 2 -c 8 --json %s %s")
        :format(i, at, files[i + 1], script))
    end
    local sum = { background = 0, rampup = 0, A = 0, B = 0, C = 0, scheduled = 0, sent = 0 }
    local rows = {}
    for i = 1, 2 do
      local code, out, err = runs[i].wait(30)
      rows[i] = { background = summary_row(out, "background"), rampup = summary_row(out, "rampup") }
      assert.is_true(code == 0 or code == 1, out .. err)
      assert.truthy(out:find(("Segment         %d/2: global requests k with k mod 2 = %d of each " ..
        "scenario's schedule; IDs S%d-P<pid>-R<seq>\n"):format(i - 1, i - 1, i - 1), 1, true), out)
      local doc = t.decode(files[i])
      local sc, o = scenarios(doc), ops(doc)
      sum.background = sum.background + sc.background.scheduled
      sum.rampup = sum.rampup + sc.rampup.scheduled
      for _, name in ipairs({ "A", "B", "C" }) do sum[name] = sum[name] + o[name].scheduled end
      sum.scheduled = sum.scheduled + doc.summary.scheduled
      sum.sent = sum.sent + doc.summary.sent
      -- half of each scenario's requests in each segment (k mod 2)
      assert.are.equal(100, sc.background.scheduled)
      assert.are.equal(100, sc.rampup.scheduled)
    end
    assert.are.same({ background = 200, rampup = 200, A = 200, B = 150, C = 50, scheduled = 400,
      sent = sum.sent }, sum)
    local s = mock.stats()
    assert.are.equal(sum.sent, s.requests.echo)
    assert.are.equal(sum.sent, s.ids.distinct)
    assert.are.equal(0, s.ids.duplicates)

    -- merged: the Model lines and Scenarios table of the single run, the rows the segments'
    -- sums, and settings.scenarios in the merged JSON
    local merged, html = t.tmpname(".json"), t.tmpname(".html")
    finally(function() os.remove(merged); os.remove(html) end)
    local code, out, err = t.run(("merge %s %s --json %s --html %s")
      :format(files[1], files[2], merged, html))
    assert.is_true(code == 0 or code == 1, out .. err)
    assert.truthy(out:find("Model           open, 2 scenarios: 200.0 req/s mean for 2.00 s in all\n" ..
      "  background    100 req/s for 2 s; operations A\n" ..
      "  rampup        0 -> 200 req/s over 2 s; operations B 3, C 1\n", 1, true), out)
    assert.truthy(out:find("\nScenarios           scheduled       sent   not sent  before send" ..
      "         ok     failed       p50       p90       p99       max\n", 1, true), out)
    assert.falsy(out:find("ACCOUNTING ERROR", 1, true), out)
    for _, name in ipairs({ "background", "rampup" }) do
      local m, a, b = summary_row(out, name), rows[1][name], rows[2][name]
      assert.are.equal(200, m.scheduled, name) -- the single run's schedule
      assert.are.same({ a.scheduled + b.scheduled, a.sent + b.sent, a.ok + b.ok },
        { m.scheduled, m.sent, m.ok }, name)
    end
    local doc, seg = t.decode(merged), t.decode(files[1])
    assert.are.same(seg.settings.scenarios, doc.settings.scenarios)
    assert.are.same({ "background", "rampup" },
      { doc.settings.scenarios[1].name, doc.settings.scenarios[2].name })
    assert.are.equal(sum.sent, doc.summary.sent)
    -- the HTML report is drawn from the same document, settings.scenarios included
    assert.truthy(t.read(html):find('"scenarios": [{"name": "background", "start_s": 0.000000, ' ..
      '"arrival": "uniform", "burst": 1, "stages_from": 100.000', 1, true))

    -- a file whose scenarios differ is refused, naming settings.scenarios
    local other = t.tmpname(".json")
    finally(function() os.remove(other) end)
    local text = t.read(files[2])
    local ramp, n = text:gsub('("name": "rampup", [^%]]-"target": )200%.000', "%1150.000")
    assert.are.equal(1, n)
    t.write(other, ramp)
    code, out, err = t.run(("merge -q %s %s"):format(files[1], other))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(other .. ": settings.scenarios differ from " .. files[1] ..
      "'s: scenario rampup has another stages: these results do not merge", 1, true), err)
    local renamed
    renamed, n = text:gsub('"name": "rampup", "start_s"', '"name": "rampdown", "start_s"')
    assert.are.equal(1, n)
    t.write(other, renamed)
    code, out, err = t.run(("merge -q %s %s"):format(files[1], other))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(other .. ": settings.scenarios are background, rampdown, but " ..
      files[1] .. " has background, rampup: these results do not merge", 1, true), err)
    -- and one whose scenarios are not what soapload writes, naming the field
    local bad
    bad, n = text:gsub('"stages_from": 100%.000', '"stages_from": 50.000')
    assert.are.equal(1, n)
    t.write(other, bad)
    code, out, err = t.run(("merge -q %s %s"):format(files[1], other))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(other .. ": settings.scenarios[0]: stages_from 50 is neither 0 nor " ..
      "one stage's constant rate", 1, true), err)
  end)

  it("kill -9 of a worker: scheduled is still both scenarios' schedules, and the trace holds " ..
    "each entry once with its scenario's operation and due time", function()
    local mock = t.start_mock("")
    local script = two(mock.url)
    local trace = t.tmpname(".csv")
    finally(function() mock.stop(); os.remove(script); os.remove(trace) end)
    local run = t.spawn(("-w 2 -c 8 --trace %s %s"):format(trace, script))
    t.sleep(1.2)
    os.execute("kill -KILL " .. run.workers()[1])
    local code, out = run.wait(30)
    assert.are.equal(4, code, out)
    assert.are.equal(400, t.count(out, "scheduled%s+(%d+)"))
    local sent, not_sent = t.count(out, "= sent (%d+)"), t.count(out, "not sent (%d+)")
    assert.is_true(not_sent > 0, out)
    assert.are.equal(mock.stats().requests.total, sent)
    local _, traced_not_sent = t.read(trace):gsub(",not_sent,,,,\n", "")
    assert.are.equal(not_sent, traced_not_sent)
    local per, rows = per_second_by_op(trace)
    assert.are.equal(400, rows)
    assert.are.same({ 100, 100 }, per.A)
    assert.are.equal(50, per.B[1] + per.C[1])
    assert.are.equal(150, per.B[2] + per.C[2])
    assert.are.equal(150, per.B[1] + per.B[2])
  end)

  it("an interrupted run: each scenario's rows keep both equations and add up to the totals",
    function()
    local mock = t.start_mock("--delay 30ms")
    local script = two(mock.url)
    local json = t.tmpname(".json")
    finally(function() mock.stop(); os.remove(script); os.remove(json) end)
    local run = t.spawn(("-q -w 2 -c 2 --json %s %s"):format(json, script))
    t.sleep(1.2)
    os.execute("kill -INT " .. run.pid)
    local code, out = run.wait(30)
    assert.are.equal(130, code, out)
    local doc = t.decode(json)
    local sc = scenarios(doc)
    for _, key in ipairs({ "scheduled", "sent", "not_sent", "ok", "failed",
      "failed_before_send" }) do
      assert.are.equal(doc.summary[key], sc.background[key] + sc.rampup[key], key)
    end
    for _, c in pairs(sc) do
      assert.are.equal(c.scheduled, c.sent + c.not_sent + c.failed_before_send +
        c.script_errors_before_send)
    end
    local b, r = summary_row(out, "background"), summary_row(out, "rampup")
    assert.are.equal(sc.background.not_sent, b.not_sent)
    assert.are.equal(sc.rampup.not_sent, r.not_sent)
    assert.are.equal(doc.summary.not_sent, b.not_sent + r.not_sent)
    assert.is_nil(out:find("ACCOUNTING ERROR", 1, true), out)
    -- 2 connections, 30 ms each: far fewer than due were sent
    assert.is_true(doc.summary.not_sent > 0, out)
    assert.is_true(doc.summary.scheduled < 400, out)
    assert.are.equal(doc.summary.sent, mock.stats().requests.total)
  end)

  it("without operations, request() is each scenario's; a tag scenario of its own is a " ..
    "script error before send, counted in the scenario", function()
    local mock = t.start_mock("")
    local json = t.tmpname(".json")
    local script = t.script(([[
soapload.url = %q
function request(id, seq)
  local body = soapload.envelope("<m:E xmlns:m=\"urn:e\"><m:RequestId>" .. id ..
    "</m:RequestId></m:E>")
  if seq %% 5 == 0 then return body, {tags = {scenario = "mine"}} end
  return body
end
soapload.scenarios = {one = {rate = 20, duration = "1s"}, two = {rate = 10, duration = "1s"}}
]]):format(mock.url))
    finally(function() mock.stop(); os.remove(script); os.remove(json) end)
    local code, out, err = t.run(("-w 1 -c 2 --json %s %s"):format(json, script))
    assert.are.equal(1, code, out .. err)
    local c = t.invariants(out)
    assert.are.equal(30, c.scheduled)
    assert.are.equal(6, t.count(out, "script errors before send (%d+)"))
    assert.truthy((out .. err):find("the tag scenario is soapload's own in a run with " ..
      "scenarios", 1, true), out .. err)
    local sc = scenarios(t.decode(json))
    assert.are.equal(20, sc.one.scheduled)
    assert.are.equal(10, sc.two.scheduled)
    assert.are.equal(6, sc.one.script_errors_before_send + sc.two.script_errors_before_send)
    assert.are.equal(24, sc.one.sent + sc.two.sent)
    assert.are.equal(24, mock.stats().requests.echo)
  end)

  it("--dry-run names each request's scenario, in due order", function()
    local script = two("http://127.0.0.1:9/soap")
    finally(function() os.remove(script) end)
    local code, out, err = t.run("--dry-run 4 " .. script)
    assert.are.equal(0, code, err)
    local seen = {}
    for name, op in out:gmatch("scenario (%w+), due [%d.]+ s after the start\noperation (%w+)\n") do
      seen[#seen + 1] = name .. ":" .. op
    end
    assert.are.same({ "background:A", "rampup:B", "background:A", "background:A" }, seen)
  end)

  it("a threshold on one scenario fails the run with exit 3; the other scenario's passes",
    function()
    local mock = t.start_mock("")
    local script = two(mock.url, [[
soapload.thresholds = {"p99{scenario=background} < 10s", "p99{scenario=rampup} < 1us"}
]])
    finally(function() mock.stop(); os.remove(script) end)
    local code, out, err = t.run("-w 1 -c 4 " .. script)
    assert.are.equal(3, code, out .. err)
    assert.matches("p99{scenario=rampup} < 1us", out, 1, true)
    local line = out:match("[^\n]*p99{scenario=rampup} < 1us[^\n]*")
    assert.matches("FAIL", line)
    local other = out:match("[^\n]*p99{scenario=background} < 10s[^\n]*")
    assert.is_nil(other:find("FAIL", 1, true), other)
  end)

  it("refuses a threshold on a scenario the script does not define before sending (exit 2), " ..
    "as it refuses one on an unknown operation", function()
    local mock = t.start_mock("")
    local script = two(mock.url)
    local plain = t.script(("soapload.url = %q\n"):format(mock.url) ..
      "function request(id) return soapload.envelope(soapload.echo(id)) end\n")
    finally(function() mock.stop(); os.remove(script); os.remove(plain) end)
    local cases = {
      { script, "--threshold 'p99{scenario=rampupp} < 1s'", "soapload: threshold 'p99{scenario=rampupp} < 1s' " ..
        "names scenario 'rampupp', which the script does not define (scenarios: background rampup)\n" },
      { plain, "-R 50 -d 1s --threshold 'error_rate{scenario=background} < 1%'",
        "soapload: threshold 'error_rate{scenario=background} < 1%' names scenario 'background', " ..
        "which needs soapload.scenarios: the script has none\n" },
      { script, "--threshold 'p99{op=D} < 1s'", "soapload: threshold 'p99{op=D} < 1s' names operation 'D', " ..
        "which the script does not define (operations: A B C)\n" },
    }
    for _, c in ipairs(cases) do
      local code, out, err, elapsed = t.run("-q -w 1 -c 2 " .. c[2] .. " " .. c[1])
      assert.are.equal(2, code, out .. err)
      assert.are.equal(c[3], err)
      assert.are.equal("", out)
      assert.is_true(elapsed < 1.5, "it ran first: " .. elapsed .. " s")
    end
    assert.are.equal(0, math.tointeger(mock.stats().requests.total))
  end)

  it("the example scripts/examples/scenarios.lua runs against the mock serving orders.wsdl",
    function()
    local ex = t.root .. "/scripts/examples/"
    local mock = t.start_mock("--wsdl " .. ex .. "orders.wsdl")
    local json = t.tmpname(".json")
    finally(function() mock.stop(); os.remove(json) end)
    local code, out, err = t.run(("--json %s -u %s %sscenarios.lua"):format(json, mock.url, ex))
    assert.is_true(code == 0 or code == 1, out .. err)
    assert.truthy(out:find("  rampup        from 1 s: 0 -> 150 req/s over 3 s; operations " ..
      "PlaceOrder 3, CancelOrder 1\n", 1, true), out)
    -- the weights are each scenario's (the Model lines), not one per operation
    assert.truthy(out:find("\n  PlaceOrder            -        169        169", 1, true), out)
    local doc = t.decode(json)
    local sc, o = scenarios(doc), ops(doc)
    assert.are.equal(200, sc.background.scheduled)
    assert.are.equal(225, sc.rampup.scheduled)
    assert.are.same({ 200, 169, 56 }, { o.GetOrder.scheduled, o.PlaceOrder.scheduled,
      o.CancelOrder.scheduled })
    assert.are.equal(doc.summary.sent, mock.stats().requests.echo)
    assert.are.equal(3, #doc.thresholds)
  end)

  describe("refuses with exit 2 and a message naming the problem", function()
    local cases = {
      { "an unknown operation",
        [[soapload.scenarios = {bg = {rate = 10, operations = {"D", "Ax"}}}]],
        "soapload.scenarios.bg.operations: unknown operation '" },
      { "both rate and stages",
        [[soapload.scenarios = {bg = {rate = 10, stages = {{duration = "1s", target = 5}}}}]],
        "soapload.scenarios.bg has both rate and stages" },
      { "a top-level rate beside them",
        [[soapload.rate = 10
soapload.scenarios = {bg = {rate = 10}}]],
        "soapload.scenarios takes no soapload.rate: give each scenario its own rate" },
      { "top-level stages beside them",
        [[soapload.stages = {{duration = "1s", target = 5}}
soapload.scenarios = {bg = {rate = 10}}]],
        "soapload.scenarios takes no soapload.stages" },
      { "an open-model key in a closed-model run",
        [[soapload.model = "closed"
soapload.scenarios = {bg = {rate = 10}}]],
        "soapload.scenarios.bg.rate: rate is the open model's, but this run is closed-model " ..
        "(--closed or soapload.model = \"closed\"), where a scenario has virtual users: give " ..
        "connections = N (and think = T)" },
      { "an empty scenario", [[soapload.scenarios = {bg = {}}]],
        "soapload.scenarios.bg has no load: give it rate = N" },
      { "no scenario at all", [[soapload.scenarios = {}]], "soapload.scenarios is empty" },
      { "a negative target",
        [[soapload.scenarios = {bg = {stages = {{duration = "1s", target = -5}}}}]],
        "soapload.scenarios.bg.stages[1].target is '-5': it wants a number that is not negative" },
      { "the run's duration beside scenarios that set their own",
        [[soapload.duration = "3s"
soapload.scenarios = {bg = {rate = 10, duration = "1s"}}]],
        "soapload.duration is the length of a scenario with a rate and no duration" },
      { "a negative rate", [[soapload.scenarios = {bg = {rate = -1}}]],
        "soapload.scenarios.bg.rate is '-1': it wants a rate from 0 to 10000000" },
      { "an unknown key, with the nearest one",
        [[soapload.scenarios = {bg = {rate = 10, operation = {"A"}}}]],
        "soapload.scenarios.bg has an unknown key 'operation' (did you mean operations?)" },
      { "a closed-model key in an open-model run",
        [[soapload.scenarios = {bg = {connections = 4}}]],
        "soapload.scenarios.bg.connections: connections is the closed model's, but this run's " ..
        "scenarios are open-model schedules: give rate = N, or run every scenario with virtual " ..
        "users (--closed or soapload.model = \"closed\")" },
      { "a list instead of named scenarios",
        [[soapload.scenarios = {{rate = 10}}]],
        "soapload.scenarios maps names to scenarios" },
      { "stages and a duration",
        [[soapload.scenarios = {bg = {duration = "1s", stages = {{duration = "1s", target = 5}}}}]],
        "soapload.scenarios.bg has both stages and duration" },
      { "a misspelt soapload.scenarios", [[soapload.scenario = {bg = {rate = 10}}]],
        "unknown setting soapload.scenario (did you mean soapload.scenarios?)" },
    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        local script = t.script(OPS .. "soapload.url = \"http://127.0.0.1:9/soap\"\n" .. c[2])
        finally(function() os.remove(script) end)
        local code, out, err = t.run(script)
        assert.are.equal(2, code, out .. err)
        assert.truthy(err:find(c[3], 1, true), err)
      end)
    end

    it("-d when no scenario takes the run's duration", function()
      local script = two("http://127.0.0.1:9/soap")
      finally(function() os.remove(script) end)
      local code, out, err = t.run("-d 5s " .. script)
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("--duration is the length of a scenario with a rate and no " ..
        "duration of its own, and soapload.scenarios has none", 1, true), err)
    end)

    it("-R on the command line", function()
      local script = two("http://127.0.0.1:9/soap")
      finally(function() os.remove(script) end)
      local code, out, err = t.run("-R 10 " .. script)
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("soapload.scenarios takes no --rate (-R)", 1, true), err)
    end)
  end)
end)
