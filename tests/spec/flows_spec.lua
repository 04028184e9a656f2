-- soapload.flows against soapload-mock --sessions: every flow accounted for (scheduled =
-- completed + failed by step and reason + interrupted + not started), and the client's flow
-- and step counts equal to the mock's session counters, also under the mock's fault knobs.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local example = t.root .. "/scripts/examples/session.lua"

local function run_example(mock, args)
  local json = t.tmpname(".json")
  local code, out, err = t.run(("--url %s --json %s %s %s"):format(mock.url, json, args,
    t.quote(example)))
  local doc = t.json.decode(t.read(json) or "null")
  os.remove(json)
  return code, out, err, doc
end

local function ops_by_name(doc)
  local by = {}
  for _, o in ipairs(doc.operations) do by[o.name] = o.counts end
  return by
end

describe("soapload.flows (scripts/examples/session.lua)", function()
  it("runs Login -> PlaceOrder -> GetOrder -> Logout: 100 flows/s for 2 s, the mock agrees", function()
    local mock = t.start_mock("--threads 2 --sessions")
    finally(function() mock.stop() end)
    local code, out, err, doc = run_example(mock, "-R 100 -d 2s --workers 2")
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Model           open: 100.0 flow starts/s for 2.00 s", 1, true), out)
    local f = doc.flows[1]
    assert.are.same({ "order", 200, 200, 0, 0, 0 },
      { f.name, f.scheduled, f.completed, f.failed, f.interrupted, f.not_started })
    assert.are.equal(200, f.duration_us.count)
    local ops = ops_by_name(doc)
    local s = mock.stats()
    assert.are.same({ logins = 200, logins_refused = 0, logouts = 200, active = 0, calls = 400,
      refused = 0, by_cookie = 0, calls_by_operation = { PlaceOrder = 200, GetOrder = 200 } }, s.sessions)
    assert.are.equal(s.sessions.logins, ops.Login.results.ok)
    assert.are.equal(s.sessions.logouts, ops.Logout.results.ok)
    assert.are.equal(s.sessions.calls_by_operation.PlaceOrder, ops.PlaceOrder.results.ok)
    assert.are.equal(s.sessions.calls_by_operation.GetOrder, ops.GetOrder.results.ok)
    -- every request is still a request: 800 unique IDs, both equations
    assert.are.equal(800, doc.summary.scheduled)
    assert.are.equal(800, doc.summary.sent)
    assert.are.same({ 800, 800, 0 }, { s.ids.received, s.ids.distinct, s.ids.duplicates })
    t.invariants(out)
    assert.truthy(out:find("\n  order                200        200          0           0           0", 1,
      true), out)
  end)

  it("counts a refused login (1 in 10) as a flow failed at Login, as the mock counts it", function()
    local mock = t.start_mock("--threads 2 --sessions --session-refuse-login 10")
    finally(function() mock.stop() end)
    local html = t.tmpname(".html")
    local code, out, err, doc = run_example(mock, "-R 100 -d 1s --workers 2 " ..
      "--threshold 'flow_failure_rate{flow=order} < 5%' " ..
      "--threshold 'flow_duration{flow=order} p95 < 10s' --html " .. html)
    -- the HTML report: the flow table and the funnel of its steps (10 failed at Login: 90 go on)
    local dom = t.chromium_dom(html)
    os.remove(html)
    assert.truthy(dom:find("<td>order</td><td>100</td><td>90</td><td>10</td><td>0</td><td>0</td>",
      1, true), dom)
    assert.truthy(dom:find("<td>order: Login</td><td>100</td><td>10</td><td>0</td><td>check_failed 10</td>",
      1, true), dom)
    assert.truthy(dom:find("<td>order: PlaceOrder</td><td>90</td><td>0</td>", 1, true), dom)
    assert.are.equal(3, code, out .. err) -- a failed threshold
    assert.truthy(out:find("Threshold       FAIL flow_failure_rate{flow=order} < 5% measured 10%\n",
      1, true), out)
    assert.truthy(out:find("Threshold       pass flow_duration{flow=order} p95 < 10s measured", 1,
      true), out)
    local f, s = doc.flows[1], mock.stats().sessions
    assert.are.equal(10, s.logins_refused)
    assert.are.same({ 100, 90, 10, 0, 0 },
      { f.scheduled, f.completed, f.failed, f.interrupted, f.not_started })
    assert.are.same({ check_failed = s.logins_refused }, f.steps[1].failed)
    assert.are.same({ 90, 90, 0 }, { s.logins, s.logouts, s.refused })
    -- a failed Login ends its flow: nothing else was sent for it
    local ops = ops_by_name(doc)
    assert.are.same({ 90, 90, 90 }, { ops.PlaceOrder.sent, ops.GetOrder.sent, ops.Logout.sent })
    assert.truthy(out:find("    failed at Login: check_failed 10\n", 1, true), out)
  end)

  it("counts tokens the mock expired early as flows failed at the step it refused", function()
    local mock = t.start_mock("--threads 2 --sessions --session-expire-after 1")
    finally(function() mock.stop() end)
    local code, out, err, doc = run_example(mock, "-R 50 -d 1s --workers 2")
    assert.are.equal(1, code, out .. err)
    local f, s = doc.flows[1], mock.stats().sessions
    assert.are.same({ 50, 0, 50 }, { f.scheduled, f.completed, f.failed })
    -- the token's one call is PlaceOrder; GetOrder is refused with the Fault "invalid session"
    assert.are.same({ soap_fault = s.refused }, f.steps[3].failed)
    assert.are.same({ 50, 50, 0, 50 }, { s.logins, s.calls, s.logouts, s.refused })
    assert.truthy(out:find("invalid session", 1, true), out)
    assert.are.equal(0, ops_by_name(doc).Logout.scheduled)
  end)

  it("sends a failed step again as a new request with retry = {max, on}, counted apart", function()
    local mock = t.start_mock("--threads 2 --sessions --session-refuse-login 2")
    finally(function() mock.stop() end)
    local script = t.script(("dofile(%q)\n"):format(example) ..
      'soapload.flows[1].steps[1].retry = {max = 1, on = {"check_failed"}}\n')
    local json = t.tmpname(".json")
    local code, out, err = t.run(("--url %s -R 50 -d 1s --workers 2 --json %s %s")
      :format(mock.url, json, script))
    local doc = t.json.decode(t.read(json))
    os.remove(json)
    os.remove(script)
    local f, s = doc.flows[1], mock.stats().sessions
    local login = ops_by_name(doc).Login
    -- every other login is refused, each retried once; a retry is itself refused only when
    -- another flow's login took the turn between (logins overlapping on a busy machine): that
    -- flow fails at Login, check_failed, and every count below says so exactly
    local failed = 50 - s.logins
    assert.is_true(s.logins >= 40, out .. err)
    assert.are.equal(login.sent, s.logins + s.logins_refused)
    assert.are.equal(failed, f.steps[1].failed.check_failed or 0)
    assert.are.equal(s.logins_refused, f.steps[1].retried + failed)
    assert.are.equal(login.results.check_failed, s.logins_refused)
    assert.are.same({ 50, s.logins, s.logouts, failed },
      { f.scheduled, f.completed, f.completed, f.failed })
    assert.is_true(f.steps[1].retried >= 25, out)
    assert.truthy(out:find(("    retried at Login: %d (each a request of its own)\n")
      :format(f.steps[1].retried), 1, true), out)
    assert.are.equal(1, code) -- the refused logins are failed requests, though no flow failed
  end)

  it("traces each request's flow, flow number, step and retry; --reconcile reads it, old or new",
    function()
    local ids, trace = t.tmpname(".ids"), t.tmpname(".csv")
    local mock = t.start_mock("--threads 2 --sessions --session-refuse-login 2 --id-log " ..
      t.quote(ids))
    local script = t.script(("dofile(%q)\n"):format(example) ..
      'soapload.flows[1].steps[1].retry = {max = 1, on = {"check_failed"}}\n')
    finally(function() mock.stop(); os.remove(ids); os.remove(trace); os.remove(script) end)
    local json = t.tmpname(".json")
    local code, out, err = t.run(("--url %s -R 50 -d 1s --workers 2 --json %s --trace %s %s")
      :format(mock.url, json, t.quote(trace), script))
    local doc = t.json.decode(t.read(json))
    os.remove(json)
    assert.are.equal(1, code, out .. err) -- the refused logins
    local f, s = doc.flows[1], mock.stats().sessions
    mock.stop() -- flushes the ID log
    local fh = assert(io.open(trace))
    assert.are.equal("id,worker_pid,local_port,due,sent,first_byte,done,status,operation,conn," ..
      "stream,outcome,flow,flow_number,step,retry", fh:read("l"))
    local ops = { "Login", "PlaceOrder", "GetOrder", "Logout" }
    local flows, by_step, retries, v1 = {}, { 0, 0, 0, 0 }, 0, {}
    for line in fh:lines() do
      local head, pid, op, outcome, flow, number, step, retry = line:match(
        "^(P(%d+)%-R%d+,.*,(%a+),%d+,%d+,([%a_]+)),(%a+),(%d+),(%d),(%d)$")
      assert.truthy(head, line)
      step, retry = tonumber(step), tonumber(retry)
      assert.are.equal("order", flow)
      assert.are.equal(ops[step], op, line) -- the step's own operation
      -- a flow's requests come step after step; a retry follows the refused login it repeats
      local key = pid .. "/" .. number
      local prev = flows[key] or { step = 0, retry = 0 }
      assert.truthy(step == prev.step + 1 and retry == 0 or step == prev.step and retry == prev.retry + 1,
        line)
      assert.truthy(retry == 0 or outcome == "ok" or outcome == "check_failed", line)
      flows[key] = { step = step, retry = retry }
      by_step[step] = by_step[step] + 1
      retries = retries + retry
      v1[#v1 + 1] = head
    end
    fh:close()
    -- every flow completed, but one whose retried login was refused again (see above)
    local n, done = 0, 0
    for _, last in pairs(flows) do
      n = n + 1
      assert.truthy(last.step == 4 or last.step == 1 and last.retry == 1, last.step)
      if last.step == 4 then done = done + 1 end
    end
    assert.are.same({ 50, f.completed, s.logins }, { n, done, done })
    assert.are.equal(f.steps[1].retried, retries)
    assert.are.same({ s.logins + s.logins_refused, s.calls_by_operation.PlaceOrder,
      s.calls_by_operation.GetOrder, s.logouts }, by_step)
    -- --reconcile: the IDs the mock received are those the trace sent, with or without the
    -- flow columns (a trace written before flows)
    local old = t.tmpname(".csv")
    t.write(old, "id,worker_pid,local_port,due,sent,first_byte,done,status,operation,conn," ..
      "stream,outcome\n" .. table.concat(v1, "\n") .. "\n")
    local sent = by_step[1] + by_step[2] + by_step[3] + by_step[4]
    for _, path in ipairs({ trace, old }) do
      local rcode, rec = t.run(("--reconcile %s %s"):format(t.quote(path), t.quote(ids)))
      assert.truthy(rec:find("unknown     0\n", 1, true), rec)
      assert.truthy(rec:find("sent        " .. sent .. "\n", 1, true), rec)
      assert.truthy(rec:find("received    " .. sent .. "\n", 1, true), rec)
      assert.are.equal(0, rcode, rec)
    end
    os.remove(old)
  end)
end)

describe("soapload.flows", function()
  local function think_script(think)
    return t.script(([[
soapload.rate = 20
soapload.duration = "1s"
local function echo(id) return soapload.envelope(soapload.echo(id)) end
soapload.flows = {{name = "slow", steps = {
  {name = "First", request = function(id, seq, vars) vars.n = 1; return echo(id) end},
  {name = "Second", think = %q, request = function(id, seq, vars)
    assert(vars.n == 1, "the flow's variables are gone")
    return echo(id) end},
}}}
]]):format(think))
  end

  it("lets flows under way finish in the grace period, else counts them interrupted at their step",
    function()
      local mock = t.start_mock("--threads 1")
      finally(function() mock.stop() end)
      local script = think_script("1500ms")
      local json = t.tmpname(".json")
      local code, out, err = t.run(("--url %s --grace 0 --json %s %s"):format(mock.url, json, script))
      local f = t.json.decode(t.read(json)).flows[1]
      assert.are.equal(1, code, out .. err)
      assert.are.same({ 20, 0, 0, 20 }, { f.scheduled, f.completed, f.failed, f.interrupted })
      assert.are.equal(20, f.steps[2].interrupted)
      assert.truthy(out:find("    interrupted at Second: 20\n", 1, true), out)
      assert.are.equal(20, mock.stats().requests.echo) -- no Second was sent
      mock.reset()
      code, out, err = t.run(("--url %s --grace 3s --json %s %s"):format(mock.url, json, script))
      f = t.json.decode(t.read(json)).flows[1]
      os.remove(json)
      os.remove(script)
      assert.are.equal(0, code, out .. err)
      assert.are.same({ 20, 20, 0 }, { f.scheduled, f.completed, f.interrupted })
      assert.is_true(f.duration_us.p50 >= 1500000)
      assert.are.equal(40, mock.stats().requests.echo)
    end)

  it("counts the flows under way at Ctrl-C as interrupted at their step (exit 130)", function()
    local mock = t.start_mock("--threads 1")
    finally(function() mock.stop() end)
    local script = think_script("1500ms")
    local json = t.tmpname(".json")
    local run = t.spawn(("-q --url %s -d 5s --json %s %s"):format(mock.url, json, script))
    -- the signal once 5 flows have sent First (0.25 s into the run; a busy machine may take
    -- longer to start it), well before the first Second is due at 1.5 s
    for _ = 1, 200 do
      if mock.stats().requests.echo >= 5 then break end
      t.sleep(0.05)
    end
    os.execute("kill -INT " .. run.pid)
    local code, out, err = run.wait(30)
    local f = t.json.decode(t.read(json)).flows[1]
    os.remove(json)
    os.remove(script)
    assert.are.equal(130, code, out .. err)
    -- every flow that started sent First and waits for Second: interrupted there, none lost
    local first = mock.stats().requests.echo
    assert.is_true(first >= 5, out)
    -- (a start due at the very instant of the signal and not yet made is "not started")
    assert.are.same({ first + f.not_started, 0, 0, first },
      { f.scheduled, f.completed, f.failed, f.interrupted })
    assert.is_true(f.not_started <= 1)
    -- at Second, but a First still out at the signal, cancelled: at First (the mock counted it)
    assert.are.equal(first, f.steps[1].interrupted + f.steps[2].interrupted)
    assert.is_true(f.steps[1].interrupted <= 1, out)
  end)

  it("says so when a killed worker took its flows' results with it (exit 4)", function()
    local mock = t.start_mock("--threads 1 --sessions")
    finally(function() mock.stop() end)
    local run = t.spawn(("--url %s -R 50 -d 2s --workers 2 %s"):format(mock.url, t.quote(example)))
    t.sleep(1)
    local victim = run.workers()[1]
    assert.truthy(victim)
    os.execute("kill -KILL " .. victim)
    local code, out, err = run.wait(30)
    assert.are.equal(4, code, out .. err)
    assert.truthy(out:find("ACCOUNTING ERROR: a worker died before it reported its flows' results",
      1, true), out)
    -- the requests' equation still holds over both workers, the dead one's included
    local n, a, b, c, d = out:match("scheduled%s+(%d+) = sent (%d+) %+ not sent (%d+) %+ " ..
      "failed before send (%d+) %+ script errors before send (%d+)")
    assert.truthy(n, out)
    assert.are.equal(tonumber(n), a + b + c + d)
    local per = 0
    for k in out:gmatch("Worker %d+%s+pid %d+: scheduled (%d+)") do per = per + tonumber(k) end
    assert.are.equal(tonumber(n), per)
    assert.truthy(out:find("DIED (signal 9)", 1, true), out)
  end)

  it("runs single operations beside flows, each as a flow of one step, in one exact mix", function()
    local mock = t.start_mock("--threads 1")
    finally(function() mock.stop() end)
    local script = t.script([[
local function echo(id) return soapload.envelope(soapload.echo(id)) end
soapload.flows = {{name = "two", steps = {{name = "A", request = echo}, {name = "B", request = echo}}}}
soapload.operations = {{name = "Ping", weight = 3, request = echo}}
]])
    local json = t.tmpname(".json")
    local code, out, err = t.run(("--url %s -R 40 -d 1s --json %s %s"):format(mock.url, json, script))
    local doc = t.json.decode(t.read(json))
    os.remove(json)
    os.remove(script)
    assert.are.equal(0, code, out .. err)
    local rows = {}
    for _, f in ipairs(doc.flows) do rows[f.name] = { f.weight, f.scheduled, f.completed } end
    assert.are.same({ two = { 1, 10, 10 }, Ping = { 3, 30, 30 } }, rows)
    local ops = ops_by_name(doc)
    assert.are.same({ 10, 10, 30 }, { ops.A.ok, ops.B.ok, ops.Ping.ok })
    assert.are.equal(50, mock.stats().requests.echo)
  end)

  it("starts flows along stages, their steps on a --send-window grid", function()
    local mock = t.start_mock("--threads 1")
    finally(function() mock.stop() end)
    local script = t.script([[
local function echo(id) return soapload.envelope(soapload.echo(id)) end
soapload.stages = {{duration = "1s", target = 100}, {duration = "1s", target = 100}}
soapload.flows = {{name = "two", steps = {{name = "A", request = echo},
  {name = "B", think = "5ms", request = echo}}}}
]])
    local json = t.tmpname(".json")
    local code, out, err = t.run(("--url %s --send-window 5ms --json %s %s")
      :format(mock.url, json, script))
    local doc = t.json.decode(t.read(json))
    os.remove(json)
    os.remove(script)
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Model           open: 0 -> 100 flow starts/s over 1 s, then 100 flow " ..
      "starts/s for 1 s (2.00 s, mean 75.0 flow starts/s)", 1, true), out)
    local f = doc.flows[1]
    assert.are.same({ 150, 150 }, { f.scheduled, f.completed }) -- 50 + 100 starts
    assert.are.equal(300, mock.stats().requests.echo)
  end)

  it("shows a flow's steps in order with --dry-run", function()
    local code, out, err = t.run("--dry-run 5 " .. t.quote(example))
    assert.are.equal(0, code, out .. err)
    local steps = {}
    for n, op in out:gmatch("flow order, step (%d) of 4 [^\n]*\noperation (%w+)") do
      steps[#steps + 1] = n .. op
    end
    assert.are.same({ "1Login", "2PlaceOrder", "3GetOrder", "4Logout", "1Login" }, steps)
  end)

  it("refuses what it cannot run, naming it (exit 2)", function()
    local cases = {
      { "soapload.flows = {{name = 'a', steps = {{name = 'A', request = function() end}}}}\n" ..
        "soapload.operations = {{name = 'B', weight = 1, think = 1, request = function() end}}",
        "soapload.operations[1]: unknown field think" },
      { "soapload.flows = {{name = 'a', steps = {{name = 'A', request = function() end}}},\n" ..
        "  {name = 'b', steps = {{name = 'A', request = function() end}}}}",
        "soapload.flows[2] (b).steps[1] (A): the step name A is used twice" },
      { "soapload.flows = {{name = 'a', steps = {{name = 'A', requets = function() end}}}}",
        "unknown field requets" },
      { "soapload.flows = {{name = 'a', steps = {{name = 'A', request = function() end}}}}\n" ..
        "soapload.thresholds = {'flow_failure_rate{flow=b} < 1%'}",
        "threshold 'flow_failure_rate{flow=b} < 1%' names flow 'b', which the script does not " ..
        "define (flows: a)" },
      { "soapload.flows = {{name = 'a', steps = {{name = 'A', request = function() end}}}}\n" ..
        "soapload.thresholds = {'flow_failure_rate < 1%'}", "flow_failure_rate is a flow's: name it" },
      { "soapload.flows = {{name = 'a', steps = {{name = 'A', times = 0, request = function() end}}}}",
        "times must be a whole number" },
      { "soapload.flows = {{name = 'a', steps = {{name = 'A', request = function() end,\n" ..
        "  retry = {max = 2, on = {'sop_fault'}}}}}}",
        "soapload.flows[1] (a).steps[1] (A): retry.on: \"sop_fault\" is not a kind of failure" },
      { "soapload.flows = {{name = 'a', steps = {{name = 'A', request = function() end}}}}\n" ..
        "soapload.model = 'closed'\nsoapload.think = '1ms'",
        "soapload.think with soapload.flows: a flow's steps have think times of their own" },
      { "soapload.flows = {{name = 'a', cookies = 'yes', steps = {{name = 'A', request = " ..
        "function() end}}}}", "soapload.flows[1] (a): cookies must be true or false, not a string" },
      { "soapload.cookies = 1\nsoapload.flows = {{name = 'a', steps = {{name = 'A', request = " ..
        "function() end}}}}", "soapload.cookies must be true or false, not a number" },
      { "soapload.cookies = true", "soapload.cookies keeps cookies per flow: it needs soapload.flows" },
    }
    for _, c in ipairs(cases) do
      local rate = c[1]:find("closed", 1, true) and "" or "soapload.rate = 1\n"
      local script = t.script("soapload.url = 'http://127.0.0.1:9/'\n" .. rate .. c[1])
      local code, out, err = t.run("-d 1s " .. script)
      os.remove(script)
      assert.are.equal(2, code, c[1] .. "\n" .. out .. err)
      assert.truthy(err:find(c[2], 1, true), err)
    end
  end)
end)

