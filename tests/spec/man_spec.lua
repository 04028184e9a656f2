-- man_spec: the man pages soapload-docgen makes from the option tables render with man, list
-- exactly the options and usage lines --help prints (one table makes both), and the
-- scripting page names every built-in a script is given.
package.path = (os.getenv("SOAPLOAD_SOURCE_DIR") or ".") .. "/tests/spec/?.lua;" .. package.path
local t = require("support")

local dir = t.bin:match("^(.*)/[^/]*$") or "."

-- The page as `man -l` shows it, in ASCII and wide enough that no option head wraps; and what
-- groff said on stderr.
local function render(page)
  local err = t.tmpname(".err")
  local p = io.popen(("LC_ALL=C MANWIDTH=120 man --warnings -l %s 2>%s"):format(
    t.quote(dir .. "/man/" .. page), t.quote(err)))
  local out = p:read("a")
  p:close()
  local warnings = t.read(err) or ""
  os.remove(err)
  return out, warnings
end

local function words(s)
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

local function help_of(bin)
  local p = io.popen(t.quote(bin) .. " --help")
  local help = p:read("a")
  p:close()
  return help
end

describe("soapload(1)", function()
  local page, warnings = render("soapload.1")
  local help = help_of(t.bin)

  it("renders with man, without a warning from groff", function()
    assert.truthy(page:find("^SOAPLOAD%(1%)"), page)
    assert.are.equal("", warnings)
  end)

  it("has in its SYNOPSIS each usage line of --help, in the same order", function()
    local usage = assert(help:match("^Usage: (.-)\n[^ ]"), help):gsub("\n       ", "\n")
    local synopsis = assert(page:match("\nSYNOPSIS\n(.-)\n\n"), page)
    assert.are.equal(usage, (synopsis:gsub("\n       ", "\n"):gsub("^       ", "")))
  end)

  it("lists in OPTIONS exactly the options and settings --help prints, with their help", function()
    local options = assert(help:match("\n\n(  %-.-)\n\nExit codes"), help)
    local section = assert(page:match("\nOPTIONS\n(.-)\nEXIT STATUS\n"), page)
    assert.are.equal(words(options), words(section))
    -- and the words are not merely the same run of text: each option heads its own entry
    for head in options:gmatch("\n  (%-[^\n]-)  ") do
      assert.truthy(section:find("\n       " .. head .. "\n", 1, true), head)
    end
    assert.truthy(section:find("\n       %-%-json FILE\n"), section)
    assert.truthy(section:find("\n       %[stages%]\n"), section)
  end)

  it("gives the exit codes of --help", function()
    local section = "\n" .. assert(page:match("\nEXIT STATUS\n(.-)\n%u"), page)
    for code in ("0 1 2 3 4 130"):gmatch("%d+") do
      assert.truthy(section:find("\n       " .. code .. "%s"), code)
    end
  end)
end)

describe("soapload-mock(1)", function()
  it("renders and lists in OPTIONS exactly the options --help prints", function()
    local page, warnings = render("soapload-mock.1")
    assert.are.equal("", warnings)
    local help = help_of(t.mock_bin)
    local options = assert(help:match("\n\n(  %-H, %-%-host.-)\n\n"), help)
    local section = assert(page:match("\nOPTIONS\n(.-)\nENDPOINTS\n"), page)
    assert.are.equal(words(options), words(section))
    assert.truthy(section:find("\n       %-%-fault%-when NAME=VALUE\n"), section)
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
