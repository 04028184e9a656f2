-- The smaller examples in scripts/examples run cleanly against the real mock as they are
-- shipped: soap12.lua as SOAP 1.2, custom_check.lua with its own check, data_file.lua with its
-- own rate and duration (each of its 8 rows once). The default example has default_run_spec,
-- orders.lua orders_spec, first.lua docs_spec.
local t = require("support")

local function examples(name) return t.root .. "/scripts/examples/" .. name end

describe("the examples", function()
  local mock = t.shared_mock()
  before_each(function() mock.reset() end)

  it("runs the SOAP 1.2 example as SOAP 1.2", function()
    local code, out = t.run(("-q -u %s -R 100 -d 1s %s"):format(mock.url, examples("soap12.lua")))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("(SOAP 1.2)", 1, true))
    assert.are.equal(100, mock.stats().requests.echo)
  end)

  it("runs the custom-check and data-file examples cleanly", function()
    local code, out = t.run(("-q -u %s -R 100 -d 1s %s strict"):format(mock.url,
      examples("custom_check.lua")))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("custom_check: 100 ok of 100 sent", 1, true), out)
    -- data_file sends each of its 8 rows once (its own rate and duration give 8 requests)
    code, out = t.run(("-q -u %s %s"):format(mock.url, examples("data_file.lua")))
    assert.are.equal(0, code, out)
    assert.truthy(out:find("sent          8 = ok 8 +", 1, true), out)
  end)
end)
