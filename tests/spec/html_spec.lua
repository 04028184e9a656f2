-- The HTML report, opened in headless Chromium: it must render its charts offline, without
-- a script error.
package.path = (os.getenv("SOAPLOAD_SOURCE_DIR") or ".") .. "/tests/spec/?.lua;" .. package.path
local t = require("support")

describe("the HTML report", function()
  local mock, html
  setup(function()
    mock = t.start_mock("")
    html = t.tmpname(".html")
    local code, out = t.run(("-q --html %s --threshold 'p99 < 5s' -u %s -R 200 -d 3s %s"):format(
      html, mock.url, t.root .. "/scripts/examples/default.lua"))
    assert.are.equal(0, code, out)
  end)
  teardown(function()
    mock.stop()
    os.remove(html)
  end)

  it("is one self-contained file: no external resources", function()
    local doc = t.read(html)
    assert.truthy(doc:find("<!DOCTYPE html>", 1, true))
    assert.falsy(doc:find("<script src", 1, true))
    assert.falsy(doc:find("<link", 1, true))
    assert.falsy(doc:find("https?://[%w.]+/[%w/]*%.js"))
    assert.truthy(doc:find('"schema": "soapload-results/1"', 1, true))
  end)

  it("renders every chart in Chromium with data and no script error", function()
    local dom = t.chromium("--dump-dom file://" .. html)
    assert.truthy(dom:find('data-charts="5"', 1, true), dom:sub(1, 400))
    assert.falsy(dom:find("data-error", 1, true))
    local svgs = 0
    for svg in dom:gmatch("<svg.-</svg>") do
      svgs = svgs + 1
      local longest = 0
      for d in svg:gmatch('<path d="([^"]*)"') do longest = math.max(longest, #d) end
      assert.is_true(longest > 20, "an empty chart: " .. svg:sub(1, 200))
    end
    assert.are.equal(5, svgs)
    -- the summary tables hold the run's numbers
    assert.truthy(dom:find("<td>scheduled</td><td>600</td>", 1, true))
    assert.truthy(dom:find("p99 &lt; 5s", 1, true))
  end)

  it("takes a screenshot with something drawn on it", function()
    local png = t.tmpname(".png")
    t.chromium("--window-size=1200,2400 --screenshot=" .. png .. " file://" .. html)
    local data = t.read(png)
    assert.truthy(data and data:sub(2, 4) == "PNG", "no screenshot")
    assert.is_true(#data > 30000, "the screenshot is nearly blank: " .. #data .. " bytes")
    os.remove(png)
  end)
end)

describe("the HTML report of a run with operations", function()
  it("shows each operation's counts and latency spectrum, rendered in Chromium", function()
    local mock = t.start_mock("")
    local html = t.tmpname(".html")
    local script = t.script([[
soapload.operations = {
  {name = "GetOrder", weight = 3, request = function(id) return soapload.envelope(soapload.echo(id)) end},
  {name = "PlaceOrder", weight = 1, request = function(id) return soapload.envelope(soapload.echo(id)) end},
}
]])
    local code, out = t.run(("-q --html %s -u %s -R 200 -d 2s %s"):format(html, mock.url, script))
    mock.stop()
    assert.are.equal(0, code, out)
    local dom = t.chromium("--dump-dom file://" .. html)
    os.remove(html)
    os.remove(script)
    assert.falsy(dom:find("data-error", 1, true))
    assert.truthy(dom:find('data-charts="7"', 1, true), dom:sub(1, 400))
    assert.truthy(dom:find("Latency by operation", 1, true))
    assert.truthy(dom:find("Latency by operation over time", 1, true))
    assert.truthy(dom:find("<td>GetOrder</td><td>3</td><td>300</td><td>300</td><td>300</td><td>0</td><td>0</td>",
      1, true))
    assert.truthy(dom:find("<td>PlaceOrder</td><td>1</td><td>100</td><td>100</td><td>100</td><td>0</td><td>0</td>",
      1, true))
  end)
end)
