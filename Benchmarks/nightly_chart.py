#!/usr/bin/env python3
"""Draws nightly-curve.tsv (Benchmarks/nightly.sh): nightly wall time against days of history,
the full report over every file against report --state-dir, and the state folder's size against
the touch files'. Usage: nightly_chart.py nightly-curve.tsv nightly.png"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
night = [int(r["night"]) for r in rows]
full = [(int(r["night"]), float(r["full_wall_s"])) for r in rows if r["full_wall_s"] != "-"]
inc = [float(r["incremental_wall_s"]) for r in rows]
fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
a.plot([n for n, _ in full], [w for _, w in full], "-o", label="report (reads every file)")
a.plot(night, inc, "-", label="report --state-dir (reads the new day)")
a.set_title("Nightly wall time")
a.set_xlabel("days of history (one file of 2M touches a day; 1M contacts)")
a.set_ylabel("wall, s")
a.set_ylim(bottom=0)
a.grid(True, alpha=0.3)
a.legend(fontsize=8)
b.plot(night, [int(r["touch_gzip_bytes"]) / 1e9 for r in rows], "-", label="touch files (gzip)")
b.plot(night, [int(r["state_bytes"]) / 1e9 for r in rows], "-", label="state folder")
b.set_title("Bytes kept")
b.set_xlabel("days of history")
b.set_ylabel("GB")
b.set_ylim(bottom=0)
b.grid(True, alpha=0.3)
b.legend(fontsize=8)
fig.suptitle("pilotscope nightly: full runs against incremental runs (2 cores)")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
