-- Two scenarios in one run against the order service: a steady background of GetOrder and,
-- from the second second on, a ramp of PlaceOrder and CancelOrder, each with its own shape and
-- mix, results per scenario beside the totals. It runs against the mock as it is:
--
--   soapload-mock --wsdl scripts/examples/orders.wsdl &
--   soapload scripts/examples/scenarios.lua
--
-- The schedule: background 50/s of GetOrder for 4 s (200 requests); rampup from 1 s to 4 s,
-- 0 -> 150/s over 3 s (225 requests) of PlaceOrder and CancelOrder 3 to 1: 169 and 56 (the
-- mix is exact over every 4 requests: 225 = 56 x 4 + 1, the first of a cycle a PlaceOrder).
-- The summary's Tags table has a row per scenario (the tag scenario=NAME), and each scenario
-- has a threshold of its own.
soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.workers = 2
soapload.connections = 8
soapload.thresholds = {
  "p99{scenario=background} < 500ms",
  "p99{scenario=rampup} < 500ms",
  "error_rate{scenario=rampup} < 1%",
}

local NS = "urn:example:orders"
local e = soapload.escape

local function call(op, id, children)
  return soapload.envelope(('<o:%s xmlns:o="%s"><o:RequestId>%s</o:RequestId>%s</o:%s>')
    :format(op, NS, e(id), children, op))
end

soapload.operations = {
  {name = "GetOrder", weight = 1, soap_action = NS .. "#GetOrder",
   request = function(id, seq)
     return call("GetOrder", id, "<o:OrderId>O-" .. seq .. "</o:OrderId>")
   end},
  {name = "PlaceOrder", weight = 1, soap_action = NS .. "#PlaceOrder",
   request = function(id, seq)
     return call("PlaceOrder", id, "<o:CustomerId>C-" .. seq % 20 .. "</o:CustomerId>" ..
       "<o:Sku>SKU-1</o:Sku><o:Quantity>1</o:Quantity>" ..
       "<o:PlacedAt>" .. soapload.datetime() .. "</o:PlacedAt>")
   end},
  {name = "CancelOrder", weight = 1, soap_action = NS .. "#CancelOrder",
   request = function(id, seq)
     return call("CancelOrder", id, "<o:OrderId>O-" .. seq .. "</o:OrderId>" ..
       "<o:Reason>load test</o:Reason>")
   end},
}

soapload.scenarios = {
  background = {rate = 50, duration = "4s", operations = {"GetOrder"}},
  rampup = {start_after = "1s", stages = {{duration = "3s", target = 150}},
            operations = {PlaceOrder = 3, CancelOrder = 1}},
}
