-- soapload.xpath(body, expr, namespaces): XPath 1.0 over the answers of a real peer
-- (soapload-mock's echo), in response(); what it returns for node-sets, numbers, strings and
-- booleans, and the reason it gives for a bad expression, malformed XML or a DTD.
local t = require("support")

describe("soapload.xpath", function()
  local mock
  before_each(function() mock = t.start_mock("") end)
  after_each(function() mock.stop() end)

  local head = [[
soapload.rate = 20
soapload.duration = "1s"
local NS = {soap = "http://schemas.xmlsoap.org/soap/envelope/", e = "urn:soapload:echo"}
function request(id)
  return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    soapload.escape(id) .. '</e:RequestId></e:Echo>')
end
]]

  it("reads the echoed ID out of every answer, and a count, a string and a test", function()
    local script = t.script(head .. [[
function response(status, headers, body, id)
  local ids, why = soapload.xpath(body, "/soap:Envelope/soap:Body/e:EchoResponse/e:RequestId", NS)
  if ids == nil then return false, why end
  if #ids ~= 1 or ids[1] ~= id then return false, "echoed " .. tostring(ids[1]) end
  if soapload.xpath(body, "count(//e:RequestId)", NS) ~= 1 then return false, "count" end
  if soapload.xpath(body, "string(//e:RequestId)", NS) ~= id then return false, "string" end
  if soapload.xpath(body, "starts-with(//e:RequestId, 'P')", NS) ~= true then
    return false, "boolean"
  end
  if #soapload.xpath(body, "//e:Nothing", NS) ~= 0 then return false, "empty set" end
  return true
end
]])
    local code, out = t.run(("-u %s -w 1 -c 2 -q %s"):format(t.quote(mock.url), t.quote(script)))
    os.remove(script)
    assert.are.equal(0, code, out)
    assert.are.equal(20, t.count(out, "sent%s+%d+ = ok (%d+)"))
    assert.are.equal(20, mock.stats().requests.echo)
  end)

  it("an answer without the element fails the check with the reason the script gives", function()
    local script = t.script(head .. [[
function response(status, headers, body, id)
  local v = soapload.xpath(body, "//e:EchoResponse/e:Status", NS)
  if #v == 0 then return false, "no Status in the answer" end
  return true
end
]])
    local code, out = t.run(("-u %s -w 1 -c 2 %s"):format(t.quote(mock.url), t.quote(script)))
    os.remove(script)
    assert.are.equal(1, code, out)
    assert.truthy(out:find("check_failed%s+20%s+no Status in the answer"), out)
    assert.are.equal(20, mock.stats().requests.echo)
  end)

  it("says why: a bad expression, an unmapped prefix, malformed XML, a DTD", function()
    local script = t.script([[
local out = {}
local function show(a, b) out[#out + 1] = tostring(a) .. " | " .. tostring(b) end
show(soapload.xpath("<a/>", "//["))
show(soapload.xpath("<a/>", "//x:a"))
show(soapload.xpath("<a><b></a>", "/a"))
show(soapload.xpath('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "/a"))
show(soapload.xpath("<a n='2'><b>x</b><b>y</b></a>", "sum(/a/@n) + count(/a/b)"))
show(soapload.xpath("<a/>", "/a", {p = 1}))
error(table.concat(out, "\n"))
]])
    local code, _, err = t.run("--dry-run 1 -u http://127.0.0.1:1/x " .. t.quote(script))
    os.remove(script)
    assert.are.equal(2, code)
    assert.truthy(err:find("nil | bad XPath expression: Invalid expression", 1, true), err)
    assert.truthy(err:find("nil | bad XPath expression: Undefined namespace prefix", 1, true),
      err)
    assert.truthy(err:find("nil | malformed XML at line 1: ", 1, true), err)
    assert.truthy(err:find("nil | a DTD in the body: refused", 1, true), err)
    assert.truthy(err:find("4.0 | nil", 1, true), err)
    assert.truthy(err:find('nil | namespaces: expected prefix = "URI" strings', 1, true), err)
  end)
end)
