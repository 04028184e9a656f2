-- Load shapes: open-model stages and -R A:B ramps whose per-second counts are the integral's
-- shares, Poisson arrivals repeatable from a seed, closed-model connections that ramp in stages
-- and think between requests, and the shapes that make no sense refused before anything is sent.
local t = require("support")

local function decode(path)
  local text = assert(t.read(path), "no JSON written")
  os.remove(path)
  return t.json.decode(text)
end

-- The due offsets in seconds from a trace, relative to the first, in due order.
local function due_offsets(path)
  local dues = {}
  for line in io.lines(path) do
    local due = line:match("^[^,]*,[^,]*,[^,]*,([%d.]+),")
    if due then dues[#dues + 1] = tonumber(due) end
  end
  os.remove(path)
  table.sort(dues)
  local first = dues[1]
  for i = 1, #dues do dues[i] = dues[i] - first end
  return dues
end

-- The trace's rows: port, sent and done times (seconds since 1970) of requests that were sent.
local function trace_rows(path)
  local rows = {}
  for line in io.lines(path) do
    local port, sent, done = line:match("^[^,]*,[^,]*,(%d+),[%d.]+,([%d.]+),[%d.]*,([%d.]+),")
    if port and tonumber(sent) > 0 then
      rows[#rows + 1] = { port = tonumber(port), sent = tonumber(sent), done = tonumber(done) }
    end
  end
  os.remove(path)
  table.sort(rows, function(a, b) return a.sent < b.sent end)
  return rows
end

-- How many due times fall in each second from the first (request 0 of a ramp from 0 is due
-- at the start), with 10 us for the trace's rounding.
local function per_second(offsets)
  local per = {}
  for _, o in ipairs(offsets) do
    local s = math.floor(o + 1e-5) + 1
    per[s] = (per[s] or 0) + 1
  end
  return per
end

describe("load shapes", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  local function run_script(args, text)
    local s = t.script(text)
    local code, out, err = t.run(args .. " " .. s)
    os.remove(s)
    return code, out, err
  end

  it("a ramp from 0 to 200/s over 4 s and a 2 s hold send the integral's share each second", function()
    local json, trace = t.tmpname(".json"), t.tmpname(".csv")
    local code, out, err = run_script("-w 2 -c 20 --json " .. json .. " --trace " .. trace, ([[
soapload.url = %q
soapload.stages = {{duration = "4s", target = 200}, {duration = "2s", target = 200}}
]]):format(mock.url))
    -- on a loaded machine some may not be sent in time: they keep their due times
    assert.is_true(code == 0 or code == 1, out .. err)
    local r = decode(json)
    local per = per_second(due_offsets(trace))
    local want = { 25, 75, 125, 175, 200, 200 }
    for s, n in ipairs(want) do
      local iv = r.intervals[s]
      assert.are.equal(s - 1, iv.second)
      assert.are.equal(n, iv.target)
      assert.are.equal(n, per[s])
    end
    for s = #want + 1, #r.intervals do assert.are.equal(0, r.intervals[s].target) end
    assert.are.equal(#want, #per)
    assert.are.equal(800, r.summary.scheduled)
    assert.are.equal(800, r.summary.sent + r.summary.not_sent)
    assert.are.equal(r.summary.sent, mock.stats().requests.echo)
    assert.are.equal(0, r.settings.stages_from)
    assert.are.equal(200, r.settings.stages[1].target)
    assert.truthy(out:find("Model           open: 0 -> 200 req/s over 4 s, then 200 req/s for 2 s " ..
      "(6.00 s, mean 133.3 req/s)", 1, true), out)
    assert.truthy(out:find("rate          target 133.3/s", 1, true), out)
    assert.truthy(out:find("Stages          stage  seconds            target  scheduled       sent\n" ..
      "                    1  0-4                400.0  ", 1, true), out)
    assert.truthy(out:find("\n                    2  4-6                400.0  ", 1, true), out)
    if code == 0 then -- every request sent when due: each second's counts are the shares too
      for s, n in ipairs(want) do assert.are.equal(n, r.intervals[s].counts.sent) end
      assert.truthy(out:find("                    1  0-4                400.0        400        400",
        1, true), out)
    end
  end)

  it("-R 100:300 ramps over --duration: 150 then 250 requests", function()
    local json, trace = t.tmpname(".json"), t.tmpname(".csv")
    local code, out, err = run_script("-R 100:300 -d 2s -w 2 -c 20 --json " .. json .. " --trace " ..
      trace, ("soapload.url = %q\n"):format(mock.url))
    assert.is_true(code == 0 or code == 1, out .. err)
    local r = decode(json)
    local per = per_second(due_offsets(trace))
    assert.are.same({ 150, 250 }, per)
    assert.are.equal(150, r.intervals[1].target)
    assert.are.equal(250, r.intervals[2].target)
    assert.are.equal(400, r.summary.scheduled)
    assert.are.equal(400, r.summary.sent + r.summary.not_sent)
    assert.are.equal(r.summary.sent, mock.stats().requests.echo)
    assert.truthy(out:find("Model           open: 100 -> 300 req/s over 2 s", 1, true), out)
  end)

  it("a ramp that outruns its connections counts the rest as not sent, exactly", function()
    local slow = t.start_mock("--delay 100ms")
    local s = t.script(("soapload.url = %q\n"):format(slow.url))
    local code, out, err = t.run("-R 0:400 -d 2s -w 1 -c 2 --timeout 2s " .. s)
    os.remove(s)
    local sent = slow.stats().requests.echo
    slow.stop()
    assert.are.equal(1, code, out .. err)
    assert.are.equal(400, t.count(out, "scheduled%s+(%d+)"))
    local not_sent = t.count(out, "not sent (%d+)")
    assert.are.equal(sent, t.count(out, "= sent (%d+)"))
    assert.are.equal(400, sent + not_sent)
    assert.is_true(not_sent > 300, out)
  end)

  it("poisson arrivals: the same schedule twice from one seed, whatever the workers", function()
    local runs = {}
    local sent = 0
    for i, workers in ipairs({ 2, 2, 1 }) do
      local trace = t.tmpname(".csv")
      local code, out, err = run_script(("--arrival poisson --seed 42 -R 250 -d 4s -w %d " ..
        "--trace %s"):format(workers, trace), ("soapload.url = %q\n"):format(mock.url))
      -- a slow (sanitized) build may fall behind: not sent keeps its due time in the trace
      assert.is_true(code == 0 or code == 1, out .. err)
      sent = sent + t.count(out, "= sent (%d+)")
      assert.truthy(out:find("Arrivals        poisson, drawn from seed 42", 1, true), out)
      runs[i] = due_offsets(trace)
      assert.are.equal(t.count(out, "scheduled%s+(%d+)"), #runs[i])
    end
    assert.are.equal(#runs[1], #runs[2])
    assert.are.equal(#runs[1], #runs[3])
    for k = 1, #runs[1] do
      assert.is_true(math.abs(runs[1][k] - runs[2][k]) < 3e-6, "request " .. k)
      assert.is_true(math.abs(runs[1][k] - runs[3][k]) < 3e-6, "request " .. k)
    end
    -- about 1,000 arrivals; exponential gaps: mean 4 ms, standard deviation 4 ms
    local n, sum, sum2 = #runs[1] - 1, 0, 0
    for k = 2, #runs[1] do
      local gap = runs[1][k] - runs[1][k - 1]
      sum, sum2 = sum + gap, sum2 + gap * gap
    end
    local mean = sum / n
    local sd = math.sqrt(sum2 / n - mean * mean)
    assert.is_true(#runs[1] > 900 and #runs[1] < 1100, #runs[1])
    assert.is_true(math.abs(mean - 0.004) < 0.0004, mean)
    assert.is_true(math.abs(sd - 0.004) < 0.0006, sd)
    assert.are.equal(sent, mock.stats().requests.echo)
  end)

  it("kill -9 of a worker in a Poisson ramp: scheduled and the trace's due times are those of " ..
    "the whole schedule, sent is what the mock received", function()
    local s = t.script(("soapload.url = %q\n"):format(mock.url))
    local args = "-q --arrival poisson --seed 9 -R 0:1000 -d 3s -w 2 --trace "
    local whole = t.tmpname(".csv")
    local code, out, err = t.run(args .. whole .. " " .. s)
    assert.are.equal(0, code, out .. err)
    local total = t.count(out, "scheduled%s+(%d+)")
    local want = due_offsets(whole)
    assert.are.equal(total, #want)
    mock.reset()
    local cut = t.tmpname(".csv")
    local run = t.spawn(args .. cut .. " " .. s)
    t.sleep(1.6)
    local victim = run.workers()[1]
    os.execute("kill -KILL " .. victim)
    code, out = run.wait(30)
    os.remove(s)
    assert.are.equal(4, code, out)
    assert.are.equal(total, t.count(out, "scheduled%s+(%d+)"))
    local sent, not_sent = t.count(out, "= sent (%d+)"), t.count(out, "not sent (%d+)")
    assert.are.equal(mock.stats().requests.total, sent)
    assert.is_true(not_sent > 0, out)
    local text = t.read(cut)
    local _, traced_not_sent = text:gsub(",not_sent,,,,\n", "")
    assert.are.equal(not_sent, traced_not_sent)
    local got = due_offsets(cut)
    assert.are.equal(#want, #got)
    for k = 1, #want do assert.is_true(math.abs(want[k] - got[k]) < 3e-6, "request " .. k) end
  end)

  it("closed-model stages ramp the connections: at most 4 in flight at the server", function()
    local slow = t.start_mock("--delay 50ms")
    local s = t.script(([[
soapload.url = %q
soapload.model = "closed"
soapload.stages = {{duration = "1s", connections = 4}, {duration = "1s", target = 4}}
]]):format(slow.url))
    local json, trace = t.tmpname(".json"), t.tmpname(".csv")
    local code, out, err = t.run("-w 2 --json " .. json .. " --trace " .. trace .. " " .. s)
    os.remove(s)
    local stats = slow.stats()
    slow.stop()
    assert.are.equal(0, code, out .. err)
    local r = decode(json)
    assert.are.equal(4, stats.in_progress.max)
    assert.are.equal(4, stats.connections.max_open)
    assert.are.equal(r.summary.sent, stats.requests.echo)
    -- connection k opens once the ramp reaches k: at k / 4 s, never before
    local t0 = r.settings.started_at_us / 1e6
    local first = {}
    for _, row in ipairs(trace_rows(trace)) do first[row.port] = first[row.port] or row.sent end
    local opened = {}
    for _, at in pairs(first) do opened[#opened + 1] = at - t0 end
    table.sort(opened)
    assert.are.equal(4, #opened)
    for k = 1, 4 do assert.is_true(opened[k] >= k * 0.25 - 0.002, k .. ": " .. opened[k]) end
    assert.truthy(out:find("Model           closed: 0 -> 4 connections over 1 s, then 4 " ..
      "connections for 1 s (2.00 s)", 1, true), out)
  end)

  it("think time paces a closed connection: 2 connections, 20ms, 1 s: about 100 requests, " ..
    "without a busy loop", function()
    local s = t.script(("soapload.url = %q\n"):format(mock.url))
    local code, out, err = t.run(("--closed -c 2 -w 1 -d 1s --think 20ms %s"):format(s),
      "/usr/bin/time -f 'cpu %U %S'")
    assert.are.equal(0, code, out .. err)
    local sent = t.count(out, "= sent (%d+)")
    assert.are.equal(sent, mock.stats().requests.echo)
    -- at most 2 x 1 s / 20 ms (+ the first of each); fewer when the answers take long
    assert.is_true(sent >= 30 and sent <= 102, sent)
    local user, sys = err:match("cpu ([%d.]+) ([%d.]+)")
    assert.truthy(user, err)
    -- a loop spinning through the pauses would burn the whole second
    assert.is_true(tonumber(user) + tonumber(sys) < 0.6, err)
    assert.truthy(out:find("Think time      20.00ms between a connection's requests", 1, true), out)

    -- one connection, a drawn think time: each request leaves at least 10 ms after the last
    -- answer, 20 ms on average
    mock.reset()
    local trace = t.tmpname(".csv")
    code, out, err = t.run(("--closed -c 1 -w 1 -d 1s --think uniform:10ms,30ms --trace %s %s")
      :format(trace, s))
    os.remove(s)
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("Think time      uniform from 10.00ms to 30.00ms", 1, true), out)
    local rows = trace_rows(trace)
    assert.are.equal(mock.stats().requests.echo, #rows)
    assert.is_true(#rows >= 10 and #rows <= 101, #rows)
    local sum = 0
    for i = 2, #rows do
      local gap = rows[i].sent - rows[i - 1].done
      assert.is_true(gap >= 0.0098, "gap " .. gap)
      sum = sum + gap
    end
    assert.is_true(sum / (#rows - 1) >= 0.017, sum / (#rows - 1))
  end)

  it("refuses shapes that make no sense, naming them, before sending anything", function()
    local url = ("soapload.url = %q\n"):format(mock.url)
    local cases = {
      { "", "soapload.stages = {{duration = '1s', target = -5}}",
        "soapload.stages[1].target is '-5': it wants a number that is not negative" },
      { "-R -5:100", "", "bad value '-5:100' for --rate" },
      { "-R 1:10", "soapload.stages = {{duration = '1s', target = 5}}",
        "--rate A:B ramps over --duration: it takes no soapload.stages" },
      { "-d 3s", "soapload.stages = {{duration = '1s', target = 5}}",
        "soapload.stages sets the run's length (the sum of the stages): it takes no --duration" },
      { "", "soapload.stages = {{duration = '1s', target = 5}}\nsoapload.duration = '3s'",
        "it takes no soapload.duration" },
      { "", "soapload.model = 'closed'\nsoapload.stages = {{duration = '1s', rate = 5}}",
        "soapload.stages[1] gives a rate, but the closed model's stages take connections = N" },
      { "", "soapload.stages = {{duration = '1s', connections = 5}}",
        "soapload.stages[1] gives connections, but the open model's stages take target" },
      { "", "soapload.stages = {{duration = '1s', target = 5, ramp = 'linear'}}",
        "soapload.stages[1] has an unknown key 'ramp'" },
      { "", "soapload.stages = {}", "soapload.stages is empty" },
      { "", "soapload.stages = {{duration = '1s'}}", "soapload.stages[1] has no target" },
      { "", "soapload.stages = {{target = 5}}", "soapload.stages[1] has no duration" },
      { "", "soapload.stages = {{duration = '1s', target = 0}}",
        "soapload.stages: the load profile sends no request" },
      { "-R 10 -d 1s --think 20ms", "", "--think is the closed model's pause" },
      { "--closed -d 1s --arrival poisson", "", "poisson arrivals are the open model's" },
      { "--closed -d 1s --think often", "", "bad value 'often' for --think" },
      { "--closed -d 1s --think 20", "", "bad value '20' for --think" }, -- ms or s? a unit
    }
    for _, c in ipairs(cases) do
      local code, out, err = run_script(c[1], url .. c[2])
      assert.are.equal(2, code, c[2] .. "\n" .. out .. err)
      assert.truthy(err:find(c[3], 1, true), err)
    end
    assert.are.equal(0, mock.stats().requests.total)
  end)

  it("runs the closed model as fast as the connections allow", function()
    local code, out = t.run(("-q --closed -c 4 -w 2 -d 1s -u %s %s"):format(mock.url,
      t.root .. "/scripts/examples/default.lua"))
    assert.are.equal(0, code, out)
    local sent = t.count(out, "sent          (%d+) = ok")
    assert.is_true(sent > 100, out)
    assert.truthy(out:find(("ok %d + failed 0"):format(sent), 1, true))
    assert.are.equal(sent, mock.stats().ids.distinct)
  end)
end)
