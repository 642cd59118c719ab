#!/usr/bin/env bash
# The rolling-upgrade check: builds the previous release from git (REF, by default the newest
# v* tag), builds this tree, and runs tests/cluster/upgrade.test.mjs with both binaries: two
# nodes of REF on one PostgreSQL behind HAProxy, this tree's `migrate` while they serve, then
# one node at a time upgraded, every flow crossing the versions. Run it before tagging a release.
set -euo pipefail
cd "$(dirname "$0")/.."

ref="${1:-$(git describe --tags --abbrev=0 --match 'v*' 2>/dev/null || true)}"
if [ -z "$ref" ]; then
  echo "usage: bash scripts/upgrade-check.sh REF   (REF: the previous release; there is no v* tag to default to)" >&2
  exit 2
fi
commit="$(git rev-parse --verify "$ref^{commit}")"
old="target/upgrade/${commit:0:12}"
if [ ! -x "$old/portcullis" ]; then
  rm -rf "$old"
  mkdir -p "$old/tree"
  # -m: the files take the time of extraction, not of the commit. The old tree's path crates
  # have the same names as this tree's in the shared target directory; with the commit's older
  # times cargo would take this tree's newer builds of them as up to date and build a hybrid.
  git archive "$commit" | tar -x -m -C "$old/tree"
  # Built into this tree's target directory, so the dependencies both share compile once.
  cargo build --locked -p portcullis --manifest-path "$old/tree/Cargo.toml" --target-dir target
  cp target/debug/portcullis "$old/portcullis"
  rm -rf "$old/tree"
  # The same the other way: cargo keys path crates by their place in the workspace, so this
  # tree's sources, older than the old tree's builds now, would pass for built. Newer, they
  # are built again below.
  find crates bench examples -type f -not -path '*/node_modules/*' -exec touch {} +
fi
# Puts this tree's binary back where the previous build left REF's.
cargo build -p portcullis
echo "upgrade check: previous release $ref ($commit) -> this tree ($(git rev-parse --short HEAD))"
cd tests/cluster
PORTCULLIS_BIN="$PWD/../../target/debug/portcullis" \
  PORTCULLIS_PREVIOUS_BIN="$PWD/../../$old/portcullis" \
  node --test upgrade.test.mjs
