#!/usr/bin/env bash
# Ratios of a growth.tsv (Benchmarks/growth.sh): for each size and tool, its median wall divided
# by igzip's, gzip's, DuckDB's and Polars's, and its peak RSS divided by Polars's (empty where a
# tool was not run). Usage: Benchmarks/ratios.sh results/growth.tsv
set -euo pipefail
awk -F'\t' '
  NR > 1 { w[$1, $6] = $7; m[$1, $6] = $8; if (!($1 in seen)) { seen[$1] = 1; sizes[++ns] = $1 }
           if (!($6 in known)) { known[$6] = 1; tools[++nt] = $6 } }
  function r(a, b) { return (a != "" && b != "" && b > 0) ? sprintf("%.3f", a / b) : "" }
  END {
    print "size\ttool\twall_over_igzip\twall_over_gzip\twall_over_duckdb\twall_over_polars\trss_over_polars"
    for (i = 1; i <= ns; i++) for (j = 1; j <= nt; j++) {
      s = sizes[i]; t = tools[j]
      if (!((s, t) in w)) continue
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, t, r(w[s, t], w[s, "igzip"]), r(w[s, t], w[s, "gzip"]),
        r(w[s, t], w[s, "duckdb"]), r(w[s, t], w[s, "polars"]), r(m[s, t], m[s, "polars"])
    }
  }' "$1"
