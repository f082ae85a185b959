/// Stage timestamps in funnel order (`absentTime` when none).
public struct StageTimes: Sendable, Equatable {
    // Five stored values, not an array: no heap allocation per contact.
    public var mql = absentTime, sqm = absentTime, opportunity = absentTime, won = absentTime, lost = absentTime

    public init() {}

    @inline(__always) public subscript(_ s: Stage) -> Int64 {
        get { self[s.index] }
        set { self[s.index] = newValue }
    }

    /// By funnel position: mql 0, sqm 1, opportunity 2, won 3, lost 4.
    @inline(__always) public subscript(_ i: Int) -> Int64 {
        get {
            switch i {
            case 0: return mql
            case 1: return sqm
            case 2: return opportunity
            case 3: return won
            default: return lost
            }
        }
        set {
            switch i {
            case 0: mql = newValue
            case 1: sqm = newValue
            case 2: opportunity = newValue
            case 3: won = newValue
            default: lost = newValue
            }
        }
    }
}

/// ICP field values of many records in one owned byte buffer: per record, each value as a 16-bit
/// length and its bytes (values longer than 65535 bytes are cut: no ICP rule compares such text).
/// One buffer instead of an array of strings per record. Slices returned by `value` point into
/// raw memory that only moves when appending grows it, and nothing appends once the arena is
/// read (a worker fills its own; the merge fills the contacts' one before any read).
public final class ValueArena: @unchecked Sendable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    public init(capacity: Int = 1 << 12) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var c = capacity * 2
        while c < count + extra { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = c
    }

    /// Appends one record's values; returns where they start.
    public func append(_ values: [Bytes]) -> UInt32 {
        let start = UInt32(count)
        for v in values {
            let n = min(v.count, 65535)
            reserve(2 + n)
            base[count] = UInt8(n & 0xFF)
            base[count + 1] = UInt8(n >> 8)
            if n > 0 { (base + count + 2).update(from: v.baseAddress!, count: n) }
            count += 2 + n
        }
        return start
    }

    /// The arena's bytes, for reads without the class (valid while nothing appends).
    public var bytes: UnsafePointer<UInt8> { UnsafePointer(base) }

    /// Value `k` of the record starting at `start`.
    @inline(__always) public func value(_ start: UInt32, _ k: Int) -> Bytes { Self.value(bytes, start, k) }

    /// Value `k` of the record starting at `start` in an arena's `bytes`.
    @inline(__always) public static func value(_ base: UnsafePointer<UInt8>, _ start: UInt32, _ k: Int) -> Bytes {
        var i = Int(start)
        for _ in 0..<k { i += 2 + (Int(base[i]) | Int(base[i + 1]) << 8) }
        let n = Int(base[i]) | Int(base[i + 1]) << 8
        return Bytes(start: base + i + 2, count: n)
    }
}

/// Distinct pilot source tags (normalized), the pilots using each, and their text as configured.
public struct TagTable: Sendable {
    public var map = ByteMap<Int32>(capacity: 16)
    public var pilots: [[Int]] = []
    /// Per tag: pilot index → the tag as that pilot configured it (evidence).
    public var text: [[Int: String]] = []

    public init(_ pilots: [Pilot]) {
        for p in pilots {
            for (k, norm) in p.sourceTagsNorm.enumerated() {
                let next = Int32(self.pilots.count)
                let t = norm.withUnsafeBufferPointer { b in map.findOrInsert(b) { next } }
                if t == self.pilots.count {
                    self.pilots.append([])
                    text.append([:])
                }
                if !self.pilots[t].contains(p.index) { self.pilots[t].append(p.index) }
                if text[t][p.index] == nil { text[t][p.index] = p.sourceTags[k] }
            }
        }
    }

    /// Tag index of a normalized source, or -1.
    @inline(__always) public func index(_ normalized: Bytes) -> Int32 {
        map.find(normalized).map { map[entry: $0] } ?? -1
    }

    public func pilotHasTag(_ tag: Int32, _ pilot: Int) -> Bool { tag >= 0 && pilots[Int(tag)].contains(pilot) }
}

