#!/usr/bin/env bash
# The per-request cost of a scenario, side by side in one run against soapload-mock: client CPU
# time (soapload's parent and workers, user + system) per request of
#   single  one request() building an envelope per request (as scripts/examples/default.lua);
#   mix     soapload.operations 70/25/5, each with its own request() and SOAPAction;
#   tagged  the same mix, each request also carrying two tags (tier of 3 values, region of 2),
#           so that the per-tag-value results are kept;
# closed model, 20 connections, 2 workers, RUNS runs of SECONDS seconds each, interleaved;
# medians. Usage: scripts/bench-scenarios.sh [RUNS=3] [SECONDS=5]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
runs=${1:-3}
secs=${2:-5}
scripts/build.sh
bin=build/release
start_mock --threads 2

cat >"$work/single.lua" <<'LUA'
function request(id)
  return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    soapload.escape(id) .. '</e:RequestId></e:Echo>')
end
LUA
mix() { # $1: "tags" to tag each request
    cat <<LUA
local tiers, regions, tagged = {"gold", "silver", "bronze"}, {"eu", "us"}, ${1:-false}
local function call(op, id, seq)
  local body = soapload.envelope('<e:' .. op .. ' xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    soapload.escape(id) .. '</e:RequestId></e:' .. op .. '>')
  if tagged then
    return body, {tags = {tier = tiers[seq % 3 + 1], region = regions[seq % 2 + 1]}}
  end
  return body
end
soapload.operations = {
  {name = "GetOrder", weight = 70, soap_action = "urn:orders#GetOrder",
   request = function(id, seq) return call("GetOrder", id, seq) end},
  {name = "PlaceOrder", weight = 25, soap_action = "urn:orders#PlaceOrder",
   request = function(id, seq) return call("PlaceOrder", id, seq) end},
  {name = "CancelOrder", weight = 5, soap_action = "urn:orders#CancelOrder",
   request = function(id, seq) return call("CancelOrder", id, seq) end},
}
LUA
}
mix false >"$work/mix.lua"
mix true >"$work/tagged.lua"

kinds="single mix tagged"
for k in $kinds; do : >"$work/$k.cpu"; : >"$work/$k.rate"; done
for _ in $(seq "$runs"); do
    for k in $kinds; do
        read -r u0 s0 < <(awk '{ print $16, $17 }' /proc/$$/stat)
        "$bin/soapload" -q --closed -c 20 -w 2 -d "${secs}s" -u "$url" --json "$work/$k.json" \
            "$work/$k.lua" >"$work/$k.out" || true
        read -r u1 s1 < <(awk '{ print $16, $17 }' /proc/$$/stat)
        n=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['ok'])" "$work/$k.json")
        echo "$n $secs" | awk '{ print $1 / $2 }' >>"$work/$k.rate"
        echo "$u0 $s0 $u1 $s1 $n" | awk -v hz="$(getconf CLK_TCK)" \
            '{ print (($3 - $1) + ($4 - $2)) / hz / $5 * 1e6 }' >>"$work/$k.cpu"
    done
done
echo "== client CPU per request, closed model, 20 connections, 2 workers (${runs} x ${secs} s, medians)"
base=$(median <"$work/single.cpu")
for k in $kinds; do
    c=$(median <"$work/$k.cpu")
    printf '  %-7s %9.0f req/s ok, %6.2f us CPU/request (x%s of single)\n' "$k" \
        "$(median <"$work/$k.rate")" "$c" "$(ratio "$c" "$base")"
done
python3 - "$work/tagged.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
vals = {v["name"] + "=" + v["value"]: v["counts"]["scheduled"] for v in d["tags"]["values"]}
ops = {o["name"]: o["counts"]["scheduled"] for o in d["operations"]}
print(f"  last tagged run: operations {ops}, tags {vals}, scheduled {d['summary']['scheduled']}")
PY
