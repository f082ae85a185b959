/// The facts of a run that `summary.json` and JSON logs report (no table content).
public struct RunSummary: Sendable {
    public struct Input: Sendable {
        public var file: String
        public var kind: InputKind
        public var bytes: Int
        public var sha256: String?
        public var rowsRead: Int, rowsKept: Int, rowsRejected: Int
    }

    public var asOf: Int64
    public var inputs: [Input] = []
    public var contacts = 0
    public var matchedTouches = 0
    public var visitors = 0, emails = 0, pilotIdentities = 0
    public var rejectedRows = 0
    public var tableRows: [(String, Int)] = []
    /// Touch files read, reused from saved states, and states dropped (SPEC §7).
    public var touchFiles = TouchFileCounts()
    public var timings: [(String, Double)] = []
    public var memory: [(String, Int)] = []

    public init(asOf: Int64) { self.asOf = asOf }

    /// summary.json: inputs with sizes and checksums, as_of, version, timings, row counts.
    public func json() -> String {
        let j = TableWriter.jsonString
        let inputs = self.inputs.map { a in
            "    {\"file\": \(j(a.file)), \"kind\": \(j(a.kind.rawValue)), \"bytes\": \(a.bytes), \"sha256\": \(a.sha256.map(j) ?? "null"), "
                + "\"rows_read\": \(a.rowsRead), \"rows_kept\": \(a.rowsKept), \"rows_rejected\": \(a.rowsRejected)}"
        }
        let t = timings.map { "\(j($0.0)): \(formatFixed($0.1, 3))" }.joined(separator: ", ")
        let m = memory.map { "\(j($0.0)): \($0.1)" }.joined(separator: ", ")
        let rows = tableRows.map { "\(j($0.0)): \($0.1)" }.joined(separator: ", ")
        return """
            {
              "version": \(j(PilotScopeVersion.string)),
              "as_of": \(j(Civil.isoString(millis: asOf))),
              "inputs": [
            \(inputs.joined(separator: ",\n"))
              ],
              "contacts": \(contacts),
              "matched_touches": \(matchedTouches),
              "touch_identities": {"visitors": \(visitors), "emails": \(emails), "pilot_identities": \(pilotIdentities)},
              "rejected_rows": \(rejectedRows),
              "touch_files": {"read": \(touchFiles.read), "reused": \(touchFiles.reused), "dropped": \(touchFiles.dropped)},
              "table_rows": {\(rows)},
              "timings_seconds": {\(t)},
              "resident_mib_after": {\(m)},
              "peak_resident_mib": \(Memory.peakResidentMiB)
            }

            """
    }
}
