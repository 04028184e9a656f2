-- Settings: one table for flags and script settings, typos and contradictions refused before
-- anything is sent, flags winning over the script's defaults, the man page's option list the same
-- as --help's.
local t = require("support")

describe("settings", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  local function refused(args, script_text, message)
    local script = script_text and t.script(script_text)
    local code, out, err = t.run(args .. (script and (" " .. script) or ""))
    if script then os.remove(script) end
    assert.are.equal(2, code, out .. err)
    assert.truthy(err:find(message, 1, true), err)
    assert.are.equal(0, mock.stats().requests.total)
    return err
  end

  it("refuses an unknown setting, naming it and the nearest valid one", function()
    refused("", ("soapload.url = %q\nsoapload.rate = 10\nsoapload.conections = 10\n")
      :format(mock.url), "unknown setting soapload.conections (did you mean soapload.connections?)")
    refused("", ("soapload.url = %q\nsoapload.rate = 10\nsoapload.durration = '1s'\n")
      :format(mock.url), "unknown setting soapload.durration (did you mean soapload.duration?)")
    local err = refused("", ("soapload.url = %q\nsoapload.rate = 10\nsoapload.xyzzy = 1\n")
      :format(mock.url), "unknown setting soapload.xyzzy")
    assert.falsy(err:find("did you mean", 1, true), err)
  end)

  it("names a bad value with the setting it was given for", function()
    refused("", ("soapload.url = %q\nsoapload.rate = 10\nsoapload.connections = 'many'\n")
      :format(mock.url), "bad value 'many' for soapload.connections")
    refused("", ("soapload.url = %q\nsoapload.rate = 10\nsoapload.headers = {['X Y'] = '1'}\n")
      :format(mock.url), "soapload.headers: bad header name 'X Y'")
    refused("", ("soapload.url = %q\nsoapload.rate = 10\nsoapload.thresholds = {'p99 < 5ms', 7}\n")
      :format(mock.url), "soapload.thresholds[2] must be a string")
    -- a flag overrides the setting, but the setting is still checked
    refused("-R 10", ("soapload.url = %q\nsoapload.rate = 'fast'\n"):format(mock.url),
      "bad value 'fast' for soapload.rate")
  end)

  it("refuses a closed model with a rate or burst from the same source", function()
    local s = t.script(("soapload.url = %q\n"):format(mock.url))
    refused("--closed -R 50 " .. s, nil, "--closed sends as fast as it can: it takes no --rate")
    refused("--closed --burst 4 " .. s, nil, "it takes no --burst")
    os.remove(s)
    refused("", ("soapload.url = %q\nsoapload.model = 'closed'\nsoapload.rate = 50\n")
      :format(mock.url), "soapload.model is \"closed\", which takes no soapload.rate")
  end)

  it("lets -R pick the open model over a script's closed model, at exactly that rate", function()
    local s = t.script(("soapload.url = %q\nsoapload.model = 'closed'\n"):format(mock.url))
    local code, out = t.run("-q -R 50 -d 1s -w 1 -c 2 " .. s)
    os.remove(s)
    assert.are.equal(0, code, out)
    assert.truthy(out:find("Model           open: 50.0 req/s", 1, true), out)
    assert.truthy(out:find("scheduled     50 =", 1, true), out)
    assert.are.equal(50, mock.stats().requests.echo)
  end)

  it("lets --closed set a script's rate aside", function()
    local s = t.script(("soapload.url = %q\nsoapload.rate = 50\n"):format(mock.url))
    local code, out = t.run("-q --closed -d 500ms -w 1 -c 2 " .. s)
    os.remove(s)
    assert.are.equal(0, code, out)
    assert.truthy(out:find("Model           closed", 1, true), out)
  end)

  it("refuses more workers than connections when both were asked for", function()
    local s = t.script(("soapload.url = %q\nsoapload.rate = 10\n"):format(mock.url))
    refused("-w 8 -c 4 " .. s, nil, "8 workers but 4 connections: each worker needs a connection")
    os.remove(s)
  end)

  it("refuses a URL with credentials without printing the password", function()
    local s = t.script("soapload.rate = 10\n")
    local err = refused("-u http://alice:s3cret@127.0.0.1:1/x " .. s, nil, "user name or password")
    os.remove(s)
    assert.falsy(err:find("s3cret", 1, true), err)
    -- it points to the options that keep the secret off the command line, not to --header
    assert.truthy(err:find("give --user NAME with --password-file FILE or --password-env NAME", 1,
      true), err)
    assert.falsy(err:find("--header", 1, true), err)
  end)

  it("accepts numbers for durations in seconds and whole-number floats for counts", function()
    local s = t.script(("soapload.url = %q\nsoapload.rate = 40\nsoapload.duration = 0.5\n" ..
      "soapload.connections = 2.0\nsoapload.workers = 1\n"):format(mock.url))
    local code, out = t.run("-q " .. s)
    os.remove(s)
    assert.are.equal(0, code, out)
    assert.truthy(out:find("scheduled     20 =", 1, true), out)
  end)

  it("soapload(1)'s SYNOPSIS and OPTIONS are the usage lines and options --help prints",
    function()
      -- one table makes both (dist/docgen.c); the man page is where the full list is written
      local _, help = t.run("--help")
      local page = t.man("soapload.1")
      local usage = help:match("^Usage: (.-)\n[^ ]"):gsub("\n       ", "\n")
      local synopsis = assert(page:match("\nSYNOPSIS\n(.-)\n\n"), page)
      assert.are.equal(usage, (synopsis:gsub("\n       ", "\n"):gsub("^       ", "")))
      local doc = t.read(t.root .. "/docs/options.md")
      assert.are.equal(usage, doc:match("\n```\n(soapload .-)\n```\n"), "docs/options.md")
      local options = assert(help:match("\n\n(  %-.-)\n\nExit codes"), help)
      local section = assert(page:match("\nOPTIONS\n(.-)\nEXIT STATUS\n"), page)
      assert.are.equal(t.words(options), t.words(section))
      -- not merely the same run of words: each option and setting heads its own entry
      for head in options:gmatch("\n  (%-[^\n]-)  ") do
        assert.truthy(section:find("\n       " .. head .. "\n", 1, true), head)
      end
      assert.truthy(section:find("\n       %-%-json FILE\n"), section)
      assert.truthy(section:find("\n       %[stages%]\n"), section)
    end)
end)

