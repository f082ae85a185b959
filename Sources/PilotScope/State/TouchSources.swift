/// Where a report's touch side comes from (SPEC §7): every touch file read, saved states with
/// the files they do not cover read and merged in, or a state directory kept up to date.
public enum TouchInput: Sendable {
    case read
    /// `--touch-state S...`.
    case states([String])
    /// `--state-dir DIR [--verify-state]`.
    case stateDirectory(String, verify: Bool)
}

/// What a run did with the touch files (summary.json, `--log-format json`).
public struct TouchFileCounts: Sendable, Equatable {
    /// Files read from their bytes, files whose saved state was used, states dropped (their file
    /// is no longer named, or it changed).
    public var read = 0, reused = 0, dropped = 0
    public init() {}
}

extension SavedState {
    /// Reads and decodes a state file.
    public static func load(_ path: String, headerOnly: Bool = false) throws -> SavedState {
        switch FileIO.readFile(path, limit: 1 << 40) {
        case .success(let bytes): return try decode(bytes, file: path, headerOnly: headerOnly)
        case .failure(let e): throw StateError(.corrupt, file: path, "cannot read: \(e)")
        }
    }

    /// The state's fingerprint is `expected`'s, else a refusal naming what changed; with
    /// `evidence`, its evidence texts are the run's (ids in the body index them).
    public func check(fingerprint expected: StateFingerprint, file: String, evidence: [[String]]? = nil) throws {
        if fingerprint == expected {
            guard let evidence, evidence != self.evidence else { return }
            throw StateError(.corrupt, file: file, "its evidence texts do not match its fingerprint")
        }
        let what = expected.changes(from: fingerprint)
        throw StateError(
            .refused, file: file,
            "made under another configuration (changed: \(what.isEmpty ? "the fingerprint" : what.joined(separator: ", "))): rebuild it with `pilotscope partial`"
        )
    }

    /// `merge` of state files: the headers checked first (one fingerprint, no file twice), then
    /// each body decoded and absorbed in turn, so at most two states are in memory.
    public static func merge(files: [String]) throws -> SavedState {
        guard let firstPath = files.first else { throw StateError(.refused, file: "merge", "no state to merge") }
        _ = try merge(files.map { (file: $0, state: try load($0, headerOnly: true)) }, threads: 1)
        var out = try load(firstPath)
        for path in files.dropFirst() {
            let s = try load(path)
            try s.check(fingerprint: out.fingerprint, file: path, evidence: out.evidence)
            // `merge` has no --threads: it is the only stage of its run, and takes every core.
            out.state.absorb(s.state, evidence: out.evidence, threads: allCores)
        }
        return out
    }

    /// SPEC §7 merge: associative and commutative; all parts of one fingerprint, and no file
    /// (real path and SHA-256) in two parts.
    /// The states' merge uses up to `threads` threads.
    public static func merge(_ parts: [(file: String, state: SavedState)], threads: Int) throws -> SavedState {
        guard let first = parts.first else { throw StateError(.refused, file: "merge", "no state to merge") }
        var seen: [String: String] = [:]
        for (file, s) in parts {
            try s.check(fingerprint: first.state.fingerprint, file: file)
            for f in s.state.files {
                let key = (f.identity?.realPath ?? "") + "\u{0}" + f.sha256
                if let other = seen[key] {
                    throw StateError(
                        .refused, file: file, "\(f.identity?.realPath ?? f.account.path) is covered by \(other) too: a file is never counted twice")
                }
                seen[key] = file
            }
        }
        var states = parts.map(\.state.state)
        var out = first.state
        out.state = TouchState.merge(&states, evidence: first.state.evidence, threads: threads)
        return out
    }
}

/// The touch side of a report, as its `TouchInput` says: one merged state at the report's
/// `as_of`, its files in the order the run names them, under the run's names for them.
public struct TouchAssembly: Sendable {
    public var state: TouchState
    public var counts = TouchFileCounts()
    /// With `--state-dir`: the directory's new content, written after the output.
    public var update: StateDirectoryUpdate?
    /// One line each: why states were rebuilt or dropped (shown unless `--quiet`).
    public var messages: [String] = []

