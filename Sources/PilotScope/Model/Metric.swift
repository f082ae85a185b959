/// Metrics a threshold may name (SPEC 3.5 Decision).
public enum Metric: String, CaseIterable, Sendable {
    case touches, unique_visitors, registrations, attendees, meetings_booked, leads, mql, sqm, opportunities, won, lost
    case pipeline_amount, won_amount
    case lead_to_mql, mql_to_sqm, sqm_to_opportunity, opportunity_to_won, sqm_rate
    case icp_match, cost_per_sqm, cost_per_lead, sla_respond_rate, sla_schedule_rate
    /// SPEC 3.6: contacts another pilot sourced (or none did) that this pilot's touchpoints preceded.
    case influenced_sqm, influenced_opportunities, influenced_won, influenced_pipeline_amount, influenced_won_amount

    public enum Kind: Sendable { case count, rate, money }

    public var kind: Kind {
        switch self {
        case .pipeline_amount, .won_amount, .cost_per_sqm, .cost_per_lead, .influenced_pipeline_amount, .influenced_won_amount: return .money
        case .lead_to_mql, .mql_to_sqm, .sqm_to_opportunity, .opportunity_to_won, .sqm_rate, .icp_match,
            .sla_respond_rate, .sla_schedule_rate:
            return .rate
        default: return .count
        }
    }

    /// Influence metrics (3.6): counts and amounts with no pace and no `min_sample` (B40).
    public var isInfluence: Bool {
        switch self {
        case .influenced_sqm, .influenced_opportunities, .influenced_won, .influenced_pipeline_amount, .influenced_won_amount: return true
        default: return false
        }
    }

    /// Touch-based metrics split at the adjustment by touch time, the rest by contact creation.
    public var isTouchMetric: Bool {
        switch self {
        case .touches, .unique_visitors, .registrations, .attendees, .meetings_booked: return true
        default: return false
        }
    }
}

/// A value as an exact fraction `num / den` (den > 0), or undefined (a rate over 0).
public struct MetricValue: Sendable, Equatable {
    public var num: Double
    public var den: Double
    public static let undefined = MetricValue(num: 0, den: 0)
    public var isDefined: Bool { den != 0 }
    public var double: Double? { den == 0 ? nil : num / den }
    public static func count(_ v: Int) -> MetricValue { MetricValue(num: Double(v), den: 1) }
    public static func money(_ v: Double) -> MetricValue { MetricValue(num: v, den: 1) }
    public static func ratio(_ a: Double, _ b: Double) -> MetricValue { MetricValue(num: a, den: b) }
}

public enum ComparisonOp: String, CaseIterable, Sendable {
    case ge = ">=", le = "<=", eq = "==", gt = ">", lt = "<"
}

/// One threshold as written (`icp_match >= 60%`), its value kept as an exact fraction.
public struct Threshold: Sendable, Equatable {
    public var text: String
    public var metric: Metric
    public var op: ComparisonOp
    /// value = numerator / denominator exactly (`60%` = 60/100, `0.6` = 6/10).
    public var numerator: Double
    public var denominator: Double
    /// The value as a number (a fraction for rates: `60%` is 0.6).
    public var value: Double { numerator / denominator }

    public enum ParseError: Error, Equatable { case unknownMetric(String), badOperator, badValue }

    public static func parse(_ text: String) throws -> Threshold {
        let u = Array(text.utf8)
        var i = 0
        while i < u.count, u[i] == 0x20 { i += 1 }
        let ms = i
        while i < u.count, (u[i] >= 0x61 && u[i] <= 0x7A) || u[i] == 0x5F || isDigit(u[i]) { i += 1 }
        let name = String(decoding: u[ms..<i], as: UTF8.self)
        guard let metric = Metric(rawValue: name) else { throw ParseError.unknownMetric(name) }
        while i < u.count, u[i] == 0x20 { i += 1 }
        var opText = ""
        while i < u.count, u[i] == 0x3C || u[i] == 0x3E || u[i] == 0x3D || u[i] == 0x21 {
            opText.append(Character(UnicodeScalar(u[i])))
            i += 1
        }
        guard let op = ComparisonOp(rawValue: opText) else { throw ParseError.badOperator }
        while i < u.count, u[i] == 0x20 { i += 1 }
        var rest = String(decoding: u[i...], as: UTF8.self).trimmingSpaces
        var den: Double = 1
        if rest.hasSuffix("%") {
            rest.removeLast()
            rest = rest.trimmingSpaces
            den = 100
        }
        var digits = Array(rest.utf8)
        var neg = false
        if let f = digits.first, f == 0x2D || f == 0x2B { neg = f == 0x2D; digits.removeFirst() }
        guard !digits.isEmpty else { throw ParseError.badValue }
        var num: Double = 0
        var seenDot = false
        var any = false
        for c in digits {
            if c == 0x2E, !seenDot { seenDot = true; continue }
            guard isDigit(c) else { throw ParseError.badValue }
            num = num * 10 + Double(c - 0x30)
            any = true
            if seenDot { den *= 10 }
        }
        guard any else { throw ParseError.badValue }
        return Threshold(text: text.trimmingSpaces, metric: metric, op: op, numerator: neg ? -num : num, denominator: den)
    }

    /// The values the metric can take: rates 0…1, counts and costs from 0 up; amounts are free.
    static func domain(_ m: Metric) -> (lo: Double, hi: Double)? {
        switch m.kind {
        case .rate: return (0, 1)
        case .count: return (0, .infinity)
        case .money: return m == .cost_per_sqm || m == .cost_per_lead ? (0, .infinity) : nil
        }
    }

    /// A threshold that can never hold, or always holds (when its metric is defined), because of
    /// the metric's range: `icp_match < 140%`, `sqm < -3`. Nil when it can go either way.
    public var rangeWarning: String? {
        guard let d = Self.domain(metric) else { return nil }
        let v = value
        let never: Bool, always: Bool
        switch op {
        case .ge: (never, always) = (v > d.hi, v <= d.lo)
        case .gt: (never, always) = (v >= d.hi, v < d.lo)
        case .le: (never, always) = (v < d.lo, v >= d.hi)
        case .lt: (never, always) = (v <= d.lo, v > d.hi)
        case .eq: (never, always) = (v < d.lo || v > d.hi || (metric.kind == .count && v != v.rounded()), false)
        }
        let what: String
        switch metric.kind {
        case .rate: what = "\(metric.rawValue) is a rate between 0% and 100%"
        case .count: what = "\(metric.rawValue) is a count, never below 0" + (op == .eq ? " and always whole" : "")
        case .money: what = "\(metric.rawValue) is never below 0"
        }
        if never { return "'\(text)' can never hold: \(what)" }
        if always { return "'\(text)' always holds (whenever \(metric.rawValue) is defined): \(what)" }
        return nil
    }

    /// Exact comparison of value (a/b) against num/den: a·den ⋚ num·b. Undefined never holds.
    public func holds(_ v: MetricValue) -> Bool {
        guard v.den != 0 else { return false }
        // Normalize the sign of the metric's denominator.
        let a = v.den < 0 ? -v.num : v.num
        let b = abs(v.den)
        let lhs = a * denominator
        let rhs = numerator * b
        switch op {
        case .ge: return lhs >= rhs
        case .le: return lhs <= rhs
        case .gt: return lhs > rhs
        case .lt: return lhs < rhs
        case .eq: return lhs == rhs
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
