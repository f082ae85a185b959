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
    /// An id in the state's `emails`, or -1. While a partitioned read streams, an email another
    /// worker owns is named in this worker's `stitchEmails` instead (`stitched`: -2 and below).
    public var email: Int32 = -1
    public var emailless: Int32 = 0

    /// The email ref of entry `id` of a worker's `stitchEmails`.
    @inline(__always) static func stitched(_ id: Int32) -> Int32 { -2 - id }
    /// The `stitchEmails` entry a stitched ref names (the inverse of `stitched`).
    @inline(__always) static func stitchedEntry(_ e: Int32) -> Int { Int(-2 - e) }

    /// Calls `body` with the bytes of email ref `e` (an id in `emails`, or a stitched one).
    @inline(__always) static func withEmail<R>(_ e: Int32, _ emails: ByteMap<Int32>, _ stitched: ByteMap<Int32>, _ body: (Bytes) -> R) -> R {
        e >= 0 ? emails.withKey(Int(e), body) : stitched.withKey(Self.stitchedEntry(e), body)
    }

    /// B16: takes `(ts, email)` if it is earlier than the visitor's emailed touch so far; ties go
    /// to the smallest email bytes (`email` is a ref into `emails` or `stitched`).
    @inline(__always) mutating func offer(_ ts: Int64, _ email: Int32, _ emails: ByteMap<Int32>, _ stitched: ByteMap<Int32>) {
        let earlier =
            ts < self.ts
            || (ts == self.ts && self.email != -1 && email != self.email
                && Self.withEmail(email, emails, stitched) { b in
                    !Self.withEmail(self.email, emails, stitched) { $0.lexicographicallyPrecedes(b) }
                })
        if earlier {
            self.ts = ts
            self.email = email
        }
    }
}

/// A touch row's visitor update, deferred to the batch that looks its visitor up.
struct PendingVisitor {
    var ts: Int64
    /// The row's email when this worker owns it (pending until its batch is flushed), or none.
    var email: EmailRef
    /// The row's email when another worker owns it: its place in the batch of `stitchEmails`, or -1.
    var stitch: Int32
    /// The row's matched touches: `matched[matchedFrom..<matchedTo]`.
    var matchedFrom: Int32
    var matchedTo: Int32
}

/// Streams touch rows into a worker's `TouchState`: counts every row, stitches visitors, folds
/// pilot-matching touches per (pilot, identity). Map lookups go in prefetched batches. Nothing is
/// allocated per row once the worker's buffers are warm.
///
/// With a `TouchRouter` (more than one worker), the worker's state is one partition: the
/// emails and visitors whose hash it owns, with their folds. A row's update for an identity
/// another worker owns is written to that worker's buffer (`TouchRecords`) and applied there.
public struct TouchProcessor: RowProcessor {
    let ctx: TouchContext
    /// `ctx` for the per-row matching: the workers share one context, so retaining it per row
    /// is an atomic write to a cache line both cores write. `ctx` owns it. Read through
    /// `Unmanaged._withUnsafeGuaranteedRef`, which is underscored (not stable) standard-library
    /// API: if a toolchain drops it, `takeUnretainedValue()` is the stable fallback, at the cost
    /// of the retain it saves (issue 17, step 17).
    let unretainedContext: Unmanaged<TouchContext>
    var parsers: RowParsers
    public var state: TouchState
    /// Matched touches of the current batch, folded into the state once their visitors are known.
    var matched: [MatchedTouch] = []
    /// Rows whose visitor update waits for the batch (`flushVisitors`), their visitor ids and
    /// the batch's emails (`KeyBatch`: prefetched lookups).
    var pending: [PendingVisitor] = []
    var visitorKeys = KeyBatch<VisitorState>()
    var emailKeys = KeyBatch<Int32>()
    /// The places in `emailKeys` of emails looked up for a received visitor record only: their
    /// email record counts their touches, so these are not counted again.
    var uncounted: [Int32] = []
    /// A partitioned read: the router, this worker's partition and how many there are, and a
    /// buffer of records for each other partition.
    let router: TouchRouter?
    let me: Int
    let partitions: Int
    var outgoing: [[UInt8]]
    /// The emails this partition's visitors stitch to that another partition owns (their
    /// touches are counted there): `VisitorState.stitched` refs, resolved when the partitions
    /// are joined (`TouchState.join`).
    public internal(set) var stitchEmails = ByteMap<Int32>(capacity: 1 << 10)
    var stitchKeys = KeyBatch<Int32>()
    /// A row's UTM values as resolved (B7), and the normal forms of the keys some pilot matches on.
    var utm = UTMValues()
    var utmNorm = UTMValues()
    var evidenceBuf: [UInt8] = []
    var linkBuf: [UInt8] = []
    var mtBuf: [UInt8] = []

