import CCrypto
import Foundation

/// The new content of a `--state-dir` folder: states kept from the old folder (hard-linked) and
/// states of the files read this run. Written by the CLI after the output, atomically. The new
/// states are encoded on a thread of their own while the report is built (`written`).
public struct StateDirectoryUpdate: Sendable {
    /// File name in the folder → the old folder's file it is kept from.
    public var kept: [(name: String, from: String)] = []
    /// The new states, as (file name, bytes), once encoded.
    public var written: BackgroundRun<[(name: String, bytes: [UInt8])]>?

    public func write(into folder: AtomicDirectory) throws {
        for k in kept { try folder.keep(k.name, from: k.from) }
        for w in try written?.wait() ?? [] { try folder.write(w.name, bytes: w.bytes) }
        try folder.commit()
    }
}

/// `report --state-dir DIR` (SPEC §7): one state per touch file, and `merged.state`, the merge of
/// them all as of the last run (a cache: a night that only adds files decodes it and the new
/// files' states, not every state; a night that drops or re-reads a file merges the per-file
/// states again). A file whose (real path, size,
/// mtime) and reading settings match a saved state is not read; the others are read, and their
/// states made; states of files the run no longer names are dropped. A changed fingerprint or
/// engine version rebuilds everything, with one message saying why. `--verify-state` re-hashes
/// every file and rebuilds those whose SHA-256 differs. A saved state that cannot be decoded is
/// rebuilt, with a message naming its bad byte.
struct StateDirectory {
    let dir: String
    let plan: ReportPlan
    let ctx: TouchContext
    let verify: Bool
    let fingerprint: StateFingerprint

    init(_ dir: String, _ plan: ReportPlan, _ ctx: TouchContext, verify: Bool) {
        self.dir = dir
        self.plan = plan
        self.ctx = ctx
        self.verify = verify
        fingerprint = StateFingerprint(plan.config, keepPII: plan.options.keepPII)
    }

    /// A touch file's state file name: from its real path, so a file keeps its name.
    static func name(of id: FileIdentity) -> String {
        String(SHA256.hex(SHA256.digest(Array(id.realPath.utf8))).prefix(32)) + ".state"
    }

    /// The folder's merge of every per-file state of the last run: a night that only adds files
    /// decodes this one state, not one per file.
    static let mergedName = "merged.state"

    /// A saved state that still stands for a file the run names.
    typealias Reused = (name: String, path: String, file: CoveredFile, context: FileContext)

