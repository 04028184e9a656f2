-- An order service under a realistic load: three operations in a 70/25/5 mix, a ramp up, a
-- hold and a ramp down, test data from a CSV file, an expected Fault for invalid input,
-- thresholds per operation and results per customer tier. It runs against the mock as it is:
--
--   soapload-mock --wsdl scripts/examples/orders.wsdl --fault-when Quantity=0 &
--   soapload scripts/examples/orders.lua
--
-- The schedule: 0 -> 200/s over 2 s, 200/s for 4 s, 200 -> 0/s over 2 s: 1,200 requests, of
-- which exactly 840 GetOrder, 300 PlaceOrder and 60 CancelOrder (the mix is exact, not drawn).
-- Every 10th PlaceOrder of each worker orders Quantity 0, which the service must refuse with a
-- Client Fault: PlaceOrder's response hook counts that Fault as expected_fault (30 of the 300),
-- and any other Fault, or a Quantity 0 accepted, as a failure.
soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.stages = {{duration = "2s", target = 200}, -- ramp up from 0
                   {duration = "4s", target = 200}, -- hold
                   {duration = "2s", target = 0}}   -- ramp down
soapload.workers = 2
soapload.connections = 16
soapload.thresholds = {
  "p99{op=GetOrder} < 500ms",
  "p99{op=PlaceOrder} < 500ms",
  "error_rate{op=PlaceOrder} < 1%",
  "error_rate{op=CancelOrder} < 1%",
  "p99{tier=gold} < 500ms",
}

local NS = "urn:example:orders"
local e = soapload.escape
local rows            -- data/orders.csv: customer, tier, order, sku, quantity
local placed = 0      -- this worker's PlaceOrders so far
local invalid = {}    -- the IDs of this worker's PlaceOrders with Quantity 0, until answered

function init()
  rows = soapload.csv("data/orders.csv")
end

-- The operation element with the RequestId and the given children, in a SOAP 1.1 envelope.
local function call(op, id, children)
  return soapload.envelope(('<o:%s xmlns:o="%s"><o:RequestId>%s</o:RequestId>%s</o:%s>')
    :format(op, NS, e(id), children, op))
end

-- The request's customer: the CSV rows in turn across the run (rows:cycle takes the run's
-- request number, so the workers together go round the file in order).
local function customer(seq)
  return (rows:cycle(seq))
end

soapload.operations = {
  {name = "GetOrder", weight = 70, soap_action = NS .. "#GetOrder",
   request = function(id, seq)
     local row = customer(seq)
     return call("GetOrder", id, "<o:OrderId>" .. e(row.order) .. "</o:OrderId>"),
       {tags = {tier = row.tier}}
   end},

  {name = "PlaceOrder", weight = 25, soap_action = NS .. "#PlaceOrder",
   request = function(id, seq)
     local row = customer(seq)
     placed = placed + 1
     local quantity = row.quantity
     if placed % 10 == 0 then -- invalid input: the service must refuse it
       quantity = "0"
       invalid[id] = true
     end
     return call("PlaceOrder", id,
       "<o:CustomerId>" .. e(row.customer) .. "</o:CustomerId>" ..
       "<o:Sku>" .. e(row.sku) .. "</o:Sku>" ..
       "<o:Quantity>" .. quantity .. "</o:Quantity>" ..
       "<o:PlacedAt>" .. soapload.datetime() .. "</o:PlacedAt>"),
       {tags = {tier = row.tier}}
   end,
   -- the fifth parameter makes the hook see Faults too
   response = function(status, headers, body, id, fault)
     local bad = invalid[id]
     invalid[id] = nil
     if bad then
       if fault and (fault.code:find("Client", 1, true) or fault.code:find("Sender", 1, true)) then
         return "expected_fault"
       end
       return false, fault and ("Quantity 0 got another Fault: " .. fault.code)
         or "Quantity 0 was accepted"
     end
     if fault then return false, "unexpected Fault " .. fault.code .. ": " .. fault.reason end
     return true
   end},

  {name = "CancelOrder", weight = 5, soap_action = NS .. "#CancelOrder",
   request = function(id, seq)
     local row = customer(seq)
     return call("CancelOrder", id, "<o:OrderId>" .. e(row.order) .. "</o:OrderId>" ..
       "<o:Reason>load test</o:Reason>"), {tags = {tier = row.tier}}
   end},
}
