import XCTest

@testable import PilotScope

/// docs/CONFIG.md and the unknown-key suggestions must list exactly what the Codable types accept.
final class DocsTests: XCTestCase {
    /// Every section present once, so Mirror can reach every nested type.
    static let maximal = """
        as_of: 2026-04-30T00:00:00Z
        timezone: UTC
        inputs:
          crm: { files: [a.csv], preset: hubspot, columns: { employees: X }, timestamp_format: auto, input_timezone: UTC, delimiter: ";", stages: {} }
          touches: { files: [b.csv] }
          stage_history: { files: [c.csv] }
        dedup: { strip_plus_tags: true, gmail_dots: true }
        attribution: { model: first_touch }
        influence: { lookback_days: 90, half_life_days: 7 }
        grace_days: 30
        max_reject_rate: 0.01
        pilots:
          - id: a
            name: A
            partner: P
            motion: referral
            hypothesis: H
            segment: S
            use_case: U
            offer: O
            assets: [x]
            owners: [y]
            cadence: weekly
            risks: [z]
            start: 2026-03-02
            end: 2026-03-31
            timezone: UTC
            grace_days: 1
            match: { source_tags: [t], utm: { source: s, medium: m, campaign: c, term: t, content: c }, scheduling_links: [l], meeting_types: [m] }
            icp: [{ field: f, min: 1, max: 2, in: [a], not_in: [b] }]
            costs: { fixed: 1, hours: 1, hourly_rate: 1, per_lead: 1, per_sqm: 1, per_won: 1, currency: USD }
            primary_metric: sqm
            thresholds: { scale: ["sqm >= 1"], stop: ["sqm < 1"] }
            sla: { respond_business_hours: 1, schedule_business_days: 1 }
            caps: { leads: 1 }
            min_sample: 1
            adjustment: { date: 2026-03-10, note: n }
            holidays: [2026-03-17]
        """

    static func keys(_ value: Any, into out: inout Set<String>) {
        let m = Mirror(reflecting: value)
        if m.displayStyle == .optional {
            if let child = m.children.first { keys(child.value, into: &out) }
            return
        }
        if m.displayStyle == .collection {
            for c in m.children { keys(c.value, into: &out) }
            return
        }
        guard m.displayStyle == .struct else { return }
        for c in m.children {
            guard let label = c.label else { continue }
            if label != "items" { out.insert(label) }
            keys(c.value, into: &out)
        }
    }

    func testConfigReferenceMatchesTheTypes() throws {
        let file = try ConfigLoader.parse(Self.maximal)
        var accepted = Set<String>()
        Self.keys(file, into: &accepted)
        XCTAssertTrue(accepted.contains("not_in") && accepted.contains("hourly_rate") && accepted.contains("stages"), "\(accepted.sorted())")
        let doc = Support.read(Support.packageRoot.appendingPathComponent("docs/CONFIG.md").path)
        var documented = Set<String>()
        var inTick = false
        var token = ""
        for ch in doc {
            if ch == "`" {
                if inTick { documented.insert(token) }
                token = ""
                inTick.toggle()
            } else if inTick {
                token.append(ch)
            }
        }
        for k in accepted.sorted() {
            XCTAssertTrue(documented.contains(k), "docs/CONFIG.md does not document `\(k)`")
            XCTAssertTrue(ConfigLoader.schemaKeys.contains(k), "ConfigLoader.schemaKeys lacks `\(k)`")
        }
        for k in ConfigLoader.schemaKeys.sorted() {
            XCTAssertTrue(accepted.contains(k), "ConfigLoader.schemaKeys has `\(k)`, which no type accepts")
        }
    }

    /// The package claims only what it builds on: the sources use Glibc and Linux calls
    /// (renameat2) unconditionally, so Package.swift declares no Apple platform and the README
    /// names Linux as the supported platform.
    func testPlatformClaims() throws {
        let manifest = Support.read(Support.packageRoot.appendingPathComponent("Package.swift").path)
        for apple in [".macOS", ".iOS", ".tvOS", ".watchOS", ".visionOS"] {
            XCTAssertFalse(manifest.contains(apple), "Package.swift claims \(apple), but the sources import Glibc")
        }
        let readme = Support.read(Support.packageRoot.appendingPathComponent("README.md").path)
        XCTAssertTrue(readme.contains("Supported platform: Linux"), "README must state the supported platforms")
    }
}
