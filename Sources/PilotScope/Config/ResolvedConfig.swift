/// The whole validated configuration.
public struct ResolvedConfig: Sendable {
    public var file: ConfigFile
    public var baseDirectory: String
    public var asOf: Int64?
    public var defaultZone: TimeZoneTable
    public var pilots: [Pilot]
    public var email: EmailNormalizer
    public var lastTouch: Bool
    public var influence: InfluenceSettings
    public var maxRejectRate: Double
}

/// SPEC 3.6 `influence:` after validation: lookback in whole days (real time, B41), half-life in
/// days (> 0).
public struct InfluenceSettings: Sendable, Equatable {
    public var lookbackDays: Int
    public var halfLifeDays: Double
    public init(lookbackDays: Int = 90, halfLifeDays: Double = 7) {
        self.lookbackDays = lookbackDays
        self.halfLifeDays = halfLifeDays
    }
    /// The lookback as milliseconds.
    public var lookbackMillis: Int64 { Int64(lookbackDays) * 86_400_000 }
}