    /// `router`: for a partitioned read, shared by its workers; `partition`: this worker's.
    public init(context: TouchContext, email: EmailNormalizer, router: TouchRouter? = nil, partition: Int = 0) {
        ctx = context
        unretainedContext = .passUnretained(context)
        state = TouchState(pilots: context.pilots.count)
        parsers = RowParsers(email: email)
        self.router = router
        // Unpartitioned, every worker owns every key: it is partition 0 of 1.
        me = router == nil ? 0 : partition
        partitions = router?.partitions ?? 1
        outgoing = Array(repeating: [], count: partitions)
        linkBuf.reserveCapacity(512)
        pending.reserveCapacity(mapLookupBatch)
    }

    /// An email ref with a pending one replaced by its id (the batch's emails are resolved).
    @inline(__always) func resolvedEmail(_ e: EmailRef) -> EmailRef { e.isPending ? .id(emailKeys.ids[e.batchPosition]) : e }

    @inline(__always) func owner(_ hash: UInt64) -> Int { partitions == 1 ? 0 : TouchRouter.partition(hash, of: partitions) }

    public mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        guard let t = parsers.touch(&r, file, &acc) else { return }
        state.touches += 1
        let m = file.mapping.cols
        let visitor = r.field(m[TouchField.visitor_id.rawValue]).trimmed()
        let hasEmail = t.email == .valid
        var email = EmailRef.none
        var emailOwner = me
        var ep: ByteMap<Int32>.Prepared? = nil
        if hasEmail {
            let p = parsers.emailBuffer.withUnsafeBufferPointer { ByteMap<Int32>.Prepared($0) }
            emailOwner = owner(p.hash)
            if emailOwner == me {
                email = .pending(parsers.emailBuffer.withUnsafeBufferPointer { emailKeys.add($0, p, prefetchingIn: state.emails) })
            } else {
                ep = p
            }
        }
        let firstMatched = matched.count
        // Project early: a touch outside every window can match nothing. One after as_of is
        // matched but kept raw (`TouchState.future`), so a later report can fold it.
        if t.ts >= ctx.earliest && t.ts < ctx.latest {
            unretainedContext._withUnsafeGuaranteedRef { match(&r, m, t.ts, t.event, email, $0) }
        }
        // The owner of the email counts it and folds the row's matched touches on it.
        if emailOwner != me { sendEmail(to: emailOwner, matchedFrom: firstMatched) }
        guard visitor.count > 0 else { return flushIfFull() }
        // The visitor's map entry is looked up in batches (prefetched): stitching state, the
        // email-less count and the visitor of this row's matched touches are filled in then.
        let vp = ByteMap<VisitorState>.Prepared(visitor)
        let visitorOwner = owner(vp.hash)
        if visitorOwner == me {
            _ = visitorKeys.add(visitor, vp, prefetchingIn: state.visitors)
            var stitch: Int32 = -1
            if let p = ep {
                stitch = Int32(parsers.emailBuffer.withUnsafeBufferPointer { stitchKeys.add($0, p, prefetchingIn: stitchEmails) })
            }
            pending.append(
                PendingVisitor(ts: t.ts, email: email, stitch: stitch, matchedFrom: Int32(firstMatched), matchedTo: Int32(matched.count)))
        } else {
            sendVisitor(visitor, t.ts, hasEmail: hasEmail, to: visitorOwner, matchedFrom: hasEmail ? matched.count : firstMatched)
        }
        flushIfFull()
    }

    @inline(__always) mutating func flushIfFull() {
        if pending.count == mapLookupBatch || emailKeys.count == mapLookupBatch || stitchKeys.count == mapLookupBatch || matched.count >= 256 {
            flushVisitors()
        }
    }

    /// After each chunk: hands the records written for the other partitions to their owners,
    /// then applies those waiting for this one.
    public mutating func chunkDone() {
        guard let router else { return }
        for o in 0..<partitions where o != me && !outgoing[o].isEmpty {
            let full = outgoing[o]
            outgoing[o] = []
            let fresh = router.send(full, to: o, from: me) { apply($0) }
            outgoing[o] = fresh
        }
        router.receive(me) { apply($0) }
    }

    /// After this worker's last chunk: applies records for its partition until every worker is done.
    public mutating func inputDone() {
        guard let router else { return }
        chunkDone()
        router.finish(me) { apply($0) }
    }

    public mutating func finish() { flushVisitors() }

    /// An email record for its owner: the row's email and its matched touches, which leave this worker.
    private mutating func sendEmail(to o: Int, matchedFrom first: Int) {
        TouchRecords.Writer.put(TouchRecords.email, &outgoing[o])
        parsers.emailBuffer.withUnsafeBufferPointer { TouchRecords.Writer.put($0, &outgoing[o]) }
        sendMatched(from: first, to: o)
    }

    /// A visitor record for its owner: the visitor, the row's time and email, and the row's
    /// matched touches from `first` (none when they fold on the email).
    private mutating func sendVisitor(_ visitor: Bytes, _ ts: Int64, hasEmail: Bool, to o: Int, matchedFrom first: Int) {
        TouchRecords.Writer.put(TouchRecords.visitor, &outgoing[o])
        TouchRecords.Writer.put(visitor, &outgoing[o])
        TouchRecords.Writer.put(ts, &outgoing[o])
        if hasEmail {
            parsers.emailBuffer.withUnsafeBufferPointer { TouchRecords.Writer.put($0, &outgoing[o]) }
        } else {
            TouchRecords.Writer.put(nil, &outgoing[o])
        }
        sendMatched(from: first, to: o)
    }

    /// Writes `matched[first...]` for partition `o` (with their UTM evidence as text) and drops them here.
    private mutating func sendMatched(from first: Int, to o: Int) {
        TouchRecords.Writer.put(UInt32(matched.count - first), &outgoing[o])
        for t in matched[first...] {
            TouchRecords.Writer.put(t.pilot, &outgoing[o])
            TouchRecords.Writer.put(t.flags, &outgoing[o])
            TouchRecords.Writer.put(t.event.rawValue, &outgoing[o])
            TouchRecords.Writer.put(t.ts, &outgoing[o])
            TouchRecords.Writer.put(t.linkEvidence, &outgoing[o])
            if t.utmEvidence >= 0 {
                state.utmEvidence.withKey(Int(t.utmEvidence)) { TouchRecords.Writer.put($0, &outgoing[o]) }
            } else {
                TouchRecords.Writer.put(nil, &outgoing[o])
            }
        }
        matched.removeSubrange(first...)
    }

    /// Applies a buffer of records another worker wrote for this partition: the same batched
    /// updates as this worker's own rows.
    mutating func apply(_ buffer: [UInt8]) {
        buffer.withUnsafeBytes { raw in
            var r = TouchRecords.Reader(raw)
            while !r.atEnd {
                let kind = r.get(UInt8.self)
                if kind == TouchRecords.email {
                    let email = EmailRef.pending(emailKeys.add(r.bytes()!, prefetchingIn: state.emails))
                    receiveMatched(&r, email: email)
                } else {
                    precondition(kind == TouchRecords.visitor, "touch record kind")
                    _ = visitorKeys.add(r.bytes()!, prefetchingIn: state.visitors)
                    let ts = r.get(Int64.self)
                    // The row's email: in this worker's own emails when it owns it too (its email
                    // record counts it), else named in `stitchEmails`.
                    var (email, stitch) = (EmailRef.none, Int32(-1))
                    if let e = r.bytes() {
                        let p = ByteMap<Int32>.Prepared(e)
                        if owner(p.hash) == me {
                            email = .pending(emailKeys.add(e, p, prefetchingIn: state.emails))
                            uncounted.append(Int32(email.batchPosition))
                        } else {
                            stitch = Int32(stitchKeys.add(e, p, prefetchingIn: stitchEmails))
                        }
                    }
                    let first = matched.count
                    receiveMatched(&r, email: .none)
                    pending.append(PendingVisitor(ts: ts, email: email, stitch: stitch, matchedFrom: Int32(first), matchedTo: Int32(matched.count)))
                }
                flushIfFull()
            }
        }
    }

    /// Reads a record's matched touches into the batch, their UTM texts interned here.
    private mutating func receiveMatched(_ r: inout TouchRecords.Reader, email: EmailRef) {
        let n = Int(r.get(UInt32.self))
        for _ in 0..<n {
            let pilot = r.get(Int32.self), flags = r.get(UInt8.self), event = r.get(UInt8.self)
            let ts = r.get(Int64.self), link = r.get(Int32.self)
            var utmEvidence: Int32 = -1
            if let text = r.bytes() {
                let zero = UInt8(0)
                utmEvidence = Int32(state.utmEvidence.findOrInsert(text) { zero })
            }
            guard let event = TouchEvent(rawValue: event) else { preconditionFailure("touch record event") }
            matched.append(
                MatchedTouch(
                    pilot: pilot, flags: flags, event: event, ts: ts, email: email, visitor: -1, linkEvidence: link, utmEvidence: utmEvidence))
        }
    }

    /// Looks up the batch's emails, then its visitors (each in row order, so entry ids equal
    /// one-at-a-time lookups), updates the visitors' stitching state and folds the matched touches.
    mutating func flushVisitors() {
        // Emails first: their ids replace the pending refs.
        emailKeys.resolve(in: &state.emails) { 0 }
        for id in emailKeys.ids { state.emails[entry: Int(id)] += 1 }
        for i in uncounted { state.emails[entry: Int(emailKeys.ids[Int(i)])] -= 1 }
        uncounted.removeAll(keepingCapacity: true)
        if stitchKeys.count > 0 { stitchKeys.resolve(in: &stitchEmails) { 0 } }
        for i in matched.indices where matched[i].email.isPending { matched[i].email = resolvedEmail(matched[i].email) }
        visitorKeys.resolve(in: &state.visitors) { VisitorState() }
        let (emails, stitched) = (state.emails, stitchEmails)
        for (p, id) in zip(pending, visitorKeys.ids) {
            let e = Int(id)
            let email = resolvedEmail(p.email)
            if email.isKnown {
                state.visitors[entry: e].offer(p.ts, email.id, emails, stitched)
            } else if p.stitch >= 0 {
                state.visitors[entry: e].offer(p.ts, VisitorState.stitched(stitchKeys.ids[Int(p.stitch)]), emails, stitched)
            } else {
                state.visitors[entry: e].emailless += 1
            }
            for i in Int(p.matchedFrom)..<Int(p.matchedTo) { matched[i].visitor = id }
        }
        pending.removeAll(keepingCapacity: true)
        visitorKeys.removeAll()
        emailKeys.removeAll()
        stitchKeys.removeAll()
        for t in matched {
            if t.ts <= ctx.asOf { state.folds.add(t, ctx, utmEvidence: state.utmEvidence) } else { state.future.append(t) }
        }
        matched.removeAll(keepingCapacity: true)
    }

    /// SPEC 3.3: the pilots whose window holds `ts` and whose link, meeting type or UTM rules
    /// the row matches; each match is queued for the batch. A match in the grace period after the
    /// window is queued as a touchpoint only (3.6, B38).
    private mutating func match(_ r: inout RecordView, _ m: FieldIndex, _ ts: Int64, _ event: TouchEvent, _ email: EmailRef, _ c: TouchContext) {
        let url = r.field(m[TouchField.url.rawValue])
        var utmParsed = false
        var linkNormalized = false
        var mtNormalized = false
        let mt = r.field(m[TouchField.meeting_type.rawValue]).trimmed()
        // A URL whose host is no link's host matches no link: no normalization needed.
        var linkPossible = url.count > 0 && c.anyLinks
        if linkPossible { linkPossible = URLFields.hostIsOneOf(url, c.linkHosts) }
        let windows = c.windows, rules = c.rules
        // UTM values can be non-empty only with a query in the URL or a UTM column filled.
        var utmPossible = c.anyUTM && url.firstIndex(ofByte: 0x3F) != nil
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
            if pilotRules.contains(.utm), utmPossible || pilotRules.contains(.utmMatchesEmpty) {
                if !utmParsed {
                    resolveUTM(&r, m, url, c.utmKeysWanted)
                    utmParsed = true
                }
                if c.utmMatches(k, utmNorm) {
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
    private mutating func resolveUTM(_ r: inout RecordView, _ m: FieldIndex, _ url: Bytes, _ wanted: UInt8) {
        utm.parseQuery(of: url)
        utmNorm.reset(capacity: 0)
        for k in 0..<UTMKey.count {
            let v = r.field(m[TouchField.utm_source.rawValue + k])
            // Keys no pilot matches on are needed only for evidence (source, medium, campaign).
            let isWanted = wanted & (1 << UInt8(k)) != 0
            if (isWanted || k < UTMKey.evidenceCount) && v.trimmed().count > 0 { utm.set(k, v) }
            guard isWanted else { continue }
            utm.withValue(k) { utmNorm.set(k, $0.trimmed(), lowered: true) }
        }
    }

    /// B30: the UTM evidence `source/medium/campaign` (trimmed, case kept), interned.
    private mutating func internUTMEvidence() -> Int32 {
        evidenceBuf.removeAll(keepingCapacity: true)
        for k in 0..<UTMKey.evidenceCount {
            if k > 0 { evidenceBuf.append(0x2F) }  // "/"
            utm.withValue(k) { evidenceBuf += $0.trimmed() }
        }
        let next = UInt8(0)
        return Int32(evidenceBuf.withUnsafeBufferPointer { state.utmEvidence.findOrInsert($0) { next } })
    }
}
