-- Operations: soapload.operations with weights gives an exact mix (70/25/5 of 2,000 requests is
-- 1,400/500/100 in the summary, the JSON and the trace, and the mock served their sum); the
-- per-operation counts and histograms add up to the totals; each operation's SOAPAction, path
-- and headers reach the server; thresholds per operation; a response hook that declares a
-- Fault expected (ok or expected_fault, checked against the mock's fault_injected); merge adds
-- per-operation results exactly.
local t = require("support")

-- A scenario of three operations; `extra` is Lua put at the end (a response hook, say).
local function orders(extra, weights)
  weights = weights or { 70, 25, 5 }
  return t.script(([[
local function body(op, id)
  return soapload.envelope("<m:" .. op .. " xmlns:m=\"urn:orders\"><m:RequestId>" ..
    soapload.escape(id) .. "</m:RequestId></m:" .. op .. ">")
end
soapload.operations = {
  {name = "GetOrder", weight = %s, soap_action = "urn:orders#GetOrder",
   request = function(id) return body("GetOrder", id) end},
  {name = "PlaceOrder", weight = %s, soap_action = "urn:orders#PlaceOrder",
   request = function(id) return body("PlaceOrder", id) end},
  {name = "CancelOrder", weight = %s, soap_action = "urn:orders#CancelOrder",
   request = function(id) return body("CancelOrder", id) end},
}
%s
]]):format(weights[1], weights[2], weights[3], extra or ""))
end

-- The summary's row of an operation: scheduled, sent, ok, expected_fault, failed.
local function row(out, name)
  local s, n, ok, ef, failed = out:match("\n  " .. name ..
    "%s+[%d.]+%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)")
  return { scheduled = tonumber(s), sent = tonumber(n), ok = tonumber(ok),
           expected_fault = tonumber(ef), failed = tonumber(failed) }
end

local function by_name(ops)
  local m = {}
  for _, o in ipairs(ops) do m[o.name] = o end
  return m
end

describe("operations", function()
  local mock = t.shared_mock("--threads 1")
  before_each(function() mock.reset() end)

  it("a 70/25/5 mix of 2,000 requests is exactly 1,400/500/100 in the summary, JSON and " ..
    "trace, adds up to the totals, and the mock served the sum", function()
    local json, trace = t.tmpname(".json"), t.tmpname(".csv")
    local code, out, err = t.run(("--json %s --trace %s -u %s -R 1000 -d 2s -w 2 -c 8 %s")
      :format(json, trace, mock.url, orders()))
    assert.are.equal(0, code, err .. out)
    local want = { GetOrder = 1400, PlaceOrder = 500, CancelOrder = 100 }
    for name, n in pairs(want) do
      local r = row(out, name)
      assert.are.same({ scheduled = n, sent = n, ok = n, expected_fault = 0, failed = 0 }, r)
    end
    assert.is_nil(out:find("ACCOUNTING ERROR", 1, true))
    -- the JSON: counts and histograms per operation, adding up to the totals
    local doc = t.json.decode(t.read(json))
    local ops = by_name(doc.operations)
    local sent, hist_from_due, hist_service = 0, 0, 0
    for name, n in pairs(want) do
      local o = ops[name]
      assert.are.equal(n, o.counts.sent)
      assert.are.equal(n, o.counts.results.ok)
      assert.are.equal(n, o.counts.scheduled)
      assert.are.equal(n, o.latency.from_due.count)
      local in_buckets = 0
      for _, pair in ipairs(o.latency.from_due.histogram.counts) do
        in_buckets = in_buckets + pair[2]
      end
      assert.are.equal(n, in_buckets)
      sent = sent + o.counts.sent
      hist_from_due = hist_from_due + o.latency.from_due.count
      hist_service = hist_service + o.latency.service.count
    end
    assert.are.equal(doc.summary.sent, sent)
    assert.are.equal(doc.latency.from_due.count, hist_from_due)
    assert.are.equal(doc.latency.service.count, hist_service)
    assert.are.equal(70, ops.GetOrder.weight)
    -- the trace: an operation column before the connection, stream and outcome
    local f = assert(io.open(trace))
    assert.are.equal("id,worker_pid,local_port,due,sent,first_byte,done,status,operation,conn," ..
      "stream,outcome,flow,flow_number,step,retry", f:read("l"))
    local seen = {}
    for line in f:lines() do
      local op, outcome = line:match(",([%w_]*),%d*,%d*,([%w_]+),,,,$")
      assert.are.equal("ok", outcome)
      seen[op] = (seen[op] or 0) + 1
    end
    f:close()
    assert.are.same(want, seen)
    -- the server
    local st = mock.stats().requests
    assert.are.equal(2000, st.total)
    assert.are.equal(2000, st.echo)
    os.remove(json)
    os.remove(trace)
  end)

  it("the closed model mixes exactly too: every request is counted under one operation",
    function()
      local json = t.tmpname(".json")
      local code, out, err = t.run(("--json %s -u %s --closed -d 1s -w 2 -c 2 %s")
        :format(json, mock.url, orders()))
      assert.are.equal(0, code, err .. out)
      local doc = t.json.decode(t.read(json))
      local total = 0
      for _, o in ipairs(doc.operations) do total = total + o.counts.sent end
      assert.are.equal(doc.summary.sent, total)
      assert.are.equal(mock.stats().requests.echo, total)
      os.remove(json)
    end)

  it("each operation's SOAPAction, path and headers reach the server", function()
    local bad = t.start_bad_server("action")
    local script = t.script([[
local function check(action, path)
  return function(status, headers, body)
    local got = soapload.xml_text(body, "Action")
    if got ~= '"' .. action .. '"' then return false, "action " .. tostring(got) end
    if soapload.xml_text(body, "Path") ~= path then
      return false, "path " .. tostring(soapload.xml_text(body, "Path"))
    end
    return true
  end
end
soapload.operations = {
  {name = "A", weight = 1, soap_action = "urn:x#A",
   request = function(id) return soapload.envelope("<A/>"), {id = false} end,
   response = check("urn:x#A", "/soap/endpoint")},
  {name = "B", weight = 1, soap_action = "urn:x#B", path = "/orders?b=1",
   request = function(id) return soapload.envelope("<B/>"), {id = false} end,
   response = check("urn:x#B", "/orders?b=1")},
  {name = "C", weight = 1, headers = {SOAPAction = '"urn:x#C-by-header"'},
   request = function(id) return soapload.envelope("<C/>"), {id = false} end,
   response = check("urn:x#C-by-header", "/soap/endpoint")},
}
]])
    -- the closed model on one connection: the fixture answers one request at a time
    local code, out, err = t.run(("-u %s --closed -d 1s -w 1 -c 1 %s"):format(bad.url, script))
    local served = tonumber(select(3, t.http(bad.port, "GET", "/processed")))
    bad.stop()
    assert.are.equal(0, code, err .. out)
    local sent = 0
    for _, name in ipairs({ "A", "B", "C" }) do
      local r = row(out, name)
      assert.is_true(r.sent > 0, name)
      assert.are.same({ scheduled = r.sent, sent = r.sent, ok = r.sent, expected_fault = 0,
                        failed = 0 }, r)
      sent = sent + r.sent
    end
    assert.are.equal(served, sent)
  end)

  it("thresholds name an operation: exit 0 when they hold, 3 when one fails, 2 for an " ..
    "unknown operation", function()
    local s = orders()
    local code, out, err = t.run(("-u %s -R 200 -d 1s -w 1 --threshold " ..
      "'p99{op=PlaceOrder} < 5s' --threshold 'error_rate{op=CancelOrder} < 1%%' %s")
      :format(mock.url, s))
    assert.are.equal(0, code, err .. out)
    assert.truthy(out:find("pass p99{op=PlaceOrder} < 5s", 1, true))
    code, out, err = t.run(("-u %s -R 200 -d 1s -w 1 --threshold 'p99{op=PlaceOrder} < 1us' %s")
      :format(mock.url, s))
    assert.are.equal(3, code, err .. out)
    assert.truthy(out:find("FAIL p99{op=PlaceOrder} < 1us", 1, true))
    local before = mock.stats().requests.total
    code, out, err = t.run(("-u %s -R 200 -d 1s --threshold 'p99{op=Nope} < 5s' %s")
      :format(mock.url, s))
    assert.are.equal(2, code, out)
    assert.truthy(err:find("names operation 'Nope', which the script does not define " ..
      "(operations: GetOrder PlaceOrder CancelOrder)", 1, true), err)
    assert.are.equal(before, mock.stats().requests.total) -- nothing sent
  end)

  it("refuses bad operations with exit 2 and a message naming them", function()
    local cases = {
      { "{{name = 'A', weight = 1, request = function() end}, {name = 'A', weight = 1, " ..
        "request = function() end}}", "the name A is used twice" },
      { "{{name = 'A', weight = -1, request = function() end}}", "weight must be a number >= 0" },
      { "{{name = 'A', weight = 0, request = function() end}}", "" },
      { "{{name = 'A', weight = 1}}", "request must be a function" },
      { "{{name = 'A', weight = 1, request = function() end, soapaction = 'x'}}",
        "unknown field soapaction" },
      { "{}", "soapload.operations is empty" },
    }
    for _, c in ipairs(cases) do
      local code, _, err = t.run(("-u %s -R 10 -d 1s %s"):format(mock.url,
        t.script("soapload.operations = " .. c[1])))
      assert.are.equal(2, code, c[1])
      assert.truthy(err:find(c[2], 1, true), err)
    end
    assert.are.equal(0, mock.stats().requests.total)
  end)

  describe("a response hook sees Faults", function()
    local faulty = t.shared_mock("--threads 1 --fault-rate 0.3")
    before_each(function() faulty.reset() end)

    local hook = [[
soapload.operations[3].response = function(status, headers, body, id, fault)
  if fault == nil then return true end
  if fault.code:match("Server$") and fault.reason:find("injected") then return %s end
  return false, "unexpected fault " .. fault.code
end
]]

    it("returning \"expected_fault\" counts it as expected_fault, a success; the mock's " ..
      "fault_injected equals soapload's soap_fault + expected_fault", function()
      local json = t.tmpname(".json")
      local code, out, err = t.run(("--json %s -u %s -R 500 -d 2s -w 2 %s"):format(json,
        faulty.url, orders(hook:format('"expected_fault"'))))
      assert.are.equal(1, code, err) -- the other operations' faults still fail
      local doc = t.json.decode(t.read(json))
      local ops = by_name(doc.operations)
      local cancel = ops.CancelOrder.counts
      assert.are.equal(50, cancel.scheduled, out)
      assert.is_true(cancel.results.expected_fault > 0)
      assert.are.equal(0, cancel.results.soap_fault)
      assert.are.equal(0, cancel.failed)
      assert.are.equal(cancel.sent, cancel.results.ok + cancel.results.expected_fault)
      local r = row(out, "CancelOrder")
      assert.are.equal(cancel.results.expected_fault, r.expected_fault)
      assert.are.equal(doc.summary.results.expected_fault, cancel.results.expected_fault)
      local st = faulty.stats().requests
      assert.are.equal(st.fault_injected,
        doc.summary.results.soap_fault + doc.summary.results.expected_fault)
      assert.are.equal(st.echo, doc.summary.results.ok)
      assert.truthy(out:find(("  sent          %d = ok %d + expected_fault %d + failed %d + " ..
        "cancelled 0"):format(doc.summary.sent, doc.summary.results.ok,
        doc.summary.results.expected_fault, doc.summary.failed), 1, true), out)
      os.remove(json)
    end)

    it("returning true counts the Fault as ok; without a hook a Fault stays soap_fault",
      function()
        local json = t.tmpname(".json")
        local code, out, err = t.run(("--json %s -u %s -R 500 -d 2s -w 2 %s"):format(json,
          faulty.url, orders(hook:format("true"), { 0, 0, 1 })))
        assert.are.equal(0, code, err .. out)
        local doc = t.json.decode(t.read(json))
        local st = faulty.stats().requests
        assert.is_true(st.fault_injected > 0)
        assert.are.equal(1000, doc.summary.results.ok)
        assert.are.equal(st.fault_injected + st.echo, doc.summary.results.ok)
        faulty.reset()
        code, out, err = t.run(("--json %s -u %s -R 500 -d 2s -w 2 %s"):format(json,
          faulty.url, orders()))
        assert.are.equal(1, code, err)
        doc = t.json.decode(t.read(json))
        st = faulty.stats().requests
        assert.are.equal(st.fault_injected, doc.summary.results.soap_fault)
        assert.are.equal(0, doc.summary.results.expected_fault)
        os.remove(json)
      end)

    it("a hook of four parameters is not called for Faults: they stay soap_fault", function()
      local json = t.tmpname(".json")
      local code, _, err = t.run(("--json %s -u %s -R 500 -d 1s -w 1 %s"):format(json,
        faulty.url, orders([[
soapload.operations[1].response = function(status, headers, body, id) return true end
]], { 1, 0, 0 })))
      assert.are.equal(1, code, err)
      local doc = t.json.decode(t.read(json))
      local st = faulty.stats().requests
      assert.is_true(st.fault_injected > 0)
      assert.are.equal(st.fault_injected, doc.summary.results.soap_fault)
      assert.are.equal(st.echo, doc.summary.results.ok)
      os.remove(json)
    end)

    it("\"expected_fault\" for a response without a Fault is a failed check", function()
      local code, out = t.run(("-u %s -R 100 -d 1s -w 1 %s"):format(mock.url, orders([[
soapload.operations[1].response = function() return "expected_fault" end
]])))
      assert.are.equal(1, code)
      assert.truthy(out:find("returned \"expected_fault\" for a response without a SOAP Fault",
        1, true), out)
    end)
  end)

  it("--dry-run shows each request's operation, its SOAPAction, in the mix's order", function()
    local code, out, err = t.run(("--dry-run 4 -u %s -R 10 %s"):format(mock.url, orders()))
    assert.are.equal(0, code, err)
    local seen = {}
    for op, action in out:gmatch("operation (%w+)\n.-SOAPAction: \"urn:orders#(%w+)\"") do
      assert.are.equal(op, action)
      seen[#seen + 1] = op
    end
    assert.are.same({ "GetOrder", "PlaceOrder", "GetOrder", "GetOrder" }, seen)
    assert.are.equal(0, mock.stats().requests.total)
  end)

  it("merge adds per-operation results exactly", function()
    local files = { t.tmpname(".json"), t.tmpname(".json") }
    for _, f in ipairs(files) do
      local code, _, err = t.run(("-q --json %s -u %s -R 500 -d 1s -w 2 %s")
        :format(f, mock.url, orders()))
      assert.are.equal(0, code, err)
    end
    local merged = t.tmpname(".json")
    local code, out, err = t.run(("merge --allow-gaps %s %s --json %s " ..
      "--threshold 'p99{op=GetOrder} < 5s'")
      :format(files[1], files[2], merged))
    assert.are.equal(0, code, err .. out)
    local a = by_name(t.json.decode(t.read(files[1])).operations)
    local b = by_name(t.json.decode(t.read(files[2])).operations)
    local m = by_name(t.json.decode(t.read(merged)).operations)
    for _, name in ipairs({ "GetOrder", "PlaceOrder", "CancelOrder" }) do
      assert.are.equal(a[name].counts.sent + b[name].counts.sent, m[name].counts.sent)
      assert.are.equal(a[name].latency.from_due.count + b[name].latency.from_due.count,
        m[name].latency.from_due.count)
      local buckets = {}
      for _, h in ipairs({ a[name], b[name] }) do
        for _, pair in ipairs(h.latency.service.histogram.counts) do
          buckets[pair[1]] = (buckets[pair[1]] or 0) + pair[2]
        end
      end
      local got = {}
      for _, pair in ipairs(m[name].latency.service.histogram.counts) do got[pair[1]] = pair[2] end
      assert.are.same(buckets, got)
    end
    assert.are.equal(1000, m.GetOrder.counts.sent + m.PlaceOrder.counts.sent +
      m.CancelOrder.counts.sent)
    assert.are.equal(700, m.GetOrder.counts.sent)
    code, _, err = t.run(("merge %s --threshold 'p99{op=Nope} < 5s'"):format(files[1]))
    assert.are.equal(2, code)
    assert.truthy(err:find("names operation 'Nope'", 1, true), err)
    for _, f in ipairs({ files[1], files[2], merged }) do os.remove(f) end
  end)
end)
