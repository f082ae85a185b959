#!/usr/bin/env bash
# Growth benchmark: data at 1x, 2x, 4x, 8x of 125k contacts / 1.25M touches; for each size,
# alternating runs (median of REPS) of the floors (igzip -dc, gzip -dc), pilotscope report with
# --threads 1 and 2, pilotscope scan, and the peers (DuckDB, Polars: Benchmarks/peers/, checked
# to agree with PilotScope's funnel and velocity at every size). Then a chart.
# Usage: Benchmarks/growth.sh [SIZES] [REPS]     e.g. Benchmarks/growth.sh "1 2 4 8" 3
# PEERS=0 leaves the peers out (no Python packages needed then).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-"1 2 4 8"}
REPS=${2:-3}
BIN=.build/release/pilotscope
DATA=${DATA:-Benchmarks/data}
OUT=${OUT:-Benchmarks/results}
mkdir -p "$DATA" "$OUT"
# Everything printed is also saved as the run's log.
exec > >(tee "$OUT/growth.log") 2>&1
command -v igzip >/dev/null || { echo "installing isal (igzip) for the floor" >&2; apt-get install -y -qq isal >/dev/null 2>&1 || sudo apt-get install -y -qq isal >/dev/null; }
make -s build >&2
PEERS=${PEERS:-1}
if [ "$PEERS" != 0 ] && ! python3 -c "import duckdb, polars, yaml, matplotlib" 2>/dev/null; then
  echo "installing the peers' Python packages (duckdb, polars, pyyaml, matplotlib)" >&2
  python3 -m pip install --quiet duckdb polars pyyaml matplotlib >&2
fi

# measure CMD...: prints "wall_seconds max_rss_kib cpu_seconds" (CPU: user + sys)
measure() {
  /usr/bin/time -f "%e %M %U %S" -o /tmp/pilotscope-bench.time "$@" >/dev/null 2>/tmp/pilotscope-bench.err || { cat /tmp/pilotscope-bench.err >&2; return 1; }
  awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' /tmp/pilotscope-bench.time
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

results="$OUT/growth.tsv"
echo -e "size\tcontacts\ttouches\tinput_bytes\tuncompressed_bytes\ttool\tmedian_wall_s\tmedian_rss_mib\tmb_per_s\trows_per_s\tmedian_cpu_s" > "$results"
for s in $SIZES; do
  c=$((125000 * s)); t=$((1250000 * s))
  dir="$DATA/${s}x"
  if [ ! -f "$dir/pilotscope.yaml" ]; then
    echo "generating ${s}x ($c contacts, $t touches)" >&2
    "$BIN" generate --contacts "$c" --touches "$t" --seed 1 --out "$dir" >&2
  fi
  files=("$dir"/contacts.csv.gz "$dir"/touches.csv.gz "$dir"/opportunity-history.csv.gz)
  bytes=$(cat "${files[@]}" | wc -c)
  raw=$(igzip -dc "${files[@]}" | wc -c)
  rows=$((c + t))
  declare -A walls rss cpus
  tools=(igzip gzip report-t1 report-t2 scan-t2)
  [ "$PEERS" != 0 ] && tools+=(duckdb polars)
  for tool in "${tools[@]}"; do walls[$tool]=""; rss[$tool]=""; cpus[$tool]=""; done
  for r in $(seq "$REPS"); do
    for tool in "${tools[@]}"; do
      case $tool in
        igzip) m=$(measure sh -c "igzip -dc ${files[*]} > /dev/null") ;;
        gzip) m=$(measure sh -c "gzip -dc ${files[*]} > /dev/null") ;;
        report-t1) m=$(measure "$BIN" report -c "$dir/pilotscope.yaml" --out "$dir/out" --threads 1 --quiet) ;;
        report-t2) m=$(measure "$BIN" report -c "$dir/pilotscope.yaml" --out "$dir/out" --threads 2 --quiet) ;;
        scan-t2) m=$(measure "$BIN" scan -c "$dir/pilotscope.yaml" --threads 2) ;;
        duckdb) m=$(measure python3 Benchmarks/peers/duckdb_report.py "$dir") ;;
        polars) m=$(measure python3 Benchmarks/peers/polars_report.py "$dir") ;;
      esac
      read -r mw mk mc <<< "$m"
      walls[$tool]+="$mw "
      rss[$tool]+="$mk "
      cpus[$tool]+="$mc "
    done
  done
  # The comparison is honest only if the peers compute the same numbers: check the last outputs.
  [ "$PEERS" != 0 ] && python3 Benchmarks/peers/check.py "$dir" duckdb polars >&2
  for tool in "${tools[@]}"; do
    w=$(echo ${walls[$tool]} | tr ' ' '\n' | median)
    k=$(echo ${rss[$tool]} | tr ' ' '\n' | median)
    u=$(echo ${cpus[$tool]} | tr ' ' '\n' | median)
    awk -v s="$s" -v c="$c" -v t="$t" -v b="$bytes" -v raw="$raw" -v tool="$tool" -v w="$w" -v k="$k" -v rows="$rows" -v u="$u" \
      'BEGIN { printf "%sx\t%d\t%d\t%.0f\t%.0f\t%s\t%.3f\t%.1f\t%.1f\t%.0f\t%.2f\n", s, c, t, b, raw, tool, w, k/1024, raw/1e6/w, rows/w, u }' >> "$results"
  done
done
column -t -s $'\t' "$results"
# Ratios of every tool's median wall (and peak RSS) to the floors and to each peer, per size:
# printed and saved as results/growth-ratios.tsv.
Benchmarks/ratios.sh "$results" | tee "$OUT/growth-ratios.tsv" | column -t -s $'\t'
# Issue 17's targets at the largest size, from the same run: report --threads 2 against igzip -dc.
Benchmarks/targets.sh "$results" | tee "$OUT/growth-targets.tsv" | column -t -s $'\t'
if python3 -c "import matplotlib" 2>/dev/null; then python3 Benchmarks/chart.py "$results" "$OUT/growth.png"; fi
