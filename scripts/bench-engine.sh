#!/usr/bin/env bash
# Benchmarks of the engine, each side by side with a peer in one run, against soapload-mock:
#   1. the default run at 1,000 and 10,000 req/s: counts, IDs matched, achieved rate;
#   2. pacing next to h2load --rps at the same rates: totals, one-second buckets, lateness;
#   3. closed-model throughput with a Lua-built body per request next to wrk running an
#      equivalent request() function: req/s and client CPU time per request (RUNS runs, medians);
#   4. each worker's RSS sampled over a long run;
#   5. an open-model rate sweep next to h2load --h1 --rps against a 1-thread mock, 50
#      connections: achieved rate, not sent, send lateness p50 and p99, client CPU (user+sys) per
#      request and wake-ups (voluntary context switches, all processes) per request,
#      SWEEP_RUNS interleaved runs of SWEEP_SECS each per rate, medians; and next to Locust
#      (FastHttpUser, one process, 50 users: scripts/bench-locust.py; SWEEP_LOCUST=0 skips it).
# Usage: scripts/bench-engine.sh [RUNS=3] [SECONDS=10] [RSS_SECONDS=60]
# SECTIONS picks sections (default "1 2 3 4 5"; SWEEP_ONLY=1 is SECTIONS=5).
# SWEEP_RATES (default "10000 20000 40000 60000 80000"), SWEEP_RUNS (3), SWEEP_SECS (3);
# SWEEP_ARGS: more soapload flags for the sweep (e.g. "-w 1 --burst 1": one process and a
# uniform schedule, as h2load -t 1 paces; the default is scripts/examples/default.lua's 4
# workers and bursts of 4). BASE=DIR (or SWEEP_BASE=DIR) adds DIR/soapload, another build
# (e.g. main's), interleaved with this one in sections 3 and 5, for a before/after in one run.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
runs=${1:-3}
base=${BASE:-${SWEEP_BASE:-}}
sections=${SECTIONS:-1 2 3 4 5}
[ "${SWEEP_ONLY:-0}" = 1 ] && sections=5
want() { case " $sections " in *" $1 "*) return 0 ;; esac; return 1; }
secs=${2:-10}
rss_secs=${3:-60}
scripts/bootstrap.sh build bench
scripts/build.sh
bin=build/release
# Runs a command under GNU time; appends "user+sys seconds, voluntary context switches" of it
# and its children to the file $1.
timed() {
    local out=$1
    shift
    /usr/bin/time -f "%U %S %w" -o "$work/time.out" "$@" || true
    awk '{ print $1 + $2, $3 }' "$work/time.out" | tail -1 >>"$out"
}
# Locust at $1 requests/s for $2 s against $3 (the sweep's mock): appends "achieved/s, CPU us
# per request, wakes per request" to $work/sw.lc. Counts are the mock's (/stats, reset first);
# CPU, wakes and requests are counted over $2 s from half a second after every user had spawned
# (Locust logs it), so that the interpreter's start-up (about a second of CPU) is not spread
# over the requests.
mock_total() { # the mock's requests so far ($1: its base URL)
    curl -s "$1/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["requests"]["total"])'
}
locust_run() {
    local rate=$1 secs=$2 url=$3 admin=${3%/soap/endpoint} pid t0 n0 w0 s0 t1 n1 w1 s1
    curl -s -X POST "$admin/stats/reset" >/dev/null
    LOCUST_USER_RATE=$(awk -v r="$rate" 'BEGIN { print r / 50 }') \
        locust -f scripts/bench-locust.py --headless -u 50 -r 100 -t "$((secs + 30))s" \
        --host "$url" >"$work/lc.out" 2>&1 &
    pid=$!
    for _ in $(seq 200); do grep -q "All users spawned" "$work/lc.out" && break; sleep 0.02; done
    sleep 0.5 # the users' first requests out of the way
    t0=$(cpu_ticks "$pid") w0=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status")
    n0=$(mock_total "$admin") s0=$(date +%s.%N)
    sleep "$secs"
    t1=$(cpu_ticks "$pid") w1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status")
    n1=$(mock_total "$admin") s1=$(date +%s.%N)
    kill -TERM "$pid" # its -t is only a bound: the window above is what counts
    wait "$pid" || true
    awk -v t="$((t1 - t0))" -v n="$((n1 - n0))" -v w="$((w1 - w0))" -v s="$(awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }')" \
        -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) print n / s, t / hz / n * 1e6, w / n
                                          else print 0, 0, 0 }' >>"$work/sw.lc"
}
sweep() {
    local rates=${SWEEP_RATES:-10000 20000 40000 60000 80000} sruns=${SWEEP_RUNS:-3}
    local ssecs=${SWEEP_SECS:-3} clients=50 m1 u1 b out
    echo "== 5. open-model rate sweep, 50 connections, 1-thread mock (${sruns} x ${ssecs} s per rate, medians)"
    echo "  soapload ${SWEEP_ARGS:-} scripts/examples/default.lua; h2load --h1 -t 1 --rps; wakes: voluntary context switches"
    "$bin/soapload-mock" --port 0 --threads 1 >"$work/mock1.log" 2>&1 &
    m1=$!
    for _ in $(seq 100); do grep -q "listening on" "$work/mock1.log" && break; sleep 0.05; done
    u1=$(grep -o 'http://[^ ]*' "$work/mock1.log" | head -1)
    locust=0 # python3-locust is in the bench group; SWEEP_LOCUST=0 leaves it out
    [ "${SWEEP_LOCUST:-1}" = 1 ] && command -v locust >/dev/null && locust=1
    printf '%s' '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>H-1</e:RequestId></e:Echo></soap:Body></soap:Envelope>' >"$work/body1.xml"
    printf '  %8s | %9s %9s %10s %10s %9s %7s | %9s %9s %7s | %9s %9s %7s\n' "target/s" \
        "soapload" "not sent" "late p50" "late p99" "CPU us" "wakes" "h2load" "CPU us" "wakes" \
        "locust" "CPU us" "wakes"
    for rate in $rates; do
        : >"$work/sw.sl"
        : >"$work/sw.base"
        : >"$work/sw.h2"
        : >"$work/sw.lc"
        for _ in $(seq "$sruns"); do
            for b in "$bin" ${base:+"$base"}; do
                out=sw.sl
                [ "$b" != "$bin" ] && out=sw.base
                : >"$work/sw.t"
                # shellcheck disable=SC2086 # SWEEP_ARGS is a list of flags
                timed "$work/sw.t" "$b/soapload" -q --json "$work/sw.json" -R "$rate" -d "${ssecs}s" \
                    -c $clients ${SWEEP_ARGS:-} -u "$u1" scripts/examples/default.lua >/dev/null 2>&1
                python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); s = r["summary"]; cpu, wakes = open(sys.argv[2]).read().split()
