#!/usr/bin/env bash
# Builds the web dashboard (web/ -> web/dist) with the machine's Node.js and npm; the npm
# packages come from the lock file, cached in ~/.npm. Type errors fail the build (vue-tsc).
set -euo pipefail
cd "$(dirname "$0")/../../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing the dashboard's packages (npm ci in web)"
  npm ci --no-audit --no-fund --silent
fi
echo "building the dashboard (web/dist)"
npm run --silent build