/// One kept CRM row, with what the semantics need (no names: they appear in no table). Text
/// that every record has (its contact key, its B14 tie-break bytes) lives in its worker's arenas.
public struct CRMRecord: Sendable {
    /// Where the record's `record_id` bytes start in its worker's `ids`; its `opportunity_id`
    /// bytes follow them (no string, no heap allocation per record).
    public var idStart: Int
    public var idLength: Int32
    public var opportunityLength: Int32
    /// Worker-local id of the contact key (`e:` email, `n:` first last @ domain, `r:` record id).
    public var keyId: Int32
    public var createdAt: Int64
    public var stages = StageTimes()
    public var respondedAt: Int64
    public var amount: Double?
    /// Index of the pilot tag the source equals (normalized), or -1.
    public var tagIndex: Int32
    /// The source looks like `Partner Pilot: …` but equals no pilot's tag.
    public var unknownTag: Bool
    /// Where the ICP field values (union over pilots, trimmed) start in the worker's value arena.
    public var icpStart: UInt32
    /// B14/B34 tie-break: a hash of the field values in canonical order, then the other columns
    /// by header. The bytes themselves are fetched again only for records that tie on
    /// `created_at` and `record_id` with different values (rare), by their position.
    public var tiebreakHash: UInt64
    public var position: RowPosition
}

/// Where a row is: its file (index among the CRM inputs), chunk and chunk-relative line. Chunk
/// cuts depend only on the bytes of the file, so a second read finds the same positions.
public struct RowPosition: Hashable, Sendable {
    public var file: Int32
    public var chunk: Int32
    public var line: Int32
}

/// A stage-history row (2.2b) after parsing.
public struct HistoryRow: Sendable {
    public var recordId: String
    public var stage: Stage?
    public var changedAt: Int64
}

/// A deduplicated contact (SPEC 3.1).
public struct Contact: Sendable {
    public var recordId: String
    /// The contact key is an email.
    public var hasEmail: Bool
    public var createdAt: Int64
    public var stages: StageTimes
    public var respondedAt: Int64
    public var amount: Double?
    public var tagIndex: Int32
    /// Where the merged ICP field values start in `Dedup.Result.values`.
    public var icpStart: UInt32
    public var records: Int
}

/// Reads CRM and stage-history rows into worker-local lists (thread-local, merged at the end).
public struct CRMProcessor: RowProcessor {
    var parsers: RowParsers
    let icpFields: [String]
    let tags: TagTable
    public var records: [CRMRecord] = []
    /// Record and opportunity ids of `records`, back to back.
    public var ids: [UInt8] = []
    public var keys = ByteMap<UInt8>(capacity: 1 << 14)
    public let values = ValueArena()
    var valueScratch: [Bytes] = []
    var icpColumns: [Int] = []
    var icpColumnsFile = -1
    public var history: [HistoryRow] = []
    public var historyUnmapped = 0
    var nameBuf: [UInt8] = []
    var sourceBuf: [UInt8] = []
    /// Contact keys waiting for their batch (prefetched lookups) and the records they belong to.
    var pendingKeys = KeyBatch<UInt8>()
    var pendingRecords: [Int] = []
    static let partnerPrefix = Array("partner pilot:".utf8)

    public init(email: EmailNormalizer, icpFields: [String], tags: TagTable) {
        parsers = RowParsers(email: email)
        self.icpFields = icpFields
        self.tags = tags
    }

    private static let fieldIndex: [String: Int] = Dictionary(uniqueKeysWithValues: CRMField.allCases.map { ($0.name, $0.rawValue) })

