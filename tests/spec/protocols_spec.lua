-- The transport options against the real mock on loopback: TLS (verification, --cacert,
-- --insecure, mutual TLS), HTTP/2 over TLS and h2c with --streams, connection reuse, --resolve,
-- IPv6, and HTTP authentication against the hand-written server. A test CA is made at test
-- time with the openssl command line; no key is committed.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local default = t.root .. "/scripts/examples/default.lua"



local function sent_of(out)
  return t.count(out, "\n  sent%s+(%d+) = ok")
end

local function ok_of(out)
  return t.count(out, "\n  sent%s+%d+ = ok (%d+)")
end

-- SOAPLOAD_FAST_PATH=off runs the specs on libcurl's path; https takes the fast path too
local FAST = os.getenv("SOAPLOAD_FAST_PATH") ~= "off"

-- Whether all `n` sent requests took the path the run asked for: the summary's count.
local function on_asked_path(out, n)
  return out:find(("; fast path %d of %d\n"):format(n, n), 1, true) ~= nil == FAST
end

local function connections_line(out)
  local opened, reused = out:match("\nConnections%s+opened (%d+), reused (%d+)")
  return tonumber(opened), tonumber(reused)
end

describe("TLS", function()
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
  before_each(function() mock.reset() end)

  it("fails a self-signed server without --cacert as tls before send, then trusts it with it",
    function()
      local code, out = t.run(("-q -u %s -R 100 -d 1s -w 1 -c 2 %s"):format(mock.url, default))
      assert.are.equal(1, code, out)
      -- each refused handshake holds its connection for a while: what it could not send in
      -- time is not sent
      local failed, not_sent = out:match("\nErrors          tls before send (%d+), not sent (%d+)")
      if not failed then failed, not_sent = out:match("\nErrors          tls before send (%d+)"), 0 end
      assert.are.equal(100, tonumber(failed) + tonumber(not_sent), out)
      assert.are.equal(0, sent_of(out))
      assert.truthy(out:find("first tls       SSL certificate problem", 1, true), out)
      assert.are.equal(0, mock.stats().requests.total)

      local json = t.tmpname(".json")
      finally(function() os.remove(json) end)
      mock.reset()
      code, out = t.run(("-q -u %s -R 100 -d 1s -w 1 -c 2 --cacert %s --json %s %s")
        :format(mock.url, t.quote(dir .. "/ca.pem"), json, default))
      assert.are.equal(0, code, out)
      local s = mock.stats()
      assert.are.equal(100, sent_of(out))
      assert.are.equal(100, s.requests.echo)
      assert.are.equal(100, s.protocols.tls)
      -- keep-alive: one new connection (and one TLS handshake) per connection, the rest reused
      assert.are.same({ 2, 98 }, { connections_line(out) })
      assert.truthy(out:find("\n  tls handshake ", 1, true), out)
      local j = t.json.decode(t.read(json))
      assert.are.equal(2, j.connections.opened)
      assert.are.equal(98, j.connections.reused)
      assert.are.equal(2, j.connections.tls_handshake.count)
      -- https on the fast path (HTTP/1.1), unless the run turned it off
      assert.are.same(FAST and { 100, 0 } or { 0, 100 },
        { j.connections.by_path.fast, j.connections.by_path.full })
      assert.truthy(on_asked_path(out, 100), out)
      assert.are.equal(100, s.protocols.http1)
      -- the server accepted those 2 connections, and the one of curl asking for /stats
      assert.are.equal(3, s.connections.accepted)
    end)

  it("soapload merge adds the connections and the TLS handshake histograms exactly", function()
    local a, b, m = t.tmpname(".json"), t.tmpname(".json"), t.tmpname(".json")
    finally(function() os.remove(a); os.remove(b); os.remove(m) end)
    for i, f in ipairs({ a, b }) do
      local code, out = t.run(("-q -u %s -R 40 -d 1s -w 1 -c %d --cacert %s --json %s %s")
        :format(mock.url, i + 1, t.quote(dir .. "/ca.pem"), f, default))
      assert.are.equal(0, code, out)
    end
    local code, out, err = t.run(("merge -q --allow-gaps %s %s --json %s"):format(a, b, m))
    assert.are.equal(0, code, out .. err)
    local ja, jb, jm = t.json.decode(t.read(a)), t.json.decode(t.read(b)), t.json.decode(t.read(m))
    assert.are.same({ 2, 3 }, { ja.connections.opened, jb.connections.opened })
    assert.are.equal(5, jm.connections.opened)
    assert.are.equal(80 - 5, jm.connections.reused)
    local sum = {}
    for _, j in ipairs({ ja, jb }) do
      for _, pair in ipairs(j.connections.tls_handshake.histogram.counts) do
        sum[pair[1]] = (sum[pair[1]] or 0) + pair[2]
      end
    end
    local merged = {}
    for _, pair in ipairs(jm.connections.tls_handshake.histogram.counts) do
      merged[pair[1]] = pair[2]
    end
    assert.are.same(sum, merged)
    assert.are.equal(5, jm.connections.tls_handshake.count)
    assert.are.equal(math.max(ja.connections.tls_handshake.max, jb.connections.tls_handshake.max),
      jm.connections.tls_handshake.max)
  end)

  it("--insecure (-k) sends without verifying, and the summary warns", function()
    local code, out = t.run(("-q -u %s -R 50 -d 1s -w 1 -c 4 -k %s"):format(mock.url, default))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("\nWARNING         --insecure: the server's certificate and name were " ..
      "not verified\n", 1, true), out)
    assert.are.equal(50, ok_of(out))
    assert.are.equal(50, mock.stats().requests.echo)
    local script = t.script("soapload.insecure = true\n")
    finally(function() os.remove(script) end)
    code, out = t.run(("-q -u %s -R 20 -d 1s -w 1 -c 4 %s"):format(mock.url, script))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("WARNING         --insecure", 1, true), out)
  end)

  it("--capath trusts a hashed CA directory; --tls-min 1.3 is met by the mock", function()
    local capath = dir .. "/capath"
    assert(os.execute(("mkdir -p %s && cp %s/ca.pem %s/ && openssl rehash %s > /dev/null 2>&1")
      :format(t.quote(capath), t.quote(dir), t.quote(capath), t.quote(capath))))
    -- 40 requests over 2 s: a handshake slowed by a busy machine (up to a second seen under
    -- the sanitizers) leaves the schedule time to send them all
    local code, out = t.run(("-q -u %s -R 20 -d 2s -w 1 -c 4 --capath %s --tls-min 1.3 %s")
      :format(mock.url, t.quote(capath), default))
    assert.are.equal(0, code, out)
    assert.are.equal(40, mock.stats().requests.echo)
  end)

  it("--http 2 speaks HTTP/2 by ALPN: the mock's http2 count equals what soapload sent", function()
    local code, out = t.run(("-q -u %s -R 200 -d 1s -w 1 -c 2 --http 2 --streams 2 --cacert %s %s")
      :format(mock.url, t.quote(dir .. "/ca.pem"), default))
    assert.are.equal(0, code, out)
    local s = mock.stats()
    assert.are.equal(200, sent_of(out))
    assert.are.equal(200, s.protocols.http2)
    assert.are.equal(0, s.protocols.http1)
    -- HTTP/2 stays on libcurl's path
    assert.falsy(out:find("; fast path", 1, true), out)
  end)

  it("--resolve reaches a name-based host on the mock's address, its name verified", function()
    local url = ("https://test.example:%d/soap/endpoint"):format(mock.port)
    local code, out = t.run(("-q -u %s --resolve test.example:%d:127.0.0.1 -R 50 -d 1s -w 1 " ..
      "-c 4 --cacert %s %s"):format(url, mock.port, t.quote(dir .. "/ca.pem"), default))
    assert.are.equal(0, code, out)
    assert.are.equal(50, mock.stats().requests.echo)
  end)

  it("a CA file with an encrypted block, or no certificate, is refused up front, no prompt on " ..
    "a terminal", function()
    local ca = t.read(dir .. "/ca.pem")
    local enc, keyonly = dir .. "/ca-enc.pem", dir .. "/ca-keyonly.pem"
    finally(function() os.remove(enc); os.remove(keyonly) end)
    -- an encrypted PEM block labelled CERTIFICATE after the CA: reading it asks for a pass
    -- phrase (OpenSSL 1.1's default prompts on the terminal)
    assert(os.execute(("openssl rsa -in %s -aes128 -traditional -passout pass:x -out %s " ..
      "2>/dev/null"):format(t.quote(dir .. "/cli.key"), t.quote(enc))))
    t.write(enc, ca .. t.read(enc):gsub("RSA PRIVATE KEY", "CERTIFICATE"))
    t.write(keyonly, t.read(dir .. "/cli.key"))
    local cases = {
      { enc, ("--cacert %s: it holds an encrypted PEM block (OpenSSL would ask for its pass " ..
        "phrase); a CA file holds the CA certificates as they are, PEM, not encrypted")
        :format(enc) },
      { keyonly, ("--cacert %s: no PEM certificate in it"):format(keyonly) },
    }
    for _, c in ipairs(cases) do
      -- on a pseudo-terminal (script(1)), its input the terminal too: no prompt, no wait, exit
      -- 2 with the file named. (before: exit 1, every request failed as tls before send)
      local p = io.popen(("timeout 20 script -qec %s /dev/null 2>&1"):format(t.quote(
        ("%s -q -u %s -R 10 -d 1s -w 2 -c 2 --cacert %s %s; echo exit=$?")
          :format(t.quote(t.bin), mock.url, t.quote(c[1]), default))))
      local tty = p:read("a")
      p:close()
      assert.truthy(tty:find("exit=2", 1, true), tty)
      assert.truthy(tty:find(c[2], 1, true), tty)
      assert.falsy(tty:find("PEM pass phrase", 1, true), tty) -- OpenSSL's "Enter PEM pass phrase:"
      assert.falsy(tty:find("Enter", 1, true), tty)
    end
    assert.are.equal(0, mock.stats().requests.total)
    -- an encrypted private key next to the CA is no certificate and asks for nothing: used
    local withkey = t.write(dir .. "/ca-withkey.pem", ca .. t.read(dir .. "/cli-enc.key"))
    finally(function() os.remove(withkey) end)
    local code, out = t.run(("-q -u %s -R 20 -d 1s -w 1 -c 2 --cacert %s %s")
      :format(mock.url, t.quote(withkey), default))
    assert.are.equal(0, code, out)
    assert.are.equal(20, mock.stats().requests.echo)
  end)

  it("refuses missing files and TLS options on plain http before sending, exit 2", function()
    local cases = {
      { "--cacert /nonexistent/ca.pem", "--cacert /nonexistent/ca.pem: No such file" },
      { "--capath " .. t.quote(dir .. "/ca.pem"), "not a directory" },
      { "--cert " .. t.quote(dir .. "/cli.pem") .. " --key /nonexistent/k.pem", "--key /nonexistent" },
      { "--key " .. t.quote(dir .. "/cli.key"), "--key needs --cert" },
      { "--tls-min 1.1", "it wants 1.2 or 1.3" },
      { "--resolve test.example:x:127.0.0.1", "HOST:PORT:ADDR" },
      { "--cert " .. t.quote(dir .. "/cli.pem") .. " --key-password-env SOAPLOAD_NO_SUCH_VAR",
        "--key-password-env SOAPLOAD_NO_SUCH_VAR: no such environment variable" },
    }
    for _, c in ipairs(cases) do
      local code, out, err = t.run(("-u %s -R 10 -d 1s %s %s"):format(mock.url, c[1], default))
      assert.are.equal(2, code, c[1] .. ": " .. out .. err)
      assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
    end
    local code, _, err = t.run(("-u http://127.0.0.1:1/x -R 10 -k %s"):format(default))
    assert.are.equal(2, code)
    assert.truthy(err:find("--insecure applies to https:// URLs only", 1, true), err)
    assert.are.equal(0, mock.stats().requests.total)
  end)
end)

