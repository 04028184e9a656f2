-- What a scenario script can and cannot do: math.random's seeds, what request() may return,
-- the sandbox (text only, no process control), the hook limit inside C functions, and the
-- output of io.write from the workers. Each runs soapload against the real mock.
package.path = (os.getenv("SOAPLOAD_SOURCE_DIR") or ".") .. "/tests/spec/?.lua;" .. package.path
local t = require("support")

-- A scratch directory that the scripts of one test write into.
local function scratch()
  local dir = t.tmpname(".d")
  assert(os.execute("mkdir -p " .. t.quote(dir)))
  return dir
end

local function remove_dir(dir) os.execute("rm -rf " .. t.quote(dir)) end

-- The lines of a file, as a list.
local function lines(path)
  local list = {}
  for line in (t.read(path) or ""):gmatch("[^\n]+") do list[#list + 1] = line end
  return list
end

-- init() writes 200 draws of math.random to DIR/w<worker>, request() 1 more per request.
local DRAWS = [[
  soapload.rate = 20
  soapload.duration = 1
  function init(args)
    local f = assert(io.open(args[1] .. "/w" .. soapload.worker, "w"))
    for _ = 1, 200 do f:write(math.random(1, 1000000000), "\n") end
    f:close()
  end
]]

local function draws(dir, worker) return lines(dir .. "/w" .. worker) end

local function has_flag(flag)
  local _, out, err = t.run("--help")
  return ((out or "") .. (err or "")):find(flag, 1, true) ~= nil
end

describe("math.random in scripts", function()
  local mock
  setup(function() mock = t.start_mock() end)
  teardown(function() mock.stop() end)

  it("draws a different sequence in each worker, and another one in each run", function()
    local script, dir = t.script(DRAWS), scratch()
    local code, out, err = t.run(("-q -w 3 -u %s %s %s"):format(mock.url, script, dir))
    assert.are.equal(0, code, (out or "") .. (err or ""))
    local w1, w2, w3 = draws(dir, 1), draws(dir, 2), draws(dir, 3)
    assert.are.equal(200, #w1)
    assert.are.equal(200, #w2)
    assert.are.equal(200, #w3)
    local same12, same13 = 0, 0
    for i = 1, 200 do
      if w1[i] == w2[i] then same12 = same12 + 1 end
      if w1[i] == w3[i] then same13 = same13 + 1 end
    end
    assert.is_true(same12 < 5, same12 .. " of 200 draws equal in workers 1 and 2")
    assert.is_true(same13 < 5, same13 .. " of 200 draws equal in workers 1 and 3")
    -- a second run without a seed draws other numbers
    assert.are.equal(0, (t.run(("-q -w 3 -u %s %s %s"):format(mock.url, script, dir))))
    local again, same = draws(dir, 1), 0
    for i = 1, 200 do
      if again[i] == w1[i] then same = same + 1 end
    end
    assert.is_true(same < 5, same .. " of 200 draws equal in two runs without a seed")
    remove_dir(dir)
    os.remove(script)
  end)

  it("repeats every worker's draws in a run with the same --seed", function()
    if not has_flag("--seed") then
      pending("--seed is not a flag yet")
      return
    end
    local script, dir = t.script(DRAWS), scratch()
    local run = function(seed)
      local code, out, err = t.run(("-q -w 2 --seed %d -u %s %s %s"):format(seed, mock.url,
        script, dir))
      assert.are.equal(0, code, (out or "") .. (err or ""))
      return draws(dir, 1), draws(dir, 2)
    end
    local a1, a2 = run(42)
    local b1, b2 = run(42)
    assert.are.same(a1, b1)
    assert.are.same(a2, b2)
    assert.are_not.same(a1, a2)
    local c1 = run(43)
    assert.are_not.same(a1, c1)
    remove_dir(dir)
    os.remove(script)
  end)
end)