    public mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        if file.kind == .stage_history {
            guard let (id, stageName, t) = parsers.history(&r, file, &acc) else { return }
            let stage = file.stages[stageName.normalizedText()]
            history.append(HistoryRow(recordId: id.string, stage: stage, changedAt: t))
            return
        }
        guard let row = parsers.crm(&r, file, &acc) else { return }
        let cols = file.mapping.cols
        func text(_ f: CRMField) -> Bytes { r.field(cols[f.rawValue]).trimmed() }
        // The contact key, with a one-letter kind prefix, into a reused buffer; interned.
        nameBuf.removeAll(keepingCapacity: true)
        if row.emailState == .valid {
            nameBuf += [0x65, 0x3A]  // "e:"
            nameBuf += parsers.emailBuffer
        } else {
            let fn = text(.first_name), ln = text(.last_name), dom = text(.company_domain)
            if fn.count > 0 && ln.count > 0 && dom.count > 0 {
                nameBuf += [0x6E, 0x3A]  // "n:"
                for b in fn { nameBuf.append(asciiLower(b)) }
                nameBuf.append(0x20)
                for b in ln { nameBuf.append(asciiLower(b)) }
                nameBuf += [0x20, 0x40, 0x20]
                for b in dom { nameBuf.append(asciiLower(b)) }
            } else {
                nameBuf += [0x72, 0x3A]  // "r:"
                nameBuf += row.recordId
            }
        }
        // The key is interned in batches (prefetched map slots): `keyId` is filled in by `flushKeys`.
        _ = nameBuf.withUnsafeBufferPointer { pendingKeys.add($0, prefetchingIn: keys) }
        pendingRecords.append(records.count)
        valueScratch.removeAll(keepingCapacity: true)
        // The columns of the ICP fields depend on the file only: resolve them once per file.
        if icpColumnsFile != file.index {
            icpColumnsFile = file.index
            icpColumns = icpFields.map { name in
                if let fi = Self.fieldIndex[name] { return file.mapping.index[fi] }
                return file.mapping.extras.first { $0.name == name }?.index ?? -1
            }
        }
        for c in icpColumns { valueScratch.append(r.field(c).trimmed()) }
        let icpStart = values.append(valueScratch)
        let tiebreakHash = Dedup.tiebreakHash(&r, file.mapping)
        let source = text(.source)
        sourceBuf.removeAll(keepingCapacity: true)
        for b in source { sourceBuf.append(asciiLower(b)) }
        let tag = sourceBuf.withUnsafeBufferPointer { tags.index($0) }
        let unknown = tag < 0 && sourceBuf.starts(with: Self.partnerPrefix)
        let idStart = ids.count
        let opportunityId = text(.opportunity_id)
        ids.append(contentsOf: row.recordId)
        ids.append(contentsOf: opportunityId)
        var rec = CRMRecord(
            idStart: idStart, idLength: Int32(row.recordId.count), opportunityLength: Int32(opportunityId.count), keyId: -1,
            createdAt: row.createdAt, respondedAt: row.respondedAt, amount: row.amount, tagIndex: tag, unknownTag: unknown,
            icpStart: icpStart, tiebreakHash: tiebreakHash,
            position: RowPosition(file: Int32(file.index), chunk: Int32(acc.chunk), line: Int32(r.line)))
        (rec.stages.mql, rec.stages.sqm, rec.stages.opportunity, rec.stages.won, rec.stages.lost) = row.stages
        records.append(rec)
        if pendingKeys.count == mapLookupBatch { flushKeys() }
    }

    public mutating func finish() { flushKeys() }

    mutating func flushKeys() {
        pendingKeys.resolve(in: &keys) { 0 }
        for (r, id) in zip(pendingRecords, pendingKeys.ids) { records[r].keyId = id }
        pendingKeys.removeAll()
        pendingRecords.removeAll(keepingCapacity: true)
    }
}

/// SPEC 3.1 / B14: merges records with the same key; the primary is the earliest `created_at`,
/// then the smallest `record_id` by bytes, then the field values by bytes.
public enum Dedup {
    /// A record of one worker.
    struct Ref { var worker: Int32; var index: Int32 }

    /// SPEC 3.1: merges records with the same key. The primary is the earliest `created_at`, then
    /// the smallest `record_id` by bytes, then the field values by bytes (B14). Linear grouping:
    /// keys are merged through a byte map, members gathered by a counting sort, and only groups
    /// of more than one record are sorted. Contacts come out in primary order, whatever the order
    /// of files, chunks or threads.
    /// The merged contacts, their emails (normalized email → contact index, for the touch phase),
    /// and the stage-history counts (2.2b): each mapped row sets a stage time if earlier. History
    /// finds a contact by any member record's `record_id` or `opportunity_id`.
    public struct Result {
        public var contacts: [Contact]
        public var emails: ByteMap<Int32>
        public var historyUnmapped = 0
        public var historyUnknown = 0
        /// Merged ICP field values of the contacts.
        public var values = ValueArena(capacity: 1 << 16)
    }

