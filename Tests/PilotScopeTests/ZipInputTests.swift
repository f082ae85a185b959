import Foundation
import XCTest

@testable import PilotScope

/// Zip archives as inputs, through the built binary at default settings: exports as Salesforce
/// and HubSpot write them, stored, deflated and zip64 members, globs on both sides of `#`, touch
/// states over members, and every damaged archive the issue names (exit 1, archive and member).
final class ZipInputTests: XCTestCase {
    /// Writes `archive` with Python's zipfile (an independent writer): members from files, each
    /// deflated or stored; `zip64` forces zip64 records for every member and the end record.
    static func makeZip(_ archive: String, _ members: [(name: String, path: String)], stored: Bool = false, zip64: Bool = false) throws {
        let script = """
            import sys, zipfile
            if sys.argv[2] == "1":
                zipfile.ZIP64_LIMIT = 0
                zipfile.ZIP_FILECOUNT_LIMIT = 0
            method = zipfile.ZIP_STORED if sys.argv[3] == "1" else zipfile.ZIP_DEFLATED
            with zipfile.ZipFile(sys.argv[1], "w", method) as z:
                for i in range(4, len(sys.argv), 2):
                    z.write(sys.argv[i + 1], sys.argv[i])
            """
        var args = ["-c", script, archive, zip64 ? "1" : "0", stored ? "1" : "0"]
        for m in members { args += [m.name, m.path] }
        let r = try Support.run(["python3"] + args, executable: "/usr/bin/env")
        XCTAssertEqual(r.code, 0, r.err)
    }

    /// Tables of a run, with `from` replaced by `to` in the scopes of quality.csv and rejects.csv.
    static func tables(_ dir: String, renaming pairs: [(String, String)] = []) -> [String: String] {
        var t = TouchStateTests.tables(dir)
        for (name, text) in t {
            var s = text
            for (a, b) in pairs { s = s.replacingOccurrences(of: a, with: b) }
            t[name] = s
        }
        return t
    }

    func testSalesforceWeeklyExportIsReadFromTheArchive() throws {
        let d = Support.tempDir()
        Support.write(d + "/Lead.csv", PresetTests.leadExport(crlf: true, earlierBlank: false))
        Support.write(d + "/OpportunityHistory.csv", "OpportunityId,StageName,CreatedDate\n006A,Closed Won,2026-03-20T10:00:00.000+0000\n")
        Support.write(d + "/Account.csv", "Id,Name\n001A,Acme\n")
        try Self.makeZip(d + "/WE_00D5g000001_1.zip", [("Lead.csv", d + "/Lead.csv"), ("Account.csv", d + "/Account.csv")])
        try Self.makeZip(d + "/WE_00D5g000001_2.zip", [("OpportunityHistory.csv", d + "/OpportunityHistory.csv")])
        let config = { (crm: String, history: String) in
            """
            as_of: 2026-05-01T00:00:00Z
            inputs:
              crm: { files: ["\(crm)"], preset: salesforce }
              stage_history: { files: ["\(history)"], preset: salesforce_opportunity_history, stages: { "Closed Won": won } }
            pilots:
              - id: acme
                motion: referral
                start: 2026-03-02
                end: 2026-03-31
                match: { source_tags: ["Partner Pilot: Acme"] }
                primary_metric: leads
                thresholds: { stop: ["leads < 1"] }
            """
        }
        Support.write(d + "/plain.yaml", config("Lead.csv", "OpportunityHistory.csv"))
        Support.write(d + "/zip.yaml", config("WE_00D*.zip#Lead.csv", "WE_00D*.zip#Opportunity*.csv"))
        for name in ["plain", "zip"] {
            let r = try Support.run(["report", "-c", d + "/\(name).yaml", "--out", d + "/out-\(name)", "--quiet"])
            XCTAssertEqual(r.code, 0, r.err)
        }
        let renaming = [("WE_00D5g000001_1.zip#Lead.csv", "Lead.csv"), ("WE_00D5g000001_2.zip#OpportunityHistory.csv", "OpportunityHistory.csv")]
        let zipped = Self.tables(d + "/out-zip", renaming: renaming)
        TouchStateTests.assertSameTables(Self.tables(d + "/out-plain"), zipped, "Salesforce export from its zip")
        let quality = Support.read(d + "/out-zip/quality.csv")
        // Two leads, the footer found (B28), the won stage of 006A from the history member.
        XCTAssertTrue(quality.contains("WE_00D5g000001_1.zip#Lead.csv,,rows_kept,2\n"), quality)
        XCTAssertTrue(quality.contains("WE_00D5g000001_1.zip#Lead.csv,,footer_lines,4\n"), quality)
        XCTAssertTrue(quality.contains("WE_00D5g000001_2.zip#OpportunityHistory.csv,,rows_kept,1\n"), quality)
        // Ana (source "Partner Pilot: Acme") is the pilot's one lead; the history member's
        // Closed Won row for her opportunity 006A makes her won, so every stage before counts.
        let funnel = Support.read(d + "/out-zip/funnel.csv")
        XCTAssertTrue(funnel.contains("\nacme,pilot,0,0,0,0,0,1,1,1,1,1,0,"), funnel)
    }

