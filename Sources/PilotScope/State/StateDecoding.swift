import Foundation

/// Reading a saved state back. States are untrusted input: every count is checked against the
/// bytes left before anything is allocated for it, every id against the table it indexes, and
/// both checksums before anything is decoded; the first bad byte ends the read with its offset.
extension SavedState {
    /// Decodes a whole state (or, with `headerOnly`, all but its body: `state` then has the
    /// header's `asOf` and files, and empty maps).
    public static func decode(_ bytes: [UInt8], file: String, headerOnly: Bool = false) throws -> SavedState {
        try bytes.withUnsafeBytes { try decode($0, file: file, headerOnly: headerOnly) }
    }

    public static func decode(_ all: UnsafeRawBufferPointer, file: String, headerOnly: Bool = false) throws -> SavedState {
        var r = ByteReader(all, file: file)
        guard all.count >= magic.count, Array(all[0..<magic.count]) == magic else {
            throw r.corrupt("not a PilotScope state (no PSTATE magic)", at: 0)
        }
        r.position = magic.count
        let version = try r.fixed32()
        guard version == formatVersion else {
            throw StateError(
                .refused, file: file,
                "a state of format version \(version), this pilotscope reads version \(formatVersion): rebuild it with `pilotscope partial`")
        }
        let engine = try r.string()
        guard engine == PilotScopeVersion.string else {
            throw StateError(
                .refused, file: file, "a state of pilotscope \(engine), this is pilotscope \(PilotScopeVersion.string): rebuild it with `pilotscope partial`")
        }
        let headerLength = Int(try r.fixed32())
        guard headerLength <= r.remaining else { throw r.corrupt("truncated state (header of \(headerLength) bytes)") }
        let headerStart = r.position
        let headerBytes = UnsafeRawBufferPointer(rebasing: all[headerStart..<headerStart + headerLength])
        r.position += headerLength
        guard try r.fixed32() == StateZlib.crc32(headerBytes) else { throw r.corrupt("header checksum mismatch", at: headerStart) }
        var h = ByteReader(headerBytes, file: file, fileOffset: headerStart)
        var saved = try readHeader(&h, engine: engine)
        guard h.atEnd else { throw h.corrupt("bytes after the header's end") }
        if headerOnly { return saved }
        saved.state = try readBody(&r, into: saved.state, pilots: saved.evidence)
        return saved
    }

    private static func readHeader(_ h: inout ByteReader, engine: String) throws -> SavedState {
        var parts: [StateFingerprint.Part] = []
        for _ in 0..<(try h.count("fingerprint parts", minBytes: 33)) {
            parts.append(StateFingerprint.Part(name: try h.string(), digest: try h.raw(32)))
        }
        let asOf = try h.signed()
        var evidence: [[String]] = []
        for _ in 0..<(try h.count("pilots")) {
            var texts: [String] = []
            for _ in 0..<(try h.count("evidence texts")) { texts.append(try h.string()) }
            evidence.append(texts)
        }
        var state = TouchState(pilots: evidence.count)
        state.asOf = asOf
        for _ in 0..<(try h.count("files", minBytes: 8)) { state.files.append(try CoveredFile.read(&h)) }
        var saved = SavedState(fingerprint: StateFingerprint(parts: parts), evidence: evidence, state: state)
        saved.engine = engine
        return saved
    }

    private static func readBody(_ r: inout ByteReader, into header: TouchState, pilots evidence: [[String]]) throws -> TouchState {
        let coding = try r.u8()
        guard coding <= 1 else { throw r.corrupt("unknown body coding \(coding)", at: r.position - 1) }
        let lengthAt = r.position
        let length = try r.varint()
        let storedLength = try r.count("stored body")
        let crc = try r.fixed32()
        guard storedLength == r.remaining else {
            throw r.corrupt("the body is \(r.remaining) bytes, its header says \(storedLength)" + (storedLength > r.remaining ? " (truncated)" : ""))
        }
        let stored = UnsafeRawBufferPointer(rebasing: r.base[r.position..<r.base.count])
        guard StateZlib.crc32(stored) == crc else { throw r.corrupt("body checksum mismatch") }
        // Deflate expands nothing by more than 1032 times: a larger declared length is a lie.
        guard coding == 1 ? length <= UInt64(storedLength) * 1032 + 64 : length == UInt64(storedLength) else {
            throw r.corrupt("body length \(length) does not fit \(storedLength) stored bytes", at: lengthAt)
        }
        var state = header
        if coding == 0 {
            var b = ByteReader(stored, file: r.file, fileOffset: r.fileOffset + r.position)
            try state.readBody(&b, evidence)
        } else {
            let body = try StateZlib.inflate(stored, length: Int(length), r)
            try body.withUnsafeBytes { raw in
                // Offsets inside an inflated body are offsets in the body: say so.
                var b = ByteReader(raw, file: r.file + " (inflated body)")
                try state.readBody(&b, evidence)
            }
        }
        return state
    }
}

