-- --abort-on-fail: a threshold of the whole run that has failed for the given time stops the
-- run. Sending stops, what is in flight ends, every scheduled request is still accounted for
-- (the rest of the schedule as not sent, "aborted"), exit 3, and the summary, JSON and trace
-- say when and why. Counts are checked against the mock's.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local default = t.root .. "/scripts/examples/default.lua"

-- The outcomes of a --trace file, counted.
local function outcomes(path)
  local n = {}
  local first = true
  for line in io.lines(path) do
    if first then
      first = false
    else
      local o = line:match("([^,]*),[^,]*,[^,]*,[^,]*,[^,]*$") -- outcome, then the flow columns
      n[o] = (n[o] or 0) + 1
    end
  end
  return n
end

describe("--abort-on-fail", function()
  local faulty, fine
  setup(function()
    faulty = t.start_mock("--threads 1 --fault-rate 1")
    fine = t.start_mock("--threads 1")
  end)
  teardown(function()
    if faulty then faulty.stop() end
    if fine then fine.stop() end
  end)
  before_each(function()
    faulty.reset()
    fine.reset()
  end)

  it("stops a run whose error_rate fails for 1 s: the rest not sent (aborted), exit 3", function()
    local json, trace = t.tmpname(".json"), t.tmpname(".csv")
    finally(function() os.remove(json); os.remove(trace) end)
    local code, out, err, elapsed = t.run(("-q -u %s -R 100 -d 10s -w 2 -c 4 --threshold " ..
      "'error_rate < 1%%' --abort-on-fail 1s --json %s --trace %s %s")
      :format(faulty.url, json, trace, default))
    assert.are.equal(3, code, out .. err)
    assert.is_true(elapsed < 7, "took " .. elapsed)
    local c = t.invariants(out)
    local s = faulty.stats()
    -- the whole schedule is accounted for: what was sent, and the rest not sent
    assert.are.equal(1000, c.scheduled)
    assert.are.equal(c.sent, s.requests.total)
    assert.are.equal(c.sent, s.requests.fault_injected)
    assert.are.equal(c.sent, c.failed)
    assert.are.equal(0, c.before)
    assert.are.equal(1000, c.sent + c.not_sent)
    assert.is_true(c.not_sent >= 500, out) -- stopped within the first half
    local at, why, aborted = out:match("\nAborted         at ([%d.]+) s: (.-); sending stopped " ..
      "there, (%d+) scheduled requests not sent %(aborted%)\n")
    assert.truthy(at, out)
    -- evaluated at the end of seconds 1 and 2: failed at both, so it stops at about 2 s
    assert.is_true(tonumber(at) >= 1.9 and tonumber(at) < 5, out)
    assert.are.equal("threshold 'error_rate < 1%' failed at each second from 1 s to 2 s " ..
      "(measured 100%; --abort-on-fail 1s)", why)
    assert.are.equal(c.not_sent, tonumber(aborted))
    assert.truthy(out:find("\nResult          FAIL: a threshold failed: the run was aborted\n",
      1, true), out)
    local j = t.json.decode(t.read(json))
    assert.are.equal(c.not_sent, j.aborted.not_sent)
    assert.are.equal(why, j.aborted.reason)
    assert.is_true(math.abs(j.aborted.at_s - tonumber(at)) < 0.001)
    assert.are.equal(1000, j.summary.scheduled)
    assert.are.equal(c.not_sent, j.summary.not_sent)
    -- one trace line per scheduled request; the ones never sent say why
    local n = outcomes(trace)
    assert.are.equal(c.sent, n.soap_fault)
    assert.are.equal(c.not_sent, n.aborted)
    assert.is_nil(n.not_sent)
  end)

  it("an hour's schedule aborted at 1 s ends in seconds: the rest counted by the second it " ..
    "was due in", function()
    local json = t.tmpname(".json")
    finally(function() os.remove(json) end)
    local code, out, err, elapsed = t.run(("-q -u %s -R 1000 -d 1h -w 2 -c 8 --threshold " ..
      "'error_rate < 1%%' --abort-on-fail 0s --json %s %s"):format(faulty.url, json, default))
    assert.are.equal(3, code, out .. err)
    -- (before: the rest was counted one entry at a time, 86.4 M of them took 9 s at -d 24h)
    assert.is_true(elapsed < 6, "took " .. elapsed)
    local c = t.invariants(out)
    local s = faulty.stats()
    assert.are.equal(3600000, c.scheduled)
    assert.are.equal(3600000, c.sent + c.not_sent)
    assert.are.equal(0, c.before)
    assert.are.equal(c.sent, s.requests.total)
    assert.are.equal(c.sent, s.requests.fault_injected)
    assert.are.equal(c.sent, c.failed)
    local aborted = tonumber(out:match(", (%d+) scheduled requests not sent %(aborted%)\n"))
    assert.is_true(aborted <= c.not_sent and aborted > 3590000, out)
    local j = t.json.decode(t.read(json))
    assert.are.equal(aborted, j.aborted.not_sent)
    -- every second of the hour is an interval holding what was due in it, as the schedule
    -- says (1,000 each); the rest is not sent in the seconds it was due in. (before: the
    -- intervals ended with the run, the abort's second holding the whole rest)
    assert.are.equal(3600, #j.intervals)
    local scheduled, sent, not_sent = 0, 0, 0
    for i, iv in ipairs(j.intervals) do
      assert.are.equal(i - 1, iv.second)
      assert.are.equal(1000, iv.counts.scheduled, "second " .. iv.second)
      assert.are.equal(iv.target, iv.counts.scheduled)
      scheduled = scheduled + iv.counts.scheduled
      sent = sent + iv.counts.sent
      not_sent = not_sent + iv.counts.not_sent
      if iv.second >= 3 then
        assert.are.equal(0, iv.counts.sent)
        assert.are.equal(1000, iv.counts.not_sent)
      end
    end
    assert.are.equal(3600000, scheduled)
    assert.are.equal(c.sent, sent)
    assert.are.equal(c.not_sent, not_sent)
  end)

  it("0s stops at the first failing second; a latency threshold too", function()
    local code, out = t.run(("-q -u %s -R 100 -d 10s -w 1 -c 2 --threshold 'error_rate < 1%%' " ..
      "--abort-on-fail 0s %s"):format(faulty.url, default))
    assert.are.equal(3, code, out)
    local c = t.invariants(out)
    assert.are.equal(1000, c.scheduled)
    assert.are.equal(c.sent, faulty.stats().requests.total)
    assert.truthy(out:find("threshold 'error_rate < 1%' failed at 1 s (measured 100%; " ..
      "--abort-on-fail 0s)", 1, true), out)

    local slow = t.start_mock("--threads 1 --delay 100ms")
    finally(function() slow.stop() end)
    code, out = t.run(("-q -u %s -R 20 -d 10s -w 1 -c 4 --threshold 'p99 < 50ms' " ..
      "--abort-on-fail 0s %s"):format(slow.url, default))
    assert.are.equal(3, code, out)
    c = t.invariants(out)
    assert.are.equal(200, c.scheduled)
    assert.are.equal(c.sent, slow.stats().requests.echo)
    assert.are.equal(c.sent, c.ok)
    assert.truthy(out:find("threshold 'p99 < 50ms' failed at 1 s (measured 1", 1, true), out)
  end)

  it("a threshold that holds lets the run end as scheduled, exit 0", function()
    local json = t.tmpname(".json")
    finally(function() os.remove(json) end)
    local code, out = t.run(("-q -u %s -R 100 -d 2s -w 2 -c 4 --threshold 'error_rate < 1%%' " ..
      "--threshold 'p99 < 2s' --abort-on-fail 0s --json %s %s"):format(fine.url, json, default))
    assert.are.equal(0, code, out)
    local c = t.invariants(out)
    assert.are.equal(200, c.scheduled)
    assert.are.equal(200, c.ok)
    assert.are.equal(200, fine.stats().requests.echo)
    assert.falsy(out:find("Aborted", 1, true), out)
    assert.are.equal(t.json.null, t.json.decode(t.read(json)).aborted)
  end)

  it("a threshold failing only when the schedule is over stops nothing: no Aborted, exit 3",
    function()
      -- (the last second is reported after the schedule's end: it said "Aborted at 1.000 s ...
      -- sending stopped there, 0 scheduled requests not sent" and "the run was aborted")
      local json = t.tmpname(".json")
      finally(function() os.remove(json) end)
      local code, out = t.run(("-q -u %s -R 50 -d 1s -w 1 -c 2 --threshold 'error_rate < 1%%' " ..
        "--abort-on-fail 0s --json %s %s"):format(faulty.url, json, default))
      assert.are.equal(3, code, out)
      local c = t.invariants(out)
      assert.are.equal(50, c.scheduled)
      assert.are.equal(50, c.sent)
      assert.are.equal(50, faulty.stats().requests.fault_injected)
      assert.falsy(out:find("Aborted", 1, true), out)
      assert.truthy(out:find("\nResult          FAIL: a threshold failed\n", 1, true), out)
      assert.are.equal(t.json.null, t.json.decode(t.read(json)).aborted)
    end)

  it("the closed model stops too: what it started is what it scheduled", function()
    local code, out = t.run(("-q --closed -u %s -d 10s -w 1 -c 2 --threshold " ..
      "'error_rate < 1%%' --abort-on-fail 1s %s"):format(faulty.url, default))
    assert.are.equal(3, code, out)
    local c = t.invariants(out)
    assert.are.equal(c.scheduled, c.sent)
    assert.are.equal(c.sent, faulty.stats().requests.total)
    assert.truthy(out:find("sending stopped there, 0 scheduled requests not sent (aborted)", 1,
      true), out)
  end)

  it("is refused without a threshold it can evaluate, or with a fraction of a second", function()
    local cases = {
      { "--abort-on-fail 1s", "--abort-on-fail stops a run on a failed threshold: give one " ..
        "with --threshold EXPR" },
      { "--threshold 'service_p99 < 1s' --abort-on-fail 1s", "--abort-on-fail: no threshold " ..
        "can be evaluated during the run" },
      { "--threshold 'p99 < 1s' --abort-on-fail 1500ms", "bad value '1500ms' for " ..
        "--abort-on-fail: it wants a whole number of seconds" },
    }
    for _, case in ipairs(cases) do
      local code, out, err = t.run(("-u %s -R 10 -d 1s %s %s"):format(fine.url, case[1], default))
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find(case[2], 1, true), err)
    end
    assert.are.equal(0, fine.stats().requests.total)
  end)
end)
