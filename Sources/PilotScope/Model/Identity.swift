/// A (pilot, identity) pair packed in one word: the key of folded touches. The packing lives
/// here only: pilot in the top 24 bits, the identity's kind in the next 8, its id in the low 32.
@frozen public struct PilotIdentity: Hashable, Sendable {
    /// What an identity id counts: a normalized email, or a visitor id (B16, Appendix A).
    public enum Kind: UInt8, Sendable { case email = 0, visitor = 1 }

    /// The most pilots a configuration may have (validation refuses more, B37).
    public static let maxPilots = 1 << 24

    public let raw: UInt64

    @inline(__always) public init(raw: UInt64) { self.raw = raw }

    @inline(__always) public init(pilot: Int, kind: Kind, id: Int32) {
        raw = UInt64(pilot) << 40 | UInt64(kind.rawValue) << 32 | UInt64(UInt32(bitPattern: id))
    }

    @inline(__always) public var pilot: Int { Int(raw >> 40) }
    @inline(__always) public var kind: Kind { (raw >> 32) & 0xFF == 0 ? .email : .visitor }
    @inline(__always) public var id: Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: raw)) }

    /// The same pilot with another identity.
    @inline(__always) public func with(kind: Kind, id: Int32) -> PilotIdentity { PilotIdentity(pilot: pilot, kind: kind, id: id) }
}

/// A (fold, week) pair packed in one word: the distinct meeting identities of each week.
@frozen public struct FoldWeek: Hashable, Sendable {
    public let raw: UInt64
    @inline(__always) public init(raw: UInt64) { self.raw = raw }
    /// `week` counts from the pilot's first week; fewer than 2^24 weeks.
    @inline(__always) public init(fold: Int, week: Int) { raw = UInt64(fold) << 24 | UInt64(week & 0xFF_FFFF) }
    @inline(__always) public var fold: Int { Int(raw >> 24) }
    @inline(__always) public var week: Int { Int(raw & 0xFF_FFFF) }
}

/// Categories of distinct touch identities (funnel columns), one bit each in a fold's flags.
public enum TouchCategory: Int, CaseIterable, Sendable {
    case any, registration, attendance, meeting

    /// How many categories there are (a constant: no array is made to count them).
    public static let count = 4

    @inline(__always) public var bit: UInt16 { 1 << UInt16(rawValue) }
}

/// Which touches a metric reads: all of a pilot's, or those before / on or after its adjustment.
public enum TouchScope: Int, CaseIterable, Sendable {
    case all = 0, before = 1, after = 2

    public static let count = 3

    /// A category's bit in a fold's flags for this scope (4 bits a scope).
    @inline(__always) public func bit(_ c: TouchCategory) -> UInt16 { spread(c.bit) }

    /// Category bits (`TouchCategory.bit`) moved to this scope's place.
    @inline(__always) public func spread(_ categoryBits: UInt16) -> UInt16 { categoryBits << (4 * UInt16(rawValue)) }
}

/// Per scope and category counts (funnel columns over all touches, or either side of the
/// adjustment), as a fixed grid instead of nested arrays indexed by bare numbers.
public struct ScopeCounts: Sendable, Equatable {
    var cells = [Int](repeating: 0, count: TouchScope.count * TouchCategory.count)

    public init() {}

    @inline(__always) public subscript(_ s: TouchScope, _ c: TouchCategory) -> Int {
        get { cells[s.rawValue * TouchCategory.count + c.rawValue] }
        set { cells[s.rawValue * TouchCategory.count + c.rawValue] = newValue }
    }

    /// Counts one identity with the category bits of a fold's flags (`TouchScope.bit`): bit
    /// 4·scope + category is cell scope·4 + category, so the flags index the grid directly.
    @inline(__always) public mutating func add(flags: UInt16) {
        for i in 0..<cells.count where flags & (1 << UInt16(i)) != 0 { cells[i] += 1 }
    }

    public static func += (a: inout ScopeCounts, b: ScopeCounts) {
        for i in a.cells.indices { a.cells[i].addSaturating(b.cells[i]) }
    }
}

extension FixedWidthInteger {
    /// `self += x`, stopping at the type's bounds: counts merged from saved states (untrusted
    /// input) never trap; real counts are far from the bounds.
    @inline(__always) public mutating func addSaturating(_ x: Self) {
        let (sum, overflow) = addingReportingOverflow(x)
        self = overflow ? (x > 0 ? .max : .min) : sum
    }
}
