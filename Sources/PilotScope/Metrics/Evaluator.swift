/// Funnel counts of one cohort (3.5). Touch counts are nil for baselines.
public struct CohortCounts: Sendable, Equatable {
    public var leads = 0, mql = 0, sqm = 0, opportunities = 0, won = 0, lost = 0
    public var pipelineAmount = 0.0, wonAmount = 0.0
    public var touches: Int?, uniqueVisitors: Int?, registrations: Int?, attendees: Int?, meetingsBooked: Int?
}

/// SLA outcome of one contact on one clock (B21).
public enum SLAOutcome: Sendable { case met(Double), breached(Double?), pending }

/// Metric computations for one pilot over any subset of its contacts and touches.
public struct Evaluator {
    public let data: ReportData
    public let p: Pilot

    public init(_ data: ReportData, _ pilot: Pilot) {
        self.data = data
        p = pilot
    }

    /// The counting window's end (exclusive) cut at `as_of` (B2).
    public var countingEnd: Int64 { min(p.countingEnd, data.asOf + 1) }

    @inline(__always) public func inCounting(_ t: Int64) -> Bool { t != absentTime && t >= p.windowStart && t < countingEnd }

    /// Cumulative: reached stage `s` or any later funnel stage inside the counting window (3.5).
    public func reached(_ c: Contact, _ s: Stage) -> Bool {
        for later in s.atOrAfter where inCounting(c.stages[later]) { return true }
        return false
    }

    public func counts(leads: [Int], touches: TouchScope?) -> CohortCounts {
        var k = CohortCounts()
        k.leads = leads.count
        for i in leads {
            let c = data.contacts[i]
            if reached(c, .mql) { k.mql += 1 }
            if reached(c, .sqm) { k.sqm += 1 }
            if reached(c, .opportunity) {
                k.opportunities += 1
                k.pipelineAmount += c.amount ?? 0
            }
            if reached(c, .won) {
                k.won += 1
                k.wonAmount += c.amount ?? 0
            }
            if inCounting(c.stages[.lost]) { k.lost += 1 }
        }
        if let touches {
            let t = data.touchTotals[p.index]
            k.touches = t.touches(touches)
            k.uniqueVisitors = t.distinct[touches, .any]
            k.registrations = t.distinct[touches, .registration]
            k.attendees = t.distinct[touches, .attendance]
            k.meetingsBooked = t.distinct[touches, .meeting]
        }
        return k
    }

    // MARK: ICP (3.5, B22)

    /// Whether contact `c` passes ICP rule `r` (B22), on the value's bytes: no string per lead.
    /// `field` is the rule's column among `data.icpFields` (or -1), `scratch` a reused buffer.
    func icpPasses(_ c: Contact, _ rule: ICPRule, field: Int, scratch: inout [UInt8]) -> Bool {
        let value = field >= 0 ? data.icpValues.value(c.icpStart, field) : Bytes(start: nil, count: 0)
        switch rule.kind {
        case .range(let lo, let hi):
            let num: Double? = rule.field == "employees" ? NumberParser.integer(value).map(Double.init) : NumberParser.decimal(value)
            guard let v = num else { return false }
            if let lo, v < lo { return false }
            if let hi, v > hi { return false }
            return true
        case .oneOf(let set):
            guard value.count > 0 else { return false }
            scratch.removeAll(keepingCapacity: true)
            for b in value.trimmed() { scratch.append(asciiLower(b)) }
            return set.contains(scratch)
        case .noneOf(let set):
            guard value.count > 0 else { return true }
            scratch.removeAll(keepingCapacity: true)
            for b in value.trimmed() { scratch.append(asciiLower(b)) }
            return !set.contains(scratch)
        }
    }

    public struct ICPCounts: Sendable { public var leadsICP = 0, sqm = 0, sqmICP = 0; public var leadsFailing: [Int] = [], sqmFailing: [Int] = [] }

