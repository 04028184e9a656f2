#!/usr/bin/env bash
# The main job, as README gives it: installs what is missing, builds, starts soapload-mock on
# 127.0.0.1:8000, runs scripts/examples/default.lua (1000 req/s for 10 s), prints the summary
# and the mock's own count of the IDs it received, then stops the mock.
# Extra arguments go to soapload, e.g. scripts/run-default.sh -R 10000
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/bootstrap.sh build
scripts/build.sh

bin=build/release
log=$(mktemp -t soapload-mock.XXXXXX)
"$bin/soapload-mock" --host 127.0.0.1 --port 8000 >"$log" 2>&1 &
mock=$!
trap 'kill -TERM $mock 2>/dev/null; wait $mock 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do
    grep -q "listening on" "$log" && break
    if ! kill -0 $mock 2>/dev/null; then
        echo "run-default: soapload-mock could not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.05
done
head -n 1 "$log"

status=0
"$bin/soapload" "$@" scripts/examples/default.lua || status=$?

echo
echo "soapload-mock's count of what it received (GET /stats):"
curl -s http://127.0.0.1:8000/stats | grep -E '"total"|"echo"|"ids"|"in_progress"|"connections"'
exit $status
