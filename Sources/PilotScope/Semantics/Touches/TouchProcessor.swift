/// The email id of a touch: a known id, none, or, while its lookup batch is open, the email's
/// place in the batch (resolved when the batch is flushed). The encoding lives here only.
@frozen public struct EmailRef: Sendable, Equatable {
    public let raw: Int32
    @inline(__always) init(raw: Int32) { self.raw = raw }
    public static let none = EmailRef(raw: -1)
    @inline(__always) static func id(_ id: Int32) -> EmailRef { EmailRef(raw: id) }
    @inline(__always) static func pending(_ position: Int) -> EmailRef { EmailRef(raw: Int32(-2 - position)) }
    @inline(__always) var isKnown: Bool { raw >= 0 }
    @inline(__always) var isPending: Bool { raw <= -2 }
    @inline(__always) var id: Int32 { raw }
    @inline(__always) var batchPosition: Int { Int(-2 - raw) }
}

/// A visitor's stitching state: its earliest emailed touch (B16) and its email-less touch count.
public struct VisitorState: Sendable {
    public var ts: Int64 = Int64.max
    public var email: Int32 = -1
    public var emailless: Int32 = 0

    /// B16: takes `(ts, email)` if it is earlier than the visitor's emailed touch so far; ties go
    /// to the smallest email (`email` is an id in `emails`).
    @inline(__always) mutating func offer(_ ts: Int64, _ email: Int32, _ emails: ByteMap<Int32>) {
        let earlier =
            ts < self.ts
            || (ts == self.ts && self.email >= 0 && email != self.email
                && emails.withKey(Int(email)) { b in !emails.keyLess(Int(self.email), b) })
        if earlier {
            self.ts = ts
            self.email = email
        }
    }
}

/// A touch row's visitor update, deferred to the batch that looks its visitor up.
struct PendingVisitor {
    var ts: Int64
    /// The row's own email (pending until its batch is flushed), or none.
    var email: EmailRef
    /// The row's matched touches: `matched[matchedFrom..<matchedTo]`.
    var matchedFrom: Int32
    var matchedTo: Int32
}

/// Streams touch rows into a worker's `TouchState`: counts every row, stitches visitors, folds
/// pilot-matching touches per (pilot, identity). Map lookups go in prefetched batches. Nothing is
/// allocated per row once the worker's buffers are warm.
public struct TouchProcessor: RowProcessor {
    let ctx: TouchContext
    var parsers: RowParsers
    public var state: TouchState
    /// Matched touches of the current batch, folded into the state once their visitors are known.
    var matched: [MatchedTouch] = []
    /// Rows whose visitor update waits for the batch (`flushVisitors`), their visitor ids and
    /// the batch's emails (`KeyBatch`: prefetched lookups).
    var pending: [PendingVisitor] = []
    var visitorKeys = KeyBatch<VisitorState>()
    var emailKeys = KeyBatch<Int32>()
    var utm = UTMScratch()
    var utmNorm: [[UInt8]] = Array(repeating: [], count: UTMKey.count)
    var evidenceBuf: [UInt8] = []
    var linkBuf: [UInt8] = []
    var mtBuf: [UInt8] = []

    public init(context: TouchContext, email: EmailNormalizer) {
        ctx = context
        state = TouchState(pilots: context.pilots.count)
        parsers = RowParsers(email: email)
        linkBuf.reserveCapacity(512)
        pending.reserveCapacity(mapLookupBatch)
    }

    /// Queues the row's email (in `parsers.emailBuffer`) for the batch.
    @inline(__always) mutating func pendingEmail() -> EmailRef {
        .pending(parsers.emailBuffer.withUnsafeBufferPointer { emailKeys.add($0, prefetchingIn: state.emails) })
    }

    /// An email ref with a pending one replaced by its id (the batch's emails are resolved).
    @inline(__always) func resolvedEmail(_ e: EmailRef) -> EmailRef { e.isPending ? .id(emailKeys.ids[e.batchPosition]) : e }

