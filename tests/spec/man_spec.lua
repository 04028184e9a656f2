-- man_spec: the man pages soapload-docgen makes from the option tables render with man without
-- a warning, give the exit codes, and the scripting page names every built-in a script is
-- given. (That each page lists exactly what --help prints is checked beside the rest of each
-- program's command line: config_spec and mock_spec.)
local t = require("support")

local render = t.man

describe("soapload(1)", function()
  local page, warnings = render("soapload.1")
  local help = t.help(t.bin)

  it("renders with man, without a warning from groff", function()
    assert.truthy(page:find("^SOAPLOAD%(1%)"), page)
    assert.are.equal("", warnings)
  end)

  it("gives the exit codes of --help", function()
    local section = "\n" .. assert(page:match("\nEXIT STATUS\n(.-)\n%u"), page)
    local codes = {}
    for code in assert(help:match("\nExit codes: (.*)$"), help):gmatch("(%d+) %a") do
      codes[#codes + 1] = code
    end
    assert.are.same({ "0", "1", "2", "3", "4", "130" }, codes)
    for _, code in ipairs(codes) do
      assert.truthy(section:find("\n       " .. code .. "%s"), code)
    end
  end)
end)

describe("soapload-mock(1)", function()
  it("renders with man, without a warning from groff", function()
    local page, warnings = render("soapload-mock.1")
    assert.truthy(page:find("^SOAPLOAD%-MOCK%(1%)"), page)
    assert.are.equal("", warnings)
    assert.truthy(page:find("\nENDPOINTS\n", 1, true), page)
  end)
end)

describe("soapload-scripting(7)", function()
  it("renders and names every hook and every built-in a script is given", function()
    local page, warnings = render("soapload-scripting.7")
    assert.are.equal("", warnings)
    -- the built-ins as a script sees them: the functions in the soapload table and its
    -- sub-tables, printed by the main chunk
    local s = t.script([[
soapload.url = "http://127.0.0.1:1/x"
soapload.rate = 1
if not printed then
  for k, v in pairs(soapload) do
    if type(v) == "function" then io.write("BUILTIN soapload.", k, "\n") end
    if type(v) == "table" then
      for k2, v2 in pairs(v) do
        if type(v2) == "function" then io.write("BUILTIN soapload.", k, ".", k2, "\n") end
      end
    end
  end
  printed = true
end
]])
    local code, out = t.run("--dry-run 1 " .. s)
    os.remove(s)
    assert.are.equal(0, code, out)
    local n = 0
    for name in out:gmatch("BUILTIN ([%w_.]+)") do
      n = n + 1
      assert.truthy(page:find(name .. "(", 1, true) or page:find(name .. "{", 1, true),
        name .. " is not in soapload-scripting(7)")
    end
    assert.truthy(n >= 15, out)
    for _, hook in ipairs({ "init(args)", "request(id, seq)", "response(status, headers, body, id",
                            "done(summary, latency, workers)" }) do
      assert.truthy(page:find(hook, 1, true), hook)
    end
  end)
end)
