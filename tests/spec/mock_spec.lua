-- soapload-mock's contract, against the real server on a free loopback port.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

describe("soapload-mock", function()
  local mock
  local id_log = t.tmpname(".ids")

  setup(function()
    mock = t.start_mock("--threads 2 --max-body 64k --id-log " .. id_log)
  end)
  teardown(function()
    if mock then mock.stop() end
    os.remove(id_log)
  end)
  before_each(function() mock.reset() end)

  it("echoes the ID of a SOAP 1.1 envelope with 200 and text/xml", function()
    local status, h, body = t.soap11(mock.port, t.envelope(t.SOAP11, "P123-R1"))
    assert.are.equal(200, status)
    assert.are.equal("text/xml; charset=utf-8", h["content-type"])
    assert.truthy(body:find("<e:RequestId>P123-R1</e:RequestId>", 1, true))
    assert.truthy(body:find(t.SOAP11, 1, true))
    assert.are.equal("keep-alive", h["connection"])
  end)

  it("echoes a SOAP 1.2 envelope as SOAP 1.2", function()
    local status, h, body = t.http(mock.port, "POST", "/soap/endpoint",
      { ["Content-Type"] = 'application/soap+xml; charset=utf-8; action="urn:test#Echo"' },
      t.envelope(t.SOAP12, "P9-R42", "env"))
    assert.are.equal(200, status)
    assert.are.equal("application/soap+xml; charset=utf-8", h["content-type"])
    assert.truthy(body:find(t.SOAP12, 1, true))
    assert.truthy(body:find(">P9-R42<", 1, true))
  end)

  it("finds the ID under any prefix or default namespace, trimmed, CDATA unwrapped", function()
    local body = '<Envelope xmlns="' .. t.SOAP11 .. '"><Body><Echo xmlns="urn:other">' ..
      '<RequestId>\n  <![CDATA[P1-R7]]>  \n</RequestId></Echo></Body></Envelope>'
    local status, _, resp = t.soap11(mock.port, body)
    assert.are.equal(200, status)
    assert.truthy(resp:find(">P1-R7<", 1, true))
  end)

  it("echoes an ID with markup in it escaped", function()
    local status, _, body = t.soap11(mock.port, t.envelope(t.SOAP11, "a&lt;b&gt;&amp;&quot;"))
    assert.are.equal(200, status)
    assert.truthy(body:find(">a&lt;b&gt;&amp;&quot;<", 1, true))
  end)

  it("answers malformed XML with a Client fault (1.1: 500) or a Sender fault (1.2: 400)",
    function()
      local status, _, body = t.soap11(mock.port, "<s:Envelope><oops></s:Envelope>")
      assert.are.equal(500, status)
      assert.truthy(body:find("<faultcode>soap:Client</faultcode>", 1, true))
      assert.truthy(body:find("malformed XML at byte", 1, true))
      status, _, body = t.http(mock.port, "POST", "/soap/endpoint",
        { ["Content-Type"] = "application/soap+xml" }, "not xml at all")
      assert.are.equal(400, status)
      assert.truthy(body:find("soap:Sender", 1, true))
      assert.are.equal(2, mock.stats().requests.fault_client)
    end)

  it("answers a request without an ID with a Client fault", function()
    local status, _, body = t.soap11(mock.port,
      '<s:Envelope xmlns:s="' .. t.SOAP11 .. '"><s:Body><x/></s:Body></s:Envelope>')
    assert.are.equal(500, status)
    assert.truthy(body:find("no RequestId element", 1, true))
  end)

  it("answers a SOAP 1.2 envelope sent as text/xml with VersionMismatch", function()
    local status, _, body = t.soap11(mock.port, t.envelope(t.SOAP12, "P1-R1"))
    assert.are.equal(500, status)
    assert.truthy(body:find("soap:VersionMismatch", 1, true))
    assert.are.equal(1, mock.stats().requests.fault_version_mismatch)
  end)

  it("refuses a DTD with a fault and never expands its entities", function()
    local bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lollollollol">' ..
      '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' .. t.envelope(t.SOAP11, "&lol2;")
    local status, _, body = t.soap11(mock.port, bomb)
    assert.are.equal(500, status)
    assert.truthy(body:find("DTDs are not allowed", 1, true))
    assert.falsy(body:find("lollol", 1, true))
  end)

  it("answers other methods with 405 and an Allow header", function()
    local status, h = t.http(mock.port, "PUT", "/soap/endpoint", {}, "x")
    assert.are.equal(405, status)
    assert.are.equal("POST, GET", h["allow"])
    status = t.http(mock.port, "GET", "/soap/endpoint")
    assert.are.equal(405, status)
  end)

  it("answers unknown paths with 404 and other media types with 415", function()
    assert.are.equal(404, (t.http(mock.port, "POST", "/nope", {}, "x")))
    assert.are.equal(415, (t.http(mock.port, "POST", "/soap/endpoint",
      { ["Content-Type"] = "application/json" }, "{}")))
    local s = mock.stats().requests
    assert.are.equal(1, s.not_found)
    assert.are.equal(1, s.bad_media_type)
  end)

  it("answers a body over --max-body with 413 before reading it all", function()
    local conn = t.connect(mock.port)
    -- announce 10 MB, send only the headers: the answer must come without the body
    conn:send("POST /soap/endpoint HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n" ..
      "Content-Length: 10485760\r\n\r\n")
    local status = t.read_response(conn)
    conn:close()
    assert.are.equal(413, status)
    -- and the server goes on serving everyone else
    assert.are.equal(200, (t.soap11(mock.port, t.envelope(t.SOAP11, "after-413"))))
  end)

  it("serves a WSDL of the echo operation at ?wsdl", function()
    local status, h, body = t.http(mock.port, "GET", "/soap/endpoint?wsdl")
    assert.are.equal(200, status)
    assert.truthy(h["content-type"]:find("text/xml", 1, true))
    assert.truthy(body:find("<wsdl:definitions", 1, true))
    assert.truthy(body:find('location="' .. mock.url .. '"', 1, true))
    assert.truthy(body:find('name="RequestId"', 1, true))
  end)

  it("counts exactly what several concurrent clients sent", function()
    local conns, per, n = {}, 25, 8
    for c = 1, n do conns[c] = t.connect(mock.port) end
    for r = 1, per do
      -- every connection has a request outstanding before any answer is read
      for c = 1, n do
        assert(conns[c]:send(t.request_text("POST", "/soap/endpoint",
          { ["Content-Type"] = "text/xml" }, t.envelope(t.SOAP11, ("C%d-R%d"):format(c, r)))))
      end
      for c = 1, n do assert.are.equal(200, (t.read_response(conns[c]))) end
    end
    -- 10 IDs again: duplicates
    for r = 1, 10 do
      assert(conns[1]:send(t.request_text("POST", "/soap/endpoint",
        { ["Content-Type"] = "text/xml" }, t.envelope(t.SOAP11, ("C2-R%d"):format(r)))))
      assert.are.equal(200, (t.read_response(conns[1])))
    end
    for c = 1, n do conns[c]:close() end
    local s = mock.stats()
    assert.are.equal(n * per + 10, s.requests.total)
    assert.are.equal(n * per + 10, s.requests.echo)
    assert.are.equal(n * per + 10, s.ids.received)
    assert.are.equal(n * per, s.ids.distinct)
    assert.are.equal(10, s.ids.duplicates)
    assert.is_true(s.connections.accepted >= n)
  end)

  it("zeroes its counters on POST /stats/reset", function()
    t.soap11(mock.port, t.envelope(t.SOAP11, "x1"))
    assert.are.equal(1, mock.stats().requests.total)
    local status, _, body = mock.reset()
    assert.are.equal(200, status)
    assert.truthy(body:find("reset", 1, true))
    local s = mock.stats()
    assert.are.equal(0, s.requests.total)
    assert.are.equal(0, s.ids.distinct)
  end)

  it("keeps serving others while a client sends its request slowly", function()
    local slow = t.connect(mock.port)
    slow:send("POST /soap/endpoint HTTP/1.1\r\nHost: x\r\nContent-Type: te")
    for i = 1, 20 do
      assert.are.equal(200, (t.soap11(mock.port, t.envelope(t.SOAP11, "fast" .. i))))
    end
    slow:close()
  end)

  it("writes every received ID to --id-log", function()
    for i = 1, 5 do t.soap11(mock.port, t.envelope(t.SOAP11, "LOG-" .. i)) end
    t.sleep(0.6) -- the log is flushed every 250 ms
    local log = t.read(id_log)
    for i = 1, 5 do assert.truthy(log:find("LOG-" .. i .. "\n", 1, true)) end
  end)
end)

