import Dispatch

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

/// A matched touch resolved to its contact (3.2): what `last_touch` attribution reads per touch.
public struct ResolvedTouch: Sendable {
    public var pilot: Int32
    public var flags: UInt8
    public var event: RowParsers.Event
    public var ts: Int64
    /// Contact index.
    public var contact: Int32
    /// Indices into `TouchResolution.evidence`, or -1.
    public var linkEvidence: Int32
    public var utmEvidence: Int32

    @inline(__always) public var isMeeting: Bool { event == .booking && flags & (MatchedTouch.link | MatchedTouch.meetingType) != 0 }
}

/// Merges the workers' folded touches and visitor maps (worker-local ids) into global ids: B16
/// stitching (each visitor's earliest emailed touch, ties to the smallest email), then contacts
/// by email; (pilot, visitor) folds whose visitor has an email join that email's.
public struct TouchResolution: Sendable {
    /// Per (pilot, identity) folds with global evidence indices and contacts.
    public var aggs: [TouchAgg] = []
    /// Per pilot: indices of its folds that belong to a contact.
    public var contactAggs: [[Int32]] = []
    public var totals: [PilotTouchTotals] = []
    /// Under `last_touch` only: every matched touch, resolved.
    public var touches: [ResolvedTouch] = []
    public var evidence: [String] = []
    public var matchedTouches = 0
    /// Distinct visitor ids and touch emails seen (B16 stitching state).
    public var visitorCount = 0, emailCount = 0
    /// Email-less touches whose visitor's stitched email is a contact key (B26).
    public var byVisitor = 0
    /// Touches whose own email is a contact key (B26).
    public var byEmail = 0

