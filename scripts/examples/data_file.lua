-- Request data read from a file: the requests take the rows of a CSV file in turn, each row
-- once per pass over the file in all, however many workers share the run. The file is read
-- once per worker, at load time; a path can be given after the script:
--   soapload scripts/examples/data_file.lua [path/to/rows.csv]
--
-- Partitioning: every worker runs this script in its own Lua state, so a script that took
-- "the next row" in each worker would send every row once per worker. Instead, worker w of n
-- (soapload.worker, soapload.workers) sends the global requests w - 1, w - 1 + n, ...: its
-- request seq is global request (seq - 1) * n + w - 1 (in the open model, exactly the
-- schedule's order), and global request k takes row k % #rows + 1 in pass k // #rows + 1.
-- The request carries the row's own key, with the pass, as its ID: C-1001#1, C-1002#1, ...,
-- then C-1001#2 once every row was sent: unique across workers and passes.
soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.rate = 300
soapload.duration = "5s"

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local rows = {}

local function load(path)
  local f = assert(io.open(path, "r"))
  local header = true
  for line in f:lines() do
    if header then
      header = false
    elseif line ~= "" then
      local customer, country, amount = line:match("^([^,]*),([^,]*),([^,]*)$")
      assert(customer, path .. ": bad row: " .. line)
      rows[#rows + 1] = { customer = customer, country = country, amount = amount }
    end
  end
  f:close()
  assert(#rows > 0, path .. ": no rows")
end

function init(args)
  load(args[1] or here .. "data/customers.csv")
end

function request(_, seq)
  local k = (seq - 1) * soapload.workers + soapload.worker - 1
  local row = rows[k % #rows + 1]
  local id = row.customer .. "#" .. (k // #rows + 1)
  local e = soapload.escape
  return soapload.envelope(
    '<e:Echo xmlns:e="urn:soapload:echo">' ..
      '<e:RequestId>' .. e(id) .. '</e:RequestId>' ..
      '<e:Customer>' .. e(row.customer) .. '</e:Customer>' ..
      '<e:Country>' .. e(row.country) .. '</e:Country>' ..
      '<e:Amount>' .. e(row.amount) .. '</e:Amount>' ..
    '</e:Echo>'), { id = id }
end
