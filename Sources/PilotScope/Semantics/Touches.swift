/// A touch that matches at least one pilot (SPEC 3.3), kept for attribution and touch metrics.
public struct MatchedTouch: Sendable {
    public static let utm: UInt8 = 1, link: UInt8 = 2, meetingType: UInt8 = 4
    public var pilot: Int32
    public var flags: UInt8
    public var event: RowParsers.Event
    public var ts: Int64
    public var email: String?
    public var visitor: String?
    /// The configured link (or meeting type) that matched, for `link` evidence.
    public var linkEvidence: String?
    /// `source/medium/campaign` of the touch, trimmed with case kept, for `utm` evidence.
    public var utmEvidence: String?
    /// A stable id of the row (file, line order) for identity when it has no email or visitor.
    public var rowId: Int64

    /// A booking matching a scheduling link or meeting type: a meeting booked (3.3).
    public var isMeeting: Bool { event == .booking && flags & (Self.link | Self.meetingType) != 0 }
}

/// A visitor's stitching state: its earliest emailed touch (B16) and its email-less touch count.
public struct VisitorState: Sendable {
    public var ts: Int64 = Int64.max
    public var email: [UInt8] = []
    public var emailless: Int = 0
}

/// What the touch workers share, read-only: pilots, the contact email set, `as_of`.
public final class TouchContext: @unchecked Sendable {
    let pilots: [Pilot]
    let contactEmails: ByteMap<Int32>
    let asOf: Int64
    let earliest: Int64
    let latest: Int64
    let anyLink: Bool
    let anyMeetingType: Bool
    let anyUTM: Bool

    public init(pilots: [Pilot], contactEmails: ByteMap<Int32>, asOf: Int64) {
        self.pilots = pilots
        self.contactEmails = contactEmails
        self.asOf = asOf
        earliest = pilots.map(\.windowStart).min() ?? 0
        latest = pilots.map(\.windowEnd).max() ?? 0
        anyLink = pilots.contains { !$0.linksNorm.isEmpty }
        anyMeetingType = pilots.contains { !$0.meetingTypesNorm.isEmpty }
        anyUTM = pilots.contains { $0.utm != nil }
    }
}

/// Streams touch rows: counts every row, stitches visitors, keeps only pilot-matching touches.
public struct TouchProcessor: RowProcessor {
    let ctx: TouchContext
    var parsers: RowParsers
    public var visitors = ByteMap<VisitorState>(capacity: 1 << 12)
    public var matched: [MatchedTouch] = []
    public var touches = 0
    public var byEmail = 0
    public var anonymousDirect = 0
    let worker: Int64
    var rowCounter: Int64 = 0
    var utm = UTMScratch()
    var linkBuf: [UInt8] = []
    var mtBuf: [UInt8] = []

    public init(context: TouchContext, email: EmailNormalizer, worker: Int) {
        ctx = context
        parsers = RowParsers(email: email)
        self.worker = Int64(worker)
        linkBuf.reserveCapacity(512)
    }

