-- Faults: the server, the network, the script or the tool itself misbehaves; every request
-- stays accounted for, nothing crashes or hangs. Each case is bounded in time, loopback only.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local default = t.root .. "/scripts/examples/default.lua"

describe("faults", function()
  it("1. server down for the whole run: connect errors, on time, low CPU, exit 1", function()
    local m = t.start_mock("")
    finally(function() m.stop() end)
    local port = m.port
    m.stop()
    local code, out, _, elapsed = t.run(("-q -u http://127.0.0.1:%d/soap/endpoint -R 500 -d 2s %s")
      :format(port, default))
    assert.are.equal(1, code)
    local c = t.invariants(out)
    assert.are.equal(1000, c.scheduled)
    assert.truthy(out:find("Errors          connect before send 1000", 1, true), out)
    assert.is_true(elapsed < 4, "took " .. elapsed)
    local cpu = io.popen(("sh -c 'time -p %s -q -u http://127.0.0.1:%d/x -R 500 -d 2s %s >/dev/null' 2>&1")
      :format(t.quote(t.bin), port, default)):read("a")
    local user, sys = cpu:match("user ([%d.]+)"), cpu:match("sys ([%d.]+)")
    assert.is_true(tonumber(user) + tonumber(sys) < 1.5, "CPU " .. cpu) -- of 2 s x 2 workers
  end)

  it("2. a server that accepts and never answers: each request one timeout, ends in time",
    function()
      local silent = t.start_bad_server("silent")
      finally(function() silent.stop() end)
      local code, out, _, elapsed = t.run(("-q -u %s -R 10 -d 1s -c 20 -t 2s %s"):format(
        silent.url, default))
      silent.stop()
      assert.are.equal(1, code)
      local c = t.invariants(out)
      assert.are.equal(10, c.sent)
      assert.truthy(out:find("Errors          timeout 10", 1, true), out)
      assert.is_true(elapsed < 1 + 2 + 1, "took " .. elapsed)
    end)

  it("3. a server slower than the rate allows: the client falls behind and says so", function()
    local slow = t.start_mock("--delay 200ms")
    finally(function() slow.stop() end)
    local code, out = t.run(("-q -u %s -R 100 -d 2s -c 4 -w 2 %s"):format(slow.url, default))
    slow.stop()
    assert.are.equal(1, code)
    local c = t.invariants(out)
    assert.are.equal(200, c.scheduled)
    assert.is_true(c.not_sent > 100, out) -- 4 connections x 5/s = 20/s at most
    assert.are.equal(c.sent, c.ok)
    -- max send lateness: far behind, at least half a second (the last requests waited ~1.5 s)
    local v, unit = out:match("send lateness%s+%S+%s+%S+%s+%S+%s+%S+%s+([%d.]+)(%a+)")
    local us = tonumber(v) * ({ us = 1, ms = 1e3, s = 1e6 })[unit]
    assert.is_true(us > 500000, out)
  end)

  it("4. server killed mid-run and restarted: errors only meanwhile, recovery within 1 s",
    function()
      local port = t.free_port() -- below the ephemeral range: nobody takes it while it is down
      local m = t.start_mock("--port " .. port)
      finally(function() m.stop() end)
      local json = t.tmpname(".json")
      local run = t.spawn(("-q --json %s -u %s -R 200 -d 5s -w 2 -t 1s %s"):format(json, m.url,
        default))
      t.sleep(1.5 - (t.now() - run.started))
      m.stop("KILL")
      t.sleep(2.5 - (t.now() - run.started))
      local again = t.start_mock("--port " .. port)
      finally(function() again.stop() end)
      local code, out = run.wait(20)
      again.stop()
      assert.are.equal(1, code, out)
      t.invariants(out)
      local r = t.json.decode(t.read(json))
      os.remove(json)
      local s = r.intervals
      assert.are.equal(200, s[1].counts.results.ok) -- before the kill
      -- refused connections fail before anything is written: not sent, failed before send
      assert.is_true(s[2].counts.failed + s[3].counts.failed + s[2].counts.failed_before_send +
        s[3].counts.failed_before_send > 0)
      assert.are.equal(0, s[5].counts.failed) -- a second after the restart
      assert.are.equal(0, s[5].counts.failed_before_send)
      assert.are.equal(s[5].counts.sent, s[5].counts.results.ok)
      local failed = 0
      for _, x in ipairs(s) do failed = failed + x.counts.failed end
      assert.are.equal(r.summary.failed, failed)
    end)

  it("5a. SIGINT: a partial summary soon, in-flight requests cancelled, files complete, 130",
    function()
      local slow = t.start_mock("--delay 500ms")
      finally(function() slow.stop() end)
      local json, trace = t.tmpname(".json"), t.tmpname(".csv")
      local run = t.spawn(("-q --json %s --trace %s -u %s -R 100 -d 20s -c 100 -w 2 %s"):format(
        json, trace, slow.url, default))
      t.sleep(1.2)
      os.execute("kill -INT " .. run.pid)
      local t_int = t.now()
      local code, out = run.wait(10)
      assert.is_true(t.now() - t_int < 2, "took " .. (t.now() - t_int))
      slow.stop()
      assert.are.equal(130, code, out)
      assert.truthy(out:find("Interrupted", 1, true), out)
      local c = t.invariants(out)
      assert.is_true(c.cancelled > 0, out)
      assert.is_true(c.scheduled < 200, out) -- only what was due until the interrupt
      local r = t.json.decode(t.read(json))
      assert.is_true(r.interrupted)
      assert.are.equal(c.scheduled, r.summary.scheduled)
      local lines = 0
      for _ in io.lines(trace) do lines = lines + 1 end
      assert.are.equal(c.scheduled + 1, lines) -- one per scheduled request, plus the header
      os.remove(json)
      os.remove(trace)
    end)

  it("5b. a second SIGINT exits at once; SIGKILL of the parent leaves no orphan workers",
    function()
      local slow = t.start_mock("--delay 2s")
      finally(function() slow.stop() end)
      local run = t.spawn(("-q -u %s -R 50 -d 20s -t 10s %s"):format(slow.url, default))
      t.sleep(1)
      local workers = run.workers()
      assert.is_true(#workers >= 1)
      os.execute("kill -INT " .. run.pid .. "; kill -INT " .. run.pid)
      local code = run.wait(5)
      assert.is_true(code == 130, "exit " .. tostring(code))
      t.sleep(0.3)
      for _, w in ipairs(workers) do assert.is_false(t.alive(w), "worker " .. w .. " lives on") end

      run = t.spawn(("-q -u %s -R 50 -d 20s -t 10s %s"):format(slow.url, default))
      t.sleep(1)
      workers = run.workers()
      assert.is_true(#workers >= 1)
      os.execute("kill -KILL " .. run.pid)
      run.wait(5)
      t.sleep(0.5)
      for _, w in ipairs(workers) do assert.is_false(t.alive(w), "worker " .. w .. " lives on") end
      slow.stop()
    end)

  it("6. kill -9 of one worker: named in the summary, the others finish, totals add up, 4",
    function()
      local m = t.start_mock("")
      finally(function() m.stop() end)
      local run = t.spawn(("-q -u %s -R 200 -d 3s -w 2 %s"):format(m.url, default))
      t.sleep(1.5)
      local victim = run.workers()[1]
      os.execute("kill -KILL " .. victim)
      local code, out = run.wait(20)
      m.stop()
      assert.are.equal(4, code, out)
      local c = t.invariants(out)
      assert.are.equal(600, c.scheduled)
      assert.truthy(out:find("pid " .. victim .. ": .* %- DIED %(signal 9%) before its final report"),
        out)
      assert.truthy(out:find("Result          ERROR: a worker died", 1, true))
      local other = out:match("Worker %d+%s+pid %d+: scheduled 300, sent 300, ok 300")
      assert.truthy(other, out)
    end)

  it("7. Lua: an endless loop and a runaway allocation are stopped, counted, named", function()
    local m = t.start_mock("")
    finally(function() m.stop() end)
    local script = t.script([[
      soapload.rate = 20
      soapload.duration = 1
      function request(id, seq)
        if seq == 3 then while true do end end
        if seq == 5 then
          local hog = {}
          while true do hog[#hog + 1] = string.rep("x", 100000) .. seq .. #hog end
        end
        return soapload.envelope(soapload.echo(id))
      end
    ]])
    local code, out = t.run(("-q -w 1 --hook-limit 200ms --lua-memory 16m -u %s %s"):format(
      m.url, script))
    assert.are.equal(1, code)
    local c = t.invariants(out)
    assert.are.equal(20, c.scheduled)
    assert.are.equal(18, c.ok)
    assert.truthy(out:find("script errors before send 2", 1, true), out)
    assert.truthy(out:find("hook ran longer than its limit", 1, true), out)
    -- the memory error is the second one; the first traceback is shown, both are counted
    local code2, out2 = t.run(("-q -w 1 --lua-memory 16m -u %s %s"):format(m.url, t.script([[
      soapload.rate = 10
      soapload.duration = 1
      function request(id, seq)
        local hog = {}
        while seq == 2 do hog[#hog + 1] = string.rep("y", 100000) .. #hog end
        return soapload.envelope(soapload.echo(id))
      end
    ]])))
    assert.are.equal(1, code2)
    assert.truthy(out2:find("script ran out of memory: its limit is 16 MiB", 1, true), out2)
    m.stop()
  end)

  it("7b. scripts are loaded as text only, never as bytecode", function()
    local bytecode = t.tmpname(".luac")
    local f = assert(io.open(bytecode, "wb"))
    f:write(string.dump(load("soapload.rate = 1")))
    f:close()
    local code, _, err = t.run(("-u http://127.0.0.1:1/ %s"):format(bytecode))
    assert.are.equal(2, code)
    assert.truthy(err:find("attempt to load a binary chunk", 1, true), err)
    os.remove(bytecode)
  end)

  it("8. too few file descriptors for the connections: refused up front", function()
    local p = io.popen(("sh -c 'ulimit -n 64; %s -c 200 -w 1 -u http://127.0.0.1:1/x -R 10 -d 1s %s; echo exit=$?' 2>&1")
      :format(t.quote(t.bin), default))
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("exit=2", 1, true), out)
    -- what the run needs (its connections and the descriptors open besides), the limit and how
    -- to raise it; fewer connections per worker would help here, so it says so
    local need = out:match("200 connections over 1 worker need (%d+) file descriptors per " ..
      "process %(200 for connections%), but the limit is 64 %(ulimit %-n; hard limit 64%)")
    assert.truthy(need, out)
    -- 200 connections, 16 of the worker's own (README), a trace part, and what is open at start
    assert.is_true(tonumber(need) >= 200 + 16 + 1 + 3 and tonumber(need) < 240, out)
    assert.truthy(out:find(("raise it to %s (ulimit -n %s in the shell that starts soapload, " ..
      "LimitNOFILE=%s in a systemd unit"):format(need, need, need), 1, true), out)
    assert.truthy(out:find("fewer --connections", 1, true), out)
    -- the host is read as libcurl reads the URL: 127.1 is 127.0.0.1, an address
    -- (one descriptor per connection, no resolver's pair)
    p = io.popen(("sh -c 'ulimit -n 64; %s -c 200 -w 1 -u http://127.1:1/x -R 10 -d 1s %s; echo exit=$?' 2>&1")
      :format(t.quote(t.bin), default))
    out = p:read("a")
    p:close()
    assert.truthy(out:find("exit=2", 1, true), out)
    assert.truthy(out:find("200 connections over 1 worker need %d+ file descriptors per " ..
      "process %(200 for connections%)"), out)
  end)

  it("8b. a low descriptor limit: what fits runs, with the server's counts; else the limit is named", function()
    local m = t.start_mock("--delay 200ms")
    finally(function() m.stop() end)
    -- 30 connections under 64 descriptors: all open at once, every request answered
    local p = io.popen(("sh -c 'ulimit -n 64; %s --closed -c 30 -w 1 -u %s -d 1s %s; echo exit=$?' 2>&1")
      :format(t.quote(t.bin), m.url, default))
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("exit=0", 1, true), out)
    local c = t.invariants(out)
    local s = m.stats()
    assert.are.equal(c.sent, s.requests.echo)
    assert.are.equal(c.sent, c.ok)
    assert.are.equal(30, s.connections.max_open)
    -- one connection under 20 descriptors: the rest alone is too much, so --connections is no
    -- advice; nothing is sent
    m.reset()
    p = io.popen(("sh -c 'ulimit -n 20; %s -c 1 -w 1 -u %s -R 10 -d 1s %s; echo exit=$?' 2>&1")
      :format(t.quote(t.bin), m.url, default))
    out = p:read("a")
    p:close()
    assert.truthy(out:find("exit=2", 1, true), out)
    assert.truthy(out:find("1 connection over 1 worker needs %d+ file descriptors per process " ..
      "%(1 for connections%), but the limit is 20 %(ulimit %-n; hard limit 20%): raise it to %d+"), out)
    assert.falsy(out:find("--connections", 1, true), out)
    assert.are.equal(0, m.stats().requests.total)
  end)

  describe("9. bad responses, each its own counted class", function()
    local cases = {
      { "garbage", "protocol" },
      { "truncated", "truncated" },
      { "big", "too_large" },
      { "bigcl", "too_large" },
      { "noid", "id_mismatch" },
      { "wrongid", "id_mismatch" },
      { "notxml", "malformed" },
    }
    for _, case in ipairs(cases) do
      it(case[1] .. " -> " .. case[2], function()
        local bad = t.start_bad_server(case[1])
        finally(function() bad.stop() end)
        local code, out = t.run(("-q -u %s -R 5 -d 1s -c 1 -w 1 -t 5s %s"):format(bad.url, default))
        bad.stop()
        assert.are.equal(1, code, out)
        local c = t.invariants(out)
        assert.are.equal(5, c.sent)
        assert.truthy(out:find("Errors          " .. case[2] .. " 5\n", 1, true), out)
      end)
    end

    -- a Fault is a Fault whatever the status: a server that answers one with 200 fails the run
    it("fault200 -> soap_fault, the server's count equal to sent", function()
      local bad = t.start_bad_server("fault200")
      finally(function() bad.stop() end)
      local json = t.tmpname(".json")
      local code, out = t.run(("-q -u %s -R 5 -d 1s -c 1 -w 1 -t 5s --json %s %s")
        :format(bad.url, json, default))
      local served = tonumber(select(3, t.http(bad.port, "GET", "/processed")))
      bad.stop()
      assert.are.equal(1, code, out)
      local c = t.invariants(out)
      assert.are.equal(5, c.sent)
      assert.are.equal(5, served)
      assert.truthy(out:find("soap_fault 5", 1, true), out)
      assert.truthy(out:find("refused with 200", 1, true), out)
      local r = t.json.decode(t.read(json))
      os.remove(json)
      assert.are.equal(5, r.summary.results.soap_fault)
      assert.are.equal(0, r.summary.results.ok)
    end)
  end)
end)

describe("the mock under abuse", function()
  local mock = t.shared_mock("--max-body 64k")

  it("serves 1,000 concurrent connections", function()
    mock.reset()
    local code, out = t.run(("-q --closed -c 1000 -w 2 -d 2s -u %s %s"):format(mock.url, default))
    assert.are.equal(0, code, out)
    local s = mock.stats()
    assert.are.equal(1000, s.connections.max_open)
    local c = t.invariants(out)
    assert.are.equal(c.ok, s.requests.echo)
  end)

  it("answers a huge header with an error and keeps serving", function()
    local conn = t.connect(mock.port)
    conn:send("POST /soap/endpoint HTTP/1.1\r\nHost: x\r\nX-Big: " .. string.rep("a", 200000) ..
      "\r\nContent-Type: text/xml\r\nContent-Length: 0\r\n\r\n")
    local status = t.read_response(conn)
    conn:close()
    assert.is_true(status == nil or status >= 400, tostring(status))
    assert.are.equal(200, (t.soap11(mock.port, t.envelope(t.SOAP11, "after-big-header"))))
  end)

  it("keeps serving while many clients hold half-sent requests", function()
    local slow = {}
    for i = 1, 50 do
      slow[i] = t.connect(mock.port)
      slow[i]:send("POST /soap/endpoint HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<a>")
    end
    local code, out = t.run(("-q -R 200 -d 1s -u %s %s"):format(mock.url, default))
    assert.are.equal(0, code, out)
    for i = 1, 50 do slow[i]:close() end
  end)
end)

describe("failed requests, each counted by its kind", function()
  local mock = t.shared_mock()

  it("counts a response without the request's ID as id_mismatch", function()
    local script = t.script([[
      soapload.rate = 40
      soapload.duration = 1
      function request(id, seq)
        -- the body carries another ID than the one soapload expects back
        return soapload.envelope(soapload.echo(id .. "x"))
      end
    ]])
    local code, out = t.run(("-q -u %s %s"):format(mock.url, script))
    assert.are.equal(1, code)
    assert.truthy(out:find("Errors          id_mismatch 40", 1, true), out)
    os.remove(script)
  end)

  it("counts every request as a connect error when nothing listens, and ends on time", function()
    -- a port that was free a moment ago: nothing listens there now
    local m = t.start_mock("")
    local port = m.port
    m.stop()
    local code, out, _, elapsed = t.run(("-q -u http://127.0.0.1:%d/soap/endpoint -R 100 -d 1s %s")
      :format(port, default))
    assert.are.equal(1, code)
    -- nothing left the machine: "sent" means written to a socket
    assert.truthy(out:find("scheduled     100 = sent 0 + not sent 0 + failed before send 100 + " ..
      "script errors before send 0", 1, true), out)
    assert.truthy(out:find("sent          0 = ok 0 + failed 0 + cancelled 0", 1, true), out)
    assert.truthy(out:find("Errors          connect before send 100", 1, true), out)
    assert.is_true(elapsed < 4, "took " .. elapsed)
  end)

  it("counts a server slower than the timeout as timeouts", function()
    local slow = t.start_mock("--delay 2s")
    finally(function() slow.stop() end)
    local code, out, _, elapsed = t.run(("-q -u %s -R 20 -d 1s -t 300ms %s"):format(slow.url,
      default))
    assert.are.equal(1, code)
    assert.truthy(out:find("Errors          timeout 20", 1, true), out)
    assert.is_true(elapsed < 1 + 0.3 + 2, "took " .. elapsed)
    slow.stop()
  end)

  it("counts SOAP Faults apart from other failures", function()
    local faulty = t.start_mock("--fault-rate 1")
    finally(function() faulty.stop() end)
    local code, out = t.run(("-q -u %s -R 30 -d 1s %s"):format(faulty.url, default))
    assert.are.equal(1, code)
    assert.truthy(out:find("Errors          soap_fault 30", 1, true), out)
    faulty.stop()
  end)
end)
