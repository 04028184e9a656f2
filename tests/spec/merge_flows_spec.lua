-- merge of soapload.flows: scripts/examples/session.lua run as the 2 segments of one schedule
-- against soapload-mock --sessions (1 login in 10 refused), merged: each flow's counts, its
-- failures by step and reason and its duration histogram are the sums of the parts' (bucket by
-- bucket), they agree with the mock's session counters, flow thresholds are evaluated on the
-- merged result, and files whose flows differ are refused by name.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local example = t.root .. "/scripts/examples/session.lua"

-- The [index, count] pairs of a histogram as a table index -> count.
local function buckets(hist)
  local by = {}
  for _, p in ipairs(hist.histogram.counts) do by[p[1]] = (by[p[1]] or 0) + p[2] end
  return by
end

describe("soapload merge of flows", function()
  local mock, files, parts, merged, page, out, code, err
  setup(function()
    mock = t.start_mock("--threads 2 --sessions --session-refuse-login 10")
    files = { t.tmpname(".json"), t.tmpname(".json") }
    merged, page = t.tmpname(".json"), t.tmpname(".html")
    local at, runs = t.start_time(2), {}
    for i = 0, 1 do
      runs[i + 1] = t.spawn(("-q --segment %d/2 --start-at %s --json %s -u %s -R 50 -d 2s -w 1 %s")
        :format(i, at, files[i + 1], mock.url, t.quote(example)))
    end
    parts = {}
    for i = 1, 2 do
      local c, _, e = runs[i].wait(60)
      assert(c == 0 or c == 1, tostring(c) .. " " .. e) -- 1: a refused login is a failed request
      parts[i] = t.decode(files[i])
    end
    code, out, err = t.run(("merge %s %s --json %s --html %s --threshold 'flow_duration{flow=order} p95 < 10s' " ..
      "--threshold 'flow_failure_rate{flow=order} < 20%%'"):format(files[1], files[2], merged, page))
  end)
  teardown(function()
    mock.stop()
    for _, f in ipairs(files) do os.remove(f) end
    os.remove(merged)
    os.remove(page)
  end)

  it("adds each flow's counts, failures by step and duration buckets: the mock agrees", function()
    assert.are.equal(0, code, out .. err) -- every threshold holds
    local m = t.decode(merged)
    assert.are.equal(1, #m.flows)
    local f, a, b = m.flows[1], parts[1].flows[1], parts[2].flows[1]
    for _, k in ipairs({ "scheduled", "completed", "failed", "interrupted", "not_started" }) do
      assert.are.equal(a[k] + b[k], f[k], k)
    end
    assert.are.equal(100, f.scheduled)
    assert.are.equal(f.scheduled, f.completed + f.failed + f.interrupted + f.not_started)
    -- the durations: the count is the completed flows, the buckets the parts' added
    assert.are.equal(f.completed, f.duration_us.count)
    assert.are.equal(a.duration_us.count + b.duration_us.count, f.duration_us.count)
    local want = buckets(a.duration_us)
    for i, c in pairs(buckets(b.duration_us)) do want[i] = (want[i] or 0) + c end
    assert.are.same(want, buckets(f.duration_us))
    assert.are.equal(math.max(a.duration_us.max, b.duration_us.max), f.duration_us.max)
    -- the steps by name, their failures by reason added
    local names = {}
    for s, step in ipairs(f.steps) do
      names[s] = step.name
      local fa, fb = a.steps[s].failed, b.steps[s].failed
      for reason, n in pairs(step.failed) do
        assert.are.equal((fa[reason] or 0) + (fb[reason] or 0), n, step.name .. " " .. reason)
      end
    end
    assert.are.same({ "Login", "PlaceOrder", "GetOrder", "Logout" }, names)
    -- the mock's session counters: a refused login is a flow failed at Login
    local s = mock.stats().sessions
    assert.are.equal(10, s.logins_refused)
    assert.are.same({ check_failed = s.logins_refused }, f.steps[1].failed)
    assert.are.same({ s.logins, s.logouts, 0 }, { f.completed, f.completed, s.refused })
    assert.are.equal(s.logins_refused, f.failed)
    assert.are.equal(2 * f.completed, s.calls)
    -- the summary's Flows table and the thresholds on the merged result
    assert.truthy(out:find(("\n  order         %10d %10d %10d %11d %11d"):format(100, f.completed,
      f.failed, 0, 0), 1, true), out)
    assert.truthy(out:find("    failed at Login: check_failed 10\n", 1, true), out)
    assert.truthy(out:find("Threshold       pass flow_duration{flow=order} p95 < 10s measured", 1,
      true), out)
    assert.truthy(out:find("Threshold       pass flow_failure_rate{flow=order} < 20% measured 10%",
      1, true), out)
    -- the merged HTML report: the Flows table and the funnel of its steps
    local dom = t.chromium_dom(page)
    assert.truthy(dom:find(("<td>order</td><td>100</td><td>%d</td><td>%d</td><td>0</td><td>0</td>")
      :format(f.completed, f.failed), 1, true), dom)
    assert.truthy(dom:find("<td>order: Login</td><td>100</td><td>10</td><td>0</td><td>check_failed 10</td>",
      1, true), dom)
    -- the merged result merges again: its flows read back as written
    local again = t.tmpname(".json")
    local c2, o2, e2 = t.run(("merge -q %s --json %s"):format(merged, again))
    local m2 = t.decode(again)
    os.remove(again)
    assert.are.equal(1, c2, o2 .. e2) -- failed requests, no thresholds
    assert.are.same(m.flows, m2.flows)
  end)

  it("fails a flow threshold on the merged result with exit 3, and an unknown flow with 2", function()
    local c, o, e = t.run(("merge %s %s --threshold 'flow_failure_rate{flow=order} < 1%%'")
      :format(files[1], files[2]))
    assert.are.equal(3, c, o .. e)
    assert.truthy(o:find("Threshold       FAIL flow_failure_rate{flow=order} < 1% measured 10%", 1,
      true), o)
    c, o, e = t.run(("merge -q %s %s --threshold 'flow_completed{flow=checkout} > 1'")
      :format(files[1], files[2]))
    assert.are.equal(2, c, o .. e)
    assert.truthy(e:find("names flow 'checkout', which the script does not define (flows: order)",
      1, true), e)
  end)

  it("refuses files whose flows or steps differ, naming the file", function()
    local text = t.read(files[2])
    local swapped = t.tmpname(".json")
    finally(function() os.remove(swapped) end)
    -- the second segment's steps in another order
    local s1, n1 = text:gsub('{"name": "PlaceOrder", "interrupted"', '{"name": "@@", "interrupted"')
    local s2, n2 = s1:gsub('{"name": "GetOrder", "interrupted"', '{"name": "PlaceOrder", "interrupted"')
    local s3 = s2:gsub('{"name": "@@", "interrupted"', '{"name": "GetOrder", "interrupted"')
    assert.are.same({ 1, 1 }, { n1, n2 })
    t.write(swapped, s3)
    local c, o, e = t.run(("merge -q %s %s"):format(files[1], swapped))
    assert.are.equal(2, c, o .. e)
    assert.truthy(e:find(swapped .. ": flows are order (Login, GetOrder, PlaceOrder, Logout), but " ..
      files[1] .. " has order (Login, PlaceOrder, GetOrder, Logout): these results do not merge",
      1, true), e)
    -- a file without flows beside one with them
    t.write(swapped, (text:gsub('"flows": %b[],\n', '"flows": [],\n')))
    c, o, e = t.run(("merge -q %s %s"):format(files[1], swapped))
    assert.are.equal(2, c, o .. e)
    assert.truthy(e:find(swapped .. ": flows are none, but " .. files[1] .. " has order (", 1, true), e)
  end)
end)