    /// The workers' records and id bytes through raw pointers, valid inside `body` only: the
    /// merge reads records across workers without copying a worker struct per access.
    struct Records {
        let recs: [UnsafeBufferPointer<CRMRecord>]
        let ids: [UnsafeBufferPointer<UInt8>]

        @inline(__always) func record(_ r: Ref) -> UnsafePointer<CRMRecord> { recs[Int(r.worker)].baseAddress! + Int(r.index) }

        @inline(__always) func id(_ r: Ref) -> Bytes {
            let x = record(r)
            return Bytes(rebasing: ids[Int(r.worker)][x.pointee.idStart..<(x.pointee.idStart + Int(x.pointee.idLength))])
        }

        @inline(__always) func opportunityId(_ r: Ref) -> Bytes {
            let x = record(r)
            let start = x.pointee.idStart + Int(x.pointee.idLength)
            return Bytes(rebasing: ids[Int(r.worker)][start..<(start + Int(x.pointee.opportunityLength))])
        }

        /// Primary order without the row text: created_at, record_id by bytes, then the hash of
        /// the values (exact ties of those are resolved with the text, see `merge`).
        @inline(__always) func less(_ a: Ref, _ b: Ref) -> Bool {
            let x = record(a), y = record(b)
            if x.pointee.createdAt != y.pointee.createdAt { return x.pointee.createdAt < y.pointee.createdAt }
            let ia = id(a), ib = id(b)
            if !ia.elementsEqual(ib) { return ia.lexicographicallyPrecedes(ib) }
            return x.pointee.tiebreakHash < y.pointee.tiebreakHash
        }

        static func with<R>(_ workers: [CRMProcessor], _ body: (Records) throws -> R) rethrows -> R {
            var recs: [UnsafeBufferPointer<CRMRecord>] = [], ids: [UnsafeBufferPointer<UInt8>] = []
            func nest(_ i: Int) throws -> R {
                if i == workers.count { return try body(Records(recs: recs, ids: ids)) }
                return try workers[i].records.withUnsafeBufferPointer { r in
                    try workers[i].ids.withUnsafeBufferPointer { d in
                        recs.append(r)
                        ids.append(d)
                        return try nest(i + 1)
                    }
                }
            }
            return try nest(0)
        }
    }

    public static func merge(
        _ workers: [CRMProcessor], asOf: Int64, fetchTiebreaks: (Set<RowPosition>) throws -> [RowPosition: [UInt8]]
    ) throws -> Result {
        try Records.with(workers) { v in try merge(workers, v, asOf: asOf, fetchTiebreaks: fetchTiebreaks) }
    }

