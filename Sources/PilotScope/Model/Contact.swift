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

/// A deduplicated contact (SPEC 3.1). Fields in size order (the 8-byte ones first, then the
/// optional amount, then the small ones), so a contact is 88 bytes: a million of them are alive
/// at the end of dedup, the run's memory peak. Plain data (no reference to count): its
/// `record_id` is a range of `Contacts.recordIds`, read only by the attribution table.
public struct Contact: Sendable {
    /// Where the primary record's `record_id` starts in `Contacts.recordIds`.
    public var idStart: Int
    public var createdAt: Int64
    public var stages: StageTimes
    public var respondedAt: Int64
    public var amount: Double?
    /// The contact key is an email.
    public var hasEmail: Bool
    public var tagIndex: Int32
    /// Where the merged ICP field values start in `Dedup.Result.values`.
    public var icpStart: UInt32
    /// The length of the `record_id` at `idStart`.
    public var idLength: Int32

    init(
        idStart: Int, idLength: Int32, hasEmail: Bool, createdAt: Int64, stages: StageTimes, respondedAt: Int64, amount: Double?,
        tagIndex: Int32, icpStart: UInt32
    ) {
        self.idStart = idStart
        self.idLength = idLength
        self.createdAt = createdAt
        self.stages = stages
        self.respondedAt = respondedAt
        self.amount = amount
        self.hasEmail = hasEmail
        self.tagIndex = tagIndex
        self.icpStart = icpStart
    }
}
