/// Which match rules a pilot has, one bit each (per pilot, so any number of pilots works: B37).
public struct PilotRules: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let links = PilotRules(rawValue: 1)
    public static let meetingTypes = PilotRules(rawValue: 2)
    public static let utm = PilotRules(rawValue: 4)
    /// The UTM rules accept a touch whose UTM values are all empty (a list naming ""). Without
    /// it, a row with no query and no UTM column cannot match the pilot by UTM.
    public static let utmMatchesEmpty = PilotRules(rawValue: 8)
}

/// What the touch workers share, read-only: pilots as flat arrays and `as_of`. Contacts are not
/// needed here, so touch logs stream while the CRM records are still being merged.
public final class TouchContext: @unchecked Sendable {
    let pilots: [Pilot]
    let asOf: Int64
    let earliest: Int64
    let latest: Int64
    let links: [[[UInt8]]]
    let meetingTypes: [[[UInt8]]]
    /// Per pilot, per UTM key: accepted normalized values, or nil.
    let utm: [[[[UInt8]]?]?]
    /// Per pilot: the link evidence texts, links first, then meeting types.
    public let evidence: [[String]]
    /// Some pilot has scheduling links / meeting types / UTM rules.
    let anyLinks: Bool, anyMeetingTypes: Bool, anyUTM: Bool
    /// UTM keys (bit per key) that some pilot matches on: only those are normalized per row.
    let utmKeysWanted: UInt8
    /// Hosts of every pilot's normalized links: a URL on another host skips link normalization.
    let linkHosts: [[UInt8]]

    /// Attribution reads every matched touch (`last_touch`), not only the first per identity.
    let lastTouch: Bool
    /// Per pilot: the adjustment instant (`Int64.max` without one), the Monday of its first week
    /// (day number) and its zone, for the folding of touches (`TouchFolds`).
    let adjustmentAt: [Int64]
    let firstWeeks: [Int64]
    let zones: [TimeZoneTable]

    /// Per pilot `start`, the window's end and the counting window's end (touchpoints, B38),
    /// and its rules, as raw memory: the per-row loop reads them without retaining an array.
    let windows: UnsafeMutablePointer<Int64>
    let rules: UnsafeMutablePointer<PilotRules>
    let pilotCount: Int

    deinit {
        windows.deallocate()
        rules.deallocate()
    }

    public init(pilots: [Pilot], asOf: Int64, lastTouch: Bool = false) {
        self.pilots = pilots
        pilotCount = pilots.count
        // Raw memory, freed in deinit: the per-row loop reads it without retaining an array.
        windows = .allocate(capacity: max(1, 3 * pilots.count))
        rules = .allocate(capacity: max(1, pilots.count))
        for (k, p) in pilots.enumerated() {
            windows[3 * k] = p.windowStart
            windows[3 * k + 1] = p.windowEnd
            windows[3 * k + 2] = max(p.windowEnd, p.countingEnd)
            var r: PilotRules = []
            if !p.linksNorm.isEmpty { r.insert(.links) }
            if !p.meetingTypesNorm.isEmpty { r.insert(.meetingTypes) }
            if let wants = p.utm {
                r.insert(.utm)
                if wants.allSatisfy({ $0?.contains([]) ?? true }) { r.insert(.utmMatchesEmpty) }
            }
            (rules + k).initialize(to: r)
        }
        self.asOf = asOf
        self.lastTouch = lastTouch
        adjustmentAt = pilots.map { $0.adjustmentAt ?? Int64.max }
        firstWeeks = pilots.map { $0.startDay - Int64(Civil.weekday(days: $0.startDay)) }
        zones = pilots.map(\.zone)
        earliest = pilots.map(\.windowStart).min() ?? 0
        // Through the grace period: a matching touch there is a touchpoint (3.6, B38).
        latest = pilots.map { max($0.windowEnd, $0.countingEnd) }.max() ?? 0
        links = pilots.map(\.linksNorm)
        meetingTypes = pilots.map(\.meetingTypesNorm)
        utm = pilots.map(\.utm)
        evidence = pilots.map { $0.links + $0.meetingTypes }
        anyLinks = pilots.contains { !$0.linksNorm.isEmpty }
        anyMeetingTypes = pilots.contains { !$0.meetingTypesNorm.isEmpty }
        anyUTM = pilots.contains { $0.utm != nil }
        var keys: UInt8 = 0
        for p in pilots { for (k, want) in (p.utm ?? []).enumerated() where want != nil { keys |= 1 << UInt8(k) } }
        utmKeysWanted = keys
        linkHosts = Array(Set(pilots.flatMap { $0.linksNorm.map { l in Array(l.prefix { $0 != 0x2F }) } })).sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Pilot `k` has UTM rules and `norm` (a row's normalized UTM values, per key) satisfies
    /// every one of them. A method of its own, so the caller holds no array of the shared
    /// context across its own mutations (which would retain it: a contended atomic per row).
    @inline(__always) func utmMatches(_ k: Int, _ norm: UTMValues) -> Bool {
        guard let want = utm[k] else { return false }
        for key in 0..<UTMKey.count {
            if let values = want[key], !values.contains(where: { norm.value(key, equals: $0) }) { return false }
        }
        return true
    }

    /// Week of `t` counted from the pilot's first week (Mondays in its zone).
    @inline(__always) func weekIndex(_ k: Int, _ t: Int64) -> Int {
        let day = Civil.floorDiv(zones[k].local(fromUTC: Civil.floorDiv(t, 1000)), 86_400)
        return max(0, Int((day - Int64(Civil.weekday(days: day)) - firstWeeks[k]) / 7))
    }
}