    public mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        guard let t = parsers.touch(&r, file, &acc) else { return }
        touches += 1
        let m = file.mapping
        let visitor = r.field(m.index[TouchField.visitor_id.rawValue]).trimmed()
        if t.email == .valid {
            if parsers.emailBuffer.withUnsafeBufferPointer({ ctx.contactEmails.find($0) }) != nil { byEmail += 1 }
            if visitor.count > 0 {
                let e = visitors.findOrInsert(visitor) { VisitorState() }
                let cur = visitors[entry: e]
                if t.ts < cur.ts || (t.ts == cur.ts && parsers.emailBuffer.lexicographicallyPrecedes(cur.email)) {
                    visitors[entry: e].ts = t.ts
                    visitors[entry: e].email = parsers.emailBuffer
                }
            }
        } else if visitor.count > 0 {
            let e = visitors.findOrInsert(visitor) { VisitorState() }
            visitors[entry: e].emailless += 1
        } else {
            anonymousDirect += 1
        }
        // Project early: a touch outside every window or after as_of can match nothing.
        guard t.ts >= ctx.earliest && t.ts < ctx.latest && t.ts <= ctx.asOf else { return }
        match(&r, m, t.ts, t.event, t.email == .valid, visitor)
    }

    private mutating func match(_ r: inout RecordView, _ m: ColumnMapping, _ ts: Int64, _ event: RowParsers.Event, _ hasEmail: Bool, _ visitor: Bytes) {
        let url = r.field(m.index[TouchField.url.rawValue])
        var utmParsed = false
        var linkNormalized = false
        let mt = r.field(m.index[TouchField.meeting_type.rawValue]).trimmed()
        if ctx.anyMeetingType && mt.count > 0 {
            mtBuf.removeAll(keepingCapacity: true)
            mtBuf += mt.map(asciiLower)
        }
        for p in ctx.pilots where p.inWindow(ts) {
            var flags: UInt8 = 0
            var linkEvidence: String?
            if !p.linksNorm.isEmpty && url.count > 0 {
                if !linkNormalized {
                    URLFields.normalizeLink(url, into: &linkBuf)
                    linkNormalized = true
                }
                if let k = p.linksNorm.firstIndex(where: { URLFields.linkMatches(linkBuf, $0) }) {
                    flags |= MatchedTouch.link
                    linkEvidence = p.links[k]
                }
            }
            if !p.meetingTypesNorm.isEmpty && mt.count > 0, let k = p.meetingTypesNorm.firstIndex(of: mtBuf) {
                flags |= MatchedTouch.meetingType
                if linkEvidence == nil { linkEvidence = p.meetingTypes[k] }
            }
            var utmEvidence: String?
            if let want = p.utm {
                if !utmParsed {
                    resolveUTM(&r, m, url)
                    utmParsed = true
                }
                var ok = true
                for k in 0..<5 {
                    guard let values = want[k] else { continue }
                    let have = utm.values[k].withUnsafeBufferPointer { $0.normalizedText() }
                    if !values.contains(have) {
                        ok = false
                        break
                    }
                }
                if ok {
                    flags |= MatchedTouch.utm
                    utmEvidence = (0..<3).map { String(decoding: utm.values[$0].withUnsafeBufferPointer { $0.trimmed() }, as: UTF8.self) }.joined(separator: "/")
                }
            }
            guard flags != 0 else { continue }
            rowCounter += 1
            matched.append(
                MatchedTouch(
                    pilot: Int32(p.index), flags: flags, event: event, ts: ts,
                    email: hasEmail ? String(decoding: parsers.emailBuffer, as: UTF8.self) : nil,
                    visitor: visitor.count > 0 ? visitor.string : nil, linkEvidence: linkEvidence, utmEvidence: utmEvidence,
                    rowId: worker << 48 | rowCounter))
        }
    }

    /// B7: UTM values from the URL's query, overridden by explicit non-empty utm_* columns.
    private mutating func resolveUTM(_ r: inout RecordView, _ m: ColumnMapping, _ url: Bytes) {
        URLFields.parseUTM(url, into: &utm)
        for k in 0..<5 {
            let col = m.index[TouchField.utm_source.rawValue + k]
            let v = r.field(col)
            if v.trimmed().count > 0 {
                utm.values[k].removeAll(keepingCapacity: true)
                utm.values[k] += v
            }
        }
    }
}

/// B16 across workers: each visitor's earliest emailed touch (ties: smallest email).
public struct VisitorDirectory {
    public var email: [String: String] = [:]
    public var emailless: [String: Int] = [:]

    public init(_ maps: [ByteMap<VisitorState>]) {
        var best: [String: (Int64, [UInt8])] = [:]
        for m in maps {
            for e in 0..<m.count {
                let k = m.keyString(e)
                let v = m[entry: e]
                if v.emailless > 0 { emailless[k, default: 0] += v.emailless }
                guard v.ts != Int64.max else { continue }
                if let cur = best[k], cur.0 < v.ts || (cur.0 == v.ts && !v.email.lexicographicallyPrecedes(cur.1)) { continue }
                best[k] = (v.ts, v.email)
            }
        }
        for (k, v) in best { email[k] = String(decoding: v.1, as: UTF8.self) }
    }
}
