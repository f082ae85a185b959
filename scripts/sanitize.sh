#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer (separate build folders).
# Usage: scripts/sanitize.sh [address|thread|all] [TEST FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
filter=${2:-}
args=()
[ -n "$filter" ] && args=(--filter "$filter")
for s in address thread; do
  [ "$which" = all ] || [ "$which" = "$s" ] || continue
  echo "== swift test --sanitize=$s ${args[*]:-}" >&2
  swift test --sanitize="$s" --scratch-path ".build-$s" "${args[@]}"
done
