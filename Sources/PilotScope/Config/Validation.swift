import Foundation

/// SPEC 2.1 validation: errors (exit 2) and warnings on the brief's rules of thumb.
public enum ConfigValidator {
    public static func resolve(_ file: ConfigFile, baseDirectory: String = ".") -> (ResolvedConfig?, [ConfigIssue]) {
        var v = Validator()
        let defaultZone = v.zone(file.timezone, nil, "timezone") ?? .utc
        let asOf = v.topLevel(file, defaultZone)
        v.inputs(file)
        let pilotsIn = file.pilots ?? []
        if pilotsIn.isEmpty { v.fail(nil, "pilots", "no pilots are configured") }
        if pilotsIn.count > PilotIdentity.maxPilots {
            v.fail(nil, "pilots", "\(pilotsIn.count) pilots: at most \(PilotIdentity.maxPilots) are supported")
        }
        var pilots: [Pilot] = []
        var seen = Set<String>()
        for (idx, pc) in pilotsIn.enumerated() {
            guard let id = pc.id, !id.isEmpty else {
                v.fail(nil, "pilots[\(idx)].id", "missing pilot id")
                continue
            }
            if !seen.insert(id).inserted { v.fail(id, "id", "duplicate pilot id") }
            if let p = v.pilot(pc, id: id, index: pilots.count, file: file, defaultZone: defaultZone) { pilots.append(p) }
        }
        overlapWarnings(pilots) { p, k, m in v.warn(p, k, m) }
        if v.issues.contains(where: { $0.severity == .error }) { return (nil, v.issues) }
        let resolved = ResolvedConfig(
            file: file, baseDirectory: baseDirectory, asOf: asOf, defaultZone: defaultZone, pilots: pilots,
            email: EmailNormalizer(stripPlusTags: file.dedup?.strip_plus_tags ?? false, gmailDots: file.dedup?.gmail_dots ?? false),
            lastTouch: file.attribution?.model == "last_touch",
            influence: InfluenceSettings(lookbackDays: file.influence?.lookback_days ?? 90, halfLifeDays: file.influence?.half_life_days ?? 7),
            maxRejectRate: file.max_reject_rate ?? 0.01)
        return (resolved, v.issues)
    }

    /// Overlapping match rules between two pilots whose windows overlap: a contact could be claimed by both.
    static func overlapWarnings(_ pilots: [Pilot], warn: (String?, String, String) -> Void) {
        for i in 0..<pilots.count {
            for j in (i + 1)..<pilots.count {
                let a = pilots[i], b = pilots[j]
                guard a.windowStart < b.windowEnd && b.windowStart < a.windowEnd else { continue }
                // SPEC 3.4: the earliest candidate wins; one tag, or one touch matching both, is
                // the same instant for both pilots, and then config order decides.
                let wins = "; a contact or touch that both match goes to '\(a.id)', listed first"
                if let t = a.sourceTagsNorm.first(where: b.sourceTagsNorm.contains) {
                    warn(
                        a.id, "match.source_tags", "tag '\(String(decoding: t, as: UTF8.self))' is also used by pilot '\(b.id)' in an overlapping window\(wins)"
                    )
                }
                if let l = a.linksNorm.first(where: { la in b.linksNorm.contains { URLFields.linkMatches(la, $0) || URLFields.linkMatches($0, la) } }) {
                    warn(a.id, "match.scheduling_links", "link '\(String(decoding: l, as: UTF8.self))' overlaps a link of pilot '\(b.id)'\(wins)")
                }
                if let t = a.meetingTypesNorm.first(where: b.meetingTypesNorm.contains) {
                    warn(a.id, "match.meeting_types", "meeting type '\(String(decoding: t, as: UTF8.self))' is also used by pilot '\(b.id)'\(wins)")
                }
                if let ua = a.utm, let ub = b.utm {
                    // Both can match one touch unless some key constrained by both has disjoint values.
                    var disjoint = false
                    for k in 0..<UTMKey.count { if let va = ua[k], let vb = ub[k], !va.contains(where: vb.contains) { disjoint = true } }
                    if !disjoint { warn(a.id, "match.utm", "UTM rules (campaign \(campaigns(ua, ub))) overlap those of pilot '\(b.id)'\(wins)") }
                }
            }
        }
    }

    /// The campaign values two UTM rules share ("any" when neither constrains it).
    static func campaigns(_ a: [[[UInt8]]?], _ b: [[[UInt8]]?]) -> String {
        let k = UTMKey.campaign.rawValue
        switch (a[k], b[k]) {
        case let (x?, y?): return x.filter(y.contains).map { "'" + String(decoding: $0, as: UTF8.self) + "'" }.joined(separator: ", ")
        case let (x?, nil), let (nil, x?): return x.map { "'" + String(decoding: $0, as: UTF8.self) + "'" }.joined(separator: ", ")
        default: return "any"
        }
    }

