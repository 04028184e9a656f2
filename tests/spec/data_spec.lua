-- Test data: soapload.csv against the real mock, with the IDs the mock received as the proof
-- of which rows were sent: each row once across the workers (unique), every row in turn
-- (cycle), each worker its own rows (for_worker); RFC 4180 fields as the script sees them;
-- a bad file stops the run before anything is sent, naming the file and the line; uuid()
-- and pick() repeat with --seed.
local t = require("support")

-- A directory with the script and its data file side by side; returns the script's path.
local function scenario(script, files)
  local dir = t.tmpname(".d")
  assert(os.execute("mkdir -p " .. t.quote(dir)))
  for name, text in pairs(files or {}) do
    assert(os.execute("mkdir -p " .. t.quote(dir .. "/" .. (name:match("^(.*)/") or "."))))
    t.write(dir .. "/" .. name, text)
  end
  return t.write(dir .. "/scenario.lua", script), dir
end

-- Runs a scenario against a fresh mock that logs IDs; returns code, output, {id = count}, total.
local function run_logged(args, path)
  local log = t.tmpname(".ids")
  local mock = t.start_mock("--id-log " .. log)
  local ok, code, out, err = pcall(t.run, ("-q %s -u %s %s"):format(args, mock.url, path))
  local stats = mock.stats()
  mock.stop()
  assert(ok, code)
  local ids, total = {}, 0
  for id in io.lines(log) do
    ids[id] = (ids[id] or 0) + 1
    total = total + 1
  end
  os.remove(log)
  assert.are.equal(total, math.tointeger(stats.requests.total)) -- the log is whole
  return code, out .. (err or ""), ids, total
end

local rows = "key,label\nk1,one\nk2,two\nk3,three\nk4,four\n"

local function take(method)
  return ([[
    local data = soapload.csv("rows.csv")
    function request(_, seq)
      local row, pass = data:%s(seq)
      local id = row.key .. "#" .. tostring(pass) .. "@w" .. soapload.worker
      return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' .. id ..
        '</e:RequestId></e:Echo>'), { id = id }
    end
  ]]):format(method)
end

-- The IDs counted by key#pass, whatever the worker.
local function by_row(ids)
  local n = {}
  for id, c in pairs(ids) do
    local k = id:match("^(.-)@w")
    n[k] = (n[k] or 0) + c
  end
  return n
end

