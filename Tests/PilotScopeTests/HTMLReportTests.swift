import XCTest

@testable import PilotScope

final class HTMLReportTests: XCTestCase {
    func testSelfContainedWithASectionPerPilotAndEscapedText() throws {
        let r = try Support.report(config: Support.fixtures.appendingPathComponent("golden-rules/pilotscope.yaml").path)
        let html = HTMLReport.render(tables: r.tables, pilots: r.pilots, asOf: r.asOf, title: "<Pilots & \"partners\">")
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
        XCTAssertTrue(html.contains("sqm &gt;= 2 held"))
        XCTAssertTrue(html.contains("sla_respond_rate &gt;= 50% did not hold"))
        XCTAssertFalse(html.contains("@a.com"), "no email in the report")
        // alpha's sqm credit is 2 or more under every model (WORKSHEET): sqm >= 2 holds under all
        // of them and sla_respond_rate still fails → iterate under all five; beta is running.
        XCTAssertTrue(html.contains("With sqm credited instead of sourced: iterate under all five models."))
        XCTAssertTrue(html.contains("The verdict is not reached yet"))
        XCTAssertTrue(html.contains("<h3>Credit by model</h3>"))
    }
}