    /// `as_of` and `--as-of`: any timestamp form, local forms in the top-level zone.
    public static func parseInstant(_ s: String, zone: TimeZoneTable) -> Int64? {
        let u = Array(s.utf8)
        return u.withUnsafeBufferPointer { TimestampParser(format: .auto, zone: zone).parse($0) }
    }
}

/// Numbers as written in labels: `200`, not `200.0`.
func formatConfigNumber(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return String(v)
}

extension Costs {
    /// The configured costs, missing keys as 0 (B23).
    init(_ c: CostsConfig?) {
        self.init()
        guard let c else { return }
        (fixed, hours, hourlyRate) = (c.fixed ?? 0, c.hours ?? 0, c.hourly_rate ?? 0)
        (perLead, perSQM, perWon) = (c.per_lead ?? 0, c.per_sqm ?? 0, c.per_won ?? 0)
        currency = c.currency
    }
}

/// The issues found so far, and one check per part of the configuration.
struct Validator {
    var issues: [ConfigIssue] = []

    mutating func fail(_ pilot: String?, _ key: String, _ msg: String) {
        issues.append(ConfigIssue(severity: .error, pilot: pilot, key: key, message: msg))
    }

    mutating func warn(_ pilot: String?, _ key: String, _ msg: String) {
        issues.append(ConfigIssue(severity: .warning, pilot: pilot, key: key, message: msg))
    }

    mutating func zone(_ id: String?, _ pilot: String?, _ key: String) -> TimeZoneTable? {
        guard let id else { return nil }
        guard let t = TimeZoneCache.shared.table(id) else {
            fail(pilot, key, "unknown time zone '\(id)' (use an IANA name such as America/New_York)")
            return nil
        }
        return t
    }

    /// as_of, max_reject_rate, attribution.model, grace_days.
    mutating func topLevel(_ file: ConfigFile, _ defaultZone: TimeZoneTable) -> Int64? {
        var asOf: Int64?
        if let a = file.as_of {
            asOf = ConfigValidator.parseInstant(a, zone: defaultZone)
            if asOf == nil { fail(nil, "as_of", "not a timestamp: '\(a)'") }
        }
        if let r = file.max_reject_rate, !(0...1).contains(r) {
            fail(nil, "max_reject_rate", "must be between 0 and 1, got \(r)")
        }
        if let m = file.attribution?.model, m != "first_touch", m != "last_touch" {
            fail(nil, "attribution.model", "unknown model '\(m)' (first_touch | last_touch)")
        }
        if let g = file.grace_days, g < 0 { fail(nil, "grace_days", "must not be negative") }
        if let l = file.influence?.lookback_days, l < 0 || l > 36_600 {
            fail(nil, "influence.lookback_days", "must be a whole number of days from 0 to 36600, not \(l)")
        }
        if let h = file.influence?.half_life_days, !(h > 0 && h <= 36_600) {
            fail(nil, "influence.half_life_days", "must be a number of days above 0 (at most 36600), not \(h)")
        }
        return asOf
    }

    /// Each input section's preset, zone, timestamp format, delimiter and stage names.
    mutating func inputs(_ file: ConfigFile) {
        for (kind, sections) in [(InputKind.crm, file.inputs?.crm), (.touches, file.inputs?.touches), (.stage_history, file.inputs?.stage_history)] {
            for (i, s) in (sections?.items ?? []).enumerated() {
                let key = "inputs.\(kind.rawValue)[\(i)]"
                if let p = s.preset, Presets.find(p, kind: kind) == nil {
                    let names = Presets.all.filter { $0.kind == kind }.map(\.name).joined(separator: " | ")
                    fail(nil, key + ".preset", "unknown preset '\(p)' for \(kind.rawValue) (\(names))")
                }
                _ = zone(s.input_timezone, nil, key + ".input_timezone")
                if let f = s.timestamp_format, TimestampFormat(rawValue: f) == nil {
                    fail(nil, key + ".timestamp_format", "unknown format '\(f)' (\(TimestampFormat.allCases.map(\.rawValue).joined(separator: " | ")))")
                }
                if let d = s.delimiter, d.utf8.count != 1 { fail(nil, key + ".delimiter", "must be one character") }
                for (name, stage) in s.stages ?? [:] where Stage(rawValue: stage.lowercased()) == nil {
                    fail(nil, key + ".stages.\(name)", "unknown stage '\(stage)' (mql | sqm | opportunity | won | lost)")
                }
            }
        }
    }

