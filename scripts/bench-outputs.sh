#!/usr/bin/env bash
# Benchmarks of the outputs, against soapload-mock:
#   1. the live progress line does not disturb the pacing: the default run with
#      --progress always and never, RUNS times each, interleaved: rate error, worst second,
#      send lateness p99 (medians);
#   2. the trace streams with bounded memory: worker RSS early and late in a run of
#      1,000,000 requests with --trace, and the trace's line count;
#   3. the cost of --metrics on the send lateness: RUNS runs each with and without it (scraped
#      once a second, in OpenMetrics as Prometheus asks), at 1000 and 10000 req/s.
# Usage: scripts/bench-outputs.sh [RUNS=3] [SECTIONS=123]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
runs=${1:-3}
sections=${2:-123}
scripts/bootstrap.sh build bench
scripts/build.sh
bin=build/release
start_mock --threads 2

if [[ $sections == *1* ]]; then
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

fi

if [[ $sections == *2* ]]; then
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
fi

if [[ $sections == *3* ]]; then
echo "== 3. --metrics off and on (scraped every second): 10 s at 1000 and 10000 req/s, ${runs} runs each, interleaved"
for rate in 1000 10000; do
    for _ in $(seq "$runs"); do
        for mode in off on; do
            extra=()
            scraper=""
            if [ "$mode" = on ]; then
                port=$(free_port)
                extra=(--metrics "127.0.0.1:$port" --metrics-linger 0)
                (while sleep 1; do
                    curl -s -o /dev/null -H 'Accept: application/openmetrics-text; version=1.0.0' \
                        "http://127.0.0.1:$port/metrics" || true
                done) &
                scraper=$!
            fi
            "$bin/soapload" -q -R "$rate" -d 10s "${extra[@]}" --json "$work/m.json" -u "$url" \
                scripts/examples/default.lua >/dev/null || true
            [ -n "$scraper" ] && kill "$scraper" 2>/dev/null
            python3 - "$work/m.json" >>"$work/metrics-$rate-$mode.stats" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
lat = r["latency"]["send_lateness"]
print(abs(r["rates"]["sent"] / r["settings"]["rate"] - 1) * 100, lat["p50"], lat["p99"], lat["p99_9"])
PY
        done
    done
    for mode in off on; do
        f="$work/metrics-$rate-$mode.stats"
        printf '  %5s req/s --metrics %-3s rate error %.3f%%, send lateness p50 %s us, p99 %s us, p99.9 %s us (medians)\n' \
            "$rate" "$mode" "$(awk '{ print $1 }' "$f" | median)" "$(awk '{ print $2 }' "$f" | median)" \
            "$(awk '{ print $3 }' "$f" | median)" "$(awk '{ print $4 }' "$f" | median)"
    done
done
fi
