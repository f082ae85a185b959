import Foundation
import PilotScopeTestSupport
import XCTest

@testable import PilotScope

/// The bad-input corpus (issue: nothing crashes, nothing is lost, nothing leaks). Each case runs
/// the built binary on a small input and checks the exit code, a message naming the file and line
/// or byte offset, and quality counts. Catalogue: docs/RELIABILITY.md.
final class CorpusTests: XCTestCase {
    static let config = """
        as_of: 2026-05-01T00:00:00Z
        max_reject_rate: 1.0
        inputs:
          crm: { files: [crm.csv] }
          touches: { files: [touches.csv] }
        pilots:
          - id: p
            motion: referral
            start: 2026-03-02
            end: 2026-03-31
            match: { source_tags: ["Partner Pilot: P"] }
            icp: [{ field: industry, in: [finance] }]
            primary_metric: sqm
            thresholds: { stop: ["sqm < 1"] }
        """
    static let crmHeader = "record_id,email,created_at,source,amount\n"
    static let goodRow = "r1,a@x.com,2026-03-03T10:00:00Z,Partner Pilot: P,100\n"
    static let touches = "ts,visitor_id,email,event,url\n2026-03-04T10:00:00Z,v1,a@x.com,click,https://x.com/\n"

    struct Outcome {
        var code: Int32
        var err: String
        var dir: String
        var quality: String { Support.read(dir + "/out/quality.csv") }
    }

    /// Writes the case's files (CRM text or bytes), runs `report`, returns the outcome.
    func run(
        crm: [UInt8]? = nil, crmText: String? = nil, touches: String = CorpusTests.touches, config: String = CorpusTests.config,
        args: [String] = [], crmName: String = "crm.csv"
    ) throws -> Outcome {
        let d = Support.tempDir()
        Support.write(d + "/pilotscope.yaml", config.replacingOccurrences(of: "[crm.csv]", with: "[\(crmName)]"))
        if let crm { FileManager.default.createFile(atPath: d + "/" + crmName, contents: Data(crm)) }
        if let crmText { Support.write(d + "/" + crmName, crmText) }
        Support.write(d + "/touches.csv", touches)
        let r = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", d + "/out", "--quiet"] + args)
        return Outcome(code: r.code, err: r.err, dir: d)
    }

    func gzip(_ text: String) throws -> [UInt8] {
        let p = Support.tempDir() + "/x.gz"
        let w = try GzipWriter(path: p)
        try w.write(Array(text.utf8))
        try w.finish()
        return Array(FileManager.default.contents(atPath: p)!)
    }

    func expect(_ o: Outcome, _ code: Int32, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(o.code, code, o.err, file: file, line: line)
        for f in fragments { XCTAssertTrue(o.err.contains(f), "missing '\(f)' in: \(o.err)", file: file, line: line) }
    }

    // MARK: gzip

    func testGzipFaults() throws {
        let ok = try gzip(Self.crmHeader + String(repeating: Self.goodRow, count: 3000))
        expect(try run(crm: Array(ok.prefix(ok.count / 2)), crmName: "crm.csv.gz"), 1, ["crm.csv.gz", "truncated gzip", "byte offset"])
        var crc = ok
        crc[crc.count - 6] ^= 0xFF
        expect(try run(crm: crc, crmName: "crm.csv.gz"), 1, ["crm.csv.gz", "CRC", "byte offset"])
        var header = ok
        header[2] = 9
        expect(try run(crm: header, crmName: "crm.csv.gz"), 1, ["bad gzip header"])
        expect(try run(crm: ok + Array("garbage".utf8), crmName: "crm.csv.gz"), 1, ["trailing data", "byte offset"])
        let multi = try run(crm: ok + (try gzip(Self.goodRow.replacingOccurrences(of: "r1", with: "r2"))), crmName: "crm.csv.gz")
        expect(multi, 0, [])
        XCTAssertTrue(multi.quality.contains("crm.csv.gz,,rows_read,3001\n"), multi.quality)
    }

    func testCompressionBombStopsAtTheRecordCap() throws {
        // About 300 MB of one line inflates from a few hundred KB; the chunker refuses records over 64 MiB.
        let p = Support.tempDir() + "/bomb.gz"
        let w = try GzipWriter(path: p)
        try w.write(Array(Self.crmHeader.utf8))
        let block = [UInt8](repeating: 0x61, count: 1 << 20)
        for _ in 0..<300 { try w.write(block) }
        try w.finish()
        let bytes = Array(FileManager.default.contents(atPath: p)!)
        XCTAssertLessThan(bytes.count, 2 << 20)
        expect(try run(crm: bytes, crmName: "crm.csv.gz"), 1, ["larger than 64 MiB"])
    }

