import Foundation
import XCTest

@testable import PilotScope

/// `pilotscope schema` follows the Codable types (no refinement names a key that is gone, every
/// key the loader knows is in it and nothing else) and is deterministic; shell completions know
/// the tables and presets. scripts/check-schema.py validates the repository's configs with
/// jsonschema in `make test`.
final class SchemaTests: XCTestCase {
    /// Every property name of the schema, at any depth.
    static func propertyNames(_ v: Any) -> Set<String> {
        var out = Set<String>()
        if let d = v as? [String: Any] {
            if let props = d["properties"] as? [String: Any] { out.formUnion(props.keys) }
            for (_, x) in d { out.formUnion(propertyNames(x)) }
        } else if let a = v as? [Any] {
            for x in a { out.formUnion(propertyNames(x)) }
        }
        return out
    }

    /// The builders started first are named by tables that exist (a renamed table would
    /// otherwise silently fall back to schema order).
    func testTheLongestTableBuildersAreTables() {
        XCTAssertFalse(ReportTables.longestFirst.isEmpty)
        for name in ReportTables.longestFirst { XCTAssertTrue(ReportTables.names.contains(name), name) }
        XCTAssertEqual(Set(ReportTables.longestFirst).count, ReportTables.longestFirst.count)
    }

    func testTheSchemaIsTheLoadersKeys() throws {
        let (json, unresolved) = ConfigSchema.build()
        XCTAssertEqual(unresolved, [], "refinements naming no key")
        XCTAssertEqual(json, ConfigSchema.build().json, "deterministic")
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(root["$schema"] as? String, "https://json-schema.org/draft/2020-12/schema")
        XCTAssertEqual(Self.propertyNames(root), ConfigLoader.schemaKeys, "the keys the loader accepts (and suggests on a typo)")
        let top = try XCTUnwrap(root["properties"] as? [String: Any])
        XCTAssertEqual(Set(top.keys), ["as_of", "timezone", "inputs", "dedup", "attribution", "influence", "grace_days", "max_reject_rate", "pilots"])
        XCTAssertEqual(root["additionalProperties"] as? Bool, false, "a misspelt key fails, as in the loader")
        // A required key: an ICP rule's field.
        let pilots = try XCTUnwrap(top["pilots"] as? [String: Any])
        let pilot = try XCTUnwrap((pilots["items"] as? [String: Any])?["properties"] as? [String: Any])
        let icp = try XCTUnwrap((pilot["icp"] as? [String: Any])?["items"] as? [String: Any])
        XCTAssertEqual(icp["required"] as? [String], ["field"])
        XCTAssertEqual((pilot["motion"] as? [String: Any])?["enum"] as? [String], Motion.allCases.map(\.rawValue))
    }

    func testAProbedTypeGivesItsShape() {
        guard case .object(let props, _) = SchemaProbe.node(AdjustmentConfig.self) else { return XCTFail("not an object") }
        XCTAssertEqual(props.map(\.name), ["date", "note"])
        XCTAssertEqual(props.map(\.required), [true, false])
        guard case .oneOrMany(.string) = SchemaProbe.node(OneOrMany<String>.self) else { return XCTFail("one or many strings") }
        guard case .map(.string) = SchemaProbe.node([String: String].self) else { return XCTFail("a map of strings") }
        guard case .array(.number) = SchemaProbe.node([Double].self) else { return XCTFail("a list of numbers") }
    }

    func testTheBinaryPrintsTheSchemaAndCompletions() throws {
        let r = try Support.run(["schema"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertEqual(r.out, ConfigSchema.build().json)
        for shell in ["bash", "zsh", "fish"] {
            let c = try Support.run(["--generate-completion-script", shell])
            XCTAssertEqual(c.code, 0, c.err)
            for word in ["icp_rules", "attribution", "salesforce_opportunity_history", "stage_history"] {
                XCTAssertTrue(c.out.contains(word), "\(shell) completion lacks \(word)")
            }
        }
    }
}
