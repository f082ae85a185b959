/// Marks an absent timestamp (epoch milliseconds are `Int64`; no real time is `Int64.max`).
public let absentTime = Int64.max

/// Funnel stages in order; `lost` stands apart.
public enum Stage: String, CaseIterable, Sendable {
    case mql, sqm, opportunity, won, lost

    /// The cumulative funnel, in order (3.5): a contact counts at a stage if it reached it or a later one.
    public static let funnel: [Stage] = [.mql, .sqm, .opportunity, .won]

    /// Position in funnel order (mql 0 … won 3; lost 4).
    public var index: Int {
        switch self {
        case .mql: return 0
        case .sqm: return 1
        case .opportunity: return 2
        case .won: return 3
        case .lost: return 4
        }
    }

    /// The funnel stages from this one on (`.sqm` → sqm, opportunity, won); `lost` alone.
    public var atOrAfter: ArraySlice<Stage> { self == .lost ? [.lost] : Stage.funnel[index...] }
}

/// Stage timestamps in funnel order (`absentTime` when none).
public struct StageTimes: Sendable, Equatable {
    // Five stored values, not an array: no heap allocation per contact.
    public var mql = absentTime, sqm = absentTime, opportunity = absentTime, won = absentTime, lost = absentTime

    public init() {}

    @inline(__always) public subscript(_ s: Stage) -> Int64 {
        get {
            switch s {
            case .mql: return mql
            case .sqm: return sqm
            case .opportunity: return opportunity
            case .won: return won
            case .lost: return lost
            }
        }
        set {
            switch s {
            case .mql: mql = newValue
            case .sqm: sqm = newValue
            case .opportunity: opportunity = newValue
            case .won: won = newValue
            case .lost: lost = newValue
            }
        }
    }

    /// Each stage the earlier of the two (the earliest non-empty wins: absent is `Int64.max`).
    @inline(__always) public mutating func takeEarlier(_ o: StageTimes) {
        mql = min(mql, o.mql)
        sqm = min(sqm, o.sqm)
        opportunity = min(opportunity, o.opportunity)
        won = min(won, o.won)
        lost = min(lost, o.lost)
    }
}
