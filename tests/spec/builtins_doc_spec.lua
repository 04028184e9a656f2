-- docs/builtins.md: every built-in of the soapload table is documented there, and every
-- example in it runs as written (in a worker's init(), through --dry-run: nothing is sent).
local t = require("support")

local doc = t.read(t.root .. "/docs/builtins.md")

describe("docs/builtins.md", function()
  it("runs every example as written", function()
    local blocks = {}
    for code in doc:gmatch("```lua\n(.-)```") do
      blocks[#blocks + 1] = "do\n" .. code .. "end\n"
    end
    assert.is_true(#blocks >= 7)
    local script = t.script("soapload.url = 'http://127.0.0.1:9/'\nsoapload.rate = 1\n" ..
      "function init()\n" .. table.concat(blocks) .. "print('EXAMPLES RAN " .. #blocks ..
      "')\nend\n")
    local code, out, err = t.run("--dry-run 1 " .. script)
    os.remove(script)
    assert.are.equal(0, code, out .. err)
    assert.truthy(out:find("EXAMPLES RAN " .. #blocks, 1, true), out .. err)
  end)

  it("names every function of the soapload table and of soapload.xml", function()
    local script = t.script([[
soapload.url = 'http://127.0.0.1:9/'
soapload.rate = 1
local names = {}
for k, v in pairs(soapload) do
  if type(v) == "function" then names[#names + 1] = "soapload." .. k end
end
for k in pairs(soapload.xml) do names[#names + 1] = "soapload.xml." .. k end
table.sort(names)
function init() print("BUILTINS " .. table.concat(names, " ")) end
]])
    local code, out, err = t.run("--dry-run 1 " .. script)
    os.remove(script)
    assert.are.equal(0, code, err)
    local list = out:match("BUILTINS ([^\n]+)")
    assert.truthy(list, out)
    local n = 0
    for name in list:gmatch("%S+") do
      n = n + 1
      assert.truthy(doc:find("`" .. name .. "(", 1, true), name .. " is not in docs/builtins.md")
    end
    assert.is_true(n >= 14, list)
  end)
end)
