-- soapload --dry-run [N]: the script's hooks run without any network (the mock's /stats stay
-- at zero), each request is printed as a worker would send it, and each body is checked: a
-- well-formed SOAP envelope of the run's version, else exit 2 with the request named.
local t = require("support")

local examples = t.root .. "/scripts/examples/"

-- Runs soapload with args against a fresh mock's URL; returns code, stdout, stderr and the
-- number of requests the mock saw.
local function dry(args)
  local mock = t.start_mock()
  local ok, code, out, err = pcall(t.run, ("-u %s %s"):format(mock.url, args))
  local stats = mock.stats()
  mock.stop()
  assert(ok, code)
  return code, out, err, math.tointeger(stats.requests.total)
end

local function script(body)
  return t.script("soapload.rate = 10\n" .. body)
end

describe("soapload --dry-run", function()
  it("prints the default example's 3 envelopes with IDs P<pid>-R1..R3 and sends nothing", function()
    local code, out, err, seen = dry("--dry-run " .. examples .. "default.lua")
    assert.are.equal(0, code, err)
    assert.are.equal(0, seen)
    local pid = out:match("as worker 1 of 1 %(pid (%d+)%)")
    assert.truthy(pid, out)
    assert.are.equal(3, select(2, out:gsub("=== request", "")))
    for i = 1, 3 do
      local id = ("P%s-R%d"):format(pid, i)
      assert.truthy(out:find(("=== request %d of 3: ID %s\nPOST http://127.0.0.1:%%d+/soap/endpoint\n"):format(i, (id:gsub("%-", "%%-")))), out)
      assert.truthy(out:find("<e:RequestId>" .. id .. "</e:RequestId>", 1, true), out)
    end
    assert.truthy(out:find('SOAPAction: "urn:soapload:echo#Echo"\n', 1, true), out)
    assert.truthy(out:find("Content-Type: text/xml; charset=utf-8\n", 1, true), out)
    assert.truthy(out:find("3 requests, each a well-formed SOAP 1.1 envelope\n", 1, true), out)
    assert.is_nil(out:find("=== request 4", 1, true))
  end)

  it("takes N as a word or after '=', and passes the script's arguments to init()", function()
    local s = script([[
      local greeting
      function init(args) greeting = args[1] end
      function request(id, seq)
        return soapload.envelope("<g>" .. greeting .. seq .. "</g>")
      end
    ]])
    local code, out, err = dry("--dry-run 5 " .. s .. " hello")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("<g>hello5</g>", 1, true), out)
    assert.is_nil(out:find("=== request 6", 1, true))
    code, out, err = dry("--dry-run=1 " .. s .. " hi")
    assert.are.equal(0, code, err)
    assert.truthy(out:find("1 request, a well-formed SOAP 1.1 envelope", 1, true), out)
    assert.is_nil(out:find("=== request 2", 1, true))
    code, _, err = dry("--dry-run 0 " .. s)
    os.remove(s)
    assert.are.equal(2, code)
    assert.truthy(err:find("bad value '0' for --dry-run", 1, true), err)
  end)

  it("shows the headers and URL a worker sends: user and request() headers replace soapload's", function()
    local s = script([[
      soapload.headers = { SOAPAction = '"urn:orders#Get"' }
      function request(id, seq)
        return soapload.envelope("<o:Get xmlns:o='urn:orders'/>"),
          { path = "/orders/v2?x=1", headers = { ["Content-Type"] = "text/xml", ["X-Seq"] = seq },
            id = "order-" .. seq }
      end
    ]])
    local code, out, err, seen = dry("--dry-run 1 -H 'X-Team: blue' " .. s)
    os.remove(s)
    assert.are.equal(0, code, err)
    assert.are.equal(0, seen)
    assert.truthy(out:find("ID P%d+%-R1 %(the response must echo order%-1%)\nPOST http://127%.0%.0%.1:%d+/orders/v2%?x=1\n"), out)
    assert.truthy(out:find('SOAPAction: "urn:orders#Get"\n', 1, true), out)
    assert.is_nil(out:find("urn:soapload:echo#Echo", 1, true), out)
    assert.truthy(out:find("\nContent-Type: text/xml\n", 1, true), out)
    assert.is_nil(out:find("charset", 1, true), out)
    assert.truthy(out:find("\nX-Team: blue\n", 1, true), out)
    assert.truthy(out:find("\nX-Seq: 1\n", 1, true), out)
    assert.is_nil(out:find("Expect", 1, true), out) -- "Expect:" removes the header
  end)

  it("exits 2 naming each request whose body is not well-formed XML", function()
    local s = script([[
      function request(id, seq)
        if seq == 2 then return soapload.envelope("<a><b></a>") end
        return soapload.envelope("<ok/>")
      end
    ]])
    local code, out, err, seen = dry("--dry-run " .. s)
    os.remove(s)
    assert.are.equal(2, code, out)
    assert.are.equal(0, seen)
    assert.truthy(err:find("request 2 %(P%d+%-R2%): the body is not well%-formed XML: byte %d+"), err)
    assert.is_nil(err:find("request 1 ", 1, true), err)
    assert.is_nil(err:find("request 3 ", 1, true), err)
    assert.truthy(err:find("dry run: 1 of 3 requests with a problem", 1, true), err)
    assert.truthy(out:find("=== request 3 of 3", 1, true), out) -- the others are still shown
  end)

  it("exits 2 for a SOAP 1.1 envelope under --soap 1.2, a body that is no envelope, no Body", function()
    local s = script([[
      function request(id, seq)
        if seq == 1 then return soapload.envelope("<x/>", "1.1") end
        if seq == 2 then return "<Order xmlns='urn:o'/>" end
        return "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Header/></s:Envelope>"
      end
    ]])
    local code, out, err = dry("--dry-run --soap 1.2 " .. s)
    assert.are.equal(2, code, out)
    assert.truthy(err:find("request 1 %(P%d+%-R1%): a SOAP 1%.1 envelope, but the run is SOAP 1%.2"), err)
    assert.truthy(err:find("request 2 %(P%d+%-R2%): the root element is <Order>, not a SOAP Envelope"), err)
    assert.truthy(err:find("request 3 %(P%d+%-R3%): the Envelope has no Body"), err)
    -- the same first request is right for a SOAP 1.1 run
    code, out, err = dry("--dry-run 1 " .. s)
    os.remove(s)
    assert.are.equal(0, code, err)
  end)

  it("reports request() errors with the request and the script's traceback, and init() errors", function()
    local s = script([[
      function request(id, seq)
        if seq == 2 then error("no customer for " .. id) end
        return soapload.envelope("<ok/>")
      end
    ]])
    local code, out, err, seen = dry("--dry-run " .. s)
    os.remove(s)
    assert.are.equal(2, code, out)
    assert.are.equal(0, seen)
    assert.truthy(err:find("request 2 %(P%d+%-R2%): request%(%) failed: [^\n]*:3: no customer for P%d+%-R2"), err)
    assert.truthy(out:find("=== request 3 of 3", 1, true), out)
    s = script('function init() error("no data") end\nfunction request(id) return "" end')
    code, out, err = dry("--dry-run " .. s)
    os.remove(s)
    assert.are.equal(2, code, out)
    assert.truthy(err:find("init(): ", 1, true) and err:find("no data", 1, true), err)
  end)

  it("writes no result file, and says so", function()
    local json = t.tmpname(".json")
    local code, _, err = dry("--dry-run 1 --json " .. json .. " " .. examples .. "default.lua")
    assert.are.equal(0, code, err)
    assert.is_nil(t.read(json))
    assert.truthy(err:find("no --json, --trace or --html file was written", 1, true), err)
  end)

  it("shows the data file example's first rows, each once", function()
    local code, out, err, seen = dry("--dry-run 3 " .. examples .. "data_file.lua")
    assert.are.equal(0, code, err)
    assert.are.equal(0, seen)
    for i, c in ipairs({ "C-1001", "C-1002", "C-1003" }) do
      assert.truthy(out:find(("=== request %d of 3: ID P%%d+%%-R%d %%(the response must echo %s%%)"):format(i, i, (c:gsub("%-", "%%-")))), out)
    end
  end)
end)
