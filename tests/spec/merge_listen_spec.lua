-- soapload merge --listen and soapload --json-to: segments of real runs against the real mock
-- hand their results to the merge over HTTP; the merge equals `soapload merge FILE...` of the
-- same files (summary and JSON) and the mock's counts; what the listener refuses (no token, a
-- wrong one, a second copy of a segment, an oversized body, a foreign split, not a result), a
-- missing segment named at the deadline (exit 4), a connection that never ends its head does
-- not hold the others, and a result that cannot be delivered is exit 4 naming the URL.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local script = t.script("soapload = {}\n")
local LOAD = "-R 40 -d 1s -c 3 -w 1 --seed 3 --progress never"

-- The listener started in the background on a free port.
local function listen(args)
  local port = t.free_port()
  local h = t.spawn(("merge --listen 127.0.0.1:%d %s"):format(port, args))
  local until_ = t.now() + 10
  while not pcall(function() t.connect(port):close() end) do -- listening once it connects
    assert(t.now() < until_, "the listener did not start")
    t.sleep(0.02)
  end
  return h, port
end

-- One segment's run; its result JSON in `json` when given.
local function segment(i, n, url, extra, json)
  return t.run(("-q --segment %d/%d %s -u %s %s%s %s"):format(i, n, LOAD, url,
    json and ("--json " .. json .. " ") or "", extra or "", script))
end

-- The n segments of one split started together (--start-at), as a distributed run's are;
-- extra(i) gives segment i's own arguments. Returns their exit codes and stderr.
local function together(n, url, extra, jsons)
  local at, runs, codes, errs = ("%.3f"):format(t.now() + 1.5), {}, {}, {}
  for i = 0, n - 1 do
    runs[i] = t.spawn(("-q --segment %d/%d --start-at %s %s -u %s %s%s %s"):format(i, n, at, LOAD,
      url, jsons and ("--json " .. jsons[i] .. " ") or "", extra and extra(i) or "", script))
  end
  for i = 0, n - 1 do
    local code, _, err = runs[i].wait(30)
    codes[i], errs[i] = code, err
  end
  return codes, errs
end

local function post(port, body, headers)
  return t.http(port, "POST", "/results", headers or {}, body)
end

local function token_file(text)
  return t.write(t.tmpname(".token"), text .. "\n")
end

