#!/usr/bin/env bash
# Nightly benchmark (SPEC §7, issue 14): `report --state-dir` against a full `report`.
#
#   Benchmarks/nightly.sh [REPS] [CURVE_DAYS] [FULL_EVERY]     e.g. Benchmarks/nightly.sh 5 60 5
#
# Data: 1M contacts and 2M touches a day (`generate --touch-files-by-day`, seed 7), generated
# once into $POOL (default Benchmarks/data/nightly) as days 2026-03-01 … in two processes.
# CONTACTS and TOUCHES_PER_DAY change the sizes (with another POOL), e.g. for a quick try.
#
# 1. Headline, at 31 days: a folder with the CRM files and touch days 1…30, its state folder
#    primed by one `--state-dir` run; then day 31 arrives. REPS alternating runs of the full
#    `report` over the 31 files and of `report --state-dir` (each from a hard-linked copy of the
#    primed state folder, so each reads day 31 only), then REPS merges of the 31 states. Tables of
#    the two runs are checked byte-identical.
# 2. The curve: nights 1…CURVE_DAYS in a fresh folder, one day arriving each night; the incremental
#    run every night, the full run every FULL_EVERY nights (and on the first and last); tables
#    compared whenever both ran.
# Writes $OUT/nightly.tsv, $OUT/nightly-curve.tsv, $OUT/nightly.png and $OUT/nightly.log.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-5}
CURVE=${2:-60}
EVERY=${3:-5}
BIN=$(pwd)/.build/release/pilotscope
POOL=${POOL:-Benchmarks/data/nightly}
OUT=${OUT:-Benchmarks/results}
WORK=${WORK:-Benchmarks/data/nightly-work}
CONTACTS=${CONTACTS:-1000000}
TOUCHES_PER_DAY=${TOUCHES_PER_DAY:-2000000}
DAYS_NEEDED=$((CURVE > 31 ? CURVE : 31))
mkdir -p "$OUT" "$POOL"
exec > >(tee "$OUT/nightly.log") 2>&1
make -s build >&2
python3 -c "import matplotlib" 2>/dev/null || python3 -m pip install --quiet matplotlib >&2