    // MARK: CSV shape

    func testFileShapes() throws {
        expect(try run(crmText: ""), 1, ["crm.csv", "empty file"])
        let headerOnly = try run(crmText: Self.crmHeader)
        expect(headerOnly, 0, [])
        XCTAssertTrue(headerOnly.quality.contains("crm.csv,,rows_read,0\n"))
        let noNewline = try run(crmText: Self.crmHeader + Self.goodRow.dropLast())
        XCTAssertTrue(noNewline.quality.contains("crm.csv,,rows_kept,1\n"), noNewline.quality)
        let crlf = try run(
            crmText: (Self.crmHeader + Self.goodRow).replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
                + Self.goodRow.replacingOccurrences(of: "r1", with: "r2") + "\r" + "r3,c@x.com,2026-03-05,,\n")
        expect(crlf, 0, [])
        // "\\r\\n" after the header row is one blank line, the lone "\\r" after r2 another.
        XCTAssertTrue(crlf.quality.contains("crm.csv,,rows_kept,3\n") && crlf.quality.contains("crm.csv,,blank_lines,2\n"), crlf.quality)
        let bom = try run(crmText: "\u{FEFF}" + Self.crmHeader + Self.goodRow)
        XCTAssertTrue(bom.quality.contains("crm.csv,,rows_kept,1\n"), bom.quality)
        expect(try run(crmText: Self.crmHeader + Self.goodRow + "r2,b\"x@y.com,2026-03-03,,\n"), 1, ["crm.csv:3", "quote inside an unquoted field"])
        expect(try run(crmText: Self.crmHeader + Self.goodRow + "r2,\"b@y.com,2026-03-03,,\n" + Self.goodRow), 1, ["crm.csv:3", "never closed"])
        expect(
            try run(crmText: Self.crmHeader + "r2,\"" + String(repeating: "x", count: 17 << 20) + "\",2026-03-03,,\n"), 1, ["crm.csv:2", "larger than 16 MiB"])
    }

    func testOddBytesRaggedRowsAndHeaders() throws {
        var nul = Array((Self.crmHeader + "r\u{0}1,a@x.com,2026-03-03T10:00:00Z,").utf8)
        nul += [0xFF, 0xFE, 0x2C, 0x0A]  // invalid UTF-8 in `source`, then an empty amount
        let odd = try run(crm: nul)
        expect(odd, 0, [])
        XCTAssertTrue(odd.quality.contains("crm.csv,,rows_kept,1\n"), odd.quality)
        let ragged = try run(crmText: Self.crmHeader + Self.goodRow + "r2,b@x.com\nr3,c@x.com,2026-03-03,,,extra\n")
        expect(ragged, 0, [])
        XCTAssertTrue(ragged.quality.contains("crm.csv,,rejected:column_count,2\n"), ragged.quality)
        XCTAssertTrue(
            Support.read(ragged.dir + "/out/rejects.csv").contains("crm.csv,3,column_count,\"r2,***@x.com\""), Support.read(ragged.dir + "/out/rejects.csv"))
        expect(try run(crmText: "record_id,email,created_at,email\n"), 2, ["duplicate header 'email'"])
        expect(try run(crmText: "id,email,created\n"), 2, ["crm.csv", "'record_id'", "'created_at'"])
        expect(try run(crmText: "record_id;email;created_at\nr1;a@x.com;2026-03-03\n"), 2, ["'record_id;email;created_at'"])
    }

    func testBadAndExtremeValues() throws {
        let rows = ["2026-02-30", "13/45/2026", "2026-03-03T25:00:00Z", "yesterday", "177261975", "2026-03-03T10:00:00+25:00"]
            .enumerated().map { "t\($0.offset),,\($0.element),,\n" }.joined()
        let bad = try run(crmText: Self.crmHeader + Self.goodRow + rows)
        expect(bad, 0, [])
        XCTAssertTrue(bad.quality.contains("crm.csv,,rejected:bad_timestamp:created_at,6\n"), bad.quality)
        let extreme = try run(
            crmText: Self.crmHeader
                + "e1,e1@x.com,0001-01-01,,-5000\ne2,e2@x.com,9999-12-31T23:59:59Z,,99999999999999999999999\ne3,e3@x.com,2026-03-03,,1e5\ne4,e4@x.com,2026-03-03,,\"$12,000\"\n"
        )
        expect(extreme, 0, [])
        XCTAssertTrue(extreme.quality.contains("crm.csv,,rows_kept,4\n") && extreme.quality.contains("crm.csv,,bad_value:amount,2\n"), extreme.quality)
        let limited = try run(
            crmText: Self.crmHeader + Self.goodRow + "x,,nope,,\n",
            config: Self.config.replacingOccurrences(of: "max_reject_rate: 1.0", with: "max_reject_rate: 0.1"))
        expect(limited, 1, ["crm.csv", "1 of 2 rows rejected", "max_reject_rate", "line 3"])
    }

