#!/usr/bin/env bash
# Builds soapload and soapload-mock (release flags), their man pages and completions into
# build/release; prints nothing when up to date. Usage: scripts/build.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSOAPLOAD_WERROR=ON -DSOAPLOAD_TESTS=OFF >/dev/null
# soapload-docs: the man pages and completions (build/release/man, .../completion), so that
# `cmake --install build/release` has them
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)" \
    --target soapload soapload-mock soapload-docs >/dev/null