describe("mutual TLS", function()
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
  before_each(function() mock.reset() end)

  local function run(extra)
    return t.run(("-q -u %s -R 50 -d 1s -w 1 -c 4 --cacert %s %s %s"):format(mock.url,
      t.quote(dir .. "/ca.pem"), extra, default))
  end

  it("accepts the CA's client certificate, also with an encrypted key and its password",
    function()
      local code, out = run(("--cert %s/cli.pem --key %s/cli.key"):format(t.quote(dir),
        t.quote(dir)))
      assert.are.equal(0, code, out)
      assert.are.equal(50, mock.stats().requests.echo)
      assert.truthy(on_asked_path(out, 50), out)
      local pw = t.write(dir .. "/keypw", "keypw\n")
      code, out = run(("--cert %s/cli.pem --key %s/cli-enc.key --key-password-file %s")
        :format(t.quote(dir), t.quote(dir), t.quote(pw)))
      assert.are.equal(0, code, out)
      assert.are.equal(100, mock.stats().requests.echo)
      -- 50 requests over 2 s, so that slow handshakes on a busy machine still send them all
      code, out = t.run(("-q -u %s -R 25 -d 2s -w 1 -c 4 --cacert %s/ca.pem --cert %s/cli.pem " ..
        "--key %s/cli-enc.key --key-password-env KP %s"):format(mock.url, t.quote(dir),
        t.quote(dir), t.quote(dir), default), "KP=keypw")
      assert.are.equal(0, code, out)
      assert.are.equal(150, mock.stats().requests.echo)
      assert.falsy(out:find("keypw", 1, true))
    end)

  it("a wrong key password is refused before anything is sent, exit 2", function()
    -- (it failed every request as tls before send, exit 1, until the parent loaded the key)
    local pw = t.write(dir .. "/badpw", "not-it\n")
    local code, out, err = run(("--cert %s/cli.pem --key %s/cli-enc.key --key-password-file %s")
      :format(t.quote(dir), t.quote(dir), t.quote(pw)))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(("--key %s/cli-enc.key: the key cannot be decrypted with the " ..
      "password of --key-password-file"):format(dir), 1, true), err)
    assert.falsy(err:find("not-it", 1, true), err)
    assert.are.equal(0, mock.stats().requests.total)
  end)

  it("an encrypted key without a password, a key of another certificate, a certificate " ..
    "without a key: refused before sending, exit 2, and nothing asks for a pass phrase", function()
      local q = function(f) return t.quote(dir .. "/" .. f) end
      local cases = {
        { ("--cert %s --key %s"):format(q("cli.pem"), q("cli-enc.key")),
          ("--key %s/cli-enc.key: the key is encrypted: give its password with " ..
            "--key-password-file FILE or --key-password-env NAME"):format(dir) },
        { ("--cert %s --key %s"):format(q("cli.pem"), q("self.key")),
          ("--key %s/self.key is not the key of the certificate in --cert %s/cli.pem")
            :format(dir, dir) },
        { ("--cert %s"):format(q("cli.pem")),
          ("--cert %s/cli.pem holds no private key: give it with --key FILE"):format(dir) },
        { ("--cert %s --key %s"):format(q("cli.key"), q("cli.key")),
          ("--cert %s/cli.key: no PEM certificate in it"):format(dir) },
        -- an encrypted PEM block where the certificate is read: OpenSSL's default would
        -- prompt for its pass phrase (it did, on stderr without a terminal)
        { ("--cert %s --key %s"):format(q("cert-enc.pem"), q("cli.key")),
          ("--cert %s/cert-enc.pem: the certificate is encrypted: give its password with " ..
            "--key-password-file FILE or --key-password-env NAME"):format(dir) },
      }
      assert(os.execute(("openssl rsa -in %s -aes128 -traditional -passout pass:x -out %s " ..
        "2>/dev/null"):format(q("cli.key"), q("cert-enc.pem"))))
      t.write(dir .. "/cert-enc.pem",
        (t.read(dir .. "/cert-enc.pem"):gsub("RSA PRIVATE KEY", "CERTIFICATE")))
      for _, c in ipairs(cases) do
        local code, out, err = run(c[1])
        assert.are.equal(2, code, c[1] .. ": " .. out .. err)
        assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
        assert.falsy((out .. err):find("pass phrase", 1, true), out .. err)
      end
      assert.are.equal(0, mock.stats().requests.total)
      -- a certificate and its key in one file, as libcurl takes them without --key
      local both = dir .. "/both.pem"
      t.write(both, t.read(dir .. "/cli.pem") .. t.read(dir .. "/cli.key"))
      local code, out = run("--cert " .. t.quote(both))
      assert.are.equal(0, code, out)
      assert.are.equal(50, ok_of(out))
      assert.are.equal(50, mock.stats().requests.echo)
    end)

  it("refuses a certificate from another CA, or none: every request counted failed, none " ..
    "processed", function()
      -- TLS 1.3: the server checks the client's certificate after the client has finished its
      -- handshake, so the request is written and the connection is then closed without answer
      for _, extra in ipairs({ ("--cert %s/self.pem --key %s/self.key"):format(t.quote(dir),
        t.quote(dir)), "" }) do
        local code, out = run(extra)
        assert.are.equal(1, code, out)
        local sent, failed = out:match("\n  sent%s+(%d+) = ok 0 %+ failed (%d+) %+ cancelled 0")
        local before = t.count(out, "failed before send (%d+)")
        -- each refused request holds its connection for a whole handshake: on a busy machine
        -- the last ones due can find none free before sending ends, and are counted not sent
        local not_sent = t.count(out, "not sent (%d+)")
        assert.are.equal(50, tonumber(sent) + before + not_sent, out)
        assert.are.equal(tonumber(sent), tonumber(failed), out)
        assert.truthy(out:find("\nErrors          [%a ]*%d+"), out)
        assert.are.equal(0, mock.stats().requests.total)
      end
    end)
