-- The parent forks its workers while no other thread of it runs (checked with strace), and
-- runs done() under its script guard again after the workers end.
local t = require("support")
local finally = t.chained(function(fn) return finally(fn) end)

-- A lock that another thread holds at fork() stays held in the child for ever: workers hung
-- in ASan's allocator that way while the parent's script guard thread was still running.
describe("the parent forks its workers", function()
  local ok_strace = os.execute("strace -o /dev/null true >/dev/null 2>&1")
  if not ok_strace then
    it("with no other thread (checked with strace)", function()
      pending("skipped: strace cannot trace here")
    end)
    return
  end

  it("with no other thread (checked with strace), and runs done() with its guard again",
    function()
      local m = t.start_mock("")
      local trace, json = t.tmpname(".strace"), t.tmpname(".json")
      finally(function() m.stop(); os.remove(trace); os.remove(json) end)
      local s = t.script(("soapload.url = %q\nfunction done(r) print('done ' .. r.sent) end\n")
        :format(m.url))
      finally(function() os.remove(s) end)
      -- LeakSanitizer cannot run under ptrace: the other specs check leaks
      local code, out = t.run(("-q -R 40 -d 0.5s -w 3 %s"):format(s),
        "ASAN_OPTIONS=detect_leaks=0:exitcode=86 strace -f -qq -e trace=clone,clone3,exit " ..
        "-e signal=none -o " .. t.quote(trace))
      assert.are.equal(0, code, out)
      assert.truthy(out:find("done 20\n", 1, true), out)
      -- the parent's threads from their clone to their exit; a clone that strace split in
      -- two (<unfinished ...>, <... resumed>) counts from its first half
      local parent, live, forks, threads, unfinished = nil, {}, 0, 0, false
      for line in io.lines(trace) do
        local pid, rest = line:match("^(%d+)%s+(.*)$")
        parent = parent or pid -- soapload's first line
        if pid == parent and rest:find("CLONE_THREAD", 1, true) then
          threads = threads + 1
          local tid = rest:match("= (%d+)$")
          if tid then live[tid] = true else unfinished = true end
        elseif pid == parent and unfinished and rest:match("^<%.%.%. clone3? resumed>") then
          live[rest:match("= (%d+)$")] = true
          unfinished = false
        elseif pid and rest:match("^exit%(") then
          live[pid] = nil
        end
        if pid == parent and rest:match("^clone%(") and rest:find("SIGCHLD", 1, true) then
          forks = forks + 1
          assert.is_false(unfinished or next(live) ~= nil,
            "a thread of the parent was running at fork " .. forks)
        end
      end
      assert.are.equal(3, forks) -- one per worker
      assert.is_true(threads >= 2, "the guard thread was not seen: " .. threads)
    end)
end)
