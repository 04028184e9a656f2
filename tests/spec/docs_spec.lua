-- docs_spec: what a newcomer reads first holds: README's two commands are the ones .ci/run and
-- the review hook look for, its first script is scripts/examples/first.lua and passes against
-- the mock as README says (counted by the mock), and every page README and docs/ link to is
-- there.
local t = require("support")

local readme = t.read(t.root .. "/README.md")

describe("README", function()
  it("gives the two commands, as they are run", function()
    assert.truthy(readme:find("\nscripts/run-default.sh      # the main job\n", 1, true))
    assert.truthy(readme:find("\nscripts/test.sh             # the whole test suite\n", 1, true))
  end)

  it("is short: a newcomer reads it to the end", function()
    local n = select(2, readme:gsub("\n", "\n"))
    assert.truthy(n <= 260, n .. " lines")
  end)

  it("shows scripts/examples/first.lua, which passes its thresholds against the mock", function()
    local shown = assert(readme:match("`scripts/examples/first.lua`:\n\n```lua\n(.-)```"))
    local file = t.read(t.root .. "/scripts/examples/first.lua")
    assert.are.equal(file:gsub("^%-%-[^\n]*\n", ""), shown)
    local mock = t.start_mock("--threads 1")
    finally(function() mock.stop() end)
    local code, out = t.run(("-u %s -d 1s -q %s"):format(mock.url,
      t.quote(t.root .. "/scripts/examples/first.lua")))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("scheduled     200 = sent 200 + not sent 0", 1, true), out)
    assert.truthy(out:find("Threshold       pass p99 < 100ms", 1, true), out)
    assert.are.equal(200, mock.stats().ids.distinct)
  end)

  it("and the pages under docs/ link only to files that exist", function()
    local pages = { "README.md", "mock/README.md" }
    -- every page under docs/, in its folders too (docs/ci/ holds CI examples beside its page)
    local p = io.popen("cd " .. t.quote(t.root) .. " && find docs -name '*.md' | sort")
    for name in p:lines() do pages[#pages + 1] = name end
    p:close()
    assert.truthy(#pages >= 14, #pages)
    for _, page in ipairs(pages) do
      local dir = page:match("^(.*)/") or "."
      for target in t.read(t.root .. "/" .. page):gmatch("%]%(([^)#:]+)[^)]*%)") do
        local path = t.root .. "/" .. dir .. "/" .. target
        assert.truthy(t.read(path) or os.rename(path, path), page .. " links to " .. target)
      end
    end
  end)
end)
