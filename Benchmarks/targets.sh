#!/usr/bin/env bash
# Issue 17's targets, from one growth.tsv (Benchmarks/growth.sh), at its largest size:
# `report --threads 2` wall over `igzip -dc` (≤ 2.5), its CPU seconds over igzip's wall (≤ 5: five
# CPU-seconds where igzip takes one), its peak RSS (≤ 600 MiB), and its wall over `--threads 1`'s
# (≤ 0.6); and growth: its MB/s at that size over its MB/s at 2x (≥ 0.9).
# Usage: Benchmarks/targets.sh results/growth.tsv
set -euo pipefail
awk -F'\t' '
  NR > 1 { n = $2 + 0; if (n >= best) { best = n; size = $1 }; w[$1, $6] = $7; m[$1, $6] = $8; u[$1, $6] = $11; mbs[$1, $6] = $9 }
  function row(name, value, target, ok) { printf "%s\t%s\t%.3f\t%s\t%s\n", size, name, value, target, ok ? "holds" : "does not hold" }
  END {
    print "size\tmeasure\tvalue\ttarget\tverdict"
    g = w[size, "igzip"]; t2 = w[size, "report-t2"]; t1 = w[size, "report-t1"]
    row("wall_t2_over_igzip", t2 / g, "<= 2.5", t2 / g <= 2.5)
    if (u[size, "report-t2"] == "") printf "%s\tcpu_t2_over_igzip_wall\t\t<= 5\tnot measured\n", size
    else row("cpu_t2_over_igzip_wall", u[size, "report-t2"] / g, "<= 5", u[size, "report-t2"] / g <= 5)
    row("rss_t2_mib", m[size, "report-t2"], "<= 600", m[size, "report-t2"] <= 600)
    row("wall_t2_over_t1", t2 / t1, "<= 0.6", t2 / t1 <= 0.6)
    if (("2x", "report-t2") in mbs) {
      grow = mbs[size, "report-t2"] / mbs["2x", "report-t2"]
      row("mb_per_s_t2_over_2x", grow, ">= 0.9", grow >= 0.9)
    }
  }' "$1"
