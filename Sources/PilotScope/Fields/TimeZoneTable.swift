import Foundation

/// UTC offsets of one IANA zone, built once from Foundation's `TimeZone` (never per row):
/// converts local wall-clock seconds to UTC (B3: a local time in a DST gap takes the offset in
/// force before the transition; an ambiguous one takes the earlier instant) and UTC to local.
public final class TimeZoneTable: @unchecked Sendable {
    public let identifier: String
    /// UTC instants (seconds) of each transition, ascending.
    private var transitionUTC: [Int64] = []
    /// Offset in force from the transition on.
    private var offsetAfter: [Int32] = []
    /// Local second from which the offset after applies: transition + max(before, after).
    private var localThreshold: [Int64] = []
    private var initialOffset: Int32 = 0

    public static let utc = TimeZoneTable(fixed: "UTC")

    private init(fixed id: String) { identifier = id }

    public init?(identifier: String) {
        if identifier == "UTC" || identifier == "Etc/UTC" || identifier == "Z" {
            self.identifier = "UTC"
            return
        }
        guard let tz = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        let start = Date(timeIntervalSince1970: -2_208_988_800)  // 1900-01-01
        let stop: TimeInterval = 4_102_444_800  // 2100-01-01
        initialOffset = Int32(tz.secondsFromGMT(for: start))
        var d = start
        var before = initialOffset
        while let next = tz.nextDaylightSavingTimeTransition(after: d), next.timeIntervalSince1970 < stop {
            let t = Int64(next.timeIntervalSince1970.rounded())
            let after = Int32(tz.secondsFromGMT(for: next))
            if after != before {
                transitionUTC.append(t)
                offsetAfter.append(after)
                localThreshold.append(t + Int64(max(before, after)))
                before = after
            }
            d = next
        }
    }

    /// Offset (seconds) in force at a UTC instant (seconds).
    @inline(__always) public func offset(atUTC t: Int64) -> Int64 {
        if transitionUTC.isEmpty { return Int64(initialOffset) }
        var lo = 0, hi = transitionUTC.count
        while lo < hi { let m = (lo + hi) >> 1; if transitionUTC[m] <= t { lo = m + 1 } else { hi = m } }
        return lo == 0 ? Int64(initialOffset) : Int64(offsetAfter[lo - 1])
    }

    /// UTC seconds of a local wall-clock time given as seconds since 1970-01-01 00:00 local.
    @inline(__always) public func utc(fromLocal l: Int64) -> Int64 {
        if localThreshold.isEmpty { return l - Int64(initialOffset) }
        var lo = 0, hi = localThreshold.count
        while lo < hi { let m = (lo + hi) >> 1; if localThreshold[m] <= l { lo = m + 1 } else { hi = m } }
        let off = lo == 0 ? Int64(initialOffset) : Int64(offsetAfter[lo - 1])
        return l - off
    }

    /// Local seconds since the epoch of a UTC instant.
    @inline(__always) public func local(fromUTC t: Int64) -> Int64 { t + offset(atUTC: t) }

    /// The next UTC instant > t at which the offset changes, if any (business-time walks).
    public func nextTransition(afterUTC t: Int64) -> Int64? {
        var lo = 0, hi = transitionUTC.count
        while lo < hi { let m = (lo + hi) >> 1; if transitionUTC[m] <= t { lo = m + 1 } else { hi = m } }
        return lo < transitionUTC.count ? transitionUTC[lo] : nil
    }
}

/// A cache of zone tables so each zone is built once per run.
public final class TimeZoneCache: @unchecked Sendable {
    private var tables: [String: TimeZoneTable] = [:]
    private let lock = NSLock()
    public static let shared = TimeZoneCache()

    public func table(_ id: String) -> TimeZoneTable? {
        lock.lock(); defer { lock.unlock() }
        if let t = tables[id] { return t }
        guard let t = TimeZoneTable(identifier: id) else { return nil }
        tables[id] = t
        return t
    }
}
