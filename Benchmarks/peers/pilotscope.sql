-- PilotScope's dedup, stitching, matching, attribution (first_touch), funnel and velocity
-- (SPEC 3.1-3.5) in DuckDB SQL, on the files `pilotscope generate` writes. duckdb_report.py fills
-- the placeholders in braces (file lists, as_of) and creates the `pilots` and `stage_map` tables from the
-- config. Times are epoch milliseconds, as in PilotScope.

SET TimeZone = 'UTC';

-- 2.4 timestamps: ISO 8601 with Z, offset or none, 'YYYY-MM-DD HH:MM[:SS]', 12-hour clocks,
-- US dates, dates, epoch seconds / milliseconds. Inputs are in UTC.
CREATE MACRO ts_ms_other(s) AS (
  CASE
    WHEN s IS NULL OR s = '' THEN NULL
    WHEN regexp_full_match(s, '[0-9]{13}') THEN CAST(s AS BIGINT)
    WHEN regexp_full_match(s, '[0-9]{10}') THEN CAST(s AS BIGINT) * 1000
    ELSE coalesce(
      epoch_ms(try_strptime(s, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%m/%d/%Y %I:%M %p',
                                '%Y-%m-%d %I:%M %p', '%m/%d/%Y', '%Y-%m-%d'])),
      epoch_ms(try_strptime(s, ['%Y-%m-%dT%H:%M:%S.%g%z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M%z'])))
  END);
-- The common form first; COALESCE only evaluates the rest on the rows it left NULL.
CREATE MACRO ts_ms(s) AS coalesce(epoch_ms(try_strptime(s, '%Y-%m-%dT%H:%M:%SZ')), ts_ms_other(trim(s)));
-- Text matching: trimmed, lower-case.
CREATE MACRO nt(s) AS lower(trim(coalesce(s, ''), E' \t\r\n'));
-- B9: an email is local@domain, one '@', both parts non-empty; else missing.
CREATE MACRO email_of(s) AS CASE WHEN regexp_full_match(nt(s), '[^@]+@[^@]+') THEN nt(s) END;
-- B8: amount is [+-]?digits[.digits].
CREATE MACRO amount_of(s) AS
  CASE WHEN regexp_full_match(trim(coalesce(s, '')), '[+-]?[0-9]+(\.[0-9]+)?') THEN CAST(trim(s) AS DOUBLE) END;
-- B7: the first `key=value` of the query (after '?', before '#'; keys case-insensitive), '+' as
-- space, percent-decoded; '' when absent.
CREATE MACRO utm_of(url, key) AS
  CASE WHEN NOT contains(lower(url), key) THEN '' ELSE url_decode(replace(regexp_extract(url, '^[^?#]*\?(?:[^&#]*&)*?(?i:' || key || ')(?:=([^&#]*))?(?:&|#|$)', 1), '+', ' ')) END;
-- B6: scheduling link normal form.
CREATE MACRO link_of(url) AS (
  SELECT rtrim(CASE WHEN starts_with(lower(host), 'www.') THEN substr(lower(host), 5) ELSE lower(host) END || path, '/')
  FROM (SELECT split_part(r, '/', 1) AS host, substr(r, length(split_part(r, '/', 1)) + 1) AS path
        FROM (SELECT regexp_replace(regexp_replace(trim(url, E' \t\r\n'), '^[A-Za-z0-9+.-]+://', ''), '[?#].*$', '') AS r))
);

-- CRM records: rows with the wrong field count are skipped by the reader (PilotScope rejects
-- them); a missing record_id or an unparseable created_at rejects the row.
CREATE TABLE rec AS
SELECT trim(record_id) AS record_id,
       coalesce(email_of(email),
                CASE WHEN nt(first_name) <> '' AND nt(last_name) <> '' AND nt(company_domain) <> ''
                     THEN nt(first_name) || ' ' || nt(last_name) || '@' || nt(company_domain) END,
                'id:' || trim(record_id)) AS ckey,
       ts_ms(created_at) AS created,
       ts_ms(mql_at) AS mql, ts_ms(sqm_at) AS sqm, ts_ms(opportunity_at) AS opportunity,
       ts_ms(won_at) AS won, ts_ms(lost_at) AS lost,
       amount_of(amount) AS amount, nt(source) AS src, nullif(trim(opportunity_id), '') AS opportunity_id
