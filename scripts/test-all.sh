#!/usr/bin/env bash
# Runs every test of the project from a clean checkout: unit, property, corpus and
# integration tests of all crates, then the end-to-end suites with real AWS clients.
# Installs what the tests need (pinned AWS CLI and boto3 in .venv) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (workspace)"
cargo test --workspace --locked 2>&1

echo "== e2e: Python environment (.venv, pinned AWS CLI and boto3)"
requirements=tests/e2e/requirements.txt
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
# Reinstall only when the pinned set changed since the last successful install.
stamp=.venv/.e2e-requirements.sha256
want="$(.venv/bin/python -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read() + sys.version.encode()).hexdigest())' "$requirements")"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    rm -f "$stamp"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$want" > "$stamp"
fi

echo "== e2e: cargo build -p gatehouse (debug)"
cargo build -p gatehouse --locked 2>&1

echo "== e2e: pytest tests/e2e"
GATEHOUSE_BIN="$PWD/target/debug/gatehouse" .venv/bin/python -m pytest tests/e2e -q
