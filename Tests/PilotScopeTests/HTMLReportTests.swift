import XCTest

@testable import PilotScope

final class HTMLReportTests: XCTestCase {
    func testSelfContainedWithASectionPerPilotAndEscapedText() throws {
        let r = try Support.report(config: Support.fixtures.appendingPathComponent("golden-rules/pilotscope.yaml").path)
        let html = HTMLReport.render(r, title: "<Pilots & \"partners\">")
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("&lt;Pilots &amp; &quot;partners&quot;&gt;"))
        // No network: no external scripts, styles, fonts or images.
        for needle in ["<script", "http://", "https://fonts", "<link", "@import", "src=\""] {
            XCTAssertFalse(html.contains(needle), needle)
        }
        XCTAssertTrue(html.contains("id=\"alpha\"") && html.contains("id=\"beta\""))
        // Six charts per pilot (sourced vs influenced the sixth); the decided pilot (alpha) gets the review template, the running one not.
        XCTAssertEqual(html.components(separatedBy: "<figure class=\"chart\">").count - 1, 12)
        XCTAssertEqual(html.components(separatedBy: "<h3>Decision review</h3>").count - 1, 1)
        // Every threshold with its value (WORKSHEET: alpha 4 SQMs; respond SLA 1 met of 4 decided;
        // ICP 3 of 4 SQMs); beta's lead_to_mql has 1 lead against min_sample 5.
        XCTAssertTrue(html.contains("<li class=\"good\">sqm 4 ≥ 2 ✓</li>"))
        XCTAssertTrue(html.contains("<li class=\"bad\">sla_respond_rate 25 % &lt; 50 % ✗</li>"))
        XCTAssertTrue(html.contains("<li class=\"good\">icp_match 75 % ≥ 40 % ✓</li>"))
        XCTAssertTrue(html.contains("<li class=\"low\">lead_to_mql 100 % — too few to judge: 1 &lt; min_sample 5"))
        XCTAssertTrue(html.contains("Low sample: 1 lead, fewer than min_sample 5."))
        // The review is filled with facts: SLA breaches with counts, the adjustment's before/after.
        XCTAssertTrue(html.contains("SLA respond (8.00 business hours): 3 breached, 0 pending, 1 met"))
        XCTAssertTrue(html.contains("On 2026-03-09: sqm 2 from contacts created before, 2 from those created on or after it."))
        XCTAssertEqual(html.components(separatedBy: "<div class=\"human\">").count - 1, 3, "only what a human must write is left open")
        // Cost on the page (alpha: 500 fixed + 10 per lead × 4 leads, EUR), not only in threshold text.
        XCTAssertTrue(html.contains("EUR 540.00 in total"))
        // Quality: a per-file summary, the full table behind a disclosure; a print stylesheet for A4.
        XCTAssertTrue(html.contains("<details><summary>All "))
        XCTAssertTrue(html.contains("@page{size:A4"))
        XCTAssertFalse(html.contains("@a.com"), "no email in the report")
        // alpha's sqm credit is 2 or more under every model (WORKSHEET): sqm >= 2 holds under all
        // of them and sla_respond_rate still fails → iterate under all five; beta is running.
        XCTAssertTrue(html.contains("With sqm credited instead of sourced: iterate under all five models."))
        XCTAssertTrue(html.contains("The verdict is not reached yet"))
        XCTAssertTrue(html.contains("<h3>Credit by model</h3>"))
    }

    /// golden-influence (WORKSHEET): acme's sqm credit is 3 under first_touch (scale) and below 3
    /// under the other four (iterate); its sqm paths meet Globex on c1 c2 c3 c6 and Initech on c1.
    func testRobustnessNamesThePartnersThatShareCredit() throws {
        let r = try Support.report(config: Support.fixtures.appendingPathComponent("golden-influence/pilotscope.yaml").path)
        let html = HTMLReport.render(r)
        XCTAssertTrue(
            html.contains(
                "With sqm credited instead of sourced: scale under first-touch; iterate under last-touch, linear, u-shaped, time-decay: "
                    + "credit shared with Globex (4 contacts) and Initech (1 contact)."))
        XCTAssertTrue(html.contains("The primary metric influenced_sqm does not depend on credit: scale under all five models."))
        XCTAssertTrue(html.contains("<li class=\"bad\">influenced_won 0 &lt; 1 ✗</li>"), "a stop threshold that held is bad news")
        XCTAssertTrue(html.contains("<li class=\"good\">influenced_sqm 5 ≥ 5 ✓</li>"))
        XCTAssertTrue(html.contains("opportunity: sourced 1 (7000.00), influenced 0 (0.00)"))
        XCTAssertEqual(r.data.influence.shared(.sqm, 0, 1), 4)
        XCTAssertEqual(r.data.influence.shared(.sqm, 1, 0), 4)
        XCTAssertEqual(r.data.influence.shared(.sqm, 0, 2), 1)
        XCTAssertEqual(r.data.influence.shared(.opportunity, 2, 1), 1)
    }

    /// Threshold lines: the relation the value actually has, digits enough to tell a value from
    /// the target it rounds to, undefined values, absurd targets (validation only warns of them).
    func testThresholdLines() throws {
        func line(_ text: String, _ v: MetricValue, held: Bool, stop: Bool = false) throws -> String {
            FactText.line(PilotFacts.Judged(threshold: try Threshold.parse(text), value: v, held: held, lowSample: nil), stop: stop, minSample: 5)
        }
        XCTAssertEqual(try line("icp_match >= 60%", .ratio(48, 100), held: false), "icp_match 48 % < 60 % ✗")
        XCTAssertEqual(try line("icp_match >= 60%", .ratio(2999, 5000), held: false), "icp_match 59.98 % < 60 % ✗")
        XCTAssertEqual(try line("sqm < 3", .count(5), held: false, stop: true), "sqm 5 ≥ 3 ✓")
        XCTAssertEqual(try line("sqm == 3", .count(5), held: false), "sqm 5 ≠ 3 ✗")
        XCTAssertEqual(
            try line("cost_per_sqm > 1000", .undefined, held: false, stop: true), "cost_per_sqm undefined (no SQM yet) — cost_per_sqm > 1000 cannot hold ✓")
        XCTAssertEqual(try line("icp_match >= 100000000000000000000000%", .ratio(1, 2), held: false), "icp_match 50 % < 1e+23 % ✗")
        XCTAssertEqual(FactText.percent(.infinity), "inf %")
    }
}
