#!/usr/bin/env bash
# Runs every test: the Rust workspace (SQLite and PostgreSQL suites), the Node client tests
# (openid-client, Auth0's SDKs over https) and the Chromium journey through the hosted pages.
# PostgreSQL is taken from PORTCULLIS_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${PORTCULLIS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if command -v pg_isready >/dev/null && ! pg_isready -q -d "$pg_url"; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "PostgreSQL is not answering; starting the local cluster"
    for version in /etc/postgresql/*; do
      pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
    done
    for _ in $(seq 1 50); do pg_isready -q -d "$pg_url" && break; sleep 0.2; done
  fi
fi
if command -v pg_isready >/dev/null && ! pg_isready -q -d "$pg_url"; then
  echo "error: PostgreSQL at $pg_url is needed for the PostgreSQL suite" >&2
  exit 1
fi

# The SDK tests also run against a second, independent OpenID Provider (npm oidc-provider).
(cd tests/oidc-provider && npm ci --no-audit --no-fund)
cargo test --workspace --all-targets
cargo test --workspace --doc

cargo build -p portcullis -p payout
# The systemd unit as systemd parses it, and its confinement score; the container image's runtime.
bash scripts/check-packaging.sh target/debug/portcullis
# The management and MFA APIs fuzzed from their OpenAPI document: no 5xx, no answer off-schema.
bash scripts/openapi-fuzz.sh "$PWD/target/debug/portcullis"
# The Auth0 SDK test serves https with a self-signed certificate made by openssl.
if ! command -v openssl >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi
(cd tests/node && npm ci --no-audit --no-fund && PORTCULLIS_BIN="$PWD/../../target/debug/portcullis" npm test)
# The adversarial suite: the binary attacked from outside (gate, consent, lockout, limits, scopes,
# token confusion, no-store, look-alikes), each endpoint out of order, twice and 80 times at once.
(cd tests/adversarial && PORTCULLIS_BIN="$PWD/../../target/debug/portcullis" npm test)
# The cluster: three nodes on one PostgreSQL database behind HAProxy (installed if missing, as root).
(cd tests/cluster && PORTCULLIS_BIN="$PWD/../../target/debug/portcullis" npm test)
# A rolling upgrade: nodes of an earlier version and of this tree side by side on one database.
# Until releases are tagged, the earlier version is the oldest commit an upgrade is supported
# from (the first that ignores migrations it does not know); it must be in the git history.
if git rev-parse --verify -q 'a3995c8^{commit}' >/dev/null; then
  bash scripts/upgrade-check.sh a3995c8
else
  echo "warning: commit a3995c8 is not in this checkout's history (a shallow clone?): the rolling-upgrade check did not run" >&2
fi
# A strict relying party as its users run it: Apache httpd with Debian's mod_auth_openidc
# (installed by the test when missing and running as root): sign-in, step-up, refresh, logout.
(cd tests/strict-rp && PORTCULLIS_BIN="$PWD/../../target/debug/portcullis" npm test)
# The JavaScript client: step-up fetch, React hook and server checks (vitest), typed.
(cd clients/js && npm ci --no-audit --no-fund && npm run typecheck && npm test)
# The browser journeys (hosted pages, the Next.js example, the payout example) in Chromium.
bash scripts/e2e.sh
