#!/usr/bin/env bash
# Benchmark: wrk against soapload-mock and against nginx (`return 200` with a body of the same
# size), side by side in one run, at 1 and 2 wrk threads with 50 and 100 connections. The mock
# does its real work: parse the envelope, echo the ID, count. Prints the median req/s of RUNS
# runs per case and the ratio mock/nginx, the servers' CPU time per request (steadier than
# req/s on a shared machine), then the mock's RSS before and after all of it.
# Usage: scripts/bench-mock.sh [RUNS=3] [SECONDS=5]
# MOCK_BIN=PATH benchmarks another build of the mock; BASE_MOCK_BIN=PATH runs a second build
# (e.g. main's) in the same rounds, for a before/after in one run. CALLGRIND=1 then also counts
# the instructions per request of each mock and of nginx under valgrind's callgrind (one
# server thread/worker, wrk -t1 -c50 for SECONDS): repeatable where req/s is not.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
runs=${1:-3}
secs=${2:-5}
scripts/bootstrap.sh build bench
scripts/build.sh

nginx_port=$(free_port)

body='<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>P1-R1</e:RequestId></e:Echo></soap:Body></soap:Envelope>'
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"urn:soapload:echo#Echo"'
LUA

start_mock --threads 2
base_pid=
if [ -n "${BASE_MOCK_BIN:-}" ]; then
    "$BASE_MOCK_BIN" --port 0 --threads 2 >"$work/base.log" 2>&1 &
    base_pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$work/base.log" && break; sleep 0.05; done
    base_port=$(grep -o 'http://[^ ]*' "$work/base.log" | head -1)
    base_port=${base_port#http://127.0.0.1:}
    base_port=${base_port%%/*}
    trap 'kill -TERM $base_pid 2>/dev/null; bench_cleanup' EXIT
fi
# the mock's answer, so that nginx sends a body of exactly the same size
answer=$(curl -s -H 'Content-Type: text/xml' --data "$body" "http://127.0.0.1:$mock_port/soap/endpoint")
answer_escaped=${answer//\'/\\\'}
cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $work;
    server {
        listen 127.0.0.1:$nginx_port;
        location /soap/endpoint {
            default_type "text/xml; charset=utf-8";
            return 200 '$answer_escaped';
        }
    }
}
NGINX
nginx -c "$work/nginx.conf" -e "$work/nginx-error.log"
wait_listening "$nginx_port"

nginx_pids=$(pgrep -f "nginx: worker process" -P "$(cat "$work/nginx.pid")" | tr '\n' ' ')
server_ticks() { # user + system ticks of the given processes, all their threads
    local t=0
    for p in "$@"; do t=$((t + $(cpu_ticks "$p"))); done
    echo "$t"
}
rss_before=$(rss_kib "$mock_pid")
printf 'body %d bytes, answer %d bytes; %d runs of %d s per case\n' "${#body}" "${#answer}" "$runs" "$secs"
targets="mock nginx"
[ -n "$base_pid" ] && targets="mock base nginx"
printf '%-16s %11s %11s %7s %14s %14s' "case" "mock req/s" "nginx req/s" "ratio" \
    "mock us CPU/r" "nginx us CPU/r"
[ -n "$base_pid" ] && printf ' %11s %9s %14s' "base req/s" "mock/base" "base us CPU/r"
printf '\n'
total=0
for threads in 1 2; do
    for conns in 50 100; do
        : >"$work/mock.rates"
        : >"$work/nginx.rates"
        : >"$work/mock.cpu"
        : >"$work/nginx.cpu"
        : >"$work/base.rates"
        : >"$work/base.cpu"
        for _ in $(seq "$runs"); do # alternate the two servers so that drift hits both alike
            for target in $targets; do
                port=$mock_port
                pids=$mock_pid
                [ "$target" = nginx ] && port=$nginx_port && pids=$nginx_pids
                [ "$target" = base ] && port=$base_port && pids=$base_pid
                # shellcheck disable=SC2086
                t0=$(server_ticks $pids)
                out=$(wrk -t "$threads" -c "$conns" -d "${secs}s" -s "$work/post.lua" \
                    "http://127.0.0.1:$port/soap/endpoint")
                # shellcheck disable=SC2086
                t1=$(server_ticks $pids)
                echo "$out" | awk '/^Requests\/sec/ { print $2 }' >>"$work/$target.rates"
                n=$(echo "$out" | awk '/requests in/ { print $1 }')
                awk -v a="$t0" -v b="$t1" -v n="$n" -v hz="$(getconf CLK_TCK)" \
                    'BEGIN { print (b - a) / hz / n * 1e6 }' >>"$work/$target.cpu"
                [ "$target" = mock ] && total=$((total + n))
                if echo "$out" | grep -q "Non-2xx"; then
                    echo "$target answered non-2xx:" >&2
                    echo "$out" >&2
                    exit 1
                fi
            done
        done
        m=$(median <"$work/mock.rates")
        n=$(median <"$work/nginx.rates")
        printf '%-16s %11.0f %11.0f %7.3f %14.2f %14.2f' "wrk -t$threads -c$conns" "$m" "$n" \
            "$(ratio "$m" "$n")" "$(median <"$work/mock.cpu")" "$(median <"$work/nginx.cpu")"
        if [ -n "$base_pid" ]; then
            b=$(median <"$work/base.rates")
            printf ' %11.0f %9.3f %14.2f' "$b" "$(ratio "$m" "$b")" "$(median <"$work/base.cpu")"
        fi
        printf '\n'
    done
done
rss_after=$(rss_kib "$mock_pid")
echo "mock RSS: ${rss_before} KiB before, ${rss_after} KiB after ${total} requests"
curl -s "http://127.0.0.1:$mock_port/stats" | grep -E '"total"|"echo"'

[ "${CALLGRIND:-0}" = 1 ] || exit 0
# Instructions per request under callgrind: total instructions of the server process over
# the requests wrk counted (start-up included, a fraction of a percent).
cg_run() { # label port-file-or-empty command...: prints label and instructions per request
    local label=$1
    shift
    valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$work/$label.cg" "$@" \
        >"$work/$label.cglog" 2>&1 &
    local pid=$! port=$nginx_cg_port
    if [ "$label" != nginx ]; then # a mock says where it listens, once valgrind has started it
        for _ in $(seq 300); do grep -q "listening on" "$work/$label.cglog" && break; sleep 0.1; done
        port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/$label.cglog" | head -1 | sed 's/.*://')
    fi
    wait_listening "$port"
    out=$(wrk -t1 -c50 -d"${secs}s" -s "$work/post.lua" "http://127.0.0.1:$port/soap/endpoint")
    if [ "$label" = nginx ]; then kill -QUIT "$(cat "$work/nginx-cg.pid")"; else kill -TERM "$pid"; fi
    wait "$pid" || true
    local n ir
    n=$(echo "$out" | awk '/requests in/ { print $1 }')
    ir=$(callgrind_annotate "$work/$label.cg" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    printf '%-8s %9d requests %14d instructions %8.0f per request\n' "$label" "$n" "$ir" \
        "$(awk -v a="$ir" -v b="$n" 'BEGIN { print a / b }')"
}
nginx_cg_port=$(free_port)
sed -e "s/^worker_processes 2;/master_process off; daemon off; worker_processes 1;/" \
    -e "s|pid $work/nginx.pid;|pid $work/nginx-cg.pid;|" \
    -e "s/listen 127.0.0.1:$nginx_port;/listen 127.0.0.1:$nginx_cg_port;/" \
    "$work/nginx.conf" >"$work/nginx-cg.conf"
echo "callgrind, wrk -t1 -c50 for ${secs} s, one server thread/worker:"
cg_run mock "${MOCK_BIN:-build/release/soapload-mock}" --port 0 --threads 1
[ -n "$base_pid" ] && cg_run base "$BASE_MOCK_BIN" --port 0 --threads 1
cg_run nginx nginx -c "$work/nginx-cg.conf" -e "$work/nginx-error.log"
