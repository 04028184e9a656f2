-- HTTPS on both paths (--fast-path on|off): libcurl makes each TLS connection either way (every
-- TLS option, ALPN http/1.1); on the fast path soapload then reads and writes the
-- connection's OpenSSL session itself. The same answers, counts and messages on both: answers
-- larger than a TLS record, chunked, ended by the close; a server that closes mid-answer
-- (with close_notify or without); a refused certificate; mutual TLS; the mock's /stats.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local default = t.root .. "/scripts/examples/default.lua"

-- What a run's summary and result file say, to compare the paths.
local function facts(code, out, json)
  local j = t.json.decode(t.read(json))
  return {
    code = code,
    sent = t.count(out, "\n  sent%s+(%d+) = ok"),
    ok = t.count(out, "\n  sent%s+%d+ = ok (%d+)"),
    errors = out:match("\n(Errors[^\n]*)"),
    first = out:match("\n(  first [^\n]*)"),
    opened = j.connections.opened,
    reused = j.connections.reused,
    handshakes = j.connections.tls_handshake and j.connections.tls_handshake.count or 0,
    fast = j.connections.by_path.fast,
    full = j.connections.by_path.full,
  }
end

-- Runs `args` on both paths; returns the facts of each, by "on" and "off". before(path)
-- runs first each time (a reset of the server's counts).
local function both(args, before)
  local r = {}
  for _, path in ipairs({ "on", "off" }) do
    if before then before(path) end
    local json = t.tmpname(".json")
    finally(function() os.remove(json) end)
    local code, out = t.run(("--fast-path %s --json %s %s"):format(path, json, args))
    r[path] = facts(code, out, json)
    r[path].out = out
  end
  return r
end

-- The facts that must not depend on the path.
local function same(r)
  for _, k in ipairs({ "code", "sent", "ok", "errors", "first", "opened", "reused",
    "handshakes" }) do
    assert.are.equal(r.off[k], r.on[k], k .. ":\n" .. r.on.out .. "\n----\n" .. r.off.out)
  end
  -- every request the fast path's way on, libcurl's off
  assert.are.same({ r.on.sent, 0 }, { r.on.fast, r.on.full }, r.on.out)
  assert.are.same({ 0, r.off.sent }, { r.off.fast, r.off.full }, r.off.out)
  assert.truthy(r.on.out:find(("; fast path %d of %d\n"):format(r.on.sent, r.on.sent), 1, true),
    r.on.out)
end

describe("HTTPS answers on both paths", function()
  local dir
  setup(function() dir = t.make_test_ca() end)
  teardown(function() os.execute("rm -rf " .. t.quote(dir)) end)

  -- fixtures/tls_server.py in `mode`; stop() kills it, processed() reads its count of POSTs.
  local function start(mode)
    local out = t.tmpname(".tls")
    local p = io.popen(("/usr/bin/python3 %s/tests/spec/fixtures/tls_server.py %s %s %s " ..
      "> %s 2>&1 & echo $!"):format(t.quote(t.root), mode, t.quote(dir .. "/srv.pem"),
      t.quote(dir .. "/srv.key"), t.quote(out)))
    local pid = tonumber(p:read("l"))
    p:close()
    local port
    local deadline = t.now() + 10
    while not port and t.now() < deadline do
      port = (t.read(out) or ""):match("listening (%d+)")
      if not port then t.sleep(0.05) end
    end
    assert(port, "tls_server.py did not start: " .. (t.read(out) or ""))
    local s = { url = ("https://127.0.0.1:%s/soap/endpoint"):format(port) }
    function s.get(name)
      local c = io.popen(("curl -s --cacert %s https://127.0.0.1:%s/%s")
        :format(t.quote(dir .. "/ca.pem"), port, name))
      local v = tonumber(c:read("a"))
      c:close()
      return v
    end
    function s.stop()
      os.execute("kill -KILL " .. pid .. " 2>/dev/null")
      os.remove(out)
    end
    return s
  end

  local function run_both(mode, n)
    local srv = start(mode)
    finally(function() srv.stop() end)
    local processed = {}
    local r = both(("-q -u %s -R %d -d 1s -w 1 -c 2 --cacert %s %s")
      :format(srv.url, n, t.quote(dir .. "/ca.pem"), default), function(path)
      processed[path] = srv.get("processed")
    end)
    -- nothing lost: every request sent was read by the server, on either path
    local total = srv.get("processed")
    assert.are.equal(r.on.sent, processed.off - processed.on, r.on.out)
    assert.are.equal(r.off.sent, total - processed.off, r.off.out)
    return r
  end

  it("an answer of 100 KB (several TLS records), in one piece or chunked, kept alive", function()
    for _, mode in ipairs({ "big", "bigchunk" }) do
      local r = run_both(mode, 20)
      same(r)
      assert.are.equal(0, r.on.code, r.on.out)
      assert.are.equal(20, r.on.ok, r.on.out)
      assert.are.same({ 2, 18, 2 }, { r.on.opened, r.on.reused, r.on.handshakes }, r.on.out)
    end
  end)

  it("an HTTP/1.0 answer ended by the close (close_notify): every answer ok", function()
    local r = run_both("http10", 10)
    same(r)
    assert.are.equal(10, r.on.ok, r.on.out)
    assert.are.same({ 10, 0 }, { r.on.opened, r.on.reused }, r.on.out)
  end)

  it("a server that closes mid-answer, without close_notify or with it: truncated, counted " ..
    "alike", function()
      for _, mode in ipairs({ "truncated", "notify" }) do
        local r = run_both(mode, 10)
        same(r)
        assert.are.equal(1, r.on.code, r.on.out)
        assert.are.equal("Errors          truncated 10", r.on.errors, r.on.out)
        assert.are.equal("  first truncated transfer closed with 983 bytes remaining to read",
          r.on.first, r.on.out)
      end
    end)
end)

describe("HTTPS to the mock on both paths", function()
  local dir, mock
  setup(function()
    dir = t.make_test_ca()
    mock = t.start_mock_at("https://127.0.0.1", ("--threads 2 --tls-cert %s/srv.pem --tls-key " ..
      "%s/srv.key"):format(t.quote(dir), t.quote(dir)), "--cacert " .. t.quote(dir .. "/ca.pem"))
  end)
  teardown(function()
    if mock then mock.stop() end
    os.execute("rm -rf " .. t.quote(dir))
  end)

  it("the counts agree with the mock's /stats: requests, TLS, HTTP/1.1, connections", function()
    local stats = {}
    local r = both(("-q -u %s -R 100 -d 1s -w 2 -c 4 --cacert %s %s")
      :format(mock.url, t.quote(dir .. "/ca.pem"), default), function(path)
      if path == "off" then stats.on = mock.stats() end
      mock.reset()
    end)
    stats.off = mock.stats()
    same(r)
    for _, path in ipairs({ "on", "off" }) do
      local s, f = stats[path], r[path]
      assert.are.equal(100, f.ok, f.out)
      assert.are.equal(100, s.requests.echo)
      assert.are.equal(100, s.protocols.tls)
      assert.are.equal(100, s.protocols.http1)
      assert.are.equal(0, s.protocols.http2)
      -- the connections soapload opened, and the one of curl asking for /stats
      assert.are.equal(f.opened + 1, s.connections.accepted, f.out)
      assert.are.equal(f.opened, f.handshakes, f.out)
    end
  end)

  it("a server certificate it cannot verify is refused before sending, with the same message",
    function()
      local r = both(("-q -u %s -R 20 -d 1s -w 1 -c 2 %s"):format(mock.url, default),
        function() mock.reset() end)
      for _, path in ipairs({ "on", "off" }) do
        local f = r[path]
        assert.are.equal(1, f.code, f.out)
        assert.are.equal(0, f.sent, f.out)
        assert.are.same({ 0, 0 }, { f.fast, f.full }, f.out)
        assert.truthy(f.first:find("first tls       SSL certificate problem", 1, true), f.out)
      end
      assert.are.equal(r.off.first, r.on.first)
      assert.are.equal(0, mock.stats().requests.total)
    end)
end)

describe("mutual TLS on both paths", function()
  local dir, mock
  setup(function()
    dir = t.make_test_ca()
    mock = t.start_mock_at("https://127.0.0.1", ("--threads 2 --tls-cert %s/srv.pem --tls-key " ..
      "%s/srv.key --tls-client-ca %s/ca.pem"):format(t.quote(dir), t.quote(dir), t.quote(dir)),
      ("--cacert %s/ca.pem --cert %s/cli.pem --key %s/cli.key"):format(t.quote(dir), t.quote(dir),
        t.quote(dir)))
  end)
  teardown(function()
    if mock then mock.stop() end
    os.execute("rm -rf " .. t.quote(dir))
  end)

  it("the CA's client certificate is accepted; another CA's is refused alike", function()
    local q = function(f) return t.quote(dir .. "/" .. f) end
    local r = both(("-q -u %s -R 20 -d 2s -w 1 -c 4 --cacert %s --cert %s --key %s %s")
      :format(mock.url, q("ca.pem"), q("cli.pem"), q("cli.key"), default),
      function() mock.reset() end)
    same(r)
    assert.are.equal(40, r.on.ok, r.on.out)
    assert.are.equal(40, mock.stats().requests.echo)
    -- TLS 1.3: the server checks the client's certificate after the client's handshake ends,
    -- so the request is written and the answer is the server's alert
    r = both(("-q -u %s -R 20 -d 1s -w 1 -c 4 --cacert %s --cert %s --key %s %s")
      :format(mock.url, q("ca.pem"), q("self.pem"), q("self.key"), default),
      function() mock.reset() end)
    for _, path in ipairs({ "on", "off" }) do
      local f = r[path]
      assert.are.equal(1, f.code, f.out)
      assert.are.equal(0, f.ok, f.out)
      assert.are.equal(f.sent, f.fast + f.full, f.out)
      -- a read failure on either path, in libcurl's words: the server's close came as the
      -- end of the stream or as a reset, whichever the timing gave (either path sees both;
      -- the counts may differ too: on a busy machine the last requests may find no
      -- connection free before sending ends)
      assert.truthy(f.errors:match("^Errors          read %d+"), f.out)
      local why = f.first:match("^  first read      (.*)$")
      assert.truthy(why == "Empty reply from server" or
        why == "Recv failure: Connection reset by peer", f.out)
    end
    assert.are.equal(0, mock.stats().requests.total)
  end)
end)
