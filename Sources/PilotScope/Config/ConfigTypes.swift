/// The `pilotscope.yaml` schema of SPEC 2.1, as Codable types. Key names are the YAML keys.

/// One value or a list of values (`files: a.csv` or `files: [a.csv, b.csv]`; an input section or a list).
public struct OneOrMany<T: Codable & Sendable>: Codable, Sendable {
    public var items: [T]
    public init(_ items: [T]) { self.items = items }

    public init(from decoder: Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var out: [T] = []
            while !list.isAtEnd { out.append(try list.decode(T.self)) }
            items = out
        } else {
            items = [try T(from: decoder)]
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        for i in items { try c.encode(i) }
    }
}

public struct InputSection: Codable, Sendable {
    public var files: OneOrMany<String>?
    public var preset: String?
    public var columns: [String: String]?
    public var timestamp_format: String?
    public var input_timezone: String?
    public var delimiter: String?
    /// stage_history only: stage name → canonical stage.
    public var stages: [String: String]?

    public init(files: [String], preset: String? = nil) {
        self.files = OneOrMany(files)
        self.preset = preset
    }
}

public struct InputsConfig: Codable, Sendable {
    public var crm: OneOrMany<InputSection>?
    public var touches: OneOrMany<InputSection>?
    public var stage_history: OneOrMany<InputSection>?
}

public struct DedupConfig: Codable, Sendable {
    public var strip_plus_tags: Bool?
    public var gmail_dots: Bool?
}

public struct AttributionConfig: Codable, Sendable {
    public var model: String?
}

/// SPEC 3.6: how far back a touchpoint counts toward a milestone, and time_decay's half-life.
public struct InfluenceConfig: Codable, Sendable {
    public var lookback_days: Int?
    public var half_life_days: Double?
}

public struct UTMMatch: Codable, Sendable {
    public var source: OneOrMany<String>?
    public var medium: OneOrMany<String>?
    public var campaign: OneOrMany<String>?
    public var term: OneOrMany<String>?
    public var content: OneOrMany<String>?

    /// Configured values per key, in `UTMKey` order (nil: key not constrained).
    public var byKey: [[String]?] { [source, medium, campaign, term, content].map { $0?.items } }
}

public struct MatchConfig: Codable, Sendable {
    public var source_tags: [String]?
    public var utm: UTMMatch?
    public var scheduling_links: [String]?
    public var meeting_types: [String]?
}

public struct ICPRuleConfig: Codable, Sendable {
    public var field: String
    public var min: Double?
    public var max: Double?
    public var `in`: [String]?
    public var not_in: [String]?
}

public struct CostsConfig: Codable, Sendable {
    public var fixed: Double?
    public var hours: Double?
    public var hourly_rate: Double?
    public var per_lead: Double?
    public var per_sqm: Double?
    public var per_won: Double?
    public var currency: String?
}

public struct ThresholdsConfig: Codable, Sendable {
    public var scale: [String]?
    public var stop: [String]?
}

public struct SLAConfig: Codable, Sendable {
    public var respond_business_hours: Double?
    public var schedule_business_days: Double?
}

public struct CapsConfig: Codable, Sendable {
    public var leads: Int?
}

public struct AdjustmentConfig: Codable, Sendable {
    public var date: String
    public var note: String?
}

public struct PilotConfig: Codable, Sendable {
    public var id: String?
    public var name: String?
    public var partner: String?
    public var motion: String?
    public var hypothesis: String?
    public var segment: String?
    public var use_case: String?
    public var offer: String?
    public var assets: [String]?
    public var owners: [String]?
    public var cadence: String?
    public var risks: [String]?
    public var start: String?
    public var end: String?
    public var timezone: String?
    public var grace_days: Int?
    public var match: MatchConfig?
    public var icp: [ICPRuleConfig]?
    public var costs: CostsConfig?
    public var primary_metric: String?
    public var thresholds: ThresholdsConfig?
    public var sla: SLAConfig?
    public var caps: CapsConfig?
    public var min_sample: Int?
    public var adjustment: OneOrMany<AdjustmentConfig>?
    public var holidays: [String]?
}

public struct ConfigFile: Codable, Sendable {
    public var as_of: String?
    public var timezone: String?
    public var inputs: InputsConfig?
    public var dedup: DedupConfig?
    public var attribution: AttributionConfig?
    public var influence: InfluenceConfig?
    public var grace_days: Int?
    public var max_reject_rate: Double?
    public var pilots: [PilotConfig]?
}
