-- install_spec: `cmake --install` of the build under test puts the binaries, man pages,
-- completions and examples where Debian looks for them (GNUInstallDirs), and the installed
-- soapload runs the installed example, from its installed place, against the installed mock.
-- (scripts/check-deb.sh does the same from the .deb on a clean Debian 12 root.)
local t = require("support")

local build = t.bin:match("^(.*)/[^/]*$") or "."

describe("cmake --install", function()
  local prefix
  setup(function()
    prefix = t.tmpname(".prefix")
    local p = io.popen(("cmake --install %s --prefix %s 2>&1; echo \"exit=$?\""):format(
      t.quote(build), t.quote(prefix)))
    local out = p:read("a")
    p:close()
    assert(out:find("exit=0", 1, true), out)
  end)
  teardown(function() os.execute("rm -rf " .. t.quote(prefix)) end)

  it("puts each file in its usual place", function()
    local p = io.popen(("cd %s && find . -type f | sort"):format(t.quote(prefix)))
    local files = {}
    for line in p:lines() do files[line] = true end
    p:close()
    for _, f in ipairs({ "./bin/soapload", "./bin/soapload-mock",
                         "./share/man/man1/soapload.1", "./share/man/man1/soapload-mock.1",
                         "./share/man/man7/soapload-scripting.7",
                         "./share/bash-completion/completions/soapload",
                         "./share/bash-completion/completions/soapload-mock",
                         "./share/zsh/vendor-completions/_soapload",
                         "./share/doc/soapload/examples/default.lua",
                         "./share/doc/soapload/examples/orders.wsdl",
                         "./share/doc/soapload/examples/data/customers.csv" }) do
      assert.truthy(files[f], f .. " is not installed")
    end
  end)

  it("installs man pages that man finds by name", function()
    for _, case in ipairs({ { "soapload", "SOAPLOAD(1)" }, { "soapload-mock", "SOAPLOAD-MOCK(1)" },
                            { "soapload-scripting", "SOAPLOAD-SCRIPTING(7)" } }) do
      local p = io.popen(("LC_ALL=C MANWIDTH=100 man -M %s %s 2>&1"):format(
        t.quote(prefix .. "/share/man"), case[1]))
      local page = p:read("a")
      p:close()
      assert.truthy(page:find("^" .. case[2]:gsub("%p", "%%%0")), page)
    end
  end)

  it("runs the installed example against the installed mock, every request counted by it",
    function()
      local saved = t.mock_bin
      t.mock_bin = prefix .. "/bin/soapload-mock"
      local mock = t.start_mock("--threads 1")
      t.mock_bin = saved
      finally(function() mock.stop() end)
      local examples = prefix .. "/share/doc/soapload/examples"
      -- data_file.lua reads data/customers.csv next to it: 8 rows, each sent once
      local p = io.popen(("cd / && %s -u %s -R 40 -d 0.2s -w 2 -c 2 %s/data_file.lua 2>&1; " ..
        "echo \"exit=$?\""):format(t.quote(prefix .. "/bin/soapload"), t.quote(mock.url),
        t.quote(examples)))
      local out = p:read("a")
      p:close()
      assert.truthy(out:find("exit=0", 1, true), out)
      assert.truthy(out:find("scheduled     8 = sent 8 + not sent 0", 1, true), out)
      local stats = mock.stats()
      assert.are.equal(8, stats.requests.echo)
      assert.are.equal(8, stats.ids.distinct)
    end)
end)