    func testHubSpotExportZipTakesItsCSVMembersInByteOrder() throws {
        let d = Support.tempDir()
        Support.write(
            d + "/contacts.csv",
            """
            "Contact ID","First Name","Last Name","Email","Create Date","Lead Source","Became a Sales Qualified Lead Date","Industry","Number of Employees"
            101,Ana,Berg,ana@x.com,2026-03-03 09:00,Webinar,2026-03-10 10:00,finance,300

            """)
        Support.write(
            d + "/more.csv",
            """
            "Contact ID","First Name","Last Name","Email","Create Date","Lead Source","Became a Sales Qualified Lead Date","Industry","Number of Employees"
            102,Ben,Chen,ben@x.com,2026-03-04 09:00,Webinar,,retail,50

            """)
        Support.write(d + "/README.txt", "not a table\n")
        // "Z-more.csv" sorts before "all-contacts.csv" in byte order (uppercase first); the .txt is not taken.
        try Self.makeZip(
            d + "/hubspot-crm-exports-all-contacts-2026-03-31.zip",
            [("all-contacts.csv", d + "/contacts.csv"), ("README.txt", d + "/README.txt"), ("Z-more.csv", d + "/more.csv")], stored: true)
        Support.write(
            d + "/pilotscope.yaml",
            """
            as_of: 2026-05-01T00:00:00Z
            inputs:
              crm: { files: ["hubspot-crm-exports-*.zip"], preset: hubspot, input_timezone: America/New_York }
            pilots:
              - id: web
                motion: co_marketing
                start: 2026-03-02
                end: 2026-03-31
                match: { source_tags: ["Webinar"] }
                primary_metric: leads
                thresholds: { stop: ["leads < 1"] }
            """)
        let r = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--table", "quality", "--quiet"])
        XCTAssertEqual(r.code, 0, r.err)
        let archive = "hubspot-crm-exports-all-contacts-2026-03-31.zip"
        let rows = r.out.split(separator: "\n").filter { $0.hasSuffix(",rows_read,1") }.map(String.init)
        XCTAssertEqual(rows, ["\(archive)#Z-more.csv,,rows_read,1", "\(archive)#all-contacts.csv,,rows_read,1"], r.out)
        XCTAssertFalse(r.out.contains("README"), r.out)
        let scan = try Support.run(["scan", "--preset", "hubspot", d + "/" + archive])
        XCTAssertEqual(scan.code, 0, scan.err)
        XCTAssertTrue(scan.out.contains("\(archive)#Z-more.csv (crm,") && scan.out.contains("\(archive)#all-contacts.csv (crm,"), scan.out)
        XCTAssertTrue(scan.out.contains("2 file(s), 2 rows"), scan.out)
    }

