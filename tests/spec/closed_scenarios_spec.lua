-- Closed-model scenarios: with soapload.model = "closed" (or --closed) every scenario of
-- soapload.scenarios is a number of virtual users (connections = N, or stages of them) with its
-- own operations, think time, start_after and duration. Against the real mock (20 ms a
-- response; requests of operation B carry Kind=b, which the mock answers with a fault it counts
-- apart, declared expected by B's response()): each scenario's requests in soapload's JSON are
-- what the mock counted for its operation, no scenario ever has more requests in flight than its
-- users and each reaches them (from the trace's send and end times), no request of a scenario
-- leaves before its start_after nor after its end, a ramp of users sends nothing while it has
-- none, every ID is unique; two segments split each scenario's users; the summary,
-- settings.scenarios and merge say what ran; and the refusals (exit 2, a message naming the key).
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)
local scenarios = t.scenario_counts

local OPS = [[
local function body(op, kind, id)
  return soapload.envelope("<m:" .. op .. " xmlns:m=\"urn:orders\"><m:Kind>" .. kind ..
    "</m:Kind><m:RequestId>" .. soapload.escape(id) .. "</m:RequestId></m:" .. op .. ">")
end
soapload.operations = {
  {name = "A", weight = 1, request = function(id) return body("A", "a", id) end},
  {name = "B", weight = 1, request = function(id) return body("B", "b", id) end,
   response = function(status, headers, body, id, fault)
     if fault then return "expected_fault" end
     return false, "B wants its fault"
   end},
  {name = "C", weight = 1, request = function(id) return body("C", "c", id) end},
}
]]

local function script(url, scenarios, extra)
  return t.script(OPS .. ([[
soapload.url = %q
%s
soapload.scenarios = %s
]]):format(url, extra or "soapload.model = \"closed\"", scenarios))
end

local trace, most_in_flight = t.trace_rows, t.most_in_flight

local function first_and_last(rows, op, field)
  local lo, hi = math.huge, -math.huge
  for _, r in ipairs(rows) do
    if r.op == op and r[field] then
      lo = math.min(lo, r[field])
      hi = math.max(hi, r[field])
    end
  end
  return lo, hi
end

describe("closed-model scenarios", function()
  local mock = t.shared_mock("--delay 20ms --fault-when Kind=b")

  it("run each scenario's users from its start to its end, counted per scenario as the " ..
    "server counts them, and merge keeps them", function()
    local s = script(mock.url, [[{
  checkout = {connections = 3, duration = "2s", operations = {"A"}},
  browse = {connections = 2, start_after = "1s", duration = "1s", think = "10ms",
            operations = {"B"}},
}]])
    local json, tr = t.tmpname(".json"), t.tmpname(".csv")
    finally(function() os.remove(s); os.remove(json); os.remove(tr) end)
    mock.reset()
    local code, out, err = t.run("-w 2 --json " .. json .. " --trace " .. tr .. " " .. s)
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Model           closed, 2 scenarios: 5 virtual users at most, " ..
      "for 2.00 s in all\n" ..
      "  browse        from 1 s: 2 virtual users for 1 s, think 10.00ms; operations B\n" ..
      "  checkout      3 virtual users for 2 s; operations A\n", 1, true), out)
    assert.truthy(out:find("Scenarios               users  scheduled       sent  before send", 1,
      true), out)
    assert.falsy(out:find("ACCOUNTING ERROR", 1, true), out)

    local doc = t.decode(json)
    local sm, sc = doc.summary, scenarios(doc)
    local st = mock.stats()
    -- every request equation, in all and per scenario
    assert.are.equal(sm.scheduled, sm.sent + sm.not_sent + sm.failed_before_send +
      sm.script_errors_before_send)
    assert.are.equal(sm.sent, sm.results.ok + sm.results.expected_fault + sm.failed +
      sm.results.cancelled)
    assert.are.equal(0, sm.not_sent)
    for _, name in ipairs({ "checkout", "browse" }) do
      local c = sc[name]
      assert.are.equal(c.scheduled, c.sent + c.not_sent + c.failed_before_send +
        c.script_errors_before_send)
      assert.are.equal(0, c.failed)
    end
    assert.are.equal(sm.scheduled, sc.checkout.scheduled + sc.browse.scheduled)
    assert.are.equal(sm.sent, sc.checkout.sent + sc.browse.sent)
    -- the server's count of each scenario's operation
    assert.are.equal(sc.checkout.sent, st.requests.echo)
    assert.are.equal(sc.browse.sent, st.requests.fault_trigger)
    assert.are.equal(sc.browse.sent, sc.browse.results.expected_fault)
    assert.are.equal(sm.sent, st.requests.total)
    assert.are.equal(0, st.ids.duplicates)
    assert.are.equal(sm.sent, st.ids.distinct)
    -- about 3 users x 2 s / 20 ms and 2 x 1 s / 30 ms
    assert.is_true(sc.checkout.sent > 150 and sc.checkout.sent <= 300, tostring(sc.checkout.sent))
    assert.is_true(sc.browse.sent > 30 and sc.browse.sent <= 67, tostring(sc.browse.sent))

    -- settings.scenarios: users, not a schedule
    local set = {}
    for _, x in ipairs(doc.settings.scenarios) do set[x.name] = x end
    assert.are.equal("closed", doc.settings.model)
    assert.are.equal(5, doc.settings.connections)
    assert.are.equal(3, set.checkout.users)
    assert.are.equal(2, set.browse.users)
    assert.are.equal(1, set.browse.start_s)
    assert.are.same({ { duration_s = 1, users = 2 } }, set.browse.stages)
    assert.are.same({ kind = "fixed", a_ms = 10, b_ms = 0 }, set.browse.think)
    assert.is_nil(set.checkout.think)
    assert.are.same({ B = 1 }, set.browse.operations)

    -- the trace: users in flight per scenario, start_after and the end, unique IDs
    local rows = trace(tr)
    assert.are.equal(sm.scheduled, #rows)
    local seen = {}
    for _, r in ipairs(rows) do
      assert.is_nil(seen[r.id], r.id)
      seen[r.id] = true
      assert.truthy(r.id:match("^P%d+%-R%d+$"), r.id)
    end
    assert.are.equal(3, most_in_flight(rows, "A"))
    assert.are.equal(2, most_in_flight(rows, "B"))
    local t0 = doc.settings.started_at_us / 1e6 -- the run's start, as the trace's times
    local b_first = first_and_last(rows, "B", "due")
    local _, b_last = first_and_last(rows, "B", "sent")
    local _, a_last = first_and_last(rows, "A", "sent")
    assert.is_true(b_first >= t0 + 0.999, ("browse's first request at %.6f s"):format(b_first - t0))
    assert.is_true(b_first < t0 + 1.2, ("browse's first request at %.6f s"):format(b_first - t0))
    assert.is_true(b_last < t0 + 2.001, ("browse's last request at %.6f s"):format(b_last - t0))
    assert.is_true(a_last < t0 + 2.001, ("checkout's last request at %.6f s"):format(a_last - t0))

    -- merge reads settings.scenarios back: the same Model lines and rows
    local mcode, mout, merr = t.run("merge " .. json)
    assert.are.equal(0, mcode, mout .. merr)
    assert.truthy(mout:find("  browse        from 1 s: 2 virtual users for 1 s, think 10.00ms; " ..
      "operations B\n", 1, true), mout)
    assert.truthy(mout:find(("\n  checkout%%s+3%%s+%d%%s+%d%%s+0%%s+%d%%s+0%%s"):format(
      sc.checkout.scheduled, sc.checkout.sent, sc.checkout.sent)), mout)
  end)

  it("ramp a scenario's users along its own stages, and take the run's think time and " ..
    "duration where it sets none", function()
    local s = script(mock.url, [[{
  ramp = {stages = {{duration = "1s", connections = 4}}, operations = {"C"}},
  steady = {connections = 1, operations = {A = 1}},
}]], "soapload.model = \"closed\"\nsoapload.think = \"5ms\"\nsoapload.duration = \"1s\"")
    local tr, json = t.tmpname(".csv"), t.tmpname(".json")
    finally(function() os.remove(s); os.remove(tr); os.remove(json) end)
    mock.reset()
    local code, out, err = t.run("-w 2 --json " .. json .. " --trace " .. tr .. " " .. s)
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("  ramp          0 -> 4 virtual users over 1 s, think 5.00ms; " ..
      "operations C\n  steady        1 virtual user for 1 s, think 5.00ms; operations A\n", 1,
      true), out)
    local rows = trace(tr)
    local t0 = t.decode(json).settings.started_at_us / 1e6
    local c_first = first_and_last(rows, "C", "due")
    -- 4 users over 1 s: none before 0.25 s, at most 4 in flight, and all 4 by the end
    assert.is_true(c_first >= t0 + 0.249, ("the ramp's first request at %.6f s"):format(c_first - t0))
    assert.is_true(most_in_flight(rows, "C") <= 4)
    assert.is_true(most_in_flight(rows, "C") >= 3)
    assert.are.equal(1, most_in_flight(rows, "A"))
    -- before 0.5 s the ramp has at most 1 user: never 2 of its requests in flight together
    local early = {}
    for _, r in ipairs(rows) do
      if r.op == "C" and r.sent and r.sent < t0 + 0.499 then early[#early + 1] = r end
    end
    assert.is_true(#early > 0)
    assert.is_true(most_in_flight(early, "C") <= 1)
    local st = mock.stats()
    assert.are.equal(#rows, st.requests.echo)
  end)

  it("split each scenario's users over two segments, the remainders going round", function()
    -- the scenarios by name: browse's 2 users are 1 and 1; checkout's 3 are 2 and 1, its
    -- remainder going to segment 0 (browse left none). Segment 0 holds 3 users, segment 1 2,
    -- and no scenario ever has more requests in flight in a segment than its share there
    local s = script(mock.url, [[{
  checkout = {connections = 3, duration = "1s", operations = {"A"}},
  browse = {connections = 2, duration = "1s", operations = {"B"}},
}]])
    local files, traces = { t.tmpname(".json"), t.tmpname(".json") },
      { t.tmpname(".csv"), t.tmpname(".csv") }
    finally(function()
      os.remove(s)
      for i = 1, 2 do os.remove(files[i]); os.remove(traces[i]) end
    end)
    mock.reset()
    local at = ("%.3f"):format(t.now() + 2)
    local runs = {}
    for i = 0, 1 do
      runs[i + 1] = t.spawn(("--segment %d/2 --start-at %s -w 1 --json %s --trace %s %s")
        :format(i, at, files[i + 1], traces[i + 1], s))
    end
    local sum = { checkout = 0, browse = 0, sent = 0 }
    local users = { { checkout = 2, browse = 1 }, { checkout = 1, browse = 1 } }
    for i = 1, 2 do
      local code, out, err = runs[i].wait(30)
      assert.are.equal(0, code, out .. err)
      assert.truthy(out:find(("Segment         %d/2: its share of each scenario's virtual users " ..
        "(%d here); IDs S%d-P<pid>-R<seq>\n"):format(i - 1, 3 - (i - 1), i - 1), 1, true), out)
      local doc = t.decode(files[i])
      local sc = scenarios(doc)
      sum.checkout = sum.checkout + sc.checkout.sent
      sum.browse = sum.browse + sc.browse.sent
      sum.sent = sum.sent + doc.summary.sent
      local rows = trace(traces[i])
      assert.are.equal(users[i].checkout, most_in_flight(rows, "A"))
      assert.are.equal(users[i].browse, most_in_flight(rows, "B"))
    end
    local st = mock.stats()
    assert.are.equal(sum.checkout, st.requests.echo)
    assert.are.equal(sum.browse, st.requests.fault_trigger)
    assert.are.equal(sum.sent, st.ids.distinct)
    assert.are.equal(0, st.ids.duplicates)
  end)

  describe("refuses with exit 2 and a message naming the problem", function()
    local cases = {
      { "an open-model key (rate)", [[{bg = {rate = 10}}]],
        "soapload.scenarios.bg.rate: rate is the open model's, but this run is closed-model " ..
        "(--closed or soapload.model = \"closed\"), where a scenario has virtual users: give " ..
        "connections = N (and think = T)" },
      { "an open-model key (burst)", [[{bg = {connections = 2, burst = 4}}]],
        "soapload.scenarios.bg.burst: burst is the open model's" },
      { "an open-model key (arrival)", [[{bg = {connections = 2, arrival = "poisson"}}]],
        "soapload.scenarios.bg.arrival: arrival is the open model's" },
      { "a stage with a target", [[{bg = {stages = {{duration = "1s", target = 5}}}}]],
        "soapload.scenarios.bg.stages[1] gives target, but a closed-model scenario's stages " ..
        "take connections = N (its virtual users at the stage's end)" },
      { "a stage without users", [[{bg = {stages = {{duration = "1s"}}}}]],
        "soapload.scenarios.bg.stages[1] has no connections (the scenario's virtual users at " ..
        "the stage's end)" },
      { "no users", [[{bg = {duration = "1s"}}]],
        "soapload.scenarios.bg has no users: give it connections = N (virtual users, with a " ..
        "duration) or stages = {{duration = ..., connections = N}, ...}" },
      { "both connections and stages",
        [[{bg = {connections = 2, stages = {{duration = "1s", connections = 5}}}}]],
        "soapload.scenarios.bg has both connections and stages: give one of them" },
      { "a fraction of a user", [[{bg = {connections = 1.5}}]],
        "soapload.scenarios.bg.connections is '1.5': it wants a whole number of virtual users " ..
        "from 0 to 100000" },
      { "a bad think time", [[{bg = {connections = 1, think = "soon"}}]],
        "soapload.scenarios.bg.think is 'soon': " },
      { "no users in any scenario", [[{bg = {connections = 0}, fg = {connections = 0}}]],
        "soapload.scenarios has no virtual users: every scenario has connections = 0" },
      { "a model of its own", [[{bg = {connections = 1, model = "open"}}]],
        "soapload.scenarios.bg.model: a scenario's model is the run's" },
      -- (with soapload.flows, closed-model scenarios run flows: closed_scenario_flows_spec)
      { "flows in a closed-model scenario", [[{bg = {connections = 1, flows = {"order"}}}]],
        "soapload.scenarios.bg names flows, but the script declares no soapload.flows" },
    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        local s = script("http://127.0.0.1:9/soap", c[2])
        finally(function() os.remove(s) end)
        local code, out, err = t.run(s)
        assert.are.equal(2, code, out .. err)
        assert.truthy(err:find(c[3], 1, true), err)
      end)
    end

    it("a closed-model key in an open-model run (think)", function()
      local s = script("http://127.0.0.1:9/soap", [[{bg = {rate = 10, think = "1s"}}]], "")
      finally(function() os.remove(s) end)
      local code, out, err = t.run(s)
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("soapload.scenarios.bg.think: think is the closed model's, but " ..
        "this run's scenarios are open-model schedules: give rate = N, or run every scenario " ..
        "with virtual users (--closed or soapload.model = \"closed\")", 1, true), err)
    end)

    it("--closed with a scenario's rate, and -c beside closed-model scenarios", function()
      local s = script("http://127.0.0.1:9/soap", [[{bg = {rate = 10}}]], "")
      local s2 = script("http://127.0.0.1:9/soap", [[{bg = {connections = 2}}]])
      finally(function() os.remove(s); os.remove(s2) end)
      local code, out, err = t.run("--closed " .. s)
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("soapload.scenarios.bg.rate: rate is the open model's", 1, true), err)
      code, out, err = t.run("-c 4 " .. s2)
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("soapload.scenarios takes no --connections (-c) in the closed " ..
        "model: give each scenario its virtual users (connections = N)", 1, true), err)
    end)
  end)
end)
