-- Built-ins scripts read responses with: elements by namespace URI and local name, every
-- match, attributes, SOAP Faults.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

describe("XML built-ins", function()
  local mock = t.shared_mock("--fault-rate 0.5")

  it("find, find_all and attr by namespace, and fault(), in a response check and done()",
    function()
      local script = t.script(([[
        soapload.url = %q
        soapload.rate = 100
        soapload.duration = "1s"
        local ECHO = "urn:soapload:echo"
        function response(status, headers, body, id)
          local f = soapload.fault(body)
          if f then return false, "fault " .. f.code .. ": " .. f.reason end
          local got, why = soapload.xml.find(body, ECHO, "RequestId")
          if got ~= id then return false, "echoed " .. tostring(got) .. " " .. tostring(why) end
          if soapload.xml.find(body, "urn:other", "RequestId") ~= nil then
            return false, "matched the wrong namespace"
          end
          return true
        end
        function done()
          local doc = '<a xmlns="urn:a" xmlns:b="urn:b"><b:i n="1">x</b:i><i>y</i>' ..
                      '<b:i n="2">z</b:i></a>'
          local all = soapload.xml.find_all(doc, "urn:b", "i")
          local any = soapload.xml.find_all(doc, "*", "i")
          io.write("B=", table.concat(all, ","), " ANY=", table.concat(any, ","),
                   " ATTR=", soapload.xml.attr(doc, "urn:b", "i", "n"),
                   " DEFAULT=", soapload.xml.find(doc, "urn:a", "i"), "\n")
          local none, why = soapload.xml.find("<a><b></a>", nil, "b")
          io.write("BAD=", tostring(none), " ", why, "\n")
          local f = soapload.fault('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope">' ..
            '<e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>m:Qty' ..
            '</e:Value></e:Subcode></e:Code><e:Reason><e:Text>Quantity 0</e:Text></e:Reason>' ..
            '</e:Fault></e:Body></e:Envelope>')
          io.write("FAULT=", f.version, " ", f.code, " ", f.subcode, " ", f.reason, "\n")
          io.write("NOFAULT=", tostring(soapload.fault("<x/>")), "\n")
        end
      ]]):format(mock.url))
      local code, out = t.run("-w 1 -c 4 " .. script)
      os.remove(script)
      assert.are.equal(1, code, out) -- the injected faults fail
      local s = mock.stats()
      local ok = out:match("sent%s+%d+ = ok (%d+)")
      assert.are.equal(s.requests.echo, tonumber(ok), out)
      assert.are.equal(100, s.requests.echo + s.requests.fault_injected)
      assert.truthy(out:find(("soap_fault %d"):format(s.requests.fault_injected), 1, true), out)
      assert.truthy(out:find("B=x,z ANY=x,y,z ATTR=1 DEFAULT=y", 1, true), out)
      assert.truthy(out:find("BAD=nil malformed XML at byte %d+: end tag does not match"), out)
      assert.truthy(out:find("FAULT=1.2 e:Sender m:Qty Quantity 0", 1, true), out)
      assert.truthy(out:find("NOFAULT=nil", 1, true), out)
    end)

  it("leaves the built-in tables out of the settings check", function()
    local plain = t.start_mock("")
    finally(function() plain.stop() end)
    local script = t.script(("soapload.url = %q\nsoapload.rate = 10\nsoapload.duration = '200ms'\n")
      :format(plain.url))
    local code, out, err = t.run("-q -w 1 -c 1 " .. script)
    os.remove(script)
    assert.are.equal(0, code, out .. err)
  end)
end)