    /// The generated data set read from plain files and from deflated, stored, zip64 and
    /// gzip-in-zip members: every table the same but for the scopes.
    func testStoredDeflatedZip64AndGzipMembersGiveTheSameTables() throws {
        let d = Support.tempDir()
        let g = try Support.run(["generate", "--contacts", "300", "--touches", "6000", "--seed", "5", "--shards", "3", "--plain", "--out", d])
        XCTAssertEqual(g.code, 0, g.err)
        let text = Support.read(d + "/pilotscope.yaml")
        XCTAssertTrue(text.contains("\"touches-*.csv\""), text)
        let shards = try FileManager.default.contentsOfDirectory(atPath: d).filter { $0.hasPrefix("touches-") }.sorted()
        XCTAssertEqual(shards.count, 3)
        let direct = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", d + "/direct", "--quiet"])
        XCTAssertEqual(direct.code, 0, direct.err)
        let gz = try GzipWriter(path: d + "/third.csv.gz")
        try gz.write(Array(Support.read(d + "/" + shards[2]).utf8))
        try gz.finish()
        try Self.makeZip(d + "/a.zip", [(shards[0], d + "/" + shards[0])])
        try Self.makeZip(d + "/b.zip", [("logs/" + shards[1], d + "/" + shards[1])], stored: true)
        try Self.makeZip(d + "/c.zip", [(shards[2] + ".gz", d + "/third.csv.gz")], zip64: true)
        let zipped = "[\"a.zip\", \"b.zip#logs/*.csv\", \"c.zip#\(shards[2]).gz\"]"
        Support.write(d + "/zip.yaml", text.replacingOccurrences(of: "[\"touches-*.csv\"]", with: zipped))
        XCTAssertNotEqual(Support.read(d + "/zip.yaml"), text)
        for threads in ["1", "2"] {
            let r = try Support.run(["report", "-c", d + "/zip.yaml", "--out", d + "/zip-\(threads)", "--quiet", "--threads", threads])
            XCTAssertEqual(r.code, 0, r.err)
            let renamed = Self.tables(
                d + "/zip-\(threads)",
                renaming: [("a.zip#\(shards[0])", shards[0]), ("b.zip#logs/\(shards[1])", shards[1]), ("c.zip#\(shards[2]).gz", shards[2])])
            TouchStateTests.assertSameTables(Self.tables(d + "/direct"), renamed, "zip members, threads \(threads)")
        }
        let z64 = try Support.run(["scan", d + "/c.zip#\(shards[2]).gz"])
        XCTAssertEqual(z64.code, 0, z64.err)
        XCTAssertTrue(z64.out.contains("c.zip#\(shards[2]).gz (touches,"), z64.out)
    }

    /// Nightly runs over touch logs inside archives: a member is a file of its own; an archive
    /// rewritten (new size or mtime) is read again.
    func testStateDirOverZipMembers() throws {
        let d = Support.tempDir()
        let g = try Support.run(["generate", "--contacts", "200", "--touches", "3000", "--seed", "6", "--shards", "2", "--plain", "--out", d])
        XCTAssertEqual(g.code, 0, g.err)
        let shards = try FileManager.default.contentsOfDirectory(atPath: d).filter { $0.hasPrefix("touches-") }.sorted()
        try Self.makeZip(d + "/logs.zip", shards.map { ($0, d + "/" + $0) })
        let text = Support.read(d + "/pilotscope.yaml")
        Support.write(d + "/zip.yaml", text.replacingOccurrences(of: "[\"touches-*.csv\"]", with: "[\"logs.zip#touches-*.csv\"]"))
        let direct = try Support.run(["report", "-c", d + "/zip.yaml", "--out", d + "/direct", "--quiet"])
        XCTAssertEqual(direct.code, 0, direct.err)
        func night(_ read: Int, _ reused: Int, _ dropped: Int, line: UInt = #line) throws {
            let r = try Support.run(["report", "-c", d + "/zip.yaml", "--out", d + "/out", "--state-dir", d + "/states", "--quiet"])
            XCTAssertEqual(r.code, 0, r.err, line: line)
            let counts = "\"touch_files\": {\"read\": \(read), \"reused\": \(reused), \"dropped\": \(dropped)}"
            XCTAssertTrue(Support.read(d + "/out/summary.json").contains(counts), Support.read(d + "/out/summary.json"), line: line)
            TouchStateTests.assertSameTables(Self.tables(d + "/direct"), Self.tables(d + "/out"), "state-dir over members", line: line)
        }
        try night(2, 0, 0)
        try night(0, 2, 0)
        // Rewritten with the members swapped in order: same members, new archive, both read again.
        try FileManager.default.removeItem(atPath: d + "/logs.zip")
        try Self.makeZip(d + "/logs.zip", shards.reversed().map { ($0, d + "/" + $0) }, stored: true)
        try night(2, 0, 2)
        let verify = try Support.run(["report", "-c", d + "/zip.yaml", "--out", d + "/out", "--state-dir", d + "/states", "--verify-state", "--quiet"])
        XCTAssertEqual(verify.code, 0, verify.err)
        XCTAssertTrue(Support.read(d + "/out/summary.json").contains("\"read\": 0, \"reused\": 2"), Support.read(d + "/out/summary.json"))
    }

