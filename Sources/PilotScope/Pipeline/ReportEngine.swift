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

    public init(threads: Int) { self.threads = threads }
}

/// Everything a report run produces.
public struct ReportResult: Sendable {
    public var tables: [Table]
    public var rejects: [RejectRow]
    public var accounts: [FileAccount]
    public var asOf: Int64
    public var timings: [(String, Double)]
    public var data: ReportData
    /// SHA-256 of each input file as stored, by path.
    public var checksums: [String: String]
    /// Resident memory (MiB) at the end of each phase.
    public var memory: [(String, Int)] = []

    /// summary.json: inputs with sizes and checksums, as_of, version, timings, row counts.
    public func summaryJSON() -> String {
        let j = TableWriter.jsonString
        var inputs: [String] = []
        for a in accounts {
            inputs.append(
                "    {\"file\": \(j(a.path)), \"kind\": \(j(a.kind.rawValue)), \"bytes\": \(a.bytes), \"sha256\": \(checksums[a.path].map(j) ?? "null"), "
                    + "\"rows_read\": \(a.rowsRead), \"rows_kept\": \(a.rowsKept), \"rows_rejected\": \(a.rowsRejected)}")
        }
        let t = timings.map { "\(j($0.0)): \(formatFixed($0.1, 3))" }.joined(separator: ", ")
        let m = memory.map { "\(j($0.0)): \($0.1)" }.joined(separator: ", ")
        let rows = tables.map { "\(j($0.name)): \($0.rows.count)" }.joined(separator: ", ")
        return """
            {
              "version": \(j(PilotScopeVersion.string)),
              "as_of": \(j(Civil.isoString(millis: asOf))),
              "inputs": [
            \(inputs.joined(separator: ",\n"))
              ],
              "contacts": \(data.contacts.count),
              "matched_touches": \(data.matchedTouches),
              "touch_identities": {"visitors": \(data.visitorCount), "emails": \(data.emailCount), "pilot_identities": \(data.folds.count)},
              "rejected_rows": \(rejects.count),
              "table_rows": {\(rows)},
              "timings_seconds": {\(t)},
              "resident_mib_after": {\(m)},
              "peak_resident_mib": \(peakResidentMiB())
            }

            """
    }
}

/// Quality counters of the whole run that are not per file (B26).
struct RunQuality {
    var crmKept = 0
    var unknownPilotTag = 0
    var stageBeforeCreated = 0
    var historyUnmapped = 0
    var historyUnknown = 0
    var touches = 0
    var byEmail = 0
    var byVisitor = 0
}