    /// B36: a primary's unparseable `employees` (`n/a`, a bad_value) counts as empty in the
    /// merge, so the next record's `450` survives and the lead passes `employees 200..1000`.
    func testSurvivorshipSkipsUnparseableValues() throws {
        let config = Self.config.replacingOccurrences(of: "icp: [{ field: industry, in: [finance] }]", with: "icp: [{ field: employees, min: 200, max: 1000 }]")
        let crm =
            "record_id,email,created_at,source,employees\n"
            + "r1,a@x.com,2026-03-03T10:00:00Z,Partner Pilot: P,n/a\n"
            + "r2,A@x.com,2026-03-04T10:00:00Z,,450\n"
            + "r3,b@x.com,2026-03-05T10:00:00Z,Partner Pilot: P,n/a\n"
        let o = try run(crmText: crm, config: config, args: ["--table", "icp"])
        expect(o, 0, [])
        // a@x.com: n/a then 450 → 450 passes; b@x.com: only n/a → missing → fails.
        XCTAssertEqual(Support.read(o.dir + "/out/icp.csv"), "pilot_id,leads,leads_icp,lead_icp_rate,sqm,sqm_icp,icp_match\np,2,1,0.5000,0,0,\n")
        XCTAssertTrue(o.quality.contains("crm.csv,,bad_value:employees,2\n"), o.quality)
    }

    // MARK: paths

    func testPaths() throws {
        let d = Support.tempDir()
        Support.write(d + "/pilotscope.yaml", Self.config.replacingOccurrences(of: "[crm.csv]", with: "[exports/*.csv]"))
        Support.write(d + "/touches.csv", Self.touches)
        let glob = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", d + "/out"])
        expect(Outcome(code: glob.code, err: glob.err, dir: d), 1, ["exports/*.csv", "matches no file"])
        let missing = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--crm", d + "/nope.csv", "--out", d + "/out"])
        expect(Outcome(code: missing.code, err: missing.err, dir: d), 1, ["nope.csv", "cannot open"])
        let dir = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--crm", d, "--out", d + "/out"])
        expect(Outcome(code: dir.code, err: dir.err, dir: d), 1, ["is a directory"])
        // Unreadable: reading /proc/self/mem at offset 0 fails with EIO, even for root.
        let unreadable = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--crm", "/proc/self/mem", "--out", d + "/out"])
        XCTAssertEqual(unreadable.code, 1, unreadable.err)
        XCTAssertTrue(unreadable.err.contains("/proc/self/mem"), unreadable.err)
    }

    func testStandardInput() throws {
        let d = Support.tempDir()
        Support.write(d + "/pilotscope.yaml", Self.config)
        Support.write(d + "/touches.csv", Self.touches)
        Support.write(d + "/crm.csv", Self.crmHeader + Self.goodRow)
        let r = try Support.runShell("exec \"$0\" report -c \(d)/pilotscope.yaml --crm - --table funnel < \(d)/crm.csv")
        XCTAssertEqual(r.code, 0, r.err)
        // One lead by tag; the touch matches no rule of the pilot.
        XCTAssertTrue(r.out.contains("p,pilot,0,0,0,0,0,1,"), r.out)
    }

    // MARK: configuration errors (exit 2 before reading data)

