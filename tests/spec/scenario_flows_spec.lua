-- Flows in soapload.scenarios (open model): a scenario's arrivals start the flows and single
-- operations its mix names. Against soapload-mock --sessions: the session flow of
-- scripts/examples/session.lua in one scenario beside a single operation in another, the
-- client's flow table and per-scenario counts equal to the mock's counters; a flow and a
-- single operation in one scenario's exact mix; the grace period per flow; the refusals
-- (exit 2, the exact message).
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)
local scenarios, flows, ops = t.scenario_counts, t.flow_counts, t.op_counts

local example = t.root .. "/scripts/examples/session.lua"

-- The session example's flow, and a single operation Ping that carries no token: the mock
-- refuses it with the Fault "invalid session", which its hook declares expected.
local SESSION_AND_PING = ([[
dofile(%q)
soapload.rate = nil
soapload.duration = nil
soapload.operations = {{name = "Ping", weight = 1,
  request = function(id) return soapload.envelope(soapload.echo(id)) end,
  response = function(status, headers, body, id, fault)
    if fault then return fault.reason == "invalid session" and "expected_fault" end
    return false, "a Ping without a token was answered"
  end}}
]]):format(example)

describe("flows in soapload.scenarios", function()
  it("runs the session flow in one scenario beside a single operation in another: the flow " ..
    "table and each scenario's counts are the mock's", function()
    local mock = t.start_mock("--threads 2 --sessions")
    local script = t.script(SESSION_AND_PING .. [[
soapload.scenarios = {
  checkout = {rate = 40, duration = "2s", flows = {"order"}},
  background = {rate = 30, duration = "1s", start_after = "1s", operations = {"Ping"}},
}
]])
    local json, trace = t.tmpname(".json"), t.tmpname(".csv")
    finally(function() mock.stop(); os.remove(script); os.remove(json); os.remove(trace) end)
    local code, out, err = t.run(("--url %s -w 2 --json %s --trace %s %s")
      :format(mock.url, json, trace, script))
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Model           open, 2 scenarios: 55.0 flow starts and req/s mean " ..
      "for 2.00 s in all\n  background    from 1 s: 30 req/s for 1 s; operations Ping\n" ..
      "  checkout      40 flow starts/s for 2 s; flows order\n", 1, true), out)
    local doc = t.json.decode(t.read(json))
    -- every flow accounted for: scheduled = completed + failed + interrupted + not started
    assert.are.same({ order = { 80, 80, 0, 0, 0 }, Ping = { 30, 30, 0, 0, 0 } }, flows(doc))
    local s = mock.stats()
    assert.are.same({ logins = 80, logins_refused = 0, logouts = 80, active = 0, calls = 160,
      refused = 30, by_cookie = 0, calls_by_operation = { PlaceOrder = 80, GetOrder = 80 } },
      s.sessions)
    -- each scenario's requests: checkout's are the flows' steps, all with a valid token;
    -- background's the Pings the mock refused for want of one
    local sc = scenarios(doc)
    assert.are.same({ 320, 320, 320, 0 },
      { sc.checkout.scheduled, sc.checkout.sent, sc.checkout.results.ok, sc.checkout.not_sent })
    assert.are.equal(s.requests.echo, sc.checkout.sent)
    assert.are.equal(s.sessions.logins + s.sessions.calls + s.sessions.logouts, sc.checkout.sent)
    assert.are.same({ 30, 30, 30 }, { sc.background.scheduled, sc.background.sent,
      sc.background.results.expected_fault })
    assert.are.equal(s.sessions.refused, sc.background.results.expected_fault)
    assert.are.equal(s.requests.fault_session, sc.background.sent)
    local o = ops(doc)
    assert.are.same({ 80, 80, 80, 80, 30 }, { o.Login.results.ok, o.PlaceOrder.results.ok,
      o.GetOrder.results.ok, o.Logout.results.ok, o.Ping.results.expected_fault })
    -- every request once, both equations, the Scenarios table adding up to the totals
    assert.are.same({ 350, 350, 0 }, { s.ids.received, s.ids.distinct, s.ids.duplicates })
    assert.are.same({ 350, 350 }, { doc.summary.scheduled, doc.summary.sent })
    assert.truthy(out:find("  scheduled     350 = sent 350 + not sent 0 + failed before send 0 + " ..
      "script errors before send 0\n  sent          350 = ok 320 + expected_fault 30 + failed 0 " ..
      "+ cancelled 0\n", 1, true), out)
    assert.falsy(out:find("ACCOUNTING ERROR", 1, true), out)
    -- start_after: no Ping due before 1 s from the run's first due time, none after 2 s; each
    -- traced request names its scenario's flow
    local first, pings, steps = math.huge, {}, 0
    for line in io.lines(trace) do
      local due, op, flow = line:match("^[^,]*,[^,]*,[^,]*,([%d.]+),[^,]*,[^,]*,[^,]*,[^,]*," ..
        "([^,]*),[^,]*,[^,]*,[^,]*,([^,]*),")
      if due then
        due = tonumber(due)
        first = math.min(first, due)
        if op == "Ping" then pings[#pings + 1] = due else steps = steps + 1 end
        assert.are.equal(op == "Ping" and "Ping" or "order", flow, line)
      end
    end
    assert.are.same({ 30, 320 }, { #pings, steps })
    for _, due in ipairs(pings) do
      assert.is_true(due - first >= 1 - 1e-5 and due - first < 2, tostring(due - first))
    end
  end)

  it("mixes a flow and a single operation in one scenario's exact mix; a scenario that names " ..
    "neither starts every flow and operation by its weight", function()
    local mock = t.start_mock("--threads 1")
    local script = t.script([[
local function echo(id) return soapload.envelope(soapload.echo(id)) end
soapload.flows = {{name = "two", steps = {{name = "A", request = echo}, {name = "B", request = echo}}}}
soapload.operations = {{name = "Ping", weight = 3, request = echo}, {name = "Solo", weight = 1, request = echo}}
soapload.scenarios = {
  mixed = {rate = 40, duration = "1s", flows = {two = 1}, operations = {Ping = 3}},
  all = {rate = 10, duration = "1s", start_after = "500ms"},
}
]])
    local json = t.tmpname(".json")
    finally(function() mock.stop(); os.remove(script); os.remove(json) end)
    local code, out, err = t.run(("--url %s --json %s %s"):format(mock.url, json, script))
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Model           open, 2 scenarios: 33.3 flow starts/s mean for " ..
      "1.50 s in all\n  all           from 0.500 s: 10 flow starts/s for 1 s; flows two 1; " ..
      "operations Ping 3, Solo 1\n  mixed         40 flow starts/s for 1 s; flows two 1; " ..
      "operations Ping 3\n", 1, true), out)
    local doc = t.json.decode(t.read(json))
    -- mixed: 10 two and 30 Ping; all: 2 two, 6 Ping, 2 Solo (weights 1, 3, 1 over 10)
    assert.are.same({ two = { 12, 12, 0, 0, 0 }, Ping = { 36, 36, 0, 0, 0 },
      Solo = { 2, 2, 0, 0, 0 } }, flows(doc))
    local sc = scenarios(doc)
    assert.are.same({ 50, 50 }, { sc.mixed.scheduled, sc.mixed.results.ok }) -- 10 x 2 + 30
    assert.are.same({ 12, 12 }, { sc.all.scheduled, sc.all.results.ok })   -- 2 x 2 + 6 + 2
    assert.are.equal(62, mock.stats().requests.echo)
    -- settings.scenarios keeps each one's flows (and every operation it sends)
    local by = {}
    for _, s in ipairs(doc.settings.scenarios) do by[s.name] = s end
    assert.are.same({ two = 1 }, by.mixed.flows)
    assert.are.same({ A = 1, B = 1, Ping = 3 }, by.mixed.operations)
    assert.are.same({ A = 1, B = 1, Ping = 3, Solo = 1 }, by.all.operations)
    t.invariants(out)
  end)

  it("keeps each flow's grace period: flows under way at the end count as interrupted, and " ..
    "their scenario's requests still add up", function()
    local mock = t.start_mock("--threads 1")
    local script = t.script([[
local function echo(id) return soapload.envelope(soapload.echo(id)) end
soapload.flows = {{name = "slow", steps = {{name = "First", request = echo},
  {name = "Second", think = "1500ms", request = echo}}}}
soapload.operations = {{name = "Ping", weight = 1, request = echo}}
soapload.scenarios = {
  s1 = {rate = 20, duration = "1s", flows = {"slow"}},
  s2 = {rate = 10, duration = "1s", operations = {"Ping"}},
}
]])
    local json = t.tmpname(".json")
    finally(function() mock.stop(); os.remove(script); os.remove(json) end)
    local code, out, err = t.run(("--url %s --grace 0 --json %s %s"):format(mock.url, json, script))
    assert.are.equal(1, code, out .. err) -- flows that did not complete
    local doc = t.json.decode(t.read(json))
    assert.are.same({ slow = { 20, 0, 0, 20, 0 }, Ping = { 10, 10, 0, 0, 0 } }, flows(doc))
    assert.truthy(out:find("    interrupted at Second: 20\n", 1, true), out)
    local sc = scenarios(doc)
    assert.are.same({ 20, 20, 10, 10 }, { sc.s1.scheduled, sc.s1.sent, sc.s2.scheduled, sc.s2.sent })
    assert.are.equal(30, mock.stats().requests.echo) -- no Second was sent
    mock.reset()
    code, out, err = t.run(("--url %s --grace 3s --json %s %s"):format(mock.url, json, script))
    assert.are.equal(0, code, out .. err)
    doc = t.json.decode(t.read(json))
    assert.are.same({ slow = { 20, 20, 0, 0, 0 }, Ping = { 10, 10, 0, 0, 0 } }, flows(doc))
    assert.are.equal(40, scenarios(doc).s1.sent)
    assert.are.equal(50, mock.stats().requests.echo)
    t.invariants(out)
  end)

  it("two segments of the run merge into its flows, scenarios and Model lines; the mock agrees",
    function()
    local mock = t.start_mock("--threads 2 --sessions")
    local script = t.script(SESSION_AND_PING .. [[
soapload.scenarios = {
  checkout = {rate = 20, duration = "1s", flows = {"order"}},
  background = {rate = 10, duration = "1s", operations = {"Ping"}},
}
]])
    local files, merged = { t.tmpname(".json"), t.tmpname(".json") }, t.tmpname(".json")
    finally(function()
      mock.stop(); os.remove(script); os.remove(merged)
      for _, f in ipairs(files) do os.remove(f) end
    end)
    local at, runs = t.start_time(2), {}
    for i = 0, 1 do
      runs[i + 1] = t.spawn(("-q --segment %d/2 --start-at %s --json %s -u %s -w 1 %s")
        :format(i, at, files[i + 1], mock.url, script))
    end
    for i = 1, 2 do
      local c, o, e = runs[i].wait(60)
      assert.are.equal(0, c, o .. e)
    end
    local code, out, err = t.run(("merge %s %s --json %s"):format(files[1], files[2], merged))
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Model           open, 2 scenarios: 30.0 flow starts and req/s mean " ..
      "for 1.00 s in all\n  background    10 req/s for 1 s; operations Ping\n" ..
      "  checkout      20 flow starts/s for 1 s; flows order\n", 1, true), out)
    local doc = t.json.decode(t.read(merged))
    assert.are.same({ order = { 20, 20, 0, 0, 0 }, Ping = { 10, 10, 0, 0, 0 } }, flows(doc))
    local sc, s = scenarios(doc), mock.stats().sessions
    assert.are.same({ 20, 20, 40, 10 }, { s.logins, s.logouts, s.calls, s.refused })
    assert.are.same({ 80, 10 }, { sc.checkout.results.ok, sc.background.results.expected_fault })
    assert.falsy(out:find("ACCOUNTING ERROR", 1, true), out)
  end)

  it("--dry-run shows each scenario's flow starts in due order, each flow's steps in turn", function()
    local script = t.script(SESSION_AND_PING .. [[
soapload.scenarios = {
  checkout = {rate = 10, duration = "1s", flows = {"order"}},
  background = {rate = 10, duration = "1s", start_after = "50ms", operations = {"Ping"}},
}
]])
    finally(function() os.remove(script) end)
    local code, out, err = t.run("--dry-run 6 " .. script)
    assert.are.equal(0, code, out .. err)
    local seen = {}
    for line in out:gmatch("[^\n]+") do
      local sc = line:match("^scenario (%w+), flow start due")
      local op = line:match("^operation (%w+)")
      if sc or op then seen[#seen + 1] = sc or op end
    end
    assert.are.same({ "checkout", "Login", "PlaceOrder", "GetOrder", "Logout",
      "background", "Ping", "checkout", "Login" }, seen)
  end)

  describe("refuses with exit 2 and the exact message", function()
    local cases = {
      { "checkout = {rate = 1, flows = {'ordr'}}",
        "soapload.scenarios.checkout.flows: unknown flow 'ordr' (did you mean order?) (the flows " ..
        "are those of soapload.flows)" },
      { "checkout = {rate = 1, flows = {'Login'}}",
        "soapload.scenarios.checkout.flows: 'Login' is a step of flow order: a scenario starts " ..
        "whole flows (flows = {\"order\"})" },
      { "checkout = {rate = 1, operations = {'GetOrder'}}",
        "soapload.scenarios.checkout.operations: 'GetOrder' is a step of flow order: a scenario " ..
        "starts whole flows (flows = {\"order\"})" },
      { "checkout = {rate = 1, operations = {'order'}}",
        "soapload.scenarios.checkout.operations: 'order' is a flow of soapload.flows: name it in " ..
        "flows = {...}" },
      { "checkout = {rate = 1, flows = {'Ping'}}",
        "soapload.scenarios.checkout.flows: 'Ping' is a single operation of soapload.operations: " ..
        "name it in operations = {...}" },
      { "checkout = {rate = 1, operations = {'Pong'}}",
        "soapload.scenarios.checkout.operations: unknown operation 'Pong' (did you mean Ping?) " ..
        "(the operations are those of soapload.operations)" },
      { "checkout = {rate = 1, flows = {'order', 'order'}}",
        "soapload.scenarios.checkout.flows names order twice" },
      { "checkout = {rate = 1, flows = {order = 0}, operations = {Ping = 0}}",
        "soapload.scenarios.checkout: every flow and operation it names has weight 0: it would " ..
        "start nothing" },
      { "checkout = {rate = 1, flows = {order = -1}}",
        "soapload.scenarios.checkout.flows.order is -1: it wants a weight from 0 to 1e6" },
      { "checkout = {rate = 1, flows = {}}",
        "soapload.scenarios.checkout.flows is empty: name at least one flow, or leave it out" },
      { "checkout = {rate = 1, flows = 'order'}",
        "soapload.scenarios.checkout.flows must be a list of flow names or a table of name = " ..
        "weight, not a string" },
      { "checkout = {rate = 1, flow = {'order'}}",
        "soapload.scenarios.checkout has an unknown key 'flow' (did you mean flows?) (a scenario " ..
        "takes rate, duration, stages, start_after, arrival, burst, operations and flows; in the " ..
        "closed model connections and think instead of rate, arrival and burst)" },
    }
    for _, c in ipairs(cases) do
      it(c[2], function()
        local script = t.script(SESSION_AND_PING .. "soapload.duration = '1s'\n" ..
          "soapload.scenarios = {" .. c[1] .. "}\n")
        local code, out, err = t.run("--url http://127.0.0.1:9/ " .. script)
        os.remove(script)
        assert.are.equal(2, code, out .. err)
        assert.are.equal("soapload: " .. c[2] .. "\n", err)
      end)
    end

    it("flows named by a scenario of a script without soapload.flows", function()
      local script = t.script([[
soapload.operations = {{name = "A", weight = 1, request = function(id) return "" end}}
soapload.scenarios = {s = {rate = 1, duration = "1s", flows = {"order"}}}
]])
      local code, out, err = t.run("--url http://127.0.0.1:9/ " .. script)
      os.remove(script)
      assert.are.equal(2, code, out .. err)
      assert.are.equal("soapload: soapload.scenarios.s names flows, but the script declares no " ..
        "soapload.flows\n", err)
    end)

    it("an open-model scenario's rate in a closed-model run with flows (closed-model scenarios " ..
      "run flows: closed_scenario_flows_spec)", function()
      local script = t.script(SESSION_AND_PING ..
        "soapload.scenarios = {checkout = {rate = 1, duration = '1s', flows = {'order'}}}\n")
      local code, out, err = t.run("--url http://127.0.0.1:9/ --closed " .. script)
      os.remove(script)
      assert.are.equal(2, code, out .. err)
      assert.are.equal("soapload: soapload.scenarios.checkout.rate: rate is the open model's, " ..
        "but this run is closed-model (--closed or soapload.model = \"closed\"), where a " ..
        "scenario has virtual users: give connections = N (and think = T)\n", err)
    end)
  end)
end)
