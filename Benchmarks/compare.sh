#!/usr/bin/env bash
# Compares two pilotscope binaries on the same data, alternating runs (the machine is shared and
# noisy: ratios in one run are what counts): median wall, CPU (user + sys) and peak RSS of
# `report --threads T`, and that every table is byte-identical between the two.
# Usage: Benchmarks/compare.sh OLD_BIN NEW_BIN [DATA_DIR] [REPS] [THREADS]
set -euo pipefail
old=${1:?old binary}; new=${2:?new binary}
dir=${3:-Benchmarks/data/8x}; reps=${4:-5}; threads=${5:-2}
[ -f "$dir/pilotscope.yaml" ] || { echo "no $dir/pilotscope.yaml: generate it with pilotscope generate" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() { # BIN OUT → "wall cpu rss_mib"
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$1" report -c "$dir/pilotscope.yaml" --out "$2" --threads "$threads" --quiet
  awk '{printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024}' "$tmp/t"
}
for i in $(seq "$reps"); do
  run "$old" "$tmp/old" >> "$tmp/old.txt"
  run "$new" "$tmp/new" >> "$tmp/new.txt"
done
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for who in old new; do
  w=$(cut -d' ' -f1 "$tmp/$who.txt" | med); c=$(cut -d' ' -f2 "$tmp/$who.txt" | med); r=$(cut -d' ' -f3 "$tmp/$who.txt" | med)
  echo "$who: median wall ${w} s, CPU ${c} s, peak RSS ${r} MiB (runs: $(cut -d' ' -f1 "$tmp/$who.txt" | tr '\n' ' '))"
  eval "${who}_w=$w; ${who}_c=$c; ${who}_r=$r"
done
awk -v a="$old_w" -v b="$new_w" -v c="$old_c" -v d="$new_c" -v e="$old_r" -v f="$new_r" \
  'BEGIN {printf "new/old: wall %.3f, CPU %.3f, RSS %.3f\n", b / a, d / c, f / e}'
same=1
for f in "$tmp"/old/*.csv; do cmp -s "$f" "$tmp/new/$(basename "$f")" || { echo "DIFFERS: $(basename "$f")"; same=0; }; done
[ "$same" = 1 ] && echo "tables: byte-identical ($(ls "$tmp"/old/*.csv | wc -l) files)"
