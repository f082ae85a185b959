#!/usr/bin/env bash
# Opens report.xlsx in LibreOffice headless and converts it to PDF: a workbook LibreOffice cannot
# read, or must repair, fails. Not run by `make test` (LibreOffice is large); run it after a
# change to the workbook writer. Installs libreoffice-calc-nogui when soffice is missing.
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
pages=$(command -v pdfinfo >/dev/null && pdfinfo "$tmp/pdf/report.pdf" | awk '/^Pages:/ {print $2}' || echo "?")
echo "check-xlsx-libreoffice: report.xlsx opened and converted ($(wc -c < "$tmp/pdf/report.pdf") bytes of PDF, $pages pages)"
[ -n "${KEEP:-}" ] || rm -rf "$tmp"
