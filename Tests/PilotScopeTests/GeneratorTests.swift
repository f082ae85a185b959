import Foundation
import XCTest

@testable import PilotScope

/// `generate --touch-files-by-day`, through the built binary: nightly arrivals to simulate.
final class GeneratorTests: XCTestCase {
    /// A file per day; a longer run only adds days (the first days are the same bytes), and a
    /// later range alone gives the same files; every
    /// row of a day's file is inside that day; the config reads the folder.
    func testTouchFilesByDay() throws {
        let root = Support.tempDir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        func generate(_ days: Int, _ out: String, from first: String = "2026-03-30") throws -> [String] {
            let g = try Support.run([
                "generate", "--contacts", "300", "--touches", "500", "--seed", "4", "--touch-files-by-day", "--days", "\(days)", "--first-day",
                first, "--plain", "--out", out,
            ])
            XCTAssertEqual(g.code, 0, g.err)
            return ((try? FileManager.default.contentsOfDirectory(atPath: out + "/touches")) ?? []).sorted()
        }
        let three = try generate(3, root + "/three"), five = try generate(5, root + "/five")
        XCTAssertEqual(three, ["2026-03-30.csv", "2026-03-31.csv", "2026-04-01.csv"])
        XCTAssertEqual(five, three + ["2026-04-02.csv", "2026-04-03.csv"])
        for name in three {
            XCTAssertEqual(
                FileManager.default.contents(atPath: root + "/three/touches/" + name), FileManager.default.contents(atPath: root + "/five/touches/" + name),
                name)
        }
        // A range generated apart is the same days.
        XCTAssertEqual(try generate(2, root + "/later", from: "2026-04-02"), ["2026-04-02.csv", "2026-04-03.csv"])
        for name in ["2026-04-02.csv", "2026-04-03.csv"] {
            XCTAssertEqual(
                FileManager.default.contents(atPath: root + "/later/touches/" + name), FileManager.default.contents(atPath: root + "/five/touches/" + name),
                name)
        }
        for name in five {
            let lines = Support.read(root + "/five/touches/" + name).split(separator: "\n").dropFirst()
            XCTAssertGreaterThanOrEqual(lines.count, 500, name)
            let day = String(name.prefix(10))
            // ISO rows (48 in 50) start with the day itself; the other forms are checked by the
            // report below (a row outside the span would fall out of the pilots' windows).
            let iso = lines.filter { $0.hasPrefix("2026-") }
            XCTAssertGreaterThan(iso.count, 400, name)
            XCTAssertTrue(iso.allSatisfy { $0.hasPrefix(day + "T") }, "\(name): \(iso.first { !$0.hasPrefix(day + "T") } ?? "")")
        }
        XCTAssertTrue(Support.read(root + "/five/pilotscope.yaml").contains("files: [\"touches/*.csv\"]"))
        // Days that differ are different days: not one stream copied under five names.
        XCTAssertNotEqual(
            Support.read(root + "/five/touches/2026-03-30.csv").dropFirst(200).prefix(400),
            Support.read(root + "/five/touches/2026-03-31.csv").dropFirst(200).prefix(400))
        let r = try Support.run(["report", "-c", root + "/five/pilotscope.yaml", "--out", root + "/out", "--quiet"])
        XCTAssertEqual(r.code, 0, r.err)
        let funnel = Support.read(root + "/out/funnel.csv")
        XCTAssertTrue(funnel.contains("acme-payroll-workshop"), funnel)
    }
}