    public mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        guard let t = parsers.touch(&r, file, &acc) else { return }
        state.touches += 1
        let m = file.mapping.cols
        let visitor = r.field(m[TouchField.visitor_id.rawValue]).trimmed()
        let email = t.email == .valid ? pendingEmail() : .none
        let firstMatched = Int32(matched.count)
        // Project early: a touch outside every window can match nothing. One after as_of is
        // matched but kept raw (`TouchState.future`), so a later report can fold it.
        if t.ts >= ctx.earliest && t.ts < ctx.latest {
            match(&r, m, t.ts, t.event, email)
        }
        guard visitor.count > 0 else {
            if emailKeys.count == mapLookupBatch || matched.count >= 256 { flushVisitors() }
            return
        }
        // The visitor's map entry is looked up in batches (prefetched): stitching state, the
        // email-less count and the visitor of this row's matched touches are filled in then.
        _ = visitorKeys.add(visitor, prefetchingIn: state.visitors)
        pending.append(PendingVisitor(ts: t.ts, email: email, matchedFrom: firstMatched, matchedTo: Int32(matched.count)))
        if pending.count == mapLookupBatch || emailKeys.count == mapLookupBatch { flushVisitors() }
    }

    public mutating func finish() { flushVisitors() }

    /// Looks up the batch's emails, then its visitors (each in row order, so entry ids equal
    /// one-at-a-time lookups), updates the visitors' stitching state and folds the matched touches.
    mutating func flushVisitors() {
        // Emails first: their ids replace the pending refs.
        emailKeys.resolve(in: &state.emails) { 0 }
        for id in emailKeys.ids { state.emails[entry: Int(id)] += 1 }
        for i in matched.indices where matched[i].email.isPending { matched[i].email = resolvedEmail(matched[i].email) }
        visitorKeys.resolve(in: &state.visitors) { VisitorState() }
        for (p, id) in zip(pending, visitorKeys.ids) {
            let e = Int(id)
            let email = resolvedEmail(p.email)
            if email.isKnown {
                state.visitors[entry: e].offer(p.ts, email.id, state.emails)
            } else {
                state.visitors[entry: e].emailless += 1
            }
            for i in Int(p.matchedFrom)..<Int(p.matchedTo) { matched[i].visitor = id }
        }
        pending.removeAll(keepingCapacity: true)
        visitorKeys.removeAll()
        emailKeys.removeAll()
        for t in matched {
            if t.ts <= ctx.asOf { state.folds.add(t, ctx, utmEvidence: state.utmEvidence) } else { state.future.append(t) }
        }
        matched.removeAll(keepingCapacity: true)
    }

    /// SPEC 3.3: the pilots whose window holds `ts` and whose link, meeting type or UTM rules
    /// the row matches; each match is queued for the batch. A match in the grace period after the
    /// window is queued as a touchpoint only (3.6, B38).
    private mutating func match(_ r: inout RecordView, _ m: FieldIndex, _ ts: Int64, _ event: TouchEvent, _ email: EmailRef) {
        let url = r.field(m[TouchField.url.rawValue])
        var utmParsed = false
        var linkNormalized = false
        var mtNormalized = false
        let mt = r.field(m[TouchField.meeting_type.rawValue]).trimmed()
        let c = ctx
        // A URL whose host is no link's host matches no link: no normalization needed.
        var linkPossible = url.count > 0 && c.anyLinks
        if linkPossible { linkPossible = URLFields.hostIsOneOf(url, c.linkHosts) }
        let windows = c.windows, rules = c.rules
        // UTM values can be non-empty only with a query in the URL or a UTM column filled.
        var utmPossible = c.anyUTM && url.firstIndex(of: 0x3F) != nil
        if c.anyUTM && !utmPossible {
            for key in 0..<UTMKey.count where r.field(m[TouchField.utm_source.rawValue + key]).trimmed().count > 0 {
                utmPossible = true
                break
            }
        }
        for k in 0..<c.pilotCount where ts >= windows[3 * k] && ts < windows[3 * k + 2] {
            let pilotRules = rules[k]
            var flags: UInt8 = 0
            var linkEvidence: Int32 = -1
            if linkPossible && pilotRules.contains(.links) {
                if !linkNormalized {
                    URLFields.normalizeLink(url, into: &linkBuf)
                    linkNormalized = true
                }
                if let li = c.links[k].firstIndex(where: { URLFields.linkMatches(linkBuf, $0) }) {
                    flags |= MatchedTouch.link
                    linkEvidence = Int32(li)
                }
            }
            if mt.count > 0 && pilotRules.contains(.meetingTypes) {
                if !mtNormalized {
                    mtBuf.removeAll(keepingCapacity: true)
                    for b in mt { mtBuf.append(asciiLower(b)) }
                    mtNormalized = true
                }
                if let mi = c.meetingTypes[k].firstIndex(of: mtBuf) {
                    flags |= MatchedTouch.meetingType
                    if linkEvidence < 0 { linkEvidence = Int32(c.links[k].count + mi) }
                }
            }
            var utmEv: Int32 = -1
            if pilotRules.contains(.utm), utmPossible || pilotRules.contains(.utmMatchesEmpty), let want = c.utm[k] {
                if !utmParsed {
                    resolveUTM(&r, m, url)
                    utmParsed = true
                }
                var ok = true
                for key in 0..<UTMKey.count {
                    if let values = want[key], !values.contains(utmNorm[key]) {
                        ok = false
                        break
                    }
                }
                if ok {
                    flags |= MatchedTouch.utm
                    utmEv = internUTMEvidence()
                }
            }
            guard flags != 0 else { continue }
            // After the window, in the grace period: a touchpoint only (3.6, B38), no touch.
            if ts >= windows[3 * k + 1] { flags |= MatchedTouch.touchpointOnly }
            matched.append(
                MatchedTouch(
                    pilot: Int32(k), flags: flags, event: event, ts: ts, email: email, visitor: -1,
                    linkEvidence: linkEvidence, utmEvidence: utmEv))
        }
    }

    /// B7: UTM values from the URL's query, overridden by explicit non-empty utm_* columns;
    /// then their normal forms (trimmed, lower-case) into reused buffers.
    private mutating func resolveUTM(_ r: inout RecordView, _ m: FieldIndex, _ url: Bytes) {
        URLFields.parseUTM(url, into: &utm)
        let wanted = ctx.utmKeysWanted
        for k in 0..<UTMKey.count {
            let v = r.field(m[TouchField.utm_source.rawValue + k])
            // Keys no pilot matches on are needed only for evidence (source, medium, campaign).
            let isWanted = wanted & (1 << UInt8(k)) != 0
            if (isWanted || k < UTMKey.evidenceCount) && v.trimmed().count > 0 {
                utm.values[k].removeAll(keepingCapacity: true)
                utm.values[k] += v
            }
            guard isWanted else { continue }
            utmNorm[k].removeAll(keepingCapacity: true)
            utm.values[k].withUnsafeBufferPointer { b in for c in b.trimmed() { utmNorm[k].append(asciiLower(c)) } }
        }
    }

    /// B30: the UTM evidence `source/medium/campaign` (trimmed, case kept), interned.
    private mutating func internUTMEvidence() -> Int32 {
        evidenceBuf.removeAll(keepingCapacity: true)
        for k in 0..<UTMKey.evidenceCount {
            if k > 0 { evidenceBuf.append(0x2F) }  // "/"
            utm.values[k].withUnsafeBufferPointer { evidenceBuf += $0.trimmed() }
        }
        let next = UInt8(0)
        return Int32(evidenceBuf.withUnsafeBufferPointer { state.utmEvidence.findOrInsert($0) { next } })
    }
}