n = max(1, s["sent"])
print(s["sent"] / float(sys.argv[3]), s.get("not_sent", 0), r["latency"]["send_lateness"]["p99"],
      float(cpu) / n * 1e6, float(wakes) / n, r["latency"]["send_lateness"]["p50"])' "$work/sw.json" "$work/sw.t" "$ssecs" >>"$work/$out"
            done
            : >"$work/sw.t"
            timed "$work/sw.t" h2load --h1 -n $((rate * ssecs)) -c $clients -t 1 --rps $((rate / clients)) \
                -d "$work/body1.xml" -H 'Content-Type: text/xml; charset=utf-8' "$u1" \
                >"$work/sw.h2out" 2>&1
            awk -v t="$(cat "$work/sw.t")" '
                /^finished in/ { gsub(/[s,]/, "", $3); secs = $3 }
                /^requests:/ { done = $8 }
                END { split(t, c, " ")
                      if (done > 0 && secs > 0) print done / secs, c[1] / done * 1e6, c[2] / done
                      else print 0, 0, 0 }' "$work/sw.h2out" >>"$work/sw.h2"
            [ "$locust" = 1 ] && locust_run "$rate" "$ssecs" "$u1"
        done
        col() { awk -v k="$1" '{ print $k }' "$work/$2" | median; }
        printf '  %8d | %9.0f %9.0f %8.0fus %8.0fus %9.2f %7.2f | %9.0f %9.2f %7.2f | %s\n' "$rate" \
            "$(col 1 sw.sl)" "$(col 2 sw.sl)" "$(col 6 sw.sl)" "$(col 3 sw.sl)" "$(col 4 sw.sl)" \
            "$(col 5 sw.sl)" \
            "$(col 1 sw.h2)" "$(col 2 sw.h2)" "$(col 3 sw.h2)" \
            "$(if [ -s "$work/sw.lc" ]; then printf '%9.0f %9.2f %7.2f' "$(col 1 sw.lc)" \
                "$(col 2 sw.lc)" "$(col 3 sw.lc)"; else echo "(no locust)"; fi)"
        if [ -s "$work/sw.base" ]; then
            printf '  %8s | %9.0f %9.0f %8.0fus %8.0fus %9.2f %7.2f | (%s)\n' "base" \
                "$(col 1 sw.base)" "$(col 2 sw.base)" "$(col 6 sw.base)" "$(col 3 sw.base)" \
                "$(col 4 sw.base)" \
                "$(col 5 sw.base)" "$base"
        fi
    done
    kill -TERM "$m1" 2>/dev/null || true
    wait "$m1" 2>/dev/null || true
}
if [ "$sections" = 5 ]; then
    sweep
    exit 0
