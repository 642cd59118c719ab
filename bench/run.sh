#!/usr/bin/env bash
# Builds the release server and the harness, then runs the harness (arguments pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p portcullis -p portcullis-bench
exec target/release/portcullis-bench "$@"
