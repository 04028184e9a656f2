-- The proof of concurrency across machines (soapload merge --trace): segment processes started
-- at one --start-at against one real mock, each with its own --trace and --json; the bursts
-- listed come from distinct segments, were sent within the window and in flight together by
-- the traces themselves, and the reconciliation finds every ID once in the mock's log. Started
-- 1 s apart, the segments make no burst together, and the command says so with exit 1. Bad
-- input (a missing file, another format, mixed runs) is refused with exit 2.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

-- each segment one worker; bursts of 3 due at once every 20 ms: global requests k, k+1, k+2
-- are due together and go to segments 0, 1, 2 (k mod 3). The mock holds each request 5 ms, so
-- requests due together are in flight together.
local SEGMENTS, RATE = 3, 150
local LOAD = ("-R %d -d 1s -c 6 -w 1 --burst %d --seed 11"):format(RATE, SEGMENTS)

-- Epoch seconds of "YYYY-MM-DD HH:MM:SS.ffffff" (UTC), without the local time zone.
local function utc_seconds(text)
  local y, mo, d, h, mi, s, us = text:match("^(%d+)-(%d+)-(%d+) (%d+):(%d+):(%d+)%.(%d+)$")
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (mo + (mo > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s), tonumber(us)
end

-- "sec.micros" of a trace as (seconds, micros)
local function trace_time(text)
  local s, us = text:match("^(%d+)%.(%d+)$")
  return tonumber(s), tonumber(us)
end

-- The trace's lines by ID: {sent = {s, us}, done = {s, us}, pid, port}
local function read_trace(path)
  local by_id, first = {}, true
  for line in io.lines(path) do
    if first then
      assert.are.equal("id,worker_pid,local_port,due,sent,first_byte,done,status,operation," ..
        "conn,stream,outcome,flow,flow_number,step,retry", line)
      first = false
    else
      local f = {}
      for field in (line .. ","):gmatch("([^,]*),") do f[#f + 1] = field end
      if f[5] ~= "" then
        by_id[f[1]] = { pid = tonumber(f[2]), port = tonumber(f[3]), sent = { trace_time(f[5]) },
                        done = { trace_time(f[7]) } }
      end
    end
  end
  return by_id
end

-- The bursts a proof lists: {count, segments, span, members = {{time, segment, port, pid, id}}}
local function listed_bursts(out)
  local bursts, current = {}, nil
  for line in out:gmatch("[^\n]+") do
    local count, segs, span = line:match("^  #%d+  (%d+) requests from (%d+) segments within ([%d.]+) s$")
    if not count then
      count, segs, span = line:match("^Largest burst   (%d+) requests from (%d+) segments within ([%d.]+) s")
    end
    if count then
      current = { count = tonumber(count), segments = tonumber(segs), span = tonumber(span),
                  members = {} }
      bursts[#bursts + 1] = current
    else
      local when, seg, port, pid, id = line:match(
        "^      (%d+%-%d+%-%d+ [%d:]+%.%d+)  segment (%d+)%s+port (%d+)%s+pid (%d+)%s+(%S+)$")
      if when then
        current.members[#current.members + 1] = { time = when, segment = tonumber(seg),
          port = tonumber(port), pid = tonumber(pid), id = id }
      end
    end
  end
  return bursts
end

-- Starts SEGMENTS segment processes at the start times given (one per segment); returns the
-- trace and result paths after they all exited 0.
local function run_segments(mock, starts, files)
  local runs = {}
  for i = 0, SEGMENTS - 1 do
    local trace, result = t.tmpname(".csv"), t.tmpname(".json")
    files.traces[i + 1], files.results[i + 1] = trace, result
    runs[i + 1] = t.spawn(("-q --segment %d/%d --start-at %s --trace %s --json %s -u %s %s %s")
      :format(i, SEGMENTS, starts[i + 1], trace, result, mock.url, LOAD, files.script))
  end
  for i = 1, SEGMENTS do
    local code, _, err = runs[i].wait(30)
    assert(code == 0, ("segment %d exited %s: %s"):format(i - 1, tostring(code), err))
  end
end

describe("soapload merge --trace", function()
  local mock, idlog, stats
  local files = { traces = {}, results = {}, script = t.script("soapload = {}\n") }

  setup(function()
    idlog = t.tmpname(".ids")
    mock = t.start_mock("-d 5ms --id-log " .. t.quote(idlog))
    local at = t.start_time(2)
    run_segments(mock, { at, at, at }, files)
    stats = mock.stats()
    mock.stop() -- the ID log is complete once it stopped
  end)
  teardown(function()
    mock.stop()
    os.remove(idlog)
    for _, list in ipairs({ files.traces, files.results }) do
      for _, f in ipairs(list) do os.remove(f) end
    end
  end)

  it("lists bursts of distinct segments in flight together within 1 ms, on the server's " ..
     "clock, and every ID once at the mock", function()
    local code, out, err = t.run(("merge --trace %s %s --id-log %s"):format(
      table.concat(files.traces, " "), table.concat(files.results, " "), idlog))
    assert.are.equal(0, code, err .. out)
    assert.matches("Across segments: 3 traces, bursts of >= 2 requests from >= 2 segments in " ..
      "flight together, sent and due within 1.000 ms", out, 1, true)
    -- each trace's row, and the clock offsets of the results applied
    for i = 0, SEGMENTS - 1 do
      assert.matches(("  segment %d     %s: 50 sent by 1 process"):format(i, files.traces[i + 1]),
        out, 1, true)
    end
    assert.matches("Clock           each segment's times moved onto the server's clock by its " ..
      "offset", out, 1, true)
    local n = tonumber(out:match("Bursts          (%d+) across segments"))
    assert.is_true(n ~= nil and n >= 1, out)
    assert.matches("Result          requests of distinct segments were in flight together", out,
      1, true)
    local bursts = listed_bursts(out)
    assert.is_true(#bursts >= 2, out) -- the largest, then the tightest
    for _, b in ipairs(bursts) do
      local segs, n_segs = {}, 0
      for _, m in ipairs(b.members) do
        assert.matches(("^S%d%%-P%d%%-R%%d+$"):format(m.segment, m.pid), m.id)
        if not segs[m.segment] then n_segs = n_segs + 1 end
        segs[m.segment] = true
      end
      assert.are.equal(b.count, #b.members)
      assert.are.equal(b.segments, n_segs)
      assert.is_true(n_segs >= 2)
      assert.is_true(b.span <= 0.001, out)
    end
    -- the server: every ID of every segment once
    assert.are.equal(RATE, stats.ids.distinct)
    assert.are.equal(0, stats.ids.duplicates)
    assert.matches(("  sent        %d\n  received    %d\n  matched     %d (received exactly " ..
      "once)"):format(RATE, RATE, RATE), out, 1, true)
    assert.matches("every ID sent was received exactly once", out, 1, true)
  end)

  it("from the traces alone: the listed times are the traces', in flight together by them",
     function()
    local code, out, err = t.run(("merge --trace %s --window 1ms"):format(
      table.concat(files.traces, " ")))
    assert.are.equal(0, code, err .. out)
    assert.matches("Clock           not corrected: no result given of segment 0", out, 1, true)
    local by_id = {}
    for _, path in ipairs(files.traces) do
      for id, line in pairs(read_trace(path)) do by_id[id] = line end
    end
    for _, b in ipairs(listed_bursts(out)) do
      local first, last, first_done = math.huge, -math.huge, math.huge
      for _, m in ipairs(b.members) do
        local line = assert(by_id[m.id], "no trace line of " .. m.id)
        local s, us = utc_seconds(m.time)
        assert.are.same(line.sent, { s, us }, m.id)
        assert.are.equal(line.pid, m.pid)
        assert.are.equal(line.port, m.port)
        local sent = (line.sent[1] - 1.7e9) * 1e6 + line.sent[2]
        local done = (line.done[1] - 1.7e9) * 1e6 + line.done[2]
        first, last, first_done = math.min(first, sent), math.max(last, sent),
                                  math.min(first_done, done)
      end
      assert.is_true(last - first <= 1000, "spread over more than 1 ms")
      assert.are.equal(("%.6f"):format((last - first) / 1e6), ("%.6f"):format(b.span))
      assert.is_true(last < first_done, "the last was sent after the first ended")
    end
  end)

  it("reads traces written before the flow columns as it reads today's", function()
    local old = {}
    finally(function() for _, f in ipairs(old) do os.remove(f) end end)
    for i, path in ipairs(files.traces) do
      -- the four flow columns (empty: no flows) cut from the header and from every line
      local text = t.read(path):gsub(",flow,flow_number,step,retry\n", "\n", 1):gsub(",,,,\n", "\n")
      assert.falsy(text:find("flow_number", 1, true))
      old[i] = t.write(t.tmpname(".csv"), text)
    end
    local code, out, err = t.run(("merge --trace %s %s --id-log %s"):format(
      table.concat(old, " "), table.concat(files.results, " "), idlog))
    local want_code, want = t.run(("merge --trace %s %s --id-log %s"):format(
      table.concat(files.traces, " "), table.concat(files.results, " "), idlog))
    assert.are.equal(0, code, err .. out)
    assert.are.equal(want_code, code)
    for i = 1, #old do want = want:gsub(files.traces[i]:gsub("%p", "%%%0"), old[i]) end
    assert.are.equal(want, out)
  end)

  it("refuses bad input with exit 2: a missing file, another format, mixed runs", function()
    local joined, other, empty = t.tmpname(".csv"), t.tmpname(".json"), t.tmpname(".csv")
    finally(function() os.remove(joined); os.remove(other); os.remove(empty) end)
    t.write(empty, t.read(files.traces[1]):match("^[^\n]*\n")) -- the header alone
    local t0, t1, t2 = files.traces[1], files.traces[2], files.traces[3]
    -- two segments' traces in one file
    t.write(joined, t.read(t0) .. t.read(t1):gsub("^[^\n]*\n", ""))
    -- a result of another segment's run: its pids are not the trace's
    t.write(other, (t.read(files.results[1]):gsub('"segment": "0/3"', '"segment": "1/3"')))
    local cases = {
      { t0 .. " /nonexistent.csv", "/nonexistent.csv: cannot read it: No such file or directory" },
      { t0 .. " " .. idlog, idlog .. ": not a soapload trace (its first line is not the header" },
      { t0, "one trace given: the proof across segments needs the traces of at least 2" },
      { t0 .. " " .. empty, empty .. ": no request in it was sent: nothing to prove with" },
      { t0 .. " " .. t0, ("%s and %s are both segment 0: one trace per segment"):format(t0, t0) },
      { joined .. " " .. t2, joined .. ": line 52 is a request of segment 1" },
      { t0 .. " " .. t1 .. " " .. other, ("%s and %s are not the same run: pid"):format(t1, other) },
      { t0 .. " " .. t1 .. " " .. files.results[1] .. " " .. files.results[1],
        "are both segment 0: one result per segment" },
      { t0 .. " " .. t1 .. " --window 0", "bad value '0' for --window" },
      { t0 .. " " .. t1 .. " --id-log /nonexistent.ids", "/nonexistent.ids: cannot read it" },
    }
    for _, c in ipairs(cases) do
      local code, out, err = t.run("merge --trace " .. c[1])
      assert.are.equal(2, code, c[1] .. ": " .. err)
      assert.matches(c[2], err, 1, true)
      assert.are.equal("", out)
    end
  end)
end)

describe("soapload merge --trace, segments started 1 s apart", function()
  it("finds no burst across segments, says so, exits 1; the IDs still reconcile", function()
    local idlog = t.tmpname(".ids")
    local mock = t.start_mock("-d 5ms --id-log " .. t.quote(idlog))
    local files = { traces = {}, results = {}, script = t.script("soapload = {}\n") }
    finally(function()
      mock.stop()
      os.remove(idlog)
      for _, list in ipairs({ files.traces, files.results }) do
        for _, f in ipairs(list) do os.remove(f) end
      end
    end)
    local at = t.now() + 2
    -- 1 s runs, one after the other: segment i from at + i s
    run_segments(mock, { ("%.3f"):format(at), ("%.3f"):format(at + 1), ("%.3f"):format(at + 2) },
      files)
    mock.stop()
    local code, out, err = t.run(("merge --trace %s %s --id-log %s"):format(
      table.concat(files.traces, " "), table.concat(files.results, " "), idlog))
    assert.are.equal(1, code, err .. out)
    assert.matches(("Bursts          none: no 2 requests from 2 segments were in flight together " ..
      "within 1.000 ms (of %d requests sent)"):format(RATE), out, 1, true)
    assert.matches("Result          NO BURST ACROSS SEGMENTS", out, 1, true)
    assert.matches("every ID sent was received exactly once", out, 1, true)
  end)
end)
