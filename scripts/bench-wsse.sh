#!/usr/bin/env bash
# Benchmark of request signing (WS-Security X.509): signed requests per second on one core
# (one worker, closed model, 8 connections, against soapload-mock on its own 2 threads without
# verification) for RSA-2048, RSA-3072 and ECDSA P-256 keys, next to the same run unsigned,
# with the worker CPU per signature that soapload reports (JSON wsse.sign_cpu_us_per_request);
# then each key again with the Body encrypted after signing (--wsse-encrypt-cert to an RSA-2048
# certificate, AES-256-GCM: that CPU counts encryption too).
# Keys are made for the run with openssl. Run it on a quiet machine: the numbers are per core.
# Usage: scripts/bench-wsse.sh [SECONDS=10] [ROUNDS=3]
# BIN_DIR=DIR uses the binaries in DIR (e.g. build/plain for a smoke run) instead of building
# build/release.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
secs=${1:-10}
rounds=${2:-3}
if [ -z "${BIN_DIR:-}" ]; then
    scripts/bootstrap.sh build bench
    scripts/build.sh
fi
bin=${BIN_DIR:-build/release}
MOCK_BIN=$bin/soapload-mock
. scripts/bench-lib.sh
start_mock --threads 2

keys() { # name openssl-newkey-args: name.key and name.pem in $work
    openssl req -x509 -newkey "$2" $3 -nodes -keyout "$work/$1.key" -out "$work/$1.pem" -days 1 \
        -subj "/CN=bench-$1" >/dev/null 2>&1
}
keys rsa2048 rsa:2048 ""
keys rsa3072 rsa:3072 ""
keys p256 ec "-pkeyopt ec_paramgen_curve:P-256"
printf 'soapload = {}\n' >"$work/s.lua"

one() { # label extra-args...: prints "req/s us-per-signature" of one run
    local label=$1
    shift
    "$bin/soapload" -q --closed -w 1 -c 8 -d "${secs}s" -u "$url" --progress never \
        --json "$work/r.json" "$@" "$work/s.lua" >/dev/null || true
    python3 - "$work/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
w = r.get("wsse", {})
print(f"{r['rates']['ok']:.1f} {w.get('sign_cpu_us_per_request', 0):.1f}")
PY
}

echo "== signed requests per second, one worker (one core), closed model, 8 connections," \
    "$secs s x $rounds rounds (medians); +enc: the Body encrypted too"
printf '%-12s %12s %16s %18s\n' key "req/s" "us CPU/signature" "signatures/s/core"
for k in none rsa2048 rsa3072 p256 rsa2048+enc rsa3072+enc p256+enc; do
    args=()
    key=${k%+enc}
    [ "$k" != none ] && args=(--wsse-sign-key "$work/$key.key" --wsse-sign-cert "$work/$key.pem")
    if [ "$key" != "$k" ]; then
        args+=(--wsse-encrypt-cert "$work/rsa2048.pem")
        if [ "$k" = rsa2048+enc ]; then # a mock that decrypts, for the echo: the same 2 threads
            kill -TERM "$mock_pid"
            wait "$mock_pid" 2>/dev/null || true
            start_mock --threads 2 --wsse-decrypt-key "$work/rsa2048.key"
        fi
    fi
    : >"$work/rates"
    : >"$work/cpu"
    for _ in $(seq "$rounds"); do
        read -r rate cpu < <(one "$k" "${args[@]}")
        echo "$rate" >>"$work/rates"
        echo "$cpu" >>"$work/cpu"
    done
    r=$(median <"$work/rates")
    c=$(median <"$work/cpu")
    per_core=$(awk -v c="$c" 'BEGIN { if (c > 0) printf "%.0f", 1e6 / c; else print "-" }')
    printf '%-12s %12.1f %16.1f %18s\n' "$k" "$r" "$c" "$per_core"
done
echo "(signatures/s/core: 1e6 / the CPU one signature took in the worker: parse, sign, write;" \
    "with +enc, encrypt too)"
