/// A touch that matches one pilot (SPEC 3.3), as a worker holds it until it is folded into
/// `TouchAggregator` (and keeps it only under `last_touch`): ids into the worker's own intern
/// tables, no strings.
public struct MatchedTouch: Sendable {
    public static let utm: UInt8 = 1, link: UInt8 = 2, meetingType: UInt8 = 4
    public var pilot: Int32
    public var flags: UInt8
    public var event: RowParsers.Event
    public var ts: Int64
    /// Worker email id of the touch's own email, or -1.
    public var email: Int32
    /// Worker visitor entry, or -1.
    public var visitor: Int32
    /// Index of the configured link or meeting type that matched (into the pilot's evidence), or -1.
    public var linkEvidence: Int32
    /// Worker id of `source/medium/campaign` (trimmed, case kept), or -1.
    public var utmEvidence: Int32

    /// A booking matching a scheduling link or meeting type: a meeting booked (3.3).
    @inline(__always) public var isMeeting: Bool { event == .booking && flags & (Self.link | Self.meetingType) != 0 }
}

/// A visitor's stitching state: its earliest emailed touch (B16) and its email-less touch count.
public struct VisitorState: Sendable {
    public var ts: Int64 = Int64.max
    public var email: Int32 = -1
    public var emailless: Int32 = 0