FROM read_csv({crm_files}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', strict_mode = false, ignore_errors = true, union_by_name = true)
WHERE trim(coalesce(record_id, '')) <> '' AND ts_ms(created_at) IS NOT NULL;

-- 2.2b: history rows set a stage's time when earlier; `record_id` names a record or its opportunity.
CREATE TABLE hist AS
SELECT trim({h_record}) AS rid, m.stage, ts_ms({h_changed}) AS t
FROM read_csv({history_files}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', strict_mode = false, ignore_errors = true) h
JOIN stage_map m ON m.name = nt(h.{h_stage})
WHERE ts_ms({h_changed}) IS NOT NULL AND ts_ms({h_changed}) <= {as_of};

CREATE TABLE hist_by_record AS
SELECT ckey, stage, min(t) AS t
FROM (SELECT r.ckey, h.stage, h.t FROM hist h JOIN rec r ON h.rid = r.record_id
      UNION ALL
      SELECT r.ckey, h.stage, h.t FROM hist h JOIN rec r ON h.rid = r.opportunity_id)
GROUP BY ALL;

-- 3.1 dedup: one contact per key; earliest created_at, earliest stage times, largest amount,
-- the first pilot tag in primary order (created_at, record_id).
CREATE TABLE contacts AS
WITH merged AS (
  SELECT ckey, min(created) AS created, min(mql) AS mql, min(sqm) AS sqm, min(opportunity) AS opportunity,
         min(won) AS won, min(lost) AS lost, max(amount) AS amount,
         arg_min(src, (created, record_id)) FILTER (WHERE list_contains((SELECT flatten(list(tags)) FROM pilots), src)) AS tag
  FROM rec GROUP BY ckey
), h AS (
  SELECT ckey, min(t) FILTER (WHERE stage = 'mql') AS mql, min(t) FILTER (WHERE stage = 'sqm') AS sqm,
         min(t) FILTER (WHERE stage = 'opportunity') AS opportunity, min(t) FILTER (WHERE stage = 'won') AS won,
         min(t) FILTER (WHERE stage = 'lost') AS lost
  FROM hist_by_record GROUP BY ckey
)
SELECT m.ckey, m.created, least(m.mql, h.mql) AS mql, least(m.sqm, h.sqm) AS sqm,
       least(m.opportunity, h.opportunity) AS opportunity, least(m.won, h.won) AS won, least(m.lost, h.lost) AS lost,
       m.amount, m.tag
FROM merged m LEFT JOIN h USING (ckey);

-- Touch rows; a missing event or an unparseable ts rejects the row. Projected early: only rows
-- that stitching (a visitor and an email) or matching (inside some window, by as_of) reads.
CREATE TABLE t AS
SELECT * FROM (
SELECT ts_ms(ts) AS ts, trim(coalesce(visitor_id, ''), E' \t\r\n') AS vid, email_of(email) AS em, nt(event) AS ev,
       url, meeting_type, utm_source, utm_medium, utm_campaign, utm_term, utm_content
FROM read_csv({touch_files}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', strict_mode = false, ignore_errors = true, union_by_name = true)
WHERE nt(event) <> '')
WHERE ts IS NOT NULL AND ((em IS NOT NULL AND vid <> '')
  OR (ts >= (SELECT min(start_ms) FROM pilots) AND ts < (SELECT max(end_ms) FROM pilots) AND ts <= {as_of}));

-- 3.2 / B16 stitching: a visitor's email is that of its earliest emailed touch (ties: smallest email).
CREATE TABLE vmap AS
SELECT vid, arg_min(em, (ts, em)) AS vem FROM t WHERE vid <> '' AND em IS NOT NULL GROUP BY vid;

-- 3.3 matching, projected early: only touches inside some window and by as_of.
CREATE TABLE cand AS
WITH w AS (
  SELECT *, coalesce(nullif(trim(utm_source), ''), utm_of(url, 'utm_source')) AS u_source,
            coalesce(nullif(trim(utm_medium), ''), utm_of(url, 'utm_medium')) AS u_medium,
            coalesce(nullif(trim(utm_campaign), ''), utm_of(url, 'utm_campaign')) AS u_campaign,
            coalesce(nullif(trim(utm_term), ''), utm_of(url, 'utm_term')) AS u_term,
            coalesce(nullif(trim(utm_content), ''), utm_of(url, 'utm_content')) AS u_content,
            link_of(url) AS link, nt(meeting_type) AS mt
  FROM t
  WHERE ts >= (SELECT min(start_ms) FROM pilots) AND ts < (SELECT max(end_ms) FROM pilots) AND ts <= {as_of}
)
SELECT w.ts, w.vid, w.em, w.ev, p.idx AS pilot,
       len(p.links) > 0 AND coalesce(url, '') <> ''
         AND len(list_filter(p.links, lambda l: w.link = l OR starts_with(w.link, l || '/'))) > 0 AS by_link,
       w.mt <> '' AND list_contains(p.mts, w.mt) AS by_mt,
       p.has_utm
         AND (p.want_source IS NULL OR list_contains(p.want_source, nt(w.u_source)))
         AND (p.want_medium IS NULL OR list_contains(p.want_medium, nt(w.u_medium)))
         AND (p.want_campaign IS NULL OR list_contains(p.want_campaign, nt(w.u_campaign)))
         AND (p.want_term IS NULL OR list_contains(p.want_term, nt(w.u_term)))
         AND (p.want_content IS NULL OR list_contains(p.want_content, nt(w.u_content))) AS by_utm
FROM w JOIN pilots p ON w.ts >= p.start_ms AND w.ts < p.end_ms;

CREATE TABLE matched AS
SELECT c.pilot, c.ts, c.ev, c.by_utm, c.ev = 'booking' AND (c.by_link OR c.by_mt) AS meeting,
       coalesce(c.em, v.vem) AS email,
       coalesce(c.em, v.vem, CASE WHEN c.vid <> '' THEN 'visitor:' || c.vid END) AS identity
FROM cand c LEFT JOIN vmap v ON c.em IS NULL AND c.vid <> '' AND v.vid = c.vid
WHERE c.by_link OR c.by_mt OR c.by_utm;

-- 3.4 attribution: tag, then link (meeting booked), then utm; earliest time; then config order.
CREATE TABLE attributed AS
WITH cands AS (
  SELECT c.ckey, p.idx AS pilot, 0 AS cls, c.created AS at
  FROM contacts c JOIN pilots p ON list_contains(p.tags, c.tag) AND c.created >= p.start_ms AND c.created < p.end_ms
  UNION ALL
  SELECT m.email, m.pilot, CASE WHEN m.meeting THEN 1 ELSE 2 END, m.ts
  FROM matched m WHERE m.email IS NOT NULL AND (m.meeting OR m.by_utm)
)
SELECT k.ckey, arg_min(k.pilot, (k.cls, k.at, k.pilot)) AS pilot
FROM cands k JOIN contacts c ON c.ckey = k.ckey AND c.created <= {as_of}
GROUP BY k.ckey;

-- Cohorts: a pilot's leads; its baseline = unattributed contacts created in its window by as_of.
CREATE TABLE cohort AS
SELECT p.idx AS pilot, 'pilot' AS cohort, c.*
FROM attributed a JOIN contacts c USING (ckey) JOIN pilots p ON p.idx = a.pilot
UNION ALL
SELECT p.idx, 'baseline', c.*
FROM contacts c JOIN pilots p ON c.created >= p.start_ms AND c.created < p.end_ms AND c.created <= {as_of}
WHERE c.ckey NOT IN (SELECT ckey FROM attributed);

-- 3.5 funnel: cumulative stages inside the counting window [start, min(end + grace + 1 day, as_of + 1)).
CREATE MACRO inc(x, s, e) AS x IS NOT NULL AND x >= s AND x < e;
CREATE TABLE funnel AS
SELECT k.pilot, k.cohort, count(*) AS leads,
       count(*) FILTER (WHERE inc(mql, s, e) OR inc(sqm, s, e) OR inc(opportunity, s, e) OR inc(won, s, e)) AS mql,
       count(*) FILTER (WHERE inc(sqm, s, e) OR inc(opportunity, s, e) OR inc(won, s, e)) AS sqm,
       count(*) FILTER (WHERE inc(opportunity, s, e) OR inc(won, s, e)) AS opportunities,
       count(*) FILTER (WHERE inc(won, s, e)) AS won,
       count(*) FILTER (WHERE inc(lost, s, e)) AS lost,
       coalesce(sum(amount) FILTER (WHERE inc(opportunity, s, e) OR inc(won, s, e)), 0) AS pipeline_amount,
       coalesce(sum(amount) FILTER (WHERE inc(won, s, e)), 0) AS won_amount
FROM (SELECT c.*, p.start_ms AS s, p.count_end AS e FROM cohort c JOIN pilots p ON p.idx = c.pilot) k
GROUP BY ALL;

-- Touch columns: distinct identities (an anonymous row is its own identity).
CREATE TABLE funnel_touches AS
SELECT pilot, count(*) AS touches,
       count(DISTINCT identity) + count(*) FILTER (WHERE identity IS NULL) AS unique_visitors,
       count(DISTINCT identity) FILTER (WHERE ev = 'registration')
         + count(*) FILTER (WHERE ev = 'registration' AND identity IS NULL) AS registrations,
       count(DISTINCT identity) FILTER (WHERE ev = 'attendance')
         + count(*) FILTER (WHERE ev = 'attendance' AND identity IS NULL) AS attendees,
       count(DISTINCT identity) FILTER (WHERE meeting) + count(*) FILTER (WHERE meeting AND identity IS NULL) AS meetings_booked
FROM matched GROUP BY pilot;

-- Velocity: both times inside the counting window, the later not before the earlier.
CREATE TABLE velocity AS
WITH x AS (
  SELECT k.pilot, k.cohort, v.name, (v.b - v.a) / 86400000.0 AS days
  FROM (SELECT c.*, p.start_ms AS s, p.count_end AS e FROM cohort c JOIN pilots p ON p.idx = c.pilot) k,
       LATERAL (VALUES ('created_to_mql', k.created, k.mql), ('mql_to_sqm', k.mql, k.sqm),
                       ('sqm_to_opportunity', k.sqm, k.opportunity), ('opportunity_to_won', k.opportunity, k.won),
                       ('created_to_sqm', k.created, k.sqm), ('created_to_won', k.created, k.won)) v(name, a, b)
  WHERE inc(v.a, k.s, k.e) AND inc(v.b, k.s, k.e) AND v.b >= v.a
)
SELECT pilot, cohort, name, count(*) AS n, avg(days) AS mean, quantile_cont(days, 0.5) AS median,
       quantile_cont(days, 0.75) AS p75, quantile_cont(days, 0.9) AS p90
FROM x GROUP BY ALL;
