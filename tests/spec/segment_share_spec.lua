-- A segment's share of the schedule is its share everywhere it is shown: each second's target
-- in its JSON is 1/N of the one run's (so that the merged targets are the schedule's, not N
-- times it), its summary names the whole schedule's mean rate of a shaped run (it said "of 0.0
-- req/s"), and the merge of all segments prints the same Model line (the stage shape) as the
-- one run; the segments' requests are the schedule's, as the mock counted. Live /metrics reads
-- the same share (metrics_spec).
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local function targets(r)
  local list = {}
  for _, s in ipairs(r.intervals) do list[#list + 1] = ("%.3f"):format(s.target) end
  return table.concat(list, " ")
end

describe("a --segment run's share of a shaped schedule", function()
  it("targets 1/N per second, the whole schedule's mean in its summary, and merged the one " ..
     "run's targets and Model line, as the mock counted", function()
    -- 0 -> 200 req/s over 1 s, then 200 req/s for 1 s: 100 due in second 0, 200 in second 1
    local shaped = t.script([[
soapload.stages = {{duration = "1s", target = 200}, {duration = "1s", target = 200}}
soapload.workers = 1
soapload.connections = 4
]])
    local mock = t.start_mock("")
    local one, merged, files, runs = t.tmpname(".json"), t.tmpname(".json"), {}, {}
    finally(function()
      mock.stop(); os.remove(shaped); os.remove(one); os.remove(merged)
      for _, f in ipairs(files) do os.remove(f) end
    end)
    local code, single, err = t.run(("--json %s -u %s %s"):format(one, mock.url, shaped))
    assert.are.equal(0, code, err)
    local a = t.decode(one)
    assert.are.equal("100.000 200.000", targets(a):match("^(%S+ %S+)"))
    mock.reset()
    local at = ("%.3f"):format(t.now() + 2)
    for i = 0, 1 do
      files[i + 1] = t.tmpname(".json")
      runs[i + 1] = t.spawn(("--segment %d/2 --start-at %s --json %s -u %s %s")
        :format(i, at, files[i + 1], mock.url, shaped))
    end
    for i = 1, 2 do
      local c, out, e = runs[i].wait(30)
      assert.are.equal(0, c, out .. e)
      -- "of 0.0 req/s in all" before: the shape's mean over its 2 s, all segments together
      assert.truthy(out:find(("Segment         %d/2: global requests k with k mod 2 = %d of " ..
        "150.0 req/s mean in all"):format(i - 1, i - 1), 1, true), out)
      local s = t.decode(files[i])
      assert.are.equal("50.000 100.000", targets(s):match("^(%S+ %S+)"))
      assert.are.equal(150, s.settings.global_rate)
      assert.are.equal(75, s.settings.rate)
    end
    local stdout
    code, stdout, err = t.run(("merge %s %s --json %s"):format(files[1], files[2], merged))
    assert.are.equal(0, code, stdout .. err)
    local m = t.decode(merged)
    assert.are.equal(targets(a), targets(m)) -- 200 and 400 before
    assert.are.equal(300, m.summary.scheduled)
    assert.are.equal(m.summary.sent, mock.stats().requests.echo)
    local model = assert(single:match("\nModel[^\n]*"))
    assert.are.equal("\nModel           open: 0 -> 200 req/s over 1 s, then 200 req/s for 1 s " ..
      "(2.00 s, mean 150.0 req/s)", model)
    assert.truthy(stdout:find(model, 1, true), stdout) -- "open: 150.0 req/s" before
    assert.truthy(stdout:find("\n                    2  1-2                200.0        200 ", 1,
      true), stdout) -- the Stages table: target, scheduled
    assert.are.same(a.settings.stages, m.settings.stages)
  end)

  it("a merge of runs with other stages is refused, exit 2", function()
    local json = {}
    local mock = t.start_mock("")
    finally(function()
      mock.stop()
      for _, f in ipairs(json) do os.remove(f) end
    end)
    for i, target in ipairs({ 100, 120 }) do
      json[i] = t.tmpname(".json")
      local s = t.script(("soapload.stages = {{duration = \"1s\", target = %d}}\n"):format(target))
      local code, out, err = t.run(("-q -w 1 -c 2 --json %s -u %s %s"):format(json[i], mock.url, s))
      os.remove(s)
      assert.are.equal(0, code, out .. err)
    end
    local code, out, err = t.run(("merge --allow-gaps %s %s"):format(json[1], json[2]))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(("%s: settings.stages is from 0: 1 s to 120, but %s has from 0: 1 s " ..
      "to 100: these results do not merge"):format(json[2], json[1]), 1, true), err)
  end)
end)

describe("a segment's target", function()
  it("is its share of each second's schedule; merged, the schedule's own", function()
    local mock = t.start_mock("")
    local script = t.script(([[
soapload.url = %q
soapload.stages = {{duration = "1s", target = 100}, {duration = "1s", target = 100}}
function request(id) return soapload.envelope(soapload.echo(id)) end
]]):format(mock.url))
    local a, b, merged = t.tmpname(".json"), t.tmpname(".json"), t.tmpname(".json")
    finally(function()
      mock.stop(); os.remove(script); os.remove(a); os.remove(b); os.remove(merged)
    end)
    local at = t.start_time(1.5)
    local runs = {}
    for i, f in ipairs({ a, b }) do
      runs[i] = t.spawn(("-w 1 -c 4 --segment %d/2 --start-at %s --json %s %s"):format(i - 1, at, f,
        script))
    end
    for i = 1, 2 do
      local code, out, err = runs[i].wait(30)
      assert.are.equal(0, code, out .. err)
      assert.truthy(out:find(("Segment         %d/2: global requests k with k mod 2 = %d of 75.0 " ..
        "req/s mean in all;"):format(i - 1, i - 1), 1, true), out)
    end
    -- 0 -> 100/s over 1 s, then 100/s: 50 and 100 requests, 150 in all, half each
    assert.are.equal(150, math.tointeger(mock.stats().requests.echo)) -- total has clock probes too
    for _, f in ipairs({ a, b }) do
      local r = t.json.decode(t.read(f))
      assert.are.same({ 25, 50 }, { r.intervals[1].target, r.intervals[2].target })
      assert.are.equal(75, r.summary.scheduled)
      assert.are.equal(37.5, r.rates.target)
    end
    local code, out = t.run(("merge -q %s %s --json %s"):format(a, b, merged))
    assert.are.equal(0, code, out)
    local m = t.json.decode(t.read(merged))
    assert.are.same({ 50, 100 }, { m.intervals[1].target, m.intervals[2].target })
    assert.are.equal(150, m.summary.scheduled)
  end)
end)
