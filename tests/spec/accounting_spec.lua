-- Accounting that matches the server: what soapload calls sent is what reached the server,
-- whatever happens to a worker, to the connection or to the trace file. Loopback only,
-- bounded in time; the counts are checked against soapload-mock's /stats and --id-log, or
-- against the hand-written bad_server.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local default = t.root .. "/scripts/examples/default.lua"

local function lines(path)
  local n, outcomes = 0, {}
  for line in io.lines(path) do
    n = n + 1
    local o = line:match(",([%w_]+),,,,$") -- outcome, then the (empty) flow columns
    if n > 1 and o then outcomes[o] = (outcomes[o] or 0) + 1 end
  end
  return n - 1, outcomes -- without the header
end

describe("accounting", function()
  it("kill -9 of a worker mid-run: sent equals what the mock received, the trace is whole, " ..
    "--reconcile finds nothing unknown and no received request called not_sent", function()
    local ids = t.tmpname(".ids")
    local trace = t.tmpname(".csv")
    local m = t.start_mock("-t 1 --id-log " .. t.quote(ids))
    finally(function() m.stop(); os.remove(ids); os.remove(trace) end)
    local run = t.spawn(("-q -u %s -R 1000 -d 3s -w 2 --trace %s %s")
      :format(m.url, t.quote(trace), default))
    t.sleep(1.6)
    local victim = run.workers()[1]
    os.execute("kill -KILL " .. victim)
    local code, out = run.wait(30)
    local received = math.tointeger(m.stats().requests.total)
    m.stop() -- flushes the ID log
    assert.are.equal(4, code, out)
    local c = t.invariants(out)
    assert.are.equal(3000, c.scheduled)
    assert.are.equal(received, c.sent, out)
    assert.truthy(out:find("pid " .. victim .. ": scheduled 1500, sent %d+, ok %d+, IDs R1%.%.R[1-9]%d* " ..
      "%- DIED %(signal 9%)"), out)
    local n, outcomes = lines(trace)
    assert.are.equal(3000, n)
    assert.are.equal(c.not_sent, outcomes.not_sent or 0)
    local rcode, rec = t.run(("--reconcile %s %s"):format(t.quote(trace), t.quote(ids)))
    assert.truthy(rec:find("unknown     0\n", 1, true), rec)
    assert.truthy(rec:find("sent        " .. received .. "\n", 1, true), rec)
    assert.truthy(rec:find("received    " .. received .. "\n", 1, true), rec)
    assert.are.equal(0, rcode, rec)
  end)

  it("a worker stopped by SIGTERM alone is a dead worker, named, exit 4", function()
    local m = t.start_mock("")
    finally(function() m.stop() end)
    local run = t.spawn(("-q -u %s -R 400 -d 3s -w 2 %s"):format(m.url, default))
    t.sleep(1.2)
    local victim = run.workers()[1]
    os.execute("kill -TERM " .. victim)
    local code, out = run.wait(30)
    local received = math.tointeger(m.stats().requests.total)
    assert.are.equal(4, code, out)
    local c = t.invariants(out)
    assert.are.equal(1200, c.scheduled)
    assert.are.equal(received, c.sent)
    assert.truthy(c.not_sent > 0, out)
    assert.truthy(out:find("pid " .. victim .. ": [^\n]* %- DIED: stopped by signal 15 before " ..
      "its schedule ended"), out)
    assert.truthy(out:find("Result          ERROR: a worker died", 1, true), out)
  end)

  it("a worker that hangs is killed 10 s past the run's longest end and the summary and JSON " ..
    "say what its threads were doing", function()
    local m = t.start_mock("")
    local json = t.tmpname(".json")
    finally(function() m.stop(); os.remove(json) end)
    local run = t.spawn(("-q -u %s -R 100 -d 1s -t 1s -w 2 --json %s %s")
      :format(m.url, t.quote(json), default), "SOAPLOAD_STUCK_GDB=0")
    t.sleep(0.6)
    local victim = run.workers()[1]
    os.execute("kill -STOP " .. victim) -- hangs as far as the parent can tell
    local code, out = run.wait(40)
    assert.are.equal(4, code, out)
    local c = t.invariants(out)
    assert.are.equal(100, c.scheduled)
    assert.are.equal(math.tointeger(m.stats().requests.total), c.sent)
    assert.truthy(out:find("pid " .. victim .. ": [^\n]* %- DIED %(signal 9%) before its final " ..
      "report[^\n]*\n                killed: still running 10 s past the run's longest possible " ..
      "end %(duration %+ timeout%); thread " .. victim .. ": state T, "), out)
    local r = t.json.decode(t.read(json))
    assert.truthy(r.workers[1].stuck:find("thread " .. victim .. ": state T", 1, true))
    assert.is_nil(r.workers[2].stuck)
    local took = tonumber(out:match("Duration        ([%d.]+) s"))
    assert.is_true(took >= 12 and took < 20, out)
  end)

  it("nothing listening: sent 0, bodies sent 0 B, every request counted once as connect " ..
    "before send", function()
    local m = t.start_mock("")
    local port = m.port
    m.stop()
    local script = t.script([[
      function done(summary)
        print(("done: sent=%d failed_before_send=%d before_send.connect=%d errors.connect=%d " ..
          "bytes_sent=%d"):format(summary.sent, summary.failed_before_send,
          summary.before_send.connect, summary.errors.connect, summary.bytes_sent))
      end
    ]])
    local code, out = t.run(("-q -u http://127.0.0.1:%d/soap/endpoint -R 25 -d 2s %s")
      :format(port, script))
    os.remove(script)
    assert.are.equal(1, code, out)
    local c = t.invariants(out)
    assert.are.equal(50, c.scheduled)
    assert.are.equal(0, c.sent)
    assert.are.equal(50, c.before)
    assert.truthy(out:find("Errors          connect before send 50\n", 1, true), out)
    assert.truthy(out:find("Bytes           bodies sent 0 B,", 1, true), out)
    assert.truthy(out:find("done: sent=0 failed_before_send=50 before_send.connect=50 " ..
      "errors.connect=50 bytes_sent=0", 1, true), out)
  end)

  it("a reused connection closed without an answer: no silent resend, the server processed " ..
    "exactly what soapload calls sent", function()
    local bad = t.start_bad_server("dropreused")
    finally(function() bad.stop() end)
    local code, out = t.run(("-q -u %s -R 10 -d 2s -w 1 -c 1 %s"):format(bad.url, default))
    assert.are.equal(1, code, out)
    local c = t.invariants(out)
    local _, _, body = t.http(bad.port, "GET", "/processed")
    assert.are.equal(c.sent, tonumber(body), out)
    assert.are.equal(20, c.sent)
    local refused = tonumber(out:match("resends refused (%d+)"))
    assert.truthy(refused and refused > 0, out)
    assert.truthy(tonumber(out:match("read (%d+)")) >= refused, out)
  end)

  it("a trace that cannot be written (file size limit) is named with the error, exit 4",
    function()
      local m = t.start_mock("")
      local trace = t.tmpname(".csv")
      finally(function() m.stop(); os.remove(trace) end)
      local code, out = t.run(("-q -u %s -R 2000 -d 2s --trace %s %s")
        :format(m.url, t.quote(trace), default), "ulimit -f 100;")
      assert.are.equal(4, code, out)
      t.invariants(out)
      assert.truthy(out:find("Trace           ERROR: cannot write " .. trace .. ": File too large",
        1, true), out)
    end)

  it("the closed model with a request() that always raises ends on time, each call counted",
    function()
      local script = t.script("function request(id, seq) error('always') end\n")
      local code, out, _, elapsed = t.run(("-q -u http://127.0.0.1:1/x --closed -d 1s -w 2 -c 4 %s")
        :format(script))
      os.remove(script)
      assert.are.equal(1, code, out)
      local c = t.invariants(out)
      assert.are.equal(0, c.sent)
      assert.truthy(c.scheduled > 0 and c.scheduled < 5000, out) -- a retry a millisecond
      assert.falsy(out:find("DIED", 1, true), out)
      assert.is_true(elapsed < 8, "took " .. elapsed)
    end)

  it("--json: every second's scheduled, bytes_sent and bytes_received add up to the totals",
    function()
      local m = t.start_mock("")
      local json = t.tmpname(".json")
      finally(function() m.stop(); os.remove(json) end)
      local code, out = t.run(("-q --json %s -u %s -R 200 -d 2s -w 2 %s"):format(json, m.url,
        default))
      assert.are.equal(0, code, out)
      local r = t.json.decode(t.read(json))
      local sum = { scheduled = 0, bytes_sent = 0, bytes_received = 0 }
      for _, x in ipairs(r.intervals) do
        for k in pairs(sum) do sum[k] = sum[k] + x.counts[k] end
      end
      assert.are.equal(400, r.summary.scheduled)
      assert.is_true(r.summary.bytes_sent > 0 and r.summary.bytes_received > 0)
      for k, v in pairs(sum) do assert.are.equal(r.summary[k], v, k) end
    end)

  it("--json: a worker that wakes late after a second's end still counts that second's " ..
    "requests in it (per-second scheduled is by due time)", function()
    local m = t.start_mock("")
    local json = t.tmpname(".json")
    -- the request due at 0.90 s keeps the worker busy for 0.3 s: the ones due at 0.91-0.99 s
    -- go out after the second has ended
    local script = t.script([[
local n = 0
function request(id)
  n = n + 1
  if n == 91 then
    local t0 = os.clock()
    while os.clock() - t0 < 0.3 do end
  end
  return soapload.envelope(soapload.echo(id))
end
]])
    finally(function() m.stop(); os.remove(json); os.remove(script) end)
    local code, out = t.run(("-q --json %s -u %s -R 100 -d 2s -w 1 %s"):format(json, m.url,
      script))
    assert.are.equal(0, code, out)
    local r = t.json.decode(t.read(json))
    assert.are.equal(200, r.summary.sent)
    assert.are.equal(200, m.stats().ids.received)
    local per_second = {}
    for _, x in ipairs(r.intervals) do
      per_second[#per_second + 1] = ("%d"):format(x.counts.scheduled)
    end
    assert.are.equal("100 100", table.concat(per_second, " "):gsub(" 0$", ""))
  end)

  it("SIGHUP to the parent stops the run like SIGTERM: summary, JSON, exit 130", function()
    local m = t.start_mock("")
    local json = t.tmpname(".json")
    finally(function() m.stop(); os.remove(json) end)
    local run = t.spawn(("-q --json %s -u %s -R 200 -d 5s -w 2 %s"):format(json, m.url, default))
    t.sleep(1.2)
    os.execute("kill -HUP " .. run.pid)
    local code, out = run.wait(20)
    assert.are.equal(130, code, out)
    local c = t.invariants(out)
    assert.truthy(out:find("Result          INTERRUPTED", 1, true), out)
    local r = t.json.decode(t.read(json))
    assert.are.equal(c.scheduled, r.summary.scheduled)
    assert.is_true(r.interrupted)
  end)

  it("SIGINT before the start (a slow init) exits 130, not 2", function()
    local script = t.script([[
      function init(args) -- 3 s of work before the start (a script cannot sleep)
        local till = os.time() + 3
        while os.time() < till do end
      end
    ]])
    local run = t.spawn(("-q -u http://127.0.0.1:1/x -R 10 -d 1s -w 1 %s"):format(script))
    t.sleep(0.8)
    os.execute("kill -INT " .. run.pid)
    local code, out, err = run.wait(20)
    os.remove(script)
    assert.are.equal(130, code, out .. err)
    assert.truthy(out:find("Result          INTERRUPTED", 1, true), out)
  end)

  it("the burst listing and the JSON show the ID a script chose, as it was sent", function()
    local m = t.start_mock("")
    local json = t.tmpname(".json")
    local script = t.script([[
      function request(id, seq)
        local mine = "order-" .. soapload.worker .. "-" .. seq
        return soapload.envelope(soapload.echo(mine)), { id = mine }
      end
    ]])
    finally(function() m.stop(); os.remove(json); os.remove(script) end)
    local code, out = t.run(("-q --json %s -u %s -R 200 -d 1s -w 2 -c 8 --burst 4 %s")
      :format(json, m.url, script))
    assert.are.equal(0, code, out)
    local listing = out:match("Tightest bursts of.-\nWorker 1")
    assert.truthy(listing, out)
    local listed = 0
    for id in listing:gmatch("pid %d+%s+(%S+)\n") do
      assert.truthy(id:match("^order%-%d%-%d+$"), "listed " .. id)
      listed = listed + 1
    end
    assert.is_true(listed >= 4, out)
    local r = t.json.decode(t.read(json))
    for _, b in ipairs(r.concurrency.bursts) do
      for _, q in ipairs(b.requests) do
        assert.truthy(q.id:match("^order%-%d%-%d+$"), "JSON id " .. q.id)
      end
    end
  end)

  it("a path that libcurl cannot parse is a script error for that request, never sent to " ..
    "the base URL", function()
    local m = t.start_mock("")
    local script = t.script([[
      function request(id, seq)
        local p = seq % 3 == 0 and "/other\1path" or (seq % 3 == 1 and "http://" or "/soap/endpoint")
        return soapload.envelope(soapload.echo(id)), { path = p }
      end
    ]])
    finally(function() m.stop(); os.remove(script) end)
    local code, out = t.run(("-q -u %s -R 30 -d 1s -w 1 %s"):format(m.url, script))
    assert.are.equal(1, code, out)
    local c = t.invariants(out)
    assert.truthy(out:find("scheduled     30 = sent 10 + not sent 0 + failed before send 0 + " ..
      "script errors before send 20", 1, true), out)
    assert.truthy(out:find('request() returned a path that is no URL (No host part in the URL): "http://"',
      1, true), out)
    assert.are.equal(c.sent, math.tointeger(m.stats().requests.total))
  end)

  it("a large body from request() is not copied per connection: a worker's peak RSS stays " ..
    "within a few bodies, not one per connection", function()
    local m = t.start_mock("-t 1 -m 16m -d 300ms")
    local script = t.script([[
      local body
      function init(args)
        body = soapload.envelope(soapload.echo("fixed") .. "<pad>" ..
          string.rep("x", 10 * 1024 * 1024) .. "</pad>")
      end
      function request(id, seq) return body, { id = "fixed" } end
    ]])
    finally(function() m.stop(); os.remove(script) end)
    local run = t.spawn(("-q -u %s -R 40 -d 1s -w 1 -c 20 %s"):format(m.url, script))
    t.sleep(1.1) -- 20 connections each with a request in flight (the mock waits 300 ms)
    local peak_kb
    for _, w in ipairs(run.workers()) do
      local status = t.read("/proc/" .. w .. "/status") or ""
      peak_kb = tonumber(status:match("VmHWM:%s*(%d+)"))
    end
    local code, out = run.wait(30)
    assert.is_true(code == 0 or code == 1, out) -- 1: the slow mock may leave some not sent
    t.invariants(out)
    assert.truthy(peak_kb, "no worker found")
    -- one body is 10 MiB; 20 copies would be over 200 MiB
    assert.is_true(peak_kb < 8 * 10 * 1024, "worker peak RSS " .. peak_kb .. " kB")
    assert.is_true(t.count(out, "sent          (%d+)") >= 20, out)
  end)

  describe("responses libcurl misreads get their protocol kind, with the reason shown", function()
    for _, case in ipairs({
      { "dupcl", "two Content-Length headers with different values" },
      { "bighead", "a response header line longer than libcurl accepts (100 KiB)" },
    }) do
      it(case[1], function()
        local bad = t.start_bad_server(case[1])
        finally(function() bad.stop() end)
        local code, out = t.run(("-q -u %s -R 5 -d 1s -w 1 -c 1 -t 3s %s"):format(bad.url, default))
        assert.are.equal(1, code, out)
        local c = t.invariants(out)
        assert.are.equal(5, c.sent)
        assert.truthy(out:find("Errors          protocol 5\n", 1, true), out)
        assert.truthy(out:find("  first protocol  " .. case[2] .. "\n", 1, true), out)
      end)
    end
  end)

  it("1 MB bodies built by request() on both paths: every request ok, the mock counts each " ..
    "one and every byte", function()
    local m = t.start_mock("-t 2 -m 2m")
    local script = t.script([[
      local pad = string.rep("x", 1000000)
      function request(id)
        return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
          soapload.escape(id) .. '</e:RequestId><!--' .. pad .. '--></e:Echo>')
      end
    ]])
    local json = t.tmpname(".json")
    finally(function() m.stop(); os.remove(script); os.remove(json) end)
    for _, path in ipairs({ "on", "off" }) do
      m.reset()
      -- 20 over 2 s on 20 connections: none waits for one, however slow a busy machine
      -- (or the sanitizers) makes a 1 MB request
      local code, out = t.run(("-q --fast-path %s -u %s -R 10 -d 2s -w 2 -c 20 --burst 1 " ..
        "--json %s %s"):format(path, m.url, json, script))
      assert.are.equal(0, code, out)
      local c = t.invariants(out)
      assert.are.same({ 20, 20, 0 }, { c.sent, c.ok, c.not_sent }, path)
      local doc = t.json.decode(t.read(json))
      local st = m.stats()
      assert.are.equal(20, math.tointeger(st.requests.echo), path)
      assert.are.equal(20, math.tointeger(st.ids.distinct), path)
      assert.are.equal(math.tointeger(st.request_bytes), doc.summary.bytes_sent, path)
      assert.is_true(doc.summary.bytes_sent >= 20 * 1000000, tostring(doc.summary.bytes_sent))
      assert.are.equal(path == "on" and 20 or 0, doc.connections.by_path.fast, path)
    end
  end)

  it("HTTPS to a self-signed certificate: its own kind, tls, before send, with libcurl's " ..
    "message", function()
    local dir = t.tmpname(".tls")
    os.execute("mkdir -p " .. t.quote(dir))
    assert(os.execute(("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/k.pem " ..
      "-out %s/c.pem -days 1 -subj /CN=localhost 2>/dev/null"):format(dir, dir)))
    local socket = require("socket")
    local port = t.free_port()
    local p = io.popen(("openssl s_server -accept 127.0.0.1:%d -cert %s/c.pem -key %s/k.pem " ..
      "-www -quiet > /dev/null 2>&1 & echo $!"):format(port, dir, dir))
    local pid = tonumber(p:read("l"))
    p:close()
    finally(function()
      os.execute("kill " .. pid .. " 2>/dev/null")
      os.execute("rm -rf " .. t.quote(dir))
    end)
    local deadline = t.now() + 10
    while t.now() < deadline do
      local c = socket.connect("127.0.0.1", port)
      if c then c:close() break end
      t.sleep(0.05)
    end
    local code, out = t.run(("-q -u https://127.0.0.1:%d/soap/endpoint -R 5 -d 1s -w 1 -c 1 %s")
      :format(port, default))
    assert.are.equal(1, code, out)
    local c = t.invariants(out)
    assert.are.equal(0, c.sent)
    assert.truthy(out:find("Errors          tls before send 5\n", 1, true), out)
    assert.truthy(out:find("  first tls       SSL certificate problem: self%-signed certificate"),
      out)
  end)
end)

