/// The whole product of the touch stage, with nothing borrowed from the CRM side: everything the
/// report needs from touch files, keyed by raw identity (an email or a visitor id) and resolved
/// to contacts only at report time, because stitching is global across files (SPEC §7). A
/// worker accumulates one; the workers' states, and the states of several runs, merge into one
/// with `absorb` (associative and commutative in what the tables read).
public struct TouchState: Sendable {
    /// Every visitor id seen, with its earliest emailed touch (an id in `emails`, B16) and its
    /// email-less touch count.
    public var visitors = ByteMap<VisitorState>(capacity: 1 << 14)
    /// Every email seen on a touch, with how many touches carry it as their own (B26 by_email).
    public var emails = ByteMap<Int32>(capacity: 1 << 12)
    /// UTM evidence texts (`source/medium/campaign`) the folds and kept touches name by id.
    public var utmEvidence = ByteMap<UInt8>(capacity: 64)
    /// Matched touches folded per (pilot, raw identity), with per-pilot totals.
    public var folds: TouchFolds
    /// Matched touches after `asOf`, kept raw (normally none: future-dated rows): a report at a
    /// later `as_of` folds those up to its own (SPEC §7). Email and visitor ids are final.
    public var future: [MatchedTouch] = []
    /// Kept touch rows (B26 `touches`).
    public var touches = 0
    /// The moment the folds were made at: they hold every matched touch up to it, `future` the
    /// rest. After a merge, the latest of the parts' (their `future` may then hold touches
    /// before it: they are folded by the report).
    public var asOf = Int64.min
    /// The touch files this state stands for, each with its account; in the order the run named
    /// them when read, in the order of the merge after one.
    public var files: [CoveredFile] = []

    public init(pilots: Int) { folds = TouchFolds(pilots: pilots) }

    /// The accounts of the files covered (quality rows).
    public var accounts: [FileAccount] { files.map(\.account) }

    /// One state of many: the first one's maps become the result's own (no third copy of two
    /// million visitors), the others are folded in and freed one by one.
    /// `evidence`: each pilot's link and meeting-type texts (B30 ties compare them).
    public static func merge(_ parts: inout [TouchState], evidence: [[String]]) -> TouchState {
        guard !parts.isEmpty else { return TouchState(pilots: evidence.count) }
        var out = TouchState(pilots: 0)
        swap(&out, &parts[0])
        for i in parts.indices.dropFirst() {
            // Moved out first, so `absorb` holds the only copy and frees its maps as it goes.
            var part = TouchState(pilots: 0)
            swap(&part, &parts[i])
            out.absorb(consume part, evidence: evidence)
        }
        return out
    }

    /// Folds another state in: its emails, visitors and UTM texts are interned into this one's
    /// maps, its folds re-keyed to this state's ids and merged. Each of its maps is released once
    /// folded in (freed when the caller passed its only copy), before this state's grow further.
    public mutating func absorb(_ o: consuming TouchState, evidence: [[String]]) {
        let emailMap = absorbEmails(o.emails)
        o.emails = ByteMap(capacity: 1)
        let visitorMap = absorbVisitors(o.visitors, emailMap: emailMap)
        o.visitors = ByteMap(capacity: 1)
        var utmMap = [Int32](repeating: -1, count: o.utmEvidence.count)
        let zero = UInt8(0)
        for u in 0..<o.utmEvidence.count { utmMap[u] = Int32(o.utmEvidence.withKey(u) { utmEvidence.findOrInsert($0) { zero } }) }
        func rekey(_ k: PilotIdentity) -> PilotIdentity {
            k.kind == .email ? k.with(kind: .email, id: emailMap[Int(k.id)]) : k.with(kind: .visitor, id: visitorMap[Int(k.id)])
        }
        let utmTexts = utmEvidence
        let utmLess = { (i: Int32, j: Int32) in utmTexts.withKey(Int(i)) { x in utmTexts.withKey(Int(j)) { y in x.lexicographicallyPrecedes(y) } } }
        var foldMap = [Int](repeating: -1, count: o.folds.aggs.count)
        for (ai, a) in o.folds.aggs.enumerated() {
            let g = folds.fold(rekey(a.key))
            foldMap[ai] = g
            let texts = evidence[a.pilot]
            folds.aggs[g].absorb(
                a, meetingEvidence: a.meetingEvidence, utmEvidence: a.utmEvidence >= 0 ? utmMap[Int(a.utmEvidence)] : -1,
                { i, j in TouchFolds.textLess(texts[Int(i)], texts[Int(j)]) }, utmTextLess: utmLess)
        }
        for fw in o.folds.meetingWeeks { _ = folds.addMeetingWeek(FoldWeek(fold: foldMap[fw.fold], week: fw.week)) }
        (o.folds.aggs, o.folds.index, o.folds.meetingWeeks) = ([], U64Map(capacity: 1), [])
        folds.pointFolds.reserveCapacity(folds.pointFolds.count + o.folds.pointFolds.count)
        for f in o.folds.pointFolds { folds.pointFolds.append(Int32(foldMap[Int(f)])) }
        o.folds.pointFolds = []
        folds.pointTimes.reserveCapacity(folds.pointTimes.count + o.folds.pointTimes.count)
        folds.pointTimes += o.folds.pointTimes
        o.folds.pointTimes = []
        for k in folds.totals.indices where k < o.folds.totals.count { folds.totals[k].add(o.folds.totals[k]) }
        func rekey(_ t: MatchedTouch) -> MatchedTouch {
            var t = t
            if t.email.isKnown { t.email = .id(emailMap[Int(t.email.id)]) }
            if t.visitor >= 0 { t.visitor = visitorMap[Int(t.visitor)] }
            if t.utmEvidence >= 0 { t.utmEvidence = utmMap[Int(t.utmEvidence)] }
            return t
        }
        folds.kept += o.folds.kept.map(rekey)
        future += o.future.map(rekey)
        touches.addSaturating(o.touches)
        asOf = max(asOf, o.asOf)
        files += o.files
    }