end)

describe("HTTP/2 without TLS (h2c)", function()
  local mock = t.shared_mock("--threads 1 --delay 50ms")
  before_each(function() mock.reset() end)

  it("--streams 4 on one connection: 4 requests in flight on it, the trace names its streams",
    function()
      local trace = t.tmpname(".csv")
      finally(function() os.remove(trace) end)
      local code, out = t.run(("-q -u %s -R 60 -d 1s -w 1 -c 1 --http 2 --streams 4 --trace %s %s")
        :format(mock.url, trace, default))
      assert.are.equal(0, code, out)
      local s = mock.stats()
      assert.are.equal(60, sent_of(out))
      assert.are.equal(60, s.protocols.http2)
      assert.are.equal(1, s.connections.max_open)
      assert.are.equal(4, s.in_progress.max)
      assert.truthy(out:find("in flight     at most 4 at once", 1, true), out)
      assert.truthy(out:find("\nProtocol        HTTP/2 (h2c), up to 4 streams per connection\n", 1,
        true), out)
      assert.are.same({ 1, 59 }, { connections_line(out) })
      -- one connection, its streams 1, 3, 5, ... 119, each once
      local streams, port = {}, nil
      for line in io.lines(trace) do
        local p, conn, stream = line:match(",(%d+),[%d.]+,[%d.]+,[%d.]+,[%d.]+,200,[%w_]*,(%d+),(%d+),ok,,,,$")
        if p then
          port = port or p
          assert.are.equal(port, p)
          assert.are.equal("1", conn)
          assert.is_nil(streams[tonumber(stream)], line)
          streams[tonumber(stream)] = true
        end
      end
      for k = 1, 60 do assert.is_true(streams[2 * k - 1], "stream " .. (2 * k - 1)) end
    end)

  it("--streams 4 on 2 connections: the mock sees 2 connections and 8 requests in progress",
    function()
      -- bursts of 4 every 33 ms against a 50 ms service: two bursts overlap (8 in progress),
      -- with 17 ms to spare before the third (160/s would need all 8 streams at every instant)
      local code, out = t.run(("-q -u %s -R 120 -d 1s -w 1 -c 2 --http 2 --streams 4 %s")
        :format(mock.url, default))
      assert.are.equal(0, code, out)
      local s = mock.stats()
      assert.are.equal(120, s.protocols.http2)
      assert.are.equal(2, s.connections.max_open)
      assert.are.equal(8, s.in_progress.max)
    end)

  it("--streams needs --http 2", function()
    local code, _, err = t.run(("-u %s -R 10 --streams 2 %s"):format(mock.url, default))
    assert.are.equal(2, code)
    assert.truthy(err:find("--streams 2 needs --http 2", 1, true), err)
  end)

  it("HTTP/1.1 keep-alive: one new connection each, the trace numbers the requests on it",
    function()
      local trace = t.tmpname(".csv")
      finally(function() os.remove(trace) end)
      local code, out = t.run(("-q -u %s -R 40 -d 1s -w 1 -c 4 --trace %s %s"):format(mock.url,
        trace, default))
      assert.are.equal(0, code, out)
      assert.are.same({ 4, 36 }, { connections_line(out) })
      assert.are.equal(40, mock.stats().protocols.http1)
      -- on each of the 4 connections the requests are numbered 1, 2, 3... without a gap
      local per, count, nconns = {}, {}, 0
      for line in io.lines(trace) do
        local conn, stream = line:match(",200,[%w_]*,(%d+),(%d+),ok,,,,$")
        if conn then
          if not per[conn] then per[conn], count[conn], nconns = {}, 0, nconns + 1 end
          per[conn][tonumber(stream)] = true
          count[conn] = count[conn] + 1
        end
      end
      assert.are.equal(4, nconns)
      local all = 0
      for c, n in pairs(count) do
        for k = 1, n do assert.is_true(per[c][k], c .. ":" .. k) end
        all = all + n
      end
      assert.are.equal(40, all)
    end)
end)