describe("soapload-mock options", function()
  it("injects SOAP Server faults at --fault-rate, still reading the ID", function()
    local mock = t.start_mock("--fault-rate 1")
    local status, _, body = t.soap11(mock.port, t.envelope(t.SOAP11, "F-1"))
    assert.are.equal(500, status)
    assert.truthy(body:find("soap:Server", 1, true))
    assert.truthy(body:find(">F-1<", 1, true))
    local s = mock.stats()
    assert.are.equal(1, s.requests.fault_injected)
    assert.are.equal(1, s.ids.distinct)
    mock.stop()
  end)

  it("answers about --fault-rate of the valid requests with a fault", function()
    local mock = t.start_mock("--fault-rate 0.5")
    finally(function() mock.stop() end)
    local faults = 0
    for i = 1, 200 do
      if t.soap11(mock.port, t.envelope(t.SOAP11, "H-" .. i)) == 500 then faults = faults + 1 end
    end
    -- a binomial(200, 0.5): 60..140 lies more than 5 standard deviations out on each side
    assert.is_true(faults >= 60 and faults <= 140, faults .. " faults")
    local s = mock.stats()
    assert.are.equal(faults, s.requests.fault_injected)
    assert.are.equal(200 - faults, s.requests.echo)
    assert.are.equal(200, s.ids.distinct) -- the ID is read either way
  end)

  it("delays responses by --delay and counts the requests in progress meanwhile", function()
    local mock = t.start_mock("--delay 300ms --threads 1")
    local conns = {}
    local t0 = t.now()
    for c = 1, 5 do
      conns[c] = t.connect(mock.port)
      conns[c]:send(t.request_text("POST", "/soap/endpoint", { ["Content-Type"] = "text/xml" },
        t.envelope(t.SOAP11, "D" .. c)))
    end
    for c = 1, 5 do assert.are.equal(200, (t.read_response(conns[c]))) end
    assert.is_true(t.now() - t0 >= 0.29)
    local s = mock.stats()
    assert.are.equal(5, s.in_progress.max)
    assert.are.equal(0, s.in_progress.now)
    for c = 1, 5 do conns[c]:close() end
    mock.stop()
  end)

  it("reads the ID from the element named by --id-element", function()
    local mock = t.start_mock("--id-element TxnRef")
    local status, _, body = t.soap11(mock.port, '<s:Envelope xmlns:s="' .. t.SOAP11 ..
      '"><s:Body><q:Do xmlns:q="urn:q"><q:TxnRef>T-77</q:TxnRef></q:Do></s:Body></s:Envelope>')
    assert.are.equal(200, status)
    assert.truthy(body:find("<e:TxnRef>T-77</e:TxnRef>", 1, true))
    mock.stop()
  end)

  it("prints its totals when stopped by SIGTERM or SIGINT", function()
    local mock = t.start_mock("")
    for i = 1, 3 do t.soap11(mock.port, t.envelope(t.SOAP11, "S" .. i)) end
    local out = mock.stop("INT")
    assert.truthy(out:find("stopped by SIGINT after 3 requests: 3 distinct IDs, 0 duplicates",
      1, true))
  end)

  it("refuses bad options with exit code 2 and a message naming them", function()
    for _, args in ipairs({ "--port 70000", "--delay nonsense", "--fault-rate 2",
      "--threads 0", "--path nope", "--max-body -1", "--bogus" }) do
      local p = io.popen(t.quote(t.mock_bin) .. " " .. args .. " 2>&1; echo \"exit=$?\"")
      local out = p:read("a")
      p:close()
      assert.truthy(out:find("exit=2", 1, true), args .. ": " .. out)
      assert.truthy(out:find("soapload%-mock:") or out:find("Usage:"), args .. ": " .. out)
    end
  end)

  it("answers --help and --version", function()
    local p = io.popen(t.quote(t.mock_bin) .. " --version")
    assert.truthy(p:read("a"):find("^soapload%-mock %d+%.%d+%.%d+"))
    p:close()
    p = io.popen(t.quote(t.mock_bin) .. " --help; echo \"exit $?\"")
    local help = p:read("a")
    p:close()
    assert.truthy(help:find("^Usage: soapload%-mock %[OPTION%]%.%.%."), help)
    for _, opt in ipairs({ "--port", "--host", "--delay", "--fault-rate", "--id-log", "--help" }) do
      assert.truthy(help:find(opt, 1, true), opt)
    end
    assert.truthy(help:find("exit 0\n$"), help)
  end)
end)

-- Sends `per` pipelined SOAP requests on each of `n` new connections without reading a
-- response, so the mock's threads are busy with them while the caller does something else;
-- returns a function that reads every answer and returns how many were 200.
local function pipeline(port, n, per, prefix)
  local conns = {}
  for c = 1, n do
    conns[c] = t.connect(port)
    local parts = {}
    for r = 1, per do
      parts[r] = t.request_text("POST", "/soap/endpoint", { ["Content-Type"] = "text/xml" },
        t.envelope(t.SOAP11, ("%s-C%d-R%d"):format(prefix, c, r)))
    end
    assert(conns[c]:send(table.concat(parts)))
  end
  return function()
    local ok = 0
    for c = 1, n do
      for _ = 1, per do
        if t.read_response(conns[c]) == 200 then ok = ok + 1 end
      end
      conns[c]:close()
    end
    return ok
  end
