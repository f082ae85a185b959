/// The report pipeline, run like a compiler: each stage is a function from one named value to
/// the next, and each can be called on its own (the tests do).
///
///     ReportPlan → CRMRecords → Contacts (dedup, as_of cut) ─┐
///                └→ TouchState (streamed, on its own threads) ┴→ ResolvedTouches
///     → [Attribution?] → ReportData → [Table] → output folder (`ReportOutput`)
///
/// The touch side needs no contact until it is resolved, so it streams while the CRM records
/// merge. `TouchState` is the whole product of the touch side: the value that can be saved,
/// merged and shipped (SPEC §7).
public enum ReportEngine {
    public static func run(config: ResolvedConfig, sections: [PlannedSection], options: ReportOptions) throws -> ReportResult {
        var clock = PhaseClock()
        let plan = try ReportPlan(config: config, sections: sections, options: options)
        clock.lap("plan")
        let crm = try CRMRecords.read(plan)
        let (crmAccounts, crmChecksums) = (crm.accounts, crm.checksums)
        clock.lap("read crm")
        let context = TouchContext(plan)
        let touchRun = BackgroundRun { try TouchAssembly.assemble(plan, context) }
        var contacts = try Contacts.merge(consume crm, plan)
        clock.lap("dedup")
        var assembly = try touchRun.wait()
        clock.lap("read touches (after dedup)")
        let threads = plan.options.threads
        let touches = ResolvedTouches(assembly.state, contactEmails: contacts.emails, context: context, threads: threads)
        // Nothing reads the raw state again but its files, nor looks a contact up by email: the
        // state's maps and the contacts' key map (together about 300 MiB at 8×, half the peak)
        // are freed before attribution, the tables and the output, not held to the end.
        let touchFiles = assembly.state.files
        assembly.state = TouchState(pilots: 0)
        contacts.emails = .none
        clock.lap("stitch and resolve touches")
        let attribution = Attributor.attribute(contacts, touches, plan)
        let data = ReportData(
            pilots: config.pilots, contacts: contacts, touches: touches, attribution: attribution, asOf: plan.asOf,
            influence: config.influence, threads: threads)
        clock.lap("attribute")
        let accounts = plan.inNamingOrder(crm: crmAccounts, touches: touchFiles.map(\.account))
        let tables = ReportTables.build(data, accounts: accounts, footers: plan.files.map(\.mapping.footer), threads: threads)
        clock.lap("tables")
        var touchChecksums: [String: String] = [:]
        for f in touchFiles where !f.sha256.isEmpty { touchChecksums[f.account.path] = f.sha256 }
        var result = ReportResult(
            plan: plan, tables: tables, accounts: accounts, data: data,
            checksums: crmChecksums.merging(touchChecksums) { a, _ in a }, clock: clock)
        result.summary.touchFiles = assembly.counts
        (result.stateUpdate, result.messages) = (assembly.update, assembly.messages)
        return result
    }
}

/// Everything a report run produces: the tables, the rejected rows, and the run's facts.
public struct ReportResult: Sendable {
    public var tables: [Table]
    public var rejects: [RejectRow]
    public var accounts: [FileAccount]
    public var asOf: Int64
    public var pilots: [Pilot]
    public var data: ReportData
    public var summary: RunSummary
    /// Warnings the run found in its inputs (ICP rules on columns an export lacks).
    public var warnings: [ConfigIssue]
    /// With `--state-dir`: the directory's new content, to write once the output is written.
    public var stateUpdate: StateDirectoryUpdate?
    /// What the touch states' handling has to say (states rebuilt or dropped, and why).
    public var messages: [String] = []
    /// `--threads`: the most threads any stage of the run uses at once (the workbook's too).
    public var threads: Int

    init(plan: ReportPlan, tables: [Table], accounts: [FileAccount], data: ReportData, checksums: [String: String], clock: PhaseClock) {
        self.tables = tables
        self.accounts = accounts
        self.data = data
        threads = plan.options.threads
        asOf = plan.asOf
        pilots = plan.config.pilots
        rejects = accounts.flatMap(\.rejects)
        warnings = Preflight.icpColumnWarnings(plan.config.pilots, plan.files)
        var s = RunSummary(asOf: plan.asOf)
        s.inputs = accounts.map {
            RunSummary.Input(
                file: $0.path, kind: $0.kind, bytes: $0.bytes, sha256: checksums[$0.path], rowsRead: $0.rowsRead, rowsKept: $0.rowsKept,
                rowsRejected: $0.rowsRejected)
        }
        s.contacts = data.contacts.count
        s.matchedTouches = data.matchedTouches
        (s.visitors, s.emails, s.pilotIdentities) = (data.visitorCount, data.emailCount, data.folds.count)
        s.rejectedRows = rejects.count
        s.tableRows = tables.map { ($0.name, $0.rows.count) }
        (s.timings, s.memory) = (clock.timings, clock.memory)
        summary = s
    }

    /// summary.json.
    public func summaryJSON() -> String { summary.json() }
}

/// The last stage: a report's output folder, written into a new folder that replaces the old
/// one atomically on `commit` (every table as CSV, rejects.csv, summary.json, report.html).
public enum ReportOutput {
    public static func write(_ r: ReportResult, into folder: AtomicDirectory) throws {
        // The workbook is the longest to write. Its sheets' XML is built first, on every thread;
        // then its deflate, which is serial, runs on its own thread while the rest is written.
        let entries = XLSXWriter.reportEntries(r.tables, rejects: r.rejects, threads: r.threads)
        let workbook = BackgroundRun { try XLSXWriter.zipped(entries) }
        for t in r.tables { try folder.write(t.name + ".csv", TableWriter.render(t, as: .csv)) }
        try folder.write("rejects.csv", TableWriter.rejects(r.rejects))
        try folder.write("summary.json", r.summaryJSON())
        try folder.write("report.html", HTMLReport.render(r))
        try folder.write("report.xlsx", bytes: Array(try workbook.wait()))
        try folder.commit()
    }
}
