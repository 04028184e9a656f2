-- soapload wsdl: scenarios generated from WSDLs that other people wrote (tests/wsdl/fixtures,
-- see its README) and from our own (tests/wsdl/local: rpc/literal, SOAP 1.2, imports), run
-- against a real server implementing each WSDL: node-soap (tests/wsdl/server.js, installed by
-- scripts/install-npm-test-deps.sh), and soapload-mock's own WSDL. The server's counts of
-- handled calls and the arguments it parsed are compared with what soapload reports.
local t = require("support")
local cjson = require("cjson")

local root = t.root
local fixtures = root .. "/tests/wsdl/fixtures/"
local locals = root .. "/tests/wsdl/local/"

local function node_ready()
  local f = io.open(root .. "/tests/wsdl/node_modules/soap/package.json")
  if f then f:close() end
  assert(f, "node-soap is not installed: run scripts/install-npm-test-deps.sh")
end

-- node-soap serving `wsdl` on a free loopback port; stats() is what its handlers saw.
local function start_node(wsdl, id_element)
  node_ready()
  local out = t.tmpname(".node")
  local p = io.popen(("node %s %s %s > %s 2>&1 & echo $!"):format(
    t.quote(root .. "/tests/wsdl/server.js"), t.quote(wsdl), t.quote(id_element or "RequestId"),
    t.quote(out)))
  local pid = tonumber(p:read("l"))
  p:close()
  local port
  local deadline = t.now() + 20
  while t.now() < deadline do
    port = (t.read(out) or ""):match("listening on (%d+)")
    if port then break end
    if not t.alive(pid) then error("node server.js exited: " .. (t.read(out) or "")) end
    t.sleep(0.05)
  end
  assert(port, "node-soap did not start: " .. (t.read(out) or ""))
  local s = { pid = pid, port = tonumber(port) }
  s.url = "http://127.0.0.1:" .. port .. "/soap"
  function s.stats()
    local status, _, body = t.http(s.port, "GET", "/stats")
    assert.are.equal(200, status)
    return cjson.decode(body)
  end
  function s.stop()
    os.execute("kill " .. pid .. " 2>/dev/null")
    local until_ = t.now() + 5
    while t.alive(pid) and t.now() < until_ do t.sleep(0.02) end
    os.remove(out)
  end
  return s
end

-- Generates a scenario; returns its path and its text.
local function generate(source, extra)
  local path = t.tmpname(".lua")
  local code, _, err = t.run(("wsdl %s -o %s %s"):format(t.quote(source), t.quote(path),
    extra or ""))
  assert.are.equal(0, code, err)
  return path, t.read(path)
end

-- Runs a scenario with one worker; its operations all weigh 1, so that request k of the run
-- sends operation (k - 1) % n + 1.
local function run(script, url, n)
  local code, out, err = t.run(("-u %s -R %d -d 1s -w 1 -c 2 -q %s"):format(t.quote(url), n,
    t.quote(script)))
  return code, out, err, t.count(out or "", "sent%s+%d+ = ok (%d+)")
end

-- How many of n requests go to operation i of k, in turn.
local function share(n, k, i)
  return n // k + ((i <= n % k) and 1 or 0)
end

