#!/usr/bin/env bash
# The cost of each protocol, side by side in one run against soapload-mock, next to h2load on
# the same protocol: closed model (as fast as it goes), the same connections and requests in
# flight for both tools, requests/s and client CPU time per request (user + system of the
# client's processes, RUNS runs, medians), and how many connections soapload opened.
#   http/1.1        plain http, keep-alive, C connections
#   http/2 (h2c)    plain http, 2 connections x STREAMS streams (h2load -m)
#   https/1.1       TLS, keep-alive, C connections (one handshake per connection)
#   https/2         TLS with ALPN h2, 2 connections x STREAMS streams
# A test CA is made in the scratch directory with openssl and removed on exit.
# Usage: scripts/bench-protocols.sh [RUNS=3] [SECONDS=5] [CONNECTIONS=8] [STREAMS=8]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
runs=${1:-3}
secs=${2:-5}
conns=${3:-8}
streams=${4:-8}
command -v h2load >/dev/null || { echo "h2load (nghttp2-client) is needed" >&2; exit 2; }
scripts/build.sh
bin=build/release
hz=$(getconf CLK_TCK)

(cd "$work" &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 \
        -subj '/CN=bench CA' &&
    openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj '/CN=127.0.0.1' &&
    printf 'subjectAltName=IP:127.0.0.1\n' >ext &&
    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem \
        -days 1 -extfile ext) >/dev/null 2>&1
start_mock --threads 2
http_url=$url
"$bin/soapload-mock" --port 0 --threads 2 --tls-cert "$work/srv.pem" --tls-key "$work/srv.key" \
    >"$work/tls.log" 2>&1 &
tls_pid=$!
trap 'kill -TERM $tls_pid 2>/dev/null; bench_cleanup' EXIT
for _ in $(seq 100); do grep -q "listening on" "$work/tls.log" && break; sleep 0.05; done
https_url=$(grep -o 'https://[^ ]*' "$work/tls.log" | head -1)

body='<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>H-1</e:RequestId></e:Echo></soap:Body></soap:Envelope>'
printf '%s' "$body" >"$work/body.xml"

# Runs "$@" and prints "requests/s us-CPU-per-request" from its own count (read by $count_of
# from its output) and the CPU of the reaped children of this shell.
measure() { # count_of command...
    local count_of=$1
    shift
    local u0 s0 u1 s1 n me=$BASHPID # this subshell: it reaps the command
    read -r u0 s0 < <(awk '{ print $16, $17 }' "/proc/$me/stat")
    "$@" >"$work/out" 2>&1 || true
    read -r u1 s1 < <(awk '{ print $16, $17 }' "/proc/$me/stat")
    n=$($count_of "$work/out")
    awk -v n="$n" -v secs="$secs" -v c=$(((u1 - u0) + (s1 - s0))) -v hz="$hz" \
        'BEGIN { printf "%.1f %.2f\n", n / secs, (n > 0 ? c / hz / n * 1e6 : 0) }'
}
soapload_ok() { grep -o 'sent          [0-9]* = ok [0-9]*' "$1" | awk '{ print $5 }'; }
h2load_ok() { awk '/^requests:/ { print $8 }' "$1"; }
soapload_conns() { grep -o 'opened [0-9]*, reused [0-9]*' "$1" || echo "opened ?"; }

row() { # name soapload-args h2load-args url
    local name=$1 sl_args=$2 h2_args=$3 u=$4 sl=() h2=() conn=""
    for _ in $(seq "$runs"); do
        # shellcheck disable=SC2086
        sl+=("$(measure soapload_ok "$bin/soapload" -q --closed -w 2 -d "${secs}s" $sl_args \
            -u "$u" scripts/examples/default.lua)")
        conn=$(soapload_conns "$work/out")
        # shellcheck disable=SC2086
        h2+=("$(measure h2load_ok h2load -D "$secs" -t 2 $h2_args -d "$work/body.xml" \
            -H 'Content-Type: text/xml; charset=utf-8' "$u")")
    done
    printf '  %-13s soapload %9.0f req/s %6.2f us CPU/req (%s) | h2load %9.0f req/s %6.2f us CPU/req\n' \
        "$name" \
        "$(printf '%s\n' "${sl[@]}" | awk '{ print $1 }' | median)" \
        "$(printf '%s\n' "${sl[@]}" | awk '{ print $2 }' | median)" "$conn" \
        "$(printf '%s\n' "${h2[@]}" | awk '{ print $1 }' | median)" \
        "$(printf '%s\n' "${h2[@]}" | awk '{ print $2 }' | median)"
}

echo "== protocols, closed model, ${runs} x ${secs} s, medians (client CPU: user + system)"
row "http/1.1" "-c $conns" "--h1 -c $conns" "$http_url"
row "http/2 h2c" "-c 2 --http 2 --streams $streams" "-c 2 -m $streams" "$http_url"
row "https/1.1" "-c $conns --cacert $work/ca.pem" "--h1 -c $conns" "$https_url"
row "https/2" "-c 2 --http 2 --streams $streams --cacert $work/ca.pem" "-c 2 -m $streams" \
    "$https_url"
