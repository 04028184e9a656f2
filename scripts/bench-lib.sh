# Shared by the benchmark scripts (sourced): a scratch directory and soapload-mock on a free
# port (both gone on exit; MOCK_BIN picks another build of the mock), free ports, waiting for
# a listener, medians, RSS, CPU ticks.

work=$(mktemp -d)
bench_cleanup() {
    [ -n "${mock_pid:-}" ] && kill -TERM "$mock_pid" 2>/dev/null
    [ -f "$work/nginx.pid" ] && kill -QUIT "$(cat "$work/nginx.pid")" 2>/dev/null
    sleep 0.2
    rm -rf "$work"
}
trap bench_cleanup EXIT

start_mock() { # extra mock flags; sets mock_pid, url and mock_port
    "${MOCK_BIN:-build/release/soapload-mock}" --port 0 "$@" >"$work/mock.log" 2>&1 &
    mock_pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$work/mock.log" && break; sleep 0.05; done
    url=$(grep -o 'http://[^ ]*' "$work/mock.log" | head -1)
    mock_port=${url#http://127.0.0.1:}
    mock_port=${mock_port%%/*}
}

free_port() { # a port on which nothing listens right now
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}

ratio() { # a b: a / b with 3 decimals
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'
}

wait_listening() { # port
    for _ in $(seq 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "nothing listens on port $1" >&2
    return 1
}

median() { # numbers on stdin, one per line
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

rss_kib() { # pid
    awk '/^VmRSS/ { print $2 }' "/proc/$1/status"
}

cpu_ticks() { # pid: user + system clock ticks so far, children included once reaped
    awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"
}
