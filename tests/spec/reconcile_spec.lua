-- soapload --reconcile says what it cannot prove: a trace given twice is refused, IDs the
-- client sent more than once (a copy of a trace, or IDs of a script's own that repeat across
-- workers, as the mock counts them) are reported, requests never sent are counted apart as not
-- expected at the server, a directory is no ID log, and bytes from the ID log reach the
-- terminal escaped.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local default = t.root .. "/scripts/examples/default.lua"

describe("soapload --reconcile", function()
  local ids, trace, received

  setup(function()
    ids, trace = t.tmpname(".ids"), t.tmpname(".csv")
    local mock = t.start_mock("--id-log " .. t.quote(ids))
    local code, out, err = t.run(("-q -u %s -R 40 -d 1s -w 2 --trace %s %s"):format(mock.url,
      trace, default))
    received = mock.stats().requests.total
    mock.stop() -- the mock writes its ID log in chunks: stopped, it has written every line
    assert(code == 0, tostring(code) .. out .. err)
  end)
  teardown(function()
    os.remove(ids)
    os.remove(trace)
  end)

  it("the same trace twice: refused, exit 2; a copy of it: every ID sent twice, exit 1",
     function()
    assert.are.equal(40, received)
    local code, out, err = t.run(("--reconcile %s %s"):format(trace, ids))
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("matched     40 (received exactly once)", 1, true), out)
    code, out, err = t.run(("--reconcile %s %s %s"):format(trace, trace, ids))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(("soapload: %s and %s are the same trace: give each trace once")
      :format(trace, trace), 1, true), err)
    assert.are.equal("", out)
    local copy = t.tmpname(".csv")
    finally(function() os.remove(copy) end)
    t.write(copy, assert(t.read(trace)))
    code, out, err = t.run(("--reconcile %s %s %s"):format(trace, copy, ids))
    assert.are.equal(1, code, out .. err)
    assert.truthy(out:find("  sent        80\n  received    40\n  matched     40", 1, true), out)
    assert.truthy(out:find("lost        40\n", 1, true), out)
    assert.truthy(out:find("Warning     40 IDs were sent more than once (40 sends more): the " ..
      "IDs sent are not distinct", 1, true), out)
    assert.truthy(out:find("Result      MISMATCH", 1, true), out)
  end)

  it("a directory as the ID log or a trace: exit 2 naming it", function()
    local dir = t.tmpname(".d")
    assert(os.execute("mkdir " .. t.quote(dir)))
    finally(function() os.remove(dir) end)
    local code, out, err = t.run(("--reconcile %s %s"):format(trace, dir))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(dir .. " is a directory, not an ID log", 1, true), err)
    code, out, err = t.run(("--reconcile %s %s"):format(dir, ids))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(dir .. " is a directory, not a trace", 1, true), err)
  end)

  it("bytes of the ID log reach the terminal escaped", function()
    local log = t.tmpname(".ids")
    finally(function() os.remove(log) end)
    -- a window title, a screen clear, a C1 CSI and a broken UTF-8 byte; then a real ID
    t.write(log, assert(t.read(ids)) .. "\27]0;owned\7\n\27[2Jx\n\194\155y\n\255z\nénè\n")
    local code, out, err = t.run(("--reconcile %s %s"):format(trace, log))
    assert.are.equal(1, code, out .. err)
    assert.truthy(out:find("unknown     5\n", 1, true), out)
    assert.falsy(out:find("[\0-\9\11-\31\127]"), out) -- nothing but newlines below a space
    assert.falsy(out:find("\194\155", 1, true), out)
    assert.falsy(out:find("\255", 1, true), out)
    assert.truthy(out:find("unknown \\x1b]0;owned\\x07", 1, true), out)
    assert.truthy(out:find("unknown \\x1b[2Jx", 1, true), out)
    assert.truthy(out:find("unknown \\xc2\\x9by", 1, true), out)
    assert.truthy(out:find("unknown \\xffz", 1, true), out)
    assert.truthy(out:find("unknown énè", 1, true), out) -- printable UTF-8 stays
  end)
end)