end

describe("soapload-mock under load", function()
  it("resets its counters and its ID set at one instant, however busy it is", function()
    local mock = t.start_mock("--threads 4")
    finally(function() mock.stop() end)
    local uneven = {}
    for round = 1, 150 do
      local drain = pipeline(mock.port, 4, 150, "L" .. round)
      t.sleep((round % 5) * 0.0005) -- lands at different points of the busy spell
      assert.are.equal(200, (mock.reset()))
      assert.are.equal(600, drain())
      -- quiet now: every request the reset did not wipe counts once, its ID with it
      local s = mock.stats()
      if s.requests.echo ~= s.ids.received or s.ids.distinct ~= s.ids.received then
        uneven[#uneven + 1] = ("round %d: echo %d, ids.received %d, distinct %d"):format(round,
          s.requests.echo, s.ids.received, s.ids.distinct)
      end
    end
    assert.are.same({}, uneven)
  end)

  for _, sig in ipairs({ "HUP", "TERM" }) do
    it("writes every ID to --id-log and prints its totals when stopped by SIG" .. sig, function()
      local log = t.tmpname(".ids")
      finally(function() os.remove(log) end)
      local mock = t.start_mock("--threads 2 --id-log " .. log)
      assert.are.equal(300, pipeline(mock.port, 3, 100, "S" .. sig)())
      local out = mock.stop(sig)
      assert.truthy(out:find("stopped by SIG" .. sig .. " after 300 requests: 300 distinct IDs",
        1, true), out)
      local seen, lines = {}, 0
      for line in t.read(log):gmatch("[^\n]+") do
        seen[line] = true
        lines = lines + 1
      end
      assert.are.equal(300, lines)
      for c = 1, 3 do
        for r = 1, 100 do assert.truthy(seen[("S%s-C%d-R%d"):format(sig, c, r)]) end
      end
    end)
  end
end)

-- Sends one SOAP request per ID over 4 keep-alive connections, 100 pipelined on each at a
-- time; returns how many were answered 200.
local function send_ids(port, ids)
  local ok, at = 0, 1
  while at <= #ids do
    local conns, counts = {}, {}
    for c = 1, 4 do
      local parts = {}
      while #parts < 100 and at <= #ids do
        parts[#parts + 1] = t.request_text("POST", "/soap/endpoint",
          { ["Content-Type"] = "text/xml" }, t.envelope(t.SOAP11, ids[at]))
        at = at + 1
      end
      if #parts == 0 then break end
      conns[c] = t.connect(port)
      counts[c] = #parts
      assert(conns[c]:send(table.concat(parts)))
    end
    for c, conn in ipairs(conns) do
      for _ = 1, counts[c] do
        if t.read_response(conn) == 200 then ok = ok + 1 end
      end
      conn:close()
    end
  end
  return ok
end