extension CoveredFile {
    static func read(_ h: inout ByteReader) throws -> CoveredFile {
        let realPath = try h.string()
        let size = try h.signed()
        let mtime = try h.signed()
        let sha = try h.string()
        let reading = try h.raw(32)
        let account = try FileAccount.read(&h)
        return CoveredFile(identity: FileIdentity(realPath: realPath, size: size, mtime: mtime), sha256: sha, reading: reading, account: account)
    }
}

extension FileAccount {
    static func read(_ h: inout ByteReader) throws -> FileAccount {
        let path = try h.string()
        let kindAt = h.position
        guard let kind = InputKind(rawValue: try h.string()), kind == .touches else { throw h.corrupt("not a touch file's account", at: kindAt) }
        var a = FileAccount(path: path, kind: kind)
        a.rowsRead = Int(try h.signed())
        a.rowsKept = Int(try h.signed())
        a.blankLines = Int(try h.signed())
        a.footerLines = Int(try h.signed())
        a.bytes = Int(try h.signed())
        a.hasFooterRow = try h.u8() != 0
        for i in 0..<2 {
            var dict: [String: Int] = [:]
            for _ in 0..<(try h.count("reject reasons", minBytes: 2)) { dict[try h.string()] = Int(try h.signed()) }
            if i == 0 { a.rejected = dict } else { a.badValues = dict }
        }
        for _ in 0..<(try h.count("rejected rows", minBytes: 4)) {
            a.rejects.append(RejectRow(file: try h.string(), line: Int(try h.signed()), reason: try h.string(), row: try h.string()))
        }
        var lists: [[Int64]] = []
        for _ in 0..<3 {
            var list: [Int64] = []
            for _ in 0..<(try h.count("times")) { list.append(try h.signed()) }
            lists.append(list)
        }
        let kindsAt = h.position
        guard lists[0].count == TimestampKind.allCases.count else { throw h.corrupt("timestamp kinds: \(lists[0].count) counts", at: kindsAt) }
        a.timestampKinds = lists[0].map { Int($0) }
        (a.minTime, a.maxTime) = (lists[1], lists[2])
        return a
    }
}

extension TouchState {
    /// `count` distinct keys, each with `initial` and then what `after` reads for it; a key
    /// twice is corrupt.
    static func readKeys<V>(
        _ b: inout ByteReader, _ count: Int, _ what: String, _ initial: V, after: (inout ByteReader, inout ByteMap<V>, Int) throws -> Void = { _, _, _ in }
    ) throws -> ByteMap<V> {
        var map = ByteMap<V>(capacity: max(16, count))
        for n in 0..<count {
            let at = b.position
            _ = map.findOrInsert(try b.bytes()) { initial }
            guard map.count == n + 1 else { throw b.corrupt(what + " twice", at: at) }
            try after(&b, &map, n)
        }
        return map
    }

    /// The body: maps, folds, totals, raw touches; every id checked against its table.
    mutating func readBody(_ b: inout ByteReader, _ evidence: [[String]]) throws {
        touches = Int(try b.signed())
        let emailCount = try b.count("emails", minBytes: 2)
        emails = try Self.readKeys(&b, emailCount, "an email", 0) { b, map, n in map[entry: n] = try b.int32("own-touch count") }
        let visitorCount = try b.count("visitors", minBytes: 3)
        visitors = try Self.readKeys(&b, visitorCount, "a visitor", VisitorState())
        for v in 0..<visitorCount { visitors[entry: v].email = try b.id("stitched email", emailCount) }
        for v in 0..<visitorCount { visitors[entry: v].emailless = try b.int32("email-less count") }
        for v in 0..<visitorCount where visitors[entry: v].email >= 0 {
            let at = b.position
            visitors[entry: v].ts = try b.signed()
            // "No time" is what a merge reads as no stitched email: one would be dropped.
            guard visitors[entry: v].ts != Int64.max else { throw b.corrupt("a stitched visitor without a time", at: at) }
        }
        let utmCount = try b.count("UTM texts")
        utmEvidence = try Self.readKeys(&b, utmCount, "a UTM text", UInt8(0))
        let tables = StateTables(emails: emailCount, visitors: visitorCount, utm: utmCount, evidence: evidence.map(\.count))
        try folds.read(&b, tables)
        for _ in 0..<(try b.count("raw touches", minBytes: 8)) { future.append(try MatchedTouch.read(&b, tables)) }
        guard b.atEnd else { throw b.corrupt("bytes after the body's end") }
    }
}

/// Weeks a pilot's counts may span in a state (1,260 years): a hostile week number allocates
/// no more than this many counters.
let maxWeeks = 0xFFFF

/// The sizes ids of a body are checked against.
struct StateTables {
    var emails: Int, visitors: Int, utm: Int
    /// Per pilot: how many evidence texts it has.
    var evidence: [Int]
    var pilots: Int { evidence.count }
}

