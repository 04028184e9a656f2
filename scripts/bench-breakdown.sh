#!/usr/bin/env bash
# The client's cost of one request, taken apart, soapload next to h2load (--h1 --rps) at the
# same open-model rate against the same soapload-mock:
#   instructions  valgrind's callgrind, every process of the client (soapload's workers too)
#   syscalls      strace -c -f, by name (the five most frequent shown)
#   epoll waits   the calls of epoll_wait/epoll_pwait/epoll_pwait2 in the same strace table
#                 (h2load's libev waits in epoll_wait), each a wait that returned
#   wake-ups      voluntary context switches of the client and its children (GNU time)
# Each figure is marginal: the difference between a long and a short run over the difference
# in requests answered, so that start-up (Lua, fork, connecting) cancels out. Under callgrind
# and strace the client runs far slower than it would: RATE stays low (default 2,000 req/s)
# so that both keep up.
# Usage: scripts/bench-breakdown.sh [RATE=2000] [SHORT=1] [LONG=3]   (seconds)
# SOAPLOAD_FLAGS adds flags to soapload (e.g. "-w 1"). BASE=DIR adds a row for DIR/soapload,
# another build (the one before a change), run the same way in the same run.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
. scripts/bench-lib.sh
rate=${1:-2000}
short=${2:-1}
long=${3:-3}
scripts/bootstrap.sh build bench
scripts/build.sh
bin=build/release
start_mock --threads 1 --no-ids
clients=20
printf '%s' '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>H-1</e:RequestId></e:Echo></soap:Body></soap:Envelope>' >"$work/body.xml"

# The command line of one client run of `secs` seconds.
client() { # tool secs
    if [ "$1" = soapload ] || [ "$1" = base ]; then
        local b=$bin
        [ "$1" = base ] && b=$BASE
        # shellcheck disable=SC2086 # SOAPLOAD_FLAGS is a list of flags
        echo "$b/soapload -q --json $work/r.json -R $rate -d ${2}s -c $clients --burst 1 --timeout 10s ${SOAPLOAD_FLAGS:-} -u $url scripts/examples/default.lua"
    else
        echo "h2load --h1 -n $((rate * $2)) -c $clients -t 1 --rps $((rate / clients)) -d $work/body.xml -H Content-Type:text/xml $url"
    fi
}

# Requests the last run answered (soapload: ok from its JSON; h2load: succeeded).
answered() { # tool output-file
    if [ "$1" = soapload ] || [ "$1" = base ]; then
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["ok"])' "$work/r.json"
    else
        awk '/^requests:/ { print $8 }' "$2"
    fi
}

# Prints "requests instructions" of one run under callgrind.
instructions() { # tool secs
    rm -f "$work"/cg.*
    # shellcheck disable=SC2046 # the command line is words
    valgrind --tool=callgrind --trace-children=yes --dump-instr=no \
        --callgrind-out-file="$work/cg.%p" $(client "$1" "$2") >"$work/out" 2>"$work/vg" || true
    local ir=0 f n
    for f in "$work"/cg.*; do
        n=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
        ir=$((ir + ${n:-0}))
    done
    echo "$(answered "$1" "$work/out") $ir"
}

# Prints "requests total-syscalls epoll-waits" and keeps the per-name table in
# $work/strace.$1.$2 (strace -c: the calls are the 4th column, the name the last).
syscalls() { # tool secs
    # shellcheck disable=SC2046
    strace -f -c -o "$work/strace.$1.$2" $(client "$1" "$2") >"$work/out" 2>&1 || true
    echo "$(answered "$1" "$work/out") $(awk '$NF == "total" { print $4 }
        $NF ~ /^epoll_(wait|pwait|pwait2)$/ { w += $4 } END { print w + 0 }' \
        "$work/strace.$1.$2" | paste -sd' ')"
}

# Prints "requests voluntary-context-switches".
wakeups() { # tool secs
    # shellcheck disable=SC2046
    /usr/bin/time -f "%w" -o "$work/time" $(client "$1" "$2") >"$work/out" 2>&1 || true
    echo "$(answered "$1" "$work/out") $(tail -1 "$work/time")"
}

# The marginal figures per request between the short and the long run: one per figure that
# the function prints after the requests ("a b" for syscalls: all, and the epoll waits).
marginal() { # function tool
    local a b
    a=$("$1" "$2" "$short")
    b=$("$1" "$2" "$long")
    awk -v a="$a" -v b="$b" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
        dn = y[1] - x[1]
        for (i = 2; i <= n; i++) printf "%s%.2f", (i > 2 ? " " : ""), (dn > 0 ? (y[i] - x[i]) / dn : 0) }'
}

tools="soapload h2load"
[ -n "${BASE:-}" ] && tools="base soapload h2load"
echo "== the cost of one request, marginal between ${short} s and ${long} s at ${rate} req/s, ${clients} connections"
[ -n "${BASE:-}" ] && echo "   (base: $BASE/soapload)"
printf '| %-9s | %14s | %9s | %11s | %9s |\n' client "instructions" "syscalls" "epoll waits" "wake-ups"
printf '|---|---:|---:|---:|---:|\n'
for tool in $tools; do
    read -r sc ew <<<"$(marginal syscalls "$tool")"
    printf '| %-9s | %14.0f | %9s | %11s | %9s |\n' "$tool" "$(marginal instructions "$tool")" \
        "$sc" "$ew" "$(marginal wakeups "$tool")"
done
for tool in $tools; do
    echo "-- $tool: the most frequent syscalls of the ${long} s run (strace -c -f)"
    awk 'NR > 2 && $NF != "total" && $1 !~ /^-/ { print "   " $NF, $4 }' \
        "$work/strace.$tool.$long" | sort -k2 -n -r | head -5
done
