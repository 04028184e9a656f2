#!/usr/bin/env bash
# The per-flow cost of soapload.flows against soapload-mock --sessions: client CPU time
# (soapload's parent and workers, user + system) per flow of scripts/examples/session.lua
# (Login -> PlaceOrder -> GetOrder -> Logout, 4 requests) at RATE flows/s, and per request of
# scripts/examples/default.lua at 4 x RATE requests/s (the same requests without flows), for
# the cost the flows add; open model, 2 workers, RUNS runs of SECS seconds each, interleaved;
# medians. Each flow run is checked against the mock: logins = logouts = completed flows and no
# call refused, else the script says so and fails.
# Usage: scripts/bench-flows.sh [RUNS=3] [SECS=10] [RATE=1000]
# (BIN=DIR takes soapload and soapload-mock from DIR, e.g. build/plain, instead of building
# build/release)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
runs=${1:-3}
secs=${2:-10}
rate=${3:-1000}
if [ -z "${BIN:-}" ]; then
    scripts/build.sh
fi
bin=${BIN:-build/release}
MOCK_BIN=$bin/soapload-mock start_mock --threads 2 --sessions
stats() { curl -s "http://127.0.0.1:$mock_port/stats"; }
reset() { curl -s -X POST "http://127.0.0.1:$mock_port/stats/reset" >/dev/null; }

# Runs soapload with the given arguments; prints the CPU seconds it and its workers used.
cpu_of() {
    python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime)' "$@"
}

: >"$work/flows.stats"
: >"$work/single.stats"
for _ in $(seq "$runs"); do
    reset
    cpu=$(cpu_of "$bin/soapload" -q -w 2 -R "$rate" -d "${secs}s" --json "$work/f.json" -u "$url" \
        scripts/examples/session.lua)
    stats >"$work/stats.json"
    python3 - "$work/f.json" "$work/stats.json" "$cpu" "$secs" >>"$work/flows.stats" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))["sessions"]
cpu, secs = float(sys.argv[3]), float(sys.argv[4])
f = r["flows"][0]
ok = (f["completed"] == s["logins"] == s["logouts"] and s["refused"] == 0
      and f["completed"] == f["scheduled"])
if not ok:
    sys.exit("flows and mock disagree: flows %s, mock sessions %s" % (
        {k: f[k] for k in ("scheduled", "completed", "failed", "interrupted", "not_started")}, s))
print(f["completed"] / secs, cpu / max(1, f["completed"]) * 1e6,
      cpu / max(1, r["summary"]["sent"]) * 1e6, r["latency"]["send_lateness"]["p99"])
PY
    cpu=$(cpu_of "$bin/soapload" -q -w 2 -R $((4 * rate)) -d "${secs}s" --json "$work/s.json" \
        -u "$url" scripts/examples/default.lua)
    python3 - "$work/s.json" "$cpu" >>"$work/single.stats" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); cpu = float(sys.argv[2])
print(cpu / max(1, r["summary"]["sent"]) * 1e6, r["latency"]["send_lateness"]["p99"])
PY
done
printf '== flows: %s flows/s (4 requests each) for %s s, %s runs (medians)\n' "$rate" "$secs" "$runs"
printf '  session.lua  %8.1f flows/s completed, %7.1f us CPU/flow, %6.1f us CPU/request, send lateness p99 %s us\n' \
    "$(awk '{ print $1 }' "$work/flows.stats" | median)" "$(awk '{ print $2 }' "$work/flows.stats" | median)" \
    "$(awk '{ print $3 }' "$work/flows.stats" | median)" "$(awk '{ print $4 }' "$work/flows.stats" | median)"
printf '  default.lua  %8d req/s,                     %6.1f us CPU/request, send lateness p99 %s us\n' \
    $((4 * rate)) "$(awk '{ print $1 }' "$work/single.stats" | median)" \
    "$(awk '{ print $2 }' "$work/single.stats" | median)"
echo "  (every flow run: the mock's logins = logouts = completed flows, 0 refused)"