    func testConfigurationErrors() throws {
        let cases: [(String, String, String)] = [
            ("thresholds: { stop: [\"sqm < 1\"] }", "thresholds: { stpo: [\"sqm < 1\"] }", "pilots[0].thresholds.stpo"),
            ("- id: p", "- name: p", "pilots[0].id"),
            ("end: 2026-03-31", "end: 2026-02-01", "before start"),
            ("match: { source_tags: [\"Partner Pilot: P\"] }", "match: {}", "no match rule"),
            ("\"sqm < 1\"", "\"sqls < 1\"", "unknown metric 'sqls'"),
            ("primary_metric: sqm", "primary_metric: leads", "not mentioned"),
            ("motion: referral", "motion: cobranding", "unknown motion"),
            ("primary_metric: sqm", "primary_metric: sqm\n    adjustment: { date: 2026-05-02 }", "outside the pilot window"),
            ("primary_metric: sqm", "primary_metric: sqm\n    timezone: Mars/Base", "unknown time zone"),
        ]
        for (from, to, message) in cases {
            let o = try run(crmText: Self.crmHeader + Self.goodRow, config: Self.config.replacingOccurrences(of: from, with: to))
            expect(o, 2, [message])
            XCTAssertFalse(FileManager.default.fileExists(atPath: o.dir + "/out"), "no output on a configuration error")
        }
        let dup = Self.config + "\n" + Self.config.components(separatedBy: "pilots:\n")[1]
        expect(try run(crmText: Self.crmHeader + Self.goodRow, config: dup), 2, ["duplicate pilot id"])
    }

    // MARK: faults: the previous output stays exactly as it was

    func prepared() throws -> (String, String) {
        let o = try run(crmText: Self.crmHeader + Self.goodRow)
        XCTAssertEqual(o.code, 0, o.err)
        return (o.dir, Support.read(o.dir + "/out/funnel.csv"))
    }

