/// One input file as the pipeline sees it: where it is, what it holds and how to read it.
public struct FileContext: @unchecked Sendable {
    public var index: Int
    /// The path as given (its `scope` in the quality table, B13): relative to the config's folder
    /// for configured files, as typed for command-line files.
    public var path: String
    /// Where the file is opened.
    public var location: String
    public var kind: InputKind
    public var mapping: ColumnMapping
    public var delimiter: UInt8
    public var timestamps: TimestampParser
    /// stage_history: normalized stage name → stage.
    public var stages: [[UInt8]: Stage] = [:]
}

/// A rejected row (B12), its line relative to its chunk until merged.
public struct RejectRow: Sendable {
    public var file: String
    public var line: Int
    public var reason: String
    public var row: String
}

/// Counters of one chunk, merged in chunk order into the file's account.
public struct ChunkAccount {
    /// The chunk's number in its file: with the chunk-relative line, a stable row position.
    public var chunk = 0
    public var rowsRead = 0
    public var rowsKept = 0
    public var rejected: [String: Int] = [:]
    public var badValues: [String: Int] = [:]
    public var rejects: [RejectRow] = []
    /// One-field rows of a footer file, held until the footer is known (B28).
    public var oneFieldRows: [(line: Int, row: String)] = []
    public var lastRecordLine = -1
    public var keepPII = false
    public var timestampKinds: [Int] = Array(repeating: 0, count: TimestampKind.allCases.count)
    public var minTime: [Int64] = []
    public var maxTime: [Int64] = []

    public init() {}

    @inline(__always) public mutating func badValue(_ field: String) {
        badValues["bad_value:" + field, default: 0] += 1
    }
}

/// Per-file totals after the merge (quality rows, B26/B28).
public struct FileAccount: Sendable {
    public var path: String
    public var kind: InputKind
    public var rowsRead = 0
    public var rowsKept = 0
    public var blankLines = 0
    public var footerLines = 0
    public var hasFooterRow = false
    public var rejected: [String: Int] = [:]
    public var badValues: [String: Int] = [:]
    public var rejects: [RejectRow] = []
    public var bytes: Int = 0
    public var timestampKinds: [Int] = Array(repeating: 0, count: TimestampKind.allCases.count)
    public var minTime: [Int64] = []
    public var maxTime: [Int64] = []

    public var rowsRejected: Int { rejected.values.reduce(0, +) }
}
