#!/usr/bin/env python3
"""Polars peer: PilotScope's dedup, stitching, matching, attribution (first_touch), funnel and
velocity (SPEC 3.1-3.5) as Polars lazy queries on a generated data folder; writes funnel.csv and
velocity.csv into DATA/peer-polars/. The same steps as pilotscope.sql, in the same order.
Usage: polars_report.py DATA_DIR"""
import os
import sys
from urllib.parse import unquote

import polars as pl

import common

cfg = common.load(sys.argv[1])
AS_OF = cfg["as_of"]
pilots = pl.DataFrame(cfg["pilots"], schema_overrides={
    "tags": pl.List(pl.String), "links": pl.List(pl.String), "mts": pl.List(pl.String),
    **{"want_" + k: pl.List(pl.String) for k in common.UTM_KEYS}}).lazy()
ALL_TAGS = sorted({t for p in cfg["pilots"] for t in p["tags"]})
WS = " \t\r\n"

NAIVE = ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %I:%M %p",
         "%Y-%m-%d %I:%M %p"]
ZONED = ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]


def ts_ms(col):
    """2.4 timestamps (inputs in UTC) as epoch milliseconds, null when unparseable."""
    s = pl.col(col).str.strip_chars()
    tries = [pl.when(s.str.contains(r"^[0-9]{13}$")).then(s.cast(pl.Int64, strict=False)),
             pl.when(s.str.contains(r"^[0-9]{10}$")).then(s.cast(pl.Int64, strict=False) * 1000)]
    tries += [s.str.to_datetime(f, strict=False, time_unit="ms").dt.epoch("ms") for f in NAIVE]
    tries += [s.str.to_datetime(f, strict=False, time_unit="ms", time_zone="UTC").dt.epoch("ms") for f in ZONED]
    tries += [s.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("ms")).dt.epoch("ms"),
              s.str.to_date("%m/%d/%Y", strict=False).cast(pl.Datetime("ms")).dt.epoch("ms")]
    return pl.coalesce(tries)


def parse_times(df, cols):
    """Adds `<col>_ms` for each column: the common ISO form parsed on every row, the other forms
    (ts_ms) only on the rows it did not parse."""
    for c in cols:
        iso = pl.col(c).str.strip_chars().str.to_datetime(NAIVE[0], strict=False, time_unit="ms").dt.epoch("ms")
        df = df.with_columns(iso.alias(c + "_ms"))
        todo = pl.col(c + "_ms").is_null() & (pl.col(c).fill_null("").str.strip_chars() != "")
        df = pl.concat([df.filter(~todo), df.filter(todo).with_columns(ts_ms(c).alias(c + "_ms"))])
    return df


def nt(col):
    return pl.col(col).fill_null("").str.strip_chars(WS).str.to_lowercase()


def email_of(col):
    e = nt(col)
    return pl.when(e.str.contains(r"^[^@]+@[^@]+$")).then(e)


def decode(s: pl.Series) -> pl.Series:
    """B7 values: '+' is a space, then percent-decoding (decoded once per distinct value)."""
    uniq = s.drop_nulls().unique().to_list()
    return s.replace_strict({u: unquote(u.replace("+", " ")) for u in uniq}, default=None, return_dtype=pl.String)


def utm_of(key):
    query = pl.col("query")
    value = query.str.extract(rf"(?:^|&)(?i:{key})(?:=([^&]*))?(?:&|$)", 1)
    found = query.str.contains(rf"(?:^|&)(?i:{key})(?:=|&|$)")
    return pl.when(found).then(value.fill_null("").map_batches(decode, return_dtype=pl.String)).otherwise(pl.lit(""))


def link_of():
    r = (pl.col("url").fill_null("").str.strip_chars(WS).str.replace(r"^[A-Za-z0-9+.-]+://", "")
         .str.replace(r"[?#].*$", ""))
    host = r.str.extract(r"^([^/]*)", 1).str.to_lowercase().str.replace(r"^www\.", "")
    return (host + r.str.extract(r"^[^/]*(.*)$", 1)).str.strip_chars_end("/")


def csv(files, columns):
    return pl.concat([pl.scan_csv(f, infer_schema=False, truncate_ragged_lines=True, missing_columns="insert")
                      .select([pl.col(c) if c else pl.lit(None) for c in columns]) for f in files], how="vertical")


