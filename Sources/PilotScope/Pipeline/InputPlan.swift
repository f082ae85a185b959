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
            if !p.contains(where: { "*?[".contains($0) }) {
                out.append(full)
                continue
            }
            var g = glob_t()
            defer { globfree(&g) }
            let rc = glob(full, 0, nil, &g)
            var matches: [String] = []
            if rc == 0 {
                for i in 0..<Int(g.gl_pathc) { if let c = g.gl_pathv[i] { matches.append(String(cString: c)) } }
            }
            if matches.isEmpty { throw InputError(.unreadable, file: p, "the pattern matches no file (looked in \(base))") }
            out += matches.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        return out
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

    public static func contexts(
        sections: [PlannedSection], config: ResolvedConfig?, backend: InflateBackend
    ) throws -> [FileContext] {
        var out: [FileContext] = []
        for s in sections {
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
            for path in s.files {
                let prefix = s.base.hasSuffix("/") ? s.base : s.base + "/"
                var display = s.base != "." && path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
                if path == "-" { display = "stdin" }
                let header = try readHeader(path, delimiter: delim, backend: backend)
                let mapping: ColumnMapping
                do {
                    mapping = try ColumnMapping(kind: s.kind, header: header, preset: preset, overrides: s.section.columns ?? [:], file: display)
                } catch let e as ColumnError {
                    throw e
                }
                out.append(
                    FileContext(
                        index: out.count, path: display, location: path, kind: s.kind, mapping: mapping, delimiter: delim,
                        timestamps: TimestampParser(format: format, zone: zone), stages: stages))
            }
        }
        return out
    }
}
