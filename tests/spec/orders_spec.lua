-- The order-service example (scripts/examples/orders.lua) against soapload-mock serving its
-- WSDL with --fault-when Quantity=0, as docs/scripting.md tells a user to run it: the
-- 70/25/5 mix is exact over the stages' 1,200 requests (840/300/60), every 10th PlaceOrder of
-- each worker is refused with a Fault that the script expects (30, the mock's fault_trigger
-- count), the per-operation and per-tag thresholds hold (exit 0), and the per-tier results add
-- up.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local function row(out, label)
  local s, n, ok, ef, failed = out:match("\n  " .. label ..
    "%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)")
  return { scheduled = tonumber(s), sent = tonumber(n), ok = tonumber(ok),
           expected_fault = tonumber(ef), failed = tonumber(failed) }
end

describe("the order-service example", function()
  it("runs against the mock out of the box: exact mix, expected Faults equal to the mock's " ..
    "fault_trigger, thresholds pass, per-tier results add up", function()
    local ex = t.root .. "/scripts/examples/"
    local mock = t.start_mock("--wsdl " .. ex .. "orders.wsdl --fault-when Quantity=0")
    finally(function() mock.stop() end)
    local json = t.tmpname(".json")
    local code, out, err = t.run(("--json %s -u %s %sorders.lua"):format(json, mock.url, ex))
    assert.are.equal(0, code, err .. out)
    -- 0 -> 200/s over 2 s, 200/s for 4 s, 200 -> 0/s over 2 s: 200 + 800 + 200 requests
    assert.truthy(out:find("scheduled     1200 = sent 1200 + not sent 0", 1, true), out)
    assert.are.same({ scheduled = 840, sent = 840, ok = 840, expected_fault = 0, failed = 0 },
      row(out, "GetOrder%s+70"))
    assert.are.same({ scheduled = 300, sent = 300, ok = 270, expected_fault = 30, failed = 0 },
      row(out, "PlaceOrder%s+25"))
    assert.are.same({ scheduled = 60, sent = 60, ok = 60, expected_fault = 0, failed = 0 },
      row(out, "CancelOrder%s+5"))
    local served = mock.stats().requests
    assert.are.equal(30, served.fault_trigger)
    assert.are.equal(1170, served.echo)
    assert.are.equal(1200, served.total)

    local doc = t.json.decode(t.read(json))
    assert.are.equal(served.fault_trigger, doc.summary.results.expected_fault)
    assert.are.equal(served.echo, doc.summary.results.ok)
    for _, o in ipairs(doc.operations) do
      if o.name == "PlaceOrder" then
        assert.are.equal(served.fault_trigger, o.counts.results.expected_fault)
      end
    end
    assert.are.equal(5, #doc.thresholds)
    for _, th in ipairs(doc.thresholds) do assert.is_true(th.passed, th.threshold) end
    assert.truthy(out:find("Result          PASS", 1, true), out)
    -- the CSV's 20 rows in turn, 60 times each: 4 gold, 6 silver, 10 bronze customers
    local want = { gold = 240, silver = 360, bronze = 600 }
    local sum = { scheduled = 0, ok = 0, expected_fault = 0, from_due = 0 }
    for _, v in ipairs(doc.tags.values) do
      assert.are.equal("tier", v.name)
      assert.are.equal(want[v.value], v.counts.scheduled, v.value)
      assert.are.equal(want[v.value], v.latency.from_due.count, v.value)
      assert.are.same({ scheduled = want[v.value], sent = want[v.value],
                        ok = v.counts.results.ok, expected_fault = v.counts.results.expected_fault,
                        failed = 0 }, row(out, "tier%s+" .. v.value))
      sum.scheduled = sum.scheduled + v.counts.scheduled
      sum.ok = sum.ok + v.counts.results.ok
      sum.expected_fault = sum.expected_fault + v.counts.results.expected_fault
      sum.from_due = sum.from_due + v.latency.from_due.count
    end
    assert.are.equal(3, #doc.tags.values)
    assert.are.same({ scheduled = 1200, ok = served.echo, expected_fault = served.fault_trigger,
                      from_due = 1200 }, sum)
  end)
end)
