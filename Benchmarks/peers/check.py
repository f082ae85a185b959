#!/usr/bin/env python3
"""Checks that a peer's funnel and velocity agree with PilotScope's on the same data folder:
funnel counts and velocity n exactly, money within a cent per million (summation order),
rates and days exactly as written. Usage: check.py DATA_DIR PEER...   (exit 1 on disagreement)"""
import csv
import os
import sys

import common


def table(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    data, peers = sys.argv[1], sys.argv[2:]
    ours = {t: table(os.path.join(data, "out", t + ".csv")) for t in ("funnel", "velocity")}
    bad = 0
    for peer in peers:
        for name, rows in ours.items():
            theirs = table(os.path.join(data, "peer-" + peer, name + ".csv"))
            if len(theirs) != len(rows):
                print(f"{peer} {name}: {len(theirs)} rows, PilotScope {len(rows)}")
                bad += 1
                continue
            for a, b in zip(rows, theirs):
                for col, v in b.items():
                    u = a[col]
                    if col in ("pipeline_amount", "won_amount") and u and v:
                        same = abs(float(u) - float(v)) <= max(0.01, abs(float(u)) * 1e-9)
                    else:
                        same = u == v
                    if not same:
                        print(f"{peer} {name} {a['pilot_id']} {a['cohort']} {a.get('transition', '')} {col}: PilotScope {u!r}, {peer} {v!r}")
                        bad += 1
        print(f"{peer}: {'agrees' if not bad else 'DISAGREES'} with PilotScope on funnel ({len(ours['funnel'])} rows, "
              f"{len(common.FUNNEL_COUNTS)} counts each) and velocity ({len(ours['velocity'])} rows)")
    sys.exit(1 if bad else 0)


main()
