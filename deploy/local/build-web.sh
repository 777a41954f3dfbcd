#!/usr/bin/env bash
# Builds the web dashboard (web/ -> web/dist) with the machine's Node.js and npm; the npm
# packages come from the lock file, cached in ~/.npm. Type errors fail the build (vue-tsc).
set -euo pipefail
cd "$(dirname "$0")/../../web"
# Vite 7 needs Node.js 20.19 or later (Debian 12's own nodejs is 18: install a newer one).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "the dashboard needs Node.js 20.19 or later; this is $(node --version)" >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing the dashboard's packages (npm ci in web)"
  npm ci --no-audit --no-fund --silent
fi
echo "building the dashboard (web/dist)"
npm run --silent build
