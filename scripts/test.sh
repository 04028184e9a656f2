#!/usr/bin/env bash
# The whole test suite, as README gives it: installs what is missing, checks formatting,
# builds twice (plain, and with AddressSanitizer + UndefinedBehaviorSanitizer) and runs
# ctest on both. Tests start the servers they need on free loopback ports themselves.
# SOAPLOAD_LONG=1 also runs the long soak and fuzz runs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/bootstrap.sh build test

jobs=$(nproc 2>/dev/null || echo 2)

echo "== format check"
clang-format --dry-run --Werror src/*.c src/*.h mock/*.c mock/*.h tests/unit/*.c tests/unit/*.h

for variant in plain sanitize; do
    dir="build/$variant"
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOAPLOAD_WERROR=ON)
    [ "$variant" = sanitize ] && flags+=(-DSOAPLOAD_SANITIZE=address,undefined)
    echo "== $variant build"
    cmake -S . -B "$dir" "${flags[@]}" >/dev/null
    cmake --build "$dir" -j "$jobs" >/dev/null
    echo "== $variant tests"
    (cd "$dir" && ctest --output-on-failure --timeout 300)
done