    /// Takes the workers' maps: the first worker's maps become the global ones (no third copy of
    /// two million visitors), the others are merged into them.
    public init(workers: inout [TouchProcessor], contactEmails: ByteMap<Int32>, context ctx: TouchContext) {
        var emails = ByteMap<Int32>(capacity: 16)
        var visitors = ByteMap<VisitorState>(capacity: 16)
        if !workers.isEmpty {
            swap(&emails, &workers[0].emails)
            swap(&visitors, &workers[0].visitors)
        }
        var emailMaps: [[Int32]] = [Array(0..<Int32(emails.count))]
        var visitorMaps: [[Int32]] = [Array(0..<Int32(visitors.count))]
        for w in workers.dropFirst() {
            var em = [Int32](repeating: -1, count: w.emails.count)
            for e in 0..<w.emails.count {
                let g = w.emails.withKey(e) { emails.findOrInsert($0) { 0 } }
                emails[entry: g] += w.emails[entry: e]
                em[e] = Int32(g)
            }
            emailMaps.append(em)
        }
        for i in workers.indices.dropFirst() { workers[i].emails = ByteMap(capacity: 16) }  // merged: free them
        // Emails are final: find their contacts on another core while the visitors merge here
        // (both only read the email map).
        let finalEmails = emails
        let lookup = ContactLookup()
        let lookupDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var contactOf = [Int32](repeating: -1, count: finalEmails.count)
            var byEmail = 0
            for e in 0..<finalEmails.count {
                if let c = finalEmails.withKey(e, { contactEmails.find($0) }) {
                    contactOf[e] = contactEmails[entry: c]
                    byEmail += Int(finalEmails[entry: e])
                }
            }
            lookup.contactOf = contactOf
            lookup.byEmail = byEmail
            lookupDone.signal()
        }
        for (wi, w) in workers.enumerated().dropFirst() {
            var vm = [Int32](repeating: -1, count: w.visitors.count)
            // Looked up in batches with prefetched slots and entries (a two-million-entry map).
            var batch = KeyBatch<VisitorState>()
            for base in stride(from: 0, to: w.visitors.count, by: mapLookupBatch) {
                let end = min(base + mapLookupBatch, w.visitors.count)
                for v in base..<end { _ = w.visitors.withKey(v) { batch.add($0, prefetchingIn: visitors) } }
                batch.resolve(in: &visitors) { VisitorState() }
                for (v, g32) in zip(base..<end, batch.ids) {
                    let g = Int(g32)
                    vm[v] = g32
                    let local = w.visitors[entry: v]
                    visitors[entry: g].emailless += local.emailless
                    if local.email >= 0 { visitors[entry: g].offer(local.ts, emailMaps[wi][Int(local.email)], emails) }
                }
                batch.removeAll()
            }
            visitorMaps.append(vm)
            workers[wi].visitors = ByteMap(capacity: 16)  // merged: free it before the next one
        }
        visitorCount = visitors.count
        emailCount = emails.count
        lookupDone.wait()
        let contactOf = lookup.contactOf
        byEmail = lookup.byEmail
        for v in 0..<visitors.count {
            let st = visitors[entry: v]
            if st.emailless > 0, st.email >= 0, contactOf[Int(st.email)] >= 0 { byVisitor += Int(st.emailless) }
        }
        // Evidence texts: configured links and meeting types per pilot, then the UTM triples.
        var linkBase: [Int32] = []
        for ev in ctx.evidence {
            linkBase.append(Int32(evidence.count))
            evidence += ev
        }
        var utmIndex: [String: Int32] = [:]
        let pilots = ctx.pilots.count
        totals = Array(repeating: PilotTouchTotals(), count: pilots)
        var index = U64Map(capacity: workers.reduce(0) { $0 + $1.folded.aggs.count })
        var meetingWeeks = U64Map(capacity: 1 << 10)
        var weekMeetings = Array(repeating: [Int](), count: pilots)
        for (wi, w) in workers.enumerated() {
            var utmMap = [Int32](repeating: -1, count: w.utmEvidence.count)
            for u in 0..<w.utmEvidence.count {
                let text = w.utmEvidence.keyString(u)
                if let i = utmIndex[text] { utmMap[u] = i } else {
                    utmIndex[text] = Int32(evidence.count)
                    utmMap[u] = Int32(evidence.count)
                    evidence.append(text)
                }
            }
            let f = w.folded
            for k in 0..<pilots { totals[k].add(f.totals[k]) }
            // A worker identity's global one: its email, else its visitor's stitched email, else the visitor.
            func identity(_ kind: UInt64, _ id: Int) -> (kind: UInt64, id: Int32) {
                if kind == 0 { return (0, emailMaps[wi][id]) }
                let gv = visitorMaps[wi][id]
                let e = visitors[entry: Int(gv)].email
                return e >= 0 ? (0, e) : (1, gv)
            }
            var aggMap = [Int32](repeating: -1, count: f.aggs.count)
            for (ai, a) in f.aggs.enumerated() {
                let k = a.key >> 40
                let g = identity((a.key >> 32) & 0xFF, Int(a.key & 0xFFFF_FFFF))
                let key = k << 40 | g.kind << 32 | UInt64(UInt32(bitPattern: g.id))
                let next = Int32(aggs.count)
                let (gi, inserted) = index.findOrInsert(key) { next }
                if inserted {
                    var n = TouchAgg(key: key)
                    n.contact = g.kind == 0 ? contactOf[Int(g.id)] : -1
                    aggs.append(n)
                }
                aggMap[ai] = gi
                let x = Int(gi)
                aggs[x].flags |= a.flags
                aggs[x].firstMeetingAfter = min(aggs[x].firstMeetingAfter, a.firstMeetingAfter)
                let textLess = { (i: Int32, j: Int32) in TouchAggregator.textLess(evidence[Int(i)], evidence[Int(j)]) }
                if a.firstMeeting != Int64.max {
                    aggs[x].offerMeeting(a.firstMeeting, linkBase[Int(k)] + a.meetingEvidence, textLess)
                }
                if a.firstUTM != Int64.max {
                    aggs[x].offerUTM(a.firstUTM, utmMap[Int(a.utmEvidence)], textLess)
                }
            }
            for mw in f.meetingWeeks {
                let gi = aggMap[Int(mw >> 24)], week = Int(mw & 0xFF_FFFF)
                if meetingWeeks.findOrInsert(UInt64(gi) << 24 | UInt64(week), { 0 }).inserted {
                    PilotTouchTotals.bump(&weekMeetings[aggs[Int(gi)].pilot], week)
                }
            }
            // Under last_touch: each matched touch of a contact (no other touch can attribute).
            for t in f.kept {
                let gv: Int32 = t.visitor >= 0 ? visitorMaps[wi][Int(t.visitor)] : -1
                let email: Int32 = t.email >= 0 ? emailMaps[wi][Int(t.email)] : gv >= 0 ? visitors[entry: Int(gv)].email : -1
                guard email >= 0, contactOf[Int(email)] >= 0 else { continue }
                touches.append(
                    ResolvedTouch(
                        pilot: t.pilot, flags: t.flags, event: t.event, ts: t.ts, contact: contactOf[Int(email)],
                        linkEvidence: t.linkEvidence >= 0 ? linkBase[Int(t.pilot)] + t.linkEvidence : -1,
                        utmEvidence: t.utmEvidence >= 0 ? utmMap[Int(t.utmEvidence)] : -1))
            }
        }
        // Distinct identities per pilot, scope and category; anonymous rows count one each.
        contactAggs = Array(repeating: [], count: pilots)
        for (i, a) in aggs.enumerated() {
            let k = a.pilot
            for s in 0..<3 {
                for (ci, c) in TouchCategory.all.enumerated() where a.has(c, TouchScope(rawValue: s)!) { totals[k].distinct[s][ci] += 1 }
            }
            if a.contact >= 0 { contactAggs[k].append(Int32(i)) }
        }
        for k in 0..<pilots {
            for s in 0..<3 { for c in 0..<4 { totals[k].distinct[s][c] += totals[k].anonymous[s][c] } }
            totals[k].weekMeetings = weekMeetings[k]
            PilotTouchTotals.add(&totals[k].weekMeetings, totals[k].weekAnonymousMeetings)
            matchedTouches += totals[k].touches[0]
        }
    }
}

