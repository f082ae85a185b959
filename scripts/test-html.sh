#!/usr/bin/env bash
# Renders report.html of the sample data in headless Chromium (Debian's `chromium` package,
# installed when missing): fails on console errors or missing charts, saves docs/report.png.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
make -s build >&2
.build/release/pilotscope report -c sample-data/pilotscope.yaml --out out/sample --quiet
page="file://$PWD/out/sample/report.html"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0)
dom=$(chromium "${flags[@]}" --dump-dom "$page" 2>/tmp/pilotscope-chromium.log)
if grep -E "CONSOLE|Uncaught|ERROR:.*(render|svg)" /tmp/pilotscope-chromium.log | grep -v "dbus\|gpu\|GPU\|sandbox" ; then
  echo "console errors while rendering report.html" >&2; exit 1
fi
pilots=$(grep -c "^  - id:" sample-data/pilotscope.yaml)
figures=$(grep -o '<figure class="chart">' <<<"$dom" | wc -l)
svgs=$(grep -o '<svg ' <<<"$dom" | wc -l)
[ "$figures" -eq $((pilots * 6)) ] || { echo "expected $((pilots * 6)) charts, found $figures" >&2; exit 1; }
[ "$svgs" -ge "$pilots" ] || { echo "only $svgs SVG charts rendered" >&2; exit 1; }
chromium "${flags[@]}" --window-size=1200,2600 --screenshot="$PWD/docs/report.png" "$page" 2>/dev/null
# Print: every page A4 (595 x 842 pt), and one pilot a page at least.
chromium "${flags[@]}" --no-pdf-header-footer --print-to-pdf=out/report-sample.pdf "$page" 2>/dev/null
pages=$(grep -a -o 'MediaBox \[[^]]*\]' out/report-sample.pdf | wc -l)
a4=$(grep -a -o 'MediaBox \[0 0 594\.9[0-9]* 841\.9[0-9]*\]' out/report-sample.pdf | wc -l)
[ "$pages" -gt "$pilots" ] && [ "$a4" -eq "$pages" ] || { echo "print: $a4 of $pages pages A4, $pilots pilots" >&2; exit 1; }
echo "report.html: $pilots pilots, $figures charts ($svgs SVG); screenshot docs/report.png; prints on $pages A4 pages (out/report-sample.pdf)"
