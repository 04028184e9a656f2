-- A custom response check: besides soapload's own checks (status, SOAP Fault, the echoed
-- ID), response() looks at the headers and the body and may mark a response failed.
-- Run: soapload scripts/examples/custom_check.lua
soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.rate = 200
soapload.duration = "5s"

function init(args)
  -- soapload scripts/examples/custom_check.lua strict   -> also demand a Content-Length
  strict = args[1] == "strict"
end

function request(id, seq)
  return soapload.envelope(soapload.echo(id))
end

function response(status, headers, body, id)
  if not headers["content-type"]:find("text/xml", 1, true) then
    return false, "not text/xml: " .. tostring(headers["content-type"])
  end
  if strict and not headers["content-length"] then
    return false, "no Content-Length"
  end
  local echoed = soapload.xml_text(body, "RequestId")
  if echoed ~= id then
    return false, "echoed " .. tostring(echoed)
  end
  return true
end

function done(summary, latency, workers)
  io.write(string.format("custom_check: %d ok of %d sent, p99 %.2f ms\n",
    summary.ok, summary.sent, latency:percentile(99) / 1000))
end