    /// Folds the raw touches up to `asOf` (a report's moment, at or after the state's); later
    /// ones stay raw.
    public mutating func fold(upTo asOf: Int64, _ ctx: TouchContext) {
        guard !future.isEmpty else { return self.asOf = max(self.asOf, asOf) }
        var later: [MatchedTouch] = []
        for t in future {
            if t.ts <= asOf { folds.add(t, ctx, utmEvidence: utmEvidence) } else { later.append(t) }
        }
        future = later
        self.asOf = max(self.asOf, asOf)
    }

    /// Interns another state's emails (adding their own-touch counts); returns its ids' new ids.
    private mutating func absorbEmails(_ other: ByteMap<Int32>) -> [Int32] {
        var map = [Int32](repeating: -1, count: other.count)
        for e in 0..<other.count {
            let g = other.withKey(e) { emails.findOrInsert($0) { 0 } }
            emails[entry: g].addSaturating(other[entry: e])
            map[e] = Int32(g)
        }
        return map
    }

    /// Interns another state's visitors, merging their stitching state (B16); returns its ids'
    /// new ids. Looked up in batches with prefetched slots and entries (a two-million-entry map).
    private mutating func absorbVisitors(_ other: ByteMap<VisitorState>, emailMap: [Int32]) -> [Int32] {
        var map = [Int32](repeating: -1, count: other.count)
        var batch = KeyBatch<VisitorState>()
        for base in stride(from: 0, to: other.count, by: mapLookupBatch) {
            let end = min(base + mapLookupBatch, other.count)
            for v in base..<end { _ = other.withKey(v) { batch.add($0, prefetchingIn: visitors) } }
            batch.resolve(in: &visitors) { VisitorState() }
            for (v, g32) in zip(base..<end, batch.ids) {
                let g = Int(g32)
                map[v] = g32
                let local = other[entry: v]
                visitors[entry: g].emailless.addSaturating(local.emailless)
                if local.email >= 0 { visitors[entry: g].offer(local.ts, emailMap[Int(local.email)], emails) }
            }
            batch.removeAll()
        }
        return map
    }
}

extension TouchContext {
    /// The touch workers' shared view of a plan.
    public convenience init(_ plan: ReportPlan) {
        self.init(pilots: plan.config.pilots, asOf: plan.asOf, lastTouch: plan.config.lastTouch)
    }
}

extension TouchState {
    /// Stage four: streams touch files (the plan's, or some of them) through the workers (never
    /// held in memory) and merges the workers' states into one, at the plan's `as_of`.
    public static func read(_ plan: ReportPlan, _ ctx: TouchContext, files: [FileContext]? = nil) throws -> TouchState {
        // Who each file is on disk, taken before it is read (a state names what it read).
        let chosen = (files ?? plan.touchFiles).enumerated().map { i, f in
            var f = f
            f.index = i
            return f
        }
        let identities = chosen.map { FileIdentity.of($0.location) }
        let pipeline = plan.options.pipeline(TouchProcessor.self, checksums: true)
        let (workers, accounts) = try pipeline.run(files: chosen) { TouchProcessor(context: ctx, email: plan.config.email) }
        try plan.checkRejectRates(accounts)
        var parts = workers.map(\.state)
        var state = merge(&parts, evidence: ctx.evidence)
        state.asOf = plan.asOf
        state.files = zip(chosen, accounts).map { f, a in
            CoveredFile(identity: identities[f.index], sha256: pipeline.checksums[f.index] ?? "", reading: f.readingDigest, account: a)
        }
        return state
    }
}
