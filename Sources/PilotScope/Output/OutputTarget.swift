import Glibc

/// A folder the tool owns and replaces whole: the run output (`--out`) or the touch states
/// (`--state-dir`). It may be a path that does not exist, an empty folder, or a folder a
/// previous run wrote (it holds the role's marker file and nothing the tool did not write).
/// Anything else is refused with exit 2 before any data is read, so a mistyped cron line can
/// never replace the exports, the configuration or someone's files.
public struct OutputTarget: Sendable {
    public enum Role: Sendable {
        case output, stateDirectory

        /// The marker file every folder of this role holds.
        public var marker: String {
            switch self {
            case .output: return ".pilotscope-output"
            case .stateDirectory: return ".pilotscope-state"
            }
        }

        /// The marker's text: the tool, its version and the folder's format.
        public var markerText: String {
            switch self {
            case .output: return "pilotscope \(PilotScopeVersion.string)\noutput format 1\n"
            case .stateDirectory: return "pilotscope \(PilotScopeVersion.string)\nstate directory format 1\n"
            }
        }

        var option: String { self == .output ? "--out" : "--state-dir" }

        /// Whether a folder entry is one the tool writes in this role.
        func owns(_ name: String) -> Bool {
            switch self {
            case .output: return name == marker || OutputTarget.outputFiles.contains(name)
            case .stateDirectory: return name == marker || name.hasSuffix(".state")
            }
        }
    }

    /// Every file a report run writes into its output folder.
    public static var outputFiles: Set<String> {
        Set(ReportTables.names.map { $0 + ".csv" } + ["rejects.csv", "summary.json", "report.html", "report.xlsx"])
    }

    /// The path as given (for messages).
    public let given: String
    /// The real path of the folder: symbolic links resolved, so a link at the given path keeps
    /// pointing at the new folder.
    public let path: String
    public let role: Role

    /// Checks `given` for `role`. `protected` are paths the run reads (the configuration and
    /// every input file): the folder may not contain one. `patterns` are the inputs' glob
    /// patterns (absolute): the folder and its files may not be where one of them reads.
    public static func check(_ given: String, role: Role, protected: [String], patterns: [String]) throws -> OutputTarget {
        let c = Checker(given: given, role: role)
        guard !given.isEmpty else { throw c.refuse("is empty", Checker.chooseAnother) }
        let typed = Paths.trimmingSlashes(given)
        let lexical = Paths.absolute(typed)
        let real = try c.resolve(typed)
        if real == "/" { throw c.refuse("is the root folder", Checker.chooseAnother) }
        let cwd = (try? Paths.real(Paths.currentDirectory).get()) ?? Paths.currentDirectory
        if Paths.isInside(cwd, real) {
            throw c.refuse(
                real == cwd ? "is the current folder" : "contains the current folder (\(cwd))",
                "\(Checker.chooseAnother), for example \(role == .output ? "out" : "state")")
        }
        try c.checkProtected(protected, real: real, lexical: lexical)
        try c.checkPatterns(patterns, real: real, lexical: lexical)
        try c.checkExisting(real)
        return OutputTarget(given: given, path: real, role: role)
    }

    /// The checks of one target, each refusing with a message that says what is there and what to do.
    struct Checker {
        let given: String
        let role: Role
        static let chooseAnother = "name a new or empty folder, or one a previous PilotScope run wrote"
        static let outsideInputs = "name a folder outside the configuration's folder and the inputs' folders"

        func refuse(_ what: String, _ how: String) -> OutputError {
            OutputError(.refused, path: given, "\(role.option) \(what); \(how)")
        }

