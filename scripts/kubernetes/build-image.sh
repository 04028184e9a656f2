#!/usr/bin/env bash
# Builds the soapload image from scripts/kubernetes/Containerfile with podman, then runs it to
# prove it works. Usage: scripts/kubernetes/build-image.sh [TAG]   (default soapload:latest)
#
# Needs root (or rootless podman), podman and, where Docker Hub cannot be reached, debootstrap
# (scripts/bootstrap.sh image installs them). It works without systemd and without any file in
# /etc/containers: the podman settings are flags, in scripts/kubernetes/podman.sh (cgroup
# manager cgroupfs, events to a file, runc, resource limits), and builds run in a chroot with
# the host's network (podman build --isolation chroot --network host).
#
# The Debian 12 base: docker.io/library/debian:12 and :12-slim when they are here or can be
# pulled; otherwise a local one, localhost/soapload-debian:12, made once from Debian's own
# packages (debootstrap --variant=minbase bookworm from deb.debian.org), its root folder cached
# in $SOAPLOAD_IMAGE_CACHE (default /var/tmp/soapload-image). SOAPLOAD_BASE=IMAGE picks a base.
#
# The checks, each printed as "check: ... ok" (the script stops at the first that fails):
# --version and --help; the user (uid 10001) and the entrypoint (soapload); a 1 s run of the
# image's example scripts/examples/default.lua at 200 req/s against soapload-mock from the
# same image (host network, a free loopback port, read-only root), its summary's counts next
# to the mock's /stats; the Kubernetes manifests of render.sh for this tag: every container
# names the image, and the Job's pod command and the merge command, taken from the manifest,
# run in the image (2 segments, read-only root, /script and /results mounted, as in the pods),
# the merged counts next to the mock's. Exit 0 when all checks pass, 1 otherwise, 2 on usage.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"

[ $# -le 1 ] || { echo "usage: $0 [TAG]" >&2; exit 2; }
tag=${1:-soapload:latest}
case $tag in '' | -* | *[!A-Za-z0-9./:@_-]*) echo "$0: bad image tag '$tag'" >&2; exit 2 ;; esac
cache=${SOAPLOAD_IMAGE_CACHE:-/var/tmp/soapload-image}
local_base=localhost/soapload-debian:12
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

command -v podman >/dev/null || {
    echo "$0: podman is missing: scripts/bootstrap.sh image installs it" >&2
    exit 2
}
# podman with the flags this host needs (no systemd, cgroups in hybrid mode, no
# CAP_SYS_RESOURCE): see podman.sh
pod() { "$here/scripts/kubernetes/podman.sh" "$@"; }

step_start=$SECONDS
step() {
    printf '== %s\n' "$*"
    step_start=$SECONDS
}
took() { printf '   (%d s)\n' $((SECONDS - step_start)); }
fail() {
    echo "check FAILED: $*" >&2
    exit 1
}
ok() { printf 'check: %s ok\n' "$*"; }

