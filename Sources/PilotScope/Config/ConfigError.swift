/// A configuration problem: exit code 2. `path` is the key path (`pilots[2].thresholds.scael`).
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var severity: Severity
    public var pilot: String?
    public var key: String
    public var message: String
    /// The configuration file, when known (every message names it).
    public var file: String? = nil

    public var description: String {
        let who = pilot.map { "pilot '\($0)': " } ?? ""
        let whereFrom = file.map { "\($0): " } ?? ""
        return "\(whereFrom)\(severity.rawValue): \(who)\(key.isEmpty ? "" : key + ": ")\(message)"
    }
}

public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var issues: [ConfigIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
    public init(_ issues: [ConfigIssue]) { self.issues = issues }

    /// The same issues, each naming the configuration file `file`.
    public func naming(_ file: String) -> ConfigError {
        ConfigError(
            issues.map { i in
                var i = i
                if i.file == nil { i.file = file }
                return i
            })
    }
    public init(key: String, _ message: String, pilot: String? = nil) {
        issues = [ConfigIssue(severity: .error, pilot: pilot, key: key, message: message)]
    }
}