fi
start_mock --threads 2 --id-log "$work/ids"
port=$mock_port
reset() { curl -s -X POST "http://127.0.0.1:$port/stats/reset" >/dev/null; }
stat_of() { curl -s "http://127.0.0.1:$port/stats" | tr -d ' \n' | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }

if want 1; then
echo "== 1. default run (scripts/examples/default.lua, ${secs} s)"
for rate in 1000 10000; do
    reset
    "$bin/soapload" -q --json "$work/r.json" -R "$rate" -d "${secs}s" -u "$url" \
        scripts/examples/default.lua >"$work/summary" || true
    python3 - "$work/r.json" "$rate" "$secs" "$(stat_of distinct)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); rate = float(sys.argv[2]); secs = float(sys.argv[3])
s = r["summary"]; want = rate * secs
print(f"  {rate:>6.0f}/s: scheduled {s['scheduled']} (target {want:.0f}, {100*(s['scheduled']/want-1):+.2f}%), "
      f"ok {s['ok']} ({100*s['ok']/max(1,s['sent']):.2f}% IDs matched), mock saw {sys.argv[4]} distinct, "
      f"rate {r['rates']['sent']:.1f}/s ({100*(r['rates']['sent']/rate-1):+.2f}%), "
      f"lateness p50 {r['latency']['send_lateness']['p50']}us p99 {r['latency']['send_lateness']['p99']}us")
PY
done
fi

if want 2; then
echo "== 2. pacing next to h2load --rps (${secs} s)"
body='<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>H-1</e:RequestId></e:Echo></soap:Body></soap:Envelope>'
printf '%s' "$body" >"$work/body.xml"
for rate in 1000 10000; do
    clients=10
    n=$((rate * secs))
    rm -f "$work/h2load.log" # h2load appends to it
    h2load --h1 -n "$n" -c "$clients" --rps $((rate / clients)) -d "$work/body.xml" \
        -H 'Content-Type: text/xml; charset=utf-8' --log-file "$work/h2load.log" "$url" \
        >"$work/h2load.out" 2>&1 || true
    "$bin/soapload" -q --json "$work/p.json" -R "$rate" -d "${secs}s" -c $clients -u "$url" \
        scripts/examples/default.lua >/dev/null || true
    python3 - "$work/h2load.log" "$work/p.json" "$rate" "$secs" <<'PY'
import json, sys
rate = float(sys.argv[3]); secs = int(sys.argv[4])
starts = sorted(int(l.split("\t")[0]) for l in open(sys.argv[1]) if l.strip())
t0 = starts[0]
h = [0] * (secs + 2)
for s in starts:
    b = (s - t0) // 1000000
    if b < len(h): h[b] += 1
# h2load keeps sending until n is reached: the buckets it fills within the duration
hb = h[:secs]
r = json.load(open(sys.argv[2]))
sb = [i["counts"]["sent"] for i in r["intervals"]][:secs]
def worst(b): return max(abs(x / rate - 1) for x in b) * 100
print(f"  {rate:>6.0f}/s  soapload: total {r['summary']['sent']} ({100*(r['summary']['sent']/(rate*secs)-1):+.2f}%), "
      f"worst second {worst(sb):.2f}% off, lateness p50 {r['latency']['send_lateness']['p50']}us "
      f"p99 {r['latency']['send_lateness']['p99']}us")
