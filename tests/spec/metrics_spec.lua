-- --metrics: the live /metrics endpoint, scraped by a real Prometheus (Debian's prometheus,
-- started here on loopback with a config written by the test); the exposition checked with
-- promtool; the HTTP side's refusals; a scraper that hangs on does not hold the run up; the
-- Grafana dashboard names only series soapload exports.
local t = require("support")
local socket = require("socket")

local default_script = t.root .. "/scripts/examples/default.lua"

local free_port = t.free_port

-- soapload in the background, its output files readable while it runs.
local function spawn(args)
  local h = { out = t.tmpname(".out"), err = t.tmpname(".err"), rc = t.tmpname(".rc"),
    pidfile = t.tmpname(".pid") }
  os.execute(("(%s %s > %s 2> %s & echo $! > %s; wait $!; echo $? > %s) &"):format(
    t.quote(t.bin), args, t.quote(h.out), t.quote(h.err), t.quote(h.pidfile), t.quote(h.rc)))
  for _ = 1, 200 do
    h.pid = tonumber(t.read(h.pidfile) or "")
    if h.pid then break end
    t.sleep(0.01)
  end
  assert(h.pid, "soapload did not start")
  os.remove(h.pidfile)
  -- ends the linger early: SIGTERM stops the serving, not the run's exit code
  function h.stop_lingering() os.execute("kill -TERM " .. h.pid .. " 2>/dev/null") end
  function h.wait(limit)
    local until_ = t.now() + (limit or 60)
    while (t.read(h.rc) or "") == "" do
      assert(t.now() < until_, "soapload did not finish")
      t.sleep(0.05)
    end
    local code, o, e = tonumber(t.read(h.rc)), t.read(h.out), t.read(h.err)
    os.remove(h.out); os.remove(h.err); os.remove(h.rc)
    return code, o, e
  end
  return h
end

-- GET /metrics on port with an optional Accept header: status, headers, body.
local function scrape(port, accept)
  return t.http(port, "GET", "/metrics", accept and { Accept = accept } or {})
end

-- The value of a sample line (name and labels as printed) in an exposition.
local function sample(text, series)
  for line in text:gmatch("[^\n]+") do
    local name, value = line:match("^(%S+) (%S+)$")
    if name == series then return tonumber(value) end
  end
end

-- The names of every series an exposition holds, and of their families.
local function series_names(text)
  local names = {}
  for line in text:gmatch("[^\n]+") do
    local name = line:match("^([%w_]+)[{ ]") or line:match("^# TYPE ([%w_]+) ")
    if name then names[name] = true end
  end
  return names
end

