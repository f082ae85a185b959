/// Partnership motions of SPEC 2.1.
public enum Motion: String, CaseIterable, Sendable {
    case co_marketing, co_selling, referral, integration, service_delivery
}

/// One ICP rule: `min`/`max` inclusive on a number, `in`, `not_in` on text (SPEC 3.5, B22).
public struct ICPRule: Sendable {
    public enum Kind: Sendable {
        case range(min: Double?, max: Double?)
        case oneOf([[UInt8]])
        case noneOf([[UInt8]])
    }
    public var field: String
    public var kind: Kind
    /// As written in `icp_rules.rule`: `employees 200..1000`, `industry in finance|insurance`.
    public var label: String
}

/// A pilot after validation: windows as UTC instants, match values normalized.
public struct Pilot: Sendable {
    public var index: Int
    public var id: String
    public var name: String
    public var partner: String
    public var motion: Motion
    public var hypothesis: String
    public var segment: String
    public var zone: TimeZoneTable
    public var startDay: Int64
    public var endDay: Int64
    public var graceDays: Int
    /// `[start 00:00, end+1 00:00)` in the pilot's zone, epoch milliseconds.
    public var windowStart: Int64
    public var windowEnd: Int64
    /// `end + grace_days + 1` 00:00 in the pilot's zone (before the `as_of` cut).
    public var countingEnd: Int64

    public var sourceTags: [String]
    public var sourceTagsNorm: [[UInt8]]
    /// Per `UTMKey`: nil when unconstrained, else the accepted normalized values.
    public var utm: [[[UInt8]]?]?
    public var links: [String]
    public var linksNorm: [[UInt8]]
    public var meetingTypes: [String]
    public var meetingTypesNorm: [[UInt8]]

    public var icp: [ICPRule]
    public var costs: Costs
    public var primaryMetric: Metric
    public var scale: [Threshold]
    public var stop: [Threshold]
    public var hasScaleList: Bool
    public var sla: SLATargets?
    public var leadsCap: Int?
    public var minSample: Int
    public var adjustmentDay: Int64?
    public var adjustmentAt: Int64?
    public var holidays: Set<Int64>

    @inline(__always) public func inWindow(_ t: Int64) -> Bool { t >= windowStart && t < windowEnd }

    /// Local midnight (UTC millis) of a day number in the pilot's zone.
    public func midnight(_ day: Int64) -> Int64 { zone.utc(fromLocal: day * 86_400) * 1000 }
}

/// A pilot's costs (3.5, B23): missing keys are 0, a missing currency is empty.
public struct Costs: Sendable {
    public var fixed = 0.0, hours = 0.0, hourlyRate = 0.0, perLead = 0.0, perSQM = 0.0, perWon = 0.0
    public var currency: String?
    public init() {}
}

/// A pilot's SLA targets (3.5, B21): business hours to respond, business days to schedule.
public struct SLATargets: Sendable {
    public var respondHours: Double?
    public var scheduleDays: Double?
    public init(respondHours: Double?, scheduleDays: Double?) {
        self.respondHours = respondHours
        self.scheduleDays = scheduleDays
    }
}
