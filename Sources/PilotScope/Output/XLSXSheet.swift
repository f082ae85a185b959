/// One worksheet: the header row (bold, frozen, with an autofilter), then the rows as typed
/// cells. Types come from the cells and, where a cell alone cannot say, from the column's name in
/// the Appendix A schema: money and days both have 2 decimals, and timestamps are text in the
/// CSV. Empty values are no cell at all.
enum XLSXSheet {
    typealias Style = XLSXStyles.Style

    static func xml(_ t: Table) -> String { String(decoding: bytes(t), as: UTF8.self) }

    /// The sheet's XML in one piece, with inline strings.
    static func bytes(_ t: Table) -> [UInt8] { whole(t, Piece(t, 0..<t.rows.count, shared: false)) }

    /// The sheet's XML in one piece, its text cells indices into `strings` (numbered as the
    /// workbook numbers them, `SharedStrings.number`).
    static func bytes(_ t: Table, strings: inout SharedStrings) -> [UInt8] {
        var p = Piece(t, 0..<t.rows.count, shared: true)
        p.ids = strings.number(p)
        return whole(t, p)
    }

    /// A sheet that is one piece: its head, the piece's rows, its tail.
    private static func whole(_ t: Table, _ p: Piece) -> [UInt8] { head(t, widest: p.widest) + p.filled() + tail(t) }

    /// Rows per piece of a sheet written on its own (the attribution sheet at 8× is 40 pieces).
    static let pieceRows = 4096

    /// The rows of a table cut into pieces of `size` (at least one piece, for the header).
    static func pieces(_ t: Table, size: Int = pieceRows) -> [Range<Int>] {
        guard t.rows.count > 0 else { return [0..<0] }
        return stride(from: 0, to: t.rows.count, by: max(size, 1)).map { $0..<min($0 + max(size, 1), t.rows.count) }
    }

    /// A run of a sheet's rows (the first run holds the header row), written apart from the
    /// others, on any thread. With shared strings, a text cell's index is left out of `xml`: the
    /// piece numbers its strings by first use and records where each index goes. Once
    /// `SharedStrings.number` has numbered every piece in sheet order (which gives each string
    /// the index one pass over the whole workbook would), `filled` writes the indices in. The
    /// rows are written before the sheet's head, since the column widths (each column's widest
    /// value, in characters of its text) come first in the file.
    struct Piece {
        var xml = XMLBytes()
        var widest: [Int]
        /// The workbook's index of each of the piece's strings (`SharedStrings.number`).
        var ids: [Int] = []

        init(_ t: Table, _ rows: Range<Int>, shared: Bool) {
            let letters = (0..<max(t.columns.count, 1)).map { Array(column($0).utf8) }
            let kinds = t.columns.map(ColumnKind.init)
            widest = t.columns.map(\.count)
            xml.shared = shared
            xml.bytes.reserveCapacity(64 + rows.count * 24 * max(t.columns.count, 1))
            if rows.lowerBound == 0 {
                xml.put("<row r=\"1\">")
                xml.previous = -1
                for (i, name) in t.columns.enumerated() { xml.text(letters[i] + Array("1".utf8), name, column: i, style: .header) }
                xml.put("</row>")
            }
            for r in rows {
                xml.put("<row r=\"")
                xml.put(r + 2)
                xml.put("\">")
                xml.previous = -1
                for (i, c) in t.rows[r].enumerated() { widest[i] = max(widest[i], xml.cell(letters[i], r + 2, column: i, c, kinds[i])) }
                xml.put("</row>")
            }
        }

