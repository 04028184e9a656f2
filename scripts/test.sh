#!/usr/bin/env bash
# The whole test suite, as README gives it: installs what is missing, checks formatting,
# checks that the main job needs only the build group (scripts/check-main-job.sh), builds
# twice (plain, and with AddressSanitizer + UndefinedBehaviorSanitizer) and runs both builds'
# tests in one ctest.
# Tests start the servers they need on free loopback ports themselves.
# SOAPLOAD_LONG=1 also runs the long soak and fuzz runs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/bootstrap.sh build test
scripts/install-npm-test-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)

echo "== format check"
clang-format --dry-run --Werror src/*.c src/*.h src/*/*.c src/*/*.h mock/*.c mock/*.h dist/*.c \
    tests/unit/*.c tests/unit/*.h tests/fuzz/*.c

# The main job on a machine with the build group only: every test and bench program hidden.
echo "== main job with only the build group"
scripts/check-main-job.sh

for variant in plain sanitize; do
    dir="build/$variant"
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOAPLOAD_WERROR=ON)
    [ "$variant" = sanitize ] && flags+=(-DSOAPLOAD_SANITIZE=address,undefined)
    echo "== $variant build"
    cmake -S . -B "$dir" "${flags[@]}" >/dev/null
    cmake --build "$dir" -j "$jobs" >/dev/null
done

# Both builds' tests in one ctest (the sanitized ones are named *_sanitized). The specs spend
# most of their time waiting on bounded load runs (the whole suite uses about a quarter of
# one core), so they run 2 per core; SOAPLOAD_TEST_JOBS=1 runs them one at a time.
mkdir -p build/suite
printf 'subdirs("%s")\nsubdirs("%s")\n' "$here/build/plain" "$here/build/sanitize" \
    >build/suite/CTestTestfile.cmake
test_jobs=${SOAPLOAD_TEST_JOBS:-$((2 * jobs))}
echo "== tests (plain and sanitize, $test_jobs at a time)"
# A spec that fails is run once more before it counts as failed: the timing-sensitive ones
# (rates, bursts, "not sent") can lose a race to another test's sanitized build on 2 cores.
# Every first failure stays in the log with its output, and is listed at the end by name.
log=build/suite/ctest.log
set +e
(cd build/suite && ctest --output-on-failure --timeout 300 -j "$test_jobs" \
    --repeat until-pass:2) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
retried=$(grep -oE 'Test +#[0-9]+: [A-Za-z0-9_]+ [.]*\*+Failed' "$log" | awk '{print $3}' | sort -u || true)
if [ -n "$retried" ]; then
    echo "== tests that failed once (output above; each was run a second time):"
    echo "$retried" | sed 's/^/   /'
fi
[ "$rc" -eq 0 ] || exit "$rc"

# libFuzzer targets, each for a short bounded time (SOAPLOAD_LONG=1: five minutes each).
# New inputs go to a scratch corpus; the seeds under tests/fuzz/corpus stay as they are.
fuzz_seconds=10
[ "${SOAPLOAD_LONG:-0}" = 1 ] && fuzz_seconds=300
echo "== fuzz build"
CC=clang cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOAPLOAD_WERROR=ON \
    -DSOAPLOAD_FUZZ=ON -DSOAPLOAD_SANITIZE=address,undefined >/dev/null
cmake --build build/fuzz -j "$jobs" --target fuzz_xml fuzz_xmltree fuzz_soap fuzz_check fuzz_threshold \
    fuzz_csv fuzz_json fuzz_wsdl fuzz_httphead fuzz_html fuzz_xmlesc >/dev/null
echo "== fuzz runs (${fuzz_seconds} s each)"
passed=0
for target in xml xmltree soap check threshold csv json wsdl httphead html xmlesc; do
    scratch=$(mktemp -d)
    if build/fuzz/tests/fuzz/fuzz_$target -max_total_time="$fuzz_seconds" -timeout=10 \
        -rss_limit_mb=1024 -artifact_prefix="$scratch/" "$scratch" "tests/fuzz/corpus/$target" \
        >"$scratch/log" 2>&1; then
        echo "fuzz_$target: $(grep -o 'Done [0-9]* runs' "$scratch/log")"
        passed=$((passed + 1))
        rm -rf "$scratch"
    else
        echo "fuzz_$target FAILED; the input that broke it is in $scratch:" >&2
        tail -40 "$scratch/log" >&2
        echo "$passed passed, 1 failed"
        exit 1
    fi
done
echo "fuzz: $passed passed, 0 failed"
