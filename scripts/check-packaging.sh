#!/usr/bin/env bash
# Checks the systemd unit in packaging/ against systemd's own parser (any warning fails) and its
# confinement score (`systemd-analyze security`: exposure 0 best, 10 worst; at most 2.0 here), with the
# binary built by the test command in place of /usr/local/bin. Usage: check-packaging.sh BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "$1")"
if ! command -v systemd-analyze >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
  else
    echo "error: systemd-analyze is needed to check packaging/portcullis.service" >&2
    exit 1
  fi
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
sed "s|/usr/local/bin/portcullis|$bin|g" packaging/portcullis.service >"$scratch/portcullis.service"
warnings="$(systemd-analyze verify "$scratch/portcullis.service" 2>&1 || true)"
if [ -n "$warnings" ]; then
  echo "error: systemd-analyze verify packaging/portcullis.service:" >&2
  echo "$warnings" >&2
  exit 1
fi
systemd-analyze security --offline=yes --threshold=20 "$scratch/portcullis.service" | tail -1
