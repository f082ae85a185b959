import Dispatch

/// A matched touch resolved to its contact (3.2): what `last_touch` attribution reads per touch.
public struct ResolvedTouch: Sendable {
    public var pilot: Int32
    public var flags: UInt8
    public var event: TouchEvent
    public var ts: Int64
    /// Contact index.
    public var contact: Int32
    /// Indices into `ResolvedTouches.evidence`, or -1.
    public var linkEvidence: Int32
    public var utmEvidence: Int32

    @inline(__always) public var isMeeting: Bool { event == .booking && flags & (MatchedTouch.link | MatchedTouch.meetingType) != 0 }
}

/// The touch state resolved against the contacts (3.2, B16): each visitor takes its stitched
/// email, each email its contact; (pilot, visitor) folds whose visitor has an email join that
/// email's. Then the distinct counts per pilot, scope and category.
public struct ResolvedTouches: Sendable {
    /// Per (pilot, identity) folds with global evidence indices and contacts.
    public var aggs: [TouchAgg] = []
    /// Per pilot: indices of its folds that belong to a contact.
    public var contactAggs: [[Int32]] = []
    public var totals: [PilotTouchTotals] = []
    /// Under `last_touch` only: every matched touch of a contact, resolved.
    public var touches: [ResolvedTouch] = []
    /// Evidence texts: every pilot's configured links and meeting types, then the UTM triples.
    public var evidence: [String] = []
    public var matchedTouches = 0
    /// Distinct visitor ids and touch emails seen (B16 stitching state).
    public var visitorCount = 0, emailCount = 0
    /// Email-less touches whose visitor's stitched email is a contact key (B26).
    public var byVisitor = 0
    /// Touches whose own email is a contact key (B26).
    public var byEmail = 0
    /// Kept touch rows (B26).
    public var touchRows = 0
    /// Touchpoints of touches (3.6) grouped by contact, in no order within a contact: contact
    /// c's are `pointPilots[i], pointTimes[i]` for i in `pointStart[c]..<pointStart[c + 1]`
    /// (contacts past the end have none).
    public var pointStart: [Int32] = [0]
    public var pointPilots: [Int32] = []
    public var pointTimes: [Int64] = []

    public init(_ state: TouchState, contactEmails: ContactEmails, context ctx: TouchContext, threads: Int = allCores) {
        visitorCount = state.visitors.count
        emailCount = state.emails.count
        touchRows = state.touches
        let contactOf = contacts(of: state, contactEmails, threads: threads)
        for v in 0..<state.visitors.count {
            let st = state.visitors[entry: v]
            if st.emailless > 0, st.email >= 0, contactOf[Int(st.email)] >= 0 { byVisitor += Int(st.emailless) }
        }
        var linkBase: [Int32] = []
        for ev in ctx.evidence {
            linkBase.append(Int32(evidence.count))
            evidence += ev
        }
        let utmBase = Int32(evidence.count)
        for u in 0..<state.utmEvidence.count { evidence.append(state.utmEvidence.keyString(u)) }
        totals = state.folds.totals
        let foldMap = resolveFolds(state, contactOf, linkBase: linkBase, utmBase: utmBase)
        countMeetingWeeks(state, foldMap)
        resolveKept(state, contactOf, linkBase: linkBase, utmBase: utmBase)
        resolvePoints(state, foldMap, ctx)
        countDistinct(pilots: ctx.pilotCount)
    }

    /// Each email's contact (or -1); counts the touches whose own email is a contact key.
    /// Ranges of emails are looked up concurrently, each into its own part of the result (the
    /// same result for any split; the counts add).
    private mutating func contacts(of state: TouchState, _ contactEmails: ContactEmails, threads: Int) -> [Int32] {
        let emails = state.emails
        guard emails.count > 0 else { return [] }
        var contactOf = [Int32](repeating: -1, count: emails.count)
        let ranges = Attributor.ranges(emails.count, parts: 16)
        var counts = [Int](repeating: 0, count: ranges.count)
        contactOf.withUnsafeMutableBufferPointer { out in
            counts.withUnsafeMutableBufferPointer { sums in
                let (outBox, sumBox) = (PointerBox(out.baseAddress!), PointerBox(sums.baseAddress!))
                concurrently(ranges.count, threads: threads) { part in
                    // This is safe: the ranges are disjoint, and each part writes only its own sum.
                    let out = UnsafeMutableBufferPointer(start: outBox.pointer, count: emails.count)
                    sumBox.pointer[part] = contactEmails.contacts(ranges[part], of: emails, into: out)
                }
            }
        }
        byEmail = counts.reduce(0, +)
        return contactOf
    }

    /// A raw identity's resolved one: an email stays, a visitor takes its stitched email if any.
    @inline(__always) private static func resolved(_ k: PilotIdentity, _ state: TouchState) -> PilotIdentity {
        guard k.kind == .visitor else { return k }
        let e = state.visitors[entry: Int(k.id)].email
        return e >= 0 ? k.with(kind: .email, id: e) : k
    }