print(f"  {rate:>6.0f}/s  h2load:   total {len(starts)} in {(starts[-1]-t0)/1e6:.2f} s, "
      f"worst second {worst(hb):.2f}% off (h2load reports no lateness)")
PY
done
fi

if want 3; then
echo "== 3. closed model, 50 connections, Lua-built body per request (${runs} x ${secs} s)"
cat >"$work/wrk.lua" <<'LUA'
-- the same work as scripts/examples/default.lua's request(): an ID and an envelope per request
local seq = 0
local pid = tostring(math.random(100000))
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"urn:soapload:echo#Echo"'
local function escape(s)
  return (s:gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&apos;" }))
end
function request()
  seq = seq + 1
  local id = "P" .. pid .. "-R" .. seq
  local body = '<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' ..
    '<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' .. escape(id) .. '</e:RequestId></e:Echo>' ..
    '</soap:Body></soap:Envelope>'
  return wrk.format(nil, nil, nil, body)
end
LUA
: >"$work/sl.rates"; : >"$work/wrk.rates"; : >"$work/sl.cpu"; : >"$work/wrk.cpu"
: >"$work/base.rates"; : >"$work/base.cpu"
closed_run() { # soapload binary, rates file, cpu file
    : >"$work/cl.t"
    timed "$work/cl.t" "$1" -q --closed -c 50 -w 2 -d "${secs}s" -u "$url" scripts/examples/default.lua >"$work/sl.out"
    n=$(grep -o 'sent          [0-9]*' "$work/sl.out" | awk '{ print $2 }')
    echo "$n $secs" | awk '{ print $1 / $2 }' >>"$2"
    echo "$n $(cat "$work/cl.t")" | awk '{ print $2 / $1 * 1e6 }' >>"$3"
}
for _ in $(seq "$runs"); do
    closed_run "$bin/soapload" "$work/sl.rates" "$work/sl.cpu"
    if [ -n "$base" ]; then closed_run "$base/soapload" "$work/base.rates" "$work/base.cpu"; fi
    : >"$work/cl.t"
    timed "$work/cl.t" wrk -t2 -c50 -d "${secs}s" -s "$work/wrk.lua" "$url" >"$work/wrk.out"
    n=$(awk '/requests in/ { print $1 }' "$work/wrk.out")
    awk '/^Requests\/sec/ { print $2 }' "$work/wrk.out" >>"$work/wrk.rates"
    echo "$n $(cat "$work/cl.t")" | awk '{ print $2 / $1 * 1e6 }' >>"$work/wrk.cpu"
done
sl=$(median <"$work/sl.rates"); wr=$(median <"$work/wrk.rates")
printf '  soapload %9.0f req/s, %6.2f us CPU/request\n' "$sl" "$(median <"$work/sl.cpu")"
if [ -n "$base" ]; then
    printf '  base     %9.0f req/s, %6.2f us CPU/request (%s)\n' "$(median <"$work/base.rates")" \
        "$(median <"$work/base.cpu")" "$base"
fi
printf '  wrk      %9.0f req/s, %6.2f us CPU/request\n' "$wr" "$(median <"$work/wrk.cpu")"
printf '  ratio soapload/wrk: %s\n' "$(ratio "$sl" "$wr")"
fi

if want 4; then
echo "== 4. worker RSS over ${rss_secs} s at 10,000 req/s"
"$bin/soapload" -q -R 10000 -d "${rss_secs}s" -u "$url" scripts/examples/default.lua >"$work/rss.out" &
sl_pid=$!
sleep 2
workers=$(pgrep -P "$sl_pid" | tr '\n' ' ')
first=""
for w in $workers; do first="$first $(rss_kib "$w")"; done
sleep $((rss_secs - 4))
last=""
for w in $workers; do last="$last $(rss_kib "$w")"; done
wait "$sl_pid" || true
echo "  worker RSS (KiB) after 2 s:${first}; after $((rss_secs - 2)) s:${last}"
grep -E "scheduled|sent  " "$work/rss.out" | sed 's/^/  /'
fi

if want 5; then sweep; fi
