/// Matched touches folded per (pilot, identity) while they stream, so memory grows with the
/// identities a pilot reached, not with its touch rows. What the tables need of touches:
/// counts and distinct identities per category for the whole window and each side of the
/// adjustment date; per week, touches and distinct meeting identities; per contact and pilot, the
/// first meeting (SLA, link attribution) and the first UTM touch (UTM attribution), with the
/// smallest evidence text at that instant (B30).

/// One (pilot, identity)'s touches, folded. Identity ids are a worker's or a state's (raw: an
/// email or a visitor), or after resolution the resolved identity's.
public struct TouchAgg: Sendable {
    public var key: PilotIdentity
    /// Category bits per scope (`TouchScope.bit`).
    public var flags: UInt16 = 0
    public var firstMeeting: Int64 = Int64.max
    /// First meeting on or after the adjustment instant (SLA over the later side).
    public var firstMeetingAfter: Int64 = Int64.max
    public var firstUTM: Int64 = Int64.max
    /// Evidence of the first meeting / UTM touch: the pilot's link or meeting-type index and a
    /// UTM text id of the state; after resolution, indices into `ResolvedTouches.evidence`.
    public var meetingEvidence: Int32 = -1
    public var utmEvidence: Int32 = -1
    /// Contact index (after resolution), or -1.
    public var contact: Int32 = -1

    public init(key: PilotIdentity) { self.key = key }

    public var pilot: Int { key.pilot }

    @inline(__always) public func has(_ category: TouchCategory, _ scope: TouchScope) -> Bool {
        flags & scope.bit(category) != 0
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

    /// Folds another fold of the same (pilot, identity) in; its evidence ids already mapped.
    @inline(__always) mutating func absorb(
        _ a: TouchAgg, meetingEvidence: Int32, utmEvidence: Int32, _ textLess: (Int32, Int32) -> Bool, utmTextLess: (Int32, Int32) -> Bool
    ) {
        flags |= a.flags
        firstMeetingAfter = min(firstMeetingAfter, a.firstMeetingAfter)
        if a.firstMeeting != Int64.max { offerMeeting(a.firstMeeting, meetingEvidence, textLess) }
        if a.firstUTM != Int64.max { offerUTM(a.firstUTM, utmEvidence, utmTextLess) }
    }
}

/// A pilot's touch counts that need no identity: touches per scope and per week, and the
/// anonymous rows (each its own identity) per scope and category and their meetings per week.
public struct PilotTouchTotals: Sendable {
    /// Touches per scope (indexed by `TouchScope.rawValue`).
    public var touches = [0, 0, 0]
    public var anonymous = ScopeCounts()
    public var weekTouches: [Int] = []
    public var weekAnonymousMeetings: [Int] = []
    /// After resolution: distinct identities (anonymous rows included) and distinct meeting
    /// identities per week.
    public var distinct = ScopeCounts()
    public var weekMeetings: [Int] = []

    @inline(__always) public func touches(_ s: TouchScope) -> Int { touches[s.rawValue] }

    mutating func add(_ o: PilotTouchTotals) {
        for s in TouchScope.allCases { touches[s.rawValue].addSaturating(o.touches[s.rawValue]) }
        anonymous += o.anonymous
        Self.add(&weekTouches, o.weekTouches)
        Self.add(&weekAnonymousMeetings, o.weekAnonymousMeetings)
    }

    static func add(_ a: inout [Int], _ b: [Int]) {
        if a.count < b.count { a += Array(repeating: 0, count: b.count - a.count) }
        for (i, x) in b.enumerated() { a[i].addSaturating(x) }
    }

    @inline(__always) static func bump(_ a: inout [Int], _ i: Int) {
        if a.count <= i { a += Array(repeating: 0, count: i + 1 - a.count) }
        a[i] += 1
    }
}

/// A touch that matches one pilot (SPEC 3.3), as a worker holds it until it is folded (and keeps
/// it only under `last_touch`): ids into the worker's or state's own intern tables, no strings.
public struct MatchedTouch: Sendable {
    public static let utm: UInt8 = 1, link: UInt8 = 2, meetingType: UInt8 = 4
    /// Matched in the grace period after the window: a touchpoint (3.6, B38), not a touch.
    public static let touchpointOnly: UInt8 = 8
    public var pilot: Int32
    public var flags: UInt8
    public var event: TouchEvent
    public var ts: Int64
    /// Email id of the touch's own email, or -1 (a pending id while its batch is open).
    public var email: EmailRef
    /// Visitor entry, or -1.
    public var visitor: Int32
    /// Index of the configured link or meeting type that matched (into the pilot's evidence), or -1.
    public var linkEvidence: Int32
    /// Id of `source/medium/campaign` (trimmed, case kept), or -1.
    public var utmEvidence: Int32