/// What the contact lookup of `TouchResolution` hands back from its thread.
final class ContactLookup: @unchecked Sendable {
    var contactOf: [Int32] = []
    var byEmail = 0
}

public enum Attributor {
    struct Candidate {
        var pilot: Int
        var rule: AttributionRule
        var at: Int64
        var evidence: String
    }

    /// Attributes every contact created by `asOf` to at most one pilot.
    public static func attribute(
        contacts: [Contact], touches: TouchResolution, pilots: [Pilot], tags: TagTable, asOf: Int64, lastTouch: Bool
    ) -> [Attribution?] {
        // Candidate sources grouped by contact with a counting sort (no dictionary of arrays):
        // the folds per (pilot, contact) under first_touch, every touch under last_touch.
        let n = lastTouch ? touches.touches.count : touches.aggs.count
        @inline(__always) func contactOf(_ i: Int) -> Int32 { lastTouch ? touches.touches[i].contact : touches.aggs[i].contact }
        var start = [Int32](repeating: 0, count: contacts.count + 1)
        for i in 0..<n where contactOf(i) >= 0 { start[Int(contactOf(i)) + 1] += 1 }
        for i in 0..<contacts.count { start[i + 1] += start[i] }
        var byContactFlat = [Int32](repeating: 0, count: Int(start[contacts.count]))
        var fill = start
        for i in 0..<n where contactOf(i) >= 0 {
            byContactFlat[Int(fill[Int(contactOf(i))])] = Int32(i)
            fill[Int(contactOf(i))] += 1
        }
        var out = [Attribution?](repeating: nil, count: contacts.count)
        let starts = pilots.map(\.windowStart), ends = pilots.map(\.windowEnd)
        for (ci, c) in contacts.enumerated() where c.createdAt <= asOf {
            let sources = byContactFlat[Int(start[ci])..<Int(start[ci + 1])]
            guard c.tagIndex >= 0 || !sources.isEmpty else { continue }
            var cands: [Candidate] = []
            if c.tagIndex >= 0 {
                let t = Int(c.tagIndex)
                for p in tags.pilots[t] where c.createdAt >= starts[p] && c.createdAt < ends[p] {
                    cands.append(Candidate(pilot: p, rule: .tag, at: c.createdAt, evidence: tags.text[t][p]!))
                }
            }
            for si in sources {
                if lastTouch {
                    let t = touches.touches[Int(si)]
                    if t.isMeeting {
                        cands.append(Candidate(pilot: Int(t.pilot), rule: .link, at: t.ts, evidence: touches.evidence[Int(t.linkEvidence)]))
                    }
                    if t.flags & MatchedTouch.utm != 0 {
                        cands.append(Candidate(pilot: Int(t.pilot), rule: .utm, at: t.ts, evidence: touches.evidence[Int(t.utmEvidence)]))
                    }
                } else {
                    let a = touches.aggs[Int(si)]
                    if a.firstMeeting != Int64.max {
                        cands.append(Candidate(pilot: a.pilot, rule: .link, at: a.firstMeeting, evidence: touches.evidence[Int(a.meetingEvidence)]))
                    }
                    if a.firstUTM != Int64.max {
                        cands.append(Candidate(pilot: a.pilot, rule: .utm, at: a.firstUTM, evidence: touches.evidence[Int(a.utmEvidence)]))
                    }
                }
            }
            guard let best = choose(cands, sqmAt: c.stages[.sqm], lastTouch: lastTouch) else { continue }
            let others = Set(cands.map(\.pilot)).subtracting([best.pilot]).sorted()
            out[ci] = Attribution(pilot: best.pilot, rule: best.rule, evidence: best.evidence, at: best.at, contestedWith: others)
        }
        return out
    }

    /// The highest class with a candidate; in it the earliest event (first_touch) or the latest at or
    /// before `sqm_at`, else the latest (last_touch, B18); ties to the pilot listed first, then the
    /// smallest evidence by bytes (B30).
    static func choose(_ cands: [Candidate], sqmAt: Int64, lastTouch: Bool) -> Candidate? {
        guard let rule = cands.map(\.rule).min() else { return nil }
        var pool = cands.filter { $0.rule == rule }
        if lastTouch {
            let before = pool.filter { $0.at <= sqmAt }
            if !before.isEmpty { pool = before }
        }
        return pool.min { a, b in
            if a.at != b.at { return lastTouch ? a.at > b.at : a.at < b.at }
            if a.pilot != b.pilot { return a.pilot < b.pilot }
            return Array(a.evidence.utf8).lexicographicallyPrecedes(Array(b.evidence.utf8))
        }
    }
}
