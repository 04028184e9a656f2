-- soapload wsdl on published WSDLs (tests/wsdl/corpus, see its README): each generates (the
-- warnings counted), dry-runs, and runs a short load against soapload-mock serving the same
-- WSDL (--wsdl, --id-optional: most operations carry no request ID), every count equal at the
-- mock: requests sent = received, ok = answered, soap_fault = Client faults.
local t = require("support")

local corpus = t.root .. "/tests/wsdl/corpus/"

-- path, root (for --root), operations written, warnings, and the calls the mock cannot answer
-- (a Client fault): an operation whose body is a placeholder without an element. One whose
-- input element is not named after it (SetEQPreset, echoStringParam, UserInfo) is found by
-- that element and answered with its output element.
local wsdls = {
  { "onvif/wsdl/ver10/device/wsdl/devicemgmt.wsdl", "onvif/wsdl", 64, 7, 0 },
  { "onvif/wsdl/ver10/media/wsdl/media.wsdl", "onvif/wsdl", 64, 6, 0 },
  { "onvif/wsdl/ver10/events/wsdl/event.wsdl", "onvif/wsdl", 4, 6, 1 }, -- Unsubscribe: untyped
  { "onvif/wsdl/ver10/recording.wsdl", "onvif/wsdl", 25, 4, 0 },
  { "onvif/wsdl/ver20/ptz/wsdl/ptz.wsdl", "onvif/wsdl", 29, 4, 0 },
  { "onvif/wsdl/ver20/imaging/wsdl/imaging.wsdl", "onvif/wsdl", 11, 4, 0 },
  { "onvif/wsdl/ver20/media/wsdl/media.wsdl", "onvif/wsdl", 59, 5, 0 }, -- SetEQPreset: by element
  { "cxf/CustomerService.wsdl", "cxf", 2, 0, 0 },
  { "axis2/faulthandling/bank.wsdl", "axis2", 1, 0, 0 },
  { "axis2/jaxws-calculator/resources/META-INF/CalculatorService.wsdl", "axis2", 2, 1, 0 },
  { "axis2/mtom/resources/MTOMSample.wsdl", "axis2", 1, 0, 0 }, -- element AttachmentRequest
  { "axis2/quickstartadb/resources/META-INF/StockQuoteService.wsdl", "axis2", 2, 0, 0 },
  { "axis2/wsdl/Axis2SampleDocLit.wsdl", "axis2", 3, 0, 0 }, -- elements echoStringParam ...
  { "node-soap/rpcexample.wsdl", "node-soap", 13, 13, 0 }, -- encoded: one warning each
  { "node-soap/ip2tele.wsdl", "node-soap", 1, 0, 0 }, -- element UserInfo
  { "node-soap/logincms.wsdl", "node-soap", 1, 0, 0 },
  { "node-soap/EVacSyncService_SPClient.wsdl", "node-soap", 2, 2, 0 }, -- encoded
  { "node-soap/multi-service.wsdl", "node-soap", 1, 1, 0 }, -- encoded
  { "node-soap/CyberSourceTransaction_1.26.wsdl", "node-soap", 1, 2, 0 }, -- its xsd is absent
}

describe("soapload wsdl on published WSDLs, against soapload-mock --wsdl", function()
  for _, w in ipairs(wsdls) do
    local path, root, nops, nwarn, faults = corpus .. w[1], corpus .. w[2], w[3], w[4], w[5]
    it(w[1], function()
      local script = t.tmpname(".lua")
      local code, _, err = t.run(("wsdl %s --offline --root %s -o %s"):format(t.quote(path),
        t.quote(root), t.quote(script)))
      assert.are.equal(0, code, err)
      if nwarn > 0 then
        assert.truthy(err:find("soapload wsdl: " .. nwarn .. " warnings?\n"), err)
      else
        assert.is_nil(err:find("warning", 1, true), err)
      end
      assert.truthy(err:find(": " .. nops .. " operations?, SOAP 1%.[12], endpoint "), err)
      local out
      code, out = t.run("--dry-run 1 -u http://127.0.0.1:1/x " .. t.quote(script))
      assert.are.equal(0, code, out)
      local mock = t.start_mock("--wsdl " .. t.quote(path) .. " --id-optional")
      -- each operation once: one worker, the operations in turn, nops requests in 1 s
      code, out = t.run(("-u %s -R %d -d 1s -w 1 -c 2 -q %s"):format(t.quote(mock.url), nops,
        t.quote(script)))
      local s = mock.stats()
      mock.stop()
      os.remove(script)
      assert.are.equal(faults > 0 and 1 or 0, code, out)
      local sent, ok = out:match("sent%s+(%d+) = ok (%d+)")
      assert.are.equal(nops, tonumber(sent), out)
      assert.are.equal(nops - faults, tonumber(ok), out)
      assert.are.equal(nops, s.requests.total)
      assert.are.equal(nops - faults, s.requests.echo)
      assert.are.equal(faults, s.requests.fault_client)
      if faults > 0 then
        assert.truthy(out:find("soap_fault " .. faults), out)
      end
    end)
  end
end)
