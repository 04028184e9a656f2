-- The target rate of a segment of a distributed run: each second's target in its JSON is its
-- share of the schedule (not the whole schedule's, which merged N times over), so the merged
-- targets are the schedule's own, and a ramp's segment line gives the whole schedule's mean
-- rate (it said "of 0.0 req/s"); live /metrics reads the same share (metrics_spec). Against
-- the mock: the segments' requests are the schedule's.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

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
    local at = ("%.3f"):format(t.now() + 1.5)
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
