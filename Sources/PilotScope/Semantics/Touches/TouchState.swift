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
    public static func merge(_ parts: inout [TouchState], evidence: [[String]], threads: Int) -> TouchState {
        guard !parts.isEmpty else { return TouchState(pilots: evidence.count) }
        var out = TouchState(pilots: 0)
        swap(&out, &parts[0])
        for i in parts.indices.dropFirst() {
            // Moved out first, so `absorb` holds the only copy and frees its maps as it goes.
            var part = TouchState(pilots: 0)
            swap(&part, &parts[i])
            out.absorb(consume part, evidence: evidence, threads: threads)
        }
        return out
    }

    /// Folds another state in: its emails, visitors and UTM texts are interned into this one's
    /// maps, its folds re-keyed to this state's ids and merged. Each of its maps is released once
    /// folded in (freed when the caller passed its only copy), before this state's grow further.
    public mutating func absorb(_ o: consuming TouchState, evidence: [[String]], threads: Int) {
        let emailMap = absorbEmails(o.emails, threads: threads)
        o.emails = ByteMap(capacity: 1)
        let visitorMap = absorbVisitors(o.visitors, emailMap: emailMap, threads: threads)
        o.visitors = ByteMap(capacity: 1)
        var utmMap = [Int32](repeating: -1, count: o.utmEvidence.count)
        let zero = UInt8(0)
        for u in 0..<o.utmEvidence.count { utmMap[u] = Int32(o.utmEvidence.withKey(u) { utmEvidence.findOrInsert($0) { zero } }) }
        let utmIDs = utmMap
        let ids = IDMaps(email: { emailMap[Int($0)] }, visitor: { visitorMap[Int($0)] }, utm: { utmIDs[Int($0)] })
        let foldMap = absorbFolds(o.folds.aggs, ids, evidence: evidence, threads: threads)
        for fw in o.folds.meetingWeeks { _ = folds.addMeetingWeek(FoldWeek(fold: foldMap[fw.fold], week: fw.week)) }
        (o.folds.aggs, o.folds.index, o.folds.meetingWeeks) = ([], U64Map(capacity: 1), [])
        folds.pointFolds.reserveCapacity(folds.pointFolds.count + o.folds.pointFolds.count)
        for f in o.folds.pointFolds { folds.pointFolds.append(Int32(foldMap[Int(f)])) }
        o.folds.pointFolds = []
        folds.pointTimes.reserveCapacity(folds.pointTimes.count + o.folds.pointTimes.count)
        folds.pointTimes += o.folds.pointTimes
        o.folds.pointTimes = []
        for k in folds.totals.indices where k < o.folds.totals.count { folds.totals[k].add(o.folds.totals[k]) }
        folds.kept += o.folds.kept.map(ids.rekey)
        future += o.future.map(ids.rekey)
        touches.addSaturating(o.touches)
        asOf = max(asOf, o.asOf)
        files += o.files
    }

    /// The partitions of a partitioned read (`TouchRouter`) as one state, with no lookup per
    /// identity: each email, visitor and fold is in exactly one partition, so their entries are
    /// appended partition after partition (ids offset) and each part is freed once appended.
    /// `stitched`: each partition's `TouchProcessor.stitchEmails`, whose refs in its visitors
    /// become ids of the joined emails (an email stitched to is counted by its owner, so it is there).
    static func join(_ parts: inout [TouchState], stitched: inout [ByteMap<Int32>]) -> TouchState {
        var out = TouchState(pilots: 0)
        guard parts.count > 1 else {
            precondition(stitched.allSatisfy { $0.count == 0 }, "one partition stitches only to its own emails")
            if !parts.isEmpty { swap(&out, &parts[0]) }
            return out
        }
        out.folds = TouchFolds(pilots: parts[0].folds.totals.count)
        // UTM texts are few: interned.
        var utmMaps: [[Int32]] = []
        let zero = UInt8(0)
        for p in parts {
            var map = [Int32](repeating: -1, count: p.utmEvidence.count)
            for u in map.indices { map[u] = Int32(p.utmEvidence.withKey(u) { out.utmEvidence.findOrInsert($0) { zero } }) }
            utmMaps.append(map)
        }
        var emailBase: [Int32] = [], visitorBase: [Int32] = []
        out.emails = ByteMap(capacity: parts.reduce(0) { $0 + $1.emails.count })
        for i in parts.indices {
            emailBase.append(Int32(out.emails.count))
            out.emails.appendDisjoint(parts[i].emails) { $0 }
            parts[i].emails = ByteMap(capacity: 1)
        }
        let emails = out.emails
        var visitors = ByteMap<VisitorState>(capacity: parts.reduce(0) { $0 + $1.visitors.count })
        for i in parts.indices {
            visitorBase.append(Int32(visitors.count))
            let (base, own) = (emailBase[i], stitched[i])
            visitors.appendDisjoint(parts[i].visitors) { v in
                var v = v
                if v.email >= 0 {
                    v.email += base
                } else if v.email != -1 {
                    guard let g = own.withKey(VisitorState.stitchedEntry(v.email), { emails.find($0) }) else {
                        preconditionFailure("a stitched email is counted by its owner")
                    }
                    v.email = Int32(g)
                }
                return v
            }
            parts[i].visitors = ByteMap(capacity: 1)
            stitched[i] = ByteMap(capacity: 1)
        }
        out.visitors = visitors
        let (aggCount, pointCount) = parts.reduce((0, 0)) { ($0.0 + $1.folds.aggs.count, $0.1 + $1.folds.pointTimes.count) }
        out.folds.aggs.reserveCapacity(aggCount)
        out.folds.index = U64Map(capacity: aggCount)
        out.folds.pointFolds.reserveCapacity(pointCount)
        out.folds.pointTimes.reserveCapacity(pointCount)
        for i in parts.indices {
            var f = TouchFolds(pilots: 0)
            swap(&f, &parts[i].folds)
            let (emailOffset, visitorOffset, utmMap) = (emailBase[i], visitorBase[i], utmMaps[i])
            let foldBase = out.folds.aggs.count
            let ids = IDMaps(email: { $0 + emailOffset }, visitor: { $0 + visitorOffset }, utm: { utmMap[Int($0)] })
            for var a in f.aggs {
                a.key = ids.rekey(a.key)
                if a.utmEvidence >= 0 { a.utmEvidence = ids.utm(a.utmEvidence) }
                let next = Int32(out.folds.aggs.count)
                precondition(out.folds.index.findOrInsert(a.key.raw) { next }.inserted, "partitions share no fold")
                out.folds.aggs.append(a)
            }
            for fw in f.meetingWeeks { _ = out.folds.addMeetingWeek(FoldWeek(fold: fw.fold + foldBase, week: fw.week)) }
            for p in f.pointFolds { out.folds.pointFolds.append(p + Int32(foldBase)) }
            out.folds.pointTimes += f.pointTimes
            for k in out.folds.totals.indices where k < f.totals.count { out.folds.totals[k].add(f.totals[k]) }
            out.folds.kept += f.kept.map(ids.rekey)
            out.future += parts[i].future.map(ids.rekey)
            parts[i].future = []
            out.touches.addSaturating(parts[i].touches)
            out.asOf = max(out.asOf, parts[i].asOf)
            out.files += parts[i].files
        }
        return out
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

    /// Merges another state's folds, re-keyed by `ids`, into this one's; returns where each went.
    /// The same folds as merging them one by one in their order: those this state has are found
    /// and merged first, ranges on up to `threads` threads (re-keying keeps keys distinct, so each
    /// of this state's folds takes at most one); then the new ones are appended in order.
    private mutating func absorbFolds(_ theirs: [TouchAgg], _ ids: IDMaps, evidence: [[String]], threads: Int) -> [Int] {
        var foldMap = [Int](repeating: -1, count: theirs.count)
        let utmTexts = utmEvidence
        let merge: @Sendable (inout TouchAgg, TouchAgg) -> Void = { mine, a in
            // The pilot's texts are read only on a tie (no reference counted per fold).
            let k = a.pilot
            mine.absorb(
                a, meetingEvidence: a.meetingEvidence, utmEvidence: a.utmEvidence >= 0 ? ids.utm(a.utmEvidence) : -1,
                { i, j in TouchFolds.textLess(evidence[k][Int(i)], evidence[k][Int(j)]) },
                utmTextLess: { i, j in utmTexts.withKey(Int(i)) { x in utmTexts.withKey(Int(j)) { y in x.lexicographicallyPrecedes(y) } } })
        }
        if !theirs.isEmpty && !folds.aggs.isEmpty {
            let index = folds.index
            let ranges = evenRanges(theirs.count, parts: 16)
            folds.aggs.withUnsafeMutableBufferPointer { mine in
                foldMap.withUnsafeMutableBufferPointer { out in
                    let (mineBox, outBox) = (PointerBox(mine.baseAddress!), PointerBox(out.baseAddress!))
                    concurrently(ranges.count, threads: threads) { part in
                        for ai in ranges[part] {
                            guard let g = index.find(ids.rekey(theirs[ai].key).raw) else { continue }
                            // This is safe: fold `g` is merged only here (one of `theirs` names
                            // it), and `ai` is this range's.
                            merge(&mineBox.pointer[Int(g)], theirs[ai])
                            outBox.pointer[ai] = Int(g)
                        }
                    }
                }
            }
        }
        for ai in theirs.indices where foldMap[ai] < 0 {
            let g = folds.fold(ids.rekey(theirs[ai].key))
            merge(&folds.aggs[g], theirs[ai])
            foldMap[ai] = g
        }
        return foldMap
    }

    /// Interns another state's emails (adding their own-touch counts); returns its ids' new ids.
    private mutating func absorbEmails(_ other: ByteMap<Int32>, threads: Int) -> [Int32] {
        emails.absorb(other, threads: threads, { 0 }) { mine, theirs in mine.addSaturating(theirs) }
    }

    /// Interns another state's visitors, merging their stitching state (B16); returns its ids'
    /// new ids. The visitors both states hold (at two workers, nearly all of two million) are
    /// merged on up to `threads` threads (`ByteMap.absorb`).
    private mutating func absorbVisitors(_ other: ByteMap<VisitorState>, emailMap: [Int32], threads: Int) -> [Int32] {
        let emails = self.emails
        return visitors.absorb(other, threads: threads, { VisitorState() }) { mine, theirs in
            mine.emailless.addSaturating(theirs.emailless)
            if theirs.email >= 0 { mine.offer(theirs.ts, emailMap[Int(theirs.email)], emails, emails) }
        }
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
        // From `TouchRouter.minimumWorkers` on, a partitioned read (each identity in one
        // worker's state, joined at the end); with fewer, each worker's state is merged.
        var router: TouchRouter?
        var (workers, accounts) = try pipeline.run(files: chosen) { w, n in
            if n >= TouchRouter.minimumWorkers && router == nil { router = TouchRouter(partitions: n) }
            return TouchProcessor(context: ctx, email: plan.config.email, router: router, partition: w)
        }
        try plan.checkRejectRates(accounts)
        var parts: [TouchState] = [], stitched: [ByteMap<Int32>] = []
        for w in workers.indices {
            parts.append(workers[w].state)
            stitched.append(workers[w].stitchEmails)
        }
        workers = []
        var state = router != nil ? join(&parts, stitched: &stitched) : merge(&parts, evidence: ctx.evidence, threads: plan.options.threads)
        state.asOf = plan.asOf
        state.files = zip(chosen, accounts).map { f, a in
            CoveredFile(identity: identities[f.index], sha256: pipeline.checksums[f.index] ?? "", reading: f.readingDigest, account: a)
        }
        return state
    }
}

/// How the ids of one state become those of another it is merged or joined into (by a table in
/// `absorb`, by an offset in `join`).
private struct IDMaps: Sendable {
    let email: @Sendable (Int32) -> Int32
    let visitor: @Sendable (Int32) -> Int32
    let utm: @Sendable (Int32) -> Int32

    func rekey(_ k: PilotIdentity) -> PilotIdentity {
        k.kind == .email ? k.with(kind: .email, id: email(k.id)) : k.with(kind: .visitor, id: visitor(k.id))
    }

    func rekey(_ t: MatchedTouch) -> MatchedTouch {
        var t = t
        if t.email.isKnown { t.email = .id(email(t.email.id)) }
        if t.visitor >= 0 { t.visitor = visitor(t.visitor) }
        if t.utmEvidence >= 0 { t.utmEvidence = utm(t.utmEvidence) }
        return t
    }
}