    /// B16: takes `(ts, email)` if it is earlier than the visitor's emailed touch so far; ties go
    /// to the smallest email (`email` is an id in `emails`).
    @inline(__always) mutating func offer(_ ts: Int64, _ email: Int32, _ emails: ByteMap<Int32>) {
        let earlier = ts < self.ts
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
    /// Worker email id of the row's own email (a placeholder until its batch is flushed), or -1.
    var email: Int32
    /// The row's matched touches: `matched[matchedFrom..<matchedTo]`.
    var matchedFrom: Int32
    var matchedTo: Int32
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
    let evidence: [[String]]
    /// Bit k set: pilot k has scheduling links / meeting types / UTM rules.
    let hasLinks: UInt64, hasMeetingTypes: UInt64, hasUTM: UInt64
    /// UTM keys (bit per key) that some pilot matches on: only those are normalized per row.
    let utmKeysWanted: UInt8
    /// Hosts of every pilot's normalized links: a URL on another host skips link normalization.
    let linkHosts: [[UInt8]]
    /// Bit k set: pilot k's UTM rules accept a touch whose UTM values are all empty (a list
    /// naming ""). Without it, a row with no query and no UTM column cannot match pilot k by UTM.
    let utmMatchesEmpty: UInt64

    /// Attribution reads every matched touch (`last_touch`), not only the first per identity.
    let lastTouch: Bool
    /// Per pilot: the adjustment instant (`Int64.max` without one), the Monday of its first week
    /// (day number) and its zone, for the folding of touches (`TouchAggregator`).
    let adjustmentAt: [Int64]
    let firstWeeks: [Int64]
    let zones: [TimeZoneTable]

    /// Per pilot `[start, end)` of its window, as raw memory: the per-row loop reads it without
    /// retaining an array.
    let windows: UnsafeMutablePointer<Int64>
    let pilotCount: Int

    deinit { windows.deallocate() }

    public init(pilots: [Pilot], asOf: Int64, lastTouch: Bool = false) {
        self.pilots = pilots
        pilotCount = pilots.count
        windows = .allocate(capacity: max(1, 2 * pilots.count))
        for (k, p) in pilots.enumerated() {
            windows[2 * k] = p.windowStart
            windows[2 * k + 1] = p.windowEnd
        }
        self.asOf = asOf
        self.lastTouch = lastTouch
        adjustmentAt = pilots.map { $0.adjustmentAt ?? Int64.max }
        firstWeeks = pilots.map { $0.startDay - Int64(Civil.weekday(days: $0.startDay)) }
        zones = pilots.map(\.zone)
        earliest = pilots.map(\.windowStart).min() ?? 0
        latest = pilots.map(\.windowEnd).max() ?? 0
        links = pilots.map(\.linksNorm)
        meetingTypes = pilots.map(\.meetingTypesNorm)
        utm = pilots.map(\.utm)
        evidence = pilots.map { $0.links + $0.meetingTypes }
        func mask(_ f: (Pilot) -> Bool) -> UInt64 {
            pilots.enumerated().reduce(0) { m, x in f(x.element) ? m | 1 << UInt64(x.offset) : m }
        }
        hasLinks = mask { !$0.linksNorm.isEmpty }
        hasMeetingTypes = mask { !$0.meetingTypesNorm.isEmpty }
        hasUTM = mask { $0.utm != nil }
        var keys: UInt8 = 0
        for p in pilots { for (k, want) in (p.utm ?? []).enumerated() where want != nil { keys |= 1 << UInt8(k) } }
        utmKeysWanted = keys
        utmMatchesEmpty = mask { p in p.utm.map { wants in wants.allSatisfy { $0?.contains([]) ?? true } } ?? false }
        linkHosts = Array(Set(pilots.flatMap { $0.linksNorm.map { l in Array(l.prefix { $0 != 0x2F }) } })).sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Week of `t` counted from the pilot's first week (Mondays in its zone).
    @inline(__always) func weekIndex(_ k: Int, _ t: Int64) -> Int {
        let day = Civil.floorDiv(zones[k].local(fromUTC: Civil.floorDiv(t, 1000)), 86_400)
        return max(0, Int((day - Int64(Civil.weekday(days: day)) - firstWeeks[k]) / 7))
    }
}

/// Streams touch rows: counts every row, stitches visitors, folds pilot-matching touches per
/// (pilot, identity). Map lookups go in prefetched batches. Nothing is allocated per row once the
/// worker's buffers are warm.
public struct TouchProcessor: RowProcessor {
    let ctx: TouchContext
    var parsers: RowParsers
    public var visitors = ByteMap<VisitorState>(capacity: 1 << 14)
    /// Every email seen on a touch, with how many touches carry it as their own (B26 by_email).
    public var emails = ByteMap<Int32>(capacity: 1 << 12)
    public var utmEvidence = ByteMap<UInt8>(capacity: 64)
    /// Matched touches of the current batch, folded into `folded` once their visitors are known.
    var matched: [MatchedTouch] = []
    public var folded: TouchAggregator
    public var touches = 0
    /// Rows whose visitor update waits for the batch (`flushVisitors`), their visitor ids and
    /// the batch's emails (`KeyBatch`: prefetched lookups).
    var pending: [PendingVisitor] = []
    var visitorKeys = KeyBatch<VisitorState>()
    var emailKeys = KeyBatch<Int32>()
    var utm = UTMScratch()
    var utmNorm: [[UInt8]] = Array(repeating: [], count: 5)
    var evidenceBuf: [UInt8] = []
    var linkBuf: [UInt8] = []
    var mtBuf: [UInt8] = []

    public init(context: TouchContext, email: EmailNormalizer) {
        ctx = context
        folded = TouchAggregator(pilots: context.pilots.count)
        parsers = RowParsers(email: email)
        linkBuf.reserveCapacity(512)
        pending.reserveCapacity(mapLookupBatch)
    }

    /// Queues the row's email (in `parsers.emailBuffer`) for the batch; returns its placeholder
    /// id, `-2 - position in the batch`, replaced by the email's id when the batch is flushed.
    @inline(__always) mutating func pendingEmail() -> Int32 {
        let i = parsers.emailBuffer.withUnsafeBufferPointer { emailKeys.add($0, prefetchingIn: emails) }
        return Int32(-2 - i)
    }

    /// The id of a (possibly placeholder) email id once the batch's emails are resolved.
    @inline(__always) func resolvedEmail(_ e: Int32) -> Int32 { e <= -2 ? emailKeys.ids[Int(-2 - e)] : e }

    public mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        guard let t = parsers.touch(&r, file, &acc) else { return }
        touches += 1
        let m = file.mapping.cols
        let visitor = r.field(m[TouchField.visitor_id.rawValue]).trimmed()
        var email: Int32 = -1
        if t.email == .valid { email = pendingEmail() }
        let firstMatched = Int32(matched.count)
        // Project early: a touch outside every window or after as_of can match nothing.
        if t.ts >= ctx.earliest && t.ts < ctx.latest && t.ts <= ctx.asOf {
            match(&r, m, t.ts, t.event, t.email == .valid, email)
        }
        guard visitor.count > 0 else {
            if emailKeys.count == mapLookupBatch || matched.count >= 256 { flushVisitors() }
            return
        }
        // The visitor's map entry is looked up in batches (prefetched): stitching state, the
        // email-less count and the visitor of this row's matched touches are filled in then.
        _ = visitorKeys.add(visitor, prefetchingIn: visitors)
        pending.append(PendingVisitor(ts: t.ts, email: email, matchedFrom: firstMatched, matchedTo: Int32(matched.count)))
        if pending.count == mapLookupBatch || emailKeys.count == mapLookupBatch { flushVisitors() }
    }

    public mutating func finish() { flushVisitors() }

    /// Looks up the batch's emails, then its visitors (each in row order, so entry ids equal
    /// one-at-a-time lookups), updates the visitors' stitching state and folds the matched touches.
    mutating func flushVisitors() {
        // Emails first: their ids replace the placeholders.
        emailKeys.resolve(in: &emails) { 0 }
        for id in emailKeys.ids { emails[entry: Int(id)] += 1 }
        for i in matched.indices where matched[i].email <= -2 { matched[i].email = resolvedEmail(matched[i].email) }
        visitorKeys.resolve(in: &visitors) { VisitorState() }
        for (p, id) in zip(pending, visitorKeys.ids) {
            let e = Int(id)
            let email = resolvedEmail(p.email)
            if email >= 0 {
                visitors[entry: e].offer(p.ts, email, emails)
            } else {
                visitors[entry: e].emailless += 1
            }
            for i in Int(p.matchedFrom)..<Int(p.matchedTo) { matched[i].visitor = id }
        }
        pending.removeAll(keepingCapacity: true)
        visitorKeys.removeAll()
        emailKeys.removeAll()
        foldMatched()
    }

    mutating func foldMatched() {
        for t in matched { folded.add(t, ctx, utmEvidence: utmEvidence) }
        matched.removeAll(keepingCapacity: true)
    }

    private mutating func match(_ r: inout RecordView, _ m: FieldIndex, _ ts: Int64, _ event: RowParsers.Event, _ hasEmail: Bool, _ knownEmail: Int32) {
        let url = r.field(m[TouchField.url.rawValue])
        var utmParsed = false
        var linkNormalized = false
        var mtNormalized = false
        let mt = r.field(m[TouchField.meeting_type.rawValue]).trimmed()
        let email = knownEmail
        let c = ctx
        // A URL whose host is no link's host matches no link: no normalization needed.
        var linkPossible = url.count > 0 && c.hasLinks != 0
        if linkPossible { linkPossible = URLFields.hostIsOneOf(url, c.linkHosts) }
        let windows = c.windows
        // UTM values can be non-empty only with a query in the URL or a UTM column filled.
        var utmPossible = c.hasUTM != 0 && url.firstIndex(of: 0x3F) != nil
        if c.hasUTM != 0 && !utmPossible {
            for key in 0..<5 where r.field(m[TouchField.utm_source.rawValue + key]).trimmed().count > 0 {
                utmPossible = true
                break
            }
        }
        for k in 0..<c.pilotCount where ts >= windows[2 * k] && ts < windows[2 * k + 1] {
            let bit = UInt64(1) << UInt64(k)
            var flags: UInt8 = 0
            var linkEvidence: Int32 = -1
            if linkPossible && c.hasLinks & bit != 0 {
                if !linkNormalized {
                    URLFields.normalizeLink(url, into: &linkBuf)
                    linkNormalized = true
                }
                if let li = c.links[k].firstIndex(where: { URLFields.linkMatches(linkBuf, $0) }) {
                    flags |= MatchedTouch.link
                    linkEvidence = Int32(li)
                }
            }
            if mt.count > 0 && c.hasMeetingTypes & bit != 0 {
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
            if c.hasUTM & bit != 0, utmPossible || c.utmMatchesEmpty & bit != 0, let want = c.utm[k] {
                if !utmParsed {
                    resolveUTM(&r, m, url)
                    utmParsed = true
                }
                var ok = true
                for key in 0..<5 {
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
            matched.append(
                MatchedTouch(
                    pilot: Int32(k), flags: flags, event: event, ts: ts, email: hasEmail ? email : -1, visitor: -1,
                    linkEvidence: linkEvidence, utmEvidence: utmEv))
        }
    }

    /// B7: UTM values from the URL's query, overridden by explicit non-empty utm_* columns;
    /// then their normal forms (trimmed, lower-case) into reused buffers.
    private mutating func resolveUTM(_ r: inout RecordView, _ m: FieldIndex, _ url: Bytes) {
        URLFields.parseUTM(url, into: &utm)
        let wanted = ctx.utmKeysWanted
        for k in 0..<5 {
            let v = r.field(m[TouchField.utm_source.rawValue + k])
            // Keys no pilot matches on are needed only for evidence (source, medium, campaign).
            let isWanted = wanted & (1 << UInt8(k)) != 0
            if (isWanted || k < 3) && v.trimmed().count > 0 {
                utm.values[k].removeAll(keepingCapacity: true)
                utm.values[k] += v
            }
            guard isWanted else { continue }
            utmNorm[k].removeAll(keepingCapacity: true)
            utm.values[k].withUnsafeBufferPointer { b in for c in b.trimmed() { utmNorm[k].append(asciiLower(c)) } }
        }
    }

    private mutating func internUTMEvidence() -> Int32 {
        evidenceBuf.removeAll(keepingCapacity: true)
        for k in 0..<3 {
            if k > 0 { evidenceBuf.append(0x2F) }
            utm.values[k].withUnsafeBufferPointer { evidenceBuf += $0.trimmed() }
        }
        let next = UInt8(0)
        return Int32(evidenceBuf.withUnsafeBufferPointer { utmEvidence.findOrInsert($0) { next } })
    }
}
