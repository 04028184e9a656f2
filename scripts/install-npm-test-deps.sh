#!/bin/sh
# Installs the npm packages the tests use (node-soap, the peer server of tests/spec/wsdl_spec.lua)
# into tests/wsdl/node_modules, exactly as tests/wsdl/package-lock.json pins them.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v npm >/dev/null 2>&1; then
    echo "install-npm-test-deps: npm is not installed (apt-get install npm)" >&2
    exit 1
fi
if [ -f "$root/tests/wsdl/node_modules/.package-lock.json" ] &&
    cmp -s "$root/tests/wsdl/package-lock.json" "$root/tests/wsdl/node_modules/.soapload-lock"; then
    exit 0 # already installed from this lock file
fi
npm ci --prefix "$root/tests/wsdl" --no-audit --no-fund --loglevel=error
cp "$root/tests/wsdl/package-lock.json" "$root/tests/wsdl/node_modules/.soapload-lock"
