-- A session service: Login answers a token, PlaceOrder and GetOrder carry it in the SOAP
-- header Token (namespace urn:soapload:session), Logout ends the session. -R is flow starts
-- per second; with --closed -c N, N virtual users run the flow over and over, each keeping
-- its variables (Login runs only while the user holds no token). Against the mock:
--   soapload-mock --sessions &
--   soapload scripts/examples/session.lua
soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.rate = 20
soapload.duration = "5s"

local SESSION = "urn:soapload:session"

-- an operation's element with its RequestId (and more), in the order service's namespace
local function call(op, id, inner)
  return '<o:' .. op .. ' xmlns:o="urn:orders"><o:RequestId>' .. soapload.escape(id) ..
    '</o:RequestId>' .. (inner or "") .. '</o:' .. op .. '>'
end

-- the token as a SOAP header block
local function with_token(body, vars)
  -- (no token in --dry-run, which runs no response(): the header is empty there)
  return soapload.envelope(body, {header =
    '<s:Token xmlns:s="' .. SESSION .. '">' .. soapload.escape(vars.token or "") .. '</s:Token>'})
end

soapload.flows = {
  {name = "order", steps = {
    {name = "Login", soap_action = "urn:soapload:session#Login",
     when = function(vars) return vars.token == nil end,
     request = function(id, seq, vars)
       return soapload.envelope('<s:Login xmlns:s="' .. SESSION .. '"><s:User>demo</s:User>' ..
         '<s:Password>demo</s:Password><s:RequestId>' .. soapload.escape(id) ..
         '</s:RequestId></s:Login>')
     end,
     response = function(status, headers, body, id, fault, vars)
       if fault then return false, "login refused: " .. tostring(fault.reason) end
       local token = soapload.xpath(body, "string(//s:LoginResponse/s:Token)", {s = SESSION})
       if not token or token == "" then return false, "no token in LoginResponse" end
       vars.token = token
       return true
     end},
    {name = "PlaceOrder", soap_action = "urn:orders#PlaceOrder",
     request = function(id, seq, vars)
       return with_token(call("PlaceOrder", id, "<o:Quantity>1</o:Quantity>"), vars)
     end},
    {name = "GetOrder", soap_action = "urn:orders#GetOrder", think = "10ms",
     request = function(id, seq, vars) return with_token(call("GetOrder", id), vars) end},
    {name = "Logout", soap_action = "urn:soapload:session#Logout",
     request = function(id, seq, vars)
       local token = vars.token
       vars.token = nil -- ended, whatever the answer: the next flow logs in again
       return with_token('<s:Logout xmlns:s="' .. SESSION .. '"><s:RequestId>' ..
         soapload.escape(id) .. '</s:RequestId></s:Logout>', {token = token})
     end},
  }},
}
