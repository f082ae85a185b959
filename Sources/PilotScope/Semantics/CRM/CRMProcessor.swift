/// One kept CRM row, with what the semantics need (no names: they appear in no table). Text
/// that every record has (its contact key, its B14 tie-break bytes) lives in its worker's arenas.
public struct CRMRecord: Sendable {
    // Fields in size order (8-byte ones first): 120 bytes a record, not 128.
    /// Where the record's `record_id` bytes start in its worker's `ids`; its `opportunity_id`
    /// bytes follow them (no string, no heap allocation per record).
    public var idStart: Int
    public var createdAt: Int64
    public var stages = StageTimes()
    public var respondedAt: Int64
    /// B14/B34 tie-break: a hash of the field values in canonical order, then the other columns
    /// by header. The bytes themselves are fetched again only for records that tie on
    /// `created_at` and `record_id` with different values (rare), by their position.
    public var tiebreakHash: UInt64
    public var amount: Double?
    /// The source looks like `Partner Pilot: …` but equals no pilot's tag.
    public var unknownTag: Bool
    public var idLength: Int32
    public var opportunityLength: Int32
    /// Worker-local id of the contact key (`e:` email, `n:` first last @ domain, `r:` record id).
    public var keyId: Int32
    /// Index of the pilot tag the source equals (normalized), or -1.
    public var tagIndex: Int32
    /// Where the ICP field values (union over pilots, trimmed) start in the worker's value arena.
    public var icpStart: UInt32
    public var position: RowPosition

    public init(
        idStart: Int, idLength: Int32, opportunityLength: Int32, keyId: Int32, createdAt: Int64, respondedAt: Int64, amount: Double?,
        tagIndex: Int32, unknownTag: Bool, icpStart: UInt32, tiebreakHash: UInt64, position: RowPosition
    ) {
        self.idStart = idStart
        self.createdAt = createdAt
        self.respondedAt = respondedAt
        self.tiebreakHash = tiebreakHash
        self.amount = amount
        self.unknownTag = unknownTag
        self.idLength = idLength
        self.opportunityLength = opportunityLength
        self.keyId = keyId
        self.tagIndex = tagIndex
        self.icpStart = icpStart
        self.position = position
    }
}

/// Reads CRM and stage-history rows into worker-local lists (thread-local, merged at the end).
public struct CRMProcessor: RowProcessor {
    var parsers: RowParsers
    let icpFields: [String]
    let tags: TagTable
    /// Paged: a million records grow without being copied.
    public var records = PagedArray<CRMRecord>(capacity: 1 << 12)
    /// Record and opportunity ids of `records`, back to back (grown in place: `ByteStore`).
    public let ids = ByteStore(capacity: 1 << 16)
    public var keys = ByteMap<UInt8>(capacity: 1 << 14)
    public let values = ValueArena()
    var valueScratch: [Bytes] = []
    var icpColumns: [Int] = []
    /// Per ICP field: whether it is a parsed field whose bad values count as empty (B36).
    let icpParsed: [ParsedField]

    enum ParsedField { case text, employees, amount, email }
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
        icpParsed = icpFields.map { ["employees": .employees, "amount": .amount, "email": .email][$0] ?? .text }
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
        buildKey(row, first: text(.first_name), last: text(.last_name), domain: text(.company_domain))
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
        for (k, c) in icpColumns.enumerated() {
            // B36: a value B8 or B9 makes a bad_value counts as empty, so the next record's
            // parseable one survives the merge.
            let bad: Bool
            switch icpParsed[k] {
            case .employees: bad = row.employees == nil
            case .amount: bad = row.amount == nil
            case .email: bad = row.emailState != .valid
            case .text: bad = false
            }
            valueScratch.append(bad ? Bytes(start: nil, count: 0) : r.field(c).trimmed())
        }
        let icpStart = values.append(valueScratch)
        let tiebreakHash = Dedup.tiebreakHash(&r, file.mapping)
        let source = text(.source)
        sourceBuf.removeAll(keepingCapacity: true)
        for b in source { sourceBuf.append(asciiLower(b)) }
        let tag = sourceBuf.withUnsafeBufferPointer { tags.index($0) }
        let unknown = tag < 0 && sourceBuf.starts(with: Self.partnerPrefix)
        let idStart = ids.count
        let opportunityId = text(.opportunity_id)
        ids.append(row.recordId)
        ids.append(opportunityId)
        var rec = CRMRecord(
            idStart: idStart, idLength: Int32(row.recordId.count), opportunityLength: Int32(opportunityId.count), keyId: -1,
            createdAt: row.createdAt, respondedAt: row.respondedAt, amount: row.amount, tagIndex: tag, unknownTag: unknown,
            icpStart: icpStart, tiebreakHash: tiebreakHash,
            position: RowPosition(file: Int32(file.index), chunk: Int32(acc.chunk), line: Int32(r.line)))
        (rec.stages.mql, rec.stages.sqm, rec.stages.opportunity, rec.stages.won, rec.stages.lost) = row.stages
        records.append(rec)
        if pendingKeys.count == mapLookupBatch { flushKeys() }
    }

    /// The contact key (3.1) into `nameBuf`, with a one-letter kind prefix: `e:` the normalized
    /// email, else `n:` first last @ domain (lower-cased, B15), else `r:` the record id.
    private mutating func buildKey(_ row: CRMRow, first fn: Bytes, last ln: Bytes, domain dom: Bytes) {
        nameBuf.removeAll(keepingCapacity: true)
        if row.emailState == .valid {
            nameBuf += ContactEmails.prefix  // "e:"
            nameBuf += parsers.emailBuffer
        } else if fn.count > 0 && ln.count > 0 && dom.count > 0 {
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

    public mutating func finish() { flushKeys() }

    mutating func flushKeys() {
        pendingKeys.resolve(in: &keys) { 0 }
        for (r, id) in zip(pendingRecords, pendingKeys.ids) { records.update(r) { $0.keyId = id } }
        pendingKeys.removeAll()
        pendingRecords.removeAll(keepingCapacity: true)
    }
}
