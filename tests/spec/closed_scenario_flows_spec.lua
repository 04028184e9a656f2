-- Flows in closed-model scenarios: with soapload.model = "closed" each scenario's virtual users
-- run flows of its own mix (flows = {...}, operations = {...}) in a loop, keeping their vars
-- from one flow to the next, from its start_after to its end. Against soapload-mock --sessions:
-- the session flow of scripts/examples/session.lua in one scenario beside a single operation in
-- another, soapload's flow table and each scenario's counts equal to the mock's session
-- counters, no scenario with more flows under way than its users (from the trace), start_after
-- and the end kept, every ID unique; a user that keeps its token logs in once for all its
-- flows; a scenario's flows under way at its end get the grace period from its end, not the
-- run's.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)
local scenarios, flows, ops = t.scenario_counts, t.flow_counts, t.op_counts

local example = t.root .. "/scripts/examples/session.lua"

-- The trace's rows: id, worker pid, due, sent and done times (seconds), operation, outcome,
-- flow, flow number.
local function trace(path)
  local rows = {}
  for line in io.lines(path) do
    local id, pid, due, sent, done, op, outcome, flow, number = line:match(
      "^([^,]*),([^,]*),[^,]*,([%d.]+),([%d.]*),[^,]*,([%d.]*),[^,]*,([^,]*),[^,]*,[^,]*," ..
      "([^,]*),([^,]*),([^,]*),")
    if id then
      rows[#rows + 1] = { id = id, pid = pid, due = tonumber(due), sent = tonumber(sent),
        done = tonumber(done), op = op, outcome = outcome, flow = flow, number = number }
    end
  end
  return rows
end

