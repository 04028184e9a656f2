-- The default run, as the tool soapload replaces did it: 1000 requests/s for 10 s against
-- the mock's endpoint, each request carrying an ID P<pid>-R<seq> that the server echoes back.
-- soapload checks every echo: a response without the request's own ID counts as id_mismatch.
--
--   soapload scripts/examples/default.lua
--   soapload -R 10000 scripts/examples/default.lua      (flags override these defaults)

soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.rate = 1000          -- requests per second, in all
soapload.duration = "10s"
soapload.connections = 20     -- in all, split over the workers
soapload.timeout = "5s"

-- id is "P<pid>-R<seq>": the worker's pid and a per-worker sequence number counting from 1.
function request(id, seq)
  return soapload.envelope(
    '<e:Echo xmlns:e="urn:soapload:echo">' ..
      '<e:RequestId>' .. soapload.escape(id) .. '</e:RequestId>' ..
    '</e:Echo>')
end
