#!/usr/bin/env bash
# podman with the settings a host without systemd needs, as flags (nothing in /etc/containers):
#   scripts/kubernetes/podman.sh run --rm soapload:latest --help
# build-image.sh and tests/spec/image_spec.lua run podman through it. The settings:
# - cgroups by hand (cgroupfs) and events to a file: no systemd;
# - runc rather than crun where installed: crun refuses hosts with cgroups in hybrid mode (v1
#   controllers plus a v2 one, as here), runc runs there. SOAPLOAD_OCI_RUNTIME picks another;
# - `run` and `create` ask for no more open files and processes than this shell's hard limits
#   allow: podman's defaults (1048576 open files, 32768 processes) are above them here, and
#   without CAP_SYS_RESOURCE the runtime cannot raise a limit (setrlimit: Operation not permitted);
# - SOAPLOAD_STORAGE_DRIVER=vfs (or overlay) overrides the driver podman finds in its store.
set -euo pipefail
runtime=${SOAPLOAD_OCI_RUNTIME:-$(command -v runc || true)}
global=(--cgroup-manager cgroupfs --events-backend file)
[ -z "$runtime" ] || global+=(--runtime "$runtime")
[ -z "${SOAPLOAD_STORAGE_DRIVER:-}" ] || global+=(--storage-driver "$SOAPLOAD_STORAGE_DRIVER")

limit() { # HARD_LIMIT PODMAN_DEFAULT: the smaller
    if [ "$1" = unlimited ] || [ "$1" -gt "$2" ]; then echo "$2"; else echo "$1"; fi
}
case ${1:-} in
    run | create)
        sub=$1
        shift
        nofile=$(limit "$(ulimit -Hn)" 1048576) nproc=$(limit "$(ulimit -Hu)" 32768)
        exec podman "${global[@]}" "$sub" --ulimit "nofile=$nofile:$nofile" \
            --ulimit "nproc=$nproc:$nproc" "$@"
        ;;
    *) exec podman "${global[@]}" "$@" ;;
esac
