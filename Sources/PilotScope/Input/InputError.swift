/// A data error that stops the run (exit 1): names the file and a byte offset or line.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case unreadable, corruptGzip, truncatedGzip, trailingGarbage, csvSyntax, unterminatedQuote, fieldTooLarge, recordTooLarge, rejectRate,
                missingColumn, emptyFile, inflaterFailed, corruptArchive, zipMember, missingMember
        }
        private let value: Value
        private init(_ v: Value) { value = v }
        public static let unreadable = Code(.unreadable)
        public static let corruptGzip = Code(.corruptGzip)
        public static let truncatedGzip = Code(.truncatedGzip)
        public static let trailingGarbage = Code(.trailingGarbage)
        public static let csvSyntax = Code(.csvSyntax)
        public static let unterminatedQuote = Code(.unterminatedQuote)
        public static let fieldTooLarge = Code(.fieldTooLarge)
        public static let recordTooLarge = Code(.recordTooLarge)
        public static let rejectRate = Code(.rejectRate)
        public static let missingColumn = Code(.missingColumn)
        public static let emptyFile = Code(.emptyFile)
        /// The inflate engine could not start (out of memory, a broken library).
        public static let inflaterFailed = Code(.inflaterFailed)
        /// A zip archive whose records or member data are damaged (CRC, deflate, headers).
        public static let corruptArchive = Code(.corruptArchive)
        /// A zip member that is encrypted, or stored in a way PilotScope does not read.
        public static let zipMember = Code(.zipMember)
        /// A member an entry names that its archive does not hold.
        public static let missingMember = Code(.missingMember)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var file: String
    public var message: String
    /// Physical line (1 = header) when known.
    public var line: Int?
    /// Byte offset in the file (compressed offset for gzip) when known.
    public var offset: Int?

    public init(_ code: Code, file: String, _ message: String, line: Int? = nil, offset: Int? = nil) {
        self.code = code
        self.file = file
        self.message = message
        self.line = line
        self.offset = offset
    }

    public var description: String {
        var at = file
        if let line { at += ":\(line)" }
        if let offset { at += " (byte offset \(offset))" }
        return "\(at): \(message)"
    }
}

/// Missing required columns are configuration errors (exit 2), found before any data is read.
public struct ColumnError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}
