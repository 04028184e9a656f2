#!/bin/sh
# Installs the npm packages the tests use (node-soap, the peer server of tests/spec/wsdl_spec.lua)
# into tests/wsdl/node_modules, exactly as tests/wsdl/package-lock.json pins them.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v npm >/dev/null 2>&1; then
    # Debian's npm, only where no npm came with the machine's Node.js
    echo "install-npm-test-deps: installing npm" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
if [ -f "$root/tests/wsdl/node_modules/.package-lock.json" ] &&
    cmp -s "$root/tests/wsdl/package-lock.json" "$root/tests/wsdl/node_modules/.soapload-lock"; then
    exit 0 # already installed from this lock file
fi
npm ci --prefix "$root/tests/wsdl" --no-audit --no-fund --loglevel=error
cp "$root/tests/wsdl/package-lock.json" "$root/tests/wsdl/node_modules/.soapload-lock"