    static func merge(
        _ workers: [CRMProcessor], _ v: Records, asOf: Int64, fetchTiebreaks: (Set<RowPosition>) throws -> [RowPosition: [UInt8]]
    ) throws -> Result {
        var keys = ByteMap<UInt8>(capacity: workers.reduce(0) { $0 + $1.keys.count })
        let zero = UInt8(0)
        var keyMaps: [[Int32]] = []
        for w in workers {
            var m = [Int32](repeating: 0, count: w.keys.count)
            for k in 0..<w.keys.count { m[k] = Int32(w.keys.withKey(k) { keys.findOrInsert($0) { zero } }) }
            keyMaps.append(m)
        }
        let groups = keys.count
        // Counting sort of records by global key.
        var counts = [Int32](repeating: 0, count: groups + 1)
        for (wi, w) in v.recs.enumerated() {
            keyMaps[wi].withUnsafeBufferPointer { km in for r in w { counts[Int(km[Int(r.keyId)]) + 1] += 1 } }
        }
        for g in 0..<groups { counts[g + 1] += counts[g] }
        var members = [Ref](repeating: Ref(worker: 0, index: 0), count: Int(counts[groups]))
        var fill = counts
        for (wi, w) in v.recs.enumerated() {
            keyMaps[wi].withUnsafeBufferPointer { km in
                for (ri, r) in w.enumerated() {
                    let g = Int(km[Int(r.keyId)])
                    members[Int(fill[g])] = Ref(worker: Int32(wi), index: Int32(ri))
                    fill[g] += 1
                }
            }
        }
        fill = []
        keyMaps = []
        var tied: [Int] = []
        var tiedPositions = Set<RowPosition>()
        for g in 0..<groups {
            let lo = Int(counts[g]), hi = Int(counts[g + 1])
            guard hi - lo > 1 else { continue }
            members[lo..<hi].sort(by: v.less)
            // Records tied on created_at and record_id with different values need their text (B14).
            var hasTie = false
            for k in lo..<(hi - 1) {
                let x = v.record(members[k]).pointee, y = v.record(members[k + 1]).pointee
                if x.createdAt == y.createdAt && x.tiebreakHash != y.tiebreakHash && v.id(members[k]).elementsEqual(v.id(members[k + 1])) {
                    hasTie = true
                    tiedPositions.insert(x.position)
                    tiedPositions.insert(y.position)
                }
            }
            if hasTie { tied.append(g) }
        }
        if !tied.isEmpty {
            let text = try fetchTiebreaks(tiedPositions)
            for g in tied {
                members[Int(counts[g])..<Int(counts[g + 1])].sort { a, b in
                    let x = v.record(a).pointee, y = v.record(b).pointee
                    if x.createdAt != y.createdAt || x.tiebreakHash == y.tiebreakHash || !v.id(a).elementsEqual(v.id(b)) { return v.less(a, b) }
                    return (text[x.position] ?? []).lexicographicallyPrecedes(text[y.position] ?? [])
                }
            }
        }
        // Contacts in the order of their primary records: sorted by created_at inline, the rare
        // equal times by the full order.
        var primaries = [PrimaryKey](repeating: PrimaryKey(createdAt: 0, group: 0), count: groups)
        for g in 0..<groups { primaries[g] = PrimaryKey(createdAt: v.record(members[Int(counts[g])]).pointee.createdAt, group: Int32(g)) }
        primaries.sort { a, b in
            if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
            return v.less(members[Int(counts[Int(a.group)])], members[Int(counts[Int(b.group)])])
        }
        // Stage history, looked up only by the ids history names (few): a small map of those ids.
        var rows: [HistoryRow] = []
        for w in workers { rows += w.history }
        var wanted = ByteMap<Int32>(capacity: max(16, rows.count))
        var nextRow = [Int32](repeating: -1, count: rows.count)
        for (i, h) in rows.enumerated().reversed() {
            let e = Array(h.recordId.utf8).withUnsafeBufferPointer { wanted.findOrInsert($0) { -1 } }
            nextRow[i] = wanted[entry: e]
            wanted[entry: e] = Int32(i)
        }
        var target = [Int](repeating: -1, count: rows.count)
        var result = Result(contacts: [], emails: ByteMap<Int32>(capacity: groups))
        var valueScratch: [Bytes] = []
        // Raw bytes of the workers' value arenas: nothing appends to them during the merge.
        let arenas = workers.map(\.values.bytes)
        let icpCount = workers.first?.icpFields.count ?? 0
        // Contacts are built in group order (records are read about in storage order, not at
        // random) and stored at their rank in primary order.
        var rank = [Int32](repeating: 0, count: groups)
        for (i, pk) in primaries.enumerated() { rank[Int(pk.group)] = Int32(i) }
        primaries = []
        let valueArena = result.values
        var emailMap = ByteMap<Int32>(capacity: groups)
        result.contacts = [Contact](unsafeUninitializedCapacity: groups) { buf, initialized in
          members.withUnsafeBufferPointer { allMembers in
            for g in 0..<groups {
                let slice = UnsafeBufferPointer(rebasing: allMembers[Int(counts[g])..<Int(counts[g + 1])])
                var c = contact(v, slice)
                c.icpStart = mergeValues(v, arenas, icpCount, slice, into: valueArena, scratch: &valueScratch)
                let ci = Int(rank[g])
                keys.withKey(g) { k in
                    if k.count > 2 && k[0] == 0x65 {
                        c.hasEmail = true
                        _ = emailMap.findOrInsert(Bytes(rebasing: k[2...])) { Int32(ci) }
                    }
                }
                if !rows.isEmpty {
                    for ref in slice {
                        for which in 0..<2 {
                            let id = which == 0 ? v.id(ref) : v.opportunityId(ref)
                            guard id.count > 0, let e = wanted.find(id) else { continue }
                            var hi = wanted[entry: e]
                            while hi >= 0 {
                                // The first contact in primary order that names the row's id.
                                if target[Int(hi)] < 0 || target[Int(hi)] > ci { target[Int(hi)] = ci }
                                hi = nextRow[Int(hi)]
                            }
                        }
                    }
                }
                (buf.baseAddress! + ci).initialize(to: c)
            }
          }
            initialized = groups
        }
        result.emails = emailMap
        for (hi, h) in rows.enumerated() {
            if h.stage == nil { result.historyUnmapped += 1 }
            if target[hi] < 0 { result.historyUnknown += 1 }
            guard let s = h.stage, target[hi] >= 0, h.changedAt <= asOf else { continue }
            if h.changedAt < result.contacts[target[hi]].stages[s] { result.contacts[target[hi]].stages[s] = h.changedAt }
        }
        return result
    }

