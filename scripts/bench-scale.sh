#!/usr/bin/env bash
# How the cost of a request grows: each dimension grown alone from a base case, soapload and
# h2load (--h1, paced by --rps) side by side in one run against the same soapload-mock:
#   connections 50 / 1,000 / 10,000       (10,000 req/s)
#   body size   1 KB / 64 KB / 1 MB        (1,000 req/s: 1 MB at 10,000 req/s is 10 GB/s)
#   workers     1 / 2 / 4 / 8              (10,000 req/s; h2load -t N)
#   rate        1k / 10k / 40k / 80k       (50 connections)
#   https       TLS 1.3, reused connections, 10,000 req/s
# Base: open model, 50 connections, 4 workers (h2load: 4 threads), uniform schedule, the
# default example's envelope (about 250 bytes). Each row: achieved requests/s and client CPU
# (user + sys of the process and its children) per request, the median of RUNS runs of
# SECONDS each, the two tools interleaved; the last column is soapload's CPU over h2load's.
# Below the table, each row where soapload's requests did not all come back ok says what
# failed (not sent, failed by kind), why not sent (the connections' capacity at the measured
# service time), the CPU soapload and the mock took of the machine's cores, and how busy the
# machine was in all (/proc/stat): near 100% says the machine, not soapload, set the limit.
# Usage: scripts/bench-scale.sh [SECONDS=3] [RUNS=3]; DIMENSIONS picks rows
# (default "connections body workers rate https"); SL_FLAGS adds soapload flags to every run
# (SL_FLAGS="--fast-path off": libcurl's path). The mock gets 2 threads of its own.
# BIN_DIR=DIR uses the binaries in DIR (e.g. build/plain) instead of building build/release.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
secs=${1:-3}
runs=${2:-3}
dims=${DIMENSIONS:-connections body workers rate https}
if [ -z "${BIN_DIR:-}" ]; then
    scripts/bootstrap.sh build bench
    scripts/build.sh
fi
bin=${BIN_DIR:-build/release}
MOCK_BIN=$bin/soapload-mock
# 10,000 connections on each side, and the mock's
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# the mock, plain and TLS 1.3, with room for 1 MB bodies
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
start_mock --threads 2 --max-body 2m --no-ids
plain_url=$url
"$bin/soapload-mock" --port 0 --threads 2 --max-body 2m --no-ids --tls-cert "$work/cert.pem" \
    --tls-key "$work/key.pem" >"$work/mock-tls.log" 2>&1 &
tls_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/mock-tls.log" && break; sleep 0.05; done
tls_url=$(grep -o 'https://[^ ]*' "$work/mock-tls.log" | head -1)
trap 'kill -TERM "$tls_pid" 2>/dev/null; bench_cleanup' EXIT
: >"$work/notes"

# A script and a request body of about SIZE bytes (the envelope, the ID, padding in a comment).
make_body() { # size
    local size=$1
    cat >"$work/body$size.lua" <<LUA
soapload.burst = 1
local pad = string.rep("x", math.max(0, $size - 260))
function request(id)
  return soapload.envelope('<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>' ..
    soapload.escape(id) .. '</e:RequestId><!--' .. pad .. '--></e:Echo>')
end
LUA
    python3 - "$size" "$work/body$size.xml" <<'PY'
import sys
size = int(sys.argv[1])
pad = "x" * max(0, size - 260)
open(sys.argv[2], "w").write('<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>H-1</e:RequestId><!--' + pad + '--></e:Echo></soap:Body></soap:Envelope>')
PY
}

# Runs a command under GNU time; prints "user+sys seconds".
cpu_of() {
    /usr/bin/time -f "%U %S" -o "$work/time.out" "$@" >"$work/cmd.out" 2>&1 || true
    awk '{ print $1 + $2 }' "$work/time.out" | tail -1
}

# One soapload run: prints "achieved/s cpu-us-per-request not-sent failed service-p50-ms
# mock-cpu-s client-cpu-s failure-kinds" (the kinds as kind=N,...; "-" for none).
run_soapload() { # url rate connections workers script [flags...]
    local u=$1 rate=$2 conns=$3 workers=$4 script=$5 cpu m0 m1
    shift 5
    m0=$(cpu_ticks "$(mock_of "$u")")
    read -r b0 i0 < <(machine_ticks)
    # shellcheck disable=SC2086 # SL_FLAGS: words
    cpu=$(cpu_of "$bin/soapload" -q --json "$work/s.json" -R "$rate" -d "${secs}s" -c "$conns" \
        -w "$workers" --burst 1 --timeout 10s -u "$u" ${SL_FLAGS:-} "$@" "$script")
    m1=$(cpu_ticks "$(mock_of "$u")")
    read -r b1 i1 < <(machine_ticks)
    python3 - "$work/s.json" "$cpu" "$secs" "$(awk -v a="$m0" -v b="$m1" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { print (b - a) / hz }')" "$(awk -v b="$((b1 - b0))" -v i="$((i1 - i0))" \
        'BEGIN { print (b + i > 0 ? b / (b + i) : 0) }')" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print(0, 0, 0, 0, 0, sys.argv[4], sys.argv[2], sys.argv[5], "no-result"); sys.exit()
s = r["summary"]; ok = max(1, s["ok"])
kinds = ",".join("%s=%d" % (k, n) for k, n in s["results"].items() if k != "ok" and n > 0)
print(s["ok"] / float(sys.argv[3]), float(sys.argv[2]) / ok * 1e6, s["not_sent"], s["failed"],
      r["latency"]["service"].get("p50", 0) / 1000.0, sys.argv[4], sys.argv[2], sys.argv[5],
      kinds or "-")
PY
    rm -f "$work/s.json"
}
machine_ticks() { # busy and idle clock ticks of all cores so far (/proc/stat)
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat
}
mock_of() { case $1 in https:*) echo "$tls_pid" ;; *) echo "$mock_pid" ;; esac; }