extension ByteReader {
    /// An id into a table of `count` entries, or -1 for none.
    mutating func id(_ what: String, _ count: Int) throws -> Int32 {
        let at = position
        let v = try signed()
        guard v >= -1 && v < Int64(count) else { throw corrupt("\(what) id \(v) out of range (\(count) entries)", at: at) }
        return Int32(v)
    }
}

extension ByteReader {
    /// `ByteWriter.time`.
    mutating func time() throws -> Int64 {
        let u = try varint()
        guard u > 0 else { return Int64.max }
        let z = u - 1
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }
}

extension TouchFolds {
    mutating func read(_ b: inout ByteReader, _ t: StateTables) throws {
        let pilots = t.pilots
        for _ in 0..<(try b.count("folds", minBytes: 10)) {
            let at = b.position
            let pilot = try b.bounded("pilot", pilots - 1)
            let kindAt = b.position
            guard let kind = PilotIdentity.Kind(rawValue: try b.u8()) else { throw b.corrupt("unknown identity kind", at: kindAt) }
            let id = try b.id("identity", kind == .email ? t.emails : t.visitors)
            guard id >= 0 else { throw b.corrupt("a fold without identity", at: at) }
            let n = aggs.count
            guard fold(PilotIdentity(pilot: pilot, kind: kind, id: id)) == n else { throw b.corrupt("a (pilot, identity) folded twice", at: at) }
            aggs[n].flags = UInt16(try b.bounded("category flags", 0xFFF))
            aggs[n].firstMeeting = try b.time()
            aggs[n].firstMeetingAfter = try b.time()
            aggs[n].firstUTM = try b.time()
            let evidenceAt = b.position
            aggs[n].meetingEvidence = try b.id("meeting evidence", t.evidence[pilot])
            aggs[n].utmEvidence = try b.id("UTM evidence", t.utm)
            // A first meeting or UTM touch has its evidence and no evidence is without one: a
            // merge compares the evidence texts of equal times (B30) and drops evidence without one.
            guard (aggs[n].firstMeeting == Int64.max) == (aggs[n].meetingEvidence < 0),
                (aggs[n].firstUTM == Int64.max) == (aggs[n].utmEvidence < 0)
            else { throw b.corrupt("a first meeting or UTM touch and its evidence do not go together", at: evidenceAt) }
        }
        for _ in 0..<(try b.count("meeting weeks", minBytes: 2)) {
            let at = b.position
            let fw = FoldWeek(fold: try b.bounded("fold", aggs.count - 1), week: try b.bounded("week", maxWeeks))
            guard addMeetingWeek(fw) else { throw b.corrupt("a meeting week twice", at: at) }
        }
        let totalsAt = b.position
        guard try b.count("pilot totals") == pilots else { throw b.corrupt("totals for another number of pilots", at: totalsAt) }
        for k in 0..<pilots { totals[k] = try PilotTouchTotals.read(&b) }
        for _ in 0..<(try b.count("kept touches", minBytes: 8)) { kept.append(try MatchedTouch.read(&b, t)) }
        // A fold id and a time each take at least a byte: the count is checked against the bytes left.
        let points = try b.count("touchpoints", minBytes: 2)
        pointFolds.reserveCapacity(points)
        pointTimes.reserveCapacity(points)
        for _ in 0..<points { pointFolds.append(Int32(try b.bounded("touchpoint fold", aggs.count - 1))) }
        for _ in 0..<points { pointTimes.append(try b.signed()) }
    }
}

extension PilotTouchTotals {
    static func read(_ b: inout ByteReader) throws -> PilotTouchTotals {
        var t = PilotTouchTotals()
        for s in 0..<t.touches.count { t.touches[s] = Int(try b.signed()) }
        for i in 0..<t.anonymous.cells.count { t.anonymous.cells[i] = Int(try b.signed()) }
        for i in 0..<2 {
            // Weeks are bounded by the pilot's window: a count is checked against the bytes left.
            var list: [Int] = []
            let at = b.position
            let n = try b.count("weeks")
            guard n <= maxWeeks + 1 else { throw b.corrupt("\(n) weeks", at: at) }
            for _ in 0..<n { list.append(Int(try b.signed())) }
            if i == 0 { t.weekTouches = list } else { t.weekAnonymousMeetings = list }
        }
        return t
    }
}

extension MatchedTouch {
    static func read(_ b: inout ByteReader, _ t: StateTables) throws -> MatchedTouch {
        let pilot = try b.bounded("pilot", t.pilots - 1)
        let flags = try b.u8()
        let at = b.position
        guard let event = TouchEvent(rawValue: try b.u8()) else { throw b.corrupt("unknown touch event", at: at) }
        let ts = try b.signed()
        let email = try b.id("email", t.emails)
        let visitor = try b.id("visitor", t.visitors)
        let link = try b.id("link evidence", t.evidence[pilot])
        let utm = try b.id("UTM evidence", t.utm)
        return MatchedTouch(
            pilot: Int32(pilot), flags: flags, event: event, ts: ts, email: .id(email), visitor: visitor, linkEvidence: link, utmEvidence: utm)
    }
}