local function op_names(text)
  local names = {}
  for name in text:gmatch('\n    name = "([^"]+)"') do names[#names + 1] = name end
  return names
end

-- Generates from `wsdl`, runs n requests against node-soap serving it, checks that every
-- request was answered and handled, operation by operation. Returns the server's stats.
local function prove(wsdl, n, extra, id_element)
  local server = start_node(wsdl, id_element)
  local ok, result = pcall(function()
    local script, text = generate(wsdl, extra)
    local names = op_names(text)
    assert.is_true(#names >= 1)
    local code, out, err, answered = run(script, server.url, n)
    os.remove(script)
    assert.are.equal(0, code, (out or "") .. (err or ""))
    assert.are.equal(n, answered)
    local stats = server.stats()
    local handled = 0
    for i, name in ipairs(names) do
      assert.are.equal(share(n, #names, i), stats.calls[name] or 0, name)
      handled = handled + (stats.calls[name] or 0)
    end
    assert.are.equal(n, handled)
    return stats
  end)
  server.stop()
  assert(ok, result)
  return result
end

describe("soapload wsdl on WSDLs written by others, against node-soap", function()
  it("Person.wsdl (Debian libsoap-wsdl-perl): nested types, optional and repeated parts", function()
    local stats = prove(fixtures .. "Person.wsdl", 20)
    local args = stats.args.ListPerson["in"]
    assert.are.equal(1, args.PersonID.ID)
    assert.are.equal("string", args.HomeAddress.City)
    assert.are.equal("string", args.WorkAddress.Street)
    assert.are.equal(1, args.Contracts.Contract[1].ContractID)
  end)

  it("helloworld.wsdl (Debian libsoap-wsdl-perl): the ID in the element --id-element names", function()
    local stats = prove(fixtures .. "helloworld.wsdl", 20, "--id-element name", "name")
    assert.are.equal("string", stats.args.sayHello.givenName)
    -- every ID soapload made reached the server, in the element chosen, and came back
    assert.are.equal(20, #stats.ids)
    table.sort(stats.ids, function(a, b)
      return tonumber(a:match("R(%d+)$")) < tonumber(b:match("R(%d+)$"))
    end)
    for i, id in ipairs(stats.ids) do
      assert.truthy(id:match("^P%d+%-R" .. i .. "$"), id)
    end
  end)

  it("qbws.wsdl (npm quickbooks-js): eight operations in turn, each handled", function()
    local stats = prove(fixtures .. "qbws.wsdl", 24)
    assert.are.equal("string", stats.args.authenticate.strUserName)
    assert.are.equal("string", stats.args.sendRequestXML.ticket)
  end)
end)

describe("soapload wsdl on our own WSDLs, against node-soap", function()
  it("document/literal over SOAP 1.2 with imported and included schemas, IDs echoed", function()
    local stats = prove(locals .. "orders.wsdl", 20, "--soap 1.2")
    assert.are.equal(20, #stats.ids)
    local order = stats.args.PlaceOrder
    assert.are.equal("true", tostring(order.Customer.attributes and order.Customer.attributes.vip))
    assert.are.equal("string", order.Customer.Name) -- from the extended base type
    assert.are.equal("Normal", order.Priority)      -- the first enumeration value
    assert.are.equal("string", order.Card.Number)   -- the choice's first branch
    assert.are.equal("string", stats.args.CancelOrder.Reason) -- unqualified local element
  end)

  it("document/literal over SOAP 1.1 picks the SOAP 1.1 port and its SOAPActions", function()
    local _, text = generate(locals .. "orders.wsdl")
    assert.truthy(text:find('soapload.url = "http://127.0.0.1:8000/orders11"', 1, true))
    assert.truthy(text:find('soap_action = "urn:example:orders#PlaceOrder"', 1, true))
    prove(locals .. "orders.wsdl", 10)
  end)

  it("the example order service (scripts/examples/orders.wsdl): its script runs as generated",
    function()
    -- no edit of the generated script: -u points it at node-soap, every call is answered
    local stats = prove(root .. "/scripts/examples/orders.wsdl", 30)
    assert.are.equal(30, #stats.ids)
    assert.are.equal("1", tostring(stats.args.PlaceOrder.Quantity))
  end)

  it("rpc/literal: the operation's wrapper, parts by type, the ID in a part", function()
    local stats = prove(locals .. "calc.wsdl", 10)
    assert.are.equal(10, #stats.ids)
    assert.are.equal("1", tostring(stats.args.Add.operands.a))
    assert.are.equal("HalfUp", stats.args.Divide.rounding)
  end)
end)

describe("soapload wsdl on soapload-mock's own WSDL", function()
  local mock
  before_each(function() mock = t.start_mock("") end)
  after_each(function() mock.stop() end)

  it("fetches ?wsdl over HTTP and the scenario runs with every ID echoed", function()
    local script, text = generate(mock.url .. "?wsdl")
    assert.truthy(text:find('soapload.url = "' .. mock.url .. '"', 1, true))
    assert.truthy(text:find("soapload.operations = {", 1, true))
    assert.is_nil(text:find("), {id = false}", 1, true)) -- the ID is in the body and echoed
    local code, out = t.run(("-R 50 -d 1s -w 1 -c 2 -q %s"):format(t.quote(script)))
    os.remove(script)
    assert.are.equal(0, code, out)
    assert.are.equal(50, t.count(out, "sent%s+%d+ = ok (%d+)"))
    local s = mock.stats()
    assert.are.equal(50, s.requests.echo)
    assert.are.equal(50, s.ids.distinct)
  end)
end)

describe("soapload wsdl on soapload-mock's WSDL with another ID element, over SOAP 1.2", function()
  local mock
  before_each(function() mock = t.start_mock("--id-element OrderRef") end)
  after_each(function() mock.stop() end)

  it("puts the ID in --id-element and every response echoes it", function()
    local script, text = generate(mock.url .. "?wsdl", "--soap 1.2 --id-element OrderRef")
    assert.truthy(text:find('soapload.soap_version = "1.2"', 1, true))
    assert.truthy(text:find('soapload.id_element = "OrderRef"', 1, true))
    assert.truthy(text:find("<e:OrderRef>\" .. e(id) .. \"</e:OrderRef>", 1, true), text)
    local code, out = t.run(("-R 30 -d 1s -w 1 -c 2 -q %s"):format(t.quote(script)))
    os.remove(script)
    assert.are.equal(0, code, out)
    assert.are.equal(30, t.count(out, "sent%s+%d+ = ok (%d+)"))
    local s = mock.stats()
    assert.are.equal(30, s.requests.echo)
    assert.are.equal(30, s.ids.distinct)
  end)
end)

-- A static file server (python's http.server) over `dir` on a free loopback port.
local function start_files(dir)
  local out = t.tmpname(".files")
  local p = io.popen(("python3 -u -m http.server 0 -b 127.0.0.1 -d %s > %s 2>&1 & echo $!"):format(
    t.quote(dir), t.quote(out)))
  local pid = tonumber(p:read("l"))
  p:close()
  local port
  local deadline = t.now() + 10
  while t.now() < deadline and not port do
    port = (t.read(out) or ""):match("port (%d+)")
    if not port then t.sleep(0.05) end
  end
  assert(port, "http.server did not start: " .. (t.read(out) or ""))
  return {
    url = "http://127.0.0.1:" .. port,
    stop = function()
      os.execute("kill " .. pid .. " 2>/dev/null")
      os.remove(out)
    end,
  }
end

describe("soapload wsdl over HTTP", function()
  local dir, files
  before_each(function()
    dir = t.tmpname(".d")
    os.execute(("mkdir -p %s/svc && cp %s*.wsdl %s*.xsd %s/svc/"):format(t.quote(dir),
      t.quote(locals), t.quote(locals), t.quote(dir)))
    files = start_files(dir)
  end)
  after_each(function()
    files.stop()
    os.execute("rm -rf " .. t.quote(dir))
  end)

  it("fetches the imported and included schemas from the WSDL's origin", function()
    local _, remote = generate(files.url .. "/svc/orders.wsdl")
    local _, here = generate(locals .. "orders.wsdl")
    -- the same script but for its schema (the WSDL's own path or URL)
    local function body(text)
      return (text:match("\nsoapload%.url.*"):gsub("\nsoapload%.schema = [^\n]*", ""))
    end
    assert.are.equal(body(here), body(remote))
    assert.truthy(remote:find("<o:CustomerNo>1</o:CustomerNo>", 1, true)) -- from common.xsd
    -- the address it names (127.0.0.1:8000) is not where it came from: said, only then
    local said = "-- the WSDL was fetched from elsewhere than the address it names"
    assert.truthy(remote:find(said, 1, true), remote)
    assert.is_nil(here:find(said, 1, true))
  end)

  it("fetches an import from another origin; one that cannot be had is a warning", function()
    -- a local WSDL whose schema is on the file server: fetched
    local sub = t.tmpname(".d")
    os.execute("mkdir -p " .. t.quote(sub))
    local wsdl = t.read(locals .. "orders.wsdl"):gsub('schemaLocation="orders.xsd"',
      'schemaLocation="' .. files.url .. '/svc/orders.xsd"')
    t.write(sub .. "/o.wsdl", wsdl)
    local _, fetched = generate(sub .. "/o.wsdl")
    local _, here = generate(locals .. "orders.wsdl")
    -- the same script but for its schema (the WSDL's own path or URL)
    local function body(text)
      return (text:match("\nsoapload%.url.*"):gsub("\nsoapload%.schema = [^\n]*", ""))
    end
    assert.are.equal(body(here), body(fetched))
    -- from a closed port: the warning names the import, every operation is written, with a
    -- placeholder where its types would be, exit 0 (1 with --fail-on-warning)
    t.write(dir .. "/svc/other.wsdl", wsdl:gsub(files.url, "http://127.0.0.1:1"))
    for _, fail in ipairs({ false, true }) do
      local path = t.tmpname(".lua")
      local code, out, err = t.run(("wsdl %s -o %s %s"):format(
        t.quote(files.url .. "/svc/other.wsdl"), t.quote(path), fail and "--fail-on-warning" or ""))
      assert.are.equal(fail and 1 or 0, code, err)
      assert.are.equal("", out)
      assert.truthy(err:find("soapload wsdl: warning: " .. files.url .. "/svc/other.wsdl: " ..
        "xsd:import http://127.0.0.1:1/svc/orders.xsd not read: http://127.0.0.1:1/svc/" ..
        "orders.xsd: ", 1, true), err)
      assert.truthy(err:find("soapload wsdl: warning: operation PlaceOrder: part parameters: " ..
        "element o:PlaceOrder is not declared: the sample has a placeholder\n", 1, true), err)
      assert.truthy(err:find("soapload wsdl: 3 warnings" ..
        (fail and " (--fail-on-warning: exit code 1)\n" or "\n"), 1, true), err)
      local text = t.read(path)
      os.remove(path)
      assert.are.same({ "PlaceOrder", "CancelOrder" }, op_names(text))
      assert.truthy(text:find("<!-- part parameters: element o:PlaceOrder is not declared: " ..
        "sample placeholder, write this part -->", 1, true), text)
    end
    os.execute("rm -rf " .. t.quote(sub))
    local code, _, err = t.run("wsdl " .. t.quote(files.url .. "/svc/none.wsdl"))
    assert.are.equal(2, code)
    assert.truthy(err:find(files.url .. "/svc/none.wsdl: HTTP 404", 1, true), err)
  end)
end)

-- fixtures/redirect_server.py: /r/N/MS/NAME redirects N times within its origin, each hop
-- after MS ms, then serves tests/wsdl/local/NAME; /away/NAME redirects to another origin.
describe("soapload wsdl through redirects", function()
  local srv
  setup(function()
    local out = t.tmpname(".redirects")
    local p = io.popen(("/usr/bin/python3 %s/tests/spec/fixtures/redirect_server.py %s > %s " ..
      "2>&1 & echo $!"):format(t.quote(root), t.quote(locals), t.quote(out)))
    local pid = tonumber(p:read("l"))
    p:close()
    local port
    local deadline = t.now() + 10
    while not port and t.now() < deadline do
      port = (t.read(out) or ""):match("listening (%d+)")
      if not port then t.sleep(0.05) end
    end
    assert(port, "redirect_server.py did not start: " .. (t.read(out) or ""))
    srv = { pid = pid, out = out, url = "http://127.0.0.1:" .. port }
  end)
  teardown(function()
    if srv then
      os.execute("kill " .. srv.pid .. " 2>/dev/null")
      os.remove(srv.out)
    end
  end)

  local function body(text)
    return (text:match("\nsoapload%.url.*"):gsub("\nsoapload%.schema = [^\n]*", ""))
  end

  it("follows 5 redirects within the origin, not 6, and none to another origin", function()
    local _, here = generate(locals .. "orders.wsdl")
    local _, there = generate(srv.url .. "/r/5/0/orders.wsdl")
    assert.are.equal(body(here), body(there))
    local code, out, err = t.run("wsdl " .. t.quote(srv.url .. "/r/6/0/orders.wsdl"))
    assert.are.equal(2, code, err)
    assert.are.equal("", out)
    assert.truthy(err:find(srv.url .. "/r/1/0/orders.wsdl: HTTP 302 redirects to " .. srv.url ..
      "/r/0/0/orders.wsdl: not followed (too many redirects)", 1, true), err)
    code, out, err = t.run("wsdl " .. t.quote(srv.url .. "/away/orders.wsdl"))
    assert.are.equal(2, code, err)
    assert.truthy(err:find(srv.url .. "/away/orders.wsdl: HTTP 302 redirects to " ..
      "http://127.0.0.1:1/orders.wsdl: not followed (another origin)", 1, true), err)
  end)

  it("the 10 s timeout is the document's, its redirects included", function()
    -- 4 hops of 2.6 s: each within 10 s, the document not
    local code, out, err, elapsed = t.run("wsdl " .. t.quote(srv.url .. "/r/4/2600/orders.wsdl"))
    assert.are.equal(2, code, (out or "") .. err)
    assert.truthy(err:find(srv.url .. "/r/1/2600/orders.wsdl: ", 1, true), err)
    assert.truthy(elapsed < 11.5, elapsed)
  end)
end)

describe("soapload wsdl: where imports come from", function()
  local dir
  before_each(function()
    dir = t.tmpname(".d")
    os.execute(("mkdir -p %s/schemas %s/wsdl/v1 && cp %s*.xsd %s/schemas/"):format(t.quote(dir),
      t.quote(dir), t.quote(locals), t.quote(dir)))
  end)
  after_each(function() os.execute("rm -rf " .. t.quote(dir)) end)

  -- the same script but for its schema (the WSDL's own path or URL)
  local function body(text)
    return (text:match("\nsoapload%.url.*"):gsub("\nsoapload%.schema = [^\n]*", ""))
  end

  it("resolves ../ from the importing file, inside the root that --root widens", function()
    t.write(dir .. "/wsdl/v1/o.wsdl", t.read(locals .. "orders.wsdl"):gsub(
      'schemaLocation="orders.xsd"', 'schemaLocation="../../schemas/orders.xsd"'))
    local _, here = generate(locals .. "orders.wsdl")
    -- the WSDL's folder is the root by default: the schema is outside it
    local path = t.tmpname(".lua")
    local code, _, err = t.run(("wsdl %s -o %s"):format(t.quote(dir .. "/wsdl/v1/o.wsdl"),
      t.quote(path)))
    assert.are.equal(0, code, err)
    assert.truthy(err:find("xsd:import ../../schemas/orders.xsd not read: " .. dir ..
      "/wsdl/v1/../../schemas/orders.xsd is outside the root folder " .. dir ..
      "/wsdl/v1: not read (--root DIR widens it)", 1, true), err)
    os.remove(path)
    local _, widened = generate(dir .. "/wsdl/v1/o.wsdl", "--root " .. t.quote(dir))
    assert.are.equal(body(here), body(widened))
    -- a root that is not a folder
    code, _, err = t.run(("wsdl %s --root %s"):format(t.quote(dir .. "/wsdl/v1/o.wsdl"),
      t.quote(dir .. "/schemas/orders.xsd")))
    assert.are.equal(2, code)
    assert.truthy(err:find("--root " .. dir .. "/schemas/orders.xsd: not a folder", 1, true), err)
  end)

  it("file:///PATH and file://localhost/PATH are files; file://HOST/... is not", function()
    local _, here = generate(locals .. "orders.wsdl")
    local function importing(loc)
      return t.write(dir .. "/wsdl/v1/o.wsdl", t.read(locals .. "orders.wsdl"):gsub(
        'schemaLocation="orders.xsd"', 'schemaLocation="' .. loc .. '"'))
    end
    for _, loc in ipairs({"file://" .. dir .. "/schemas/orders.xsd",
                          "file://localhost" .. dir .. "/schemas/orders.xsd"}) do
      local _, text = generate(importing(loc), "--root " .. t.quote(dir))
      assert.are.equal(body(here), body(text), loc)
    end
    -- a host is no folder (it was read as one under the working folder)
    local path = t.tmpname(".lua")
    local code, _, err = t.run(("wsdl %s --root %s -o %s"):format(
      t.quote(importing("file://schemas/orders.xsd")), t.quote(dir), t.quote(path)))
    os.remove(path)
    assert.are.equal(0, code, err)
    assert.truthy(err:find("xsd:import file://schemas/orders.xsd not read: " ..
      "file://schemas/orders.xsd: names another host: a local file is file:///PATH", 1, true), err)
  end)

  it("--offline fetches nothing; --catalog maps the URL to a local copy", function()
    t.write(dir .. "/wsdl/v1/o.wsdl", t.read(locals .. "orders.wsdl"):gsub(
      'schemaLocation="orders.xsd"', 'schemaLocation="http://schemas.example.com/o/orders.xsd"'))
    t.write(dir .. "/catalog.xml", [[<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <rewriteURI uriStartString="http://schemas.example.com/o/" rewritePrefix="schemas/"/>
</catalog>]])
    local path = t.tmpname(".lua")
    local code, _, err = t.run(("wsdl %s --offline -o %s"):format(
      t.quote(dir .. "/wsdl/v1/o.wsdl"), t.quote(path)))
    os.remove(path)
    assert.are.equal(0, code, err)
    assert.truthy(err:find("xsd:import http://schemas.example.com/o/orders.xsd not read: " ..
      "http://schemas.example.com/o/orders.xsd: not fetched (--offline", 1, true), err)
    -- the copy and what it includes are read from the catalog's folder
    local _, here = generate(locals .. "orders.wsdl")
    local _, mapped = generate(dir .. "/wsdl/v1/o.wsdl", "--offline --catalog " ..
      t.quote(dir .. "/catalog.xml"))
    assert.are.equal(body(here), body(mapped))
    code, _, err = t.run(("wsdl %s --catalog %s"):format(t.quote(dir .. "/wsdl/v1/o.wsdl"),
      t.quote(dir .. "/wsdl/v1/o.wsdl")))
    assert.are.equal(2, code)
    assert.truthy(err:find("not an OASIS XML catalog with entries", 1, true), err)
    -- a WSDL by URL with --offline
    code, _, err = t.run("wsdl http://127.0.0.1:1/x?wsdl --offline")
    assert.are.equal(2, code)
    assert.truthy(err:find("http://127.0.0.1:1/x?wsdl: a URL, and --offline fetches nothing",
      1, true), err)
  end)

  it("a WSDL without an address: the script says to run it with -u; --port and --url", function()
    local wsdl = t.read(locals .. "orders.wsdl"):gsub("<soap:address[^>]*>", "")
      :gsub("<soap12:address[^>]*>", "")
    t.write(dir .. "/schemas/n.wsdl", wsdl)
    local script, text = generate(dir .. "/schemas/n.wsdl")
    assert.truthy(text:find("^%-%- The WSDL names no address %(soap:address%): run this " ..
      "script with %-u URL"), text)
    assert.is_nil(text:find("\nsoapload.url =", 1, true))
    local code, _, err = t.run("--dry-run 1 " .. t.quote(script))
    assert.are.equal(2, code)
    assert.truthy(err:find("no URL", 1, true), err)
    code = t.run("--dry-run 1 -u http://127.0.0.1:1/x " .. t.quote(script))
    assert.are.equal(0, code)
    os.remove(script)
    -- the SOAP 1.2 port by name, its URL set at generation
    local _
    _, text = generate(dir .. "/schemas/n.wsdl", "--port Orders12 --url http://127.0.0.1:9/o")
    assert.truthy(text:find('soapload.soap_version = "1.2"', 1, true), text)
    assert.truthy(text:find('\nsoapload.url = "http://127.0.0.1:9/o"\n', 1, true), text)
    code, _, err = t.run("wsdl " .. t.quote(dir .. "/schemas/n.wsdl") .. " --port Nope")
    assert.are.equal(2, code)
    assert.truthy(err:find("--port Nope: no SOAP 1.1 or 1.2 port (or binding) of that name", 1,
      true), err)
  end)
end)

describe("soapload wsdl refuses", function()
  local function refused(args, pattern)
    local code, out, err = t.run("wsdl " .. args)
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.truthy(err:find(pattern), err)
  end

  it("a DTD, naming the file", function()
    local f = t.write(t.tmpname(".wsdl"),
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>')
    refused(t.quote(f), f:gsub("%p", "%%%0") .. ": .*DTD")
    os.remove(f)
  end)

  it("a missing file, a WSDL without a SOAP binding, a bad option", function()
    refused("/nonexistent/x.wsdl", "/nonexistent/x.wsdl: cannot open")
    local f = t.write(t.tmpname(".wsdl"),
      '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:x"/>')
    refused(t.quote(f) .. " --soap 1.2", "no SOAP 1.2 binding")
    refused(t.quote(f) .. " --soap 2", "%-%-soap 2: expected 1.1 or 1.2")
    refused(t.quote(f) .. " --frobnicate", "unknown option")
    refused("http://user:secret@127.0.0.1:1/x?wsdl", "with credentials %(user@host%) is refused")
    os.remove(f)
  end)
end)

-- WSDLs written to attack the generator (tests/wsdl/hostile): their values and names hold Lua
-- code that writes a file; the generated script must hold them as data only.
describe("soapload wsdl on hostile WSDLs", function()
  local function hostile(name, file)
    local text = t.read(root .. "/tests/wsdl/hostile/" .. name):gsub("@FILE@", file)
    return t.write(t.tmpname(".wsdl"), text)
  end

  -- Generates from wsdl, dry-runs the script; returns the dry run's output.
  local function generate_and_dry_run(wsdl)
    local script = generate(wsdl)
    local code, out, err = t.run("--dry-run 1 " .. t.quote(script))
    os.remove(script)
    assert.are.equal(0, code, (out or "") .. (err or ""))
    return out
  end

  it("a sample value holding every long-bracket closer stays a string at --dry-run", function()
    local file = t.tmpname(".pwned")
    local wsdl = hostile("bracket.wsdl", file)
    local out = generate_and_dry_run(wsdl)
    os.remove(wsdl)
    assert.is_nil(t.read(file), "the WSDL's code ran")
    -- the values reach the body byte for byte (XML-escaped)
    local closers = "]]]=]]==]]===]]====]]=====]]======]]=======]]========]]=========]]==========]"
    assert.truthy(out:find("<Fixed>" .. closers .. " .. (function() local f = io.open('" .. file
      .. "', 'w') f:write('fixed')", 1, true), out)
    assert.truthy(out:find("<Enum>&quot;..(function()", 1, true), out)
    assert.truthy(out:find("f:close() return '' end)()..&quot;\\</Enum>", 1, true), out)
    assert.truthy(out:find(' kind="' .. closers .. "..(function()", 1, true), out)
  end)

  it("a newline in a service, port or binding name does not end the header's comment", function()
    local file = t.tmpname(".pwned")
    local wsdl = hostile("newline.wsdl", file)
    local script, text = generate(wsdl)
    os.remove(wsdl)
    local code, out, err = t.run("--dry-run 1 " .. t.quote(script))
    os.remove(script)
    assert.are.equal(0, code, (out or "") .. (err or ""))
    assert.is_nil(t.read(file), "the WSDL's code ran")
    -- every line up to the settings is a comment
    local header = text:match("^(.-)\nsoapload%.url")
    for line in header:gmatch("[^\n]+") do
      assert.truthy(line:match("^%-%- "), line)
    end
    assert.truthy(header:find("-- service S local f = io.open('" .. file .. "'", 1, true), header)
  end)

  it("control characters in a location or the address reach the terminal escaped", function()
    local wsdl = root .. "/tests/wsdl/hostile/terminal.wsdl"
    local path = t.tmpname(".lua")
    local code, _, err = t.run(("wsdl %s -o %s"):format(t.quote(wsdl), t.quote(path)))
    os.remove(path)
    assert.are.equal(0, code, err)
    -- no control byte but the line ends, no C1 control: the three lines soapload writes
    assert.is_nil(err:find("[%z\1-\9\11-\31\127]"), err)
    assert.is_nil(err:find("\194[\128-\159]"), err)
    local lines = {}
    for line in err:gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.are.equal(3, #lines, err)
    assert.truthy(lines[1]:find("^soapload wsdl: warning: .-: xsd:import " ..
      "x\\x1b%]0;PWNED\\x07\\x0d\\xc2\\x9b31mFORGED\\x0asoapload wsdl: wrote nothing not read"),
      lines[1])
    assert.are.equal("soapload wsdl: wrote " .. path .. ": 1 operation, SOAP 1.1, endpoint " ..
      "http://127.0.0.1:1/x\\x1b[2J", lines[2])
    assert.are.equal("soapload wsdl: 1 warning", lines[3])
  end)

  it("types 22 levels deep, two of the next in each, make a bounded sample fast", function()
    -- T0 holds two T1, ..., T21 two T22: 4 million elements without a budget
    local types = { '<xs:element name="Op" type="t:T0"/>' }
    for i = 0, 21 do
      types[#types + 1] = ('<xs:complexType name="T%d"><xs:sequence><xs:element name="a" ' ..
        'type="t:T%d"/><xs:element name="b" type="t:T%d"/></xs:sequence></xs:complexType>')
        :format(i, i + 1, i + 1)
    end
    types[#types + 1] = '<xs:complexType name="T22"><xs:sequence><xs:element name="RequestId" ' ..
      'type="xs:string"/></xs:sequence></xs:complexType>'
    local wsdl = t.write(t.tmpname(".wsdl"), t.read(root .. "/tests/wsdl/hostile/deep.wsdl")
      :gsub("@TYPES@", table.concat(types)))
    local path = t.tmpname(".lua")
    local code, _, err, elapsed = t.run(("wsdl %s -o %s"):format(t.quote(wsdl), t.quote(path)))
    os.remove(wsdl)
    assert.are.equal(0, code, err)
    assert.is_true(elapsed < 5, "took " .. elapsed .. " s")
    local text = t.read(path)
    assert.is_true(#text < 256 * 1024, #text .. " bytes")
    assert.truthy(text:find("at most 65536 bytes of\n-- elements each", 1, true))
    assert.truthy(text:find("<!-- sample budget of 65536 bytes spent: the rest of this body " ..
      "is left out -->", 1, true))
    -- the cut body is still an envelope soapload sends, its ID in the first leaf
    local out
    code, out = t.run("--dry-run 1 " .. t.quote(path))
    os.remove(path)
    assert.are.equal(0, code, out)
    assert.truthy(out:find("1 request, a well-formed SOAP 1.1 envelope", 1, true), out)
    assert.truthy(out:find("<RequestId>P%d+%-R1</RequestId>"), out)
  end)

  it("reads at most 32 MiB of documents in all: an import past that is a warning", function()
    local dir = t.tmpname(".d")
    os.execute("mkdir -p " .. t.quote(dir))
    local filler = ("x"):rep(11 * 1024 * 1024) -- three of them pass 32 MiB
    local imports = {}
    for i = 1, 3 do
      t.write(("%s/s%d.xsd"):format(dir, i), ('<xs:schema xmlns:xs="http://www.w3.org/2001/' ..
        'XMLSchema" targetNamespace="urn:s%d"><xs:annotation><xs:documentation>%s' ..
        '</xs:documentation></xs:annotation><xs:element name="E%d" type="xs:string"/>' ..
        '</xs:schema>'):format(i, filler, i))
      imports[i] = ('<xs:import namespace="urn:s%d" schemaLocation="s%d.xsd"/>'):format(i, i)
    end
    local types = table.concat(imports) .. '<xs:element name="Op"><xs:complexType>' ..
      '<xs:sequence><xs:element name="RequestId" type="xs:string"/></xs:sequence>' ..
      '</xs:complexType></xs:element>'
    t.write(dir .. "/big.wsdl", t.read(root .. "/tests/wsdl/hostile/deep.wsdl")
      :gsub("@TYPES@", types))
    local code, out, err = t.run("wsdl " .. t.quote(dir .. "/big.wsdl"))
    os.execute("rm -rf " .. t.quote(dir))
    assert.are.equal(0, code, err)
    assert.truthy(out:find("soapload.operations = {", 1, true))
    assert.truthy(err:find("xsd:import s3.xsd not read: " .. dir .. "/s3.xsd: 11534" ..
      "%d+ bytes more would pass 32 MiB of documents in all\n"), err)
    assert.truthy(err:find("soapload wsdl: 1 warning\n", 1, true), err)
  end)

  it("a WSDL of 20,000 operations: the first 64 are written, with a warning", function()
    local ops, binds = {}, {}
    for i = 1, 20000 do
      ops[i] = ('<wsdl:operation name="Op%d"><wsdl:input message="t:In"/></wsdl:operation>')
        :format(i)
      binds[i] = ('<wsdl:operation name="Op%d"><soap:operation soapAction="urn:t#Op%d"/>' ..
        '<wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>'):format(i, i)
    end
    local wsdl = t.write(t.tmpname(".wsdl"), t.read(root .. "/tests/wsdl/hostile/many.wsdl")
      :gsub("@OPERATIONS@", table.concat(ops)):gsub("@BINDINGS@", table.concat(binds)))
    local path = t.tmpname(".lua")
    local code, _, err = t.run(("wsdl %s -o %s"):format(t.quote(wsdl), t.quote(path)))
    os.remove(wsdl)
    assert.are.equal(0, code, err)
    assert.truthy(err:find("soapload wsdl: warning: 20000 operations: soapload runs at most 64, " ..
      "the script has the first 64 (19936 left out)\n", 1, true), err)
    assert.truthy(err:find("wrote " .. path .. ": 64 operations", 1, true), err)
    assert.truthy(err:find("soapload wsdl: 1 warning\n", 1, true), err)
    local text = t.read(path)
    assert.are.equal(64, #op_names(text))
    assert.truthy(text:find("-- soapload runs at most 64 operations: the first 64 are written, " ..
      "19936 left out", 1, true))
    -- and soapload runs it
    local mock = t.start_mock("")
    local out
    code, out = t.run(("-u %s -R 64 -d 1s -w 1 -c 2 -q %s"):format(t.quote(mock.url),
      t.quote(path)))
    local s = mock.stats()
    mock.stop()
    os.remove(path)
    assert.are.equal(0, code, out)
    assert.are.equal(64, t.count(out, "sent%s+%d+ = ok (%d+)"))
    assert.are.equal(64, s.requests.echo)
    assert.are.equal(64, s.ids.distinct)
  end)
end)

-- --validate schema: the answers of real peers checked against the WSDL's types (libxml2).
describe("--validate schema", function()
  -- Runs `script` with one worker: n requests, the JSON results decoded.
  local function validate(script, url, n, extra, keep)
    local json = keep or t.tmpname(".json")
    local code, out, err = t.run(("-u %s -R %d -d 1s -w 1 -c 2 --json %s %s %s"):format(
      t.quote(url), n, t.quote(json), extra or "--validate schema", t.quote(script)))
    local r = cjson.decode(t.read(json) or "null")
    if not keep then os.remove(json) end
    return code, out or "", err or "", r
  end

  it("the mock's answers are valid against its own WSDL, fetched from it (the script's schema)",
    function()
    local mock = t.start_mock("")
    local ok, e = pcall(function()
      local script, text = generate(mock.url .. "?wsdl")
      assert.truthy(text:find('soapload.schema = "' .. mock.url .. '?wsdl"', 1, true))
      local code, out, err, r = validate(script, mock.url, 50)
      os.remove(script)
      assert.are.equal(0, code, out .. err)
      assert.are.equal(50, t.count(out, "sent%s+%d+ = ok (%d+)"))
      assert.truthy(out:find("Validation      schema " .. mock.url .. "?wsdl: 50 responses " ..
        "validated (100% of the 2xx without a Fault, echoing the ID where one was sent), 0 broke it; ", 1, true))
      assert.are.equal(50, r.validation.validated)
      assert.are.equal(0, r.validation.violations)
      assert.is_true(r.validation.cpu_us_per_response > 0)
      assert.are.equal(50, mock.stats().requests.echo)
    end)
    mock.stop()
    assert(ok, e)
  end)

  it("node-soap's answers are valid against the order service's WSDL", function()
    local server = start_node(locals .. "orders.wsdl")
    local ok, e = pcall(function()
      local script = generate(locals .. "orders.wsdl")
      local code, out, err, r = validate(script, server.url, 20)
      os.remove(script)
      assert.are.equal(0, code, out .. err)
      assert.are.equal(20, t.count(out, "sent%s+%d+ = ok (%d+)"))
      assert.are.equal(20, r.validation.validated)
      assert.are.equal(0, r.summary.results.schema)
      local stats = server.stats()
      assert.are.equal(10, stats.calls.PlaceOrder)
      assert.are.equal(10, stats.calls.CancelOrder)
    end)
    server.stop()
    assert(ok, e)
  end)

  it("an answer that breaks the schema fails as schema, with its first error and a sample",
    function()
    -- the mock echoes IDs like P123-R4: an xsd:int RequestId breaks each answer
    local xsd = t.write(t.tmpname(".xsd"), [[<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:soapload:echo"
    elementFormDefault="qualified">
  <xs:element name="EchoResponse"><xs:complexType><xs:sequence>
    <xs:element name="RequestId" type="xs:int"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>]])
    local mock = t.start_mock("")
    local ok, e = pcall(function()
      local script = t.root .. "/scripts/examples/default.lua"
      local code, out, err, r = validate(script, mock.url, 40,
        "--validate schema --schema " .. t.quote(xsd))
      assert.are.equal(1, code, out .. err)
      assert.truthy(out:find("Errors          schema 40\n", 1, true), out)
      assert.are.equal(40, mock.stats().requests.echo)
      assert.are.equal(40, r.summary.results.schema)
      assert.are.equal(40, r.validation.violations)
      local reason = r.failure_reasons.reasons[1]
      assert.are.equal("schema", reason.kind)
      assert.are.equal(40, reason.count)
      assert.are.equal("line 2, element {urn:soapload:echo}RequestId: its value is not a " ..
        "valid value of the atomic type 'xs:int'.", reason.reason)
      assert.truthy(reason.sample.body:find("<e:RequestId>P%d+%-R%d+</e:RequestId>"), reason.sample.body)
      t.reasons_invariants(r)
    end)
    mock.stop()
    os.remove(xsd)
    assert(ok, e)
  end)

  it("schema:10% validates every tenth answer: the mock's echo against the order types",
    function()
    local mock = t.start_mock("")
    local ok, e = pcall(function()
      local script = t.root .. "/scripts/examples/default.lua"
      local a, b = t.tmpname(".json"), t.tmpname(".json")
      local code, out, err, r = validate(script, mock.url, 50, "--validate schema:10% --schema " ..
        t.quote(locals .. "orders.wsdl"), a)
      assert.are.equal(1, code, out .. err)
      -- the first answer, then one in ten: 1 + 50 // 10
      assert.are.equal(6, r.validation.validated)
      assert.are.equal(6, r.summary.results.schema)
      assert.are.equal(44, r.summary.results.ok)
      assert.are.equal(50, mock.stats().requests.echo)
      -- merge reads the kind back and adds it up
      local _, _, _, r2 = validate(script, mock.url, 50, "--validate schema:10% --schema " ..
        t.quote(locals .. "orders.wsdl"), b)
      assert.are.equal(6, r2.summary.results.schema)
      local merged = t.tmpname(".json")
      local mcode, mout, merr = t.run(("merge --allow-gaps %s %s --json %s"):format(t.quote(a),
        t.quote(b), t.quote(merged)))
      assert.are.equal(1, mcode, (mout or "") .. (merr or ""))
      assert.truthy(mout:find("Errors          schema 12\n", 1, true), mout)
      local m = cjson.decode(t.read(merged))
      assert.are.equal(12, m.summary.results.schema)
      -- and the validation's cost: counts summed, the CPU per response weighted by them
      local v, v1, v2 = m.validation, r.validation, r2.validation
      assert.are.equal(v1.schema, v.schema)
      assert.are.equal(10, v.sample_pct)
      assert.are.equal(12, v.validated)
      assert.are.equal(12, v.violations)
      local mean = (v1.cpu_us_per_response * v1.validated + v2.cpu_us_per_response *
        v2.validated) / (v1.validated + v2.validated)
      assert.is_true(math.abs(v.cpu_us_per_response - mean) <= 0.001, v.cpu_us_per_response)
      local line = mout:match("\nValidation      ([^\n]*)")
      assert.are.equal(("schema %s: 12 responses validated (10%% of the 2xx without a Fault, " ..
        "echoing the ID where one was sent), 12 broke it; "):format(v1.schema),
        line and line:match("^(.-)%d+%.%d us CPU each$"), mout)
      -- the summary rounds the same mean to 0.1 us
      assert.is_true(math.abs(tonumber(line:match("(%d+%.%d) us CPU each$")) -
        v.cpu_us_per_response) <= 0.051, line)
      os.remove(a); os.remove(b); os.remove(merged)
      assert.are.equal("line 2, element {urn:soapload:echo}EchoResponse: No matching global " ..
        "declaration available for the validation root.", r.failure_reasons.reasons[1].reason)
    end)
    mock.stop()
    assert(ok, e)
  end)

  it("refuses a missing schema, a bad one and a bad --validate value with exit code 2", function()
    local script = t.root .. "/scripts/examples/default.lua"
    local base = "-u http://127.0.0.1:9/ -R 1 -d 1s "
    local code, _, err = t.run(base .. "--validate schema " .. t.quote(script))
    assert.are.equal(2, code)
    assert.truthy(err:find("--validate schema needs the schema: --schema FILE.xsd", 1, true), err)
    code, _, err = t.run(base .. "--validate schema --schema /nonexistent.xsd " .. t.quote(script))
    assert.are.equal(2, code)
    assert.truthy(err:find("cannot open the schema /nonexistent.xsd", 1, true), err)
    code, _, err = t.run(base .. "--validate schema --schema " .. t.quote(script) .. " " ..
      t.quote(script))
    assert.are.equal(2, code)
    assert.truthy(err:find("is not well-formed XML", 1, true), err)
    code, _, err = t.run(base .. "--validate schema:0% --schema x.xsd " .. t.quote(script))
    assert.are.equal(2, code)
    assert.truthy(err:find("schema, or schema:N% with N from 0.01 to 100", 1, true), err)
  end)

  it("a schema's bytes in libxml2's message reach the terminal escaped", function()
    -- CR, the C1 CSI and LF in a location: raw, they would rewrite the line and forge one
    local xsd = t.write(t.tmpname(".xsd"), [[<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:soapload:echo">
  <xs:import namespace="urn:y" schemaLocation="y&#13;FORGED&#155;31m&#10;soapload: all good.xsd"/>
</xs:schema>]])
    local code, _, err = t.run("-u http://127.0.0.1:9/ -R 1 -d 1s --validate schema --schema " ..
      t.quote(xsd) .. " " .. t.quote(t.root .. "/scripts/examples/default.lua"))
    os.remove(xsd)
    assert.are.equal(2, code, err)
    assert.truthy(err:find("'y\\x0dFORGED\\xc2\\x9b31m\\x0asoapload: all good.xsd' is not a " ..
      "valid value", 1, true), err)
    assert.is_nil(err:find("[\r\27]"), err)
    assert.is_nil(err:find("\194\155", 1, true), err)
    assert.is_nil(err:find("\nsoapload: all good", 1, true), err)
  end)

  it("a schema fetched over the network names no local file that is read", function()
    local dir = t.tmpname(".d")
    os.execute("mkdir -p " .. t.quote(dir))
    t.write(dir .. "/local.xsd", [[<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:y"><xs:element name="Y" type="xs:string"/></xs:schema>]])
    t.write(dir .. "/r.xsd", ([[<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:soapload:echo">
  <xs:import namespace="urn:y" schemaLocation="file://%s/local.xsd"/>
  <xs:element name="EchoResponse" type="xs:anyType"/>
</xs:schema>]]):format(dir))
    local files = start_files(dir)
    local ok, e = pcall(function()
      local code, _, err = t.run("-q -u http://127.0.0.1:9/ -R 1 -d 1s --validate schema " ..
        "--schema " .. t.quote(files.url .. "/r.xsd") .. " " ..
        t.quote(t.root .. "/scripts/examples/default.lua"))
      assert.are.equal(1, code, err) -- the run goes on (port 9 refuses): the import is skipped
      assert.truthy(err:find("soapload: warning: schema: file://" .. dir .. "/local.xsd: not " ..
        "read (file://" .. dir .. "/local.xsd: a file named by a document fetched over the " ..
        "network is not read)", 1, true), err)
    end)
    files.stop()
    os.execute("rm -rf " .. t.quote(dir))
    assert(ok, e)
  end)

  it("an import that cannot be had is a warning; a type it should have declared ends the run",
    function()
    local dir = t.tmpname(".d")
    os.execute("mkdir -p " .. t.quote(dir))
    local function xsd(uses)
      return ([[<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:g="urn:gone"
    targetNamespace="urn:soapload:echo" elementFormDefault="qualified">
  <xs:import namespace="urn:gone" schemaLocation="gone/types.xsd"/>
  <xs:element name="EchoResponse"><xs:complexType><xs:sequence>
    <xs:element name="RequestId" type="%s"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>]]):format(uses)
    end
    t.write(dir .. "/unused.xsd", xsd("xs:string"))
    t.write(dir .. "/used.xsd", xsd("g:Id"))
    local mock = t.start_mock("")
    local ok, e = pcall(function()
      local script = t.root .. "/scripts/examples/default.lua"
      local code, out, err, r = validate(script, mock.url, 20, "--validate schema --schema " ..
        t.quote(dir .. "/unused.xsd"))
      assert.are.equal(0, code, out .. err)
      assert.truthy(err:find("soapload: warning: schema: " .. dir .. "/gone/types.xsd: not " ..
        "read (" .. dir .. "/gone/types.xsd: cannot open: No such file or directory)\n", 1,
        true), err)
      assert.are.equal(20, r.validation.validated)
      assert.are.equal(20, mock.stats().requests.echo)
      code, out, err = validate(script, mock.url, 20, "--validate schema --schema " ..
        t.quote(dir .. "/used.xsd"))
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("used.xsd: cannot read the schema: " .. dir .. "/used.xsd line 5: " ..
        "element decl. '{urn:soapload:echo}RequestId', attribute 'type': The QName value " ..
        "'{urn:gone}Id' does not resolve to a(n) type definition.; not read: " .. dir ..
        "/gone/types.xsd: cannot open: No such file or directory", 1, true), err)
      assert.are.equal(20, mock.stats().requests.echo) -- nothing more was sent
    end)
    mock.stop()
    os.execute("rm -rf " .. t.quote(dir))
    assert(ok, e)
  end)

  it("ONVIF PTZ: a catalog maps the W3C and OASIS imports offline; libxml2 then refuses onvif.xsd",
    function()
    -- stand-ins declaring what onvif.xsd uses of each import (not the published schemas)
    local dir = t.tmpname(".d")
    os.execute("mkdir -p " .. t.quote(dir))
    local any = '<xs:sequence><xs:any minOccurs="0" maxOccurs="unbounded" ' ..
      'processContents="lax"/></xs:sequence><xs:anyAttribute processContents="lax"/>'
    local function xsd(name, ns, body)
      t.write(dir .. "/" .. name, ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" ' ..
        'xmlns:p="%s" targetNamespace="%s">%s</xs:schema>'):format(ns, ns, body))
    end
    xsd("xmlmime.xsd", "http://www.w3.org/2005/05/xmlmime",
      '<xs:attribute name="contentType" type="xs:string"/>')
    xsd("env.xsd", "http://www.w3.org/2003/05/soap-envelope", ('<xs:complexType name="Envelope">' ..
      '%s</xs:complexType><xs:complexType name="Fault">%s</xs:complexType><xs:element ' ..
      'name="Envelope" type="p:Envelope"/><xs:element name="Fault" type="p:Fault"/>'):format(any, any))
    xsd("b-2.xsd", "http://docs.oasis-open.org/wsn/b-2", ('<xs:complexType name="FilterType">%s' ..
      '</xs:complexType><xs:complexType name="NotificationMessageHolderType">%s</xs:complexType>')
      :format(any, any))
    xsd("include.xsd", "http://www.w3.org/2004/08/xop/include",
      ('<xs:element name="Include"><xs:complexType>%s</xs:complexType></xs:element>'):format(any))
    t.write(dir .. "/catalog.xml", [[<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <uri name="https://www.w3.org/2005/05/xmlmime" uri="xmlmime.xsd"/>
  <uri name="https://www.w3.org/2003/05/soap-envelope" uri="env.xsd"/>
  <uri name="http://docs.oasis-open.org/wsn/b-2.xsd" uri="b-2.xsd"/>
  <uri name="https://www.w3.org/2004/08/xop/include" uri="include.xsd"/>
</catalog>]])
    local wsdl = root .. "/tests/wsdl/corpus/onvif/wsdl/ver20/ptz/wsdl/ptz.wsdl"
    local base = "-u http://127.0.0.1:9/ -R 1 -d 1s --validate schema --offline --schema " ..
      t.quote(wsdl) .. " " .. t.quote(root .. "/scripts/examples/default.lua")
    local code, out, err = t.run(base)
    assert.are.equal(2, code, out .. err)
    local _, n = err:gsub("not fetched %(%-%-offline; %-%-catalog maps a URL to a file%)%)\n", "")
    assert.are.equal(4, n, err)
    assert.truthy(err:find("'{http://docs.oasis-open.org/wsn/b-2}FilterType' does not resolve",
      1, true), err)
    code, out, err = t.run("--catalog " .. t.quote(dir .. "/catalog.xml") .. " " .. base)
    assert.are.equal(2, code, out .. err)
    assert.falsy(err:find("warning", 1, true), err) -- every import was read
    -- what is left is libxml2's rule on onvif.xsd itself (docs/wsdl.md)
    assert.truthy(err:find("onvif.xsd line 543: complex type " ..
      "'VideoSourceConfigurationOptionsExtension2': The content model is not determinist.", 1,
      true), err)
    os.execute("rm -rf " .. t.quote(dir))
  end)

  it("--offline fetches no import; --catalog (or soapload.catalog) maps its URL to a copy",
    function()
    local dir = t.tmpname(".d")
    os.execute("mkdir -p " .. t.quote(dir .. "/copies"))
    t.write(dir .. "/echo.xsd", [[<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:g="urn:elsewhere" targetNamespace="urn:soapload:echo" elementFormDefault="qualified">
  <xs:import namespace="urn:elsewhere" schemaLocation="http://192.0.2.1/types.xsd"/>
  <xs:element name="EchoResponse"><xs:complexType><xs:sequence>
    <xs:element name="RequestId" type="g:Id"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>]])
    t.write(dir .. "/copies/types.xsd", [[<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:elsewhere"><xs:simpleType name="Id"><xs:restriction base="xs:string">
  <xs:minLength value="1"/></xs:restriction></xs:simpleType></xs:schema>]])
    t.write(dir .. "/copies/catalog.xml", [[<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <uri name="http://192.0.2.1/types.xsd" uri="types.xsd"/>
</catalog>]])
    -- a script naming its schema and catalog relative to its own folder, whose requests carry
    -- no ID to check (id = false): their answers are validated all the same
    t.write(dir .. "/run.lua", t.read(t.root .. "/scripts/examples/default.lua") ..
      '\nsoapload.schema = "echo.xsd"\nsoapload.catalog = "copies/catalog.xml"\n' ..
      "soapload.offline = true\nfunction request() return soapload.envelope(" ..
      "'<e:Echo xmlns:e=\"urn:soapload:echo\"><e:RequestId>fixed</e:RequestId></e:Echo>'), " ..
      "{id = false} end\n")
    local mock = t.start_mock("")
    local ok, e = pcall(function()
      local script = t.root .. "/scripts/examples/default.lua"
      local schema = "--validate schema --offline --schema " .. t.quote(dir .. "/echo.xsd")
      local code, out, err = validate(script, mock.url, 20, schema)
      assert.are.equal(2, code, out .. err)
      assert.truthy(err:find("soapload: warning: schema: http://192.0.2.1/types.xsd: not read " ..
        "(http://192.0.2.1/types.xsd: not fetched (--offline; --catalog maps a URL to a file))",
        1, true), err)
      assert.are.equal(0, mock.stats().requests.echo) -- nothing was sent
      local r
      code, out, err, r = validate(script, mock.url, 20,
        schema .. " --catalog " .. t.quote(dir .. "/copies/catalog.xml"))
      assert.are.equal(0, code, out .. err)
      assert.falsy(err:find("warning", 1, true), err)
      assert.are.equal(20, r.validation.validated)
      assert.are.equal(0, r.validation.violations)
      assert.are.equal(20, mock.stats().requests.echo)
      code, out, err, r = validate(dir .. "/run.lua", mock.url, 20)
      assert.are.equal(0, code, out .. err)
      assert.truthy(out:find("Validation      schema echo.xsd: 20 responses validated (100% " ..
        "of the 2xx without a Fault, echoing the ID where one was sent), 0 broke it; ", 1, true),
        out)
      assert.are.equal(20, r.validation.validated)
      assert.are.equal(0, r.validation.violations)
      assert.are.equal(40, mock.stats().requests.echo)
    end)
    mock.stop()
    os.execute("rm -rf " .. t.quote(dir))
    assert(ok, e)
  end)
end)
