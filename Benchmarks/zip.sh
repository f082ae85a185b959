#!/usr/bin/env bash
# The touch log read from a zip member against the same log as .csv.gz (issue 16: at most 10 %
# more wall). Makes, beside DATA_DIR's touches.csv.gz, touches-1.zip (deflate level 1: the same
# deflate stream as the generator's gzip) and touches-6.zip (level 6, as export tools write),
# then alternates REPS runs of `report --threads T` over: the .csv.gz; each zip with ISA-L's
# raw inflate (the default); touches-1.zip with zlib (`--inflate zlib`, the inflate ZIPFoundation
# would use). Median wall, CPU (user + sys), peak RSS; every table must equal the .csv.gz run's
# but for the scope names of quality.csv and rejects.csv.
# Usage: Benchmarks/zip.sh [BIN] [DATA_DIR] [REPS] [THREADS]
set -euo pipefail
bin=${1:-.build/release/pilotscope}; dir=${2:-Benchmarks/data/8x}; reps=${3:-5}; threads=${4:-2}
[ -f "$dir/pilotscope.yaml" ] || { echo "no $dir/pilotscope.yaml: generate it with pilotscope generate" >&2; exit 1; }
command -v igzip >/dev/null || { echo "igzip is needed (Debian package isal)" >&2; exit 1; }
for level in 1 6; do
  [ -f "$dir/touches-$level.zip" ] && continue
  echo "writing $dir/touches-$level.zip" >&2
  igzip -dc "$dir/touches.csv.gz" | python3 -c "
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=int(sys.argv[2])) as z:
    with z.open('touches.csv', 'w', force_zip64=True) as m: shutil.copyfileobj(sys.stdin.buffer, m, 1 << 20)
" "$dir/touches-$level.zip" "$level"
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for level in 1 6; do
  sed "s|\"touches.csv.gz\"|\"touches-$level.zip#touches.csv\"|" "$dir/pilotscope.yaml" > "$dir/zip-$level.yaml"
done
run() { # NAME CONFIG [ARGS…] → appends "wall cpu rss_mib" to $tmp/NAME.txt
  local name=$1 config=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$bin" report -c "$config" --out "$tmp/out-$name" --threads "$threads" --quiet "$@"
  awk '{printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024}' "$tmp/t" >> "$tmp/$name.txt"
}
for i in $(seq "$reps"); do
  run gz "$dir/pilotscope.yaml"
  run zip1 "$dir/zip-1.yaml"
  run zip6 "$dir/zip-6.yaml"
  run zip1-zlib "$dir/zip-1.yaml" --inflate zlib
done
for name in zip1 zip6 zip1-zlib; do
  for f in "$tmp/out-gz"/*.csv; do
    n=$(basename "$f")
    sed 's/touches-[16]\.zip#touches\.csv/touches.csv.gz/' "$tmp/out-$name/$n" | cmp -s - "$f" || { echo "$name: $n differs from the .csv.gz run" >&2; exit 1; }
  done
done
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
gz_w=$(cut -d' ' -f1 "$tmp/gz.txt" | med); gz_c=$(cut -d' ' -f2 "$tmp/gz.txt" | med)
printf "input\tmedian_wall_s\tmedian_cpu_s\tmedian_rss_mib\twall_vs_gz\tcpu_vs_gz\truns_wall\n"
for name in gz zip1 zip6 zip1-zlib; do
  w=$(cut -d' ' -f1 "$tmp/$name.txt" | med); c=$(cut -d' ' -f2 "$tmp/$name.txt" | med); r=$(cut -d' ' -f3 "$tmp/$name.txt" | med)
  printf "%s\t%s\t%s\t%s\t%.3f\t%.3f\t%s\n" "$name" "$w" "$c" "$r" "$(echo "$w / $gz_w" | bc -l)" "$(echo "$c / $gz_c" | bc -l)" "$(cut -d' ' -f1 "$tmp/$name.txt" | tr '\n' ' ')"
done
