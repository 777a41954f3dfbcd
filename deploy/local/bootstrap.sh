#!/usr/bin/env bash
# Installs what a fresh machine lacks, then the project's Python environment and tools.
# Idempotent: on a machine that has everything it only checks (a few seconds).
# Downloads are cached in the home folder: uv (~/.cache/uv), Maven (~/.m2), npm (~/.npm).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.local/bin:$PATH"
export UV_PYTHON_DOWNLOADS=never

UV_VERSION=0.13.9

missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v npm >/dev/null || missing+=(npm)
command -v runuser >/dev/null || missing+=(util-linux)
# kcat reads the topics as any Kafka client would: the privacy tests look for clear text with it.
command -v kcat >/dev/null || missing+=(kcat)
# The dashboard's browser tests drive Debian's chromium (Playwright cannot download a browser
# here); without CJK fonts every Chinese character would be an empty box in the screenshots.
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing ${missing[*]} (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v uv >/dev/null; then
  echo "installing uv ${UV_VERSION} (pip --user)"
  python3 -m pip install --user --quiet "uv==${UV_VERSION}" 2>/dev/null \
    || python3 -m pip install --user --quiet --break-system-packages "uv==${UV_VERSION}"
fi

uv sync --frozen --all-packages --quiet

if [ ! -d deploy/tools/node_modules/dclint ] || [ ! -d deploy/tools/node_modules/@asyncapi/specs ]; then
  echo "installing deployment tools (npm ci in deploy/tools)"
  (cd deploy/tools && npm ci --no-audit --no-fund --silent)
fi

# PostgreSQL from Debian's packages (apt, when missing) and the Kafka jars (Maven Central).
uv run --frozen xiangzhi-stack install