describe("soapload.flows in the closed model", function()
  it("runs virtual users through the session example in a loop; the mock agrees", function()
    local mock = t.start_mock("--threads 2 --sessions")
    finally(function() mock.stop() end)
    local code, out, err, doc = run_example(mock, "--closed -c 4 -d 1s --workers 2")
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Model           closed: 4 virtual users, each running flows in a loop",
      1, true), out)
    local f, s = doc.flows[1], mock.stats().sessions
    assert.is_true(f.completed > 20, out)
    assert.are.same({ f.completed, 0, 0, 0 }, { f.scheduled, f.failed, f.interrupted, f.not_started })
    assert.are.same({ f.completed, f.completed, 0, 2 * f.completed, 0 },
      { s.logins, s.logouts, s.active, s.calls, s.refused })
    assert.are.equal(4 * f.completed, doc.summary.sent)
    t.invariants(out)
  end)

  it("keeps a user's token across its flows and logs in again after an expiry Fault", function()
    local mock = t.start_mock("--threads 2 --sessions --session-expire-after 3")
    finally(function() mock.stop() end)
    local script = t.script([[
local S = "urn:soapload:session"
local function body(op, id) return '<o:' .. op .. ' xmlns:o="urn:orders"><o:RequestId>' .. id ..
  '</o:RequestId></o:' .. op .. '>' end
soapload.flows = {{name = "keep", steps = {
  {name = "Login", when = function(v) return v.token == nil end,
   request = function(id, seq, v)
     return soapload.envelope('<s:Login xmlns:s="' .. S .. '"><s:User>u</s:User>' ..
       '<s:Password>p</s:Password><s:RequestId>' .. id .. '</s:RequestId></s:Login>')
   end,
   response = function(status, headers, b, id, fault, v)
     v.token = soapload.xpath(b, "string(//s:Token)", {s = S})
     return v.token ~= nil and v.token ~= ""
   end},
  {name = "GetOrder", think = "2ms",
   request = function(id, seq, v)
     return soapload.envelope(body("GetOrder", id), {header = '<t:Token xmlns:t="' .. S .. '">' ..
       v.token .. '</t:Token>'})
   end,
   response = function(status, headers, b, id, fault, v)
     if fault then v.token = nil; return false, "session expired: " .. fault.reason end
     return true
   end},
}}}
]])
    local json = t.tmpname(".json")
    local code, out, err = t.run(("--url %s --closed -c 2 -d 1s --workers 1 --json %s %s")
      :format(mock.url, json, script))
    local doc = t.json.decode(t.read(json))
    os.remove(json)
    os.remove(script)
    assert.are.equal(1, code, out .. err)
    local f, s = doc.flows[1], mock.stats().sessions
    local ops = ops_by_name(doc)
    -- every flow is accounted for, every failure is the mock's refusal at GetOrder
    assert.are.same({ f.scheduled, 0, 0 }, { f.completed + f.failed, f.interrupted, f.not_started })
    assert.are.same({ check_failed = s.refused }, f.steps[2].failed)
    assert.are.equal(s.logins, ops.Login.results.ok)
    assert.are.equal(s.calls, ops.GetOrder.results.ok)
    assert.are.equal(s.calls, f.completed)
    -- a token serves 3 calls: a login per 4 flows, the last ones of each user maybe unexpired
    assert.is_true(s.logins >= 10, out)
    assert.is_true(s.logins - s.refused >= 0 and s.logins - s.refused <= 2)
    assert.is_true(s.calls <= 3 * s.logins and s.calls >= 3 * s.refused)
    assert.are.equal(f.scheduled, ops.GetOrder.scheduled)
  end)
