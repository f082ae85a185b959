/// A touch that matches at least one pilot (SPEC 3.3), as a worker keeps it: ids into the
/// worker's own intern tables, no strings.
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
}

/// What the touch workers share, read-only: pilots as flat arrays and `as_of`. Contacts are not
/// needed here, so touch logs stream while the CRM records are still being merged.
public final class TouchContext: @unchecked Sendable {
    let pilots: [Pilot]
    let asOf: Int64
    let earliest: Int64
    let latest: Int64
    let starts: [Int64]
    let ends: [Int64]
    let links: [[[UInt8]]]
    let meetingTypes: [[[UInt8]]]
    /// Per pilot, per UTM key: accepted normalized values, or nil.
    let utm: [[[[UInt8]]?]?]
    /// Per pilot: the link evidence texts, links first, then meeting types.
    let evidence: [[String]]

    public init(pilots: [Pilot], asOf: Int64) {
        self.pilots = pilots
        self.asOf = asOf
        earliest = pilots.map(\.windowStart).min() ?? 0
        latest = pilots.map(\.windowEnd).max() ?? 0
        starts = pilots.map(\.windowStart)
        ends = pilots.map(\.windowEnd)
        links = pilots.map(\.linksNorm)
        meetingTypes = pilots.map(\.meetingTypesNorm)
        utm = pilots.map(\.utm)
        evidence = pilots.map { $0.links + $0.meetingTypes }
    }
}

/// Streams touch rows: counts every row, stitches visitors, keeps only pilot-matching touches.
/// Nothing is allocated per row once the worker's buffers are warm.
public struct TouchProcessor: RowProcessor {
    let ctx: TouchContext
    var parsers: RowParsers
    public var visitors = ByteMap<VisitorState>(capacity: 1 << 14)
    /// Every email seen on a touch, with how many touches carry it as their own (B26 by_email).
    public var emails = ByteMap<Int32>(capacity: 1 << 12)
    public var utmEvidence = ByteMap<UInt8>(capacity: 64)
    public var matched: [MatchedTouch] = []
    public var touches = 0
    var utm = UTMScratch()
    var utmNorm: [[UInt8]] = Array(repeating: [], count: 5)
    var evidenceBuf: [UInt8] = []
    var linkBuf: [UInt8] = []
    var mtBuf: [UInt8] = []

    public init(context: TouchContext, email: EmailNormalizer) {
        ctx = context
        parsers = RowParsers(email: email)
        linkBuf.reserveCapacity(512)
    }

    @inline(__always) mutating func emailId() -> Int32 {
        Int32(parsers.emailBuffer.withUnsafeBufferPointer { emails.findOrInsert($0) { 0 } })
    }

    public mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        guard let t = parsers.touch(&r, file, &acc) else { return }
        touches += 1
        let m = file.mapping
        let visitor = r.field(m.index[TouchField.visitor_id.rawValue]).trimmed()
        var visitorEntry: Int32 = -1
        var email: Int32 = -1
        if t.email == .valid {
            email = emailId()
            emails[entry: Int(email)] += 1
            if visitor.count > 0 {
                let e = visitors.findOrInsert(visitor) { VisitorState() }
                visitorEntry = Int32(e)
                let cur = visitors[entry: e]
                let earlier = t.ts < cur.ts
                    || (t.ts == cur.ts && parsers.emailBuffer.withUnsafeBufferPointer { b in !emails.keyLess(Int(cur.email), b) && !emails.withKey(Int(cur.email), { $0.elementsEqual(b) }) })
                if earlier {
                    visitors[entry: e].ts = t.ts
                    visitors[entry: e].email = email
                }
            }
        } else if visitor.count > 0 {
            let e = visitors.findOrInsert(visitor) { VisitorState() }
            visitorEntry = Int32(e)
            visitors[entry: e].emailless += 1
        }
        // Project early: a touch outside every window or after as_of can match nothing.
        guard t.ts >= ctx.earliest && t.ts < ctx.latest && t.ts <= ctx.asOf else { return }
        if visitorEntry < 0 && visitor.count > 0 { visitorEntry = Int32(visitors.findOrInsert(visitor) { VisitorState() }) }
        match(&r, m, t.ts, t.event, t.email == .valid, email, visitorEntry)
    }

    private mutating func match(_ r: inout RecordView, _ m: ColumnMapping, _ ts: Int64, _ event: RowParsers.Event, _ hasEmail: Bool, _ knownEmail: Int32, _ visitor: Int32) {
        let url = r.field(m.index[TouchField.url.rawValue])
        var utmParsed = false
        var linkNormalized = false
        var mtNormalized = false
        let mt = r.field(m.index[TouchField.meeting_type.rawValue]).trimmed()
        let email = knownEmail
        for k in 0..<ctx.starts.count where ts >= ctx.starts[k] && ts < ctx.ends[k] {
            var flags: UInt8 = 0
            var linkEvidence: Int32 = -1
            if url.count > 0 && !ctx.links[k].isEmpty {
                if !linkNormalized {
                    URLFields.normalizeLink(url, into: &linkBuf)
                    linkNormalized = true
                }
                if let li = ctx.links[k].firstIndex(where: { URLFields.linkMatches(linkBuf, $0) }) {
                    flags |= MatchedTouch.link
                    linkEvidence = Int32(li)
                }
            }
            if mt.count > 0 && !ctx.meetingTypes[k].isEmpty {
                if !mtNormalized {
                    mtBuf.removeAll(keepingCapacity: true)
                    for b in mt { mtBuf.append(asciiLower(b)) }
                    mtNormalized = true
                }
                if let mi = ctx.meetingTypes[k].firstIndex(of: mtBuf) {
                    flags |= MatchedTouch.meetingType
                    if linkEvidence < 0 { linkEvidence = Int32(ctx.links[k].count + mi) }
                }
            }
            var utmEv: Int32 = -1
            if let want = ctx.utm[k] {
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
                    pilot: Int32(k), flags: flags, event: event, ts: ts, email: hasEmail ? email : -1, visitor: visitor,
                    linkEvidence: linkEvidence, utmEvidence: utmEv))
        }
    }

    /// B7: UTM values from the URL's query, overridden by explicit non-empty utm_* columns;
    /// then their normal forms (trimmed, lower-case) into reused buffers.
    private mutating func resolveUTM(_ r: inout RecordView, _ m: ColumnMapping, _ url: Bytes) {
        URLFields.parseUTM(url, into: &utm)
        for k in 0..<5 {
            let v = r.field(m.index[TouchField.utm_source.rawValue + k])
            if v.trimmed().count > 0 {
                utm.values[k].removeAll(keepingCapacity: true)
                utm.values[k] += v
            }
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
