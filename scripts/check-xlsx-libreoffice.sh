#!/usr/bin/env bash
# Opens report.xlsx in LibreOffice headless, converts it to PDF, and exports every sheet as CSV,
# compared cell by cell with the run's CSV tables (check-xlsx-libreoffice.py): a workbook that
# LibreOffice cannot read, must repair, or reads with a cell out of place fails. Not run by
# `make test` (LibreOffice is large); run it after a change to the workbook writer. Installs
# libreoffice-calc-nogui when soffice is missing.
# Usage: scripts/check-xlsx-libreoffice.sh [BIN] [CONFIG]   (PDF and log left in $KEEP if set)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/pilotscope}; config=${2:-sample-data/pilotscope.yaml}
if ! command -v soffice >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
fi
tmp=${KEEP:-$(mktemp -d)}
mkdir -p "$tmp"
"$bin" report -c "$config" --out "$tmp/out" --quiet
# A profile of its own: no first-start dialogs, no lock shared with another soffice.
HOME="$tmp" timeout 300 soffice --headless --norestore -env:UserInstallation=file://"$tmp/profile" \
  --convert-to pdf --outdir "$tmp/pdf" "$tmp/out/report.xlsx" > "$tmp/soffice.log" 2>&1 || { cat "$tmp/soffice.log" >&2; exit 1; }
if grep -qiE "repair|corrupt|error" "$tmp/soffice.log"; then cat "$tmp/soffice.log" >&2; exit 1; fi
[ -s "$tmp/pdf/report.pdf" ] || { echo "no PDF written" >&2; cat "$tmp/soffice.log" >&2; exit 1; }
# Every sheet as CSV (UTF-8, comma, `"` quotes where needed; sheet -1: all of them, one file each).
HOME="$tmp" timeout 300 soffice --headless --norestore -env:UserInstallation=file://"$tmp/profile" \
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' --outdir "$tmp/csv" \
  "$tmp/out/report.xlsx" > "$tmp/soffice-csv.log" 2>&1 || { cat "$tmp/soffice-csv.log" >&2; exit 1; }
python3 scripts/check-xlsx-libreoffice.py "$tmp/out" "$tmp/csv"
pages=$(command -v pdfinfo >/dev/null && pdfinfo "$tmp/pdf/report.pdf" | awk '/^Pages:/ {print $2}' || echo "?")
echo "check-xlsx-libreoffice: report.xlsx opened and converted ($(wc -c < "$tmp/pdf/report.pdf") bytes of PDF, $pages pages)"
[ -n "${KEEP:-}" ] || rm -rf "$tmp"
