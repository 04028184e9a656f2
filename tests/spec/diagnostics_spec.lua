-- Failure diagnostics: reasons per operation, each with the first response it came with (cut
-- to 2 KB), in the summary, the JSON and the HTML report; their counts equal what the server
-- did (the mock's /stats, the bad server's count) and add up per operation and kind; merge
-- adds them; the HTML report draws each operation's latency over time (op_intervals).
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

-- Two operations: PlaceOrder carries Quantity 0 (the mock's --fault-when faults it), GetOrder
-- is answered but its response hook fails it with a reason full of markup.
local TWO = [[
local function call(op, id, inner)
  return soapload.envelope("<o:" .. op .. ' xmlns:o="urn:orders"><o:RequestId>' ..
    soapload.escape(id) .. "</o:RequestId>" .. (inner or "") .. "</o:" .. op .. ">")
end
soapload.operations = {
  {name = "GetOrder", weight = 1, request = function(id) return call("GetOrder", id) end,
   response = function(status, headers, body, id) return false, "stock <low> & gone" end},
  {name = "PlaceOrder", weight = 1,
   request = function(id) return call("PlaceOrder", id, "<o:Quantity>0</o:Quantity>") end},
}
]]

local FAULT = "soap:Client: fault triggered by Quantity=0 (--fault-when)"

local function by_op_kind(r)
  local m = {}
  for _, x in ipairs(r.failure_reasons.reasons) do m[x.operation .. "/" .. x.kind] = x end
  return m
end

describe("failure diagnostics", function()
  it("count reasons per operation as the mock answered them, keep each one's first response, " ..
    "show it in the summary, JSON and HTML (escaped), draw each operation's latency over " ..
    "time, and merge adds them", function()
    local m = t.start_mock("--fault-when Quantity=0")
    local script = t.script(TWO)
    local json, json2, html, merged = t.tmpname(".json"), t.tmpname(".json"), t.tmpname(".html"),
      t.tmpname(".json")
    finally(function()
      m.stop()
      for _, f in ipairs({ script, json, json2, html, merged }) do os.remove(f) end
    end)
    local code, out = t.run(("-q -w 2 --json %s --html %s -u %s -R 100 -d 1s %s")
      :format(json, html, m.url, script))
    assert.are.equal(1, code, out)
    local stats = m.stats()
    assert.are.equal(50, stats.requests.fault_trigger) -- the mock faulted every PlaceOrder
    assert.are.equal(50, stats.requests.echo)          -- and answered every GetOrder
    local r = t.json.decode(t.read(json))
    assert.are.equal(2, #r.failure_reasons.reasons)
    assert.are.equal(0, r.failure_reasons.other)
    assert.are.equal(2048, r.failure_reasons.sample_bytes)
    local x = by_op_kind(r)
    local f, c = x["PlaceOrder/soap_fault"], x["GetOrder/check_failed"]
    assert.are.equal(stats.requests.fault_trigger, f.count)
    assert.are.equal(FAULT, f.reason)
    assert.are.equal(500, f.sample.status)
    assert.is_false(f.sample.truncated)
    assert.are.equal(#f.sample.body, f.sample.bytes)
    assert.truthy(f.sample.body:find("<faultstring>fault triggered by Quantity=0 (--fault-when)" ..
      "</faultstring>", 1, true), f.sample.body)
    assert.are.equal(stats.requests.echo, c.count)
    assert.are.equal("stock <low> & gone", c.reason)
    assert.are.equal(200, c.sample.status)
    assert.truthy(c.sample.body:find("<e:EchoResponse", 1, true), c.sample.body)
    local sums = t.reasons_invariants(r)
    assert.are.same({ GetOrder = { check_failed = 50 }, PlaceOrder = { soap_fault = 50 } }, sums)
    -- the summary: the reasons with their operation, then the start of each sample
    assert.truthy(out:find("\n  check_failed        50  [GetOrder] stock <low> & gone\n", 1, true),
      out)
    assert.truthy(out:find("\n  soap_fault          50  [PlaceOrder] " .. FAULT .. "\n", 1, true),
      out)
    assert.truthy(out:find("\nFailure samples (the first response of each reason; --json and " ..
      "--html keep 2048 bytes of each)\n", 1, true), out)
    assert.truthy(out:find(("\n  soap_fault [PlaceOrder] %s\n    HTTP 500, %d bytes: <soap:Envelope ")
      :format(FAULT, f.sample.bytes), 1, true), out)
    local shown = out:match("\n    HTTP 500, %d+ bytes: ([^\n]*)\n")
    assert.are.equal(203, #shown) -- 200 bytes of the sample, then "..."
    assert.are.equal("...", shown:sub(-3))
    -- latency over time per operation: every response in a slot, per operation
    local oi = r.op_intervals
    assert.are.equal(1, oi.slot_s)
    assert.are.equal(2, #oi.operations)
    for i, o in ipairs(oi.operations) do
      assert.are.equal(r.operations[i].name, o.name)
      local n = 0
      for _, s in ipairs(o.slots) do
        n = n + s.count
        assert.is_true(s.p50 > 0 and s.p50 <= s.p99, o.name)
        local b = 0
        for k = 2, #s.buckets, 2 do b = b + s.buckets[k] end
        assert.are.equal(s.count, b)
      end
      assert.are.equal(50, n, o.name)
    end
    -- the HTML report: the samples as text (escaped in the markup), the chart's lines
    local dom = t.chromium_dom(html)
    assert.falsy(dom:find("data-error", 1, true))
    local tbl = dom:match('<table id="failure%-reasons">.-</table>')
    assert.truthy(tbl, dom:sub(1, 300))
    assert.truthy(tbl:find("<td>GetOrder</td><td>check_failed</td><td>50</td><td>stock &lt;low&gt; " ..
      "&amp; gone</td>", 1, true), tbl)
    assert.truthy(tbl:find("&lt;faultstring&gt;fault triggered by Quantity=0 (--fault-when)" ..
      "&lt;/faultstring&gt;", 1, true), tbl)
    assert.falsy(tbl:find("<faultstring>", 1, true)) -- text, never markup
    assert.truthy(tbl:find(("<summary>HTTP 500, %d bytes</summary>"):format(f.sample.bytes), 1,
      true), tbl)
    for _, name in ipairs({ "GetOrder p50", "GetOrder p99", "PlaceOrder p50", "PlaceOrder p99" }) do
      assert.truthy(dom:find('data-series="' .. name .. '"', 1, true), name)
    end
    -- merge: a second run's reasons add up, the first run's samples stay
    m.reset()
    code, out = t.run(("-q -w 2 --json %s -u %s -R 100 -d 1s %s"):format(json2, m.url, script))
    assert.are.equal(1, code, out)
    code, out = t.run(("merge --allow-gaps --json %s %s %s"):format(merged, json, json2))
    assert.are.equal(1, code, out)
    local mr = t.json.decode(t.read(merged))
    local mx = by_op_kind(mr)
    assert.are.equal(2, #mr.failure_reasons.reasons)
    assert.are.equal(100, mx["PlaceOrder/soap_fault"].count)
    assert.are.equal(100, mx["GetOrder/check_failed"].count)
    assert.are.same(f.sample, mx["PlaceOrder/soap_fault"].sample)
    assert.are.same(c.sample, mx["GetOrder/check_failed"].sample)
    t.reasons_invariants(mr)
    assert.truthy(out:find("\n  soap_fault         100  [PlaceOrder] " .. FAULT .. "\n", 1, true),
      out)
    for _, o in ipairs(mr.op_intervals.operations) do
      local n = 0
      for _, s in ipairs(o.slots) do n = n + s.count end
      assert.are.equal(100, n, o.name)
    end
    -- compare reads them too
    code, out = t.run(("compare %s %s"):format(json, json2))
    assert.is_true(code == 0 or code == 3, out)
  end)

  it("keep 2 KB of a larger body, cut before a character that would straddle it, and say how " ..
    "large it was", function()
    local srv = t.start_bad_server("big500")
    finally(function() srv.stop() end)
    local json = t.tmpname(".json")
    finally(function() os.remove(json) end)
    local code, out = t.run(("-q -w 1 -c 1 --json %s -u %s -R 20 -d 1s %s")
      :format(json, srv.url, t.script("")))
    assert.are.equal(1, code, out)
    local processed = tonumber(select(3, t.http(srv.port, "GET", "/processed")))
    assert.are.equal(20, processed)
    local r = t.json.decode(t.read(json))
    assert.are.equal(1, #r.failure_reasons.reasons)
    local x = r.failure_reasons.reasons[1]
    assert.are.same({ operation = "", kind = "http_status", count = processed, reason = "HTTP 500" },
      { operation = x.operation, kind = x.kind, count = x.count, reason = x.reason })
    assert.are.same({ status = 500, truncated = true, bytes = 5000 },
      { status = x.sample.status, truncated = x.sample.truncated, bytes = x.sample.bytes })
    assert.are.equal(string.rep("a", 2047), x.sample.body) -- the euro sign would pass 2,048
    t.reasons_invariants(r)
    assert.truthy(out:find("\n    HTTP 500, 5000 bytes in all (truncated): " .. string.rep("a", 200) ..
      "...\n", 1, true), out)
  end)

  it("give kinds that are their own reason a sentence and the response as the sample", function()
    for mode, want in pairs({ wrongid = { "id_mismatch", "the response does not echo the " ..
                                "request's ID", "<e:RequestId>WRONG</e:RequestId>" },
                              notxml = { "malformed", "the response is not well-formed XML",
                                "hello, not xml" } }) do
      local srv = t.start_bad_server(mode)
      finally(function() srv.stop() end)
      local json = t.tmpname(".json")
      finally(function() os.remove(json) end)
      local code, out = t.run(("-q -w 1 -c 1 --json %s -u %s -R 10 -d 1s %s")
        :format(json, srv.url, t.script("")))
      assert.are.equal(1, code, out)
      local processed = tonumber(select(3, t.http(srv.port, "GET", "/processed")))
      local r = t.json.decode(t.read(json))
      assert.are.equal(1, #r.failure_reasons.reasons, mode)
      local x = r.failure_reasons.reasons[1]
      assert.are.same({ want[1], processed, want[2], 200 }, { x.kind, x.count, x.reason,
        x.sample.status })
      assert.truthy(x.sample.body:find(want[3], 1, true), x.sample.body)
      t.reasons_invariants(r)
    end
  end)

  it("keep libcurl's own message as the sample of a transport failure", function()
    local m = t.start_mock("")
    local url, port = m.url, tonumber(m.url:match(":(%d+)/"))
    m.stop() -- nothing listens there now
    local json = t.tmpname(".json")
    finally(function() os.remove(json) end)
    local code, out = t.run(("-q --json %s -u %s -R 20 -d 1s %s"):format(json, url, t.script("")))
    assert.are.equal(1, code, out)
    local r = t.json.decode(t.read(json))
    assert.are.equal(1, #r.failure_reasons.reasons)
    local x = r.failure_reasons.reasons[1]
    assert.are.equal("connect", x.kind)
    assert.are.equal(20, x.count)
    assert.are.equal("Couldn't connect to server", x.reason)
    assert.are.equal(0, x.sample.status)
    assert.truthy(x.sample.body:find(("Failed to connect to 127.0.0.1 port %d"):format(port), 1,
      true), x.sample.body)
    t.reasons_invariants(r)
    assert.truthy(out:find(("\n  connect Couldn't connect to server\n    libcurl: Failed to " ..
      "connect to 127.0.0.1 port %d"):format(port), 1, true), out)
  end)

  it("past 32 distinct reasons, count the rest per operation and kind so that they still add " ..
    "up", function()
    local m = t.start_mock("--fault-when Quantity=0")
    local script = t.script(TWO:gsub('"stock <low> & gone"', '"no good: " .. id'))
    local json = t.tmpname(".json")
    finally(function() m.stop(); os.remove(script); os.remove(json) end)
    local code, out = t.run(("-q -w 2 --json %s -u %s -R 100 -d 1s %s")
      :format(json, m.url, script))
    assert.are.equal(1, code, out)
    local r = t.json.decode(t.read(json))
    assert.are.equal(32, #r.failure_reasons.reasons)
    -- 50 distinct GetOrder reasons and one of PlaceOrder: whatever the parent kept of them, the
    -- rest is counted per operation and kind
    local sums = t.reasons_invariants(r)
    assert.are.same({ GetOrder = { check_failed = 50 },
                      PlaceOrder = { soap_fault = m.stats().requests.fault_trigger } }, sums)
    local kept = {}
    for _, x in ipairs(r.failure_reasons.reasons) do
      kept[x.operation .. "/" .. x.kind] = (kept[x.operation .. "/" .. x.kind] or 0) + x.count
    end
    local want = { ["GetOrder/check_failed"] = 50 - kept["GetOrder/check_failed"] }
    if not kept["PlaceOrder/soap_fault"] then want["PlaceOrder/soap_fault"] = 50 end
    local other = {}
    for _, x in ipairs(r.failure_reasons.other_reasons) do
      other[x.operation .. "/" .. x.kind] = x.count
    end
    assert.are.same(want, other)
    local shown = 0 -- the summary lists the 10 most frequent (the JSON's first 10)
    for i = 1, 10 do shown = shown + r.failure_reasons.reasons[i].count end
    assert.truthy(out:find(("\n  other reasons %8d  (more distinct reasons than the summary lists " ..
      "or the run keeps)\n"):format(100 - shown), 1, true), out)
  end)
end)