tmp=$(mktemp -d -t soapload-image.XXXXXX)
containers=() # started by the checks: removed however the script ends
cleanup() {
    [ ${#containers[@]} -eq 0 ] || pod rm -f -t 0 "${containers[@]}" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the base images ----
step "base image"
if [ -n "${SOAPLOAD_BASE:-}" ]; then
    base=$SOAPLOAD_BASE runtime_base=$SOAPLOAD_BASE
    echo "base: $base (SOAPLOAD_BASE)"
elif pod image exists docker.io/library/debian:12 && pod image exists docker.io/library/debian:12-slim; then
    base=docker.io/library/debian:12 runtime_base=docker.io/library/debian:12-slim
    echo "base: Docker Hub's debian:12 and debian:12-slim, already here"
elif pod image exists "$local_base"; then
    base=$local_base runtime_base=$local_base
    echo "base: $local_base, made here before from Debian 12 packages (podman rmi it to make it again)"
elif timeout 120 "$here/scripts/kubernetes/podman.sh" pull -q docker.io/library/debian:12 >/dev/null 2>"$tmp/pull.err" &&
    timeout 120 "$here/scripts/kubernetes/podman.sh" pull -q docker.io/library/debian:12-slim >/dev/null 2>>"$tmp/pull.err"; then
    base=docker.io/library/debian:12 runtime_base=docker.io/library/debian:12-slim
    echo "base: Docker Hub's debian:12 and debian:12-slim, pulled"
else
    echo "base: Docker Hub cannot be reached ($(grep -m1 'Error' "$tmp/pull.err" | sed 's/.*: //'));"
    echo "      making $local_base from Debian 12 packages ($mirror)"
    command -v debootstrap >/dev/null || {
        echo "$0: debootstrap is missing: scripts/bootstrap.sh image installs it" >&2
        exit 2
    }
    [ "$(id -u)" -eq 0 ] || { echo "$0: debootstrap needs root" >&2; exit 2; }
    mkdir -p "$cache"
    rootfs=$cache/rootfs
    if [ -e "$rootfs/.soapload-base-complete" ]; then
        echo "      reusing the root folder $rootfs"
    else
        rm -rf "$rootfs.partial"
        echo "      debootstrap --variant=minbase bookworm $rootfs.partial $mirror (log: $cache/debootstrap.log)"
        debootstrap --variant=minbase bookworm "$rootfs.partial" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
            { tail -5 "$cache/debootstrap.log" >&2; echo "$0: debootstrap failed" >&2; exit 1; }
        r=$rootfs.partial
        # what Docker Hub's debian:12 has: the three suites in deb822 form, no host files;
        # and what its -slim variant leaves out: documentation other than copyrights, man pages, translations
        rm -f "$r/etc/apt/sources.list" "$r/etc/resolv.conf" "$r/etc/hostname"
        cat >"$r/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
        cat >"$r/etc/dpkg/dpkg.cfg.d/slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
SLIM
        # and, as in Docker Hub's images, apt keeps no package caches (80 MB) in a layer
        cat >"$r/etc/apt/apt.conf.d/docker-clean" <<'CLEAN'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CLEAN
        find "$r/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
        rm -rf "$r/usr/share/man/"* "$r/usr/share/info/"*
        find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
        rm -rf "$r/var/cache/apt/"*.bin "$r/var/cache/apt/archives/"*.deb "$r/var/lib/apt/lists/"*
        touch "$r/.soapload-base-complete"
        mv "$r" "$rootfs"
    fi
    echo "      podman import $rootfs as $local_base ($(du -sh --exclude=.soapload-base-complete "$rootfs" | cut -f1))"
    tar --numeric-owner --exclude=./.soapload-base-complete -C "$rootfs" -cf - . |
        pod import --quiet --change 'CMD ["bash"]' - "$local_base" >/dev/null
    base=$local_base runtime_base=$local_base
fi
took

# ---- the image ----
step "podman build -f scripts/kubernetes/Containerfile -t $tag ."
pod build --isolation chroot --network host --layers \
    --build-arg BASE="$base" --build-arg RUNTIME_BASE="$runtime_base" \
    -f scripts/kubernetes/Containerfile -t "$tag" . >"$tmp/build.log" 2>&1 ||
    { tail -30 "$tmp/build.log" >&2; echo "$0: podman build failed" >&2; exit 1; }
grep -E 'STEP|COMMIT|Using cache|^Need to get' "$tmp/build.log" | cut -c1-150 | sed 's/^/   /'
size=$(pod image inspect --format '{{.Size}}' "$tag")
echo "image: $tag, $((size / 1000000)) MB ($size bytes), id $(pod image inspect --format '{{.Id}}' "$tag" | cut -c1-12)"
took

# ---- the checks ----
step "checks"
run() { pod run --rm --network host --read-only "$@"; }
out=$(run "$tag" --version) || fail "--version exits with $?"
echo "   --version: $out"
case $out in soapload\ *) ok "--version" ;; *) fail "--version prints '$out'" ;; esac
run "$tag" --help >"$tmp/help" || fail "--help exits with $?"
grep -q -- '--url' "$tmp/help" || fail "--help does not list --url"
ok "--help ($(wc -l <"$tmp/help") lines)"
id=$(run --entrypoint id "$tag")
echo "   id: $id"
[ "$id" = "uid=10001(soapload) gid=10001(soapload) groups=10001(soapload)" ] || fail "the user is '$id'"
ok "non-root user uid 10001"
entry=$(pod image inspect --format '{{json .Config.Entrypoint}} {{.Config.User}}' "$tag")
echo "   entrypoint and user: $entry"
[ "$entry" = '["soapload"] 10001:10001' ] || fail "entrypoint and user are $entry"
ok "entrypoint soapload"

# the mock from the image, on a free port of 127.0.0.1
mock=$(pod run -d --network host --read-only --entrypoint soapload-mock "$tag" --host 127.0.0.1 --port 0)
containers+=("$mock")
url=""
for _ in $(seq 100); do
    url=$(pod logs "$mock" 2>&1 | grep -o 'listening on http://[^ ]*' | cut -d' ' -f3 || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || fail "soapload-mock did not start: $(pod logs "$mock" 2>&1 | tail -3)"
stats_url=${url%/soap/endpoint}/stats
echo "   soapload-mock from the image listens on $url"
# the mock's counts from /stats: requests in all, answered echoes, bad_media_type (the
# segments' clock probes: empty text/plain POSTs, refused), distinct IDs
mock_counts() {
    local json k
    json=$(curl -s "$stats_url") || fail "GET $stats_url failed"
    for k in total echo bad_media_type distinct; do
        printf '%s ' "$(printf '%s' "$json" | grep -o "\"$k\": [0-9]*" | head -n 1 | grep -o '[0-9]*$')"
    done
}
# A summary's "scheduled N = sent N + not sent 0 + ..." and "sent N = ok N + failed 0 ..."
# next to what the mock counted between $before and $after.
check_summary() { # FILE EXPECTED CLOCK_PROBES WHAT
    local f=$1 want=$2 probes=$3 what=$4 sched okn t0 e0 b0 d0 t1 e1 b1 d1
    grep -E '^  (scheduled|sent) |^Result' "$f" | sed 's/^/   /'
    sched=$(sed -n 's/^  scheduled *\([0-9]*\) = sent \([0-9]*\) + not sent 0 + failed before send 0 + script errors before send 0$/\1 \2/p' "$f")
    okn=$(sed -n 's/^  sent *\([0-9]*\) = ok \([0-9]*\) + failed 0 + cancelled 0$/\1 \2/p' "$f")
    read -r t0 e0 b0 d0 <<<"$before"
    read -r t1 e1 b1 d1 <<<"$after"
    local total=$((t1 - t0)) echo=$((e1 - e0)) bad=$((b1 - b0)) distinct=$((d1 - d0))
    echo "   soapload-mock's /stats: requests $total = echoes $echo + refused clock probes $bad; distinct IDs $distinct"
    [ "$sched" = "$want $want" ] || fail "$what: scheduled and sent are '$sched', not $want"
    [ "$okn" = "$want $want" ] || fail "$what: sent and ok are '$okn', not $want"
    if [ "$echo" != "$want" ] || [ "$distinct" != "$want" ] || [ "$bad" != "$probes" ] ||
        [ "$total" != $((want + probes)) ]; then
        fail "$what: the mock saw $echo echoes, $distinct distinct IDs, $bad probes, not $want, $want, $probes"
    fi
    grep -q '^Result          PASS' "$f" || fail "$what: the result is not PASS"
    local extra=""
    [ "$probes" -eq 0 ] || extra=" (and $probes clock probes)"
    ok "$what: scheduled $want = sent $want = ok $want = the mock's $echo echoes, $distinct distinct IDs$extra"
}

before=$(mock_counts)
code=0
run "$tag" --url "$url" --rate 200 --duration 1s --progress never \
    /usr/local/share/soapload/examples/default.lua >"$tmp/summary" 2>&1 || code=$?
[ $code -eq 0 ] || { cat "$tmp/summary" >&2; fail "the run exits with $code"; }
after=$(mock_counts)
check_summary "$tmp/summary" 200 0 \
    "a 1 s run of the image's examples/default.lua at 200 req/s"

# the Kubernetes manifests for this tag, and their pods' commands run in the image
start=$(($(date +%s) + 8))
sed -e 's/^soapload.rate = .*/soapload.rate = 200/' -e 's/^soapload.duration = .*/soapload.duration = "1s"/' \
    scripts/examples/default.lua >"$tmp/script.lua"
mkdir -p "$tmp/script" "$tmp/results"
cp "$tmp/script.lua" "$tmp/script/script.lua"
chmod 0777 "$tmp/results" # uid 10001 in the container writes there, as the pods' fsGroup allows
# RESULTS=pvc: the containers below share $tmp/results as the pods would share the claim
RESULTS=pvc scripts/kubernetes/render.sh 2 "$start" "$tmp/script.lua" "$tag" >"$tmp/run.yaml"
images=$(sed -n 's/^ *image: //p' "$tmp/run.yaml" | sort | uniq -c | sed 's/^ *//')
echo "   render.sh 2 $start script.lua $tag: $(grep -c '^kind:' "$tmp/run.yaml") manifests; image lines: $images"
[ "$images" = "3 $tag" ] || fail "the manifests' images are '$images', not 3 x $tag"
ok "render.sh manifests name the image"
if command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
    python3 - "$tmp/run.yaml" "$tag" <<'PY' || fail "the manifests do not parse as YAML with the fields Kubernetes requires"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in docs:
    assert d["apiVersion"] and d["kind"] and d["metadata"]["name"], d
    spec = d.get("spec", {}).get("template", {}).get("spec")
    for c in (spec or {}).get("containers", []):
        assert c["image"] == sys.argv[2], c
print("   YAML: " + ", ".join(d["kind"] + " " + d["metadata"]["name"] for d in docs))
PY
    ok "render.sh manifests parse (python3-yaml)"
fi
# the commands as the pods run them: /bin/sh -c 'LINE', single-quoted YAML ('' is one ')
# (on the host's network the two segments cannot both have /metrics on port 9464: any free port)
pod_cmd=$(sed -n "s/^ *- '\(exec soapload .*\)'\$/\1/p" "$tmp/run.yaml" | sed "s/''/'/g" |
    sed 's/--metrics 0.0.0.0:9464 --metrics-linger 30s/--metrics 127.0.0.1:0 --metrics-linger 0/')
merge_cmd=$(sed -n "s/^ *- '\(until .*\)'\$/\1/p" "$tmp/run.yaml" | sed "s/''/'/g")
if [ -z "$pod_cmd" ] || [ -z "$merge_cmd" ]; then fail "no pod or merge command in the manifests"; fi
echo "   pod command: $pod_cmd"
before=$(mock_counts)
as_pod=(--network host --read-only --user 10001:10001 -v "$tmp/results:/results" --entrypoint /bin/sh)
segs=()
for i in 0 1; do
    segs+=("$(pod run -d "${as_pod[@]}" -v "$tmp/script:/script:ro" -e JOB_COMPLETION_INDEX=$i \
        -e TARGET_URL="$url" "$tag" -c "$pod_cmd")")
    containers+=("${segs[$i]}")
done
merger=$(pod run -d "${as_pod[@]}" "$tag" -c "$merge_cmd")
containers+=("$merger")
for i in 0 1; do
    c=$(timeout 120 "$here/scripts/kubernetes/podman.sh" wait "${segs[$i]}") || fail "segment $i/2 did not end"
    pod logs "${segs[$i]}" >"$tmp/seg-$i.log" 2>&1
    [ "$c" = 0 ] || { cat "$tmp/seg-$i.log" >&2; fail "segment $i/2 exits with $c"; }
    grep -E '^(Clock offset|Result)' "$tmp/seg-$i.log" | sed "s/^/   segment $i\/2: /"
done
for _ in $(seq 300); do
    pod logs "$merger" 2>&1 | grep -q '^merge exit code' && break
    sleep 0.1
done
pod logs "$merger" >"$tmp/merged" 2>&1
grep -q '^merge exit code 0;' "$tmp/merged" || { cat "$tmp/merged" >&2; fail "the merge Job's command failed"; }
echo "   /results: $(cd "$tmp/results" && echo *)"
after=$(mock_counts)
probes=$(sed -n 's/^Clock offset .*, \([0-9]*\) probes)$/\1/p' "$tmp"/seg-*.log | awk '{ n += $1 } END { print n + 0 }')
check_summary "$tmp/merged" 200 "$probes" \
    "the manifests' Job (2 segments) and merge commands run in the image"
took
echo "all checks passed: $tag"