    func testZipPathSplitting() {
        XCTAssertEqual(ZipPath.split("a/WE.zip#Lead.csv"), ZipPath(archive: "a/WE.zip", member: "Lead.csv"))
        XCTAssertEqual(ZipPath.split("WE.ZIP#dir/x#y.csv"), ZipPath(archive: "WE.ZIP", member: "dir/x#y.csv"))
        XCTAssertEqual(ZipPath.split("x.zip"), ZipPath(archive: "x.zip", member: nil))
        XCTAssertEqual(ZipPath.split("a#b.zip#c.csv"), ZipPath(archive: "a#b.zip", member: "c.csv"))
        XCTAssertNil(ZipPath.split("logs#1.csv"))
        XCTAssertNil(ZipPath.split("data.zipx"))
        XCTAssertNil(ZipPath.split("zip"))
    }
}

/// Damaged and unreadable archives: exit 1 with the archive and member named, never a crash.
final class ZipCorpusTests: XCTestCase {
    static let crm = CorpusTests.crmHeader + String(repeating: CorpusTests.goodRow, count: 200)

    /// A stored (or deflated) `crm.csv` in `x.zip`, its bytes, and the offsets of its local
    /// header and central-directory record.
    func archive(stored: Bool = true) throws -> (bytes: [UInt8], local: Int, central: Int) {
        let d = Support.tempDir()
        Support.write(d + "/crm.csv", Self.crm)
        try ZipInputTests.makeZip(d + "/x.zip", [("crm.csv", d + "/crm.csv")], stored: stored)
        let b = Array(FileManager.default.contents(atPath: d + "/x.zip")!)
        func find(_ sig: [UInt8]) -> Int { (0...(b.count - 4)).first { Array(b[$0..<$0 + 4]) == sig }! }
        return (b, find([0x50, 0x4B, 0x03, 0x04]), find([0x50, 0x4B, 0x01, 0x02]))
    }

    func run(_ bytes: [UInt8], entry: String = "x.zip#crm.csv") throws -> CorpusTests.Outcome {
        let d = Support.tempDir()
        FileManager.default.createFile(atPath: d + "/x.zip", contents: Data(bytes))
        Support.write(d + "/pilotscope.yaml", CorpusTests.config.replacingOccurrences(of: "[crm.csv]", with: "[\"\(entry)\"]"))
        Support.write(d + "/touches.csv", CorpusTests.touches)
        let r = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", d + "/out", "--quiet"])
        return CorpusTests.Outcome(code: r.code, err: r.err, dir: d)
    }

