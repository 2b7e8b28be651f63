#!/usr/bin/env bash
# Measures Gatehouse's start-up to first answer and its idle resident memory.
# Usage: scripts/measure-startup.sh [path/to/gatehouse]   (default: target/release/gatehouse)
set -euo pipefail
bin=${1:-target/release/gatehouse}
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
start=$(date +%s%N)
"$bin" serve --listen 127.0.0.1:$port --data-dir "$dir" >/dev/null 2>&1 &
pid=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/"; do :; done
end=$(date +%s%N)
echo "first answer after $(( (end - start) / 1000000 )) ms (fresh data dir, account creation included)"
sleep 2
echo "idle RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
kill $pid; wait $pid 2>/dev/null || true
start=$(date +%s%N)
"$bin" serve --listen 127.0.0.1:$port --data-dir "$dir" >/dev/null 2>&1 &
pid=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/"; do :; done
end=$(date +%s%N)
echo "restart: first answer after $(( (end - start) / 1000000 )) ms"
