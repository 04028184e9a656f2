-- The README's first script: 200 requests/s for 5 s, each checked, two pass/fail criteria.
soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.rate = 200
soapload.duration = "5s"
soapload.thresholds = {"p99 < 100ms", "error_rate < 1%"}

function request(id, seq) -- id: P<pid>-R<seq>, unique in the run; seq counts from 1
  return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    soapload.escape(id) .. '</e:RequestId></e:Echo>')
end

function response(status, headers, body, id) -- after soapload's own checks of status and ID
  return headers["content-type"]:find("text/xml", 1, true) ~= nil, "not text/xml"
end
