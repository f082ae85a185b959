/// The whole validated configuration.
public struct ResolvedConfig: Sendable {
    public var file: ConfigFile
    public var baseDirectory: String
    public var asOf: Int64?
    public var defaultZone: TimeZoneTable
    public var pilots: [Pilot]
    public var email: EmailNormalizer
    public var lastTouch: Bool
    public var maxRejectRate: Double
}