describe("soapload --reconcile of requests never sent and IDs that repeat", function()
  it("a closed port: every request failed before it was sent, none expected at the server",
     function()
    local trace, empty = t.tmpname(".csv"), t.write(t.tmpname(".ids"), "")
    finally(function() os.remove(trace); os.remove(empty) end)
    local code = t.run(("-q -u http://127.0.0.1:%d/x -R 20 -d 1s -w 1 --trace %s %s"):format(
      t.free_port(), trace, default))
    assert.are.equal(1, code)
    local out
    code, out = t.run(("--reconcile %s %s"):format(trace, empty))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("  sent        0\n", 1, true), out)
    assert.truthy(out:find("  never sent  20 (not expected at the server: failed before send " ..
      "20, not sent 0, script errors before send 0)", 1, true), out)
    assert.truthy(out:find("Result      every ID sent was received exactly once", 1, true), out)
  end)

  it("IDs of the script's own that repeat across workers: the warning counts what the mock " ..
     "counted as duplicates, exit 1", function()
    local ids, trace = t.tmpname(".ids"), t.tmpname(".csv")
    local mock = t.start_mock("--id-log " .. t.quote(ids))
    finally(function() mock.stop(); os.remove(ids); os.remove(trace) end)
    local script = t.script([[
function request(id, seq)
  local mine = "order-" .. seq -- each worker counts from 1: the two send the same IDs
  return soapload.envelope(soapload.echo(mine)), { id = mine }
end
]])
    finally(function() os.remove(script) end)
    local code, out, err = t.run(("-q -u %s -R 40 -d 1s -w 2 --trace %s %s"):format(mock.url,
      trace, script))
    assert.are.equal(0, code, out .. err)
    local stats = mock.stats()
    mock.stop()
    assert.are.equal(40, stats.requests.total)
    assert.are.equal(20, stats.ids.duplicates)
    code, out = t.run(("--reconcile %s %s"):format(trace, ids))
    assert.are.equal(1, code, out)
    assert.truthy(out:find("  sent        40\n  received    40\n  matched     40", 1, true), out)
    assert.truthy(out:find("duplicated  0\n", 1, true), out)
    assert.truthy(out:find(("Warning     %d IDs were sent more than once (%d sends more)")
      :format(stats.ids.duplicates, stats.ids.duplicates), 1, true), out)
    assert.truthy(out:find("Result      NOT DISTINCT: every ID was received as often as sent, " ..
      "but some were sent more than once", 1, true), out)
  end)
end)

describe("soapload --reconcile of a failed run, of IDs of a script's own, of no trace", function()
  it("explains what went missing after a run that went wrong", function()
    -- a server that reads each request and answers with bytes that are not HTTP: every
    -- request was sent, none reached a log of IDs
    local bad = t.start_bad_server("garbage")
    finally(function() bad.stop() end)
    local trace, ids = t.tmpname(".csv"), t.write(t.tmpname(".ids"), "")
    local code = t.run(("-q --trace %s -u %s -R 50 -d 1s -w 1 -c 1 %s")
      :format(trace, bad.url, t.root .. "/scripts/examples/default.lua"))
    assert.are.equal(1, code)
    local out
    code, out = t.run(("--reconcile %s %s"):format(trace, ids))
    assert.are.equal(1, code, out)
    assert.truthy(out:find("sent        50", 1, true), out)
    assert.truthy(out:find("lost        50", 1, true), out)
    assert.truthy(out:find("Lost, by the client's outcome: protocol 50", 1, true), out)
    assert.truthy(out:find("Result      MISMATCH", 1, true), out)
    os.remove(trace)
    os.remove(ids)
  end)

  it("handles IDs of the script's own that hold commas and quotes", function()
    local ids = t.tmpname(".ids")
    local m = t.start_mock("--id-log " .. ids)
    finally(function() m.stop() end)
    local trace = t.tmpname(".csv")
    local script = t.script([[
      soapload.rate = 20
      soapload.duration = 1
      function request(id, seq)
        local mine = 'T,' .. seq .. '"q"'
        return soapload.envelope(soapload.echo(mine)), { id = mine }
      end
    ]])
    local code, out = t.run(("-q -w 1 --trace %s -u %s %s"):format(trace, m.url, script))
    assert.are.equal(0, code, out)
    assert.truthy(t.read(trace):find('\n"T,1""q""",', 1, true))
    t.sleep(0.4)
    code, out = t.run(("--reconcile %s %s"):format(trace, ids))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("matched     20", 1, true), out)
    os.remove(trace)
    os.remove(script)
    os.remove(ids)
  end)

  it("refuses a file that is not a trace", function()
    local bogus = t.write(t.tmpname(".csv"), "hello\n")
    local code, _, err = t.run(("--reconcile %s %s"):format(bogus, bogus))
    assert.are.equal(2, code)
    assert.truthy(err:find("does not start with soapload's header line", 1, true), err)
    code, _, err = t.run("--reconcile /nonexistent " .. bogus)
    assert.are.equal(2, code)
    assert.truthy(err:find("cannot read /nonexistent", 1, true), err)
    os.remove(bogus)
  end)
end)