    public func icp(leads: [Int]) -> ICPCounts {
        var k = ICPCounts()
        k.leadsFailing = Array(repeating: 0, count: p.icp.count)
        k.sqmFailing = k.leadsFailing
        let rules = p.icp
        let fields = rules.map { r in data.icpFields.firstIndex(of: r.field) ?? -1 }
        var scratch: [UInt8] = []
        for i in leads {
            let c = data.contacts[i]
            let sqm = reached(c, .sqm)
            var ok = true
            for (r, rule) in rules.enumerated() where !icpPasses(c, rule, field: fields[r], scratch: &scratch) {
                ok = false
                k.leadsFailing[r] += 1
                if sqm { k.sqmFailing[r] += 1 }
            }
            if ok { k.leadsICP += 1 }
            if sqm { k.sqm += 1 }
            if sqm && ok { k.sqmICP += 1 }
        }
        return k
    }

    // MARK: Cost (3.5, B23)

    public func totalCost(_ k: CohortCounts) -> Double {
        let c = p.costs
        return c.fixed + c.hours * c.hourlyRate + c.perLead * Double(k.leads) + c.perSQM * Double(k.sqm) + c.perWon * Double(k.won)
    }

    // MARK: SLA (3.5, B21)

    /// First meeting booked for this pilot by each contact, among the touches of `scope`.
    public func firstMeetings(_ scope: TouchScope) -> [Int: Int64] {
        var out: [Int: Int64] = [:]
        let at = p.adjustmentAt ?? Int64.max
        for fi in data.contactFolds[p.index] {
            let f = data.folds[Int(fi)]
            let first: Int64
            switch scope {
            case .all: first = f.firstMeeting
            case .before: first = f.firstMeeting < at ? f.firstMeeting : Int64.max
            case .after: first = f.firstMeetingAfter
            }
            if first != Int64.max { out[Int(f.contact)] = first }
        }
        return out
    }

    func outcome(start: Int64, end: Int64?, targetHours: Double) -> SLAOutcome {
        if let end {
            let h = BusinessTime.hours(from: start, to: end, pilot: p)
            return h <= targetHours ? .met(h) : .breached(h)
        }
        let soFar = BusinessTime.hours(from: start, to: data.asOf, pilot: p, atLeast: targetHours)
        return soFar < targetHours ? .pending : .breached(nil)
    }

    /// Outcomes of the respond and schedule clocks over the given leads (nil: no such clock).
    public func sla(leads: [Int], touches: TouchScope) -> (respond: [SLAOutcome]?, schedule: [SLAOutcome]?) {
        guard let s = p.sla else { return (nil, nil) }
        let meetings = firstMeetings(touches)
        var respond: [SLAOutcome]?
        var schedule: [SLAOutcome]?
        if let h = s.respondHours {
            respond = leads.map { i in
                let c = data.contacts[i]
                return outcome(start: c.createdAt, end: c.respondedAt == absentTime ? nil : c.respondedAt, targetHours: h)
            }
        }
        if let d = s.scheduleDays {
            schedule = leads.compactMap { i in
                let c = data.contacts[i]
                guard c.respondedAt != absentTime else { return nil }
                let first = min(c.stages[.sqm], meetings[i] ?? absentTime)
                return outcome(start: c.respondedAt, end: first == absentTime ? nil : first, targetHours: d * 24)
            }
        }
        return (respond, schedule)
    }

    static func rate(_ outcomes: [SLAOutcome]?) -> MetricValue {
        guard let o = outcomes else { return .undefined }
        var met = 0, decided = 0
        for x in o {
            switch x {
            case .met: met += 1; decided += 1
            case .breached: decided += 1
            case .pending: break
            }
        }
        return .ratio(Double(met), Double(decided))
    }

    // MARK: Metric values (thresholds, decision)

    /// Every metric's inputs over one subset of leads and touches, computed once.
    public struct Snapshot: Sendable {
        public var counts: CohortCounts
        public var icp: ICPCounts
        public var cost: Double
        public var respond: MetricValue
        public var schedule: MetricValue
        /// Influenced contacts per milestone (3.6), over the same side of the adjustment (B40).
        public var influenced: [InfluenceCounts]
    }

