import ArgumentParser
import Foundation
import PilotScope

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check exports before the nightly run: column mapping, rows read/kept/rejected, timestamp formats and ranges.")

    @Option(
        help: "Preset for the files (canonical, hubspot, salesforce, salesforce_opportunity_history, calendly, segment).",
        completion: .list(Presets.names))
    var preset: String = "canonical"

    @Option(
        help: "What the files hold: crm, touches or stage_history (default: guessed from the header).",
        completion: .list(InputKind.allCases.map(\.rawValue)))
    var kind: String?

    @Option(name: [.customShort("c"), .long], help: "Scan the inputs of this configuration instead of FILE arguments.")
    var config: String?

    @Option(help: "Zone of timestamps without an offset.")
    var inputTimezone: String = "UTC"

    @Option(help: "Field delimiter.")
    var delimiter: String = ","

    @OptionGroup var read: ReadOptions

    @Argument(help: "Files to scan (gzip or plain; zip archives, or members as archive.zip#Member.csv; - is standard input).")
    var files: [String] = []

    func validate() throws {
        if config == nil && files.isEmpty { throw ValidationError("give FILE arguments or -c CONFIG") }
    }

    func run() throws {
        var sections: [PlannedSection] = []
        var resolved: ResolvedConfig?
        if let config {
            let r = try loadConfig(config, quiet: false)
            resolved = r
            sections = try InputPlan.sections(r)
        }
        let configured = sections.count
        if !files.isEmpty {
            var s = InputSection(files: files, preset: preset)
            s.input_timezone = inputTimezone
            s.delimiter = delimiter
            let expanded = try InputPlan.expand(files, base: ".")
            if let kind {
                guard let k = InputKind(rawValue: kind) else { throw ValidationError("unknown kind '\(kind)'") }
                sections.append(PlannedSection(kind: k, section: s, files: expanded))
            } else {
                // Each file (or zip member) of its own guessed kind: an export archive holds several.
                for f in expanded {
                    let k = try guessKind(f, preset: preset, delimiter: delimiter.utf8.first ?? 0x2C, backend: read.inflate)
                    if let last = sections.last, last.kind == k, last.section.preset == s.preset, sections.count > configured {
                        sections[sections.count - 1].files.append(f)
                    } else {
                        sections.append(PlannedSection(kind: k, section: s, files: [f]))
                    }
                }
            }
        }
        let contexts = try InputPlan.contexts(sections: sections, config: resolved, backend: read.inflate)
        let start = Date()
        let pipeline = Pipeline<ScanProcessor>(threads: read.threads, engine: read.csvEngine, backend: read.inflate)
        let (_, accounts) = try pipeline.run(files: contexts) { ScanProcessor(email: resolved?.email ?? EmailNormalizer()) }
        let secs = Date().timeIntervalSince(start)
        var rows = 0
        var bytes = 0
        for (f, a) in zip(contexts, accounts) {
            print(describeScan(f, a))
            rows += a.rowsRead
            bytes += a.bytes
        }
        let mbs = secs > 0 ? Double(bytes) / secs / 1e6 : 0
        print(
            String(
                format: "%d file(s), %d rows, %d bytes read in %.3f s (%.0f MB/s of input, %.0f rows/s)", contexts.count, rows, bytes, secs, mbs,
                secs > 0 ? Double(rows) / secs : 0))
    }
}

/// Guesses a file's kind from its header under a preset.
func guessKind(_ path: String, preset: String, delimiter: UInt8, backend: InflateBackend) throws -> InputKind {
    let header = Set(try InputPlan.readHeader(path, delimiter: delimiter, backend: backend).map { $0.trimmingCharacters(in: .whitespaces) })
    var best: (InputKind, Int)?
    for k in InputKind.allCases {
        guard let p = Presets.find(preset, kind: k) else { continue }
        let hits = p.columns.filter { $0.headers.contains(where: header.contains) }.count
        if best == nil || hits > best!.1 { best = (k, hits) }
    }
    guard let b = best else { throw ValidationError("no preset '\(preset)'") }
    return b.0
}
