/// Matched touches folded per (pilot, identity) while they stream, so memory grows with the
/// identities a pilot reached, not with its touch rows. What the tables need of touches:
/// counts and distinct identities per category (all, registration, attendance, meeting) for the
/// whole window and each side of the adjustment date; per week, touches and distinct meeting
/// identities; per contact and pilot, the first meeting (SLA, link attribution) and the first UTM
/// touch (UTM attribution), with the smallest evidence text at that instant (B30).

/// An open-addressing map from 64-bit keys to entry indices (no hashing of `Hashable`, no
/// allocation per lookup).
public struct U64Map: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    public private(set) var count = 0

    public init(capacity: Int = 64) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = Array(repeating: 0, count: n)
        values = Array(repeating: -1, count: n)
        mask = n - 1
    }

    @inline(__always) private static func slot(_ k: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    /// The value stored for `key`, or `make()` stored first when absent. Key 0 is reserved
    /// internally: keys are stored plus one.
    @inline(__always) public mutating func findOrInsert(_ key: UInt64, _ make: () -> Int32) -> (value: Int32, inserted: Bool) {
        let k = key &+ 1
        var s = Self.slot(k, mask)
        while true {
            let x = keys[s]
            if x == k { return (values[s], false) }
            if x == 0 { break }
            s = (s + 1) & mask
        }
        let v = make()
        keys[s] = k
        values[s] = v
        count += 1
        if count * 2 > keys.count { grow() }
        return (v, true)
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let n = keys.count * 2
        keys = Array(repeating: 0, count: n)
        values = Array(repeating: -1, count: n)
        mask = n - 1
        for (i, k) in oldKeys.enumerated() where k != 0 {
            var s = Self.slot(k, mask)
            while keys[s] != 0 { s = (s + 1) & mask }
            keys[s] = k
            values[s] = oldValues[i]
        }
    }
}

/// Categories of distinct identities, one bit each, and the scopes they are counted in.
public enum TouchCategory {
    public static let any: UInt16 = 1, registration: UInt16 = 2, attendance: UInt16 = 4, meeting: UInt16 = 8
    public static let all = [any, registration, attendance, meeting]
}

/// Which touches a metric reads: all of a pilot's, or those before / on or after its adjustment.
public enum TouchScope: Int, Sendable {
    case all = 0, before = 1, after = 2
}

/// One (pilot, identity)'s touches, folded. Identity: an email id or a visitor id (worker-local
/// in a worker, global after resolution).
public struct TouchAgg: Sendable {
    /// `pilot << 40 | kind << 32 | id`, kind 0 = email, 1 = visitor.
    public var key: UInt64
    /// Category bits per scope: all in bits 0–3, before the adjustment 4–7, after it 8–11.
    public var flags: UInt16 = 0
    public var firstMeeting: Int64 = Int64.max
    /// First meeting on or after the adjustment instant (SLA over the later side).
    public var firstMeetingAfter: Int64 = Int64.max
    public var firstUTM: Int64 = Int64.max
    /// Evidence of the first meeting / UTM touch: pilot-local link index or worker UTM id in a
    /// worker, global evidence index after resolution.
    public var meetingEvidence: Int32 = -1
    public var utmEvidence: Int32 = -1
    /// Contact index (after resolution), or -1.
    public var contact: Int32 = -1

    public init(key: UInt64) { self.key = key }

    public var pilot: Int { Int(key >> 40) }

    @inline(__always) public func has(_ category: UInt16, _ scope: TouchScope) -> Bool {
        flags & (category << (4 * UInt16(scope.rawValue))) != 0
    }

    /// Takes `(ts, ev)` as the first meeting if earlier, or as early with a smaller evidence text
    /// (B30); `textLess` compares two evidence ids by their texts.
    @inline(__always) mutating func offerMeeting(_ ts: Int64, _ ev: Int32, _ textLess: (Int32, Int32) -> Bool) {
        if Self.earlier(ts, ev, than: firstMeeting, meetingEvidence, textLess) {
            firstMeeting = ts
            meetingEvidence = ev
        }
    }

    /// `offerMeeting` for the first UTM-matching touch.
    @inline(__always) mutating func offerUTM(_ ts: Int64, _ ev: Int32, _ textLess: (Int32, Int32) -> Bool) {
        if Self.earlier(ts, ev, than: firstUTM, utmEvidence, textLess) {
            firstUTM = ts
            utmEvidence = ev
        }
    }

    @inline(__always) static func earlier(_ ts: Int64, _ ev: Int32, than time: Int64, _ evidence: Int32, _ textLess: (Int32, Int32) -> Bool) -> Bool {
        ts < time || (ts == time && textLess(ev, evidence))
    }
}

