-- merge adds every kind of outcome: runs that had each of them (ok, soap_fault, check_failed,
-- http_status, timeout, a read-side failure, not sent, connect before send) against the same
-- URL, served in turn by the mock, by a server that drops reused connections and by nobody;
-- each kind in the merged JSON (totals, operations, tags, seconds, workers) is the sum of the
-- files', and the files' sent requests are what the servers counted.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

-- one operation with its own check (every 7th ID fails it), two tag values, every 10th body
-- too large for the mock's --max-body 1k (413)
local SCRIPT = [[
soapload.url = %q
local function echo(id, seq)
  local pad = seq %% 10 == 3 and string.rep("x", 2048) or ""
  return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    soapload.escape(id) .. '</e:RequestId><e:Pad>' .. pad .. '</e:Pad></e:Echo>'),
    {tags = {tier = seq %% 2 == 0 and "gold" or "silver"}}
end
soapload.operations = {
  {name = "Echo", weight = 1, request = echo,
   response = function(status, headers, body, id)
     if tonumber(id:match("R(%%d+)$")) %% 7 == 0 then return false, "every seventh" end
   end},
}
]]

-- what counts_json writes that merge adds (ok and failed are derived)
local SCALARS = { "scheduled", "sent", "not_sent", "script_errors_before_send",
                  "failed_before_send", "bytes_sent", "bytes_received", "resends_refused" }

local function add_counts(sum, c)
  for _, k in ipairs(SCALARS) do sum[k] = (sum[k] or 0) + c[k] end
  for _, group in ipairs({ "results", "before_send" }) do
    sum[group] = sum[group] or {}
    for k, v in pairs(c[group]) do sum[group][k] = (sum[group][k] or 0) + v end
  end
  return sum
end

local function same_counts(want, got, what)
  for _, k in ipairs(SCALARS) do assert.are.equal(want[k], got[k], what .. " " .. k) end
  for _, group in ipairs({ "results", "before_send" }) do
    for k, v in pairs(want[group]) do
      assert.are.equal(v, got[group][k], ("%s %s.%s"):format(what, group, k))
    end
  end
end

