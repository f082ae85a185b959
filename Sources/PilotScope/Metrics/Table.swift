import Dispatch

/// One cell of an output table, typed so each format writes it correctly.
public enum Cell: Equatable, Sendable {
    case text(String)
    case int(Int)
    /// A number written with a fixed number of decimals (rates 4, money 2, days 2).
    case fixed(Double, Int)
    case empty

    public static func rate(_ v: Double?) -> Cell { v.map { .fixed($0, 4) } ?? .empty }
    public static func money(_ v: Double?) -> Cell { v.map { .fixed($0, 2) } ?? .empty }
    public static func days(_ v: Double?) -> Cell { v.map { .fixed($0, 2) } ?? .empty }
    public static func ratio(_ a: Double, _ b: Double, _ decimals: Int) -> Cell { b == 0 ? .empty : .fixed(a / b, decimals) }

    /// The cell as plain text (no quoting, no guard).
    public var plain: String {
        switch self {
        case .text(let s): return s
        case .int(let i): return String(i)
        case .fixed(let v, let d): return formatFixed(v, d)
        case .empty: return ""
        }
    }
}

/// `%.Nf` without a negative zero and never NaN/inf (those are empty, SPEC 4).
public func formatFixed(_ v: Double, _ decimals: Int) -> String {
    guard v.isFinite else { return "" }
    var s = String(format: "%.\(decimals)f", v)
    if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
    return s
}

/// A named table of Appendix A.
public struct Table: Sendable {
    public var name: String
    public var columns: [String]
    public var rows: [[Cell]] = []

    public init(_ name: String, _ columns: [String]) {
        self.name = name
        self.columns = columns
    }

    public mutating func add(_ row: [Cell]) {
        precondition(row.count == columns.count, "\(name): \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }
}

/// Stage eight: the tables a report writes, in schema order (Appendix A).
public enum ReportTables {
    /// File names and `--table` names, in schema order.
    public static let names = ["funnel", "icp", "icp_rules", "cost", "velocity", "sla", "weekly", "decision", "quality", "attribution", "influence", "credit"]

    /// The table builders that take longest, slowest first.
    static let longestFirst = ["attribution", "influence", "velocity", "weekly", "sla"]

    /// Every table from the report data. The builders only read `d`: they run concurrently, and
    /// the tables come back in schema order. `accounts` and `footers` are the files' in naming order.
    public static func build(_ d: ReportData, accounts: [FileAccount], footers: [Bool], threads: Int = allCores) -> [Table] {
        // Each builder under the name of its first table, in schema order.
        let builders: [(first: String, build: @Sendable () -> [Table])] = [
            ("funnel", { [FunnelTable.table(d)] }),
            (
                "icp",
                {
                    let (i, r) = ICPTables.tables(d); return [i, r]
                }
            ),
            ("cost", { [CostTable.table(d)] }), ("velocity", { [VelocityTable.table(d)] }), ("sla", { [SLATable.table(d)] }),
            ("weekly", { [WeeklyTable.table(d)] }), ("decision", { [DecisionTable.table(d)] }),
            ("quality", { [QualityTable.table(d, accounts: accounts, footers: footers)] }), ("attribution", { [AttributionTable.table(d)] }),
            ("influence", { InfluenceTables.tables(d) }),
        ]
        // The longest builders start first (the slowest at 8x, in a --threads 2 profile), so the
        // last one to finish is not a long one started late.
        func rank(_ i: Int) -> Int { longestFirst.firstIndex(of: builders[i].first) ?? longestFirst.count + i }
        let order = builders.indices.sorted { rank($0) < rank($1) }
        let built = ResultSlots<[Table]>(count: builders.count)
        concurrently(order.count, threads: threads) { built.set(order[$0], builders[order[$0]].build()) }
        return built.values.flatMap { $0 }
    }
}
