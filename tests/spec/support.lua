-- support: what the specs share: starting and stopping the real mock on a free loopback
-- port (for one test, or shared by a describe block), running soapload and shell commands,
-- raw HTTP/1.1 over luasocket, JSON, scratch files and directories, the accounting checks.
-- Specs require("support"): .busted at the root puts tests/spec on the module path.
local socket = require("socket")
local cjson = require("cjson")

local M = {}

M.bin = os.getenv("SOAPLOAD_BIN") or "build/plain/soapload"
M.mock_bin = os.getenv("SOAPLOAD_MOCK_BIN") or "build/plain/soapload-mock"
M.root = os.getenv("SOAPLOAD_SOURCE_DIR") or "."

local function sh_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
M.quote = sh_quote

function M.tmpname(suffix)
  local name = os.tmpname()
  os.remove(name)
  return name .. (suffix or "")
end

function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

function M.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

function M.sleep(s) socket.sleep(s) end
function M.now() return socket.gettime() end

-- Running, that is: a zombie (dead, not yet reaped by whoever inherited it) does not count.
local function alive(pid)
  local f = io.open("/proc/" .. pid .. "/stat")
  if not f then return false end
  local state = (f:read("a") or ""):match("%) (%a)")
  f:close()
  return state ~= nil and state ~= "Z"
end

-- A free loopback port for a server that a test starts itself, or restarts on the same port.
-- It lies below the kernel's ephemeral range, which bind(0) and every outgoing connection
-- draw from: with specs running side by side, a port from that range could be taken as
-- another test's source port between this probe and the server's bind.
function M.free_port()
  local f = io.open("/proc/sys/net/ipv4/ip_local_port_range")
  local low = f and tonumber((f:read("l") or ""):match("^(%d+)")) or 32768
  if f then f:close() end
  local top = math.max(low - 1, 2048)
  local urandom = assert(io.open("/dev/urandom", "rb")) -- busted seeds math.random by the second
  for _ = 1, 200 do
    local a, b = urandom:read(2):byte(1, 2)
    local port = 1024 + (a * 256 + b) % (top - 1023)
    local s = socket.bind("127.0.0.1", port)
    if s then
      s:close()
      urandom:close()
      return port
    end
  end
  urandom:close()
  error("no free port below " .. low)
end

-- Starts soapload-mock with extra arguments on a free port (--port 0) and waits for its
-- "listening on" line. Returns a handle with port, url, pid, stats(), stop().
-- `wrapper` (optional) runs the mock under another program, valgrind for instance.
function M.start_mock(args, wrapper)
  local out = M.tmpname(".mock")
  local cmd = string.format("%s %s --port 0 %s > %s 2>&1 & echo $!", wrapper or "",
    sh_quote(M.mock_bin), args or "", sh_quote(out))
  local p = io.popen(cmd)
  local pid = tonumber(p:read("l"))
  p:close()
  local port
  local deadline = M.now() + (wrapper and 60 or 10) -- valgrind starts slowly
  while M.now() < deadline do
    local text = M.read(out) or ""
    port = text:match("listening on http://[^:]+:(%d+)")
    if port then break end
    if not alive(pid) then error("soapload-mock exited: " .. text) end
    M.sleep(0.02)
  end
  assert(port, "soapload-mock did not start: " .. (M.read(out) or ""))
  local mock = { pid = pid, port = tonumber(port), out = out }
  mock.url = "http://127.0.0.1:" .. port .. "/soap/endpoint"
  function mock.stats()
    local status, _, body = M.http(mock.port, "GET", "/stats")
    assert(status == 200, "GET /stats: " .. tostring(status))
    return cjson.decode(body)
  end
  function mock.reset()
    return M.http(mock.port, "POST", "/stats/reset", {}, "")
  end
  -- Stops it with `sig` (TERM by default); returns everything it printed.
  function mock.stop(sig)
    if mock.stopped then return mock.stopped end -- once only: the pid may be reused later
    os.execute("kill -" .. (sig or "TERM") .. " " .. pid .. " 2>/dev/null")
    local until_ = M.now() + 10
    while alive(pid) and M.now() < until_ do M.sleep(0.02) end
    if alive(pid) then os.execute("kill -KILL " .. pid) end
    local text = M.read(out) or ""
    os.remove(out)
    mock.stopped = text
    return text
  end
  return mock
