-- Proof of concurrency on the wire: a capture of loopback traffic during the default run
-- (scripts/examples/default.lua as it is: 1000 req/s in bursts of 4 from 4 workers, for 2 s)
-- must show every burst that soapload reported.
-- Needs root for tcpdump; skips with a message where it cannot capture.
local t = require("support")

local function can_capture()
  if io.popen("id -u"):read("l") ~= "0" then return false, "not root: tcpdump cannot capture" end
  for _, tool in ipairs({ "tcpdump", "tshark" }) do
    if not os.execute("command -v " .. tool .. " >/dev/null 2>&1") then
      return false, tool .. " is not installed"
    end
  end
  return true
end

describe("concurrency on the wire", function()
  local ok, why = can_capture()
  if not ok then
    it("is checked with tcpdump and tshark", function() pending("skipped: " .. why) end)
    return
  end

  local mock, dir, run_out, report, wire = nil, nil, nil, nil, {}
  local ids_log, dropped

  setup(function()
    dir = t.tmpname(".wire")
    os.execute("mkdir -p " .. dir)
    ids_log = dir .. "/ids.log"
    mock = t.start_mock("--id-log " .. ids_log)
    local pcap = dir .. "/cap.pcap"
    local p = io.popen(("tcpdump -i lo --immediate-mode -B 65536 -U -w %s 'tcp port %d' 2>%s/tcpdump.err & echo $!")
      :format(pcap, mock.port, dir))
    local tcpdump = p:read("l")
    p:close()
    local deadline = t.now() + 10
    while not (t.read(dir .. "/tcpdump.err") or ""):find("listening on", 1, true) do
      assert(t.now() < deadline, "tcpdump did not start: " .. (t.read(dir .. "/tcpdump.err") or ""))
      t.sleep(0.05)
    end
    local code
    code, run_out = t.run(("-q -d 2s --trace %s/trace.csv --json %s/r.json -u %s %s")
      :format(dir, dir, mock.url, t.root .. "/scripts/examples/default.lua"))
    assert.are.equal(0, code, run_out)
    t.sleep(1) -- the last packets reach the capture file
    os.execute("kill -INT " .. tcpdump)
    while os.execute("kill -0 " .. tcpdump .. " 2>/dev/null") do t.sleep(0.05) end
    -- a packet the kernel dropped before tcpdump saw it is no fault of soapload's
    dropped = tonumber((t.read(dir .. "/tcpdump.err") or ""):match("(%d+) packets? dropped by kernel") or "0")
    report = t.json.decode(t.read(dir .. "/r.json"))
    local fields = io.popen(("tshark -r %s -Y 'http.request.method == \"POST\"' -T fields " ..
      "-e frame.time_epoch -e tcp.srcport -e http.file_data 2>/dev/null"):format(pcap))
    for line in fields:lines() do
      local time, port, body = line:match("^([%d.]+)\t(%d+)\t(.*)$")
      local id = body and body:match("<e:RequestId>([^<]+)</e:RequestId>")
      if id then
        wire[#wire + 1] = { t = tonumber(time), port = tonumber(port), id = id,
                            pid = id:match("^P(%d+)%-") }
      end
    end
    fields:close()
  end)

  teardown(function()
    if mock then mock.stop() end
    if dir then os.execute("rm -rf " .. dir) end
  end)

  it("finds every request of the trace on the wire, once", function()
    if dropped > 0 then pending("the kernel dropped " .. dropped .. " packets of the capture") return end
    local seen = {}
    for _, w in ipairs(wire) do
      assert.is_nil(seen[w.id], "twice on the wire: " .. w.id)
      seen[w.id] = true
    end
    local n = 0
    for line in io.lines(dir .. "/trace.csv") do
      local id = line:match("^(P%d+%-R%d+),")
      if id then
        n = n + 1
        assert.is_true(seen[id] == true, "not on the wire: " .. id)
      end
    end
    assert.are.equal(2000, n)
    assert.are.equal(2000, #wire)
  end)

  it("shows as many source ports as connections soapload used", function()
    local ports, trace_ports, nports, ntrace = {}, {}, 0, 0
    for _, w in ipairs(wire) do
      if not ports[w.port] then ports[w.port] = true; nports = nports + 1 end
    end
    for line in io.lines(dir .. "/trace.csv") do
      local port = line:match("^P%d+%-R%d+,%d+,(%d+),")
      if port and not trace_ports[port] then trace_ports[port] = true; ntrace = ntrace + 1 end
    end
    assert.are.equal(ntrace, nports)
    assert.are.equal(report.concurrency.connections, nports)
    assert.is_true(nports >= 4, "only " .. nports .. " connections")
  end)

  it("holds a 1 ms window with at least 4 POSTs from at least 2 worker pids", function()
    table.sort(wire, function(a, b) return a.t < b.t end)
    local found = false
    local j = 1
    for i = 1, #wire do
      while j < #wire and wire[j + 1].t - wire[i].t <= 0.001 do j = j + 1 end
      if j - i + 1 >= 4 then
        local pids, n = {}, 0
        for k = i, j do if not pids[wire[k].pid] then pids[wire[k].pid] = true; n = n + 1 end end
        if n >= 2 then found = true; break end
      end
    end
    assert.is_true(found)
  end)

  it("finds each burst soapload listed on the wire: 4 POSTs or more from 2 pids or more, " ..
     "on distinct source ports, within 1 ms", function()
    if dropped > 0 then pending("the kernel dropped " .. dropped .. " packets of the capture") return end
    local bursts = report.concurrency.bursts
    assert.is_true(#bursts >= 1, run_out)
    local by_id = {}
    for _, w in ipairs(wire) do by_id[w.id] = w end
    for b, burst in ipairs(bursts) do
      assert.is_true(#burst.requests >= 4, "burst " .. b)
      local pids, ports, npids, first, last = {}, {}, 0, math.huge, 0
      for _, r in ipairs(burst.requests) do
        local w = by_id[r.id]
        assert.truthy(w, ("burst %d: request not on the wire: %s"):format(b, r.id))
        assert.are.equal(r.port, w.port)
        assert.is_nil(ports[w.port], ("burst %d: port %d twice"):format(b, w.port))
        ports[w.port] = true
        assert.is_true(math.abs(w.t - r.sent_us / 1e6) < 0.001,
          ("%s: reported %.6f, on the wire %.6f"):format(r.id, r.sent_us / 1e6, w.t))
        if not pids[w.pid] then pids[w.pid] = true; npids = npids + 1 end
        first, last = math.min(first, w.t), math.max(last, w.t)
      end
      assert.is_true(npids >= 2, "burst " .. b .. " from one pid")
      assert.is_true(last - first <= 0.001,
        ("burst %d spans %.6f s on the wire"):format(b, last - first))
    end
  end)

  it("reconciles: every ID sent reached the mock exactly once", function()
    t.sleep(0.3)
    local code, out = t.run(("--reconcile %s/trace.csv %s"):format(dir, ids_log))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("sent        2000", 1, true), out)
    assert.truthy(out:find("received    2000", 1, true), out)
    assert.truthy(out:find("lost        0", 1, true), out)
    assert.truthy(out:find("duplicated  0", 1, true), out)
    assert.truthy(out:find("unknown     0", 1, true), out)
  end)
end)
