-- deb_spec: scripts/check-deb.sh builds the .deb with CPack, installs it with apt on a clean
-- Debian 12 root (debootstrap) and runs the installed example against the installed mock
-- there; the package pulls in runtime libraries only.
-- OPT-IN: it needs root, debootstrap and deb.debian.org, and its first run builds a release
-- tree and the root (over a minute on two busy cores; about 15 s when both are cached):
-- it runs only with SOAPLOAD_DEB_TEST=1 or SOAPLOAD_LONG=1.
local t = require("support")

if os.getenv("SOAPLOAD_DEB_TEST") ~= "1" and os.getenv("SOAPLOAD_LONG") ~= "1" then
  describe("the .deb on a clean Debian 12 (scripts/check-deb.sh)", function()
    pending("skipped: set SOAPLOAD_DEB_TEST=1 (or SOAPLOAD_LONG=1) to build the .deb and " ..
      "install it on a debootstrap root (needs root and deb.debian.org)")
  end)
  return
end

describe("the .deb on a clean Debian 12 (scripts/check-deb.sh)", function()
  it("installs with its runtime libraries only, and its example passes against its mock",
    function()
      local p = io.popen(t.quote(t.root .. "/scripts/check-deb.sh") .. " 2>&1; echo \"exit=$?\"")
      local out = p:read("a")
      p:close()
      assert.truthy(out:find("\nexit=0", 1, true), out)
      local depends = assert(out:match("Depends: ([^\n]+)"), out)
      for dep in depends:gmatch("([%w.+-]+) %(") do
        assert.truthy(dep:find("^lib"), "Depends names " .. dep)
      end
      local added = assert(out:match("apt installed: ([^\n]+)"), out)
      for pkg in added:gmatch("%S+") do
        assert.truthy(pkg == "soapload" or pkg:find("^lib") and not pkg:find("%-dev$"), pkg)
      end
      local n = tonumber(out:match("the installed example sent (%d+) requests; the installed " ..
        "mock received each once"))
      assert.are.equal(2000, n, out)
      assert.truthy(out:find("check-deb: PASS", 1, true), out)
    end)
end)
