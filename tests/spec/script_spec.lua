-- What a scenario script can and cannot do: math.random's seeds, what request() may return,
-- the sandbox (text only, no process control), the hook limit inside C functions, the output
-- of io.write from the workers, and the hooks (init, request, response, done) with the errors
-- a script makes in them. Each runs soapload against the real mock.
local t = require("support")

-- init() writes 200 draws of math.random to DIR/w<worker>, request() 1 more per request.
local DRAWS = [[
  soapload.rate = 20
  soapload.duration = 1
  function init(args)
    local f = assert(io.open(args[1] .. "/w" .. soapload.worker, "w"))
    for _ = 1, 200 do f:write(math.random(1, 1000000000), "\n") end
    f:close()
  end
]]

local function draws(dir, worker) return t.lines(dir .. "/w" .. worker) end

describe("math.random in scripts", function()
  local mock = t.shared_mock()

  it("draws a different sequence in each worker, and another one in each run", function()
    local script, dir = t.script(DRAWS), t.tmpdir()
    local code, out, err = t.run(("-q -w 3 -u %s %s %s"):format(mock.url, script, dir))
    assert.are.equal(0, code, (out or "") .. (err or ""))
    local w1, w2, w3 = draws(dir, 1), draws(dir, 2), draws(dir, 3)
    assert.are.equal(200, #w1)
    assert.are.equal(200, #w2)
    assert.are.equal(200, #w3)
    local same12, same13 = 0, 0
    for i = 1, 200 do
      if w1[i] == w2[i] then same12 = same12 + 1 end
      if w1[i] == w3[i] then same13 = same13 + 1 end
    end
    assert.is_true(same12 < 5, same12 .. " of 200 draws equal in workers 1 and 2")
    assert.is_true(same13 < 5, same13 .. " of 200 draws equal in workers 1 and 3")
    -- a second run without a seed draws other numbers
    assert.are.equal(0, (t.run(("-q -w 3 -u %s %s %s"):format(mock.url, script, dir))))
    local again, same = draws(dir, 1), 0
    for i = 1, 200 do
      if again[i] == w1[i] then same = same + 1 end
    end
    assert.is_true(same < 5, same .. " of 200 draws equal in two runs without a seed")
    t.remove_tree(dir)
    os.remove(script)
  end)

  it("repeats every worker's draws in a run with the same --seed, or the seed it printed",
    function()
    local script, dir = t.script(DRAWS), t.tmpdir()
    local run = function(seed)
      local code, out, err = t.run(("-q -w 2 --seed %d -u %s %s %s"):format(seed, mock.url,
        script, dir))
      assert.are.equal(0, code, (out or "") .. (err or ""))
      return draws(dir, 1), draws(dir, 2)
    end
    local a1, a2 = run(42)
    local b1, b2 = run(42)
    assert.are.same(a1, b1)
    assert.are.same(a2, b2)
    assert.are_not.same(a1, a2)
    local c1 = run(43)
    assert.are_not.same(a1, c1)
    -- a run without --seed prints the one it drew; giving it back repeats that run
    local code, out = t.run(("-q -w 2 -u %s %s %s"):format(mock.url, script, dir))
    assert.are.equal(0, code, out)
    local printed = out:match("Seed            (%d+) %(%-%-seed")
    assert.truthy(printed, out)
    local d1, d2 = draws(dir, 1), draws(dir, 2)
    local e1, e2 = run(tonumber(printed))
    assert.are.same(d1, e1)
    assert.are.same(d2, e2)
    t.remove_tree(dir)
    os.remove(script)
  end)
end)

-- A script whose request() returns `options` (Lua source) for even sequence numbers.
local function every_other(options)
  return t.script(([[
    soapload.rate = 20
    soapload.duration = 1
    function request(id, seq)
      local body = soapload.envelope(soapload.echo(id))
      if seq %% 2 == 0 then return body, %s end
      return body
    end
  ]]):format(options))
end

describe("what request() returns", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  -- Runs `options` on every other request of 20; returns the summary once it has checked
  -- that those 10 were script errors (never sent: the mock saw the other 10) and that
  -- no worker died.
  local function refused(options, message)
    mock.reset()
    local script = every_other(options)
    local code, out, err = t.run(("-q -w 1 -u %s %s"):format(mock.url, script))
    assert.are.equal(1, code, (out or "") .. (err or ""))
    assert.truthy(out:find("scheduled     20 = sent 10 + not sent 0 + failed before send 0 + script errors before send 10",
      1, true), out)
    assert.falsy(out:find("DIED", 1, true), out)
    assert.truthy(out:find("First script error (of 10):", 1, true), out)
    assert.truthy(out:find(script .. ":3: " .. message, 1, true), out)
    local stats = mock.stats()
    assert.are.equal(10, stats.requests.total)
    assert.are.equal(10, stats.ids.distinct)
    os.remove(script)
    return out
  end

  it("refuses headers given as a list, for that request only (the worker goes on)", function()
    refused('{ headers = { "X-Tag: 1" } }',
      'request(): headers must map names to values, as {["X-Name"] = "value"}, not list them')
  end)

  it("refuses options of the wrong type or name instead of ignoring them", function()
    refused('"PUT"', "request() must return the body and, optionally, a table of options, not a string")
    refused('{ header = { ["X-Tag"] = "1" } }', 'request(): unknown option "header"')
    refused('{ method = 7 }', "request(): method must be a string, not a number")
    refused('{ id = true }', "request(): id must be a string, or false to skip the check, not true")
  end)

  it("refuses a header name with a line break, a colon or a space: no header injection", function()
    refused('{ headers = { ["X-A\\r\\nX-Injected"] = "1" } }',
      'request(): header name "X-A\\x0D\\x0AX-Injected" refused')
    refused('{ headers = { ["X-A: 1\\nX-B"] = "2" } }', 'request(): header name "X-A: 1\\x0AX-B" refused')
    refused('{ headers = { ["X A"] = "1" } }', 'request(): header name "X A" refused')
    refused('{ headers = { ["X-A"] = "1\\r\\nX-Injected: 2" } }',
      "request(): the value of header X-A holds a line break or a NUL byte")
    refused('{ headers = { ["X-A"] = "1\\0002" } }',
      "request(): the value of header X-A holds a line break or a NUL byte")
  end)

  it("refuses a method over 15 characters instead of cutting it", function()
    refused('{ method = "PROPFINDANDMOREX" }',
      'request(): method "PROPFINDANDMOREX" is 16 characters long; at most 15')
    refused('{ method = "GET\\r\\n" }', 'request(): method "GET\\x0D\\x0A" refused')
  end)

  it("refuses a path with a space or a control byte", function()
    refused('{ path = "/a b" }', 'request(): path "/a b" holds a space or control byte (0x20 at byte 3)')
    refused('{ path = "/a\\r\\nX: 1" }', "request(): path \"/a\\x0D\\x0AX: 1\" holds a space or control byte")
  end)

  it("refuses an ID longer than the response check can compare", function()
    refused('{ id = string.rep("x", 512) }',
      "request(): id is 512 bytes long; the response check compares IDs of at most 511 bytes")
    -- 511 bytes are sent (soapload-mock itself answers IDs over 256 bytes with a Fault)
    local script = t.script([[
      soapload.rate = 10
      soapload.duration = 1
      function request(id, seq)
        local mine = string.rep("y", 500) .. string.format("%011d", seq)
        return soapload.envelope(soapload.echo(mine)), { id = mine }
      end
    ]])
    mock.reset()
    local code, out = t.run(("-q -w 1 -u %s %s"):format(mock.url, script))
    assert.are.equal(1, code, out)
    assert.truthy(out:find("scheduled     10 = sent 10 + not sent 0 + failed before send 0 + script errors before send 0",
      1, true), out)
    assert.are.equal(10, mock.stats().requests.total)
    os.remove(script)
  end)
end)

describe("the sandbox", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  -- A script that does `code` in its main chunk: refused before sending, exit 2.
  local function refused_at_load(code, message)
    local script = t.script("soapload.rate = 10\nsoapload.duration = 1\n" .. code .. "\n")
    local status, out, err = t.run(("-q -w 1 -u %s %s"):format(mock.url, script))
    assert.are.equal(2, status, (out or "") .. (err or ""))
    assert.truthy(err:find(message, 1, true), err)
    assert.are.equal(0, mock.stats().requests.total)
    os.remove(script)
    return err
  end

  it("refuses bytecode made with string.dump, at load time (exit 2)", function()
    refused_at_load("local f = load(string.dump(function() return 1 end))",
      "string.dump is not available to scripts: scripts and the chunks they load are text only")
  end)

  it("refuses bytecode given to load, loadfile, dofile or require, even corrupted", function()
    local dir = t.tmpdir()
    local good = string.dump(load("soapload.rate = 5"))
    local bad = good:sub(1, 12) .. string.rep("\255", 40) .. good:sub(53)
    t.write(dir .. "/good.luac", good)
    t.write(dir .. "/bad.luac", bad)
    t.write(dir .. "/mod.lua", good)
    local path = function(name) return ("%q"):format(dir .. "/" .. name) end
    refused_at_load(("local f = io.open(%s, 'rb'); assert(load(f:read('a')))"):format(path("bad.luac")),
      "attempt to load a binary chunk (mode is 't')")
    refused_at_load(("local f = io.open(%s, 'rb'); assert(load(f:read('a'), 'x', 'b'))")
      :format(path("good.luac")), "attempt to load a binary chunk (mode is 'b')")
    refused_at_load(("assert(loadfile(%s, 'bt'))"):format(path("bad.luac")),
      "attempt to load a binary chunk (mode is 't')")
    refused_at_load(("dofile(%s)"):format(path("good.luac")),
      "attempt to load a binary chunk (mode is 't')")
    refused_at_load(("package.path = %s; require('mod')"):format(path("?.lua")),
      "error loading module 'mod' from file")
    refused_at_load("require('cjson')", "C modules are not available")
    refused_at_load("package.loadlib('/lib/x86_64-linux-gnu/libc.so.6', '*')",
      "package.loadlib is not available to scripts")
    t.remove_tree(dir)
  end)

  it("still loads text: load, require of a Lua module, dofile", function()
    local dir = t.tmpdir()
    t.write(dir .. "/mod.lua", "return { rate = 7 }")
    t.write(dir .. "/more.lua", "return 1")
    local script = t.script(([[
      package.path = %q
      soapload.rate = require("mod").rate + load("return 3")() + dofile(%q)
      soapload.duration = 1
    ]]):format(dir .. "/?.lua", dir .. "/more.lua"))
    local code, out = t.run(("-q -w 1 -u %s %s"):format(mock.url, script))
    assert.are.equal(0, code, out)
    assert.are.equal(11, mock.stats().requests.total)
    t.remove_tree(dir)
    os.remove(script)
  end)

  it("refuses os.exit in the main chunk (exit 2)", function()
    refused_at_load("os.exit(0)", "os.exit is not available to scripts")
  end)

  it("keeps a failed threshold's exit code 3 when done() calls os.exit(0)", function()
    local script = t.script([[
      soapload.rate = 10
      soapload.duration = 1
      soapload.thresholds = { "p99 < 1us" }
      function done(summary) os.exit(0) end
    ]])
    local code, out, err = t.run(("-q -w 1 -u %s %s"):format(mock.url, script))
    assert.are.equal(3, code, (out or "") .. (err or ""))
    assert.truthy(err:find("done(): " .. script .. ":4: os.exit is not available to scripts", 1,
      true), err)
    -- and a passing run whose done() calls os.exit(0) is not OK either: done() failed
    local code2 = t.run(("-q -w 1 -u %s %s"):format(mock.url, t.script([[
      soapload.rate = 10
      soapload.duration = 1
      function done(summary) os.exit(0) end
    ]])))
    assert.are.equal(1, code2)
    os.remove(script)
  end)

  it("starts no process: os.execute and io.popen are script errors for that request", function()
    local dir = t.tmpdir()
    local script = t.script(([[
      soapload.rate = 20
      soapload.duration = 1
      function request(id, seq)
        if seq == 3 then os.execute("touch %s/ran; sleep 30 &") end
        if seq == 5 then io.popen("touch %s/popen") end
        return soapload.envelope(soapload.echo(id))
      end
    ]]):format(dir, dir))
    local code, out = t.run(("-q -w 1 -u %s %s"):format(mock.url, script))
    assert.are.equal(1, code, out)
    assert.truthy(out:find("scheduled     20 = sent 18 + not sent 0 + failed before send 0 + script errors before send 2",
      1, true), out)
    assert.truthy(out:find(script .. ":4: os.execute is not available to scripts: a script " ..
      "cannot start processes", 1, true), out)
    assert.are.equal(18, mock.stats().requests.total)
    assert.is_nil(t.read(dir .. "/ran"))
    assert.is_nil(t.read(dir .. "/popen"))
    t.remove_tree(dir)
    os.remove(script)
  end)
end)

describe("the hook limit", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  -- A string pattern whose backtracking runs for minutes inside string.find, in C, where no
  -- Lua instruction hook runs.
  local PATHOLOGICAL = 'string.find(string.rep("a", 40), string.rep("a*", 12) .. "b")'

  it("stops a hook stuck inside a C function, naming the hook and the limit", function()
    local script = t.script(([[
      soapload.rate = 20
      soapload.duration = 1
      function request(id, seq)
        if seq == 3 then %s end
        return soapload.envelope(soapload.echo(id))
      end
    ]]):format(PATHOLOGICAL))
    local code, out, err, elapsed = t.run(("-w 1 -t 1s --hook-limit 200ms -u %s %s"):format(
      mock.url, script))
    assert.are.equal(4, code, (out or "") .. (err or ""))
    local message = "request() ran past its limit of 200 ms (--hook-limit) inside a C " ..
      "function, where it cannot be stopped"
    assert.truthy(err:find("soapload: " .. message, 1, true), err)
    assert.truthy(out:find(message, 1, true), out)
    assert.truthy(out:find("DIED (exit 70)", 1, true), out)
    -- stopped a second after its limit, not killed at the end of the run's grace
    assert.is_true(elapsed < 6, "took " .. elapsed .. " s")
    assert.are.equal(2, mock.stats().requests.total)
    os.remove(script)
  end)

  it("stops a loop that a pcall in the script would swallow, and the run goes on", function()
    local script = t.script([[
      soapload.rate = 20
      soapload.duration = 1
      function request(id, seq)
        if seq == 3 then while true do pcall(function() while true do end end) end end
        if seq == 5 then
          local co = coroutine.wrap(function() while true do pcall(string.rep, "x", 1) end end)
          co()
        end
        return soapload.envelope(soapload.echo(id))
      end
    ]])
    local code, out, err = t.run(("-q -w 1 --hook-limit 200ms -u %s %s"):format(mock.url, script))
    assert.are.equal(1, code, (out or "") .. (err or ""))
    assert.truthy(out:find("scheduled     20 = sent 18 + not sent 0 + failed before send 0 + script errors before send 2",
      1, true), out)
    assert.truthy(out:find(script .. ":4: request(): hook ran longer than its limit of 200 ms " ..
      "(--hook-limit): stopped", 1, true), out)
    assert.falsy(out:find("DIED", 1, true), out)
    assert.are.equal(18, mock.stats().requests.total)
    os.remove(script)
  end)

  it("keeps its watchdog: debug.sethook is a script error naming it", function()
    local script = t.script([[
      soapload.rate = 20
      soapload.duration = 1
      function request(id, seq)
        if seq == 3 then debug.sethook(); while true do end end
        return soapload.envelope(soapload.echo(id))
      end
    ]])
    local code, out, err = t.run(("-q -w 1 --hook-limit 200ms -u %s %s"):format(mock.url, script))
    assert.are.equal(1, code, (out or "") .. (err or ""))
    assert.truthy(out:find("scheduled     20 = sent 19 + not sent 0 + failed before send 0 + script errors before send 1",
      1, true), out)
    assert.truthy(out:find(script .. ":4: debug.sethook is not available to scripts: it would " ..
      "remove the --hook-limit watchdog", 1, true), out)
    assert.are.equal(19, mock.stats().requests.total)
    os.remove(script)
  end)
end)

describe("a script's output", function()
  local mock = t.shared_mock()

  it("reaches a file when stdout is one: io.write in init() and request() of each worker",
    function()
      local script = t.script([[
        soapload.rate = 10
        soapload.duration = 1
        io.write("main chunk\n")
        function init(args) io.write("init of worker ", soapload.worker, "\n") end
        function request(id, seq)
          if seq <= 3 then io.write("request ", soapload.worker, ":", seq, "\n") end
          return soapload.envelope(soapload.echo(id))
        end
        function done(summary) io.write("done: ", summary.ok, " ok\n") end
      ]])
      local file = t.tmpname(".out")
      local p = io.popen(("%s -q -w 2 -u %s %s > %s; echo $?"):format(t.quote(t.bin), mock.url,
        script, t.quote(file)))
      local code = tonumber(p:read("l"))
      p:close()
      local out = t.read(file)
      assert.are.equal(0, code, out)
      local count = function(text)
        local n = 0
        for _ in out:gmatch(text:gsub("%p", "%%%0")) do n = n + 1 end
        return n
      end
      assert.are.equal(3, count("main chunk\n"), out) -- the parent and each worker run it
      assert.are.equal(1, count("init of worker 1\n"), out)
      assert.are.equal(1, count("init of worker 2\n"), out)
      for w = 1, 2 do
        for seq = 1, 3 do assert.are.equal(1, count(("request %d:%d\n"):format(w, seq)), out) end
      end
      assert.are.equal(1, count("done: 10 ok\n"), out)
      -- the summary follows what the workers wrote
      assert.truthy(out:find("request 2:3\n.*Result", 1), out)
      os.remove(file)
      os.remove(script)
    end)
end)

describe("the hooks", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  it("sends the built-in echo envelope when the script has no request()", function()
    local script = t.script("soapload.rate = 50\nsoapload.duration = '1s'\n")
    local code, out = t.run(("-q -u %s %s"):format(mock.url, script))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("ok 50 +", 1, true), out)
    os.remove(script)
  end)

  it("runs init(args) in each worker, response() on each answer and done() in the parent",
    function()
      local script = t.script([[
        soapload.rate = 100
        soapload.duration = 1
        function init(args) tag = args[1] .. "-" .. soapload.worker end
        function request(id, seq)
          return soapload.envelope(soapload.echo(id)), { headers = { ["X-Tag"] = tag } }
        end
        function response(status, headers, body, id)
          if tonumber(id:match("R(%d+)$")) % 2 == 0 then return false, "even" end
        end
        function done(summary, latency, workers)
          print(("done: sent=%d ok=%d check_failed=%d workers=%d p50>0=%s pid=%s"):format(
            summary.sent, summary.ok, summary.errors.check_failed, #workers,
            tostring(latency:percentile(50) > 0), tostring(workers[1].pid > 0)))
        end
      ]])
      local code, out = t.run(("-q -u %s -w 2 %s hello"):format(mock.url, script))
      assert.are.equal(1, code, out)
      assert.truthy(out:find("done: sent=100 ok=50 check_failed=50 workers=2 p50>0=true pid=true",
        1, true), out)
      os.remove(script)
    end)

  it("counts runtime errors of request() as script errors, shows the first, goes on", function()
    local script = t.script([[
      soapload.rate = 200
      soapload.duration = 1
      function request(id, seq)
        if seq % 10 == 0 then error("no data for " .. id) end
        return soapload.envelope(soapload.echo(id))
      end
    ]])
    local code, out = t.run(("-q -u %s -w 2 %s"):format(mock.url, script))
    assert.are.equal(1, code)
    assert.truthy(out:find("scheduled     200 = sent 180 + not sent 0 + failed before send 0 + script errors before send 20",
      1, true), out)
    assert.truthy(out:find("First script error (of 20):", 1, true), out)
    assert.truthy(out:find(script .. ":4: no data for P%d+%-R10"), out)
    assert.are.equal(180, mock.stats().ids.distinct)
    os.remove(script)
  end)

  it("stops at a syntax error with file:line and exit code 2", function()
    local script = t.script("soapload.rate = 10\nfunction request(id)\n  return 'x' ..\nend\n")
    local code, _, err = t.run(("-u %s %s"):format(mock.url, script))
    assert.are.equal(2, code)
    assert.truthy(err:find(script .. ":4: unexpected symbol near 'end'", 1, true), err)
    assert.are.equal(0, mock.stats().requests.total)
    os.remove(script)
  end)

  it("stops at an error in init() with its traceback", function()
    local script = t.script("soapload.rate = 10\nfunction init() error('no config') end\n")
    local code, _, err = t.run(("-u %s %s"):format(mock.url, script))
    assert.are.equal(2, code)
    assert.truthy(err:find(script .. ":2: no config", 1, true), err)
    assert.are.equal(0, mock.stats().requests.total)
    os.remove(script)
  end)
end)
