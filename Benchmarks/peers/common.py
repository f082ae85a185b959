"""What both peer scripts share: the config read into plain values, and the output writer.

The peers compute, on the data `pilotscope generate` writes, what SPEC 3.1-3.5 defines for
dedup, stitching, matching, attribution (first_touch), the funnel and the velocity tables. They
read the config the generator writes (presets `canonical` for CRM and touches,
`salesforce_opportunity_history` for the stage history; inputs in UTC): enough for the benchmark,
not a second implementation of every option (see README.md in this folder).
"""
import csv
import datetime as dt
import glob
import os
import sys
from zoneinfo import ZoneInfo

import yaml

DAY_MS = 86_400_000
UTM_KEYS = ["source", "medium", "campaign", "term", "content"]
STAGES = ["mql", "sqm", "opportunity", "won", "lost"]
TRANSITIONS = [  # (name, from stage or None for created, to stage)
    ("created_to_mql", None, "mql"), ("mql_to_sqm", "mql", "sqm"), ("sqm_to_opportunity", "sqm", "opportunity"),
    ("opportunity_to_won", "opportunity", "won"), ("created_to_sqm", None, "sqm"), ("created_to_won", None, "won"),
]
HISTORY_PRESET = {"record_id": "OpportunityId", "stage": "StageName", "changed_at": "CreatedDate"}
SUPPORTED_PRESETS = {"crm": "canonical", "touches": "canonical", "stage_history": "salesforce_opportunity_history"}


def norm(s):
    """Text matching (2.4): trimmed, ASCII case-insensitive."""
    return "".join(chr(ord(c) | 0x20) if "A" <= c <= "Z" else c for c in s.strip(" \t\r\n"))


def norm_link(u):
    """B6: drop scheme://, lower-case the host, drop www., query and fragment, trailing '/'."""
    u = u.strip(" \t\r\n")
    k = 0
    while k < len(u) and (u[k].isascii() and (u[k].isalnum() or u[k] in "+.-")):
        k += 1
    if k > 0 and u[k:k + 3] == "://":
        u = u[k + 3:]
    for i, c in enumerate(u):
        if c in "?#":
            u = u[:i]
            break
    slash = u.find("/")
    host, path = (u, "") if slash < 0 else (u[:slash], u[slash:])
    host = norm(host) if host == host.strip() else host.lower()
    if host.startswith("www."):
        host = host[4:]
    return (host + path).rstrip("/")


def local_midnight_ms(date, zone):
    d = dt.datetime(date.year, date.month, date.day, tzinfo=ZoneInfo(zone))
    return int(d.timestamp() * 1000)


def parse_as_of(v):
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        return int(v.timestamp() * 1000)
    if isinstance(v, dt.date):
        return local_midnight_ms(v, "UTC")
    return int(dt.datetime.fromisoformat(str(v).replace("Z", "+00:00")).timestamp() * 1000)


def sections(v):
    return v if isinstance(v, list) else [v]