    public func snapshot(leads: [Int], touches: TouchScope) -> Snapshot {
        let k = counts(leads: leads, touches: touches)
        let s = sla(leads: leads, touches: touches)
        return Snapshot(
            counts: k, icp: icp(leads: leads), cost: totalCost(k), respond: Self.rate(s.respond), schedule: Self.rate(s.schedule),
            influenced: influenced(touches))
    }

    /// The pilot's influenced contacts per milestone; on one side of the adjustment, those
    /// created before it or on or after it (B40).
    public func influenced(_ side: TouchScope) -> [InfluenceCounts] {
        let mine = data.influence.pilots[p.index]
        guard side != .all else { return mine.counts }
        let at = p.adjustmentAt ?? Int64.max
        return Milestone.allCases.map { m in
            var k = InfluenceCounts()
            for ci in mine.influencedContacts[m.rawValue] {
                let c = data.contacts[Int(ci)]
                guard (c.createdAt < at) == (side == .before) else { continue }
                k.influenced += 1
                k.influencedAmount += c.amount ?? 0
            }
            return k
        }
    }

    /// The value of a metric over a subset of leads and touches.
    public func value(_ m: Metric, leads: [Int], touches: TouchScope) -> MetricValue {
        Self.value(m, snapshot(leads: leads, touches: touches))
    }

    public static func value(_ m: Metric, _ s: Snapshot) -> MetricValue {
        let k = s.counts
        switch m {
        case .touches: return .count(k.touches ?? 0)
        case .unique_visitors: return .count(k.uniqueVisitors ?? 0)
        case .registrations: return .count(k.registrations ?? 0)
        case .attendees: return .count(k.attendees ?? 0)
        case .meetings_booked: return .count(k.meetingsBooked ?? 0)
        case .leads: return .count(k.leads)
        case .mql: return .count(k.mql)
        case .sqm: return .count(k.sqm)
        case .opportunities: return .count(k.opportunities)
        case .won: return .count(k.won)
        case .lost: return .count(k.lost)
        case .pipeline_amount: return .money(k.pipelineAmount)
        case .won_amount: return .money(k.wonAmount)
        case .lead_to_mql: return .ratio(Double(k.mql), Double(k.leads))
        case .mql_to_sqm: return .ratio(Double(k.sqm), Double(k.mql))
        case .sqm_to_opportunity: return .ratio(Double(k.opportunities), Double(k.sqm))
        case .opportunity_to_won: return .ratio(Double(k.won), Double(k.opportunities))
        case .sqm_rate: return .ratio(Double(k.sqm), Double(k.leads))
        case .icp_match: return .ratio(Double(s.icp.sqmICP), Double(s.icp.sqm))
        case .cost_per_sqm: return .ratio(s.cost, Double(k.sqm))
        case .cost_per_lead: return .ratio(s.cost, Double(k.leads))
        case .sla_respond_rate: return s.respond
        case .sla_schedule_rate: return s.schedule
        case .influenced_sqm: return .count(s.influenced[Milestone.sqm.rawValue].influenced)
        case .influenced_opportunities: return .count(s.influenced[Milestone.opportunity.rawValue].influenced)
        case .influenced_won: return .count(s.influenced[Milestone.won.rawValue].influenced)
        case .influenced_pipeline_amount: return .money(s.influenced[Milestone.opportunity.rawValue].influencedAmount)
        case .influenced_won_amount: return .money(s.influenced[Milestone.won.rawValue].influencedAmount)
        }
    }

    /// Denominator of a rate metric, for `min_sample` (B32); nil for counts and money.
    public static func denominator(_ m: Metric, _ s: Snapshot) -> Int? {
        guard m.kind == .rate else { return nil }
        return Int(value(m, s).den)
    }

    /// A metric value as a cell in its own format (B24).
    public static func cell(_ m: Metric, _ v: MetricValue) -> Cell {
        guard let d = v.double else { return .empty }
        switch m.kind {
        case .count: return .int(Int(d))
        case .rate: return .fixed(d, 4)
        case .money: return .fixed(d, 2)
        }
    }
}