    struct PrimaryKey {
        var createdAt: Int64
        var group: Int32
    }

    /// A hash of the values `tiebreakBytes` lists, field by field (no copy of the row): equal
    /// value lists hash equal; different ones differ but for hash collisions, which only decide
    /// whether the text of a tie is fetched again.
    static func tiebreakHash(_ r: inout RecordView, _ m: ColumnMapping) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func add(_ field: Bytes) {
            h = (h ^ hashBytes(field) ^ UInt64(field.count)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
        }
        for fi in 0..<m.index.count { add(r.field(m.index[fi])) }
        for e in m.extras { add(r.field(e.index)) }
        return h
    }

    /// B34: the record's field values as raw text, canonical fields first, then the other columns
    /// by header name, each followed by 0x01 (so byte order is the order of the value lists).
    static func tiebreakBytes(_ r: inout RecordView, _ m: ColumnMapping, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        for fi in 0..<m.index.count {
            out += r.field(m.index[fi])
            out.append(0x01)
        }
        for e in m.extras {
            out += r.field(e.index)
            out.append(0x01)
        }
    }

    /// Each ICP value: the primary's, or where empty the next member's non-empty one (3.1).
    static func mergeValues(_ v: Records, _ arenas: [UnsafePointer<UInt8>], _ n: Int, _ members: UnsafeBufferPointer<Ref>, into arena: ValueArena, scratch: inout [Bytes]) -> UInt32 {
        guard n > 0 else { return arena.append([]) }
        scratch.removeAll(keepingCapacity: true)
        for k in 0..<n {
            var value = Bytes(start: nil, count: 0)
            for ref in members {
                let x = ValueArena.value(arenas[Int(ref.worker)], v.record(ref).pointee.icpStart, k)
                if x.count > 0 {
                    value = x
                    break
                }
            }
            scratch.append(value)
        }
        return arena.append(scratch)
    }

    static func contact(_ v: Records, _ members: UnsafeBufferPointer<Ref>) -> Contact {
        let first = members.first!
        let p = v.record(first).pointee
        var c = Contact(
            recordId: String(decoding: v.id(first), as: UTF8.self), hasEmail: false, createdAt: p.createdAt, stages: p.stages,
            respondedAt: p.respondedAt, amount: p.amount, tagIndex: p.tagIndex, icpStart: 0, records: members.count)
        var tagged = false
        for ref in members {
            let m = v.record(ref)
            for s in 0..<5 where m.pointee.stages[s] < c.stages[s] { c.stages[s] = m.pointee.stages[s] }
            c.respondedAt = min(c.respondedAt, m.pointee.respondedAt)
            if let a = m.pointee.amount { c.amount = max(c.amount ?? a, a) }
            if !tagged && m.pointee.tagIndex >= 0 {
                // The first source (in primary order) that matches a pilot's tag.
                tagged = true
                c.tagIndex = m.pointee.tagIndex
            }
        }
        return c
    }

}
