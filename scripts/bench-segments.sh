#!/usr/bin/env bash
# Benchmark of a split schedule on this machine: one process at RATE req/s next to 2, 3 and 4
# segments (--segment I/N, started together with --start-at) at the same total, merged with
# `soapload merge`: the merged rate's error against the target, the per-second error (the
# largest and the mean deviation of a whole second's sent count from RATE), and the mock's
# distinct IDs against the merged sent count. All against one soapload-mock on loopback. Then
# the time `soapload merge` takes for 4 results of a 1-hour run's size (3,600 intervals, each
# with its latency histogram).
# Usage: scripts/bench-segments.sh [RATE=10000] [SECONDS=10]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
rate=${1:-10000}
secs=${2:-10}
scripts/bootstrap.sh build bench
scripts/build.sh
bin=build/release
start_mock --threads 2
reset() { curl -s -X POST "http://127.0.0.1:$mock_port/stats/reset" >/dev/null; }
stat_of() { curl -s "http://127.0.0.1:$mock_port/stats" | tr -d ' \n' | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }
printf 'soapload = {}\n' >"$work/s.lua"
load=(-R "$rate" -d "${secs}s" -c 100 -u "$url" --progress never)

report() { # label result.json mock-distinct
    python3 - "$@" "$rate" "$secs" <<'PY'
import json, sys
label, path, distinct, rate, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
r = json.load(open(path))
s = r["summary"]
sent = [iv["counts"]["sent"] for iv in r["intervals"][:secs]]
dev = [abs(x - rate) / rate * 100 for x in sent]
print(f"  {label:<12} sent {s['sent']:>7} (target {rate*secs:.0f}), rate {r['rates']['sent']:9.1f}/s "
      f"({100*(r['rates']['sent']/rate-1):+.3f}%), per second: max {max(dev):.3f}% mean {sum(dev)/len(dev):.3f}%, "
      f"mock distinct {distinct} ({'=' if distinct == s['sent'] else '!='} sent), "
      f"lateness p99 {r['latency']['send_lateness']['p99']}us")
PY
}

echo "== segments at a total of $rate req/s for $secs s (one soapload-mock, 2 threads)"
reset
"$bin/soapload" -q --json "$work/single.json" "${load[@]}" "$work/s.lua" >/dev/null || true
report "1 process" "$work/single.json" "$(stat_of distinct)"
for n in 1 2 3 4; do
    reset
    at=$(python3 -c 'import time; print(f"{time.time() + 3:.3f}")')
    pids=()
    rm -f "$work"/seg-*.json "$work/merged.json"
    for ((i = 0; i < n; i++)); do
        "$bin/soapload" -q --segment "$i/$n" --start-at "$at" --json "$work/seg-$i.json" \
            "${load[@]}" "$work/s.lua" >"$work/seg-$i.out" 2>&1 &
        pids+=($!)
    done
    codes=()
    for p in "${pids[@]}"; do
        code=0
        wait "$p" || code=$?
        codes+=("$code")
    done
    echo "    exit codes of the segments: ${codes[*]}"
    files=()
    for ((i = 0; i < n; i++)); do files+=("$work/seg-$i.json"); done
    "$bin/soapload" merge -q "${files[@]}" --json "$work/merged.json" >/dev/null || true
    report "$n segment$([ "$n" -gt 1 ] && echo s)" "$work/merged.json" "$(stat_of distinct)"
    for ((i = 0; i < n; i++)); do
        sed -n 's/^Clock offset    /      segment '"$i"' clock offset /p; s/^  scheduled     /      segment '"$i"' scheduled /p' "$work/seg-$i.out"
    done
done

# A result of a 1-hour run's size: the 1-process run's seconds (with their latency histograms)
# repeated to 3,600 intervals, its duration and totals made to match. Four copies started at
# the same instant: every second of the merge adds four histograms.
hour_file() { # source.json dest.json
    python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
src = r["intervals"][: max(1, int(r["settings"]["duration_s"]))]
r["intervals"] = [dict(src[i % len(src)], second=i) for i in range(3600)]
r["settings"]["duration_s"] = 3600.0
r["sending_s"] = 3600.0
json.dump(r, open(sys.argv[2], "w"))
PY
}
echo "== merge of 4 results of a 1-hour run's size (3,600 intervals each, the seconds of the 1-process run)"
hour_file "$work/single.json" "$work/hour-0.json"
for k in 1 2 3; do cp "$work/hour-0.json" "$work/hour-$k.json"; done
echo "    one file: $(stat -c %s "$work/hour-0.json") bytes"
/usr/bin/time -f "    soapload merge of 1: %e s, peak RSS %M KB (the text and JSON tree of one file)" \
    "$bin/soapload" merge -q "$work/hour-0.json" || true
/usr/bin/time -f "    soapload merge of 4: %e s, peak RSS %M KB" \
    "$bin/soapload" merge -q "$work"/hour-{0,1,2,3}.json --json "$work/hour-merged.json" || true
echo "    merged file: $(stat -c %s "$work/hour-merged.json") bytes"
