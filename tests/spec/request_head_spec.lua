-- The request head on the wire, as a server reads it: libcurl's order (Host, User-Agent,
-- Accept, then soapload's Content-Type and SOAPAction, then Content-Length), each header once;
-- -H and request()'s headers replace soapload's own of the same name; a path that request()
-- gives goes to its request only, the next request goes to the URL's path again. soapload
-- hands libcurl the URL parsed once and its User-Agent in the header list; this checks that
-- the wire did not change with it.
local t = require("support")

-- tests/spec/fixtures/bad_server.lua in mode heads, and heads(): each request head it read, as
-- a list of lines.
local function start_head_server()
  local s = t.start_bad_server("heads")
  s.heads = function()
    local _, _, text = t.http(s.port, "GET", "/heads")
    local list = {}
    for block in ((text or "") .. "\n"):gmatch("(.-)\n\n") do
      local lines = {}
      for l in block:gmatch("[^\n]+") do lines[#lines + 1] = l:gsub("\r$", "") end
      list[#list + 1] = lines
    end
    return list
  end
  return s
end

-- The header names of a head, lower-case, in order, and its values by name.
local function names(head)
  local list, values = {}, {}
  for i = 2, #head do
    local k, v = head[i]:match("^([^:]+):%s*(.-)$")
    list[#list + 1] = k:lower()
    values[k:lower()] = v
  end
  return list, values
end

local DEFAULT = t.root .. "/scripts/examples/default.lua"

describe("the request head", function()
  local finally = t.chained(function(fn) return finally(fn) end)

  it("is libcurl's order with soapload's User-Agent and Accept, each header once", function()
    local s = start_head_server()
    finally(s.stop)
    local code, out = t.run(("-R 10 -d 1s -w 1 -c 1 -u %s %s"):format(s.url, DEFAULT))
    assert.are.equal(0, code, out)
    local heads = s.heads()
    assert.are.equal(10, #heads)
    for _, h in ipairs(heads) do
      assert.are.equal("POST /soap/endpoint HTTP/1.1", h[1])
      local list, v = names(h)
      assert.are.same({ "host", "user-agent", "accept", "content-type", "soapaction",
        "content-length" }, list)
      assert.truthy(v["user-agent"]:match("^soapload/%d+%.%d+%.%d+$"), v["user-agent"])
      assert.are.equal("*/*", v.accept)
      assert.are.equal('"urn:soapload:echo#Echo"', v.soapaction)
    end
  end)

  it("takes -H User-Agent and Accept instead of soapload's, once each", function()
    local s = start_head_server()
    finally(s.stop)
    local code, out = t.run(("-R 10 -d 0.5s -w 1 -c 1 -H 'user-agent: me/1' " ..
      "-H 'Accept: text/xml' -u %s %s"):format(s.url, DEFAULT))
    assert.are.equal(0, code, out)
    local heads = s.heads()
    assert.are.equal(5, #heads)
    for _, h in ipairs(heads) do
      local list, v = names(h)
      local seen = {}
      for _, n in ipairs(list) do seen[n] = (seen[n] or 0) + 1 end
      assert.are.equal(1, seen["user-agent"])
      assert.are.equal(1, seen.accept)
      assert.are.equal("me/1", v["user-agent"])
      assert.are.equal("text/xml", v.accept)
    end
  end)

  it("goes to request()'s path for that request only, with request()'s User-Agent", function()
    local s = start_head_server()
    finally(s.stop)
    local script = t.script([[
soapload.workers = 1
soapload.connections = 1
function request(id, seq)
  local body = soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    soapload.escape(id) .. '</e:RequestId></e:Echo>')
  if seq % 2 == 0 then
    return body, {path = "/other?n=" .. seq, headers = {["User-Agent"] = "hook/" .. seq}}
  end
  return body
end
]])
    finally(function() os.remove(script) end)
    local code, out = t.run(("-R 10 -d 0.6s -u %s %s"):format(s.url, script))
    assert.are.equal(0, code, out)
    local heads = s.heads()
    assert.are.equal(6, #heads)
    for seq, h in ipairs(heads) do
      local list, v = names(h)
      local seen = {}
      for _, n in ipairs(list) do seen[n] = (seen[n] or 0) + 1 end
      assert.are.equal(1, seen["user-agent"])
      if seq % 2 == 0 then
        assert.are.equal("POST /other?n=" .. seq .. " HTTP/1.1", h[1])
        assert.are.equal("hook/" .. seq, v["user-agent"])
      else
        assert.are.equal("POST /soap/endpoint HTTP/1.1", h[1])
        assert.truthy(v["user-agent"]:match("^soapload/"), v["user-agent"])
      end
    end
  end)
end)

describe("the request soapload writes", function()
  local socket = require("socket")

  -- Runs soapload for one request against a listener of this process; returns the request's
  -- header lines.
  local function capture(script_text, flags)
    local server = assert(socket.bind("127.0.0.1", 0))
    local port = select(2, server:getsockname())
    local script = t.script(script_text)
    local run = t.spawn(("-q -w 1 -c 1 -R 1 -d 1s -t 2s %s -u http://127.0.0.1:%d/soap/endpoint %s")
      :format(flags or "", port, script))
    server:settimeout(10)
    local c = assert(server:accept())
    c:settimeout(5)
    local lines = {}
    while true do
      local line = assert(c:receive("*l"))
      if line == "" then break end
      lines[#lines + 1] = line
    end
    c:send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    c:close()
    server:close()
    run.wait(10)
    os.remove(script)
    return lines
  end

  local function named(lines, name)
    local found = {}
    for _, l in ipairs(lines) do
      local k, v = l:match("^([^:]+):%s*(.*)$")
      if k and k:lower() == name:lower() then found[#found + 1] = v end
    end
    return found
  end

  it("sends SOAP 1.1 headers, and a header of the user's replaces soapload's of that name",
    function()
      local lines = capture("soapload.headers = { ['SOAPAction'] = '\"urn:mine\"' }", "-H 'X-Run: 7'")
      assert.are.same({ "text/xml; charset=utf-8" }, named(lines, "Content-Type"))
      assert.are.same({ '"urn:mine"' }, named(lines, "SOAPAction"))
      assert.are.same({ "7" }, named(lines, "X-Run"))
      assert.are.same({}, named(lines, "Expect"))
      assert.truthy(lines[1]:find("^POST /soap/endpoint HTTP/1.1"), lines[1])
    end)

  it("lets request() replace headers, the method and the path for one request", function()
    local lines = capture([[
      function request(id)
        return soapload.envelope(soapload.echo(id)),
          { headers = { ["Content-Type"] = "application/soap+xml" }, method = "PUT",
            path = "/other?x=1" }
      end
    ]])
    assert.are.same({ "application/soap+xml" }, named(lines, "Content-Type"))
    assert.truthy(lines[1]:find("^PUT /other%?x=1 HTTP/1.1"), lines[1])
  end)
end)

-- --dry-run prints the head that goes out: the same function composes it for the dry run and
-- for a worker (engine/head.c), so the lines it prints are the lines the server reads, in
-- the same order, for -H, request()'s headers, an operation's SOAPAction and headers, and
-- the multipart Content-Type of attachments (MTOM) or --wsa's rewritten body.
describe("--dry-run's head", function()
  local finally = t.chained(function(fn) return finally(fn) end)

  -- The header lines (after the request line) of the first request --dry-run prints.
  local function dry_head(args)
    local code, out, err = t.run("--dry-run 1 -R 1 " .. args)
    assert.are.equal(0, code, out .. err)
    local lines, on = {}, false
    for l in (out .. "\n"):gmatch("(.-)\n") do
      if on and l == "" then break end
      if on then lines[#lines + 1] = l end
      on = on or l:match("^POST ") ~= nil
    end
    return lines, out
  end

  -- The header lines of the one request a run of `args` sends to the head server s.
  local function wire_head(s, args)
    local code, out, err = t.run("-R 1 -d 1s -w 1 -c 1 " .. args)
    assert.are.equal(0, code, out .. err)
    local heads = s.heads()
    assert.are.equal(1, #heads, out)
    local lines = {}
    for i = 2, #heads[1] do lines[#lines + 1] = heads[1][i] end
    return lines
  end

  local function same(script_text, flags)
    local s = start_head_server()
    finally(s.stop)
    local script = t.script(script_text)
    finally(function() os.remove(script) end)
    local args = ("%s -u %s %s"):format(flags, s.url, script)
    local dry, out = dry_head(args)
    local wire = wire_head(s, args)
    assert.are.same(wire, dry, out)
    return wire
  end

  local BODY = [[soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    'same-id</e:RequestId></e:Echo>')]]

  it("is the wire's for -H, request()'s headers, an operation's SOAPAction and headers", function()
    local wire = same([[
soapload.operations = {
  { name = "Op", weight = 1, soap_action = "urn:x#Op", headers = { ["X-Op"] = "op" },
    request = function(id, seq)
      return ]] .. BODY .. [[, { id = "same-id", headers = { ["X-Req"] = "req" } }
    end },
}
]], "-H 'X-User: user' -H 'Accept: text/xml'")
    local text = table.concat(wire, "\n")
    assert.truthy(text:find('SOAPAction: "urn:x#Op"', 1, true), text)
    assert.truthy(text:find("X-User: user", 1, true), text)
    assert.truthy(text:find("X-Op: op", 1, true), text)
    assert.truthy(text:find("X-Req: req", 1, true), text)
    assert.truthy(text:find("Accept: text/xml", 1, true), text)
  end)

  it("is the wire's for attachments (MTOM) and for --wsa", function()
    local wire = same([[
function request(id, seq)
  local part = soapload.attach("\0\1\2 binary", "application/octet-stream")
  return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>same-id' ..
    '</e:RequestId>' .. part .. '</e:Echo>'), { id = "same-id" }
end
]], "")
    local text = table.concat(wire, "\n")
    assert.truthy(text:find("Content-Type: multipart/related", 1, true), text)
    same("function request(id, seq) return " .. BODY .. ", { id = 'same-id' } end", "--wsa")
  end)
end)
