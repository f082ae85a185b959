import Foundation
import ZIPFoundation

/// `report.xlsx`: one sheet per table, in the order given (Appendix A, then rejects), with the
/// CSV's columns and rows as typed cells. Hand-written SpreadsheetML (SPEC 4 has no workbook
/// format; ECMA-376 part 1 is the reference) in a zip written by ZIPFoundation. Deterministic:
/// fixed entry dates, no time or locale anywhere, so the same tables give the same bytes.
public enum XLSXWriter {
    /// The workbook of `tables`, as bytes.
    public static func workbook(_ given: [Table], rowLimit: Int = maxRows, threads: Int = allCores) throws -> Data {
        try workbook(given, rowLimit: rowLimit, pieceRows: XLSXSheet.pieceRows, threads: threads)
    }

    /// The sheets are written in pieces of `pieceRows` rows on up to `threads` threads (`XLSXSheet.Piece`);
    /// the bytes are the same for any piece size.
    static func workbook(_ given: [Table], rowLimit: Int, pieceRows: Int, threads: Int = allCores) throws -> Data {
        try zipped(entries(given, rowLimit: rowLimit, pieceRows: pieceRows, threads: threads))
    }

    /// A workbook's entries, in zip order: each a path and its bytes as parts, one after the other.
    public struct Entries: Sendable {
        let list: [(path: String, parts: [[UInt8]])]
    }

    /// The XML of every entry of the workbook of `given`, built on up to `threads` threads: the
    /// first of the workbook's two stages. The second, `zipped`, is serial (ZIPFoundation deflates one
    /// entry after another), so a caller can run it beside other work.
    static func entries(_ given: [Table], rowLimit: Int = maxRows, pieceRows: Int = XLSXSheet.pieceRows, threads: Int) -> Entries {
        let tables = given.flatMap { split($0, rowLimit: rowLimit) }
        let texts: [(String, String)] = [
            ("[Content_Types].xml", contentTypes(sheets: tables.count)), ("_rels/.rels", rootRelationships),
            ("xl/workbook.xml", workbookXML(tables)), ("xl/_rels/workbook.xml.rels", workbookRelationships(sheets: tables.count)),
            ("xl/styles.xml", XLSXStyles.xml),
        ]
        var list = texts.map { (path: $0.0, parts: [Array($0.1.utf8)]) }
        let (sheets, strings) = sheetParts(tables, pieceRows: pieceRows, threads: threads)
        for (s, parts) in sheets.enumerated() { list.append((path: "xl/worksheets/sheet\(s + 1).xml", parts: parts)) }
        list.append((path: "xl/sharedStrings.xml", parts: [strings]))
        return Entries(list: list)
    }

    /// The workbook's bytes: `entries` deflated into a zip, in their order.
    public static func zipped(_ entries: Entries) throws -> Data {
        let archive: Archive
        do {
            archive = try Archive(data: Data(), accessMode: .create)
        } catch {
            throw OutputError(.writeFailed, path: "report.xlsx", "cannot start the workbook: \(error)")
        }
        for e in entries.list { try add(e.path, e.parts, to: archive) }
        guard let data = archive.data else { throw OutputError(.writeFailed, path: "report.xlsx", "the workbook has no bytes") }
        return data
    }

    /// Each sheet's XML as parts (head, pieces, tail), and sharedStrings.xml: the pieces' XML
    /// concurrently; their strings numbered piece by piece, in sheet order; then the holes filled,
    /// and the shared strings written, concurrently. The pieces' unfilled XML is freed on return.
    static func sheetParts(_ tables: [Table], pieceRows: Int, threads: Int = allCores) -> (sheets: [[[UInt8]]], strings: [UInt8]) {
        let cuts = tables.indices.flatMap { s in XLSXSheet.pieces(tables[s], size: pieceRows).map { (sheet: s, rows: $0) } }
        let built = ResultSlots<XLSXSheet.Piece>(count: cuts.count)
        concurrently(cuts.count, threads: threads) { built.set($0, XLSXSheet.Piece(tables[cuts[$0].sheet], cuts[$0].rows, shared: true)) }
        var numbered = built.values
        var strings = SharedStrings()
        for i in numbered.indices { numbered[i].ids = strings.number(numbered[i]) }
        let (pieces, sst) = (numbered, strings)
        let filled = ResultSlots<[UInt8]>(count: pieces.count + 1)
        concurrently(pieces.count + 1, threads: threads) { i in filled.set(i, i < pieces.count ? pieces[i].filled() : sst.xml()) }
        var xml = filled.values
        let stringsXML = xml.removeLast()
        let sheets = tables.enumerated().map { s, t in
            let mine = cuts.indices.filter { cuts[$0].sheet == s }
            let widest = mine.map { pieces[$0].widest }.reduce(t.columns.map(\.count)) { zip($0, $1).map { max($0, $1) } }
            return [XLSXSheet.head(t, widest: widest)] + mine.map { xml[$0] } + [XLSXSheet.tail(t)]
        }
        return (sheets, stringsXML)
    }

    /// The workbook of a report: every table, then rejects.csv's rows as a sheet `rejects`.
    public static func report(_ tables: [Table], rejects: [RejectRow], threads: Int = allCores) throws -> Data {
        try zipped(reportEntries(tables, rejects: rejects, threads: threads))
    }