describe("accounting against the mock's ID log", function()
  -- The IDs in the mock's log, grouped by worker pid: checks each worker's sequence has no gap.
  local function check_ids(log, expected_total, expected_workers)
    local by_pid, total = {}, 0
    for pid, seq in log:gmatch("P(%d+)%-R(%d+)\n") do
      by_pid[pid] = by_pid[pid] or {}
      assert.is_nil(by_pid[pid][tonumber(seq)], "duplicate ID P" .. pid .. "-R" .. seq)
      by_pid[pid][tonumber(seq)] = true
      total = total + 1
    end
    assert.are.equal(expected_total, total)
    local workers = 0
    for _, seqs in pairs(by_pid) do
      workers = workers + 1
      for i = 1, #seqs do assert.is_true(seqs[i], "gap at R" .. i) end
    end
    assert.are.equal(expected_workers, workers)
  end

  it("sends exactly rate x duration requests, each ID echoed once", function()
    local id_log = t.tmpname(".ids")
    local mock = t.start_mock("--id-log " .. id_log)
    finally(function() mock.stop(); os.remove(id_log) end)
    local code, out = t.run("-q -u " .. mock.url .. " -R 200 -d 2s -w 2 --burst 1 " .. default)
    assert.are.equal(0, code, out)
    assert.truthy(out:find("scheduled     400 = sent 400 + not sent 0 + failed before send 0 + script errors before send 0",
      1, true), out)
    assert.truthy(out:find("sent          400 = ok 400 + failed 0 + cancelled 0", 1, true), out)
    assert.truthy(out:find("Errors          none", 1, true))
    assert.truthy(out:find("Result          PASS", 1, true))
    -- uniform pacing (--burst 1) at 200/s leaves no burst of 4, and the summary says how to get one
    assert.truthy(out:find("requests were due 5.000 ms apart; --burst 4 sends them", 1, true), out)
    local s = mock.stats()
    assert.are.equal(400, s.requests.echo)
    assert.are.equal(400, s.ids.distinct)
    assert.are.equal(0, s.ids.duplicates)
    t.sleep(0.4)
    check_ids(t.read(id_log), 400, 2)
  end)
end)
