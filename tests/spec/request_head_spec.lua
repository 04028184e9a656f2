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
