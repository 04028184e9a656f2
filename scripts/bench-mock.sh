#!/usr/bin/env bash
# Benchmark: wrk against soapload-mock and against nginx (`return 200` with a body of the same
# size), side by side in one run, at 1 and 2 wrk threads with 50 and 100 connections. The mock
# does its real work: parse the envelope, echo the ID, count. Prints the median req/s of RUNS
# runs per case and the ratio mock/nginx, the servers' CPU time per request (steadier than
# req/s on a shared machine), then the mock's RSS before and after all of it.
# Usage: scripts/bench-mock.sh [RUNS=3] [SECONDS=5]
# MOCK_BIN=PATH benchmarks another build of the mock (e.g. main's, for a before/after).
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
printf '%-16s %11s %11s %7s %14s %14s\n' "case" "mock req/s" "nginx req/s" "ratio" \
    "mock us CPU/r" "nginx us CPU/r"
total=0
for threads in 1 2; do
    for conns in 50 100; do
        : >"$work/mock.rates"
        : >"$work/nginx.rates"
        : >"$work/mock.cpu"
        : >"$work/nginx.cpu"
        for _ in $(seq "$runs"); do # alternate the two servers so that drift hits both alike
            for target in mock nginx; do
                port=$mock_port
                pids=$mock_pid
                [ $target = nginx ] && port=$nginx_port && pids=$nginx_pids
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
                [ $target = mock ] && total=$((total + n))
                if echo "$out" | grep -q "Non-2xx"; then
                    echo "$target answered non-2xx:" >&2
                    echo "$out" >&2
                    exit 1
                fi
            done
        done
        m=$(median <"$work/mock.rates")
        n=$(median <"$work/nginx.rates")
        printf '%-16s %11.0f %11.0f %7.3f %14.2f %14.2f\n' "wrk -t$threads -c$conns" "$m" "$n" \
            "$(ratio "$m" "$n")" "$(median <"$work/mock.cpu")" "$(median <"$work/nginx.cpu")"
    done
done
rss_after=$(rss_kib "$mock_pid")
echo "mock RSS: ${rss_before} KiB before, ${rss_after} KiB after ${total} requests"
curl -s "http://127.0.0.1:$mock_port/stats" | grep -E '"total"|"echo"'
