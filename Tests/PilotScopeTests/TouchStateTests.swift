import Foundation
import XCTest

@testable import PilotScope

/// SPEC §7 through the built binary: `partial`, `merge` and `report --touch-state` give tables
/// byte-identical to a run that reads every touch file, for random splits of the files into
/// states, random merge trees and orders, and every allowed `as_of`.
final class TouchStateTests: XCTestCase {
    /// A dataset: a folder with a configuration whose touch glob names `touchFiles`.
    struct Dataset {
        var dir: String
        var config: String { dir + "/pilotscope.yaml" }
        var touchFiles: [String]
        /// Report moments to try (each state is made at one of those at or before the report's).
        var asOfs: [String]
    }

    /// A golden case with its touch log split into files of one or two rows.
    static func splitGolden(_ name: String, into dir: String) -> Dataset {
        let src = Support.fixtures.appendingPathComponent(name).path
        try? FileManager.default.copyItem(atPath: src + "/crm.csv", toPath: dir + "/crm.csv")
        let config = Support.read(src + "/pilotscope.yaml").replacingOccurrences(of: "files: [touches.csv]", with: "files: [\"touches-*.csv\"]")
        Support.write(dir + "/pilotscope.yaml", config)
        let lines = Support.read(src + "/touches.csv").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines[0]
        let rows = lines.dropFirst().filter { !$0.isEmpty }
        var files: [String] = []
        var i = 0
        while i < rows.count {
            let n = i % 3 == 0 ? 2 : 1
            let path = dir + "/touches-\(files.count + 10).csv"
            Support.write(path, ([header] + rows[i..<min(i + n, rows.count)]).joined(separator: "\n") + "\n")
            files.append(path)
            i += n
        }
        let asOf = config.split(separator: "\n").first { $0.hasPrefix("as_of:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }!
        return Dataset(dir: dir, touchFiles: files, asOfs: ["2026-03-10T00:00:00Z", "2026-03-12T11:30:00Z", asOf])
    }

    /// Every output CSV of a run folder, by name.
    static func tables(_ dir: String) -> [String: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        var out: [String: String] = [:]
        for n in names where n.hasSuffix(".csv") { out[n] = Support.read(dir + "/" + n) }
        return out
    }

    static func assertSameTables(_ expected: [String: String], _ got: [String: String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(expected.keys), Set(got.keys), what, file: file, line: line)
        XCTAssertGreaterThanOrEqual(expected.count, 11, "every table and rejects.csv", file: file, line: line)
        for (name, text) in expected where got[name] != text {
            XCTFail("\(what): \(name) differs\n--- direct\n\(text)\n--- via states\n\(got[name] ?? "(missing)")", file: file, line: line)
        }
    }

    /// `rounds` random splits, merge trees and `as_of`s, each checked against a direct run.
    func checkEquivalence(_ d: Dataset, rounds: Int, seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var direct: [String: [String: String]] = [:]
        for b in d.asOfs {
            let out = d.dir + "/direct-\(direct.count)"
            let r = try Support.run(["report", "-c", d.config, "--as-of", b, "--out", out, "--quiet"])
            XCTAssertEqual(r.code, 0, r.err)
            direct[b] = Self.tables(out)
        }
        for round in 0..<rounds {
            let bi = rng.below(d.asOfs.count)
            let b = d.asOfs[bi]
            // Some files are left to the report to read; the rest go into 1…n states.
            let files = d.touchFiles.shuffled(using: &rng)
            let stateCount = 1 + rng.below(files.count)
            var groups = Array(repeating: [String](), count: stateCount)
            var direct0 = 0
            for (i, f) in files.enumerated() {
                if i >= stateCount && rng.chance(0.2) {
                    direct0 += 1
                    continue
                }
                groups[i < stateCount ? i : rng.below(stateCount)].append(f)
            }
            var pool: [String] = []
            for (gi, g) in groups.enumerated() {
                let a = d.asOfs[rng.below(bi + 1)]
                let s = d.dir + "/r\(round)-s\(gi).state"
                let r = try Support.run(
                    ["partial", "-c", d.config, "--touches"] + g + ["--as-of", a, "--out", s, "--quiet", "--threads", "\(1 + rng.below(2))"])
                XCTAssertEqual(r.code, 0, r.err)
                pool.append(s)
            }
            // A random merge tree: pairs (in random order) until a random number of states is left.
            let keep = 1 + rng.below(pool.count)
            var merges = 0
            while pool.count > keep {
                pool.shuffle(using: &rng)
                let x = pool.removeLast(), y = pool.removeLast()
                let m = d.dir + "/r\(round)-m\(merges).state"
                merges += 1
                let r = try Support.run(["merge"] + (rng.chance(0.5) ? [x, y] : [y, x]) + ["--out", m, "--quiet"])
                XCTAssertEqual(r.code, 0, r.err)
                pool.append(m)
            }
            let out = d.dir + "/via-\(round)"
            let r = try Support.run(["report", "-c", d.config, "--as-of", b, "--touch-state"] + pool + ["--out", out, "--quiet"])
            XCTAssertEqual(r.code, 0, r.err)
            let what = "round \(round): \(stateCount) state(s) merged to \(pool.count), \(direct0) file(s) read directly, report at \(b)"
            Self.assertSameTables(direct[b]!, Self.tables(out), what)
            let summary = Support.read(out + "/summary.json")
            XCTAssertTrue(summary.contains("\"touch_files\": {\"read\": \(direct0), \"reused\": \(files.count - direct0), \"dropped\": 0}"), summary)
        }
    }

    func testEquivalenceOnTheGoldenCases() throws {
        for (i, name) in ["golden-basic", "golden-edge", "golden-rules"].enumerated() {
            let dir = Support.tempDir(name)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try checkEquivalence(Self.splitGolden(name, into: dir), rounds: 6, seed: UInt64(10 + i))
        }
    }

    /// Generated data in 30 daily files (`generate --touch-files-by-day`, pilots' touches
    /// throughout March and early April), with reports and states at moments inside the windows:
    /// most matched touches are after some state's `as_of`, so they travel raw and are folded by
    /// the report.
    func testEquivalenceOnGeneratedDataInThirtyDailyFiles() throws {
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = try Support.run([
            "generate", "--contacts", "600", "--touches", "400", "--seed", "5", "--touch-files-by-day", "--days", "30", "--first-day", "2026-03-05",
            "--out", dir,
        ])
        XCTAssertEqual(g.code, 0, g.err)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/touches")) ?? []).sorted().map { dir + "/touches/" + $0 }
        XCTAssertEqual(files.count, 30)
        XCTAssertEqual(files.first.map { URL(fileURLWithPath: $0).lastPathComponent }, "2026-03-05.csv.gz")
        let asOf = Support.read(dir + "/pilotscope.yaml").split(separator: "\n").first { $0.hasPrefix("as_of:") }.map {
            String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces)
        }!
        let d = Dataset(dir: dir, touchFiles: files, asOfs: ["2026-03-15T00:00:00Z", "2026-03-25T15:00:00Z", asOf])
        try checkEquivalence(d, rounds: 5, seed: 3)
    }

    /// Two touch sections with other reading settings: `partial --touches F` reads each file
    /// with the settings of the section that names it, so the states of single files merge
    /// into the direct run's tables.
    func testPartialReadsEachFileWithItsOwnSection() throws {
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = Self.splitGolden("golden-basic", into: dir)
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/b", withIntermediateDirectories: true)
        var files: [String] = []
        for (i, f) in d.touchFiles.enumerated() {
            if i % 2 == 0 {
                files.append(f)
            } else {
                let moved = dir + "/b/" + URL(fileURLWithPath: f).lastPathComponent
                try fm.moveItem(atPath: f, toPath: moved)
                files.append(moved)
            }
        }
        let text = Support.read(d.config)
        let one = "touches: { files: [\"touches-*.csv\"] }"
        XCTAssertTrue(text.contains(one), text)
        Support.write(
            d.config,
            text.replacingOccurrences(
                of: one, with: "touches:\n    - { files: [\"touches-*.csv\"] }\n    - { files: [\"b/*.csv\"], input_timezone: Europe/Berlin }"))
        let direct = try Support.run(["report", "-c", d.config, "--out", dir + "/direct", "--quiet"])
        XCTAssertEqual(direct.code, 0, direct.err)
        var states: [String] = []
        for (i, f) in files.enumerated() {
            let st = dir + "/s\(i).state"
            let p = try Support.run(["partial", "-c", d.config, "--touches", f, "--out", st, "--quiet"])
            XCTAssertEqual(p.code, 0, p.err)
            states.append(st)
        }
        XCTAssertEqual(try Support.run(["merge"] + states + ["--out", dir + "/all.state"]).code, 0)
        let r = try Support.run(["report", "-c", d.config, "--touch-state", dir + "/all.state", "--out", dir + "/merged", "--quiet"])
        XCTAssertEqual(r.code, 0, r.err)
        Self.assertSameTables(Self.tables(dir + "/direct"), Self.tables(dir + "/merged"), "two sections")
    }

    /// A state decoded and encoded again is the same bytes; merging one state changes nothing.
    func testOneStateMergedIsTheSameBytes() throws {
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = Self.splitGolden("golden-basic", into: dir)
        XCTAssertEqual(try Support.run(["partial", "-c", d.config, "--out", dir + "/a.state", "--as-of", "2026-03-10T00:00:00Z"]).code, 0)
        XCTAssertEqual(try Support.run(["merge", dir + "/a.state", "--out", dir + "/b.state"]).code, 0)
        let a = FileManager.default.contents(atPath: dir + "/a.state")!, b = FileManager.default.contents(atPath: dir + "/b.state")!
        XCTAssertEqual(a, b)
        let saved = try SavedState.decode(Array(a), file: "a.state")
        XCTAssertEqual(try saved.encode(), Array(a))
        XCTAssertEqual(saved.state.files.count, d.touchFiles.count)
        XCTAssertFalse(saved.state.future.isEmpty, "touches after 2026-03-10 travel raw")
    }

    /// The files a state covers and the run names: `--list-files`, and the errors of SPEC §7.
    func testStatesThatMustBeRefused() throws {
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = Self.splitGolden("golden-basic", into: dir)
        let list = try Support.run(["partial", "-c", d.config, "--list-files"])
        XCTAssertEqual(list.out.split(separator: "\n").map(String.init), d.touchFiles.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let all = dir + "/all.state", late = dir + "/late.state", one = dir + "/one.state"
        XCTAssertEqual(try Support.run(["partial", "-c", d.config, "--out", all]).code, 0)
        XCTAssertEqual(try Support.run(["partial", "-c", d.config, "--touches", d.touchFiles[0], "--out", one]).code, 0)
        XCTAssertEqual(try Support.run(["partial", "-c", d.config, "--as-of", "2026-06-01T00:00:00Z", "--out", late]).code, 0)

        func refused(_ args: [String], _ needle: String, code: Int32 = 2, line: UInt = #line) throws {
            let r = try Support.run(args + ["--quiet"])
            XCTAssertEqual(r.code, code, r.err, line: line)
            XCTAssertTrue(r.err.contains(needle), "\(needle) not in: \(r.err)", line: line)
        }
        let report = ["report", "-c", d.config, "--out", dir + "/out"]
        // A file in two inputs of merge, or of a report.
        try refused(["merge", all, one, "--out", dir + "/m.state"], "\(d.touchFiles[0]) is covered by")
        try refused(report + ["--touch-state", all, one], "is covered by")
        // A report earlier than the state's as_of.
        try refused(report + ["--touch-state", late], "made at as_of 2026-06-01T00:00:00Z, later than this report's 2026-05-15T00:00:00Z")
        // A state covering a file the run does not name.
        try refused(report + ["--touches", d.touchFiles[1], "--touch-state", one], "which this run names nowhere")
        // Another configuration: the part that changed is named.
        let other = dir + "/other.yaml"
        Support.write(other, Support.read(d.config).replacingOccurrences(of: "start: 2026-03-02", with: "start: 2026-03-03"))
        XCTAssertNotEqual(Support.read(other), Support.read(d.config), "the fixture has a pilot starting 2026-03-02")
        try refused(["report", "-c", other, "--out", dir + "/out", "--touch-state", all], "made under another configuration (changed: pilot")
        // Another format version.
        var bytes = Array(FileManager.default.contents(atPath: all)!)
        bytes[8] = 9
        FileManager.default.createFile(atPath: dir + "/v9.state", contents: Data(bytes))
        try refused(report + ["--touch-state", dir + "/v9.state"], "format version 9")
        // A file changed since its state was made.
        Support.write(d.touchFiles[0], Support.read(d.touchFiles[0]) + "\n")
        try refused(report + ["--touch-state", all], "\((d.touchFiles[0] as NSString).lastPathComponent) has changed since the state was made")
        // Not a state at all, as input and as --out.
        Support.write(dir + "/notes.txt", "keep me\n")
        try refused(report + ["--touch-state", dir + "/notes.txt"], "not a PilotScope state", code: 1)
        try refused(["merge", one, "--out", dir + "/notes.txt"], "is not a PilotScope state: it is not replaced")
        XCTAssertEqual(Support.read(dir + "/notes.txt"), "keep me\n")
    }

    /// Corrupt and truncated states end with exit 1 naming a byte offset, never a crash: every
    /// prefix of a small state, every single-bit flip, in-process; a few through the binary.
    func testCorruptAndTruncatedStates() throws {
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = Self.splitGolden("golden-edge", into: dir)
        let path = dir + "/a.state"
        XCTAssertEqual(try Support.run(["partial", "-c", d.config, "--as-of", "2026-03-10T00:00:00Z", "--out", path]).code, 0)
        let good = Array(FileManager.default.contents(atPath: path)!)
        XCTAssertNoThrow(try SavedState.decode(good, file: "a"))
        for n in 0..<good.count {
            do {
                _ = try SavedState.decode(Array(good[0..<n]), file: "a")
                XCTFail("a prefix of \(n) bytes decoded")
            } catch let e as StateError {
                XCTAssertEqual(e.kind, .corrupt, "prefix \(n): \(e)")
                XCTAssertNotNil(e.offset, "prefix \(n): \(e)")
            }
        }
        for i in 0..<good.count {
            for bit in 0..<8 {
                var b = good
                b[i] ^= 1 << UInt8(bit)
                XCTAssertThrowsError(try SavedState.decode(b, file: "a"), "bit \(bit) of byte \(i) flipped")
            }
        }
        for (n, flip) in [(good.count / 2, -1), (good.count - 1, -1), (good.count, good.count - 3), (good.count, 20)] {
            var b = Array(good[0..<n])
            if flip >= 0 { b[flip] ^= 0x10 }
            FileManager.default.createFile(atPath: dir + "/bad.state", contents: Data(b))
            let r = try Support.run(["report", "-c", d.config, "--out", dir + "/out", "--touch-state", dir + "/bad.state"])
            XCTAssertEqual(r.code, 1, r.err)
            XCTAssertTrue(r.err.contains("bad.state") && r.err.contains("at byte "), r.err)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"))
        }
    }
}
