import Foundation

/// One configured input section with the files it expands to.
public struct PlannedSection: Sendable {
    public var kind: InputKind
    public var section: InputSection
    public var files: [String]
    /// The folder configured paths are relative to ("." for command-line files).
    public var base: String

    public init(kind: InputKind, section: InputSection, files: [String], base: String = ".") {
        self.kind = kind
        self.section = section
        self.files = files
        self.base = base
    }
}

/// Turns configuration sections and command-line files into `FileContext`s: expands globs relative
/// to the config's folder (matches in byte order, B13), reads each header and maps its columns.
/// Missing required columns fail here, before any data is read.
public enum InputPlan {
    public static func expand(_ patterns: [String], base: String) throws -> [String] {
        var out: [String] = []
        for p in patterns {
            if p == "-" {
                out.append(p)
                continue
            }
            let full = p.hasPrefix("/") || base == "." || base.isEmpty ? p : base + "/" + p
            if let z = ZipPath.split(full) {
                out += try zipEntries(z, typed: p, base: base)
                continue
            }
            out += isPattern(p) ? try globbed(full, typed: p, base: base) : [full]
        }
        return out
    }

    static func isPattern(_ s: String) -> Bool { s.contains(where: { "*?[".contains($0) }) }

    static func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

    /// The files a glob matches, in byte order; none is an error.
    static func globbed(_ full: String, typed: String, base: String) throws -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        var matches: [String] = []
        if glob(full, 0, nil, &g) == 0 {
            for i in 0..<Int(g.gl_pathc) { if let c = g.gl_pathv[i] { matches.append(String(cString: c)) } }
        }
        if matches.isEmpty { throw InputError(.unreadable, file: typed, "the pattern matches no file (looked in \(base))") }
        return matches.sorted(by: byteOrder)
    }

    /// The members a zip entry names. With a glob for the archive (`WE_00D*.zip#Lead.csv`: a
    /// weekly export is split over several archives), an archive without the member is passed
    /// over; none in any of them is the error.
    static func zipEntries(_ z: ZipPath, typed: String, base: String) throws -> [String] {
        guard isPattern(z.archive) else { return try zipMembers(z) }
        var out: [String] = []
        var firstMiss: InputError?
        for a in try globbed(z.archive, typed: typed, base: base) {
            do {
                out += try zipMembers(ZipPath(archive: a, member: z.member))
            } catch let e as InputError where e.code == .missingMember {
                firstMiss = firstMiss ?? e
            }
        }
        if out.isEmpty, let firstMiss {
            throw InputError(.missingMember, file: typed, "no archive the pattern matches holds the member (first: \(firstMiss.description))")
        }
        return out
    }

    /// `archive.zip#Member` for each member a zip entry names: the member, the members a glob
    /// matches (as `glob` matches: `*` stops at `/`), or without `#` every member ending in
    /// `.csv` (any case); in byte order of their names. None is an error naming the archive.
    static func zipMembers(_ z: ZipPath) throws -> [String] {
        let files = try ZipDirectory.members(z.archive).filter { !$0.isDirectory }.map(\.name)
        let chosen: [String]
        switch z.member {
        case .some(let m) where isPattern(m): chosen = files.filter { Paths.globMatches(m, $0) }
        case .some(let m): chosen = [try ZipDirectory.member(z.archive, m).name]
        case .none: chosen = files.filter { $0.lowercased().hasSuffix(".csv") }
        }
        if chosen.isEmpty {
            let what = z.member.map { "no member matches '\($0)'" } ?? "the archive holds no member ending in .csv"
            throw InputError(.missingMember, file: z.archive, what + " (it holds: \(files.isEmpty ? "no files" : files.prefix(10).joined(separator: ", ")))")
        }
        return chosen.sorted(by: byteOrder).map { z.archive + "#" + $0 }
    }

    /// The absolute glob patterns of the sections' file entries (entries without `*?[` are files,
    /// not patterns): where an output folder must not lie.
    public static func globPatterns(_ sections: [PlannedSection]) -> [String] {
        sections.flatMap { s in
            (s.section.files?.items ?? []).filter { $0 != "-" && $0.contains(where: { "*?[".contains($0) }) }
                .map { Paths.absolute(Paths.join(s.base, $0)) }
        }
    }

    /// The header row (first non-blank record) of a file.
    public static func readHeader(_ path: String, delimiter: UInt8, backend: InflateBackend) throws -> [String] {
        struct First: RecordHandler {
            var fields: [String]?
            struct Stop: Error {}
            mutating func record(_ r: inout RecordView) throws {
                fields = (0..<r.count).map { r[$0].string }
                throw Stop()
            }
        }
        let pool = BufferPool(size: 64 << 10, limit: 4)
        let chunker = Chunker(source: try openInput(path, backend: backend, probe: true), name: path, pool: pool, fileIndex: 0)
        guard let c = try chunker.next() else { throw InputError(.emptyFile, file: path, "empty file: no header row") }
        defer { pool.release(c.buffer, c.capacity) }
        var h = First()
        var scanner = FastCSVScanner(delimiter: delimiter)
        do {
            _ = try scanner.scan(c.buffer, c.length, atEOF: c.isLast, handler: &h)
        } catch is First.Stop {
        } catch let e as CSVSyntaxError {
            throw InputError(.csvSyntax, file: path, e.message, line: e.line + 1)
        }
        guard let fields = h.fields else { throw InputError(.emptyFile, file: path, "empty file: no header row") }
        return fields
    }

    /// The configuration's input sections, or for a kind given on the command line those files
    /// (replacing the configuration's files, keeping its first section's settings), with every
    /// glob expanded. The one planning step of `report`, `scan`, `validate` and the tests.
    public static func sections(_ r: ResolvedConfig, crm: [String] = [], touches: [String] = [], history: [String] = []) throws -> [PlannedSection] {
        var out: [PlannedSection] = []
        let inputs = r.file.inputs
        for (kind, cfg, cli) in [(InputKind.crm, inputs?.crm, crm), (.touches, inputs?.touches, touches), (.stage_history, inputs?.stage_history, history)] {
            if !cli.isEmpty {
                out += try commandLine(cli, kind: kind, configured: cfg?.items ?? [], base: r.baseDirectory)
                continue
            }
            for s in cfg?.items ?? [] {
                out.append(PlannedSection(kind: kind, section: s, files: try expand(s.files?.items ?? [], base: r.baseDirectory), base: r.baseDirectory))
            }
        }
        return out
    }

    /// Files given on the command line, each read with the settings of the configured section
    /// that names it (by real path), else of the first section: one planned section per group,
    /// in the order the groups first appear. So `partial --touches` over a part of a config's
    /// files reads each as the direct run would.
    static func commandLine(_ cli: [String], kind: InputKind, configured: [InputSection], base: String) throws -> [PlannedSection] {
        var owner: [String: Int] = [:]
        for (i, s) in configured.enumerated() {
            // A configured pattern that matches nothing names no file here (the run that reads
            // the config says so).
            for f in (try? expand(s.files?.items ?? [], base: base)) ?? [] {
                if let real = FileIdentity.of(f)?.realPath, owner[real] == nil { owner[real] = i }
            }
        }
        var groups: [(section: Int, files: [String])] = []
        for f in try expand(cli, base: ".") {
            let i = FileIdentity.of(f).flatMap { owner[$0.realPath] } ?? 0
            if let g = groups.firstIndex(where: { $0.section == i }) { groups[g].files.append(f) } else { groups.append((i, [f])) }
        }
        return groups.map { g in
            var s = configured.isEmpty ? InputSection(files: []) : configured[g.section]
            s.files = OneOrMany(g.files)
            return PlannedSection(kind: kind, section: s, files: g.files)
        }
    }

    /// How the files of one section are read: preset, delimiter, zone, timestamp format, stages.
    public struct SectionReading: Sendable {
        public var preset: Preset
        public var delimiter: UInt8
        public var timestamps: TimestampParser
        public var stages: [[UInt8]: Stage]
    }

    public static func reading(_ s: PlannedSection) throws -> SectionReading {
        let presetName = s.section.preset ?? "canonical"
        guard let preset = Presets.find(presetName, kind: s.kind) else {
            throw ConfigError(key: "preset", "unknown preset '\(presetName)' for \(s.kind.rawValue)")
        }
        let delim = s.section.delimiter.flatMap { $0.utf8.first } ?? 0x2C
        let zoneName = s.section.input_timezone ?? "UTC"
        guard let zone = TimeZoneCache.shared.table(zoneName) else {
            throw ConfigError(key: "input_timezone", "unknown time zone '\(zoneName)'")
        }
        let format = s.section.timestamp_format.flatMap(TimestampFormat.init(rawValue:)) ?? .auto
        var stages: [[UInt8]: Stage] = [:]
        for (name, st) in s.section.stages ?? [:] {
            if let stage = Stage(rawValue: st.lowercased()) { stages[name.normalizedText] = stage }
        }
        return SectionReading(preset: preset, delimiter: delim, timestamps: TimestampParser(format: format, zone: zone), stages: stages)
    }

    /// The name a file has in the quality table (B13): relative to the config's folder for
    /// configured files, as typed for command-line files, `stdin` for `-`.
    public static func displayName(_ path: String, base: String) -> String {
        if path == "-" { return "stdin" }
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return base != "." && path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// One file of a section: its header read and its columns mapped (missing required columns
    /// fail here, before any data is read).
    public static func context(_ path: String, of s: PlannedSection, reading r: SectionReading, index: Int, backend: InflateBackend) throws -> FileContext {
        let display = displayName(path, base: s.base)
        let header = try readHeader(path, delimiter: r.delimiter, backend: backend)
        let mapping = try ColumnMapping(kind: s.kind, header: header, preset: r.preset, overrides: s.section.columns ?? [:], file: display)
        return FileContext(
            index: index, path: display, location: path, kind: s.kind, mapping: mapping, delimiter: r.delimiter,
            timestamps: r.timestamps, stages: r.stages)
    }

    public static func contexts(sections: [PlannedSection], config: ResolvedConfig?, backend: InflateBackend) throws -> [FileContext] {
        var out: [FileContext] = []
        for s in sections {
            let r = try reading(s)
            for path in s.files { out.append(try context(path, of: s, reading: r, index: out.count, backend: backend)) }
        }
        return out
    }
}
