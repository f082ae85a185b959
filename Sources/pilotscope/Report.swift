import ArgumentParser
import Foundation
import PilotScope

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute every table and the scale / iterate / stop verdict.",
        discussion: """
            Writes funnel, icp, icp_rules, cost, velocity, sla, weekly, decision, quality and attribution as CSV, plus rejects.csv, summary.json and report.html, into --out DIR (replaced atomically); --table NAME prints one table to standard output.

            Exit codes: 0 success; 1 data error (bad gzip, too many bad rows, unreadable file, CSV syntax error); 2 usage or configuration error.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(parsing: .upToNextOption, help: "CRM export files (replace the configuration's inputs.crm).")
    var crm: [String] = []

    @Option(parsing: .upToNextOption, help: "Touch log files (replace inputs.touches).")
    var touches: [String] = []

    @Option(name: .customLong("stage-history"), parsing: .upToNextOption, help: "Stage history files (replace inputs.stage_history).")
    var stageHistory: [String] = []

    @Option(help: "Write every table into this directory, replacing it atomically.")
    var out: String?

    @Option(
        help: "Print one table to standard output (funnel, icp, icp_rules, cost, velocity, sla, weekly, decision, quality, attribution).",
        completion: .list(ReportTables.names))
    var table: String?

    @Option(help: "Format of --table: csv, tsv, jsonl, md, or xlsx (a workbook; not to a terminal).")
    var format: TableFormat = .csv

    @Option(help: "The moment of the report (default: as_of from the configuration, else now).")
    var asOf: String?

    @Flag(help: "Keep emails unmasked in rejects.csv.")
    var keepPii = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Option(help: "Messages on stderr: text, or json (one JSON object a line, ending with the run summary; for cron logs).")
    var logFormat: LogFormat = .text

    @Option(
        name: .customLong("touch-state"), parsing: .upToNextOption,
        help: "Saved touch states (from `partial` or `merge`): the touch files they cover are not read again.")
    var touchStates: [String] = []

    @Option(
        name: .customLong("state-dir"),
        help: "Keep one touch state per touch file in this folder: read only new or changed files, drop states of files no longer named.")
    var stateDir: String?

    @Flag(name: .customLong("verify-state"), help: "With --state-dir: re-hash every touch file and rebuild the states whose SHA-256 differs.")
    var verifyState = false

    @OptionGroup var read: ReadOptions

    static var tableNames: [String] { ReportTables.names }

    func validate() throws {
        if out == nil && table == nil { throw ValidationError("give --out DIR, --table NAME, or both") }
        if !touchStates.isEmpty && stateDir != nil { throw ValidationError("give --touch-state or --state-dir, not both") }
        if verifyState && stateDir == nil { throw ValidationError("--verify-state needs --state-dir") }
        if let table, !Self.tableNames.contains(table) {
            throw ValidationError("unknown table '\(table)' (\(Self.tableNames.joined(separator: ", ")))")
        }
        // Refused before any data is read: a workbook's bytes would garble the terminal.
        if table != nil && format == .xlsx && isatty(1) == 1 {
            throw ValidationError("--format xlsx writes a binary workbook: redirect standard output to a file (> \(table ?? "table").xlsx)")
        }
    }

    func run() throws {
        Terminal.format = logFormat
        let config = try loadConfig(options.config, quiet: quiet)
        var opts = ReportOptions(threads: read.threads)
        opts.engine = read.csvEngine
        opts.backend = read.inflate
        opts.keepPII = keepPii
        opts.asOf = try asOf.map { try parseAsOf($0, config) }
        let sections = try InputPlan.sections(config, crm: crm, touches: touches, history: stageHistory)
        // Where the output and the state directory go is checked, and their new folders made,
        // before any data is read.
        let protected = [options.config] + sections.flatMap(\.files) + touchStates
        let patterns = InputPlan.globPatterns(sections)
        let target = try out.map { try OutputTarget.check($0, role: .output, protected: protected + [stateDir].compactMap { $0 }, patterns: patterns) }
        let stateTarget = try stateDir.map {
            try OutputTarget.check($0, role: .stateDirectory, protected: protected + [out].compactMap { $0 }, patterns: patterns)
        }
        if let stateTarget {
            opts.touchInput = .stateDirectory(stateTarget.path, verify: verifyState)
        } else if !touchStates.isEmpty {
            opts.touchInput = .states(touchStates)
        }
        let staging = try target.map { try AtomicDirectory(target: $0) }
        let stateStaging: AtomicDirectory?
        do { stateStaging = try stateTarget.map { try AtomicDirectory(target: $0) } } catch {
            staging?.discard()
            throw error
        }
        if !quiet && logFormat == .text && Terminal.stderrIsTerminal {
            opts.progress = Progress()
            opts.progress?.startDrawing()
        }
        defer { opts.progress?.stop() }
        let result: ReportResult
        do {
            result = try ReportEngine.run(config: config, sections: sections, options: opts)
            opts.progress?.stop()
            if !quiet { for w in result.warnings { Terminal.error(ConfigError([w]).naming(options.config).description) } }
            if !quiet { for m in result.messages { Terminal.error(m, event: "state") } }
            if let staging { try ReportOutput.write(result, into: staging) }
            // The state directory follows the output: a run that fails before this line leaves it
            // as it was, and the next run reads again what this one read.
            if let stateStaging, let update = result.stateUpdate { try update.write(into: stateStaging) }
        } catch {
            staging?.discard()
            stateStaging?.discard()
            throw error
        }
        if let table, let t = result.tables.first(where: { $0.name == table }) {
            if let text = format.text {
                Output.stdout(TableWriter.render(t, as: text))
            } else {
                Output.stdout(bytes: Array(try XLSXWriter.workbook([t], threads: result.threads)))
            }
        }
        if logFormat == .json {
            for (phase, secs) in result.summary.timings {
                Terminal.raw("{\"event\":\"phase\",\"name\":\(TableWriter.jsonString(phase)),\"seconds\":\(formatFixed(secs, 3))}")
            }
            let summary = result.summaryJSON().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined()
            Terminal.raw("{\"event\":\"summary\",\"out\":\(out.map(TableWriter.jsonString) ?? "null"),\"summary\":\(summary)}")
        } else if !quiet, let out {
            let rows = result.accounts.map(\.rowsRead).reduce(0, +)
            Terminal.error("wrote \(result.tables.count) tables to \(out) (\(rows) rows read, \(result.rejects.count) rejected)")
        }
        // Everything is written (stdout and stderr unbuffered): end here rather than tear down
        // the run's structures one by one (a measurable part of a large run); the kernel frees
        // the address space at once.
        Signals.exit(0)
    }
}

/// `--format`: the text formats of SPEC 4, or an .xlsx workbook of the one table.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, tsv, jsonl, md, xlsx

    var text: OutputFormat? { OutputFormat(rawValue: rawValue) }
}

enum Output {
    /// Writes to standard output; a closed pipe (`… | head`) ends the run quietly with exit 0.
    static func stdout(_ s: String) {
        if let e = FileIO.writeAll(1, s) { Signals.exit(e == EPIPE ? 0 : 1) }
    }

    static func stdout(bytes: [UInt8]) {
        if let e = FileIO.writeAll(1, bytes) { Signals.exit(e == EPIPE ? 0 : 1) }
    }
}