    /// A booking matching a scheduling link or meeting type: a meeting booked (3.3).
    @inline(__always) public var isMeeting: Bool {
        event == .booking && flags & (Self.link | Self.meetingType) != 0 && flags & Self.touchpointOnly == 0
    }
}

/// Folded touches: the folds by (pilot, identity), their meeting weeks, per-pilot totals, and
/// under `last_touch` every matched touch.
public struct TouchFolds: Sendable {
    public var aggs: [TouchAgg] = []
    var index = U64Map(capacity: 1 << 12)
    /// (fold, week) of identities with a meeting that week.
    public var meetingWeeks: [FoldWeek] = []
    var meetingWeekSet = U64Map(capacity: 1 << 10)
    public var totals: [PilotTouchTotals]
    /// Under `last_touch` only: every matched touch (attribution needs each time, B18).
    public var kept: [MatchedTouch] = []
    /// Touchpoints (3.6): every matched touch of an identity, window and grace period, as its
    /// fold and its time (12 bytes a touch; 8 once resolved, `ResolvedTouches.pointTimes`).
    public var pointFolds: [Int32] = []
    public var pointTimes: [Int64] = []

    init(pilots: Int) { totals = Array(repeating: PilotTouchTotals(), count: pilots) }

    /// The fold of `key`, made when absent.
    @inline(__always) mutating func fold(_ key: PilotIdentity) -> Int {
        let next = Int32(aggs.count)
        let (ai, inserted) = index.findOrInsert(key.raw) { next }
        if inserted { aggs.append(TouchAgg(key: key)) }
        return Int(ai)
    }

    /// Records that fold `a` had a meeting in `week`; true when it is new.
    @inline(__always) mutating func addMeetingWeek(_ fw: FoldWeek) -> Bool {
        let inserted = meetingWeekSet.findOrInsert(fw.raw) { 0 }.inserted
        if inserted { meetingWeeks.append(fw) }
        return inserted
    }

    /// Folds one matched touch whose email and visitor ids are final.
    mutating func add(_ t: MatchedTouch, _ ctx: TouchContext, utmEvidence: ByteMap<UInt8>) {
        let k = Int(t.pilot)
        if t.flags & MatchedTouch.touchpointOnly != 0 {
            if t.email.isKnown || t.visitor >= 0 { addPoint(fold(key(t, k)), t.ts) }
            return
        }
        if ctx.lastTouch { kept.append(t) }
        var bits = TouchCategory.any.bit
        if t.event == .registration { bits |= TouchCategory.registration.bit }
        if t.event == .attendance { bits |= TouchCategory.attendance.bit }
        if t.isMeeting { bits |= TouchCategory.meeting.bit }
        let side: TouchScope = t.ts < ctx.adjustmentAt[k] ? .before : .after
        let week = ctx.weekIndex(k, t.ts)
        totals[k].touches[TouchScope.all.rawValue] += 1
        totals[k].touches[side.rawValue] += 1
        PilotTouchTotals.bump(&totals[k].weekTouches, week)
        guard t.email.isKnown || t.visitor >= 0 else {
            for c in TouchCategory.allCases where bits & c.bit != 0 {  // anonymous rows only
                totals[k].anonymous[.all, c] += 1
                totals[k].anonymous[side, c] += 1
            }
            if t.isMeeting { PilotTouchTotals.bump(&totals[k].weekAnonymousMeetings, week) }
            return
        }
        let a = fold(key(t, k))
        addPoint(a, t.ts)
        aggs[a].flags |= TouchScope.all.spread(bits) | side.spread(bits)
        if t.isMeeting {
            let texts = ctx.evidence[k]
            aggs[a].offerMeeting(t.ts, t.linkEvidence) { i, j in
                Self.textLess(texts[Int(i)], texts[Int(j)])
            }
            if side == .after && t.ts < aggs[a].firstMeetingAfter { aggs[a].firstMeetingAfter = t.ts }
            _ = addMeetingWeek(FoldWeek(fold: a, week: week))
        }
        if t.flags & MatchedTouch.utm != 0 {
            aggs[a].offerUTM(t.ts, t.utmEvidence) { i, j in
                utmEvidence.withKey(Int(i)) { x in utmEvidence.withKey(Int(j)) { y in x.lexicographicallyPrecedes(y) } }
            }
        }
    }

    /// The fold key of a touch with an email or a visitor.
    @inline(__always) func key(_ t: MatchedTouch, _ k: Int) -> PilotIdentity {
        t.email.isKnown ? PilotIdentity(pilot: k, kind: .email, id: t.email.id) : PilotIdentity(pilot: k, kind: .visitor, id: t.visitor)
    }

    @inline(__always) mutating func addPoint(_ fold: Int, _ ts: Int64) {
        pointFolds.append(Int32(fold))
        pointTimes.append(ts)
    }

    @inline(__always) static func textLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}