describe("soapload merge --listen", function()
  local mock, token, files = nil, nil, {}
  setup(function()
    mock = t.start_mock("")
    token = token_file("s3cret-token")
    for i = 0, 2 do files[i] = t.tmpname(".json") end
    -- three segments of one split, as files: posted raw by the tests below
    local codes, errs = together(3, mock.url, nil, files)
    for i = 0, 2 do assert(codes[i] == 0, errs[i]) end
  end)
  teardown(function()
    mock.stop()
    os.remove(token)
    for _, f in pairs(files) do os.remove(f) end
  end)

  it("receives N segments' --json-to and merges them exactly as soapload merge FILE... does",
    function()
      mock.reset()
      local merged, direct = t.tmpname(".json"), t.tmpname(".json")
      local h, port = listen(("--expect 3 --token-file %s --json %s"):format(token, merged))
      local locals = {}
      finally(function()
        os.remove(merged); os.remove(direct)
        for _, f in ipairs(locals) do os.remove(f) end
      end)
      local url = ("http://127.0.0.1:%d/results"):format(port)
      local jsons = {}
      for i = 0, 2 do
        jsons[i] = t.tmpname(".json")
        locals[i + 1] = jsons[i]
      end
      local codes, errs = together(3, mock.url, function()
        return ("--json-to %s --json-to-token-file %s "):format(url, token)
      end, jsons)
      for i = 0, 2 do
        assert.are.equal(0, codes[i], errs[i]) -- and --json is still written locally
      end
      local code, out, err = h.wait(30)
      assert.are.equal(0, code, err)
      for i = 0, 2 do -- in the order they came
        assert.matches(("segment %d/3 received from 127%%.0%%.0%%.1:%%d+ %%([123] of 3%%)")
          :format(i), err)
      end
      assert.matches("%(1 of 3%).*%(2 of 3%).*%(3 of 3%)", err)
      -- the same merge from the local files: the same summary but for the files' names
      local dcode, dout = t.run(("merge %s --json %s"):format(table.concat(locals, " "), direct))
      assert.are.equal(0, dcode)
      local function strip(s) return (s:gsub("Segment (%d+) +%S+:", "Segment %1 FILE:")) end
      assert.are.equal(strip(dout), strip(out))
      local a, b = t.json.decode(t.read(merged)), t.json.decode(t.read(direct))
      for _, r in ipairs({ a, b }) do
        for _, s in ipairs(r.segments) do s.source = nil end
      end
      assert.are.same(b, a)
      -- and the mock's counts
      local s = mock.stats()
      assert.are.equal(a.summary.sent, s.requests.echo)
      assert.are.equal(a.summary.sent, s.ids.distinct)
      assert.are.equal(40, a.summary.sent)
    end)

  it("refuses a result without the token, with a wrong one, twice, oversized, foreign or not " ..
    "a result; serves what it merged", function()
      local h, port = listen(("--expect 3 --token-file %s --serve-for 30s -q"):format(token))
      local stopped = false
      finally(function() if not stopped then os.execute("kill " .. h.pid) end end)
      local bearer = { Authorization = "Bearer s3cret-token" }
      local body = t.read(files[0])

      local status, headers, text = post(port, body)
      assert.are.equal(401, status)
      assert.are.equal("Bearer", headers["www-authenticate"])
      assert.matches("needs the header Authorization: Bearer TOKEN", text)
      assert.are.equal(401, (post(port, body, { Authorization = "Bearer s3cret-tokeN" })))
      assert.are.equal(401, (post(port, body, { Authorization = "Bearer s3cret-token2" })))

      status, _, text = post(port, body, bearer)
      assert.are.equal(201, status)
      assert.are.equal("segment 0/3 received (1 of 3)\n", text)
      status, _, text = post(port, body, bearer)
      assert.are.equal(409, status)
      assert.are.equal("segment 0/3 was received already: each segment once\n", text)

      -- segment 1 edited so that it no longer adds up; segment 1 of a later run
      local edited = t.read(files[1]):gsub('("summary": {"scheduled": %d+, "sent": )(%d+)',
        function(head, n) return head .. (tonumber(n) + 1) end, 1)
      status, _, text = post(port, edited, bearer)
      assert.are.equal(400, status)
      assert.matches("^seg%-1%.json: .* the result does not add up\n$", text)
      local later = t.tmpname(".json")
      finally(function() os.remove(later) end)
      assert.are.equal(0, (segment(1, 3, mock.url, "", later)))
      status, _, text = post(port, t.read(later), bearer)
      assert.are.equal(409, status)
      assert.matches("^segment 1/3 does not merge with those received: ", text)

      -- over the cap (64 MiB), told by Content-Length before a byte of the body is read
      local conn = t.connect(port)
      conn:send("POST /results HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-token\r\n" ..
        "Content-Length: 67108865\r\n\r\n" .. ("x"):rep(4096))
      status, _, text = t.read_response(conn)
      conn:close()
      assert.are.equal(413, status)
      assert.are.equal("a result is at most 67108864 bytes; this one has 67108865\n", text)

      -- a segment of another split, something not JSON, no Content-Length
      local other = t.tmpname(".json")
      finally(function() os.remove(other) end)
      assert.are.equal(0, (segment(1, 2, mock.url, "", other)))
      status, _, text = post(port, t.read(other), bearer)
      assert.are.equal(400, status)
      assert.are.equal("segment 1/2 is not one of the 3 segments this merge expects " ..
        "(--expect 3)\n", text)
      status, _, text = post(port, "{\"schema\": 1}", bearer)
      assert.are.equal(400, status)
      assert.matches("not a soapload result", text)
      conn = t.connect(port)
      conn:send("POST /results HTTP/1.1\r\nAuthorization: Bearer s3cret-token\r\n" ..
        "Transfer-Encoding: chunked\r\n\r\n")
      assert.are.equal(411, (t.read_response(conn)))
      conn:close()

      status, _, text = t.http(port, "GET", "/status")
      assert.are.equal(200, status)
      assert.are.same({ expect = 3, received = 1, missing = { 1, 2 }, merged = false,
        exit_code = t.json.null }, t.json.decode(text))
      assert.are.equal(503, (t.http(port, "GET", "/merged.json")))

      -- connections that never end their heads hold nothing up, not even 100 of them (it
      -- keeps 64 at once: a newcomer drops the oldest that has shown no token)
      local slow = {}
      for i = 1, 100 do
        slow[i] = t.connect(port)
        slow[i]:send("POST /results HTTP/1.1\r\nAuthorization: Bear")
      end
      for i = 1, 2 do
        assert.are.equal(201, (post(port, t.read(files[i]), bearer)))
      end
      for _, c in ipairs(slow) do c:close() end
      local until_ = t.now() + 10
      repeat
        status, _, text = t.http(port, "GET", "/status")
        local s = t.json.decode(text)
        if s.merged then break end
        t.sleep(0.05)
      until t.now() > until_
      assert.are.same({ expect = 3, received = 3, missing = {}, merged = true, exit_code = 0 },
        t.json.decode(text))
      status, headers, text = t.http(port, "GET", "/merged.json")
      assert.are.equal(200, status)
      assert.are.equal("application/json", headers["content-type"])
      assert.are.equal(40, t.json.decode(text).summary.sent)
      status, headers, text = t.http(port, "GET", "/report.html")
      assert.are.equal(200, status)
      assert.matches("^<!DOCTYPE html>", text)
      assert.are.equal(409, (post(port, body, bearer))) -- merged already
      os.execute("kill -TERM " .. h.pid) -- ends the serving, with the merge's exit code
      stopped = true
      local code, _, err = h.wait(10)
      assert.are.equal(0, code, err)
      assert.matches("refused a request from 127%.0%.0%.1:%d+: no or a wrong token", err)
      assert.matches("refused a result of 67108865 bytes from 127%.0%.0%.1:%d+: over 67108864",
        err)
    end)

  -- the 64th connection used to make room by dropping the oldest that had not ended its head,
  -- even with no newcomer, and a newcomer then dropped itself
  it("waits without spinning while all its 64 connections take bodies; the next is then served",
    function()
      local h, port = listen(("--expect 3 --token-file %s"):format(token))
      finally(function() os.execute("kill " .. h.pid .. " 2>/dev/null") end)
      local function cpu_ticks() -- utime + stime of the listener, in clock ticks
        local f = assert(io.open("/proc/" .. h.pid .. "/stat"))
        local fields = {}
        for w in f:read("a"):gsub("^.*%) ", ""):gmatch("%S+") do fields[#fields + 1] = w end
        f:close()
        return tonumber(fields[12]) + tonumber(fields[13])
      end
      local bodies = {}
      for i = 1, 64 do -- bodies that never end: no slot may be given to a newcomer
        bodies[i] = t.connect(port)
        bodies[i]:send("POST /results HTTP/1.1\r\nAuthorization: Bearer s3cret-token\r\n" ..
          "Content-Length: 1000\r\n\r\n{")
      end
      t.sleep(0.3)
      local late = t.connect(port) -- waits in the kernel's backlog
      late:send("GET /status HTTP/1.1\r\n\r\n")
      t.sleep(0.2)
      local before = cpu_ticks()
      t.sleep(1.5)
      local used = cpu_ticks() - before
      assert.is_true(used < 30, ("%d ticks of CPU in 1.5 s of waiting"):format(used))
      for _, c in ipairs(bodies) do c:close() end
      local status, _, text = t.read_response(late)
      late:close()
      assert.are.equal(200, status, text)
      assert.are.equal(0, t.json.decode(text).received)
    end)

  it("names the segments missing at the deadline, merges the others, exits 4", function()
    local h, port = listen("--expect 3 --deadline 1s")
    assert.are.equal(201, (post(port, t.read(files[1]))))
    local code, out, err, took = h.wait(20)
    assert.are.equal(4, code)
    assert.matches("soapload merge: 1 of 3 results in the deadline after the first: missing " ..
      "segments 0/3, 2/3; merging the 1 received", err)
    assert.matches("Segments        1 of 3: the merged result covers only their share", out)
    assert.is_true(took < 15, took)
  end)

  it("with --first-within, ends when no segment ever posts: all named missing, exit 4",
    function()
      local h = listen("--expect 2 --deadline 1s --first-within 1s")
      local code, out, err, took = h.wait(20)
      assert.are.equal(4, code, out .. err)
      assert.matches("soapload merge: no result in the first 1 s %(%-%-first%-within%): all 2 " ..
        "segments missing, nothing merged", err)
      assert.is_true(took >= 0.9 and took < 10, took)
      -- without it the listener waits for a first result as long as it takes
      local w = listen("--expect 2 --deadline 1s")
      t.sleep(2)
      assert.is_true(t.alive(w.pid))
      os.execute("kill -INT " .. w.pid)
      assert.are.equal(130, (w.wait(10)))
    end)

  it("is interrupted before the merge with exit 130", function()
    local h = listen("--expect 2")
    os.execute("kill -INT " .. h.pid)
    local code, _, err = h.wait(10)
    assert.are.equal(130, code)
    assert.matches("interrupted with 0 of 2 results received: nothing merged", err)
  end)

  describe("refuses", function()
    for _, c in ipairs({
      { "--listen 127.0.0.1:0", "--listen needs --expect N" },
      { "--listen 127.0.0.1:0 --expect 0", "bad value '0' for --expect" },
      { "--listen localhost:80 --expect 2", "bad value 'localhost:80' for --listen" },
      { "--listen 127.0.0.1:0 --expect 2 --token-file /nonexistent",
        "cannot read --token-file /nonexistent" },
      { "--listen 127.0.0.1:0 --expect 2 x.json", "x.json: with --listen the results arrive " ..
        "over HTTP, not as files" },
      { "--listen 127.0.0.1:0 --expect 2 --deadline soon", "bad value 'soon' for --deadline" },
      { "--listen 127.0.0.1:0 --expect 2 --json /nonexistent/m.json", "cannot write " ..
        "/nonexistent/m.json" },
    }) do
      it(c[1], function()
        local code, _, err = t.run("merge " .. c[1])
        assert.are.equal(2, code)
        assert.matches(c[2], err, 1, true)
      end)
    end
  end)
end)

describe("soapload --json-to", function()
  it("reports a result it cannot deliver, naming the URL: exit 4, --json still written",
    function()
      local mock = t.start_mock("")
      local port = t.free_port()
      local out = t.tmpname(".json")
      finally(function() mock.stop(); os.remove(out) end)
      local url = ("http://127.0.0.1:%d/results"):format(port)
      local code, _, err, took = segment(0, 1, mock.url, ("--json-to %s --json-to-retry 1s ")
        :format(url), out)
      assert.are.equal(4, code)
      assert.matches(("soapload: cannot deliver the results to %s: "):format(url):gsub("%p", "%%%0")
        .. "Failed to connect.* %(%d attempts%)", err)
      assert.is_true(took < 10, took)
      assert.are.equal(40, t.json.decode(t.read(out)).summary.sent)
    end)

  it("gives up within the retry time on a merge that takes the request and never answers",
    function()
      local mock, silent = t.start_mock(""), t.start_bad_server("silent")
      finally(function() mock.stop(); silent.stop() end)
      local url = ("http://127.0.0.1:%d/results"):format(silent.port)
      local h = t.spawn(("-q --segment 0/1 %s -u %s --json-to %s --json-to-retry 2s %s")
        :format(LOAD, mock.url, url, script))
      local code, _, err, took = h.wait(60) -- an attempt used to wait 120 s for the answer
      assert.are.equal(4, code)
      assert.matches(("soapload: cannot deliver the results to %s: "):format(url):gsub("%p", "%%%0")
        .. "Operation timed out after %d+ milliseconds.* %(1 attempt%)", err)
      assert.is_true(took < 20, took)
    end)

  it("does not retry a refusal: a wrong token is one attempt", function()
    local mock = t.start_mock("")
    local right, wrong = token_file("right"), token_file("wrong")
    finally(function() mock.stop(); os.remove(right); os.remove(wrong) end)
    local h, port = listen(("--expect 1 --token-file %s"):format(right))
    finally(function() os.execute("kill " .. h.pid .. " 2>/dev/null") end)
    local url = ("http://127.0.0.1:%d/results"):format(port)
    local code, _, err = segment(0, 1, mock.url, ("--json-to %s --json-to-token-file %s ")
      :format(url, wrong))
    assert.are.equal(4, code)
    assert.matches("cannot deliver the results to " .. url:gsub("%p", "%%%0") .. ": HTTP 401: " ..
      "a result needs the header Authorization: Bearer TOKEN with the merge's token %(1 attempt%)",
      err)
    code = segment(0, 1, mock.url, ("--json-to %s --json-to-token-file %s "):format(url, right))
    assert.are.equal(0, code)
    assert.are.equal(0, (h.wait(10)))
  end)

  for _, c in ipairs({
    { "--json-to ftp://x/y", "bad value 'ftp://x/y' for --json-to: it wants an http:// or " ..
      "https:// URL" },
    { "--json-to-token-file /etc/hostname", "--json-to-token-file needs --json-to URL" },
    { "--json-to http://127.0.0.1:9/ --json-to-token-file /nonexistent",
      "cannot read --json-to-token-file /nonexistent" },
  }) do
    it("refuses " .. c[1], function()
      local code, _, err = t.run(("%s -u http://127.0.0.1:9/x -R 10 -d 1s %s"):format(c[1], script))
      assert.are.equal(2, code)
      assert.matches(c[2], err, 1, true)
    end)
  end
end)
