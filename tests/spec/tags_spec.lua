-- Tags: a request's options may carry free tags ({tags = {tier = "gold"}}); results per tag
-- value (counts and both latency histograms) in the summary, the JSON `tags` section and
-- `soapload merge`, each tag name's values adding up to the requests that carried it (and to
-- what the mock served); thresholds name a tag value (p99{tier=gold}); past 64 values (or 16
-- names) per run the rest folds into (other), with its count in the summary.
local t = require("support")

local BODY = [[
local function body(id)
  return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    soapload.escape(id) .. '</e:RequestId></e:Echo>')
end
]]

-- The summary's row of a tag value: scheduled, sent, ok, expected_fault, failed.
local function row(out, name, value)
  local s, n, ok, ef, failed = out:match("\n  " .. name:gsub("%p", "%%%0") .. "%s+" ..
    value:gsub("%p", "%%%0") .. "%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)%s+(%d+)")
  return { scheduled = tonumber(s), sent = tonumber(n), ok = tonumber(ok),
           expected_fault = tonumber(ef), failed = tonumber(failed) }
end

local function values(doc)
  local m = {}
  for _, v in ipairs(doc.tags.values) do m[v.name .. "=" .. v.value] = v end
  return m
end

describe("tags", function()
  local mock = t.shared_mock("--threads 1")
  before_each(function() mock.reset() end)

  it("gives exact per-value counts and histograms in the summary, JSON and merge, adding " ..
    "up to what the mock served; thresholds name a tag value", function()
    -- seq is each worker's own 1..200: tier gold, silver, bronze, bronze; region eu, us
    local script = t.script(BODY .. [[
local tiers = {"gold", "silver", "bronze", "bronze"}
function request(id, seq)
  return body(id), {tags = {tier = tiers[seq % 4 + 1], region = seq % 2 == 0 and "eu" or "us"}}
end
]])
    local json, json2 = t.tmpname(".json"), t.tmpname(".json")
    local code, out, err = t.run(("--json %s -u %s -R 400 -d 1s -w 2 -c 4 " ..
      "--threshold 'p99{tier=gold} < 10s' --threshold 'error_rate{region=eu} < 1%%' %s")
      :format(json, mock.url, script))
    assert.are.equal(0, code, err .. out)
    local served = mock.stats().requests.echo
    assert.are.equal(400, served)
    local want = { ["tier=gold"] = 100, ["tier=silver"] = 100, ["tier=bronze"] = 200,
                   ["region=eu"] = 200, ["region=us"] = 200 }
    for k, n in pairs(want) do
      local name, value = k:match("(.-)=(.*)")
      assert.are.same({ scheduled = n, sent = n, ok = n, expected_fault = 0, failed = 0 },
        row(out, name, value), k .. "\n" .. out)
    end
    assert.truthy(out:find("Threshold       pass p99{tier=gold} < 10s", 1, true), out)
    assert.is_nil(out:find("ACCOUNTING ERROR", 1, true))
    assert.is_nil(out:find("(other)", 1, true))
    local doc = t.json.decode(t.read(json))
    assert.are.equal(64, doc.tags.max_pairs)
    local v = values(doc)
    local per_name = { tier = 0, region = 0 }
    for k, n in pairs(want) do
      local e = v[k]
      assert.are.equal(n, e.counts.scheduled)
      assert.are.equal(n, e.counts.results.ok)
      assert.are.equal(n, e.latency.from_due.count)
      assert.are.equal(n, e.latency.service.count)
      local in_buckets = 0
      for _, pair in ipairs(e.latency.from_due.histogram.counts) do
        in_buckets = in_buckets + pair[2]
      end
      assert.are.equal(n, in_buckets)
      assert.is_false(e.other)
      per_name[k:match("^(.-)=")] = per_name[k:match("^(.-)=")] + n
    end
    -- each name's values add up to the totals (every request carried both tags)
    assert.are.equal(doc.summary.scheduled, per_name.tier)
    assert.are.equal(served, per_name.region)
    assert.are.equal("tier", doc.thresholds[1].tag.name)
    assert.are.equal("gold", doc.thresholds[1].tag.value)
    -- merge adds the values of the files exactly
    -- (a copy started 1 us later: another run with the same numbers; one run twice is refused)
    local copy = t.tmpname(".json")
    t.write(copy, (t.read(json):gsub('("started_at_us": )(%d+)', function(k, v)
      return k .. (tonumber(v) + 1)
    end, 1)))
    local code2, out2 = t.run(("merge %s %s --json %s"):format(json, copy, json2))
    os.remove(copy)
    assert.are.equal(0, code2, out2)
    local m = values(t.json.decode(t.read(json2)))
    for k, n in pairs(want) do
      assert.are.equal(2 * n, m[k].counts.scheduled, k)
      assert.are.equal(2 * n, m[k].latency.from_due.count, k)
    end
    assert.are.same({ scheduled = 200, sent = 200, ok = 200, expected_fault = 0, failed = 0 },
      row(out2, "tier", "gold"))
  end)

  it("folds values past 64 and names past 16 into (other), says how many, and nothing " ..
    "is lost", function()
    -- each worker (seq 1..200) meets customer c1..c99, c0 and n1..n19, n0 in turn. Names:
    -- customer and n1..n15 are kept, n16..n19, n0 fold into (other)=(other) (50 requests per
    -- worker). Pairs: c1..c15 and n1..n15 by seq 15, then c16..c49: 64; c50..c99, c0 fold into
    -- customer=(other) (102 requests per worker)
    local script = t.script(BODY .. [[
function request(id, seq)
  return body(id), {tags = {customer = "c" .. seq % 100, ["n" .. seq % 20] = "x"}}
end
]])
    local json = t.tmpname(".json")
    local code, out, err = t.run(("--json %s -u %s -R 400 -d 1s -w 2 -c 4 %s")
      :format(json, mock.url, script))
    assert.are.equal(0, code, err .. out)
    local doc = t.json.decode(t.read(json))
    local v = values(doc)
    local kept, customers, n_names = 0, 0, 0
    for _, e in ipairs(doc.tags.values) do
      if not e.other then kept = kept + 1 end
      if e.name == "customer" then customers = customers + e.counts.scheduled end
      if e.name:match("^n%d+$") then n_names = n_names + e.counts.scheduled end
    end
    assert.are.equal(64, kept)
    assert.are.equal(4, v["customer=c1"].counts.scheduled)
    assert.are.equal(4, v["customer=c49"].counts.scheduled)
    assert.is_nil(v["customer=c50"])
    assert.is_true(v["customer=(other)"].other)
    assert.are.equal(204, v["customer=(other)"].counts.scheduled)
    assert.are.equal(400, customers)
    assert.are.equal(100, v["(other)=(other)"].counts.scheduled)
    assert.are.equal(300, n_names)
    assert.truthy(out:find("(other): 304 requests whose tag values lay past the 64 kept", 1,
      true), out)
    assert.is_nil(out:find("ACCOUNTING ERROR", 1, true))
  end)

  it("refuses a tag whose value is not a string, naming it", function()
    local script = t.script(BODY .. [[
function request(id) return body(id), {tags = {tier = true}} end
]])
    local code, out, err = t.run(("-u %s -R 10 -d 0.3s -w 1 %s"):format(mock.url, script))
    assert.are.equal(1, code, err .. out)
    assert.truthy((err .. out):find("request(): tag tier must have a string value, not a boolean",
      1, true), err .. out)
    assert.are.equal(0, mock.stats().requests.total)
  end)
end)
