#!/bin/sh
# The load-test gate the CI examples beside this file run (gitlab-ci.yml, github-workflow.yml),
# and tests/spec/ci_spec.lua runs too: starts soapload-mock on a free loopback port, runs
# SCRIPT against it with thresholds, keeps the JSON, HTML and JUnit reports (and the mock's
# own counts) in OUT, and exits with soapload's exit code (0 pass, 3 a threshold failed, ...).
# With BASELINE (a result.json of an earlier run) it also compares against it as a gate.
# Against a real service: set URL and no mock is started.
#   SOAPLOAD, SOAPLOAD_MOCK  the binaries (default: build/soapload, build/soapload-mock)
#   OUT                      where the reports go (default: results)
#   SCRIPT                   the test script (default: scripts/examples/default.lua)
#   RATE, DURATION           the load (default: 200 req/s for 10s)
#   MOCK_ARGS                extra options for the mock (e.g. --delay 5ms)
set -eu
SOAPLOAD=${SOAPLOAD:-build/soapload}
SOAPLOAD_MOCK=${SOAPLOAD_MOCK:-build/soapload-mock}
OUT=${OUT:-results}
SCRIPT=${SCRIPT:-scripts/examples/default.lua}
mkdir -p "$OUT"

mock=""
if [ -z "${URL:-}" ]; then
    # port 0: the mock picks a free one and prints its URL
    : >"$OUT/mock.log" # there before the mock writes its first line: read from the start
    # shellcheck disable=SC2086 # MOCK_ARGS is a list of options
    "$SOAPLOAD_MOCK" -p 0 ${MOCK_ARGS:-} >"$OUT/mock.log" 2>&1 &
    mock=$!
    # the mock stopped, and gone, whatever the gate's end; the gate's exit status kept
    # shellcheck disable=SC2154 # st is set inside the trap itself
    trap 'st=$?; kill "$mock" 2>/dev/null && wait "$mock" 2>/dev/null; exit $st' EXIT
    i=0
    while [ -z "${URL:-}" ] && [ $i -lt 100 ]; do
        URL=$(sed -n 's/.* listening on \(http[^ ]*\).*/\1/p' "$OUT/mock.log" || true)
        [ -n "$URL" ] || sleep 0.1
        i=$((i + 1))
    done
    [ -n "$URL" ] || { echo "gate: soapload-mock did not start:" >&2; cat "$OUT/mock.log" >&2; exit 4; }
fi

code=0
"$SOAPLOAD" -u "$URL" -R "${RATE:-200}" -d "${DURATION:-10s}" \
    --threshold 'p99 < 250ms' --threshold 'error_rate < 1%' \
    --json "$OUT/result.json" --html "$OUT/report.html" --junit "$OUT/junit.xml" \
    "$SCRIPT" >"$OUT/summary.txt" || code=$?
cat "$OUT/summary.txt"
if [ -n "${BASELINE:-}" ]; then
    "$SOAPLOAD" compare "$BASELINE" "$OUT/result.json" --threshold 'p99 +20%' \
        --fail-on-significant --html "$OUT/compare.html" --junit "$OUT/compare-junit.xml" ||
        { c=$?; [ $code -ne 0 ] || code=$c; }
fi
if [ -n "$mock" ]; then # what the server counted, beside what soapload counted
    base=${URL%/soap/endpoint}
    curl -fsS "$base/stats" >"$OUT/mock-stats.json" || true
fi
exit $code