    /// One pilot, or nil when its window or motion cannot be resolved (the errors say why).
    mutating func pilot(_ pc: PilotConfig, id: String, index: Int, file: ConfigFile, defaultZone: TimeZoneTable) -> Pilot? {
        if !id.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || isDigit($0) || $0 == 0x2D }) { fail(id, "id", "must match [a-z0-9-]+") }
        let motion = Motion(rawValue: pc.motion ?? "")
        if motion == nil {
            fail(id, "motion", "unknown motion '\(pc.motion ?? "")' (\(Motion.allCases.map(\.rawValue).joined(separator: " | ")))")
        }
        let pz = zone(pc.timezone, id, "timezone") ?? defaultZone
        let days = window(pc, id: id)
        let grace = pc.grace_days ?? file.grace_days ?? 30
        if grace < 0 { fail(id, "grace_days", "must not be negative") }
        let match = matchRules(pc.match, id: id)
        let rules = icpRules(pc.icp ?? [], id: id)
        let (scale, stop) = thresholds(pc, id: id)
        let primary = primaryMetric(pc, id: id, mentioned: scale + stop)
        let adjDay = adjustment(pc, id: id, window: days)
        var holidays = Set<Int64>()
        for (hi, h) in (pc.holidays ?? []).enumerated() {
            if let d = Civil.parseDate(h) { holidays.insert(d) } else { fail(id, "holidays[\(hi)]", "not a date: '\(h)'") }
        }
        if let c = pc.caps?.leads, c < 0 { fail(id, "caps.leads", "must not be negative") }
        if let s = pc.sla, s.respond_business_hours == nil && s.schedule_business_days == nil {
            fail(id, "sla", "give respond_business_hours and/or schedule_business_days")
        }
        guard let (s, e) = days, let motion else { return nil }
        return Pilot(
            index: index, id: id, name: pc.name ?? id, partner: pc.partner ?? "", motion: motion,
            hypothesis: pc.hypothesis ?? "", segment: pc.segment ?? "", zone: pz, startDay: s, endDay: e,
            graceDays: max(grace, 0), windowStart: pz.utc(fromLocal: s * 86_400) * 1000, windowEnd: pz.utc(fromLocal: (e + 1) * 86_400) * 1000,
            countingEnd: pz.utc(fromLocal: (e + Int64(max(grace, 0)) + 1) * 86_400) * 1000,
            sourceTags: match.tags, sourceTagsNorm: match.tags.map(\.normalizedText), utm: match.utm, links: match.links,
            linksNorm: match.links.map(URLFields.normalizeLink), meetingTypes: match.types,
            meetingTypesNorm: match.types.map(\.normalizedText), icp: rules, costs: Costs(pc.costs),
            primaryMetric: primary, scale: scale, stop: stop, hasScaleList: !(pc.thresholds?.scale ?? []).isEmpty,
            sla: pc.sla.map { SLATargets(respondHours: $0.respond_business_hours, scheduleDays: $0.schedule_business_days) },
            leadsCap: pc.caps?.leads, minSample: pc.min_sample ?? 5, adjustmentDay: adjDay,
            adjustmentAt: adjDay.map { pz.utc(fromLocal: $0 * 86_400) * 1000 }, holidays: holidays)
    }

    /// start and end as day numbers, with the time-box rules of thumb (2 to 8 weeks).
    mutating func window(_ pc: PilotConfig, id: String) -> (Int64, Int64)? {
        let startDay = pc.start.flatMap(Civil.parseDate)
        let endDay = pc.end.flatMap(Civil.parseDate)
        if startDay == nil { fail(id, "start", "missing or not a date (YYYY-MM-DD): '\(pc.start ?? "")'") }
        if endDay == nil { fail(id, "end", "missing or not a date (YYYY-MM-DD): '\(pc.end ?? "")'") }
        guard let s = startDay, let e = endDay else { return nil }
        if e < s { fail(id, "end", "end \(pc.end ?? "") is before start \(pc.start ?? "")") }
        let days = e - s + 1
        if days < 14 { warn(id, "end", "time box of \(days) days is shorter than 2 weeks") }
        if days > 56 { warn(id, "end", "time box of \(days) days is longer than 8 weeks") }
        return (s, e)
    }

    /// The match rules as configured, UTM values normalized; at least one rule is required.
    mutating func matchRules(_ m: MatchConfig?, id: String) -> (tags: [String], links: [String], types: [String], utm: [[[UInt8]]?]?) {
        let tags = m?.source_tags ?? []
        let links = m?.scheduling_links ?? []
        let types = m?.meeting_types ?? []
        let utmKeys = m?.utm?.byKey ?? []
        let hasUTM = utmKeys.contains { $0 != nil }
        if tags.isEmpty && links.isEmpty && types.isEmpty && !hasUTM {
            fail(id, "match", "no match rule (source_tags, utm, scheduling_links or meeting_types)")
        }
        if m?.utm != nil && !hasUTM { fail(id, "match.utm", "empty: give at least one of source, medium, campaign, term, content") }
        return (tags, links, types, hasUTM ? utmKeys.map { $0?.map(\.normalizedText) } : nil)
    }

    /// ICP rules (3.5, B22): each takes exactly one of min/max, in, not_in.
    mutating func icpRules(_ configured: [ICPRuleConfig], id: String) -> [ICPRule] {
        var rules: [ICPRule] = []
        for (ri, r) in configured.enumerated() {
            let rk = "icp[\(ri)]"
            let forms = (r.min != nil || r.max != nil ? 1 : 0) + (r.in != nil ? 1 : 0) + (r.not_in != nil ? 1 : 0)
            if forms != 1 {
                fail(id, rk, "a rule takes exactly one of min/max, in, not_in")
                continue
            }
            if let mn = r.min, let mx = r.max, mn > mx { fail(id, rk, "min \(mn) is above max \(mx)") }
            if r.min != nil || r.max != nil {
                let lo = r.min.map(formatConfigNumber) ?? ""
                let hi = r.max.map(formatConfigNumber) ?? ""
                rules.append(ICPRule(field: r.field, kind: .range(min: r.min, max: r.max), label: "\(r.field) \(lo)..\(hi)"))
            } else if let v = r.in {
                rules.append(ICPRule(field: r.field, kind: .oneOf(v.map(\.normalizedText)), label: "\(r.field) in \(v.joined(separator: "|"))"))
            } else if let v = r.not_in {
                rules.append(ICPRule(field: r.field, kind: .noneOf(v.map(\.normalizedText)), label: "\(r.field) not_in \(v.joined(separator: "|"))"))
            }
        }
        if rules.isEmpty { warn(id, "icp", "no ICP rules: every contact counts as an ICP match") }
        return rules
    }

    /// The scale and stop thresholds, parsed; warnings for thresholds outside a metric's range.
    mutating func thresholds(_ pc: PilotConfig, id: String) -> (scale: [Threshold], stop: [Threshold]) {
        var scale: [Threshold] = []
        var stop: [Threshold] = []
        for (list, name) in [(pc.thresholds?.scale, "scale"), (pc.thresholds?.stop, "stop")] {
            for (ti, t) in (list ?? []).enumerated() {
                let key = "thresholds.\(name)[\(ti)]"
                do {
                    let th = try Threshold.parse(t)
                    if name == "scale" { scale.append(th) } else { stop.append(th) }
                    if let w = th.rangeWarning { warn(id, key, w) }
                } catch Threshold.ParseError.unknownMetric(let mname) {
                    fail(id, key, "unknown metric '\(mname)' in '\(t)' (\(Metric.allCases.map(\.rawValue).joined(separator: ", ")))")
                } catch Threshold.ParseError.badOperator {
                    fail(id, key, "unknown operator in '\(t)' (>= > <= < ==)")
                } catch {
                    fail(id, key, "bad value in '\(t)' (a number, or a percentage such as 60%)")
                }
            }
        }
        if (pc.thresholds?.stop ?? []).isEmpty { warn(id, "thresholds.stop", "no stop threshold: the pilot can never be stopped") }
        return (scale, stop)
    }

    /// The primary metric: known, and named by some threshold.
    mutating func primaryMetric(_ pc: PilotConfig, id: String, mentioned: [Threshold]) -> Metric {
        guard let pm = pc.primary_metric else {
            fail(id, "primary_metric", "missing primary_metric")
            return .sqm
        }
        guard let m = Metric(rawValue: pm) else {
            fail(id, "primary_metric", "unknown metric '\(pm)'")
            return .sqm
        }
        let thresholdErrors = issues.contains { $0.pilot == id && $0.key.hasPrefix("thresholds") && $0.severity == .error }
        if !mentioned.contains(where: { $0.metric == m }) && !thresholdErrors {
            fail(id, "primary_metric", "'\(pm)' is not mentioned by any threshold")
        }
        return m
    }

    /// At most one adjustment, a date inside the window.
    mutating func adjustment(_ pc: PilotConfig, id: String, window: (Int64, Int64)?) -> Int64? {
        let adjustments = pc.adjustment?.items ?? []
        if adjustments.count > 1 { fail(id, "adjustment", "at most one mid-pilot adjustment is allowed, got \(adjustments.count)") }
        guard let a = adjustments.first else { return nil }
        guard let d = Civil.parseDate(a.date) else {
            fail(id, "adjustment.date", "not a date (YYYY-MM-DD): '\(a.date)'")
            return nil
        }
        if let (s, e) = window, d < s || d > e {
            fail(id, "adjustment.date", "\(a.date) is outside the pilot window \(pc.start ?? "")..\(pc.end ?? "")")
        }
        return d
    }
}