describe("flags and settings, against the mock", function()
  local default = t.root .. "/scripts/examples/default.lua"
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  it("lets flags override the script's defaults", function()
    local script = t.script(([[
      soapload.url = "http://127.0.0.1:1/unused"
      soapload.rate = 10
      soapload.duration = 5
    ]]))
    local code, out = t.run(("-q -u %s -R 150 -d 1s -w 1 -c 3 %s"):format(mock.url, script))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("scheduled     150 =", 1, true), out)
    assert.truthy(out:find("1 worker x 3 connections", 1, true), out)
    assert.are.equal(150, mock.stats().ids.distinct)
    os.remove(script)
  end)

  it("names a missing script, bad flags, a bad URL and bad settings", function()
    local cases = {
      { "/nonexistent/x.lua", "cannot read script /nonexistent/x.lua" },
      { "--bogus " .. default, "unknown option '--bogus'" },
      { "-R -5 " .. default, "bad value '-5' for --rate" },
      { "-R 0 " .. default, "bad value '0' for --rate" },
      { "-d 0 " .. default, "bad value '0' for --duration" },
      { "-c -1 " .. default, "bad value '-1' for --connections" },
      { "-u ftp://host/x " .. default, "bad URL 'ftp://host/x'" },
      { "-u http://host:99999/ " .. default, "bad URL" },
      { "-H nocolon " .. default, "for --header: it wants 'Name: value'" },
      { "", "no script given" },
    }
    for _, case in ipairs(cases) do
      local code, _, err = t.run(case[1])
      assert.are.equal(2, code, case[1])
      assert.truthy(err:find(case[2], 1, true), case[1] .. " -> " .. err)
    end
    local script = t.script("soapload.url = 'http://127.0.0.1:1/'\nsoapload.rate = 'fast'\n")
    local code, _, err = t.run(script)
    assert.are.equal(2, code)
    assert.truthy(err:find("bad value 'fast' for soapload.rate: it wants a number of requests " ..
      "per second above 0", 1, true), err)
    os.remove(script)
    assert.are.equal(0, mock.stats().requests.total)
  end)
end)