CRM = ["record_id", "email", "first_name", "last_name", "company_domain", "created_at", "source", "mql_at", "sqm_at",
       "opportunity_at", "won_at", "lost_at", "amount", "opportunity_id"]
rec = (parse_times(csv(cfg["files"]["crm"], CRM).collect(), [s + "_at" for s in ["created"] + common.STAGES]).lazy()
       .filter((pl.col("record_id").fill_null("").str.strip_chars() != "") & pl.col("created_at_ms").is_not_null())
       .select(
           record_id=pl.col("record_id").str.strip_chars(),
           ckey=pl.coalesce(
               email_of("email"),
               pl.when((nt("first_name") != "") & (nt("last_name") != "") & (nt("company_domain") != ""))
                 .then(nt("first_name") + " " + nt("last_name") + "@" + nt("company_domain")),
               "id:" + pl.col("record_id").str.strip_chars()),
           created="created_at_ms", **{s: s + "_at_ms" for s in common.STAGES},
           amount=pl.when(pl.col("amount").fill_null("").str.strip_chars().str.contains(r"^[+-]?[0-9]+(\.[0-9]+)?$"))
                    .then(pl.col("amount").str.strip_chars().cast(pl.Float64, strict=False)),
           src=nt("source"),
           opportunity_id=pl.col("opportunity_id").str.strip_chars().replace("", None))
       .collect())

h = common.HISTORY_PRESET
stage_map = pl.DataFrame({"name": list(cfg["stage_map"]), "stage": list(cfg["stage_map"].values())}).lazy()
hist = (csv(cfg["files"]["stage_history"], [h["record_id"], h["stage"], h["changed_at"]])
        .select(rid=pl.col(h["record_id"]).str.strip_chars(), name=nt(h["stage"]), t=ts_ms(h["changed_at"]))
        .filter(pl.col("t").is_not_null() & (pl.col("t") <= AS_OF))
        .join(stage_map, on="name"))
keys = rec.lazy().select("record_id", "opportunity_id", "ckey")
hist_by_key = pl.concat([
    hist.join(keys, left_on="rid", right_on="record_id").select("ckey", "stage", "t"),
    hist.join(keys.filter(pl.col("opportunity_id").is_not_null()), left_on="rid", right_on="opportunity_id")
        .select("ckey", "stage", "t"),
]).unique().group_by("ckey").agg(**{s: pl.col("t").filter(pl.col("stage") == s).min() for s in common.STAGES})

# 3.1 dedup: earliest created_at and stage times, largest amount, first pilot tag in primary order.
merged = (rec.lazy().sort("created", "record_id").group_by("ckey").agg(
    pl.col("created").min(), *[pl.col(s).min() for s in common.STAGES], pl.col("amount").max(),
    tag=pl.col("src").filter(pl.col("src").is_in(ALL_TAGS)).first()))
contacts = (merged.join(hist_by_key, on="ckey", how="left", suffix="_h")
            .with_columns(**{s: pl.min_horizontal(s, s + "_h") for s in common.STAGES})
            .select("ckey", "created", *common.STAGES, "amount", "tag")
            .collect())

TOUCH = ["ts", "visitor_id", "email", "event", "url", "meeting_type"] + ["utm_" + k for k in common.UTM_KEYS]
lo, hi = min(p["start"] for p in cfg["pilots"]), max(p["end"] for p in cfg["pilots"])
WANTED = [k for k in common.UTM_KEYS if any(p["want_" + k] is not None for p in cfg["pilots"])]
LINK_HOSTS = sorted({l.split("/")[0] for p in cfg["pilots"] for l in p["links"]})
url = pl.col("url").fill_null("")
# Projected early: a row can match only with a link's host in its URL, a meeting type, or UTM
# values (in the query or the columns); the costly parses run on those rows only.
maybe = (url.str.contains_any(LINK_HOSTS or ["\x00"], ascii_case_insensitive=True)
         | (pl.col("meeting_type").fill_null("").str.strip_chars() != "")
         | url.str.contains_any(["utm_"], ascii_case_insensitive=True)
         | pl.any_horizontal([pl.col("utm_" + k).fill_null("").str.strip_chars() != "" for k in WANTED] + [pl.lit(False)]))
