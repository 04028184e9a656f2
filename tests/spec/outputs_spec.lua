-- Outputs: the JSON says what the summary says and its seconds add up; the trace has one line
-- per scheduled request, sent or not; the progress line is plain off a terminal and redrawn on
-- one. Every output that cannot be written is named with its reason (exit 2 up front, exit 4
-- during the run); result files are replaced whole or not at all; a closed pipe does not kill
-- the run.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local default = t.root .. "/scripts/examples/default.lua"

-- busted's luasocket ignores SIGPIPE, and processes inherit that: the pipe specs restore the
-- default action, as a shell started from a terminal has it.
local PIPE_DEFAULT = "env --default-signal=PIPE "

local function listing(dir)
  local names = {}
  local _, ls = t.sh("ls -A " .. t.quote(dir))
  for name in ls:gmatch("[^\n]+") do names[#names + 1] = name end
  table.sort(names)
  return table.concat(names, " ")
end

describe("outputs", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  it("a --json and --html that cannot be written (ulimit -f) are named with the error, exit 4, " ..
     "and the files that were there are kept whole", function()
    local dir = t.tmpdir()
    finally(function() os.execute("rm -rf " .. t.quote(dir)) end)
    local json, html = dir .. "/r.json", dir .. "/r.html"
    t.write(json, "the previous results\n")
    t.write(html, "the previous report\n")
    -- 4 KiB: the summary fits, the JSON (about 5 KiB) and the HTML do not
    local code, out, err = t.run(("-q --json %s --html %s -u %s -R 50 -d 1s %s"):format(json, html,
      mock.url, default), "ulimit -f 4;")
    assert.are.equal(4, code, err)
    assert.truthy(err:find("soapload: cannot write " .. json .. ": File too large", 1, true), err)
    assert.truthy(err:find("soapload: cannot write " .. html .. ": File too large", 1, true), err)
    assert.truthy(out:find("sent          50 = ok 50", 1, true), out)
    assert.are.equal(50, mock.stats().ids.distinct) -- the run itself took place
    assert.are.equal("the previous results\n", t.read(json))
    assert.are.equal("the previous report\n", t.read(html))
    assert.are.equal("r.html r.json", listing(dir)) -- no temporary file left behind
  end)

  it("a new --json that cannot be written leaves no file at all, not a truncated one", function()
    local dir = t.tmpdir()
    finally(function() os.execute("rm -rf " .. t.quote(dir)) end)
    local code, _, err = t.run(("-q --json %s/r.json -u %s -R 50 -d 1s %s"):format(dir, mock.url,
      default), "ulimit -f 2;")
    assert.are.equal(4, code, err)
    assert.truthy(err:find("cannot write " .. dir .. "/r.json: File too large", 1, true), err)
    assert.are.equal("", listing(dir))
  end)

  it("a --json that can be written replaces the old file whole, with its mode", function()
    local dir = t.tmpdir()
    finally(function() os.execute("rm -rf " .. t.quote(dir)) end)
    local json = dir .. "/r.json"
    t.write(json, "old")
    os.execute("chmod 600 " .. t.quote(json))
    local code, out = t.run(("-q --json %s -u %s -R 50 -d 1s %s"):format(json, mock.url, default))
    assert.are.equal(0, code, out)
    local r = t.json.decode(t.read(json))
    assert.are.equal(50, r.summary.sent)
    assert.are.equal("600", (select(2, t.sh("stat -c %a " .. t.quote(json))):gsub("%s+$", "")))
    assert.are.equal("r.json", listing(dir))
  end)

  it("a summary that cannot be written to stdout (/dev/full) is named, exit 4, the JSON is " ..
     "still written", function()
    local json = t.tmpname(".json")
    finally(function() os.remove(json) end)
    local err = t.tmpname(".err")
    local _, status = t.sh(("%s -q --json %s -u %s -R 50 -d 1s %s > /dev/full 2> %s; echo $?")
      :format(t.quote(t.bin), json, mock.url, default, err))
    local code = tonumber(status)
    local msg = t.read(err)
    os.remove(err)
    assert.are.equal(4, code, msg)
    assert.truthy(msg:find("soapload: cannot write the summary to stdout: No space left on device",
      1, true), msg)
    assert.are.equal(50, t.json.decode(t.read(json)).summary.sent)
  end)

  it("a closed stdout pipe does not kill the run: JSON and trace complete, the failure named " ..
     "on stderr, exit 4", function()
    local json, trace, err, rc = t.tmpname(".json"), t.tmpname(".csv"), t.tmpname(".err"),
      t.tmpname(".rc")
    finally(function() for _, f in ipairs({ json, trace, err, rc }) do os.remove(f) end end)
    -- the reader (true) has exited long before soapload writes its summary
    t.sh(("(" .. PIPE_DEFAULT .. "%s --json %s --trace %s -u %s -R 100 -d 1s -w 2 %s 2> %s; echo $? > %s) | true")
      :format(t.quote(t.bin), json, trace, mock.url, default, err, rc))
    local msg = t.read(err)
    assert.are.equal(4, tonumber(t.read(rc)), msg)
    assert.truthy(msg:find("soapload: cannot write the summary to stdout: Broken pipe", 1, true),
      msg)
    local r = t.json.decode(t.read(json))
    assert.are.equal(100, r.summary.results.ok)
    assert.are.equal(100, mock.stats().ids.distinct)
    local lines = 0
    for _ in io.lines(trace) do lines = lines + 1 end
    assert.are.equal(101, lines) -- the header and one line per request
  end)

  it("a closed stderr pipe does not kill the run: the summary is printed, exit 0", function()
    local out, rc = t.tmpname(".out"), t.tmpname(".rc")
    finally(function() os.remove(out); os.remove(rc) end)
    t.sh(("(" .. PIPE_DEFAULT .. "%s --progress always -u %s -R 100 -d 2s %s 2>&1 > %s; echo $? > %s) | true")
      :format(t.quote(t.bin), mock.url, default, out, rc))
    local text = t.read(out)
    assert.are.equal(0, tonumber(t.read(rc)), text)
    assert.truthy(text:find("sent          200 = ok 200", 1, true), text)
    assert.are.equal(200, mock.stats().ids.distinct)
  end)

  it("a --trace FIFO that no process reads is refused at once (exit 2), nothing sent", function()
    local dir = t.tmpdir()
    finally(function() os.execute("rm -rf " .. t.quote(dir)) end)
    os.execute("mkfifo " .. t.quote(dir .. "/fifo"))
    local code, _, err, elapsed = t.run(("--trace %s/fifo -u %s -R 50 -d 1s %s"):format(dir,
      mock.url, default), "timeout 10")
    assert.are.equal(2, code, err)
    assert.truthy(err:find("cannot write " .. dir .. "/fifo: it is a FIFO that no process reads",
      1, true), err)
    assert.is_true(elapsed < 9, "it waited for a reader")
    assert.are.equal(0, mock.stats().requests.echo)
  end)
end)

describe("threshold lines", function()
  it("print each measured value in the limit's own unit, in the summary and the JSON", function()
    local m = t.start_mock("--fault-rate 0.1")
    local json = t.tmpname(".json")
    finally(function() m.stop(); os.remove(json) end)
    local code, out = t.run(("-q --json %s --threshold 'p99 < 50ms' --threshold 'service_max < " ..
      "5000000us' --threshold 'error_rate < 1%%' --threshold 'error_rate < 0.5' --threshold " ..
      "'mean < 2' -u %s -R 200 -d 1s %s"):format(json, m.url, default))
    assert.are.equal(3, code, out) -- error_rate < 1% fails: about a tenth are faults
    local r = t.json.decode(t.read(json))
    local faults = m.stats().requests.fault_injected
    assert.are.equal(faults, r.summary.results.soap_fault) -- what the server answered
    local lat, svc = r.latency.from_due, r.latency.service
    local rate = faults / 200
    local want = {
      { "pass p99 < 50ms", ("%.6gms"):format(lat.p99 / 1000) },
      { "pass service_max < 5000000us", ("%.6gus"):format(svc.max) },
      { "FAIL error_rate < 1%", ("%.6g%%"):format(rate * 100) },
      { "pass error_rate < 0.5", ("%.6g"):format(rate) },
    }
    for i, w in ipairs(want) do
      local line = ("Threshold       %-33s measured %s\n"):format(w[1], w[2])
      assert.truthy(out:find(line, 1, true), line .. " in\n" .. out)
      local th = r.thresholds[i]
      assert.are.equal(w[2], th.measured_text)
      assert.are.equal(w[2]:match("^[%d.e+-]+"), ("%.6g"):format(th.measured_in_unit))
    end
    local mean = out:match("Threshold       pass mean < 2                     measured ([%d.]+)ms\n")
    assert.is_true(math.abs(tonumber(mean) - lat.mean / 1000) < 0.001, out) -- JSON rounds it
    -- the machine values stay in the base units
    assert.are.equal("us", r.thresholds[1].base_unit)
    assert.are.equal("ms", r.thresholds[1].unit)
    assert.are.equal(lat.p99, r.thresholds[1].measured)
    assert.are.equal("%", r.thresholds[3].unit)
    assert.is_true(math.abs(r.thresholds[3].measured - rate) < 1e-12)
  end)
end)

describe("an interrupted run", function()
  it("divides by the time it spent sending: summary, JSON, thresholds and done() agree",
    function()
      local m = t.start_mock("")
      local json, log = t.tmpname(".json"), t.tmpname(".log")
      local script = t.script(([[
function done(summary)
  local f = io.open(%q, "w")
  f:write(string.format("%%.6f %%d\n", summary.achieved_rate, summary.sent))
  f:close()
end
]]):format(log))
      finally(function() m.stop(); os.remove(json); os.remove(log); os.remove(script) end)
      local run = t.spawn(("-q --json %s --threshold 'rate >= 150' -u %s -R 200 -d 10s -w 2 %s")
        :format(json, m.url, script))
      t.sleep(2.5 - (t.now() - run.started))
      os.execute("kill -INT " .. run.pid)
      local code, out = run.wait(20)
      assert.are.equal(130, code, out)
      local r = t.json.decode(t.read(json))
      local sent, s = r.summary.sent, r.sending_s
      assert.are.equal(sent, m.stats().ids.received) -- every request sent reached the server
      -- stopped about 2.5 s into 10 (a loaded machine may deliver the signal late: the point
      -- is that the rates divide by this, not by the 10 s configured)
      assert.is_true(s > 0.5 and s < 5, "sending_s " .. s)
      assert.is_true(math.abs(r.rates.sent - sent / s) < 1e-3 * r.rates.sent)
      local rate = sent / s -- about 200/s, not about 50/s (sent / 10 s)
      assert.is_true(rate > 150 and rate < 250, "rate " .. rate)
      local p_sent, p_pct, p_ok, p_s = out:match("\n  rate          target 200%.0/s, sent " ..
        "([%d.]+)/s %(([-+][%d.]+)%%%), ok ([%d.]+)/s over the ([%d.]+) s it was sending\n")
      assert.truthy(p_sent, out)
      assert.is_true(math.abs(tonumber(p_sent) - rate) <= 0.051, out)
      assert.is_true(math.abs(tonumber(p_pct) - (rate / 200 - 1) * 100) <= 0.006, out)
      assert.is_true(math.abs(tonumber(p_ok) - r.summary.results.ok / s) <= 0.051, out)
      assert.is_true(math.abs(tonumber(p_s) - s) <= 0.0006, out)
      local measured = out:match("Threshold       pass rate >= 150%s+measured ([%d.]+)\n")
      assert.is_true(math.abs(tonumber(measured) - rate) < 1e-3, out)
      local achieved, done_sent = t.read(log):match("^(%S+) (%d+)")
      assert.are.equal(sent, tonumber(done_sent))
      assert.is_true(math.abs(tonumber(achieved) - rate) < 1e-3 * rate, achieved)
    end)
end)

describe("the Load line", function()
  it("says how the connections were split when they do not divide evenly", function()
    local m = t.start_mock("")
    finally(function() m.stop() end)
    m.reset()
    local code, out = t.run(("-q --closed -w 2 -c 7 -d 1s -u %s %s"):format(m.url, default))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("Load            2 workers x 3-4 connections (7 in all), timeout", 1,
      true), out)
    assert.are.equal(7, m.stats().connections.max_open) -- every one of them was in use at once
    code, out = t.run(("-q -w 3 -c 9 -R 30 -d 1s -u %s %s"):format(m.url, default))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("Load            3 workers x 3 connections, timeout", 1, true), out)
  end)
