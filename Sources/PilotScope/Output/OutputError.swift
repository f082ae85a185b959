/// A problem with where or how output is written. `refused` is a usage error (exit 2), found
/// before any data is read: the target is not a folder the tool may replace. The others are
/// failures while writing (exit 1). `cause` is the system's reason, when there is one.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case refused, cannotCreate, writeFailed, cannotReplace }
        private let value: Value
        private init(_ v: Value) { value = v }
        /// The target is not a new, empty or previously written folder (exit 2).
        public static let refused = Code(.refused)
        public static let cannotCreate = Code(.cannotCreate)
        public static let writeFailed = Code(.writeFailed)
        public static let cannotReplace = Code(.cannotReplace)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var path: String
    public var message: String
    public var cause: Errno?

    public init(_ code: Code, path: String, _ message: String, cause: Errno? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.cause = cause
    }

    /// Refusals are usage errors: exit 2.
    public var isUsageError: Bool { code == .refused }

    public var description: String {
        "\(path): \(message)" + (cause.map { " (\($0))" } ?? "")
    }
}