describe("soapload merge of runs with every kind of outcome", function()
  local files, results, script, port = {}, {}, nil, nil
  local mock_counted, bad_processed

  setup(function()
    local mock = t.start_mock("-d uniform:0ms,60ms -f 0.2 -m 1k")
    port = mock.port
    script = t.script(SCRIPT:format(mock.url))
    mock.reset()
    -- 1, 2: the mock, a timeout below its slowest answers, too few connections for the rate
    for k = 1, 2 do
      files[k] = t.tmpname(".json")
      local code, _, err = t.run(("-q -R 200 -d 1s -c 4 -w 1 -t 40ms --json %s %s"):format(
        files[k], script))
      assert(code == 1, "run " .. k .. " exited " .. tostring(code) .. ": " .. err)
    end
    mock_counted = mock.stats()
    mock.stop()
    -- 3: a server on the same port that reads a reused connection's request and closes it
    local bad = t.start_bad_server("dropreused", port)
    files[3] = t.tmpname(".json")
    local code, _, err = t.run(("-q -R 100 -d 1s -c 2 -w 1 --json %s %s"):format(files[3],
      script))
    assert(code == 1, "run 3 exited " .. tostring(code) .. ": " .. err)
    bad_processed = tonumber(select(3, t.http(bad.port, "GET", "/processed")))
    bad.stop()
    -- 4, 5: nobody listens: every request fails to connect, before any byte is sent
    for k = 4, 5 do
      files[k] = t.tmpname(".json")
      code, _, err = t.run(("-q -R 20 -d 1s -w 1 --json %s %s"):format(files[k], script))
      assert(code == 1, "run " .. k .. " exited " .. tostring(code) .. ": " .. err)
    end
    for k = 1, 5 do results[k] = t.decode(files[k]) end
  end)
  teardown(function()
    for _, f in ipairs(files) do os.remove(f) end
    if script then os.remove(script) end
  end)

  it("the runs had every kind, and sent what the servers counted", function()
    local all = {}
    for k = 1, 5 do add_counts(all, results[k].summary) end
    for _, kind in ipairs({ "ok", "soap_fault", "check_failed", "http_status", "timeout" }) do
      assert.is_true(all.results[kind] > 0, kind)
    end
    assert.is_true(all.not_sent > 0, "not sent")
    assert.is_true(all.before_send.connect > 0, "connect before send")
    local s1, s2 = results[1].summary, results[2].summary
    -- the mock answers a body over --max-body with 413 before it counts a request; a request
    -- that timed out (40 ms) before a loaded mock read it was written, yet never counted there
    local counted = s1.sent + s2.sent - s1.results.http_status - s2.results.http_status
    assert.is_true(mock_counted.requests.total <= counted)
    assert.is_true(mock_counted.requests.total >= counted - s1.results.timeout -
      s2.results.timeout)
    assert.are.equal(mock_counted.requests.total, mock_counted.ids.distinct)
    assert.is_true(s1.results.soap_fault + s2.results.soap_fault <=
      mock_counted.requests.fault_injected)
    local s3 = results[3].summary
    assert.are.equal(s3.sent, bad_processed)
    assert.is_true(s3.results.read + s3.results.other + s3.results.truncated > 0,
      "a failure while reading the response")
    for k = 4, 5 do
      assert.are.equal(20, results[k].summary.before_send.connect)
      assert.are.equal(0, results[k].summary.sent)
    end
  end)

  it("each kind of the merged result is the sum of the files': totals, operations, tags, " ..
     "seconds, workers", function()
    local out = t.tmpname(".json")
    finally(function() os.remove(out) end)
    local args = {}
    for k = 1, 5 do args[k] = files[k] end
    local code, stdout, err = t.run(("merge --allow-gaps %s --json %s"):format(
      table.concat(args, " "), out)) -- one run after another
    assert.are.equal(1, code, stdout .. err) -- requests failed, as in each run
    local m = t.decode(out)
    local want, op, tags, seconds, workers = {}, {}, {}, {}, 0
    for k = 1, 5 do
      local r = results[k]
      add_counts(want, r.summary)
      add_counts(op, r.operations[1].counts)
      for _, v in ipairs(r.tags.values) do
        tags[v.value] = add_counts(tags[v.value] or {}, v.counts)
      end
      for _, s in ipairs(r.intervals) do add_counts(seconds, s.counts) end
      for i, w in ipairs(r.workers) do
        same_counts(add_counts({}, w.counts), m.workers[workers + i].counts,
          ("file %d worker %d"):format(k, i))
      end
      workers = workers + #r.workers
    end
    assert.are.equal(workers, #m.workers)
    same_counts(want, m.summary, "summary")
    same_counts(want, op, "the files' operation")
    same_counts(op, m.operations[1].counts, "operation Echo")
    for _, v in ipairs(m.tags.values) do same_counts(tags[v.value], v.counts, "tag " .. v.value) end
    local got = {}
    for _, s in ipairs(m.intervals) do add_counts(got, s.counts) end
    same_counts(seconds, got, "the merged seconds")
    assert.truthy(stdout:find(("failed before send %d"):format(want.failed_before_send), 1, true),
      stdout)
    assert.falsy(stdout:find("ACCOUNTING", 1, true), stdout)
  end)

  it("two runs against a closed port: failed before send 40, exit 1 as for each run", function()
    local out = t.tmpname(".json")
    finally(function() os.remove(out) end)
    local code, stdout, err = t.run(("merge --allow-gaps %s %s --json %s"):format(files[4],
      files[5], out))
    assert.are.equal(1, code, stdout .. err)
    local m = t.decode(out)
    assert.are.equal(40, m.summary.failed_before_send)
    assert.are.equal(40, m.summary.before_send.connect)
    assert.are.equal(40, m.operations[1].counts.before_send.connect)
    assert.truthy(stdout:find("scheduled     40 = sent 0 + not sent 0 + failed before send 40",
      1, true), stdout)
  end)
end)
