/// Stage two of a report: the kept CRM and stage-history rows of every file, in the workers'
/// thread-local lists, with the files' accounts and checksums.
public struct CRMRecords {
    public var workers: [CRMProcessor]
    public var accounts: [FileAccount]
    /// SHA-256 of each file as stored, by scope.
    public var checksums: [String: String]
    public let tags: TagTable

    public static func read(_ plan: ReportPlan) throws -> CRMRecords {
        let tags = TagTable(plan.config.pilots)
        let pipeline = plan.options.pipeline(CRMProcessor.self, checksums: true)
        let (workers, accounts) = try pipeline.run(files: plan.crmFiles) {
            CRMProcessor(email: plan.config.email, icpFields: plan.icpFields, tags: tags)
        }
        try plan.checkRejectRates(accounts)
        var checksums: [String: String] = [:]
        for f in plan.crmFiles { checksums[f.path] = pipeline.checksums[f.index] }
        return CRMRecords(workers: workers, accounts: accounts, checksums: checksums, tags: tags)
    }
}

/// What the quality table counts on the CRM side (B26, B33).
public struct CRMQuality: Sendable {
    public var recordsKept = 0
    public var unknownPilotTag = 0
    public var stageBeforeCreated = 0
    public var historyUnmapped = 0
    public var historyUnknown = 0
}

/// Stage three: the deduplicated contacts (3.1, B14) with stage history applied, cut at `as_of`
/// (B1: no stage or response time after it exists for the metrics), and the email → contact map
/// the touches resolve by.
public struct Contacts: Sendable {
    public var contacts: [Contact]
    /// Normalized email → contact index.
    public var emails: ContactEmails
    /// Merged ICP field values (`Contact.icpStart`), one per field of `icpFields`.
    public var values: ValueArena
    /// The contacts' `record_id` bytes (`Contact.idStart`, `idLength`).
    public var recordIds: [UInt8]
    public var icpFields: [String]
    public var tags: TagTable
    public var quality: CRMQuality

    /// Dedup and the `as_of` cut. The records are consumed: their memory is freed once merged.
    public static func merge(_ records: consuming CRMRecords, _ plan: ReportPlan) throws -> Contacts {
        var q = CRMQuality()
        q.recordsKept = records.workers.reduce(0) { $0 + $1.records.count }
        q.unknownPilotTag = records.workers.reduce(0) { n, w in w.records.reduce(n) { $0 + ($1.unknownTag ? 1 : 0) } }
        let tags = records.tags
        let crmFiles = plan.crmFiles
        var merged = try Dedup.merge(&records.workers, asOf: plan.asOf) { wanted in
            try TiebreakCollector.fetch(wanted, files: crmFiles, options: plan.options)
        }
        records.workers = []  // merged: free them
        var contacts = merged.contacts
        merged.contacts = []  // one owner, so the edits below do not copy the array
        (q.historyUnmapped, q.historyUnknown) = (merged.historyUnmapped, merged.historyUnknown)
        q.stageBeforeCreated = cutAtAsOf(&contacts, plan.asOf)
        return Contacts(
            contacts: contacts, emails: merged.emails, values: merged.values, recordIds: merged.recordIds, icpFields: plan.icpFields,
            tags: tags, quality: q)
    }

    /// B1: drops stage and response times after `as_of`; returns how many stage times lie before
    /// their contact's `created_at` (counted before the cut, `stage_before_created`).
    static func cutAtAsOf(_ contacts: inout [Contact], _ asOf: Int64) -> Int {
        var before = 0
        for i in contacts.indices {
            for s in Stage.allCases where contacts[i].stages[s] != absentTime {
                if contacts[i].stages[s] < contacts[i].createdAt { before += 1 }
                if contacts[i].stages[s] > asOf { contacts[i].stages[s] = absentTime }
            }
            if contacts[i].respondedAt != absentTime && contacts[i].respondedAt > asOf { contacts[i].respondedAt = absentTime }
        }
        return before
    }
}

/// The second, targeted read of B14 ties: the field text of the rows at the wanted positions.
struct TiebreakCollector: RowProcessor {
    let wanted: Set<RowPosition>
    var found: [RowPosition: [UInt8]] = [:]
    var buffer: [UInt8] = []

    mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        guard file.kind == .crm else { return }
        let p = RowPosition(file: Int32(file.index), chunk: Int32(acc.chunk), line: Int32(r.line))
        guard wanted.contains(p) else { return }
        Dedup.tiebreakBytes(&r, file.mapping, into: &buffer)
        found[p] = buffer
    }

    /// Reads the CRM files again for the text of just the wanted rows.
    static func fetch(_ wanted: Set<RowPosition>, files: [FileContext], options: ReportOptions) throws -> [RowPosition: [UInt8]] {
        let again = Pipeline<TiebreakCollector>(threads: options.threads, engine: options.engine, backend: options.backend)
        let (collectors, _) = try again.run(files: files) { TiebreakCollector(wanted: wanted) }
        return collectors.reduce(into: [:]) { all, c in all.merge(c.found) { a, _ in a } }
    }
}

/// Normalized email → contact, read from the dedup's own map of contact keys (an email key is
/// `e:` and the email, one per contact) and each key's contact: no second map of a million emails
/// is built beside the first (it was the memory peak's last addition, at the end of dedup).
public struct ContactEmails: Sendable {
    /// The contact-key prefix of an email key (`CRMProcessor.buildKey` writes it).
    static let prefix: [UInt8] = [0x65, 0x3A]  // "e:"
    let keys: ByteMap<UInt8>
    /// Per key (a dedup group): its contact's index.
    let contactOfGroup: [Int32]

    /// No email: what `Contacts.emails` becomes once the touches are resolved (nothing looks an
    /// email up after that; the map of every contact key is freed with the raw touch state,
    /// `ReportEngine.run`).
    public static let none = ContactEmails(keys: ByteMap(capacity: 1), contactOfGroup: [])

    /// The contact whose normalized email is `email`, if any.
    public func contact(_ email: Bytes) -> Int32? {
        var key: [UInt8] = []
        return Self.key(of: email, into: &key).withUnsafeBufferPointer { keys.find($0).map { contactOfGroup[$0] } }
    }

    /// The contact key of an email: the prefix, then the email's bytes (in `scratch`, reused).
    private static func key(of email: Bytes, into scratch: inout [UInt8]) -> [UInt8] {
        scratch.removeAll(keepingCapacity: true)
        scratch += prefix
        scratch += email
        return scratch
    }

    /// `contact` of every key of `emails` in `range`, written to `out[e]` (left as is when none),
    /// looked up in batches whose slots and entries are prefetched; returns the sum of the
    /// `emails` values (touch counts) of the keys that have a contact.
    func contacts(_ range: Range<Int>, of emails: ByteMap<Int32>, into out: UnsafeMutableBufferPointer<Int32>) -> Int {
        var batch = KeyBatch<UInt8>()
        var scratch: [UInt8] = []
        var total = 0
        for from in stride(from: range.lowerBound, to: range.upperBound, by: 32) {
            batch.removeAll()
            for e in from..<min(from + 32, range.upperBound) {
                let key = emails.withKey(e) { Self.key(of: $0, into: &scratch) }
                _ = key.withUnsafeBufferPointer { batch.add($0, prefetchingIn: keys) }
            }
            batch.find(in: keys) { i, g in
                out[from + i] = contactOfGroup[g]
                total += Int(emails[entry: from + i])
            }
        }
        return total
    }
}
