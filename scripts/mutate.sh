#!/bin/bash
# Mutation check (opt-in, slow: not part of scripts/test.sh): applies each one-line mutation of
# tests/mutation/mutations.tsv to a copy of the work tree, rebuilds what it touches, runs the
# tests named for it, and prints whether they caught it; then the score, caught/total.
# A mutation whose tests fail without it is not judged (and says so); one that does not
# build is left out of the total. The copy and its build live in build/mutate (or
# $SOAPLOAD_MUTATE_DIR) and stay between runs, so that rebuilds are incremental.
# Usage: scripts/mutate.sh [LIST] [NAME-FILTER]     e.g. scripts/mutate.sh '' burst
# Exit: 0 when every judged mutation was caught, 1 when one survived, 2 on a setup error.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
list=${1:-$root/tests/mutation/mutations.tsv}
[ -n "$list" ] || list=$root/tests/mutation/mutations.tsv
only=${2:-}
work=${SOAPLOAD_MUTATE_DIR:-$root/build/mutate}
src=$work/src
bld=$work/build
jobs=${SOAPLOAD_MUTATE_JOBS:-2}

mkdir -p "$src" "$work/stage" || exit 2
# the tracked and new files of the work tree; only those whose content differs from the copy
# are replaced (a new mtime), so that the build stays incremental and never keeps a mutant
(cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) |
    tar -xf - -C "$work/stage" || exit 2
(cd "$work/stage" && find . -type f -print0) | while IFS= read -r -d '' f; do
    cmp -s "$work/stage/$f" "$src/$f" || { mkdir -p "$(dirname "$src/$f")" && cp "$work/stage/$f" "$src/$f"; }
done
if ! { cmake -S "$src" -B "$bld" -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$work/cmake.log" 2>&1 &&
    cmake --build "$bld" -j"$jobs" > "$work/build.log" 2>&1; }; then
    echo "mutate: the unmutated tree does not build: $work/build.log" >&2
    exit 2
fi

unit() { "$bld/tests/$1" > /dev/null 2>&1; }
spec() {
    (cd "$src" && SOAPLOAD_BIN=$bld/soapload SOAPLOAD_MOCK_BIN=$bld/soapload-mock \
        SOAPLOAD_SOURCE_DIR=$src timeout 600 lua5.4 /usr/bin/busted --output=plainTerminal \
        ${2:+"--filter=$2"} "tests/spec/$1.lua" > /dev/null 2>&1)
}
run_test() { (eval "$1") < /dev/null; }

# Replaces the one occurrence of $2 in file $1 by $3 (\n: a line break); fails when the text
# is not there exactly once.
mutate() {
    python3 - "$1" "$2" "$3" << 'EOF'
import sys
path, old, new = sys.argv[1], sys.argv[2].replace("\\n", "\n"), sys.argv[3].replace("\\n", "\n")
text = open(path).read()
if text.count(old) != 1:
    sys.exit("found %d times" % text.count(old))
open(path, "w").write(text.replace(old, new))
EOF
}

declare -A baseline
caught=0 total=0 survived=() unjudged=0
while IFS=$'\t' read -r -u 3 name file old new targets test; do
    case "$name" in '#'* | '') continue ;; esac
    [ -z "$only" ] || [[ "$name" == *"$only"* ]] || continue
    if [ -z "${baseline[$test]+x}" ]; then # the test must pass on the unmutated build
        # once more on a failure: timing specs can lose a race on a loaded machine
        if run_test "$test" || run_test "$test"; then baseline[$test]=ok; else baseline[$test]=fails; fi
    fi
    if [ "${baseline[$test]}" != ok ]; then
        printf 'NOT JUDGED  %s (its test fails without the mutation: %s)\n' "$name" "$test"
        unjudged=$((unjudged + 1))
        continue
    fi
    cp "$src/$file" "$work/original" || exit 2
    if ! err=$(mutate "$src/$file" "$old" "$new" 2>&1); then
        printf 'MISSING     %s: %s in %s\n' "$name" "$err" "$file"
        continue
    fi
    # shellcheck disable=SC2086 # targets are words
    if ! cmake --build "$bld" -j"$jobs" --target $targets > "$work/mutant.log" 2>&1; then
        printf 'NO BUILD    %s\n' "$name"
    else
        total=$((total + 1))
        if run_test "$test"; then
            printf 'SURVIVED    %s (%s: %s)\n' "$name" "$file" "$test"
            survived+=("$name")
        else
            printf 'CAUGHT      %s\n' "$name"
            caught=$((caught + 1))
        fi
    fi
    cp "$work/original" "$src/$file"
    # shellcheck disable=SC2086
    cmake --build "$bld" -j"$jobs" --target $targets > /dev/null 2>&1
done 3< "$list"
note=""
[ "$unjudged" -eq 0 ] || note=" ($unjudged not judged: their tests fail without a mutation)"
echo "mutation score: $caught/$total caught$note"
[ ${#survived[@]} -eq 0 ]
