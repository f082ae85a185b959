import Foundation
import XCTest

@testable import PilotScope

/// B37: the number of pilots is not limited by the engine. With 200 pilots, the last one matches
/// by tag, scheduling link, meeting type and UTM exactly as it does in a configuration of its own
/// (per-pilot masks were once 64-bit words, and `1 << 64` is 0 in Swift).
final class ManyPilotsTests: XCTestCase {
    static func pilot(_ k: Int) -> String {
        """
          - id: p\(k)
            motion: co_marketing
            start: 2026-03-02
            end: 2026-03-31
            match:
              source_tags: ["Partner Pilot: P\(k)"]
              scheduling_links: ["https://cal.example.com/p\(k)"]
              meeting_types: ["Meeting \(k)"]
              utm: { campaign: c\(k) }
            primary_metric: leads
            thresholds: { scale: ["leads >= 2"], stop: ["leads < 1"] }

        """
    }

    func testThe200thPilotMatchesByEveryRule() throws {
        let d = Support.tempDir()
        Support.write(
            d + "/crm.csv",
            """
            record_id,email,created_at,source,sqm_at
            t1,t1@x.com,2026-03-05T10:00:00Z,Partner Pilot: P199,2026-03-09T10:00:00Z
            l1,l1@x.com,2026-03-05T11:00:00Z,,
            m1,m1@x.com,2026-03-05T12:00:00Z,,2026-03-20T10:00:00Z
            u1,u1@x.com,2026-03-05T13:00:00Z,,
            n1,n1@x.com,2026-03-06T13:00:00Z,,

            """)
        Support.write(
            d + "/touches.csv",
            """
            ts,visitor_id,email,event,url,meeting_type
            2026-03-06T10:00:00Z,v1,l1@x.com,booking,https://cal.example.com/p199/30min,
            2026-03-07T10:00:00Z,v2,m1@x.com,booking,https://other.example.com/x,meeting 199
            2026-03-08T10:00:00Z,v3,u1@x.com,click,https://x.com/?utm_campaign=C199,
            2026-03-08T11:00:00Z,v3,,page_view,https://x.com/?utm_campaign=c199,

            """)
        let head = """
            as_of: 2026-05-15T00:00:00Z
            inputs:
              crm: { files: [crm.csv] }
              touches: { files: [touches.csv] }
            pilots:

            """
        Support.write(d + "/all.yaml", head + (0..<200).map(Self.pilot).joined())
        Support.write(d + "/alone.yaml", head + Self.pilot(199))
        let v = try Support.run(["validate", "-c", d + "/all.yaml"])
        XCTAssertEqual(v.code, 0, v.out)
        var tables: [String: [String: String]] = [:]
        for config in ["all", "alone"] {
            let r = try Support.run(["report", "-c", d + "/\(config).yaml", "--out", d + "/out-\(config)", "--quiet"])
            XCTAssertEqual(r.code, 0, r.err)
            for t in ReportTables.names {
                // The last pilot's rows, and the rows of the whole run.
                let rows = Support.read(d + "/out-\(config)/\(t).csv").split(separator: "\n").filter {
                    $0.hasPrefix("p199,") || $0.hasPrefix("all,p199,") || $0.hasPrefix("all,,") || $0.hasPrefix("crm.csv,") || $0.hasPrefix("touches.csv,")
                }
                tables[config, default: [:]][t] = rows.joined(separator: "\n")
            }
        }
        for t in ReportTables.names { XCTAssertEqual(tables["all"]?[t], tables["alone"]?[t], t) }
        // Every rule matched: one lead each by tag, link, meeting type and UTM; 4 touches of 3
        // identities (the page view stitches to u1@x.com), 2 meetings.
        let attribution = tables["all"]?["attribution"] ?? ""
        for (record, rule) in [("t1", "tag"), ("l1", "link"), ("m1", "link"), ("u1", "utm")] {
            XCTAssertTrue(attribution.contains("p199,\(record),\(rule),"), "\(record) by \(rule):\n\(attribution)")
        }
        XCTAssertTrue(tables["all"]?["funnel"]?.hasPrefix("p199,pilot,4,3,0,0,2,4,") == true, tables["all"]?["funnel"] ?? "")
    }
}