    /// The state's folds merged by resolved identity, evidence as indices into `evidence`.
    private mutating func resolveFolds(_ state: TouchState, _ contactOf: [Int32], linkBase: [Int32], utmBase: Int32) -> [Int32] {
        var index = U64Map(capacity: state.folds.aggs.count)
        var foldMap = [Int32](repeating: -1, count: state.folds.aggs.count)
        let texts = evidence
        let textLess = { (i: Int32, j: Int32) in TouchFolds.textLess(texts[Int(i)], texts[Int(j)]) }
        for (ai, a) in state.folds.aggs.enumerated() {
            let key = Self.resolved(a.key, state)
            let next = Int32(aggs.count)
            let (gi, inserted) = index.findOrInsert(key.raw) { next }
            if inserted {
                var n = TouchAgg(key: key)
                n.contact = key.kind == .email ? contactOf[Int(key.id)] : -1
                aggs.append(n)
            }
            foldMap[ai] = gi
            aggs[Int(gi)].absorb(
                a, meetingEvidence: a.meetingEvidence >= 0 ? linkBase[a.pilot] + a.meetingEvidence : -1,
                utmEvidence: a.utmEvidence >= 0 ? utmBase + a.utmEvidence : -1, textLess, utmTextLess: textLess)
        }
        return foldMap
    }

    /// Distinct meeting identities per pilot and week.
    private mutating func countMeetingWeeks(_ state: TouchState, _ foldMap: [Int32]) {
        var seen = U64Map(capacity: max(16, state.folds.meetingWeeks.count))
        var weekMeetings = Array(repeating: [Int](), count: totals.count)
        for fw in state.folds.meetingWeeks {
            let g = Int(foldMap[fw.fold])
            if seen.findOrInsert(FoldWeek(fold: g, week: fw.week).raw, { 0 }).inserted {
                PilotTouchTotals.bump(&weekMeetings[aggs[g].pilot], fw.week)
            }
        }
        for k in totals.indices { totals[k].weekMeetings = weekMeetings[k] }
    }

    /// Under last_touch: each matched touch of a contact (no other touch can attribute).
    private mutating func resolveKept(_ state: TouchState, _ contactOf: [Int32], linkBase: [Int32], utmBase: Int32) {
        for t in state.folds.kept {
            let email: Int32 = t.email.isKnown ? t.email.id : t.visitor >= 0 ? state.visitors[entry: Int(t.visitor)].email : -1
            guard email >= 0, contactOf[Int(email)] >= 0 else { continue }
            touches.append(
                ResolvedTouch(
                    pilot: t.pilot, flags: t.flags, event: t.event, ts: t.ts, contact: contactOf[Int(email)],
                    linkEvidence: t.linkEvidence >= 0 ? linkBase[Int(t.pilot)] + t.linkEvidence : -1,
                    utmEvidence: t.utmEvidence >= 0 ? utmBase + t.utmEvidence : -1))
        }
    }

    /// Touchpoints of contacts, grouped by contact with a counting sort. Only times inside the
    /// pilot's counting window and at or before `as_of` (a saved state is untrusted input).
    private mutating func resolvePoints(_ state: TouchState, _ foldMap: [Int32], _ ctx: TouchContext) {
        let folds = state.folds
        var contacts = 0
        for a in aggs where a.contact >= 0 { contacts = max(contacts, Int(a.contact) + 1) }
        @inline(__always) func owner(_ i: Int) -> Int32 {
            let a = aggs[Int(foldMap[Int(folds.pointFolds[i])])]
            let k = a.pilot, t = folds.pointTimes[i]
            let inside = t >= ctx.windows[3 * k] && t < ctx.windows[3 * k + 2] && t <= ctx.asOf
            return inside ? a.contact : -1
        }
        var start = [Int32](repeating: 0, count: contacts + 1)
        for i in folds.pointFolds.indices {
            let c = owner(i)
            if c >= 0 { start[Int(c) + 1] += 1 }
        }
        for c in 0..<contacts { start[c + 1] += start[c] }
        let n = Int(start[contacts])
        pointPilots = [Int32](repeating: 0, count: n)
        pointTimes = [Int64](repeating: 0, count: n)
        var fill = start
        for i in folds.pointFolds.indices {
            let c = Int(owner(i))
            guard c >= 0 else { continue }
            let at = Int(fill[c])
            pointPilots[at] = Int32(aggs[Int(foldMap[Int(folds.pointFolds[i])])].pilot)
            pointTimes[at] = folds.pointTimes[i]
            fill[c] += 1
        }
        pointStart = start
    }

    /// Distinct identities per pilot, scope and category; anonymous rows count one each.
    private mutating func countDistinct(pilots: Int) {
        contactAggs = Array(repeating: [], count: pilots)
        for (i, a) in aggs.enumerated() {
            let k = a.pilot
            totals[k].distinct.add(flags: a.flags)
            if a.contact >= 0 { contactAggs[k].append(Int32(i)) }
        }
        for k in 0..<pilots {
            totals[k].distinct += totals[k].anonymous
            PilotTouchTotals.add(&totals[k].weekMeetings, totals[k].weekAnonymousMeetings)
            matchedTouches += totals[k].touches(.all)
        }
    }
}
