#!/usr/bin/env bash
# Fuzzes the management and MFA APIs from their OpenAPI document with schemathesis (PyPI): a
# dev server on a free port with a fresh database, the printed management client's token, and
# every generated request checked for 5xx answers and answers that break the document.
# Usage: scripts/openapi-fuzz.sh [PORTCULLIS_BIN]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-$PWD/target/debug/portcullis}"
work="$(mktemp -d)"
venv="${SCHEMATHESIS_VENV:-$PWD/target/schemathesis-venv}"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$work" && exec "$bin" serve --dev --listen "127.0.0.1:$port" >out.log 2>err.log) &
server=$!
base="http://localhost:$port"
for _ in $(seq 1 100); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
secret="$(grep -A2 'Management API client' "$work/out.log" | sed -n 's/.*client_secret: //p')"
token="$(curl -fs "$base/oauth/token" -d grant_type=client_credentials -d client_id=portcullis-admin \
  --data-urlencode "client_secret=$secret" -d "audience=$base/api/v2/" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

# From the scratch folder: schemathesis keeps a cache in the working directory.
cd "$work"
"$venv/bin/schemathesis" run "$base/api/v2/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance \
  --phases examples,coverage,fuzzing --max-examples 25 --seed 1 \
  --no-color --warnings off
