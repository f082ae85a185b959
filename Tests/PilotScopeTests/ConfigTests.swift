import XCTest

@testable import PilotScope

final class ConfigTests: XCTestCase {
    /// A valid pilot; tests change one thing at a time.
    static let pilot = """
          - id: acme
            name: Acme Workshop
            motion: co_marketing
            start: 2026-03-02
            end: 2026-03-31
            match: { source_tags: ["Partner Pilot: Acme"] }
            icp: [{ field: employees, min: 200 }]
            primary_metric: sqm
            thresholds: { scale: ["sqm >= 10"], stop: ["sqm < 5"] }
        """

    func issues(_ yaml: String) throws -> [ConfigIssue] {
        let file = try ConfigLoader.parse(yaml)
        return ConfigValidator.resolve(file).1
    }

    func errors(_ yaml: String) throws -> [ConfigIssue] { try issues(yaml).filter { $0.severity == .error } }
    func warnings(_ yaml: String) throws -> [ConfigIssue] { try issues(yaml).filter { $0.severity == .warning } }

    func expectError(_ yaml: String, key: String, contains text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let e = try errors(yaml)
        XCTAssertTrue(e.contains { $0.key == key && $0.description.contains(text) }, "expected \(key): \(text) in \(e)", file: file, line: line)
    }

    func testValidConfigHasNoIssues() throws {
        XCTAssertEqual(try issues("pilots:\n" + Self.pilot), [])
    }

    func testUnknownKeysNameTheirPath() {
        let yaml = "pilots:\n" + Self.pilot.replacingOccurrences(of: "stop: [", with: "stpo: [")
        XCTAssertThrowsError(try ConfigLoader.parse(yaml)) { e in
            let d = (e as! ConfigError).description
            XCTAssertTrue(d.contains("pilots[0].thresholds.stpo"), d)
            XCTAssertTrue(d.contains("did you mean 'stop'"), d)
        }
        XCTAssertThrowsError(try ConfigLoader.parse("pilotz: []\n")) { e in
            XCTAssertTrue((e as! ConfigError).description.contains("pilotz"))
        }
        XCTAssertThrowsError(try ConfigLoader.parse("inputs:\n  crm: { files: [a.csv], presett: hubspot }\n")) { e in
            XCTAssertTrue((e as! ConfigError).description.contains("inputs.crm.presett"), (e as! ConfigError).description)
        }
    }

    func testJSONIsAccepted() throws {
        let json =
            #"{"pilots": [{"id": "a", "motion": "referral", "start": "2026-03-02", "end": "2026-03-31", "match": {"source_tags": ["x"]}, "icp": [{"field": "industry", "in": ["finance"]}], "primary_metric": "sqm", "thresholds": {"stop": ["sqm < 1"]}}]}"#
        XCTAssertEqual(try errors(json), [])
    }

    func testInputsAsOneSectionOrAList() throws {
        let f = try ConfigLoader.parse(
            "inputs:\n  crm: { files: a.csv }\n  touches:\n    - { files: [b.csv], preset: calendly }\n    - { files: [c.csv] }\npilots:\n" + Self.pilot)
        XCTAssertEqual(f.inputs?.crm?.items.count, 1)
        XCTAssertEqual(f.inputs?.crm?.items[0].files?.items, ["a.csv"])
        XCTAssertEqual(f.inputs?.touches?.items.count, 2)
    }

    func testMissingAndDuplicateId() throws {
        try expectError("pilots:\n" + Self.pilot.replacingOccurrences(of: "- id: acme\n    ", with: "- "), key: "pilots[0].id", contains: "missing")
        try expectError("pilots:\n" + Self.pilot + "\n" + Self.pilot, key: "id", contains: "duplicate")
    }

    func testEndBeforeStart() throws {
        try expectError("pilots:\n" + Self.pilot.replacingOccurrences(of: "end: 2026-03-31", with: "end: 2026-03-01"), key: "end", contains: "before start")
    }

    func testNoMatchRule() throws {
        try expectError(
            "pilots:\n" + Self.pilot.replacingOccurrences(of: "match: { source_tags: [\"Partner Pilot: Acme\"] }", with: "match: {}"), key: "match",
            contains: "no match rule")
    }

