#!/usr/bin/env bash
# Builds the libFuzzer targets (with AddressSanitizer) and runs each for SECONDS (default 60).
# Crashes are written to Fuzz/crashes/<target>/; keep each as a regression case in Tests/.
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
SECONDS_PER_TARGET=${1:-60}
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >&2
for t in FuzzCSV FuzzTimestamp FuzzURL FuzzConfig FuzzState FuzzZip; do
  mkdir -p "crashes/$t" "work/$t"
  # FuzzState's seeds are whole states (up to a few KB); its memory is capped, so an
  # allocation a hostile count could make is a finding.
  flags=(-max_len=4096)
  [ "$t" = FuzzState ] && flags=(-max_len=16384 -rss_limit_mb=2048 -malloc_limit_mb=512)
  # ZIPFoundation 0.9.20 leaks a path's file-system representation per archive opened (about
  # 40 bytes; Archive+BackingConfiguration.swift:48): leaks are not findings here.
  [ "$t" = FuzzZip ] && flags=(-max_len=8192 -rss_limit_mb=2048 -malloc_limit_mb=512 -detect_leaks=0)
  echo "== $t: $SECONDS_PER_TARGET s" >&2
  ./.build/release/$t -max_total_time="$SECONDS_PER_TARGET" "${flags[@]}" -artifact_prefix="crashes/$t/" "work/$t" "corpus/$t" 2>&1 | tail -n 3
done