    func assemble() throws -> TouchAssembly {
        var messages: [String] = []
        var (saved, unusable) = loadSaved(&messages)
        var update = StateDirectoryUpdate()
        var reused: [Reused] = []
        var toRead: [(name: String, file: FileContext)] = []
        var counts = TouchFileCounts()
        for f in plan.touchFiles {
            guard let id = FileIdentity.of(f.location) else {
                throw StateError(.refused, file: f.path, "--state-dir cannot keep a state of \(f.path == "-" ? "standard input" : "a file it cannot stat")")
            }
            let name = Self.name(of: id)
            if let (path, s) = saved[name], try reusable(s, f, id) {
                update.kept.append((name, path))
                reused.append((name, path, s.state.files[0], f))
                saved[name] = nil
            } else {
                toRead.append((name, f))
            }
        }
        if !saved.isEmpty { messages.append("--state-dir \(dir): \(saved.count) state(s) dropped (their files are no longer named, or have changed)") }
        // The saved states are decoded on a thread of their own while the new files are read,
        // each encoded and folded into `fresh` as it comes; a reused state whose body does not
        // decode is dropped, and its file read after.
        let savedRun = BackgroundRun { [self, reused] in decodeSaved(reused) }
        var fresh: TouchState?
        var perFile: [(name: String, bytes: [UInt8])] = []
        func read(_ name: String, _ f: FileContext) throws {
            let one = try readOne(f)
            perFile.append((name, try SavedState(fingerprint: fingerprint, evidence: ctx.evidence, state: one).encode()))
            if fresh == nil { fresh = one } else { fresh!.absorb(one, evidence: ctx.evidence, threads: plan.options.threads) }
        }
        for (name, f) in toRead { try read(name, f) }
        let decoded = try savedRun.wait()
        messages += decoded.messages
        for r in decoded.broken {
            update.kept.removeAll { $0.name == r.name }
            toRead.append((r.name, r.context))
            try read(r.name, r.context)
        }
        let broken = decoded.broken.count
        (counts.reused, counts.read, counts.dropped) = (reused.count - broken, toRead.count, saved.count + unusable + broken)
        var merged = decoded.state ?? fresh ?? TouchState(pilots: ctx.evidence.count)
        if decoded.state != nil, let fresh { merged.absorb(fresh, evidence: ctx.evidence, threads: plan.options.threads) }
        fresh = nil
        // In the run's order, under the run's names.
        var byPath: [String: CoveredFile] = [:]
        for c in merged.files { byPath[c.identity?.realPath ?? ""] = c }
        merged.files = try plan.touchFiles.map { f in
            guard let c = byPath[FileIdentity.of(f.location)?.realPath ?? ""] else {
                throw StateError(.corrupt, file: dir, "no state covers \(f.path) after the merge (a file named twice under one real path?)")
            }
            return TouchAssembly.renamed(c, f.path)
        }
        let keepMerged = decoded.base.map { $0.count == reused.count } ?? false && toRead.isEmpty
        if keepMerged { update.kept.append((Self.mergedName, dir + "/" + Self.mergedName)) }
        // The new merged state is encoded while the report is built, and written after its output.
        let whole: TouchState? = keepMerged || plan.touchFiles.isEmpty ? nil : merged
        update.written = BackgroundRun { [perFile, fingerprint, ctx] in
            guard let whole else { return perFile }
            return perFile + [(Self.mergedName, try SavedState(fingerprint: fingerprint, evidence: ctx.evidence, state: whole).encode())]
        }
        var a = TouchAssembly(state: try TouchAssembly.finish(merged, plan, ctx))
        (a.counts, a.update, a.messages) = (counts, update, messages)
        return a
    }

    /// One touch file read into a state of its own, under the run's name for it.
    private func readOne(_ f: FileContext) throws -> TouchState {
        var one = try TouchState.read(plan, ctx, files: [f])
        one.files[0].account = one.files[0].account(as: f.path)
        return one
    }

    /// What the saved states of reused files decode to: the merged state when it covers only
    /// such files (`base`: their names), the other reused states absorbed one at a time, and
    /// those whose body does not decode (`broken`).
    struct DecodedStates: Sendable {
        var state: TouchState?
        var base: Set<String>?
        var broken: [Reused] = []
        var messages: [String] = []
    }

    private func decodeSaved(_ reused: [Reused]) -> DecodedStates {
        var out = DecodedStates()
        if let base = loadMerged(covering: reused, &out.messages) { (out.state, out.base) = (base.state, base.names) }
        for r in reused where !(out.base?.contains(r.name) ?? false) {
            do {
                let s = try SavedState.load(r.path)
                try s.check(fingerprint: fingerprint, file: r.path, evidence: ctx.evidence)
                // One thread: this runs beside the read of the new files, which has the others.
                if out.state == nil { out.state = s.state } else { out.state!.absorb(s.state, evidence: ctx.evidence, threads: 1) }
            } catch {
                out.messages.append("--state-dir: \(error); its file is read again")
                out.broken.append(r)
            }
        }
        return out
    }

