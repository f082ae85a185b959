#!/usr/bin/env python3
"""DuckDB peer: runs pilotscope.sql on a generated data folder and writes funnel.csv and
velocity.csv into DATA/peer-duckdb/. Usage: duckdb_report.py DATA_DIR [--threads N]"""
import argparse
import os

import duckdb

import common

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("--threads", type=int, default=os.cpu_count())
args = ap.parse_args()
cfg = common.load(args.data)
con = duckdb.connect()
con.execute(f"SET threads = {args.threads}")
con.execute("SET preserve_insertion_order = false")
con.execute("""CREATE TABLE pilots (idx INTEGER, id VARCHAR, start_ms BIGINT, end_ms BIGINT, count_end BIGINT,
  tags VARCHAR[], links VARCHAR[], mts VARCHAR[], has_utm BOOLEAN, want_source VARCHAR[], want_medium VARCHAR[],
  want_campaign VARCHAR[], want_term VARCHAR[], want_content VARCHAR[])""")
for p in cfg["pilots"]:
    con.execute("INSERT INTO pilots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [p["idx"], p["id"], p["start"], p["end"], p["count_end"], p["tags"], p["links"], p["mts"], p["has_utm"]]
                + [p["want_" + k] for k in common.UTM_KEYS])
con.execute("CREATE TABLE stage_map (name VARCHAR, stage VARCHAR)")
con.executemany("INSERT INTO stage_map VALUES (?, ?)", list(cfg["stage_map"].items()))
q = lambda files: "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
sql = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pilotscope.sql")).read()
for name, value in dict(
    crm_files=q(cfg["files"]["crm"]), touch_files=q(cfg["files"]["touches"]), history_files=q(cfg["files"]["stage_history"]),
    as_of=cfg["as_of"], h_record=common.HISTORY_PRESET["record_id"], h_stage=common.HISTORY_PRESET["stage"],
    h_changed=common.HISTORY_PRESET["changed_at"]).items():
    sql = sql.replace("{" + name + "}", str(value))
con.execute(sql)
rows = {}
for r in con.execute("SELECT * FROM funnel").fetchall():
    rows[(r[0], r[1])] = dict(zip(["leads", "mql", "sqm", "opportunities", "won", "lost", "pipeline_amount", "won_amount"], r[2:]))
for r in con.execute("SELECT * FROM funnel_touches").fetchall():
    rows.setdefault((r[0], "pilot"), {}).update(
        dict(zip(["touches", "unique_visitors", "registrations", "attendees", "meetings_booked"], r[1:])))
out = common.out_dir(args.data, "duckdb")
common.write_funnel(os.path.join(out, "funnel.csv"), cfg["pilots"], rows)
vel = {(r[0], r[1], r[2]): r[3:] for r in con.execute("SELECT * FROM velocity").fetchall()}
common.write_velocity(os.path.join(out, "velocity.csv"), cfg["pilots"], vel)
