-- valgrind memcheck on a short run of each binary: no invalid reads or writes, no leaks
-- definitely lost. Skipped in the sanitizer build (ASan and valgrind do not mix).
local t = require("support")

local VALGRIND = "valgrind --quiet --error-exitcode=99 --leak-check=full " ..
  "--errors-for-leak-kinds=definite --show-leak-kinds=definite"

describe("valgrind memcheck", function()
  if os.getenv("SOAPLOAD_SANITIZED") == "1" then
    it("runs on the plain build only", function() pending("skipped: this is the sanitizer build") end)
    return
  end
  if not os.execute("command -v valgrind >/dev/null 2>&1") then
    it("needs valgrind", function() pending("skipped: valgrind is not installed") end)
    return
  end

  it("finds nothing wrong in soapload (parent and workers) on a short run", function()
    local mock = t.start_mock("")
    local log = t.tmpname(".vg")
    local p = io.popen(("%s --trace-children=yes --log-file=%s.%%p %s -q -w 2 -R 50 -d 1s " ..
      "--json /dev/null -u %s %s/scripts/examples/custom_check.lua; echo exit=$?"):format(
      VALGRIND, log, t.quote(t.bin), mock.url, t.root))
    local out = p:read("a")
    p:close()
    mock.stop()
    -- valgrind's own notes ("--pid--", e.g. about epoll_pwait2, which soapload then does
    -- without) are not findings; its reports are the "==pid==" lines
    local reports = io.popen("cat " .. log .. ".* 2>/dev/null | grep '^==' || true"):read("a")
    os.execute("rm -f " .. log .. ".*")
    assert.truthy(out:find("exit=0", 1, true), out .. reports)
    assert.are.equal("", reports)
  end)

  it("finds nothing wrong in soapload-mock serving and stopping", function()
    local log = t.tmpname(".vg")
    local mock = t.start_mock("--threads 2 --delay uniform:0ms,5ms --fault-rate 0.1",
      VALGRIND .. " --log-file=" .. log)
    local code, out = t.run(("-q -R 100 -d 1s -u %s %s/scripts/examples/default.lua"):format(
      mock.url, t.root))
    assert.truthy(code == 0 or code == 1, out) -- injected faults fail some requests
    t.http(mock.port, "GET", "/soap/endpoint?wsdl")
    t.soap11(mock.port, "<broken")
    local stopped = mock.stop("TERM")
    assert.truthy(stopped:find("stopped by SIGTERM", 1, true), stopped)
    local report = io.popen("grep '^==' " .. log .. " || true"):read("a")
    os.remove(log)
    assert.are.equal("", report)
  end)
end)
