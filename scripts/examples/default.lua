-- The default run, as the tool soapload replaces did it: 1000 requests/s for 10 s against
-- the mock's endpoint, each request carrying an ID P<pid>-R<seq> that the server echoes back.
-- soapload checks every echo: a response without the request's own ID counts as id_mismatch.
--
-- The requests leave in bursts, as the seed tool's processes fired them: every 4 ms a burst of
-- 4 requests is due at one instant, one from each of the 4 worker processes (worker w of 4
-- takes requests w, w + 4, ...), each on its own connection, so the summary's "Tightest
-- bursts" and a loopback capture show 4 POSTs from 4 pids and 4 source ports within a
-- fraction of a millisecond. Still 1000 requests/s on average.
--
--   soapload scripts/examples/default.lua
--   soapload --burst 1 scripts/examples/default.lua     (uniform: one request due every 1 ms)
--   soapload -R 10000 scripts/examples/default.lua      (flags override these defaults)

soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.rate = 1000          -- requests per second, in all
soapload.duration = "10s"
soapload.burst = 4            -- requests due together; 1: a uniform schedule
soapload.workers = 4          -- processes, whatever the CPU count: one request of each burst each
soapload.connections = 20     -- in all, split over the workers
soapload.timeout = "5s"

-- id is "P<pid>-R<seq>": the worker's pid and a per-worker sequence number counting from 1.
function request(id, seq)
  return soapload.envelope(
    '<e:Echo xmlns:e="urn:soapload:echo">' ..
      '<e:RequestId>' .. soapload.escape(id) .. '</e:RequestId>' ..
    '</e:Echo>')
end