# One streaming pass over the touch logs keeps only what later steps read: rows with a visitor
# and an email (stitching) and rows that can match inside some window.
iso = pl.col("ts").str.strip_chars().str.to_datetime(NAIVE[0], strict=False, time_unit="ms").dt.epoch("ms")
scan = csv(cfg["files"]["touches"], TOUCH).with_columns(ts_iso=iso)
stitch_rows, window_rows = pl.collect_all([
    scan.filter((pl.col("visitor_id").fill_null("").str.strip_chars(WS) != "") & (pl.col("email").fill_null("") != ""))
        .select("ts", "ts_iso", "visitor_id", "email", "event"),
    scan.filter((pl.col("ts_iso").is_null() | ((pl.col("ts_iso") >= lo) & (pl.col("ts_iso") < hi))) & maybe),
], engine="streaming")


def touches(df):
    """Kept touch rows: parsed ts (ISO already done), trimmed visitor, normalized email and event."""
    df = df.with_columns(ts_ms="ts_iso")
    todo = pl.col("ts_ms").is_null() & (pl.col("ts").fill_null("").str.strip_chars() != "")
    df = pl.concat([df.filter(~todo), df.filter(todo).with_columns(ts_ms=ts_ms("ts"))])
    extra = [c for c in df.columns if c in TOUCH[4:]]
    return (df.lazy().select(ts="ts_ms", vid=pl.col("visitor_id").fill_null("").str.strip_chars(WS), em=email_of("email"),
                             ev=nt("event"), *extra)
            .filter(pl.col("ts").is_not_null() & (pl.col("ev") != "")))


# B16 stitching: a visitor's email is that of its earliest emailed touch (ties: smallest email).
vmap = (touches(stitch_rows).filter((pl.col("vid") != "") & pl.col("em").is_not_null())
        .sort("ts", "em").group_by("vid").agg(vem=pl.col("em").first()))

# 3.3 matching: inside some window, by as_of; links, meeting types, the UTM keys pilots match on.
column = {k: pl.col("c_" + k).fill_null("").str.strip_chars() != "" for k in WANTED}
w = (touches(window_rows).rename({"utm_" + k: "c_" + k for k in common.UTM_KEYS})
     .filter((pl.col("ts") >= lo) & (pl.col("ts") < hi) & (pl.col("ts") <= AS_OF))
     .with_columns(mt=nt("meeting_type"), link=link_of(), query=pl.col("url").str.extract(r"\?([^#]*)", 1))
     .with_columns(**{"u_" + k: pl.when(column[k]).then(pl.col("c_" + k)).otherwise(utm_of("utm_" + k)) for k in WANTED})
     .collect())


def any_of(conds):
    return pl.any_horizontal(conds) if conds else pl.lit(False)


def pilot_matches(p):
    """One pilot's matching touches: its configuration as literals in the expressions."""
    by_link = (pl.col("url").fill_null("") != "") & any_of(
        [(pl.col("link") == l) | pl.col("link").str.starts_with(l + "/") for l in p["links"]])
    by_mt = (pl.col("mt") != "") & pl.col("mt").is_in(p["mts"]) if p["mts"] else pl.lit(False)
    by_utm = pl.all_horizontal(
        [pl.col("u_" + k).fill_null("").str.strip_chars(WS).str.to_lowercase().is_in(p["want_" + k])
         for k in common.UTM_KEYS if p["want_" + k] is not None]) if p["has_utm"] else pl.lit(False)
    return (w.lazy().filter((pl.col("ts") >= p["start"]) & (pl.col("ts") < p["end"]))
            .with_columns(pilot=pl.lit(p["idx"], dtype=pl.Int64), by_link=by_link, by_mt=by_mt, by_utm=by_utm)
            .filter(pl.col("by_link") | pl.col("by_mt") | pl.col("by_utm")))


matched = (pl.concat([pilot_matches(p) for p in cfg["pilots"]])
           .join(vmap, on="vid", how="left")
           .select("pilot", "ts", "ev", "by_utm",
                   meeting=(pl.col("ev") == "booking") & (pl.col("by_link") | pl.col("by_mt")),
                   email=pl.coalesce("em", "vem"),
                   identity=pl.coalesce("em", "vem", pl.when(pl.col("vid") != "").then("visitor:" + pl.col("vid"))))
           .collect())

