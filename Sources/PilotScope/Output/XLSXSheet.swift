/// One worksheet: the header row (bold, frozen, with an autofilter), then the rows as typed
/// cells. Types come from the cells and, where a cell alone cannot say, from the column's name in
/// the Appendix A schema: money and days both have 2 decimals, and timestamps are text in the
/// CSV. Empty values are no cell at all.
enum XLSXSheet {
    typealias Style = XLSXStyles.Style

    static func xml(_ t: Table) -> String {
        let last = column(max(t.columns.count, 1) - 1) + String(t.rows.count + 1)
        var rows = "<row r=\"1\">"
        for (i, name) in t.columns.enumerated() { rows += textCell("\(column(i))1", name, style: .header) }
        rows += "</row>"
        for (r, row) in t.rows.enumerated() {
            rows += "<row r=\"\(r + 2)\">"
            for (i, c) in row.enumerated() { rows += cell("\(column(i))\(r + 2)", c, column: t.columns[i]) }
            rows += "</row>"
        }
        return XLSXWriter.xmlHeader + "<worksheet xmlns=\"\(XLSXWriter.mainNamespace)\" xmlns:r=\"\(XLSXWriter.relationshipNamespace)\">"
            + "<dimension ref=\"A1:\(last)\"/>"
            + "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
            + "<selection pane=\"bottomLeft\"/></sheetView></sheetViews>" + "<sheetFormatPr defaultRowHeight=\"15\"/>" + widths(t)
            + "<sheetData>\(rows)</sheetData><autoFilter ref=\"A1:\(last)\"/></worksheet>"
    }

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

    /// Widths fitted to the longest value (header included), in characters, 8 to 60.
    static func widths(_ t: Table) -> String {
        guard !t.columns.isEmpty else { return "" }
        var cols = "<cols>"
        for (i, name) in t.columns.enumerated() {
            let longest = t.rows.reduce(name.count) { max($0, $1[i].plain.count) }
            cols += "<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(min(60, max(8, longest + 2)))\" customWidth=\"1\"/>"
        }
        return cols + "</cols>"
    }

    static func cell(_ ref: String, _ c: Cell, column name: String) -> String {
        switch c {
        case .empty: return ""
        case .int(let v): return numberCell(ref, String(v), style: .count)
        case .fixed(let v, let d):
            guard v.isFinite else { return "" }
            return numberCell(ref, formatFixed(v, d), style: d == 4 ? .rate : isMoney(name) ? .money : .days)
        case .text(let s):
            if let serial = dateTimeSerial(s, column: name) { return numberCell(ref, serial.value, style: serial.style) }
            return textCell(ref, s, style: .text)
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
    static func dateTimeSerial(_ s: String, column: String) -> (value: String, style: Style)? {
        let u = Array(s.utf8)
        let isTime = column.hasSuffix("_at") && u.count == 20 && u[10] == 0x54 && u[13] == 0x3A && u[16] == 0x3A && u[19] == 0x5A
        let isDate = (column == "week_start" || column.hasSuffix("_date")) && u.count == 10
        guard isTime || isDate, let days = Civil.parseDate(String(decoding: u[0..<10], as: UTF8.self)) else { return nil }
        let year = Civil.date(days: days).year
        guard (1901...9999).contains(year) else { return nil }
        let serial = Double(days + 25_569)
        guard isTime else { return (String(Int(serial)), .date) }
        func two(_ i: Int) -> Int? {
            guard u[i] >= 0x30 && u[i] <= 0x39 && u[i + 1] >= 0x30 && u[i + 1] <= 0x39 else { return nil }
            return Int(u[i] - 0x30) * 10 + Int(u[i + 1] - 0x30)
        }
        guard let h = two(11), let m = two(14), let sec = two(17), h < 24, m < 60, sec < 60 else { return nil }
        return ("\(serial + Double(h * 3600 + m * 60 + sec) / 86_400)", .dateTime)
    }

    static func numberCell(_ ref: String, _ value: String, style: Style) -> String {
        "<c r=\"\(ref)\" s=\"\(style.rawValue)\"><v>\(value)</v></c>"
    }

    /// An inline string: text, never a formula (`=…` stays text, without the CSV's `'`).
    static func textCell(_ ref: String, _ s: String, style: Style) -> String {
        "<c r=\"\(ref)\" s=\"\(style.rawValue)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escape(s))</t></is></c>"
    }

    /// XML text: `& < > "` escaped; characters XML 1.0 cannot hold (controls other than tab and
    /// line ends, U+FFFE, U+FFFF) become U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(ch)
            default:
                let v = ch.value
                out.unicodeScalars.append(v < 0x20 || v == 0xFFFE || v == 0xFFFF ? "\u{FFFD}" : ch)
            }
        }
        return out
    }
}