    func expect(_ o: CorpusTests.Outcome, _ code: Int32, _ fragments: [String], line: UInt = #line) {
        XCTAssertEqual(o.code, code, o.err, line: line)
        for f in fragments { XCTAssertTrue(o.err.contains(f), "missing '\(f)' in: \(o.err)", line: line) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: o.dir + "/out/funnel.csv"), "no output on a failed run", line: line)
    }

    func testTheGoodArchiveIsRead() throws {
        let ok = try run(try archive().bytes)
        XCTAssertEqual(ok.code, 0, ok.err)
        XCTAssertTrue(ok.quality.contains("x.zip#crm.csv,,rows_read,200\n"), ok.quality)
    }

    func testCorruptAndTruncatedArchives() throws {
        let a = try archive()
        expect(try run(Array("record_id,email\n".utf8)), 1, ["x.zip", "not a readable zip archive"])
        // Cut before the end record: no central directory to find.
        expect(try run(Array(a.bytes[..<a.central])), 1, ["x.zip", "not a readable zip archive"])
        // The central directory points past the data: the member's data end early.
        var cut = Array(a.bytes[..<(a.local + 100)]) + Array(a.bytes[a.central...])
        let shift = a.central - (a.local + 100)
        let eocd = (0...(cut.count - 4)).last { Array(cut[$0..<$0 + 4]) == [0x50, 0x4B, 0x05, 0x06] }!
        let cdOffset = Int(LittleEndian.u32(cut, eocd + 16)) - shift
        for i in 0..<4 { cut[eocd + 16 + i] = UInt8((cdOffset >> (8 * i)) & 0xFF) }
        expect(try run(cut), 1, ["x.zip#crm.csv", "truncated archive"])
    }

    func testMissingMembers() throws {
        let a = try archive()
        expect(try run(a.bytes, entry: "x.zip#Lead.csv"), 1, ["x.zip", "no member 'Lead.csv'", "it holds: crm.csv"])
        expect(try run(a.bytes, entry: "x.zip#*.tsv"), 1, ["x.zip", "no member matches '*.tsv'"])
    }

    func testEncryptedMember() throws {
        var a = try archive()
        a.bytes[a.local + 6] |= 1
        a.bytes[a.central + 8] |= 1
        expect(try run(a.bytes), 1, ["x.zip#crm.csv", "encrypted"])
        // Only the local header says so: found when the member is opened.
        var local = try archive()
        local.bytes[local.local + 6] |= 1
        expect(try run(local.bytes), 1, ["x.zip#crm.csv", "encrypted"])
    }

    func testCRCMismatchAndCorruptDeflate() throws {
        var stored = try archive()
        let data = stored.local + 30 + "crm.csv".utf8.count
        stored.bytes[data + 500] ^= 0x01
        expect(try run(stored.bytes), 1, ["x.zip#crm.csv", "CRC-32 mismatch", "byte offset"])
        var deflated = try archive(stored: false)
        let start = deflated.local + 30 + "crm.csv".utf8.count
        for i in 0..<16 { deflated.bytes[start + 2 + i] ^= 0xA5 }
        let o = try run(deflated.bytes)
        XCTAssertEqual(o.code, 1, o.err)
        XCTAssertTrue(o.err.contains("x.zip#crm.csv") && (o.err.contains("corrupt deflate data") || o.err.contains("CRC-32 mismatch")), o.err)
    }

    func testLocalHeaderDisagreesWithTheCentralDirectory() throws {
        var name = try archive()
        name.bytes[name.local + 30] = UInt8(ascii: "k")
        expect(try run(name.bytes), 1, ["x.zip#crm.csv", "disagrees with the central directory", "name 'krm.csv'"])
        var method = try archive()
        method.bytes[method.local + 8] = 8
        expect(try run(method.bytes), 1, ["x.zip#crm.csv", "disagrees with the central directory", "compression method 8"])
        var moved = try archive()
        // The central directory's offset of the local header, one byte off.
        moved.bytes[moved.central + 42] &+= 1
        // ZIPFoundation stops listing at it; the entry is named from its central record.
        expect(try run(moved.bytes), 1, ["x.zip#crm.csv", "local header"])
    }

    /// FuzzZip's first finding: an archive on which ZIPFoundation's reader trapped (an offset
    /// past Int64 in its iterator). Now a refusal with the archive and a byte offset.
    func testFuzzFindings() throws {
        let path = Support.fixtures.appendingPathComponent("zip-fuzz/zipfoundation-trap.zip").path
        let r = try Support.run(["scan", path])
        XCTAssertEqual(r.code, 1, r.err)
        XCTAssertTrue(r.err.contains("zipfoundation-trap.zip") && r.err.contains("not a readable zip archive") && r.err.contains("byte offset"), r.err)
    }

    func testUnsupportedMethod() throws {
        var a = try archive()
        a.bytes[a.local + 8] = 12
        a.bytes[a.central + 10] = 12
        let o = try run(a.bytes)
        XCTAssertEqual(o.code, 1, o.err)
        XCTAssertTrue(o.err.contains("x.zip") && (o.err.contains("compression method 12") || o.err.contains("not a readable zip")), o.err)
    }
}