# The pool: two generator processes, each a half of the days (a day's file does not depend on the
# range asked for), then one folder.
if [ "$(ls "$POOL/touches" 2>/dev/null | wc -l)" -lt "$DAYS_NEEDED" ]; then
  half=$(((DAYS_NEEDED + 1) / 2))
  second=$(date -u -d "2026-03-01 + $half days" +%F)
  echo "generating $DAYS_NEEDED days of $TOUCHES_PER_DAY touches and $CONTACTS contacts into $POOL" >&2
  gen() { "$BIN" generate --contacts "$CONTACTS" --touches "$TOUCHES_PER_DAY" --seed 7 --touch-files-by-day "$@"; }
  gen --days "$half" --first-day 2026-03-01 --out "$POOL" &
  first=$!
  gen --days $((DAYS_NEEDED - half)) --first-day "$second" --out "$POOL.b" &
  wait "$first" $!
  mv "$POOL.b"/touches/* "$POOL/touches/"
  rm -rf "$POOL.b"
fi
mapfile -t days < <(ls "$POOL/touches" | sort | head -n "$DAYS_NEEDED")

# measure CMD...: runs it; prints "wall cpu rss_mib" (cpu = user + system seconds).
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
  awk '{printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024}' "$WORK/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { awk -v c="$1" '{print $c}'; }
same_tables() {
  for t in "$1"/*.csv; do cmp -s "$t" "$2/$(basename "$t")" || { echo "error: $(basename "$t") differs: $1 vs $2" >&2; exit 1; }; done
}
# folder DIR: the CRM files and the config of the pool, and an empty touches/.
folder() {
  rm -rf "$1"
  mkdir -p "$1/touches"
  ln "$POOL"/contacts.csv.gz "$POOL"/opportunity-history.csv.gz "$POOL"/pilotscope.yaml "$1/"
}
arrive() { ln "$POOL/touches/${days[$2]}" "$1/touches/"; }

rm -rf "$WORK"
mkdir -p "$WORK"

# 1. The headline at 31 days.
d=$WORK/d31
folder "$d"
for i in $(seq 0 29); do arrive "$d" "$i"; done
"$BIN" report -c "$d/pilotscope.yaml" --out "$WORK/out-prime" --state-dir "$WORK/states30" --quiet
arrive "$d" 30
gz=$(cat "$d"/touches/* | wc -c)
full=() inc=() merge=()
for r in $(seq "$REPS"); do
  rm -rf "$WORK/out-full" "$WORK/out-inc" "$WORK/states"
  full+=("$(measure "$BIN" report -c "$d/pilotscope.yaml" --out "$WORK/out-full")")
  cp -al "$WORK/states30" "$WORK/states"
  inc+=("$(measure "$BIN" report -c "$d/pilotscope.yaml" --out "$WORK/out-inc" --state-dir "$WORK/states")")
  same_tables "$WORK/out-full" "$WORK/out-inc"
  grep -q '"touch_files": {"read": 1, "reused": 30, "dropped": 0}' "$WORK/out-inc/summary.json" || { echo "error: the incremental run did not read exactly day 31" >&2; exit 1; }
  echo "rep $r: full ${full[-1]}; incremental ${inc[-1]} (wall cpu rss_mib)" >&2
done
states=$(du -sb "$WORK/states" | col 1)
# The 31 per-file states (merged.state, their merge, is the folder's cache).
mapfile -t per_file < <(ls "$WORK"/states/*.state | grep -v '/merged\.state$')
[ "${#per_file[@]}" -eq 31 ] || { echo "error: ${#per_file[@]} per-file states, expected 31" >&2; exit 1; }
for r in $(seq "$REPS"); do
  rm -f "$WORK/merged.state"
  merge+=("$(measure "$BIN" merge "${per_file[@]}" --out "$WORK/merged.state")")
done
# row NAME RUN...: the medians of wall, CPU and RSS.
row() {
  local name=$1
  shift
  echo -e "$name\t$(printf '%s\n' "$@" | col 1 | median)\t$(printf '%s\n' "$@" | col 2 | median)\t$(printf '%s\n' "$@" | col 3 | median)"
}
{
  echo -e "what\tmedian_wall_s\tmedian_cpu_s\tmedian_rss_mib"
  row "report, 31 files" "${full[@]}"
  row "report --state-dir, day 31 new" "${inc[@]}"
  row "merge of 31 states" "${merge[@]}"
  echo -e "touch files, 31 days (gzip bytes)\t$gz"
  echo -e "state folder (bytes, with merged.state)\t$states"
  echo -e "merged.state alone (bytes)\t$(stat -c %s "$WORK/states/merged.state")"
} >"$OUT/nightly.tsv"
fw=$(printf '%s\n' "${full[@]}" | col 1 | median) iw=$(printf '%s\n' "${inc[@]}" | col 1 | median)
fr=$(printf '%s\n' "${full[@]}" | col 3 | median) ir=$(printf '%s\n' "${inc[@]}" | col 3 | median)
echo "incremental/full wall: $(awk -v a="$iw" -v b="$fw" 'BEGIN {printf "%.3f", a / b}')" \
  "state folder/touch gzip: $(awk -v a="$states" -v b="$gz" 'BEGIN {printf "%.3f", a / b}')" \
  "rss incremental/full: $(awk -v a="$ir" -v b="$fr" 'BEGIN {printf "%.3f", a / b}')" >&2
cat "$OUT/nightly.tsv" >&2

# 2. The curve over CURVE nights.
c=$WORK/curve
folder "$c"
echo -e "night\tfull_wall_s\tfull_cpu_s\tfull_rss_mib\tincremental_wall_s\tincremental_cpu_s\tincremental_rss_mib\tstate_bytes\ttouch_gzip_bytes" >"$OUT/nightly-curve.tsv"
for n in $(seq 1 "$CURVE"); do
  arrive "$c" $((n - 1))
  rm -rf "$WORK/out-inc"
  i=$(measure "$BIN" report -c "$c/pilotscope.yaml" --out "$WORK/out-inc" --state-dir "$WORK/curve-states")
  f="- - -"
  if [ "$n" -eq 1 ] || [ "$n" -eq "$CURVE" ] || [ $((n % EVERY)) -eq 0 ]; then
    rm -rf "$WORK/out-full"
    f=$(measure "$BIN" report -c "$c/pilotscope.yaml" --out "$WORK/out-full")
    same_tables "$WORK/out-full" "$WORK/out-inc"
  fi
  line="$n $f $i $(du -sb "$WORK/curve-states" | col 1) $(cat "$c"/touches/* | wc -c)"
  echo "$line" | tr ' ' '\t' >>"$OUT/nightly-curve.tsv"
  echo "night $n: $line" >&2
done
python3 Benchmarks/nightly_chart.py "$OUT/nightly-curve.tsv" "$OUT/nightly.png"
rm -rf "$WORK"