    /// The folder's merged state, when every file it covers is one of `reused` with the same
    /// identity, hash and reading, and its `as_of` is not after the report's; else nil (a merged
    /// state that does not decode is reported and left out: the per-file states stand).
    private func loadMerged(covering reused: [Reused], _ messages: inout [String]) -> (state: TouchState, names: Set<String>)? {
        let path = dir + "/" + Self.mergedName
        guard !reused.isEmpty, FileIdentity.of(path) != nil else { return nil }
        var wanted: [String: CoveredFile] = [:]
        for r in reused { wanted[r.name] = r.file }
        func stands(_ c: CoveredFile) -> String? {
            guard let id = c.identity, let w = wanted[Self.name(of: id)], w.identity == id, w.sha256 == c.sha256, w.reading == c.reading else { return nil }
            return Self.name(of: id)
        }
        do {
            let header = try SavedState.load(path, headerOnly: true)
            guard header.fingerprint == fingerprint, header.evidence == ctx.evidence, header.state.asOf <= plan.asOf else { return nil }
            let names = header.state.files.compactMap(stands)
            guard names.count == header.state.files.count, Set(names).count == names.count else { return nil }
            let s = try SavedState.load(path)
            try s.check(fingerprint: fingerprint, file: path, evidence: ctx.evidence)
            return (s.state, Set(names))
        } catch {
            messages.append("--state-dir: \(error); the per-file states are merged instead")
            return nil
        }
    }

    /// The saved states' headers by file name; those of another version or fingerprint, or that cannot be
    /// decoded, are left out (their files are read again), with one message per cause.
    /// Also returns how many states are left out.
    private func loadSaved(_ messages: inout [String]) -> ([String: (path: String, state: SavedState)], Int) {
        guard case .success(let names) = Paths.entries(dir) else { return ([:], 0) }
        var out: [String: (String, SavedState)] = [:]
        var otherConfig: [String] = [], otherVersion = 0, unusable = 0
        for name in names.sorted() where name.hasSuffix(".state") && name != Self.mergedName {
            unusable += 1
            let path = dir + "/" + name
            do {
                // The header only: a body is decoded when it is used, one at a time.
                let s = try SavedState.load(path, headerOnly: true)
                guard s.fingerprint == fingerprint else {
                    if otherConfig.isEmpty { otherConfig = fingerprint.changes(from: s.fingerprint) }
                    continue
                }
                try s.check(fingerprint: fingerprint, file: path, evidence: ctx.evidence)
                guard s.state.files.count == 1 else { throw StateError(.corrupt, file: path, "holds \(s.state.files.count) files, not one") }
                out[name] = (path, s)
                unusable -= 1
            } catch let e as StateError where e.kind == .refused {
                otherVersion += 1
            } catch {
                messages.append("--state-dir: \(error); its file is read again")
            }
        }
        if !otherConfig.isEmpty {
            messages.append("--state-dir \(dir): the configuration changed (\(otherConfig.joined(separator: ", "))): every state is rebuilt")
        }
        if otherVersion > 0 { messages.append("--state-dir \(dir): \(otherVersion) state(s) of another pilotscope version: rebuilt") }
        return (out, unusable)
    }

    /// Whether a saved state still stands for the file: same identity and reading settings, an
    /// `as_of` not after the report's, and under `--verify-state` the same SHA-256.
    private func reusable(_ s: SavedState, _ f: FileContext, _ id: FileIdentity) throws -> Bool {
        let c = s.state.files[0]
        guard c.identity == id, c.reading == f.readingDigest, s.state.asOf <= plan.asOf else { return false }
        guard verify else { return true }
        return try FileDigest.sha256(f.location) == c.sha256
    }
}

/// SHA-256 of a file's bytes as stored, streamed.
enum FileDigest {
    /// The digest a read records: of the file's bytes, or of a zip member's stored bytes (read
    /// through, so its CRC is checked too).
    static func sha256(_ path: String) throws -> String {
        var digest: String?
        let reader: ByteSource
        if let z = ZipPath.split(path), let member = z.member {
            let r = try ZipMemberReader(archive: z.archive, member: member, backend: .isal, checksum: true)
            r.onEnd = { digest = $0 }
            reader = r
        } else {
            let r = try FileReader(path: path, checksum: true)
            r.onEnd = { digest = $0 }
            reader = r
        }
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while try buf.withUnsafeMutableBufferPointer({ try reader.read(into: $0.baseAddress!, capacity: $0.count) }) > 0 {}
        return digest ?? ""
    }
}