/// The report pipeline: CRM and stage history → dedup → touches (streamed) → stitching →
/// attribution → tables. Phases run one after another; each phase is parallel inside.
public enum ReportEngine {
    public static func run(config: ResolvedConfig, sections: [PlannedSection], options: ReportOptions) throws -> ReportResult {
        var timings: [(String, Double)] = []
        var memory: [(String, Int)] = []
        var clock = Date()
        func lap(_ name: String) {
            timings.append((name, Date().timeIntervalSince(clock)))
            memory.append((name, residentMiB()))
            clock = Date()
        }
        let asOf = options.asOf ?? config.asOf ?? Int64(Date().timeIntervalSince1970 * 1000)
        let contexts = try InputPlan.contexts(sections: sections, config: config, backend: options.backend)
        guard contexts.contains(where: { $0.kind == .crm }) else {
            throw ConfigError(key: "inputs.crm", "no CRM file: give inputs.crm in the configuration or --crm FILE")
        }
        lap("plan")
        let icpFields = Array(Set(config.pilots.flatMap { $0.icp.map(\.field) })).sorted()
        var q = RunQuality()

        // Phase 1: CRM exports and stage history.
        let crmFiles = contexts.filter { $0.kind != .touches }.enumerated().map { i, f -> FileContext in
            var f = f
            f.index = i
            return f
        }
        let p1 = Pipeline<CRMProcessor>(threads: options.threads, engine: options.engine, backend: options.backend, keepPII: options.keepPII)
        p1.computeChecksums = true
        p1.progress = options.progress
        let tags = TagTable(config.pilots)
        var (crmWorkers, crmAccounts) = try p1.run(files: crmFiles) { CRMProcessor(email: config.email, icpFields: icpFields, tags: tags) }
        try checkRejectRates(crmAccounts, max: config.maxRejectRate)
        lap("read crm")

        q.crmKept = crmWorkers.reduce(0) { $0 + $1.records.count }
        q.unknownPilotTag = crmWorkers.reduce(0) { n, w in w.records.reduce(n) { $0 + ($1.unknownTag ? 1 : 0) } }
        // Phase 2, touch logs, streams on its own threads while the CRM records merge (the
        // merge is single-threaded): touches need no contact until they are resolved.
        let touchFiles = contexts.filter { $0.kind == .touches }.enumerated().map { i, f -> FileContext in
            var f = f
            f.index = i
            return f
        }
        let ctx = TouchContext(pilots: config.pilots, asOf: asOf, lastTouch: config.lastTouch)
        let p2 = Pipeline<TouchProcessor>(threads: options.threads, engine: options.engine, backend: options.backend, keepPII: options.keepPII)
        p2.computeChecksums = true
        p2.progress = options.progress
        let touchRun = BackgroundRun { try p2.run(files: touchFiles) { TouchProcessor(context: ctx, email: config.email) } }

        // B14 ties need the row text of a few records: read the CRM files again for just those.
        let fetch: (Set<RowPosition>) throws -> [RowPosition: [UInt8]] = { wanted in
            let again = Pipeline<TiebreakCollector>(threads: options.threads, engine: options.engine, backend: options.backend)
            let (collectors, _) = try again.run(files: crmFiles) { TiebreakCollector(wanted: wanted) }
            return collectors.reduce(into: [:]) { all, c in all.merge(c.found) { a, _ in a } }
        }
        var merged = try Dedup.merge(crmWorkers, asOf: asOf, fetchTiebreaks: fetch)
        crmWorkers = []  // records are merged: free them
        var contacts = merged.contacts
        merged.contacts = []  // one owner, so the edits below do not copy the array
        let emails = merged.emails
        let icpValues = merged.values
        (q.historyUnmapped, q.historyUnknown) = (merged.historyUnmapped, merged.historyUnknown)
        for i in contacts.indices {
            for s in 0..<5 where contacts[i].stages[s] != absentTime && contacts[i].stages[s] < contacts[i].createdAt {
                q.stageBeforeCreated += 1
            }
            // B1: nothing after as_of exists for the metrics.
            for s in 0..<5 where contacts[i].stages[s] != absentTime && contacts[i].stages[s] > asOf { contacts[i].stages[s] = absentTime }
            if contacts[i].respondedAt != absentTime && contacts[i].respondedAt > asOf { contacts[i].respondedAt = absentTime }
        }
        lap("dedup")

        var (touchWorkers, touchAccounts) = try touchRun.wait()
        try checkRejectRates(touchAccounts, max: config.maxRejectRate)
        lap("read touches (after dedup)")

        q.touches = touchWorkers.map(\.touches).reduce(0, +)
        let resolved = TouchResolution(workers: &touchWorkers, contactEmails: emails, context: ctx)
        touchWorkers = []
        q.byVisitor = resolved.byVisitor
        q.byEmail = resolved.byEmail
        lap("stitch and resolve touches")
        let attribution = Attributor.attribute(contacts: contacts, touches: resolved, pilots: config.pilots, tags: tags, asOf: asOf, lastTouch: config.lastTouch)
        let data = ReportData(pilots: config.pilots, contacts: contacts, touches: resolved, attribution: attribution, asOf: asOf, icpFields: icpFields, icpValues: icpValues, tags: tags)
        lap("attribute")

        // Accounts in the order the files were named: CRM, touches, stage history as given.
        var accounts: [FileAccount] = []
        var ci = 0, ti = 0
        for f in contexts {
            if f.kind == .touches {
                accounts.append(touchAccounts[ti])
                ti += 1
            } else {
                accounts.append(crmAccounts[ci])
                ci += 1
            }
        }
        // The tables only read `data`: build them concurrently, keep them in the schema's order.
        let footers = contexts.map(\.mapping.footer)
        let (fileAccounts, quality) = (accounts, q)
        let builders: [@Sendable () -> [Table]] = [
            { [FunnelTables.funnel(data)] }, { let (i, r) = FunnelTables.icp(data); return [i, r] },
            { [FunnelTables.cost(data)] }, { [ProgressTables.velocity(data)] }, { [ProgressTables.sla(data)] },
            { [ProgressTables.weekly(data)] }, { [DecisionTable.table(data)] },
            { [QualityTable.table(data, accounts: fileAccounts, footers: footers, q: quality)] }, { [AttributionTable.table(data)] },
        ]
        let built = ResultSlots<[Table]>(count: builders.count)
        DispatchQueue.concurrentPerform(iterations: builders.count) { built.set($0, builders[$0]()) }
        let tables = built.values.flatMap { $0 }
        lap("tables")
        var checksums: [String: String] = [:]
        for f in crmFiles { checksums[f.path] = p1.checksums[f.index] }
        for f in touchFiles { checksums[f.path] = p2.checksums[f.index] }
        return ReportResult(
            tables: tables, rejects: accounts.flatMap(\.rejects), accounts: accounts, asOf: asOf, timings: timings, data: data,
            checksums: checksums, memory: memory)
    }

