#!/bin/sh
# Installs the npm packages the tests use, each folder exactly as its package-lock.json pins them:
# tests/wsdl (node-soap, the peer server of tests/spec/wsdl_spec.lua), tests/kubernetes
# (kubernetes-models, the schema check of scripts/kubernetes/render.sh's manifests) and
# tests/junit (junit2json, the independent JUnit reader of tests/spec/junit_spec.lua).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v npm >/dev/null 2>&1; then
    # Debian's npm, only where no npm came with the machine's Node.js
    echo "install-npm-test-deps: installing npm" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
for dir in "$root/tests/wsdl" "$root/tests/kubernetes" "$root/tests/junit"; do
    if [ -f "$dir/node_modules/.package-lock.json" ] &&
        cmp -s "$dir/package-lock.json" "$dir/node_modules/.soapload-lock"; then
        continue # already installed from this lock file
    fi
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    cp "$dir/package-lock.json" "$dir/node_modules/.soapload-lock"
done