# 3.4 attribution: tag, then link (meeting booked), then utm; earliest time; then config order.
pl_exploded = pilots.select("idx", "start", "end", "tags").explode("tags").rename({"tags": "tag"})
cands = pl.concat([
    contacts.lazy().join(pl_exploded, on="tag")
        .filter((pl.col("created") >= pl.col("start")) & (pl.col("created") < pl.col("end")))
        .select("ckey", pilot="idx", cls=pl.lit(0), at="created"),
    matched.lazy().filter(pl.col("email").is_not_null() & (pl.col("meeting") | pl.col("by_utm")))
        .select(ckey="email", pilot="pilot", cls=pl.when("meeting").then(1).otherwise(2), at="ts"),
])
attributed = (cands.join(contacts.lazy().filter(pl.col("created") <= AS_OF).select("ckey"), on="ckey")
              .sort("cls", "at", "pilot").group_by("ckey").agg(pl.col("pilot").first())
              .collect())

windows = pilots.select(pilot="idx", s="start", e="count_end", ws="start", we="end")
cohort = pl.concat([
    contacts.lazy().join(attributed.lazy(), on="ckey").with_columns(cohort=pl.lit("pilot")),
    contacts.lazy().join(attributed.lazy(), on="ckey", how="anti").filter(pl.col("created") <= AS_OF)
        .join_where(windows.select(pilot="pilot", ws="ws", we="we"),
                    (pl.col("created") >= pl.col("ws")) & (pl.col("created") < pl.col("we")))
        .drop("ws", "we").with_columns(cohort=pl.lit("baseline")),
], how="diagonal").join(windows.select("pilot", "s", "e"), on="pilot").collect()


def inc(c):
    return pl.col(c).is_not_null() & (pl.col(c) >= pl.col("s")) & (pl.col(c) < pl.col("e"))


opp = inc("opportunity") | inc("won")
funnel = cohort.group_by("pilot", "cohort").agg(
    leads=pl.len(), mql=(inc("mql") | inc("sqm") | opp).sum(), sqm=(inc("sqm") | opp).sum(),
    opportunities=opp.sum(), won=inc("won").sum(), lost=inc("lost").sum(),
    pipeline_amount=pl.col("amount").filter(opp).sum(), won_amount=pl.col("amount").filter(inc("won")).sum())


def distinct(cond):
    return (pl.col("identity").filter(cond).drop_nulls().n_unique()
            + (cond & pl.col("identity").is_null()).sum())


ftouch = matched.group_by("pilot").agg(
    touches=pl.len(), unique_visitors=distinct(pl.lit(True)), registrations=distinct(pl.col("ev") == "registration"),
    attendees=distinct(pl.col("ev") == "attendance"), meetings_booked=distinct(pl.col("meeting")))

rows = {}
for r in funnel.iter_rows(named=True):
    rows[(r["pilot"], r["cohort"])] = r
for r in ftouch.iter_rows(named=True):
    rows.setdefault((r["pilot"], "pilot"), {}).update(r)
out = common.out_dir(sys.argv[1], "polars")
common.write_funnel(os.path.join(out, "funnel.csv"), cfg["pilots"], rows)

# Velocity: both times inside the counting window, the later not before the earlier.
parts = []
for name, a, b in common.TRANSITIONS:
    a = a or "created"
    parts.append(cohort.lazy().filter(inc(a) & inc(b) & (pl.col(b) >= pl.col(a)))
                 .select("pilot", "cohort", name=pl.lit(name), days=(pl.col(b) - pl.col(a)) / 86_400_000.0))
vel = pl.concat(parts).group_by("pilot", "cohort", "name").agg(
    n=pl.len(), mean=pl.col("days").mean(), median=pl.col("days").quantile(0.5, "linear"),
    p75=pl.col("days").quantile(0.75, "linear"), p90=pl.col("days").quantile(0.9, "linear")).collect()
common.write_velocity(os.path.join(out, "velocity.csv"), cfg["pilots"],
                      {(r[0], r[1], r[2]): r[3:] for r in vel.iter_rows()})
