import CPilotShims
import Glibc

/// The hand-written RFC 4180 scanner: the same records, fields, line numbers and errors as libcsv
/// in strict mode (`CSV_STRICT | CSV_STRICT_FINI`, no space trimming) — proven by
/// `CSVDifferentialTests`. Unquoted fields are slices of the buffer; quoted fields with doubled
/// quotes are unescaped in place, so no byte is copied elsewhere and nothing is allocated.
public struct FastCSVScanner {
    public let delimiter: UInt8
    public var record = RecordView()
    public init(delimiter: UInt8 = 0x2C) {
        self.delimiter = delimiter
    }

    /// Line breaks in quoted content: LF, and CR not followed by LF.
    @inline(__always) static func breaks(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        guard n > 0 else { return 0 }
        let lf = CPilotShims_count_byte(p, n, 0x0A)
        let cr = CPilotShims_count_byte(p, n, 0x0D)
        if cr == 0 { return lf }
        var crlf = 0
        for k in 0..<(n - 1) where p[k] == 0x0D && p[k + 1] == 0x0A { crlf += 1 }
        return lf + cr - crlf
    }

    /// Scans `buf[0..<n]`, which starts at a record boundary, calling `handler` per record.
    /// `atEOF`: the buffer ends the file (a last record may lack its line end).
    public mutating func scan<H: RecordHandler>(
        _ buf: UnsafeMutablePointer<UInt8>, _ n: Int, atEOF: Bool, handler: inout H
    ) throws -> ChunkScanStats {
        var st = ChunkScanStats()
        var i = 0
        var line = 0
        let delim = delimiter
        record.base = UnsafePointer(buf)
        do {
            while i < n {
                let c = buf[i]
                if c == 0x0A || c == 0x0D {
                    st.blankLines += 1
                    st.trailingBlankLines.append(line)
                    line += 1
                    i += 1
                    if c == 0x0D, i < n, buf[i] == 0x0A { i += 1 }
                    continue
                }
                record.reset(line: line)
                var inRecord = 0  // line breaks inside quoted fields of this record
                var ended = false
                while !ended {
                    // One field: its bounds, and what a stray byte after it means.
                    let fieldStart: Int
                    let fieldLength: Int
                    let strayByte: CSVSyntaxError.Kind
                    if i < n && buf[i] == 0x22 {
                        i += 1
                        let start = i
                        var w = i
                        while true {
                            // Next quote or line break inside the quotes (SIMD search).
                            let j = i + CPilotShims_find3(buf + i, n - i, 0x22, 0x0A, 0x0D)
                            guard j < n else { throw CSVSyntaxError(kind: .unterminatedQuote, line: record.line) }
                            if buf[j] != 0x22 {
                                // A line break is content: LF, CRLF or a lone CR count as one line.
                                let end = buf[j] == 0x0D && j + 1 < n && buf[j + 1] == 0x0A ? j + 2 : j + 1
                                inRecord += 1
                                // This is safe: w <= i, both inside buf; regions may overlap.
                                if w != i { memmove(buf + w, buf + i, end - i) }
                                w += end - i
                                i = end
                                continue
                            }
                            if w != i { memmove(buf + w, buf + i, j - i) }
                            w += j - i
                            i = j + 1
                            if i < n && buf[i] == 0x22 {
                                buf[w] = 0x22
                                w += 1
                                i += 1
                                continue
                            }
                            break
                        }
                        (fieldStart, fieldLength, strayByte) = (start, w - start, .charAfterClosingQuote)
                    } else {
                        let s = i
                        // Empty fields are common (unused columns): test the first byte before the SIMD search.
                        if i < n {
                            let c = buf[i]
                            if c != delim && c != 0x0A && c != 0x0D && c != 0x22 {
                                i += 1 + CPilotShims_find4(buf + i + 1, n - i - 1, delim, 0x0A, 0x0D, 0x22)
                            }
                        }
                        (fieldStart, fieldLength, strayByte) = (s, i - s, .quoteInUnquotedField)
                    }
                    if fieldLength > maxFieldBytes { throw CSVSyntaxError(kind: .fieldTooLarge, line: record.line) }
                    record.append(fieldStart, fieldLength)
                    if i == n { break }  // end of input ends the record
                    let d = buf[i]
                    if d == delim {
                        i += 1  // at the very end, the next pass adds the empty last field
                    } else if d == 0x0A || d == 0x0D {
                        i += 1
                        if d == 0x0D, i < n, buf[i] == 0x0A { i += 1 }
                        ended = true
                        line += 1
                    } else {
                        throw CSVSyntaxError(kind: strayByte, line: record.line + inRecord)
                    }
                }
                line += inRecord
                if record.isBlankLine {
                    st.blankLines += 1
                    st.trailingBlankLines.append(record.line)
                    continue
                }
                // A one-field record may be a report footer line (B28): blank lines before it still count.
                if record.count > 1 { st.trailingBlankLines.removeAll(keepingCapacity: true) }
                try handler.record(&record)
            }
        }
        st.lines = line
        return st
    }
}
