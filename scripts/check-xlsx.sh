#!/usr/bin/env bash
# report.xlsx read back with openpyxl against the CSV tables of the same run (scripts/check-xlsx.py),
# on the sample data, generated data and every golden case. Usage: scripts/check-xlsx.sh [BIN]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/pilotscope}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
folders=()
"$bin" report -c sample-data/pilotscope.yaml --out "$tmp/sample" --quiet
folders+=("$tmp/sample")
# Generated data whose attribution sheet is written in several pieces (XLSXSheet.pieceRows).
"$bin" generate --contacts 60000 --touches 600000 --seed 3 --out "$tmp/gen" > /dev/null
"$bin" report -c "$tmp/gen/pilotscope.yaml" --out "$tmp/generated" --quiet
rows=$(($(wc -l < "$tmp/generated/attribution.csv") - 1))
[ "$rows" -gt 8192 ] || { echo "check-xlsx: the generated attribution table has $rows rows, not more than two pieces" >&2; exit 1; }
folders+=("$tmp/generated")
for c in Tests/PilotScopeTests/Fixtures/golden-*/pilotscope.yaml; do
  name=$(basename "$(dirname "$c")")
  "$bin" report -c "$c" --out "$tmp/$name" --quiet
  folders+=("$tmp/$name")
done
python3 scripts/check-xlsx.py "${folders[@]}"
