#!/usr/bin/env bash
# Checks that the main job needs nothing but the `build` group of third_party/DEPENDENCIES, as
# on a fresh machine that ran only scripts/run-default.sh. In a private mount namespace, every
# program of the `test` and `bench` packages is deleted from an overlay over /usr/bin and
# /usr/sbin (a package that the build group pulls in anyway stays); there, a copy of the working
# tree (tracked and untracked files, no build directories) runs scripts/run-default.sh for 1 s
# against a mock on a free port. Nothing outside the temporary directory is touched, and the
# namespace and its mounts vanish with the process. Run by scripts/test.sh; needs root.
# Usage: scripts/check-main-job.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
    echo "check-main-job: SKIPPED: a private mount namespace needs root (unshare -m)" >&2
    exit 0
fi

packages() { # the packages of the given groups
    while read -r pkg group _; do
        case "$pkg" in '' | '#'*) continue ;; esac
        for g in "$@"; do [ "$g" = "$group" ] && echo "$pkg"; done
    done <third_party/DEPENDENCIES
}

# What the build group installs with it (recursively) is on a fresh machine too.
mapfile -t build < <(packages build)
pulled=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${build[@]}" 2>/dev/null | grep -v '^ ' | sort -u || true)

hidden=()
for pkg in $(packages test bench); do
    grep -qx "$pkg" <<<"$pulled" && continue
    while read -r f; do
        case "$f" in /usr/bin/* | /usr/sbin/* | /bin/* | /sbin/*) ;; *) continue ;; esac
        [ -e "$f" ] || [ -L "$f" ] || continue
        f=${f#/usr}
        hidden+=("/usr$f") # /bin is /usr/bin on Debian 12
    done < <(dpkg -L "$pkg" 2>/dev/null || true)
done
# Alternatives (lua -> /etc/alternatives/lua -> lua5.4) go with what they point at.
declare -A gone=()
for f in "${hidden[@]}"; do gone[$(readlink -f "$f")]=1; done
for f in /usr/bin/* /usr/sbin/*; do
    [ -L "$f" ] && [ -n "${gone[$(readlink -f "$f")]:-}" ] && hidden+=("$f")
done
if [ ${#hidden[@]} -eq 0 ]; then
    echo "check-main-job: no program of the test or bench groups is installed; nothing to hide" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{tree,u1,w1,u2,w2}
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
        [ -e "$f" ] && printf '%s\0' "$f"
    done | tar --null -T - -cf - | tar -xf - -C "$tmp/tree"
else
    tar --exclude=./build -cf - . | tar -xf - -C "$tmp/tree"
fi
printf '%s\n' "${hidden[@]}" | sort -u >"$tmp/hidden"

echo "check-main-job: scripts/run-default.sh with $(wc -l <"$tmp/hidden") programs of the test" \
    "and bench groups hidden"
status=0
unshare -m --propagation private bash -s "$tmp" >"$tmp/log" 2>&1 <<'EOF' || status=$?
set -euo pipefail
tmp=$1
mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$tmp/u1,workdir=$tmp/w1" /usr/bin &&
    mount -t overlay overlay -o "lowerdir=/usr/sbin,upperdir=$tmp/u2,workdir=$tmp/w2" /usr/sbin ||
    exit 99
while read -r f; do rm -f "$f"; done <"$tmp/hidden"
hash -r
cd "$tmp/tree"
SOAPLOAD_PORT=0 timeout 600 scripts/run-default.sh -d 1s
EOF
if [ $status -eq 99 ]; then
    echo "check-main-job: SKIPPED: no overlay mount here: $(head -n 1 "$tmp/log")" >&2
    exit 0
fi
if [ $status -ne 0 ]; then
    echo "check-main-job: FAILED (exit $status): the main job needs something outside the" \
        "build group of third_party/DEPENDENCIES. Its output:" >&2
    cat "$tmp/log" >&2
    missing=$(grep -oiE '(could not find|not found|no such file)[^"]*' "$tmp/log" | head -3 || true)
    [ -z "$missing" ] || echo "check-main-job: missing: $missing" >&2
    exit 1
fi
grep -q '^Result .*PASS' "$tmp/log" || {
    echo "check-main-job: FAILED: the 1 s default run did not pass:" >&2
    cat "$tmp/log" >&2
    exit 1
}
echo "check-main-job: ok: $(grep -m1 '^Result' "$tmp/log")"