local function range(prefix, from, to)
  local ids = {}
  for i = from, to do ids[#ids + 1] = prefix .. i end
  return ids
end

describe("soapload-mock under nohup", function()
  it("keeps serving after SIGHUP when it was started ignoring it", function()
    local mock = t.start_mock("", "nohup")
    finally(function() mock.stop() end)
    os.execute("kill -HUP " .. mock.pid)
    t.sleep(0.3)
    assert.is_true(t.alive(mock.pid))
    assert.are.equal(200, (t.soap11(mock.port, t.envelope(t.SOAP11, "NOHUP-1"))))
    assert.truthy(mock.stop():find("stopped by SIGTERM after 1 requests", 1, true))
  end)
end)

describe("soapload-mock's ID set", function()
  it("stays within --id-memory, still catches repeats of the IDs it holds, says it is partial",
    function()
      local mock = t.start_mock("--threads 2 --id-memory 64k")
      finally(function() mock.stop() end)
      assert.are.equal("exact", mock.stats().ids.tracking)
      -- 100 IDs into an empty set, 12,000 more than 64k can hold (64 shards x 96), the 100 again
      local ids = range("EARLY-", 1, 100)
      for _, id in ipairs(range("FILL-", 1, 12000)) do ids[#ids + 1] = id end
      for i = 1, 100 do ids[#ids + 1] = "EARLY-" .. i end
      assert.are.equal(12200, send_ids(mock.port, ids))
      local s = mock.stats()
      assert.are.equal(12200, s.requests.echo)
      assert.are.equal(12200, s.ids.received)
      assert.are.equal(100, s.ids.duplicates)
      assert.are.equal(12100, s.ids.distinct + s.ids.untracked)
      assert.is_true(s.ids.distinct <= 64 * 96, "distinct " .. s.ids.distinct)
      assert.is_true(s.ids.untracked >= 12100 - 64 * 96, "untracked " .. s.ids.untracked)
      assert.are.equal("partial", s.ids.tracking)
      assert.is_true(s.ids.set_bytes <= 64 * 1024, "set_bytes " .. s.ids.set_bytes)
      -- its bound, stated: 64 shards of 128 slots of 8 bytes, each filled to 3/4
      assert.are.same({ 65536, 64 * 96 }, { s.ids.set_max_bytes, s.ids.max_distinct })
      local out = mock.stop()
      assert.truthy(out:find(("stopped by SIGTERM after 12200 requests: %d distinct IDs, 100 " ..
        "duplicates"):format(s.ids.distinct), 1, true), out)
      assert.truthy(out:find(("duplicate detection was partial: %d IDs untracked once the ID " ..
        "set reached --id-memory 64k"):format(s.ids.untracked), 1, true), out)
    end)

  it("states its bound by default: 256 MiB, 25,165,824 IDs (10.7 bytes per ID when full)",
    function()
      local mock = t.start_mock("")
      finally(function() mock.stop() end)
      local s = mock.stats()
      assert.are.same({ 268435456, 25165824 }, { s.ids.set_max_bytes, s.ids.max_distinct })
    end)

  it("is exact again after a reset", function()
    local mock = t.start_mock("--id-memory 64k")
    finally(function() mock.stop() end)
    assert.are.equal(8000, send_ids(mock.port, range("A-", 1, 8000)))
    assert.are.equal("partial", mock.stats().ids.tracking)
    mock.reset()
    assert.are.equal(20, send_ids(mock.port, range("B-", 1, 20)))
    local s = mock.stats()
    assert.are.equal("exact", s.ids.tracking)
    assert.are.same({ 20, 20, 0, 0 }, { s.ids.received, s.ids.distinct, s.ids.duplicates,
      s.ids.untracked })
  end)

  it("is not kept with --no-ids, while IDs are still counted and logged", function()
    local log = t.tmpname(".ids")
    local mock = t.start_mock("--no-ids --id-log " .. log)
    finally(function() mock.stop(); os.remove(log) end)
    local ids = range("N-", 1, 50)
    for i = 1, 10 do ids[#ids + 1] = "N-" .. i end
    assert.are.equal(60, send_ids(mock.port, ids))
    local s = mock.stats()
    assert.are.same({ 60, 0, 0, 60, "off", 0, 0, 0 }, { s.ids.received, s.ids.distinct,
      s.ids.duplicates, s.ids.untracked, s.ids.tracking, s.ids.set_bytes, s.ids.set_max_bytes,
      s.ids.max_distinct })
    local out = mock.stop()
    assert.truthy(out:find("after 60 requests: 0 distinct IDs, 0 duplicates", 1, true), out)
    assert.truthy(out:find("60 IDs received, not tracked (--no-ids)", 1, true), out)
    local lines = 0
    for _ in t.read(log):gmatch("[^\n]+") do lines = lines + 1 end
    assert.are.equal(60, lines)
  end)

  it("refuses --id-memory below 64k, and with --no-ids", function()
    for _, args in ipairs({ "--id-memory 10k", "--id-memory lots", "--no-ids --id-memory 1m" }) do
      local p = io.popen(t.quote(t.mock_bin) .. " " .. args .. " 2>&1; echo \"exit=$?\"")
      local out = p:read("a")
      p:close()
      assert.truthy(out:find("exit=2", 1, true), args .. ": " .. out)
      assert.truthy(out:find("--id-memory", 1, true), args .. ": " .. out)
    end
  end)
end)

describe("soapload-mock's --id-log", function()
  it("appends to an existing log and says so on start", function()
    local log = t.write(t.tmpname(".ids"), "OLD-1\nOLD-2\n")
    finally(function() os.remove(log) end)
    local mock = t.start_mock("--id-log " .. log)
    assert.are.equal(2, send_ids(mock.port, { "NEW-1", "NEW-2" }))
    local out = mock.stop()
    assert.truthy(out:find("note: appending to the ID log " .. log .. ", which already holds " ..
      "12 bytes", 1, true), out)
    local text = t.read(log)
    assert.are.equal("OLD-1\nOLD-2\n", text:sub(1, 12))
    local rest = {}
    for line in text:sub(13):gmatch("[^\n]+") do rest[#rest + 1] = line end
    table.sort(rest)
    assert.are.same({ "NEW-1", "NEW-2" }, rest)
  end)

  it("says nothing about a new log", function()
    local log = t.tmpname(".ids")
    finally(function() os.remove(log) end)
    local mock = t.start_mock("--id-log " .. log)
    assert.falsy(mock.stop():find("note:", 1, true))
  end)
end)

describe("soapload-mock's documentation", function()
  it("lists in soapload-mock(1) exactly the options --help prints (one table makes both)",
    function()
      local p = io.popen(t.quote(t.mock_bin) .. " --help")
      local help = p:read("a")
      p:close()
      local page = t.man("soapload-mock.1")
      local options = assert(help:match("\n(  %-H, %-%-host.-)\n\n"), help)
      local section = assert(page:match("\nOPTIONS\n(.-)\nENDPOINTS\n"), page)
      assert.are.equal(t.words(options), t.words(section))
      for head in options:gmatch("\n  (%-[^\n]-)  ") do
        assert.truthy(section:find("\n       " .. head .. "\n", 1, true), head)
      end
      assert.truthy(section:find("\n       %-%-fault%-when NAME=VALUE\n"), section)
    end)
end)

local function start_tls_mock(dir, args)
  return t.start_mock_at("https://127.0.0.1", ("--tls-cert %s/srv.pem --tls-key %s/srv.key %s")
    :format(t.quote(dir), t.quote(dir), args or ""))
end

-- Runs curl (the command) with `args`; returns its exit code and what it printed.
local function curl(args)
  local p = io.popen("curl -s " .. args .. " 2>&1; echo \"exit=$?\"")
  local out = p:read("a")
  p:close()
  return tonumber(out:match("exit=(%d+)%s*$")), out:gsub("exit=%d+%s*$", "")
end

describe("soapload-mock over TLS", function()
  local dir, mock, body
  setup(function()
    dir = t.make_test_ca()
    mock = start_tls_mock(dir, "--threads 2")
    body = t.write(dir .. "/body.xml", t.envelope(t.SOAP11, "TLS-ID"))
  end)
  teardown(function()
    if mock then mock.stop() end
    os.execute("rm -rf " .. t.quote(dir))
  end)

  local function post(version, id)
    t.write(body, t.envelope(t.SOAP11, id))
    return curl(("--cacert %s/ca.pem %s -H 'Content-Type: text/xml' --data-binary @%s " ..
      "-w '\\n%%{http_version} %%{http_code}' %s/soap/endpoint"):format(t.quote(dir), version,
      t.quote(body), mock.base))
  end

  it("answers HTTPS over HTTP/1.1 and HTTP/2 (ALPN h2) and counts each by protocol", function()
    assert.is_nil((t.http(mock.port, "GET", "/stats"))) -- no cleartext answer on a TLS port
    local _, before = curl(("--cacert %s/ca.pem %s/stats"):format(t.quote(dir), mock.base))
    before = t.json.decode(before)
    local code, out = post("--http1.1", "TLS-H1")
    assert.are.equal(0, code, out)
    assert.truthy(out:find("<e:RequestId>TLS-H1</e:RequestId>", 1, true), out)
    assert.truthy(out:find("\n1.1 200$"), out)
    code, out = post("--http2", "TLS-H2")
    assert.are.equal(0, code, out)
    assert.truthy(out:find("<e:RequestId>TLS-H2</e:RequestId>", 1, true), out)
    assert.truthy(out:find("\n2 200$"), out)
    local _, json = curl(("--cacert %s/ca.pem %s/stats"):format(t.quote(dir), mock.base))
    local s = t.json.decode(json)
    assert.are.equal(before.requests.echo + 2, s.requests.echo)
    assert.are.equal(before.protocols.http1 + 1, s.protocols.http1)
    assert.are.equal(before.protocols.http2 + 1, s.protocols.http2)
    assert.are.equal(before.protocols.tls + 2, s.protocols.tls)
    assert.are.equal(before.ids.distinct + 2, s.ids.distinct)
  end)

  it("is refused by a client that does not trust its certificate, and counts nothing", function()
    local _, json = curl(("--cacert %s/ca.pem %s/stats"):format(t.quote(dir), mock.base))
    local total = t.json.decode(json).requests.total
    local code, out = curl(("-H 'Content-Type: text/xml' --data-binary @%s %s/soap/endpoint")
      :format(t.quote(body), mock.base))
    assert.are.equal(60, code, out) -- CURLE_PEER_FAILED_VERIFICATION
    _, json = curl(("--cacert %s/ca.pem %s/stats"):format(t.quote(dir), mock.base))
    assert.are.equal(total, t.json.decode(json).requests.total)
  end)

  it("gives its https address in the WSDL", function()
    local code, out = curl(("--cacert %s/ca.pem '%s/soap/endpoint?wsdl'"):format(t.quote(dir),
      mock.base))
    assert.are.equal(0, code, out)
    assert.truthy(out:find('location="' .. mock.base .. '/soap/endpoint"', 1, true), out)
  end)

  it("refuses a missing or mismatched certificate or key with exit 1 naming the file", function()
    for _, case in ipairs({
      { "--tls-cert " .. dir .. "/nope.pem --tls-key " .. dir .. "/srv.key", "nope.pem" },
      { "--tls-cert " .. dir .. "/srv.pem --tls-key " .. dir .. "/ca.key", "ca.key" },
      { "--tls-cert " .. dir .. "/srv.key --tls-key " .. dir .. "/srv.key", "--tls-cert" },
    }) do
      local p = io.popen(t.quote(t.mock_bin) .. " --port 0 " .. case[1] .. " 2>&1; echo \"exit=$?\"")
      local out = p:read("a")
      p:close()
      assert.truthy(out:find("exit=1", 1, true), case[1] .. ": " .. out)
      assert.truthy(out:find(case[2], 1, true), case[1] .. ": " .. out)
    end
    local p = io.popen(t.quote(t.mock_bin) .. " --tls-cert x.pem 2>&1; echo \"exit=$?\"")
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("--tls-cert and --tls-key go together", 1, true), out)
    assert.truthy(out:find("exit=2", 1, true), out)
  end)
end)

describe("soapload-mock with mutual TLS", function()
  it("serves a client whose certificate its --tls-client-ca signed, and refuses the rest",
    function()
      local dir = t.make_test_ca()
      local mock = start_tls_mock(dir, "--tls-client-ca " .. t.quote(dir .. "/ca.pem"))
      finally(function() mock.stop(); os.execute("rm -rf " .. t.quote(dir)) end)
      local body = t.write(dir .. "/body.xml", t.envelope(t.SOAP11, "MTLS-1"))
      local function post(cert, version)
        return curl(("--cacert %s/ca.pem %s %s -H 'Content-Type: text/xml' --data-binary @%s " ..
          "-w '\n%%{http_version} %%{http_code}' %s/soap/endpoint"):format(t.quote(dir), cert,
          version, t.quote(body), mock.base))
      end
      local mine = ("--cert %s/cli.pem --key %s/cli.key"):format(t.quote(dir), t.quote(dir))
      local stranger = ("--cert %s/self.pem --key %s/self.key"):format(t.quote(dir), t.quote(dir))
      local code, out = post(mine, "--http2")
      assert.are.equal(0, code, out)
      assert.truthy(out:find("\n2 200$"), out)
      code, out = post(mine, "--http1.1")
      assert.are.equal(0, code, out)
      assert.truthy(out:find("\n1.1 200$"), out)
      for _, case in ipairs({ { "", "--http2" }, { "", "--http1.1" }, { stranger, "--http2" },
        { stranger, "--http1.1" } }) do
        code, out = post(case[1], case[2])
        assert.are_not.equal(0, code, out) -- refused in (TLS 1.2) or right after the handshake
      end
      local _, json = curl(("--cacert %s/ca.pem %s %s/stats"):format(t.quote(dir), mine,
        mock.base))
      local s = t.json.decode(json)
      assert.are.equal(2, s.requests.echo) -- only the two with the CA's client certificate
      assert.are.same({ 1, 1, 2 }, { s.protocols.http1, s.protocols.http2, s.protocols.tls })
    end)

  it("refuses --tls-client-ca without --tls-cert, and an unreadable CA file", function()
    local p = io.popen(t.quote(t.mock_bin) .. " --tls-client-ca x.pem 2>&1; echo \"exit=$?\"")
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("--tls-client-ca needs --tls-cert and --tls-key", 1, true), out)
    assert.truthy(out:find("exit=2", 1, true), out)
    local dir = t.make_test_ca()
    finally(function() os.execute("rm -rf " .. t.quote(dir)) end)
    p = io.popen(("%s --port 0 --tls-cert %s/srv.pem --tls-key %s/srv.key --tls-client-ca " ..
      "%s/none.pem 2>&1; echo \"exit=$?\""):format(t.quote(t.mock_bin), t.quote(dir),
      t.quote(dir), t.quote(dir)))
    out = p:read("a")
    p:close()
    assert.truthy(out:find("cannot use the client CA (--tls-client-ca)", 1, true), out)
    assert.truthy(out:find("exit=1", 1, true), out)
  end)
end)

describe("soapload-mock over cleartext HTTP/2", function()
  it("answers h2c (prior knowledge or upgrade) and counts it as http2 without TLS", function()
    local mock = t.start_mock("")
    finally(function() mock.stop() end)
    local body = t.write(t.tmpname(".xml"), t.envelope(t.SOAP11, "H2C-1"))
    finally(function() os.remove(body) end)
    local code, out = curl(("--http2-prior-knowledge -H 'Content-Type: text/xml' " ..
      "--data-binary @%s -w '\\n%%{http_version} %%{http_code}' %s"):format(t.quote(body),
      mock.url))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("\n2 200$"), out)
    local s = mock.stats()
    assert.are.same({ 0, 1, 0 }, { s.protocols.http1, s.protocols.http2, s.protocols.tls })
    assert.are.equal(1, s.ids.distinct)
    -- and the upgrade from HTTP/1.1 (Upgrade: h2c), which curl --http2 asks for over http
    t.write(body, t.envelope(t.SOAP11, "H2C-2"))
    code, out = curl(("--http2 -H 'Content-Type: text/xml' --data-binary @%s " ..
      "-w '\\n%%{http_version} %%{http_code}' %s"):format(t.quote(body), mock.url))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("\n2 200$"), out)
    s = mock.stats()
    assert.are.equal(2, s.ids.distinct)
    assert.are.same({ 0, 2 }, { s.protocols.http1, s.protocols.http2 }) -- served as stream 1
  end)
end)

describe("soapload-mock's clock header", function()
  it("stamps each SOAP answer with X-Soapload-Mock-Time, its wall clock when it answered",
    function()
      local mock = t.start_mock("--threads 1")
      finally(function() mock.stop() end)
      local before = t.now()
      local status, h = t.soap11(mock.port, t.envelope(t.SOAP11, "CLOCK-1"))
      local after = t.now()
      assert.are.equal(200, status)
      local stamp = h["x-soapload-mock-time"]
      assert.truthy(stamp and stamp:find("^%d+%.%d%d%d%d%d%d$"), tostring(stamp))
      -- the same machine's clock: between the request's start and its answer (1 ms of rounding)
      assert.is_true(tonumber(stamp) >= before - 0.001 and tonumber(stamp) <= after + 0.001,
        ("%s not in %.6f..%.6f"):format(stamp, before, after))
      -- faults carry it too; /stats and the other paths do not
      status, h = t.soap11(mock.port, "<oops")
      assert.are.equal(500, status)
      assert.truthy(h["x-soapload-mock-time"])
      _, h = t.http(mock.port, "GET", "/stats")
      assert.falsy(h["x-soapload-mock-time"])
    end)

  it("stamps a delayed answer when it leaves, after the delay", function()
    local mock = t.start_mock("--delay 200ms")
    finally(function() mock.stop() end)
    local before = t.now()
    local status, h = t.soap11(mock.port, t.envelope(t.SOAP11, "CLOCK-2"))
    assert.are.equal(200, status)
    assert.is_true(tonumber(h["x-soapload-mock-time"]) >= before + 0.19, h["x-soapload-mock-time"])
  end)

  it("stamps answers across a change of second with the clock of each", function()
    local mock = t.start_mock("--threads 1")
    finally(function() mock.stop() end)
    for i = 1, 3 do
      local before = t.now()
      local _, h = t.soap11(mock.port, t.envelope(t.SOAP11, "SEC-" .. i))
      local stamp = tonumber(h["x-soapload-mock-time"])
      assert.is_true(stamp >= before - 0.001 and stamp <= t.now() + 0.001, tostring(stamp))
      if i < 3 then t.sleep(0.6) end
    end
  end)
end)

describe("soapload-mock's answers to a repeated envelope", function()
  -- the whole echo, byte for byte, as the frame around the ID builds it
  local function echo(ns, name, id)
    return '<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="' .. ns ..
      '"><soap:Body><e:EchoResponse xmlns:e="urn:soapload:echo"><e:' .. name .. '>' .. id ..
      '</e:' .. name .. '></e:EchoResponse></soap:Body></soap:Envelope>\n'
  end
  local function envelope(ns, id)
    return '<s:Envelope xmlns:s="' .. ns .. '"><s:Body><q:Do xmlns:q="urn:q"><q:Ticket>' .. id ..
      '</q:Ticket></q:Do></s:Body></s:Envelope>'
  end
  local function post12(port, body)
    return t.http(port, "POST", "/soap/endpoint", { ["Content-Type"] = "application/soap+xml" },
      body)
  end

  it("echoes each ID exactly, SOAP 1.1 and 1.2 in turn, escaped where it must be", function()
    local mock = t.start_mock("--threads 1 --id-element Ticket")
    finally(function() mock.stop() end)
    local sends = {
      { t.soap11, t.SOAP11, "A-1", "A-1" }, { post12, t.SOAP12, "B-2", "B-2" },
      { t.soap11, t.SOAP11, "C-3", "C-3" }, { post12, t.SOAP12, "D-4", "D-4" },
      { t.soap11, t.SOAP11, "x&amp;y", "x&amp;y" }, { t.soap11, t.SOAP11, "E-5", "E-5" },
      { t.soap11, t.SOAP11, "<![CDATA[<F>]]>", "&lt;F&gt;" }, { t.soap11, t.SOAP11, "G", "G" },
    }
    for _, s in ipairs(sends) do
      local status, h, body = s[1](mock.port, envelope(s[2], s[3]))
      assert.are.equal(200, status)
      assert.are.equal(echo(s[2], "Ticket", s[4]), body)
      assert.are.equal(s[2] == t.SOAP12 and "application/soap+xml; charset=utf-8"
        or "text/xml; charset=utf-8", h["content-type"])
    end
    local st = mock.stats()
    assert.are.equal(#sends, st.requests.echo)
    assert.are.equal(#sends, st.ids.distinct)
  end)

  it("names itself in the Server header of every answer", function()
    local mock = t.start_mock("--threads 1")
    finally(function() mock.stop() end)
    local _, h = t.soap11(mock.port, t.envelope(t.SOAP11, "S-1"))
    assert.are.equal("soapload-mock", h["server"])
    _, h = t.soap11(mock.port, "<oops")
    assert.are.equal("soapload-mock", h["server"])
    for _, r in ipairs({ { "GET", "/soap/endpoint?wsdl" }, { "PUT", "/soap/endpoint" },
      { "GET", "/nope" }, { "GET", "/stats" } }) do
      _, h = t.http(mock.port, r[1], r[2], {}, r[1] == "PUT" and "x" or nil)
      assert.are.equal("soapload-mock", h["server"], r[1] .. " " .. r[2])
    end
  end)
end)

-- Whether this machine has an IPv6 loopback (some containers have none).
local function has_ipv6_loopback()
  local s = require("socket").tcp6()
  if not s then return false end
  local ok = s:bind("::1", 0)
  s:close()
  return ok ~= nil
end

describe("soapload-mock on IPv6 loopback", function()
  if not has_ipv6_loopback() then
    it("needs an IPv6 loopback", function() pending("skipped: ::1 cannot be bound here") end)
    return
  end
  it("listens on [::1] with --host ::1, says so, and serves SOAP there", function()
    local mock = t.start_mock_at("http://[::1]", "--host ::1")
    finally(function() mock.stop() end)
    local body = t.write(t.tmpname(".xml"), t.envelope(t.SOAP11, "V6-1"))
    finally(function() os.remove(body) end)
    local code, out = curl(("-g -H 'Content-Type: text/xml' --data-binary @%s " ..
      "'%s/soap/endpoint'"):format(t.quote(body), mock.base))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("<e:RequestId>V6-1</e:RequestId>", 1, true), out)
    code, out = curl(("-g '%s/soap/endpoint?wsdl'"):format(mock.base))
    assert.truthy(out:find('location="' .. mock.base .. '/soap/endpoint"', 1, true), out)
    assert.truthy(mock.stop():find("after 2 requests: 1 distinct IDs", 1, true))
  end)
end)

local WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
local WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
local UT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"

local function base64(s)
  local f = t.write(t.tmpname(".in"), s)
  local p = io.popen("base64 -w0 " .. t.quote(f))
  local b = p:read("a")
  p:close()
  os.remove(f)
  return b
end

-- A SOAP envelope (1.1 or 1.2 namespace) with a wsse:Security header holding a UsernameToken.
local function wsse_envelope(ns, id, user, password, kind, nonce, created)
  local token = ("<wsse:Username>%s</wsse:Username><wsse:Password Type=\"%s#Password%s\">%s" ..
    "</wsse:Password>"):format(user, UT, kind, password)
  if nonce then
    token = token .. ("<wsse:Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/" ..
      "oasis-200401-wss-soap-message-security-1.0#Base64Binary\">%s</wsse:Nonce>"):format(
      base64(nonce))
  end
  if created then token = token .. ("<wsu:Created>%s</wsu:Created>"):format(created) end
  return ('<s:Envelope xmlns:s="%s"><s:Header><wsse:Security xmlns:wsse="%s" xmlns:wsu="%s">' ..
    '<wsse:UsernameToken>%s</wsse:UsernameToken></wsse:Security></s:Header><s:Body>' ..
    '<m:Echo xmlns:m="urn:test"><m:RequestId>%s</m:RequestId></m:Echo></s:Body></s:Envelope>')
    :format(ns, WSSE, WSU, token, id)
end

describe("soapload-mock checking a WS-Security UsernameToken", function()
  local mock, pwfile
  setup(function()
    pwfile = t.write(t.tmpname(".pw"), "s3cret pass\n")
    mock = t.start_mock("--wsse-user alice --wsse-password-file " .. pwfile ..
      " --wsse-max-age 300")
  end)
  teardown(function()
    if mock then mock.stop() end
    os.remove(pwfile)
  end)
  before_each(function() mock.reset() end)

  local function now_utc(offset)
    return os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + (offset or 0))
  end

  it("accepts the right PasswordText and PasswordDigest (digest computed by openssl)", function()
    local status, _, body = t.soap11(mock.port,
      wsse_envelope(t.SOAP11, "W-1", "alice", "s3cret pass", "Text"))
    assert.are.equal(200, status, body)
    local nonce, created = "0123456789abcdef", now_utc()
    local digest = t.openssl_password_digest(nonce, created, "s3cret pass")
    status, _, body = t.soap11(mock.port,
      wsse_envelope(t.SOAP11, "W-2", "alice", digest, "Digest", nonce, created))
    assert.are.equal(200, status, body)
    assert.truthy(body:find(">W-2<", 1, true))
    -- with fractional seconds and a time zone offset
    created = os.date("!%Y-%m-%dT%H:%M:%S", os.time() + 3600) .. ".250+01:00"
    digest = t.openssl_password_digest("\0\1\2\255nonce", created, "s3cret pass")
    status, _, body = t.soap11(mock.port,
      wsse_envelope(t.SOAP11, "W-3", "alice", digest, "Digest", "\0\1\2\255nonce", created))
    assert.are.equal(200, status, body)
    assert.are.equal(3, mock.stats().requests.echo)
  end)

  it("answers a wrong password, user or digest with wsse:FailedAuthentication", function()
    local nonce, created = "fedcba9876543210", now_utc()
    for _, env in ipairs({
      wsse_envelope(t.SOAP11, "F-1", "alice", "wrong", "Text"),
      wsse_envelope(t.SOAP11, "F-2", "bob", "s3cret pass", "Text"),
      wsse_envelope(t.SOAP11, "F-3", "alice", t.openssl_password_digest(nonce, created, "wrong"), "Digest",
        nonce, created),
      -- the digest of the right password, sent as if it were the text
      wsse_envelope(t.SOAP11, "F-4", "alice", "s3cret pass", "Digest", nonce, created),
    }) do
      local status, _, body = t.soap11(mock.port, env)
      assert.are.equal(500, status, body)
      assert.truthy(body:find("<faultcode>wsse:FailedAuthentication</faultcode>", 1, true), body)
      assert.truthy(body:find('xmlns:wsse="' .. WSSE .. '"', 1, true), body)
    end
    local s = mock.stats()
    assert.are.equal(4, s.requests.fault_security)
    assert.are.equal(0, s.requests.echo)
    assert.are.equal(4, s.ids.distinct) -- the IDs are read all the same
  end)

  it("answers a stale or future Created with wsse:MessageExpired", function()
    for _, offset in ipairs({ -600, 600 }) do
      local nonce, created = "0123456789abcdef", now_utc(offset)
      local status, _, body = t.soap11(mock.port, wsse_envelope(t.SOAP11, "E" .. offset, "alice",
        t.openssl_password_digest(nonce, created, "s3cret pass"), "Digest", nonce, created))
      assert.are.equal(500, status, body)
      assert.truthy(body:find("wsse:MessageExpired", 1, true), body)
      assert.truthy(body:find("more than 300 s away from the server clock", 1, true), body)
    end
  end)

  it("answers a request without a token with wsse:InvalidSecurity", function()
    local status, _, body = t.soap11(mock.port, t.envelope(t.SOAP11, "N-1"))
    assert.are.equal(500, status, body)
    assert.truthy(body:find("wsse:InvalidSecurity", 1, true), body)
    -- a digest without its Nonce and Created cannot be checked
    status, _, body = t.soap11(mock.port, wsse_envelope(t.SOAP11, "N-2", "alice", "x", "Digest"))
    assert.truthy(body:find("wsse:InvalidSecurity", 1, true), body)
    assert.truthy(body:find("needs a Nonce and a Created time", 1, true), body)
  end)

  it("answers SOAP 1.2 with a Sender fault (400) whose Subcode is the wsse code", function()
    local status, _, body = t.http(mock.port, "POST", "/soap/endpoint",
      { ["Content-Type"] = "application/soap+xml" },
      wsse_envelope(t.SOAP12, "V12", "alice", "nope", "Text"))
    assert.are.equal(400, status, body)
    assert.truthy(body:find("<soap:Value>soap:Sender</soap:Value><soap:Subcode><soap:Value>" ..
      "wsse:FailedAuthentication</soap:Value></soap:Subcode>", 1, true), body)
  end)

  it("refuses --wsse-user without a readable password file", function()
    for _, args in ipairs({ "--wsse-user alice", "--wsse-password-file " .. pwfile,
      "--wsse-user alice --wsse-password-file /nonexistent/pw", "--wsse-max-age 0" }) do
      local p = io.popen(t.quote(t.mock_bin) .. " " .. args .. " 2>&1; echo \"exit=$?\"")
      local out = p:read("a")
      p:close()
      assert.truthy(out:find("exit=2", 1, true), args .. ": " .. out)
      assert.truthy(out:find("--wsse", 1, true), args .. ": " .. out)
    end
  end)
end)

-- A user's WSDL (document/literal, SOAP 1.1 and 1.2 bindings) with two operations.
local SHOP_WSDL = [[<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="Shop" targetNamespace="urn:example:shop"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:example:shop">
  <wsdl:types><xsd:schema targetNamespace="urn:example:shop" elementFormDefault="qualified">
    <xsd:element name="GetQuote"><xsd:complexType><xsd:sequence>
      <xsd:element name="RequestId" type="xsd:string"/><xsd:element name="Symbol" type="xsd:string"/>
    </xsd:sequence></xsd:complexType></xsd:element>
    <xsd:element name="PlaceOrder"><xsd:complexType><xsd:sequence>
      <xsd:element name="RequestId" type="xsd:string"/><xsd:element name="Qty" type="xsd:int"/>
    </xsd:sequence></xsd:complexType></xsd:element>
  </xsd:schema></wsdl:types>
  <wsdl:message name="GetQuoteIn"><wsdl:part name="p" element="tns:GetQuote"/></wsdl:message>
  <wsdl:message name="PlaceOrderIn"><wsdl:part name="p" element="tns:PlaceOrder"/></wsdl:message>
  <wsdl:portType name="ShopPort">
    <wsdl:operation name="GetQuote"><wsdl:input message="tns:GetQuoteIn"/></wsdl:operation>
    <wsdl:operation name="PlaceOrder"><wsdl:input message="tns:PlaceOrderIn"/></wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="ShopSoap" type="tns:ShopPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="GetQuote"><soap:operation soapAction="urn:example:shop#GetQuote"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>
    <wsdl:operation name="PlaceOrder"><soap:operation soapAction="urn:example:shop#PlaceOrder"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="Shop"><wsdl:port name="ShopSoap" binding="tns:ShopSoap">
    <soap:address location="https://shop.example/soap"/></wsdl:port></wsdl:service>
</wsdl:definitions>
]]

describe("soapload-mock serving a user's WSDL (--wsdl)", function()
  local mock, wsdl
  setup(function()
    wsdl = t.write(t.tmpname(".wsdl"), SHOP_WSDL)
    mock = t.start_mock("--wsdl " .. wsdl)
  end)
  teardown(function()
    if mock then mock.stop() end
    os.remove(wsdl)
  end)
  before_each(function() mock.reset() end)

  it("names the operations it answers on start", function()
    local m = t.start_mock("--wsdl " .. wsdl)
    assert.truthy(m.stop():find("answering the 2 operations of the --wsdl file: GetQuote " ..
      "PlaceOrder\n", 1, true))
  end)

  it("serves the file as it is at ?wsdl", function()
    local status, h, body = t.http(mock.port, "GET", "/soap/endpoint?wsdl")
    assert.are.equal(200, status)
    assert.truthy(h["content-type"]:find("text/xml", 1, true))
    assert.are.equal(SHOP_WSDL, body)
  end)

  it("answers each operation Op with an OpResponse in Op's namespace carrying the ID", function()
    local status, _, body = t.soap11(mock.port, '<s:Envelope xmlns:s="' .. t.SOAP11 .. '">' ..
      '<s:Body><shop:GetQuote xmlns:shop="urn:example:shop"><shop:RequestId>Q-1</shop:RequestId>' ..
      '<shop:Symbol>ACME</shop:Symbol></shop:GetQuote></s:Body></s:Envelope>')
    assert.are.equal(200, status, body)
    assert.truthy(body:find('<e:GetQuoteResponse xmlns:e="urn:example:shop"><e:RequestId>Q-1' ..
      '</e:RequestId></e:GetQuoteResponse>', 1, true), body)
    -- a default namespace on the operation, SOAP 1.2
    status, _, body = t.http(mock.port, "POST", "/soap/endpoint",
      { ["Content-Type"] = "application/soap+xml" }, '<env:Envelope xmlns:env="' .. t.SOAP12 ..
      '"><env:Header/><env:Body><PlaceOrder xmlns="urn:example:shop"><RequestId>O-1</RequestId>' ..
      '<Qty>3</Qty></PlaceOrder></env:Body></env:Envelope>')
    assert.are.equal(200, status, body)
    assert.truthy(body:find(t.SOAP12, 1, true))
    assert.truthy(body:find('<e:PlaceOrderResponse xmlns:e="urn:example:shop"><e:RequestId>O-1' ..
      '</e:RequestId></e:PlaceOrderResponse>', 1, true), body)
    local s = mock.stats()
    assert.are.equal(2, s.requests.echo)
    assert.are.equal(2, s.ids.distinct)
  end)

  it("answers an operation the WSDL does not have with a Client fault", function()
    local status, _, body = t.soap11(mock.port, '<s:Envelope xmlns:s="' .. t.SOAP11 .. '">' ..
      '<s:Body><Refund xmlns="urn:example:shop"><RequestId>R-1</RequestId></Refund></s:Body>' ..
      '</s:Envelope>')
    assert.are.equal(500, status)
    assert.truthy(body:find("the operation Refund is not in the WSDL", 1, true), body)
    assert.are.equal(1, mock.stats().requests.fault_client)
  end)

  it("refuses a WSDL that is not well-formed, has a DTD or names no operation (exit 2)",
    function()
      for _, case in ipairs({
        { "<definitions><operation name='x'></definitions>", "bad --wsdl" },
        { "<!DOCTYPE d [<!ENTITY e 'x'>]><d/>", "a DTD, which is refused" },
        { "<definitions/>", "names no operation" },
      }) do
        local f = t.write(t.tmpname(".wsdl"), case[1])
        local p = io.popen(t.quote(t.mock_bin) .. " --wsdl " .. f .. " 2>&1; echo \"exit=$?\"")
        local out = p:read("a")
        p:close()
        os.remove(f)
        assert.truthy(out:find("exit=2", 1, true), out)
        assert.truthy(out:find(case[2], 1, true), out)
      end
    end)
end)

describe("soapload-mock --fault-when", function()
  it("answers a request holding the trigger value with a Client/Sender fault naming it, " ..
     "counted as fault_trigger", function()
    local wsdl = t.write(t.tmpname(".wsdl"), SHOP_WSDL)
    local mock = t.start_mock("--wsdl " .. wsdl .. " --fault-when Qty=0 --fault-when Symbol=BAD")
    finally(function() mock.stop(); os.remove(wsdl) end)
    local function order(id, qty)
      return ('<s:Envelope xmlns:s="%s"><s:Body><p:PlaceOrder xmlns:p="urn:example:shop">' ..
        '<p:RequestId>%s</p:RequestId><p:Qty>%s</p:Qty></p:PlaceOrder></s:Body></s:Envelope>')
        :format(t.SOAP11, id, qty)
    end
    local status, _, body = t.soap11(mock.port, order("Q-1", "0"))
    assert.are.equal(500, status)
    assert.truthy(body:find("<faultcode>soap:Client</faultcode>", 1, true), body)
    assert.truthy(body:find("fault triggered by Qty=0 (--fault-when)", 1, true), body)
    assert.truthy(body:find(">Q-1<", 1, true), body)
    status, _, body = t.soap11(mock.port, order("Q-2", "10"))
    assert.are.equal(200, status)
    assert.truthy(body:find("PlaceOrderResponse", 1, true), body)
    -- SOAP 1.2: a Sender fault with 400
    local b12 = ('<s:Envelope xmlns:s="%s"><s:Body><q:GetQuote xmlns:q="urn:example:shop">' ..
      '<q:RequestId>Q-3</q:RequestId><q:Symbol>BAD</q:Symbol></q:GetQuote></s:Body>' ..
      '</s:Envelope>'):format(t.SOAP12)
    status, _, body = t.http(mock.port, "POST", "/soap/endpoint",
      { ["Content-Type"] = "application/soap+xml; charset=utf-8" }, b12)
    assert.are.equal(400, status)
    assert.truthy(body:find("soap:Sender", 1, true), body)
    assert.truthy(body:find("fault triggered by Symbol=BAD", 1, true), body)
    local s = mock.stats()
    assert.are.equal(2, s.requests.fault_trigger)
    assert.are.equal(1, s.requests.echo)
    assert.are.equal(3, s.ids.distinct)
  end)

  it("refuses a trigger that is not NAME=VALUE", function()
    local p = io.popen(t.quote(t.mock_bin) .. " --fault-when Qty 2>&1; echo \"exit=$?\"")
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("bad --fault-when 'Qty': expected NAME=VALUE", 1, true), out)
    assert.truthy(out:find("exit=2", 1, true), out)
  end)
end)
