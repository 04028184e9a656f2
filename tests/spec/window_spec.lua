-- --send-window T: requests leave only on a grid of step T from the run's start, each at the
-- first point of the grid at or after its due time (late by less than T, never early); the
-- counts stay exact, bursts under a window below 1 ms still qualify, the summary and the JSON
-- say so, merge keeps it or refuses a mismatch, and bad values are refused before anything is
-- sent.
local t = require("support")

-- A trace time ("1795802579.231060", seconds since 1970 with microseconds) in whole us.
local function us(text)
  local s, f = text:match("^(%d+)%.(%d+)$")
  return tonumber(s) * 1000000 + tonumber((f .. "000000"):sub(1, 6))
end

-- The due and sent times (us) of the trace's sent requests.
local function trace_times(path)
  local rows = {}
  for line in io.lines(path) do
    local due, sent = line:match("^[^,]*,[^,]*,%d+,([%d.]+),([%d.]+),")
    if due then rows[#rows + 1] = { due = us(due), sent = us(sent) } end
  end
  os.remove(path)
  return rows
end

describe("--send-window", function()
  local finally
  local mock = t.shared_mock("-t 1")
  before_each(function()
    mock.reset()
    finally = t.chained(function(fn) return finally(fn) end)
  end)

  local function run_script(args, text)
    local s = t.script(text)
    local code, out, err = t.run(args .. " " .. s)
    os.remove(s)
    return code, out, err
  end

  it("2ms at 501/s for 2 s: no request leaves before the grid point at or after its due time",
     function()
    local json, trace, merged = t.tmpname(".json"), t.tmpname(".csv"), t.tmpname(".json")
    finally(function() os.remove(json); os.remove(merged) end)
    local code, out, err = run_script(
      "-R 501 -d 2s -w 2 -c 4 --send-window 2ms --json " .. json .. " --trace " .. trace,
      ("soapload.url = %q\n"):format(mock.url))
    -- a loaded machine can stall a worker for hundreds of ms (with or without a window): what
    -- it then could not send in time is not sent, and counted so
    assert.is_true(code == 0 or code == 1, out .. err)
    local r = t.json.decode((assert(t.read(json))))
    local sent = r.summary.sent
    assert.are.equal(1002, r.summary.scheduled)
    assert.are.equal(1002, sent + r.summary.not_sent)
    assert.are.equal(sent, mock.stats().requests.echo)
    if code == 0 then assert.are.equal(1002, sent) end
    -- the grid divides a second: each second's requests are sent and counted in it (request
    -- 500, due 0.998004 s in, waits for the point at 1 s, which closes the first second); a
    -- stall with both connections busy across a second's end would move some, as it would
    -- without a window
    if code == 0 and r.latency.send_lateness.max < 100000 then
      assert.are.equal(501, r.intervals[1].counts.scheduled)
      assert.are.equal(501, r.intervals[2].counts.scheduled)
    end
    assert.are.equal(0.002, r.settings.send_window_s)
    assert.truthy(out:find("\nSend window     2.00ms: sends up to 2.00ms late (never early) to " ..
      "save wake-ups\n", 1, true), out)

    local rows = trace_times(trace)
    assert.are.equal(sent, #rows)
    -- request 0 is due at the start: the grid's origin
    local t0 = math.huge
    for _, row in ipairs(rows) do t0 = math.min(t0, row.due) end
    local early, late = 0, {}
    for _, row in ipairs(rows) do
      local point = t0 + (row.due - t0 + 1999) // 2000 * 2000
      -- 2 us for the trace's rounding of due, sent and the origin to whole microseconds
      if row.sent < point - 2 then early = early + 1 end
      late[#late + 1] = row.sent - row.due
    end
    -- without a window nearly every other request leaves before its grid point
    assert.are.equal(0, early)
    table.sort(late)
    local p50 = late[#late // 2]
    -- 501/s puts the due times all over the 2 ms windows: waiting for the grid makes the
    -- median lateness about 1 ms (exact pacing: tens of us); under 2 ms plus a generous slack
    -- for a loaded machine's stalls
    assert.is_true(p50 >= 500, "p50 lateness " .. p50 .. " us")
    assert.is_true(p50 <= 2000 + 200000, "p50 lateness " .. p50 .. " us")

    -- merge keeps the setting, and refuses files with another window
    code, out, err = t.run(("merge %s --json %s"):format(json, merged)) -- one run: once
    assert.are.equal(0, code, out .. err)
    assert.are.equal(0.002, t.json.decode((assert(t.read(merged)))).settings.send_window_s)
    local other = t.tmpname(".json")
    finally(function() os.remove(other) end)
    local text = (assert(t.read(json))):gsub('"send_window_s": 0%.002000', '"send_window_s": 0.001000')
    t.write(other, text)
    code, out, err = t.run(("merge %s %s"):format(json, other))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(other .. ": settings.send_window_s is 0.001, but " .. json ..
      " has 0.002: these results do not merge", 1, true), err)
  end)

  it("500us keeps the default run's bursts of 4: due at one instant, sent in one wake-up", function()
    local json = t.tmpname(".json")
    finally(function() os.remove(json) end)
    local code, out, err = t.run(("-R 1000 -d 1s -u %s --send-window 500us --json %s %s"):format(
      mock.url, json, t.root .. "/scripts/examples/default.lua"))
    assert.is_true(code == 0 or code == 1, out .. err) -- 1: a stalled worker's not sent
    local r = t.json.decode((assert(t.read(json))))
    assert.are.equal(1000, r.summary.scheduled)
    assert.are.equal(1000, r.summary.sent + r.summary.not_sent)
    assert.are.equal(r.summary.sent, mock.stats().requests.echo)
    -- the window is under 1 ms: the bursts still qualify, each from >= 2 workers within 1 ms
    assert.is_true(#r.concurrency.bursts >= 1, out)
    for b, burst in ipairs(r.concurrency.bursts) do
      local pids, npids, first, last = {}, 0, math.huge, 0
      assert.is_true(#burst.requests >= 4, ("burst %d: %d requests"):format(b, #burst.requests))
      for _, q in ipairs(burst.requests) do
        if not pids[q.pid] then pids[q.pid] = true; npids = npids + 1 end
        first, last = math.min(first, q.sent_us), math.max(last, q.sent_us)
      end
      assert.is_true(npids >= 2, ("burst %d from one process"):format(b))
      assert.is_true(last - first <= 1000, ("burst %d spans %d us"):format(b, last - first))
    end
    assert.truthy(out:find("Tightest bursts of >= 4 requests in flight together on distinct " ..
      "connections from >= 2 workers, due and sent within 1 ms", 1, true), out)
  end)

  it("is off by default and set from the script as soapload.send_window", function()
    local json = t.tmpname(".json")
    finally(function() os.remove(json) end)
    local code, out, err = run_script("-R 100 -d 0.5s -w 1 -c 2 --json " .. json,
      ("soapload.url = %q\n"):format(mock.url))
    assert.is_true(code == 0 or code == 1, out .. err)
    assert.is_nil(out:find("Send window", 1, true), out)
    local sent = t.count(out, "\n  sent%s+(%d+) =")
    assert.are.equal(0, t.json.decode((assert(t.read(json)))).settings.send_window_s)
    code, out, err = run_script("-R 100 -d 0.5s -w 1 -c 2",
      ("soapload.url = %q\nsoapload.send_window = \"500us\"\n"):format(mock.url))
    assert.is_true(code == 0 or code == 1, out .. err)
    assert.truthy(out:find("\nSend window     500us: sends up to 500us late (never early)", 1, true),
      out)
    sent = sent + t.count(out, "\n  sent%s+(%d+) =")
    assert.are.equal(sent, mock.stats().requests.echo)
  end)

  it("refuses negative, too large, uneven and closed-model windows before sending", function()
    local url = ("soapload.url = %q\n"):format(mock.url)
    local wants = "it wants 0 (off) or a duration of at most 10ms that divides a second, such " ..
      "as 500us or 1ms"
    for _, v in ipairs({ "-1ms", "20ms", "10.5ms", "1", "3ms", "soon" }) do
      local code, out, err = run_script("-R 100 -d 1s --send-window " .. v, url)
      assert.are.equal(2, code, v .. out .. err)
      assert.truthy(err:find("bad value '" .. v .. "' for --send-window: " .. wants, 1, true), err)
    end
    local code, out, err = run_script("-R 100 -d 1s", url .. "soapload.send_window = \"11ms\"\n")
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("bad value '11ms' for soapload.send_window: " .. wants, 1, true), err)
    code, out, err = run_script("--closed -d 1s --send-window 1ms", url)
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("--send-window batches the open model's schedule: the closed model " ..
      "has none", 1, true), err)
    code, out, err = run_script("-d 1s", url .. "soapload.model = \"closed\"\n" ..
      "soapload.send_window = \"1ms\"\n")
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("soapload.send_window batches the open model's schedule", 1, true), err)
    assert.are.equal(0, mock.stats().requests.total) -- nothing was sent
    -- 0 is off, with or without a unit
    for _, v in ipairs({ "0", "0ms" }) do
      code, out, err = run_script("-R 100 -d 0.2s -w 1 -c 1 --send-window " .. v, url)
      assert.is_true(code == 0 or code == 1, v .. out .. err)
      assert.truthy(out:find("\n  scheduled     20 = sent ", 1, true), out)
      assert.is_nil(out:find("Send window", 1, true), out)
    end
  end)
end)
