import ArgumentParser
import Foundation
import PilotScope

/// `pilotscope partial`: touch files → one saved state (SPEC §7).
struct Partial: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read touch files into one saved touch state, for `merge` and `report --touch-state`.",
        discussion: """
            Reads the files given with --touches, else the configuration's touch files, at the report's as_of (--as-of, else the configuration's, else now). Touches after it are kept raw, so a report at that as_of or later is exact.

            Exit codes: 0 success; 1 data error; 2 usage or configuration error.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(parsing: .upToNextOption, help: "Touch log files (replace inputs.touches).")
    var touches: [String] = []

    @Option(help: "The moment the state is made at (default: as_of from the configuration, else now).")
    var asOf: String?

    @Option(help: "The state file to write (replaced atomically).")
    var out: String?

    @Flag(help: "Print the touch files the run would read, one absolute path a line, and read nothing.")
    var listFiles = false

    @Flag(help: "Keep emails unmasked in the rejected rows the state carries.")
    var keepPii = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @OptionGroup var read: ReadOptions

    func validate() throws {
        if out == nil && !listFiles { throw ValidationError("give --out STATE (or --list-files)") }
    }

    func run() throws {
        let config = try loadConfig(options.config, quiet: quiet)
        var opts = ReportOptions(threads: read.threads)
        (opts.engine, opts.backend, opts.keepPII) = (read.csvEngine, read.inflate, keepPii)
        opts.asOf = try asOf.map { try parseAsOf($0, config) }
        let sections = try InputPlan.sections(config, touches: touches)
        if listFiles {
            let plan = try ReportPlan(config: config, sections: sections, options: opts, touchesOnly: true)
            Output.stdout(plan.touchFiles.map { Paths.absolute($0.location) + "\n" }.joined())
            return
        }
        guard let out else { return }
        try StateFileTarget.check(out, protected: [options.config] + sections.flatMap(\.files))
        let plan = try ReportPlan(config: config, sections: sections, options: opts, touchesOnly: true)
        if let stdin = plan.touchFiles.first(where: { FileIdentity.of($0.location) == nil }) {
            throw ValidationError("\(stdin.path): a state names the files it stands for; standard input cannot be one of them")
        }
        let ctx = TouchContext(plan)
        let state = try TouchState.read(plan, ctx)
        let saved = SavedState(fingerprint: StateFingerprint(config, keepPII: keepPii), evidence: ctx.evidence, state: state)
        try StateFileTarget.write(try saved.encode(), to: out)
        if !quiet { Terminal.error("wrote \(out): \(state.files.count) touch file(s), \(state.touches) touch row(s)") }
    }
}

/// `pilotscope merge`: saved states → one (associative and commutative).
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge saved touch states into one (any number, any order).",
        discussion: """
            The states must come from one configuration (the same fingerprint). A touch file covered by two of them is an error: it is never counted twice.

            Exit codes: 0 success; 1 a corrupt or truncated state; 2 usage error, or states that cannot be merged.
            """)

    @Argument(help: "The states to merge.")
    var states: [String]

    @Option(help: "The state file to write (replaced atomically).")
    var out: String

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if states.isEmpty { throw ValidationError("give at least one STATE") }
    }

    func run() throws {
        try StateFileTarget.check(out, protected: [])
        let merged = try SavedState.merge(files: states)
        try StateFileTarget.write(try merged.encode(), to: out)
        if !quiet { Terminal.error("wrote \(out): \(merged.state.files.count) touch file(s) from \(states.count) state(s)") }
    }
}

/// The `--out` of `partial` and `merge`: a new path, or a previous state, replaced atomically.
enum StateFileTarget {
    static func check(_ path: String, protected: [String]) throws {
        let real = Paths.resolvedForCreation(path)
        for p in protected where p != "-" && Paths.resolvedForCreation(p) == real {
            throw ValidationError("--out \(path) is one of the run's inputs; choose another path")
        }
        switch Paths.kind(path, followingLinks: true) {
        case .missing: return
        case .file:
            guard head(path).starts(with: SavedState.magic) else {
                throw ValidationError("--out \(path) exists and is not a PilotScope state: it is not replaced; choose another path")
            }
        default: throw ValidationError("--out \(path) is not a file; choose a file path")
        }
    }

    /// The first bytes of a file (its magic), or none.
    static func head(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var b = [UInt8](repeating: 0, count: SavedState.magic.count)
        let n = b.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? Array(b[0..<n]) : []
    }

    /// Writes a temporary file beside the target, syncs it, and renames it into place.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let tmp = Paths.parent(Paths.absolute(path)) + "/." + Paths.lastComponent(path) + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw OutputError(.cannotCreate, path: path, "cannot create \(tmp)", cause: Errno(errno)) }
        var failure = FileIO.writeAll(fd, bytes)
        if failure == nil && fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == nil && rename(tmp, path) != 0 { failure = errno }
        if let failure {
            unlink(tmp)
            throw OutputError(.writeFailed, path: path, "cannot write the state", cause: Errno(failure))
        }
    }
}

/// `--as-of` as an instant in the configuration's default zone.
func parseAsOf(_ text: String, _ config: ResolvedConfig) throws -> Int64 {
    guard let t = ConfigValidator.parseInstant(text, zone: config.defaultZone) else { throw ValidationError("--as-of: not a timestamp: '\(text)'") }
    return t
}
