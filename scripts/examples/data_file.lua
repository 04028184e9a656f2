-- Request data read from a file: each request takes the next row of a CSV file, in turn.
-- The file is read once per worker, at load time; a path can be given after the script:
--   soapload scripts/examples/data_file.lua [path/to/rows.csv]
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

function request(id, seq)
  local row = rows[(seq - 1) % #rows + 1]
  local e = soapload.escape
  return soapload.envelope(
    '<e:Echo xmlns:e="urn:soapload:echo">' ..
      '<e:RequestId>' .. e(id) .. '</e:RequestId>' ..
      '<e:Customer>' .. e(row.customer) .. '</e:Customer>' ..
      '<e:Country>' .. e(row.country) .. '</e:Country>' ..
      '<e:Amount>' .. e(row.amount) .. '</e:Amount>' ..
    '</e:Echo>')
end
