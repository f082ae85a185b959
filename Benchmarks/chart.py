#!/usr/bin/env python3
"""Draws growth.tsv (Benchmarks/growth.sh) as two panels against input size: throughput
(uncompressed MB/s, median wall) and peak RSS. Usage: chart.py growth.tsv growth.png"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
tools = list(dict.fromkeys(r["tool"] for r in rows))
fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
for tool in tools:
    rs = [r for r in rows if r["tool"] == tool]
    x = [float(r["uncompressed_bytes"]) / 1e9 for r in rs]
    style = "-o" if tool.startswith("report") else "--s" if tool in ("duckdb", "polars") else ":^"
    a.plot(x, [float(r["mb_per_s"]) for r in rs], style, label=tool)
    b.plot(x, [float(r["median_rss_mib"]) for r in rs], style, label=tool)
for ax, title, unit in ((a, "Throughput", "MB/s of CSV (median wall)"), (b, "Peak memory", "peak RSS, MiB")):
    ax.set_title(title)
    ax.set_xlabel("input size, GB of CSV (1x, 2x, 4x, 8x of 125k contacts / 1.25M touches)")
    ax.set_ylabel(unit)
    ax.set_xscale("log", base=2)
    ax.grid(True, alpha=0.3)
a.set_yscale("log")
b.set_yscale("log")
a.legend(fontsize=8)
fig.suptitle("pilotscope report vs the floors (igzip -dc, gzip -dc) and the peers (DuckDB, Polars)")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
print("chart:", sys.argv[2])