describe("soapload.csv", function()
  it("unique: 4 rows, 3 workers, 4 requests: each row once at the mock, row k from worker (k-1) % 3 + 1", function()
    local path, dir = scenario(take("unique"), { ["rows.csv"] = rows })
    local code, out, ids, total = run_logged("-w 3 -c 3 -R 100 -d 40ms", path)
    t.remove_tree(dir)
    assert.are.equal(0, code, out)
    assert.are.equal(4, total)
    -- unique's second value is the row's number in the run
    for k = 1, 4 do
      assert.are.equal(1, ids[("k%d#%d@w%d"):format(k, k, (k - 1) % 3 + 1)], out)
    end
  end)

  it("cycle: 10 requests over 4 rows from 3 workers: passes 1 and 2 whole, pass 3 rows 1-2", function()
    local path, dir = scenario(take("cycle"), { ["rows.csv"] = rows })
    local code, out, ids, total = run_logged("-w 3 -c 3 -R 100 -d 100ms", path)
    t.remove_tree(dir)
    assert.are.equal(0, code, out)
    assert.are.equal(10, total)
    local n = by_row(ids)
    for k = 1, 4 do
      assert.are.equal(1, n["k" .. k .. "#1"], out)
      assert.are.equal(1, n["k" .. k .. "#2"], out)
    end
    assert.are.equal(1, n["k1#3"])
    assert.are.equal(1, n["k2#3"])
  end)

  it("for_worker: 2 workers, 4 rows, 8 requests: worker 1 sends rows 1 and 3 twice each, worker 2 rows 2 and 4", function()
    local path, dir = scenario(take("for_worker"), { ["rows.csv"] = rows })
    local code, out, ids, total = run_logged("-w 2 -c 2 -R 100 -d 80ms", path)
    t.remove_tree(dir)
    assert.are.equal(0, code, out)
    assert.are.equal(8, total)
    for _, id in ipairs({ "k1#1@w1", "k3#1@w1", "k1#2@w1", "k3#2@w1",
                          "k2#1@w2", "k4#1@w2", "k2#2@w2", "k4#2@w2" }) do
      assert.are.equal(1, ids[id], id .. "\n" .. out)
    end
  end)

  it("reads RFC 4180: quotes, doubled quotes, CRLF, a line break in a field; header names and indexes", function()
    local csv = 'name,note\r\n"Smith, J.","says ""hi"""\r\n"two\nlines",plain\r\n'
    local path, dir = scenario([[
      local d = soapload.csv("data/people.csv")
      assert(#d == 2, "rows: " .. #d)
      local a, b = d:row(1), d:row(2)
      assert(a.name == "Smith, J." and a[1] == a.name, a.name)
      assert(a.note == 'says "hi"', a.note)
      assert(b.name == "two\nlines" and b[2] == "plain", b.name)
      local cols = d:columns()
      assert(#cols == 2 and cols[1] == "name" and cols[2] == "note")
      local semi = soapload.csv("data/semi.csv", { header = false, separator = ";" })
      assert(#semi == 2 and semi:row(2)[2] == "d" and semi:row(1).a == nil)
      function request(id) return soapload.envelope(soapload.echo(id)) end
    ]], { ["data/people.csv"] = "", ["data/semi.csv"] = "a;b\nc;d\n" })
    t.write(dir .. "/data/people.csv", csv)
    local code, out, _, total = run_logged("-w 1 -c 1 -R 100 -d 20ms", path)
    t.remove_tree(dir)
    assert.are.equal(0, code, out)
    assert.are.equal(2, total)
  end)

  it("refuses a bad file before sending anything, naming the file and the line (exit 2)", function()
    local cases = {
      { "a,b\n1,2\n3\n", "rows.csv:3: 1 field, but the header (line 1) has 2" },
      { 'a,b\n1,"open\n', "rows.csv:2: the quoted field 2 is never closed" },
      { 'a,b\n1,x"y\n', "rows.csv:2: a quote inside the unquoted field 2" },
      { "a,a\n1,2\n", "rows.csv: the header names the column 'a' twice" },
      { nil, "cannot read " },
    }
    for _, case in ipairs(cases) do
      local path, dir = scenario('local d = soapload.csv("rows.csv")\n' ..
        'function request(id) return soapload.envelope(soapload.echo(id)) end',
        { ["rows.csv"] = case[1] })
      local code, out, _, total = run_logged("-w 1 -c 1 -R 100 -d 20ms", path)
      t.remove_tree(dir)
      assert.are.equal(2, code, out)
      assert.truthy(out:find(case[2], 1, true), out)
      assert.truthy(out:find("scenario.lua:1:", 1, true), out) -- where the script called it
      assert.are.equal(0, total)
    end
  end)

  it("refuses unknown options and a bad separator", function()
    for opts, want in pairs({ ['{sep = ";"}'] = "unknown option 'sep'",
                              ['{separator = ";;"}'] = "separator must be one character",
                              ['{header = "yes"}'] = "header = true or false" }) do
      local path, dir = scenario(('local d = soapload.csv("rows.csv", %s)'):format(opts),
        { ["rows.csv"] = rows })
      local code, out, err = t.run("-u http://127.0.0.1:9/ -R 1 " .. path)
      t.remove_tree(dir)
      assert.are.equal(2, code, out)
      assert.truthy(err:find(want, 1, true), err)
    end
  end)
end)

describe("soapload.uuid and soapload.pick", function()
  local script = [[
    local colours = { "red", "green", "blue" }
    function request(_, seq)
      local id = soapload.uuid() .. "/" .. soapload.pick(colours)
      return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' .. id ..
        '</e:RequestId></e:Echo>'), { id = id }
    end
  ]]

  it("give version 4 UUIDs, all distinct, and list elements; the same with the same --seed", function()
    local path, dir = scenario(script)
    local function ids(seed)
      local code, out, got, total = run_logged("--seed " .. seed .. " -w 2 -c 2 -R 200 -d 100ms", path)
      assert.are.equal(0, code, out)
      assert.are.equal(20, total)
      local list = {}
      for id, c in pairs(got) do
        assert.are.equal(1, c, id)
        assert.truthy(id:match("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-4%x%x%x%-[89ab]%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x/%a+$"), id)
        assert.truthy(({ red = 1, green = 1, blue = 1 })[id:match("/(%a+)$")], id)
        list[#list + 1] = id
      end
      table.sort(list)
      return table.concat(list, "\n")
    end
    local a, b, c = ids(42), ids(42), ids(43)
    t.remove_tree(dir)
    assert.are.equal(a, b)
    assert.are_not.equal(a, c)
  end)
end)