    /// 2.5: a file whose reject rate exceeds `max_reject_rate` fails the run (exit 1).
    static func checkRejectRates(_ accounts: [FileAccount], max: Double) throws {
        for a in accounts where a.rowsRead > 0 {
            let rate = Double(a.rowsRejected) / Double(a.rowsRead)
            if rate > max {
                let top = a.rejected.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(3)
                    .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                let first = a.rejects.first.map { "; first at line \($0.line)" } ?? ""
                throw InputError(
                    .rejectRate, file: a.path,
                    String(format: "%d of %d rows rejected (%.2f%%), above max_reject_rate %.2f%% (%@%@); see `pilotscope scan`", a.rowsRejected, a.rowsRead, rate * 100, max * 100, top, first))
            }
        }
    }
}

/// quality (Appendix A, B26, B28).
enum QualityTable {
    static func table(_ d: ReportData, accounts: [FileAccount], footers: [Bool], q: RunQuality) -> Table {
        var t = Table("quality", ["scope", "pilot_id", "check", "count"])
        for (a, footer) in zip(accounts, footers) {
            t.add([.text(a.path), .empty, .text("rows_read"), .int(a.rowsRead)])
            t.add([.text(a.path), .empty, .text("rows_kept"), .int(a.rowsKept)])
            t.add([.text(a.path), .empty, .text("blank_lines"), .int(a.blankLines)])
            if footer { t.add([.text(a.path), .empty, .text("footer_lines"), .int(a.footerLines)]) }
            var checks = a.rejected.map { ("rejected:" + $0.key, $0.value) }
            checks += a.badValues.map { ($0.key, $0.value) }
            for (k, v) in checks.sorted(by: { $0.0 < $1.0 }) where v > 0 { t.add([.text(a.path), .empty, .text(k), .int(v)]) }
        }
        let all: [(String, Int)] = [
            ("contacts", d.contacts.count), ("duplicates_merged", q.crmKept - d.contacts.count),
            ("contacts_without_email", d.contacts.filter { !$0.hasEmail }.count), ("touches", q.touches),
            ("touches_by_email", q.byEmail), ("touches_by_visitor", q.byVisitor),
            ("touches_anonymous", q.touches - q.byEmail - q.byVisitor), ("unknown_pilot_tag", q.unknownPilotTag),
            ("stage_before_created", q.stageBeforeCreated), ("history_unmapped_stage", q.historyUnmapped),
            ("history_unknown_record", q.historyUnknown),
        ]
        for (k, v) in all { t.add([.text("all"), .empty, .text(k), .int(v)]) }
        var contestedLost = Array(repeating: 0, count: d.pilots.count)
        for a in d.attribution { if let a { for p in a.contestedWith { contestedLost[p] += 1 } } }
        var outsideWindow = Array(repeating: 0, count: d.pilots.count)
        let starts = d.pilots.map(\.windowStart), ends = d.pilots.map(\.windowEnd)
        for c in d.contacts where c.tagIndex >= 0 {
            for p in d.tags.pilots[Int(c.tagIndex)] where c.createdAt < starts[p] || c.createdAt >= ends[p] { outsideWindow[p] += 1 }
        }
        for p in d.pilots {
            let leads = d.leads[p.index]
            // Only a pilot whose brief names a source tag can have leads missing it.
            let missingTag = p.sourceTags.isEmpty ? 0 : leads.filter { i in
                d.attribution[i]!.rule != .tag && !d.tags.pilotHasTag(d.contacts[i].tagIndex, p.index)
            }.count
            let outside = outsideWindow[p.index]
            let won = leads.filter { !d.attribution[$0]!.contestedWith.isEmpty }.count
            for (k, v) in [("missing_source_tag", missingTag), ("tagged_outside_window", outside), ("contested_won", won), ("contested_lost", contestedLost[p.index])] {
                t.add([.text("all"), .text(p.id), .text(k), .int(v)])
            }
        }
        return t
    }
}

/// Runs a throwing computation on its own thread; `wait()` returns its result or rethrows.
final class BackgroundRun<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    func wait() throws -> T {
        done.wait()
        return try result!.get()
    }
}

/// A `/proc/self/status` value in MiB (Linux), 0 where unavailable.
func procStatusMiB(_ key: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(key) {
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) >> 10
    }
    return 0
}

/// Current resident set size in MiB.
func residentMiB() -> Int { procStatusMiB("VmRSS:") }

/// Peak resident set size in MiB.
func peakResidentMiB() -> Int { procStatusMiB("VmHWM:") }

/// The second, targeted read of B14 ties: the field text of the rows at the wanted positions.
struct TiebreakCollector: RowProcessor {
    let wanted: Set<RowPosition>
    var found: [RowPosition: [UInt8]] = [:]
    var buffer: [UInt8] = []

    mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        guard file.kind == .crm else { return }
        let p = RowPosition(file: Int32(file.index), chunk: Int32(acc.chunk), line: Int32(r.line))
        guard wanted.contains(p) else { return }
        Dedup.tiebreakBytes(&r, file.mapping, into: &buffer)
        found[p] = buffer
    }
}

/// One slot per concurrent task, filled once each.
final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) {
        lock.lock()
        slots[i] = v
        lock.unlock()
    }
    var values: [T] { slots.map { $0! } }
}
