-- completion_spec: the bash completion soapload-docgen makes from the option tables, run in a
-- real bash: every flag --help prints is offered, values are offered from the table (a file
-- for FILE, the choices of "1.1|1.2"), the subcommands and the files each one takes.
local t = require("support")

local dir = t.bin:match("^(.*)/[^/]*$") or "."
local script = dir .. "/completion/soapload"

-- What bash offers for the command line `words` (the last one being completed) in `cwd`,
-- sorted. `fn` is the completion function (_soapload or _soapload_mock).
local function complete(cwd, fn, words)
  local quoted = {}
  for i, w in ipairs(words) do quoted[i] = t.quote(w) end
  local cmd = ("cd %s && source %s && COMP_WORDS=(%s) && COMP_CWORD=%d && { %s; " ..
    "printf '%%s\\n' \"${COMPREPLY[@]}\"; }"):format(t.quote(cwd), t.quote(script),
    table.concat(quoted, " "), #words - 1, fn)
  local p = io.popen("bash --norc --noprofile -c " .. t.quote(cmd) .. " 2>&1")
  local out = p:read("a")
  p:close()
  local got = {}
  for line in out:gmatch("[^\n]+") do got[#got + 1] = line end
  table.sort(got)
  return got
end

-- Every flag, short and long, in a --help text.
local function flags_of(help)
  local flags = {}
  for line in help:gmatch("[^\n]+") do
    local short, long = line:match("^  %-(%a), %-%-([%w-]+)")
    if short then
      flags[#flags + 1] = "-" .. short
    else
      long = line:match("^      %-%-([%w-]+)")
    end
    if long then flags[#flags + 1] = "--" .. long end
  end
  table.sort(flags)
  return flags
end

-- The subcommands' --help texts (merge, its --trace and --listen forms, compare), each with
-- the long flags it prints ("  --json FILE   ..." or "  -q, --quiet ...").
local function sub_flags()
  local cases = {}
  for _, args in ipairs({ "merge", "merge --trace", "merge --listen", "compare" }) do
    local p = io.popen(t.quote(t.bin) .. " " .. args .. " --help")
    local help = p:read("a")
    local ok = p:close()
    assert(ok, args .. " --help failed: " .. help)
    local flags = {}
    for line in help:gmatch("[^\n]+") do
      local long = line:match("^  %-%a, (%-%-[%w-]+)") or line:match("^  (%-%-[%w-]+)")
      if long then flags[#flags + 1] = long end
    end
    assert.truthy(#flags >= 2, args)
    cases[#cases + 1] = { sub = args:match("^%a+"), args = args, flags = flags }
  end
  return cases
end

describe("bash completion of soapload", function()
  local cwd
  setup(function()
    cwd = t.tmpname(".comp")
    os.execute(("mkdir -p %s/sub && cd %s && touch a.lua b.json c.csv d.wsdl e.txt"):format(
      t.quote(cwd), t.quote(cwd)))
  end)
  teardown(function() os.execute("rm -rf " .. t.quote(cwd)) end)

  it("offers every flag --help prints, and no other", function()
    local want = flags_of(t.help(t.bin))
    assert.truthy(#want > 50, #want)
    want[#want + 1] = "--reconcile"
    table.sort(want)
    assert.are.same(want, complete(cwd, "_soapload", { "soapload", "-" }))
  end)

  it("completes a long flag from its start", function()
    assert.are.same({ "--duration" }, complete(cwd, "_soapload", { "soapload", "--dur" }))
    assert.are.same({ "--key", "--key-password-env", "--key-password-file" },
      complete(cwd, "_soapload", { "soapload", "-R", "10", "--key" }))
  end)

  it("offers the subcommands and the .lua scripts first, then any file after the script",
    function()
      assert.are.same({ "a.lua", "compare", "merge", "sub", "wsdl" },
        complete(cwd, "_soapload", { "soapload", "" }))
      assert.are.same({ "a.lua", "sub" },
        complete(cwd, "_soapload", { "soapload", "-R", "10", "--dry-run", "3", "" }))
      assert.are.same({ "a.lua", "b.json", "c.csv", "d.wsdl", "e.txt", "sub" },
        complete(cwd, "_soapload", { "soapload", "-d", "1s", "a.lua", "" }))
    end)

  it("offers a value from the option table: files for FILE, the choices of 1.1|1.2", function()
    assert.are.same({ "a.lua", "b.json", "c.csv", "d.wsdl", "e.txt", "sub" },
      complete(cwd, "_soapload", { "soapload", "--json", "" }))
    assert.are.same({ "sub" }, complete(cwd, "_soapload", { "soapload", "--capath", "" }))
    assert.are.same({ "1.1", "1.2" }, complete(cwd, "_soapload", { "soapload", "--soap", "" }))
    assert.are.same({ "1.1", "2" }, complete(cwd, "_soapload", { "soapload", "--http", "" }))
    assert.are.same({}, complete(cwd, "_soapload", { "soapload", "-R", "" }))
    -- --json=FILE, which bash splits at '='
    assert.are.same({ "b.json" }, complete(cwd, "_soapload", { "soapload", "--json", "=", "b" }))
    assert.are.same({ "a.lua", "b.json", "c.csv", "d.wsdl", "e.txt", "sub" },
      complete(cwd, "_soapload", { "soapload", "--json", "=" }))
    assert.are.same({ "1.1", "1.2" },
      complete(cwd, "_soapload", { "soapload", "--soap", "=", "1" }))
    assert.are.same({ "a.lua", "sub" },
      complete(cwd, "_soapload", { "soapload", "--json", "=", "out.json", "-d", "1s", "" }))
  end)

  it("offers every flag each subcommand's --help prints", function()
    for _, case in ipairs(sub_flags()) do
      local got = {}
      for _, f in ipairs(complete(cwd, "_soapload", { "soapload", case.sub, "--" })) do
        got[f] = true
      end
      for _, flag in ipairs(case.flags) do
        assert.truthy(got[flag], case.args .. ": " .. flag .. " is not offered")
      end
    end
  end)

  it("offers each subcommand's files", function()
    assert.are.same({ "b.json", "sub" }, complete(cwd, "_soapload", { "soapload", "merge", "" }))
    assert.are.same({ "b.json", "c.csv", "sub" },
      complete(cwd, "_soapload", { "soapload", "merge", "--trace", "x.csv", "" }))
    assert.are.same({ "--listen" }, complete(cwd, "_soapload", { "soapload", "merge", "--li" }))
    assert.are.same({ "a.lua", "b.json", "c.csv", "d.wsdl", "e.txt", "sub" }, -- any file
      complete(cwd, "_soapload", { "soapload", "merge", "--expect", "3", "--token-file", "" }))
    assert.are.same({ "b.json", "sub" },
      complete(cwd, "_soapload", { "soapload", "compare", "b.json", "" }))
    assert.are.same({ "d.wsdl", "sub" }, complete(cwd, "_soapload", { "soapload", "wsdl", "" }))
    assert.are.same({ "a.lua", "sub" },
      complete(cwd, "_soapload", { "soapload", "wsdl", "d.wsdl", "-o", "" }))
  end)
end)

describe("bash completion of soapload-mock", function()
  it("offers every flag --help prints, and files for --wsdl and --id-log", function()
    local cwd = t.tmpname(".comp")
    finally(function() os.execute("rm -rf " .. t.quote(cwd)) end)
    os.execute(("mkdir -p %s && touch %s/d.wsdl %s/e.txt"):format(t.quote(cwd), t.quote(cwd),
      t.quote(cwd)))
    assert.are.same(flags_of(t.help(t.mock_bin)),
      complete(cwd, "_soapload_mock", { "soapload-mock", "-" }))
    assert.are.same({ "d.wsdl" }, complete(cwd, "_soapload_mock", { "soapload-mock", "--wsdl", "" }))
    assert.are.same({ "d.wsdl", "e.txt" },
      complete(cwd, "_soapload_mock", { "soapload-mock", "-p", "0", "--id-log", "" }))
    assert.are.same({}, complete(cwd, "_soapload_mock", { "soapload-mock", "--port", "" }))
  end)
end)

-- What zsh offers for `line` typed in `cwd` then Tab, sorted (tests/spec/fixtures/complete.zsh
-- drives an interactive zsh on a pseudo-terminal).
local function zcomplete(cwd, home, line)
  local cmd = ("cd %s && timeout 20 zsh -f %s %s %s %s"):format(t.quote(cwd),
    t.quote(t.root .. "/tests/spec/fixtures/complete.zsh"), t.quote(dir .. "/completion"),
    t.quote(home), t.quote(line))
  local p = io.popen(cmd .. " 2>&1")
  local got = {}
  for l in p:lines() do got[#got + 1] = l end
  p:close()
  table.sort(got)
  return got
end

describe("zsh completion", function()
  local zsh = io.popen("command -v zsh"):read("l")
  local zdir = dir .. "/completion"
  local cwd, home
  setup(function()
    cwd, home = t.tmpname(".comp"), t.tmpname(".zsh")
    os.execute(("mkdir -p %s/sub %s && cd %s && touch a.lua b.json c.csv"):format(t.quote(cwd),
      t.quote(home), t.quote(cwd)))
  end)
  teardown(function() os.execute("rm -rf " .. t.quote(cwd) .. " " .. t.quote(home)) end)

  it("completes flags, values from the table, subcommands and files in a real zsh", function()
    if not zsh then
      pending("zsh is not installed (third_party/DEPENDENCIES: test group)")
      return
    end
    assert.are.same({ "--duration" }, zcomplete(cwd, home, "soapload --dur"))
    assert.are.same({ "1.1", "1.2" }, zcomplete(cwd, home, "soapload --soap "))
    assert.are.same({ "a.lua", "compare", "merge", "sub", "wsdl" },
      zcomplete(cwd, home, "soapload "))
    assert.are.same({ "a.lua", "b.json", "c.csv", "sub" },
      zcomplete(cwd, home, "soapload -R 10 a.lua "))
    assert.are.same({ "b.json", "sub" }, zcomplete(cwd, home, "soapload merge "))
    assert.are.same({ "b.json", "c.csv", "sub" }, zcomplete(cwd, home, "soapload merge --trace "))
    assert.are.same({ "--serve-for" }, zcomplete(cwd, home, "soapload merge --serve-"))
    assert.are.same({ "--fault-rate", "--fault-when" },
      zcomplete(cwd, home, "soapload-mock --fault-"))
  end)

  it("has an _arguments spec for every flag --help prints", function()
    if not zsh then
      pending("zsh is not installed (third_party/DEPENDENCIES: test group)")
      return
    end
    assert.are.equal(0, os.execute("zsh -n " .. t.quote(zdir .. "/_soapload")) and 0 or 1)
    local text = t.read(zdir .. "/_soapload")
    local main = assert(text:match("\n_soapload%(%) {(.*)"))
    local mock = assert(text:match("\n_soapload_mock%(%) {(.-)\n}"))
    for _, case in ipairs(sub_flags()) do
      local body = assert(main:match("\n  " .. case.sub .. "%)(.-)\n    return ;;"), case.sub)
      for _, flag in ipairs(case.flags) do
        assert.truthy(body:find("[{,'*]" .. flag:gsub("%-", "%%-") .. "[=[,}]"), case.args .. ": " .. flag)
      end
    end
    for _, case in ipairs({ { t.bin, main }, { t.mock_bin, mock } }) do
      for _, flag in ipairs(flags_of(t.help(case[1]))) do
        assert.truthy(case[2]:find("[{,']" .. flag:gsub("%-", "%%-") .. "[+=[,}]"), flag)
      end
    end
  end)
end)