    public static func assemble(_ plan: ReportPlan, _ ctx: TouchContext) throws -> TouchAssembly {
        switch plan.options.touchInput {
        case .read:
            let state = try TouchState.read(plan, ctx)
            var a = TouchAssembly(state: state)
            a.counts.read = plan.touchFiles.count
            return a
        case .states(let paths): return try fromStates(paths, plan, ctx)
        case .stateDirectory(let dir, let verify): return try StateDirectory(dir, plan, ctx, verify: verify).assemble()
        }
    }

    /// `--touch-state`: the states merged; files they cover are not read, the others are.
    static func fromStates(_ paths: [String], _ plan: ReportPlan, _ ctx: TouchContext) throws -> TouchAssembly {
        let fp = StateFingerprint(plan.config, keepPII: plan.options.keepPII)
        var parts: [(file: String, state: SavedState)] = []
        for p in paths {
            let s = try SavedState.load(p)
            try s.check(fingerprint: fp, file: p, evidence: ctx.evidence)
            try s.check(asOf: plan.asOf, file: p)
            parts.append((p, s))
        }
        let merged = try SavedState.merge(parts, threads: plan.options.threads)
        var owner: [String: (state: String, index: Int)] = [:]
        for (p, s) in parts { for f in s.state.files { owner[f.identity?.realPath ?? ""] = (p, -1) } }
        for (i, f) in merged.state.files.enumerated() { owner[f.identity?.realPath ?? ""]?.index = i }
        var covered: [Int: Int] = [:]
        var toRead: [FileContext] = []
        for f in plan.touchFiles {
            guard let id = FileIdentity.of(f.location), let (stateFile, si) = owner[id.realPath] else {
                toRead.append(f)
                continue
            }
            let c = merged.state.files[si]
            guard c.identity == id else {
                throw StateError(
                    .refused, file: stateFile,
                    "\(f.path) has changed since the state was made (\(c.identity.map(Self.describe) ?? "") then, \(Self.describe(id)) now): rebuild the state")
            }
            guard c.reading == f.readingDigest else {
                throw StateError(
                    .refused, file: stateFile, "\(f.path) was read with other settings (columns, delimiter, timestamps or zone): rebuild the state")
            }
            covered[f.index] = si
        }
        let used = Set(covered.values)
        for (i, f) in merged.state.files.enumerated() where !used.contains(i) {
            let name = f.identity?.realPath ?? f.account.path
            throw StateError(
                .refused, file: owner[name]?.state ?? paths[0],
                "covers \(name), which this run names nowhere (neither the configuration nor --touches): name it, or leave the state out")
        }
        var state = merged.state
        let fresh = toRead.isEmpty ? nil : try TouchState.read(plan, ctx, files: toRead)
        if let fresh { state.absorb(fresh, evidence: ctx.evidence, threads: plan.options.threads) }
        let freshBase = merged.state.files.count
        var freshIndex = 0
        state.files = plan.touchFiles.map { f in
            if let si = covered[f.index] { return Self.renamed(state.files[si], f.path) }
            defer { freshIndex += 1 }
            return state.files[freshBase + freshIndex]
        }
        var a = TouchAssembly(state: try finish(state, plan, ctx))
        (a.counts.read, a.counts.reused) = (toRead.count, covered.count)
        return a
    }

    /// The state folded up to the report's `as_of`, its reject rates checked again (the
    /// configuration's limit may have changed since the state was made).
    static func finish(_ state: TouchState, _ plan: ReportPlan, _ ctx: TouchContext) throws -> TouchState {
        var state = state
        state.fold(upTo: plan.asOf, ctx)
        try plan.checkRejectRates(state.accounts)
        return state
    }

    static func renamed(_ f: CoveredFile, _ scope: String) -> CoveredFile {
        var f = f
        f.account = f.account(as: scope)
        return f
    }

    static func describe(_ id: FileIdentity) -> String { "\(id.size) bytes, modified \(Civil.isoString(millis: id.mtime / 1_000_000))" }
}

extension SavedState {
    /// A state folded at a later `as_of` than the report's cannot unsee the touches between.
    func check(asOf: Int64, file: String) throws {
        guard state.asOf > asOf else { return }
        throw StateError(
            .refused, file: file,
            "made at as_of \(Civil.isoString(millis: state.asOf)), later than this report's \(Civil.isoString(millis: asOf)): it already counts touches up to then; report at that as_of or later, or rebuild the state"
        )
    }
}