    /// The entries of `report`'s workbook (its first stage; `zipped` is the second).
    public static func reportEntries(_ tables: [Table], rejects: [RejectRow], threads: Int) -> Entries {
        var sheet = Table("rejects", ["file", "line", "reason", "row"])
        for r in rejects { sheet.add([.text(r.file), .int(r.line), .text(r.reason), .text(r.row)]) }
        return entries(tables + [sheet], threads: threads)
    }

    /// Rows a sheet can hold below its header (Excel's limit is 1,048,576 rows).
    public static let maxRows = 1_048_575

    /// A table longer than a sheet continues on sheets `name (2)`, `name (3)`, … each with the
    /// header, so no row is lost where a spreadsheet would cut it.
    static func split(_ t: Table, rowLimit: Int) -> [Table] {
        guard t.rows.count > rowLimit, rowLimit > 0 else { return [t] }
        return stride(from: 0, to: t.rows.count, by: rowLimit).enumerated().map { i, start in
            var part = Table(i == 0 ? t.name : "\(t.name) (\(i + 1))", t.columns)
            part.rows = Array(t.rows[start..<min(start + rowLimit, t.rows.count)])
            return part
        }
    }

    /// 1980-01-01T00:00:00Z, the earliest time a zip entry can carry: the same for every run.
    static let entryDate = Date(timeIntervalSince1970: 315_532_800)

    /// Adds an entry whose bytes are `parts`, one after the other (handed to ZIPFoundation in
    /// its chunks, never joined).
    private static func add(_ path: String, _ parts: [[UInt8]], to archive: Archive) throws {
        var starts = [0]
        for p in parts { starts.append(starts[starts.count - 1] + p.count) }
        do {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(starts[starts.count - 1]), modificationDate: entryDate,
                compressionMethod: .deflate,
                provider: { position, size in
                    var chunk = Data(capacity: size)
                    var at = Int(position)
                    // The last part that starts at or before `at` (parts may be empty).
                    var k = (starts.firstIndex { $0 > at } ?? starts.count) - 1
                    while chunk.count < size, k < parts.count {
                        let n = min(starts[k + 1] - at, size - chunk.count)
                        parts[k].withUnsafeBufferPointer { b in chunk.append(UnsafeBufferPointer(rebasing: b[(at - starts[k])..<(at - starts[k] + n)])) }
                        at += n
                        k += 1
                    }
                    return chunk
                })
        } catch {
            throw OutputError(.writeFailed, path: "report.xlsx", "cannot add \(path) to the workbook: \(error)")
        }
    }

    static let xmlHeader = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static func contentTypes(sheets: Int) -> String {
        let sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        return xmlHeader + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
            + "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
            + (0..<sheets).map { "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"\(sheet)\"/>" }.joined()
            + "</Types>"
    }

    static let rootRelationships =
        xmlHeader + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" Type=\"\(relationshipNamespace)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"

    static func workbookRelationships(sheets: Int) -> String {
        var s = xmlHeader + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for i in 0..<sheets {
            s += "<Relationship Id=\"rId\(i + 1)\" Type=\"\(relationshipNamespace)/worksheet\" Target=\"worksheets/sheet\(i + 1).xml\"/>"
        }
        return s + "<Relationship Id=\"rId\(sheets + 1)\" Type=\"\(relationshipNamespace)/styles\" Target=\"styles.xml\"/>"
            + "<Relationship Id=\"rId\(sheets + 2)\" Type=\"\(relationshipNamespace)/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"
    }

    /// The sheets, and each autofilter's range as the hidden name Excel keeps for it.
    static func workbookXML(_ tables: [Table]) -> String {
        var sheets = "", names = ""
        for (i, t) in tables.enumerated() {
            let name = sheetName(t.name)
            sheets += "<sheet name=\"\(XLSXSheet.escape(name))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
            let range = "$A$1:$\(XLSXSheet.column(max(t.columns.count, 1) - 1))$\(t.rows.count + 1)"
            names += "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"\(i)\" hidden=\"1\">'\(XLSXSheet.escape(name))'!\(range)</definedName>"
        }
        return xmlHeader + "<workbook xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">"
            + "<bookViews><workbookView/></bookViews><sheets>\(sheets)</sheets>"
            + (tables.isEmpty ? "" : "<definedNames>\(names)</definedNames>") + "</workbook>"
    }

    /// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
    static func sheetName(_ s: String) -> String {
        String(String(s.map { "[]:*?/\\".contains($0) ? "_" : $0 }).prefix(31))
    }
}

/// The cell formats of the workbook (`styles.xml`), by index into `cellXfs`.
enum XLSXStyles {
    enum Style: Int {
        case text = 0, header, count, rate, money, days, dateTime, date
    }

    static let xml =
        XLSXWriter.xmlHeader + "<styleSheet xmlns=\"\(XLSXWriter.mainNamespace)\">"
        + "<numFmts count=\"3\"><numFmt numFmtId=\"164\" formatCode=\"0.0000\"/>"
        + "<numFmt numFmtId=\"165\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/><numFmt numFmtId=\"166\" formatCode=\"yyyy-mm-dd\"/></numFmts>"
        + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"8\">" + xf(0) + xf(0, font: 1) + xf(1) + xf(164) + xf(4) + xf(2) + xf(165) + xf(166) + "</cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>"

    private static func xf(_ format: Int, font: Int = 0) -> String {
        "<xf numFmtId=\"\(format)\" fontId=\"\(font)\" fillId=\"0\" borderId=\"0\" xfId=\"0\""
            + (format != 0 ? " applyNumberFormat=\"1\"" : "") + (font != 0 ? " applyFont=\"1\"" : "") + "/>"
    }
}
