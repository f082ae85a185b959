/// What the decision page states about a pilot beyond its table rows: each threshold's value now,
/// whether it held or is too small to judge, and the cost. Computed from the report data with the
/// same rules as the decision table (`DecisionTable.verdict`), so page and table never disagree.
struct PilotFacts {
    /// One threshold as judged now.
    struct Judged {
        var threshold: Threshold
        var value: MetricValue
        var held: Bool
        /// The rate's denominator when it is below `min_sample` (then the threshold did not hold).
        var lowSample: Int?
    }

    var scale: [Judged]
    var stop: [Judged]

    init(_ d: ReportData, _ p: Pilot) {
        let snap = d.snapshots[p.index]
        let verdict = DecisionTable.verdict(d, p, snap)
        func judge(_ th: Threshold, _ held: [Threshold]) -> Judged {
            let den = Evaluator.denominator(th.metric, snap)
            return Judged(
                threshold: th, value: Evaluator.value(th.metric, snap), held: held.contains(th),
                lowSample: verdict.lowSample.contains(th) ? den : nil)
        }
        scale = p.scale.map { judge($0, verdict.scaleHeld) }
        stop = p.stop.map { judge($0, verdict.stopHeld) }
    }
}

/// Plain-language renderings of metric values and thresholds for the page.
enum FactText {
    /// `icp_match 48 % < 60 % ✗`: the value, the relation it actually has to the threshold, and
    /// whether that is good for the pilot (a scale threshold holding, a stop threshold not holding).
    static func line(_ j: PilotFacts.Judged, stop: Bool, minSample: Int) -> String {
        let th = j.threshold, m = th.metric
        let target = number(m, th.value)
        guard let v = j.value.double else {
            // Undefined never holds: bad news for a scale threshold, none for a stop threshold.
            return "\(m.rawValue) undefined (\(undefinedReason(m))) — \(th.text) cannot hold \(stop ? "✓" : "✗")"
        }
        if let n = j.lowSample {
            return "\(m.rawValue) \(number(m, v)) — too few to judge: \(n) < min_sample \(minSample) (\(th.text)) ?"
        }
        let relation = j.held ? symbol(th.op) : symbol(negated(th.op))
        let good = stop ? !j.held : j.held
        // A value that rounds to the target's text gets the digits that tell them apart.
        var shown = number(m, v)
        if shown == target && v != th.value { shown = precise(m, v) }
        return "\(m.rawValue) \(shown) \(relation) \(target) \(good ? "✓" : "✗")"
    }

    static func undefinedReason(_ m: Metric) -> String {
        switch m {
        case .sla_respond_rate, .sla_schedule_rate: return "no contact decided yet"
        case .cost_per_sqm: return "no SQM yet"
        case .cost_per_lead: return "no lead yet"
        default: return "no denominator yet"
        }
    }

    /// A metric value in its own unit: rates as percentages, money with 2 decimals, counts whole.
    static func number(_ m: Metric, _ v: Double) -> String {
        switch m.kind {
        case .rate: return percent(v)
        case .money: return String(format: "%.2f", v)
        case .count: return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%g", v)
        }
    }

    /// `48 %`, `48.5 %`, `100 %` (a threshold can be any number: huge ones in exponent form).
    static func percent(_ v: Double) -> String {
        let x = v * 100
        guard x.isFinite, abs(x) < 1e12 else { return String(format: "%g %%", x) }
        return abs(x - x.rounded()) < 0.05 ? "\(Int(x.rounded())) %" : String(format: "%.1f %%", x)
    }

    /// More digits than `number`: `59.98 %`, `999.9990`.
    static func precise(_ m: Metric, _ v: Double) -> String {
        switch m.kind {
        case .rate: return String(format: "%.4g %%", v * 100)
        case .money, .count: return String(format: "%.4f", v)
        }
    }

    static func symbol(_ op: ComparisonOp) -> String {
        switch op {
        case .ge: return "≥"
        case .le: return "≤"
        case .gt: return ">"
        case .lt: return "<"
        case .eq: return "="
        }
    }

    static func negated(_ op: ComparisonOp) -> ComparisonOp? {
        switch op {
        case .ge: return .lt
        case .le: return .gt
        case .gt: return .le
        case .lt: return .ge
        case .eq: return nil
        }
    }

    static func symbol(_ op: ComparisonOp?) -> String { op.map { symbol($0) } ?? "≠" }
}
