/// `pilotscope validate`, the pre-flight of tonight's run: the configuration's own checks (2.1),
/// then what the run would meet in its inputs, reading headers only: every glob matches, every
/// file opens, every header maps under its preset, and no ICP rule names a column an export
/// lacks. Errors (exit 2) and warnings (exit 0) each name the configuration file, the pilot and
/// the key.
public enum Preflight {
    public struct Outcome: Sendable {
        public var configFile: String
        public var issues: [ConfigIssue] = []
        public var pilots = 0
        /// The input files checked, as the quality table names them, with their kind.
        public var files: [(kind: InputKind, name: String)] = []

        public var errors: Int { issues.filter { $0.severity == .error }.count }
        public var warnings: Int { issues.filter { $0.severity == .warning }.count }
    }

    public static func run(configPath: String, backend: InflateBackend = .isal) -> Outcome {
        var out = Outcome(configFile: configPath)
        let file: ConfigFile
        do {
            file = try ConfigLoader.load(path: configPath)
        } catch let e as ConfigError {
            out.issues = e.naming(configPath).issues
            return out
        } catch {
            out.issues = [ConfigIssue(severity: .error, pilot: nil, key: "", message: "\(error)", file: configPath)]
            return out
        }
        let (resolved, issues) = ConfigValidator.resolve(file, baseDirectory: Paths.parent(configPath))
        out.issues = issues
        if let resolved {
            out.pilots = resolved.pilots.count
            let contexts = checkInputs(resolved, into: &out)
            out.issues += icpColumnWarnings(resolved.pilots, contexts)
        }
        out.issues = ConfigError(out.issues).naming(configPath).issues
        return out
    }

    /// Every configured section's patterns and files, each on its own so every problem is named.
    static func checkInputs(_ config: ResolvedConfig, into out: inout Outcome) -> [FileContext] {
        var contexts: [FileContext] = []
        let inputs = config.file.inputs
        let base = config.baseDirectory
        for (kind, sections) in [(InputKind.crm, inputs?.crm), (.touches, inputs?.touches), (.stage_history, inputs?.stage_history)] {
            for (si, section) in (sections?.items ?? []).enumerated() {
                let key = "inputs.\(kind.rawValue)[\(si)]"
                var files: [String] = []
                for (fi, pattern) in (section.files?.items ?? []).enumerated() {
                    do {
                        files += try InputPlan.expand([pattern], base: base)
                    } catch {
                        out.issues.append(ConfigIssue(severity: .error, pilot: nil, key: key + ".files[\(fi)]", message: "\(error)"))
                    }
                }
                if (section.files?.items ?? []).isEmpty {
                    out.issues.append(ConfigIssue(severity: .error, pilot: nil, key: key + ".files", message: "no files are named"))
                }
                let planned = PlannedSection(kind: kind, section: section, files: files, base: base)
                guard let reading = try? InputPlan.reading(planned) else { continue }  // reported by validation
                for path in files where path != "-" {
                    do {
                        let c = try InputPlan.context(path, of: planned, reading: reading, index: contexts.count, backend: .isal)
                        contexts.append(c)
                        out.files.append((kind, c.path))
                    } catch {
                        out.issues.append(ConfigIssue(severity: .error, pilot: nil, key: key, message: "\(error)"))
                    }
                }
            }
        }
        return contexts
    }

    /// An ICP rule whose field is a column some CRM file lacks: every lead from that file is
    /// missing the value, so it fails `min`, `max` and `in` and passes `not_in` (B22). Seen in the
    /// field as an ICP match of 52 % caused by a missing `Plan Tier` column.
    public static func icpColumnWarnings(_ pilots: [Pilot], _ contexts: [FileContext]) -> [ConfigIssue] {
        var out: [ConfigIssue] = []
        for p in pilots {
            for (ri, rule) in p.icp.enumerated() {
                for f in contexts where f.kind == .crm && !f.mapping.hasColumn(named: rule.field) {
                    let effect: String
                    switch rule.kind {
                    case .noneOf: effect = "every lead from it passes the rule"
                    case .range, .oneOf: effect = "every lead from it fails the rule"
                    }
                    out.append(
                        ConfigIssue(
                            severity: .warning, pilot: p.id, key: "icp[\(ri)]",
                            message:
                                "rule '\(rule.label)': \(f.path) has no column for '\(rule.field)': \(effect) (map it with `columns:`, or fix the field name)"))
                }
            }
        }
        return out
    }
}

extension ColumnMapping {
    /// The file has a column for a canonical field or an extra column of that header name.
    public func hasColumn(named name: String) -> Bool {
        if let fi = kind.fields.firstIndex(of: name) { return index[fi] >= 0 }
        return extras.contains { $0.name == name }
    }
}
