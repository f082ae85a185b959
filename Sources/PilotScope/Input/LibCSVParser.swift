import CLibCSV

/// libcsv, the RFC 4180 parser of record, in strict mode (`CSV_STRICT | CSV_STRICT_FINI`) with no
/// space trimming and `CSV_REPALL_NL` so blank lines and physical line numbers can be counted.
/// Accepts input in pieces of any size. Used as `--csv-engine libcsv` and as the oracle of the
/// fast scanner's differential tests.
public final class LibCSVParser {
    /// Callback state: a plain struct behind a pointer (no class, no retain in the callbacks).
    struct Context {
        var arena: [UInt8] = []
        var starts: [Int] = []
        var lens: [Int] = []
        var rows: [(starts: [Int], lens: [Int], arena: [UInt8], line: Int)] = []
        var lineAtRowStart = 0
        var breaksInRow = 0
        var fieldsSinceTerm = 0
        var lastTermCR = false
        var stats = ChunkScanStats()
        var error: CSVSyntaxError?
    }

    private var parser = csv_parser()
    private let ctx: UnsafeMutablePointer<Context>
    private var record = RecordView()

    public init(delimiter: UInt8 = 0x2C) {
        // The callbacks' context needs a stable address: raw memory, freed in deinit.
        ctx = .allocate(capacity: 1)
        ctx.initialize(to: Context())
        csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL))
        csv_set_delim(&parser, delimiter)
        csv_set_space_func(&parser) { _ in 0 }
        // libcsv grows a field's buffer by this many bytes per realloc (default 128: quadratic on
        // large fields).
        csv_set_blk_size(&parser, 1 << 20)
    }

    deinit {
        csv_free(&parser)
        ctx.deinitialize(count: 1)
        ctx.deallocate()
    }

    private static let onField: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { p, n, data in
        // This is safe: libcsv hands back the `ctx` pointer given to csv_parse.
        let c = data!.assumingMemoryBound(to: Context.self)
        if c.pointee.error != nil { return }
        if n > maxFieldBytes {
            c.pointee.error = CSVSyntaxError(kind: .fieldTooLarge, line: c.pointee.lineAtRowStart)
            return
        }
        let bytes = UnsafeBufferPointer(start: p?.assumingMemoryBound(to: UInt8.self), count: n)
        c.pointee.starts.append(c.pointee.arena.count)
        c.pointee.lens.append(n)
        c.pointee.arena.append(contentsOf: bytes)
        // This is safe: a field of n > 0 bytes has a base address.
        if n > 0 { c.pointee.breaksInRow += FastCSVScanner.breaks(bytes.baseAddress!, n) }
        c.pointee.fieldsSinceTerm += 1
    }

    private static let onRow: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { term, data in
        // This is safe: libcsv hands back the `ctx` pointer given to csv_parse.
        let c = data!.assumingMemoryBound(to: Context.self)
        if c.pointee.error != nil { return }
        if c.pointee.fieldsSinceTerm == 0 {
            // An empty row: the LF of a CRLF pair, or a blank line.
            if term == 0x0A && c.pointee.lastTermCR {
                c.pointee.lastTermCR = false
                return
            }
            c.pointee.stats.blankLines += 1
            c.pointee.stats.trailingBlankLines.append(c.pointee.lineAtRowStart)
            c.pointee.lineAtRowStart += 1
            c.pointee.lastTermCR = term == 0x0D
            return
        }
        let line = c.pointee.lineAtRowStart
        c.pointee.lineAtRowStart += c.pointee.breaksInRow + (term >= 0 ? 1 : 0)
        // One field of white space only is a blank line (B11), as in the fast scanner.
        if c.pointee.starts.count == 1 && c.pointee.arena.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            c.pointee.stats.blankLines += 1
            c.pointee.stats.trailingBlankLines.append(line)
        } else {
            if c.pointee.starts.count > 1 { c.pointee.stats.trailingBlankLines.removeAll(keepingCapacity: true) }
            c.pointee.rows.append((c.pointee.starts, c.pointee.lens, c.pointee.arena, line))
        }
        c.pointee.arena.removeAll(keepingCapacity: true)
        c.pointee.starts.removeAll(keepingCapacity: true)
        c.pointee.lens.removeAll(keepingCapacity: true)
        c.pointee.breaksInRow = 0
        c.pointee.fieldsSinceTerm = 0
        c.pointee.lastTermCR = term == 0x0D
    }

    /// Feeds a piece; delivers every record completed by it.
    public func feed<H: RecordHandler>(_ p: UnsafePointer<UInt8>, _ n: Int, handler: inout H) throws {
        let used = csv_parse(&parser, p, n, Self.onField, Self.onRow, ctx)
        try deliver(&handler)
        if used < n || csv_error(&parser) != 0 {
            // Strict error at byte `used`: its line is the row start plus breaks consumed so far.
            var partial = 0
            if let eb = parser.entry_buf, parser.entry_pos > 0 { partial = FastCSVScanner.breaks(eb, parser.entry_pos) }
            let line = ctx.pointee.lineAtRowStart + ctx.pointee.breaksInRow + partial
            let kind: CSVSyntaxError.Kind = parser.quoted != 0 ? .charAfterClosingQuote : .quoteInUnquotedField
            throw CSVSyntaxError(kind: kind, line: line)
        }
    }

    /// Ends the input (csv_fini); delivers the last record.
    public func finish<H: RecordHandler>(handler: inout H) throws -> ChunkScanStats {
        let rowStart = ctx.pointee.lineAtRowStart
        if csv_fini(&parser, Self.onField, Self.onRow, ctx) != 0 {
            try deliver(&handler)
            throw CSVSyntaxError(kind: .unterminatedQuote, line: rowStart)
        }
        try deliver(&handler)
        var st = ctx.pointee.stats
        st.lines = ctx.pointee.lineAtRowStart
        return st
    }

    private func deliver<H: RecordHandler>(_ handler: inout H) throws {
        if let e = ctx.pointee.error { throw e }
        let rows = ctx.pointee.rows
        ctx.pointee.rows.removeAll(keepingCapacity: true)
        for r in rows {
            try r.arena.withUnsafeBufferPointer { a in
                record.base = a.baseAddress ?? UnsafePointer(bitPattern: 1)!
                record.set(starts: r.starts, lens: r.lens)
                record.line = r.line
                try handler.record(&record)
            }
        }
    }

    /// Parses a whole buffer at once (one chunk of the pipeline).
    public static func scan<H: RecordHandler>(
        _ buf: UnsafePointer<UInt8>, _ n: Int, delimiter: UInt8, handler: inout H
    ) throws -> ChunkScanStats {
        let p = LibCSVParser(delimiter: delimiter)
        try p.feed(buf, n, handler: &handler)
        return try p.finish(handler: &handler)
    }
}
