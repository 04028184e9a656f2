#!/usr/bin/env bash
# The main job, as README gives it: installs what is missing (the `build` group of
# third_party/DEPENDENCIES only), builds, starts soapload-mock on 127.0.0.1:8000, runs
# scripts/examples/default.lua (1000 req/s for 10 s, in bursts of 4 from 4 worker processes),
# prints the summary and the mock's own count of the IDs it received, then stops the mock.
# Extra arguments go to soapload, e.g. scripts/run-default.sh --burst 1
# SOAPLOAD_PORT=N starts the mock on port N instead (0: a free one; scripts/check-main-job.sh).
# Needs nothing outside the build group: bash, coreutils, grep, curl.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/bootstrap.sh build
scripts/build.sh

bin=build/release
port=${SOAPLOAD_PORT:-8000}
log=$(mktemp -t soapload-mock.XXXXXX)
"$bin/soapload-mock" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
mock=$!
trap 'kill -TERM $mock 2>/dev/null; wait $mock 2>/dev/null; rm -f "$log"' EXIT
url=""
for _ in $(seq 100); do
    url=$(grep -o 'listening on http://[^ ]*' "$log" | cut -d' ' -f3 || true)
    [ -n "$url" ] && break
    if ! kill -0 $mock 2>/dev/null; then
        echo "run-default: soapload-mock could not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.05
done
if [ -z "$url" ]; then
    echo "run-default: soapload-mock did not say where it listens within 5 s:" >&2
    cat "$log" >&2
    exit 1
fi
head -n 1 "$log"

status=0
"$bin/soapload" --url "$url" "$@" scripts/examples/default.lua || status=$?

echo
echo "soapload-mock's count of what it received (GET /stats):"
curl -s "${url%/soap/endpoint}/stats" | grep -E '"total"|"echo"|"ids"|"in_progress"|"connections"'
exit $status
