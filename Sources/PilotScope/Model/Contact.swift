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