        /// The real path of the target: a symlink is followed (a loop or a dangling link is
        /// refused), a missing path is resolved through its existing ancestors.
        func resolve(_ typed: String) throws -> String {
            switch Paths.kind(typed) {
            case .error(ELOOP):
                throw refuse("is a symbolic link loop", "point it at a real folder")
            case .error(let e):
                throw OutputError(.refused, path: given, "\(role.option) cannot be examined", cause: Errno(e))
            case .symlink:
                switch Paths.real(typed) {
                case .success(let r): return r
                case .failure(let e) where e.code == ELOOP: throw refuse("is a symbolic link loop", "point it at a real folder")
                case .failure: throw refuse("is a symbolic link to a path that does not exist", "point it at a real folder")
                }
            case .missing:
                return Paths.resolvedForCreation(typed)
            default:
                guard case .success(let r) = Paths.real(typed) else { throw refuse("cannot be resolved", Self.chooseAnother) }
                return r
            }
        }

        /// Neither a file the run reads nor a folder holding one.
        func checkProtected(_ protected: [String], real: String, lexical: String) throws {
            for p in protected where p != "-" {
                let candidates = [Paths.absolute(p), (try? Paths.real(p).get()) ?? Paths.absolute(p)]
                if candidates.contains(real) || candidates.contains(lexical) {
                    throw refuse("is \(p), a file this run reads", Self.outsideInputs)
                }
                if candidates.contains(where: { Paths.isInside($0, real) || Paths.isInside($0, lexical) }) {
                    throw refuse("contains \(p), which this run reads: replacing the folder would delete it", Self.outsideInputs)
                }
            }
        }

        /// Not where an input glob would read the folder or its files.
        func checkPatterns(_ patterns: [String], real: String, lexical: String) throws {
            let ownNames = role == .output ? Array(OutputTarget.outputFiles) + [role.marker] : [role.marker, "x.state"]
            for pattern in patterns {
                for base in Set([real, lexical]) {
                    let paths = [base] + ownNames.map { base + "/" + $0 }
                    if let hit = paths.first(where: { Paths.globMatches(pattern, $0) }) {
                        throw refuse("lies where the input pattern '\(pattern)' would read its files (\(hit))", Self.outsideInputs)
                    }
                }
            }
        }

        /// What is at the path: nothing, an empty folder, or a folder of this role's files only;
        /// and the folder that holds it must be writable.
        func checkExisting(_ real: String) throws {
            switch Paths.kind(real, followingLinks: true) {
            case .missing:
                break
            case .directory:
                let names: [String]
                switch Paths.entries(real) {
                case .success(let n): names = n
                case .failure(let e): throw OutputError(.refused, path: given, "\(role.option) cannot be listed", cause: e)
                }
                let foreign = names.filter { !role.owns($0) }
                let marked = names.contains(role.marker) || (role == .output && names.contains("summary.json"))
                if !names.isEmpty && (!foreign.isEmpty || !marked) {
                    let listed = foreign.isEmpty ? names : foreign
                    let shown = listed.prefix(3).joined(separator: ", ") + (listed.count > 3 ? ", …" : "")
                    throw refuse("is a folder with content PilotScope did not write (\(shown))", "\(Self.chooseAnother); nothing was changed")
                }
            case .file:
                throw refuse("is a regular file, not a folder", Self.chooseAnother + "; the file was not changed")
            case .symlink, .other:
                throw refuse("is not a folder", Self.chooseAnother)
            case .error(let e):
                throw OutputError(.refused, path: given, "\(role.option) cannot be examined", cause: Errno(e))
            }
            try OutputTarget.checkCreatable(Paths.parent(real), given: given, role: role)
        }
    }

    /// The folder that will hold the target (or its nearest existing ancestor, when parents are
    /// to be created) must be a writable folder.
    static func checkCreatable(_ parent: String, given: String, role: Role) throws {
        var p = parent
        while true {
            switch Paths.kind(p, followingLinks: true) {
            case .missing:
                p = Paths.parent(p)
                continue
            case .directory:
                if access(p, W_OK | X_OK) != 0 {
                    throw OutputError(
                        .refused, path: given, "\(role.option) cannot be created in \(p): the folder that holds it must be writable",
                        cause: Errno(errno))
                }
                return
            default:
                throw OutputError(.refused, path: given, "\(role.option) cannot be created: \(p) is not a folder")
            }
        }
    }
}
