import XCTest

@testable import PilotScope

/// Golden cases: expectations worked out by hand (see each case's WORKSHEET.md).
final class GoldenReportTests: XCTestCase {
    func golden(_ name: String) throws {
        let dir = Support.fixtures.appendingPathComponent(name)
        let expected = dir.appendingPathComponent("expected").path
        for engine in CSVEngine.allCases {
            for threads in [1, 3] {
                let r = try Support.report(config: dir.appendingPathComponent("pilotscope.yaml").path, threads: threads, engine: engine)
                for file in try FileManager.default.contentsOfDirectory(atPath: expected).sorted() where file.hasSuffix(".csv") {
                    let table = String(file.dropLast(4))
                    let want = Support.read(expected + "/" + file)
                    let got = table == "rejects" ? TableWriter.rejects(r.rejects) : Support.csv(r, table)
                    XCTAssertEqual(got, want, "\(name)/\(file) (engine \(engine), threads \(threads))")
                }
            }
        }
    }

    func testGoldenBasic() throws { try golden("golden-basic") }

    /// last_touch ties, merge tie-breaks, link over UTM, SLA across a holiday, a weekend and DST,
    /// pace, low_sample, cap, adjustment split, percentiles.
    func testGoldenRules() throws { try golden("golden-rules") }

    /// A record exported twice, a stitching tie, ICP missing and non-numeric values, SLA exactly at
    /// the target and pending, stop before scale, an undefined rate threshold.
    func testGoldenEdge() throws { try golden("golden-edge") }

    /// The same data with the CRM rows in reverse order gives the same tables (B14).
    func testGoldenEdgeIsOrderIndependent() throws {
        let src = Support.fixtures.appendingPathComponent("golden-edge").path
        let d = Support.tempDir()
        for f in ["pilotscope.yaml", "touches.csv"] { try FileManager.default.copyItem(atPath: src + "/" + f, toPath: d + "/" + f) }
        var lines = Support.read(src + "/crm.csv").split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let header = lines.removeFirst()
        Support.write(d + "/crm.csv", ([header] + lines.reversed()).joined(separator: "\n") + "\n")
        let a = try Support.report(config: src + "/pilotscope.yaml")
        let b = try Support.report(config: d + "/pilotscope.yaml")
        for t in a.tables where t.name != "quality" { XCTAssertEqual(Support.csv(a, t.name), Support.csv(b, t.name), t.name) }
    }
}

final class DeterminismTests: XCTestCase {
    /// Generated data: byte-identical tables for 1 and N threads, shuffled file order, and
    /// another split of the same rows into files (per-file quality rows aside).
    func testThreadsFileOrderAndSplitDoNotChangeTables() throws {
        let one = Support.tempDir(), four = Support.tempDir()
        try Generator(contacts: 1500, touches: 12000, seed: 11, shards: 1, visitors: nil, out: one).run()
        try Generator(contacts: 1500, touches: 12000, seed: 11, shards: 3, visitors: nil, out: four).run()
        let a = try Support.report(config: one + "/pilotscope.yaml", threads: 1)
        let b = try Support.report(config: one + "/pilotscope.yaml", threads: 4)
        let shuffled = ["touches-3.csv.gz", "touches-1.csv.gz", "touches-2.csv.gz"].map { four + "/" + $0 }
        let crm = ["contacts-2.csv.gz", "contacts-3.csv.gz", "contacts-1.csv.gz"].map { four + "/" + $0 }
        let c = try Support.report(config: four + "/pilotscope.yaml", threads: 2, crm: crm, touches: shuffled)
        XCTAssertGreaterThan(a.data.matchedTouches, 100)
        for t in a.tables {
            let x = TableWriter.render(t, as: .csv)
            XCTAssertEqual(x, Support.csv(b, t.name), "threads: \(t.name)")
            if t.name == "quality" {
                let strip = { (s: String) in s.split(separator: "\n").filter { $0.hasPrefix("all,") }.joined(separator: "\n") }
                XCTAssertEqual(strip(x), strip(Support.csv(c, t.name)), "split: quality")
            } else {
                XCTAssertEqual(x, Support.csv(c, t.name), "split and order: \(t.name)")
            }
        }
    }

    func testGenerateIsByteIdentical() throws {
        let a = Support.tempDir(), b = Support.tempDir()
        try Generator(contacts: 300, touches: 3000, seed: 5, shards: 2, visitors: nil, out: a).run()
        try Generator(contacts: 300, touches: 3000, seed: 5, shards: 2, visitors: nil, out: b).run()
        let files = try FileManager.default.contentsOfDirectory(atPath: a).sorted()
        XCTAssertEqual(files, try FileManager.default.contentsOfDirectory(atPath: b).sorted())
        XCTAssertEqual(files.count, 6)
        for f in files {
            XCTAssertEqual(FileManager.default.contents(atPath: a + "/" + f), FileManager.default.contents(atPath: b + "/" + f), f)
        }
        let c = Support.tempDir()
        try Generator(contacts: 300, touches: 3000, seed: 6, shards: 2, visitors: nil, out: c).run()
        XCTAssertNotEqual(FileManager.default.contents(atPath: a + "/touches-1.csv.gz"), FileManager.default.contents(atPath: c + "/touches-1.csv.gz"))
    }

    /// Property: rows_read = rows_kept + rows_rejected for every file, and the funnel is monotonic.
    func testAccountingIdentityAndMonotonicFunnel() throws {
        for seed in [1, 2, 3] as [UInt64] {
            let d = Support.tempDir()
            try Generator(contacts: 800, touches: 6000, seed: seed, shards: 2, visitors: nil, out: d).run()
            let r = try Support.report(config: d + "/pilotscope.yaml", threads: 2)
            for a in r.accounts {
                XCTAssertEqual(a.rowsRead, a.rowsKept + a.rowsRejected, a.path)
                XCTAssertEqual(a.rejects.count, a.rowsRejected, a.path)
            }
            let f = r.tables.first { $0.name == "funnel" }!
            for row in f.rows {
                let n = (7...11).map { i -> Int in
                    if case .int(let v) = row[i] { return v }; return -1
                }
                XCTAssertTrue(n[0] >= n[1] && n[1] >= n[2] && n[2] >= n[3] && n[3] >= n[4], "\(row)")
            }
            let q = r.tables.first { $0.name == "quality" }!
            func all(_ k: String) -> Int {
                q.rows.first { $0[0] == .text("all") && $0[2] == .text(k) }.map {
                    if case .int(let v) = $0[3] { return v }; return -1
                } ?? -1
            }
            XCTAssertEqual(all("touches"), all("touches_by_email") + all("touches_by_visitor") + all("touches_anonymous"))
        }
    }
}
