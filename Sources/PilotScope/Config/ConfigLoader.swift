import Foundation
import Yams

public enum ConfigLoader {
    /// Parses YAML (or JSON) text with Yams, rejects unknown keys with their path and line, and
    /// decodes the Codable schema.
    public static func parse(_ text: String, fileName: String = "pilotscope.yaml") throws -> ConfigFile {
        let node: Node
        do {
            guard let n = try Yams.compose(yaml: text) else {
                throw ConfigError(key: "", "the configuration file is empty")
            }
            node = n
        } catch let e as ConfigError {
            throw e
        } catch {
            throw ConfigError(key: "", "not valid YAML: \(error)")
        }
        let file: ConfigFile
        do {
            file = try YAMLDecoder().decode(ConfigFile.self, from: node)
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            throw ConfigError(key: pathString(ctx.codingPath), "wrong type: \(ctx.debugDescription)")
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ConfigError(key: pathString(ctx.codingPath + [key]), "required key is missing")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw ConfigError(key: pathString(ctx.codingPath), ctx.debugDescription)
        }
        // Unknown keys: every mapping key of the input must survive a decode/encode round trip.
        let known = try Yams.compose(yaml: try YAMLEncoder().encode(file)) ?? Node("")
        var issues: [ConfigIssue] = []
        unknownKeys(input: node, known: known, path: "", into: &issues)
        if !issues.isEmpty { throw ConfigError(issues) }
        return file
    }

    /// Reads and parses a configuration file; every error names the file, and a file that
    /// cannot be read says why (the system's reason).
    public static func load(path: String) throws -> ConfigFile {
        let bytes: [UInt8]
        switch FileIO.readFile(path, limit: 64 << 20) {
        case .success(let b): bytes = b
        case .failure(let e):
            throw ConfigError([ConfigIssue(severity: .error, pilot: nil, key: "", message: "cannot read the configuration file: \(e)", file: path)])
        }
        do {
            return try parse(String(decoding: bytes, as: UTF8.self), fileName: path)
        } catch let e as ConfigError {
            throw e.naming(path)
        }
    }

    /// Loads and validates a configuration (2.1): the resolved configuration and its warnings,
    /// each naming the file; every error is thrown together as one `ConfigError`. Paths in it are
    /// relative to the file's folder.
    public static func loadResolved(path: String) throws -> (config: ResolvedConfig, warnings: [ConfigIssue]) {
        let file = try load(path: path)
        let (resolved, issues) = ConfigValidator.resolve(file, baseDirectory: Paths.parent(path))
        let named = ConfigError(issues).naming(path).issues
        guard let resolved else { throw ConfigError(named.filter { $0.severity == .error }) }
        return (resolved, named.filter { $0.severity == .warning })
    }

    static func pathString(_ path: [CodingKey]) -> String {
        var s = ""
        for k in path {
            if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : "." + k.stringValue }
        }
        return s.isEmpty ? "(top level)" : s
    }

    private static func unknownKeys(input: Node, known: Node, path: String, into issues: inout [ConfigIssue]) {
        switch input {
        case .mapping(let m):
            // A single section given where a list is allowed re-encodes as a one-element list.
            var known = known
            if case .sequence(let s) = known, s.count == 1 { known = s[0] }
            let knownMap = known.mapping
            let knownKeys = Set(knownMap?.keys.compactMap(\.string) ?? [])
            for (k, v) in m {
                let key = k.string ?? "?"
                let here = path.isEmpty ? key : path + "." + key
                if case .scalar(let s) = v, s.tag.description.hasSuffix("null") || s.string == "~" { continue }
                if !knownKeys.contains(key) {
                    let suggestion = closest(key, among: Array(allowedKeys(near: knownKeys)))
                    let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
                    issues.append(
                        ConfigIssue(
                            severity: .error, pilot: nil, key: here,
                            message: "unknown key at line \(k.mark?.line ?? 0)\(hint)"))
                } else if let kv = knownMap?[Node(key)] {
                    unknownKeys(input: v, known: kv, path: here, into: &issues)
                }
            }
        case .sequence(let s):
            let ks = known.sequence.map(Array.init) ?? []
            for (i, v) in s.enumerated() where i < ks.count {
                unknownKeys(input: v, known: ks[i], path: path + "[\(i)]", into: &issues)
            }
        default:
            return
        }
    }

    /// The schema's keys are not all present in a sparse file; suggest from every key we know.
    private static func allowedKeys(near present: Set<String>) -> Set<String> {
        present.union(schemaKeys)
    }

    static let schemaKeys: Set<String> = [
        "as_of", "timezone", "inputs", "dedup", "attribution", "influence", "lookback_days", "half_life_days", "grace_days", "max_reject_rate", "pilots", "crm",
        "touches", "stage_history", "files", "preset", "columns", "timestamp_format", "input_timezone", "delimiter",
        "stages", "strip_plus_tags", "gmail_dots", "model", "id", "name", "partner", "motion", "hypothesis", "segment",
        "start", "end", "match", "source_tags", "utm", "source", "medium", "campaign", "term", "content",
        "scheduling_links", "meeting_types", "icp", "field", "min", "max", "in", "not_in", "costs", "fixed", "hours",
        "hourly_rate", "per_lead", "per_sqm", "per_won", "currency", "primary_metric", "thresholds", "scale", "stop",
        "sla", "respond_business_hours", "schedule_business_days", "caps", "leads", "min_sample", "adjustment", "date",
        "note", "holidays", "use_case", "offer", "assets", "owners", "cadence", "risks",
    ]

    /// The closest known key by edit distance, if close enough to be a typo.
    static func closest(_ key: String, among: [String]) -> String? {
        var best: (String, Int)?
        for c in among.sorted() {
            let d = Text.editDistance(Array(key), Array(c))
            if d <= max(2, key.count / 3), best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

}