    func noLeftovers(_ d: String) throws {
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: d).filter { $0.contains(".tmp-") }, [])
    }

    func testUnwritableOutputAndFullDisk() throws {
        let (d, _) = try prepared()
        let r = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", "/proc/pilotscope-out"])
        XCTAssertEqual(r.code, 1, r.err)
        XCTAssertTrue(r.err.contains("/proc/pilotscope-out"), r.err)
        // A full disk, simulated by a 1-block file-size limit: the write fails, nothing is replaced.
        let before = Support.read(d + "/out/funnel.csv")
        let full = try Support.runShell("ulimit -f 1; exec \"$0\" report -c \(d)/pilotscope.yaml --out \(d)/out --quiet")
        XCTAssertEqual(full.code, 1, full.err)
        XCTAssertTrue(full.err.contains("write failed") || full.err.contains("File too large"), full.err)
        XCTAssertEqual(Support.read(d + "/out/funnel.csv"), before)
        try noLeftovers(d)
    }

    /// Starts `report` reading its CRM export from a pipe the test holds open: until the pipe
    /// closes the run cannot finish, so a signal always finds it mid-run.
    func startReading(_ d: String) throws -> (Process, FileHandle) {
        guard let bin = Support.binary else { throw XCTSkip("binary not built") }
        // Writing to the pipe of a run that was killed must fail the write, not this process.
        signal(SIGPIPE, SIG_IGN)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["report", "-c", d + "/pilotscope.yaml", "--crm", "-", "--out", d + "/out", "--quiet"]
        let input = Pipe()
        p.standardInput = input
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, input.fileHandleForWriting)
    }

    /// Polls until `observed()` holds (a state of the other process), failing after a minute.
    func waitFor(_ what: String, _ observed: () -> Bool) {
        let deadline = Date().addingTimeInterval(60)
        while !observed() {
            if Date() > deadline {
                XCTFail("timed out waiting for \(what)")
                return
            }
            _ = poll(nil, 0, 1)  // look again in a millisecond
        }
    }

    /// Sends `sig`; the run must exit with `code`, the previous output as it was, no temporary
    /// folder left.
    func interrupt(
        _ p: Process, _ input: FileHandle, _ sig: Int32, expecting code: Int32, in d: String, before: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        kill(p.processIdentifier, sig)
        p.waitUntilExit()
        try? input.close()
        XCTAssertEqual(p.terminationReason, .exit, file: file, line: line)
        XCTAssertEqual(p.terminationStatus, code, file: file, line: line)
        XCTAssertEqual(Support.read(d + "/out/funnel.csv"), before, file: file, line: line)
        try noLeftovers(d)
    }

    /// SIGTERM and SIGINT while the run reads data: exit 143 / 130, the previous output as it
    /// was, no temporary folder left.
    func testSignalsLeaveThePreviousOutput() throws {
        let (d, before) = try prepared()
        // More than the header probe's 64 KiB: the run then plans, makes its new output folder
        // beside --out, and waits in the middle of the CRM rows.
        let rows = String(repeating: Self.goodRow, count: 2000)
        for (sig, code) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130))] {
            let (p, input) = try startReading(d)
            let fd = input.fileDescriptor
            let writer = Thread { _ = FileIO.writeAll(fd, Self.crmHeader + rows) }
            writer.start()
            waitFor("the new output folder") {
                ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).contains { $0.hasPrefix(".out.tmp-") }
            }
            try interrupt(p, input, sig, expecting: code, in: d, before: before)
        }
    }

    /// A signal as soon as the handlers are installed (the first thing `main` does, before the
    /// arguments are parsed): exit 143 / 130, never the default death by signal or exit 2.
    func testSignalsAtTheVeryStart() throws {
        let (d, before) = try prepared()
        for (sig, code) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130))] {
            let (p, input) = try startReading(d)
            // SigCgt in /proc: the mask of caught signals, bit n-1 for signal n.
            waitFor("the signal handlers") {
                let status = Support.read("/proc/\(p.processIdentifier)/status")
                guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
                    let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16)
                else { return false }
                return mask & (1 << (UInt64(SIGINT) - 1)) != 0 && mask & (1 << (UInt64(SIGTERM) - 1)) != 0
            }
            try interrupt(p, input, sig, expecting: code, in: d, before: before)
        }
    }

    // MARK: privacy and spreadsheet safety

    func testNoEmailOrNameInAnyTableAndMaskedRejects() throws {
        let d = Support.tempDir()
        try Generator(contacts: 600, touches: 5000, seed: 9, shards: 1, visitors: nil, out: d).run()
        XCTAssertEqual(try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", d + "/out", "--quiet"]).code, 0)
        let names = GenData.firstNames + GenData.lastNames
        for f in try FileManager.default.contentsOfDirectory(atPath: d + "/out") where f.hasSuffix(".csv") && f != "rejects.csv" {
            let text = Support.read(d + "/out/" + f)
            XCTAssertFalse(text.contains("@"), "\(f) holds an email")
            for n in names where n.count > 3 { XCTAssertFalse(text.contains(n), "\(f) holds the name \(n)") }
        }
        // Rejected rows keep their raw text in rejects.csv, emails masked unless --keep-pii.
        let bad = Self.crmHeader + Self.goodRow + "r9,secret.person@x.com,yesterday,\"note: cc other.person@y.org\",\n"
        let masked = try run(crmText: bad)
        let rejects = Support.read(masked.dir + "/out/rejects.csv")
        XCTAssertTrue(rejects.contains("***@x.com") && rejects.contains("***@y.org"), rejects)
        XCTAssertFalse(rejects.contains("secret.person") || rejects.contains("other.person"), rejects)
        let kept = try run(crmText: bad, args: ["--keep-pii"])
        XCTAssertTrue(Support.read(kept.dir + "/out/rejects.csv").contains("secret.person@x.com"))
    }

    func testHostileTextIsGuarded() throws {
        let hostile = Self.config
            .replacingOccurrences(
                of: "match: { source_tags: [\"Partner Pilot: P\"] }",
                with: "match: { source_tags: [\"=HYPERLINK(\\\"http://x\\\")\"], utm: { source: \"+cmd\" } }")
        let touches =
            "ts,visitor_id,email,event,url\n2026-03-04T10:00:00Z,v1,b@x.com,click,https://x.com/?utm_source=%2Bcmd&utm_medium=%40SUM(A1)&utm_campaign=%09tab\n"
        let crm = Self.crmHeader + "r1,a@x.com,2026-03-03T10:00:00Z,\"=HYPERLINK(\"\"http://x\"\")\",\nr2,b@x.com,2026-03-03T10:00:00Z,,\n"
        let o = try run(crmText: crm, touches: touches, config: hostile)
        expect(o, 0, [])
        let attribution = Support.read(o.dir + "/out/attribution.csv")
        XCTAssertTrue(attribution.contains("p,r1,tag,\"'=HYPERLINK(\"\"http://x\"\")\""), attribution)
        XCTAssertTrue(attribution.contains("p,r2,utm,'+cmd/@SUM(A1)/"), attribution)
        // Every cell as a spreadsheet reads it (the CSV engine, so quoted commas stay inside).
        let cells = CSVEngines.libcsv(Array(attribution.utf8), piece: 1 << 16).records.flatMap(\.fields)
        XCTAssertGreaterThan(cells.count, 12)
        for cell in cells.map({ String(decoding: $0, as: UTF8.self) }) {
            XCTAssertFalse(["=", "+", "-", "@", "\t"].contains { cell.hasPrefix($0) }, cell)
        }
    }
}