end)

describe("failure reasons", function()
  it("response()'s reasons and SOAP Faults are counted by reason in the summary, JSON and HTML",
    function()
      local m = t.start_mock("--fault-rate 0.2")
      local json, trace, html = t.tmpname(".json"), t.tmpname(".csv"), t.tmpname(".html")
      local script = t.script([[
function response(status, headers, body, id)
  if id:match("[05]$") then return false, "CancelOrder check failed" end
  if id:match("3$") then return false end
  return true
end
]])
      finally(function()
        m.stop()
        for _, f in ipairs({ json, trace, html, script }) do os.remove(f) end
      end)
      local code, out = t.run(("-q --json %s --trace %s --html %s -u %s -R 200 -d 1s %s")
        :format(json, trace, html, m.url, script))
      assert.are.equal(1, code, out)
      -- what each request's reason must be, from the trace's IDs and outcomes
      local cancel, none, faults = 0, 0, 0
      for line in io.lines(trace) do
        local id, outcome = line:match("^([^,]*),.*,([%a_]+),,,,$")
        if outcome == "check_failed" and id:match("[05]$") then cancel = cancel + 1 end
        if outcome == "check_failed" and id:match("3$") then none = none + 1 end
        if outcome == "soap_fault" then faults = faults + 1 end
      end
      assert.are.equal(m.stats().requests.fault_injected, faults) -- what the server answered
      assert.is_true(cancel > 0 and none > 0 and faults > 0)
      local want = {
        { "check_failed", cancel, "CancelOrder check failed" },
        { "soap_fault", faults, "soap:Server: injected fault (--fault-rate)" },
        { "check_failed", none, "(none given)" },
      }
      table.sort(want, function(a, b) return a[2] > b[2] end)
      assert.truthy(out:find("\nTop failure reasons\n", 1, true), out)
      local r = t.json.decode(t.read(json))
      assert.are.equal(0, r.failure_reasons.other)
      assert.are.equal(3, #r.failure_reasons.reasons)
      t.reasons_invariants(r)
      for _, w in ipairs(want) do
        local line = ("  %-13s %8d  %s\n"):format(w[1], w[2], w[3])
        assert.truthy(out:find(line, 1, true), line .. " in\n" .. out)
        local found
        for _, x in ipairs(r.failure_reasons.reasons) do
          if x.kind == w[1] and x.reason == w[3] then found = x.count end
        end
        assert.are.equal(w[2], found, w[3])
      end
      local dom = t.chromium_dom(html)
      assert.falsy(dom:find("data-error", 1, true))
      assert.truthy(dom:find(("<td>check_failed</td><td>%d</td><td>CancelOrder check failed</td>")
        :format(cancel), 1, true), dom:sub(1, 300))
      assert.truthy(dom:find(("<td>soap_fault</td><td>%d</td><td>soap:Server: injected fault " ..
        "(--fault-rate)</td>"):format(faults), 1, true))
    end)

  it("are bounded: the first 32 distinct kept, the rest counted as other reasons", function()
    local m = t.start_mock("")
    local json = t.tmpname(".json")
    local script = t.script([[
function response(status, headers, body, id) return false, "no good: " .. id end
]])
    finally(function() m.stop(); os.remove(json); os.remove(script) end)
    local code, out = t.run(("-q -w 1 --json %s -u %s -R 100 -d 1s %s"):format(json, m.url, script))
    assert.are.equal(1, code, out)
    assert.are.equal(100, m.stats().ids.distinct)
    local r = t.json.decode(t.read(json))
    assert.are.equal(32, #r.failure_reasons.reasons)
    assert.are.equal(68, r.failure_reasons.other)
    t.reasons_invariants(r)
    -- all count 1: the first seen come first
    assert.are.equal(("no good: P%d-R1"):format(r.workers[1].pid),
      r.failure_reasons.reasons[1].reason)
    local shown = 0
    for _ in out:gmatch("\n  check_failed         1  no good: P%d+%-R%d+") do shown = shown + 1 end
    assert.are.equal(10, shown, out)
    assert.truthy(out:find("\n  other reasons       90  (more distinct reasons than the summary " ..
      "lists or the run keeps)\n", 1, true), out)
  end)

  it("name HTTP statuses and libcurl's message for transport errors", function()
    local m = t.start_mock("")
    finally(function() m.stop() end)
    local wrong = m.url:gsub("/soap/endpoint$", "/elsewhere")
    local code, out = t.run(("-q -u %s -R 50 -d 1s %s"):format(wrong, default))
    assert.are.equal(1, code, out)
    assert.are.equal(50, m.stats().requests.not_found)
    assert.truthy(out:find("\n  http_status         50  HTTP 404\n", 1, true), out)
    -- nothing listens on the mock's port once it is stopped
    local url = m.url
    m.stop()
    code, out = t.run(("-q -u %s -R 50 -d 1s %s"):format(url, default))
    assert.are.equal(1, code, out)
    assert.truthy(out:find("\n  connect             50  Couldn't connect to server\n", 1, true),
      out)
  end)
end)

describe("the JSON, the trace and the progress line", function()
  local mock = t.shared_mock()

  it("writes JSON whose counts equal the summary's and whose seconds add up", function()
    local json = t.tmpname(".json")
    local code, out = t.run(("-q --json %s -u %s -R 300 -d 2s -w 2 %s"):format(json, mock.url,
      default))
    assert.are.equal(0, code, out)
    local r = t.json.decode(t.read(json))
    assert.are.equal("soapload-results/1", r.schema)
    -- and the JSON says what the printed summary says
    local sched, sent, not_sent, serr = out:match(
      "scheduled     (%d+) = sent (%d+) %+ not sent (%d+) %+ failed before send %d+ %+ " ..
      "script errors before send (%d+)")
    assert.are.same({ r.summary.scheduled, r.summary.sent, r.summary.not_sent,
      r.summary.script_errors_before_send },
      { tonumber(sched), tonumber(sent), tonumber(not_sent), tonumber(serr) })
    local ok, failed = out:match("sent          %d+ = ok (%d+) %+ failed (%d+)")
    assert.are.equal(tonumber(ok), r.summary.ok)
    assert.are.equal(tonumber(failed), r.summary.failed)

    assert.are.equal(600, r.summary.scheduled)
    assert.are.equal(600, r.summary.ok)
    assert.are.equal(600, r.latency.from_due.count)
    local hist_total = 0
    for _, pair in ipairs(r.latency.from_due.histogram.counts) do hist_total = hist_total + pair[2] end
    assert.are.equal(600, hist_total) -- the histogram is whole: files can be merged exactly
    local sent, ok, completed = 0, 0, 0
    for _, s in ipairs(r.intervals) do
      sent = sent + s.counts.sent
      ok = ok + s.counts.results.ok
      completed = completed + s.latency.count
    end
    assert.are.equal(600, sent)
    assert.are.equal(600, ok)
    assert.are.equal(600, completed)
    assert.are.equal(2, #r.workers)
    assert.are.equal(600, r.workers[1].counts.sent + r.workers[2].counts.sent)
    os.remove(json)
  end)

  it("writes one trace line per scheduled request, each ID once, times in order", function()
    local trace = t.tmpname(".csv")
    local code, out = t.run(("-q --trace %s -u %s -R 400 -d 2s -w 2 %s"):format(trace, mock.url,
      default))
    assert.are.equal(0, code, out)
    local lines, ids = 0, {}
    local f = assert(io.open(trace))
    assert.are.equal("id,worker_pid,local_port,due,sent,first_byte,done,status,operation,conn," ..
      "stream,outcome,flow,flow_number,step,retry", f:read("l"))
    for line in f:lines() do
      local id, pid, port, due, sent, first, done, status, outcome =
        line:match("^(P(%d+)%-R%d+),%d+,(%d+),([%d.]+),([%d.]+),([%d.]+),([%d.]+),(%d+),,%d+,%d+," ..
          "(%a+),,,,$")
      assert.truthy(id, line)
      assert.is_nil(ids[id], "duplicate " .. id)
      ids[id] = true
      assert.are.equal("ok", outcome)
      assert.are.equal("200", status)
      assert.is_true(tonumber(port) > 0)
      assert.is_true(tonumber(due) <= tonumber(sent) + 1e-6 and tonumber(sent) <= tonumber(first)
        and tonumber(first) <= tonumber(done), line)
      lines = lines + 1
    end
    f:close()
    assert.are.equal(800, lines)
    local mode = io.popen("stat -c %a " .. trace):read("l")
    assert.are.equal("600", mode)
    os.remove(trace)
  end)

  it("traces requests that were never sent or failed, one line each", function()
    local trace = t.tmpname(".csv")
    local script = t.script([[
      soapload.rate = 100
      soapload.duration = 1
      function request(id, seq)
        if seq % 5 == 0 then error("bad row") end
        return soapload.envelope(soapload.echo(id))
      end
    ]])
    local code = t.run(("-q --trace %s -u http://127.0.0.1:1/x -w 1 %s"):format(trace, script))
    assert.are.equal(1, code)
    local outcomes = {}
    for line in io.lines(trace) do
      local o = line:match(",([%a_]+),,,,$") or "header"
      outcomes[o] = (outcomes[o] or 0) + 1
    end
    assert.are.equal(80, outcomes.connect_before_send)
    assert.are.equal(20, outcomes.script_error_before_send)
    assert.are.equal(1, outcomes.header) -- the header alone: every other line has an outcome
    os.remove(trace)
    os.remove(script)
  end)

  it("refuses a malformed threshold or an unwritable output before sending", function()
    local before = mock.stats().requests.total
    for _, case in ipairs({
      { "--threshold 'p99 <'", "bad threshold 'p99 <'" },
      { "--threshold 'latency < 5ms'", "unknown metric 'latency'" },
      { "--threshold 'rate < 5ms'", "unit 'ms' does not fit metric 'rate'" },
      { "--json /nonexistent/dir/r.json", "cannot write /nonexistent/dir/r.json" },
      { "--trace /nonexistent/t.csv", "cannot write /nonexistent/t.csv" },
    }) do
      local code, _, err = t.run(("%s -u %s -R 10 -d 1s %s"):format(case[1], mock.url,
        default))
      assert.are.equal(2, code, case[1])
      assert.truthy(err:find(case[2], 1, true), case[1] .. " -> " .. err)
    end
    local link = t.tmpname(".lnk")
    os.execute("ln -s /tmp/soapload-target-" .. os.time() .. " " .. link)
    local code, _, err = t.run(("--json %s -u %s -R 10 -d 1s %s"):format(link, mock.url,
      default))
    assert.are.equal(2, code)
    assert.truthy(err:find("it is a symbolic link", 1, true), err)
    os.remove(link)
    assert.are.equal(before, mock.stats().requests.total)
  end)

  it("prints a progress line per second: plain lines off a terminal, none with --quiet",
    function()
      local code, _, err = t.run(("--progress always -u %s -R 100 -d 2s %s"):format(mock.url,
        default))
      assert.are.equal(0, code)
      assert.truthy(err:find("\n   1/2s %[##########%-%-%-%-%-%-%-%-%-%-%] %d+/100 req/s, in flight %d+, " ..
        "errors 0, p99 %d"), err)
      assert.truthy(err:find("\n   2/2s %[####################%]"), err)
      assert.falsy(err:find("\r", 1, true))
      code, _, err = t.run(("-q --progress always -u %s -R 100 -d 1s %s"):format(mock.url,
        default))
      assert.are.equal("", err)
      code, _, err = t.run(("-u %s -R 100 -d 1s %s"):format(mock.url, default))
      assert.falsy(err:find("req/s, in flight", 1, true)) -- auto: stderr is no terminal here
    end)

  it("redraws one line on a terminal", function()
    -- script(1) gives soapload a pseudo-terminal; --progress auto sees a terminal there
    local p = io.popen(("script -qec %s /dev/null"):format(t.quote(("%s -u %s -R 100 -d 2s %s")
      :format(t.quote(t.bin), mock.url, default))))
    local tty = p:read("a")
    p:close()
    assert.truthy(tty:find("\r\27%[K   1/2s %[", 1), tty)
    assert.truthy(tty:find("\r\27%[K   2/2s %[####################%]", 1), tty)
    assert.truthy(tty:find("Result          PASS", 1, true), tty)
  end)
end)
