/// Attribution classes in priority order (SPEC 3.4).
public enum AttributionRule: Int, Sendable, Comparable {
    case tag = 0, link = 1, utm = 2
    public var name: String { ["tag", "link", "utm"][rawValue] }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Why a contact counts where it does.
public struct Attribution: Sendable {
    public var pilot: Int
    public var rule: AttributionRule
    public var evidence: String
    public var at: Int64
    /// Other candidate pilots, in config order (B17).
    public var contestedWith: [Int]
}