end

-- A mock for the tests of the enclosing describe block: started (start_mock(args)) before its
-- first test, stopped after its last. Call it inside describe(); the handle it returns reads
-- through to the running mock (url, port, stats(), reset(), stop()) once the block has started.
function M.shared_mock(args)
  local busted = require("busted") -- setup and teardown as the spec file sees them
  local running
  busted.setup(function() running = M.start_mock(args or "") end)
  busted.teardown(function() if running then running.stop() end end)
  return setmetatable({}, { __index = function(_, key)
    assert(running, "the shared mock is used outside its describe block's tests")
    return running[key]
  end })
end

-- Runs a shell command line with its stderr joined to its stdout; returns the exit status (a
-- signal's number when a signal ended it) and everything it printed.
function M.sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok and 0 or code, out
end

-- A new empty directory (mktemp -d), and the removal of one with all it holds.
function M.tmpdir()
  local code, out = M.sh("mktemp -d")
  assert(code == 0, "mktemp -d: " .. out)
  return (out:gsub("%s+$", ""))
end
function M.remove_tree(dir) os.execute("rm -rf " .. sh_quote(dir)) end

-- The lines of a file, as a list (empty when there is no such file).
function M.lines(path)
  local list = {}
  for line in (M.read(path) or ""):gmatch("[^\n]+") do list[#list + 1] = line end
  return list
end

-- A JSON file (a result file, mostly) decoded; fails naming the file when there is none.
function M.decode(path)
  return cjson.decode((assert(M.read(path), "no file " .. path)))
end

-- What a program prints for --help.
function M.help(bin)
  local p = io.popen(sh_quote(bin) .. " --help")
  local text = p:read("a")
  p:close()
  return text
end

-- The WS-Security UsernameToken password digest, Base64(SHA-1(nonce .. created .. password)),
-- computed by the openssl command line: apart from soapload's code and the mock's.
function M.openssl_password_digest(nonce, created, password)
  local f = M.write(M.tmpname(".bin"), nonce .. created .. password)
  local p = io.popen("openssl dgst -sha1 -binary " .. sh_quote(f) .. " | openssl base64 -A")
  local out = p:read("a")
  p:close()
  os.remove(f)
  return (out:gsub("%s+$", ""))
end

-- A --start-at value `ahead` seconds from now (Unix time, to the millisecond).
function M.start_time(ahead)
  return ("%.3f"):format(M.now() + ahead)
end

-- Runs soapload with a shell-ready argument string. Returns exit code, stdout, stderr,
-- and the wall time it took.
-- SOAPLOAD_FAST_PATH=on|off: every run of a load takes --fast-path so, to run the specs
-- against either path.
local FAST_PATH = os.getenv("SOAPLOAD_FAST_PATH")
local function fast_path(args)
  if not FAST_PATH or FAST_PATH == "" or args:match("^%s*merge%f[%s]") or
    args:match("^%s*compare%f[%s]") or args:match("^%s*wsdl%f[%s]") or
    args:match("^%s*%-%-reconcile") then
    return args
  end
  return "--fast-path " .. FAST_PATH .. " " .. args
end

function M.run(args, env)
  args = fast_path(args)
  local out, err = M.tmpname(".out"), M.tmpname(".err")
  local t0 = M.now()
  local cmd = string.format("%s %s > %s 2> %s; echo $?", (env or "") .. " " .. sh_quote(M.bin),
    args, sh_quote(out), sh_quote(err))
  local p = io.popen(cmd)
  local code = tonumber(p:read("l"))
  p:close()
  local elapsed = M.now() - t0
  local o, e = M.read(out), M.read(err)
  os.remove(out)
  os.remove(err)
  return code, o, e, elapsed
end

-- Writes a scenario script to a temporary file and returns its path.
function M.script(text)
  return M.write(M.tmpname(".lua"), text)
end

-- Reads a number from the summary: the count after `label` on a line.
function M.count(summary, pattern)
  local v = summary:match(pattern)
  return v and tonumber(v)
end

-- A minimal HTTP/1.1 client: one request on a new connection unless `conn` is given.
-- Returns status, headers (lower-case names), body.
function M.request_text(method, path, headers, body)
  headers = headers or {}
  local lines = { method .. " " .. path .. " HTTP/1.1", "Host: 127.0.0.1" }
  for k, v in pairs(headers) do lines[#lines + 1] = k .. ": " .. v end
  if body then lines[#lines + 1] = "Content-Length: " .. #body end
  return table.concat(lines, "\r\n") .. "\r\n\r\n" .. (body or "")
end

function M.read_response(conn)
  local status_line, err = conn:receive("*l")
  if not status_line then return nil, err end
  local status = tonumber(status_line:match("^HTTP/1%.%d (%d+)"))
  local headers = {}
  while true do
    local line = assert(conn:receive("*l"))
    if line == "" then break end
    local k, v = line:match("^([^:]+):%s*(.-)%s*$")
    if k then headers[k:lower()] = v end
  end
  local body = ""
  local len = tonumber(headers["content-length"] or "0")
  if len > 0 then body = assert(conn:receive(len)) end
  return status, headers, body
end

function M.connect(port)
  local conn = assert(socket.tcp())
  conn:settimeout(10)
  assert(conn:connect("127.0.0.1", port))
  return conn
end

function M.http(port, method, path, headers, body)
  local conn = M.connect(port)
  assert(conn:send(M.request_text(method, path, headers, body)))
  local status, h, b = M.read_response(conn)
  conn:close()
  return status, h, b
end

M.SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
M.SOAP12 = "http://www.w3.org/2003/05/soap-envelope"

function M.envelope(ns, id, prefix)
  prefix = prefix or "s"
  return string.format('<%s:Envelope xmlns:%s="%s"><%s:Body><m:Echo xmlns:m="urn:test">' ..
    '<m:RequestId>%s</m:RequestId></m:Echo></%s:Body></%s:Envelope>',
    prefix, prefix, ns, prefix, id, prefix, prefix)
end

function M.soap11(port, body, extra)
  local h = { ["Content-Type"] = "text/xml; charset=utf-8", SOAPAction = '"urn:test#Echo"' }
  for k, v in pairs(extra or {}) do h[k] = v end
  return M.http(port, "POST", "/soap/endpoint", h, body)
end

-- Starts tests/spec/fixtures/bad_server.lua in MODE (on `port`, or a free one); returns
-- {port, url, stop()}.
function M.start_bad_server(mode, port)
  local out = M.tmpname(".bad")
  local p = io.popen(("lua5.4 %s/tests/spec/fixtures/bad_server.lua %s %d > %s 2>&1 & echo $!")
    :format(M.root, mode, port or 0, sh_quote(out)))
  local pid = tonumber(p:read("l"))
  p:close()
  local port
  local deadline = M.now() + 10
  while not port and M.now() < deadline do
    port = (M.read(out) or ""):match("listening (%d+)")
    if not port then M.sleep(0.02) end
  end
  assert(port, "bad_server did not start: " .. (M.read(out) or ""))
  return { pid = pid, port = tonumber(port),
           url = "http://127.0.0.1:" .. port .. "/soap/endpoint",
           stop = function()
             if not pid then return end
             os.execute("kill -KILL " .. pid .. " 2>/dev/null")
             os.remove(out)
             pid = nil
           end }
end

-- Starts soapload in the background (`env`: VAR=value words before it); returns {pid, wait()}
-- where wait() gives what run() does.
function M.spawn(args, env)
  args = fast_path(args)
  local out, err, rc = M.tmpname(".out"), M.tmpname(".err"), M.tmpname(".rc")
  local p = io.popen(("sh -c %s > /dev/null 2>&1 & echo $!"):format(sh_quote(("%s %s %s > %s 2> %s; echo $? > %s")
    :format(env or "", sh_quote(M.bin), args, sh_quote(out), sh_quote(err), sh_quote(rc)))))
  local shell = tonumber(p:read("l"))
  p:close()
  local pid
  local deadline = M.now() + 10
  while not pid and M.now() < deadline do -- soapload is the shell's child
    local q = io.popen("pgrep -P " .. shell)
    pid = tonumber(q:read("l") or "")
    q:close()
    if not pid then M.sleep(0.01) end
  end
  assert(pid, "soapload did not start")
  local h = { pid = pid, started = M.now() }
  function h.workers()
    local q = io.popen("pgrep -P " .. pid)
    local list = {}
    for line in q:lines() do list[#list + 1] = tonumber(line) end
    q:close()
    return list
  end
  function h.wait(limit)
    local until_ = M.now() + (limit or 60)
    while not M.read(rc) or M.read(rc) == "" do
      assert(M.now() < until_, "soapload did not finish")
      M.sleep(0.02)
    end
    local code = tonumber(M.read(rc))
    local o, e = M.read(out), M.read(err)
    os.remove(out); os.remove(err); os.remove(rc)
    return code, o, e, M.now() - h.started
  end
  return h
end

function M.alive(pid) return alive(pid) end

M.json = cjson

-- A result file's counts by tag scenario=NAME, by name.
function M.scenario_counts(doc)
  local m = {}
  for _, v in ipairs(doc.tags.values) do
    if v.name == "scenario" then m[v.value] = v.counts end
  end
  return m
end

-- A result file's flows by name: { scheduled, completed, failed, interrupted, not started }.
function M.flow_counts(doc)
  local m = {}
  for _, f in ipairs(doc.flows) do
    m[f.name] = { f.scheduled, f.completed, f.failed, f.interrupted, f.not_started }
  end
  return m
end

-- A result file's operations' counts by name.
function M.op_counts(doc)
  local m = {}
  for _, o in ipairs(doc.operations) do m[o.name] = o.counts end
  return m
end

-- The trace's rows: operation, id, due, sent and done times (seconds), outcome.
function M.trace_rows(path)
  local rows = {}
  for line in io.lines(path) do
    local id, due, sent, done, op, outcome = line:match(
      "^([^,]*),[^,]*,[^,]*,([%d.]+),([%d.]*),[^,]*,([%d.]*),[^,]*,([^,]*),[^,]*,[^,]*,([^,]*)")
    if id then
      rows[#rows + 1] = { id = id, due = tonumber(due), sent = tonumber(sent),
                          done = tonumber(done), op = op, outcome = outcome }
    end
  end
  return rows
end

-- The most requests (of operation `op`, or of all) in flight at once (an end before a send at one instant).
function M.most_in_flight(rows, op)
  local ev = {}
  for _, r in ipairs(rows) do
    if (op == nil or r.op == op) and r.sent then
      ev[#ev + 1] = { r.sent, 1 }
      ev[#ev + 1] = { r.done or math.huge, -1 }
    end
  end
  table.sort(ev, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[2] < b[2]
  end)
  local level, most = 0, 0
  for _, e in ipairs(ev) do
    level = level + e[2]
    if level > most then most = level end
  end
  return most
end

-- Both accounting equations and the per-worker sums, read back from a summary (and no
-- ACCOUNTING ERROR line); returns the counts.
function M.invariants(out)
  local assert = require("luassert") -- busted's, which a spec sees as assert
  assert.falsy(out:find("ACCOUNTING ERROR", 1, true), out)
  local sched, sent, not_sent, before, serr = out:match(
    "scheduled     (%d+) = sent (%d+) %+ not sent (%d+) %+ failed before send (%d+) %+ " ..
    "script errors before send (%d+)")
  assert.truthy(sched, out)
  sched, sent, not_sent, before, serr = tonumber(sched), tonumber(sent), tonumber(not_sent),
    tonumber(before), tonumber(serr)
  assert.are.equal(sched, sent + not_sent + before + serr)
  local sent2, ok, failed, cancelled = out:match(
    "sent          (%d+) = ok (%d+) %+ failed (%d+) %+ cancelled (%d+)")
  assert.are.equal(sent, tonumber(sent2))
  assert.are.equal(sent, tonumber(ok) + tonumber(failed) + tonumber(cancelled))
  local per = { scheduled = 0, sent = 0 }
  for s, n in out:gmatch("Worker %d+%s+pid %d+: scheduled (%d+), sent (%d+)") do
    per.scheduled = per.scheduled + tonumber(s)
    per.sent = per.sent + tonumber(n)
  end
  assert.are.equal(sched, per.scheduled)
  assert.are.equal(sent, per.sent)
  return { scheduled = sched, sent = sent, not_sent = not_sent, before = before,
           ok = tonumber(ok), failed = tonumber(failed), cancelled = tonumber(cancelled) }
end

-- The failure reasons of a decoded result file add up: for each operation ("" without
-- operations) and each failure kind that has reasons, the reasons' counts (the kept ones and
-- other_reasons) equal the failures of that kind (sent and before send) of the operation, and
-- of the run in all. Returns the sums, by operation and kind.
local REASON_KINDS = { "http_status", "soap_fault", "id_mismatch", "malformed", "check_failed",
  "signature", "schema", "connect", "timeout", "write", "read", "truncated", "protocol", "too_large",
  "tls", "other" }
function M.reasons_invariants(r)
  local assert = require("luassert")
  local sums = {}
  local function add(x)
    sums[x.operation] = sums[x.operation] or {}
    sums[x.operation][x.kind] = (sums[x.operation][x.kind] or 0) + x.count
  end
  for _, x in ipairs(r.failure_reasons.reasons) do add(x) end
  local other = 0
  for _, x in ipairs(r.failure_reasons.other_reasons) do add(x); other = other + x.count end
  assert.are.equal(r.failure_reasons.other, other)
  local function check(op, counts)
    for _, k in ipairs(REASON_KINDS) do
      local want = counts.results[k] + counts.before_send[k]
      assert.are.equal(want, (sums[op] or {})[k] or 0, ("%s of operation %q"):format(k, op))
    end
  end
  if #r.operations == 0 then
    check("", r.summary)
  else
    for _, o in ipairs(r.operations) do check(o.name, o.counts) end
    for _, k in ipairs(REASON_KINDS) do
      local all = 0
      for _, byk in pairs(sums) do all = all + (byk[k] or 0) end
      assert.are.equal(r.summary.results[k] + r.summary.before_send[k], all, k)
    end
  end
  return sums
end

-- A test certificate authority made now with the openssl command line (no key is ever
-- committed), in a new directory it returns: ca.pem; srv.pem/srv.key for 127.0.0.1, ::1,
-- localhost and test.example; cli.pem/cli.key signed by the CA, cli-enc.key (the same key
-- under the password "keypw"); self.pem/self.key signed by nobody.
function M.make_test_ca()
  local dir = M.tmpname(".tls")
  local cmd = "(" .. table.concat({
    "mkdir -p " .. M.quote(dir), "cd " .. M.quote(dir),
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 " ..
      "-subj '/CN=soapload test CA'",
    "openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj '/CN=127.0.0.1'",
    "printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:test.example\\n' > ext",
    "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem " ..
      "-days 1 -extfile ext",
    "openssl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr -subj '/CN=client'",
    "openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem -days 1",
    "openssl pkey -in cli.key -aes256 -passout pass:keypw -out cli-enc.key",
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -days 1 " ..
      "-subj '/CN=stranger'",
  }, " && ") .. ") > /dev/null 2>&1"
  assert(os.execute(cmd), "openssl could not make the test CA")
  return dir
end

-- Starts the mock with `args` on a free port; `base` is the start of the URL it prints
-- ("https://127.0.0.1", "http://[::1]"). stats() reads /stats with curl, given curl's TLS
-- arguments for a TLS mock.
function M.start_mock_at(base, args, curl_tls)
  local out = M.tmpname(".mock")
  local p = io.popen(("%s --port 0 %s > %s 2>&1 & echo $!"):format(M.quote(M.mock_bin), args,
    M.quote(out)))
  local pid = tonumber(p:read("l"))
  p:close()
  local port
  local pattern = "listening on " .. base:gsub("%p", "%%%0") .. ":(%d+)"
  local deadline = M.now() + 10
  while not port and M.now() < deadline do
    port = (M.read(out) or ""):match(pattern)
    if not port then M.sleep(0.02) end
  end
  assert(port, "soapload-mock did not start at " .. base .. ": " .. (M.read(out) or ""))
  local mock = { pid = pid, port = tonumber(port), base = base .. ":" .. port }
  mock.url = mock.base .. "/soap/endpoint"
  local function curl(path, method)
    local c = io.popen(("curl -s -g %s %s %s"):format(curl_tls or "", method or "",
      M.quote(mock.base .. path)))
    local body = c:read("a")
    c:close()
    return body
  end
  function mock.stats() return M.json.decode(curl("/stats")) end
  function mock.reset() curl("/stats/reset", "-X POST") end
  function mock.stop()
    if mock.stopped then return mock.stopped end
    os.execute("kill -TERM " .. pid .. " 2>/dev/null")
    local until_ = M.now() + 10
    while M.alive(pid) and M.now() < until_ do M.sleep(0.02) end
    mock.stopped = M.read(out) or ""
    os.remove(out)
    return mock.stopped
  end
  return mock
end

-- Headless Chromium with a profile of its own (removed after), ARGS appended; its stdout.
function M.chromium(args)
  local profile = M.tmpname(".chromium")
  local p = io.popen("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic " ..
    "--no-first-run --disable-background-networking --disable-component-update --disable-sync " ..
    "--user-data-dir=" .. profile .. " " .. args .. " 2>/dev/null")
  local out = p:read("a")
  p:close()
  os.execute("rm -rf " .. M.quote(profile))
  return out
end

-- The DOM of the HTML file at PATH once its scripts have run.
function M.chromium_dom(path)
  return M.chromium("--dump-dom file://" .. path)
end

-- busted keeps only the last finally() of a test; a spec file chains them instead with
--   local finally = t.chained(function(fn) return finally(fn) end)
-- so that every cleanup a test registers runs (the last registered first).
function M.chained(busted_finally)
  local list = {}
  return function(fn)
    list[#list + 1] = fn
    if #list == 1 then
      busted_finally(function()
        local fns = list
        list = {}
        local first_error
        for i = #fns, 1, -1 do
          local ok, err = pcall(fns[i])
          if not ok and not first_error then first_error = err end
        end
        if first_error then error(first_error, 0) end
      end)
    end
  end
end

-- A man page the build made from the option tables (build dir/man/PAGE, next to the binary),
-- as `man -l` shows it: ASCII, wide enough that no option head wraps. Returns the text and
-- what groff warned on stderr.
function M.man(page)
  local dir = M.bin:match("^(.*)/[^/]*$") or "."
  local err = M.tmpname(".err")
  local p = io.popen(("LC_ALL=C MANWIDTH=120 man --warnings -l %s 2>%s"):format(
    sh_quote(dir .. "/man/" .. page), sh_quote(err)))
  local out = p:read("a")
  p:close()
  local warnings = M.read(err) or ""
  os.remove(err)
  return out, warnings
end

-- Text with every run of white space made one space, as a man page fills it.
function M.words(s)
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

return M