describe("--metrics", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  it("refuses a bad address and a port in use before sending anything (exit 2)", function()
    for _, bad in ipairs({ "9464", "localhost:9464", "127.0.0.1:", "127.0.0.1:65536",
      "::1:9464", "[::1]", "[nope]:9464", "1.2.3:80" }) do
      local code, out, err = t.run(("-q -R 10 -d 1s --metrics %s -u %s %s")
        :format(t.quote(bad), mock.url, default_script))
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("bad value '" .. bad .. "' for --metrics: it wants ADDR:PORT", 1,
        true), err)
    end
    local code, out, err = t.run(("-q -R 10 -d 1s --metrics-linger soon -u %s %s")
      :format(mock.url, default_script))
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("bad value 'soon' for --metrics-linger", 1, true), err)

    local taken = assert(socket.bind("127.0.0.1", 0))
    local _, port = taken:getsockname()
    code, out, err = t.run(("-q -R 10 -d 1s --metrics 127.0.0.1:%s -u %s %s")
      :format(port, mock.url, default_script))
    taken:close()
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find("cannot listen on 127.0.0.1:" .. port ..
      " for --metrics: Address already in use", 1, true), err)
    assert.are.equal(0, mock.stats().requests.total)
  end)

  it("serves IPv6 and prints the port that port 0 picked", function()
    local h = spawn(("-q -R 20 -d 1s --metrics '[::1]:0' --metrics-linger 0 -u %s %s")
      :format(mock.url, default_script))
    local code, out, err = h.wait()
    assert.are.equal(0, code, out .. err)
    assert.truthy(err:match("soapload: metrics at http://%[::1%]:%d+/metrics"), err)
  end)

  it("answers only GET /metrics, bounds the request, and a hanging scraper holds nothing up",
    function()
      local port = free_port()
      local h = spawn(("-q -R 200 -d 3s -c 4 -w 2 --metrics 127.0.0.1:%d --metrics-linger 0 " ..
        "-u %s %s"):format(port, mock.url, default_script))
      local conn
      for _ = 1, 100 do -- until it listens
        conn = socket.connect("127.0.0.1", port)
        if conn then break end
        t.sleep(0.02)
      end
      assert(conn, "soapload's /metrics did not listen")
      -- 20 connections that say nothing, one that asks and never reads: more than the slots
      local idle = { conn }
      for _ = 1, 19 do idle[#idle + 1] = assert(socket.connect("127.0.0.1", port)) end
      local asker = assert(socket.connect("127.0.0.1", port))
      assert(asker:send(t.request_text("GET", "/metrics")))
      t.sleep(0.3)
      local status, headers, body = scrape(port)
      assert.are.equal(200, status)
      assert.are.equal("text/plain; version=0.0.4; charset=utf-8", headers["content-type"])
      assert.truthy(body:find("soapload_sent_total{segment=\"\"}", 1, true), body)
      assert.are.equal(404, (t.http(port, "GET", "/")))
      local s405, h405 = t.http(port, "POST", "/metrics", {}, "x")
      assert.are.equal(405, s405)
      assert.are.equal("GET", h405["allow"])
      local big = t.connect(port)
      assert(big:send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " .. ("a"):rep(10000) ..
        "\r\n\r\n"))
      assert.are.equal(431, (t.read_response(big)))
      big:close()

      local code, out, err = h.wait(30)
      for _, c in ipairs(idle) do c:close() end
      asker:close()
      assert.are.equal(0, code, out .. err)
      assert.are.equal(600, t.count(out, "sent%s+(%d+) ="))
      assert.are.equal(600, math.tointeger(mock.stats().requests.total))
    end)

  it("shows growing counts during the run, the final ones after, in both text formats",
    function()
      local port = free_port()
      local h = spawn(("-q -R 300 -d 3s -c 6 -w 2 --metrics 127.0.0.1:%d --metrics-linger 20s " ..
        "-u %s %s"):format(port, mock.url, default_script))
      local texts = {}
      local t0 = t.now()
      for _, at in ipairs({ 1.3, 2.6 }) do
        while t.now() - t0 < at do t.sleep(0.02) end
        local status, _, body = scrape(port)
        assert.are.equal(200, status)
        texts[#texts + 1] = body
      end
      while not (t.read(h.out) or ""):find("\nResult ", 1, true) do
        assert(t.now() - t0 < 30, "no summary")
        t.sleep(0.05)
      end
      local _, _, final = scrape(port)
      local status, headers, om = scrape(port, "application/openmetrics-text; version=1.0.0")
      h.stop_lingering()
      local code, out, err = h.wait(10)
      assert.are.equal(0, code, out .. err)
      local sent = t.count(out, "sent%s+(%d+) =")
      assert.are.equal(900, sent)
      assert.are.equal(sent, math.tointeger(mock.stats().requests.total))

      local key = 'soapload_sent_total{segment=""}'
      local a, b, c = sample(texts[1], key), sample(texts[2], key), sample(final, key)
      assert.is_true(a > 0 and a < b and b < c, ("%s %s %s"):format(a, b, c))
      assert.are.equal(0, sample(texts[1], 'soapload_finished{segment=""}'))
      assert.are.equal(1, sample(final, 'soapload_finished{segment=""}'))
      assert.are.equal(sent, c)
      assert.are.equal(sent, sample(final, 'soapload_scheduled_total{segment=""}'))
      assert.are.equal(sent, sample(final,
        'soapload_requests_total{segment="",operation="all",outcome="ok",stage="sent"}'))
      assert.are.equal(sent, sample(final,
        'soapload_latency_seconds_count{segment="",operation="all"}'))
      assert.are.equal(sent, sample(final,
        'soapload_latency_seconds_bucket{segment="",operation="all",le="+Inf"}'))
      assert.are.equal(300, sample(final, 'soapload_target_rate{segment=""}'))
      -- by 2.6 s at least one second is complete: its requests, sent at the target rate
      assert.is_true(sample(texts[2], 'soapload_achieved_rate{segment=""}') > 0, texts[2])
      assert.are.equal(300, sample(final, 'soapload_achieved_rate{segment=""}'))

      for _, text in ipairs({ texts[1], texts[2], final }) do
        local file = t.write(t.tmpname(".prom"), text)
        local rc, lint = t.sh("promtool check metrics < " .. file)
        os.remove(file)
        assert.are.equal(0, rc, lint)
      end

      assert.are.equal(200, status)
      assert.are.equal("application/openmetrics-text; version=1.0.0; charset=utf-8",
        headers["content-type"])
      assert.truthy(om:sub(-6) == "# EOF\n", om:sub(-40))
      assert.truthy(om:find("\n# TYPE soapload_sent counter\nsoapload_sent_total{", 1, true), om)
      assert.truthy(om:find("# UNIT soapload_latency_seconds seconds", 1, true), om)
      assert.are.equal(sent, sample(om, key))
    end)

  it("counts the fast path's requests and libcurl's alike: live and final values equal the " ..
    "server's counts on both paths", function()
    -- a ramp up to 200/s and down again, 2 s of nothing, then a short ramp: in the quiet middle
    -- every request so far is answered, so the live counts must equal the mock's exactly
    local script = t.script(("soapload.url = %q\n"):format(mock.url) ..
      "soapload.stages = {{duration = '1s', target = 200}, {duration = '0.5s', target = 0}, " ..
      "{duration = '2s', target = 0}, {duration = '0.5s', target = 100}}\n" ..
      "function request(id) return soapload.envelope(soapload.echo(id)) end\n")
    finally(function() os.remove(script) end)
    local function counts(text)
      return {
        sent = sample(text, 'soapload_sent_total{segment=""}'),
        scheduled = sample(text, 'soapload_scheduled_total{segment=""}'),
        ok = sample(text, 'soapload_requests_total{segment="",operation="all",outcome="ok",stage="sent"}'),
        in_flight = sample(text, 'soapload_in_flight{segment=""}'),
        finished = sample(text, 'soapload_finished{segment=""}'),
      }
    end
    for _, path in ipairs({ "on", "off" }) do
      mock.reset()
      local port = free_port()
      local h = spawn(("-c 6 -w 2 --fast-path %s --metrics 127.0.0.1:%d --metrics-linger 20s %s")
        :format(path, port, script))
      finally(function() os.execute("kill -TERM " .. h.pid .. " 2>/dev/null") end)
      local t0, quiet = t.now(), nil
      t.sleep(0.3) -- its port is bound before anything is sent
      while not quiet and not (t.read(h.out) or ""):find("\nResult ", 1, true) do
        assert(t.now() - t0 < 30, "no summary")
        local s1, _, a = scrape(port)
        local total = math.tointeger(mock.stats().requests.total)
        local s2, _, b = scrape(port)
        if s1 == 200 and s2 == 200 then
          local ca, cb = counts(a), counts(b)
          -- nothing in flight at either scrape and nothing sent between them: the server's
          -- count, read between them, is every request sent so far
          if ca.finished == 0 and ca.ok >= 100 and ca.sent == cb.sent and ca.ok == cb.ok and
            ca.in_flight == 0 and cb.in_flight == 0 then
            quiet = { metrics = ca, server = total }
          end
        end
        t.sleep(0.1)
      end
      assert(quiet, "no scrape in the quiet middle of the run (path " .. path .. ")")
      assert.are.same({ quiet.server, quiet.server, quiet.server },
        { quiet.metrics.sent, quiet.metrics.ok, quiet.metrics.scheduled }, path)
      while not (t.read(h.out) or ""):find("\nResult ", 1, true) do
        assert(t.now() - t0 < 30, "no summary")
        t.sleep(0.05)
      end
      local _, _, final = scrape(port)
      h.stop_lingering()
      local code, out, err = h.wait(10)
      assert.are.equal(0, code, out .. err)
      local sent = t.count(out, "sent%s+(%d+) =")
      local total = math.tointeger(mock.stats().requests.total)
      assert.is_true(sent > quiet.server, out)
      assert.are.equal(sent, total)
      local c = counts(final)
      assert.are.same({ sent, sent, sent, 0, 1 }, { c.sent, c.ok, c.scheduled, c.in_flight, c.finished })
      assert.are.equal(sent, sample(final, 'soapload_latency_seconds_count{segment="",operation="all"}'))
      if path == "on" then
        assert.truthy(out:find(("fast path %d of %d"):format(sent, sent), 1, true), out)
      else
        assert.falsy(out:find("fast path", 1, true), out)
      end
    end
  end)

  it("gives a ramp's and a scenarios run's target rate, not 0: the rate due before the " ..
    "first second is complete, then each complete second's share, the mean once finished", function()
    -- a ramp 0 -> 200/s over 2 s, then 200/s for 2 s: seconds of 50, 150, 200, 200 (mean 150);
    -- scenarios: a 60/s one beside a ramp 0 -> 80/s over 2 s: seconds of 80, 120 (mean 100)
    local cases = {
      { "soapload.stages = {{duration = '2s', target = 200}, {duration = '2s', target = 200}}",
        { 50, 150, 200, 200 }, 150, 600 },
      { "soapload.scenarios = {flat = {rate = 60, duration = '2s'}, " ..
        "ramp = {stages = {{duration = '2s', target = 80}}}}", { 80, 120 }, 100, 200 },
    }
    for _, case in ipairs(cases) do
      local script = t.script(("soapload.url = %q\n%s\n"):format(mock.url, case[1]) ..
        "function request(id) return soapload.envelope(soapload.echo(id)) end\n")
      local before = math.tointeger(mock.stats().requests.total)
      local port = free_port()
      local h = spawn(("-q -c 8 -w 2 --metrics 127.0.0.1:%d --metrics-linger 20s %s"):format(
        port, script))
      local early, seconds, t0 = {}, {}, t.now()
      t.sleep(0.3) -- its port is bound before anything is sent
      while not (t.read(h.out) or ""):find("\nResult ", 1, true) do
        assert(t.now() - t0 < 30, "no summary")
        local status, _, body = scrape(port)
        if status == 200 and sample(body, 'soapload_finished{segment=""}') == 0 then
          local target = sample(body, 'soapload_target_rate{segment=""}')
          if sample(body, 'soapload_achieved_rate{segment=""}') == 0 then
            early[#early + 1] = target -- no second complete yet: the rate due now, on the ramp
          else
            seconds[target] = true
          end
        end
        t.sleep(0.1)
      end
      local _, _, final = scrape(port)
      h.stop_lingering()
      local code, out, err = h.wait(10)
      os.remove(script)
      assert.are.equal(0, code, out .. err)
      assert.are.equal(case[4], math.tointeger(mock.stats().requests.total) - before)
      assert.are.equal(case[3], sample(final, 'soapload_target_rate{segment=""}'))
      local positive = false
      for _, r in ipairs(early) do
        assert.is_true(r >= 0 and r <= case[2][1] * 2, tostring(r))
        positive = positive or r > 0
      end
      assert.is_true(positive, "the rate due before the first second: " .. table.concat(early, " "))
      local want = {}
      for _, n in ipairs(case[2]) do want[n] = true end
      local any = false
      for target in pairs(seconds) do
        any = true
        assert.is_true(want[target], "a complete second's target " .. target .. " is none of the run's")
      end
      assert.is_true(any, "no scrape saw a complete second")
    end
  end)

  it("gives each operation's, scenario's and tag value's series once the run is over, with the " ..
    "counts of the JSON and the server, escaped labels, checked by promtool", function()
    local script = t.script(([[
soapload.url = %q
local function req(id, seq)
  return soapload.envelope(soapload.echo(id)), {tags = {tier = seq %% 2 == 0 and 'g"o\\ld' or "bronze"}}
end
soapload.operations = {{name = "A", weight = 1, request = req}, {name = "B", weight = 1, request = req}}
soapload.scenarios = {
  reads = {rate = 40, duration = "1s", operations = {"A"}},
  writes = {rate = 20, duration = "1s", operations = {"B"}},
}
]]):format(mock.url))
    local json = t.tmpname(".json")
    local before = math.tointeger(mock.stats().requests.total)
    local port = free_port()
    local h = spawn(("-q -c 4 -w 1 --json %s --metrics 127.0.0.1:%d --metrics-linger 20s %s"):format(
      json, port, script))
    local t0 = t.now()
    while not (t.read(h.out) or ""):find("\nResult ", 1, true) do
      assert(t.now() - t0 < 30, "no summary")
      t.sleep(0.05)
    end
    local _, _, final = scrape(port)
    local _, _, om = scrape(port, "application/openmetrics-text; version=1.0.0")
    h.stop_lingering()
    local code, out, err = h.wait(10)
    os.remove(script)
    assert.are.equal(0, code, out .. err)
    assert.are.equal(60, math.tointeger(mock.stats().requests.total) - before)
    local doc = t.json.decode(t.read(json))
    os.remove(json)
    local function ok(labels) return sample(final, "soapload_requests_total{segment=\"\"," .. labels ..
      ",outcome=\"ok\",stage=\"sent\"}") end
    for _, o in ipairs(doc.operations) do
      assert.are.equal(o.counts.results.ok, ok(('operation="%s"'):format(o.name)))
      assert.are.equal(o.latency.from_due.count, sample(final,
        ('soapload_latency_seconds_count{segment="",operation="%s"}'):format(o.name)))
      assert.are.equal(o.latency.service.count, sample(final,
        ('soapload_service_seconds_bucket{segment="",operation="%s",le="+Inf"}'):format(o.name)))
    end
    assert.are.equal(40, ok('operation="A"'))
    assert.are.equal(20, ok('operation="B"'))
    local seen = 0
    for _, v in ipairs(doc.tags.values) do
      local labels = v.name == "scenario" and ('scenario="%s"'):format(v.value)
        or ('tag="%s",tag_value="%s"'):format(v.name, v.value:gsub("\\", "\\\\"):gsub('"', '\\"'))
      local family = v.name == "scenario" and "soapload_scenario" or "soapload_tag"
      assert.are.equal(v.counts.results.ok, sample(final, family .. "_requests_total{segment=\"\"," ..
        labels .. ",outcome=\"ok\",stage=\"sent\"}"), labels)
      assert.are.equal(v.latency.from_due.count, sample(final, family ..
        "_latency_seconds_count{segment=\"\"," .. labels .. "}"), labels)
      seen = seen + 1
    end
    assert.are.equal(4, seen) -- scenario reads and writes, tier g"o\ld and bronze
    assert.are.equal(40, sample(final,
      'soapload_scenario_requests_total{segment="",scenario="reads",outcome="ok",stage="sent"}'))
    assert.are.equal(30, sample(final,
      'soapload_tag_requests_total{segment="",tag="tier",tag_value="g\\"o\\\\ld",outcome="ok",stage="sent"}'))
    -- the totals stay where they were: operation="all" only
    assert.are.equal(60, sample(final,
      'soapload_requests_total{segment="",operation="all",outcome="ok",stage="sent"}'))
    local file = t.write(t.tmpname(".prom"), final)
    local rc, lint = t.sh("promtool check metrics < " .. file)
    os.remove(file)
    assert.are.equal(0, rc, lint)
    -- OpenMetrics: the breakdown's counter family named without _total, its samples with
    assert.truthy(om:find("\n# TYPE soapload_scenario_requests counter\n", 1, true), om)
    assert.truthy(om:find('\nsoapload_scenario_requests_total{segment="",scenario="reads",', 1, true))
    assert.truthy(om:sub(-6) == "# EOF\n")
  end)

  it("puts each latency in the fixed bucket its value belongs to", function()
    local slow = t.start_mock("--delay 30ms")
    local port = free_port()
    local h = spawn(("-q -R 40 -d 1s -c 8 -w 2 --metrics 127.0.0.1:%d --metrics-linger 20s " ..
      "-u %s %s"):format(port, slow.url, default_script))
    local t0 = t.now()
    while not (t.read(h.out) or ""):find("\nResult ", 1, true) do
      assert(t.now() - t0 < 30, "no summary")
      t.sleep(0.05)
    end
    local _, _, text = scrape(port)
    h.stop_lingering()
    local code, out, err = h.wait(10)
    local received = math.tointeger(slow.stats().requests.total)
    slow.stop()
    assert.are.equal(0, code, out .. err)
    assert.are.equal(40, received)
    for _, name in ipairs({ "soapload_latency_seconds", "soapload_service_seconds" }) do
      local function bucket(le)
        return sample(text, ('%s_bucket{segment="",operation="all",le="%s"}'):format(name, le))
      end
      -- the server waits 30 ms before each answer: nothing is faster
      assert.are.equal(0, bucket("0.025"), text)
      assert.are.equal(40, bucket("10.0"), text)
      assert.are.equal(40, bucket("+Inf"), text)
      local sum = sample(text, ('%s_sum{segment="",operation="all"}'):format(name))
      assert.is_true(sum >= 40 * 0.03 and sum < 40 * 10, tostring(sum))
    end
  end)

  it("is scraped by a real Prometheus whose queries give the counts soapload printed", function()
    local pport, sport = free_port(), free_port()
    local dir = t.tmpname(".prom")
    os.execute("mkdir -p " .. t.quote(dir .. "/data"))
    t.write(dir .. "/prometheus.yml", ([[
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: soapload
    static_configs:
      - targets: ['127.0.0.1:%d']
]]):format(sport))
    os.execute(("prometheus --config.file=%s --storage.tsdb.path=%s --web.listen-address=127.0.0.1:%d " ..
      "> %s 2>&1 & echo $! > %s"):format(t.quote(dir .. "/prometheus.yml"), t.quote(dir .. "/data"),
      pport, t.quote(dir .. "/log"), t.quote(dir .. "/pid")))
    local ppid = tonumber(t.read(dir .. "/pid"))
    local function query(expr)
      local rc, body = t.sh(("curl -s --get --data-urlencode %s http://127.0.0.1:%d/api/v1/query")
        :format(t.quote("query=" .. expr), pport))
      assert.are.equal(0, rc, body)
      local doc = t.json.decode(body)
      assert.are.equal("success", doc.status, body)
      return doc.data.result
    end
    local function value(expr)
      local r = query(expr)
      return r[1] and tonumber(r[1].value[2])
    end
    local ok, failure = pcall(function()
      local ready
      for _ = 1, 300 do
        ready = t.sh(("curl -sf http://127.0.0.1:%d/-/ready"):format(pport)) == 0
        if ready then break end
        t.sleep(0.05)
      end
      assert(ready, "prometheus did not start: " .. (t.read(dir .. "/log") or ""))
      -- its scrape loop starts seconds after it is ready: wait for its first (failed) scrape
      local t_ready = t.now()
      while #query('up{job="soapload"}') == 0 do
        assert(t.now() - t_ready < 20, "prometheus does not scrape")
        t.sleep(0.1)
      end

      local h = spawn(("-q -R 250 -d 4s -c 6 -w 2 --metrics 127.0.0.1:%d --metrics-linger 30s " ..
        "-u %s %s"):format(sport, mock.url, default_script))
      local t0 = t.now()
      while not (t.read(h.out) or ""):find("\nResult ", 1, true) do
        assert(t.now() - t0 < 30, "no summary")
        t.sleep(0.05)
      end
      -- the scrapes of the lingering endpoint carry the final numbers
      while value('soapload_finished{job="soapload"}') ~= 1 do
        assert(t.now() - t0 < 40, "prometheus never scraped the final numbers: " ..
          (t.read(dir .. "/log") or ""))
        t.sleep(0.2)
      end
      local sent_total = value("soapload_sent_total")
      local ok_total = value('sum(soapload_requests_total{outcome="ok"})')
      local all_total = value("sum(soapload_requests_total) + sum(soapload_not_sent_total)")
      local scheduled = value("soapload_scheduled_total")
      local count = value("soapload_latency_seconds_count")
      local p99 = value("histogram_quantile(0.99, soapload_latency_seconds_bucket)")
      -- scrapes made during the run: soapload_finished was 0 in them
      local seen_during = value("count_over_time(soapload_finished[5m]) - " ..
        "sum_over_time(soapload_finished[5m])")
      local rising = value("max_over_time(soapload_sent_total[5m]) - min_over_time(soapload_sent_total[5m])")

      -- the dashboard's every expression runs here and names only exported series
      local _, _, text = scrape(sport)
      local exported = series_names(text)
      local dash_text = assert(t.read(t.root .. "/scripts/grafana/soapload-dashboard.json"))
      local dash = t.json.decode(dash_text)
      for name in dash_text:gmatch("soapload_[%w_]+") do
        assert.truthy(exported[name], name .. " is not a series soapload exports")
      end
      local titles = {}
      local exprs = 0
      for _, panel in ipairs(dash.panels) do
        titles[#titles + 1] = panel.title
        for _, target in ipairs(panel.targets) do
          local expr = target.expr:gsub("%$__rate_interval", "1m"):gsub("%$segment", ".*")
          assert.truthy(expr:find("soapload_", 1, true), expr)
          assert.is_true(#query(expr) > 0, "no data for " .. expr)
          exprs = exprs + 1
        end
      end
      assert.is_true(exprs >= 8)
      local all_titles = table.concat(titles, "|")
      for _, want in ipairs({ "target vs achieved", "by outcome", "In flight", "p50, p99" }) do
        assert.truthy(all_titles:find(want, 1, true), all_titles)
      end

      h.stop_lingering()
      local code, out, err = h.wait(15)
      assert.are.equal(0, code, out .. err)
      local sent = t.count(out, "sent%s+(%d+) =")
      assert.are.equal(1000, sent)
      assert.are.equal(sent, math.tointeger(mock.stats().requests.total))
      assert.are.equal(sent, sent_total)
      assert.are.equal(sent, ok_total)
      assert.are.equal(t.count(out, "scheduled%s+(%d+) ="), scheduled)
      assert.are.equal(scheduled, all_total)
      assert.are.equal(sent, count)
      assert.is_true(seen_during >= 2, tostring(seen_during))
      assert.is_true(rising > 0, tostring(rising))
      -- Prometheus interpolates within the fixed bucket that holds soapload's exact p99
      local p99_text = out:match("from due time%s+%S+%s+%S+%s+(%S+)")
      local exact = tonumber(p99_text:match("[%d.]+")) * (p99_text:find("ms") and 1e-3 or
        p99_text:find("us") and 1e-6 or 1)
      local bounds = { 0, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10 }
      local lo, hi
      for i = 2, #bounds do
        if exact <= bounds[i] * 1.001 then lo, hi = bounds[i - 1], bounds[i]; break end
      end
      assert.is_true(p99 >= lo * 0.999 and p99 <= hi * 1.001,
        ("prometheus p99 %s, soapload's %s"):format(p99, p99_text))
    end)
    os.execute("kill -TERM " .. ppid .. " 2>/dev/null")
    for _ = 1, 100 do
      if not t.alive(ppid) then break end
      t.sleep(0.05)
    end
    os.execute("rm -rf " .. t.quote(dir))
    assert(ok, failure)
  end)

  it("counts soapload.flows by flow and outcome while the run goes on, durations once it is over",
    function()
    local sessions = t.start_mock("--threads 2 --sessions --session-refuse-login 5")
    finally(function() sessions.stop() end)
    local port = free_port()
    local h = spawn(("-q -R 50 -d 1s -w 2 --metrics 127.0.0.1:%d --metrics-linger 20s " ..
      "-u %s %s"):format(port, sessions.url, t.root .. "/scripts/examples/session.lua"))
    local t0 = t.now()
    t.sleep(0.5) -- mid-run (the run lasts 1 s)
    local _, _, during = scrape(port)
    while not (t.read(h.out) or ""):find("\nResult ", 1, true) do
      assert(t.now() - t0 < 30, "no summary")
      t.sleep(0.05)
    end
    local _, _, final = scrape(port)
    local _, _, om = scrape(port, "application/openmetrics-text; version=1.0.0")
    h.stop_lingering()
    local code, out, err = h.wait(10)
    assert.are.equal(1, code, out .. err) -- the refused logins
    local s = sessions.stats().sessions
    local function flows(outcome, text)
      return sample(text or final, ('soapload_flows_total{segment="",flow="order",outcome="%s"}')
        :format(outcome))
    end
    -- mid-run: the flows so far, from the workers' board (about 25 started by then); their
    -- durations only once the workers have reported them at their end
    local under_way = sample(during, 'soapload_flows_in_progress{segment="",flow="order"}')
    local so_far = flows("completed", during) + flows("failed", during) + under_way
    assert.is_true(so_far >= 1 and so_far <= 50, during)
    assert.are.equal(0, flows("interrupted", during) + flows("not_started", during))
    assert.falsy(during:find("soapload_flow_duration_seconds", 1, true), during)
    assert.are.equal(0, sample(final, 'soapload_flows_in_progress{segment="",flow="order"}'))
    assert.are.same({ s.logouts, s.logins_refused, 0, 0 },
      { flows("completed"), flows("failed"), flows("interrupted"), flows("not_started") })
    assert.are.same({ 40, 10 }, { s.logouts, s.logins_refused })
    assert.are.equal(s.logouts,
      sample(final, 'soapload_flow_duration_seconds_count{segment="",flow="order"}'))
    assert.are.equal(s.logouts,
      sample(final, 'soapload_flow_duration_seconds_bucket{segment="",flow="order",le="+Inf"}'))
    assert.truthy(om:find("\n# TYPE soapload_flows counter\nsoapload_flows_total{", 1, true), om)
    assert.truthy(om:find("# UNIT soapload_flow_duration_seconds seconds", 1, true), om)
    local file = t.write(t.tmpname(".prom"), final) -- (promtool lints the text format)
    local rc, lint = t.sh("promtool check metrics < " .. file)
    os.remove(file)
    assert.are.equal(0, rc, lint)
  end)
end)
