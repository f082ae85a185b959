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
        var linkBases: [Int32] = []
        for ev in ctx.evidence {
            linkBases.append(Int32(evidence.count))
            evidence += ev
        }
        let linkBase = linkBases
        let utmBase = Int32(evidence.count)
        for u in 0..<state.utmEvidence.count { evidence.append(state.utmEvidence.keyString(u)) }
        totals = state.folds.totals
        // Each fold's identity after stitching, then three independent passes side by side: the
        // folds merged by it (serial: first-seen order), the touchpoints and kept touches grouped
        // by its contact, and the email-less touches credited to a contact.
        let keys = Self.resolvedKeys(state, threads: threads)
        let texts = evidence
        let merged = ResultSlots<(aggs: [TouchAgg], foldMap: [Int32])>(count: 1)
        let grouped = ResultSlots<(points: Points, kept: [ResolvedTouch])>(count: 1)
        let credited = ResultSlots<Int>(count: 1)
        concurrently(3, threads: threads) { task in
            switch task {
            case 0: merged.set(0, Self.mergedFolds(state, keys, contactOf, texts, linkBase: linkBase, utmBase: utmBase))
            case 1:
                let points = Self.points(state, keys, contactOf, ctx)
                grouped.set(0, (points, Self.kept(state, contactOf, linkBase: linkBase, utmBase: utmBase)))
            default: credited.set(0, Self.byVisitor(state, contactOf))
            }
        }
        let foldMap: [Int32]
        (aggs, foldMap) = merged.values[0]
        let (points, kept) = grouped.values[0]
        (pointStart, pointPilots, pointTimes) = (points.start, points.pilots, points.times)
        touches = kept
        byVisitor = credited.values[0]
        countMeetingWeeks(state, foldMap)
        countDistinct(pilots: ctx.pilotCount)
    }

    /// Touchpoints grouped by contact (`pointStart`, `pointPilots`, `pointTimes`).
    typealias Points = (start: [Int32], pilots: [Int32], times: [Int64])

    /// Each email's contact (or -1); counts the touches whose own email is a contact key.
    /// Ranges of emails are looked up concurrently, each into its own part of the result (the
    /// same result for any split; the counts add).
    private mutating func contacts(of state: TouchState, _ contactEmails: ContactEmails, threads: Int) -> [Int32] {
        let emails = state.emails
        guard emails.count > 0 else { return [] }
        var contactOf = [Int32](repeating: -1, count: emails.count)
        let ranges = evenRanges(emails.count, parts: 16)
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

    /// Each fold's resolved identity, ranges of folds concurrently.
    private static func resolvedKeys(_ state: TouchState, threads: Int) -> [PilotIdentity] {
        let aggs = state.folds.aggs
        var keys = [PilotIdentity](repeating: PilotIdentity(raw: 0), count: aggs.count)
        guard !aggs.isEmpty else { return keys }
        let ranges = evenRanges(aggs.count, parts: 16)
        keys.withUnsafeMutableBufferPointer { out in
            let box = PointerBox(out.baseAddress!)
            concurrently(ranges.count, threads: threads) { part in
                // This is safe: the ranges are disjoint, and each part writes only its own.
                for i in ranges[part] { box.pointer[i] = resolved(aggs[i].key, state) }
            }
        }
        return keys
    }

    /// The contact of a resolved identity, or -1.
    @inline(__always) private static func contact(_ key: PilotIdentity, _ contactOf: [Int32]) -> Int32 {
        key.kind == .email ? contactOf[Int(key.id)] : -1
    }

    /// Email-less touches whose visitor's stitched email is a contact key (B26 by_visitor).
    private static func byVisitor(_ state: TouchState, _ contactOf: [Int32]) -> Int {
        var n = 0
        for v in 0..<state.visitors.count {
            let st = state.visitors[entry: v]
            if st.emailless > 0, st.email >= 0, contactOf[Int(st.email)] >= 0 { n += Int(st.emailless) }
        }
        return n
    }

    /// The state's folds merged by resolved identity (`keys`), in first-seen order, evidence as
    /// indices into `texts`; and where each of the state's folds went.
    private static func mergedFolds(
        _ state: TouchState, _ keys: [PilotIdentity], _ contactOf: [Int32], _ texts: [String], linkBase: [Int32], utmBase: Int32
    ) -> (aggs: [TouchAgg], foldMap: [Int32]) {
        var aggs: [TouchAgg] = []
        var index = U64Map(capacity: state.folds.aggs.count)
        var foldMap = [Int32](repeating: -1, count: state.folds.aggs.count)
        let textLess = { (i: Int32, j: Int32) in TouchFolds.textLess(texts[Int(i)], texts[Int(j)]) }
        for (ai, a) in state.folds.aggs.enumerated() {
            let key = keys[ai]
            let next = Int32(aggs.count)
            let (gi, inserted) = index.findOrInsert(key.raw) { next }
            if inserted {
                var n = TouchAgg(key: key)
                n.contact = contact(key, contactOf)
                aggs.append(n)
            }
            foldMap[ai] = gi
            aggs[Int(gi)].absorb(
                a, meetingEvidence: a.meetingEvidence >= 0 ? linkBase[a.pilot] + a.meetingEvidence : -1,
                utmEvidence: a.utmEvidence >= 0 ? utmBase + a.utmEvidence : -1, textLess, utmTextLess: textLess)
        }
        return (aggs, foldMap)
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
    private static func kept(_ state: TouchState, _ contactOf: [Int32], linkBase: [Int32], utmBase: Int32) -> [ResolvedTouch] {
        var touches: [ResolvedTouch] = []
        for t in state.folds.kept {
            let email: Int32 = t.email.isKnown ? t.email.id : t.visitor >= 0 ? state.visitors[entry: Int(t.visitor)].email : -1
            guard email >= 0, contactOf[Int(email)] >= 0 else { continue }
            touches.append(
                ResolvedTouch(
                    pilot: t.pilot, flags: t.flags, event: t.event, ts: t.ts, contact: contactOf[Int(email)],
                    linkEvidence: t.linkEvidence >= 0 ? linkBase[Int(t.pilot)] + t.linkEvidence : -1,
                    utmEvidence: t.utmEvidence >= 0 ? utmBase + t.utmEvidence : -1))
        }
        return touches
    }

    /// Touchpoints of contacts, grouped by contact with a counting sort: a point's contact is its
    /// fold's resolved identity's (`keys`), so this does not wait for the folds' merge. Only
    /// times inside the pilot's counting window and at or before `as_of` (a saved state is
    /// untrusted input). Contacts run up to the last one any fold resolves to.
    private static func points(_ state: TouchState, _ keys: [PilotIdentity], _ contactOf: [Int32], _ ctx: TouchContext) -> Points {
        let folds = state.folds
        var contacts = 0
        for k in keys { contacts = max(contacts, Int(contact(k, contactOf)) + 1) }
        @inline(__always) func owner(_ i: Int) -> Int32 {
            let key = keys[Int(folds.pointFolds[i])]
            let k = key.pilot, t = folds.pointTimes[i]
            let inside = t >= ctx.windows[3 * k] && t < ctx.windows[3 * k + 2] && t <= ctx.asOf
            return inside ? contact(key, contactOf) : -1
        }
        var start = [Int32](repeating: 0, count: contacts + 1)
        for i in folds.pointFolds.indices {
            let c = owner(i)
            if c >= 0 { start[Int(c) + 1] += 1 }
        }
        for c in 0..<contacts { start[c + 1] += start[c] }
        let n = Int(start[contacts])
        var pilots = [Int32](repeating: 0, count: n)
        var times = [Int64](repeating: 0, count: n)
        var fill = start
        for i in folds.pointFolds.indices {
            let c = Int(owner(i))
            guard c >= 0 else { continue }
            let at = Int(fill[c])
            pilots[at] = Int32(keys[Int(folds.pointFolds[i])].pilot)
            times[at] = folds.pointTimes[i]
            fill[c] += 1
        }
        return (start, pilots, times)
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
