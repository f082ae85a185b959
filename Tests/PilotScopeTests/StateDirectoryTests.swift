import Foundation
import XCTest

@testable import PilotScope

/// `report --state-dir` across a simulated month, through the built binary: each night's tables
/// are byte-identical to a run that reads every file, and the run reads only what is new.
final class StateDirectoryTests: XCTestCase {
    struct Night {
        var read: Int, reused: Int, dropped: Int
    }

    /// The folder's files and their bytes.
    static func snapshot(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for n in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] { out[n] = FileManager.default.contents(atPath: dir + "/" + n) }
        return out
    }

    func testAMonthOfNights() throws {
        let root = Support.tempDir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let gen = root + "/gen", data = root + "/data"
        let g = try Support.run(["generate", "--contacts", "400", "--touches", "8000", "--seed", "9", "--shards", "12", "--plain", "--out", gen])
        XCTAssertEqual(g.code, 0, g.err)
        let fm = FileManager.default
        try fm.createDirectory(atPath: data + "/logs", withIntermediateDirectories: true)
        for n in try fm.contentsOfDirectory(atPath: gen) where !n.hasPrefix("touches") { try fm.copyItem(atPath: gen + "/" + n, toPath: data + "/" + n) }
        let config = data + "/pilotscope.yaml"
        let text = Support.read(config)
        XCTAssertTrue(text.contains("\"touches-*.csv\""), text)
        Support.write(config, text.replacingOccurrences(of: "\"touches-*.csv\"", with: "\"logs/*.csv\""))
        let shards = try fm.contentsOfDirectory(atPath: gen).filter { $0.hasPrefix("touches") }.sorted()
        XCTAssertEqual(shards.count, 12)
        func arrive(_ i: Int) throws { try fm.copyItem(atPath: gen + "/" + shards[i], toPath: data + "/logs/day-\(10 + i).csv") }
        let states = root + "/states", out = root + "/out"
        var night = 0

        /// One nightly run, checked against a direct run and the expected counts.
        func run(_ want: Night, extra: [String] = [], message: String? = nil, line: UInt = #line) throws {
            night += 1
            let direct = root + "/direct-\(night)"
            let d = try Support.run(["report", "-c", config, "--out", direct, "--quiet"])
            XCTAssertEqual(d.code, 0, d.err, line: line)
            let r = try Support.run(["report", "-c", config, "--out", out, "--state-dir", states] + extra)
            XCTAssertEqual(r.code, 0, r.err, line: line)
            TouchStateTests.assertSameTables(TouchStateTests.tables(direct), TouchStateTests.tables(out), "night \(night)", line: line)
            let counts = "\"touch_files\": {\"read\": \(want.read), \"reused\": \(want.reused), \"dropped\": \(want.dropped)}"
            XCTAssertTrue(
                Support.read(out + "/summary.json").contains(counts), "night \(night): want \(counts): \(Support.read(out + "/summary.json"))", line: line)
            let logs = (try? fm.contentsOfDirectory(atPath: data + "/logs").count) ?? 0
            let names = Self.snapshot(states).keys
            XCTAssertEqual(names.filter { $0.hasSuffix(".state") && $0 != "merged.state" }.count, logs, "one state per touch file", line: line)
            XCTAssertTrue(names.contains("merged.state"), "and their merge", line: line)
            if let message { XCTAssertTrue(r.err.contains(message), "night \(night): \(message) not in \(r.err)", line: line) }
        }

        for i in 0..<6 { try arrive(i) }
        try run(Night(read: 6, reused: 0, dropped: 0))
        try run(Night(read: 0, reused: 6, dropped: 0))
        try arrive(6)
        try run(Night(read: 1, reused: 6, dropped: 0))
        // The oldest log rotated away: the report is as if it had never been read.
        try fm.removeItem(atPath: data + "/logs/day-10.csv")
        try arrive(7)
        try run(Night(read: 1, reused: 6, dropped: 1), message: "1 state(s) dropped")
        // A log rewritten (another size and time): read again.
        let rewritten = data + "/logs/day-12.csv"
        try fm.removeItem(atPath: rewritten)
        try fm.copyItem(atPath: gen + "/" + shards[8], toPath: rewritten)
        try run(Night(read: 1, reused: 6, dropped: 1))
        XCTAssertNotEqual(try fm.attributesOfItem(atPath: rewritten)[.size] as? Int, (try fm.attributesOfItem(atPath: gen + "/" + shards[2]))[.size] as? Int)
        // A changed configuration rebuilds everything, and says what changed.
        Support.write(config, Support.read(config).replacingOccurrences(of: "model: first_touch", with: "model: last_touch"))
        try run(Night(read: 7, reused: 0, dropped: 7), message: "the configuration changed (attribution.model)")
        // Same size and time, other bytes (one visitor id's letter): only --verify-state sees it.
        let victim = data + "/logs/day-13.csv"
        var st = stat()
        XCTAssertEqual(stat(victim, &st), 0)
        var rows = Support.read(victim).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let row = try XCTUnwrap(rows.indices.dropFirst().first { rows[$0].contains(",v") })
        rows[row] = rows[row].replacingOccurrences(of: ",v", with: ",w")
        Support.write(victim, rows.joined(separator: "\n"))
        // The time to the nanosecond, as stat gives it (Foundation's dates round it).
        var times = [st.st_atim, st.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, victim, &times, 0), 0)
        var after = stat()
        XCTAssertEqual(stat(victim, &after), 0)
        XCTAssertEqual(after.st_size, st.st_size)
        let before = Self.snapshot(states)
        let stale = try Support.run(["report", "-c", config, "--out", out, "--state-dir", states])
        XCTAssertEqual(stale.code, 0, stale.err)
        XCTAssertTrue(Support.read(out + "/summary.json").contains("\"touch_files\": {\"read\": 0, \"reused\": 7, \"dropped\": 0}"))
        XCTAssertEqual(Self.snapshot(states), before, "nothing read, nothing rewritten")
        try run(Night(read: 1, reused: 6, dropped: 1), extra: ["--verify-state"])
        // A failed night leaves the folder and the output as they were.
        let kept = Self.snapshot(states), keptOut = Self.snapshot(out)
        // A new log whose rows are all malformed: over max_reject_rate, exit 1 after reading.
        let header = Support.read(gen + "/" + shards[10]).prefix { $0 != "\n" }
        Support.write(data + "/logs/day-99.csv", header + "\n" + String(repeating: "x,y\n", count: 50))
        let bad = try Support.run(["report", "-c", config, "--out", out, "--state-dir", states])
        XCTAssertEqual(bad.code, 1, bad.err)
        XCTAssertTrue(bad.err.contains("max_reject_rate"), bad.err)
        XCTAssertEqual(Self.snapshot(states), kept)
        XCTAssertEqual(Self.snapshot(out), keptOut)
        try fm.removeItem(atPath: data + "/logs/day-99.csv")
        // A damaged merged.state: the per-file states are merged instead, and it is rewritten.
        let mergedPath = states + "/merged.state"
        var mergedBytes = try XCTUnwrap(fm.contents(atPath: mergedPath))
        mergedBytes[mergedBytes.count - 10] ^= 0x40
        try fm.removeItem(atPath: mergedPath)
        XCTAssertTrue(fm.createFile(atPath: mergedPath, contents: mergedBytes))
        try arrive(9)
        try run(Night(read: 1, reused: 7, dropped: 0), message: "the per-file states are merged instead")
        XCTAssertNotEqual(fm.contents(atPath: mergedPath), mergedBytes)
        // A damaged per-file state that the merge does not cover (a file dropped, so the merge
        // stands no more): dropped, its file read again.
        try fm.removeItem(atPath: data + "/logs/day-11.csv")
        let victimState = StateDirectory.name(of: try XCTUnwrap(FileIdentity.of(victim)))
        var stateBytes = try XCTUnwrap(fm.contents(atPath: states + "/" + victimState))
        stateBytes[stateBytes.count - 3] ^= 0x01
        try fm.removeItem(atPath: states + "/" + victimState)
        XCTAssertTrue(fm.createFile(atPath: states + "/" + victimState, contents: stateBytes))
        try run(Night(read: 1, reused: 6, dropped: 2), message: "its file is read again")
        // JSON logs carry the counts too; a night with nothing new keeps the merge as it is.
        let lastMerge = fm.contents(atPath: mergedPath)
        let j = try Support.run(["report", "-c", config, "--out", out, "--state-dir", states, "--log-format", "json"])
        XCTAssertEqual(j.code, 0, j.err)
        XCTAssertTrue(j.err.contains("\"touch_files\": {\"read\": 0, \"reused\": 7, \"dropped\": 0}"), j.err)
        XCTAssertEqual(fm.contents(atPath: mergedPath), lastMerge)
    }

    /// The state folder follows the output folder's rules (issue 11): never a folder of other
    /// files, never the output folder, never an input's folder.
    func testTheStateFolderIsCheckedLikeTheOutput() throws {
        let dir = Support.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = TouchStateTests.splitGolden("golden-basic", into: dir)
        let foreign = dir + "/notes"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        Support.write(foreign + "/todo.txt", "x")
        for (stateDir, needle) in [(foreign, "todo.txt"), (dir, "--state-dir"), (dir + "/out", "--out")] {
            let r = try Support.run(["report", "-c", d.config, "--out", dir + "/out", "--state-dir", stateDir])
            XCTAssertEqual(r.code, 2, r.err)
            XCTAssertTrue(r.err.contains(needle), r.err)
        }
        XCTAssertEqual(Support.read(foreign + "/todo.txt"), "x")
        let both = try Support.run(["report", "-c", d.config, "--out", dir + "/out", "--state-dir", dir + "/s", "--touch-state", dir + "/x.state"])
        XCTAssertEqual(both.code, 2, both.err)
    }
}
