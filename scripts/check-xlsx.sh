#!/usr/bin/env bash
# report.xlsx read back with openpyxl against the CSV tables of the same run (scripts/check-xlsx.py),
# on the sample data and every golden case. Usage: scripts/check-xlsx.sh [BIN]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/pilotscope}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
folders=()
"$bin" report -c sample-data/pilotscope.yaml --out "$tmp/sample" --quiet
folders+=("$tmp/sample")
for c in Tests/PilotScopeTests/Fixtures/golden-*/pilotscope.yaml; do
  name=$(basename "$(dirname "$c")")
  "$bin" report -c "$c" --out "$tmp/$name" --quiet
  folders+=("$tmp/$name")
done
python3 scripts/check-xlsx.py "${folders[@]}"