end)

-- The session example with the token left out of every call after Login: only the cookie the
-- mock's Login sets (SLSESSION) carries the session.
local cookie_script = [[
local S = "urn:soapload:session"
local function call(op, id) return soapload.envelope('<o:' .. op .. ' xmlns:o="urn:orders">' ..
  '<o:RequestId>' .. id .. '</o:RequestId></o:' .. op .. '>') end
soapload.flows = {{name = "order", steps = {
  {name = "Login", request = function(id)
     return soapload.envelope('<s:Login xmlns:s="' .. S .. '"><s:User>u</s:User>' ..
       '<s:Password>p</s:Password><s:RequestId>' .. id .. '</s:RequestId></s:Login>')
   end},
  {name = "PlaceOrder", request = function(id) return call("PlaceOrder", id) end},
  {name = "GetOrder", think = "5ms", request = function(id) return call("GetOrder", id) end},
  {name = "Logout", request = function(id)
     return soapload.envelope('<s:Logout xmlns:s="' .. S .. '"><s:RequestId>' .. id ..
       '</s:RequestId></s:Logout>')
   end},
}}}
]]

describe("soapload.cookies", function()
  it("sends a flow's cookies on its later steps, and only its own: the mock's sessions agree",
    function()
    local function run(extra, args)
      local mock = t.start_mock("--threads 2 --sessions")
      finally(function() mock.stop() end)
      local script = t.script(cookie_script .. extra)
      local json = t.tmpname(".json")
      local code, out, err = t.run(("--url %s %s --workers 2 --json %s %s")
        :format(mock.url, args, json, script))
      local doc = t.json.decode(t.read(json))
      os.remove(json)
      os.remove(script)
      local s = mock.stats().sessions
      mock.stop()
      return code, out .. err, doc.flows[1], s
    end
    -- without cookies: every flow fails at PlaceOrder, refused for want of a token
    local code, out, f, s = run("", "-R 50 -d 1s")
    assert.are.equal(1, code, out)
    assert.are.same({ 50, 0, 50 }, { f.scheduled, f.completed, f.failed })
    assert.are.same({ 50, 50, 0, 0 }, { s.logins, s.refused, s.calls, s.by_cookie })
    -- soapload.cookies = true: 50 sessions, each with its own cookie (a flow given another's
    -- token would still pass; the mock counts each call against the session it names, and
    -- every session is logged out exactly once: a Logout with another's token is refused)
    code, out, f, s = run("soapload.cookies = true\n", "-R 50 -d 1s")
    assert.are.equal(0, code, out)
    assert.are.same({ 50, 50, 0 }, { f.scheduled, f.completed, f.failed })
    assert.are.same({ logins = 50, logins_refused = 0, logouts = 50, active = 0, calls = 100,
      refused = 0, by_cookie = 150, calls_by_operation = { PlaceOrder = 50, GetOrder = 50 } }, s)
    -- per flow: the same with cookies = true on the flow
    code, out, f, s = run("soapload.flows[1].cookies = true\n", "-R 20 -d 1s")
    assert.are.equal(0, code, out)
    assert.are.same({ 20, 20, 60, 0 }, { f.completed, s.logouts, s.by_cookie, s.refused })
    -- the closed model: each virtual user keeps its jar from one flow to the next
    code, out, f, s = run("soapload.cookies = true\n", "--closed -c 4 -d 1s")
    assert.are.equal(0, code, out)
    assert.are.same({ f.completed, f.completed, 0, 0 },
      { s.logins, s.logouts, s.refused, s.active })
    assert.are.equal(3 * f.completed, s.by_cookie)
    assert.is_true(f.completed >= 4, out)
  end)
end)
