#!/usr/bin/env bash
# Installs the Debian packages listed in third_party/DEPENDENCIES that are missing.
# Idempotent and quiet when everything is there. Usage: scripts/bootstrap.sh [build|test|bench|image]...
# (default: build test). Needs root (or sudo) only when something is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

want=()
while read -r pkg group _; do
    case "$pkg" in ''|'#'*) continue ;; esac
    for g in "${groups[@]}"; do
        [ "$g" = "$group" ] && want+=("$pkg")
    done
done <"$here/third_party/DEPENDENCIES"

missing=()
for pkg in "${want[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
# nginx's post-install tries to start a service; there may be no init system to do it.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