describe("HTTP/2 GOAWAY", function()
  -- fixtures/goaway_server.py (python3-h2, over TLS with ALPN h2): each connection processes
  -- its first 3 streams and, once a 4th opens, sends a graceful GOAWAY whose last_stream_id is
  -- the 3rd; the streams above it are never processed (RFC 9113 6.8). GET /processed and
  -- GET /refused count both kinds; its output prints them too.
  local srv, dir

  -- Starts the server (`mode`: "" or "close"); stop() kills it.
  local function start(mode)
    local out = t.tmpname(".goaway")
    local p = io.popen(("/usr/bin/python3 %s/tests/spec/fixtures/goaway_server.py 3 %s %s %s " ..
      "> %s 2>&1 & echo $!"):format(t.quote(t.root), t.quote(dir .. "/srv.pem"),
      t.quote(dir .. "/srv.key"), mode, t.quote(out)))
    local pid = tonumber(p:read("l"))
    p:close()
    local port
    local deadline = t.now() + 10
    while not port and t.now() < deadline do
      port = (t.read(out) or ""):match("listening (%d+)")
      if not port then t.sleep(0.05) end
    end
    assert(port, "goaway_server.py did not start (python3-h2 missing?): " .. (t.read(out) or ""))
    local s = { pid = pid, port = tonumber(port), out = out,
                url = "https://127.0.0.1:" .. port .. "/soap/endpoint" }
    -- the last count of `name` the server printed
    function s.printed(name)
      local v = 0
      for n in (t.read(out) or ""):gmatch(name .. " (%d+)") do v = tonumber(n) end
      return v
    end
    function s.stop()
      os.execute("kill -KILL " .. pid .. " 2>/dev/null")
      os.remove(out)
    end
    return s
  end
  setup(function()
    dir = t.make_test_ca()
    srv = start("")
  end)
  teardown(function()
    if srv then srv.stop() end
    if dir then os.execute("rm -rf " .. t.quote(dir)) end
  end)

  local function counter(path)
    local c = io.popen(("curl -s --http1.1 --cacert %s https://127.0.0.1:%d%s")
      :format(t.quote(dir .. "/ca.pem"), srv.port, path))
    local v = tonumber(c:read("a"))
    c:close()
    return v
  end

  it("requests a GOAWAY left unprocessed are sent again with the same ID, never failures",
    function()
      local processed0, refused0 = counter("/processed"), counter("/refused")
      local connections0 = counter("/connections")
      local json = t.tmpname(".json")
      finally(function() os.remove(json) end)
      local code, out = t.run(("-q -u %s --cacert %s --http 2 --streams 4 -c 2 -w 1 -R 100 -d 2s " ..
        "--json %s %s"):format(srv.url, t.quote(dir .. "/ca.pem"), json, default))
      local processed, refused = counter("/processed") - processed0, counter("/refused") - refused0
      -- (before: the refused streams were failures, sent 200 = ok 150 + failed 50 or so, while
      -- the server processed 150)
      local c = t.invariants(out)
      assert.are.equal(200, c.scheduled)
      assert.are.equal(c.ok, processed) -- each echoed its own ID: resent with the same one
      if os.getenv("SOAPLOAD_SANITIZED") ~= "1" then
        assert.are.equal(0, code, out)
        assert.are.equal(200, c.ok, out)
      else
        -- under the sanitizers, with the suite running (TLS handshakes of up to 2 s seen), the
        -- GOAWAY server's races show: a write on a connection it had closed before the client
        -- read its GOAWAY (a refused resend, or libcurl's "connection died"), and the last
        -- requests not sent while every connection is in a handshake. The counts must still
        -- add up and match the server's; the plain build holds every request ok
        assert.are.equal(200, c.ok + c.failed + c.not_sent, out)
        assert.are.equal(c.ok == 200 and 0 or 1, code, out)
      end
      assert.is_true(refused > 0, "the server refused no stream")
      -- the streams the server refused, and requests libcurl had not put on a stream yet when
      -- the GOAWAY came (never on the wire)
      -- (writes, not requests: one may be refused again, up to 3 times; before, the line said
      -- each was counted "by its second answer")
      local resent = tonumber(out:match("\nResent          (%d+) writes of requests an HTTP/2 " ..
        "GOAWAY left unprocessed %(above its last_stream_id%), again on a new connection with " ..
        "the same ID %(at most 3 per request%): each request counted once, by how its last " ..
        "write ended\n"))
      assert.is_true(resent >= refused, out)
      assert.are.equal(resent, t.json.decode(t.read(json)).resent_unprocessed)
      -- a resend that opened a connection opened it: the connections counted are the server's,
      -- and each write (sent or resent) found its connection once. (before: "opened 12" where
      -- the server accepted about 67: 3 requests processed on each)
      local opened, reused = connections_line(out)
      assert.are.equal(counter("/connections") - connections0, opened, out)
      assert.are.equal(c.sent + resent, opened + reused, out)
    end)

  it("a refused request that finds no new connection fails once, as connect, in bounded time",
    function()
      -- the server stops listening after its first GOAWAY: libcurl's new connection for the
      -- refused stream cannot be made. (before: the worker handed it back to libcurl at every
      -- failed connect, a busy loop until the drain deadline cancelled it, 7 s for a 1 s run)
      local closing = start("close")
      finally(function() closing.stop() end)
      local code, out, err, elapsed = t.run(("-q -u %s --cacert %s --http 2 --streams 4 -c 1 " ..
        "-w 1 -R 20 -d 1s %s"):format(closing.url, t.quote(dir .. "/ca.pem"), default))
      assert.are.equal(1, code, out .. err)
      assert.is_true(elapsed < 4, "took " .. elapsed .. " s")
      local c = t.invariants(out)
      local refused = closing.printed("refused")
      assert.is_true(refused > 0, out)
      assert.are.equal(closing.printed("processed"), c.ok)
      assert.are.equal(0, c.cancelled, out)
      -- written once, never processed, no connection to write it again on: a connect failure
      assert.are.equal(refused, c.failed, out)
      assert.truthy(out:find("\nErrors          connect " .. refused .. ", connect before send " ..
        c.before .. "\n", 1, true), out)
      assert.are.equal(20, c.sent + c.before)
    end)
end)

describe("IPv6 and host names", function()
  it("sends to http://[::1]:PORT and to localhost", function()
    local mock = t.start_mock_at("http://[::1]", "--host ::1 --threads 1")
    finally(function() mock.stop() end)
    local code, out = t.run(("-q -u %s -R 50 -d 1s -w 1 -c 4 %s"):format(mock.url, default))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("Target          http://[::1]:" .. mock.port, 1, true), out)
    code, out = t.run(("-q -u http://localhost:%d/soap/endpoint -R 50 -d 1s -w 1 -c 4 %s")
      :format(mock.port, default))
    assert.are.equal(0, code, out)
    assert.are.equal(100, mock.stats().requests.echo)
  end)
end)