        /// The piece's XML with the workbook's string indices in their holes.
        func filled() -> [UInt8] {
            guard !xml.holes.isEmpty else { return xml.bytes }
            var out = XMLBytes()
            out.bytes.reserveCapacity(xml.bytes.count + xml.holes.count * 6)
            var from = 0
            xml.bytes.withUnsafeBufferPointer { b in
                for (hole, use) in zip(xml.holes, xml.uses) {
                    out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[from..<hole]))
                    out.put(ids[Int(use)])
                    from = hole
                }
                out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[from...]))
            }
            return out.bytes
        }
    }

    /// The sheet's XML before its rows: dimension, frozen header, column widths.
    static func head(_ t: Table, widest: [Int]) -> [UInt8] {
        var x = XMLBytes()
        x.put(XLSXWriter.xmlHeader + "<worksheet xmlns=\"\(XLSXWriter.mainNamespace)\" xmlns:r=\"\(XLSXWriter.relationshipNamespace)\">")
        x.put("<dimension ref=\"A1:\(lastCell(t))\"/>")
        x.put("<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>")
        x.put("<selection pane=\"bottomLeft\"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>")
        x.put(widths(widest) + "<sheetData>")
        return x.bytes
    }

    /// The sheet's XML after its rows.
    static func tail(_ t: Table) -> [UInt8] { Array("</sheetData><autoFilter ref=\"A1:\(lastCell(t))\"/></worksheet>".utf8) }

    private static func lastCell(_ t: Table) -> String { column(max(t.columns.count, 1) - 1) + String(t.rows.count + 1) }

    /// The column's letters: 0 → A, 25 → Z, 26 → AA.
    static func column(_ i: Int) -> String {
        var n = i + 1, s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// Widths fitted to the widest value of each column (header included), 8 to 60 characters.
    static func widths(_ widest: [Int]) -> String {
        guard !widest.isEmpty else { return "" }
        var cols = "<cols>"
        for (i, w) in widest.enumerated() {
            cols += "<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(min(60, max(8, w + 2)))\" customWidth=\"1\"/>"
        }
        return cols + "</cols>"
    }

    /// One cell as text (tests; the sheet writes cells with `XMLBytes.cell`).
    static func cell(_ ref: String, _ c: Cell, column name: String) -> String {
        var x = XMLBytes()
        x.cell(Array(ref.utf8), nil, c, ColumnKind(name))
        return String(decoding: x.bytes, as: UTF8.self)
    }

    /// What a column's name says of its cells (Appendix A): 2-decimal money, UTC timestamps,
    /// dates; decided once per column.
    enum ColumnKind {
        case plain, money, time, date

        init(_ name: String) {
            if name.hasSuffix("_at") {
                self = .time
            } else if name == "week_start" || name.hasSuffix("_date") {
                self = .date
            } else {
                self = XLSXSheet.isMoney(name) ? .money : .plain
            }
        }
    }

    /// Columns of Appendix A that hold money (2 decimals, like days and hours): the amounts and
    /// costs, and a decision's primary value where its metric is a cost (rates have 4 decimals,
    /// counts are integers).
    static func isMoney(_ column: String) -> Bool {
        column.contains("amount") || column.contains("cost")
            || ["primary_value", "primary_before_adjustment", "primary_after_adjustment"].contains(column)
    }

    /// A timestamp (`…_at`, ISO 8601 UTC) or a date (`week_start`, `…_date`) as an Excel serial
    /// (days since 1899-12-30), for years 1901 to 9999; anything else stays text.
    static func serial(_ u: UnsafeBufferPointer<UInt8>, _ kind: ColumnKind) -> (value: String, style: Style)? {
        let time = kind == .time
        guard (time && u.count == 20 && u[10] == 0x54 && u[13] == 0x3A && u[16] == 0x3A && u[19] == 0x5A) || (kind == .date && u.count == 10),
            u[4] == 0x2D, u[7] == 0x2D
        else { return nil }
        func num(_ at: Int, _ width: Int) -> Int? {
            var v = 0
            for i in at..<(at + width) {
                guard u[i] >= 0x30 && u[i] <= 0x39 else { return nil }
                v = v * 10 + Int(u[i] - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), let m = num(5, 2), let d = num(8, 2), (1901...9999).contains(y), (1...12).contains(m), d >= 1,
            d <= Civil.daysInMonth(y, m)
        else { return nil }
        let days = Civil.days(year: y, month: m, day: d) + 25_569
        guard time else { return (String(days), .date) }
        guard let h = num(11, 2), let mi = num(14, 2), let sec = num(17, 2), h < 24, mi < 60, sec < 60 else { return nil }
        return ("\(Double(days) + Double(h * 3600 + mi * 60 + sec) / 86_400)", .dateTime)
    }

    static func serial(_ s: String, _ kind: ColumnKind) -> (value: String, style: Style)? {
        if let r = s.utf8.withContiguousStorageIfAvailable({ serial($0, kind) }) { return r }
        return Array(s.utf8).withUnsafeBufferPointer { serial($0, kind) }
    }

    /// An inline string: text, never a formula (`=…` stays text, without the CSV's `'`).
    static func textCell(_ ref: String, _ s: String, style: Style) -> String {
        var x = XMLBytes()
        x.text(Array(ref.utf8), s, style: style)
        return String(decoding: x.bytes, as: UTF8.self)
    }

    static func escape(_ s: String) -> String {
        var x = XMLBytes()
        x.escaped(s)
        return String(decoding: x.bytes, as: UTF8.self)
    }

}

/// A sheet's XML as bytes: one buffer for a piece of a sheet, no string per cell.
struct XMLBytes {
    var bytes: [UInt8] = []
    /// Text cells refer to the workbook's shared strings (else they are inline strings): each
    /// leaves a hole where its index goes (`XLSXSheet.Piece.filled`).
    var shared = false
    /// The piece's strings in first-use order, the offset in `bytes` of each hole, and the
    /// string (in `strings`) whose index goes there.
    var strings = PieceStrings()
    var holes: [Int] = []
    var uses: [Int32] = []
    /// The column of the row's last cell written (-1 at a row's start; `reference`).
    var previous = -2

    mutating func put(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func put(_ v: Int) {
        if v < 0 {
            bytes.append(0x2D)
            put(-v)
            return
        }
        if v >= 10 { put(v / 10) }
        bytes.append(UInt8(0x30 + v % 10))
    }

    /// Writes the cell at (`letters`, `row`: nil when `letters` is the whole reference); returns
    /// the width of its text in characters (a date-time shows as 19, a date as 10).
    @discardableResult
    mutating func cell(_ letters: [UInt8], _ row: Int?, column: Int? = nil, _ c: Cell, _ kind: XLSXSheet.ColumnKind) -> Int {
        switch c {
        case .empty: return 0
        case .int(let v):
            let value = String(v)
            number(letters, row, column, value, .count)
            return value.utf8.count
        case .fixed(let v, let d):
            guard v.isFinite else { return 0 }
            let value = formatFixed(v, d)
            let money = d != 4 && kind == .money
            number(letters, row, column, value, d == 4 ? .rate : money ? .money : .days)
            return value.utf8.count + (money ? value.utf8.count / 4 : 0)
        case .text(let s):
            if kind == .time || kind == .date, let (value, style) = XLSXSheet.serial(s, kind) {
                number(letters, row, column, value, style)
                return style == .dateTime ? 19 : 10
            }
            return text(letters, s, row: row, column: column, style: .text)
        }
    }

    /// `<c`, and the cell's reference unless it is implied: a cell of a sheet's row (`column`
    /// given) right after the row's previous cell, or first in column A, is where a reader puts
    /// a cell without one (ECMA-376 makes `r` optional). A row's gaps (empty cells are no cell)
    /// are where references are written.
    private mutating func reference(_ letters: [UInt8], _ row: Int?, _ column: Int?) {
        defer { previous = column ?? -2 }
        if let column, column == previous + 1 {
            put("<c")
            return
        }
        put("<c r=\"")
        bytes.append(contentsOf: letters)
        if let row { put(row) }
        put("\"")
    }

    private mutating func number(_ letters: [UInt8], _ row: Int?, _ column: Int?, _ value: String, _ style: XLSXSheet.Style) {
        reference(letters, row, column)
        put(" s=\"")
        put(style.rawValue)
        put("\"><v>")
        put(value)
        put("</v></c>")
    }

    /// Whether a text begins or ends with white space, which a reader keeps only under
    /// `xml:space="preserve"`.
    static func keepsSpace(_ s: String) -> Bool {
        func space(_ b: UInt8?) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        return space(s.utf8.first) || space(s.utf8.last)
    }

    /// An inline string; its width in characters. Leading or trailing white space is kept only
    /// when the text has it (`xml:space`).
    @discardableResult
    mutating func text(_ letters: [UInt8], _ s: String, row: Int? = nil, column: Int? = nil, style: XLSXSheet.Style) -> Int {
        reference(letters, row, column)
        if style != .text {
            put(" s=\"")
            put(style.rawValue)
            put("\"")
        }
        if shared {
            put(" t=\"s\"><v>")
            let (id, width) = strings.id(s)
            holes.append(bytes.count)
            uses.append(id)
            put("</v></c>")
            return width
        }
        put(Self.keepsSpace(s) ? " t=\"inlineStr\"><is><t xml:space=\"preserve\">" : " t=\"inlineStr\"><is><t>")
        let width = escaped(s)
        put("</t></is></c>")
        return width
    }

    /// XML text: `& < > "` escaped; what XML 1.0 cannot hold (controls other than tab and line
    /// ends, U+FFFE, U+FFFF) becomes U+FFFD. On UTF-8 bytes: a String's are always valid.
    @discardableResult
    mutating func escaped(_ s: String) -> Int {
        if let w = s.utf8.withContiguousStorageIfAvailable({ escaped($0) }) { return w }
        return Array(s.utf8).withUnsafeBufferPointer { escaped($0) }
    }

    /// The bytes escaped; the number of characters (bytes that do not continue one).
    private mutating func escaped(_ u: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0, characters = 0
        while i < u.count {
            let b = u[i]
            if b & 0xC0 != 0x80 { characters += 1 }
            switch b {
            case 0x26: put("&amp;")
            case 0x3C: put("&lt;")
            case 0x3E: put("&gt;")
            case 0x22: put("&quot;")
            case 0x09, 0x0A, 0x0D: bytes.append(b)
            case 0x00..<0x20: bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
            case 0xEF where i + 2 < u.count && u[i + 1] == 0xBF && (u[i + 2] == 0xBE || u[i + 2] == 0xBF):
                bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
                i += 2
            default: bytes.append(b)
            }
            i += 1
        }
        return characters
    }
}

/// One piece's strings: each distinct text once, in first-use order, with its characters (as
/// `escaped` counts them: bytes that do not continue one), for column widths.
struct PieceStrings {
    private var index: [String: Int32] = [:]
    private(set) var list: [String] = []
    private var widths: [Int] = []

    mutating func id(_ s: String) -> (id: Int32, width: Int) {
        if let i = index[s] { return (i, widths[Int(i)]) }
        let i = Int32(list.count)
        index[s] = i
        list.append(s)
        var characters = 0
        for b in s.utf8 where b & 0xC0 != 0x80 { characters += 1 }
        widths.append(characters)
        return (i, characters)
    }
}

/// The workbook's shared strings (`xl/sharedStrings.xml`): each distinct text once, cells refer
/// to it by index. A sheet of a few pilots, rules and evidence texts repeated on every row is a
/// third of its inline size, which is what the zip has to deflate.
struct SharedStrings: Sendable {
    private var index: [String: Int] = [:]
    private var list: [String] = []
    private var references = 0

    /// The workbook's index of each of a piece's strings, numbering the new ones after the
    /// strings of the pieces numbered before it. Called for every piece in sheet order, this is
    /// first-use order over the workbook.
    mutating func number(_ p: XLSXSheet.Piece) -> [Int] {
        references += p.xml.uses.count
        return p.xml.strings.list.map { s in
            if let i = index[s] { return i }
            index[s] = list.count
            list.append(s)
            return list.count - 1
        }
    }

    /// `<sst>`: one `<si>` per string, in first-use order (so the bytes follow the tables).
    func xml() -> [UInt8] {
        var x = XMLBytes()
        x.put(XLSXWriter.xmlHeader + "<sst xmlns=\"\(XLSXWriter.mainNamespace)\" count=\"\(references)\" uniqueCount=\"\(list.count)\">")
        for s in list {
            x.put(XMLBytes.keepsSpace(s) ? "<si><t xml:space=\"preserve\">" : "<si><t>")
            x.escaped(s)
            x.put("</t></si>")
        }
        x.put("</sst>")
        return x.bytes
    }
}
