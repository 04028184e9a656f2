-- The CI examples in docs/ci: both run the same gate command (read from the YAML with a real
-- YAML parser), and that command, run here as the example runs it (in a checkout-like
-- directory whose build/ holds the binaries), starts the mock, passes or fails the gate with
-- soapload's exit code, and leaves every report the examples keep as artifacts: JSON, HTML
-- and JUnit (valid against tests/junit/junit.xsd), with the mock's counts beside them.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local function yaml(path)
  local rc, out = t.sh("python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' " ..
    t.quote(path))
  assert.are.equal(0, rc, out)
  return t.json.decode(out)
end

local function abs(path)
  if path:sub(1, 1) == "/" then return path end
  local p = io.popen("pwd")
  local cwd = p:read("l")
  p:close()
  return cwd .. "/" .. path
end

-- A directory laid out as the examples' checkout after their build step; removed at the end.
local function checkout()
  local dir = t.tmpname(".ci")
  assert(os.execute(("mkdir -p %s/build && ln -s %s %s/docs && ln -s %s %s/scripts && " ..
    "ln -s %s %s/build/soapload && ln -s %s %s/build/soapload-mock"):format(t.quote(dir),
    t.quote(abs(t.root) .. "/docs"), t.quote(dir), t.quote(abs(t.root) .. "/scripts"), t.quote(dir),
    t.quote(abs(t.bin)), t.quote(dir), t.quote(abs(t.mock_bin)), t.quote(dir))))
  return dir
end

describe("the CI examples in docs/ci", function()
  local gitlab = yaml(t.root .. "/docs/ci/gitlab-ci.yml")["load-gate"]
  local github = yaml(t.root .. "/docs/ci/github-workflow.yml").jobs["load-gate"]
  local gate = gitlab.script[#gitlab.script]

  it("run the same gate and keep the same reports", function()
    local run
    for _, step in ipairs(github.steps) do
      if step.name == "Load-test gate" then run = step.run end
    end
    assert.are.equal("OUT=results docs/ci/gate.sh", gate)
    assert.are.equal(gate, run)
    assert.are.same({ "results/" }, gitlab.artifacts.paths)
    assert.are.equal("always", gitlab.artifacts.when)
    assert.are.equal("results/junit.xml", gitlab.artifacts.reports.junit)
    local upload = github.steps[#github.steps]
    assert.are.equal("always()", upload["if"])
    assert.are.equal("results/", upload.with.path)
  end)

  it("pass against the mock: exit 0, every report kept, the JUnit valid, the counts the mock's",
    function()
      local dir = checkout()
      finally(function() os.execute("rm -rf " .. t.quote(dir)) end)
      local rc, out = t.sh(("cd %s && RATE=100 DURATION=2s %s"):format(t.quote(dir), gate))
      assert.are.equal(0, rc, out)
      assert.truthy(out:find("Result          PASS: every threshold held", 1, true), out)
      local results = dir .. "/results/"
      for _, f in ipairs({ "result.json", "report.html", "junit.xml", "summary.txt", "mock-stats.json" }) do
        assert.truthy(t.read(results .. f), "no " .. f)
      end
      local r = t.json.decode(t.read(results .. "result.json"))
      local served = t.json.decode(t.read(results .. "mock-stats.json")).requests
      assert.are.equal(200, r.summary.sent)
      assert.are.equal(r.summary.sent, served.total)
      assert.is_true(r.verdict.passed)
      local code, lint = t.sh(("xmllint --noout --schema %s %s"):format(
        t.quote(t.root .. "/tests/junit/junit.xsd"), t.quote(results .. "junit.xml")))
      assert.are.equal(0, code, lint)
      assert.truthy(t.read(results .. "junit.xml"):find('failures="0"', 1, true))
      -- the mock is gone with the gate: its port answers no more
      local port = r.settings.url:match(":(%d+)/")
      local ok = pcall(t.connect, tonumber(port))
      assert.is_false(ok)
    end)

  it("fail with exit 3 when a threshold fails, and still keep the reports", function()
    local dir = checkout()
    finally(function() os.execute("rm -rf " .. t.quote(dir)) end)
    local rc, out = t.sh(("cd %s && RATE=20 DURATION=1s MOCK_ARGS='--delay 300ms' %s"):format(
      t.quote(dir), gate))
    assert.are.equal(3, rc, out)
    local xml = t.read(dir .. "/results/junit.xml")
    assert.truthy(xml:find('<failure message="p99 &lt; 250ms: measured ', 1, true), xml)
    assert.truthy(t.read(dir .. "/results/report.html"))
    assert.are.equal(20, t.json.decode(t.read(dir .. "/results/mock-stats.json")).requests.total)
  end)

  it("with BASELINE, gate on the change too: a significantly slower run fails (exit 3)", function()
    local dir = checkout()
    finally(function() os.execute("rm -rf " .. t.quote(dir)) end)
    local rc, out = t.sh(("cd %s && RATE=100 DURATION=1s OUT=base docs/ci/gate.sh"):format(t.quote(dir)))
    assert.are.equal(0, rc, out)
    rc, out = t.sh(("cd %s && RATE=100 DURATION=1s MOCK_ARGS='--delay 5ms' BASELINE=base/result.json %s")
      :format(t.quote(dir), gate))
    assert.are.equal(3, rc, out)
    local xml = t.read(dir .. "/results/compare-junit.xml")
    assert.truthy(xml, "no compare-junit.xml")
    assert.truthy(xml:find('<failure message="the latency is significantly slower', 1, true), xml)
    assert.truthy(t.read(dir .. "/results/compare.html"))
  end)
end)