describe("HTTP authentication", function()
  local server, dir
  setup(function()
    server = t.start_bad_server("basicauth")
    dir = t.tmpname(".auth")
    os.execute("mkdir -p " .. t.quote(dir))
  end)
  teardown(function()
    server.stop()
    os.execute("rm -rf " .. t.quote(dir))
  end)

  local function counter(path)
    local _, _, body = t.http(server.port, "GET", path)
    return tonumber(body)
  end

  it("basic with the password from a file: every request authorized, the password in no output",
    function()
      local pw = t.write(dir .. "/pw", "s3cret-pw\n")
      local json, trace = dir .. "/r.json", dir .. "/r.csv"
      local before = counter("/authorized")
      local code, out, err = t.run(("-u %s -R 50 -d 1s -w 1 -c 1 --burst 1 --auth basic --user soapuser " ..
        "--password-file %s --json %s --trace %s %s"):format(server.url, t.quote(pw), json,
        trace, default))
      assert.are.equal(0, code, out .. err)
      assert.are.equal(50, ok_of(out))
      assert.are.equal(before + 50, counter("/authorized"))
      for _, text in ipairs({ out, err, t.read(json), t.read(trace) }) do
        assert.falsy(text:find("s3cret", 1, true))
      end
      -- from the environment, --auth basic implied by --user
      code, out = t.run(("-q -u %s -R 20 -d 1s -w 1 -c 1 --burst 1 --user soapuser --password-env PW %s")
        :format(server.url, default), "PW=s3cret-pw")
      assert.are.equal(0, code, out)
      assert.are.equal(before + 70, counter("/authorized"))
    end)

  it("a wrong password: every request answered 401, counted as http_status", function()
    local pw = t.write(dir .. "/bad", "wrong\n")
    local before = counter("/processed")
    local code, out = t.run(("-q -u %s -R 20 -d 1s -w 1 -c 1 --burst 1 --auth basic --user soapuser " ..
      "--password-file %s %s"):format(server.url, t.quote(pw), default))
    assert.are.equal(1, code, out)
    assert.truthy(out:find("Errors          http_status 20", 1, true), out)
    assert.truthy(out:find("http_status         20  HTTP 401", 1, true), out)
    assert.are.equal(before + 20, counter("/processed"))
  end)

  it("takes no password on the command line and wants a user and a password source", function()
    local cases = {
      { "--password s3cret", "unknown option '--password'" },
      { "--auth digest", "--auth needs --user NAME" },
      { "--user soapuser", "--auth needs --user NAME and its password" },
      { "--password-file /nonexistent/pw --user u", "--password-file /nonexistent/pw" },
      { "--auth kerberos", "basic, digest, ntlm or negotiate" },
    }
    for _, c in ipairs(cases) do
      local code, out, err = t.run(("-u %s -R 10 %s %s"):format(server.url, c[1], default))
      assert.are.equal(2, code, c[1] .. ": " .. out .. err)
      assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
    end
  end)
end)

-- The HTTP/1.1 fast path (--fast-path on, the default for http://) against libcurl's full path
-- on the framings a server may choose: each answer read, counted and reused alike.
describe("HTTP/1.1 on both paths", function()
  for _, mode in ipairs({ "chunked", "close", "interim", "http10" }) do
    it(mode .. ": every answer ok, the same connections on the fast path and on libcurl's",
      function()
        local lines = {}
        for _, path in ipairs({ "on", "off" }) do
          local bad = t.start_bad_server(mode)
          finally(function() bad.stop() end)
          local code, out = t.run(("--fast-path %s -q -u %s -R 10 -d 1s -w 1 -c 1 %s")
            :format(path, bad.url, default))
          bad.stop()
          assert.are.equal(0, code, out)
          assert.are.equal(10, ok_of(out), out)
          assert.are.equal(path == "on", out:find("; fast path 10 of 10\n", 1, true) ~= nil, out)
          lines[path] = { connections_line(out) }
        end
        assert.are.same(lines.off, lines.on)
      end)
  end
end)
