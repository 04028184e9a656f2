-- The HTML report, opened in headless Chromium: it must render its charts offline, without
-- a script error.
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

describe("the HTML report of a run whose server answered with markup", function()
  it("embeds the body escaped for its <script>: every chart and table renders in Chromium, " ..
    "the sample reads as sent, and the embedded JSON equals --json's", function()
    local server = t.start_bad_server("scriptbody")
    local html, json = t.tmpname(".html"), t.tmpname(".json")
    local code, out = t.run(("-q --html %s --json %s -u %s -R 20 -d 1s -c 1 -w 1 %s"):format(
      html, json, server.url, t.root .. "/scripts/examples/default.lua"))
    local _, _, processed = t.http(server.port, "GET", "/processed")
    server.stop()
    assert.are.equal(1, code, out)
    assert.are.equal("20", processed)
    local doc = t.read(html)
    local embedded = doc:match('<script type="application/json" id="soapload%-data">(.-)</script>')
    assert.truthy(embedded, "no data block")
    assert.falsy(embedded:find("[<>&]"), "raw markup in the data block")
    assert.falsy(embedded:find("\xe2\x80[\xa8\xa9]"), "raw U+2028/U+2029 in the data block")
    local from_html, from_json = t.json.decode(embedded), t.json.decode(t.read(json))
    assert.are.same(from_json, from_html)
    local body = "<html><!--<script>alert(1)</script> a & b > c \xe2\x80\xa8 d \xe2\x80\xa9 e</html>"
    assert.are.equal(body, from_html.failure_reasons.reasons[1].sample.body)
    assert.are.equal(20, from_html.summary.results.http_status)
    local dom = t.chromium_dom(html)
    os.remove(html)
    os.remove(json)
    assert.falsy(dom:find("data-error", 1, true))
    assert.truthy(dom:find('data-charts="5"', 1, true), dom:sub(1, 400))
    local tables = select(2, dom:gsub("<table", ""))
    assert.are.equal(9, tables) -- 8 of every run and the failure reasons: none lost
    assert.truthy(dom:find("&lt;html&gt;&lt;!--&lt;script&gt;alert(1)&lt;/script&gt; a &amp; b &gt; c",
      1, true), "the sample is not shown as text")
  end)
end)

describe("the HTML report of a ramp", function()
  it("draws the target as each second's share of the schedule, not flat at the mean", function()
    local mock = t.start_mock("")
    local html, json = t.tmpname(".html"), t.tmpname(".json")
    local script = t.script(([[
soapload.url = %q
soapload.stages = {{duration = "2s", target = 200}, {duration = "1s", target = 200}}
function request(id) return soapload.envelope(soapload.echo(id)) end
]]):format(mock.url))
    local code, out = t.run(("-q --html %s --json %s -w 1 -c 4 %s"):format(html, json, script))
    mock.stop()
    assert.are.equal(0, code, out)
    local doc = t.json.decode(t.read(json))
    assert.are.same({ 50, 150, 200 }, { doc.intervals[1].target, doc.intervals[2].target,
      doc.intervals[3].target })
    local dom = t.chromium_dom(html)
    os.remove(html)
    os.remove(json)
    os.remove(script)
    local d = dom:match('<path d="([^"]*)"[^>]*data%-series="target"')
    assert.truthy(d, "no target series")
    local ys = {}
    for y in d:gmatch("[ML][%d.]+ ([%d.]+)") do ys[#ys + 1] = tonumber(y) end
    assert.are.equal(3, #ys, d)
    -- y grows downwards: 50 lowest on the chart, then 150, then 200 highest
    assert.is_true(ys[1] > ys[2] and ys[2] > ys[3], d)
  end)
end)

describe("the HTML report of a run with scenarios and tags", function()
  it("has the summary's Scenarios and Tags tables, with the same counts, in Chromium", function()
    local mock = t.start_mock("")
    local html = t.tmpname(".html")
    local script = t.script(([[
soapload.url = %q
local function req(id, seq)
  return soapload.envelope(soapload.echo(id)), {tags = {tier = seq %% 2 == 0 and "gold" or "bronze"}}
end
soapload.operations = {{name = "A", weight = 1, request = req}, {name = "B", weight = 1, request = req}}
soapload.scenarios = {
  reads = {rate = 40, duration = "1s", operations = {"A"}},
  writes = {rate = 20, duration = "1s", operations = {"B"}},
}
]]):format(mock.url))
    local code, out = t.run(("--html %s -w 1 -c 4 %s"):format(html, script))
    local served = math.tointeger(mock.stats().requests.total)
    mock.stop()
    os.remove(script)
    assert.are.equal(0, code, out)
    assert.are.equal(60, served)
    local dom = t.chromium_dom(html)
    os.remove(html)
    assert.falsy(dom:find("data-error", 1, true))
    assert.truthy(dom:find('data-charts="7"', 1, true), dom:sub(1, 400))
    -- the summary's rows: scheduled, sent, not sent, before send, ok, failed
    assert.truthy(out:find("\n  reads                    40         40          0            0         40" ..
      "          0", 1, true), out)
    assert.truthy(dom:find('<h2 id="scenarios-title">Scenarios</h2>', 1, true))
    assert.truthy(dom:find("<td>reads</td><td>40</td><td>40</td><td>0</td><td>0</td><td>40</td><td>0</td>",
      1, true), dom)
    assert.truthy(dom:find("<td>writes</td><td>20</td><td>20</td><td>0</td><td>0</td><td>20</td><td>0</td>",
      1, true))
    -- the Tags table: every tag value, the scenarios' among them, as the summary lists them
    assert.truthy(out:find("\n  tier             gold                 30         30         30          0" ..
      "          0", 1, true), out)
    assert.truthy(dom:find('<h2 id="tags-title">Tags</h2>', 1, true))
    for _, row in ipairs({ { "tier", "gold", 30 }, { "tier", "bronze", 30 }, { "scenario", "reads", 40 },
                           { "scenario", "writes", 20 } }) do
      assert.truthy(dom:find(("<td>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>0</td><td>0</td>")
        :format(row[1], row[2], row[3], row[3], row[3]), 1, true), row[2])
    end
  end)
end)