-- The most flows named `flow` under way at once: each from its first step's due time to its
-- last step's end (an end before a start at one instant).
local function most_flows(rows, flow)
  local span = {}
  for _, r in ipairs(rows) do
    if r.flow == flow then
      local k = r.pid .. "/" .. r.number
      local s = span[k] or { math.huge, -math.huge }
      s[1] = math.min(s[1], r.due)
      s[2] = math.max(s[2], r.done or math.huge)
      span[k] = s
    end
  end
  local ev = {}
  for _, s in pairs(span) do
    ev[#ev + 1] = { s[1], 1 }
    ev[#ev + 1] = { s[2], -1 }
  end
  table.sort(ev, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[2] < b[2]
  end)
  local level, most = 0, 0
  for _, e in ipairs(ev) do
    level = level + e[2]
    most = math.max(most, level)
  end
  return most
end

-- The session example's flow, and a single operation Ping that carries no token: the mock
-- refuses it with the Fault "invalid session", which its hook declares expected.
local SESSION_AND_PING = ([[
dofile(%q)
soapload.rate = nil
soapload.duration = nil
soapload.model = "closed"
soapload.operations = {{name = "Ping", weight = 1,
  request = function(id) return soapload.envelope(soapload.echo(id)) end,
  response = function(status, headers, body, id, fault)
    if fault then return fault.reason == "invalid session" and "expected_fault" end
    return false, "a Ping without a token was answered"
  end}}
]]):format(example)

describe("flows in closed-model scenarios", function()
  it("runs the session flow for one scenario's users beside a single operation for another's: " ..
    "the flow table and each scenario's counts are the mock's", function()
    local mock = t.start_mock("--threads 2 --sessions")
    local script = t.script(SESSION_AND_PING .. [[
soapload.scenarios = {
  checkout = {connections = 3, duration = "2s", flows = {"order"}},
  browse = {connections = 2, start_after = "1s", duration = "1s", think = "20ms",
            operations = {"Ping"}},
}
]])
    local json, tr = t.tmpname(".json"), t.tmpname(".csv")
    finally(function() mock.stop(); os.remove(script); os.remove(json); os.remove(tr) end)
    local code, out, err = t.run(("--url %s -w 2 --json %s --trace %s %s")
      :format(mock.url, json, tr, script))
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Model           closed, 2 scenarios: 5 virtual users at most, " ..
      "for 2.00 s in all\n" ..
      "  browse        from 1 s: 2 virtual users for 1 s, think 20.00ms; operations Ping\n" ..
      "  checkout      3 virtual users for 2 s; flows order\n", 1, true), out)
    assert.falsy(out:find("ACCOUNTING ERROR", 1, true), out)
    local doc = t.decode(json)
    local s = mock.stats()
    local fl = flows(doc)
    local n, p = fl.order[1], fl.Ping[1]
    -- every flow completed, and the mock saw exactly that many sessions
    assert.are.same({ order = { n, n, 0, 0, 0 }, Ping = { p, p, 0, 0, 0 } }, fl)
    assert.are.same({ logins = n, logins_refused = 0, logouts = n, active = 0, calls = 2 * n,
      refused = p, by_cookie = 0, calls_by_operation = { PlaceOrder = n, GetOrder = n } },
      s.sessions)
    -- about 3 users x 2 s / 10 ms a flow; 2 users x 1 s / 20 ms
    assert.is_true(n > 60 and n <= 600, tostring(n))
    assert.is_true(p > 50 and p <= 100, tostring(p))
    -- each scenario's requests: checkout's the flows' steps, all with a valid token; browse's
    -- the Pings the mock refused for want of one
    local sc = scenarios(doc)
    assert.are.same({ 4 * n, 4 * n, 4 * n, 0 },
      { sc.checkout.scheduled, sc.checkout.sent, sc.checkout.results.ok, sc.checkout.failed })
    assert.are.same({ p, p, p, 0 }, { sc.browse.scheduled, sc.browse.sent,
      sc.browse.results.expected_fault, sc.browse.failed })
    assert.are.equal(s.sessions.logins + s.sessions.calls + s.sessions.logouts, sc.checkout.sent)
    assert.are.equal(s.sessions.refused, sc.browse.sent)
    local o = ops(doc)
    assert.are.same({ n, n, n, n, p }, { o.Login.results.ok, o.PlaceOrder.results.ok,
      o.GetOrder.results.ok, o.Logout.results.ok, o.Ping.results.expected_fault })
    assert.are.same({ 4 * n + p, 4 * n + p, 0 }, { s.ids.received, s.ids.distinct, s.ids.duplicates })
    assert.are.same({ 4 * n + p, 4 * n + p }, { doc.summary.scheduled, doc.summary.sent })
    local set = {}
    for _, x in ipairs(doc.settings.scenarios) do set[x.name] = x end
    assert.are.same({ order = 1 }, set.checkout.flows)
    assert.are.same({ Login = 1, PlaceOrder = 1, GetOrder = 1, Logout = 1 }, set.checkout.operations)
    assert.are.same({ 3, 2 }, { set.checkout.users, set.browse.users })

    -- the trace: flows under way per scenario never above its users (and reaching them),
    -- start_after and the end, unique IDs
    local rows = trace(tr)
    assert.are.equal(4 * n + p, #rows)
    local seen = {}
    for _, r in ipairs(rows) do
      assert.is_nil(seen[r.id], r.id)
      seen[r.id] = true
      assert.truthy(r.id:match("^P%d+%-R%d+$"), r.id)
      assert.are.equal(r.op == "Ping" and "Ping" or "order", r.flow, r.id)
    end
    assert.are.equal(3, most_flows(rows, "order"))
    assert.are.equal(2, most_flows(rows, "Ping"))
    local t0 = doc.settings.started_at_us / 1e6 -- the run's start, as the trace's times
    local first_ping, last_ping, last_login = math.huge, -math.huge, -math.huge
    for _, r in ipairs(rows) do
      if r.op == "Ping" then
        first_ping = math.min(first_ping, r.due)
        last_ping = math.max(last_ping, r.due)
      elseif r.op == "Login" then
        last_login = math.max(last_login, r.due)
      end
    end
    assert.is_true(first_ping >= t0 + 0.999, ("browse's first Ping at %.6f s"):format(first_ping - t0))
    assert.is_true(first_ping < t0 + 1.2, ("browse's first Ping at %.6f s"):format(first_ping - t0))
    assert.is_true(last_ping < t0 + 2.001, ("browse's last Ping at %.6f s"):format(last_ping - t0))
    -- no flow starts after checkout's end (those under way finish in the grace period)
    assert.is_true(last_login < t0 + 2.001, ("checkout's last Login at %.6f s"):format(last_login - t0))

    -- --dry-run: the scenarios' users in turn, each flow from its scenario's mix, then its steps
    local dcode, dout, derr = t.run(("--url %s --dry-run 6 %s"):format(mock.url, script))
    assert.are.equal(0, dcode, dout .. derr)
    local shown = {}
    for line in dout:gmatch("[^\n]+") do
      local what = line:match("^scenario (%w+) %(closed model: a user's next flow%)$") or
        line:match("^operation (%w+)$")
      if what then shown[#shown + 1] = what end
    end
    assert.are.same({ "browse", "Ping", "checkout", "Login", "PlaceOrder", "GetOrder", "Logout",
      "browse", "Ping" }, shown)

    -- merge reads each scenario's flows back: the same Model lines, flows and rows
    local mcode, mout, merr = t.run("merge " .. json)
    assert.are.equal(0, mcode, mout .. merr)
    assert.truthy(mout:find("  browse        from 1 s: 2 virtual users for 1 s, think 20.00ms; " ..
      "operations Ping\n  checkout      3 virtual users for 2 s; flows order\n", 1, true), mout)
    assert.truthy(mout:find(("\n  order%%s+%d%%s+%d%%s+0%%s+0%%s+0%%s"):format(n, n)), mout)
    assert.truthy(mout:find(("\n  checkout%%s+3%%s+%d%%s+%d%%s+0%%s+%d%%s+0%%s"):format(
      4 * n, 4 * n, 4 * n)), mout)
  end)

  it("keeps a user's vars across its flows: a user that holds a token logs in once", function()
    local mock = t.start_mock("--threads 2 --sessions")
    local script = t.script(([[
dofile(%q)
soapload.rate = nil
soapload.duration = nil
soapload.model = "closed"
local steps = soapload.flows[1].steps -- Login (only without a token), PlaceOrder, GetOrder
soapload.flows = {{name = "calls", steps = {steps[1], steps[2], steps[3]}}}
soapload.scenarios = {keep = {connections = 3, duration = "1s", flows = {"calls"}}}
]]):format(example))
    local json, tr = t.tmpname(".json"), t.tmpname(".csv")
    finally(function() mock.stop(); os.remove(script); os.remove(json); os.remove(tr) end)
    local code, out, err = t.run(("--url %s -w 2 --json %s --trace %s %s")
      :format(mock.url, json, tr, script))
    assert.are.equal(0, code, out .. err)
    local doc = t.decode(json)
    local s = mock.stats()
    local n = flows(doc).calls[1]
    assert.are.same({ n, n, 0, 0, 0 }, flows(doc).calls)
    assert.is_true(n > 30, tostring(n))
    -- logins: one per user, not per flow; every call with the user's valid token
    assert.are.same({ logins = 3, logins_refused = 0, logouts = 0, active = 3, calls = 2 * n,
      refused = 0, by_cookie = 0, calls_by_operation = { PlaceOrder = n, GetOrder = n } },
      s.sessions)
    local o = ops(doc)
    assert.are.same({ 3, n, n }, { o.Login.sent, o.PlaceOrder.results.ok, o.GetOrder.results.ok })
    local sc = scenarios(doc)
    assert.are.same({ 2 * n + 3, 2 * n + 3 }, { sc.keep.scheduled, sc.keep.results.ok })
    local rows = trace(tr)
    assert.are.equal(2 * n + 3, #rows)
    assert.are.equal(3, most_flows(rows, "calls"))
    t.invariants(out)
  end)

  it("gives a scenario's flows under way the grace period from its own end, then counts them " ..
    "interrupted", function()
    local mock = t.start_mock("--threads 1")
    local script = t.script([[
local function echo(id) return soapload.envelope(soapload.echo(id)) end
soapload.model = "closed"
soapload.flows = {{name = "slow", steps = {{name = "First", request = echo},
  {name = "Second", think = "1500ms", request = echo}}}}
soapload.operations = {{name = "Ping", weight = 1, request = echo}}
soapload.scenarios = {
  short = {connections = 2, duration = "1s", flows = {"slow"}},
  long = {connections = 1, duration = "3s", think = "100ms", operations = {"Ping"}},
}
]])
    local json = t.tmpname(".json")
    finally(function() mock.stop(); os.remove(script); os.remove(json) end)
    -- no grace: short's flows are interrupted at its end (1 s), though the run lasts 3 s
    local code, out, err = t.run(("--url %s -w 1 --grace 0 --json %s %s")
      :format(mock.url, json, script))
    assert.are.equal(1, code, out .. err) -- flows that did not complete
    local doc = t.decode(json)
    local fl = flows(doc)
    assert.are.same({ 2, 0, 0, 2, 0 }, fl.slow)
    assert.truthy(out:find("    interrupted at Second: 2\n", 1, true), out)
    local sc = scenarios(doc)
    assert.are.same({ 2, 2 }, { sc.short.scheduled, sc.short.sent })
    assert.are.equal(2 + fl.Ping[1], mock.stats().requests.echo) -- no Second was sent
    assert.is_true(fl.Ping[1] > 15 and fl.Ping[1] <= 30, tostring(fl.Ping[1]))
    -- a grace of 1 s: each user's flow completes (Second at 1.5 s), and none starts after 1 s
    mock.reset()
    code, out, err = t.run(("--url %s -w 1 --grace 1s --json %s %s"):format(mock.url, json, script))
    assert.are.equal(0, code, out .. err)
    doc = t.decode(json)
    fl = flows(doc)
    assert.are.same({ 2, 2, 0, 0, 0 }, fl.slow)
    assert.are.equal(4, scenarios(doc).short.sent)
    assert.are.equal(4 + fl.Ping[1], mock.stats().requests.echo)
    t.invariants(out)
  end)

  it("ramps a scenario's users along its stages: never more flows under way than its users " ..
    "at the instant", function()
    local mock = t.start_mock("--threads 1 --delay 20ms")
    local script = t.script([[
local function echo(id) return soapload.envelope(soapload.echo(id)) end
soapload.model = "closed"
soapload.flows = {{name = "two", steps = {{name = "A", request = echo},
  {name = "B", think = "10ms", request = echo}}}}
soapload.scenarios = {
  ramp = {stages = {{duration = "1s", connections = 4}, {duration = "500ms", connections = 4}},
          flows = {"two"}},
}
]])
    local json, tr = t.tmpname(".json"), t.tmpname(".csv")
    finally(function() mock.stop(); os.remove(script); os.remove(json); os.remove(tr) end)
    local code, out, err = t.run(("--url %s -w 2 --json %s --trace %s %s")
      :format(mock.url, json, tr, script))
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("  ramp          0 -> 4 virtual users over 1 s, then 4 virtual users " ..
      "for 0.500 s; flows two\n", 1, true), out)
    local doc = t.decode(json)
    local n = flows(doc).two[1]
    assert.are.same({ n, n, 0, 0, 0 }, flows(doc).two)
    assert.are.equal(2 * n, mock.stats().requests.echo)
    local rows = trace(tr)
    local t0 = doc.settings.started_at_us / 1e6
    assert.are.equal(4, most_flows(rows, "two"))
    -- the ramp: whole users, one more each 250 ms (0 before 250 ms, 1 before 500 ms); a
    -- flow starts only while a user is open for it
    local early, mid = {}, {}
    for _, r in ipairs(rows) do
      if r.due < t0 + 0.25 then early[#early + 1] = r end
      if r.due < t0 + 0.5 then mid[#mid + 1] = r end
    end
    assert.are.equal(0, #early) -- 0 users until 250 ms
    assert.is_true(most_flows(mid, "two") <= 1, tostring(most_flows(mid, "two")))
    t.invariants(out)
  end)
end)
