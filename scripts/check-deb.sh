#!/usr/bin/env bash
# Builds the .deb (CPack, from a release build installed under /usr), installs it with apt on a
# clean Debian 12 root (debootstrap --variant=minbase bookworm from deb.debian.org) and, in
# that root, runs the installed soapload's example against the installed soapload-mock: the
# run must pass and the mock must have received every request once. Prints the packages apt
# pulled in besides soapload (its Depends come from dpkg-shlibdeps: runtime libraries only).
#
# Opt-in, not part of scripts/test.sh: it needs root, the network and debootstrap
# (scripts/bootstrap.sh image), and the first run makes the root (a few minutes); the pristine
# root is kept in build/debian12/root.tar and each run unpacks a fresh copy of it.
# Usage: scripts/check-deb.sh        Exit 0 when all of the above holds
# (tests/spec/deb_spec.lua runs it with SOAPLOAD_DEB_TEST=1).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
[ "$(id -u)" = 0 ] || { echo "check-deb: needs root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "check-deb: needs debootstrap (scripts/bootstrap.sh image)" >&2; exit 2; }

work=build/debian12
mkdir -p "$work"
start=$(date +%s)

# 1. the package
cmake -S . -B build/deb -DCMAKE_BUILD_TYPE=Release -DSOAPLOAD_WERROR=ON -DSOAPLOAD_TESTS=OFF \
    -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build build/deb -j2 >/dev/null
rm -f build/deb/soapload_*.deb
(cd build/deb && cpack -G DEB >/dev/null)
deb=$(ls build/deb/soapload_*.deb)
echo "check-deb: built $deb; Depends: $(dpkg-deb -f "$deb" Depends)"

# 2. a clean Debian 12 root, made once
if [ ! -f "$work/root.tar" ]; then
    rm -rf "$work/bootstrap.tmp"
    debootstrap --variant=minbase bookworm "$work/bootstrap.tmp" http://deb.debian.org/debian \
        >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    tar -C "$work/bootstrap.tmp" -cf "$work/root.tar.part" . && mv "$work/root.tar.part" "$work/root.tar"
    rm -rf "$work/bootstrap.tmp"
fi
root=$work/root
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$work/root.tar"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/soapload.deb"
echo "check-deb: root ready after $(($(date +%s) - start)) s"

# 3. in the root: install, then the example against the mock. Its own mount and PID
# namespaces: /proc is the root's own, and nothing it starts outlives it. The mock listens on
# a free loopback port (-p 0).
cat >"$root/tmp/check.sh" <<'INNER'
set -eu
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
before=$(dpkg-query -W -f '${Package}\n' | sort)
apt-get update -qq
apt-get install -y -qq --no-install-recommends /tmp/soapload.deb >/tmp/apt.log 2>&1 ||
    { cat /tmp/apt.log; exit 1; }
after=$(dpkg-query -W -f '${Package}\n' | sort)
added=$(comm -13 <(echo "$before") <(echo "$after"))
echo "check-deb: apt installed: $(echo "$added" | tr '\n' ' ')"
# runtime libraries only: no compiler, no -dev package, no interpreter
extra=$(echo "$added" | grep -v -e '^lib' -e '^soapload$' | grep . || true)
bad=$(echo "$added" | grep -e '-dev$' -e '-dbg$' || true)
[ -z "$extra$bad" ] || { echo "check-deb: more than runtime libraries: $extra $bad"; exit 1; }
for f in /usr/bin/soapload /usr/bin/soapload-mock /usr/share/man/man1/soapload.1 \
    /usr/share/man/man1/soapload-mock.1 /usr/share/man/man7/soapload-scripting.7 \
    /usr/share/bash-completion/completions/soapload /usr/share/zsh/vendor-completions/_soapload \
    /usr/share/doc/soapload/examples/default.lua; do
    [ -f "$f" ] || { echo "check-deb: $f is not installed"; exit 1; }
done
soapload-mock -p 0 -t 1 >/tmp/mock.log 2>&1 &
mock=$!
for _ in $(seq 50); do grep -q "listening on" /tmp/mock.log && break; sleep 0.1; done
port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' /tmp/mock.log)
[ -n "$port" ] || { cat /tmp/mock.log; exit 1; }
cd /
rc=0
soapload -u "http://127.0.0.1:$port/soap/endpoint" -d 2s \
    /usr/share/doc/soapload/examples/default.lua >/tmp/run.log 2>&1 || rc=$?
kill -TERM "$mock"
wait "$mock" || true
cat /tmp/run.log
cat /tmp/mock.log
[ "$rc" = 0 ] || { echo "check-deb: soapload exited $rc"; exit 1; }
n=$(sed -n 's/^ *scheduled *\([0-9]*\) = sent \1 + not sent 0.*/\1/p' /tmp/run.log)
[ -n "$n" ] || { echo "check-deb: not every scheduled request was sent"; exit 1; }
grep -q "after $n requests: $n distinct IDs, 0 duplicates" /tmp/mock.log ||
    { echo "check-deb: the mock did not receive the $n requests once each"; exit 1; }
echo "check-deb: the installed example sent $n requests; the installed mock received each once"
INNER
unshare --mount --pid --fork bash -c \
    'mount -t proc proc "$1/proc" && exec chroot "$1" /bin/bash /tmp/check.sh' _ "$root"
rm -rf "$root" # kept after a failure, to look into; root.tar stays as the cache
echo "check-deb: PASS in $(($(date +%s) - start)) s"
