import Foundation
import XCTest

@testable import PilotScope

/// report.xlsx: the SpreadsheetML parts, cell typing, determinism; through the binary, the
/// workbook of `--out` and of `--table --format xlsx`, and the refusal on a terminal. The
/// independent read-back of every cell is scripts/check-xlsx.py (openpyxl), run by `make test`.
final class XLSXTests: XCTestCase {
    func testColumnLetters() {
        XCTAssertEqual([0, 1, 25, 26, 27, 51, 52, 701, 702].map(XLSXSheet.column), ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"])
    }

    func testEscapingKeepsTextAndDropsWhatXMLCannotHold() {
        XCTAssertEqual(XLSXSheet.escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;")
        XCTAssertEqual(XLSXSheet.escape("tab\tnl\ncr\r"), "tab\tnl\ncr\r")
        XCTAssertEqual(XLSXSheet.escape("nul\u{0}bell\u{7}\u{FFFE}"), "nul\u{FFFD}bell\u{FFFD}\u{FFFD}")
        XCTAssertEqual(XLSXSheet.escape("é → 😀"), "é → 😀")
    }

    func testCellsAreTyped() {
        // A formula-looking text stays text, with no guard quote.
        XCTAssertEqual(
            XLSXSheet.cell("A2", .text("=HYPERLINK(\"x\")"), column: "evidence"),
            "<c r=\"A2\" t=\"inlineStr\"><is><t>=HYPERLINK(&quot;x&quot;)</t></is></c>")
        XCTAssertEqual(
            XLSXSheet.cell("A3", .text(" padded "), column: "evidence"),
            "<c r=\"A3\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> padded </t></is></c>", "edge spaces kept")
        XCTAssertEqual(XLSXSheet.cell("B2", .int(-3), column: "leads"), "<c r=\"B2\" s=\"2\"><v>-3</v></c>")
        XCTAssertEqual(XLSXSheet.cell("C2", .fixed(0.31694, 4), column: "sqm_rate"), "<c r=\"C2\" s=\"3\"><v>0.3169</v></c>")
        XCTAssertEqual(XLSXSheet.cell("D2", .fixed(1234.5, 2), column: "pipeline_amount"), "<c r=\"D2\" s=\"4\"><v>1234.50</v></c>")
        XCTAssertEqual(XLSXSheet.cell("E2", .fixed(4.04, 2), column: "median_days"), "<c r=\"E2\" s=\"5\"><v>4.04</v></c>")
        XCTAssertEqual(XLSXSheet.cell("F2", .fixed(.nan, 2), column: "mean_days"), "")
        XCTAssertEqual(XLSXSheet.cell("G2", .empty, column: "pace"), "")
        // 2026-03-04 is 46085 days after 1899-12-30 (2024-01-01 = 45292, + 366 + 365 + 62);
        // 10:22:31 is 37351 s = 0.43230324074… of a day.
        XCTAssertEqual(XLSXSheet.cell("H2", .text("2026-03-04T10:22:31Z"), column: "attributed_at"), "<c r=\"H2\" s=\"6\"><v>46085.43230324074</v></c>")
        XCTAssertEqual(XLSXSheet.cell("I2", .text("2026-03-02"), column: "week_start"), "<c r=\"I2\" s=\"7\"><v>46083</v></c>")
        // Not a timestamp column, or not a timestamp, or before 1901: text.
        XCTAssertTrue(XLSXSheet.cell("J2", .text("2026-03-04T10:22:31Z"), column: "evidence").contains("inlineStr"))
        XCTAssertTrue(XLSXSheet.cell("K2", .text("2026-02-30"), column: "week_start").contains("inlineStr"))
        XCTAssertTrue(XLSXSheet.cell("L2", .text("1899-12-31T00:00:00Z"), column: "attributed_at").contains("inlineStr"))
    }

    func testATableLongerThanASheetContinuesOnTheNext() throws {
        var t = Table("attribution", ["pilot_id", "n"])
        for i in 0..<5 { t.add([.text("p"), .int(i)]) }
        XCTAssertEqual(XLSXWriter.split(t, rowLimit: 2).map(\.name), ["attribution", "attribution (2)", "attribution (3)"])
        XCTAssertEqual(XLSXWriter.split(t, rowLimit: 2).map(\.rows.count), [2, 2, 1])
        XCTAssertEqual(XLSXWriter.split(t, rowLimit: 5).count, 1)
        let d = Support.tempDir()
        FileManager.default.createFile(atPath: d + "/t.xlsx", contents: try XLSXWriter.workbook([t], rowLimit: 2))
        XCTAssertEqual(try ZipDirectory.members(d + "/t.xlsx").filter { $0.name.hasPrefix("xl/worksheets/") }.count, 3)
    }

    func testSharedStringsAreEachTextOnce() {
        var t = Table("attribution", ["pilot_id", "evidence"])
        t.add([.text("acme"), .text(" a<b ")])
        t.add([.text("acme"), .text("=SUM(A1)")])
        var strings = SharedStrings()
        let sheet = String(decoding: XLSXSheet.bytes(t, strings: &strings), as: UTF8.self)
        // Headers 0 and 1, then acme 2, " a<b " 3, acme again 2, "=SUM(A1)" 4.
        XCTAssertTrue(sheet.contains("<row r=\"1\"><c s=\"1\" t=\"s\"><v>0</v></c><c s=\"1\" t=\"s\"><v>1</v></c></row>"), sheet)
        XCTAssertTrue(sheet.contains("<row r=\"3\"><c t=\"s\"><v>2</v></c><c t=\"s\"><v>4</v></c></row>"), sheet)
        let sst = String(decoding: strings.xml(), as: UTF8.self)
        XCTAssertTrue(sst.contains("count=\"6\" uniqueCount=\"5\">"), sst)
        XCTAssertTrue(sst.hasSuffix("<si><t>acme</t></si><si><t xml:space=\"preserve\"> a&lt;b </t></si><si><t>=SUM(A1)</t></si></sst>"), sst)
        XCTAssertTrue(sheet.contains("<col min=\"2\" max=\"2\" width=\"10\" customWidth=\"1\"/>"), "evidence (8) + 2: \(sheet)")
    }

    /// A cell right after its row's previous cell (or first, in column A) has no reference: a
    /// reader puts it there. After a gap (an empty value is no cell) the reference is written.
    func testReferencesAreWrittenAfterGapsOnly() {
        var t = Table("t", ["a", "b", "c", "d"])
        t.add([.empty, .int(1), .empty, .int(2)])
        t.add([.int(1), .fixed(.nan, 4), .int(2), .int(3)])
        t.add([.int(4), .int(5), .int(6), .int(7)])
        t.add([.int(8), .empty, .text("x"), .empty])
        let sheet = XLSXSheet.xml(t)
        XCTAssertTrue(sheet.contains("<row r=\"2\"><c r=\"B2\" s=\"2\"><v>1</v></c><c r=\"D2\" s=\"2\"><v>2</v></c></row>"), sheet)
        XCTAssertTrue(sheet.contains("<row r=\"3\"><c s=\"2\"><v>1</v></c><c r=\"C3\" s=\"2\"><v>2</v></c><c s=\"2\"><v>3</v></c></row>"), sheet)
        XCTAssertTrue(sheet.contains("<row r=\"4\"><c s=\"2\"><v>4</v></c><c s=\"2\"><v>5</v></c><c s=\"2\"><v>6</v></c><c s=\"2\"><v>7</v></c></row>"), sheet)
        XCTAssertTrue(sheet.contains("<row r=\"5\"><c s=\"2\"><v>8</v></c><c r=\"C5\" t=\"inlineStr\"><is><t>x</t></is></c></row>"), sheet)
    }

    /// The sheets are written in pieces of rows concurrently: the workbook is the same bytes for
    /// any piece size, shared strings numbered in first-use order over the whole workbook.
    func testTheWorkbookIsTheSameForAnyPieceSize() throws {
        var a = Table("attribution", ["pilot_id", "record_id", "evidence", "attributed_at"])
        for i in 0..<11 {
            a.add([
                .text(i % 3 == 0 ? "acme" : "globex"), .text("C\(i % 7)"), i % 4 == 0 ? .empty : .text("ev \(i % 5) & <x>"),
                .text("2026-03-0\(1 + i % 9)T10:00:00Z"),
            ])
        }
        var b = Table("funnel", ["pilot_id", "leads"])
        b.add([.text("globex"), .int(4)])
        b.add([.text("initech"), .int(-1)])
        let whole = try XLSXWriter.workbook([a, b], rowLimit: 100, pieceRows: 1000)
        for size in [1, 2, 3, 4, 10, 11] {
            XCTAssertEqual(try XLSXWriter.workbook([a, b], rowLimit: 100, pieceRows: size), whole, "pieces of \(size) rows")
        }
        // Sheets larger than ZIPFoundation's 16 KiB chunks (read across the parts' boundaries),
        // and a sheet of the header alone.
        var long = Table("attribution", ["pilot_id", "record_id", "n"])
        for i in 0..<3000 { long.add([.text("p\(i % 13)"), .text("R\(i)"), i % 5 == 0 ? .empty : .int(i)]) }
        let tables = [long, Table("empty", ["pilot_id"]), b]
        let one = try XLSXWriter.workbook(tables, rowLimit: 10_000, pieceRows: 10_000)
        for size in [7, 1000] { XCTAssertEqual(try XLSXWriter.workbook(tables, rowLimit: 10_000, pieceRows: size), one, "pieces of \(size) rows") }
        let (parts, _) = XLSXWriter.sheetParts(tables, pieceRows: 7)
        XCTAssertEqual(parts.map(\.count), [2 + 429, 2 + 1, 2 + 1], "head, pieces, tail")
        XCTAssertGreaterThan(parts[0].map(\.count).reduce(0, +), 4 * 16_384)
        // The strings of one pass over the sheets, by hand: headers 0-3, then acme 4, C0 5 (the
        // timestamp is a date, no string); row 3: globex 6, C1 7, "ev 1 & <x>" 8.
        var strings = SharedStrings()
        let sheets = [a, b].map { XLSXSheet.bytes($0, strings: &strings) }
        let first = String(decoding: sheets[0], as: UTF8.self)
        XCTAssertTrue(first.contains("<row r=\"2\"><c t=\"s\"><v>4</v></c><c t=\"s\"><v>5</v></c><c r=\"D2\" s=\"6\">"), first)
        XCTAssertTrue(first.contains("<row r=\"3\"><c t=\"s\"><v>6</v></c><c t=\"s\"><v>7</v></c><c t=\"s\"><v>8</v></c>"), first)
        // Sheet 2, after sheet 1's 18 strings (C2 9, ev 2 10, C3 11, ev 3 12, C4 13, C5 14, ev 0 15,
        // C6 16, ev 4 17 in rows 4-11): pilot_id 0 again, leads 18, globex 6 again, initech 19.
        let second = String(decoding: sheets[1], as: UTF8.self)
        XCTAssertTrue(second.contains("<row r=\"1\"><c s=\"1\" t=\"s\"><v>0</v></c><c s=\"1\" t=\"s\"><v>18</v></c></row>"), second)
        XCTAssertTrue(second.contains("<row r=\"2\"><c t=\"s\"><v>6</v></c>"), second)
        XCTAssertTrue(second.contains("<row r=\"3\"><c t=\"s\"><v>19</v></c>"), second)
        // 38 text cells: 4 + 2 headers, 11 pilot ids and record ids, 8 evidences, 2 pilot ids.
        XCTAssertTrue(String(decoding: strings.xml(), as: UTF8.self).contains("count=\"38\" uniqueCount=\"20\">"))
    }

    func testTheWorkbookIsDeterministicAndComplete() throws {
        var t = Table("funnel", ["pilot_id", "leads", "sqm_rate"])
        t.add([.text("acme"), .int(3), .fixed(0.5, 4)])
        t.add([.text("globex"), .empty, .empty])
        let a = try XLSXWriter.report([t], rejects: [RejectRow(file: "crm.csv", line: 4, reason: "bad_timestamp:created_at", row: "r9,x")])
        let b = try XLSXWriter.report([t], rejects: [RejectRow(file: "crm.csv", line: 4, reason: "bad_timestamp:created_at", row: "r9,x")])
        XCTAssertEqual(a, b, "same tables, same bytes")
        XCTAssertEqual(Array(a.prefix(4)), [0x50, 0x4B, 0x03, 0x04], "a zip")
        let sheet = XLSXSheet.xml(t)
        XCTAssertTrue(sheet.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"), sheet)
        XCTAssertTrue(sheet.contains("<autoFilter ref=\"A1:C3\"/>"), sheet)
        XCTAssertTrue(sheet.contains("<row r=\"3\"><c t=\"inlineStr\"><is><t>globex</t></is></c></row>"), sheet)
        XCTAssertTrue(sheet.contains("<col min=\"1\" max=\"1\" width=\"10\" customWidth=\"1\"/>"), "pilot_id (8) + 2: \(sheet)")
        let book = XLSXWriter.workbookXML([t, Table("rejects", ["file", "line", "reason", "row"])])
        XCTAssertTrue(book.contains("<sheet name=\"funnel\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"rejects\" sheetId=\"2\" r:id=\"rId2\"/>"), book)
        XCTAssertTrue(book.contains("localSheetId=\"0\" hidden=\"1\">'funnel'!$A$1:$C$3</definedName>"), book)
    }

    /// Through the binary: `--out` writes report.xlsx; `--table --format xlsx` writes the one
    /// table's workbook to a file or pipe, and is refused (exit 2) when stdout is a terminal.
    func testTheBinaryWritesWorkbooks() throws {
        let d = Support.tempDir()
        let config = Support.fixtures.appendingPathComponent("golden-basic/pilotscope.yaml").path
        let r = try Support.run(["report", "-c", config, "--out", d + "/out", "--quiet"])
        XCTAssertEqual(r.code, 0, r.err)
        let book = try XCTUnwrap(FileManager.default.contents(atPath: d + "/out/report.xlsx"))
        XCTAssertEqual(Array(book.prefix(4)), [0x50, 0x4B, 0x03, 0x04])
        let again = try Support.run(["report", "-c", config, "--out", d + "/again", "--quiet", "--threads", "1"])
        XCTAssertEqual(again.code, 0, again.err)
        XCTAssertEqual(FileManager.default.contents(atPath: d + "/again/report.xlsx"), book, "byte-identical on 1 and 2 threads")
        let one = try Support.runShell("\"$0\" report -c '\(config)' --table funnel --format xlsx --quiet > '\(d)/funnel.xlsx'")
        XCTAssertEqual(one.code, 0, one.err)
        let names = try ZipDirectory.members(d + "/funnel.xlsx").map(\.name)
        XCTAssertEqual(
            names,
            [
                "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
                "xl/sharedStrings.xml",
            ])
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("script(1) is needed for a terminal") }
        let tty = try Support.runShell("script -qec \"$0 report -c '\(config)' --table funnel --format xlsx --quiet\" /dev/null")
        XCTAssertEqual(tty.code, 2, tty.out + tty.err)
        XCTAssertTrue((tty.out + tty.err).contains("redirect standard output to a file"), tty.out + tty.err)
    }
}
