-- soapload-mock --sessions: the session contract (Login answers a token, every other call
-- must carry it in the SOAP header Token of urn:soapload:session, Logout ends it), its fault
-- knobs and its counters, talked to directly.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

local NS = "urn:soapload:session"

local function envelope(soap_ns, body, token)
  local header = token and ('<s:Header><t:Token xmlns:t="%s">%s</t:Token></s:Header>')
    :format(NS, token) or ""
  return ('<s:Envelope xmlns:s="%s">%s<s:Body>%s</s:Body></s:Envelope>'):format(soap_ns, header, body)
end

local function login(mock, id)
  local status, _, body = t.soap11(mock.port, envelope(t.SOAP11,
    ('<Login><User>u</User><Password>p</Password><RequestId>%s</RequestId></Login>'):format(id)))
  return status, body, body and body:match("<s:Token>([^<]*)</s:Token>")
end

local function call(mock, op, id, token)
  return t.soap11(mock.port, envelope(t.SOAP11,
    ('<o:%s xmlns:o="urn:orders"><o:RequestId>%s</o:RequestId></o:%s>'):format(op, id, op), token))
end

describe("soapload-mock --sessions", function()
  it("logs in, takes calls with the token, refuses calls without, ends the session", function()
    local mock = t.start_mock("--threads 2 --sessions")
    finally(function() mock.stop() end)
    local status, body, token = login(mock, "L1")
    assert.are.equal(200, status)
    assert.truthy(token and #token > 0 and #token <= 64, body)
    assert.truthy(body:find("<s:LoginResponse xmlns:s=\"" .. NS .. "\">", 1, true), body)
    assert.truthy(body:find("<s:RequestId>L1</s:RequestId>", 1, true), body)

    status, _, body = call(mock, "PlaceOrder", "C1", token)
    assert.are.equal(200, status, body)
    assert.truthy(body:find("C1", 1, true))
    status, _, body = call(mock, "GetOrder", "C2", token)
    assert.are.equal(200, status, body)
    -- missing and unknown tokens: a Client fault "invalid session", the ID in its detail
    status, _, body = call(mock, "GetOrder", "C3", nil)
    assert.are.equal(500, status)
    assert.truthy(body:find("<faultcode>soap:Client</faultcode><faultstring>invalid session" ..
      "</faultstring>", 1, true), body)
    assert.truthy(body:find("C3", 1, true))
    status = call(mock, "GetOrder", "C4", token:gsub(".$", function(c) return c == "0" and "1" or "0" end))
    assert.are.equal(500, status)
    status = call(mock, "GetOrder", "C5", "nonsense")
    assert.are.equal(500, status)

    status, _, body = t.soap11(mock.port, envelope(t.SOAP11,
      '<Logout><RequestId>O1</RequestId></Logout>', token))
    assert.are.equal(200, status)
    assert.truthy(body:find("<s:LogoutResponse", 1, true), body)
    -- after Logout the token is dead, for calls and for a second Logout
    assert.are.equal(500, (call(mock, "GetOrder", "C6", token)))
    assert.are.equal(500, (t.soap11(mock.port, envelope(t.SOAP11,
      '<Logout><RequestId>O2</RequestId></Logout>', token))))

    local s = mock.stats()
    assert.are.same({ logins = 1, logins_refused = 0, logouts = 1, active = 0, calls = 2,
      refused = 5, by_cookie = 0, calls_by_operation = { PlaceOrder = 1, GetOrder = 1 } },
      s.sessions)
    assert.are.equal(5, s.requests.fault_session)
    assert.are.equal(4, s.requests.echo)
    mock.reset()
    s = mock.stats()
    assert.are.equal(0, s.sessions.logins)
    assert.are.equal(0, s.sessions.refused)
  end)

  it("sets the token as the cookie SLSESSION and takes it from the cookie without the header",
    function()
    local mock = t.start_mock("--threads 1 --sessions")
    finally(function() mock.stop() end)
    local status, headers, body = t.soap11(mock.port, envelope(t.SOAP11,
      '<Login><User>u</User><Password>p</Password><RequestId>L1</RequestId></Login>'))
    assert.are.equal(200, status)
    local token = body:match("<s:Token>([^<]*)</s:Token>")
    assert.are.equal("SLSESSION=" .. token .. "; Path=/", headers["set-cookie"])
    local cookie = { Cookie = "theme=dark; SLSESSION=" .. token .. "; lang=en" }
    status, _, body = t.soap11(mock.port, envelope(t.SOAP11,
      '<o:GetOrder xmlns:o="urn:orders"><o:RequestId>C1</o:RequestId></o:GetOrder>'), cookie)
    assert.are.equal(200, status, body)
    -- a wrong cookie is a missing token; the header, when there is one, wins over the cookie
    status = t.soap11(mock.port, envelope(t.SOAP11,
      '<o:GetOrder xmlns:o="urn:orders"><o:RequestId>C2</o:RequestId></o:GetOrder>'),
      { Cookie = "SLSESSION=0.0000000000000000" })
    assert.are.equal(500, status)
    status = t.soap11(mock.port, envelope(t.SOAP11,
      '<o:GetOrder xmlns:o="urn:orders"><o:RequestId>C3</o:RequestId></o:GetOrder>', "nonsense"),
      cookie)
    assert.are.equal(500, status)
    status = t.soap11(mock.port, envelope(t.SOAP11, '<Logout><RequestId>O1</RequestId></Logout>'),
      cookie)
    assert.are.equal(200, status)
    assert.are.same({ logins = 1, logins_refused = 0, logouts = 1, active = 0, calls = 1,
      refused = 2, by_cookie = 2, calls_by_operation = { GetOrder = 1 } }, mock.stats().sessions)
  end)

  it("answers SOAP 1.2 with a Sender fault (HTTP 400)", function()
    local mock = t.start_mock("--threads 1 --sessions")
    finally(function() mock.stop() end)
    local status, _, body = t.http(mock.port, "POST", "/soap/endpoint",
      { ["Content-Type"] = "application/soap+xml; charset=utf-8" },
      envelope(t.SOAP12, '<o:GetOrder xmlns:o="urn:orders"><o:RequestId>X</o:RequestId></o:GetOrder>'))
    assert.are.equal(400, status)
    assert.truthy(body:find("soap:Sender", 1, true), body)
    assert.truthy(body:find(">invalid session<", 1, true), body)
  end)

  it("expires tokens after --session-ttl and after --session-expire-after calls", function()
    local mock = t.start_mock("--threads 1 --sessions --session-ttl 0.3")
    finally(function() mock.stop() end)
    local _, _, token = login(mock, "L1")
    assert.are.equal(200, (call(mock, "GetOrder", "A", token)))
    assert.are.equal(1, mock.stats().sessions.active)
    t.sleep(0.4)
    assert.are.equal(500, (call(mock, "GetOrder", "B", token)))
    local s = mock.stats().sessions
    assert.are.equal(0, s.active)
    assert.are.equal(1, s.refused)

    local m2 = t.start_mock("--threads 1 --sessions --session-expire-after 2")
    finally(function() m2.stop() end)
    _, _, token = login(m2, "L1")
    assert.are.equal(200, (call(m2, "PlaceOrder", "A", token)))
    assert.are.equal(200, (call(m2, "GetOrder", "B", token)))
    assert.are.equal(500, (call(m2, "GetOrder", "C", token)))
    s = m2.stats().sessions
    assert.are.same({ 1, 2, 1 }, { s.logins, s.calls, s.refused })
  end)

  it("refuses every Nth login with --session-refuse-login N", function()
    local mock = t.start_mock("--threads 2 --sessions --session-refuse-login 3")
    finally(function() mock.stop() end)
    local got = {}
    for i = 1, 9 do
      local status, body = login(mock, "L" .. i)
      got[#got + 1] = status
      if i % 3 == 0 then assert.truthy(body:find(">login refused<", 1, true), body) end
    end
    assert.are.same({ 200, 200, 500, 200, 200, 500, 200, 200, 500 }, got)
    local s = mock.stats().sessions
    assert.are.same({ 6, 3, 6 }, { s.logins, s.logins_refused, s.active })
  end)

  it("refuses the session knobs without --sessions (exit 2)", function()
    local p = io.popen(t.quote(t.mock_bin) .. " --session-ttl 5 2>&1; echo \"exit $?\"")
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("need --sessions", 1, true), out)
    assert.truthy(out:find("exit 2", 1, true), out)
  end)
end)
