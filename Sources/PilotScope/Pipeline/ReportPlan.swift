import Foundation

/// How a report run reads its inputs.
public struct ReportOptions: Sendable {
    public var threads: Int
    public var engine: CSVEngine = .fast
    public var backend: InflateBackend = .isal
    public var keepPII = false
    /// Overrides the configuration's `as_of`.
    public var asOf: Int64?
    /// Progress of reading, when someone watches.
    public var progress: Progress?
    /// Where the touch side comes from: the files, saved states, or a state directory (SPEC §7).
    public var touchInput = TouchInput.read

    public init(threads: Int) { self.threads = threads }

    /// A pipeline for these options.
    public func pipeline<P: RowProcessor>(_: P.Type, checksums: Bool = false) -> Pipeline<P> {
        let p = Pipeline<P>(threads: threads, engine: engine, backend: backend, keepPII: keepPII)
        p.computeChecksums = checksums
        p.progress = progress
        return p
    }
}

/// The first stage of a report: the validated configuration, the moment of the report, and every
/// input file with its header read and columns mapped (so a missing column fails before any data
/// is read). Files are indexed within their side: CRM and stage history (read together), touches.
public struct ReportPlan: Sendable {
    public var config: ResolvedConfig
    public var options: ReportOptions
    /// B1: `--as-of`, else the configuration's, else now.
    public var asOf: Int64
    /// Every file in the order the run names it (CRM, touches, stage history, as configured).
    public var files: [FileContext]
    public var crmFiles: [FileContext]
    public var touchFiles: [FileContext]
    /// The ICP fields of every pilot (union, sorted): the values each CRM record keeps.
    public var icpFields: [String]

    /// `touchesOnly`: the plan of `pilotscope partial`, which reads touch files alone (the other
    /// sections are left out, and no CRM file is needed).
    public init(config: ResolvedConfig, sections: [PlannedSection], options: ReportOptions, touchesOnly: Bool = false) throws {
        self.config = config
        self.options = options
        asOf = options.asOf ?? config.asOf ?? Int64(Date().timeIntervalSince1970 * 1000)
        let read = touchesOnly ? sections.filter { $0.kind == .touches } : sections
        files = try InputPlan.contexts(sections: read, config: config, backend: options.backend)
        guard touchesOnly || files.contains(where: { $0.kind == .crm }) else {
            throw ConfigError(key: "inputs.crm", "no CRM file: give inputs.crm in the configuration or --crm FILE")
        }
        func indexed(_ fs: [FileContext]) -> [FileContext] {
            fs.enumerated().map { i, f in
                var f = f
                f.index = i
                return f
            }
        }
        crmFiles = indexed(files.filter { $0.kind != .touches })
        touchFiles = indexed(files.filter { $0.kind == .touches })
        icpFields = Array(Set(config.pilots.flatMap { $0.icp.map(\.field) })).sorted()
    }

    /// The accounts of both sides back in the order the run names the files.
    public func inNamingOrder(crm: [FileAccount], touches: [FileAccount]) -> [FileAccount] {
        var out: [FileAccount] = []
        var ci = 0, ti = 0
        for f in files {
            if f.kind == .touches {
                out.append(touches[ti])
                ti += 1
            } else {
                out.append(crm[ci])
                ci += 1
            }
        }
        return out
    }

    /// 2.5: a file whose reject rate exceeds `max_reject_rate` fails the run (exit 1).
    public func checkRejectRates(_ accounts: [FileAccount]) throws {
        let max = config.maxRejectRate
        for a in accounts where a.rowsRead > 0 {
            let rate = Double(a.rowsRejected) / Double(a.rowsRead)
            if rate > max {
                let top = a.rejected.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(3)
                    .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                let first = a.rejects.first.map { "; first at line \($0.line)" } ?? ""
                throw InputError(
                    .rejectRate, file: a.path,
                    String(
                        format: "%d of %d rows rejected (%.2f%%), above max_reject_rate %.2f%% (%@%@); see `pilotscope scan`", a.rowsRejected, a.rowsRead,
                        rate * 100, max * 100, top, first))
            }
        }
    }
}
