/// Output formats of SPEC 4.
public enum OutputFormat: String, Sendable, CaseIterable { case csv, tsv, jsonl, md }

/// Writes tables as CSV (RFC 4180, LF), TSV, JSON Lines or Markdown.
public enum TableWriter {
    /// Spreadsheet guard: a text cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`
    /// in csv/tsv, so a spreadsheet never evaluates it. Numbers are never touched.
    public static func guarded(_ s: String) -> String {
        guard let f = s.utf8.first else { return s }
        switch f {
        case 0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D: return "'" + s
        default: return s
        }
    }

    public static func render(_ t: Table, as format: OutputFormat) -> String {
        var out = ""
        switch format {
        case .csv:
            out += t.columns.joined(separator: ",") + "\n"
            for r in t.rows {
                out +=
                    r.map { c in
                        if case .text(let s) = c { return csvQuote(guarded(s)) }
                        return c.plain
                    }.joined(separator: ",") + "\n"
            }
        case .tsv:
            out += t.columns.joined(separator: "\t") + "\n"
            for r in t.rows {
                out +=
                    r.map { c in
                        if case .text(let s) = c {
                            // TSV has no quoting: tabs and line ends inside text become spaces.
                            return String(guarded(s).map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
                        }
                        return c.plain
                    }.joined(separator: "\t") + "\n"
            }
        case .jsonl:
            for r in t.rows {
                out += "{" + zip(t.columns, r).map { k, c in "\"\(k)\":" + json(c) }.joined(separator: ",") + "}\n"
            }
        case .md:
            out += "| " + t.columns.joined(separator: " | ") + " |\n"
            out += "|" + t.columns.map { _ in "---|" }.joined() + "\n"
            for r in t.rows {
                out +=
                    "| " + r.map { $0.plain.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }.joined(separator: " | ")
                    + " |\n"
            }
        }
        return out
    }

    static func json(_ c: Cell) -> String {
        switch c {
        case .empty: return "null"
        case .int(let i): return String(i)
        case .fixed(let v, let d): return v.isFinite ? formatFixed(v, d) : "null"
        case .text(let s): return jsonString(s)
        }
    }

    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// rejects.csv (B12): file, line, reason, row.
    public static func rejects(_ rows: [RejectRow]) -> String {
        var out = "file,line,reason,row\n"
        for r in rows {
            out += [csvQuote(guarded(r.file)), String(r.line), csvQuote(r.reason), csvQuote(guarded(r.row))].joined(separator: ",") + "\n"
        }
        return out
    }
}
