-- Request data read from a file: every row of a CSV file is sent exactly once in the whole
-- run, however many workers share it. A path can be given after the script (relative paths
-- in soapload.csv are taken from the script's own directory):
--   soapload scripts/examples/data_file.lua [path/to/rows.csv]
--
-- soapload.csv parses the file once per worker, in C, and hands a row to Lua as a small
-- table only when a request takes it. rows:unique(seq) gives worker w of n the rows w,
-- w + n, ...: its request seq is the run's request (seq - 1) * n + w, as the open model deals
-- its schedule, so no row is sent twice. Once every row was taken, a further request is a
-- script error that names the file and its row count: run as many requests as there are rows
-- (8 here: -R 100 -d 80ms), or take rows with rows:cycle(seq) to start over.
-- The request carries the row's own key as its ID: C-1001, C-1002, ...
soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.rate = 100
soapload.duration = "80ms"

local rows

function init(args)
  rows = soapload.csv(args[1] or "data/customers.csv")
end

function request(_, seq)
  local row = rows:unique(seq)
  local e = soapload.escape
  return soapload.envelope(
    '<e:Echo xmlns:e="urn:soapload:echo">' ..
      '<e:RequestId>' .. e(row.customer) .. '</e:RequestId>' ..
      '<e:Customer>' .. e(row.customer) .. '</e:Customer>' ..
      '<e:Country>' .. e(row.country) .. '</e:Country>' ..
      '<e:Amount>' .. e(row.amount) .. '</e:Amount>' ..
    '</e:Echo>'), { id = row.customer }
end