    func testUnknownMetricAndOperator() throws {
        try expectError(
            "pilots:\n" + Self.pilot.replacingOccurrences(of: "sqm >= 10", with: "sqls >= 10"), key: "thresholds.scale[0]", contains: "unknown metric 'sqls'")
        try expectError("pilots:\n" + Self.pilot.replacingOccurrences(of: "sqm >= 10", with: "sqm ≥ 10"), key: "thresholds.scale[0]", contains: "operator")
    }

    func testPrimaryMetricNotInThresholds() throws {
        try expectError(
            "pilots:\n" + Self.pilot.replacingOccurrences(of: "primary_metric: sqm", with: "primary_metric: leads"), key: "primary_metric",
            contains: "not mentioned")
    }

    func testUnknownMotion() throws {
        try expectError("pilots:\n" + Self.pilot.replacingOccurrences(of: "co_marketing", with: "co_branding"), key: "motion", contains: "unknown motion")
    }

    func testAdjustments() throws {
        try expectError("pilots:\n" + Self.pilot + "\n    adjustment: [{ date: 2026-03-10 }, { date: 2026-03-12 }]", key: "adjustment", contains: "at most one")
        try expectError("pilots:\n" + Self.pilot + "\n    adjustment: { date: 2026-04-10 }", key: "adjustment.date", contains: "outside")
        XCTAssertEqual(try errors("pilots:\n" + Self.pilot + "\n    adjustment: { date: 2026-03-16, note: tweak }"), [])
    }

    func testUnknownTimeZone() throws {
        try expectError("pilots:\n" + Self.pilot + "\n    timezone: Mars/Olympus", key: "timezone", contains: "unknown time zone")
        try expectError("timezone: Nowhere/City\npilots:\n" + Self.pilot, key: "timezone", contains: "unknown time zone")
    }

    func testWarningsOnRulesOfThumb() throws {
        let short = try warnings("pilots:\n" + Self.pilot.replacingOccurrences(of: "end: 2026-03-31", with: "end: 2026-03-10"))
        XCTAssertTrue(short.contains { $0.key == "end" && $0.message.contains("shorter than 2 weeks") })
        let long = try warnings("pilots:\n" + Self.pilot.replacingOccurrences(of: "end: 2026-03-31", with: "end: 2026-06-30"))
        XCTAssertTrue(long.contains { $0.message.contains("longer than 8 weeks") })
        let noStop = try warnings("pilots:\n" + Self.pilot.replacingOccurrences(of: ", stop: [\"sqm < 5\"]", with: ""))
        XCTAssertTrue(noStop.contains { $0.key == "thresholds.stop" })
        let noICP = try warnings(
            "pilots:\n"
                + Self.pilot.replacingOccurrences(of: "icp: [{ field: employees, min: 200 }]", with: "name2: x").replacingOccurrences(of: "name2: x", with: ""))
        XCTAssertTrue(noICP.contains { $0.key == "icp" })
        let twin = Self.pilot.replacingOccurrences(of: "id: acme", with: "id: acme-two")
        let overlap = try warnings("pilots:\n" + Self.pilot + "\n" + twin)
        XCTAssertTrue(overlap.contains { $0.key == "match.source_tags" && $0.message.contains("acme-two") })
        // Warnings alone are not errors.
        XCTAssertEqual(try errors("pilots:\n" + Self.pilot + "\n" + twin), [])
    }

    func testICPRuleLabels() throws {
        let yaml =
            "pilots:\n"
            + Self.pilot.replacingOccurrences(
                of: "icp: [{ field: employees, min: 200 }]",
                with:
                    "icp: [{ field: employees, min: 200, max: 1000 }, { field: employees, max: 50 }, { field: industry, in: [finance, insurance] }, { field: deployment, not_in: [on-prem] }]"
            )
        let (r, _) = ConfigValidator.resolve(try ConfigLoader.parse(yaml))
        XCTAssertEqual(r?.pilots[0].icp.map(\.label), ["employees 200..1000", "employees ..50", "industry in finance|insurance", "deployment not_in on-prem"])
    }
}