# One h2load run: prints "achieved/s cpu-us-per-request".
run_h2load() { # url rate connections threads body-file [flags...]
    local u=$1 rate=$2 conns=$3 threads=$4 body=$5 cpu rps
    shift 5
    # h2load paces per connection; below 1 request/s per connection it cannot pace
    rps=$(awk -v r="$rate" -v c="$conns" 'BEGIN { printf "%.3f", r / c }')
    cpu=$(cpu_of h2load --h1 -n $((rate * secs)) -c "$conns" -t "$threads" --rps "$rps" -d "$body" \
        -H 'Content-Type: text/xml; charset=utf-8' "$@" "$u")
    awk -v cpu="$cpu" '
        /^finished in/ { gsub(/[s,]/, "", $3); t = $3 }
        /^requests:/ { ok = $8 }
        END { if (ok > 0 && t > 0) print ok / t, cpu / ok * 1e6; else print 0, 0 }' "$work/cmd.out"
}

row() { # label url rate connections workers size [h2load flags]
    local label=$1 u=$2 rate=$3 conns=$4 workers=$5 size=$6 threads
    shift 6
    threads=$workers
    local tls=()
    case $u in https:*) tls=(--cacert "$work/cert.pem") ;; esac
    [ -f "$work/body$size.lua" ] || make_body "$size"
    : >"$work/sl.rows"
    : >"$work/h2.rows"
    for _ in $(seq "$runs"); do
        run_soapload "$u" "$rate" "$conns" "$workers" "$work/body$size.lua" "${tls[@]}" >>"$work/sl.rows"
        run_h2load "$u" "$rate" "$conns" "$threads" "$work/body$size.xml" "$@" >>"$work/h2.rows"
    done
    col() { awk -v k="$1" '{ print $k }' "$2" | median; }
    local sr sc hr hc
    sr=$(col 1 "$work/sl.rows"); sc=$(col 2 "$work/sl.rows")
    hr=$(col 1 "$work/h2.rows"); hc=$(col 2 "$work/h2.rows")
    printf '| %-26s | %9.0f | %7.1f | %9.0f | %7.1f | %5s |\n' "$label" "$sr" "$sc" "$hr" "$hc" \
        "$(awk -v a="$sc" -v b="$hc" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
    # a row whose soapload runs did not all come back ok: what failed, and why, after the table
    awk -v label="$label" -v rate="$rate" -v secs="$secs" -v conns="$conns" -v runs="$runs" \
        -v cores="$(nproc)" '
        { ns += $3; f += $4; p50 += $5; mock += $6; cli += $7; busy += $8; n++
          if ($9 != "-") kinds = kinds (kinds == "" ? "" : " ") $9 }
        END {
            if (n == 0 || ns + f == 0) exit
            p50 /= n
            printf "- %s: soapload %.0f of %d/s ok; per run (mean of %d) not sent %.0f, failed %.0f%s.", \
                label, rate - (ns + f) / n / secs, rate, n, ns / n, f / n, \
                (kinds == "" ? "" : " (" kinds ")")
            if (ns > 0)
                printf " Not sent: still waiting for one of the %d connections when sending ended;" \
                    " at a service time p50 of %.1f ms they carry about %.0f/s.", conns, p50, \
                    (p50 > 0 ? conns * 1000 / p50 : 0)
            printf " CPU: soapload %.2f + mock %.2f = %.2f of %d cores; the machine (everything" \
                " on it) %.0f%% busy.\n", cli / n / secs, mock / n / secs, (cli + mock) / n / secs, \
                cores, busy / n * 100
        }' "$work/sl.rows" >>"$work/notes"
}

want() { case " $dims " in *" $1 "*) return 0 ;; esac; return 1; }
echo "== cost per request as one dimension grows (${runs} x ${secs} s per row, medians)"
echo "| case | soapload req/s | soapload CPU us/req | h2load req/s | h2load CPU us/req | CPU ratio |"
echo "|---|---:|---:|---:|---:|---:|"
if want connections; then
    for c in 50 1000 10000; do row "connections $c, 10k/s" "$plain_url" 10000 "$c" 4 250; done
fi
if want body; then
    for size in 1000 65536 1000000; do row "body $size B, 1k/s" "$plain_url" 1000 50 4 "$size"; done
fi
if want workers; then
    for w in 1 2 4 8; do row "workers $w, 10k/s" "$plain_url" 10000 50 "$w" 250; done
fi
if want rate; then
    for r in 1000 10000 40000 80000; do row "rate $r/s" "$plain_url" "$r" 50 4 250; done
fi
if want https; then
    row "https TLS 1.3, 10k/s" "$tls_url" 10000 50 4 250
fi
if [ -s "$work/notes" ]; then
    echo
    echo "Rows where soapload's requests did not all come back ok:"
    cat "$work/notes"
fi
