-- segments: one global schedule split over N processes (--segment I/N) started at one instant
-- (--start-at), against the real mock: N = 1 to 4 segments merged equal a single run in every
-- count, per second and at the server (every ID distinct, the mock's count the merged sent);
-- the refusals; the clock offset against the server; and the Kubernetes Job's pod command run
-- N times, each in a network namespace of its own (skipped where ip netns is not permitted).
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local RATE, SECONDS = 100, 3 -- each second's last request is due 10 ms before its end
local LOAD = ("-R %d -d %ds -c 8 -w 2 --seed 7"):format(RATE, SECONDS)

-- A start time `ahead` seconds from now, as epoch seconds with a fraction.

describe("soapload --segment", function()
  local script = t.script("soapload = {}\n")
  local single, single_stats

  setup(function()
    local mock = t.start_mock("")
    local out = t.tmpname(".json")
    local code, _, err = t.run(("-q --json %s -u %s %s %s"):format(out, mock.url, LOAD, script))
    assert(code == 0, "the single run exited " .. tostring(code) .. ": " .. err)
    single = t.decode(out)
    single_stats = mock.stats()
    mock.stop()
    os.remove(out)
  end)

  for n = 1, 4 do
    it(("%d segment%s started together equal one process: counts, seconds, IDs at the mock")
      :format(n, n == 1 and "" or "s"), function()
      local idlog = t.tmpname(".ids")
      local mock = t.start_mock("--id-log " .. t.quote(idlog))
      local files, traces, runs = {}, {}, {}
      local merged = t.tmpname(".json")
      finally(function()
        mock.stop()
        for _, f in ipairs(files) do os.remove(f) end
        for _, f in ipairs(traces) do os.remove(f) end
        os.remove(idlog); os.remove(merged)
      end)
      local at = t.start_time(2)
      for i = 0, n - 1 do
        files[i + 1], traces[i + 1] = t.tmpname(".json"), t.tmpname(".csv")
        runs[i + 1] = t.spawn(("--segment %d/%d --start-at %s --json %s --trace %s -u %s %s %s")
          :format(i, n, at, files[i + 1], traces[i + 1], mock.url, LOAD, script))
      end
      local results, probes = {}, 0
      for i = 1, n do
        local code, stdout, err = runs[i].wait(30)
        assert.are.equal(0, code, err)
        assert.matches(("Segment         %d/%d: global requests k with k mod %d = %d of 100.0 " ..
          "req/s in all; IDs S%d%%-P<pid>%%-R<seq>"):format(i - 1, n, n, i - 1, i - 1), stdout)
        results[i] = t.decode(files[i])
        assert.are.equal(("%d/%d"):format(i - 1, n), results[i].settings.segment)
        -- every segment's schedule starts at the instant given, to the microsecond
        assert.are.equal(math.floor(tonumber(at) * 1e6 + 0.5), results[i].settings.started_at_us)
        probes = probes + results[i].settings.clock_probes
      end

      local code, stdout, err = t.run(("merge %s --json %s"):format(table.concat(files, " "),
        merged))
      assert.are.equal(0, code, err)
      assert.matches(("Segments        all %d of the split schedule"):format(n), stdout)
      local m = t.decode(merged)

      -- the same totals as one process
      for _, key in ipairs({ "scheduled", "sent", "ok", "not_sent" }) do
        assert.are.equal(single.summary[key], m.summary[key], key)
      end
      assert.are.equal(RATE * SECONDS, m.summary.sent)
      assert.are.equal(single.latency.from_due.count, m.latency.from_due.count)
      -- the segments' shares (rate / n, to 3 decimals in each file) add up to the rate
      assert.is_true(math.abs(RATE - m.settings.rate) < 0.01, m.settings.rate)
      -- the same count in every second: no gap, no overlap
      local function per_second(r)
        local list = {}
        for _, s in ipairs(r.intervals) do
          list[#list + 1] = ("%d/%d"):format(s.counts.scheduled, s.counts.sent)
        end
        return table.concat(list, " ")
      end
      assert.are.equal(per_second(single), per_second(m))
      assert.are.equal(("100/100 "):rep(SECONDS):sub(1, -2), per_second(m):sub(1, 8 * SECONDS - 1))

      -- the server: every ID once, as many as were sent; the clock probes apart (415s)
      local s = mock.stats()
      assert.are.equal(0, s.ids.duplicates)
      assert.are.equal(m.summary.sent, s.ids.distinct)
      assert.are.equal(m.summary.sent, s.requests.echo)
      assert.are.equal(single_stats.requests.echo, s.requests.echo)
      assert.are.equal(probes, s.requests.bad_media_type)
      assert.are.equal(m.summary.sent + probes, s.requests.total)
      assert.is_true(probes >= n)

      -- the IDs carry their segment, in the mock's log (complete once it stopped) as in each
      -- trace
      mock.stop()
      local by_segment = {}
      for _, id in ipairs(t.lines(idlog)) do
        if not id:match("^#") then
          local seg = assert(id:match("^S(%d+)%-P%d+%-R%d+$"), "ID " .. id)
          by_segment[tonumber(seg)] = (by_segment[tonumber(seg)] or 0) + 1
        end
      end
      for i = 1, n do
        assert.are.equal(results[i].summary.sent, by_segment[i - 1])
        local trace = t.lines(traces[i])
        assert.matches(("^S%d%%-P%%d+%%-R%%d+,"):format(i - 1), trace[2])
      end
      -- and the reconciliation of all segments' traces with the server's log
      local rc, rout = t.run(("--reconcile %s %s"):format(table.concat(traces, " "), idlog))
      assert.are.equal(0, rc, rout)
      assert.matches(("sent        %d\n"):format(m.summary.sent), rout)
      assert.matches(("matched     %d "):format(m.summary.sent), rout)
      assert.matches("every ID sent was received exactly once", rout)
    end)
  end

  it("splits stages, Poisson arrivals and the operation mix exactly: 3 segments = one run",
    function()
      local shaped = t.script([[
soapload.stages = {{duration = "1s", target = 150}, {duration = "1s", target = 60}}
soapload.arrival = "poisson"
soapload.seed = 11
soapload.connections = 6
soapload.workers = 2
soapload.operations = {
  {name = "A", weight = 3, request = function(id) return soapload.envelope(soapload.echo(id)) end},
  {name = "B", weight = 1, request = function(id) return soapload.envelope(soapload.echo(id)) end},
}
]])
      local mock = t.start_mock("")
      local one, merged = t.tmpname(".json"), t.tmpname(".json")
      local files, runs = {}, {}
      finally(function()
        mock.stop(); os.remove(shaped); os.remove(one); os.remove(merged)
        for _, f in ipairs(files) do os.remove(f) end
      end)
      local code, _, err = t.run(("-q --json %s -u %s %s"):format(one, mock.url, shaped))
      assert.are.equal(0, code, err)
      local at = t.start_time(2)
      for i = 0, 2 do
        files[i + 1] = t.tmpname(".json")
        runs[i + 1] = t.spawn(("-q --segment %d/3 --start-at %s --json %s -u %s %s")
          :format(i, at, files[i + 1], mock.url, shaped))
      end
      for i = 1, 3 do
        local c, _, e = runs[i].wait(30)
        assert.are.equal(0, c, e)
      end
      code, _, err = t.run(("merge -q %s --json %s"):format(table.concat(files, " "), merged))
      assert.are.equal(0, code, err)
      local a, m = t.decode(one), t.decode(merged)
      assert.are.equal(a.summary.scheduled, m.summary.scheduled)
      assert.are.equal(a.summary.sent, m.summary.sent)
      local function seconds(r)
        local list = {}
        for _, s in ipairs(r.intervals) do list[#list + 1] = ("%d"):format(s.counts.scheduled) end
        return table.concat(list, " ")
      end
      assert.are.equal(seconds(a), seconds(m)) -- the same Poisson draws, second by second
      local function ops(r)
        local list = {}
        for _, o in ipairs(r.operations) do
          list[#list + 1] = ("%s=%d"):format(o.name, o.counts.scheduled)
        end
        return table.concat(list, " ")
      end
      assert.are.equal(ops(a), ops(m)) -- the same operation for every global request
      assert.are.equal(2 * m.summary.sent, mock.stats().ids.distinct)
    end)

  it("splits the closed model's connections over the segments as evenly as they go", function()
    local mock = t.start_mock("--delay 5ms")
    local files, traces, runs = { t.tmpname(".json"), t.tmpname(".json") },
      { t.tmpname(".csv"), t.tmpname(".csv") }, {}
    finally(function()
      mock.stop()
      for i = 1, 2 do os.remove(files[i]); os.remove(traces[i]) end
    end)
    local at = t.start_time(2)
    for i = 0, 1 do
      runs[i + 1] = t.spawn(("--closed -c 5 -w 1 -d 1s --segment %d/2 --start-at %s --json %s " ..
        "--trace %s -u %s %s"):format(i, at, files[i + 1], traces[i + 1], mock.url, script))
    end
    local sent = 0
    for i = 1, 2 do
      local code, _, err = runs[i].wait(30)
      assert.are.equal(0, code, err)
      local r = t.decode(files[i])
      assert.are.equal(i == 1 and 3 or 2, r.settings.connections)
      -- and as many users in flight (a segment once split its share again: 2 and 1)
      assert.are.equal(i == 1 and 3 or 2, t.most_in_flight(t.trace_rows(traces[i])))
      assert.are.equal(5, r.settings.global_connections)
      sent = sent + r.summary.sent
    end
    local s = mock.stats()
    assert.are.equal(sent, s.ids.distinct)
    assert.are.equal(0, s.ids.duplicates)
  end)

  it("splits a closed-model ramp's users at every instant, not only its peak", function()
    -- 0 -> 4 users over 1 s, then 4 for 1 s, over 2 segments: the run has floor(4 t) users at
    -- t, so the two segments together have none in flight before 0.25 s and at most 1 before
    -- 0.5 s, and each at most its share (2) after (a segment once took the whole run's count
    -- at each instant, up to its own connections)
    local mock = t.start_mock("--delay 20ms")
    local ramp = t.script([[
soapload.model = "closed"
soapload.stages = {{duration = "1s", connections = 4}, {duration = "1s", connections = 4}}
]])
    local files, traces, runs = { t.tmpname(".json"), t.tmpname(".json") },
      { t.tmpname(".csv"), t.tmpname(".csv") }, {}
    finally(function()
      mock.stop()
      os.remove(ramp)
      for i = 1, 2 do os.remove(files[i]); os.remove(traces[i]) end
    end)
    local at = t.start_time(2)
    for i = 0, 1 do
      runs[i + 1] = t.spawn(("-w 1 --segment %d/2 --start-at %s --json %s --trace %s -u %s %s")
        :format(i, at, files[i + 1], traces[i + 1], mock.url, ramp))
    end
    local all, sent = {}, 0
    for i = 1, 2 do
      local code, out, err = runs[i].wait(30)
      assert.are.equal(0, code, out .. err)
      sent = sent + t.decode(files[i]).summary.sent
      local rows = t.trace_rows(traces[i])
      assert.are.equal(2, t.most_in_flight(rows), "segment " .. (i - 1))
      for _, r in ipairs(rows) do all[#all + 1] = r end
    end
    local t0 = t.decode(files[1]).settings.started_at_us / 1e6
    local before = function(s)
      local early = {}
      for _, r in ipairs(all) do
        if r.sent and r.sent < t0 + s then early[#early + 1] = r end
      end
      return early
    end
    assert.are.equal(0, #before(0.249))
    assert.is_true(#before(0.499) > 0)
    assert.are.equal(1, t.most_in_flight(before(0.499)))
    assert.is_true(t.most_in_flight(before(0.749)) <= 2)
    local s = mock.stats()
    assert.are.equal(sent, s.ids.distinct)
    assert.are.equal(0, s.ids.duplicates)
  end)

  it("prints the clock's offset against the server with its uncertainty: about 0 here", function()
    local mock = t.start_mock("")
    local out = t.tmpname(".json")
    finally(function() mock.stop(); os.remove(out) end)
    local code, stdout, err = t.run(("--segment 0/1 --start-at %s -R 50 -d 1s -c 2 -w 1 " ..
      "--json %s -u %s %s"):format(t.start_time(1), out, mock.url, script))
    assert.are.equal(0, code, err)
    local off, unc, n = stdout:match("Clock offset    ([-+][%d.]+) ms %+%- ([%d.]+) ms: the " ..
      "server's clock minus this one's %(X%-Soapload%-Mock%-Time, (%d) probes%)")
    assert(off, stdout)
    -- one machine, one clock: the offset lies within a few ms of 0, inside its uncertainty's reach
    assert.is_true(math.abs(tonumber(off)) < 5, off)
    assert.is_true(tonumber(unc) < 5, unc)
    assert.are.equal("5", n)
    local r = t.decode(out)
    assert.is_true(math.abs(r.settings.clock_offset_ms) < 5)
    assert.is_true(r.settings.clock_offset_uncertainty_ms >= 0)
    assert.are.equal("X-Soapload-Mock-Time", r.settings.clock_source)
    assert.are.equal(5, mock.stats().requests.bad_media_type)
  end)

  it("measures the clock from the Date header of a server that is not the mock", function()
    -- Python's http.server answers a POST with 501 and, like most servers, a Date header
    local log = t.tmpname(".http")
    local p = io.popen(("python3 -u -m http.server 0 --bind 127.0.0.1 > %s 2>&1 & echo $!")
      :format(log))
    local pid = tonumber(p:read("l"))
    p:close()
    finally(function() os.execute("kill " .. pid); os.remove(log) end)
    local port
    for _ = 1, 250 do
      port = (t.read(log) or ""):match("port (%d+)")
      if port then break end
      t.sleep(0.02)
    end
    assert(port, "http.server did not start")
    local code, stdout = t.run(("--start-at %s -R 10 -d 1s -c 1 -w 1 -u http://127.0.0.1:%s/ %s")
      :format(t.start_time(1), port, script))
    assert.is_true(code == 0 or code == 1, stdout)
    local unc = stdout:match("Clock offset    [-+][%d.]+ ms %+%- ([%d.]+) ms: the server's " ..
      "clock minus this one's %(Date, %d probes?%)")
    assert(unc, stdout)
    assert.is_true(tonumber(unc) >= 500) -- whole seconds: +- half a second at best
  end)

  describe("refuses", function()
    local cases = {
      { "--segment 4/4", "bad value '4/4' for --segment: it wants I/N: segment I (0 to N-1) " ..
        "of N segments" },
      { "--segment 1", "bad value '1' for --segment" },
      { "--segment 0/0", "bad value '0/0' for --segment" },
      { "--segment 1/2x", "bad value '1/2x' for --segment" },
      { "--segment 0/4 -c 3", "3 connections for 4 segments: each segment needs a connection " ..
        "of its own" },
      { "--start-at 2020-01-01T00:00:00Z", "bad value '2020-01-01T00:00:00Z' for --start-at: " ..
        "it is [%d.]+ s in the past" },
      { "--start-at +2DAYS", "it is 48.0 h ahead: at most 24 h ahead is accepted" },
      { "--start-at 2026-11-27T15:30:00", "for --start-at: it wants a time in RFC 3339 with a " ..
        "zone" },
      { "--start-at tomorrow", "bad value 'tomorrow' for --start-at" },
    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        local args = c[1]:gsub("%+2DAYS", ("%.0f"):format(t.now() + 48 * 3600))
        local code, stdout, err = t.run(("%s -u http://127.0.0.1:9/x -R 10 -d 1s %s"):format(
          args, script))
        assert.are.equal(2, code)
        assert.are.equal("", stdout)
        -- the messages as written: only the "in the past" one has a pattern
        local want = c[2]:find("[%d.]+", 1, true) and c[2]:gsub("%-", "%%-")
          or c[2]:gsub("%p", "%%%0")
        assert.matches(want, err)
      end)
    end

    it("a segment in the script that is no I/N", function()
      local bad = t.script('soapload = {segment = "5/2"}\n')
      finally(function() os.remove(bad) end)
      local code, _, err = t.run(("-u http://127.0.0.1:9/x -R 10 %s"):format(bad))
      assert.are.equal(2, code)
      assert.matches("bad value '5/2' for soapload.segment", err)
    end)

    it("a start the workers were not ready for, sending nothing", function()
      local mock = t.start_mock("")
      local slow = t.script([[
soapload = {}
function init()
  local until_ = os.clock() + 1.5
  while os.clock() < until_ do end
end
]])
      finally(function() mock.stop(); os.remove(slow) end)
      local code, _, err = t.run(("--start-at %s --hook-limit 5s -R 10 -d 1s -c 1 -w 1 -u %s %s")
        :format(t.start_time(0.5), mock.url, slow))
      assert.are.equal(2, code)
      assert.matches("the workers were ready only [%d.]+ s after %-%-start%-at: nothing was sent",
        err)
      assert.are.equal(0, mock.stats().requests.echo)
    end)
  end)

  it("labels its live /metrics with its segment, which the Grafana dashboard selects by",
    function()
      local mock = t.start_mock("")
      local port = t.free_port()
      finally(function() mock.stop() end)
      local h = t.spawn(("-q --segment 1/3 -R 30 -d 1s -c 3 -w 1 --metrics 127.0.0.1:%d " ..
        "--metrics-linger 3s -u %s %s"):format(port, mock.url, script))
      local body, until_ = nil, t.now() + 10
      repeat -- the last scrape, after the summary
        local ok, status, _, text = pcall(t.http, port, "GET", "/metrics")
        if ok and status == 200 and text:find('soapload_finished{segment="1/3"} 1', 1, true) then
          body = text
        end
        t.sleep(0.1)
      until body or t.now() > until_
      assert(body, "no final scrape")
      local code = h.wait(20)
      assert.are.equal(0, code)
      assert.truthy(body:find('soapload_sent_total{segment="1/3"} 10\n', 1, true), body)
      assert.is_nil(body:find('segment=""', 1, true))
    end)

  it("shows the segment's IDs in a dry run", function()
    local code, stdout, err = t.run(("--dry-run 1 --segment 2/4 -u http://127.0.0.1:9/x -R 10 %s")
      :format(script))
    assert.are.equal(0, code, err)
    assert.matches("RequestId>S2%-P%d+%-R1</", stdout)
  end)

  it("stops at once when told to before a start far ahead: nothing sent, exit 130", function()
    local mock = t.start_mock("")
    finally(function() mock.stop() end)
    local h = t.spawn(("--start-at %s -R 10 -d 1s -c 2 -w 2 -u %s %s"):format(t.start_time(60),
      mock.url, script))
    local until_ = t.now() + 10
    while #h.workers() < 2 and t.now() < until_ do t.sleep(0.05) end
    t.sleep(0.5)
    os.execute("kill -TERM " .. h.pid)
    local stopped = t.now()
    local code, stdout = h.wait(30)
    assert.are.equal(130, code)
    assert.is_true(t.now() - stopped < 10, "it waited for the start") -- not the 60 s
    assert.matches("scheduled     0 = sent 0", stdout)
    assert.are.equal(0, mock.stats().requests.echo)
  end)

  it("merge refuses two files of the same segment and files of different splits", function()
    local mock = t.start_mock("")
    local a, b, c = t.tmpname(".json"), t.tmpname(".json"), t.tmpname(".json")
    finally(function() mock.stop(); os.remove(a); os.remove(b); os.remove(c) end)
    for _, f in ipairs({ { a, "0/2" }, { b, "0/2" }, { c, "1/3" } }) do
      local code, _, err = t.run(("-q --segment %s -R 20 -d 1s -c 3 -w 1 --json %s -u %s %s")
        :format(f[2], f[1], mock.url, script))
      assert.are.equal(0, code, err)
    end
    local code, _, err = t.run(("merge %s %s"):format(a, b))
    assert.are.equal(2, code)
    assert.matches("are both segment 0/2: each segment once", err)
    code, _, err = t.run(("merge %s %s"):format(a, c))
    assert.are.equal(2, code)
    assert.matches("is segment 1/3, but .* is segment 0/2: these results do not merge", err)
  end)
end)

-- The manifests of scripts/kubernetes/render.sh, parsed by a real YAML parser (Debian's
-- python3-yaml) into JSON.
local function render(n, start, script, image, env)
  local out, err = t.tmpname(".yaml"), t.tmpname(".err")
  local code = os.execute(("env %s %s/scripts/kubernetes/render.sh %s %s %s %s > %s 2> %s"):format(
    env or "", t.root, n, start, t.quote(script), image or "", out, err))
  local problem = t.read(err)
  os.remove(err)
  if not code then os.remove(out); return nil, problem end
  local p = io.popen(("/usr/bin/python3 -c %s < %s"):format(t.quote(
    "import sys, json, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))"),
    out))
  local docs = t.json.decode(p:read("a"))
  p:close()
  os.remove(out)
  return docs
end

local function by_kind(docs, kind, name)
  for _, d in ipairs(docs) do
    if d.kind == kind and d.metadata.name == name then return d end
  end
  error("no " .. kind .. " " .. name)
end

describe("scripts/kubernetes/render.sh", function()
  local script = t.script('soapload = {rate = 300, duration = "2s", connections = 6, workers = 2}\n' ..
    "-- the script's own text, quotes ' and \" and all\n")
  local start = "2026-11-27T15:30:00Z"

  it("renders manifests a YAML parser reads, with the fields Kubernetes requires", function()
    local docs = assert(render(3, start, script, "registry.example/soapload:1"))
    for _, d in ipairs(docs) do
      assert.is_string(d.apiVersion)
      assert.is_string(d.kind)
      assert.is_string(d.metadata.name)
      assert.are.equal("default", d.metadata.namespace)
    end
    local cm = by_kind(docs, "ConfigMap", "soapload-script")
    assert.are.equal("v1", cm.apiVersion)
    assert.are.equal(t.read(script), cm.data["script.lua"])

    local job = by_kind(docs, "Job", "soapload")
    assert.are.equal("batch/v1", job.apiVersion)
    local pod = job.spec.template.spec
    assert.are.equal("Never", pod.restartPolicy)
    local c = pod.containers[1]
    assert.are.equal("registry.example/soapload:1", c.image)
    assert.are.same({ "/bin/sh", "-c" }, { c.command[1], c.command[2] })
    assert.matches('soapload %-%-segment "%$JOB_COMPLETION_INDEX/3" %-%-start%-at ' ..
      '2026%-11%-27T15:30:00Z .*%-%-json "/results/seg%-%$JOB_COMPLETION_INDEX%.json" ' ..
      '%-%-json%-to "%$RESULTS_URL" %-%-json%-to%-token%-file /token/token .*' ..
      '%-%-metrics 0%.0%.0%.0:9464 .*/script/script%.lua$', c.command[3])
    local env = {}
    for _, e in ipairs(c.env) do env[e.name] = e end
    assert.are.equal("metadata.annotations['batch.kubernetes.io/job-completion-index']",
      env.JOB_COMPLETION_INDEX.valueFrom.fieldRef.fieldPath)
    assert.are.equal("http://soapload-mock.default.svc:8000/soap/endpoint", env.TARGET_URL.value)
    assert.are.equal("http://soapload-merge.default.svc:8080/results", env.RESULTS_URL.value)
    local mounts, volumes = {}, {}
    for _, m in ipairs(c.volumeMounts) do mounts[m.name] = m.mountPath end
    for _, v in ipairs(pod.volumes) do volumes[v.name] = v end
    assert.are.same({ script = "/script", results = "/results", tmp = "/tmp", token = "/token" },
      mounts)
    assert.are.equal("soapload-script", volumes.script.configMap.name)
    assert.are.same({}, volumes.results.emptyDir)
    assert.are.equal("soapload-token", volumes.token.secret.secretName)
    -- the token: random, 32 bytes in hex, another at each render
    local secret = by_kind(docs, "Secret", "soapload-token")
    assert.matches("^%x+$", secret.stringData.token)
    assert.are.equal(64, #secret.stringData.token)
    assert.are_not.equal(secret.stringData.token,
      by_kind(assert(render(3, start, script)), "Secret", "soapload-token").stringData.token)
    assert.are.same({ ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = "9464",
      ["prometheus.io/path"] = "/metrics" }, job.spec.template.metadata.annotations)

    local merge = by_kind(docs, "Job", "soapload-merge")
    local mc = merge.spec.template.spec.containers[1]
    assert.are.equal("exec soapload merge --listen 0.0.0.0:8080 --expect 3 --token-file " ..
      "/token/token --deadline 5m --serve-for 1h --json /results/merged.json --html " ..
      "/results/report.html", mc.command[3])
    local msvc = by_kind(docs, "Service", "soapload-merge")
    assert.are.same(merge.spec.template.metadata.labels, msvc.spec.selector)
    assert.are.equal(8080, msvc.spec.ports[1].port)
    assert.are.equal("results", mc.ports[1].name)
    assert.are.equal(8080, mc.ports[1].containerPort)
    local deploy = by_kind(docs, "Deployment", "soapload-mock")
    assert.are.equal("apps/v1", deploy.apiVersion)
    assert.are.same(deploy.spec.selector.matchLabels, deploy.spec.template.metadata.labels)
    local svc = by_kind(docs, "Service", "soapload-mock")
    assert.are.same(deploy.spec.selector.matchLabels, svc.spec.selector)
    assert.are.equal(8000, svc.spec.ports[1].port)
    assert.are.same({ "soapload-mock", "--host", "0.0.0.0", "--port", "8000" },
      deploy.spec.template.spec.containers[1].command)
  end)

  it("RESULTS=pvc: the results on a ReadWriteMany claim, merged where they lie", function()
    local docs = assert(render(2, start, script, nil, "RESULTS=pvc STORAGE_CLASS=nfs-csi"))
    local pvc = by_kind(docs, "PersistentVolumeClaim", "soapload-results")
    assert.are.same({ "ReadWriteMany" }, pvc.spec.accessModes)
    assert.are.equal("nfs-csi", pvc.spec.storageClassName)
    for _, name in ipairs({ "soapload", "soapload-merge" }) do
      local pod = by_kind(docs, "Job", name).spec.template.spec
      local volumes = {}
      for _, v in ipairs(pod.volumes) do volumes[v.name] = v end
      assert.are.equal("soapload-results", volumes.results.persistentVolumeClaim.claimName)
      assert.is_nil(volumes.token)
    end
    assert.matches("soapload merge /results/seg%-%*%.json %-%-json /results/merged%.json " ..
      "%-%-html /results/report%.html", by_kind(docs, "Job", "soapload-merge").spec.template.spec
      .containers[1].command[3])
    for _, d in ipairs(docs) do assert.are_not.equal("Secret", d.kind) end
  end)

  -- kubernetes-models (npm, tests/kubernetes) validates each object against the schema of its
  -- kind from the Kubernetes API's OpenAPI documents (the PodMonitor: the Prometheus Operator's)
  it("renders objects valid against the Kubernetes API schemas for N = 1, 7, 1000 and every " ..
    "option, with what the schemas cannot say", function()
    local validator = t.root .. "/tests/kubernetes/validate.js"
    assert(t.read(t.root .. "/tests/kubernetes/node_modules/kubernetes-models/package.json"),
      "kubernetes-models is not installed: run scripts/install-npm-test-deps.sh")
    for _, n in ipairs({ 1, 7, 1000 }) do
      for _, opts in ipairs({ "", "RESULTS=pvc", "MONITOR=podmonitor",
        "RESULTS=pvc MONITOR=podmonitor NAMESPACE=load SEGMENT_CPU=1500m SEGMENT_MEMORY=2Gi" }) do
        local where = ("N=%d %s"):format(n, opts)
        local docs = assert(render(n, start, script, nil, opts))
        local json = t.write(t.tmpname(".json"), t.json.encode(docs))
        local p = io.popen(("node %s < %s"):format(t.quote(validator), json))
        local report = p:read("a")
        local ok = p:close()
        os.remove(json)
        assert(ok, where .. ": " .. report)
        local kinds = {}
        for _, d in ipairs(docs) do
          kinds[#kinds + 1] = d.kind .. "/" .. d.metadata.name
          assert.matches(d.kind .. "/" .. d.metadata.name .. " valid\n", report, 1, true)
        end
        local push = not opts:find("RESULTS=pvc")
        local want = push and
          "ConfigMap/soapload-script Secret/soapload-token Service/soapload-merge " ..
          "Deployment/soapload-mock Service/soapload-mock Job/soapload Job/soapload-merge" or
          "ConfigMap/soapload-script PersistentVolumeClaim/soapload-results " ..
          "Deployment/soapload-mock Service/soapload-mock Job/soapload Job/soapload-merge"
        if opts:find("podmonitor") then want = want .. " PodMonitor/soapload" end
        assert.are.equal(want, table.concat(kinds, " "), where)

        -- what no schema says
        local job = by_kind(docs, "Job", "soapload")
        assert.are.equal("Indexed", job.spec.completionMode, where)
        assert.are.equal(n, job.spec.completions, where)
        assert.are.equal(n, job.spec.parallelism, where)
        assert.are.equal(0, job.spec.backoffLimit, where)
        assert.matches(('--segment "$JOB_COMPLETION_INDEX/%d" '):format(n),
          job.spec.template.spec.containers[1].command[3], 1, true)
        local merge = by_kind(docs, "Job", "soapload-merge").spec.template.spec.containers[1]
        if push then
          assert.matches(("--listen 0.0.0.0:8080 --expect %d "):format(n), merge.command[3], 1,
            true)
        else
          assert.matches(("-ge %d ]"):format(n), merge.command[3], 1, true)
        end
        for _, d in ipairs(docs) do
          local pod = d.spec and d.spec.template and d.spec.template.spec
          if pod then
            local name = d.kind .. "/" .. d.metadata.name
            assert.is_true(pod.securityContext.runAsNonRoot, name)
            assert.are.equal(10001, pod.securityContext.runAsUser, name)
            assert.is_false(pod.automountServiceAccountToken, name)
            for _, c in ipairs(pod.containers) do
              local r, sc = c.resources, c.securityContext
              for _, k in ipairs({ "cpu", "memory" }) do
                assert.is_not_nil(r.requests[k], name .. " requests " .. k)
                assert.is_not_nil(r.limits[k], name .. " limits " .. k)
              end
              assert.is_false(sc.allowPrivilegeEscalation, name)
              assert.is_false(sc.privileged, name)
              assert.is_true(sc.readOnlyRootFilesystem, name)
              assert.are.same({ "ALL" }, sc.capabilities.drop, name)
              assert.is_nil(sc.capabilities.add, name)
              assert.is_nil(sc.runAsUser, name) -- the pod's 10001
            end
            for _, v in ipairs(pod.volumes or {}) do
              assert.is_nil(v.hostPath, name)
              if push then assert.is_nil(v.persistentVolumeClaim, name .. " " .. v.name) end
            end
          end
        end
        if opts:find("SEGMENT_CPU") then
          local r = job.spec.template.spec.containers[1].resources
          assert.are.same({ cpu = "1500m", memory = "2Gi" }, r.requests)
          assert.are.same(r.requests, r.limits)
          assert.are.equal("load", job.metadata.namespace)
        end
      end
    end
  end)

  -- what a user gives goes into the YAML: none of it may end a line or a string and add fields
  it("keeps any script's text exactly and refuses values that would break the YAML", function()
    local dir = t.tmpname(".scripts")
    os.execute("mkdir -p " .. t.quote(dir))
    finally(function() os.execute("rm -rf " .. t.quote(dir)) end)
    -- a first line that starts with spaces, a key, a document marker; a name with a quote, a
    -- colon and a newline
    local indented = '  soapload = {rate = 10} -- "q" and \'s\nkind: Secret\n---\n# end\n'
    local name = t.write(dir .. '/we"ird: name\n---.lua', indented)
    local docs = assert(render(2, start, name))
    assert.are.equal(indented, by_kind(docs, "ConfigMap", "soapload-script").data["script.lua"])
    assert.are.equal(7, #docs)
    -- a lone CR (a line break to YAML) and UTF-8: byte for byte, as binaryData
    local raw = "soapload = {rate = 10}\rkind: Secret\n-- caf\xc3\xa9\n"
    docs = assert(render(2, start, t.write(dir .. "/cr.lua", raw)))
    local cm = by_kind(docs, "ConfigMap", "soapload-script")
    assert.is_nil(cm.data)
    local p = io.popen("base64 -d < " .. t.quote(t.write(dir .. "/b64", cm.binaryData["script.lua"])))
    assert.are.equal(raw, p:read("a"))
    p:close()
    for _, c in ipairs({
      { "NAMESPACE=" .. t.quote("x\nkind: Secret"), "NAMESPACE must be a DNS label" },
      { "TARGET_URL=" .. t.quote('http://h/x"\n  evil: 1'), "TARGET_URL has a character" },
      { "TARGET_URL=ftp://h/x", "TARGET_URL must be an http:// or https:// URL" },
      { "RESULTS=pvc STORAGE_CLASS=" .. t.quote("a\nb: c"), "bad STORAGE_CLASS" },
      { "RESULTS=pvc RESULTS_SIZE=" .. t.quote("1Gi\n  x: y"), "bad quantity" },
    }) do
      local bad, problem = render(2, start, name, nil, c[1])
      assert.is_nil(bad, c[1])
      assert.matches(c[2], problem, 1, true)
    end
    local bad, problem = render(2, t.quote("2026-11-27T15:30:00$(id)Z"), name)
    assert.is_nil(bad)
    assert.matches("START must be RFC 3339", problem, 1, true)
  end)

  it("refuses a bad N, start, script or option", function()
    for _, args in ipairs({ { 0, start, script }, { "x", start, script }, { 2, "soon", script },
      { 2, start, "/nonexistent.lua" }, { 2, start, script, "RESULTS=nfs" },
      { 2, start, script, "MONITOR=yes" }, { 2, start, script, "SEGMENT_CPU='1 2'" } }) do
      local docs, problem = render(args[1], args[2], args[3], nil, args[4])
      assert.is_nil(docs)
      assert.matches("render.sh: ", problem)
    end
  end)

  -- The Job on one machine: N network namespaces, each with an address of its own on a bridge
  -- in the mock's namespace, run the pod's command from the manifest with JOB_COMPLETION_INDEX
  -- set (the volumes' mount points mapped to local folders) and post their results to the merge
  -- Job's command, run in the mock's namespace (no shared folder: the default RESULTS=push);
  -- tcpdump on the mock's bridge records which addresses connected.
  it("runs the Jobs' pod commands in 3 network namespaces against the mock, the results " ..
    "posted to the merge: merged = one run", function()
      local N, tag = 3, "sl" .. (tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
      local mockns = tag .. "m"
      if not os.execute("ip netns add " .. mockns .. " 2>/dev/null") then
        pending("ip netns add is not permitted here (needs CAP_SYS_ADMIN): simulation skipped")
        return
      end
      local dir = t.tmpname(".k8s")
      local nss, pids = { mockns }, {}
      local function sh(cmd)
        local ok = os.execute(cmd)
        assert(ok, "failed: " .. cmd)
      end
      finally(function()
        for _, pid in ipairs(pids) do os.execute("kill " .. pid .. " 2>/dev/null") end
        for _, ns in ipairs(nss) do os.execute("ip netns del " .. ns .. " 2>/dev/null") end
        os.execute("rm -rf " .. t.quote(dir))
      end)
      sh(("mkdir -p %s/script %s/results %s/single"):format(dir, dir, dir))
      sh(("cp %s %s/script/script.lua"):format(t.quote(script), dir))
      sh(("ip -n %s link set lo up && ip -n %s link add br0 type bridge && " ..
        "ip -n %s addr add 10.201.0.1/24 dev br0 && ip -n %s link set br0 up")
        :format(mockns, mockns, mockns, mockns))
      for i = 0, N do -- N segments, and one namespace more for the single run
        local ns = tag .. "s" .. i
        nss[#nss + 1] = ns
        sh(("ip netns add %s && ip link add %sa%d type veth peer name %sb%d && " ..
          "ip link set %sa%d netns %s && ip link set %sb%d netns %s && " ..
          "ip -n %s link set %sb%d master br0 up && ip -n %s addr add 10.201.0.%d/24 dev %sa%d && " ..
          "ip -n %s link set %sa%d up && ip -n %s link set lo up")
          :format(ns, tag, i, tag, i, tag, i, ns, tag, i, mockns, mockns, tag, i, ns, 10 + i, tag,
            i, ns, tag, i, ns))
      end
      -- the mock in its namespace, and tcpdump on its bridge: the SYNs that reached it
      local idlog = dir .. "/ids.txt"
      local mock = t.start_mock("--host 0.0.0.0 --id-log " .. idlog, "ip netns exec " .. mockns)
      pids[#pids + 1] = mock.pid
      local function stats()
        local p = io.popen(("ip netns exec %s curl -s http://127.0.0.1:%d/stats"):format(mockns,
          mock.port))
        local s = t.json.decode(p:read("a"))
        p:close()
        return s
      end
      local pcap, dumplog = dir .. "/syn.pcap", dir .. "/tcpdump.log"
      local p = io.popen(("ip netns exec %s tcpdump -i br0 -n -U -w %s 'tcp[tcpflags] & " ..
        "(tcp-syn|tcp-ack) == tcp-syn and dst port %d' > %s 2>&1 & echo $!")
        :format(mockns, pcap, mock.port, dumplog))
      local dump = tonumber(p:read("l"))
      p:close()
      pids[#pids + 1] = dump
      for _ = 1, 250 do
        if (t.read(dumplog) or ""):match("listening on") then break end
        t.sleep(0.02)
      end
      assert.matches("listening on br0", t.read(dumplog))

      -- the merge Job's pod in the mock's namespace, the token from the rendered Secret: its
      -- command from the manifest, run as is by /bin/sh (mount points mapped to local folders)
      local url = ("http://10.201.0.1:%d/soap/endpoint"):format(mock.port)
      local at = ("%.3f"):format(t.now() + 3)
      local docs = assert(render(N, at, script))
      local bindir = t.bin:match("^(.*)/[^/]+$")
      local function mapped(command)
        return (command:gsub("/results/", dir .. "/results/"):gsub("/script/", dir .. "/script/")
          :gsub("/token/", dir .. "/token/"))
      end
      sh(("mkdir -p %s/token"):format(dir))
      t.write(dir .. "/token/token", by_kind(docs, "Secret", "soapload-token").stringData.token)
      local merge_cmd = mapped(by_kind(docs, "Job", "soapload-merge").spec.template.spec
        .containers[1].command[3])
      local mout, merr = dir .. "/merge.out", dir .. "/merge.err"
      p = io.popen(("ip netns exec %s env PATH=%s:$PATH /bin/sh -c %s > %s 2> %s & echo $!")
        :format(mockns, t.quote(bindir), t.quote(merge_cmd), mout, merr))
      local merge_pid = tonumber(p:read("l")) -- the shell execs soapload: the merge itself
      p:close()
      pids[#pids + 1] = merge_pid
      local until_ = t.now() + 10
      while not (t.read(merr) or ""):match("listening on") do
        assert(t.now() < until_, "the merge did not start: " .. (t.read(merr) or ""))
        t.sleep(0.02)
      end
      assert.matches("listening on http://0%.0%.0%.0:8080/results for 3 results %(segments " ..
        "0/3 to 2/3%), token required", t.read(merr))

      -- the Job's pods: the manifest's command, run as is by /bin/sh, but for the last scrape's
      -- wait after the run (--metrics-linger, 30 s for a Prometheus: 1 s here)
      local command = mapped(by_kind(docs, "Job", "soapload").spec.template.spec.containers[1]
        .command[3]):gsub("%-%-metrics%-linger 30s", "--metrics-linger 1s")
      local runs = {}
      for i = 0, N - 1 do
        local out = ("%s/pod-%d.out"):format(dir, i)
        runs[i + 1] = out
        sh(("ip netns exec %s env PATH=%s:$PATH JOB_COMPLETION_INDEX=%d TARGET_URL=%s " ..
          "RESULTS_URL=http://10.201.0.1:8080/results /bin/sh -c %s > %s 2>&1; echo $? >> %s.rc) &")
          :format(tag .. "s" .. i, t.quote(bindir), i, url, t.quote(command), out, out)
          :gsub("^ip", "(ip"))
      end
      local files = {}
      for i = 0, N - 1 do
        local rc = runs[i + 1] .. ".rc"
        until_ = t.now() + 30
        while not (t.read(rc) or ""):match("%d") do
          assert(t.now() < until_, "pod " .. i .. " did not finish")
          t.sleep(0.05)
        end
        assert.are.equal("0", t.read(rc):match("%d+"), t.read(runs[i + 1]))
        assert.matches("soapload: results delivered to http://10.201.0.1:8080/results\n",
          t.read(runs[i + 1]), 1, true)
        files[i + 1] = ("%s/results/seg-%d.json"):format(dir, i)
      end
      local seen = stats()

      -- each segment's result reached the merge from its own address; the merged result, as
      -- the merge serves it, equals soapload merge of the segments' local files
      until_ = t.now() + 10
      while not (t.read(merr) or ""):match("serving") do
        assert(t.now() < until_, "the merge did not merge: " .. (t.read(merr) or ""))
        t.sleep(0.05)
      end
      for i = 0, N - 1 do
        assert.matches(("segment %d/3 received from 10%%.201%%.0%%.%d:"):format(i, 10 + i),
          t.read(merr))
      end
      local q0 = io.popen(("ip netns exec %s curl -s http://127.0.0.1:8080/merged.json")
        :format(mockns))
      local m = t.json.decode(q0:read("a"))
      q0:close()
      os.execute("kill -TERM " .. merge_pid) -- the end of --serve-for 1h
      until_ = t.now() + 10
      while t.alive(merge_pid) and t.now() < until_ do t.sleep(0.05) end
      assert.is_false(t.alive(merge_pid))
      assert.matches("Segments        all 3 of the split schedule", t.read(mout))
      local direct = dir .. "/direct.json"
      local code, _, err = t.run(("merge %s --json %s"):format(table.concat(files, " "), direct))
      assert.are.equal(0, code, err)
      local d = t.decode(direct)
      for _, r in ipairs({ m, d }) do
        for _, s in ipairs(r.segments) do s.source = nil end
      end
      assert.are.same(d, m)

      -- the source addresses that connected to the mock: one per segment, each its own
      os.execute("sleep 0.2; kill -INT " .. dump)
      until_ = t.now() + 5
      while t.alive(dump) and t.now() < until_ do t.sleep(0.05) end
      local sources = {}
      local q = io.popen("tcpdump -n -r " .. pcap .. " 2>/dev/null")
      for line in q:lines() do
        local src = line:match(" IP (10%.201%.0%.%d+)%.%d+ > 10%.201%.0%.1%.")
        if src then sources[src] = (sources[src] or 0) + 1 end
      end
      q:close()
      local want = {}
      for i = 0, N - 1 do
        local r = t.decode(files[i + 1])
        local addr = "10.201.0." .. (10 + i)
        want[addr] = true
        -- its connections and its clock probe's, all from its own address
        assert.is_true((sources[addr] or 0) >= r.settings.connections + 1, addr)
        assert.are.equal(("%d/%d"):format(i, N), r.settings.segment)
      end
      local got = {}
      for addr in pairs(sources) do got[addr] = true end
      assert.are.same(want, got)

      -- the mock: every ID once, as many as the merged result sent
      assert.are.equal(0, seen.ids.duplicates)
      assert.are.equal(m.summary.sent, seen.ids.distinct)
      assert.are.equal(m.summary.sent, seen.requests.echo)

      -- one process in a namespace of its own, same script: the same counts, second by second
      sh(("ip netns exec %s curl -s -X POST http://127.0.0.1:%d/stats/reset > /dev/null")
        :format(mockns, mock.port))
      local single = dir .. "/single/one.json"
      sh(("ip netns exec %s %s -q --progress never -u %s --json %s %s/script/script.lua > " ..
        "/dev/null 2>&1"):format(tag .. "s" .. N, t.quote(t.bin), url, single, dir))
      local one = t.decode(single)
      for _, key in ipairs({ "scheduled", "sent", "ok", "not_sent" }) do
        assert.are.equal(one.summary[key], m.summary[key], key)
      end
      assert.are.equal(600, m.summary.sent)
      assert.are.equal(#one.intervals, #m.intervals)
      for i, s in ipairs(one.intervals) do
        assert.are.equal(s.counts.scheduled, m.intervals[i].counts.scheduled, "second " .. i)
        assert.are.equal(s.counts.sent, m.intervals[i].counts.sent, "second " .. i)
      end
      assert.are.equal(one.summary.sent, stats().ids.distinct)
    end)
end)