/// A pilot's touch counts that need no identity: touches per scope and per week, and the
/// anonymous rows (each its own identity) per scope and category and their meetings per week.
public struct PilotTouchTotals: Sendable {
    public var touches = [0, 0, 0]
    /// [scope][category index] anonymous rows.
    public var anonymous = Array(repeating: [0, 0, 0, 0], count: 3)
    public var weekTouches: [Int] = []
    public var weekAnonymousMeetings: [Int] = []
    /// After resolution: [scope][category index] distinct identities (anonymous rows included)
    /// and distinct meeting identities per week.
    public var distinct = Array(repeating: [0, 0, 0, 0], count: 3)
    public var weekMeetings: [Int] = []

    mutating func add(_ o: PilotTouchTotals) {
        for s in 0..<3 {
            touches[s] += o.touches[s]
            for c in 0..<4 { anonymous[s][c] += o.anonymous[s][c] }
        }
        Self.add(&weekTouches, o.weekTouches)
        Self.add(&weekAnonymousMeetings, o.weekAnonymousMeetings)
    }

    static func add(_ a: inout [Int], _ b: [Int]) {
        if a.count < b.count { a += Array(repeating: 0, count: b.count - a.count) }
        for (i, x) in b.enumerated() { a[i] += x }
    }

    @inline(__always) static func bump(_ a: inout [Int], _ i: Int) {
        if a.count <= i { a += Array(repeating: 0, count: i + 1 - a.count) }
        a[i] += 1
    }
}

/// A worker's folded touches.
public struct TouchAggregator: Sendable {
    public var aggs: [TouchAgg] = []
    var index = U64Map(capacity: 1 << 12)
    /// (agg index << 24 | week) of identities with a meeting that week.
    public var meetingWeeks: [UInt64] = []
    var meetingWeekSet = U64Map(capacity: 1 << 10)
    public var totals: [PilotTouchTotals]
    /// Under `last_touch` only: every matched touch (attribution needs each time, B18).
    public var kept: [MatchedTouch] = []

    init(pilots: Int) { totals = Array(repeating: PilotTouchTotals(), count: pilots) }

    /// Folds one matched touch whose email and visitor ids are final for this worker.
    mutating func add(_ t: MatchedTouch, _ ctx: TouchContext, utmEvidence: ByteMap<UInt8>) {
        let k = Int(t.pilot)
        if ctx.lastTouch { kept.append(t) }
        var bits = TouchCategory.any
        if t.event == .registration { bits |= TouchCategory.registration }
        if t.event == .attendance { bits |= TouchCategory.attendance }
        if t.isMeeting { bits |= TouchCategory.meeting }
        let adjustment = ctx.adjustmentAt[k]
        let side: TouchScope = t.ts < adjustment ? .before : .after
        let week = ctx.weekIndex(k, t.ts)
        totals[k].touches[0] += 1
        totals[k].touches[side.rawValue] += 1
        PilotTouchTotals.bump(&totals[k].weekTouches, week)
        guard t.email >= 0 || t.visitor >= 0 else {
            for (ci, c) in TouchCategory.all.enumerated() where bits & c != 0 {
                totals[k].anonymous[0][ci] += 1
                totals[k].anonymous[side.rawValue][ci] += 1
            }
            if t.isMeeting { PilotTouchTotals.bump(&totals[k].weekAnonymousMeetings, week) }
            return
        }
        let key = UInt64(k) << 40 | (t.email >= 0 ? UInt64(t.email) : 1 << 32 | UInt64(t.visitor))
        let next = Int32(aggs.count)
        let (ai, inserted) = index.findOrInsert(key) { next }
        if inserted { aggs.append(TouchAgg(key: key)) }
        let a = Int(ai)
        aggs[a].flags |= bits | bits << (4 * UInt16(side.rawValue))
        if t.isMeeting {
            let texts = ctx.evidence[k]
            aggs[a].offerMeeting(t.ts, t.linkEvidence) { i, j in
                Self.textLess(texts[Int(i)], texts[Int(j)])
            }
            if side == .after && t.ts < aggs[a].firstMeetingAfter { aggs[a].firstMeetingAfter = t.ts }
            let mw = UInt64(a) << 24 | UInt64(week)
            if meetingWeekSet.findOrInsert(mw, { 0 }).inserted { meetingWeeks.append(mw) }
        }
        if t.flags & MatchedTouch.utm != 0 {
            aggs[a].offerUTM(t.ts, t.utmEvidence) { i, j in
                utmEvidence.withKey(Int(i)) { x in utmEvidence.withKey(Int(j)) { y in x.lexicographicallyPrecedes(y) } }
            }
        }
    }

    @inline(__always) static func textLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}
