#!/usr/bin/env bash
# The browser journeys: builds what they drive (the server, the Rust payout example, the
# JavaScript client, the Next.js example and the nextjs-auth0 app), installs Debian's Chromium
# when it is missing and we can, and runs them. Screenshots go to target/screenshots/ (ignored); with
# --refresh-screenshots they replace the README's pictures in docs/screenshots/ instead.
# Usage: scripts/e2e.sh [--refresh-screenshots]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--refresh-screenshots" ]; then
  export PORTCULLIS_SCREENSHOTS="$PWD/docs/screenshots"
elif [ -n "${1:-}" ]; then
  echo "usage: scripts/e2e.sh [--refresh-screenshots]" >&2
  exit 2
fi

cargo build -p portcullis -p payout
(cd clients/js && npm ci --no-audit --no-fund && npm run build)
# The Next.js example (Auth.js v5 + the client above).
(cd examples/nextjs && npm ci --no-audit --no-fund && NEXT_TELEMETRY_DISABLED=1 npm run build)

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Chromium is missing; installing Debian's chromium package"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x "$chromium" ]; then
  echo "error: the browser tests need Chromium at $chromium (apt-get install chromium, or set CHROMIUM_PATH)" >&2
  exit 1
fi
(cd tests/e2e && npm ci --no-audit --no-fund && CHROMIUM_PATH="$chromium" PORTCULLIS_BIN="$PWD/../../target/debug/portcullis" npm test)
# Auth0's own Next.js SDK (@auth0/nextjs-auth0 v4) against Portcullis over TLS: login, an aal2
# API's mfa_required on refresh, the SDK's MFA helpers, step-up by redirect, logout.
(cd tests/nextjs-auth0 && npm ci --no-audit --no-fund && NEXT_TELEMETRY_DISABLED=1 npm run build-app \
  && CHROMIUM_PATH="$chromium" PORTCULLIS_BIN="$PWD/../../target/debug/portcullis" npm test)
