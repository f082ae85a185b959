/// `pilotscope scan`: parses every row by the rules of its kind and keeps only counts.
public struct ScanProcessor: RowProcessor {
    var parsers: RowParsers

    public init(email: EmailNormalizer = EmailNormalizer()) { parsers = RowParsers(email: email) }

    public mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        switch file.kind {
        case .crm: _ = parsers.crm(&r, file, &acc)
        case .touches: _ = parsers.touch(&r, file, &acc)
        case .stage_history: _ = parsers.history(&r, file, &acc)
        }
    }
}

/// The text `scan` prints for one file.
public func describeScan(_ f: FileContext, _ a: FileAccount) -> String {
    var out = "\(f.path) (\(f.kind.rawValue), \(a.bytes) bytes)\n"
    out += "  columns:\n"
    let names = f.kind.fields
    for (i, name) in names.enumerated() {
        let c = f.mapping.index[i]
        out +=
            "    \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) " + (c >= 0 ? "← \"\(f.mapping.header[c])\" (column \(c + 1))" : "— not present")
            + "\n"
    }
    if !f.mapping.extras.isEmpty { out += "    other columns: " + f.mapping.extras.map { "\"\($0.name)\"" }.joined(separator: ", ") + "\n" }
    for w in f.mapping.warnings { out += "    warning: \(w)\n" }
    out += "  rows_read \(a.rowsRead), rows_kept \(a.rowsKept), rows_rejected \(a.rowsRejected), blank_lines \(a.blankLines)"
    if f.mapping.footer { out += ", footer_lines \(a.footerLines)" }
    out += "\n"
    for (k, v) in (a.rejected.merging(a.badValues) { $0 + $1 }).sorted(by: { $0.key < $1.key }) { out += "    \(k): \(v)\n" }
    let kinds = TimestampKind.allCases.filter { a.timestampKinds[$0.rawValue] > 0 }
    if !kinds.isEmpty {
        out += "  timestamp formats: " + kinds.map { "\($0.label) ×\(a.timestampKinds[$0.rawValue])" }.joined(separator: ", ") + "\n"
    }
    for (i, name) in names.enumerated() where i < a.minTime.count && a.minTime[i] != Int64.max {
        out += "  \(name): \(Civil.isoString(millis: a.minTime[i])) .. \(Civil.isoString(millis: a.maxTime[i]))\n"
    }
    return out
}