def load(data_dir):
    """The config of a generated data folder, as the values the peers need."""
    path = os.path.join(data_dir, "pilotscope.yaml")
    with open(path) as f:
        cfg = yaml.safe_load(f)
    base = os.path.dirname(os.path.abspath(path))
    files = {}
    stage_map = {}
    for kind in ("crm", "touches", "stage_history"):
        files[kind] = []
        for sec in sections(cfg["inputs"].get(kind, [])):
            preset = sec.get("preset", "canonical")
            if preset != SUPPORTED_PRESETS[kind] or sec.get("columns") or sec.get("delimiter", ",") != ",":
                sys.exit(f"peers: {kind} section with preset {preset!r} / columns / delimiter is not supported")
            if sec.get("input_timezone", "UTC") != "UTC":
                sys.exit("peers: only UTC inputs are supported")
            for pattern in sec["files"]:
                files[kind] += sorted(glob.glob(os.path.join(base, pattern)))
            for name, stage in (sec.get("stages") or {}).items():
                stage_map[norm(name)] = stage
    if (cfg.get("attribution") or {}).get("model", "first_touch") != "first_touch":
        sys.exit("peers: only attribution model first_touch is supported")
    dedup = cfg.get("dedup") or {}
    if dedup.get("strip_plus_tags") or dedup.get("gmail_dots"):
        sys.exit("peers: strip_plus_tags / gmail_dots are not supported")
    as_of = parse_as_of(cfg["as_of"])
    grace = int(cfg.get("grace_days", 0))
    pilots = []
    for i, p in enumerate(cfg["pilots"]):
        zone = p.get("timezone", cfg.get("timezone", "UTC"))
        start = p["start"] if isinstance(p["start"], dt.date) else dt.date.fromisoformat(str(p["start"]))
        end = p["end"] if isinstance(p["end"], dt.date) else dt.date.fromisoformat(str(p["end"]))
        m = p.get("match") or {}
        utm = m.get("utm") or {}
        want = {}
        for k in UTM_KEYS:
            if k in utm:
                vals = utm[k] if isinstance(utm[k], list) else [utm[k]]
                want[k] = [norm(str(v)) for v in vals]
            else:
                want[k] = None
        pilots.append({
            "idx": i,
            "id": p["id"],
            "start": local_midnight_ms(start, zone),
            "end": local_midnight_ms(end + dt.timedelta(days=1), zone),
            "count_end": min(local_midnight_ms(end + dt.timedelta(days=grace + 1), zone), as_of + 1),
            "tags": [norm(t) for t in m.get("source_tags") or []],
            "links": [norm_link(l) for l in m.get("scheduling_links") or []],
            "mts": [norm(t) for t in m.get("meeting_types") or []],
            "has_utm": bool(utm),
            **{"want_" + k: want[k] for k in UTM_KEYS},
        })
    return {"files": files, "stage_map": stage_map, "as_of": as_of, "pilots": pilots}


def fixed(v, decimals):
    if v is None or v != v:
        return ""
    s = f"{v:.{decimals}f}"
    if s.startswith("-") and set(s[1:]) <= {"0", "."}:
        s = s[1:]
    return s


def ratio(a, b, decimals=4):
    return "" if not b else fixed(a / b, decimals)


FUNNEL_COUNTS = ["touches", "unique_visitors", "registrations", "attendees", "meetings_booked", "leads", "mql", "sqm",
                 "opportunities", "won", "lost"]


def write_funnel(path, pilots, rows):
    """rows: {(pilot_idx, cohort): dict of FUNNEL_COUNTS + pipeline_amount + won_amount}."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["pilot_id", "cohort"] + FUNNEL_COUNTS + ["pipeline_amount", "won_amount", "lead_to_mql", "mql_to_sqm",
                                                             "sqm_to_opportunity", "opportunity_to_won", "sqm_rate"])
        for p in pilots:
            for cohort in ("pilot", "baseline"):
                k = rows.get((p["idx"], cohort), {})
                g = lambda c: int(k.get(c) or 0)
                touch = [("" if cohort == "baseline" else str(g(c))) for c in FUNNEL_COUNTS[:5]]
                w.writerow([p["id"], cohort] + touch + [str(g(c)) for c in FUNNEL_COUNTS[5:]] + [
                    fixed(float(k.get("pipeline_amount") or 0), 2), fixed(float(k.get("won_amount") or 0), 2),
                    ratio(g("mql"), g("leads")), ratio(g("sqm"), g("mql")), ratio(g("opportunities"), g("sqm")),
                    ratio(g("won"), g("opportunities")), ratio(g("sqm"), g("leads"))])


def write_velocity(path, pilots, rows):
    """rows: {(pilot_idx, cohort, transition): (n, mean, median, p75, p90)}."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["pilot_id", "cohort", "transition", "n", "mean_days", "median_days", "p75_days", "p90_days"])
        for p in pilots:
            for cohort in ("pilot", "baseline"):
                for name, _, _ in TRANSITIONS:
                    n, *vals = rows.get((p["idx"], cohort, name), (0, None, None, None, None))
                    w.writerow([p["id"], cohort, name, int(n)] + [fixed(v, 2) for v in vals])


def out_dir(data_dir, peer):
    d = os.path.join(data_dir, "peer-" + peer)
    os.makedirs(d, exist_ok=True)
    return d
