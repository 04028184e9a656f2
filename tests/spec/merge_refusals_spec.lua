-- merge refuses what it cannot add up: a file whose own equations do not hold (the summary's,
-- a worker's, the workers' or the operations' sum against the summary), files whose sums
-- overflow 64 bits, each with exit 4 and a message naming the file and the equation; the same
-- run given twice; results far apart in time unless asked, and then without a second per
-- empty second.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

-- two operations, so that the file has operations to add up
local SCRIPT = [[
soapload.url = %q
local function call(op, id)
  return soapload.envelope('<e:' .. op .. ' xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    soapload.escape(id) .. '</e:RequestId></e:' .. op .. '>')
end
soapload.operations = {
  {name = "A", weight = 3, request = function(id) return call("A", id) end},
  {name = "B", weight = 1, request = function(id) return call("B", id) end},
}
]]

-- 2^63 + n as decimal text (Lua's integers stop at 2^63 - 1), for 0 <= n < 224192
local function big(n)
  return "9223372036854" .. ("%06d"):format(775808 + n)
end

-- The text with the first counts object after `anchor` (a plain string) edited: scheduled and
-- not_sent raised by `add` (a function of the old value giving the new text).
local function raise(text, anchor, add)
  local at = assert(text:find(anchor, 1, true), anchor)
  local head, tail = text:sub(1, at - 1), text:sub(at)
  local n
  tail, n = tail:gsub('"scheduled": (%d+), "sent": (%d+), "not_sent": (%d+)',
    function(s, sent, ns)
      return ('"scheduled": %s, "sent": %s, "not_sent": %s'):format(add(tonumber(s)), sent,
        add(tonumber(ns)))
    end, 1)
  assert(n == 1, "no counts after " .. anchor)
  return head .. tail
end

local function edited(path, fn)
  local out = t.tmpname(".json")
  t.write(out, fn(assert(t.read(path))))
  return out
end

describe("soapload merge refuses results that do not add up", function()
  local mock, script, files, results = nil, nil, {}, {}

  setup(function()
    mock = t.start_mock("")
    script = t.script(SCRIPT:format(mock.url))
    mock.reset()
    for k = 1, 2 do
      files[k] = t.tmpname(".json")
      local code, _, err = t.run(("-q -R 200 -d 1s -w 2 -c 4 --json %s %s"):format(files[k],
        script))
      assert(code == 0, "run " .. k .. " exited " .. tostring(code) .. ": " .. err)
      results[k] = t.decode(files[k])
    end
  end)
  teardown(function()
    mock.stop()
    os.remove(script)
    for _, f in ipairs(files) do os.remove(f) end
  end)

  it("the runs sent what the mock counted, and merge to their sum", function()
    local served = mock.stats().requests.echo
    assert.are.equal(400, served)
    assert.are.equal(served, results[1].summary.ok + results[2].summary.ok)
    local code, out, err = t.run(("merge --allow-gaps %s %s"):format(files[1], files[2]))
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("scheduled     400 = sent 400", 1, true), out)
  end)

  it("counts of 2^63 in each of two files: the sum overflows, exit 4 naming the second",
     function()
    -- the summary, worker 1 and operation A each get 2^63 more scheduled and not sent
    local function huge(s)
      local add = function(n) return big(n) end
      return raise(raise(raise(s, '"summary"', add), '"workers": [', add), '"operations": [', add)
    end
    local a, b = edited(files[1], huge), edited(files[2], huge)
    finally(function() os.remove(a); os.remove(b) end)
    -- each alone adds up: 2^63 + 200 scheduled, 2^63 of them not sent
    local code, out, err = t.run(("merge %s"):format(a))
    assert.are.equal(1, code, out .. err)
    assert.truthy(out:find("scheduled     " .. big(200) .. " = sent 200 + not sent " .. big(0),
      1, true), out)
    code, out, err = t.run(("merge %s %s"):format(a, b))
    assert.are.equal(4, code, out .. err)
    assert.are.equal("", out)
    assert.truthy(err:find("soapload merge: " .. b .. ": summary: added to the files before " ..
      "it, a count passes 2^64 - 1: the counts overflow", 1, true), err)
  end)

  it("a worker that does not add up, or workers that do not add up to the summary: exit 4",
     function()
    -- worker 1 says it sent 1 (its equations broken)
    local one = edited(files[1], function(s)
      local at = s:find('"workers": [', 1, true)
      return s:sub(1, at - 1) .. s:sub(at):gsub('"sent": %d+', '"sent": 1', 1)
    end)
    -- the summary with 5 more scheduled and not sent: its equations hold, the workers' sum
    -- does not reach it
    local five = edited(files[1], function(s)
      return raise(s, '"summary"', function(n) return tostring(n + 5) end)
    end)
    finally(function() os.remove(one); os.remove(five) end)
    local code, out, err = t.run(("merge %s %s"):format(one, files[2]))
    assert.are.equal(4, code, out .. err)
    assert.truthy(err:find("soapload merge: " .. one .. ": workers[0].counts: scheduled 100 != sent 1 + ", 1,
      true), err)
    assert.truthy(err:find("the result does not add up", 1, true), err)
    code, out, err = t.run(("merge %s %s"):format(five, files[2]))
    assert.are.equal(4, code, out .. err)
    assert.truthy(err:find("soapload merge: " .. five .. ": the workers' counts do not add " ..
      "up to the summary's: scheduled differs", 1, true), err)
  end)

  it("a summary or an operation that does not add up: exit 4 naming the equation", function()
    local summary = edited(files[2], function(s)
      return (s:gsub('("summary": {"scheduled": %d+, "sent": )(%d+)', function(h, n)
        return h .. (tonumber(n) + 1)
      end, 1))
    end)
    -- the summary and a worker with 7 more not sent, the operations without them
    local op = edited(files[2], function(s)
      local add = function(n) return tostring(n + 7) end
      return raise(raise(s, '"summary"', add), '"workers": [', add)
    end)
    finally(function() os.remove(summary); os.remove(op) end)
    local code, out, err = t.run(("merge %s %s"):format(files[1], summary))
    assert.are.equal(4, code, out .. err)
    assert.truthy(err:find(summary .. ": summary: scheduled 200 != sent 201 + not sent 0", 1,
      true), err)
    code, out, err = t.run(("merge %s %s"):format(files[1], op))
    assert.are.equal(4, code, out .. err)
    assert.truthy(err:find(op .. ": the operations' counts do not add up to the summary's: " ..
      "scheduled differs", 1, true), err)
  end)

  it("failure reasons counting more failures than the file has (2^63 each): exit 4", function()
    -- 20 connect failures before send, each with its reason
    local run = t.tmpname(".json")
    local code, out, err = t.run(("-q -u http://127.0.0.1:1/x -R 20 -d 1s -w 1 -c 1 --json %s %s")
      :format(run, t.quote(t.root .. "/scripts/examples/default.lua")))
    finally(function() os.remove(run) end)
    assert.are.equal(1, code, (out or "") .. (err or ""))
    local function later(s) -- the same run started 1 us later: another run to merge
      return (s:gsub('"started_at_us": (%d+)', function(n)
        return '"started_at_us": ' .. tostring(math.tointeger(n) + 1)
      end, 1))
    end
    local copy = edited(run, later)
    -- the reason's count raised to 2^63: two such files summed to 0 reasons of 40 failures
    local function huge(s)
      local n
      s, n = s:gsub('("kind": "connect", "count": )20,', "%1" .. big(0) .. ",", 1)
      assert(n == 1, "no connect reason of count 20")
      return s
    end
    local a, b = edited(run, huge), edited(copy, huge)
    finally(function() os.remove(copy); os.remove(a); os.remove(b) end)
    code, out, err = t.run(("merge %s %s"):format(run, copy))
    assert.are.equal(1, code, out .. err)
    assert.truthy(out:find("connect before send 40", 1, true), out)
    assert.truthy(out:find("connect%s+40%s+Couldn't connect to server"), out)
    code, out, err = t.run(("merge %s %s"):format(a, b))
    assert.are.equal(4, code, out .. err)
    assert.are.equal("", out)
    assert.truthy(err:find("soapload merge: " .. a .. ": failure_reasons: the reasons of kind " ..
      "connect count more failures than the 20 the summary has", 1, true), err)
  end)

  it("a run's length of 1e300 s: refused (exit 2), not a timeline overflowing 64 bits", function()
    local long = edited(files[1], function(s)
      local n
      s, n = s:gsub('"elapsed_s": [%d.]+', '"elapsed_s": 1e300', 1)
      assert(n == 1, "no elapsed_s")
      return s
    end)
    finally(function() os.remove(long) end)
    local code, out, err = t.run(("merge %s %s"):format(long, files[2]))
    assert.are.equal(2, code, out .. err)
    assert.are.equal("", out)
    assert.truthy(err:find("soapload merge: " .. long .. ": elapsed_s is 1e+300: not a run's " ..
      "length in seconds (at most 1e9)", 1, true), err)
  end)

  it("a second's target of 1e308 in each of two files: refused (exit 2), never an inf in JSON",
     function()
    local function huge(s) -- the first second's target
      local at = assert(s:find('"intervals": [', 1, true), "no intervals")
      local tail, n = s:sub(at):gsub('("target": )[%d.]+', "%11e308", 1)
      assert(n == 1, "no target")
      return s:sub(1, at - 1) .. tail
    end
    -- b: a started 1 us later, so that their first seconds add up (to inf before)
    local a, out_json = edited(files[1], huge), t.tmpname(".json")
    local b = edited(a, function(s)
      return (s:gsub('"started_at_us": (%d+)', function(n)
        return '"started_at_us": ' .. tostring(math.tointeger(n) + 1)
      end, 1))
    end)
    finally(function() os.remove(a); os.remove(b); os.remove(out_json) end)
    local code, out, err = t.run(("merge --json %s %s %s"):format(out_json, a, b))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("soapload merge: " .. a .. ": intervals[0].target is not a rate " ..
      "from 0 to 1e+10", 1, true), err)
  end)

  it("settings.workers and connections of 2^31 - 1 in each of two files: exit 4", function()
    local function most(s)
      local n1, n2
      s, n1 = s:gsub('"connections": %d+, "workers": %d+',
        '"connections": 2147483647, "workers": 2147483647', 1)
      s, n2 = s:gsub('"started_at_us": (%d+)', function(us) -- b: another run, 1 us later
        return '"started_at_us": ' .. tostring(math.tointeger(us) + 1)
      end, 1)
      assert(n1 == 1 and n2 == 1, "no settings.connections, workers or started_at_us")
      return s
    end
    local a = edited(files[1], function(s)
      return (s:gsub('"connections": %d+, "workers": %d+',
        '"connections": 2147483647, "workers": 2147483647', 1))
    end)
    local b = edited(files[1], most)
    finally(function() os.remove(a); os.remove(b) end)
    local code, out, err = t.run(("merge %s %s"):format(a, b))
    assert.are.equal(4, code, out .. err)
    assert.are.equal("", out)
    assert.truthy(err:find("soapload merge: " .. b .. ": added to the files before it, " ..
      "settings.connections, settings.workers or the workers listed pass 2147483647: they " ..
      "overflow", 1, true), err)
  end)

  it("a second refused after its histogram was read: exit 2, nothing leaked (ASan)", function()
    local bad = edited(files[1], function(s)
      local at = assert(s:find('"intervals": [', 1, true), "no intervals")
      local tail, n = s:sub(at):gsub('"resends_refused": %d+', '"resends_refused": 1e300', 1)
      assert(n == 1, "no resends_refused in the intervals")
      return s:sub(1, at - 1) .. tail
    end)
    finally(function() os.remove(bad) end)
    local code, out, err = t.run("merge " .. bad)
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("soapload merge: " .. bad .. ": intervals[0].counts.resends_refused " ..
      "is 1e+300, not a count (a non-negative integer)", 1, true), err)
  end)

  it("the same run twice: a copy of a file, or a merged file beside a file it holds: exit 2",
     function()
    local copy, ab, out = t.tmpname(".json"), t.tmpname(".json"), t.tmpname(".json")
    finally(function() os.remove(copy); os.remove(ab); os.remove(out) end)
    t.write(copy, assert(t.read(files[1])))
    local code, stdout, err = t.run(("merge %s %s --json %s"):format(files[1], copy, out))
    assert.are.equal(2, code, stdout .. err)
    assert.truthy(err:find(("soapload merge: %s and %s hold the same run, started at "):format(
      files[1], copy), 1, true), err)
    assert.truthy(err:find("(scheduled 200, sent 200): a merge must not count a run twice", 1,
      true), err)
    assert.is_nil(t.read(out))
    assert.are.equal(0, (t.run(("merge -q --allow-gaps %s %s --json %s"):format(files[1],
      files[2], ab))))
    code, stdout, err = t.run(("merge %s %s"):format(files[2], ab))
    assert.are.equal(2, code, stdout .. err)
    assert.truthy(err:find(("%s and %s hold the same run"):format(files[2], ab), 1, true), err)
    -- its other run merges with it no more than once
    code, stdout, err = t.run(("merge %s %s"):format(ab, ab))
    assert.are.equal(2, code, stdout .. err)
    -- a merge of merges keeps every run it holds: run 1 is found two merges deep
    local third, abc = t.tmpname(".json"), t.tmpname(".json")
    finally(function() os.remove(third); os.remove(abc) end)
    t.write(third, (assert(t.read(files[2])):gsub('("started_at_us": )(%d+)', function(k, v)
      return k .. (tonumber(v) + 3)
    end, 1)))
    assert.are.equal(0, (t.run(("merge -q %s %s --json %s"):format(ab, third, abc))))
    local m = t.decode(abc)
    assert.are.equal(2, #m.segments) -- a row per file given
    assert.are.equal(3, #m.runs) -- every run held
    assert.are.equal(600, m.summary.scheduled)
    code, stdout, err = t.run(("merge %s %s"):format(abc, files[1]))
    assert.are.equal(2, code, stdout .. err)
    assert.truthy(err:find(("%s and %s hold the same run"):format(abc, files[1]), 1, true), err)
  end)

  -- the text of a result started `days` later
  local function later(path, days)
    return edited(path, function(s)
      return (s:gsub('("started_at_us": )(%d+)', function(k, v)
        return k .. (tonumber(v) + days * 86400 * 1000000)
      end, 1))
    end)
  end

  it("runs one after another: refused without --allow-gaps (exit 2), their sum with it",
     function()
    local code, out, err = t.run(("merge %s %s"):format(files[1], files[2]))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(("soapload merge: %s started "):format(files[2]), 1, true), err)
    assert.truthy(err:find((" s after %s ended: results that were not running at the same " ..
      "time do not merge unless asked (--allow-gaps merges them, the seconds between left " ..
      "out)"):format(files[1]), 1, true), err)
    assert.are.equal("", out)
  end)

  it("two one-second runs 7 days apart: refused, or with --allow-gaps a timeline of their " ..
     "own seconds only, and it merges again", function()
    local b, out, again = later(files[2], 7), t.tmpname(".json"), t.tmpname(".json")
    finally(function() os.remove(b); os.remove(out); os.remove(again) end)
    local code, stdout, err = t.run(("merge %s %s"):format(files[1], b))
    assert.are.equal(2, code, stdout .. err)
    assert.truthy(err:find(b .. " started 6048", 1, true), err)
    -- 604,800 empty seconds took 632 MB of JSON and 1.4 GB before
    code, stdout, err = t.run(("merge -q --allow-gaps %s %s --json %s"):format(files[1], b, out),
      "/usr/bin/time -f 'peak %M KB'")
    assert.are.equal(0, code, stdout .. err)
    local kb = tonumber(err:match("peak (%d+) KB"))
    assert.is_true(kb < 200 * 1024, err)
    local m = t.decode(out)
    local a_n, b_n = #results[1].intervals, #results[2].intervals
    assert.are.equal(a_n + b_n, #m.intervals)
    assert.is_true(#t.read(out) < 2 * (#t.read(files[1]) + #t.read(files[2])))
    local off = m.segments[2].offset_s
    assert.is_true(off >= 7 * 86400, off)
    local sent = 0
    for i, iv in ipairs(m.intervals) do
      local want = i <= a_n and i - 1 or off + i - 1 - a_n
      assert.are.equal(want, iv.second)
      sent = sent + iv.counts.sent
    end
    assert.are.equal(400, sent)
    assert.are.equal(400, m.summary.sent)
    -- the merged file (with its gap) reads back and merges again
    code, stdout, err = t.run(("merge -q %s --json %s"):format(out, again))
    assert.are.equal(0, code, stdout .. err)
    assert.are.same(m.intervals, t.decode(again).intervals)
  end)
end)
