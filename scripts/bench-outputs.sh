#!/usr/bin/env bash
# Benchmarks of the outputs, against soapload-mock:
#   1. the live progress line does not disturb the pacing: the default run with
#      --progress always and never, RUNS times each, interleaved: rate error, worst second,
#      send lateness p99 (medians);
#   2. the trace streams with bounded memory: worker RSS early and late in a run of
#      1,000,000 requests with --trace, and the trace's line count.
# Usage: scripts/bench-outputs.sh [RUNS=3]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
runs=${1:-3}
scripts/bootstrap.sh build bench
scripts/build.sh
bin=build/release
start_mock --threads 2

echo "== 1. progress on and off: default run, 1000 req/s for 10 s, ${runs} runs each"
for _ in $(seq "$runs"); do
    for mode in always never; do
        "$bin/soapload" --progress "$mode" --json "$work/$mode.json" -d 10s -u "$url" \
            scripts/examples/default.lua >/dev/null 2>"$work/$mode.err" || true
        python3 - "$work/$mode.json" >>"$work/$mode.stats" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rate = r["settings"]["rate"]
secs = [i["counts"]["sent"] for i in r["intervals"]][: int(r["settings"]["duration_s"])]
print(abs(r["rates"]["sent"] / rate - 1) * 100, max(abs(s / rate - 1) for s in secs) * 100,
      r["latency"]["send_lateness"]["p99"])
PY
    done
done
for mode in always never; do
    printf '  --progress %-6s rate error %.3f%%, worst second %.2f%% off, lateness p99 %s us (lines on stderr: %s)\n' \
        "$mode" "$(awk '{ print $1 }' "$work/$mode.stats" | median)" \
        "$(awk '{ print $2 }' "$work/$mode.stats" | median)" \
        "$(awk '{ print $3 }' "$work/$mode.stats" | median)" "$(grep -c 'req/s' "$work/$mode.err" || true)"
done

echo "== 2. trace over 1,000,000 requests (20,000 req/s for 50 s)"
"$bin/soapload" -q -R 20000 -d 50s -c 50 --trace "$work/trace.csv" -u "$url" \
    scripts/examples/default.lua >"$work/trace.out" &
sl=$!
sleep 3
workers=$(pgrep -P "$sl" | tr '\n' ' ')
early=""
for w in $workers; do early="$early $(rss_kib "$w")"; done
sleep 45
late=""
for w in $workers; do late="$late $(rss_kib "$w")"; done
wait "$sl" || true
echo "  worker RSS (KiB) at 3 s:${early}; at 48 s:${late}"
echo "  trace lines: $(($(wc -l <"$work/trace.csv") - 1)) for $(grep -o 'scheduled     [0-9]*' "$work/trace.out" | awk '{ print $2 }') scheduled"
grep -E "^  (scheduled|sent) " "$work/trace.out" | sed 's/^/  /'
